//! The IPC contract between the web view and the app: argument and result types of every
//! command, and the TypeScript declarations generated from them.
//!
//! The UI imports `ui/src/ipc/bindings.ts`, which [`typescript_bindings`] writes from these
//! types with `ts-rs` (never by hand): a test fails when the checked-in file differs from what
//! the Rust types give, and `COFFER_UPDATE_BINDINGS=1 cargo test -p coffer-app bindings`
//! rewrites it. The file also declares a `Commands` map (command name → args and result), so a
//! misspelt command or a wrong argument shape fails the UI's type check.
//!
//! Secrets cross this boundary inward (passwords and codes in arguments, wrapped into the
//! core's secret types at once) and outward in one place only: [`TotpSetupView`], the
//! authenticator secret the user must see to set up the app (redacted in `Debug`, zeroed on
//! drop). No result carries a token or a challenge Session. Argument types redact secrets in
//! `Debug`.

use std::fmt;

use std::collections::BTreeMap;

use coffer_core::{
    CodeDelivery, DeliveryMedium, DeviceInfo, DeviceRemembering, MfaKind, MfaPreference,
    MfaSettings, TotpSetup, WhoAmI,
};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use ts_rs::TS;
use zeroize::Zeroize;

use crate::error::CommandError;

mod files;
pub use files::{
    FileKeyArgs, FileListingView, FileView, FilesMode, FilesModeArgs, GuestAdoptionView,
    LeftGuestFileView, ListFilesArgs, RenamedGuestFileView, UploadEvent, UploadIdArgs, UploadState,
    UploadTargetArgs,
};

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

/// Where a sign-in stands after a step was answered (the password, a code, a choice…).
///
/// Every variant but `signedIn` and `unsupported` names the screen the UI shows next; the core
/// step behind it waits in the app state until the matching command answers it (or
/// `cancel_sign_in`, `sign_in` or `sign_out` drops it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "step", rename_all = "camelCase")]
#[ts(tag = "step", rename_all = "camelCase")]
pub enum SignInOutcome {
    /// Signed in; the tokens are verified and in the keychain.
    SignedIn {
        /// Who is signed in.
        who: WhoAmIView,
        /// Whether this device is now remembered (the next sign-in here skips MFA).
        device: DeviceRememberingView,
    },
    /// A one-time code: from the authenticator app, or sent by SMS or e-mail
    /// (`answer_mfa_code`).
    MfaCode {
        /// Which factor.
        kind: MfaKindView,
        /// Where an SMS or e-mail code went (masked); `null` for the authenticator app.
        delivery: Option<CodeDeliveryView>,
    },
    /// Several second factors: choose one (`choose_mfa`).
    SelectMfa {
        /// The factors offered, in the pool's order.
        options: Vec<MfaKindView>,
    },
    /// The pool requires MFA and the user has none: set up an authenticator app, then answer
    /// with its first code (`answer_totp_setup`).
    SetUpTotp {
        /// The secret, as a QR code and as text.
        setup: TotpSetupView,
    },
    /// The pool requires MFA and the user has none; several factors can be set up: choose one
    /// (`choose_mfa_setup`). `totp` leads to `setUpTotp`, `email` to `setUpEmailMfa`.
    SelectMfaSetup {
        /// The factors that can be set up, in the pool's order.
        options: Vec<MfaKindView>,
    },
    /// The pool requires MFA and the user has none: give the e-mail address sign-in codes go
    /// to (`answer_email_mfa_setup`). A code is mailed there and the sign-in continues with
    /// `mfaCode` (e-mail); once answered, the address is the user's verified e-mail.
    SetUpEmailMfa,
    /// The password is temporary: choose a new one, with the attributes the pool requires
    /// (`answer_new_password`).
    NewPassword {
        /// Attribute names the pool requires and the user lacks (e.g. `name`).
        #[serde(rename = "requiredAttributes")]
        #[ts(rename = "requiredAttributes")]
        required_attributes: Vec<String>,
    },
    /// Cognito asked for a step this version does not answer (e.g. `CUSTOM_CHALLENGE`).
    Unsupported {
        /// The Cognito challenge name (e.g. `CUSTOM_CHALLENGE`, or `MFA_SETUP (SMS_MFA)` when
        /// only SMS could be set up); for a step of a newer coffer-core this app does not
        /// know, the step's name.
        challenge: String,
    },
}

/// Whether a finished sign-in left this device remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum DeviceRememberingView {
    /// Not asked for (and not remembered before).
    NotRequested,
    /// Remembered: the next sign-in of this user here skips MFA.
    Remembered,
    /// Asked for, but the user pool does not remember devices.
    NotOffered,
    /// Asked for, but confirming the device failed (the sign-in itself worked).
    Failed,
}

impl From<&DeviceRemembering> for DeviceRememberingView {
    fn from(device: &DeviceRemembering) -> Self {
        match device {
            DeviceRemembering::NotRequested => Self::NotRequested,
            DeviceRemembering::Remembered { .. } => Self::Remembered,
            DeviceRemembering::NotOffered => Self::NotOffered,
            // DeviceRemembering is non-exhaustive: anything new is reported as a failure.
            _ => Self::Failed,
        }
    }
}

/// A second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum MfaKindView {
    /// Authenticator app (TOTP).
    Totp,
    /// Text message.
    Sms,
    /// E-mail.
    Email,
}

impl MfaKindView {
    /// The view of a core kind; `None` for a kind this app does not know yet.
    pub fn from_core(kind: MfaKind) -> Option<Self> {
        match kind {
            MfaKind::Totp => Some(Self::Totp),
            MfaKind::Sms => Some(Self::Sms),
            MfaKind::Email => Some(Self::Email),
            _ => None,
        }
    }

    /// The views of `kinds`, in their order, leaving out kinds this app does not know yet.
    pub fn list(kinds: &[MfaKind]) -> Vec<Self> {
        kinds.iter().copied().filter_map(Self::from_core).collect()
    }
}

impl From<MfaKindView> for MfaKind {
    fn from(kind: MfaKindView) -> Self {
        match kind {
            MfaKindView::Totp => MfaKind::Totp,
            MfaKindView::Sms => MfaKind::Sms,
            MfaKindView::Email => MfaKind::Email,
        }
    }
}

/// What an authenticator app needs, shown once while setting it up. This is the only value
/// that carries a secret out of the app process: the UI shows it (QR code and text for manual
/// entry) and drops it. Its `Debug` is redacted and its text is zeroed on drop.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TotpSetupView {
    /// The account label in the authenticator app (the e-mail or username).
    pub account: String,
    /// The base32 secret, for typing into the app by hand.
    pub secret: String,
    /// The `otpauth://totp/…` URI (contains the secret).
    pub otpauth_uri: String,
    /// The QR code of the URI, as an SVG document.
    pub qr_svg: String,
}

impl TotpSetupView {
    /// The view of a core setup (fails only if the QR code cannot be encoded).
    pub fn from_core(setup: &TotpSetup) -> Result<Self, coffer_core::Error> {
        Ok(Self {
            account: setup.account().to_owned(),
            secret: setup.secret().expose().to_owned(),
            otpauth_uri: setup.otpauth_uri().as_str().to_owned(),
            qr_svg: setup.qr_svg()?.as_str().to_owned(),
        })
    }
}

impl fmt::Debug for TotpSetupView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpSetupView")
            .field("account", &self.account)
            .field("secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl Drop for TotpSetupView {
    fn drop(&mut self) {
        self.secret.zeroize();
        self.otpauth_uri.zeroize();
        self.qr_svg.zeroize();
    }
}

/// The user's MFA settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct MfaSettingsView {
    /// The factors turned on.
    pub enabled: Vec<MfaKindView>,
    /// The preferred one, if any.
    pub preferred: Option<MfaKindView>,
}

impl From<MfaSettings> for MfaSettingsView {
    fn from(settings: MfaSettings) -> Self {
        Self {
            enabled: MfaKindView::list(&settings.enabled),
            preferred: settings.preferred.and_then(MfaKindView::from_core),
        }
    }
}

/// Which second factor the user prefers; `none` turns MFA off for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum MfaPreferenceView {
    /// Authenticator app.
    Totp,
    /// Text message.
    Sms,
    /// E-mail.
    Email,
    /// No second factor.
    None,
}

impl From<MfaPreferenceView> for MfaPreference {
    fn from(preference: MfaPreferenceView) -> Self {
        match preference {
            MfaPreferenceView::Totp => MfaPreference::Totp,
            MfaPreferenceView::Sms => MfaPreference::Sms,
            MfaPreferenceView::Email => MfaPreference::Email,
            MfaPreferenceView::None => MfaPreference::None,
        }
    }
}

/// One of the user's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DeviceView {
    /// The device key.
    pub device_key: String,
    /// Its name, if it gave one.
    pub name: Option<String>,
    /// Whether it is remembered (skips MFA).
    pub remembered: bool,
    /// When it was first confirmed (RFC 3339).
    pub created: Option<String>,
    /// When it last signed in (RFC 3339).
    pub last_authenticated: Option<String>,
    /// Whether it is this computer.
    pub is_this_device: bool,
}

impl From<DeviceInfo> for DeviceView {
    fn from(device: DeviceInfo) -> Self {
        let time = |at: Option<time::OffsetDateTime>| at.and_then(|at| at.format(&Rfc3339).ok());
        Self {
            created: time(device.created),
            last_authenticated: time(device.last_authenticated),
            device_key: device.device_key,
            name: device.name,
            remembered: device.remembered,
            is_this_device: device.is_this_device,
        }
    }
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
    /// Whether the config has a `[hosted_ui]` section (browser sign-in is offered).
    pub hosted_ui: bool,
    /// The identity providers configured for the hosted UI (`COGNITO`, `LocalIdP`, …); empty
    /// without a `[hosted_ui]` section.
    pub hosted_ui_providers: Vec<String>,
    /// Why the backend cannot be changed from the settings screen (e.g. `COFFER_CONFIG` names
    /// the config); `null` when it can.
    pub change_unavailable: Option<String>,
}

/// The kind of backend file picked in the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum BackendFileFormat {
    /// Amplify Gen 2's `amplify_outputs.json`.
    AmplifyOutputs,
    /// A Coffer config (`coffer.toml`).
    CofferToml,
}

/// A backend file picked in the settings, read and checked: what the person confirms before
/// Coffer switches to it (`use_chosen_backend`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct BackendFileView {
    /// The file picked.
    pub file: String,
    /// What kind of file it is.
    pub format: BackendFileFormat,
    /// Where confirming saves it (the app's config file).
    pub saved_to: String,
    /// The AWS region.
    pub region: String,
    /// The user pool.
    pub user_pool_id: String,
    /// The app client.
    pub client_id: String,
    /// The identity pool (files, guest access), if any.
    pub identity_pool_id: Option<String>,
    /// The S3 bucket for files, if any.
    pub bucket: Option<String>,
    /// The hosted UI's domain (browser sign-in), if any.
    pub hosted_ui_domain: Option<String>,
    /// The Cognito user-pool endpoint.
    pub endpoint: String,
    /// Whether every endpoint is AWS's own (no `[endpoints]` overrides).
    pub aws_endpoints: bool,
}

/// Arguments of `sign_in_hosted_ui`.
#[derive(Debug, Deserialize, TS)]
pub struct HostedUiArgs {
    /// Go straight to this identity provider (`null`: the hosted UI's own choice page).
    pub provider: Option<String>,
}

/// Arguments of `sign_in`.
#[derive(Deserialize, TS)]
pub struct SignInArgs {
    /// What the user typed as username (in the demo pool, the e-mail address).
    pub username: String,
    /// The password; only an SRP proof of it leaves the process.
    pub password: String,
    /// Remember this device once signed in, so later sign-ins here skip MFA.
    #[serde(default, rename = "rememberDevice")]
    #[ts(rename = "rememberDevice")]
    pub remember_device: bool,
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

/// Arguments of the commands that take one code (`answer_mfa_code`, `answer_totp_setup`,
/// `confirm_totp_setup`).
#[derive(Deserialize, TS)]
pub struct CodeArgs {
    /// The one-time code.
    pub code: String,
}

/// Arguments of `choose_mfa` (the factor for this sign-in) and `choose_mfa_setup` (the factor
/// to set up).
#[derive(Debug, Deserialize, TS)]
pub struct ChooseMfaArgs {
    /// The factor chosen among those offered.
    pub kind: MfaKindView,
}

/// Arguments of `answer_email_mfa_setup`.
#[derive(Debug, Deserialize, TS)]
pub struct EmailMfaSetupArgs {
    /// The address sign-in codes go to (surrounding spaces are ignored).
    pub email: String,
}

/// Arguments of `answer_new_password`.
#[derive(Deserialize, TS)]
pub struct NewPasswordArgs {
    /// The new password.
    pub password: String,
    /// Values of the attributes the pool requires (name → value).
    pub attributes: BTreeMap<String, String>,
}

/// Arguments of `forgot_password`.
#[derive(Debug, Deserialize, TS)]
pub struct ForgotPasswordArgs {
    /// The username (in the demo pool, the e-mail address).
    pub username: String,
}

/// Arguments of `confirm_forgot_password`.
#[derive(Deserialize, TS)]
pub struct ConfirmForgotPasswordArgs {
    /// The username the code was sent for.
    pub username: String,
    /// The code that was sent.
    pub code: String,
    /// The new password.
    pub password: String,
}

/// Arguments of `change_password`.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ChangePasswordArgs {
    /// The current password.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
}

/// Arguments of `set_mfa_preference`.
#[derive(Debug, Deserialize, TS)]
pub struct MfaPreferenceArgs {
    /// The preferred factor, or `none`.
    pub preference: MfaPreferenceView,
}

/// Arguments of `forget_device`.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ForgetDeviceArgs {
    /// The device to forget; `null` for this device.
    pub device_key: Option<String>,
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
redacted_debug!(SignInArgs { username, remember_device } hides password);
redacted_debug!(SignUpArgs { email } hides password);
redacted_debug!(ConfirmSignUpArgs { username } hides code);
redacted_debug!(CodeArgs {} hides code);
redacted_debug!(NewPasswordArgs { attributes } hides password);
redacted_debug!(ConfirmForgotPasswordArgs { username } hides code, password);
redacted_debug!(ChangePasswordArgs {} hides current_password, new_password);

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
        signature::<CodeArgs, SignInOutcome>("answer_mfa_code", cfg),
        signature::<ChooseMfaArgs, SignInOutcome>("choose_mfa", cfg),
        signature::<CodeArgs, SignInOutcome>("answer_totp_setup", cfg),
        signature::<NewPasswordArgs, SignInOutcome>("answer_new_password", cfg),
        signature::<ChooseMfaArgs, SignInOutcome>("choose_mfa_setup", cfg),
        signature::<EmailMfaSetupArgs, SignInOutcome>("answer_email_mfa_setup", cfg),
        no_args::<()>("cancel_sign_in", cfg),
        signature::<HostedUiArgs, SignInOutcome>("sign_in_hosted_ui", cfg),
        no_args::<()>("cancel_hosted_ui", cfg),
        signature::<ForgotPasswordArgs, Option<CodeDeliveryView>>("forgot_password", cfg),
        signature::<ConfirmForgotPasswordArgs, ()>("confirm_forgot_password", cfg),
        signature::<ChangePasswordArgs, ()>("change_password", cfg),
        no_args::<TotpSetupView>("begin_totp_setup", cfg),
        signature::<CodeArgs, ()>("confirm_totp_setup", cfg),
        signature::<MfaPreferenceArgs, ()>("set_mfa_preference", cfg),
        no_args::<MfaSettingsView>("mfa_settings", cfg),
        no_args::<Vec<DeviceView>>("list_devices", cfg),
        signature::<ForgetDeviceArgs, String>("forget_device", cfg),
        signature::<ListFilesArgs, FileListingView>("list_files", cfg),
        no_args::<Option<GuestAdoptionView>>("adopt_guest_files", cfg),
        // Also takes a `channel` (a `Channel<UploadEvent>`) beside `args`: the UI calls it
        // through `Backend.watchUploads`, not `call`.
        signature::<FilesModeArgs, Vec<UploadEvent>>("watch_uploads", cfg),
        signature::<FilesModeArgs, Vec<UploadEvent>>("list_uploads", cfg),
        signature::<UploadTargetArgs, Vec<UploadEvent>>("pick_and_upload", cfg),
        signature::<UploadIdArgs, ()>("pause_upload", cfg),
        signature::<UploadIdArgs, UploadEvent>("resume_upload", cfg),
        signature::<UploadIdArgs, UploadEvent>("replace_upload", cfg),
        signature::<UploadIdArgs, ()>("cancel_upload", cfg),
        signature::<FileKeyArgs, Option<String>>("download_file", cfg),
        signature::<FileKeyArgs, ()>("delete_file", cfg),
        no_args::<Option<BackendFileView>>("choose_backend_file", cfg),
        no_args::<BackendView>("use_chosen_backend", cfg),
        no_args::<()>("cancel_backend_choice", cfg),
        no_args::<BackendView>("use_local_cloud", cfg),
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
        BackendFileFormat::decl(&cfg),
        BackendFileView::decl(&cfg),
        SignInArgs::decl(&cfg),
        SignUpArgs::decl(&cfg),
        ConfirmSignUpArgs::decl(&cfg),
        ResendCodeArgs::decl(&cfg),
        DeviceRememberingView::decl(&cfg),
        MfaKindView::decl(&cfg),
        TotpSetupView::decl(&cfg),
        MfaSettingsView::decl(&cfg),
        MfaPreferenceView::decl(&cfg),
        DeviceView::decl(&cfg),
        CodeArgs::decl(&cfg),
        ChooseMfaArgs::decl(&cfg),
        NewPasswordArgs::decl(&cfg),
        EmailMfaSetupArgs::decl(&cfg),
        HostedUiArgs::decl(&cfg),
        ForgotPasswordArgs::decl(&cfg),
        ConfirmForgotPasswordArgs::decl(&cfg),
        ChangePasswordArgs::decl(&cfg),
        MfaPreferenceArgs::decl(&cfg),
        ForgetDeviceArgs::decl(&cfg),
        FilesMode::decl(&cfg),
        FilesModeArgs::decl(&cfg),
        ListFilesArgs::decl(&cfg),
        FileView::decl(&cfg),
        FileListingView::decl(&cfg),
        GuestAdoptionView::decl(&cfg),
        LeftGuestFileView::decl(&cfg),
        RenamedGuestFileView::decl(&cfg),
        FileKeyArgs::decl(&cfg),
        UploadTargetArgs::decl(&cfg),
        UploadIdArgs::decl(&cfg),
        UploadState::decl(&cfg),
        UploadEvent::decl(&cfg),
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
    fn the_totp_setup_never_shows_its_secret_in_debug() {
        let view = TotpSetupView {
            account: "ada@example.com".to_owned(),
            secret: "JBSWY3DPEHPK3PXP".to_owned(),
            otpauth_uri: "otpauth://totp/Coffer:ada?secret=JBSWY3DPEHPK3PXP".to_owned(),
            qr_svg: "<svg/>".to_owned(),
        };
        let outcome = SignInOutcome::SetUpTotp {
            setup: view.clone(),
        };
        for shown in [format!("{view:?}"), format!("{outcome:?}")] {
            assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
        // It does cross IPC, in camelCase, for the setup screen.
        let json = serde_json::to_value(&outcome).unwrap();
        assert_eq!(json["step"], "setUpTotp");
        assert_eq!(json["setup"]["secret"], "JBSWY3DPEHPK3PXP");
        assert!(json["setup"]["otpauthUri"].is_string());
    }

    #[test]
    fn secrets_in_the_new_arguments_are_redacted_in_debug() {
        let args: ChangePasswordArgs = serde_json::from_str(
            r#"{"currentPassword":"Old-Secret-1","newPassword":"New-Secret-2"}"#,
        )
        .unwrap();
        let shown = format!("{args:?}");
        assert!(!shown.contains("Secret"), "{shown}");
        let args: ConfirmForgotPasswordArgs =
            serde_json::from_str(r#"{"username":"ada","code":"654321","password":"New-Secret-2"}"#)
                .unwrap();
        let shown = format!("{args:?}");
        assert!(shown.contains("ada") && !shown.contains("654321") && !shown.contains("Secret"));
        let args: CodeArgs = serde_json::from_str(r#"{"code":"654321"}"#).unwrap();
        assert!(!format!("{args:?}").contains("654321"));
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
        let outcome = SignInOutcome::SelectMfaSetup {
            options: MfaKindView::list(&[MfaKind::Totp, MfaKind::Email]),
        };
        assert_eq!(
            serde_json::to_value(outcome).unwrap(),
            serde_json::json!({"step": "selectMfaSetup", "options": ["totp", "email"]})
        );
        assert_eq!(
            serde_json::to_value(SignInOutcome::SetUpEmailMfa).unwrap(),
            serde_json::json!({"step": "setUpEmailMfa"})
        );
    }
}
