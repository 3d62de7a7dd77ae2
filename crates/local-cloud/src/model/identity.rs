//! Identity pools, their identities, IAM roles and the temporary credentials minted for them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::secrets::PersistedSecret;

/// One entry of `CognitoIdentityProviders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLink {
    /// `cognito-idp.<region>.amazonaws.com/<userPoolId>`.
    pub provider_name: String,
    /// The app client whose ID tokens are accepted.
    pub client_id: String,
    /// `ServerSideTokenCheck`: logins are also checked against the user pool (the user exists
    /// and is enabled, the sign-in is not signed out); see `identity::logins`.
    pub server_side_token_check: bool,
}

/// A Cognito identity pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentityPool {
    /// `<region>:<uuid>`.
    pub id: String,
    /// `IdentityPoolName`.
    pub name: String,
    /// Whether guests (no Logins) get identities and credentials.
    pub allow_unauthenticated: bool,
    /// `AllowClassicFlow` (kept and echoed).
    pub allow_classic_flow: bool,
    /// The user pools whose ID tokens sign people in.
    pub providers: Vec<ProviderLink>,
    /// `"authenticated"` / `"unauthenticated"` → role ARN.
    pub roles: BTreeMap<String, String>,
    /// Identities by id.
    pub identities: BTreeMap<String, IdentityRecord>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
}

impl IdentityPool {
    /// The identity already linked to `login` (`<provider>|<sub>`), if any.
    pub fn identity_of_login(&self, login: &str) -> Option<&IdentityRecord> {
        self.identities.values().find(|i| i.logins.contains(login))
    }
}

/// One identity of an identity pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentityRecord {
    /// `<region>:<uuid>`.
    pub id: String,
    /// Linked logins, each `<provider name>|<user sub>`; empty for a guest.
    pub logins: BTreeSet<String>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Last change (a login linked).
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
    /// For a guest identity offered with the logins of a user who already had an identity:
    /// that identity. Cognito merges the guest identity into it and disables it: it no longer
    /// gets credentials on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
}

impl IdentityRecord {
    /// The provider names of the linked logins (what DescribeIdentity lists).
    pub fn provider_names(&self) -> BTreeSet<String> {
        self.logins
            .iter()
            .filter_map(|login| {
                login
                    .split_once('|')
                    .map(|(provider, _)| provider.to_owned())
            })
            .collect()
    }
}

/// An IAM role the local cloud knows: its ARN, permissions policy and trust policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Role {
    /// `arn:aws:iam::000000000000:role/<name>`.
    pub arn: String,
    /// The permissions policy document (JSON), checked to parse when stored.
    pub policy: serde_json::Value,
    /// The trust policy (`AssumeRolePolicyDocument`), checked to parse when stored; `None` in
    /// roles stored before trust policies were evaluated (see `crate::identity::trust`).
    #[serde(default)]
    pub trust_policy: Option<serde_json::Value>,
}

/// Which of an identity pool's roles a credential carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleKind {
    /// The role of signed-in identities.
    Authenticated,
    /// The role of guests.
    Unauthenticated,
}

impl RoleKind {
    /// The key in `Roles`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authenticated => "authenticated",
            Self::Unauthenticated => "unauthenticated",
        }
    }
}

/// Temporary credentials handed out by GetCredentialsForIdentity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemporaryCredential {
    /// The secret access key (needed in plain text to check SigV4 signatures).
    pub secret_access_key: PersistedSecret,
    /// SHA-256 (hex) of the session token; the token itself is not kept.
    pub session_token_sha256: String,
    /// The identity pool.
    pub identity_pool_id: String,
    /// The identity the credentials act as.
    pub identity_id: String,
    /// The role ARN whose policy applies.
    pub role_arn: String,
    /// Authenticated or guest.
    pub role_kind: RoleKind,
    /// When the credentials stop working.
    #[serde(with = "time::serde::rfc3339")]
    pub expiration: OffsetDateTime,
}
