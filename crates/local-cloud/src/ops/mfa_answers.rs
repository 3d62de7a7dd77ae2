//! Answers to the MFA challenges: SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE and
//! MFA_SETUP (RespondToAuthChallenge and its admin variant).
//!
//! MFA_SETUP is passed either with a verified authenticator (AssociateSoftwareToken and
//! VerifySoftwareToken through the session first) or, when the pool offers e-mail MFA, by
//! answering with `EMAIL`: the code goes to that address as an EMAIL_OTP challenge, and the
//! right code makes it the user's verified `email` with e-mail MFA turned on. This is the
//! exchange Amplify's clients drive (amplify-js `handleMFASetupChallenge` answers MFA_SETUP with
//! `{USERNAME, EMAIL}`; amplify-swift's `EmailMFARequiredTests`, run against AWS, get an
//! EMAIL_OTP step with the delivery details next, and the address on the user after the code).
//!
//! A wrong code is `CodeMismatchException` ("Invalid code or auth state for the user.") and
//! leaves the session usable for another try, up to
//! [`crate::challenges::MAX_CODE_ATTEMPTS`] wrong codes; the last one ends it.

use std::collections::BTreeMap;

use super::challenge::{take_bound_session_slot, Binding};
use super::mfa::redeem_totp;
use super::sign_in::{after_mfa, challenge, mfa_challenge, send_mfa_code_to, Step};
use super::wire::AuthResponse;
use super::{check_secret_hash, looks_like_email, required_param, Ctx};
use crate::challenges::{PendingSession, SessionChallenge, SessionSlot, MAX_CODE_ATTEMPTS};
use crate::error::{CognitoError, ErrorKind};
use crate::model::mfa::MfaFactor;
use crate::model::pool::EMAIL;
use crate::secrets::SecretString;

/// Checks SECRET_HASH for `USERNAME` and takes the session bound to `challenge` (with its slot).
pub fn bound(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    challenge: &str,
    session: Option<&SecretString>,
    responses: &BTreeMap<String, SecretString>,
) -> Result<(PendingSession, SessionSlot), CognitoError> {
    let session = session.ok_or_else(|| CognitoError::missing_member("Session"))?;
    let typed = required_param(responses, "USERNAME")?.expose();
    let pool = ctx.inner.state.pool(pool_id)?;
    check_secret_hash(pool.client(client_id)?, typed, responses.get("SECRET_HASH"))?;
    let named_user = pool.resolve_username(typed);
    take_bound_session_slot(
        ctx,
        Binding {
            pool_id,
            client_id,
            challenge,
            named_user,
        },
        session,
    )
}

/// The error for a wrong MFA code.
pub fn code_mismatch() -> CognitoError {
    CognitoError::new(
        ErrorKind::CodeMismatch,
        "Invalid code or auth state for the user.",
    )
}

/// Counts a wrong code: the session goes back unless this was the last allowed attempt.
pub fn count_wrong_code(ctx: &mut Ctx<'_>, mut pending: PendingSession, slot: SessionSlot) {
    pending.failed_attempts += 1;
    if pending.failed_attempts < MAX_CODE_ATTEMPTS {
        ctx.inner.challenges.restore_session(slot, pending);
    }
}

fn step_of(pending: &PendingSession) -> Step<'_> {
    Step {
        pool_id: &pending.pool_id,
        client_id: &pending.client_id,
        username: &pending.username,
        device_key: pending.device_key.as_deref(),
    }
}

/// SMS_MFA / SOFTWARE_TOKEN_MFA / EMAIL_OTP.
pub fn mfa_code(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    challenge: &str,
    session: Option<&SecretString>,
    responses: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let factor = MfaFactor::from_challenge_name(challenge).ok_or_else(CognitoError::internal)?;
    let code = required_param(responses, factor.code_key())?;
    let (mut pending, slot) = bound(ctx, pool_id, client_id, challenge, session, responses)?;
    let now = ctx.now;
    let right = match &mut pending.challenge {
        SessionChallenge::Mfa {
            code: Some(record), ..
        } => match record.redeem(code.expose(), now) {
            Ok(()) => true,
            Err(err) if err.kind == ErrorKind::CodeMismatch => false,
            Err(err) => return Err(err),
        },
        SessionChallenge::Mfa { code: None, .. } => {
            let user = ctx
                .inner
                .state
                .pool_mut(pool_id)?
                .user_mut(&pending.username)?;
            match user.mfa.software_token.as_mut() {
                Some(token) => {
                    redeem_totp(&token.secret, &mut token.last_used_step, code.expose(), now)
                }
                None => false,
            }
        }
        SessionChallenge::EmailMfaSetup { code: record, .. } => {
            match record.redeem(code.expose(), now) {
                Ok(()) => true,
                Err(err) if err.kind == ErrorKind::CodeMismatch => false,
                Err(err) => return Err(err),
            }
        }
        _ => return Err(CognitoError::internal()),
    };
    if !right {
        count_wrong_code(ctx, pending, slot);
        return Err(code_mismatch());
    }
    if let SessionChallenge::EmailMfaSetup { email, .. } = &pending.challenge {
        let user = ctx
            .inner
            .state
            .pool_mut(pool_id)?
            .user_mut(&pending.username)?;
        user.attributes.insert(EMAIL.to_owned(), email.clone());
        user.attributes
            .insert(format!("{EMAIL}_verified"), "true".to_owned());
        user.attribute_codes.remove(EMAIL);
        user.mfa.set_enabled(MfaFactor::Email, true);
        user.last_modified = now;
        tracing::info!(user_pool_id = %pool_id, username = %pending.username, "e-mail MFA set up during sign-in");
    }
    after_mfa(ctx, step_of(&pending))
}

/// SELECT_MFA_TYPE: `ANSWER` names one of `MFAS_CAN_CHOOSE`; the answer is that challenge.
pub fn select_mfa_type(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    session: Option<&SecretString>,
    responses: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let answer = required_param(responses, "ANSWER")?.expose().to_owned();
    let (pending, slot) = bound(
        ctx,
        pool_id,
        client_id,
        "SELECT_MFA_TYPE",
        session,
        responses,
    )?;
    let SessionChallenge::SelectMfaType { choices } = &pending.challenge else {
        return Err(CognitoError::internal());
    };
    let Some(factor) = MfaFactor::from_challenge_name(&answer).filter(|f| choices.contains(f))
    else {
        ctx.inner.challenges.restore_session(slot, pending);
        return Err(CognitoError::invalid_parameter(
            "The ANSWER is not one of the MFA types offered in MFAS_CAN_CHOOSE.",
        ));
    };
    mfa_challenge(ctx, step_of(&pending), factor)
}

/// MFA_SETUP: after AssociateSoftwareToken and VerifySoftwareToken (both with the session),
/// the last session they returned signs the user in.
pub fn mfa_setup(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    session: Option<&SecretString>,
    responses: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let (pending, slot) = bound(ctx, pool_id, client_id, "MFA_SETUP", session, responses)?;
    if let Some(email) = responses.get("EMAIL") {
        return set_up_email_mfa(ctx, pending, slot, email.expose());
    }
    if !matches!(
        pending.challenge,
        SessionChallenge::MfaSetup { verified: true }
    ) {
        ctx.inner.challenges.restore_session(slot, pending);
        return Err(CognitoError::invalid_parameter(
            "Software token MFA has not been set up: call AssociateSoftwareToken and VerifySoftwareToken with this session first.",
        ));
    }
    after_mfa(ctx, step_of(&pending))
}

/// MFA_SETUP answered with `EMAIL`: checks the address, sends it a code and asks for it back
/// (EMAIL_OTP). A refused address leaves the MFA_SETUP session usable.
fn set_up_email_mfa(
    ctx: &mut Ctx<'_>,
    pending: PendingSession,
    slot: SessionSlot,
    email: &str,
) -> Result<AuthResponse, CognitoError> {
    let pool = ctx.inner.state.pool(&pending.pool_id)?;
    let refusal = if !pool.mfa.offers(MfaFactor::Email) {
        Some(CognitoError::invalid_parameter(
            "Email MFA is not enabled for this user pool.",
        ))
    } else if !looks_like_email(email) {
        Some(CognitoError::invalid_parameter(
            "Invalid email address format.",
        ))
    } else if pool.email_is_username()
        && pool
            .resolve_username(email)
            .is_some_and(|owner| owner != pending.username)
    {
        Some(CognitoError::new(
            ErrorKind::AliasExists,
            "An account with the given email already exists.",
        ))
    } else {
        None
    };
    if let Some(error) = refusal {
        ctx.inner.challenges.restore_session(slot, pending);
        return Err(error);
    }
    let (code, params) = send_mfa_code_to(
        ctx,
        &pending.pool_id,
        &pending.username,
        MfaFactor::Email,
        email,
    )?;
    challenge(
        ctx,
        step_of(&pending),
        SessionChallenge::EmailMfaSetup {
            email: email.to_owned(),
            code: Box::new(code),
        },
        params,
    )
}
