//! Conditional requests through the official Rust SDK, as AWS answers them: create-only and
//! compare-and-swap writes (PutObject, CompleteMultipartUpload), conditional reads (GetObject,
//! HeadObject: 304/412 and their precedence), and a missing key reported as 403 to a caller
//! who may not list the bucket.

use std::time::Duration;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::CompletedMultipartUpload;
use local_cloud::clock::Clock as _;
use serde_json::json;

use crate::support::{upload_parts, TestCloud};

const BUCKET: &str = "coffer-demo";

async fn signed_in(cloud: &TestCloud, email: &str) -> (String, aws_sdk_s3::Client) {
    let (_, id_token, _) = cloud.demo_user_tokens(email).await;
    let (identity, credentials) = cloud
        .demo_credentials(json!({ cloud.demo_provider(): id_token }))
        .await;
    (identity, cloud.s3_with(&credentials))
}

/// The HTTP status and S3 error code of a failed call.
fn status_and_code<E: ProvideErrorMetadata>(
    err: &aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> (u16, String) {
    let status = err.raw_response().map_or(0, |r| r.status().as_u16());
    (status, err.code().unwrap_or("<none>").to_owned())
}

async fn body_of(s3: &aws_sdk_s3::Client, key: &str) -> Vec<u8> {
    s3.get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .expect("GetObject")
        .body
        .collect()
        .await
        .expect("body")
        .to_vec()
}

#[tokio::test]
async fn put_object_honours_if_none_match_and_if_match() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "cond-put@example.com").await;
    let key = format!("private/{identity}/report.pdf");

    let first = s3
        .put_object()
        .bucket(BUCKET)
        .key(&key)
        .if_none_match("*")
        .body(ByteStream::from_static(b"first"))
        .send()
        .await
        .expect("a create-only write of a new key");
    let err = s3
        .put_object()
        .bucket(BUCKET)
        .key(&key)
        .if_none_match("*")
        .body(ByteStream::from_static(b"second"))
        .send()
        .await
        .expect_err("the key exists");
    assert_eq!(status_and_code(&err), (412, "PreconditionFailed".into()));
    assert_eq!(body_of(&s3, &key).await, b"first", "nothing was replaced");

    let err = s3
        .put_object()
        .bucket(BUCKET)
        .key(&key)
        .if_match("\"0123456789abcdef0123456789abcdef\"")
        .body(ByteStream::from_static(b"stale"))
        .send()
        .await
        .expect_err("a stale ETag");
    assert_eq!(status_and_code(&err), (412, "PreconditionFailed".into()));
    s3.put_object()
        .bucket(BUCKET)
        .key(&key)
        .if_match(first.e_tag().expect("etag"))
        .body(ByteStream::from_static(b"swapped"))
        .send()
        .await
        .expect("the current ETag");
    assert_eq!(body_of(&s3, &key).await, b"swapped");

    let err = s3
        .put_object()
        .bucket(BUCKET)
        .key(format!("private/{identity}/absent"))
        .if_match(first.e_tag().expect("etag"))
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .expect_err("If-Match on no object");
    assert_eq!(status_and_code(&err), (404, "NoSuchKey".into()));

    // Without a condition, a write replaces, as always.
    s3.put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(ByteStream::from_static(b"replaced"))
        .send()
        .await
        .expect("unconditional write");
    assert_eq!(body_of(&s3, &key).await, b"replaced");
}

#[tokio::test]
async fn complete_multipart_upload_honours_if_none_match() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "cond-mpu@example.com").await;
    let key = format!("private/{identity}/big.bin");
    let complete = |upload_id: String, parts| {
        s3.complete_multipart_upload()
            .bucket(BUCKET)
            .key(&key)
            .upload_id(upload_id)
            .if_none_match("*")
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
    };

    // A new key: the upload completes.
    let (upload_id, parts) = upload_parts(&s3, BUCKET, &key, &[b"one".to_vec()]).await;
    complete(upload_id, parts).await.expect("a new key");
    assert_eq!(body_of(&s3, &key).await, b"one");

    // The key existed before the upload began: 412, and the upload is still there.
    cloud.clock.advance(Duration::from_secs(1));
    let (upload_id, parts) = upload_parts(&s3, BUCKET, &key, &[b"two".to_vec()]).await;
    let err = complete(upload_id.clone(), parts)
        .await
        .expect_err("the key exists");
    assert_eq!(status_and_code(&err), (412, "PreconditionFailed".into()));
    assert_eq!(body_of(&s3, &key).await, b"one", "nothing was replaced");
    s3.list_parts()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(&upload_id)
        .send()
        .await
        .expect("the refused upload can still be aborted or completed otherwise");

    // The key was written while the upload ran: 409, and the upload is gone (AWS: start over).
    let other = format!("private/{identity}/raced.bin");
    let (upload_id, parts) = upload_parts(&s3, BUCKET, &other, &[b"mine".to_vec()]).await;
    cloud.clock.advance(Duration::from_secs(1));
    s3.put_object()
        .bucket(BUCKET)
        .key(&other)
        .body(ByteStream::from_static(b"theirs"))
        .send()
        .await
        .expect("a concurrent writer");
    let err = s3
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key(&other)
        .upload_id(&upload_id)
        .if_none_match("*")
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .expect_err("a conflicting write");
    assert_eq!(
        status_and_code(&err),
        (409, "ConditionalRequestConflict".into())
    );
    assert_eq!(body_of(&s3, &other).await, b"theirs");
    let err = s3
        .list_parts()
        .bucket(BUCKET)
        .key(&other)
        .upload_id(&upload_id)
        .send()
        .await
        .expect_err("the upload is gone");
    assert_eq!(err.code(), Some("NoSuchUpload"));
}

#[tokio::test]
async fn conditional_reads_answer_304_and_412_in_s3s_order() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "cond-get@example.com").await;
    let key = format!("private/{identity}/notes.txt");
    let put = s3
        .put_object()
        .bucket(BUCKET)
        .key(&key)
        .body(ByteStream::from_static(b"notes"))
        .send()
        .await
        .expect("PutObject");
    let etag = put.e_tag().expect("etag").to_owned();
    let stored = cloud.clock.now();
    let before = DateTime::from_secs(stored.unix_timestamp() - 60);
    let at = DateTime::from_secs(stored.unix_timestamp());
    let stale = "\"ffffffffffffffffffffffffffffffff\"";

    let get = || s3.get_object().bucket(BUCKET).key(&key);
    let head = || s3.head_object().bucket(BUCKET).key(&key);

    get()
        .if_match(&etag)
        .send()
        .await
        .expect("matching If-Match");
    let err = get().if_match(stale).send().await.expect_err("If-Match");
    assert_eq!(status_and_code(&err).0, 412);
    let err = head().if_match(stale).send().await.expect_err("If-Match");
    assert_eq!(status_and_code(&err).0, 412);

    let err = get()
        .if_none_match(&etag)
        .send()
        .await
        .expect_err("If-None-Match");
    assert_eq!(status_and_code(&err).0, 304);
    let err = head()
        .if_none_match(&etag)
        .send()
        .await
        .expect_err("If-None-Match");
    assert_eq!(status_and_code(&err).0, 304);
    get()
        .if_none_match(stale)
        .send()
        .await
        .expect("a different ETag");

    let err = get()
        .if_modified_since(at)
        .send()
        .await
        .expect_err("If-Modified-Since");
    assert_eq!(status_and_code(&err).0, 304);
    get()
        .if_modified_since(before)
        .send()
        .await
        .expect("modified since");
    let err = head()
        .if_unmodified_since(before)
        .send()
        .await
        .expect_err("If-Unmodified-Since");
    assert_eq!(status_and_code(&err).0, 412);
    get()
        .if_unmodified_since(at)
        .send()
        .await
        .expect("unmodified since");

    // Documented precedence: If-Match true + If-Unmodified-Since false → 200;
    // If-None-Match false + If-Modified-Since true → 304.
    get()
        .if_match(&etag)
        .if_unmodified_since(before)
        .send()
        .await
        .expect("If-Match decides");
    let err = get()
        .if_none_match(&etag)
        .if_modified_since(before)
        .send()
        .await
        .expect_err("If-None-Match decides");
    assert_eq!(status_and_code(&err).0, 304);
}

#[tokio::test]
async fn a_missing_key_is_403_without_list_bucket_and_404_with_it() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "cond-missing@example.com").await;
    let key = format!("private/{identity}/never-uploaded.pdf");

    // The demo role may list only under an `s3:prefix` condition, which a GET carries not.
    let err = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect_err("missing");
    assert_eq!(status_and_code(&err), (403, "AccessDenied".into()));
    let err = s3
        .head_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect_err("missing");
    assert_eq!(status_and_code(&err).0, 403);

    // The admin key may list the bucket: 404.
    let err = cloud
        .s3_admin()
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect_err("missing");
    assert_eq!(status_and_code(&err), (404, "NoSuchKey".into()));
    let err = cloud
        .s3_admin()
        .head_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect_err("missing");
    assert_eq!(status_and_code(&err).0, 404);
}
