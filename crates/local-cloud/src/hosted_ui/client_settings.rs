//! Validation of an app client's OAuth settings, with Cognito's rules and messages.

use crate::error::CognitoError;
use crate::model::hosted::{OAuthClientSettings, COGNITO_PROVIDER};

const FLOWS: [&str; 3] = ["code", "implicit", "client_credentials"];
const STANDARD_SCOPES: [&str; 5] = [
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// Whether `url` may be a callback or logout URL: absolute, no fragment, and HTTPS unless it
/// points at this machine (`localhost`, `127.0.0.1`, `[::1]`), as RFC 8252 loopback redirects do.
pub fn is_acceptable_redirect(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    if parsed.fragment().is_some() || url.len() > 1024 {
        return false;
    }
    match parsed.scheme() {
        "https" => true,
        "http" => matches!(
            parsed.host(),
            Some(url::Host::Domain("localhost"))
                | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
        ),
        // Private-use schemes (com.example.app:/callback) for native apps.
        scheme => scheme.contains('.'),
    }
}

/// Checks OAuth settings as CreateUserPoolClient does. `known_providers` are the pool's
/// identity providers.
pub fn validate(
    settings: &OAuthClientSettings,
    known_providers: &[String],
) -> Result<(), CognitoError> {
    for flow in &settings.allowed_flows {
        if !FLOWS.contains(&flow.as_str()) {
            return Err(CognitoError::constraint(
                "allowedOAuthFlows",
                "Member must satisfy constraint: [Member must satisfy enum value set: [implicit, client_credentials, code]]",
            ));
        }
    }
    for url in settings
        .callback_urls
        .iter()
        .chain(&settings.logout_urls)
        .chain(&settings.default_redirect_uri)
    {
        if !is_acceptable_redirect(url) {
            return Err(CognitoError::invalid_parameter(format!(
                "{url} is not a valid redirect URL: it must be absolute, without a fragment, and use HTTPS unless it is a loopback address."
            )));
        }
    }
    if let Some(default) = &settings.default_redirect_uri {
        if !settings.allows_callback(default) {
            return Err(CognitoError::invalid_parameter(
                "DefaultRedirectURI must be one of the CallbackURLs.",
            ));
        }
    }
    let has_openid = settings.allowed_scopes.iter().any(|s| s == "openid");
    for scope in &settings.allowed_scopes {
        let custom = scope.contains('/') && !scope.starts_with('/');
        if !STANDARD_SCOPES.contains(&scope.as_str()) && !custom {
            return Err(CognitoError::invalid_parameter(format!(
                "{scope} is not a valid scope."
            )));
        }
        if matches!(scope.as_str(), "email" | "phone" | "profile") && !has_openid {
            return Err(CognitoError::invalid_parameter(
                "Scopes email, phone and profile require openid.",
            ));
        }
    }
    for provider in &settings.supported_identity_providers {
        if provider != COGNITO_PROVIDER && !known_providers.contains(provider) {
            return Err(CognitoError::invalid_parameter(format!(
                "The provider {provider} does not exist for User Pool."
            )));
        }
    }
    if settings.allowed_flows_user_pool_client {
        if settings.allowed_flows.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "AllowedOAuthFlows are required when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
        if settings.allowed_scopes.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "AllowedOAuthScopes are required when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
        let browser_flow = settings
            .allowed_flows
            .iter()
            .any(|f| f == "code" || f == "implicit");
        if browser_flow && settings.callback_urls.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "CallbackURLs are required for the code and implicit flows.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> OAuthClientSettings {
        OAuthClientSettings {
            callback_urls: vec!["http://127.0.0.1:53682/callback".into()],
            logout_urls: vec![],
            default_redirect_uri: None,
            allowed_flows: vec!["code".into()],
            allowed_flows_user_pool_client: true,
            allowed_scopes: vec!["openid".into(), "email".into()],
            supported_identity_providers: vec!["COGNITO".into()],
        }
    }

    #[test]
    fn loopback_http_is_allowed_other_http_is_not() {
        assert!(is_acceptable_redirect("http://127.0.0.1:53682/callback"));
        assert!(is_acceptable_redirect("http://localhost:53682/callback"));
        assert!(is_acceptable_redirect("http://[::1]:53682/callback"));
        assert!(is_acceptable_redirect("https://app.example.com/cb"));
        assert!(!is_acceptable_redirect("http://app.example.com/cb"));
        assert!(!is_acceptable_redirect("https://app.example.com/cb#frag"));
        assert!(!is_acceptable_redirect("/relative"));
    }

    #[test]
    fn cognito_rules() {
        assert!(validate(&settings(), &[]).is_ok());
        let mut no_openid = settings();
        no_openid.allowed_scopes = vec!["email".into()];
        assert!(validate(&no_openid, &[]).is_err());
        let mut unknown_provider = settings();
        unknown_provider
            .supported_identity_providers
            .push("Nope".into());
        assert!(validate(&unknown_provider, &[]).is_err());
        assert!(validate(&unknown_provider, &["Nope".into()]).is_ok());
        let mut no_callbacks = settings();
        no_callbacks.callback_urls.clear();
        assert!(validate(&no_callbacks, &[]).is_err());
        let mut bad_flow = settings();
        bad_flow.allowed_flows = vec!["password".into()];
        assert!(validate(&bad_flow, &[]).is_err());
    }
}
