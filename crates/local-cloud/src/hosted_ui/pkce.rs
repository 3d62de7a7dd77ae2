//! PKCE (RFC 7636), server side: only the `S256` method; the verifier's shape is checked and
//! the comparison is constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Whether `value` is a well-formed verifier or S256 challenge: 43–128 characters of
/// `[A-Za-z0-9-._~]` (a challenge is always 43).
pub fn well_formed(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `BASE64URL(SHA256(verifier))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` proves `challenge`.
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    well_formed(verifier) && bool::from(s256(verifier).as_bytes().ct_eq(challenge.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636, Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc_7636_appendix_b() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
        assert!(verifies(VERIFIER, CHALLENGE));
        assert!(
            !verifies(CHALLENGE, CHALLENGE),
            "the challenge is not its own verifier"
        );
        assert!(
            !verifies("short", &s256("short")),
            "verifiers under 43 chars are refused"
        );
    }
}
