//! PreventUserExistenceErrors: LEGACY tells callers a user does not exist; ENABLED hides it.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, TestCloud, PASSWORD};

#[tokio::test]
async fn legacy_clients_say_the_user_does_not_exist() {
    let cloud = TestCloud::start().await;
    let (_, status, body) = cloud
        .srp_start(&cloud.demo_client(), "ghost@example.com", json!({}))
        .await;
    assert_error(
        &(status, body),
        "UserNotFoundException",
        Some("User does not exist."),
    );
    let confirm = cloud
        .call("ConfirmSignUp", json!({"ClientId": cloud.demo_client(), "Username": "ghost@example.com", "ConfirmationCode": "123456"}))
        .await;
    assert_error(
        &confirm,
        "UserNotFoundException",
        Some("Username/client id combination not found."),
    );

    let (_, client_id, _) = cloud
        .pool_with_client(
            false,
            json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    let refused = cloud
        .call("InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "ghost", "PASSWORD": PASSWORD}}))
        .await;
    assert_error(
        &refused,
        "UserNotFoundException",
        Some("User does not exist."),
    );
}

#[tokio::test]
async fn enabled_clients_answer_unknown_users_like_wrong_passwords() {
    let cloud = TestCloud::start().await;
    let (pool_id, client_id, _) = cloud
        .pool_with_client(
            true,
            json!({"PreventUserExistenceErrors": "ENABLED", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    let refused = cloud
        .call("InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "ghost@example.com", "PASSWORD": PASSWORD}}))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );

    // SRP: a plausible challenge, stable per name, that can never be passed.
    let (ephemeral, status, challenge) = cloud
        .srp_start(&client_id, "ghost@example.com", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(challenge["ChallengeName"], "PASSWORD_VERIFIER");
    let params = &challenge["ChallengeParameters"];
    for name in [
        "SALT",
        "SECRET_BLOCK",
        "SRP_B",
        "USERNAME",
        "USER_ID_FOR_SRP",
    ] {
        assert!(
            params[name].as_str().is_some_and(|v| !v.is_empty()),
            "{name} present"
        );
    }
    let decoy_id = params["USER_ID_FOR_SRP"].as_str().expect("id");
    assert!(
        uuid::Uuid::parse_str(decoy_id).is_ok(),
        "looks like a real e-mail pool username"
    );
    let (_, _, again) = cloud
        .srp_start(&client_id, "ghost@example.com", json!({}))
        .await;
    assert_eq!(again["ChallengeParameters"]["SALT"], params["SALT"]);
    assert_eq!(
        again["ChallengeParameters"]["USER_ID_FOR_SRP"],
        params["USER_ID_FOR_SRP"]
    );
    let (_, _, other) = cloud
        .srp_start(&client_id, "phantom@example.com", json!({}))
        .await;
    assert_ne!(other["ChallengeParameters"]["SALT"], params["SALT"]);

    let answer = cloud.srp_answer(&pool_id, &ephemeral, &challenge, PASSWORD);
    let refused = cloud
        .call("RespondToAuthChallenge", json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answer}))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
}
