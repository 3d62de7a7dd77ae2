//! Account commands: password reset and change, TOTP enrolment, the preferred second factor,
//! and remembered devices.

use coffer_core::{Password, VerificationCode};
use tauri::State;

use crate::error::CommandError;
use crate::ipc::{
    ChangePasswordArgs, CodeArgs, CodeDeliveryView, ConfirmForgotPasswordArgs, DeviceView,
    ForgetDeviceArgs, ForgotPasswordArgs, MfaPreferenceArgs, MfaSettingsView, TotpSetupView,
};
use crate::state::AppState;

use super::CommandResult;

/// Starts a password reset: the user pool sends a code. Returns where it went.
#[tauri::command]
pub(crate) async fn forgot_password(
    state: State<'_, AppState>,
    args: ForgotPasswordArgs,
) -> CommandResult<Option<CodeDeliveryView>> {
    let delivery = state
        .client()
        .await?
        .forgot_password(args.username.trim())
        .await?;
    Ok(delivery.map(Into::into))
}

/// Finishes a password reset with the code and the new password.
#[tauri::command]
pub(crate) async fn confirm_forgot_password(
    state: State<'_, AppState>,
    args: ConfirmForgotPasswordArgs,
) -> CommandResult<()> {
    let code = VerificationCode::new(args.code.trim());
    let password = Password::new(args.password);
    Ok(state
        .client()
        .await?
        .confirm_forgot_password(args.username.trim(), &code, &password)
        .await?)
}

/// Changes the signed-in user's password.
#[tauri::command]
pub(crate) async fn change_password(
    state: State<'_, AppState>,
    args: ChangePasswordArgs,
) -> CommandResult<()> {
    let current = Password::new(args.current_password);
    let new = Password::new(args.new_password);
    Ok(state
        .client()
        .await?
        .change_password(&current, &new)
        .await?)
}

/// Starts setting up an authenticator app for the signed-in user; the secret is shown once.
#[tauri::command]
pub(crate) async fn begin_totp_setup(state: State<'_, AppState>) -> CommandResult<TotpSetupView> {
    let enrollment = state.client().await?.begin_totp_setup().await?;
    let view = TotpSetupView::from_core(enrollment.setup())?;
    state.set_enrollment(Some(enrollment));
    Ok(view)
}

/// Confirms the authenticator app with its first code; TOTP becomes the preferred factor.
#[tauri::command]
pub(crate) async fn confirm_totp_setup(
    state: State<'_, AppState>,
    args: CodeArgs,
) -> CommandResult<()> {
    let code = VerificationCode::new(args.code.trim());
    let Some(enrollment) = state.take_enrollment() else {
        return Err(CommandError::new(
            "no_pending_step",
            "no authenticator setup is under way; start it again",
        )
        .with_step_kept(false));
    };
    match enrollment.confirm(&code).await {
        Ok(()) => Ok(()),
        Err(refused) => {
            let (error, retry) = refused.into_parts();
            let kept = retry.is_some();
            state.set_enrollment(retry);
            Err(CommandError::from(error).with_step_kept(kept))
        }
    }
}

/// Sets the preferred second factor (`none` turns MFA off for the user).
#[tauri::command]
pub(crate) async fn set_mfa_preference(
    state: State<'_, AppState>,
    args: MfaPreferenceArgs,
) -> CommandResult<()> {
    Ok(state
        .client()
        .await?
        .set_mfa_preference(args.preference.into())
        .await?)
}

/// The signed-in user's MFA settings.
#[tauri::command]
pub(crate) async fn mfa_settings(state: State<'_, AppState>) -> CommandResult<MfaSettingsView> {
    Ok(state.client().await?.mfa_settings().await?.into())
}

/// The signed-in user's devices (this one marked).
#[tauri::command]
pub(crate) async fn list_devices(state: State<'_, AppState>) -> CommandResult<Vec<DeviceView>> {
    let devices = state.client().await?.list_devices().await?;
    Ok(devices.into_iter().map(Into::into).collect())
}

/// Forgets a device (this one when no key is given); returns the key forgotten.
#[tauri::command]
pub(crate) async fn forget_device(
    state: State<'_, AppState>,
    args: ForgetDeviceArgs,
) -> CommandResult<String> {
    Ok(state
        .client()
        .await?
        .forget_device(args.device_key.as_deref())
        .await?)
}
