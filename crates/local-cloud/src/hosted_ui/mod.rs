//! The hosted UI: Cognito's OAuth 2.0 / OpenID Connect endpoints and login pages, for every
//! pool with a domain, plus a built-in OIDC provider ([`local_idp`]) to federate with offline.
//!
//! # URLs
//!
//! A pool's domain prefix `<d>` (CreateUserPoolDomain) is served at `<endpoint>/_hosted/<d>`,
//! standing in for `https://<d>.auth.<region>.amazoncognito.com` (no DNS needed). Under it:
//!
//! | path | what |
//! |---|---|
//! | `GET /oauth2/authorize` | checks the request, then goes back to the app with a code when the browser has a session ([`session`]), else shows the login page (or goes to a federated provider for `identity_provider=…`); `prompt=login` / `prompt=none` as on Cognito |
//! | `POST /login` | the login form: CSRF-checked, password verified against the SRP verifier, then the MFA page or `302` to the app with a code |
//! | `POST /mfa` | the MFA pages: choice of factor, then the TOTP / SMS / e-mail code ([`mfa`]) |
//! | `GET /signup`, `POST /signup`, `POST /confirm` | sign-up and confirmation pages, linked from the login page |
//! | `POST /oauth2/token` | `authorization_code` (PKCE S256 checked; `plain` refused) and `refresh_token` grants |
//! | `GET/POST /oauth2/userInfo` | the user's claims for a bearer access token with `openid` from this domain's pool, filtered by its scopes ([`endpoints::user_info_claims`]) |
//! | `POST /oauth2/revoke` | revokes a refresh token (of a client of this domain's pool) and everything minted from it |
//! | `GET /logout` | ends the browser's session and sends it to a registered logout URL (`logout_uri`), or to sign in again (`redirect_uri` and an authorization request's parameters) |
//! | `GET /oauth2/idpresponse` | where federated providers return |
//! | `GET /.well-known/openid-configuration` | discovery for the domain's endpoints |
//!
//! # Security notes
//!
//! * `redirect_uri` must equal a registered callback URL exactly (port included); a bad
//!   client or redirect URI is answered with an error page, never a redirect.
//! * Codes are random 256-bit values, single-use (taken on first presentation, even a failed
//!   one), valid 5 minutes, and bound to the client, the redirect URI, the PKCE challenge and
//!   the nonce. With a `code_challenge` the token request must prove the verifier (S256 only).
//! * The login form carries a per-page CSRF token that must match both the server's record
//!   of the page and an `HttpOnly; SameSite=Strict` cookie (double submit). The password is
//!   only ever in the POST body; it is checked against the stored SRP verifier and dropped.
//! * Pages are `no-store`, unframeable, script-free, and escape every value they show.
//! * MFA: a correct password leads to the same MFA decision as the API sign-in
//!   ([`crate::ops::sign_in::mfa_requirement`]); the login waits for its second factor in a
//!   single-use, 3-minute, CSRF-bound server-side record, never holding the password ([`mfa`]).
//!   Remembered devices do not apply (a browser has no device key), as on Cognito's hosted UI.
//! * Single sign-on: a completed sign-in (MFA included) sets the `cognito` session cookie, a
//!   random 256-bit id (`HttpOnly; SameSite=Lax`, scoped to the domain's path) for a
//!   server-side, one-hour, memory-only session ([`session`]).

pub mod authorize;
pub mod client_settings;
pub mod endpoints;
pub mod federation;
pub mod local_idp;
pub mod login;
pub mod mfa;
pub mod pages;
pub mod pending;
pub mod pkce;
pub mod qr;
pub mod session;
pub mod signup;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

use crate::error::CognitoError;
use crate::ops::Ctx;
use crate::server::App;
use pending::Ledger;

/// How long an authorization code is valid.
pub const CODE_LIFETIME: Duration = Duration::from_secs(300);
/// How long a login page (its CSRF token and the request it serves) is valid.
pub const PAGE_LIFETIME: Duration = Duration::from_secs(900);

/// A checked authorization request: everything a code will be bound to.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    /// The domain prefix it came through.
    pub domain: String,
    /// The pool.
    pub pool_id: String,
    /// The app client.
    pub client_id: String,
    /// The registered callback URL the code goes to.
    pub redirect_uri: String,
    /// The app's `state`, echoed back.
    pub state: Option<String>,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// The app's `nonce`, put in the ID token.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// The OIDC `prompt` values, space-separated (checked: `none` stands alone); forwarded to
    /// federated providers, as Cognito does.
    pub prompt: Option<String>,
}

/// An issued authorization code's record.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    /// The request it answers.
    pub request: AuthorizeRequest,
    /// The signed-in user (internal username).
    pub username: String,
}

/// A login page shown and not yet submitted.
#[derive(Debug, Clone)]
pub struct LoginPage {
    /// The request it serves.
    pub request: AuthorizeRequest,
    /// Its CSRF token.
    pub csrf: String,
}

/// The hosted UI's shared state: the server's, plus the memory-only ledgers.
pub struct Hosted {
    /// The server state.
    pub app: Arc<App>,
    /// Login pages by key.
    pub logins: Ledger<LoginPage>,
    /// Logins waiting for their second factor.
    pub mfa: Ledger<mfa::MfaPage>,
    /// Authorization codes.
    pub codes: Ledger<IssuedCode>,
    /// Federation round trips by the `state` sent to the provider.
    pub federations: Ledger<federation::Federation>,
    /// The built-in provider's pages and codes.
    pub idp: local_idp::Runtime,
    /// Signed-in browsers, by session cookie.
    pub sessions: Ledger<session::BrowserSession>,
}

impl Hosted {
    /// The current time.
    pub fn now(&self) -> time::OffsetDateTime {
        self.app.clock.now()
    }

    /// Runs `op` under the store lock on a blocking thread.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        op: impl FnOnce(&mut Ctx<'_>) -> Result<T, CognitoError> + Send + 'static,
    ) -> Result<T, CognitoError> {
        let app = Arc::clone(&self.app);
        tokio::task::spawn_blocking(move || {
            app.store.run(|inner| {
                let mut ctx = Ctx {
                    inner,
                    now: app.clock.now(),
                    endpoint: &app.endpoint,
                    region: &app.region,
                    credentials_ttl: app.credentials_ttl,
                };
                op(&mut ctx)
            })
        })
        .await
        .map_err(|_| CognitoError::internal())?
    }

    /// The base URL of domain `domain` on this server.
    pub fn base_url(&self, domain: &str) -> String {
        crate::ops::domains::hosted_base_url(&self.app.endpoint, domain)
    }
}

/// The hosted UI's and LocalIdP's routes, to be merged into the server's router.
pub fn router(app: Arc<App>) -> Router {
    let hosted = Arc::new(Hosted {
        app,
        logins: Ledger::new(PAGE_LIFETIME),
        mfa: Ledger::new(mfa::MFA_PAGE_LIFETIME),
        codes: Ledger::new(CODE_LIFETIME),
        federations: Ledger::new(PAGE_LIFETIME),
        idp: local_idp::Runtime::default(),
        sessions: Ledger::new(session::SESSION_LIFETIME),
    });
    Router::new()
        .route(
            "/_hosted/{domain}/oauth2/authorize",
            get(authorize::authorize),
        )
        .route("/_hosted/{domain}/login", post(login::login))
        .route("/_hosted/{domain}/mfa", post(mfa::submit))
        .route(
            "/_hosted/{domain}/signup",
            get(signup::show).post(signup::submit),
        )
        .route("/_hosted/{domain}/confirm", post(signup::confirm))
        .route("/_hosted/{domain}/oauth2/token", post(token::token))
        .route(
            "/_hosted/{domain}/oauth2/userInfo",
            get(endpoints::user_info).post(endpoints::user_info),
        )
        .route("/_hosted/{domain}/oauth2/revoke", post(endpoints::revoke))
        .route("/_hosted/{domain}/logout", get(endpoints::logout))
        .route(
            "/_hosted/{domain}/oauth2/idpresponse",
            get(federation::idp_response),
        )
        .route(
            "/_hosted/{domain}/.well-known/openid-configuration",
            get(endpoints::discovery),
        )
        .merge(local_idp::routes())
        .with_state(hosted)
}
