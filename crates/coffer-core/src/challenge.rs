//! What every challenge step shares: the sign-in's context (`Flow`), the opaque challenge
//! `Session`, the dispatch from Cognito's answer to the next [`SignInStep`], and
//! [`StepError`], which hands a step back when it can be answered again.
//!
//! # Retrying a step
//!
//! Answering a step consumes it. When the answer is refused in a way the user can correct —
//! a wrong or already-used code, a new password the policy refuses, a missing attribute, a
//! network failure — the error comes back as a [`StepError`] that still holds the step:
//! [`StepError::into_retry`] returns it, with its Session, so the user types the code again
//! without restarting the sign-in. When the sign-in itself is over (the Session expired or was
//! used up, too many attempts), [`StepError::into_retry`] returns `None`. `StepError` converts
//! into [`Error`] with `?`, so callers that do not retry lose nothing.
//!
//! The Session is a bearer secret for the rest of the sign-in: it lives only inside the step
//! values, its `Debug` is redacted, and it is zeroed on drop.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, ChallengeNameType};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::client::Client;
use crate::devices::{self, DeviceSecrets};
use crate::error::{Error, Operation};
use crate::idp::map_sdk_error;
use crate::mfa::{MfaCodeStep, MfaKind, SelectMfaStep};
use crate::new_password::NewPasswordStep;
use crate::session::DeviceRemembering;
use crate::sign_in::SignInStep;

/// Cognito's opaque challenge Session: proof that the steps so far were passed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct ChallengeSession(String);

impl ChallengeSession {
    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ChallengeSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChallengeSession([redacted])")
    }
}

/// The context of one sign-in, carried from step to step.
#[derive(Clone)]
pub(crate) struct Flow {
    pub(crate) client: Client,
    /// USER_ID_FOR_SRP: the pool's username, sent as USERNAME in every challenge answer.
    pub(crate) username: String,
    /// The name the person signed in with (an e-mail in e-mail-username pools), for labels
    /// they will read, such as the authenticator app's account name.
    pub(crate) sign_in_name: String,
    /// Confirm and remember this device when Cognito offers to (NewDeviceMetadata).
    pub(crate) remember_device: bool,
    /// The remembered device's secrets, when this device is remembered for the user.
    pub(crate) device: Option<DeviceSecrets>,
    /// Whether the device proved itself (DEVICE_SRP_AUTH) in this sign-in.
    pub(crate) device_proven: bool,
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flow")
            .field("username", &self.username)
            .field("sign_in_name", &self.sign_in_name)
            .field("remember_device", &self.remember_device)
            .field("device", &self.device)
            .field("device_proven", &self.device_proven)
            .finish_non_exhaustive()
    }
}

/// The parts of InitiateAuth / RespondToAuthChallenge output that decide the next step.
pub(crate) struct ChallengeOutput {
    pub(crate) challenge_name: Option<ChallengeNameType>,
    pub(crate) parameters: HashMap<String, String>,
    pub(crate) session: Option<String>,
    pub(crate) result: Option<AuthenticationResultType>,
}

impl From<aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput>
    for ChallengeOutput
{
    fn from(
        output: aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    ) -> Self {
        Self {
            challenge_name: output.challenge_name,
            parameters: output.challenge_parameters.unwrap_or_default(),
            session: output.session,
            result: output.authentication_result,
        }
    }
}

impl Flow {
    /// Sends RespondToAuthChallenge with `responses` (USERNAME and SECRET_HASH are added).
    pub(crate) async fn respond(
        &self,
        challenge: ChallengeNameType,
        mut responses: HashMap<String, String>,
        session: Option<&ChallengeSession>,
    ) -> Result<ChallengeOutput, Error> {
        let client = &self.client;
        responses.insert("USERNAME".to_owned(), self.username.clone());
        if let Some(hash) = client.secret_hash(&self.username) {
            responses.insert("SECRET_HASH".to_owned(), hash);
        }
        let output = client
            .inner
            .idp
            .respond_to_auth_challenge()
            .client_id(client.config().client_id())
            .challenge_name(challenge)
            .set_challenge_responses(Some(responses))
            .set_session(session.map(|session| session.expose().to_owned()))
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::Challenge, &client.endpoint(), error))?;
        Ok(output.into())
    }

    /// Turns Cognito's answer into the next step: tokens become [`SignInStep::Done`] (after
    /// remembering the device when asked), DEVICE_SRP_AUTH is answered here, and every other
    /// challenge becomes a step for the caller.
    pub(crate) async fn next_step(mut self, output: ChallengeOutput) -> Result<SignInStep, Error> {
        let mut output = output;
        // DEVICE_SRP_AUTH needs no user input: answer it (at most once) and look again.
        if output.challenge_name == Some(ChallengeNameType::DeviceSrpAuth) {
            output = devices::answer_device_challenge(&self, output).await?;
            self.device_proven = true;
        }
        if let Some(user_id) = output.parameters.get("USER_ID_FOR_SRP") {
            self.username = user_id.clone();
        }
        let Some(challenge) = output.challenge_name.clone() else {
            return self.finish(output.result).await;
        };
        let session = output
            .session
            .take()
            .map(ChallengeSession::new)
            .ok_or_else(|| Error::Protocol {
                reason: format!(
                    "the {} challenge came without a Session",
                    challenge.as_str()
                ),
            });
        let step = match challenge {
            ChallengeNameType::SoftwareTokenMfa => SignInStep::MfaCode(MfaCodeStep::new(
                self,
                session?,
                MfaKind::Totp,
                &output.parameters,
            )),
            ChallengeNameType::SmsMfa => SignInStep::MfaCode(MfaCodeStep::new(
                self,
                session?,
                MfaKind::Sms,
                &output.parameters,
            )),
            ChallengeNameType::EmailOtp => SignInStep::MfaCode(MfaCodeStep::new(
                self,
                session?,
                MfaKind::Email,
                &output.parameters,
            )),
            ChallengeNameType::SelectMfaType => {
                SignInStep::SelectMfa(SelectMfaStep::new(self, session?, &output.parameters)?)
            }
            ChallengeNameType::MfaSetup => {
                let offered = parse_name_list(output.parameters.get("MFAS_CAN_SETUP"));
                crate::mfa_setup::setup_step(self, session?, &offered).await?
            }
            ChallengeNameType::NewPasswordRequired => {
                SignInStep::NewPassword(NewPasswordStep::new(self, session?, &output.parameters))
            }
            other => SignInStep::Unsupported {
                challenge: other.as_str().to_owned(),
            },
        };
        Ok(step)
    }

    /// The sign-in is complete: verify and keep the tokens, then remember the device if asked.
    async fn finish(self, result: Option<AuthenticationResultType>) -> Result<SignInStep, Error> {
        let client = self.client.clone();
        let new_device = result
            .as_ref()
            .and_then(|result| result.new_device_metadata.clone());
        let session = client.session_from_result(result, None).await?;
        let mut session = client.keep_session(session).await?;
        if self.device.is_some() && new_device.is_some() && !self.device_proven {
            // The pool did not know the device we announced (forgotten elsewhere) and made a
            // new one: the old secrets are useless.
            if let Err(error) = client.delete_device(&self.username).await {
                tracing::warn!(code = error.code(), "could not delete stale device secrets");
            }
        }
        let remembering = match (&self.device, new_device) {
            // Signed in as the remembered device: it stays remembered.
            (Some(device), _) if self.device_proven => DeviceRemembering::Remembered {
                device_key: device.device_key().to_owned(),
            },
            // A new device: confirmed (tracked) even when remembering was not asked, since
            // the refresh token works only for a confirmed device.
            (_, Some(metadata)) => {
                devices::track_new_device(
                    &client,
                    &self.username,
                    &session,
                    metadata,
                    self.remember_device,
                )
                .await
            }
            // Known to the pool but not remembered (e.g. set to not_remembered elsewhere).
            (Some(device), None) if self.remember_device => {
                devices::remember_known_device(&client, &session, device.device_key()).await
            }
            (None, None) if self.remember_device => DeviceRemembering::NotOffered,
            _ => DeviceRemembering::NotRequested,
        };
        session.set_device(remembering);
        Ok(SignInStep::Done(session))
    }
}

/// A JSON array of names in a challenge parameter (MFAS_CAN_CHOOSE, MFAS_CAN_SETUP,
/// requiredAttributes). Missing or unreadable is empty.
pub(crate) fn parse_name_list(value: Option<&String>) -> Vec<String> {
    value
        .and_then(|text| serde_json::from_str::<Vec<String>>(text).ok())
        .unwrap_or_default()
}

/// An answer that was refused. Holds the step again when it can be answered again (see the
/// module docs); converts into [`Error`] with `?`.
pub struct StepError<S> {
    error: Error,
    retry: Option<S>,
}

impl<S> StepError<S> {
    /// Builds the error, keeping `step` only when `error` leaves the step answerable.
    pub(crate) fn new(error: Error, step: S) -> Self {
        let retry = is_retryable(&error).then_some(step);
        Self { error, retry }
    }

    /// Builds the error, keeping `step` whatever the error (for refusals a particular step
    /// knows the user can correct, such as an e-mail address already in use).
    pub(crate) fn with_step(error: Error, step: S) -> Self {
        Self {
            error,
            retry: Some(step),
        }
    }

    /// An error after which the step cannot be answered again.
    pub(crate) fn fatal(error: Error) -> Self {
        Self { error, retry: None }
    }

    /// Why the answer was refused.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// Whether the step came back and can be answered again.
    pub fn can_retry(&self) -> bool {
        self.retry.is_some()
    }

    /// The step, to answer again; `None` when the sign-in must start over.
    pub fn into_retry(self) -> Option<S> {
        self.retry
    }

    /// The error and, when answerable again, the step.
    pub fn into_parts(self) -> (Error, Option<S>) {
        (self.error, self.retry)
    }

    /// The error alone.
    pub fn into_error(self) -> Error {
        self.error
    }
}

/// Errors the user can correct by answering the same step again.
fn is_retryable(error: &Error) -> bool {
    matches!(
        error,
        Error::CodeMismatch
            | Error::ExpiredCode
            | Error::InvalidPassword { .. }
            | Error::InvalidParameter { .. }
            | Error::MissingAttributes { .. }
            | Error::EndpointUnreachable { .. }
    )
}

impl<S> std::fmt::Debug for StepError<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepError")
            .field("error", &self.error)
            .field("can_retry", &self.retry.is_some())
            .finish()
    }
}

impl<S> std::fmt::Display for StepError<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.error, f)
    }
}

impl<S> std::error::Error for StepError<S> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<S> From<StepError<S>> for Error {
    fn from(error: StepError<S>) -> Self {
        error.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_lists_parse_json_arrays_and_tolerate_garbage() {
        let text = r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#.to_owned();
        assert_eq!(
            parse_name_list(Some(&text)),
            vec!["SMS_MFA".to_owned(), "SOFTWARE_TOKEN_MFA".to_owned()]
        );
        assert!(parse_name_list(Some(&"not json".to_owned())).is_empty());
        assert!(parse_name_list(None).is_empty());
    }

    #[test]
    fn only_correctable_errors_give_the_step_back() {
        assert!(StepError::new(Error::CodeMismatch, ()).can_retry());
        assert!(StepError::new(
            Error::InvalidPassword {
                policy: "too short".into()
            },
            ()
        )
        .can_retry());
        assert!(!StepError::new(Error::SessionExpired, ()).can_retry());
        assert!(!StepError::new(Error::TooManyRequests, ()).can_retry());
        let error: Error = StepError::new(Error::CodeMismatch, ()).into();
        assert_eq!(error.code(), "code_mismatch");
    }

    #[test]
    fn challenge_session_debug_is_redacted() {
        let session = ChallengeSession::new("AYABeSecretSessionText".into());
        assert_eq!(format!("{session:?}"), "ChallengeSession([redacted])");
    }
}
