//! Every command through Tauri's IPC (mock runtime, `tauri://localhost`), against a local cloud.

use coffer_app::{AppState, CommandError};
use serde_json::{json, Value};

use std::sync::Arc;

use super::harness::{app_with_state, code, invoke, MissingKeychain, TestApp};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "Correct-Horse-9";

fn sign_up_and_confirm(app: &TestApp) {
    let result: Value = app
        .call(
            "sign_up",
            Some(json!({"email": EMAIL, "password": PASSWORD})),
        )
        .unwrap();
    assert_eq!(result["confirmed"], false);
    assert_eq!(result["delivery"]["medium"], "email");
    let code = app.latest_code_for(EMAIL);
    let confirmed: Value = app
        .call(
            "confirm_sign_up",
            Some(json!({"username": EMAIL, "code": code})),
        )
        .unwrap();
    assert_eq!(confirmed, Value::Null);
}

#[test]
fn sign_up_confirm_sign_in_whoami_refresh_and_sign_out() {
    let app = TestApp::start();
    assert_eq!(
        app.call::<Value>("restore_session", None).unwrap(),
        Value::Null
    );

    // Signing in before confirming says so (the UI then shows the code screen).
    let result: Value = app
        .call(
            "sign_up",
            Some(json!({"email": EMAIL, "password": PASSWORD})),
        )
        .unwrap();
    assert_eq!(
        result["delivery"]["destination"]
            .as_str()
            .map(|d| d.contains('*')),
        Some(true),
        "{result}"
    );
    let error = app
        .invoke_raw(
            "sign_in",
            Some(json!({"username": EMAIL, "password": PASSWORD})),
        )
        .unwrap_err();
    assert_eq!(code(&error), "user_not_confirmed");

    // A wrong code, then a resent one.
    let error = app
        .invoke_raw(
            "confirm_sign_up",
            Some(json!({"username": EMAIL, "code": "000000"})),
        )
        .unwrap_err();
    assert!(matches!(code(&error), "code_mismatch"), "{error}");
    let first = app.latest_code_for(EMAIL);
    let delivery: Value = app
        .call("resend_confirmation_code", Some(json!({"username": EMAIL})))
        .unwrap();
    assert_eq!(delivery["medium"], "email");
    let second = app.latest_code_for(EMAIL);
    assert_ne!(first, second, "a new code was sent");
    app.call::<Value>(
        "confirm_sign_up",
        Some(json!({"username": EMAIL, "code": second})),
    )
    .unwrap();

    // Wrong password: the stable code and the core's sentence.
    let error = app
        .invoke_raw(
            "sign_in",
            Some(json!({"username": EMAIL, "password": "Wrong-Horse-9"})),
        )
        .unwrap_err();
    assert_eq!(
        error,
        json!({"code": "wrong_username_or_password", "message": "incorrect username or password"})
    );

    let outcome: Value = app
        .call(
            "sign_in",
            Some(json!({"username": EMAIL, "password": PASSWORD})),
        )
        .unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    assert_eq!(outcome["who"]["email"], EMAIL);
    let sub = outcome["who"]["sub"].as_str().unwrap().to_owned();
    assert!(!sub.is_empty());
    assert!(
        outcome.to_string().find("eyJ").is_none(),
        "no token crosses IPC: {outcome}"
    );

    let who: Value = app.call("whoami", None).unwrap();
    assert_eq!(who["sub"], sub.as_str());
    let restored: Value = app.call("restore_session", None).unwrap();
    assert_eq!(restored["email"], EMAIL);
    let refreshed: Value = app.call("refresh", None).unwrap();
    assert_eq!(refreshed["sub"], sub.as_str());
    assert!(time::OffsetDateTime::parse(
        refreshed["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339
    )
    .is_ok());

    app.call::<Value>("sign_out", None).unwrap();
    assert_eq!(
        app.call::<Value>("restore_session", None).unwrap(),
        Value::Null
    );
    let error = app.invoke_raw("whoami", None).unwrap_err();
    assert_eq!(code(&error), "not_signed_in");
}

#[test]
fn sign_out_everywhere_ends_the_session() {
    let app = TestApp::start();
    sign_up_and_confirm(&app);
    let outcome: Value = app
        .call(
            "sign_in",
            Some(json!({"username": EMAIL, "password": PASSWORD})),
        )
        .unwrap();
    assert_eq!(outcome["step"], "signedIn");
    app.call::<Value>("sign_out_everywhere", None).unwrap();
    assert_eq!(
        app.call::<Value>("restore_session", None).unwrap(),
        Value::Null
    );
}

#[test]
fn sign_up_errors_carry_their_codes() {
    let app = TestApp::start();
    let error = app
        .invoke_raw(
            "sign_up",
            Some(json!({"email": EMAIL, "password": "short"})),
        )
        .unwrap_err();
    assert_eq!(code(&error), "invalid_password");
    sign_up_and_confirm(&app);
    let error = app
        .invoke_raw(
            "sign_up",
            Some(json!({"email": EMAIL, "password": PASSWORD})),
        )
        .unwrap_err();
    assert_eq!(code(&error), "username_exists");
    let error = app
        .invoke_raw(
            "sign_in",
            Some(json!({"username": "nobody@example.com", "password": PASSWORD})),
        )
        .unwrap_err();
    assert!(
        matches!(
            code(&error),
            "user_not_found" | "wrong_username_or_password"
        ),
        "{error}"
    );
}

#[test]
fn backend_info_describes_the_local_cloud() {
    let app = TestApp::start();
    let backend: Value = app.call("backend_info", None).unwrap();
    assert_eq!(backend["kind"], "localCloud");
    assert_eq!(backend["endpoint"], app.endpoint.as_str());
    assert!(backend["userPoolId"]
        .as_str()
        .unwrap()
        .starts_with("us-east-1_"));
}

#[test]
fn a_backend_that_failed_to_start_answers_every_command_with_its_error() {
    let (_app, window) = app_with_state(AppState::failed(CommandError::new(
        "local_cloud_port_taken",
        "127.0.0.1:4566 is in use by another program",
    )));
    for command in ["backend_info", "restore_session", "whoami", "sign_out"] {
        let error = invoke(&window, command, None).unwrap_err();
        assert_eq!(code(&error), "local_cloud_port_taken", "{command}");
    }
    let error = invoke(
        &window,
        "sign_in",
        Some(json!({"username": EMAIL, "password": PASSWORD})),
    )
    .unwrap_err();
    assert_eq!(code(&error), "local_cloud_port_taken");
}

#[test]
fn arguments_of_the_wrong_shape_are_refused_before_the_core_is_called() {
    let app = TestApp::start();
    let error = app
        .invoke_raw("sign_in", Some(json!({"username": EMAIL})))
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("password"), "{text}");
}

#[test]
fn the_web_view_cannot_call_plugin_commands_it_was_not_granted() {
    let app = TestApp::start();
    let error = app
        .invoke_raw(
            "plugin:opener|open_url",
            Some(json!({"url": "https://example.com"})),
        )
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("not allowed"), "{text}");
}

#[test]
fn without_a_keychain_the_app_starts_signed_out_and_sign_in_says_why() {
    let app = TestApp::start_with_store(Arc::new(MissingKeychain));
    assert_eq!(
        app.call::<Value>("restore_session", None).unwrap(),
        Value::Null
    );
    sign_up_and_confirm(&app);
    let error = app
        .invoke_raw(
            "sign_in",
            Some(json!({"username": EMAIL, "password": PASSWORD})),
        )
        .unwrap_err();
    assert_eq!(code(&error), "keychain_unavailable");
}
