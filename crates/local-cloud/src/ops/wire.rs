//! Wire shapes shared by several operations.
//!
//! Response types that carry tokens have no `Debug`, so they cannot end up in a log line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::epoch_seconds;
use crate::model::User;
use crate::outbox::mask_email;

/// `{}`: the response of operations that return nothing.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// `AttributeType` in requests.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeIn {
    /// The attribute name.
    pub name: Option<String>,
    /// Its value.
    pub value: Option<String>,
}

/// `AttributeType` in responses.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeOut {
    /// The attribute name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A user's attributes in the order Cognito lists them.
pub fn attributes_of(user: &User) -> Vec<AttributeOut> {
    user.attribute_list()
        .into_iter()
        .map(|(name, value)| AttributeOut {
            name: name.to_owned(),
            value: value.to_owned(),
        })
        .collect()
}

/// `CodeDeliveryDetailsType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    /// The masked address (`a***@e***`).
    pub destination: String,
    /// `EMAIL` or `SMS`.
    pub delivery_medium: &'static str,
    /// `email` or `phone_number`.
    pub attribute_name: &'static str,
}

impl CodeDeliveryDetails {
    /// Details of an SMS sent to `phone`.
    pub fn sms(phone: &str) -> Self {
        Self {
            destination: crate::outbox::mask_phone(phone),
            delivery_medium: "SMS",
            attribute_name: "phone_number",
        }
    }

    /// Details of an e-mail sent to `email`.
    pub fn email(email: &str) -> Self {
        Self {
            destination: mask_email(email),
            delivery_medium: "EMAIL",
            attribute_name: "email",
        }
    }
}

/// `UserType` (AdminCreateUser).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserType {
    /// Internal username.
    pub username: String,
    /// Attributes.
    pub attributes: Vec<AttributeOut>,
    /// Creation time (epoch seconds).
    pub user_create_date: f64,
    /// Last change (epoch seconds).
    pub user_last_modified_date: f64,
    /// Enabled flag.
    pub enabled: bool,
    /// Status.
    pub user_status: &'static str,
}

impl UserType {
    /// The wire shape of `user`.
    pub fn of(user: &User) -> Self {
        Self {
            username: user.username.clone(),
            attributes: attributes_of(user),
            user_create_date: epoch_seconds(user.created),
            user_last_modified_date: epoch_seconds(user.last_modified),
            enabled: user.enabled,
            user_status: user.status.as_str(),
        }
    }
}

/// `AuthenticationResultType`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    /// The access token.
    pub access_token: String,
    /// Access-token lifetime in seconds.
    pub expires_in: u64,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Present on sign-in, absent on refresh.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The ID token.
    pub id_token: String,
    /// A device key for this sign-in, when the pool tracks devices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_device_metadata: Option<NewDeviceMetadata>,
}

/// `NewDeviceMetadataType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    /// `<region>_<uuid>`.
    pub device_key: String,
    /// The user's device group key.
    pub device_group_key: String,
}

/// The response of InitiateAuth, RespondToAuthChallenge and their admin variants.
#[derive(Serialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AuthResponse {
    /// The next challenge, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<&'static str>,
    /// Its parameters (always present with a challenge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_parameters: Option<BTreeMap<&'static str, String>>,
    /// The session to answer it with (absent for PASSWORD_VERIFIER).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// Tokens, once signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResult>,
}
