//! The settings screen's backend commands: pick a backend file (dialog from Rust), confirm it,
//! or go back to the local cloud. The steps and their guarantees are in [`crate::choice`].

use std::path::PathBuf;

use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::{dialog_answer, CommandResult};
use crate::choice::{self, ChosenBackend};
use crate::error::CommandError;
use crate::ipc::{BackendFileView, BackendKind, BackendView};
use crate::state::{AppState, Dialogs};

/// Opens the file dialog (from Rust) for an `amplify_outputs.json` or a `coffer.toml`, reads
/// and checks the file, and returns its summary; the config waits for `use_chosen_backend`.
/// `null` when the dialog was dismissed. Refused up front when the backend cannot be changed
/// here (`backend_pinned`).
#[tauri::command]
pub(crate) async fn choose_backend_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Option<BackendFileView>> {
    let saved_to = state.backend_choice()?.saved_config()?.to_path_buf();
    state.set_chosen(None);
    let picked: Option<PathBuf> = match state.dialogs() {
        Dialogs::Preset { backend_file, .. } => backend_file.clone(),
        Dialogs::System => dialog_answer("the file dialog", |sender| {
            app.dialog()
                .file()
                .set_title("Choose your backend: amplify_outputs.json or coffer.toml")
                .add_filter("Amplify outputs or Coffer config", &["json", "toml"])
                .pick_file(move |path| {
                    let _ = sender.send(path);
                });
        })
        .await?
        .and_then(|path| path.into_path().ok()),
    };
    let Some(path) = picked else { return Ok(None) };
    let chosen = ChosenBackend::read(&path)?;
    if let Ok(current) = state.get().await {
        chosen.check_not_in_process(&current.backend)?;
    }
    let view = chosen.view(&saved_to);
    state.set_chosen(Some(chosen));
    Ok(Some(view))
}

/// Forgets the picked backend file without using it.
#[tauri::command]
pub(crate) fn cancel_backend_choice(state: State<'_, AppState>) {
    state.set_chosen(None);
}

/// Saves the picked backend file as the app's config and switches to it: the session of the
/// previous backend is forgotten here, and its in-process local cloud shut down.
#[tauri::command]
pub(crate) async fn use_chosen_backend(state: State<'_, AppState>) -> CommandResult<BackendView> {
    // The first backend has started (or failed) before it is replaced.
    let _ = state.get().await;
    let _changing = state.changing_backend().await;
    let choice = state.backend_choice()?;
    let saved_to = choice.saved_config()?.to_path_buf();
    let chosen = state.take_chosen().ok_or_else(|| {
        CommandError::new(
            "no_backend_chosen",
            "no backend file is waiting to be used; choose it again",
        )
    })?;
    // Everything that can fail without side effects first.
    let ready = choice.ready_for(&chosen, &saved_to)?;
    chosen.save(&saved_to)?;
    let view = ready.backend.clone();
    choice::let_go(state.replace_backend(ready)).await;
    tracing::info!(target: "coffer_app::settings", endpoint = %view.endpoint, "backend changed");
    Ok(choice::shown(view, Ok(choice)))
}

/// Goes back to the in-process local cloud: the saved config is moved aside
/// (`coffer.toml.bak`, or `.bak.1`… when that is taken) and the local cloud starts as on a
/// first start. On the local cloud already, only the saved config (if any) is moved aside.
#[tauri::command]
pub(crate) async fn use_local_cloud(state: State<'_, AppState>) -> CommandResult<BackendView> {
    let current = state.get().await;
    let _changing = state.changing_backend().await;
    let choice = state.backend_choice()?;
    let saved = choice.saved_config()?.to_path_buf();
    if let Ok(current) = &current {
        if current.backend.kind != BackendKind::ConfigFile {
            choice::move_aside(&saved)?;
            return Ok(choice::shown(current.backend.clone(), Ok(choice)));
        }
    }
    // Started first: when the local cloud cannot start, nothing has changed.
    let ready = choice.start_local_cloud().await?;
    if let Err(error) = choice::move_aside(&saved) {
        if let Some(cloud) = ready.take_local_cloud() {
            cloud.shutdown().await;
        }
        return Err(error);
    }
    let view = ready.backend.clone();
    choice::let_go(state.replace_backend(ready)).await;
    tracing::info!(target: "coffer_app::settings", endpoint = %view.endpoint, "back to the local cloud");
    Ok(choice::shown(view, Ok(choice)))
}
