//! The app's integration tests (one binary): the IPC contract and every command on Tauri's
//! mock runtime against a local cloud on loopback.

mod app {
    pub mod bindings;
    pub mod commands;
    pub mod files;
    pub mod harness;
    pub mod hosted_ui;
    pub mod mfa;
    pub mod mfa_setup;
    pub mod settings;
}
