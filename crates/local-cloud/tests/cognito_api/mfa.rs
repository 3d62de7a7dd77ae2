//! MFA over loopback HTTP: TOTP (association, verification, ±1 step, no reuse), SMS_MFA and
//! EMAIL_OTP through the outbox, SELECT_MFA_TYPE, MFA_SETUP, and every way a challenge Session
//! can be wrong (bogus, expired, replayed, another user's, another client's, too many codes).

use std::time::Duration;

use local_cloud::totp::{code_at, TotpSecret};
use local_cloud::Clock as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{assert_error, TestCloud, PASSWORD};

pub const PHONE: &str = "+15555550123";

/// A pool with the given MFA config and a client allowing USER_PASSWORD_AUTH.
pub async fn mfa_pool(cloud: &TestCloud, mfa: Value, extra_pool: Value) -> (String, String) {
    let mut pool = json!({"PoolName": "mfa-pool", "AutoVerifiedAttributes": ["email"]});
    crate::support::merge(&mut pool, extra_pool);
    let (status, body) = cloud.admin("CreateUserPool", pool).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pool_id = body["UserPool"]["Id"].as_str().expect("id").to_owned();
    let mut config = json!({"UserPoolId": pool_id});
    crate::support::merge(&mut config, mfa);
    let (status, body) = cloud.admin("SetUserPoolMfaConfig", config).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let client = new_client(cloud, &pool_id).await;
    (pool_id, client)
}

pub async fn new_client(cloud: &TestCloud, pool_id: &str) -> String {
    let (status, body) = cloud
        .admin(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client")
        .to_owned()
}

/// A confirmed user with a verified e-mail and phone number.
pub async fn contact_user(cloud: &TestCloud, pool_id: &str, username: &str) {
    let (status, body) = cloud
        .admin(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS", "UserAttributes": [
                {"Name": "email", "Value": format!("{username}@example.com")},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "phone_number", "Value": PHONE},
                {"Name": "phone_number_verified", "Value": "true"},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = cloud
        .admin("AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub async fn password_sign_in(
    cloud: &TestCloud,
    client: &str,
    username: &str,
    extra: Value,
) -> (StatusCode, Value) {
    let mut params = json!({"USERNAME": username, "PASSWORD": PASSWORD});
    crate::support::merge(&mut params, extra);
    cloud
        .call(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params}),
        )
        .await
}

pub async fn answer(
    cloud: &TestCloud,
    client: &str,
    name: &str,
    session: &Value,
    responses: Value,
) -> (StatusCode, Value) {
    cloud
        .call("RespondToAuthChallenge", json!({"ClientId": client, "ChallengeName": name, "Session": session, "ChallengeResponses": responses}))
        .await
}

pub fn access_token(body: &Value) -> String {
    body["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("tokens expected: {body}"))
        .to_owned()
}

/// Signs in without MFA, associates and verifies a TOTP authenticator, and turns it on as the
/// preferred factor. Returns the secret.
pub async fn enrol_totp(cloud: &TestCloud, client: &str, username: &str) -> TotpSecret {
    let (status, body) = password_sign_in(cloud, client, username, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = access_token(&body);
    let (status, body) = cloud
        .call("AssociateSoftwareToken", json!({"AccessToken": token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("Session").is_none());
    let secret = TotpSecret::from_base32(body["SecretCode"].as_str().expect("secret").to_owned());
    assert_eq!(secret.expose().len(), 32, "160 bits in base32");

    let wrong = wrong_code(&secret, cloud);
    let refused = cloud
        .call(
            "VerifySoftwareToken",
            json!({"AccessToken": token, "UserCode": wrong}),
        )
        .await;
    assert_error(&refused, "EnableSoftwareTokenMFAException", None);
    let code = code_at(&secret, cloud.clock.now()).expect("code");
    let (status, body) = cloud
        .call(
            "VerifySoftwareToken",
            json!({"AccessToken": token, "UserCode": code, "FriendlyDeviceName": "phone"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Status"], "SUCCESS");
    let (status, body) = cloud
        .call("SetUserMFAPreference", json!({"AccessToken": token, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, user) = cloud.call("GetUser", json!({"AccessToken": token})).await;
    assert_eq!(user["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert_eq!(user["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    // The verification used this step; move on so sign-ins get a fresh one.
    cloud.clock.advance(Duration::from_secs(30));
    secret
}

/// A six-digit code that is not valid for any of the three accepted steps.
pub fn wrong_code(secret: &TotpSecret, cloud: &TestCloud) -> String {
    let now = cloud.clock.now();
    let valid: Vec<String> = [-30i64, 0, 30]
        .iter()
        .map(|s| code_at(secret, now + time::Duration::seconds(*s)).expect("code"))
        .collect();
    (0..1_000_000u32)
        .map(|n| format!("{:06}", (n * 7919 + 12345) % 1_000_000))
        .find(|c| !valid.contains(c))
        .expect("a wrong code")
}

#[tokio::test]
async fn totp_sign_in_with_wrong_code_retry_and_no_reuse() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        json!({}),
    )
    .await;
    contact_user(&cloud, &pool_id, "tina").await;
    let secret = enrol_totp(&cloud, &client, "tina").await;

    let (status, challenge) = password_sign_in(&cloud, &client, "tina", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert!(challenge.get("AuthenticationResult").is_none());
    let session = challenge["Session"].clone();

    let wrong = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &session,
        json!({"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": wrong_code(&secret, &cloud)}),
    )
    .await;
    assert_error(
        &wrong,
        "CodeMismatchException",
        Some("Invalid code or auth state for the user."),
    );
    let code = code_at(&secret, cloud.clock.now()).expect("code");
    let (status, done) = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &session,
        json!({"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the session survives one wrong code: {done}"
    );
    access_token(&done);

    let replay = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &session,
        json!({"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .await;
    assert_error(&replay, "NotAuthorizedException", None);

    let (_, again) = password_sign_in(&cloud, &client, "tina", json!({})).await;
    let reuse = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &again["Session"],
        json!({"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .await;
    assert_error(&reuse, "CodeMismatchException", None);
}

#[tokio::test]
async fn totp_accepts_one_step_of_skew_but_not_two() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        json!({}),
    )
    .await;
    contact_user(&cloud, &pool_id, "sam").await;
    let secret = enrol_totp(&cloud, &client, "sam").await;
    let at = |cloud: &TestCloud, seconds: i64| {
        code_at(
            &secret,
            cloud.clock.now() + time::Duration::seconds(seconds),
        )
        .expect("code")
    };
    let attempt = |code: String| {
        let cloud = &cloud;
        let client = client.clone();
        async move {
            let (_, challenge) = password_sign_in(cloud, &client, "sam", json!({})).await;
            answer(
                cloud,
                &client,
                "SOFTWARE_TOKEN_MFA",
                &challenge["Session"],
                json!({"USERNAME": "sam", "SOFTWARE_TOKEN_MFA_CODE": code}),
            )
            .await
        }
    };
    // One step ahead (a fast phone clock).
    let (status, body) = attempt(at(&cloud, 30)).await;
    assert_eq!(status, StatusCode::OK, "+1 step: {body}");
    cloud.clock.advance(Duration::from_secs(90));
    // One step behind (a slow phone clock).
    let (status, body) = attempt(at(&cloud, -30)).await;
    assert_eq!(status, StatusCode::OK, "-1 step: {body}");
    cloud.clock.advance(Duration::from_secs(120));
    assert_error(
        &attempt(at(&cloud, -60)).await,
        "CodeMismatchException",
        None,
    );
    assert_error(
        &attempt(at(&cloud, 60)).await,
        "CodeMismatchException",
        None,
    );
    let (status, body) = attempt(at(&cloud, 0)).await;
    assert_eq!(status, StatusCode::OK, "current step: {body}");
}

#[tokio::test]
async fn sessions_are_bound_single_use_and_expiring() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        json!({}),
    )
    .await;
    let other_client = new_client(&cloud, &pool_id).await;
    contact_user(&cloud, &pool_id, "ann").await;
    contact_user(&cloud, &pool_id, "bob").await;
    let ann = enrol_totp(&cloud, &client, "ann").await;
    let bob = enrol_totp(&cloud, &client, "bob").await;
    let code = |secret: &TotpSecret| code_at(secret, cloud.clock.now()).expect("code");

    // Bogus.
    let bogus = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &json!("bm90IGEgc2Vzc2lvbg=="),
        json!({"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": code(&ann)}),
    )
    .await;
    assert_error(
        &bogus,
        "NotAuthorizedException",
        Some("Invalid session for the user."),
    );

    // Another user's session, answered with a valid code of this user.
    let (_, bobs) = password_sign_in(&cloud, &client, "bob", json!({})).await;
    let stolen = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &bobs["Session"],
        json!({"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": code(&ann)}),
    )
    .await;
    assert_error(&stolen, "NotAuthorizedException", None);

    // Another client's session.
    let (_, anns) = password_sign_in(&cloud, &other_client, "ann", json!({})).await;
    let crossed = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &anns["Session"],
        json!({"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": code(&ann)}),
    )
    .await;
    assert_error(&crossed, "NotAuthorizedException", None);

    // Expired after four minutes (AuthSessionValidity is three).
    let (_, late) = password_sign_in(&cloud, &client, "bob", json!({})).await;
    cloud.clock.advance(Duration::from_secs(240));
    let expired = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &late["Session"],
        json!({"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": code(&bob)}),
    )
    .await;
    assert_error(
        &expired,
        "NotAuthorizedException",
        Some("Invalid session for the user, session is expired."),
    );

    // Three wrong codes end the session, even for the right code afterwards.
    let (_, tries) = password_sign_in(&cloud, &client, "bob", json!({})).await;
    for _ in 0..3 {
        let wrong = answer(
            &cloud,
            &client,
            "SOFTWARE_TOKEN_MFA",
            &tries["Session"],
            json!({"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": wrong_code(&bob, &cloud)}),
        )
        .await;
        assert_error(&wrong, "CodeMismatchException", None);
    }
    let locked = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &tries["Session"],
        json!({"USERNAME": "bob", "SOFTWARE_TOKEN_MFA_CODE": code(&bob)}),
    )
    .await;
    assert_error(&locked, "NotAuthorizedException", None);
}

#[tokio::test]
async fn mfa_setup_when_the_pool_requires_mfa() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        json!({}),
    )
    .await;
    cloud.admin_user(&pool_id, "nina", PASSWORD).await;

    let (status, challenge) = password_sign_in(&cloud, &client, "nina", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(challenge["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        challenge["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    let early = answer(
        &cloud,
        &client,
        "MFA_SETUP",
        &challenge["Session"],
        json!({"USERNAME": "nina"}),
    )
    .await;
    assert_error(&early, "InvalidParameterException", None);

    let (status, associated) = cloud
        .call(
            "AssociateSoftwareToken",
            json!({"Session": challenge["Session"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{associated}");
    let secret = TotpSecret::from_base32(
        associated["SecretCode"]
            .as_str()
            .expect("secret")
            .to_owned(),
    );
    assert_ne!(associated["Session"], challenge["Session"], "a new session");
    let reused = cloud
        .call(
            "AssociateSoftwareToken",
            json!({"Session": challenge["Session"]}),
        )
        .await;
    assert_error(&reused, "NotAuthorizedException", None);

    let wrong = cloud
        .call(
            "VerifySoftwareToken",
            json!({"Session": associated["Session"], "UserCode": wrong_code(&secret, &cloud)}),
        )
        .await;
    assert_error(&wrong, "EnableSoftwareTokenMFAException", None);
    let code = code_at(&secret, cloud.clock.now()).expect("code");
    let (status, verified) = cloud
        .call(
            "VerifySoftwareToken",
            json!({"Session": associated["Session"], "UserCode": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{verified}");
    assert_eq!(verified["Status"], "SUCCESS");

    let (status, done) = answer(
        &cloud,
        &client,
        "MFA_SETUP",
        &verified["Session"],
        json!({"USERNAME": "nina"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    access_token(&done);
    let (_, user) = cloud
        .admin(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": "nina"}),
        )
        .await;
    assert_eq!(user["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));

    cloud.clock.advance(Duration::from_secs(30));
    let (_, next) = password_sign_in(&cloud, &client, "nina", json!({})).await;
    assert_eq!(
        next["ChallengeName"], "SOFTWARE_TOKEN_MFA",
        "set up once, challenged after"
    );
}

#[tokio::test]
async fn select_mfa_type_then_sms_and_email_codes_from_the_outbox() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OPTIONAL", "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns"}}, "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Sign-in"}}),
        json!({}),
    )
    .await;
    let (_, config) = cloud
        .admin("GetUserPoolMfaConfig", json!({"UserPoolId": pool_id}))
        .await;
    assert_eq!(config["MfaConfiguration"], "OPTIONAL");
    assert_eq!(config["SoftwareTokenMfaConfiguration"]["Enabled"], false);
    assert_eq!(
        config["SmsMfaConfiguration"]["SmsAuthenticationMessage"],
        "Code {####}"
    );
    contact_user(&cloud, &pool_id, "sel").await;
    let (status, body) = cloud
        .admin("AdminSetUserMFAPreference", json!({"UserPoolId": pool_id, "Username": "sel", "SMSMfaSettings": {"Enabled": true}, "EmailMfaSettings": {"Enabled": true}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, select) = password_sign_in(&cloud, &client, "sel", json!({})).await;
    assert_eq!(select["ChallengeName"], "SELECT_MFA_TYPE", "{select}");
    assert_eq!(
        select["ChallengeParameters"]["MFAS_CAN_CHOOSE"],
        "[\"SMS_MFA\",\"EMAIL_OTP\"]"
    );
    let bad = answer(
        &cloud,
        &client,
        "SELECT_MFA_TYPE",
        &select["Session"],
        json!({"USERNAME": "sel", "ANSWER": "SOFTWARE_TOKEN_MFA"}),
    )
    .await;
    assert_error(&bad, "InvalidParameterException", None);
    let (status, sms) = answer(
        &cloud,
        &client,
        "SELECT_MFA_TYPE",
        &select["Session"],
        json!({"USERNAME": "sel", "ANSWER": "SMS_MFA"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sms}");
    assert_eq!(sms["ChallengeName"], "SMS_MFA");
    assert_eq!(
        sms["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    assert_eq!(
        sms["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "+*******0123"
    );
    let outbox = cloud.outbox().await;
    let message = outbox.last().expect("a text");
    assert_eq!(message["channel"], "sms");
    assert_eq!(message["purpose"], "mfa");
    assert_eq!(message["destination"], PHONE);
    let code = message["code"].as_str().expect("code").to_owned();
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    let mismatch = answer(
        &cloud,
        &client,
        "SMS_MFA",
        &sms["Session"],
        json!({"USERNAME": "sel", "SMS_MFA_CODE": wrong}),
    )
    .await;
    assert_error(&mismatch, "CodeMismatchException", None);
    let (status, done) = answer(
        &cloud,
        &client,
        "SMS_MFA",
        &sms["Session"],
        json!({"USERNAME": "sel", "SMS_MFA_CODE": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let token = access_token(&done);

    let (status, body) = cloud
        .call("SetUserMFAPreference", json!({"AccessToken": token, "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, email) = password_sign_in(&cloud, &client, "sel", json!({})).await;
    assert_eq!(
        email["ChallengeName"], "EMAIL_OTP",
        "the preferred factor is asked directly"
    );
    assert_eq!(
        email["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "EMAIL"
    );
    let code = cloud.last_code("sel@example.com").await;
    let outbox = cloud.outbox().await;
    assert_eq!(outbox.last().expect("mail")["purpose"], "mfa");
    let (status, done) = answer(
        &cloud,
        &client,
        "EMAIL_OTP",
        &email["Session"],
        json!({"USERNAME": "sel", "EMAIL_OTP_CODE": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    access_token(&done);
}

#[tokio::test]
async fn mfa_preferences_need_a_verified_factor_and_the_pool_config_is_validated() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        json!({}),
    )
    .await;
    cloud.admin_user(&pool_id, "plain", PASSWORD).await;
    let (_, body) = password_sign_in(&cloud, &client, "plain", json!({})).await;
    let token = access_token(&body);
    let totp = cloud
        .call(
            "SetUserMFAPreference",
            json!({"AccessToken": token, "SoftwareTokenMfaSettings": {"Enabled": true}}),
        )
        .await;
    assert_error(
        &totp,
        "InvalidParameterException",
        Some("User has not verified software token mfa"),
    );
    let sms = cloud
        .call(
            "SetUserMFAPreference",
            json!({"AccessToken": token, "SMSMfaSettings": {"Enabled": true}}),
        )
        .await;
    assert_error(&sms, "InvalidParameterException", None);
    let none = cloud
        .call(
            "VerifySoftwareToken",
            json!({"AccessToken": token, "UserCode": "123456"}),
        )
        .await;
    assert_error(&none, "SoftwareTokenMFANotFoundException", None);

    let off = cloud
        .admin(
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": pool_id, "MfaConfiguration": "ON"}),
        )
        .await;
    assert_error(&off, "InvalidParameterException", None);
    let refused = cloud
        .admin(
            "CreateUserPool",
            json!({"PoolName": "p", "MfaConfiguration": "ON"}),
        )
        .await;
    assert_error(&refused, "InvalidParameterException", None);
    let (status, created) = cloud
        .admin("CreateUserPool", json!({"PoolName": "p", "MfaConfiguration": "OPTIONAL", "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["UserPool"]["MfaConfiguration"], "OPTIONAL");
}

#[tokio::test]
async fn mfa_setup_with_an_email_address_when_the_pool_offers_email_mfa() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "ON",
               "SmsMfaConfiguration": {"SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sms"}},
               "SoftwareTokenMfaConfiguration": {"Enabled": true},
               "EmailMfaConfiguration": {}}),
        json!({}),
    )
    .await;
    cloud.admin_user(&pool_id, "olga", PASSWORD).await;

    let (status, challenge) = password_sign_in(&cloud, &client, "olga", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(challenge["ChallengeName"], "MFA_SETUP");
    // Every factor the pool offers, in Cognito's order.
    assert_eq!(
        challenge["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"
    );
    let session = &challenge["Session"];

    // A malformed address is refused and the session survives it.
    let bad = answer(
        &cloud,
        &client,
        "MFA_SETUP",
        session,
        json!({"USERNAME": "olga", "EMAIL": "not-an-address"}),
    )
    .await;
    assert_error(&bad, "InvalidParameterException", None);

    let (status, otp) = answer(
        &cloud,
        &client,
        "MFA_SETUP",
        session,
        json!({"USERNAME": "olga", "EMAIL": "olga@example.org"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{otp}");
    assert_eq!(otp["ChallengeName"], "EMAIL_OTP", "{otp}");
    let params = &otp["ChallengeParameters"];
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    let masked = params["CODE_DELIVERY_DESTINATION"]
        .as_str()
        .expect("masked");
    assert!(
        masked.contains('*') && !masked.contains("olga@"),
        "{masked}"
    );
    let code = cloud.last_code("olga@example.org").await;
    // Not the user's address until the code comes back.
    let (_, before) = cloud
        .admin(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": "olga"}),
        )
        .await;
    assert!(
        !before["UserAttributes"]
            .to_string()
            .contains("olga@example.org"),
        "{before}"
    );

    let wrong = format!(
        "{}{}",
        if code.starts_with('9') { '0' } else { '9' },
        &code[1..]
    );
    let mismatch = answer(
        &cloud,
        &client,
        "EMAIL_OTP",
        &otp["Session"],
        json!({"USERNAME": "olga", "EMAIL_OTP_CODE": wrong}),
    )
    .await;
    assert_error(
        &mismatch,
        "CodeMismatchException",
        Some("Invalid code or auth state for the user."),
    );
    let (status, done) = answer(
        &cloud,
        &client,
        "EMAIL_OTP",
        &otp["Session"],
        json!({"USERNAME": "olga", "EMAIL_OTP_CODE": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    access_token(&done);

    // The address is the user's, verified, with e-mail MFA on: the next sign-in mails a code.
    let (_, user) = cloud
        .admin(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": "olga"}),
        )
        .await;
    let attributes = user["UserAttributes"].as_array().expect("attributes");
    assert!(attributes.contains(&json!({"Name": "email", "Value": "olga@example.org"})));
    assert!(attributes.contains(&json!({"Name": "email_verified", "Value": "true"})));
    assert_eq!(user["UserMFASettingList"], json!(["EMAIL_OTP"]), "{user}");
    let (_, next) = password_sign_in(&cloud, &client, "olga", json!({})).await;
    assert_eq!(next["ChallengeName"], "EMAIL_OTP", "{next}");
}

#[tokio::test]
async fn mfa_setup_refuses_an_email_when_the_pool_has_no_email_mfa() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        json!({}),
    )
    .await;
    cloud.admin_user(&pool_id, "pia", PASSWORD).await;
    let (_, challenge) = password_sign_in(&cloud, &client, "pia", json!({})).await;
    let refused = answer(
        &cloud,
        &client,
        "MFA_SETUP",
        &challenge["Session"],
        json!({"USERNAME": "pia", "EMAIL": "pia@example.org"}),
    )
    .await;
    assert_error(&refused, "InvalidParameterException", None);
    assert!(cloud
        .outbox()
        .await
        .iter()
        .all(|m| m["destination"] != "pia@example.org"));
}
