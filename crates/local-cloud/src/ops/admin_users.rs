//! AdminCreateUser (invitation by e-mail and/or SMS, to the outbox), AdminSetUserPassword, AdminConfirmSignUp, AdminGetUser, AdminDeleteUser
//! (SigV4-signed operations).

use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::sign_up::{make_verifier, new_user, parse_attributes, Writer, PHONE_NUMBER};
use super::wire::{attributes_of, AttributeIn, AttributeOut, Empty, UserType};
use super::{epoch_seconds, required, Ctx};
use crate::error::{CognitoError, ErrorKind};
use crate::model::pool::EMAIL;
use crate::model::user::StoredPassword;
use crate::model::{PasswordPolicy, UserStatus};
use crate::outbox::{Channel, Delivery, Purpose};
use crate::secrets::SecretString;

/// AdminCreateUser request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserRequest {
    user_pool_id: Option<String>,
    username: Option<String>,
    user_attributes: Option<Vec<AttributeIn>>,
    temporary_password: Option<SecretString>,
    message_action: Option<String>,
    desired_delivery_mediums: Option<Vec<String>>,
}

/// `{"User": …}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserResponse {
    user: UserType,
}

/// A temporary password that satisfies `policy` (at least 12 characters, every class).
fn temporary_password(policy: &PasswordPolicy) -> SecretString {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"^$*.[]{}()?!@#%&";
    let mut rng = OsRng;
    let pick = |set: &[u8], rng: &mut OsRng| char::from(set[rng.gen_range(0..set.len())]);
    let mut chars: Vec<char> = [LOWER, UPPER, DIGITS, SYMBOLS]
        .iter()
        .map(|s| pick(s, &mut rng))
        .collect();
    let all: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS].concat();
    let len = usize::try_from(policy.minimum_length).unwrap_or(12).max(12);
    while chars.len() < len {
        chars.push(pick(&all, &mut rng));
    }
    chars.shuffle(&mut rng);
    SecretString::new(chars.into_iter().collect())
}

/// AdminCreateUser: creates a user in FORCE_CHANGE_PASSWORD with a temporary password, mailed
/// (to the outbox) unless `MessageAction: SUPPRESS`.
pub fn admin_create_user(
    ctx: &mut Ctx<'_>,
    req: AdminCreateUserRequest,
) -> Result<AdminCreateUserResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let typed = required(req.username, "Username")?;
    let now = ctx.now;
    let suppress = match req.message_action.as_deref() {
        None => false,
        Some("SUPPRESS") => true,
        Some("RESEND") => {
            return Err(CognitoError::invalid_parameter(
                "MessageAction RESEND is not supported by the local cloud.",
            ))
        }
        Some(_) => {
            return Err(CognitoError::constraint(
                "messageAction",
                "Member must satisfy enum value set: [RESEND, SUPPRESS]",
            ))
        }
    };
    let mediums = req
        .desired_delivery_mediums
        .unwrap_or_else(|| vec!["EMAIL".to_owned()]);
    if mediums.iter().any(|m| m != "EMAIL" && m != "SMS") {
        return Err(CognitoError::constraint(
            "desiredDeliveryMediums",
            "Member must satisfy constraint: [Member must satisfy enum value set: [EMAIL, SMS]]",
        ));
    }
    let pool = ctx.inner.state.pool(&pool_id)?;
    let attributes = parse_attributes(req.user_attributes, Writer::Admin)?;
    let password = match req.temporary_password {
        Some(p) => {
            pool.password_policy
                .check("temporaryPassword", p.expose())?;
            p
        }
        None => temporary_password(&pool.password_policy),
    };
    let user = new_user(
        pool,
        &typed,
        attributes,
        &password,
        UserStatus::ForceChangePassword,
        now,
    )
    .map_err(|err| match err.kind {
        ErrorKind::UsernameExists => {
            CognitoError::new(ErrorKind::UsernameExists, "User account already exists")
        }
        _ => err,
    })?;
    if !suppress {
        let deliveries: Vec<(Channel, String)> = [
            ("EMAIL", Channel::Email, EMAIL),
            ("SMS", Channel::Sms, PHONE_NUMBER),
        ]
        .into_iter()
        .filter(|(medium, _, _)| mediums.iter().any(|m| m == medium))
        .filter_map(|(_, channel, attribute)| {
            user.attribute(attribute).map(|to| (channel, to.to_owned()))
        })
        .collect();
        if deliveries.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "User has no attribute matching desired delivery mediums",
            ));
        }
        for (channel, destination) in deliveries {
            ctx.inner.outbox.send(
                Delivery {
                    user_pool_id: &pool_id,
                    username: &user.username,
                    channel,
                    destination: &destination,
                    purpose: Purpose::TemporaryPassword,
                    code: &password,
                },
                now,
            )?;
        }
    }
    let response = AdminCreateUserResponse {
        user: UserType::of(&user),
    };
    tracing::info!(user_pool_id = %pool_id, username = %user.username, "user created by an administrator");
    ctx.inner
        .state
        .pool_mut(&pool_id)?
        .users
        .insert(user.username.clone(), user);
    Ok(response)
}

/// AdminSetUserPassword request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserPasswordRequest {
    user_pool_id: Option<String>,
    username: Option<String>,
    password: Option<SecretString>,
    permanent: Option<bool>,
}

/// AdminSetUserPassword: permanent (CONFIRMED) or temporary (FORCE_CHANGE_PASSWORD).
pub fn admin_set_user_password(
    ctx: &mut Ctx<'_>,
    req: AdminSetUserPasswordRequest,
) -> Result<Empty, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let typed = required(req.username, "Username")?;
    let password = required(req.password, "Password")?;
    let now = ctx.now;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    pool.password_policy.check("password", password.expose())?;
    let username = pool
        .resolve_username(&typed)
        .ok_or_else(CognitoError::user_not_found)?;
    let verifier = make_verifier(&pool_id, &username, &password)?;
    let user = pool.user_mut(&username)?;
    user.password = Some(StoredPassword::new(&verifier, now));
    user.status = if req.permanent.unwrap_or(false) {
        UserStatus::Confirmed
    } else {
        UserStatus::ForceChangePassword
    };
    user.last_modified = now;
    tracing::info!(user_pool_id = %pool_id, username = %username, "password set by an administrator");
    Ok(Empty {})
}

/// AdminConfirmSignUp / AdminGetUser / AdminDeleteUser / AdminUserGlobalSignOut request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminUserRequest {
    user_pool_id: Option<String>,
    username: Option<String>,
}

impl AdminUserRequest {
    /// The pool id and the typed username, both required.
    pub fn into_parts(self) -> Result<(String, String), CognitoError> {
        Ok((
            required(self.user_pool_id, "UserPoolId")?,
            required(self.username, "Username")?,
        ))
    }
}

/// AdminConfirmSignUp.
pub fn admin_confirm_sign_up(
    ctx: &mut Ctx<'_>,
    req: AdminUserRequest,
) -> Result<Empty, CognitoError> {
    let (pool_id, typed) = req.into_parts()?;
    let now = ctx.now;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&typed)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status.as_str()
        )));
    }
    user.status = UserStatus::Confirmed;
    user.pending_code = None;
    user.last_modified = now;
    Ok(Empty {})
}

/// AdminGetUser response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminGetUserResponse {
    username: String,
    user_attributes: Vec<AttributeOut>,
    user_create_date: f64,
    user_last_modified_date: f64,
    enabled: bool,
    user_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    preferred_mfa_setting: Option<&'static str>,
    #[serde(rename = "UserMFASettingList", skip_serializing_if = "Option::is_none")]
    user_mfa_setting_list: Option<Vec<&'static str>>,
}

/// AdminGetUser.
pub fn admin_get_user(
    ctx: &mut Ctx<'_>,
    req: AdminUserRequest,
) -> Result<AdminGetUserResponse, CognitoError> {
    let (pool_id, typed) = req.into_parts()?;
    let user = ctx
        .inner
        .state
        .pool(&pool_id)?
        .find_user(&typed)
        .ok_or_else(CognitoError::user_not_found)?;
    let (preferred_mfa_setting, user_mfa_setting_list) = super::mfa::mfa_summary(user);
    Ok(AdminGetUserResponse {
        preferred_mfa_setting,
        user_mfa_setting_list,
        username: user.username.clone(),
        user_attributes: attributes_of(user),
        user_create_date: epoch_seconds(user.created),
        user_last_modified_date: epoch_seconds(user.last_modified),
        enabled: user.enabled,
        user_status: user.status.as_str(),
    })
}

/// AdminDeleteUser: removes the user and every session (so their tokens stop working).
pub fn admin_delete_user(ctx: &mut Ctx<'_>, req: AdminUserRequest) -> Result<Empty, CognitoError> {
    let (pool_id, typed) = req.into_parts()?;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    let username = pool
        .resolve_username(&typed)
        .ok_or_else(CognitoError::user_not_found)?;
    pool.users.remove(&username);
    pool.sessions.retain(|_, s| s.username != username);
    tracing::info!(user_pool_id = %pool_id, username = %username, "user deleted");
    Ok(Empty {})
}
