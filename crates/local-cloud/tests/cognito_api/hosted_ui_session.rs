//! The hosted UI's single sign-on session (the `cognito` cookie), over loopback HTTP with
//! reqwest keeping cookies as a browser does (no redirects followed).

use std::time::Duration;

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::hosted_ui::{
    authorize_query, base, claims, demo_pool_mfa, hidden, location, page_and_form, query_of,
    submit, token, totp_now, totp_user, CALLBACK, VERIFIER,
};
use crate::support::{TestCloud, PASSWORD};

/// A browser: a cookie jar, no redirects followed.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client")
}

/// `GET /oauth2/authorize` for the demo client, with `extra` query parameters.
async fn authorize(
    browser: &reqwest::Client,
    cloud: &TestCloud,
    extra: &[(&str, &str)],
) -> Response {
    browser
        .get(format!("{}/oauth2/authorize", base(cloud)))
        .query(&authorize_query(cloud, extra))
        .send()
        .await
        .expect("GET authorize")
}

/// `GET url?query` from a fresh client that sends `set_cookie`'s pair by hand (whatever the
/// cookie's scope says).
async fn get_with_cookie(url: &str, query: &[(String, String)], set_cookie: &str) -> Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(url)
        .query(query)
        .header(COOKIE, set_cookie.split(';').next().expect("pair"))
        .send()
        .await
        .expect("GET")
}

/// Whether `response` is the login page.
async fn is_login_page(response: Response) -> bool {
    response.status() == StatusCode::OK
        && response
            .text()
            .await
            .expect("html")
            .contains("id=\"sign-in\"")
}

/// Submits the login page `page` with `email`'s password from `browser`.
async fn sign_in_on(browser: &reqwest::Client, page: Response, email: &str) -> Response {
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    let action = hidden(
        &html.replace("action=\"", "name=\"action\" value=\""),
        "action",
    );
    browser
        .post(action)
        .form(&[
            ("page", hidden(&html, "page")),
            ("_csrf", hidden(&html, "_csrf")),
            ("username", email.to_owned()),
            ("password", PASSWORD.to_owned()),
        ])
        .send()
        .await
        .expect("POST login")
}

/// The `cognito` cookie a response sets, whole (`name=value; attributes`).
fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .find(|c| c.starts_with("cognito="))
}

/// The code of a redirect to the callback with the demo test state.
fn code_of(response: &Response) -> String {
    assert_eq!(response.status(), StatusCode::FOUND);
    let to = location(response);
    assert!(to.as_str().starts_with(CALLBACK), "{to}");
    let query = query_of(&to);
    assert_eq!(query["state"], "app-state");
    query
        .get("code")
        .unwrap_or_else(|| panic!("a code, not {query:?}"))
        .clone()
}

/// Exchanges `code` (for `client_id`) and returns the ID token's `email`.
async fn email_of_code(cloud: &TestCloud, client_id: &str, code: &str) -> String {
    let (status, tokens) = token(
        cloud,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", client_id),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(id["nonce"], "app-nonce");
    id["email"].as_str().expect("email").to_owned()
}

/// A confirmed demo user signed in on `browser`; returns the session cookie set.
async fn signed_in(cloud: &TestCloud, browser: &reqwest::Client, email: &str) -> String {
    cloud.confirmed_user(email, PASSWORD).await;
    let done = sign_in_on(browser, authorize(browser, cloud, &[]).await, email).await;
    let cookie = session_cookie(&done).expect("a session cookie after sign-in");
    assert_eq!(
        email_of_code(cloud, &cloud.demo_client(), &code_of(&done)).await,
        email
    );
    cookie
}

#[tokio::test]
async fn a_signed_in_browser_skips_the_login_page_until_it_logs_out() {
    let cloud = TestCloud::start().await;
    let browser = browser();
    let email = "sso@example.com";
    let cookie = signed_in(&cloud, &browser, email).await;

    // An opaque random id, scoped to the domain, out of reach of scripts.
    let (pair, attributes) = cookie.split_once(';').expect("attributes");
    let id = pair.strip_prefix("cognito=").expect("named cognito");
    assert_eq!(id.len(), 43, "256 bits, base64url: {id}");
    assert!(!id.contains("sso"), "no user data in the cookie");
    for attribute in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/_hosted/coffer-demo",
        "Max-Age=3600",
    ] {
        assert!(attributes.contains(attribute), "{attribute} in {cookie}");
    }

    // The same browser, later: straight back to the app, with a code that works.
    let again = authorize(&browser, &cloud, &[]).await;
    assert!(
        session_cookie(&again).is_none(),
        "the session is not renewed"
    );
    let code = code_of(&again);
    assert_eq!(
        email_of_code(&cloud, &cloud.demo_client(), &code).await,
        email
    );
    // prompt=none works silently with a session.
    let silent = authorize(&browser, &cloud, &[("prompt", "none")]).await;
    code_of(&silent);

    // Another app client of the pool gets the same single sign-on.
    let (status, body) = cloud
        .admin(
            "CreateUserPoolClient",
            json!({"UserPoolId": cloud.demo_pool(), "ClientName": "second-app",
                   "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                   "AllowedOAuthScopes": ["openid", "email", "profile"],
                   "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["COGNITO"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("id")
        .to_owned();
    let other_app = authorize(&browser, &cloud, &[("client_id", &second)]).await;
    assert_eq!(
        email_of_code(&cloud, &second, &code_of(&other_app)).await,
        email
    );

    // prompt=login asks again; a new sign-in gets a new session cookie.
    let forced = authorize(&browser, &cloud, &[("prompt", "login")]).await;
    let done = sign_in_on(&browser, forced, email).await;
    let renewed = session_cookie(&done).expect("a new session cookie");
    assert_ne!(renewed, cookie);
    code_of(&done);

    // Logout ends the session for this browser and on the server.
    let logout = browser
        .get(format!("{}/logout", base(&cloud)))
        .query(&[
            ("client_id", cloud.demo_client().as_str()),
            ("logout_uri", "http://127.0.0.1:53682/signed-out"),
        ])
        .send()
        .await
        .expect("logout");
    assert_eq!(logout.status(), StatusCode::FOUND);
    let cleared = session_cookie(&logout).expect("the cookie is cleared");
    assert!(
        cleared.starts_with("cognito=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    assert!(is_login_page(authorize(&browser, &cloud, &[]).await).await);
    let replayed = get_with_cookie(
        &format!("{}/oauth2/authorize", base(&cloud)),
        &authorize_query(&cloud, &[]),
        &renewed,
    )
    .await;
    assert!(
        is_login_page(replayed).await,
        "the server forgot the session"
    );
}

#[tokio::test]
async fn logout_with_a_redirect_uri_ends_the_session_and_asks_to_sign_in_again() {
    let cloud = TestCloud::start().await;
    let browser = browser();
    signed_in(&cloud, &browser, "again@example.com").await;
    let logout = browser
        .get(format!("{}/logout", base(&cloud)))
        .query(&authorize_query(&cloud, &[]))
        .send()
        .await
        .expect("logout");
    assert!(session_cookie(&logout)
        .expect("cleared")
        .contains("Max-Age=0"));
    let to = location(&logout);
    assert_eq!(to.path(), "/_hosted/coffer-demo/oauth2/authorize");
    assert_eq!(query_of(&to)["redirect_uri"], CALLBACK);
    let page = browser.get(to).send().await.expect("GET");
    assert!(is_login_page(page).await, "signed out: the login page");
}

#[tokio::test]
async fn prompt_none_without_a_session_returns_login_required() {
    let cloud = TestCloud::start().await;
    let response = authorize(&browser(), &cloud, &[("prompt", "none")]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let query = query_of(&location(&response));
    assert_eq!(query["error"], "login_required");
    assert_eq!(query["state"], "app-state");
    assert!(!query.contains_key("code"));

    let malformed = authorize(&browser(), &cloud, &[("prompt", "none login")]).await;
    assert_eq!(query_of(&location(&malformed))["error"], "invalid_request");
    // Values without effect on local sign-in leave the login page as it is.
    let consent = authorize(&browser(), &cloud, &[("prompt", "consent")]).await;
    assert!(is_login_page(consent).await);
}

#[tokio::test]
async fn a_session_lasts_one_hour_from_the_sign_in() {
    let cloud = TestCloud::start().await;
    let browser = browser();
    signed_in(&cloud, &browser, "hour@example.com").await;
    cloud.clock.advance(Duration::from_secs(59 * 60));
    code_of(&authorize(&browser, &cloud, &[]).await);
    // Using it did not extend it.
    cloud.clock.advance(Duration::from_secs(61));
    assert!(is_login_page(authorize(&browser, &cloud, &[]).await).await);
}

#[tokio::test]
async fn a_session_is_honoured_by_its_own_domain_only() {
    let cloud = TestCloud::start().await;
    let browser = browser();
    let email = "domains@example.com";
    let cookie = signed_in(&cloud, &browser, email).await;

    let (pool_id, client_id) = pool_with_domain(&cloud, "other-app", true).await;
    cloud.admin_user(&pool_id, email, PASSWORD).await;
    let other = format!("{}/_hosted/other-app/oauth2/authorize", cloud.endpoint());
    let query = authorize_query(&cloud, &[("client_id", &client_id)]);

    // The browser does not send it there (Path), and sent by hand it is not honoured.
    let from_browser = browser.get(&other).query(&query).send().await.expect("GET");
    assert!(is_login_page(from_browser).await);
    let by_hand = get_with_cookie(&other, &query, &cookie).await;
    assert!(is_login_page(by_hand).await);
    // Still good at home.
    code_of(&authorize(&browser, &cloud, &[]).await);
}

#[tokio::test]
async fn only_a_sign_in_completed_with_mfa_starts_a_session() {
    let cloud = TestCloud::start().await;
    demo_pool_mfa(&cloud, "OPTIONAL", false).await;
    let email = "mfa-sso@example.com";
    let secret = totp_user(&cloud, email).await;
    let browser = browser();

    let mfa = sign_in_on(&browser, authorize(&browser, &cloud, &[]).await, email).await;
    assert!(
        session_cookie(&mfa).is_none(),
        "no session after the password alone"
    );
    let (html, form) = page_and_form(mfa).await;
    assert!(html.contains("authenticator app"), "{html}");
    assert!(
        is_login_page(authorize(&browser, &cloud, &[]).await).await,
        "the password alone signs nobody in"
    );

    let done = submit(&form, &[("code", &totp_now(&cloud, &secret))], true).await;
    assert!(
        session_cookie(&done).is_some(),
        "a session once MFA is done"
    );
    let browser_cookie = session_cookie(&done).expect("cookie");
    code_of(&done);
    let silent = get_with_cookie(
        &format!("{}/oauth2/authorize", base(&cloud)),
        &authorize_query(&cloud, &[]),
        &browser_cookie,
    )
    .await;
    assert_eq!(
        email_of_code(&cloud, &cloud.demo_client(), &code_of(&silent)).await,
        email
    );
}

#[tokio::test]
async fn global_sign_out_keeps_the_session_and_deleting_the_user_ends_it() {
    let cloud = TestCloud::start().await;
    let browser = browser();
    let email = "deleted@example.com";
    signed_in(&cloud, &browser, email).await;

    // As on AWS: global sign-out revokes tokens, not the hosted UI cookie.
    let (status, body) = cloud
        .admin(
            "AdminUserGlobalSignOut",
            json!({"UserPoolId": cloud.demo_pool(), "Username": email}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after_sign_out = authorize(&browser, &cloud, &[]).await;
    assert_eq!(
        email_of_code(&cloud, &cloud.demo_client(), &code_of(&after_sign_out)).await,
        email
    );

    // A user deleted, then signed up again under the same name, is someone else.
    let (status, body) = cloud
        .admin(
            "AdminDeleteUser",
            json!({"UserPoolId": cloud.demo_pool(), "Username": email}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    cloud.confirmed_user(email, PASSWORD).await;
    assert!(is_login_page(authorize(&browser, &cloud, &[]).await).await);
}

/// A new pool (with e-mail or plain usernames), a code-flow client and domain `domain`;
/// returns the pool and client ids.
async fn pool_with_domain(
    cloud: &TestCloud,
    domain: &str,
    email_usernames: bool,
) -> (String, String) {
    let (pool_id, client_id, _) = cloud
        .pool_with_client(
            email_usernames,
            json!({"AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                   "AllowedOAuthScopes": ["openid", "email", "profile"],
                   "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["COGNITO"]}),
        )
        .await;
    let (status, body) = cloud
        .admin(
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool_id, "Domain": domain}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (pool_id, client_id)
}

#[tokio::test]
async fn a_user_created_again_under_the_same_name_is_not_signed_in_by_the_old_session() {
    let cloud = TestCloud::start().await;
    let (pool_id, client_id) = pool_with_domain(&cloud, "named-app", false).await;
    cloud.admin_user(&pool_id, "ada", PASSWORD).await;
    let browser = browser();
    let url = format!("{}/_hosted/named-app/oauth2/authorize", cloud.endpoint());
    let query = authorize_query(&cloud, &[("client_id", &client_id)]);
    let open = || async { browser.get(&url).query(&query).send().await.expect("GET") };

    let done = sign_in_on(&browser, open().await, "ada").await;
    assert!(session_cookie(&done).is_some());
    code_of(&done);
    code_of(&open().await);

    let (status, body) = cloud
        .admin(
            "AdminDeleteUser",
            json!({"UserPoolId": pool_id, "Username": "ada"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    cloud.admin_user(&pool_id, "ada", PASSWORD).await;
    assert!(is_login_page(open().await).await);
}
