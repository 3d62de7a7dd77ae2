//! The hosted UI's MFA step: after a correct password on the login page, the same decision as
//! the API sign-in ([`crate::ops::sign_in::mfa_requirement`]) picks the next page.
//!
//! * one factor (or a preferred one): a code page — TOTP from the authenticator app, or an SMS /
//!   e-mail code sent to the outbox (purpose `mfa`);
//! * several without a preference: a choice page, then that factor's code page;
//! * MFA required (pool ON) with nothing set up: when the pool offers TOTP, a setup page (the
//!   new secret as text and as the QR code of its `otpauth://` URI, an inline SVG, then a
//!   code from the app, as Cognito's hosted UI does); otherwise a page telling the user to set
//!   MFA up in the app first;
//! * none: straight to the app with an authorization code.
//!
//! # Security notes
//!
//! * The login in progress is kept server-side only, in a [`MfaPage`] record of a memory-only
//!   [`super::pending::Ledger`]: single-use key (taken on every submission, even a refused one),
//!   valid [`MFA_PAGE_LIFETIME`] (3 minutes, as a Cognito challenge session) from the password,
//!   a retry keeping the first deadline, and bound to a CSRF token that the form and the
//!   `HttpOnly; SameSite=Strict` cookie must both carry. The password is not in it and is
//!   never asked for again.
//! * A wrong code shows the page again with "Incorrect code." under a new key; the
//!   [`MAX_CODE_ATTEMPTS`]-th wrong code ends the login.
//! * TOTP codes are checked by [`crate::ops::mfa::redeem_totp`] (±1 step, and a step at or
//!   before the last accepted one is refused, so a code cannot be replayed); SMS / e-mail codes
//!   are single-use salted hashes ([`crate::codes::PendingCode`]).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::authorize::CSRF_COOKIE;
use super::login::csrf_matches;
use super::session::complete_sign_in;
use super::{pages, pending, qr, AuthorizeRequest, Hosted};
use crate::challenges::MAX_CODE_ATTEMPTS;
use crate::codes::PendingCode;
use crate::error::CognitoError;
use crate::model::hosted::COGNITO_PROVIDER;
use crate::model::mfa::{MfaFactor, SoftwareToken};
use crate::ops::mfa::redeem_totp;
use crate::ops::sign_in::{mfa_requirement, send_mfa_code, MfaRequirement};
use crate::ops::Ctx;
use crate::secrets::{PersistedSecret, SecretString};
use crate::totp::{self, TotpSecret};

/// How long the MFA step of a login may take (Cognito's challenge session lifetime).
pub const MFA_PAGE_LIFETIME: Duration = Duration::from_secs(180);

/// What an MFA page asks.
#[derive(Debug, Clone)]
pub enum MfaStage {
    /// Pick one of these factors.
    Choose(Vec<MfaFactor>),
    /// Set up an authenticator with this new secret, then type its code.
    Setup(TotpSecret),
    /// Type the code of `factor`.
    Code {
        /// The factor challenged.
        factor: MfaFactor,
        /// The SMS / e-mail code sent (a salted hash); `None` for TOTP.
        sent: Option<PendingCode>,
        /// Where it was sent, masked, for the page.
        destination: Option<String>,
    },
}

/// A login waiting for its second factor.
#[derive(Debug, Clone)]
pub struct MfaPage {
    /// The authorization request it will answer.
    pub request: AuthorizeRequest,
    /// The user who proved their password (internal username).
    pub username: String,
    /// The page's CSRF token.
    pub csrf: String,
    /// What the page asks.
    pub stage: MfaStage,
    /// Wrong codes so far.
    pub failed_attempts: u32,
}

/// The MFA form: the code, or the chosen factor.
#[derive(Deserialize)]
pub struct MfaForm {
    page: String,
    #[serde(rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    code: Option<SecretString>,
    #[serde(default)]
    factor: Option<String>,
}

/// The MFA requirement of `username` in `pool_id`, as the API sign-in decides it.
pub fn requirement_of(
    ctx: &Ctx<'_>,
    pool_id: &str,
    username: &str,
) -> Result<MfaRequirement, CognitoError> {
    let pool = ctx.inner.state.pool(pool_id)?;
    let user = pool
        .users
        .get(username)
        .ok_or_else(CognitoError::internal)?;
    Ok(mfa_requirement(pool, user))
}

/// Continues a login whose password was right: the authorization code, or the first MFA page.
pub async fn after_password(
    hosted: &Arc<Hosted>,
    request: AuthorizeRequest,
    username: String,
    requirement: MfaRequirement,
) -> Response {
    match requirement {
        MfaRequirement::None => complete_sign_in(hosted, request, username, COGNITO_PROVIDER).await,
        MfaRequirement::Setup => {
            let pool_id = request.pool_id.clone();
            let totp_offered = hosted
                .run(move |ctx| Ok(ctx.inner.state.pool(&pool_id)?.mfa.software_token))
                .await;
            match totp_offered {
                Ok(true) => {
                    let record = MfaPage {
                        request,
                        username,
                        csrf: pending::new_key(),
                        stage: MfaStage::Setup(TotpSecret::generate()),
                        failed_attempts: 0,
                    };
                    let deadline = hosted.now() + MFA_PAGE_LIFETIME;
                    show(hosted, record, deadline, None)
                }
                Ok(false) => setup_required_page(),
                Err(_) => internal_error(),
            }
        }
        MfaRequirement::Choose(choices) => {
            let record = MfaPage {
                request,
                username,
                csrf: pending::new_key(),
                stage: MfaStage::Choose(choices),
                failed_attempts: 0,
            };
            let deadline = hosted.now() + MFA_PAGE_LIFETIME;
            show(hosted, record, deadline, None)
        }
        MfaRequirement::One(factor) => {
            let deadline = hosted.now() + MFA_PAGE_LIFETIME;
            challenge(hosted, request, username, factor, deadline).await
        }
    }
}

/// Opens the code page of `factor`, sending the code first for SMS / e-mail.
async fn challenge(
    hosted: &Arc<Hosted>,
    request: AuthorizeRequest,
    username: String,
    factor: MfaFactor,
    deadline: OffsetDateTime,
) -> Response {
    let (sent, destination) = match factor {
        MfaFactor::SoftwareToken => (None, None),
        MfaFactor::Sms | MfaFactor::Email => {
            let pool_id = request.pool_id.clone();
            let name = username.clone();
            let sent = hosted
                .run(move |ctx| send_mfa_code(ctx, &pool_id, &name, factor))
                .await;
            match sent {
                Ok((record, params)) => (
                    Some(record),
                    params.get("CODE_DELIVERY_DESTINATION").cloned(),
                ),
                Err(_) => return internal_error(),
            }
        }
    };
    let record = MfaPage {
        request,
        username,
        csrf: pending::new_key(),
        stage: MfaStage::Code {
            factor,
            sent,
            destination,
        },
        failed_attempts: 0,
    };
    show(hosted, record, deadline, None)
}

/// Stores `record` under a fresh key (until `deadline`) and shows its page.
fn show(
    hosted: &Hosted,
    record: MfaPage,
    deadline: OffsetDateTime,
    error: Option<&str>,
) -> Response {
    let base = hosted.base_url(&record.request.domain);
    let base_path = crate::ops::domains::hosted_base_path(&record.request.domain);
    let csrf = record.csrf.clone();
    let stage = record.stage.clone();
    let account = record.username.clone();
    let key = hosted.mfa.insert_until(record, deadline, hosted.now());
    let action = format!("{base}/mfa");
    let body = match &stage {
        MfaStage::Choose(choices) => choice_form(&action, &key, &csrf, choices),
        MfaStage::Setup(secret) => setup_form(&action, &key, &csrf, secret, &account, error),
        MfaStage::Code {
            factor,
            destination,
            ..
        } => code_form(&action, &key, &csrf, *factor, destination.as_deref(), error),
    };
    let response = pages::page(StatusCode::OK, "Verify your identity", &body);
    pages::with_csrf_cookie(response, CSRF_COOKIE, &csrf, &base_path)
}

fn hidden_fields(key: &str, csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"page\" value=\"{page}\">\
         <input type=\"hidden\" name=\"_csrf\" value=\"{csrf}\">",
        page = pages::escape(key),
        csrf = pages::escape(csrf),
    )
}

fn factor_label(factor: MfaFactor) -> &'static str {
    match factor {
        MfaFactor::SoftwareToken => "Authenticator app",
        MfaFactor::Sms => "Text message (SMS)",
        MfaFactor::Email => "E-mail",
    }
}

fn choice_form(action: &str, key: &str, csrf: &str, choices: &[MfaFactor]) -> String {
    let buttons: String = choices
        .iter()
        .map(|factor| {
            format!(
                "<button type=\"submit\" name=\"factor\" value=\"{name}\" id=\"factor-{name}\">{label}</button>",
                name = factor.challenge_name(),
                label = factor_label(*factor),
            )
        })
        .collect();
    format!(
        "<h1>Choose how to verify</h1><p class=\"muted\">Your account has several sign-in factors.</p>\
         <form method=\"post\" action=\"{action}\">{hidden}{buttons}</form>",
        action = pages::escape(action),
        hidden = hidden_fields(key, csrf),
    )
}

fn code_form(
    action: &str,
    key: &str,
    csrf: &str,
    factor: MfaFactor,
    destination: Option<&str>,
    error: Option<&str>,
) -> String {
    let prompt = match factor {
        MfaFactor::SoftwareToken => {
            "Enter the 6-digit code from your authenticator app.".to_owned()
        }
        MfaFactor::Sms => format!(
            "We texted a code to {}.",
            pages::escape(destination.unwrap_or("your phone"))
        ),
        MfaFactor::Email => format!(
            "We e-mailed a code to {}.",
            pages::escape(destination.unwrap_or("your e-mail address"))
        ),
    };
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", pages::escape(e)))
        .unwrap_or_default();
    format!(
        "<h1>Verify your identity</h1>{error}<p class=\"muted\" id=\"prompt\">{prompt}</p>\
         <form method=\"post\" action=\"{action}\" autocomplete=\"off\">{hidden}\
         <input type=\"hidden\" name=\"factor\" value=\"{factor}\">\
         <label for=\"code\">Code</label>\
         <input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" required autofocus>\
         <button type=\"submit\" id=\"verify\">Verify</button></form>",
        action = pages::escape(action),
        hidden = hidden_fields(key, csrf),
        factor = factor.challenge_name(),
    )
}

/// The `otpauth://` URI an authenticator app imports (Key Uri Format; issuer "Coffer").
pub fn otpauth_uri(secret: &TotpSecret, account: &str) -> String {
    let label: String =
        url::form_urlencoded::byte_serialize(format!("Coffer:{account}").as_bytes()).collect();
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer=Coffer&algorithm=SHA1&digits={digits}&period={period}",
        secret = secret.expose(),
        digits = totp::DIGITS,
        period = totp::STEP_SECONDS,
    )
}

fn setup_form(
    action: &str,
    key: &str,
    csrf: &str,
    secret: &TotpSecret,
    account: &str,
    error: Option<&str>,
) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", pages::escape(e)))
        .unwrap_or_default();
    let uri = Zeroizing::new(otpauth_uri(secret, account));
    let qr = qr::inline_svg(&uri, "QR code for your authenticator app")
        .map(|svg| Zeroizing::new(format!("<p id=\"qr\">{}</p>", svg.as_str())))
        .unwrap_or_default();
    format!(
        "<h1>Set up an authenticator app</h1>{error}\
         <p class=\"muted\" id=\"prompt\">This user pool requires multi-factor authentication. \
         Scan this QR code with your authenticator app, or enter the key below by hand, then \
         enter the 6-digit code it shows.</p>{qr}\
         <p><code id=\"secret\">{secret}</code></p>\
         <p class=\"muted\" style=\"word-break:break-all\"><code id=\"otpauth\">{uri}</code></p>\
         <form method=\"post\" action=\"{action}\" autocomplete=\"off\">{hidden}\
         <label for=\"code\">Code</label>\
         <input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\" required autofocus>\
         <button type=\"submit\" id=\"verify\">Verify</button></form>",
        qr = qr.as_str(),
        secret = pages::escape(secret.expose()),
        uri = pages::escape(&uri),
        action = pages::escape(action),
        hidden = hidden_fields(key, csrf),
    )
}

fn setup_required_page() -> Response {
    pages::page(
        StatusCode::FORBIDDEN,
        "Set up MFA first",
        "<h1>Set up multi-factor authentication first</h1>\
         <p class=\"error\" id=\"error\">This user pool requires MFA, and your account has no \
         factor set up yet. Sign in with the app once to set up an authenticator, then try again.</p>",
    )
}

fn internal_error() -> Response {
    pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Internal error.")
}

/// Checks `code` for `record`'s factor; the user's TOTP step and the SMS / e-mail code record
/// are updated (a code works once). A disabled or removed user never passes.
fn code_is_right(
    ctx: &mut Ctx<'_>,
    record: &mut MfaPage,
    code: &SecretString,
) -> Result<bool, CognitoError> {
    let now = ctx.now;
    let user = ctx
        .inner
        .state
        .pool_mut(&record.request.pool_id)?
        .user_mut(&record.username)?;
    if !user.enabled {
        return Ok(false);
    }
    Ok(match &mut record.stage {
        MfaStage::Code {
            sent: Some(sent), ..
        } => sent.redeem(code.expose(), now).is_ok(),
        MfaStage::Code { sent: None, .. } => match user.mfa.software_token.as_mut() {
            Some(token) => {
                redeem_totp(&token.secret, &mut token.last_used_step, code.expose(), now)
            }
            None => false,
        },
        MfaStage::Setup(secret) => match totp::check(secret, code.expose(), now) {
            Some(step) => {
                user.mfa.software_token = Some(SoftwareToken {
                    secret: PersistedSecret::new(secret.expose().to_owned()),
                    friendly_name: None,
                    last_used_step: Some(step),
                });
                user.mfa.set_enabled(MfaFactor::SoftwareToken, true);
                user.last_modified = now;
                tracing::info!(username = %record.username, "software token set up on the hosted UI");
                true
            }
            None => false,
        },
        MfaStage::Choose(_) => false,
    })
}

/// `POST /_hosted/{domain}/mfa`: a code, or the chosen factor.
pub async fn submit(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
    headers: HeaderMap,
    Form(form): Form<MfaForm>,
) -> Response {
    let Some((mut record, deadline)) = hosted.mfa.take_with_deadline(&form.page, hosted.now())
    else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This verification page has expired or was already used. Start again from the app.",
        );
    };
    let cookie = pages::cookie(&headers, CSRF_COOKIE);
    if record.request.domain != domain || !csrf_matches(&record.csrf, &form.csrf, cookie.as_deref())
    {
        tracing::info!(domain = %domain, "MFA form refused: CSRF check failed");
        return pages::error_page(
            StatusCode::FORBIDDEN,
            "The verification form could not be verified. Start again from the app.",
        );
    }
    if let MfaStage::Choose(choices) = &record.stage {
        let chosen = form
            .factor
            .as_deref()
            .and_then(MfaFactor::from_challenge_name)
            .filter(|f| choices.contains(f));
        return match chosen {
            Some(factor) => {
                challenge(&hosted, record.request, record.username, factor, deadline).await
            }
            None => show(&hosted, record, deadline, None),
        };
    }
    let Some(code) = form.code else {
        return show(&hosted, record, deadline, Some("Enter the code."));
    };
    let checked = hosted
        .run(move |ctx| {
            let right = code_is_right(ctx, &mut record, &code)?;
            Ok((right, record))
        })
        .await;
    let (right, mut record) = match checked {
        Ok(checked) => checked,
        Err(_) => return internal_error(),
    };
    if right {
        tracing::info!(user_pool_id = %record.request.pool_id, username = %record.username, "hosted UI sign-in with MFA");
        return complete_sign_in(&hosted, record.request, record.username, COGNITO_PROVIDER).await;
    }
    record.failed_attempts += 1;
    if record.failed_attempts >= MAX_CODE_ATTEMPTS {
        tracing::info!(user_pool_id = %record.request.pool_id, username = %record.username, "hosted UI MFA: too many incorrect codes");
        return pages::error_page(
            StatusCode::FORBIDDEN,
            "Too many incorrect codes. Start again from the app.",
        );
    }
    show(&hosted, record, deadline, Some("Incorrect code."))
}
