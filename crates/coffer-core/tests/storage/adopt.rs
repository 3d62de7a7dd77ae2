//! A guest who signs in keeps their files: `guest/<id>/` moves to `private/<id>/`.

use aws_sdk_s3::primitives::ByteStream;
use coffer_core::storage::LeftReason;
use coffer_core::{Client, Files, IdentityMode};

use crate::support::{start_cloud, Cloud};

/// Stores `body` at `relative` in `files`' own folder (a plain PutObject with its credentials).
async fn put(files: &Files, relative: &str, body: &str) {
    let key = files.parse_key(relative).unwrap();
    files
        .s3()
        .put_object()
        .bucket(files.bucket())
        .key(key.full())
        .body(ByteStream::from(body.as_bytes().to_vec()))
        .send()
        .await
        .unwrap();
}

/// The S3 error code of a failed call.
fn code_of<E: aws_sdk_s3::error::ProvideErrorMetadata>(error: E) -> String {
    error.code().unwrap_or("?").to_owned()
}

/// The body of the object at full key `key`, read with `files`' credentials.
async fn read(files: &Files, key: &str) -> Result<String, String> {
    let output = files
        .s3()
        .get_object()
        .bucket(files.bucket())
        .key(key)
        .send()
        .await
        .map_err(code_of)?;
    let bytes = output.body.collect().await.unwrap().into_bytes();
    Ok(String::from_utf8(bytes.to_vec()).unwrap())
}

/// Every full key under `prefix`, listed with `files`' credentials.
async fn keys_under(files: &Files, prefix: &str) -> Result<Vec<String>, String> {
    let output = files
        .s3()
        .list_objects_v2()
        .bucket(files.bucket())
        .prefix(prefix)
        .send()
        .await
        .map_err(code_of)?;
    let mut keys: Vec<String> = output
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    keys.sort();
    Ok(keys)
}

/// A guest on a fresh keychain who stores `files` (relative key, body).
async fn guest_with(cloud: &Cloud, files: &[(&str, &str)]) -> (Client, Files) {
    let (client, _store) = cloud.client();
    let guest = client.files(IdentityMode::Guest).await.unwrap();
    for (relative, body) in files {
        put(&guest, relative, body).await;
    }
    (client, guest)
}

fn relative_keys(keys: &[coffer_core::Key]) -> Vec<&str> {
    let mut relative: Vec<&str> = keys.iter().map(|k| k.relative()).collect();
    relative.sort_unstable();
    relative
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_files_move_to_the_private_folder_on_sign_in() {
    let cloud = start_cloud().await;
    let (client, guest) =
        guest_with(&cloud, &[("a.txt", "alpha"), ("Mes docs/b é.txt", "beta")]).await;
    let guest_prefix = guest.prefix().to_owned();
    // Another guest, on another machine, whose files must stay theirs.
    let (_other, other_guest) = guest_with(&cloud, &[("x.txt", "someone else's")]).await;

    cloud.signed_in(&client, "linus@example.com").await;
    let adoption = client
        .adopt_guest_files()
        .await
        .unwrap()
        .expect("configured");
    assert_eq!(
        relative_keys(&adoption.moved),
        ["Mes docs/b é.txt", "a.txt"]
    );
    assert!(adoption.left.is_empty(), "{:?}", adoption.left);

    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    assert_eq!(
        files.guest_prefix().await.unwrap(),
        guest_prefix,
        "the identity was adopted"
    );
    let top = files.list("").await.unwrap();
    assert_eq!(
        top.files
            .iter()
            .map(|f| f.key.relative())
            .collect::<Vec<_>>(),
        ["a.txt"]
    );
    assert_eq!(top.directories, ["Mes docs/"]);
    let moved = files.parse_key("Mes docs/b é.txt").unwrap();
    assert_eq!(read(&files, moved.full()).await.unwrap(), "beta");
    assert_eq!(
        keys_under(&files, &guest_prefix).await.unwrap(),
        Vec::<String>::new(),
        "the guest folder is empty"
    );

    // Running again changes nothing; after the next sign-in there is nothing to do.
    let again = files.adopt_guest_files().await.unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(client.adopt_guest_files().await.unwrap(), None);

    // The other guest's files: not listable, readable or movable by this user; still theirs.
    let other_key = other_guest.parse_key("x.txt").unwrap();
    assert_eq!(
        read(&files, other_key.full()).await.unwrap_err(),
        "AccessDenied"
    );
    assert_eq!(
        keys_under(&files, other_guest.prefix()).await.unwrap_err(),
        "AccessDenied"
    );
    assert_eq!(
        read(&other_guest, other_key.full()).await.unwrap(),
        "someone else's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_already_taken_in_the_private_folder_is_never_replaced() {
    let cloud = start_cloud().await;
    let (client, guest) =
        guest_with(&cloud, &[("report.pdf", "guest draft"), ("notes.txt", "n")]).await;
    cloud.signed_in(&client, "grace@example.com").await;
    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    put(&files, "report.pdf", "signed-in final").await;

    let adoption = files.adopt_guest_files().await.unwrap();
    assert_eq!(relative_keys(&adoption.moved), ["notes.txt"]);
    assert_eq!(adoption.left.len(), 1);
    assert_eq!(adoption.left[0].relative, "report.pdf");
    assert_eq!(adoption.left[0].reason, LeftReason::NameTaken);
    assert_eq!(adoption.left[0].size, "guest draft".len() as u64);

    let private = files.parse_key("report.pdf").unwrap();
    assert_eq!(
        read(&files, private.full()).await.unwrap(),
        "signed-in final"
    );
    let kept = format!("{}report.pdf", guest.prefix());
    assert_eq!(read(&files, &kept).await.unwrap(), "guest draft");

    // Again (the next sign-in): still left, nothing else happens.
    let again = client
        .adopt_guest_files()
        .await
        .unwrap()
        .expect("still to do");
    assert!(again.moved.is_empty());
    assert_eq!(again.left, adoption.left);

    // Once the name is free, the next sign-in moves it, and then there is nothing left to do.
    files.delete(&private).await.unwrap();
    let last = client
        .adopt_guest_files()
        .await
        .unwrap()
        .expect("still to do");
    assert_eq!(relative_keys(&last.moved), ["report.pdf"]);
    assert_eq!(read(&files, private.full()).await.unwrap(), "guest draft");
    assert_eq!(client.adopt_guest_files().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_was_never_a_guest_costs_no_call() {
    let cloud = start_cloud().await;
    let (client, _store) = cloud.client();
    cloud.signed_in(&client, "ada@example.com").await;
    assert_eq!(client.adopt_guest_files().await.unwrap(), None);
    assert_eq!(
        client.whoami().await.unwrap().identity_id,
        None,
        "the identity pool was not asked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_an_identity_of_their_own_gets_the_guest_files_streamed_across() {
    let cloud = start_cloud().await;
    let (first_device, _store) = cloud.client();
    cloud.signed_in(&first_device, "alan@example.com").await;
    let own = first_device.files(IdentityMode::SignedIn).await.unwrap();
    put(&own, "a.txt", "mine").await;
    // On another machine, a guest stores files, then signs in as the same user: Cognito
    // merges the guest identity into Alan's own and disables it.
    let big = "0123456789abcdef".repeat(384 * 1024); // 6 MiB, streamed, never buffered whole
    let (second_device, guest) = guest_with(
        &cloud,
        &[
            ("a.txt", "alpha"),
            ("docs/b c.txt", "beta"),
            ("big.bin", big.as_str()),
        ],
    )
    .await;
    crate::support::sign_in(&second_device, "alan@example.com").await;
    let adoption = second_device
        .adopt_guest_files()
        .await
        .unwrap()
        .expect("the merged guest's files are moved");
    assert!(adoption.left.is_empty(), "{adoption:?}");
    assert!(adoption.guest_identity_merged);
    assert_eq!(
        adoption
            .renamed
            .iter()
            .map(|(from, to)| (from.as_str(), to.relative()))
            .collect::<Vec<_>>(),
        [("a.txt", "a (guest).txt")]
    );
    assert_eq!(
        relative_keys(&adoption.moved),
        ["a (guest).txt", "big.bin", "docs/b c.txt"],
        "a taken name gets a free one: nothing is replaced"
    );
    let mine = |name: &str| format!("{}{name}", own.prefix());
    assert_eq!(read(&own, &mine("a.txt")).await.unwrap(), "mine");
    assert_eq!(read(&own, &mine("a (guest).txt")).await.unwrap(), "alpha");
    assert_eq!(read(&own, &mine("docs/b c.txt")).await.unwrap(), "beta");
    assert_eq!(read(&own, &mine("big.bin")).await.unwrap(), big);
    assert_eq!(
        keys_under(&guest, guest.prefix()).await.unwrap(),
        Vec::<String>::new(),
        "the guest copies are deleted once stored"
    );
    // The merged identity is disabled, and forgotten: the next guest session is a new one.
    let next_guest = second_device.files(IdentityMode::Guest).await.unwrap();
    assert_ne!(next_guest.prefix(), guest.prefix());
    assert_eq!(second_device.adopt_guest_files().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_interrupted_after_its_copy_is_finished_by_the_next_run() {
    let cloud = start_cloud().await;
    let (client, guest) = guest_with(&cloud, &[("a.txt", "alpha"), ("b.txt", "beta")]).await;
    cloud.signed_in(&client, "margaret@example.com").await;
    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    // The first run copied a.txt, then stopped before deleting the guest copy.
    let target = files.parse_key("a.txt").unwrap();
    files
        .s3()
        .copy_object()
        .bucket(files.bucket())
        .key(target.full())
        .copy_source(format!("{}/{}a.txt", files.bucket(), guest.prefix()))
        .send()
        .await
        .unwrap();

    let adoption = files.adopt_guest_files().await.unwrap();
    assert_eq!(relative_keys(&adoption.moved), ["a.txt", "b.txt"]);
    assert!(adoption.left.is_empty(), "{:?}", adoption.left);
    assert_eq!(read(&files, target.full()).await.unwrap(), "alpha");
    assert!(keys_under(&files, guest.prefix()).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_has_nothing_to_adopt_and_cannot_read_private_files() {
    let cloud = start_cloud().await;
    let (_client, guest) = guest_with(&cloud, &[("a.txt", "alpha")]).await;
    let adoption = guest.adopt_guest_files().await.unwrap();
    assert!(adoption.is_empty());
    let private = format!("private/{}a.txt", &guest.prefix()["guest/".len()..]);
    assert_eq!(read(&guest, &private).await.unwrap_err(), "AccessDenied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_made_by_another_process_is_moved_later_and_only_for_that_user() {
    let cloud = start_cloud().await;
    let (first_device, _store) = cloud.client();
    cloud.signed_in(&first_device, "alan@example.com").await;
    let own = first_device.files(IdentityMode::SignedIn).await.unwrap();

    // Another machine: a guest stores a file, then Alan signs in there. The first process to
    // want credentials (`coffer ls`, say) makes the offer, Cognito merges the guest identity
    // into Alan's own, and that process ends without moving anything.
    let (signing_in, device_store) = cloud.client();
    let guest = signing_in.files(IdentityMode::Guest).await.unwrap();
    put(&guest, "notes.txt", "from the guest").await;
    crate::support::sign_in(&signing_in, "alan@example.com").await;
    let listing = cloud.client_with(device_store.clone());
    let listed = listing.files(IdentityMode::SignedIn).await.unwrap();
    assert_eq!(
        listed.prefix(),
        own.prefix(),
        "Alan's own identity answered"
    );
    assert!(
        listing.merged_guest_files_waiting().await,
        "the merge and the guest credentials are in the keychain"
    );
    drop((listed, listing, signing_in));

    // Grace signs in on that machine next: the merged guest's files are not hers to take.
    let grace = cloud.client_with(device_store.clone());
    cloud.signed_in(&grace, "grace@example.com").await;
    assert!(!grace.merged_guest_files_waiting().await);
    assert_eq!(grace.adopt_guest_files().await.unwrap(), None);
    let graces = grace.files(IdentityMode::SignedIn).await.unwrap();
    assert!(keys_under(&graces, graces.prefix())
        .await
        .unwrap()
        .is_empty());

    // Alan signs in again within the hour: a new process moves the files with the guest
    // credentials kept in the keychain at the offer.
    let again = cloud.client_with(device_store.clone());
    crate::support::sign_in(&again, "alan@example.com").await;
    assert!(again.merged_guest_files_waiting().await);
    let adoption = again
        .adopt_guest_files()
        .await
        .unwrap()
        .expect("the merged guest's files are moved");
    assert!(adoption.guest_identity_merged);
    assert_eq!(relative_keys(&adoption.moved), ["notes.txt"]);
    let moved = format!("{}notes.txt", own.prefix());
    assert_eq!(read(&own, &moved).await.unwrap(), "from the guest");
    assert!(keys_under(&guest, guest.prefix()).await.unwrap().is_empty());
    assert!(!again.merged_guest_files_waiting().await);
    assert_eq!(again.adopt_guest_files().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_turned_off_after_guest_use_do_not_stop_the_sign_in() {
    let cloud = start_cloud().await;
    let (client, guest) = guest_with(&cloud, &[("a.txt", "alpha")]).await;
    // The pool's owner turns guest access off.
    let admin = cloud.running.admin_credentials();
    let sdk = aws_sdk_cognitoidentity::Client::from_conf(
        aws_sdk_cognitoidentity::Config::builder()
            .behavior_version(aws_sdk_cognitoidentity::config::BehaviorVersion::latest())
            .region(aws_sdk_cognitoidentity::config::Region::new("us-east-1"))
            .endpoint_url(cloud.running.endpoint())
            .credentials_provider(aws_credential_types::Credentials::new(
                admin.access_key_id.clone(),
                admin.secret_access_key.expose().to_owned(),
                None,
                None,
                "test-admin",
            ))
            .build(),
    );
    let pool_id = client.config().identity_pool_id().unwrap().to_owned();
    let pool = sdk
        .describe_identity_pool()
        .identity_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    sdk.update_identity_pool()
        .identity_pool_id(&pool_id)
        .identity_pool_name(pool.identity_pool_name())
        .allow_unauthenticated_identities(false)
        .set_cognito_identity_providers(Some(pool.cognito_identity_providers().to_vec()))
        .send()
        .await
        .unwrap();

    // The guest identity gets no guest credentials now, but the sign-in still takes it over.
    cloud.signed_in(&client, "ada@example.com").await;
    let adoption = client
        .adopt_guest_files()
        .await
        .expect("signed-in credentials despite the refused guest ones")
        .expect("the guest identity became Ada's");
    assert!(!adoption.guest_identity_merged);
    assert_eq!(relative_keys(&adoption.moved), ["a.txt"]);
    let files = client.files(IdentityMode::SignedIn).await.unwrap();
    assert_eq!(
        &files.prefix()["private/".len()..],
        &guest.prefix()["guest/".len()..]
    );
}
