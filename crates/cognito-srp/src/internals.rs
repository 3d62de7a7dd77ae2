//! **Not part of the API.** Intermediate values of the protocol, exposed only so that
//! `tests/vectors.rs` can check each of them against published test vectors. No semver
//! promise; do not use outside tests.

use crypto_bigint::{U256, U3072};

use crate::encoding::{decode_hex, integer_hex, pad};
use crate::group::{multiplier_integer, to_be_bytes, N_BYTES};
use crate::key::{check_scramble, derive_session_key, password_hash, private_key_x, scramble};
use crate::{ClientEphemeral, Identity, ServerEphemeral, SessionKey, SrpError, Verifier};

/// N, as integer hex.
pub fn modulus_hex() -> String {
    integer_hex(&to_be_bytes(&crate::group::N))
}

/// g.
pub fn generator() -> u64 {
    crate::group::G
}

/// k, as integer hex.
pub fn multiplier_hex() -> String {
    integer_hex(&multiplier_integer().to_be_bytes())
}

/// pad() of the integer written in hex, as hex.
pub fn pad_hex(hex: &str) -> Result<String, SrpError> {
    Ok(hex::encode(pad(&decode_hex(hex)?)))
}

/// SHA256(prefix₁ || prefix₂ || ":" || password).
pub fn password_hash_bytes(id: Identity<'_>, password: &str) -> [u8; 32] {
    *password_hash(id, password)
}

/// x, as integer hex.
pub fn private_key_x_hex(
    id: Identity<'_>,
    password: &str,
    salt_hex: &str,
) -> Result<String, SrpError> {
    let x = private_key_x(&decode_hex(salt_hex)?, &password_hash(id, password));
    Ok(integer_hex(&to_be_bytes(x.value())))
}

/// u = H(pad(A) || pad(B)), as integer hex.
pub fn scramble_hex(srp_a_hex: &str, srp_b_hex: &str) -> Result<String, SrpError> {
    let u = scramble(&decode_hex(srp_a_hex)?, &decode_hex(srp_b_hex)?)?;
    Ok(integer_hex(&u.to_be_bytes()))
}

/// The u = 0 check on its own (u = 0 cannot be produced on purpose: it is a SHA-256 output).
pub fn check_scramble_bytes(u: &[u8; 32]) -> Result<(), SrpError> {
    check_scramble(u).map(|_| ())
}

/// The client's (u, S), as integer hex.
pub fn client_scramble_and_premaster_hex(
    ephemeral: &ClientEphemeral,
    id: Identity<'_>,
    password: &str,
    salt_hex: &str,
    srp_b_hex: &str,
) -> Result<(String, String), SrpError> {
    let (u, s) = ephemeral.scramble_and_premaster(id, password, salt_hex, srp_b_hex)?;
    Ok((hex_of_u(&u), hex_of_s(&s)))
}

/// The server's (u, S), as integer hex.
pub fn server_scramble_and_premaster_hex(
    ephemeral: &ServerEphemeral,
    verifier: &Verifier,
    srp_a_hex: &str,
) -> Result<(String, String), SrpError> {
    let (u, s) = ephemeral.scramble_and_premaster(verifier, srp_a_hex)?;
    Ok((hex_of_u(&u), hex_of_s(&s)))
}

/// The HKDF step alone, from u and S in hex.
pub fn session_key_from_hex(u_hex: &str, premaster_hex: &str) -> Result<SessionKey, SrpError> {
    let u = decode_hex(u_hex)?;
    let s = decode_hex(premaster_hex)?;
    let u = crate::encoding::strip_leading_zeros(&u);
    let s = crate::encoding::strip_leading_zeros(&s);
    if u.len() > 32 || s.len() > N_BYTES {
        return Err(SrpError::InvalidHex);
    }
    let mut u_padded = [0u8; 32];
    u_padded[32 - u.len()..].copy_from_slice(u);
    Ok(derive_session_key(
        &U256::from_be_slice(&u_padded),
        &crate::group::from_be_bytes(s),
    ))
}

/// v, as integer hex.
pub fn verifier_hex(verifier: &Verifier) -> String {
    integer_hex(verifier.v_bytes().as_slice())
}

fn hex_of_u(u: &U256) -> String {
    integer_hex(&u.to_be_bytes())
}

fn hex_of_s(s: &U3072) -> String {
    integer_hex(&to_be_bytes(s))
}
