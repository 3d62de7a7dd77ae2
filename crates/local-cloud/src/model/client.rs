//! An app client: its secret, allowed auth flows and token lifetimes.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::CognitoError;
use crate::secrets::PersistedSecret;

/// The flows Cognito enables when `ExplicitAuthFlows` is absent.
pub const DEFAULT_AUTH_FLOWS: [&str; 3] = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
];

const NEW_STYLE_FLOWS: [&str; 6] = [
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];
const LEGACY_FLOWS: [&str; 3] = [
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
];

/// A sign-in flow an app client may or may not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFlow {
    /// `USER_SRP_AUTH`.
    UserSrp,
    /// `USER_PASSWORD_AUTH`.
    UserPassword,
    /// `ADMIN_USER_PASSWORD_AUTH` / `ADMIN_NO_SRP_AUTH`.
    AdminUserPassword,
    /// `REFRESH_TOKEN_AUTH` / `REFRESH_TOKEN`.
    RefreshToken,
    /// `CUSTOM_AUTH`.
    Custom,
}

impl AuthFlow {
    /// The `AuthFlow` name used in Cognito's "not enabled" messages.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::UserSrp => "USER_SRP_AUTH",
            Self::UserPassword => "USER_PASSWORD_AUTH",
            Self::AdminUserPassword => "ADMIN_USER_PASSWORD_AUTH",
            Self::RefreshToken => "REFRESH_TOKEN_AUTH",
            Self::Custom => "CUSTOM_AUTH",
        }
    }
}

/// A token lifetime unit (`TokenValidityUnits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Seconds.
    Seconds,
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

impl TimeUnit {
    /// Parses the wire value (`"seconds"`, `"minutes"`, `"hours"`, `"days"`).
    pub fn parse(member: &str, value: &str) -> Result<Self, CognitoError> {
        match value {
            "seconds" => Ok(Self::Seconds),
            "minutes" => Ok(Self::Minutes),
            "hours" => Ok(Self::Hours),
            "days" => Ok(Self::Days),
            _ => Err(CognitoError::constraint(
                member,
                "Member must satisfy enum value set: [seconds, minutes, hours, days]",
            )),
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seconds => "seconds",
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::Days => "days",
        }
    }

    fn seconds(self) -> u64 {
        match self {
            Self::Seconds => 1,
            Self::Minutes => 60,
            Self::Hours => 3600,
            Self::Days => 86_400,
        }
    }
}

/// One token lifetime: a number and its unit, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifetime {
    /// The configured number.
    pub value: u64,
    /// Its unit.
    pub unit: TimeUnit,
}

impl Lifetime {
    /// The lifetime as a duration.
    pub fn duration(self) -> Duration {
        Duration::from_secs(self.value.saturating_mul(self.unit.seconds()))
    }
}

/// The lifetimes of the three tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenValidity {
    /// Access token (5 minutes – 1 day; default 1 hour).
    pub access: Lifetime,
    /// ID token (5 minutes – 1 day; default 1 hour).
    pub id: Lifetime,
    /// Refresh token (1 hour – 10 years; default 30 days).
    pub refresh: Lifetime,
}

impl Default for TokenValidity {
    fn default() -> Self {
        Self {
            access: Lifetime {
                value: 1,
                unit: TimeUnit::Hours,
            },
            id: Lifetime {
                value: 1,
                unit: TimeUnit::Hours,
            },
            refresh: Lifetime {
                value: 30,
                unit: TimeUnit::Days,
            },
        }
    }
}

impl TokenValidity {
    /// Checks each lifetime against Cognito's ranges.
    pub fn validate(&self) -> Result<(), CognitoError> {
        let within = |lifetime: Lifetime, min: u64, max: u64| {
            (min..=max).contains(&lifetime.duration().as_secs())
        };
        if !within(self.access, 300, 86_400) {
            return Err(CognitoError::invalid_parameter(
                "Invalid range for token validity: AccessTokenValidity must be between 5 minutes and 1 day.",
            ));
        }
        if !within(self.id, 300, 86_400) {
            return Err(CognitoError::invalid_parameter(
                "Invalid range for token validity: IdTokenValidity must be between 5 minutes and 1 day.",
            ));
        }
        if !within(self.refresh, 3600, 315_360_000) {
            return Err(CognitoError::invalid_parameter(
                "Invalid range for token validity: RefreshTokenValidity must be between 60 minutes and 10 years.",
            ));
        }
        Ok(())
    }
}

/// One app client of a user pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppClient {
    /// 26 lowercase alphanumerics.
    pub id: String,
    /// The name given at creation.
    pub name: String,
    /// Present when created with `GenerateSecret: true`.
    pub secret: Option<PersistedSecret>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
    /// `ExplicitAuthFlows` as configured (defaults filled in).
    pub explicit_auth_flows: Vec<String>,
    /// `PreventUserExistenceErrors: ENABLED` (unknown users look like wrong passwords).
    pub prevent_user_existence_errors: bool,
    /// `EnableTokenRevocation` (default true).
    pub enable_token_revocation: bool,
    /// Token lifetimes.
    pub token_validity: TokenValidity,
    /// How long a challenge `Session` stays valid, in minutes (3–15; default 3).
    pub auth_session_validity_minutes: u32,
}

impl AppClient {
    /// Validates and normalises an `ExplicitAuthFlows` list (`None` means Cognito's default).
    pub fn normalize_auth_flows(flows: Option<Vec<String>>) -> Result<Vec<String>, CognitoError> {
        let Some(flows) = flows else {
            return Ok(DEFAULT_AUTH_FLOWS.iter().map(|f| (*f).to_owned()).collect());
        };
        let mut seen_new = false;
        let mut seen_legacy = false;
        for flow in &flows {
            if NEW_STYLE_FLOWS.contains(&flow.as_str()) {
                seen_new = true;
            } else if LEGACY_FLOWS.contains(&flow.as_str()) {
                seen_legacy = true;
            } else {
                return Err(CognitoError::constraint(
                    "explicitAuthFlows",
                    "Member must satisfy constraint: [Member must satisfy enum value set: [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]]",
                ));
            }
        }
        if seen_new && seen_legacy {
            return Err(CognitoError::invalid_parameter(
                "ExplicitAuthFlows can not have both legacy and new values.",
            ));
        }
        if seen_new && !flows.iter().any(|f| f == "ALLOW_REFRESH_TOKEN_AUTH") {
            return Err(CognitoError::invalid_parameter(
                "REFRESH_TOKEN_AUTH should always be allowed.",
            ));
        }
        let mut flows = flows;
        flows.dedup();
        Ok(flows)
    }

    /// Whether this client allows `flow`.
    pub fn allows(&self, flow: AuthFlow) -> bool {
        let has = |name: &str| self.explicit_auth_flows.iter().any(|f| f == name);
        let legacy = self
            .explicit_auth_flows
            .iter()
            .any(|f| LEGACY_FLOWS.contains(&f.as_str()));
        if legacy || self.explicit_auth_flows.is_empty() {
            // Legacy lists always allowed SRP and refresh; the listed values add to that.
            return match flow {
                AuthFlow::UserSrp | AuthFlow::RefreshToken => !has("CUSTOM_AUTH_FLOW_ONLY"),
                AuthFlow::UserPassword => has("USER_PASSWORD_AUTH"),
                AuthFlow::AdminUserPassword => has("ADMIN_NO_SRP_AUTH"),
                AuthFlow::Custom => true,
            };
        }
        match flow {
            AuthFlow::UserSrp => has("ALLOW_USER_SRP_AUTH"),
            AuthFlow::UserPassword => has("ALLOW_USER_PASSWORD_AUTH"),
            AuthFlow::AdminUserPassword => has("ALLOW_ADMIN_USER_PASSWORD_AUTH"),
            AuthFlow::RefreshToken => has("ALLOW_REFRESH_TOKEN_AUTH"),
            AuthFlow::Custom => has("ALLOW_CUSTOM_AUTH"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_with(flows: Option<Vec<&str>>) -> AppClient {
        let flows = AppClient::normalize_auth_flows(
            flows.map(|f| f.into_iter().map(str::to_owned).collect()),
        )
        .expect("valid flows");
        let now = OffsetDateTime::UNIX_EPOCH;
        AppClient {
            id: "c".into(),
            name: "n".into(),
            secret: None,
            created: now,
            last_modified: now,
            explicit_auth_flows: flows,
            prevent_user_existence_errors: false,
            enable_token_revocation: true,
            token_validity: TokenValidity::default(),
            auth_session_validity_minutes: 3,
        }
    }

    #[test]
    fn default_flows_allow_srp_and_refresh_but_not_passwords() {
        let client = client_with(None);
        assert!(client.allows(AuthFlow::UserSrp));
        assert!(client.allows(AuthFlow::RefreshToken));
        assert!(!client.allows(AuthFlow::UserPassword));
        assert!(!client.allows(AuthFlow::AdminUserPassword));
    }

    #[test]
    fn legacy_values_keep_srp() {
        let client = client_with(Some(vec!["USER_PASSWORD_AUTH"]));
        assert!(client.allows(AuthFlow::UserPassword));
        assert!(client.allows(AuthFlow::UserSrp));
        assert!(!client.allows(AuthFlow::AdminUserPassword));
    }

    #[test]
    fn new_style_lists_must_allow_refresh() {
        let err = AppClient::normalize_auth_flows(Some(vec!["ALLOW_USER_SRP_AUTH".into()]))
            .expect_err("refresh missing");
        assert_eq!(err.message, "REFRESH_TOKEN_AUTH should always be allowed.");
        assert!(AppClient::normalize_auth_flows(Some(vec!["BOGUS".into()])).is_err());
    }

    #[test]
    fn token_validity_ranges() {
        assert!(TokenValidity::default().validate().is_ok());
        let short = TokenValidity {
            access: Lifetime {
                value: 1,
                unit: TimeUnit::Minutes,
            },
            ..TokenValidity::default()
        };
        assert!(short.validate().is_err());
    }
}
