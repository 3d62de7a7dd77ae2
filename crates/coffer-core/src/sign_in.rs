//! Sign-in as typed steps (`USER_SRP_AUTH`, then whatever Cognito asks for).
//!
//! ```text
//! Client::sign_in(username) ─► SignIn                  [.remember_device(true)]
//!   SignIn::start()                    ─► PasswordVerifier  (InitiateAuth, USER_SRP_AUTH)
//!   PasswordVerifier::answer(password) ─► SignInStep        (RespondToAuthChallenge)
//!     ├─ MfaCode(MfaCodeStep)       TOTP / SMS / e-mail code   .answer(code)          ─► SignInStep
//!     ├─ SelectMfa(SelectMfaStep)   several factors            .choose(kind)          ─► SignInStep
//!     ├─ SetUpTotp(TotpSetupStep)   MFA required, none yet     .answer(first code)    ─► SignInStep
//!     ├─ SelectMfaSetup(SelectMfaSetupStep) TOTP or e-mail?    .choose(kind)          ─► SignInStep
//!     ├─ SetUpEmailMfa(EmailMfaSetupStep) MFA required, none   .answer(address)       ─► MfaCode (e-mail)
//!     ├─ NewPassword(NewPasswordStep) temporary password       .answer(pw, attrs)     ─► SignInStep
//!     ├─ Done(Session)              tokens verified and stored
//!     └─ Unsupported { challenge }  e.g. CUSTOM_CHALLENGE
//! ```
//!
//! Each step is consumed by answering it, so a step cannot be answered twice and steps cannot
//! be taken out of order. A refused answer the user can correct (wrong code, weak password)
//! returns a [`StepError`](crate::StepError) that gives the step back; see
//! [`crate::challenge`] for the rule. The password never leaves the process:
//! [`PasswordVerifier::answer`] proves knowledge of it with SRP (`cognito_srp`) and sends only
//! the proof.
//!
//! Remembered devices are handled inside: when this device is remembered for the user, the
//! PASSWORD_VERIFIER answer carries its DEVICE_KEY and the DEVICE_SRP_AUTH challenge that
//! follows is answered from the keychain ([`crate::devices`]), so MFA is skipped. With
//! [`SignIn::remember_device`], a device Cognito offers to track is confirmed and remembered
//! once the sign-in is done ([`Session::device`]).

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use cognito_srp::{ClientEphemeral, Identity};
use rand::rngs::OsRng;

use crate::challenge::{ChallengeOutput, Flow};
use crate::client::Client;
use crate::error::{Error, Operation};
use crate::idp::map_sdk_error;
use crate::mfa::{MfaCodeStep, SelectMfaStep};
use crate::mfa_setup::{EmailMfaSetupStep, SelectMfaSetupStep};
use crate::new_password::NewPasswordStep;
use crate::secret::Password;
use crate::session::Session;
use crate::totp::TotpSetupStep;

/// A sign-in that has not started: the username is known, nothing is sent yet.
#[derive(Debug)]
pub struct SignIn {
    client: Client,
    username: String,
    remember_device: bool,
}

/// Where a sign-in stands after a step was answered.
#[derive(Debug)]
#[non_exhaustive]
// `Done` is the large variant and the common one; it is returned once per sign-in, so boxing
// it would cost every caller a deref for no measurable gain.
#[allow(clippy::large_enum_variant)]
pub enum SignInStep {
    /// Signed in; the tokens are verified and stored.
    Done(Session),
    /// A one-time code is needed: from the authenticator app, or sent by SMS or e-mail.
    MfaCode(MfaCodeStep),
    /// The user has several second factors: choose one.
    SelectMfa(SelectMfaStep),
    /// The pool requires MFA and the user has none: set up an authenticator app.
    SetUpTotp(TotpSetupStep),
    /// The pool requires MFA and the user has none: choose what to set up (authenticator
    /// app or e-mail).
    SelectMfaSetup(SelectMfaSetupStep),
    /// The pool requires MFA and the user has none: give an e-mail address for codes.
    SetUpEmailMfa(EmailMfaSetupStep),
    /// The password is temporary (administrator-created user): choose a new one.
    NewPassword(NewPasswordStep),
    /// Cognito asked for a challenge this version cannot answer (e.g. CUSTOM_CHALLENGE).
    Unsupported {
        /// The challenge name, e.g. `SOFTWARE_TOKEN_MFA`.
        challenge: String,
    },
}

/// The `PASSWORD_VERIFIER` challenge: answer it with the password.
pub struct PasswordVerifier {
    client: Client,
    username: String,
    remember_device: bool,
    ephemeral: ClientEphemeral,
    user_id_for_srp: String,
    salt_hex: String,
    srp_b_hex: String,
    secret_block_b64: String,
    session: Option<String>,
}

impl std::fmt::Debug for PasswordVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordVerifier")
            .field("user_id_for_srp", &self.user_id_for_srp)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Begins a sign-in for `username` (the name or alias the user types, e.g. the e-mail).
    pub fn sign_in(&self, username: impl Into<String>) -> SignIn {
        SignIn {
            client: self.clone(),
            username: username.into(),
            remember_device: false,
        }
    }
}

impl SignIn {
    /// The username being signed in.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Asks to remember this device once signed in, so that later sign-ins of this user here
    /// skip MFA (when the pool tracks devices). Its secrets go to the keychain.
    pub fn remember_device(mut self, remember: bool) -> Self {
        self.remember_device = remember;
        self
    }

    /// Sends `InitiateAuth` (`USER_SRP_AUTH`, with a fresh SRP ephemeral) and returns the
    /// password-verifier challenge.
    pub async fn start(self) -> Result<PasswordVerifier, Error> {
        let client = self.client;
        let ephemeral = ClientEphemeral::generate(&mut OsRng);
        let mut parameters = HashMap::from([
            ("USERNAME".to_owned(), self.username.clone()),
            ("SRP_A".to_owned(), ephemeral.srp_a_hex()),
        ]);
        if let Some(hash) = client.secret_hash(&self.username) {
            parameters.insert("SECRET_HASH".to_owned(), hash);
        }
        let output = client
            .inner
            .idp
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(client.config().client_id())
            .set_auth_parameters(Some(parameters))
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::SignIn, &client.endpoint(), error))?;

        match output.challenge_name {
            Some(ChallengeNameType::PasswordVerifier) => {}
            Some(other) => {
                return Err(Error::Protocol {
                    reason: format!(
                        "USER_SRP_AUTH answered {} instead of PASSWORD_VERIFIER",
                        other.as_str()
                    ),
                })
            }
            None => {
                return Err(Error::Protocol {
                    reason: "USER_SRP_AUTH answered without a challenge".to_owned(),
                })
            }
        }
        let mut challenge = output.challenge_parameters.unwrap_or_default();
        let mut take = |name: &'static str| {
            challenge.remove(name).ok_or_else(|| Error::Protocol {
                reason: format!("PASSWORD_VERIFIER lacks {name}"),
            })
        };
        Ok(PasswordVerifier {
            user_id_for_srp: take("USER_ID_FOR_SRP")?,
            salt_hex: take("SALT")?,
            srp_b_hex: take("SRP_B")?,
            secret_block_b64: take("SECRET_BLOCK")?,
            session: output.session,
            ephemeral,
            client,
            username: self.username,
            remember_device: self.remember_device,
        })
    }
}

impl PasswordVerifier {
    /// The pool's internal username for the user (`USER_ID_FOR_SRP`).
    pub fn user_id_for_srp(&self) -> &str {
        &self.user_id_for_srp
    }

    /// Answers with the SRP proof of `password` (`RespondToAuthChallenge`) and returns the
    /// next step. When the sign-in completes, the tokens are verified against the pool's keys
    /// and stored.
    pub async fn answer(self, password: &Password) -> Result<SignInStep, Error> {
        let device = self.client.load_device(&self.user_id_for_srp).await?;
        let Some(stale_device) = device.clone() else {
            return self.answer_with(password, None).await;
        };
        let client = self.client.clone();
        let restart = SignIn {
            client: client.clone(),
            username: self.username.clone(),
            remember_device: self.remember_device,
        };
        let user_id = self.user_id_for_srp.clone();
        match self.answer_with(password, device).await {
            // The pool no longer knows this device (forgotten on another device or by an
            // administrator): Cognito answers "ResourceNotFoundException: Device does not
            // exist." Drop the secrets and sign in once more as a new device; the
            // SECRET_BLOCK was spent, so this takes a fresh InitiateAuth.
            Err(Error::Service { code, message })
                if code == "ResourceNotFoundException"
                    && message
                        .as_deref()
                        .is_some_and(|text| text.to_ascii_lowercase().contains("device")) =>
            {
                tracing::info!(
                    device_key = stale_device.device_key(),
                    "the pool forgot this device; signing in without it"
                );
                client.delete_device(&user_id).await?;
                restart.start().await?.answer_with(password, None).await
            }
            other => other,
        }
    }

    async fn answer_with(
        self,
        password: &Password,
        device: Option<crate::devices::DeviceSecrets>,
    ) -> Result<SignInStep, Error> {
        let client = self.client;
        let pool_name =
            cognito_srp::pool_name(client.config().user_pool_id()).map_err(Error::Srp)?;
        let claim = self
            .ephemeral
            .password_claim(
                Identity::User {
                    pool_name,
                    user_id_for_srp: &self.user_id_for_srp,
                },
                password.expose(),
                &self.salt_hex,
                &self.srp_b_hex,
                &self.secret_block_b64,
                client.now(),
            )
            .map_err(Error::Srp)?;
        let mut responses = HashMap::from([
            ("USERNAME".to_owned(), self.user_id_for_srp.clone()),
            (
                "PASSWORD_CLAIM_SECRET_BLOCK".to_owned(),
                self.secret_block_b64,
            ),
            ("PASSWORD_CLAIM_SIGNATURE".to_owned(), claim.signature_b64),
            ("TIMESTAMP".to_owned(), claim.timestamp),
        ]);
        if let Some(hash) = client.secret_hash(&self.user_id_for_srp) {
            responses.insert("SECRET_HASH".to_owned(), hash);
        }
        if let Some(device) = &device {
            responses.insert("DEVICE_KEY".to_owned(), device.device_key().to_owned());
        }
        let output = client
            .inner
            .idp
            .respond_to_auth_challenge()
            .client_id(client.config().client_id())
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_challenge_responses(Some(responses))
            .set_session(self.session)
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::SignIn, &client.endpoint(), error))?;

        let flow = Flow {
            client,
            username: self.user_id_for_srp,
            sign_in_name: self.username,
            remember_device: self.remember_device,
            device,
            device_proven: false,
        };
        flow.next_step(ChallengeOutput::from(output)).await
    }
}
