//! Setting up a second factor during sign-in, when the pool requires MFA and the user has
//! none (Cognito's MFA_SETUP): choosing what to set up, then an e-mail address or an
//! authenticator app, through Tauri's IPC against the local cloud's demo pool with MFA
//! required and both factors on.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, EmailMfaConfigType, MessageActionType, SoftwareTokenMfaConfigType,
    UserPoolMfaType,
};
use serde_json::{json, Value};

use super::harness::{code, totp_code, TestApp};
use super::mfa::{assert_emailed_code_step, sign_in, wrong_then_right_code, PASSWORD};

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("name is set")
}

/// Requires MFA in the demo pool with the authenticator app and e-mail offered, and creates
/// a confirmed user (permanent password) whose e-mail, the username, is not verified: no
/// factor is usable yet, so the sign-in asks to set one up.
fn mfa_required_and_a_user_without_factors(app: &TestApp, email: &str) {
    tauri::async_runtime::block_on(async {
        app.admin
            .set_user_pool_mfa_config()
            .user_pool_id(&app.user_pool_id)
            .mfa_configuration(UserPoolMfaType::On)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .email_mfa_configuration(EmailMfaConfigType::builder().build())
            .send()
            .await
            .expect("SetUserPoolMfaConfig");
        app.admin
            .admin_create_user()
            .user_pool_id(&app.user_pool_id)
            .username(email)
            .message_action(MessageActionType::Suppress)
            .user_attributes(attribute("email", email))
            .user_attributes(attribute("email_verified", "false"))
            .send()
            .await
            .expect("AdminCreateUser");
        app.admin
            .admin_set_user_password()
            .user_pool_id(&app.user_pool_id)
            .username(email)
            .password(PASSWORD)
            .permanent(true)
            .send()
            .await
            .expect("AdminSetUserPassword");
    });
}

/// Asserts a refused answer kept its step, and returns the error's code.
fn refused_and_kept(error: &Value) -> &str {
    assert_eq!(error["stepKept"], true, "{error}");
    code(error)
}

#[test]
fn email_mfa_is_chosen_and_set_up_during_sign_in() {
    let app = TestApp::start();
    // Another account already has this address (it is its username).
    let taken = "olga@example.com";
    app.sign_up_and_confirm(taken, PASSWORD);
    let email = "ines@example.com";
    mfa_required_and_a_user_without_factors(&app, email);

    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(
        outcome,
        json!({"step": "selectMfaSetup", "options": ["totp", "email"]})
    );

    // A factor that is not offered, or the answer of another step, keeps the choice waiting.
    let error = app
        .invoke_raw("choose_mfa_setup", Some(json!({"kind": "sms"})))
        .unwrap_err();
    assert_eq!(refused_and_kept(&error), "invalid_parameter");
    let error = app
        .invoke_raw("answer_email_mfa_setup", Some(json!({"email": email})))
        .unwrap_err();
    assert_eq!(refused_and_kept(&error), "wrong_step");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("choose_mfa_setup"),
        "{error}"
    );

    let outcome: Value = app
        .call("choose_mfa_setup", Some(json!({"kind": "email"})))
        .unwrap();
    assert_eq!(outcome, json!({"step": "setUpEmailMfa"}));

    // Addresses the pool refuses keep the step, and no code is sent.
    let error = app
        .invoke_raw(
            "answer_email_mfa_setup",
            Some(json!({"email": "not an address"})),
        )
        .unwrap_err();
    assert_eq!(refused_and_kept(&error), "invalid_parameter");
    let error = app
        .invoke_raw("answer_email_mfa_setup", Some(json!({"email": taken})))
        .unwrap_err();
    assert_eq!(refused_and_kept(&error), "username_exists");
    assert_eq!(
        app.codes_sent(email, "mfa") + app.codes_sent(taken, "mfa"),
        0
    );

    let outcome: Value = app
        .call(
            "answer_email_mfa_setup",
            Some(json!({"email": format!(" {email} ")})),
        )
        .unwrap();
    assert_emailed_code_step(&outcome, email);

    let mailed = app
        .latest_code(email, "mfa")
        .expect("a code mailed to the address given");
    let outcome = wrong_then_right_code(&app, "answer_mfa_code", &mailed);
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    assert_eq!(outcome["who"]["email"], email);
    let settings: Value = app.call("mfa_settings", None).unwrap();
    assert_eq!(settings["enabled"], json!(["email"]), "{settings}");

    // From now on the sign-in mails a code straight away.
    app.call::<Value>("sign_out", None).unwrap();
    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_emailed_code_step(&outcome, email);
    assert_eq!(app.codes_sent(email, "mfa"), 2);
}

#[test]
fn choosing_the_authenticator_app_leads_to_its_setup() {
    let app = TestApp::start();
    let email = "tara@example.com";
    mfa_required_and_a_user_without_factors(&app, email);

    let outcome = sign_in(&app, email, PASSWORD, false).unwrap();
    assert_eq!(outcome["step"], "selectMfaSetup", "{outcome}");
    let outcome: Value = app
        .call("choose_mfa_setup", Some(json!({"kind": "totp"})))
        .unwrap();
    assert_eq!(outcome["step"], "setUpTotp", "{outcome}");
    let secret = outcome["setup"]["secret"].as_str().unwrap().to_owned();
    assert!(outcome["setup"]["qrSvg"].as_str().unwrap().contains("<svg"));

    // The choice is used up: the authenticator's first code is what the sign-in waits for.
    let error = app
        .invoke_raw("choose_mfa_setup", Some(json!({"kind": "email"})))
        .unwrap_err();
    assert_eq!(refused_and_kept(&error), "wrong_step");
    let outcome: Value = app
        .call(
            "answer_totp_setup",
            Some(json!({"code": totp_code(&secret, 0)})),
        )
        .unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    let settings: Value = app.call("mfa_settings", None).unwrap();
    assert_eq!(settings["enabled"], json!(["totp"]), "{settings}");
}
