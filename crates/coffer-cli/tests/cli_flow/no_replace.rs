//! `coffer upload` and `coffer get` never replace a file without being asked: two files for
//! one key are refused up front, an upload to a taken name needs `--overwrite`, a download
//! onto an existing file needs `--force`, and a missing file is reported as AWS reports it.

use super::{keychain_or_skip, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_and_downloads_replace_nothing_unless_asked() {
    if !keychain_or_skip("uploads_and_downloads_replace_nothing_unless_asked").await {
        return;
    }
    let world = World::start_from_template().await;
    let home = world.home.path();
    for (dir, text) in [("a", "first version"), ("b", "second version")] {
        std::fs::create_dir(home.join(dir)).unwrap();
        std::fs::write(home.join(dir).join("report.txt"), text).unwrap();
    }
    let first = home.join("a/report.txt");
    let second = home.join("b/report.txt");
    let (first, second) = (first.to_str().unwrap(), second.to_str().unwrap());
    let stored = |run: super::Run| run.success();

    // Two files for one key: refused before anything is sent.
    world
        .coffer(&["--guest", "upload", "--to", "2026", first, second], "")
        .await
        .failure(2, "would both be uploaded as 2026/report.txt");
    let listed = stored(world.coffer(&["--guest", "ls", "2026"], "").await);
    assert!(
        !listed.stdout().contains("report.txt"),
        "{}",
        listed.stdout()
    );

    // A taken name: refused, the stored file kept; --overwrite replaces it.
    stored(
        world
            .coffer(&["--guest", "upload", "--to", "2026", first], "")
            .await,
    );
    let line = world
        .coffer(&["--guest", "upload", "--to", "2026", second], "")
        .await
        .failure(5, "2026/report.txt already exists");
    assert!(line.contains("--overwrite"), "{line}");
    stored(
        world
            .coffer(&["--guest", "get", "2026/report.txt", "copy.txt"], "")
            .await,
    );
    assert_eq!(
        std::fs::read_to_string(home.join("copy.txt")).unwrap(),
        "first version"
    );
    stored(
        world
            .coffer(
                &["--guest", "upload", "--overwrite", "--to", "2026", second],
                "",
            )
            .await,
    );

    // A download onto an existing file: refused, the file kept; --force replaces it.
    let line = world
        .coffer(&["--guest", "get", "2026/report.txt", "copy.txt"], "")
        .await
        .failure(5, "copy.txt already exists");
    assert!(line.contains("--force"), "{line}");
    assert_eq!(
        std::fs::read_to_string(home.join("copy.txt")).unwrap(),
        "first version"
    );
    std::fs::write(home.join("report.txt"), "my own notes").unwrap();
    world
        .coffer(&["--guest", "get", "2026/report.txt"], "")
        .await
        .failure(5, "report.txt already exists");
    assert_eq!(
        std::fs::read_to_string(home.join("report.txt")).unwrap(),
        "my own notes"
    );
    stored(
        world
            .coffer(
                &["--guest", "get", "--force", "2026/report.txt", "copy.txt"],
                "",
            )
            .await,
    );
    assert_eq!(
        std::fs::read_to_string(home.join("copy.txt")).unwrap(),
        "second version"
    );

    // A missing file: the role may not list the bucket unconditionally, so S3 answers 403
    // and coffer says it does not exist or cannot be read.
    world
        .coffer(&["--guest", "rm", "2026/typo.txt"], "")
        .await
        .failure(12, "no such file, or it cannot be read: 2026/typo.txt");
    world
        .coffer(&["--guest", "get", "2026/typo.txt"], "")
        .await
        .failure(12, "no such file, or it cannot be read");
    assert!(!home.join("typo.txt").exists());
    world.cloud.shutdown().await;
}
