//! The AWS JSON 1.1 protocol: `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`.
//!
//! This module maps a target to an [`Operation`], checks the SigV4 signature of the operations
//! AWS signs (Create*, Describe*, List*, Admin*; the user-facing ones are unsigned on AWS too),
//! parses the body into the operation's request type, runs the operation under the store lock on
//! a blocking thread, and serialises the answer.
//!
//! Body parsing never echoes a value: a mistyped member is reported by its JSON path only, since
//! the value could be a password.

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroize;

use crate::error::{CognitoError, ErrorKind};
use crate::ops::{self, Ctx};
use crate::server::App;
use crate::sigv4;

/// The `X-Amz-Target` prefix of the user-pool API.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

type OpFn<Req, Resp> = fn(&mut Ctx<'_>, Req) -> Result<Resp, CognitoError>;

macro_rules! operations {
    ($($name:ident => $func:path, signed: $signed:expr;)*) => {
        /// The operations the emulator implements.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($name), "`.")]
                $name,
            )*
        }

        impl Operation {
            /// The operation named `name` (the part of the target after the prefix).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($name) => Some(Self::$name),)*
                    _ => None,
                }
            }

            /// The operation's name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$name => stringify!($name),)*
                }
            }

            /// Whether AWS requires a SigV4 signature for it.
            pub fn requires_signature(self) -> bool {
                match self {
                    $(Self::$name => $signed,)*
                }
            }
        }

        async fn dispatch(op: Operation, app: Arc<App>, body: Bytes) -> Result<Vec<u8>, CognitoError> {
            match op {
                $(Operation::$name => call(app, body, $func).await,)*
            }
        }
    };
}

operations! {
    CreateUserPool => ops::pools::create_user_pool, signed: true;
    DescribeUserPool => ops::pools::describe_user_pool, signed: true;
    ListUserPools => ops::pools::list_user_pools, signed: true;
    CreateUserPoolClient => ops::clients::create_user_pool_client, signed: true;
    DescribeUserPoolClient => ops::clients::describe_user_pool_client, signed: true;
    ListUserPoolClients => ops::clients::list_user_pool_clients, signed: true;
    SignUp => ops::sign_up::sign_up, signed: false;
    ConfirmSignUp => ops::sign_up::confirm_sign_up, signed: false;
    ResendConfirmationCode => ops::sign_up::resend_confirmation_code, signed: false;
    AdminCreateUser => ops::admin_users::admin_create_user, signed: true;
    AdminSetUserPassword => ops::admin_users::admin_set_user_password, signed: true;
    AdminConfirmSignUp => ops::admin_users::admin_confirm_sign_up, signed: true;
    AdminGetUser => ops::admin_users::admin_get_user, signed: true;
    AdminDeleteUser => ops::admin_users::admin_delete_user, signed: true;
    InitiateAuth => ops::auth::initiate_auth, signed: false;
    AdminInitiateAuth => ops::auth::admin_initiate_auth, signed: true;
    RespondToAuthChallenge => ops::challenge::respond_to_auth_challenge, signed: false;
    AdminRespondToAuthChallenge => ops::challenge::admin_respond_to_auth_challenge, signed: true;
    GetUser => ops::tokens::get_user, signed: false;
    GetTokensFromRefreshToken => ops::tokens::get_tokens_from_refresh_token, signed: false;
    RevokeToken => ops::tokens::revoke_token, signed: false;
    GlobalSignOut => ops::sign_out::global_sign_out, signed: false;
    AdminUserGlobalSignOut => ops::sign_out::admin_user_global_sign_out, signed: true;
    SetUserPoolMfaConfig => ops::mfa::set_user_pool_mfa_config, signed: true;
    GetUserPoolMfaConfig => ops::mfa::get_user_pool_mfa_config, signed: true;
    AssociateSoftwareToken => ops::mfa::associate_software_token, signed: false;
    VerifySoftwareToken => ops::mfa::verify_software_token, signed: false;
    SetUserMFAPreference => ops::mfa::set_user_mfa_preference, signed: false;
    AdminSetUserMFAPreference => ops::mfa::admin_set_user_mfa_preference, signed: true;
    ForgotPassword => ops::recovery::forgot_password, signed: false;
    ConfirmForgotPassword => ops::recovery::confirm_forgot_password, signed: false;
    ChangePassword => ops::recovery::change_password, signed: false;
    UpdateUserAttributes => ops::attributes::update_user_attributes, signed: false;
    GetUserAttributeVerificationCode => ops::attributes::get_user_attribute_verification_code, signed: false;
    VerifyUserAttribute => ops::attributes::verify_user_attribute, signed: false;
    ConfirmDevice => ops::devices::confirm_device, signed: false;
    UpdateDeviceStatus => ops::devices::update_device_status, signed: false;
    GetDevice => ops::devices::get_device, signed: false;
    ListDevices => ops::devices::list_devices, signed: false;
    ForgetDevice => ops::devices::forget_device, signed: false;
    AdminListDevices => ops::devices::admin_list_devices, signed: true;
    AdminForgetDevice => ops::devices::admin_forget_device, signed: true;
    CreateUserPoolDomain => ops::domains::create_user_pool_domain, signed: true;
    DescribeUserPoolDomain => ops::domains::describe_user_pool_domain, signed: true;
    DeleteUserPoolDomain => ops::domains::delete_user_pool_domain, signed: true;
    CreateIdentityProvider => ops::identity_providers::create_identity_provider, signed: true;
    DescribeIdentityProvider => ops::identity_providers::describe_identity_provider, signed: true;
}

/// Maps an `X-Amz-Target` value to an operation.
pub fn parse_target(target: Option<&str>) -> Result<Operation, CognitoError> {
    let unknown = || {
        CognitoError::new(
            ErrorKind::UnknownOperation,
            "The operation requested is not supported by the local cloud.",
        )
    };
    target
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .and_then(Operation::from_name)
        .ok_or_else(unknown)
}

/// Handles one JSON 1.1 request; returns the operation (for logging) and the response body.
pub async fn handle(
    app: Arc<App>,
    parts: &http::request::Parts,
    body: Bytes,
) -> (Option<Operation>, Result<Vec<u8>, CognitoError>) {
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok());
    let op = match parse_target(target) {
        Ok(op) => op,
        Err(err) => return (None, Err(err)),
    };
    if op.requires_signature() {
        let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let request = sigv4::RequestParts {
            method: parts.method.as_str(),
            path_and_query,
            headers: &parts.headers,
            body: &body,
        };
        if let Err(err) = sigv4::verify(&app.admin, &app.region, app.clock.now(), request) {
            return (Some(op), Err(err));
        }
    }
    (Some(op), dispatch(op, app, body).await)
}

/// Parses a request body into `Req`, reporting only the JSON path of a problem.
pub fn parse_body<Req: DeserializeOwned>(body: &[u8]) -> Result<Req, CognitoError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: Req = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        match err.inner().classify() {
            serde_json::error::Category::Data => CognitoError::new(
                ErrorKind::Serialization,
                format!("Unexpected value type or structure at '{path}'"),
            ),
            _ => CognitoError::new(
                ErrorKind::Serialization,
                "The request body is not valid JSON.",
            ),
        }
    })?;
    deserializer.end().map_err(|_| {
        CognitoError::new(
            ErrorKind::Serialization,
            "The request body is not valid JSON.",
        )
    })?;
    Ok(parsed)
}

async fn call<Req, Resp>(
    app: Arc<App>,
    body: Bytes,
    op: OpFn<Req, Resp>,
) -> Result<Vec<u8>, CognitoError>
where
    Req: DeserializeOwned + Send + 'static,
    Resp: Serialize + Send + 'static,
{
    let request = parse_body::<Req>(&body);
    // Our copy of the body may hold a password; wipe it if we are its only owner.
    if let Ok(mut owned) = body.try_into_mut() {
        owned.as_mut().zeroize();
    }
    let request = request?;
    let task = tokio::task::spawn_blocking(move || {
        app.store.run(|inner| {
            let mut ctx = Ctx {
                inner,
                now: app.clock.now(),
                endpoint: &app.endpoint,
                region: &app.region,
            };
            op(&mut ctx, request)
        })
    });
    let response = task.await.map_err(|_| CognitoError::internal())??;
    serde_json::to_vec(&response).map_err(|_| CognitoError::internal())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Probe {
        #[allow(dead_code)]
        password: Option<crate::secrets::SecretString>,
    }

    #[test]
    fn targets() {
        assert_eq!(
            parse_target(Some("AWSCognitoIdentityProviderService.SignUp")),
            Ok(Operation::SignUp)
        );
        assert!(!Operation::SignUp.requires_signature());
        assert!(Operation::AdminGetUser.requires_signature());
        let err =
            parse_target(Some("AWSCognitoIdentityProviderService.Nope")).expect_err("unknown");
        assert_eq!(err.kind, ErrorKind::UnknownOperation);
        assert!(parse_target(None).is_err());
    }

    #[test]
    fn type_errors_name_the_member_but_never_its_value() {
        let err = parse_body::<Probe>(br#"{"Password": 12345678}"#).expect_err("wrong type");
        assert_eq!(err.kind, ErrorKind::Serialization);
        assert!(err.message.contains("Password"));
        assert!(!err.message.contains("12345678"));
        let err = parse_body::<Probe>(b"{not json").expect_err("malformed");
        assert_eq!(err.kind, ErrorKind::Serialization);
        assert!(
            parse_body::<Probe>(b"").is_ok(),
            "an empty body is an empty object"
        );
        assert!(parse_body::<Probe>(b"{} trailing").is_err());
    }
}
