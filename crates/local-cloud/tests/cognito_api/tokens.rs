//! Access tokens are honoured only while genuine, unexpired and unrevoked.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{assert_error, TestCloud, PASSWORD};

async fn signed_in(cloud: &TestCloud, email: &str) -> Value {
    cloud.confirmed_user(email, PASSWORD).await;
    let (status, body) = cloud
        .srp_sign_in(&cloud.demo_pool(), &cloud.demo_client(), email, PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["AuthenticationResult"].clone()
}

fn token(result: &Value, name: &str) -> String {
    result[name].as_str().expect("token").to_owned()
}

#[tokio::test]
async fn tampered_and_misused_tokens_are_invalid() {
    let cloud = TestCloud::start().await;
    let result = signed_in(&cloud, "tom@example.com").await;
    let access = token(&result, "AccessToken");

    // Flip one byte of the signature.
    let mut bytes = access.clone().into_bytes();
    let last = bytes.len() - 5;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).expect("ascii");
    assert_error(
        &cloud
            .call("GetUser", json!({"AccessToken": tampered}))
            .await,
        "NotAuthorizedException",
        Some("Invalid Access Token"),
    );

    // Change a claim and keep the signature.
    let parts: Vec<&str> = access.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
    claims["username"] = json!("someone-else");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    assert_error(
        &cloud.call("GetUser", json!({"AccessToken": forged})).await,
        "NotAuthorizedException",
        Some("Invalid Access Token"),
    );

    let id_token = token(&result, "IdToken");
    assert_error(
        &cloud
            .call("GetUser", json!({"AccessToken": id_token}))
            .await,
        "NotAuthorizedException",
        Some("Invalid Access Token"),
    );
    assert_error(
        &cloud
            .call("GetUser", json!({"AccessToken": "garbage"}))
            .await,
        "NotAuthorizedException",
        Some("Invalid Access Token"),
    );
    assert_error(
        &cloud.call("GetUser", json!({})).await,
        "InvalidParameterException",
        None,
    );
    assert_eq!(
        cloud
            .call("GetUser", json!({"AccessToken": access}))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn tokens_expire_by_the_clock_and_refresh_tokens_too() {
    let cloud = TestCloud::start().await;
    let result = signed_in(&cloud, "uma@example.com").await;
    let device_key = cloud.track_new_device(&result).await;
    let access = token(&result, "AccessToken");
    let refresh = token(&result, "RefreshToken");
    cloud.clock.advance(Duration::from_secs(3600));
    assert_error(
        &cloud.call("GetUser", json!({"AccessToken": access})).await,
        "NotAuthorizedException",
        Some("Access Token has expired"),
    );

    let refresh_request = json!({"ClientId": cloud.demo_client(), "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh, "DEVICE_KEY": device_key}});
    let (status, renewed) = cloud.call("InitiateAuth", refresh_request.clone()).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let renewed_access = token(&renewed["AuthenticationResult"], "AccessToken");
    assert_eq!(
        cloud
            .call("GetUser", json!({"AccessToken": renewed_access}))
            .await
            .0,
        StatusCode::OK
    );

    cloud.clock.advance(Duration::from_secs(30 * 86_400));
    assert_error(
        &cloud.call("InitiateAuth", refresh_request).await,
        "NotAuthorizedException",
        Some("Refresh Token has expired"),
    );
}

#[tokio::test]
async fn unknown_refresh_tokens_and_access_tokens_given_to_revoke_are_refused() {
    let cloud = TestCloud::start().await;
    let result = signed_in(&cloud, "vic@example.com").await;
    let client_id = cloud.demo_client();
    let garbage = cloud
        .call("InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": "not-a-token"}}))
        .await;
    assert_error(
        &garbage,
        "NotAuthorizedException",
        Some("Invalid Refresh Token"),
    );
    let wrong_kind = cloud
        .call(
            "RevokeToken",
            json!({"ClientId": client_id, "Token": token(&result, "AccessToken")}),
        )
        .await;
    assert_error(&wrong_kind, "UnsupportedTokenTypeException", None);

    let (status, body) = cloud
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": client_id, "RefreshToken": token(&result, "RefreshToken"), "DeviceKey": cloud.track_new_device(&result).await}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["AuthenticationResult"]["IdToken"].is_string());
}

#[tokio::test]
async fn global_sign_out_revokes_every_session_of_the_user() {
    let cloud = TestCloud::start().await;
    let first = signed_in(&cloud, "wes@example.com").await;
    let (_, second) = cloud
        .srp_sign_in(
            &cloud.demo_pool(),
            &cloud.demo_client(),
            "wes@example.com",
            PASSWORD,
        )
        .await;
    let second = second["AuthenticationResult"].clone();
    let bystander = signed_in(&cloud, "xena@example.com").await;

    let (status, body) = cloud
        .call(
            "GlobalSignOut",
            json!({"AccessToken": token(&first, "AccessToken")}),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    for session in [&first, &second] {
        let refused = cloud
            .call(
                "GetUser",
                json!({"AccessToken": token(session, "AccessToken")}),
            )
            .await;
        assert_error(
            &refused,
            "NotAuthorizedException",
            Some("Access Token has been revoked"),
        );
        let refused = cloud
            .call("InitiateAuth", json!({"ClientId": cloud.demo_client(), "AuthFlow": "REFRESH_TOKEN", "AuthParameters": {"REFRESH_TOKEN": token(session, "RefreshToken")}}))
            .await;
        assert_error(
            &refused,
            "NotAuthorizedException",
            Some("Refresh Token has been revoked"),
        );
    }
    assert_eq!(
        cloud
            .call(
                "GetUser",
                json!({"AccessToken": token(&bystander, "AccessToken")})
            )
            .await
            .0,
        StatusCode::OK
    );

    let (status, _) = cloud
        .admin(
            "AdminUserGlobalSignOut",
            json!({"UserPoolId": cloud.demo_pool(), "Username": "xena@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let refused = cloud
        .call(
            "GetUser",
            json!({"AccessToken": token(&bystander, "AccessToken")}),
        )
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Access Token has been revoked"),
    );

    // Signing in again afterwards works.
    let (status, body) = cloud
        .srp_sign_in(
            &cloud.demo_pool(),
            &cloud.demo_client(),
            "wes@example.com",
            PASSWORD,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh = token(&body["AuthenticationResult"], "AccessToken");
    assert_eq!(
        cloud.call("GetUser", json!({"AccessToken": fresh})).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn client_token_validity_is_honoured() {
    let cloud = TestCloud::start().await;
    let (pool_id, client_id, _) = cloud
        .pool_with_client(
            false,
            json!({"AccessTokenValidity": 5, "IdTokenValidity": 10, "RefreshTokenValidity": 60, "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"}}),
        )
        .await;
    cloud.admin_user(&pool_id, "yan", PASSWORD).await;
    let (status, body) = cloud
        .srp_sign_in(&pool_id, &client_id, "yan", PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result = &body["AuthenticationResult"];
    assert_eq!(result["ExpiresIn"], 300);
    cloud.clock.advance(Duration::from_secs(301));
    let refused = cloud
        .call(
            "GetUser",
            json!({"AccessToken": token(result, "AccessToken")}),
        )
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Access Token has expired"),
    );
    cloud.clock.advance(Duration::from_secs(3600));
    let refused = cloud
        .call("InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": token(result, "RefreshToken")}}))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Refresh Token has expired"),
    );

    let bad = cloud
        .admin("CreateUserPoolClient", json!({"UserPoolId": pool_id, "ClientName": "bad", "AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}}))
        .await;
    assert_error(&bad, "InvalidParameterException", None);
}
