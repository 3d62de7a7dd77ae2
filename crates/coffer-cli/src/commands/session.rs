//! `sign-in`, `whoami`, `refresh`, `sign-out`.

use coffer_core::{Client, DeviceRemembering};

use super::{format_time, say, steps};
use crate::cli::{SignInArgs, SignOutArgs, WhoamiArgs};
use crate::failure::Failure;
use crate::input::{self, PasswordSource};

pub async fn sign_in(client: &Client, args: SignInArgs) -> Result<(), Failure> {
    // Fail before asking for a password whose result could not be kept.
    client.check_store().await?;
    if args.hosted_ui {
        return super::hosted_ui::sign_in(client, args).await;
    }
    // clap enforces --username unless --hosted-ui.
    let username = args.username.unwrap_or_default();
    let passwords = PasswordSource::from_flag(args.password_stdin);
    let password = input::read_password(passwords, false)?;
    let verifier = client
        .sign_in(username.as_str())
        .remember_device(args.remember_device)
        .start()
        .await?;
    let first = verifier.answer(&password).await?;
    drop(password);
    let answering = steps::Answering {
        passwords,
        print_secret: args.print_secret,
    };
    let session = steps::walk(first, answering).await?;
    let who = session.whoami();
    say(format_args!(
        "Signed in as {} (valid until {}).",
        who.email.as_deref().unwrap_or(&who.username),
        format_time(who.expires_at)
    ))?;
    match session.device() {
        DeviceRemembering::Remembered { device_key } if args.remember_device => say(format_args!(
            "This device is remembered ({device_key}): MFA is skipped here."
        )),
        DeviceRemembering::NotOffered => {
            say("This device could not be remembered: the user pool does not remember devices.")
        }
        DeviceRemembering::Failed { code } => say(format_args!(
            "This device could not be remembered ({code})."
        )),
        _ => Ok(()),
    }
}

pub async fn whoami(client: &Client, args: WhoamiArgs) -> Result<(), Failure> {
    let who = client.whoami().await?;
    if args.json {
        let json = serde_json::json!({
            "username": who.username,
            "sub": who.sub,
            "email": who.email,
            "identity_id": who.identity_id,
            "expires_at": format_time(who.expires_at),
        });
        say(json)
    } else {
        say(format_args!("username:    {}", who.username))?;
        say(format_args!("sub:         {}", who.sub))?;
        say(format_args!(
            "email:       {}",
            who.email.as_deref().unwrap_or("-")
        ))?;
        say(format_args!(
            "identity id: {}",
            who.identity_id.as_deref().unwrap_or("(not known yet)")
        ))?;
        say(format_args!("expires:     {}", format_time(who.expires_at)))
    }
}

pub async fn refresh(client: &Client) -> Result<(), Failure> {
    let session = client.refresh().await?;
    say(format_args!(
        "Tokens refreshed (valid until {}).",
        format_time(session.expires_at())
    ))
}

pub async fn sign_out(client: &Client, args: SignOutArgs) -> Result<(), Failure> {
    if args.global {
        client.global_sign_out().await?;
        say("Signed out on every device.")
    } else {
        client.sign_out().await?;
        say("Signed out.")
    }
}
