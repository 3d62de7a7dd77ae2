//! Passwords and attributes: ForgotPassword / ConfirmForgotPassword (codes from the outbox,
//! SECRET_HASH, expiry, attempts), ChangePassword, UpdateUserAttributes with re-verification.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::mfa::{access_token, contact_user, mfa_pool, password_sign_in};
use crate::support::{assert_error, secret_hash, TestCloud, PASSWORD};

const NEW_PASSWORD: &str = "N3w-Passw0rd!";

#[tokio::test]
async fn forgot_and_confirm_forgot_password() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(&cloud, json!({"MfaConfiguration": "OFF"}), json!({})).await;
    contact_user(&cloud, &pool_id, "fay").await;

    let missing = cloud
        .call(
            "ForgotPassword",
            json!({"ClientId": client, "Username": "nobody"}),
        )
        .await;
    assert_error(&missing, "UserNotFoundException", None);
    let (status, sent) = cloud
        .call(
            "ForgotPassword",
            json!({"ClientId": client, "Username": "fay"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(sent["CodeDeliveryDetails"]["Destination"], "f***@e***");
    let outbox = cloud.outbox().await;
    assert_eq!(outbox.last().expect("mail")["purpose"], "forgot-password");
    let code = cloud.last_code("fay@example.com").await;
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    let confirm = |code: String, password: &'static str| {
        let cloud = &cloud;
        let client = client.clone();
        async move {
            cloud
                .call("ConfirmForgotPassword", json!({"ClientId": client, "Username": "fay", "ConfirmationCode": code, "Password": password}))
                .await
        }
    };
    assert_error(
        &confirm(code.clone(), "weak").await,
        "InvalidPasswordException",
        None,
    );
    assert_error(
        &confirm(wrong, NEW_PASSWORD).await,
        "CodeMismatchException",
        None,
    );
    let (status, body) = confirm(code.clone(), NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &confirm(code, NEW_PASSWORD).await,
        "ExpiredCodeException",
        None,
    );

    let old = password_sign_in(&cloud, &client, "fay", json!({})).await;
    assert_error(
        &old,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
    let (status, body) = cloud
        .call("InitiateAuth", json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "fay", "PASSWORD": NEW_PASSWORD}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Codes live one hour.
    cloud
        .call(
            "ForgotPassword",
            json!({"ClientId": client, "Username": "fay"}),
        )
        .await;
    let code = cloud.last_code("fay@example.com").await;
    cloud.clock.advance(Duration::from_secs(3600));
    assert_error(&confirm(code, PASSWORD).await, "ExpiredCodeException", None);

    // Five wrong codes lock the code.
    cloud
        .call(
            "ForgotPassword",
            json!({"ClientId": client, "Username": "fay"}),
        )
        .await;
    let code = cloud.last_code("fay@example.com").await;
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    for _ in 0..5 {
        assert_error(
            &confirm(wrong.clone(), PASSWORD).await,
            "CodeMismatchException",
            None,
        );
    }
    assert_error(
        &confirm(code, PASSWORD).await,
        "LimitExceededException",
        None,
    );
}

#[tokio::test]
async fn forgot_password_checks_the_secret_hash() {
    let cloud = TestCloud::start().await;
    let (pool_id, client, secret) = cloud
        .pool_with_client(false, json!({"GenerateSecret": true}))
        .await;
    let secret = secret.expect("secret");
    contact_user(&cloud, &pool_id, "sid").await;
    let missing = cloud
        .call(
            "ForgotPassword",
            json!({"ClientId": client, "Username": "sid"}),
        )
        .await;
    assert_error(&missing, "NotAuthorizedException", None);
    let (status, body) = cloud
        .call("ForgotPassword", json!({"ClientId": client, "Username": "sid", "SecretHash": secret_hash(&secret, "sid", &client)}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = cloud.last_code("sid@example.com").await;
    let unsigned = cloud
        .call("ConfirmForgotPassword", json!({"ClientId": client, "Username": "sid", "ConfirmationCode": code, "Password": NEW_PASSWORD}))
        .await;
    assert_error(&unsigned, "NotAuthorizedException", None);
    let (status, body) = cloud
        .call("ConfirmForgotPassword", json!({"ClientId": client, "Username": "sid", "ConfirmationCode": code, "Password": NEW_PASSWORD, "SecretHash": secret_hash(&secret, "sid", &client)}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn change_password_checks_the_previous_one() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(&cloud, json!({"MfaConfiguration": "OFF"}), json!({})).await;
    contact_user(&cloud, &pool_id, "cid").await;
    let (_, body) = password_sign_in(&cloud, &client, "cid", json!({})).await;
    let token = access_token(&body);
    let wrong = cloud
        .call("ChangePassword", json!({"AccessToken": token, "PreviousPassword": "Wr0ng-pass!", "ProposedPassword": NEW_PASSWORD}))
        .await;
    assert_error(
        &wrong,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
    let weak = cloud
        .call(
            "ChangePassword",
            json!({"AccessToken": token, "PreviousPassword": PASSWORD, "ProposedPassword": "weak"}),
        )
        .await;
    assert_error(&weak, "InvalidPasswordException", None);
    let (status, body) = cloud
        .call("ChangePassword", json!({"AccessToken": token, "PreviousPassword": PASSWORD, "ProposedPassword": NEW_PASSWORD}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &password_sign_in(&cloud, &client, "cid", json!({})).await,
        "NotAuthorizedException",
        None,
    );
}

#[tokio::test]
async fn changed_email_and_phone_are_unverified_until_their_codes_come_back() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OFF"}),
        json!({"AutoVerifiedAttributes": ["email", "phone_number"]}),
    )
    .await;
    contact_user(&cloud, &pool_id, "ute").await;
    let (_, body) = password_sign_in(&cloud, &client, "ute", json!({})).await;
    let token = access_token(&body);

    let bad = cloud.call("UpdateUserAttributes", json!({"AccessToken": token, "UserAttributes": [{"Name": "phone_number", "Value": "555-0123"}]})).await;
    assert_error(
        &bad,
        "InvalidParameterException",
        Some("Invalid phone number format."),
    );
    let (status, body) = cloud
        .call("UpdateUserAttributes", json!({"AccessToken": token, "UserAttributes": [{"Name": "email", "Value": "new@example.com"}, {"Name": "phone_number", "Value": "+15555550199"}, {"Name": "given_name", "Value": "Ute"}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mediums: Vec<&str> = body["CodeDeliveryDetailsList"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["DeliveryMedium"].as_str().expect("medium"))
        .collect();
    assert_eq!(mediums, ["EMAIL", "SMS"]);

    let (_, user) = cloud.call("GetUser", json!({"AccessToken": token})).await;
    let attr = |name: &str| {
        user["UserAttributes"]
            .as_array()
            .expect("attrs")
            .iter()
            .find(|a| a["Name"] == name)
            .map(|a| a["Value"].clone())
    };
    assert_eq!(attr("email"), Some(json!("new@example.com")));
    assert_eq!(attr("email_verified"), Some(json!("false")));
    assert_eq!(attr("phone_number_verified"), Some(json!("false")));

    let outbox = cloud.outbox().await;
    let sms = outbox
        .iter()
        .rev()
        .find(|m| m["destination"] == "+15555550199")
        .expect("a text");
    assert_eq!(sms["channel"], "sms");
    assert_eq!(sms["purpose"], "attribute-verification");
    let email_code = cloud.last_code("new@example.com").await;
    let wrong = format!(
        "{:06}",
        (email_code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );
    let mismatch = cloud
        .call(
            "VerifyUserAttribute",
            json!({"AccessToken": token, "AttributeName": "email", "Code": wrong}),
        )
        .await;
    assert_error(&mismatch, "CodeMismatchException", None);
    let (status, body) = cloud
        .call(
            "VerifyUserAttribute",
            json!({"AccessToken": token, "AttributeName": "email", "Code": email_code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = cloud
        .call(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": token, "AttributeName": "phone_number"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["CodeDeliveryDetails"]["Destination"], "+*******0199");
    let phone_code = cloud.last_code("+15555550199").await;
    let (status, body) = cloud
        .call(
            "VerifyUserAttribute",
            json!({"AccessToken": token, "AttributeName": "phone_number", "Code": phone_code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, user) = cloud.call("GetUser", json!({"AccessToken": token})).await;
    for flag in ["email_verified", "phone_number_verified"] {
        let value = user["UserAttributes"]
            .as_array()
            .expect("attrs")
            .iter()
            .find(|a| a["Name"] == flag)
            .map(|a| a["Value"].clone());
        assert_eq!(value, Some(json!("true")), "{flag}");
    }
    let nope = cloud
        .call(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": token, "AttributeName": "given_name"}),
        )
        .await;
    assert_error(&nope, "InvalidParameterException", None);
}

#[tokio::test]
async fn phone_numbers_get_sign_up_codes_and_invitations_by_sms() {
    let cloud = TestCloud::start().await;
    let (pool_id, client) = mfa_pool(
        &cloud,
        json!({"MfaConfiguration": "OFF"}),
        json!({"AutoVerifiedAttributes": ["phone_number"]}),
    )
    .await;
    let (status, body) = cloud
        .call("SignUp", json!({"ClientId": client, "Username": "phil", "Password": PASSWORD, "UserAttributes": [{"Name": "phone_number", "Value": "+447700900123"}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["CodeDeliveryDetails"]["DeliveryMedium"], "SMS");
    assert_eq!(body["CodeDeliveryDetails"]["AttributeName"], "phone_number");
    let outbox = cloud.outbox().await;
    let text = outbox.last().expect("a text");
    assert_eq!(
        (text["channel"].as_str(), text["purpose"].as_str()),
        (Some("sms"), Some("sign-up"))
    );
    let code = text["code"].as_str().expect("code");
    let (status, body) = cloud
        .call(
            "ConfirmSignUp",
            json!({"ClientId": client, "Username": "phil", "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, user) = cloud
        .admin(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": "phil"}),
        )
        .await;
    let verified = user["UserAttributes"]
        .as_array()
        .expect("attrs")
        .iter()
        .find(|a| a["Name"] == "phone_number_verified")
        .map(|a| a["Value"].clone());
    assert_eq!(verified, Some(json!("true")));

    let (status, body) = cloud
        .admin("AdminCreateUser", json!({"UserPoolId": pool_id, "Username": "ivy", "DesiredDeliveryMediums": ["SMS"], "UserAttributes": [{"Name": "phone_number", "Value": "+447700900456"}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let outbox = cloud.outbox().await;
    let invitation = outbox.last().expect("a text");
    assert_eq!(
        (
            invitation["channel"].as_str(),
            invitation["purpose"].as_str()
        ),
        (Some("sms"), Some("temporary-password"))
    );
    assert_eq!(invitation["destination"], "+447700900456");
    let nowhere = cloud
        .admin(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "noel", "DesiredDeliveryMediums": ["SMS"]}),
        )
        .await;
    assert_error(&nowhere, "InvalidParameterException", None);
}
