//! RespondToAuthChallenge and AdminRespondToAuthChallenge: PASSWORD_VERIFIER,
//! NEW_PASSWORD_REQUIRED, and (in [`super::mfa_answers`] and [`super::devices`]) the MFA and
//! device challenges.
//!
//! Every challenge but PASSWORD_VERIFIER is answered with its `Session`, which must be live,
//! unused, of this pool and app client, for the user named by `USERNAME`, and for the challenge
//! named by `ChallengeName` ([`take_bound_session`]); anything else is `NotAuthorizedException`
//! and uses the session up.
//!
//! PASSWORD_VERIFIER checks, each failing with "Incorrect username or password.": the
//! SECRET_BLOCK names a live challenge (taken out at once, so it is single-use whatever happens
//! next), of this pool and client; the USERNAME names the challenged user; the TIMESTAMP is in
//! Cognito's exact format (`EEE MMM d HH:mm:ss UTC yyyy`, day not zero-padded) and within five
//! minutes of the server clock; the signature verifies under the SRP session key.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::sign_in::complete_sign_in;
use super::sign_up::{make_verifier, parse_attributes, Writer};
use super::wire::AttributeIn;
use super::wire::AuthResponse;
use super::{check_secret_hash, required, required_param, Ctx};
use crate::challenges::{PendingSession, SessionRefusal, SessionSlot, SrpSubject};
use crate::error::CognitoError;
use crate::model::user::StoredPassword;
use crate::model::UserStatus;
use crate::secrets::SecretString;

/// How far a PASSWORD_VERIFIER TIMESTAMP may be from the server clock.
pub const MAX_TIMESTAMP_SKEW: Duration = Duration::from_secs(5 * 60);

/// RespondToAuthChallenge request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallengeRequest {
    client_id: Option<String>,
    challenge_name: Option<String>,
    session: Option<SecretString>,
    challenge_responses: Option<BTreeMap<String, SecretString>>,
}

/// AdminRespondToAuthChallenge request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminRespondToAuthChallengeRequest {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    challenge_name: Option<String>,
    session: Option<SecretString>,
    challenge_responses: Option<BTreeMap<String, SecretString>>,
}

/// RespondToAuthChallenge.
pub fn respond_to_auth_challenge(
    ctx: &mut Ctx<'_>,
    req: RespondToAuthChallengeRequest,
) -> Result<AuthResponse, CognitoError> {
    let client_id = required(req.client_id, "ClientId")?;
    let challenge = required(req.challenge_name, "ChallengeName")?;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let responses = req.challenge_responses.unwrap_or_default();
    respond(
        ctx,
        &pool_id,
        &client_id,
        &challenge,
        req.session.as_ref(),
        &responses,
    )
}

/// AdminRespondToAuthChallenge.
pub fn admin_respond_to_auth_challenge(
    ctx: &mut Ctx<'_>,
    req: AdminRespondToAuthChallengeRequest,
) -> Result<AuthResponse, CognitoError> {
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    let client_id = required(req.client_id, "ClientId")?;
    let challenge = required(req.challenge_name, "ChallengeName")?;
    ctx.inner.state.pool(&pool_id)?.client(&client_id)?;
    let responses = req.challenge_responses.unwrap_or_default();
    respond(
        ctx,
        &pool_id,
        &client_id,
        &challenge,
        req.session.as_ref(),
        &responses,
    )
}

fn respond(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    challenge: &str,
    session: Option<&SecretString>,
    responses: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    match challenge {
        "PASSWORD_VERIFIER" => password_verifier(ctx, pool_id, client_id, responses),
        "NEW_PASSWORD_REQUIRED" => new_password_required(ctx, pool_id, client_id, session, responses),
        "SMS_MFA" | "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP" => {
            super::mfa_answers::mfa_code(ctx, pool_id, client_id, challenge, session, responses)
        }
        "SELECT_MFA_TYPE" => {
            super::mfa_answers::select_mfa_type(ctx, pool_id, client_id, session, responses)
        }
        "MFA_SETUP" => super::mfa_answers::mfa_setup(ctx, pool_id, client_id, session, responses),
        "DEVICE_SRP_AUTH" => {
            super::devices::device_srp_auth(ctx, pool_id, client_id, session, responses)
        }
        "DEVICE_PASSWORD_VERIFIER" => {
            super::devices::device_password_verifier(ctx, pool_id, client_id, session, responses)
        }
        "SMS_OTP" | "SELECT_CHALLENGE" | "PASSWORD" | "PASSWORD_SRP" | "WEB_AUTHN"
        | "CUSTOM_CHALLENGE" | "ADMIN_NO_SRP_AUTH" => {
            // A challenge this server never issues cannot be pending.
            Err(CognitoError::invalid_parameter("Invalid session for the user, session can only be used once."))
        }
        _ => Err(CognitoError::constraint(
            "challengeName",
            "Member must satisfy enum value set: [SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP, PASSWORD_VERIFIER, CUSTOM_CHALLENGE, SELECT_CHALLENGE, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, ADMIN_NO_SRP_AUTH, NEW_PASSWORD_REQUIRED, SMS_OTP, PASSWORD, WEB_AUTHN, PASSWORD_SRP]",
        )),
    }
}

fn password_verifier(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    responses: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let secret_block = required_param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = required_param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = required_param(responses, "TIMESTAMP")?;
    let username = required_param(responses, "USERNAME")?.expose();
    let now = ctx.now;

    let pending = ctx
        .inner
        .challenges
        .take_srp(secret_block.expose(), now)
        .ok_or_else(CognitoError::incorrect_credentials)?;
    if pending.pool_id != pool_id || pending.client_id != client_id {
        return Err(CognitoError::incorrect_credentials());
    }
    let pool = ctx.inner.state.pool(pool_id)?;
    check_secret_hash(
        pool.client(client_id)?,
        username,
        responses.get("SECRET_HASH"),
    )?;
    let named_user = match pool.resolve_username(username) {
        Some(internal) => internal,
        None => username.to_owned(),
    };
    if named_user != pending.user_id_for_srp {
        return Err(CognitoError::incorrect_credentials());
    }
    let signed_at = cognito_srp::timestamp::parse(timestamp.expose())
        .map_err(|_| CognitoError::incorrect_credentials())?;
    if signed_at < now - MAX_TIMESTAMP_SKEW || signed_at > now + MAX_TIMESTAMP_SKEW {
        return Err(CognitoError::incorrect_credentials());
    }
    let pool_name = cognito_srp::pool_name(pool_id).map_err(|_| CognitoError::internal())?;
    let identity = cognito_srp::Identity::User {
        pool_name,
        user_id_for_srp: &pending.user_id_for_srp,
    };
    let proof = pending.session_key.verify(
        identity,
        secret_block.expose(),
        timestamp.expose(),
        signature.expose(),
    );
    let SrpSubject::User(internal_username) = pending.subject else {
        return Err(CognitoError::incorrect_credentials());
    };
    proof.map_err(|_| CognitoError::incorrect_credentials())?;
    let device_key = responses
        .get("DEVICE_KEY")
        .map(|k| k.expose().to_owned())
        .or(pending.device_key);
    complete_sign_in(
        ctx,
        pool_id,
        client_id,
        &internal_username,
        device_key.as_deref(),
    )
}

fn new_password_required(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    client_id: &str,
    session: Option<&SecretString>,
    responses: &BTreeMap<String, SecretString>,
) -> Result<AuthResponse, CognitoError> {
    let session = session.ok_or_else(|| CognitoError::missing_member("Session"))?;
    let username = required_param(responses, "USERNAME")?.expose();
    let new_password = required_param(responses, "NEW_PASSWORD")?;
    let now = ctx.now;
    let pool = ctx.inner.state.pool(pool_id)?;
    // Policy first, so a refused password leaves the session usable for another try.
    pool.password_policy
        .check("NEW_PASSWORD", new_password.expose())?;
    check_secret_hash(
        pool.client(client_id)?,
        username,
        responses.get("SECRET_HASH"),
    )?;
    let named_user = pool.resolve_username(username);
    let attributes = parse_attributes(
        Some(
            responses
                .iter()
                .filter_map(|(key, value)| {
                    key.strip_prefix("userAttributes.").map(|name| AttributeIn {
                        name: Some(name.to_owned()),
                        value: Some(value.expose().to_owned()),
                    })
                })
                .collect(),
        ),
        Writer::Client,
    )?;
    if pool.email_is_username() && attributes.contains_key(crate::model::pool::EMAIL) {
        return Err(CognitoError::invalid_parameter(
            "The email attribute is the username in this pool and cannot be changed here.",
        ));
    }
    // Required attributes the user lacks must come with the answer (checked before the session
    // is taken, so the user can answer again).
    if let Some(user) = named_user.as_deref().and_then(|u| pool.users.get(u)) {
        if let Some(missing) = pool
            .missing_required_attributes(user)
            .into_iter()
            .find(|name| attributes.get(name).is_none_or(String::is_empty))
        {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid attributes given, {missing} is missing"
            )));
        }
    }

    let pending = take_bound_session(
        ctx,
        Binding {
            pool_id,
            client_id,
            challenge: "NEW_PASSWORD_REQUIRED",
            named_user,
        },
        session,
    )?;
    let expired = || SessionRefusal::Invalid.error();
    let verifier = make_verifier(pool_id, &pending.username, new_password)?;
    let user = ctx
        .inner
        .state
        .pool_mut(pool_id)?
        .user_mut(&pending.username)?;
    if user.status != UserStatus::ForceChangePassword {
        return Err(expired());
    }
    user.password = Some(StoredPassword::new(&verifier, now));
    user.status = UserStatus::Confirmed;
    user.attributes.extend(attributes);
    user.last_modified = now;
    complete_sign_in(
        ctx,
        pool_id,
        client_id,
        &pending.username,
        pending.device_key.as_deref(),
    )
}

/// What a session must match.
pub struct Binding<'a> {
    /// The pool the request is for.
    pub pool_id: &'a str,
    /// The app client of the request.
    pub client_id: &'a str,
    /// The `ChallengeName` answered.
    pub challenge: &'a str,
    /// The internal username `USERNAME` names, if it names anyone.
    pub named_user: Option<String>,
}

/// Takes the session and checks it against `binding`; see the module docs. The session is
/// used up whatever the outcome; [`take_bound_session_slot`] lets a caller put it back.
pub fn take_bound_session(
    ctx: &mut Ctx<'_>,
    binding: Binding<'_>,
    session: &SecretString,
) -> Result<PendingSession, CognitoError> {
    take_bound_session_slot(ctx, binding, session).map(|(pending, _)| pending)
}

/// Like [`take_bound_session`], also returning the slot to restore the session into.
pub fn take_bound_session_slot(
    ctx: &mut Ctx<'_>,
    binding: Binding<'_>,
    session: &SecretString,
) -> Result<(PendingSession, SessionSlot), CognitoError> {
    let (pending, slot) = ctx
        .inner
        .challenges
        .take_session(session.expose(), ctx.now)
        .map_err(SessionRefusal::error)?;
    if pending.pool_id != binding.pool_id
        || pending.client_id != binding.client_id
        || pending.challenge.wire_name() != binding.challenge
        || binding.named_user.as_deref() != Some(pending.username.as_str())
    {
        return Err(SessionRefusal::Invalid.error());
    }
    Ok((pending, slot))
}
