//! Remembered devices: NewDeviceMetadata → ConfirmDevice → UpdateDeviceStatus, then
//! DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER skipping MFA; a wrong device proof and a
//! forgotten device do not.

use std::time::Duration;

use local_cloud::totp::{code_at, TotpSecret};
use local_cloud::Clock as _;
use rand::rngs::OsRng;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::mfa::{access_token, answer, contact_user, enrol_totp, mfa_pool, password_sign_in};
use crate::support::{assert_error, TestCloud};

struct RememberedDevice {
    key: String,
    group_key: String,
    password: String,
}

async fn sign_in_with_totp(
    cloud: &TestCloud,
    client: &str,
    secret: &TotpSecret,
    extra: Value,
) -> Value {
    cloud.clock.advance(Duration::from_secs(30));
    let (status, challenge) = password_sign_in(cloud, client, "dev", extra).await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(
        challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA",
        "{challenge}"
    );
    let code = code_at(secret, cloud.clock.now()).expect("code");
    let (status, done) = answer(
        cloud,
        client,
        "SOFTWARE_TOKEN_MFA",
        &challenge["Session"],
        json!({"USERNAME": "dev", "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    done
}

/// Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with `password`.
async fn device_proof(
    cloud: &TestCloud,
    client: &str,
    challenge: &Value,
    device: &RememberedDevice,
    password: &str,
) -> (StatusCode, Value) {
    let ephemeral = cognito_srp::ClientEphemeral::generate(&mut OsRng);
    let (status, verifier) = answer(
        cloud,
        client,
        "DEVICE_SRP_AUTH",
        &challenge["Session"],
        json!({"USERNAME": "dev", "DEVICE_KEY": device.key, "SRP_A": ephemeral.srp_a_hex()}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{verifier}");
    assert_eq!(verifier["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
    let params = &verifier["ChallengeParameters"];
    assert_eq!(params["DEVICE_KEY"], device.key.as_str());
    let claim = ephemeral
        .password_claim(
            cognito_srp::Identity::Device {
                device_group_key: &device.group_key,
                device_key: &device.key,
            },
            password,
            params["SALT"].as_str().expect("SALT"),
            params["SRP_B"].as_str().expect("SRP_B"),
            params["SECRET_BLOCK"].as_str().expect("SECRET_BLOCK"),
            cloud.clock.now(),
        )
        .expect("claim");
    answer(
        cloud,
        client,
        "DEVICE_PASSWORD_VERIFIER",
        &verifier["Session"],
        json!({"USERNAME": "dev", "DEVICE_KEY": device.key, "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": claim.signature_b64, "TIMESTAMP": claim.timestamp}),
    )
    .await
}

#[tokio::test]
async fn a_remembered_device_skips_mfa_until_it_is_forgotten() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        json!({"DeviceConfiguration": {"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": true}}),
    )
    .await;
    contact_user(&cloud, &pool_id, "dev").await;
    let secret = enrol_totp(&cloud, &client, "dev").await;

    let done = sign_in_with_totp(&cloud, &client, &secret, json!({})).await;
    let metadata = &done["AuthenticationResult"]["NewDeviceMetadata"];
    let key = metadata["DeviceKey"]
        .as_str()
        .expect("DeviceKey")
        .to_owned();
    assert!(key.starts_with("us-east-1_"), "{key}");
    let device = RememberedDevice {
        key,
        group_key: metadata["DeviceGroupKey"]
            .as_str()
            .expect("DeviceGroupKey")
            .to_owned(),
        password: cognito_srp::generate_device_password(&mut OsRng),
    };
    let token = access_token(&done);
    let config = cognito_srp::device_verifier_config(
        &device.group_key,
        &device.key,
        &device.password,
        &cognito_srp::generate_salt(&mut OsRng),
    );
    let (status, confirmed) = cloud
        .call("ConfirmDevice", json!({"AccessToken": token, "DeviceKey": device.key, "DeviceName": "laptop", "DeviceSecretVerifierConfig": {"PasswordVerifier": config.password_verifier_b64, "Salt": config.salt_b64}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["UserConfirmationNecessary"], true);
    let unknown = cloud.call("ConfirmDevice", json!({"AccessToken": token, "DeviceKey": "us-east-1_nope", "DeviceSecretVerifierConfig": {"PasswordVerifier": config.password_verifier_b64, "Salt": config.salt_b64}})).await;
    assert_error(&unknown, "ResourceNotFoundException", None);

    // Confirmed but not yet remembered: MFA still applies, and no new metadata is handed out.
    let done = sign_in_with_totp(&cloud, &client, &secret, json!({"DEVICE_KEY": device.key})).await;
    assert!(
        done["AuthenticationResult"]
            .get("NewDeviceMetadata")
            .is_none(),
        "{done}"
    );

    let (status, body) = cloud.call("UpdateDeviceStatus", json!({"AccessToken": token, "DeviceKey": device.key, "DeviceRememberedStatus": "remembered"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, listed) = cloud
        .call("ListDevices", json!({"AccessToken": token}))
        .await;
    let devices = listed["Devices"].as_array().expect("devices");
    assert_eq!(devices.len(), 1, "{listed}");
    assert_eq!(devices[0]["DeviceKey"], device.key.as_str());
    let attrs = &devices[0]["DeviceAttributes"];
    assert!(
        attrs
            .as_array()
            .expect("attrs")
            .iter()
            .any(|a| a["Name"] == "dev:device_remembered_status" && a["Value"] == "remembered"),
        "{attrs}"
    );
    assert!(
        attrs
            .as_array()
            .expect("attrs")
            .iter()
            .any(|a| a["Name"] == "device_name" && a["Value"] == "laptop"),
        "{attrs}"
    );
    let (status, got) = cloud
        .call(
            "GetDevice",
            json!({"AccessToken": token, "DeviceKey": device.key}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");

    // Remembered: the device proof replaces MFA.
    let (_, challenge) =
        password_sign_in(&cloud, &client, "dev", json!({"DEVICE_KEY": device.key})).await;
    assert_eq!(challenge["ChallengeName"], "DEVICE_SRP_AUTH", "{challenge}");
    let (status, done) = device_proof(&cloud, &client, &challenge, &device, &device.password).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    access_token(&done);
    assert!(done["AuthenticationResult"]
        .get("NewDeviceMetadata")
        .is_none());

    // A wrong device password is refused.
    let (_, challenge) =
        password_sign_in(&cloud, &client, "dev", json!({"DEVICE_KEY": device.key})).await;
    let wrong = device_proof(
        &cloud,
        &client,
        &challenge,
        &device,
        "not-the-device-password",
    )
    .await;
    assert_error(
        &wrong,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );

    // Forgotten: the key is refused as AWS refuses it, and without it MFA is back.
    let (status, body) = cloud
        .call(
            "ForgetDevice",
            json!({"AccessToken": token, "DeviceKey": device.key}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refused = password_sign_in(&cloud, &client, "dev", json!({"DEVICE_KEY": device.key})).await;
    assert_error(
        &refused,
        "ResourceNotFoundException",
        Some("Device does not exist."),
    );
    let done = sign_in_with_totp(&cloud, &client, &secret, json!({})).await;
    assert!(
        done["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"].is_string(),
        "a new device key: {done}"
    );
    let gone = cloud
        .call(
            "GetDevice",
            json!({"AccessToken": token, "DeviceKey": device.key}),
        )
        .await;
    assert_error(&gone, "ResourceNotFoundException", None);
    let (_, admin_list) = cloud
        .admin(
            "AdminListDevices",
            json!({"UserPoolId": pool_id, "Username": "dev"}),
        )
        .await;
    assert_eq!(admin_list["Devices"], json!([]));
}

#[tokio::test]
async fn without_challenge_required_on_new_device_mfa_follows_the_device_proof() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
        json!({"DeviceConfiguration": {"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": false}}),
    )
    .await;
    contact_user(&cloud, &pool_id, "dev").await;
    let secret = enrol_totp(&cloud, &client, "dev").await;
    let done = sign_in_with_totp(&cloud, &client, &secret, json!({})).await;
    let metadata = &done["AuthenticationResult"]["NewDeviceMetadata"];
    let device = RememberedDevice {
        key: metadata["DeviceKey"]
            .as_str()
            .expect("DeviceKey")
            .to_owned(),
        group_key: metadata["DeviceGroupKey"]
            .as_str()
            .expect("DeviceGroupKey")
            .to_owned(),
        password: cognito_srp::generate_device_password(&mut OsRng),
    };
    let config = cognito_srp::device_verifier_config(
        &device.group_key,
        &device.key,
        &device.password,
        &cognito_srp::generate_salt(&mut OsRng),
    );
    let (status, confirmed) = cloud
        .call("ConfirmDevice", json!({"AccessToken": access_token(&done), "DeviceKey": device.key, "DeviceSecretVerifierConfig": {"PasswordVerifier": config.password_verifier_b64, "Salt": config.salt_b64}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(
        confirmed["UserConfirmationNecessary"], false,
        "remembered at once"
    );

    // USER_SRP_AUTH with the DEVICE_KEY, as amazon-cognito-identity-js signs in.
    cloud.clock.advance(Duration::from_secs(30));
    let (ephemeral, status, verifier) = cloud
        .srp_start(&client, "dev", json!({"DEVICE_KEY": device.key}))
        .await;
    assert_eq!(status, StatusCode::OK, "{verifier}");
    let responses = cloud.srp_answer(&pool_id, &ephemeral, &verifier, crate::support::PASSWORD);
    let (status, challenge) = cloud
        .call("RespondToAuthChallenge", json!({"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses}))
        .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(
        challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA",
        "the device does not replace MFA here"
    );
    let code = code_at(&secret, cloud.clock.now()).expect("code");
    let (status, device_step) = answer(
        &cloud,
        &client,
        "SOFTWARE_TOKEN_MFA",
        &challenge["Session"],
        json!({"USERNAME": "dev", "SOFTWARE_TOKEN_MFA_CODE": code, "DEVICE_KEY": device.key}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{device_step}");
    assert_eq!(
        device_step["ChallengeName"], "DEVICE_SRP_AUTH",
        "the device proves itself after MFA"
    );
    let (status, done) =
        device_proof(&cloud, &client, &device_step, &device, &device.password).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["AuthenticationResult"]
        .get("NewDeviceMetadata")
        .is_none());
    let (_, got) = cloud
        .call(
            "GetDevice",
            json!({"AccessToken": access_token(&done), "DeviceKey": device.key}),
        )
        .await;
    assert!(
        got["Device"]["DeviceLastAuthenticatedDate"].is_number(),
        "{got}"
    );
}

/// The claims of a JWT, unverified (the signature is checked elsewhere).
fn claims(jwt: &str) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
}

#[tokio::test]
async fn refresh_tokens_of_a_tracked_device_need_its_confirmed_key() {
    let cloud = TestCloud::start().await;
    let (pool, client) = (cloud.demo_pool(), cloud.demo_client());
    cloud
        .confirmed_user("tracked@example.com", crate::support::PASSWORD)
        .await;
    let (status, signed_in) = cloud
        .srp_sign_in(
            &pool,
            &client,
            "tracked@example.com",
            crate::support::PASSWORD,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let result = &signed_in["AuthenticationResult"];
    let device_key = result["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .expect("the demo pool tracks devices")
        .to_owned();
    assert_eq!(
        claims(result["AccessToken"].as_str().expect("access"))["device_key"],
        device_key.as_str(),
        "access tokens name their device, as on AWS"
    );
    let refresh = result["RefreshToken"].as_str().expect("refresh").to_owned();
    let refresh_with = |device: Option<&str>| {
        let mut parameters = json!({"REFRESH_TOKEN": refresh});
        if let Some(device) = device {
            parameters["DEVICE_KEY"] = json!(device);
        }
        cloud.call(
            "InitiateAuth",
            json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": parameters}),
        )
    };
    let invalid = Some("Invalid Refresh Token");

    // Not yet confirmed: refused with or without its key.
    assert_error(&refresh_with(None).await, "NotAuthorizedException", invalid);
    assert_error(
        &refresh_with(Some(&device_key)).await,
        "NotAuthorizedException",
        invalid,
    );

    cloud.track_new_device(result).await;
    // Confirmed: only its own key works.
    assert_error(&refresh_with(None).await, "NotAuthorizedException", invalid);
    assert_error(
        &refresh_with(Some("us-east-1_00000000-0000-0000-0000-000000000000")).await,
        "NotAuthorizedException",
        invalid,
    );
    let (status, refreshed) = refresh_with(Some(&device_key)).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let access = refreshed["AuthenticationResult"]["AccessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    assert_eq!(claims(&access)["device_key"], device_key.as_str());
    let (status, body) = cloud
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": client, "RefreshToken": refresh, "DeviceKey": device_key}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &cloud
            .call(
                "GetTokensFromRefreshToken",
                json!({"ClientId": client, "RefreshToken": refresh}),
            )
            .await,
        "NotAuthorizedException",
        invalid,
    );

    // Forgotten: the device's refresh tokens stop working.
    let (status, body) = cloud
        .call(
            "ForgetDevice",
            json!({"AccessToken": access, "DeviceKey": device_key}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &refresh_with(Some(&device_key)).await,
        "NotAuthorizedException",
        invalid,
    );
}

/// The devices stored for every user of `pool` (from the persisted state): key → confirmed.
fn stored_devices(cloud: &TestCloud, pool: &str) -> std::collections::BTreeMap<String, bool> {
    let state: Value = serde_json::from_slice(
        &std::fs::read(cloud.data_dir().join("state.json")).expect("state.json"),
    )
    .expect("JSON");
    let users = state["pools"][pool]["users"].as_object().expect("users");
    users
        .values()
        .flat_map(|user| user["devices"].as_object().cloned().unwrap_or_default())
        .map(|(key, device)| (key, !device["verifier"].is_null()))
        .collect()
}

#[tokio::test]
async fn devices_never_confirmed_are_dropped_once_their_sign_in_is_over() {
    let cloud = TestCloud::start().await;
    let (pool, client) = (cloud.demo_pool(), cloud.demo_client());
    let user = "many-sign-ins@example.com";
    cloud.confirmed_user(user, crate::support::PASSWORD).await;
    let sign_in = || async {
        let (status, body) = cloud
            .srp_sign_in(&pool, &client, user, crate::support::PASSWORD)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["AuthenticationResult"].clone()
    };
    let key_of = |result: &Value| {
        result["NewDeviceMetadata"]["DeviceKey"]
            .as_str()
            .expect("a tracked device")
            .to_owned()
    };
    let first = key_of(&sign_in().await);
    let second_result = sign_in().await;
    let second = cloud.track_new_device(&second_result).await;
    let devices = stored_devices(&cloud, &pool);
    assert_eq!(
        devices.get(&first),
        Some(&false),
        "unconfirmed, its session alive"
    );
    assert_eq!(devices.get(&second), Some(&true));

    // Thirty-one days later both sessions are spent: the next sign-in drops the device that
    // was never confirmed and keeps the confirmed one and its own.
    cloud
        .clock
        .advance(std::time::Duration::from_secs(31 * 24 * 3600));
    let third = key_of(&sign_in().await);
    let devices = stored_devices(&cloud, &pool);
    assert_eq!(
        devices
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        [second, third].into_iter().collect(),
        "{devices:?}"
    );
}
