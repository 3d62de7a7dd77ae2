//! CopyObject and DeleteObjects through the official Rust SDK with identity-pool credentials:
//! what is copied and how, the source's preconditions, and the per-key decisions of a
//! multi-object delete.

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, Delete, MetadataDirective,
    ObjectIdentifier,
};
use md5_crate::Digest as _;
use serde_json::json;

use crate::support::{upload_parts, TestCloud};

const BUCKET: &str = "coffer-demo";

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(13).wrapping_add(seed))
        .collect()
}

fn md5_hex(data: &[u8]) -> String {
    hex::encode(md5_crate::Md5::digest(data))
}

async fn signed_in(cloud: &TestCloud, email: &str) -> (String, aws_sdk_s3::Client) {
    let (_, id_token, _) = cloud.demo_user_tokens(email).await;
    let (identity, credentials) = cloud
        .demo_credentials(json!({ cloud.demo_provider(): id_token }))
        .await;
    (identity, cloud.s3_with(&credentials))
}

async fn put(s3: &aws_sdk_s3::Client, key: &str, body: &[u8]) {
    s3.put_object()
        .bucket(BUCKET)
        .key(key)
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await
        .expect("PutObject");
}

async fn get(s3: &aws_sdk_s3::Client, key: &str) -> Vec<u8> {
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

/// The `x-amz-copy-source` of `key` in the demo bucket, percent-encoded but for `/` (the SDK
/// sends it as given).
fn source(key: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.');
    format!(
        "{BUCKET}/{}",
        percent_encoding::utf8_percent_encode(key, KEEP)
    )
}

#[tokio::test]
async fn copies_keep_or_replace_metadata_and_carry_the_exact_bytes() {
    let cloud = TestCloud::start().await;
    let (me, s3) = signed_in(&cloud, "copier@example.com").await;
    let original = format!("private/{me}/docs/ünï cødé + report.txt");
    let body = data(200_000, 3);
    s3.put_object()
        .bucket(BUCKET)
        .key(&original)
        .content_type("text/plain")
        .metadata("origin", "scanner")
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .expect("PutObject");

    // COPY (the default): same bytes, content type and metadata; a fresh ETag = MD5.
    let copy = format!("private/{me}/archive/report copy.txt");
    let out = s3
        .copy_object()
        .bucket(BUCKET)
        .key(&copy)
        .copy_source(source(&original))
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .expect("CopyObject");
    let result = out.copy_object_result().expect("result");
    assert_eq!(
        result.e_tag(),
        Some(format!("\"{}\"", md5_hex(&body)).as_str())
    );
    assert!(result.checksum_sha256().is_some(), "the requested checksum");
    assert_eq!(get(&s3, &copy).await, body);
    let head = s3
        .head_object()
        .bucket(BUCKET)
        .key(&copy)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(head.content_type(), Some("text/plain"));
    assert_eq!(
        head.metadata()
            .and_then(|m| m.get("origin"))
            .map(String::as_str),
        Some("scanner")
    );
    assert_eq!(head.checksum_sha256(), result.checksum_sha256());

    // REPLACE: the request's content type and metadata.
    s3.copy_object()
        .bucket(BUCKET)
        .key(&copy)
        .copy_source(source(&original))
        .metadata_directive(MetadataDirective::Replace)
        .content_type("application/x-report")
        .metadata("reviewed", "yes")
        .send()
        .await
        .expect("CopyObject REPLACE");
    let head = s3
        .head_object()
        .bucket(BUCKET)
        .key(&copy)
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(head.content_type(), Some("application/x-report"));
    let metadata = head.metadata().expect("metadata");
    assert_eq!(metadata.get("reviewed").map(String::as_str), Some("yes"));
    assert!(!metadata.contains_key("origin"));

    // Onto itself: only with REPLACE.
    let err = s3
        .copy_object()
        .bucket(BUCKET)
        .key(&original)
        .copy_source(source(&original))
        .send()
        .await
        .expect_err("unchanged self-copy");
    assert_eq!(err.code(), Some("InvalidRequest"));
    s3.copy_object()
        .bucket(BUCKET)
        .key(&original)
        .copy_source(source(&original))
        .metadata_directive(MetadataDirective::Replace)
        .content_type("text/markdown")
        .send()
        .await
        .expect("self-copy with REPLACE");
    assert_eq!(get(&s3, &original).await, body);

    // Preconditions on the source.
    let err = s3
        .copy_object()
        .bucket(BUCKET)
        .key(&copy)
        .copy_source(source(&original))
        .copy_source_if_match("\"0123456789abcdef0123456789abcdef\"")
        .send()
        .await
        .expect_err("wrong ETag");
    assert_eq!(err.code(), Some("PreconditionFailed"));
    s3.copy_object()
        .bucket(BUCKET)
        .key(&copy)
        .copy_source(source(&original))
        .copy_source_if_match(format!("\"{}\"", md5_hex(&body)))
        .send()
        .await
        .expect("matching ETag");

    // A missing source.
    let err = s3
        .copy_object()
        .bucket(BUCKET)
        .key(&copy)
        .copy_source(source(&format!("private/{me}/nothing")))
        .send()
        .await
        .expect_err("no source");
    assert_eq!(err.code(), Some("NoSuchKey"));
}

#[tokio::test]
async fn a_copied_multipart_object_is_a_single_part_object_with_the_same_bytes() {
    let cloud = TestCloud::start().await;
    let (me, s3) = signed_in(&cloud, "multicopy@example.com").await;
    let key = format!("private/{me}/big.bin");
    let parts = [data(5 * 1024 * 1024, 1), data(70_001, 2)];
    let (upload_id, completed) = upload_parts(&s3, BUCKET, &key, &parts).await;
    let upload_id = upload_id.as_str();
    let done = s3
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .expect("Complete");
    assert!(done.e_tag().expect("etag").ends_with("-2\""));

    let whole = parts.concat();
    let copy = format!("private/{me}/big copy.bin");
    let out = s3
        .copy_object()
        .bucket(BUCKET)
        .key(&copy)
        .copy_source(source(&key))
        .send()
        .await
        .expect("CopyObject");
    assert_eq!(
        out.copy_object_result().and_then(|r| r.e_tag()),
        Some(format!("\"{}\"", md5_hex(&whole)).as_str())
    );
    assert_eq!(get(&s3, &copy).await, whole);
}

#[tokio::test]
async fn a_copy_honours_the_destinations_own_conditions() {
    let cloud = TestCloud::start().await;
    let (me, s3) = signed_in(&cloud, "conditional-copy@example.com").await;
    let from = format!("private/{me}/from.txt");
    let taken = format!("private/{me}/taken.txt");
    let free = format!("private/{me}/free.txt");
    put(&s3, &from, b"the source").await;
    put(&s3, &taken, b"already here").await;
    let copy = |to: &str| {
        s3.copy_object()
            .bucket(BUCKET)
            .key(to)
            .copy_source(source(&from))
    };

    // If-None-Match: * refuses an existing destination and leaves it as it was.
    let refused = copy(&taken)
        .if_none_match("*")
        .send()
        .await
        .expect_err("create-only copy onto an existing key");
    assert_eq!(refused.code(), Some("PreconditionFailed"));
    assert_eq!(get(&s3, &taken).await, b"already here");
    copy(&free)
        .if_none_match("*")
        .send()
        .await
        .expect("create-only copy to a free key");
    assert_eq!(get(&s3, &free).await, b"the source");

    // If-Match: the destination's current ETag, or 412; a missing destination is NoSuchKey.
    let stale = copy(&taken)
        .if_match(format!("\"{}\"", md5_hex(b"something else")))
        .send()
        .await
        .expect_err("stale If-Match");
    assert_eq!(stale.code(), Some("PreconditionFailed"));
    copy(&taken)
        .if_match(format!("\"{}\"", md5_hex(b"already here")))
        .send()
        .await
        .expect("If-Match with the current ETag");
    assert_eq!(get(&s3, &taken).await, b"the source");
    let missing = copy(&format!("private/{me}/nowhere.txt"))
        .if_match(format!("\"{}\"", md5_hex(b"the source")))
        .send()
        .await
        .expect_err("If-Match on a missing destination");
    assert_eq!(missing.code(), Some("NoSuchKey"));
    // An ETag in If-None-Match is not something S3 implements for writes.
    let odd = copy(&free)
        .if_none_match(format!("\"{}\"", md5_hex(b"the source")))
        .send()
        .await
        .expect_err("If-None-Match with an ETag");
    assert_eq!(odd.code(), Some("NotImplemented"));
}

#[tokio::test]
async fn copies_need_read_on_the_source_and_write_on_the_destination() {
    let cloud = TestCloud::start().await;
    let (alice, alice_s3) = signed_in(&cloud, "alice-copy@example.com").await;
    let (bob, bob_s3) = signed_in(&cloud, "bob-copy@example.com").await;
    let alice_file = format!("private/{alice}/mine.txt");
    let bob_file = format!("private/{bob}/secret.txt");
    put(&alice_s3, &alice_file, b"alice's").await;
    put(&bob_s3, &bob_file, b"bob's").await;

    // Reading another's object by copying it into one's own prefix.
    let stolen = format!("private/{alice}/stolen.txt");
    let err = alice_s3
        .copy_object()
        .bucket(BUCKET)
        .key(&stolen)
        .copy_source(source(&bob_file))
        .send()
        .await
        .expect_err("source is not hers");
    assert_eq!(err.code(), Some("AccessDenied"));
    // Writing into another's prefix from one's own object.
    let planted = format!("private/{bob}/planted.txt");
    let err = alice_s3
        .copy_object()
        .bucket(BUCKET)
        .key(&planted)
        .copy_source(source(&alice_file))
        .send()
        .await
        .expect_err("destination is not hers");
    assert_eq!(err.code(), Some("AccessDenied"));

    let admin = cloud.s3_admin();
    for key in [&stolen, &planted] {
        let err = admin
            .head_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .expect_err("nothing was written");
        assert!(
            err.as_service_error().is_some_and(|e| e.is_not_found()),
            "{key}"
        );
    }
}

#[tokio::test]
async fn delete_objects_decides_each_key_on_its_own() {
    let cloud = TestCloud::start().await;
    let (alice, alice_s3) = signed_in(&cloud, "alice-del@example.com").await;
    let (bob, bob_s3) = signed_in(&cloud, "bob-del@example.com").await;
    let mine: Vec<String> = ["a.txt", "dir/b c.txt", "ünï.txt"]
        .iter()
        .map(|name| format!("private/{alice}/{name}"))
        .collect();
    for key in &mine {
        put(&alice_s3, key, b"x").await;
    }
    let bobs = format!("private/{bob}/keep.txt");
    put(&bob_s3, &bobs, b"bob").await;
    let missing = format!("private/{alice}/never-existed");

    let id = |key: &str| ObjectIdentifier::builder().key(key).build().expect("id");
    let out = alice_s3
        .delete_objects()
        .bucket(BUCKET)
        .delete(
            Delete::builder()
                .objects(id(&mine[0]))
                .objects(id(&mine[1]))
                .objects(id(&missing))
                .objects(id(&bobs))
                .build()
                .expect("delete"),
        )
        .send()
        .await
        .expect("DeleteObjects answers 200 even with refused keys");
    let mut deleted: Vec<&str> = out.deleted().iter().filter_map(|d| d.key()).collect();
    deleted.sort_unstable();
    let mut expected = vec![mine[0].as_str(), mine[1].as_str(), missing.as_str()];
    expected.sort_unstable();
    assert_eq!(deleted, expected);
    let errors: Vec<(&str, &str)> = out
        .errors()
        .iter()
        .map(|e| (e.key().unwrap_or_default(), e.code().unwrap_or_default()))
        .collect();
    assert_eq!(errors, [(bobs.as_str(), "AccessDenied")]);

    // Bob's object is untouched, Alice's third object too.
    assert_eq!(get(&bob_s3, &bobs).await, b"bob");
    assert_eq!(get(&alice_s3, &mine[2]).await, b"x");
    let listed = alice_s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(format!("private/{alice}/"))
        .send()
        .await
        .expect("listing");
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, [mine[2].as_str()]);

    // Quiet: only the errors come back.
    let out = alice_s3
        .delete_objects()
        .bucket(BUCKET)
        .delete(
            Delete::builder()
                .objects(id(&mine[2]))
                .objects(id(&bobs))
                .quiet(true)
                .build()
                .expect("delete"),
        )
        .send()
        .await
        .expect("quiet DeleteObjects");
    assert!(out.deleted().is_empty());
    assert_eq!(out.errors().len(), 1);
    assert_eq!(get(&bob_s3, &bobs).await, b"bob");

    // More than 1 000 keys is malformed.
    let mut too_many = Delete::builder();
    for i in 0..1001 {
        too_many = too_many.objects(id(&format!("private/{alice}/{i}")));
    }
    let err = alice_s3
        .delete_objects()
        .bucket(BUCKET)
        .delete(too_many.build().expect("delete"))
        .send()
        .await
        .expect_err("over the limit");
    assert_eq!(err.code(), Some("MalformedXML"));
}

#[tokio::test]
async fn delete_objects_with_a_digest_that_does_not_match_its_body_is_bad_digest() {
    let cloud = TestCloud::start().await;
    let (me, s3) = signed_in(&cloud, "digest@example.com").await;
    let key = format!("private/{me}/kept.txt");
    put(&s3, &key, b"x").await;
    let delete = Delete::builder()
        .objects(ObjectIdentifier::builder().key(&key).build().expect("id"))
        .build()
        .expect("delete");
    let err = s3
        .delete_objects()
        .bucket(BUCKET)
        .delete(delete)
        .customize()
        .mutate_request(|request| {
            // The MD5 of another (the empty) body; the SDK's own checksum header stays right.
            request
                .headers_mut()
                .insert("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==");
        })
        .send()
        .await
        .expect_err("tampered digest");
    assert_eq!(err.code(), Some("BadDigest"));
    assert_eq!(get(&s3, &key).await, b"x", "nothing was deleted");
}
