//! The client config: which user pool, app client and endpoints Coffer talks to.
//!
//! The file format is TOML; other tools rely on this shape, so keep it stable:
//!
//! ```toml
//! region = "us-east-1"
//! user_pool_id = "us-east-1_AbCdEf123"
//! client_id = "1example23456789"
//! # client_secret = "…"              # only for app clients created with a secret
//! # identity_pool_id = "us-east-1:0a1b2c3d-…"
//! # bucket = "my-coffer-bucket"
//!
//! [hosted_ui]                         # optional
//! domain = "https://example.auth.us-east-1.amazoncognito.com"
//! redirect_uris = ["http://127.0.0.1:53682/callback"]
//! providers = ["COGNITO"]
//!
//! [endpoints]                         # optional: absent means AWS itself
//! cognito_idp = "http://127.0.0.1:4566"
//! cognito_identity = "http://127.0.0.1:4566"
//! s3 = "http://127.0.0.1:4566"
//! # issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"   # rarely needed
//! ```
//!
//! # The token issuer
//!
//! Tokens are trusted only with the exact `iss` their pool puts in them, and the pool's keys
//! are fetched from `<issuer>/.well-known/jwks.json` ([`Config::issuer`]). Real Cognito always
//! issues `https://cognito-idp.<region>.amazonaws.com/<user pool id>`, whatever host the API
//! was called through: the AWS guide ("Understanding the ID token", `iss`) documents that one
//! form, and AWS's own verifier (awslabs/aws-jwt-verify) derives the issuer from the pool id
//! alone. A FIPS endpoint (`cognito-idp-fips.<region>.amazonaws.com`, the only kind in AWS
//! GovCloud), a PrivateLink name (`*.vpce.amazonaws.com`) or a proxy changes where calls go,
//! not what Cognito writes into the tokens. The local cloud, on the other hand, issues
//! `<its endpoint>/<user pool id>`, as do other emulators. So the expected issuer is:
//!
//! 1. `[endpoints] issuer`, when set: the full `iss` (it must end in `/<user_pool_id>`), for a
//!    Cognito reached through a host that is not `*.amazonaws.com` (a corporate proxy), a
//!    multi-Region replica's issuer, or an emulator with its own convention;
//! 2. otherwise, when `[endpoints] cognito_idp` is absent or its host is `amazonaws.com` or
//!    ends in `.amazonaws.com`: AWS's `https://cognito-idp.<region>.amazonaws.com/<pool>`;
//! 3. otherwise (the local cloud, an emulator on any other host): `<cognito_idp>/<pool>`.
//!
//! Unknown keys are refused (a typo such as `user_pool` must not silently fall back to a
//! default). Values are checked when the file is read ("parse, don't validate"): a [`Config`]
//! in hand is well formed.
//!
//! Lookup order, first hit wins ([`ConfigLocations`]):
//! 1. an explicit path (the CLI's `--config FILE`),
//! 2. the `COFFER_CONFIG` environment variable,
//! 3. `coffer.toml` in the platform config directory (e.g. `~/.config/coffer/` on Linux),
//! 4. the local cloud's demo config, `coffer.toml` in [`default_local_cloud_dir`].
//!
//! An explicit path or `COFFER_CONFIG` that names a missing file is an error, not a reason to
//! look further: the user asked for that file.
//!
//! A file whose name ends in `.json` is read as Amplify Gen 2's `amplify_outputs.json`
//! (`auth.*`, `storage.bucket_name`; see [`cfn_template::ClientConfig::from_amplify_outputs`]),
//! so `--config amplify_outputs.json` works as is. It describes AWS itself: no `[endpoints]`.
//!
//! Errors say what kind of problem a file has, each with its own stable code: not JSON
//! (`config_not_json`), not TOML (`config_not_toml`), a required setting missing
//! (`config_missing_field`, e.g. no user pool), an `amplify_outputs.json` schema Coffer does not
//! read (`config_unsupported_version`), or a bad value or unknown key (`config_invalid`).
//!
//! [`Config::to_toml_without_secret`] writes a config back in this format (the desktop app saves
//! the backend a person picks that way); it never writes the client secret.

use std::fmt;
use std::path::{Path, PathBuf};

use reqwest::Url;
use serde::{Deserialize, Serialize};

use crate::secret::ClientSecret;

/// The address `coffer local-cloud` listens on when none is given.
pub const DEFAULT_LOCAL_CLOUD_ADDR: &str = "127.0.0.1:4566";
/// Environment variable naming the config file.
pub const CONFIG_ENV_VAR: &str = "COFFER_CONFIG";
/// File name of the config, in the platform config dir and in the local cloud's data dir.
pub const CONFIG_FILE_NAME: &str = "coffer.toml";

/// Platform directories for Coffer (`~/.config/coffer`, `~/.local/share/coffer` on Linux).
fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "coffer")
}

/// Where `coffer local-cloud` keeps its state when no `--data` is given:
/// `<platform data dir>/local-cloud` (e.g. `~/.local/share/coffer/local-cloud`).
/// `None` when the platform has no home directory for the current user.
pub fn default_local_cloud_dir() -> Option<PathBuf> {
    project_dirs().map(|dirs| dirs.data_dir().join("local-cloud"))
}

/// A validated client config.
#[derive(Debug, Clone)]
pub struct Config {
    region: String,
    user_pool_id: String,
    client_id: String,
    client_secret: Option<ClientSecret>,
    identity_pool_id: Option<String>,
    bucket: Option<String>,
    hosted_ui: Option<HostedUi>,
    endpoints: Endpoints,
    /// `[endpoints] issuer`: the expected `iss`, when the default rule does not fit (see the
    /// module docs).
    issuer: Option<String>,
}

/// The optional `[hosted_ui]` section (used by the browser sign-in, a later feature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedUi {
    /// Base URL of the hosted UI domain.
    pub domain: String,
    /// Registered callback URLs; Cognito matches them exactly, port included.
    pub redirect_uris: Vec<String>,
    /// Identity-provider hints offered as buttons (`COGNITO`, `Google`, …).
    pub providers: Vec<String>,
}

/// Service endpoints. `None` means the AWS endpoint for the region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    cognito_idp: Option<String>,
    cognito_identity: Option<String>,
    s3: Option<String>,
}

impl Endpoints {
    /// Every service at one base URL, as the local cloud serves them.
    pub fn all_at(base_url: &str) -> Result<Self, ConfigError> {
        let url = parse_endpoint("endpoints", base_url)?;
        Ok(Self {
            cognito_idp: Some(url.clone()),
            cognito_identity: Some(url.clone()),
            s3: Some(url),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    // Required, but optional here so that a missing one is reported as such
    // (`ConfigError::MissingField`), not as a generic parse error.
    region: Option<String>,
    user_pool_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<ClientSecret>,
    identity_pool_id: Option<String>,
    bucket: Option<String>,
    hosted_ui: Option<RawHostedUi>,
    endpoints: Option<RawEndpoints>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHostedUi {
    domain: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    providers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEndpoints {
    cognito_idp: Option<String>,
    cognito_identity: Option<String>,
    s3: Option<String>,
    issuer: Option<String>,
}

impl Config {
    /// A config for a user pool and app client on AWS, without secret or extras.
    pub fn new(
        region: impl Into<String>,
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Result<Self, ConfigError> {
        let region = region.into();
        let user_pool_id = user_pool_id.into();
        let client_id = client_id.into();
        validate_region(&region)?;
        validate_user_pool_id(&user_pool_id, &region)?;
        validate_client_id(&client_id)?;
        Ok(Self {
            region,
            user_pool_id,
            client_id,
            client_secret: None,
            identity_pool_id: None,
            bucket: None,
            hosted_ui: None,
            endpoints: Endpoints::default(),
            issuer: None,
        })
    }

    /// Replaces the endpoints (e.g. [`Endpoints::all_at`] for a local cloud).
    pub fn with_endpoints(mut self, endpoints: Endpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// Sets the expected token issuer (`[endpoints] issuer`, see the module docs): the full
    /// `iss`, ending in `/<user pool id>`.
    pub fn with_issuer(mut self, issuer: &str) -> Result<Self, ConfigError> {
        self.issuer = Some(parse_issuer(issuer, &self.user_pool_id)?);
        Ok(self)
    }

    /// Sets the app client's secret.
    pub fn with_client_secret(mut self, secret: ClientSecret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Parses a config from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse(text, None)
    }

    /// Reads and parses a config file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ConfigError::Missing {
                    path: path.to_path_buf(),
                    origin: ConfigOrigin::Explicit,
                }
            } else {
                ConfigError::Unreadable {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
        {
            return Self::from_amplify_outputs(&text, path);
        }
        Self::parse(&text, Some(path))
    }

    /// Reads Amplify Gen 2's `amplify_outputs.json` text (from `path`, for errors).
    fn from_amplify_outputs(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: Some(path.to_path_buf()),
            position: None,
            message,
        };
        // Neither error echoes values: serde_json's syntax errors give a position, the
        // converter names fields.
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|error| ConfigError::NotJson {
                path: path.to_path_buf(),
                line: error.line(),
                column: error.column(),
            })?;
        let converted = cfn_template::ClientConfig::from_amplify_outputs(&json).map_err(
            |error| match error {
                cfn_template::ClientConfigError::MissingAmplifyField { field } => {
                    ConfigError::MissingField {
                        path: Some(path.to_path_buf()),
                        field,
                    }
                }
                cfn_template::ClientConfigError::UnsupportedAmplifyVersion { version } => {
                    ConfigError::UnsupportedVersion {
                        path: path.to_path_buf(),
                        version,
                    }
                }
                other => invalid(other.to_string()),
            },
        )?;
        Self::parse(&converted.to_toml(), Some(path))
    }

    /// Finds the config the way the CLI and the app do (see the module docs) and reads it.
    /// `explicit` is the `--config` path, if any.
    pub fn load(explicit: Option<&Path>) -> Result<(Self, ConfigPath), ConfigError> {
        ConfigLocations::from_environment(explicit.map(Path::to_path_buf)).load()
    }

    fn parse(text: &str, path: Option<&Path>) -> Result<Self, ConfigError> {
        let position_of =
            |error: &toml::de::Error| error.span().map(|span| line_and_column(text, span.start));
        // Syntax first, so "not TOML at all" is told apart from "TOML, but not a config".
        // Only the message is kept: the error's own Display quotes the offending line, which
        // could hold the client secret.
        toml::from_str::<toml::Table>(text).map_err(|error| ConfigError::NotToml {
            path: path.map(Path::to_path_buf),
            position: position_of(&error),
            message: error.message().to_owned(),
        })?;
        let raw: RawConfig = toml::from_str(text).map_err(|error| ConfigError::Invalid {
            path: path.map(Path::to_path_buf),
            position: position_of(&error),
            message: error.message().to_owned(),
        })?;
        Self::from_raw(raw).map_err(|error| match error {
            ConfigError::Invalid {
                path: None,
                position,
                message,
            } => ConfigError::Invalid {
                path: path.map(Path::to_path_buf),
                position,
                message,
            },
            ConfigError::MissingField { path: None, field } => ConfigError::MissingField {
                path: path.map(Path::to_path_buf),
                field,
            },
            other => other,
        })
    }

    fn from_raw(raw: RawConfig) -> Result<Self, ConfigError> {
        let required = |value: Option<String>, field: &'static str| {
            value.ok_or(ConfigError::MissingField { path: None, field })
        };
        let mut config = Self::new(
            required(raw.region, "region")?,
            required(raw.user_pool_id, "user_pool_id")?,
            required(raw.client_id, "client_id")?,
        )?;
        if let Some(secret) = raw.client_secret {
            if secret.expose().is_empty() {
                return Err(invalid_value("client_secret", "must not be empty"));
            }
            config.client_secret = Some(secret);
        }
        if let Some(identity_pool_id) = raw.identity_pool_id {
            validate_identity_pool_id(&identity_pool_id, &config.region)?;
            config.identity_pool_id = Some(identity_pool_id);
        }
        if let Some(bucket) = raw.bucket {
            if bucket.is_empty() {
                return Err(invalid_value("bucket", "must not be empty"));
            }
            config.bucket = Some(bucket);
        }
        if let Some(hosted_ui) = raw.hosted_ui {
            let domain = parse_endpoint("hosted_ui.domain", &hosted_ui.domain)?;
            let redirect_uris = hosted_ui
                .redirect_uris
                .iter()
                .map(|uri| parse_url("hosted_ui.redirect_uris", uri).map(|_| uri.clone()))
                .collect::<Result<_, _>>()?;
            config.hosted_ui = Some(HostedUi {
                domain,
                redirect_uris,
                providers: hosted_ui.providers,
            });
        }
        if let Some(endpoints) = raw.endpoints {
            config.endpoints = Endpoints {
                cognito_idp: endpoints
                    .cognito_idp
                    .map(|url| parse_endpoint("endpoints.cognito_idp", &url))
                    .transpose()?,
                cognito_identity: endpoints
                    .cognito_identity
                    .map(|url| parse_endpoint("endpoints.cognito_identity", &url))
                    .transpose()?,
                s3: endpoints
                    .s3
                    .map(|url| parse_endpoint("endpoints.s3", &url))
                    .transpose()?,
            };
            if let Some(issuer) = endpoints.issuer {
                config = config.with_issuer(&issuer)?;
            }
        }
        Ok(config)
    }

    /// AWS region, e.g. `us-east-1`.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// User pool id, e.g. `us-east-1_AbCdEf123`.
    pub fn user_pool_id(&self) -> &str {
        &self.user_pool_id
    }

    /// App client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// App client secret, for clients created with one.
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }

    /// Identity pool id, when configured.
    pub fn identity_pool_id(&self) -> Option<&str> {
        self.identity_pool_id.as_deref()
    }

    /// S3 bucket, when configured.
    pub fn bucket(&self) -> Option<&str> {
        self.bucket.as_deref()
    }

    /// The `[hosted_ui]` section, when present.
    pub fn hosted_ui(&self) -> Option<&HostedUi> {
        self.hosted_ui.as_ref()
    }

    /// True when every configured endpoint is the AWS default (no `[endpoints]` overrides).
    pub fn uses_aws_endpoints(&self) -> bool {
        self.endpoints == Endpoints::default()
    }

    /// The S3 endpoint the config overrides, if it does (the local cloud, an S3-compatible
    /// server); `None` means AWS's own S3, addressed virtual-hosted style.
    pub fn s3_endpoint_override(&self) -> Option<&str> {
        self.endpoints.s3.as_deref()
    }

    /// Base URL of the Cognito user-pools API (no trailing slash).
    pub fn cognito_idp_endpoint(&self) -> String {
        self.endpoints
            .cognito_idp
            .clone()
            .unwrap_or_else(|| format!("https://cognito-idp.{}.amazonaws.com", self.region))
    }

    /// Base URL of the Cognito identity-pools API (no trailing slash).
    pub fn cognito_identity_endpoint(&self) -> String {
        self.endpoints
            .cognito_identity
            .clone()
            .unwrap_or_else(|| format!("https://cognito-identity.{}.amazonaws.com", self.region))
    }

    /// Base URL of S3 (no trailing slash).
    pub fn s3_endpoint(&self) -> String {
        self.endpoints
            .s3
            .clone()
            .unwrap_or_else(|| format!("https://s3.{}.amazonaws.com", self.region))
    }

    /// The `iss` claim of this pool's tokens: `[endpoints] issuer` when set; else AWS's
    /// `https://cognito-idp.<region>.amazonaws.com/<user pool id>` when the user-pool endpoint
    /// is AWS's (absent, or a host under `amazonaws.com`: FIPS, PrivateLink…); else
    /// `<cognito-idp endpoint>/<user pool id>` (the local cloud). See the module docs.
    pub fn issuer(&self) -> String {
        if let Some(issuer) = &self.issuer {
            return issuer.clone();
        }
        let aws_host = match &self.endpoints.cognito_idp {
            None => true,
            Some(endpoint) => Url::parse(endpoint)
                .ok()
                .and_then(|url| url.host_str().map(is_amazonaws_host))
                .unwrap_or(false),
        };
        if aws_host {
            format!(
                "https://cognito-idp.{}.amazonaws.com/{}",
                self.region, self.user_pool_id
            )
        } else {
            format!("{}/{}", self.cognito_idp_endpoint(), self.user_pool_id)
        }
    }

    /// Where the pool publishes its signing keys: `<issuer>/.well-known/jwks.json`.
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.issuer())
    }

    /// This config as `coffer.toml` text in the documented format, which reads back to the
    /// same config — except that the client secret is never written: it would sit in plain
    /// text in the file. A caller writing a config for someone refuses configs that have one
    /// (see [`Config::client_secret`]) or keeps the secret elsewhere.
    pub fn to_toml_without_secret(&self) -> String {
        let endpoints = &self.endpoints;
        let written = WrittenConfig {
            region: &self.region,
            user_pool_id: &self.user_pool_id,
            client_id: &self.client_id,
            identity_pool_id: self.identity_pool_id.as_deref(),
            bucket: self.bucket.as_deref(),
            hosted_ui: self.hosted_ui.as_ref().map(|hosted_ui| WrittenHostedUi {
                domain: &hosted_ui.domain,
                redirect_uris: &hosted_ui.redirect_uris,
                providers: &hosted_ui.providers,
            }),
            endpoints: (!self.uses_aws_endpoints() || self.issuer.is_some()).then_some(
                WrittenEndpoints {
                    cognito_idp: endpoints.cognito_idp.as_deref(),
                    cognito_identity: endpoints.cognito_identity.as_deref(),
                    s3: endpoints.s3.as_deref(),
                    issuer: self.issuer.as_deref(),
                },
            ),
        };
        // Invariant: every field is a string, a list of strings or a table of those (the
        // tables last), which TOML always represents.
        toml::to_string(&written).expect("a config always serialises to TOML")
    }
}

/// The shape [`Config::to_toml_without_secret`] writes: [`RawConfig`] without the secret.
#[derive(Serialize)]
struct WrittenConfig<'a> {
    region: &'a str,
    user_pool_id: &'a str,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity_pool_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bucket: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hosted_ui: Option<WrittenHostedUi<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoints: Option<WrittenEndpoints<'a>>,
}

#[derive(Serialize)]
struct WrittenHostedUi<'a> {
    domain: &'a str,
    redirect_uris: &'a [String],
    providers: &'a [String],
}

#[derive(Serialize)]
struct WrittenEndpoints<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    cognito_idp: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cognito_identity: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    s3: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<&'a str>,
}

/// Where a config file was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigOrigin {
    /// Given explicitly (`--config`).
    Explicit,
    /// Named by `COFFER_CONFIG`.
    Environment,
    /// The platform config directory.
    PlatformDir,
    /// The local cloud's demo setup.
    LocalCloud,
}

impl fmt::Display for ConfigOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Explicit => "given with --config",
            Self::Environment => "named by COFFER_CONFIG",
            Self::PlatformDir => "platform config directory",
            Self::LocalCloud => "local cloud demo setup",
        })
    }
}

/// A located config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPath {
    /// The file.
    pub path: PathBuf,
    /// Why this file was chosen.
    pub origin: ConfigOrigin,
}

/// The candidate places for the config file, in lookup order. Built from the process
/// environment with [`ConfigLocations::from_environment`], or by hand in tests.
#[derive(Debug, Clone, Default)]
pub struct ConfigLocations {
    /// `--config FILE`.
    pub explicit: Option<PathBuf>,
    /// `COFFER_CONFIG`.
    pub environment: Option<PathBuf>,
    /// `<platform config dir>/coffer.toml`.
    pub platform_dir: Option<PathBuf>,
    /// `<local cloud data dir>/coffer.toml`.
    pub local_cloud: Option<PathBuf>,
}

impl ConfigLocations {
    /// The locations for this process: `explicit`, `COFFER_CONFIG`, the platform config dir and
    /// the default local cloud data dir.
    pub fn from_environment(explicit: Option<PathBuf>) -> Self {
        Self {
            explicit,
            environment: std::env::var_os(CONFIG_ENV_VAR)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
            platform_dir: project_dirs().map(|dirs| dirs.config_dir().join(CONFIG_FILE_NAME)),
            local_cloud: default_local_cloud_dir().map(|dir| dir.join(CONFIG_FILE_NAME)),
        }
    }

    /// The first config file that exists, following the lookup rules in the module docs.
    pub fn find(&self) -> Result<ConfigPath, ConfigError> {
        for (candidate, origin) in [
            (&self.explicit, ConfigOrigin::Explicit),
            (&self.environment, ConfigOrigin::Environment),
        ] {
            if let Some(path) = candidate {
                return if path.exists() {
                    Ok(ConfigPath {
                        path: path.clone(),
                        origin,
                    })
                } else {
                    Err(ConfigError::Missing {
                        path: path.clone(),
                        origin,
                    })
                };
            }
        }
        for (candidate, origin) in [
            (&self.platform_dir, ConfigOrigin::PlatformDir),
            (&self.local_cloud, ConfigOrigin::LocalCloud),
        ] {
            if let Some(path) = candidate.as_ref().filter(|path| path.exists()) {
                return Ok(ConfigPath {
                    path: path.clone(),
                    origin,
                });
            }
        }
        Err(ConfigError::NotFound {
            searched: [&self.platform_dir, &self.local_cloud]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
        })
    }

    /// Finds and reads the config.
    pub fn load(&self) -> Result<(Config, ConfigPath), ConfigError> {
        let found = self.find()?;
        let config = Config::from_file(&found.path).map_err(|error| match error {
            ConfigError::Missing { path, .. } => ConfigError::Missing {
                path,
                origin: found.origin,
            },
            other => other,
        })?;
        Ok((config, found))
    }
}

/// Why a config could not be found or read. Display never includes the client secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No config in any of the default places.
    #[error(
        "no Coffer config found{}; run `coffer local-cloud` to start the local cloud, or pass --config FILE",
        searched_list(.searched)
    )]
    NotFound {
        /// The default places that were looked at.
        searched: Vec<PathBuf>,
    },
    /// A config file named explicitly does not exist.
    #[error("config file {} ({origin}) does not exist", path.display())]
    Missing {
        /// The missing file.
        path: PathBuf,
        /// How it was named.
        origin: ConfigOrigin,
    },
    /// The file exists but could not be read.
    #[error("cannot read config file {}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The text is TOML, but has an unknown key or a bad value.
    #[error("invalid config{}: {message}", location(path.as_deref(), *position))]
    Invalid {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// Line and column (1-based) of the offending text, when known.
        position: Option<(usize, usize)>,
        /// What is wrong.
        message: String,
    },
    /// The text is not TOML at all.
    #[error("not a TOML config{}: {message}", location(path.as_deref(), *position))]
    NotToml {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// Line and column (1-based) of the syntax error, when known.
        position: Option<(usize, usize)>,
        /// What is wrong (never the offending text itself).
        message: String,
    },
    /// A `.json` file (read as `amplify_outputs.json`) that is not JSON.
    #[error("{} is not JSON (syntax error at line {line}, column {column})", path.display())]
    NotJson {
        /// The file.
        path: PathBuf,
        /// Line (1-based) of the syntax error.
        line: usize,
        /// Column (1-based) of the syntax error.
        column: usize,
    },
    /// A required setting is absent: `region`, `user_pool_id` or `client_id` in a TOML config,
    /// or e.g. `auth.user_pool_id` in `amplify_outputs.json`.
    #[error("invalid config{}: `{field}` is missing", location(path.as_deref(), None))]
    MissingField {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The missing setting, dotted for nested JSON fields.
        field: &'static str,
    },
    /// An `amplify_outputs.json` schema version other than 1.x.
    #[error("{} has amplify_outputs.json version `{version}`; Coffer reads version 1.x", path.display())]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The `version` found.
        version: String,
    },
}

impl ConfigError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } | Self::Missing { .. } => "config_not_found",
            Self::Unreadable { .. } => "config_unreadable",
            Self::Invalid { .. } => "config_invalid",
            Self::NotToml { .. } => "config_not_toml",
            Self::NotJson { .. } => "config_not_json",
            Self::MissingField { .. } => "config_missing_field",
            Self::UnsupportedVersion { .. } => "config_unsupported_version",
        }
    }
}

fn searched_list(searched: &[PathBuf]) -> String {
    if searched.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
        format!(" (looked for {})", list.join(", "))
    }
}

fn location(path: Option<&Path>, position: Option<(usize, usize)>) -> String {
    match (path, position) {
        (Some(path), Some((line, column))) => format!(" {}:{line}:{column}", path.display()),
        (Some(path), None) => format!(" {}", path.display()),
        (None, Some((line, column))) => format!(" at line {line}, column {column}"),
        (None, None) => String::new(),
    }
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |line_text| line_text.chars().count())
        + 1;
    (line, column)
}

fn invalid_value(field: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        path: None,
        position: None,
        message: format!("`{field}` {reason}"),
    }
}

fn validate_region(region: &str) -> Result<(), ConfigError> {
    let well_formed = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if well_formed {
        Ok(())
    } else {
        Err(invalid_value(
            "region",
            "must be an AWS region such as \"us-east-1\"",
        ))
    }
}

fn validate_user_pool_id(user_pool_id: &str, region: &str) -> Result<(), ConfigError> {
    let Some((pool_region, pool_name)) = user_pool_id.split_once('_') else {
        return Err(invalid_value(
            "user_pool_id",
            "must look like \"<region>_<id>\", e.g. \"us-east-1_AbCdEf123\"",
        ));
    };
    if pool_name.is_empty() || !pool_name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(invalid_value(
            "user_pool_id",
            "must look like \"<region>_<id>\", e.g. \"us-east-1_AbCdEf123\"",
        ));
    }
    if pool_region != region {
        return Err(invalid_value(
            "user_pool_id",
            &format!("belongs to region \"{pool_region}\" but `region` is \"{region}\""),
        ));
    }
    Ok(())
}

fn validate_client_id(client_id: &str) -> Result<(), ConfigError> {
    if !client_id.is_empty()
        && client_id.len() <= 128
        && client_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
    {
        Ok(())
    } else {
        Err(invalid_value(
            "client_id",
            "must be an app client id (letters and digits)",
        ))
    }
}

fn validate_identity_pool_id(identity_pool_id: &str, region: &str) -> Result<(), ConfigError> {
    match identity_pool_id.split_once(':') {
        Some((pool_region, id)) if pool_region == region && !id.is_empty() => Ok(()),
        Some((pool_region, _)) if pool_region != region => Err(invalid_value(
            "identity_pool_id",
            &format!("belongs to region \"{pool_region}\" but `region` is \"{region}\""),
        )),
        _ => Err(invalid_value(
            "identity_pool_id",
            "must look like \"<region>:<uuid>\"",
        )),
    }
}

fn parse_url(field: &str, text: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(text)
        .map_err(|error| invalid_value(field, &format!("is not a URL ({error})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid_value(field, "must be an http:// or https:// URL"));
    }
    Ok(url)
}

/// Validates a base URL and returns it without trailing slashes, so that
/// `<endpoint>/<pool id>` is exactly the issuer the server puts in its tokens.
fn parse_endpoint(field: &str, text: &str) -> Result<String, ConfigError> {
    let url = parse_url(field, text)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid_value(field, "must not have a query or fragment"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// Validates `[endpoints] issuer`: a URL like an endpoint, naming this user pool last.
fn parse_issuer(text: &str, user_pool_id: &str) -> Result<String, ConfigError> {
    let issuer = parse_endpoint("endpoints.issuer", text)?;
    if issuer.rsplit('/').next() != Some(user_pool_id) {
        return Err(invalid_value(
            "endpoints.issuer",
            &format!("must be the full issuer, ending in /{user_pool_id}"),
        ));
    }
    Ok(issuer)
}

/// Whether `host` is AWS's (`amazonaws.com` or a name under it). AWS China's
/// `amazonaws.com.cn` is not: its issuer form is not established here, so such endpoints keep
/// the endpoint-derived issuer unless `[endpoints] issuer` says otherwise.
fn is_amazonaws_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "amazonaws.com" || host.ends_with(".amazonaws.com")
}

#[cfg(test)]
mod tests {

    #[test]
    fn amplify_outputs_json_is_read_as_a_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("amplify_outputs.json");
        std::fs::write(
            &path,
            r#"{"version": "1.3", "auth": {"aws_region": "eu-west-1",
                "user_pool_id": "eu-west-1_AbC", "user_pool_client_id": "client1",
                "identity_pool_id": "eu-west-1:0a1b2c3d-0000-0000-0000-000000000000"},
               "storage": {"aws_region": "eu-west-1", "bucket_name": "amp-bucket"}}"#,
        )
        .unwrap();
        let config = Config::from_file(&path).unwrap();
        assert_eq!(config.region(), "eu-west-1");
        assert_eq!(config.bucket(), Some("amp-bucket"));

        std::fs::write(&path, r#"{"version": "1.3"}"#).unwrap();
        let error = Config::from_file(&path).unwrap_err();
        assert!(error.to_string().contains("auth"), "{error}");
    }
    use super::*;

    const FULL: &str = r#"
region = "us-east-1"
user_pool_id = "us-east-1_AbCdEf123"
client_id = "1example23456789"
client_secret = "very-secret-value"
identity_pool_id = "us-east-1:0a1b2c3d-0000-4000-8000-000000000000"
bucket = "my-coffer-bucket"

[hosted_ui]
domain = "https://example.auth.us-east-1.amazoncognito.com"
redirect_uris = ["http://127.0.0.1:53682/callback", "http://localhost:53682/callback"]
providers = ["COGNITO"]

[endpoints]
cognito_idp = "http://127.0.0.1:4566/"
cognito_identity = "http://127.0.0.1:4566"
s3 = "http://127.0.0.1:4566"
"#;

    const MINIMAL: &str = r#"
region = "eu-west-1"
user_pool_id = "eu-west-1_Pool1"
client_id = "abc123"
"#;

    #[test]
    fn parses_the_documented_format() {
        let config = Config::from_toml_str(FULL).unwrap();
        assert_eq!(config.region(), "us-east-1");
        assert_eq!(config.user_pool_id(), "us-east-1_AbCdEf123");
        assert_eq!(config.client_id(), "1example23456789");
        assert_eq!(
            config.client_secret().map(ClientSecret::expose),
            Some("very-secret-value")
        );
        assert_eq!(
            config.identity_pool_id(),
            Some("us-east-1:0a1b2c3d-0000-4000-8000-000000000000")
        );
        assert_eq!(config.bucket(), Some("my-coffer-bucket"));
        let hosted_ui = config.hosted_ui().unwrap();
        assert_eq!(hosted_ui.redirect_uris.len(), 2);
        assert_eq!(hosted_ui.providers, vec!["COGNITO".to_owned()]);
        // The trailing slash is dropped so the issuer matches the server's exactly.
        assert_eq!(config.cognito_idp_endpoint(), "http://127.0.0.1:4566");
        assert_eq!(config.issuer(), "http://127.0.0.1:4566/us-east-1_AbCdEf123");
        assert_eq!(
            config.jwks_url(),
            "http://127.0.0.1:4566/us-east-1_AbCdEf123/.well-known/jwks.json"
        );
        assert!(!config.uses_aws_endpoints());
    }

    #[test]
    fn absent_endpoints_mean_aws() {
        let config = Config::from_toml_str(MINIMAL).unwrap();
        assert!(config.uses_aws_endpoints());
        assert_eq!(
            config.cognito_idp_endpoint(),
            "https://cognito-idp.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            config.issuer(),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1"
        );
        assert_eq!(
            config.cognito_identity_endpoint(),
            "https://cognito-identity.eu-west-1.amazonaws.com"
        );
        assert!(config.client_secret().is_none());
    }

    fn with_endpoint(endpoint: &str, issuer: Option<&str>) -> Result<Config, ConfigError> {
        let issuer = issuer
            .map(|issuer| format!("issuer = \"{issuer}\"\n"))
            .unwrap_or_default();
        Config::from_toml_str(&format!(
            "{MINIMAL}\n[endpoints]\ncognito_idp = \"{endpoint}\"\n{issuer}"
        ))
    }

    /// Review finding: real Cognito reached through a FIPS or PrivateLink endpoint still
    /// issues `https://cognito-idp.<region>.amazonaws.com/<pool>`; deriving the issuer from the
    /// endpoint refused every token.
    #[test]
    fn aws_hosts_keep_awss_issuer_whatever_endpoint_is_called() {
        let aws_issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1";
        for endpoint in [
            "https://cognito-idp-fips.eu-west-1.amazonaws.com",
            "https://vpce-0a1b2c3d-abcd1234.cognito-idp.eu-west-1.vpce.amazonaws.com",
            "https://COGNITO-IDP.EU-WEST-1.AMAZONAWS.COM/",
            "https://cognito-idp.eu-west-1.amazonaws.com",
        ] {
            let config = with_endpoint(endpoint, None).unwrap();
            assert_eq!(config.issuer(), aws_issuer, "{endpoint}");
            assert_eq!(
                config.jwks_url(),
                format!("{aws_issuer}/.well-known/jwks.json"),
                "{endpoint}"
            );
            assert_eq!(
                config.cognito_idp_endpoint(),
                endpoint.trim_end_matches('/')
            );
        }
        // Hosts that only look like AWS's are not.
        for endpoint in [
            "http://127.0.0.1:4566",
            "https://amazonaws.com.example.net",
            "https://notamazonaws.com",
            "https://cognito-idp.cn-north-1.amazonaws.com.cn",
        ] {
            let config = with_endpoint(endpoint, None).unwrap();
            assert_eq!(
                config.issuer(),
                format!("{endpoint}/eu-west-1_Pool1"),
                "{endpoint}"
            );
        }
    }

    #[test]
    fn an_explicit_issuer_wins_and_must_name_the_pool() {
        let proxied = with_endpoint(
            "https://cognito-proxy.corp.example",
            Some("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1/"),
        )
        .unwrap();
        assert_eq!(
            proxied.issuer(),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1"
        );
        assert_eq!(
            proxied.cognito_idp_endpoint(),
            "https://cognito-proxy.corp.example"
        );
        // Written back, it reads back the same.
        let again = Config::from_toml_str(&proxied.to_toml_without_secret()).unwrap();
        assert_eq!(again.issuer(), proxied.issuer());
        // Alone (AWS endpoints otherwise), it is written too.
        let replica = Config::from_toml_str(MINIMAL)
            .unwrap()
            .with_issuer("https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1")
            .unwrap();
        assert!(replica.uses_aws_endpoints());
        let again = Config::from_toml_str(&replica.to_toml_without_secret()).unwrap();
        assert_eq!(again.issuer(), replica.issuer());

        for bad in [
            "https://cognito-idp.eu-west-1.amazonaws.com",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other",
            "not a url",
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1?x=1",
        ] {
            let error = with_endpoint("http://127.0.0.1:4566", Some(bad)).unwrap_err();
            assert_eq!(error.code(), "config_invalid", "{bad}");
            assert!(error.to_string().contains("endpoints.issuer"), "{error}");
        }
    }

    #[test]
    fn debug_does_not_show_the_client_secret() {
        let config = Config::from_toml_str(FULL).unwrap();
        assert!(!format!("{config:?}").contains("very-secret-value"));
    }

    #[test]
    fn unknown_keys_are_refused_with_their_position() {
        let text = format!("{MINIMAL}user_pool = \"oops\"\n");
        let error = Config::from_toml_str(&text).unwrap_err();
        assert_eq!(error.code(), "config_invalid");
        let message = error.to_string();
        assert!(message.contains("unknown field `user_pool`"), "{message}");
        assert!(message.contains("line 5"), "{message}");

        let text = format!("{MINIMAL}[endpoints]\ncognito = \"http://127.0.0.1:1\"\n");
        let message = Config::from_toml_str(&text).unwrap_err().to_string();
        assert!(message.contains("unknown field `cognito`"), "{message}");
    }

    #[test]
    fn missing_required_keys_are_refused() {
        let message = Config::from_toml_str("region = \"us-east-1\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("user_pool_id"), "{message}");
    }

    #[test]
    fn bad_values_are_refused() {
        let cases = [
            (MINIMAL.replace("eu-west-1_Pool1", "Pool1"), "user_pool_id"),
            (
                MINIMAL.replace("eu-west-1_Pool1", "us-east-1_Pool1"),
                "belongs to region",
            ),
            (MINIMAL.replace("abc123", ""), "client_id"),
            (
                format!("{MINIMAL}[endpoints]\ncognito_idp = \"not a url\"\n"),
                "endpoints.cognito_idp",
            ),
            (
                format!("{MINIMAL}[endpoints]\ncognito_idp = \"ftp://host\"\n"),
                "http:// or https://",
            ),
            (
                format!("{MINIMAL}identity_pool_id = \"nope\"\n"),
                "identity_pool_id",
            ),
        ];
        for (text, expected) in cases {
            let error = Config::from_toml_str(&text).unwrap_err();
            assert_eq!(error.code(), "config_invalid");
            assert!(error.to_string().contains(expected), "{error} / {expected}");
        }
    }

    #[test]
    fn errors_from_files_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coffer.toml");
        std::fs::write(&path, "region = 5\n").unwrap();
        let message = Config::from_file(&path).unwrap_err().to_string();
        assert!(
            message.contains(&format!("{}:1:", path.display())),
            "{message}"
        );
    }

    fn write_config(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, MINIMAL).unwrap();
        path
    }

    #[test]
    fn lookup_order_is_explicit_env_platform_local_cloud() {
        let dir = tempfile::tempdir().unwrap();
        let explicit = write_config(dir.path(), "explicit.toml");
        let env = write_config(dir.path(), "env.toml");
        let platform = write_config(dir.path(), "platform.toml");
        let local = write_config(dir.path(), "local.toml");
        let mut locations = ConfigLocations {
            explicit: Some(explicit.clone()),
            environment: Some(env.clone()),
            platform_dir: Some(platform.clone()),
            local_cloud: Some(local.clone()),
        };
        let expect = |locations: &ConfigLocations, path: &Path, origin| {
            let found = locations.find().unwrap();
            assert_eq!(found.path, path);
            assert_eq!(found.origin, origin);
        };
        expect(&locations, &explicit, ConfigOrigin::Explicit);
        locations.explicit = None;
        expect(&locations, &env, ConfigOrigin::Environment);
        locations.environment = None;
        expect(&locations, &platform, ConfigOrigin::PlatformDir);
        std::fs::remove_file(&platform).unwrap();
        expect(&locations, &local, ConfigOrigin::LocalCloud);
        let (config, _) = locations.load().unwrap();
        assert_eq!(config.client_id(), "abc123");
    }

    #[test]
    fn a_named_but_missing_file_is_an_error_not_a_fallthrough() {
        let dir = tempfile::tempdir().unwrap();
        let local = write_config(dir.path(), "local.toml");
        let locations = ConfigLocations {
            environment: Some(dir.path().join("absent.toml")),
            local_cloud: Some(local),
            ..ConfigLocations::default()
        };
        let error = locations.find().unwrap_err();
        assert!(matches!(
            error,
            ConfigError::Missing {
                origin: ConfigOrigin::Environment,
                ..
            }
        ));
        assert!(error.to_string().contains("COFFER_CONFIG"));
    }

    #[test]
    fn nothing_found_tells_how_to_get_a_config() {
        let dir = tempfile::tempdir().unwrap();
        let locations = ConfigLocations {
            platform_dir: Some(dir.path().join("a/coffer.toml")),
            local_cloud: Some(dir.path().join("b/coffer.toml")),
            ..ConfigLocations::default()
        };
        let error = locations.find().unwrap_err();
        assert_eq!(error.code(), "config_not_found");
        let message = error.to_string();
        assert!(message.contains("coffer local-cloud"), "{message}");
        assert!(message.contains("--config"), "{message}");
        assert!(message.contains("a/coffer.toml"), "{message}");
    }

    #[test]
    fn each_kind_of_bad_file_has_its_own_code() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let amplify = |auth: &str| format!(r#"{{"version": "1.3", "auth": {{{auth}}}}}"#);
        let cases = [
            (
                write("a.json", "region = \"us-east-1\""),
                "config_not_json",
                "line 1",
            ),
            (
                write(
                    "b.json",
                    &amplify(r#""aws_region": "eu-west-1", "user_pool_client_id": "c1""#),
                ),
                "config_missing_field",
                "`auth.user_pool_id` is missing",
            ),
            (
                write("c.json", r#"{"version": "2", "auth": {}}"#),
                "config_unsupported_version",
                "version `2`",
            ),
            (
                write(
                    "d.json",
                    &amplify(
                        r#""aws_region": "eu-west-1", "user_pool_id": "us-east-1_X", "user_pool_client_id": "c1""#,
                    ),
                ),
                "config_invalid",
                "belongs to region",
            ),
            (
                write("e.toml", "{\"version\": \"1\"}"),
                "config_not_toml",
                ":1:1",
            ),
            (
                write("f.toml", "region = \"eu-west-1\"\nclient_id = \"c1\"\n"),
                "config_missing_field",
                "`user_pool_id` is missing",
            ),
            (
                write("g.toml", &format!("{MINIMAL}user_pool = \"x\"\n")),
                "config_invalid",
                "unknown field",
            ),
        ];
        for (path, code, expected) in cases {
            let error = Config::from_file(&path).unwrap_err();
            assert_eq!(error.code(), code, "{}: {error}", path.display());
            let message = error.to_string();
            assert!(message.contains(expected), "{message} / {expected}");
            assert!(message.contains(&*path.display().to_string()), "{message}");
        }
    }

    #[test]
    fn a_toml_syntax_error_does_not_quote_the_secret() {
        let text = format!("{MINIMAL}client_secret = \"very-secret-value\" oops\n");
        let error = Config::from_toml_str(&text).unwrap_err();
        assert_eq!(error.code(), "config_not_toml");
        assert!(!error.to_string().contains("very-secret"), "{error}");
    }

    #[test]
    fn to_toml_reads_back_to_the_same_config_without_the_secret() {
        let config = Config::from_toml_str(FULL).unwrap();
        let text = config.to_toml_without_secret();
        assert!(!text.contains("very-secret-value"), "{text}");
        let again = Config::from_toml_str(&text).unwrap();
        assert!(again.client_secret().is_none());
        assert_eq!(again.region(), config.region());
        assert_eq!(again.user_pool_id(), config.user_pool_id());
        assert_eq!(again.client_id(), config.client_id());
        assert_eq!(again.identity_pool_id(), config.identity_pool_id());
        assert_eq!(again.bucket(), config.bucket());
        assert_eq!(again.hosted_ui(), config.hosted_ui());
        assert_eq!(again.endpoints, config.endpoints);

        let minimal = Config::from_toml_str(MINIMAL).unwrap();
        let text = minimal.to_toml_without_secret();
        assert!(
            !text.contains("endpoints") && !text.contains("hosted_ui"),
            "{text}"
        );
        assert!(Config::from_toml_str(&text).unwrap().uses_aws_endpoints());
    }

    #[test]
    fn endpoints_all_at_sets_every_service() {
        let endpoints = Endpoints::all_at("http://127.0.0.1:9/").unwrap();
        let config = Config::new("us-east-1", "us-east-1_X1", "client1")
            .unwrap()
            .with_endpoints(endpoints);
        assert_eq!(config.cognito_idp_endpoint(), "http://127.0.0.1:9");
        assert_eq!(config.s3_endpoint(), "http://127.0.0.1:9");
        assert!(Endpoints::all_at("nonsense").is_err());
    }
}
