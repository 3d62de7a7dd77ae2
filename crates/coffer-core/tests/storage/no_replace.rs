//! Nothing is replaced without being asked: uploads are create-only (`If-None-Match: *`) unless
//! overwrite is set, one upload per destination at a time, downloads never clobber a local
//! file, and a missing key is reported as AWS reports it to Coffer's roles.

use std::sync::Arc;

use coffer_core::upload::UploadOptions;
use coffer_core::{
    Error, Files, IdentityMode, Progress, StorageError, UploadControl, UploadOutcome,
};

use crate::support::{random_file, sha256_file, start_cloud, Cloud};

const MIB: usize = 1024 * 1024;

async fn signed_in_files(cloud: &Cloud, email: &str) -> Files {
    let (client, _store) = cloud.client();
    cloud.signed_in(&client, email).await;
    client.files(IdentityMode::SignedIn).await.unwrap()
}

/// `work/name`, created.
fn subdir(work: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
    let dir = work.path().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options(journal: &std::path::Path, overwrite: bool) -> UploadOptions {
    let mut options = UploadOptions::new(journal);
    options.concurrency = 1;
    options.overwrite = overwrite;
    options
}

async fn stored_sha256(files: &Files, key: &coffer_core::Key, dir: &std::path::Path) -> String {
    let (path, _) = files.download_overwriting(key, dir).await.unwrap();
    sha256_file(&path)
}

fn already_exists(error: &Error, key: &str) {
    assert_eq!(error.code(), "already_exists", "{error:?}");
    assert!(
        matches!(error, Error::Storage(StorageError::AlreadyExists { key: named }) if named == key),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_never_replaces_a_stored_file_unless_asked() {
    let cloud = start_cloud().await;
    let files = signed_in_files(&cloud, "keep@example.com").await;
    let work = tempfile::tempdir().unwrap();
    let journal = work.path().join("journal");
    let back = work.path().join("back");
    std::fs::create_dir(&back).unwrap();
    let control = UploadControl::new();

    // Small files (one PutObject).
    let first = random_file(&subdir(&work, "a"), "report.pdf", 1000, 1);
    let second = random_file(&subdir(&work, "b"), "report.pdf", 2000, 2);
    let uploader = files.uploader(options(&journal, false));
    let outcome = uploader
        .upload(&first, "2026", None, &control)
        .await
        .unwrap();
    let UploadOutcome::Completed { key, .. } = outcome else {
        panic!("{outcome:?}")
    };
    let error = uploader
        .upload(&second, "2026", None, &control)
        .await
        .unwrap_err();
    already_exists(&error, "2026/report.pdf");
    assert_eq!(
        stored_sha256(&files, &key, &back).await,
        sha256_file(&first)
    );
    files
        .uploader(options(&journal, true))
        .upload(&second, "2026", None, &control)
        .await
        .expect("overwrite replaces");
    assert_eq!(
        stored_sha256(&files, &key, &back).await,
        sha256_file(&second)
    );

    // Large files (multipart): refused before any part is sent.
    let big = random_file(work.path(), "big.bin", 12 * MIB + 3, 3);
    let bigger = random_file(&subdir(&work, "c"), "big.bin", 11 * MIB + 9, 4);
    uploader.upload(&big, "", None, &control).await.unwrap();
    let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sink = {
        let sent = sent.clone();
        Arc::new(move |p: Progress| sent.store(p.bytes_done, std::sync::atomic::Ordering::SeqCst))
    };
    let error = uploader
        .upload(&bigger, "", Some(sink), &control)
        .await
        .unwrap_err();
    already_exists(&error, "big.bin");
    assert_eq!(
        sent.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no part was sent"
    );
    let big_key = files.key("", "big.bin").unwrap();
    assert_eq!(
        stored_sha256(&files, &big_key, &back).await,
        sha256_file(&big)
    );
    assert!(
        uploader
            .journal()
            .load(files.endpoint(), files.bucket(), big_key.full())
            .is_none(),
        "no multipart upload was started"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_stored_during_a_multipart_upload_is_not_replaced_and_replace_replaces_it() {
    let cloud = start_cloud().await;
    let files = signed_in_files(&cloud, "race@example.com").await;
    let work = tempfile::tempdir().unwrap();
    let journal = work.path().join("journal");
    let back = work.path().join("back");
    std::fs::create_dir(&back).unwrap();
    let large = random_file(work.path(), "film.mov", 20 * MIB + 1, 5);
    let other = random_file(&subdir(&work, "elsewhere"), "film.mov", 100, 6);

    // While the first part is on its way, another machine (its own journal) stores the key.
    let (stored_tx, stored_rx) = std::sync::mpsc::channel::<()>();
    let stored_rx = std::sync::Mutex::new(stored_rx);
    let (part_tx, mut part_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let sink = Arc::new(move |p: Progress| {
        if p.bytes_done > 0 {
            let _ = part_tx.send(());
            // Hold the upload until the other write is stored.
            let _ = stored_rx.lock().unwrap().recv();
        }
    });
    let uploader = files.uploader(options(&journal, false));
    let run = {
        let uploader = uploader.clone();
        let large = large.clone();
        tokio::spawn(async move {
            uploader
                .upload(&large, "", Some(sink), &UploadControl::new())
                .await
        })
    };
    part_rx.recv().await.expect("a part was stored");
    files
        .uploader(options(&work.path().join("other-journal"), false))
        .upload(&other, "", None, &UploadControl::new())
        .await
        .expect("the other machine's upload");
    drop(stored_tx);
    let error = run.await.unwrap().unwrap_err();
    already_exists(&error, "film.mov");
    let key = files.key("", "film.mov").unwrap();
    assert_eq!(
        stored_sha256(&files, &key, &back).await,
        sha256_file(&other)
    );
    assert!(
        uploader
            .journal()
            .load(files.endpoint(), files.bucket(), key.full())
            .is_some(),
        "the journal is kept so that Replace can resume"
    );

    // Replace. S3 dropped the upload with its 409 (it says to start over), so the journal's
    // upload is gone and the file is sent again.
    let outcome = files
        .uploader(options(&journal, true))
        .upload(&large, "", None, &UploadControl::new())
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            UploadOutcome::Completed {
                resumed_bytes: 0,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert_eq!(
        stored_sha256(&files, &key, &back).await,
        sha256_file(&large)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_upload_to_a_key_in_progress_is_refused_and_the_first_completes() {
    let cloud = start_cloud().await;
    let files = signed_in_files(&cloud, "twice@example.com").await;
    let work = tempfile::tempdir().unwrap();
    let journal = work.path().join("journal");
    let first = random_file(&subdir(&work, "a"), "same.bin", 20 * MIB + 1, 7);
    let second = random_file(&subdir(&work, "b"), "same.bin", 20 * MIB + 2, 8);

    let (part_tx, mut part_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let go_rx = std::sync::Mutex::new(go_rx);
    let sink = Arc::new(move |p: Progress| {
        if p.bytes_done > 0 {
            let _ = part_tx.send(());
            let _ = go_rx.lock().unwrap().recv();
        }
    });
    let uploader = files.uploader(options(&journal, false));
    let run = {
        let uploader = uploader.clone();
        let first = first.clone();
        tokio::spawn(async move {
            uploader
                .upload(&first, "", Some(sink), &UploadControl::new())
                .await
        })
    };
    part_rx.recv().await.expect("the first upload is under way");
    let error = files
        .uploader(options(&journal, true))
        .upload(&second, "", None, &UploadControl::new())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "upload_in_progress", "{error:?}");
    drop(go_tx);
    let outcome = run
        .await
        .unwrap()
        .expect("the first upload was not disturbed");
    assert!(
        matches!(outcome, UploadOutcome::Completed { .. }),
        "{outcome:?}"
    );
    let key = files.key("", "same.bin").unwrap();
    let back = work.path().join("back");
    std::fs::create_dir(&back).unwrap();
    assert_eq!(
        stored_sha256(&files, &key, &back).await,
        sha256_file(&first)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_never_replaces_a_local_file_unless_asked() {
    let cloud = start_cloud().await;
    let files = signed_in_files(&cloud, "local@example.com").await;
    let work = tempfile::tempdir().unwrap();
    let stored = random_file(work.path(), "notes.txt", 500, 9);
    files
        .uploader(options(&work.path().join("journal"), false))
        .upload(&stored, "", None, &UploadControl::new())
        .await
        .unwrap();
    let key = files.key("", "notes.txt").unwrap();
    let dest_dir = work.path().join("dest");
    std::fs::create_dir(&dest_dir).unwrap();
    let mine = dest_dir.join("notes.txt");
    std::fs::write(&mine, b"my own notes").unwrap();

    for dest in [dest_dir.as_path(), mine.as_path()] {
        let error = files.download(&key, dest).await.unwrap_err();
        assert_eq!(error.code(), "local_file_exists", "{error:?}");
        assert_eq!(std::fs::read(&mine).unwrap(), b"my own notes");
    }
    assert_eq!(
        std::fs::read_dir(&dest_dir).unwrap().count(),
        1,
        "no temporary file left"
    );
    let (path, _) = files.download_overwriting(&key, &mine).await.unwrap();
    assert_eq!(path, mine);
    assert_eq!(sha256_file(&mine), sha256_file(&stored));
}
