//! Uploads from the desktop straight to the person's S3 prefix.
//!
//! # Design
//!
//! - **Small files** (up to [`UploadOptions::multipart_threshold`]) go in one PutObject.
//! - **Large files** go as a multipart upload: parts of [`plan::part_size`] (8 MiB, doubled as
//!   needed to stay within S3's 10 000 parts), [`UploadOptions::concurrency`] parts in
//!   flight. Each part is streamed from disk (a re-readable body over a positioned read of
//!   the file) — the file is never held in memory, and memory use does not grow with its size.
//! - **Checksums.** Every part and every small object carries its CRC32C
//!   (`x-amz-checksum-crc32c`, computed by Coffer before sending and verified by S3); the
//!   multipart upload is created with the CRC32C algorithm and completed with each part's
//!   value.
//! - **Progress** ([`Progress`]: bytes, rate, time left) is reported to a callback as parts
//!   complete.
//! - **Pause, cancel** ([`UploadControl`]): pause stops at once (parts in flight are dropped
//!   and resent later) and keeps the journal; cancel also aborts the upload on the server
//!   (AbortMultipartUpload) and deletes the journal.
//! - **Resume after the process dies** ([`journal`]): the journal, written before the first
//!   part, names the upload; a later run for the same destination with the same file
//!   (size, mtime, SHA-256 of the first MiB) asks S3 which parts it has (ListParts), keeps
//!   those whose size and CRC32C match the file's bytes, and sends only the rest. A different
//!   file at the same destination aborts the old upload and starts over.
//! - **Never a silent replace.** Unless [`UploadOptions::overwrite`] is set, the PutObject
//!   and the CompleteMultipartUpload carry `If-None-Match: *`: S3 stores the object only if
//!   the key does not exist, atomically, and refuses otherwise (412, or 409 when another
//!   writer won during a multipart upload), which is [`StorageError::AlreadyExists`]. A
//!   multipart upload also asks first (HeadObject), so a large file is not sent only to be
//!   refused at the end; that check is advisory, the conditional write decides. A resumed
//!   upload completes under the same condition. When the completion is refused, the journal
//!   is kept: running the upload again with `overwrite` resumes it if S3 still has its parts
//!   (after a 409, S3 has dropped the upload, and it starts over).
//! - **One upload per destination.** An upload holds its destination's lock
//!   ([`Journal::lock`], an OS file lock beside the journal) from start to end; a second
//!   upload to the same key, in this process or another, is refused with
//!   [`StorageError::UploadInProgress`] instead of touching the first one's multipart upload.
//! - **Failures.** The SDK retries each request (throttling, 5xx, timeouts, broken
//!   connections; exponential backoff with jitter); on top of that a failed part is retried
//!   a few times with backoff, and on `ExpiredToken` the credentials are renewed first.
//!   Credentials are renewed before they expire anyway ([`crate::identity`]), so an upload
//!   outliving them continues.

pub mod journal;
mod part;
pub mod plan;
pub mod progress;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use journal::{FileIdentity, Journal, JournalEntry};
pub use plan::{part_size, PartRange, MIN_PART_SIZE};
pub use progress::{Progress, ProgressMeter, ProgressSink};

use crate::error::Error;
use crate::storage::{Files, Key, StorageError};

/// How uploads are cut and paced.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Smallest part size (S3's floor of 5 MiB applies); grows for very large files.
    pub min_part_size: u64,
    /// Parts in flight at once.
    pub concurrency: usize,
    /// Files up to this size go in one PutObject.
    pub multipart_threshold: u64,
    /// Where resume journals are kept.
    pub journal_dir: PathBuf,
    /// Attempts per part on top of the SDK's own retries.
    pub part_attempts: u32,
    /// Replace a file that already exists at the destination. Off by default: the upload is
    /// then refused with [`StorageError::AlreadyExists`] (see the module docs).
    pub overwrite: bool,
}

impl UploadOptions {
    /// 8 MiB parts, 6 in flight, multipart above 8 MiB, 4 attempts per part, never replacing
    /// an existing file.
    pub fn new(journal_dir: impl Into<PathBuf>) -> Self {
        Self {
            min_part_size: MIN_PART_SIZE,
            concurrency: 6,
            multipart_threshold: MIN_PART_SIZE,
            journal_dir: journal_dir.into(),
            part_attempts: 4,
            overwrite: false,
        }
    }
}

/// The default journal directory: `<platform data dir>/uploads` (e.g.
/// `~/.local/share/coffer/uploads`).
pub fn default_journal_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "coffer").map(|dirs| dirs.data_dir().join("uploads"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    Run,
    Pause,
    Cancel,
}

/// Pauses or cancels running uploads. Clones control the same uploads.
#[derive(Debug, Clone)]
pub struct UploadControl {
    sender: Arc<watch::Sender<Signal>>,
}

impl Default for UploadControl {
    fn default() -> Self {
        Self::new()
    }
}

impl UploadControl {
    /// A control in the running state.
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::Sender::new(Signal::Run)),
        }
    }

    /// Stops the uploads, keeping their journals so that they can be resumed.
    pub fn pause(&self) {
        self.sender.send_replace(Signal::Pause);
    }

    /// Stops the uploads and aborts them on the server.
    pub fn cancel(&self) {
        self.sender.send_replace(Signal::Cancel);
    }

    /// Lets new uploads run again after a pause.
    pub fn resume(&self) {
        self.sender.send_replace(Signal::Run);
    }
}

/// How an upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadOutcome {
    /// The object is stored.
    Completed {
        /// Its key.
        key: Key,
        /// Its size.
        bytes: u64,
        /// Bytes that were already on the server from an earlier run.
        resumed_bytes: u64,
    },
    /// Paused; run the same upload again to resume.
    Paused {
        /// The destination.
        key: Key,
        /// Bytes stored so far.
        bytes_done: u64,
    },
    /// Cancelled and aborted on the server.
    Cancelled {
        /// The destination.
        key: Key,
    },
}

/// Uploads files to one identity's prefix.
#[derive(Debug, Clone)]
pub struct Uploader {
    files: Files,
    options: UploadOptions,
    journal: Journal,
}

/// What a multipart run starts from.
struct Start {
    upload_id: String,
    part_size: u64,
    done: BTreeMap<i32, CompletedPart>,
}

impl Files {
    /// The key [`Uploader::upload`] gives `path` in `dir`: `<prefix><dir>/<file name>`.
    pub fn file_key(&self, path: &Path, dir: &str) -> Result<Key, StorageError> {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| StorageError::LocalFile {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the file name is not valid Unicode",
                ),
            })?;
        self.key(dir, name)
    }

    /// An uploader into this identity's prefix.
    pub fn uploader(&self, options: UploadOptions) -> Uploader {
        let journal = Journal::new(options.journal_dir.clone());
        Uploader {
            files: self.clone(),
            options,
            journal,
        }
    }
}

fn local_error(path: &Path) -> impl Fn(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::LocalFile {
        path: path.to_path_buf(),
        source,
    }
}

impl Uploader {
    /// The files this uploader writes to.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Uploads `path` as `<prefix><dir>/<file name>`. The file name is the path's last
    /// component, kept exactly (Unicode, spaces); see [`crate::storage::key`] for what is
    /// refused.
    pub async fn upload(
        &self,
        path: &Path,
        dir: &str,
        progress: Option<ProgressSink>,
        control: &UploadControl,
    ) -> Result<UploadOutcome, Error> {
        let key = self.files.file_key(path, dir)?;
        self.upload_as(path, &key, progress, control).await
    }

    /// Uploads `path` to `key`.
    pub async fn upload_as(
        &self,
        path: &Path,
        key: &Key,
        progress: Option<ProgressSink>,
        control: &UploadControl,
    ) -> Result<UploadOutcome, Error> {
        let files = &self.files;
        let _destination = self
            .journal
            .lock(&files.endpoint, &files.bucket, key.full())
            .map_err(|source| StorageError::Journal {
                dir: self.journal.dir().to_path_buf(),
                source,
            })?
            .ok_or_else(|| StorageError::UploadInProgress {
                key: key.relative().to_owned(),
            })?;
        let owned = path.to_path_buf();
        let identity = tokio::task::spawn_blocking(move || FileIdentity::of_file(&owned))
            .await
            .map_err(|join_error| Error::Internal {
                what: "reading the file",
                source: Some(Box::new(join_error)),
            })?
            .map_err(local_error(path))?;
        if identity.size <= self.options.multipart_threshold {
            return self.put_small(path, key, identity.size, progress).await;
        }
        self.upload_multipart(path, key, identity, progress, control)
            .await
    }

    async fn put_small(
        &self,
        path: &Path,
        key: &Key,
        size: u64,
        progress: Option<ProgressSink>,
    ) -> Result<UploadOutcome, Error> {
        let started = Instant::now();
        let crc = part::checksum(path, 0, size).await?;
        let files = &self.files;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let body = part::body(path, 0, size).await?;
            let sent = files
                .s3
                .put_object()
                .bucket(&files.bucket)
                .key(key.full())
                .set_if_none_match(self.create_only())
                .content_length(i64::try_from(size).unwrap_or(i64::MAX))
                .checksum_crc32_c(&crc)
                .body(body)
                .send()
                .await;
            match sent {
                Ok(_) => break,
                Err(error) => {
                    let error = files.sdk_error(Some(key), error);
                    if !error.is_transient() || attempt >= self.options.part_attempts {
                        return Err(error.into());
                    }
                    self.before_retry(&error, attempt).await;
                }
            }
        }
        if let Some(sink) = progress {
            sink(ProgressMeter::new(size, 0).report(size, started.elapsed()));
        }
        Ok(UploadOutcome::Completed {
            key: key.clone(),
            bytes: size,
            resumed_bytes: 0,
        })
    }

    /// `If-None-Match: *` unless overwriting is allowed.
    fn create_only(&self) -> Option<String> {
        (!self.options.overwrite).then(|| "*".to_owned())
    }

    /// Refuses at once when the key exists and may not be replaced (HeadObject). Advisory:
    /// the conditional completion decides. A 403 is S3's answer for a missing key to a
    /// caller that may not list the bucket, so it lets the upload go on.
    async fn refuse_existing(&self, key: &Key) -> Result<(), StorageError> {
        if self.options.overwrite {
            return Ok(());
        }
        let files = &self.files;
        let head = files
            .s3
            .head_object()
            .bucket(&files.bucket)
            .key(key.full())
            .send()
            .await;
        match head.map_err(|error| files.sdk_error(Some(key), error)) {
            Ok(_) => Err(StorageError::AlreadyExists {
                key: key.relative().to_owned(),
            }),
            Err(StorageError::NotFound { .. } | StorageError::AccessDenied) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Prepares the retry of a transient failure: drops expired credentials (the next
    /// request renews them) and sleeps the backoff.
    async fn before_retry(&self, error: &StorageError, attempt: u32) {
        if matches!(error, StorageError::CredentialsExpired) {
            self.files.credentials.invalidate().await;
        }
        let delay = part::backoff(attempt, rand::random::<f64>());
        tracing::info!(code = error.code(), attempt, ?delay, "retrying");
        tokio::time::sleep(delay).await;
    }

    async fn upload_multipart(
        &self,
        path: &Path,
        key: &Key,
        identity: FileIdentity,
        progress: Option<ProgressSink>,
        control: &UploadControl,
    ) -> Result<UploadOutcome, Error> {
        let size = identity.size;
        self.refuse_existing(key).await?;
        let start = self.start_or_resume(path, key, &identity).await?;
        let all_parts = plan::parts(size, start.part_size);
        let resumed_bytes: u64 = all_parts
            .iter()
            .filter(|part| start.done.contains_key(&part.number))
            .map(|part| part.len)
            .sum();
        let missing: Vec<PartRange> = all_parts
            .iter()
            .filter(|part| !start.done.contains_key(&part.number))
            .copied()
            .collect();
        tracing::info!(
            key = key.relative(),
            parts = all_parts.len(),
            resumed = start.done.len(),
            "multipart upload"
        );

        let meter = ProgressMeter::new(size, resumed_bytes);
        let started = Instant::now();
        let done_bytes = Arc::new(AtomicU64::new(resumed_bytes));
        if let Some(sink) = &progress {
            sink(meter.report(resumed_bytes, started.elapsed()));
        }

        let mut completed = start.done;
        let mut queue = missing.into_iter();
        let mut in_flight = JoinSet::new();
        let mut signals = control.sender.subscribe();
        let concurrency = self.options.concurrency.max(1);
        loop {
            let signal = *signals.borrow_and_update();
            match signal {
                Signal::Run => {}
                Signal::Pause => {
                    in_flight.abort_all();
                    return Ok(UploadOutcome::Paused {
                        key: key.clone(),
                        bytes_done: done_bytes.load(Ordering::Relaxed),
                    });
                }
                Signal::Cancel => {
                    in_flight.abort_all();
                    self.abort(key, &start.upload_id).await?;
                    return Ok(UploadOutcome::Cancelled { key: key.clone() });
                }
            }
            while in_flight.len() < concurrency {
                let Some(range) = queue.next() else { break };
                let uploader = self.clone();
                let path = path.to_path_buf();
                let key = key.clone();
                let upload_id = start.upload_id.clone();
                in_flight.spawn(async move {
                    uploader
                        .send_part(&path, &key, &upload_id, range)
                        .await
                        .map(|part| (range, part))
                });
            }
            if in_flight.is_empty() {
                break;
            }
            tokio::select! {
                changed = signals.changed() => {
                    // The sender lives in `control`, borrowed for this whole call.
                    if changed.is_err() {
                        return Err(Error::Internal { what: "watching the upload control", source: None });
                    }
                }
                joined = in_flight.join_next() => {
                    match joined {
                        Some(Ok(Ok((range, part)))) => {
                            completed.insert(range.number, part);
                            let done = done_bytes.fetch_add(range.len, Ordering::Relaxed) + range.len;
                            if let Some(sink) = &progress {
                                sink(meter.report(done, started.elapsed()));
                            }
                        }
                        Some(Ok(Err(error))) => {
                            // The journal is kept: the parts already sent are reused next time.
                            in_flight.abort_all();
                            return Err(error.into());
                        }
                        Some(Err(join_error)) => {
                            in_flight.abort_all();
                            return Err(Error::Internal { what: "uploading a part", source: Some(Box::new(join_error)) });
                        }
                        None => {}
                    }
                }
            }
        }

        // The file must still be the one the parts were read from.
        let owned = path.to_path_buf();
        let now = tokio::task::spawn_blocking(move || FileIdentity::of_file(&owned))
            .await
            .map_err(|join_error| Error::Internal {
                what: "reading the file",
                source: Some(Box::new(join_error)),
            })?
            .map_err(local_error(path))?;
        if now != identity {
            self.abort(key, &start.upload_id).await?;
            return Err(StorageError::FileChanged {
                path: path.to_path_buf(),
            }
            .into());
        }
        self.complete(key, &start.upload_id, completed).await?;
        Ok(UploadOutcome::Completed {
            key: key.clone(),
            bytes: size,
            resumed_bytes,
        })
    }

    /// Resumes the journalled upload for `key` when it is for this file and still exists on
    /// the server; otherwise starts a new one (and journals it).
    async fn start_or_resume(
        &self,
        path: &Path,
        key: &Key,
        identity: &FileIdentity,
    ) -> Result<Start, Error> {
        let files = &self.files;
        if let Some(entry) = self
            .journal
            .load(&files.endpoint, &files.bucket, key.full())
        {
            if entry.source == *identity {
                match self.verified_parts(path, key, &entry).await {
                    Ok(done) => {
                        return Ok(Start {
                            upload_id: entry.upload_id,
                            part_size: entry.part_size,
                            done,
                        })
                    }
                    Err(Error::Storage(StorageError::UploadGone)) => {
                        tracing::info!("the journalled upload is gone; starting over");
                    }
                    Err(error) => return Err(error),
                }
            } else {
                tracing::info!("the file changed since the journalled upload; starting over");
                if let Err(error) = self.abort(key, &entry.upload_id).await {
                    tracing::warn!(code = error.code(), "could not abort the old upload");
                }
            }
            self.forget(key)?;
        }
        let part_size = part_size(identity.size, self.options.min_part_size).ok_or(
            StorageError::FileTooLarge {
                size: identity.size,
            },
        )?;
        let created = files
            .s3
            .create_multipart_upload()
            .bucket(&files.bucket)
            .key(key.full())
            .checksum_algorithm(ChecksumAlgorithm::Crc32C)
            .send()
            .await
            .map_err(|error| files.sdk_error(Some(key), error))?;
        let upload_id = created.upload_id.ok_or_else(|| Error::Protocol {
            reason: "CreateMultipartUpload answered without an UploadId".into(),
        })?;
        let entry = JournalEntry::new(
            &files.endpoint,
            &files.bucket,
            key.full(),
            &upload_id,
            part_size,
            path,
            identity.clone(),
        );
        self.journal
            .save(&entry)
            .map_err(|source| StorageError::Journal {
                dir: self.journal.dir().to_path_buf(),
                source,
            })?;
        Ok(Start {
            upload_id,
            part_size,
            done: BTreeMap::new(),
        })
    }

    /// The parts S3 already has for the journalled upload that match the file: right size,
    /// and a CRC32C equal to the file's bytes at that place.
    async fn verified_parts(
        &self,
        path: &Path,
        key: &Key,
        entry: &JournalEntry,
    ) -> Result<BTreeMap<i32, CompletedPart>, Error> {
        let files = &self.files;
        let expected: BTreeMap<i32, PartRange> = plan::parts(entry.source.size, entry.part_size)
            .into_iter()
            .map(|range| (range.number, range))
            .collect();
        let mut done = BTreeMap::new();
        let mut pages = files
            .s3
            .list_parts()
            .bucket(&files.bucket)
            .key(key.full())
            .upload_id(&entry.upload_id)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| files.sdk_error(Some(key), error))?;
            for listed in page.parts() {
                let (Some(number), Some(etag)) = (listed.part_number(), listed.e_tag()) else {
                    continue;
                };
                let Some(range) = expected.get(&number) else {
                    continue;
                };
                if listed.size().and_then(|s| u64::try_from(s).ok()) != Some(range.len) {
                    continue;
                }
                let local = part::checksum(path, range.offset, range.len).await?;
                match listed.checksum_crc32_c() {
                    Some(remote) if remote != local => continue,
                    _ => {}
                }
                done.insert(
                    number,
                    CompletedPart::builder()
                        .part_number(number)
                        .e_tag(etag)
                        .checksum_crc32_c(local)
                        .build(),
                );
            }
        }
        Ok(done)
    }

    /// Sends one part with its checksum, retrying transient failures.
    async fn send_part(
        &self,
        path: &Path,
        key: &Key,
        upload_id: &str,
        range: PartRange,
    ) -> Result<CompletedPart, StorageError> {
        let files = &self.files;
        let crc = part::checksum(path, range.offset, range.len).await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let body = part::body(path, range.offset, range.len).await?;
            let sent = files
                .s3
                .upload_part()
                .bucket(&files.bucket)
                .key(key.full())
                .upload_id(upload_id)
                .part_number(range.number)
                .content_length(i64::try_from(range.len).unwrap_or(i64::MAX))
                .checksum_crc32_c(&crc)
                .body(body)
                .send()
                .await;
            match sent {
                Ok(output) => {
                    tracing::debug!(part = range.number, bytes = range.len, "part stored");
                    let etag = output.e_tag.ok_or_else(|| StorageError::Service {
                        code: "MissingETag".into(),
                        message: Some("UploadPart answered without an ETag".into()),
                    })?;
                    return Ok(CompletedPart::builder()
                        .part_number(range.number)
                        .e_tag(etag)
                        .checksum_crc32_c(crc)
                        .build());
                }
                Err(error) => {
                    let error = files.sdk_error(Some(key), error);
                    if !error.is_transient() || attempt >= self.options.part_attempts {
                        return Err(error);
                    }
                    self.before_retry(&error, attempt).await;
                }
            }
        }
    }

    async fn complete(
        &self,
        key: &Key,
        upload_id: &str,
        parts: BTreeMap<i32, CompletedPart>,
    ) -> Result<(), Error> {
        let files = &self.files;
        let upload = CompletedMultipartUpload::builder()
            .set_parts(Some(parts.into_values().collect()))
            .build();
        files
            .s3
            .complete_multipart_upload()
            .bucket(&files.bucket)
            .key(key.full())
            .upload_id(upload_id)
            .multipart_upload(upload)
            .set_if_none_match(self.create_only())
            .send()
            .await
            .map_err(|error| files.sdk_error(Some(key), error))?;
        self.forget(key)?;
        Ok(())
    }

    /// Aborts an upload on the server and deletes its journal.
    async fn abort(&self, key: &Key, upload_id: &str) -> Result<(), Error> {
        let files = &self.files;
        match files
            .s3
            .abort_multipart_upload()
            .bucket(&files.bucket)
            .key(key.full())
            .upload_id(upload_id)
            .send()
            .await
            .map_err(|error| files.sdk_error(Some(key), error))
        {
            Ok(_) | Err(StorageError::UploadGone) => {}
            Err(error) => return Err(error.into()),
        }
        self.forget(key)
    }

    fn forget(&self, key: &Key) -> Result<(), Error> {
        let files = &self.files;
        self.journal
            .remove(&files.endpoint, &files.bucket, key.full())
            .map_err(|source| {
                StorageError::Journal {
                    dir: self.journal.dir().to_path_buf(),
                    source,
                }
                .into()
            })
    }
}
