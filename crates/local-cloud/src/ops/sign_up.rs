//! SignUp, ConfirmSignUp, ResendConfirmationCode (public, unsigned operations).
//!
//! The confirmation code goes to the e-mail address when the pool auto-verifies e-mail, else by
//! SMS to the phone number when it auto-verifies phone numbers; confirming verifies that one.
//!
//! In an e-mail pool (`UsernameAttributes: ["email"]`) the typed username must be an e-mail
//! address; it becomes the `email` attribute and the internal username is a fresh UUID equal to
//! `sub`. The password is turned into an SRP verifier at once and dropped; it is never stored.

use std::collections::BTreeMap;

use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::wire::{AttributeIn, CodeDeliveryDetails, Empty};
use super::{check_secret_hash, check_username, looks_like_email, required, Ctx};
use crate::codes::{CodePurpose, PendingCode};
use crate::error::{CognitoError, ErrorKind};
use crate::model::pool::EMAIL;
use crate::model::user::StoredPassword;
use crate::model::{User, UserPool, UserStatus};
use crate::outbox::{Channel, Delivery, Purpose};
use crate::secrets::SecretString;

/// Standard attributes a client may write.
const WRITABLE_STANDARD_ATTRIBUTES: [&str; 17] = [
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];
/// Attributes only an administrator may write.
const ADMIN_ONLY_ATTRIBUTES: [&str; 2] = ["email_verified", "phone_number_verified"];

/// Whether `name` is a standard attribute (writable by clients or administrators).
pub fn is_standard_attribute(name: &str) -> bool {
    WRITABLE_STANDARD_ATTRIBUTES.contains(&name) || ADMIN_ONLY_ATTRIBUTES.contains(&name)
}

/// Who is writing attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// A public client (SignUp, challenge answers).
    Client,
    /// An administrator (AdminCreateUser).
    Admin,
}

/// Validates `UserAttributes` and returns them as a map.
pub fn parse_attributes(
    attributes: Option<Vec<AttributeIn>>,
    writer: Writer,
) -> Result<BTreeMap<String, String>, CognitoError> {
    let mut map = BTreeMap::new();
    for attribute in attributes.unwrap_or_default() {
        let name = required(attribute.name, "UserAttributes.member.Name")?;
        let value = attribute.value.unwrap_or_default();
        if name == "sub" {
            return Err(CognitoError::invalid_parameter(
                "Cannot modify the non-mutable attribute sub",
            ));
        }
        let admin_only = ADMIN_ONLY_ATTRIBUTES.contains(&name.as_str());
        if admin_only && writer == Writer::Client {
            return Err(CognitoError::not_authorized(
                "A client attempted to write unauthorized attribute",
            ));
        }
        if !admin_only && !WRITABLE_STANDARD_ATTRIBUTES.contains(&name.as_str()) {
            return Err(CognitoError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
            )));
        }
        if admin_only && value != "true" && value != "false" {
            return Err(CognitoError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: Attribute value must be true or false."
            )));
        }
        if value.chars().count() > 2048 {
            return Err(CognitoError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: String must be no longer than 2048 characters"
            )));
        }
        map.insert(name, value);
    }
    if let Some(email) = map.get(EMAIL) {
        if !looks_like_email(email) {
            return Err(CognitoError::invalid_parameter(
                "Invalid email address format.",
            ));
        }
    }
    if let Some(phone) = map.get(PHONE_NUMBER) {
        if !looks_like_e164(phone) {
            return Err(CognitoError::invalid_parameter(
                "Invalid phone number format.",
            ));
        }
    }
    Ok(map)
}

/// The `phone_number` attribute (E.164: `+` then 2 to 15 digits), an ordinary attribute here:
/// phone-number usernames stay unsupported.
pub const PHONE_NUMBER: &str = "phone_number";

/// Whether `value` is an E.164 phone number as Cognito requires (`+15555550123`).
pub fn looks_like_e164(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// A new user, not yet inserted: username rules of `pool` applied, verifier made.
pub fn new_user(
    pool: &UserPool,
    typed_username: &str,
    mut attributes: BTreeMap<String, String>,
    password: &SecretString,
    status: UserStatus,
    now: OffsetDateTime,
) -> Result<User, CognitoError> {
    check_username(typed_username)?;
    let sub = uuid::Uuid::new_v4().to_string();
    let username = if pool.email_is_username() {
        if !looks_like_email(typed_username) {
            return Err(CognitoError::invalid_parameter(
                "Username should be an email.",
            ));
        }
        if attributes.get(EMAIL).is_some_and(|e| e != typed_username) {
            return Err(CognitoError::invalid_parameter(
                "The email attribute must match the username in a pool that signs in with email.",
            ));
        }
        attributes.insert(EMAIL.to_owned(), typed_username.to_owned());
        if pool.find_user(typed_username).is_some() {
            return Err(CognitoError::new(
                ErrorKind::UsernameExists,
                "An account with the given email already exists.",
            ));
        }
        sub.clone()
    } else {
        if pool.find_user(typed_username).is_some() {
            return Err(CognitoError::new(
                ErrorKind::UsernameExists,
                "User already exists",
            ));
        }
        typed_username.to_owned()
    };
    for contact in [EMAIL, PHONE_NUMBER] {
        let flag = format!("{contact}_verified");
        if attributes.contains_key(contact) {
            attributes.entry(flag).or_insert_with(|| "false".to_owned());
        } else {
            attributes.remove(&flag);
        }
    }
    let verifier = make_verifier(&pool.id, &username, password)?;
    Ok(User::new(
        username,
        sub,
        attributes,
        status,
        Some(StoredPassword::new(&verifier, now)),
        now,
    ))
}

/// The SRP verifier of `password` for `username` in `pool_id`, with a fresh salt.
pub fn make_verifier(
    pool_id: &str,
    username: &str,
    password: &SecretString,
) -> Result<cognito_srp::Verifier, CognitoError> {
    let pool_name = cognito_srp::pool_name(pool_id).map_err(|_| CognitoError::internal())?;
    let salt = cognito_srp::generate_salt(&mut OsRng);
    Ok(cognito_srp::Verifier::new(
        cognito_srp::Identity::User {
            pool_name,
            user_id_for_srp: username,
        },
        password.expose(),
        &salt,
    ))
}

/// Where a sign-up code goes: the e-mail address if the pool auto-verifies e-mail, else the
/// phone number if it auto-verifies phone numbers (Cognito's order).
pub fn sign_up_contact(pool: &UserPool, user: &User) -> Option<(&'static str, Channel, String)> {
    [(EMAIL, Channel::Email), (PHONE_NUMBER, Channel::Sms)]
        .into_iter()
        .filter(|(attribute, _)| pool.auto_verified_attributes.iter().any(|a| a == attribute))
        .find_map(|(attribute, channel)| {
            user.attribute(attribute)
                .map(|value| (attribute, channel, value.to_owned()))
        })
}

/// Issues a sign-up code to `username`'s e-mail or phone and records it in the outbox.
fn send_sign_up_code(
    ctx: &mut Ctx<'_>,
    pool_id: &str,
    username: &str,
) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
    let now = ctx.now;
    let pool = ctx.inner.state.pool(pool_id)?;
    let user = pool
        .users
        .get(username)
        .ok_or_else(CognitoError::user_not_found)?;
    let Some((_, channel, destination)) = sign_up_contact(pool, user) else {
        return Ok(None);
    };
    let (record, code) = PendingCode::issue(CodePurpose::SignUp, now);
    ctx.inner
        .state
        .pool_mut(pool_id)?
        .user_mut(username)?
        .pending_code = Some(record);
    ctx.inner.outbox.send(
        Delivery {
            user_pool_id: pool_id,
            username,
            channel,
            destination: &destination,
            purpose: Purpose::SignUp,
            code: &code,
        },
        now,
    )?;
    Ok(Some(match channel {
        Channel::Email => CodeDeliveryDetails::email(&destination),
        Channel::Sms => CodeDeliveryDetails::sms(&destination),
    }))
}

/// SignUp request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpRequest {
    client_id: Option<String>,
    secret_hash: Option<SecretString>,
    username: Option<String>,
    password: Option<SecretString>,
    user_attributes: Option<Vec<AttributeIn>>,
}

impl SignUpRequest {
    /// A sign-up from the hosted UI's form: the password moves in (never copied into a
    /// plain `String`), the e-mail address is the username.
    pub(crate) fn from_hosted_form(
        client_id: String,
        username: String,
        password: SecretString,
        secret_hash: Option<String>,
    ) -> Self {
        Self {
            client_id: Some(client_id),
            secret_hash: secret_hash.map(SecretString::new),
            user_attributes: Some(vec![AttributeIn {
                name: Some("email".to_owned()),
                value: Some(username.clone()),
            }]),
            username: Some(username),
            password: Some(password),
        }
    }
}

/// SignUp response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    user_confirmed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_delivery_details: Option<CodeDeliveryDetails>,
    user_sub: String,
}

/// SignUp.
pub fn sign_up(ctx: &mut Ctx<'_>, req: SignUpRequest) -> Result<SignUpResponse, CognitoError> {
    let client_id = required(req.client_id, "ClientId")?;
    let typed_username = required(req.username, "Username")?;
    let password = required(req.password, "Password")?;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let pool = ctx.inner.state.pool(&pool_id)?;
    check_secret_hash(
        pool.client(&client_id)?,
        &typed_username,
        req.secret_hash.as_ref(),
    )?;
    let attributes = parse_attributes(req.user_attributes, Writer::Client)?;
    pool.password_policy.check("password", password.expose())?;
    let user = new_user(
        pool,
        &typed_username,
        attributes,
        &password,
        UserStatus::Unconfirmed,
        ctx.now,
    )?;
    if let Some(missing) = pool.missing_required_attributes(&user).first() {
        return Err(CognitoError::invalid_parameter(format!(
            "Attributes did not conform to the schema: {missing}: The attribute is required"
        )));
    }
    let (username, sub) = (user.username.clone(), user.sub.clone());
    ctx.inner
        .state
        .pool_mut(&pool_id)?
        .users
        .insert(username.clone(), user);
    let delivery = send_sign_up_code(ctx, &pool_id, &username)?;
    tracing::info!(user_pool_id = %pool_id, username = %username, "user signed up");
    Ok(SignUpResponse {
        user_confirmed: false,
        code_delivery_details: delivery,
        user_sub: sub,
    })
}

/// The error for an unknown user in ConfirmSignUp / ResendConfirmationCode.
fn unknown_user(hide_existence: bool) -> CognitoError {
    if hide_existence {
        CognitoError::new(
            ErrorKind::CodeMismatch,
            "Invalid verification code provided, please try again.",
        )
    } else {
        CognitoError::new(
            ErrorKind::UserNotFound,
            "Username/client id combination not found.",
        )
    }
}

/// ConfirmSignUp request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpRequest {
    client_id: Option<String>,
    secret_hash: Option<SecretString>,
    username: Option<String>,
    confirmation_code: Option<SecretString>,
}

/// ConfirmSignUp.
pub fn confirm_sign_up(
    ctx: &mut Ctx<'_>,
    req: ConfirmSignUpRequest,
) -> Result<Empty, CognitoError> {
    let client_id = required(req.client_id, "ClientId")?;
    let typed_username = required(req.username, "Username")?;
    let code = required(req.confirmation_code, "ConfirmationCode")?;
    let now = ctx.now;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let pool = ctx.inner.state.pool_mut(&pool_id)?;
    let client = pool.client(&client_id)?;
    check_secret_hash(client, &typed_username, req.secret_hash.as_ref())?;
    let hide_existence = client.prevent_user_existence_errors;
    let username = pool
        .resolve_username(&typed_username)
        .ok_or_else(|| unknown_user(hide_existence))?;
    let verified = pool
        .users
        .get(&username)
        .and_then(|user| sign_up_contact(pool, user))
        .map_or(EMAIL, |(attribute, _, _)| attribute);
    let user = pool.user_mut(&username)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status.as_str()
        )));
    }
    let pending = user.pending_code.as_mut().ok_or_else(|| {
        CognitoError::new(
            ErrorKind::ExpiredCode,
            "Invalid code provided, please request a code again.",
        )
    })?;
    pending.redeem(code.expose(), now)?;
    user.status = UserStatus::Confirmed;
    user.last_modified = now;
    if user.attributes.contains_key(verified) {
        user.attributes
            .insert(format!("{verified}_verified"), "true".to_owned());
    }
    tracing::info!(user_pool_id = %pool_id, username = %user.username, "user confirmed");
    Ok(Empty {})
}

/// ResendConfirmationCode request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeRequest {
    client_id: Option<String>,
    secret_hash: Option<SecretString>,
    username: Option<String>,
}

/// ResendConfirmationCode response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeResponse {
    code_delivery_details: CodeDeliveryDetails,
}

/// ResendConfirmationCode.
pub fn resend_confirmation_code(
    ctx: &mut Ctx<'_>,
    req: ResendConfirmationCodeRequest,
) -> Result<ResendConfirmationCodeResponse, CognitoError> {
    let client_id = required(req.client_id, "ClientId")?;
    let typed_username = required(req.username, "Username")?;
    let pool_id = ctx.inner.state.pool_id_of_client(&client_id)?;
    let pool = ctx.inner.state.pool(&pool_id)?;
    let client = pool.client(&client_id)?;
    check_secret_hash(client, &typed_username, req.secret_hash.as_ref())?;
    let Some(user) = pool.find_user(&typed_username) else {
        if client.prevent_user_existence_errors && looks_like_email(&typed_username) {
            // A plausible answer, so the caller cannot tell the user does not exist.
            return Ok(ResendConfirmationCodeResponse {
                code_delivery_details: CodeDeliveryDetails::email(&typed_username),
            });
        }
        return Err(unknown_user(false));
    };
    if user.status != UserStatus::Unconfirmed {
        return Err(CognitoError::invalid_parameter(
            "User is already confirmed.",
        ));
    }
    let username = user.username.clone();
    let delivery = send_sign_up_code(ctx, &pool_id, &username)?
        .ok_or_else(|| CognitoError::invalid_parameter("Auto verification not turned on."))?;
    Ok(ResendConfirmationCodeResponse {
        code_delivery_details: delivery,
    })
}
