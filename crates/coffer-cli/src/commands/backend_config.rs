//! `config from-stack` / `config from-amplify`: the client config for a backend deployed to
//! AWS, printed as TOML (redirect it to coffer.toml). Nothing here talks to AWS: the input is
//! the JSON the developer already has.

use std::io::Read;
use std::path::Path;

use cfn_template::ClientConfig;

use super::say;
use crate::failure::Failure;

/// From `aws cloudformation describe-stacks` JSON.
pub fn from_stack(file: &Path) -> Result<(), Failure> {
    print_config(file, ClientConfig::from_describe_stacks_json)
}

/// From Amplify Gen 2's `amplify_outputs.json`.
pub fn from_amplify(file: &Path) -> Result<(), Failure> {
    print_config(file, ClientConfig::from_amplify_outputs)
}

fn print_config(
    file: &Path,
    convert: fn(&serde_json::Value) -> Result<ClientConfig, cfn_template::ClientConfigError>,
) -> Result<(), Failure> {
    let failure = |reason: String| Failure::BackendDescription {
        path: file.display().to_string(),
        reason,
    };
    let text = if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| failure(e.to_string()))?;
        text
    } else {
        std::fs::read_to_string(file).map_err(|e| failure(e.to_string()))?
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| failure(format!("not JSON ({e})")))?;
    let config = convert(&json).map_err(|e| failure(e.to_string()))?;
    say(config.to_toml().trim_end())
}
