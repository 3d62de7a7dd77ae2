//! The persistent data model: pools, their app clients, users (with MFA settings and
//! devices) and sign-in sessions.
//!
//! These types are what `state.json` holds (see [`crate::store`]); they are separate from the
//! wire shapes in [`crate::ops`], so the file format and the API can evolve independently. Every
//! secret in here is either a one-way value (SRP verifier, SHA-256 of a refresh token, salted
//! hash of a code) or a [`crate::secrets::PersistedSecret`] the emulator cannot work without
//! (TOTP secrets are the one plain secret a user shares with the server: Cognito must keep them
//! too, to check codes). Fields added after the first release are `#[serde(default)]`, so
//! older state files still load.

pub mod client;
pub mod device;
pub mod hosted;
pub mod identity;
pub mod mfa;
pub mod password_policy;
pub mod pool;
pub mod session;
pub mod user;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use client::{AppClient, AuthFlow, TokenValidity};
pub use identity::{
    IdentityPool, IdentityRecord, ProviderLink, Role, RoleKind, TemporaryCredential,
};
pub use password_policy::PasswordPolicy;
pub use pool::UserPool;
pub use session::AuthSession;
pub use user::{User, UserStatus};

/// The version of `state.json` this build reads and writes.
pub const STATE_FORMAT_VERSION: u32 = 1;

/// Everything the emulator persists.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// [`STATE_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// User pools by id.
    pub pools: BTreeMap<String, UserPool>,
    /// The demo pool and client provisioned on first start.
    pub demo: Option<DemoIds>,
    /// Identity pools by id (absent from state files written before identity pools existed).
    #[serde(default)]
    pub identity_pools: BTreeMap<String, IdentityPool>,
    /// IAM roles by ARN.
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    /// Live temporary credentials by access key id (expired ones are pruned as new ones are made).
    #[serde(default)]
    pub credentials: BTreeMap<String, TemporaryCredential>,
    /// The key that signs identity-pool OpenID tokens (made on first GetOpenIdToken).
    #[serde(default)]
    pub identity_signing_key: Option<crate::jwt::SigningKeyRecord>,
    /// Hosted UI: domains, OAuth client settings, identity providers, LocalIdP users.
    #[serde(default)]
    pub hosted: hosted::HostedState,
    /// The CloudFormation stack this data directory was provisioned from, if any
    /// (`coffer local-cloud --template`).
    #[serde(default)]
    pub stack: Option<crate::template::StackRecord>,
}

/// Where the demo backend lives inside [`State`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoIds {
    /// The demo user pool.
    pub user_pool_id: String,
    /// Its public app client.
    pub client_id: String,
    /// The demo identity pool (absent in data dirs from before identity pools).
    #[serde(default)]
    pub identity_pool_id: Option<String>,
    /// The demo bucket.
    #[serde(default)]
    pub bucket: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            format_version: STATE_FORMAT_VERSION,
            pools: BTreeMap::new(),
            demo: None,
            identity_pools: BTreeMap::new(),
            roles: BTreeMap::new(),
            credentials: BTreeMap::new(),
            identity_signing_key: None,
            hosted: hosted::HostedState::default(),
            stack: None,
        }
    }
}

impl State {
    /// The pool `pool_id`, or Cognito's `ResourceNotFoundException`.
    pub fn pool(&self, pool_id: &str) -> Result<&UserPool, crate::error::CognitoError> {
        self.pools
            .get(pool_id)
            .ok_or_else(|| crate::error::CognitoError::pool_not_found(pool_id))
    }

    /// The pool `pool_id`, mutable, or `ResourceNotFoundException`.
    pub fn pool_mut(&mut self, pool_id: &str) -> Result<&mut UserPool, crate::error::CognitoError> {
        self.pools
            .get_mut(pool_id)
            .ok_or_else(|| crate::error::CognitoError::pool_not_found(pool_id))
    }

    /// The id of the pool that owns app client `client_id`, or `ResourceNotFoundException`.
    pub fn pool_id_of_client(&self, client_id: &str) -> Result<String, crate::error::CognitoError> {
        self.pools
            .values()
            .find(|pool| pool.clients.contains_key(client_id))
            .map(|pool| pool.id.clone())
            .ok_or_else(|| crate::error::CognitoError::client_not_found(client_id))
    }

    /// The id of the pool whose signing key has `kid`.
    pub fn pool_id_of_kid(&self, kid: &str) -> Option<String> {
        self.pools
            .values()
            .find(|pool| pool.signing_key.kid == kid)
            .map(|pool| pool.id.clone())
    }
}
