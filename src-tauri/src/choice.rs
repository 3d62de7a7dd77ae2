//! Changing the backend while the app runs, from the settings screen.
//!
//! 1. `choose_backend_file` opens a file dialog from Rust for an Amplify `amplify_outputs.json`
//!    or a Coffer `coffer.toml`; coffer-core reads and checks it
//!    ([`coffer_core::Config::from_file`]: not JSON, not TOML, a missing user pool… each with
//!    its own code). The checked config waits in the app state ([`ChosenBackend`]) while the UI
//!    shows its summary ([`BackendFileView`]).
//! 2. `use_chosen_backend` saves it as the app's config: `coffer.toml` in the platform config
//!    directory (e.g. `~/.config/coffer/coffer.toml`), where the config lookup finds it at the
//!    next start ([`crate::backend`]) and the CLI finds it too. The file is written atomically
//!    (a temporary file in the same directory, renamed over the old one; an old one is kept as
//!    a backup, see below). Then the previous backend's session is forgotten here (its tokens leave
//!    the keychain, without a network call: they mean nothing to the new user pool), its
//!    in-process local cloud is shut down, and every command from then on uses the new backend.
//! 3. `use_local_cloud` goes back: the saved config is moved aside to a backup and the
//!    local cloud starts in-process again, as on a first start.
//!
//! **Backups are never overwritten.** The file replaced or moved aside may be the person's own
//! hand-written `coffer.toml`, possibly with a client secret kept nowhere else, so it goes to
//! the first of `coffer.toml.bak`, `coffer.toml.bak.1`, `coffer.toml.bak.2`… that does not
//! exist yet (created with `create_new`, so a file appearing meanwhile is not replaced either),
//! unless one of them already holds exactly the same bytes (switching back and forth between
//! the same backends does not pile up copies). [`keep_backup`] does this.
//!
//! What is written is the config in coffer-core's documented format
//! ([`coffer_core::Config::to_toml_without_secret`]), whichever format was picked.
//!
//! # Security notes
//!
//! - **The web view names no path.** The dialog opens from Rust; the web view gets the summary,
//!   and confirming takes no argument (the config that was summarised is the one saved).
//! - **No secret is written.** A file with an app client secret is refused
//!   (`config_has_client_secret`): saving it would put another copy of the secret on disk in
//!   plain text, and a desktop app cannot keep a client secret anyway (native apps use an app
//!   client without one). `amplify_outputs.json` never has one.
//! - **The environment outranks the settings.** When `COFFER_CONFIG` names the config, a file
//!   saved here would never be read, so changing the backend is refused (`backend_pinned`) and
//!   the settings screen says why. (`COFFER_DATA_DIR` / `COFFER_LOCAL_CLOUD_ADDR`, the tests'
//!   pins, still choose the local cloud at the next start, as [`crate::backend`] says.)
//! - A picked file over [`MAX_BACKEND_FILE_BYTES`] is refused before it is read.

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use coffer_core::{Client, Config, ConfigLocations, ConfigOrigin, ConfigPath, SecretStore};

use crate::backend;
use crate::error::CommandError;
use crate::ipc::{BackendFileFormat, BackendFileView, BackendKind, BackendView};
use crate::state::{Ready, Starter};

/// The largest backend file read: real ones are a few kilobytes.
pub const MAX_BACKEND_FILE_BYTES: u64 = 1024 * 1024;

/// What changing the backend needs: where the chosen config is saved (or why it cannot be),
/// the keychain of the new client, and how to start the local cloud again.
pub struct BackendChoice {
    saved_config: Result<PathBuf, CommandError>,
    store: Arc<dyn SecretStore>,
    start_local_cloud: Starter,
}

impl BackendChoice {
    /// `saved_config`: the file the config lookup reads at the next start, or why there is
    /// none to write ([`BackendChoice::saved_config_of`]). `start_local_cloud`: "Back to the
    /// local cloud".
    pub fn new<F, Fut>(
        saved_config: Result<PathBuf, CommandError>,
        store: Arc<dyn SecretStore>,
        start_local_cloud: F,
    ) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Ready, CommandError>> + Send + 'static,
    {
        Self {
            saved_config,
            store,
            start_local_cloud: Box::new(move || Box::pin(start_local_cloud())),
        }
    }

    /// Where a chosen config goes given the config lookup: the platform config directory's
    /// `coffer.toml`, unless `COFFER_CONFIG` names the config (then the environment decides).
    pub fn saved_config_of(locations: &ConfigLocations) -> Result<PathBuf, CommandError> {
        if let Some(named) = &locations.environment {
            return Err(CommandError::new(
                "backend_pinned",
                format!(
                    "{} names this app's config ({}); change the backend there, or unset {} to choose it here",
                    coffer_core::CONFIG_ENV_VAR,
                    named.display(),
                    coffer_core::CONFIG_ENV_VAR,
                ),
            ));
        }
        locations.platform_dir.clone().ok_or_else(|| {
            CommandError::new(
                "no_config_dir",
                "this system has no configuration directory for Coffer to save a backend in",
            )
        })
    }

    /// The file a chosen config is saved to, or why the backend cannot be changed.
    pub fn saved_config(&self) -> Result<&Path, CommandError> {
        self.saved_config.as_deref().map_err(Clone::clone)
    }

    /// Why the backend cannot be changed here, for the settings screen (`None`: it can).
    pub fn unavailable(&self) -> Option<String> {
        self.saved_config
            .as_ref()
            .err()
            .map(|error| error.message.clone())
    }

    /// Starts the local cloud, as on a first start.
    pub(crate) async fn start_local_cloud(&self) -> Result<Ready, CommandError> {
        (self.start_local_cloud)().await
    }

    /// A working backend for `chosen`, to be saved at `saved_to`. Makes no network call and
    /// changes nothing.
    pub(crate) fn ready_for(
        &self,
        chosen: &ChosenBackend,
        saved_to: &Path,
    ) -> Result<Ready, CommandError> {
        let found = ConfigPath {
            path: saved_to.to_path_buf(),
            origin: ConfigOrigin::PlatformDir,
        };
        Ok(Ready {
            client: Client::new(chosen.config.clone(), Arc::clone(&self.store))?,
            backend: backend::view_of(&chosen.config, BackendKind::ConfigFile, Some(&found), None),
            local_cloud: std::sync::Mutex::new(None),
        })
    }
}

/// A backend file the person picked, read and checked, waiting for them to confirm it.
#[derive(Debug)]
pub struct ChosenBackend {
    config: Config,
    source: PathBuf,
}

impl ChosenBackend {
    /// Reads and checks the file at `path`: an `amplify_outputs.json` (by its `.json` name) or
    /// a `coffer.toml`. Refuses one with an app client secret (see the module docs).
    pub fn read(path: &Path) -> Result<Self, CommandError> {
        let size = std::fs::metadata(path)
            .map_err(|error| {
                let code = if error.kind() == std::io::ErrorKind::NotFound {
                    "config_not_found"
                } else {
                    "config_unreadable"
                };
                CommandError::new(code, format!("cannot read {}: {error}", path.display()))
            })?
            .len();
        if size > MAX_BACKEND_FILE_BYTES {
            return Err(CommandError::new(
                "config_too_large",
                format!(
                    "{} is {size} bytes; a backend's config is a few kilobytes",
                    path.display()
                ),
            ));
        }
        let config = Config::from_file(path)?;
        if config.client_secret().is_some() {
            return Err(CommandError::new(
                "config_has_client_secret",
                format!(
                    "{} has an app client secret; Coffer does not copy secrets into its settings. Use an app client without a secret (as desktop apps should)",
                    path.display()
                ),
            ));
        }
        Ok(Self {
            config,
            source: path.to_path_buf(),
        })
    }

    /// Refuses a config for the local cloud running inside the app (e.g. its own
    /// `<data>/coffer.toml`): switching shuts that local cloud down, so the config would then
    /// point at nothing.
    pub fn check_not_in_process(&self, current: &BackendView) -> Result<(), CommandError> {
        if current.kind == BackendKind::LocalCloud
            && self.config.cognito_idp_endpoint() == current.endpoint
        {
            return Err(CommandError::new(
                "backend_is_local_cloud",
                "this file describes the local cloud Coffer runs inside the app, which is the backend in use",
            ));
        }
        Ok(())
    }

    /// What the settings screen shows before the person confirms.
    pub fn view(&self, saved_to: &Path) -> BackendFileView {
        let config = &self.config;
        BackendFileView {
            file: self.source.display().to_string(),
            format: if is_json(&self.source) {
                BackendFileFormat::AmplifyOutputs
            } else {
                BackendFileFormat::CofferToml
            },
            saved_to: saved_to.display().to_string(),
            region: config.region().to_owned(),
            user_pool_id: config.user_pool_id().to_owned(),
            client_id: config.client_id().to_owned(),
            identity_pool_id: config.identity_pool_id().map(str::to_owned),
            bucket: config.bucket().map(str::to_owned),
            hosted_ui_domain: config.hosted_ui().map(|hosted| hosted.domain.clone()),
            endpoint: config.cognito_idp_endpoint(),
            aws_endpoints: config.uses_aws_endpoints(),
        }
    }

    /// Writes the config to `target` atomically, keeping a file already there as a backup
    /// ([`keep_backup`]).
    pub fn save(&self, target: &Path) -> Result<(), CommandError> {
        let text = format!(
            "# Coffer's backend, chosen in the app's settings from {}\n{}",
            self.source.display(),
            self.config.to_toml_without_secret()
        );
        let failed = |error: std::io::Error| {
            CommandError::new(
                "config_write_failed",
                format!("cannot save the config to {}: {error}", target.display()),
            )
        };
        let dir = target
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(failed)?;
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
        file.write_all(text.as_bytes()).map_err(failed)?;
        file.as_file().sync_all().map_err(failed)?;
        keep_backup(target).map_err(failed)?;
        file.persist(target).map_err(|error| failed(error.error))?;
        Ok(())
    }
}

/// Moves a saved config aside (to a backup, [`keep_backup`]), so the next start finds none
/// (nothing to do when there is none). The config is removed only once its backup is written.
pub fn move_aside(target: &Path) -> Result<(), CommandError> {
    let failed = |error: std::io::Error| {
        CommandError::new(
            "config_write_failed",
            format!("cannot move {} aside: {error}", target.display()),
        )
    };
    if keep_backup(target).map_err(failed)?.is_some() {
        match std::fs::remove_file(target) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(failed(error)),
        }
    }
    Ok(())
}

/// The most backups of one config kept side by side (`.bak`, `.bak.1` … `.bak.999`); past
/// that, changing the backend is refused rather than a backup replaced.
const MAX_BACKUPS: usize = 1000;

/// The `index`th place a replaced or removed config is kept: `<target>.bak`, then
/// `<target>.bak.1`, `<target>.bak.2`…
pub fn backup_of(target: &Path, index: usize) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".bak");
    if index > 0 {
        name.push(format!(".{index}"));
    }
    PathBuf::from(name)
}

/// Keeps a copy of `target` before it is replaced or removed, without ever overwriting an
/// earlier backup: in the first free place of [`backup_of`], unless a backup with exactly the
/// same bytes exists already. Returns where the copy is (`None`: there is no `target`).
pub fn keep_backup(target: &Path) -> std::io::Result<Option<PathBuf>> {
    let contents = match std::fs::read(target) {
        Ok(contents) => contents,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    for index in 0..MAX_BACKUPS {
        let backup = backup_of(target, index);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&backup)
        {
            Ok(mut file) => {
                let written = file.write_all(&contents).and_then(|()| file.sync_all());
                if let Err(error) = written {
                    // A partial backup must not pass for a copy of the config.
                    drop(file);
                    let _ = std::fs::remove_file(&backup);
                    return Err(error);
                }
                return Ok(Some(backup));
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                if std::fs::read(&backup)? == contents {
                    return Ok(Some(backup));
                }
            }
            Err(error) => return Err(error),
        }
    }
    Err(std::io::Error::other(format!(
        "{} backups of it exist already; remove some",
        MAX_BACKUPS
    )))
}

/// Lets the previous backend go: forgets its session here (no network call) and shuts its
/// in-process local cloud down. A keychain that cannot delete is logged, not fatal: the tokens
/// left behind are keyed to the old user pool and never used for the new one.
pub(crate) async fn let_go(previous: Option<Arc<Ready>>) {
    let Some(previous) = previous else { return };
    if let Err(error) = previous.client.forget_tokens().await {
        tracing::warn!(
            code = error.code(),
            "the previous backend's session was not forgotten"
        );
    }
    if let Some(cloud) = previous.take_local_cloud() {
        cloud.shutdown().await;
    }
}

/// The backend view as the settings screen shows it: with whether it can be changed here.
pub(crate) fn shown(
    mut view: BackendView,
    choice: Result<&BackendChoice, CommandError>,
) -> BackendView {
    view.change_unavailable = match choice {
        Ok(choice) => choice.unavailable(),
        Err(error) => Some(error.message),
    };
    view
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Amplify Gen 2 `amplify_outputs.json` with auth, hosted UI and storage.
    const AMPLIFY: &str = include_str!("../tests/data/amplify_outputs.json");

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn an_amplify_file_is_summarised_and_saved_as_a_coffer_config() {
        let dir = tempfile::tempdir().unwrap();
        let source = write(dir.path(), "amplify_outputs.json", AMPLIFY);
        let target = dir.path().join("config/coffer/coffer.toml");
        let chosen = ChosenBackend::read(&source).unwrap();
        let view = chosen.view(&target);
        assert_eq!(view.format, BackendFileFormat::AmplifyOutputs);
        assert_eq!(view.region, "eu-west-1");
        assert_eq!(view.user_pool_id, "eu-west-1_AmpPool");
        assert_eq!(view.client_id, "ampclient1");
        assert_eq!(view.bucket.as_deref(), Some("amp-bucket"));
        assert_eq!(
            view.hosted_ui_domain.as_deref(),
            Some("https://amp.auth.eu-west-1.amazoncognito.com")
        );
        assert!(view.aws_endpoints);
        assert_eq!(view.endpoint, "https://cognito-idp.eu-west-1.amazonaws.com");

        chosen.save(&target).unwrap();
        let saved = Config::from_file(&target).unwrap();
        assert_eq!(saved.user_pool_id(), "eu-west-1_AmpPool");
        assert_eq!(
            saved.identity_pool_id(),
            Some("eu-west-1:0a1b2c3d-0000-4000-8000-000000000000")
        );
        assert_eq!(
            saved.hosted_ui().map(|h| h.providers.clone()),
            Some(vec!["COGNITO".to_owned(), "Google".to_owned()])
        );
        assert!(!backup_of(&target, 0).exists(), "nothing was replaced");
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(target.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("coffer.toml")]);
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// Review finding: with one `.bak` slot, choosing a backend over a hand-written config and
    /// then going back to the local cloud destroyed the hand-written one.
    #[test]
    fn the_persons_own_config_survives_any_sequence_of_backend_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mine = "# mine\nregion = \"us-east-1\"\nuser_pool_id = \"us-east-1_Old\"\nclient_id = \"old1\"\n";
        let target = write(dir.path(), "coffer.toml", mine);
        let amplify = write(dir.path(), "amplify_outputs.json", AMPLIFY);
        let other = toml_at(dir.path(), "http://127.0.0.1:9");

        // "Use my own backend…": the hand-written config is kept as `.bak`.
        ChosenBackend::read(&amplify)
            .unwrap()
            .save(&target)
            .unwrap();
        assert_eq!(read(&backup_of(&target, 0)), mine);
        let amplify_saved = read(&target);
        assert!(amplify_saved.contains("eu-west-1_AmpPool"));

        // "Back to the local cloud": the saved one goes to the next place, `.bak` stays.
        move_aside(&target).unwrap();
        assert!(!target.exists());
        assert_eq!(read(&backup_of(&target, 0)), mine);
        assert_eq!(read(&backup_of(&target, 1)), amplify_saved);

        // A third backend, then back again: still nothing overwritten.
        ChosenBackend::read(&other).unwrap().save(&target).unwrap();
        let other_saved = read(&target);
        move_aside(&target).unwrap();
        assert_eq!(read(&backup_of(&target, 0)), mine);
        assert_eq!(read(&backup_of(&target, 1)), amplify_saved);
        assert_eq!(read(&backup_of(&target, 2)), other_saved);

        // Switching back and forth between known backends keeps no second copy of either.
        ChosenBackend::read(&amplify)
            .unwrap()
            .save(&target)
            .unwrap();
        move_aside(&target).unwrap();
        assert!(!backup_of(&target, 3).exists());
        // Nothing saved: nothing to move.
        move_aside(&target).unwrap();
        assert!(!backup_of(&target, 3).exists());
    }

    #[test]
    fn a_backup_never_replaces_a_file_in_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let target = write(dir.path(), "coffer.toml", "current");
        // Something else already sits where the first backups would go.
        write(dir.path(), "coffer.toml.bak", "older");
        write(dir.path(), "coffer.toml.bak.1", "oldest");
        let kept = keep_backup(&target).unwrap().unwrap();
        assert_eq!(kept, backup_of(&target, 2));
        assert_eq!(read(&kept), "current");
        assert_eq!(read(&backup_of(&target, 0)), "older");
        assert_eq!(read(&backup_of(&target, 1)), "oldest");
        // The same bytes again: the existing copy is the backup.
        assert_eq!(keep_backup(&target).unwrap(), Some(kept));
        assert_eq!(keep_backup(&dir.path().join("absent.toml")).unwrap(), None);
    }

    /// A `coffer.toml` whose user-pool endpoint is `endpoint`.
    fn toml_at(dir: &Path, endpoint: &str) -> PathBuf {
        let text = format!(
            "region = \"us-east-1\"\nuser_pool_id = \"us-east-1_Pool\"\nclient_id = \"c1\"\n\
             [endpoints]\ncognito_idp = \"{endpoint}\"\n"
        );
        write(dir, "backend.toml", &text)
    }

    #[test]
    fn a_coffer_toml_keeps_its_endpoints() {
        let dir = tempfile::tempdir().unwrap();
        let source = toml_at(dir.path(), "http://127.0.0.1:9");
        let chosen = ChosenBackend::read(&source).unwrap();
        let target = dir.path().join("saved.toml");
        let view = chosen.view(&target);
        assert_eq!(view.format, BackendFileFormat::CofferToml);
        assert!(!view.aws_endpoints);
        assert_eq!(view.endpoint, "http://127.0.0.1:9");
        chosen.save(&target).unwrap();
        assert_eq!(
            Config::from_file(&target).unwrap().cognito_idp_endpoint(),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn the_in_process_local_cloud_is_not_a_backend_to_switch_to() {
        let dir = tempfile::tempdir().unwrap();
        let source = toml_at(dir.path(), "http://127.0.0.1:4566");
        let chosen = ChosenBackend::read(&source).unwrap();
        let config = Config::from_file(&source).unwrap();
        let mut current = backend::view_of(&config, BackendKind::LocalCloud, None, None);
        assert_eq!(
            chosen.check_not_in_process(&current).unwrap_err().code,
            "backend_is_local_cloud"
        );
        // A local cloud in another process keeps running: switching to it is fine.
        current.kind = BackendKind::ExternalLocalCloud;
        assert!(chosen.check_not_in_process(&current).is_ok());
        current.kind = BackendKind::LocalCloud;
        current.endpoint = "http://127.0.0.1:4567".to_owned();
        assert!(chosen.check_not_in_process(&current).is_ok());
    }

    #[test]
    fn bad_files_are_refused_with_their_code_and_never_echo_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("a.json", "not json".to_owned(), "config_not_json"),
            (
                "b.json",
                AMPLIFY.replace(r#""user_pool_id": "eu-west-1_AmpPool","#, ""),
                "config_missing_field",
            ),
            ("c.toml", "[[[".to_owned(), "config_not_toml"),
            (
                "d.toml",
                "region = \"us-east-1\"\nuser_pool_id = \"us-east-1_P\"\nclient_id = \"c1\"\nclient_secret = \"s3cr3t-value\"\n"
                    .to_owned(),
                "config_has_client_secret",
            ),
            ("e.toml", "x".repeat(MAX_BACKEND_FILE_BYTES as usize + 1), "config_too_large"),
        ];
        for (name, text, code) in cases {
            let path = write(dir.path(), name, &text);
            let error = ChosenBackend::read(&path).unwrap_err();
            assert_eq!(error.code, code, "{name}: {}", error.message);
            assert!(!error.message.contains("s3cr3t"), "{}", error.message);
        }
        let error = ChosenBackend::read(&dir.path().join("absent.json")).unwrap_err();
        assert_eq!(error.code, "config_not_found");
    }

    #[test]
    fn coffer_config_in_the_environment_pins_the_backend() {
        let dir = tempfile::tempdir().unwrap();
        let platform = dir.path().join("coffer.toml");
        let mut locations = ConfigLocations {
            platform_dir: Some(platform.clone()),
            ..ConfigLocations::default()
        };
        assert_eq!(
            BackendChoice::saved_config_of(&locations).unwrap(),
            platform
        );
        locations.environment = Some(dir.path().join("mine.toml"));
        let error = BackendChoice::saved_config_of(&locations).unwrap_err();
        assert_eq!(error.code, "backend_pinned");
        assert!(error.message.contains("COFFER_CONFIG"), "{}", error.message);
        locations.environment = None;
        locations.platform_dir = None;
        assert_eq!(
            BackendChoice::saved_config_of(&locations).unwrap_err().code,
            "no_config_dir"
        );
    }
}
