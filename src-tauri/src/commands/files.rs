//! The files view: list, upload (picker, drop, resume), download, delete — for the signed-in
//! user or a guest. The file dialogs open from Rust (tauri-plugin-dialog), so the web view has
//! no dialog or file-system permission and never learns a local path it did not already have.

use std::path::{Path, PathBuf};

use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use time::format_description::well_known::Rfc3339;

use super::{dialog_answer, CommandResult};
use crate::ipc::{
    FileKeyArgs, FileListingView, FileView, FilesMode, FilesModeArgs, GuestAdoptionView,
    ListFilesArgs, UploadEvent, UploadIdArgs, UploadTargetArgs,
};
use crate::state::{AppState, Dialogs};

/// Lists a directory of `mode`'s files, and makes it where dropped files go.
#[tauri::command]
pub(crate) async fn list_files(
    state: State<'_, AppState>,
    args: ListFilesArgs,
) -> CommandResult<FileListingView> {
    let files = state.files(args.mode).await?;
    let listing = files.list(&args.dir).await?;
    state.set_view(args.mode, args.dir.clone());
    Ok(FileListingView {
        prefix: files.prefix().to_owned(),
        dir: args.dir,
        directories: listing.directories,
        files: listing
            .files
            .into_iter()
            .map(|file| FileView {
                key: file.key.relative().to_owned(),
                name: file.key.name().to_owned(),
                size: file.size,
                modified: file
                    .last_modified
                    .and_then(|time| time.format(&Rfc3339).ok()),
            })
            .collect(),
    })
}

/// Right after a sign-in: moves the files this device's guest uploaded into the signed-in
/// user's own folder when the sign-in took the guest identity over (or an earlier move left
/// some behind), never replacing a file. `None` when there was nothing to do (no call to the
/// cloud then).
#[tauri::command]
pub(crate) async fn adopt_guest_files(
    state: State<'_, AppState>,
) -> CommandResult<Option<GuestAdoptionView>> {
    let client = state.client().await?;
    Ok(client.adopt_guest_files().await?.map(Into::into))
}

/// Sends every upload change to `channel` from now on (events carry their mode; the view
/// shows its own), and returns `mode`'s uploads so far plus
/// those an earlier run left unfinished into `mode`'s files (as `interrupted`).
#[tauri::command]
pub(crate) async fn watch_uploads(
    state: State<'_, AppState>,
    args: FilesModeArgs,
    channel: Channel<UploadEvent>,
) -> CommandResult<Vec<UploadEvent>> {
    state.uploads().watch(channel);
    uploads_of(&state, args.mode).await
}

/// `mode`'s uploads of this run, plus those an earlier run left unfinished into its files.
#[tauri::command]
pub(crate) async fn list_uploads(
    state: State<'_, AppState>,
    args: FilesModeArgs,
) -> CommandResult<Vec<UploadEvent>> {
    uploads_of(&state, args.mode).await
}

async fn uploads_of(state: &AppState, mode: FilesMode) -> CommandResult<Vec<UploadEvent>> {
    let files = state.files(mode).await?;
    state.uploads().adopt_interrupted(&files, mode);
    Ok(state.uploads().snapshot(mode))
}

/// Opens the system file picker (from Rust) and uploads the chosen files into `dir`; returns
/// their first events (none when the picker was dismissed).
#[tauri::command]
pub(crate) async fn pick_and_upload<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    args: UploadTargetArgs,
) -> CommandResult<Vec<UploadEvent>> {
    let files = state.files(args.mode).await?;
    let picked = match state.dialogs() {
        Dialogs::Preset { picks, .. } => Some(picks.clone()),
        Dialogs::System => dialog_answer("the file picker", |sender| {
            app.dialog()
                .file()
                .set_title("Upload files")
                .pick_files(move |paths| {
                    let _ = sender.send(paths);
                });
        })
        .await?
        .map(|paths| {
            paths
                .into_iter()
                .filter_map(|path| path.into_path().ok())
                .collect()
        }),
    };
    Ok(start_uploads(
        &state,
        &files,
        args.mode,
        &args.dir,
        picked.unwrap_or_default(),
    ))
}

/// Starts uploads of `paths` into `dir` (the picker and the drop handler both end here).
pub(crate) fn start_uploads(
    state: &AppState,
    files: &coffer_core::Files,
    mode: FilesMode,
    dir: &str,
    paths: Vec<PathBuf>,
) -> Vec<UploadEvent> {
    paths
        .iter()
        .filter(|path| path.is_file())
        .map(|path| state.uploads().start(files, mode, path, dir))
        .collect()
}

/// Files dropped on the window go to the directory the files view shows. Dropped folders
/// are skipped (only files are uploaded); nothing happens when the files view is not open.
pub(crate) async fn upload_dropped(
    state: &AppState,
    paths: Vec<PathBuf>,
) -> CommandResult<Vec<UploadEvent>> {
    let Some((mode, dir)) = state.view() else {
        return Ok(Vec::new());
    };
    let files = state.files(mode).await?;
    Ok(start_uploads(state, &files, mode, &dir, paths))
}

/// Pauses an upload; `resume_upload` continues it.
#[tauri::command]
pub(crate) fn pause_upload(state: State<'_, AppState>, args: UploadIdArgs) -> CommandResult<()> {
    state.uploads().pause(args.id)
}

/// Continues a paused, failed or interrupted upload.
#[tauri::command]
pub(crate) fn resume_upload(
    state: State<'_, AppState>,
    args: UploadIdArgs,
) -> CommandResult<UploadEvent> {
    state.uploads().resume(args.id)
}

/// Runs again an upload refused with `already_exists`, replacing the stored file (the person
/// chose "Replace").
#[tauri::command]
pub(crate) fn replace_upload(
    state: State<'_, AppState>,
    args: UploadIdArgs,
) -> CommandResult<UploadEvent> {
    state.uploads().replace(args.id)
}

/// Cancels an upload and aborts it on the server.
#[tauri::command]
pub(crate) fn cancel_upload(state: State<'_, AppState>, args: UploadIdArgs) -> CommandResult<()> {
    state.uploads().cancel(args.id)
}

/// Asks where to save a file (save dialog from Rust) and downloads it there. Returns the
/// path written, or `null` when the dialog was dismissed.
#[tauri::command]
pub(crate) async fn download_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    args: FileKeyArgs,
) -> CommandResult<Option<String>> {
    let files = state.files(args.mode).await?;
    let key = files
        .parse_key(&args.key)
        .map_err(coffer_core::Error::from)?;
    let dest: Option<PathBuf> = match state.dialogs() {
        Dialogs::Preset { save_dir, .. } => Some(save_dir.join(key.name())),
        Dialogs::System => dialog_answer("the save dialog", |sender| {
            app.dialog()
                .file()
                .set_title("Save file")
                .set_file_name(key.name())
                .save_file(move |path| {
                    let _ = sender.send(path);
                });
        })
        .await?
        .and_then(|path| path.into_path().ok()),
    };
    let Some(dest) = dest else { return Ok(None) };
    // The save dialog already asked before replacing a file (and the preset directory of the
    // tests stands for that dialog), so the download may replace it.
    let (written, _bytes) = files.download_overwriting(&key, Path::new(&dest)).await?;
    Ok(Some(written.display().to_string()))
}

/// Deletes a stored file (the UI asks for confirmation first).
#[tauri::command]
pub(crate) async fn delete_file(
    state: State<'_, AppState>,
    args: FileKeyArgs,
) -> CommandResult<()> {
    let files = state.files(args.mode).await?;
    let key = files
        .parse_key(&args.key)
        .map_err(coffer_core::Error::from)?;
    Ok(files.delete(&key).await?)
}
