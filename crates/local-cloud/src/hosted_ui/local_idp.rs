//! LocalIdP: a small OpenID Connect provider built into the local cloud, so federated
//! ("Sign in with …") flows work offline. It has its own users, login page, codes and signing
//! key, and is registered in a pool with CreateIdentityProvider (ProviderType `OIDC`,
//! `oidc_issuer` = `<endpoint>/_local/idp`).
//!
//! Routes, under `<endpoint>/_local/idp`:
//! * `GET /.well-known/openid-configuration`, `GET /jwks.json` — discovery and keys;
//! * `GET /authorize` — its login page (for a registered client and redirect URI only);
//! * `POST /login` — the form (CSRF-checked like the hosted UI's), then `302` with a code;
//! * `POST /token` — `authorization_code` grant: a signed ID token with the `nonce`;
//! * `POST /users` — admin: `{"username","password","email"?,"name"?}` adds a user.
//!
//! A client of LocalIdP is any `client_id` named in some pool's LocalIdP provider details; its
//! only redirect URI is that pool's hosted-UI `/oauth2/idpresponse`. The hosted UI, being the
//! same process, redeems codes through [`redeem`] directly instead of over HTTP; `/token`
//! serves the same redemption to outside clients. Passwords are kept as SRP verifiers under
//! the pseudo pool name `LocalIdP`, never in clear.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use rand::rngs::OsRng;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::authorize::with_query;
use super::login::csrf_matches;
use super::pages::{self, LoginForm};
use super::pending::{self, Ledger};
use super::token::{basic_credentials, OAuthError};
use super::Hosted;
use crate::error::CognitoError;
use crate::jwt::SigningKeyRecord;
use crate::model::hosted::LocalIdpUser;
use crate::model::user::StoredPassword;
use crate::model::State as CloudState;
use crate::secrets::SecretString;

/// The pseudo pool name LocalIdP's password verifiers are made with.
const VERIFIER_REALM: &str = "LocalIdP";
/// The key-cache slot of LocalIdP's signing key.
const KEY_SLOT: &str = "_local_idp";
const CSRF_COOKIE: &str = "coffer_idp_csrf";
const ID_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// LocalIdP's issuer on this server.
pub fn issuer(endpoint: &str) -> String {
    format!("{endpoint}/_local/idp")
}

/// The endpoint details Cognito would discover for this issuer.
pub fn discovered_details(endpoint: &str) -> Vec<(&'static str, String)> {
    let issuer = issuer(endpoint);
    vec![
        ("authorize_url", format!("{issuer}/authorize")),
        ("token_url", format!("{issuer}/token")),
        ("jwks_uri", format!("{issuer}/jwks.json")),
    ]
}

/// Re-points LocalIdP providers registered under an earlier endpoint (another port) at
/// `endpoint`. A provider is LocalIdP's when its issuer is `http://<loopback>:<port>/_local/idp`.
pub fn repoint_providers(state: &mut CloudState, endpoint: &str) {
    let current = issuer(endpoint);
    for provider in state
        .hosted
        .providers
        .values_mut()
        .flat_map(|p| p.values_mut())
    {
        let is_local = provider.details.get("oidc_issuer").is_some_and(|old| {
            url::Url::parse(old).is_ok_and(|url| {
                url.path() == "/_local/idp"
                    && url.scheme() == "http"
                    && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
            })
        });
        if is_local && provider.details.get("oidc_issuer") != Some(&current) {
            provider
                .details
                .insert("oidc_issuer".to_owned(), current.clone());
            for (key, value) in discovered_details(endpoint) {
                provider.details.insert(key.to_owned(), value);
            }
        }
    }
}

/// A login page of LocalIdP shown and not yet submitted.
#[derive(Debug, Clone)]
pub struct IdpPage {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    nonce: Option<String>,
    csrf: String,
}

/// A code issued by LocalIdP.
#[derive(Debug, Clone)]
pub struct IdpCode {
    client_id: String,
    redirect_uri: String,
    username: String,
    nonce: Option<String>,
}

/// Who signed in at LocalIdP, as its ID token says.
#[derive(Debug, Clone)]
pub struct IdpIdentity {
    /// `sub`.
    pub sub: String,
    /// `email`.
    pub email: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `preferred_username`.
    pub username: String,
    /// The `nonce` of the authorization request.
    pub nonce: Option<String>,
}

/// LocalIdP's memory-only pages and codes.
pub struct Runtime {
    pages: Ledger<IdpPage>,
    codes: Ledger<IdpCode>,
}

impl Default for Runtime {
    fn default() -> Self {
        Self {
            pages: Ledger::new(super::PAGE_LIFETIME),
            codes: Ledger::new(super::CODE_LIFETIME),
        }
    }
}

/// A registered client of LocalIdP: its secret (if any) and its one redirect URI.
fn registered_client(
    state: &CloudState,
    endpoint: &str,
    client_id: &str,
) -> Option<(Option<String>, String)> {
    let issuer = issuer(endpoint);
    state
        .hosted
        .providers
        .iter()
        .find_map(|(pool_id, providers)| {
            let provider = providers.values().find(|p| {
                p.details.get("oidc_issuer") == Some(&issuer)
                    && p.details.get("client_id").map(String::as_str) == Some(client_id)
            })?;
            let domain = state.hosted.domain_of_pool(pool_id)?;
            let redirect = format!(
                "{}/oauth2/idpresponse",
                crate::ops::domains::hosted_base_url(endpoint, domain)
            );
            Some((provider.details.get("client_secret").cloned(), redirect))
        })
}

fn secret_ok(expected: Option<&String>, given: Option<&SecretString>) -> bool {
    match (expected, given) {
        (None, _) => true,
        (Some(expected), Some(given)) => {
            bool::from(expected.as_bytes().ct_eq(given.expose().as_bytes()))
        }
        (Some(_), None) => false,
    }
}

/// Redeems a LocalIdP code for the identity it stands for. Checks the client, its secret and
/// the redirect URI; the code is used up whatever the outcome.
pub fn redeem(
    hosted: &Hosted,
    state: &CloudState,
    code: &str,
    client_id: &str,
    client_secret: Option<&SecretString>,
    redirect_uri: &str,
) -> Result<IdpIdentity, OAuthError> {
    let issued = hosted
        .idp
        .codes
        .take(code, hosted.now())
        .ok_or(OAuthError::InvalidGrant)?;
    let (secret, _) = registered_client(state, &hosted.app.endpoint, client_id)
        .ok_or(OAuthError::InvalidClient)?;
    if !secret_ok(secret.as_ref(), client_secret) {
        return Err(OAuthError::InvalidClient);
    }
    if issued.client_id != client_id || issued.redirect_uri != redirect_uri {
        return Err(OAuthError::InvalidGrant);
    }
    let user = state
        .hosted
        .local_idp
        .users
        .get(&issued.username)
        .ok_or(OAuthError::InvalidGrant)?;
    Ok(IdpIdentity {
        sub: user.sub.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        username: user.username.clone(),
        nonce: issued.nonce,
    })
}

/// The routes, to be merged into the hosted UI's router.
pub fn routes() -> Router<Arc<Hosted>> {
    Router::new()
        .route(
            "/_local/idp/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/_local/idp/jwks.json", get(jwks))
        .route("/_local/idp/authorize", get(authorize))
        .route("/_local/idp/login", post(login))
        .route("/_local/idp/token", post(token))
        .route("/_local/idp/users", post(add_user))
}

async fn discovery(State(hosted): State<Arc<Hosted>>) -> Response {
    let issuer = issuer(&hosted.app.endpoint);
    Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks.json"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
    .into_response()
}

/// LocalIdP's signing key, made on first use.
fn signing_key(ctx: &mut crate::ops::Ctx<'_>) -> Result<Arc<crate::jwt::PoolKey>, CognitoError> {
    if ctx.inner.state.hosted.local_idp.signing_key.is_none() {
        let record = SigningKeyRecord::generate().map_err(|_| CognitoError::internal())?;
        ctx.inner.state.hosted.local_idp.signing_key = Some(record);
    }
    let record = ctx
        .inner
        .state
        .hosted
        .local_idp
        .signing_key
        .clone()
        .ok_or_else(CognitoError::internal)?;
    ctx.inner.keys.get(KEY_SLOT, &record)
}

async fn jwks(State(hosted): State<Arc<Hosted>>) -> Response {
    match hosted.run(signing_key).await {
        Ok(key) => Json(serde_json::json!({ "keys": [key.jwk()] })).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The authorization request to LocalIdP.
#[derive(Debug, Deserialize)]
pub struct IdpAuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
}

fn show_login(hosted: &Hosted, page: IdpPage, username: &str, error: Option<&str>) -> Response {
    let csrf = page.csrf.clone();
    let key = hosted.idp.pages.insert(page, hosted.now());
    let action = format!("{}/login", issuer(&hosted.app.endpoint));
    let body = pages::login_form(&LoginForm {
        heading: "LocalIdP — sign in",
        action: &action,
        page_key: &key,
        csrf: &csrf,
        username_label: "LocalIdP username",
        username,
        error,
        footer: "<p class=\"muted\">LocalIdP is the local cloud's built-in identity provider.</p>",
    });
    let response = pages::page(StatusCode::OK, "LocalIdP", &body);
    pages::with_csrf_cookie(response, CSRF_COOKIE, &csrf, "/_local/idp")
}

async fn authorize(
    State(hosted): State<Arc<Hosted>>,
    Query(query): Query<IdpAuthorizeQuery>,
) -> Response {
    let (Some(client_id), Some(redirect_uri)) = (query.client_id, query.redirect_uri) else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "client_id and redirect_uri are required.",
        );
    };
    let lookup = client_id.clone();
    let endpoint = hosted.app.endpoint.clone();
    let registered = hosted
        .run(move |ctx| Ok(registered_client(&ctx.inner.state, &endpoint, &lookup)))
        .await;
    match registered {
        Ok(Some((_, allowed))) if allowed == redirect_uri => {}
        Ok(_) => {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                "LocalIdP does not know this client or redirect URI.",
            )
        }
        Err(_) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Internal error."),
    }
    if query.response_type.as_deref() != Some("code") {
        let mut params = vec![("error", "unsupported_response_type".to_owned())];
        if let Some(state) = query.state {
            params.push(("state", state));
        }
        return pages::redirect(&with_query(&redirect_uri, &params));
    }
    let page = IdpPage {
        client_id,
        redirect_uri,
        state: query.state,
        nonce: query.nonce,
        csrf: pending::new_key(),
    };
    show_login(&hosted, page, "", None)
}

/// LocalIdP's login form.
#[derive(Deserialize)]
pub struct IdpLoginForm {
    page: String,
    #[serde(rename = "_csrf")]
    csrf: String,
    username: String,
    password: SecretString,
}

fn check_user(state: &CloudState, username: &str, password: &SecretString) -> bool {
    let Some(user) = state.hosted.local_idp.users.get(username) else {
        return false;
    };
    let identity = cognito_srp::Identity::User {
        pool_name: VERIFIER_REALM,
        user_id_for_srp: &user.username,
    };
    user.password
        .verifier()
        .is_ok_and(|verifier| verifier.matches_password(identity, password.expose()))
}

async fn login(
    State(hosted): State<Arc<Hosted>>,
    headers: HeaderMap,
    Form(form): Form<IdpLoginForm>,
) -> Response {
    let Some(page) = hosted.idp.pages.take(&form.page, hosted.now()) else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This page has expired. Start again.",
        );
    };
    let cookie = pages::cookie(&headers, CSRF_COOKIE);
    if !csrf_matches(&page.csrf, &form.csrf, cookie.as_deref()) {
        return pages::error_page(StatusCode::FORBIDDEN, "The form could not be verified.");
    }
    let username = form.username.clone();
    let password = form.password;
    let ok = hosted
        .run(move |ctx| Ok(check_user(&ctx.inner.state, &username, &password)))
        .await
        .unwrap_or(false);
    if !ok {
        let page = IdpPage {
            csrf: pending::new_key(),
            ..page
        };
        return show_login(
            &hosted,
            page,
            &form.username,
            Some("Wrong LocalIdP username or password."),
        );
    }
    let code = hosted.idp.codes.insert(
        IdpCode {
            client_id: page.client_id,
            redirect_uri: page.redirect_uri.clone(),
            username: form.username,
            nonce: page.nonce,
        },
        hosted.now(),
    );
    let mut params = vec![("code", code)];
    if let Some(state) = page.state {
        params.push(("state", state));
    }
    pages::redirect(&with_query(&page.redirect_uri, &params))
}

/// LocalIdP's token request.
#[derive(Deserialize)]
pub struct IdpTokenForm {
    grant_type: Option<String>,
    code: Option<SecretString>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
}

async fn token(
    State(hosted): State<Arc<Hosted>>,
    headers: HeaderMap,
    Form(form): Form<IdpTokenForm>,
) -> Response {
    if form.grant_type.as_deref() != Some("authorization_code") {
        return OAuthError::UnsupportedGrantType.response();
    }
    let basic = basic_credentials(&headers);
    let (client_id, secret) = match (&basic, &form.client_id) {
        (Some((id, secret)), _) => (id.clone(), Some(secret.clone())),
        (None, Some(id)) => (id.clone(), form.client_secret.clone()),
        (None, None) => return OAuthError::InvalidClient.response(),
    };
    let (Some(code), Some(redirect_uri)) = (form.code, form.redirect_uri) else {
        return OAuthError::InvalidRequest.response();
    };
    let runner = Arc::clone(&hosted);
    let outcome = hosted
        .run(move |ctx| {
            let identity = match redeem(
                &runner,
                &ctx.inner.state,
                code.expose(),
                &client_id,
                secret.as_ref(),
                &redirect_uri,
            ) {
                Ok(identity) => identity,
                Err(error) => return Ok(Err(error)),
            };
            let key = signing_key(ctx)?;
            let now = ctx.now;
            let mut claims = serde_json::json!({
                "iss": issuer(ctx.endpoint),
                "sub": identity.sub,
                "aud": client_id,
                "iat": now.unix_timestamp(),
                "exp": (now + ID_TOKEN_LIFETIME).unix_timestamp(),
                "preferred_username": identity.username,
            });
            if let Some(nonce) = identity.nonce {
                claims["nonce"] = nonce.into();
            }
            if let Some(email) = identity.email {
                claims["email"] = email.into();
                claims["email_verified"] = true.into();
            }
            if let Some(name) = identity.name {
                claims["name"] = name.into();
            }
            Ok(Ok(key.sign(&claims)?))
        })
        .await;
    match outcome {
        Ok(Ok(id_token)) => {
            let mut response = Json(serde_json::json!({
                "id_token": id_token,
                "access_token": pending::new_key(),
                "token_type": "Bearer",
                "expires_in": ID_TOKEN_LIFETIME.as_secs(),
            }))
            .into_response();
            pages::no_store(response.headers_mut());
            response
        }
        Ok(Err(error)) => error.response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `POST /_local/idp/users`.
#[derive(Deserialize)]
pub struct NewIdpUser {
    username: String,
    password: SecretString,
    email: Option<String>,
    name: Option<String>,
}

/// Adds a LocalIdP user (the local cloud's admin surface, like `/_local/outbox`).
pub fn add_idp_user(
    state: &mut CloudState,
    user: NewIdpUser,
    now: time::OffsetDateTime,
) -> Result<String, CognitoError> {
    crate::ops::check_username(&user.username)?;
    if user.password.expose().len() < 8 {
        return Err(CognitoError::invalid_parameter(
            "LocalIdP passwords have at least 8 characters.",
        ));
    }
    if state.hosted.local_idp.users.contains_key(&user.username) {
        return Err(CognitoError::new(
            crate::error::ErrorKind::UsernameExists,
            "A LocalIdP user with this username exists.",
        ));
    }
    let salt = cognito_srp::generate_salt(&mut OsRng);
    let verifier = cognito_srp::Verifier::new(
        cognito_srp::Identity::User {
            pool_name: VERIFIER_REALM,
            user_id_for_srp: &user.username,
        },
        user.password.expose(),
        &salt,
    );
    let sub = uuid::Uuid::new_v4().to_string();
    state.hosted.local_idp.users.insert(
        user.username.clone(),
        LocalIdpUser {
            sub: sub.clone(),
            username: user.username,
            email: user.email,
            name: user.name,
            password: StoredPassword::new(&verifier, now),
        },
    );
    Ok(sub)
}

async fn add_user(State(hosted): State<Arc<Hosted>>, Json(user): Json<NewIdpUser>) -> Response {
    let username = user.username.clone();
    match hosted
        .run(move |ctx| add_idp_user(&mut ctx.inner.state, user, ctx.now))
        .await
    {
        Ok(sub) => Json(serde_json::json!({ "username": username, "sub": sub })).into_response(),
        Err(error) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": error.kind.wire_name(), "message": error.message })),
        )
            .into_response(),
    }
}
