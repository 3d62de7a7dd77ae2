//! Errors of the hosted-UI sign-in.

/// Why a hosted-UI sign-in failed. `Display` never contains a code, token or `state`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The config has no `[hosted_ui]` section, or it cannot be used.
    #[error("the hosted UI is not configured: {reason}")]
    InvalidConfig {
        /// What is missing or wrong.
        reason: &'static str,
    },
    /// None of the configured redirect URIs is a loopback `http://` URI with a port.
    #[error("no usable loopback redirect URI in hosted_ui.redirect_uris (need http://127.0.0.1:PORT/PATH or http://localhost:PORT/PATH)")]
    NoLoopbackRedirect,
    /// The redirect URI's port is taken by another program.
    #[error("cannot listen on {address} for the sign-in redirect")]
    PortUnavailable {
        /// The address.
        address: String,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// No valid callback arrived in time.
    #[error("the browser sign-in timed out")]
    TimedOut,
    /// The sign-in was cancelled by the caller.
    #[error("the browser sign-in was cancelled")]
    Cancelled,
    /// The authorization server answered the callback with `error=`.
    #[error("the sign-in was refused by the authorization server ({error}){}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Denied {
        /// The OAuth `error` code (shortened, printable).
        error: String,
        /// `error_description`, when given (shortened, printable).
        description: Option<String>,
    },
    /// A callback with our `state` but without a code.
    #[error("the sign-in callback had neither a code nor an error")]
    MalformedCallback,
    /// The token endpoint refused the request (`invalid_grant`, `invalid_client`, …).
    #[error("the token endpoint refused the request ({error})")]
    TokenRefused {
        /// The OAuth error code.
        error: String,
    },
    /// The token response lacks the ID token (the `openid` scope is required).
    #[error("the token response has no ID token; the openid scope is required")]
    NoIdToken,
}

impl OAuthError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidConfig { .. } => "hosted_ui_not_configured",
            Self::NoLoopbackRedirect => "hosted_ui_no_loopback_redirect",
            Self::PortUnavailable { .. } => "loopback_port_unavailable",
            Self::TimedOut => "hosted_ui_timed_out",
            Self::Cancelled => "hosted_ui_cancelled",
            Self::Denied { .. } => "hosted_ui_denied",
            Self::MalformedCallback => "hosted_ui_malformed_callback",
            Self::TokenRefused { .. } => "token_request_refused",
            Self::NoIdToken => "token_response_without_id_token",
        }
    }
}
