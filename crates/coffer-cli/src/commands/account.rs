//! `sign-up`, `confirm-sign-up`, `resend-code`.

use coffer_core::{Client, CodeDelivery};

use super::say;
use crate::cli::{SignUpArgs, UsernameArgs};
use crate::failure::Failure;
use crate::input::{self, PasswordSource};

pub async fn sign_up(client: &Client, args: SignUpArgs) -> Result<(), Failure> {
    let email = args
        .email
        .or_else(|| args.username.contains('@').then(|| args.username.clone()));
    let password = input::read_password(PasswordSource::from_flag(args.password_stdin), true)?;
    let attributes: Vec<(&str, &str)> = email
        .iter()
        .map(|email| ("email", email.as_str()))
        .collect();
    let outcome = client
        .sign_up(&args.username, &password, &attributes)
        .await?;
    if outcome.confirmed {
        say(format_args!(
            "Signed up {}; the account is confirmed.",
            args.username
        ))
    } else {
        say(format_args!(
            "Signed up {}. {}",
            args.username,
            delivery_sentence(outcome.code_delivery.as_ref())
        ))?;
        say(format_args!(
            "Confirm with: coffer confirm-sign-up --username {}",
            args.username
        ))
    }
}

pub async fn confirm_sign_up(client: &Client, args: UsernameArgs) -> Result<(), Failure> {
    let code = input::read_code("Confirmation code: ")?;
    client.confirm_sign_up(&args.username, &code).await?;
    say(format_args!(
        "Confirmed {}. Sign in with: coffer sign-in --username {}",
        args.username, args.username
    ))
}

pub async fn resend_code(client: &Client, args: UsernameArgs) -> Result<(), Failure> {
    let delivery = client.resend_confirmation_code(&args.username).await?;
    say(delivery_sentence(delivery.as_ref()))
}

fn delivery_sentence(delivery: Option<&CodeDelivery>) -> String {
    match delivery {
        Some(delivery) => format!(
            "A confirmation code was sent by {} to {}.",
            delivery.medium, delivery.destination
        ),
        None => "A confirmation code was sent.".to_owned(),
    }
}
