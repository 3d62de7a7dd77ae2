//! The IPC contract between the web view and the app: argument and result types of every
//! command, and the TypeScript declarations generated from them.
//!
//! The UI imports `ui/src/ipc/bindings.ts`, which [`typescript_bindings`] writes from these
//! types with `ts-rs` (never by hand): a test fails when the checked-in file differs from what
//! the Rust types give, and `COFFER_UPDATE_BINDINGS=1 cargo test -p coffer-app bindings`
//! rewrites it. The file also declares a `Commands` map (command name → args and result), so a
//! misspelt command or a wrong argument shape fails the UI's type check.
//!
//! Secrets cross this boundary only inward (passwords and codes in arguments, wrapped into the
//! core's secret types at once); no result carries a token. Argument types redact secrets in
//! `Debug`.

use std::fmt;

use coffer_core::{CodeDelivery, DeliveryMedium, WhoAmI};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use ts_rs::TS;

use crate::error::CommandError;

/// Who is signed in, from the verified ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct WhoAmIView {
    /// The pool's username (a UUID in pools that sign in by e-mail).
    pub username: String,
    /// The user's `sub`.
    pub sub: String,
    /// The e-mail address, when the ID token carries it.
    pub email: Option<String>,
    /// When the ID and access tokens expire (RFC 3339, UTC).
    pub expires_at: String,
}

impl From<WhoAmI> for WhoAmIView {
    fn from(who: WhoAmI) -> Self {
        Self {
            // Formatting a valid OffsetDateTime as RFC 3339 fails only for years outside
            // 0..=9999, which token expiry times are not.
            expires_at: who.expires_at.format(&Rfc3339).unwrap_or_default(),
            username: who.username,
            sub: who.sub,
            email: who.email,
        }
    }
}

/// Where a sign-in stands after the password was answered.
///
/// Extension point: MFA codes, TOTP setup, choosing an MFA type and a new password will be
/// variants of their own here (each naming the step the UI shows), answered by commands that
/// take the pending step from the app state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "step", rename_all = "camelCase")]
#[ts(tag = "step", rename_all = "camelCase")]
pub enum SignInOutcome {
    /// Signed in; the tokens are verified and in the keychain.
    SignedIn {
        /// Who is signed in.
        who: WhoAmIView,
    },
    /// Cognito asked for a step this version does not answer yet (e.g. `SOFTWARE_TOKEN_MFA`).
    Unsupported {
        /// The Cognito challenge name.
        challenge: String,
    },
}

/// How a code was delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CodeDeliveryView {
    /// The masked destination, e.g. `a***@e***`.
    pub destination: String,
    /// `email`, `sms`, or another medium's name.
    pub medium: String,
}

impl From<CodeDelivery> for CodeDeliveryView {
    fn from(delivery: CodeDelivery) -> Self {
        let medium = match delivery.medium {
            DeliveryMedium::Email => "email".to_owned(),
            DeliveryMedium::Sms => "sms".to_owned(),
            DeliveryMedium::Other(name) => name,
            // DeliveryMedium is non-exhaustive.
            _ => "unknown".to_owned(),
        };
        Self {
            destination: delivery.destination,
            medium,
        }
    }
}

/// The result of a sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SignUpResult {
    /// The user pool confirmed the user at once (no code to enter).
    pub confirmed: bool,
    /// Where the confirmation code went, when one was sent.
    pub delivery: Option<CodeDeliveryView>,
}

/// Which backend the app talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum BackendKind {
    /// The local cloud, running inside the app.
    LocalCloud,
    /// A local cloud already running in another process (`coffer local-cloud`) on the same
    /// data directory.
    ExternalLocalCloud,
    /// A config file (AWS or any Cognito-compatible endpoint).
    ConfigFile,
}

/// The backend, for the settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct BackendView {
    /// Which kind of backend.
    pub kind: BackendKind,
    /// The Cognito user-pool endpoint.
    pub endpoint: String,
    /// The AWS region.
    pub region: String,
    /// The user pool.
    pub user_pool_id: String,
    /// The app client.
    pub client_id: String,
    /// The config file in use.
    pub config_path: Option<String>,
    /// Why that file was chosen (e.g. "named by COFFER_CONFIG").
    pub config_origin: Option<String>,
    /// The local cloud's data directory.
    pub data_dir: Option<String>,
}

/// Arguments of `sign_in`.
#[derive(Deserialize, TS)]
pub struct SignInArgs {
    /// What the user typed as username (in the demo pool, the e-mail address).
    pub username: String,
    /// The password; only an SRP proof of it leaves the process.
    pub password: String,
}

/// Arguments of `sign_up`.
#[derive(Deserialize, TS)]
pub struct SignUpArgs {
    /// The e-mail address, which is also the username.
    pub email: String,
    /// The new password (Cognito's SignUp requires it in the request).
    pub password: String,
}

/// Arguments of `confirm_sign_up`.
#[derive(Deserialize, TS)]
pub struct ConfirmSignUpArgs {
    /// The username that signed up.
    pub username: String,
    /// The code that was sent.
    pub code: String,
}

/// Arguments of `resend_confirmation_code`.
#[derive(Debug, Deserialize, TS)]
pub struct ResendCodeArgs {
    /// The username that signed up.
    pub username: String,
}

macro_rules! redacted_debug {
    ($name:ident { $($shown:ident),* } hides $($hidden:ident),*) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($shown), &self.$shown))*
                    $(.field(stringify!($hidden), &"[redacted]"))*
                    .finish()
            }
        }
    };
}
redacted_debug!(SignInArgs { username } hides password);
redacted_debug!(SignUpArgs { email } hides password);
redacted_debug!(ConfirmSignUpArgs { username } hides code);

/// One line of the `Commands` map: a command name, its `args` type (or `null` when it takes
/// none) and its result type.
struct CommandSignature {
    name: &'static str,
    args: Option<String>,
    result: String,
}

fn signature<A: TS, R: TS>(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
    CommandSignature {
        name,
        args: Some(A::name(cfg)),
        result: R::name(cfg),
    }
}

fn no_args<R: TS>(name: &'static str, cfg: &ts_rs::Config) -> CommandSignature {
    CommandSignature {
        name,
        args: None,
        result: R::name(cfg),
    }
}

/// Every command's signature, in the order of `build.rs`'s list.
fn command_signatures(cfg: &ts_rs::Config) -> Vec<CommandSignature> {
    vec![
        no_args::<BackendView>("backend_info", cfg),
        no_args::<Option<WhoAmIView>>("restore_session", cfg),
        signature::<SignInArgs, SignInOutcome>("sign_in", cfg),
        signature::<SignUpArgs, SignUpResult>("sign_up", cfg),
        signature::<ConfirmSignUpArgs, ()>("confirm_sign_up", cfg),
        signature::<ResendCodeArgs, Option<CodeDeliveryView>>("resend_confirmation_code", cfg),
        no_args::<WhoAmIView>("whoami", cfg),
        no_args::<WhoAmIView>("refresh", cfg),
        no_args::<()>("sign_out", cfg),
        no_args::<()>("sign_out_everywhere", cfg),
        no_args::<()>("ui_ready", cfg),
    ]
}

/// The names of every command, for the permission and handler checks in tests.
pub fn command_names() -> Vec<&'static str> {
    command_signatures(&ts_rs::Config::default())
        .into_iter()
        .map(|signature| signature.name)
        .collect()
}

/// The text of `ui/src/ipc/bindings.ts`.
pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::default().with_large_int("number");
    let declarations = [
        CommandError::decl(&cfg),
        WhoAmIView::decl(&cfg),
        SignInOutcome::decl(&cfg),
        CodeDeliveryView::decl(&cfg),
        SignUpResult::decl(&cfg),
        BackendKind::decl(&cfg),
        BackendView::decl(&cfg),
        SignInArgs::decl(&cfg),
        SignUpArgs::decl(&cfg),
        ConfirmSignUpArgs::decl(&cfg),
        ResendCodeArgs::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/src/ipc.rs by ts-rs. Do not edit: run\n\
         // `COFFER_UPDATE_BINDINGS=1 cargo test -p coffer-app bindings` to regenerate.\n\n",
    );
    for declaration in declarations {
        out.push_str("export ");
        out.push_str(&declaration);
        out.push_str("\n\n");
    }
    out.push_str("/** Every IPC command: its `args` (or `null`) and its result. */\n");
    out.push_str("export type Commands = {\n");
    for command in command_signatures(&cfg) {
        let args = command.args.as_deref().unwrap_or("null");
        out.push_str(&format!(
            "  {}: {{ args: {args}; result: {} }};\n",
            command.name, command.result
        ));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_arguments_are_redacted_in_debug() {
        let args: SignInArgs =
            serde_json::from_str(r#"{"username":"ada@example.com","password":"Hunter2!x"}"#)
                .unwrap();
        let shown = format!("{args:?}");
        assert!(shown.contains("ada@example.com"), "{shown}");
        assert!(!shown.contains("Hunter2!x"), "{shown}");
        let args: ConfirmSignUpArgs =
            serde_json::from_str(r#"{"username":"ada","code":"123456"}"#).unwrap();
        assert!(!format!("{args:?}").contains("123456"));
    }

    #[test]
    fn sign_in_outcomes_are_tagged_by_step() {
        let outcome = SignInOutcome::Unsupported {
            challenge: "SMS_MFA".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(outcome).unwrap(),
            serde_json::json!({"step": "unsupported", "challenge": "SMS_MFA"})
        );
    }
}
