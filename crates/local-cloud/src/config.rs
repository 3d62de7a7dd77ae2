//! How to start a local cloud.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};

/// The region a local cloud claims to be in unless told otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Settings for [`crate::start`].
#[derive(Clone)]
pub struct LocalCloudConfig {
    /// Where to listen (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Where state, credentials, the outbox and the demo client config live.
    pub data_dir: PathBuf,
    /// The region pools are created in and SigV4 scopes must name.
    pub region: String,
    /// The clock every expiry is measured by.
    pub clock: Arc<dyn Clock>,
    /// How long temporary credentials from GetCredentialsForIdentity last (AWS: one hour).
    pub credentials_ttl: Duration,
    /// Provision from this CloudFormation template instead of the built-in demo backend.
    pub template: Option<crate::template::StackTemplate>,
}

/// How long temporary credentials last unless configured otherwise.
pub const DEFAULT_CREDENTIALS_TTL: Duration = Duration::from_secs(3600);

impl LocalCloudConfig {
    /// Listen on `addr`, keep data in `data_dir`, region `us-east-1`, system clock.
    pub fn new(addr: SocketAddr, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            addr,
            data_dir: data_dir.into(),
            region: DEFAULT_REGION.to_owned(),
            clock: Arc::new(SystemClock),
            credentials_ttl: DEFAULT_CREDENTIALS_TTL,
            template: None,
        }
    }

    /// The same, provisioned from `template` instead of the demo backend.
    #[must_use]
    pub fn with_template(mut self, template: crate::template::StackTemplate) -> Self {
        self.template = Some(template);
        self
    }
}

impl std::fmt::Debug for LocalCloudConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCloudConfig")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("region", &self.region)
            .field("credentials_ttl", &self.credentials_ttl)
            .field("template", &self.template)
            .finish_non_exhaustive()
    }
}
