//! The Cognito Identity operations (`AWSCognitoIdentityService.*`), run under the store lock.
//!
//! Operations AWS calls with developer credentials (CreateIdentityPool, DescribeIdentityPool,
//! UpdateIdentityPool, SetIdentityPoolRoles, GetIdentityPoolRoles, DescribeIdentity) must be
//! SigV4-signed with the admin key; GetId, GetCredentialsForIdentity and GetOpenIdToken are unsigned, as on AWS.
//!
//! Identity rules (Cognito's):
//! * GetId with Logins returns the one identity linked to that user (creating it the first
//!   time); without Logins it makes a new guest identity, if the pool allows guests.
//! * GetCredentialsForIdentity / GetOpenIdToken with a guest IdentityId and Logins: if the user
//!   has no identity yet, the guest identity becomes theirs (the login is linked to it); if they
//!   already have one, that identity is answered instead (the response names it) and the guest
//!   identity is merged into it: disabled, so that it gets no credentials without that user's
//!   logins any more ("Access to Identity '…' is forbidden.", as Amplify users meet it after a
//!   merge on AWS: amplify-js issues 3627 and 6616; developer guide, "Switching
//!   unauthenticated users to authenticated users").
//! * An identity linked to a login can only be used by presenting that login.
//! * GetCredentialsForIdentity hands out the pool's role for the identity's kind only if the
//!   role's trust policy admits the identity's OpenID token (see [`super::trust`]); otherwise,
//!   as when the role is missing, `InvalidIdentityPoolConfigurationException`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::logins::{verify_login, VerifiedLogin};
use super::trust::{role_trusts, WebIdentity};
use crate::error::{CognitoError, ErrorKind};
use crate::ids;
use crate::model::{IdentityPool, IdentityRecord, ProviderLink, RoleKind, TemporaryCredential};
use crate::ops::{epoch_seconds, required, Ctx};
use crate::secrets::{PersistedSecret, SecretString};

/// `CognitoIdentityProvider`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_side_token_check: Option<bool>,
}

/// CreateIdentityPool request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateIdentityPoolRequest {
    identity_pool_name: Option<String>,
    allow_unauthenticated_identities: Option<bool>,
    allow_classic_flow: Option<bool>,
    cognito_identity_providers: Option<Vec<ProviderWire>>,
    developer_provider_name: Option<String>,
    open_id_connect_provider_a_r_ns: Option<Vec<String>>,
    saml_provider_a_r_ns: Option<Vec<String>>,
    supported_login_providers: Option<BTreeMap<String, String>>,
}

/// `IdentityPool` in responses.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityPoolWire {
    identity_pool_id: String,
    identity_pool_name: String,
    allow_unauthenticated_identities: bool,
    allow_classic_flow: bool,
    cognito_identity_providers: Vec<ProviderWire>,
    identity_pool_tags: BTreeMap<String, String>,
}

impl IdentityPoolWire {
    fn of(pool: &IdentityPool) -> Self {
        Self {
            identity_pool_id: pool.id.clone(),
            identity_pool_name: pool.name.clone(),
            allow_unauthenticated_identities: pool.allow_unauthenticated,
            allow_classic_flow: pool.allow_classic_flow,
            cognito_identity_providers: pool
                .providers
                .iter()
                .map(|p| ProviderWire {
                    provider_name: Some(p.provider_name.clone()),
                    client_id: Some(p.client_id.clone()),
                    server_side_token_check: Some(p.server_side_token_check),
                })
                .collect(),
            identity_pool_tags: BTreeMap::new(),
        }
    }
}

fn pool_not_found(id: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::ResourceNotFound,
        format!("IdentityPool '{id}' not found."),
    )
}

fn identity_not_found(id: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::ResourceNotFound,
        format!("Identity '{id}' not found."),
    )
}

/// What Cognito answers when the role is missing or STS refuses to let the identity assume it.
fn invalid_configuration() -> CognitoError {
    CognitoError::new(
        ErrorKind::InvalidIdentityPoolConfiguration,
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
}

fn logins_mismatch() -> CognitoError {
    CognitoError::not_authorized(
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    )
}

/// Whether `id` has the shape of an identity-pool id or identity id: `<region>:<uuid>`.
fn well_formed_id(id: &str) -> bool {
    id.split_once(':').is_some_and(|(region, uuid)| {
        !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && uuid::Uuid::parse_str(uuid).is_ok()
    })
}

fn check_id(id: &str, member: &str) -> Result<(), CognitoError> {
    if well_formed_id(id) {
        Ok(())
    } else {
        Err(CognitoError::constraint(
            member,
            "Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
        ))
    }
}

/// Creates an identity pool in `state` (shared with the demo provisioning).
pub fn create_pool(
    state: &mut crate::model::State,
    region: &str,
    now: time::OffsetDateTime,
    name: &str,
    allow_unauthenticated: bool,
    providers: Vec<ProviderLink>,
) -> String {
    let id = format!("{region}:{}", uuid::Uuid::new_v4());
    state.identity_pools.insert(
        id.clone(),
        IdentityPool {
            id: id.clone(),
            name: name.to_owned(),
            allow_unauthenticated,
            allow_classic_flow: false,
            providers,
            roles: BTreeMap::new(),
            identities: BTreeMap::new(),
            created: now,
        },
    );
    id
}

/// A pool's settings as CreateIdentityPool and UpdateIdentityPool give them, checked.
struct PoolSettings {
    name: String,
    allow_unauthenticated: bool,
    allow_classic_flow: bool,
    providers: Vec<ProviderLink>,
}

impl PoolSettings {
    fn checked(req: CreateIdentityPoolRequest) -> Result<Self, CognitoError> {
        let name = required(req.identity_pool_name, "IdentityPoolName")?;
        let allow_unauthenticated = required(
            req.allow_unauthenticated_identities,
            "AllowUnauthenticatedIdentities",
        )?;
        let len = name.chars().count();
        if !(1..=128).contains(&len)
            || !name.chars().all(|c| {
                c.is_alphanumeric()
                    || c == '_'
                    || c == ' '
                    || c == '+'
                    || c == '='
                    || c == ','
                    || c == '.'
                    || c == '@'
                    || c == '-'
            })
        {
            return Err(CognitoError::constraint(
                "IdentityPoolName",
                "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
            ));
        }
        if req.developer_provider_name.is_some()
            || req
                .open_id_connect_provider_a_r_ns
                .is_some_and(|v| !v.is_empty())
            || req.saml_provider_a_r_ns.is_some_and(|v| !v.is_empty())
            || req.supported_login_providers.is_some_and(|v| !v.is_empty())
        {
            return Err(CognitoError::invalid_parameter(
                "The local cloud supports only Cognito user pools as identity providers.",
            ));
        }
        let mut providers = Vec::new();
        for provider in req.cognito_identity_providers.unwrap_or_default() {
            let provider_name = required(provider.provider_name, "ProviderName")?;
            let client_id = required(provider.client_id, "ClientId")?;
            if super::logins::user_pool_of_provider(&provider_name).is_none() {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid provider name: {provider_name}"
                )));
            }
            providers.push(ProviderLink {
                provider_name,
                client_id,
                server_side_token_check: provider.server_side_token_check.unwrap_or(false),
            });
        }
        Ok(Self {
            name,
            allow_unauthenticated,
            allow_classic_flow: req.allow_classic_flow.unwrap_or(false),
            providers,
        })
    }

    /// Gives `pool` these settings (its identities and roles stay).
    fn apply_to(self, pool: &mut IdentityPool) {
        pool.name = self.name;
        pool.allow_unauthenticated = self.allow_unauthenticated;
        pool.allow_classic_flow = self.allow_classic_flow;
        pool.providers = self.providers;
    }
}

/// CreateIdentityPool.
pub fn create_identity_pool(
    ctx: &mut Ctx<'_>,
    req: CreateIdentityPoolRequest,
) -> Result<IdentityPoolWire, CognitoError> {
    let settings = PoolSettings::checked(req)?;
    let id = create_pool(
        &mut ctx.inner.state,
        ctx.region,
        ctx.now,
        &settings.name,
        false,
        Vec::new(),
    );
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get_mut(&id)
        .ok_or_else(CognitoError::internal)?;
    settings.apply_to(pool);
    Ok(IdentityPoolWire::of(pool))
}

/// UpdateIdentityPool request: the pool's id and its whole new settings (as on AWS, what is
/// left out is reset: no providers given means none).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateIdentityPoolRequest {
    identity_pool_id: Option<String>,
    #[serde(flatten)]
    settings: CreateIdentityPoolRequest,
}

/// UpdateIdentityPool. Identities and roles stay; guests are refused from the next call on
/// when `AllowUnauthenticatedIdentities` turns false.
pub fn update_identity_pool(
    ctx: &mut Ctx<'_>,
    req: UpdateIdentityPoolRequest,
) -> Result<IdentityPoolWire, CognitoError> {
    let id = pool_id(req.identity_pool_id)?;
    let settings = PoolSettings::checked(req.settings)?;
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get_mut(&id)
        .ok_or_else(|| pool_not_found(&id))?;
    settings.apply_to(pool);
    Ok(IdentityPoolWire::of(pool))
}

/// DescribeIdentityPool / GetIdentityPoolRoles request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolIdRequest {
    identity_pool_id: Option<String>,
}

fn pool_id(id: Option<String>) -> Result<String, CognitoError> {
    let id = required(id, "IdentityPoolId")?;
    check_id(&id, "IdentityPoolId")?;
    Ok(id)
}

/// DescribeIdentityPool.
pub fn describe_identity_pool(
    ctx: &mut Ctx<'_>,
    req: PoolIdRequest,
) -> Result<IdentityPoolWire, CognitoError> {
    let id = pool_id(req.identity_pool_id)?;
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get(&id)
        .ok_or_else(|| pool_not_found(&id))?;
    Ok(IdentityPoolWire::of(pool))
}

/// SetIdentityPoolRoles request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetRolesRequest {
    identity_pool_id: Option<String>,
    roles: Option<BTreeMap<String, String>>,
    role_mappings: Option<serde_json::Value>,
}

/// `{}`.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// Whether `arn` looks like an IAM role ARN.
fn is_role_arn(arn: &str) -> bool {
    arn.strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(":role/"))
        .is_some_and(|(account, name)| {
            account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()
        })
}

/// SetIdentityPoolRoles.
pub fn set_identity_pool_roles(
    ctx: &mut Ctx<'_>,
    req: SetRolesRequest,
) -> Result<Empty, CognitoError> {
    let id = pool_id(req.identity_pool_id)?;
    let roles = required(req.roles, "Roles")?;
    if req
        .role_mappings
        .as_ref()
        .is_some_and(|m| m.as_object().is_some_and(|m| !m.is_empty()))
    {
        return Err(CognitoError::invalid_parameter(
            "The local cloud does not support RoleMappings.",
        ));
    }
    for (kind, arn) in &roles {
        if kind != "authenticated" && kind != "unauthenticated" {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid role type {kind}; expected authenticated or unauthenticated."
            )));
        }
        if !is_role_arn(arn) {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid role ARN for {kind}."
            )));
        }
    }
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get_mut(&id)
        .ok_or_else(|| pool_not_found(&id))?;
    pool.roles = roles;
    Ok(Empty {})
}

/// GetIdentityPoolRoles response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RolesResponse {
    identity_pool_id: String,
    roles: BTreeMap<String, String>,
}

/// GetIdentityPoolRoles.
pub fn get_identity_pool_roles(
    ctx: &mut Ctx<'_>,
    req: PoolIdRequest,
) -> Result<RolesResponse, CognitoError> {
    let id = pool_id(req.identity_pool_id)?;
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get(&id)
        .ok_or_else(|| pool_not_found(&id))?;
    Ok(RolesResponse {
        identity_pool_id: id,
        roles: pool.roles.clone(),
    })
}

/// Validates every login of a request against `pool_id`.
fn verify_logins(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    logins: &BTreeMap<String, SecretString>,
) -> Result<Vec<VerifiedLogin>, CognitoError> {
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get(pool_id)
        .ok_or_else(|| pool_not_found(pool_id))?
        .clone();
    logins
        .iter()
        .map(|(provider, token)| {
            verify_login(ctx.inner, &pool, ctx.endpoint, ctx.now, provider, token)
        })
        .collect()
}

fn new_identity(
    pool: &mut IdentityPool,
    region: &str,
    now: time::OffsetDateTime,
    logins: BTreeSet<String>,
) -> String {
    let id = format!("{region}:{}", uuid::Uuid::new_v4());
    pool.identities.insert(
        id.clone(),
        IdentityRecord {
            merged_into: None,
            id: id.clone(),
            logins,
            created: now,
            last_modified: now,
        },
    );
    id
}

/// GetId request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdRequest {
    #[allow(dead_code)]
    account_id: Option<String>,
    identity_pool_id: Option<String>,
    logins: Option<BTreeMap<String, SecretString>>,
}

/// GetId response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdResponse {
    identity_id: String,
}

/// GetId.
pub fn get_id(ctx: &mut Ctx<'_>, req: GetIdRequest) -> Result<GetIdResponse, CognitoError> {
    let id = pool_id(req.identity_pool_id)?;
    let logins = req.logins.unwrap_or_default();
    let verified = verify_logins(ctx, &id, &logins)?;
    let (region, now) = (ctx.region.to_owned(), ctx.now);
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get_mut(&id)
        .ok_or_else(|| pool_not_found(&id))?;
    if verified.is_empty() {
        if !pool.allow_unauthenticated {
            return Err(CognitoError::not_authorized(
                "Unauthenticated access is not supported for this identity pool.",
            ));
        }
        return Ok(GetIdResponse {
            identity_id: new_identity(pool, &region, now, BTreeSet::new()),
        });
    }
    let keys: BTreeSet<String> = verified.iter().map(VerifiedLogin::key).collect();
    let linked: BTreeSet<String> = keys
        .iter()
        .filter_map(|key| pool.identity_of_login(key).map(|i| i.id.clone()))
        .collect();
    let identity_id = match linked.len() {
        0 => new_identity(pool, &region, now, keys),
        1 => {
            let existing = linked
                .into_iter()
                .next()
                .ok_or_else(CognitoError::internal)?;
            link(pool, &existing, keys, now)?;
            existing
        }
        _ => return Err(logins_mismatch()),
    };
    Ok(GetIdResponse { identity_id })
}

fn link(
    pool: &mut IdentityPool,
    identity_id: &str,
    keys: BTreeSet<String>,
    now: time::OffsetDateTime,
) -> Result<(), CognitoError> {
    let identity = pool
        .identities
        .get_mut(identity_id)
        .ok_or_else(|| identity_not_found(identity_id))?;
    let before = identity.logins.len();
    identity.logins.extend(keys);
    if identity.logins.len() != before {
        identity.last_modified = now;
    }
    Ok(())
}

/// Finds the identity pool that holds `identity_id`.
fn pool_of_identity(ctx: &Ctx<'_>, identity_id: &str) -> Result<String, CognitoError> {
    ctx.inner
        .state
        .identity_pools
        .values()
        .find(|pool| pool.identities.contains_key(identity_id))
        .map(|pool| pool.id.clone())
        .ok_or_else(|| identity_not_found(identity_id))
}

/// Resolves which identity a request with `identity_id` and `logins` acts as (see the module
/// docs), linking a guest identity to a user who has none. Returns the pool id, identity id
/// and whether it is authenticated.
fn resolve_identity(
    ctx: &mut Ctx<'_>,
    identity_id: &str,
    logins: &BTreeMap<String, SecretString>,
) -> Result<(String, String, RoleKind), CognitoError> {
    check_id(identity_id, "IdentityId")?;
    let pool_id = pool_of_identity(ctx, identity_id)?;
    let verified = verify_logins(ctx, &pool_id, logins)?;
    let now = ctx.now;
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get_mut(&pool_id)
        .ok_or_else(|| pool_not_found(&pool_id))?;
    let identity = pool
        .identities
        .get(identity_id)
        .ok_or_else(|| identity_not_found(identity_id))?;
    if verified.is_empty() {
        if !identity.logins.is_empty() || identity.merged_into.is_some() {
            return Err(CognitoError::not_authorized(format!(
                "Access to Identity '{identity_id}' is forbidden."
            )));
        }
        if !pool.allow_unauthenticated {
            return Err(CognitoError::not_authorized(
                "Unauthenticated access is not supported for this identity pool.",
            ));
        }
        return Ok((pool_id, identity_id.to_owned(), RoleKind::Unauthenticated));
    }
    let keys: BTreeSet<String> = verified.iter().map(VerifiedLogin::key).collect();
    let linked: BTreeSet<String> = keys
        .iter()
        .filter_map(|key| pool.identity_of_login(key).map(|i| i.id.clone()))
        .collect();
    let is_guest = identity.logins.is_empty() && identity.merged_into.is_none();
    let merged_into = identity.merged_into.clone();
    let acting = match linked.len() {
        // A user with no identity yet: a guest identity becomes theirs.
        0 if is_guest => {
            link(pool, identity_id, keys, now)?;
            identity_id.to_owned()
        }
        // The identity belongs to someone else.
        0 => return Err(logins_mismatch()),
        // The user already has an identity: that one is answered.
        1 => {
            let own = linked
                .into_iter()
                .next()
                .ok_or_else(CognitoError::internal)?;
            if own != identity_id && !is_guest && merged_into.as_ref() != Some(&own) {
                return Err(logins_mismatch());
            }
            link(pool, &own, keys, now)?;
            if is_guest && own != identity_id {
                if let Some(guest) = pool.identities.get_mut(identity_id) {
                    guest.merged_into = Some(own.clone());
                    guest.last_modified = now;
                }
            }
            own
        }
        _ => return Err(logins_mismatch()),
    };
    Ok((pool_id, acting, RoleKind::Authenticated))
}

/// GetCredentialsForIdentity / GetOpenIdToken request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityLoginsRequest {
    identity_id: Option<String>,
    logins: Option<BTreeMap<String, SecretString>>,
    #[allow(dead_code)]
    custom_role_arn: Option<String>,
}

/// `Credentials` (no `Debug`: it carries secrets).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CredentialsWire {
    access_key_id: String,
    secret_key: String,
    session_token: String,
    expiration: f64,
}

/// GetCredentialsForIdentity response (no `Debug`: it carries secrets).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CredentialsResponse {
    identity_id: String,
    credentials: CredentialsWire,
}

/// The SHA-256 (hex) under which a session token is recorded.
pub fn session_token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// GetCredentialsForIdentity.
pub fn get_credentials_for_identity(
    ctx: &mut Ctx<'_>,
    req: IdentityLoginsRequest,
) -> Result<CredentialsResponse, CognitoError> {
    let identity_id = required(req.identity_id, "IdentityId")?;
    let logins = req.logins.unwrap_or_default();
    let (pool_id, identity_id, kind) = resolve_identity(ctx, &identity_id, &logins)?;
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get(&pool_id)
        .ok_or_else(|| pool_not_found(&pool_id))?;
    let role = pool
        .roles
        .get(kind.as_str())
        .and_then(|arn| ctx.inner.state.roles.get(arn))
        .ok_or_else(invalid_configuration)?;
    // Cognito assumes the role through STS AssumeRoleWithWebIdentity with the identity's
    // OpenID token; STS refuses if the role's trust policy does not admit it.
    if !role_trusts(role, &WebIdentity::of(pool, &identity_id, kind)) {
        tracing::info!(identity_id = %identity_id, role = %role.arn, "role trust policy refuses the identity");
        return Err(invalid_configuration());
    }
    let role_arn = role.arn.clone();
    let now = ctx.now;
    ctx.inner
        .state
        .credentials
        .retain(|_, c| c.expiration > now);
    let access_key_id = ids::temporary_access_key_id();
    let secret = ids::secret_access_key();
    let session_token = ids::opaque_token(256);
    let expiration = now + ctx.credentials_ttl;
    ctx.inner.state.credentials.insert(
        access_key_id.clone(),
        TemporaryCredential {
            secret_access_key: PersistedSecret::new(secret.clone()),
            session_token_sha256: session_token_digest(&session_token),
            identity_pool_id: pool_id,
            identity_id: identity_id.clone(),
            role_arn,
            role_kind: kind,
            expiration,
        },
    );
    tracing::info!(identity_id = %identity_id, access_key_id = %access_key_id, role = kind.as_str(), "temporary credentials issued");
    Ok(CredentialsResponse {
        identity_id,
        credentials: CredentialsWire {
            access_key_id,
            secret_key: secret,
            session_token,
            expiration: epoch_seconds(expiration),
        },
    })
}

/// GetOpenIdToken response (no `Debug`: it carries a token).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpenIdTokenResponse {
    identity_id: String,
    token: String,
}

/// The issuer of identity-pool OpenID tokens.
pub const OPENID_ISSUER: &str = "https://cognito-identity.amazonaws.com";
/// How long an OpenID token lives (AWS: 10 minutes).
const OPENID_TOKEN_LIFE: time::Duration = time::Duration::minutes(10);
/// The key-cache slot of the identity-pool signing key.
const OPENID_KEY_SLOT: &str = "cognito-identity";

/// GetOpenIdToken.
pub fn get_open_id_token(
    ctx: &mut Ctx<'_>,
    req: IdentityLoginsRequest,
) -> Result<OpenIdTokenResponse, CognitoError> {
    let identity_id = required(req.identity_id, "IdentityId")?;
    let logins = req.logins.unwrap_or_default();
    let (pool_id, identity_id, kind) = resolve_identity(ctx, &identity_id, &logins)?;
    if ctx.inner.state.identity_signing_key.is_none() {
        let record = crate::jwt::SigningKeyRecord::generate().map_err(|err| {
            tracing::error!(error = %err, "cannot make the identity-pool signing key");
            CognitoError::internal()
        })?;
        ctx.inner.state.identity_signing_key = Some(record);
    }
    let record = ctx
        .inner
        .state
        .identity_signing_key
        .clone()
        .ok_or_else(CognitoError::internal)?;
    let key = ctx.inner.keys.get(OPENID_KEY_SLOT, &record)?;
    let pool = ctx
        .inner
        .state
        .identity_pools
        .get(&pool_id)
        .ok_or_else(|| pool_not_found(&pool_id))?;
    let token = WebIdentity::of(pool, &identity_id, kind);
    let claims = serde_json::json!({
        "iss": OPENID_ISSUER,
        "sub": token.identity_id,
        "aud": token.pool_id,
        "amr": token.amr,
        "iat": ctx.now.unix_timestamp(),
        "exp": (ctx.now + OPENID_TOKEN_LIFE).unix_timestamp(),
    });
    Ok(OpenIdTokenResponse {
        token: key.sign(&claims)?,
        identity_id,
    })
}

/// DescribeIdentity request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeIdentityRequest {
    identity_id: Option<String>,
}

/// DescribeIdentity response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeIdentityResponse {
    identity_id: String,
    logins: Vec<String>,
    creation_date: f64,
    last_modified_date: f64,
}

/// DescribeIdentity.
pub fn describe_identity(
    ctx: &mut Ctx<'_>,
    req: DescribeIdentityRequest,
) -> Result<DescribeIdentityResponse, CognitoError> {
    let identity_id = required(req.identity_id, "IdentityId")?;
    check_id(&identity_id, "IdentityId")?;
    let pool_id = pool_of_identity(ctx, &identity_id)?;
    let identity = ctx
        .inner
        .state
        .identity_pools
        .get(&pool_id)
        .and_then(|pool| pool.identities.get(&identity_id))
        .ok_or_else(|| identity_not_found(&identity_id))?;
    Ok(DescribeIdentityResponse {
        identity_id: identity.id.clone(),
        logins: identity.provider_names().into_iter().collect(),
        creation_date: epoch_seconds(identity.created),
        last_modified_date: epoch_seconds(identity.last_modified),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shapes() {
        assert!(well_formed_id(
            "us-east-1:0b7a8f3e-4a1c-4c7e-9d2b-5e6f7a8b9c0d"
        ));
        assert!(!well_formed_id("us-east-1_abc"));
        assert!(!well_formed_id(":0b7a8f3e-4a1c-4c7e-9d2b-5e6f7a8b9c0d"));
        assert!(!well_formed_id("us-east-1:not-a-uuid"));
        assert!(is_role_arn("arn:aws:iam::000000000000:role/coffer"));
        assert!(!is_role_arn("arn:aws:iam::0:role/coffer"));
        assert!(!is_role_arn("arn:aws:iam::000000000000:user/x"));
    }

    #[test]
    fn session_tokens_are_recorded_by_digest() {
        let digest = session_token_digest("token");
        assert_eq!(digest.len(), 64);
        assert_ne!(digest, session_token_digest("token2"));
    }
}
