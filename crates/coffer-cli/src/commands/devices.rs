//! `devices list`, `devices forget`.

use coffer_core::Client;

use super::{format_time, say};
use crate::cli::{ForgetArgs, JsonArgs};
use crate::failure::Failure;

pub async fn list(client: &Client, args: JsonArgs) -> Result<(), Failure> {
    let devices = client.list_devices().await?;
    if args.json {
        let list: Vec<serde_json::Value> = devices
            .iter()
            .map(|device| {
                serde_json::json!({
                    "device_key": device.device_key,
                    "name": device.name,
                    "remembered": device.remembered,
                    "this_device": device.is_this_device,
                    "created": device.created.map(format_time),
                    "last_authenticated": device.last_authenticated.map(format_time),
                })
            })
            .collect();
        return say(serde_json::Value::Array(list));
    }
    if devices.is_empty() {
        return say("No devices.");
    }
    for device in devices {
        say(format_args!(
            "{}{}  {}  {}  last sign-in {}",
            device.device_key,
            if device.is_this_device {
                " (this device)"
            } else {
                ""
            },
            device.name.as_deref().unwrap_or("(no name)"),
            if device.remembered {
                "remembered"
            } else {
                "not remembered"
            },
            device
                .last_authenticated
                .map(format_time)
                .unwrap_or_else(|| "-".to_owned()),
        ))?;
    }
    Ok(())
}

pub async fn forget(client: &Client, args: ForgetArgs) -> Result<(), Failure> {
    let forgotten = client.forget_device(args.device_key.as_deref()).await?;
    say(format_args!(
        "Forgot device {forgotten}; it will be asked for MFA again."
    ))
}
