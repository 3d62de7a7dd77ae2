//! What happens once a user has proven their password: the status checks Cognito makes after
//! authentication, then either tokens or the next challenge.
//!
//! Order matters for privacy: Cognito reveals `UserNotConfirmedException` and the
//! `NEW_PASSWORD_REQUIRED` challenge only to a caller who knew the password, so these checks run
//! here and not before the password is verified.

use std::collections::BTreeMap;
use std::time::Duration;

use super::tokens::start_session;
use super::wire::AuthResponse;
use super::Ctx;
use crate::challenges::{expiry, PendingSession, SessionChallenge};
use crate::error::{CognitoError, ErrorKind};
use crate::model::UserStatus;

/// Finishes a sign-in whose password (or SRP proof) was right.
pub fn complete_sign_in(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> Result<AuthResponse, CognitoError> {
    let now = ctx.now;
    let pool = ctx.inner.state.pool(pool_id)?;
    let session_minutes = pool.client(client_id)?.auth_session_validity_minutes;
    let validity_days = pool.password_policy.temporary_password_validity_days;
    let user = pool
        .users
        .get(username)
        .ok_or_else(CognitoError::incorrect_credentials)?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    match user.status {
        UserStatus::Unconfirmed => Err(CognitoError::new(
            ErrorKind::UserNotConfirmed,
            "User is not confirmed.",
        )),
        UserStatus::ResetRequired => Err(CognitoError::new(
            ErrorKind::PasswordResetRequired,
            "Password reset required for the user",
        )),
        // Federated users have no password; they sign in through their provider only.
        UserStatus::ExternalProvider => Err(CognitoError::incorrect_credentials()),
        UserStatus::ForceChangePassword => {
            let set_at = user.password.as_ref().map_or(now, |p| p.set_at);
            if now >= set_at + Duration::from_secs(u64::from(validity_days) * 86_400) {
                return Err(CognitoError::not_authorized(
                    "Temporary password has expired and must be reset by an administrator.",
                ));
            }
            let user_attributes = user
                .attribute_list()
                .into_iter()
                .filter(|(name, _)| *name != "sub" && !name.ends_with("_verified"))
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect::<BTreeMap<_, _>>();
            let user_attributes =
                serde_json::to_string(&user_attributes).map_err(|_| CognitoError::internal())?;
            let session = ctx.inner.challenges.open_session(
                PendingSession {
                    pool_id: pool_id.to_owned(),
                    client_id: client_id.to_owned(),
                    username: username.to_owned(),
                    challenge: SessionChallenge::NewPasswordRequired,
                    expires_at: expiry(now, session_minutes),
                },
                now,
            )?;
            Ok(AuthResponse {
                challenge_name: Some(SessionChallenge::NewPasswordRequired.wire_name()),
                challenge_parameters: Some(BTreeMap::from([
                    ("USER_ID_FOR_SRP", username.to_owned()),
                    ("requiredAttributes", "[]".to_owned()),
                    ("userAttributes", user_attributes),
                ])),
                session: Some(session),
                authentication_result: None,
            })
        }
        UserStatus::Confirmed => {
            let result = start_session(ctx, pool_id, client_id, username)?;
            Ok(AuthResponse {
                challenge_parameters: Some(BTreeMap::new()),
                authentication_result: Some(result),
                ..AuthResponse::default()
            })
        }
    }
}
