//! AdminCreateUser's temporary password and the NEW_PASSWORD_REQUIRED challenge.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, TestCloud, PASSWORD};

const TEMPORARY: &str = "Temp0rary-Pass!";

#[tokio::test]
async fn invited_users_must_choose_a_new_password() {
    let cloud = TestCloud::start().await;
    let (pool_id, client_id) = (cloud.demo_pool(), cloud.demo_client());
    let email = "invited@example.com";
    let (status, created) = cloud
        .admin(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": email, "TemporaryPassword": TEMPORARY, "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    let message = cloud.outbox().await.pop().expect("invitation");
    assert_eq!(message["purpose"], "temporary-password");
    assert_eq!(message["destination"], email);
    assert_eq!(message["code"], TEMPORARY);

    let (status, challenge) = cloud
        .srp_sign_in(&pool_id, &client_id, email, TEMPORARY)
        .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert!(challenge.get("AuthenticationResult").is_none());
    let session = challenge["Session"].as_str().expect("session").to_owned();
    let user_id = challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]
        .as_str()
        .expect("user id")
        .to_owned();
    let answer = |password: &str| json!({"ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ChallengeResponses": {"USERNAME": user_id, "NEW_PASSWORD": password}});

    let weak = cloud.call("RespondToAuthChallenge", answer("weak")).await;
    assert_error(&weak, "InvalidPasswordException", None);
    let (status, done) = cloud.call("RespondToAuthChallenge", answer(PASSWORD)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    let replay = cloud.call("RespondToAuthChallenge", answer(PASSWORD)).await;
    assert_error(
        &replay,
        "NotAuthorizedException",
        Some("Invalid session for the user, session is expired."),
    );

    let old = cloud
        .srp_sign_in(&pool_id, &client_id, email, TEMPORARY)
        .await;
    assert_error(
        &old,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
    let (status, body) = cloud
        .srp_sign_in(&pool_id, &client_id, email, PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, user) = cloud
        .admin(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": email}),
        )
        .await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
}

#[tokio::test]
async fn temporary_passwords_follow_the_policy_and_expire() {
    let cloud = TestCloud::start().await;
    let pool_id = cloud.demo_pool();
    let weak = cloud
        .admin("AdminCreateUser", json!({"UserPoolId": pool_id, "Username": "w@example.com", "TemporaryPassword": "short"}))
        .await;
    assert_error(&weak, "InvalidPasswordException", None);

    let (status, _) = cloud
        .admin(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "late@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let generated = cloud.last_code("late@example.com").await;
    assert!(generated.len() >= 12);
    let taken = cloud
        .admin(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "late@example.com"}),
        )
        .await;
    assert_error(
        &taken,
        "UsernameExistsException",
        Some("User account already exists"),
    );

    cloud.clock.advance(Duration::from_secs(8 * 86_400));
    let expired = cloud
        .srp_sign_in(
            &pool_id,
            &cloud.demo_client(),
            "late@example.com",
            &generated,
        )
        .await;
    assert_error(
        &expired,
        "NotAuthorizedException",
        Some("Temporary password has expired and must be reset by an administrator."),
    );
}

#[tokio::test]
async fn required_attributes_are_asked_for_and_enforced() {
    let cloud = TestCloud::start().await;
    let (status, body) = cloud
        .admin("CreateUserPool", json!({"PoolName": "schema", "Schema": [{"Name": "given_name", "AttributeDataType": "String", "Required": true}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pool_id = body["UserPool"]["Id"].as_str().expect("id").to_owned();
    let client = crate::mfa::new_client(&cloud, &pool_id).await;
    let refused = cloud
        .call(
            "SignUp",
            json!({"ClientId": client, "Username": "walt", "Password": PASSWORD}),
        )
        .await;
    assert_error(
        &refused,
        "InvalidParameterException",
        Some("Attributes did not conform to the schema: given_name: The attribute is required"),
    );

    let (status, body) = cloud
        .admin("AdminCreateUser", json!({"UserPoolId": pool_id, "Username": "gina", "TemporaryPassword": TEMPORARY, "MessageAction": "SUPPRESS"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, challenge) = cloud
        .call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "gina", "PASSWORD": TEMPORARY}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(
        challenge["ChallengeParameters"]["requiredAttributes"],
        "[\"userAttributes.given_name\"]"
    );
    let session = &challenge["Session"];
    let without = cloud
        .call("RespondToAuthChallenge", json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ChallengeResponses": {"USERNAME": "gina", "NEW_PASSWORD": PASSWORD}}))
        .await;
    assert_error(
        &without,
        "InvalidParameterException",
        Some("Invalid attributes given, given_name is missing"),
    );
    let (status, done) = cloud
        .call("RespondToAuthChallenge", json!({"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session, "ChallengeResponses": {"USERNAME": "gina", "NEW_PASSWORD": PASSWORD, "userAttributes.given_name": "Gina"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
}
