//! Reading passwords and codes: from a prompt on the terminal, or one line from stdin. Never
//! from arguments or the environment.

use std::io::{BufRead, IsTerminal};

use coffer_core::{Password, VerificationCode};
use zeroize::Zeroizing;

use crate::failure::Failure;

/// Where a password comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSource {
    /// A hidden prompt on the terminal.
    Prompt,
    /// The first line of stdin (`--password-stdin`).
    Stdin,
}

impl PasswordSource {
    pub fn from_flag(password_stdin: bool) -> Self {
        if password_stdin {
            Self::Stdin
        } else {
            Self::Prompt
        }
    }
}

/// Reads a password. With `confirm`, a prompted password is asked twice.
pub fn read_password(source: PasswordSource, confirm: bool) -> Result<Password, Failure> {
    let password = match source {
        PasswordSource::Stdin => read_stdin_line("password")?,
        PasswordSource::Prompt => {
            let first = prompt_hidden("Password: ")?;
            if confirm {
                let second = prompt_hidden("Repeat password: ")?;
                if first != second {
                    return Err(Failure::Input("the passwords do not match".into()));
                }
            }
            first
        }
    };
    if password.is_empty() {
        return Err(Failure::Input("the password is empty".into()));
    }
    Ok(Password::new(password.as_str()))
}

/// Reads a verification code: prompted when stdin is a terminal, else one line of stdin.
pub fn read_code(prompt: &str) -> Result<VerificationCode, Failure> {
    if std::io::stdin().is_terminal() {
        eprint!("{prompt}");
    }
    let code = read_stdin_line("code")?;
    let code = code.trim();
    if code.is_empty() {
        return Err(Failure::Input("the code is empty".into()));
    }
    Ok(VerificationCode::new(code))
}

/// Reads a plain answer (not secret): prompted when stdin is a terminal, else one line of
/// stdin. Surrounding whitespace is trimmed.
pub fn read_answer(prompt: &str, what: &str) -> Result<String, Failure> {
    if stdin_is_terminal() {
        eprint!("{prompt}");
    }
    let line = read_stdin_line(what)?;
    Ok(line.trim().to_owned())
}

/// Whether answers are typed by a person (prompts shown, retries offered).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

fn prompt_hidden(prompt: &str) -> Result<Zeroizing<String>, Failure> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|_| {
            Failure::Input(
                "cannot prompt for the password (no terminal); pass --password-stdin and write it to stdin"
                    .into(),
            )
        })
}

/// One line of stdin without its line ending (other whitespace is kept: it may be part of a
/// password).
fn read_stdin_line(what: &str) -> Result<Zeroizing<String>, Failure> {
    let mut line = Zeroizing::new(String::new());
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|_| Failure::Input(format!("cannot read the {what} from stdin")))?;
    if read == 0 {
        return Err(Failure::Input(format!("no {what} on stdin")));
    }
    let trimmed_len = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(trimmed_len);
    Ok(line)
}
