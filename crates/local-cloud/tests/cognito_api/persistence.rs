//! State survives restarts; secrets never reach the disk or the logs in plain text.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{assert_error, captured_logs, TestCloud};

async fn kid(cloud: &TestCloud) -> String {
    let jwks: Value = cloud
        .http
        .get(format!(
            "{}/{}/.well-known/jwks.json",
            cloud.endpoint(),
            cloud.demo_pool()
        ))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    jwks["keys"][0]["kid"].as_str().expect("kid").to_owned()
}

fn refresh_request(client_id: &str, token: &str, device_key: &str) -> Value {
    json!({"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": token, "DEVICE_KEY": device_key}})
}

#[tokio::test]
async fn a_restart_keeps_users_keys_sessions_and_revocations() {
    let password = "Pers1stent-Secret!";
    let first = TestCloud::start().await;
    let (pool_id, client_id) = (first.demo_pool(), first.demo_client());
    let sub = first.confirmed_user("pat@example.com", password).await;
    let (_, kept) = first
        .srp_sign_in(&pool_id, &client_id, "pat@example.com", password)
        .await;
    let kept_device = first.track_new_device(&kept["AuthenticationResult"]).await;
    let kept = kept["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let (_, revoked) = first
        .srp_sign_in(&pool_id, &client_id, "pat@example.com", password)
        .await;
    let revoked_device = first
        .track_new_device(&revoked["AuthenticationResult"])
        .await;
    let revoked = revoked["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_eq!(
        first
            .call(
                "RevokeToken",
                json!({"ClientId": client_id, "Token": revoked})
            )
            .await
            .0,
        StatusCode::OK
    );
    let kid_before = kid(&first).await;
    let (dir, clock) = (Arc::clone(&first.dir), first.clock.clone());
    let old_port = first.cloud.local_addr().port();
    first.cloud.shutdown().await;

    let second = TestCloud::start_in(dir, clock).await;
    assert_eq!(
        second.demo_pool(),
        pool_id,
        "the demo backend is not provisioned twice"
    );
    assert_eq!(second.demo_client(), client_id);
    assert_eq!(kid(&second).await, kid_before, "same signing key");
    let (status, user) = second
        .admin(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": "pat@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["Username"], sub.as_str());
    let (status, body) = second
        .call(
            "InitiateAuth",
            refresh_request(&client_id, &kept, &kept_device),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &second
            .call(
                "InitiateAuth",
                refresh_request(&client_id, &revoked, &revoked_device),
            )
            .await,
        "NotAuthorizedException",
        Some("Refresh Token has been revoked"),
    );
    let (status, body) = second
        .srp_sign_in(&pool_id, &client_id, "pat@example.com", password)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let config: toml::Value = toml::from_str(
        &std::fs::read_to_string(second.data_dir().join("coffer.toml")).expect("coffer.toml"),
    )
    .expect("valid TOML");
    assert_eq!(config["region"].as_str(), Some("us-east-1"));
    assert_eq!(config["user_pool_id"].as_str(), Some(pool_id.as_str()));
    assert_eq!(config["client_id"].as_str(), Some(client_id.as_str()));
    for service in ["cognito_idp", "cognito_identity", "s3"] {
        assert_eq!(
            config["endpoints"][service].as_str(),
            Some(second.endpoint().as_str())
        );
    }
    if second.cloud.local_addr().port() != old_port {
        assert!(
            !second.endpoint().ends_with(&format!(":{old_port}")),
            "rewritten with the new port"
        );
    }
    assert_eq!(
        second.cloud.demo().config_path,
        second.data_dir().join("coffer.toml")
    );
}

#[tokio::test]
async fn passwords_never_reach_disk_or_logs_and_secret_files_are_private() {
    let password = "Unf0rgettable-Zebra!";
    let temporary = "Temp0rary-Walrus!";
    let cloud = TestCloud::start().await;
    cloud.confirmed_user("quinn@example.com", password).await;
    let (status, signed_in) = cloud
        .srp_sign_in(
            &cloud.demo_pool(),
            &cloud.demo_client(),
            "quinn@example.com",
            password,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let refresh = signed_in["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let refused = cloud
        .call("SignUp", json!({"ClientId": cloud.demo_client(), "Username": "quinn@example.com", "Password": password}))
        .await;
    assert_error(&refused, "UsernameExistsException", None);
    let (status, _) = cloud
        .admin(
            "AdminCreateUser",
            json!({"UserPoolId": cloud.demo_pool(), "Username": "rae@example.com", "TemporaryPassword": temporary, "MessageAction": "SUPPRESS"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let state = std::fs::read_to_string(cloud.data_dir().join("state.json")).expect("state.json");
    let outbox = std::fs::read_to_string(cloud.data_dir().join("outbox.jsonl")).expect("outbox");
    let logs = String::from_utf8_lossy(&captured_logs().lock().expect("logs")).into_owned();
    assert!(logs.contains("signed in"), "the log capture works");
    for secret in [password, temporary, refresh.as_str()] {
        assert!(!state.contains(secret), "state.json holds a secret");
        assert!(!outbox.contains(secret), "the outbox holds a password");
        assert!(!logs.contains(secret), "the logs hold a secret");
    }
    let admin_secret = cloud
        .cloud
        .admin_credentials()
        .secret_access_key
        .expose()
        .to_owned();
    assert!(!logs.contains(&admin_secret));
    assert!(!format!("{:?}", cloud.cloud.admin_credentials()).contains(&admin_secret));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["state.json", "credentials", "outbox.jsonl"] {
            let mode = std::fs::metadata(cloud.data_dir().join(file))
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file} is private");
        }
    }
    let credentials =
        std::fs::read_to_string(cloud.data_dir().join("credentials")).expect("credentials");
    assert!(credentials.starts_with("[coffer-local-admin]\naws_access_key_id = AKIA"));
}

#[tokio::test]
async fn identities_credentials_and_objects_survive_a_restart() {
    use aws_sdk_s3::primitives::ByteStream;

    let first = TestCloud::start().await;
    let (identity, credentials) = first.demo_credentials(json!({})).await;
    let key = format!("guest/{identity}/kept.txt");
    first
        .s3_with(&credentials)
        .put_object()
        .bucket("coffer-demo")
        .key(&key)
        .body(ByteStream::from_static(b"kept across restarts"))
        .send()
        .await
        .expect("PutObject");
    let pool = first.demo_identity_pool();
    let (dir, clock) = (Arc::clone(&first.dir), first.clock.clone());
    first.cloud.shutdown().await;

    let second = TestCloud::start_in(dir, clock).await;
    assert_eq!(
        second.demo_identity_pool(),
        pool,
        "the demo identity pool is kept"
    );
    let (status, described) = second
        .identity_admin("DescribeIdentity", json!({"IdentityId": identity}))
        .await;
    assert_eq!(status, StatusCode::OK, "{described}");
    let got = second
        .s3_with(&credentials)
        .get_object()
        .bucket("coffer-demo")
        .key(&key)
        .send()
        .await
        .expect("credentials issued before the restart still work");
    let body = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(body.as_ref(), b"kept across restarts");

    // The session token is on disk only as a digest; the secret key only in the 0600 state file.
    let state = std::fs::read_to_string(second.data_dir().join("state.json")).expect("state");
    assert!(!state.contains(credentials["SessionToken"].as_str().expect("token")));
}

#[tokio::test]
async fn a_data_dir_from_before_identity_pools_is_upgraded() {
    let first = TestCloud::start().await;
    let (dir, clock) = (Arc::clone(&first.dir), first.clock.clone());
    let user_pool = first.demo_pool();
    first.cloud.shutdown().await;

    // Strip what an older build would not have written.
    let path = dir.path().join("state.json");
    let mut state: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state")).expect("json");
    let object = state.as_object_mut().expect("object");
    for member in [
        "identity_pools",
        "roles",
        "credentials",
        "identity_signing_key",
    ] {
        object.remove(member);
    }
    let demo = object["demo"].as_object_mut().expect("demo");
    demo.remove("identity_pool_id");
    demo.remove("bucket");
    std::fs::write(&path, serde_json::to_vec_pretty(&state).expect("json")).expect("write");
    std::fs::remove_dir_all(dir.path().join("s3")).expect("no s3 yet");

    let second = TestCloud::start_in(dir, clock).await;
    assert_eq!(second.demo_pool(), user_pool, "the user pool is kept");
    let toml = std::fs::read_to_string(second.data_dir().join("coffer.toml")).expect("config");
    assert!(
        toml.contains(&format!(
            "identity_pool_id = \"{}\"",
            second.demo_identity_pool()
        )),
        "{toml}"
    );
    assert!(toml.contains("bucket = \"coffer-demo\""), "{toml}");
    let (identity, credentials) = second.demo_credentials(json!({})).await;
    assert!(
        identity.starts_with("us-east-1:"),
        "guests get credentials after the upgrade"
    );
    assert!(credentials["AccessKeyId"].as_str().is_some());
    second
        .s3_admin()
        .head_bucket()
        .bucket("coffer-demo")
        .send()
        .await
        .expect("the demo bucket exists");
}
