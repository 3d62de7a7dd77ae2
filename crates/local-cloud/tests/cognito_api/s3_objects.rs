//! S3 through the official Rust SDK with identity-pool credentials: objects in one's own prefix,
//! ranges, listings, multipart uploads, checksums, and everything the policies forbid.

use std::time::Duration;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use md5_crate::Digest as _;
use serde_json::json;
use sha2::Sha256;

use crate::support::{upload_parts, TestCloud};

fn md5(data: &[u8]) -> [u8; 16] {
    md5_crate::Md5::digest(data).into()
}

const BUCKET: &str = "coffer-demo";

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn code<E: ProvideErrorMetadata>(err: &E) -> String {
    err.code().unwrap_or("<none>").to_owned()
}

async fn signed_in(cloud: &TestCloud, email: &str) -> (String, aws_sdk_s3::Client) {
    let (_, id_token, _) = cloud.demo_user_tokens(email).await;
    let (identity, credentials) = cloud
        .demo_credentials(json!({ cloud.demo_provider(): id_token }))
        .await;
    (identity, cloud.s3_with(&credentials))
}

#[tokio::test]
async fn objects_in_ones_own_prefix() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "obj@example.com").await;
    let prefix = format!("private/{identity}/");
    let key = format!("{prefix}docs/ünï cødé + spaces.bin");
    let body = data(300_000, 7);

    // The SDK sends aws-chunked bodies with a trailing CRC32 by default.
    let put = s3
        .put_object()
        .bucket(BUCKET)
        .key(&key)
        .content_type("application/octet-stream")
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .expect("PutObject");
    assert_eq!(
        put.e_tag(),
        Some(format!("\"{}\"", hex::encode(md5(&body))).as_str())
    );
    assert!(
        put.checksum_crc32().is_some(),
        "the checksum the SDK sent is returned"
    );

    let got = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("GetObject");
    assert_eq!(got.content_length(), Some(body.len() as i64));
    let bytes = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(bytes.as_ref(), body.as_slice(), "stored byte for byte");

    let range = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .range("bytes=1000-1999")
        .send()
        .await
        .expect("ranged GetObject");
    assert_eq!(range.content_range(), Some("bytes 1000-1999/300000"));
    let bytes = range.body.collect().await.expect("body").into_bytes();
    assert_eq!(bytes.as_ref(), &body[1000..2000]);
    let suffix = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .range("bytes=-10")
        .send()
        .await
        .expect("suffix range");
    assert_eq!(
        suffix
            .body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .as_ref(),
        &body[body.len() - 10..]
    );
    let err = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .range("bytes=400000-")
        .send()
        .await
        .expect_err("unsatisfiable");
    assert_eq!(code(&err), "InvalidRange");

    let head = s3
        .head_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(head.content_length(), Some(300_000));
    assert_eq!(head.content_type(), Some("application/octet-stream"));

    s3.put_object()
        .bucket(BUCKET)
        .key(format!("{prefix}a.txt"))
        .body(ByteStream::from_static(b"a"))
        .send()
        .await
        .expect("second object");
    let listed = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(&prefix)
        .delimiter("/")
        .send()
        .await
        .expect("ListObjectsV2");
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, [format!("{prefix}a.txt")]);
    let prefixes: Vec<&str> = listed
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!(prefixes, [format!("{prefix}docs/")]);

    // Paging with continuation tokens.
    let first = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(&prefix)
        .max_keys(1)
        .send()
        .await
        .expect("page 1");
    assert_eq!(first.is_truncated(), Some(true));
    let second = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(&prefix)
        .max_keys(1)
        .continuation_token(first.next_continuation_token().expect("token"))
        .send()
        .await
        .expect("page 2");
    assert_eq!(second.contents()[0].key(), Some(key.as_str()));
    assert_eq!(second.is_truncated(), Some(false));

    s3.delete_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("DeleteObject");
    let err = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect_err("gone");
    assert_eq!(
        code(&err.into_service_error()),
        "AccessDenied",
        "a caller who may not list the bucket unconditionally is not told the key is missing"
    );
}

#[tokio::test]
async fn multipart_upload_in_three_parts_is_byte_exact() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "multi@example.com").await;
    let key = format!("private/{identity}/big.bin");
    let sizes = [5 * 1024 * 1024, 5 * 1024 * 1024, 123_457];
    let parts: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| data(n, i as u8))
        .collect();

    let upload = s3
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .send()
        .await
        .expect("CreateMultipartUpload");
    let upload_id = upload.upload_id().expect("upload id").to_owned();
    let mut completed = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let number = i as i32 + 1;
        let out = s3
            .upload_part()
            .bucket(BUCKET)
            .key(&key)
            .upload_id(&upload_id)
            .part_number(number)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from(part.clone()))
            .send()
            .await
            .expect("UploadPart");
        assert_eq!(
            out.e_tag(),
            Some(format!("\"{}\"", hex::encode(md5(part))).as_str())
        );
        completed.push(
            CompletedPart::builder()
                .part_number(number)
                .e_tag(out.e_tag().expect("etag"))
                .set_checksum_crc32(out.checksum_crc32().map(str::to_owned))
                .build(),
        );
    }

    let listed = s3
        .list_parts()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(&upload_id)
        .send()
        .await
        .expect("ListParts");
    let numbers: Vec<i32> = listed
        .parts()
        .iter()
        .filter_map(|p| p.part_number())
        .collect();
    assert_eq!(numbers, [1, 2, 3]);
    let listed_sizes: Vec<i64> = listed.parts().iter().filter_map(|p| p.size()).collect();
    assert_eq!(listed_sizes, sizes.map(|n| n as i64));

    // Parts out of order are refused.
    let mut reversed = completed.clone();
    reversed.reverse();
    let err = s3
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(reversed))
                .build(),
        )
        .send()
        .await
        .expect_err("order");
    assert_eq!(code(&err), "InvalidPartOrder");

    let done = s3
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .expect("CompleteMultipartUpload");
    let md5s: Vec<u8> = parts.iter().flat_map(|p| md5(p)).collect();
    let expected_etag = format!("\"{}-3\"", hex::encode(md5(&md5s)));
    assert_eq!(done.e_tag(), Some(expected_etag.as_str()));

    let whole: Vec<u8> = parts.concat();
    let got = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("GetObject");
    let bytes = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(bytes.len(), whole.len());
    assert_eq!(Sha256::digest(&bytes), Sha256::digest(&whole), "byte-exact");

    let err = s3
        .list_parts()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(&upload_id)
        .send()
        .await
        .expect_err("completed uploads are gone");
    assert_eq!(code(&err), "NoSuchUpload");

    // Abort removes an upload.
    let second = s3
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("CreateMultipartUpload");
    let second_id = second.upload_id().expect("id");
    s3.abort_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(second_id)
        .send()
        .await
        .expect("AbortMultipartUpload");
    let uploads = cloud
        .s3_admin()
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .expect("ListMultipartUploads (admin)");
    assert!(uploads.uploads().is_empty());
}

#[tokio::test]
async fn checksums_are_verified_and_returned() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "sums@example.com").await;
    let key = format!("private/{identity}/sum.txt");
    let body = b"checksummed contents".to_vec();
    let sha = STANDARD.encode(Sha256::digest(&body));

    for algorithm in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32C,
        ChecksumAlgorithm::Sha256,
    ] {
        s3.put_object()
            .bucket(BUCKET)
            .key(&key)
            .checksum_algorithm(algorithm.clone())
            .body(ByteStream::from(body.clone()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutObject with {algorithm:?}: {e:?}"));
    }
    let head = s3
        .head_object()
        .bucket(BUCKET)
        .key(&key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("HeadObject");
    assert_eq!(head.checksum_sha256(), Some(sha.as_str()));

    let err = s3
        .put_object()
        .bucket(BUCKET)
        .key(&key)
        .checksum_sha256(STANDARD.encode(Sha256::digest(b"something else")))
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .expect_err("wrong checksum");
    assert_eq!(code(&err), "BadDigest");
    let got = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("still there");
    assert_eq!(
        got.body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .as_ref(),
        body.as_slice(),
        "a failed upload never replaces an object"
    );
}

#[tokio::test]
async fn policies_confine_each_identity_to_its_own_prefix() {
    let cloud = TestCloud::start().await;
    let (alice, s3) = signed_in(&cloud, "alice-s3@example.com").await;
    let (bob, _) = signed_in(&cloud, "bob-s3@example.com").await;
    cloud
        .s3_admin()
        .create_bucket()
        .bucket("other-bucket")
        .send()
        .await
        .expect("admin creates a bucket");

    let denied = |result: Result<(), String>| assert_eq!(result, Err("AccessDenied".to_owned()));
    let put = |bucket: &'static str, key: String| {
        let s3 = s3.clone();
        async move {
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .body(ByteStream::from_static(b"x"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e))
        }
    };
    put(BUCKET, format!("private/{alice}/ok"))
        .await
        .expect("own prefix");
    denied(put(BUCKET, format!("private/{bob}/x")).await);
    denied(put(BUCKET, "private/x".to_owned()).await);
    denied(put(BUCKET, format!("guest/{alice}/x")).await);
    denied(put("other-bucket", format!("private/{alice}/x")).await);
    let err = s3
        .get_object()
        .bucket(BUCKET)
        .key(format!("private/{bob}/x"))
        .send()
        .await
        .expect_err("other identity");
    assert_eq!(code(&err), "AccessDenied");

    let list = |prefix: Option<String>| {
        let s3 = s3.clone();
        async move {
            s3.list_objects_v2()
                .bucket(BUCKET)
                .set_prefix(prefix)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e))
        }
    };
    list(Some(format!("private/{alice}/")))
        .await
        .expect("own listing");
    denied(list(None).await);
    denied(list(Some("private/".to_owned())).await);
    denied(list(Some(format!("private/{bob}/"))).await);

    // Multipart steps are PutObject; listing another's parts is refused.
    let err = s3
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(format!("private/{bob}/m"))
        .send()
        .await
        .expect_err("other prefix");
    assert_eq!(code(&err), "AccessDenied");
    let err = s3
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .expect_err("not granted");
    assert_eq!(code(&err), "AccessDenied");

    // Guests: only guest/<their id>/.
    let (guest, guest_credentials) = cloud.demo_credentials(json!({})).await;
    let guest_s3 = cloud.s3_with(&guest_credentials);
    guest_s3
        .put_object()
        .bucket(BUCKET)
        .key(format!("guest/{guest}/hello"))
        .body(ByteStream::from_static(b"hi"))
        .send()
        .await
        .expect("guest prefix");
    let err = guest_s3
        .put_object()
        .bucket(BUCKET)
        .key(format!("private/{guest}/hello"))
        .body(ByteStream::from_static(b"hi"))
        .send()
        .await
        .expect_err("private is for signed-in users");
    assert_eq!(code(&err), "AccessDenied");

    // The admin key sees everything.
    let all = cloud
        .s3_admin()
        .list_objects_v2()
        .bucket(BUCKET)
        .send()
        .await
        .expect("admin listing");
    let keys: Vec<&str> = all.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(
        keys,
        [
            format!("guest/{guest}/hello"),
            format!("private/{alice}/ok")
        ]
    );
}

#[tokio::test]
async fn bad_or_expired_credentials_are_refused() {
    let cloud = TestCloud::start().await;
    let (identity, credentials) = cloud.demo_credentials(json!({})).await;
    let key = format!("guest/{identity}/f");
    let ak = credentials["AccessKeyId"].as_str().expect("key").to_owned();
    let sk = credentials["SecretKey"]
        .as_str()
        .expect("secret")
        .to_owned();
    let token = credentials["SessionToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let put = |client: aws_sdk_s3::Client| {
        let key = key.clone();
        async move {
            client
                .put_object()
                .bucket(BUCKET)
                .key(key)
                .body(ByteStream::from_static(b"x"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e))
        }
    };
    put(cloud.s3_client(&ak, &sk, Some(token.clone())))
        .await
        .expect("valid");
    assert_eq!(
        put(cloud.s3_client(
            &ak,
            "wrong-secret-0000000000000000000000000000",
            Some(token.clone())
        ))
        .await,
        Err("SignatureDoesNotMatch".to_owned())
    );
    assert_eq!(
        put(cloud.s3_client(&ak, &sk, None)).await,
        Err("InvalidAccessKeyId".to_owned())
    );
    assert_eq!(
        put(cloud.s3_client(&ak, &sk, Some(format!("{token}x")))).await,
        Err("InvalidToken".to_owned())
    );
    assert_eq!(
        put(cloud.s3_client("ASIAUNKNOWN000000000", &sk, Some(token.clone()))).await,
        Err("InvalidAccessKeyId".to_owned())
    );

    cloud.clock.advance(Duration::from_secs(3600));
    assert_eq!(
        put(cloud.s3_client(&ak, &sk, Some(token))).await,
        Err("ExpiredToken".to_owned())
    );

    // Nothing secret reached the logs.
    let logs = String::from_utf8_lossy(&crate::support::captured_logs().lock().expect("logs"))
        .into_owned();
    assert!(!logs.contains(&sk));
    assert!(!logs.contains(&credentials["SessionToken"].as_str().expect("token")[..40]));
}

#[tokio::test]
async fn credentials_last_as_configured() {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("tempdir"));
    let clock = local_cloud::ManualClock::new(crate::support::now_seconds());
    let cloud = TestCloud::start_configured(dir, clock, |config| {
        config.credentials_ttl = Duration::from_secs(120);
    })
    .await;
    let (identity, credentials) = cloud.demo_credentials(json!({})).await;
    let s3 = cloud.s3_with(&credentials);
    let put = || {
        s3.put_object()
            .bucket(BUCKET)
            .key(format!("guest/{identity}/f"))
            .body(ByteStream::from_static(b"x"))
            .send()
    };
    put().await.expect("fresh");
    cloud.clock.advance(Duration::from_secs(119));
    put().await.expect("still valid");
    cloud.clock.advance(Duration::from_secs(1));
    assert_eq!(code(&put().await.expect_err("expired")), "ExpiredToken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parts_uploaded_in_parallel_assemble_in_part_order() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "parallel@example.com").await;
    let key = format!("private/{identity}/parallel.bin");
    let parts: Vec<Vec<u8>> = (0..4u8)
        .map(|i| data(5 * 1024 * 1024 + usize::from(i), i))
        .collect();
    let upload = s3
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("CreateMultipartUpload");
    let upload_id = upload.upload_id().expect("id").to_owned();

    let in_progress = cloud
        .s3_admin()
        .list_multipart_uploads()
        .bucket(BUCKET)
        .prefix(format!("private/{identity}/"))
        .send()
        .await
        .expect("ListMultipartUploads (admin)");
    assert_eq!(in_progress.uploads().len(), 1);
    assert_eq!(
        in_progress.uploads()[0].upload_id(),
        Some(upload_id.as_str())
    );

    // Last part first, all at once.
    let sends = parts.iter().enumerate().rev().map(|(i, part)| {
        s3.upload_part()
            .bucket(BUCKET)
            .key(&key)
            .upload_id(&upload_id)
            .part_number(i as i32 + 1)
            .body(ByteStream::from(part.clone()))
            .send()
    });
    let mut results = futures_util::future::join_all(sends).await;
    results.reverse();
    let completed: Vec<CompletedPart> = results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            CompletedPart::builder()
                .part_number(i as i32 + 1)
                .e_tag(r.expect("UploadPart").e_tag().expect("etag"))
                .build()
        })
        .collect();
    s3.complete_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .expect("CompleteMultipartUpload");
    let got = s3
        .get_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .expect("GetObject");
    assert_eq!(got.parts_count(), Some(4));
    let bytes = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(Sha256::digest(&bytes), Sha256::digest(parts.concat()));
}

#[tokio::test]
async fn a_part_below_five_mib_that_is_not_last_is_refused() {
    let cloud = TestCloud::start().await;
    let (identity, s3) = signed_in(&cloud, "small@example.com").await;
    let key = format!("private/{identity}/small.bin");
    let (upload_id, mut completed) =
        upload_parts(&s3, BUCKET, &key, &[data(1024, 1), data(1024, 1)]).await;
    let upload_id = upload_id.as_str();
    let err = s3
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key(&key)
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed.clone()))
                .build(),
        )
        .send()
        .await
        .expect_err("too small");
    assert_eq!(code(&err), "EntityTooSmall");
    completed[1] = CompletedPart::builder()
        .part_number(2)
        .e_tag("\"00000000000000000000000000000000\"")
        .build();
    let err = s3
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
        .expect_err("wrong etag");
    assert_eq!(code(&err), "InvalidPart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_to_one_key_leave_one_whole_object() {
    let cloud = TestCloud::start().await;
    let s3 = cloud.s3_admin();
    let bodies: Vec<Vec<u8>> = (0..8u8).map(|i| data(200_000, i)).collect();
    let sends = bodies.iter().map(|body| {
        s3.put_object()
            .bucket(BUCKET)
            .key("race/one-key")
            .body(ByteStream::from(body.clone()))
            .send()
    });
    for result in futures_util::future::join_all(sends).await {
        result.expect("PutObject");
    }
    let got = s3
        .get_object()
        .bucket(BUCKET)
        .key("race/one-key")
        .send()
        .await
        .expect("GetObject");
    let bytes = got.body.collect().await.expect("body").into_bytes();
    assert!(
        bodies.iter().any(|b| b.as_slice() == bytes.as_ref()),
        "one writer's body, whole"
    );
    let objects = cloud.data_dir().join("s3").join(BUCKET).join("objects");
    let files: Vec<String> = std::fs::read_dir(objects)
        .expect("objects dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files.iter().filter(|f| f.ends_with(".data")).count(),
        1,
        "{files:?}"
    );
    assert_eq!(
        files.iter().filter(|f| f.ends_with(".json")).count(),
        1,
        "{files:?}"
    );
    assert!(
        !files.iter().any(|f| f.starts_with(".tmp-")),
        "no temporary file left: {files:?}"
    );
}

/// A refused upload whose body was never sent (`Expect: 100-continue`) must not leave the
/// connection open: the next request's first bytes would be read as that body (a `GET` then
/// arrives as `ET` and fails its signature — seen with boto3).
#[tokio::test]
async fn a_refused_upload_closes_its_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let cloud = TestCloud::start().await;
    let host = cloud.endpoint().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    let requests = format!(
        "PUT /coffer-demo/refused HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n\
         GET /coffer-demo/next HTTP/1.1\r\nHost: {host}\r\n\r\n"
    );
    stream.write_all(requests.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server closes the connection after refusing the upload")
    .expect("read");
    let answer = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 403"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    assert_eq!(answer.matches("http/1.1 ").count(), 1, "{answer}");
}
