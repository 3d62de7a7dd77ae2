//! The official Rust SDK, unmodified, against the local cloud: SigV4-signed admin calls,
//! unsigned user calls, SRP, and typed errors.

use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
};
use aws_sdk_cognitoidentityprovider::Client;
use local_cloud::Clock as _;
use rand::rngs::OsRng;

use crate::support::{TestCloud, PASSWORD};

pub fn sdk(cloud: &TestCloud) -> Client {
    let admin = cloud.cloud.admin_credentials();
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
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
    Client::from_conf(config)
}

#[tokio::test]
async fn the_rust_sdk_works_unchanged() {
    let cloud = TestCloud::start().await;
    let client = sdk(&cloud);

    let pools = client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("ListUserPools");
    assert!(pools
        .user_pools()
        .iter()
        .any(|p| p.id() == Some(cloud.demo_pool().as_str())));

    let pool = client
        .create_user_pool()
        .pool_name("sdk-pool")
        .send()
        .await
        .expect("CreateUserPool");
    let pool_id = pool
        .user_pool()
        .and_then(|p| p.id())
        .expect("pool id")
        .to_owned();
    let app = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("sdk-client")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("CreateUserPoolClient");
    let client_id = app
        .user_pool_client()
        .and_then(|c| c.client_id())
        .expect("client id")
        .to_owned();

    let signed_up = client
        .sign_up()
        .client_id(&client_id)
        .username("sdk-user")
        .password(PASSWORD)
        .send()
        .await
        .expect("SignUp");
    assert!(!signed_up.user_confirmed());
    client
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("sdk-user")
        .send()
        .await
        .expect("AdminConfirmSignUp");

    let ephemeral = cognito_srp::ClientEphemeral::generate(&mut OsRng);
    let challenge = client
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "sdk-user")
        .auth_parameters("SRP_A", ephemeral.srp_a_hex())
        .send()
        .await
        .expect("InitiateAuth");
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let params = challenge.challenge_parameters().expect("parameters");
    let user_id = params["USER_ID_FOR_SRP"].clone();
    let pool_name = cognito_srp::pool_name(&pool_id).expect("pool name");
    let claim = ephemeral
        .password_claim(
            cognito_srp::Identity::User {
                pool_name,
                user_id_for_srp: &user_id,
            },
            PASSWORD,
            &params["SALT"],
            &params["SRP_B"],
            &params["SECRET_BLOCK"],
            cloud.clock.now(),
        )
        .expect("claim");
    let answer = client
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .challenge_responses("USERNAME", &user_id)
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &params["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", claim.signature_b64)
        .challenge_responses("TIMESTAMP", claim.timestamp)
        .send()
        .await
        .expect("RespondToAuthChallenge");
    let tokens = answer.authentication_result().expect("tokens");
    assert_eq!(tokens.expires_in(), 3600);
    assert_eq!(tokens.token_type(), Some("Bearer"));

    let me = client
        .get_user()
        .access_token(tokens.access_token().expect("access token"))
        .send()
        .await
        .expect("GetUser");
    assert_eq!(me.username(), "sdk-user");

    let error = client
        .get_user()
        .access_token("not-a-token")
        .send()
        .await
        .expect_err("refused");
    let service_error = error.into_service_error();
    assert!(
        service_error.is_not_authorized_exception(),
        "{service_error:?}"
    );

    let error = client
        .sign_up()
        .client_id(&client_id)
        .username("sdk-user")
        .password(PASSWORD)
        .send()
        .await
        .expect_err("duplicate");
    assert!(error.into_service_error().is_username_exists_exception());
}
