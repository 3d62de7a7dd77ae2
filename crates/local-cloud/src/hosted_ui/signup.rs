//! The sign-up pages linked from the login page: `GET /signup` (form), `POST /signup`
//! (SignUp, with the pool's password policy and code delivery), `POST /confirm` (the e-mailed
//! code), then back to the login page. Each form is CSRF-checked like the login form; the
//! pages run the user-pool API's own SignUp and ConfirmSignUp operations, so every rule is
//! the same as through the API.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::authorize::{self, login_page, AuthorizeQuery, CSRF_COOKIE};
use super::login::csrf_matches;
use super::{pages, pending, AuthorizeRequest, Hosted, LoginPage};
use crate::error::CognitoError;
use crate::ops::Ctx;
use crate::secrets::SecretString;

fn form_page(
    hosted: &Hosted,
    request: AuthorizeRequest,
    title: &str,
    action: &str,
    fields: &str,
    error: Option<&str>,
) -> Response {
    let csrf = pending::new_key();
    let base_path = crate::ops::domains::hosted_base_path(&request.domain);
    let base = hosted.base_url(&request.domain);
    let key = hosted.logins.insert(
        LoginPage {
            request,
            csrf: csrf.clone(),
        },
        hosted.now(),
    );
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", pages::escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>{title}</h1>{error}<form method=\"post\" action=\"{base}/{action}\">\
         <input type=\"hidden\" name=\"page\" value=\"{key}\">\
         <input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">{fields}\
         <button type=\"submit\" id=\"submit\">{title}</button></form>",
        title = pages::escape(title),
        base = pages::escape(&base),
        action = pages::escape(action),
        key = pages::escape(&key),
        csrf = pages::escape(&csrf),
    );
    let response = pages::page(StatusCode::OK, title, &body);
    pages::with_csrf_cookie(response, CSRF_COOKIE, &csrf, &base_path)
}

fn signup_page(
    hosted: &Hosted,
    request: AuthorizeRequest,
    username: &str,
    error: Option<&str>,
) -> Response {
    let fields = format!(
        "<label for=\"username\">Email</label>\
         <input type=\"email\" id=\"username\" name=\"username\" value=\"{}\" autocomplete=\"email\" required>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"new-password\" required>",
        pages::escape(username)
    );
    form_page(hosted, request, "Sign up", "signup", &fields, error)
}

fn confirm_page(
    hosted: &Hosted,
    request: AuthorizeRequest,
    username: &str,
    error: Option<&str>,
) -> Response {
    let fields = format!(
        "<input type=\"hidden\" name=\"username\" value=\"{}\">\
         <p class=\"muted\">We sent a code to your e-mail address.</p>\
         <label for=\"code\">Verification code</label>\
         <input type=\"text\" id=\"code\" name=\"code\" autocomplete=\"one-time-code\" required>",
        pages::escape(username)
    );
    form_page(
        hosted,
        request,
        "Confirm account",
        "confirm",
        &fields,
        error,
    )
}

/// `GET /_hosted/{domain}/signup` (same query as `/oauth2/authorize`).
pub async fn show(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
    Query(query): Query<AuthorizeQuery>,
) -> Response {
    let checked = hosted
        .run(move |ctx| Ok(authorize::check(&ctx.inner.state, &domain, &query)))
        .await;
    match checked {
        Ok(Ok((request, _))) => signup_page(&hosted, request, "", None),
        Ok(Err(refusal)) => refusal.into_response(),
        Err(_) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Internal error."),
    }
}

/// A sign-up or confirmation form.
#[derive(Deserialize)]
pub struct AccountForm {
    page: String,
    #[serde(rename = "_csrf")]
    csrf: String,
    username: String,
    password: Option<SecretString>,
    code: Option<SecretString>,
}

/// Takes the page a form was posted from, checking its CSRF token; `Err` is the refusal page.
fn take_page(
    hosted: &Hosted,
    headers: &HeaderMap,
    form: &AccountForm,
) -> Result<LoginPage, Box<Response>> {
    let page = hosted
        .logins
        .take(&form.page, hosted.now())
        .ok_or_else(|| {
            Box::new(pages::error_page(
                StatusCode::BAD_REQUEST,
                "This page has expired. Start again from the app.",
            ))
        })?;
    let cookie = pages::cookie(headers, CSRF_COOKIE);
    if !csrf_matches(&page.csrf, &form.csrf, cookie.as_deref()) {
        return Err(Box::new(pages::error_page(
            StatusCode::FORBIDDEN,
            "The form could not be verified.",
        )));
    }
    Ok(page)
}

/// The SECRET_HASH the hosted UI sends on behalf of a client with a secret.
fn secret_hash(
    ctx: &Ctx<'_>,
    request: &AuthorizeRequest,
    username: &str,
) -> Result<Option<String>, CognitoError> {
    let client = ctx
        .inner
        .state
        .pool(&request.pool_id)?
        .client(&request.client_id)?;
    Ok(client
        .secret
        .as_ref()
        .map(|secret| cognito_srp::secret_hash(secret.expose(), username, &request.client_id)))
}

/// `POST /_hosted/{domain}/signup`.
pub async fn submit(
    State(hosted): State<Arc<Hosted>>,
    Path(_domain): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AccountForm>,
) -> Response {
    let page = match take_page(&hosted, &headers, &form) {
        Ok(page) => page,
        Err(response) => return *response,
    };
    let Some(password) = form.password else {
        return signup_page(
            &hosted,
            page.request,
            &form.username,
            Some("A password is required."),
        );
    };
    let request = page.request.clone();
    let username = form.username.clone();
    let outcome = hosted
        .run(move |ctx| {
            let hash = secret_hash(ctx, &request, &username)?;
            let parsed = crate::ops::sign_up::SignUpRequest::from_hosted_form(
                request.client_id.clone(),
                username.clone(),
                password,
                hash,
            );
            let response = crate::ops::sign_up::sign_up(ctx, parsed)?;
            let json = serde_json::to_value(&response).map_err(|_| CognitoError::internal())?;
            Ok(json["UserConfirmed"].as_bool().unwrap_or(false))
        })
        .await;
    match outcome {
        Ok(true) => {
            login_page(
                &hosted,
                page.request,
                &form.username,
                Some("Your account is ready. Sign in."),
            )
            .await
        }
        Ok(false) => confirm_page(&hosted, page.request, &form.username, None),
        Err(error) if error.kind != crate::error::ErrorKind::InternalError => {
            signup_page(&hosted, page.request, &form.username, Some(&error.message))
        }
        Err(_) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Internal error."),
    }
}

/// `POST /_hosted/{domain}/confirm`.
pub async fn confirm(
    State(hosted): State<Arc<Hosted>>,
    Path(_domain): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AccountForm>,
) -> Response {
    let page = match take_page(&hosted, &headers, &form) {
        Ok(page) => page,
        Err(response) => return *response,
    };
    let Some(code) = form.code else {
        return confirm_page(
            &hosted,
            page.request,
            &form.username,
            Some("The code is required."),
        );
    };
    let request = page.request.clone();
    let username = form.username.clone();
    let outcome = hosted
        .run(move |ctx| {
            let hash = secret_hash(ctx, &request, &username)?;
            let body = serde_json::json!({
                "ClientId": request.client_id,
                "Username": username,
                "ConfirmationCode": code.expose(),
                "SecretHash": hash,
            });
            let parsed = serde_json::from_value(body).map_err(|_| CognitoError::internal())?;
            crate::ops::sign_up::confirm_sign_up(ctx, parsed).map(drop)
        })
        .await;
    match outcome {
        Ok(()) => {
            login_page(
                &hosted,
                page.request,
                &form.username,
                Some("Your account is confirmed. Sign in."),
            )
            .await
        }
        Err(error) if error.kind != crate::error::ErrorKind::InternalError => {
            confirm_page(&hosted, page.request, &form.username, Some(&error.message))
        }
        Err(_) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Internal error."),
    }
}
