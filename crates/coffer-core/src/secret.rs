//! Secret values: passwords, one-time codes, client secrets and tokens.
//!
//! Each secret is its own type so a password cannot be passed where a token is expected. All of
//! them:
//! - print `[redacted]` in `Debug` (and have no `Display`), so they cannot leak through logs or
//!   error messages by accident;
//! - do not implement `Serialize`; the token set reaches the keychain through a private
//!   serialisation helper in [`crate::tokens`] and nowhere else;
//! - zero their memory when dropped;
//! - compare in constant time.
//!
//! The text is reachable only through `expose()`, which makes every use easy to find in review.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret text. Every call site is a place where the secret leaves its wrapper:
            /// keep them few and never log the result.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
            }
        }

        impl Eq for $name {}

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

secret_type!(
    /// A user's password. Used locally for the SRP proof (sign-in never sends it) and sent,
    /// over TLS, only by sign-up, which Cognito requires.
    Password
);
secret_type!(
    /// A one-time verification code (sign-up confirmation, MFA, password reset).
    VerificationCode
);
secret_type!(
    /// The app client's secret, for app clients created with one. Used to compute
    /// `SECRET_HASH`, and sent (over TLS on AWS) only by `RevokeToken`, which requires it.
    ClientSecret
);
secret_type!(
    /// A Cognito access token (a JWT). Bearer credential for the user-pool APIs.
    AccessToken
);
secret_type!(
    /// A Cognito ID token (a JWT carrying the user's identity claims).
    IdToken
);
secret_type!(
    /// A Cognito refresh token (opaque). Long-lived: it mints new ID and access tokens.
    RefreshToken
);

impl<'de> serde::Deserialize<'de> for ClientSecret {
    /// Client secrets are read from the config file; reading is allowed, writing is not.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let password = Password::new("hunter2-correct-horse");
        let debug = format!("{password:?}");
        assert_eq!(debug, "Password([redacted])");
        assert!(!debug.contains("hunter2"));

        let token = RefreshToken::new("eyJsecret.token.text");
        assert!(!format!("{token:?}").contains("eyJ"));
    }

    #[test]
    fn expose_returns_the_value_and_equality_compares_content() {
        let code = VerificationCode::new("123456");
        assert_eq!(code.expose(), "123456");
        assert_eq!(code, VerificationCode::new("123456"));
        assert_ne!(code, VerificationCode::new("123457"));
        assert_ne!(code, VerificationCode::new("1234567"));
    }

    #[test]
    fn client_secret_deserializes_from_a_string() {
        #[derive(serde::Deserialize)]
        struct Holder {
            secret: ClientSecret,
        }
        let holder: Holder = toml::from_str(r#"secret = "s3cr3t""#).unwrap();
        assert_eq!(holder.secret.expose(), "s3cr3t");
    }
}
