//! The authorization request (pure): PKCE S256, `state`, `nonce`, and the authorize URL.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use oauth2::{
    AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use rand::RngCore;
use reqwest::Url;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::OAuthError;

/// The scopes asked for when none are configured: the OIDC ones for the ID token, and
/// `aws.cognito.signin.user.admin`, without which Cognito refuses the access token for every
/// token-authorised user-pool call (GetUser, ChangePassword, GlobalSignOut, the MFA and device
/// calls: "It must include the scope aws.cognito.signin.user.admin", Cognito API reference) with
/// `NotAuthorizedException: Access Token does not have required scopes`. The app client must
/// allow all four (`AllowedOAuthScopes`), or the authorize request fails with `invalid_scope`.
pub const DEFAULT_SCOPES: [&str; 4] = [
    "openid",
    "email",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// Bytes of randomness in `state` and `nonce` (256 bits).
const RANDOM_BYTES: usize = 32;

/// A fresh random value for `state` or `nonce`: 256 bits, base64url.
pub fn random_token() -> String {
    let mut bytes = Zeroizing::new([0u8; RANDOM_BYTES]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    URL_SAFE_NO_PAD.encode(bytes.as_ref())
}

/// Whether a received `state` is the one sent, compared in constant time.
pub fn state_matches(expected: &str, received: &str) -> bool {
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

/// The PKCE challenge for `verifier` (S256, RFC 7636 §4.2).
pub fn pkce_s256(verifier: &str) -> String {
    PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()))
        .as_str()
        .to_owned()
}

/// What goes into an authorize URL besides the random values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeParams<'a> {
    /// The hosted UI's base URL (`https://<domain>.auth.<region>.amazoncognito.com`).
    pub domain: &'a str,
    /// The app client.
    pub client_id: &'a str,
    /// The registered loopback redirect URI.
    pub redirect_uri: &'a Url,
    /// The scopes.
    pub scopes: &'a [String],
    /// `identity_provider` (e.g. `Google`, `LocalIdP`), to skip the provider choice.
    pub provider: Option<&'a str>,
    /// OIDC `prompt` (`login`: ask for credentials even if the browser has a hosted-UI
    /// session).
    pub prompt: Option<&'a str>,
}

/// The authorize URL for `params` with the given `state`, `nonce` and PKCE challenge.
pub fn authorize_url(
    params: &AuthorizeParams<'_>,
    state: &str,
    nonce: &str,
    pkce_challenge: PkceCodeChallenge,
) -> Result<Url, OAuthError> {
    let auth_url = AuthUrl::new(format!(
        "{}/oauth2/authorize",
        params.domain.trim_end_matches('/')
    ))
    .map_err(|_| OAuthError::InvalidConfig {
        reason: "hosted_ui.domain is not a URL",
    })?;
    let redirect = RedirectUrl::from_url(params.redirect_uri.clone());
    let client = oauth2::basic::BasicClient::new(ClientId::new(params.client_id.to_owned()))
        .set_auth_uri(auth_url)
        .set_redirect_uri(redirect);
    let state = state.to_owned();
    let mut request = client
        .authorize_url(move || CsrfToken::new(state))
        .add_scopes(params.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(pkce_challenge)
        .add_extra_param("nonce", nonce.to_owned());
    if let Some(provider) = params.provider {
        request = request.add_extra_param("identity_provider", provider.to_owned());
    }
    if let Some(prompt) = params.prompt {
        request = request.add_extra_param("prompt", prompt.to_owned());
    }
    Ok(request.url().0)
}

/// An authorization request in flight: the URL to open and the secrets to finish it with.
pub struct AuthorizationRequest {
    pub(crate) url: Url,
    pub(crate) state: Zeroizing<String>,
    pub(crate) nonce: Zeroizing<String>,
    pub(crate) verifier: PkceCodeVerifier,
    pub(crate) redirect_uri: Url,
}

impl std::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish_non_exhaustive()
    }
}

impl AuthorizationRequest {
    /// A request with fresh `state`, `nonce` and PKCE verifier.
    pub fn new(params: &AuthorizeParams<'_>) -> Result<Self, OAuthError> {
        let state = Zeroizing::new(random_token());
        let nonce = Zeroizing::new(random_token());
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(RANDOM_BYTES as u32);
        let url = authorize_url(params, &state, &nonce, challenge)?;
        Ok(Self {
            url,
            state,
            nonce,
            verifier,
            redirect_uri: params.redirect_uri.clone(),
        })
    }

    /// The URL to open in the system browser. It carries no secret: `state`, `nonce` and the
    /// PKCE challenge are useless without the verifier, which never leaves this process.
    pub fn url(&self) -> &Url {
        &self.url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636, Appendix B.
    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_tokens_are_long_distinct_and_url_safe() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in unpadded base64url");
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn state_comparison_is_exact() {
        assert!(state_matches("abc", "abc"));
        assert!(!state_matches("abc", "abd"));
        assert!(!state_matches("abc", "abcd"));
        assert!(!state_matches("abc", ""));
    }

    #[test]
    fn authorize_url_carries_every_parameter() {
        let redirect = Url::parse("http://127.0.0.1:53682/callback").unwrap();
        let scopes = vec!["openid".to_owned(), "email".to_owned()];
        let params = AuthorizeParams {
            domain: "https://demo.auth.us-east-1.amazoncognito.com/",
            client_id: "client123",
            redirect_uri: &redirect,
            scopes: &scopes,
            provider: Some("Google"),
            prompt: Some("login"),
        };
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned(),
        ));
        let url = authorize_url(&params, "the-state", "the-nonce", challenge).unwrap();
        assert_eq!(
            url.as_str().split('?').next(),
            Some("https://demo.auth.us-east-1.amazoncognito.com/oauth2/authorize")
        );
        let query: std::collections::HashMap<String, String> =
            url.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "client123");
        assert_eq!(query["redirect_uri"], "http://127.0.0.1:53682/callback");
        assert_eq!(query["scope"], "openid email");
        assert_eq!(query["state"], "the-state");
        assert_eq!(query["nonce"], "the-nonce");
        assert_eq!(
            query["code_challenge"],
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["identity_provider"], "Google");
        assert_eq!(query["prompt"], "login");
    }

    #[test]
    fn fresh_requests_differ_and_their_challenge_matches_the_verifier() {
        let redirect = Url::parse("http://127.0.0.1:53682/callback").unwrap();
        let scopes = vec!["openid".to_owned()];
        let params = AuthorizeParams {
            domain: "http://127.0.0.1:4566/_hosted/demo",
            client_id: "c",
            redirect_uri: &redirect,
            scopes: &scopes,
            provider: None,
            prompt: None,
        };
        let a = AuthorizationRequest::new(&params).unwrap();
        let b = AuthorizationRequest::new(&params).unwrap();
        assert_ne!(*a.state, *b.state);
        assert_ne!(*a.nonce, *b.nonce);
        let query: std::collections::HashMap<String, String> =
            a.url().query_pairs().into_owned().collect();
        assert_eq!(query["code_challenge"], pkce_s256(a.verifier.secret()));
        assert!(!query.contains_key("identity_provider"));
        assert!(!format!("{a:?}").contains(a.state.as_str()));
    }
}
