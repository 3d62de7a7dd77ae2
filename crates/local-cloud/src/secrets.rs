//! Redacted newtypes for secrets.
//!
//! Passwords, codes, tokens, client secrets, signing keys and the admin key travel through the
//! emulator inside these types. Each prints `[redacted]` in `Debug`, is zeroized on drop, and can
//! only be read through an explicit `expose()`, so a stray `{:?}` or `tracing` field cannot leak
//! one.
//!
//! * [`SecretString`] is what requests carry: it can be deserialized from a request body but
//!   never serialized.
//! * [`PersistedSecret`] is the one exception to "no `Serialize`": it holds the few secrets the
//!   emulator must keep across restarts (app-client secrets, RSA signing keys, the per-pool key
//!   that makes fake SRP salts) and is written only into the mode-0600 state file.
//! * [`SecretAccessKey`] is the local cloud's admin secret key, handed to embedders.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// A secret string taken from a request (password, code, token, SECRET_HASH, …).
#[derive(Clone, Default)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps `value`; the string is moved, not copied.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret itself. Callers must not log or persist it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// A secret that must survive restarts; serialized only into the 0600 state file.
#[derive(Clone, PartialEq, Eq)]
pub struct PersistedSecret(Zeroizing<String>);

impl PersistedSecret {
    /// Wraps `value`; the string is moved, not copied.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret itself. Callers must not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersistedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for PersistedSecret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PersistedSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

/// The secret half of the local cloud's admin access key.
#[derive(Clone)]
pub struct SecretAccessKey(Zeroizing<String>);

impl SecretAccessKey {
    pub(crate) fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The key itself, for signing requests. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let secret = SecretString::new("hunter2".to_owned());
        let persisted = PersistedSecret::new("hunter2".to_owned());
        let key = SecretAccessKey::new("hunter2".to_owned());
        for shown in [
            format!("{secret:?}"),
            format!("{persisted:?}"),
            format!("{key:?}"),
        ] {
            assert_eq!(shown, "[redacted]");
        }
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn secret_string_deserializes_from_json() {
        let parsed: SecretString = serde_json::from_str("\"p@ss\"").expect("a JSON string");
        assert_eq!(parsed.expose(), "p@ss");
    }
}
