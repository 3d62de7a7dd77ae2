//! GlobalSignOut and AdminUserGlobalSignOut: revoke every session of a user, so all their
//! refresh tokens and all access/ID tokens minted from them stop working at once.

use serde::Deserialize;

use super::admin_users::AdminUserRequest;
use super::tokens::authenticate_access_token;
use super::wire::Empty;
use super::{required, Ctx};
use crate::error::CognitoError;
use crate::secrets::SecretString;

fn revoke_all(ctx: &mut Ctx<'_>, pool_id: &str, username: &str) -> Result<(), CognitoError> {
    let now = ctx.now;
    let pool = ctx.inner.state.pool_mut(pool_id)?;
    for session in pool
        .sessions
        .values_mut()
        .filter(|s| s.username == username)
    {
        session.revoked_at.get_or_insert(now);
    }
    tracing::info!(user_pool_id = %pool_id, username = %username, "signed out everywhere");
    Ok(())
}

/// GlobalSignOut request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSignOutRequest {
    access_token: Option<SecretString>,
}

/// GlobalSignOut (authorised by the user's own access token).
pub fn global_sign_out(
    ctx: &mut Ctx<'_>,
    req: GlobalSignOutRequest,
) -> Result<Empty, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    revoke_all(ctx, &pool_id, &username)?;
    Ok(Empty {})
}

/// AdminUserGlobalSignOut.
pub fn admin_user_global_sign_out(
    ctx: &mut Ctx<'_>,
    req: AdminUserRequest,
) -> Result<Empty, CognitoError> {
    let (pool_id, typed) = req.into_parts()?;
    let username = ctx
        .inner
        .state
        .pool(&pool_id)?
        .resolve_username(&typed)
        .ok_or_else(CognitoError::user_not_found)?;
    revoke_all(ctx, &pool_id, &username)?;
    Ok(Empty {})
}
