//! Refresh tokens of tracked devices: in a pool that tracks devices, the session's refresh
//! token works only with the DEVICE_KEY of the device it was issued to, once that device is
//! confirmed, and not after it is forgotten (AWS's behaviour; sources in
//! `coffer_core::Client::refresh_tokens` and the local cloud's `ops::tokens`).

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata as _;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, UserPoolMfaType};
use coffer_core::{DeviceRemembering, Error, Password, SecretStore as _, SignInStep};

use super::mfa::{password_step, MfaWorld, PoolSetup};
use super::PASSWORD;

async fn tracking_world() -> MfaWorld {
    MfaWorld::start(PoolSetup {
        mfa: UserPoolMfaType::Off,
        remember_devices: true,
        totp_only: false,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_carries_the_remembered_device_and_stops_when_it_is_forgotten() {
    let world = tracking_world().await;
    let (client, _) = world.client();
    let email = "dora@example.com";
    world.user(email, "+15555550191").await;

    let step = client
        .sign_in(email)
        .remember_device(true)
        .start()
        .await
        .expect("InitiateAuth")
        .answer(&Password::new(PASSWORD))
        .await
        .expect("signed in");
    let SignInStep::Done(session) = step else {
        panic!("expected Done, got {step:?}");
    };
    let DeviceRemembering::Remembered { device_key } = session.device().clone() else {
        panic!("expected a remembered device, got {:?}", session.device());
    };
    assert_eq!(
        session.access_claims().device_key.as_deref(),
        Some(device_key.as_str()),
        "the tokens were issued to this device"
    );

    // The ID and access tokens expire; resuming refreshes them with the device's key.
    world.clock.advance(Duration::from_secs(2 * 3600));
    let refreshed = client.current_session().await.expect("refreshed");
    assert!(refreshed.expires_at() > session.expires_at());
    assert_eq!(
        refreshed.access_claims().device_key.as_deref(),
        Some(device_key.as_str())
    );

    // The same refresh token without DEVICE_KEY is refused, as AWS refuses it.
    let stored = client.stored_tokens().await.unwrap().expect("stored");
    let refused = world
        .admin
        .initiate_auth()
        .client_id(&world.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", stored.refresh.expose())
        .send()
        .await
        .expect_err("a device-bound refresh token without its DEVICE_KEY");
    let refused = refused.into_service_error();
    assert_eq!(refused.code(), Some("NotAuthorizedException"));
    assert_eq!(refused.message(), Some("Invalid Refresh Token"));

    // Forgotten: the device's refresh token is dead; the client drops it and says so.
    assert_eq!(client.forget_device(None).await.unwrap(), device_key);
    let error = client
        .refresh()
        .await
        .expect_err("refresh after ForgetDevice");
    assert!(matches!(error, Error::SessionExpired), "{error:?}");
    assert!(client.stored_tokens().await.unwrap().is_none());
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_not_remembered_is_still_tracked_so_its_session_refreshes() {
    let world = tracking_world().await;
    let (client, store) = world.client();
    let email = "ezra@example.com";
    world.user(email, "+15555550192").await;

    let SignInStep::Done(session) = password_step(&client, email, PASSWORD).await else {
        panic!("expected Done");
    };
    assert_eq!(session.device(), &DeviceRemembering::NotRequested);
    let device_key = session
        .access_claims()
        .device_key
        .clone()
        .expect("issued to a new device");
    // Confirmed (its secrets kept) but not remembered: listed as not remembered.
    assert!(store
        .load(&client.device_store_key(session.username()))
        .unwrap()
        .is_some());
    let listed = client.list_devices().await.expect("ListDevices");
    let this = listed
        .iter()
        .find(|device| device.device_key == device_key)
        .expect("listed");
    assert!(this.is_this_device && !this.remembered, "{this:?}");

    world.clock.advance(Duration::from_secs(2 * 3600));
    let refreshed = client.refresh().await.expect("a tracked device refreshes");
    assert_eq!(
        refreshed.access_claims().device_key.as_deref(),
        Some(device_key.as_str())
    );
    world.cloud.shutdown().await;
}
