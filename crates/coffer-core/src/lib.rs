//! The Coffer client library: sign-up, sign-in and sessions against an Amazon Cognito user
//! pool (on AWS or on Coffer's local cloud), with tokens verified against the pool's keys and
//! kept in the operating system's keychain; temporary AWS credentials from a Cognito identity
//! pool ([`identity`], signed in or as a guest); and the person's files in S3 under their own
//! prefix ([`storage`]: list, download, delete; [`upload`]: parallel, resumable multipart
//! uploads). No UI: the `coffer` CLI and the desktop app are thin shells over this crate.
//!
//! # Design
//!
//! - **Typed steps.** A sign-in is a chain of values, each consumed by answering it
//!   ([`SignIn`] → [`PasswordVerifier`] → [`SignInStep`]: [`MfaCodeStep`], [`SelectMfaStep`],
//!   [`TotpSetupStep`], [`SelectMfaSetupStep`], [`EmailMfaSetupStep`], [`NewPasswordStep`],
//!   then `Done`), so an out-of-order call does not
//!   compile. A refused answer the user can correct gives the step back ([`StepError`]).
//!   Remembered devices answer their own SRP challenge from the keychain ([`devices`]); every
//!   device a pool starts tracking is confirmed, since its refresh token is bound to it.
//!   Challenges not handled come back as [`SignInStep::Unsupported`]; the enum is
//!   `#[non_exhaustive]`.
//! - **Pure protocol, thin adapters.** The SRP math (`cognito-srp`), token verification
//!   ([`tokens::verify`]), config parsing ([`Config`]) and the mapping of Cognito error codes
//!   are functions of their inputs, unit-tested without a network. The network is reached
//!   through two thin adapters: the official `aws-sdk-cognitoidentityprovider` client (unsigned
//!   public calls, no AWS credentials) and a small `reqwest` fetch of the pool's JWKS.
//! - **Injected clock and endpoints.** Time comes from a [`Clock`] (token expiry, the SRP
//!   timestamp); endpoints come from the [`Config`], so the same code runs against AWS and
//!   against the local cloud on loopback.
//! - **Errors for programs and people.** One `#[non_exhaustive]` error enum per concern
//!   ([`Error`], [`ConfigError`], [`TokenError`], [`StoreError`]); each has a stable
//!   snake_case `code()` for user interfaces and a `Display` sentence for people.
//!
//! - **Files.** [`Client::files`] resolves the identity (its id names the prefix
//!   `private/<identity id>/`) and gives a [`Files`] bound to it; every key is built by the
//!   pure [`object_key`], which refuses names that could leave the prefix. Uploads stream
//!   from disk with bounded memory, checksum every part (CRC32C), survive the process dying
//!   (a journal plus ListParts) and outlive their credentials (renewed before expiry, and on
//!   `ExpiredToken`).
//!
//! # Security notes
//!
//! - **What is secret:** the password, one-time codes, the app client secret, the ID,
//!   access and refresh tokens, the challenge Session, the TOTP secret ([`TotpSecret`]) and a
//!   remembered device's password. Each has its own type ([`secret`]) whose `Debug` prints
//!   `[redacted]`, that has no `Display` or `Serialize`, that zeroes its memory on drop, and
//!   whose text is reachable only through `expose()`.
//! - **Where it lives:** a tracked or remembered device's key, group key and password in the
//!   OS keychain, one entry per user ([`devices`]); the TOTP secret only in memory, shown once as a QR code
//!   or URI. The password only in memory, for the SRP computation (sign-in never
//!   sends it; sign-up must). Tokens live in memory and in the OS keychain ([`KeyringStore`]:
//!   macOS Keychain, Windows Credential Manager, Secret Service on Linux) as one JSON secret per
//!   pool and client, split over several entries when larger than one entry may hold
//!   (Windows: 2560 bytes; see [`store`]). There is no plain-file fallback: without a keychain, signing in fails with
//!   `keychain_unavailable`. The client secret lives in the config file the user provides.
//! - **What is trusted:** a token only after [`tokens::verify`] — RS256 only (`none` and
//!   HMAC algorithms are refused before any key lookup), signature by a key from the pool's
//!   JWKS, exact issuer, our client as audience, the right `token_use`, and `exp`/`iat` within
//!   a skew allowance of the injected clock.
//! - **AWS credentials** from the identity pool live in memory only (the SDK's `Credentials`
//!   type: redacted `Debug`, zeroed on drop); the identity id is kept in the keychain. The
//!   upload journal (in the platform data dir) holds upload ids, keys, part size and a file
//!   fingerprint, never credentials or tokens.
//! - **What reaches logs and errors:** names, codes and URLs; never secrets. Error messages
//!   from the server are kept only where they help (the password policy) and Cognito does not
//!   echo secrets in them.

mod account;
pub mod challenge;
mod client;
pub mod clock;
pub mod config;
pub mod devices;
mod error;
pub mod identity;
mod idp;
pub mod jwks;
mod mfa;
mod mfa_setup;
mod new_password;
pub mod oauth;
pub mod secret;
mod session;
mod sign_in;
mod sign_up;
pub mod storage;
pub mod store;
pub mod tokens;
pub mod totp;
pub mod upload;

pub use account::{MfaPreference, MfaSettings, UserAttribute};
pub use challenge::StepError;
pub use client::{Client, ClientBuilder};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    default_local_cloud_dir, Config, ConfigError, ConfigLocations, ConfigOrigin, ConfigPath,
    Endpoints, HostedUi, CONFIG_ENV_VAR, CONFIG_FILE_NAME, DEFAULT_LOCAL_CLOUD_ADDR,
};
pub use devices::DeviceInfo;
pub use error::Error;
pub use identity::{login_provider_name, IdentityCredentials, IdentityMode};
pub use idp::NetworkSettings;
pub use mfa::{MfaCodeStep, MfaKind, SelectMfaStep};
pub use mfa_setup::{EmailMfaSetupStep, SelectMfaSetupStep};
pub use new_password::NewPasswordStep;
pub use oauth::{HostedUiOptions, HostedUiSignIn, OAuthError};
pub use secret::{AccessToken, ClientSecret, IdToken, Password, RefreshToken, VerificationCode};
pub use session::{DeviceRemembering, Session, WhoAmI};
pub use sign_in::{PasswordVerifier, SignIn, SignInStep};
pub use sign_up::{CodeDelivery, DeliveryMedium, SignUpOutcome};
pub use storage::{object_key, Files, Key, KeyError, Listing, RemoteFile, StorageError};
pub use store::{KeyringStore, MemoryStore, SecretStore, StoreError};
pub use tokens::{TokenError, TokenSet, TokenUse, VerifiedClaims};
pub use totp::{TotpEnrollment, TotpSecret, TotpSetup, TotpSetupStep};
pub use upload::{Progress, UploadControl, UploadOptions, UploadOutcome, Uploader};
