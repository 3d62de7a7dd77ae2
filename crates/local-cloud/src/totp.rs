//! RFC 6238 time-based one-time passwords, as Cognito's SOFTWARE_TOKEN_MFA checks them:
//! HMAC-SHA-1, 30-second steps, 6 digits, one step of tolerance either side.
//!
//! Design: the arithmetic is `totp-rs`'s; this module adds what a server must do around it —
//! random 160-bit secrets (RFC 4226 §4's recommended size) in a redacted newtype, time from the
//! injected clock rather than the system, and replay protection: [`check`] returns the time
//! step a code matched, and the caller refuses any step at or before the last one accepted for
//! that user (RFC 6238 §5.2), so a code works once even inside its 90-second window.

use std::fmt;

use time::OffsetDateTime;
use totp_rs::{Algorithm, Secret, Totp};
use zeroize::Zeroizing;

use crate::ids;

/// Bytes of a generated secret: 160 bits.
pub const SECRET_BYTES: usize = 20;
/// Seconds per time step.
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of the current one.
pub const SKEW_STEPS: u16 = 1;
/// Digits of a code.
pub const DIGITS: u8 = 6;

/// A TOTP shared secret in its base32 form (what `SecretCode` carries and apps scan).
#[derive(Clone)]
pub struct TotpSecret(Zeroizing<String>);

impl TotpSecret {
    /// A fresh random 160-bit secret from the OS RNG.
    pub fn generate() -> Self {
        let bytes = Zeroizing::new(ids::random_bytes(SECRET_BYTES));
        Self(Zeroizing::new(Secret::from(bytes.to_vec()).to_base32()))
    }

    /// Wraps a stored base32 secret.
    pub fn from_base32(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The base32 text. Callers must not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn totp(&self) -> Option<Totp> {
        let secret = Secret::try_from_base32(self.0.as_str()).ok()?;
        totp_rs::Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_skew(SKEW_STEPS)
            .with_step_duration(STEP_SECONDS)
            .with_secret(secret)
            .build()
            .ok()
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

fn unix_seconds(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp()).unwrap_or(0)
}

/// The step `code` matches at `now` (±[`SKEW_STEPS`]), if any. Anything that is not six digits
/// matches nothing; the comparison is constant-time (`totp-rs` compares tokens that way).
pub fn check(secret: &TotpSecret, code: &str, now: OffsetDateTime) -> Option<u64> {
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    secret.totp()?.check(code, unix_seconds(now))
}

/// The code for `now` (what an authenticator app shows; used by tests and the demo tooling).
pub fn code_at(secret: &TotpSecret, now: OffsetDateTime) -> Option<String> {
    Some(secret.totp()?.generate(unix_seconds(now)).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows (the 8-digit values, truncated to our 6 digits).
    #[test]
    fn rfc_6238_vectors() {
        let secret =
            TotpSecret::from_base32(Secret::from(b"12345678901234567890".to_vec()).to_base32());
        for (t, eight_digits) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let at = OffsetDateTime::from_unix_timestamp(t).expect("valid");
            assert_eq!(code_at(&secret, at).expect("code"), eight_digits[2..]);
        }
    }

    #[test]
    fn one_step_of_skew_each_way_and_no_more() {
        let secret = TotpSecret::generate();
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_010).expect("valid");
        let step = 1_700_000_010 / STEP_SECONDS;
        let at = |steps: i64| now + time::Duration::seconds(steps * 30);
        for offset in [-1i64, 0, 1] {
            let code = code_at(&secret, at(offset)).expect("code");
            let matched = check(&secret, &code, now).expect("accepted");
            assert_eq!(
                i64::try_from(matched).expect("fits") - i64::try_from(step).expect("fits"),
                offset
            );
        }
        for offset in [-2i64, 2] {
            let code = code_at(&secret, at(offset)).expect("code");
            assert_ne!(
                code,
                code_at(&secret, now).expect("code"),
                "distinct codes (rerun if equal)"
            );
            assert!(
                check(&secret, &code, now).is_none(),
                "{offset} steps away is refused"
            );
        }
        assert!(check(&secret, "12345", now).is_none());
        assert!(check(&secret, "abcdef", now).is_none());
    }

    #[test]
    fn secrets_are_160_bits_base32_and_redacted() {
        let secret = TotpSecret::generate();
        assert_eq!(secret.expose().len(), 32);
        assert!(secret
            .expose()
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_ne!(secret.expose(), TotpSecret::generate().expose());
    }
}
