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
use crate::ops::tokens::{has_scope, verify_access_token};
use crate::secrets::SecretString;

/// The `error_description` of a userInfo refusal for a token without `openid`, as AWS words it
/// (observed in simov/grant#189: "Access token does not contain openid scope"). The other
/// messages are from the userInfo page's example negative responses.
const NO_OPENID_SCOPE: &str = "Access token does not contain openid scope";

/// `GET|POST /oauth2/userInfo` with `Authorization: Bearer <access token>`.
///
/// As AWS's userInfo endpoint (developer guide, "The user attributes endpoint"):
///
/// * "The openid scope must be one of the access token claims": access tokens from the
///   user-pool API (InitiateAuth, …), whose only scope is `aws.cognito.signin.user.admin`, are
///   refused ("Because they don't contain any scopes, the userInfo endpoint doesn't accept these
///   access tokens"); that scope is neither needed nor enough here;
/// * the token must come from the pool of the domain in the path;
/// * the attributes returned depend on the scopes ([`user_info_claims`]).
///
/// A request without a bearer token is `400 invalid_request`; every other refusal is
/// `401 invalid_token`, both with a `WWW-Authenticate: Bearer` challenge.
pub async fn user_info(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| SecretString::new(t.trim().to_owned()));
    let Some(token) = token else {
        // The AWS page's "Example – bad request".
        return refused(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Bad OAuth2 request at UserInfo Endpoint",
        );
    };
    let claims = hosted
        .run(move |ctx| {
            let live = verify_access_token(ctx, &token, |_| Ok(()))?;
            let state = &ctx.inner.state;
            if state.hosted.domains.get(&domain) != Some(&live.pool_id) {
                return Ok(Err(None));
            }
            if !live.has_scope("openid") {
                return Ok(Err(Some(NO_OPENID_SCOPE)));
            }
            let user = state
                .pool(&live.pool_id)?
                .users
                .get(&live.username)
                .ok_or_else(crate::error::CognitoError::user_not_found)?;
            Ok(Ok(user_info_claims(
                &live.scope,
                &user.username,
                &user.attribute_list(),
            )))
        })
        .await;
    match claims {
        Ok(Ok(claims)) => {
            let mut response = Json(claims).into_response();
            pages::no_store(response.headers_mut());
            response
        }
        Ok(Err(description)) => invalid_token(description),
        Err(_) => invalid_token(None),
    }
}

/// The attributes of the OIDC `profile` scope (OpenID Connect Core §5.4; AWS's userInfo page
/// lists the same for `openid profile`, "Also returns custom attributes").
const PROFILE_ATTRIBUTES: [&str; 14] = [
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];

/// What userInfo answers for a token with `scope` (space-separated, holding `openid`), per AWS's
/// userInfo page:
///
/// * `openid` alone: every attribute the app client can read (here: all of them);
/// * `openid profile`: the OIDC profile attributes (`name`, `given_name`, `locale`, …) and
///   custom attributes;
/// * `openid email`: `email` and `email_verified`; `openid phone`: `phone_number` and
///   `phone_number_verified`;
/// * `sub` and `username` always (the page's example response has both; its "basic profile
///   information" is taken to mean these two). `aws.cognito.signin.user.admin` changes nothing.
///
/// Values are strings, as in the page's example (`"email_verified": "true"`).
pub fn user_info_claims(
    scope: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> serde_json::Map<String, serde_json::Value> {
    let has = |s: &str| has_scope(scope, s);
    let (profile, email, phone) = (has("profile"), has("email"), has("phone"));
    let everything = !(profile || email || phone);
    let granted = |name: &str| {
        everything
            || name == "sub"
            || (profile && (PROFILE_ATTRIBUTES.contains(&name) || name.starts_with("custom:")))
            || (email && matches!(name, "email" | "email_verified"))
            || (phone && matches!(name, "phone_number" | "phone_number_verified"))
    };
    let mut claims: serde_json::Map<String, serde_json::Value> = attributes
        .iter()
        .filter(|(name, _)| granted(name))
        .map(|(name, value)| ((*name).to_owned(), (*value).into()))
        .collect();
    claims.insert("username".to_owned(), username.into());
    claims
}

/// How userInfo answers a token it does not accept, as in the AWS userInfo page's "Example – bad
/// token".
const BAD_TOKEN: &str =
    "Access token is expired, disabled, or deleted, or the user has globally signed out.";

/// A refused userInfo request (RFC 6750 §3): `{"error", "error_description"}` and the same in a
/// `WWW-Authenticate: Bearer` challenge.
fn refused(status: StatusCode, error: &'static str, description: &'static str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut response = (status, Json(body)).into_response();
    let challenge = format!("Bearer error=\"{error}\", error_description=\"{description}\"");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// `401 invalid_token` ([`BAD_TOKEN`] unless a more precise description is given).
fn invalid_token(description: Option<&'static str>) -> Response {
    refused(
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        description.unwrap_or(BAD_TOKEN),
    )
}

/// The revocation form (RFC 7009).
#[derive(Deserialize)]
pub struct RevokeForm {
    token: Option<SecretString>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
}

/// `POST /oauth2/revoke`: revokes a refresh token and every token minted from it. An unknown
/// token is not an error (RFC 7009 §2.2). The client must belong to the pool of the domain in
/// the path, as at `/oauth2/token` (`invalid_client` otherwise).
pub async fn revoke(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
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
            if ctx.inner.state.hosted.domains.get(&domain) != Some(&pool_id) {
                return Ok(Err(OAuthError::InvalidClient));
            }
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

#[cfg(test)]
mod tests {
    use super::user_info_claims;

    const ATTRIBUTES: [(&str, &str); 7] = [
        ("sub", "5f1c2a"),
        ("email", "ada@example.com"),
        ("email_verified", "true"),
        ("phone_number", "+15555550100"),
        ("phone_number_verified", "false"),
        ("name", "Ada"),
        ("custom:team", "engines"),
    ];

    fn names(scope: &str) -> Vec<String> {
        user_info_claims(scope, "ada", &ATTRIBUTES)
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn each_scope_adds_its_attributes_to_sub_and_username() {
        assert_eq!(
            names("openid email"),
            ["email", "email_verified", "sub", "username"]
        );
        assert_eq!(
            names("openid phone"),
            ["phone_number", "phone_number_verified", "sub", "username"]
        );
        assert_eq!(
            names("openid profile"),
            ["custom:team", "name", "sub", "username"]
        );
        assert_eq!(
            names("openid email phone aws.cognito.signin.user.admin"),
            [
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
                "sub",
                "username"
            ]
        );
    }

    #[test]
    fn openid_alone_returns_every_attribute() {
        assert_eq!(names("openid").len(), ATTRIBUTES.len() + 1);
        assert_eq!(
            names("openid aws.cognito.signin.user.admin"),
            names("openid")
        );
        let claims = user_info_claims("openid", "ada", &ATTRIBUTES);
        assert_eq!(claims["email_verified"], "true");
        assert_eq!(claims["username"], "ada");
    }
}
