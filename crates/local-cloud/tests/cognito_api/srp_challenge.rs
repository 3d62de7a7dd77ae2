//! The PASSWORD_VERIFIER challenge refuses everything a careless or hostile client might send.

use local_cloud::Clock as _;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use time::macros::datetime;

use crate::support::{assert_error, TestCloud, PASSWORD};

const EMAIL: &str = "srp@example.com";

fn respond(client_id: &str, responses: &Value) -> Value {
    json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses})
}

/// The 3072-bit group prime, from the shared SRP vectors.
fn modulus_hex() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/cognito-srp-vectors.json"
    );
    let vectors: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vectors file")).expect("json");
    vectors["constants"]["N_hex"]
        .as_str()
        .expect("N_hex")
        .to_lowercase()
}

#[tokio::test]
async fn a_secret_block_cannot_be_replayed() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user(EMAIL, PASSWORD).await;
    let (ephemeral, status, challenge) = cloud
        .srp_start(&cloud.demo_client(), EMAIL, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let answer = cloud.srp_answer(&cloud.demo_pool(), &ephemeral, &challenge, PASSWORD);
    let first = cloud
        .call(
            "RespondToAuthChallenge",
            respond(&cloud.demo_client(), &answer),
        )
        .await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    let replay = cloud
        .call(
            "RespondToAuthChallenge",
            respond(&cloud.demo_client(), &answer),
        )
        .await;
    assert_error(
        &replay,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
}

#[tokio::test]
async fn a_failed_answer_also_uses_up_the_secret_block() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user(EMAIL, PASSWORD).await;
    let (ephemeral, _, challenge) = cloud
        .srp_start(&cloud.demo_client(), EMAIL, json!({}))
        .await;
    let wrong = cloud.srp_answer(
        &cloud.demo_pool(),
        &ephemeral,
        &challenge,
        "Wr0ng-Password!",
    );
    let refused = cloud
        .call(
            "RespondToAuthChallenge",
            respond(&cloud.demo_client(), &wrong),
        )
        .await;
    assert_error(&refused, "NotAuthorizedException", None);
    let right = cloud.srp_answer(&cloud.demo_pool(), &ephemeral, &challenge, PASSWORD);
    let refused = cloud
        .call(
            "RespondToAuthChallenge",
            respond(&cloud.demo_client(), &right),
        )
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
}

#[tokio::test]
async fn a_secret_block_expires_after_three_minutes() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user(EMAIL, PASSWORD).await;
    let (ephemeral, _, challenge) = cloud
        .srp_start(&cloud.demo_client(), EMAIL, json!({}))
        .await;
    cloud.clock.advance(Duration::from_secs(4 * 60));
    // Signed at the new time, so only the challenge's age is wrong.
    let answer = cloud.srp_answer(&cloud.demo_pool(), &ephemeral, &challenge, PASSWORD);
    let refused = cloud
        .call(
            "RespondToAuthChallenge",
            respond(&cloud.demo_client(), &answer),
        )
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
}

#[tokio::test]
async fn timestamps_must_be_exactly_formatted_and_recent() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user(EMAIL, PASSWORD).await;
    let (pool_id, client_id) = (cloud.demo_pool(), cloud.demo_client());
    cloud.clock.set(datetime!(2030-03-05 10:00:00 UTC));
    let pool_name = cognito_srp::pool_name(&pool_id)
        .expect("pool name")
        .to_owned();

    // A valid signature over a zero-padded day: only the format is wrong.
    let (ephemeral, _, challenge) = cloud.srp_start(&client_id, EMAIL, json!({})).await;
    let params = &challenge["ChallengeParameters"];
    let user_id = params["USER_ID_FOR_SRP"].as_str().expect("user id");
    let identity = cognito_srp::Identity::User {
        pool_name: &pool_name,
        user_id_for_srp: user_id,
    };
    let key = ephemeral
        .session_key(
            identity,
            PASSWORD,
            params["SALT"].as_str().expect("salt"),
            params["SRP_B"].as_str().expect("B"),
        )
        .expect("session key");
    let secret_block = params["SECRET_BLOCK"].as_str().expect("secret block");
    let padded = "Tue Mar 05 10:00:00 UTC 2030";
    assert_eq!(
        cognito_srp::timestamp::format(cloud.clock.now()),
        "Tue Mar 5 10:00:00 UTC 2030"
    );
    let signature = key.sign(identity, secret_block, padded).expect("signs");
    let answer = json!({"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": secret_block, "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": padded});
    let refused = cloud
        .call("RespondToAuthChallenge", respond(&client_id, &answer))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );

    // A correctly formatted timestamp six minutes old.
    let (ephemeral, _, challenge) = cloud.srp_start(&client_id, EMAIL, json!({})).await;
    let real_now = cloud.clock.now();
    cloud.clock.set(real_now - Duration::from_secs(6 * 60));
    let stale = cloud.srp_answer(&pool_id, &ephemeral, &challenge, PASSWORD);
    cloud.clock.set(real_now);
    let refused = cloud
        .call("RespondToAuthChallenge", respond(&client_id, &stale))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );

    // And the same flow at the right time works.
    let (status, body) = cloud
        .srp_sign_in(&pool_id, &client_id, EMAIL, PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn srp_a_congruent_to_zero_is_refused() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user(EMAIL, PASSWORD).await;
    let n = modulus_hex();
    for srp_a in ["0".to_owned(), "00".to_owned(), n.clone()] {
        let refused = cloud
            .call(
                "InitiateAuth",
                json!({"ClientId": cloud.demo_client(), "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": EMAIL, "SRP_A": srp_a}}),
            )
            .await;
        assert_error(&refused, "NotAuthorizedException", None);
    }
    cloud.assert_serving().await;
}

#[tokio::test]
async fn the_answer_must_name_the_challenged_user_and_come_from_the_same_client() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user(EMAIL, PASSWORD).await;
    cloud.confirmed_user("other@example.com", PASSWORD).await;
    let (pool_id, client_id) = (cloud.demo_pool(), cloud.demo_client());

    let (ephemeral, _, challenge) = cloud.srp_start(&client_id, EMAIL, json!({})).await;
    let mut answer = cloud.srp_answer(&pool_id, &ephemeral, &challenge, PASSWORD);
    answer["USERNAME"] = json!("other@example.com");
    let refused = cloud
        .call("RespondToAuthChallenge", respond(&client_id, &answer))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );

    let (status, other_client) = cloud
        .admin(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "second"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let other_client = other_client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("id")
        .to_owned();
    let (ephemeral, _, challenge) = cloud.srp_start(&client_id, EMAIL, json!({})).await;
    let answer = cloud.srp_answer(&pool_id, &ephemeral, &challenge, PASSWORD);
    let refused = cloud
        .call("RespondToAuthChallenge", respond(&other_client, &answer))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );

    let missing = cloud
        .call(
            "RespondToAuthChallenge",
            respond(
                &client_id,
                &json!({"USERNAME": EMAIL, "TIMESTAMP": "x", "PASSWORD_CLAIM_SIGNATURE": "x"}),
            ),
        )
        .await;
    assert_error(
        &missing,
        "InvalidParameterException",
        Some("Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK"),
    );
}
