//! Short-lived, memory-only records of the hosted UI: login pages (with their CSRF token),
//! authorization codes, and federation round trips, each under a random single-use key.
//!
//! A [`Ledger`] keys its records by the SHA-256 of the random key, so a lookup's timing says
//! nothing about how close a guess was, and a memory dump holds no usable key. Records expire
//! (checked against the injected clock) and are removed when taken, expired or not: a code or
//! page key works once at most.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::ids;

/// How many live records one ledger holds at most (a flood of authorize requests cannot grow
/// memory without bound; the oldest are dropped).
const MAX_RECORDS: usize = 10_000;

/// Bytes of randomness in a key (codes, page ids, CSRF tokens, federation states).
pub const KEY_BYTES: usize = 32;

/// A fresh random key, base64url.
pub fn new_key() -> String {
    ids::opaque_token(KEY_BYTES)
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

struct Entry<T> {
    value: T,
    expires_at: OffsetDateTime,
}

/// Records of one kind by key.
pub struct Ledger<T> {
    entries: Mutex<HashMap<[u8; 32], Entry<T>>>,
    lifetime: Duration,
}

impl<T: Clone> Ledger<T> {
    /// A ledger whose records live for `lifetime`.
    pub fn new(lifetime: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            lifetime,
        }
    }

    /// Stores `value` under a fresh key and returns the key.
    pub fn insert(&self, value: T, now: OffsetDateTime) -> String {
        self.insert_until(value, now + self.lifetime, now)
    }

    /// Stores `value` under a fresh key until `expires_at` (a record put back after a retry
    /// keeps its first deadline) and returns the key.
    pub fn insert_until(
        &self,
        value: T,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> String {
        let key = new_key();
        // No code path panics while holding this lock; recover the data if one ever does.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, entry| entry.expires_at > now);
        if entries.len() >= MAX_RECORDS {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, entry)| entry.expires_at)
                .map(|(k, _)| *k)
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(digest(&key), Entry { value, expires_at });
        key
    }

    /// Removes and returns the record under `key`, if it exists and has not expired.
    pub fn take(&self, key: &str, now: OffsetDateTime) -> Option<T> {
        self.take_with_deadline(key, now).map(|(value, _)| value)
    }

    /// Like [`Self::take`], with the record's deadline (to put it back under a new key).
    pub fn take_with_deadline(
        &self,
        key: &str,
        now: OffsetDateTime,
    ) -> Option<(T, OffsetDateTime)> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.remove(&digest(key))?;
        (entry.expires_at > now).then_some((entry.value, entry.expires_at))
    }

    /// The record under `key`, left in place, if it has not expired.
    pub fn peek(&self, key: &str, now: OffsetDateTime) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(&digest(key))
            .filter(|entry| entry.expires_at > now)
            .map(|entry| entry.value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_single_use_and_expire() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let ledger = Ledger::new(Duration::from_secs(300));
        let key = ledger.insert("code-for-ada", now);
        assert_eq!(ledger.peek(&key, now), Some("code-for-ada"));
        assert_eq!(ledger.take(&key, now), Some("code-for-ada"));
        assert_eq!(ledger.take(&key, now), None, "a key works once");

        let key = ledger.insert("late", now);
        assert_eq!(ledger.take(&key, now + Duration::from_secs(300)), None);
        assert_eq!(ledger.take("not-a-key", now), None);
    }

    #[test]
    fn a_record_put_back_keeps_its_first_deadline() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let ledger = Ledger::new(Duration::from_secs(180));
        let key = ledger.insert("mfa", now);
        let later = now + Duration::from_secs(120);
        let (value, deadline) = ledger.take_with_deadline(&key, later).expect("live");
        assert_eq!(deadline, now + Duration::from_secs(180));
        let again = ledger.insert_until(value, deadline, later);
        assert_ne!(again, key, "a new key each time");
        assert_eq!(ledger.take(&key, later), None);
        assert_eq!(
            ledger.peek(&again, now + Duration::from_secs(179)),
            Some("mfa")
        );
        assert_eq!(ledger.take(&again, now + Duration::from_secs(180)), None);
    }
}
