//! The filesystem object store under `<data>/s3/`.
//!
//! Layout, per bucket `<data>/s3/<bucket>/`:
//! * `bucket.json` — the bucket's creation date (its presence makes the bucket exist);
//! * `objects/<sha256(key)>.json` — an object's metadata (key, size, ETag, checksums, content
//!   type, user metadata) naming its data file `objects/<sha256(key)>.<version>.data`;
//! * `uploads/<uploadId>/upload.json` plus `part-<n>.json` naming the part's data file
//!   `part-<n>.<version>.data` — a multipart upload in progress. A part uploaded again gets a
//!   new data file, so the metadata a CompleteMultipartUpload checked the ETag in always names
//!   the bytes it concatenates, whatever UploadPart of the same number runs meanwhile.
//!
//! Keys are hashed into file names, so no key (`../`, unicode, 1 KiB long) can name a path
//! outside its bucket. Every write goes to a temporary file that is renamed into place only
//! after the body has been fully received and its checksums verified, so a failed or
//! interrupted upload never replaces an object. An object is replaced by writing its new data
//! file under a fresh version name and then atomically renaming its metadata over the old one;
//! the old data file is removed afterwards (a reader that already opened it keeps reading it).
//! Swaps of one key are serialised by a striped lock; uploads themselves run in parallel.
//! Bodies stream through a fixed buffer: memory use does not depend on object size.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::StreamExt;
use s3s::crypto::Checksum as _;
use s3s::dto::StreamingBlob;
use s3s::{s3_error, S3Error, S3Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

use super::checksums::{Checksums, Expected};
use super::conditions::WriteConditions;

/// S3's smallest part size (every part but the last).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// The largest body S3 takes in one request: a single PutObject, or one part ("You can upload
/// a single object up to 5 GB in size"; PutObject and UploadPart answer EntityTooLarge above
/// it — S3 user guide, "Uploading objects", and the PutObject/UploadPart error lists).
pub const MAX_BODY_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// S3's largest part number.
pub const MAX_PART_NUMBER: i32 = 10_000;
const WRITE_BUFFER: usize = 256 * 1024;

/// An object's metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// The object key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// The ETag without quotes (hex MD5, or `<md5 of part md5s>-<n>`).
    pub etag: String,
    /// Last write.
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `x-amz-meta-*`.
    pub metadata: BTreeMap<String, String>,
    /// Checksums (composite `…-N` for multipart objects).
    pub checksums: Checksums,
    /// The number of parts, for multipart objects.
    pub parts_count: Option<u32>,
    /// The data file's name inside `objects/`.
    pub data_file: String,
}

/// A multipart upload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadMeta {
    /// The upload id.
    pub upload_id: String,
    /// The object key.
    pub key: String,
    /// When it began.
    #[serde(with = "time::serde::rfc3339")]
    pub initiated: OffsetDateTime,
    /// `Content-Type` for the object.
    pub content_type: Option<String>,
    /// User metadata for the object.
    pub metadata: BTreeMap<String, String>,
    /// The checksum algorithm declared at creation (every part must carry it).
    pub checksum_algorithm: Option<String>,
}

/// One uploaded part.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartMeta {
    /// 1..=10000.
    pub part_number: i32,
    /// Size in bytes.
    pub size: u64,
    /// Hex MD5, no quotes.
    pub etag: String,
    /// Upload time.
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
    /// The part's checksums.
    pub checksums: Checksums,
    /// Its data file in the upload's directory (empty in stores written before parts were
    /// versioned: then `part-<n>.data`).
    #[serde(default)]
    pub data_file: String,
}

impl PartMeta {
    /// The part's data file name.
    fn data_file_name(&self) -> String {
        if self.data_file.is_empty() {
            format!("part-{}.data", self.part_number)
        } else {
            self.data_file.clone()
        }
    }
}

/// What a streamed write produced.
struct Written {
    temp: TempFile,
    size: u64,
    md5: Vec<u8>,
    checksums: Checksums,
}

/// A temporary file removed on drop unless persisted.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    fn new(dir: &Path) -> Self {
        Self {
            path: dir.join(format!(".tmp-{}", uuid::Uuid::new_v4())),
            keep: false,
        }
    }

    async fn persist(mut self, to: &Path) -> io::Result<()> {
        tokio::fs::rename(&self.path, to).await?;
        self.keep = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            // Best effort: a leftover temporary file is harmless and never listed.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn internal(context: &str, err: impl std::fmt::Display) -> S3Error {
    tracing::error!(error = %err, "s3 store: {context}");
    S3Error::new(s3s::S3ErrorCode::InternalError)
}

fn no_such_bucket() -> S3Error {
    s3_error!(NoSuchBucket, "The specified bucket does not exist")
}

fn entity_too_large() -> S3Error {
    s3_error!(
        EntityTooLarge,
        "Your proposed upload exceeds the maximum allowed object size."
    )
}

/// A listed part that is not stored with the listed ETag.
fn invalid_part() -> S3Error {
    s3_error!(
        InvalidPart,
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag."
    )
}

fn no_such_upload() -> S3Error {
    s3_error!(
        NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    )
}

/// How many locks serialise metadata swaps (keys hash onto them).
const KEY_LOCKS: usize = 64;

/// The object store.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    root: PathBuf,
    /// Serialise the metadata swap of objects whose keys hash to the same lock, so two writers
    /// of one key cannot both miss the other's data file and leave it behind.
    key_locks: std::sync::Arc<Vec<tokio::sync::Mutex<()>>>,
}

/// A key hashed into a file-name stem.
fn key_stem(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Whether `id` can be an upload id we issued (a UUID; never a path).
fn valid_upload_id(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

async fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> io::Result<Option<T>> {
    match tokio::fs::read(path).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes JSON next to `path` and renames it over `path`.
async fn write_json<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let temp = TempFile::new(dir);
    let bytes =
        serde_json::to_vec(value).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    tokio::fs::write(&temp.path, bytes).await?;
    temp.persist(path).await
}

impl ObjectStore {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            key_locks: std::sync::Arc::new(
                (0..KEY_LOCKS)
                    .map(|_| tokio::sync::Mutex::new(()))
                    .collect(),
            ),
        }
    }

    /// The lock for `stem` (a hex SHA-256, so its first byte is uniformly spread).
    fn key_lock(&self, stem: &str) -> &tokio::sync::Mutex<()> {
        let index =
            usize::from_str_radix(stem.get(..2).unwrap_or("0"), 16).unwrap_or(0) % KEY_LOCKS;
        &self.key_locks[index]
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        // Bucket names are validated by s3s (lower-case letters, digits, dots, hyphens), so
        // they are safe path components; refuse anything else anyway.
        self.root.join(bucket)
    }

    fn safe_bucket(bucket: &str) -> S3Result<()> {
        let ok = !bucket.is_empty()
            && bucket != "."
            && bucket != ".."
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if ok {
            Ok(())
        } else {
            Err(s3_error!(InvalidBucketName))
        }
    }

    /// Fails with `NoSuchBucket` unless `bucket` exists.
    pub async fn require_bucket(&self, bucket: &str) -> S3Result<PathBuf> {
        Self::safe_bucket(bucket).map_err(|_| no_such_bucket())?;
        let dir = self.bucket_dir(bucket);
        match tokio::fs::metadata(dir.join("bucket.json")).await {
            Ok(_) => Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(no_such_bucket()),
            Err(e) => Err(internal("reading a bucket", e)),
        }
    }

    /// Creates `bucket`; `BucketAlreadyOwnedByYou` if it exists.
    pub async fn create_bucket(&self, bucket: &str, now: OffsetDateTime) -> S3Result<()> {
        Self::safe_bucket(bucket)?;
        let dir = self.bucket_dir(bucket);
        for sub in ["objects", "uploads"] {
            tokio::fs::create_dir_all(dir.join(sub))
                .await
                .map_err(|e| internal("creating a bucket", e))?;
        }
        let marker = dir.join("bucket.json");
        let created = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&marker)
            .await;
        match created {
            Ok(mut file) => {
                let body = serde_json::json!({ "name": bucket, "created": now.unix_timestamp() });
                file.write_all(body.to_string().as_bytes())
                    .await
                    .map_err(|e| internal("creating a bucket", e))?;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(s3_error!(
                BucketAlreadyOwnedByYou,
                "Your previous request to create the named bucket succeeded and you already own it."
            )),
            Err(e) => Err(internal("creating a bucket", e)),
        }
    }

    /// Creates `bucket` unless it exists (start-up provisioning).
    pub fn ensure_bucket_blocking(&self, bucket: &str, now: OffsetDateTime) -> io::Result<()> {
        let dir = self.bucket_dir(bucket);
        std::fs::create_dir_all(dir.join("objects"))?;
        std::fs::create_dir_all(dir.join("uploads"))?;
        let marker = dir.join("bucket.json");
        if !marker.exists() {
            let body = serde_json::json!({ "name": bucket, "created": now.unix_timestamp() });
            std::fs::write(marker, body.to_string())?;
        }
        Ok(())
    }

    /// Every bucket with its creation time.
    pub async fn list_buckets(&self) -> S3Result<Vec<(String, OffsetDateTime)>> {
        let mut out = Vec::new();
        let mut entries = match tokio::fs::read_dir(&self.root).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(internal("listing buckets", e)),
        };
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| internal("listing buckets", e))?
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let marker: Option<serde_json::Value> = read_json(&entry.path().join("bucket.json"))
                .await
                .unwrap_or(None);
            if let Some(marker) = marker {
                let created = marker["created"]
                    .as_i64()
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH);
                out.push((name, created));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Streams `body` into a temporary file in `dir`, hashing as it goes, then verifies the
    /// declared checksums (including aws-chunked trailers, read once the body has ended).
    /// A body over `max_size` is refused with EntityTooLarge: at once when its declared length
    /// says so, else as soon as the streamed bytes pass it.
    #[allow(clippy::too_many_arguments)]
    async fn write_body(
        &self,
        dir: &Path,
        body: StreamingBlob,
        expected: &Expected,
        declared_length: Option<i64>,
        content_md5: Option<&str>,
        trailers: Option<&s3s::TrailingHeaders>,
        max_size: u64,
    ) -> S3Result<Written> {
        if declared_length.is_some_and(|length| u64::try_from(length).unwrap_or(0) > max_size) {
            return Err(entity_too_large());
        }
        let temp = TempFile::new(dir);
        let file = tokio::fs::File::create(&temp.path)
            .await
            .map_err(|e| internal("creating a temporary file", e))?;
        let mut writer = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        let mut md5 = s3s::crypto::Md5::new();
        let mut hasher = expected.hasher();
        let mut size: u64 = 0;
        let mut body = body;
        while let Some(chunk) = body.next().await {
            let chunk: Bytes = chunk.map_err(|e| {
                tracing::info!(error = %e, "an upload body ended early");
                s3_error!(IncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header.")
            })?;
            md5.update(&chunk);
            hasher.update(&chunk);
            size += chunk.len() as u64;
            if size > max_size {
                return Err(entity_too_large());
            }
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| internal("writing an object", e))?;
        }
        writer
            .flush()
            .await
            .map_err(|e| internal("writing an object", e))?;
        drop(writer);
        if let Some(length) = declared_length {
            if u64::try_from(length).ok() != Some(size) {
                return Err(s3_error!(
                    IncompleteBody,
                    "You did not provide the number of bytes specified by the Content-Length HTTP header."
                ));
            }
        }
        let md5 = md5.finalize().as_ref().to_vec();
        if let Some(content_md5) = content_md5 {
            use base64::Engine as _;
            let sent = base64::engine::general_purpose::STANDARD
                .decode(content_md5)
                .map_err(|_| {
                    s3_error!(InvalidDigest, "The Content-MD5 you specified is not valid.")
                })?;
            if sent != md5 {
                return Err(s3_error!(
                    BadDigest,
                    "The Content-MD5 you specified did not match what we received."
                ));
            }
        }
        let trailers = trailers.and_then(s3s::TrailingHeaders::take);
        let checksums = expected.verify(hasher, trailers.as_ref())?;
        Ok(Written {
            temp,
            size,
            md5,
            checksums,
        })
    }

    /// Stores an object from a streamed body.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: StreamingBlob,
        expected: &Expected,
        declared_length: Option<i64>,
        content_md5: Option<&str>,
        trailers: Option<&s3s::TrailingHeaders>,
        content_type: Option<String>,
        metadata: BTreeMap<String, String>,
        conditions: &WriteConditions,
        now: OffsetDateTime,
    ) -> S3Result<ObjectMeta> {
        let objects = self.require_bucket(bucket).await?.join("objects");
        let written = self
            .write_body(
                &objects,
                body,
                expected,
                declared_length,
                content_md5,
                trailers,
                MAX_BODY_SIZE,
            )
            .await?;
        let meta = ObjectMeta {
            key: key.to_owned(),
            size: written.size,
            etag: hex::encode(&written.md5),
            last_modified: now,
            content_type,
            metadata,
            checksums: written.checksums,
            parts_count: None,
            data_file: String::new(),
        };
        self.install(&objects, meta, written.temp, conditions, None)
            .await
    }

    /// Renames a finished data file into place and swaps the metadata to name it, if the
    /// write's `conditions` hold against the key's current object: the check and the swap
    /// happen under the key's lock, so two create-only writes cannot both succeed. `upload`
    /// is the multipart upload being completed (its start and its directory): it is claimed
    /// under the same lock, kept when a condition fails (412), and dropped on a conflict
    /// (409), after which S3 says to start a new upload.
    async fn install(
        &self,
        objects: &Path,
        mut meta: ObjectMeta,
        data: TempFile,
        conditions: &WriteConditions,
        upload: Option<(OffsetDateTime, &Path)>,
    ) -> S3Result<ObjectMeta> {
        let stem = key_stem(&meta.key);
        let _swap = self.key_lock(&stem).lock().await;
        let meta_path = objects.join(format!("{stem}.json"));
        let previous: Option<ObjectMeta> = read_json::<ObjectMeta>(&meta_path)
            .await
            .unwrap_or(None)
            .filter(|previous| previous.key == meta.key);
        if let Err(refused) = conditions.check(previous.as_ref(), upload.map(|(at, _)| at)) {
            if let Some((_, dir)) =
                upload.filter(|_| refused.code() == &s3s::S3ErrorCode::ConditionalRequestConflict)
            {
                if tokio::fs::remove_file(dir.join("upload.json"))
                    .await
                    .is_ok()
                {
                    let _ = tokio::fs::remove_dir_all(dir).await;
                }
            }
            return Err(refused);
        }
        if let Some((_, dir)) = upload {
            // Claim the upload before installing, so a concurrent Complete or Abort loses
            // cleanly.
            tokio::fs::remove_file(dir.join("upload.json"))
                .await
                .map_err(|_| no_such_upload())?;
        }
        meta.data_file = format!("{stem}.{}.data", uuid::Uuid::new_v4().simple());
        data.persist(&objects.join(&meta.data_file))
            .await
            .map_err(|e| internal("installing an object", e))?;
        write_json(&meta_path, &meta)
            .await
            .map_err(|e| internal("installing an object", e))?;
        if let Some(previous) = previous.filter(|p| p.data_file != meta.data_file) {
            let _ = tokio::fs::remove_file(objects.join(previous.data_file)).await;
        }
        Ok(meta)
    }

    /// An object's metadata; `NoSuchKey` if absent.
    pub async fn head_object(&self, bucket: &str, key: &str) -> S3Result<ObjectMeta> {
        let objects = self.require_bucket(bucket).await?.join("objects");
        read_json::<ObjectMeta>(&objects.join(format!("{}.json", key_stem(key))))
            .await
            .map_err(|e| internal("reading object metadata", e))?
            .filter(|meta| meta.key == key)
            .ok_or_else(|| s3_error!(NoSuchKey, "The specified key does not exist."))
    }

    /// An object's metadata and its data file, opened.
    pub async fn open_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> S3Result<(ObjectMeta, tokio::fs::File)> {
        // The metadata may be swapped between reading it and opening its data file; one retry
        // then sees the new version.
        for _ in 0..3 {
            let meta = self.head_object(bucket, key).await?;
            let path = self
                .bucket_dir(bucket)
                .join("objects")
                .join(&meta.data_file);
            match tokio::fs::File::open(&path).await {
                Ok(file) => return Ok((meta, file)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(internal("opening an object", e)),
            }
        }
        Err(s3_error!(NoSuchKey, "The specified key does not exist."))
    }

    /// Copies `source_key` of `source_bucket` to `key` of `bucket` (CopyObject): the data is
    /// read once on the blocking pool, hashed for the new ETag (the MD5 of the data: a copy is
    /// never multipart) and for the checksum `algorithm` (the request's, else the source's),
    /// and installed like any write. `replace` is the REPLACE metadata directive's content type
    /// and metadata; `None` copies the source's.
    #[allow(clippy::too_many_arguments)]
    pub async fn copy_object(
        &self,
        source_bucket: &str,
        source_key: &str,
        bucket: &str,
        key: &str,
        replace: Option<(Option<String>, BTreeMap<String, String>)>,
        algorithm: Option<&'static str>,
        conditions: &WriteConditions,
        now: OffsetDateTime,
    ) -> S3Result<ObjectMeta> {
        let objects = self.require_bucket(bucket).await?.join("objects");
        let (source, file) = self.open_object(source_bucket, source_key).await?;
        let algorithm = algorithm.or_else(|| source.checksums.algorithms().first().copied());
        let expected = Expected {
            values: Checksums::default(),
            algorithms: algorithm.into_iter().collect(),
        };
        let temp = TempFile::new(&objects);
        let target = temp.path.clone();
        let file = file.into_std().await;
        let (size, md5, hasher) =
            tokio::task::spawn_blocking(move || copy_hashing(file, &target, expected.hasher()))
                .await
                .map_err(|e| internal("copying an object", e))?
                .map_err(|e| internal("copying an object", e))?;
        let (content_type, metadata) =
            replace.unwrap_or_else(|| (source.content_type.clone(), source.metadata.clone()));
        let checksums = Checksums::computed(hasher);
        let meta = ObjectMeta {
            key: key.to_owned(),
            size,
            etag: hex::encode(md5),
            last_modified: now,
            content_type,
            metadata,
            checksums,
            parts_count: None,
            data_file: String::new(),
        };
        self.install(&objects, meta, temp, conditions, None).await
    }

    /// Deletes an object (succeeds if it does not exist, as S3 does).
    pub async fn delete_object(&self, bucket: &str, key: &str) -> S3Result<()> {
        let objects = self.require_bucket(bucket).await?.join("objects");
        let stem = key_stem(key);
        let _swap = self.key_lock(&stem).lock().await;
        let meta_path = objects.join(format!("{stem}.json"));
        let meta: Option<ObjectMeta> = read_json(&meta_path).await.unwrap_or(None);
        match tokio::fs::remove_file(&meta_path).await {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(internal("deleting an object", e)),
        }
        if let Some(meta) = meta {
            let _ = tokio::fs::remove_file(objects.join(meta.data_file)).await;
        }
        Ok(())
    }

    /// Every object of `bucket` whose key starts with `prefix`, sorted by key (UTF-8 bytes).
    pub async fn list_objects(&self, bucket: &str, prefix: &str) -> S3Result<Vec<ObjectMeta>> {
        let objects = self.require_bucket(bucket).await?.join("objects");
        let mut out = Vec::new();
        let mut entries = tokio::fs::read_dir(&objects)
            .await
            .map_err(|e| internal("listing objects", e))?;
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| internal("listing objects", e))?
        {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !name.ends_with(".json") || name.starts_with('.') {
                continue;
            }
            // An object deleted while we list is simply not listed.
            if let Ok(Some(meta)) = read_json::<ObjectMeta>(&entry.path()).await {
                if meta.key.starts_with(prefix) {
                    out.push(meta);
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn upload_dir(&self, bucket: &str, upload_id: &str) -> PathBuf {
        self.bucket_dir(bucket).join("uploads").join(upload_id)
    }

    /// Starts a multipart upload.
    pub async fn create_upload(
        &self,
        bucket: &str,
        key: &str,
        content_type: Option<String>,
        metadata: BTreeMap<String, String>,
        checksum_algorithm: Option<String>,
        now: OffsetDateTime,
    ) -> S3Result<UploadMeta> {
        self.require_bucket(bucket).await?;
        let upload_id = uuid::Uuid::new_v4().to_string();
        let dir = self.upload_dir(bucket, &upload_id);
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| internal("creating an upload", e))?;
        let meta = UploadMeta {
            upload_id,
            key: key.to_owned(),
            initiated: now,
            content_type,
            metadata,
            checksum_algorithm,
        };
        write_json(&dir.join("upload.json"), &meta)
            .await
            .map_err(|e| internal("creating an upload", e))?;
        Ok(meta)
    }

    /// The upload `upload_id` for `key`; `NoSuchUpload` otherwise.
    pub async fn upload(&self, bucket: &str, key: &str, upload_id: &str) -> S3Result<UploadMeta> {
        self.require_bucket(bucket).await?;
        if !valid_upload_id(upload_id) {
            return Err(no_such_upload());
        }
        read_json::<UploadMeta>(&self.upload_dir(bucket, upload_id).join("upload.json"))
            .await
            .map_err(|e| internal("reading an upload", e))?
            .filter(|meta| meta.key == key)
            .ok_or_else(no_such_upload)
    }

    /// Stores one part (replacing an earlier part with the same number).
    #[allow(clippy::too_many_arguments)]
    pub async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: i32,
        body: StreamingBlob,
        expected: &Expected,
        declared_length: Option<i64>,
        content_md5: Option<&str>,
        trailers: Option<&s3s::TrailingHeaders>,
        now: OffsetDateTime,
    ) -> S3Result<PartMeta> {
        if !(1..=MAX_PART_NUMBER).contains(&part_number) {
            return Err(s3_error!(
                InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive"
            ));
        }
        let upload = self.upload(bucket, key, upload_id).await?;
        if let Some(algorithm) = &upload.checksum_algorithm {
            if !expected.algorithms.contains(&algorithm.as_str()) {
                return Err(s3_error!(
                    InvalidRequest,
                    "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: null",
                    algorithm.to_ascii_lowercase()
                ));
            }
        }
        let dir = self.upload_dir(bucket, upload_id);
        let written = self
            .write_body(
                &dir,
                body,
                expected,
                declared_length,
                content_md5,
                trailers,
                MAX_BODY_SIZE,
            )
            .await?;
        let part = PartMeta {
            part_number,
            size: written.size,
            etag: hex::encode(&written.md5),
            last_modified: now,
            checksums: written.checksums,
            data_file: format!("part-{part_number}.{}.data", uuid::Uuid::new_v4().simple()),
        };
        // The part's data and metadata are renamed into place in that order; ListParts reads
        // the metadata, so it never names data that is not there yet. The data a replaced
        // part's metadata named is removed afterwards (a Complete that already opened it keeps
        // reading it; one that had not yet is refused with InvalidPart, as its ETag is gone).
        written
            .temp
            .persist(&dir.join(&part.data_file))
            .await
            .map_err(|e| internal("storing a part", e))?;
        let meta_path = dir.join(format!("part-{part_number}.json"));
        let replaced = read_json::<PartMeta>(&meta_path).await.unwrap_or(None);
        write_json(&meta_path, &part)
            .await
            .map_err(|e| internal("storing a part", e))?;
        if let Some(replaced) = replaced.filter(|old| old.data_file_name() != part.data_file) {
            let _ = tokio::fs::remove_file(dir.join(replaced.data_file_name())).await;
        }
        // The upload may have been aborted or completed meanwhile.
        if tokio::fs::metadata(dir.join("upload.json")).await.is_err() {
            return Err(no_such_upload());
        }
        Ok(part)
    }

    /// The parts of an upload, by part number.
    pub async fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> S3Result<Vec<PartMeta>> {
        self.upload(bucket, key, upload_id).await?;
        let dir = self.upload_dir(bucket, upload_id);
        let mut parts = Vec::new();
        let mut entries = tokio::fs::read_dir(&dir)
            .await
            .map_err(|_| no_such_upload())?;
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| internal("listing parts", e))?
        {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("part-") && name.ends_with(".json") {
                if let Ok(Some(part)) = read_json::<PartMeta>(&entry.path()).await {
                    parts.push(part);
                }
            }
        }
        parts.sort_by_key(|p| p.part_number);
        Ok(parts)
    }

    /// Every upload in progress in `bucket` whose key starts with `prefix`, by key then time.
    pub async fn list_uploads(&self, bucket: &str, prefix: &str) -> S3Result<Vec<UploadMeta>> {
        let uploads = self.require_bucket(bucket).await?.join("uploads");
        let mut out = Vec::new();
        let mut entries = tokio::fs::read_dir(&uploads)
            .await
            .map_err(|e| internal("listing uploads", e))?;
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| internal("listing uploads", e))?
        {
            if let Ok(Some(upload)) =
                read_json::<UploadMeta>(&entry.path().join("upload.json")).await
            {
                if upload.key.starts_with(prefix) {
                    out.push(upload);
                }
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key).then(a.initiated.cmp(&b.initiated)));
        Ok(out)
    }

    /// Aborts an upload, removing its parts.
    pub async fn abort_upload(&self, bucket: &str, key: &str, upload_id: &str) -> S3Result<()> {
        self.upload(bucket, key, upload_id).await?;
        let dir = self.upload_dir(bucket, upload_id);
        // Removing upload.json first makes the upload disappear at once for everyone.
        tokio::fs::remove_file(dir.join("upload.json"))
            .await
            .map_err(|_| no_such_upload())?;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        Ok(())
    }

    /// Completes an upload from the listed parts: checks them (InvalidPart, InvalidPartOrder,
    /// EntityTooSmall), concatenates them by streaming into a new object, and removes the upload.
    pub async fn complete_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        requested: &[(i32, String)],
        conditions: &WriteConditions,
        now: OffsetDateTime,
    ) -> S3Result<ObjectMeta> {
        let upload = self.upload(bucket, key, upload_id).await?;
        if requested.is_empty() {
            return Err(s3_error!(
                MalformedXML,
                "You must specify at least one part"
            ));
        }
        let stored: BTreeMap<i32, PartMeta> = self
            .list_parts(bucket, key, upload_id)
            .await?
            .into_iter()
            .map(|p| (p.part_number, p))
            .collect();
        let mut parts = Vec::with_capacity(requested.len());
        let mut previous = 0;
        for (number, etag) in requested {
            if *number <= previous {
                return Err(s3_error!(InvalidPartOrder, "The list of parts was not in ascending order. Parts must be ordered by part number."));
            }
            previous = *number;
            let part = stored
                .get(number)
                .filter(|part| part.etag == etag.trim_matches('"'))
                .ok_or_else(invalid_part)?;
            parts.push(part.clone());
        }
        if let Some((_, all_but_last)) = parts.split_last() {
            if all_but_last.iter().any(|p| p.size < MIN_PART_SIZE) {
                return Err(s3_error!(
                    EntityTooSmall,
                    "Your proposed upload is smaller than the minimum allowed object size."
                ));
            }
        }

        let dir = self.upload_dir(bucket, upload_id);
        let objects = self.bucket_dir(bucket).join("objects");
        let temp = TempFile::new(&objects);
        let mut md5s = Vec::with_capacity(parts.len() * 16);
        for part in &parts {
            md5s.extend(hex::decode(&part.etag).map_err(|e| internal("a stored part ETag", e))?);
        }
        let sources: Vec<PathBuf> = parts
            .iter()
            .map(|part| dir.join(part.data_file_name()))
            .collect();
        let target = temp.path.clone();
        let assembled = tokio::task::spawn_blocking(move || concatenate(&sources, &target))
            .await
            .map_err(|e| internal("assembling an object", e))?;
        let size = match assembled {
            Ok(size) => size,
            // Aborted or completed meanwhile, or a part replaced since its ETag was checked.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(
                    if tokio::fs::metadata(dir.join("upload.json")).await.is_ok() {
                        invalid_part()
                    } else {
                        no_such_upload()
                    },
                );
            }
            Err(e) => return Err(internal("assembling an object", e)),
        };

        let mut checksums = Checksums::default();
        if let Some(algorithm) = &upload.checksum_algorithm {
            let values: Vec<Option<&String>> =
                parts.iter().map(|p| p.checksums.get(algorithm)).collect();
            if let Some(value) = super::checksums::composite(algorithm, &values) {
                checksums.set(algorithm, value);
            }
        }
        let meta = ObjectMeta {
            key: key.to_owned(),
            size,
            etag: format!(
                "{}-{}",
                hex::encode(s3s::crypto::Md5::checksum(&md5s).as_ref()),
                parts.len()
            ),
            last_modified: now,
            content_type: upload.content_type.clone(),
            metadata: upload.metadata.clone(),
            checksums,
            parts_count: u32::try_from(parts.len()).ok(),
            data_file: String::new(),
        };
        let meta = self
            .install(
                &objects,
                meta,
                temp,
                conditions,
                Some((upload.initiated, &dir)),
            )
            .await?;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        Ok(meta)
    }
}

/// Writes the files `sources` one after the other into a new file `target`; returns its size.
/// Blocking. `std::io::copy` between files lets the kernel copy (`copy_file_range` on Linux),
/// so the data never passes through this process: completing a 1 GiB upload costs a fraction
/// of a second instead of a userspace copy through small buffers.
fn concatenate(sources: &[PathBuf], target: &Path) -> io::Result<u64> {
    let mut out = std::fs::File::create(target)?;
    let mut size = 0;
    for source in sources {
        size += io::copy(&mut std::fs::File::open(source)?, &mut out)?;
    }
    Ok(size)
}

/// Copies `source` to a new file `target`, computing its MD5 and the checksums of `hasher`.
/// Blocking.
fn copy_hashing(
    mut source: std::fs::File,
    target: &Path,
    mut hasher: s3s::checksum::ChecksumHasher,
) -> io::Result<(u64, Vec<u8>, s3s::checksum::ChecksumHasher)> {
    use std::io::{Read as _, Write as _};
    let mut out = std::fs::File::create(target)?;
    let mut md5 = s3s::crypto::Md5::new();
    let mut buffer = vec![0u8; WRITE_BUFFER];
    let mut size = 0u64;
    loop {
        let read = source.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        md5.update(&buffer[..read]);
        hasher.update(&buffer[..read]);
        out.write_all(&buffer[..read])?;
        size += read as u64;
    }
    Ok((size, md5.finalize().as_ref().to_vec(), hasher))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_become_paths() {
        for key in ["../../etc/passwd", "/abs", "a/b/c", "ünï cødé", ""] {
            let stem = key_stem(key);
            assert_eq!(stem.len(), 64);
            assert!(stem.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        assert!(ObjectStore::safe_bucket("..").is_err());
        assert!(ObjectStore::safe_bucket("a/b").is_err());
        assert!(ObjectStore::safe_bucket("coffer-demo").is_ok());
        assert!(!valid_upload_id("../x"));
    }

    fn chunks(sizes: &[usize]) -> StreamingBlob {
        let chunks: Vec<Result<Bytes, std::io::Error>> = sizes
            .iter()
            .map(|&n| Ok(Bytes::from(vec![7u8; n])))
            .collect();
        StreamingBlob::wrap(futures_util::stream::iter(chunks))
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_entity_too_large() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = ObjectStore::new(dir.path().to_path_buf());
        let expected = Expected::default();
        let write = |body, declared: Option<i64>| {
            store.write_body(dir.path(), body, &expected, declared, None, None, 100)
        };
        let at_limit = write(chunks(&[60, 40]), Some(100))
            .await
            .expect("100 bytes");
        assert_eq!(at_limit.size, 100);
        drop(at_limit);
        let declared = write(chunks(&[1]), Some(101))
            .await
            .err()
            .expect("refused by its declared length");
        assert_eq!(declared.code(), &s3s::S3ErrorCode::EntityTooLarge);
        let streamed = write(chunks(&[60, 41, 1000]), None)
            .await
            .err()
            .expect("refused once past the limit");
        assert_eq!(streamed.code(), &s3s::S3ErrorCode::EntityTooLarge);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .collect();
        assert!(left.is_empty(), "no temporary file is left behind");
        assert_eq!(MAX_BODY_SIZE, 5 * 1024 * 1024 * 1024, "S3's 5 GiB");
    }

    #[test]
    fn parts_stored_before_versioning_name_their_old_data_file() {
        let old: PartMeta = serde_json::from_str(
            r#"{"part_number":3,"size":1,"etag":"00","last_modified":"2026-01-01T00:00:00Z","checksums":{}}"#,
        )
        .expect("a part record without data_file");
        assert_eq!(old.data_file_name(), "part-3.data");
    }

    fn blob(data: &[u8]) -> StreamingBlob {
        let chunk: Result<Bytes, io::Error> = Ok(Bytes::copy_from_slice(data));
        StreamingBlob::wrap(futures_util::stream::iter([chunk]))
    }

    /// A Complete racing an UploadPart that replaces one of its listed parts either builds
    /// the object from the bytes whose ETag it was given or is refused; it never stores the
    /// new bytes under the old part's ETag.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_completed_object_is_made_of_the_listed_parts_even_when_one_is_replaced_meanwhile() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = ObjectStore::new(dir.path().to_path_buf());
        let now = OffsetDateTime::now_utc();
        store.create_bucket("b", now).await.expect("bucket");
        let listed = vec![1u8; 256 * 1024];
        let replacement = vec![2u8; 256 * 1024];
        let length = Some(listed.len() as i64);
        let (mut built, mut refused) = (0, 0);
        for round in 0..60 {
            let key = format!("k{round}");
            let upload = store
                .create_upload("b", &key, None, BTreeMap::new(), None, now)
                .await
                .expect("upload");
            let id = upload.upload_id.as_str();
            let part = store
                .upload_part(
                    "b",
                    &key,
                    id,
                    1,
                    blob(&listed),
                    &Expected::default(),
                    length,
                    None,
                    None,
                    now,
                )
                .await
                .expect("part");
            let complete = {
                let (store, key, id) = (store.clone(), key.clone(), id.to_owned());
                let parts = [(1, part.etag.clone())];
                tokio::spawn(async move {
                    store
                        .complete_upload("b", &key, &id, &parts, &WriteConditions::default(), now)
                        .await
                })
            };
            let replace = {
                let (store, key, id, data) = (
                    store.clone(),
                    key.clone(),
                    id.to_owned(),
                    replacement.clone(),
                );
                tokio::spawn(async move {
                    store
                        .upload_part(
                            "b",
                            &key,
                            &id,
                            1,
                            blob(&data),
                            &Expected::default(),
                            length,
                            None,
                            None,
                            now,
                        )
                        .await
                })
            };
            let (completed, _) = (complete.await.expect("join"), replace.await.expect("join"));
            match completed {
                Ok(meta) => {
                    let (_, mut file) = store.open_object("b", &key).await.expect("object");
                    let mut bytes = Vec::new();
                    tokio::io::AsyncReadExt::read_to_end(&mut file, &mut bytes)
                        .await
                        .expect("read");
                    assert_eq!(
                        bytes, listed,
                        "round {round}: the object is the listed part"
                    );
                    assert_eq!(meta.size, listed.len() as u64);
                    built += 1;
                }
                Err(error) => {
                    assert!(
                        matches!(error.code(), s3s::S3ErrorCode::InvalidPart),
                        "round {round}: {error:?}"
                    );
                    refused += 1;
                }
            }
        }
        // Either outcome is right; which one depends on the scheduler.
        tracing::debug!(built, refused, "race rounds");
    }
}
