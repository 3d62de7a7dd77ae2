//! Small and multipart uploads, byte-identical downloads, listing and deletion, and the
//! boundary of the prefix.

use coffer_core::upload::UploadOptions;
use coffer_core::{Error, IdentityMode, StorageError, UploadControl, UploadOutcome};

use crate::support::{random_file, sha256_file, start_cloud};

const MIB: usize = 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_list_download_delete_round_trip() {
    let cloud = start_cloud().await;
    let (client, _store) = cloud.client();
    cloud.signed_in(&client, "ada@example.com").await;
    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    assert!(files.prefix().starts_with("private/us-east-1:"));
    let work = tempfile::tempdir().unwrap();
    let uploader = files.uploader(UploadOptions::new(work.path().join("journal")));
    let control = UploadControl::new();

    let small = random_file(work.path(), "Résumé 2024 — final ✓.txt", 1000, 1);
    let large = random_file(work.path(), "big file.bin", 20 * MIB + 5, 2);
    let outcome = uploader
        .upload(&small, "Mes documents", None, &control)
        .await
        .unwrap();
    let UploadOutcome::Completed {
        key: small_key,
        bytes,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(bytes, 1000);
    assert_eq!(
        small_key.relative(),
        "Mes documents/Résumé 2024 — final ✓.txt"
    );

    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = {
        let reports = reports.clone();
        std::sync::Arc::new(move |p: coffer_core::Progress| reports.lock().unwrap().push(p))
    };
    let outcome = uploader
        .upload(&large, "", Some(sink), &control)
        .await
        .unwrap();
    let UploadOutcome::Completed {
        key: large_key,
        bytes,
        resumed_bytes,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!((bytes, resumed_bytes), (20 * MIB as u64 + 5, 0));
    let reports = reports.lock().unwrap().clone();
    // One report at the start, one per part (3 parts of 8 MiB at most).
    assert_eq!(reports.len(), 4, "{reports:?}");
    assert_eq!(reports.last().unwrap().bytes_done, bytes);
    assert!(reports
        .windows(2)
        .all(|w| w[0].bytes_done < w[1].bytes_done));
    assert!(uploader
        .journal()
        .load(files.endpoint(), files.bucket(), large_key.full())
        .is_none());

    // Listing: the top has the large file and the folder.
    let top = files.list("").await.unwrap();
    assert_eq!(top.directories, vec!["Mes documents/".to_owned()]);
    assert_eq!(top.files.len(), 1);
    assert_eq!(top.files[0].key, large_key);
    assert_eq!(top.files[0].size, bytes);
    let folder = files.list("Mes documents").await.unwrap();
    assert_eq!(folder.files.len(), 1);
    assert_eq!(folder.files[0].key, small_key);

    // Downloads are byte-identical.
    let back = work.path().join("back");
    std::fs::create_dir(&back).unwrap();
    for (key, original) in [(&small_key, &small), (&large_key, &large)] {
        let (path, written) = files.download(key, &back).await.unwrap();
        assert_eq!(path, back.join(key.name()));
        assert_eq!(written, std::fs::metadata(original).unwrap().len());
        assert_eq!(sha256_file(&path), sha256_file(original));
    }
    // Only the downloaded files are left (no temporary files).
    assert_eq!(std::fs::read_dir(&back).unwrap().count(), 2);

    // Delete; deleting again or fetching is "missing or unreadable": the role may list only
    // under an `s3:prefix` condition, so S3 answers 403 for a missing key, as on AWS.
    files.delete(&small_key).await.unwrap();
    let error = files.delete(&small_key).await.unwrap_err();
    assert_eq!(error.code(), "missing_or_unreadable", "{error:?}");
    assert!(error.to_string().contains("Mes documents/"), "{error}");
    let error = files
        .download(&small_key, &back.join("gone"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "missing_or_unreadable", "{error:?}");
    assert!(!back.join("gone").exists());
    assert!(files.list("Mes documents").await.unwrap().files.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_cannot_leave_the_prefix_and_the_server_agrees() {
    let cloud = start_cloud().await;
    let (ada, _) = cloud.client();
    cloud.signed_in(&ada, "ada@example.com").await;
    let (grace, _) = cloud.client();
    cloud.signed_in(&grace, "grace@example.com").await;
    let ada_files = ada.files(IdentityMode::SignedIn).await.unwrap();
    let grace_files = grace.files(IdentityMode::SignedIn).await.unwrap();
    assert_ne!(ada_files.prefix(), grace_files.prefix());

    for hostile in ["../x", "a/../../b", "/etc/passwd", "a\\..\\b", "x\ny"] {
        let error = ada_files.parse_key(hostile).unwrap_err();
        assert!(
            matches!(error, StorageError::Key(_)),
            "{hostile:?}: {error:?}"
        );
    }

    // Ada's credentials cannot touch Grace's prefix, even through the raw SDK client.
    let grace_key = format!("{}secret.txt", grace_files.prefix());
    let denied = ada_files
        .s3()
        .put_object()
        .bucket(ada_files.bucket())
        .key(&grace_key)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_s3::error::ProvideErrorMetadata::code(&denied),
        Some("AccessDenied")
    );
    let error = Error::from(StorageError::AccessDenied);
    assert_eq!(error.code(), "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_upload_under_the_guest_prefix() {
    let cloud = start_cloud().await;
    let (client, _store) = cloud.client();
    let files = client.files(IdentityMode::Guest).await.unwrap();
    assert!(
        files.prefix().starts_with("guest/us-east-1:"),
        "{}",
        files.prefix()
    );
    let work = tempfile::tempdir().unwrap();
    let uploader = files.uploader(UploadOptions::new(work.path().join("journal")));
    let file = random_file(work.path(), "guest note.txt", 10_000, 3);
    let outcome = uploader
        .upload(&file, "", None, &UploadControl::new())
        .await
        .unwrap();
    assert!(matches!(outcome, UploadOutcome::Completed { .. }));
    let listing = files.list("").await.unwrap();
    assert_eq!(listing.files.len(), 1);
    let (path, _) = files
        .download(&listing.files[0].key, &work.path().join("copy"))
        .await
        .unwrap();
    assert_eq!(sha256_file(&path), sha256_file(&file));
}
