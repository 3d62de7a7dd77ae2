//! Authenticator-app (TOTP) enrolment: the shared secret Cognito issues
//! (AssociateSoftwareToken), shown as an `otpauth://` URI and QR code, and confirmed with the
//! first code (VerifySoftwareToken).
//!
//! Two ways in:
//! - during a sign-in, when the pool requires MFA and the user has none ([`TotpSetupStep`],
//!   the MFA_SETUP challenge; everything goes through the challenge Session);
//! - for a signed-in user ([`crate::Client::begin_totp_setup`] → [`TotpEnrollment`]; through
//!   the access token, then SetUserMFAPreference makes TOTP the preferred factor).
//!
//! # Security notes
//!
//! The secret is the authenticator's long-term key: whoever sees it can make codes. It is held
//! in [`TotpSecret`] (redacted `Debug`, zeroed on drop); the URI and both QR renderings contain
//! it and are returned as [`Zeroizing`] strings, for display only. Never log them.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, SoftwareTokenMfaSettingsType, VerifySoftwareTokenResponseType,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use qrcode::render::{svg, unicode};
use qrcode::QrCode;
use zeroize::Zeroizing;

use crate::challenge::{ChallengeSession, Flow, StepError};
use crate::client::Client;
use crate::error::{Error, Operation};
use crate::idp::map_sdk_error;
use crate::secret::VerificationCode;
use crate::sign_in::SignInStep;

/// The issuer shown in authenticator apps.
pub const TOTP_ISSUER: &str = "Coffer";

/// Characters left as they are in the URI's label and parameters (RFC 3986 unreserved).
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The TOTP shared secret (base32, as Cognito's SecretCode).
#[derive(Clone, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct TotpSecret(String);

impl TotpSecret {
    /// Wraps a base32 secret.
    pub fn new(base32: impl Into<String>) -> Self {
        Self(base32.into())
    }

    /// The base32 text, for users who type it into their app instead of scanning.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

/// What an authenticator app needs: the secret and the label to file it under.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    secret: TotpSecret,
    account: String,
}

impl TotpSetup {
    pub(crate) fn new(secret: TotpSecret, account: String) -> Self {
        Self { secret, account }
    }

    /// The secret (base32).
    pub fn secret(&self) -> &TotpSecret {
        &self.secret
    }

    /// The account name shown in the app (the username).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// `otpauth://totp/Coffer:<account>?secret=<base32>&issuer=Coffer` (Key Uri Format). It
    /// contains the secret.
    pub fn otpauth_uri(&self) -> Zeroizing<String> {
        let issuer = utf8_percent_encode(TOTP_ISSUER, URI_COMPONENT);
        let account = utf8_percent_encode(&self.account, URI_COMPONENT);
        Zeroizing::new(format!(
            "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}",
            self.secret.expose()
        ))
    }

    fn qr(&self) -> Result<QrCode, Error> {
        QrCode::new(self.otpauth_uri().as_bytes()).map_err(|_| Error::Internal {
            what: "encoding the TOTP setup as a QR code",
            source: None,
        })
    }

    /// The QR code of [`otpauth_uri`](Self::otpauth_uri) in Unicode half blocks, for a
    /// terminal (dark modules on a light background, with the quiet zone).
    pub fn qr_terminal(&self) -> Result<Zeroizing<String>, Error> {
        Ok(Zeroizing::new(
            self.qr()?
                .render::<unicode::Dense1x2>()
                .dark_color(unicode::Dense1x2::Dark)
                .light_color(unicode::Dense1x2::Light)
                .quiet_zone(true)
                .build(),
        ))
    }

    /// The QR code as an SVG document, for the app to show.
    pub fn qr_svg(&self) -> Result<Zeroizing<String>, Error> {
        Ok(Zeroizing::new(
            self.qr()?
                .render::<svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build(),
        ))
    }
}

/// Reads VerifySoftwareToken's status: anything but SUCCESS is a wrong code.
fn verified(status: Option<&VerifySoftwareTokenResponseType>) -> Result<(), Error> {
    match status {
        Some(VerifySoftwareTokenResponseType::Success) => Ok(()),
        _ => Err(Error::CodeMismatch),
    }
}

/// MFA_SETUP during a sign-in: the pool requires MFA and the user has none yet. Show
/// [`setup`](Self::setup) (QR code or URI), then answer with the first code from the app.
#[derive(Debug)]
pub struct TotpSetupStep {
    flow: Flow,
    session: ChallengeSession,
    setup: TotpSetup,
}

impl TotpSetupStep {
    /// Asks Cognito for a secret for this sign-in's user (AssociateSoftwareToken with the
    /// challenge Session, which it replaces).
    pub(crate) async fn start(flow: Flow, session: ChallengeSession) -> Result<Self, Error> {
        let client = &flow.client;
        let output = client
            .inner
            .idp
            .associate_software_token()
            .session(session.expose())
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::Challenge, &client.endpoint(), error))?;
        let secret = output.secret_code().ok_or_else(|| Error::Protocol {
            reason: "AssociateSoftwareToken returned no SecretCode".to_owned(),
        })?;
        let secret = TotpSecret::new(secret);
        let session = output
            .session()
            .map(|session| ChallengeSession::new(session.to_owned()))
            .unwrap_or(session);
        let account = flow.sign_in_name.clone();
        Ok(Self {
            setup: TotpSetup::new(secret, account),
            flow,
            session,
        })
    }

    /// The secret to enter in the authenticator app.
    pub fn setup(&self) -> &TotpSetup {
        &self.setup
    }

    /// Answers with the app's first code: VerifySoftwareToken, then the MFA_SETUP answer.
    /// A wrong code gives the step back.
    pub async fn answer(mut self, code: &VerificationCode) -> Result<SignInStep, StepError<Self>> {
        let client = self.flow.client.clone();
        let verify = client
            .inner
            .idp
            .verify_software_token()
            .session(self.session.expose())
            .user_code(code.expose())
            .friendly_device_name(TOTP_ISSUER)
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::VerifyTotp, &client.endpoint(), error))
            .and_then(|output| {
                verified(output.status())?;
                Ok(output.session().map(str::to_owned))
            });
        match verify {
            Ok(Some(session)) => self.session = ChallengeSession::new(session),
            Ok(None) => {}
            Err(error) => return Err(StepError::new(error, self)),
        }
        let output = self
            .flow
            .respond(
                ChallengeNameType::MfaSetup,
                HashMap::new(),
                Some(&self.session),
            )
            .await;
        match output {
            Ok(output) => self.flow.next_step(output).await.map_err(StepError::fatal),
            // The token is verified: answering MFA_SETUP again needs no new code.
            Err(error) => Err(StepError::fatal(error)),
        }
    }
}

/// TOTP enrolment for a signed-in user: show [`setup`](Self::setup), then
/// [`confirm`](Self::confirm) with the first code.
#[derive(Debug)]
pub struct TotpEnrollment {
    client: Client,
    setup: TotpSetup,
}

impl TotpEnrollment {
    /// The secret to enter in the authenticator app.
    pub fn setup(&self) -> &TotpSetup {
        &self.setup
    }

    /// Verifies the first code (VerifySoftwareToken), then enables TOTP and makes it the
    /// preferred factor (SetUserMFAPreference). A wrong code gives the enrolment back.
    pub async fn confirm(self, code: &VerificationCode) -> Result<(), StepError<Self>> {
        let session = match self.client.current_session().await {
            Ok(session) => session,
            Err(error) => return Err(StepError::fatal(error)),
        };
        let access = session.tokens().access.clone();
        let client = &self.client;
        let verify = client
            .inner
            .idp
            .verify_software_token()
            .access_token(access.expose())
            .user_code(code.expose())
            .friendly_device_name(TOTP_ISSUER)
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::VerifyTotp, &client.endpoint(), error))
            .and_then(|output| verified(output.status()));
        if let Err(error) = verify {
            if matches!(error, Error::TokenRevoked) {
                // Signed out elsewhere meanwhile: forget the dead session, as account calls do.
                client.forget_dead_tokens().await;
            }
            return Err(StepError::new(error, self));
        }
        let settings = SoftwareTokenMfaSettingsType::builder()
            .enabled(true)
            .preferred_mfa(true)
            .build();
        let result = client
            .inner
            .idp
            .set_user_mfa_preference()
            .access_token(access.expose())
            .software_token_mfa_settings(settings)
            .send()
            .await;
        client
            .account_call(result)
            .await
            .map_err(StepError::fatal)?;
        Ok(())
    }
}

impl Client {
    /// Starts TOTP enrolment for the signed-in user (AssociateSoftwareToken with the access
    /// token). Nothing changes for the user until [`TotpEnrollment::confirm`] succeeds.
    pub async fn begin_totp_setup(&self) -> Result<TotpEnrollment, Error> {
        let session = self.current_session().await?;
        let result = self
            .inner
            .idp
            .associate_software_token()
            .access_token(session.tokens().access.expose())
            .send()
            .await;
        let output = self.account_call(result).await?;
        let secret = output.secret_code().ok_or_else(|| Error::Protocol {
            reason: "AssociateSoftwareToken returned no SecretCode".to_owned(),
        })?;
        let account = session
            .id_claims()
            .email
            .clone()
            .unwrap_or_else(|| session.username().to_owned());
        Ok(TotpEnrollment {
            client: self.clone(),
            setup: TotpSetup::new(TotpSecret::new(secret), account),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> TotpSetup {
        TotpSetup::new(
            TotpSecret::new("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
            "ada lovelace@example.com".to_owned(),
        )
    }

    #[test]
    fn otpauth_uri_follows_the_key_uri_format() {
        assert_eq!(
            setup().otpauth_uri().as_str(),
            "otpauth://totp/Coffer:ada%20lovelace%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Coffer"
        );
    }

    #[test]
    fn qr_renderings_encode_the_uri() {
        let terminal = setup().qr_terminal().unwrap();
        assert!(terminal.lines().count() > 10);
        assert!(terminal.contains('█') || terminal.contains('▀') || terminal.contains('▄'));
        let svg = setup().qr_svg().unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
        assert!(svg.contains("<svg"));
        // The image does not spell out the secret.
        assert!(!svg.contains("JBSWY3DP"));
    }

    #[test]
    fn debug_hides_the_secret() {
        let debug = format!("{:?}", setup());
        assert!(!debug.contains("JBSWY3DP"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
    }
}
