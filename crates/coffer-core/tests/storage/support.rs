//! A local cloud with its demo identity pool and bucket, and signed-in or guest clients of it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use coffer_core::{Client, Config, MemoryStore, Password, SignInStep, VerificationCode};
use local_cloud::{LocalCloudConfig, RunningLocalCloud};
use sha2::{Digest, Sha256};

pub const PASSWORD: &str = "Correct-Horse-42-battery";

pub struct Cloud {
    pub running: RunningLocalCloud,
    pub _data: tempfile::TempDir,
}

pub async fn start_cloud() -> Cloud {
    start_cloud_with_ttl(None).await
}

/// A local cloud whose temporary credentials last `ttl` (AWS's hour when `None`).
pub async fn start_cloud_with_ttl(ttl: Option<Duration>) -> Cloud {
    let data = tempfile::tempdir().expect("temp dir");
    let mut config =
        LocalCloudConfig::new("127.0.0.1:0".parse().unwrap(), data.path().to_path_buf());
    if let Some(ttl) = ttl {
        config.credentials_ttl = ttl;
    }
    let running = local_cloud::start(config)
        .await
        .expect("local cloud starts");
    Cloud {
        running,
        _data: data,
    }
}

impl Cloud {
    pub fn config(&self) -> Config {
        let config = Config::from_file(&self.running.demo().config_path).expect("demo config");
        assert!(
            config.identity_pool_id().is_some(),
            "the demo config names an identity pool"
        );
        assert!(config.bucket().is_some(), "the demo config names a bucket");
        config
    }

    /// A client with its own (empty) in-memory keychain.
    pub fn client(&self) -> (Client, Arc<MemoryStore>) {
        let store = Arc::new(MemoryStore::new());
        (self.client_with(store.clone()), store)
    }

    pub fn client_with(&self, store: Arc<MemoryStore>) -> Client {
        Client::new(self.config(), store).expect("client")
    }

    async fn code_for(&self, email: &str) -> VerificationCode {
        let url = format!("{}/_local/outbox", self.running.endpoint());
        let messages: Vec<serde_json::Value> =
            reqwest::get(&url).await.unwrap().json().await.unwrap();
        let code = messages
            .iter()
            .rev()
            .find(|m| m["destination"] == email && m["purpose"] == "sign-up")
            .and_then(|m| m["code"].as_str())
            .expect("a sign-up code");
        VerificationCode::new(code)
    }

    /// Signs up, confirms and signs in `email` on `client`.
    pub async fn signed_in(&self, client: &Client, email: &str) {
        client
            .sign_up(email, &Password::new(PASSWORD), &[("email", email)])
            .await
            .expect("sign-up");
        let code = self.code_for(email).await;
        client.confirm_sign_up(email, &code).await.expect("confirm");
        sign_in(client, email).await;
    }
}

/// Signs `email`, who has an account, in on `client` (a password, no MFA).
pub async fn sign_in(client: &Client, email: &str) {
    let step = client
        .sign_in(email)
        .start()
        .await
        .expect("start")
        .answer(&Password::new(PASSWORD))
        .await
        .expect("sign-in");
    assert!(matches!(step, SignInStep::Done(_)));
}

/// A file of `len` pseudo-random bytes (seeded by `seed`) at `dir/name`.
pub fn random_file(dir: &Path, name: &str, len: usize, seed: u64) -> PathBuf {
    use rand::{RngCore, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

pub fn sha256_file(path: &Path) -> String {
    hex_digest(&std::fs::read(path).expect("read file"))
}

pub fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
