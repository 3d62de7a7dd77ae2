//! Embeds the app config and generates one `allow-<command>` permission per IPC command, so
//! the capability files grant commands one by one (nothing is callable unless granted).

/// Every IPC command of the app; keep in step with `commands::handler`.
const COMMANDS: &[&str] = &[
    "backend_info",
    "restore_session",
    "sign_in",
    "sign_up",
    "confirm_sign_up",
    "resend_confirmation_code",
    "whoami",
    "refresh",
    "sign_out",
    "sign_out_everywhere",
    "ui_ready",
    "answer_mfa_code",
    "choose_mfa",
    "answer_totp_setup",
    "answer_new_password",
    "choose_mfa_setup",
    "answer_email_mfa_setup",
    "cancel_sign_in",
    "sign_in_hosted_ui",
    "cancel_hosted_ui",
    "forgot_password",
    "confirm_forgot_password",
    "change_password",
    "begin_totp_setup",
    "confirm_totp_setup",
    "set_mfa_preference",
    "mfa_settings",
    "list_devices",
    "forget_device",
    "list_files",
    "adopt_guest_files",
    "watch_uploads",
    "list_uploads",
    "pick_and_upload",
    "pause_upload",
    "resume_upload",
    "replace_upload",
    "cancel_upload",
    "download_file",
    "delete_file",
    "choose_backend_file",
    "use_chosen_backend",
    "cancel_backend_choice",
    "use_local_cloud",
];

/// The web view's files (`npm run build` in `ui/`). When they are missing — a plain
/// `cargo build --workspace` on a fresh clone — a placeholder page is written that says how to
/// build them, so the Rust workspace still builds and tests; `scripts/run` and `scripts/test-all`
/// build the real UI first.
fn ensure_frontend_dist() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    let index = dist.join("index.html");
    println!("cargo:rerun-if-changed={}", index.display());
    if index.exists() {
        return;
    }
    println!("cargo:warning=ui/dist is missing: built a placeholder UI; run `npm ci && npm run build` in ui/");
    std::fs::create_dir_all(&dist).expect("create ui/dist");
    std::fs::write(
        &index,
        "<!doctype html><meta charset=utf-8><title>Coffer</title>\
         <p style=\"font:15px system-ui;margin:40px\">The Coffer UI is not built: run \
         <code>npm ci &amp;&amp; npm run build</code> in <code>ui/</code>, then rebuild the app.</p>",
    )
    .expect("write the placeholder ui/dist/index.html");
}

fn main() {
    ensure_frontend_dist();
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes)
        .expect("tauri-build: invalid tauri.conf.json or capabilities");
}
