//! The uploads of this run of the app: each one's task, control (pause, resume, cancel) and
//! latest [`UploadEvent`], which is also sent to the web view over the uploads channel
//! (`watch_uploads`) at every change.
//!
//! Uploads start from three places that share [`Uploads::start`]: the picker
//! (`pick_and_upload`), files dropped on the window (the window's drag-drop event, which gives
//! Rust the paths; the web view never sees them), and the journal of uploads an earlier run
//! left unfinished ([`Uploads::interrupted`], listed as `interrupted` at start and continued by
//! `resume_upload`). The core's uploader does the work: parts, checksums, retries, and the
//! journal that lets a paused or interrupted upload continue where it stopped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coffer_core::upload::JournalEntry;
use coffer_core::{Files, Key, Progress, UploadControl, UploadOptions, UploadOutcome};
use tauri::ipc::Channel;

use crate::error::CommandError;
use crate::ipc::{FilesMode, UploadEvent, UploadState};

/// Progress is sent at most this often per upload (state changes are always sent).
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// What an upload needs to run (again).
#[derive(Clone)]
struct Job {
    files: Files,
    path: PathBuf,
    key: Key,
    /// Replace a stored file of the same name: off until the person chooses "Replace" on an
    /// upload refused with `already_exists` ([`Uploads::replace`]).
    overwrite: bool,
}

struct Entry {
    event: UploadEvent,
    control: UploadControl,
    job: Job,
    last_progress: Option<Instant>,
}

/// The uploads of this run.
pub struct Uploads {
    journal_dir: PathBuf,
    next_id: AtomicU32,
    entries: Mutex<BTreeMap<u32, Entry>>,
    channel: Mutex<Option<Channel<UploadEvent>>>,
}

impl Uploads {
    /// Uploads journaled in `journal_dir`.
    pub fn new(journal_dir: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            journal_dir,
            next_id: AtomicU32::new(1),
            entries: Mutex::new(BTreeMap::new()),
            channel: Mutex::new(None),
        })
    }

    /// Sends every later change to `channel` (replacing an earlier one: the web view reloaded).
    pub fn watch(&self, channel: Channel<UploadEvent>) {
        *lock(&self.channel) = Some(channel);
    }

    /// The uploads of this run into `mode`'s files, oldest first.
    pub fn snapshot(&self, mode: FilesMode) -> Vec<UploadEvent> {
        lock(&self.entries)
            .values()
            .filter(|entry| entry.event.mode == mode)
            .map(|entry| entry.event.clone())
            .collect()
    }

    fn options(&self) -> UploadOptions {
        UploadOptions::new(self.journal_dir.clone())
    }

    /// Starts uploading `path` into `dir` of `files`; returns its first event. A path whose
    /// name cannot be a key fails at once (reported as a failed upload, not an error, so one
    /// bad file among many dropped does not hide the others).
    pub fn start(
        self: &Arc<Self>,
        files: &Files,
        mode: FilesMode,
        path: &Path,
        dir: &str,
    ) -> UploadEvent {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let size = std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let key = match path.file_name().and_then(|name| name.to_str()) {
            Some(name) => files.key(dir, name).map_err(coffer_core::Error::from),
            None => Err(coffer_core::Error::from(
                coffer_core::StorageError::LocalFile {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        "the file name is not valid Unicode",
                    ),
                },
            )),
        };
        let mut event = UploadEvent {
            id,
            mode,
            key: String::new(),
            name,
            state: UploadState::Running,
            bytes_done: 0,
            bytes_total: size,
            rate: 0.0,
            eta_seconds: None,
            error: None,
        };
        let key = match key {
            Ok(key) => key,
            Err(error) => {
                event.state = UploadState::Failed;
                event.error = Some(error.into());
                self.publish(&event);
                return event;
            }
        };
        event.key = key.relative().to_owned();
        let job = Job {
            files: files.clone(),
            path: path.to_path_buf(),
            key,
            overwrite: false,
        };
        self.insert_and_run(event, job, true)
    }

    /// Lists the uploads an earlier run left unfinished into `files`'s prefix (journal entries
    /// for this endpoint, bucket and prefix whose file still exists), each as `interrupted`
    /// and ready for `resume_upload`. Entries already listed in this run are not repeated.
    pub fn adopt_interrupted(self: &Arc<Self>, files: &Files, mode: FilesMode) -> Vec<UploadEvent> {
        let Ok(dir) = std::fs::read_dir(&self.journal_dir) else {
            return Vec::new();
        };
        let known: Vec<String> = lock(&self.entries)
            .values()
            .map(|entry| entry.job.key.full().to_owned())
            .collect();
        let mut adopted = Vec::new();
        for file in dir.flatten() {
            let Ok(text) = std::fs::read_to_string(file.path()) else {
                continue;
            };
            let Ok(entry) = serde_json::from_str::<JournalEntry>(&text) else {
                continue;
            };
            if entry.endpoint != files.endpoint()
                || entry.bucket != files.bucket()
                || known.contains(&entry.key)
                || !entry.path.is_file()
            {
                continue;
            }
            let Some(relative) = entry.key.strip_prefix(files.prefix()) else {
                continue;
            };
            let Ok(key) = files.parse_key(relative) else {
                continue;
            };
            let event = UploadEvent {
                id: self.next_id.fetch_add(1, Ordering::Relaxed),
                mode,
                key: key.relative().to_owned(),
                name: key.name().to_owned(),
                state: UploadState::Interrupted,
                bytes_done: 0,
                bytes_total: entry.source.size,
                rate: 0.0,
                eta_seconds: None,
                error: None,
            };
            let job = Job {
                files: files.clone(),
                path: entry.path.clone(),
                key,
                overwrite: false,
            };
            adopted.push(self.insert_and_run(event, job, false));
        }
        adopted
    }

    fn insert_and_run(self: &Arc<Self>, event: UploadEvent, job: Job, run: bool) -> UploadEvent {
        let id = event.id;
        let control = UploadControl::new();
        lock(&self.entries).insert(
            id,
            Entry {
                event: event.clone(),
                control: control.clone(),
                job: job.clone(),
                last_progress: None,
            },
        );
        self.publish(&event);
        if run {
            self.spawn(id, job, control);
        }
        event
    }

    fn spawn(self: &Arc<Self>, id: u32, job: Job, control: UploadControl) {
        let uploads = Arc::clone(self);
        let mut options = self.options();
        options.overwrite = job.overwrite;
        tauri::async_runtime::spawn(async move {
            let sink_uploads = Arc::clone(&uploads);
            let sink: coffer_core::upload::ProgressSink =
                Arc::new(move |progress: Progress| sink_uploads.progress(id, progress));
            let uploader = job.files.uploader(options);
            let outcome = uploader
                .upload_as(&job.path, &job.key, Some(sink), &control)
                .await;
            uploads.finish(id, outcome);
        });
    }

    fn progress(&self, id: u32, progress: Progress) {
        let event = {
            let mut entries = lock(&self.entries);
            let Some(entry) = entries.get_mut(&id) else {
                return;
            };
            if entry.event.state != UploadState::Running {
                return;
            }
            entry.event.bytes_done = progress.bytes_done;
            entry.event.bytes_total = progress.bytes_total;
            entry.event.rate = progress.rate;
            entry.event.eta_seconds = progress.eta.map(|eta| eta.as_secs_f64());
            let now = Instant::now();
            let due = entry
                .last_progress
                .is_none_or(|last| now.duration_since(last) >= PROGRESS_INTERVAL);
            if !due && progress.bytes_done < progress.bytes_total {
                return;
            }
            entry.last_progress = Some(now);
            entry.event.clone()
        };
        self.publish(&event);
    }

    fn finish(&self, id: u32, outcome: Result<UploadOutcome, coffer_core::Error>) {
        let event = {
            let mut entries = lock(&self.entries);
            let Some(entry) = entries.get_mut(&id) else {
                return;
            };
            let event = &mut entry.event;
            event.rate = 0.0;
            event.eta_seconds = None;
            match outcome {
                Ok(UploadOutcome::Completed { bytes, .. }) => {
                    event.state = UploadState::Completed;
                    event.bytes_done = bytes;
                    event.bytes_total = bytes;
                }
                Ok(UploadOutcome::Paused { bytes_done, .. }) => {
                    event.state = UploadState::Paused;
                    event.bytes_done = bytes_done;
                }
                Ok(UploadOutcome::Cancelled { .. }) => event.state = UploadState::Cancelled,
                // `UploadOutcome` is non-exhaustive: an outcome this app does not know is
                // shown as a failure rather than as success.
                Ok(other) => {
                    event.state = UploadState::Failed;
                    event.error = Some(CommandError::new(
                        "internal_error",
                        format!("unexpected upload outcome: {other:?}"),
                    ));
                }
                Err(error) => {
                    tracing::warn!(code = error.code(), "upload failed");
                    event.state = UploadState::Failed;
                    event.error = Some(error.into());
                }
            }
            event.clone()
        };
        self.publish(&event);
    }

    /// Pauses a running upload (its journal is kept).
    pub fn pause(&self, id: u32) -> Result<(), CommandError> {
        self.with_entry(id, |entry| match entry.event.state {
            UploadState::Running => {
                entry.control.pause();
                Ok(())
            }
            _ => Err(not_running(id)),
        })
    }

    /// Cancels an upload (aborted on the server, journal deleted). A paused, failed or
    /// interrupted upload is cancelled by running it under a cancelled control, so the
    /// server-side upload is aborted too.
    pub fn cancel(self: &Arc<Self>, id: u32) -> Result<(), CommandError> {
        let restart = self.with_entry(id, |entry| match entry.event.state {
            UploadState::Running => {
                entry.control.cancel();
                Ok(None)
            }
            UploadState::Paused | UploadState::Failed | UploadState::Interrupted => {
                let control = UploadControl::new();
                control.cancel();
                entry.control = control.clone();
                entry.event.state = UploadState::Running;
                entry.event.error = None;
                Ok(Some((entry.job.clone(), control)))
            }
            UploadState::Completed | UploadState::Cancelled => Err(not_running(id)),
        })?;
        if let Some((job, control)) = restart {
            self.spawn(id, job, control);
        }
        Ok(())
    }

    /// Continues a paused, failed or interrupted upload from what the server already has.
    pub fn resume(self: &Arc<Self>, id: u32) -> Result<UploadEvent, CommandError> {
        self.rerun(id, |entry| match entry.event.state {
            UploadState::Paused | UploadState::Failed | UploadState::Interrupted => Ok(()),
            _ => Err(CommandError::new(
                "upload_not_resumable",
                format!("upload {id} is not paused, failed or interrupted"),
            )),
        })
    }

    /// Runs again an upload refused because a file of that name is stored (`already_exists`),
    /// now replacing that file: the person chose "Replace". Parts the server still has are
    /// reused, as on resume.
    pub fn replace(self: &Arc<Self>, id: u32) -> Result<UploadEvent, CommandError> {
        self.rerun(id, |entry| {
            let refused = entry.event.state == UploadState::Failed
                && entry
                    .event
                    .error
                    .as_ref()
                    .is_some_and(|error| error.code == "already_exists");
            if !refused {
                return Err(CommandError::new(
                    "upload_not_replaceable",
                    format!("upload {id} was not refused for an existing file"),
                ));
            }
            entry.job.overwrite = true;
            Ok(())
        })
    }

    /// Runs the upload `id` again under a new control once `allowed` accepts (and possibly
    /// adjusts) its entry.
    fn rerun(
        self: &Arc<Self>,
        id: u32,
        allowed: impl FnOnce(&mut Entry) -> Result<(), CommandError>,
    ) -> Result<UploadEvent, CommandError> {
        let (event, job, control) = self.with_entry(id, |entry| {
            allowed(entry)?;
            let control = UploadControl::new();
            entry.control = control.clone();
            entry.event.state = UploadState::Running;
            entry.event.error = None;
            entry.last_progress = None;
            Ok((entry.event.clone(), entry.job.clone(), control))
        })?;
        self.publish(&event);
        self.spawn(id, job, control);
        Ok(event)
    }

    /// Pauses every running upload (exit): journals are kept for the next run.
    pub fn pause_all(&self) {
        for entry in lock(&self.entries).values() {
            if entry.event.state == UploadState::Running {
                entry.control.pause();
            }
        }
    }

    /// Forgets the uploads of `mode` (sign-out: the next user must not see them), pausing
    /// those running. Their journals stay, so they are offered again (`interrupted`) when the
    /// same person signs in and opens their files.
    pub fn forget_mode(&self, mode: FilesMode) {
        lock(&self.entries).retain(|_, entry| {
            if entry.event.mode != mode {
                return true;
            }
            if entry.event.state == UploadState::Running {
                entry.control.pause();
            }
            false
        });
    }

    fn with_entry<T>(
        &self,
        id: u32,
        change: impl FnOnce(&mut Entry) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let mut entries = lock(&self.entries);
        let entry = entries
            .get_mut(&id)
            .ok_or_else(|| CommandError::new("upload_not_found", format!("no upload {id}")))?;
        change(entry)
    }

    fn publish(&self, event: &UploadEvent) {
        let channel = lock(&self.channel).clone();
        if let Some(channel) = channel {
            if let Err(error) = channel.send(event.clone()) {
                tracing::debug!(%error, "the uploads channel is gone");
            }
        }
    }
}

fn not_running(id: u32) -> CommandError {
    CommandError::new("upload_not_running", format!("upload {id} is not running"))
}

/// Locks `mutex`; the values behind these locks stay consistent across a panic (each change
/// is a whole-field write), so a poisoned lock is used as is.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
