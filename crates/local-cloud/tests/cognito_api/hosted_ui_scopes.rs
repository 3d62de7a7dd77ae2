//! Scopes of hosted-UI access tokens, as AWS enforces them: the user-pool account operations
//! need `aws.cognito.signin.user.admin`, `/oauth2/userInfo` needs `openid` (and answers per
//! scope), and both userInfo and `/oauth2/revoke` serve only the pool of their domain.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::hosted_ui::{base, claims, code_for, token, CALLBACK, VERIFIER};
use crate::support::{assert_error, TestCloud, PASSWORD};

const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// Signs `email` in through the demo domain asking for `scope`; returns the token response.
async fn hosted_tokens(cloud: &TestCloud, email: &str, scope: &str) -> Value {
    let code = code_for(cloud, email, &[("scope", scope)]).await;
    let (status, tokens) = token(
        cloud,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &cloud.demo_client()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

fn access_token(tokens: &Value) -> String {
    tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

async fn user_info_at(
    domain_base: &str,
    access_token: &str,
) -> (StatusCode, Option<String>, Value) {
    let response = reqwest::Client::new()
        .get(format!("{domain_base}/oauth2/userInfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("userInfo");
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ascii").to_owned());
    (status, challenge, response.json().await.expect("json"))
}

/// A second pool with its own domain `other-app`; returns its base URL.
async fn other_domain(cloud: &TestCloud) -> String {
    let (pool_id, _, _) = cloud.pool_with_client(false, json!({})).await;
    let (status, body) = cloud
        .admin(
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool_id, "Domain": "other-app"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    format!("{}/_hosted/other-app", cloud.endpoint())
}

#[tokio::test]
async fn account_operations_refuse_hosted_ui_tokens_without_the_admin_scope() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user("scoped@example.com", PASSWORD).await;

    let oidc_only = hosted_tokens(&cloud, "scoped@example.com", "openid email profile").await;
    let token = access_token(&oidc_only);
    assert_eq!(claims(&token)["scope"], "openid email profile");
    for (op, body) in [
        ("GetUser", json!({"AccessToken": token})),
        (
            "ChangePassword",
            json!({"AccessToken": token, "PreviousPassword": PASSWORD,
                   "ProposedPassword": "Another-Passw0rd!"}),
        ),
        ("AssociateSoftwareToken", json!({"AccessToken": token})),
        ("ListDevices", json!({"AccessToken": token})),
        ("GlobalSignOut", json!({"AccessToken": token})),
    ] {
        let response = cloud.call(op, body).await;
        assert_error(
            &response,
            "NotAuthorizedException",
            Some("Access Token does not have required scopes"),
        );
    }
    // Nothing was changed or signed out by the refused calls.
    let (status, body) = cloud
        .srp_sign_in(
            &cloud.demo_pool(),
            &cloud.demo_client(),
            "scoped@example.com",
            PASSWORD,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the old password still works: {body}"
    );

    let with_admin = hosted_tokens(
        &cloud,
        "scoped@example.com",
        &format!("openid email profile {ADMIN_SCOPE}"),
    )
    .await;
    let (status, user) = cloud
        .call("GetUser", json!({"AccessToken": access_token(&with_admin)}))
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(
        user["Username"],
        claims(&access_token(&with_admin))["username"]
    );

    // No scope asked for: every scope the client allows, the admin scope included.
    let all = hosted_tokens(&cloud, "scoped@example.com", "").await;
    let granted = claims(&access_token(&all))["scope"].clone();
    assert_eq!(granted, format!("openid email profile {ADMIN_SCOPE}"));
    let (status, body) = cloud
        .call("GlobalSignOut", json!({"AccessToken": access_token(&all)}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn user_info_needs_openid_and_answers_per_scope() {
    let cloud = TestCloud::start().await;
    let (sub, _, api_token) = cloud.demo_user_tokens("info@example.com").await;
    let (status, body) = cloud
        .call(
            "UpdateUserAttributes",
            json!({"AccessToken": api_token,
                   "UserAttributes": [{"Name": "name", "Value": "Ada Lovelace"},
                                      {"Name": "phone_number", "Value": "+15555550100"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A user-pool API token has only aws.cognito.signin.user.admin: refused.
    assert_eq!(claims(&api_token)["scope"], ADMIN_SCOPE);
    let (status, challenge, body) = user_info_at(&base(&cloud), &api_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(
        body["error_description"],
        "Access token does not contain openid scope"
    );
    assert!(
        challenge.is_some_and(|c| c.starts_with("Bearer error=\"invalid_token\"")),
        "RFC 6750 challenge"
    );

    let names = |info: &Value| {
        let mut names: Vec<String> = info.as_object().expect("object").keys().cloned().collect();
        names.sort();
        names
    };
    // (The demo client does not allow `phone`; its filter has a unit test.)
    let cases: [(&str, &[&str]); 3] = [
        (
            "openid email",
            &["email", "email_verified", "sub", "username"],
        ),
        ("openid profile", &["name", "sub", "username"]),
        (
            "openid",
            &[
                "email",
                "email_verified",
                "name",
                "phone_number",
                "phone_number_verified",
                "sub",
                "username",
            ],
        ),
    ];
    for (scope, expected) in cases {
        let tokens = hosted_tokens(&cloud, "info@example.com", scope).await;
        let (status, _, info) = user_info_at(&base(&cloud), &access_token(&tokens)).await;
        assert_eq!(status, StatusCode::OK, "{scope}: {info}");
        assert_eq!(names(&info), expected.to_vec(), "{scope}: {info}");
        assert_eq!(info["sub"], sub.as_str());
    }
    let tokens = hosted_tokens(&cloud, "info@example.com", "openid email").await;
    let (_, _, info) = user_info_at(&base(&cloud), &access_token(&tokens)).await;
    assert_eq!(info["email"], "info@example.com");

    // The admin scope neither replaces openid nor changes the answer.
    let admin_only = hosted_tokens(&cloud, "info@example.com", ADMIN_SCOPE).await;
    let (status, _, body) = user_info_at(&base(&cloud), &access_token(&admin_only)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn user_info_and_revoke_serve_only_the_pool_of_their_domain() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user("domain@example.com", PASSWORD).await;
    let other = other_domain(&cloud).await;
    let tokens = hosted_tokens(&cloud, "domain@example.com", "openid email").await;

    let (status, _, body) = user_info_at(&other, &access_token(&tokens)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(
        body["error_description"],
        "Access token is expired, disabled, or deleted, or the user has globally signed out."
    );
    let no_token = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", base(&cloud)))
        .send()
        .await
        .expect("userInfo");
    assert_eq!(no_token.status(), StatusCode::BAD_REQUEST);
    let body: Value = no_token.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    let (status, _, body) = user_info_at(&base(&cloud), &access_token(&tokens)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let refresh = tokens["refresh_token"].as_str().expect("refresh token");
    let client_id = cloud.demo_client();
    let revoke = |domain_base: String| {
        let form = [("token", refresh), ("client_id", client_id.as_str())];
        async move {
            let response = reqwest::Client::new()
                .post(format!("{domain_base}/oauth2/revoke"))
                .form(&form)
                .send()
                .await
                .expect("revoke");
            let status = response.status();
            (status, response.text().await.expect("body"))
        }
    };
    let (status, body) = revoke(other).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("invalid_client"), "{body}");
    let refresh_grant = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
        ("client_id", client_id.as_str()),
    ];
    let (status, body) = token(&cloud, &refresh_grant).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "not revoked by the refused call: {body}"
    );

    let (status, body) = revoke(base(&cloud)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = token(&cloud, &refresh_grant).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn an_older_demo_client_gains_the_admin_scope_on_start() {
    let cloud = TestCloud::start().await;
    let client_id = cloud.demo_client();
    let (dir, clock) = (Arc::clone(&cloud.dir), cloud.clock.clone());
    cloud.cloud.shutdown().await;

    let set_scopes = |scopes: Value| {
        let path = dir.path().join("state.json");
        let mut state: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("state")).expect("json");
        state["hosted"]["clients"][&client_id]["allowed_scopes"] = scopes;
        std::fs::write(&path, serde_json::to_vec_pretty(&state).expect("json")).expect("write");
    };
    let described_scopes = |cloud: TestCloud| async move {
        let (status, body) = cloud
            .admin(
                "DescribeUserPoolClient",
                json!({"UserPoolId": cloud.demo_pool(), "ClientId": cloud.demo_client()}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let scopes = body["UserPoolClient"]["AllowedOAuthScopes"].clone();
        cloud.cloud.shutdown().await;
        scopes
    };

    // What older versions provisioned: upgraded.
    set_scopes(json!(["openid", "email", "profile"]));
    let restarted = TestCloud::start_in(Arc::clone(&dir), clock.clone()).await;
    assert_eq!(
        described_scopes(restarted).await,
        json!(["openid", "email", "profile", ADMIN_SCOPE])
    );

    // Scopes someone chose are left alone.
    set_scopes(json!(["openid"]));
    let restarted = TestCloud::start_in(Arc::clone(&dir), clock).await;
    assert_eq!(described_scopes(restarted).await, json!(["openid"]));
}
