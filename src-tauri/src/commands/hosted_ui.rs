//! The hosted-UI sign-in (RFC 8252): coffer-core binds the loopback listener and builds the
//! authorize URL; the app opens it in the SYSTEM browser from Rust (tauri-plugin-opener, never
//! a web view, and no opener permission for JavaScript), then waits for the redirect, a
//! timeout, or `cancel_hosted_ui`. The session is stored exactly like an SRP sign-in.

use coffer_core::oauth::DEFAULT_SIGN_IN_TIMEOUT;
use coffer_core::HostedUiOptions;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use super::CommandResult;
use crate::error::CommandError;
use crate::ipc::{HostedUiArgs, SignInOutcome};
use crate::state::{AppState, Browser};

/// Signs in through the hosted UI in the system browser (`provider`: go straight to that
/// identity provider). Abandons any sign-in under way, SRP step or browser wait.
#[tauri::command]
pub(crate) async fn sign_in_hosted_ui<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    args: HostedUiArgs,
) -> CommandResult<SignInOutcome> {
    state.set_pending(None);
    // Registered first, so a Cancel pressed at once is not lost; replacing an earlier wait's
    // sender cancels that wait.
    let cancelled = state.start_hosted_ui();
    state.forget_signed_in_files();
    let client = state.client().await?;
    // Fail before the browser opens when the result could not be kept.
    client.check_store().await?;
    let pending = client
        .begin_hosted_ui_sign_in(HostedUiOptions {
            provider: args.provider,
            scopes: None,
        })
        .await?;
    let url = pending.authorize_url().to_string();
    match state.browser() {
        Browser::System => app.opener().open_url(url, None::<&str>).map_err(|error| {
            tracing::warn!(%error, "cannot open the system browser");
            CommandError::new(
                "browser_unavailable",
                "cannot open the sign-in page in the system browser",
            )
        })?,
        Browser::Custom(open) => open(url),
    }
    let cancel = async {
        // A dropped sender (a newer sign-in replaced this one) cancels too.
        let _ = cancelled.await;
    };
    let session = pending.finish(DEFAULT_SIGN_IN_TIMEOUT, cancel).await?;
    Ok(SignInOutcome::SignedIn {
        who: session.whoami().into(),
        device: session.device().into(),
    })
}

/// Stops waiting for the browser; the waiting `sign_in_hosted_ui` fails with
/// `hosted_ui_cancelled`. Nothing happens when no browser sign-in is under way.
#[tauri::command]
pub(crate) fn cancel_hosted_ui(state: State<'_, AppState>) {
    state.cancel_hosted_ui();
}
