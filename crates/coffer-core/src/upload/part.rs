//! One part (or one small object) on the wire: its CRC32C, its body streamed from the file,
//! and the part-level retry around the SDK's own.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_smithy_checksums::ChecksumAlgorithm;
use base64::Engine;

use crate::storage::StorageError;

/// Read buffer for checksums and request bodies.
pub(crate) const READ_BUFFER: usize = 256 * 1024;

/// CRC32C (base64, as S3's `x-amz-checksum-crc32c` header) of `len` bytes of `path` from
/// `offset`. Blocking IO; run it on the blocking pool.
pub(crate) fn crc32c_of_range(path: &Path, offset: u64, len: u64) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut reader = file.take(len);
    let mut checksum = ChecksumAlgorithm::Crc32c.into_impl();
    let mut buffer = vec![0u8; READ_BUFFER];
    let mut total = 0u64;
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        checksum.update(&buffer[..read]);
        total += read as u64;
    }
    if total != len {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the file is shorter than when the upload started",
        ));
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(checksum.finalize()))
}

/// [`crc32c_of_range`] on the blocking pool, with errors naming the file.
pub(crate) async fn checksum(path: &Path, offset: u64, len: u64) -> Result<String, StorageError> {
    let owned: PathBuf = path.to_path_buf();
    tokio::task::spawn_blocking(move || crc32c_of_range(&owned, offset, len))
        .await
        .map_err(|join_error| StorageError::LocalFile {
            path: path.to_path_buf(),
            source: std::io::Error::other(join_error),
        })?
        .map_err(|source| StorageError::LocalFile {
            path: path.to_path_buf(),
            source,
        })
}

/// A request body streaming `len` bytes of `path` from `offset` (re-readable, so the SDK can
/// retry it).
pub(crate) async fn body(path: &Path, offset: u64, len: u64) -> Result<ByteStream, StorageError> {
    ByteStream::read_from()
        .path(path)
        .offset(offset)
        .length(Length::Exact(len))
        .buffer_size(READ_BUFFER)
        .build()
        .await
        .map_err(|error| StorageError::LocalFile {
            path: path.to_path_buf(),
            source: std::io::Error::other(error),
        })
}

/// Delay before part-level retry `attempt` (1-based): 0.5 s, 1 s, 2 s, … capped at 8 s, plus
/// up to 50 % jitter from `jitter` (0.0..1.0).
pub(crate) fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1 << attempt.saturating_sub(1).min(4));
    base.mul_f64(1.0 + jitter.clamp(0.0, 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_matches_the_known_vector() {
        // CRC32C("123456789") = 0xE3069283 (RFC 3720's check value).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"xx123456789yy").unwrap();
        let value = crc32c_of_range(&path, 2, 9).unwrap();
        let expected =
            base64::engine::general_purpose::STANDARD.encode(0xE306_9283u32.to_be_bytes());
        assert_eq!(value, expected);
        let error = crc32c_of_range(&path, 10, 9).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(2, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(3, 1.0), Duration::from_secs(3));
        assert_eq!(backoff(30, 0.0), Duration::from_secs(8));
    }
}
