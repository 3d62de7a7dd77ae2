//! Sign-in through Cognito's hosted UI in the system browser, with a loopback redirect
//! (RFC 8252, OAuth 2.0 for native apps).
//!
//! # Flow
//!
//! 1. [`crate::Client::begin_hosted_ui_sign_in`] binds a one-shot listener on the port of a configured
//!    loopback redirect URI (`[hosted_ui] redirect_uris`; Cognito matches callback URLs exactly,
//!    port included) and builds the authorize URL: authorization code + PKCE S256 + `state` +
//!    `nonce`, scopes openid/email/profile/aws.cognito.signin.user.admin by default (the last
//!    lets the session call the account APIs), an optional `identity_provider` hint.
//! 2. The caller opens that URL in the system browser ([`HostedUiSignIn::authorize_url`]).
//! 3. [`HostedUiSignIn::finish`] waits for exactly one valid callback (see [`callback`]),
//!    exchanges the code at `<domain>/oauth2/token` with the PKCE verifier, verifies the ID
//!    token (JWKS, `iss`, `aud`, `exp`, and the `nonce`) and the access token, and stores the
//!    token set exactly like an SRP sign-in (same keychain entry, same [`crate::Session`]).
//!
//! Refresh: [`crate::Client::refresh_tokens_with_token_endpoint`] (refresh_token grant); the stored
//! session also refreshes through `REFRESH_TOKEN_AUTH` like any other. Sign-out:
//! [`crate::Client::hosted_ui_sign_out`] (`/oauth2/revoke`, then the `/logout` URL).
//!
//! # Layout and security notes
//!
//! * [`request`] and [`callback`] are pure (URL building, PKCE, `state`/`nonce`, judging a
//!   request); [`loopback`] and the token-endpoint adapter are thin IO around them.
//! * `state` and `nonce` are 256-bit random values compared in constant time; the PKCE
//!   verifier never leaves the process; the code is never logged or shown.
//! * The listener binds loopback only, refuses requests whose `Host` is not a loopback name
//!   with its port (DNS rebinding), refuses wrong-`state` callbacks without ending the wait,
//!   answers other paths with 404, stops after one valid callback, a timeout, or cancellation.
//! * The token client follows no redirects.

pub mod callback;
mod error;
mod exchange;
mod flow;
pub mod loopback;
pub mod request;

pub use error::OAuthError;
pub use flow::{HostedUiOptions, HostedUiSignIn, DEFAULT_SIGN_IN_TIMEOUT};
pub use loopback::LoopbackListener;
