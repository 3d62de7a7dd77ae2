//! The Coffer client config (`coffer.toml`, see `/work/shared/notes/interfaces.md`) from a
//! deployed backend: CloudFormation stack outputs of `infra/coffer.yaml`, or Amplify Gen 2's
//! `amplify_outputs.json`.
//!
//! Both readers are pure functions of the JSON; reading the file and writing the TOML are the
//! caller's. The config they produce never has a client secret (the app client is public) nor
//! `[endpoints]` (absent means AWS itself; the local cloud sets its own).

use serde::Serialize;
use serde_json::Value;

use crate::outputs::StackOutputs;

/// The fields of the client config that a deployed backend determines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientConfig {
    /// `region`.
    pub region: String,
    /// `user_pool_id`.
    pub user_pool_id: String,
    /// `client_id` (a public client: no secret).
    pub client_id: String,
    /// `identity_pool_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_pool_id: Option<String>,
    /// `bucket`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// `[hosted_ui]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosted_ui: Option<HostedUiConfig>,
}

/// The `[hosted_ui]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostedUiConfig {
    /// Base URL of the hosted UI, with scheme (`https://PREFIX.auth.REGION.amazoncognito.com`).
    pub domain: String,
    /// Registered callback URLs, exactly as registered (Cognito compares them byte for byte).
    pub redirect_uris: Vec<String>,
    /// Identity-provider names for Cognito's `identity_provider` parameter (`COGNITO`,
    /// `Google`, …).
    pub providers: Vec<String>,
}

/// Why a backend description could not be turned into a client config.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientConfigError {
    /// The JSON is not `describe-stacks` output.
    #[error("not CloudFormation stack outputs: expected the `Stacks[0].Outputs` list of {{OutputKey, OutputValue}} or a describe-stacks response for one stack")]
    NotStackOutputs,
    /// A stack output the config needs is missing or empty.
    #[error("the stack has no `{key}` output")]
    MissingOutput {
        /// The output key.
        key: &'static str,
    },
    /// `amplify_outputs.json` lacks a field the config needs.
    #[error("amplify_outputs.json has no `{field}`")]
    MissingAmplifyField {
        /// The field, dotted (`auth.user_pool_id`).
        field: &'static str,
    },
    /// An `amplify_outputs.json` schema version other than 1.x.
    #[error("unsupported amplify_outputs.json version `{version}` (expected 1.x)")]
    UnsupportedAmplifyVersion {
        /// The `version` found.
        version: String,
    },
    /// A value has the wrong form.
    #[error("invalid `{field}`: {reason}")]
    InvalidValue {
        /// The output key or field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// Auth and storage are in different regions; the config has one region.
    #[error("auth is in `{auth}` but storage in `{storage}`; Coffer needs both in one region")]
    RegionMismatch {
        /// `auth.aws_region`.
        auth: String,
        /// `storage.aws_region`.
        storage: String,
    },
}

impl ClientConfigError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotStackOutputs => "not_stack_outputs",
            Self::MissingOutput { .. } => "missing_stack_output",
            Self::MissingAmplifyField { .. } => "missing_amplify_field",
            Self::UnsupportedAmplifyVersion { .. } => "unsupported_amplify_version",
            Self::InvalidValue { .. } => "invalid_value",
            Self::RegionMismatch { .. } => "region_mismatch",
        }
    }
}

impl ClientConfig {
    /// From `aws cloudformation describe-stacks` JSON of a stack made from `infra/coffer.yaml`
    /// (the `Stacks[0].Outputs` list, or the whole response for one stack).
    pub fn from_describe_stacks_json(value: &Value) -> Result<Self, ClientConfigError> {
        let outputs = StackOutputs::from_describe_stacks_json(value)
            .ok_or(ClientConfigError::NotStackOutputs)?;
        Self::from_stack_outputs(&outputs)
    }

    /// From the outputs of a stack made from `infra/coffer.yaml`: `Region`, `UserPoolId`,
    /// `UserPoolClientId`, and optionally `IdentityPoolId`, `BucketName`, and `HostedUiDomain`
    /// with `RedirectUris` (comma-separated).
    pub fn from_stack_outputs(outputs: &StackOutputs) -> Result<Self, ClientConfigError> {
        let optional = |key: &'static str| {
            outputs
                .get(key)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let required =
            |key: &'static str| optional(key).ok_or(ClientConfigError::MissingOutput { key });
        let hosted_ui = match optional("HostedUiDomain") {
            None => None,
            Some(domain) => {
                let redirect_uris: Vec<String> = required("RedirectUris")?
                    .split(',')
                    .map(str::trim)
                    .filter(|uri| !uri.is_empty())
                    .map(str::to_owned)
                    .collect();
                Some(HostedUiConfig {
                    domain: check_url("HostedUiDomain", domain)?,
                    redirect_uris: check_redirect_uris("RedirectUris", redirect_uris)?,
                    providers: vec!["COGNITO".to_owned()],
                })
            }
        };
        Ok(Self {
            region: required("Region")?,
            user_pool_id: required("UserPoolId")?,
            client_id: required("UserPoolClientId")?,
            identity_pool_id: optional("IdentityPoolId"),
            bucket: optional("BucketName"),
            hosted_ui,
        })
    }

    /// From Amplify Gen 2's `amplify_outputs.json` (schema version 1.x): `auth.aws_region`,
    /// `auth.user_pool_id`, `auth.user_pool_client_id`, `auth.identity_pool_id`, `auth.oauth`
    /// (`domain`, `redirect_sign_in_uri`, `identity_providers`) and `storage.bucket_name`.
    pub fn from_amplify_outputs(value: &Value) -> Result<Self, ClientConfigError> {
        let version = value
            .get("version")
            .and_then(Value::as_str)
            .ok_or(ClientConfigError::MissingAmplifyField { field: "version" })?;
        if version != "1" && !version.starts_with("1.") {
            return Err(ClientConfigError::UnsupportedAmplifyVersion {
                version: version.to_owned(),
            });
        }
        let auth = value
            .get("auth")
            .ok_or(ClientConfigError::MissingAmplifyField { field: "auth" })?;
        let text = |parent: &Value, key: &str| {
            parent
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let region = text(auth, "aws_region").ok_or(ClientConfigError::MissingAmplifyField {
            field: "auth.aws_region",
        })?;
        let user_pool_id =
            text(auth, "user_pool_id").ok_or(ClientConfigError::MissingAmplifyField {
                field: "auth.user_pool_id",
            })?;
        let client_id =
            text(auth, "user_pool_client_id").ok_or(ClientConfigError::MissingAmplifyField {
                field: "auth.user_pool_client_id",
            })?;

        let hosted_ui = match auth.get("oauth") {
            None => None,
            Some(oauth) => {
                let domain =
                    text(oauth, "domain").ok_or(ClientConfigError::MissingAmplifyField {
                        field: "auth.oauth.domain",
                    })?;
                // Amplify writes the bare host name; the config wants a URL.
                let domain = if domain.contains("://") {
                    domain
                } else {
                    format!("https://{domain}")
                };
                let redirect_uris = string_list(oauth, "redirect_sign_in_uri").ok_or(
                    ClientConfigError::MissingAmplifyField {
                        field: "auth.oauth.redirect_sign_in_uri",
                    },
                )?;
                let mut providers = vec!["COGNITO".to_owned()];
                providers.extend(
                    string_list(oauth, "identity_providers")
                        .unwrap_or_default()
                        .iter()
                        .map(|p| cognito_provider_name(p)),
                );
                Some(HostedUiConfig {
                    domain: check_url("auth.oauth.domain", domain)?,
                    redirect_uris: check_redirect_uris(
                        "auth.oauth.redirect_sign_in_uri",
                        redirect_uris,
                    )?,
                    providers,
                })
            }
        };

        let bucket = match value.get("storage") {
            None => None,
            Some(storage) => {
                if let Some(storage_region) = text(storage, "aws_region") {
                    if storage_region != region {
                        return Err(ClientConfigError::RegionMismatch {
                            auth: region,
                            storage: storage_region,
                        });
                    }
                }
                Some(text(storage, "bucket_name").ok_or(
                    ClientConfigError::MissingAmplifyField {
                        field: "storage.bucket_name",
                    },
                )?)
            }
        };

        Ok(Self {
            region,
            user_pool_id,
            client_id,
            identity_pool_id: text(auth, "identity_pool_id"),
            bucket,
            hosted_ui,
        })
    }

    /// The config as `coffer.toml` text.
    pub fn to_toml(&self) -> String {
        // Invariant: every field is a string, a list of strings or a table of those, which TOML
        // always represents (the tables come last because they are the last fields).
        toml::to_string(self).expect("a ClientConfig always serialises to TOML")
    }
}

/// Amplify's provider enum names to the names Cognito's `identity_provider` parameter takes.
fn cognito_provider_name(amplify_name: &str) -> String {
    match amplify_name {
        "GOOGLE" => "Google",
        "FACEBOOK" => "Facebook",
        "LOGIN_WITH_AMAZON" => "LoginWithAmazon",
        "SIGN_IN_WITH_APPLE" => "SignInWithApple",
        other => other,
    }
    .to_owned()
}

fn string_list(parent: &Value, key: &str) -> Option<Vec<String>> {
    parent
        .get(key)?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn check_url(field: &'static str, url: String) -> Result<String, ClientConfigError> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url.trim_end_matches('/').to_owned())
    } else {
        Err(ClientConfigError::InvalidValue {
            field,
            reason: "not an http(s) URL",
        })
    }
}

fn check_redirect_uris(
    field: &'static str,
    uris: Vec<String>,
) -> Result<Vec<String>, ClientConfigError> {
    if uris.is_empty() {
        return Err(ClientConfigError::InvalidValue {
            field,
            reason: "no redirect URI",
        });
    }
    if uris.iter().any(|uri| !uri.contains("://")) {
        return Err(ClientConfigError::InvalidValue {
            field,
            reason: "a redirect URI is not a URL",
        });
    }
    Ok(uris)
}
