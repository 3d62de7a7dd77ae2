//! A local cloud per test: temp data dir, manual clock, HTTP helpers, SRP client.

use local_cloud::Clock as _;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use local_cloud::{LocalCloudConfig, ManualClock, RunningLocalCloud};
use rand::rngs::OsRng;
use reqwest::StatusCode;
use serde_json::{json, Value};
use time::OffsetDateTime;

pub const PASSWORD: &str = "Corr3ct-Horse!";

/// Every log line the emulator writes during the test run.
pub fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logs);
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("local_cloud=trace"))
            .with_ansi(false)
            .with_writer(move || LogSink(Arc::clone(&sink)))
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        logs
    }))
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct TestCloud {
    pub cloud: RunningLocalCloud,
    pub clock: ManualClock,
    pub dir: Arc<tempfile::TempDir>,
    pub http: reqwest::Client,
}

/// Now, to the second (JWT times are whole seconds).
pub fn now_seconds() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .expect("zero nanoseconds is valid")
}

impl TestCloud {
    pub async fn start() -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
        Self::start_in(dir, ManualClock::new(now_seconds())).await
    }

    pub async fn start_in(dir: Arc<tempfile::TempDir>, clock: ManualClock) -> Self {
        Self::start_configured(dir, clock, |_| {}).await
    }

    /// Starts with `configure` applied to the config (e.g. a short credentials TTL).
    pub async fn start_configured(
        dir: Arc<tempfile::TempDir>,
        clock: ManualClock,
        configure: impl FnOnce(&mut LocalCloudConfig),
    ) -> Self {
        captured_logs();
        let mut config = LocalCloudConfig::new("127.0.0.1:0".parse().expect("addr"), dir.path());
        config.clock = Arc::new(clock.clone());
        configure(&mut config);
        let cloud = local_cloud::start(config)
            .await
            .expect("local cloud starts");
        Self {
            cloud,
            clock,
            dir,
            http: reqwest::Client::new(),
        }
    }

    pub fn endpoint(&self) -> String {
        self.cloud.endpoint()
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn demo_client(&self) -> String {
        self.cloud.demo().client_id.clone()
    }

    pub fn demo_pool(&self) -> String {
        self.cloud.demo().user_pool_id.clone()
    }

    /// An unsigned AWS JSON 1.1 call.
    pub async fn call(&self, op: &str, body: Value) -> (StatusCode, Value) {
        self.raw(op, body.to_string().into_bytes(), None).await
    }

    /// A call signed with the local cloud's admin key at the manual clock's time.
    pub async fn admin(&self, op: &str, body: Value) -> (StatusCode, Value) {
        let admin = self.cloud.admin_credentials();
        let key = (
            admin.access_key_id.clone(),
            admin.secret_access_key.expose().to_owned(),
        );
        self.signed(op, body, &key.0, &key.1, self.clock.now())
            .await
    }

    /// A call signed with any key, at any time.
    pub async fn signed(
        &self,
        op: &str,
        body: Value,
        key_id: &str,
        secret: &str,
        at: OffsetDateTime,
    ) -> (StatusCode, Value) {
        let target = format!("AWSCognitoIdentityProviderService.{op}");
        self.signed_target(&target, "cognito-idp", body, key_id, secret, at)
            .await
    }

    /// An identity-pool call signed with the admin key (service `cognito-identity`).
    pub async fn identity_admin(&self, op: &str, body: Value) -> (StatusCode, Value) {
        let admin = self.cloud.admin_credentials();
        let target = format!("AWSCognitoIdentityService.{op}");
        self.signed_target(
            &target,
            "cognito-identity",
            body,
            &admin.access_key_id,
            admin.secret_access_key.expose(),
            self.clock.now(),
        )
        .await
    }

    /// A call to `target` signed for `service` with any key, at any time.
    pub async fn signed_target(
        &self,
        target: &str,
        service: &str,
        body: Value,
        key_id: &str,
        secret: &str,
        at: OffsetDateTime,
    ) -> (StatusCode, Value) {
        let body = body.to_string().into_bytes();
        let host = self.cloud.local_addr().to_string();
        let headers = [
            ("host", host.as_str()),
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target),
        ];
        let identity: Identity = Credentials::new(key_id, secret, None, None, "test").into();
        let params = SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name(service)
            .time(SystemTime::from(at))
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let signable = SignableRequest::new(
            "POST",
            format!("http://{host}/"),
            headers.iter().copied(),
            SignableBody::Bytes(&body),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
        let extra: Vec<(String, String)> = instructions
            .headers()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        self.raw_target(target, body, Some(extra)).await
    }

    /// POST / with `body` and optional extra headers.
    pub async fn raw(
        &self,
        op: &str,
        body: Vec<u8>,
        extra: Option<Vec<(String, String)>>,
    ) -> (StatusCode, Value) {
        self.raw_target(
            &format!("AWSCognitoIdentityProviderService.{op}"),
            body,
            extra,
        )
        .await
    }

    /// An unsigned identity-pool call (`AWSCognitoIdentityService.<op>`).
    pub async fn identity(&self, op: &str, body: Value) -> (StatusCode, Value) {
        self.raw_target(
            &format!("AWSCognitoIdentityService.{op}"),
            body.to_string().into_bytes(),
            None,
        )
        .await
    }

    /// POST / with an explicit `X-Amz-Target`.
    pub async fn raw_target(
        &self,
        target: &str,
        body: Vec<u8>,
        extra: Option<Vec<(String, String)>>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(self.endpoint() + "/")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .body(body);
        for (name, value) in extra.unwrap_or_default() {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.expect("body");
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(error_type) = error_type {
            assert_eq!(
                value["__type"],
                error_type.as_str(),
                "header and body agree on the error type"
            );
        }
        (status, value)
    }

    /// Asserts the server still answers (health and a real operation).
    pub async fn assert_serving(&self) {
        let health = self
            .http
            .get(self.endpoint() + "/_local/health")
            .send()
            .await
            .expect("health request");
        assert_eq!(health.status(), StatusCode::OK);
        let (status, body) = self
            .call("InitiateAuth", json!({"ClientId": self.demo_client(), "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": "nobody@example.com", "SRP_A": "02"}}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["__type"], "UserNotFoundException");
    }

    pub async fn outbox(&self) -> Vec<Value> {
        self.http
            .get(self.endpoint() + "/_local/outbox")
            .send()
            .await
            .expect("outbox request")
            .json()
            .await
            .expect("outbox json")
    }

    /// The latest code sent to `destination`.
    pub async fn last_code(&self, destination: &str) -> String {
        self.outbox()
            .await
            .iter()
            .rev()
            .find(|m| m["destination"] == destination)
            .and_then(|m| m["code"].as_str())
            .expect("a message to that address")
            .to_owned()
    }

    /// Signs `email` up in the demo pool (unconfirmed).
    pub async fn sign_up(&self, client_id: &str, email: &str, password: &str) -> Value {
        let (status, body) = self
            .call(
                "SignUp",
                json!({"ClientId": client_id, "Username": email, "Password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "sign-up: {body}");
        body
    }

    /// Signs `email` up in the demo pool and confirms with the mailed code.
    pub async fn confirmed_user(&self, email: &str, password: &str) -> String {
        let body = self.sign_up(&self.demo_client(), email, password).await;
        let code = self.last_code(email).await;
        let (status, confirm) = self
            .call("ConfirmSignUp", json!({"ClientId": self.demo_client(), "Username": email, "ConfirmationCode": code}))
            .await;
        assert_eq!(status, StatusCode::OK, "confirm: {confirm}");
        body["UserSub"].as_str().expect("UserSub").to_owned()
    }

    /// The demo identity pool.
    pub fn demo_identity_pool(&self) -> String {
        self.cloud.demo().identity_pool_id.clone()
    }

    /// The demo provider name, as clients send it as the Logins key.
    pub fn demo_provider(&self) -> String {
        format!("cognito-idp.us-east-1.amazonaws.com/{}", self.demo_pool())
    }

    /// Signs a new confirmed demo user in; returns (sub, id token, access token).
    pub async fn demo_user_tokens(&self, email: &str) -> (String, String, String) {
        let sub = self.confirmed_user(email, PASSWORD).await;
        let (status, body) = self
            .srp_sign_in(&self.demo_pool(), &self.demo_client(), email, PASSWORD)
            .await;
        assert_eq!(status, StatusCode::OK, "sign-in: {body}");
        let result = &body["AuthenticationResult"];
        (
            sub,
            result["IdToken"].as_str().expect("IdToken").to_owned(),
            result["AccessToken"]
                .as_str()
                .expect("AccessToken")
                .to_owned(),
        )
    }

    /// GetId then GetCredentialsForIdentity in the demo identity pool (`logins` may be empty).
    pub async fn demo_credentials(&self, logins: Value) -> (String, Value) {
        let (status, id) = self
            .identity(
                "GetId",
                json!({"IdentityPoolId": self.demo_identity_pool(), "Logins": logins}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "GetId: {id}");
        let identity_id = id["IdentityId"].as_str().expect("IdentityId").to_owned();
        let (status, creds) = self
            .identity(
                "GetCredentialsForIdentity",
                json!({"IdentityId": identity_id, "Logins": logins}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "GetCredentialsForIdentity: {creds}");
        assert_eq!(creds["IdentityId"], identity_id.as_str());
        (identity_id, creds["Credentials"].clone())
    }

    /// An S3 client (path style) acting with `credentials` as GetCredentialsForIdentity returns
    /// them.
    pub fn s3_with(&self, credentials: &Value) -> aws_sdk_s3::Client {
        self.s3_client(
            credentials["AccessKeyId"].as_str().expect("AccessKeyId"),
            credentials["SecretKey"].as_str().expect("SecretKey"),
            credentials["SessionToken"].as_str().map(str::to_owned),
        )
    }

    /// An S3 client with any key.
    pub fn s3_client(&self, key: &str, secret: &str, token: Option<String>) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .force_path_style(true)
            .credentials_provider(Credentials::new(key, secret, token, None, "test"))
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// An S3 client with the local cloud's admin key.
    pub fn s3_admin(&self) -> aws_sdk_s3::Client {
        let admin = self.cloud.admin_credentials();
        self.s3_client(&admin.access_key_id, admin.secret_access_key.expose(), None)
    }

    /// Starts USER_SRP_AUTH; returns the ephemeral and the challenge parameters.
    pub async fn srp_start(
        &self,
        client_id: &str,
        username: &str,
        extra: Value,
    ) -> (cognito_srp::ClientEphemeral, StatusCode, Value) {
        let ephemeral = cognito_srp::ClientEphemeral::generate(&mut OsRng);
        let mut params = json!({"USERNAME": username, "SRP_A": ephemeral.srp_a_hex()});
        merge(&mut params, extra);
        let (status, body) = self
            .call("InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "USER_SRP_AUTH", "AuthParameters": params}))
            .await;
        (ephemeral, status, body)
    }

    /// The ChallengeResponses of a PASSWORD_VERIFIER answer.
    pub fn srp_answer(
        &self,
        pool_id: &str,
        ephemeral: &cognito_srp::ClientEphemeral,
        challenge: &Value,
        password: &str,
    ) -> Value {
        let params = &challenge["ChallengeParameters"];
        let user_id = params["USER_ID_FOR_SRP"].as_str().expect("USER_ID_FOR_SRP");
        let pool_name = cognito_srp::pool_name(pool_id).expect("pool name");
        let claim = ephemeral
            .password_claim(
                cognito_srp::Identity::User {
                    pool_name,
                    user_id_for_srp: user_id,
                },
                password,
                params["SALT"].as_str().expect("SALT"),
                params["SRP_B"].as_str().expect("SRP_B"),
                params["SECRET_BLOCK"].as_str().expect("SECRET_BLOCK"),
                self.clock.now(),
            )
            .expect("claim");
        json!({
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": claim.signature_b64,
            "TIMESTAMP": claim.timestamp,
        })
    }

    /// Confirms (tracks) the device a sign-in's `NewDeviceMetadata` created, as AWS clients do
    /// right after signing in, so that its refresh token can be used: in a pool that tracks
    /// devices it works only with this DEVICE_KEY, once the device is confirmed. `result` is
    /// the `AuthenticationResult`; returns the device key.
    pub async fn track_new_device(&self, result: &Value) -> String {
        let metadata = &result["NewDeviceMetadata"];
        let key = metadata["DeviceKey"].as_str().expect("DeviceKey");
        let group_key = metadata["DeviceGroupKey"].as_str().expect("DeviceGroupKey");
        let password = cognito_srp::generate_device_password(&mut OsRng);
        let config = cognito_srp::device_verifier_config(
            group_key,
            key,
            &password,
            &cognito_srp::generate_salt(&mut OsRng),
        );
        let (status, body) = self
            .call(
                "ConfirmDevice",
                json!({"AccessToken": result["AccessToken"], "DeviceKey": key, "DeviceSecretVerifierConfig": {"PasswordVerifier": config.password_verifier_b64, "Salt": config.salt_b64}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "ConfirmDevice: {body}");
        key.to_owned()
    }

    /// A whole SRP sign-in through `client_id`; returns the final response.
    pub async fn srp_sign_in(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> (StatusCode, Value) {
        let (ephemeral, status, challenge) = self.srp_start(client_id, username, json!({})).await;
        assert_eq!(status, StatusCode::OK, "InitiateAuth: {challenge}");
        assert_eq!(challenge["ChallengeName"], "PASSWORD_VERIFIER");
        assert!(
            challenge.get("Session").is_none(),
            "Cognito sends no Session with PASSWORD_VERIFIER"
        );
        let responses = self.srp_answer(pool_id, &ephemeral, &challenge, password);
        self.call(
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": responses}),
        )
        .await
    }

    /// Creates a pool (e-mail or plain usernames) and a client with the given settings.
    pub async fn pool_with_client(
        &self,
        email_usernames: bool,
        client: Value,
    ) -> (String, String, Option<String>) {
        let mut pool = json!({"PoolName": "test-pool"});
        if email_usernames {
            pool["UsernameAttributes"] = json!(["email"]);
            pool["AutoVerifiedAttributes"] = json!(["email"]);
        }
        let (status, body) = self.admin("CreateUserPool", pool).await;
        assert_eq!(status, StatusCode::OK, "CreateUserPool: {body}");
        let pool_id = body["UserPool"]["Id"].as_str().expect("pool id").to_owned();
        let mut request = json!({"UserPoolId": pool_id, "ClientName": "test-client"});
        merge(&mut request, client);
        let (status, body) = self.admin("CreateUserPoolClient", request).await;
        assert_eq!(status, StatusCode::OK, "CreateUserPoolClient: {body}");
        let client = &body["UserPoolClient"];
        (
            pool_id,
            client["ClientId"].as_str().expect("client id").to_owned(),
            client["ClientSecret"].as_str().map(str::to_owned),
        )
    }

    /// A confirmed user with a permanent password, made with admin calls.
    pub async fn admin_user(&self, pool_id: &str, username: &str, password: &str) {
        let (status, body) = self
            .admin(
                "AdminCreateUser",
                json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "AdminCreateUser: {body}");
        let (status, body) = self
            .admin("AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": username, "Password": password, "Permanent": true}))
            .await;
        assert_eq!(status, StatusCode::OK, "AdminSetUserPassword: {body}");
    }
}

/// Adds the members of `extra` (an object) to `target`.
pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) {
        target.extend(extra);
    }
}

/// Asserts an AWS error of `kind` (and `message`, if given).
#[track_caller]
pub fn assert_error(response: &(StatusCode, Value), kind: &str, message: Option<&str>) {
    let (status, body) = response;
    assert_eq!(body["__type"], kind, "unexpected response {status}: {body}");
    if kind == "InternalErrorException" {
        assert_eq!(*status, StatusCode::INTERNAL_SERVER_ERROR);
    } else {
        assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
    }
    if let Some(message) = message {
        assert_eq!(body["message"], message, "{body}");
    }
}

/// SECRET_HASH as a client computes it.
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    cognito_srp::secret_hash(secret, username, client_id)
}

/// Starts a multipart upload of `key` and uploads `parts` (numbered from 1) through the SDK;
/// the upload id and the parts as CompleteMultipartUpload lists them.
pub async fn upload_parts(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    parts: &[Vec<u8>],
) -> (String, Vec<aws_sdk_s3::types::CompletedPart>) {
    let upload = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("CreateMultipartUpload");
    let upload_id = upload.upload_id().expect("upload id").to_owned();
    let mut completed = Vec::new();
    for (number, part) in (1..).zip(parts) {
        let out = s3
            .upload_part()
            .bucket(bucket)
            .key(key)
            .upload_id(&upload_id)
            .part_number(number)
            .body(aws_sdk_s3::primitives::ByteStream::from(part.clone()))
            .send()
            .await
            .expect("UploadPart");
        completed.push(
            aws_sdk_s3::types::CompletedPart::builder()
                .part_number(number)
                .e_tag(out.e_tag().expect("etag"))
                .build(),
        );
    }
    (upload_id, completed)
}
