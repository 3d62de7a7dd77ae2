//! The signed-in user's account: MFA preference, password change, attributes; and the
//! signed-out password reset (ForgotPassword → ConfirmForgotPassword).
//!
//! Calls that act for the signed-in user send its access token (refreshed first when it has
//! expired); the password reset is public and sends SECRET_HASH when the app client has a
//! secret.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, EmailMfaSettingsType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType,
};

use crate::client::Client;
use crate::error::{Error, Operation};
use crate::idp::map_sdk_error;
use crate::mfa::MfaKind;
use crate::secret::{Password, VerificationCode};
use crate::sign_up::CodeDelivery;

/// Which second factor a user prefers; [`MfaPreference::None`] turns MFA off for the user
/// (pools where MFA is required will ask them to set it up again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MfaPreference {
    /// Authenticator-app codes.
    Totp,
    /// Codes by text message.
    Sms,
    /// Codes by e-mail.
    Email,
    /// No second factor.
    None,
}

/// The user's MFA settings (GetUser).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MfaSettings {
    /// The factors enabled for the user.
    pub enabled: Vec<MfaKind>,
    /// The preferred one, if any.
    pub preferred: Option<MfaKind>,
}

/// A user attribute, name and value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserAttribute {
    /// The attribute name (e.g. `email`, `custom:team`).
    pub name: String,
    /// Its value.
    pub value: String,
}

impl Client {
    async fn access_token(&self) -> Result<crate::secret::AccessToken, Error> {
        Ok(self.current_session().await?.tokens().access.clone())
    }

    /// The user's MFA settings and attributes (GetUser).
    async fn get_user(
        &self,
    ) -> Result<aws_sdk_cognitoidentityprovider::operation::get_user::GetUserOutput, Error> {
        let access = self.access_token().await?;
        let result = self
            .inner
            .idp
            .get_user()
            .access_token(access.expose())
            .send()
            .await;
        self.account_call(result).await
    }

    /// The signed-in user's MFA settings.
    pub async fn mfa_settings(&self) -> Result<MfaSettings, Error> {
        let user = self.get_user().await?;
        Ok(MfaSettings {
            enabled: user
                .user_mfa_setting_list()
                .iter()
                .filter_map(|name| MfaKind::from_challenge_name(name))
                .collect(),
            preferred: user
                .preferred_mfa_setting()
                .and_then(MfaKind::from_challenge_name),
        })
    }

    /// The signed-in user's attributes.
    pub async fn user_attributes(&self) -> Result<Vec<UserAttribute>, Error> {
        let user = self.get_user().await?;
        Ok(user
            .user_attributes()
            .iter()
            .map(|attribute| UserAttribute {
                name: attribute.name().to_owned(),
                value: attribute.value().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// Sets the preferred second factor (SetUserMFAPreference). A factor must be set up
    /// first: TOTP with [`Client::begin_totp_setup`], SMS and e-mail with a verified phone
    /// number or address. `None` disables every factor the user has enabled.
    pub async fn set_mfa_preference(&self, preference: MfaPreference) -> Result<(), Error> {
        let access = self.access_token().await?;
        let mut request = self
            .inner
            .idp
            .set_user_mfa_preference()
            .access_token(access.expose());
        request = match preference {
            MfaPreference::Totp => request.software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            ),
            MfaPreference::Sms => request.sms_mfa_settings(
                SmsMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            ),
            MfaPreference::Email => request.email_mfa_settings(
                EmailMfaSettingsType::builder()
                    .enabled(true)
                    .preferred_mfa(true)
                    .build(),
            ),
            MfaPreference::None => {
                // Only the factors the user has: a pool without e-mail MFA refuses settings
                // for it, even to disable it.
                let enabled = self.mfa_settings().await?.enabled;
                for kind in enabled {
                    request = match kind {
                        MfaKind::Totp => request.software_token_mfa_settings(
                            SoftwareTokenMfaSettingsType::builder()
                                .enabled(false)
                                .preferred_mfa(false)
                                .build(),
                        ),
                        MfaKind::Sms => request.sms_mfa_settings(
                            SmsMfaSettingsType::builder()
                                .enabled(false)
                                .preferred_mfa(false)
                                .build(),
                        ),
                        MfaKind::Email => request.email_mfa_settings(
                            EmailMfaSettingsType::builder()
                                .enabled(false)
                                .preferred_mfa(false)
                                .build(),
                        ),
                    };
                }
                request
            }
        };
        self.account_call(request.send().await).await?;
        Ok(())
    }

    /// Changes the signed-in user's password (ChangePassword). A wrong current password is
    /// [`Error::WrongUsernameOrPassword`].
    pub async fn change_password(&self, current: &Password, new: &Password) -> Result<(), Error> {
        let access = self.access_token().await?;
        let result = self
            .inner
            .idp
            .change_password()
            .access_token(access.expose())
            .previous_password(current.expose())
            .proposed_password(new.expose())
            .send()
            .await;
        self.account_call(result).await?;
        Ok(())
    }

    /// Starts a password reset (ForgotPassword): Cognito sends a code to the user's verified
    /// e-mail or phone. Returns where it went.
    pub async fn forgot_password(&self, username: &str) -> Result<Option<CodeDelivery>, Error> {
        let output = self
            .inner
            .idp
            .forgot_password()
            .client_id(self.config().client_id())
            .set_secret_hash(self.secret_hash(username))
            .username(username)
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::PasswordReset, &self.endpoint(), error))?;
        Ok(output.code_delivery_details().map(CodeDelivery::from_sdk))
    }

    /// Finishes a password reset with the code and the new password (ConfirmForgotPassword).
    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &VerificationCode,
        new_password: &Password,
    ) -> Result<(), Error> {
        self.inner
            .idp
            .confirm_forgot_password()
            .client_id(self.config().client_id())
            .set_secret_hash(self.secret_hash(username))
            .username(username)
            .confirmation_code(code.expose())
            .password(new_password.expose())
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::PasswordReset, &self.endpoint(), error))?;
        Ok(())
    }

    /// Updates attributes of the signed-in user (UpdateUserAttributes). Changing `email` or
    /// `phone_number` sends a code to the new value; the returned deliveries say where.
    pub async fn update_attributes(
        &self,
        attributes: &[(&str, &str)],
    ) -> Result<Vec<CodeDelivery>, Error> {
        let access = self.access_token().await?;
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
        let result = self
            .inner
            .idp
            .update_user_attributes()
            .access_token(access.expose())
            .set_user_attributes(Some(attributes))
            .send()
            .await;
        let output = self.account_call(result).await?;
        Ok(output
            .code_delivery_details_list()
            .iter()
            .map(CodeDelivery::from_sdk)
            .collect())
    }

    /// Sends a code to verify `attribute` (`email` or `phone_number`)
    /// (GetUserAttributeVerificationCode).
    pub async fn send_attribute_verification_code(
        &self,
        attribute: &str,
    ) -> Result<Option<CodeDelivery>, Error> {
        let access = self.access_token().await?;
        let result = self
            .inner
            .idp
            .get_user_attribute_verification_code()
            .access_token(access.expose())
            .attribute_name(attribute)
            .send()
            .await;
        let output = self.account_call(result).await?;
        Ok(output.code_delivery_details().map(CodeDelivery::from_sdk))
    }

    /// Verifies `attribute` with the code that was sent (VerifyUserAttribute).
    pub async fn verify_attribute(
        &self,
        attribute: &str,
        code: &VerificationCode,
    ) -> Result<(), Error> {
        let access = self.access_token().await?;
        let result = self
            .inner
            .idp
            .verify_user_attribute()
            .access_token(access.expose())
            .attribute_name(attribute)
            .code(code.expose())
            .send()
            .await;
        self.account_call(result).await?;
        Ok(())
    }
}
