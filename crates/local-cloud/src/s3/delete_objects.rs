//! DeleteObjects: up to 1 000 keys in one request, each decided on its own.
//!
//! As on S3: the request must carry `Content-MD5` or an `x-amz-checksum-*` header; each key
//! needs `s3:DeleteObject` (the [`Grant`] left by [`super::access`]), and a refused key is an
//! `<Error>` entry (AccessDenied) in a 200 response while the others are deleted; a key that
//! does not exist counts as deleted; `Quiet` leaves the deleted keys out of the response.
//! Buckets are unversioned: a `VersionId` other than `null` names nothing (NoSuchVersion).

use std::collections::BTreeMap;

use s3s::dto::*;
use s3s::{s3_error, S3Request, S3Response, S3Result};

use super::access::Grant;
use super::checksums::ALGORITHMS;
use super::store::ObjectStore;

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
