//! Pause, cancel, resume after a crash, and credentials that expire mid-upload.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use coffer_core::upload::UploadOptions;
use coffer_core::{IdentityMode, Progress, UploadControl, UploadOutcome};

use crate::support::{random_file, sha256_file, start_cloud, start_cloud_with_ttl};

const MIB: usize = 1024 * 1024;

fn options(journal: &std::path::Path, concurrency: usize) -> UploadOptions {
    let mut options = UploadOptions::new(journal);
    options.concurrency = concurrency;
    options
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_upload_resumes_from_the_journal_and_sends_only_missing_parts() {
    let cloud = start_cloud().await;
    let (client, _store) = cloud.client();
    cloud.signed_in(&client, "ada@example.com").await;
    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = random_file(work.path(), "crash.bin", 40 * MIB + 17, 10);
    let journal_dir = work.path().join("journal");

    // First run: dropped (as a crash) once two parts are stored.
    let parts_done = Arc::new(AtomicU64::new(0));
    let (crash_tx, crash_rx) = tokio::sync::oneshot::channel::<()>();
    let crash_tx = std::sync::Mutex::new(Some(crash_tx));
    let sink = {
        let parts_done = parts_done.clone();
        Arc::new(move |p: Progress| {
            if p.bytes_done > 0 && parts_done.fetch_add(1, Ordering::SeqCst) + 1 >= 2 {
                if let Some(tx) = crash_tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
            }
        })
    };
    let uploader = files.uploader(options(&journal_dir, 1));
    let run = {
        let uploader = uploader.clone();
        let file = file.clone();
        tokio::spawn(async move {
            uploader
                .upload(&file, "", Some(sink), &UploadControl::new())
                .await
        })
    };
    crash_rx.await.unwrap();
    run.abort();
    assert!(run.await.unwrap_err().is_cancelled());
    let key = files.key("", "crash.bin").unwrap();
    let entry = uploader
        .journal()
        .load(files.endpoint(), files.bucket(), key.full())
        .expect("the journal survives the crash");
    assert_eq!(entry.part_size, 8 * MIB as u64);

    // Second run (a new process: new client and uploader) resumes.
    let files_again = cloud
        .client_with(_store.clone())
        .files(IdentityMode::SignedIn)
        .await
        .unwrap();
    let resumed = files_again.uploader(options(&journal_dir, 4));
    let outcome = resumed
        .upload(&file, "", None, &UploadControl::new())
        .await
        .unwrap();
    let UploadOutcome::Completed {
        bytes,
        resumed_bytes,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(bytes, 40 * MIB as u64 + 17);
    assert!(resumed_bytes >= 16 * MIB as u64, "resumed {resumed_bytes}");
    assert!(resumed_bytes < bytes);
    assert!(resumed
        .journal()
        .load(files.endpoint(), files.bucket(), key.full())
        .is_none());
    let (copy, _) = files_again
        .download(&key, &work.path().join("copy"))
        .await
        .unwrap();
    assert_eq!(sha256_file(&copy), sha256_file(&file));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_keeps_the_journal_and_cancel_aborts() {
    let cloud = start_cloud().await;
    let (client, _store) = cloud.client();
    cloud.signed_in(&client, "grace@example.com").await;
    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = random_file(work.path(), "pause me.bin", 24 * MIB + 1, 11);
    let uploader = files.uploader(options(&work.path().join("journal"), 1));
    let key = files.key("", "pause me.bin").unwrap();

    // Pause after the first part.
    let control = UploadControl::new();
    let sink = {
        let control = control.clone();
        Arc::new(move |p: Progress| {
            if p.bytes_done > 0 {
                control.pause();
            }
        })
    };
    let outcome = uploader
        .upload(&file, "", Some(sink), &control)
        .await
        .unwrap();
    let UploadOutcome::Paused { bytes_done, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(bytes_done, 8 * MIB as u64);
    let entry = uploader
        .journal()
        .load(files.endpoint(), files.bucket(), key.full())
        .unwrap();

    // Resume, then finish.
    control.resume();
    let outcome = uploader.upload(&file, "", None, &control).await.unwrap();
    let UploadOutcome::Completed { resumed_bytes, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(resumed_bytes, 8 * MIB as u64);
    let (copy, _) = files
        .download(&key, &work.path().join("copy"))
        .await
        .unwrap();
    assert_eq!(sha256_file(&copy), sha256_file(&file));

    // Cancel: the upload is aborted on the server and the journal deleted.
    let other = random_file(work.path(), "cancel me.bin", 24 * MIB, 12);
    let cancel = UploadControl::new();
    let sink = {
        let cancel = cancel.clone();
        Arc::new(move |p: Progress| {
            if p.bytes_done > 0 {
                cancel.cancel();
            }
        })
    };
    let outcome = uploader
        .upload(&other, "", Some(sink), &cancel)
        .await
        .unwrap();
    assert!(
        matches!(outcome, UploadOutcome::Cancelled { .. }),
        "{outcome:?}"
    );
    let other_key = files.key("", "cancel me.bin").unwrap();
    assert!(uploader
        .journal()
        .load(files.endpoint(), files.bucket(), other_key.full())
        .is_none());
    let listed = files
        .s3()
        .list_multipart_uploads()
        .bucket(files.bucket())
        .prefix(files.prefix())
        .send()
        .await;
    if let Ok(listed) = listed {
        assert!(listed
            .uploads()
            .iter()
            .all(|u| u.key() != Some(other_key.full())));
    }
    let _ = entry;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_file_starts_a_new_upload() {
    let cloud = start_cloud().await;
    let (client, _store) = cloud.client();
    cloud.signed_in(&client, "linus@example.com").await;
    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = random_file(work.path(), "changing.bin", 17 * MIB, 20);
    let uploader = files.uploader(options(&work.path().join("journal"), 1));
    let control = UploadControl::new();
    let sink = {
        let control = control.clone();
        Arc::new(move |p: Progress| {
            if p.bytes_done > 0 {
                control.pause();
            }
        })
    };
    let outcome = uploader
        .upload(&file, "", Some(sink), &control)
        .await
        .unwrap();
    assert!(matches!(outcome, UploadOutcome::Paused { .. }));
    // Same name, different content.
    let file = random_file(work.path(), "changing.bin", 17 * MIB, 21);
    control.resume();
    let outcome = uploader.upload(&file, "", None, &control).await.unwrap();
    let UploadOutcome::Completed {
        resumed_bytes, key, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(resumed_bytes, 0);
    let (copy, _) = files
        .download(&key, &work.path().join("copy"))
        .await
        .unwrap();
    assert_eq!(sha256_file(&copy), sha256_file(&file));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_expiring_mid_upload_do_not_fail_it() {
    // Credentials last 3 s; the upload takes longer (the progress sink slows it down).
    let cloud = start_cloud_with_ttl(Some(Duration::from_secs(3))).await;
    let (client, _store) = cloud.client();
    cloud.signed_in(&client, "barbara@example.com").await;
    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let file = random_file(work.path(), "slow.bin", 40 * MIB, 30);
    let uploader = files.uploader(options(&work.path().join("journal"), 1));
    let sink = Arc::new(|p: Progress| {
        if p.bytes_done > 0 {
            std::thread::sleep(Duration::from_millis(1500));
        }
    });
    let started = std::time::Instant::now();
    let outcome = uploader
        .upload(&file, "", Some(sink), &UploadControl::new())
        .await
        .unwrap();
    assert!(started.elapsed() > Duration::from_secs(6));
    let UploadOutcome::Completed { key, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        files.credentials().renewals() >= 3,
        "renewed {} times",
        files.credentials().renewals()
    );
    let (copy, _) = files
        .download(&key, &work.path().join("copy"))
        .await
        .unwrap();
    assert_eq!(sha256_file(&copy), sha256_file(&file));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_answer_renews_the_credentials_and_retries() {
    // The client's clock is stuck 5 s behind the cloud's, so it believes its 2 s credentials
    // are still good after they expired: only S3's ExpiredToken answer can tell it.
    let cloud = start_cloud_with_ttl(Some(Duration::from_secs(2))).await;
    let store = Arc::new(coffer_core::MemoryStore::new());
    let clock =
        coffer_core::ManualClock::new(time::OffsetDateTime::now_utc() - time::Duration::seconds(5));
    let client = coffer_core::Client::builder(cloud.config(), store)
        .clock(Arc::new(clock))
        .build()
        .unwrap();
    cloud.signed_in(&client, "katherine@example.com").await;
    let credentials = client.identity_credentials(IdentityMode::SignedIn).unwrap();
    let files = coffer_core::Files::new(&client, credentials.clone())
        .await
        .unwrap();
    assert_eq!(credentials.renewals(), 1);
    let work = tempfile::tempdir().unwrap();
    let file = random_file(work.path(), "late.bin", 100, 40);
    let uploader = files.uploader(options(&work.path().join("journal"), 1));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let outcome = uploader
        .upload(&file, "", None, &UploadControl::new())
        .await
        .unwrap();
    assert!(matches!(outcome, UploadOutcome::Completed { .. }));
    assert_eq!(
        credentials.renewals(),
        2,
        "renewed once, after ExpiredToken"
    );
}
