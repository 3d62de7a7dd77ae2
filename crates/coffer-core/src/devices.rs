//! Remembered devices: a device Cognito remembers signs in with its own SRP proof
//! (DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER) and skips MFA.
//!
//! ```text
//! any sign-in in a pool that tracks devices ─► NewDeviceMetadata {DeviceKey, DeviceGroupKey}
//!   ConfirmDevice(verifier of a random device password, random salt)   always ("tracked")
//!   keychain ← {device key, group key, device password}
//!   UpdateDeviceStatus(remembered)          with remember_device, when the user must opt in
//! refresh: REFRESH_TOKEN_AUTH carries DEVICE_KEY (the access token's device_key claim)
//! next sign-in: PASSWORD_VERIFIER answer carries DEVICE_KEY
//!   ◄─ DEVICE_SRP_AUTH          answered here with SRP_A (Identity::Device)
//!   ◄─ DEVICE_PASSWORD_VERIFIER answered here with the device password's SRP proof
//!   ◄─ tokens, no MFA
//! ```
//!
//! Every new device is confirmed, remembered or not: in a pool that tracks devices, Cognito
//! binds the session's refresh token to the device of the sign-in and refuses it ("Invalid
//! Refresh Token") until that device is confirmed and unless its DEVICE_KEY comes along
//! ([`Client::refresh_tokens`] has the sources). Confirmed but not remembered, a device is
//! only tracked: MFA still applies to it.
//!
//! A device the pool has forgotten (ForgetDevice elsewhere, AdminForgetDevice) is dropped
//! from the keychain when the pool says so — AWS refuses its DEVICE_KEY with
//! `ResourceNotFoundException: Device does not exist.`, and the sign-in is started once more
//! without it; a pool that instead ignores the key and offers a new device gets the same
//! result — so a forgotten device costs the user one MFA prompt, not a failed sign-in.
//!
//! # Security notes
//!
//! The device password is a second long-term secret of the user (with it and the password, MFA
//! is skipped). It is generated here (40 random bytes), sent nowhere (ConfirmDevice gets only
//! an SRP verifier), and kept in the OS keychain next to the device and group keys, one entry
//! per user (`device:<issuer>#<client id>#<username>`). `DeviceSecrets` has a redacted
//! `Debug` and is zeroed on drop.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    ChallengeNameType, DeviceRememberedStatusType, DeviceSecretVerifierConfigType,
    NewDeviceMetadataType,
};
use cognito_srp::{ClientEphemeral, Identity};
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::challenge::{ChallengeOutput, ChallengeSession, Flow};
use crate::client::Client;
use crate::error::{Error, Operation};
use crate::idp::map_sdk_error;
use crate::session::{DeviceRemembering, Session};
use crate::store::StoreError;

/// The device name ConfirmDevice registers, shown in device lists.
const DEVICE_NAME_PREFIX: &str = "Coffer";

/// What a remembered device keeps: its key, its group key and its password. Serialised only
/// to and from its keychain entry.
#[derive(Clone, Zeroize, ZeroizeOnDrop, Serialize, Deserialize)]
pub(crate) struct DeviceSecrets {
    version: u32,
    device_key: String,
    device_group_key: String,
    device_password: String,
}

const DEVICE_SECRETS_VERSION: u32 = 1;

impl std::fmt::Debug for DeviceSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSecrets")
            .field("device_key", &self.device_key)
            .field("device_password", &format_args!("[redacted]"))
            .finish_non_exhaustive()
    }
}

impl DeviceSecrets {
    pub(crate) fn device_key(&self) -> &str {
        &self.device_key
    }

    fn identity(&self) -> Identity<'_> {
        Identity::Device {
            device_group_key: &self.device_group_key,
            device_key: &self.device_key,
        }
    }
}

/// A device in the user's device list (ListDevices).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceInfo {
    /// The device key.
    pub device_key: String,
    /// The name given at ConfirmDevice (`device_name` attribute), if any.
    pub name: Option<String>,
    /// Whether the device is remembered (`dev:device_remembered_status`).
    pub remembered: bool,
    /// When the device was confirmed.
    pub created: Option<OffsetDateTime>,
    /// When the device last signed in.
    pub last_authenticated: Option<OffsetDateTime>,
    /// Whether it is this device (its secrets are in this keychain).
    pub is_this_device: bool,
}

impl Client {
    /// The keychain entry of the remembered device of `username` (the pool's username).
    pub fn device_store_key(&self, username: &str) -> String {
        format!(
            "device:{}#{}#{username}",
            self.inner.policy.issuer,
            self.inner.config.client_id()
        )
    }

    pub(crate) async fn load_device(&self, username: &str) -> Result<Option<DeviceSecrets>, Error> {
        let key = self.device_store_key(username);
        self.with_store(move |store| match store.load(&key)? {
            None => Ok(None),
            Some(blob) => match serde_json::from_str::<DeviceSecrets>(&blob) {
                Ok(secrets) if secrets.version == DEVICE_SECRETS_VERSION => Ok(Some(secrets)),
                _ => Err(StoreError::Corrupt),
            },
        })
        .await
    }

    async fn save_device(&self, username: &str, secrets: &DeviceSecrets) -> Result<(), Error> {
        let key = self.device_store_key(username);
        // Serialising a struct of strings cannot fail.
        let blob = Zeroizing::new(serde_json::to_string(secrets).unwrap_or_default());
        self.with_store(move |store| store.save(&key, &blob)).await
    }

    pub(crate) async fn delete_device(&self, username: &str) -> Result<(), Error> {
        let key = self.device_store_key(username);
        self.with_store(move |store| store.delete(&key)).await
    }

    /// The key of this device, when it is remembered for the signed-in user.
    pub async fn this_device_key(&self) -> Result<Option<String>, Error> {
        let session = self.current_session().await?;
        Ok(self
            .load_device(session.username())
            .await?
            .map(|secrets| secrets.device_key().to_owned()))
    }

    /// The signed-in user's devices (ListDevices, every page).
    pub async fn list_devices(&self) -> Result<Vec<DeviceInfo>, Error> {
        let session = self.current_session().await?;
        let this_device = self
            .load_device(session.username())
            .await?
            .map(|secrets| secrets.device_key().to_owned());
        let mut devices = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let result = self
                .inner
                .idp
                .list_devices()
                .access_token(session.tokens().access.expose())
                .limit(60)
                .set_pagination_token(page.take())
                .send()
                .await;
            let output = self.account_call(result).await?;
            for device in output.devices() {
                let attribute = |name: &str| {
                    device
                        .device_attributes()
                        .iter()
                        .find(|attribute| attribute.name() == name)
                        .and_then(|attribute| attribute.value())
                        .map(str::to_owned)
                };
                let time = |at: Option<&aws_smithy_types::DateTime>| {
                    at.and_then(|at| OffsetDateTime::from_unix_timestamp(at.secs()).ok())
                };
                let device_key = device.device_key().unwrap_or_default().to_owned();
                devices.push(DeviceInfo {
                    is_this_device: this_device.as_deref() == Some(device_key.as_str()),
                    name: attribute("device_name"),
                    remembered: attribute("dev:device_remembered_status").as_deref()
                        == Some("remembered"),
                    created: time(device.device_create_date()),
                    last_authenticated: time(device.device_last_authenticated_date()),
                    device_key,
                });
            }
            match output.pagination_token() {
                Some(token) if !token.is_empty() => page = Some(token.to_owned()),
                _ => break,
            }
        }
        Ok(devices)
    }

    /// Forgets a device (ForgetDevice): this device when `device_key` is `None`. Forgetting
    /// this device also deletes its secrets from the keychain, so the next sign-in asks for
    /// MFA again. Returns the key that was forgotten.
    pub async fn forget_device(&self, device_key: Option<&str>) -> Result<String, Error> {
        let session = self.current_session().await?;
        let this_device = self.load_device(session.username()).await?;
        let this_key = this_device
            .as_ref()
            .map(|secrets| secrets.device_key().to_owned());
        let device_key = match (device_key, this_key.as_deref()) {
            (Some(key), _) => key.to_owned(),
            (None, Some(key)) => key.to_owned(),
            (None, None) => return Err(Error::DeviceNotRemembered),
        };
        let result = self
            .inner
            .idp
            .forget_device()
            .access_token(session.tokens().access.expose())
            .device_key(&device_key)
            .send()
            .await;
        let result = self.account_call(result).await;
        let is_this_device = this_key.as_deref() == Some(device_key.as_str());
        match result {
            Ok(_) => {}
            // Already gone on the server: still drop the local secrets below.
            Err(Error::Service { ref code, .. })
                if is_this_device && code == "ResourceNotFoundException" => {}
            Err(error) => return Err(error),
        }
        if is_this_device {
            self.delete_device(session.username()).await?;
        }
        Ok(device_key)
    }
}

/// Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with the remembered device's secrets;
/// returns Cognito's answer to the second (tokens, normally).
pub(crate) async fn answer_device_challenge(
    flow: &Flow,
    output: ChallengeOutput,
) -> Result<ChallengeOutput, Error> {
    let Some(device) = &flow.device else {
        return Err(Error::Protocol {
            reason: "DEVICE_SRP_AUTH was asked, but this device is not remembered".to_owned(),
        });
    };
    let session = output.session.map(ChallengeSession::new);
    let ephemeral = ClientEphemeral::generate(&mut OsRng);
    let responses = HashMap::from([
        ("DEVICE_KEY".to_owned(), device.device_key.clone()),
        ("SRP_A".to_owned(), ephemeral.srp_a_hex()),
    ]);
    let verifier = flow
        .respond(
            ChallengeNameType::DeviceSrpAuth,
            responses,
            session.as_ref(),
        )
        .await?;
    if verifier.challenge_name != Some(ChallengeNameType::DevicePasswordVerifier) {
        return Err(Error::Protocol {
            reason: "DEVICE_SRP_AUTH was not answered with DEVICE_PASSWORD_VERIFIER".to_owned(),
        });
    }
    let parameter = |name: &'static str| {
        verifier
            .parameters
            .get(name)
            .ok_or_else(|| Error::Protocol {
                reason: format!("DEVICE_PASSWORD_VERIFIER lacks {name}"),
            })
    };
    let secret_block = parameter("SECRET_BLOCK")?.clone();
    let claim = ephemeral
        .password_claim(
            device.identity(),
            &device.device_password,
            parameter("SALT")?,
            parameter("SRP_B")?,
            &secret_block,
            flow.client.now(),
        )
        .map_err(Error::Srp)?;
    let responses = HashMap::from([
        ("DEVICE_KEY".to_owned(), device.device_key.clone()),
        ("PASSWORD_CLAIM_SECRET_BLOCK".to_owned(), secret_block),
        ("PASSWORD_CLAIM_SIGNATURE".to_owned(), claim.signature_b64),
        ("TIMESTAMP".to_owned(), claim.timestamp),
    ]);
    let session = verifier.session.map(ChallengeSession::new);
    flow.respond(
        ChallengeNameType::DevicePasswordVerifier,
        responses,
        session.as_ref(),
    )
    .await
}

/// ConfirmDevice for the device Cognito just created, then keeps its secrets; with `remember`,
/// also UpdateDeviceStatus(remembered) when the pool leaves that to the user. Done after every
/// sign-in that brings `NewDeviceMetadata`, asked or not: the session's refresh token works
/// only for a confirmed device (see [`Client::refresh_tokens`]). Failures are reported in the
/// result, not raised: the sign-in itself succeeded.
pub(crate) async fn track_new_device(
    client: &Client,
    username: &str,
    session: &Session,
    metadata: NewDeviceMetadataType,
    remember: bool,
) -> DeviceRemembering {
    match try_track(client, username, session, metadata, remember).await {
        Ok(Tracked {
            device_key,
            remembered: true,
        }) => DeviceRemembering::Remembered { device_key },
        Ok(Tracked { .. }) => DeviceRemembering::NotRequested,
        Err(error) if remember => {
            tracing::warn!(code = error.code(), "this device could not be remembered");
            DeviceRemembering::Failed { code: error.code() }
        }
        Err(error) => {
            tracing::warn!(
                code = error.code(),
                "this device could not be confirmed; refreshing the session will fail"
            );
            DeviceRemembering::NotRequested
        }
    }
}

/// UpdateDeviceStatus(remembered) for a device the pool already knows.
pub(crate) async fn remember_known_device(
    client: &Client,
    session: &Session,
    device_key: &str,
) -> DeviceRemembering {
    match set_remembered(client, session.tokens().access.expose(), device_key).await {
        Ok(()) => DeviceRemembering::Remembered {
            device_key: device_key.to_owned(),
        },
        Err(error) => {
            tracing::warn!(code = error.code(), "this device could not be remembered");
            DeviceRemembering::Failed { code: error.code() }
        }
    }
}

async fn set_remembered(client: &Client, access: &str, device_key: &str) -> Result<(), Error> {
    client
        .inner
        .idp
        .update_device_status()
        .access_token(access)
        .device_key(device_key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .map_err(|error| map_sdk_error(Operation::Account, &client.endpoint(), error))?;
    Ok(())
}

/// A device confirmed by [`try_track`].
struct Tracked {
    device_key: String,
    /// Whether the pool now remembers it (asked for, or the pool remembers every device).
    remembered: bool,
}

async fn try_track(
    client: &Client,
    username: &str,
    session: &Session,
    metadata: NewDeviceMetadataType,
    remember: bool,
) -> Result<Tracked, Error> {
    let (Some(device_key), Some(device_group_key)) =
        (metadata.device_key, metadata.device_group_key)
    else {
        return Err(Error::Protocol {
            reason: "NewDeviceMetadata lacks the device or group key".to_owned(),
        });
    };
    let secrets = DeviceSecrets {
        version: DEVICE_SECRETS_VERSION,
        device_password: cognito_srp::generate_device_password(&mut OsRng),
        device_key,
        device_group_key,
    };
    let salt = cognito_srp::generate_salt(&mut OsRng);
    let config = cognito_srp::device_verifier_config(
        &secrets.device_group_key,
        &secrets.device_key,
        &secrets.device_password,
        &salt,
    );
    let verifier = DeviceSecretVerifierConfigType::builder()
        .password_verifier(config.password_verifier_b64.clone())
        .salt(config.salt_b64.clone())
        .build();
    let access = session.tokens().access.expose();
    let confirmed = client
        .inner
        .idp
        .confirm_device()
        .access_token(access)
        .device_key(&secrets.device_key)
        .device_secret_verifier_config(verifier)
        .device_name(device_name())
        .send()
        .await
        .map_err(|error| map_sdk_error(Operation::Account, &client.endpoint(), error))?;
    // Keep the secrets as soon as Cognito knows the verifier: a device it knows but this
    // keychain forgot could never sign in as itself again.
    client.save_device(username, &secrets).await?;
    let must_opt_in = confirmed.user_confirmation_necessary();
    if remember && must_opt_in {
        set_remembered(client, access, &secrets.device_key).await?;
    }
    Ok(Tracked {
        device_key: secrets.device_key.clone(),
        remembered: remember || !must_opt_in,
    })
}

/// "Coffer on <host name>", or "Coffer" when the host has no readable name.
fn device_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    match host {
        Some(host) => format!("{DEVICE_NAME_PREFIX} on {host}"),
        None => DEVICE_NAME_PREFIX.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_secrets_debug_hides_the_password() {
        let secrets = DeviceSecrets {
            version: DEVICE_SECRETS_VERSION,
            device_key: "us-east-1_abc".into(),
            device_group_key: "-group".into(),
            device_password: "device-password-text".into(),
        };
        let debug = format!("{secrets:?}");
        assert!(!debug.contains("device-password-text"), "{debug}");
        assert!(debug.contains("us-east-1_abc"));
    }
}
