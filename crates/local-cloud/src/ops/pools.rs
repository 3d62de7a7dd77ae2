//! CreateUserPool, DescribeUserPool, ListUserPools.
//!
//! Features the emulator does not implement (Lambda triggers, alias attributes, phone-number
//! usernames) are refused with `InvalidParameterException` instead of being silently ignored, so
//! a test never passes against settings that would behave differently on AWS.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{epoch_seconds, required, Ctx};
use crate::error::CognitoError;
use crate::ids;
use crate::jwt::SigningKeyRecord;
use crate::model::device::DeviceConfiguration;
use crate::model::mfa::{MfaMode, PoolMfa, SmsMfaSettings};
use crate::model::pool::EMAIL;
use crate::model::{PasswordPolicy, UserPool};
use crate::secrets::PersistedSecret;

/// CreateUserPool request (the members the emulator reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolRequest {
    pool_name: Option<String>,
    policies: Option<PoliciesIn>,
    username_attributes: Option<Vec<String>>,
    alias_attributes: Option<Vec<String>>,
    auto_verified_attributes: Option<Vec<String>>,
    username_configuration: Option<UsernameConfiguration>,
    mfa_configuration: Option<String>,
    sms_configuration: Option<SmsConfigurationWire>,
    sms_authentication_message: Option<String>,
    device_configuration: Option<DeviceConfigurationWire>,
    schema: Option<Vec<SchemaAttributeIn>>,
    lambda_config: Option<BTreeMap<String, serde_json::Value>>,
}

/// `SchemaAttributeType` (only `Name` and `Required` matter here).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SchemaAttributeIn {
    name: Option<String>,
    required: Option<bool>,
}

/// The standard attributes a `Schema` marks required; required custom attributes are refused,
/// as on AWS.
fn required_attributes(
    schema: Option<Vec<SchemaAttributeIn>>,
) -> Result<Vec<String>, CognitoError> {
    let mut required = Vec::new();
    for attribute in schema.unwrap_or_default() {
        let name = super::required(attribute.name, "Schema.member.Name")?;
        if !attribute.required.unwrap_or(false) {
            continue;
        }
        if name.starts_with("custom:") {
            return Err(CognitoError::invalid_parameter(
                "Required custom attributes are not supported currently.",
            ));
        }
        if !super::sign_up::is_standard_attribute(&name) {
            return Err(CognitoError::invalid_parameter(format!(
                "Schema attribute {name} is not a standard attribute."
            )));
        }
        if !required.contains(&name) {
            required.push(name);
        }
    }
    Ok(required)
}

/// `SmsConfigurationType` (recorded; the local cloud texts to its outbox).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SmsConfigurationWire {
    /// `SnsCallerArn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns_caller_arn: Option<String>,
    /// `ExternalId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// `SnsRegion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns_region: Option<String>,
}

/// `DeviceConfigurationType`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceConfigurationWire {
    challenge_required_on_new_device: Option<bool>,
    device_only_remembered_on_user_prompt: Option<bool>,
}

impl DeviceConfigurationWire {
    fn into_model(self) -> DeviceConfiguration {
        DeviceConfiguration {
            challenge_required_on_new_device: self
                .challenge_required_on_new_device
                .unwrap_or(false),
            device_only_remembered_on_user_prompt: self
                .device_only_remembered_on_user_prompt
                .unwrap_or(false),
        }
    }

    fn of(config: &DeviceConfiguration) -> Self {
        Self {
            challenge_required_on_new_device: Some(config.challenge_required_on_new_device),
            device_only_remembered_on_user_prompt: Some(
                config.device_only_remembered_on_user_prompt,
            ),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoliciesIn {
    password_policy: Option<PasswordPolicyWire>,
}

/// `PasswordPolicyType`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicyWire {
    minimum_length: Option<u32>,
    require_uppercase: Option<bool>,
    require_lowercase: Option<bool>,
    require_numbers: Option<bool>,
    require_symbols: Option<bool>,
    temporary_password_validity_days: Option<u32>,
}

impl PasswordPolicyWire {
    fn into_policy(self) -> PasswordPolicy {
        let default = PasswordPolicy::default();
        PasswordPolicy {
            minimum_length: self.minimum_length.unwrap_or(default.minimum_length),
            require_uppercase: self.require_uppercase.unwrap_or(false),
            require_lowercase: self.require_lowercase.unwrap_or(false),
            require_numbers: self.require_numbers.unwrap_or(false),
            require_symbols: self.require_symbols.unwrap_or(false),
            temporary_password_validity_days: self
                .temporary_password_validity_days
                .unwrap_or(default.temporary_password_validity_days),
        }
    }

    fn of(policy: &PasswordPolicy) -> Self {
        Self {
            minimum_length: Some(policy.minimum_length),
            require_uppercase: Some(policy.require_uppercase),
            require_lowercase: Some(policy.require_lowercase),
            require_numbers: Some(policy.require_numbers),
            require_symbols: Some(policy.require_symbols),
            temporary_password_validity_days: Some(policy.temporary_password_validity_days),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UsernameConfiguration {
    case_sensitive: Option<bool>,
}

/// `UserPoolType` (the members the emulator has).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolType {
    id: String,
    name: String,
    arn: String,
    policies: PoliciesOut,
    lambda_config: BTreeMap<String, String>,
    last_modified_date: f64,
    creation_date: f64,
    username_attributes: Vec<String>,
    auto_verified_attributes: Vec<String>,
    username_configuration: UsernameConfiguration,
    mfa_configuration: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_configuration: Option<DeviceConfigurationWire>,
    estimated_number_of_users: usize,
    admin_create_user_config: AdminCreateUserConfig,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct PoliciesOut {
    password_policy: PasswordPolicyWire,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct AdminCreateUserConfig {
    allow_admin_create_user_only: bool,
    unused_account_validity_days: u32,
}

impl UserPoolType {
    fn of(pool: &UserPool, region: &str) -> Self {
        Self {
            id: pool.id.clone(),
            name: pool.name.clone(),
            arn: pool.arn(region),
            policies: PoliciesOut {
                password_policy: PasswordPolicyWire::of(&pool.password_policy),
            },
            lambda_config: BTreeMap::new(),
            last_modified_date: epoch_seconds(pool.last_modified),
            creation_date: epoch_seconds(pool.created),
            username_attributes: pool.username_attributes.clone(),
            auto_verified_attributes: pool.auto_verified_attributes.clone(),
            username_configuration: UsernameConfiguration {
                case_sensitive: Some(pool.username_case_sensitive),
            },
            mfa_configuration: pool.mfa.mode.as_str(),
            device_configuration: pool
                .device_configuration
                .as_ref()
                .map(DeviceConfigurationWire::of),
            estimated_number_of_users: pool.users.len(),
            admin_create_user_config: AdminCreateUserConfig {
                allow_admin_create_user_only: false,
                unused_account_validity_days: pool.password_policy.temporary_password_validity_days,
            },
        }
    }
}

/// `{"UserPool": …}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolResponse {
    user_pool: UserPoolType,
}

fn unsupported(what: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!("{what} is not supported by the local cloud."))
}

fn check_attribute_list(
    member: &str,
    values: &[String],
    phone_allowed: bool,
) -> Result<(), CognitoError> {
    for value in values {
        match value.as_str() {
            EMAIL => {}
            "phone_number" if phone_allowed => {}
            "phone_number" => return Err(unsupported(&format!("{member} phone_number"))),
            _ => {
                return Err(CognitoError::constraint(
                    member,
                    "Member must satisfy enum value set: [phone_number, email]",
                ))
            }
        }
    }
    Ok(())
}

/// The settings of a new pool, already validated.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Pool name.
    pub name: String,
    /// Password policy.
    pub password_policy: PasswordPolicy,
    /// `["email"]` or empty.
    pub username_attributes: Vec<String>,
    /// `["email"]` or empty.
    pub auto_verified_attributes: Vec<String>,
    /// Username case sensitivity.
    pub username_case_sensitive: bool,
    /// MFA settings.
    pub mfa: PoolMfa,
    /// Standard attributes marked required in the `Schema`.
    pub required_attributes: Vec<String>,
    /// Device tracking, if on.
    pub device_configuration: Option<DeviceConfiguration>,
}

/// Creates a pool in `ctx` (also used to provision the demo backend).
pub fn create_pool(
    state: &mut crate::model::State,
    region: &str,
    now: time::OffsetDateTime,
    settings: PoolSettings,
    signing_key: SigningKeyRecord,
) -> String {
    let id = loop {
        let id = ids::user_pool_id(region);
        if !state.pools.contains_key(&id) {
            break id;
        }
    };
    let pool = UserPool {
        id: id.clone(),
        name: settings.name,
        created: now,
        last_modified: now,
        password_policy: settings.password_policy,
        username_attributes: settings.username_attributes,
        auto_verified_attributes: settings.auto_verified_attributes,
        username_case_sensitive: settings.username_case_sensitive,
        signing_key,
        fake_identity_key: PersistedSecret::new(URL_SAFE_NO_PAD.encode(ids::random_bytes(32))),
        clients: BTreeMap::new(),
        users: BTreeMap::new(),
        sessions: BTreeMap::new(),
        mfa: settings.mfa,
        required_attributes: settings.required_attributes,
        device_configuration: settings.device_configuration,
    };
    state.pools.insert(id.clone(), pool);
    id
}

/// CreateUserPool.
pub fn create_user_pool(
    ctx: &mut Ctx<'_>,
    req: CreateUserPoolRequest,
) -> Result<UserPoolResponse, CognitoError> {
    let name = required(req.pool_name, "PoolName")?;
    let name_len = name.chars().count();
    if name_len == 0 || name_len > 128 {
        return Err(CognitoError::constraint(
            "poolName",
            "Member must have length between 1 and 128",
        ));
    }
    if req.alias_attributes.as_ref().is_some_and(|a| !a.is_empty()) {
        return Err(unsupported("AliasAttributes"));
    }
    let mode = req
        .mfa_configuration
        .as_deref()
        .map(MfaMode::parse)
        .transpose()?
        .unwrap_or_default();
    // CreateUserPool only knows SMS MFA (TOTP and e-mail come with SetUserPoolMfaConfig), and
    // Cognito refuses OPTIONAL / ON without an SMS configuration.
    let sms = match (mode, req.sms_configuration) {
        (_, Some(sms)) => Some(SmsMfaSettings {
            message: req.sms_authentication_message,
            sns_caller_arn: sms.sns_caller_arn,
            external_id: sms.external_id,
            sns_region: sms.sns_region,
        }),
        (MfaMode::Off, None) => None,
        (_, None) => {
            return Err(CognitoError::invalid_parameter(
                "SMS configuration is required when MFA is enabled; or use SetUserPoolMfaConfig to enable software token MFA.",
            ))
        }
    };
    let mfa = PoolMfa {
        mode,
        sms: sms.filter(|_| mode != MfaMode::Off),
        software_token: false,
        email: None,
    };
    if req.lambda_config.as_ref().is_some_and(|l| !l.is_empty()) {
        return Err(unsupported("LambdaConfig"));
    }
    let required_attributes = required_attributes(req.schema)?;
    let username_attributes = req.username_attributes.unwrap_or_default();
    check_attribute_list("usernameAttributes", &username_attributes, false)?;
    let auto_verified_attributes = req.auto_verified_attributes.unwrap_or_default();
    check_attribute_list("autoVerifiedAttributes", &auto_verified_attributes, true)?;
    let password_policy = req
        .policies
        .and_then(|p| p.password_policy)
        .map(PasswordPolicyWire::into_policy)
        .unwrap_or_default();
    password_policy.validate()?;
    let settings = PoolSettings {
        name,
        password_policy,
        username_attributes,
        auto_verified_attributes,
        username_case_sensitive: req
            .username_configuration
            .and_then(|c| c.case_sensitive)
            .unwrap_or(true),
        mfa,
        required_attributes,
        device_configuration: req
            .device_configuration
            .map(DeviceConfigurationWire::into_model),
    };
    let signing_key = SigningKeyRecord::generate().map_err(|err| {
        tracing::error!(error = %err, "cannot generate a signing key");
        CognitoError::internal()
    })?;
    let id = create_pool(
        &mut ctx.inner.state,
        ctx.region,
        ctx.now,
        settings,
        signing_key,
    );
    let pool = ctx.inner.state.pool(&id)?;
    tracing::info!(user_pool_id = %id, "user pool created");
    Ok(UserPoolResponse {
        user_pool: UserPoolType::of(pool, ctx.region),
    })
}

/// DescribeUserPool request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolRequest {
    user_pool_id: Option<String>,
}

/// DescribeUserPool.
pub fn describe_user_pool(
    ctx: &mut Ctx<'_>,
    req: DescribeUserPoolRequest,
) -> Result<UserPoolResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let pool = ctx.inner.state.pool(&pool_id)?;
    Ok(UserPoolResponse {
        user_pool: UserPoolType::of(pool, ctx.region),
    })
}

/// ListUserPools request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolsRequest {
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListUserPools response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolsResponse {
    user_pools: Vec<UserPoolDescription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct UserPoolDescription {
    id: String,
    name: String,
    lambda_config: BTreeMap<String, String>,
    last_modified_date: f64,
    creation_date: f64,
}

/// Validates `MaxResults` (1–60).
pub fn page_size(max_results: Option<i64>, required_member: bool) -> Result<usize, CognitoError> {
    let value = match max_results {
        Some(v) => v,
        None if required_member => return Err(CognitoError::missing_member("MaxResults")),
        None => 60,
    };
    if !(1..=60).contains(&value) {
        return Err(CognitoError::constraint(
            "maxResults",
            "Member must have value less than or equal to 60 and greater than or equal to 1",
        ));
    }
    Ok(usize::try_from(value).unwrap_or(60))
}

/// Decodes a `NextToken` produced by [`next_token`]: the last key of the previous page.
pub fn after_key(token: Option<&str>) -> Result<Option<String>, CognitoError> {
    token
        .map(|t| {
            URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| CognitoError::invalid_parameter("Invalid pagination token"))
        })
        .transpose()
}

/// The `NextToken` naming `last_key`.
pub fn next_token(last_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(last_key)
}

/// ListUserPools.
pub fn list_user_pools(
    ctx: &mut Ctx<'_>,
    req: ListUserPoolsRequest,
) -> Result<ListUserPoolsResponse, CognitoError> {
    let limit = page_size(req.max_results, true)?;
    let after = after_key(req.next_token.as_deref())?;
    let mut pools = ctx
        .inner
        .state
        .pools
        .values()
        .filter(|p| after.as_deref().is_none_or(|a| p.id.as_str() > a));
    let page: Vec<&UserPool> = pools.by_ref().take(limit).collect();
    let more = pools.next().is_some();
    Ok(ListUserPoolsResponse {
        next_token: page.last().filter(|_| more).map(|p| next_token(&p.id)),
        user_pools: page
            .into_iter()
            .map(|p| UserPoolDescription {
                id: p.id.clone(),
                name: p.name.clone(),
                lambda_config: BTreeMap::new(),
                last_modified_date: epoch_seconds(p.last_modified),
                creation_date: epoch_seconds(p.created),
            })
            .collect(),
    })
}
