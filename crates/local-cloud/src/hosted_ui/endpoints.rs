//! `/oauth2/userInfo`, `/oauth2/revoke`, `/logout` and the domain's OIDC discovery document.

use std::sync::Arc;

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;

use super::token::{basic_credentials, OAuthError};
use super::{pages, Hosted};
use crate::jwt;
use crate::model::session::refresh_token_digest;
use crate::ops::client_secret_matches;
use crate::ops::tokens::authenticate_access_token;
use crate::secrets::SecretString;

/// `GET|POST /oauth2/userInfo` with `Authorization: Bearer <access token>`.
pub async fn user_info(
    State(hosted): State<Arc<Hosted>>,
    Path(_domain): Path<String>,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| SecretString::new(t.trim().to_owned()));
    let Some(token) = token else {
        return invalid_token();
    };
    let claims = hosted
        .run(move |ctx| {
            let (pool_id, username) = authenticate_access_token(ctx, &token)?;
            let pool = ctx.inner.state.pool(&pool_id)?;
            let user = pool
                .users
                .get(&username)
                .ok_or_else(crate::error::CognitoError::user_not_found)?;
            let mut claims = serde_json::Map::new();
            for (name, value) in user.attribute_list() {
                claims.insert(name.to_owned(), value.into());
            }
            claims.insert("username".to_owned(), user.username.clone().into());
            Ok(claims)
        })
        .await;
    match claims {
        Ok(claims) => {
            let mut response = Json(claims).into_response();
            pages::no_store(response.headers_mut());
            response
        }
        Err(_) => invalid_token(),
    }
}

fn invalid_token() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({ "error": "invalid_token" })),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// The revocation form (RFC 7009).
#[derive(Deserialize)]
pub struct RevokeForm {
    token: Option<SecretString>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
}

/// `POST /oauth2/revoke`: revokes a refresh token and every token minted from it. An unknown
/// token is not an error (RFC 7009 §2.2).
pub async fn revoke(
    State(hosted): State<Arc<Hosted>>,
    Path(_domain): Path<String>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Response {
    let basic = basic_credentials(&headers);
    let outcome = hosted
        .run(move |ctx| {
            let Some(token) = form.token else {
                return Ok(Err(OAuthError::InvalidRequest));
            };
            let (client_id, secret) = match (&basic, form.client_id) {
                (Some((id, secret)), _) => (id.clone(), Some(secret)),
                (None, Some(id)) => (id, form.client_secret.as_ref()),
                (None, None) => return Ok(Err(OAuthError::InvalidClient)),
            };
            let Ok(pool_id) = ctx.inner.state.pool_id_of_client(&client_id) else {
                return Ok(Err(OAuthError::InvalidClient));
            };
            let now = ctx.now;
            let pool = ctx.inner.state.pool_mut(&pool_id)?;
            let client = pool.client(&client_id)?;
            if !client_secret_matches(client, secret) {
                return Ok(Err(OAuthError::InvalidClient));
            }
            if token.expose().split('.').count() == 3 {
                // Cognito revokes refresh tokens only.
                return Ok(Err(OAuthError::InvalidRequest));
            }
            let digest = refresh_token_digest(token.expose());
            if let Some(session) = pool
                .sessions
                .values_mut()
                .find(|s| s.refresh_token_sha256 == digest && s.client_id == client_id)
            {
                session.revoked_at.get_or_insert(now);
                tracing::info!(user_pool_id = %pool_id, username = %session.username, "refresh token revoked at /oauth2/revoke");
            }
            Ok(Ok(()))
        })
        .await;
    match outcome {
        Ok(Ok(())) => {
            let mut response = StatusCode::OK.into_response();
            pages::no_store(response.headers_mut());
            response
        }
        Ok(Err(error)) => error.response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The logout query.
#[derive(Debug, Deserialize)]
pub struct LogoutQuery {
    client_id: Option<String>,
    logout_uri: Option<String>,
    redirect_uri: Option<String>,
}

/// `GET /logout`: ends the browser's session of this domain ([`super::session`]), then
///
/// * with `client_id` and `logout_uri`: sends it to that registered logout URL;
/// * with `redirect_uri` instead (and the parameters of an authorization request): sends it to
///   `/oauth2/authorize` with those parameters, to sign in again (checked there, as any
///   authorization request).
///
/// The session ends even when the request is refused (the error page then says so): a
/// sign-out asked for is never ignored.
pub async fn logout(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
    Query(query): Query<LogoutQuery>,
) -> Response {
    let signed_out = domain.clone();
    if let (None, Some(_), Some(raw)) = (&query.logout_uri, &query.redirect_uri, &raw_query) {
        let sign_in_again = format!("{}/oauth2/authorize?{raw}", hosted.base_url(&domain));
        return super::session::end(
            &hosted,
            &headers,
            &signed_out,
            pages::redirect(&sign_in_again),
        );
    }
    let allowed = hosted
        .run(move |ctx| {
            let state = &ctx.inner.state;
            let (Some(client_id), Some(logout_uri)) = (query.client_id, query.logout_uri) else {
                return Ok(None);
            };
            let in_pool = state.hosted.domains.get(&domain).is_some_and(|pool_id| {
                state.pool_id_of_client(&client_id).ok().as_ref() == Some(pool_id)
            });
            let registered = state
                .hosted
                .clients
                .get(&client_id)
                .is_some_and(|settings| settings.allows_logout(&logout_uri));
            Ok((in_pool && registered).then_some(logout_uri))
        })
        .await;
    let response = match allowed {
        Ok(Some(uri)) => pages::redirect(&uri),
        Ok(None) => pages::error_page(
            StatusCode::BAD_REQUEST,
            "The logout_uri is not a registered logout URL of this app client.",
        ),
        Err(_) => pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, "Internal error."),
    };
    super::session::end(&hosted, &headers, &signed_out, response)
}

/// `GET /.well-known/openid-configuration` at the domain: the pool's issuer and keys with this
/// domain's endpoints.
pub async fn discovery(State(hosted): State<Arc<Hosted>>, Path(domain): Path<String>) -> Response {
    let lookup = domain.clone();
    let pool_id = hosted
        .run(move |ctx| Ok(ctx.inner.state.hosted.domains.get(&lookup).cloned()))
        .await;
    let Ok(Some(pool_id)) = pool_id else {
        return (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "not_found"})),
        )
            .into_response();
    };
    let issuer = jwt::issuer(&hosted.app.endpoint, &pool_id);
    let base = hosted.base_url(&domain);
    Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "end_session_endpoint": format!("{base}/logout"),
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    }))
    .into_response()
}
