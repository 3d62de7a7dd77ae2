//! DeleteObjects: up to 1 000 keys in one request, each decided on its own.
//!
//! As on S3: the request must carry `Content-MD5` or an `x-amz-checksum-*` header; each key
//! needs `s3:DeleteObject` (the [`Grant`] left by [`super::access`]), and a refused key is an
//! `<Error>` entry (AccessDenied) in a 200 response while the others are deleted; a key that
//! does not exist counts as deleted; `Quiet` leaves the deleted keys out of the response.
//! Buckets are unversioned: a `VersionId` other than `null` names nothing (NoSuchVersion).
//!
//! The integrity header is also checked against the body (BadDigest on a mismatch,
//! InvalidDigest for a Content-MD5 that is not one): s3s parses the XML but does not verify
//! it, so the server reads the body first ([`verify_body`], in [`crate::server`]) and leaves
//! the verdict ([`BodyDigest`]) in the request's extensions.

use std::collections::BTreeMap;

use s3s::dto::*;
use s3s::{s3_error, S3Request, S3Response, S3Result};

use super::access::Grant;
use super::checksums::{Checksums, Expected, ALGORITHMS};
use super::store::ObjectStore;

/// The most a DeleteObjects body is read for its digest (s3s's own XML limit is larger; 1 000
/// keys of at most 1 024 bytes fit well within this).
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// Whether a DeleteObjects body matched its declared digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyDigest {
    /// Every declared digest matches (or none was declared).
    Matches,
    /// A declared digest does not match the body.
    Mismatch,
    /// `Content-MD5` is not the base64 of 16 bytes.
    Malformed,
}

/// Checks `body` against the request's `Content-MD5` and `x-amz-checksum-*` headers.
pub fn verify_body(headers: &http::HeaderMap, body: &[u8]) -> BodyDigest {
    use base64::Engine as _;
    use s3s::crypto::Checksum as _;
    if let Some(sent) = headers.get("content-md5") {
        let decoded = sent.to_str().ok().and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .ok()
        });
        match decoded {
            Some(sent) if sent.len() == 16 => {
                if sent != s3s::crypto::Md5::checksum(body).as_ref() {
                    return BodyDigest::Mismatch;
                }
            }
            _ => return BodyDigest::Malformed,
        }
    }
    let mut values = Checksums::default();
    for (name, header) in ALGORITHMS {
        if let Some(value) = headers.get(header).and_then(|v| v.to_str().ok()) {
            values.set(name, value.trim().to_owned());
        }
    }
    if values.is_empty() {
        return BodyDigest::Matches;
    }
    let Ok(expected) = Expected::declare(values, None, &http::HeaderMap::new()) else {
        return BodyDigest::Mismatch;
    };
    let mut hasher = expected.hasher();
    hasher.update(body);
    match expected.verify(hasher, None) {
        Ok(_) => BodyDigest::Matches,
        Err(_) => BodyDigest::Mismatch,
    }
}

/// S3's limit on keys per request.
pub const MAX_KEYS: usize = 1000;

fn has_integrity_header(headers: &http::HeaderMap) -> bool {
    headers.contains_key("content-md5")
        || ALGORITHMS
            .iter()
            .any(|(_, header)| headers.contains_key(*header))
}

fn entry_error(key: &str, code: &str, message: &str) -> Error {
    Error {
        key: Some(key.to_owned()),
        code: Some(code.to_owned()),
        message: Some(message.to_owned()),
        version_id: None,
    }
}

/// Runs DeleteObjects against `store`.
pub async fn delete_objects(
    store: &ObjectStore,
    req: S3Request<DeleteObjectsInput>,
) -> S3Result<S3Response<DeleteObjectsOutput>> {
    if !has_integrity_header(&req.headers) {
        return Err(s3_error!(
            InvalidRequest,
            "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"
        ));
    }
    match req.extensions.get::<BodyDigest>() {
        Some(BodyDigest::Mismatch) => {
            return Err(s3_error!(
                BadDigest,
                "The Content-MD5 or checksum value that you specified did not match what the server received."
            ))
        }
        Some(BodyDigest::Malformed) => {
            return Err(s3_error!(
                InvalidDigest,
                "The Content-MD5 you specified is not valid."
            ))
        }
        Some(BodyDigest::Matches) | None => {}
    }
    // Set by the access check on every request it lets through; absent only if the service
    // runs without it, and then nothing is allowed.
    let grant = req
        .extensions
        .get::<Grant>()
        .cloned()
        .ok_or_else(|| s3_error!(AccessDenied, "Access Denied"))?;
    let input = req.input;
    let objects = input.delete.objects;
    if objects.is_empty() || objects.len() > MAX_KEYS {
        return Err(s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        ));
    }
    store.require_bucket(&input.bucket).await?;
    let quiet = input.delete.quiet.unwrap_or(false);
    let mut deleted = Vec::new();
    let mut errors = Vec::new();
    let no_conditions = BTreeMap::new();
    for object in objects {
        let key = object.key;
        if object.version_id.as_deref().is_some_and(|v| v != "null") {
            errors.push(entry_error(
                &key,
                "NoSuchVersion",
                "The specified version does not exist.",
            ));
            continue;
        }
        let resource = format!("arn:aws:s3:::{}/{}", input.bucket, key);
        if !grant.allows("s3:DeleteObject", &resource, &no_conditions) {
            tracing::info!(bucket = %input.bucket, "a key of DeleteObjects denied by policy");
            errors.push(entry_error(&key, "AccessDenied", "Access Denied"));
            continue;
        }
        match store.delete_object(&input.bucket, &key).await {
            Ok(()) => {
                if !quiet {
                    deleted.push(DeletedObject {
                        key: Some(key),
                        version_id: object.version_id,
                        ..Default::default()
                    });
                }
            }
            Err(error) => {
                let message = error
                    .message()
                    .unwrap_or("We encountered an internal error.");
                errors.push(entry_error(&key, error.code().as_str(), message));
            }
        }
    }
    Ok(S3Response::new(DeleteObjectsOutput {
        deleted: Some(deleted),
        errors: (!errors.is_empty()).then_some(errors),
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use s3s::crypto::Checksum as _;

    fn headers(pairs: &[(&'static str, String)]) -> http::HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    http::HeaderName::from_static(name),
                    value.parse().expect("ascii"),
                )
            })
            .collect()
    }

    #[test]
    fn bodies_are_checked_against_their_declared_digests() {
        let body = b"<Delete><Object><Key>a</Key></Object></Delete>";
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let md5 = b64(s3s::crypto::Md5::checksum(body).as_ref());
        let crc32 = b64(s3s::crypto::Crc32::checksum(body).as_ref());
        assert_eq!(
            verify_body(&headers(&[("content-md5", md5.clone())]), body),
            BodyDigest::Matches
        );
        assert_eq!(
            verify_body(&headers(&[("content-md5", md5)]), b"<Delete/>"),
            BodyDigest::Mismatch
        );
        assert_eq!(
            verify_body(&headers(&[("content-md5", "not-an-md5".into())]), body),
            BodyDigest::Malformed
        );
        assert_eq!(
            verify_body(&headers(&[("x-amz-checksum-crc32", crc32.clone())]), body),
            BodyDigest::Matches
        );
        assert_eq!(
            verify_body(&headers(&[("x-amz-checksum-crc32", crc32)]), b"<Delete/>"),
            BodyDigest::Mismatch
        );
        assert_eq!(
            verify_body(&http::HeaderMap::new(), body),
            BodyDigest::Matches
        );
    }
}
