//! MFA_SETUP with e-mail: a pool that requires MFA, a user with no factor and no verified
//! address. The user chooses e-mail (or is sent straight there when it is the only factor that
//! can be set up), gives an address, and answers the code mailed to it.

use aws_sdk_cognitoidentityprovider::types::{
    EmailMfaConfigType, SmsConfigurationType, SmsMfaConfigType, SoftwareTokenMfaConfigType,
    UserPoolMfaType,
};
use coffer_core::{DeliveryMedium, Error, MfaKind, SignInStep};

use super::mfa::{password_step, wrong, MfaWorld, PoolSetup};
use super::PASSWORD;

/// A confirmed user whose e-mail (the username) is not verified and who has no phone, so no
/// factor is usable yet.
async fn user_without_factors(world: &MfaWorld, email: &str) {
    world.user_with(email, &[("email_verified", "false")]).await;
}

/// Turns MFA on with exactly these factors.
async fn require_mfa(world: &MfaWorld, totp: bool, sms: bool, email: bool) {
    let mut config = world
        .admin
        .set_user_pool_mfa_config()
        .user_pool_id(&world.pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(totp).build(),
        );
    if sms {
        config = config.sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::000000000000:role/coffer-sms")
                        .build(),
                )
                .build(),
        );
    }
    if email {
        config = config.email_mfa_configuration(EmailMfaConfigType::builder().build());
    }
    config.send().await.expect("SetUserPoolMfaConfig");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choosing_email_mfa_setup_then_a_wrong_and_a_right_code() {
    let world = MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::On,
        remember_devices: false,
        totp_only: false,
    })
    .await;
    let (client, _) = world.client();
    let email = "ines@example.com";
    user_without_factors(&world, email).await;

    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::SelectMfaSetup(select) = step else {
        panic!("expected a choice of factor to set up, got {step:?}");
    };
    // SMS is offered by the pool but cannot be set up inside a sign-in.
    assert_eq!(select.options(), [MfaKind::Totp, MfaKind::Email]);
    let refused = select.choose(MfaKind::Sms).await.expect_err("not offered");
    assert!(
        matches!(refused.error(), Error::InvalidParameter { .. }),
        "{refused:?}"
    );
    let select = refused.into_retry().expect("the choice comes back");
    let SignInStep::SetUpEmailMfa(setup) = select.choose(MfaKind::Email).await.expect("chosen")
    else {
        panic!("expected the e-mail setup step");
    };

    let refused = setup
        .answer("not an address")
        .await
        .expect_err("a malformed address");
    assert!(
        matches!(refused.error(), Error::InvalidParameter { .. }),
        "{refused:?}"
    );
    let setup = refused.into_retry().expect("the setup step comes back");
    let step = setup.answer(email).await.expect("address accepted");
    let SignInStep::MfaCode(code_step) = step else {
        panic!("expected the e-mailed code, got {step:?}");
    };
    assert_eq!(code_step.kind(), MfaKind::Email);
    let delivery = code_step.delivery().expect("delivery details");
    assert_eq!(delivery.medium, DeliveryMedium::Email);
    assert_ne!(delivery.destination, email, "masked");

    let code = world.newest_code(email, "mfa").await;
    let refused = code_step
        .answer(&wrong(&code))
        .await
        .expect_err("a wrong code");
    assert!(
        matches!(refused.error(), Error::CodeMismatch),
        "{refused:?}"
    );
    let code_step = refused.into_retry().expect("the code step comes back");
    let step = code_step.answer(&code).await.expect("the right code");
    let SignInStep::Done(session) = step else {
        panic!("expected Done, got {step:?}");
    };
    assert_eq!(session.id_claims().email_verified, Some(true));

    // From now on the sign-in mails a code.
    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::MfaCode(code_step) = step else {
        panic!("expected an e-mail code, got {step:?}");
    };
    assert_eq!(code_step.kind(), MfaKind::Email);
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_alone_goes_straight_to_the_address_and_sms_alone_is_unsupported() {
    let world = MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::On,
        remember_devices: false,
        totp_only: true,
    })
    .await;
    let (client, _) = world.client();

    require_mfa(&world, false, false, true).await;
    let email = "jade@example.com";
    user_without_factors(&world, email).await;
    let step = password_step(&client, email, PASSWORD).await;
    let SignInStep::SetUpEmailMfa(setup) = step else {
        panic!("expected the e-mail setup step, got {step:?}");
    };
    let SignInStep::MfaCode(code_step) = setup.answer(email).await.expect("address") else {
        panic!("expected the e-mailed code");
    };
    let code = world.newest_code(email, "mfa").await;
    assert!(matches!(
        code_step.answer(&code).await.expect("code"),
        SignInStep::Done(_)
    ));

    require_mfa(&world, false, true, false).await;
    let other = "kai@example.com";
    user_without_factors(&world, other).await;
    let step = password_step(&client, other, PASSWORD).await;
    let SignInStep::Unsupported { challenge } = step else {
        panic!("SMS cannot be set up during a sign-in, got {step:?}");
    };
    assert_eq!(challenge, "MFA_SETUP (SMS_MFA)");
    world.cloud.shutdown().await;
}
