//! The Cognito operations, one module per area, each a plain synchronous function
//! `fn(&mut Ctx, Request) -> Result<Response, CognitoError>` run under the store lock.
//!
//! Request types mirror the AWS JSON shapes with every member optional, so a missing required
//! member is answered with Cognito's `InvalidParameterException` wording rather than a
//! deserialisation error; members that carry secrets deserialize into
//! [`crate::secrets::SecretString`].

pub mod admin_users;
pub mod attributes;
pub mod auth;
pub mod challenge;
pub mod clients;
pub mod devices;
pub mod domains;
pub mod identity_providers;
pub mod mfa;
pub mod mfa_answers;
pub mod pools;
pub mod recovery;
pub mod sign_in;
pub mod sign_out;
pub mod sign_up;
pub mod tokens;
pub mod wire;

use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::error::CognitoError;
use crate::model::AppClient;
use crate::secrets::SecretString;
use crate::store::Inner;

/// What an operation works with: the locked store, the time, and where the server is.
pub struct Ctx<'a> {
    /// The locked store.
    pub inner: &'a mut Inner,
    /// The injected clock's reading for this request.
    pub now: OffsetDateTime,
    /// `http://127.0.0.1:PORT`, the base of token issuers.
    pub endpoint: &'a str,
    /// The region pools are created in.
    pub region: &'a str,
    /// How long temporary credentials from GetCredentialsForIdentity last.
    pub credentials_ttl: std::time::Duration,
}

/// A required member, or Cognito's "Member must not be null" error naming it.
pub fn required<T>(value: Option<T>, member: &str) -> Result<T, CognitoError> {
    value.ok_or_else(|| CognitoError::missing_member(member))
}

/// A required entry of `AuthParameters` / `ChallengeResponses`.
pub fn required_param<'m>(
    params: &'m std::collections::BTreeMap<String, SecretString>,
    name: &str,
) -> Result<&'m SecretString, CognitoError> {
    params.get(name).ok_or_else(|| {
        CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
    })
}

/// Checks a `SECRET_HASH` for `username` when the client has a secret (no-op otherwise).
pub fn check_secret_hash(
    client: &AppClient,
    username: &str,
    provided: Option<&SecretString>,
) -> Result<(), CognitoError> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    let Some(provided) = provided else {
        return Err(CognitoError::not_authorized(format!(
            "Client {} is configured for secret but secret was not received",
            client.id
        )));
    };
    let expected = cognito_srp::secret_hash(secret.expose(), username, &client.id);
    if bool::from(expected.as_bytes().ct_eq(provided.expose().as_bytes())) {
        Ok(())
    } else {
        Err(CognitoError::secret_hash_mismatch(&client.id))
    }
}

/// Checks a raw `ClientSecret` (RevokeToken, GetTokensFromRefreshToken).
pub fn client_secret_matches(client: &AppClient, provided: Option<&SecretString>) -> bool {
    match (&client.secret, provided) {
        (None, _) => true,
        (Some(secret), Some(provided)) => bool::from(
            secret
                .expose()
                .as_bytes()
                .ct_eq(provided.expose().as_bytes()),
        ),
        (Some(_), None) => false,
    }
}

/// Validates a username: 1–128 characters, no whitespace or control characters.
pub fn check_username(username: &str) -> Result<(), CognitoError> {
    let len = username.chars().count();
    if len == 0
        || len > 128
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(CognitoError::constraint(
            "username",
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(())
}

/// Whether `value` looks like an e-mail address (what Cognito requires of e-mail usernames).
pub fn looks_like_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Seconds since the epoch, as AWS JSON timestamps are sent.
pub fn epoch_seconds(t: OffsetDateTime) -> f64 {
    t.unix_timestamp() as f64 + f64::from(t.millisecond()) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shape() {
        assert!(looks_like_email("a@b.c"));
        assert!(!looks_like_email("alice"));
        assert!(!looks_like_email("a@@b"));
        assert!(!looks_like_email("a b@c"));
    }
}
