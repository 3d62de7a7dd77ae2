//! Amazon Cognito's variant of SRP-6a, for both roles: the client of USER_SRP_AUTH /
//! DEVICE_SRP_AUTH, and a server that issues PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER
//! challenges (the local cloud).
//!
//! # The protocol, as Cognito runs it
//!
//! Group: the RFC 3526 3072-bit prime N, g = 2, k = SHA256(pad(N) || pad(g)), where `pad` is
//! Java's `BigInteger.toByteArray()` (minimal two's complement, so a leading 0x00 when the top
//! bit is set).
//!
//! 1. The client picks a and sends SRP_A = hex(g^a mod N) ([`ClientEphemeral`]). The AWS
//!    SDKs draw 128 random bytes for a; we draw 48 (384 bits): the group's own ~128-bit
//!    strength stays the limit, a sign-in takes half the time, and the server cannot tell
//!    (see [`ClientEphemeral::generate`]).
//! 2. The server answers with SALT, SRP_B = hex(k·v + g^b mod N), SECRET_BLOCK and
//!    USER_ID_FOR_SRP ([`Verifier`], [`ServerEphemeral`]).
//! 3. Both compute u = SHA256(pad(A) || pad(B)) and x = SHA256(pad(salt) ||
//!    SHA256(pool_name || user_id || ":" || password)); the client S = (B - k·g^x)^(a + u·x),
//!    the server S = (A·v^u)^b, both mod N; then the 16-byte key
//!    HKDF-SHA256(salt = pad(u), ikm = pad(S), info = "Caldera Derived Key") ([`SessionKey`]).
//! 4. The client proves it holds the key with PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key,
//!    pool_name || user_id || SECRET_BLOCK || TIMESTAMP)) ([`PasswordClaim`], [`timestamp`]).
//!
//! Devices run the same exchange with `device_group_key || device_key` in place of
//! `pool_name || user_id` ([`Identity`], [`device_verifier_config`]).
//!
//! # Example: a whole exchange in memory
//!
//! ```
//! use cognito_srp::{generate_salt, pool_name, ClientEphemeral, Identity, ServerEphemeral, Verifier};
//! use rand_core::OsRng;
//!
//! let id = Identity::User { pool_name: pool_name("us-east-1_Xy7Kq2LmN")?, user_id_for_srp: "alice" };
//!
//! // Sign-up, server side: store a verifier, never the password.
//! let verifier = Verifier::new(id, "Passw0rd!", &generate_salt(&mut OsRng));
//!
//! // InitiateAuth: the client sends SRP_A; the server answers with SALT and SRP_B.
//! let client = ClientEphemeral::generate(&mut OsRng);
//! let server = ServerEphemeral::generate(&verifier, &mut OsRng);
//! let (salt_hex, srp_b_hex) = (verifier.salt_hex(), server.srp_b_hex());
//!
//! // RespondToAuthChallenge: the client signs the server's SECRET_BLOCK…
//! let secret_block = "c2VjcmV0IGJsb2Nr";
//! let now = time::OffsetDateTime::now_utc();
//! let claim = client.password_claim(id, "Passw0rd!", &salt_hex, &srp_b_hex, secret_block, now)?;
//!
//! // …and the server checks the signature with its own key.
//! let key = server.session_key(&verifier, &client.srp_a_hex())?;
//! key.verify(id, secret_block, &claim.timestamp, &claim.signature_b64)?;
//! # Ok::<(), cognito_srp::SrpError>(())
//! ```
//!
//! # Design
//!
//! Pure: no IO, no async, no clock (the caller passes `now`), no hidden randomness (every
//! random value comes from an `RngCore + CryptoRng` argument). Parsing, math and encodings are
//! checked against every published test vector we know of, plus vectors cross-checked with
//! pycognito and amazon-cognito-identity-js (`tests/vectors.rs`).
//!
//! # Security notes
//!
//! - **Constant time.** Secret exponents (a, b, x, a + u·x) go through `crypto-bigint`'s
//!   constant-time Montgomery exponentiation or, for powers of g, a constant-time comb or
//!   doubling ladder (`fixed_base.rs`), bounded by a *public* bit length (the byte length of
//!   a or b, 256 for x) rather than the secret's own. Exponents are reduced mod N - 1 (g and
//!   every base coprime to N have an order dividing it). The password verifier and the claim signature
//!   are compared in constant time. Public values (A, B, u, salts) use variable-time code.
//!   One leak is the protocol's own: pad(S) drops S's leading zero bytes, so the HKDF input
//!   is shorter for the 1 in 256 values of S that start with a zero byte.
//! - **Checks.** A ≡ 0 and B ≡ 0 (mod N) are refused ([`SrpError::IllegalPublicValue`]), as is
//!   u = 0 ([`SrpError::IllegalScramble`]). B is reduced mod N before use, as every SDK does.
//! - **Secrets.** a, b, x, S, the key and password hashes are zeroized when dropped and never
//!   printed: `Debug` redacts them, errors carry no values. Copies the CPU makes in registers
//!   or that the big-integer library makes on the stack cannot all be reached.
//! - **Not checked here.** Whether a TIMESTAMP is recent, and how many attempts a user gets,
//!   are the server's policy; [`timestamp::parse`] gives it the instant.
//!
//! # Performance
//!
//! On a 2-core AMD EPYC (Zen 5) VM, one client sign-in (A, then u, x, S, the key and the
//! signature) costs about 2.5 ms, and the first one in a process — what a one-shot `coffer`
//! command pays — about 2.6 ms; pycognito takes about 40 ms (`benches/client_srp.rs`,
//! `benches/pycognito_srp.py`).
//!
//! - Most of it is S's variable-base exponentiation: ≈513 squarings of 3072-bit numbers, as
//!   a + u·x is 513 bits long. With the SDKs' 128-byte a it would be ≈1025.
//! - g^a and g^x go through combs (`fixed_base.rs`), ~210 operations instead of ~640, whose
//!   tables the compiler computes: nothing is precomputed at run time (when the tables were
//!   built on first use, the first sign-in cost 8–12 ms). The price is about 2 s more CPU
//!   time whenever this crate is compiled; `fixed_base.rs` compares the alternatives.
//! - An a longer than 48 bytes (the vectors', or a caller's own) gets no table: g^a then
//!   takes one squaring and one doubling per bit, and a sign-in with a 128-byte a costs
//!   about 6.7 ms, first or not.
//!
//! Internal helpers for the vector tests live in a `#[doc(hidden)]` module, `__internals`;
//! it is not part of the API.

mod client;
mod device;
mod encoding;
mod error;
mod exponent;
mod fixed_base;
mod group;
mod identity;
mod key;
mod public_value;
mod secret_hash;
mod server;
mod session_key;
pub mod timestamp;

#[doc(hidden)]
pub mod __internals {
    pub use crate::internals::*;
}
mod internals;

#[cfg(test)]
mod protocol_tests;

pub use client::{ClientEphemeral, PasswordClaim};
pub use device::{device_verifier_config, generate_device_password, DeviceVerifierConfig};
pub use error::SrpError;
pub use identity::{pool_name, Identity};
pub use secret_hash::secret_hash;
pub use server::{generate_salt, ServerEphemeral, Verifier};
pub use session_key::SessionKey;
