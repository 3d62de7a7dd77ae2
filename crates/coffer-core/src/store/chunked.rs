//! Secrets larger than one keychain entry may hold, kept as several entries.
//!
//! Windows Credential Manager refuses a credential blob over `CRED_MAX_CREDENTIAL_BLOB_SIZE`
//! (2560 bytes), and `keyring` stores a password there as UTF-16, so one entry holds at most
//! 1280 ASCII characters (keyring 3.6 `windows.rs` checks `encode_utf16().count() * 2`
//! against that constant and answers `TooLong`; AccelByte/accelbyte-ags-cli#12 measured the
//! same limit). A Cognito token set is several kilobytes (the refresh token alone is a JWE of
//! about 1.7k characters), and even one ID token with a few groups or custom claims exceeds
//! 1280 characters, so storing the tokens one per entry would not be enough either.
//!
//! [`Chunked`] wraps a store of plain entries ([`SecretStore`] without size handling) and, on
//! every platform (so the same code is tested everywhere), keeps:
//!
//! - a secret of at most [`CHUNK_BYTES`] as a single entry under its key, exactly as before
//!   chunking existed — so entries written by earlier versions read unchanged;
//! - a larger one as numbered chunk entries `<key>#part-<write id>-<n>` of at most
//!   [`CHUNK_BYTES`] UTF-8 bytes each (cut at character boundaries, so at most 2048 bytes as
//!   UTF-16), plus a header under `<key>` itself:
//!   `coffer-chunks/1 <count> <write id> <SHA-256 of the whole secret, hex>`.
//!
//! **Order and atomicity.** A write stores every chunk first, under a fresh random write id,
//! and the header last; only then are the previous write's chunks deleted. The header switch is
//! the commit: a reader sees the old secret or the new one, and a write that fails part-way
//! leaves the old one in place (and removes what it had written). Because every write's chunks
//! have their own names, chunks of two writes can never be read together.
//!
//! **Reading verifies.** A header that does not parse, a missing chunk, or chunks whose
//! SHA-256 (compared in constant time) differs from the header's are reported as
//! [`StoreError::Corrupt`] — never returned as a secret. Deleting removes the chunks the header
//! names, then the header (so a delete that fails part-way can be retried).
//!
//! Chunks and the assembled secret live in zeroising buffers; the header holds no secret
//! (a count, a random id, and a digest of a high-entropy secret).

use rand::rngs::OsRng;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use super::{SecretStore, StoreError};

/// The most UTF-8 bytes kept in one entry: at most 2048 bytes as UTF-16 (a character never
/// takes more UTF-16 code units than UTF-8 bytes), under Windows' 2560-byte blob limit.
pub(crate) const CHUNK_BYTES: usize = 1024;

/// The most chunks one secret is split into (256 KiB): a larger header count is damage.
const MAX_CHUNKS: usize = 256;

/// What a header entry starts with. A single-entry secret that starts with it is chunked
/// instead, so a header is never mistaken for a secret or the other way round.
const HEADER_MAGIC: &str = "coffer-chunks/1 ";

/// A [`SecretStore`] that splits large secrets over several entries of `entries`.
#[derive(Debug, Clone)]
pub(crate) struct Chunked<S> {
    entries: S,
}

/// A parsed header: how many chunks, under which write id, and their digest.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    count: usize,
    write_id: String,
    digest: [u8; 32],
}

impl Header {
    fn parse(text: &str) -> Option<Self> {
        let mut fields = text.strip_prefix(HEADER_MAGIC)?.split(' ');
        let count: usize = fields.next()?.parse().ok()?;
        let write_id = fields.next()?;
        let digest_hex = fields.next()?;
        if fields.next().is_some()
            || !(1..=MAX_CHUNKS).contains(&count)
            || write_id.len() != 16
            || !write_id.bytes().all(|byte| byte.is_ascii_hexdigit())
        {
            return None;
        }
        let mut digest = [0u8; 32];
        hex::decode_to_slice(digest_hex, &mut digest).ok()?;
        Some(Self {
            count,
            write_id: write_id.to_owned(),
            digest,
        })
    }

    fn render(&self) -> String {
        format!(
            "{HEADER_MAGIC}{} {} {}",
            self.count,
            self.write_id,
            hex::encode(self.digest)
        )
    }

    fn chunk_key(&self, key: &str, index: usize) -> String {
        format!("{key}#part-{}-{index}", self.write_id)
    }
}

/// `secret` cut into pieces of at most [`CHUNK_BYTES`] bytes, at character boundaries.
fn split(secret: &str) -> Vec<&str> {
    let mut pieces = Vec::with_capacity(secret.len() / CHUNK_BYTES + 1);
    let mut rest = secret;
    while !rest.is_empty() {
        let mut end = rest.len().min(CHUNK_BYTES);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let (piece, tail) = rest.split_at(end);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

impl<S: SecretStore> Chunked<S> {
    pub(crate) fn new(entries: S) -> Self {
        Self { entries }
    }

    /// The header under `key`, if the entry there is one. `Err(Corrupt)` for an entry that
    /// starts like a header but is not a valid one.
    fn header(&self, key: &str) -> Result<Option<Header>, StoreError> {
        match self.entries.load(key)? {
            Some(text) if text.starts_with(HEADER_MAGIC) => {
                Header::parse(&text).map(Some).ok_or(StoreError::Corrupt)
            }
            _ => Ok(None),
        }
    }

    fn delete_chunks(&self, key: &str, header: &Header) -> Result<(), StoreError> {
        (0..header.count).try_for_each(|index| self.entries.delete(&header.chunk_key(key, index)))
    }

    /// Writes `secret` as chunks under a new write id, then the header. On failure, removes
    /// what it wrote (best effort) and leaves the previous entry as it was.
    fn save_chunked(&self, key: &str, secret: &str) -> Result<Header, StoreError> {
        let pieces = split(secret);
        if pieces.len() > MAX_CHUNKS {
            return Err(StoreError::Keychain {
                reason: format!(
                    "a secret of {} bytes is larger than the {} bytes Coffer keeps",
                    secret.len(),
                    MAX_CHUNKS * CHUNK_BYTES
                ),
            });
        }
        let mut id = [0u8; 8];
        OsRng.fill_bytes(&mut id);
        let header = Header {
            count: pieces.len(),
            write_id: hex::encode(id),
            digest: Sha256::digest(secret.as_bytes()).into(),
        };
        let written = pieces
            .iter()
            .enumerate()
            .try_for_each(|(index, piece)| self.entries.save(&header.chunk_key(key, index), piece))
            .and_then(|()| self.entries.save(key, &header.render()));
        if let Err(error) = written {
            if let Err(cleanup) = self.delete_chunks(key, &header) {
                tracing::warn!(
                    code = cleanup.code(),
                    "could not remove the chunks of a failed keychain write"
                );
            }
            return Err(error);
        }
        Ok(header)
    }
}

impl<S: SecretStore> SecretStore for Chunked<S> {
    fn load(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let Some(entry) = self.entries.load(key)? else {
            return Ok(None);
        };
        if !entry.starts_with(HEADER_MAGIC) {
            // A single entry: a small secret, or one written before chunking existed.
            return Ok(Some(entry));
        }
        let header = Header::parse(&entry).ok_or(StoreError::Corrupt)?;
        let mut secret = Zeroizing::new(String::with_capacity(header.count * CHUNK_BYTES));
        for index in 0..header.count {
            let piece = self
                .entries
                .load(&header.chunk_key(key, index))?
                .ok_or(StoreError::Corrupt)?;
            if piece.is_empty() || secret.len() + piece.len() > secret.capacity() {
                return Err(StoreError::Corrupt);
            }
            secret.push_str(&piece);
        }
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        if !bool::from(digest.ct_eq(&header.digest)) {
            return Err(StoreError::Corrupt);
        }
        Ok(Some(secret))
    }

    fn save(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        // The chunks the entry names now, removed once the new value is in place. A damaged
        // header names none that can be found; its chunks (if any) stay unreachable.
        let previous = self.header(key).unwrap_or(None);
        let written = if secret.len() <= CHUNK_BYTES && !secret.starts_with(HEADER_MAGIC) {
            self.entries.save(key, secret).map(|()| None)
        } else {
            self.save_chunked(key, secret).map(Some)
        };
        let written = written?;
        if let Some(previous) = previous {
            if written.as_ref().map(|header| &header.write_id) != Some(&previous.write_id) {
                if let Err(error) = self.delete_chunks(key, &previous) {
                    tracing::warn!(
                        code = error.code(),
                        "could not remove the chunks of the replaced keychain entry"
                    );
                }
            }
        }
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.header(key) {
            Ok(Some(header)) => self.delete_chunks(key, &header)?,
            Ok(None) | Err(StoreError::Corrupt) => {}
            Err(error) => return Err(error),
        }
        self.entries.delete(key)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::store::{KeyringStore, MemoryStore};

    /// A plain-entry store that can be inspected and damaged, and that refuses entries over
    /// Windows' limit as keyring's Windows backend does.
    #[derive(Default)]
    struct Entries {
        inner: MemoryStore,
        keys: std::sync::Mutex<Vec<String>>,
        /// Saves left before every further save fails (`usize::MAX`: never).
        saves_left: AtomicUsize,
    }

    impl Entries {
        fn new() -> Arc<Self> {
            Arc::new(Self {
                saves_left: AtomicUsize::new(usize::MAX),
                ..Self::default()
            })
        }

        /// Keys that hold an entry now.
        fn keys(&self) -> Vec<String> {
            let mut keys: Vec<String> = self
                .keys
                .lock()
                .unwrap()
                .iter()
                .filter(|key| self.inner.load(key).unwrap().is_some())
                .cloned()
                .collect();
            keys.sort();
            keys.dedup();
            keys
        }

        fn raw(&self, key: &str) -> Option<String> {
            self.inner.load(key).unwrap().map(|value| value.to_string())
        }
    }

    impl SecretStore for Arc<Entries> {
        fn load(&self, key: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
            self.inner.load(key)
        }

        fn save(&self, key: &str, secret: &str) -> Result<(), StoreError> {
            if secret.encode_utf16().count() * 2 > 2560 {
                return Err(StoreError::Keychain {
                    reason: "password encoded as UTF-16 is longer than 2560".into(),
                });
            }
            let left = self.saves_left.load(Ordering::SeqCst);
            if left == 0 {
                return Err(StoreError::KeychainUnavailable {
                    reason: "injected failure".into(),
                });
            }
            if left != usize::MAX {
                self.saves_left.store(left - 1, Ordering::SeqCst);
            }
            self.keys.lock().unwrap().push(key.to_owned());
            self.inner.save(key, secret)
        }

        fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.inner.delete(key)
        }
    }

    fn new_store() -> (Chunked<Arc<Entries>>, Arc<Entries>) {
        let entries = Entries::new();
        (Chunked::new(Arc::clone(&entries)), entries)
    }

    /// A 10 KB secret of mixed characters (1, 2, 3 and 4 bytes in UTF-8).
    fn large_secret(seed: char) -> String {
        let unit = format!("{seed}token-é-€-🔑-");
        unit.repeat(10 * 1024 / unit.len() + 1)
    }

    fn loaded(store: &impl SecretStore, key: &str) -> Option<String> {
        store.load(key).unwrap().map(|secret| secret.to_string())
    }

    #[test]
    fn a_large_secret_round_trips_in_entries_windows_accepts() {
        let (store, entries) = new_store();
        let secret = large_secret('a');
        assert!(secret.len() > 10 * 1024);
        // What one entry per secret did: refused, as on Windows.
        let error = entries.save("tokens:k", &secret).unwrap_err();
        assert_eq!(error.code(), "keychain_error");
        store.save("tokens:k", &secret).unwrap();
        assert_eq!(loaded(&store, "tokens:k").as_deref(), Some(secret.as_str()));
        let keys = entries.keys();
        assert_eq!(
            keys.len(),
            1 + secret.len().div_ceil(CHUNK_BYTES),
            "{keys:?}"
        );
        for key in &keys {
            let value = entries.raw(key).unwrap();
            assert!(value.len() <= CHUNK_BYTES, "{key}");
            assert!(
                !value.contains("token") || key != "tokens:k",
                "the header holds no secret"
            );
        }
    }

    #[test]
    fn small_secrets_stay_single_entries_and_old_entries_still_read() {
        let (store, entries) = new_store();
        // As written before chunking existed (or by this version, for a small secret).
        entries.save("old", r#"{"version":1}"#).unwrap();
        assert_eq!(loaded(&store, "old").as_deref(), Some(r#"{"version":1}"#));
        store
            .save("small", "x".repeat(CHUNK_BYTES).as_str())
            .unwrap();
        assert_eq!(entries.keys(), vec!["old".to_owned(), "small".to_owned()]);
        // A small secret that looks like a header is chunked, so it reads back as itself.
        let lookalike = format!("{HEADER_MAGIC}1 0123456789abcdef {}", "0".repeat(64));
        store.save("lookalike", &lookalike).unwrap();
        assert_eq!(loaded(&store, "lookalike"), Some(lookalike));
    }

    #[test]
    fn replacing_a_secret_leaves_no_chunks_of_the_old_one() {
        let (store, entries) = new_store();
        store.save("k", &large_secret('a')).unwrap();
        store.save("k", &large_secret('b')).unwrap();
        assert_eq!(loaded(&store, "k"), Some(large_secret('b')));
        assert_eq!(
            entries.keys().len(),
            1 + large_secret('b').len().div_ceil(CHUNK_BYTES)
        );
        // The same value again gets new chunks, and the old ones still go.
        store.save("k", &large_secret('b')).unwrap();
        assert_eq!(
            entries.keys().len(),
            1 + large_secret('b').len().div_ceil(CHUNK_BYTES)
        );
        store.save("k", "small now").unwrap();
        assert_eq!(entries.keys(), vec!["k".to_owned()]);
        assert_eq!(loaded(&store, "k").as_deref(), Some("small now"));
    }

    #[test]
    fn delete_removes_every_chunk() {
        let (store, entries) = new_store();
        store.save("k", &large_secret('a')).unwrap();
        store.save("other", &large_secret('o')).unwrap();
        store.delete("k").unwrap();
        assert!(store.load("k").unwrap().is_none());
        assert!(entries.keys().iter().all(|key| key.starts_with("other")));
        store.delete("k").unwrap();
        assert_eq!(loaded(&store, "other"), Some(large_secret('o')));
    }

    #[test]
    fn missing_damaged_or_foreign_chunks_are_corrupt_never_a_secret() {
        let secret = large_secret('a');
        let chunk_keys = |entries: &Entries| -> Vec<String> {
            entries
                .keys()
                .into_iter()
                .filter(|key| key.contains("#part-"))
                .collect()
        };

        // A chunk missing.
        let (store, entries) = new_store();
        store.save("k", &secret).unwrap();
        entries.delete(&chunk_keys(&entries)[3]).unwrap();
        assert!(matches!(store.load("k"), Err(StoreError::Corrupt)));

        // A chunk changed.
        let (store, entries) = new_store();
        store.save("k", &secret).unwrap();
        let victim = chunk_keys(&entries)[0].clone();
        let changed = entries.raw(&victim).unwrap().replacen('a', "b", 1);
        entries.inner.save(&victim, &changed).unwrap();
        assert!(matches!(store.load("k"), Err(StoreError::Corrupt)));

        // The header of one write with (only) the chunks of another: never mixed.
        let (store, entries) = new_store();
        store.save("k", &secret).unwrap();
        let old_header = entries.raw("k").unwrap();
        store.save("k", &large_secret('b')).unwrap();
        entries.inner.save("k", &old_header).unwrap();
        assert!(matches!(store.load("k"), Err(StoreError::Corrupt)));

        // A damaged header.
        for header in [
            format!("{HEADER_MAGIC}x"),
            format!("{HEADER_MAGIC}0 0123456789abcdef {}", "0".repeat(64)),
            format!("{HEADER_MAGIC}999 0123456789abcdef {}", "0".repeat(64)),
            format!("{HEADER_MAGIC}2 0123456789abcdef nothex"),
        ] {
            let (store, entries) = new_store();
            entries.inner.save("k", &header).unwrap();
            assert!(
                matches!(store.load("k"), Err(StoreError::Corrupt)),
                "{header}"
            );
            // Still replaceable and deletable.
            store.delete("k").unwrap();
            assert!(entries.keys().is_empty());
        }
    }

    #[test]
    fn a_write_that_fails_part_way_keeps_the_previous_secret() {
        let (store, entries) = new_store();
        store.save("k", &large_secret('a')).unwrap();
        let before = entries.keys();
        entries.saves_left.store(4, Ordering::SeqCst);
        let error = store.save("k", &large_secret('b')).unwrap_err();
        assert_eq!(error.code(), "keychain_unavailable");
        assert_eq!(loaded(&store, "k"), Some(large_secret('a')));
        assert_eq!(entries.keys(), before, "the new chunks were removed");
    }

    #[test]
    fn an_oversized_secret_is_refused_without_writing() {
        let (store, entries) = new_store();
        let error = store
            .save("k", &"x".repeat(MAX_CHUNKS * CHUNK_BYTES + 1))
            .unwrap_err();
        assert_eq!(error.code(), "keychain_error");
        assert!(entries.keys().is_empty());
    }

    /// The same through the real OS keychain (the Secret Service in the test session). Fails
    /// with instructions when there is none, unless `COFFER_TEST_NO_KEYCHAIN=1` asks to skip.
    #[test]
    fn the_os_keychain_keeps_a_10_kb_secret_and_reads_old_single_entries() {
        let service = format!("coffer-test-chunks-{}", std::process::id());
        let store = KeyringStore::with_service(&service);
        let plain = super::super::KeyringEntries::with_service(&service);
        let key = "tokens:test#chunks";
        if let Err(error) = plain.save("probe", "probe") {
            if std::env::var("COFFER_TEST_NO_KEYCHAIN").as_deref() == Ok("1") {
                eprintln!("SKIPPED: no usable OS keychain ({error})");
                return;
            }
            panic!(
                "no usable OS keychain ({error}); run under dbus-run-session with an unlocked \
                 gnome-keyring (see scripts/test-all), or set COFFER_TEST_NO_KEYCHAIN=1 to skip"
            );
        }
        plain.delete("probe").unwrap();

        let secret = large_secret('k');
        store.save(key, &secret).unwrap();
        assert_eq!(loaded(&store, key), Some(secret.clone()));
        let header = Header::parse(&plain.load(key).unwrap().unwrap()).unwrap();
        assert_eq!(header.count, secret.len().div_ceil(CHUNK_BYTES));

        store.delete(key).unwrap();
        assert!(store.load(key).unwrap().is_none());
        for index in 0..header.count {
            assert!(plain.load(&header.chunk_key(key, index)).unwrap().is_none());
        }

        // An entry written as one password (before chunking) reads as it was.
        plain.save(key, r#"{"version":1,"old":true}"#).unwrap();
        assert_eq!(
            loaded(&store, key).as_deref(),
            Some(r#"{"version":1,"old":true}"#)
        );
        store.delete(key).unwrap();
        assert!(plain.load(key).unwrap().is_none());
    }
}
