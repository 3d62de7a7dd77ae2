//! What the hosted UI persists: pool domains, app clients' OAuth settings, identity providers,
//! and the users of the built-in OIDC provider "LocalIdP".
//!
//! All of it hangs off one [`HostedState`] in [`super::State`] (absent in older state files, so
//! it defaults to empty) rather than off the pool and client records, so the user-pool API's own
//! records are unchanged. Short-lived values — authorization codes, login pages' CSRF tokens,
//! federation round trips — are kept in memory only (see `crate::hosted_ui::pending`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::user::StoredPassword;
use crate::jwt::SigningKeyRecord;

/// The provider name of Cognito's own user directory in `SupportedIdentityProviders`.
pub const COGNITO_PROVIDER: &str = "COGNITO";

/// Everything the hosted UI persists.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HostedState {
    /// Domain prefix → pool id (CreateUserPoolDomain).
    #[serde(default)]
    pub domains: BTreeMap<String, String>,
    /// App client id → its OAuth settings (CreateUserPoolClient's OAuth members).
    #[serde(default)]
    pub clients: BTreeMap<String, OAuthClientSettings>,
    /// Pool id → provider name → identity provider (CreateIdentityProvider).
    #[serde(default)]
    pub providers: BTreeMap<String, BTreeMap<String, IdentityProvider>>,
    /// The built-in OIDC provider.
    #[serde(default)]
    pub local_idp: LocalIdpState,
    /// Hex SHA-256 of a refresh token issued by `/oauth2/token` → its granted scopes, so a
    /// refresh keeps them.
    #[serde(default)]
    pub refresh_scopes: BTreeMap<String, String>,
}

impl HostedState {
    /// The domain prefix of `pool_id`, if it has one.
    pub fn domain_of_pool(&self, pool_id: &str) -> Option<&str> {
        self.domains
            .iter()
            .find(|(_, pool)| pool.as_str() == pool_id)
            .map(|(domain, _)| domain.as_str())
    }
}

/// An app client's OAuth 2.0 settings, as CreateUserPoolClient takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthClientSettings {
    /// `CallbackURLs`: where codes may be sent; matched exactly, port included.
    pub callback_urls: Vec<String>,
    /// `LogoutURLs`: where `/logout` may send the browser; matched exactly.
    pub logout_urls: Vec<String>,
    /// `DefaultRedirectURI`.
    pub default_redirect_uri: Option<String>,
    /// `AllowedOAuthFlows`: `code`, `implicit`, `client_credentials`.
    pub allowed_flows: Vec<String>,
    /// `AllowedOAuthFlowsUserPoolClient`: the OAuth endpoints serve this client at all.
    pub allowed_flows_user_pool_client: bool,
    /// `AllowedOAuthScopes`.
    pub allowed_scopes: Vec<String>,
    /// `SupportedIdentityProviders`: `COGNITO` and/or provider names.
    pub supported_identity_providers: Vec<String>,
}

impl OAuthClientSettings {
    /// Whether `uri` is a registered callback URL (exact string match, as Cognito does).
    pub fn allows_callback(&self, uri: &str) -> bool {
        self.callback_urls.iter().any(|u| u == uri)
    }

    /// Whether `uri` is a registered logout URL (exact match).
    pub fn allows_logout(&self, uri: &str) -> bool {
        self.logout_urls.iter().any(|u| u == uri)
    }

    /// Whether the authorization-code flow is enabled.
    pub fn allows_code_flow(&self) -> bool {
        self.allowed_flows_user_pool_client && self.allowed_flows.iter().any(|f| f == "code")
    }

    /// Whether the client may sign in through provider `name`.
    pub fn supports_provider(&self, name: &str) -> bool {
        self.supported_identity_providers.iter().any(|p| p == name)
    }
}

/// A federated identity provider of a pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentityProvider {
    /// `ProviderName`, e.g. `LocalIdP`.
    pub name: String,
    /// `ProviderType`; only `OIDC` is served by the emulator.
    pub provider_type: String,
    /// `ProviderDetails` (`client_id`, `client_secret`, `authorize_scopes`, `oidc_issuer`, …).
    /// The client secret is an emulator-issued credential of the local provider.
    pub details: BTreeMap<String, String>,
    /// `AttributeMapping`: pool attribute → provider claim.
    pub attribute_mapping: BTreeMap<String, String>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
}

/// The built-in OIDC provider's directory and signing key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LocalIdpState {
    /// Users by username.
    #[serde(default)]
    pub users: BTreeMap<String, LocalIdpUser>,
    /// The key that signs its ID tokens (made on first use).
    #[serde(default)]
    pub signing_key: Option<SigningKeyRecord>,
}

/// A user of the built-in OIDC provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalIdpUser {
    /// The provider's stable subject id.
    pub sub: String,
    /// The login name.
    pub username: String,
    /// `email` claim.
    pub email: Option<String>,
    /// `name` claim.
    pub name: Option<String>,
    /// An SRP verifier of the password (keyed with the pseudo pool name `LocalIdP`), so the
    /// password itself is never stored.
    pub password: StoredPassword,
}
