//! The sign-in steps after the password (MFA codes, choosing a factor, TOTP setup, a new
//! password), password reset and change, and remembered devices, through Tauri's IPC against
//! the local cloud's demo pool (MFA optional, TOTP and e-mail offered, devices remembered on
//! the user's request).

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, EmailMfaSettingsType, MessageActionType, SoftwareTokenMfaConfigType,
    SoftwareTokenMfaSettingsType, UserPoolMfaType,
};
use serde_json::{json, Value};

use super::harness::{code, totp_code, wrong_code, TestApp};

pub(super) const PASSWORD: &str = "Correct-Horse-9";

/// Signs up and confirms `email`, then signs in; returns the pool's username.
fn signed_in_user(app: &TestApp, email: &str) -> String {
    app.call::<Value>(
        "sign_up",
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .unwrap();
    let code = app.latest_code_for(email);
    app.call::<Value>(
        "confirm_sign_up",
        Some(json!({"username": email, "code": code})),
    )
    .unwrap();
    let outcome = sign_in(app, email, PASSWORD, false).unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    outcome["who"]["username"].as_str().unwrap().to_owned()
}

pub(super) fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    remember: bool,
) -> Result<Value, Value> {
    app.invoke_raw(
        "sign_in",
        Some(json!({"username": email, "password": password, "rememberDevice": remember})),
    )
}

/// Asserts `outcome` asks for a code e-mailed to `email`, whose address is shown masked.
pub(super) fn assert_emailed_code_step(outcome: &Value, email: &str) {
    assert_eq!(outcome["step"], "mfaCode", "{outcome}");
    assert_eq!(outcome["kind"], "email");
    assert_eq!(outcome["delivery"]["medium"], "email");
    let destination = outcome["delivery"]["destination"].as_str().unwrap();
    let local_part = &email[..=email.find('@').unwrap()];
    assert!(
        destination.contains('*') && !destination.contains(local_part),
        "masked: {destination}"
    );
}

/// Answers the pending step's `command` with a wrong code (refused, the step kept), then with
/// `right`; returns the outcome.
pub(super) fn wrong_then_right_code(app: &TestApp, command: &str, right: &str) -> Value {
    let error = app
        .invoke_raw(command, Some(json!({"code": wrong_code(right)})))
        .unwrap_err();
    assert_eq!(code(&error), "code_mismatch", "{error}");
    assert_eq!(error["stepKept"], true, "{error}");
    app.call(command, Some(json!({"code": right}))).unwrap()
}

/// Sets up the authenticator app from the account page; returns its secret.
fn enrol_totp(app: &TestApp) -> String {
    let setup: Value = app.call("begin_totp_setup", None).unwrap();
    let secret = setup["secret"].as_str().unwrap().to_owned();
    assert!(
        setup["otpauthUri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Coffer:"),
        "{setup}"
    );
    assert!(setup["otpauthUri"].as_str().unwrap().contains(&secret));
    assert!(setup["qrSvg"].as_str().unwrap().contains("<svg"), "{setup}");

    let wrong = wrong_code(&totp_code(&secret, 0));
    let error = app
        .invoke_raw("confirm_totp_setup", Some(json!({"code": wrong})))
        .unwrap_err();
    assert_eq!(code(&error), "code_mismatch");
    assert_eq!(
        error["stepKept"], true,
        "a wrong code keeps the setup: {error}"
    );
    app.call::<Value>(
        "confirm_totp_setup",
        Some(json!({"code": totp_code(&secret, 0)})),
    )
    .unwrap();
    secret
}

#[test]
fn totp_set_up_on_the_account_page_is_asked_for_at_the_next_sign_in() {
    let app = TestApp::start();
    let email = "tom@example.com";
    signed_in_user(&app, email);
    let settings: Value = app.call("mfa_settings", None).unwrap();
    assert_eq!(settings, json!({"enabled": [], "preferred": null}));

    let secret = enrol_totp(&app);
    let settings: Value = app.call("mfa_settings", None).unwrap();
    assert_eq!(settings, json!({"enabled": ["totp"], "preferred": "totp"}));
    // The enrolment is used up.
    let error = app
        .invoke_raw("confirm_totp_setup", Some(json!({"code": "123456"})))
        .unwrap_err();
    assert_eq!(code(&error), "no_pending_step");

    app.call::<Value>("sign_out", None).unwrap();
    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(
        outcome,
        json!({"step": "mfaCode", "kind": "totp", "delivery": null})
    );

    // A wrong code keeps the step; the right one (the next 30 s step: the enrolment used
    // this one) signs in.
    let next = totp_code(&secret, 1);
    let outcome = wrong_then_right_code(&app, "answer_mfa_code", &next);
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    assert_eq!(outcome["who"]["email"], email);
    assert_eq!(outcome["device"], "notRequested");

    // The step is gone once answered.
    let error = app
        .invoke_raw("answer_mfa_code", Some(json!({"code": next})))
        .unwrap_err();
    assert_eq!(code(&error), "no_pending_step");
    assert_eq!(error["stepKept"], false);

    // Turning MFA off: the next sign-in needs the password only.
    app.call::<Value>("set_mfa_preference", Some(json!({"preference": "none"})))
        .unwrap();
    app.call::<Value>("sign_out", None).unwrap();
    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
}

#[test]
fn email_codes_show_where_they_went_and_steps_can_be_cancelled() {
    let app = TestApp::start();
    let email = "eve@example.com";
    signed_in_user(&app, email);
    app.call::<Value>("set_mfa_preference", Some(json!({"preference": "email"})))
        .unwrap();
    app.call::<Value>("sign_out", None).unwrap();

    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_emailed_code_step(&outcome, email);

    // Answering with the wrong command leaves the step waiting.
    let error = app
        .invoke_raw("choose_mfa", Some(json!({"kind": "totp"})))
        .unwrap_err();
    assert_eq!(code(&error), "wrong_step");
    assert_eq!(error["stepKept"], true);

    let mfa_code = app
        .latest_code(email, "mfa")
        .expect("an MFA code by e-mail");
    let outcome: Value = app
        .call("answer_mfa_code", Some(json!({"code": mfa_code})))
        .unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");

    // Cancelling drops the step.
    app.call::<Value>("sign_out", None).unwrap();
    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(outcome["step"], "mfaCode");
    app.call::<Value>("cancel_sign_in", None).unwrap();
    let mfa_code = app.latest_code(email, "mfa").unwrap();
    let error = app
        .invoke_raw("answer_mfa_code", Some(json!({"code": mfa_code})))
        .unwrap_err();
    assert_eq!(code(&error), "no_pending_step");
    assert_eq!(
        app.call::<Value>("restore_session", None).unwrap(),
        Value::Null
    );
}

#[test]
fn a_remembered_device_skips_mfa_until_it_is_forgotten() {
    let app = TestApp::start();
    let email = "rita@example.com";
    signed_in_user(&app, email);
    app.call::<Value>("set_mfa_preference", Some(json!({"preference": "email"})))
        .unwrap();
    // The first sign-in made the pool track this computer (every new device is confirmed),
    // but nobody asked to remember it.
    let devices: Value = app.call("list_devices", None).unwrap();
    assert_eq!(devices.as_array().unwrap().len(), 1, "{devices}");
    assert_eq!(devices[0]["isThisDevice"], true);
    assert_eq!(devices[0]["remembered"], false);
    app.call::<Value>("sign_out", None).unwrap();

    let outcome = sign_in(&app, email, PASSWORD, true).unwrap();
    assert_eq!(outcome["step"], "mfaCode", "{outcome}");
    let mfa_code = app.latest_code(email, "mfa").unwrap();
    let outcome: Value = app
        .call("answer_mfa_code", Some(json!({"code": mfa_code})))
        .unwrap();
    assert_eq!(outcome["device"], "remembered", "{outcome}");

    let devices: Value = app.call("list_devices", None).unwrap();
    let list = devices.as_array().unwrap();
    assert_eq!(list.len(), 1, "{devices}");
    assert_eq!(list[0]["isThisDevice"], true);
    assert_eq!(list[0]["remembered"], true);
    let key = list[0]["deviceKey"].as_str().unwrap().to_owned();
    assert!(time::OffsetDateTime::parse(
        list[0]["created"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339
    )
    .is_ok());

    // The next sign-in here skips the code.
    let mfa_codes = app.codes_sent(email, "mfa");
    app.call::<Value>("sign_out", None).unwrap();
    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    assert_eq!(outcome["device"], "remembered");
    assert_eq!(app.codes_sent(email, "mfa"), mfa_codes, "no code was sent");

    // Forgotten, it asks again.
    let forgotten: Value = app
        .call("forget_device", Some(json!({"deviceKey": null})))
        .unwrap();
    assert_eq!(forgotten, json!(key));
    assert_eq!(app.call::<Value>("list_devices", None).unwrap(), json!([]));
    app.call::<Value>("sign_out", None).unwrap();
    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(outcome["step"], "mfaCode", "{outcome}");
}

#[test]
fn several_factors_ask_for_a_choice_first() {
    let app = TestApp::start();
    let email = "sam@example.com";
    let username = signed_in_user(&app, email);
    let secret = enrol_totp(&app);
    // Both factors on, neither preferred (an administrator's setting).
    tauri::async_runtime::block_on(
        app.admin
            .admin_set_user_mfa_preference()
            .user_pool_id(&app.user_pool_id)
            .username(&username)
            .software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(false)
                    .build(),
            )
            .email_mfa_settings(
                EmailMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(false)
                    .build(),
            )
            .send(),
    )
    .unwrap();
    app.call::<Value>("sign_out", None).unwrap();

    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(outcome["step"], "selectMfa", "{outcome}");
    let mut options: Vec<String> = serde_json::from_value(outcome["options"].clone()).unwrap();
    options.sort();
    assert_eq!(options, ["email", "totp"]);

    let outcome: Value = app
        .call("choose_mfa", Some(json!({"kind": "totp"})))
        .unwrap();
    assert_eq!(
        outcome,
        json!({"step": "mfaCode", "kind": "totp", "delivery": null})
    );
    let outcome: Value = app
        .call(
            "answer_mfa_code",
            Some(json!({"code": totp_code(&secret, 1)})),
        )
        .unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
}

#[test]
fn a_temporary_password_is_replaced_at_the_first_sign_in() {
    let app = TestApp::start();
    let email = "nina@example.com";
    tauri::async_runtime::block_on(
        app.admin
            .admin_create_user()
            .user_pool_id(&app.user_pool_id)
            .username(email)
            .temporary_password("Temp-Pass-123")
            .message_action(MessageActionType::Suppress)
            .user_attributes(
                AttributeType::builder()
                    .name("email")
                    .value(email)
                    .build()
                    .unwrap(),
            )
            .user_attributes(
                AttributeType::builder()
                    .name("email_verified")
                    .value("true")
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .unwrap();

    let outcome = sign_in(&app, email, "Temp-Pass-123", false).unwrap();
    assert_eq!(outcome["step"], "newPassword", "{outcome}");
    assert!(outcome["requiredAttributes"].is_array(), "{outcome}");

    // A password the policy refuses keeps the step.
    let error = app
        .invoke_raw(
            "answer_new_password",
            Some(json!({"password": "short", "attributes": {}})),
        )
        .unwrap_err();
    assert_eq!(code(&error), "invalid_password");
    assert_eq!(error["stepKept"], true);

    let outcome: Value = app
        .call(
            "answer_new_password",
            Some(json!({"password": "Brand-New-Pass-7", "attributes": {"name": "Nina"}})),
        )
        .unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    app.call::<Value>("sign_out", None).unwrap();
    let outcome = sign_in(&app, email, "Brand-New-Pass-7", false).unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
}

#[test]
fn a_pool_that_requires_mfa_sets_up_the_authenticator_during_sign_in() {
    let app = TestApp::start();
    let email = "otto@example.com";
    signed_in_user(&app, email);
    app.call::<Value>("sign_out", None).unwrap();
    tauri::async_runtime::block_on(
        app.admin
            .set_user_pool_mfa_config()
            .user_pool_id(&app.user_pool_id)
            .mfa_configuration(UserPoolMfaType::On)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .send(),
    )
    .unwrap();

    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(outcome["step"], "setUpTotp", "{outcome}");
    let secret = outcome["setup"]["secret"].as_str().unwrap().to_owned();
    assert!(outcome["setup"]["qrSvg"].as_str().unwrap().contains("<svg"));

    let outcome = wrong_then_right_code(&app, "answer_totp_setup", &totp_code(&secret, 0));
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    let settings: Value = app.call("mfa_settings", None).unwrap();
    assert_eq!(settings["enabled"], json!(["totp"]));
}

#[test]
fn forgotten_and_changed_passwords() {
    let app = TestApp::start();
    let email = "pia@example.com";
    signed_in_user(&app, email);

    // Change: the current password is checked.
    let error = app
        .invoke_raw(
            "change_password",
            Some(json!({"currentPassword": "Wrong-Horse-9", "newPassword": "Other-Horse-8"})),
        )
        .unwrap_err();
    assert_eq!(code(&error), "wrong_username_or_password");
    app.call::<Value>(
        "change_password",
        Some(json!({"currentPassword": PASSWORD, "newPassword": "Other-Horse-8"})),
    )
    .unwrap();
    app.call::<Value>("sign_out", None).unwrap();
    let error = sign_in(&app, email, PASSWORD, false).unwrap_err();
    assert_eq!(code(&error), "wrong_username_or_password");

    // Forgot: a code by e-mail, then the new password.
    let delivery: Value = app
        .call("forgot_password", Some(json!({"username": email})))
        .unwrap();
    assert_eq!(delivery["medium"], "email", "{delivery}");
    let reset_code = app.latest_code(email, "forgot-password").unwrap();
    let error = app
        .invoke_raw(
            "confirm_forgot_password",
            Some(json!({"username": email, "code": wrong_code(&reset_code), "password": "Third-Horse-7"})),
        )
        .unwrap_err();
    assert_eq!(code(&error), "code_mismatch");
    app.call::<Value>(
        "confirm_forgot_password",
        Some(json!({"username": email, "code": reset_code, "password": "Third-Horse-7"})),
    )
    .unwrap();
    let outcome = sign_in(&app, email, "Third-Horse-7", false).unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
}

#[test]
fn account_commands_need_a_signed_in_user() {
    let app = TestApp::start();
    for command in ["mfa_settings", "list_devices", "begin_totp_setup"] {
        let error = app.invoke_raw(command, None).unwrap_err();
        assert_eq!(code(&error), "not_signed_in", "{command}");
    }
}
