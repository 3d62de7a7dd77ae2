//! Errors: [`CognitoError`] is what a client sees on the wire; [`LocalCloudError`] is what
//! starting the emulator can fail with.
//!
//! A `CognitoError` carries the AWS error type (`__type`) and the message worded as Cognito words
//! it. Messages are fixed strings or name a request member; they never echo a request value, so a
//! password sent in the wrong field cannot come back in an error body or a log line.

use std::path::PathBuf;

use http::StatusCode;

/// The AWS error types the emulator answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Wrong credentials, bad or revoked token, flow not allowed.
    NotAuthorized,
    /// The user does not exist (only when the client does not hide that).
    UserNotFound,
    /// The user signed up but has not confirmed.
    UserNotConfirmed,
    /// Sign-up with a username or email already taken.
    UsernameExists,
    /// A wrong verification code.
    CodeMismatch,
    /// A verification code that expired or was already used.
    ExpiredCode,
    /// Too many wrong attempts.
    LimitExceeded,
    /// Too many requests in flight (pending challenges).
    TooManyRequests,
    /// A missing or invalid request member.
    InvalidParameter,
    /// A password the pool's policy refuses.
    InvalidPassword,
    /// A wrong code in VerifySoftwareToken.
    EnableSoftwareTokenMfa,
    /// VerifySoftwareToken before AssociateSoftwareToken.
    SoftwareTokenMfaNotFound,
    /// An e-mail or phone number already used by another user as a sign-in alias.
    AliasExists,
    /// An administrator required a password reset.
    PasswordResetRequired,
    /// No such pool or client.
    ResourceNotFound,
    /// A refresh token given where another kind was expected, or the reverse.
    UnsupportedTokenType,
    /// An operation the client is not configured for.
    UnsupportedOperation,
    /// RevokeToken from the wrong client.
    Unauthorized,
    /// The `X-Amz-Target` names no operation.
    UnknownOperation,
    /// The body is not JSON of the expected shape.
    Serialization,
    /// A signed call with an access key the emulator did not issue.
    UnrecognizedClient,
    /// A SigV4 signature that does not verify or is too old.
    InvalidSignature,
    /// A malformed `Authorization` header.
    IncompleteSignature,
    /// An admin call without any signature.
    MissingAuthenticationToken,
    /// The request body is larger than the emulator accepts.
    RequestEntityTooLarge,
    /// An identity pool without the role a credential needs.
    InvalidIdentityPoolConfiguration,
    /// A bug or an I/O failure in the emulator.
    InternalError,
}

impl ErrorKind {
    /// The `__type` / `x-amzn-ErrorType` value.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::NotAuthorized => "NotAuthorizedException",
            Self::UserNotFound => "UserNotFoundException",
            Self::UserNotConfirmed => "UserNotConfirmedException",
            Self::UsernameExists => "UsernameExistsException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::ExpiredCode => "ExpiredCodeException",
            Self::LimitExceeded => "LimitExceededException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::InvalidPassword => "InvalidPasswordException",
            Self::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            Self::SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            Self::AliasExists => "AliasExistsException",
            Self::PasswordResetRequired => "PasswordResetRequiredException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::UnsupportedTokenType => "UnsupportedTokenTypeException",
            Self::UnsupportedOperation => "UnsupportedOperationException",
            Self::Unauthorized => "UnauthorizedException",
            Self::UnknownOperation => "UnknownOperationException",
            Self::Serialization => "SerializationException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::InvalidSignature => "InvalidSignatureException",
            Self::IncompleteSignature => "IncompleteSignatureException",
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::RequestEntityTooLarge => "RequestEntityTooLargeException",
            Self::InvalidIdentityPoolConfiguration => "InvalidIdentityPoolConfigurationException",
            Self::InternalError => "InternalErrorException",
        }
    }

    /// The HTTP status AWS answers this error with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::RequestEntityTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// An error answered to a client, shaped like Cognito's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", kind.wire_name())]
pub struct CognitoError {
    /// The AWS error type.
    pub kind: ErrorKind,
    /// The human-readable message, worded as Cognito words it.
    pub message: String,
}

impl CognitoError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// `NotAuthorizedException` with `message`.
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }

    /// `InvalidParameterException` with `message`.
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    /// The answer to any failed password or SRP proof.
    pub fn incorrect_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }

    /// `UserNotFoundException`, as Cognito words it.
    pub fn user_not_found() -> Self {
        Self::new(ErrorKind::UserNotFound, "User does not exist.")
    }

    /// `ResourceNotFoundException` for an unknown pool.
    pub fn pool_not_found(pool_id: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFound,
            format!("User pool {pool_id} does not exist."),
        )
    }

    /// `ResourceNotFoundException` for an unknown app client.
    pub fn client_not_found(client_id: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFound,
            format!("User pool client {client_id} does not exist."),
        )
    }

    /// A required member that is absent (AWS validation wording, member in lower camel case).
    pub fn missing_member(member: &str) -> Self {
        Self::invalid_parameter(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_camel(member)
        ))
    }

    /// A member that breaks a documented constraint.
    pub fn constraint(member: &str, constraint: &str) -> Self {
        Self::invalid_parameter(format!(
            "1 validation error detected: Value at '{}' failed to satisfy constraint: {constraint}",
            lower_camel(member)
        ))
    }

    /// `NotAuthorizedException` for a missing or wrong SECRET_HASH.
    pub fn secret_hash_mismatch(client_id: &str) -> Self {
        Self::not_authorized(format!(
            "Unable to verify secret hash for client {client_id}"
        ))
    }

    /// `InternalErrorException`; the detail goes to the log, not to the client.
    pub fn internal() -> Self {
        Self::new(ErrorKind::InternalError, "Internal server error")
    }
}

fn lower_camel(member: &str) -> String {
    let mut chars = member.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Why the local cloud could not start (or could not persist its state).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalCloudError {
    /// Reading or writing a file in the data directory failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: std::net::SocketAddr,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `state.json` or another data file is not what this version writes.
    #[error("{path} is not a valid local-cloud data file: {reason}")]
    CorruptData {
        /// The file.
        path: PathBuf,
        /// What is wrong with it (never its contents).
        reason: String,
    },
    /// Key generation or another cryptographic step failed.
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    /// The CloudFormation template could not be provisioned (nothing was created).
    #[error("{}: {source}", path.display())]
    Template {
        /// The template file.
        path: PathBuf,
        /// The evaluator's or provisioner's error (names resources and properties, no values).
        #[source]
        source: cfn_template::TemplateError,
    },
    /// The data directory was provisioned from another template or other parameters.
    #[error("this data directory holds stack `{stack_name}` provisioned from a different template or parameters; stacks are not updated in place: use a new data directory")]
    StackChanged {
        /// The recorded stack.
        stack_name: String,
    },
    /// The stack's outputs do not describe a Coffer backend.
    #[error("the stack outputs cannot make a client config: {reason}")]
    StackOutputs {
        /// Why.
        reason: String,
    },
}

impl LocalCloudError {
    /// A stable identifier for UIs and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "data_dir_io",
            Self::Bind { .. } => "bind_failed",
            Self::CorruptData { .. } => "corrupt_data",
            Self::Crypto(_) => "crypto_failure",
            Self::Template { .. } => "template_failed",
            Self::StackChanged { .. } => "stack_changed",
            Self::StackOutputs { .. } => "stack_outputs",
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_member_uses_aws_validation_wording() {
        let err = CognitoError::missing_member("ClientId");
        assert_eq!(err.kind, ErrorKind::InvalidParameter);
        assert_eq!(
            err.message,
            "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn statuses_match_aws() {
        assert_eq!(ErrorKind::NotAuthorized.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            ErrorKind::InternalError.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            ErrorKind::RequestEntityTooLarge.status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}
