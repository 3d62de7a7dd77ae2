//! The generated TypeScript and the permission lists stay in step with the Rust commands.

use std::path::{Path, PathBuf};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn typescript_bindings_match_the_rust_types() {
    let path = manifest_dir().join("../ui/src/ipc/bindings.ts");
    let fresh = coffer_app::ipc::typescript_bindings();
    if std::env::var_os("COFFER_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "{} is stale: run `COFFER_UPDATE_BINDINGS=1 cargo test -p coffer-app bindings`",
        path.display()
    );
}

#[test]
fn bindings_declare_every_type_a_command_uses() {
    let bindings = coffer_app::ipc::typescript_bindings();
    for name in [
        "CommandError",
        "WhoAmIView",
        "SignInOutcome",
        "SignUpResult",
        "BackendView",
        "SignInArgs",
        "HostedUiArgs",
        "Commands",
    ] {
        assert!(
            bindings.contains(&format!("export type {name} ")),
            "{name} missing"
        );
    }
    assert!(
        bindings.contains("sign_in: { args: SignInArgs; result: SignInOutcome }"),
        "{bindings}"
    );
    assert!(
        bindings.contains("restore_session: { args: null; result: WhoAmIView | null }"),
        "{bindings}"
    );
}

/// The quoted names in `build.rs`'s COMMANDS list.
fn build_rs_commands(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let list = text
        .split("const COMMANDS")
        .nth(1)
        .unwrap()
        .split("];")
        .next()
        .unwrap();
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_has_a_permission_and_the_window_is_granted_exactly_those() {
    let commands = coffer_app::ipc::command_names();
    assert_eq!(
        build_rs_commands(&manifest_dir().join("build.rs")),
        commands
    );

    let capability: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join("capabilities/main-window.json")).unwrap(),
    )
    .unwrap();
    let granted: Vec<&str> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|permission| permission.as_str().unwrap())
        .collect();
    let expected: Vec<String> = commands
        .iter()
        .map(|name| format!("allow-{}", name.replace('_', "-")))
        .collect();
    assert_eq!(
        granted, expected,
        "the main window gets the app's commands and nothing else"
    );
}
