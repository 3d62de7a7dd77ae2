//! The settings screen's backend commands through IPC: pick a backend file (the preset dialog
//! selects `TestApp::local/amplify_outputs.json`), confirm it, go back to the local cloud.

use std::sync::{Arc, Mutex};

use coffer_app::ipc::{BackendKind, BackendView};
use coffer_app::{AppState, BackendChoice, CommandError};
use coffer_core::SecretStore;
use serde_json::{json, Value};

use super::harness::{app_with_state, code, invoke, start_local_cloud, TestApp, BACKEND_FILE};

const EMAIL: &str = "grace@example.com";
const PASSWORD: &str = "Correct-Horse-9";

/// An Amplify Gen 2 `amplify_outputs.json` with auth, hosted UI and storage.
const AMPLIFY: &str = include_str!("../data/amplify_outputs.json");

fn pick(app: &TestApp, text: &str) {
    std::fs::write(app.local.join(BACKEND_FILE), text).unwrap();
}

fn signed_up_and_in(app: &TestApp) {
    app.sign_up_and_confirm(EMAIL, PASSWORD);
    app.sign_in(EMAIL, PASSWORD);
}

/// The keychain key of the session on the backend `view` describes.
fn token_key(view: &Value, store: Arc<dyn SecretStore>) -> String {
    let path = view["configPath"].as_str().unwrap();
    let config = coffer_core::Config::from_file(std::path::Path::new(path)).unwrap();
    coffer_core::Client::new(config, store)
        .unwrap()
        .token_store_key()
}

#[test]
fn a_picked_amplify_file_is_summarised_then_saved_and_used_without_a_restart() {
    let store = Arc::new(coffer_core::MemoryStore::new());
    let app = TestApp::start_with_store(store.clone());
    signed_up_and_in(&app);
    let local: Value = app.call("backend_info", None).unwrap();
    assert_eq!(local["kind"], "localCloud");
    assert_eq!(local["changeUnavailable"], Value::Null);
    let old_key = token_key(&local, store.clone());
    assert!(store.load(&old_key).unwrap().is_some(), "signed in");

    pick(&app, AMPLIFY);
    let summary: Value = app.call("choose_backend_file", None).unwrap();
    assert_eq!(
        summary,
        json!({
            "file": app.local.join(BACKEND_FILE).display().to_string(),
            "format": "amplifyOutputs",
            "savedTo": app.saved_config.display().to_string(),
            "region": "eu-west-1",
            "userPoolId": "eu-west-1_AmpPool",
            "clientId": "ampclient1",
            "identityPoolId": "eu-west-1:0a1b2c3d-0000-4000-8000-000000000000",
            "bucket": "amp-bucket",
            "hostedUiDomain": "https://amp.auth.eu-west-1.amazoncognito.com",
            "endpoint": "https://cognito-idp.eu-west-1.amazonaws.com",
            "awsEndpoints": true,
        })
    );
    // Nothing changes before the person confirms.
    assert!(!app.saved_config.exists());
    assert_eq!(app.call::<Value>("whoami", None).unwrap()["email"], EMAIL);

    let used: Value = app.call("use_chosen_backend", None).unwrap();
    assert_eq!(used["kind"], "configFile");
    assert_eq!(used["userPoolId"], "eu-west-1_AmpPool");
    assert_eq!(
        used["endpoint"],
        "https://cognito-idp.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        used["configPath"],
        app.saved_config.display().to_string().as_str()
    );
    assert_eq!(used["hostedUiProviders"], json!(["COGNITO", "Google"]));
    assert_eq!(app.call::<Value>("backend_info", None).unwrap(), used);

    // Saved where the config lookup reads it, in Coffer's format.
    let saved = coffer_core::Config::from_file(&app.saved_config).unwrap();
    assert_eq!(saved.user_pool_id(), "eu-west-1_AmpPool");
    assert_eq!(saved.bucket(), Some("amp-bucket"));

    // Signed out locally: the old session is gone from the keychain, and no session exists
    // on the new backend (no network call is needed to tell).
    assert!(store.load(&old_key).unwrap().is_none());
    assert_eq!(
        app.call::<Value>("restore_session", None).unwrap(),
        Value::Null
    );
    // The in-process local cloud was shut down.
    let outbox = format!("{}/_local/outbox", app.endpoint);
    assert!(tauri::async_runtime::block_on(reqwest::get(outbox)).is_err());

    // The confirmed choice is used up.
    let error = app.invoke_raw("use_chosen_backend", None).unwrap_err();
    assert_eq!(code(&error), "no_backend_chosen");
}

#[test]
fn bad_files_are_refused_with_their_code_and_change_nothing() {
    let app = TestApp::start();
    let missing = app.invoke_raw("choose_backend_file", None).unwrap_err();
    assert_eq!(code(&missing), "config_not_found");

    pick(&app, "{ not json");
    let error = app.invoke_raw("choose_backend_file", None).unwrap_err();
    assert_eq!(code(&error), "config_not_json");
    assert!(
        error["message"].as_str().unwrap().contains("line 1"),
        "{error}"
    );

    pick(
        &app,
        &AMPLIFY.replace(r#""user_pool_id": "eu-west-1_AmpPool","#, ""),
    );
    let error = app.invoke_raw("choose_backend_file", None).unwrap_err();
    assert_eq!(code(&error), "config_missing_field");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("`auth.user_pool_id` is missing"),
        "{error}"
    );

    pick(&app, &AMPLIFY.replace(r#""1.3""#, r#""2""#));
    let error = app.invoke_raw("choose_backend_file", None).unwrap_err();
    assert_eq!(code(&error), "config_unsupported_version");

    // A refused file does not wait to be used, nor does a cancelled one.
    let error = app.invoke_raw("use_chosen_backend", None).unwrap_err();
    assert_eq!(code(&error), "no_backend_chosen");
    pick(&app, AMPLIFY);
    app.call::<Value>("choose_backend_file", None).unwrap();
    app.call::<Value>("cancel_backend_choice", None).unwrap();
    let error = app.invoke_raw("use_chosen_backend", None).unwrap_err();
    assert_eq!(code(&error), "no_backend_chosen");

    assert!(!app.saved_config.exists());
    let backend: Value = app.call("backend_info", None).unwrap();
    assert_eq!(backend["kind"], "localCloud");
    assert_eq!(backend["endpoint"], app.endpoint.as_str());
}

#[test]
fn back_to_the_local_cloud_moves_the_saved_config_aside_and_sign_in_works_again() {
    let app = TestApp::start();
    signed_up_and_in(&app);
    pick(&app, AMPLIFY);
    app.call::<Value>("choose_backend_file", None).unwrap();
    app.call::<Value>("use_chosen_backend", None).unwrap();

    let local: Value = app.call("use_local_cloud", None).unwrap();
    assert_eq!(local["kind"], "localCloud");
    assert_eq!(local["userPoolId"], app.user_pool_id.as_str());
    assert_eq!(app.call::<Value>("backend_info", None).unwrap(), local);
    assert!(!app.saved_config.exists(), "the next start finds no config");
    let backup = app.saved_config.with_extension("toml.bak");
    assert!(std::fs::read_to_string(&backup)
        .unwrap()
        .contains("eu-west-1_AmpPool"));

    // The same local cloud state, started again: the user signs in as before.
    assert_eq!(
        app.call::<Value>("restore_session", None).unwrap(),
        Value::Null
    );
    app.sign_in(EMAIL, PASSWORD);

    // On the local cloud already, going back changes nothing.
    assert_eq!(app.call::<Value>("use_local_cloud", None).unwrap(), local);
    assert_eq!(app.call::<Value>("whoami", None).unwrap()["email"], EMAIL);
}

#[test]
fn a_failed_start_can_go_back_to_the_local_cloud() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("coffer.toml");
    std::fs::write(&saved, "region = \"eu-west-1\"\n").unwrap();
    let starts = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&starts);
    let data_dir = dir.path().join("cloud");
    let store: Arc<dyn SecretStore> = Arc::new(coffer_core::MemoryStore::new());
    let choice = BackendChoice::new(Ok(saved.clone()), Arc::clone(&store), move || {
        *counter.lock().unwrap() += 1;
        start_local_cloud(data_dir.clone(), Arc::clone(&store))
    });
    // What the app's startup makes of that saved file.
    let broken = CommandError::new("config_missing_field", "`user_pool_id` is missing");
    let (_app, window) = app_with_state(AppState::failed(broken).with_backend_choice(choice));
    let error = invoke(&window, "backend_info", None).unwrap_err();
    assert_eq!(code(&error), "config_missing_field");

    let local = invoke(&window, "use_local_cloud", None).unwrap();
    assert_eq!(local["kind"], "localCloud");
    assert_eq!(*starts.lock().unwrap(), 1);
    assert!(!saved.exists());
    assert_eq!(invoke(&window, "backend_info", None).unwrap(), local);
    assert_eq!(
        invoke(&window, "restore_session", None).unwrap(),
        Value::Null
    );
}

#[test]
fn a_config_named_by_coffer_config_cannot_be_changed_here() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("named.toml");
    let pinned = BackendChoice::saved_config_of(&coffer_core::ConfigLocations {
        environment: Some(named.clone()),
        ..Default::default()
    });
    let choice = BackendChoice::new(
        pinned,
        Arc::new(coffer_core::MemoryStore::new()),
        || async { Err(CommandError::new("internal_error", "never started here")) },
    );
    let config = coffer_core::Config::new("eu-west-1", "eu-west-1_Named", "named1").unwrap();
    let backend = BackendView {
        kind: BackendKind::ConfigFile,
        endpoint: config.cognito_idp_endpoint(),
        region: config.region().to_owned(),
        user_pool_id: config.user_pool_id().to_owned(),
        client_id: config.client_id().to_owned(),
        config_path: Some(named.display().to_string()),
        config_origin: Some("named by COFFER_CONFIG".to_owned()),
        data_dir: None,
        hosted_ui: false,
        hosted_ui_providers: Vec::new(),
        change_unavailable: None,
    };
    let ready = coffer_app::Ready {
        client: coffer_core::Client::new(config, Arc::new(coffer_core::MemoryStore::new()))
            .unwrap(),
        backend,
        local_cloud: Mutex::new(None),
    };
    let (_app, window) = app_with_state(AppState::ready(ready).with_backend_choice(choice));
    let shown = invoke(&window, "backend_info", None).unwrap();
    assert!(
        shown["changeUnavailable"]
            .as_str()
            .unwrap()
            .contains("COFFER_CONFIG"),
        "{shown}"
    );
    for command in [
        "choose_backend_file",
        "use_chosen_backend",
        "use_local_cloud",
    ] {
        let error = invoke(&window, command, None).unwrap_err();
        assert_eq!(code(&error), "backend_pinned", "{command}");
    }
}
