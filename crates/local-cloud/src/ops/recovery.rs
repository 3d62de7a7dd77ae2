//! Passwords: ForgotPassword, ConfirmForgotPassword (public, SECRET_HASH-checked) and
//! ChangePassword (AccessToken).
//!
//! A forgot-password code goes to the user's verified e-mail, else verified phone (Cognito's
//! default account-recovery order); a user with neither cannot reset. The code follows the
//! sign-up code's rules ([`crate::codes`]) but lives one hour. A new password is checked against
//! the pool's policy and becomes a fresh SRP verifier; existing sessions stay valid, as on AWS.

use serde::{Deserialize, Serialize};

use super::sign_up::{make_verifier, PHONE_NUMBER};
use super::tokens::authenticate_access_token;
use super::wire::{CodeDeliveryDetails, Empty};
use super::{check_secret_hash, looks_like_email, required, Ctx};
use crate::codes::{CodePurpose, PendingCode};
use crate::error::{CognitoError, ErrorKind};
use crate::model::pool::EMAIL;
use crate::model::user::StoredPassword;
use crate::model::UserStatus;
use crate::outbox::{Channel, Delivery, Purpose};
use crate::secrets::SecretString;

/// ForgotPassword request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordRequest {
    client_id: Option<String>,
    secret_hash: Option<SecretString>,
    username: Option<String>,
}

/// ForgotPassword response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordResponse {
    code_delivery_details: CodeDeliveryDetails,
}

fn not_found() -> CognitoError {
    CognitoError::new(
        ErrorKind::UserNotFound,
        "Username/client id combination not found.",
    )
}

/// ForgotPassword: mails (or texts) a reset code.
pub fn forgot_password(
    ctx: &mut Ctx<'_>,
    req: ForgotPasswordRequest,
) -> Result<ForgotPasswordResponse, CognitoError> {
    let client_id = required(req.client_id, "ClientId")?;
    let typed = required(req.username, "Username")?;
    let now = ctx.now;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    let client = pool.client(&client_id)?;
    check_secret_hash(client, &typed, req.secret_hash.as_ref())?;
    let hide = client.prevent_user_existence_errors;
    let Some(user) = pool.find_user_mut(&typed) else {
        if hide && looks_like_email(&typed) {
            return Ok(ForgotPasswordResponse {
                code_delivery_details: CodeDeliveryDetails::email(&typed),
            });
        }
        return Err(not_found());
    };
    if user.status == UserStatus::ForceChangePassword {
        return Err(CognitoError::not_authorized(
            "User password cannot be reset in the current state.",
        ));
    }
    let (channel, destination) = if user.is_verified(EMAIL) {
        (Channel::Email, user.attribute(EMAIL))
    } else if user.is_verified(PHONE_NUMBER) {
        (Channel::Sms, user.attribute(PHONE_NUMBER))
    } else {
        (Channel::Email, None)
    };
    let destination = destination.map(str::to_owned).ok_or_else(|| {
        CognitoError::invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        )
    })?;
    let (record, code) = PendingCode::issue(CodePurpose::ForgotPassword, now);
    user.forgot_password_code = Some(record);
    let username = user.username.clone();
    ctx.inner.outbox.send(
        Delivery {
            user_pool_id: &pool_id,
            username: &username,
            channel,
            destination: &destination,
            purpose: Purpose::ForgotPassword,
            code: &code,
        },
        now,
    )?;
    tracing::info!(user_pool_id = %pool_id, username = %username, "password reset code sent");
    Ok(ForgotPasswordResponse {
        code_delivery_details: match channel {
            Channel::Email => CodeDeliveryDetails::email(&destination),
            Channel::Sms => CodeDeliveryDetails::sms(&destination),
        },
    })
}

/// ConfirmForgotPassword request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPasswordRequest {
    client_id: Option<String>,
    secret_hash: Option<SecretString>,
    username: Option<String>,
    confirmation_code: Option<SecretString>,
    password: Option<SecretString>,
}

/// ConfirmForgotPassword: the code and a new password.
pub fn confirm_forgot_password(
    ctx: &mut Ctx<'_>,
    req: ConfirmForgotPasswordRequest,
) -> Result<Empty, CognitoError> {
    let client_id = required(req.client_id, "ClientId")?;
    let typed = required(req.username, "Username")?;
    let code = required(req.confirmation_code, "ConfirmationCode")?;
    let password = required(req.password, "Password")?;
    let now = ctx.now;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    let client = pool.client(&client_id)?;
    check_secret_hash(client, &typed, req.secret_hash.as_ref())?;
    let hide = client.prevent_user_existence_errors;
    pool.password_policy.check("password", password.expose())?;
    let username = pool.resolve_username(&typed).ok_or_else(|| {
        if hide {
            CognitoError::new(
                ErrorKind::CodeMismatch,
                "Invalid verification code provided, please try again.",
            )
        } else {
            not_found()
        }
    })?;
    let verifier = make_verifier(&pool_id, &username, &password)?;
    let user = pool.user_mut(&username)?;
    let pending = user.forgot_password_code.as_mut().ok_or_else(|| {
        CognitoError::new(
            ErrorKind::ExpiredCode,
            "Invalid code provided, please request a code again.",
        )
    })?;
    pending.redeem(code.expose(), now)?;
    user.password = Some(StoredPassword::new(&verifier, now));
    user.status = UserStatus::Confirmed;
    user.last_modified = now;
    tracing::info!(user_pool_id = %pool_id, username = %username, "password reset");
    Ok(Empty {})
}

/// ChangePassword request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePasswordRequest {
    previous_password: Option<SecretString>,
    proposed_password: Option<SecretString>,
    access_token: Option<SecretString>,
}

/// ChangePassword: the previous password is checked against the stored verifier.
pub fn change_password(
    ctx: &mut Ctx<'_>,
    req: ChangePasswordRequest,
) -> Result<Empty, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let proposed = required(req.proposed_password, "ProposedPassword")?;
    let previous = required(req.previous_password, "PreviousPassword")?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let now = ctx.now;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    pool.password_policy
        .check("proposedPassword", proposed.expose())?;
    let pool_name = cognito_srp::pool_name(&pool_id).map_err(|_| CognitoError::internal())?;
    let user = pool.user_mut(&username)?;
    let current = user
        .password
        .as_ref()
        .ok_or_else(CognitoError::incorrect_credentials)?
        .verifier()?;
    let identity = cognito_srp::Identity::User {
        pool_name,
        user_id_for_srp: &username,
    };
    if !current.matches_password(identity, previous.expose()) {
        return Err(CognitoError::incorrect_credentials());
    }
    let verifier = make_verifier(&pool_id, &username, &proposed)?;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    user.password = Some(StoredPassword::new(&verifier, now));
    user.last_modified = now;
    tracing::info!(user_pool_id = %pool_id, username = %username, "password changed");
    Ok(Empty {})
}
