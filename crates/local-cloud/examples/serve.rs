//! Runs a local cloud until Ctrl-C: `cargo run -p local-cloud --example serve -- 127.0.0.1:4566 /tmp/coffer-data`.
//!
//! The `coffer local-cloud` command is the supported launcher; this example exists so the
//! emulator can be tried (and driven by boto3, the AWS CLI or a JS SDK) without the CLI.

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "local_cloud=info".into()),
        )
        .init();
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:4566").parse()?;
    let data_dir = args
        .next()
        .unwrap_or_else(|| "coffer-local-data".to_owned());
    let cloud = local_cloud::start(local_cloud::LocalCloudConfig::new(addr, data_dir)).await?;
    println!("endpoint {}", cloud.endpoint());
    println!("client config {}", cloud.demo().config_path.display());
    tokio::signal::ctrl_c().await?;
    cloud.shutdown().await;
    Ok(())
}
