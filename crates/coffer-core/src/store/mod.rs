//! Where tokens live between runs: the operating system's keychain, and nowhere else.
//!
//! [`SecretStore`] is a three-call interface (load / save / delete, "not found" is `Ok(None)`),
//! implemented by [`KeyringStore`] (macOS Keychain, Windows Credential Manager, the Secret
//! Service on Linux, via the `keyring` crate) and [`MemoryStore`] (tests). There is deliberately
//! no file-backed store: when no keychain is reachable, the caller gets
//! [`StoreError::KeychainUnavailable`] and the tokens are not kept.
//!
//! A secret larger than one keychain entry holds (Windows Credential Manager: 2560 bytes, and a
//! token set is several kilobytes) is split over several entries by [`chunked`], on every
//! platform; small secrets, and entries written before, stay single entries.
//!
//! Keychain calls block (the Linux Secret Service client speaks D-Bus synchronously and must not
//! run on an async runtime thread); the async API in [`crate::Client`] calls a store only through
//! `tokio::task::spawn_blocking`.

mod chunked;

use std::collections::HashMap;
use std::sync::Mutex;

use zeroize::Zeroizing;

use chunked::Chunked;

/// A keyed store for secret text.
pub trait SecretStore: Send + Sync {
    /// The secret under `key`, or `None` when there is none.
    fn load(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError>;
    /// Stores `secret` under `key`, replacing any previous value.
    fn save(&self, key: &str, secret: &str) -> Result<(), StoreError>;
    /// Removes the secret under `key`; removing an absent key succeeds.
    fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// The keychain service name every Coffer entry is filed under.
pub const KEYRING_SERVICE: &str = "coffer";

/// The OS keychain through `keyring` 3: service [`KEYRING_SERVICE`] (`"coffer"`), account =
/// the key (for tokens, [`crate::Client::token_store_key`]:
/// `tokens:<issuer>#<client id>`). Secrets over 1024 bytes are kept as chunk entries
/// `<key>#part-<write id>-<n>` named by a header under the key ([`chunked`]).
#[derive(Debug, Clone)]
pub struct KeyringStore {
    chunked: Chunked<KeyringEntries>,
}

impl KeyringStore {
    /// The store under the `"coffer"` service.
    pub fn new() -> Self {
        Self::with_service(KEYRING_SERVICE)
    }

    /// The store under another service name (to keep test entries apart).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            chunked: Chunked::new(KeyringEntries::with_service(service)),
        }
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretStore for KeyringStore {
    fn load(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        self.chunked.load(key)
    }

    fn save(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        self.chunked.save(key, secret)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.chunked.delete(key)
    }
}

/// Single keychain entries, one per key, with the platform's own size limits.
#[derive(Debug, Clone)]
struct KeyringEntries {
    service: String,
}

impl KeyringEntries {
    fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, key).map_err(StoreError::from_keyring)
    }
}

impl SecretStore for KeyringEntries {
    fn load(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        match self.entry(key)?.get_password() {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(StoreError::from_keyring(error)),
        }
    }

    fn save(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        self.entry(key)?
            .set_password(secret)
            .map_err(StoreError::from_keyring)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(StoreError::from_keyring(error)),
        }
    }
}

/// An in-memory store for tests and for callers that must not persist anything.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Zeroizing<String>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Zeroizing<String>>> {
        // A panic while holding the lock leaves the map itself consistent.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn load(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        Ok(self.entries().get(key).cloned())
    }

    fn save(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        self.entries()
            .insert(key.to_owned(), Zeroizing::new(secret.to_owned()));
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.entries().remove(key);
        Ok(())
    }
}

/// Why the keychain could not be used. Never carries the secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No keychain could be reached (no Secret Service on the session bus, keychain locked or
    /// access denied). Tokens are never written anywhere else instead.
    #[error("no OS keychain reachable: {reason}")]
    KeychainUnavailable {
        /// What the platform reported.
        reason: String,
    },
    /// The keychain answered but refused the operation.
    #[error("the OS keychain refused the operation: {reason}")]
    Keychain {
        /// What the platform reported.
        reason: String,
    },
    /// The stored entry is not a Coffer token set: damaged, from another version, or only
    /// partly there (a chunk of a large secret missing, changed, or from another write).
    #[error("the stored sign-in is unreadable; sign in again")]
    Corrupt,
}

impl StoreError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeychainUnavailable { .. } => "keychain_unavailable",
            Self::Keychain { .. } => "keychain_error",
            Self::Corrupt => "stored_tokens_corrupt",
        }
    }

    fn from_keyring(error: keyring::Error) -> Self {
        match error {
            keyring::Error::NoStorageAccess(source) | keyring::Error::PlatformFailure(source) => {
                Self::KeychainUnavailable {
                    reason: one_line(&source.to_string()),
                }
            }
            // These variants carry only names, lengths or the undecodable bytes; the bytes are
            // left out on purpose.
            keyring::Error::BadEncoding(_) => Self::Corrupt,
            keyring::Error::TooLong(attribute, limit) => Self::Keychain {
                reason: format!("{attribute} is longer than the platform limit of {limit}"),
            },
            keyring::Error::Invalid(attribute, reason) => Self::Keychain {
                reason: format!("{attribute}: {reason}"),
            },
            keyring::Error::Ambiguous(_) => Self::Keychain {
                reason: "more than one matching entry".to_owned(),
            },
            other => Self::Keychain {
                reason: one_line(&other.to_string()),
            },
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trip_and_not_found_is_none() {
        let store = MemoryStore::new();
        assert!(store.load("k").unwrap().is_none());
        store.save("k", "v1").unwrap();
        store.save("k", "v2").unwrap();
        assert_eq!(
            store.load("k").unwrap().as_deref().map(String::as_str),
            Some("v2")
        );
        store.delete("k").unwrap();
        store.delete("k").unwrap();
        assert!(store.load("k").unwrap().is_none());
    }

    #[test]
    fn platform_failures_become_keychain_unavailable() {
        let error = StoreError::from_keyring(keyring::Error::PlatformFailure(
            "D-Bus error: org.freedesktop.DBus.Error.NoServer\n  (no bus)".into(),
        ));
        assert_eq!(error.code(), "keychain_unavailable");
        let message = error.to_string();
        assert!(
            message.starts_with("no OS keychain reachable: "),
            "{message}"
        );
        assert!(!message.contains('\n'));
        let error = StoreError::from_keyring(keyring::Error::NoStorageAccess("locked".into()));
        assert_eq!(error.code(), "keychain_unavailable");
    }

    #[test]
    fn bad_encoding_does_not_echo_the_bytes() {
        let error = StoreError::from_keyring(keyring::Error::BadEncoding(b"secret\xff".to_vec()));
        assert_eq!(error.code(), "stored_tokens_corrupt");
        assert!(!format!("{error} {error:?}").contains("secret"));
    }
}
