//! Verification codes: sign-up confirmation, forgot-password, attribute verification, and the
//! SMS / e-mail codes of an MFA challenge.
//!
//! Design: a code is 6 digits drawn from the OS RNG. Only a salted SHA-256 of it is stored
//! (16-byte random salt per code), so `state.json` never holds a usable code in plain text; the
//! comparison is constant-time. A code is single-use (kept, marked consumed, so a replay is told
//! apart from a typo), expires by the injected clock after its purpose's lifetime
//! ([`CodePurpose::lifetime`]: 24 hours for sign-up and attribute codes, 1 hour for
//! forgot-password codes, 3 minutes for MFA codes, which also die with their challenge
//! `Session`), and after five wrong attempts it is locked until a new code is sent.
//!
//! Security note: six digits are only a million possibilities, so the salted hash slows down an
//! attacker who has the state file but cannot stop one; the file is mode 0600 and codes live a
//! day at most. The plain code goes to the outbox, which is the emulator's stand-in for e-mail.

use std::time::Duration;

use rand::rngs::OsRng;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::error::{CognitoError, ErrorKind};
use crate::ids;
use crate::secrets::SecretString;

/// How long a sign-up or attribute-verification code stays valid.
pub const CODE_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How long a forgot-password code stays valid (Cognito: one hour).
pub const FORGOT_PASSWORD_CODE_LIFETIME: Duration = Duration::from_secs(3600);
/// How long an SMS / e-mail MFA code stays valid (the challenge Session's default lifetime).
pub const MFA_CODE_LIFETIME: Duration = Duration::from_secs(3 * 60);
/// Wrong attempts allowed before the code is locked.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;

/// What a code confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodePurpose {
    /// ConfirmSignUp.
    SignUp,
    /// ConfirmForgotPassword.
    ForgotPassword,
    /// VerifyUserAttribute.
    AttributeVerification,
    /// An SMS_MFA or EMAIL_OTP challenge.
    Mfa,
}

impl CodePurpose {
    /// How long a code of this purpose stays valid.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::SignUp | Self::AttributeVerification => CODE_LIFETIME,
            Self::ForgotPassword => FORGOT_PASSWORD_CODE_LIFETIME,
            Self::Mfa => MFA_CODE_LIFETIME,
        }
    }
}

/// A sent code, stored as a salted hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingCode {
    /// What the code is for.
    pub purpose: CodePurpose,
    /// Hex of the 16-byte salt.
    pub salt: String,
    /// Hex SHA-256(salt || code).
    pub digest: String,
    /// When the code was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// Wrong attempts so far.
    pub failed_attempts: u32,
    /// Set once the code has been used.
    #[serde(with = "time::serde::rfc3339::option")]
    pub consumed_at: Option<OffsetDateTime>,
}

fn digest(salt: &[u8], code: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(code.as_bytes());
    hasher.finalize().into()
}

impl PendingCode {
    /// Draws a new code; returns the record to store and the plain code to deliver.
    pub fn issue(purpose: CodePurpose, now: OffsetDateTime) -> (Self, SecretString) {
        let code = format!("{:06}", OsRng.gen_range(0..1_000_000u32));
        let salt = ids::random_bytes(16);
        let record = Self {
            purpose,
            salt: hex::encode(&salt),
            digest: hex::encode(digest(&salt, &code)),
            sent_at: now,
            failed_attempts: 0,
            consumed_at: None,
        };
        (record, SecretString::new(code))
    }

    /// Checks `code`: on success the code is consumed; on a wrong code the attempt is counted.
    /// The caller must persist `self` in both cases.
    pub fn redeem(&mut self, code: &str, now: OffsetDateTime) -> Result<(), CognitoError> {
        if self.consumed_at.is_some() || now >= self.sent_at + self.purpose.lifetime() {
            return Err(expired());
        }
        if self.failed_attempts >= MAX_FAILED_ATTEMPTS {
            return Err(CognitoError::new(
                ErrorKind::LimitExceeded,
                "Attempt limit exceeded, please try after some time.",
            ));
        }
        let (Ok(salt), Ok(expected)) = (hex::decode(&self.salt), hex::decode(&self.digest)) else {
            return Err(CognitoError::internal());
        };
        let matches: bool = digest(&salt, code).ct_eq(expected.as_slice()).into();
        if !matches {
            self.failed_attempts += 1;
            return Err(CognitoError::new(
                ErrorKind::CodeMismatch,
                "Invalid verification code provided, please try again.",
            ));
        }
        self.consumed_at = Some(now);
        Ok(())
    }
}

fn expired() -> CognitoError {
    CognitoError::new(
        ErrorKind::ExpiredCode,
        "Invalid code provided, please request a code again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid")
    }

    fn wrong_code(code: &SecretString) -> String {
        let n: u32 = code.expose().parse().expect("digits");
        format!("{:06}", (n + 1) % 1_000_000)
    }

    #[test]
    fn code_is_six_digits_and_not_stored_in_plain() {
        let (record, code) = PendingCode::issue(CodePurpose::SignUp, start());
        assert_eq!(code.expose().len(), 6);
        assert!(code.expose().bytes().all(|b| b.is_ascii_digit()));
        let stored = serde_json::to_string(&record).expect("serializes");
        assert!(!stored.contains(code.expose()));
    }

    #[test]
    fn right_code_works_once() {
        let (mut record, code) = PendingCode::issue(CodePurpose::SignUp, start());
        record.redeem(code.expose(), start()).expect("first use");
        let err = record
            .redeem(code.expose(), start())
            .expect_err("second use");
        assert_eq!(err.kind, ErrorKind::ExpiredCode);
    }

    #[test]
    fn wrong_code_is_a_mismatch_and_five_lock_it() {
        let (mut record, code) = PendingCode::issue(CodePurpose::SignUp, start());
        for _ in 0..MAX_FAILED_ATTEMPTS {
            let err = record
                .redeem(&wrong_code(&code), start())
                .expect_err("wrong");
            assert_eq!(err.kind, ErrorKind::CodeMismatch);
        }
        let err = record.redeem(code.expose(), start()).expect_err("locked");
        assert_eq!(err.kind, ErrorKind::LimitExceeded);
    }

    #[test]
    fn forgot_password_codes_expire_after_an_hour() {
        let (mut record, code) = PendingCode::issue(CodePurpose::ForgotPassword, start());
        let err = record
            .redeem(code.expose(), start() + FORGOT_PASSWORD_CODE_LIFETIME)
            .expect_err("expired");
        assert_eq!(err.kind, ErrorKind::ExpiredCode);
    }

    #[test]
    fn code_expires_after_a_day() {
        let (mut record, code) = PendingCode::issue(CodePurpose::SignUp, start());
        let later = start() + CODE_LIFETIME;
        let err = record.redeem(code.expose(), later).expect_err("expired");
        assert_eq!(err.kind, ErrorKind::ExpiredCode);
        let (mut fresh, code) = PendingCode::issue(CodePurpose::SignUp, start());
        fresh
            .redeem(code.expose(), later - Duration::from_secs(1))
            .expect("still valid a second before");
    }
}
