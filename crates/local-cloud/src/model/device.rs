//! Remembered devices: what ConfirmDevice registers and DEVICE_SRP_AUTH checks.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::CognitoError;
use crate::secrets::PersistedSecret;

/// A pool's `DeviceConfiguration`: when present, sign-ins return `NewDeviceMetadata`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceConfiguration {
    /// `ChallengeRequiredOnNewDevice`: a remembered device's proof (DEVICE_PASSWORD_VERIFIER)
    /// replaces MFA. When false, MFA follows the device proof.
    pub challenge_required_on_new_device: bool,
    /// `DeviceOnlyRememberedOnUserPrompt`: a confirmed device stays `not_remembered` until
    /// UpdateDeviceStatus (ConfirmDevice then answers `UserConfirmationNecessary: true`).
    pub device_only_remembered_on_user_prompt: bool,
}

/// One device of a user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Device {
    /// `<region>_<uuid>`.
    pub key: String,
    /// The user's device group key (the SRP "pool name" of device proofs).
    pub group_key: String,
    /// `DeviceName` from ConfirmDevice.
    pub name: Option<String>,
    /// The SRP verifier from ConfirmDevice (`cognito_srp::Verifier::to_bytes`, base64); `None`
    /// until the device is confirmed. Password-equivalent for an offline guess, hence redacted.
    pub verifier: Option<PersistedSecret>,
    /// `device_remembered_status` is `remembered`.
    pub remembered: bool,
    /// When the metadata was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
    /// The last sign-in that proved this device.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_authenticated: Option<OffsetDateTime>,
}

impl Device {
    /// Whether ConfirmDevice has registered a verifier.
    pub fn is_confirmed(&self) -> bool {
        self.verifier.is_some()
    }

    /// The registered verifier, parsed back.
    pub fn verifier(&self) -> Result<Option<cognito_srp::Verifier>, CognitoError> {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine as _;
        self.verifier
            .as_ref()
            .map(|stored| {
                let bytes = STANDARD
                    .decode(stored.expose())
                    .map_err(|_| CognitoError::internal())?;
                cognito_srp::Verifier::from_bytes(&bytes).map_err(|_| CognitoError::internal())
            })
            .transpose()
    }
}
