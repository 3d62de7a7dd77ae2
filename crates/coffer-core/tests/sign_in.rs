//! Whole flows against the local cloud over real loopback HTTP: sign-up, confirmation with the
//! code from the outbox, SRP sign-in, token verification, refresh, sign-out, and the errors a
//! user meets on the way. Tokens are kept in a `MemoryStore`. The MFA, new-password, device
//! and password-reset paths are in the `mfa` module.

use std::sync::Arc;

use coffer_core::{
    Client, Config, Endpoints, Error, MemoryStore, NetworkSettings, Password, SignInStep,
    StoreError, TokenUse, VerificationCode,
};
use local_cloud::{LocalCloudConfig, RunningLocalCloud};

const PASSWORD: &str = "Correct-Horse-42-battery";

#[path = "sign_in/mfa.rs"]
mod mfa;

#[path = "sign_in/device_refresh.rs"]
mod device_refresh;

#[path = "sign_in/mfa_setup.rs"]
mod mfa_setup;

struct Cloud {
    running: RunningLocalCloud,
    _data: tempfile::TempDir,
}

async fn start_cloud() -> Cloud {
    let data = tempfile::tempdir().expect("temp dir");
    let config = LocalCloudConfig::new("127.0.0.1:0".parse().unwrap(), data.path().to_path_buf());
    let running = local_cloud::start(config)
        .await
        .expect("local cloud starts");
    Cloud {
        running,
        _data: data,
    }
}

fn client_for(cloud: &Cloud) -> (Client, Arc<MemoryStore>) {
    let config = Config::from_file(&cloud.running.demo().config_path).expect("demo config");
    assert_eq!(config.cognito_idp_endpoint(), cloud.running.endpoint());
    let store = Arc::new(MemoryStore::new());
    let client = Client::new(config, store.clone()).expect("client");
    (client, store)
}

/// The newest sign-up code the local cloud "sent" to `email`.
async fn sign_up_code(cloud: &Cloud, email: &str) -> VerificationCode {
    let url = format!("{}/_local/outbox", cloud.running.endpoint());
    let messages: Vec<serde_json::Value> = reqwest::get(&url)
        .await
        .expect("outbox reachable")
        .json()
        .await
        .expect("outbox is JSON");
    let code = messages
        .iter()
        .rev()
        .find(|message| message["destination"] == email && message["purpose"] == "sign-up")
        .and_then(|message| message["code"].as_str())
        .unwrap_or_else(|| panic!("no sign-up code for {email} in {messages:?}"));
    VerificationCode::new(code)
}

async fn sign_in(client: &Client, username: &str, password: &str) -> Result<SignInStep, Error> {
    client
        .sign_in(username)
        .start()
        .await?
        .answer(&Password::new(password))
        .await
}

/// A local cloud with a confirmed user `email`, and its demo config (for clients built with
/// another store or config).
async fn cloud_with_confirmed_user(email: &str) -> (Cloud, Config) {
    let cloud = start_cloud().await;
    let (client, _) = client_for(&cloud);
    signed_up_and_confirmed(&cloud, &client, email).await;
    let config = Config::from_file(&cloud.running.demo().config_path).expect("demo config");
    (cloud, config)
}

async fn signed_up_and_confirmed(cloud: &Cloud, client: &Client, email: &str) {
    client
        .sign_up(email, &Password::new(PASSWORD), &[("email", email)])
        .await
        .expect("sign-up");
    let code = sign_up_code(cloud, email).await;
    client.confirm_sign_up(email, &code).await.expect("confirm");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_confirm_sign_in_refresh_sign_out() {
    let cloud = start_cloud().await;
    let (client, store) = client_for(&cloud);
    let email = "ada@example.com";

    // Sign up: not confirmed yet, a code went out by e-mail.
    let outcome = client
        .sign_up(email, &Password::new(PASSWORD), &[("email", email)])
        .await
        .expect("sign-up");
    assert!(!outcome.confirmed);
    assert!(!outcome.user_sub.is_empty());
    let delivery = outcome.code_delivery.expect("a code was sent");
    assert_eq!(delivery.medium, coffer_core::DeliveryMedium::Email);
    assert_ne!(delivery.destination, email, "the destination is masked");

    // Unconfirmed users cannot sign in.
    let error = sign_in(&client, email, PASSWORD).await.unwrap_err();
    assert!(matches!(error, Error::UserNotConfirmed), "{error:?}");

    // A wrong code is refused; the right one confirms.
    let code = sign_up_code(&cloud, email).await;
    let wrong = if code.expose() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let error = client
        .confirm_sign_up(email, &VerificationCode::new(wrong))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::CodeMismatch), "{error:?}");
    client.confirm_sign_up(email, &code).await.expect("confirm");

    // A wrong password is refused, and the Debug of the error shows no password.
    let error = sign_in(&client, email, "Wrong-Password-1")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::WrongUsernameOrPassword), "{error:?}");
    assert_eq!(error.code(), "wrong_username_or_password");
    assert!(!format!("{error:?} {error}").contains("Wrong-Password-1"));

    // SRP sign-in with the right password.
    let step = sign_in(&client, email, PASSWORD).await.expect("sign-in");
    let SignInStep::Done(session) = step else {
        panic!("expected Done, got {step:?}");
    };
    assert_eq!(session.id_claims().email.as_deref(), Some(email));
    assert_eq!(session.id_claims().sub, outcome.user_sub);
    assert_eq!(session.access_claims().sub, outcome.user_sub);
    assert_ne!(
        session.username(),
        email,
        "e-mail pools use an internal username"
    );
    assert!(session.expires_at() > client.now());

    // The tokens verify on their own and are what the store holds.
    let tokens = session.tokens().clone();
    let verified = client
        .verify_token(tokens.access.expose(), TokenUse::Access)
        .await
        .expect("access token verifies");
    assert_eq!(verified.username, session.username());
    let stored = client.stored_tokens().await.unwrap().expect("stored");
    assert_eq!(stored.refresh, tokens.refresh);
    assert_eq!(stored.id, tokens.id);

    // No secret shows in Debug output.
    for debug in [
        format!("{session:?}"),
        format!("{tokens:?}"),
        format!("{client:?}"),
        format!("{store:?}"),
    ] {
        assert!(!debug.contains(PASSWORD), "{debug}");
        for token in [
            tokens.id.expose(),
            tokens.access.expose(),
            tokens.refresh.expose(),
        ] {
            assert!(!debug.contains(token), "{debug}");
        }
    }

    // whoami reads the stored ID token.
    let who = client.whoami().await.expect("whoami");
    assert_eq!(who.email.as_deref(), Some(email));
    assert_eq!(who.sub, outcome.user_sub);
    assert_eq!(who.identity_id, None);

    // Refresh: new ID and access tokens, same refresh token, stored.
    let refreshed = client.refresh().await.expect("refresh");
    assert_eq!(refreshed.tokens().refresh, tokens.refresh);
    assert_eq!(refreshed.id_claims().sub, outcome.user_sub);
    let stored = client.stored_tokens().await.unwrap().expect("stored");
    assert_eq!(stored.access, refreshed.tokens().access);

    // Sign out: tokens gone locally, and the old refresh token is refused by the server.
    client.sign_out().await.expect("sign-out");
    assert!(client.stored_tokens().await.unwrap().is_none());
    let error = client.refresh_tokens(&tokens).await.unwrap_err();
    assert!(matches!(error, Error::TokenRevoked), "{error:?}");
    let error = client.refresh().await.unwrap_err();
    assert!(matches!(error, Error::NotSignedIn), "{error:?}");
    let error = client.whoami().await.unwrap_err();
    assert!(matches!(error, Error::NotSignedIn), "{error:?}");

    cloud.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_sign_out_revokes_every_session() {
    let cloud = start_cloud().await;
    let (laptop, _) = client_for(&cloud);
    let (phone, _) = client_for(&cloud);
    let email = "grace@example.com";
    signed_up_and_confirmed(&cloud, &laptop, email).await;

    let Ok(SignInStep::Done(_)) = sign_in(&laptop, email, PASSWORD).await else {
        panic!("laptop sign-in");
    };
    let Ok(SignInStep::Done(phone_session)) = sign_in(&phone, email, PASSWORD).await else {
        panic!("phone sign-in");
    };

    laptop.global_sign_out().await.expect("global sign-out");
    assert!(laptop.stored_tokens().await.unwrap().is_none());
    let error = phone
        .refresh_tokens(phone_session.tokens())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::TokenRevoked), "{error:?}");
    // The phone's stored tokens are dead: refreshing them deletes them.
    let error = phone.refresh().await.unwrap_err();
    assert!(matches!(error, Error::TokenRevoked), "{error:?}");
    assert!(phone.stored_tokens().await.unwrap().is_none());

    cloud.running.shutdown().await;
}

/// A sign-in revoked elsewhere (GlobalSignOut from another device) is forgotten at the first
/// account call that Cognito refuses with "Access Token has been revoked": the keychain entry
/// goes, so a restart (a new client over the same store) starts signed out instead of
/// restoring a session that can no longer do anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_revoked_elsewhere_is_forgotten_at_the_next_account_call() {
    let cloud = start_cloud().await;
    let (laptop, _) = client_for(&cloud);
    let (phone, phone_store) = client_for(&cloud);
    let email = "hopper@example.com";
    signed_up_and_confirmed(&cloud, &laptop, email).await;
    let Ok(SignInStep::Done(_)) = sign_in(&laptop, email, PASSWORD).await else {
        panic!("laptop sign-in");
    };
    let Ok(SignInStep::Done(_)) = sign_in(&phone, email, PASSWORD).await else {
        panic!("phone sign-in");
    };
    phone
        .mfa_settings()
        .await
        .expect("the phone's session works");
    let generation = phone.token_generation();

    laptop.global_sign_out().await.expect("global sign-out");
    // The phone's tokens have not expired, so they still look valid locally.
    assert!(phone.current_session().await.is_ok());

    let error = phone.mfa_settings().await.unwrap_err();
    assert!(matches!(error, Error::TokenRevoked), "{error:?}");
    assert!(phone.stored_tokens().await.unwrap().is_none());
    assert!(
        phone.token_generation() > generation,
        "credentials derived from the revoked tokens must renew"
    );
    // The next launch: a new client over the same keychain finds nobody signed in.
    let config = Config::from_file(&cloud.running.demo().config_path).unwrap();
    let restarted = Client::new(config, phone_store).unwrap();
    let error = restarted.whoami().await.unwrap_err();
    assert!(matches!(error, Error::NotSignedIn), "{error:?}");

    cloud.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_errors() {
    let cloud = start_cloud().await;
    let (client, _) = client_for(&cloud);
    let email = "linus@example.com";
    signed_up_and_confirmed(&cloud, &client, email).await;

    let error = client
        .sign_up(email, &Password::new(PASSWORD), &[("email", email)])
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UsernameExists), "{error:?}");

    let error = client
        .sign_up(
            "weak@example.com",
            &Password::new("short"),
            &[("email", "weak@example.com")],
        )
        .await
        .unwrap_err();
    let Error::InvalidPassword { policy } = &error else {
        panic!("expected InvalidPassword, got {error:?}");
    };
    assert!(!policy.is_empty(), "the policy message is kept");
    assert!(!format!("{error:?} {error}").contains("short\""));

    cloud.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_user_cannot_sign_in() {
    let cloud = start_cloud().await;
    let (client, _) = client_for(&cloud);
    let error = sign_in(&client, "nobody@example.com", PASSWORD)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::WrongUsernameOrPassword | Error::UserNotFound),
        "{error:?}"
    );
    cloud.running.shutdown().await;
}

/// The user pool reached under another host name than the one in its tokens (as real
/// Cognito through a proxy, FIPS or PrivateLink endpoint): the issuer the tokens carry is the
/// one to expect. The local cloud issues `http://127.0.0.1:<port>/<pool>`; called as
/// `http://localhost:<port>`, the endpoint-derived issuer is wrong, and `[endpoints] issuer`
/// puts it right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_checked_against_the_configured_issuer_not_the_called_host() {
    let email = "lovelace@example.com";
    let (cloud, demo) = cloud_with_confirmed_user(email).await;
    let issued_by = demo.issuer();
    let renamed_endpoint = cloud.running.endpoint().replace("127.0.0.1", "localhost");
    assert_ne!(renamed_endpoint, cloud.running.endpoint());
    let config_text = |issuer: Option<&str>| {
        format!(
            "region = \"{}\"\nuser_pool_id = \"{}\"\nclient_id = \"{}\"\n\
             [endpoints]\ncognito_idp = \"{renamed_endpoint}\"\n{}",
            demo.region(),
            demo.user_pool_id(),
            demo.client_id(),
            issuer
                .map(|issuer| format!("issuer = \"{issuer}\"\n"))
                .unwrap_or_default(),
        )
    };

    let derived = Config::from_toml_str(&config_text(None)).unwrap();
    let client = Client::new(derived, Arc::new(MemoryStore::new())).unwrap();
    let error = sign_in(&client, email, PASSWORD).await.unwrap_err();
    assert_eq!(error.code(), "token_wrong_issuer", "{error:?}");

    let explicit = Config::from_toml_str(&config_text(Some(&issued_by))).unwrap();
    let client = Client::new(explicit, Arc::new(MemoryStore::new())).unwrap();
    let Ok(SignInStep::Done(session)) = sign_in(&client, email, PASSWORD).await else {
        panic!("sign-in through the other host name");
    };
    assert_eq!(session.whoami().email.as_deref(), Some(email));
    client.whoami().await.expect("the stored session verifies");

    cloud.running.shutdown().await;
}

/// A keychain whose entry for the tokens is damaged (e.g. a chunk of a large entry missing):
/// reading it is `Corrupt` until something is saved over it.
#[derive(Default)]
struct DamagedEntryStore {
    inner: MemoryStore,
    repaired: std::sync::atomic::AtomicBool,
}

impl coffer_core::SecretStore for DamagedEntryStore {
    fn load(&self, key: &str) -> Result<Option<zeroize::Zeroizing<String>>, StoreError> {
        if key.starts_with("tokens:") && !self.repaired.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Corrupt);
        }
        self.inner.load(key)
    }

    fn save(&self, key: &str, secret: &str) -> Result<(), StoreError> {
        self.inner.save(key, secret)?;
        if key.starts_with("tokens:") {
            self.repaired
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key)
    }
}

/// A damaged stored sign-in starts the user signed out, and signing in again replaces it
/// (the check that the keychain answers does not stop at the damage).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_replaces_a_damaged_stored_sign_in() {
    let email = "noether@example.com";
    let (cloud, config) = cloud_with_confirmed_user(email).await;
    let client = Client::new(config, Arc::new(DamagedEntryStore::default())).unwrap();
    let error = client.whoami().await.unwrap_err();
    assert_eq!(error.code(), "stored_tokens_corrupt");
    client
        .check_store()
        .await
        .expect("a damaged entry is an answer");
    let Ok(SignInStep::Done(_)) = sign_in(&client, email, PASSWORD).await else {
        panic!("sign-in over the damaged entry");
    };
    assert_eq!(client.whoami().await.unwrap().email.as_deref(), Some(email));
    cloud.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_port_is_endpoint_unreachable() {
    // Bind then drop a listener: nothing listens on that port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let config = Config::new("us-east-1", "us-east-1_Closed1", "client1")
        .unwrap()
        .with_endpoints(Endpoints::all_at(&endpoint).unwrap());
    let client = Client::builder(config, Arc::new(MemoryStore::new()))
        .network(NetworkSettings {
            max_attempts: 1,
            ..NetworkSettings::default()
        })
        .build()
        .unwrap();

    let error = client.sign_in("ada@example.com").start().await.unwrap_err();
    let Error::EndpointUnreachable {
        endpoint: reported, ..
    } = &error
    else {
        panic!("expected EndpointUnreachable, got {error:?}");
    };
    assert_eq!(reported, &endpoint);
    assert_eq!(error.code(), "endpoint_unreachable");

    let error = client
        .sign_up("ada@example.com", &Password::new(PASSWORD), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::EndpointUnreachable { .. }),
        "{error:?}"
    );
    assert!(!format!("{error:?}").contains(PASSWORD));
}

/// Creates an app client with a secret in the demo pool through the SigV4-signed admin API,
/// and returns a config for it.
async fn config_for_client_with_secret(cloud: &Cloud) -> (Config, String) {
    use aws_sdk_cognitoidentityprovider as cip;
    let admin = cloud.running.admin_credentials();
    let demo = cloud.running.demo();
    let credentials = cip::config::Credentials::new(
        admin.access_key_id.clone(),
        admin.secret_access_key.expose().to_owned(),
        None,
        None,
        "local-cloud-admin",
    );
    let sdk = cip::Client::from_conf(
        cip::Config::builder()
            .behavior_version(cip::config::BehaviorVersion::latest())
            .region(cip::config::Region::new(demo.region.clone()))
            .endpoint_url(cloud.running.endpoint())
            .credentials_provider(credentials)
            .build(),
    );
    let created = sdk
        .create_user_pool_client()
        .user_pool_id(&demo.user_pool_id)
        .client_name("confidential")
        .generate_secret(true)
        .explicit_auth_flows(cip::types::ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(cip::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("CreateUserPoolClient");
    let app_client = created.user_pool_client.expect("client");
    let client_id = app_client.client_id.expect("client id");
    let secret = app_client.client_secret.expect("client secret");
    let endpoint = cloud.running.endpoint();
    let text = format!(
        "region = \"{}\"\nuser_pool_id = \"{}\"\nclient_id = \"{client_id}\"\nclient_secret = \"{secret}\"\n\
         [endpoints]\ncognito_idp = \"{endpoint}\"\n",
        demo.region, demo.user_pool_id
    );
    (Config::from_toml_str(&text).expect("config"), secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_client_with_secret_sends_secret_hashes() {
    let cloud = start_cloud().await;
    let (config, secret) = config_for_client_with_secret(&cloud).await;
    assert!(!format!("{config:?}").contains(&secret));
    let store = Arc::new(MemoryStore::new());
    let client = Client::new(config.clone(), store).unwrap();
    let email = "barbara@example.com";

    // Sign-up, confirmation, SRP sign-in, refresh and sign-out all carry SECRET_HASH (or, for
    // RevokeToken, the secret); the local cloud, like Cognito, refuses them without it.
    signed_up_and_confirmed(&cloud, &client, email).await;
    let Ok(SignInStep::Done(session)) = sign_in(&client, email, PASSWORD).await else {
        panic!("sign-in with a secret client");
    };
    let refreshed = client.refresh().await.expect("refresh with SECRET_HASH");
    assert_eq!(refreshed.id_claims().sub, session.id_claims().sub);
    client
        .sign_out()
        .await
        .expect("sign-out with the client secret");
    let error = client.refresh_tokens(session.tokens()).await.unwrap_err();
    assert!(matches!(error, Error::TokenRevoked), "{error:?}");

    // The same app client with a wrong secret.
    let text = format!(
        "region = \"{}\"\nuser_pool_id = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"not-the-secret\"\n\
         [endpoints]\ncognito_idp = \"{}\"\n",
        config.region(),
        config.user_pool_id(),
        config.client_id(),
        cloud.running.endpoint()
    );
    let wrong = Client::new(
        Config::from_toml_str(&text).unwrap(),
        Arc::new(MemoryStore::new()),
    )
    .unwrap();
    let error = sign_in(&wrong, email, PASSWORD).await.unwrap_err();
    assert!(matches!(error, Error::ClientSecretMismatch), "{error:?}");
    assert!(!format!("{error:?} {error}").contains(&secret));

    cloud.running.shutdown().await;
}

/// Lets the client read the local cloud's manual clock, so both sides see the same time.
struct SharedClock(local_cloud::ManualClock);

impl coffer_core::Clock for SharedClock {
    fn now(&self) -> time::OffsetDateTime {
        local_cloud::Clock::now(&self.0)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refreshed_when_the_session_is_resumed() {
    let clock = local_cloud::ManualClock::new(time::OffsetDateTime::now_utc());
    let data = tempfile::tempdir().expect("temp dir");
    let mut cloud_config =
        LocalCloudConfig::new("127.0.0.1:0".parse().unwrap(), data.path().to_path_buf());
    cloud_config.clock = Arc::new(clock.clone());
    let cloud = Cloud {
        running: local_cloud::start(cloud_config)
            .await
            .expect("local cloud starts"),
        _data: data,
    };
    let config = Config::from_file(&cloud.running.demo().config_path).unwrap();
    let client = Client::builder(config, Arc::new(MemoryStore::new()))
        .clock(Arc::new(SharedClock(clock.clone())))
        .build()
        .unwrap();
    let email = "katherine@example.com";
    signed_up_and_confirmed(&cloud, &client, email).await;
    let Ok(SignInStep::Done(session)) = sign_in(&client, email, PASSWORD).await else {
        panic!("sign-in");
    };
    let old_access = session.tokens().access.clone();

    // Two hours later the ID and access tokens have expired (the refresh token has not).
    clock.advance(std::time::Duration::from_secs(2 * 3600));
    let error = client
        .verify_token(old_access.expose(), TokenUse::Access)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Token(coffer_core::TokenError::Expired { .. })),
        "{error:?}"
    );

    // Resuming refreshes them and stores the new ones.
    let who = client.whoami().await.expect("whoami refreshes");
    assert_eq!(who.email.as_deref(), Some(email));
    assert!(who.expires_at > client.now());
    let stored = client.stored_tokens().await.unwrap().unwrap();
    assert_ne!(stored.access, old_access);
    assert_eq!(stored.refresh, session.tokens().refresh);

    cloud.running.shutdown().await;
}
