//! Multi-factor authentication settings: the pool's (`SetUserPoolMfaConfig`) and each user's
//! (`SetUserMFAPreference`, `AssociateSoftwareToken` / `VerifySoftwareToken`).

use serde::{Deserialize, Serialize};

use crate::error::CognitoError;
use crate::secrets::PersistedSecret;

/// `MfaConfiguration` of a pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MfaMode {
    /// No MFA for anyone.
    #[default]
    Off,
    /// MFA for users who turned a factor on.
    Optional,
    /// MFA for everyone; users without a factor set one up at sign-in (MFA_SETUP).
    On,
}

impl MfaMode {
    /// Parses the wire value.
    pub fn parse(value: &str) -> Result<Self, CognitoError> {
        match value {
            "OFF" => Ok(Self::Off),
            "OPTIONAL" => Ok(Self::Optional),
            "ON" => Ok(Self::On),
            _ => Err(CognitoError::constraint(
                "mfaConfiguration",
                "Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
            )),
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "OFF",
            Self::Optional => "OPTIONAL",
            Self::On => "ON",
        }
    }
}

/// One second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MfaFactor {
    /// A code texted to the verified `phone_number`.
    Sms,
    /// An RFC 6238 authenticator app.
    SoftwareToken,
    /// A code mailed to the verified `email`.
    Email,
}

impl MfaFactor {
    /// Every factor, in the order Cognito lists them.
    pub const ALL: [Self; 3] = [Self::Sms, Self::SoftwareToken, Self::Email];

    /// The challenge name (also the `UserMFASettingList` / `MFAS_CAN_CHOOSE` entry).
    pub fn challenge_name(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA",
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }

    /// The factor named by a challenge name.
    pub fn from_challenge_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.challenge_name() == name)
    }

    /// The `ChallengeResponses` key that carries the code.
    pub fn code_key(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA_CODE",
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA_CODE",
            Self::Email => "EMAIL_OTP_CODE",
        }
    }
}

/// A pool's MFA settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMfa {
    /// OFF, OPTIONAL or ON.
    pub mode: MfaMode,
    /// SMS MFA is configured (`SmsMfaConfiguration` present).
    pub sms: Option<SmsMfaSettings>,
    /// TOTP is enabled (`SoftwareTokenMfaConfiguration.Enabled`).
    pub software_token: bool,
    /// E-mail MFA is configured (`EmailMfaConfiguration` present).
    pub email: Option<EmailMfaSettings>,
}

impl PoolMfa {
    /// Whether the pool offers `factor`.
    pub fn offers(&self, factor: MfaFactor) -> bool {
        match factor {
            MfaFactor::Sms => self.sms.is_some(),
            MfaFactor::SoftwareToken => self.software_token,
            MfaFactor::Email => self.email.is_some(),
        }
    }
}

/// `SmsMfaConfigType`, as stored (the SNS role is recorded, never used).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMfaSettings {
    /// `SmsAuthenticationMessage` (contains `{####}`).
    pub message: Option<String>,
    /// `SmsConfiguration.SnsCallerArn`.
    pub sns_caller_arn: Option<String>,
    /// `SmsConfiguration.ExternalId`.
    pub external_id: Option<String>,
    /// `SmsConfiguration.SnsRegion`.
    pub sns_region: Option<String>,
}

/// `EmailMfaConfigType`, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMfaSettings {
    /// `Message` (contains `{####}`).
    pub message: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
}

/// A user's TOTP authenticator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SoftwareToken {
    /// The base32 secret shared with the authenticator app. Cognito itself must keep it to
    /// check codes, so it is stored (redacted in `Debug`, only in the 0600 state file).
    pub secret: PersistedSecret,
    /// `FriendlyDeviceName` given to VerifySoftwareToken.
    pub friendly_name: Option<String>,
    /// The last RFC 6238 time step accepted: that step and every earlier one are refused, so a
    /// code cannot be used twice.
    pub last_used_step: Option<u64>,
}

/// A user's MFA settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserMfa {
    /// The verified authenticator, if any.
    pub software_token: Option<SoftwareToken>,
    /// A secret from AssociateSoftwareToken not yet proven with VerifySoftwareToken; the
    /// verified one (if any) keeps working until it is.
    pub pending_software_token: Option<PersistedSecret>,
    /// Factors the user turned on (SetUserMFAPreference), in Cognito's order.
    pub enabled: Vec<MfaFactor>,
    /// `PreferredMfa`.
    pub preferred: Option<MfaFactor>,
}

impl UserMfa {
    /// Whether the user turned `factor` on.
    pub fn is_enabled(&self, factor: MfaFactor) -> bool {
        self.enabled.contains(&factor)
    }

    /// Turns `factor` on or off (turning it off also drops it as the preferred factor).
    pub fn set_enabled(&mut self, factor: MfaFactor, on: bool) {
        self.enabled.retain(|f| *f != factor);
        if on {
            self.enabled.push(factor);
            self.enabled.sort();
        } else if self.preferred == Some(factor) {
            self.preferred = None;
        }
    }
}
