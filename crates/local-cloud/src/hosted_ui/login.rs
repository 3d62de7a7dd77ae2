//! `POST /login`: the login form. The page key and CSRF token are checked first (the page is
//! used up either way), then the password against the user's SRP verifier, then the user's
//! status; success goes on to the MFA step the API sign-in would ask for ([`super::mfa`]), or
//! sends the browser to the app's redirect URI with a fresh code.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::authorize::{login_page, with_query, CSRF_COOKIE};
use super::{pages, AuthorizeRequest, Hosted, IssuedCode};
use crate::error::CognitoError;
use crate::model::UserStatus;
use crate::ops::sign_in::MfaRequirement;
use crate::ops::Ctx;
use crate::secrets::SecretString;

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    page: String,
    #[serde(rename = "_csrf")]
    csrf: String,
    username: String,
    password: SecretString,
}

/// Whether the page's token, the form's and the cookie's all match (constant time).
pub fn csrf_matches(expected: &str, form: &str, cookie: Option<&str>) -> bool {
    let form_ok = bool::from(expected.as_bytes().ct_eq(form.as_bytes()));
    let cookie_ok = cookie.is_some_and(|c| bool::from(expected.as_bytes().ct_eq(c.as_bytes())));
    form_ok & cookie_ok
}

/// Verifies `typed`/`password` in `pool_id`; returns the internal username and the MFA the
/// login still needs, or a sentence for the page.
fn verify_password(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    typed: &str,
    password: &SecretString,
) -> Result<Result<(String, MfaRequirement), &'static str>, CognitoError> {
    const WRONG: &str = "Incorrect username or password.";
    let pool = ctx.inner.state.pool(pool_id)?;
    let pool_name = cognito_srp::pool_name(pool_id).map_err(|_| CognitoError::internal())?;
    let Some(user) = pool.find_user(typed) else {
        // The same work as a real check, so timing does not reveal unknown users.
        let _ = crate::ops::sign_up::make_verifier(pool_id, typed, password)?;
        return Ok(Err(WRONG));
    };
    let Some(stored) = &user.password else {
        return Ok(Err(WRONG));
    };
    let identity = cognito_srp::Identity::User {
        pool_name,
        user_id_for_srp: &user.username,
    };
    if !stored
        .verifier()?
        .matches_password(identity, password.expose())
    {
        return Ok(Err(WRONG));
    }
    if !user.enabled {
        return Ok(Err("User is disabled."));
    }
    match user.status {
        UserStatus::Confirmed => {}
        UserStatus::Unconfirmed => return Ok(Err("User is not confirmed.")),
        UserStatus::ResetRequired => return Ok(Err("Password reset required for the user.")),
        UserStatus::ForceChangePassword => {
            return Ok(Err(
                "A new password is required; set it with the app (the hosted UI of the local cloud cannot yet).",
            ))
        }
        UserStatus::ExternalProvider => return Ok(Err(WRONG)),
    }
    let username = user.username.clone();
    let requirement = super::mfa::requirement_of(ctx, pool_id, &username)?;
    Ok(Ok((username, requirement)))
}

/// Issues a code for `username` and sends the browser to the app with it.
pub fn issue_code(hosted: &Hosted, request: AuthorizeRequest, username: String) -> Response {
    let redirect_uri = request.redirect_uri.clone();
    let state = request.state.clone();
    let code = hosted
        .codes
        .insert(IssuedCode { request, username }, hosted.now());
    let mut params = vec![("code", code)];
    if let Some(state) = state {
        params.push(("state", state));
    }
    pages::redirect(&with_query(&redirect_uri, &params))
}

/// `POST /_hosted/{domain}/login`.
pub async fn login(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(page) = hosted.logins.take(&form.page, hosted.now()) else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in page has expired or was already used. Start again from the app.",
        );
    };
    let cookie = pages::cookie(&headers, CSRF_COOKIE);
    if page.request.domain != domain || !csrf_matches(&page.csrf, &form.csrf, cookie.as_deref()) {
        tracing::info!(domain = %domain, "login form refused: CSRF check failed");
        return pages::error_page(
            StatusCode::FORBIDDEN,
            "The sign-in form could not be verified. Start again from the app.",
        );
    }
    let pool_id = page.request.pool_id.clone();
    let typed = form.username.clone();
    let password = form.password;
    let verified = hosted
        .run(move |ctx| verify_password(ctx, &pool_id, &typed, &password))
        .await;
    match verified {
        Ok(Ok((username, requirement))) => {
            tracing::info!(user_pool_id = %page.request.pool_id, username = %username, "hosted UI password accepted");
            super::mfa::after_password(&hosted, page.request, username, requirement).await
        }
        Ok(Err(message)) => login_page(&hosted, page.request, &form.username, Some(message)).await,
        Err(_) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Internal error."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_needs_form_and_cookie_to_match_the_page() {
        assert!(csrf_matches("tok", "tok", Some("tok")));
        assert!(!csrf_matches("tok", "tok", None));
        assert!(!csrf_matches("tok", "other", Some("tok")));
        assert!(!csrf_matches("tok", "tok", Some("other")));
    }
}
