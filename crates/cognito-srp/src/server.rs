//! The server's side: the stored verifier, b (secret), B = k·v + g^b, and the key from A.

use crypto_bigint::{U256, U3072};
use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::encoding::strip_leading_zeros;
use crate::exponent::SecretExponent;
use crate::fixed_base::pow_g;
use crate::group::{from_be_bytes, multiplier, to_be_bytes, Element, N, N_BYTES};
use crate::key::{derive_session_key, password_hash, private_key_x, scramble};
use crate::public_value::PublicValue;
use crate::{Identity, SessionKey, SrpError};

/// Length of a generated salt (Cognito's SALT is 16 bytes).
const SALT_LEN: usize = 16;
/// Length of a generated `b`: 256 bits, as Cognito itself (and RFC 5054's advice) use.
const SERVER_PRIVATE_LEN: usize = 32;
/// First byte of [`Verifier::to_bytes`] and [`ServerEphemeral::to_bytes`].
const ENCODING_VERSION: u8 = 1;

/// A fresh random salt for a new password verifier.
pub fn generate_salt<R: RngCore + CryptoRng>(rng: &mut R) -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    salt
}

/// What a server stores instead of a password: the salt and v = g^x mod N.
///
/// v is password-equivalent for an offline guessing attack, so it is zeroized on drop and
/// `Debug` prints only the salt.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Verifier {
    /// The salt bytes exactly as stored and sent (hex) in SALT; x hashes pad(salt).
    salt: Vec<u8>,
    /// v, in [1, N).
    v: U3072,
}

impl Verifier {
    /// The verifier of `password` for `id`, with `salt` read as an unsigned big-endian integer
    /// (x hashes pad(salt), so leading zero bytes do not change v).
    pub fn new(id: Identity<'_>, password: &str, salt: &[u8]) -> Self {
        Self {
            salt: salt.to_vec(),
            v: verifier_value(id, password, salt),
        }
    }

    /// A verifier from its parts: `salt` as stored, `verifier` = v as big-endian bytes (any
    /// number of leading zeros). Refuses v outside [1, N) with [`SrpError::InvalidVerifier`].
    pub fn from_parts(salt: &[u8], verifier: &[u8]) -> Result<Self, SrpError> {
        let minimal = strip_leading_zeros(verifier);
        if minimal.is_empty() || minimal.len() > N_BYTES {
            return Err(SrpError::InvalidVerifier);
        }
        let v = from_be_bytes(minimal);
        if v >= N {
            return Err(SrpError::InvalidVerifier);
        }
        Ok(Self {
            salt: salt.to_vec(),
            v,
        })
    }

    /// The verifier a ConfirmDevice call registered: its DeviceSecretVerifierConfig's
    /// PasswordVerifier (base64(pad(v))) and Salt (base64(pad(salt))).
    pub fn from_device_config(
        password_verifier_b64: &str,
        salt_b64: &str,
    ) -> Result<Self, SrpError> {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD;
        let verifier = Zeroizing::new(
            engine
                .decode(password_verifier_b64)
                .map_err(|_| SrpError::InvalidBase64)?,
        );
        let salt = engine
            .decode(salt_b64)
            .map_err(|_| SrpError::InvalidBase64)?;
        Self::from_parts(&salt, &verifier)
    }

    /// The SALT challenge parameter: lowercase hex of the salt bytes as stored (leading zero
    /// bytes included).
    pub fn salt_hex(&self) -> String {
        hex::encode(&self.salt)
    }

    /// The salt bytes as stored.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// Stable storage encoding: `0x01 || salt length (u32, big endian) || salt || v (384 bytes,
    /// big endian)`. Contains v: store it as you would a password hash.
    pub fn to_bytes(&self) -> Vec<u8> {
        let salt_len = u32::try_from(self.salt.len())
            // Invariant: salts come from a caller's byte slice; none is 4 GiB long.
            .expect("salt shorter than 4 GiB");
        let mut out = Vec::with_capacity(1 + 4 + self.salt.len() + N_BYTES);
        out.push(ENCODING_VERSION);
        out.extend_from_slice(&salt_len.to_be_bytes());
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&to_be_bytes(&self.v));
        out
    }

    /// Reads [`to_bytes`](Self::to_bytes)'s encoding back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SrpError> {
        let (&version, rest) = bytes.split_first().ok_or(SrpError::InvalidVerifier)?;
        if version != ENCODING_VERSION || rest.len() < 4 {
            return Err(SrpError::InvalidVerifier);
        }
        let (salt_len, rest) = rest.split_at(4);
        let salt_len = u32::from_be_bytes([salt_len[0], salt_len[1], salt_len[2], salt_len[3]]);
        let salt_len = usize::try_from(salt_len).map_err(|_| SrpError::InvalidVerifier)?;
        if rest.len()
            != salt_len
                .checked_add(N_BYTES)
                .ok_or(SrpError::InvalidVerifier)?
        {
            return Err(SrpError::InvalidVerifier);
        }
        let (salt, v) = rest.split_at(salt_len);
        Self::from_parts(salt, v)
    }

    /// For USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH: does `password` produce this
    /// verifier? The comparison is constant time.
    pub fn matches_password(&self, id: Identity<'_>, password: &str) -> bool {
        let candidate = Zeroizing::new(to_be_bytes(&verifier_value(id, password, &self.salt)));
        let stored = Zeroizing::new(to_be_bytes(&self.v));
        candidate.ct_eq(&*stored).into()
    }

    /// v as 384 big-endian bytes.
    pub(crate) fn v_bytes(&self) -> Zeroizing<[u8; N_BYTES]> {
        Zeroizing::new(to_be_bytes(&self.v))
    }

    fn element(&self) -> Element {
        Element::new(&self.v)
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("salt", &self.salt_hex())
            .field("v", &format_args!("[redacted]"))
            .finish()
    }
}

/// v = g^x mod N, x = SHA256(pad(salt) || SHA256(prefix₁ || prefix₂ || ":" || password)).
fn verifier_value(id: Identity<'_>, password: &str, salt: &[u8]) -> U3072 {
    let x = private_key_x(salt, &password_hash(id, password));
    pow_g(x.value(), x.bits()).retrieve()
}

/// The server's ephemeral key pair for one sign-in: secret b, public B = k·v + g^b mod N.
///
/// Keep it (or its [`to_bytes`](Self::to_bytes)) between InitiateAuth, which sends
/// [`srp_b_hex`](Self::srp_b_hex) as SRP_B, and RespondToAuthChallenge, which brings the
/// client's claim to check with [`session_key`](Self::session_key).
pub struct ServerEphemeral {
    b: SecretExponent,
    srp_b: PublicValue,
}

impl ServerEphemeral {
    /// A fresh ephemeral for `verifier`: b = 32 random bytes from `rng`.
    pub fn generate<R: RngCore + CryptoRng>(verifier: &Verifier, rng: &mut R) -> Self {
        let mut b = Zeroizing::new([0u8; SERVER_PRIVATE_LEN]);
        loop {
            rng.fill_bytes(b.as_mut_slice());
            // Refused only if b ≡ 0 mod (N - 1) or B ≡ 0 mod N: negligible odds per draw.
            if let Ok(ephemeral) = Self::from_private_bytes(verifier, b.as_slice()) {
                return ephemeral;
            }
        }
    }

    /// The ephemeral for a given big-endian `b`. Refuses b ≡ 0 mod (N - 1) and a b that makes
    /// B ≡ 0 mod N with [`SrpError::InvalidPrivateValue`].
    pub fn from_private_bytes(verifier: &Verifier, b: &[u8]) -> Result<Self, SrpError> {
        let b = SecretExponent::from_be_bytes(b).ok_or(SrpError::InvalidPrivateValue)?;
        let srp_b = multiplier()
            .mul(&verifier.element())
            .add(&pow_g(b.value(), b.bits()));
        let srp_b = PublicValue::from_element(srp_b);
        if srp_b.is_zero() {
            return Err(SrpError::InvalidPrivateValue);
        }
        Ok(Self { b, srp_b })
    }

    /// SRP_B: lowercase hex, no leading zeros.
    pub fn srp_b_hex(&self) -> String {
        self.srp_b.to_hex()
    }

    /// The session key from the client's SRP_A; check the client's PASSWORD_CLAIM_SIGNATURE
    /// with [`SessionKey::verify`]. `verifier` must be the one this ephemeral was made for.
    ///
    /// Refuses A ≡ 0 mod N ([`SrpError::IllegalPublicValue`]) and u = 0
    /// ([`SrpError::IllegalScramble`]).
    pub fn session_key(
        &self,
        verifier: &Verifier,
        srp_a_hex: &str,
    ) -> Result<SessionKey, SrpError> {
        let (u, premaster) = self.scramble_and_premaster(verifier, srp_a_hex)?;
        Ok(derive_session_key(&u, &premaster))
    }

    /// Stable storage encoding: `0x01 || b` (big endian, its original length up to 384
    /// bytes). Contains the secret b: keep it only as long as the challenge lives.
    pub fn to_bytes(&self) -> Vec<u8> {
        let b = self.b.to_be_bytes();
        let mut out = Vec::with_capacity(1 + b.len());
        out.push(ENCODING_VERSION);
        out.extend_from_slice(&b);
        out
    }

    /// Reads [`to_bytes`](Self::to_bytes)'s encoding back, recomputing B from `verifier`.
    pub fn from_bytes(verifier: &Verifier, bytes: &[u8]) -> Result<Self, SrpError> {
        match bytes.split_first() {
            Some((&ENCODING_VERSION, b)) => Self::from_private_bytes(verifier, b),
            _ => Err(SrpError::InvalidPrivateValue),
        }
    }

    /// u, and S = (A · v^u)^b mod N.
    pub(crate) fn scramble_and_premaster(
        &self,
        verifier: &Verifier,
        srp_a_hex: &str,
    ) -> Result<(U256, Zeroizing<U3072>), SrpError> {
        let srp_a = PublicValue::from_hex(srp_a_hex)?;
        let u = scramble(srp_a.bytes(), self.srp_b.bytes())?;
        // u is public (a hash of public values); only b needs to stay hidden.
        let v_u = Zeroizing::new(verifier.element().pow_bounded_exp(&u, U256::BITS));
        let base = Zeroizing::new(srp_a.element().mul(&v_u));
        let premaster = Zeroizing::new(base.pow_bounded_exp(self.b.value(), self.b.bits()));
        Ok((u, Zeroizing::new(premaster.retrieve())))
    }
}

impl std::fmt::Debug for ServerEphemeral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerEphemeral")
            .field("b", &format_args!("[redacted]"))
            .field("srp_b", &format_args!("{:.16}…", self.srp_b.to_hex()))
            .finish()
    }
}
