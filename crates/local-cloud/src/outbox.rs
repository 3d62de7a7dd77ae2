//! The outbox: every message Cognito would have e-mailed or texted.
//!
//! The local cloud sends no mail and no SMS. Each code (sign-up confirmation, resend, MFA,
//! forgot-password, attribute verification, temporary password)
//! is appended to `<data>/outbox.jsonl` (mode 0600) and kept in memory for
//! `GET /_local/outbox`, oldest first. The API response only ever shows the masked destination
//! (`a***@e***`), as Cognito's `CodeDeliveryDetails` does.
//!
//! Security note: the outbox is the one place where codes and temporary passwords exist in plain
//! text, because it stands in for the user's mailbox. It is not logged.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::{CognitoError, LocalCloudError};
use crate::secrets::SecretString;

/// Why a message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Sign-up confirmation code (SignUp, ResendConfirmationCode).
    SignUp,
    /// MFA code.
    Mfa,
    /// Forgot-password code.
    ForgotPassword,
    /// Attribute verification code.
    AttributeVerification,
    /// AdminCreateUser's temporary password.
    TemporaryPassword,
}

/// How a message was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// E-mail.
    Email,
    /// SMS.
    Sms,
}

/// One sent message, in the shape `GET /_local/outbox` documents.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// RFC 3339 send time (by the injected clock).
    pub time: String,
    /// The pool that sent it.
    pub user_pool_id: String,
    /// The user's internal username.
    pub username: String,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The unmasked address.
    pub destination: String,
    /// Why it was sent.
    pub purpose: Purpose,
    /// The code or temporary password.
    pub code: String,
}

impl fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("time", &self.time)
            .field("user_pool_id", &self.user_pool_id)
            .field("username", &self.username)
            .field("channel", &self.channel)
            .field("purpose", &self.purpose)
            .field("code", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// What an operation hands to [`Outbox::send`].
#[derive(Debug)]
pub struct Delivery<'a> {
    /// The sending pool.
    pub user_pool_id: &'a str,
    /// The recipient's internal username.
    pub username: &'a str,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The e-mail address or phone number.
    pub destination: &'a str,
    /// Why.
    pub purpose: Purpose,
    /// The code or temporary password.
    pub code: &'a SecretString,
}

/// The persistent, append-only outbox.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    messages: Vec<OutboxMessage>,
}

impl Outbox {
    /// Opens `path`, loading the messages already in it.
    pub fn open(path: &Path) -> Result<Self, LocalCloudError> {
        let mut messages = Vec::new();
        match File::open(path) {
            Ok(file) => {
                for (index, line) in BufReader::new(file).lines().enumerate() {
                    let line = line.map_err(|e| LocalCloudError::io("reading", path, e))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let message =
                        serde_json::from_str(&line).map_err(|_| LocalCloudError::CorruptData {
                            path: path.to_owned(),
                            reason: format!("line {} is not an outbox message", index + 1),
                        })?;
                    messages.push(message);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(LocalCloudError::io("reading", path, e)),
        }
        Ok(Self {
            path: path.to_owned(),
            messages,
        })
    }

    /// Every message so far, oldest first.
    pub fn messages(&self) -> &[OutboxMessage] {
        &self.messages
    }

    /// Delivers a message: appends it to the file and the in-memory list.
    pub fn send(
        &mut self,
        delivery: Delivery<'_>,
        now: OffsetDateTime,
    ) -> Result<(), CognitoError> {
        let message = OutboxMessage {
            time: now.format(&Rfc3339).map_err(|_| CognitoError::internal())?,
            user_pool_id: delivery.user_pool_id.to_owned(),
            username: delivery.username.to_owned(),
            channel: delivery.channel,
            destination: delivery.destination.to_owned(),
            purpose: delivery.purpose,
            code: delivery.code.expose().to_owned(),
        };
        let mut line = serde_json::to_vec(&message).map_err(|_| CognitoError::internal())?;
        line.push(b'\n');
        self.append(&line).map_err(|err| {
            tracing::error!(path = %self.path.display(), error = %err, "cannot append to the outbox");
            CognitoError::internal()
        })?;
        self.messages.push(message);
        Ok(())
    }

    fn append(&self, line: &[u8]) -> std::io::Result<()> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&self.path)?;
        file.write_all(line)?;
        file.sync_data()
    }
}

/// Masks a phone number as Cognito does: `+15555550123` → `+*******0123`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().min(4);
    let hidden = chars.len() - keep;
    let tail: String = chars[hidden..].iter().collect();
    let stars = "*".repeat(hidden.saturating_sub(1));
    format!("+{stars}{tail}")
}

/// Masks an e-mail address as Cognito does: `alice@example.com` → `a***@e***`.
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_like_cognito() {
        assert_eq!(mask_email("alice@example.com"), "a***@e***");
        assert_eq!(mask_phone("+15555550123"), "+*******0123");
    }

    #[test]
    fn messages_survive_reopening_and_debug_hides_the_code() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("outbox.jsonl");
        let mut outbox = Outbox::open(&path).expect("opens");
        let code = SecretString::new("123456".into());
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid");
        outbox
            .send(
                Delivery {
                    user_pool_id: "us-east-1_abc",
                    username: "u",
                    channel: Channel::Email,
                    destination: "a@b.c",
                    purpose: Purpose::SignUp,
                    code: &code,
                },
                now,
            )
            .expect("sends");
        let reopened = Outbox::open(&path).expect("reopens");
        assert_eq!(reopened.messages(), outbox.messages());
        assert_eq!(reopened.messages()[0].code, "123456");
        assert!(!format!("{:?}", reopened.messages()[0]).contains("123456"));
        let json = serde_json::to_value(&reopened.messages()[0]).expect("json");
        assert_eq!(json["purpose"], "sign-up");
        assert_eq!(json["channel"], "email");
    }
}
