//! The main user journey and the failures along it.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{assert_error, TestCloud, PASSWORD};

async fn jwks(cloud: &TestCloud, pool_id: &str) -> Value {
    cloud
        .http
        .get(format!(
            "{}/{pool_id}/.well-known/jwks.json",
            cloud.endpoint()
        ))
        .send()
        .await
        .expect("jwks request")
        .json()
        .await
        .expect("jwks json")
}

/// Verifies `token` against the served JWKS the way a relying party would.
async fn verify_with_jwks(
    cloud: &TestCloud,
    pool_id: &str,
    token: &str,
    audience: Option<&str>,
) -> Value {
    let keys = jwks(cloud, pool_id).await;
    let header = jsonwebtoken::decode_header(token).expect("JWT header");
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("kid");
    let jwk = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("the token's kid is served");
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["use"], "sig");
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )
    .expect("key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[format!("{}/{pool_id}", cloud.endpoint())]);
    match audience {
        Some(aud) => validation.set_audience(&[aud]),
        None => validation.validate_aud = false,
    }
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .expect("token verifies against the JWKS")
        .claims
}

#[tokio::test]
async fn sign_up_confirm_srp_sign_in_tokens_refresh_and_revoke() {
    let cloud = TestCloud::start().await;
    let (pool_id, client_id) = (cloud.demo_pool(), cloud.demo_client());
    let email = "alice@example.com";

    let signed_up = cloud.sign_up(&client_id, email, PASSWORD).await;
    assert_eq!(signed_up["UserConfirmed"], false);
    assert_eq!(
        signed_up["CodeDeliveryDetails"],
        json!({"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"})
    );
    let sub = signed_up["UserSub"].as_str().expect("UserSub").to_owned();

    let outbox = cloud.outbox().await;
    let message = outbox.last().expect("a message");
    assert_eq!(message["purpose"], "sign-up");
    assert_eq!(message["channel"], "email");
    assert_eq!(message["destination"], email);
    assert_eq!(message["user_pool_id"], pool_id.as_str());
    assert_eq!(
        message["username"],
        sub.as_str(),
        "e-mail pools name users by their sub"
    );
    let code = message["code"].as_str().expect("code");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));

    let confirmed = cloud
        .call(
            "ConfirmSignUp",
            json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(confirmed, (StatusCode::OK, json!({})));

    let (status, signed_in) = cloud
        .srp_sign_in(&pool_id, &client_id, email, PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let result = &signed_in["AuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);
    let access = result["AccessToken"]
        .as_str()
        .expect("access token")
        .to_owned();
    let id_token = result["IdToken"].as_str().expect("id token");
    let refresh = result["RefreshToken"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    assert!(refresh.len() >= 43, "at least 256 bits");

    let access_claims = verify_with_jwks(&cloud, &pool_id, &access, None).await;
    assert_eq!(access_claims["token_use"], "access");
    assert_eq!(access_claims["sub"], sub.as_str());
    assert_eq!(access_claims["username"], sub.as_str());
    assert_eq!(access_claims["client_id"], client_id.as_str());
    assert_eq!(access_claims["scope"], "aws.cognito.signin.user.admin");
    let id_claims = verify_with_jwks(&cloud, &pool_id, id_token, Some(&client_id)).await;
    assert_eq!(id_claims["token_use"], "id");
    assert_eq!(id_claims["email"], email);
    assert_eq!(id_claims["email_verified"], true);
    assert_eq!(id_claims["cognito:username"], sub.as_str());
    assert_eq!(id_claims["origin_jti"], access_claims["origin_jti"]);
    assert_eq!(
        id_claims["exp"].as_i64().expect("exp") - id_claims["iat"].as_i64().expect("iat"),
        3600
    );

    let discovery: Value = cloud
        .http
        .get(format!(
            "{}/{pool_id}/.well-known/openid-configuration",
            cloud.endpoint()
        ))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(
        discovery["issuer"],
        format!("{}/{pool_id}", cloud.endpoint())
    );
    assert_eq!(
        discovery["jwks_uri"],
        format!("{}/{pool_id}/.well-known/jwks.json", cloud.endpoint())
    );

    let (status, user) = cloud.call("GetUser", json!({"AccessToken": access})).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["Username"], sub.as_str());
    let attributes = user["UserAttributes"].as_array().expect("attributes");
    assert!(attributes.contains(&json!({"Name": "email", "Value": email})));
    assert!(attributes.contains(&json!({"Name": "email_verified", "Value": "true"})));
    assert!(attributes.contains(&json!({"Name": "sub", "Value": sub})));

    // The demo pool tracks devices: its refresh tokens need the confirmed DEVICE_KEY.
    let device_key = cloud
        .track_new_device(&signed_in["AuthenticationResult"])
        .await;
    let (status, refreshed) = cloud
        .call("InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh, "DEVICE_KEY": device_key}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let new_access = refreshed["AuthenticationResult"]["AccessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    assert!(
        refreshed["AuthenticationResult"]
            .get("RefreshToken")
            .is_none(),
        "no rotation"
    );
    assert_ne!(new_access, access);
    let new_claims = verify_with_jwks(&cloud, &pool_id, &new_access, None).await;
    assert_eq!(new_claims["origin_jti"], access_claims["origin_jti"]);
    assert_eq!(
        cloud
            .call("GetUser", json!({"AccessToken": new_access}))
            .await
            .0,
        StatusCode::OK
    );

    let revoked = cloud
        .call(
            "RevokeToken",
            json!({"ClientId": client_id, "Token": refresh}),
        )
        .await;
    assert_eq!(revoked, (StatusCode::OK, json!({})));
    let refused = cloud
        .call("InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": refresh}}))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Refresh Token has been revoked"),
    );
    for token in [&access, &new_access] {
        let refused = cloud.call("GetUser", json!({"AccessToken": token})).await;
        assert_error(
            &refused,
            "NotAuthorizedException",
            Some("Access Token has been revoked"),
        );
    }
}

#[tokio::test]
async fn wrong_password_is_refused_in_both_flows() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user("bob@example.com", PASSWORD).await;
    let refused = cloud
        .srp_sign_in(
            &cloud.demo_pool(),
            &cloud.demo_client(),
            "bob@example.com",
            "Wr0ng-Password!",
        )
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );

    let (pool_id, client_id, _) = cloud
        .pool_with_client(
            false,
            json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    cloud.admin_user(&pool_id, "bob", PASSWORD).await;
    let password_auth = |password: &'static str| json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "bob", "PASSWORD": password}});
    let refused = cloud
        .call("InitiateAuth", password_auth("Wr0ng-Password!"))
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
    let (status, ok) = cloud.call("InitiateAuth", password_auth(PASSWORD)).await;
    assert_eq!(status, StatusCode::OK, "{ok}");
    assert!(ok["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test]
async fn user_password_auth_needs_the_client_to_allow_it() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user("carol@example.com", PASSWORD).await;
    let refused = cloud
        .call(
            "InitiateAuth",
            json!({"ClientId": cloud.demo_client(), "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "carol@example.com", "PASSWORD": PASSWORD}}),
        )
        .await;
    assert_error(
        &refused,
        "InvalidParameterException",
        Some("USER_PASSWORD_AUTH flow not enabled for this client"),
    );

    let (_, client_id, _) = cloud
        .pool_with_client(
            false,
            json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    let refused = cloud
        .call(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": "x", "SRP_A": "02"}}),
        )
        .await;
    assert_error(
        &refused,
        "InvalidParameterException",
        Some("USER_SRP_AUTH flow not enabled for this client"),
    );
    let refused = cloud
        .call(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "x", "PASSWORD": PASSWORD}}),
        )
        .await;
    assert_error(
        &refused,
        "InvalidParameterException",
        Some("Initiate Auth method not supported."),
    );
}

#[tokio::test]
async fn unconfirmed_users_cannot_sign_in_but_wrong_passwords_do_not_learn_that() {
    let cloud = TestCloud::start().await;
    cloud
        .sign_up(&cloud.demo_client(), "dave@example.com", PASSWORD)
        .await;
    let refused = cloud
        .srp_sign_in(
            &cloud.demo_pool(),
            &cloud.demo_client(),
            "dave@example.com",
            PASSWORD,
        )
        .await;
    assert_error(
        &refused,
        "UserNotConfirmedException",
        Some("User is not confirmed."),
    );
    let refused = cloud
        .srp_sign_in(
            &cloud.demo_pool(),
            &cloud.demo_client(),
            "dave@example.com",
            "Wr0ng-Password!",
        )
        .await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
}

fn confirm(client_id: &str, email: &str, code: &str) -> Value {
    json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code})
}

fn another_code(code: &str) -> String {
    let n: u32 = code.parse().expect("digits");
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test]
async fn confirmation_codes_are_checked_single_use_and_expire() {
    let cloud = TestCloud::start().await;
    let client_id = cloud.demo_client();

    cloud
        .sign_up(&client_id, "erin@example.com", PASSWORD)
        .await;
    let code = cloud.last_code("erin@example.com").await;
    let wrong = cloud
        .call(
            "ConfirmSignUp",
            confirm(&client_id, "erin@example.com", &another_code(&code)),
        )
        .await;
    assert_error(
        &wrong,
        "CodeMismatchException",
        Some("Invalid verification code provided, please try again."),
    );
    assert_eq!(
        cloud
            .call(
                "ConfirmSignUp",
                confirm(&client_id, "erin@example.com", &code)
            )
            .await
            .0,
        StatusCode::OK
    );
    let reused = cloud
        .call(
            "ConfirmSignUp",
            confirm(&client_id, "erin@example.com", &code),
        )
        .await;
    assert_error(
        &reused,
        "NotAuthorizedException",
        Some("User cannot be confirmed. Current status is CONFIRMED"),
    );

    cloud
        .sign_up(&client_id, "frank@example.com", PASSWORD)
        .await;
    let code = cloud.last_code("frank@example.com").await;
    cloud
        .clock
        .advance(std::time::Duration::from_secs(25 * 3600));
    let expired = cloud
        .call(
            "ConfirmSignUp",
            confirm(&client_id, "frank@example.com", &code),
        )
        .await;
    assert_error(
        &expired,
        "ExpiredCodeException",
        Some("Invalid code provided, please request a code again."),
    );
    let (status, resent) = cloud
        .call(
            "ResendConfirmationCode",
            json!({"ClientId": client_id, "Username": "frank@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resent}");
    assert_eq!(resent["CodeDeliveryDetails"]["Destination"], "f***@e***");
    let fresh = cloud.last_code("frank@example.com").await;
    assert_eq!(
        cloud
            .call(
                "ConfirmSignUp",
                confirm(&client_id, "frank@example.com", &fresh)
            )
            .await
            .0,
        StatusCode::OK
    );

    cloud
        .sign_up(&client_id, "gina@example.com", PASSWORD)
        .await;
    let code = cloud.last_code("gina@example.com").await;
    for _ in 0..5 {
        let wrong = cloud
            .call(
                "ConfirmSignUp",
                confirm(&client_id, "gina@example.com", &another_code(&code)),
            )
            .await;
        assert_error(&wrong, "CodeMismatchException", None);
    }
    let locked = cloud
        .call(
            "ConfirmSignUp",
            confirm(&client_id, "gina@example.com", &code),
        )
        .await;
    assert_error(
        &locked,
        "LimitExceededException",
        Some("Attempt limit exceeded, please try after some time."),
    );
}

#[tokio::test]
async fn sign_up_enforces_policy_uniqueness_and_email_usernames() {
    let cloud = TestCloud::start().await;
    let client_id = cloud.demo_client();
    let sign_up = |username: &str, password: &str| json!({"ClientId": client_id, "Username": username, "Password": password});

    let short = cloud
        .call("SignUp", sign_up("hal@example.com", "Sh0rt!"))
        .await;
    assert_error(
        &short,
        "InvalidPasswordException",
        Some("Password did not conform with policy: Password not long enough"),
    );
    let no_symbol = cloud
        .call("SignUp", sign_up("hal@example.com", "NoSymbol123"))
        .await;
    assert_error(
        &no_symbol,
        "InvalidPasswordException",
        Some("Password did not conform with policy: Password must have symbol characters"),
    );
    let not_email = cloud.call("SignUp", sign_up("hal", PASSWORD)).await;
    assert_error(
        &not_email,
        "InvalidParameterException",
        Some("Username should be an email."),
    );

    cloud.sign_up(&client_id, "hal@example.com", PASSWORD).await;
    let taken = cloud
        .call("SignUp", sign_up("HAL@example.com", PASSWORD))
        .await;
    assert_error(
        &taken,
        "UsernameExistsException",
        Some("An account with the given email already exists."),
    );

    let (_, plain_client, _) = cloud.pool_with_client(false, json!({})).await;
    let ok = cloud
        .call(
            "SignUp",
            json!({"ClientId": plain_client, "Username": "ivy", "Password": PASSWORD}),
        )
        .await;
    assert_eq!(ok.0, StatusCode::OK, "{}", ok.1);
    assert!(
        ok.1.get("CodeDeliveryDetails").is_none(),
        "no auto-verified attribute, no code"
    );
    let taken = cloud
        .call(
            "SignUp",
            json!({"ClientId": plain_client, "Username": "ivy", "Password": PASSWORD}),
        )
        .await;
    assert_error(
        &taken,
        "UsernameExistsException",
        Some("User already exists"),
    );
}
