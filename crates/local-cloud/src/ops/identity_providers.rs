//! CreateIdentityProvider and DescribeIdentityProvider (ProviderType `OIDC`).
//!
//! The emulator federates with OIDC providers it can reach without a network: its own
//! built-in provider, LocalIdP (see [`crate::hosted_ui::local_idp`]), whose issuer is
//! `<endpoint>/_local/idp`. `ProviderDetails` take the Cognito keys: `client_id`,
//! `client_secret`, `authorize_scopes`, `oidc_issuer`, `attributes_request_method`; the
//! endpoint keys (`authorize_url`, `token_url`, `jwks_uri`, …) are filled in from the issuer as
//! Cognito does after discovery.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{epoch_seconds, required, Ctx};
use crate::error::{CognitoError, ErrorKind};
use crate::hosted_ui::local_idp;
use crate::model::hosted::{IdentityProvider, COGNITO_PROVIDER};

/// Adds provider `provider` to `pool_id`, checking its name and details.
pub fn add_provider(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    mut provider: IdentityProvider,
) -> Result<(), CognitoError> {
    ctx.inner.state.pool(pool_id)?;
    let name_ok = (1..=32).contains(&provider.name.chars().count())
        && !provider
            .name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control());
    if !name_ok || provider.name == COGNITO_PROVIDER {
        return Err(CognitoError::constraint(
            "providerName",
            "Member must satisfy regular expression pattern: [^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+",
        ));
    }
    if provider.provider_type != "OIDC" {
        return Err(CognitoError::new(
            ErrorKind::UnsupportedOperation,
            "Only OIDC identity providers are supported by the local cloud.",
        ));
    }
    for key in ["client_id", "authorize_scopes", "oidc_issuer"] {
        if provider.details.get(key).is_none_or(String::is_empty) {
            return Err(CognitoError::invalid_parameter(format!(
                "{key} is required in ProviderDetails for OIDC identity provider."
            )));
        }
    }
    let issuer = local_idp::issuer(ctx.endpoint);
    if provider.details.get("oidc_issuer") != Some(&issuer) {
        return Err(CognitoError::invalid_parameter(format!(
            "The local cloud can federate only with its built-in OIDC provider, issuer {issuer}."
        )));
    }
    for (key, value) in local_idp::discovered_details(ctx.endpoint) {
        provider.details.entry(key.to_owned()).or_insert(value);
    }
    provider
        .details
        .entry("attributes_request_method".to_owned())
        .or_insert_with(|| "GET".to_owned());
    if provider.attribute_mapping.is_empty() {
        provider
            .attribute_mapping
            .insert("username".to_owned(), "sub".to_owned());
    }
    let providers = ctx
        .inner
        .state
        .hosted
        .providers
        .entry(pool_id.to_owned())
        .or_default();
    if providers.contains_key(&provider.name) {
        return Err(CognitoError::new(
            ErrorKind::InvalidParameter,
            format!(
                "A provider with the name {} already exists in this user pool.",
                provider.name
            ),
        ));
    }
    providers.insert(provider.name.clone(), provider);
    Ok(())
}

/// CreateIdentityProvider request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateIdentityProviderRequest {
    user_pool_id: Option<String>,
    provider_name: Option<String>,
    provider_type: Option<String>,
    provider_details: Option<BTreeMap<String, String>>,
    attribute_mapping: Option<BTreeMap<String, String>>,
}

/// `IdentityProviderType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityProviderType {
    user_pool_id: String,
    provider_name: String,
    provider_type: String,
    provider_details: BTreeMap<String, String>,
    attribute_mapping: BTreeMap<String, String>,
    idp_identifiers: Vec<String>,
    last_modified_date: f64,
    creation_date: f64,
}

impl IdentityProviderType {
    fn of(pool_id: &str, provider: &IdentityProvider) -> Self {
        Self {
            user_pool_id: pool_id.to_owned(),
            provider_name: provider.name.clone(),
            provider_type: provider.provider_type.clone(),
            provider_details: provider.details.clone(),
            attribute_mapping: provider.attribute_mapping.clone(),
            idp_identifiers: Vec::new(),
            last_modified_date: epoch_seconds(provider.last_modified),
            creation_date: epoch_seconds(provider.created),
        }
    }
}

/// `{"IdentityProvider": …}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityProviderResponse {
    identity_provider: IdentityProviderType,
}

/// CreateIdentityProvider.
pub fn create_identity_provider(
    ctx: &mut Ctx<'_>,
    req: CreateIdentityProviderRequest,
) -> Result<IdentityProviderResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let name = required(req.provider_name, "ProviderName")?;
    let provider_type = required(req.provider_type, "ProviderType")?;
    let details = required(req.provider_details, "ProviderDetails")?;
    let provider = IdentityProvider {
        name: name.clone(),
        provider_type,
        details,
        attribute_mapping: req.attribute_mapping.unwrap_or_default(),
        created: ctx.now,
        last_modified: ctx.now,
    };
    add_provider(ctx, &pool_id, provider)?;
    tracing::info!(user_pool_id = %pool_id, provider = %name, "identity provider created");
    describe(ctx, &pool_id, &name)
}

fn describe(
    ctx: &Ctx<'_>,
    pool_id: &str,
    name: &str,
) -> Result<IdentityProviderResponse, CognitoError> {
    ctx.inner.state.pool(pool_id)?;
    let provider = ctx
        .inner
        .state
        .hosted
        .providers
        .get(pool_id)
        .and_then(|providers| providers.get(name))
        .ok_or_else(|| {
            CognitoError::new(
                ErrorKind::ResourceNotFound,
                format!("Identity provider {name} does not exist."),
            )
        })?;
    Ok(IdentityProviderResponse {
        identity_provider: IdentityProviderType::of(pool_id, provider),
    })
}

/// DescribeIdentityProvider request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeIdentityProviderRequest {
    user_pool_id: Option<String>,
    provider_name: Option<String>,
}

/// DescribeIdentityProvider.
pub fn describe_identity_provider(
    ctx: &mut Ctx<'_>,
    req: DescribeIdentityProviderRequest,
) -> Result<IdentityProviderResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let name = required(req.provider_name, "ProviderName")?;
    describe(ctx, &pool_id, &name)
}
