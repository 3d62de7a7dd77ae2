//! The whole CLI flow against a local cloud provisioned from `infra/coffer.yaml` — the same
//! template that is deployed to AWS — and the `config` commands that turn a deployed stack into
//! the client config.

use aws_sdk_s3::error::ProvideErrorMetadata as _;
use aws_sdk_s3::primitives::ByteStream;

use super::{keychain_or_skip, World, PASSWORD};
use coffer_core::{Client, Config};
use std::sync::Arc;

/// An S3 client with the temporary credentials `coffer credentials` printed.
fn raw_s3(endpoint: &str, printed: &serde_json::Value) -> aws_sdk_s3::Client {
    let text = |key: &str| {
        printed[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} in the credentials JSON"))
            .to_owned()
    };
    let credentials = aws_credential_types::Credentials::new(
        text("AccessKeyId"),
        text("SecretAccessKey"),
        Some(text("SessionToken")),
        None,
        "coffer-credentials",
    );
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(credentials)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_works_against_the_template_backend() {
    if !keychain_or_skip("the_whole_flow_works_against_the_template_backend").await {
        return;
    }
    let world = World::start_from_template().await;
    let config = std::fs::read_to_string(&world.config_path).expect("coffer.toml written");
    let bucket = world.cloud.demo().bucket.clone();
    assert!(bucket.starts_with("coffer-bucket-"), "{bucket}");
    assert!(
        config.contains(&format!("bucket = \"{bucket}\"")),
        "{config}"
    );
    assert!(
        config.contains(&format!(
            "{}/_hosted/coffer-000000000000",
            world.cloud.endpoint()
        )),
        "the hosted UI points at the local cloud: {config}"
    );

    // The template's password policy (12+ characters, all classes) is the pool's.
    let email = "grace@example.com";
    world
        .coffer(
            &["sign-up", "--username", email, "--password-stdin"],
            "Short-1a\n",
        )
        .await
        .failure(5, "password");
    world
        .coffer(
            &["sign-up", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
    let code = world.sign_up_code(email).await;
    world
        .coffer(
            &["confirm-sign-up", "--username", email],
            &format!("{code}\n"),
        )
        .await
        .success();
    let run = world
        .coffer(
            &["sign-in", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
    assert!(
        run.stdout().contains(&format!("Signed in as {email}")),
        "{}",
        run.stdout()
    );

    let run = world.coffer(&["credentials"], "").await.success();
    let printed: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON");
    assert_eq!(printed["Version"], 1);
    assert!(printed["AccessKeyId"]
        .as_str()
        .is_some_and(|k| k.starts_with("ASIA")));

    let file = world.home.path().join("notes.txt");
    std::fs::write(&file, b"kept under my own prefix\n").expect("write file");
    world
        .coffer(&["upload", file.to_str().unwrap()], "")
        .await
        .success();
    let run = world.coffer(&["ls"], "").await.success();
    assert!(run.stdout().contains("notes.txt"), "{}", run.stdout());

    let run = world.coffer(&["whoami", "--json"], "").await.success();
    let who: serde_json::Value = serde_json::from_str(&run.stdout()).expect("whoami JSON");
    let identity_id = who["identity_id"]
        .as_str()
        .expect("identity known")
        .to_owned();

    // The same temporary credentials, used directly: the own prefix is open, nothing else is.
    let s3 = raw_s3(&world.cloud.endpoint(), &printed);
    let own = s3
        .get_object()
        .bucket(&bucket)
        .key(format!("private/{identity_id}/notes.txt"))
        .send()
        .await
        .expect("own object readable");
    let body = own.body.collect().await.expect("body").into_bytes();
    assert_eq!(&body[..], b"kept under my own prefix\n");
    let denied = s3
        .put_object()
        .bucket(&bucket)
        .key("private/us-east-1:00000000-0000-0000-0000-000000000000/x.txt")
        .body(ByteStream::from_static(b"not mine"))
        .send()
        .await
        .expect_err("another identity's prefix is closed");
    assert_eq!(denied.code(), Some("AccessDenied"), "{denied:?}");
    let denied = s3
        .list_objects_v2()
        .bucket(&bucket)
        .prefix("private/")
        .send()
        .await
        .expect_err("listing everyone's files is closed");
    assert_eq!(denied.code(), Some("AccessDenied"), "{denied:?}");
    let denied = s3
        .put_object()
        .bucket(&bucket)
        .key(format!("guest/{identity_id}/x.txt"))
        .body(ByteStream::from_static(b"wrong top"))
        .send()
        .await
        .expect_err("the guest prefix is the unauthenticated role's");
    assert_eq!(denied.code(), Some("AccessDenied"), "{denied:?}");

    // AllowGuests=true: a guest gets the unauthenticated role, confined to guest/<id>/.
    let guest_file = world.home.path().join("guest.txt");
    std::fs::write(&guest_file, b"guest").expect("write file");
    world
        .coffer(&["--guest", "upload", guest_file.to_str().unwrap()], "")
        .await
        .success();
    let run = world.coffer(&["--guest", "ls"], "").await.success();
    assert!(run.stdout().contains("guest.txt"), "{}", run.stdout());
    assert!(!run.stdout().contains("notes.txt"), "{}", run.stdout());

    world.cloud.shutdown().await;
}

#[tokio::test]
async fn local_cloud_refuses_an_unsupported_template_in_one_line() {
    let world = World::start().await;
    let template = world.home.path().join("lambda.yaml");
    std::fs::write(
        &template,
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {}\n",
    )
    .expect("write template");
    let data = world.home.path().join("cloud-data");
    let line = world
        .coffer(
            &[
                "local-cloud",
                "--addr",
                "127.0.0.1:0",
                "--data",
                data.to_str().unwrap(),
                "--template",
                template.to_str().unwrap(),
            ],
            "",
        )
        .await
        .failure(10, "AWS::Lambda::Function");
    assert!(line.contains("lambda.yaml"), "{line}");

    // A property the local cloud does not emulate is named, with its resource.
    std::fs::write(
        &template,
        "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties:\n      LambdaConfig: {}\n",
    )
    .expect("write template");
    let line = world
        .coffer(
            &[
                "local-cloud",
                "--addr",
                "127.0.0.1:0",
                "--data",
                data.to_str().unwrap(),
                "--template",
                template.to_str().unwrap(),
            ],
            "",
        )
        .await
        .failure(10, "LambdaConfig");
    assert!(line.contains("Pool"), "{line}");
    world.cloud.shutdown().await;
}

#[tokio::test]
async fn config_from_stack_and_from_amplify_print_the_client_config() {
    let world = World::start().await;
    let stack = world.home.path().join("stack.json");
    std::fs::write(
        &stack,
        serde_json::json!({"Stacks": [{"StackName": "coffer", "Outputs": [
            {"OutputKey": "Region", "OutputValue": "eu-west-1"},
            {"OutputKey": "UserPoolId", "OutputValue": "eu-west-1_AbC"},
            {"OutputKey": "UserPoolClientId", "OutputValue": "client123"},
            {"OutputKey": "IdentityPoolId", "OutputValue": "eu-west-1:1111"},
            {"OutputKey": "BucketName", "OutputValue": "coffer-bucket-x"},
            {"OutputKey": "HostedUiDomain", "OutputValue": "https://p.auth.eu-west-1.amazoncognito.com"},
            {"OutputKey": "RedirectUris", "OutputValue": "http://127.0.0.1:53682/callback,http://localhost:53682/callback"}
        ]}]})
        .to_string(),
    )
    .expect("write");
    let run = world
        .coffer(&["config", "from-stack", stack.to_str().unwrap()], "")
        .await
        .success();
    let written = world.home.path().join("from-stack.toml");
    std::fs::write(&written, run.stdout()).expect("write");
    let config = coffer_core::Config::from_file(&written).expect("the printed TOML is a config");
    assert_eq!(config.region(), "eu-west-1");
    assert_eq!(config.bucket(), Some("coffer-bucket-x"));
    assert!(
        run.stdout().contains("http://localhost:53682/callback"),
        "{}",
        run.stdout()
    );

    let amplify = world.home.path().join("amplify_outputs.json");
    std::fs::write(
        &amplify,
        serde_json::json!({"version": "1.3", "auth": {
            "aws_region": "us-west-2", "user_pool_id": "us-west-2_Xy",
            "user_pool_client_id": "amp123", "identity_pool_id": "us-west-2:2222"},
            "storage": {"aws_region": "us-west-2", "bucket_name": "amp-bucket"}})
        .to_string(),
    )
    .expect("write");
    let run = world
        .coffer(&["config", "from-amplify", amplify.to_str().unwrap()], "")
        .await
        .success();
    assert!(
        run.stdout().contains("user_pool_id = \"us-west-2_Xy\""),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout().contains("bucket = \"amp-bucket\""),
        "{}",
        run.stdout()
    );

    // Wrong kind of file: one line, config status.
    world
        .coffer(&["config", "from-stack", amplify.to_str().unwrap()], "")
        .await
        .failure(3, "amplify_outputs.json");
    world.cloud.shutdown().await;
}

/// Writes `files` (name, body) into the world's home and uploads them with `coffer --guest`.
/// The `identity_id` that `coffer ARGS` (a `whoami --json`) prints.
async fn identity_id_of(world: &World, args: &[&str]) -> String {
    let run = world.coffer(args, "").await.success();
    let stdout = run.stdout();
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("whoami JSON");
    json["identity_id"]
        .as_str()
        .unwrap_or_else(|| panic!("an identity id in {stdout}"))
        .to_owned()
}

async fn upload_as_guest(world: &World, files: &[(&str, &str)]) {
    let paths: Vec<String> = files
        .iter()
        .map(|(name, body)| {
            let path = world.home.path().join(name);
            std::fs::write(&path, body).expect("write file");
            path.to_string_lossy().into_owned()
        })
        .collect();
    let mut args = vec!["--guest", "upload"];
    args.extend(paths.iter().map(String::as_str));
    world.coffer(&args, "").await.success();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_uploaded_as_a_guest_follow_the_guest_into_their_account() {
    if !keychain_or_skip("files_uploaded_as_a_guest_follow_the_guest_into_their_account").await {
        return;
    }
    let world = World::start_from_template().await;
    upload_as_guest(&world, &[("first.txt", "one"), ("second.txt", "two")]).await;

    let email = "hedy@example.com";
    world.confirmed_user(email).await;
    let sign_in = ["sign-in", "--username", email, "--password-stdin"];
    let run = world
        .coffer(&sign_in, &format!("{PASSWORD}\n"))
        .await
        .success();
    assert!(
        run.stdout()
            .contains("Moved 2 files from your guest folder."),
        "{}",
        run.stdout()
    );
    let run = world.coffer(&["ls"], "").await.success();
    for name in ["first.txt", "second.txt"] {
        assert!(run.stdout().contains(name), "{}", run.stdout());
    }
    // The guest identity is the user's now: a guest starts afresh, with an empty folder.
    let run = world.coffer(&["--guest", "ls"], "").await.success();
    assert!(!run.stdout().contains("first.txt"), "{}", run.stdout());

    // Nothing is left to move at the next sign-in.
    world.coffer(&["sign-out"], "").await.success();
    let run = world
        .coffer(&sign_in, &format!("{PASSWORD}\n"))
        .await
        .success();
    assert!(!run.stdout().contains("Moved"), "{}", run.stdout());
    assert!(
        run.stderr().is_empty() || !run.stderr().contains("guest"),
        "{}",
        run.stderr()
    );

    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_of_a_guest_whose_account_already_has_an_identity_are_moved_across() {
    if !keychain_or_skip("files_of_a_guest_whose_account_already_has_an_identity_are_moved_across")
        .await
    {
        return;
    }
    let world = World::start_from_template().await;
    let email = "grace@example.com";
    world.confirmed_user(email).await;

    // Another device (its own keychain): the account gets its identity there, and a file.
    let other_device = Client::new(
        Config::from_file(&world.config_path).expect("config"),
        Arc::new(coffer_core::MemoryStore::new()),
    )
    .expect("client");
    other_device
        .sign_in(email)
        .start()
        .await
        .expect("start")
        .answer(&coffer_core::Password::new(PASSWORD))
        .await
        .expect("sign-in");
    let own = other_device
        .files(coffer_core::IdentityMode::SignedIn)
        .await
        .expect("files");
    own.s3()
        .put_object()
        .bucket(own.bucket())
        .key(format!("{}first.txt", own.prefix()))
        .body(ByteStream::from_static(b"one"))
        .send()
        .await
        .expect("PutObject");

    // This device: a guest uploads two files, then signs in. Cognito merges the guest
    // identity into the account's and disables it; coffer streams the files across, and the
    // name already taken gets a free one.
    upload_as_guest(
        &world,
        &[("first.txt", "one, as a guest"), ("third.txt", "three")],
    )
    .await;
    let guest_id = identity_id_of(&world, &["--guest", "whoami", "--json"]).await;
    let run = world
        .coffer(
            &["sign-in", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
    assert!(
        run.stdout()
            .contains("Moved 2 files from your guest folder."),
        "{}\n{}",
        run.stdout(),
        run.stderr()
    );
    assert!(
        run.stdout().contains("first.txt is now first (guest).txt"),
        "{}",
        run.stdout()
    );
    let fetched = world.home.path().join("fetched");
    std::fs::create_dir_all(&fetched).expect("dir");
    for (name, body) in [
        ("first.txt", "one"),
        ("first (guest).txt", "one, as a guest"),
        ("third.txt", "three"),
    ] {
        let local = fetched.join(name);
        world
            .coffer(&["get", name, local.to_str().unwrap()], "")
            .await
            .success();
        assert_eq!(
            std::fs::read_to_string(&local).expect("read"),
            body,
            "{name}"
        );
    }
    // The account kept its own identity; the merged guest identity is gone from this device:
    // a guest starts afresh.
    let own_id = own
        .prefix()
        .trim_start_matches("private/")
        .trim_end_matches('/');
    assert_eq!(identity_id_of(&world, &["whoami", "--json"]).await, own_id);
    let next_guest_id = identity_id_of(&world, &["--guest", "whoami", "--json"]).await;
    assert_ne!(next_guest_id, guest_id);
    assert_ne!(next_guest_id, own_id);
    let run = world.coffer(&["--guest", "ls"], "").await.success();
    assert!(!run.stdout().contains("third.txt"), "{}", run.stdout());

    world.cloud.shutdown().await;
}
