//! Commands that answer the sign-in steps after the password: MFA codes, the choice of factor,
//! setting up a factor during sign-in (choosing it, an authenticator app, an e-mail address)
//! and a new password. Each takes the pending step from the app
//! state ([`crate::pending`]), answers it, and keeps whatever step comes next.

use coffer_core::{Password, SignInStep, StepError, VerificationCode};
use tauri::State;

use crate::error::CommandError;
use crate::ipc::{ChooseMfaArgs, CodeArgs, EmailMfaSetupArgs, NewPasswordArgs, SignInOutcome};
use crate::pending::{self, PendingStep};
use crate::state::AppState;

use super::CommandResult;

/// Takes the pending step if `pick` accepts it; otherwise (`pick` hands it back, boxed: steps
/// are large) leaves it waiting and says which command answers it, or that no sign-in is under
/// way.
fn take<S>(
    state: &AppState,
    pick: impl FnOnce(PendingStep) -> Result<S, Box<PendingStep>>,
) -> CommandResult<S> {
    let Some(step) = state.take_pending() else {
        return Err(CommandError::new(
            "no_pending_step",
            "no sign-in is waiting for this answer; sign in again",
        )
        .with_step_kept(false));
    };
    pick(step).map_err(|other| {
        let error = CommandError::new(
            "wrong_step",
            format!("the sign-in is waiting for {}", other.answered_by()),
        )
        .with_step_kept(true);
        state.set_pending(Some(*other));
        error
    })
}

/// Keeps the next step (or the same one, given back after a correctable error) and tells the
/// UI where the sign-in stands.
pub(super) fn settle<S: Into<PendingStep>>(
    state: &AppState,
    answered: Result<SignInStep, StepError<S>>,
) -> CommandResult<SignInOutcome> {
    match answered {
        Ok(step) => {
            let (outcome, next) = pending::outcome(step)?;
            state.set_pending(next);
            Ok(outcome)
        }
        Err(refused) => {
            let (error, kept) = pending::refused(refused);
            tracing::info!(code = %error.code, step_kept = kept.is_some(), "sign-in step refused");
            state.set_pending(kept);
            Err(error)
        }
    }
}

/// Answers a one-time code (authenticator app, SMS or e-mail).
#[tauri::command]
pub(crate) async fn answer_mfa_code(
    state: State<'_, AppState>,
    args: CodeArgs,
) -> CommandResult<SignInOutcome> {
    let code = VerificationCode::new(args.code.trim());
    let step = take(&state, |step| match step {
        PendingStep::MfaCode(step) => Ok(step),
        other => Err(Box::new(other)),
    })?;
    settle(&state, step.answer(&code).await)
}

/// Chooses one of the offered second factors (an SMS or e-mail code is sent now).
#[tauri::command]
pub(crate) async fn choose_mfa(
    state: State<'_, AppState>,
    args: ChooseMfaArgs,
) -> CommandResult<SignInOutcome> {
    let step = take(&state, |step| match step {
        PendingStep::SelectMfa(step) => Ok(step),
        other => Err(Box::new(other)),
    })?;
    settle(&state, step.choose(args.kind.into()).await)
}

/// Answers TOTP setup during sign-in with the authenticator app's first code.
#[tauri::command]
pub(crate) async fn answer_totp_setup(
    state: State<'_, AppState>,
    args: CodeArgs,
) -> CommandResult<SignInOutcome> {
    let code = VerificationCode::new(args.code.trim());
    let step = take(&state, |step| match step {
        PendingStep::SetUpTotp(step) => Ok(step),
        other => Err(Box::new(other)),
    })?;
    settle(&state, step.answer(&code).await)
}

/// Chooses the factor to set up when the pool requires MFA and the user has none: `totp`
/// (the authenticator secret is requested now) or `email`. A factor not offered keeps the step.
#[tauri::command]
pub(crate) async fn choose_mfa_setup(
    state: State<'_, AppState>,
    args: ChooseMfaArgs,
) -> CommandResult<SignInOutcome> {
    let step = take(&state, |step| match step {
        PendingStep::SelectMfaSetup(step) => Ok(step),
        other => Err(Box::new(other)),
    })?;
    settle(&state, step.choose(args.kind.into()).await)
}

/// Sets up e-mail MFA during sign-in with the address codes go to; a code is mailed there
/// and the sign-in waits for it (`answer_mfa_code`). An address the pool refuses (malformed,
/// another account's) keeps the step.
#[tauri::command]
pub(crate) async fn answer_email_mfa_setup(
    state: State<'_, AppState>,
    args: EmailMfaSetupArgs,
) -> CommandResult<SignInOutcome> {
    let step = take(&state, |step| match step {
        PendingStep::SetUpEmailMfa(step) => Ok(step),
        other => Err(Box::new(other)),
    })?;
    settle(&state, step.answer(&args.email).await)
}

/// Answers NEW_PASSWORD_REQUIRED with the new password and the required attributes.
#[tauri::command]
pub(crate) async fn answer_new_password(
    state: State<'_, AppState>,
    args: NewPasswordArgs,
) -> CommandResult<SignInOutcome> {
    let password = Password::new(args.password);
    let attributes: Vec<(&str, &str)> = args
        .attributes
        .iter()
        .map(|(name, value)| (name.as_str(), value.trim()))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    let step = take(&state, |step| match step {
        PendingStep::NewPassword(step) => Ok(step),
        other => Err(Box::new(other)),
    })?;
    settle(&state, step.answer(&password, &attributes).await)
}

/// Abandons the sign-in under way (its challenge Session is dropped).
#[tauri::command]
pub(crate) fn cancel_sign_in(state: State<'_, AppState>) {
    state.set_pending(None);
}
