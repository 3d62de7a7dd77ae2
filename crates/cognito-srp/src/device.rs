//! Remembered devices: the verifier ConfirmDevice registers, and the device password.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::encoding::pad;
use crate::{Identity, Verifier};

/// Length of a generated device password before base64, as amazon-cognito-identity-js uses.
const DEVICE_PASSWORD_LEN: usize = 40;

/// ConfirmDevice's DeviceSecretVerifierConfig.
///
/// Both fields are base64 of Java-style `pad()` encodings. `Debug` hides the verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceVerifierConfig {
    /// PasswordVerifier = base64(pad(v)).
    pub password_verifier_b64: String,
    /// Salt = base64(pad(salt)); DEVICE_PASSWORD_VERIFIER later returns these bytes as SALT (hex).
    pub salt_b64: String,
}

impl std::fmt::Debug for DeviceVerifierConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceVerifierConfig")
            .field("password_verifier_b64", &format_args!("[redacted]"))
            .field("salt_b64", &self.salt_b64)
            .finish()
    }
}

/// The DeviceSecretVerifierConfig for a new device, with `salt` (16 random bytes, e.g. from
/// [`crate::generate_salt`]) read as an unsigned big-endian integer.
pub fn device_verifier_config(
    device_group_key: &str,
    device_key: &str,
    device_password: &str,
    salt: &[u8],
) -> DeviceVerifierConfig {
    let id = Identity::Device {
        device_group_key,
        device_key,
    };
    let verifier = Verifier::new(id, device_password, salt);
    let v = verifier.v_bytes();
    DeviceVerifierConfig {
        password_verifier_b64: BASE64.encode(Zeroizing::new(pad(v.as_slice()))),
        salt_b64: BASE64.encode(pad(salt)),
    }
}

/// A new device password: 40 random bytes, base64 — the device's long-term secret, to keep in
/// the keychain next to the device key.
pub fn generate_device_password<R: RngCore + CryptoRng>(rng: &mut R) -> String {
    let mut bytes = Zeroizing::new([0u8; DEVICE_PASSWORD_LEN]);
    rng.fill_bytes(bytes.as_mut_slice());
    BASE64.encode(bytes.as_slice())
}
