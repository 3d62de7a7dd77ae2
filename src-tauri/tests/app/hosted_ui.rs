//! The hosted-UI sign-in through IPC: the test plays the system browser (the app's `Browser`
//! hook receives the authorize URL), logs in on the local cloud's hosted login page over HTTP
//! and follows the redirect to the app's loopback listener; and a wait cancelled from the UI.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use coffer_app::Browser;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};

use super::harness::{code, TestApp};

const EMAIL: &str = "grace@example.com";
const PASSWORD: &str = "Correct-Horse-7";

/// The demo client's redirect URIs use one fixed port, so these tests take turns.
static LOOPBACK_PORT: Mutex<()> = Mutex::new(());

fn browser_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// What a person does in the browser: open the authorize URL, sign in on the login page,
/// follow the redirect back to the app's loopback listener.
async fn log_in_and_return(authorize_url: String) -> Result<(), String> {
    let browser = browser_client();
    let page = browser
        .get(&authorize_url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if page.status() != StatusCode::OK {
        return Err(format!("login page answered {}", page.status()));
    }
    let cookie = page
        .headers()
        .get(SET_COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or("no CSRF cookie")?
        .to_owned();
    let html = page.text().await.map_err(|e| e.to_string())?;
    let value_after = |marker: &str| -> Result<String, String> {
        let start = html.find(marker).ok_or(format!("no {marker}"))? + marker.len();
        Ok(html[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned())
    };
    let action = value_after("action=\"")?;
    let form = [
        ("page", value_after("name=\"page\" value=\"")?),
        ("_csrf", value_after("name=\"_csrf\" value=\"")?),
        ("username", EMAIL.to_owned()),
        ("password", PASSWORD.to_owned()),
    ];
    let done = browser
        .post(&action)
        .header(COOKIE, cookie)
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if done.status() != StatusCode::FOUND {
        return Err(format!("login answered {}", done.status()));
    }
    let callback = done
        .headers()
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .ok_or("no redirect")?;
    let callback = Url::parse(callback).map_err(|e| e.to_string())?;
    let landed = browser
        .get(callback)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !landed.status().is_success() {
        return Err(format!("loopback page answered {}", landed.status()));
    }
    Ok(())
}

#[test]
fn backend_info_lists_the_configured_providers() {
    let app = TestApp::start();
    let info: Value = app.call("backend_info", None).unwrap();
    assert_eq!(info["hostedUi"], true);
    let providers = info["hostedUiProviders"].as_array().unwrap();
    assert!(providers.contains(&json!("COGNITO")), "{providers:?}");
    assert!(providers.contains(&json!("LocalIdP")), "{providers:?}");
}

#[test]
fn hosted_ui_sign_in_completes_in_the_browser_and_stores_the_session() {
    let _turn = LOOPBACK_PORT.lock().unwrap_or_else(|p| p.into_inner());
    let opened = Arc::new(Mutex::new(Vec::<String>::new()));
    let failure = Arc::new(Mutex::new(None::<String>));
    let browser = {
        let opened = Arc::clone(&opened);
        let failure = Arc::clone(&failure);
        Browser::Custom(Arc::new(move |url: String| {
            opened.lock().unwrap().push(url.clone());
            let failure = Arc::clone(&failure);
            tauri::async_runtime::spawn(async move {
                if let Err(error) = log_in_and_return(url).await {
                    *failure.lock().unwrap() = Some(error);
                }
            });
        }))
    };
    let app = TestApp::start_with_browser(browser);
    app.sign_up_and_confirm(EMAIL, PASSWORD);

    let outcome = app.invoke_raw("sign_in_hosted_ui", Some(json!({"provider": null})));
    assert_eq!(*failure.lock().unwrap(), None, "the browser's part failed");
    let outcome = outcome.unwrap();
    assert_eq!(outcome["step"], "signedIn", "{outcome}");
    assert_eq!(outcome["who"]["email"], EMAIL);
    let opened = opened.lock().unwrap().clone();
    assert_eq!(opened.len(), 1);
    assert!(
        opened[0].contains("/_hosted/coffer-demo/oauth2/authorize?"),
        "{}",
        opened[0]
    );
    assert!(opened[0].contains("code_challenge_method=S256"));

    // The session is kept like an SRP sign-in's: whoami answers from the store.
    let who: Value = app.call("whoami", None).unwrap();
    assert_eq!(who["email"], EMAIL);
}

#[test]
fn a_provider_is_passed_to_the_hosted_ui() {
    let _turn = LOOPBACK_PORT.lock().unwrap_or_else(|p| p.into_inner());
    let (opened_tx, opened_rx) = std::sync::mpsc::channel::<String>();
    let opened_tx = Mutex::new(opened_tx);
    let app = TestApp::start_with_browser(Browser::Custom(Arc::new(move |url: String| {
        let _ = opened_tx.lock().unwrap().send(url);
    })));
    let window = app.window.clone();
    let waiting = std::thread::spawn(move || {
        super::harness::invoke(
            &window,
            "sign_in_hosted_ui",
            Some(json!({"provider": "LocalIdP"})),
        )
    });
    let url = opened_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the sign-in page is opened");
    let url = Url::parse(&url).unwrap();
    let provider = url
        .query_pairs()
        .find(|(name, _)| name == "identity_provider")
        .map(|(_, value)| value.into_owned());
    assert_eq!(provider.as_deref(), Some("LocalIdP"));

    // Cancelling ends the wait with its own code, and nobody is signed in.
    app.call::<Value>("cancel_hosted_ui", None).unwrap();
    let error = waiting.join().unwrap().unwrap_err();
    assert_eq!(code(&error), "hosted_ui_cancelled", "{error}");
    let error = app.invoke_raw("whoami", None).unwrap_err();
    assert_eq!(code(&error), "not_signed_in");

    // The listener is gone: a new sign-in can bind the port again, and cancel it again.
    let window = app.window.clone();
    let again = std::thread::spawn(move || {
        super::harness::invoke(
            &window,
            "sign_in_hosted_ui",
            Some(json!({"provider": null})),
        )
    });
    opened_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the sign-in page is opened again");
    app.call::<Value>("cancel_hosted_ui", None).unwrap();
    let error = again.join().unwrap().unwrap_err();
    assert_eq!(code(&error), "hosted_ui_cancelled", "{error}");
}
