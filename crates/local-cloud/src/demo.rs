//! The demo backend provisioned on first start, and the client config that points at it.
//!
//! First start (no demo recorded in the state): a pool "coffer-demo" where users sign in with
//! their e-mail address, e-mail auto-verified, default password policy; and a public app client
//! "coffer-desktop" (no secret, USER_SRP_AUTH and refresh only). On every start
//! `<data>/coffer.toml` is rewritten so its endpoints carry the current port.

use std::path::PathBuf;

use serde::Serialize;

use crate::error::LocalCloudError;
use crate::files::{write_atomically, DataPaths, Visibility};
use crate::jwt::SigningKeyRecord;
use crate::model::device::DeviceConfiguration;
use crate::model::mfa::{EmailMfaSettings, MfaMode, PoolMfa};
use crate::model::pool::EMAIL;
use crate::model::{DemoIds, PasswordPolicy, TokenValidity};
use crate::ops::clients::{create_client, ClientSettings};
use crate::ops::pools::{create_pool, PoolSettings};
use crate::store::Store;

/// The demo pool's name.
pub const DEMO_POOL_NAME: &str = "coffer-demo";
/// The demo client's name.
pub const DEMO_CLIENT_NAME: &str = "coffer-desktop";

/// The demo backend of a running local cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSetup {
    /// The region.
    pub region: String,
    /// The demo user pool.
    pub user_pool_id: String,
    /// Its public app client.
    pub client_id: String,
    /// `<data>/coffer.toml`.
    pub config_path: PathBuf,
}

/// Returns the demo ids, provisioning the demo backend if the state has none.
pub fn ensure_demo(
    store: &Store,
    region: &str,
    now: time::OffsetDateTime,
) -> Result<DemoIds, LocalCloudError> {
    store.run_startup(|inner| {
        if let Some(demo) = &inner.state.demo {
            let present = inner
                .state
                .pools
                .get(&demo.user_pool_id)
                .is_some_and(|pool| pool.clients.contains_key(&demo.client_id));
            if present {
                return Ok(demo.clone());
            }
        }
        let settings = PoolSettings {
            name: DEMO_POOL_NAME.to_owned(),
            password_policy: PasswordPolicy::default(),
            username_attributes: vec![EMAIL.to_owned()],
            auto_verified_attributes: vec![EMAIL.to_owned()],
            username_case_sensitive: false,
            // MFA for whoever turns it on (TOTP or e-mail), and devices remembered on request
            // (a remembered device then skips MFA), so the app and the CLI can exercise every
            // flow against the demo backend.
            mfa: PoolMfa {
                mode: MfaMode::Optional,
                sms: None,
                software_token: true,
                email: Some(EmailMfaSettings::default()),
            },
            required_attributes: Vec::new(),
            device_configuration: Some(DeviceConfiguration {
                challenge_required_on_new_device: true,
                device_only_remembered_on_user_prompt: true,
            }),
        };
        let pool_id = create_pool(&mut inner.state, region, now, settings, SigningKeyRecord::generate()?);
        let client = ClientSettings {
            name: DEMO_CLIENT_NAME.to_owned(),
            generate_secret: false,
            explicit_auth_flows: vec!["ALLOW_USER_SRP_AUTH".to_owned(), "ALLOW_REFRESH_TOKEN_AUTH".to_owned()],
            prevent_user_existence_errors: false,
            enable_token_revocation: true,
            token_validity: TokenValidity::default(),
            auth_session_validity_minutes: 3,
        };
        let client_id = create_client(&mut inner.state, &pool_id, now, client).map_err(|_| {
            LocalCloudError::CorruptData {
                path: PathBuf::from("state.json"),
                reason: "the demo pool vanished while being provisioned".into(),
            }
        })?;
        let demo = DemoIds {
            user_pool_id: pool_id,
            client_id,
        };
        inner.state.demo = Some(demo.clone());
        tracing::info!(user_pool_id = %demo.user_pool_id, client_id = %demo.client_id, "demo backend provisioned");
        Ok(demo)
    })
}

#[derive(Serialize)]
struct ClientConfigFile<'a> {
    region: &'a str,
    user_pool_id: &'a str,
    client_id: &'a str,
    endpoints: Endpoints<'a>,
}

#[derive(Serialize)]
struct Endpoints<'a> {
    cognito_idp: &'a str,
    cognito_identity: &'a str,
    s3: &'a str,
}

/// Writes `<data>/coffer.toml` for the demo backend at `endpoint`.
pub fn write_client_config(
    paths: &DataPaths,
    region: &str,
    demo: &DemoIds,
    endpoint: &str,
) -> Result<DemoSetup, LocalCloudError> {
    let file = ClientConfigFile {
        region,
        user_pool_id: &demo.user_pool_id,
        client_id: &demo.client_id,
        endpoints: Endpoints {
            cognito_idp: endpoint,
            cognito_identity: endpoint,
            s3: endpoint,
        },
    };
    let text = toml::to_string(&file).map_err(|_| LocalCloudError::CorruptData {
        path: paths.client_config.clone(),
        reason: "cannot render the client config".into(),
    })?;
    let text = format!(
        "# Written by the Coffer local cloud on each start; edits are overwritten.\n{text}"
    );
    write_atomically(&paths.client_config, text.as_bytes(), Visibility::Shared)?;
    Ok(DemoSetup {
        region: region.to_owned(),
        user_pool_id: demo.user_pool_id.clone(),
        client_id: demo.client_id.clone(),
        config_path: paths.client_config.clone(),
    })
}
