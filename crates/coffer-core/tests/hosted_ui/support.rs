//! A local cloud with a user and an OAuth app client whose callback is a free loopback port.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider as cip;
use coffer_core::{Client, Config, HostedUiOptions, HostedUiSignIn, MemoryStore};
use local_cloud::{LocalCloudConfig, RunningLocalCloud};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{StatusCode, Url};

pub const EMAIL: &str = "loopback@example.com";
pub const PASSWORD: &str = "Correct-Horse-42-battery";

pub struct World {
    pub cloud: RunningLocalCloud,
    _data: tempfile::TempDir,
    pub client_id: String,
    /// The registered callback.
    pub callback: String,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The scopes the test app client allows by default: what coffer asks for.
pub const ALLOWED_SCOPES: [&str; 4] = [
    "openid",
    "email",
    "profile",
    "aws.cognito.signin.user.admin",
];

impl World {
    pub async fn start() -> Self {
        Self::start_allowing(&ALLOWED_SCOPES).await
    }

    /// A world whose app client allows only `scopes`.
    pub async fn start_allowing(scopes: &[&str]) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let cloud = local_cloud::start(LocalCloudConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            data.path().to_path_buf(),
        ))
        .await
        .expect("local cloud starts");
        let admin = cloud.admin_credentials();
        let credentials = cip::config::Credentials::new(
            admin.access_key_id.clone(),
            admin.secret_access_key.expose().to_owned(),
            None,
            None,
            "local-cloud",
        );
        let sdk = cip::Client::from_conf(
            cip::Config::builder()
                .behavior_version(cip::config::BehaviorVersion::latest())
                .region(cip::config::Region::new(cloud.demo().region.clone()))
                .endpoint_url(cloud.endpoint())
                .credentials_provider(credentials)
                .build(),
        );
        let callback = format!("http://127.0.0.1:{}/callback", free_port());
        let created = sdk
            .create_user_pool_client()
            .user_pool_id(&cloud.demo().user_pool_id)
            .client_name("loopback-test")
            .allowed_o_auth_flows(cip::types::OAuthFlowType::Code)
            .allowed_o_auth_flows_user_pool_client(true)
            .set_allowed_o_auth_scopes(Some(scopes.iter().map(|s| (*s).to_owned()).collect()))
            .callback_urls(&callback)
            .supported_identity_providers("COGNITO")
            .send()
            .await
            .expect("CreateUserPoolClient");
        let client_id = created
            .user_pool_client
            .and_then(|c| c.client_id)
            .expect("client id");
        let world = Self {
            cloud,
            _data: data,
            client_id,
            callback,
        };
        world.confirmed_user(&sdk).await;
        world
    }

    async fn confirmed_user(&self, sdk: &cip::Client) {
        sdk.sign_up()
            .client_id(&self.client_id)
            .username(EMAIL)
            .password(PASSWORD)
            .send()
            .await
            .expect("SignUp");
        sdk.admin_confirm_sign_up()
            .user_pool_id(&self.cloud.demo().user_pool_id)
            .username(EMAIL)
            .send()
            .await
            .expect("AdminConfirmSignUp");
    }

    /// A coffer client whose `[hosted_ui]` lists `redirect_uri`, with an empty memory store.
    pub fn client_with(&self, redirect_uri: &str) -> (Client, Arc<MemoryStore>) {
        let endpoint = self.cloud.endpoint();
        let demo = self.cloud.demo();
        let config = Config::from_toml_str(&format!(
            "region = \"{}\"\nuser_pool_id = \"{}\"\nclient_id = \"{}\"\n\n\
             [hosted_ui]\ndomain = \"{endpoint}/_hosted/coffer-demo\"\nredirect_uris = [\"{redirect_uri}\"]\n\n\
             [endpoints]\ncognito_idp = \"{endpoint}\"\ncognito_identity = \"{endpoint}\"\ns3 = \"{endpoint}\"\n",
            demo.region, demo.user_pool_id, self.client_id
        ))
        .expect("config");
        let store = Arc::new(MemoryStore::new());
        (Client::new(config, store.clone()).expect("client"), store)
    }

    pub fn client(&self) -> (Client, Arc<MemoryStore>) {
        self.client_with(&self.callback)
    }

    pub async fn begin(client: &Client) -> HostedUiSignIn {
        client
            .begin_hosted_ui_sign_in(HostedUiOptions::default())
            .await
            .expect("listener binds")
    }
}

/// The browser: opens the authorize URL, signs in on the login page, and returns where the
/// hosted UI redirects (the loopback callback, not yet visited).
pub async fn log_in(authorize_url: &Url) -> Url {
    let page = browser()
        .get(authorize_url.clone())
        .send()
        .await
        .expect("authorize");
    assert_eq!(page.status(), StatusCode::OK, "login page");
    let cookie = page
        .headers()
        .get(SET_COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("CSRF cookie")
        .to_owned();
    let html = page.text().await.expect("html");
    let field = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).expect("field") + marker.len();
        html[start..].split('"').next().expect("value").to_owned()
    };
    let action = {
        let start = html.find("action=\"").expect("form") + "action=\"".len();
        html[start..].split('"').next().expect("action").to_owned()
    };
    let done = browser()
        .post(action)
        .header(COOKIE, cookie)
        .form(&[
            ("page", field("page")),
            ("_csrf", field("_csrf")),
            ("username", EMAIL.to_owned()),
            ("password", PASSWORD.to_owned()),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(done.status(), StatusCode::FOUND, "login redirects");
    Url::parse(done.headers()[LOCATION].to_str().expect("ascii")).expect("URL")
}

/// The browser follows a redirect to the loopback listener; returns status and page text.
pub async fn visit(url: &Url) -> Result<(StatusCode, String), reqwest::Error> {
    let response = browser().get(url.clone()).send().await?;
    let status = response.status();
    Ok((status, response.text().await.unwrap_or_default()))
}

/// The query of a URL.
pub fn query_of(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// A short wait for spawned listeners.
pub const TIMEOUT: Duration = Duration::from_secs(20);
