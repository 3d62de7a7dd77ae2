//! `mfa setup-totp`, `mfa prefer`, `mfa status`.

use coffer_core::{Client, MfaKind, MfaPreference};

use super::say;
use super::steps::{next_or, retry_or_fail, show_totp_setup};
use crate::cli::{MfaChoice, PreferArgs, SetupTotpArgs};
use crate::failure::Failure;
use crate::input;

pub async fn setup_totp(client: &Client, args: SetupTotpArgs) -> Result<(), Failure> {
    let mut enrollment = client.begin_totp_setup().await?;
    show_totp_setup(enrollment.setup(), args.print_secret)?;
    let mut previous = None;
    loop {
        let code = next_or(
            input::read_code("First code from your authenticator app: "),
            &mut previous,
        )?;
        match enrollment.confirm(&code).await {
            Ok(()) => break,
            Err(refused) => enrollment = retry_or_fail(refused, &mut previous)?,
        }
    }
    say("Authenticator app set up; it is now your preferred second factor.")
}

pub async fn prefer(client: &Client, args: PreferArgs) -> Result<(), Failure> {
    let preference = match args.factor {
        MfaChoice::Totp => MfaPreference::Totp,
        MfaChoice::Sms => MfaPreference::Sms,
        MfaChoice::Email => MfaPreference::Email,
        MfaChoice::None => MfaPreference::None,
    };
    client.set_mfa_preference(preference).await?;
    match preference {
        MfaPreference::None => say("MFA is off for this user."),
        _ => say(format_args!(
            "Preferred second factor: {}.",
            label(args.factor)
        )),
    }
}

fn label(choice: MfaChoice) -> &'static str {
    match choice {
        MfaChoice::Totp => "authenticator app (TOTP)",
        MfaChoice::Sms => "SMS",
        MfaChoice::Email => "e-mail",
        MfaChoice::None => "none",
    }
}

pub async fn status(client: &Client) -> Result<(), Failure> {
    let settings = client.mfa_settings().await?;
    let name = |kind: &MfaKind| kind.challenge_name().to_owned();
    let enabled: Vec<String> = settings.enabled.iter().map(name).collect();
    say(format_args!(
        "enabled:   {}",
        if enabled.is_empty() {
            "none".to_owned()
        } else {
            enabled.join(", ")
        }
    ))?;
    say(format_args!(
        "preferred: {}",
        settings
            .preferred
            .as_ref()
            .map(name)
            .unwrap_or_else(|| "none".to_owned())
    ))
}
