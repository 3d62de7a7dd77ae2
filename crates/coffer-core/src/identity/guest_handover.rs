//! The guest credentials kept in the keychain across a first sign-in after guest use.
//!
//! **Why.** Offering the device's guest identity with a user's `Logins` either links it to the
//! user (a user with no identity yet) or merges it into the identity the user already has and
//! disables it (see the [module docs](super)). After a merge the guest identity gets no
//! credentials ever again, so its files under `guest/<guest id>/` can only be moved with
//! credentials taken *before* the offer. Those are written here first, so that whichever
//! process makes the offer (a sign-in, `coffer ls`, an app restoring its session) and whatever
//! stops it afterwards (a crash, a dropped connection, a failed move), a later run can still
//! move the files while the credentials last — an hour by default.
//!
//! **Shape.** One entry per user under
//! `guest-handover:<cognito-identity endpoint>#<identity pool>#user:<sub>`: keyed by the
//! user's `sub`, it is only ever read for that user, so another person signing in on the same
//! device never moves these files into their own folder. `merged` says the offer was answered
//! with the user's own identity; until then the entry is "offered, answer unknown", and it is
//! deleted when the answer says the guest identity became the user's or was refused.
//!
//! **Security.** The credentials are secrets: they live only in the keychain (like the
//! tokens), are zeroed on drop and never printed (`Debug` redacts them).

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::client::Client;
use crate::error::Error;
use crate::store::StoreError;

const GUEST_HANDOVER_VERSION: u32 = 1;

/// The guest identity offered at a first sign-in, with credentials taken before the offer.
#[derive(Clone, Zeroize, ZeroizeOnDrop, Serialize, Deserialize)]
pub(crate) struct GuestHandover {
    version: u32,
    identity_id: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    /// Unix seconds.
    expires_at: i64,
    /// The offer was answered with the user's own, older identity: the guest identity is
    /// merged and disabled, and its files are still to be moved.
    merged: bool,
}

impl std::fmt::Debug for GuestHandover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuestHandover")
            .field("identity_id", &self.identity_id)
            .field("expires_at", &self.expires_at)
            .field("merged", &self.merged)
            .finish_non_exhaustive()
    }
}

impl GuestHandover {
    /// Guest credentials for `identity_id`, expiring at `expires_at`, before the offer.
    pub(crate) fn offered(
        identity_id: &str,
        credentials: &Credentials,
        expires_at: OffsetDateTime,
    ) -> Self {
        Self {
            version: GUEST_HANDOVER_VERSION,
            identity_id: identity_id.to_owned(),
            access_key_id: credentials.access_key_id().to_owned(),
            secret_access_key: credentials.secret_access_key().to_owned(),
            session_token: credentials.session_token().unwrap_or_default().to_owned(),
            expires_at: expires_at.unix_timestamp(),
            merged: false,
        }
    }

    /// The guest identity id.
    pub(crate) fn identity_id(&self) -> &str {
        &self.identity_id
    }

    /// Whether the offer ended in a merge.
    pub(crate) fn is_merged(&self) -> bool {
        self.merged
    }

    /// The same entry, marked merged.
    pub(crate) fn into_merged(mut self) -> Self {
        self.merged = true;
        self
    }

    /// Whether the credentials are still good at `now`.
    pub(crate) fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        now.unix_timestamp() < self.expires_at
    }

    /// The credentials, for an S3 client.
    pub(crate) fn credentials(&self) -> Credentials {
        let expiry = SystemTime::UNIX_EPOCH
            + Duration::from_secs(u64::try_from(self.expires_at).unwrap_or(0));
        Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            Some(self.session_token.clone()),
            Some(expiry),
            "CognitoIdentity (merged guest)",
        )
    }
}

impl Client {
    /// The keychain key of the guest handover of user `sub`.
    fn guest_handover_key(&self, sub: &str) -> Option<String> {
        let pool = self.config().identity_pool_id()?;
        let endpoint = self.config().cognito_identity_endpoint();
        Some(format!("guest-handover:{endpoint}#{pool}#user:{sub}"))
    }

    /// The guest handover of user `sub`, if any. A corrupt entry reads as none.
    pub(crate) async fn load_guest_handover(
        &self,
        sub: &str,
    ) -> Result<Option<GuestHandover>, Error> {
        let Some(key) = self.guest_handover_key(sub) else {
            return Ok(None);
        };
        self.with_store(move |store| match store.load(&key)? {
            None => Ok(None),
            Some(blob) => Ok(serde_json::from_str::<GuestHandover>(&blob)
                .ok()
                .filter(|entry| entry.version == GUEST_HANDOVER_VERSION)),
        })
        .await
    }

    pub(crate) async fn save_guest_handover(
        &self,
        sub: &str,
        entry: &GuestHandover,
    ) -> Result<(), Error> {
        let Some(key) = self.guest_handover_key(sub) else {
            return Ok(());
        };
        // Serialising a struct of strings and numbers cannot fail.
        let blob = Zeroizing::new(serde_json::to_string(entry).unwrap_or_default());
        self.with_store(move |store| store.save(&key, &blob)).await
    }

    pub(crate) async fn delete_guest_handover(&self, sub: &str) -> Result<(), Error> {
        let Some(key) = self.guest_handover_key(sub) else {
            return Ok(());
        };
        self.with_store(move |store| match store.delete(&key) {
            Ok(()) | Err(StoreError::Corrupt) => Ok(()),
            Err(error) => Err(error),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> GuestHandover {
        let credentials = Credentials::new(
            "AKIDGUEST",
            "guest-secret",
            Some("guest-token".into()),
            None,
            "t",
        );
        GuestHandover::offered(
            "us-east-1:guest",
            &credentials,
            OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
        )
    }

    #[test]
    fn debug_never_shows_the_credentials() {
        let text = format!("{:?}", entry().into_merged());
        assert!(
            text.contains("us-east-1:guest") && text.contains("merged: true"),
            "{text}"
        );
        for secret in ["AKIDGUEST", "guest-secret", "guest-token"] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn the_credentials_round_trip_and_expire_by_the_given_clock() {
        let entry = entry();
        let blob = serde_json::to_string(&entry).unwrap();
        let back: GuestHandover = serde_json::from_str(&blob).unwrap();
        let credentials = back.credentials();
        assert_eq!(credentials.access_key_id(), "AKIDGUEST");
        assert_eq!(credentials.secret_access_key(), "guest-secret");
        assert_eq!(credentials.session_token(), Some("guest-token"));
        assert!(!back.is_merged());
        let expiry = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert!(back.is_valid_at(expiry - time::Duration::seconds(1)));
        assert!(!back.is_valid_at(expiry));
    }
}
