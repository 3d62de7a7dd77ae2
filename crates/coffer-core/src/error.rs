//! The crate's error type, and the pure mapping from Cognito's error codes to it.
//!
//! Every variant has a stable [`Error::code`] that user interfaces switch on; `Display` is a
//! sentence for people and never contains a password, code or token. Server messages are kept
//! only where they help the user (the password policy, an invalid parameter) — Cognito does
//! not echo secrets in them.

use std::error::Error as StdError;

use crate::config::ConfigError;
use crate::storage::StorageError;
use crate::store::StoreError;
use crate::tokens::TokenError;

type BoxError = Box<dyn StdError + Send + Sync>;

/// Everything that can go wrong in the Coffer client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The config could not be found or read.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The keychain could not be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A token (or the pool's key set) failed verification.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The hosted-UI (browser) sign-in failed.
    #[error(transparent)]
    HostedUi(#[from] crate::oauth::OAuthError),

    /// Storing, listing, fetching or deleting files failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A setting the operation needs is missing from the config.
    #[error("the config has no `{setting}`")]
    NotConfigured {
        /// The missing setting.
        setting: &'static str,
    },
    /// The identity pool does not allow guests.
    #[error("this identity pool does not allow guest access; sign in instead")]
    GuestAccessDisabled,
    /// The identity id is unknown to the identity pool.
    #[error("the identity pool does not know this identity")]
    IdentityNotFound,
    /// The identity pool refused the identity or the login.
    #[error("the identity pool refused the request: {message}")]
    IdentityRefused {
        /// Cognito's description.
        message: String,
    },

    /// Cognito refused the username/password pair (it does not say which is wrong).
    #[error("incorrect username or password")]
    WrongUsernameOrPassword,
    /// The user signed up but has not confirmed the account yet.
    #[error("the account is not confirmed yet; confirm it with the code that was sent")]
    UserNotConfirmed,
    /// No such user (pools that reveal user existence only).
    #[error("no such user")]
    UserNotFound,
    /// The user is disabled by an administrator.
    #[error("the user is disabled")]
    UserDisabled,
    /// An administrator requires a password reset.
    #[error("a password reset is required for this user")]
    PasswordResetRequired,
    /// The verification code is wrong.
    #[error("the verification code is wrong")]
    CodeMismatch,
    /// The verification code has expired.
    #[error("the verification code has expired; request a new one")]
    ExpiredCode,
    /// Sign-up with a username (or alias) that exists.
    #[error("an account with this username already exists")]
    UsernameExists,
    /// The password does not meet the pool's password policy.
    #[error("the password does not meet the pool's policy: {policy}")]
    InvalidPassword {
        /// Cognito's description of the unmet rule.
        policy: String,
    },
    /// Cognito refused a parameter.
    #[error("invalid request: {message}")]
    InvalidParameter {
        /// Cognito's description.
        message: String,
    },
    /// Rate limited, or too many failed attempts.
    #[error("too many requests or failed attempts; wait a while and try again")]
    TooManyRequests,
    /// The app client's secret (or its absence) does not match the app client.
    #[error("the app client's secret does not match; check `client_secret` in the config")]
    ClientSecretMismatch,
    /// The tokens were revoked (signed out, possibly on another device).
    #[error("the sign-in was revoked; sign in again")]
    TokenRevoked,
    /// The sign-in must start again: the refresh token expired or is no longer valid, or a
    /// challenge Session (MFA, new password) expired after its three minutes or was used up.
    #[error("the sign-in has expired; sign in again")]
    SessionExpired,
    /// The access token lacks the `aws.cognito.signin.user.admin` scope that every
    /// token-authorised user-pool call (GetUser, ChangePassword, GlobalSignOut, the MFA and
    /// device calls) needs: a browser (hosted-UI) sign-in that did not get that scope, because
    /// the app client does not allow it or it was not asked for. Signing in again does not help
    /// until the app client allows the scope.
    #[error("this sign-in's access token lacks the aws.cognito.signin.user.admin scope")]
    MissingScope,
    /// No tokens are stored for this pool and client.
    #[error("not signed in")]
    NotSignedIn,
    /// A new-password answer lacks attributes the pool requires.
    #[error("the pool requires these attributes: {}", names.join(", "))]
    MissingAttributes {
        /// The missing attribute names (e.g. `name`).
        names: Vec<String>,
    },
    /// No device is remembered here for the signed-in user.
    #[error("this device is not remembered for the signed-in user")]
    DeviceNotRemembered,
    /// Any other error Cognito reported, with its code.
    #[error("the user pool refused the request ({code}){}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Service {
        /// The AWS error code, e.g. `ResourceNotFoundException`.
        code: String,
        /// The AWS error message.
        message: Option<String>,
    },
    /// The endpoint could not be reached (connection refused, DNS, TLS, timeout).
    #[error("cannot reach {endpoint}")]
    EndpointUnreachable {
        /// The endpoint URL.
        endpoint: String,
        /// The transport error.
        #[source]
        source: BoxError,
    },
    /// The service answered something a Cognito client does not expect.
    #[error("unexpected answer from the user pool: {reason}")]
    Protocol {
        /// What was unexpected.
        reason: String,
    },
    /// The SRP exchange could not be computed (bad server values).
    #[error("the SRP exchange failed")]
    Srp(#[source] cognito_srp::SrpError),
    /// A bug or an environment problem (e.g. a background task panicked).
    #[error("internal error while {what}")]
    Internal {
        /// What was being done.
        what: &'static str,
        /// The cause, when there is one.
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    /// Stable machine-readable code (snake_case) for user interfaces.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(error) => error.code(),
            Self::Store(error) => error.code(),
            Self::Token(error) => error.code(),
            Self::HostedUi(error) => error.code(),
            Self::Storage(error) => error.code(),
            Self::NotConfigured { .. } => "not_configured",
            Self::GuestAccessDisabled => "guest_access_disabled",
            Self::IdentityNotFound => "identity_not_found",
            Self::IdentityRefused { .. } => "identity_refused",
            Self::WrongUsernameOrPassword => "wrong_username_or_password",
            Self::UserNotConfirmed => "user_not_confirmed",
            Self::UserNotFound => "user_not_found",
            Self::UserDisabled => "user_disabled",
            Self::PasswordResetRequired => "password_reset_required",
            Self::CodeMismatch => "code_mismatch",
            Self::ExpiredCode => "code_expired",
            Self::UsernameExists => "username_exists",
            Self::InvalidPassword { .. } => "invalid_password",
            Self::InvalidParameter { .. } => "invalid_parameter",
            Self::TooManyRequests => "too_many_requests",
            Self::ClientSecretMismatch => "client_secret_mismatch",
            Self::TokenRevoked => "token_revoked",
            Self::SessionExpired => "session_expired",
            Self::MissingScope => "missing_scope",
            Self::NotSignedIn => "not_signed_in",
            Self::MissingAttributes { .. } => "missing_attributes",
            Self::DeviceNotRemembered => "device_not_remembered",
            Self::Service { .. } => "service_error",
            Self::EndpointUnreachable { .. } => "endpoint_unreachable",
            Self::Protocol { .. } => "protocol_error",
            Self::Srp(_) => "srp_failed",
            Self::Internal { .. } => "internal_error",
        }
    }
}

/// The Cognito call an error came from; the same AWS code means different things in
/// different calls (`NotAuthorizedException` is a wrong password at sign-in, a revoked
/// token at refresh).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    SignIn,
    Refresh,
    SignUp,
    ConfirmSignUp,
    ResendCode,
    RevokeToken,
    GlobalSignOut,
    /// Answering a sign-in challenge (MFA, new password, device), with its Session.
    Challenge,
    /// VerifySoftwareToken (during a sign-in or for a signed-in user).
    VerifyTotp,
    /// A call with the user's access token (MFA preference, devices, password, attributes).
    Account,
    /// ForgotPassword / ConfirmForgotPassword.
    PasswordReset,
    GetId,
    GetCredentials,
}

/// Maps a Cognito service error (AWS error code and message) to [`Error`].
pub(crate) fn classify_service_error(
    operation: Operation,
    code: Option<&str>,
    message: Option<&str>,
) -> Error {
    let message_text = || message.map(str::to_owned).unwrap_or_default();
    if matches!(operation, Operation::GetId | Operation::GetCredentials) {
        if let Some(error) = classify_identity_error(operation, code, message) {
            return error;
        }
    }
    match code.unwrap_or_default() {
        "NotAuthorizedException" => classify_not_authorized(operation, code, message),
        "UserNotConfirmedException" => Error::UserNotConfirmed,
        "UserNotFoundException" => Error::UserNotFound,
        "PasswordResetRequiredException" => Error::PasswordResetRequired,
        "CodeMismatchException" | "EnableSoftwareTokenMFAException" => Error::CodeMismatch,
        "ExpiredCodeException" => Error::ExpiredCode,
        "UsernameExistsException" | "AliasExistsException" => Error::UsernameExists,
        "InvalidPasswordException" => Error::InvalidPassword {
            policy: message_text(),
        },
        "InvalidParameterException" => Error::InvalidParameter {
            message: message_text(),
        },
        "LimitExceededException"
        | "TooManyRequestsException"
        | "TooManyFailedAttemptsException" => Error::TooManyRequests,
        other => Error::Service {
            code: if other.is_empty() {
                "Unknown".to_owned()
            } else {
                other.to_owned()
            },
            message: message.map(str::to_owned),
        },
    }
}

/// Cognito Identity's answers to GetId and GetCredentialsForIdentity; `None` for codes that
/// mean the same as in the user-pool API (throttling, invalid parameter).
fn classify_identity_error(
    operation: Operation,
    code: Option<&str>,
    message: Option<&str>,
) -> Option<Error> {
    let text = message.unwrap_or_default();
    let lower = text.to_ascii_lowercase();
    Some(match code.unwrap_or_default() {
        "NotAuthorizedException" if lower.contains("unauthenticated access") => {
            Error::GuestAccessDisabled
        }
        "NotAuthorizedException"
            if lower.contains("token is expired") || lower.contains("token expired") =>
        {
            Error::SessionExpired
        }
        "NotAuthorizedException" | "ResourceConflictException" => Error::IdentityRefused {
            message: text.to_owned(),
        },
        "ResourceNotFoundException" if operation == Operation::GetCredentials => {
            Error::IdentityNotFound
        }
        _ => return None,
    })
}

fn classify_not_authorized(
    operation: Operation,
    code: Option<&str>,
    message: Option<&str>,
) -> Error {
    let lower = message.unwrap_or_default().to_ascii_lowercase();
    if lower.contains("secret hash") || lower.contains("secret_hash") {
        return Error::ClientSecretMismatch;
    }
    if lower.contains("disabled") {
        return Error::UserDisabled;
    }
    if lower.contains("attempts exceeded") {
        return Error::TooManyRequests;
    }
    // "Access Token does not have required scopes": a token without
    // aws.cognito.signin.user.admin (a hosted-UI sign-in); the session is fine, so this is not
    // "expired" even though the message names the token.
    if lower.contains("does not have required scopes") {
        return Error::MissingScope;
    }
    // "Invalid session for the user, session is expired." / "... can only be used once.":
    // the challenge Session is spent; the sign-in must start again.
    if matches!(
        operation,
        Operation::SignIn | Operation::Challenge | Operation::VerifyTotp
    ) && lower.contains("session")
    {
        return Error::SessionExpired;
    }
    match operation {
        Operation::SignIn => Error::WrongUsernameOrPassword,
        Operation::Challenge | Operation::Account if lower.contains("incorrect") => {
            Error::WrongUsernameOrPassword
        }
        // VerifySoftwareToken authorises with the access token when TOTP is set up from the
        // account (not during sign-in), so its token answers read as an account call's.
        Operation::Account | Operation::VerifyTotp if lower.contains("revoked") => {
            Error::TokenRevoked
        }
        Operation::Account | Operation::VerifyTotp if lower.contains("access token") => {
            Error::SessionExpired
        }
        Operation::Account if lower.contains("token") => Error::SessionExpired,
        Operation::Refresh | Operation::RevokeToken | Operation::GlobalSignOut => {
            if lower.contains("revoked") {
                Error::TokenRevoked
            } else {
                // "Refresh Token has expired", "Invalid Refresh Token", "Access Token has
                // expired": in every case the user must sign in again.
                Error::SessionExpired
            }
        }
        Operation::SignUp
        | Operation::ConfirmSignUp
        | Operation::ResendCode
        | Operation::Challenge
        | Operation::VerifyTotp
        | Operation::Account
        | Operation::PasswordReset
        | Operation::GetId
        | Operation::GetCredentials => Error::Service {
            code: code.unwrap_or("NotAuthorizedException").to_owned(),
            message: message.map(str::to_owned),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(operation: Operation, code: &str, message: &str) -> Error {
        classify_service_error(operation, Some(code), Some(message))
    }

    #[test]
    fn identity_pool_answers() {
        let cases = [
            (
                Operation::GetId,
                "NotAuthorizedException",
                "Unauthenticated access is not supported for this identity pool.",
                "guest_access_disabled",
            ),
            (
                Operation::GetCredentials,
                "NotAuthorizedException",
                "Invalid login token. Token is expired.",
                "session_expired",
            ),
            (
                Operation::GetCredentials,
                "NotAuthorizedException",
                "Logins don't match. Please include at least one valid login for this identity or identity pool.",
                "identity_refused",
            ),
            (
                Operation::GetCredentials,
                "ResourceNotFoundException",
                "Identity 'us-east-1:x' not found.",
                "identity_not_found",
            ),
            (
                Operation::GetId,
                "ResourceNotFoundException",
                "IdentityPool 'us-east-1:x' not found.",
                "service_error",
            ),
            (
                Operation::GetId,
                "TooManyRequestsException",
                "Rate exceeded",
                "too_many_requests",
            ),
        ];
        for (operation, code, message, expected) in cases {
            assert_eq!(
                classify(operation, code, message).code(),
                expected,
                "{message}"
            );
        }
    }

    #[test]
    fn not_authorized_depends_on_the_operation_and_message() {
        let cases = [
            (
                Operation::SignIn,
                "Incorrect username or password.",
                "wrong_username_or_password",
            ),
            (Operation::SignIn, "User is disabled.", "user_disabled"),
            (
                Operation::SignIn,
                "Password attempts exceeded",
                "too_many_requests",
            ),
            (
                Operation::SignIn,
                "Unable to verify secret hash for client 1example23456789",
                "client_secret_mismatch",
            ),
            (
                Operation::Refresh,
                "Refresh Token has been revoked",
                "token_revoked",
            ),
            (
                Operation::Refresh,
                "Refresh Token has expired",
                "session_expired",
            ),
            (
                Operation::Refresh,
                "Invalid Refresh Token",
                "session_expired",
            ),
            (
                Operation::GlobalSignOut,
                "Access Token has been revoked",
                "token_revoked",
            ),
            (
                Operation::GlobalSignOut,
                "Access Token has expired",
                "session_expired",
            ),
            (
                Operation::GlobalSignOut,
                "Access Token does not have required scopes",
                "missing_scope",
            ),
        ];
        for (operation, message, expected) in cases {
            let error = classify(operation, "NotAuthorizedException", message);
            assert_eq!(error.code(), expected, "{operation:?} {message:?}");
        }
        let challenge_cases = [
            (
                Operation::Challenge,
                "Invalid session for the user, session is expired.",
                "session_expired",
            ),
            (
                Operation::VerifyTotp,
                "Invalid session for the user, session can only be used once.",
                "session_expired",
            ),
            (
                Operation::Account,
                "Incorrect username or password.",
                "wrong_username_or_password",
            ),
            (
                Operation::Account,
                "Access Token has been revoked",
                "token_revoked",
            ),
            (
                Operation::Account,
                "Access Token has expired",
                "session_expired",
            ),
            (
                Operation::Account,
                "Access Token does not have required scopes",
                "missing_scope",
            ),
            (
                Operation::VerifyTotp,
                "Access Token has been revoked",
                "token_revoked",
            ),
            (
                Operation::VerifyTotp,
                "Access Token has expired",
                "session_expired",
            ),
        ];
        for (operation, message, expected) in challenge_cases {
            let error = classify(operation, "NotAuthorizedException", message);
            assert_eq!(error.code(), expected, "{operation:?} {message:?}");
        }
        let error = classify(
            Operation::PasswordReset,
            "NotAuthorizedException",
            "User password cannot be reset in the current state.",
        );
        assert_eq!(error.code(), "service_error");
        let error = classify(
            Operation::ConfirmSignUp,
            "NotAuthorizedException",
            "User cannot be confirmed. Current status is CONFIRMED",
        );
        assert!(matches!(&error, Error::Service { code, .. } if code == "NotAuthorizedException"));
    }

    #[test]
    fn codes_map_to_their_variants() {
        let cases = [
            ("UserNotConfirmedException", "user_not_confirmed"),
            ("UserNotFoundException", "user_not_found"),
            ("CodeMismatchException", "code_mismatch"),
            ("EnableSoftwareTokenMFAException", "code_mismatch"),
            ("ExpiredCodeException", "code_expired"),
            ("UsernameExistsException", "username_exists"),
            ("InvalidParameterException", "invalid_parameter"),
            ("LimitExceededException", "too_many_requests"),
            ("TooManyRequestsException", "too_many_requests"),
            ("TooManyFailedAttemptsException", "too_many_requests"),
            ("PasswordResetRequiredException", "password_reset_required"),
        ];
        for (code, expected) in cases {
            assert_eq!(
                classify(Operation::SignIn, code, "msg").code(),
                expected,
                "{code}"
            );
        }
    }

    #[test]
    fn invalid_password_keeps_the_policy_message() {
        let error = classify(
            Operation::SignUp,
            "InvalidPasswordException",
            "Password did not conform with policy: Password must have uppercase characters",
        );
        assert_eq!(error.code(), "invalid_password");
        assert!(error
            .to_string()
            .contains("Password must have uppercase characters"));
    }

    #[test]
    fn other_service_errors_keep_the_aws_code() {
        let error = classify(
            Operation::SignIn,
            "ResourceNotFoundException",
            "User pool client abc does not exist.",
        );
        assert_eq!(error.code(), "service_error");
        let message = error.to_string();
        assert!(message.contains("ResourceNotFoundException"), "{message}");
        assert!(message.contains("does not exist"), "{message}");
        let error = classify_service_error(Operation::SignIn, None, None);
        assert!(matches!(&error, Error::Service { code, message: None } if code == "Unknown"));
    }
}
