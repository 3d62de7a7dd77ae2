//! Which backend the app talks to, and starting the in-process local cloud.
//!
//! The choice ([`plan`]) is a pure function of the config lookup and two environment
//! variables, so it is tested without starting anything:
//!
//! 1. `COFFER_DATA_DIR` or `COFFER_LOCAL_CLOUD_ADDR` set: the in-process local cloud, with that
//!    data directory (default: the platform one, e.g. `~/.local/share/coffer/local-cloud`) and
//!    address (default `127.0.0.1:4566`). Tests pin both.
//! 2. Otherwise coffer-core's config lookup ([`coffer_core::ConfigLocations`]): a config named
//!    by `COFFER_CONFIG` or in the platform config directory wins. The settings screen saves
//!    the backend a person picks to the latter ([`crate::choice`]).
//! 3. Otherwise (no config, or only the local cloud's own demo config): the in-process local
//!    cloud with the defaults. A first start needs nothing.
//!
//! The local cloud listens on a fixed port by default because the keychain entry for a session
//! is keyed by the issuer, which includes the port: a new port each start would forget the
//! session. When that port is taken — typically by `coffer local-cloud` on the same data
//! directory — the app uses that running local cloud through the config file it wrote, rather
//! than open the same state a second time.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use coffer_core::{Config, ConfigError, ConfigLocations, ConfigOrigin, ConfigPath};
use local_cloud::{LocalCloudConfig, LocalCloudError, RunningLocalCloud};

use crate::error::CommandError;
use crate::ipc::{BackendKind, BackendView};

/// Environment variable: the local cloud's data directory.
pub const DATA_DIR_ENV_VAR: &str = "COFFER_DATA_DIR";
/// Environment variable: the address the in-process local cloud listens on.
pub const LOCAL_CLOUD_ADDR_ENV_VAR: &str = "COFFER_LOCAL_CLOUD_ADDR";

/// What the environment asks of the local cloud.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalCloudOverrides {
    /// `COFFER_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
    /// `COFFER_LOCAL_CLOUD_ADDR`.
    pub addr: Option<SocketAddr>,
}

impl LocalCloudOverrides {
    /// Reads the two variables; an address that does not parse is an error.
    pub fn from_environment() -> Result<Self, CommandError> {
        let var = |name| std::env::var_os(name).filter(|value| !value.is_empty());
        let addr = match var(LOCAL_CLOUD_ADDR_ENV_VAR) {
            None => None,
            Some(text) => Some(text.to_string_lossy().parse().map_err(|_| {
                CommandError::new(
                    "config_invalid",
                    format!("{LOCAL_CLOUD_ADDR_ENV_VAR} must be an address such as 127.0.0.1:4566"),
                )
            })?),
        };
        Ok(Self {
            data_dir: var(DATA_DIR_ENV_VAR).map(PathBuf::from),
            addr,
        })
    }
}

/// The chosen backend, before anything is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendPlan {
    /// Use this config file.
    ConfigFile(ConfigPath),
    /// Start the local cloud in-process.
    LocalCloud {
        /// Where to listen.
        addr: SocketAddr,
        /// Where its state lives.
        data_dir: PathBuf,
    },
}

/// Chooses the backend (see the module docs for the rules).
pub fn plan(
    locations: &ConfigLocations,
    overrides: &LocalCloudOverrides,
    default_data_dir: Option<PathBuf>,
) -> Result<BackendPlan, CommandError> {
    if overrides.data_dir.is_some() || overrides.addr.is_some() {
        return local_cloud_plan(overrides, default_data_dir);
    }
    match locations.find() {
        Ok(found) if found.origin != ConfigOrigin::LocalCloud => Ok(BackendPlan::ConfigFile(found)),
        Ok(_) | Err(ConfigError::NotFound { .. }) => local_cloud_plan(overrides, default_data_dir),
        Err(error) => Err(error.into()),
    }
}

/// The in-process local cloud with the environment's overrides, else the defaults (also what
/// "Back to the local cloud" in the settings starts).
pub fn local_cloud_plan(
    overrides: &LocalCloudOverrides,
    default_data_dir: Option<PathBuf>,
) -> Result<BackendPlan, CommandError> {
    let data_dir = overrides
        .data_dir
        .clone()
        .or(default_data_dir)
        .ok_or_else(|| {
            CommandError::new(
                "no_data_dir",
                format!("no home directory to keep the local cloud in; set {DATA_DIR_ENV_VAR}"),
            )
        })?;
    Ok(BackendPlan::LocalCloud {
        addr: overrides.addr.unwrap_or_else(default_addr),
        data_dir,
    })
}

fn default_addr() -> SocketAddr {
    // The constant is a literal socket address; the test below parses it.
    coffer_core::DEFAULT_LOCAL_CLOUD_ADDR
        .parse()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 4566)))
}

/// A backend ready for a [`coffer_core::Client`].
pub struct Backend {
    /// The client config.
    pub config: Config,
    /// What the settings screen shows.
    pub view: BackendView,
    /// The in-process local cloud, kept alive as long as the app.
    pub local_cloud: Option<RunningLocalCloud>,
}

/// Carries out a plan: reads the config file, or starts the local cloud and reads the config it
/// wrote.
pub async fn start(plan: BackendPlan) -> Result<Backend, CommandError> {
    match plan {
        BackendPlan::ConfigFile(found) => {
            let config = Config::from_file(&found.path)?;
            let view = view_of(&config, BackendKind::ConfigFile, Some(&found), None);
            Ok(Backend {
                config,
                view,
                local_cloud: None,
            })
        }
        BackendPlan::LocalCloud { addr, data_dir } => {
            match local_cloud::start(LocalCloudConfig::new(addr, &data_dir)).await {
                Ok(cloud) => {
                    let found = ConfigPath {
                        path: cloud.demo().config_path.clone(),
                        origin: ConfigOrigin::LocalCloud,
                    };
                    let config = Config::from_file(&found.path)?;
                    let view = view_of(
                        &config,
                        BackendKind::LocalCloud,
                        Some(&found),
                        Some(&data_dir),
                    );
                    Ok(Backend {
                        config,
                        view,
                        local_cloud: Some(cloud),
                    })
                }
                Err(LocalCloudError::Bind { .. }) => external_local_cloud(addr, &data_dir),
                Err(error) => Err(CommandError::new(
                    "local_cloud_failed",
                    format!("the local cloud could not start: {error}"),
                )),
            }
        }
    }
}

/// The port is taken: use the local cloud that already serves this data directory, if its
/// config file says it listens there.
fn external_local_cloud(addr: SocketAddr, data_dir: &Path) -> Result<Backend, CommandError> {
    let path = data_dir.join(coffer_core::CONFIG_FILE_NAME);
    let refuse = || {
        CommandError::new(
            "local_cloud_port_taken",
            format!(
                "{addr} is in use by another program; stop it, or set {LOCAL_CLOUD_ADDR_ENV_VAR} to another address"
            ),
        )
    };
    let config = Config::from_file(&path).map_err(|_| refuse())?;
    if config.cognito_idp_endpoint() != format!("http://{addr}") {
        return Err(refuse());
    }
    let found = ConfigPath {
        path,
        origin: ConfigOrigin::LocalCloud,
    };
    let view = view_of(
        &config,
        BackendKind::ExternalLocalCloud,
        Some(&found),
        Some(data_dir),
    );
    Ok(Backend {
        config,
        view,
        local_cloud: None,
    })
}

/// The settings screen's view of a backend (`change_unavailable` is filled in when it is
/// shown, from the app state).
pub(crate) fn view_of(
    config: &Config,
    kind: BackendKind,
    found: Option<&ConfigPath>,
    data_dir: Option<&Path>,
) -> BackendView {
    BackendView {
        kind,
        endpoint: config.cognito_idp_endpoint(),
        region: config.region().to_owned(),
        user_pool_id: config.user_pool_id().to_owned(),
        client_id: config.client_id().to_owned(),
        config_path: found.map(|found| found.path.display().to_string()),
        config_origin: found.map(|found| found.origin.to_string()),
        data_dir: data_dir.map(|dir| dir.display().to_string()),
        hosted_ui: config.hosted_ui().is_some(),
        hosted_ui_providers: config
            .hosted_ui()
            .map(|hosted| hosted.providers.clone())
            .unwrap_or_default(),
        change_unavailable: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str =
        "region = \"eu-west-1\"\nuser_pool_id = \"eu-west-1_Pool1\"\nclient_id = \"abc123\"\n";

    fn locations(dir: &Path, platform: bool, local: bool) -> ConfigLocations {
        let platform_path = dir.join("platform.toml");
        let local_path = dir.join("local.toml");
        if platform {
            std::fs::write(&platform_path, CONFIG).unwrap();
        }
        if local {
            std::fs::write(&local_path, CONFIG).unwrap();
        }
        ConfigLocations {
            platform_dir: Some(platform_path),
            local_cloud: Some(local_path),
            ..ConfigLocations::default()
        }
    }

    #[test]
    fn the_default_address_is_the_cli_one() {
        assert_eq!(
            default_addr().to_string(),
            coffer_core::DEFAULT_LOCAL_CLOUD_ADDR
        );
    }

    #[test]
    fn a_first_start_runs_the_local_cloud_in_the_default_place() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let plan = plan(
            &locations(dir.path(), false, false),
            &LocalCloudOverrides::default(),
            Some(data.clone()),
        )
        .unwrap();
        assert_eq!(
            plan,
            BackendPlan::LocalCloud {
                addr: default_addr(),
                data_dir: data
            }
        );
    }

    #[test]
    fn the_local_clouds_own_config_still_means_the_in_process_local_cloud() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(
            &locations(dir.path(), false, true),
            &LocalCloudOverrides::default(),
            Some(dir.path().into()),
        )
        .unwrap();
        assert!(matches!(plan, BackendPlan::LocalCloud { .. }), "{plan:?}");
    }

    #[test]
    fn a_users_config_file_wins_over_the_local_cloud() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(
            &locations(dir.path(), true, true),
            &LocalCloudOverrides::default(),
            None,
        )
        .unwrap();
        let BackendPlan::ConfigFile(found) = plan else {
            panic!("{plan:?}")
        };
        assert_eq!(found.origin, ConfigOrigin::PlatformDir);
    }

    #[test]
    fn pinning_the_local_cloud_overrides_any_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let overrides = LocalCloudOverrides {
            data_dir: Some(dir.path().join("pinned")),
            addr: Some("127.0.0.1:45999".parse().unwrap()),
        };
        let plan = plan(&locations(dir.path(), true, true), &overrides, None).unwrap();
        assert_eq!(
            plan,
            BackendPlan::LocalCloud {
                addr: "127.0.0.1:45999".parse().unwrap(),
                data_dir: dir.path().join("pinned")
            }
        );
    }

    #[test]
    fn a_config_named_by_the_environment_but_missing_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut locations = locations(dir.path(), false, true);
        locations.environment = Some(dir.path().join("absent.toml"));
        let error = plan(&locations, &LocalCloudOverrides::default(), None).unwrap_err();
        assert_eq!(error.code, "config_not_found");
        assert!(error.message.contains("absent.toml"), "{}", error.message);
    }

    #[tokio::test]
    async fn a_taken_port_with_no_local_cloud_of_ours_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let error = start(BackendPlan::LocalCloud {
            addr,
            data_dir: dir.path().into(),
        })
        .await
        .err()
        .unwrap();
        assert_eq!(error.code, "local_cloud_port_taken");
    }
}
