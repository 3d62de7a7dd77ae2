//! The MFA steps of a sign-in: a one-time code ([`MfaCodeStep`]: SOFTWARE_TOKEN_MFA, SMS_MFA,
//! EMAIL_OTP) and the choice between MFA types ([`SelectMfaStep`]: SELECT_MFA_TYPE).

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use crate::challenge::{parse_name_list, ChallengeSession, Flow, StepError};
use crate::secret::VerificationCode;
use crate::sign_in::SignInStep;
use crate::sign_up::{CodeDelivery, DeliveryMedium};

/// A second factor Cognito can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MfaKind {
    /// A code from an authenticator app (TOTP, `SOFTWARE_TOKEN_MFA`).
    Totp,
    /// A code sent by text message (`SMS_MFA`).
    Sms,
    /// A code sent by e-mail (`EMAIL_OTP`).
    Email,
}

impl MfaKind {
    /// Cognito's challenge name for this kind (also the SELECT_MFA_TYPE answer).
    pub fn challenge_name(self) -> &'static str {
        match self {
            Self::Totp => "SOFTWARE_TOKEN_MFA",
            Self::Sms => "SMS_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }

    /// The kind for a challenge name, if it is one.
    pub fn from_challenge_name(name: &str) -> Option<Self> {
        match name {
            "SOFTWARE_TOKEN_MFA" => Some(Self::Totp),
            "SMS_MFA" => Some(Self::Sms),
            "EMAIL_OTP" => Some(Self::Email),
            _ => None,
        }
    }

    fn challenge(self) -> ChallengeNameType {
        match self {
            Self::Totp => ChallengeNameType::SoftwareTokenMfa,
            Self::Sms => ChallengeNameType::SmsMfa,
            Self::Email => ChallengeNameType::EmailOtp,
        }
    }

    /// The ChallengeResponses entry that carries the code.
    fn code_parameter(self) -> &'static str {
        match self {
            Self::Totp => "SOFTWARE_TOKEN_MFA_CODE",
            Self::Sms => "SMS_MFA_CODE",
            Self::Email => "EMAIL_OTP_CODE",
        }
    }
}

impl std::fmt::Display for MfaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Totp => "authenticator app (TOTP)",
            Self::Sms => "SMS",
            Self::Email => "e-mail",
        })
    }
}

/// Asks for a one-time code: from the authenticator app, or sent by SMS or e-mail.
#[derive(Debug)]
pub struct MfaCodeStep {
    flow: Flow,
    session: ChallengeSession,
    kind: MfaKind,
    delivery: Option<CodeDelivery>,
}

impl MfaCodeStep {
    pub(crate) fn new(
        flow: Flow,
        session: ChallengeSession,
        kind: MfaKind,
        parameters: &HashMap<String, String>,
    ) -> Self {
        let delivery = parameters
            .get("CODE_DELIVERY_DESTINATION")
            .map(|destination| CodeDelivery {
                destination: destination.clone(),
                medium: match parameters
                    .get("CODE_DELIVERY_DELIVERY_MEDIUM")
                    .map(String::as_str)
                {
                    Some("SMS") => DeliveryMedium::Sms,
                    Some("EMAIL") => DeliveryMedium::Email,
                    Some(other) => DeliveryMedium::Other(other.to_owned()),
                    None if kind == MfaKind::Sms => DeliveryMedium::Sms,
                    None => DeliveryMedium::Email,
                },
                attribute: None,
            });
        Self {
            flow,
            session,
            kind,
            delivery,
        }
    }

    /// Which factor is asked for.
    pub fn kind(&self) -> MfaKind {
        self.kind
    }

    /// Where an SMS or e-mail code was sent (destination masked by Cognito, e.g.
    /// `+*******1234`); `None` for TOTP.
    pub fn delivery(&self) -> Option<&CodeDelivery> {
        self.delivery.as_ref()
    }

    /// Answers with the code. A wrong or already-used code gives the step back (see
    /// [`StepError`]), so the user can type it again within the Session's three minutes.
    pub async fn answer(self, code: &VerificationCode) -> Result<SignInStep, StepError<Self>> {
        let responses = HashMap::from([(
            self.kind.code_parameter().to_owned(),
            code.expose().to_owned(),
        )]);
        let output = self
            .flow
            .respond(self.kind.challenge(), responses, Some(&self.session))
            .await;
        match output {
            Ok(output) => self.flow.next_step(output).await.map_err(StepError::fatal),
            Err(error) => Err(StepError::new(error, self)),
        }
    }
}

/// SELECT_MFA_TYPE: the user has several second factors; pick one.
#[derive(Debug)]
pub struct SelectMfaStep {
    flow: Flow,
    session: ChallengeSession,
    options: Vec<MfaKind>,
}

impl SelectMfaStep {
    pub(crate) fn new(
        flow: Flow,
        session: ChallengeSession,
        parameters: &HashMap<String, String>,
    ) -> Result<Self, crate::Error> {
        let options: Vec<MfaKind> = parse_name_list(parameters.get("MFAS_CAN_CHOOSE"))
            .iter()
            .filter_map(|name| MfaKind::from_challenge_name(name))
            .collect();
        if options.is_empty() {
            return Err(crate::Error::Protocol {
                reason: "SELECT_MFA_TYPE offers no MFA type this client knows".to_owned(),
            });
        }
        Ok(Self {
            flow,
            session,
            options,
        })
    }

    /// The factors offered, in Cognito's order.
    pub fn options(&self) -> &[MfaKind] {
        &self.options
    }

    /// Chooses `kind`; the next step is normally the [`MfaCodeStep`] for it (for SMS and
    /// e-mail, the code is sent now). Choosing a kind that was not offered gives the step
    /// back with [`crate::Error::InvalidParameter`], without a network call.
    pub async fn choose(self, kind: MfaKind) -> Result<SignInStep, StepError<Self>> {
        if !self.options.contains(&kind) {
            let error = crate::Error::InvalidParameter {
                message: format!("{} was not offered", kind.challenge_name()),
            };
            return Err(StepError::new(error, self));
        }
        let responses = HashMap::from([("ANSWER".to_owned(), kind.challenge_name().to_owned())]);
        let output = self
            .flow
            .respond(
                ChallengeNameType::SelectMfaType,
                responses,
                Some(&self.session),
            )
            .await;
        match output {
            Ok(output) => self.flow.next_step(output).await.map_err(StepError::fatal),
            Err(error) => Err(StepError::new(error, self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_challenge_names() {
        for kind in [MfaKind::Totp, MfaKind::Sms, MfaKind::Email] {
            assert_eq!(
                MfaKind::from_challenge_name(kind.challenge_name()),
                Some(kind)
            );
            assert_eq!(kind.challenge().as_str(), kind.challenge_name());
        }
        assert_eq!(MfaKind::from_challenge_name("SMS_OTP"), None);
    }
}
