//! Pending sign-in challenges, held in memory only.
//!
//! Two kinds exist:
//!
//! * **SRP** (`PASSWORD_VERIFIER`): Cognito answers USER_SRP_AUTH with no `Session`; the client
//!   echoes the `SECRET_BLOCK` instead. Here the SECRET_BLOCK is 384 random bytes (base64) that
//!   name a server-side record by their SHA-256. The record holds the pool, client, user and the
//!   SRP session key derived from the server's ephemeral `b` and the client's `A` (derived at
//!   InitiateAuth, which is also where a bad `A` is refused; `b` itself is dropped then).
//! * **Session** (`NEW_PASSWORD_REQUIRED` and later MFA challenges): an opaque `Session` string
//!   of the same construction naming the pool, client, user and the challenge asked.
//!
//! Every record is single-use (taken out of the map on the first answer, right or wrong) and
//! expires after the client's `AuthSessionValidity` (3 minutes by default) by the injected clock.
//! Nothing here is persisted: a restart simply makes in-flight sign-ins start over, which is also
//! what keeps the ephemeral secrets off the disk.

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::{CognitoError, ErrorKind};
use crate::ids;

/// Bytes of randomness in a SECRET_BLOCK or Session.
const HANDLE_BYTES: usize = 384;
/// More pending challenges than this is a flood; refuse new ones until some expire.
const MAX_PENDING: usize = 100_000;

/// Who a pending SRP challenge is for.
pub enum SrpSubject {
    /// A real user (internal username).
    User(String),
    /// An unknown name answered with a decoy so the client cannot tell it does not exist.
    Decoy,
}

/// A `PASSWORD_VERIFIER` challenge waiting for its answer.
pub struct PendingSrp {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionChallenge {
    /// The user must replace an administrator-set temporary password.
    NewPasswordRequired,
}

impl SessionChallenge {
    /// The `ChallengeName`.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
        }
    }
}

/// A challenge answered through `Session`.
#[derive(Debug, Clone)]
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
}

/// All pending challenges.
#[derive(Default)]
pub struct Challenges {
    srp: HashMap<[u8; 32], PendingSrp>,
    sessions: HashMap<[u8; 32], PendingSession>,
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
        self.sessions.retain(|_, s| s.expires_at > now);
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

    /// Takes the session challenge named by `session` out (single use), if it exists and has not
    /// expired.
    pub fn take_session(&mut self, session: &str, now: OffsetDateTime) -> Option<PendingSession> {
        let key = handle_digest(session)?;
        self.sessions.remove(&key).filter(|s| s.expires_at > now)
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
        }
    }

    #[test]
    fn sessions_are_single_use_and_expire() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid");
        let mut challenges = Challenges::default();
        let handle = challenges
            .open_session(session(expiry(now, 3)), now)
            .expect("opens");
        assert!(challenges.take_session(&handle, now).is_some());
        assert!(
            challenges.take_session(&handle, now).is_none(),
            "single use"
        );

        let handle = challenges
            .open_session(session(expiry(now, 3)), now)
            .expect("opens");
        let later = now + Duration::from_secs(181);
        assert!(challenges.take_session(&handle, later).is_none(), "expired");
        assert!(challenges.take_session("not base64!", now).is_none());
    }
}
