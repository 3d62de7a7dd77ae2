//! Command-line syntax (clap derive). Passwords and codes are deliberately not arguments: they
//! would show in the process list and shell history.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const AFTER_HELP: &str = "\
Config: --config FILE, else $COFFER_CONFIG, else coffer.toml in the platform config directory, \
else the local cloud's demo config (written by `coffer local-cloud`).

Secrets: passwords are read from a hidden prompt, or from one line of stdin with \
--password-stdin; confirmation codes from a prompt, or one line of stdin when stdin is not a \
terminal. Tokens are kept in the OS keychain only.

Exit status: 0 success, 1 other error, 2 usage or input error, 3 config error, \
4 sign-in refused, 5 request rejected (code, password policy, existing user), \
6 not signed in or sign-in expired, 7 keychain unavailable, 8 endpoint unreachable, \
9 rate limited, 10 local cloud could not start, 11 access denied, 12 no such file, \
130 upload paused by Ctrl-C (run the same command again to resume).";

/// Coffer: a client for Amazon Cognito user pools, and a local cloud to try it on.
#[derive(Debug, Parser)]
#[command(name = "coffer", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Client config file (TOML). Default: $COFFER_CONFIG, the platform config dir, then the
    /// local cloud's demo config.
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
    /// Sign in (SRP: the password is never sent).
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
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// The file's key (relative to your folder).
    pub key: String,
}

#[derive(Debug, Args)]
pub struct LocalCloudArgs {
    /// Address to listen on.
    #[arg(long, default_value = coffer_core::DEFAULT_LOCAL_CLOUD_ADDR)]
    pub addr: SocketAddr,
    /// Data directory (default: the platform data dir's `coffer/local-cloud`).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
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
    #[arg(long)]
    pub username: String,
    /// Read the password from the first line of stdin instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
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
