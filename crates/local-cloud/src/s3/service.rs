//! The S3 operations, implemented over the [`ObjectStore`] (s3s's [`S3`] trait).
//!
//! s3s parses the REST/XML protocol, verifies SigV4 (headers, aws-chunked payload signatures,
//! trailers) and renders errors; this module maps each operation onto the store. Anything not
//! implemented here answers `NotImplemented`, as s3s does by default; authorisation happens
//! before any of this runs ([`super::access`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use s3s::dto::*;
use s3s::{s3_error, S3Request, S3Response, S3Result, S3};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::access::Grant;
use super::checksums::{Checksums, Expected};
use super::conditions::{ReadConditions, WriteConditions};
use super::store::{ObjectMeta, ObjectStore};
use crate::clock::Clock;

/// The S3 service: the store and the clock that stamps objects.
pub struct LocalS3 {
    store: ObjectStore,
    clock: Arc<dyn Clock>,
}

impl LocalS3 {
    /// A service over `store`.
    pub fn new(store: ObjectStore, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }
}

fn metadata_of(metadata: Option<Metadata>) -> BTreeMap<String, String> {
    metadata
        .map(|m| m.into_iter().collect())
        .unwrap_or_default()
}

fn etag(value: &str) -> ETag {
    ETag::Strong(value.to_owned())
}

fn checksum_type(meta: &ObjectMeta) -> Option<ChecksumType> {
    if meta.checksums.is_empty() {
        None
    } else if meta.parts_count.is_some() {
        Some(ChecksumType::from_static(ChecksumType::COMPOSITE))
    } else {
        Some(ChecksumType::from_static(ChecksumType::FULL_OBJECT))
    }
}

/// The checksums a GET or HEAD returns: the stored ones, only when asked for
/// (`x-amz-checksum-mode: ENABLED`) and the answer covers the `whole` object.
fn returned_checksums(
    meta: &ObjectMeta,
    mode: Option<&ChecksumMode>,
    whole: bool,
) -> (Option<ChecksumType>, Checksums) {
    if whole && mode.is_some_and(|m| m.as_str() == ChecksumMode::ENABLED) {
        (checksum_type(meta), meta.checksums.clone())
    } else {
        (None, Checksums::default())
    }
}

fn declared(
    values: [Option<String>; 5],
    algorithm: Option<&ChecksumAlgorithm>,
    headers: &http::HeaderMap,
) -> S3Result<Expected> {
    let [crc32, crc32c, sha1, sha256, crc64nvme] = values;
    Expected::declare(
        Checksums {
            crc32,
            crc32c,
            sha1,
            sha256,
            crc64nvme,
        },
        algorithm.map(ChecksumAlgorithm::as_str),
        headers,
    )
}

/// The `encoding-type=url` form of a key: everything but unreserved characters and `/`
/// percent-encoded (a space as `%20`, `+` as `%2B`), which boto3 and the CLI decode.
fn url_encode(value: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(value, KEEP).to_string()
}

/// A missing key as AWS reports it: 404 NoSuchKey to a caller allowed `s3:ListBucket` on the
/// bucket, 403 AccessDenied to anyone else, so that a caller who may not list cannot learn
/// which keys exist. S3 API reference, GetObject/HeadObject permissions: "If you have the
/// s3:ListBucket permission on the bucket, Amazon S3 returns an HTTP status code 404 Not Found
/// error. If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code
/// 403 Forbidden error." The permission is asked with no condition keys (a GET or HEAD carries
/// no `s3:prefix`), so a ListBucket grant limited by `s3:prefix` does not count.
fn hide_missing_key(
    error: s3s::S3Error,
    extensions: &http::Extensions,
    bucket: &str,
) -> s3s::S3Error {
    if error.code() != &s3s::S3ErrorCode::NoSuchKey {
        return error;
    }
    let may_list = extensions.get::<Grant>().is_some_and(|grant| {
        grant.allows(
            "s3:ListBucket",
            &format!("arn:aws:s3:::{bucket}"),
            &BTreeMap::new(),
        )
    });
    if may_list {
        error
    } else {
        s3_error!(AccessDenied, "Access Denied")
    }
}

fn bad_token() -> s3s::S3Error {
    s3_error!(
        InvalidArgument,
        "The continuation token provided is incorrect"
    )
}

/// One page of a listing: keys after `marker`, grouped by `delimiter` after `prefix`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// The objects listed.
    pub objects: Vec<usize>,
    /// The common prefixes.
    pub prefixes: Vec<String>,
    /// Where the next page starts, if truncated.
    pub next_marker: Option<String>,
}

/// Pages `keys` (sorted) as ListObjectsV2 does. Pure, so its edge cases are unit-tested.
pub fn page(
    keys: &[&str],
    prefix: &str,
    delimiter: Option<&str>,
    marker: Option<&str>,
    max_keys: usize,
) -> Page {
    let mut out = Page::default();
    // The last key or common prefix emitted (keys are sorted, so it is the greatest so far).
    let mut last: Option<String> = None;
    for (index, key) in keys.iter().enumerate() {
        if !key.starts_with(prefix) {
            continue;
        }
        if let Some(marker) = marker {
            let inside_marker_prefix =
                delimiter.is_some_and(|d| marker.ends_with(d)) && key.starts_with(marker);
            if *key <= marker || inside_marker_prefix {
                continue;
            }
        }
        let common = delimiter.filter(|d| !d.is_empty()).and_then(|d| {
            key[prefix.len()..]
                .find(d)
                .map(|at| key[..prefix.len() + at + d.len()].to_owned())
        });
        if common.is_some() && out.prefixes.last() == common.as_ref() {
            continue;
        }
        if out.objects.len() + out.prefixes.len() == max_keys {
            out.next_marker = last;
            return out;
        }
        match common {
            Some(common) => {
                last = Some(common.clone());
                out.prefixes.push(common);
            }
            None => {
                last = Some((*key).to_owned());
                out.objects.push(index);
            }
        }
    }
    out
}

#[async_trait::async_trait]
impl S3 for LocalS3 {
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.store
            .create_bucket(&req.input.bucket, self.clock.now())
            .await?;
        Ok(S3Response::new(CreateBucketOutput {
            location: Some(format!("/{}", req.input.bucket)),
        }))
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.store.require_bucket(&req.input.bucket).await?;
        Ok(S3Response::new(HeadBucketOutput::default()))
    }

    async fn list_buckets(
        &self,
        _req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let buckets = self
            .store
            .list_buckets()
            .await?
            .into_iter()
            .map(|(name, created)| Bucket {
                name: Some(name),
                creation_date: Some(created.into()),
                bucket_region: None,
            })
            .collect();
        Ok(S3Response::new(ListBucketsOutput {
            buckets: Some(buckets),
            ..Default::default()
        }))
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let input = req.input;
        let conditions = WriteConditions::new(input.if_match, input.if_none_match)?;
        let body = input.body.ok_or_else(|| s3_error!(IncompleteBody))?;
        let expected = declared(
            [
                input.checksum_crc32,
                input.checksum_crc32c,
                input.checksum_sha1,
                input.checksum_sha256,
                input.checksum_crc64nvme,
            ],
            input.checksum_algorithm.as_ref(),
            &req.headers,
        )?;
        let meta = self
            .store
            .put_object(
                &input.bucket,
                &input.key,
                body,
                &expected,
                input.content_length,
                input.content_md5.as_deref(),
                req.trailing_headers.as_ref(),
                input.content_type,
                metadata_of(input.metadata),
                &conditions,
                self.clock.now(),
            )
            .await?;
        tracing::info!(bucket = %input.bucket, size = meta.size, "object stored");
        let checksum_type = checksum_type(&meta);
        let c = meta.checksums;
        Ok(S3Response::new(PutObjectOutput {
            e_tag: Some(etag(&meta.etag)),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_crc64nvme: c.crc64nvme,
            checksum_type,
            size: i64::try_from(meta.size).ok(),
            ..Default::default()
        }))
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let input = req.input;
        if input.part_number.is_some() {
            return Err(s3_error!(
                NotImplemented,
                "GetObject by part number is not supported by the local cloud."
            ));
        }
        let (meta, mut file) = self
            .store
            .open_object(&input.bucket, &input.key)
            .await
            .map_err(|e| hide_missing_key(e, &req.extensions, &input.bucket))?;
        ReadConditions {
            if_match: input.if_match.clone(),
            if_none_match: input.if_none_match.clone(),
            if_modified_since: input.if_modified_since.clone(),
            if_unmodified_since: input.if_unmodified_since.clone(),
        }
        .check(&meta)?;
        let (start, length, content_range) = match &input.range {
            Some(range) => {
                let span = range.check(meta.size).map_err(|_| {
                    s3_error!(InvalidRange, "The requested range is not satisfiable")
                })?;
                let range_header = format!(
                    "bytes {}-{}/{}",
                    span.start,
                    span.end.saturating_sub(1),
                    meta.size
                );
                (span.start, span.end - span.start, Some(range_header))
            }
            None => (0, meta.size, None),
        };
        if start > 0 {
            file.seek(std::io::SeekFrom::Start(start))
                .await
                .map_err(|_| s3_error!(InternalError))?;
        }
        let stream = ReaderStream::with_capacity(file.take(length), 256 * 1024);
        // A range gets no object checksum: it would not describe the bytes sent.
        let (checksum_type, c) =
            returned_checksums(&meta, input.checksum_mode.as_ref(), content_range.is_none());
        Ok(S3Response::new(GetObjectOutput {
            body: Some(StreamingBlob::wrap(stream)),
            content_length: i64::try_from(length).ok(),
            content_range,
            accept_ranges: Some("bytes".to_owned()),
            content_type: meta.content_type.clone(),
            e_tag: Some(etag(&meta.etag)),
            last_modified: Some(meta.last_modified.into()),
            metadata: Some(meta.metadata.clone().into_iter().collect()),
            parts_count: meta.parts_count.and_then(|n| i32::try_from(n).ok()),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_crc64nvme: c.crc64nvme,
            checksum_type,
            ..Default::default()
        }))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let input = req.input;
        let meta = self
            .store
            .head_object(&input.bucket, &input.key)
            .await
            .map_err(|e| hide_missing_key(e, &req.extensions, &input.bucket))?;
        ReadConditions {
            if_match: input.if_match.clone(),
            if_none_match: input.if_none_match.clone(),
            if_modified_since: input.if_modified_since.clone(),
            if_unmodified_since: input.if_unmodified_since.clone(),
        }
        .check(&meta)?;
        let (checksum_type, c) = returned_checksums(&meta, input.checksum_mode.as_ref(), true);
        Ok(S3Response::new(HeadObjectOutput {
            content_length: i64::try_from(meta.size).ok(),
            accept_ranges: Some("bytes".to_owned()),
            content_type: meta.content_type.clone(),
            e_tag: Some(etag(&meta.etag)),
            last_modified: Some(meta.last_modified.into()),
            metadata: Some(meta.metadata.clone().into_iter().collect()),
            parts_count: meta.parts_count.and_then(|n| i32::try_from(n).ok()),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_crc64nvme: c.crc64nvme,
            checksum_type,
            ..Default::default()
        }))
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.store
            .delete_object(&req.input.bucket, &req.input.key)
            .await?;
        Ok(S3Response::new(DeleteObjectOutput::default()))
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        super::delete_objects::delete_objects(&self.store, req).await
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        super::copy_object::copy_object(&self.store, req, self.clock.now()).await
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        let prefix = input.prefix.clone().unwrap_or_default();
        let max_keys = input.max_keys.unwrap_or(1000);
        if max_keys < 0 {
            return Err(s3_error!(InvalidArgument, "max-keys cannot be negative"));
        }
        let max_keys = usize::try_from(max_keys.min(1000)).unwrap_or(1000);
        let marker = match &input.continuation_token {
            Some(token) => {
                let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad_token())?;
                Some(String::from_utf8(raw).map_err(|_| bad_token())?)
            }
            None => input.start_after.clone(),
        };
        let objects = self.store.list_objects(&input.bucket, &prefix).await?;
        let keys: Vec<&str> = objects.iter().map(|o| o.key.as_str()).collect();
        let delimiter = input.delimiter.as_deref().filter(|d| !d.is_empty());
        let listed = page(&keys, &prefix, delimiter, marker.as_deref(), max_keys);
        let url = input
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL);
        let enc = |s: &str| if url { url_encode(s) } else { s.to_owned() };
        let contents: Vec<Object> = listed
            .objects
            .iter()
            .map(|&i| {
                let o = &objects[i];
                Object {
                    key: Some(enc(&o.key)),
                    size: i64::try_from(o.size).ok(),
                    e_tag: Some(etag(&o.etag)),
                    last_modified: Some(o.last_modified.into()),
                    storage_class: Some(ObjectStorageClass::from_static(
                        ObjectStorageClass::STANDARD,
                    )),
                    checksum_algorithm: (!o.checksums.is_empty()).then(|| {
                        o.checksums
                            .algorithms()
                            .into_iter()
                            .map(ChecksumAlgorithm::from_static)
                            .collect()
                    }),
                    checksum_type: checksum_type(o),
                    ..Default::default()
                }
            })
            .collect();
        let common: Vec<CommonPrefix> = listed
            .prefixes
            .iter()
            .map(|p| CommonPrefix {
                prefix: Some(enc(p)),
            })
            .collect();
        let key_count = i32::try_from(contents.len() + common.len()).unwrap_or(i32::MAX);
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: Some(enc(&prefix)),
            delimiter: input.delimiter.as_deref().map(enc),
            max_keys: Some(i32::try_from(max_keys).unwrap_or(1000)),
            key_count: Some(key_count),
            continuation_token: input.continuation_token,
            start_after: input.start_after.as_deref().map(enc),
            is_truncated: Some(listed.next_marker.is_some()),
            next_continuation_token: listed
                .next_marker
                .map(|m| URL_SAFE_NO_PAD.encode(m.as_bytes())),
            contents: Some(contents),
            common_prefixes: (!common.is_empty()).then_some(common),
            encoding_type: input.encoding_type,
            ..Default::default()
        }))
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let input = req.input;
        if input
            .checksum_type
            .as_ref()
            .is_some_and(|t| t.as_str() == ChecksumType::FULL_OBJECT)
        {
            return Err(s3_error!(
                NotImplemented,
                "Full-object checksums for multipart uploads are not supported by the local cloud."
            ));
        }
        let algorithm = input
            .checksum_algorithm
            .as_ref()
            .map(|a| super::checksums::algorithm_named(a.as_str()).map(str::to_owned))
            .transpose()?;
        let upload = self
            .store
            .create_upload(
                &input.bucket,
                &input.key,
                input.content_type,
                metadata_of(input.metadata),
                algorithm.clone(),
                self.clock.now(),
            )
            .await?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(upload.upload_id),
            checksum_algorithm: input.checksum_algorithm,
            checksum_type: algorithm.map(|_| ChecksumType::from_static(ChecksumType::COMPOSITE)),
            ..Default::default()
        }))
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let input = req.input;
        let body = input.body.ok_or_else(|| s3_error!(IncompleteBody))?;
        let expected = declared(
            [
                input.checksum_crc32,
                input.checksum_crc32c,
                input.checksum_sha1,
                input.checksum_sha256,
                input.checksum_crc64nvme,
            ],
            input.checksum_algorithm.as_ref(),
            &req.headers,
        )?;
        let part = self
            .store
            .upload_part(
                &input.bucket,
                &input.key,
                &input.upload_id,
                input.part_number,
                body,
                &expected,
                input.content_length,
                input.content_md5.as_deref(),
                req.trailing_headers.as_ref(),
                self.clock.now(),
            )
            .await?;
        let c = part.checksums;
        Ok(S3Response::new(UploadPartOutput {
            e_tag: Some(etag(&part.etag)),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_crc64nvme: c.crc64nvme,
            ..Default::default()
        }))
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let input = req.input;
        let upload = self
            .store
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let all = self
            .store
            .list_parts(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let marker = input.part_number_marker.unwrap_or(0);
        let max = usize::try_from(input.max_parts.unwrap_or(1000).clamp(0, 1000)).unwrap_or(1000);
        let after: Vec<_> = all.into_iter().filter(|p| p.part_number > marker).collect();
        let truncated = after.len() > max;
        let shown: Vec<_> = after.into_iter().take(max).collect();
        let next = shown.last().map(|p| p.part_number);
        let parts = shown
            .into_iter()
            .map(|p| Part {
                part_number: Some(p.part_number),
                size: i64::try_from(p.size).ok(),
                e_tag: Some(etag(&p.etag)),
                last_modified: Some(p.last_modified.into()),
                checksum_crc32: p.checksums.crc32,
                checksum_crc32c: p.checksums.crc32c,
                checksum_sha1: p.checksums.sha1,
                checksum_sha256: p.checksums.sha256,
                checksum_crc64nvme: p.checksums.crc64nvme,
            })
            .collect();
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(input.upload_id),
            parts: Some(parts),
            is_truncated: Some(truncated),
            max_parts: Some(i32::try_from(max).unwrap_or(1000)),
            part_number_marker: input.part_number_marker,
            next_part_number_marker: if truncated { next } else { None },
            checksum_algorithm: upload
                .checksum_algorithm
                .clone()
                .map(ChecksumAlgorithm::from),
            storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
            ..Default::default()
        }))
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let input = req.input;
        let conditions = WriteConditions::new(input.if_match.clone(), input.if_none_match.clone())?;
        let requested: Vec<(i32, String)> = input
            .multipart_upload
            .and_then(|m| m.parts)
            .unwrap_or_default()
            .into_iter()
            .map(|p| {
                let number = p
                    .part_number
                    .ok_or_else(|| s3_error!(MalformedXML, "A part lacks its PartNumber"))?;
                let tag = p
                    .e_tag
                    .map(|e| e.value().to_owned())
                    .ok_or_else(|| s3_error!(MalformedXML, "A part lacks its ETag"))?;
                Ok((number, tag))
            })
            .collect::<S3Result<_>>()?;
        let meta = self
            .store
            .complete_upload(
                &input.bucket,
                &input.key,
                &input.upload_id,
                &requested,
                &conditions,
                self.clock.now(),
            )
            .await?;
        tracing::info!(bucket = %input.bucket, size = meta.size, parts = requested.len(), "multipart object stored");
        let checksum_type = checksum_type(&meta);
        let c = meta.checksums;
        Ok(S3Response::new(CompleteMultipartUploadOutput {
            bucket: Some(input.bucket.clone()),
            key: Some(input.key.clone()),
            location: Some(format!("/{}/{}", input.bucket, input.key)),
            e_tag: Some(etag(&meta.etag)),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_crc64nvme: c.crc64nvme,
            checksum_type,
            ..Default::default()
        }))
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let input = req.input;
        self.store
            .abort_upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let input = req.input;
        let prefix = input.prefix.clone().unwrap_or_default();
        let max = usize::try_from(input.max_uploads.unwrap_or(1000).clamp(0, 1000)).unwrap_or(1000);
        let key_marker = input.key_marker.clone().unwrap_or_default();
        let uploads: Vec<_> = self
            .store
            .list_uploads(&input.bucket, &prefix)
            .await?
            .into_iter()
            .filter(|u| key_marker.is_empty() || u.key.as_str() > key_marker.as_str())
            .collect();
        let truncated = uploads.len() > max;
        let shown: Vec<_> = uploads.into_iter().take(max).collect();
        let next_key = if truncated {
            shown.last().map(|u| u.key.clone())
        } else {
            None
        };
        let next_upload = if truncated {
            shown.last().map(|u| u.upload_id.clone())
        } else {
            None
        };
        let list = shown
            .into_iter()
            .map(|u| MultipartUpload {
                key: Some(u.key),
                upload_id: Some(u.upload_id),
                initiated: Some(u.initiated.into()),
                checksum_algorithm: u.checksum_algorithm.map(ChecksumAlgorithm::from),
                storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
                ..Default::default()
            })
            .collect();
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            key_marker: input.key_marker,
            upload_id_marker: input.upload_id_marker,
            max_uploads: Some(i32::try_from(max).unwrap_or(1000)),
            is_truncated: Some(truncated),
            next_key_marker: next_key,
            next_upload_id_marker: next_upload,
            uploads: Some(list),
            ..Default::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 6] = ["a/1", "a/2", "b", "c/x/1", "c/y", "d"];

    fn keys_of(p: &Page) -> Vec<&'static str> {
        p.objects.iter().map(|&i| KEYS[i]).collect()
    }

    #[test]
    fn flat_paging() {
        let first = page(&KEYS, "", None, None, 4);
        assert_eq!(keys_of(&first), ["a/1", "a/2", "b", "c/x/1"]);
        assert_eq!(first.next_marker.as_deref(), Some("c/x/1"));
        let second = page(&KEYS, "", None, first.next_marker.as_deref(), 4);
        assert_eq!(keys_of(&second), ["c/y", "d"]);
        assert_eq!(second.next_marker, None);
        let exact = page(&KEYS, "", None, None, 6);
        assert_eq!(
            exact.next_marker, None,
            "a page that ends with the last key is not truncated"
        );
    }

    #[test]
    fn delimiter_groups_and_pages_over_prefixes() {
        let all = page(&KEYS, "", Some("/"), None, 1000);
        assert_eq!(keys_of(&all), ["b", "d"]);
        assert_eq!(all.prefixes, ["a/", "c/"]);

        let first = page(&KEYS, "", Some("/"), None, 2);
        assert_eq!(first.prefixes, ["a/"]);
        assert_eq!(keys_of(&first), ["b"]);
        let second = page(&KEYS, "", Some("/"), first.next_marker.as_deref(), 2);
        assert_eq!(second.prefixes, ["c/"]);
        assert_eq!(keys_of(&second), ["d"]);
        assert_eq!(second.next_marker, None);

        let nested = page(&KEYS, "c/", Some("/"), None, 1000);
        assert_eq!(nested.prefixes, ["c/x/"]);
        assert_eq!(keys_of(&nested), ["c/y"]);
    }

    #[test]
    fn url_encoding_keeps_slashes_and_escapes_the_rest() {
        assert_eq!(
            url_encode("private/a b+c/é.txt"),
            "private/a%20b%2Bc/%C3%A9.txt"
        );
    }
}
