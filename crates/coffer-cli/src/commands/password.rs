//! `password forgot`, `password change`.

use coffer_core::Client;

use super::say;
use super::steps::delivery_phrase;
use crate::cli::{ForgotArgs, PasswordStdinArgs};
use crate::failure::Failure;
use crate::input::{self, PasswordSource};

pub async fn forgot(client: &Client, args: ForgotArgs) -> Result<(), Failure> {
    let delivery = client.forgot_password(&args.username).await?;
    say(format_args!(
        "A password-reset code was sent {}.",
        delivery_phrase(delivery.as_ref())
    ))?;
    let code = input::read_code("Reset code: ")?;
    if input::stdin_is_terminal() && !args.password_stdin {
        eprintln!("Choose a new password.");
    }
    let password = input::read_password(PasswordSource::from_flag(args.password_stdin), true)?;
    client
        .confirm_forgot_password(&args.username, &code, &password)
        .await?;
    say(format_args!(
        "Password reset. Sign in with: coffer sign-in --username {}",
        args.username
    ))
}

pub async fn change(client: &Client, args: PasswordStdinArgs) -> Result<(), Failure> {
    // Check the sign-in first, so no password is asked for in vain.
    client.current_session().await?;
    let source = PasswordSource::from_flag(args.password_stdin);
    if source == PasswordSource::Prompt {
        eprintln!("Current password, then the new one.");
    }
    let current = input::read_password(source, false)?;
    let new = input::read_password(source, true)?;
    client.change_password(&current, &new).await?;
    say("Password changed.")
}
