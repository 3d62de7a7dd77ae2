//! [`Client`]: one user pool and app client, with its SDK client, key cache, clock and
//! secret store. Cheap to clone; the sign-in steps hold a clone.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider as cip;
use time::OffsetDateTime;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::error::Error;
use crate::idp::{self, NetworkSettings};
use crate::jwks::{self, JwksCache};
use crate::store::{SecretStore, StoreError};
use crate::tokens::{self, Expiry, TokenSet, TokenUse, VerificationPolicy, VerifiedClaims};

/// The Coffer client for one user pool and app client.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) idp: cip::Client,
    pub(crate) jwks: JwksCache,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) store: Arc<dyn SecretStore>,
    pub(crate) policy: VerificationPolicy,
    pub(crate) network: NetworkSettings,
    /// Bumped whenever this client stores or forgets tokens, so that credentials derived
    /// from the old tokens (identity-pool credentials) know to renew.
    pub(crate) token_generation: AtomicU64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

/// Options for a [`Client`]; start with [`Client::builder`].
pub struct ClientBuilder {
    config: Config,
    store: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    allowed_skew: Duration,
    network: NetworkSettings,
}

impl ClientBuilder {
    /// The clock for token expiry and the SRP timestamp (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Clock difference tolerated when checking token `exp` and `iat` (default 60 s).
    pub fn allowed_skew(mut self, skew: Duration) -> Self {
        self.allowed_skew = skew;
        self
    }

    /// Timeouts and retries for the Cognito calls.
    pub fn network(mut self, network: NetworkSettings) -> Self {
        self.network = network;
        self
    }

    /// Builds the client. Makes no network call.
    pub fn build(self) -> Result<Client, Error> {
        let idp = idp::sdk_client(&self.config, &self.network);
        let jwks = JwksCache::new(self.config.jwks_url(), jwks::http_client()?);
        let policy = VerificationPolicy {
            issuer: self.config.issuer(),
            client_id: self.config.client_id().to_owned(),
            allowed_skew: self.allowed_skew,
            nonce: None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                config: self.config,
                idp,
                jwks,
                clock: self.clock,
                store: self.store,
                policy,
                network: self.network,
                token_generation: AtomicU64::new(0),
            }),
        })
    }
}

impl Client {
    /// A client with the system clock and default network settings.
    pub fn new(config: Config, store: Arc<dyn SecretStore>) -> Result<Self, Error> {
        Self::builder(config, store).build()
    }

    /// A builder to set the clock, skew allowance or network settings.
    pub fn builder(config: Config, store: Arc<dyn SecretStore>) -> ClientBuilder {
        ClientBuilder {
            config,
            store,
            clock: Arc::new(SystemClock),
            allowed_skew: tokens::DEFAULT_ALLOWED_SKEW,
            network: NetworkSettings::default(),
        }
    }

    /// The config this client was built from.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The current time by the client's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    /// The key under which this pool and client's tokens are stored:
    /// `tokens:<issuer>#<client id>`. A local cloud's issuer includes its endpoint, so two
    /// local clouds on different ports, or a local cloud and AWS, never share an entry; AWS's
    /// does not, so one pool reached through different AWS endpoints (FIPS…) shares one.
    pub fn token_store_key(&self) -> String {
        format!(
            "tokens:{}#{}",
            self.inner.policy.issuer,
            self.inner.config.client_id()
        )
    }

    /// The `cognito-idp` endpoint, for error reports.
    pub(crate) fn endpoint(&self) -> String {
        self.inner.config.cognito_idp_endpoint()
    }

    /// SECRET_HASH for `username`, when the app client has a secret.
    pub(crate) fn secret_hash(&self, username: &str) -> Option<String> {
        self.inner.config.client_secret().map(|secret| {
            cognito_srp::secret_hash(secret.expose(), username, self.inner.config.client_id())
        })
    }

    /// Runs a keychain call on the blocking pool: keychain backends block and the Linux one
    /// must not run on a runtime thread.
    pub(crate) async fn with_store<T, F>(&self, call: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&dyn SecretStore) -> Result<T, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.inner.store);
        tokio::task::spawn_blocking(move || call(store.as_ref()))
            .await
            .map_err(|join_error| Error::Internal {
                what: "calling the keychain",
                source: Some(Box::new(join_error)),
            })?
            .map_err(Error::from)
    }

    /// Checks that the secret store answers (reading this client's entry), so a command can
    /// fail before asking for a password it could not keep the result of. A damaged entry
    /// counts as an answer: the sign-in about to happen replaces it.
    pub async fn check_store(&self) -> Result<(), Error> {
        let key = self.token_store_key();
        self.with_store(move |store| match store.load(&key) {
            Ok(_) | Err(StoreError::Corrupt) => Ok(()),
            Err(error) => Err(error),
        })
        .await
    }

    /// The stored token set, if any. Not verified.
    pub async fn stored_tokens(&self) -> Result<Option<TokenSet>, Error> {
        let key = self.token_store_key();
        self.with_store(move |store| match store.load(&key)? {
            None => Ok(None),
            Some(blob) => TokenSet::from_keychain_blob(&blob)
                .map(Some)
                .ok_or(StoreError::Corrupt),
        })
        .await
    }

    pub(crate) async fn save_tokens(&self, tokens: &TokenSet) -> Result<(), Error> {
        let key = self.token_store_key();
        let blob = tokens.to_keychain_blob();
        let saved = self.with_store(move |store| store.save(&key, &blob)).await;
        self.inner.token_generation.fetch_add(1, Ordering::Relaxed);
        saved
    }

    /// A counter that changes whenever this client stores new tokens or forgets them.
    pub fn token_generation(&self) -> u64 {
        self.inner.token_generation.load(Ordering::Relaxed)
    }

    /// Deletes this pool and client's stored tokens (no network call).
    pub async fn forget_tokens(&self) -> Result<(), Error> {
        let key = self.token_store_key();
        let deleted = self.with_store(move |store| store.delete(&key)).await;
        self.inner.token_generation.fetch_add(1, Ordering::Relaxed);
        deleted
    }

    /// Verifies a token against the pool's published keys (fetched and cached; fetched again
    /// once when the token names an unknown key).
    pub async fn verify_token(
        &self,
        token: &str,
        expected_use: TokenUse,
    ) -> Result<VerifiedClaims, Error> {
        self.verify_token_with(token, expected_use, Expiry::Enforce)
            .await
    }

    pub(crate) async fn verify_token_with(
        &self,
        token: &str,
        expected_use: TokenUse,
        expiry: Expiry,
    ) -> Result<VerifiedClaims, Error> {
        let kid = tokens::key_id(token)?;
        let keys = self.inner.jwks.keys_for(&kid).await?;
        Ok(tokens::verify_with(
            token,
            expected_use,
            &keys,
            &self.inner.policy,
            self.now(),
            expiry,
        )?)
    }
}
