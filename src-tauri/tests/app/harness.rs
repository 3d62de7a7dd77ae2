//! A Coffer app on Tauri's mock runtime, with the real config and capabilities, talking to a
//! local cloud on an ephemeral port with a temporary data directory and an in-memory keychain.

use std::sync::{Arc, Mutex};

use coffer_app::ipc::BackendKind;
use coffer_app::{AppState, Ready};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

/// The names of the files the preset picker selects (those that exist when it is asked).
pub const PICKED: [&str; 2] = ["one.txt", "two words é.txt"];
/// The name of the file the preset backend-file dialog selects, in `TestApp::local`.
pub const BACKEND_FILE: &str = "amplify_outputs.json";

pub struct TestApp {
    pub endpoint: String,
    /// The demo user pool.
    pub user_pool_id: String,
    /// A Cognito client signed with the local cloud's admin key (AdminCreateUser, …).
    pub admin: aws_sdk_cognitoidentityprovider::Client,
    pub window: WebviewWindow<MockRuntime>,
    /// Local files: what the (preset) picker selects are `picked/one.txt` and
    /// `picked/two words é.txt` in here; the save dialog saves into `saved/`; the backend-file
    /// dialog selects [`BACKEND_FILE`].
    pub local: std::path::PathBuf,
    /// Where the settings save a chosen backend (the app's config file).
    pub saved_config: std::path::PathBuf,
    // Kept alive for the test's duration.
    _app: tauri::App<MockRuntime>,
    _data: tempfile::TempDir,
}

/// Builds the app around `state` with the app's own tauri.conf.json and capabilities (so the
/// permission checks are the real ones), plus the opener plugin for the least-privilege test.
pub fn app_with_state(state: AppState) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = tauri::test::mock_builder()
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .invoke_handler(coffer_app::invoke_handler())
        .build(tauri::generate_context!())
        .expect("mock app builds");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("mock window builds");
    (app, window)
}

impl TestApp {
    /// A fresh local cloud and an app signed out of it.
    pub fn start() -> Self {
        Self::start_with_store(Arc::new(coffer_core::MemoryStore::new()))
    }

    /// The same, with the given keychain.
    pub fn start_with_store(store: Arc<dyn coffer_core::SecretStore>) -> Self {
        Self::start_with(store, coffer_app::Browser::System)
    }

    /// A fresh local cloud and an app signed out of it, opening the hosted UI with `browser`.
    pub fn start_with_browser(browser: coffer_app::Browser) -> Self {
        Self::start_with(Arc::new(coffer_core::MemoryStore::new()), browser)
    }

    fn start_with(store: Arc<dyn coffer_core::SecretStore>, browser: coffer_app::Browser) -> Self {
        let data = tempfile::tempdir().unwrap();
        // The local cloud serves on Tauri's async runtime, which outlives each call.
        let ready = tauri::async_runtime::block_on(start_local_cloud(
            data.path().to_path_buf(),
            Arc::clone(&store),
        ))
        .unwrap();
        let (endpoint, admin) = {
            let cloud = ready.local_cloud.lock().unwrap();
            let cloud = cloud.as_ref().unwrap();
            (cloud.endpoint(), admin_client(cloud))
        };
        let user_pool_id = ready.backend.user_pool_id.clone();
        let local = data.path().join("local");
        std::fs::create_dir_all(local.join("picked")).unwrap();
        std::fs::create_dir_all(local.join("saved")).unwrap();
        let saved_config = data.path().join("config/coffer/coffer.toml");
        // "Back to the local cloud" starts it again on the same data directory (a new port).
        let data_dir = data.path().to_path_buf();
        let store_again = Arc::clone(&store);
        let choice = coffer_app::BackendChoice::new(Ok(saved_config.clone()), store, move || {
            start_local_cloud(data_dir.clone(), Arc::clone(&store_again))
        });
        let state = AppState::ready(ready)
            .with_journal_dir(data.path().join("journal"))
            .with_dialogs(coffer_app::Dialogs::Preset {
                picks: PICKED
                    .iter()
                    .map(|name| local.join("picked").join(name))
                    .collect(),
                save_dir: local.join("saved"),
                backend_file: Some(local.join(BACKEND_FILE)),
            })
            .with_browser(browser)
            .with_backend_choice(choice);
        let (app, window) = app_with_state(state);
        Self {
            user_pool_id,
            admin,
            endpoint,
            window,
            local,
            saved_config,
            _app: app,
            _data: data,
        }
    }

    /// Invokes `command` from the main window as the web view would (`{args}` or no body).
    pub fn invoke_raw(&self, command: &str, args: Option<Value>) -> Result<Value, Value> {
        invoke(&self.window, command, args)
    }

    pub fn call<T: DeserializeOwned>(
        &self,
        command: &str,
        args: Option<Value>,
    ) -> Result<T, Value> {
        self.invoke_raw(command, args)
            .map(|value| serde_json::from_value(value).expect("result has the declared shape"))
    }

    /// Signs `email` up with `password` and confirms it with the code from the outbox.
    pub fn sign_up_and_confirm(&self, email: &str, password: &str) {
        self.call::<Value>(
            "sign_up",
            Some(serde_json::json!({"email": email, "password": password})),
        )
        .unwrap();
        let code = self.latest_code_for(email);
        self.call::<Value>(
            "confirm_sign_up",
            Some(serde_json::json!({"username": email, "code": code})),
        )
        .unwrap();
    }

    /// Signs in with a password (no device remembered), expecting no further step.
    pub fn sign_in(&self, username: &str, password: &str) -> Value {
        let outcome: Value = self
            .call(
                "sign_in",
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .unwrap();
        assert_eq!(outcome["step"], "signedIn", "{outcome}");
        outcome
    }

    /// The newest sign-up code the local cloud "sent" to `email`.
    pub fn latest_code_for(&self, email: &str) -> String {
        self.latest_code(email, "sign-up")
            .expect("a sign-up code in the outbox")
    }

    /// The newest code for `purpose` (`sign-up`, `mfa`, `forgot-password`, …) sent to `email`.
    pub fn latest_code(&self, email: &str, purpose: &str) -> Option<String> {
        self.outbox(email, purpose)
            .last()
            .and_then(|message| message["code"].as_str())
            .map(str::to_owned)
    }

    /// How many codes for `purpose` went to `email`.
    pub fn codes_sent(&self, email: &str, purpose: &str) -> usize {
        self.outbox(email, purpose).len()
    }

    /// The local cloud's outbox messages to `email` for `purpose`, oldest first.
    fn outbox(&self, email: &str, purpose: &str) -> Vec<Value> {
        let url = format!("{}/_local/outbox", self.endpoint);
        let messages: Vec<Value> = tauri::async_runtime::block_on(async {
            reqwest::get(url).await.unwrap().json().await.unwrap()
        });
        messages
            .into_iter()
            .filter(|message| message["destination"] == email && message["purpose"] == purpose)
            .collect()
    }
}

/// A local cloud on an ephemeral port keeping its state in `data_dir`, with a client of its
/// demo user pool keeping tokens in `store`.
pub async fn start_local_cloud(
    data_dir: std::path::PathBuf,
    store: Arc<dyn coffer_core::SecretStore>,
) -> Result<Ready, coffer_app::CommandError> {
    let config = local_cloud::LocalCloudConfig::new("127.0.0.1:0".parse().unwrap(), &data_dir);
    let cloud = local_cloud::start(config).await.unwrap();
    let client_config = coffer_core::Config::from_file(&cloud.demo().config_path).unwrap();
    let client = coffer_core::Client::new(client_config.clone(), store)?;
    let backend = coffer_app::ipc::BackendView {
        kind: BackendKind::LocalCloud,
        endpoint: cloud.endpoint(),
        region: client_config.region().to_owned(),
        user_pool_id: client_config.user_pool_id().to_owned(),
        client_id: client_config.client_id().to_owned(),
        config_path: Some(cloud.demo().config_path.display().to_string()),
        config_origin: Some("local cloud demo setup".to_owned()),
        data_dir: Some(data_dir.display().to_string()),
        hosted_ui: client_config.hosted_ui().is_some(),
        hosted_ui_providers: client_config
            .hosted_ui()
            .map(|hosted| hosted.providers.clone())
            .unwrap_or_default(),
        change_unavailable: None,
    };
    Ok(Ready {
        client,
        backend,
        local_cloud: Mutex::new(Some(cloud)),
    })
}

fn admin_client(cloud: &local_cloud::RunningLocalCloud) -> aws_sdk_cognitoidentityprovider::Client {
    use aws_sdk_cognitoidentityprovider::config;
    let key = cloud.admin_credentials();
    let credentials = config::Credentials::new(
        key.access_key_id.clone(),
        key.secret_access_key.expose().to_owned(),
        None,
        None,
        "local-cloud-admin",
    );
    aws_sdk_cognitoidentityprovider::Client::from_conf(
        config::Config::builder()
            .behavior_version(config::BehaviorVersion::latest())
            .region(config::Region::new(cloud.demo().region.clone()))
            .endpoint_url(cloud.endpoint())
            .credentials_provider(credentials)
            .build(),
    )
}

/// The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 `secret`, `steps_ahead` steps from now
/// (the local cloud accepts ±1 step and refuses a code used before, so a second sign-in within
/// the same 30 s uses the next step's code).
pub fn totp_code(secret: &str, steps_ahead: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("the secret is base32");
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

/// The same code with its first digit changed.
pub fn wrong_code(code: &str) -> String {
    let first = code.chars().next().unwrap();
    let other = if first == '9' {
        '0'
    } else {
        char::from(first as u8 + 1)
    };
    format!("{other}{}", &code[1..])
}

pub fn invoke(
    window: &WebviewWindow<MockRuntime>,
    command: &str,
    args: Option<Value>,
) -> Result<Value, Value> {
    let body = match args {
        Some(args) => serde_json::json!({ "args": args }),
        None => serde_json::json!({}),
    };
    tauri::test::get_ipc_response(
        window,
        InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

/// The `code` of a command error.
pub fn code(error: &Value) -> &str {
    error["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not a command error: {error}"))
}

/// A keychain that is not there (no Secret Service running, a locked keyring).
pub struct MissingKeychain;

impl coffer_core::SecretStore for MissingKeychain {
    fn load(
        &self,
        _key: &str,
    ) -> Result<Option<zeroize::Zeroizing<String>>, coffer_core::StoreError> {
        Err(Self::error())
    }
    fn save(&self, _key: &str, _secret: &str) -> Result<(), coffer_core::StoreError> {
        Err(Self::error())
    }
    fn delete(&self, _key: &str) -> Result<(), coffer_core::StoreError> {
        Err(Self::error())
    }
}

impl MissingKeychain {
    fn error() -> coffer_core::StoreError {
        coffer_core::StoreError::KeychainUnavailable {
            reason: "no Secret Service on the bus".to_owned(),
        }
    }
}
