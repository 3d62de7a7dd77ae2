//! The hosted UI's single sign-on session: the `cognito` cookie Cognito's managed login sets
//! after an interactive sign-in, so a later `/oauth2/authorize` from the same browser, for any
//! app client of the pool, goes straight back to the app with a new code.
//!
//! # Behaviour (as AWS documents it)
//!
//! * A session starts when a sign-in on the login pages (password, then the MFA the pool asks
//!   for) or through a federated provider completes; it lasts [`SESSION_LIFETIME`] (one hour)
//!   from that sign-in. Signing in with the cookie does not extend it.
//! * It is honoured for "the same authentication method": a request naming
//!   `identity_provider=X` uses only a session started through `X`; a request without one uses
//!   any session whose method the app client supports.
//! * `prompt=login` shows the login page even with a session (the session stays valid; the new
//!   sign-in gets a new cookie); `prompt=none` never shows a page: a session gives a code, no
//!   session gives `error=login_required` on the redirect URI. `select_account` and `consent`
//!   have no effect on local sign-in ([`Prompt`]); every value but `none` is passed on to a
//!   federated provider, and kept on the login page's provider buttons.
//! * `/logout` ends it. Global sign-out does not (AWS: "a user can still use a hosted UI cookie
//!   to retrieve new tokens for the duration of the cookie validity period of 1 hour"), nor do
//!   changes to attributes or factors. AWS is silent on disabled users and admin password
//!   resets; the local cloud refuses (and forgets) the session of a user who could not sign in
//!   now: deleted, recreated under the same name, disabled, or no longer confirmed.
//!
//! # Security notes
//!
//! * The cookie value is a random 256-bit id and nothing else: the user, pool, domain and
//!   method are server-side, in a memory-only [`super::pending::Ledger`] keyed by the id's
//!   SHA-256 (a restart ends every session). The id is never logged.
//! * The cookie is `HttpOnly; SameSite=Lax` (sent on the top-level navigation from the app,
//!   not on cross-site subrequests), `Secure` when the endpoint is HTTPS, and its `Path` is the
//!   domain's, so another domain on the same server never receives it; a session presented to
//!   another domain anyway is not honoured.
//! * Expiry is checked against the injected clock, not the cookie's `Max-Age`.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

use super::login::issue_code;
use super::{pages, AuthorizeRequest, Hosted};
use crate::model::UserStatus;

/// The session cookie's name (Cognito's).
pub const SESSION_COOKIE: &str = "cognito";

/// How long a session lasts from the interactive sign-in that started it.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(3600);

/// A signed-in browser of one domain.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    /// The domain prefix the sign-in went through.
    pub domain: String,
    /// The pool.
    pub pool_id: String,
    /// The user (internal username).
    pub username: String,
    /// The user's `sub`, so a user deleted and created again under the same name is not
    /// signed in by the old user's session.
    pub sub: String,
    /// How the user signed in: [`COGNITO_PROVIDER`](crate::model::hosted::COGNITO_PROVIDER) or a federated provider's name.
    pub method: String,
}

/// The OIDC `prompt` of an authorization request, as far as it changes local sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prompt {
    /// No `prompt` (or only `select_account` / `consent`): a session is used if there is one.
    #[default]
    Default,
    /// `login`: show the login page even with a session.
    Login,
    /// `none`: never show a page; without a session, `error=login_required`.
    None,
}

impl Prompt {
    /// Parses the space-separated `prompt` values; `none` combined with another value is
    /// malformed (OpenID Connect Core §3.1.2.1), values other than `none` and `login` change
    /// nothing here.
    pub fn parse(prompt: Option<&str>) -> Result<Self, &'static str> {
        let values: Vec<&str> = prompt
            .unwrap_or_default()
            .split(' ')
            .filter(|v| !v.is_empty())
            .collect();
        if values.contains(&"none") {
            return if values.len() == 1 {
                Ok(Self::None)
            } else {
                Err("prompt=none cannot be combined with other values")
            };
        }
        Ok(if values.contains(&"login") {
            Self::Login
        } else {
            Self::Default
        })
    }
}

/// The session id in a request's cookies, if any.
fn session_id(headers: &HeaderMap) -> Option<String> {
    pages::cookie(headers, SESSION_COOKIE).filter(|id| !id.is_empty())
}

/// The user a live session of this browser signs in for `request`, if there is one and it may
/// be used. `method` is the request's `identity_provider` (`COGNITO` or a federated provider),
/// `None` when it names none.
pub async fn resume(
    hosted: &Arc<Hosted>,
    headers: &HeaderMap,
    request: &AuthorizeRequest,
    method: Option<&str>,
) -> Option<String> {
    let id = session_id(headers)?;
    let session = hosted.sessions.peek(&id, hosted.now())?;
    if session.domain != request.domain || session.pool_id != request.pool_id {
        return None;
    }
    if method.is_some_and(|name| name != session.method) {
        return None;
    }
    let client_id = request.client_id.clone();
    let checked = session.clone();
    let usable = hosted
        .run(move |ctx| {
            let state = &ctx.inner.state;
            let client_supports = state
                .hosted
                .clients
                .get(&client_id)
                .is_some_and(|settings| settings.supports_provider(&checked.method));
            let user_can_sign_in = state
                .pool(&checked.pool_id)?
                .users
                .get(&checked.username)
                .map(|user| {
                    user.sub == checked.sub
                        && user.enabled
                        && matches!(
                            user.status,
                            UserStatus::Confirmed | UserStatus::ExternalProvider
                        )
                });
            Ok((client_supports, user_can_sign_in))
        })
        .await;
    match usable {
        Ok((true, Some(true))) => Some(session.username),
        Ok((_, Some(false) | None)) => {
            // The user cannot sign in any more: the session is over for every client.
            hosted.sessions.take(&id, hosted.now());
            tracing::info!(user_pool_id = %session.pool_id, username = %session.username, "hosted UI session ended: the user can no longer sign in");
            None
        }
        _ => None,
    }
}

/// Completes an interactive sign-in: the authorization code for the app, and a new session
/// cookie for this browser. `method` is [`COGNITO_PROVIDER`](crate::model::hosted::COGNITO_PROVIDER) or the federated provider's name.
pub async fn complete_sign_in(
    hosted: &Arc<Hosted>,
    request: AuthorizeRequest,
    username: String,
    method: &str,
) -> Response {
    let pool_id = request.pool_id.clone();
    let name = username.clone();
    let sub = hosted
        .run(move |ctx| {
            Ok(ctx
                .inner
                .state
                .pool(&pool_id)?
                .users
                .get(&name)
                .map(|user| user.sub.clone()))
        })
        .await;
    let domain = request.domain.clone();
    let pool_id = request.pool_id.clone();
    let response = issue_code(hosted, request, username.clone());
    let Ok(Some(sub)) = sub else {
        // The code alone; its exchange checks the user again.
        return response;
    };
    let id = hosted.sessions.insert(
        BrowserSession {
            domain: domain.clone(),
            pool_id: pool_id.clone(),
            username: username.clone(),
            sub,
            method: method.to_owned(),
        },
        hosted.now(),
    );
    tracing::info!(user_pool_id = %pool_id, username = %username, method = %method, "hosted UI session started");
    let cookie = format!(
        "{SESSION_COOKIE}={id}; Max-Age={}; {}",
        SESSION_LIFETIME.as_secs(),
        attributes(hosted, &domain)
    );
    with_cookie(response, &cookie)
}

/// Ends this browser's session of `domain` (if any) and has the browser drop the cookie.
pub fn end(hosted: &Hosted, headers: &HeaderMap, domain: &str, response: Response) -> Response {
    if let Some(id) = session_id(headers) {
        let now = hosted.now();
        match hosted.sessions.peek(&id, now) {
            Some(session) if session.domain == domain => {
                hosted.sessions.take(&id, now);
                tracing::info!(user_pool_id = %session.pool_id, username = %session.username, "hosted UI session ended at /logout");
            }
            _ => {}
        }
    }
    let cookie = format!(
        "{SESSION_COOKIE}=; Max-Age=0; {}",
        attributes(hosted, domain)
    );
    with_cookie(response, &cookie)
}

/// The cookie's scope and flags for `domain`.
fn attributes(hosted: &Hosted, domain: &str) -> String {
    let path = crate::ops::domains::hosted_base_path(domain);
    let secure = if hosted.app.endpoint.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("Path={path}; HttpOnly; SameSite=Lax{secure}")
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_values_are_read_as_oidc_defines_them() {
        assert_eq!(Prompt::parse(None), Ok(Prompt::Default));
        assert_eq!(Prompt::parse(Some("")), Ok(Prompt::Default));
        assert_eq!(Prompt::parse(Some("login")), Ok(Prompt::Login));
        assert_eq!(Prompt::parse(Some("login consent")), Ok(Prompt::Login));
        assert_eq!(Prompt::parse(Some("select_account")), Ok(Prompt::Default));
        assert_eq!(Prompt::parse(Some("none")), Ok(Prompt::None));
        assert!(Prompt::parse(Some("none login")).is_err());
        assert_eq!(Prompt::parse(Some("sometimes")), Ok(Prompt::Default));
    }
}
