//! What the app holds while it runs: the coffer-core client and the backend it talks to.
//!
//! Besides the backend, the state holds what waits between two commands: the pending sign-in
//! step ([`PendingStep`]) and a TOTP enrolment begun on the security page. Each sits behind a
//! `std::sync::Mutex` held only to take or put the value, never across an `await`.
//!
//! The backend starts in the background while the window opens (starting the local cloud reads
//! its state and keys, which would otherwise delay the first paint); the first command that
//! needs it waits for it.
//!
//! The settings screen can replace the backend while the app runs ([`AppState::replace_backend`],
//! see [`crate::choice`]): commands take a reference-counted handle to the backend of the
//! moment ([`AppState::get`]), so one already under way finishes against the backend it began
//! with, and the next one sees the new backend.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use std::path::PathBuf;
use std::sync::Arc;

use coffer_core::{Client, Files, TotpEnrollment};
use local_cloud::RunningLocalCloud;
use tokio::sync::{oneshot, OnceCell};

use crate::choice::{BackendChoice, ChosenBackend};
use crate::error::CommandError;
use crate::ipc::{BackendView, FilesMode};
use crate::pending::PendingStep;
use crate::uploads::Uploads;

type Started = Result<Ready, CommandError>;
/// Starts a backend: the one the app starts with, or the local cloud again from the settings.
pub(crate) type Starter =
    Box<dyn Fn() -> Pin<Box<dyn Future<Output = Started> + Send>> + Send + Sync>;

/// The app's managed state. Startup never fails the app: when the backend cannot be set up
/// (a config file named but missing, a port taken), the state keeps the error, every command
/// returns it, and the UI shows it with a way out.
pub struct AppState {
    /// Filled once the first backend has started (or failed to).
    started: OnceCell<()>,
    starter: Option<Starter>,
    /// The backend of the moment, or why there is none.
    current: Mutex<Result<Arc<Ready>, CommandError>>,
    /// Held while the backend is being changed, so two changes do not interleave.
    changing: tokio::sync::Mutex<()>,
    choice: Option<BackendChoice>,
    chosen: Mutex<Option<ChosenBackend>>,
    pending: Mutex<Option<PendingStep>>,
    enrollment: Mutex<Option<TotpEnrollment>>,
    files: Mutex<Vec<(FilesMode, Files)>>,
    view: Mutex<Option<(FilesMode, String)>>,
    uploads: Arc<Uploads>,
    dialogs: Dialogs,
    browser: Browser,
    hosted_ui_cancel: Mutex<Option<oneshot::Sender<()>>>,
}

/// How the app opens the hosted UI's sign-in page.
#[derive(Clone)]
pub enum Browser {
    /// The system browser, through tauri-plugin-opener called from Rust.
    System,
    /// A function given the authorize URL instead: for tests, which play the browser.
    Custom(Arc<dyn Fn(String) + Send + Sync>),
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::System => "Browser::System",
            Self::Custom(_) => "Browser::Custom",
        })
    }
}

/// How the app asks for files to upload and where to save downloads.
#[derive(Debug, Clone)]
pub enum Dialogs {
    /// The system's file dialogs (tauri-plugin-dialog, opened from Rust).
    System,
    /// Fixed answers instead of dialogs: for tests, and for the end-to-end run, which sets
    /// `COFFER_E2E_PICK` (a path, or several separated by the platform's path separator),
    /// `COFFER_E2E_SAVE_DIR` and `COFFER_E2E_BACKEND_FILE` (see [`Dialogs::from_environment`]).
    /// WebDriver cannot drive a native dialog or synthesise a drop with paths, so this is how
    /// it uploads, and picks a backend file, through the same code path as the dialogs.
    Preset {
        /// What the picker "selects".
        picks: Vec<PathBuf>,
        /// The directory downloads are saved to (under the file's own name).
        save_dir: PathBuf,
        /// What the backend-file dialog "selects" (`None`: it is dismissed).
        backend_file: Option<PathBuf>,
    },
}

impl Dialogs {
    /// `Preset` when `COFFER_E2E_PICK` is set (`COFFER_E2E_SAVE_DIR` and
    /// `COFFER_E2E_BACKEND_FILE` are read with it), else `System`.
    pub fn from_environment() -> Self {
        match std::env::var_os("COFFER_E2E_PICK") {
            Some(picks) => Self::Preset {
                picks: std::env::split_paths(&picks).collect(),
                save_dir: std::env::var_os("COFFER_E2E_SAVE_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(std::env::temp_dir),
                backend_file: std::env::var_os("COFFER_E2E_BACKEND_FILE").map(PathBuf::from),
            },
            None => Self::System,
        }
    }
}

/// A working backend and its client.
pub struct Ready {
    /// The client for the configured user pool and app client.
    pub client: Client,
    /// The backend, for the settings screen.
    pub backend: BackendView,
    /// The in-process local cloud, taken out and shut down when the app exits.
    pub local_cloud: Mutex<Option<RunningLocalCloud>>,
}

impl AppState {
    /// A state whose backend is started by `start` on first use (or by [`AppState::warm_up`]).
    pub fn starting<F, Fut>(start: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Started> + Send + 'static,
    {
        Self::with_start(
            OnceCell::new(),
            Some(Box::new(move || Box::pin(start()))),
            Err(CommandError::new(
                "internal_error",
                "the backend has not started",
            )),
        )
    }

    /// A state with a working backend.
    pub fn ready(ready: Ready) -> Self {
        Self::with_start(OnceCell::new_with(Some(())), None, Ok(Arc::new(ready)))
    }

    /// A state whose backend could not be set up.
    pub fn failed(error: CommandError) -> Self {
        Self::with_start(OnceCell::new_with(Some(())), None, Err(error))
    }

    fn with_start(
        started: OnceCell<()>,
        starter: Option<Starter>,
        current: Result<Arc<Ready>, CommandError>,
    ) -> Self {
        Self {
            started,
            starter,
            current: Mutex::new(current),
            changing: tokio::sync::Mutex::new(()),
            choice: None,
            chosen: Mutex::new(None),
            pending: Mutex::new(None),
            enrollment: Mutex::new(None),
            files: Mutex::new(Vec::new()),
            view: Mutex::new(None),
            uploads: Uploads::new(default_journal_dir()),
            dialogs: Dialogs::System,
            browser: Browser::System,
            hosted_ui_cancel: Mutex::new(None),
        }
    }

    /// The same state, able to change its backend from the settings screen.
    pub fn with_backend_choice(mut self, choice: BackendChoice) -> Self {
        self.choice = Some(choice);
        self
    }

    /// How the backend can be changed, or why it cannot.
    pub(crate) fn backend_choice(&self) -> Result<&BackendChoice, CommandError> {
        self.choice.as_ref().ok_or_else(|| {
            CommandError::new(
                "backend_change_unavailable",
                "this app cannot change its backend",
            )
        })
    }

    /// Keeps a backend file the person picked until they confirm it (replacing any other),
    /// or clears it with `None`.
    pub(crate) fn set_chosen(&self, chosen: Option<ChosenBackend>) {
        *lock(&self.chosen) = chosen;
    }

    /// Takes the picked backend file out, to use it.
    pub(crate) fn take_chosen(&self) -> Option<ChosenBackend> {
        lock(&self.chosen).take()
    }

    /// Serialises backend changes: held for the whole of one.
    pub(crate) async fn changing_backend(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.changing.lock().await
    }

    /// Makes `ready` the backend of every command from now on, and forgets everything tied to
    /// the previous one: the pending sign-in step, an enrolment, both modes' files and uploads
    /// (paused, journals kept), a browser sign-in under way. Returns the previous backend (for
    /// its tokens to be forgotten and its local cloud shut down), if there was one.
    pub(crate) fn replace_backend(&self, ready: Ready) -> Option<Arc<Ready>> {
        let previous = std::mem::replace(&mut *lock(&self.current), Ok(Arc::new(ready)));
        self.forget_user_state();
        lock(&self.files).clear();
        *lock(&self.view) = None;
        self.uploads.forget_mode(FilesMode::Guest);
        self.cancel_hosted_ui();
        previous.ok()
    }

    /// The same state with uploads journaled in `dir` (tests use a temporary directory).
    pub fn with_journal_dir(mut self, dir: PathBuf) -> Self {
        self.uploads = Uploads::new(dir);
        self
    }

    /// The same state with these dialogs.
    pub fn with_dialogs(mut self, dialogs: Dialogs) -> Self {
        self.dialogs = dialogs;
        self
    }

    /// The file dialogs.
    pub fn dialogs(&self) -> &Dialogs {
        &self.dialogs
    }

    /// The same state opening the hosted UI with `browser`.
    pub fn with_browser(mut self, browser: Browser) -> Self {
        self.browser = browser;
        self
    }

    /// How the hosted UI's sign-in page is opened.
    pub fn browser(&self) -> &Browser {
        &self.browser
    }

    /// Registers a new hosted-UI wait (replacing, and so cancelling, any other); the returned
    /// receiver completes when [`AppState::cancel_hosted_ui`] is called or the wait is replaced.
    pub fn start_hosted_ui(&self) -> oneshot::Receiver<()> {
        let (cancel, cancelled) = oneshot::channel();
        *lock(&self.hosted_ui_cancel) = Some(cancel);
        cancelled
    }

    /// Cancels the hosted-UI wait under way, if any.
    pub fn cancel_hosted_ui(&self) {
        if let Some(cancel) = lock(&self.hosted_ui_cancel).take() {
            // The wait may have ended already; then there is nothing to cancel.
            let _ = cancel.send(());
        }
    }

    /// The uploads of this run.
    pub fn uploads(&self) -> &Arc<Uploads> {
        &self.uploads
    }

    /// `mode`'s files (resolving the identity on first use; kept until sign-out or sign-in).
    pub async fn files(&self, mode: FilesMode) -> Result<Files, CommandError> {
        if let Some((_, files)) = lock(&self.files).iter().find(|(m, _)| *m == mode) {
            return Ok(files.clone());
        }
        let files = self.client().await?.files(mode.into()).await?;
        let mut cache = lock(&self.files);
        cache.retain(|(m, _)| *m != mode);
        cache.push((mode, files.clone()));
        Ok(files)
    }

    /// Remembers the directory the files view shows: files dropped on the window go there.
    pub fn set_view(&self, mode: FilesMode, dir: String) {
        *lock(&self.view) = Some((mode, dir));
    }

    /// The directory the files view shows, if it is open.
    pub fn view(&self) -> Option<(FilesMode, String)> {
        lock(&self.view).clone()
    }

    /// Starts the backend now if it has not started; returns when it is up (or failed).
    pub async fn warm_up(&self) {
        let _ = self.get().await;
    }

    /// The working backend (waiting for the first one to start), or why there is none.
    pub async fn get(&self) -> Result<Arc<Ready>, CommandError> {
        self.started
            .get_or_init(|| async {
                // `ready` and `failed` fill the cell, so only `starting` (with a starter)
                // reaches here.
                if let Some(start) = &self.starter {
                    let started = start().await.map(Arc::new);
                    *lock(&self.current) = started;
                }
            })
            .await;
        lock(&self.current).clone()
    }

    /// The client (waiting for the backend), or why there is none.
    pub async fn client(&self) -> Result<Client, CommandError> {
        self.get().await.map(|ready| ready.client.clone())
    }

    /// Takes the pending sign-in step out, to answer it.
    pub fn take_pending(&self) -> Option<PendingStep> {
        lock(&self.pending).take()
    }

    /// Makes `step` the pending sign-in step (replacing any other), or clears it with `None`.
    pub fn set_pending(&self, step: Option<PendingStep>) {
        *lock(&self.pending) = step;
    }

    /// Takes the TOTP enrolment begun on the security page, to confirm it.
    pub fn take_enrollment(&self) -> Option<TotpEnrollment> {
        lock(&self.enrollment).take()
    }

    /// Keeps a TOTP enrolment until it is confirmed (replacing any other), or clears it.
    pub fn set_enrollment(&self, enrollment: Option<TotpEnrollment>) {
        *lock(&self.enrollment) = enrollment;
    }

    /// Forgets everything tied to a user: the pending step and an unfinished enrolment.
    pub fn forget_user_state(&self) {
        self.set_pending(None);
        self.set_enrollment(None);
        self.forget_signed_in_files();
    }

    /// Forgets the signed-in user's files and uploads, pausing those running (journals kept,
    /// so they can be resumed after the same person signs in again). Guest files stay: they
    /// belong to the device.
    pub fn forget_signed_in_files(&self) {
        lock(&self.files).retain(|(mode, _)| *mode != FilesMode::SignedIn);
        let mut view = lock(&self.view);
        if matches!(*view, Some((FilesMode::SignedIn, _))) {
            *view = None;
        }
        self.uploads.forget_mode(FilesMode::SignedIn);
    }

    /// Takes the in-process local cloud out, to shut it down (`None` if it never started).
    pub fn take_local_cloud(&self) -> Option<RunningLocalCloud> {
        let ready = lock(&self.current).as_ref().ok()?.clone();
        ready.take_local_cloud()
    }
}

impl Ready {
    /// Takes this backend's in-process local cloud out, to shut it down.
    pub fn take_local_cloud(&self) -> Option<RunningLocalCloud> {
        lock(&self.local_cloud).take()
    }
}

/// Where upload journals live: the platform's data directory (`~/.local/share/coffer/uploads`),
/// else a directory under the temporary directory (journals then last until reboot).
fn default_journal_dir() -> PathBuf {
    coffer_core::upload::default_journal_dir()
        .unwrap_or_else(|| std::env::temp_dir().join("coffer-uploads"))
}

/// Locks `mutex`. The values behind these locks are replaced whole, so a panic elsewhere while
/// one was held cannot leave it half-written: a poisoned lock is used as is.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn the_backend_starts_once_however_many_commands_wait_for_it() {
        let starts = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&starts);
        let state = AppState::starting(move || {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Err(CommandError::new("config_invalid", "bad config"))
            }
        });
        let (a, b, _) = tokio::join!(state.get(), state.client(), state.warm_up());
        assert_eq!(a.err().map(|e| e.code), Some("config_invalid".to_owned()));
        assert_eq!(b.err().map(|e| e.code), Some("config_invalid".to_owned()));
        state.warm_up().await;
        assert_eq!(starts.load(Ordering::SeqCst), 1);
        assert!(state.take_local_cloud().is_none());
    }
}
