//! A signed-in user's own attributes: UpdateUserAttributes, GetUserAttributeVerificationCode,
//! VerifyUserAttribute.
//!
//! Changing `email` or `phone_number` marks it unverified; when the pool auto-verifies that
//! attribute, a verification code goes to the new address (outbox, purpose
//! `attribute-verification`, e-mail or SMS) and `CodeDeliveryDetailsList` says where. In a pool
//! that signs in by e-mail, the new address must not be another user's (`AliasExistsException`).

use serde::{Deserialize, Serialize};

use super::sign_up::{parse_attributes, Writer, PHONE_NUMBER};
use super::tokens::authenticate_access_token;
use super::wire::{AttributeIn, CodeDeliveryDetails, Empty};
use super::{required, Ctx};
use crate::codes::{CodePurpose, PendingCode};
use crate::error::{CognitoError, ErrorKind};
use crate::model::pool::EMAIL;
use crate::outbox::{Channel, Delivery, Purpose};
use crate::secrets::SecretString;

/// UpdateUserAttributes request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesRequest {
    user_attributes: Option<Vec<AttributeIn>>,
    access_token: Option<SecretString>,
}

/// UpdateUserAttributes response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesResponse {
    code_delivery_details_list: Vec<CodeDeliveryDetails>,
}

/// Sends a verification code for `attribute` of `username`.
fn send_attribute_code(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    username: &str,
    attribute: &str,
) -> Result<CodeDeliveryDetails, CognitoError> {
    let now = ctx.now;
    let user = ctx.inner.state.pool_mut(pool_id)?.user_mut(username)?;
    let destination = user
        .attribute(attribute)
        .map(str::to_owned)
        .ok_or_else(|| {
            CognitoError::invalid_parameter(format!(
                "The user has no {attribute} attribute to verify."
            ))
        })?;
    let (record, code) = PendingCode::issue(CodePurpose::AttributeVerification, now);
    user.attribute_codes.insert(attribute.to_owned(), record);
    let channel = if attribute == PHONE_NUMBER {
        Channel::Sms
    } else {
        Channel::Email
    };
    ctx.inner.outbox.send(
        Delivery {
            user_pool_id: pool_id,
            username,
            channel,
            destination: &destination,
            purpose: Purpose::AttributeVerification,
            code: &code,
        },
        now,
    )?;
    Ok(match channel {
        Channel::Sms => CodeDeliveryDetails::sms(&destination),
        Channel::Email => CodeDeliveryDetails::email(&destination),
    })
}

fn verifiable(name: &str) -> Result<(), CognitoError> {
    if name == EMAIL || name == PHONE_NUMBER {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "Attribute {name} cannot be verified; only email and phone_number can."
        )))
    }
}

/// UpdateUserAttributes.
pub fn update_user_attributes(
    ctx: &mut Ctx<'_>,
    req: UpdateUserAttributesRequest,
) -> Result<UpdateUserAttributesResponse, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let attributes = parse_attributes(
        Some(required(req.user_attributes, "UserAttributes")?),
        Writer::Client,
    )?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let now = ctx.now;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    if pool.email_is_username() {
        if let Some(email) = attributes.get(EMAIL) {
            if pool
                .resolve_username(email)
                .is_some_and(|owner| owner != username)
            {
                return Err(CognitoError::new(
                    ErrorKind::AliasExists,
                    "An account with the given email already exists.",
                ));
            }
        }
    }
    let auto_verified = pool.auto_verified_attributes.clone();
    let user = pool.user_mut(&username)?;
    let mut to_verify = Vec::new();
    for (name, value) in attributes {
        let changed = user.attributes.get(&name) != Some(&value);
        if changed && (name == EMAIL || name == PHONE_NUMBER) {
            user.attributes
                .insert(format!("{name}_verified"), "false".to_owned());
            user.attribute_codes.remove(&name);
            if auto_verified.contains(&name) {
                to_verify.push(name.clone());
            }
        }
        user.attributes.insert(name, value);
    }
    user.last_modified = now;
    let mut delivered = Vec::new();
    for name in to_verify {
        delivered.push(send_attribute_code(ctx, &pool_id, &username, &name)?);
    }
    Ok(UpdateUserAttributesResponse {
        code_delivery_details_list: delivered,
    })
}

/// GetUserAttributeVerificationCode request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAttributeVerificationCodeRequest {
    access_token: Option<SecretString>,
    attribute_name: Option<String>,
}

/// GetUserAttributeVerificationCode response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAttributeVerificationCodeResponse {
    code_delivery_details: CodeDeliveryDetails,
}

/// GetUserAttributeVerificationCode.
pub fn get_user_attribute_verification_code(
    ctx: &mut Ctx<'_>,
    req: GetUserAttributeVerificationCodeRequest,
) -> Result<GetUserAttributeVerificationCodeResponse, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let name = required(req.attribute_name, "AttributeName")?;
    verifiable(&name)?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    Ok(GetUserAttributeVerificationCodeResponse {
        code_delivery_details: send_attribute_code(ctx, &pool_id, &username, &name)?,
    })
}

/// VerifyUserAttribute request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyUserAttributeRequest {
    access_token: Option<SecretString>,
    attribute_name: Option<String>,
    code: Option<SecretString>,
}

/// VerifyUserAttribute: the code marks the attribute verified.
pub fn verify_user_attribute(
    ctx: &mut Ctx<'_>,
    req: VerifyUserAttributeRequest,
) -> Result<Empty, CognitoError> {
    let token = required(req.access_token, "AccessToken")?;
    let name = required(req.attribute_name, "AttributeName")?;
    let code = required(req.code, "Code")?;
    verifiable(&name)?;
    let (pool_id, username) = authenticate_access_token(ctx, &token)?;
    let now = ctx.now;
    let user = ctx.inner.state.pool_mut(&pool_id)?.user_mut(&username)?;
    let pending = user.attribute_codes.get_mut(&name).ok_or_else(|| {
        CognitoError::new(
            ErrorKind::ExpiredCode,
            "Invalid code provided, please request a code again.",
        )
    })?;
    pending.redeem(code.expose(), now)?;
    user.attributes
        .insert(format!("{name}_verified"), "true".to_owned());
    user.last_modified = now;
    Ok(Empty {})
}
