//! CopyObject: a server-side copy between keys (and buckets) of the local cloud.
//!
//! Authorisation of both ends (`s3:GetObject` on the source, `s3:PutObject` on the
//! destination) happened in [`super::access`]. Here, as on S3: the source's preconditions
//! (`x-amz-copy-source-if-*`, 412 PreconditionFailed), the metadata directive (COPY keeps the
//! source's content type and metadata, REPLACE takes the request's), and the rule that an
//! object cannot be copied onto itself unchanged. Buckets are unversioned: a `versionId` other
//! than `null` names nothing. The destination's own `If-Match` / `If-None-Match: *` hold as on
//! PutObject (checked atomically with the swap, 412 or 409); s3s 0.14 does not model these two
//! headers for CopyObject, so they are read from the request's headers here.

use s3s::dto::*;
use s3s::{s3_error, S3Request, S3Response, S3Result};
use time::OffsetDateTime;

use super::checksums::algorithm_named;
use super::conditions::{precondition_failed, ReadConditions, ReadOutcome, WriteConditions};
use super::store::{ObjectMeta, ObjectStore};

/// The source named by the request: bucket and key.
fn source_of(input: &CopyObjectInput) -> S3Result<(String, String)> {
    match &input.copy_source {
        CopySource::Bucket {
            bucket,
            key,
            version_id,
        } => {
            if version_id.as_deref().is_some_and(|v| v != "null") {
                return Err(s3_error!(
                    NoSuchVersion,
                    "The specified version does not exist."
                ));
            }
            Ok((bucket.to_string(), key.to_string()))
        }
        _ => Err(s3_error!(
            NotImplemented,
            "Access points are not supported by the local cloud."
        )),
    }
}

/// The `x-amz-copy-source-if-*` preconditions against the source: the same evaluation as a
/// read's ([`ReadConditions`]), where every refusal, 304 included, is a 412 for a copy.
pub fn check_preconditions(input: &CopyObjectInput, source: &ObjectMeta) -> S3Result<()> {
    let conditions = ReadConditions {
        if_match: input.copy_source_if_match.clone(),
        if_none_match: input.copy_source_if_none_match.clone(),
        if_modified_since: input.copy_source_if_modified_since.clone(),
        if_unmodified_since: input.copy_source_if_unmodified_since.clone(),
    };
    match conditions.evaluate(source) {
        ReadOutcome::Proceed => Ok(()),
        ReadOutcome::NotModified | ReadOutcome::PreconditionFailed => Err(precondition_failed()),
    }
}

/// The destination's conditional headers (`If-Match`, `If-None-Match`).
pub fn destination_conditions(headers: &http::HeaderMap) -> S3Result<WriteConditions> {
    let condition = |name: http::header::HeaderName| {
        headers
            .get(&name)
            .map(|value| {
                ETagCondition::parse_http_header(value.as_bytes()).map_err(|_| {
                    s3_error!(InvalidArgument, "Invalid value for the {} header.", name)
                })
            })
            .transpose()
    };
    WriteConditions::new(
        condition(http::header::IF_MATCH)?,
        condition(http::header::IF_NONE_MATCH)?,
    )
}

/// Runs CopyObject against `store`.
pub async fn copy_object(
    store: &ObjectStore,
    req: S3Request<CopyObjectInput>,
    now: OffsetDateTime,
) -> S3Result<S3Response<CopyObjectOutput>> {
    let destination = destination_conditions(&req.headers)?;
    let input = req.input;
    let (source_bucket, source_key) = source_of(&input)?;
    let source = store.head_object(&source_bucket, &source_key).await?;
    check_preconditions(&input, &source)?;
    let replace = input
        .metadata_directive
        .as_ref()
        .is_some_and(|d| d.as_str() == MetadataDirective::REPLACE);
    if source_bucket == input.bucket && source_key == input.key && !replace {
        return Err(s3_error!(
            InvalidRequest,
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
        ));
    }
    let algorithm = input
        .checksum_algorithm
        .as_ref()
        .map(|a| algorithm_named(a.as_str()))
        .transpose()?;
    let replacement = replace.then(|| {
        (
            input.content_type.clone(),
            input
                .metadata
                .clone()
                .map(|m| m.into_iter().collect())
                .unwrap_or_default(),
        )
    });
    let meta = store
        .copy_object(
            &source_bucket,
            &source_key,
            &input.bucket,
            &input.key,
            replacement,
            algorithm,
            &destination,
            now,
        )
        .await?;
    tracing::info!(bucket = %input.bucket, size = meta.size, "object copied");
    let c = meta.checksums;
    let checksum_type =
        (!c.is_empty()).then(|| ChecksumType::from_static(ChecksumType::FULL_OBJECT));
    Ok(S3Response::new(CopyObjectOutput {
        copy_object_result: Some(CopyObjectResult {
            e_tag: Some(ETag::Strong(meta.etag)),
            last_modified: Some(meta.last_modified.into()),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_crc64nvme: c.crc64nvme,
            checksum_type,
        }),
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn meta(etag: &str, modified: i64) -> ObjectMeta {
        ObjectMeta {
            key: "k".into(),
            size: 1,
            etag: etag.into(),
            last_modified: OffsetDateTime::from_unix_timestamp(modified).expect("time"),
            content_type: None,
            metadata: BTreeMap::new(),
            checksums: Default::default(),
            parts_count: None,
            data_file: String::new(),
        }
    }

    fn input() -> CopyObjectInput {
        CopyObjectInput::builder()
            .bucket("b".into())
            .key("dst".into())
            .copy_source(CopySource::Bucket {
                bucket: "b".into(),
                key: "src".into(),
                version_id: None,
            })
            .build()
            .expect("input")
    }

    fn at(t: i64) -> Timestamp {
        OffsetDateTime::from_unix_timestamp(t).expect("time").into()
    }

    #[test]
    fn etag_preconditions() {
        let source = meta("abc", 1_000);
        let mut request = input();
        request.copy_source_if_match = Some(ETagCondition::ETag(ETag::Strong("abc".into())));
        assert!(check_preconditions(&request, &source).is_ok());
        request.copy_source_if_match = Some(ETagCondition::ETag(ETag::Strong("other".into())));
        let err = check_preconditions(&request, &source).expect_err("412");
        assert_eq!(err.code(), &s3s::S3ErrorCode::PreconditionFailed);

        let mut request = input();
        request.copy_source_if_none_match = Some(ETagCondition::ETag(ETag::Strong("abc".into())));
        assert!(check_preconditions(&request, &source).is_err());
        request.copy_source_if_none_match = Some(ETagCondition::Any);
        assert!(check_preconditions(&request, &source).is_err());
        request.copy_source_if_none_match = Some(ETagCondition::ETag(ETag::Strong("x".into())));
        assert!(check_preconditions(&request, &source).is_ok());
    }

    #[test]
    fn date_preconditions_and_their_pairing_with_etags() {
        let source = meta("abc", 1_000);
        let mut request = input();
        request.copy_source_if_unmodified_since = Some(at(999));
        assert!(
            check_preconditions(&request, &source).is_err(),
            "modified after"
        );
        request.copy_source_if_unmodified_since = Some(at(1_000));
        assert!(check_preconditions(&request, &source).is_ok());
        // A matching If-Match wins over a failing If-Unmodified-Since.
        request.copy_source_if_unmodified_since = Some(at(999));
        request.copy_source_if_match = Some(ETagCondition::ETag(ETag::Strong("abc".into())));
        assert!(check_preconditions(&request, &source).is_ok());

        let mut request = input();
        request.copy_source_if_modified_since = Some(at(1_000));
        assert!(
            check_preconditions(&request, &source).is_err(),
            "not modified since"
        );
        request.copy_source_if_modified_since = Some(at(999));
        assert!(check_preconditions(&request, &source).is_ok());
    }

    #[test]
    fn versioned_sources_name_nothing() {
        let mut request = input();
        request.copy_source = CopySource::Bucket {
            bucket: "b".into(),
            key: "src".into(),
            version_id: Some("3HL4kqtJlcpXroDTDmjVBH40Nrjfkd".into()),
        };
        let err = source_of(&request).expect_err("no versions");
        assert_eq!(err.code(), &s3s::S3ErrorCode::NoSuchVersion);
        request.copy_source = CopySource::Bucket {
            bucket: "b".into(),
            key: "src".into(),
            version_id: Some("null".into()),
        };
        assert_eq!(source_of(&request).expect("null version").1, "src");
    }
}
