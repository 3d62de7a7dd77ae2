//! The hosted-UI sign-in as typed steps on [`Client`]:
//! [`Client::begin_hosted_ui_sign_in`] → [`HostedUiSignIn`] (open its URL in the system
//! browser) → [`HostedUiSignIn::finish`] → [`Session`], stored like an SRP sign-in.
//!
//! **Signing out ends the browser's say.** The hosted UI keeps its own session in the
//! browser (a cookie on its domain, an hour on Cognito), so after Coffer signs out, the next
//! hosted-UI sign-in would otherwise come straight back signed in as whoever used the browser
//! last, without a password. Every sign-out therefore leaves a note in the store, and the
//! next hosted-UI sign-in asks with `prompt=login` (the hosted UI then wants credentials
//! whatever its cookie says); the note goes once a hosted-UI sign-in has completed. On AWS,
//! `prompt` is honoured by Cognito's managed login pages; a domain still on the classic hosted
//! UI ignores it (its browser session then lasts until it expires).

use std::future::Future;
use std::time::Duration;

use reqwest::Url;

use super::exchange::{EndpointTokens, TokenEndpoint};
use super::loopback::{loopback_port_and_path, LoopbackListener};
use super::request::{AuthorizationRequest, AuthorizeParams, DEFAULT_SCOPES};
use super::OAuthError;
use crate::client::Client;
use crate::error::Error;
use crate::session::Session;
use crate::tokens::{self, TokenSet, TokenUse};

/// How long [`HostedUiSignIn::finish`] waits by default.
pub const DEFAULT_SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// Options of a hosted-UI sign-in.
#[derive(Debug, Clone, Default)]
pub struct HostedUiOptions {
    /// `identity_provider` (`COGNITO`, `Google`, `LocalIdP`, …): go straight to that provider.
    pub provider: Option<String>,
    /// Scopes (default: [`DEFAULT_SCOPES`]).
    pub scopes: Option<Vec<String>>,
}

/// A hosted-UI sign-in waiting for the browser. Open [`Self::authorize_url`] in the system
/// browser (never an embedded web view, RFC 8252 §8.12), then call [`Self::finish`].
#[derive(Debug)]
pub struct HostedUiSignIn {
    client: Client,
    endpoint: TokenEndpoint,
    listener: LoopbackListener,
    request: AuthorizationRequest,
    /// The store key of the sign-out note this sign-in answers with `prompt=login`.
    answers_sign_out: Option<String>,
}

impl Client {
    /// The store key of the note "signed out since the last hosted-UI sign-in" (module docs):
    /// per hosted-UI domain and app client. `None` without a hosted UI.
    fn hosted_ui_sign_out_note_key(&self) -> Option<String> {
        let hosted = self.config().hosted_ui()?;
        Some(format!(
            "hosted-ui-signed-out:{}#{}",
            hosted.domain.trim_end_matches('/'),
            self.config().client_id()
        ))
    }

    /// After a sign-out: the next hosted-UI sign-in must ask for credentials (module docs).
    /// The sign-out itself is done; a store that cannot keep the note is logged, not fatal.
    pub(crate) async fn note_sign_out_for_hosted_ui(&self) {
        let Some(key) = self.hosted_ui_sign_out_note_key() else {
            return;
        };
        if let Err(error) = self.save_plain(key, "1".to_owned()).await {
            tracing::warn!(
                code = error.code(),
                "could not note the sign-out for the hosted UI"
            );
        }
    }

    fn token_endpoint(&self) -> Result<TokenEndpoint, Error> {
        let hosted = self.config().hosted_ui().ok_or(OAuthError::InvalidConfig {
            reason: "the config has no [hosted_ui] section",
        })?;
        TokenEndpoint::new(
            hosted,
            self.config().client_id(),
            self.config().client_secret(),
        )
    }

    /// Starts a hosted-UI sign-in: binds the loopback listener on the first configured
    /// redirect URI whose port is free, and builds the authorize URL.
    pub async fn begin_hosted_ui_sign_in(
        &self,
        options: HostedUiOptions,
    ) -> Result<HostedUiSignIn, Error> {
        let hosted = self.config().hosted_ui().ok_or(OAuthError::InvalidConfig {
            reason: "the config has no [hosted_ui] section",
        })?;
        let endpoint = self.token_endpoint()?;
        let mut last_error = OAuthError::NoLoopbackRedirect;
        let mut bound = None;
        for uri in &hosted.redirect_uris {
            let Ok(url) = Url::parse(uri) else { continue };
            if loopback_port_and_path(&url).is_none() {
                continue;
            }
            match LoopbackListener::bind(&url).await {
                Ok(listener) => {
                    bound = Some(listener);
                    break;
                }
                Err(error) => last_error = error,
            }
        }
        let listener = bound.ok_or(last_error)?;
        let scopes = options
            .scopes
            .unwrap_or_else(|| DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect());
        let mut answers_sign_out = None;
        if let Some(key) = self.hosted_ui_sign_out_note_key() {
            if self.load_plain(key.clone()).await?.is_some() {
                answers_sign_out = Some(key);
            }
        }
        let request = AuthorizationRequest::new(&AuthorizeParams {
            domain: &hosted.domain,
            client_id: self.config().client_id(),
            redirect_uri: listener.redirect_uri(),
            scopes: &scopes,
            provider: options.provider.as_deref(),
            prompt: answers_sign_out.is_some().then_some("login"),
        })?;
        Ok(HostedUiSignIn {
            client: self.clone(),
            endpoint,
            listener,
            request,
            answers_sign_out,
        })
    }

    /// Makes a session of token-endpoint tokens: the ID token is verified with the expected
    /// `nonce` (when given) on top of the usual checks, then both tokens as for SRP.
    async fn session_from_endpoint(
        &self,
        tokens: EndpointTokens,
        nonce: Option<&str>,
        previous_refresh: Option<&crate::secret::RefreshToken>,
    ) -> Result<Session, Error> {
        if let Some(nonce) = nonce {
            let kid = tokens::key_id(tokens.id.expose())?;
            let keys = self.inner.jwks.keys_for(&kid).await?;
            let policy = self.inner.policy.clone().with_nonce(nonce);
            tokens::verify(tokens.id.expose(), TokenUse::Id, &keys, &policy, self.now())?;
        }
        let refresh = match (tokens.refresh, previous_refresh) {
            (Some(refresh), _) => refresh,
            (None, Some(previous)) => previous.clone(),
            (None, None) => {
                return Err(Error::Protocol {
                    reason: "the token response has no refresh token".to_owned(),
                })
            }
        };
        self.session_from_tokens(tokens.id, tokens.access, refresh)
            .await
    }

    /// Refreshes a token set with the `refresh_token` grant at the hosted UI's `/oauth2/token`.
    /// Does not touch the store.
    pub async fn refresh_tokens_with_token_endpoint(
        &self,
        tokens: &TokenSet,
    ) -> Result<Session, Error> {
        let fresh = self.token_endpoint()?.refresh(&tokens.refresh).await?;
        self.session_from_endpoint(fresh, None, Some(&tokens.refresh))
            .await
    }

    /// Signs out through the hosted UI: revokes the stored refresh token at `/oauth2/revoke`,
    /// deletes the stored tokens, and returns the `/logout` URL to open in the browser (which
    /// ends the hosted UI's own session and returns to `logout_uri`, a registered logout URL).
    pub async fn hosted_ui_sign_out(&self, logout_uri: Option<&str>) -> Result<Option<Url>, Error> {
        let endpoint = self.token_endpoint()?;
        let tokens = self.stored_tokens().await?.ok_or(Error::NotSignedIn)?;
        endpoint.revoke(&tokens.refresh).await?;
        self.forget_tokens().await?;
        self.note_sign_out_for_hosted_ui().await;
        logout_uri.map(|uri| endpoint.logout_url(uri)).transpose()
    }
}

impl HostedUiSignIn {
    /// The URL to open in the system browser.
    pub fn authorize_url(&self) -> &Url {
        self.request.url()
    }

    /// The loopback redirect URI being listened on.
    pub fn redirect_uri(&self) -> &Url {
        self.listener.redirect_uri()
    }

    /// Waits for the browser to come back (at most `timeout`, or until `cancel` completes),
    /// exchanges the code, verifies the tokens (nonce included) and stores them.
    pub async fn finish(
        self,
        timeout: Duration,
        cancel: impl Future<Output = ()>,
    ) -> Result<Session, Error> {
        let Self {
            client,
            endpoint,
            listener,
            request,
            answers_sign_out,
        } = self;
        let code = listener
            .wait_for_code(&request.state, timeout, cancel)
            .await?;
        let tokens = endpoint
            .exchange_code(&code, request.verifier, &request.redirect_uri)
            .await?;
        let session = client
            .session_from_endpoint(tokens, Some(&request.nonce), None)
            .await?;
        let session = client.keep_session(session).await?;
        if let Some(key) = answers_sign_out {
            // Best effort: the sign-in is done and kept; a note left behind only means one
            // more `prompt=login` next time.
            if let Err(error) = client.delete_plain(key).await {
                tracing::warn!(
                    code = error.code(),
                    "the sign-out note could not be deleted"
                );
            }
        }
        Ok(session)
    }
}
