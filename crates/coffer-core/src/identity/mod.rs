//! Temporary AWS credentials from a Cognito identity pool, for the signed-in user or a guest.
//!
//! [`IdentityCredentials`] implements the SDK's `ProvideCredentials`, so it plugs into any
//! AWS SDK client (Coffer's S3 client uses it). Its flow, on AWS as on the local cloud:
//!
//! 1. **Identity id.** Looked up in the keychain under
//!    `identity:<cognito-identity endpoint>#<identity pool>#user:<sub>` (or `#guest`); when
//!    absent, `GetId` (with `Logins` when signed in) and the answer is stored. A user who was
//!    a guest first passes the stored guest id to `GetCredentialsForIdentity` with their
//!    `Logins`: Cognito gives the guest identity to a user who has none yet, and answers with
//!    the user's own identity id when they have one. Either way the id in the answer is the
//!    one kept. When the guest identity became the user's (same id), a marker
//!    `guest-files:<cognito-identity endpoint>#<identity pool>#user:<sub>` is stored first:
//!    the guest's files under `guest/<id>/` are still to be moved into `private/<id>/`
//!    ([`crate::storage::GuestAdoption`]); the move deletes the marker once nothing is left.
//!    When the user had an identity already, Cognito merges the guest identity into it and
//!    disables it: from then on it gets no credentials of its own ("Access to Identity … is
//!    forbidden"), and its files would be out of everyone's reach. So before offering it,
//!    Coffer takes guest credentials for it and keeps them in the keychain under the user's
//!    `sub` (`guest_handover.rs`), whichever process makes the offer; after a merge they move
//!    the guest files across ([`crate::storage::GuestAdoption`]) while they last. The guest
//!    entry is then forgotten (the next guest session starts a new identity). Guest
//!    credentials refused outright (guests no longer allowed, identity disabled) do not stop
//!    the sign-in; a failure that may pass (unreachable, throttled) stops it before the offer.
//! 2. **Credentials.** `GetCredentialsForIdentity(IdentityId, Logins)`, where `Logins` is
//!    `{"cognito-idp.<region>.amazonaws.com/<user pool id>": <ID token>}` — the same provider
//!    name on AWS and on the local cloud. The ID token comes from
//!    [`Client::current_session`], which refreshes the user-pool tokens when they are about
//!    to expire.
//! 3. **Cache.** The credentials are kept in memory and handed out until they are within
//!    five minutes (or half their lifetime) of expiring by the injected clock, or until the
//!    user-pool tokens change (a refresh or a new sign-in in this process), or until
//!    [`IdentityCredentials::invalidate`] (called on an `ExpiredToken` answer).
//!
//! **Single flight.** The cache sits behind one async mutex: however many uploads ask at
//! once, one caller renews and the others wait for and share its result. The SDK's own
//! identity cache is turned off for clients using this provider (see
//! [`crate::storage::s3_client`]), so every request comes here and sees a renewal at once.
//!
//! **Security.** The credentials are secrets: the SDK's `Credentials` type redacts them in
//! `Debug` and zeroes them on drop; they are never written to disk (only `coffer credentials`
//! prints them, on request, for `credential_process`). The one exception is the guest
//! handover above, which is kept in the keychain, never in a file. The identity id is not a
//! secret but is kept in the keychain with the tokens. The S3 prefix is named by the identity id
//! (`private/<identity id>/`), never by the user-pool `sub`, because that is what the
//! identity pool's role policy substitutes for `${cognito-identity.amazonaws.com:sub}`.

mod expiry;
mod guest_handover;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::provider::{error::CredentialsError, future, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_sdk_cognitoidentity as ci;
use time::OffsetDateTime;

pub use expiry::{needs_renewal, DEFAULT_RENEWAL_MARGIN};
pub(crate) use guest_handover::GuestHandover;

use crate::client::Client;
use crate::error::{Error, Operation};
use crate::idp::{map_sdk_error, NetworkSettings};

/// Whose credentials: the signed-in user's or a guest's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityMode {
    /// The signed-in user (authenticated role).
    SignedIn,
    /// A guest (the identity pool's unauthenticated role; no sign-in needed).
    Guest,
}

impl IdentityMode {
    /// The top-level S3 folder this mode's files live in: `private` or `guest`.
    pub fn folder(self) -> &'static str {
        match self {
            Self::SignedIn => "private",
            Self::Guest => "guest",
        }
    }
}

/// The `Logins` map key for a user pool: `cognito-idp.<region>.amazonaws.com/<user pool id>`.
/// The same on AWS and on the local cloud (the name is an identifier, not a URL).
pub fn login_provider_name(region: &str, user_pool_id: &str) -> String {
    format!("cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}

/// Temporary AWS credentials for one identity pool and mode. Cheap to clone; clones share the
/// cache.
#[derive(Clone)]
pub struct IdentityCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    identity: ci::Client,
    identity_pool_id: String,
    mode: IdentityMode,
    margin: time::Duration,
    state: tokio::sync::Mutex<State>,
    renewals: AtomicU64,
    /// Credentials given by the caller instead of the identity pool (never renewed).
    fixed: bool,
}

#[derive(Default)]
struct State {
    identity_id: Option<String>,
    cached: Option<Cached>,
}

struct Cached {
    credentials: Credentials,
    issued_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    token_generation: u64,
}

impl std::fmt::Debug for IdentityCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityCredentials")
            .field("identity_pool_id", &self.inner.identity_pool_id)
            .field("mode", &self.inner.mode)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Credentials from the config's identity pool for `mode`. Makes no network call until
    /// credentials are asked for.
    pub fn identity_credentials(&self, mode: IdentityMode) -> Result<IdentityCredentials, Error> {
        self.identity_credentials_with(mode, DEFAULT_RENEWAL_MARGIN)
    }

    /// Like [`Client::identity_credentials`] with another renewal margin.
    pub fn identity_credentials_with(
        &self,
        mode: IdentityMode,
        margin: time::Duration,
    ) -> Result<IdentityCredentials, Error> {
        let identity_pool_id = self
            .config()
            .identity_pool_id()
            .ok_or(Error::NotConfigured {
                setting: "identity_pool_id",
            })?
            .to_owned();
        let identity = identity_sdk_client(self, &self.inner.network);
        Ok(IdentityCredentials {
            inner: Arc::new(Inner {
                client: self.clone(),
                identity,
                identity_pool_id,
                mode,
                margin,
                state: tokio::sync::Mutex::new(State::default()),
                renewals: AtomicU64::new(0),
                fixed: false,
            }),
        })
    }

    /// Fixed credentials for `identity_id`, bypassing the identity pool: for S3 servers that
    /// do not trust it (benchmarks against a plain S3 server) and tools that already hold
    /// credentials. They are never renewed; when they expire, requests fail.
    pub fn fixed_credentials(
        &self,
        mode: IdentityMode,
        identity_id: impl Into<String>,
        credentials: Credentials,
    ) -> IdentityCredentials {
        let far_future = OffsetDateTime::now_utc() + time::Duration::days(3650);
        IdentityCredentials {
            inner: Arc::new(Inner {
                client: self.clone(),
                identity: identity_sdk_client(self, &self.inner.network),
                identity_pool_id: self
                    .config()
                    .identity_pool_id()
                    .unwrap_or_default()
                    .to_owned(),
                mode,
                margin: time::Duration::ZERO,
                state: tokio::sync::Mutex::new(State {
                    identity_id: Some(identity_id.into()),
                    cached: Some(Cached {
                        credentials,
                        issued_at: self.now(),
                        expires_at: far_future,
                        token_generation: 0,
                    }),
                }),
                renewals: AtomicU64::new(0),
                fixed: true,
            }),
        }
    }

    /// The keychain key under which the identity id for `mode` (and, signed in, the user
    /// `sub`) is kept.
    pub fn identity_store_key(&self, mode: IdentityMode, sub: Option<&str>) -> Option<String> {
        let pool = self.config().identity_pool_id()?;
        let endpoint = self.config().cognito_identity_endpoint();
        Some(match (mode, sub) {
            (IdentityMode::SignedIn, Some(sub)) => format!("identity:{endpoint}#{pool}#user:{sub}"),
            _ => format!("identity:{endpoint}#{pool}#guest"),
        })
    }

    /// The keychain key of the marker "this user's identity was a guest's, whose files are
    /// still to be moved" (see the module docs).
    pub(crate) fn guest_files_marker_key(&self, sub: &str) -> Option<String> {
        let pool = self.config().identity_pool_id()?;
        let endpoint = self.config().cognito_identity_endpoint();
        Some(format!("guest-files:{endpoint}#{pool}#user:{sub}"))
    }

    /// The stored identity id for the signed-in user `sub`, if one is known.
    pub async fn stored_identity_id(&self, sub: &str) -> Result<Option<String>, Error> {
        match self.identity_store_key(IdentityMode::SignedIn, Some(sub)) {
            Some(key) => self.load_plain(key).await,
            None => Ok(None),
        }
    }

    pub(crate) async fn load_plain(&self, key: String) -> Result<Option<String>, Error> {
        self.with_store(move |store| Ok(store.load(&key)?.map(|value| value.to_string())))
            .await
    }

    pub(crate) async fn save_plain(&self, key: String, value: String) -> Result<(), Error> {
        self.with_store(move |store| store.save(&key, &value)).await
    }

    pub(crate) async fn delete_plain(&self, key: String) -> Result<(), Error> {
        self.with_store(move |store| store.delete(&key)).await
    }
}

fn identity_sdk_client(client: &Client, network: &NetworkSettings) -> ci::Client {
    use aws_smithy_types::retry::RetryConfig;
    use aws_smithy_types::timeout::TimeoutConfig;
    let config = client.config();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(network.connect_timeout)
        .operation_attempt_timeout(network.attempt_timeout)
        .operation_timeout(network.operation_timeout)
        .build();
    let sdk_config = ci::Config::builder()
        .behavior_version(ci::config::BehaviorVersion::latest())
        .region(ci::config::Region::new(config.region().to_owned()))
        .endpoint_url(config.cognito_identity_endpoint())
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(network.max_attempts.max(1)))
        .build();
    ci::Client::from_conf(sdk_config)
}

/// What a `GetCredentialsForIdentity` call produced.
struct Issued {
    identity_id: String,
    cached: Cached,
}

impl IdentityCredentials {
    /// The mode these credentials are for.
    pub fn mode(&self) -> IdentityMode {
        self.inner.mode
    }

    /// The identity id, resolving it (and fetching credentials) when not known yet.
    pub async fn identity_id(&self) -> Result<String, Error> {
        let mut state = self.inner.state.lock().await;
        if let Some(id) = &state.identity_id {
            return Ok(id.clone());
        }
        self.renew(&mut state).await?;
        state.identity_id.clone().ok_or_else(|| Error::Protocol {
            reason: "no identity id after GetCredentialsForIdentity".into(),
        })
    }

    /// The S3 prefix of this identity: `private/<identity id>/` (or `guest/<identity id>/`).
    pub async fn prefix(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/{}/",
            self.inner.mode.folder(),
            self.identity_id().await?
        ))
    }

    /// Current credentials: cached ones while fresh, else renewed (one renewal at a time).
    pub async fn credentials(&self) -> Result<Credentials, Error> {
        let mut state = self.inner.state.lock().await;
        let now = self.inner.client.now();
        let generation = self.inner.client.token_generation();
        if let (true, Some(cached)) = (self.inner.fixed, &state.cached) {
            return Ok(cached.credentials.clone());
        }
        if let Some(cached) = &state.cached {
            let tokens_unchanged =
                self.inner.mode == IdentityMode::Guest || cached.token_generation == generation;
            if tokens_unchanged
                && !needs_renewal(cached.issued_at, cached.expires_at, now, self.inner.margin)
            {
                return Ok(cached.credentials.clone());
            }
        }
        self.renew(&mut state).await?;
        state
            .cached
            .as_ref()
            .map(|cached| cached.credentials.clone())
            .ok_or_else(|| Error::Protocol {
                reason: "no credentials after GetCredentialsForIdentity".into(),
            })
    }

    /// When the current credentials expire, if any are cached.
    pub async fn expires_at(&self) -> Option<OffsetDateTime> {
        self.inner
            .state
            .lock()
            .await
            .cached
            .as_ref()
            .map(|c| c.expires_at)
    }

    /// Drops the cached credentials (e.g. after S3 answered `ExpiredToken`): the next request
    /// renews them.
    pub async fn invalidate(&self) {
        if self.inner.fixed {
            return;
        }
        self.inner.state.lock().await.cached = None;
    }

    /// How many times credentials were fetched from the identity pool (for diagnostics and
    /// the single-flight tests).
    pub fn renewals(&self) -> u64 {
        self.inner.renewals.load(Ordering::Relaxed)
    }

    async fn renew(&self, state: &mut State) -> Result<(), Error> {
        let issued = match self.inner.mode {
            IdentityMode::Guest => self.renew_guest(state).await?,
            IdentityMode::SignedIn => self.renew_signed_in(state).await?,
        };
        state.identity_id = Some(issued.identity_id);
        state.cached = Some(issued.cached);
        Ok(())
    }

    async fn renew_guest(&self, state: &State) -> Result<Issued, Error> {
        let client = &self.inner.client;
        // Invariant: identity_credentials() refused a config without an identity pool.
        let key = client
            .identity_store_key(IdentityMode::Guest, None)
            .unwrap_or_default();
        let known = match &state.identity_id {
            Some(id) => Some(id.clone()),
            None => client.load_plain(key.clone()).await?,
        };
        if let Some(id) = known {
            match self.get_credentials(&id, None, 0).await {
                Ok(issued) => return Ok(issued),
                // The identity was deleted, or became a user's: start a new guest identity.
                Err(Error::IdentityNotFound | Error::IdentityRefused { .. }) => {
                    client.delete_plain(key.clone()).await?;
                }
                Err(error) => return Err(error),
            }
        }
        let id = self.get_id(None).await?;
        client.save_plain(key, id.clone()).await?;
        self.get_credentials(&id, None, 0).await
    }

    async fn renew_signed_in(&self, state: &State) -> Result<Issued, Error> {
        let client = &self.inner.client;
        let session = client.current_session().await?;
        // Read after current_session(): a refresh it made is already counted.
        let generation = client.token_generation();
        let config = client.config();
        let logins = HashMap::from([(
            login_provider_name(config.region(), config.user_pool_id()),
            session.tokens().id.expose().to_owned(),
        )]);
        let sub = session.id_claims().sub.clone();
        // Invariant: identity_credentials() refused a config without an identity pool.
        let user_key = client
            .identity_store_key(IdentityMode::SignedIn, Some(&sub))
            .unwrap_or_default();
        let known = match &state.identity_id {
            Some(id) => Some(id.clone()),
            None => client.load_plain(user_key.clone()).await?,
        };
        if let Some(id) = known {
            match self.get_credentials(&id, Some(&logins), generation).await {
                Ok(issued) => {
                    if issued.identity_id != id {
                        client
                            .save_plain(user_key, issued.identity_id.clone())
                            .await?;
                    }
                    return Ok(issued);
                }
                Err(Error::IdentityNotFound | Error::IdentityRefused { .. }) => {
                    client.delete_plain(user_key.clone()).await?;
                }
                Err(error) => return Err(error),
            }
        } else if let Some(issued) = self.adopt_guest_identity(&logins, &sub, generation).await? {
            client
                .save_plain(user_key, issued.identity_id.clone())
                .await?;
            return Ok(issued);
        }
        let id = self.get_id(Some(&logins)).await?;
        client.save_plain(user_key, id.clone()).await?;
        self.get_credentials(&id, Some(&logins), generation).await
    }

    /// A first sign-in after guest use: offers the stored guest identity with the user's
    /// `Logins`. Cognito links it to a user who has no identity yet, or answers with the
    /// user's own identity (merging the guest one into it). `None` when there is no guest
    /// identity or it was refused.
    async fn adopt_guest_identity(
        &self,
        logins: &HashMap<String, String>,
        sub: &str,
        generation: u64,
    ) -> Result<Option<Issued>, Error> {
        let client = &self.inner.client;
        let Some(guest_key) = client.identity_store_key(IdentityMode::Guest, None) else {
            return Ok(None);
        };
        let Some(guest_id) = client.load_plain(guest_key.clone()).await? else {
            return Ok(None);
        };
        // Guest credentials first, into the keychain: if Cognito merges the guest identity
        // into one the user already has, they are the last it ever gets (guest_handover.rs).
        let guest_usable = match self.get_credentials(&guest_id, None, 0).await {
            Ok(issued) => {
                let entry = GuestHandover::offered(
                    &guest_id,
                    &issued.cached.credentials,
                    issued.cached.expires_at,
                );
                // Never over a merge recorded by another process for this guest identity.
                let merged_already = client
                    .load_guest_handover(sub)
                    .await?
                    .is_some_and(|kept| kept.is_merged() && kept.identity_id() == guest_id);
                if !merged_already {
                    client.save_guest_handover(sub, &entry).await?;
                }
                true
            }
            Err(Error::IdentityNotFound) => {
                client.delete_plain(guest_key).await?;
                return Ok(None);
            }
            // Offering now could merge the identity with nothing to move its files with; the
            // signed-in credentials would most likely fail the same way anyway.
            Err(error) if may_pass(&error) => return Err(error),
            // Refused as a guest: disabled by an earlier merge (whose answer this device may
            // not have seen), linked to a login already, or guests no longer allowed. Offered
            // all the same, Cognito sorts it out; a handover kept by an earlier attempt
            // still holds.
            Err(error) => {
                tracing::debug!(
                    code = error.code(),
                    "guest identity refused before the offer"
                );
                false
            }
        };
        match self
            .get_credentials(&guest_id, Some(logins), generation)
            .await
        {
            Ok(issued) => {
                if issued.identity_id == guest_id {
                    // Its guest files are the user's too, still to be moved: noted before the
                    // guest entry goes, so that a failure in between loses nothing.
                    if let Some(marker) = client.guest_files_marker_key(sub) {
                        client.save_plain(marker, guest_id.clone()).await?;
                    }
                    client.delete_guest_handover(sub).await?;
                } else if let Some(entry) = client
                    .load_guest_handover(sub)
                    .await?
                    .filter(|entry| entry.identity_id() == guest_id)
                {
                    // Merged into the user's own identity and disabled: its files can still
                    // be moved with the guest credentials while they last.
                    client
                        .save_guest_handover(sub, &entry.into_merged())
                        .await?;
                }
                // Either way the guest identity no longer works without these Logins.
                client.delete_plain(guest_key).await?;
                tracing::info!(
                    adopted = issued.identity_id == guest_id,
                    "signed in after guest use"
                );
                Ok(Some(issued))
            }
            Err(Error::IdentityNotFound | Error::IdentityRefused { .. }) => {
                // Not this user's to take: nothing of it is handed over — unless an earlier
                // offer (whose answer may have been lost) already merged it.
                if let Some(kept) = client.load_guest_handover(sub).await? {
                    if !kept.is_merged() {
                        client.delete_guest_handover(sub).await?;
                    }
                }
                // Refused with and without these Logins: of no use to anyone on this device.
                if !guest_usable {
                    client.delete_plain(guest_key).await?;
                }
                Ok(None)
            }
            // The answer is unknown (the offer may have been made): the handover stays.
            Err(error) => Err(error),
        }
    }

    async fn get_id(&self, logins: Option<&HashMap<String, String>>) -> Result<String, Error> {
        let endpoint = self.inner.client.config().cognito_identity_endpoint();
        let output = self
            .inner
            .identity
            .get_id()
            .identity_pool_id(&self.inner.identity_pool_id)
            .set_logins(logins.cloned())
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::GetId, &endpoint, error))?;
        output
            .identity_id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::Protocol {
                reason: "GetId answered without an IdentityId".into(),
            })
    }

    async fn get_credentials(
        &self,
        identity_id: &str,
        logins: Option<&HashMap<String, String>>,
        token_generation: u64,
    ) -> Result<Issued, Error> {
        let endpoint = self.inner.client.config().cognito_identity_endpoint();
        let issued_at = self.inner.client.now();
        self.inner.renewals.fetch_add(1, Ordering::Relaxed);
        let output = self
            .inner
            .identity
            .get_credentials_for_identity()
            .identity_id(identity_id)
            .set_logins(logins.cloned())
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::GetCredentials, &endpoint, error))?;
        let missing = |what: &str| Error::Protocol {
            reason: format!("GetCredentialsForIdentity answered without {what}"),
        };
        let answered_id = output.identity_id.unwrap_or_else(|| identity_id.to_owned());
        let credentials = output.credentials.ok_or_else(|| missing("Credentials"))?;
        let expiration = credentials
            .expiration
            .ok_or_else(|| missing("an Expiration"))?;
        let expires_at = OffsetDateTime::from_unix_timestamp(expiration.secs())
            .map_err(|_| missing("a valid Expiration"))?;
        let expiry = SystemTime::UNIX_EPOCH
            + std::time::Duration::from_secs(u64::try_from(expiration.secs()).unwrap_or(0));
        let credentials = Credentials::new(
            credentials
                .access_key_id
                .ok_or_else(|| missing("an AccessKeyId"))?,
            credentials
                .secret_key
                .ok_or_else(|| missing("a SecretKey"))?,
            Some(
                credentials
                    .session_token
                    .ok_or_else(|| missing("a SessionToken"))?,
            ),
            Some(expiry),
            "CognitoIdentity",
        );
        tracing::debug!(mode = ?self.inner.mode, %expires_at, "identity-pool credentials issued");
        Ok(Issued {
            identity_id: answered_id,
            cached: Cached {
                credentials,
                issued_at,
                expires_at,
                token_generation,
            },
        })
    }
}

/// Whether a failed identity-pool call may succeed if made again later. Only answers that
/// refuse the guest identity for good say no (guests turned off, the identity disabled or
/// linked, the pool's roles broken); anything else (unreachable, throttled, 5xx, unknown) may
/// pass, and offering the identity meanwhile could merge it with nothing to move its files with.
fn may_pass(error: &Error) -> bool {
    match error {
        Error::GuestAccessDisabled | Error::IdentityRefused { .. } | Error::IdentityNotFound => {
            false
        }
        Error::Service { code, .. } => !matches!(
            code.as_str(),
            "InvalidIdentityPoolConfigurationException" | "InvalidParameterException"
        ),
        _ => true,
    }
}

impl ProvideCredentials for IdentityCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.credentials().await.map_err(|error| {
                let code = error.code();
                match error {
                    Error::NotSignedIn
                    | Error::SessionExpired
                    | Error::TokenRevoked
                    | Error::NotConfigured { .. } => CredentialsError::not_loaded(code),
                    other => CredentialsError::provider_error(other),
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_provider_name_is_the_aws_form() {
        assert_eq!(
            login_provider_name("eu-west-1", "eu-west-1_AbC123"),
            "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
        );
    }

    #[test]
    fn folders() {
        assert_eq!(IdentityMode::SignedIn.folder(), "private");
        assert_eq!(IdentityMode::Guest.folder(), "guest");
    }
}
