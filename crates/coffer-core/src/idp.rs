//! Thin adapter over the official `aws-sdk-cognitoidentityprovider` client: building it from a
//! [`Config`] and turning its errors into [`Error`]s.
//!
//! No AWS credentials are configured: the user-pool operations Coffer uses (InitiateAuth,
//! RespondToAuthChallenge, SignUp, ConfirmSignUp, ResendConfirmationCode, RevokeToken,
//! GlobalSignOut) are unsigned public calls, on AWS as on the local cloud.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider as cip;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use cip::config::{BehaviorVersion, Region};
use cip::error::{ProvideErrorMetadata, SdkError};

use crate::config::Config;
use crate::error::{classify_service_error, Error, Operation};

/// Network limits for the Cognito calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkSettings {
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one attempt of a call.
    pub attempt_timeout: Duration,
    /// Time allowed for a whole call, retries included.
    pub operation_timeout: Duration,
    /// Attempts per call (1 = no retry). Retries cover throttling, 5xx and connection errors,
    /// with the SDK's standard jittered backoff.
    pub max_attempts: u32,
}

impl Default for NetworkSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(15),
            operation_timeout: Duration::from_secs(40),
            max_attempts: 3,
        }
    }
}

/// Builds the SDK client for the config's user-pool endpoint.
pub(crate) fn sdk_client(config: &Config, network: &NetworkSettings) -> cip::Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(network.connect_timeout)
        .operation_attempt_timeout(network.attempt_timeout)
        .operation_timeout(network.operation_timeout)
        .build();
    let sdk_config = cip::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(config.region().to_owned()))
        .endpoint_url(config.cognito_idp_endpoint())
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(network.max_attempts.max(1)))
        .build();
    cip::Client::from_conf(sdk_config)
}

/// Maps an SDK error to [`Error`]: service errors by their AWS code (in the context of
/// `operation`), transport failures to [`Error::EndpointUnreachable`].
pub(crate) fn map_sdk_error<E, R>(
    operation: Operation,
    endpoint: &str,
    error: SdkError<E, R>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match error {
        SdkError::ServiceError(context) => {
            let service_error = context.err();
            tracing::debug!(
                ?operation,
                code = service_error.code(),
                "the user pool refused the call"
            );
            classify_service_error(operation, service_error.code(), service_error.message())
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => Error::EndpointUnreachable {
            endpoint: endpoint.to_owned(),
            source: Box::new(error),
        },
        // The body of an unreadable response may contain tokens: keep only the fact.
        SdkError::ResponseError(_) => Error::Protocol {
            reason: "the response could not be parsed".to_owned(),
        },
        SdkError::ConstructionFailure(_) => Error::Internal {
            what: "building the request",
            source: Some(Box::new(error)),
        },
        _ => Error::Protocol {
            reason: "the call failed in an unexpected way".to_owned(),
        },
    }
}
