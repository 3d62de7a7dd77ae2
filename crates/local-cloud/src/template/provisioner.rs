//! A [`cfn_template::Provisioner`] over the local cloud's state: each resource type of
//! `infra/coffer.yaml` is created through the same operation the AWS API call reaches
//! (CreateUserPool + SetUserPoolMfaConfig, CreateUserPoolClient, CreateUserPoolDomain,
//! CreateIdentityPool, SetIdentityPoolRoles), so the checks AWS makes are made here too.
//!
//! Properties are read with [`Properties`] (CloudFormation's `"7"`-is-a-number conversions) and
//! restricted to those emulated ([`Properties::only`]): a setting the local cloud would ignore
//! is an error naming it, never silently dropped.

use cfn_template::{Created, Properties, ProvisionError, Provisioner, ResourceType};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::error::CognitoError;
use crate::model::Role;
use crate::ops::Ctx;
use crate::policy::trust::TrustPolicy;
use crate::policy::Policy;

/// The account id the local cloud's ARNs carry.
pub const LOCAL_ACCOUNT_ID: &str = "000000000000";

/// Creates template resources in the state `ctx` holds. Buckets are only named here; the
/// caller creates their directories once the whole deployment succeeded ([`Self::buckets`]).
pub struct StateProvisioner<'c, 'i> {
    ctx: &'c mut Ctx<'i>,
    stack_name: String,
    buckets: Vec<String>,
}

impl<'c, 'i> StateProvisioner<'c, 'i> {
    /// A provisioner for stack `stack_name` over `ctx`.
    pub fn new(ctx: &'c mut Ctx<'i>, stack_name: &str) -> Self {
        Self {
            ctx,
            stack_name: stack_name.to_owned(),
            buckets: Vec::new(),
        }
    }

    /// The buckets the template declared, in creation order.
    pub fn buckets(&self) -> &[String] {
        &self.buckets
    }

    /// `<stack>-<logical id>-<random>`, as CloudFormation names resources it names itself.
    fn generated_name(&self, logical_id: &str, max_len: usize) -> String {
        let suffix: String = crate::ids::opaque_token(16)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect();
        let mut base = format!("{}-{}", self.stack_name, logical_id);
        base.truncate(max_len.saturating_sub(suffix.len() + 1));
        format!("{base}-{suffix}")
    }

    fn user_pool(
        &mut self,
        logical_id: &str,
        p: &Properties<'_>,
    ) -> Result<Created, ProvisionError> {
        p.only(&[
            "UserPoolName",
            "UsernameAttributes",
            "UsernameConfiguration",
            "AutoVerifiedAttributes",
            "VerificationMessageTemplate",
            "AccountRecoverySetting",
            "Schema",
            "Policies",
            "MfaConfiguration",
            "EnabledMfas",
            "AdminCreateUserConfig",
            "DeviceConfiguration",
        ])?;
        if let Some(template) = p.object("VerificationMessageTemplate")? {
            template.only(&["DefaultEmailOption"])?;
            let option = template.string("DefaultEmailOption")?;
            if option.as_deref().is_some_and(|o| o != "CONFIRM_WITH_CODE") {
                return Err(ProvisionError::new(
                    "VerificationMessageTemplate.DefaultEmailOption: only CONFIRM_WITH_CODE is emulated",
                ));
            }
        }
        if let Some(admin) = p.object("AdminCreateUserConfig")? {
            admin.only(&["AllowAdminCreateUserOnly"])?;
            if admin.boolean("AllowAdminCreateUserOnly")? == Some(true) {
                return Err(ProvisionError::new(
                    "AdminCreateUserConfig.AllowAdminCreateUserOnly: true is not emulated",
                ));
            }
        }
        // Account recovery: the local cloud sends recovery codes to the verified e-mail or
        // phone, which is what the recovery mechanisms choose between; the setting is accepted.
        if let Some(recovery) = p.object("AccountRecoverySetting")? {
            recovery.only(&["RecoveryMechanisms"])?;
        }
        let name = match p.string("UserPoolName")? {
            Some(name) => name,
            None => self.generated_name(logical_id, 128),
        };
        let mut request = Map::new();
        request.insert("PoolName".into(), json!(name));
        if let Some(policies) = p.object("Policies")? {
            policies.only(&["PasswordPolicy"])?;
            if let Some(pw) = policies.object("PasswordPolicy")? {
                pw.only(&[
                    "MinimumLength",
                    "RequireLowercase",
                    "RequireUppercase",
                    "RequireNumbers",
                    "RequireSymbols",
                    "TemporaryPasswordValidityDays",
                ])?;
                let mut policy = Map::new();
                for key in ["MinimumLength", "TemporaryPasswordValidityDays"] {
                    if let Some(n) = pw.integer(key)? {
                        policy.insert(key.into(), json!(n));
                    }
                }
                for key in [
                    "RequireLowercase",
                    "RequireUppercase",
                    "RequireNumbers",
                    "RequireSymbols",
                ] {
                    if let Some(b) = pw.boolean(key)? {
                        policy.insert(key.into(), json!(b));
                    }
                }
                request.insert("Policies".into(), json!({ "PasswordPolicy": policy }));
            }
        }
        for key in ["UsernameAttributes", "AutoVerifiedAttributes"] {
            if let Some(list) = p.string_list(key)? {
                request.insert(key.into(), json!(list));
            }
        }
        if let Some(config) = p.object("UsernameConfiguration")? {
            config.only(&["CaseSensitive"])?;
            if let Some(b) = config.boolean("CaseSensitive")? {
                request.insert(
                    "UsernameConfiguration".into(),
                    json!({ "CaseSensitive": b }),
                );
            }
        }
        if let Some(schema) = p.list("Schema")? {
            let mut attributes = Vec::new();
            for (i, item) in schema.iter().enumerate() {
                let Some(map) = item.as_object() else {
                    return Err(ProvisionError::new(format!(
                        "Schema[{i}] must be a mapping"
                    )));
                };
                let attr = Properties::new(map);
                attr.only(&["Name", "AttributeDataType", "Required", "Mutable"])?;
                attributes.push(json!({
                    "Name": attr.required_string("Name")?,
                    "Required": attr.boolean("Required")?.unwrap_or(false),
                }));
            }
            request.insert("Schema".into(), Value::Array(attributes));
        }
        if let Some(device) = p.object("DeviceConfiguration")? {
            device.only(&[
                "ChallengeRequiredOnNewDevice",
                "DeviceOnlyRememberedOnUserPrompt",
            ])?;
            let mut config = Map::new();
            for key in [
                "ChallengeRequiredOnNewDevice",
                "DeviceOnlyRememberedOnUserPrompt",
            ] {
                if let Some(b) = device.boolean(key)? {
                    config.insert(key.into(), json!(b));
                }
            }
            request.insert("DeviceConfiguration".into(), Value::Object(config));
        }
        let response =
            crate::ops::pools::create_user_pool(self.ctx, wire(request)?).map_err(cognito)?;
        let pool_id = response_str(&response, &["UserPool", "Id"])?;

        // CreateUserPool knows only SMS MFA; TOTP and e-mail codes come from
        // SetUserPoolMfaConfig, as CloudFormation's handler does it.
        let mode = p.string("MfaConfiguration")?;
        let factors = p.string_list("EnabledMfas")?.unwrap_or_default();
        if let Some(other) = factors
            .iter()
            .find(|f| f.as_str() != "SOFTWARE_TOKEN_MFA" && f.as_str() != "EMAIL_OTP")
        {
            return Err(ProvisionError::new(format!(
                "EnabledMfas: {other} is not emulated from templates (SOFTWARE_TOKEN_MFA and EMAIL_OTP are)"
            )));
        }
        if mode.is_some() || !factors.is_empty() {
            let mut request = json!({
                "UserPoolId": pool_id,
                "MfaConfiguration": mode.unwrap_or_else(|| "OFF".to_owned()),
                "SoftwareTokenMfaConfiguration": {
                    "Enabled": factors.iter().any(|f| f == "SOFTWARE_TOKEN_MFA")
                },
            });
            if factors.iter().any(|f| f == "EMAIL_OTP") {
                request["EmailMfaConfiguration"] = json!({});
            }
            let request = serde_json::from_value(request)
                .map_err(|e| ProvisionError::with_source("cannot build the MFA settings", e))?;
            crate::ops::mfa::set_user_pool_mfa_config(self.ctx, request).map_err(cognito)?;
        }
        let region = self.ctx.region;
        Ok(Created::new(&pool_id)
            .with_attribute(
                "Arn",
                format!("arn:aws:cognito-idp:{region}:{LOCAL_ACCOUNT_ID}:userpool/{pool_id}"),
            )
            .with_attribute(
                "ProviderName",
                format!("cognito-idp.{region}.amazonaws.com/{pool_id}"),
            )
            // The issuer of the pool's tokens: on the local cloud, `<endpoint>/<poolId>`.
            .with_attribute("ProviderURL", format!("{}/{pool_id}", self.ctx.endpoint))
            .with_attribute("UserPoolId", pool_id.clone()))
    }

    fn user_pool_client(
        &mut self,
        logical_id: &str,
        p: &Properties<'_>,
    ) -> Result<Created, ProvisionError> {
        const STRINGS: [&str; 4] = [
            "UserPoolId",
            "ClientName",
            "PreventUserExistenceErrors",
            "DefaultRedirectURI",
        ];
        const BOOLS: [&str; 3] = [
            "GenerateSecret",
            "EnableTokenRevocation",
            "AllowedOAuthFlowsUserPoolClient",
        ];
        const INTEGERS: [&str; 4] = [
            "AccessTokenValidity",
            "IdTokenValidity",
            "RefreshTokenValidity",
            "AuthSessionValidity",
        ];
        const LISTS: [&str; 6] = [
            "ExplicitAuthFlows",
            "SupportedIdentityProviders",
            "AllowedOAuthFlows",
            "AllowedOAuthScopes",
            "CallbackURLs",
            "LogoutURLs",
        ];
        let supported: Vec<&str> = STRINGS
            .iter()
            .chain(&BOOLS)
            .chain(&INTEGERS)
            .chain(&LISTS)
            .chain(&["TokenValidityUnits"])
            .copied()
            .collect();
        p.only(&supported)?;
        let mut request = Map::new();
        for key in STRINGS {
            if let Some(v) = p.string(key)? {
                request.insert(key.into(), json!(v));
            }
        }
        if !request.contains_key("ClientName") {
            request.insert(
                "ClientName".into(),
                json!(self.generated_name(logical_id, 128)),
            );
        }
        for key in BOOLS {
            if let Some(v) = p.boolean(key)? {
                request.insert(key.into(), json!(v));
            }
        }
        for key in INTEGERS {
            if let Some(v) = p.integer(key)? {
                request.insert(key.into(), json!(v));
            }
        }
        for key in LISTS {
            if let Some(v) = p.string_list(key)? {
                request.insert(key.into(), json!(v));
            }
        }
        if let Some(units) = p.object("TokenValidityUnits")? {
            units.only(&["AccessToken", "IdToken", "RefreshToken"])?;
            let mut map = Map::new();
            for key in ["AccessToken", "IdToken", "RefreshToken"] {
                if let Some(v) = units.string(key)? {
                    map.insert(key.into(), json!(v));
                }
            }
            request.insert("TokenValidityUnits".into(), Value::Object(map));
        }
        let response = crate::ops::clients::create_user_pool_client(self.ctx, wire(request)?)
            .map_err(cognito)?;
        let client_id = response_str(&response, &["UserPoolClient", "ClientId"])?;
        let name = response_str(&response, &["UserPoolClient", "ClientName"])?;
        let mut created = Created::new(&client_id)
            .with_attribute("ClientId", client_id.clone())
            .with_attribute("Name", name);
        if let Ok(secret) = response_str(&response, &["UserPoolClient", "ClientSecret"]) {
            created = created.with_attribute("ClientSecret", secret);
        }
        Ok(created)
    }

    fn user_pool_domain(&mut self, p: &Properties<'_>) -> Result<Created, ProvisionError> {
        p.only(&["UserPoolId", "Domain", "ManagedLoginVersion"])?;
        let domain = p.required_string("Domain")?;
        let mut request = json!({
            "UserPoolId": p.required_string("UserPoolId")?,
            "Domain": domain,
        });
        if let Some(version) = p.integer("ManagedLoginVersion")? {
            request["ManagedLoginVersion"] = json!(version);
        }
        let request = serde_json::from_value(request)
            .map_err(|e| ProvisionError::with_source("cannot build the domain request", e))?;
        crate::ops::domains::create_user_pool_domain(self.ctx, request).map_err(cognito)?;
        // There is no CloudFront here: the hosted UI is served by the local cloud itself.
        let host = self
            .ctx
            .endpoint
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .to_owned();
        Ok(Created::new(&domain).with_attribute("CloudFrontDistribution", host))
    }

    fn identity_pool(
        &mut self,
        logical_id: &str,
        p: &Properties<'_>,
    ) -> Result<Created, ProvisionError> {
        p.only(&[
            "IdentityPoolName",
            "AllowUnauthenticatedIdentities",
            "AllowClassicFlow",
            "CognitoIdentityProviders",
        ])?;
        let name = match p.string("IdentityPoolName")? {
            Some(name) => name,
            // CloudFormation names it after the logical id; identity-pool names allow no `-`
            // in AWS's console convention but the API accepts it.
            None => self.generated_name(logical_id, 128).replace('-', "_"),
        };
        let mut providers = Vec::new();
        for (i, item) in p
            .list("CognitoIdentityProviders")?
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let Some(map) = item.as_object() else {
                return Err(ProvisionError::new(format!(
                    "CognitoIdentityProviders[{i}] must be a mapping"
                )));
            };
            let provider = Properties::new(map);
            provider.only(&["ProviderName", "ClientId", "ServerSideTokenCheck"])?;
            providers.push(json!({
                "ProviderName": provider.required_string("ProviderName")?,
                "ClientId": provider.required_string("ClientId")?,
                "ServerSideTokenCheck": provider.boolean("ServerSideTokenCheck")?.unwrap_or(false),
            }));
        }
        let request = json!({
            "IdentityPoolName": name,
            "AllowUnauthenticatedIdentities": p.boolean("AllowUnauthenticatedIdentities")?.unwrap_or(false),
            "AllowClassicFlow": p.boolean("AllowClassicFlow")?.unwrap_or(false),
            "CognitoIdentityProviders": providers,
        });
        let request = serde_json::from_value(request).map_err(|e| {
            ProvisionError::with_source("cannot build the identity pool request", e)
        })?;
        let response =
            crate::identity::ops::create_identity_pool(self.ctx, request).map_err(cognito)?;
        let id = response_str(&response, &["IdentityPoolId"])?;
        Ok(Created::new(&id)
            .with_attribute("Id", id.clone())
            .with_attribute("Name", name))
    }

    fn role_attachment(&mut self, p: &Properties<'_>) -> Result<Created, ProvisionError> {
        p.only(&["IdentityPoolId", "Roles"])?;
        let pool_id = p.required_string("IdentityPoolId")?;
        let roles = p
            .object("Roles")?
            .ok_or_else(|| ProvisionError::new("property `Roles` is required"))?;
        roles.only(&["authenticated", "unauthenticated"])?;
        let mut map = Map::new();
        for kind in ["authenticated", "unauthenticated"] {
            if let Some(arn) = roles.string(kind)? {
                if !self.ctx.inner.state.roles.contains_key(&arn) {
                    return Err(ProvisionError::new(format!(
                        "Roles.{kind} names a role this template did not create"
                    )));
                }
                map.insert(kind.into(), json!(arn));
            }
        }
        let request = serde_json::from_value(json!({ "IdentityPoolId": pool_id, "Roles": map }))
            .map_err(|e| ProvisionError::with_source("cannot build the roles request", e))?;
        crate::identity::ops::set_identity_pool_roles(self.ctx, request).map_err(cognito)?;
        Ok(Created::new(&pool_id).with_attribute("Id", pool_id.clone()))
    }

    fn role(&mut self, logical_id: &str, p: &Properties<'_>) -> Result<Created, ProvisionError> {
        p.only(&[
            "RoleName",
            "Description",
            "Path",
            "AssumeRolePolicyDocument",
            "Policies",
            "MaxSessionDuration",
        ])?;
        // The trust policy is stored and evaluated when Cognito hands out credentials (see
        // `crate::identity::trust`); IAM's CreateRole refuses a malformed one, and so do we.
        let trust = p.raw("AssumeRolePolicyDocument").ok_or_else(|| {
            ProvisionError::new("property `AssumeRolePolicyDocument` is required")
        })?;
        TrustPolicy::from_value(trust).map_err(|e| {
            ProvisionError::with_source("AssumeRolePolicyDocument is not a valid trust policy", e)
        })?;
        let trust = trust.clone();
        let name = match p.string("RoleName")? {
            Some(name) => name,
            None => self.generated_name(logical_id, 64),
        };
        let path = p.string("Path")?.unwrap_or_else(|| "/".to_owned());
        if !path.starts_with('/') || !path.ends_with('/') {
            return Err(ProvisionError::new(
                "property `Path` must start and end with `/`",
            ));
        }
        let arn = format!("arn:aws:iam::{LOCAL_ACCOUNT_ID}:role{path}{name}");
        if self.ctx.inner.state.roles.contains_key(&arn) {
            return Err(ProvisionError::new(format!(
                "a role named {name} already exists"
            )));
        }
        // The inline policies are evaluated together, as IAM does: one document with every
        // statement of each.
        let mut statements = Vec::new();
        for (i, item) in p.list("Policies")?.unwrap_or_default().iter().enumerate() {
            let Some(map) = item.as_object() else {
                return Err(ProvisionError::new(format!(
                    "Policies[{i}] must be a mapping"
                )));
            };
            let policy = Properties::new(map);
            policy.only(&["PolicyName", "PolicyDocument"])?;
            policy.required_string("PolicyName")?;
            let document = policy.raw("PolicyDocument").ok_or_else(|| {
                ProvisionError::new(format!("Policies[{i}].PolicyDocument is required"))
            })?;
            Policy::from_value(document).map_err(|e| {
                ProvisionError::with_source(
                    format!("Policies[{i}].PolicyDocument is not a valid policy"),
                    e,
                )
            })?;
            match document.get("Statement") {
                Some(Value::Array(items)) => statements.extend(items.iter().cloned()),
                Some(item) => statements.push(item.clone()),
                None => {}
            }
        }
        let policy = json!({ "Version": "2012-10-17", "Statement": statements });
        self.ctx.inner.state.roles.insert(
            arn.clone(),
            Role {
                arn: arn.clone(),
                policy,
                trust_policy: Some(trust),
            },
        );
        let role_id: String = format!(
            "AROA{}",
            crate::ids::opaque_token(24)
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(17)
                .collect::<String>()
                .to_ascii_uppercase()
        );
        Ok(Created::new(&name)
            .with_attribute("Arn", arn)
            .with_attribute("RoleId", role_id))
    }

    fn bucket(&mut self, logical_id: &str, p: &Properties<'_>) -> Result<Created, ProvisionError> {
        // Encryption, public-access blocks and ownership controls describe what AWS does with
        // a private bucket; the local cloud's bucket is private by construction (only the admin
        // key and role policies reach it) and its files live in the 0700 data directory.
        p.only(&[
            "BucketName",
            "PublicAccessBlockConfiguration",
            "OwnershipControls",
            "BucketEncryption",
            "LifecycleConfiguration",
        ])?;
        let name = match p.string("BucketName")? {
            Some(name) => name,
            None => self.generated_name(logical_id, 63).to_ascii_lowercase(),
        };
        let well_formed = (3..=63).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && name.as_bytes()[0].is_ascii_alphanumeric()
            && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric();
        if !well_formed {
            return Err(ProvisionError::new(format!(
                "`{name}` is not a valid bucket name"
            )));
        }
        self.buckets.push(name.clone());
        let region = self.ctx.region;
        Ok(Created::new(&name)
            .with_attribute("Arn", format!("arn:aws:s3:::{name}"))
            .with_attribute("DomainName", format!("{name}.s3.amazonaws.com"))
            .with_attribute(
                "DualStackDomainName",
                format!("{name}.s3.dualstack.{region}.amazonaws.com"),
            )
            .with_attribute(
                "RegionalDomainName",
                format!("{name}.s3.{region}.amazonaws.com"),
            )
            .with_attribute(
                "WebsiteURL",
                format!("http://{name}.s3-website-{region}.amazonaws.com"),
            ))
    }
}

impl Provisioner for StateProvisioner<'_, '_> {
    fn create(
        &mut self,
        logical_id: &str,
        resource_type: ResourceType,
        properties: &Map<String, Value>,
    ) -> Result<Created, ProvisionError> {
        let p = Properties::new(properties);
        match resource_type {
            ResourceType::CognitoUserPool => self.user_pool(logical_id, &p),
            ResourceType::CognitoUserPoolClient => self.user_pool_client(logical_id, &p),
            ResourceType::CognitoUserPoolDomain => self.user_pool_domain(&p),
            ResourceType::CognitoIdentityPool => self.identity_pool(logical_id, &p),
            ResourceType::CognitoIdentityPoolRoleAttachment => self.role_attachment(&p),
            ResourceType::IamRole => self.role(logical_id, &p),
            ResourceType::S3Bucket => self.bucket(logical_id, &p),
        }
    }
}

/// A request type from the JSON the API would receive.
fn wire<T: DeserializeOwned>(request: Map<String, Value>) -> Result<T, ProvisionError> {
    serde_json::from_value(Value::Object(request))
        .map_err(|e| ProvisionError::with_source("a property has the wrong type", e))
}

/// Cognito's answer as the API would give it (its message names the member, never a value).
fn cognito(error: CognitoError) -> ProvisionError {
    ProvisionError::new(error.to_string())
}

fn response_str(response: &impl serde::Serialize, path: &[&str]) -> Result<String, ProvisionError> {
    let value = serde_json::to_value(response)
        .map_err(|e| ProvisionError::with_source("cannot read the operation's response", e))?;
    path.iter()
        .try_fold(&value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ProvisionError::new(format!("the response has no {}", path.join("."))))
}
