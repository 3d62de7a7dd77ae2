//! Remembered devices: ConfirmDevice, UpdateDeviceStatus, GetDevice, ListDevices,
//! ForgetDevice, AdminListDevices, AdminForgetDevice, and the DEVICE_SRP_AUTH /
//! DEVICE_PASSWORD_VERIFIER challenges.
//!
//! A pool with a `DeviceConfiguration` hands out `NewDeviceMetadata` (a device key and the
//! user's device group key) with the tokens of a sign-in that did not come from a confirmed
//! device. ConfirmDevice registers the device's SRP verifier (made by the client from a random
//! device password it keeps; the server never sees that password). A confirmed device is
//! remembered at once, or — with `DeviceOnlyRememberedOnUserPrompt` — once UpdateDeviceStatus
//! says `remembered`. A later sign-in that sends that `DEVICE_KEY` gets, after the password,
//! DEVICE_SRP_AUTH; the client answers with SRP_A, gets DEVICE_PASSWORD_VERIFIER (SALT, SRP_B,
//! SECRET_BLOCK) and signs it with the device password: SRP-6a again, with
//! `device_group_key || device_key` in place of `pool_name || username`. The device proof is
//! always the last step before the tokens: when the pool sets `ChallengeRequiredOnNewDevice`
//! (AWS: "when true, a remembered device can sign in with device authentication instead of"
//! MFA) it comes straight after the password and replaces MFA; otherwise it comes after MFA.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};

use super::challenge::MAX_TIMESTAMP_SKEW;
use super::mfa_answers::bound;
use super::pools::{after_key, next_token};
use super::sign_in::{challenge, finish, Step};
use super::tokens::authenticate_access_token;
use super::wire::{AttributeOut, AuthResponse, Empty};
use super::{epoch_seconds, required, required_param, Ctx};
use crate::challenges::SessionChallenge;
use crate::error::{CognitoError, ErrorKind};
use crate::ids;
use crate::model::device::Device;
use crate::model::User;
use crate::secrets::{PersistedSecret, SecretString};

/// Bytes of randomness in a DEVICE_PASSWORD_VERIFIER SECRET_BLOCK.
const SECRET_BLOCK_BYTES: usize = 64;

pub(crate) fn no_such_device() -> CognitoError {
    CognitoError::new(ErrorKind::ResourceNotFound, "Device does not exist.")
}

/// `DeviceType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceType {
    device_key: String,
    device_attributes: Vec<AttributeOut>,
    device_create_date: f64,
    device_last_modified_date: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_last_authenticated_date: Option<f64>,
}

/// Whose device it is, for the `dev:device_arn` / `dev:device_owner` attributes.
#[derive(Debug, Clone, Copy)]
struct Owner<'a> {
    region: &'a str,
    pool_id: &'a str,
    username: &'a str,
}

impl DeviceType {
    /// The attributes AWS's API reference shows, minus the ones the local cloud cannot know
    /// (`last_ip_used`, `dev:device_sdk`).
    fn of(device: &Device, owner: Owner<'_>) -> Self {
        let attribute = |name: &str, value: String| AttributeOut {
            name: name.to_owned(),
            value,
        };
        let owner_id = format!("{}.{}", owner.username, owner.pool_id);
        let mut attributes = vec![attribute("device_status", "valid".to_owned())];
        if let Some(name) = &device.name {
            attributes.push(attribute("device_name", name.clone()));
        }
        attributes.push(attribute(
            "dev:device_arn",
            format!(
                "arn:aws:cognito-idp:{}:000000000000:owner/{owner_id}/device/{}",
                owner.region, device.key
            ),
        ));
        attributes.push(attribute("dev:device_owner", owner_id));
        attributes.push(attribute(
            "dev:device_remembered_status",
            if device.remembered {
                "remembered"
            } else {
                "not_remembered"
            }
            .to_owned(),
        ));
        Self {
            device_key: device.key.clone(),
            device_attributes: attributes,
            device_create_date: epoch_seconds(device.created),
            device_last_modified_date: epoch_seconds(device.last_modified),
            device_last_authenticated_date: device.last_authenticated.map(epoch_seconds),
        }
    }
}

/// `DeviceSecretVerifierConfigType`. No `Debug`: the verifier is password-equivalent.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceSecretVerifierConfig {
    password_verifier: Option<SecretString>,
    salt: Option<String>,
}

impl std::fmt::Debug for DeviceSecretVerifierConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSecretVerifierConfig")
            .field("password_verifier", &"[redacted]")
            .field("salt", &self.salt)
            .finish()
    }
}

/// ConfirmDevice request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceRequest {
    access_token: Option<SecretString>,
    device_key: Option<String>,
    device_secret_verifier_config: Option<DeviceSecretVerifierConfig>,
    device_name: Option<String>,
}

/// ConfirmDevice response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceResponse {
    user_confirmation_necessary: bool,
}

/// ConfirmDevice: registers the device verifier of a key this user was issued.
pub fn confirm_device(
    ctx: &mut Ctx<'_>,
    req: ConfirmDeviceRequest,
) -> Result<ConfirmDeviceResponse, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let device_key = required(req.device_key, "DeviceKey")?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let config = required(
        req.device_secret_verifier_config,
        "DeviceSecretVerifierConfig",
    )?;
    let invalid = || CognitoError::invalid_parameter("Invalid DeviceSecretVerifierConfig.");
    let verifier = cognito_srp::Verifier::from_device_config(
        required(
            config.password_verifier,
            "DeviceSecretVerifierConfig.PasswordVerifier",
        )?
        .expose(),
        &required(config.salt, "DeviceSecretVerifierConfig.Salt")?,
    )
    .map_err(|_| invalid())?;
    if let Some(name) = &req.device_name {
        if name.is_empty() || name.chars().count() > 1024 {
            return Err(CognitoError::constraint(
                "deviceName",
                "Member must have length between 1 and 1024",
            ));
        }
    }
    let now = ctx.now;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    let prompt_only = pool
        .device_configuration
        .is_some_and(|c| c.device_only_remembered_on_user_prompt);
    let user = pool.user_mut(&username)?;
    let device = user
        .devices
        .get_mut(&device_key)
        .ok_or_else(no_such_device)?;
    if device.is_confirmed() {
        return Err(CognitoError::invalid_parameter(
            "Device has already been confirmed.",
        ));
    }
    device.verifier = Some(PersistedSecret::new(STANDARD.encode(verifier.to_bytes())));
    device.name = req.device_name;
    device.remembered = !prompt_only;
    device.last_modified = now;
    tracing::info!(user_pool_id = %pool_id, username = %username, device_key = %device_key, "device confirmed");
    Ok(ConfirmDeviceResponse {
        user_confirmation_necessary: prompt_only,
    })
}

/// UpdateDeviceStatus request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDeviceStatusRequest {
    access_token: Option<SecretString>,
    device_key: Option<String>,
    device_remembered_status: Option<String>,
}

fn confirmed_device<'u>(user: &'u mut User, key: &str) -> Result<&'u mut Device, CognitoError> {
    user.devices
        .get_mut(key)
        .filter(|d| d.is_confirmed())
        .ok_or_else(no_such_device)
}

/// UpdateDeviceStatus: `remembered` or `not_remembered`.
pub fn update_device_status(
    ctx: &mut Ctx<'_>,
    req: UpdateDeviceStatusRequest,
) -> Result<Empty, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let device_key = required(req.device_key, "DeviceKey")?;
    let remembered = match req.device_remembered_status.as_deref() {
        Some("remembered") => true,
        Some("not_remembered") | None => false,
        Some(_) => {
            return Err(CognitoError::constraint(
                "deviceRememberedStatus",
                "Member must satisfy enum value set: [remembered, not_remembered]",
            ))
        }
    };
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let now = ctx.now;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    let device = confirmed_device(user, &device_key)?;
    device.remembered = remembered;
    device.last_modified = now;
    Ok(Empty {})
}

/// GetDevice / ForgetDevice request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceRequest {
    access_token: Option<SecretString>,
    device_key: Option<String>,
}

/// GetDevice response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDeviceResponse {
    device: DeviceType,
}

/// GetDevice.
pub fn get_device(
    ctx: &mut Ctx<'_>,
    req: DeviceRequest,
) -> Result<GetDeviceResponse, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let device_key = required(req.device_key, "DeviceKey")?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let region = ctx.region;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    let owner = Owner {
        region,
        pool_id: &pool_id,
        username: &username,
    };
    Ok(GetDeviceResponse {
        device: DeviceType::of(confirmed_device(user, &device_key)?, owner),
    })
}

/// ForgetDevice: the device key stops working; the next sign-in gets new metadata.
pub fn forget_device(ctx: &mut Ctx<'_>, req: DeviceRequest) -> Result<Empty, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let device_key = required(req.device_key, "DeviceKey")?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    confirmed_device(user, &device_key)?;
    user.devices.remove(&device_key);
    tracing::info!(user_pool_id = %pool_id, username = %username, device_key = %device_key, "device forgotten");
    Ok(Empty {})
}

/// ListDevices request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesRequest {
    access_token: Option<SecretString>,
    limit: Option<i64>,
    pagination_token: Option<String>,
}

/// ListDevices / AdminListDevices response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesResponse {
    devices: Vec<DeviceType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pagination_token: Option<String>,
}

fn list(
    user: &User,
    owner: Owner<'_>,
    limit: Option<i64>,
    token: Option<&str>,
) -> Result<ListDevicesResponse, CognitoError> {
    let limit = match limit {
        None => 60,
        Some(l) if (0..=60).contains(&l) => usize::try_from(l).unwrap_or(60),
        Some(_) => {
            return Err(CognitoError::constraint(
                "limit",
                "Member must have value less than or equal to 60",
            ))
        }
    };
    let after = after_key(token)?;
    let mut devices = user
        .devices
        .values()
        .filter(|d| d.is_confirmed())
        .filter(|d| after.as_deref().is_none_or(|a| d.key.as_str() > a));
    let page: Vec<&Device> = devices.by_ref().take(limit).collect();
    let more = devices.next().is_some();
    Ok(ListDevicesResponse {
        pagination_token: page.last().filter(|_| more).map(|d| next_token(&d.key)),
        devices: page
            .into_iter()
            .map(|device| DeviceType::of(device, owner))
            .collect(),
    })
}

/// ListDevices: the signed-in user's confirmed devices.
pub fn list_devices(
    ctx: &mut Ctx<'_>,
    req: ListDevicesRequest,
) -> Result<ListDevicesResponse, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let region = ctx.region;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    let owner = Owner {
        region,
        pool_id: &pool_id,
        username: &username,
    };
    list(user, owner, req.limit, req.pagination_token.as_deref())
}

/// AdminListDevices request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminListDevicesRequest {
    user_pool_id: Option<String>,
    username: Option<String>,
    limit: Option<i64>,
    pagination_token: Option<String>,
}

/// AdminListDevices.
pub fn admin_list_devices(
    ctx: &mut Ctx<'_>,
    req: AdminListDevicesRequest,
) -> Result<ListDevicesResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let typed = required(req.username, "Username")?;
    let region = ctx.region;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&typed)?;
    let owner = Owner {
        region,
        pool_id: &pool_id,
        username: &user.username.clone(),
    };
    list(user, owner, req.limit, req.pagination_token.as_deref())
}

/// AdminForgetDevice request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminForgetDeviceRequest {
    user_pool_id: Option<String>,
    username: Option<String>,
    device_key: Option<String>,
}

/// AdminForgetDevice.
pub fn admin_forget_device(
    ctx: &mut Ctx<'_>,
    req: AdminForgetDeviceRequest,
) -> Result<Empty, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let typed = required(req.username, "Username")?;
    let device_key = required(req.device_key, "DeviceKey")?;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&typed)?;
    confirmed_device(user, &device_key)?;
    user.devices.remove(&device_key);
    Ok(Empty {})
}

/// DEVICE_SRP_AUTH: the client sends SRP_A for its remembered device; the answer is
/// DEVICE_PASSWORD_VERIFIER.
pub fn device_srp_auth(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    session: Option<&SecretString>,
    responses: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let device_key = required_param(responses, "DEVICE_KEY")?.expose().to_owned();
    let srp_a = required_param(responses, "SRP_A")?.expose().to_owned();
    let (pending, _) = bound(
        ctx,
        pool_id,
        client_id,
        "DEVICE_SRP_AUTH",
        session,
        responses,
    )?;
    let SessionChallenge::DeviceSrpAuth {
        device_key: expected,
    } = &pending.challenge
    else {
        return Err(CognitoError::internal());
    };
    if *expected != device_key {
        return Err(CognitoError::incorrect_credentials());
    }
    let user = ctx
        .inner
        .state
        .pool(pool_id)?
        .users
        .get(&pending.username)
        .ok_or_else(CognitoError::incorrect_credentials)?;
    let device = user
        .devices
        .get(&device_key)
        .filter(|d| d.remembered)
        .ok_or_else(no_such_device)?;
    let verifier = device.verifier()?.ok_or_else(no_such_device)?;
    let group_key = device.group_key.clone();
    let server = cognito_srp::ServerEphemeral::generate(&verifier, &mut OsRng);
    let session_key = server
        .session_key(&verifier, &srp_a)
        .map_err(|_| CognitoError::incorrect_credentials())?;
    let secret_block = STANDARD.encode(ids::random_bytes(SECRET_BLOCK_BYTES));
    let username = pending.username.clone();
    let params = BTreeMap::from([
        ("DEVICE_KEY", device_key.clone()),
        ("SALT", verifier.salt_hex()),
        ("SECRET_BLOCK", secret_block.clone()),
        ("SRP_B", server.srp_b_hex()),
        ("USERNAME", username.clone()),
    ]);
    challenge(
        ctx,
        Step {
            pool_id,
            client_id,
            username: &username,
            device_key: Some(&device_key),
        },
        SessionChallenge::DevicePasswordVerifier {
            device_key: device_key.clone(),
            group_key,
            secret_block,
            session_key,
        },
        params,
    )
}

/// DEVICE_PASSWORD_VERIFIER: checks the device's claim; success signs in without MFA.
pub fn device_password_verifier(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    session: Option<&SecretString>,
    responses: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let device_key = required_param(responses, "DEVICE_KEY")?.expose().to_owned();
    let secret_block = required_param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = required_param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = required_param(responses, "TIMESTAMP")?;
    let now = ctx.now;
    let (pending, _) = bound(
        ctx,
        pool_id,
        client_id,
        "DEVICE_PASSWORD_VERIFIER",
        session,
        responses,
    )?;
    let SessionChallenge::DevicePasswordVerifier {
        device_key: expected,
        group_key,
        secret_block: issued,
        session_key,
    } = &pending.challenge
    else {
        return Err(CognitoError::internal());
    };
    if *expected != device_key || issued != secret_block.expose() {
        return Err(CognitoError::incorrect_credentials());
    }
    let signed_at = cognito_srp::timestamp::parse(timestamp.expose())
        .map_err(|_| CognitoError::incorrect_credentials())?;
    if signed_at < now - MAX_TIMESTAMP_SKEW || signed_at > now + MAX_TIMESTAMP_SKEW {
        return Err(CognitoError::incorrect_credentials());
    }
    session_key
        .verify(
            cognito_srp::Identity::Device {
                device_group_key: group_key,
                device_key: &device_key,
            },
            issued,
            timestamp.expose(),
            signature.expose(),
        )
        .map_err(|_| CognitoError::incorrect_credentials())?;
    // Forgotten or un-remembered while the challenge was pending?
    let still_remembered = ctx
        .inner
        .state
        .pool(pool_id)?
        .users
        .get(&pending.username)
        .and_then(|u| u.devices.get(&device_key))
        .is_some_and(|d| d.remembered && d.is_confirmed());
    if !still_remembered {
        return Err(no_such_device());
    }
    finish(
        ctx,
        Step {
            pool_id,
            client_id,
            username: &pending.username,
            device_key: Some(&device_key),
        },
        true,
    )
}
