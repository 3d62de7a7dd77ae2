//! Validation of the `Logins` map: user-pool ID tokens presented to an identity pool.
//!
//! A login `"cognito-idp.<region>.amazonaws.com/<userPoolId>": "<id token>"` is accepted only if
//! the provider is linked to the identity pool, the token is an RS256 JWT signed by that user
//! pool's own key, its `iss` is this server's issuer for the pool (`<endpoint>/<poolId>`, which
//! is what the same provider name means on AWS), its `aud` is an app client the identity pool
//! lists for the provider, its `token_use` is `id`, and it has not expired by the injected clock.
//! Every refusal is `NotAuthorizedException` worded as Cognito words it; the token is never
//! echoed.
//!
//! `ServerSideTokenCheck`: where the identity pool's provider entry sets it, the token must
//! also still stand in the user pool — its user exists (the same `sub`), is enabled, and the
//! sign-in it came from (`origin_jti`) has not been signed out or revoked. The Cognito Identity
//! API reference (`CognitoIdentityProvider.ServerSideTokenCheck`): "that identity pool will
//! check with the integrated user pools to make sure that the user has not been globally
//! signed out or deleted before the identity pool provides an OIDC token or AWS credentials for
//! the user. If the user is signed out or deleted, the identity pool will return a 400 Not
//! Authorized error." (The message text is the local cloud's; AWS documents only the error.)
//! Without it, as on AWS, a signed-out user's ID token keeps working until it expires.

use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::CognitoError;
use crate::jwt;
use crate::model::IdentityPool;
use crate::secrets::SecretString;
use crate::store::Inner;

/// The claims of an ID token that matter to an identity pool.
#[derive(Debug, Deserialize)]
struct IdClaims {
    sub: String,
    iss: String,
    aud: Option<String>,
    token_use: Option<String>,
    exp: i64,
    origin_jti: Option<String>,
    #[serde(rename = "cognito:username")]
    username: Option<String>,
}

/// A login that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLogin {
    /// The provider name as sent (`cognito-idp.<region>.amazonaws.com/<poolId>`).
    pub provider_name: String,
    /// The user's `sub` in that user pool.
    pub sub: String,
}

impl VerifiedLogin {
    /// The key that links this login to one identity: `<provider>|<sub>`.
    pub fn key(&self) -> String {
        format!("{}|{}", self.provider_name, self.sub)
    }
}

fn invalid(detail: &str) -> CognitoError {
    CognitoError::not_authorized(format!("Invalid login token. {detail}"))
}

/// The user-pool id a provider name refers to (`…amazonaws.com/<poolId>` → `<poolId>`).
pub fn user_pool_of_provider(provider_name: &str) -> Option<&str> {
    let rest = provider_name.strip_prefix("cognito-idp.")?;
    let (host_region, pool_id) = rest.split_once(".amazonaws.com/")?;
    (!host_region.is_empty() && !pool_id.is_empty() && !pool_id.contains('/')).then_some(pool_id)
}

/// Whether the token's user and sign-in still stand in `user_pool` (ServerSideTokenCheck).
fn still_signed_in(user_pool: &crate::model::UserPool, claims: &IdClaims) -> bool {
    let (Some(username), Some(origin_jti)) = (&claims.username, &claims.origin_jti) else {
        return false;
    };
    let user_ok = user_pool
        .users
        .get(username)
        .is_some_and(|user| user.enabled && user.sub == claims.sub);
    let session_ok = user_pool
        .sessions
        .get(origin_jti)
        .is_some_and(|session| !session.is_revoked() && &session.username == username);
    user_ok && session_ok
}

/// Validates one login against `pool` at `now`.
pub fn verify_login(
    inner: &mut Inner,
    pool: &IdentityPool,
    endpoint: &str,
    now: OffsetDateTime,
    provider_name: &str,
    token: &SecretString,
) -> Result<VerifiedLogin, CognitoError> {
    let entries: Vec<_> = pool
        .providers
        .iter()
        .filter(|p| p.provider_name == provider_name)
        .collect();
    let clients: Vec<&str> = entries.iter().map(|p| p.client_id.as_str()).collect();
    if clients.is_empty() {
        return Err(CognitoError::not_authorized(
            "Token is not from a supported provider of this identity pool.",
        ));
    }
    let user_pool_id = user_pool_of_provider(provider_name)
        .ok_or_else(|| invalid("Issuer doesn't match providerName"))?;
    let Inner { state, keys, .. } = inner;
    let user_pool = state
        .pools
        .get(user_pool_id)
        .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?;
    let key = keys.get(user_pool_id, &user_pool.signing_key)?;

    let header = jsonwebtoken::decode_header(token.expose())
        .map_err(|_| invalid("Not a valid OpenId Connect identity token."))?;
    if header.alg != jsonwebtoken::Algorithm::RS256 || header.kid.as_deref() != Some(key.kid()) {
        return Err(invalid("Not a valid OpenId Connect identity token."));
    }
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<IdClaims>(token.expose(), key.decoding_key(), &validation)
        .map_err(|err| match err.kind() {
            jsonwebtoken::errors::ErrorKind::Json(_) => invalid("Missing a required claim: aud"),
            _ => invalid("Not a valid OpenId Connect identity token."),
        })?
        .claims;
    if claims.iss != jwt::issuer(endpoint, user_pool_id) {
        return Err(invalid("Issuer doesn't match providerName"));
    }
    let Some(aud) = claims.aud.as_deref() else {
        return Err(invalid("Missing a required claim: aud"));
    };
    if claims.token_use.as_deref() != Some("id") {
        return Err(invalid("Not a valid OpenId Connect identity token."));
    }
    if !clients.contains(&aud) {
        return Err(invalid("Incorrect token audience."));
    }
    let now = now.unix_timestamp();
    if now >= claims.exp {
        return Err(invalid(&format!("Token expired: {now} >= {}", claims.exp)));
    }
    let checked = entries
        .iter()
        .any(|p| p.client_id == aud && p.server_side_token_check);
    if checked && !still_signed_in(user_pool, &claims) {
        return Err(CognitoError::not_authorized(
            "Invalid login token. The user has been signed out or no longer exists.",
        ));
    }
    Ok(VerifiedLogin {
        provider_name: provider_name.to_owned(),
        sub: claims.sub,
    })
}
