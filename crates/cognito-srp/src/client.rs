//! The client's side: a (secret), A = g^a, and the key and claim answering a challenge.

use crypto_bigint::{U256, U3072};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::encoding::decode_hex;
use crate::exponent::SecretExponent;
use crate::fixed_base::pow_g;
use crate::group::multiplier;
use crate::key::{derive_session_key, password_hash, private_key_x, scramble};
use crate::public_value::PublicValue;
use crate::{timestamp, Identity, SessionKey, SrpError};

/// Length of a freshly generated `a`: 48 bytes, 384 bits (see [`ClientEphemeral::generate`]).
const PRIVATE_LEN: usize = 48;

/// The client's ephemeral key pair for one sign-in: secret a, public A = g^a mod N.
///
/// Send [`srp_a_hex`](Self::srp_a_hex) as SRP_A in InitiateAuth (or RespondToAuthChallenge for
/// DEVICE_SRP_AUTH), then answer the challenge with [`password_claim`](Self::password_claim).
/// Not `Clone`: one ephemeral per sign-in. `a` is zeroized on drop and never printed.
pub struct ClientEphemeral {
    a: SecretExponent,
    srp_a: PublicValue,
}

/// What a PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER answer carries besides the names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordClaim {
    /// PASSWORD_CLAIM_SIGNATURE.
    pub signature_b64: String,
    /// TIMESTAMP, exactly as signed.
    pub timestamp: String,
}

impl ClientEphemeral {
    /// A fresh ephemeral: a = 48 random bytes (384 bits) from `rng`.
    ///
    /// The AWS SDKs draw 128 bytes; 48 are as safe and make a sign-in about twice as fast.
    ///
    /// - *Strength.* The best attacks on a short exponent (Pollard's lambda; van Oorschot–
    ///   Wiener's, which gains nothing here as N is a safe prime) cost about 2^(bits/2): 2^192,
    ///   above the 128-bit security strength NIST SP 800-57 gives a 3072-bit group. NIST SP
    ///   800-56A Rev. 3 asks for exponents of at least twice that strength, 256 bits; RFC 3526
    ///   §8 for at least 260 bits under its main estimate of the group's strength, 420 under
    ///   its more conservative one.
    /// - *S.* Its exponent, a + u·x, is still about 512 bits long: u and x are 256-bit
    ///   hashes, so u·x alone is that long.
    /// - *Interop.* A is still a full-size element of the group, indistinguishable from one
    ///   made with a longer a: Cognito, or any server, cannot tell and does not care.
    ///
    /// Timing depends on the public length, 48 bytes, never on the value of a.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut a = Zeroizing::new([0u8; PRIVATE_LEN]);
        loop {
            rng.fill_bytes(a.as_mut_slice());
            // Only a = 0 is refused (48 bytes are far below N - 1): probability 2^-384.
            if let Ok(ephemeral) = Self::from_private_bytes(a.as_slice()) {
                return ephemeral;
            }
        }
    }

    /// The ephemeral for a given big-endian `a` (test vectors, or a caller's own randomness).
    ///
    /// Any length is accepted (the published vectors use 128- and 1024-byte values, as the
    /// AWS SDKs draw 128 bytes); exponentiation time depends on that public length, not on the
    /// value. Refuses a ≡ 0 mod (N - 1) with [`SrpError::InvalidPrivateValue`].
    pub fn from_private_bytes(a: &[u8]) -> Result<Self, SrpError> {
        let a = SecretExponent::from_be_bytes(a).ok_or(SrpError::InvalidPrivateValue)?;
        // A = g^a mod N is never ≡ 0: N is prime and g = 2 is not a multiple of it.
        let srp_a = PublicValue::from_element(pow_g(a.value(), a.bits()));
        Ok(Self { a, srp_a })
    }

    /// SRP_A: lowercase hex, no leading zeros.
    pub fn srp_a_hex(&self) -> String {
        self.srp_a.to_hex()
    }

    /// The session key for a PASSWORD_VERIFIER (or DEVICE_PASSWORD_VERIFIER) challenge.
    ///
    /// `salt_hex` and `srp_b_hex` are the challenge's SALT and SRP_B. Refuses B ≡ 0 mod N
    /// ([`SrpError::IllegalPublicValue`]) and u = 0 ([`SrpError::IllegalScramble`]).
    pub fn session_key(
        &self,
        id: Identity<'_>,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
    ) -> Result<SessionKey, SrpError> {
        let (u, premaster) = self.scramble_and_premaster(id, password, salt_hex, srp_b_hex)?;
        Ok(derive_session_key(&u, &premaster))
    }

    /// Everything a PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER answer needs: the signature
    /// over `secret_block_b64` (the challenge's SECRET_BLOCK) and the timestamp of `now`.
    pub fn password_claim(
        &self,
        id: Identity<'_>,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
        secret_block_b64: &str,
        now: time::OffsetDateTime,
    ) -> Result<PasswordClaim, SrpError> {
        let key = self.session_key(id, password, salt_hex, srp_b_hex)?;
        let timestamp = timestamp::format(now);
        let signature_b64 = key.sign(id, secret_block_b64, &timestamp)?;
        Ok(PasswordClaim {
            signature_b64,
            timestamp,
        })
    }

    /// u, and S = (B - k·g^x)^(a + u·x) mod N.
    pub(crate) fn scramble_and_premaster(
        &self,
        id: Identity<'_>,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
    ) -> Result<(U256, Zeroizing<U3072>), SrpError> {
        let srp_b = PublicValue::from_hex(srp_b_hex)?;
        let salt = decode_hex(salt_hex)?;
        let u = scramble(self.srp_a.bytes(), srp_b.bytes())?;
        let x = private_key_x(&salt, &password_hash(id, password));
        let g_x = Zeroizing::new(pow_g(x.value(), x.bits()));
        // Subtraction in Z/NZ: the base is reduced into [0, N) before exponentiation (P6 of
        // the vectors has a B smaller than k·g^x).
        let base = Zeroizing::new(srp_b.element().sub(&multiplier().mul(&g_x)));
        let exponent = self.a.add_product(&u, &x);
        let premaster = Zeroizing::new(base.pow_bounded_exp(exponent.value(), exponent.bits()));
        Ok((u, Zeroizing::new(premaster.retrieve())))
    }
}

impl std::fmt::Debug for ClientEphemeral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientEphemeral")
            .field("a", &format_args!("[redacted]"))
            .field("srp_a", &format_args!("{:.16}…", self.srp_a.to_hex()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::generator;

    /// Hands out 0, 1, 2, … and counts the bytes drawn.
    #[derive(Default)]
    struct CountingRng {
        drawn: usize,
    }

    impl RngCore for CountingRng {
        fn next_u32(&mut self) -> u32 {
            rand_core::impls::next_u32_via_fill(self)
        }
        fn next_u64(&mut self) -> u64 {
            rand_core::impls::next_u64_via_fill(self)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for byte in dest {
                *byte = self.drawn as u8;
                self.drawn += 1;
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl CryptoRng for CountingRng {}

    #[test]
    fn generate_draws_a_48_byte_a_and_publishes_g_to_it() {
        let mut rng = CountingRng::default();
        let ephemeral = ClientEphemeral::generate(&mut rng);
        assert_eq!(rng.drawn, 48);
        let drawn: Vec<u8> = (0..48).collect();
        assert_eq!(ephemeral.a.to_be_bytes().as_slice(), drawn.as_slice());
        assert_eq!(ephemeral.a.bits(), 384);
        // A, computed by the comb, against crypto-bigint's own exponentiation.
        let expected = PublicValue::from_element(generator().pow_vartime(ephemeral.a.value()));
        assert_eq!(ephemeral.srp_a_hex(), expected.to_hex());
    }

    #[test]
    fn random_a_are_48_bytes_and_give_full_size_a() {
        let first = ClientEphemeral::generate(&mut rand_core::OsRng);
        let second = ClientEphemeral::generate(&mut rand_core::OsRng);
        for ephemeral in [&first, &second] {
            assert_eq!(ephemeral.a.bits(), 384);
            assert_eq!(ephemeral.a.to_be_bytes().len(), 48);
            // A is a full-size group element: under 741 hex digits with probability ~2^-110.
            assert!(ephemeral.srp_a_hex().len() > 740);
        }
        assert_ne!(first.a.value(), second.a.value());
        assert_ne!(first.srp_a_hex(), second.srp_a_hex());
    }

    #[test]
    fn private_values_of_any_length_keep_their_length_as_bound() {
        for len in [1, 32, 48, 128, 1024] {
            let a = vec![0x5a; len];
            let ephemeral = ClientEphemeral::from_private_bytes(&a).unwrap();
            assert_eq!(
                ephemeral.a.bits(),
                (8 * len as u32).min(3072),
                "{len} bytes"
            );
        }
    }
}
