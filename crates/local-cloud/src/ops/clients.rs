//! CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients.

use serde::{Deserialize, Serialize};

use super::pools::{after_key, next_token, page_size};
use super::{epoch_seconds, required, Ctx};
use crate::error::CognitoError;
use crate::ids;
use crate::model::client::{Lifetime, TimeUnit};
use crate::model::hosted::OAuthClientSettings;
use crate::model::{AppClient, TokenValidity};
use crate::secrets::PersistedSecret;

/// CreateUserPoolClient request (the members the emulator reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolClientRequest {
    user_pool_id: Option<String>,
    client_name: Option<String>,
    generate_secret: Option<bool>,
    refresh_token_validity: Option<i64>,
    access_token_validity: Option<i64>,
    id_token_validity: Option<i64>,
    token_validity_units: Option<TokenValidityUnits>,
    explicit_auth_flows: Option<Vec<String>>,
    prevent_user_existence_errors: Option<String>,
    enable_token_revocation: Option<bool>,
    auth_session_validity: Option<i64>,
    #[serde(flatten)]
    oauth: OAuthMembers,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TokenValidityUnits {
    access_token: Option<String>,
    id_token: Option<String>,
    refresh_token: Option<String>,
}

/// The OAuth 2.0 members of CreateUserPoolClient (their AWS names are not PascalCase).
#[derive(Debug, Default, Deserialize)]
pub struct OAuthMembers {
    #[serde(rename = "CallbackURLs")]
    callback_urls: Option<Vec<String>>,
    #[serde(rename = "LogoutURLs")]
    logout_urls: Option<Vec<String>>,
    #[serde(rename = "DefaultRedirectURI")]
    default_redirect_uri: Option<String>,
    #[serde(rename = "AllowedOAuthFlows")]
    allowed_o_auth_flows: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthScopes")]
    allowed_o_auth_scopes: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    allowed_o_auth_flows_user_pool_client: Option<bool>,
    #[serde(rename = "SupportedIdentityProviders")]
    supported_identity_providers: Option<Vec<String>>,
}

impl OAuthMembers {
    /// Validates the members the way Cognito does and turns them into settings.
    fn into_settings(
        self,
        known_providers: &[String],
    ) -> Result<OAuthClientSettings, CognitoError> {
        let settings = OAuthClientSettings {
            callback_urls: self.callback_urls.unwrap_or_default(),
            logout_urls: self.logout_urls.unwrap_or_default(),
            default_redirect_uri: self.default_redirect_uri,
            allowed_flows: self.allowed_o_auth_flows.unwrap_or_default(),
            allowed_flows_user_pool_client: self
                .allowed_o_auth_flows_user_pool_client
                .unwrap_or(false),
            allowed_scopes: self.allowed_o_auth_scopes.unwrap_or_default(),
            supported_identity_providers: self.supported_identity_providers.unwrap_or_default(),
        };
        crate::hosted_ui::client_settings::validate(&settings, known_providers)?;
        Ok(settings)
    }
}

/// The settings of a new app client, already validated.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Client name.
    pub name: String,
    /// Whether to generate a secret.
    pub generate_secret: bool,
    /// Normalised `ExplicitAuthFlows`.
    pub explicit_auth_flows: Vec<String>,
    /// `PreventUserExistenceErrors: ENABLED`.
    pub prevent_user_existence_errors: bool,
    /// `EnableTokenRevocation`.
    pub enable_token_revocation: bool,
    /// Token lifetimes.
    pub token_validity: TokenValidity,
    /// Challenge session lifetime in minutes.
    pub auth_session_validity_minutes: u32,
}

/// Adds an app client to pool `pool_id`; returns its id.
pub fn create_client(
    state: &mut crate::model::State,
    pool_id: &str,
    now: time::OffsetDateTime,
    settings: ClientSettings,
) -> Result<String, CognitoError> {
    let pool = state.pool_mut(pool_id)?;
    let id = ids::client_id();
    let client = AppClient {
        id: id.clone(),
        name: settings.name,
        secret: settings
            .generate_secret
            .then(|| PersistedSecret::new(ids::client_secret())),
        created: now,
        last_modified: now,
        explicit_auth_flows: settings.explicit_auth_flows,
        prevent_user_existence_errors: settings.prevent_user_existence_errors,
        enable_token_revocation: settings.enable_token_revocation,
        token_validity: settings.token_validity,
        auth_session_validity_minutes: settings.auth_session_validity_minutes,
    };
    pool.clients.insert(id.clone(), client);
    Ok(id)
}

fn lifetime(
    value: Option<i64>,
    unit: Option<&str>,
    unit_member: &str,
    default: Lifetime,
) -> Result<Lifetime, CognitoError> {
    let unit = match unit {
        Some(u) => TimeUnit::parse(unit_member, u)?,
        None => default.unit,
    };
    Ok(match value {
        Some(v) => Lifetime {
            value: u64::try_from(v).map_err(|_| {
                CognitoError::invalid_parameter("Invalid range for token validity.")
            })?,
            unit,
        },
        None => default,
    })
}

/// `UserPoolClientType`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientType {
    user_pool_id: String,
    client_name: String,
    client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    last_modified_date: f64,
    creation_date: f64,
    refresh_token_validity: u64,
    access_token_validity: u64,
    id_token_validity: u64,
    token_validity_units: TokenValidityUnits,
    explicit_auth_flows: Vec<String>,
    prevent_user_existence_errors: &'static str,
    enable_token_revocation: bool,
    enable_propagate_additional_user_context_data: bool,
    auth_session_validity: u32,
    allowed_o_auth_flows_user_pool_client: bool,
    #[serde(rename = "CallbackURLs", skip_serializing_if = "Vec::is_empty")]
    callback_urls: Vec<String>,
    #[serde(rename = "LogoutURLs", skip_serializing_if = "Vec::is_empty")]
    logout_urls: Vec<String>,
    #[serde(rename = "DefaultRedirectURI", skip_serializing_if = "Option::is_none")]
    default_redirect_uri: Option<String>,
    #[serde(rename = "AllowedOAuthFlows", skip_serializing_if = "Vec::is_empty")]
    allowed_o_auth_flows: Vec<String>,
    #[serde(rename = "AllowedOAuthScopes", skip_serializing_if = "Vec::is_empty")]
    allowed_o_auth_scopes: Vec<String>,
    #[serde(
        rename = "SupportedIdentityProviders",
        skip_serializing_if = "Vec::is_empty"
    )]
    supported_identity_providers: Vec<String>,
}

impl UserPoolClientType {
    fn of(pool_id: &str, client: &AppClient, oauth: Option<&OAuthClientSettings>) -> Self {
        let oauth = oauth.cloned().unwrap_or_default();
        let validity = client.token_validity;
        Self {
            user_pool_id: pool_id.to_owned(),
            client_name: client.name.clone(),
            client_id: client.id.clone(),
            // DescribeUserPoolClient returns the secret, as on AWS (it is an admin call).
            client_secret: client.secret.as_ref().map(|s| s.expose().to_owned()),
            last_modified_date: epoch_seconds(client.last_modified),
            creation_date: epoch_seconds(client.created),
            refresh_token_validity: validity.refresh.value,
            access_token_validity: validity.access.value,
            id_token_validity: validity.id.value,
            token_validity_units: TokenValidityUnits {
                access_token: Some(validity.access.unit.as_str().to_owned()),
                id_token: Some(validity.id.unit.as_str().to_owned()),
                refresh_token: Some(validity.refresh.unit.as_str().to_owned()),
            },
            explicit_auth_flows: client.explicit_auth_flows.clone(),
            prevent_user_existence_errors: if client.prevent_user_existence_errors {
                "ENABLED"
            } else {
                "LEGACY"
            },
            enable_token_revocation: client.enable_token_revocation,
            enable_propagate_additional_user_context_data: false,
            auth_session_validity: client.auth_session_validity_minutes,
            allowed_o_auth_flows_user_pool_client: oauth.allowed_flows_user_pool_client,
            callback_urls: oauth.callback_urls,
            logout_urls: oauth.logout_urls,
            default_redirect_uri: oauth.default_redirect_uri,
            allowed_o_auth_flows: oauth.allowed_flows,
            allowed_o_auth_scopes: oauth.allowed_scopes,
            supported_identity_providers: oauth.supported_identity_providers,
        }
    }
}

/// `{"UserPoolClient": …}`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientResponse {
    user_pool_client: UserPoolClientType,
}

/// CreateUserPoolClient.
pub fn create_user_pool_client(
    ctx: &mut Ctx<'_>,
    req: CreateUserPoolClientRequest,
) -> Result<UserPoolClientResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let name = required(req.client_name, "ClientName")?;
    let name_len = name.chars().count();
    if name_len == 0 || name_len > 128 {
        return Err(CognitoError::constraint(
            "clientName",
            "Member must have length between 1 and 128",
        ));
    }
    let units = req.token_validity_units;
    let unit = |pick: fn(&TokenValidityUnits) -> Option<&String>| {
        units.as_ref().and_then(pick).map(String::as_str)
    };
    let default = TokenValidity::default();
    let token_validity = TokenValidity {
        access: lifetime(
            req.access_token_validity,
            unit(|u| u.access_token.as_ref()),
            "tokenValidityUnits.accessToken",
            default.access,
        )?,
        id: lifetime(
            req.id_token_validity,
            unit(|u| u.id_token.as_ref()),
            "tokenValidityUnits.idToken",
            default.id,
        )?,
        refresh: lifetime(
            req.refresh_token_validity,
            unit(|u| u.refresh_token.as_ref()),
            "tokenValidityUnits.refreshToken",
            default.refresh,
        )?,
    };
    token_validity.validate()?;
    let prevent_user_existence_errors = match req.prevent_user_existence_errors.as_deref() {
        None | Some("LEGACY") => false,
        Some("ENABLED") => true,
        Some(_) => {
            return Err(CognitoError::constraint(
                "preventUserExistenceErrors",
                "Member must satisfy enum value set: [LEGACY, ENABLED]",
            ))
        }
    };
    let auth_session_validity_minutes =
        match req.auth_session_validity {
            None => 3,
            Some(v @ 3..=15) => u32::try_from(v).unwrap_or(3),
            Some(_) => return Err(CognitoError::constraint(
                "authSessionValidity",
                "Member must have value less than or equal to 15 and greater than or equal to 3",
            )),
        };
    let known_providers: Vec<String> = ctx
        .inner
        .state
        .hosted
        .providers
        .get(&pool_id)
        .map(|providers| providers.keys().cloned().collect())
        .unwrap_or_default();
    let oauth = req.oauth.into_settings(&known_providers)?;
    let settings = ClientSettings {
        name,
        generate_secret: req.generate_secret.unwrap_or(false),
        explicit_auth_flows: AppClient::normalize_auth_flows(req.explicit_auth_flows)?,
        prevent_user_existence_errors,
        enable_token_revocation: req.enable_token_revocation.unwrap_or(true),
        token_validity,
        auth_session_validity_minutes,
    };
    let client_id = create_client(&mut ctx.inner.state, &pool_id, ctx.now, settings)?;
    if oauth != OAuthClientSettings::default() {
        ctx.inner
            .state
            .hosted
            .clients
            .insert(client_id.clone(), oauth);
    }
    tracing::info!(user_pool_id = %pool_id, client_id = %client_id, "app client created");
    let pool = ctx.inner.state.pool(&pool_id)?;
    Ok(UserPoolClientResponse {
        user_pool_client: UserPoolClientType::of(
            &pool_id,
            pool.client(&client_id)?,
            ctx.inner.state.hosted.clients.get(&client_id),
        ),
    })
}

/// DescribeUserPoolClient request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolClientRequest {
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

/// DescribeUserPoolClient.
pub fn describe_user_pool_client(
    ctx: &mut Ctx<'_>,
    req: DescribeUserPoolClientRequest,
) -> Result<UserPoolClientResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let client_id = required(req.client_id, "ClientId")?;
    let pool = ctx.inner.state.pool(&pool_id)?;
    Ok(UserPoolClientResponse {
        user_pool_client: UserPoolClientType::of(
            &pool_id,
            pool.client(&client_id)?,
            ctx.inner.state.hosted.clients.get(&client_id),
        ),
    })
}

/// ListUserPoolClients request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsRequest {
    user_pool_id: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListUserPoolClients response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserPoolClientsResponse {
    user_pool_clients: Vec<ClientDescription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ClientDescription {
    client_id: String,
    user_pool_id: String,
    client_name: String,
}

/// ListUserPoolClients.
pub fn list_user_pool_clients(
    ctx: &mut Ctx<'_>,
    req: ListUserPoolClientsRequest,
) -> Result<ListUserPoolClientsResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let limit = page_size(req.max_results, false)?;
    let after = after_key(req.next_token.as_deref())?;
    let pool = ctx.inner.state.pool(&pool_id)?;
    let mut clients = pool
        .clients
        .values()
        .filter(|c| after.as_deref().is_none_or(|a| c.id.as_str() > a));
    let page: Vec<&AppClient> = clients.by_ref().take(limit).collect();
    let more = clients.next().is_some();
    Ok(ListUserPoolClientsResponse {
        next_token: page.last().filter(|_| more).map(|c| next_token(&c.id)),
        user_pool_clients: page
            .into_iter()
            .map(|c| ClientDescription {
                client_id: c.id.clone(),
                user_pool_id: pool_id.clone(),
                client_name: c.name.clone(),
            })
            .collect(),
    })
}
