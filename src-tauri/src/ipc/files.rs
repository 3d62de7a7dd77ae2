//! IPC types of the files view: listings, uploads and their progress events.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CommandError;

/// Whose files: the signed-in user's (`private/<identity id>/`) or a guest's
/// (`guest/<identity id>/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum FilesMode {
    /// The signed-in user (authenticated role).
    SignedIn,
    /// A guest (the identity pool's unauthenticated role).
    Guest,
}

impl From<FilesMode> for coffer_core::IdentityMode {
    fn from(mode: FilesMode) -> Self {
        match mode {
            FilesMode::SignedIn => Self::SignedIn,
            FilesMode::Guest => Self::Guest,
        }
    }
}

/// Arguments naming whose files (`watch_uploads`, `list_uploads`).
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FilesModeArgs {
    /// Whose files.
    pub mode: FilesMode,
}

/// Arguments of `list_files`: a directory (`""` for the top, else `a/b`) of `mode`'s files.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ListFilesArgs {
    /// Whose files.
    pub mode: FilesMode,
    /// The directory, relative to the person's prefix.
    pub dir: String,
}

/// One stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FileView {
    /// The key relative to the person's prefix (`docs/report.pdf`).
    pub key: String,
    /// The file name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// When it was stored (RFC 3339, UTC), if the server said.
    pub modified: Option<String>,
}

/// A directory listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FileListingView {
    /// The person's prefix in the bucket (`private/<identity id>/`).
    pub prefix: String,
    /// The directory listed.
    pub dir: String,
    /// Subdirectories, relative to the prefix, each ending with `/`.
    pub directories: Vec<String>,
    /// Files directly in the directory.
    pub files: Vec<FileView>,
}

/// Arguments naming one stored file (`download_file`, `delete_file`).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FileKeyArgs {
    /// Whose files.
    pub mode: FilesMode,
    /// The key relative to the person's prefix.
    pub key: String,
}

/// Arguments of `pick_and_upload`: where the picked files go.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct UploadTargetArgs {
    /// Whose files.
    pub mode: FilesMode,
    /// The directory, relative to the person's prefix.
    pub dir: String,
}

/// Arguments naming one upload of this run (`pause_upload`, `resume_upload`, `cancel_upload`).
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct UploadIdArgs {
    /// The upload's id, from its events.
    pub id: u32,
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum UploadState {
    /// Sending.
    Running,
    /// Paused by the person; `resume_upload` continues it.
    Paused,
    /// Stored.
    Completed,
    /// Cancelled and aborted on the server.
    Cancelled,
    /// Failed (see `error`); `resume_upload` tries again.
    Failed,
    /// Left unfinished by an earlier run of the app (journaled); `resume_upload` continues it.
    Interrupted,
}

/// An upload's state and progress, sent on the uploads channel at every change.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct UploadEvent {
    /// The upload's id in this run of the app.
    pub id: u32,
    /// Whose files it goes to.
    pub mode: FilesMode,
    /// The destination key relative to the person's prefix.
    pub key: String,
    /// The file name.
    pub name: String,
    /// Where it stands.
    pub state: UploadState,
    /// Bytes stored so far.
    pub bytes_done: u64,
    /// The file's size.
    pub bytes_total: u64,
    /// Bytes per second in this run (0 until known).
    pub rate: f64,
    /// Seconds left at that rate; `null` until a rate is known.
    pub eta_seconds: Option<f64>,
    /// Why it failed.
    pub error: Option<CommandError>,
}

/// What `adopt_guest_files` did right after a sign-in that took this device's guest identity
/// over: the guest's files moved into the user's own folder, and those left in the guest
/// folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct GuestAdoptionView {
    /// The moved files' keys, relative to the user's own folder.
    pub moved: Vec<String>,
    /// The files left in the guest folder.
    pub left: Vec<LeftGuestFileView>,
    /// Moved files saved under another name because theirs was taken.
    pub renamed: Vec<RenamedGuestFileView>,
    /// The sign-in merged the guest identity into the user's older one (which disabled it):
    /// files left behind cannot be moved at a later sign-in.
    pub guest_identity_merged: bool,
}

/// A guest file saved under another name in the user's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RenamedGuestFileView {
    /// Its name in the guest folder.
    pub from: String,
    /// Its key in the user's folder.
    pub to: String,
}

/// A guest file that was not moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LeftGuestFileView {
    /// Its key, relative to the guest folder.
    pub key: String,
    /// Why: `already_exists` (a different file of that name is in the user's folder),
    /// `file_too_large` (over the 5 GiB of a server-side copy) or `invalid_key`.
    pub reason: String,
}

impl From<coffer_core::storage::GuestAdoption> for GuestAdoptionView {
    fn from(adoption: coffer_core::storage::GuestAdoption) -> Self {
        Self {
            moved: adoption
                .moved
                .iter()
                .map(|key| key.relative().to_owned())
                .collect(),
            left: adoption
                .left
                .into_iter()
                .map(|left| LeftGuestFileView {
                    reason: left.reason.code().to_owned(),
                    key: left.relative,
                })
                .collect(),
            renamed: adoption
                .renamed
                .iter()
                .map(|(from, to)| RenamedGuestFileView {
                    from: from.clone(),
                    to: to.relative().to_owned(),
                })
                .collect(),
            guest_identity_merged: adoption.guest_identity_merged,
        }
    }
}
