//! The demo backend provisioned on first start, and the client config that points at it.
//!
//! First start (no demo recorded in the state): a pool "coffer-demo" where users sign in with
//! their e-mail address, e-mail auto-verified, default password policy; and a public app client
//! "coffer-desktop" (no secret, USER_SRP_AUTH and refresh only). Then (also on the first start
//! of a data directory made before identity pools existed): an identity pool "coffer_demo"
//! that accepts that client's ID tokens and allows guests, with two roles — signed-in
//! identities may list, read, write and delete under `private/<identity id>/` of the bucket
//! "coffer-demo" (and list, read and delete — to move into `private/` — their own
//! `guest/<identity id>/`, kept when a guest signs in), guests the same under
//! `guest/<identity id>/` only; each role's trust policy
//! admits only that identity pool's signed-in identities or guests respectively (rewritten on
//! every start, so older data directories get them too). On every start the bucket is
//! ensured and `<data>/coffer.toml` is rewritten so its endpoints carry the current port.
//!
//! Hosted UI ([`ensure_hosted_demo`], also for demo pools made by older versions): the domain
//! `coffer-demo`, the built-in provider `LocalIdP`, and for the demo client the code flow with
//! scopes openid/email/profile/aws.cognito.signin.user.admin, callbacks
//! `http://127.0.0.1:53682/callback` and `http://localhost:53682/callback`, logout URLs
//! `http://127.0.0.1:53682/signed-out` and `http://localhost:53682/signed-out`, providers
//! COGNITO and LocalIdP; `coffer.toml` then has a
//! `[hosted_ui]` section pointing at `<endpoint>/_hosted/coffer-demo`.

use std::path::PathBuf;

use serde::Serialize;

use crate::error::LocalCloudError;
use crate::files::{write_atomically, DataPaths, Visibility};
use crate::identity::ops::create_pool as create_identity_pool;
use crate::identity::trust::{cognito_trust_policy, warn_about_legacy_roles};
use crate::ids;
use crate::jwt::SigningKeyRecord;
use crate::model::device::DeviceConfiguration;
use crate::model::hosted::{IdentityProvider, OAuthClientSettings, COGNITO_PROVIDER};
use crate::model::mfa::{EmailMfaSettings, MfaMode, PoolMfa};
use crate::model::pool::EMAIL;
use crate::model::{DemoIds, PasswordPolicy, ProviderLink, Role, TokenValidity};
use crate::ops::clients::{create_client, ClientSettings};
use crate::ops::domains::create_domain;
use crate::ops::identity_providers::add_provider;
use crate::ops::pools::{create_pool, PoolSettings};
use crate::ops::tokens::ADMIN_SCOPE;
use crate::ops::Ctx;
use crate::store::Store;
use std::collections::BTreeMap;

/// The demo pool's name.
pub const DEMO_POOL_NAME: &str = "coffer-demo";
/// The demo client's name.
pub const DEMO_CLIENT_NAME: &str = "coffer-desktop";
/// The demo identity pool's name.
pub const DEMO_IDENTITY_POOL_NAME: &str = "coffer_demo";
/// The demo bucket.
pub const DEMO_BUCKET: &str = "coffer-demo";
/// The role of signed-in demo identities.
pub const DEMO_AUTHENTICATED_ROLE: &str =
    "arn:aws:iam::000000000000:role/coffer-demo-authenticated";
/// The role of demo guests.
pub const DEMO_GUEST_ROLE: &str = "arn:aws:iam::000000000000:role/coffer-demo-guest";

/// The policy that confines an identity to `<top>/<identity id>/` of `bucket`.
pub fn own_prefix_policy(bucket: &str, top: &str) -> serde_json::Value {
    let sub = "${cognito-identity.amazonaws.com:sub}";
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ListOwnPrefix",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": format!("arn:aws:s3:::{bucket}"),
                "Condition": {"StringLike": {"s3:prefix": [format!("{top}/{sub}/"), format!("{top}/{sub}/*")]}}
            },
            {
                "Sid": "OwnObjects",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts"
                ],
                "Resource": format!("arn:aws:s3:::{bucket}/{top}/{sub}/*")
            }
        ]
    })
}

/// The demo authenticated role's policy: its own `private/<identity id>/`, plus reading,
/// listing and deleting (never writing) its own `guest/<identity id>/`, so that a guest who
/// signs in — and keeps the identity id — can move the files they uploaded as a guest into
/// their private folder (as `infra/coffer.yaml` allows on AWS). The same policy variable
/// names the identity in both, so nobody else's guest files are reachable.
pub fn signed_in_policy(bucket: &str) -> serde_json::Value {
    let sub = "${cognito-identity.amazonaws.com:sub}";
    let mut policy = own_prefix_policy(bucket, "private");
    if let Some(statements) = policy["Statement"].as_array_mut() {
        statements.push(serde_json::json!({
            "Sid": "ListOwnGuestPrefix",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": format!("arn:aws:s3:::{bucket}"),
            "Condition": {"StringLike": {"s3:prefix": [format!("guest/{sub}/"), format!("guest/{sub}/*")]}}
        }));
        statements.push(serde_json::json!({
            "Sid": "MoveOwnGuestObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:DeleteObject"],
            "Resource": format!("arn:aws:s3:::{bucket}/guest/{sub}/*")
        }));
    }
    policy
}

/// The demo backend of a running local cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSetup {
    /// The region.
    pub region: String,
    /// The demo user pool.
    pub user_pool_id: String,
    /// Its public app client.
    pub client_id: String,
    /// The demo identity pool.
    pub identity_pool_id: String,
    /// The demo bucket.
    pub bucket: String,
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
        let mut demo = ensure_user_pool(inner, region, now)?;
        ensure_identity_pool(&mut inner.state, region, now, &mut demo);
        inner.state.demo = Some(demo.clone());
        warn_about_legacy_roles(&inner.state);
        Ok(demo)
    })
}

fn ensure_identity_pool(
    state: &mut crate::model::State,
    region: &str,
    now: time::OffsetDateTime,
    demo: &mut DemoIds,
) {
    for (arn, policy) in [
        (DEMO_AUTHENTICATED_ROLE, signed_in_policy(DEMO_BUCKET)),
        (DEMO_GUEST_ROLE, own_prefix_policy(DEMO_BUCKET, "guest")),
    ] {
        let role = state.roles.entry(arn.to_owned()).or_insert_with(|| Role {
            arn: arn.to_owned(),
            policy: policy.clone(),
            trust_policy: None,
        });
        // Demo roles made before signed-in identities could move their guest files get the
        // new policy; a policy someone changed by hand is left alone.
        if arn == DEMO_AUTHENTICATED_ROLE
            && role.policy == own_prefix_policy(DEMO_BUCKET, "private")
        {
            role.policy = policy;
        }
    }
    demo.bucket = Some(DEMO_BUCKET.to_owned());
    let present = demo
        .identity_pool_id
        .as_ref()
        .is_some_and(|id| state.identity_pools.contains_key(id));
    if !present {
        create_demo_identity_pool(state, region, now, demo);
    }
    if let Some(pool_id) = &demo.identity_pool_id {
        trust_demo_roles(state, pool_id);
    }
}

/// Gives the demo roles the trust policies of the Cognito developer guide ("Role trust and
/// permissions"): each is assumable only by identities of the demo identity pool (`aud`), the
/// authenticated role by signed-in ones and the guest role by guests (`amr`). Written on every
/// start, so demo roles made before trust policies were kept are brought up to date.
fn trust_demo_roles(state: &mut crate::model::State, pool_id: &str) {
    for (arn, amr) in [
        (DEMO_AUTHENTICATED_ROLE, "authenticated"),
        (DEMO_GUEST_ROLE, "unauthenticated"),
    ] {
        if let Some(role) = state.roles.get_mut(arn) {
            role.trust_policy = Some(cognito_trust_policy(pool_id, amr));
        }
    }
}

fn create_demo_identity_pool(
    state: &mut crate::model::State,
    region: &str,
    now: time::OffsetDateTime,
    demo: &mut DemoIds,
) {
    let provider = ProviderLink {
        provider_name: format!("cognito-idp.{region}.amazonaws.com/{}", demo.user_pool_id),
        client_id: demo.client_id.clone(),
        server_side_token_check: false,
    };
    let id = create_identity_pool(
        state,
        region,
        now,
        DEMO_IDENTITY_POOL_NAME,
        true,
        vec![provider],
    );
    if let Some(pool) = state.identity_pools.get_mut(&id) {
        pool.roles.insert(
            "authenticated".to_owned(),
            DEMO_AUTHENTICATED_ROLE.to_owned(),
        );
        pool.roles
            .insert("unauthenticated".to_owned(), DEMO_GUEST_ROLE.to_owned());
    }
    tracing::info!(identity_pool_id = %id, bucket = DEMO_BUCKET, "demo identity pool provisioned");
    demo.identity_pool_id = Some(id);
}

fn ensure_user_pool(
    inner: &mut crate::store::Inner,
    region: &str,
    now: time::OffsetDateTime,
) -> Result<DemoIds, LocalCloudError> {
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
    let pool_id = create_pool(
        &mut inner.state,
        region,
        now,
        settings,
        SigningKeyRecord::generate()?,
    );
    let client = ClientSettings {
        name: DEMO_CLIENT_NAME.to_owned(),
        generate_secret: false,
        explicit_auth_flows: vec![
            "ALLOW_USER_SRP_AUTH".to_owned(),
            "ALLOW_REFRESH_TOKEN_AUTH".to_owned(),
        ],
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
        identity_pool_id: None,
        bucket: None,
    };
    tracing::info!(user_pool_id = %demo.user_pool_id, client_id = %demo.client_id, "demo backend provisioned");
    Ok(demo)
}

#[derive(Serialize)]
struct ClientConfigFile<'a> {
    region: &'a str,
    user_pool_id: &'a str,
    client_id: &'a str,
    identity_pool_id: &'a str,
    bucket: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hosted_ui: Option<HostedUiSection<'a>>,
    endpoints: Endpoints<'a>,
}

#[derive(Serialize)]
struct HostedUiSection<'a> {
    domain: String,
    redirect_uris: &'a [&'a str],
    providers: &'a [&'a str],
}

/// The demo pool's hosted-UI domain prefix (served at `<endpoint>/_hosted/coffer-demo`).
pub const DEMO_DOMAIN: &str = "coffer-demo";
/// The demo client's loopback callback URLs (RFC 8252 §7.3; Cognito matches them exactly).
pub const DEMO_REDIRECT_URIS: [&str; 2] = [
    "http://127.0.0.1:53682/callback",
    "http://localhost:53682/callback",
];
/// The name of the built-in OIDC provider in the demo pool.
pub const LOCAL_IDP_PROVIDER: &str = "LocalIdP";
/// The identity providers the demo client offers.
pub const DEMO_PROVIDERS: [&str; 2] = [COGNITO_PROVIDER, LOCAL_IDP_PROVIDER];
/// The OAuth scopes the demo client allows: the OIDC ones, and
/// `aws.cognito.signin.user.admin` so that a browser sign-in's access token may call GetUser,
/// ChangePassword, GlobalSignOut and the other token-authorised user-pool operations.
pub const DEMO_SCOPES: [&str; 4] = ["openid", "email", "profile", ADMIN_SCOPE];
/// The demo client's scopes before [`DEMO_SCOPES`]; upgraded on start.
const OLD_DEMO_SCOPES: [&str; 3] = ["openid", "email", "profile"];
/// LocalIdP's client id for the demo pool.
const DEMO_IDP_CLIENT_ID: &str = "coffer-demo-pool";

/// Gives the demo pool its hosted UI, unless it has one: a domain, the LocalIdP provider and
/// the demo client's OAuth settings (code flow, [`DEMO_SCOPES`], loopback callbacks,
/// COGNITO + LocalIdP). Settings changed by the user are left alone, except that the scopes of
/// an older version's demo client gain `aws.cognito.signin.user.admin`. Also re-points every
/// LocalIdP provider at this start's endpoint (the port may have changed). Returns the domain.
pub fn ensure_hosted_demo(
    store: &Store,
    region: &str,
    demo: &DemoIds,
    endpoint: &str,
    now: time::OffsetDateTime,
) -> Result<Option<String>, LocalCloudError> {
    store.run_startup(|inner| {
        crate::hosted_ui::local_idp::repoint_providers(&mut inner.state, endpoint);
        if inner.state.pool(&demo.user_pool_id).is_err() {
            return Ok(None);
        }
        if inner
            .state
            .hosted
            .domain_of_pool(&demo.user_pool_id)
            .is_none()
        {
            let mut domain = DEMO_DOMAIN.to_owned();
            if inner.state.hosted.domains.contains_key(&domain) {
                domain = format!("{DEMO_DOMAIN}-{}", &ids::client_id()[..6]);
            }
            create_domain(&mut inner.state, &demo.user_pool_id, &domain)
                .map_err(|_| provisioning_failed())?;
        }
        let has_provider = inner
            .state
            .hosted
            .providers
            .get(&demo.user_pool_id)
            .is_some_and(|p| p.contains_key(LOCAL_IDP_PROVIDER));
        if !has_provider {
            let details = BTreeMap::from([
                ("client_id".to_owned(), DEMO_IDP_CLIENT_ID.to_owned()),
                ("client_secret".to_owned(), ids::client_secret()),
                (
                    "authorize_scopes".to_owned(),
                    "openid email profile".to_owned(),
                ),
                (
                    "oidc_issuer".to_owned(),
                    crate::hosted_ui::local_idp::issuer(endpoint),
                ),
            ]);
            let provider = IdentityProvider {
                name: LOCAL_IDP_PROVIDER.to_owned(),
                provider_type: "OIDC".to_owned(),
                details,
                attribute_mapping: BTreeMap::from([
                    ("email".to_owned(), "email".to_owned()),
                    ("name".to_owned(), "name".to_owned()),
                    ("username".to_owned(), "sub".to_owned()),
                ]),
                created: now,
                last_modified: now,
            };
            let mut ctx = Ctx {
                inner,
                now,
                endpoint,
                region,
                // Startup provisioning issues no credentials.
                credentials_ttl: crate::config::DEFAULT_CREDENTIALS_TTL,
            };
            add_provider(&mut ctx, &demo.user_pool_id, provider)
                .map_err(|_| provisioning_failed())?;
        }
        let settings = inner
            .state
            .hosted
            .clients
            .entry(demo.client_id.clone())
            .or_insert_with(|| OAuthClientSettings {
                callback_urls: DEMO_REDIRECT_URIS.iter().map(|u| (*u).to_owned()).collect(),
                logout_urls: DEMO_REDIRECT_URIS
                    .iter()
                    .map(|u| u.replace("/callback", "/signed-out"))
                    .collect(),
                default_redirect_uri: None,
                allowed_flows: vec!["code".to_owned()],
                allowed_flows_user_pool_client: true,
                allowed_scopes: DEMO_SCOPES.map(str::to_owned).to_vec(),
                supported_identity_providers: DEMO_PROVIDERS.map(str::to_owned).to_vec(),
            });
        // Demo clients made by older versions allowed exactly openid/email/profile, so their
        // browser sign-ins could not call the account APIs (no aws.cognito.signin.user.admin).
        if settings.allowed_scopes == OLD_DEMO_SCOPES {
            settings.allowed_scopes = DEMO_SCOPES.map(str::to_owned).to_vec();
        }
        Ok(inner
            .state
            .hosted
            .domain_of_pool(&demo.user_pool_id)
            .map(str::to_owned))
    })
}

fn provisioning_failed() -> LocalCloudError {
    LocalCloudError::CorruptData {
        path: PathBuf::from("state.json"),
        reason: "the demo pool's hosted UI could not be provisioned".into(),
    }
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
    hosted_domain: Option<&str>,
) -> Result<DemoSetup, LocalCloudError> {
    let identity_pool_id = demo.identity_pool_id.as_deref().unwrap_or_default();
    let bucket = demo.bucket.as_deref().unwrap_or(DEMO_BUCKET);
    let file = ClientConfigFile {
        region,
        user_pool_id: &demo.user_pool_id,
        client_id: &demo.client_id,
        identity_pool_id,
        bucket,
        hosted_ui: hosted_domain.map(|domain| HostedUiSection {
            domain: crate::ops::domains::hosted_base_url(endpoint, domain),
            redirect_uris: &DEMO_REDIRECT_URIS,
            providers: &DEMO_PROVIDERS,
        }),
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
        identity_pool_id: identity_pool_id.to_owned(),
        bucket: bucket.to_owned(),
        config_path: paths.client_config.clone(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::policy::{Decision, Policy, Request};

    /// `document`'s decision for identity `us-east-1:1111` (with `s3:prefix` when given).
    fn decide_for_1111(
        document: &serde_json::Value,
        action: &str,
        resource: &str,
        prefix: Option<&str>,
    ) -> Decision {
        let vars = BTreeMap::from([(
            "cognito-identity.amazonaws.com:sub".to_owned(),
            "us-east-1:1111".to_owned(),
        )]);
        let context: BTreeMap<String, String> = prefix
            .map(|p| BTreeMap::from([("s3:prefix".to_owned(), p.to_owned())]))
            .unwrap_or_default();
        let policy = Policy::from_value(document).expect("parses");
        policy.evaluate(
            &Request {
                action,
                resource,
                context: &context,
            },
            &vars,
        )
    }

    #[test]
    fn the_demo_policies_confine_identities_to_their_prefix() {
        let decide = |top: &str, action: &str, resource: &str, prefix: Option<&str>| {
            let document = match top {
                "private" => signed_in_policy(DEMO_BUCKET),
                _ => own_prefix_policy(DEMO_BUCKET, top),
            };
            decide_for_1111(&document, action, resource, prefix)
        };
        let own = "arn:aws:s3:::coffer-demo/private/us-east-1:1111/f";
        for action in [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        ] {
            assert_eq!(
                decide("private", action, own, None),
                Decision::Allow,
                "{action}"
            );
        }
        assert_eq!(
            decide(
                "private",
                "s3:ListBucket",
                "arn:aws:s3:::coffer-demo",
                Some("private/us-east-1:1111/")
            ),
            Decision::Allow
        );
        assert_eq!(
            decide("private", "s3:ListBucket", "arn:aws:s3:::coffer-demo", None),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(
                "private",
                "s3:ListBucketMultipartUploads",
                "arn:aws:s3:::coffer-demo",
                None
            ),
            Decision::ImplicitDeny,
            "listing every upload would reveal other identities' keys"
        );
        assert_eq!(
            decide("guest", "s3:PutObject", own, None),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(
                "guest",
                "s3:PutObject",
                "arn:aws:s3:::coffer-demo/guest/us-east-1:1111/f",
                None
            ),
            Decision::Allow
        );
    }

    #[test]
    fn signed_in_identities_may_move_only_their_own_guest_files() {
        let document = signed_in_policy(DEMO_BUCKET);
        let decide = |action: &str, resource: &str, prefix: Option<&str>| {
            decide_for_1111(&document, action, resource, prefix)
        };
        let own_guest = "arn:aws:s3:::coffer-demo/guest/us-east-1:1111/f";
        let other_guest = "arn:aws:s3:::coffer-demo/guest/us-east-1:2222/f";
        let bucket = "arn:aws:s3:::coffer-demo";
        for action in ["s3:GetObject", "s3:DeleteObject"] {
            assert_eq!(decide(action, own_guest, None), Decision::Allow, "{action}");
            assert_eq!(
                decide(action, other_guest, None),
                Decision::ImplicitDeny,
                "{action}"
            );
        }
        assert_eq!(
            decide("s3:PutObject", own_guest, None),
            Decision::ImplicitDeny,
            "the guest folder is only emptied, never written, when signed in"
        );
        assert_eq!(
            decide("s3:ListBucket", bucket, Some("guest/us-east-1:1111/")),
            Decision::Allow
        );
        assert_eq!(
            decide("s3:ListBucket", bucket, Some("guest/us-east-1:2222/")),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide("s3:ListBucket", bucket, Some("guest/")),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn an_older_demo_signed_in_role_gets_the_guest_move_and_a_changed_one_is_kept() {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let demo = || DemoIds {
            user_pool_id: "us-east-1_Demo".to_owned(),
            client_id: "client".to_owned(),
            identity_pool_id: None,
            bucket: None,
        };
        let role = |policy| Role {
            arn: DEMO_AUTHENTICATED_ROLE.to_owned(),
            policy,
            trust_policy: None,
        };
        let mut older = crate::model::State::default();
        older.roles.insert(
            DEMO_AUTHENTICATED_ROLE.to_owned(),
            role(own_prefix_policy(DEMO_BUCKET, "private")),
        );
        ensure_identity_pool(&mut older, "us-east-1", now, &mut demo());
        assert_eq!(
            older.roles[DEMO_AUTHENTICATED_ROLE].policy,
            signed_in_policy(DEMO_BUCKET)
        );

        let changed = serde_json::json!({"Version": "2012-10-17", "Statement": []});
        let mut edited = crate::model::State::default();
        edited
            .roles
            .insert(DEMO_AUTHENTICATED_ROLE.to_owned(), role(changed.clone()));
        ensure_identity_pool(&mut edited, "us-east-1", now, &mut demo());
        assert_eq!(edited.roles[DEMO_AUTHENTICATED_ROLE].policy, changed);
    }
}
