//! What happens once a user has proven their password: the status checks Cognito makes after
//! authentication, then the next challenge or the tokens.
//!
//! Order matters for privacy: Cognito reveals `UserNotConfirmedException` and the
//! `NEW_PASSWORD_REQUIRED` challenge only to a caller who knew the password, so these checks run
//! here and not before the password is verified.
//!
//! After the password (and a new password, if one was required) the sign-in goes on:
//!
//! 1. **Remembered device, standing in for MFA.** If the pool sets
//!    `ChallengeRequiredOnNewDevice` and the client sent a `DEVICE_KEY` of a confirmed,
//!    remembered device of this user, the answer is `DEVICE_SRP_AUTH`; proving the device
//!    skips MFA ([`super::devices`]).
//! 2. **MFA** ([`mfa_requirement`]): none when the pool's `MfaConfiguration` is OFF. Otherwise
//!    the factors the user turned on that the pool offers; with none, OPTIONAL signs in and ON
//!    asks `MFA_SETUP` (software token) — or, for a user with no settings but a verified phone
//!    (SMS offered) or e-mail (e-mail MFA offered), sends that code, as Cognito does for ON
//!    pools. One factor, or a preferred one, is challenged directly; several without a
//!    preference give `SELECT_MFA_TYPE`.
//! 3. **Remembered device, after MFA.** Without `ChallengeRequiredOnNewDevice`, a remembered
//!    device still proves itself (DEVICE_SRP_AUTH) once MFA is passed — the order
//!    amazon-cognito-identity-js expects, since it treats DEVICE_PASSWORD_VERIFIER's answer as
//!    final.
//! 4. **Tokens**, with `NewDeviceMetadata` when the pool tracks devices and the sign-in did not
//!    come from a device this user already confirmed.

use std::collections::BTreeMap;
use std::time::Duration;

use super::tokens::start_device_session;
use super::wire::{AuthResponse, NewDeviceMetadata};
use super::Ctx;
use crate::challenges::{expiry, PendingSession, SessionChallenge};
use crate::codes::{CodePurpose, PendingCode};
use crate::error::{CognitoError, ErrorKind};
use crate::ids;
use crate::model::device::Device;
use crate::model::mfa::{MfaFactor, MfaMode};
use crate::model::pool::EMAIL;
use crate::model::{User, UserPool, UserStatus};
use crate::ops::sign_up::PHONE_NUMBER;
use crate::outbox::{mask_email, mask_phone, Channel, Delivery, Purpose};

/// Finishes a sign-in whose password (or SRP proof) was right.
pub fn complete_sign_in(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    username: &str,
    device_key: Option<&str>,
) -> Result<AuthResponse, CognitoError> {
    let now = ctx.now;
    let pool = ctx.inner.state.pool(pool_id)?;
    let validity_days = pool.password_policy.temporary_password_validity_days;
    let user = pool
        .users
        .get(username)
        .ok_or_else(CognitoError::incorrect_credentials)?;
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    // A DEVICE_KEY this user does not own (forgotten, or never confirmed here) is refused as
    // AWS refuses it; clients then forget their local device secrets and sign in again.
    if device_key.is_some_and(|key| !user.devices.contains_key(key)) {
        return Err(super::devices::no_such_device());
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
            let required: Vec<String> = pool
                .missing_required_attributes(user)
                .into_iter()
                .map(|name| format!("userAttributes.{name}"))
                .collect();
            let required =
                serde_json::to_string(&required).map_err(|_| CognitoError::internal())?;
            challenge(
                ctx,
                Step {
                    pool_id,
                    client_id,
                    username,
                    device_key,
                },
                SessionChallenge::NewPasswordRequired,
                BTreeMap::from([
                    ("requiredAttributes", required),
                    ("userAttributes", user_attributes),
                ]),
            )
        }
        UserStatus::Confirmed => after_password(ctx, pool_id, client_id, username, device_key),
    }
}

/// Where a sign-in stands: who, through which client, from which device.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The pool.
    pub pool_id: &'a str,
    /// The app client.
    pub client_id: &'a str,
    /// The internal username.
    pub username: &'a str,
    /// The DEVICE_KEY the client announced.
    pub device_key: Option<&'a str>,
}

/// Opens `asked` as a session challenge and answers it with `params` (plus USER_ID_FOR_SRP).
pub fn challenge(
    ctx: &mut Ctx<'_>,
    step: Step<'_>,
    asked: SessionChallenge,
    mut params: BTreeMap<&'static str, String>,
) -> Result<AuthResponse, CognitoError> {
    let now = ctx.now;
    let minutes = ctx
        .inner
        .state
        .pool(step.pool_id)?
        .client(step.client_id)?
        .auth_session_validity_minutes;
    let name = asked.wire_name();
    if !matches!(asked, SessionChallenge::DeviceSrpAuth { .. }) {
        params.insert("USER_ID_FOR_SRP", step.username.to_owned());
    }
    let session = ctx.inner.challenges.open_session(
        PendingSession {
            pool_id: step.pool_id.to_owned(),
            client_id: step.client_id.to_owned(),
            username: step.username.to_owned(),
            challenge: asked,
            expires_at: expiry(now, minutes),
            device_key: step.device_key.map(str::to_owned),
            failed_attempts: 0,
        },
        now,
    )?;
    Ok(AuthResponse {
        challenge_name: Some(name),
        challenge_parameters: Some(params),
        session: Some(session),
        authentication_result: None,
    })
}

/// The remembered device `device_key` of `user`, if it is confirmed and remembered.
fn remembered_device<'u>(user: &'u User, device_key: Option<&str>) -> Option<&'u Device> {
    let device = user.devices.get(device_key?)?;
    (device.is_confirmed() && device.remembered).then_some(device)
}

/// After the password. A remembered device that may stand in for MFA
/// (`ChallengeRequiredOnNewDevice`) is asked to prove itself now; otherwise MFA comes first.
pub fn after_password(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    username: &str,
    device_key: Option<&str>,
) -> Result<AuthResponse, CognitoError> {
    let step = Step {
        pool_id,
        client_id,
        username,
        device_key,
    };
    let pool = ctx.inner.state.pool(pool_id)?;
    let replaces_mfa = pool
        .device_configuration
        .is_some_and(|c| c.challenge_required_on_new_device);
    if replaces_mfa {
        if let Some(response) = device_challenge(ctx, step)? {
            return Ok(response);
        }
    }
    mfa_step(ctx, step)
}

/// After MFA (or when none applies): a remembered device still proves itself, then tokens.
pub fn after_mfa(ctx: &mut Ctx<'_>, step: Step<'_>) -> Result<AuthResponse, CognitoError> {
    match device_challenge(ctx, step)? {
        Some(response) => Ok(response),
        None => finish(ctx, step, false),
    }
}

/// DEVICE_SRP_AUTH, if the pool tracks devices and the client announced a remembered device of
/// this user.
fn device_challenge(
    ctx: &mut Ctx<'_>,
    step: Step<'_>,
) -> Result<Option<AuthResponse>, CognitoError> {
    let pool = ctx.inner.state.pool(step.pool_id)?;
    if pool.device_configuration.is_none() {
        return Ok(None);
    }
    let user = pool
        .users
        .get(step.username)
        .ok_or_else(CognitoError::internal)?;
    let Some(device) = remembered_device(user, step.device_key) else {
        return Ok(None);
    };
    let device_key = device.key.clone();
    challenge(
        ctx,
        step,
        SessionChallenge::DeviceSrpAuth { device_key },
        BTreeMap::new(),
    )
    .map(Some)
}

/// What MFA a sign-in of `user` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaRequirement {
    /// None: issue tokens.
    None,
    /// Challenge this factor.
    One(MfaFactor),
    /// SELECT_MFA_TYPE among these.
    Choose(Vec<MfaFactor>),
    /// MFA_SETUP (the pool requires MFA, the user has nothing usable).
    Setup,
}

/// Decides the MFA step of a sign-in (see the module docs).
pub fn mfa_requirement(pool: &UserPool, user: &User) -> MfaRequirement {
    if pool.mfa.mode == MfaMode::Off {
        return MfaRequirement::None;
    }
    let usable = |factor: MfaFactor| match factor {
        MfaFactor::Sms => user.is_verified(PHONE_NUMBER),
        MfaFactor::Email => user.is_verified(EMAIL),
        MfaFactor::SoftwareToken => user.mfa.software_token.is_some(),
    };
    let enabled: Vec<MfaFactor> = user
        .mfa
        .enabled
        .iter()
        .copied()
        .filter(|f| pool.mfa.offers(*f) && usable(*f))
        .collect();
    if let Some(preferred) = user.mfa.preferred.filter(|p| enabled.contains(p)) {
        return MfaRequirement::One(preferred);
    }
    match enabled.as_slice() {
        [] => {}
        [one] => return MfaRequirement::One(*one),
        several => return MfaRequirement::Choose(several.to_vec()),
    }
    if pool.mfa.mode == MfaMode::Optional {
        return MfaRequirement::None;
    }
    // ON, nothing turned on: a contact Cognito can already reach, else setting up TOTP.
    if user.mfa.enabled.is_empty() {
        for factor in [MfaFactor::Sms, MfaFactor::Email] {
            if pool.mfa.offers(factor) && usable(factor) {
                return MfaRequirement::One(factor);
            }
        }
    }
    MfaRequirement::Setup
}

/// The MFA step: a challenge, or the tokens.
pub fn mfa_step(ctx: &mut Ctx<'_>, step: Step<'_>) -> Result<AuthResponse, CognitoError> {
    let pool = ctx.inner.state.pool(step.pool_id)?;
    let user = pool
        .users
        .get(step.username)
        .ok_or_else(CognitoError::internal)?;
    match mfa_requirement(pool, user) {
        MfaRequirement::None => after_mfa(ctx, step),
        MfaRequirement::One(factor) => mfa_challenge(ctx, step, factor),
        MfaRequirement::Choose(choices) => {
            let names: Vec<&str> = choices.iter().map(|f| f.challenge_name()).collect();
            let list = serde_json::to_string(&names).map_err(|_| CognitoError::internal())?;
            challenge(
                ctx,
                step,
                SessionChallenge::SelectMfaType { choices },
                BTreeMap::from([("MFAS_CAN_CHOOSE", list)]),
            )
        }
        MfaRequirement::Setup => {
            // Every factor the pool offers, in Cognito's order, as AWS lists them (e.g.
            // `["SMS_MFA","SOFTWARE_TOKEN_MFA"]` for a user with no phone number). TOTP is set
            // up with AssociateSoftwareToken / VerifySoftwareToken and e-mail by answering
            // MFA_SETUP with `EMAIL` (see `super::mfa_answers::mfa_setup`); SMS cannot be set
            // up inside the sign-in: "collect a phone_number [...] Then restart the
            // authentication flow" (RespondToAuthChallenge reference).
            let offered: Vec<&str> = MfaFactor::ALL
                .into_iter()
                .filter(|factor| pool.mfa.offers(*factor))
                .map(MfaFactor::challenge_name)
                .collect();
            let list = serde_json::to_string(&offered).map_err(|_| CognitoError::internal())?;
            challenge(
                ctx,
                step,
                SessionChallenge::MfaSetup { verified: false },
                BTreeMap::from([("MFAS_CAN_SETUP", list)]),
            )
        }
    }
}

/// Challenges `factor`: sends the SMS / e-mail code (to the outbox) or asks for the TOTP code.
pub fn mfa_challenge(
    ctx: &mut Ctx<'_>,
    step: Step<'_>,
    factor: MfaFactor,
) -> Result<AuthResponse, CognitoError> {
    let (code, params) = match factor {
        MfaFactor::SoftwareToken => (None, BTreeMap::new()),
        MfaFactor::Sms | MfaFactor::Email => {
            let (record, params) = send_mfa_code(ctx, step.pool_id, step.username, factor)?;
            (Some(record), params)
        }
    };
    challenge(ctx, step, SessionChallenge::Mfa { factor, code }, params)
}

/// Sends an MFA code by SMS or e-mail; returns the record to check it against and the
/// CODE_DELIVERY_* challenge parameters.
pub fn send_mfa_code(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    username: &str,
    factor: MfaFactor,
) -> Result<(PendingCode, BTreeMap<&'static str, String>), CognitoError> {
    let user = ctx
        .inner
        .state
        .pool(pool_id)?
        .users
        .get(username)
        .ok_or_else(CognitoError::internal)?;
    let attribute = match factor {
        MfaFactor::Sms => PHONE_NUMBER,
        _ => EMAIL,
    };
    let destination = user
        .attribute(attribute)
        .ok_or_else(CognitoError::internal)?
        .to_owned();
    send_mfa_code_to(ctx, pool_id, username, factor, &destination)
}

/// Sends an MFA code by SMS or e-mail to `destination` (the user's verified contact, or the
/// address given while setting up e-mail MFA); returns the record to check it against and the
/// CODE_DELIVERY_* challenge parameters.
pub fn send_mfa_code_to(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    username: &str,
    factor: MfaFactor,
    destination: &str,
) -> Result<(PendingCode, BTreeMap<&'static str, String>), CognitoError> {
    let now = ctx.now;
    let (channel, medium) = match factor {
        MfaFactor::Sms => (Channel::Sms, "SMS"),
        _ => (Channel::Email, "EMAIL"),
    };
    let (record, code) = PendingCode::issue(CodePurpose::Mfa, now);
    ctx.inner.outbox.send(
        Delivery {
            user_pool_id: pool_id,
            username,
            channel,
            destination,
            purpose: Purpose::Mfa,
            code: &code,
        },
        now,
    )?;
    let masked = match channel {
        Channel::Sms => mask_phone(destination),
        Channel::Email => mask_email(destination),
    };
    Ok((
        record,
        BTreeMap::from([
            ("CODE_DELIVERY_DELIVERY_MEDIUM", medium.to_owned()),
            ("CODE_DELIVERY_DESTINATION", masked),
        ]),
    ))
}

/// Issues the tokens. `device_proven` when the sign-in came through DEVICE_PASSWORD_VERIFIER.
pub fn finish(
    ctx: &mut Ctx<'_>,
    step: Step<'_>,
    device_proven: bool,
) -> Result<AuthResponse, CognitoError> {
    let now = ctx.now;
    let region = ctx.region.to_owned();
    let pool = ctx.inner.state.pool_mut(step.pool_id)?;
    let tracking = pool.device_configuration.is_some();
    let user = pool.user_mut(step.username)?;
    let known_device = step
        .device_key
        .and_then(|key| user.devices.get_mut(key))
        .filter(|device| device.is_confirmed());
    // The device the tokens are issued to: in a pool that tracks devices, the refresh token
    // will work only with its DEVICE_KEY (see `super::tokens`).
    let (bound_device, new_device_metadata) = match known_device {
        Some(device) => {
            if device_proven {
                device.last_authenticated = Some(now);
            }
            (tracking.then(|| device.key.clone()), None)
        }
        None if tracking => {
            let group_key = user
                .device_group_key
                .get_or_insert_with(ids::device_group_key)
                .clone();
            let key = format!("{region}_{}", uuid::Uuid::new_v4());
            user.devices.insert(
                key.clone(),
                Device {
                    key: key.clone(),
                    group_key: group_key.clone(),
                    name: None,
                    verifier: None,
                    remembered: false,
                    created: now,
                    last_modified: now,
                    last_authenticated: None,
                },
            );
            (
                Some(key.clone()),
                Some(NewDeviceMetadata {
                    device_key: key,
                    device_group_key: group_key,
                }),
            )
        }
        None => (None, None),
    };
    let mut result = start_device_session(
        ctx,
        step.pool_id,
        step.client_id,
        step.username,
        bound_device.as_deref(),
    )?;
    result.new_device_metadata = new_device_metadata;
    Ok(AuthResponse {
        challenge_parameters: Some(BTreeMap::new()),
        authentication_result: Some(result),
        ..AuthResponse::default()
    })
}
