//! The hashes of Cognito's SRP: the password hash, x, u, and the HKDF that yields the key.

use crypto_bigint::{U256, U3072};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::encoding::pad;
use crate::exponent::SecretExponent;
use crate::group::to_be_bytes;
use crate::{Identity, SessionKey, SrpError};

/// HKDF `info` of Cognito's key derivation.
const KEY_INFO: &[u8] = b"Caldera Derived Key";

/// SHA256(prefix₁ || prefix₂ || ":" || password) — the "inner" hash of x.
pub(crate) fn password_hash(id: Identity<'_>, password: &str) -> Zeroizing<[u8; 32]> {
    let [first, second] = id.prefix();
    let mut hasher = Sha256::new();
    hasher.update(first.as_bytes());
    hasher.update(second.as_bytes());
    hasher.update(b":");
    hasher.update(password.as_bytes());
    Zeroizing::new(hasher.finalize().into())
}

/// x = SHA256(pad(salt) || password_hash), salt read as an unsigned big-endian integer.
pub(crate) fn private_key_x(salt: &[u8], password_hash: &[u8; 32]) -> SecretExponent {
    let digest: Zeroizing<[u8; 32]> = Zeroizing::new(
        Sha256::new()
            .chain_update(pad(salt))
            .chain_update(password_hash)
            .finalize()
            .into(),
    );
    let x = Zeroizing::new(U256::from_be_slice(digest.as_slice()));
    // x < 2^256 < N - 1: already reduced.
    SecretExponent::from_reduced(x.resize(), 256)
}

/// u = SHA256(pad(A) || pad(B)), from the big-endian bytes of A and B as sent.
pub(crate) fn scramble(srp_a: &[u8], srp_b: &[u8]) -> Result<U256, SrpError> {
    let digest = Sha256::new()
        .chain_update(pad(srp_a))
        .chain_update(pad(srp_b))
        .finalize();
    check_scramble(&digest.into())
}

/// Refuses u = 0, which would make S independent of the password (RFC 5054 §2.6).
pub(crate) fn check_scramble(u: &[u8; 32]) -> Result<U256, SrpError> {
    let u = U256::from_be_slice(u);
    if u.is_zero_vartime() {
        Err(SrpError::IllegalScramble)
    } else {
        Ok(u)
    }
}

/// The 16-byte key: HKDF-SHA256(salt = pad(u), ikm = pad(S), info = "Caldera Derived Key").
pub(crate) fn derive_session_key(u: &U256, premaster: &U3072) -> SessionKey {
    let u_bytes = u.to_be_bytes();
    let s_bytes = Zeroizing::new(to_be_bytes(premaster));
    let ikm = Zeroizing::new(pad(s_bytes.as_slice()));
    let mut key = [0u8; 16];
    Hkdf::<Sha256>::new(Some(&pad(u_bytes.as_slice())), &ikm)
        .expand(KEY_INFO, &mut key)
        // Invariant: 16 bytes is far below HKDF-SHA256's 255·32-byte output limit.
        .expect("16 bytes is a valid HKDF-SHA256 output length");
    SessionKey::new(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_scramble_is_refused_and_others_pass() {
        assert_eq!(check_scramble(&[0; 32]), Err(SrpError::IllegalScramble));
        let mut one = [0; 32];
        one[31] = 1;
        assert_eq!(check_scramble(&one), Ok(U256::ONE));
    }

    #[test]
    fn user_and_device_hash_the_same_concatenation() {
        let user = Identity::User {
            pool_name: "ab",
            user_id_for_srp: "c",
        };
        let device = Identity::Device {
            device_group_key: "a",
            device_key: "bc",
        };
        assert_eq!(*password_hash(user, "pw"), *password_hash(device, "pw"));
        assert_ne!(*password_hash(user, "pw"), *password_hash(user, "pW"));
    }
}
