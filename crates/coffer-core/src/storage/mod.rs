//! The person's files in S3: listing, downloading and deleting under their own prefix, with
//! the identity pool's temporary credentials. Uploads are in [`crate::upload`].
//!
//! [`Files`] is bound to one bucket and one prefix — `private/<identity id>/` when signed in,
//! `guest/<identity id>/` for a guest — and every key it sends is made by
//! [`key::object_key`], so no name can reach outside the prefix. The identity pool's role
//! policy enforces the same boundary on the server; the client-side check is there so that a
//! hostile file name fails early and clearly instead of as `AccessDenied` (or worse, on a
//! misconfigured bucket, as a write somewhere else).
//!
//! The S3 client is the official SDK ([`s3_client`]): path-style addressing on custom
//! endpoints (the local cloud), the SDK's standard retries with jittered backoff for
//! throttling, 5xx and dropped connections, stalled-stream protection, and the SDK identity
//! cache turned off so that [`IdentityCredentials`] alone decides when to renew.

mod adopt;
mod error;
pub mod key;
mod merged_guest;

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_sdk_s3 as s3;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use s3::config::{
    BehaviorVersion, IdentityCache, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

pub use adopt::{GuestAdoption, LeftInGuestFolder, LeftReason, MAX_COPY_OBJECT_BYTES};
pub use error::StorageError;
pub use key::{object_key, Key, KeyError};

use crate::client::Client;
use crate::error::Error;
use crate::identity::{IdentityCredentials, IdentityMode};

/// Attempts per S3 call made by the SDK itself (retries cover throttling, 5xx, timeouts and
/// broken connections, with exponential backoff and jitter).
pub const SDK_MAX_ATTEMPTS: u32 = 5;

/// Builds the S3 client for the config's endpoint with `credentials`.
pub fn s3_client(config: &crate::Config, credentials: IdentityCredentials) -> s3::Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(120))
        .build();
    let mut builder = s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(config.region().to_owned()))
        .credentials_provider(credentials)
        .identity_cache(IdentityCache::no_cache())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(SDK_MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(200)),
        )
        .timeout_config(timeouts)
        // Coffer computes CRC32C itself for every part and object; the SDK adds nothing.
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenSupported);
    // Only an overridden S3 endpoint (the local cloud, an S3-compatible server) is addressed
    // path-style; AWS's own S3 keeps the SDK's virtual-hosted addressing even when only the
    // Cognito endpoints are overridden (FIPS, PrivateLink, a proxy).
    if let Some(endpoint) = config.s3_endpoint_override() {
        builder = builder.endpoint_url(endpoint).force_path_style(true);
    }
    s3::Client::from_conf(builder.build())
}

/// The person's files: one bucket, one prefix, one identity.
#[derive(Debug, Clone)]
pub struct Files {
    pub(crate) s3: s3::Client,
    pub(crate) credentials: IdentityCredentials,
    pub(crate) bucket: String,
    pub(crate) prefix: String,
    pub(crate) endpoint: String,
}

/// One stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// Its key.
    pub key: Key,
    /// Size in bytes.
    pub size: u64,
    /// When it was stored.
    pub last_modified: Option<OffsetDateTime>,
}

/// A directory listing: files and subdirectories (names relative to the prefix, ending `/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Files directly in the directory.
    pub files: Vec<RemoteFile>,
    /// Subdirectories, relative to the prefix, each ending with `/`.
    pub directories: Vec<String>,
}

impl Client {
    /// The files of `mode`'s identity. Resolves the identity (a network call) to learn the
    /// prefix.
    pub async fn files(&self, mode: IdentityMode) -> Result<Files, Error> {
        let credentials = self.identity_credentials(mode)?;
        Files::new(self, credentials).await
    }
}

impl Files {
    /// Files for an existing credentials provider (shares its cache).
    pub async fn new(client: &Client, credentials: IdentityCredentials) -> Result<Self, Error> {
        let bucket = client
            .config()
            .bucket()
            .ok_or(StorageError::NoBucket)?
            .to_owned();
        let prefix = credentials.prefix().await?;
        Ok(Self {
            s3: s3_client(client.config(), credentials.clone()),
            credentials,
            bucket,
            prefix,
            endpoint: client.config().s3_endpoint(),
        })
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The identity's prefix, e.g. `private/us-east-1:…/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The S3 endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The credentials provider.
    pub fn credentials(&self) -> &IdentityCredentials {
        &self.credentials
    }

    /// The S3 client (for callers that need an operation Coffer does not wrap).
    pub fn s3(&self) -> &s3::Client {
        &self.s3
    }

    /// The key of file `name` in directory `dir` under this identity's prefix.
    pub fn key(&self, dir: &str, name: &str) -> Result<Key, StorageError> {
        Ok(object_key(&self.prefix, dir, name)?)
    }

    /// A key typed by the person (relative to the prefix).
    pub fn parse_key(&self, relative: &str) -> Result<Key, StorageError> {
        Ok(Key::parse_relative(&self.prefix, relative)?)
    }

    pub(crate) fn sdk_error<E, R>(
        &self,
        key: Option<&Key>,
        error: s3::error::SdkError<E, R>,
    ) -> StorageError
    where
        E: s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static + error::HasStatus,
    {
        StorageError::from_sdk(&self.endpoint, &self.bucket, key.map(Key::relative), error)
    }

    /// Lists directory `dir` (`""` for the top), following continuation tokens.
    pub async fn list(&self, dir: &str) -> Result<Listing, Error> {
        let list_prefix = key::directory_prefix(&self.prefix, dir).map_err(StorageError::from)?;
        let mut listing = Listing::default();
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&list_prefix)
            .delimiter("/")
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| self.sdk_error(None, error))?;
            for object in page.contents() {
                let Some(full) = object.key() else { continue };
                let Some(relative) = full.strip_prefix(&self.prefix) else {
                    continue;
                };
                // Keys written by other tools may not pass our rules; they are still listed
                // when they are plain names, and skipped (with a log line) otherwise.
                match Key::parse_relative(&self.prefix, relative) {
                    Ok(key) => listing.files.push(RemoteFile {
                        key,
                        size: object
                            .size()
                            .and_then(|s| u64::try_from(s).ok())
                            .unwrap_or(0),
                        last_modified: object
                            .last_modified()
                            .and_then(|t| OffsetDateTime::from_unix_timestamp(t.secs()).ok()),
                    }),
                    Err(error) => {
                        tracing::warn!(code = error.code(), "skipping a key Coffer would not write")
                    }
                }
            }
            for common in page.common_prefixes() {
                if let Some(relative) = common.prefix().and_then(|p| p.strip_prefix(&self.prefix)) {
                    listing.directories.push(relative.to_owned());
                }
            }
        }
        Ok(listing)
    }

    /// Downloads `key` to `dest` (a file path, or an existing directory to put it in under
    /// its name). Streams to a temporary file next to the destination and renames it into
    /// place at the end, so an interrupted download never leaves a partial file under the
    /// real name. Returns the destination and the number of bytes.
    ///
    /// Never replaces a local file: one that exists (before, or by the time the download is
    /// renamed into place) is [`StorageError::LocalFileExists`]; see
    /// [`Self::download_overwriting`]. A key that does not exist is [`StorageError::NotFound`]
    /// to a caller that may list the bucket, else [`StorageError::MissingOrUnreadable`] (see
    /// [`Self::delete`]).
    pub async fn download(&self, key: &Key, dest: &Path) -> Result<(PathBuf, u64), Error> {
        self.download_to(key, dest, false).await
    }

    /// [`Self::download`], replacing an existing local file (the person confirmed it, e.g. in
    /// a save dialog, or asked with `coffer get --force`).
    pub async fn download_overwriting(
        &self,
        key: &Key,
        dest: &Path,
    ) -> Result<(PathBuf, u64), Error> {
        self.download_to(key, dest, true).await
    }

    /// A 403 on reading a key of one's own prefix: S3 answers 403 rather than 404 for a
    /// missing key to a caller without an unconditional `s3:ListBucket` (S3 API reference,
    /// GetObject/HeadObject permissions), which Coffer's roles do not have; so "missing" and
    /// "unreadable" are one answer here.
    fn missing_or_unreadable(key: &Key, error: StorageError) -> StorageError {
        match error {
            StorageError::AccessDenied => StorageError::MissingOrUnreadable {
                key: key.relative().to_owned(),
            },
            other => other,
        }
    }

    async fn download_to(
        &self,
        key: &Key,
        dest: &Path,
        overwrite: bool,
    ) -> Result<(PathBuf, u64), Error> {
        let dest = if dest.is_dir() {
            dest.join(key.name())
        } else {
            dest.to_path_buf()
        };
        let exists = || StorageError::LocalFileExists { path: dest.clone() };
        if !overwrite && std::fs::symlink_metadata(&dest).is_ok() {
            return Err(exists().into());
        }
        let local = |source: std::io::Error| StorageError::LocalFile {
            path: dest.clone(),
            source,
        };
        let parent = match dest.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let output = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key.full())
            .checksum_mode(s3::types::ChecksumMode::Enabled)
            .send()
            .await
            .map_err(|error| Self::missing_or_unreadable(key, self.sdk_error(Some(key), error)))?;
        let temp = tempfile::Builder::new()
            .prefix(".coffer-download-")
            .tempfile_in(&parent)
            .map_err(local)?;
        let (std_file, temp_path) = temp.into_parts();
        let mut file = tokio::fs::File::from_std(std_file);
        let mut body = output.body;
        let mut written = 0u64;
        while let Some(chunk) =
            body.next()
                .await
                .transpose()
                .map_err(|error| StorageError::Unreachable {
                    endpoint: self.endpoint.clone(),
                    source: Box::new(error),
                })?
        {
            file.write_all(&chunk).await.map_err(local)?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(local)?;
        file.sync_all().await.map_err(local)?;
        drop(file);
        if overwrite {
            temp_path
                .persist(&dest)
                .map_err(|error| local(error.error))?;
        } else {
            temp_path.persist_noclobber(&dest).map_err(|error| {
                if error.error.kind() == std::io::ErrorKind::AlreadyExists {
                    exists()
                } else {
                    local(error.error)
                }
            })?;
        }
        Ok((dest, written))
    }

    /// Deletes `key`. A key that does not exist is [`StorageError::NotFound`] or
    /// [`StorageError::MissingOrUnreadable`] (checked with HeadObject first: S3's
    /// DeleteObject succeeds either way). On AWS a
    /// missing key answers 403 to Coffer's roles (they may list only under an `s3:prefix`
    /// condition), exactly as a key one may not read would, so the error names both; a real
    /// permission problem still shows as [`StorageError::AccessDenied`] on DeleteObject.
    pub async fn delete(&self, key: &Key) -> Result<(), Error> {
        self.s3
            .head_object()
            .bucket(&self.bucket)
            .key(key.full())
            .send()
            .await
            .map_err(|error| Self::missing_or_unreadable(key, self.sdk_error(Some(key), error)))?;
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(key.full())
            .send()
            .await
            .map_err(|error| self.sdk_error(Some(key), error))?;
        Ok(())
    }
}
