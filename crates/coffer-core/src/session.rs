//! A signed-in session and what can be done with it: resume, refresh, sign out, who am I.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, AuthenticationResultType};
use time::OffsetDateTime;

use crate::client::Client;
use crate::error::{Error, Operation};
use crate::idp::map_sdk_error;
use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::tokens::{Expiry, TokenSet, TokenUse, VerifiedClaims};

/// Tokens are refreshed this long before they expire.
const REFRESH_MARGIN: time::Duration = time::Duration::seconds(60);

/// A signed-in user: verified tokens and their claims.
#[derive(Debug, Clone)]
pub struct Session {
    tokens: TokenSet,
    id_claims: VerifiedClaims,
    access_claims: VerifiedClaims,
    device: DeviceRemembering,
}

/// Whether a sign-in left this device remembered (see [`crate::SignIn::remember_device`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceRemembering {
    /// Remembering was not asked for (and this device was not remembered before).
    NotRequested,
    /// This device is remembered: the next sign-in of this user here skips MFA.
    Remembered {
        /// The device key.
        device_key: String,
    },
    /// Asked for, but the pool does not track devices (no NewDeviceMetadata came back).
    NotOffered,
    /// Asked for, but confirming the device failed (the sign-in itself succeeded).
    Failed {
        /// The error's stable code.
        code: &'static str,
    },
}

impl Session {
    /// The tokens.
    pub fn tokens(&self) -> &TokenSet {
        &self.tokens
    }

    /// Verified claims of the ID token.
    pub fn id_claims(&self) -> &VerifiedClaims {
        &self.id_claims
    }

    /// Verified claims of the access token.
    pub fn access_claims(&self) -> &VerifiedClaims {
        &self.access_claims
    }

    /// The pool's (internal) username.
    pub fn username(&self) -> &str {
        &self.id_claims.username
    }

    /// When the ID and access tokens expire.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.tokens.expires_at
    }

    /// Whether this sign-in left the device remembered. Sessions resumed from the keychain
    /// say [`DeviceRemembering::NotRequested`].
    pub fn device(&self) -> &DeviceRemembering {
        &self.device
    }

    pub(crate) fn set_device(&mut self, device: DeviceRemembering) {
        self.device = device;
    }

    /// A summary for display.
    pub fn whoami(&self) -> WhoAmI {
        WhoAmI {
            username: self.id_claims.username.clone(),
            sub: self.id_claims.sub.clone(),
            email: self.id_claims.email.clone(),
            identity_id: None,
            expires_at: self.tokens.expires_at,
        }
    }
}

/// Who is signed in, from the verified ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WhoAmI {
    /// The pool's username (`cognito:username`; a UUID in pools that sign in by e-mail).
    pub username: String,
    /// The user's `sub` in the user pool.
    pub sub: String,
    /// The e-mail address, when the ID token carries it.
    pub email: Option<String>,
    /// The identity-pool identity id, once known (filled in by the identity-pool support).
    pub identity_id: Option<String>,
    /// When the current ID and access tokens expire.
    pub expires_at: OffsetDateTime,
}

impl Client {
    /// Verifies freshly issued tokens and makes a session of them.
    pub(crate) async fn session_from_tokens(
        &self,
        id: IdToken,
        access: AccessToken,
        refresh: RefreshToken,
    ) -> Result<Session, Error> {
        let id_claims = self.verify_token(id.expose(), TokenUse::Id).await?;
        let access_claims = self.verify_token(access.expose(), TokenUse::Access).await?;
        if id_claims.sub != access_claims.sub {
            return Err(Error::Protocol {
                reason: "the ID and access tokens name different users".to_owned(),
            });
        }
        let expires_at = id_claims.expires_at.min(access_claims.expires_at);
        Ok(Session {
            tokens: TokenSet {
                id,
                access,
                refresh,
                expires_at,
            },
            id_claims,
            access_claims,
            device: DeviceRemembering::NotRequested,
        })
    }

    /// Takes the tokens out of an authentication result. `previous_refresh` is kept when the
    /// result has no refresh token (REFRESH_TOKEN_AUTH returns none unless rotation is on).
    pub(crate) async fn session_from_result(
        &self,
        result: Option<AuthenticationResultType>,
        previous_refresh: Option<&RefreshToken>,
    ) -> Result<Session, Error> {
        let missing = |what: &str| Error::Protocol {
            reason: format!("the authentication result has no {what}"),
        };
        let result = result.ok_or_else(|| missing("tokens"))?;
        let id = IdToken::new(result.id_token.ok_or_else(|| missing("ID token"))?);
        let access = AccessToken::new(result.access_token.ok_or_else(|| missing("access token"))?);
        let refresh = match (result.refresh_token, previous_refresh) {
            (Some(new), _) => RefreshToken::new(new),
            (None, Some(previous)) => previous.clone(),
            (None, None) => return Err(missing("refresh token")),
        };
        self.session_from_tokens(id, access, refresh).await
    }

    /// Stores a new session's tokens. When the keychain refuses, the just-issued refresh token
    /// is revoked (best effort) so that no usable token is left behind unkept.
    pub(crate) async fn keep_session(&self, session: Session) -> Result<Session, Error> {
        if let Err(error) = self.save_tokens(&session.tokens).await {
            if let Err(revoke_error) = self.revoke_refresh_token(&session.tokens.refresh).await {
                tracing::warn!(
                    code = revoke_error.code(),
                    "could not revoke the tokens that the keychain refused"
                );
            }
            return Err(error);
        }
        Ok(session)
    }

    /// The stored session: verified, and refreshed first (then stored again) when its tokens
    /// have expired or are about to.
    pub async fn current_session(&self) -> Result<Session, Error> {
        let tokens = self.stored_tokens().await?.ok_or(Error::NotSignedIn)?;
        if self.now() + REFRESH_MARGIN < tokens.expires_at {
            let TokenSet {
                id,
                access,
                refresh,
                ..
            } = tokens.clone();
            match self.session_from_tokens(id, access, refresh).await {
                Ok(session) => return Ok(session),
                Err(Error::Token(crate::tokens::TokenError::Expired { .. })) => {}
                Err(error) => return Err(error),
            }
        }
        self.refresh_stored(tokens).await
    }

    /// Who is signed in (verified claims of the stored ID token; refreshes when expired).
    /// The identity-pool identity id is filled in when one is stored for this user (after the
    /// first use of the identity pool).
    pub async fn whoami(&self) -> Result<WhoAmI, Error> {
        let mut who = self.current_session().await?.whoami();
        who.identity_id = self.stored_identity_id(&who.sub).await?;
        Ok(who)
    }

    /// Refreshes the stored tokens now and stores the result.
    pub async fn refresh(&self) -> Result<Session, Error> {
        let tokens = self.stored_tokens().await?.ok_or(Error::NotSignedIn)?;
        self.refresh_stored(tokens).await
    }

    async fn refresh_stored(&self, tokens: TokenSet) -> Result<Session, Error> {
        match self.refresh_tokens(&tokens).await {
            Ok(session) => self.keep_session(session).await,
            Err(error @ (Error::TokenRevoked | Error::SessionExpired)) => {
                // The refresh token is dead: keeping it would only repeat this error.
                self.forget_dead_tokens().await;
                Err(error)
            }
            Err(error) => Err(error),
        }
    }

    /// The result of a call authorised by the stored access token (GetUser, ChangePassword,
    /// the MFA and device calls…), its error mapped for [`Operation::Account`]. When Cognito
    /// says the token was revoked (`NotAuthorizedException: Access Token has been revoked`,
    /// after a GlobalSignOut from another device, an AdminUserGlobalSignOut, or a RevokeToken
    /// of its refresh token), the stored tokens are deleted before the error is returned, as
    /// [`Client::refresh`] does for a dead refresh token: the revocation covers the refresh
    /// token the access token came from, so keeping them would only make the next start look
    /// signed in until the first call fails again. Forgetting also ends the identity-pool
    /// credentials derived from them ([`Client::token_generation`] changes).
    pub(crate) async fn account_call<T, E, R>(
        &self,
        result: Result<T, SdkError<E, R>>,
    ) -> Result<T, Error>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        let error = match result {
            Ok(output) => return Ok(output),
            Err(error) => map_sdk_error(Operation::Account, &self.endpoint(), error),
        };
        if matches!(error, Error::TokenRevoked) {
            self.forget_dead_tokens().await;
        }
        Err(error)
    }

    /// Deletes tokens that Cognito no longer accepts; a keychain failure is only logged (the
    /// caller reports why the tokens are dead).
    pub(crate) async fn forget_dead_tokens(&self) {
        if let Err(forget_error) = self.forget_tokens().await {
            tracing::warn!(code = forget_error.code(), "could not delete dead tokens");
        }
    }

    /// Exchanges a token set's refresh token for new ID and access tokens
    /// (`REFRESH_TOKEN_AUTH`). Does not touch the store. The refresh token is kept unless
    /// Cognito returns a new one.
    ///
    /// Two parameters come from the (possibly expired, but otherwise verified) access token:
    ///
    /// - `DEVICE_KEY`, when the tokens were issued to a device (its `device_key` claim). In a
    ///   pool that tracks devices the refresh token is bound to that device: without its key,
    ///   or once the device is forgotten, Cognito answers `NotAuthorizedException: Invalid
    ///   Refresh Token`. The InitiateAuth reference lists DEVICE_KEY among the
    ///   REFRESH_TOKEN_AUTH parameters; the failures without it are reported in
    ///   aws-amplify/aws-sdk-android#1469 and aws/aws-sdk-java-v2#1389, and AWS's
    ///   device-tracking post (quoted in aws-amplify/amplify-js#2962) says the tokens are
    ///   linked to a single device and ForgetDevice ends its refresh tokens. The device must
    ///   also have been confirmed, which [`crate::devices`] does after every sign-in.
    /// - `SECRET_HASH`, for clients with a secret, keyed by the pool's internal username (the
    ///   `username` claim; the `sub` in e-mail-username pools), not the alias typed at sign-in:
    ///   Cognito checks it against that name (boto/boto3#2736, qwigo/warrant#74).
    pub async fn refresh_tokens(&self, tokens: &TokenSet) -> Result<Session, Error> {
        let claims = self
            .verify_token_with(tokens.access.expose(), TokenUse::Access, Expiry::Ignore)
            .await?;
        let parameters = refresh_parameters(
            tokens.refresh.expose(),
            claims.device_key.as_deref(),
            self.secret_hash(&claims.username),
        );
        let output = self
            .inner
            .idp
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(self.config().client_id())
            .set_auth_parameters(Some(parameters))
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::Refresh, &self.endpoint(), error))?;
        if let Some(challenge) = output.challenge_name {
            return Err(Error::Protocol {
                reason: format!("refresh answered with the challenge {}", challenge.as_str()),
            });
        }
        self.session_from_result(output.authentication_result, Some(&tokens.refresh))
            .await
    }

    /// Revokes a refresh token (and the access tokens it issued) with `RevokeToken`.
    pub async fn revoke_refresh_token(&self, refresh: &RefreshToken) -> Result<(), Error> {
        self.inner
            .idp
            .revoke_token()
            .token(refresh.expose())
            .client_id(self.config().client_id())
            .set_client_secret(
                self.config()
                    .client_secret()
                    .map(|secret| secret.expose().to_owned()),
            )
            .send()
            .await
            .map_err(|error| map_sdk_error(Operation::RevokeToken, &self.endpoint(), error))?;
        Ok(())
    }

    /// Signs out this client: revokes the refresh token, then deletes the stored tokens. A
    /// token that is already revoked or expired counts as revoked. When the revocation fails
    /// otherwise (e.g. the endpoint is unreachable), the tokens are kept so that it can be
    /// retried, and the error is returned.
    pub async fn sign_out(&self) -> Result<(), Error> {
        let tokens = self.stored_tokens().await?.ok_or(Error::NotSignedIn)?;
        match self.revoke_refresh_token(&tokens.refresh).await {
            Ok(()) | Err(Error::TokenRevoked | Error::SessionExpired) => {}
            Err(error) => return Err(error),
        }
        self.forget_tokens().await?;
        self.note_sign_out_for_hosted_ui().await;
        Ok(())
    }

    /// Signs out everywhere (`GlobalSignOut`: every refresh token of the user is revoked),
    /// then deletes the stored tokens. Refreshes first when the access token has expired.
    pub async fn global_sign_out(&self) -> Result<(), Error> {
        let session = self.current_session().await?;
        let result = self
            .inner
            .idp
            .global_sign_out()
            .access_token(session.tokens.access.expose())
            .send()
            .await;
        match result
            .map_err(|error| map_sdk_error(Operation::GlobalSignOut, &self.endpoint(), error))
        {
            Ok(_) | Err(Error::TokenRevoked) => {}
            Err(error) => return Err(error),
        }
        self.forget_tokens().await?;
        self.note_sign_out_for_hosted_ui().await;
        Ok(())
    }
}

/// The REFRESH_TOKEN_AUTH parameters (see [`Client::refresh_tokens`]).
fn refresh_parameters(
    refresh_token: &str,
    device_key: Option<&str>,
    secret_hash: Option<String>,
) -> HashMap<String, String> {
    let mut parameters = HashMap::from([("REFRESH_TOKEN".to_owned(), refresh_token.to_owned())]);
    if let Some(device_key) = device_key {
        parameters.insert("DEVICE_KEY".to_owned(), device_key.to_owned());
    }
    if let Some(hash) = secret_hash {
        parameters.insert("SECRET_HASH".to_owned(), hash);
    }
    parameters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_parameters_carry_the_device_and_secret_hash_only_when_there_are_some() {
        let plain = refresh_parameters("r", None, None);
        assert_eq!(plain.len(), 1);
        assert_eq!(plain["REFRESH_TOKEN"], "r");
        let full = refresh_parameters("r", Some("us-east-1_d"), Some("hash".into()));
        assert_eq!(full["DEVICE_KEY"], "us-east-1_d");
        assert_eq!(full["SECRET_HASH"], "hash");
    }
}
