//! Token signing keys, the JWKS, and minting/verifying the emulator's own JWTs.
//!
//! Design: each pool has one RSA-2048 key, generated with aws-lc-rs (fast even in debug builds)
//! and kept as PKCS#8 in the state file, so a restart serves the same JWKS (same `kid`) and
//! tokens issued before it stay verifiable. Tokens are RS256 with a `kid` header and no `typ`,
//! like Cognito's. Verification of access tokens is strict: signature with the key named by
//! `kid`, `iss` equal to this server's issuer for the pool, `token_use`, and `exp` against the
//! injected clock (jsonwebtoken's own clock check is off because it reads the system time).
//!
//! Security note: the private keys sit in `state.json` (mode 0600) in plain PKCS#8. That is the
//! price of surviving restarts; the emulator is a local development and test tool.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{CognitoError, LocalCloudError};
use crate::ids;
use crate::secrets::PersistedSecret;

/// A pool's signing key as persisted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningKeyRecord {
    /// The JWKS key id.
    pub kid: String,
    /// The private key, PKCS#8 DER, base64.
    pub pkcs8: PersistedSecret,
}

impl SigningKeyRecord {
    /// Generates a fresh RSA-2048 key.
    pub fn generate() -> Result<Self, LocalCloudError> {
        let pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| LocalCloudError::Crypto("RSA key generation failed"))?;
        let der = pair
            .as_der()
            .map_err(|_| LocalCloudError::Crypto("RSA key encoding failed"))?;
        Ok(Self {
            kid: ids::key_id(),
            pkcs8: PersistedSecret::new(STANDARD.encode(der.as_ref())),
        })
    }
}

/// A signing key parsed and ready to sign and verify.
pub struct PoolKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    modulus_b64: String,
    exponent_b64: String,
}

impl std::fmt::Debug for PoolKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl PoolKey {
    /// Parses a persisted key.
    pub fn load(record: &SigningKeyRecord) -> Result<Self, LocalCloudError> {
        let corrupt = || LocalCloudError::Crypto("stored signing key is not a valid RSA key");
        let der = zeroize::Zeroizing::new(
            STANDARD
                .decode(record.pkcs8.expose())
                .map_err(|_| corrupt())?,
        );
        let pair = KeyPair::from_pkcs8(&der).map_err(|_| corrupt())?;
        let public = pair.public_key();
        let modulus = public.modulus();
        let exponent = public.exponent();
        let n = modulus.big_endian_without_leading_zero();
        let e = exponent.big_endian_without_leading_zero();
        // jsonwebtoken wants PKCS#1 for RSA signing; its PEM reader unwraps PKCS#8 for us.
        let pem = zeroize::Zeroizing::new(pkcs8_pem(&der));
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| corrupt())?;
        Ok(Self {
            kid: record.kid.clone(),
            encoding,
            decoding: DecodingKey::from_rsa_raw_components(n, e),
            modulus_b64: URL_SAFE_NO_PAD.encode(n),
            exponent_b64: URL_SAFE_NO_PAD.encode(e),
        })
    }

    /// The public key, for verifying tokens this key signed.
    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK, in the shape Cognito serves.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "alg": "RS256",
            "e": self.exponent_b64,
            "kid": self.kid,
            "kty": "RSA",
            "n": self.modulus_b64,
            "use": "sig",
        })
    }

    /// Signs `claims` as an RS256 JWT.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, CognitoError> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|err| {
            tracing::error!(error = %err, "signing a token failed");
            CognitoError::internal()
        })
    }
}

fn pkcs8_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

/// Parsed signing keys by pool id (parsing is slow enough to be worth caching).
#[derive(Debug, Default)]
pub struct KeyCache {
    keys: HashMap<String, Arc<PoolKey>>,
}

impl KeyCache {
    /// The parsed key of `pool_id`, loading it from `record` on first use.
    pub fn get(
        &mut self,
        pool_id: &str,
        record: &SigningKeyRecord,
    ) -> Result<Arc<PoolKey>, CognitoError> {
        if let Some(key) = self.keys.get(pool_id).filter(|k| k.kid == record.kid) {
            return Ok(Arc::clone(key));
        }
        let key = Arc::new(PoolKey::load(record).map_err(|err| {
            tracing::error!(pool_id, error = %err, "cannot load a pool signing key");
            CognitoError::internal()
        })?);
        self.keys.insert(pool_id.to_owned(), Arc::clone(&key));
        Ok(key)
    }

    /// Forgets every parsed key (after the state was reloaded).
    pub fn clear(&mut self) {
        self.keys.clear();
    }
}

/// The issuer of a pool's tokens on this server: `<endpoint>/<poolId>`.
pub fn issuer(endpoint: &str, pool_id: &str) -> String {
    format!("{endpoint}/{pool_id}")
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user's `sub`.
    pub sub: String,
    /// `<endpoint>/<poolId>`.
    pub iss: String,
    /// The app client.
    pub client_id: String,
    /// The sign-in session.
    pub origin_jti: String,
    /// A fresh UUID per minting event.
    pub event_id: String,
    /// Always `"access"`.
    pub token_use: String,
    /// `aws.cognito.signin.user.admin`.
    pub scope: String,
    /// When the user authenticated.
    pub auth_time: i64,
    /// Expiry.
    pub exp: i64,
    /// Issue time.
    pub iat: i64,
    /// This token's id.
    pub jti: String,
    /// The internal username.
    pub username: String,
    /// The device the tokens were issued to, when the pool tracks devices (as on AWS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
}

/// Verifies an access token minted by this server. `pool_key` finds the pool and key for a
/// `kid`. Returns the pool id and the claims; revocation is the caller's to check.
pub fn verify_access_token(
    token: &str,
    now: OffsetDateTime,
    endpoint: &str,
    mut pool_key: impl FnMut(&str) -> Option<(String, Arc<PoolKey>)>,
) -> Result<(String, AccessClaims), CognitoError> {
    let invalid = || CognitoError::not_authorized("Invalid Access Token");
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
    if header.alg != Algorithm::RS256 {
        return Err(invalid());
    }
    let kid = header.kid.ok_or_else(invalid)?;
    let (pool_id, key) = pool_key(&kid).ok_or_else(invalid)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.set_issuer(&[issuer(endpoint, &pool_id)]);
    let data = jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation)
        .map_err(|_| invalid())?;
    let claims = data.claims;
    if claims.token_use != "access" {
        return Err(invalid());
    }
    if now.unix_timestamp() >= claims.exp {
        return Err(CognitoError::not_authorized("Access Token has expired"));
    }
    Ok((pool_id, claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_round_trips_and_signs() {
        let record = SigningKeyRecord::generate().expect("keygen");
        let key = Arc::new(PoolKey::load(&record).expect("loads"));
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid");
        let claims = AccessClaims {
            sub: "s".into(),
            iss: issuer("http://127.0.0.1:1", "us-east-1_abc"),
            client_id: "c".into(),
            origin_jti: "o".into(),
            event_id: "e".into(),
            token_use: "access".into(),
            scope: "aws.cognito.signin.user.admin".into(),
            auth_time: now.unix_timestamp(),
            exp: now.unix_timestamp() + 60,
            iat: now.unix_timestamp(),
            jti: "j".into(),
            username: "u".into(),
            device_key: None,
        };
        let token = key.sign(&claims).expect("signs");
        let lookup =
            |kid: &str| (kid == record.kid).then(|| ("us-east-1_abc".to_owned(), Arc::clone(&key)));
        let (pool, verified) =
            verify_access_token(&token, now, "http://127.0.0.1:1", lookup).expect("verifies");
        assert_eq!(pool, "us-east-1_abc");
        assert_eq!(verified.username, "u");

        let expired = verify_access_token(
            &token,
            now + std::time::Duration::from_secs(60),
            "http://127.0.0.1:1",
            lookup,
        )
        .expect_err("expired");
        assert_eq!(expired.message, "Access Token has expired");
        let other_issuer =
            verify_access_token(&token, now, "http://127.0.0.1:2", lookup).expect_err("iss");
        assert_eq!(other_issuer.message, "Invalid Access Token");

        let jwk = key.jwk();
        assert_eq!(jwk["kid"], record.kid.as_str());
        assert_eq!(jwk["e"], "AQAB");
    }
}
