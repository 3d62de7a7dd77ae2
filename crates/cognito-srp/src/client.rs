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

/// Length of a freshly generated `a`, as amazon-cognito-identity-js and pycognito use.
const PRIVATE_LEN: usize = 128;

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
    /// A fresh ephemeral: a = 128 random bytes from `rng`.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut a = Zeroizing::new([0u8; PRIVATE_LEN]);
        loop {
            rng.fill_bytes(a.as_mut_slice());
            // Only a ≡ 0 mod (N - 1) is refused: probability 2^-1024 per draw.
            if let Ok(ephemeral) = Self::from_private_bytes(a.as_slice()) {
                return ephemeral;
            }
        }
    }

    /// The ephemeral for a given big-endian `a` (test vectors, or a caller's own randomness).
    ///
    /// Any length is accepted; exponentiation time depends on that length, not on the value.
    /// Refuses a ≡ 0 mod (N - 1) with [`SrpError::InvalidPrivateValue`].
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
