//! A pool's password policy and the checks Cognito runs against it.

use serde::{Deserialize, Serialize};

use crate::error::{CognitoError, ErrorKind};

/// The characters Cognito counts as symbols (the space counts too, but only inside a password).
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// The longest password Cognito accepts.
pub const MAX_PASSWORD_LEN: usize = 256;

/// Password requirements (Cognito's defaults: 8 characters, upper, lower, number, symbol).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    /// Minimum length in characters (6–99).
    pub minimum_length: u32,
    /// At least one upper-case letter.
    pub require_uppercase: bool,
    /// At least one lower-case letter.
    pub require_lowercase: bool,
    /// At least one digit.
    pub require_numbers: bool,
    /// At least one symbol from Cognito's list.
    pub require_symbols: bool,
    /// How long an administrator-set temporary password stays usable.
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

impl PasswordPolicy {
    /// Checks `password` as Cognito does: first the API's shape constraint
    /// (`InvalidParameterException`), then the policy (`InvalidPasswordException`).
    pub fn check(&self, member: &str, password: &str) -> Result<(), CognitoError> {
        check_shape(member, password)?;
        let refuse = |why: &str| {
            Err(CognitoError::new(
                ErrorKind::InvalidPassword,
                format!("Password did not conform with policy: {why}"),
            ))
        };
        if password.chars().count() < self.minimum_length as usize {
            return refuse("Password not long enough");
        }
        if self.require_lowercase && !password.chars().any(char::is_lowercase) {
            return refuse("Password must have lowercase characters");
        }
        if self.require_uppercase && !password.chars().any(char::is_uppercase) {
            return refuse("Password must have uppercase characters");
        }
        if self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
            return refuse("Password must have numeric characters");
        }
        if self.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
            return refuse("Password must have symbol characters");
        }
        Ok(())
    }

    /// Validates the numbers in a `CreateUserPool` policy.
    pub fn validate(&self) -> Result<(), CognitoError> {
        if !(6..=99).contains(&self.minimum_length) {
            return Err(CognitoError::constraint(
                "policies.passwordPolicy.minimumLength",
                "Member must have value between 6 and 99",
            ));
        }
        if !(0..=365).contains(&self.temporary_password_validity_days) {
            return Err(CognitoError::constraint(
                "policies.passwordPolicy.temporaryPasswordValidityDays",
                "Member must have value between 0 and 365",
            ));
        }
        Ok(())
    }
}

/// The API-level shape every password member must have: 1–256 characters, no leading or
/// trailing whitespace (`^[\S]+.*[\S]+$`).
pub fn check_shape(member: &str, password: &str) -> Result<(), CognitoError> {
    let len = password.chars().count();
    let edges_ok = password
        .chars()
        .next()
        .zip(password.chars().last())
        .is_some_and(|(first, last)| !first.is_whitespace() && !last.is_whitespace());
    if !(2..=MAX_PASSWORD_LEN).contains(&len) || !edges_ok {
        return Err(CognitoError::constraint(
            member,
            "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(password: &str) -> Option<String> {
        PasswordPolicy::default()
            .check("Password", password)
            .err()
            .map(|e| e.message)
    }

    #[test]
    fn default_policy_matches_cognito() {
        assert_eq!(refusal("Abcdef1!"), None);
        assert_eq!(
            refusal("Ab1!"),
            Some("Password did not conform with policy: Password not long enough".into())
        );
        assert_eq!(
            refusal("ABCDEFG1!"),
            Some(
                "Password did not conform with policy: Password must have lowercase characters"
                    .into()
            )
        );
        assert_eq!(
            refusal("abcdefg1!"),
            Some(
                "Password did not conform with policy: Password must have uppercase characters"
                    .into()
            )
        );
        assert_eq!(
            refusal("Abcdefgh!"),
            Some(
                "Password did not conform with policy: Password must have numeric characters"
                    .into()
            )
        );
        assert_eq!(
            refusal("Abcdefgh1"),
            Some(
                "Password did not conform with policy: Password must have symbol characters".into()
            )
        );
        assert_eq!(
            refusal("Abcd efg1"),
            None,
            "an inner space counts as a symbol"
        );
    }

    #[test]
    fn surrounding_whitespace_is_a_parameter_error() {
        let err = PasswordPolicy::default()
            .check("Password", " Abcdef1! ")
            .expect_err("leading space");
        assert_eq!(err.kind, ErrorKind::InvalidParameter);
    }
}
