//! Where MFA secrets may and may not appear: never in logs, error bodies or `Debug`; the TOTP
//! secret in the 0600 state file (Cognito must keep it too, to check codes), codes only hashed;
//! and everything MFA- and device-related survives a restart.

use std::sync::Arc;
use std::time::Duration;

use local_cloud::totp::{code_at, TotpSecret};
use local_cloud::Clock as _;
use reqwest::StatusCode;
use serde_json::json;

use crate::mfa::{answer, contact_user, enrol_totp, mfa_pool, password_sign_in};
use crate::support::{assert_error, captured_logs, TestCloud};

#[tokio::test]
async fn codes_and_totp_secrets_stay_out_of_logs_errors_and_debug_and_survive_restarts() {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let clock = local_cloud::ManualClock::new(crate::support::now_seconds());
    let cloud = TestCloud::start_in(Arc::clone(&dir), clock.clone()).await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}, "SmsMfaConfiguration": {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns"}}}),
        json!({}),
    )
    .await;
    contact_user(&cloud, &pool_id, "ria").await;
    let secret = enrol_totp(&cloud, &client, "ria").await;
    assert_eq!(format!("{secret:?}"), "[redacted]");

    // An SMS code, answered wrong once: the error body does not echo it.
    let (status, body) = cloud
        .admin("AdminSetUserMFAPreference", json!({"UserPoolId": pool_id, "Username": "ria", "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, challenge) = password_sign_in(&cloud, &client, "ria", json!({})).await;
    assert_eq!(challenge["ChallengeName"], "SMS_MFA");
    let sms_code = cloud.last_code(crate::mfa::PHONE).await;
    let typo = format!(
        "{:06}",
        (sms_code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    let wrong = answer(
        &cloud,
        &client,
        "SMS_MFA",
        &challenge["Session"],
        json!({"USERNAME": "ria", "SMS_MFA_CODE": typo}),
    )
    .await;
    assert_error(&wrong, "CodeMismatchException", None);
    assert!(!wrong.1.to_string().contains(&typo));
    let (status, _) = answer(
        &cloud,
        &client,
        "SMS_MFA",
        &challenge["Session"],
        json!({"USERNAME": "ria", "SMS_MFA_CODE": sms_code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap_or_else(|e| e.into_inner()))
        .into_owned();
    assert!(!logs.is_empty());
    for secret_text in [secret.expose(), sms_code.as_str()] {
        assert!(!logs.contains(secret_text), "a secret reached the log");
    }
    let state = std::fs::read_to_string(dir.path().join("state.json")).expect("state");
    assert!(
        state.contains(secret.expose()),
        "the TOTP secret is kept, as Cognito keeps it"
    );
    assert!(
        !state.contains(&format!("\"{sms_code}\"")),
        "codes are stored hashed"
    );

    // Restart: the pool's MFA settings and the user's authenticator are still there.
    let admin = cloud.cloud.admin_credentials().clone();
    cloud.cloud.shutdown().await;
    let cloud = TestCloud::start_in(dir, clock).await;
    assert_eq!(
        cloud.cloud.admin_credentials().access_key_id,
        admin.access_key_id
    );
    let (_, config) = cloud
        .admin("GetUserPoolMfaConfig", json!({"UserPoolId": pool_id}))
        .await;
    assert_eq!(config["SoftwareTokenMfaConfiguration"]["Enabled"], true);
    let (status, body) = cloud
        .admin("AdminSetUserMFAPreference", json!({"UserPoolId": pool_id, "Username": "ria", "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    cloud.clock.advance(Duration::from_secs(30));
    let (_, challenge) = password_sign_in(&cloud, &client, "ria", json!({})).await;
    assert_eq!(challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let code = code_at(
        &TotpSecret::from_base32(secret.expose().to_owned()),
        cloud.clock.now(),
    )
    .expect("code");
    let (status, done) = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &challenge["Session"],
        json!({"USERNAME": "ria", "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
}
