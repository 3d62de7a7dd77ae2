//! Walking a sign-in's steps at the terminal (or over stdin, one line per answer), and showing
//! a TOTP setup.
//!
//! A refused answer that can be corrected (wrong code, weak password) is asked again: at a
//! terminal after printing why, from stdin by reading the next line. When stdin has no more
//! lines, the refusal itself is the command's error.

use std::io::{IsTerminal, Write};

use coffer_core::{
    DeliveryMedium, EmailMfaSetupStep, MfaCodeStep, MfaKind, NewPasswordStep, SelectMfaSetupStep,
    SelectMfaStep, SignInStep, StepError, TotpSetup, TotpSetupStep,
};

use crate::failure::Failure;
use crate::input::{self, PasswordSource};

/// How to answer the steps that need more than a code.
#[derive(Debug, Clone, Copy)]
pub struct Answering {
    /// Where new passwords come from.
    pub passwords: PasswordSource,
    /// Whether the TOTP URI may go to a stdout that is not a terminal.
    pub print_secret: bool,
}

/// Answers steps until the sign-in is done, and returns the final step's session.
pub async fn walk(
    mut step: SignInStep,
    answering: Answering,
) -> Result<coffer_core::Session, Failure> {
    loop {
        step = match step {
            SignInStep::Done(session) => return Ok(session),
            SignInStep::MfaCode(code_step) => answer_code(code_step).await?,
            SignInStep::SelectMfa(select) => choose_factor(select).await?,
            SignInStep::SetUpTotp(setup) => set_up_totp(setup, answering).await?,
            SignInStep::SelectMfaSetup(select) => choose_factor_to_set_up(select).await?,
            SignInStep::SetUpEmailMfa(setup) => set_up_email_mfa(setup).await?,
            SignInStep::NewPassword(new_password) => {
                choose_new_password(new_password, answering.passwords).await?
            }
            SignInStep::Unsupported { challenge } => {
                return Err(Failure::UnsupportedChallenge { challenge })
            }
            // SignInStep is non-exhaustive: a newer core may add steps this CLI does not know.
            _ => {
                return Err(Failure::UnsupportedChallenge {
                    challenge: "unknown".to_owned(),
                })
            }
        };
    }
}

/// The step back when the refusal can be corrected (keeping the refusal in `previous`, to
/// report if no other answer comes); else the refusal as the failure.
pub(super) fn retry_or_fail<S>(
    refused: StepError<S>,
    previous: &mut Option<coffer_core::Error>,
) -> Result<S, Failure> {
    let (error, retry) = refused.into_parts();
    match retry {
        Some(step) => {
            if input::stdin_is_terminal() {
                eprintln!("{} Try again.", Failure::Core(error).render());
            } else {
                tracing::info!(code = error.code(), "answer refused; reading the next line");
                *previous = Some(error);
            }
            Ok(step)
        }
        None => Err(Failure::Core(error)),
    }
}

/// An answer read for a retry; when stdin has no more lines, the previous refusal is the
/// command's error (not "no code on stdin").
pub(super) fn next_or<T>(
    read: Result<T, Failure>,
    previous: &mut Option<coffer_core::Error>,
) -> Result<T, Failure> {
    match read {
        Err(Failure::Input(message)) => match previous.take() {
            Some(error) => Err(Failure::Core(error)),
            None => Err(Failure::Input(message)),
        },
        read => read,
    }
}

async fn answer_code(mut step: MfaCodeStep) -> Result<SignInStep, Failure> {
    let mut previous: Option<coffer_core::Error> = None;
    loop {
        let prompt = match (step.kind(), step.delivery()) {
            (MfaKind::Totp, _) => "Code from your authenticator app: ".to_owned(),
            (_, Some(delivery)) => format!(
                "Code sent by {} to {}: ",
                delivery.medium, delivery.destination
            ),
            (kind, None) => format!("Code sent by {kind}: "),
        };
        let code = next_or(input::read_code(&prompt), &mut previous)?;
        match step.answer(&code).await {
            Ok(next) => return Ok(next),
            Err(refused) => step = retry_or_fail(refused, &mut previous)?,
        }
    }
}

fn parse_factor(answer: &str, options: &[MfaKind]) -> Option<MfaKind> {
    if let Ok(number) = answer.parse::<usize>() {
        return number
            .checked_sub(1)
            .and_then(|index| options.get(index).copied());
    }
    let kind = match answer.to_ascii_lowercase().as_str() {
        "totp" | "app" | "software_token_mfa" => MfaKind::Totp,
        "sms" | "sms_mfa" => MfaKind::Sms,
        "email" | "e-mail" | "email_otp" => MfaKind::Email,
        _ => return None,
    };
    options.contains(&kind).then_some(kind)
}

/// Reads a choice among `options` (a number from the menu, or a name); asks again at a
/// terminal when the answer is not one of them.
fn read_factor(title: &str, options: &[MfaKind]) -> Result<MfaKind, Failure> {
    loop {
        let menu: Vec<String> = options
            .iter()
            .enumerate()
            .map(|(index, kind)| format!("[{}] {kind}", index + 1))
            .collect();
        let answer = input::read_answer(
            &format!("{title} ({}): ", menu.join(", ")),
            "choice of second factor",
        )?;
        if let Some(kind) = parse_factor(&answer, options) {
            return Ok(kind);
        }
        if !input::stdin_is_terminal() {
            return Err(Failure::Input(format!(
                "{answer:?} is not one of the offered second factors"
            )));
        }
        eprintln!("Answer with a number from the list, or totp / sms / email.");
    }
}

async fn choose_factor(mut step: SelectMfaStep) -> Result<SignInStep, Failure> {
    loop {
        let kind = read_factor("Second factor", step.options())?;
        match step.choose(kind).await {
            Ok(next) => return Ok(next),
            Err(refused) => step = retry_or_fail(refused, &mut None)?,
        }
    }
}

async fn choose_factor_to_set_up(mut step: SelectMfaSetupStep) -> Result<SignInStep, Failure> {
    if input::stdin_is_terminal() {
        eprintln!("This account needs a second factor: choose one to set up.");
    }
    loop {
        let kind = read_factor("Set up", step.options())?;
        match step.choose(kind).await {
            Ok(next) => return Ok(next),
            Err(refused) => step = retry_or_fail(refused, &mut None)?,
        }
    }
}

async fn set_up_email_mfa(mut step: EmailMfaSetupStep) -> Result<SignInStep, Failure> {
    if input::stdin_is_terminal() {
        eprintln!(
            "This account needs a second factor: sign-in codes will go to an e-mail address."
        );
    }
    let mut previous: Option<coffer_core::Error> = None;
    loop {
        let email = next_or(
            input::read_answer("E-mail address for sign-in codes: ", "e-mail address"),
            &mut previous,
        )?;
        match step.answer(&email).await {
            Ok(next) => return Ok(next),
            Err(refused) => step = retry_or_fail(refused, &mut previous)?,
        }
    }
}

async fn set_up_totp(mut step: TotpSetupStep, answering: Answering) -> Result<SignInStep, Failure> {
    show_totp_setup(step.setup(), answering.print_secret)?;
    let mut previous: Option<coffer_core::Error> = None;
    loop {
        let code = next_or(
            input::read_code("First code from your authenticator app: "),
            &mut previous,
        )?;
        match step.answer(&code).await {
            Ok(next) => return Ok(next),
            Err(refused) => step = retry_or_fail(refused, &mut previous)?,
        }
    }
}

async fn choose_new_password(
    mut step: NewPasswordStep,
    passwords: PasswordSource,
) -> Result<SignInStep, Failure> {
    if input::stdin_is_terminal() {
        eprintln!("Your password is temporary: choose a new one.");
    }
    let mut previous: Option<coffer_core::Error> = None;
    loop {
        let password = next_or(input::read_password(passwords, true), &mut previous)?;
        let mut values = Vec::new();
        for name in step.required_attributes() {
            let value = input::read_answer(&format!("{name}: "), name)?;
            values.push((name.clone(), value));
        }
        let attributes: Vec<(&str, &str)> = values
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        match step.answer(&password, &attributes).await {
            Ok(next) => return Ok(next),
            Err(refused) => step = retry_or_fail(refused, &mut previous)?,
        }
    }
}

/// Shows the QR code and the otpauth URI — only on a terminal (stdout, else the controlling
/// terminal), or on stdout when `print_secret` asks for it: they contain the secret, and must
/// not end up in a log file by accident.
pub fn show_totp_setup(setup: &TotpSetup, print_secret: bool) -> Result<(), Failure> {
    let mut out: Box<dyn Write> = if print_secret || std::io::stdout().is_terminal() {
        Box::new(std::io::stdout())
    } else {
        match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
            Ok(tty) => Box::new(tty),
            Err(_) => {
                return Err(Failure::Input(
                    "no terminal to show the authenticator-app QR code on; pass --print-secret to print its otpauth:// URI on stdout"
                        .into(),
                ))
            }
        }
    };
    let qr = setup.qr_terminal()?;
    let uri = setup.otpauth_uri();
    let text = zeroize::Zeroizing::new(format!(
        "Scan this QR code with your authenticator app (account {}):\n{}\nOr enter this URI (it contains the secret; keep it private):\n{}\n",
        setup.account(),
        qr.as_str(),
        uri.as_str()
    ));
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Failure::Output)
}

/// "by e-mail to a***@e***" for a delivery.
pub fn delivery_phrase(delivery: Option<&coffer_core::CodeDelivery>) -> String {
    match delivery {
        Some(delivery) => {
            let medium = match delivery.medium {
                DeliveryMedium::Email => "e-mail".to_owned(),
                DeliveryMedium::Sms => "SMS".to_owned(),
                ref other => other.to_string(),
            };
            format!("by {medium} to {}", delivery.destination)
        }
        None => "to the user's verified address or phone".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_parse_by_number_or_name_among_the_offered_ones() {
        let options = [MfaKind::Sms, MfaKind::Totp];
        assert_eq!(parse_factor("1", &options), Some(MfaKind::Sms));
        assert_eq!(parse_factor("2", &options), Some(MfaKind::Totp));
        assert_eq!(parse_factor("3", &options), None);
        assert_eq!(parse_factor("0", &options), None);
        assert_eq!(parse_factor("TOTP", &options), Some(MfaKind::Totp));
        assert_eq!(parse_factor("email", &options), None);
        assert_eq!(parse_factor("carrier pigeon", &options), None);
    }
}
