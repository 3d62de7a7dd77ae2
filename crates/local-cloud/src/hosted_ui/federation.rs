//! Federated sign-in through the hosted UI: `identity_provider=<name>` sends the browser to the
//! provider; `/oauth2/idpresponse` takes it back, redeems the provider's code, creates or
//! updates the federated user `<provider>_<sub>` (status `EXTERNAL_PROVIDER`, an `identities`
//! attribute, mapped attributes), and answers the app's original request with a code of the
//! pool's own, exactly like a password login.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::authorize::{with_query, Refusal};
use super::local_idp::{self, IdpIdentity};
use super::session::complete_sign_in;
use super::{pages, pending, AuthorizeRequest, Hosted};
use crate::error::CognitoError;
use crate::model::hosted::IdentityProvider;
use crate::model::{User, UserStatus};
use crate::ops::Ctx;
use crate::secrets::SecretString;

/// A round trip to a provider in progress.
#[derive(Debug, Clone)]
pub struct Federation {
    request: AuthorizeRequest,
    provider: String,
    nonce: String,
}

fn provider_of(ctx: &Ctx<'_>, pool_id: &str, name: &str) -> Result<IdentityProvider, CognitoError> {
    ctx.inner
        .state
        .hosted
        .providers
        .get(pool_id)
        .and_then(|providers| providers.get(name))
        .cloned()
        .ok_or_else(|| CognitoError::invalid_parameter("unknown identity provider"))
}

/// Sends the browser to provider `provider` for `request`.
pub async fn start(hosted: &Arc<Hosted>, request: AuthorizeRequest, provider: &str) -> Response {
    let (pool_id, name) = (request.pool_id.clone(), provider.to_owned());
    let Ok(details) = hosted
        .run(move |ctx| provider_of(ctx, &pool_id, &name).map(|p| p.details))
        .await
    else {
        return pages::error_page(StatusCode::BAD_REQUEST, "Unknown identity provider.");
    };
    let (Some(authorize_url), Some(client_id)) =
        (details.get("authorize_url"), details.get("client_id"))
    else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "The identity provider is misconfigured.",
        );
    };
    let callback = format!("{}/oauth2/idpresponse", hosted.base_url(&request.domain));
    let scope = details
        .get("authorize_scopes")
        .cloned()
        .unwrap_or_else(|| "openid".to_owned());
    let nonce = pending::new_key();
    // Cognito passes `prompt` on to the provider (`none` never gets here: without a session
    // it is answered with login_required).
    let prompt = request.prompt.clone();
    let state = hosted.federations.insert(
        Federation {
            request,
            provider: provider.to_owned(),
            nonce: nonce.clone(),
        },
        hosted.now(),
    );
    let mut params = vec![
        ("response_type", "code".to_owned()),
        ("client_id", client_id.clone()),
        ("redirect_uri", callback),
        ("scope", scope),
        ("state", state),
        ("nonce", nonce),
    ];
    if let Some(prompt) = prompt {
        params.push(("prompt", prompt));
    }
    pages::redirect(&with_query(authorize_url, &params))
}

/// The provider's answer.
#[derive(Debug, Deserialize)]
pub struct IdpResponseQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The pool attributes of a federated user, from the provider's claims and the mapping
/// (pool attribute → claim).
fn mapped_attributes(
    mapping: &BTreeMap<String, String>,
    identity: &IdpIdentity,
) -> BTreeMap<String, String> {
    let claim = |name: &str| match name {
        "sub" => Some(identity.sub.clone()),
        "email" => identity.email.clone(),
        "name" => identity.name.clone(),
        "preferred_username" => Some(identity.username.clone()),
        _ => None,
    };
    let mut attributes: BTreeMap<String, String> = mapping
        .iter()
        .filter(|(attribute, _)| attribute.as_str() != "username")
        .filter_map(|(attribute, claim_name)| Some((attribute.clone(), claim(claim_name)?)))
        .collect();
    // Cognito maps email by default for OIDC providers that release it.
    if let Some(email) = &identity.email {
        attributes
            .entry("email".to_owned())
            .or_insert_with(|| email.clone());
    }
    attributes
}

/// Creates or updates the federated user for `identity`; returns its username.
pub fn link_user(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    provider: &IdentityProvider,
    identity: &IdpIdentity,
) -> Result<String, CognitoError> {
    let now = ctx.now;
    let username = format!("{}_{}", provider.name, identity.sub);
    let mut attributes = mapped_attributes(&provider.attribute_mapping, identity);
    let identities = serde_json::json!([{
        "userId": identity.sub,
        "providerName": provider.name,
        "providerType": provider.provider_type,
        "issuer": serde_json::Value::Null,
        "primary": true,
        "dateCreated": now.unix_timestamp() * 1000,
    }]);
    let pool = ctx.inner.state.pool_mut(pool_id)?;
    match pool.users.get_mut(&username) {
        Some(user) => {
            if !user.enabled {
                return Err(CognitoError::not_authorized("User is disabled."));
            }
            // Mapped attributes follow the provider at every sign-in, as on Cognito.
            for (name, value) in attributes {
                user.attributes.insert(name, value);
            }
            user.last_modified = now;
        }
        None => {
            attributes.insert("identities".to_owned(), identities.to_string());
            if attributes.contains_key("email") {
                attributes.insert("email_verified".to_owned(), "false".to_owned());
            }
            pool.users.insert(
                username.clone(),
                User::new(
                    username.clone(),
                    uuid::Uuid::new_v4().to_string(),
                    attributes,
                    UserStatus::ExternalProvider,
                    None,
                    now,
                ),
            );
            tracing::info!(user_pool_id = %pool_id, username = %username, "federated user created");
        }
    }
    Ok(username)
}

/// `GET /_hosted/{domain}/oauth2/idpresponse`.
pub async fn idp_response(
    State(hosted): State<Arc<Hosted>>,
    Path(domain): Path<String>,
    Query(query): Query<IdpResponseQuery>,
) -> Response {
    let Some(federation) = query
        .state
        .as_deref()
        .and_then(|state| hosted.federations.take(state, hosted.now()))
    else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in has expired or was already completed. Start again from the app.",
        );
    };
    let request = federation.request.clone();
    let back_to_app = |description: &str| {
        Refusal::Redirect {
            redirect_uri: request.redirect_uri.clone(),
            state: request.state.clone(),
            error: "access_denied",
            description: description.to_owned(),
        }
        .into_response()
    };
    if domain != request.domain {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "The provider answered the wrong domain.",
        );
    }
    if query.error.is_some() {
        return back_to_app("the identity provider refused the sign-in");
    }
    let Some(code) = query.code else {
        return back_to_app("the identity provider sent no code");
    };
    let callback = format!("{}/oauth2/idpresponse", hosted.base_url(&domain));
    let runner = Arc::clone(&hosted);
    let fed = federation.clone();
    let linked = hosted
        .run(move |ctx| {
            let provider = provider_of(ctx, &fed.request.pool_id, &fed.provider)?;
            let client_id = provider
                .details
                .get("client_id")
                .cloned()
                .unwrap_or_default();
            let secret = provider
                .details
                .get("client_secret")
                .map(|s| SecretString::new(s.clone()));
            let identity = match local_idp::redeem(
                &runner,
                &ctx.inner.state,
                &code,
                &client_id,
                secret.as_ref(),
                &callback,
            ) {
                Ok(identity) => identity,
                Err(_) => return Ok(None),
            };
            let nonce_ok = identity
                .nonce
                .as_deref()
                .is_some_and(|nonce| bool::from(nonce.as_bytes().ct_eq(fed.nonce.as_bytes())));
            if !nonce_ok {
                return Ok(None);
            }
            link_user(ctx, &fed.request.pool_id, &provider, &identity).map(Some)
        })
        .await;
    match linked {
        Ok(Some(username)) => {
            complete_sign_in(&hosted, federation.request, username, &federation.provider).await
        }
        Ok(None) => back_to_app("the identity provider's answer could not be verified"),
        Err(_) => back_to_app("the federated user could not be signed in"),
    }
}
