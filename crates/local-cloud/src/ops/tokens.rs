//! Token issuance and the token operations: GetUser, GetTokensFromRefreshToken, RevokeToken.
//!
//! Each successful sign-in opens an [`AuthSession`]: a fresh `origin_jti`, a 256-bit random
//! refresh token (base64url) of which only the SHA-256 is stored, and its expiry. Access and ID
//! tokens minted from it carry its `origin_jti`; refreshing mints new ones under the same
//! `origin_jti` (no refresh-token rotation). An access token is honoured only while its session
//! exists and is not revoked, which is how RevokeToken and GlobalSignOut take effect at once.
//!
//! # Refresh tokens of tracked devices
//!
//! In a pool that tracks devices, a session is bound to a device: the one the sign-in came from
//! (its DEVICE_KEY), or the one its `NewDeviceMetadata` created. Its access tokens carry the
//! `device_key` claim, and REFRESH_TOKEN_AUTH works only when `DEVICE_KEY` names that device and
//! the device is confirmed (ConfirmDevice) and not forgotten; otherwise the answer is
//! `NotAuthorizedException: Invalid Refresh Token`, whatever else is right. What this follows:
//!
//! - the InitiateAuth reference lists `DEVICE_KEY` among the REFRESH_TOKEN_AUTH parameters
//!   (e.g. the API reference as mirrored by rusoto_cognito_idp 0.31 `InitiateAuthRequest`), and
//!   GetTokensFromRefreshToken's `DeviceKey` says "You must provide the confirmed device key in
//!   this request if device remembering is enabled in your user pool" (AWS SDK for Kotlin,
//!   `GetTokensFromRefreshTokenRequest.deviceKey`);
//! - "Invalid Refresh Token" reports with device tracking on: without DEVICE_KEY
//!   (aws-amplify/aws-sdk-android#1469, aws/aws-sdk-java-v2#1389), and with the DEVICE_KEY of a
//!   device never confirmed (aws/aws-sdk-cpp#851, aws/aws-sdk-java#2841,
//!   aws/aws-sdk-java-v2#3418), fixed by ConfirmDevice (kink80/cognitoauth#2,
//!   aws/aws-sdk-net-extensions-cognito#85); an Amplify maintainer: "cognito mandates all new
//!   devices that logs in to be confirmed using the ConfirmDevice API call otherwise they will
//!   not let the refresh token refresh the access token" (aws-amplify/amplify-android#2506);
//! - AWS's device-tracking post, quoted in aws-amplify/amplify-js#2962: "With device tracking,
//!   these tokens are linked to a single device. If a refresh token is used on any other device,
//!   the call fails. [...] the ForgetDevice API can be used to forget that specific device, and
//!   as a result, all future calls to revalidate that device's refresh tokens will fail."
//!
//! The error after ForgetDevice is not quoted anywhere we found; it is the same "Invalid Refresh
//! Token" here.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::wire::{attributes_of, AttributeOut, AuthenticationResult, Empty};
use super::{client_secret_matches, required, Ctx};
use crate::error::{CognitoError, ErrorKind};
use crate::ids;
use crate::jwt::{self, AccessClaims};
use crate::model::session::refresh_token_digest;
use crate::model::AuthSession;
use crate::secrets::SecretString;
use crate::store::Inner;

/// The scope of every access token from the user-pool API.
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";
/// Bytes of randomness in a refresh token.
const REFRESH_TOKEN_BYTES: usize = 32;

/// What an OAuth 2.0 sign-in (hosted UI) adds to the tokens of a plain API sign-in.
#[derive(Debug, Clone, Default)]
pub struct TokenExtras<'a> {
    /// The access token's `scope` (default [`ADMIN_SCOPE`]).
    pub scope: Option<&'a str>,
    /// The ID token's `nonce`, echoed from the authorization request.
    pub nonce: Option<&'a str>,
}

struct Minted {
    access_token: String,
    id_token: String,
    expires_in: u64,
    expires_by: OffsetDateTime,
}

/// What the tokens of one session share.
#[derive(Clone, Copy)]
struct SessionOf<'a> {
    origin_jti: &'a str,
    auth_time: OffsetDateTime,
    device_key: Option<&'a str>,
}

/// Mints an access and an ID token for `username` under session `of`.
fn mint(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    username: &str,
    of: &SessionOf<'_>,
    extras: &TokenExtras<'_>,
) -> Result<Minted, CognitoError> {
    let SessionOf {
        origin_jti,
        auth_time,
        device_key,
    } = *of;
    let Inner { state, keys, .. } = &mut *ctx.inner;
    let pool = state.pool(pool_id)?;
    let client = pool.client(client_id)?;
    let user = pool
        .users
        .get(username)
        .ok_or_else(CognitoError::user_not_found)?;
    let key = keys.get(pool_id, &pool.signing_key)?;
    let iss = jwt::issuer(ctx.endpoint, pool_id);
    let now = ctx.now;
    let access_life = client.token_validity.access.duration();
    let id_life = client.token_validity.id.duration();
    let access_exp = now + access_life;
    let id_exp = now + id_life;

    let access = AccessClaims {
        sub: user.sub.clone(),
        iss: iss.clone(),
        client_id: client_id.to_owned(),
        origin_jti: origin_jti.to_owned(),
        event_id: uuid::Uuid::new_v4().to_string(),
        token_use: "access".to_owned(),
        scope: extras.scope.unwrap_or(ADMIN_SCOPE).to_owned(),
        auth_time: auth_time.unix_timestamp(),
        exp: access_exp.unix_timestamp(),
        iat: now.unix_timestamp(),
        jti: uuid::Uuid::new_v4().to_string(),
        username: user.username.clone(),
        device_key: device_key.map(str::to_owned),
    };

    let mut id = serde_json::Map::new();
    for (name, value) in user.attribute_list() {
        let value = match name {
            "email_verified" | "phone_number_verified" => serde_json::Value::Bool(value == "true"),
            // Federated users: Cognito puts the linked identities in as a JSON array.
            "identities" => serde_json::from_str(value)
                .unwrap_or_else(|_| serde_json::Value::String(value.to_owned())),
            _ => serde_json::Value::String(value.to_owned()),
        };
        id.insert(name.to_owned(), value);
    }
    let mut put = |name: &str, value: serde_json::Value| {
        id.insert(name.to_owned(), value);
    };
    put("iss", iss.into());
    put("cognito:username", user.username.clone().into());
    put("origin_jti", origin_jti.into());
    put("aud", client_id.into());
    put("event_id", uuid::Uuid::new_v4().to_string().into());
    put("token_use", "id".into());
    put("auth_time", auth_time.unix_timestamp().into());
    put("exp", id_exp.unix_timestamp().into());
    put("iat", now.unix_timestamp().into());
    put("jti", uuid::Uuid::new_v4().to_string().into());
    if let Some(nonce) = extras.nonce {
        put("nonce", nonce.into());
    }

    Ok(Minted {
        access_token: key.sign(&access)?,
        id_token: key.sign(&id)?,
        expires_in: access_life.as_secs(),
        expires_by: access_exp.max(id_exp),
    })
}

/// Signs `username` in through `client_id`: opens a session and returns all three tokens.
pub fn start_session(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> Result<AuthenticationResult, CognitoError> {
    start_session_with(ctx, pool_id, client_id, username, &TokenExtras::default())
}

/// [`start_session`] with the OAuth additions (scope, nonce) of a hosted-UI sign-in.
pub fn start_session_with(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    username: &str,
    extras: &TokenExtras<'_>,
) -> Result<AuthenticationResult, CognitoError> {
    open_session(ctx, pool_id, client_id, username, None, extras)
}

/// [`start_session`] for a sign-in bound to `device_key` (see the module docs): its refresh
/// token will need that DEVICE_KEY.
pub fn start_device_session(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    username: &str,
    device_key: Option<&str>,
) -> Result<AuthenticationResult, CognitoError> {
    open_session(
        ctx,
        pool_id,
        client_id,
        username,
        device_key,
        &TokenExtras::default(),
    )
}

fn open_session(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    username: &str,
    device_key: Option<&str>,
    extras: &TokenExtras<'_>,
) -> Result<AuthenticationResult, CognitoError> {
    let now = ctx.now;
    let origin_jti = uuid::Uuid::new_v4().to_string();
    let of = SessionOf {
        origin_jti: &origin_jti,
        auth_time: now,
        device_key,
    };
    let minted = mint(ctx, pool_id, client_id, username, &of, extras)?;
    let refresh_token = ids::opaque_token(REFRESH_TOKEN_BYTES);
    let pool = ctx.inner.state.pool_mut(pool_id)?;
    let refresh_life = pool.client(client_id)?.token_validity.refresh.duration();
    pool.sessions.insert(
        origin_jti.clone(),
        AuthSession {
            origin_jti,
            client_id: client_id.to_owned(),
            username: username.to_owned(),
            refresh_token_sha256: refresh_token_digest(&refresh_token),
            auth_time: now,
            refresh_expires_at: now + refresh_life,
            tokens_expire_by: minted.expires_by,
            device_key: device_key.map(str::to_owned),
            revoked_at: None,
        },
    );
    // After the insert, so the device this sign-in is bound to is kept.
    pool.prune_sessions(now);
    tracing::info!(user_pool_id = %pool_id, client_id = %client_id, username = %username, "signed in");
    Ok(AuthenticationResult {
        access_token: minted.access_token,
        expires_in: minted.expires_in,
        token_type: "Bearer",
        refresh_token: Some(refresh_token),
        id_token: minted.id_token,
        new_device_metadata: None,
    })
}

/// What a live refresh token's session says about the refresh.
struct LiveSession {
    origin_jti: String,
    username: String,
    auth_time: OffsetDateTime,
    device_key: Option<String>,
}

/// The session a refresh token belongs to, checked for client, revocation, expiry and device.
fn live_session_of_refresh_token(
    ctx: &Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    refresh_token: &str,
    device_key: Option<&str>,
) -> Result<LiveSession, CognitoError> {
    let invalid = || CognitoError::not_authorized("Invalid Refresh Token");
    let digest = refresh_token_digest(refresh_token);
    let pool = ctx.inner.state.pool(pool_id)?;
    let session = pool
        .sessions
        .values()
        .find(|s| s.refresh_token_sha256 == digest)
        .ok_or_else(invalid)?;
    if session.client_id != client_id {
        return Err(invalid());
    }
    if session.is_revoked() {
        return Err(CognitoError::not_authorized(
            "Refresh Token has been revoked",
        ));
    }
    if ctx.now >= session.refresh_expires_at {
        return Err(CognitoError::not_authorized("Refresh Token has expired"));
    }
    let user = pool.users.get(&session.username).ok_or_else(invalid)?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    if let Some(bound) = &session.device_key {
        // Bound to a device: only that DEVICE_KEY, and only while the device is confirmed
        // and not forgotten (see the module docs).
        let device_is_live = user.devices.get(bound).is_some_and(|d| d.is_confirmed());
        if device_key != Some(bound.as_str()) || !device_is_live {
            return Err(invalid());
        }
    }
    Ok(LiveSession {
        origin_jti: session.origin_jti.clone(),
        username: session.username.clone(),
        auth_time: session.auth_time,
        device_key: session.device_key.clone(),
    })
}

/// Mints fresh access and ID tokens from a refresh token presented with `device_key` (the
/// `DEVICE_KEY`, if any). `check_secret` is given the internal username (REFRESH_TOKEN_AUTH
/// checks the SECRET_HASH against it).
pub fn refresh(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    refresh_token: &SecretString,
    device_key: Option<&str>,
    check_secret: impl FnOnce(&str) -> Result<(), CognitoError>,
) -> Result<AuthenticationResult, CognitoError> {
    refresh_on_device(
        ctx,
        pool_id,
        client_id,
        refresh_token,
        device_key,
        check_secret,
        &TokenExtras::default(),
    )
}

/// [`refresh`] for the OAuth token endpoint: the new access token keeps the granted scope.
/// No device is presented there, so a device-bound refresh token is refused.
pub fn refresh_with(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    refresh_token: &SecretString,
    check_secret: impl FnOnce(&str) -> Result<(), CognitoError>,
    extras: &TokenExtras<'_>,
) -> Result<AuthenticationResult, CognitoError> {
    refresh_on_device(
        ctx,
        pool_id,
        client_id,
        refresh_token,
        None,
        check_secret,
        extras,
    )
}

fn refresh_on_device(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    refresh_token: &SecretString,
    device_key: Option<&str>,
    check_secret: impl FnOnce(&str) -> Result<(), CognitoError>,
    extras: &TokenExtras<'_>,
) -> Result<AuthenticationResult, CognitoError> {
    let live =
        live_session_of_refresh_token(ctx, pool_id, client_id, refresh_token.expose(), device_key)?;
    check_secret(&live.username)?;
    let of = SessionOf {
        origin_jti: &live.origin_jti,
        auth_time: live.auth_time,
        device_key: live.device_key.as_deref(),
    };
    let minted = mint(ctx, pool_id, client_id, &live.username, &of, extras)?;
    if let Some(session) = ctx
        .inner
        .state
        .pool_mut(pool_id)?
        .sessions
        .get_mut(&live.origin_jti)
    {
        session.tokens_expire_by = session.tokens_expire_by.max(minted.expires_by);
    }
    Ok(AuthenticationResult {
        access_token: minted.access_token,
        expires_in: minted.expires_in,
        token_type: "Bearer",
        refresh_token: None,
        id_token: minted.id_token,
        new_device_metadata: None,
    })
}

/// The message of the `NotAuthorizedException` Cognito answers when a token-authorised user-pool
/// operation gets an access token without [`ADMIN_SCOPE`]. Every such operation's API reference
/// says "Authorize this action with a signed-in user's access token. It must include the scope
/// aws.cognito.signin.user.admin" (e.g. GetUser, GlobalSignOut, DeleteUser in the Cognito API
/// reference); the message is AWS's as observed in aws-amplify/amplify-android#1592 and
/// aws-amplify/amplify-js#1906 ("NotAuthorizedException: Access Token does not have required
/// scopes", HTTP 400) and on re:Post ("An error occurred (NotAuthorizedException) when calling
/// the GetUser operation: Access Token does not have required scopes").
pub const MISSING_SCOPE_MESSAGE: &str = "Access Token does not have required scopes";

/// A live access token: who it is for and what it grants.
#[derive(Debug)]
pub struct LiveAccessToken {
    /// The pool that issued it.
    pub pool_id: String,
    /// The internal username.
    pub username: String,
    /// Its `scope` claim (space-separated).
    pub scope: String,
}

impl LiveAccessToken {
    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        has_scope(&self.scope, scope)
    }
}

/// Whether the space-separated `granted` list holds `scope`.
pub fn has_scope(granted: &str, scope: &str) -> bool {
    granted.split(' ').any(|s| s == scope)
}

/// Authenticates an access token for a token-authorised user-pool operation (GetUser,
/// ChangePassword, GlobalSignOut, …): verified as by [`verify_access_token`], and it must carry
/// [`ADMIN_SCOPE`] (tokens from the user-pool API always do; hosted-UI tokens only when that
/// scope was granted), or the answer is `NotAuthorizedException` with
/// [`MISSING_SCOPE_MESSAGE`]. Returns the pool id and the internal username.
///
/// The scope is checked right after the signature and expiry, before revocation and the user:
/// which of these AWS checks first when several fail is not documented.
pub fn authenticate_access_token(
    ctx: &mut Ctx<'_>,
    token: &SecretString,
) -> Result<(String, String), CognitoError> {
    let live = verify_access_token(ctx, token, |scope| {
        if has_scope(scope, ADMIN_SCOPE) {
            Ok(())
        } else {
            Err(CognitoError::not_authorized(MISSING_SCOPE_MESSAGE))
        }
    })?;
    Ok((live.pool_id, live.username))
}

/// Verifies an access token (signature, issuer, use, expiry), lets `check_scope` judge its
/// `scope` claim, then checks revocation and the user.
pub fn verify_access_token(
    ctx: &mut Ctx<'_>,
    token: &SecretString,
    check_scope: impl FnOnce(&str) -> Result<(), CognitoError>,
) -> Result<LiveAccessToken, CognitoError> {
    let Inner { state, keys, .. } = &mut *ctx.inner;
    let (pool_id, claims) =
        jwt::verify_access_token(token.expose(), ctx.now, ctx.endpoint, |kid| {
            let pool_id = state.pool_id_of_kid(kid)?;
            let record = &state.pools.get(&pool_id)?.signing_key;
            keys.get(&pool_id, record).ok().map(|key| (pool_id, key))
        })?;
    check_scope(&claims.scope)?;
    let pool = state.pool(&pool_id)?;
    let revoked = pool
        .sessions
        .get(&claims.origin_jti)
        .is_none_or(|s| s.is_revoked() || s.username != claims.username);
    if revoked {
        return Err(CognitoError::not_authorized(
            "Access Token has been revoked",
        ));
    }
    let user = pool
        .users
        .get(&claims.username)
        .ok_or_else(CognitoError::user_not_found)?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    Ok(LiveAccessToken {
        pool_id,
        username: claims.username,
        scope: claims.scope,
    })
}

/// GetUser request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserRequest {
    access_token: Option<SecretString>,
}

/// GetUser response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    username: String,
    user_attributes: Vec<AttributeOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preferred_mfa_setting: Option<&'static str>,
    #[serde(rename = "UserMFASettingList", skip_serializing_if = "Option::is_none")]
    user_mfa_setting_list: Option<Vec<&'static str>>,
}

/// GetUser.
pub fn get_user(ctx: &mut Ctx<'_>, req: GetUserRequest) -> Result<GetUserResponse, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let user = ctx
        .inner
        .state
        .pool(&pool_id)?
        .users
        .get(&username)
        .ok_or_else(CognitoError::user_not_found)?;
    let (preferred_mfa_setting, user_mfa_setting_list) = super::mfa::mfa_summary(user);
    Ok(GetUserResponse {
        username: user.username.clone(),
        user_attributes: attributes_of(user),
        preferred_mfa_setting,
        user_mfa_setting_list,
    })
}

/// GetTokensFromRefreshToken request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenRequest {
    refresh_token: Option<SecretString>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    device_key: Option<String>,
}

/// `{"AuthenticationResult": …}`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokensResponse {
    authentication_result: AuthenticationResult,
}

/// GetTokensFromRefreshToken.
pub fn get_tokens_from_refresh_token(
    ctx: &mut Ctx<'_>,
    req: GetTokensFromRefreshTokenRequest,
) -> Result<TokensResponse, CognitoError> {
    let refresh_token = required(req.refresh_token, "RefreshToken")?;
    let client_id = required(req.client_id, "ClientId")?;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let client = ctx.inner.state.pool(&pool_id)?.client(&client_id)?;
    if !client_secret_matches(client, req.client_secret.as_ref()) {
        return Err(CognitoError::secret_hash_mismatch(&client_id));
    }
    let result = refresh(
        ctx,
        &pool_id,
        &client_id,
        &refresh_token,
        req.device_key.as_deref(),
        |_| Ok(()),
    )?;
    Ok(TokensResponse {
        authentication_result: result,
    })
}

/// RevokeToken request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeTokenRequest {
    token: Option<SecretString>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
}

/// RevokeToken: revokes a refresh token and every access/ID token minted from it.
pub fn revoke_token(ctx: &mut Ctx<'_>, req: RevokeTokenRequest) -> Result<Empty, CognitoError> {
    let token = required(req.token, "Token")?;
    let client_id = required(req.client_id, "ClientId")?;
    let now = ctx.now;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    let client = pool.client(&client_id)?;
    if !client_secret_matches(client, req.client_secret.as_ref()) {
        return Err(CognitoError::new(
            ErrorKind::Unauthorized,
            format!("Invalid client secret for client {client_id}"),
        ));
    }
    if !client.enable_token_revocation {
        return Err(CognitoError::new(
            ErrorKind::UnsupportedOperation,
            "Token revocation is not enabled for this client.",
        ));
    }
    if token.expose().split('.').count() == 3 {
        return Err(CognitoError::new(
            ErrorKind::UnsupportedTokenType,
            "Unsupported token type",
        ));
    }
    let digest = refresh_token_digest(token.expose());
    // As in RFC 7009, an unknown token is not an error: there is nothing left to revoke.
    if let Some(session) = pool
        .sessions
        .values_mut()
        .find(|s| s.refresh_token_sha256 == digest)
    {
        if session.client_id != client_id {
            return Err(CognitoError::new(
                ErrorKind::Unauthorized,
                "The token was not issued to this client.",
            ));
        }
        session.revoked_at.get_or_insert(now);
        tracing::info!(user_pool_id = %pool_id, username = %session.username, "refresh token revoked");
    }
    Ok(Empty {})
}
