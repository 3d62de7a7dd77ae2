//! The key both sides end up with, and the PASSWORD_CLAIM_SIGNATURE it makes.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::{Identity, SrpError};

/// The 16-byte key derived from the SRP exchange. Both sides derive the same one exactly when
/// the client knew the password; it only ever signs and checks password claims.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SessionKey([u8; 16]);

impl SessionKey {
    pub(crate) fn new(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The raw key (for test vectors; nothing in a sign-in needs it).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// PASSWORD_CLAIM_SIGNATURE: base64(HMAC-SHA256(key, prefix₁ || prefix₂ || secret block ||
    /// timestamp)), where the prefix is the identity's two strings and the secret block is the
    /// challenge's SECRET_BLOCK, base64-decoded.
    pub fn sign(
        &self,
        id: Identity<'_>,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        let tag = self.claim_mac(id, secret_block_b64, timestamp)?.finalize();
        Ok(BASE64.encode(tag.into_bytes()))
    }

    /// Checks a client's PASSWORD_CLAIM_SIGNATURE in constant time.
    ///
    /// Any mismatch — wrong password, another secret block or timestamp, a signature that is
    /// not base64 at all — is [`SrpError::BadSignature`]; only a malformed `secret_block_b64`
    /// (which the server itself issued) is [`SrpError::InvalidBase64`]. Whether the timestamp
    /// is well formed and recent is the caller's check ([`crate::timestamp::parse`]).
    pub fn verify(
        &self,
        id: Identity<'_>,
        secret_block_b64: &str,
        timestamp: &str,
        signature_b64: &str,
    ) -> Result<(), SrpError> {
        let mac = self.claim_mac(id, secret_block_b64, timestamp)?;
        let signature = BASE64
            .decode(signature_b64)
            .map_err(|_| SrpError::BadSignature)?;
        // `verify_slice` compares in constant time (and refuses truncated tags).
        mac.verify_slice(&signature)
            .map_err(|_| SrpError::BadSignature)
    }

    fn claim_mac(
        &self,
        id: Identity<'_>,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> Result<Hmac<Sha256>, SrpError> {
        let secret_block = Zeroizing::new(
            BASE64
                .decode(secret_block_b64)
                .map_err(|_| SrpError::InvalidBase64)?,
        );
        // Invariant: HMAC accepts keys of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        let [first, second] = id.prefix();
        mac.update(first.as_bytes());
        mac.update(second.as_bytes());
        mac.update(&secret_block);
        mac.update(timestamp.as_bytes());
        Ok(mac)
    }
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey([redacted])")
    }
}
