//! Throttling, 5xx answers and dropped connections between the uploader and S3 do not fail
//! an upload: a proxy in front of the local cloud's S3 misbehaves for the first requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use coffer_core::upload::UploadOptions;
use coffer_core::{Client, Config, IdentityMode, MemoryStore, UploadControl, UploadOutcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{random_file, sha256_file, start_cloud};

const MIB: usize = 1024 * 1024;

/// How the proxy treats connection number `n` (0-based).
fn fault_for(n: usize) -> Option<&'static str> {
    match n {
        0 => Some("503"),
        1 => Some("drop"),
        2 => Some("slowdown"),
        _ => None,
    }
}

/// A proxy to `upstream`; its first connections get faults (one request each, then closed).
async fn faulty_proxy(upstream: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let faults = Arc::new(AtomicUsize::new(0));
    let counter = faults.clone();
    tokio::spawn(async move {
        let mut accepted = 0usize;
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let fault = fault_for(accepted);
            accepted += 1;
            let upstream = upstream.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Some(fault) = fault else {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    return;
                };
                // Read some of the request, then misbehave.
                let mut buffer = vec![0u8; 4096];
                let _ = client.read(&mut buffer).await;
                counter.fetch_add(1, Ordering::SeqCst);
                let answer: &[u8] = match fault {
                    "503" => b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    "slowdown" => b"HTTP/1.1 503 Slow Down\r\ncontent-type: application/xml\r\ncontent-length: 77\r\nconnection: close\r\n\r\n<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>",
                    _ => b"",
                };
                let _ = client.write_all(answer).await;
                let _ = client.shutdown().await;
            });
        }
    });
    (address, faults)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_5xx_and_dropped_connections_are_retried() {
    let cloud = start_cloud().await;
    let demo = cloud.config();
    let endpoint = cloud.running.endpoint();
    let (proxy, faults) = faulty_proxy(endpoint.trim_start_matches("http://").to_owned()).await;
    let config = Config::from_toml_str(&format!(
        "region = \"{}\"\nuser_pool_id = \"{}\"\nclient_id = \"{}\"\nidentity_pool_id = \"{}\"\n\
         bucket = \"{}\"\n[endpoints]\ncognito_idp = \"{endpoint}\"\n\
         cognito_identity = \"{endpoint}\"\ns3 = \"{proxy}\"\n",
        demo.region(),
        demo.user_pool_id(),
        demo.client_id(),
        demo.identity_pool_id().unwrap(),
        demo.bucket().unwrap(),
    ))
    .unwrap();
    let client = Client::new(config, Arc::new(MemoryStore::new())).unwrap();
    let files = client.files(IdentityMode::Guest).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    let mut options = UploadOptions::new(work.path().join("journal"));
    options.concurrency = 2;
    let uploader = files.uploader(options);
    let file = random_file(work.path(), "weather.bin", 20 * MIB, 50);
    let outcome = uploader
        .upload(&file, "", None, &UploadControl::new())
        .await
        .unwrap();
    let UploadOutcome::Completed { key, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(faults.load(Ordering::SeqCst), 3, "every fault was met");
    let (copy, _) = files
        .download(&key, &work.path().join("copy"))
        .await
        .unwrap();
    assert_eq!(sha256_file(&copy), sha256_file(&file));
}
