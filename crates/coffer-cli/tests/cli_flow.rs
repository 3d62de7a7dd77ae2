//! The real `coffer` binary against the local cloud over loopback HTTP, with tokens in the real
//! OS keychain.
//!
//! The keychain tests need a Secret Service on the session bus, e.g.:
//!
//! ```sh
//! dbus-run-session -- bash -c 'echo -n pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
//!   cargo test -p coffer-cli'
//! ```
//!
//! Without one they fail with a message saying so, unless `COFFER_TEST_NO_KEYCHAIN=1` is set,
//! in which case they print a loud notice and skip. The no-keychain test runs everywhere.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;

use coffer_core::{Client, Config, Error, KeyringStore, TokenUse};
use local_cloud::template::StackTemplate;
use local_cloud::{LocalCloudConfig, RunningLocalCloud};
use tokio::io::AsyncWriteExt;

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "Correct-Horse-42-battery";

/// A local cloud, a config file pointing at it, and a private HOME for the binary.
struct World {
    cloud: RunningLocalCloud,
    config_path: PathBuf,
    home: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl World {
    /// A local cloud provisioned from `infra/coffer.yaml` (guests allowed), with the
    /// `coffer.toml` it wrote from the stack outputs as our config.
    async fn start_from_template() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/coffer.yaml");
        let config = LocalCloudConfig::new("127.0.0.1:0".parse().unwrap(), data.path())
            .with_template(StackTemplate::new(template).with_parameter("AllowGuests", "true"));
        let cloud = local_cloud::start(config)
            .await
            .expect("local cloud starts from the template");
        let config_path = cloud.demo().config_path.clone();
        Self {
            cloud,
            config_path,
            home: tempfile::tempdir().expect("temp dir"),
            _data: data,
        }
    }

    async fn start() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let cloud = local_cloud::start(LocalCloudConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            data.path().to_path_buf(),
        ))
        .await
        .expect("local cloud starts");
        let home = tempfile::tempdir().expect("temp dir");
        // A config file of our own, written the way a user would, pointing at the cloud.
        let demo = cloud.demo();
        let config_path = home.path().join("coffer-test.toml");
        let endpoint = cloud.endpoint();
        std::fs::write(
            &config_path,
            format!(
                "region = \"{}\"\nuser_pool_id = \"{}\"\nclient_id = \"{}\"\n\n[endpoints]\n\
                 cognito_idp = \"{endpoint}\"\ncognito_identity = \"{endpoint}\"\ns3 = \"{endpoint}\"\n",
                demo.region, demo.user_pool_id, demo.client_id
            ),
        )
        .expect("write config");
        Self {
            cloud,
            config_path,
            home,
            _data: data,
        }
    }

    /// `coffer --config <ours> ARGS` in this world's home, with piped stdio and no outside
    /// config or log filter.
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_coffer"));
        command
            .arg("--config")
            .arg(&self.config_path)
            .args(args)
            .current_dir(self.home.path())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_CACHE_HOME", self.home.path().join("cache"))
            .env_remove("COFFER_CONFIG")
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs `coffer --config <ours> ARGS`, feeding `stdin`.
    async fn coffer(&self, args: &[&str], stdin: &str) -> Run {
        self.coffer_with(args, stdin, &[]).await
    }

    async fn coffer_with(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("coffer runs");
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(stdin.as_bytes())
            .await
            .expect("write stdin");
        drop(input);
        Run(child.wait_with_output().await.expect("coffer finishes"))
    }

    /// The newest sign-up code the local cloud "sent" to `email`.
    async fn sign_up_code(&self, email: &str) -> String {
        let messages: Vec<serde_json::Value> =
            reqwest::get(format!("{}/_local/outbox", self.cloud.endpoint()))
                .await
                .expect("outbox reachable")
                .json()
                .await
                .expect("outbox is JSON");
        messages
            .iter()
            .rev()
            .find(|message| message["destination"] == email && message["purpose"] == "sign-up")
            .and_then(|message| message["code"].as_str())
            .unwrap_or_else(|| panic!("no sign-up code for {email} in {messages:?}"))
            .to_owned()
    }

    /// A coffer-core client on the same config and the same keychain entries as the binary.
    fn core_client(&self) -> Client {
        let config = Config::from_file(&self.config_path).expect("config");
        Client::new(config, Arc::new(KeyringStore::new())).expect("client")
    }

    async fn confirmed_user(&self, email: &str) {
        self.coffer(
            &["sign-up", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
        let code = self.sign_up_code(email).await;
        self.coffer(
            &["confirm-sign-up", "--username", email],
            &format!("{code}\n"),
        )
        .await
        .success();
    }
}

struct Run(Output);

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    #[track_caller]
    fn success(self) -> Self {
        assert!(
            self.0.status.success(),
            "expected success, got {:?}\nstdout: {}\nstderr: {}",
            self.0.status,
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Asserts a failure with this exit status and exactly one stderr line containing
    /// `message`; returns the line.
    #[track_caller]
    fn failure(&self, status: i32, message: &str) -> String {
        let stderr = self.stderr();
        assert_eq!(
            self.0.status.code(),
            Some(status),
            "exit status; stdout: {} stderr: {stderr}",
            self.stdout()
        );
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one stderr line expected: {stderr:?}");
        assert!(lines[0].starts_with("error: "), "{stderr:?}");
        assert!(lines[0].contains(message), "{message:?} not in {stderr:?}");
        lines[0].to_owned()
    }
}

/// Whether the OS keychain works here. Fails the test with instructions when it does not,
/// unless `COFFER_TEST_NO_KEYCHAIN=1` asks to skip.
async fn keychain_or_skip(test: &str) -> bool {
    // One probe entry per test: tests run in parallel, and the Secret Service can fail a
    // lookup of an item another test is deleting at that moment.
    let probe_key = format!("probe-{test}");
    let probe = tokio::task::spawn_blocking(move || {
        use coffer_core::SecretStore;
        let store = KeyringStore::with_service("coffer-test-probe");
        store.save(&probe_key, "probe")?;
        let read = store.load(&probe_key)?;
        store.delete(&probe_key)?;
        Ok::<_, coffer_core::StoreError>(read.is_some())
    })
    .await
    .expect("probe thread");
    match probe {
        Ok(true) => true,
        outcome => {
            let reason = match outcome {
                Err(error) => error.to_string(),
                _ => "the keychain did not return what was saved".to_owned(),
            };
            if std::env::var("COFFER_TEST_NO_KEYCHAIN").as_deref() == Ok("1") {
                // Written to the process's stderr directly, past the test harness's output
                // capture, so that the skip is seen even when the test "passes".
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "\n********************************************************************\n\
                     SKIPPED {test}: no usable OS keychain ({reason});\n\
                     COFFER_TEST_NO_KEYCHAIN=1 is set, so the keychain flow is NOT tested.\n\
                     ********************************************************************\n"
                );
                false
            } else {
                panic!(
                    "{test} needs the OS keychain, and none is usable: {reason}. Run the tests \
                     under `dbus-run-session` with `gnome-keyring-daemon --unlock` started (see \
                     this file's docs), or set COFFER_TEST_NO_KEYCHAIN=1 to skip them."
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_confirm_sign_in_whoami_refresh_sign_out() {
    if !keychain_or_skip("sign_up_confirm_sign_in_whoami_refresh_sign_out").await {
        return;
    }
    let world = World::start().await;

    let run = world
        .coffer(
            &["sign-up", "--username", EMAIL, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
    assert!(run.stdout().contains("confirm-sign-up"), "{}", run.stdout());

    // Not confirmed yet.
    world
        .coffer(
            &["sign-in", "--username", EMAIL, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .failure(4, "not confirmed");

    // A wrong code, then the right one (read from stdin, never an argument).
    let code = world.sign_up_code(EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    world
        .coffer(
            &["confirm-sign-up", "--username", EMAIL],
            &format!("{wrong}\n"),
        )
        .await
        .failure(5, "verification code is wrong");
    world
        .coffer(
            &["confirm-sign-up", "--username", EMAIL],
            &format!("{code}\n"),
        )
        .await
        .success();

    // A wrong password: refused, one line, and the server keeps serving.
    let line = world
        .coffer(
            &["sign-in", "--username", EMAIL, "--password-stdin"],
            "Wrong-Password-1\n",
        )
        .await
        .failure(4, "incorrect username or password");
    assert!(!line.contains("Wrong-Password-1"));

    let run = world
        .coffer(
            &["sign-in", "--username", EMAIL, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
    assert!(
        run.stdout().contains(&format!("Signed in as {EMAIL}")),
        "{}",
        run.stdout()
    );
    assert!(!run.stdout().contains(PASSWORD) && !run.stderr().contains(PASSWORD));

    // The binary kept the tokens in the keychain; read them with the library.
    let core = world.core_client();
    let before = core
        .stored_tokens()
        .await
        .unwrap()
        .expect("tokens in the keychain");
    let id_claims = core
        .verify_token(before.id.expose(), TokenUse::Id)
        .await
        .unwrap();

    let run = world.coffer(&["whoami", "--json"], "").await.success();
    let who: serde_json::Value = serde_json::from_str(&run.stdout()).expect("whoami JSON");
    assert_eq!(who["email"], EMAIL);
    assert_eq!(who["sub"], id_claims.sub.as_str());
    assert_eq!(who["username"], id_claims.username.as_str());
    assert!(who["identity_id"].is_null());
    assert!(who["expires_at"]
        .as_str()
        .is_some_and(|at| at.contains('T')));
    let run = world.coffer(&["whoami"], "").await.success();
    assert!(run.stdout().contains(&id_claims.sub), "{}", run.stdout());
    assert!(
        run.stdout().contains(&id_claims.username),
        "{}",
        run.stdout()
    );
    for secret in [
        before.id.expose(),
        before.access.expose(),
        before.refresh.expose(),
    ] {
        assert!(!run.stdout().contains(secret) && !run.stderr().contains(secret));
    }

    world.coffer(&["refresh"], "").await.success();
    let after = core.stored_tokens().await.unwrap().expect("still stored");
    assert_ne!(after.access, before.access, "refresh stored new tokens");
    assert_eq!(after.refresh, before.refresh);

    world.coffer(&["sign-out"], "").await.success();
    assert!(core.stored_tokens().await.unwrap().is_none());
    world
        .coffer(&["refresh"], "")
        .await
        .failure(6, "not signed in");
    world
        .coffer(&["whoami"], "")
        .await
        .failure(6, "not signed in");

    // The refresh token from before sign-out is revoked at the server.
    let error = core.refresh_tokens(&before).await.unwrap_err();
    assert!(matches!(error, Error::TokenRevoked), "{error:?}");

    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gives_one_clear_line_and_a_stable_status() {
    if !keychain_or_skip("bad_input_gives_one_clear_line_and_a_stable_status").await {
        return;
    }
    let world = World::start().await;

    // Unknown user (pools hide whether a user exists, so this reads like a wrong password).
    world
        .coffer(
            &[
                "sign-in",
                "--username",
                "nobody@example.com",
                "--password-stdin",
            ],
            &format!("{PASSWORD}\n"),
        )
        .await
        .failure(4, "");

    // A code for an unknown user: refused as an unknown user (4) or a wrong code (5),
    // depending on whether the pool hides user existence.
    let run = world
        .coffer(
            &["confirm-sign-up", "--username", "nobody@example.com"],
            "123456\n",
        )
        .await;
    let status = run.0.status.code().unwrap_or_default();
    assert!(status == 4 || status == 5, "{status} {}", run.stderr());
    run.failure(status, "");

    // Existing user, weak password.
    world.confirmed_user(EMAIL).await;
    world
        .coffer(
            &["sign-up", "--username", EMAIL, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .failure(5, "already exists");
    world
        .coffer(
            &[
                "sign-up",
                "--username",
                "weak@example.com",
                "--password-stdin",
            ],
            "short\n",
        )
        .await
        .failure(5, "policy");

    // Not signed in.
    world
        .coffer(&["whoami"], "")
        .await
        .failure(6, "not signed in");
    world
        .coffer(&["sign-out"], "")
        .await
        .failure(6, "not signed in");

    // No password on stdin, and passwords are not arguments.
    world
        .coffer(&["sign-in", "--username", EMAIL, "--password-stdin"], "")
        .await
        .failure(2, "no password on stdin");
    let run = world
        .coffer(
            &["sign-in", "--username", EMAIL, "--password", PASSWORD],
            "",
        )
        .await;
    assert_eq!(run.0.status.code(), Some(2), "{}", run.stderr());

    // A missing config file.
    let run = World::run_without_config(&world, &["whoami"]).await;
    run.failure(3, "does not exist");

    // Still serving after all that.
    world
        .coffer(
            &["sign-in", "--username", EMAIL, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
    world.coffer(&["sign-out"], "").await.success();
    world.cloud.shutdown().await;
}

impl World {
    async fn run_without_config(&self, args: &[&str]) -> Run {
        let missing = self.home.path().join("absent.toml");
        let mut full = vec!["--config", missing.to_str().unwrap()];
        full.extend_from_slice(args);
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_coffer"))
            .args(&full)
            .env("HOME", self.home.path())
            .stdin(Stdio::null())
            .output()
            .await
            .expect("coffer runs");
        Run(output)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_endpoint_is_reported_with_a_hint() {
    if !keychain_or_skip("unreachable_endpoint_is_reported_with_a_hint").await {
        return;
    }
    let world = World::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = std::fs::read_to_string(&world.config_path).unwrap();
    let closed = text.replace(&world.cloud.endpoint(), &format!("http://127.0.0.1:{port}"));
    std::fs::write(&world.config_path, closed).unwrap();

    let line = world
        .coffer(
            &["sign-in", "--username", EMAIL, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .failure(8, &format!("cannot reach http://127.0.0.1:{port}"));
    assert!(line.contains("coffer local-cloud"), "{line}");
    world.cloud.shutdown().await;
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keychain_sign_in_fails_and_writes_no_tokens() {
    let world = World::start().await;
    world.confirmed_user(EMAIL).await;
    let before = files_under(world.home.path());

    let no_bus = [(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/coffer-test-bus",
    )];
    let line = world
        .coffer_with(
            &["sign-in", "--username", EMAIL, "--password-stdin"],
            &format!("{PASSWORD}\n"),
            &no_bus,
        )
        .await
        .failure(7, "no OS keychain reachable");
    assert!(line.contains("keychain"), "{line}");

    let after = files_under(world.home.path());
    assert_eq!(before, after, "no file was written");
    for file in after {
        let content = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&content).contains("eyJ"),
            "{} contains a JWT",
            file.display()
        );
    }
    world.cloud.shutdown().await;
}

// ----- MFA and password reset through the binary -----

/// A running `coffer` whose stdout is read line by line while answers are written to its
/// stdin, for flows whose answers depend on what it printed (a TOTP secret, a code it caused
/// to be sent).
struct Interactive {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    seen: Vec<String>,
}

impl Interactive {
    /// Reads stdout until a line contains `needle`; returns that line.
    async fn line_containing(&mut self, needle: &str) -> String {
        let wait = async {
            while let Some(line) = self.stdout.next_line().await.expect("read stdout") {
                self.seen.push(line.clone());
                if line.contains(needle) {
                    return Some(line);
                }
            }
            None
        };
        match tokio::time::timeout(std::time::Duration::from_secs(60), wait).await {
            Ok(Some(line)) => line,
            _ => panic!("{needle:?} never printed; stdout so far: {:?}", self.seen),
        }
    }

    async fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("write stdin");
        stdin.flush().await.expect("flush stdin");
    }

    /// Closes stdin and waits; returns the rest of stdout and stderr.
    async fn finish(mut self) -> (std::process::ExitStatus, String, String) {
        drop(self.stdin.take());
        let mut rest = self.seen.join("\n");
        while let Some(line) = self.stdout.next_line().await.expect("read stdout") {
            rest.push('\n');
            rest.push_str(&line);
        }
        let output = self
            .child
            .wait_with_output()
            .await
            .expect("coffer finishes");
        (
            output.status,
            rest,
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

impl World {
    fn spawn(&self, args: &[&str]) -> Interactive {
        let mut command = self.command(args);
        let mut child = command.spawn().expect("coffer runs");
        let stdin = child.stdin.take();
        let stdout = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(
            child.stdout.take().expect("stdout"),
        ));
        Interactive {
            child,
            stdin,
            stdout,
            seen: Vec::new(),
        }
    }

    /// Turns on optional TOTP MFA in the demo pool (SetUserPoolMfaConfig, as an admin).
    async fn enable_optional_totp(&self) {
        optional_totp(&self.admin_sdk(), &self.cloud.demo().user_pool_id).await;
    }

    /// Requires e-mail MFA (the only factor) in the demo pool, and creates a confirmed user
    /// whose address is not verified: the sign-in must set e-mail MFA up (MFA_SETUP).
    async fn require_email_mfa_for_a_new_user(&self, email: &str) {
        use aws_sdk_cognitoidentityprovider as cip;
        let sdk = self.admin_sdk();
        let pool_id = &self.cloud.demo().user_pool_id;
        sdk.set_user_pool_mfa_config()
            .user_pool_id(pool_id)
            .mfa_configuration(cip::types::UserPoolMfaType::On)
            .email_mfa_configuration(cip::types::EmailMfaConfigType::builder().build())
            .send()
            .await
            .expect("SetUserPoolMfaConfig");
        admin_created_user(&sdk, pool_id, email, false).await;
    }

    /// The admin SDK client of the local cloud.
    fn admin_sdk(&self) -> aws_sdk_cognitoidentityprovider::Client {
        use aws_sdk_cognitoidentityprovider as cip;
        let admin = self.cloud.admin_credentials();
        let credentials = cip::config::Credentials::new(
            admin.access_key_id.clone(),
            admin.secret_access_key.expose().to_owned(),
            None,
            None,
            "local-cloud-admin",
        );
        cip::Client::from_conf(
            cip::Config::builder()
                .behavior_version(cip::config::BehaviorVersion::latest())
                .region(cip::config::Region::new(self.cloud.demo().region.clone()))
                .endpoint_url(self.cloud.endpoint())
                .credentials_provider(credentials)
                .build(),
        )
    }

    /// The newest code of `purpose` the local cloud "sent" to `destination`.
    async fn outbox_code(&self, destination: &str, purpose: &str) -> String {
        self.outbox_code_if_sent(destination, purpose)
            .await
            .unwrap_or_else(|| panic!("no {purpose} code for {destination} in the outbox"))
    }

    /// [`Self::outbox_code`], or `None` when none was sent (yet).
    async fn outbox_code_if_sent(&self, destination: &str, purpose: &str) -> Option<String> {
        let messages: Vec<serde_json::Value> =
            reqwest::get(format!("{}/_local/outbox", self.cloud.endpoint()))
                .await
                .expect("outbox reachable")
                .json()
                .await
                .expect("outbox is JSON");
        messages
            .iter()
            .rev()
            .find(|message| message["destination"] == destination && message["purpose"] == purpose)
            .and_then(|message| message["code"].as_str())
            .map(str::to_owned)
    }
}

/// The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret, `steps_ahead` steps from now.
fn totp_code(secret_base32: &str, steps_ahead: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("base32 secret");
    let totp = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(secret)
        .build_noncompliant();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now + 30 * steps_ahead).to_string()
}

fn wrong_code(code: &str) -> String {
    code.chars()
        .map(|digit| {
            if digit == '9' {
                '0'
            } else {
                char::from(digit as u8 + 1)
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_setup_and_sign_in_with_codes_on_stdin() {
    if !keychain_or_skip("totp_setup_and_sign_in_with_codes_on_stdin").await {
        return;
    }
    let world = World::start().await;
    world.enable_optional_totp().await;
    let email = "hedy@example.com";
    world.confirmed_user(email).await;
    world
        .coffer(
            &["sign-in", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();

    // Without a terminal and without --print-secret, the secret is not printed.
    let run = world.coffer(&["mfa", "setup-totp"], "").await;
    let line = run.failure(2, "--print-secret");
    assert!(!line.contains("secret="), "{line}");

    // setup-totp prints the URI (asked for); answer with a wrong code, then run again and
    // answer right.
    let mut setup = world.spawn(&["mfa", "setup-totp", "--print-secret"]);
    let uri_line = setup.line_containing("otpauth://totp/").await;
    let secret = uri_line
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("secret in the URI")
        .to_owned();
    assert!(uri_line.contains("issuer=Coffer"), "{uri_line}");
    setup.send(&wrong_code(&totp_code(&secret, 0))).await;
    let (status, stdout, stderr) = setup.finish().await;
    assert_eq!(status.code(), Some(5), "{stdout}\n{stderr}");
    assert!(stderr.contains("verification code is wrong"), "{stderr}");

    let mut setup = world.spawn(&["mfa", "setup-totp", "--print-secret"]);
    let uri_line = setup.line_containing("otpauth://totp/").await;
    let secret = uri_line
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("secret in the URI")
        .to_owned();
    // The terminal QR code came before the URI.
    assert!(
        setup
            .seen
            .iter()
            .any(|line| line.contains('█') || line.contains('▀')),
        "{:?}",
        setup.seen
    );
    setup.send(&totp_code(&secret, 0)).await;
    let (status, stdout, stderr) = setup.finish().await;
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Authenticator app set up"), "{stdout}");
    assert!(!stderr.contains(&secret), "the secret never goes to stderr");
    let run = world.coffer(&["mfa", "status"], "").await.success();
    assert!(
        run.stdout().contains("preferred: SOFTWARE_TOKEN_MFA"),
        "{}",
        run.stdout()
    );
    world.coffer(&["sign-out"], "").await.success();

    // Sign-in: password, a wrong code, then the right one (the next step's code: the
    // enrolment's code cannot be used twice), all on stdin. With the most verbose logging,
    // which must still show no secret.
    let right = totp_code(&secret, 1);
    let run = world
        .coffer(
            &["-vvv", "sign-in", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n{}\n{right}\n", wrong_code(&right)),
        )
        .await
        .success();
    assert!(
        run.stdout().contains(&format!("Signed in as {email}")),
        "{}",
        run.stdout()
    );
    assert!(
        run.stderr().contains("using config"),
        "logging is on: {}",
        run.stderr()
    );
    assert!(run.stderr().contains("answer refused"), "{}", run.stderr());
    for text in [run.stdout(), run.stderr()] {
        for secret_text in [right.as_str(), &wrong_code(&right), &secret, PASSWORD] {
            assert!(
                !text.contains(secret_text),
                "{secret_text:?} leaked: {text}"
            );
        }
    }
    world.coffer(&["whoami"], "").await.success();
    world.coffer(&["sign-out"], "").await.success();

    // A wrong code and nothing more on stdin: the refusal is the error.
    let run = world
        .coffer(
            &["sign-in", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n{}\n", wrong_code(&totp_code(&secret, 1))),
        )
        .await;
    run.failure(5, "verification code is wrong");
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_mfa_setup_during_sign_in_with_a_wrong_then_a_right_code() {
    if !keychain_or_skip("email_mfa_setup_during_sign_in_with_a_wrong_then_a_right_code").await {
        return;
    }
    let world = World::start().await;
    let email = "ines@example.com";
    world.require_email_mfa_for_a_new_user(email).await;

    // Answers on stdin, one a line: the password, the address for codes, then the codes.
    let mut sign_in = world.spawn(&["sign-in", "--username", email, "--password-stdin"]);
    sign_in.send(PASSWORD).await;
    sign_in.send(email).await;
    let mut code = None;
    for _ in 0..100 {
        code = world.outbox_code_if_sent(email, "mfa").await;
        if code.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let code = code.expect("a code was mailed to the address given");
    sign_in.send(&wrong_code(&code)).await;
    sign_in.send(&code).await;
    let (status, stdout, stderr) = sign_in.finish().await;
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("Signed in as {email}")),
        "{stdout}"
    );
    for text in [&stdout, &stderr] {
        assert!(!text.contains(&code) && !text.contains(PASSWORD), "{text}");
    }
    world.coffer(&["sign-out"], "").await.success();
    world.cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_with_the_code_from_the_outbox() {
    if !keychain_or_skip("forgot_password_with_the_code_from_the_outbox").await {
        return;
    }
    let world = World::start().await;
    let email = "margaret@example.com";
    world.confirmed_user(email).await;
    let new_password = "Reset-Password-77";

    let mut forgot = world.spawn(&[
        "password",
        "forgot",
        "--username",
        email,
        "--password-stdin",
    ]);
    let sent = forgot.line_containing("password-reset code was sent").await;
    assert!(sent.contains("by e-mail"), "{sent}");
    assert!(!sent.contains(email), "the destination is masked: {sent}");
    let code = world.outbox_code(email, "forgot-password").await;
    forgot.send(&code).await;
    forgot.send(new_password).await;
    let (status, stdout, stderr) = forgot.finish().await;
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Password reset"), "{stdout}");
    assert!(!stdout.contains(&code) && !stderr.contains(&code));

    world
        .coffer(
            &["sign-in", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .failure(4, "incorrect username or password");
    world
        .coffer(
            &["sign-in", "--username", email, "--password-stdin"],
            &format!("{new_password}\n"),
        )
        .await
        .success();

    // And change it back while signed in (current, then new, on stdin).
    world
        .coffer(
            &["password", "change", "--password-stdin"],
            &format!("{new_password}\n{PASSWORD}\n"),
        )
        .await
        .success();
    world.coffer(&["sign-out"], "").await.success();
    world
        .coffer(
            &["sign-in", "--username", email, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
    world.coffer(&["sign-out"], "").await.success();
    world.cloud.shutdown().await;
}

impl World {
    /// Points our config at a new pool that tracks devices (remembered on the user's word),
    /// with optional TOTP MFA, and creates a confirmed user in it.
    async fn use_device_pool(&self, email: &str) {
        use aws_sdk_cognitoidentityprovider as cip;
        let region = self.cloud.demo().region.clone();
        let sdk = self.admin_sdk();
        let pool_id = sdk
            .create_user_pool()
            .pool_name("cli-devices")
            .username_attributes(cip::types::UsernameAttributeType::Email)
            .device_configuration(
                cip::types::DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(true)
                    .device_only_remembered_on_user_prompt(true)
                    .build(),
            )
            .send()
            .await
            .expect("CreateUserPool")
            .user_pool
            .and_then(|pool| pool.id)
            .expect("pool id");
        optional_totp(&sdk, &pool_id).await;
        let client_id = sdk
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("cli-devices")
            .explicit_auth_flows(cip::types::ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(cip::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient")
            .user_pool_client
            .and_then(|client| client.client_id)
            .expect("client id");
        admin_created_user(&sdk, &pool_id, email, true).await;
        let endpoint = self.cloud.endpoint();
        std::fs::write(
            &self.config_path,
            format!(
                "region = \"{region}\"\nuser_pool_id = \"{pool_id}\"\nclient_id = \"{client_id}\"\n\n\
                 [endpoints]\ncognito_idp = \"{endpoint}\"\n"
            ),
        )
        .expect("write config");
    }
}

/// Turns on optional TOTP MFA in `pool_id` (SetUserPoolMfaConfig).
async fn optional_totp(sdk: &aws_sdk_cognitoidentityprovider::Client, pool_id: &str) {
    use aws_sdk_cognitoidentityprovider as cip;
    sdk.set_user_pool_mfa_config()
        .user_pool_id(pool_id)
        .mfa_configuration(cip::types::UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            cip::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
}

/// A confirmed user `email` (AdminCreateUser, then a permanent [`PASSWORD`]) whose address is
/// verified or not.
async fn admin_created_user(
    sdk: &aws_sdk_cognitoidentityprovider::Client,
    pool_id: &str,
    email: &str,
    email_verified: bool,
) {
    use aws_sdk_cognitoidentityprovider as cip;
    let attribute = |name: &str, value: &str| {
        cip::types::AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .expect("attribute")
    };
    sdk.admin_create_user()
        .user_pool_id(pool_id)
        .username(email)
        .message_action(cip::types::MessageActionType::Suppress)
        .user_attributes(attribute("email", email))
        .user_attributes(attribute("email_verified", &email_verified.to_string()))
        .send()
        .await
        .expect("AdminCreateUser");
    sdk.admin_set_user_password()
        .user_pool_id(pool_id)
        .username(email)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remember_device_skips_mfa_until_forgotten() {
    if !keychain_or_skip("remember_device_skips_mfa_until_forgotten").await {
        return;
    }
    let world = World::start().await;
    let email = "katherine@example.com";
    world.use_device_pool(email).await;
    let sign_in = ["sign-in", "--username", email, "--password-stdin"];

    // Enrol TOTP.
    world
        .coffer(&sign_in, &format!("{PASSWORD}\n"))
        .await
        .success();
    let mut setup = world.spawn(&["mfa", "setup-totp", "--print-secret"]);
    let uri_line = setup.line_containing("otpauth://totp/").await;
    let secret = uri_line
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("secret in the URI")
        .to_owned();
    setup.send(&totp_code(&secret, 0)).await;
    let (status, stdout, stderr) = setup.finish().await;
    assert!(status.success(), "{stdout}\n{stderr}");
    world.coffer(&["sign-out"], "").await.success();

    // Sign in with a TOTP code, remembering the device.
    let mut remembering = sign_in.to_vec();
    remembering.push("--remember-device");
    let run = world
        .coffer(
            &remembering,
            &format!("{PASSWORD}\n{}\n", totp_code(&secret, 1)),
        )
        .await
        .success();
    let line = run
        .stdout()
        .lines()
        .find(|line| line.starts_with("This device is remembered ("))
        .unwrap_or_else(|| panic!("no remembered line in {}", run.stdout()))
        .to_owned();
    let device_key = line
        .trim_start_matches("This device is remembered (")
        .split(')')
        .next()
        .unwrap()
        .to_owned();
    let run = world
        .coffer(&["devices", "list", "--json"], "")
        .await
        .success();
    let devices: serde_json::Value = serde_json::from_str(&run.stdout()).expect("JSON");
    let this = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|device| device["device_key"] == device_key.as_str())
        .unwrap_or_else(|| panic!("{device_key} not in {devices}"));
    assert_eq!(this["this_device"], true, "{this}");

    // Next sign-in: the password alone (no code on stdin) is enough on this device.
    world.coffer(&["sign-out"], "").await.success();
    world
        .coffer(&sign_in, &format!("{PASSWORD}\n"))
        .await
        .success();

    // Forget it: MFA is asked again (and with no code on stdin, the sign-in stops there).
    let run = world.coffer(&["devices", "forget"], "").await.success();
    assert!(run.stdout().contains(&device_key), "{}", run.stdout());
    world.coffer(&["sign-out"], "").await.success();
    world
        .coffer(&sign_in, &format!("{PASSWORD}\n"))
        .await
        .failure(2, "no code on stdin");
    world.cloud.shutdown().await;
}

/// A file of `mib` MiB whose every MiB is distinct (a random block stamped with its index).
fn large_file(path: &Path, mib: usize) {
    use rand::RngCore;
    use std::io::Write as _;
    let mut block = vec![0u8; 1024 * 1024];
    rand::thread_rng().fill_bytes(&mut block);
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for index in 0..mib {
        block[..8].copy_from_slice(&(index as u64).to_le_bytes());
        file.write_all(&block).expect("write");
    }
    file.flush().expect("flush");
}

fn sha256_of(path: &Path) -> String {
    use sha2::Digest as _;
    use std::io::Read as _;
    let mut hasher = sha2::Sha256::new();
    let mut file = std::fs::File::open(path).expect("open");
    let mut buffer = vec![0u8; 1024 * 1024];
    loop {
        let read = file.read(&mut buffer).expect("read");
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    hex::encode(hasher.finalize())
}

/// `coffer upload` of a 1 GiB file killed with SIGKILL part-way resumes on the next run,
/// sending only the missing parts; the stored object is byte-identical (SHA-256) to the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_killed_with_sigkill_resumes_and_stores_the_exact_bytes() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    if !keychain_or_skip("upload_killed_with_sigkill_resumes_and_stores_the_exact_bytes").await {
        return;
    }
    let world = World::start().await;
    // The demo config: it names the identity pool (guests allowed) and the bucket.
    let demo_config = world.cloud.demo().config_path.clone();
    let big = world.home.path().join("big upload.bin");
    let mib = 1024;
    large_file(&big, mib);
    let journal_dir = world
        .home
        .path()
        .join("data")
        .join("coffer")
        .join("uploads");

    let command = |args: &[&str]| {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_coffer"));
        command
            .arg("--config")
            .arg(&demo_config)
            .arg("--guest")
            .args(args)
            .current_dir(world.home.path())
            .env("HOME", world.home.path())
            .env("XDG_CONFIG_HOME", world.home.path().join("config"))
            .env("XDG_DATA_HOME", world.home.path().join("data"))
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    };

    // First run: killed (SIGKILL) once three parts are stored.
    let mut child = command(&["upload", "--parallel", "2", "-vv", big.to_str().unwrap()])
        .spawn()
        .expect("coffer runs");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let mut stored = 0;
    while stored < 3 {
        let line = tokio::time::timeout(std::time::Duration::from_secs(120), lines.next_line())
            .await
            .expect("parts are stored")
            .expect("stderr readable")
            .expect("coffer still running");
        if line.contains("part stored") {
            stored += 1;
        }
    }
    child.start_kill().expect("SIGKILL");
    let status = child.wait().await.expect("wait");
    assert!(!status.success(), "killed: {status:?}");
    // The killed process's lock on its destination went with it (an OS file lock): only the
    // journal and the lock file are left, and the next run takes the lock again.
    let journals: Vec<_> = std::fs::read_dir(&journal_dir)
        .expect("journal dir")
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "json"))
        .collect();
    assert_eq!(journals.len(), 1, "one journal left by the killed run");

    // Second run: resumes.
    let output = command(&["upload", big.to_str().unwrap()])
        .output()
        .await
        .expect("coffer runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("from an earlier run"), "{stdout}");
    assert_eq!(
        std::fs::read_dir(&journal_dir)
            .expect("journal dir")
            .count(),
        0
    );

    // The stored object is the file, byte for byte.
    let copy = world.home.path().join("copy.bin");
    let output = command(&["get", "big upload.bin", copy.to_str().unwrap()])
        .output()
        .await
        .expect("coffer runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::metadata(&copy).unwrap().len(),
        (mib * 1024 * 1024) as u64
    );
    assert_eq!(sha256_of(&copy), sha256_of(&big));
}

#[path = "cli_flow/template_backend.rs"]
mod template_backend;

#[path = "cli_flow/no_replace.rs"]
mod no_replace;
