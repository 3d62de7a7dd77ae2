//! The official Rust SDK drives MFA, the admin challenge variants and devices: the response
//! shapes (UserMFASettingList, NewDeviceMetadata, challenge names) must deserialize as AWS's.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceConfigurationType, SmsMfaConfigType,
    SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
};
use local_cloud::totp::{code_at, TotpSecret};
use local_cloud::Clock as _;

use crate::mfa::{contact_user, new_client};
use crate::sdk_interop::sdk;
use crate::support::{TestCloud, PASSWORD};

#[tokio::test]
async fn the_rust_sdk_sets_up_totp_and_answers_admin_challenges() {
    let cloud = TestCloud::start().await;
    let client = sdk(&cloud);
    let pool_id = client
        .create_user_pool()
        .pool_name("sdk-mfa")
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool()
        .and_then(|p| p.id())
        .expect("id")
        .to_owned();
    let config = client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("{####}")
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    assert_eq!(config.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    let app = new_client(&cloud, &pool_id).await;
    contact_user(&cloud, &pool_id, "rusty").await;

    let signed_in = client
        .initiate_auth()
        .client_id(&app)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "rusty")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    let result = signed_in.authentication_result().expect("tokens");
    let metadata = result.new_device_metadata().expect("NewDeviceMetadata");
    assert!(metadata
        .device_key()
        .is_some_and(|k| k.starts_with("us-east-1_")));
    let token = result.access_token().expect("access token").to_owned();

    let associated = client
        .associate_software_token()
        .access_token(&token)
        .send()
        .await
        .expect("AssociateSoftwareToken");
    let secret = TotpSecret::from_base32(associated.secret_code().expect("SecretCode").to_owned());
    let verified = client
        .verify_software_token()
        .access_token(&token)
        .user_code(code_at(&secret, cloud.clock.now()).expect("code"))
        .send()
        .await
        .expect("VerifySoftwareToken");
    assert_eq!(
        verified.status(),
        Some(&aws_sdk_cognitoidentityprovider::types::VerifySoftwareTokenResponseType::Success)
    );
    client
        .set_user_mfa_preference()
        .access_token(&token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("SetUserMFAPreference");
    let user = client
        .get_user()
        .access_token(&token)
        .send()
        .await
        .expect("GetUser");
    assert_eq!(
        user.user_mfa_setting_list(),
        ["SOFTWARE_TOKEN_MFA".to_owned()]
    );
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));

    cloud.clock.advance(Duration::from_secs(30));
    let challenge = client
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&app)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "rusty")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await;
    // The client allows USER_PASSWORD_AUTH but not ADMIN_USER_PASSWORD_AUTH: refused as on AWS.
    assert!(challenge.is_err());
    let challenge = client
        .initiate_auth()
        .client_id(&app)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "rusty")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let done = client
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool_id)
        .client_id(&app)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(challenge.session().expect("Session"))
        .challenge_responses("USERNAME", "rusty")
        .challenge_responses(
            "SOFTWARE_TOKEN_MFA_CODE",
            code_at(&secret, cloud.clock.now()).expect("code"),
        )
        .send()
        .await
        .expect("AdminRespondToAuthChallenge");
    assert!(done
        .authentication_result()
        .and_then(|r| r.access_token())
        .is_some());

    let devices = client
        .admin_list_devices()
        .user_pool_id(&pool_id)
        .username("rusty")
        .send()
        .await
        .expect("AdminListDevices");
    assert!(devices.devices().is_empty(), "issued but never confirmed");
}
