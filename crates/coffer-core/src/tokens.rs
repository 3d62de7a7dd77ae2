//! Tokens: the token set a sign-in yields, and their verification.
//!
//! Verification is pure: given the token text, the pool's key set ([`Jwks`]), the expected
//! issuer and client ([`VerificationPolicy`]) and the current time, [`verify`] either returns
//! the [`VerifiedClaims`] or says exactly which check failed ([`TokenError`]). The checks:
//!
//! 1. the header names `RS256` (anything else, `none` and `HS256` included, is refused before
//!    any key is looked at) and a key id;
//! 2. the key id is in the key set, and the RS256 signature verifies with that key;
//! 3. `iss` is exactly the pool's issuer ([`crate::Config::issuer`]);
//! 4. `token_use` is `id` or `access` as expected;
//! 5. for ID tokens `aud`, for access tokens `client_id`, is our app client;
//! 6. `exp` is not past (allowing [`VerificationPolicy::allowed_skew`], 60 s by default) and
//!    `iat` is not in the future beyond the same allowance.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::jwks::Jwks;
use crate::secret::{AccessToken, IdToken, RefreshToken};

/// The tokens of one signed-in user.
#[derive(Clone, Debug)]
pub struct TokenSet {
    /// The ID token (identity claims).
    pub id: IdToken,
    /// The access token (bearer credential for user-pool APIs).
    pub access: AccessToken,
    /// The refresh token (mints new ID and access tokens).
    pub refresh: RefreshToken,
    /// When the ID and access tokens expire (the earlier of their `exp` claims).
    pub expires_at: OffsetDateTime,
}

/// The keychain form of a [`TokenSet`]. Private, so tokens serialise to this one place only.
#[derive(Serialize, Deserialize)]
struct StoredTokenSet<T> {
    version: u32,
    id_token: T,
    access_token: T,
    refresh_token: T,
    expires_at: i64,
}

const STORED_TOKEN_SET_VERSION: u32 = 1;

impl TokenSet {
    /// The JSON blob kept in the keychain. Zeroised when dropped.
    pub(crate) fn to_keychain_blob(&self) -> Zeroizing<String> {
        let stored = StoredTokenSet {
            version: STORED_TOKEN_SET_VERSION,
            id_token: self.id.expose(),
            access_token: self.access.expose(),
            refresh_token: self.refresh.expose(),
            expires_at: self.expires_at.unix_timestamp(),
        };
        // Serialising a struct of strings and integers to JSON cannot fail.
        Zeroizing::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// Reads the blob written by [`TokenSet::to_keychain_blob`]. `None` when it is not one
    /// (another version, or damaged).
    pub(crate) fn from_keychain_blob(blob: &str) -> Option<Self> {
        let stored: StoredTokenSet<String> = serde_json::from_str(blob).ok()?;
        if stored.version != STORED_TOKEN_SET_VERSION {
            return None;
        }
        Some(Self {
            id: IdToken::new(stored.id_token),
            access: AccessToken::new(stored.access_token),
            refresh: RefreshToken::new(stored.refresh_token),
            expires_at: OffsetDateTime::from_unix_timestamp(stored.expires_at).ok()?,
        })
    }
}

/// Which kind of token is expected (`token_use` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    /// An ID token.
    Id,
    /// An access token.
    Access,
}

impl TokenUse {
    /// The `token_use` claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
        }
    }
}

/// What a token must match besides its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationPolicy {
    /// The expected `iss`.
    pub issuer: String,
    /// Our app client id (`aud` of ID tokens, `client_id` of access tokens).
    pub client_id: String,
    /// Clock difference tolerated for `exp` and `iat`.
    pub allowed_skew: Duration,
    /// The `nonce` an ID token must carry (hosted-UI sign-in); `None` when none was sent.
    pub nonce: Option<String>,
}

/// The default clock-skew allowance.
pub const DEFAULT_ALLOWED_SKEW: Duration = Duration::from_secs(60);

impl VerificationPolicy {
    /// A policy for this issuer and client with the default skew allowance.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            allowed_skew: DEFAULT_ALLOWED_SKEW,
            nonce: None,
        }
    }

    /// This policy, also requiring ID tokens to carry `nonce`.
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }
}

/// Claims of a token that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedClaims {
    /// Which kind of token these came from.
    pub token_use: TokenUse,
    /// The user's stable id in the pool (`sub`).
    pub sub: String,
    /// The pool's username for the user (`cognito:username` in ID tokens, `username` in access
    /// tokens). With e-mail sign-in this is the internal name, not the e-mail.
    pub username: String,
    /// `email`, in ID tokens that carry it.
    pub email: Option<String>,
    /// `email_verified`, in ID tokens that carry it.
    pub email_verified: Option<bool>,
    /// When the user authenticated (`auth_time`).
    pub auth_time: Option<OffsetDateTime>,
    /// `iat`.
    pub issued_at: OffsetDateTime,
    /// `exp`.
    pub expires_at: OffsetDateTime,
    /// `device_key`, in access tokens issued to a device the pool tracks: the device whose
    /// `DEVICE_KEY` the refresh token needs.
    pub device_key: Option<String>,
}

/// Why a token (or key set) was refused. Display names the failed check, never the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a JWT, or its header or claims are not what Cognito issues.
    #[error("token is malformed: {reason}")]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// The header names an algorithm other than RS256 (`none` and `HS256` included).
    #[error("token algorithm {alg:?} is refused; only RS256 is accepted")]
    AlgorithmRefused {
        /// The algorithm named in the header (shortened).
        alg: String,
    },
    /// The header has no key id.
    #[error("token header has no key id")]
    MissingKeyId,
    /// The key id is not in the pool's key set, even after fetching it again.
    #[error("token is signed with an unknown key ({kid:?})")]
    UnknownKey {
        /// The key id from the header (shortened).
        kid: String,
    },
    /// The signature does not verify.
    #[error("token signature is invalid")]
    BadSignature,
    /// `iss` is not the configured pool.
    #[error("token issuer {found:?} is not the configured pool {expected:?}")]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's issuer (shortened).
        found: String,
    },
    /// `aud` / `client_id` is another app client.
    #[error("token was issued to another app client")]
    WrongAudience,
    /// The ID token's `nonce` is missing or not the one sent with the authorization request.
    #[error("the ID token's nonce does not match the sign-in request")]
    NonceMismatch,
    /// `token_use` is not the expected kind.
    #[error("expected an {expected} token but got {found:?}")]
    WrongTokenUse {
        /// The expected `token_use`.
        expected: &'static str,
        /// The token's `token_use` (shortened).
        found: String,
    },
    /// `exp` is past, beyond the skew allowance.
    #[error("token expired at {expired_at}")]
    Expired {
        /// The `exp` claim.
        expired_at: OffsetDateTime,
    },
    /// `iat` is in the future, beyond the skew allowance.
    #[error("token is issued in the future ({issued_at}); check the system clock")]
    IssuedInFuture {
        /// The `iat` claim.
        issued_at: OffsetDateTime,
    },
    /// The pool's key set could not be used.
    #[error("the user pool's key set is invalid: {reason}")]
    JwksInvalid {
        /// What is wrong.
        reason: &'static str,
    },
}

impl TokenError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "token_malformed",
            Self::AlgorithmRefused { .. } => "token_algorithm_refused",
            Self::MissingKeyId | Self::UnknownKey { .. } => "token_unknown_key",
            Self::BadSignature => "token_bad_signature",
            Self::WrongIssuer { .. } => "token_wrong_issuer",
            Self::WrongAudience => "token_wrong_audience",
            Self::NonceMismatch => "token_nonce_mismatch",
            Self::WrongTokenUse { .. } => "token_wrong_use",
            Self::Expired { .. } => "token_expired",
            Self::IssuedInFuture { .. } => "token_issued_in_future",
            Self::JwksInvalid { .. } => "jwks_invalid",
        }
    }
}

/// Attacker-controlled header and claim values are echoed in errors only shortened.
fn shorten(value: &str) -> String {
    value.chars().take(64).collect()
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    kid: Option<String>,
}

/// Reads the key id from a token header, refusing any algorithm but RS256 up front.
pub fn key_id(token: &str) -> Result<String, TokenError> {
    let header_b64 = token.split('.').next().unwrap_or_default();
    let header_json = URL_SAFE_NO_PAD
        .decode(header_b64)
        .map_err(|_| TokenError::Malformed {
            reason: "header is not base64url",
        })?;
    let header: RawHeader =
        serde_json::from_slice(&header_json).map_err(|_| TokenError::Malformed {
            reason: "header is not a JWT header",
        })?;
    if header.alg != "RS256" {
        return Err(TokenError::AlgorithmRefused {
            alg: shorten(&header.alg),
        });
    }
    header.kid.ok_or(TokenError::MissingKeyId)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, client_id: &str) -> bool {
        match self {
            Self::One(aud) => aud == client_id,
            Self::Many(auds) => auds.iter().any(|aud| aud == client_id),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LenientBool {
    Bool(bool),
    Text(String),
}

#[derive(Deserialize)]
struct RawClaims {
    iss: String,
    sub: String,
    token_use: String,
    exp: i64,
    iat: i64,
    aud: Option<Audience>,
    client_id: Option<String>,
    auth_time: Option<i64>,
    #[serde(rename = "cognito:username")]
    cognito_username: Option<String>,
    username: Option<String>,
    email: Option<String>,
    email_verified: Option<LenientBool>,
    nonce: Option<String>,
    device_key: Option<String>,
}

/// Whether `exp` is checked. Only the refresh path skips it: it reads the internal username
/// from an ID token that may have expired (its signature, issuer and audience still count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    Enforce,
    Ignore,
}

/// Verifies a token completely (see the module docs for the checks).
pub fn verify(
    token: &str,
    expected_use: TokenUse,
    keys: &Jwks,
    policy: &VerificationPolicy,
    now: OffsetDateTime,
) -> Result<VerifiedClaims, TokenError> {
    verify_with(token, expected_use, keys, policy, now, Expiry::Enforce)
}

pub(crate) fn verify_with(
    token: &str,
    expected_use: TokenUse,
    keys: &Jwks,
    policy: &VerificationPolicy,
    now: OffsetDateTime,
    expiry: Expiry,
) -> Result<VerifiedClaims, TokenError> {
    let kid = key_id(token)?;
    let key = keys
        .key(&kid)
        .ok_or_else(|| TokenError::UnknownKey { kid: shorten(&kid) })?;

    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    // Only the signature is left to jsonwebtoken; the claims are checked below against the
    // injected clock and policy.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    let claims = jsonwebtoken::decode::<RawClaims>(token, key, &validation)
        .map_err(|error| match error.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenError::BadSignature,
            jsonwebtoken::errors::ErrorKind::InvalidRsaKey(_) => TokenError::JwksInvalid {
                reason: "the signing key is not a usable RSA key",
            },
            jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => TokenError::AlgorithmRefused {
                alg: "(mismatch)".to_owned(),
            },
            _ => TokenError::Malformed {
                reason: "claims are missing or not what Cognito issues",
            },
        })?
        .claims;

    if claims.iss != policy.issuer {
        return Err(TokenError::WrongIssuer {
            expected: policy.issuer.clone(),
            found: shorten(&claims.iss),
        });
    }
    if claims.token_use != expected_use.as_str() {
        return Err(TokenError::WrongTokenUse {
            expected: expected_use.as_str(),
            found: shorten(&claims.token_use),
        });
    }
    let audience_ok = match expected_use {
        TokenUse::Id => claims
            .aud
            .as_ref()
            .is_some_and(|aud| aud.contains(&policy.client_id)),
        TokenUse::Access => claims.client_id.as_deref() == Some(policy.client_id.as_str()),
    };
    if !audience_ok {
        return Err(TokenError::WrongAudience);
    }
    if let (TokenUse::Id, Some(expected)) = (expected_use, &policy.nonce) {
        let matches = claims.nonce.as_deref().is_some_and(|nonce| {
            bool::from(subtle::ConstantTimeEq::ct_eq(
                nonce.as_bytes(),
                expected.as_bytes(),
            ))
        });
        if !matches {
            return Err(TokenError::NonceMismatch);
        }
    }

    let malformed_time = || TokenError::Malformed {
        reason: "a time claim is out of range",
    };
    let expires_at =
        OffsetDateTime::from_unix_timestamp(claims.exp).map_err(|_| malformed_time())?;
    let issued_at =
        OffsetDateTime::from_unix_timestamp(claims.iat).map_err(|_| malformed_time())?;
    let auth_time = claims
        .auth_time
        .map(OffsetDateTime::from_unix_timestamp)
        .transpose()
        .map_err(|_| malformed_time())?;
    let skew = policy.allowed_skew;
    if expiry == Expiry::Enforce && now > expires_at + skew {
        return Err(TokenError::Expired {
            expired_at: expires_at,
        });
    }
    if issued_at > now + skew {
        return Err(TokenError::IssuedInFuture { issued_at });
    }

    let username = match expected_use {
        TokenUse::Id => claims.cognito_username,
        TokenUse::Access => claims.username,
    }
    .ok_or(TokenError::Malformed {
        reason: "the username claim is missing",
    })?;
    let email_verified = claims.email_verified.map(|value| match value {
        LenientBool::Bool(flag) => flag,
        LenientBool::Text(text) => text == "true",
    });
    Ok(VerifiedClaims {
        token_use: expected_use,
        sub: claims.sub,
        username,
        email: claims.email,
        email_verified,
        auth_time,
        issued_at,
        expires_at,
        device_key: match expected_use {
            TokenUse::Access => claims.device_key,
            TokenUse::Id => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde_json::json;
    use time::macros::datetime;

    const ISSUER: &str = "http://127.0.0.1:4566/us-east-1_TestPool";
    const CLIENT_ID: &str = "testclient123";
    const NOW: OffsetDateTime = datetime!(2025-06-01 12:00:00 UTC);

    fn signing_key(pem: &str) -> EncodingKey {
        EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()
    }

    fn key_a() -> EncodingKey {
        signing_key(include_str!("../tests/data/test-signing-key-a.pem"))
    }

    fn key_b() -> EncodingKey {
        signing_key(include_str!("../tests/data/test-signing-key-b.pem"))
    }

    /// A JWKS with key A under "key-a" (key B is deliberately not published).
    fn jwks() -> Jwks {
        let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key_a(), Algorithm::RS256).unwrap();
        let jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
            panic!("an RSA key yields RSA parameters");
        };
        let document = json!({"keys": [
            {"kty": "RSA", "kid": "key-a", "alg": "RS256", "use": "sig", "n": rsa.n, "e": rsa.e}
        ]});
        Jwks::from_json(document.to_string().as_bytes()).unwrap()
    }

    fn policy() -> VerificationPolicy {
        VerificationPolicy::new(ISSUER, CLIENT_ID)
    }

    fn id_claims() -> serde_json::Value {
        json!({
            "sub": "5f0c7d1e-1111-4222-8333-944455556666",
            "aud": CLIENT_ID,
            "email_verified": true,
            "token_use": "id",
            "auth_time": NOW.unix_timestamp() - 10,
            "iss": ISSUER,
            "cognito:username": "5f0c7d1e-1111-4222-8333-944455556666",
            "exp": NOW.unix_timestamp() + 3600,
            "iat": NOW.unix_timestamp() - 10,
            "email": "ada@example.com"
        })
    }

    fn access_claims() -> serde_json::Value {
        json!({
            "sub": "5f0c7d1e-1111-4222-8333-944455556666",
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": NOW.unix_timestamp() - 10,
            "iss": ISSUER,
            "exp": NOW.unix_timestamp() + 3600,
            "iat": NOW.unix_timestamp() - 10,
            "client_id": CLIENT_ID,
            "username": "5f0c7d1e-1111-4222-8333-944455556666"
        })
    }

    fn sign_with(claims: &serde_json::Value, key: &EncodingKey, kid: Option<&str>) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    fn sign(claims: &serde_json::Value) -> String {
        sign_with(claims, &key_a(), Some("key-a"))
    }

    fn with(
        mut claims: serde_json::Value,
        key: &str,
        value: serde_json::Value,
    ) -> serde_json::Value {
        claims[key] = value;
        claims
    }

    fn verify_id(token: &str) -> Result<VerifiedClaims, TokenError> {
        verify(token, TokenUse::Id, &jwks(), &policy(), NOW)
    }

    #[test]
    fn accepts_a_valid_id_token() {
        let claims = verify_id(&sign(&id_claims())).unwrap();
        assert_eq!(claims.token_use, TokenUse::Id);
        assert_eq!(claims.sub, "5f0c7d1e-1111-4222-8333-944455556666");
        assert_eq!(claims.username, "5f0c7d1e-1111-4222-8333-944455556666");
        assert_eq!(claims.email.as_deref(), Some("ada@example.com"));
        assert_eq!(claims.email_verified, Some(true));
        assert_eq!(claims.expires_at, NOW + time::Duration::hours(1));
        assert_eq!(claims.auth_time, Some(NOW - time::Duration::seconds(10)));
    }

    #[test]
    fn the_expected_nonce_is_required_in_id_tokens() {
        let with_nonce = sign(&with(id_claims(), "nonce", json!("n-123")));
        let policy = policy().with_nonce("n-123");
        assert!(verify(&with_nonce, TokenUse::Id, &jwks(), &policy, NOW).is_ok());
        let other = policy.clone().with_nonce("n-456");
        assert_eq!(
            verify(&with_nonce, TokenUse::Id, &jwks(), &other, NOW),
            Err(TokenError::NonceMismatch)
        );
        let without = sign(&id_claims());
        assert_eq!(
            verify(&without, TokenUse::Id, &jwks(), &policy, NOW),
            Err(TokenError::NonceMismatch)
        );
        // Without an expected nonce (SRP sign-in, refresh) the claim is not required.
        assert!(verify_id(&with_nonce).is_ok());
    }

    #[test]
    fn accepts_a_valid_access_token() {
        let token = sign(&access_claims());
        let claims = verify(&token, TokenUse::Access, &jwks(), &policy(), NOW).unwrap();
        assert_eq!(claims.token_use, TokenUse::Access);
        assert_eq!(claims.username, "5f0c7d1e-1111-4222-8333-944455556666");
        assert_eq!(claims.email, None);
    }

    #[test]
    fn refuses_another_issuer() {
        let token = sign(&with(
            id_claims(),
            "iss",
            json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"),
        ));
        let error = verify_id(&token).unwrap_err();
        assert!(matches!(error, TokenError::WrongIssuer { .. }), "{error:?}");
        assert_eq!(error.code(), "token_wrong_issuer");
        // The issuer comparison is exact: a trailing slash is another issuer.
        let token = sign(&with(id_claims(), "iss", json!(format!("{ISSUER}/"))));
        assert!(matches!(
            verify_id(&token),
            Err(TokenError::WrongIssuer { .. })
        ));
    }

    #[test]
    fn refuses_another_audience() {
        let token = sign(&with(id_claims(), "aud", json!("someoneelse")));
        assert_eq!(verify_id(&token), Err(TokenError::WrongAudience));
        let mut claims = id_claims();
        claims.as_object_mut().unwrap().remove("aud");
        assert_eq!(verify_id(&sign(&claims)), Err(TokenError::WrongAudience));
        // Access tokens carry the client in `client_id`.
        let token = sign(&with(access_claims(), "client_id", json!("someoneelse")));
        assert_eq!(
            verify(&token, TokenUse::Access, &jwks(), &policy(), NOW),
            Err(TokenError::WrongAudience)
        );
    }

    #[test]
    fn refuses_the_wrong_token_use() {
        let access_as_id = verify_id(&sign(&access_claims())).unwrap_err();
        assert_eq!(
            access_as_id,
            TokenError::WrongTokenUse {
                expected: "id",
                found: "access".to_owned()
            }
        );
        let id_as_access = verify(
            &sign(&id_claims()),
            TokenUse::Access,
            &jwks(),
            &policy(),
            NOW,
        );
        assert!(matches!(
            id_as_access,
            Err(TokenError::WrongTokenUse {
                expected: "access",
                ..
            })
        ));
    }

    #[test]
    fn refuses_an_expired_token_beyond_the_skew_allowance() {
        let exp = NOW.unix_timestamp() - 61;
        let token = sign(&with(id_claims(), "exp", json!(exp)));
        let error = verify_id(&token).unwrap_err();
        assert_eq!(error.code(), "token_expired");
        assert!(
            matches!(error, TokenError::Expired { expired_at } if expired_at.unix_timestamp() == exp)
        );
    }

    #[test]
    fn tolerates_expiry_within_the_skew_allowance() {
        let token = sign(&with(id_claims(), "exp", json!(NOW.unix_timestamp() - 59)));
        assert!(verify_id(&token).is_ok());
        // The allowance is configurable; with none, the same token is expired.
        let strict = VerificationPolicy {
            allowed_skew: Duration::ZERO,
            ..policy()
        };
        let error = verify(&token, TokenUse::Id, &jwks(), &strict, NOW).unwrap_err();
        assert!(matches!(error, TokenError::Expired { .. }));
        // The refresh path may read an expired token, but nothing else is relaxed.
        let claims = verify_with(&token, TokenUse::Id, &jwks(), &strict, NOW, Expiry::Ignore);
        assert!(claims.is_ok());
    }

    #[test]
    fn refuses_a_token_issued_in_the_future() {
        let token = sign(&with(id_claims(), "iat", json!(NOW.unix_timestamp() + 120)));
        assert!(matches!(
            verify_id(&token),
            Err(TokenError::IssuedInFuture { .. })
        ));
        let token = sign(&with(id_claims(), "iat", json!(NOW.unix_timestamp() + 30)));
        assert!(verify_id(&token).is_ok());
    }

    #[test]
    fn refuses_a_tampered_payload() {
        let token = sign(&id_claims());
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let forged = with(id_claims(), "sub", json!("another-user"));
        parts[1] = URL_SAFE_NO_PAD.encode(forged.to_string());
        let error = verify_id(&parts.join(".")).unwrap_err();
        assert_eq!(error, TokenError::BadSignature);
        assert_eq!(error.code(), "token_bad_signature");
    }

    #[test]
    fn refuses_a_signature_by_another_key_under_a_known_kid() {
        let token = sign_with(&id_claims(), &key_b(), Some("key-a"));
        assert_eq!(verify_id(&token), Err(TokenError::BadSignature));
    }

    #[test]
    fn refuses_an_unknown_or_missing_key_id() {
        let token = sign_with(&id_claims(), &key_b(), Some("key-b"));
        assert_eq!(
            verify_id(&token),
            Err(TokenError::UnknownKey {
                kid: "key-b".to_owned()
            })
        );
        let token = sign_with(&id_claims(), &key_a(), None);
        assert_eq!(verify_id(&token), Err(TokenError::MissingKeyId));
    }

    #[test]
    fn refuses_alg_none() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"key-a","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(id_claims().to_string());
        let token = format!("{header}.{payload}.");
        let error = verify_id(&token).unwrap_err();
        assert_eq!(
            error,
            TokenError::AlgorithmRefused {
                alg: "none".to_owned()
            }
        );
        assert_eq!(error.code(), "token_algorithm_refused");
    }

    #[test]
    fn refuses_hs256_even_keyed_with_public_key_material() {
        // The classic confusion attack: an HMAC keyed with something the attacker knows.
        let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key_a(), Algorithm::RS256).unwrap();
        let jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
            panic!("an RSA key yields RSA parameters");
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("key-a".to_owned());
        let token = jsonwebtoken::encode(
            &header,
            &id_claims(),
            &EncodingKey::from_secret(rsa.n.as_bytes()),
        )
        .unwrap();
        assert_eq!(
            verify_id(&token),
            Err(TokenError::AlgorithmRefused {
                alg: "HS256".to_owned()
            })
        );
    }

    #[test]
    fn refuses_text_that_is_not_a_jwt() {
        for garbage in ["", "abc", "a.b.c", "!!!.???.###"] {
            let error = verify_id(garbage).unwrap_err();
            assert_eq!(error.code(), "token_malformed", "{garbage:?}: {error:?}");
        }
    }

    #[test]
    fn keychain_blob_round_trips_and_debug_is_redacted() {
        let tokens = TokenSet {
            id: IdToken::new("id.token.text"),
            access: AccessToken::new("access.token.text"),
            refresh: RefreshToken::new("refresh-token-text"),
            expires_at: NOW,
        };
        let blob = tokens.to_keychain_blob();
        let back = TokenSet::from_keychain_blob(&blob).unwrap();
        assert_eq!(back.id, tokens.id);
        assert_eq!(back.access, tokens.access);
        assert_eq!(back.refresh, tokens.refresh);
        assert_eq!(back.expires_at, NOW);
        let debug = format!("{tokens:?}");
        assert!(!debug.contains("token.text"), "{debug}");
        assert!(!debug.contains("refresh-token-text"), "{debug}");
        assert!(TokenSet::from_keychain_blob("{}").is_none());
        assert!(
            TokenSet::from_keychain_blob(&blob.replace("\"version\":1", "\"version\":9")).is_none()
        );
    }
}
