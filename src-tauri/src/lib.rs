//! The Coffer desktop app: a thin Tauri v2 shell over `coffer-core`.
//!
//! # Design
//!
//! - **Thin shell.** Every IPC command ([`commands`]) is a few lines: unpack the arguments, call
//!   the core, map the result to an IPC type ([`ipc`]) or the error to a stable
//!   `{code, message}` ([`CommandError`]). Sign-in, token checks and keychain storage live in
//!   `coffer-core`, shared with the CLI.
//! - **A first start needs nothing.** Unless a config file says otherwise, the app runs the local
//!   cloud in-process ([`backend`]) and talks to its demo user pool. The session is restored from
//!   the OS keychain when the UI starts (`restore_session`).
//! - **Own backend without a terminal.** The settings screen picks an `amplify_outputs.json` or
//!   a `coffer.toml` (dialog from Rust), shows what it names, and on confirmation saves it as
//!   the app's config and switches to it without a restart; "Back to the local cloud" reverts
//!   ([`choice`]).
//! - **Steps kept in the app.** The core's sign-in steps are consumed by answering them; the
//!   pending one waits in [`AppState`] between commands (`answer_mfa_code`, `choose_mfa`,
//!   `answer_totp_setup`, `choose_mfa_setup`, `answer_email_mfa_setup`,
//!   `answer_new_password`), replaced by each answer and dropped by
//!   `cancel_sign_in`, a new sign-in or sign-out. A refused answer the user can correct keeps
//!   the step (`stepKept: true` in the error), so a wrong code is typed again in place.
//! - **Types generated, not copied.** The TypeScript declarations of every command's arguments
//!   and results are generated from [`ipc`] with `ts-rs`; a test fails when the checked-in
//!   `ui/src/ipc/bindings.ts` is stale.
//!
//! # Security notes
//!
//! - **Least privilege.** `build.rs` declares each command so Tauri generates one permission per
//!   command; `capabilities/main-window.json` grants the main window exactly those and nothing
//!   else (no file system, shell, opener or dialog access from JavaScript). The file dialogs
//!   open from Rust (`pick_and_upload`, `download_file`, `choose_backend_file`), and files dropped on the window reach
//!   Rust through the window's drag-drop event, so the web view never holds a dialog or
//!   file-system permission and cannot name a local path for the app to read or write.
//!   The opener plugin is registered for the hosted-UI sign-in (`sign_in_hosted_ui`), which
//!   opens the authorize URL in the system browser from Rust, never in a web view (RFC 8252);
//!   `cancel_hosted_ui` ends the wait. The CSP allows only the app's own scripts and styles.
//! - **Files** ([`uploads`], `commands/files.rs`): the person's files through coffer-core
//!   (`private/<identity id>/` signed in, `guest/<identity id>/` as a guest); uploads report
//!   progress over one Tauri `Channel` (`watch_uploads`), can be paused, resumed and cancelled,
//!   and those an earlier run left unfinished are offered again from the core's journal.
//!   Signing out pauses and forgets the signed-in user's uploads, so the next user never sees
//!   them. `COFFER_E2E_PICK` / `COFFER_E2E_SAVE_DIR` / `COFFER_E2E_BACKEND_FILE` (a documented
//!   dev flag, [`Dialogs`]) replace the dialogs with fixed answers for the end-to-end run.
//! - **Secrets.** Passwords and codes cross IPC inward only and are wrapped into the core's
//!   zeroising secret types at once; no command returns a token or a challenge Session. The
//!   one secret that crosses outward is the authenticator (TOTP) secret during its setup,
//!   which the user must see; it is never logged. Argument types redact secrets
//!   in `Debug`; errors carry the core's `Display`, which never contains one.
//! - **One instance.** A second launch focuses the running window (two instances would race on
//!   the local cloud's port and state).

pub mod backend;
pub mod choice;
mod commands;
mod error;
pub mod ipc;
mod pending;
mod state;
pub mod uploads;

pub use choice::BackendChoice;
pub use error::CommandError;
pub use state::{AppState, Browser, Dialogs, Ready};

use std::sync::Mutex;

use tauri::{DragDropEvent, Manager, RunEvent, WindowEvent};

/// The IPC handler of every command, for [`run`] and for tests on Tauri's mock runtime.
pub fn invoke_handler<R: tauri::Runtime>(
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    commands::handler()
}

/// Chooses and starts the backend, and builds the client (tokens in the OS keychain).
pub async fn start_backend() -> Result<Ready, CommandError> {
    let started = async {
        let overrides = backend::LocalCloudOverrides::from_environment()?;
        let locations = coffer_core::ConfigLocations::from_environment(None);
        let plan = backend::plan(
            &locations,
            &overrides,
            coffer_core::default_local_cloud_dir(),
        )?;
        ready(backend::start(plan).await?)
    };
    let result = started.await;
    match &result {
        Ok(ready) => tracing::info!(
            target: "coffer_app::startup",
            endpoint = %ready.backend.endpoint,
            kind = ?ready.backend.kind,
            since_start_ms = commands::process_start().elapsed().as_millis() as u64,
            "backend ready"
        ),
        Err(error) => {
            tracing::error!(code = %error.code, message = %error.message, "backend not available")
        }
    }
    result
}

/// Starts the in-process local cloud as a first start without a config would ("Back to the
/// local cloud" in the settings).
pub async fn start_local_cloud() -> Result<Ready, CommandError> {
    let overrides = backend::LocalCloudOverrides::from_environment()?;
    let plan = backend::local_cloud_plan(&overrides, coffer_core::default_local_cloud_dir())?;
    ready(backend::start(plan).await?)
}

/// A client for a started backend, keeping its tokens in the OS keychain.
fn ready(backend: backend::Backend) -> Result<Ready, CommandError> {
    let client = coffer_core::Client::new(
        backend.config,
        std::sync::Arc::new(coffer_core::KeyringStore::new()),
    )?;
    Ok(Ready {
        client,
        backend: backend.view,
        local_cloud: Mutex::new(backend.local_cloud),
    })
}

/// Changing the backend from the settings, as this process's environment allows it.
fn backend_choice_from_environment() -> BackendChoice {
    BackendChoice::new(
        BackendChoice::saved_config_of(&coffer_core::ConfigLocations::from_environment(None)),
        std::sync::Arc::new(coffer_core::KeyringStore::new()),
        start_local_cloud,
    )
}

/// Runs the app until its window closes.
pub fn run() {
    commands::process_start();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // s3s logs every S3 error answer (NoSuchKey, AccessDenied) at ERROR; they are
                // answers to the app, not faults of the in-process local cloud.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,s3s::ops=off")),
        )
        .with_writer(std::io::stderr)
        .init();

    let app = tauri::Builder::default()
        // First, so a second launch exits before starting anything.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .manage(
            AppState::starting(start_backend)
                .with_dialogs(Dialogs::from_environment())
                .with_backend_choice(backend_choice_from_environment()),
        )
        .setup(|app| {
            // Start the backend while the window opens; commands wait for it.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                handle.state::<AppState>().warm_up().await;
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            // Tauri gives Rust the paths of files dropped on the window (the web view's own
            // drop event has none); they go to the directory the files view shows.
            if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                let handle = window.app_handle().clone();
                let paths = paths.clone();
                tauri::async_runtime::spawn(async move {
                    let state = handle.state::<AppState>();
                    if let Err(error) = commands::files::upload_dropped(&state, paths).await {
                        tracing::warn!(code = %error.code, "dropped files not uploaded");
                    }
                });
            }
        })
        .invoke_handler(invoke_handler())
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "cannot start the app");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            // Journals are kept: the next start offers to resume.
            handle.state::<AppState>().uploads().pause_all();
            if let Some(cloud) = handle.state::<AppState>().take_local_cloud() {
                // Lets in-flight requests finish and releases the port.
                tauri::async_runtime::block_on(cloud.shutdown());
            }
        }
    });
}
