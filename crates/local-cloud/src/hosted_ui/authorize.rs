//! `GET /oauth2/authorize`: checks the request in Cognito's order, then sends the browser back
//! to the app with a code when it has a session ([`super::session`]; `prompt` decides), or
//! shows the login page, or sends it to the federated provider named by `identity_provider`.
//!
//! Until the client and its redirect URI are known good, problems are shown as an error page
//! (redirecting to an unverified URI would make the hosted UI an open redirector). After that,
//! problems go back to the app as `error=` on its redirect URI, with its `state`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::login::issue_code;
use super::pages::{self, LoginForm};
use super::session::{self, Prompt};
use super::{federation, AuthorizeRequest, Hosted, LoginPage};
use crate::model::hosted::COGNITO_PROVIDER;
use crate::model::State as CloudState;

/// The cookie holding a login page's CSRF token.
pub const CSRF_COOKIE: &str = "coffer_hosted_csrf";

/// The query of an authorization request.
#[derive(Debug, Default, Deserialize)]
pub struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    identity_provider: Option<String>,
    prompt: Option<String>,
}

/// Why an authorization request was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Shown as a page: the redirect URI cannot be trusted.
    Page(String),
    /// Sent back to the app: `error=<code>` on its redirect URI.
    Redirect {
        /// The registered redirect URI.
        redirect_uri: String,
        /// The app's state.
        state: Option<String>,
        /// The OAuth error code.
        error: &'static str,
        /// A description for developers.
        description: String,
    },
}

impl Refusal {
    /// The response for this refusal.
    pub fn into_response(self) -> Response {
        match self {
            Self::Page(message) => pages::error_page(StatusCode::BAD_REQUEST, &message),
            Self::Redirect {
                redirect_uri,
                state,
                error,
                description,
            } => {
                let mut params = vec![("error", error.to_owned())];
                params.push(("error_description", description));
                if let Some(state) = state {
                    params.push(("state", state));
                }
                pages::redirect(&with_query(&redirect_uri, &params))
            }
        }
    }
}

/// `uri` with `params` appended to its query.
pub fn with_query(uri: &str, params: &[(&str, String)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (name, value) in params {
                    query.append_pair(name, value);
                }
            }
            url.to_string()
        }
        // Registered URIs were parsed when registered; this is unreachable in practice.
        Err(_) => uri.to_owned(),
    }
}

/// Checks an authorization request against the pool, client and settings. Returns the request
/// and the provider to sign in with (`None` for the pool's own users).
pub fn check(
    state: &CloudState,
    domain: &str,
    query: &AuthorizeQuery,
) -> Result<(AuthorizeRequest, Option<String>), Refusal> {
    let pool_id =
        state.hosted.domains.get(domain).ok_or_else(|| {
            Refusal::Page("This domain is not configured for any user pool.".into())
        })?;
    let pool = state
        .pool(pool_id)
        .map_err(|_| Refusal::Page("The user pool of this domain no longer exists.".into()))?;
    let client_id = query
        .client_id
        .as_deref()
        .ok_or_else(|| Refusal::Page("client_id is missing.".into()))?;
    let client = pool.client(client_id).map_err(|_| {
        Refusal::Page("The client_id is not an app client of this user pool.".into())
    })?;
    let settings = state
        .hosted
        .clients
        .get(&client.id)
        .cloned()
        .unwrap_or_default();
    let redirect_uri = match (&query.redirect_uri, &settings.default_redirect_uri) {
        (Some(uri), _) => uri.clone(),
        (None, Some(default)) => default.clone(),
        (None, None) => return Err(Refusal::Page("redirect_uri is missing.".into())),
    };
    if !settings.allows_callback(&redirect_uri) {
        return Err(Refusal::Page(
            "redirect_mismatch: the redirect_uri is not a registered callback URL of this app client.".into(),
        ));
    }
    let refuse = |error: &'static str, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: query.state.clone(),
        error,
        description: description.to_owned(),
    };
    if query.response_type.as_deref() != Some("code") {
        return Err(refuse(
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    if !settings.allows_code_flow() {
        return Err(refuse(
            "unauthorized_client",
            "the authorization code flow is not enabled for this app client",
        ));
    }
    let scope = match query
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => settings.allowed_scopes.join(" "),
        Some(requested) => {
            let all_allowed = requested
                .split(' ')
                .filter(|s| !s.is_empty())
                .all(|s| settings.allowed_scopes.iter().any(|a| a == s));
            if !all_allowed {
                return Err(refuse(
                    "invalid_scope",
                    "a requested scope is not allowed for this app client",
                ));
            }
            requested
                .split(' ')
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    let code_challenge = match (
        &query.code_challenge,
        query.code_challenge_method.as_deref(),
    ) {
        (None, None) => None,
        (Some(challenge), Some("S256")) if super::pkce::well_formed(challenge) => {
            Some(challenge.clone())
        }
        (Some(_), Some("S256")) => {
            return Err(refuse("invalid_request", "code_challenge is malformed"));
        }
        (Some(_), None | Some("plain")) | (None, Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "only code_challenge_method=S256 is accepted",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(refuse("invalid_request", "unknown code_challenge_method"));
        }
    };
    let prompt = match Prompt::parse(query.prompt.as_deref()) {
        Ok(_) => query
            .prompt
            .as_deref()
            .map(|p| {
                p.split(' ')
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|p| !p.is_empty()),
        Err(description) => return Err(refuse("invalid_request", description)),
    };
    let provider = match query.identity_provider.as_deref() {
        None | Some(COGNITO_PROVIDER) => {
            if !settings.supports_provider(COGNITO_PROVIDER) && query.identity_provider.is_some() {
                return Err(refuse(
                    "invalid_request",
                    "COGNITO is not a supported identity provider of this app client",
                ));
            }
            None
        }
        Some(name) => {
            let exists = state
                .hosted
                .providers
                .get(pool_id)
                .is_some_and(|providers| providers.contains_key(name));
            if !exists || !settings.supports_provider(name) {
                return Err(refuse(
                    "invalid_request",
                    "identity_provider is not a supported identity provider of this app client",
                ));
            }
            Some(name.to_owned())
        }
    };
    Ok((
        AuthorizeRequest {
            domain: domain.to_owned(),
            pool_id: pool_id.clone(),
            client_id: client.id.clone(),
            redirect_uri,
            state: query.state.clone(),
            scope,
            nonce: query.nonce.clone(),
            code_challenge,
            prompt,
        },
        provider,
    ))
}

/// The query string that repeats `request` (for provider buttons and the sign-up link).
pub fn repeat_query(request: &AuthorizeRequest, provider: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("response_type", "code");
    query.append_pair("client_id", &request.client_id);
    query.append_pair("redirect_uri", &request.redirect_uri);
    query.append_pair("scope", &request.scope);
    if let Some(state) = &request.state {
        query.append_pair("state", state);
    }
    if let Some(nonce) = &request.nonce {
        query.append_pair("nonce", nonce);
    }
    if let Some(challenge) = &request.code_challenge {
        query.append_pair("code_challenge", challenge);
        query.append_pair("code_challenge_method", "S256");
    }
    if let Some(prompt) = &request.prompt {
        query.append_pair("prompt", prompt);
    }
    if let Some(provider) = provider {
        query.append_pair("identity_provider", provider);
    }
    query.finish()
}

/// Shows the login page for `request`: a fresh page key and CSRF token, set in a cookie too.
pub async fn login_page(
    hosted: &Arc<Hosted>,
    request: AuthorizeRequest,
    username: &str,
    error: Option<&str>,
) -> Response {
    let base = hosted.base_url(&request.domain);
    let base_path = crate::ops::domains::hosted_base_path(&request.domain);
    let (email_pool, providers) = {
        let pool_id = request.pool_id.clone();
        let client_id = request.client_id.clone();
        hosted
            .run(move |ctx| {
                let state = &ctx.inner.state;
                let email_pool = state.pool(&pool_id)?.email_is_username();
                let providers: Vec<String> = state
                    .hosted
                    .clients
                    .get(&client_id)
                    .map(|s| s.supported_identity_providers.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| p != COGNITO_PROVIDER)
                    .collect();
                Ok((email_pool, providers))
            })
            .await
            .unwrap_or((false, Vec::new()))
    };
    let mut footer = String::new();
    for provider in &providers {
        footer.push_str(&format!(
            "<a class=\"button\" id=\"provider-{id}\" href=\"{base}/oauth2/authorize?{query}\">Continue with {name}</a>",
            id = pages::escape(provider),
            base = pages::escape(&base),
            query = pages::escape(&repeat_query(&request, Some(provider))),
            name = pages::escape(provider),
        ));
    }
    footer.push_str(&format!(
        "<p class=\"muted\">Need an account? <a id=\"sign-up\" href=\"{base}/signup?{query}\">Sign up</a></p>",
        base = pages::escape(&base),
        query = pages::escape(&repeat_query(&request, None)),
    ));
    let csrf = pending::new_key();
    let now = hosted.now();
    let page_key = hosted.logins.insert(
        LoginPage {
            request,
            csrf: csrf.clone(),
        },
        now,
    );
    let body = pages::login_form(&LoginForm {
        heading: "Sign in",
        action: &format!("{base}/login"),
        page_key: &page_key,
        csrf: &csrf,
        username_label: if email_pool { "Email" } else { "Username" },
        username,
        error,
        footer: &footer,
    });
    let response = pages::page(StatusCode::OK, "Sign in", &body);
    pages::with_csrf_cookie(response, CSRF_COOKIE, &csrf, &base_path)
}

use super::pending;

/// `GET /_hosted/{domain}/oauth2/authorize`.
pub async fn authorize(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
    headers: HeaderMap,
    Query(query): Query<AuthorizeQuery>,
) -> Response {
    // The sign-in method asked for, `COGNITO` included: a session serves only its own method.
    let named_method = query.identity_provider.clone();
    let checked = hosted
        .run(move |ctx| Ok(check(&ctx.inner.state, &domain, &query)))
        .await;
    let (request, provider) = match checked {
        Err(_) => return pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Internal error."),
        Ok(Err(refusal)) => return refusal.into_response(),
        Ok(Ok(checked)) => checked,
    };
    // `check` refused a malformed prompt.
    let prompt = Prompt::parse(request.prompt.as_deref()).unwrap_or_default();
    if prompt != Prompt::Login {
        if let Some(username) =
            session::resume(&hosted, &headers, &request, named_method.as_deref()).await
        {
            tracing::info!(user_pool_id = %request.pool_id, username = %username, "hosted UI sign-in with the browser's session");
            return issue_code(&hosted, request, username);
        }
    }
    if prompt == Prompt::None {
        return Refusal::Redirect {
            redirect_uri: request.redirect_uri,
            state: request.state,
            error: "login_required",
            description: "the user is not signed in".to_owned(),
        }
        .into_response();
    }
    match provider {
        None => login_page(&hosted, request, "", None).await,
        Some(provider) => federation::start(&hosted, request, &provider).await,
    }
}
