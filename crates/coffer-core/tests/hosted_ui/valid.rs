//! The happy path: one valid callback signs in and stores the session like an SRP sign-in.

use coffer_core::TokenUse;
use reqwest::StatusCode;

use crate::support::{log_in, visit, World, TIMEOUT};

#[tokio::test]
async fn one_valid_callback_signs_in_and_stores_the_session() {
    let world = World::start().await;
    let (client, _store) = world.client();
    let pending = World::begin(&client).await;
    let authorize = pending.authorize_url().clone();
    let callback = pending.redirect_uri().clone();
    let finish = tokio::spawn(pending.finish(TIMEOUT, std::future::pending()));

    // The browser asks for a favicon first: 404, and the listener keeps waiting.
    let favicon = callback.join("/favicon.ico").unwrap();
    assert_eq!(
        visit(&favicon).await.expect("listening").0,
        StatusCode::NOT_FOUND
    );

    let redirect = log_in(&authorize).await;
    let (status, page) = visit(&redirect).await.expect("listener answers");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("You can close this window"), "{page}");
    assert!(
        !page.contains(&crate::support::query_of(&redirect)["code"]),
        "the code is not echoed"
    );

    let session = finish.await.expect("task").expect("signed in");
    assert_eq!(
        session.whoami().email.as_deref(),
        Some(crate::support::EMAIL)
    );
    let stored = client
        .stored_tokens()
        .await
        .expect("store")
        .expect("tokens stored");
    assert_eq!(stored.refresh, session.tokens().refresh);
    let who = client
        .whoami()
        .await
        .expect("whoami from the stored tokens");
    assert_eq!(who.email.as_deref(), Some(crate::support::EMAIL));
    client
        .verify_token(stored.access.expose(), TokenUse::Access)
        .await
        .expect("access token verifies");

    // A second callback after the first finds the port closed.
    assert!(visit(&redirect).await.is_err(), "the listener is gone");

    // The refresh_token grant at /oauth2/token works with these tokens.
    let refreshed = client
        .refresh_tokens_with_token_endpoint(&stored)
        .await
        .expect("refresh_token grant");
    assert_eq!(refreshed.whoami().sub, who.sub);

    // Sign-out revokes at /oauth2/revoke, forgets the tokens, and yields the logout URL.
    let logout = client
        .hosted_ui_sign_out(Some("http://127.0.0.1:53682/signed-out"))
        .await
        .expect("sign-out");
    assert!(logout.expect("logout URL").path().ends_with("/logout"));
    assert!(client.stored_tokens().await.expect("store").is_none());
    let dead = client.refresh_tokens_with_token_endpoint(&stored).await;
    assert_eq!(dead.expect_err("revoked").code(), "token_request_refused");
}

/// After a sign-out, the browser's hosted-UI session must not sign the next person in: the
/// next hosted-UI sign-in asks with `prompt=login`, and only that one.
#[tokio::test]
async fn a_sign_out_makes_the_next_hosted_ui_sign_in_ask_for_credentials() {
    let world = World::start().await;
    let (client, _store) = world.client();
    let prompt = |url: &reqwest::Url| crate::support::query_of(url).get("prompt").cloned();
    let sign_in = |expected_prompt: Option<&'static str>| {
        let client = client.clone();
        async move {
            let pending = World::begin(&client).await;
            let authorize = pending.authorize_url().clone();
            assert_eq!(
                prompt(&authorize).as_deref(),
                expected_prompt,
                "{authorize}"
            );
            let finish = tokio::spawn(pending.finish(TIMEOUT, std::future::pending()));
            let redirect = log_in(&authorize).await;
            visit(&redirect).await.expect("listener answers");
            finish.await.expect("task").expect("signed in");
        }
    };

    sign_in(None).await;
    client.sign_out().await.expect("sign-out");
    sign_in(Some("login")).await;
    // Answered: the sign-in after it may use the browser's session again.
    sign_in(None).await;
    client.global_sign_out().await.expect("global sign-out");
    sign_in(Some("login")).await;
}
