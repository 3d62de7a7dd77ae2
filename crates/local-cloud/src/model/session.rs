//! A sign-in session: one refresh token and every access/ID token minted from it.
//!
//! Cognito ties each access and ID token to the refresh token issued at the same sign-in through
//! the `origin_jti` claim. Revoking the refresh token (RevokeToken) or all of a user's sessions
//! (GlobalSignOut) marks the session revoked, and every token carrying its `origin_jti` stops
//! working at once; no timestamp comparison is involved, so a token minted in the same second
//! as a sign-out is still refused.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// One sign-in session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthSession {
    /// The `origin_jti` claim of every token of this session.
    pub origin_jti: String,
    /// The app client that signed in.
    pub client_id: String,
    /// The user's internal username.
    pub username: String,
    /// Hex SHA-256 of the refresh token; the token itself is never stored.
    pub refresh_token_sha256: String,
    /// When the user authenticated (`auth_time`).
    #[serde(with = "time::serde::rfc3339")]
    pub auth_time: OffsetDateTime,
    /// When the refresh token stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub refresh_expires_at: OffsetDateTime,
    /// The latest expiry of any access/ID token minted from this session.
    #[serde(with = "time::serde::rfc3339")]
    pub tokens_expire_by: OffsetDateTime,
    /// The device this session's tokens were issued to: the one the sign-in came from, or the
    /// one its `NewDeviceMetadata` created. Its refresh token then works only with that
    /// `DEVICE_KEY`, and only while the device is confirmed (see [`crate::ops::tokens`]).
    #[serde(default)]
    pub device_key: Option<String>,
    /// Set by RevokeToken, GlobalSignOut or AdminUserGlobalSignOut.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

impl AuthSession {
    /// Whether nothing minted from this session can be valid any more, so it can be forgotten.
    pub fn is_spent(&self, now: OffsetDateTime) -> bool {
        now >= self.refresh_expires_at && now >= self.tokens_expire_by
    }

    /// Whether the session has been revoked.
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// Hex SHA-256 of a refresh token, the form in which it is stored and looked up.
pub fn refresh_token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
