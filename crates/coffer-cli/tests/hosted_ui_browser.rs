//! End to end with a real browser: `coffer sign-in --hosted-ui` waits on its loopback
//! redirect while a headless Chromium, driven over WebDriver (chromedriver + fantoccini),
//! signs in on the local cloud's hosted UI — with a pool user, with a pool user who has TOTP MFA
//! (password page, then the authenticator-code page), and through LocalIdP. Then
//! `coffer whoami` shows who is signed in, and a second sign-in in the same browser skips the
//! form (the hosted UI's session cookie) — until `coffer sign-out`, after which it asks again.
//!
//! Needs Debian's `chromium` and `chromium-driver` (installed by scripts/setup-debian) and an
//! OS keychain (see cli_flow.rs). Without a browser the tests fail with a message, unless
//! `COFFER_TEST_NO_BROWSER=1` asks to skip. The demo client's callback port (53682) is shared,
//! so the tests run one at a time.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use local_cloud::{LocalCloudConfig, RunningLocalCloud};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const PASSWORD: &str = "Correct-Horse-42-battery";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The demo client's callback port is fixed, so only one test drives it at a time.
static CALLBACK_PORT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Whether Chromium and chromedriver are installed; fails loudly unless skipping was asked.
fn browser_or_skip(test: &str) -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    if std::env::var("COFFER_TEST_NO_BROWSER").as_deref() == Ok("1") {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no chromium/chromedriver (COFFER_TEST_NO_BROWSER=1)"
        );
        return false;
    }
    panic!("{test} needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver, or run scripts/setup-debian); set COFFER_TEST_NO_BROWSER=1 to skip");
}

struct World {
    cloud: RunningLocalCloud,
    data: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl World {
    async fn start() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let cloud = local_cloud::start(LocalCloudConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            data.path().to_path_buf(),
        ))
        .await
        .expect("local cloud starts");
        Self {
            cloud,
            data,
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The demo config the local cloud wrote, `[hosted_ui]` included.
    fn config_path(&self) -> PathBuf {
        self.data.path().join("coffer.toml")
    }

    async fn call(&self, op: &str, body: Value) -> Value {
        let response = reqwest::Client::new()
            .post(self.cloud.endpoint())
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{op}"),
            )
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
            .await
            .expect("local cloud reachable");
        assert!(response.status().is_success(), "{op} failed");
        response.json().await.expect("JSON")
    }

    async fn confirmed_user(&self, email: &str) {
        let client_id = self.cloud.demo().client_id.clone();
        self.call(
            "SignUp",
            json!({"ClientId": client_id, "Username": email, "Password": PASSWORD}),
        )
        .await;
        let outbox: Vec<Value> = reqwest::get(format!("{}/_local/outbox", self.cloud.endpoint()))
            .await
            .expect("outbox")
            .json()
            .await
            .expect("JSON");
        let code = outbox
            .iter()
            .rev()
            .find(|m| m["destination"] == email)
            .and_then(|m| m["code"].as_str())
            .expect("a sign-up code");
        self.call(
            "ConfirmSignUp",
            json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code}),
        )
        .await;
    }

    /// Enrols a TOTP authenticator for `email` through the API, as an app would: a second app
    /// client allowing USER_PASSWORD_AUTH (created as the admin), then AssociateSoftwareToken,
    /// VerifySoftwareToken and SetUserMFAPreference with raw JSON calls. Returns the secret.
    async fn enrol_totp(&self, email: &str) -> String {
        use aws_sdk_cognitoidentityprovider as cip;
        let admin = self.cloud.admin_credentials();
        let credentials = cip::config::Credentials::new(
            admin.access_key_id.clone(),
            admin.secret_access_key.expose().to_owned(),
            None,
            None,
            "local-cloud-admin",
        );
        let sdk = cip::Client::from_conf(
            cip::Config::builder()
                .behavior_version(cip::config::BehaviorVersion::latest())
                .region(cip::config::Region::new(self.cloud.demo().region.clone()))
                .endpoint_url(self.cloud.endpoint())
                .credentials_provider(credentials)
                .build(),
        );
        let client = sdk
            .create_user_pool_client()
            .user_pool_id(&self.cloud.demo().user_pool_id)
            .client_name("enrolment")
            .explicit_auth_flows(cip::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(cip::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .send()
            .await
            .expect("CreateUserPoolClient");
        let client_id = client
            .user_pool_client()
            .and_then(|c| c.client_id())
            .expect("client id")
            .to_owned();
        let signed_in = self
            .call(
                "InitiateAuth",
                json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD}}),
            )
            .await;
        let access = signed_in["AuthenticationResult"]["AccessToken"]
            .as_str()
            .expect("tokens (no MFA yet)")
            .to_owned();
        let associated = self
            .call("AssociateSoftwareToken", json!({"AccessToken": access}))
            .await;
        let secret = associated["SecretCode"]
            .as_str()
            .expect("secret")
            .to_owned();
        let verified = self
            .call(
                "VerifySoftwareToken",
                json!({"AccessToken": access, "UserCode": totp_code(&secret, 0)}),
            )
            .await;
        assert_eq!(verified["Status"], "SUCCESS");
        self.call(
            "SetUserMFAPreference",
            json!({"AccessToken": access,
                "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
        )
        .await;
        secret
    }

    fn coffer(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_coffer"));
        command
            .arg("--config")
            .arg(self.config_path())
            .args(args)
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("COFFER_BROWSER", "none")
            .env_remove("COFFER_CONFIG")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Starts `coffer sign-in --hosted-ui ARGS` and returns it with the URL it printed.
    async fn start_sign_in(&self, extra: &[&str]) -> (Child, String) {
        let mut args = vec!["sign-in", "--hosted-ui", "--timeout", "60"];
        args.extend_from_slice(extra);
        let mut child = self.coffer(&args).spawn().expect("coffer runs");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let url = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("stderr readable") {
                if line.starts_with("http") {
                    return line;
                }
            }
            panic!("coffer printed no URL");
        })
        .await
        .expect("URL printed in time");
        // Keep draining stderr so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        (child, url)
    }

    async fn whoami(&self) -> Value {
        let output = self
            .coffer(&["whoami", "--json"])
            .output()
            .await
            .expect("coffer runs");
        assert!(
            output.status.success(),
            "whoami: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON")
    }
}

/// chromedriver on a free port, and a fresh headless Chromium session through it.
struct Browser {
    client: fantoccini::Client,
    _driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("temp dir");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        _driver: driver,
                        _profile: profile,
                    }
                }
                Err(error) => last_error = Some(error),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("no WebDriver session: {last_error:?}");
    }

    async fn fill(&self, css: &str, text: &str) {
        self.client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} not found: {e}"))
            .send_keys(text)
            .await
            .expect("typing");
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} not found: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Waits until the page shows the loopback listener's closing message.
    async fn landed_on_callback(&self) -> String {
        let message = self
            .client
            .wait()
            .for_element(Locator::Css("#message"))
            .await
            .expect("the loopback page");
        let text = message.text().await.expect("text");
        let url = self.client.current_url().await.expect("URL");
        assert_eq!(url.host_str(), Some("127.0.0.1"));
        assert_eq!(url.port(), Some(53682));
        text
    }

    async fn close(self) {
        let _ = self.client.close().await;
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
        .expect("after 1970")
        .as_secs();
    totp.generate(now + 30 * steps_ahead).to_string()
}

/// A six-digit code that differs from `code` in every digit.
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

async fn signed_in(child: Child) -> String {
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("coffer finishes")
        .expect("coffer ran");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "sign-in failed: {stdout}");
    stdout
}

#[tokio::test]
async fn chromium_signs_in_on_the_hosted_ui_while_the_cli_waits() {
    if !browser_or_skip("chromium_signs_in_on_the_hosted_ui_while_the_cli_waits") {
        return;
    }
    let _port = CALLBACK_PORT.lock().await;
    let world = World::start().await;
    world.confirmed_user("chromium@example.com").await;
    let (child, url) = world.start_sign_in(&[]).await;
    assert!(
        url.contains("/_hosted/coffer-demo/oauth2/authorize?"),
        "{url}"
    );

    let browser = Browser::start().await;
    browser
        .client
        .goto(&url)
        .await
        .expect("opens the hosted UI");
    // A wrong password first: the page says so and stays.
    browser.fill("#username", "chromium@example.com").await;
    browser.fill("#password", "Not-The-Password-1").await;
    browser.click("#sign-in").await;
    let error = browser
        .client
        .wait()
        .for_element(Locator::Css("#error"))
        .await
        .expect("an error message");
    assert_eq!(
        error.text().await.unwrap(),
        "Incorrect username or password."
    );
    browser.fill("#password", PASSWORD).await;
    browser.click("#sign-in").await;
    let message = browser.landed_on_callback().await;
    assert!(message.contains("You can close this window"), "{message}");

    let stdout = signed_in(child).await;
    assert!(
        stdout.contains("Signed in as chromium@example.com"),
        "{stdout}"
    );
    let who = world.whoami().await;
    assert_eq!(who["email"], "chromium@example.com");

    // A second sign-in from the CLI, in the same browser: the hosted UI's session cookie
    // sends it straight back, with no form to fill.
    let (child, url) = world.start_sign_in(&[]).await;
    browser
        .client
        .goto(&url)
        .await
        .expect("opens the hosted UI");
    let message = browser.landed_on_callback().await;
    assert!(message.contains("You can close this window"), "{message}");
    let stdout = signed_in(child).await;
    assert!(
        stdout.contains("Signed in as chromium@example.com"),
        "{stdout}"
    );

    // After `coffer sign-out`, the same browser's session no longer signs anyone in: the
    // next sign-in asks for the password again (prompt=login).
    let output = world
        .coffer(&["sign-out"])
        .output()
        .await
        .expect("coffer runs");
    assert!(output.status.success(), "sign-out");
    let (child, url) = world.start_sign_in(&[]).await;
    assert!(url.contains("prompt=login"), "{url}");
    browser
        .client
        .goto(&url)
        .await
        .expect("opens the hosted UI");
    browser.fill("#username", "chromium@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("#sign-in").await;
    let message = browser.landed_on_callback().await;
    assert!(message.contains("You can close this window"), "{message}");
    browser.close().await;
    let stdout = signed_in(child).await;
    assert!(
        stdout.contains("Signed in as chromium@example.com"),
        "{stdout}"
    );
}

#[tokio::test]
async fn chromium_signs_in_through_local_idp() {
    if !browser_or_skip("chromium_signs_in_through_local_idp") {
        return;
    }
    let _port = CALLBACK_PORT.lock().await;
    let world = World::start().await;
    let created: Value = reqwest::Client::new()
        .post(format!("{}/_local/idp/users", world.cloud.endpoint()))
        .json(&json!({"username": "lovelace", "password": "Idp-Password-9", "email": "ada@idp.example"}))
        .send()
        .await
        .expect("LocalIdP reachable")
        .json()
        .await
        .expect("JSON");
    let idp_sub = created["sub"].as_str().expect("sub").to_owned();

    let (child, url) = world.start_sign_in(&["--provider", "LocalIdP"]).await;
    assert!(url.contains("identity_provider=LocalIdP"), "{url}");
    let browser = Browser::start().await;
    browser
        .client
        .goto(&url)
        .await
        .expect("opens the hosted UI");
    // identity_provider=LocalIdP goes straight to the provider's own page.
    let heading = browser
        .client
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .expect("a page");
    assert!(heading.text().await.unwrap().contains("LocalIdP"));
    browser.fill("#username", "lovelace").await;
    browser.fill("#password", "Idp-Password-9").await;
    browser.click("#sign-in").await;
    let message = browser.landed_on_callback().await;
    assert!(message.contains("You can close this window"), "{message}");
    browser.close().await;

    let stdout = signed_in(child).await;
    assert!(stdout.contains("Signed in as ada@idp.example"), "{stdout}");
    let who = world.whoami().await;
    assert_eq!(who["username"], format!("LocalIdP_{idp_sub}"));
    assert_eq!(who["email"], "ada@idp.example");
}

#[tokio::test]
async fn chromium_signs_in_with_a_totp_code_on_the_hosted_ui() {
    if !browser_or_skip("chromium_signs_in_with_a_totp_code_on_the_hosted_ui") {
        return;
    }
    let _port = CALLBACK_PORT.lock().await;
    let world = World::start().await;
    let email = "totp@example.com";
    world.confirmed_user(email).await;
    let secret = world.enrol_totp(email).await;
    let (child, url) = world.start_sign_in(&[]).await;

    let browser = Browser::start().await;
    browser
        .client
        .goto(&url)
        .await
        .expect("opens the hosted UI");
    browser.fill("#username", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("#sign-in").await;
    // The password alone does not sign in: the authenticator-code page comes next.
    let prompt = browser
        .client
        .wait()
        .for_element(Locator::Css("#prompt"))
        .await
        .expect("the code page");
    assert!(prompt.text().await.unwrap().contains("authenticator app"));
    assert!(browser
        .client
        .find(Locator::Css("#password"))
        .await
        .is_err());

    // The enrolment used the current step; the next step's code is fresh.
    let right = totp_code(&secret, 1);
    browser.fill("#code", &wrong_code(&right)).await;
    browser.click("#verify").await;
    let error = browser
        .client
        .wait()
        .for_element(Locator::Css("#error"))
        .await
        .expect("an error message");
    assert_eq!(error.text().await.unwrap(), "Incorrect code.");
    browser.fill("#code", &right).await;
    browser.click("#verify").await;
    let message = browser.landed_on_callback().await;
    assert!(message.contains("You can close this window"), "{message}");
    browser.close().await;

    let stdout = signed_in(child).await;
    assert!(
        stdout.contains(&format!("Signed in as {email}")),
        "{stdout}"
    );
    let who = world.whoami().await;
    assert_eq!(who["email"], email);
}
