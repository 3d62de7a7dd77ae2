//! `attributes list`, `attributes update`, `attributes verify`, `attributes send-code`.

use coffer_core::Client;

use super::say;
use super::steps::delivery_phrase;
use crate::cli::{AttributeNameArgs, JsonArgs, UpdateAttributesArgs};
use crate::failure::Failure;
use crate::input;

pub async fn list(client: &Client, args: JsonArgs) -> Result<(), Failure> {
    let attributes = client.user_attributes().await?;
    if args.json {
        let map: serde_json::Map<String, serde_json::Value> = attributes
            .into_iter()
            .map(|attribute| (attribute.name, serde_json::Value::String(attribute.value)))
            .collect();
        return say(serde_json::Value::Object(map));
    }
    for attribute in attributes {
        say(format_args!("{}: {}", attribute.name, attribute.value))?;
    }
    Ok(())
}

pub async fn update(client: &Client, args: UpdateAttributesArgs) -> Result<(), Failure> {
    let pairs = args
        .attributes
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .filter(|(name, _)| !name.is_empty())
                .ok_or_else(|| Failure::Input(format!("{pair:?} is not NAME=VALUE")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let deliveries = client.update_attributes(&pairs).await?;
    say("Attributes updated.")?;
    for delivery in deliveries {
        say(format_args!(
            "A code to verify {} was sent {}; verify with: coffer attributes verify {}",
            delivery.attribute.as_deref().unwrap_or("the attribute"),
            delivery_phrase(Some(&delivery)),
            delivery.attribute.as_deref().unwrap_or("NAME"),
        ))?;
    }
    Ok(())
}

pub async fn verify(client: &Client, args: AttributeNameArgs) -> Result<(), Failure> {
    client.current_session().await?;
    let code = input::read_code(&format!("Code to verify {}: ", args.name))?;
    client.verify_attribute(&args.name, &code).await?;
    say(format_args!("{} verified.", args.name))
}

pub async fn send_code(client: &Client, args: AttributeNameArgs) -> Result<(), Failure> {
    let delivery = client.send_attribute_verification_code(&args.name).await?;
    say(format_args!(
        "A code to verify {} was sent {}.",
        args.name,
        delivery_phrase(delivery.as_ref())
    ))
}
