//! Coffer's local cloud: a faithful loopback emulator of Amazon Cognito user pools, Cognito
//! identity pools and the part of S3 a per-user file store needs.
//!
//! Other emulators accept wrong passwords and bogus sessions; this one fails a client bug the
//! way AWS would. Unmodified clients — boto3, the AWS CLI, the Rust SDK, pycognito,
//! amazon-cognito-identity-js — talk to it over the real AWS protocols (JSON 1.1 for Cognito,
//! REST/XML with SigV4 for S3), all on one port.
//!
//! ```no_run
//! # async fn demo() -> Result<(), local_cloud::LocalCloudError> {
//! let config = local_cloud::LocalCloudConfig::new("127.0.0.1:4566".parse().unwrap(), "/tmp/coffer-data");
//! let cloud = local_cloud::start(config).await?;
//! println!("Cognito at {}, client config in {}", cloud.endpoint(), cloud.demo().config_path.display());
//! cloud.wait().await;
//! # Ok(()) }
//! ```
//!
//! # Design
//!
//! * **Protocol** ([`protocol`], [`server`]): `POST /` with `X-Amz-Target`, errors as
//!   `{"__type","message"}` plus `x-amzn-ErrorType`, HTTP 400/413/500 as AWS answers them.
//!   Admin operations (Create*, Describe*, List*, Admin*) need a SigV4 signature made with this
//!   local cloud's admin key ([`sigv4`], [`credentials`]); user operations are unsigned, as on AWS.
//! * **Operations** ([`ops`]) are synchronous functions over the [`store`], which serialises them
//!   behind one mutex, persists every change atomically to `<data>/state.json` and rolls back on
//!   a panic or a failed write.
//! * **Sign-in** follows Cognito exactly: SRP-6a via [`cognito_srp`] (PASSWORD_VERIFIER with no
//!   Session, a single-use SECRET_BLOCK that expires, strict TIMESTAMP), SECRET_HASH wherever
//!   Cognito checks it, `PreventUserExistenceErrors`, `ExplicitAuthFlows`, user status checks only
//!   after the password is proven, NEW_PASSWORD_REQUIRED for administrator-created users.
//! * **MFA** ([`ops::mfa`], [`ops::mfa_answers`], [`ops::sign_in`]): SetUserPoolMfaConfig
//!   (OFF / OPTIONAL / ON), SOFTWARE_TOKEN_MFA (RFC 6238 via [`totp`]: random 160-bit secret per
//!   user, ±1 step, a time step accepted once), SMS_MFA and EMAIL_OTP (codes to the outbox),
//!   SELECT_MFA_TYPE, and MFA_SETUP (listing every factor the pool offers) through
//!   AssociateSoftwareToken / VerifySoftwareToken with the challenge Session, or by answering
//!   with an `EMAIL` address that an EMAIL_OTP code then verifies.
//! * **Challenge sessions** ([`challenges`]): opaque, single-use, expiring after the client's
//!   `AuthSessionValidity` (3 minutes), bound to pool, app client, user and challenge; a bogus,
//!   expired, replayed or foreign Session is `NotAuthorizedException`. A wrong MFA code is
//!   `CodeMismatchException` and keeps the session for up to three wrong codes in all.
//! * **Recovery and attributes** ([`ops::recovery`], [`ops::attributes`]): ForgotPassword /
//!   ConfirmForgotPassword (1-hour codes), ChangePassword, UpdateUserAttributes with
//!   re-verification of a changed e-mail or phone, GetUserAttributeVerificationCode,
//!   VerifyUserAttribute.
//! * **Remembered devices** ([`ops::devices`]): `NewDeviceMetadata` when the pool has a
//!   `DeviceConfiguration`, ConfirmDevice (the client's SRP verifier), UpdateDeviceStatus,
//!   Get/List/ForgetDevice, and DEVICE_SRP_AUTH → DEVICE_PASSWORD_VERIFIER on the next sign-in,
//!   which skips MFA.
//! * **Tokens** ([`jwt`]): RS256 JWTs with Cognito's claims, one RSA-2048 key per pool served as a
//!   JWKS, issuer `<endpoint>/<poolId>`. Refresh tokens are opaque and tied to a session whose
//!   revocation (RevokeToken, GlobalSignOut) cuts off every token minted from it; in a pool that
//!   tracks devices, also to the sign-in's device (`device_key` claim): they refresh only with
//!   that confirmed device's `DEVICE_KEY`, as on AWS ([`ops::tokens`]).
//! * **Hosted UI** ([`hosted_ui`]): Cognito's OAuth 2.0 / OIDC endpoints and login pages for
//!   pools with a domain, at `<endpoint>/_hosted/<domain>` (no DNS needed), with PKCE S256,
//!   exact redirect-URI matching, single-use codes and CSRF-checked forms; plus LocalIdP, a
//!   built-in OIDC provider for federated sign-in offline.
//! * **Identity pools** ([`identity`]): GetId / GetCredentialsForIdentity with `Logins` checked
//!   against the user pool's own keys, guests where allowed, Cognito's guest → sign-in rules,
//!   temporary credentials (`ASIA…`, 1 hour by default, [`LocalCloudConfig::credentials_ttl`])
//!   bound to the identity and its role.
//! * **S3** ([`s3`]): the s3s crate speaks the protocol (SigV4 with session tokens, aws-chunked
//!   bodies, trailing checksums); objects stream into a filesystem store under `<data>/s3/`;
//!   every request is authorised by the role's IAM policy ([`policy`]) with
//!   `${cognito-identity.amazonaws.com:sub}` bound to the identity id. The admin key bypasses
//!   policies, like an administrator IAM user.
//! * **Templates** ([`template`]): instead of the built-in demo backend, the local cloud can
//!   provision itself from a CloudFormation template (`infra/coffer.yaml`, through
//!   [`cfn_template`]), creating each resource through the operation its AWS API call reaches,
//!   all or nothing, and writing `<data>/coffer.toml` from the stack outputs.
//! * **Time** comes from an injected [`Clock`], so tests can expire codes, challenges, tokens,
//!   signatures and temporary credentials by moving a [`ManualClock`].
//!
//! # Security notes
//!
//! * Passwords are never stored or logged: sign-up turns them into an SRP verifier at once.
//!   Verification and MFA codes are stored as salted hashes (MFA codes only in memory, with
//!   their challenge), refresh tokens as SHA-256 digests; codes are compared in constant time
//!   and locked after five wrong attempts. Device passwords never reach the server: ConfirmDevice
//!   registers an SRP verifier, stored like a password verifier.
//! * TOTP secrets are the exception to "one-way only": the server must compute codes from
//!   them, so — as on AWS — `state.json` holds them (base32, in redacted newtypes in memory). They
//!   never appear in logs, `Debug` output or errors; AssociateSoftwareToken's response is the one
//!   place they leave the server.
//! * Every secret travels in a redacted newtype ([`secrets`]); request values are never echoed in
//!   errors or logs. Temporary secret keys sit in `state.json` (needed to check signatures);
//!   session tokens only as SHA-256 digests. Caveat: s3s itself logs whole requests (headers
//!   included, so `X-Amz-Security-Token`) at `debug` level under the `s3s` target; keep that
//!   target at `info` or above (the default filter `local_cloud=info` does).
//! * The data directory is 0700 and its secret-bearing files 0600: `state.json` (app-client
//!   secrets, RSA signing keys, password and device verifiers, TOTP secrets, temporary secret keys), `credentials` (admin key), `outbox.jsonl` (codes and
//!   temporary passwords in plain text: it stands in for the user's mailbox).
//! * It is a development and test tool: it listens on whatever address it is given, speaks plain
//!   HTTP, and should be bound to loopback.

pub mod challenges;
pub mod clock;
pub mod codes;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod error;
pub mod files;
pub mod hosted_ui;
pub mod identity;
pub mod ids;
pub mod jwt;
pub mod model;
pub mod ops;
pub mod outbox;
pub mod policy;
pub mod protocol;
pub mod s3;
pub mod secrets;
pub mod server;
pub mod sigv4;
pub mod store;
pub mod template;
pub mod totp;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::LocalCloudConfig;
pub use credentials::AdminCredentials;
pub use demo::DemoSetup;
pub use error::{CognitoError, ErrorKind, LocalCloudError};
pub use secrets::SecretAccessKey;

use files::DataPaths;
use server::App;
use store::Store;

/// A local cloud serving in a background task.
#[derive(Debug)]
pub struct RunningLocalCloud {
    local_addr: SocketAddr,
    endpoint: String,
    demo: DemoSetup,
    admin: AdminCredentials,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningLocalCloud {
    /// The base URL of every service: `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The demo backend and where its client config was written.
    pub fn demo(&self) -> &DemoSetup {
        &self.demo
    }

    /// The admin key that signs Create*/Describe*/List*/Admin* calls.
    pub fn admin_credentials(&self) -> &AdminCredentials {
        &self.admin
    }

    /// Stops accepting connections, lets in-flight requests finish, and returns when done.
    pub async fn shutdown(self) {
        // The receiver is gone only if the server already stopped; either way, we then wait.
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }

    /// Serves until the server task ends (it does not end on its own).
    pub async fn wait(self) {
        let _keep_serving = self.shutdown;
        let _ = self.task.await;
    }
}

/// The endpoint clients should use for a bound address (an unspecified IP means loopback).
fn endpoint_for(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

/// The built-in demo backend (see [`demo`]).
fn provision_demo(
    store: &Store,
    objects: &s3::store::ObjectStore,
    paths: &DataPaths,
    config: &LocalCloudConfig,
    endpoint: &str,
) -> Result<DemoSetup, LocalCloudError> {
    objects
        .ensure_bucket_blocking(demo::DEMO_BUCKET, config.clock.now())
        .map_err(|e| LocalCloudError::io("creating", paths.dir.join("s3"), e))?;
    let demo_ids = demo::ensure_demo(store, &config.region, config.clock.now())?;
    let hosted_domain = demo::ensure_hosted_demo(
        store,
        &config.region,
        &demo_ids,
        endpoint,
        config.clock.now(),
    )?;
    demo::write_client_config(
        paths,
        &config.region,
        &demo_ids,
        endpoint,
        hosted_domain.as_deref(),
    )
}

/// The backend a CloudFormation template describes (see [`template`]); `<data>/coffer.toml`
/// is written from the stack outputs.
fn provision_from_template(
    store: &Store,
    objects: &s3::store::ObjectStore,
    paths: &DataPaths,
    config: &LocalCloudConfig,
    stack: &template::StackTemplate,
    endpoint: &str,
) -> Result<DemoSetup, LocalCloudError> {
    let ensured =
        template::ensure_stack(store, stack, &config.region, endpoint, config.clock.now())?;
    for bucket in &ensured.buckets {
        objects
            .ensure_bucket_blocking(bucket, config.clock.now())
            .map_err(|e| LocalCloudError::io("creating", paths.dir.join("s3"), e))?;
    }
    let client = ensured.record.client_config()?;
    let domain = store.run_startup(|inner| {
        Ok(inner
            .state
            .hosted
            .domain_of_pool(&client.user_pool_id)
            .map(str::to_owned))
    })?;
    let text = template::local_client_config(&ensured.record, domain.as_deref(), endpoint)?;
    files::write_atomically(
        &paths.client_config,
        text.as_bytes(),
        files::Visibility::Shared,
    )?;
    Ok(DemoSetup {
        region: client.region,
        user_pool_id: client.user_pool_id,
        client_id: client.client_id,
        identity_pool_id: client.identity_pool_id.unwrap_or_default(),
        bucket: client.bucket.unwrap_or_default(),
        config_path: paths.client_config.clone(),
    })
}

/// Starts a local cloud: binds `config.addr`, loads or creates the state in `config.data_dir`,
/// provisions the demo backend on first start (or, with [`LocalCloudConfig::template`], the
/// template's stack), rewrites `<data>/coffer.toml`, and serves in a tokio task.
pub async fn start(config: LocalCloudConfig) -> Result<RunningLocalCloud, LocalCloudError> {
    let paths = DataPaths::new(&config.data_dir);
    let store = Arc::new(Store::open(paths.clone())?);
    let admin = AdminCredentials::load_or_create(&paths)?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| LocalCloudError::Bind {
            addr: config.addr,
            source,
        })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| LocalCloudError::Bind {
            addr: config.addr,
            source,
        })?;
    let endpoint = endpoint_for(local_addr);

    let objects = s3::store::ObjectStore::new(paths.dir.join("s3"));
    let demo = match &config.template {
        Some(template) => {
            provision_from_template(&store, &objects, &paths, &config, template, &endpoint)?
        }
        None => provision_demo(&store, &objects, &paths, &config, &endpoint)?,
    };
    credentials::write_aws_config(&paths, &config.region, &endpoint)?;
    tracing::info!(
        endpoint = %endpoint,
        client_config = %demo.config_path.display(),
        credentials = %paths.credentials.display(),
        "local cloud listening"
    );

    let app = Arc::new(App {
        store,
        admin: admin.clone(),
        region: config.region.clone(),
        endpoint: endpoint.clone(),
        clock: Arc::clone(&config.clock),
        credentials_ttl: config.credentials_ttl,
    });
    let s3_service = s3::build(
        objects,
        Arc::clone(&app.store),
        admin.clone(),
        Arc::clone(&config.clock),
    );
    let (shutdown, stop) = oneshot::channel::<()>();
    let router = server::router(app, s3_service);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stop.await;
            })
            .await;
        if let Err(err) = served {
            tracing::error!(error = %err, "the local cloud stopped serving");
        }
    });
    Ok(RunningLocalCloud {
        local_addr,
        endpoint,
        demo,
        admin,
        shutdown,
        task,
    })
}
