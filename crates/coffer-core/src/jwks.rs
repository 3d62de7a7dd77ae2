//! The user pool's signing keys (JWKS): parsing (pure) and a fetching cache (thin IO).
//!
//! Cognito publishes its RS256 public keys at `<issuer>/.well-known/jwks.json`. [`Jwks`] is the
//! parsed set; the client's `JwksCache` fetches it once, keeps it, and fetches again at most
//! once per lookup when a token names a key id it does not know (keys rotate).

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::DecodingKey;
use serde::Deserialize;

use crate::error::Error;
use crate::tokens::TokenError;

/// A parsed key set: the RSA signature keys usable for RS256, by key id.
#[derive(Clone)]
pub struct Jwks {
    keys: Vec<(String, DecodingKey)>,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwks")
            .field(
                "key_ids",
                &self.keys.iter().map(|(kid, _)| kid).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[derive(Deserialize)]
struct RawJwks {
    keys: Vec<RawJwk>,
}

#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl Jwks {
    /// Parses a JWKS document. Keys that cannot verify RS256 signatures (other key types, keys
    /// marked for another algorithm or for encryption, keys without an id) are left out.
    pub fn from_json(document: &[u8]) -> Result<Self, TokenError> {
        let raw: RawJwks =
            serde_json::from_slice(document).map_err(|_| TokenError::JwksInvalid {
                reason: "not a JSON Web Key Set",
            })?;
        let mut keys = Vec::new();
        for jwk in raw.keys {
            let usable = jwk.kty == "RSA"
                && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256")
                && jwk.usage.as_deref().is_none_or(|usage| usage == "sig");
            let (Some(kid), Some(n), Some(e), true) = (jwk.kid, jwk.n, jwk.e, usable) else {
                continue;
            };
            let key =
                DecodingKey::from_rsa_components(&n, &e).map_err(|_| TokenError::JwksInvalid {
                    reason: "an RSA key has a malformed modulus or exponent",
                })?;
            keys.push((kid, key));
        }
        Ok(Self { keys })
    }

    /// The key with this id.
    pub fn key(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys
            .iter()
            .find(|(key_id, _)| key_id == kid)
            .map(|(_, key)| key)
    }

    /// True when the set has a key with this id.
    pub fn contains(&self, kid: &str) -> bool {
        self.key(kid).is_some()
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Fetches and caches one pool's JWKS.
#[derive(Debug)]
pub(crate) struct JwksCache {
    url: String,
    http: reqwest::Client,
    current: tokio::sync::Mutex<Option<Arc<Jwks>>>,
}

impl JwksCache {
    pub(crate) fn new(url: String, http: reqwest::Client) -> Self {
        Self {
            url,
            http,
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// A key set that contains `kid` if the pool publishes it: the cached set when it has the
    /// key, else a freshly fetched one (which the caller checks again; a key still missing
    /// after the refetch is an unknown key).
    pub(crate) async fn keys_for(&self, kid: &str) -> Result<Arc<Jwks>, Error> {
        let mut current = self.current.lock().await;
        if let Some(keys) = current.as_ref().filter(|keys| keys.contains(kid)) {
            return Ok(Arc::clone(keys));
        }
        let fetched = Arc::new(self.fetch().await?);
        *current = Some(Arc::clone(&fetched));
        Ok(fetched)
    }

    async fn fetch(&self) -> Result<Jwks, Error> {
        tracing::debug!(url = %self.url, "fetching the user pool's signing keys");
        let unreachable = |source: reqwest::Error| Error::EndpointUnreachable {
            endpoint: self.url.clone(),
            source: Box::new(source),
        };
        let response = self.http.get(&self.url).send().await.map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(TokenError::JwksInvalid {
                reason: "the key set URL did not answer with success",
            }
            .into());
        }
        let body = response.bytes().await.map_err(unreachable)?;
        Ok(Jwks::from_json(&body)?)
    }
}

/// The HTTP client used for JWKS: rustls, short timeouts, no cookies, no redirects to other
/// schemes.
pub(crate) fn http_client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .map_err(|source| Error::Internal {
            what: "building the HTTP client",
            source: Some(Box::new(source)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_rs256_signature_keys_with_an_id() {
        // Small (insecure) RSA parameters are fine here: only parsing is under test.
        let document = br#"{"keys": [
            {"kty": "RSA", "kid": "good", "alg": "RS256", "use": "sig", "n": "sXch", "e": "AQAB"},
            {"kty": "RSA", "kid": "no-alg", "n": "sXch", "e": "AQAB"},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": "sXch", "e": "AQAB"},
            {"kty": "RSA", "kid": "rs512", "alg": "RS512", "n": "sXch", "e": "AQAB"},
            {"kty": "RSA", "n": "sXch", "e": "AQAB"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"}
        ]}"#;
        let jwks = Jwks::from_json(document).unwrap();
        assert!(jwks.contains("good"));
        assert!(jwks.contains("no-alg"));
        assert!(!jwks.contains("enc"));
        assert!(!jwks.contains("rs512"));
        assert!(!jwks.contains("ec"));
        assert_eq!(jwks.len(), 2);
    }

    /// A one-purpose HTTP server: answers every request with the next document (the last one
    /// repeatedly) and counts the requests.
    async fn serve_documents(
        documents: Vec<String>,
    ) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().unwrap()
        );
        let served = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&served);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let index = counter
                    .fetch_add(1, Ordering::SeqCst)
                    .min(documents.len() - 1);
                let body = &documents[index];
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            }
        });
        (url, served)
    }

    fn document(kids: &[&str]) -> String {
        let keys: Vec<String> = kids
            .iter()
            .map(|kid| {
                format!(r#"{{"kty":"RSA","kid":"{kid}","alg":"RS256","n":"sXch","e":"AQAB"}}"#)
            })
            .collect();
        format!(r#"{{"keys":[{}]}}"#, keys.join(","))
    }

    #[tokio::test]
    async fn cache_fetches_once_and_again_only_for_an_unknown_key() {
        use std::sync::atomic::Ordering;
        let (url, served) = serve_documents(vec![document(&["k1"]), document(&["k1", "k2"])]).await;
        let cache = JwksCache::new(url, http_client().unwrap());

        assert!(cache.keys_for("k1").await.unwrap().contains("k1"));
        assert_eq!(served.load(Ordering::SeqCst), 1);
        assert!(cache.keys_for("k1").await.unwrap().contains("k1"));
        assert_eq!(
            served.load(Ordering::SeqCst),
            1,
            "a known key is served from the cache"
        );

        // A rotated-in key: one refetch finds it.
        assert!(cache.keys_for("k2").await.unwrap().contains("k2"));
        assert_eq!(served.load(Ordering::SeqCst), 2);

        // A key the pool does not publish: one refetch per lookup, then the caller refuses it.
        assert!(!cache.keys_for("k3").await.unwrap().contains("k3"));
        assert_eq!(served.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn unreachable_key_set_is_endpoint_unreachable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/.well-known/jwks.json");
        let cache = JwksCache::new(url.clone(), http_client().unwrap());
        let error = cache.keys_for("k1").await.unwrap_err();
        assert!(
            matches!(&error, Error::EndpointUnreachable { endpoint, .. } if *endpoint == url),
            "{error:?}"
        );
    }

    #[test]
    fn refuses_documents_that_are_not_key_sets() {
        let error = Jwks::from_json(b"<html>").unwrap_err();
        assert_eq!(error.code(), "jwks_invalid");
        assert!(Jwks::from_json(br#"{"nokeys": []}"#).is_err());
    }
}
