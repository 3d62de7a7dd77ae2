//! Command-line syntax (clap derive). Passwords and codes are deliberately not arguments: they
//! would show in the process list and shell history.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const AFTER_HELP: &str = "\
Config: --config FILE, else $COFFER_CONFIG, else coffer.toml in the platform config directory, \
else the local cloud's demo config (written by `coffer local-cloud`).

Secrets: passwords are read from a hidden prompt, or from one line of stdin with \
--password-stdin; confirmation and MFA codes (and other answers) from a prompt, or one line of \
stdin each when stdin is not a terminal, in the order they are asked. Tokens and remembered \
devices are kept in the OS keychain only.

Exit status: 0 success, 1 other error, 2 usage or input error, 3 config error, \
4 sign-in refused, 5 request rejected (code, password policy, existing user, \
a file that exists and is not to be replaced, an upload of the same file already running), \
6 not signed in or sign-in expired, 7 keychain unavailable, 8 endpoint unreachable, \
9 rate limited, 10 local cloud could not start, 11 access denied, 12 no such file (or, on AWS, one that cannot be read), \
130 upload paused by Ctrl-C (run the same command again to resume).";

/// Coffer: a client for Amazon Cognito user pools, and a local cloud to try it on.
#[derive(Debug, Parser)]
#[command(name = "coffer", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Client config file (TOML, or Amplify Gen 2's amplify_outputs.json). Default:
    /// $COFFER_CONFIG, the platform config dir, then the local cloud's demo config.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug, -vvv trace). Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Act as a guest of the identity pool (no sign-in; files under `guest/<identity id>/`).
    #[arg(long, global = true)]
    pub guest: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the local cloud (Cognito emulator) until Ctrl-C.
    LocalCloud(LocalCloudArgs),
    /// Create an account.
    SignUp(SignUpArgs),
    /// Confirm an account with the code that was sent.
    ConfirmSignUp(UsernameArgs),
    /// Send the confirmation code again.
    ResendCode(UsernameArgs),
    /// Sign in: SRP (the password is never sent), or the hosted UI in the browser (--hosted-ui).
    SignIn(SignInArgs),
    /// Show who is signed in.
    Whoami(WhoamiArgs),
    /// Refresh the stored tokens now.
    Refresh,
    /// Sign out: revoke the tokens and delete them from the keychain.
    SignOut(SignOutArgs),
    /// Upload files to your folder (`private/<identity id>/`). Ctrl-C pauses; run the same
    /// command again to resume.
    Upload(UploadArgs),
    /// List your files.
    Ls(LsArgs),
    /// Download one of your files.
    Get(GetArgs),
    /// Delete one of your files.
    Rm(RmArgs),
    /// Print temporary AWS credentials as `credential_process` JSON (for the AWS CLI, SDKs).
    Credentials,
    /// Multi-factor authentication: set up an authenticator app, choose the preferred factor.
    #[command(subcommand)]
    Mfa(MfaCommand),
    /// Reset a forgotten password, or change it.
    #[command(subcommand)]
    Password(PasswordCommand),
    /// Remembered devices of the signed-in user.
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// Attributes of the signed-in user (e-mail, phone number, name, ...).
    #[command(subcommand)]
    Attributes(AttributesCommand),
    /// Make the client config (TOML, on stdout) for a backend deployed to AWS.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// From `aws cloudformation describe-stacks --stack-name NAME` JSON of a stack made from
    /// infra/coffer.yaml ("-" reads stdin).
    FromStack(BackendFileArgs),
    /// From Amplify Gen 2's amplify_outputs.json ("-" reads stdin).
    FromAmplify(BackendFileArgs),
}

#[derive(Debug, Args)]
pub struct BackendFileArgs {
    /// The JSON file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Files to upload.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Folder to put them in (relative to your folder).
    #[arg(long, value_name = "DIR", default_value = "")]
    pub to: String,
    /// Parts sent at once.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// No progress bars.
    #[arg(long)]
    pub quiet: bool,
    /// Replace files that already exist in the folder. Without it, an upload to a name that
    /// is taken is refused and the stored file is left as it is.
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Folder to list (relative to your folder).
    #[arg(default_value = "")]
    pub dir: String,
    /// Print JSON lines: {"key", "size", "last_modified"} and {"dir"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The file's key (relative to your folder), as `coffer ls` shows it.
    pub key: String,
    /// Where to save it (a file, or an existing directory); default: its name, here.
    pub dest: Option<PathBuf>,
    /// Replace the local file if it exists. Without it, an existing file is left as it is
    /// and nothing is written.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// The file's key (relative to your folder).
    pub key: String,
}

#[derive(Debug, Subcommand)]
pub enum MfaCommand {
    /// Set up an authenticator app (TOTP): shows a QR code, then asks for the first code.
    SetupTotp(SetupTotpArgs),
    /// Choose the preferred second factor, or turn MFA off.
    Prefer(PreferArgs),
    /// Show the enabled and preferred second factors.
    Status,
}

#[derive(Debug, Args)]
pub struct SetupTotpArgs {
    /// Print the otpauth:// URI (which contains the secret) on stdout even when stdout is not
    /// a terminal, for scripts. Without it, the QR code and URI go only to a terminal.
    #[arg(long)]
    pub print_secret: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MfaChoice {
    /// Authenticator app.
    Totp,
    /// Text message.
    Sms,
    /// E-mail.
    Email,
    /// No second factor.
    None,
}

#[derive(Debug, Args)]
pub struct PreferArgs {
    /// The factor to prefer.
    #[arg(value_enum)]
    pub factor: MfaChoice,
}

#[derive(Debug, Subcommand)]
pub enum PasswordCommand {
    /// Reset a forgotten password: a code is sent, then asked for with the new password.
    Forgot(ForgotArgs),
    /// Change the signed-in user's password.
    Change(PasswordStdinArgs),
}

#[derive(Debug, Args)]
pub struct ForgotArgs {
    /// Username (or e-mail, in pools that sign in by e-mail).
    #[arg(long)]
    pub username: String,
    /// Read the new password from stdin (the line after the code) instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct PasswordStdinArgs {
    /// Read the passwords from stdin (current, then new; one line each) instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List the signed-in user's devices.
    List(JsonArgs),
    /// Forget a device (this one when no key is given); it will be asked for MFA again.
    Forget(ForgetArgs),
}

#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The device key (default: this device).
    pub device_key: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AttributesCommand {
    /// List the signed-in user's attributes.
    List(JsonArgs),
    /// Set attributes: NAME=VALUE ... (a new e-mail or phone number gets a code to verify).
    Update(UpdateAttributesArgs),
    /// Verify an attribute (email, phone_number) with the code that was sent.
    Verify(AttributeNameArgs),
    /// Send a new verification code for an attribute.
    SendCode(AttributeNameArgs),
}

#[derive(Debug, Args)]
pub struct UpdateAttributesArgs {
    /// NAME=VALUE pairs.
    #[arg(required = true, value_name = "NAME=VALUE")]
    pub attributes: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AttributeNameArgs {
    /// The attribute name (e.g. email, phone_number).
    pub name: String,
}

#[derive(Debug, Args)]
pub struct LocalCloudArgs {
    /// Address to listen on.
    #[arg(long, default_value = coffer_core::DEFAULT_LOCAL_CLOUD_ADDR)]
    pub addr: SocketAddr,
    /// Data directory (default: the platform data dir's `coffer/local-cloud`).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Provision from this CloudFormation template (e.g. infra/coffer.yaml) instead of the
    /// built-in demo backend. A data directory keeps the stack it was first provisioned with.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// A template parameter, `Key=Value` (repeat for more).
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = parse_parameter, requires = "template")]
    pub parameters: Vec<(String, String)>,
    /// The stack name (`AWS::StackName`) when provisioning from a template.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "coffer",
        requires = "template"
    )]
    pub stack_name: String,
}

fn parse_parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err("expected KEY=VALUE".to_owned()),
    }
}

#[derive(Debug, Args)]
pub struct SignUpArgs {
    /// Username (in pools that sign in by e-mail, the e-mail address).
    #[arg(long)]
    pub username: String,
    /// E-mail address (default: the username, when it contains '@').
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from the first line of stdin instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UsernameArgs {
    /// Username (or e-mail, in pools that sign in by e-mail).
    #[arg(long)]
    pub username: String,
}

#[derive(Debug, Args)]
pub struct SignInArgs {
    /// Username (or e-mail, in pools that sign in by e-mail).
    #[arg(
        long,
        required_unless_present = "hosted_ui",
        conflicts_with = "hosted_ui"
    )]
    pub username: Option<String>,
    /// Read the password from the first line of stdin instead of prompting (a new password,
    /// when one is required, from the next line).
    #[arg(long, conflicts_with = "hosted_ui")]
    pub password_stdin: bool,
    /// Remember this device, so that later sign-ins here skip MFA (if the pool tracks
    /// devices). Its secrets go to the OS keychain.
    #[arg(long, conflicts_with = "hosted_ui")]
    pub remember_device: bool,
    /// If an authenticator app must be set up, print its otpauth:// URI (which contains the
    /// secret) on stdout even when stdout is not a terminal.
    #[arg(long)]
    pub print_secret: bool,
    /// Sign in through the hosted UI in the system browser (set COFFER_BROWSER=none to only
    /// print the URL), with the redirect on a loopback port from `[hosted_ui] redirect_uris`.
    #[arg(long)]
    pub hosted_ui: bool,
    /// With --hosted-ui: go straight to this identity provider (e.g. LocalIdP, Google).
    #[arg(long, requires = "hosted_ui", value_name = "NAME")]
    pub provider: Option<String>,
    /// With --hosted-ui: seconds to wait for the browser.
    #[arg(
        long,
        requires = "hosted_ui",
        default_value_t = 300,
        value_name = "SECONDS"
    )]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Print JSON: {"username", "sub", "email", "identity_id", "expires_at"}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SignOutArgs {
    /// Sign out on every device (GlobalSignOut) instead of this one only.
    #[arg(long)]
    pub global: bool,
}
