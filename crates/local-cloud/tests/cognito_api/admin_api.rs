//! Admin operations require a SigV4 signature made with the local cloud's admin key.

use local_cloud::Clock as _;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, TestCloud, PASSWORD};

#[tokio::test]
async fn admin_calls_need_a_valid_recent_signature_by_the_admin_key() {
    let cloud = TestCloud::start().await;
    let list = json!({"MaxResults": 10});

    let unsigned = cloud.call("ListUserPools", list.clone()).await;
    assert_error(&unsigned, "MissingAuthenticationTokenException", None);

    let admin = cloud.cloud.admin_credentials().clone();
    let now = cloud.clock.now();
    let wrong_secret = cloud
        .signed(
            "ListUserPools",
            list.clone(),
            &admin.access_key_id,
            "not-the-admin-secret-at-all-000000000000",
            now,
        )
        .await;
    assert_error(&wrong_secret, "InvalidSignatureException", None);
    assert!(wrong_secret.1["message"]
        .as_str()
        .expect("message")
        .starts_with("The request signature we calculated does not match"));

    let unknown_key = cloud
        .signed(
            "ListUserPools",
            list.clone(),
            "AKIAUNKNOWN000000000",
            admin.secret_access_key.expose(),
            now,
        )
        .await;
    assert_error(
        &unknown_key,
        "UnrecognizedClientException",
        Some("The security token included in the request is invalid."),
    );

    let stale = cloud
        .signed(
            "ListUserPools",
            list.clone(),
            &admin.access_key_id,
            admin.secret_access_key.expose(),
            now - Duration::from_secs(6 * 60),
        )
        .await;
    assert_error(&stale, "InvalidSignatureException", None);
    assert!(stale.1["message"]
        .as_str()
        .expect("message")
        .starts_with("Signature expired:"));

    let (status, pools) = cloud.admin("ListUserPools", list).await;
    assert_eq!(status, StatusCode::OK, "{pools}");
    let listed = pools["UserPools"].as_array().expect("pools");
    assert!(listed
        .iter()
        .any(|p| p["Id"] == cloud.demo_pool().as_str() && p["Name"] == "coffer-demo"));
    cloud.assert_serving().await;
}

#[tokio::test]
async fn the_demo_backend_is_described_as_provisioned() {
    let cloud = TestCloud::start().await;
    let (status, pool) = cloud
        .admin("DescribeUserPool", json!({"UserPoolId": cloud.demo_pool()}))
        .await;
    assert_eq!(status, StatusCode::OK, "{pool}");
    let pool = &pool["UserPool"];
    assert_eq!(pool["Name"], "coffer-demo");
    assert_eq!(pool["UsernameAttributes"], json!(["email"]));
    assert_eq!(pool["AutoVerifiedAttributes"], json!(["email"]));
    assert_eq!(pool["Policies"]["PasswordPolicy"]["MinimumLength"], 8);
    assert_eq!(pool["Policies"]["PasswordPolicy"]["RequireSymbols"], true);

    let (status, client) = cloud
        .admin(
            "DescribeUserPoolClient",
            json!({"UserPoolId": cloud.demo_pool(), "ClientId": cloud.demo_client()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{client}");
    let client = &client["UserPoolClient"];
    assert_eq!(client["ClientName"], "coffer-desktop");
    assert!(client.get("ClientSecret").is_none());
    assert_eq!(
        client["ExplicitAuthFlows"],
        json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    );

    let (status, clients) = cloud
        .admin(
            "ListUserPoolClients",
            json!({"UserPoolId": cloud.demo_pool()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        clients["UserPoolClients"][0]["ClientId"],
        cloud.demo_client().as_str()
    );

    let id = cloud.demo_pool();
    let (region, suffix) = id.split_once('_').expect("region_suffix");
    assert_eq!(region, "us-east-1");
    assert_eq!(suffix.len(), 9);
    let client_id = cloud.demo_client();
    assert_eq!(client_id.len(), 26);
}

#[tokio::test]
async fn pool_and_client_settings_are_validated() {
    let cloud = TestCloud::start().await;
    let (status, body) = cloud
        .admin(
            "CreateUserPoolClient",
            json!({"UserPoolId": cloud.demo_pool(), "ClientName": "c", "GenerateSecret": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let client = &body["UserPoolClient"];
    assert_eq!(client["ClientSecret"].as_str().expect("secret").len(), 51);
    assert_eq!(
        client["ExplicitAuthFlows"],
        json!([
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH"
        ])
    );
    assert_eq!(client["PreventUserExistenceErrors"], "LEGACY");

    let no_refresh = cloud
        .admin("CreateUserPoolClient", json!({"UserPoolId": cloud.demo_pool(), "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]}))
        .await;
    assert_error(
        &no_refresh,
        "InvalidParameterException",
        Some("REFRESH_TOKEN_AUTH should always be allowed."),
    );
    let no_pool = cloud
        .admin(
            "DescribeUserPool",
            json!({"UserPoolId": "us-east-1_nothere00"}),
        )
        .await;
    assert_error(&no_pool, "ResourceNotFoundException", None);
    let mfa = cloud
        .admin(
            "CreateUserPool",
            json!({"PoolName": "p", "MfaConfiguration": "ON"}),
        )
        .await;
    assert_error(&mfa, "InvalidParameterException", None);
    let (status, pool) = cloud
        .admin(
            "CreateUserPool",
            json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 12}}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let policy = &pool["UserPool"]["Policies"]["PasswordPolicy"];
    assert_eq!(policy["MinimumLength"], 12);
    assert_eq!(policy["RequireSymbols"], false);
}

#[tokio::test]
async fn admin_user_management() {
    let cloud = TestCloud::start().await;
    let pool_id = cloud.demo_pool();
    cloud
        .sign_up(&cloud.demo_client(), "zed@example.com", PASSWORD)
        .await;
    let get = json!({"UserPoolId": pool_id, "Username": "zed@example.com"});
    let (status, user) = cloud.admin("AdminGetUser", get.clone()).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["UserStatus"], "UNCONFIRMED");
    assert_eq!(user["Enabled"], true);
    assert!(user["UserCreateDate"].is_number());

    assert_eq!(
        cloud.admin("AdminConfirmSignUp", get.clone()).await.0,
        StatusCode::OK
    );
    let again = cloud.admin("AdminConfirmSignUp", get.clone()).await;
    assert_error(
        &again,
        "NotAuthorizedException",
        Some("User cannot be confirmed. Current status is CONFIRMED"),
    );
    assert_eq!(
        cloud.admin("AdminGetUser", get.clone()).await.1["UserStatus"],
        "CONFIRMED"
    );

    let weak = cloud
        .admin("AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": "zed@example.com", "Password": "weak", "Permanent": true}))
        .await;
    assert_error(&weak, "InvalidPasswordException", None);
    let new_password = "An0ther-Secret!";
    let (status, _) = cloud
        .admin("AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": "zed@example.com", "Password": new_password, "Permanent": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, signed_in) = cloud
        .srp_sign_in(
            &pool_id,
            &cloud.demo_client(),
            "zed@example.com",
            new_password,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let access = signed_in["AuthenticationResult"]["AccessToken"].clone();

    assert_eq!(
        cloud.admin("AdminDeleteUser", get.clone()).await.0,
        StatusCode::OK
    );
    assert_error(
        &cloud.admin("AdminGetUser", get).await,
        "UserNotFoundException",
        Some("User does not exist."),
    );
    let refused = cloud.call("GetUser", json!({"AccessToken": access})).await;
    assert_error(
        &refused,
        "NotAuthorizedException",
        Some("Access Token has been revoked"),
    );
}

#[tokio::test]
async fn admin_password_sign_in() {
    let cloud = TestCloud::start().await;
    let (pool_id, client_id, _) = cloud
        .pool_with_client(false, json!({"ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}))
        .await;
    cloud.admin_user(&pool_id, "amy", PASSWORD).await;
    let request = |flow: &str, password: &str| json!({"UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": flow, "AuthParameters": {"USERNAME": "amy", "PASSWORD": password}});
    let (status, body) = cloud
        .admin(
            "AdminInitiateAuth",
            request("ADMIN_USER_PASSWORD_AUTH", PASSWORD),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["AuthenticationResult"]["AccessToken"].is_string());
    let (status, body) = cloud
        .admin("AdminInitiateAuth", request("ADMIN_NO_SRP_AUTH", PASSWORD))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let wrong = cloud
        .admin(
            "AdminInitiateAuth",
            request("ADMIN_USER_PASSWORD_AUTH", "Wr0ng-Password!"),
        )
        .await;
    assert_error(
        &wrong,
        "NotAuthorizedException",
        Some("Incorrect username or password."),
    );
    let unsigned = cloud
        .call(
            "AdminInitiateAuth",
            request("ADMIN_USER_PASSWORD_AUTH", PASSWORD),
        )
        .await;
    assert_error(&unsigned, "MissingAuthenticationTokenException", None);
}
