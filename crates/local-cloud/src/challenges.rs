//! Pending sign-in challenges, held in memory only.
//!
//! Two kinds exist:
//!
//! * **SRP** (`PASSWORD_VERIFIER`): Cognito answers USER_SRP_AUTH with no `Session`; the client
//!   echoes the `SECRET_BLOCK` instead. Here the SECRET_BLOCK is 384 random bytes (base64) that
//!   name a server-side record by their SHA-256. The record holds the pool, client, user and the
//!   SRP session key derived from the server's ephemeral `b` and the client's `A` (derived at
//!   InitiateAuth, which is also where a bad `A` is refused; `b` itself is dropped then).
//! * **Session** (NEW_PASSWORD_REQUIRED, SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP,
//!   SELECT_MFA_TYPE, MFA_SETUP, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER): an opaque
//!   `Session` string of the same construction naming the pool, client, user and the challenge
//!   asked. Each answer that moves the sign-in on issues a new `Session`.
//!
//! Every record is single-use (taken out of the map on the first answer) and expires after the
//! client's `AuthSessionValidity` (3 minutes by default) by the injected clock. The one
//! exception to "right or wrong, it is gone": a wrong MFA code (CodeMismatchException) puts the
//! session back so the user can retype the code, as Cognito does, until [`MAX_CODE_ATTEMPTS`]
//! wrong codes; the last one ends the session and the sign-in starts over. Answered and expired
//! sessions are remembered for an hour so a replay or a late answer ("Invalid session for the
//! user, session is expired.") is told apart from a bogus one ("Invalid session for the user.").
//! Nothing here is persisted: a restart simply makes in-flight sign-ins start over, which is also
//! what keeps the ephemeral secrets off the disk.

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::codes::PendingCode;
use crate::error::{CognitoError, ErrorKind};
use crate::ids;
use crate::model::mfa::MfaFactor;

/// Bytes of randomness in a SECRET_BLOCK or Session.
const HANDLE_BYTES: usize = 384;
/// More pending challenges than this is a flood; refuse new ones until some expire.
const MAX_PENDING: usize = 100_000;
/// How long an expired or answered session is remembered, to name the refusal precisely.
const EXPIRED_MEMORY: Duration = Duration::from_secs(3600);
/// Wrong codes a challenge session accepts; the next wrong one ends it (see the module docs).
pub const MAX_CODE_ATTEMPTS: u32 = 3;

/// Who a pending SRP challenge is for.
pub enum SrpSubject {
    /// A real user (internal username).
    User(String),
    /// An unknown name answered with a decoy so the client cannot tell it does not exist.
    Decoy,
}

/// A `PASSWORD_VERIFIER` challenge waiting for its answer.
pub struct PendingSrp {
    /// The DEVICE_KEY sent with InitiateAuth, if any.
    pub device_key: Option<String>,
    /// The pool.
    pub pool_id: String,
    /// The app client that started it.
    pub client_id: String,
    /// The user, or a decoy.
    pub subject: SrpSubject,
    /// The USER_ID_FOR_SRP sent in the challenge.
    pub user_id_for_srp: String,
    /// The derived SRP session key.
    pub session_key: cognito_srp::SessionKey,
    /// When the challenge expires.
    pub expires_at: OffsetDateTime,
}

/// The challenge a `Session` stands for.
pub enum SessionChallenge {
    /// The user must replace an administrator-set temporary password.
    NewPasswordRequired,
    /// SMS_MFA, SOFTWARE_TOKEN_MFA or EMAIL_OTP; SMS and e-mail carry the code sent (hashed).
    Mfa {
        /// Which factor.
        factor: MfaFactor,
        /// The code sent by SMS or e-mail (none for TOTP).
        code: Option<PendingCode>,
    },
    /// SELECT_MFA_TYPE among these factors.
    SelectMfaType {
        /// What the user may choose.
        choices: Vec<MfaFactor>,
    },
    /// MFA_SETUP: the pool requires MFA and the user has none. `verified` once
    /// VerifySoftwareToken accepted a code through this session chain.
    MfaSetup {
        /// Whether the authenticator has been verified.
        verified: bool,
    },
    /// EMAIL_OTP after an MFA_SETUP answered with `EMAIL`: the code went to `email`, which
    /// becomes the user's verified address, with e-mail MFA on, once the code is given back.
    EmailMfaSetup {
        /// The address the user gave.
        email: String,
        /// The code sent there (hashed; boxed to keep sessions small).
        code: Box<PendingCode>,
    },
    /// DEVICE_SRP_AUTH: the client announced a remembered device.
    DeviceSrpAuth {
        /// The remembered device.
        device_key: String,
    },
    /// DEVICE_PASSWORD_VERIFIER: the device's SRP proof is expected.
    DevicePasswordVerifier {
        /// The device being proven.
        device_key: String,
        /// Its group key (the SRP "pool name").
        group_key: String,
        /// The SECRET_BLOCK sent with the challenge.
        secret_block: String,
        /// The SRP key derived from the device verifier and the client's SRP_A.
        session_key: cognito_srp::SessionKey,
    },
}

impl SessionChallenge {
    /// The `ChallengeName`.
    pub fn wire_name(&self) -> &'static str {
        match self {
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Self::Mfa { factor, .. } => factor.challenge_name(),
            Self::SelectMfaType { .. } => "SELECT_MFA_TYPE",
            Self::MfaSetup { .. } => "MFA_SETUP",
            Self::EmailMfaSetup { .. } => "EMAIL_OTP",
            Self::DeviceSrpAuth { .. } => "DEVICE_SRP_AUTH",
            Self::DevicePasswordVerifier { .. } => "DEVICE_PASSWORD_VERIFIER",
        }
    }
}

impl std::fmt::Debug for SessionChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.wire_name())
    }
}

/// A challenge answered through `Session`.
#[derive(Debug)]
pub struct PendingSession {
    /// The pool.
    pub pool_id: String,
    /// The app client that started it.
    pub client_id: String,
    /// The user's internal username.
    pub username: String,
    /// What is being asked.
    pub challenge: SessionChallenge,
    /// When the session expires.
    pub expires_at: OffsetDateTime,
    /// The DEVICE_KEY the client announced, carried to the end of the sign-in.
    pub device_key: Option<String>,
    /// Wrong codes answered so far with this session.
    pub failed_attempts: u32,
}

/// Why a `Session` was refused; each is `NotAuthorizedException`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionRefusal {
    /// Never issued, malformed, or issued for another user, client or challenge.
    Invalid,
    /// Issued, but its lifetime is over.
    Expired,
    /// Already answered.
    Used,
}

impl SessionRefusal {
    /// The error Cognito answers.
    pub fn error(self) -> CognitoError {
        CognitoError::not_authorized(match self {
            Self::Invalid => "Invalid session for the user.",
            // A replay is worded as an expired session, as the local cloud always has: the
            // session's one use is over either way.
            Self::Expired | Self::Used => "Invalid session for the user, session is expired.",
        })
    }
}

/// Names a taken session so it can be put back after a wrong code ([`Challenges::restore_session`]).
pub struct SessionSlot([u8; 32]);

/// All pending challenges.
#[derive(Default)]
pub struct Challenges {
    srp: HashMap<[u8; 32], PendingSrp>,
    sessions: HashMap<[u8; 32], PendingSession>,
    /// Sessions already answered, until they would have expired anyway (to tell a replay).
    spent: HashMap<[u8; 32], OffsetDateTime>,
}

impl std::fmt::Debug for Challenges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenges")
            .field("srp", &self.srp.len())
            .field("sessions", &self.sessions.len())
            .finish()
    }
}

fn new_handle() -> (String, [u8; 32]) {
    let bytes = ids::random_bytes(HANDLE_BYTES);
    (STANDARD.encode(&bytes), Sha256::digest(&bytes).into())
}

fn handle_digest(handle: &str) -> Option<[u8; 32]> {
    let bytes = STANDARD.decode(handle).ok()?;
    (bytes.len() == HANDLE_BYTES).then(|| Sha256::digest(&bytes).into())
}

fn too_many() -> CognitoError {
    CognitoError::new(ErrorKind::TooManyRequests, "Too many requests")
}

impl Challenges {
    fn prune(&mut self, now: OffsetDateTime) {
        self.srp.retain(|_, c| c.expires_at > now);
        // Expired sessions are remembered a while longer, to answer "session is expired".
        self.sessions
            .retain(|_, s| s.expires_at + EXPIRED_MEMORY > now);
        self.spent.retain(|_, until| *until > now);
    }

    /// Files an SRP challenge and returns its SECRET_BLOCK.
    pub fn open_srp(
        &mut self,
        pending: PendingSrp,
        now: OffsetDateTime,
    ) -> Result<String, CognitoError> {
        self.prune(now);
        if self.srp.len() >= MAX_PENDING {
            return Err(too_many());
        }
        let (secret_block, key) = new_handle();
        self.srp.insert(key, pending);
        Ok(secret_block)
    }

    /// Takes the SRP challenge named by `secret_block` out (single use), if it exists and has
    /// not expired.
    pub fn take_srp(&mut self, secret_block: &str, now: OffsetDateTime) -> Option<PendingSrp> {
        let key = handle_digest(secret_block)?;
        self.srp.remove(&key).filter(|c| c.expires_at > now)
    }

    /// Files a session challenge and returns its `Session`.
    pub fn open_session(
        &mut self,
        pending: PendingSession,
        now: OffsetDateTime,
    ) -> Result<String, CognitoError> {
        self.prune(now);
        if self.sessions.len() >= MAX_PENDING {
            return Err(too_many());
        }
        let (session, key) = new_handle();
        self.sessions.insert(key, pending);
        Ok(session)
    }

    /// Takes the session challenge named by `session` out (single use). A live session comes
    /// back with its slot; a bogus, expired or already answered one is refused.
    pub fn take_session(
        &mut self,
        session: &str,
        now: OffsetDateTime,
    ) -> Result<(PendingSession, SessionSlot), SessionRefusal> {
        let key = handle_digest(session).ok_or(SessionRefusal::Invalid)?;
        let Some(pending) = self.sessions.remove(&key) else {
            return Err(if self.spent.contains_key(&key) {
                SessionRefusal::Used
            } else {
                SessionRefusal::Invalid
            });
        };
        if pending.expires_at <= now {
            return Err(SessionRefusal::Expired);
        }
        self.spent.insert(key, pending.expires_at + EXPIRED_MEMORY);
        Ok((pending, SessionSlot(key)))
    }

    /// Puts a taken session back, unchanged but for what the caller updated (a wrong code
    /// leaves the session usable until its attempt limit).
    pub fn restore_session(&mut self, slot: SessionSlot, pending: PendingSession) {
        self.spent.remove(&slot.0);
        self.sessions.insert(slot.0, pending);
    }
}

/// The expiry of a challenge opened `now` for a client with `validity_minutes`.
pub fn expiry(now: OffsetDateTime, validity_minutes: u32) -> OffsetDateTime {
    now + Duration::from_secs(u64::from(validity_minutes) * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(expires_at: OffsetDateTime) -> PendingSession {
        PendingSession {
            pool_id: "p".into(),
            client_id: "c".into(),
            username: "u".into(),
            challenge: SessionChallenge::NewPasswordRequired,
            expires_at,
            device_key: None,
            failed_attempts: 0,
        }
    }

    #[test]
    fn debug_names_the_challenge_but_never_its_secrets() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid");
        let (code, plain) = PendingCode::issue(crate::codes::CodePurpose::Mfa, now);
        let mut pending = session(now);
        pending.challenge = SessionChallenge::Mfa {
            factor: MfaFactor::Sms,
            code: Some(code.clone()),
        };
        let shown = format!("{pending:?}");
        assert!(shown.contains("SMS_MFA"), "{shown}");
        assert!(!shown.contains(plain.expose()));
        assert!(!shown.contains(&code.digest) && !shown.contains(&code.salt));
    }

    #[test]
    fn sessions_are_single_use_and_expire() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid");
        let mut challenges = Challenges::default();
        let handle = challenges
            .open_session(session(expiry(now, 3)), now)
            .expect("opens");
        let (pending, slot) = challenges.take_session(&handle, now).expect("live");
        assert_eq!(
            challenges.take_session(&handle, now).err(),
            Some(SessionRefusal::Used),
            "single use"
        );
        challenges.restore_session(slot, pending);
        assert!(
            challenges.take_session(&handle, now).is_ok(),
            "restored after a wrong code"
        );

        let handle = challenges
            .open_session(session(expiry(now, 3)), now)
            .expect("opens");
        let later = now + Duration::from_secs(181);
        assert_eq!(
            challenges.take_session(&handle, later).err(),
            Some(SessionRefusal::Expired)
        );
        assert_eq!(
            challenges.take_session("not base64!", now).err(),
            Some(SessionRefusal::Invalid)
        );
        let bogus = STANDARD.encode(ids::random_bytes(HANDLE_BYTES));
        assert_eq!(
            challenges.take_session(&bogus, now).err(),
            Some(SessionRefusal::Invalid)
        );
    }
}
