//! MFA_SETUP during a sign-in when the pool requires MFA and the user has no factor yet: choose
//! what to set up ([`SelectMfaSetupStep`]), then an authenticator app
//! ([`crate::TotpSetupStep`]) or an e-mail address ([`EmailMfaSetupStep`]).
//!
//! # What Cognito offers
//!
//! `MFAS_CAN_SETUP` lists the factors the pool has on (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`,
//! `EMAIL_OTP`). Two can be set up inside the sign-in:
//!
//! - TOTP: AssociateSoftwareToken and VerifySoftwareToken with the challenge Session, then
//!   MFA_SETUP with the Session VerifySoftwareToken returned (RespondToAuthChallenge reference).
//! - E-mail: MFA_SETUP answered with `EMAIL` (the address); Cognito mails a code and answers
//!   with EMAIL_OTP (`CODE_DELIVERY_*` parameters); the code, as `EMAIL_OTP_CODE`, finishes the
//!   sign-in and leaves the address on the user. This is what Amplify does (amplify-js
//!   `handleMFASetupChallenge`: `ChallengeResponses: {USERNAME, EMAIL}`; its
//!   `getAllowedMfaSetupTypes` keeps only EMAIL and TOTP), and amplify-swift's
//!   `EmailMFARequiredTests`, run against AWS, see the EMAIL_OTP step and then the address in
//!   the user's attributes.
//!
//! SMS is not set up here: "To set up SMS or email MFA, collect a `phone_number` or `email`
//! attribute for the user. Then restart the authentication flow" (RespondToAuthChallenge
//! reference, `ChallengeName`), and Amplify offers no SMS setup either. A pool whose only
//! factor is SMS gives [`SignInStep::Unsupported`].

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::challenge::{ChallengeSession, Flow, StepError};
use crate::error::Error;
use crate::mfa::MfaKind;
use crate::sign_in::SignInStep;
use crate::totp::TotpSetupStep;

/// The factors of `MFAS_CAN_SETUP` that can be set up during a sign-in, in Cognito's order.
pub(crate) fn settable_factors(offered: &[String]) -> Vec<MfaKind> {
    offered
        .iter()
        .filter_map(|name| MfaKind::from_challenge_name(name))
        .filter(|kind| matches!(kind, MfaKind::Totp | MfaKind::Email))
        .collect()
}

/// The step for an MFA_SETUP challenge offering `offered` (`MFAS_CAN_SETUP`).
pub(crate) async fn setup_step(
    flow: Flow,
    session: ChallengeSession,
    offered: &[String],
) -> Result<SignInStep, Error> {
    let settable = settable_factors(offered);
    Ok(match settable.as_slice() {
        [] => SignInStep::Unsupported {
            challenge: format!("MFA_SETUP ({})", offered.join(", ")),
        },
        [MfaKind::Email] => SignInStep::SetUpEmailMfa(EmailMfaSetupStep { flow, session }),
        [_] => SignInStep::SetUpTotp(TotpSetupStep::start(flow, session).await?),
        _ => SignInStep::SelectMfaSetup(SelectMfaSetupStep {
            flow,
            session,
            options: settable,
        }),
    })
}

/// MFA_SETUP offering several factors: choose the one to set up. Nothing is sent until
/// [`choose`](Self::choose).
#[derive(Debug)]
pub struct SelectMfaSetupStep {
    flow: Flow,
    session: ChallengeSession,
    options: Vec<MfaKind>,
}

impl SelectMfaSetupStep {
    /// The factors that can be set up, in Cognito's order ([`MfaKind::Totp`],
    /// [`MfaKind::Email`]).
    pub fn options(&self) -> &[MfaKind] {
        &self.options
    }

    /// Chooses `kind`: [`SignInStep::SetUpTotp`] (the secret is requested now) or
    /// [`SignInStep::SetUpEmailMfa`]. A kind not offered gives the step back with
    /// [`Error::InvalidParameter`], without a network call.
    pub async fn choose(self, kind: MfaKind) -> Result<SignInStep, StepError<Self>> {
        if !self.options.contains(&kind) {
            let error = Error::InvalidParameter {
                message: format!("{} cannot be set up here", kind.challenge_name()),
            };
            return Err(StepError::new(error, self));
        }
        match kind {
            MfaKind::Email => Ok(SignInStep::SetUpEmailMfa(EmailMfaSetupStep {
                flow: self.flow,
                session: self.session,
            })),
            _ => match TotpSetupStep::start(self.flow.clone(), self.session.clone()).await {
                Ok(step) => Ok(SignInStep::SetUpTotp(step)),
                Err(error) => Err(StepError::new(error, self)),
            },
        }
    }
}

/// MFA_SETUP with e-mail: answer with the address to receive codes at. The next step is the
/// e-mail code ([`SignInStep::MfaCode`] with [`MfaKind::Email`]); once it is answered the
/// address is the user's verified `email` and e-mail MFA is on.
#[derive(Debug)]
pub struct EmailMfaSetupStep {
    flow: Flow,
    session: ChallengeSession,
}

impl EmailMfaSetupStep {
    /// Sends the address (MFA_SETUP with `EMAIL`); Cognito mails it a code. An address
    /// Cognito refuses (malformed, or another user's in a pool that signs in by e-mail) gives
    /// the step back.
    pub async fn answer(self, email: &str) -> Result<SignInStep, StepError<Self>> {
        let responses = HashMap::from([("EMAIL".to_owned(), email.trim().to_owned())]);
        let output = self
            .flow
            .respond(ChallengeNameType::MfaSetup, responses, Some(&self.session))
            .await;
        match output {
            Ok(output) => self.flow.next_step(output).await.map_err(StepError::fatal),
            Err(error @ Error::UsernameExists) => Err(StepError::with_step(error, self)),
            Err(error) => Err(StepError::new(error, self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn only_totp_and_email_can_be_set_up_during_a_sign_in() {
        assert_eq!(
            settable_factors(&names(&["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])),
            vec![MfaKind::Totp, MfaKind::Email]
        );
        assert_eq!(
            settable_factors(&names(&["SMS_MFA", "EMAIL_OTP"])),
            vec![MfaKind::Email]
        );
        assert!(settable_factors(&names(&["SMS_MFA", "WEB_AUTHN"])).is_empty());
    }
}
