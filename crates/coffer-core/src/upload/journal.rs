//! The resume journal: one small JSON file per unfinished multipart upload, so that an upload
//! survives the process dying (`kill -9`, power loss, Ctrl-C).
//!
//! Written (atomically: temp file + rename) right after CreateMultipartUpload and before the
//! first part; deleted after CompleteMultipartUpload or AbortMultipartUpload. It records only
//! what is needed to find the upload again and to be sure the file is the same one: the
//! upload id, bucket, key, part size, and the file's identity ([`FileIdentity`]: size, mtime
//! and a SHA-256 of its first MiB). Which parts are done is asked of S3 (ListParts) on resume,
//! and each listed part is checked against the file's bytes (CRC32C) before it is kept, so the
//! journal never needs updating per part. No credentials or tokens are written.
//!
//! The file name is the SHA-256 of `endpoint \n bucket \n key`: one journal per destination.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How much of the file's head is hashed into its identity.
pub const HEAD_BYTES: u64 = 1024 * 1024;

const JOURNAL_VERSION: u32 = 1;

/// One upload's hold on its destination ([`Journal::lock`]); released when dropped (closing
/// the file releases the operating system's lock).
#[derive(Debug)]
pub struct DestinationLock {
    /// Holds the lock; closed (releasing it) after `drop` removed the path.
    _file: std::fs::File,
    path: PathBuf,
}

impl Drop for DestinationLock {
    fn drop(&mut self) {
        if cfg!(unix) {
            // Removed while locked: see `Journal::lock`. Best effort; a leftover empty file
            // is harmless.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `path` still names the open `file` (it may have been removed by the previous
/// holder between our open and our lock).
#[cfg(unix)]
fn still_named(file: &std::fs::File, path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let open = file.metadata()?;
    match std::fs::metadata(path) {
        Ok(named) => Ok(named.dev() == open.dev() && named.ino() == open.ino()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// Elsewhere lock files are never removed, so the path always names the file.
#[cfg(not(unix))]
fn still_named(_file: &std::fs::File, _path: &Path) -> std::io::Result<bool> {
    Ok(true)
}

/// What makes a file "the same file" for a resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIdentity {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds since the Unix epoch.
    pub mtime_secs: i64,
    /// Nanoseconds part of the modification time.
    pub mtime_nanos: u32,
    /// Hex SHA-256 of the first [`HEAD_BYTES`] bytes.
    pub head_sha256: String,
}

impl FileIdentity {
    /// Reads the identity of the file at `path` (blocking IO).
    pub fn of_file(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let metadata = file.metadata()?;
        let modified = metadata.modified()?;
        let (mtime_secs, mtime_nanos) = match modified.duration_since(UNIX_EPOCH) {
            Ok(after) => (
                i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                after.subsec_nanos(),
            ),
            Err(before) => {
                let before = before.duration();
                (
                    -i64::try_from(before.as_secs()).unwrap_or(i64::MAX),
                    before.subsec_nanos(),
                )
            }
        };
        let mut hasher = Sha256::new();
        let mut head = file.take(HEAD_BYTES);
        let mut buffer = [0u8; 64 * 1024];
        loop {
            let read = head.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
        }
        Ok(Self {
            size: metadata.len(),
            mtime_secs,
            mtime_nanos,
            head_sha256: hex::encode(hasher.finalize()),
        })
    }
}

/// One unfinished multipart upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalEntry {
    /// Format version.
    pub version: u32,
    /// The S3 endpoint.
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// The full object key.
    pub key: String,
    /// S3's upload id.
    pub upload_id: String,
    /// The part size the upload was started with.
    pub part_size: u64,
    /// The local file (for people reading the journal; identity is [`Self::source`]).
    pub path: PathBuf,
    /// The file's identity when the upload started.
    pub source: FileIdentity,
}

impl JournalEntry {
    /// A new entry.
    pub fn new(
        endpoint: &str,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_size: u64,
        path: &Path,
        source: FileIdentity,
    ) -> Self {
        Self {
            version: JOURNAL_VERSION,
            endpoint: endpoint.to_owned(),
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
            part_size,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The directory of journal files.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    /// Journals kept in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The journal file for a destination.
    pub fn path_for(&self, endpoint: &str, bucket: &str, key: &str) -> PathBuf {
        let mut hasher = Sha256::new();
        for part in [endpoint, bucket, key] {
            hasher.update(part.as_bytes());
            hasher.update(b"\n");
        }
        self.dir
            .join(format!("{}.json", hex::encode(hasher.finalize())))
    }

    /// The entry for a destination, if any. An unreadable or foreign entry counts as none
    /// (and is reported in the log): the worst case is a fresh upload.
    pub fn load(&self, endpoint: &str, bucket: &str, key: &str) -> Option<JournalEntry> {
        let path = self.path_for(endpoint, bucket, key);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "cannot read an upload journal");
                return None;
            }
        };
        match serde_json::from_str::<JournalEntry>(&text) {
            Ok(entry)
                if entry.version == JOURNAL_VERSION
                    && entry.endpoint == endpoint
                    && entry.bucket == bucket
                    && entry.key == key =>
            {
                Some(entry)
            }
            Ok(_) | Err(_) => {
                tracing::warn!(path = %path.display(), "ignoring an unreadable upload journal");
                None
            }
        }
    }

    /// Writes an entry atomically (temp file in the same directory, fsync, rename).
    pub fn save(&self, entry: &JournalEntry) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path_for(&entry.endpoint, &entry.bucket, &entry.key);
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        let json = serde_json::to_vec_pretty(entry).map_err(std::io::Error::other)?;
        file.write_all(&json)?;
        file.as_file().sync_all()?;
        file.persist(&path).map_err(|error| error.error)?;
        Ok(())
    }

    /// Takes the destination's upload lock, held until the returned guard is dropped;
    /// `Ok(None)` when another upload holds it, in this process or another. The lock is the
    /// operating system's advisory file lock on an empty `<journal name>.lock` (flock /
    /// LockFileEx), so a process that dies releases it, and a resume after `kill -9` is never
    /// blocked. On Unix the guard removes the file when dropped, while still holding the lock;
    /// a taker checks after locking that the path still names the file it locked (else it
    /// locked a removed file and tries again), so two uploads never both hold the lock.
    /// Elsewhere the empty file stays.
    pub fn lock(
        &self,
        endpoint: &str,
        bucket: &str,
        key: &str,
    ) -> std::io::Result<Option<DestinationLock>> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path_for(endpoint, bucket, key).with_extension("lock");
        loop {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            // Named through the trait: std's inherent `File::try_lock` needs Rust 1.89, above
            // this workspace's rust-version.
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => {}
                Err(fs4::TryLockError::WouldBlock) => return Ok(None),
                Err(fs4::TryLockError::Error(error)) => return Err(error),
            }
            if still_named(&file, &path)? {
                return Ok(Some(DestinationLock { _file: file, path }));
            }
        }
    }

    /// Deletes the entry for a destination; a missing entry is fine.
    pub fn remove(&self, endpoint: &str, bucket: &str, key: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path_for(endpoint, bucket, key)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_remove_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path().join("uploads"));
        let file = dir.path().join("data.bin");
        std::fs::write(&file, vec![7u8; 3 * 1024 * 1024]).unwrap();
        let identity = FileIdentity::of_file(&file).unwrap();
        assert_eq!(identity.size, 3 * 1024 * 1024);
        let entry = JournalEntry::new(
            "http://e",
            "b",
            "private/x/k",
            "up-1",
            8 << 20,
            &file,
            identity,
        );
        assert!(journal.load("http://e", "b", "private/x/k").is_none());
        journal.save(&entry).unwrap();
        assert_eq!(
            journal.load("http://e", "b", "private/x/k"),
            Some(entry.clone())
        );
        // Another destination has its own entry.
        assert!(journal.load("http://e", "b", "private/x/other").is_none());
        assert!(journal.load("http://other", "b", "private/x/k").is_none());
        journal.remove("http://e", "b", "private/x/k").unwrap();
        journal.remove("http://e", "b", "private/x/k").unwrap();
        assert!(journal.load("http://e", "b", "private/x/k").is_none());
    }

    #[test]
    fn identity_changes_with_the_head_bytes_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"hello").unwrap();
        let first = FileIdentity::of_file(&file).unwrap();
        std::fs::write(&file, b"jello").unwrap();
        let second = FileIdentity::of_file(&file).unwrap();
        assert_ne!(first.head_sha256, second.head_sha256);
        std::fs::write(&file, b"jello!").unwrap();
        assert_ne!(FileIdentity::of_file(&file).unwrap().size, second.size);
    }

    #[test]
    fn one_upload_per_destination_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        let held = journal.lock("e", "b", "k").unwrap().expect("free");
        assert!(
            journal.lock("e", "b", "k").unwrap().is_none(),
            "a second upload to the same destination is refused"
        );
        assert!(journal.lock("e", "b", "other").unwrap().is_some());
        drop(held);
        let again = journal.lock("e", "b", "k").unwrap();
        assert!(again.is_some(), "released");
        drop(again);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert!(
            cfg!(not(unix)) || left.is_empty(),
            "no lock file is left behind: {left:?}"
        );
    }

    #[test]
    fn a_damaged_journal_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::new(dir.path());
        std::fs::write(journal.path_for("e", "b", "k"), b"{not json").unwrap();
        assert!(journal.load("e", "b", "k").is_none());
    }
}
