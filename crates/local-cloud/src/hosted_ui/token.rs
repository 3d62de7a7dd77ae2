//! `POST /oauth2/token`: the `authorization_code` grant (with PKCE) and the `refresh_token`
//! grant, answering RFC 6749 JSON (`{"error": …}` on failure, `Cache-Control: no-store`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;

use super::{pages, pkce, Hosted, IssuedCode};
use crate::error::CognitoError;
use crate::model::session::refresh_token_digest;
use crate::model::UserStatus;
use crate::ops::tokens::{refresh_with, start_session_with, TokenExtras};
use crate::ops::wire::AuthenticationResult;
use crate::ops::{client_secret_matches, Ctx};
use crate::secrets::SecretString;

/// The token request form.
#[derive(Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<SecretString>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    code_verifier: Option<SecretString>,
    refresh_token: Option<SecretString>,
}

/// An RFC 6749 §5.2 error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthError {
    /// Malformed request.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// Bad, expired, replayed or mis-bound code or refresh token; wrong PKCE verifier.
    InvalidGrant,
    /// The client may not use this grant.
    UnauthorizedClient,
    /// Unknown grant type.
    UnsupportedGrantType,
}

impl OAuthError {
    /// The `error` value.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
        }
    }

    /// The JSON error response.
    pub fn response(self) -> Response {
        let status = if self == Self::InvalidClient {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        let mut response =
            (status, Json(serde_json::json!({ "error": self.code() }))).into_response();
        pages::no_store(response.headers_mut());
        response
    }
}

/// The client id and secret from HTTP Basic authentication, if present.
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, SecretString)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = zeroize::Zeroizing::new(STANDARD.decode(encoded.trim()).ok()?);
    let text = std::str::from_utf8(&decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), SecretString::new(secret.to_owned())))
}

/// Authenticates the client: returns its pool and id.
fn authenticate_client(
    ctx: &Ctx<'_>,
    basic: Option<&(String, SecretString)>,
    form_client_id: Option<&str>,
    form_secret: Option<&SecretString>,
) -> Result<(String, String), OAuthError> {
    let (client_id, secret) = match (basic, form_client_id) {
        (Some((id, _)), Some(form_id)) if id != form_id => return Err(OAuthError::InvalidClient),
        (Some((id, secret)), _) => (id.as_str(), Some(secret)),
        (None, Some(id)) => (id, form_secret),
        (None, None) => return Err(OAuthError::InvalidClient),
    };
    let state = &ctx.inner.state;
    let pool_id = state
        .pool_id_of_client(client_id)
        .map_err(|_| OAuthError::InvalidClient)?;
    let client = state
        .pool(&pool_id)
        .and_then(|pool| pool.client(client_id))
        .map_err(|_| OAuthError::InvalidClient)?;
    if client.secret.is_some() && !client_secret_matches(client, secret) {
        return Err(OAuthError::InvalidClient);
    }
    if !state
        .hosted
        .clients
        .get(client_id)
        .is_some_and(|settings| settings.allowed_flows_user_pool_client)
    {
        return Err(OAuthError::UnauthorizedClient);
    }
    Ok((pool_id, client_id.to_owned()))
}

fn token_json(result: &AuthenticationResult) -> serde_json::Value {
    let mut json = serde_json::json!({
        "id_token": result.id_token,
        "access_token": result.access_token,
        "expires_in": result.expires_in,
        "token_type": "Bearer",
    });
    if let Some(refresh) = &result.refresh_token {
        json["refresh_token"] = refresh.clone().into();
    }
    json
}

/// The `authorization_code` grant, given the code's record (already taken from the ledger).
fn redeem_code(
    ctx: &mut Ctx<'_>,
    issued: IssuedCode,
    pool_id: &str,
    client_id: &str,
    redirect_uri: Option<&str>,
    verifier: Option<&SecretString>,
) -> Result<Result<AuthenticationResult, OAuthError>, CognitoError> {
    let request = issued.request;
    if request.pool_id != pool_id || request.client_id != client_id {
        return Ok(Err(OAuthError::InvalidGrant));
    }
    if redirect_uri != Some(request.redirect_uri.as_str()) {
        return Ok(Err(OAuthError::InvalidGrant));
    }
    if let Some(challenge) = &request.code_challenge {
        let proven = verifier.is_some_and(|v| pkce::verifies(v.expose(), challenge));
        if !proven {
            return Ok(Err(OAuthError::InvalidGrant));
        }
    }
    let allowed = ctx
        .inner
        .state
        .hosted
        .clients
        .get(client_id)
        .is_some_and(|settings| settings.allows_code_flow());
    if !allowed {
        return Ok(Err(OAuthError::UnauthorizedClient));
    }
    let user_ok = ctx
        .inner
        .state
        .pool(pool_id)?
        .users
        .get(&issued.username)
        .is_some_and(|user| {
            user.enabled
                && matches!(
                    user.status,
                    UserStatus::Confirmed | UserStatus::ExternalProvider
                )
        });
    if !user_ok {
        return Ok(Err(OAuthError::InvalidGrant));
    }
    let extras = TokenExtras {
        scope: Some(&request.scope),
        nonce: request.nonce.as_deref(),
    };
    let result = start_session_with(ctx, pool_id, client_id, &issued.username, &extras)?;
    if let Some(refresh) = &result.refresh_token {
        let hosted = &mut ctx.inner.state.hosted;
        hosted
            .refresh_scopes
            .insert(refresh_token_digest(refresh), request.scope.clone());
        // Forget the scopes of refresh tokens whose sessions are gone.
        let live: std::collections::BTreeSet<String> = ctx
            .inner
            .state
            .pools
            .values()
            .flat_map(|pool| {
                pool.sessions
                    .values()
                    .map(|s| s.refresh_token_sha256.clone())
            })
            .collect();
        ctx.inner
            .state
            .hosted
            .refresh_scopes
            .retain(|digest, _| live.contains(digest));
    }
    Ok(Ok(result))
}

/// `POST /_hosted/{domain}/oauth2/token`.
pub async fn token(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let basic = basic_credentials(&headers);
    let grant = form.grant_type.clone().unwrap_or_default();
    // Take the code before anything else: it is used up by this request, whatever happens.
    let issued = match (grant.as_str(), &form.code) {
        ("authorization_code", Some(code)) => hosted.codes.take(code.expose(), hosted.now()),
        _ => None,
    };
    let outcome = hosted
        .run(move |ctx| {
            let domain_pool = ctx.inner.state.hosted.domains.get(&domain).cloned();
            let (pool_id, client_id) = match authenticate_client(
                ctx,
                basic.as_ref(),
                form.client_id.as_deref(),
                form.client_secret.as_ref(),
            ) {
                Ok(found) => found,
                Err(error) => return Ok(Err(error)),
            };
            if domain_pool.as_deref() != Some(pool_id.as_str()) {
                return Ok(Err(OAuthError::InvalidClient));
            }
            match grant.as_str() {
                "authorization_code" => {
                    if form.code.is_none() {
                        return Ok(Err(OAuthError::InvalidRequest));
                    }
                    let Some(issued) = issued else {
                        return Ok(Err(OAuthError::InvalidGrant));
                    };
                    redeem_code(
                        ctx,
                        issued,
                        &pool_id,
                        &client_id,
                        form.redirect_uri.as_deref(),
                        form.code_verifier.as_ref(),
                    )
                }
                "refresh_token" => {
                    let Some(refresh) = form.refresh_token else {
                        return Ok(Err(OAuthError::InvalidRequest));
                    };
                    let scope = ctx
                        .inner
                        .state
                        .hosted
                        .refresh_scopes
                        .get(&refresh_token_digest(refresh.expose()))
                        .cloned();
                    let extras = TokenExtras {
                        scope: scope.as_deref(),
                        nonce: None,
                    };
                    match refresh_with(ctx, &pool_id, &client_id, &refresh, |_| Ok(()), &extras) {
                        Ok(result) => Ok(Ok(result)),
                        Err(error) if error.kind == crate::error::ErrorKind::NotAuthorized => {
                            Ok(Err(OAuthError::InvalidGrant))
                        }
                        Err(error) => Err(error),
                    }
                }
                _ => Ok(Err(OAuthError::UnsupportedGrantType)),
            }
        })
        .await;
    match outcome {
        Ok(Ok(result)) => {
            let mut response = Json(token_json(&result)).into_response();
            pages::no_store(response.headers_mut());
            response
        }
        Ok(Err(error)) => {
            tracing::info!(error = error.code(), "token request refused");
            error.response()
        }
        Err(_) => {
            let mut response = (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(serde_json::json!({ "error": "server_error" })),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
    }
}
