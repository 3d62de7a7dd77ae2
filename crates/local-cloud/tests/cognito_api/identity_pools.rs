//! Cognito identity pools: GetId, GetCredentialsForIdentity, GetOpenIdToken, DescribeIdentity,
//! guests, guest → sign-in rules, Logins validation, and the admin API through the official SDK.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_cognitoidentity::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentity::types::CognitoIdentityProvider;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use local_cloud::Clock as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use std::sync::Arc;

use local_cloud::demo::{DEMO_AUTHENTICATED_ROLE, DEMO_GUEST_ROLE};
use local_cloud::ManualClock;

use crate::support::{assert_error, captured_logs, now_seconds, TestCloud};

/// A role made by an older local cloud (no trust policy stored).
const LEGACY_ROLE: &str = "arn:aws:iam::000000000000:role/made-before-trust-policies";

fn identity_sdk(cloud: &TestCloud) -> aws_sdk_cognitoidentity::Client {
    let admin = cloud.cloud.admin_credentials();
    let config = aws_sdk_cognitoidentity::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(cloud.endpoint())
        .credentials_provider(Credentials::new(
            admin.access_key_id.clone(),
            admin.secret_access_key.expose().to_owned(),
            None,
            None,
            "local-cloud-test",
        ))
        .build();
    aws_sdk_cognitoidentity::Client::from_conf(config)
}

/// What Cognito answers when a role is missing or does not trust the identity.
const INVALID_CONFIGURATION: &str =
    "Invalid identity pool configuration. Check assigned IAM roles for this pool.";

fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

#[tokio::test]
async fn a_signed_in_user_has_one_stable_identity_and_gets_credentials() {
    let cloud = TestCloud::start().await;
    let (_, id_token, _) = cloud.demo_user_tokens("ida@example.com").await;
    let logins = json!({ cloud.demo_provider(): id_token });

    let (identity_id, credentials) = cloud.demo_credentials(logins.clone()).await;
    assert!(identity_id.starts_with("us-east-1:"));
    let (again, _) = cloud.demo_credentials(logins.clone()).await;
    assert_eq!(again, identity_id, "one identity per (identity pool, user)");

    let key = credentials["AccessKeyId"].as_str().expect("key");
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert_eq!(credentials["SecretKey"].as_str().expect("secret").len(), 40);
    assert!(credentials["SessionToken"].as_str().expect("token").len() > 100);
    let expiration = credentials["Expiration"].as_f64().expect("epoch seconds");
    let expected = (cloud.clock.now() + Duration::from_secs(3600)).unix_timestamp() as f64;
    assert!((expiration - expected).abs() < 2.0, "1 hour by default");

    let (status, described) = cloud
        .identity_admin("DescribeIdentity", json!({"IdentityId": identity_id}))
        .await;
    assert_eq!(status, StatusCode::OK, "{described}");
    assert_eq!(described["Logins"], json!([cloud.demo_provider()]));

    let (status, open_id) = cloud
        .identity(
            "GetOpenIdToken",
            json!({"IdentityId": identity_id, "Logins": logins}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{open_id}");
    let claims = jwt_claims(open_id["Token"].as_str().expect("Token"));
    assert_eq!(claims["sub"], identity_id.as_str());
    assert_eq!(claims["aud"], cloud.demo_identity_pool().as_str());
    assert_eq!(claims["amr"][0], "authenticated");

    // A signed-in identity cannot be used without its login.
    let (status, refused) = cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": identity_id}),
        )
        .await;
    assert_error(&(status, refused), "NotAuthorizedException", None);
}

#[tokio::test]
async fn guests_get_their_own_identities_where_allowed() {
    let cloud = TestCloud::start().await;
    let (guest, credentials) = cloud.demo_credentials(json!({})).await;
    let (other_guest, _) = cloud.demo_credentials(json!({})).await;
    assert_ne!(
        guest, other_guest,
        "each GetId without Logins is a new guest"
    );
    assert!(credentials["AccessKeyId"]
        .as_str()
        .expect("key")
        .starts_with("ASIA"));
    let (_, described) = cloud
        .identity_admin("DescribeIdentity", json!({"IdentityId": guest}))
        .await;
    assert_eq!(described["Logins"], json!([]));

    // A pool without guests refuses them.
    let sdk = identity_sdk(&cloud);
    let pool = sdk
        .create_identity_pool()
        .identity_pool_name("members_only")
        .allow_unauthenticated_identities(false)
        .send()
        .await
        .expect("CreateIdentityPool");
    let (status, body) = cloud
        .identity("GetId", json!({"IdentityPoolId": pool.identity_pool_id()}))
        .await;
    assert_error(
        &(status, body),
        "NotAuthorizedException",
        Some("Unauthenticated access is not supported for this identity pool."),
    );
}

#[tokio::test]
async fn update_identity_pool_can_turn_guests_off_for_identities_that_exist() {
    let cloud = TestCloud::start().await;
    let (guest, _) = cloud.demo_credentials(json!({})).await;
    let sdk = identity_sdk(&cloud);
    let demo = sdk
        .describe_identity_pool()
        .identity_pool_id(cloud.demo_identity_pool())
        .send()
        .await
        .expect("DescribeIdentityPool");
    let updated = sdk
        .update_identity_pool()
        .identity_pool_id(cloud.demo_identity_pool())
        .identity_pool_name(demo.identity_pool_name())
        .allow_unauthenticated_identities(false)
        .set_cognito_identity_providers(Some(demo.cognito_identity_providers().to_vec()))
        .send()
        .await
        .expect("UpdateIdentityPool");
    assert!(!updated.allow_unauthenticated_identities());
    assert_eq!(
        updated.cognito_identity_providers(),
        demo.cognito_identity_providers()
    );
    let described = sdk
        .describe_identity_pool()
        .identity_pool_id(cloud.demo_identity_pool())
        .send()
        .await
        .expect("DescribeIdentityPool");
    assert!(!described.allow_unauthenticated_identities());

    // The guest identity exists but gets no credentials any more, nor does a new guest.
    let response = cloud
        .identity("GetCredentialsForIdentity", json!({"IdentityId": guest}))
        .await;
    assert_error(
        &response,
        "NotAuthorizedException",
        Some("Unauthenticated access is not supported for this identity pool."),
    );
    let response = cloud
        .identity(
            "GetId",
            json!({"IdentityPoolId": cloud.demo_identity_pool()}),
        )
        .await;
    assert_error(&response, "NotAuthorizedException", None);

    // Checked like CreateIdentityPool; unknown pools and unsigned calls are refused.
    let response = cloud
        .identity_admin(
            "UpdateIdentityPool",
            json!({"IdentityPoolId": cloud.demo_identity_pool(), "IdentityPoolName": "coffer_demo"}),
        )
        .await;
    assert_error(&response, "InvalidParameterException", None);
    let unknown = json!({
        "IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000",
        "IdentityPoolName": "x",
        "AllowUnauthenticatedIdentities": true,
    });
    let response = cloud
        .identity_admin("UpdateIdentityPool", unknown.clone())
        .await;
    assert_error(&response, "ResourceNotFoundException", None);
    let response = cloud.identity("UpdateIdentityPool", unknown).await;
    assert_error(&response, "MissingAuthenticationTokenException", None);
}

#[tokio::test]
async fn a_guest_identity_goes_to_a_user_without_one_and_a_user_with_one_gets_their_own() {
    let cloud = TestCloud::start().await;
    let pool = cloud.demo_identity_pool();

    // Alice has no identity yet: her guest identity becomes hers.
    let (guest, _) = cloud.demo_credentials(json!({})).await;
    let (_, alice_token, _) = cloud.demo_user_tokens("alice@example.com").await;
    let alice = json!({ cloud.demo_provider(): alice_token });
    let (status, body) = cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": guest, "Logins": alice}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["IdentityId"], guest.as_str());
    let (_, id) = cloud
        .identity("GetId", json!({"IdentityPoolId": pool, "Logins": alice}))
        .await;
    assert_eq!(
        id["IdentityId"],
        guest.as_str(),
        "the guest identity is now Alice's"
    );
    let (status, body) = cloud
        .identity("GetCredentialsForIdentity", json!({"IdentityId": guest}))
        .await;
    assert_error(&(status, body), "NotAuthorizedException", None);

    // Bob already has an identity: signing in from a guest gives him his own back, and the
    // guest identity is merged into it: disabled on its own.
    let (_, bob_token, _) = cloud.demo_user_tokens("bob@example.com").await;
    let bob = json!({ cloud.demo_provider(): bob_token });
    let (bob_identity, _) = cloud.demo_credentials(bob.clone()).await;
    let (second_guest, _) = cloud.demo_credentials(json!({})).await;
    let (status, body) = cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": second_guest, "Logins": bob}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["IdentityId"], bob_identity.as_str());
    let (_, described) = cloud
        .identity_admin("DescribeIdentity", json!({"IdentityId": second_guest}))
        .await;
    assert_eq!(described["Logins"], json!([]), "no login is linked to it");
    let (status, body) = cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": second_guest}),
        )
        .await;
    assert_error(
        &(status, body),
        "NotAuthorizedException",
        Some(&format!(
            "Access to Identity '{second_guest}' is forbidden."
        )),
    );
    let (status, body) = cloud
        .identity("GetOpenIdToken", json!({"IdentityId": second_guest}))
        .await;
    assert_error(&(status, body), "NotAuthorizedException", None);
    // Bob's logins with it still lead to his own identity; nobody else's lead anywhere.
    let (status, body) = cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": second_guest, "Logins": bob}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["IdentityId"], bob_identity.as_str());
    let (_, carol_token, _) = cloud.demo_user_tokens("carol@example.com").await;
    let (status, body) = cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": second_guest, "Logins": { cloud.demo_provider(): carol_token }}),
        )
        .await;
    assert_error(&(status, body), "NotAuthorizedException", None);

    // Alice's identity cannot be taken with Bob's login.
    let (status, body) = cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": guest, "Logins": bob}),
        )
        .await;
    assert_error(&(status, body), "NotAuthorizedException", None);
}

#[tokio::test]
async fn bad_logins_are_refused() {
    let cloud = TestCloud::start().await;
    let pool = cloud.demo_identity_pool();
    let provider = cloud.demo_provider();
    let (_, id_token, access_token) = cloud.demo_user_tokens("carol@example.com").await;
    let get_id = |logins: Value| {
        let pool = pool.clone();
        let cloud = &cloud;
        async move {
            cloud
                .identity("GetId", json!({"IdentityPoolId": pool, "Logins": logins}))
                .await
        }
    };

    // Tampered payload: the signature no longer verifies.
    let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
    let mut claims = jwt_claims(&id_token);
    claims["sub"] = json!("someone-else");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = parts.join(".");
    let response = get_id(json!({ provider.clone(): tampered })).await;
    assert_error(&response, "NotAuthorizedException", None);
    assert!(response.1["message"]
        .as_str()
        .expect("message")
        .starts_with("Invalid login token."));

    // An access token is not an ID token.
    let response = get_id(json!({ provider.clone(): access_token })).await;
    assert_error(&response, "NotAuthorizedException", None);

    // A provider the pool does not list.
    let response =
        get_id(json!({ "cognito-idp.us-east-1.amazonaws.com/us-east-1_Nope12345": id_token }))
            .await;
    assert_error(&response, "NotAuthorizedException", None);

    // Wrong audience: an identity pool that trusts another client of the same user pool.
    let sdk = identity_sdk(&cloud);
    let other = sdk
        .create_identity_pool()
        .identity_pool_name("other_client")
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(
            CognitoIdentityProvider::builder()
                .provider_name(provider.clone())
                .client_id("someotherclientid0000000000")
                .build(),
        )
        .send()
        .await
        .expect("CreateIdentityPool");
    let response = cloud
        .identity(
            "GetId",
            json!({"IdentityPoolId": other.identity_pool_id(), "Logins": { provider.clone(): id_token }}),
        )
        .await;
    assert_error(
        &response,
        "NotAuthorizedException",
        Some("Invalid login token. Incorrect token audience."),
    );

    // Unknown and malformed pool ids.
    let response = cloud
        .identity(
            "GetId",
            json!({"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"}),
        )
        .await;
    assert_error(&response, "ResourceNotFoundException", None);
    let response = cloud
        .identity("GetId", json!({"IdentityPoolId": "nope"}))
        .await;
    assert_error(&response, "InvalidParameterException", None);

    // Expired: the ID token lives one hour.
    let (status, _) = get_id(json!({ provider.clone(): id_token.clone() })).await;
    assert_eq!(status, StatusCode::OK, "valid before expiry");
    cloud.clock.advance(Duration::from_secs(3601));
    let response = get_id(json!({ provider.clone(): id_token })).await;
    assert_error(&response, "NotAuthorizedException", None);
    assert!(response.1["message"]
        .as_str()
        .expect("message")
        .contains("Token expired"));
}

#[tokio::test]
async fn the_admin_api_works_through_the_official_sdk() {
    let cloud = TestCloud::start().await;
    let sdk = identity_sdk(&cloud);
    let demo = sdk
        .describe_identity_pool()
        .identity_pool_id(cloud.demo_identity_pool())
        .send()
        .await
        .expect("DescribeIdentityPool");
    assert_eq!(demo.identity_pool_name(), "coffer_demo");
    assert!(demo.allow_unauthenticated_identities());
    let providers = demo.cognito_identity_providers();
    assert_eq!(providers.len(), 1);
    assert_eq!(
        providers[0].provider_name(),
        Some(cloud.demo_provider().as_str())
    );
    assert_eq!(providers[0].client_id(), Some(cloud.demo_client().as_str()));

    let roles = sdk
        .get_identity_pool_roles()
        .identity_pool_id(cloud.demo_identity_pool())
        .send()
        .await
        .expect("GetIdentityPoolRoles");
    let roles = roles.roles().expect("roles");
    assert!(roles["authenticated"].ends_with(":role/coffer-demo-authenticated"));
    assert!(roles["unauthenticated"].ends_with(":role/coffer-demo-guest"));

    // A new pool given the demo roles: they trust only the demo pool (`aud`), so STS would
    // refuse Cognito's AssumeRoleWithWebIdentity and GetCredentialsForIdentity fails.
    let pool = sdk
        .create_identity_pool()
        .identity_pool_name("second pool")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .expect("CreateIdentityPool");
    let pool_id = pool.identity_pool_id().to_owned();
    let guest = sdk
        .get_id()
        .identity_pool_id(&pool_id)
        .send()
        .await
        .expect("GetId");
    let guest = guest.identity_id().expect("IdentityId").to_owned();
    let err = sdk
        .get_credentials_for_identity()
        .identity_id(&guest)
        .send()
        .await
        .expect_err("no roles yet");
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("InvalidIdentityPoolConfigurationException")
    );
    sdk.set_identity_pool_roles()
        .identity_pool_id(&pool_id)
        .roles("unauthenticated", roles["unauthenticated"].clone())
        .send()
        .await
        .expect("SetIdentityPoolRoles");
    let err = sdk
        .get_credentials_for_identity()
        .identity_id(&guest)
        .send()
        .await
        .expect_err("the demo guest role does not trust this pool");
    let err = err.into_service_error();
    assert_eq!(
        err.meta().code(),
        Some("InvalidIdentityPoolConfigurationException")
    );
    assert_eq!(err.meta().message(), Some(INVALID_CONFIGURATION));

    // The demo pool's guests get credentials through the SDK.
    let demo_guest = sdk
        .get_id()
        .identity_pool_id(cloud.demo_identity_pool())
        .send()
        .await
        .expect("GetId");
    let credentials = sdk
        .get_credentials_for_identity()
        .identity_id(demo_guest.identity_id().expect("IdentityId"))
        .send()
        .await
        .expect("GetCredentialsForIdentity");
    let credentials = credentials.credentials().expect("credentials");
    assert!(credentials
        .access_key_id()
        .expect("key")
        .starts_with("ASIA"));
    assert!(credentials.expiration().is_some());

    // Admin calls (and DescribeIdentity) need the admin signature.
    let (status, body) = cloud
        .identity("DescribeIdentity", json!({"IdentityId": guest}))
        .await;
    assert_error(&(status, body), "MissingAuthenticationTokenException", None);
    let described = sdk
        .describe_identity()
        .identity_id(&guest)
        .send()
        .await
        .expect("DescribeIdentity, signed by the SDK");
    assert_eq!(described.identity_id(), Some(guest.as_str()));
    assert!(described.logins().is_empty());
    let (status, body) = cloud
        .identity(
            "CreateIdentityPool",
            json!({"IdentityPoolName": "x", "AllowUnauthenticatedIdentities": true}),
        )
        .await;
    assert_error(&(status, body), "MissingAuthenticationTokenException", None);
}

/// GetId + GetCredentialsForIdentity in `pool`; the raw GetCredentialsForIdentity answer.
async fn credentials_in(cloud: &TestCloud, pool: &str, logins: Value) -> (StatusCode, Value) {
    let (status, id) = cloud
        .identity("GetId", json!({"IdentityPoolId": pool, "Logins": logins}))
        .await;
    assert_eq!(status, StatusCode::OK, "GetId: {id}");
    cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": id["IdentityId"], "Logins": logins}),
        )
        .await
}

#[tokio::test]
async fn a_guest_cannot_assume_a_role_that_trusts_only_signed_in_identities() {
    let cloud = TestCloud::start().await;
    let pool = cloud.demo_identity_pool();
    let (status, body) = cloud
        .identity_admin(
            "SetIdentityPoolRoles",
            json!({"IdentityPoolId": pool, "Roles": {
                "authenticated": DEMO_AUTHENTICATED_ROLE,
                "unauthenticated": DEMO_AUTHENTICATED_ROLE,
            }}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The role's trust policy names this pool (`aud`) but only `amr` "authenticated".
    let response = credentials_in(&cloud, &pool, json!({})).await;
    assert_error(
        &response,
        "InvalidIdentityPoolConfigurationException",
        Some(INVALID_CONFIGURATION),
    );
    let (_, id_token, _) = cloud.demo_user_tokens("dora@example.com").await;
    let (status, body) =
        credentials_in(&cloud, &pool, json!({ cloud.demo_provider(): id_token })).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a signed-in identity still may: {body}"
    );
}

#[tokio::test]
async fn demo_roles_carry_the_trust_policies_aws_documents() {
    let cloud = TestCloud::start().await;
    let state: Value = serde_json::from_slice(
        &std::fs::read(cloud.data_dir().join("state.json")).expect("state.json"),
    )
    .expect("JSON");
    for (arn, amr) in [
        (DEMO_AUTHENTICATED_ROLE, "authenticated"),
        (DEMO_GUEST_ROLE, "unauthenticated"),
    ] {
        let trust = &state["roles"][arn]["trust_policy"]["Statement"][0];
        assert_eq!(trust["Effect"], "Allow");
        assert_eq!(
            trust["Principal"],
            json!({"Federated": "cognito-identity.amazonaws.com"})
        );
        assert_eq!(trust["Action"], "sts:AssumeRoleWithWebIdentity");
        assert_eq!(
            trust["Condition"],
            json!({
                "StringEquals": {"cognito-identity.amazonaws.com:aud": cloud.demo_identity_pool()},
                "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}
            }),
            "{arn}"
        );
    }
}

#[tokio::test]
async fn roles_stored_without_a_trust_policy_keep_working() {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let first = TestCloud::start_in(Arc::clone(&dir), ManualClock::new(now_seconds())).await;
    let demo_pool = first.demo_identity_pool();
    let other = identity_sdk(&first)
        .create_identity_pool()
        .identity_pool_name("legacy_roles")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .expect("CreateIdentityPool");
    let other_pool = other.identity_pool_id().to_owned();
    first.cloud.shutdown().await;

    // A state file as an older local cloud wrote it: roles without `trust_policy`, plus a
    // role of its own assigned to the second pool.
    let path = dir.path().join("state.json");
    let mut state: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state.json")).expect("JSON");
    let roles = state["roles"].as_object_mut().expect("roles");
    for role in roles.values_mut() {
        role.as_object_mut().expect("role").remove("trust_policy");
    }
    roles.insert(
        LEGACY_ROLE.to_owned(),
        json!({"arn": LEGACY_ROLE, "policy": {"Version": "2012-10-17", "Statement": []}}),
    );
    state["identity_pools"][&other_pool]["roles"] = json!({ "unauthenticated": LEGACY_ROLE });
    std::fs::write(&path, serde_json::to_vec(&state).expect("JSON")).expect("write");

    let cloud = TestCloud::start_in(Arc::clone(&dir), ManualClock::new(now_seconds())).await;
    // The demo roles get their trust policies back on start; the other role is legacy.
    let saved: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state.json")).expect("JSON");
    assert_eq!(
        saved["roles"][DEMO_GUEST_ROLE]["trust_policy"]["Statement"][0]["Condition"]
            ["StringEquals"]["cognito-identity.amazonaws.com:aud"],
        demo_pool.as_str()
    );
    assert!(saved["roles"][LEGACY_ROLE]
        .get("trust_policy")
        .is_none_or(Value::is_null));
    let logs = String::from_utf8_lossy(&captured_logs().lock().expect("logs")).into_owned();
    assert!(
        logs.lines()
            .any(|line| line.contains("without a trust policy") && line.contains(LEGACY_ROLE)),
        "the legacy role is named at startup"
    );

    cloud.demo_credentials(json!({})).await;
    let (status, body) = credentials_in(&cloud, &other_pool, json!({})).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "legacy roles stay permissive: {body}"
    );
}

#[tokio::test]
async fn server_side_token_check_refuses_signed_out_and_deleted_users() {
    let cloud = TestCloud::start().await;
    let provider = cloud.demo_provider();
    let (status, created) = cloud
        .identity_admin(
            "CreateIdentityPool",
            json!({
                "IdentityPoolName": "checked",
                "AllowUnauthenticatedIdentities": false,
                "CognitoIdentityProviders": [{
                    "ProviderName": provider,
                    "ClientId": cloud.demo_client(),
                    "ServerSideTokenCheck": true
                }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let checked = created["IdentityPoolId"].as_str().expect("id").to_owned();
    let get_id = |pool: String, id_token: String| {
        let cloud = &cloud;
        let provider = provider.clone();
        async move {
            cloud
                .identity(
                    "GetId",
                    json!({"IdentityPoolId": pool, "Logins": { provider: id_token }}),
                )
                .await
        }
    };

    // Globally signed out: refused where the pool checks, still accepted where it does not
    // (AWS: without the check an ID token works until it expires).
    let (_, id_token, access_token) = cloud.demo_user_tokens("dora@example.com").await;
    let (status, _) = get_id(checked.clone(), id_token.clone()).await;
    assert_eq!(status, StatusCode::OK, "valid while signed in");
    let (status, body) = cloud
        .call("GlobalSignOut", json!({ "AccessToken": access_token }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = get_id(checked.clone(), id_token.clone()).await;
    assert_error(&response, "NotAuthorizedException", None);
    let (status, _) = get_id(cloud.demo_identity_pool(), id_token).await;
    assert_eq!(status, StatusCode::OK, "the demo pool does not check");

    // Deleted: refused, even with its tokens' sign-in never revoked.
    let (_, id_token, _) = cloud.demo_user_tokens("eve@example.com").await;
    let (status, _) = get_id(checked.clone(), id_token.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = cloud
        .admin(
            "AdminDeleteUser",
            json!({"UserPoolId": cloud.demo_pool(), "Username": "eve@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = get_id(checked, id_token).await;
    assert_error(&response, "NotAuthorizedException", None);
}
