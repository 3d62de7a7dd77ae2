//! InitiateAuth and AdminInitiateAuth: USER_SRP_AUTH, USER_PASSWORD_AUTH,
//! ADMIN_USER_PASSWORD_AUTH (ADMIN_NO_SRP_AUTH), REFRESH_TOKEN_AUTH (REFRESH_TOKEN).
//!
//! Checks run in Cognito's order: the flow must be one the operation knows, the app client must
//! allow it, the SECRET_HASH (for clients with a secret) must match the USERNAME as typed, and
//! only then is the user looked up. An unknown user is `UserNotFoundException`, unless the client
//! sets `PreventUserExistenceErrors: ENABLED`: then password flows answer "Incorrect username or
//! password." (after the same SRP work a real check costs) and USER_SRP_AUTH answers a decoy
//! PASSWORD_VERIFIER challenge, with a salt stable per name, that can never be passed.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use serde::Deserialize;
use sha2::Sha256;

use super::sign_in::complete_sign_in;
use super::tokens::refresh;
use super::wire::AuthResponse;
use super::{check_secret_hash, required, required_param, Ctx};
use crate::challenges::{expiry, PendingSrp, SrpSubject};
use crate::error::CognitoError;
use crate::ids;
use crate::model::{AuthFlow, UserPool};
use crate::secrets::SecretString;

/// Every `AuthFlowType` value in the Cognito API.
const ALL_FLOWS: [&str; 8] = [
    "USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN",
    "CUSTOM_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "USER_AUTH",
];

/// Which API the call came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// InitiateAuth / RespondToAuthChallenge (public, unsigned).
    Public,
    /// AdminInitiateAuth / AdminRespondToAuthChallenge (SigV4-signed).
    Admin,
}

/// InitiateAuth request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthRequest {
    auth_flow: Option<String>,
    auth_parameters: Option<BTreeMap<String, SecretString>>,
    client_id: Option<String>,
}

/// AdminInitiateAuth request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminInitiateAuthRequest {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    auth_flow: Option<String>,
    auth_parameters: Option<BTreeMap<String, SecretString>>,
}

/// InitiateAuth.
pub fn initiate_auth(
    ctx: &mut Ctx<'_>,
    req: InitiateAuthRequest,
) -> Result<AuthResponse, CognitoError> {
    let flow = required(req.auth_flow, "AuthFlow")?;
    let client_id = required(req.client_id, "ClientId")?;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let params = req.auth_parameters.unwrap_or_default();
    initiate(ctx, &pool_id, &client_id, &flow, &params, Caller::Public)
}

/// AdminInitiateAuth.
pub fn admin_initiate_auth(
    ctx: &mut Ctx<'_>,
    req: AdminInitiateAuthRequest,
) -> Result<AuthResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let client_id = required(req.client_id, "ClientId")?;
    let flow = required(req.auth_flow, "AuthFlow")?;
    ctx.inner.state.pool(&pool_id)?.client(&client_id)?;
    let params = req.auth_parameters.unwrap_or_default();
    initiate(ctx, &pool_id, &client_id, &flow, &params, Caller::Admin)
}

fn parse_flow(name: &str, caller: Caller) -> Result<AuthFlow, CognitoError> {
    match (name, caller) {
        ("USER_SRP_AUTH", _) => Ok(AuthFlow::UserSrp),
        ("USER_PASSWORD_AUTH", Caller::Public) => Ok(AuthFlow::UserPassword),
        ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", Caller::Admin) => Ok(AuthFlow::AdminUserPassword),
        ("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN", _) => Ok(AuthFlow::RefreshToken),
        ("CUSTOM_AUTH", _) => Ok(AuthFlow::Custom),
        (name, _) if ALL_FLOWS.contains(&name) => {
            Err(CognitoError::invalid_parameter("Initiate Auth method not supported."))
        }
        _ => Err(CognitoError::constraint(
            "authFlow",
            "Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]",
        )),
    }
}

fn initiate(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    flow_name: &str,
    params: &BTreeMap<String, SecretString>,
    caller: Caller,
) -> Result<AuthResponse, CognitoError> {
    let flow = parse_flow(flow_name, caller)?;
    let client = ctx.inner.state.pool(pool_id)?.client(client_id)?;
    if !client.allows(flow) {
        return Err(CognitoError::invalid_parameter(format!(
            "{} flow not enabled for this client",
            flow.wire_name()
        )));
    }
    match flow {
        AuthFlow::UserSrp => begin_srp(ctx, pool_id, client_id, params),
        AuthFlow::UserPassword | AuthFlow::AdminUserPassword => {
            password_sign_in(ctx, pool_id, client_id, params)
        }
        AuthFlow::RefreshToken => refresh_sign_in(ctx, pool_id, client_id, params),
        AuthFlow::Custom => Err(CognitoError::invalid_parameter(
            "Custom auth lambda trigger is not configured for the user pool.",
        )),
    }
}

/// USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH.
fn password_sign_in(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    params: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let typed = required_param(params, "USERNAME")?.expose();
    let password = required_param(params, "PASSWORD")?;
    let pool = ctx.inner.state.pool(pool_id)?;
    let client = pool.client(client_id)?;
    check_secret_hash(client, typed, params.get("SECRET_HASH"))?;
    let pool_name = cognito_srp::pool_name(pool_id).map_err(|_| CognitoError::internal())?;
    let Some(user) = pool.find_user(typed) else {
        if client.prevent_user_existence_errors {
            // Spend the same effort as a real check, so timing does not tell either.
            let _ = super::sign_up::make_verifier(pool_id, typed, password)?;
            return Err(CognitoError::incorrect_credentials());
        }
        return Err(CognitoError::user_not_found());
    };
    let verifier = user
        .password
        .as_ref()
        .ok_or_else(CognitoError::incorrect_credentials)?
        .verifier()?;
    let identity = cognito_srp::Identity::User {
        pool_name,
        user_id_for_srp: &user.username,
    };
    if !verifier.matches_password(identity, password.expose()) {
        return Err(CognitoError::incorrect_credentials());
    }
    let username = user.username.clone();
    let device_key = params.get("DEVICE_KEY").map(|k| k.expose().to_owned());
    complete_sign_in(ctx, pool_id, client_id, &username, device_key.as_deref())
}

/// REFRESH_TOKEN_AUTH through InitiateAuth.
fn refresh_sign_in(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    params: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let token = required_param(params, "REFRESH_TOKEN")?;
    let pool = ctx.inner.state.pool(pool_id)?;
    let client = pool.client(client_id)?.clone();
    // Clients compute the SECRET_HASH of a refresh with the internal username; some send the
    // name they signed in with as USERNAME and hash that, which Cognito also accepts.
    let typed = params.get("USERNAME").and_then(|u| {
        pool.resolve_username(u.expose())
            .map(|internal| (u.expose().to_owned(), internal))
    });
    let secret_hash = params.get("SECRET_HASH");
    let device_key = params.get("DEVICE_KEY").map(SecretString::expose);
    let result = refresh(
        ctx,
        pool_id,
        client_id,
        token,
        device_key,
        |username| match &typed {
            Some((typed, internal)) if internal == username => {
                check_secret_hash(&client, typed, secret_hash)
                    .or_else(|_| check_secret_hash(&client, username, secret_hash))
            }
            _ => check_secret_hash(&client, username, secret_hash),
        },
    )?;
    Ok(AuthResponse {
        challenge_parameters: Some(BTreeMap::new()),
        authentication_result: Some(result),
        ..AuthResponse::default()
    })
}

/// USER_SRP_AUTH: answers PASSWORD_VERIFIER (no Session; the SECRET_BLOCK names the record).
fn begin_srp(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    params: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let typed = required_param(params, "USERNAME")?.expose();
    let srp_a = required_param(params, "SRP_A")?;
    let now = ctx.now;
    let pool = ctx.inner.state.pool(pool_id)?;
    let client = pool.client(client_id)?;
    check_secret_hash(client, typed, params.get("SECRET_HASH"))?;
    let session_minutes = client.auth_session_validity_minutes;
    let pool_name = cognito_srp::pool_name(pool_id).map_err(|_| CognitoError::internal())?;

    let (subject, user_id_for_srp, verifier) = match pool.find_user(typed) {
        Some(user) => {
            let verifier = user
                .password
                .as_ref()
                .ok_or_else(CognitoError::incorrect_credentials)?
                .verifier()?;
            (
                SrpSubject::User(user.username.clone()),
                user.username.clone(),
                verifier,
            )
        }
        None if client.prevent_user_existence_errors => {
            let (user_id, verifier) = decoy(pool, pool_name, typed);
            (SrpSubject::Decoy, user_id, verifier)
        }
        None => return Err(CognitoError::user_not_found()),
    };

    let server = cognito_srp::ServerEphemeral::generate(&verifier, &mut OsRng);
    // Refuses A ≡ 0 (mod N) and malformed A; b is dropped with `server` at the end of this call.
    let session_key = server
        .session_key(&verifier, srp_a.expose())
        .map_err(|_| CognitoError::incorrect_credentials())?;
    let secret_block = ctx.inner.challenges.open_srp(
        PendingSrp {
            device_key: params.get("DEVICE_KEY").map(|k| k.expose().to_owned()),
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            subject,
            user_id_for_srp: user_id_for_srp.clone(),
            session_key,
            expires_at: expiry(now, session_minutes),
        },
        now,
    )?;
    Ok(AuthResponse {
        challenge_name: Some("PASSWORD_VERIFIER"),
        challenge_parameters: Some(BTreeMap::from([
            ("SALT", verifier.salt_hex()),
            ("SECRET_BLOCK", secret_block),
            ("SRP_B", server.srp_b_hex()),
            ("USERNAME", user_id_for_srp.clone()),
            ("USER_ID_FOR_SRP", user_id_for_srp),
        ])),
        ..AuthResponse::default()
    })
}

/// A decoy identity for an unknown name: a salt and (in e-mail pools) a UUID that are stable
/// per pool and name, and a verifier of a random password nobody knows.
fn decoy(pool: &UserPool, pool_name: &str, typed: &str) -> (String, cognito_srp::Verifier) {
    let folded = if pool.username_case_sensitive {
        typed.to_owned()
    } else {
        typed.to_lowercase()
    };
    let derive = |label: &str| -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(pool.fake_identity_key.expose().as_bytes())
                .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(label.as_bytes());
        mac.update(folded.as_bytes());
        mac.finalize().into_bytes().into()
    };
    let user_id = if pool.email_is_username() {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&derive("id:")[..16]);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    } else {
        typed.to_owned()
    };
    let salt = &derive("salt:")[..16];
    let password = hex::encode(ids::random_bytes(32));
    let verifier = cognito_srp::Verifier::new(
        cognito_srp::Identity::User {
            pool_name,
            user_id_for_srp: &user_id,
        },
        &password,
        salt,
    );
    (user_id, verifier)
}
