//! A user of a pool: attributes, status, SRP verifier, pending codes, MFA and devices.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::device::Device;
use super::mfa::UserMfa;
use crate::codes::PendingCode;
use crate::error::CognitoError;
use crate::secrets::PersistedSecret;

/// Cognito's `UserStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    /// Signed up, code not yet confirmed.
    Unconfirmed,
    /// Can sign in.
    Confirmed,
    /// Created by an administrator with a temporary password.
    ForceChangePassword,
    /// An administrator asked for a password reset.
    ResetRequired,
    /// A federated user, created on first sign-in through an identity provider.
    ExternalProvider,
}

impl UserStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ResetRequired => "RESET_REQUIRED",
            Self::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }
}

/// The SRP verifier of a user's password; the password itself is never stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPassword {
    /// `cognito_srp::Verifier::to_bytes()`, base64. One-way, but a dictionary attack on it is
    /// possible, hence redacted and kept only in the 0600 state file.
    pub verifier: PersistedSecret,
    /// When it was set (temporary passwords expire from here).
    #[serde(with = "time::serde::rfc3339")]
    pub set_at: OffsetDateTime,
}

impl StoredPassword {
    /// Wraps a freshly made verifier.
    pub fn new(verifier: &cognito_srp::Verifier, now: OffsetDateTime) -> Self {
        Self {
            verifier: PersistedSecret::new(STANDARD.encode(verifier.to_bytes())),
            set_at: now,
        }
    }

    /// The verifier, parsed back.
    pub fn verifier(&self) -> Result<cognito_srp::Verifier, CognitoError> {
        let bytes = STANDARD
            .decode(self.verifier.expose())
            .map_err(|_| CognitoError::internal())?;
        cognito_srp::Verifier::from_bytes(&bytes).map_err(|_| CognitoError::internal())
    }
}

/// One user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// The internal username (a UUID equal to `sub` in e-mail pools).
    pub username: String,
    /// The immutable `sub`.
    pub sub: String,
    /// Attributes other than `sub` (`email`, `email_verified`, …).
    pub attributes: BTreeMap<String, String>,
    /// Confirmation status.
    pub status: UserStatus,
    /// `false` after AdminDisableUser.
    pub enabled: bool,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
    /// The password verifier, once a password is set.
    pub password: Option<StoredPassword>,
    /// The outstanding sign-up confirmation code, if any.
    pub pending_code: Option<PendingCode>,
    /// The outstanding ForgotPassword code, if any.
    #[serde(default)]
    pub forgot_password_code: Option<PendingCode>,
    /// Outstanding attribute-verification codes by attribute (`email`, `phone_number`).
    #[serde(default)]
    pub attribute_codes: BTreeMap<String, PendingCode>,
    /// MFA settings.
    #[serde(default)]
    pub mfa: UserMfa,
    /// The group key shared by this user's devices, once one was issued.
    #[serde(default)]
    pub device_group_key: Option<String>,
    /// Devices by key (issued, confirmed, remembered or not).
    #[serde(default)]
    pub devices: BTreeMap<String, Device>,
}

impl User {
    /// A new user with no pending codes, MFA settings or devices yet.
    pub fn new(
        username: String,
        sub: String,
        attributes: BTreeMap<String, String>,
        status: UserStatus,
        password: Option<StoredPassword>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            username,
            sub,
            attributes,
            status,
            enabled: true,
            created: now,
            last_modified: now,
            password,
            pending_code: None,
            forgot_password_code: None,
            attribute_codes: BTreeMap::new(),
            mfa: UserMfa::default(),
            device_group_key: None,
            devices: BTreeMap::new(),
        }
    }

    /// The value of attribute `name` (`sub` included).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        if name == "sub" {
            return Some(&self.sub);
        }
        self.attributes.get(name).map(String::as_str)
    }

    /// Whether attribute `name` (`email` / `phone_number`) is present and verified.
    pub fn is_verified(&self, name: &str) -> bool {
        self.attributes.contains_key(name)
            && self
                .attributes
                .get(&format!("{name}_verified"))
                .is_some_and(|v| v == "true")
    }

    /// All attributes as `(name, value)` pairs, `sub` first, as Cognito lists them.
    pub fn attribute_list(&self) -> Vec<(&str, &str)> {
        std::iter::once(("sub", self.sub.as_str()))
            .chain(
                self.attributes
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .collect()
    }
}
