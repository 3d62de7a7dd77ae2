//! The IPC commands. Each one unpacks its arguments, calls coffer-core, and maps the result to
//! the types in [`crate::ipc`]; errors become [`CommandError`] (`{code, message}`).
//!
//! Passwords and codes arrive as plain strings (that is what IPC carries) and are wrapped into
//! the core's zeroising secret types at once.

mod account;
pub(crate) mod files;
mod hosted_ui;
mod settings;
mod steps;

use std::sync::OnceLock;
use std::time::Instant;

use coffer_core::{Password, VerificationCode};
use tauri::State;

use crate::error::CommandError;
use crate::ipc::{
    BackendView, CodeDeliveryView, ConfirmSignUpArgs, ResendCodeArgs, SignInArgs, SignInOutcome,
    SignUpArgs, SignUpResult, WhoAmIView,
};
use crate::pending;
use crate::state::AppState;

pub(crate) type CommandResult<T> = Result<T, CommandError>;

/// The backend the app talks to, for the settings screen.
#[tauri::command]
pub(crate) async fn backend_info(state: State<'_, AppState>) -> CommandResult<BackendView> {
    let view = state.get().await?.backend.clone();
    Ok(crate::choice::shown(view, state.backend_choice()))
}

/// The session kept in the keychain, if any (refreshed when its tokens expired).
/// `null` when nobody is signed in, the stored sign-in is no longer valid, or the keychain
/// cannot be read: the user then starts at sign-in, where a keychain problem is reported with
/// its own message if it persists.
#[tauri::command]
pub(crate) async fn restore_session(
    state: State<'_, AppState>,
) -> CommandResult<Option<WhoAmIView>> {
    match state.client().await?.whoami().await {
        Ok(who) => Ok(Some(who.into())),
        Err(error) if starts_signed_out(error.code()) => {
            tracing::info!(code = error.code(), "no session restored");
            Ok(None)
        }
        Err(error) => Err(error.into()),
    }
}

/// Errors of a session restore after which the app starts signed out.
fn starts_signed_out(code: &str) -> bool {
    matches!(
        code,
        "not_signed_in"
            | "session_expired"
            | "token_revoked"
            | "stored_tokens_corrupt"
            | "keychain_unavailable"
            | "keychain_error"
    )
}

/// Signs in with SRP: the password is proven, never sent. Returns the next step (MFA, a new
/// password…), which then waits in the app state, or `signedIn`. A sign-in already under way
/// is abandoned.
#[tauri::command]
pub(crate) async fn sign_in(
    state: State<'_, AppState>,
    args: SignInArgs,
) -> CommandResult<SignInOutcome> {
    state.set_pending(None);
    // Files of whoever was signed in before are not this user's.
    state.forget_signed_in_files();
    let client = state.client().await?;
    let password = Password::new(args.password);
    // Fail before proving the password when the result could not be kept.
    client.check_store().await?;
    let verifier = client
        .sign_in(args.username)
        .remember_device(args.remember_device)
        .start()
        .await?;
    let (outcome, next) = pending::outcome(verifier.answer(&password).await?)?;
    state.set_pending(next);
    Ok(outcome)
}

/// Registers a user whose username is their e-mail address.
#[tauri::command]
pub(crate) async fn sign_up(
    state: State<'_, AppState>,
    args: SignUpArgs,
) -> CommandResult<SignUpResult> {
    let password = Password::new(args.password);
    let outcome = state
        .client()
        .await?
        .sign_up(&args.email, &password, &[("email", &args.email)])
        .await?;
    Ok(SignUpResult {
        confirmed: outcome.confirmed,
        delivery: outcome.code_delivery.map(Into::into),
    })
}

/// Confirms a sign-up with the code that was sent.
#[tauri::command]
pub(crate) async fn confirm_sign_up(
    state: State<'_, AppState>,
    args: ConfirmSignUpArgs,
) -> CommandResult<()> {
    let code = VerificationCode::new(args.code.trim());
    Ok(state
        .client()
        .await?
        .confirm_sign_up(&args.username, &code)
        .await?)
}

/// Sends the sign-up code again.
#[tauri::command]
pub(crate) async fn resend_confirmation_code(
    state: State<'_, AppState>,
    args: ResendCodeArgs,
) -> CommandResult<Option<CodeDeliveryView>> {
    let delivery = state
        .client()
        .await?
        .resend_confirmation_code(&args.username)
        .await?;
    Ok(delivery.map(Into::into))
}

/// Who is signed in (refreshes expired tokens).
#[tauri::command]
pub(crate) async fn whoami(state: State<'_, AppState>) -> CommandResult<WhoAmIView> {
    Ok(state.client().await?.whoami().await?.into())
}

/// Refreshes the tokens now.
#[tauri::command]
pub(crate) async fn refresh(state: State<'_, AppState>) -> CommandResult<WhoAmIView> {
    Ok(state.client().await?.refresh().await?.whoami().into())
}

/// Signs out here: revokes the refresh token and forgets the stored tokens.
#[tauri::command]
pub(crate) async fn sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    state.forget_user_state();
    Ok(state.client().await?.sign_out().await?)
}

/// Signs out on every device (`GlobalSignOut`).
#[tauri::command]
pub(crate) async fn sign_out_everywhere(state: State<'_, AppState>) -> CommandResult<()> {
    state.forget_user_state();
    Ok(state.client().await?.global_sign_out().await?)
}

/// Waits for a dialog opened from Rust: `open` shows it and gives its answer to the sender it
/// is handed. `what` names the dialog in the error when it never answers.
pub(crate) async fn dialog_answer<T>(
    what: &str,
    open: impl FnOnce(tokio::sync::oneshot::Sender<T>),
) -> CommandResult<T> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    open(sender);
    receiver
        .await
        .map_err(|_| CommandError::new("dialog_failed", format!("{what} closed unexpectedly")))
}

/// When the process started, for the first-paint figure.
pub(crate) fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// The UI calls this once its first screen is painted; the app logs the time since start
/// (read by `scripts/bench-app`).
#[tauri::command]
pub(crate) fn ui_ready() {
    let elapsed = process_start().elapsed();
    tracing::info!(target: "coffer_app::startup", first_paint_ms = elapsed.as_millis() as u64, "first paint");
}

/// The handler for every command above.
pub(crate) fn handler<R: tauri::Runtime>(
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        backend_info,
        restore_session,
        sign_in,
        sign_up,
        confirm_sign_up,
        resend_confirmation_code,
        whoami,
        refresh,
        sign_out,
        sign_out_everywhere,
        ui_ready,
        steps::answer_mfa_code,
        steps::choose_mfa,
        steps::answer_totp_setup,
        steps::answer_new_password,
        steps::choose_mfa_setup,
        steps::answer_email_mfa_setup,
        steps::cancel_sign_in,
        hosted_ui::sign_in_hosted_ui,
        hosted_ui::cancel_hosted_ui,
        account::forgot_password,
        account::confirm_forgot_password,
        account::change_password,
        account::begin_totp_setup,
        account::confirm_totp_setup,
        account::set_mfa_preference,
        account::mfa_settings,
        account::list_devices,
        account::forget_device,
        files::list_files,
        files::adopt_guest_files,
        files::watch_uploads,
        files::list_uploads,
        files::pick_and_upload,
        files::pause_upload,
        files::resume_upload,
        files::replace_upload,
        files::cancel_upload,
        files::download_file,
        files::delete_file,
        settings::choose_backend_file,
        settings::use_chosen_backend,
        settings::cancel_backend_choice,
        settings::use_local_cloud,
    ]
}
