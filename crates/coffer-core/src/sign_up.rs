//! Self-service sign-up: `SignUp`, `ConfirmSignUp`, `ResendConfirmationCode`.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, CodeDeliveryDetailsType, DeliveryMediumType,
};

use crate::client::Client;
use crate::error::{Error, Operation};
use crate::idp::map_sdk_error;
use crate::secret::{Password, VerificationCode};

/// The result of a sign-up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignUpOutcome {
    /// The new user's `sub`.
    pub user_sub: String,
    /// True when the pool confirmed the user straight away (no code to enter).
    pub confirmed: bool,
    /// Where the confirmation code went, when one was sent.
    pub code_delivery: Option<CodeDelivery>,
}

/// Where Cognito sent a code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeDelivery {
    /// The destination, masked by Cognito (e.g. `a***@e***`).
    pub destination: String,
    /// E-mail or SMS.
    pub medium: DeliveryMedium,
    /// The attribute the code verifies (e.g. `email`).
    pub attribute: Option<String>,
}

/// How a code was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryMedium {
    /// By e-mail.
    Email,
    /// By text message.
    Sms,
    /// A medium this version does not know.
    Other(String),
}

impl std::fmt::Display for DeliveryMedium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Email => f.write_str("e-mail"),
            Self::Sms => f.write_str("SMS"),
            Self::Other(name) => f.write_str(name),
        }
    }
}

impl CodeDelivery {
    pub(crate) fn from_sdk(details: &CodeDeliveryDetailsType) -> Self {
        let medium = match details.delivery_medium() {
            Some(DeliveryMediumType::Email) => DeliveryMedium::Email,
            Some(DeliveryMediumType::Sms) => DeliveryMedium::Sms,
            Some(other) => DeliveryMedium::Other(other.as_str().to_owned()),
            None => DeliveryMedium::Other("unknown".to_owned()),
        };
        Self {
            destination: details.destination().unwrap_or_default().to_owned(),
            medium,
            attribute: details.attribute_name().map(str::to_owned),
        }
    }
}

impl Client {
    /// Registers a user. `attributes` are standard or custom user attributes, e.g.
    /// `[("email", "ada@example.com")]`. Cognito requires the password here (over TLS on AWS);
    /// sign-in later uses SRP and never sends it again.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &Password,
        attributes: &[(&str, &str)],
    ) -> Result<SignUpOutcome, Error> {
        let attributes = attributes
            .iter()
            .map(|(name, value)| {
                AttributeType::builder()
                    .name(*name)
                    .value(*value)
                    .build()
                    .map_err(|source| Error::Internal {
                        what: "building a user attribute",
                        source: Some(Box::new(source)),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let output = self
            .inner
            .idp
            .sign_up()
            .client_id(self.config().client_id())
            .set_secret_hash(self.secret_hash(username))
            .username(username)
            .password(password.expose())
            .set_user_attributes(Some(attributes))
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::SignUp, &self.endpoint(), error))?;
        Ok(SignUpOutcome {
            user_sub: output.user_sub().to_owned(),
            confirmed: output.user_confirmed(),
            code_delivery: output.code_delivery_details().map(CodeDelivery::from_sdk),
        })
    }

    /// Confirms a sign-up with the code that was sent.
    pub async fn confirm_sign_up(
        &self,
        username: &str,
        code: &VerificationCode,
    ) -> Result<(), Error> {
        self.inner
            .idp
            .confirm_sign_up()
            .client_id(self.config().client_id())
            .set_secret_hash(self.secret_hash(username))
            .username(username)
            .confirmation_code(code.expose())
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::ConfirmSignUp, &self.endpoint(), error))?;
        Ok(())
    }

    /// Sends the sign-up confirmation code again.
    pub async fn resend_confirmation_code(
        &self,
        username: &str,
    ) -> Result<Option<CodeDelivery>, Error> {
        let output = self
            .inner
            .idp
            .resend_confirmation_code()
            .client_id(self.config().client_id())
            .set_secret_hash(self.secret_hash(username))
            .username(username)
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::ResendCode, &self.endpoint(), error))?;
        Ok(output.code_delivery_details().map(CodeDelivery::from_sdk))
    }
}
