//! How a failed command ends: one line on stderr (`error: …`, with a hint where one helps) and
//! an exit status that scripts can rely on (listed in `coffer --help`).

use std::error::Error as StdError;
use std::process::ExitCode;

use coffer_core::Error as CoreError;
use coffer_core::StorageError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// An error from the Coffer client.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A password or code could not be read.
    #[error("{0}")]
    Input(String),
    /// Sign-in stopped at a challenge this version cannot answer.
    #[error("sign-in needs the {challenge} step, which this version of coffer cannot answer yet")]
    UnsupportedChallenge { challenge: String },
    /// The local cloud could not start or stopped with an error.
    #[error("the local cloud failed")]
    LocalCloud(#[source] local_cloud::LocalCloudError),
    /// No platform data directory for the default `--data`.
    #[error("no home directory to keep the local cloud's data in; pass --data DIR")]
    NoDataDir,
    /// No platform data directory for the upload journals.
    #[error("no home directory to keep upload journals in")]
    NoJournalDir,
    /// An upload was paused (Ctrl-C); its journal is kept.
    #[error("upload paused; run the same command again to resume")]
    Paused,
    /// A backend description (stack outputs, amplify_outputs.json) could not be read or used.
    #[error("{path}: {reason}")]
    BackendDescription { path: String, reason: String },
    /// Two files of one `coffer upload` would go to the same key.
    #[error(
        "{first} and {second} would both be uploaded as {key}; upload them to different folders"
    )]
    DuplicateDestination {
        key: String,
        first: String,
        second: String,
    },
    /// Writing the output failed (e.g. a closed pipe).
    #[error("cannot write the output")]
    Output(#[source] std::io::Error),
}

fn is_template_error(error: &local_cloud::LocalCloudError) -> bool {
    matches!(
        error.code(),
        "template_failed" | "stack_changed" | "stack_outputs"
    )
}

/// Exit statuses (also in the `--help` text; keep them stable).
pub mod exit {
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const CONFIG: u8 = 3;
    pub const SIGN_IN_REFUSED: u8 = 4;
    pub const REQUEST_REJECTED: u8 = 5;
    pub const NOT_SIGNED_IN: u8 = 6;
    pub const KEYCHAIN: u8 = 7;
    pub const UNREACHABLE: u8 = 8;
    pub const RATE_LIMITED: u8 = 9;
    pub const LOCAL_CLOUD: u8 = 10;
    pub const ACCESS_DENIED: u8 = 11;
    pub const NOT_FOUND: u8 = 12;
    /// 128 + SIGINT, as shells report a Ctrl-C.
    pub const PAUSED: u8 = 130;
}

impl Failure {
    /// The exit status for this failure's class.
    pub fn exit_status(&self) -> u8 {
        match self {
            Self::Core(error) => core_exit_status(error),
            Self::Input(_) | Self::DuplicateDestination { .. } => exit::USAGE,
            Self::UnsupportedChallenge { .. } => exit::SIGN_IN_REFUSED,
            Self::LocalCloud(_) | Self::NoDataDir => exit::LOCAL_CLOUD,
            Self::NoJournalDir | Self::Output(_) => exit::OTHER,
            Self::Paused => exit::PAUSED,
            Self::BackendDescription { .. } => exit::CONFIG,
        }
    }

    /// The single line printed on stderr.
    pub fn render(&self) -> String {
        let mut line = format!("error: {self}");
        if let Some(cause) = self.cause() {
            line.push_str(": ");
            line.push_str(&cause);
        }
        if let Some(hint) = self.hint() {
            line.push_str(" (");
            line.push_str(&hint);
            line.push(')');
        }
        // One line, whatever the messages contain.
        line.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The innermost cause, for the failures where it tells the user something
    /// (connection refused, address in use).
    fn cause(&self) -> Option<String> {
        let with_useful_cause: &dyn StdError = match self {
            Self::Core(CoreError::EndpointUnreachable { source, .. })
            | Self::Core(CoreError::Storage(StorageError::Unreachable { source, .. })) => {
                source.as_ref()
            }
            // Template errors say everything in their own message (file, resource, property);
            // their innermost cause alone would lose which resource failed.
            Self::LocalCloud(error) if is_template_error(error) => return Some(error.to_string()),
            Self::LocalCloud(error) => error,
            Self::Output(error) => error,
            _ => return None,
        };
        let mut innermost = with_useful_cause;
        while let Some(next) = innermost.source() {
            innermost = next;
        }
        Some(innermost.to_string())
    }

    fn hint(&self) -> Option<String> {
        let Self::Core(error) = self else {
            return match self {
                Self::LocalCloud(error) if is_template_error(error) => None,
                Self::LocalCloud(_) => {
                    Some("is another local cloud running? pass --addr to use another port".into())
                }
                _ => None,
            };
        };
        let hint = match error {
            CoreError::NotSignedIn | CoreError::SessionExpired | CoreError::TokenRevoked => {
                "run `coffer sign-in --username NAME`"
            }
            CoreError::UserNotConfirmed => {
                "run `coffer confirm-sign-up --username NAME`, or `coffer resend-code` for a new code"
            }
            CoreError::ExpiredCode => "ask for a new code: `coffer resend-code`, or sign in again for an MFA code",
            CoreError::DeviceNotRemembered => {
                "pass the device key: see `coffer devices list`"
            }
            CoreError::Store(coffer_core::StoreError::KeychainUnavailable { .. }) => {
                "coffer keeps tokens only in the OS keychain; on Linux, run a Secret Service such as gnome-keyring in this session"
            }
            CoreError::EndpointUnreachable { endpoint, .. }
            | CoreError::Storage(StorageError::Unreachable { endpoint, .. })
                if is_loopback(endpoint) =>
            {
                "is `coffer local-cloud` running?"
            }
            CoreError::GuestAccessDisabled => "run `coffer sign-in --username NAME` and try without --guest",
            CoreError::MissingScope => {
                "the app client must allow the aws.cognito.signin.user.admin OAuth scope; then sign in again with --hosted-ui, or sign in with `coffer sign-in --username NAME`"
            }
            CoreError::Storage(StorageError::AlreadyExists { .. }) => {
                "pass --overwrite to replace it"
            }
            CoreError::Storage(StorageError::LocalFileExists { .. }) => {
                "pass --force to replace it, or name another destination"
            }
            CoreError::Storage(StorageError::AccessDenied) => {
                "your credentials allow only your own folder; keys are relative to it"
            }
            _ => return None,
        };
        Some(hint.to_owned())
    }
}

fn is_loopback(endpoint: &str) -> bool {
    let host = endpoint
        .split("://")
        .nth(1)
        .unwrap_or(endpoint)
        .trim_start_matches('[');
    host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("::1")
}

fn core_exit_status(error: &CoreError) -> u8 {
    match error {
        CoreError::Config(_) => exit::CONFIG,
        CoreError::WrongUsernameOrPassword
        | CoreError::UserNotConfirmed
        | CoreError::UserNotFound
        | CoreError::UserDisabled
        | CoreError::PasswordResetRequired
        | CoreError::ClientSecretMismatch => exit::SIGN_IN_REFUSED,
        CoreError::CodeMismatch
        | CoreError::ExpiredCode
        | CoreError::UsernameExists
        | CoreError::InvalidPassword { .. }
        | CoreError::InvalidParameter { .. }
        | CoreError::MissingAttributes { .. }
        | CoreError::DeviceNotRemembered => exit::REQUEST_REJECTED,
        CoreError::NotSignedIn
        | CoreError::SessionExpired
        | CoreError::TokenRevoked
        | CoreError::Token(_) => exit::NOT_SIGNED_IN,
        CoreError::Store(_) => exit::KEYCHAIN,
        CoreError::NotConfigured { .. } => exit::CONFIG,
        CoreError::GuestAccessDisabled
        | CoreError::IdentityRefused { .. }
        | CoreError::IdentityNotFound => exit::SIGN_IN_REFUSED,
        CoreError::MissingScope => exit::ACCESS_DENIED,
        CoreError::Storage(error) => storage_exit_status(error),
        CoreError::EndpointUnreachable { .. } => exit::UNREACHABLE,
        CoreError::TooManyRequests => exit::RATE_LIMITED,
        CoreError::HostedUi(error) => match error.code() {
            "hosted_ui_not_configured" | "hosted_ui_no_loopback_redirect" => exit::CONFIG,
            "hosted_ui_denied" | "token_request_refused" => exit::SIGN_IN_REFUSED,
            _ => exit::OTHER,
        },
        _ => exit::OTHER,
    }
}

fn storage_exit_status(error: &StorageError) -> u8 {
    match error {
        StorageError::NoBucket => exit::CONFIG,
        StorageError::Key(_) => exit::USAGE,
        StorageError::AccessDenied => exit::ACCESS_DENIED,
        StorageError::NotFound { .. }
        | StorageError::MissingOrUnreadable { .. }
        | StorageError::NoSuchBucket { .. } => exit::NOT_FOUND,
        StorageError::AlreadyExists { .. }
        | StorageError::LocalFileExists { .. }
        | StorageError::UploadInProgress { .. } => exit::REQUEST_REJECTED,
        StorageError::CredentialsExpired => exit::NOT_SIGNED_IN,
        StorageError::Unreachable { .. } => exit::UNREACHABLE,
        _ => exit::OTHER,
    }
}

/// Prints the failure and returns the exit status.
pub fn report(failure: &Failure) -> ExitCode {
    eprintln!("{}", failure.render());
    ExitCode::from(failure.exit_status())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_line_with_hint() {
        let failure = Failure::Core(CoreError::NotSignedIn);
        assert_eq!(
            failure.render(),
            "error: not signed in (run `coffer sign-in --username NAME`)"
        );
        assert_eq!(failure.exit_status(), exit::NOT_SIGNED_IN);
    }

    #[test]
    fn unreachable_loopback_names_the_cause_and_suggests_the_local_cloud() {
        let source: Box<dyn StdError + Send + Sync> = Box::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        let failure = Failure::Core(CoreError::EndpointUnreachable {
            endpoint: "http://127.0.0.1:9".into(),
            source,
        });
        let line = failure.render();
        assert_eq!(
            line,
            "error: cannot reach http://127.0.0.1:9: Connection refused (is `coffer local-cloud` running?)"
        );
        assert_eq!(failure.exit_status(), exit::UNREACHABLE);
    }

    #[test]
    fn classes_have_distinct_statuses() {
        assert_eq!(
            Failure::Core(CoreError::WrongUsernameOrPassword).exit_status(),
            4
        );
        assert_eq!(Failure::Core(CoreError::CodeMismatch).exit_status(), 5);
        assert_eq!(Failure::Input("x".into()).exit_status(), 2);
        assert_eq!(Failure::Core(CoreError::TooManyRequests).exit_status(), 9);
    }
}
