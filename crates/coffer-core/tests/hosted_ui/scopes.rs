//! The scopes of a browser sign-in decide whether its session may manage the account: the
//! user-pool account calls need `aws.cognito.signin.user.admin`, which coffer asks for.

use coffer_core::{Client, HostedUiOptions, Session};

use crate::support::{log_in, visit, World, EMAIL, TIMEOUT};

/// A complete browser sign-in with `options`.
async fn sign_in(client: &Client, options: HostedUiOptions) -> Session {
    let pending = client
        .begin_hosted_ui_sign_in(options)
        .await
        .expect("listener binds");
    let authorize = pending.authorize_url().clone();
    let finish = tokio::spawn(pending.finish(TIMEOUT, std::future::pending()));
    let redirect = log_in(&authorize).await;
    visit(&redirect).await.expect("listener answers");
    finish.await.expect("task").expect("signed in")
}

#[tokio::test]
async fn a_default_browser_sign_in_may_manage_the_account() {
    let world = World::start().await;
    let (client, _store) = world.client();
    sign_in(&client, HostedUiOptions::default()).await;

    let attributes = client.user_attributes().await.expect("GetUser");
    assert!(
        attributes
            .iter()
            .any(|a| a.name == "email" && a.value == EMAIL),
        "{attributes:?}"
    );
    client
        .mfa_settings()
        .await
        .expect("GetUser for MFA settings");
}

#[tokio::test]
async fn a_sign_in_without_the_admin_scope_is_told_apart_from_an_expired_one() {
    let oidc_only = ["openid", "email", "profile"];
    let world = World::start_allowing(&oidc_only).await;
    let (client, _store) = world.client();
    let options = HostedUiOptions {
        scopes: Some(oidc_only.iter().map(|s| (*s).to_owned()).collect()),
        ..HostedUiOptions::default()
    };
    sign_in(&client, options).await;

    let refused = client.user_attributes().await.expect_err("no admin scope");
    assert_eq!(refused.code(), "missing_scope", "{refused}");
    let refused = client.mfa_settings().await.expect_err("no admin scope");
    assert_eq!(refused.code(), "missing_scope", "{refused}");
    assert!(
        client.stored_tokens().await.expect("store").is_some(),
        "the session is kept: it is not expired"
    );
}
