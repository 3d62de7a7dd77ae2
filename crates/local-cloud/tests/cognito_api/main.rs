//! Integration tests: the local cloud over real loopback HTTP, driven with raw AWS JSON 1.1
//! requests (reqwest), SigV4 signed with `aws-sigv4` where AWS requires it, and with the
//! official Rust SDK. One test binary, one module per area.

mod support;

mod admin_api;
mod browser_origins;
mod concurrency;
mod devices;
mod hosted_ui;
mod hosted_ui_scopes;
mod hosted_ui_session;
mod identity_pools;
mod mfa;
mod mfa_secrets;
mod new_password;
mod persistence;
mod protocol_errors;
mod recovery;
mod s3_conditions;
mod s3_copy_delete;
mod s3_objects;
pub mod sdk_interop;
mod sdk_mfa;
mod secret_clients;
mod sign_up_and_sign_in;
mod srp_challenge;
mod template_stack;
mod tokens;
mod user_existence;
