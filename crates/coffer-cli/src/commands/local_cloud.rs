//! `local-cloud`: serve the emulator until Ctrl-C, provisioned with the demo backend or from a
//! CloudFormation template (`--template`).

use local_cloud::template::StackTemplate;
use local_cloud::LocalCloudConfig;

use super::say;
use crate::cli::LocalCloudArgs;
use crate::failure::Failure;

pub async fn run(args: LocalCloudArgs) -> Result<(), Failure> {
    let data_dir = match args.data {
        Some(dir) => dir,
        None => coffer_core::default_local_cloud_dir().ok_or(Failure::NoDataDir)?,
    };
    let mut config = LocalCloudConfig::new(args.addr, data_dir);
    if let Some(path) = args.template {
        let mut stack = StackTemplate::new(path);
        stack.stack_name = args.stack_name;
        stack.parameters = args.parameters.into_iter().collect();
        config = config.with_template(stack);
    }
    let cloud = local_cloud::start(config)
        .await
        .map_err(Failure::LocalCloud)?;
    say(format_args!(
        "Local cloud listening on {}",
        cloud.endpoint()
    ))?;
    say(format_args!(
        "Client config: {}",
        cloud.demo().config_path.display()
    ))?;
    say(format_args!(
        "Messages Cognito would send (codes): {}/_local/outbox",
        cloud.endpoint()
    ))?;
    say("Press Ctrl-C to stop.")?;
    // Errors installing the handler are rare (no signal support); stop right away then.
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::warn!(%error, "cannot wait for Ctrl-C; stopping");
    }
    cloud.shutdown().await;
    Ok(())
}
