//! Clients with a secret: SECRET_HASH everywhere Cognito checks it.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, secret_hash, TestCloud, PASSWORD};

#[tokio::test]
async fn secret_hash_is_required_and_checked() {
    let cloud = TestCloud::start().await;
    let (pool_id, client_id, secret) = cloud
        .pool_with_client(true, json!({"GenerateSecret": true, "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}))
        .await;
    let secret = secret.expect("client secret");
    let email = "sam@example.com";
    let mismatch = format!("Unable to verify secret hash for client {client_id}");

    let sign_up = |hash: Option<String>| {
        let mut body = json!({"ClientId": client_id, "Username": email, "Password": PASSWORD});
        if let Some(hash) = hash {
            body["SecretHash"] = json!(hash);
        }
        body
    };
    let missing = cloud.call("SignUp", sign_up(None)).await;
    assert_error(&missing, "NotAuthorizedException", None);
    let wrong = cloud
        .call(
            "SignUp",
            sign_up(Some(secret_hash(&secret, "someone@else.com", &client_id))),
        )
        .await;
    assert_error(&wrong, "NotAuthorizedException", Some(&mismatch));
    let (status, body) = cloud
        .call(
            "SignUp",
            sign_up(Some(secret_hash(&secret, email, &client_id))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sub = body["UserSub"].as_str().expect("sub").to_owned();

    let code = cloud.last_code(email).await;
    let confirm = |hash: Option<String>| {
        let mut body = json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code});
        if let Some(hash) = hash {
            body["SecretHash"] = json!(hash);
        }
        body
    };
    assert_error(
        &cloud.call("ConfirmSignUp", confirm(None)).await,
        "NotAuthorizedException",
        None,
    );
    assert_eq!(
        cloud
            .call(
                "ConfirmSignUp",
                confirm(Some(secret_hash(&secret, email, &client_id)))
            )
            .await
            .0,
        StatusCode::OK
    );

    // InitiateAuth hashes the typed USERNAME.
    let (_, status, body) = cloud.srp_start(&client_id, email, json!({})).await;
    assert_error(&(status, body), "NotAuthorizedException", None);
    let (_, status, body) = cloud
        .srp_start(
            &client_id,
            email,
            json!({"SECRET_HASH": secret_hash(&secret, &sub, &client_id)}),
        )
        .await;
    assert_error(&(status, body), "NotAuthorizedException", Some(&mismatch));

    // RespondToAuthChallenge hashes USER_ID_FOR_SRP.
    let respond = |answer: serde_json::Value| json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answer});
    let (ephemeral, status, challenge) = cloud
        .srp_start(
            &client_id,
            email,
            json!({"SECRET_HASH": secret_hash(&secret, email, &client_id)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    let answer = cloud.srp_answer(&pool_id, &ephemeral, &challenge, PASSWORD);
    assert_error(
        &cloud.call("RespondToAuthChallenge", respond(answer)).await,
        "NotAuthorizedException",
        None,
    );

    let (ephemeral, _, challenge) = cloud
        .srp_start(
            &client_id,
            email,
            json!({"SECRET_HASH": secret_hash(&secret, email, &client_id)}),
        )
        .await;
    let mut answer = cloud.srp_answer(&pool_id, &ephemeral, &challenge, PASSWORD);
    answer["SECRET_HASH"] = json!(secret_hash(&secret, &sub, &client_id));
    let (status, signed_in) = cloud.call("RespondToAuthChallenge", respond(answer)).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let refresh = signed_in["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();

    // REFRESH_TOKEN_AUTH hashes the internal username.
    let refresh_with = |hash: String| json!({"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh, "SECRET_HASH": hash}});
    let wrong = cloud
        .call(
            "InitiateAuth",
            refresh_with(secret_hash(&secret, "nobody", &client_id)),
        )
        .await;
    assert_error(&wrong, "NotAuthorizedException", Some(&mismatch));
    let (status, body) = cloud
        .call(
            "InitiateAuth",
            refresh_with(secret_hash(&secret, &sub, &client_id)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Token endpoints take the raw secret.
    let no_secret = cloud
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": client_id, "RefreshToken": refresh}),
        )
        .await;
    assert_error(&no_secret, "NotAuthorizedException", None);
    let (status, _) = cloud
        .call(
            "GetTokensFromRefreshToken",
            json!({"ClientId": client_id, "RefreshToken": refresh, "ClientSecret": secret}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let no_secret = cloud
        .call(
            "RevokeToken",
            json!({"ClientId": client_id, "Token": refresh}),
        )
        .await;
    assert_error(&no_secret, "UnauthorizedException", None);
    let (status, _) = cloud
        .call(
            "RevokeToken",
            json!({"ClientId": client_id, "Token": refresh, "ClientSecret": secret}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let revoked = cloud
        .call(
            "InitiateAuth",
            refresh_with(secret_hash(&secret, &sub, &client_id)),
        )
        .await;
    assert_error(
        &revoked,
        "NotAuthorizedException",
        Some("Refresh Token has been revoked"),
    );
}
