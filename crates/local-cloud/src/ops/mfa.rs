//! MFA settings: SetUserPoolMfaConfig, GetUserPoolMfaConfig (pool); AssociateSoftwareToken,
//! VerifySoftwareToken, SetUserMFAPreference, AdminSetUserMFAPreference (user).
//!
//! AssociateSoftwareToken and VerifySoftwareToken take either an `AccessToken` (a signed-in
//! user adding an authenticator) or the `Session` of an MFA_SETUP challenge (a user who must
//! set one up before the sign-in can finish); each call with a Session uses it up and returns
//! the next one. Through an AccessToken, a verified authenticator still has to be turned on
//! with SetUserMFAPreference; through MFA_SETUP, verifying it turns it on.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::mfa_answers::count_wrong_code;
use super::tokens::authenticate_access_token;
use super::wire::Empty;
use super::{required, Ctx};
use crate::challenges::{expiry, PendingSession, SessionChallenge, SessionRefusal};
use crate::error::{CognitoError, ErrorKind};
use crate::model::mfa::{
    EmailMfaSettings, MfaFactor, MfaMode, PoolMfa, SmsMfaSettings, SoftwareToken, UserMfa,
};
use crate::model::pool::EMAIL;
use crate::model::User;
use crate::ops::pools::SmsConfigurationWire;
use crate::ops::sign_up::PHONE_NUMBER;
use crate::secrets::{PersistedSecret, SecretString};
use crate::totp::{self, TotpSecret};

/// Checks a TOTP `code` against `secret`, refusing a step at or before `last_used_step`; on
/// success records the step.
pub fn redeem_totp(
    secret: &PersistedSecret,
    last_used_step: &mut Option<u64>,
    code: &str,
    now: OffsetDateTime,
) -> bool {
    let secret = TotpSecret::from_base32(secret.expose().to_owned());
    match totp::check(&secret, code, now) {
        Some(step) if last_used_step.is_none_or(|last| step > last) => {
            *last_used_step = Some(step);
            true
        }
        _ => false,
    }
}

/// `SoftwareTokenMfaConfigType`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SoftwareTokenMfaConfig {
    enabled: Option<bool>,
}

/// `SmsMfaConfigType`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SmsMfaConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    sms_authentication_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sms_configuration: Option<SmsConfigurationWire>,
}

/// `EmailMfaConfigType`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailMfaConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
}

/// SetUserPoolMfaConfig request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserPoolMfaConfigRequest {
    user_pool_id: Option<String>,
    sms_mfa_configuration: Option<SmsMfaConfig>,
    software_token_mfa_configuration: Option<SoftwareTokenMfaConfig>,
    email_mfa_configuration: Option<EmailMfaConfig>,
    mfa_configuration: Option<String>,
}

/// SetUserPoolMfaConfig / GetUserPoolMfaConfig response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolMfaConfigResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    sms_mfa_configuration: Option<SmsMfaConfig>,
    software_token_mfa_configuration: SoftwareTokenMfaConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_mfa_configuration: Option<EmailMfaConfig>,
    mfa_configuration: &'static str,
}

impl UserPoolMfaConfigResponse {
    fn of(mfa: &PoolMfa) -> Self {
        Self {
            sms_mfa_configuration: mfa.sms.as_ref().map(|sms| SmsMfaConfig {
                sms_authentication_message: sms.message.clone(),
                sms_configuration: Some(SmsConfigurationWire {
                    sns_caller_arn: sms.sns_caller_arn.clone(),
                    external_id: sms.external_id.clone(),
                    sns_region: sms.sns_region.clone(),
                }),
            }),
            software_token_mfa_configuration: SoftwareTokenMfaConfig {
                enabled: Some(mfa.software_token),
            },
            email_mfa_configuration: mfa.email.as_ref().map(|email| EmailMfaConfig {
                message: email.message.clone(),
                subject: email.subject.clone(),
            }),
            mfa_configuration: mfa.mode.as_str(),
        }
    }
}

fn check_template(member: &str, message: Option<&String>) -> Result<(), CognitoError> {
    match message {
        Some(m) if !m.contains("{####}") => Err(CognitoError::invalid_parameter(format!(
            "{member} must contain the {{####}} placeholder."
        ))),
        _ => Ok(()),
    }
}

/// SetUserPoolMfaConfig. Each factor's member sets it: present turns SMS / e-mail on (TOTP
/// follows `Enabled`), absent turns it off. An absent `MfaConfiguration` keeps the mode.
pub fn set_user_pool_mfa_config(
    ctx: &mut Ctx<'_>,
    req: SetUserPoolMfaConfigRequest,
) -> Result<UserPoolMfaConfigResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let now = ctx.now;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    let mode = match req.mfa_configuration.as_deref() {
        Some(mode) => MfaMode::parse(mode)?,
        None => pool.mfa.mode,
    };
    let sms = match req.sms_mfa_configuration {
        Some(sms) => {
            check_template(
                "SmsAuthenticationMessage",
                sms.sms_authentication_message.as_ref(),
            )?;
            let config = sms.sms_configuration.unwrap_or_default();
            Some(SmsMfaSettings {
                message: sms.sms_authentication_message,
                sns_caller_arn: config.sns_caller_arn,
                external_id: config.external_id,
                sns_region: config.sns_region,
            })
        }
        None => None,
    };
    let email = match req.email_mfa_configuration {
        Some(email) => {
            check_template("EmailMfaConfiguration.Message", email.message.as_ref())?;
            Some(EmailMfaSettings {
                message: email.message,
                subject: email.subject,
            })
        }
        None => None,
    };
    let mfa = PoolMfa {
        mode,
        sms,
        software_token: req
            .software_token_mfa_configuration
            .and_then(|t| t.enabled)
            .unwrap_or(false),
        email,
    };
    if mode != MfaMode::Off && !MfaFactor::ALL.iter().any(|f| mfa.offers(*f)) {
        return Err(CognitoError::invalid_parameter(
            "Invalid MFA configuration given, can't turn off all MFAs with OPTIONAL or ON MFA configuration",
        ));
    }
    pool.mfa = mfa;
    pool.last_modified = now;
    tracing::info!(user_pool_id = %pool_id, mode = mode.as_str(), "MFA configuration set");
    Ok(UserPoolMfaConfigResponse::of(&pool.mfa))
}

/// GetUserPoolMfaConfig request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserPoolMfaConfigRequest {
    user_pool_id: Option<String>,
}

/// GetUserPoolMfaConfig.
pub fn get_user_pool_mfa_config(
    ctx: &mut Ctx<'_>,
    req: GetUserPoolMfaConfigRequest,
) -> Result<UserPoolMfaConfigResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    Ok(UserPoolMfaConfigResponse::of(
        &ctx.inner.state.pool(&pool_id)?.mfa,
    ))
}

/// Who an AssociateSoftwareToken / VerifySoftwareToken call is for.
enum Caller {
    /// Signed in: pool and internal username.
    Signed(String, String),
    /// In MFA_SETUP: the taken session.
    Setup(PendingSession, crate::challenges::SessionSlot),
}

fn caller(
    ctx: &mut Ctx<'_>,
    access_token: Option<SecretString>,
    session: Option<SecretString>,
) -> Result<Caller, CognitoError> {
    match (access_token, session) {
        (Some(token), _) => {
            let (pool_id, username) = authenticate_access_token(ctx, &token)?;
            Ok(Caller::Signed(pool_id, username))
        }
        (None, Some(session)) => {
            let (pending, slot) = ctx
                .inner
                .challenges
                .take_session(session.expose(), ctx.now)
                .map_err(SessionRefusal::error)?;
            if !matches!(pending.challenge, SessionChallenge::MfaSetup { .. }) {
                return Err(SessionRefusal::Invalid.error());
            }
            Ok(Caller::Setup(pending, slot))
        }
        (None, None) => Err(CognitoError::invalid_parameter(
            "Either AccessToken or Session must be provided.",
        )),
    }
}

/// Opens the next MFA_SETUP session of a sign-in.
fn next_setup_session(
    ctx: &mut Ctx<'_>,
    pending: &PendingSession,
    verified: bool,
) -> Result<String, CognitoError> {
    let now = ctx.now;
    let minutes = ctx
        .inner
        .state
        .pool(&pending.pool_id)?
        .client(&pending.client_id)?
        .auth_session_validity_minutes;
    ctx.inner.challenges.open_session(
        PendingSession {
            pool_id: pending.pool_id.clone(),
            client_id: pending.client_id.clone(),
            username: pending.username.clone(),
            challenge: SessionChallenge::MfaSetup { verified },
            expires_at: expiry(now, minutes),
            device_key: pending.device_key.clone(),
            failed_attempts: 0,
        },
        now,
    )
}

/// AssociateSoftwareToken request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenRequest {
    access_token: Option<SecretString>,
    session: Option<SecretString>,
}

/// AssociateSoftwareToken response. No `Debug`: it carries the secret.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenResponse {
    secret_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

/// AssociateSoftwareToken: a new random 160-bit secret, pending until verified.
pub fn associate_software_token(
    ctx: &mut Ctx<'_>,
    req: AssociateSoftwareTokenRequest,
) -> Result<AssociateSoftwareTokenResponse, CognitoError> {
    let caller = caller(ctx, req.access_token, req.session)?;
    let (pool_id, username) = match &caller {
        Caller::Signed(pool, user) => (pool.clone(), user.clone()),
        Caller::Setup(pending, _) => (pending.pool_id.clone(), pending.username.clone()),
    };
    let secret = TotpSecret::generate();
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    user.mfa.pending_software_token = Some(PersistedSecret::new(secret.expose().to_owned()));
    let session = match caller {
        Caller::Signed(..) => None,
        Caller::Setup(pending, _) => Some(next_setup_session(ctx, &pending, false)?),
    };
    tracing::info!(user_pool_id = %pool_id, username = %username, "software token associated");
    Ok(AssociateSoftwareTokenResponse {
        secret_code: secret.expose().to_owned(),
        session,
    })
}

/// VerifySoftwareToken request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenRequest {
    access_token: Option<SecretString>,
    session: Option<SecretString>,
    user_code: Option<SecretString>,
    friendly_device_name: Option<String>,
}

/// VerifySoftwareToken response.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenResponse {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

/// VerifySoftwareToken: proves the pending secret with a code; a wrong code is
/// `EnableSoftwareTokenMFAException`.
pub fn verify_software_token(
    ctx: &mut Ctx<'_>,
    req: VerifySoftwareTokenRequest,
) -> Result<VerifySoftwareTokenResponse, CognitoError> {
    let code = required(req.user_code, "UserCode")?;
    let caller = caller(ctx, req.access_token, req.session)?;
    let (pool_id, username) = match &caller {
        Caller::Signed(pool, user) => (pool.clone(), user.clone()),
        Caller::Setup(pending, _) => (pending.pool_id.clone(), pending.username.clone()),
    };
    let now = ctx.now;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    let Some(secret) = user.mfa.pending_software_token.clone() else {
        if let Caller::Setup(pending, slot) = caller {
            ctx.inner.challenges.restore_session(slot, pending);
        }
        return Err(CognitoError::new(
            ErrorKind::SoftwareTokenMfaNotFound,
            "Software Token MFA has not been associated with the user; call AssociateSoftwareToken first.",
        ));
    };
    let mut last_used_step = None;
    if !redeem_totp(&secret, &mut last_used_step, code.expose(), now) {
        if let Caller::Setup(pending, slot) = caller {
            count_wrong_code(ctx, pending, slot);
        }
        return Err(CognitoError::new(
            ErrorKind::EnableSoftwareTokenMfa,
            "Code mismatch and fail enable Software Token MFA",
        ));
    }
    user.mfa.pending_software_token = None;
    user.mfa.software_token = Some(SoftwareToken {
        secret,
        friendly_name: req.friendly_device_name,
        last_used_step,
    });
    user.last_modified = now;
    let session = match caller {
        Caller::Signed(..) => None,
        Caller::Setup(pending, _) => {
            user.mfa.set_enabled(MfaFactor::SoftwareToken, true);
            Some(next_setup_session(ctx, &pending, true)?)
        }
    };
    tracing::info!(user_pool_id = %pool_id, username = %username, "software token verified");
    Ok(VerifySoftwareTokenResponse {
        status: "SUCCESS",
        session,
    })
}

/// `SMSMfaSettingsType` / `SoftwareTokenMfaSettingsType` / `EmailMfaSettingsType`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettings {
    enabled: Option<bool>,
    preferred_mfa: Option<bool>,
}

/// SetUserMFAPreference request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserMfaPreferenceRequest {
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<MfaSettings>,
    software_token_mfa_settings: Option<MfaSettings>,
    email_mfa_settings: Option<MfaSettings>,
    access_token: Option<SecretString>,
}

/// AdminSetUserMFAPreference request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminSetUserMfaPreferenceRequest {
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<MfaSettings>,
    software_token_mfa_settings: Option<MfaSettings>,
    email_mfa_settings: Option<MfaSettings>,
    username: Option<String>,
    user_pool_id: Option<String>,
}

/// Applies the three settings to `user`, checking each factor can be used.
fn apply_preferences(
    user: &mut User,
    settings: [(MfaFactor, Option<MfaSettings>); 3],
    now: OffsetDateTime,
) -> Result<(), CognitoError> {
    let mut mfa: UserMfa = user.mfa.clone();
    for (factor, setting) in settings {
        let Some(setting) = setting else { continue };
        let enable = setting.enabled.unwrap_or(false);
        if enable {
            let ready = match factor {
                MfaFactor::Sms => user.is_verified(PHONE_NUMBER),
                MfaFactor::Email => user.is_verified(EMAIL),
                MfaFactor::SoftwareToken => mfa.software_token.is_some(),
            };
            if !ready {
                return Err(CognitoError::invalid_parameter(match factor {
                    MfaFactor::SoftwareToken => "User has not verified software token mfa",
                    MfaFactor::Sms => "User does not have delivery config set to turn on SMS_MFA",
                    MfaFactor::Email => {
                        "User does not have delivery config set to turn on EMAIL_OTP"
                    }
                }));
            }
        }
        if setting.enabled.is_some() {
            mfa.set_enabled(factor, enable);
        }
        match setting.preferred_mfa {
            Some(true) if !mfa.is_enabled(factor) => {
                return Err(CognitoError::invalid_parameter(
                    "A preferred MFA setting must also be enabled.",
                ))
            }
            Some(true) => mfa.preferred = Some(factor),
            Some(false) if mfa.preferred == Some(factor) => mfa.preferred = None,
            _ => {}
        }
    }
    user.mfa = mfa;
    user.last_modified = now;
    Ok(())
}

/// SetUserMFAPreference.
pub fn set_user_mfa_preference(
    ctx: &mut Ctx<'_>,
    req: SetUserMfaPreferenceRequest,
) -> Result<Empty, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let now = ctx.now;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    apply_preferences(
        user,
        [
            (MfaFactor::Sms, req.sms_mfa_settings),
            (MfaFactor::SoftwareToken, req.software_token_mfa_settings),
            (MfaFactor::Email, req.email_mfa_settings),
        ],
        now,
    )?;
    Ok(Empty {})
}

/// AdminSetUserMFAPreference.
pub fn admin_set_user_mfa_preference(
    ctx: &mut Ctx<'_>,
    req: AdminSetUserMfaPreferenceRequest,
) -> Result<Empty, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let typed = required(req.username, "Username")?;
    let now = ctx.now;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&typed)?;
    apply_preferences(
        user,
        [
            (MfaFactor::Sms, req.sms_mfa_settings),
            (MfaFactor::SoftwareToken, req.software_token_mfa_settings),
            (MfaFactor::Email, req.email_mfa_settings),
        ],
        now,
    )?;
    Ok(Empty {})
}

/// `PreferredMfaSetting` and `UserMFASettingList` of GetUser / AdminGetUser.
pub fn mfa_summary(user: &User) -> (Option<&'static str>, Option<Vec<&'static str>>) {
    let list: Vec<&'static str> = user
        .mfa
        .enabled
        .iter()
        .map(|f| f.challenge_name())
        .collect();
    (
        user.mfa.preferred.map(MfaFactor::challenge_name),
        (!list.is_empty()).then_some(list),
    )
}
