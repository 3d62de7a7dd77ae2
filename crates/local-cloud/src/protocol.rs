//! The AWS JSON 1.1 protocol: `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`
//! (user pools, signing name `cognito-idp`) or `AWSCognitoIdentityService.<Op>` (identity pools,
//! signing name `cognito-identity`).
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
use crate::identity;
use crate::ops::{self, Ctx};
use crate::server::App;
use crate::sigv4;

/// The `X-Amz-Target` prefix of the user-pool API.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// The `X-Amz-Target` prefix of the identity-pool API.
pub const IDENTITY_TARGET_PREFIX: &str = "AWSCognitoIdentityService.";

/// Which of the two JSON APIs an operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Cognito user pools.
    UserPools,
    /// Cognito identity pools.
    IdentityPools,
}

impl Api {
    /// The `X-Amz-Target` prefix.
    pub fn target_prefix(self) -> &'static str {
        match self {
            Self::UserPools => TARGET_PREFIX,
            Self::IdentityPools => IDENTITY_TARGET_PREFIX,
        }
    }

    /// The SigV4 signing name.
    pub fn signing_name(self) -> &'static str {
        match self {
            Self::UserPools => sigv4::SERVICE,
            Self::IdentityPools => sigv4::IDENTITY_SERVICE,
        }
    }
}

type OpFn<Req, Resp> = fn(&mut Ctx<'_>, Req) -> Result<Resp, CognitoError>;

macro_rules! operations {
    ($($name:ident => $func:path, signed: $signed:expr, api: $api:ident;)*) => {
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

            /// The API it belongs to.
            pub fn api(self) -> Api {
                match self {
                    $(Self::$name => Api::$api,)*
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
    CreateUserPool => ops::pools::create_user_pool, signed: true, api: UserPools;
    DescribeUserPool => ops::pools::describe_user_pool, signed: true, api: UserPools;
    ListUserPools => ops::pools::list_user_pools, signed: true, api: UserPools;
    CreateUserPoolClient => ops::clients::create_user_pool_client, signed: true, api: UserPools;
    DescribeUserPoolClient => ops::clients::describe_user_pool_client, signed: true, api: UserPools;
    ListUserPoolClients => ops::clients::list_user_pool_clients, signed: true, api: UserPools;
    SignUp => ops::sign_up::sign_up, signed: false, api: UserPools;
    ConfirmSignUp => ops::sign_up::confirm_sign_up, signed: false, api: UserPools;
    ResendConfirmationCode => ops::sign_up::resend_confirmation_code, signed: false, api: UserPools;
    AdminCreateUser => ops::admin_users::admin_create_user, signed: true, api: UserPools;
    AdminSetUserPassword => ops::admin_users::admin_set_user_password, signed: true, api: UserPools;
    AdminConfirmSignUp => ops::admin_users::admin_confirm_sign_up, signed: true, api: UserPools;
    AdminGetUser => ops::admin_users::admin_get_user, signed: true, api: UserPools;
    AdminDeleteUser => ops::admin_users::admin_delete_user, signed: true, api: UserPools;
    InitiateAuth => ops::auth::initiate_auth, signed: false, api: UserPools;
    AdminInitiateAuth => ops::auth::admin_initiate_auth, signed: true, api: UserPools;
    RespondToAuthChallenge => ops::challenge::respond_to_auth_challenge, signed: false, api: UserPools;
    AdminRespondToAuthChallenge => ops::challenge::admin_respond_to_auth_challenge, signed: true, api: UserPools;
    GetUser => ops::tokens::get_user, signed: false, api: UserPools;
    GetTokensFromRefreshToken => ops::tokens::get_tokens_from_refresh_token, signed: false, api: UserPools;
    RevokeToken => ops::tokens::revoke_token, signed: false, api: UserPools;
    GlobalSignOut => ops::sign_out::global_sign_out, signed: false, api: UserPools;
    AdminUserGlobalSignOut => ops::sign_out::admin_user_global_sign_out, signed: true, api: UserPools;
    CreateIdentityPool => identity::ops::create_identity_pool, signed: true, api: IdentityPools;
    DescribeIdentityPool => identity::ops::describe_identity_pool, signed: true, api: IdentityPools;
    UpdateIdentityPool => identity::ops::update_identity_pool, signed: true, api: IdentityPools;
    SetIdentityPoolRoles => identity::ops::set_identity_pool_roles, signed: true, api: IdentityPools;
    GetIdentityPoolRoles => identity::ops::get_identity_pool_roles, signed: true, api: IdentityPools;
    GetId => identity::ops::get_id, signed: false, api: IdentityPools;
    GetCredentialsForIdentity => identity::ops::get_credentials_for_identity, signed: false, api: IdentityPools;
    GetOpenIdToken => identity::ops::get_open_id_token, signed: false, api: IdentityPools;
    DescribeIdentity => identity::ops::describe_identity, signed: true, api: IdentityPools;
    SetUserPoolMfaConfig => ops::mfa::set_user_pool_mfa_config, signed: true, api: UserPools;
    GetUserPoolMfaConfig => ops::mfa::get_user_pool_mfa_config, signed: true, api: UserPools;
    AssociateSoftwareToken => ops::mfa::associate_software_token, signed: false, api: UserPools;
    VerifySoftwareToken => ops::mfa::verify_software_token, signed: false, api: UserPools;
    SetUserMFAPreference => ops::mfa::set_user_mfa_preference, signed: false, api: UserPools;
    AdminSetUserMFAPreference => ops::mfa::admin_set_user_mfa_preference, signed: true, api: UserPools;
    ForgotPassword => ops::recovery::forgot_password, signed: false, api: UserPools;
    ConfirmForgotPassword => ops::recovery::confirm_forgot_password, signed: false, api: UserPools;
    ChangePassword => ops::recovery::change_password, signed: false, api: UserPools;
    UpdateUserAttributes => ops::attributes::update_user_attributes, signed: false, api: UserPools;
    GetUserAttributeVerificationCode => ops::attributes::get_user_attribute_verification_code, signed: false, api: UserPools;
    VerifyUserAttribute => ops::attributes::verify_user_attribute, signed: false, api: UserPools;
    ConfirmDevice => ops::devices::confirm_device, signed: false, api: UserPools;
    UpdateDeviceStatus => ops::devices::update_device_status, signed: false, api: UserPools;
    GetDevice => ops::devices::get_device, signed: false, api: UserPools;
    ListDevices => ops::devices::list_devices, signed: false, api: UserPools;
    ForgetDevice => ops::devices::forget_device, signed: false, api: UserPools;
    AdminListDevices => ops::devices::admin_list_devices, signed: true, api: UserPools;
    AdminForgetDevice => ops::devices::admin_forget_device, signed: true, api: UserPools;
    CreateUserPoolDomain => ops::domains::create_user_pool_domain, signed: true, api: UserPools;
    DescribeUserPoolDomain => ops::domains::describe_user_pool_domain, signed: true, api: UserPools;
    DeleteUserPoolDomain => ops::domains::delete_user_pool_domain, signed: true, api: UserPools;
    CreateIdentityProvider => ops::identity_providers::create_identity_provider, signed: true, api: UserPools;
    DescribeIdentityProvider => ops::identity_providers::describe_identity_provider, signed: true, api: UserPools;
}

/// Maps an `X-Amz-Target` value to an operation.
pub fn parse_target(target: Option<&str>) -> Result<Operation, CognitoError> {
    let unknown = || {
        CognitoError::new(
            ErrorKind::UnknownOperation,
            "The operation requested is not supported by the local cloud.",
        )
    };
    let target = target.ok_or_else(unknown)?;
    [Api::UserPools, Api::IdentityPools]
        .into_iter()
        .find_map(|api| {
            target
                .strip_prefix(api.target_prefix())
                .and_then(Operation::from_name)
                .filter(|op| op.api() == api)
        })
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
        if let Err(err) = sigv4::verify_for(
            &app.admin,
            &app.region,
            op.api().signing_name(),
            app.clock.now(),
            request,
        ) {
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
                credentials_ttl: app.credentials_ttl,
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
        assert_eq!(
            parse_target(Some("AWSCognitoIdentityService.GetId")),
            Ok(Operation::GetId)
        );
        assert!(
            parse_target(Some("AWSCognitoIdentityService.SignUp")).is_err(),
            "an operation is only reachable under its own API's prefix"
        );
        assert!(parse_target(Some("AWSCognitoIdentityProviderService.GetId")).is_err());
        assert_eq!(
            Operation::CreateIdentityPool.api().signing_name(),
            "cognito-identity"
        );
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
