//! SECRET_HASH, for app clients that have a client secret.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// SECRET_HASH = base64(HMAC-SHA256(key = client_secret, username || client_id)).
///
/// InitiateAuth hashes the USERNAME as the user typed it; RespondToAuthChallenge hashes the
/// challenge's USER_ID_FOR_SRP.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    // Invariant: HMAC accepts keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}
