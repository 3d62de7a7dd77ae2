//! The hosted UI and LocalIdP over loopback HTTP, with reqwest standing in for the browser
//! (no redirects followed, the CSRF cookie carried by hand).

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use local_cloud::totp::{code_at, TotpSecret};
use local_cloud::Clock as _;

use crate::support::{TestCloud, PASSWORD};

pub(crate) const CALLBACK: &str = "http://127.0.0.1:53682/callback";
pub(crate) const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub(crate) fn base(cloud: &TestCloud) -> String {
    format!("{}/_hosted/coffer-demo", cloud.endpoint())
}

pub(crate) fn authorize_query(cloud: &TestCloud, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut query: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", cloud.demo_client().as_str()),
        ("redirect_uri", CALLBACK),
        ("state", "app-state"),
        ("nonce", "app-nonce"),
        ("scope", "openid email profile"),
        ("code_challenge", challenge(VERIFIER).as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (name, value) in extra {
        query.retain(|(k, _)| k != name);
        if !value.is_empty() {
            query.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    query
}

async fn get(url: &str, query: &[(String, String)]) -> Response {
    browser().get(url).query(query).send().await.expect("GET")
}

/// A page's form: its hidden fields and the CSRF cookie it set.
pub(crate) struct Form {
    pub(crate) action: String,
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) cookie: Option<String>,
}

pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().expect("value").to_owned()
}

async fn form_of(response: Response) -> Form {
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers().get(SET_COOKIE).map(|c| {
        c.to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("pair")
            .to_owned()
    });
    let html = response.text().await.expect("html");
    assert!(html.contains("method=\"post\""), "forms post: {html}");
    Form {
        action: hidden(
            &html.replace("action=\"", "name=\"action\" value=\""),
            "action",
        ),
        fields: vec![
            ("page".to_owned(), hidden(&html, "page")),
            ("_csrf".to_owned(), hidden(&html, "_csrf")),
        ],
        cookie,
    }
}

pub(crate) async fn submit(form: &Form, extra: &[(&str, &str)], send_cookie: bool) -> Response {
    let mut fields = form.fields.clone();
    fields.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let mut request = browser().post(&form.action).form(&fields);
    if let (true, Some(cookie)) = (send_cookie, &form.cookie) {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.expect("POST")
}

pub(crate) fn location(response: &Response) -> reqwest::Url {
    let location = response
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("no redirect ({})", response.status()))
        .to_str()
        .expect("ascii");
    reqwest::Url::parse(location).expect("absolute URL")
}

pub(crate) fn query_of(url: &reqwest::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// Signs `email` in on the login page; returns the code sent to the callback.
pub(crate) async fn code_for(cloud: &TestCloud, email: &str, extra: &[(&str, &str)]) -> String {
    let page = get(
        &format!("{}/oauth2/authorize", base(cloud)),
        &authorize_query(cloud, extra),
    )
    .await;
    let form = form_of(page).await;
    let done = submit(&form, &[("username", email), ("password", PASSWORD)], true).await;
    assert_eq!(done.status(), StatusCode::FOUND);
    let to = location(&done);
    assert!(to.as_str().starts_with(CALLBACK), "{to}");
    let query = query_of(&to);
    assert_eq!(query["state"], "app-state");
    query["code"].clone()
}

pub(crate) async fn token(cloud: &TestCloud, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = browser()
        .post(format!("{}/oauth2/token", base(cloud)))
        .form(form)
        .send()
        .await
        .expect("token");
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    (response.status(), response.json().await.expect("json"))
}

pub(crate) fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
}

#[tokio::test]
async fn demo_client_is_provisioned_for_the_code_flow() {
    let cloud = TestCloud::start().await;
    let (status, body) = cloud
        .admin(
            "DescribeUserPoolClient",
            json!({"UserPoolId": cloud.demo_pool(), "ClientId": cloud.demo_client()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let client = &body["UserPoolClient"];
    assert_eq!(client["AllowedOAuthFlows"], json!(["code"]));
    assert_eq!(client["AllowedOAuthFlowsUserPoolClient"], json!(true));
    assert_eq!(
        client["AllowedOAuthScopes"],
        json!([
            "openid",
            "email",
            "profile",
            "aws.cognito.signin.user.admin"
        ])
    );
    assert_eq!(
        client["CallbackURLs"],
        json!([CALLBACK, "http://localhost:53682/callback"])
    );
    assert_eq!(
        client["SupportedIdentityProviders"],
        json!(["COGNITO", "LocalIdP"])
    );

    let config = std::fs::read_to_string(cloud.data_dir().join("coffer.toml")).expect("config");
    assert!(config.contains("[hosted_ui]"), "{config}");
    assert!(
        config.contains(&format!("domain = \"{}\"", base(&cloud))),
        "{config}"
    );

    let discovery: Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", base(&cloud)))
            .await
            .expect("discovery")
            .json()
            .await
            .expect("json");
    assert_eq!(
        discovery["issuer"],
        format!("{}/{}", cloud.endpoint(), cloud.demo_pool())
    );
    assert_eq!(
        discovery["token_endpoint"],
        format!("{}/oauth2/token", base(&cloud))
    );
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        json!(["S256"])
    );
}

#[tokio::test]
async fn code_flow_issues_tokens_that_refresh_and_revoke() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user("hosted@example.com", PASSWORD).await;
    let code = code_for(&cloud, "hosted@example.com", &[]).await;
    let client_id = cloud.demo_client();
    let (status, tokens) = token(
        &cloud,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &client_id),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(id["nonce"], "app-nonce");
    assert_eq!(id["aud"], client_id.as_str());
    assert_eq!(id["email"], "hosted@example.com");
    let access = claims(tokens["access_token"].as_str().expect("access token"));
    assert_eq!(access["scope"], "openid email profile");

    let info: Value = browser()
        .get(format!("{}/oauth2/userInfo", base(&cloud)))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .expect("userInfo")
        .json()
        .await
        .expect("json");
    assert_eq!(info["email"], "hosted@example.com");

    let refresh = tokens["refresh_token"].as_str().expect("refresh token");
    let (status, refreshed) = token(
        &cloud,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_eq!(
        claims(refreshed["access_token"].as_str().unwrap())["scope"],
        "openid email profile"
    );
    assert!(refreshed.get("refresh_token").is_none(), "no rotation");

    let revoked = browser()
        .post(format!("{}/oauth2/revoke", base(&cloud)))
        .form(&[("token", refresh), ("client_id", client_id.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), StatusCode::OK);
    let (status, body) = token(
        &cloud,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn codes_are_single_use_and_bound_to_verifier_redirect_and_client() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user("bound@example.com", PASSWORD).await;
    let client_id = cloud.demo_client();
    let exchange = |code: String, verifier: &'static str, redirect: &'static str| {
        let client_id = client_id.clone();
        let cloud = &cloud;
        async move {
            token(
                cloud,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("client_id", &client_id),
                    ("redirect_uri", redirect),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };
    let invalid_grant = |(status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "invalid_grant");
    };

    // Replay: the second use fails.
    let code = code_for(&cloud, "bound@example.com", &[]).await;
    assert_eq!(
        exchange(code.clone(), VERIFIER, CALLBACK).await.0,
        StatusCode::OK
    );
    invalid_grant(exchange(code, VERIFIER, CALLBACK).await);

    // A wrong verifier fails, and burns the code for the right one too.
    let code = code_for(&cloud, "bound@example.com", &[]).await;
    invalid_grant(
        exchange(
            code.clone(),
            "another-verifier-of-at-least-forty-three-chars-xyz",
            CALLBACK,
        )
        .await,
    );
    invalid_grant(exchange(code, VERIFIER, CALLBACK).await);

    // Another redirect URI than the one the code was issued for.
    let code = code_for(&cloud, "bound@example.com", &[]).await;
    invalid_grant(exchange(code, VERIFIER, "http://localhost:53682/callback").await);

    // Another client.
    let (_, other_client, _) = cloud.pool_with_client(true, json!({})).await;
    let code = code_for(&cloud, "bound@example.com", &[]).await;
    let (status, body) = token(
        &cloud,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &other_client),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_ne!(status, StatusCode::OK, "{body}");
    invalid_grant(exchange(code, VERIFIER, CALLBACK).await);
}

#[tokio::test]
async fn bad_authorize_requests_are_refused_without_trusting_the_redirect() {
    let cloud = TestCloud::start().await;
    let url = format!("{}/oauth2/authorize", base(&cloud));
    for bad in [
        ("redirect_uri", "http://127.0.0.1:53683/callback"),
        ("redirect_uri", "http://127.0.0.1:53682/callback/"),
        ("client_id", "nosuchclient"),
    ] {
        let response = get(&url, &authorize_query(&cloud, &[bad])).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        assert!(
            response.headers().get(LOCATION).is_none(),
            "{bad:?} must not redirect"
        );
    }
    for (extra, error) in [
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("scope", "openid phone")], "invalid_scope"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("identity_provider", "Google")], "invalid_request"),
    ] {
        let response = get(&url, &authorize_query(&cloud, &extra)).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{extra:?}");
        let query = query_of(&location(&response));
        assert_eq!(query["error"], error, "{extra:?}");
        assert_eq!(query["state"], "app-state");
    }
    let unknown_domain = get(
        &format!("{}/_hosted/nope/oauth2/authorize", cloud.endpoint()),
        &authorize_query(&cloud, &[]),
    )
    .await;
    assert_eq!(unknown_domain.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_login_form_needs_its_csrf_token_and_the_right_password() {
    let cloud = TestCloud::start().await;
    cloud.confirmed_user("csrf@example.com", PASSWORD).await;
    let url = format!("{}/oauth2/authorize", base(&cloud));
    let credentials = [("username", "csrf@example.com"), ("password", PASSWORD)];

    let form = form_of(get(&url, &authorize_query(&cloud, &[])).await).await;
    let no_cookie = submit(&form, &credentials, false).await;
    assert_eq!(no_cookie.status(), StatusCode::FORBIDDEN);
    let replayed = submit(&form, &credentials, true).await;
    assert_eq!(
        replayed.status(),
        StatusCode::BAD_REQUEST,
        "the page was used up"
    );

    let mut form = form_of(get(&url, &authorize_query(&cloud, &[])).await).await;
    form.fields[1].1 = "forged".to_owned();
    assert_eq!(
        submit(&form, &credentials, true).await.status(),
        StatusCode::FORBIDDEN
    );

    let form = form_of(get(&url, &authorize_query(&cloud, &[])).await).await;
    let wrong = submit(
        &form,
        &[
            ("username", "csrf@example.com"),
            ("password", "Wrong-Password-1"),
        ],
        true,
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::OK);
    assert!(wrong.headers().get(LOCATION).is_none());
    let html = wrong.text().await.expect("html");
    assert!(html.contains("Incorrect username or password."), "{html}");
    assert!(
        !html.contains("Wrong-Password-1"),
        "the password is never echoed"
    );
}

#[tokio::test]
async fn domains_providers_and_client_oauth_settings_through_the_api() {
    let cloud = TestCloud::start().await;
    let (pool_id, _, _) = cloud.pool_with_client(false, json!({})).await;
    let (status, body) = cloud
        .admin(
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool_id, "Domain": "Bad_Domain"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = cloud
        .admin(
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool_id, "Domain": "coffer-demo"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "taken by the demo pool");
    let (status, body) = cloud
        .admin(
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool_id, "Domain": "my-app"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, described) = cloud
        .admin("DescribeUserPoolDomain", json!({"Domain": "my-app"}))
        .await;
    assert_eq!(
        described["DomainDescription"]["UserPoolId"],
        pool_id.as_str()
    );

    let issuer = format!("{}/_local/idp", cloud.endpoint());
    let (status, body) = cloud
        .admin(
            "CreateIdentityProvider",
            json!({"UserPoolId": pool_id, "ProviderName": "LocalIdP", "ProviderType": "OIDC",
                   "ProviderDetails": {"client_id": "my-app", "client_secret": "s3cret",
                                       "authorize_scopes": "openid email", "oidc_issuer": issuer}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["IdentityProvider"]["ProviderDetails"]["token_url"],
        format!("{issuer}/token")
    );

    let oauth = json!({"UserPoolId": pool_id, "ClientName": "web",
        "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
        "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["http://example.com/cb"],
        "SupportedIdentityProviders": ["COGNITO", "LocalIdP"]});
    let (status, _) = cloud.admin("CreateUserPoolClient", oauth.clone()).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "plain http is for loopback only"
    );
    let mut ok = oauth;
    ok["CallbackURLs"] = json!(["https://app.example.com/cb", "http://127.0.0.1:9000/cb"]);
    let (status, body) = cloud.admin("CreateUserPoolClient", ok).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["UserPoolClient"]["CallbackURLs"],
        json!(["https://app.example.com/cb", "http://127.0.0.1:9000/cb"])
    );
    assert_eq!(
        body["UserPoolClient"]["SupportedIdentityProviders"],
        json!(["COGNITO", "LocalIdP"])
    );
}

#[tokio::test]
async fn local_idp_users_sign_in_as_federated_users() {
    let cloud = TestCloud::start().await;
    let created: Value = browser()
        .post(format!("{}/_local/idp/users", cloud.endpoint()))
        .json(&json!({"username": "grace", "password": "Idp-Password-9", "email": "grace@idp.example", "name": "Grace"}))
        .send()
        .await
        .expect("add user")
        .json()
        .await
        .expect("json");
    let idp_sub = created["sub"].as_str().expect("sub").to_owned();

    let start = get(
        &format!("{}/oauth2/authorize", base(&cloud)),
        &authorize_query(&cloud, &[("identity_provider", "LocalIdP")]),
    )
    .await;
    assert_eq!(start.status(), StatusCode::FOUND);
    let to_idp = location(&start);
    assert!(to_idp
        .as_str()
        .starts_with(&format!("{}/_local/idp/authorize", cloud.endpoint())));
    let form = form_of(get(to_idp.as_str(), &[]).await).await;

    let wrong = submit(
        &form,
        &[("username", "grace"), ("password", "nope-nope-nope")],
        true,
    )
    .await;
    assert_eq!(
        wrong.status(),
        StatusCode::OK,
        "wrong password shows the page again"
    );
    let form = form_of(get(to_idp.as_str(), &[]).await).await;
    let back = submit(
        &form,
        &[("username", "grace"), ("password", "Idp-Password-9")],
        true,
    )
    .await;
    let idp_response = location(&back);
    assert!(
        idp_response.path().ends_with("/oauth2/idpresponse"),
        "{idp_response}"
    );
    let to_app = get(idp_response.as_str(), &[]).await;
    let app = location(&to_app);
    assert!(app.as_str().starts_with(CALLBACK));
    let code = query_of(&app)["code"].clone();
    // The provider's answer works once.
    let replay = get(idp_response.as_str(), &[]).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);

    // The federated sign-in started a hosted UI session, for the same method only.
    let session = to_app
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok()?.split(';').next())
        .find(|pair| pair.starts_with("cognito="))
        .expect("a session cookie")
        .to_owned();
    let with_session = |extra: &'static [(&'static str, &'static str)]| {
        browser()
            .get(format!("{}/oauth2/authorize", base(&cloud)))
            .query(&authorize_query(&cloud, extra))
            .header(COOKIE, session.clone())
            .send()
    };
    let again = with_session(&[("identity_provider", "LocalIdP")])
        .await
        .expect("GET");
    assert!(
        location(&again).as_str().starts_with(CALLBACK),
        "no trip to the provider"
    );
    let unnamed = with_session(&[]).await.expect("GET");
    assert!(location(&unnamed).as_str().starts_with(CALLBACK));
    // prompt=login goes to the provider again, and the provider is told.
    let forced = with_session(&[("identity_provider", "LocalIdP"), ("prompt", "login")])
        .await
        .expect("GET");
    let to_idp = location(&forced);
    assert!(to_idp
        .as_str()
        .starts_with(&format!("{}/_local/idp/authorize", cloud.endpoint())));
    assert_eq!(query_of(&to_idp)["prompt"], "login");
    let local = with_session(&[("identity_provider", "COGNITO")])
        .await
        .expect("GET");
    assert_eq!(
        local.status(),
        StatusCode::OK,
        "the login page, not the session"
    );

    let client_id = cloud.demo_client();
    let (status, tokens) = token(
        &cloud,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &client_id),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id = claims(tokens["id_token"].as_str().unwrap());
    let username = format!("LocalIdP_{idp_sub}");
    assert_eq!(id["cognito:username"], username.as_str());
    assert_eq!(id["email"], "grace@idp.example");
    assert_eq!(id["identities"][0]["providerName"], "LocalIdP");
    assert_eq!(id["identities"][0]["userId"], idp_sub.as_str());

    let (_, user) = cloud
        .admin(
            "AdminGetUser",
            json!({"UserPoolId": cloud.demo_pool(), "Username": username}),
        )
        .await;
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER");
}

#[tokio::test]
async fn the_sign_up_link_creates_and_confirms_an_account_then_signs_in() {
    let cloud = TestCloud::start().await;
    let login = get(
        &format!("{}/oauth2/authorize", base(&cloud)),
        &authorize_query(&cloud, &[]),
    )
    .await;
    let html = login.text().await.expect("html");
    let start =
        html.find("id=\"sign-up\" href=\"").expect("sign-up link") + "id=\"sign-up\" href=\"".len();
    let link = html[start..]
        .split('"')
        .next()
        .expect("href")
        .replace("&amp;", "&");
    let form = form_of(get(&link, &[]).await).await;
    let weak = submit(
        &form,
        &[("username", "new@example.com"), ("password", "short")],
        true,
    )
    .await;
    assert_eq!(weak.status(), StatusCode::OK);
    assert!(
        weak.text().await.unwrap().contains("id=\"error\""),
        "the policy is enforced"
    );

    let form = form_of(get(&link, &[]).await).await;
    let confirm = form_of(
        submit(
            &form,
            &[("username", "new@example.com"), ("password", PASSWORD)],
            true,
        )
        .await,
    )
    .await;
    assert!(confirm.action.ends_with("/confirm"), "{}", confirm.action);
    let code = cloud.last_code("new@example.com").await;
    let login = form_of(
        submit(
            &confirm,
            &[("username", "new@example.com"), ("code", &code)],
            true,
        )
        .await,
    )
    .await;
    assert!(login.action.ends_with("/login"));
    let done = submit(
        &login,
        &[("username", "new@example.com"), ("password", PASSWORD)],
        true,
    )
    .await;
    assert_eq!(done.status(), StatusCode::FOUND);
    assert_eq!(query_of(&location(&done))["state"], "app-state");
}

#[tokio::test]
async fn local_idp_serves_its_token_endpoint_to_registered_clients_only() {
    let cloud = TestCloud::start().await;
    browser()
        .post(format!("{}/_local/idp/users", cloud.endpoint()))
        .json(&json!({"username": "hopper", "password": "Idp-Password-9"}))
        .send()
        .await
        .expect("add user");
    let (_, provider) = cloud
        .admin(
            "DescribeIdentityProvider",
            json!({"UserPoolId": cloud.demo_pool(), "ProviderName": "LocalIdP"}),
        )
        .await;
    let details = &provider["IdentityProvider"]["ProviderDetails"];
    let client_id = details["client_id"].as_str().expect("client_id").to_owned();
    let secret = details["client_secret"]
        .as_str()
        .expect("client_secret")
        .to_owned();
    let redirect = format!("{}/oauth2/idpresponse", base(&cloud));
    let authorize = format!("{}/_local/idp/authorize", cloud.endpoint());
    let query = |redirect: &str| {
        vec![
            ("response_type".to_owned(), "code".to_owned()),
            ("client_id".to_owned(), client_id.clone()),
            ("redirect_uri".to_owned(), redirect.to_owned()),
            ("state".to_owned(), "s".to_owned()),
            ("nonce".to_owned(), "idp-nonce".to_owned()),
        ]
    };
    let elsewhere = get(&authorize, &query("http://127.0.0.1:1/steal")).await;
    assert_eq!(
        elsewhere.status(),
        StatusCode::BAD_REQUEST,
        "unregistered redirect refused"
    );

    let form = form_of(get(&authorize, &query(&redirect)).await).await;
    let back = submit(
        &form,
        &[("username", "hopper"), ("password", "Idp-Password-9")],
        true,
    )
    .await;
    let code = query_of(&location(&back))["code"].clone();
    let exchange = |secret: String| {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
            ("client_id", client_id.clone()),
            ("client_secret", secret),
            ("redirect_uri", redirect.clone()),
        ];
        let url = format!("{}/_local/idp/token", cloud.endpoint());
        async move { browser().post(url).form(&form).send().await.expect("token") }
    };
    let wrong_secret = exchange("wrong".to_owned()).await;
    assert_eq!(wrong_secret.status(), StatusCode::UNAUTHORIZED);
    // The failed attempt used the code up.
    let after = exchange(secret.clone()).await;
    assert_eq!(after.status(), StatusCode::BAD_REQUEST);

    let form = form_of(get(&authorize, &query(&redirect)).await).await;
    let back = submit(
        &form,
        &[("username", "hopper"), ("password", "Idp-Password-9")],
        true,
    )
    .await;
    let code = query_of(&location(&back))["code"].clone();
    let tokens: Value = browser()
        .post(format!("{}/_local/idp/token", cloud.endpoint()))
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect.as_str()),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(id["iss"], format!("{}/_local/idp", cloud.endpoint()));
    assert_eq!(id["aud"], client_id.as_str());
    assert_eq!(id["nonce"], "idp-nonce");
    assert_eq!(id["preferred_username"], "hopper");
}

// ---- MFA on the hosted UI ----

/// Turns MFA on for the demo pool (`mode`, with TOTP and e-mail codes offered).
pub(crate) async fn demo_pool_mfa(cloud: &TestCloud, mode: &str, email: bool) {
    let mut config = json!({"UserPoolId": cloud.demo_pool(), "MfaConfiguration": mode, "SoftwareTokenMfaConfiguration": {"Enabled": true}});
    if email {
        config["EmailMfaConfiguration"] = json!({"Message": "Code {####}", "Subject": "Sign-in"});
    }
    let (status, body) = cloud.admin("SetUserPoolMfaConfig", config).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A confirmed demo-pool user with a TOTP authenticator turned on (enrolled through the API
/// with a second client that allows USER_PASSWORD_AUTH).
pub(crate) async fn totp_user(cloud: &TestCloud, email: &str) -> TotpSecret {
    cloud.confirmed_user(email, PASSWORD).await;
    let api_client = crate::mfa::new_client(cloud, &cloud.demo_pool()).await;
    crate::mfa::enrol_totp(cloud, &api_client, email).await
}

/// Opens the login page and submits the password; returns the response (the MFA page).
async fn password_page(cloud: &TestCloud, email: &str) -> Response {
    let page = get(
        &format!("{}/oauth2/authorize", base(cloud)),
        &authorize_query(cloud, &[]),
    )
    .await;
    let form = form_of(page).await;
    submit(&form, &[("username", email), ("password", PASSWORD)], true).await
}

/// The page's HTML and its form.
pub(crate) async fn page_and_form(response: Response) -> (String, Form) {
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers().get(SET_COOKIE).map(|c| {
        c.to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("pair")
            .to_owned()
    });
    let html = response.text().await.expect("html");
    let form = Form {
        action: hidden(
            &html.replace("action=\"", "name=\"action\" value=\""),
            "action",
        ),
        fields: vec![
            ("page".to_owned(), hidden(&html, "page")),
            ("_csrf".to_owned(), hidden(&html, "_csrf")),
        ],
        cookie,
    };
    (html, form)
}

pub(crate) fn totp_now(cloud: &TestCloud, secret: &TotpSecret) -> String {
    code_at(secret, cloud.clock.now()).expect("code")
}

/// The code a redirect to the callback carries.
fn callback_code(response: &Response) -> String {
    assert_eq!(response.status(), StatusCode::FOUND);
    let to = location(response);
    assert!(to.as_str().starts_with(CALLBACK), "{to}");
    let query = query_of(&to);
    assert_eq!(query["state"], "app-state");
    query["code"].clone()
}

#[tokio::test]
async fn totp_users_get_a_code_page_after_the_password() {
    let cloud = TestCloud::start().await;
    demo_pool_mfa(&cloud, "OPTIONAL", false).await;
    let secret = totp_user(&cloud, "totp@example.com").await;

    let mfa = password_page(&cloud, "totp@example.com").await;
    assert!(
        mfa.headers().get(LOCATION).is_none(),
        "no code before the second factor"
    );
    let (html, form) = page_and_form(mfa).await;
    assert!(html.contains("authenticator app"), "{html}");
    assert!(!html.contains(PASSWORD), "the password is not carried on");
    assert!(form.action.ends_with("/mfa"), "{}", form.action);

    let wrong = crate::mfa::wrong_code(&secret, &cloud);
    let again = submit(&form, &[("code", &wrong)], true).await;
    let (html, retry) = page_and_form(again).await;
    assert!(html.contains("Incorrect code."), "{html}");
    assert_ne!(
        retry.fields[0].1, form.fields[0].1,
        "a retry gets a new key"
    );
    let used = submit(&form, &[("code", &totp_now(&cloud, &secret))], true).await;
    assert_eq!(
        used.status(),
        StatusCode::BAD_REQUEST,
        "the page key was used up"
    );
    let forged = submit(&retry, &[("code", &totp_now(&cloud, &secret))], false).await;
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "the CSRF cookie is required"
    );

    // The CSRF failure used that page up too: start again, and sign in with the right code.
    let (_, form) = page_and_form(password_page(&cloud, "totp@example.com").await).await;
    let code = totp_now(&cloud, &secret);
    let done = submit(&form, &[("code", &code)], true).await;
    let auth_code = callback_code(&done);
    let client_id = cloud.demo_client();
    let (status, tokens) = token(
        &cloud,
        &[
            ("grant_type", "authorization_code"),
            ("code", &auth_code),
            ("client_id", &client_id),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(id["email"], "totp@example.com");
    assert_eq!(id["nonce"], "app-nonce");

    // The same code again, in a new login within its window: refused as a replay.
    let (_, form) = page_and_form(password_page(&cloud, "totp@example.com").await).await;
    let replay = submit(&form, &[("code", &code)], true).await;
    let (html, form) = page_and_form(replay).await;
    assert!(html.contains("Incorrect code."), "replay refused: {html}");
    cloud.clock.advance(Duration::from_secs(30));
    let fresh = submit(&form, &[("code", &totp_now(&cloud, &secret))], true).await;
    callback_code(&fresh);
}

#[tokio::test]
async fn the_mfa_page_allows_three_codes_and_expires_after_three_minutes() {
    let cloud = TestCloud::start().await;
    demo_pool_mfa(&cloud, "OPTIONAL", false).await;
    let secret = totp_user(&cloud, "limits@example.com").await;
    let wrong = crate::mfa::wrong_code(&secret, &cloud);

    let (_, mut form) = page_and_form(password_page(&cloud, "limits@example.com").await).await;
    for _ in 0..2 {
        let (html, next) = page_and_form(submit(&form, &[("code", &wrong)], true).await).await;
        assert!(html.contains("Incorrect code."), "{html}");
        form = next;
    }
    let third = submit(&form, &[("code", &wrong)], true).await;
    assert_eq!(third.status(), StatusCode::FORBIDDEN);
    let html = third.text().await.expect("html");
    assert!(html.contains("Too many incorrect codes"), "{html}");

    // The pending record lives three minutes from the password, retries included.
    let (_, form) = page_and_form(password_page(&cloud, "limits@example.com").await).await;
    cloud.clock.advance(Duration::from_secs(120));
    let (_, form) = page_and_form(submit(&form, &[("code", &wrong)], true).await).await;
    cloud.clock.advance(Duration::from_secs(61));
    let late = submit(&form, &[("code", &totp_now(&cloud, &secret))], true).await;
    assert_eq!(late.status(), StatusCode::BAD_REQUEST);
    let html = late.text().await.expect("html");
    assert!(html.contains("expired"), "{html}");
}

#[tokio::test]
async fn several_factors_give_a_choice_and_email_codes_go_to_the_outbox() {
    let cloud = TestCloud::start().await;
    demo_pool_mfa(&cloud, "OPTIONAL", true).await;
    let email = "choose@example.com";
    let secret = totp_user(&cloud, email).await;
    let (status, body) = cloud
        .admin(
            "AdminSetUserMFAPreference",
            json!({"UserPoolId": cloud.demo_pool(), "Username": email,
            "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": false},
            "EmailMfaSettings": {"Enabled": true, "PreferredMfa": false}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (html, form) = page_and_form(password_page(&cloud, email).await).await;
    assert!(html.contains("id=\"factor-SOFTWARE_TOKEN_MFA\""), "{html}");
    assert!(html.contains("id=\"factor-EMAIL_OTP\""), "{html}");
    assert!(
        !html.contains("factor-SMS_MFA"),
        "SMS is not offered: {html}"
    );
    // A factor that was not offered shows the choice again.
    let (html, form) = page_and_form(submit(&form, &[("factor", "SMS_MFA")], true).await).await;
    assert!(html.contains("id=\"factor-EMAIL_OTP\""), "{html}");

    let sent_before = cloud.outbox().await.len();
    let (html, form) = page_and_form(submit(&form, &[("factor", "EMAIL_OTP")], true).await).await;
    assert!(html.contains("e-mailed a code"), "{html}");
    let outbox = cloud.outbox().await;
    assert_eq!(outbox.len(), sent_before + 1);
    let message = outbox.last().expect("sent");
    assert_eq!(message["purpose"], "mfa");
    assert_eq!(message["destination"], email);
    let code = message["code"].as_str().expect("code").to_owned();
    assert!(!html.contains(&code), "the code is only in the outbox");

    // A TOTP code does not answer an e-mail challenge.
    let totp = totp_now(&cloud, &secret);
    let (html, form) = page_and_form(submit(&form, &[("code", &totp)], true).await).await;
    assert!(html.contains("Incorrect code."), "{html}");
    let done = submit(&form, &[("code", &code)], true).await;
    callback_code(&done);
}

#[tokio::test]
async fn a_pool_requiring_mfa_sets_up_totp_on_the_hosted_ui() {
    let cloud = TestCloud::start().await;
    demo_pool_mfa(&cloud, "ON", false).await;
    let email = "newfactor@example.com";
    cloud.confirmed_user(email, PASSWORD).await;
    let (html, form) = page_and_form(password_page(&cloud, email).await).await;
    assert!(html.contains("Set up an authenticator app"), "{html}");
    let typed = html
        .split("<code id=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the secret on the page, for entry by hand")
        .to_owned();
    assert_eq!(typed.len(), 32, "160 bits in base32");

    // What a phone scanning the QR code gets: the otpauth URI shown on the page, whose secret
    // is the one typed by hand. The codes below are made from the scanned secret.
    let scanned = scan_qr_code(&html);
    assert!(scanned.starts_with("otpauth://totp/Coffer%3A"), "{scanned}");
    let shown = html
        .split("<code id=\"otpauth\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the URI as text")
        .replace("&amp;", "&");
    assert_eq!(scanned, shown);
    let scanned_url = reqwest::Url::parse(&scanned).expect("a URL");
    let params = query_of(&scanned_url);
    assert_eq!(params["issuer"], "Coffer");
    assert_eq!(params["secret"], typed);
    let secret = TotpSecret::from_base32(params["secret"].clone());

    let wrong = crate::mfa::wrong_code(&secret, &cloud);
    let (html, form) = page_and_form(submit(&form, &[("code", &wrong)], true).await).await;
    assert!(html.contains("Incorrect code."), "{html}");
    let code = totp_now(&cloud, &secret);
    callback_code(&submit(&form, &[("code", &code)], true).await);

    // Set up for good: the next login asks for a code, and the setup code cannot be reused.
    let (html, form) = page_and_form(password_page(&cloud, email).await).await;
    assert!(html.contains("authenticator app"), "{html}");
    let (html, form) = page_and_form(submit(&form, &[("code", &code)], true).await).await;
    assert!(html.contains("Incorrect code."), "{html}");
    cloud.clock.advance(Duration::from_secs(30));
    callback_code(&submit(&form, &[("code", &totp_now(&cloud, &secret))], true).await);
}

/// Decodes the page's QR code as a scanner would: the inline SVG rendered to pixels by resvg,
/// the pixels read by rqrr (neither shares code with the server's QR encoder).
fn scan_qr_code(html: &str) -> String {
    let start = html.find("<svg").expect("an inline SVG on the page");
    let end = start + html[start..].find("</svg>").expect("a closed SVG") + "</svg>".len();
    let svg = &html[start..end];
    assert!(
        svg.starts_with("<svg role=\"img\" aria-label=\"QR code"),
        "labelled for screen readers: {}",
        &svg[..80]
    );
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default())
        .expect("well-formed SVG");
    let size = tree.size().to_int_size();
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("a drawable size");
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let width = pixmap.width() as usize;
    let rgba = pixmap.data();
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, pixmap.height() as usize, |x, y| {
            rgba[(y * width + x) * 4]
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    let (_, content) = grids[0].decode().expect("a readable QR code");
    content
}

#[tokio::test]
async fn a_pool_requiring_mfa_without_totp_sends_users_to_the_app_to_set_it_up() {
    let cloud = TestCloud::start().await;
    let (status, body) = cloud
        .admin("SetUserPoolMfaConfig", json!({"UserPoolId": cloud.demo_pool(), "MfaConfiguration": "ON",
            "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}", "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sns"}},
            "SoftwareTokenMfaConfiguration": {"Enabled": false}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, config) = cloud
        .admin(
            "GetUserPoolMfaConfig",
            json!({"UserPoolId": cloud.demo_pool()}),
        )
        .await;
    assert!(config.get("EmailMfaConfiguration").is_none(), "{config}");
    // No phone number: nothing the pool offers can reach this user.
    cloud.confirmed_user("nofactor@example.com", PASSWORD).await;
    let refused = password_page(&cloud, "nofactor@example.com").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.headers().get(LOCATION).is_none());
    let html = refused.text().await.expect("html");
    assert!(
        html.contains("Set up multi-factor authentication first"),
        "{html}"
    );
}
