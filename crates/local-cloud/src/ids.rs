//! Identifier and secret generation, in the shapes AWS uses.
//!
//! All randomness comes from the operating system (`OsRng`); nothing here is predictable from
//! earlier output.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut rng = OsRng;
    (0..len)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect()
}

/// `n` random bytes.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A user-pool id: `<region>_<9 alphanumerics>`.
pub fn user_pool_id(region: &str) -> String {
    format!("{region}_{}", random_string(ALNUM, 9))
}

/// A device group key: `-` and 9 alphanumerics (Cognito's shape).
pub fn device_group_key() -> String {
    format!("-{}", random_string(ALNUM, 9))
}

/// An app-client id: 26 lowercase alphanumerics.
pub fn client_id() -> String {
    random_string(LOWER_ALNUM, 26)
}

/// An app-client secret: 51 lowercase alphanumerics.
pub fn client_secret() -> String {
    random_string(LOWER_ALNUM, 51)
}

/// An access key id in the AWS shape (`AKIA` + 16 upper-case characters).
pub fn access_key_id() -> String {
    format!("AKIA{}", random_string(UPPER_ALNUM, 16))
}

/// A temporary access key id in the AWS shape (`ASIA` + 16 upper-case characters).
pub fn temporary_access_key_id() -> String {
    format!("ASIA{}", random_string(UPPER_ALNUM, 16))
}

/// A 40-character secret access key.
pub fn secret_access_key() -> String {
    random_string(KEY_CHARS, 40)
}

/// A JWKS key id: base64 of 32 random bytes, like Cognito's.
pub fn key_id() -> String {
    STANDARD.encode(random_bytes(32))
}

/// An opaque bearer value (refresh token, session) of `n` random bytes, base64url.
pub fn opaque_token(n: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_match_aws() {
        let pool = user_pool_id("us-east-1");
        let (region, suffix) = pool.split_once('_').expect("region prefix");
        assert_eq!(region, "us-east-1");
        assert_eq!(suffix.len(), 9);
        assert!(suffix.bytes().all(|b| b.is_ascii_alphanumeric()));

        let client = client_id();
        assert_eq!(client.len(), 26);
        assert!(client
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_eq!(client_secret().len(), 51);
        assert_eq!(access_key_id().len(), 20);
        assert_eq!(secret_access_key().len(), 40);
        assert_ne!(client_id(), client_id());
    }
}
