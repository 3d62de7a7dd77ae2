//! Attacks refused, nothing stored: wrong state, foreign Host header, replayed code, wrong
//! verifier, unregistered redirect URI; and the typed endings (error callback, timeout).

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{free_port, log_in, query_of, visit, World, TIMEOUT};

#[tokio::test]
async fn a_wrong_state_is_refused_and_the_real_callback_still_completes() {
    let world = World::start().await;
    let (client, _store) = world.client();
    let pending = World::begin(&client).await;
    let authorize = pending.authorize_url().clone();
    let mut forged = pending.redirect_uri().clone();
    forged.set_query(Some("code=attacker-code&state=attacker-state"));
    let finish = tokio::spawn(pending.finish(TIMEOUT, std::future::pending()));

    assert_eq!(
        visit(&forged).await.expect("listening").0,
        StatusCode::BAD_REQUEST
    );
    assert!(
        client.stored_tokens().await.unwrap().is_none(),
        "nothing stored"
    );

    let redirect = log_in(&authorize).await;
    assert_eq!(
        visit(&redirect).await.expect("still listening").0,
        StatusCode::OK
    );
    finish
        .await
        .expect("task")
        .expect("the real callback signs in");
}

#[tokio::test]
async fn a_non_loopback_host_header_is_refused() {
    let world = World::start().await;
    let (client, store) = world.client();
    let pending = World::begin(&client).await;
    let authorize = pending.authorize_url().clone();
    let port = pending.redirect_uri().port().unwrap();
    let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    let finish = tokio::spawn(pending.finish(TIMEOUT, async {
        let _ = cancelled.await;
    }));

    // A valid code and state, but sent by a page on another origin (DNS rebinding).
    let redirect = log_in(&authorize).await;
    let target = format!("{}?{}", redirect.path(), redirect.query().unwrap());
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream
        .write_all(
            format!("GET {target} HTTP/1.1\r\nHost: rebinding.example:{port}\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");

    cancel.send(()).unwrap();
    let error = finish.await.expect("task").expect_err("cancelled");
    assert_eq!(error.code(), "hosted_ui_cancelled");
    assert!(client.stored_tokens().await.unwrap().is_none());
    drop(store);
}

#[tokio::test]
async fn a_replayed_code_is_refused_and_nothing_is_stored() {
    let world = World::start().await;
    let (first, _) = world.client();
    let pending = World::begin(&first).await;
    let authorize = pending.authorize_url().clone();
    let finish = tokio::spawn(pending.finish(TIMEOUT, std::future::pending()));
    let used = log_in(&authorize).await;
    visit(&used).await.expect("callback");
    finish.await.unwrap().expect("first sign-in");

    // A second sign-in receives the already-used code (with its own, valid state).
    let (second, _) = world.client();
    let pending = World::begin(&second).await;
    let state = query_of(pending.authorize_url())["state"].clone();
    let mut replay = pending.redirect_uri().clone();
    replay
        .query_pairs_mut()
        .append_pair("code", &query_of(&used)["code"])
        .append_pair("state", &state);
    let finish = tokio::spawn(pending.finish(TIMEOUT, std::future::pending()));
    visit(&replay).await.expect("callback");
    let error = finish.await.unwrap().expect_err("replay refused");
    assert_eq!(error.code(), "token_request_refused");
    assert!(error.to_string().contains("invalid_grant"), "{error}");
    assert!(second.stored_tokens().await.unwrap().is_none());
}

#[tokio::test]
async fn a_stolen_code_is_useless_without_the_verifier() {
    let world = World::start().await;
    let (client, _) = world.client();
    let pending = World::begin(&client).await;
    let authorize = pending.authorize_url().clone();
    let finish = tokio::spawn(pending.finish(TIMEOUT, std::future::pending()));
    let redirect = log_in(&authorize).await;

    // The attacker redeems the intercepted code with a verifier of their own.
    let token_url = format!(
        "{}/_hosted/coffer-demo/oauth2/token",
        world.cloud.endpoint()
    );
    let attempt = reqwest::Client::new()
        .post(token_url)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &query_of(&redirect)["code"]),
            ("client_id", &world.client_id),
            ("redirect_uri", &world.callback),
            (
                "code_verifier",
                "attacker-verifier-attacker-verifier-attacker-verifier",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(attempt.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = attempt.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");

    // The code was used up by that attempt, so the real client is refused too.
    visit(&redirect).await.expect("callback");
    let error = finish.await.unwrap().expect_err("code burned");
    assert_eq!(error.code(), "token_request_refused");
    assert!(client.stored_tokens().await.unwrap().is_none());
}

#[tokio::test]
async fn an_unregistered_redirect_uri_never_receives_a_code() {
    let world = World::start().await;
    let unregistered = format!("http://127.0.0.1:{}/callback", free_port());
    let (client, _) = world.client_with(&unregistered);
    let pending = World::begin(&client).await;
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(pending.authorize_url().clone())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.headers().get("location").is_none());
    let error = pending
        .finish(Duration::from_millis(300), std::future::pending())
        .await
        .expect_err("nothing arrives");
    assert_eq!(error.code(), "hosted_ui_timed_out");
    assert!(client.stored_tokens().await.unwrap().is_none());
}

#[tokio::test]
async fn an_error_callback_is_a_typed_error() {
    let world = World::start().await;
    let (client, _) = world.client();
    let pending = World::begin(&client).await;
    let state = query_of(pending.authorize_url())["state"].clone();
    let mut denied = pending.redirect_uri().clone();
    denied
        .query_pairs_mut()
        .append_pair("error", "access_denied")
        .append_pair("error_description", "the user cancelled")
        .append_pair("state", &state);
    let finish = tokio::spawn(pending.finish(TIMEOUT, std::future::pending()));
    assert_eq!(visit(&denied).await.unwrap().0, StatusCode::OK);
    let error = finish.await.unwrap().expect_err("denied");
    assert_eq!(error.code(), "hosted_ui_denied");
    assert!(error.to_string().contains("access_denied"), "{error}");
    assert!(client.stored_tokens().await.unwrap().is_none());
}

#[tokio::test]
async fn the_port_must_be_free() {
    let world = World::start().await;
    let (client, _) = world.client();
    let _held = World::begin(&client).await;
    let error = client
        .begin_hosted_ui_sign_in(Default::default())
        .await
        .expect_err("port taken");
    assert_eq!(error.code(), "loopback_port_unavailable");
}
