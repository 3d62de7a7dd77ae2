//! A user pool: its settings, signing key, app clients, users and sign-in sessions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::device::DeviceConfiguration;
use super::mfa::PoolMfa;
use super::{AppClient, AuthSession, User};
use crate::error::CognitoError;
use crate::jwt::SigningKeyRecord;
use crate::secrets::PersistedSecret;

pub use super::password_policy::PasswordPolicy;

/// The only username attribute the emulator supports besides plain usernames.
pub const EMAIL: &str = "email";

/// One Cognito user pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserPool {
    /// `<region>_<9 alphanumerics>`.
    pub id: String,
    /// The name given at creation.
    pub name: String,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Last change to the pool's settings.
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
    /// The password policy.
    pub password_policy: PasswordPolicy,
    /// `["email"]` when users sign in with their e-mail address (their username is then a UUID).
    pub username_attributes: Vec<String>,
    /// Attributes verified by a code at sign-up (`["email"]` or none).
    pub auto_verified_attributes: Vec<String>,
    /// Whether `Alice` and `alice` are different users.
    pub username_case_sensitive: bool,
    /// The RSA key that signs this pool's tokens.
    pub signing_key: SigningKeyRecord,
    /// HMAC key that derives stable fake SRP salts for unknown users, so a client that hides
    /// user existence answers the same way for the same unknown name every time.
    pub fake_identity_key: PersistedSecret,
    /// App clients by id.
    pub clients: BTreeMap<String, AppClient>,
    /// Users by internal username.
    pub users: BTreeMap<String, User>,
    /// Sign-in sessions (one per refresh token) by `origin_jti`.
    pub sessions: BTreeMap<String, AuthSession>,
    /// MFA settings (SetUserPoolMfaConfig).
    #[serde(default)]
    pub mfa: PoolMfa,
    /// Standard attributes the pool's `Schema` marks `Required`: SignUp must supply them, and
    /// NEW_PASSWORD_REQUIRED asks for those an administrator-created user lacks.
    #[serde(default)]
    pub required_attributes: Vec<String>,
    /// Device tracking (`DeviceConfiguration`), off when absent.
    #[serde(default)]
    pub device_configuration: Option<DeviceConfiguration>,
}

impl UserPool {
    /// Whether users sign in with their e-mail address.
    pub fn email_is_username(&self) -> bool {
        self.username_attributes.iter().any(|a| a == EMAIL)
    }

    /// The ARN AWS would give this pool (account id zeroed).
    pub fn arn(&self, region: &str) -> String {
        format!(
            "arn:aws:cognito-idp:{region}:000000000000:userpool/{}",
            self.id
        )
    }

    fn same_name(&self, a: &str, b: &str) -> bool {
        if self.username_case_sensitive {
            a == b
        } else {
            a.to_lowercase() == b.to_lowercase()
        }
    }

    /// The internal username of the user who signs in as `name` (their username, or their
    /// e-mail address in an e-mail pool).
    pub fn resolve_username(&self, name: &str) -> Option<String> {
        if let Some(user) = self.users.get(name) {
            return Some(user.username.clone());
        }
        let by_email = self.email_is_username();
        self.users
            .values()
            .find(|user| {
                self.same_name(&user.username, name)
                    || (by_email
                        // A federated user's e-mail is not a sign-in alias (Cognito links
                        // accounts only when told to).
                        && user.status != super::UserStatus::ExternalProvider
                        && user
                            .attribute(EMAIL)
                            .is_some_and(|email| self.same_name(email, name)))
            })
            .map(|user| user.username.clone())
    }

    /// The user who signs in as `name`.
    pub fn find_user(&self, name: &str) -> Option<&User> {
        self.resolve_username(name).and_then(|u| self.users.get(&u))
    }

    /// The user who signs in as `name`, mutable.
    pub fn find_user_mut(&mut self, name: &str) -> Option<&mut User> {
        let username = self.resolve_username(name)?;
        self.users.get_mut(&username)
    }

    /// Like [`Self::find_user_mut`] but answering `UserNotFoundException`.
    pub fn user_mut(&mut self, name: &str) -> Result<&mut User, CognitoError> {
        self.find_user_mut(name)
            .ok_or_else(CognitoError::user_not_found)
    }

    /// The required attributes `user` has no value for.
    pub fn missing_required_attributes(&self, user: &User) -> Vec<String> {
        self.required_attributes
            .iter()
            .filter(|name| user.attribute(name).is_none_or(str::is_empty))
            .cloned()
            .collect()
    }

    /// The app client `client_id`, or `ResourceNotFoundException`.
    pub fn client(&self, client_id: &str) -> Result<&AppClient, CognitoError> {
        self.clients
            .get(client_id)
            .ok_or_else(|| CognitoError::client_not_found(client_id))
    }

    /// Drops sessions whose refresh token and every token minted from it have expired, and
    /// the devices never confirmed that no remaining session is bound to: such a device can
    /// never be used again (a refresh needs a confirmed device), and a pool that tracks devices
    /// issues one per sign-in, so keeping them would grow the state without bound.
    pub fn prune_sessions(&mut self, now: OffsetDateTime) {
        self.sessions.retain(|_, session| !session.is_spent(now));
        let bound: std::collections::BTreeSet<&str> = self
            .sessions
            .values()
            .filter_map(|session| session.device_key.as_deref())
            .collect();
        for user in self.users.values_mut() {
            user.devices
                .retain(|key, device| device.is_confirmed() || bound.contains(key.as_str()));
        }
    }
}
