//! One module per command group; each command is a few lines over `coffer_core`.

mod account;
mod attributes;
mod backend_config;
mod devices;
mod files;
mod hosted_ui;
mod local_cloud;
mod mfa;
mod password;
mod session;
mod steps;

use std::io::Write;
use std::sync::Arc;

use coffer_core::{Client, Config, IdentityMode, KeyringStore};

use crate::cli::{
    AttributesCommand, Cli, Command, ConfigCommand, DevicesCommand, MfaCommand, PasswordCommand,
};
use crate::failure::Failure;

/// Runs the parsed command.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let mode = if cli.guest {
        IdentityMode::Guest
    } else {
        IdentityMode::SignedIn
    };
    match cli.command {
        Command::LocalCloud(args) => local_cloud::run(args).await,
        Command::Config(ConfigCommand::FromStack(args)) => backend_config::from_stack(&args.file),
        Command::Config(ConfigCommand::FromAmplify(args)) => {
            backend_config::from_amplify(&args.file)
        }
        Command::SignUp(args) => account::sign_up(&client(&cli.config)?, args).await,
        Command::ConfirmSignUp(args) => account::confirm_sign_up(&client(&cli.config)?, args).await,
        Command::ResendCode(args) => account::resend_code(&client(&cli.config)?, args).await,
        Command::SignIn(args) => session::sign_in(&client(&cli.config)?, args).await,
        Command::Whoami(args) if cli.guest => {
            files::guest_whoami(&client(&cli.config)?, args.json).await
        }
        Command::Whoami(args) => session::whoami(&client(&cli.config)?, args).await,
        Command::Refresh => session::refresh(&client(&cli.config)?).await,
        Command::SignOut(args) => session::sign_out(&client(&cli.config)?, args).await,
        Command::Upload(args) => files::upload(&client(&cli.config)?, mode, args).await,
        Command::Ls(args) => files::ls(&client(&cli.config)?, mode, args).await,
        Command::Get(args) => files::get(&client(&cli.config)?, mode, args).await,
        Command::Rm(args) => files::rm(&client(&cli.config)?, mode, args).await,
        Command::Credentials => files::credentials(&client(&cli.config)?, mode).await,
        Command::Mfa(command) => {
            let client = client(&cli.config)?;
            match command {
                MfaCommand::SetupTotp(args) => mfa::setup_totp(&client, args).await,
                MfaCommand::Prefer(args) => mfa::prefer(&client, args).await,
                MfaCommand::Status => mfa::status(&client).await,
            }
        }
        Command::Password(command) => {
            let client = client(&cli.config)?;
            match command {
                PasswordCommand::Forgot(args) => password::forgot(&client, args).await,
                PasswordCommand::Change(args) => password::change(&client, args).await,
            }
        }
        Command::Devices(command) => {
            let client = client(&cli.config)?;
            match command {
                DevicesCommand::List(args) => devices::list(&client, args).await,
                DevicesCommand::Forget(args) => devices::forget(&client, args).await,
            }
        }
        Command::Attributes(command) => {
            let client = client(&cli.config)?;
            match command {
                AttributesCommand::List(args) => attributes::list(&client, args).await,
                AttributesCommand::Update(args) => attributes::update(&client, args).await,
                AttributesCommand::Verify(args) => attributes::verify(&client, args).await,
                AttributesCommand::SendCode(args) => attributes::send_code(&client, args).await,
            }
        }
    }
}

/// The client for the located config, keeping tokens in the OS keychain.
fn client(explicit_config: &Option<std::path::PathBuf>) -> Result<Client, Failure> {
    let (config, found) =
        Config::load(explicit_config.as_deref()).map_err(coffer_core::Error::from)?;
    tracing::info!(path = %found.path.display(), origin = %found.origin, "using config");
    Ok(Client::new(config, Arc::new(KeyringStore::new()))?)
}

/// Writes a line to stdout, reporting a broken pipe as a failure instead of panicking.
fn say(text: impl std::fmt::Display) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}").map_err(Failure::Output)
}

/// RFC 3339 form of a time, for output.
fn format_time(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}
