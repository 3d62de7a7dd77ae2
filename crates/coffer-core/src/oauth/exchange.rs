//! The token endpoint (IO adapter over the `oauth2` crate and our reqwest client): code
//! exchange with the PKCE verifier, the refresh_token grant, revocation, and the logout URL.
//!
//! The HTTP client follows no redirects (a token endpoint that redirects is misconfigured or
//! hostile) and uses rustls, like the rest of the crate.

use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeVerifier, RedirectUrl, RequestTokenError, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::OAuthError;
use crate::config::HostedUi;
use crate::error::Error;
use crate::secret::{AccessToken, IdToken, RefreshToken, VerificationCode};

/// The `id_token` member of Cognito's token response.
#[derive(Clone, Deserialize, Serialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl std::fmt::Debug for IdTokenField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdTokenField([redacted])")
    }
}

impl ExtraTokenFields for IdTokenField {}

type CognitoTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    CognitoTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Tokens from the token endpoint (the refresh token is absent on refresh).
pub(crate) struct EndpointTokens {
    pub(crate) id: IdToken,
    pub(crate) access: AccessToken,
    pub(crate) refresh: Option<RefreshToken>,
}

/// The hosted UI's endpoints for one app client.
#[derive(Clone)]
pub(crate) struct TokenEndpoint {
    client: OAuthClient,
    http: reqwest::Client,
    domain: String,
    client_id: String,
    client_secret: Option<crate::secret::ClientSecret>,
}

impl std::fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

fn config_error(reason: &'static str) -> Error {
    OAuthError::InvalidConfig { reason }.into()
}

impl TokenEndpoint {
    pub(crate) fn new(
        hosted: &HostedUi,
        client_id: &str,
        client_secret: Option<&crate::secret::ClientSecret>,
    ) -> Result<Self, Error> {
        let domain = hosted.domain.trim_end_matches('/').to_owned();
        let url = |path: &str| format!("{domain}{path}");
        let mut client = oauth2::Client::new(ClientId::new(client_id.to_owned()))
            .set_auth_uri(
                AuthUrl::new(url("/oauth2/authorize"))
                    .map_err(|_| config_error("hosted_ui.domain is not a URL"))?,
            )
            .set_token_uri(
                TokenUrl::new(url("/oauth2/token"))
                    .map_err(|_| config_error("hosted_ui.domain is not a URL"))?,
            );
        if let Some(secret) = client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|source| Error::Internal {
                what: "building the HTTP client",
                source: Some(Box::new(source)),
            })?;
        Ok(Self {
            client,
            http,
            domain,
            client_id: client_id.to_owned(),
            client_secret: client_secret.cloned(),
        })
    }

    fn map_error<RE: std::error::Error + Send + Sync + 'static>(
        &self,
        error: RequestTokenError<RE, BasicErrorResponse>,
    ) -> Error {
        match error {
            RequestTokenError::ServerResponse(response) => {
                let code = match response.error() {
                    BasicErrorResponseType::Extension(other) => {
                        other.chars().filter(|c| !c.is_control()).take(64).collect()
                    }
                    known => known.as_ref().to_owned(),
                };
                OAuthError::TokenRefused { error: code }.into()
            }
            RequestTokenError::Request(source) => Error::EndpointUnreachable {
                endpoint: format!("{}/oauth2/token", self.domain),
                source: Box::new(source),
            },
            RequestTokenError::Parse(_, _) => Error::Protocol {
                reason: "the token endpoint's answer is not a token response".to_owned(),
            },
            RequestTokenError::Other(reason) => Error::Protocol {
                reason: reason.chars().take(120).collect(),
            },
        }
    }

    fn tokens(response: CognitoTokenResponse) -> Result<EndpointTokens, Error> {
        let id = response
            .extra_fields()
            .id_token
            .clone()
            .ok_or(OAuthError::NoIdToken)?;
        Ok(EndpointTokens {
            id: IdToken::new(id),
            access: AccessToken::new(response.access_token().secret().clone()),
            refresh: response
                .refresh_token()
                .map(|token| RefreshToken::new(token.secret().clone())),
        })
    }

    /// `grant_type=authorization_code` with the PKCE verifier and the same redirect URI.
    pub(crate) async fn exchange_code(
        &self,
        code: &VerificationCode,
        verifier: PkceCodeVerifier,
        redirect_uri: &Url,
    ) -> Result<EndpointTokens, Error> {
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.expose().to_owned()))
            .set_pkce_verifier(verifier)
            .set_redirect_uri(std::borrow::Cow::Owned(RedirectUrl::from_url(
                redirect_uri.clone(),
            )))
            .request_async(&self.http)
            .await
            .map_err(|error| self.map_error(error))?;
        Self::tokens(response)
    }

    /// `grant_type=refresh_token`.
    pub(crate) async fn refresh(&self, refresh: &RefreshToken) -> Result<EndpointTokens, Error> {
        let token = oauth2::RefreshToken::new(refresh.expose().to_owned());
        let response = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&self.http)
            .await
            .map_err(|error| self.map_error(error))?;
        Self::tokens(response)
    }

    /// Revokes a refresh token at `/oauth2/revoke` (RFC 7009). Sent with our reqwest client
    /// directly: the `oauth2` crate refuses plain-HTTP revocation URLs, which the local cloud
    /// on loopback uses.
    pub(crate) async fn revoke(&self, refresh: &RefreshToken) -> Result<(), Error> {
        let url = format!("{}/oauth2/revoke", self.domain);
        let mut form = vec![
            ("token", refresh.expose()),
            ("token_type_hint", "refresh_token"),
        ];
        let mut request = self.http.post(&url);
        match &self.client_secret {
            Some(secret) => request = request.basic_auth(&self.client_id, Some(secret.expose())),
            None => form.push(("client_id", self.client_id.as_str())),
        }
        let response =
            request
                .form(&form)
                .send()
                .await
                .map_err(|source| Error::EndpointUnreachable {
                    endpoint: url.clone(),
                    source: Box::new(source),
                })?;
        if response.status().is_success() {
            return Ok(());
        }
        #[derive(Deserialize)]
        struct ErrorBody {
            error: String,
        }
        let error = response
            .json::<ErrorBody>()
            .await
            .map(|body| {
                body.error
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect()
            })
            .unwrap_or_else(|_| "unknown".to_owned());
        Err(OAuthError::TokenRefused { error }.into())
    }

    /// The `/logout` URL that ends the hosted UI's browser session and returns to
    /// `logout_uri` (which must be one of the client's registered logout URLs).
    pub(crate) fn logout_url(&self, logout_uri: &str) -> Result<Url, Error> {
        Url::parse_with_params(
            &format!("{}/logout", self.domain),
            [
                ("client_id", self.client_id.as_str()),
                ("logout_uri", logout_uri),
            ],
        )
        .map_err(|_| config_error("hosted_ui.domain is not a URL"))
    }
}
