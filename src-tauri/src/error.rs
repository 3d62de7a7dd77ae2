//! The error every command returns: a stable `code` the UI switches on and a sentence for people.

use serde::Serialize;
use ts_rs::TS;

/// An error as the web view receives it: `{ "code": "wrong_username_or_password", "message": "…" }`.
///
/// `code` comes from the core's `code()` (stable, snake_case); `message` is the core's `Display`,
/// which never contains a password, code or token. The UI shows its own wording per code and
/// falls back to `message` for codes it does not know.
///
/// Errors of the commands that answer a sign-in step also say whether the step is still
/// waiting (`stepKept`): `true` after a wrong code or a refused password (answer again),
/// `false` when the sign-in must start over (its Session expired or was used up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CommandError {
    /// Stable machine-readable code.
    pub code: String,
    /// A sentence for people (no secrets).
    pub message: String,
    /// For step answers: whether the same step can be answered again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub step_kept: Option<bool>,
}

impl CommandError {
    /// An error with an app-level code (not from the core).
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            step_kept: None,
        }
    }

    /// The same error, saying whether the step it answered is still waiting.
    pub fn with_step_kept(mut self, kept: bool) -> Self {
        self.step_kept = Some(kept);
        self
    }
}

impl From<coffer_core::Error> for CommandError {
    fn from(error: coffer_core::Error) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<coffer_core::ConfigError> for CommandError {
    fn from(error: coffer_core::ConfigError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code_and_sentence() {
        let error = CommandError::from(coffer_core::Error::WrongUsernameOrPassword);
        assert_eq!(error.code, "wrong_username_or_password");
        assert_eq!(error.message, "incorrect username or password");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "wrong_username_or_password", "message": "incorrect username or password"})
        );
    }
}
