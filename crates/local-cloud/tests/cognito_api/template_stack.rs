//! Provisioning from a CloudFormation template (`infra/coffer.yaml`): every resource type
//! reaches the state with the template's settings, the outputs become `coffer.toml`, a data
//! directory keeps its stack across restarts, and failures leave nothing behind.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use local_cloud::template::StackTemplate;
use local_cloud::{LocalCloudConfig, ManualClock};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{now_seconds, TestCloud};

fn coffer_yaml() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/coffer.yaml")
}

async fn start_with(dir: &Arc<tempfile::TempDir>, template: StackTemplate) -> TestCloud {
    TestCloud::start_configured(Arc::clone(dir), ManualClock::new(now_seconds()), move |c| {
        c.template = Some(template);
    })
    .await
}

async fn start_result(
    dir: &Path,
    template: StackTemplate,
) -> Result<local_cloud::RunningLocalCloud, local_cloud::LocalCloudError> {
    local_cloud::start(
        LocalCloudConfig::new("127.0.0.1:0".parse().expect("addr"), dir).with_template(template),
    )
    .await
}

fn ok(response: (StatusCode, Value)) -> Value {
    assert_eq!(response.0, StatusCode::OK, "{}", response.1);
    response.1
}

fn state(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("state.json")).expect("state.json"))
        .expect("JSON")
}

#[tokio::test]
async fn every_resource_of_the_template_is_provisioned_as_declared() {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let template = StackTemplate::new(coffer_yaml())
        .with_parameter("AllowGuests", "true")
        .with_parameter("MinimumPasswordLength", "14")
        .with_parameter("CallbackPorts", "53682,8400")
        .with_parameter("HostedUiDomainPrefix", "my-coffer");
    let cloud = start_with(&dir, template).await;
    let setup = cloud.cloud.demo().clone();
    assert_eq!(
        state(cloud.data_dir())["demo"],
        Value::Null,
        "no demo backend"
    );

    // UserPool: policy, sign-in by e-mail, TOTP MFA optional.
    let pool = ok(cloud
        .admin(
            "DescribeUserPool",
            json!({"UserPoolId": setup.user_pool_id}),
        )
        .await);
    let policy = &pool["UserPool"]["Policies"]["PasswordPolicy"];
    assert_eq!(policy["MinimumLength"], 14);
    assert_eq!(policy["RequireSymbols"], true);
    assert_eq!(pool["UserPool"]["Name"], "coffer-users");
    assert_eq!(pool["UserPool"]["UsernameAttributes"], json!(["email"]));
    let mfa = ok(cloud
        .admin(
            "GetUserPoolMfaConfig",
            json!({"UserPoolId": setup.user_pool_id}),
        )
        .await);
    assert_eq!(mfa["MfaConfiguration"], "OPTIONAL");
    assert_eq!(mfa["SoftwareTokenMfaConfiguration"]["Enabled"], true);

    // UserPoolClient: public, SRP + refresh, code flow, both loopback hosts for each port.
    let client = ok(cloud
        .admin(
            "DescribeUserPoolClient",
            json!({"UserPoolId": setup.user_pool_id, "ClientId": setup.client_id}),
        )
        .await)["UserPoolClient"]
        .clone();
    assert_eq!(client["ClientName"], "coffer-desktop");
    assert!(client.get("ClientSecret").is_none());
    assert_eq!(
        client["ExplicitAuthFlows"],
        json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    );
    assert_eq!(client["AllowedOAuthFlows"], json!(["code"]));
    assert_eq!(
        client["CallbackURLs"],
        json!([
            "http://127.0.0.1:53682/callback",
            "http://127.0.0.1:8400/callback",
            "http://localhost:53682/callback",
            "http://localhost:8400/callback"
        ])
    );
    assert_eq!(client["PreventUserExistenceErrors"], "ENABLED");
    assert_eq!(client["AccessTokenValidity"], 60);

    // UserPoolDomain: the hosted UI serves the pool.
    let domain = ok(cloud
        .admin("DescribeUserPoolDomain", json!({"Domain": "my-coffer"}))
        .await);
    assert_eq!(
        domain["DomainDescription"]["UserPoolId"],
        setup.user_pool_id.as_str()
    );

    // IdentityPool + roles (guests allowed by the parameter).
    let identity_pool = ok(cloud
        .identity_admin(
            "DescribeIdentityPool",
            json!({"IdentityPoolId": setup.identity_pool_id}),
        )
        .await);
    assert_eq!(identity_pool["AllowUnauthenticatedIdentities"], true);
    assert_eq!(
        identity_pool["CognitoIdentityProviders"][0]["ProviderName"],
        format!("cognito-idp.us-east-1.amazonaws.com/{}", setup.user_pool_id)
    );
    assert_eq!(
        identity_pool["CognitoIdentityProviders"][0]["ClientId"],
        setup.client_id.as_str()
    );
    let roles = ok(cloud
        .identity_admin(
            "GetIdentityPoolRoles",
            json!({"IdentityPoolId": setup.identity_pool_id}),
        )
        .await)["Roles"]
        .clone();
    let authenticated = roles["authenticated"].as_str().expect("role").to_owned();
    assert!(
        authenticated.starts_with("arn:aws:iam::000000000000:role/coffer-AuthenticatedRole-"),
        "{authenticated}"
    );
    assert!(roles["unauthenticated"].as_str().is_some());

    // IAM::Role: the inline policy, with the bucket substituted, is what S3 evaluates.
    let saved = state(cloud.data_dir());
    let statements = saved["roles"][&authenticated]["policy"]["Statement"]
        .as_array()
        .expect("statements")
        .clone();
    assert_eq!(statements.len(), 4);
    assert_eq!(
        statements[0]["Resource"],
        format!(
            "arn:aws:s3:::{}/private/${{cognito-identity.amazonaws.com:sub}}/*",
            setup.bucket
        )
    );
    // The own guest folder, to move a guest's files in at sign-in (read and delete only).
    assert_eq!(statements[2]["Sid"], "MoveOwnGuestObjects");
    assert_eq!(
        statements[2]["Resource"],
        format!(
            "arn:aws:s3:::{}/guest/${{cognito-identity.amazonaws.com:sub}}/*",
            setup.bucket
        )
    );

    // S3::Bucket: exists, empty.
    cloud
        .s3_admin()
        .head_bucket()
        .bucket(&setup.bucket)
        .send()
        .await
        .expect("the bucket exists");

    // Outputs → coffer.toml, with the local endpoints and hosted UI.
    let toml = std::fs::read_to_string(&setup.config_path).expect("coffer.toml");
    let endpoint = cloud.endpoint();
    for expected in [
        format!("user_pool_id = \"{}\"", setup.user_pool_id),
        format!("client_id = \"{}\"", setup.client_id),
        format!("identity_pool_id = \"{}\"", setup.identity_pool_id),
        format!("bucket = \"{}\"", setup.bucket),
        format!("domain = \"{endpoint}/_hosted/my-coffer\""),
        format!("cognito_idp = \"{endpoint}\""),
        format!("s3 = \"{endpoint}\""),
        "http://localhost:8400/callback".to_owned(),
    ] {
        assert!(toml.contains(&expected), "{expected} not in {toml}");
    }
    let outputs = saved["stack"]["outputs"].as_array().expect("outputs");
    assert!(outputs.contains(&json!(["UserPoolId", setup.user_pool_id])));
}

#[tokio::test]
async fn without_guests_there_is_no_unauthenticated_role() {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let cloud = start_with(&dir, StackTemplate::new(coffer_yaml())).await;
    let setup = cloud.cloud.demo().clone();
    let roles = ok(cloud
        .identity_admin(
            "GetIdentityPoolRoles",
            json!({"IdentityPoolId": setup.identity_pool_id}),
        )
        .await)["Roles"]
        .clone();
    assert!(roles.get("unauthenticated").is_none(), "{roles}");
    let resources = state(cloud.data_dir())["stack"]["resources"].clone();
    assert!(
        !resources.to_string().contains("UnauthenticatedRole"),
        "the conditional role is skipped: {resources}"
    );
    // A guest is refused.
    let (status, body) = cloud
        .identity("GetId", json!({"IdentityPoolId": setup.identity_pool_id}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn a_restart_keeps_the_stack_and_other_parameters_are_refused() {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let template = StackTemplate::new(coffer_yaml()).with_parameter("AllowGuests", "true");
    let first = start_with(&dir, template.clone()).await;
    let setup = first.cloud.demo().clone();
    let pools_before = state(dir.path())["pools"].as_object().expect("pools").len();
    first.cloud.shutdown().await;

    let second = start_with(&dir, template.clone()).await;
    let again = second.cloud.demo().clone();
    assert_eq!(again, setup, "same ids, same config path");
    assert_eq!(
        state(dir.path())["pools"].as_object().expect("pools").len(),
        pools_before,
        "nothing re-created"
    );
    second.cloud.shutdown().await;

    let changed = template.with_parameter("MinimumPasswordLength", "20");
    let error = start_result(dir.path(), changed)
        .await
        .expect_err("refused");
    assert_eq!(error.code(), "stack_changed", "{error}");
}

#[tokio::test]
async fn an_unsupported_resource_type_creates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.yaml");
    std::fs::write(
        &path,
        "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties: {UserPoolName: p}\n  Queue:\n    Type: AWS::SQS::Queue\n",
    )
    .expect("write");
    let data = dir.path().join("data");
    let error = start_result(&data, StackTemplate::new(&path))
        .await
        .expect_err("refused");
    assert_eq!(error.code(), "template_failed");
    let message = error.to_string();
    assert!(
        message.contains("AWS::SQS::Queue") && message.contains("Queue"),
        "{message}"
    );
    assert!(!data.join("state.json").exists() || state(&data)["pools"] == json!({}));
}

#[tokio::test]
async fn a_failure_midway_rolls_the_whole_stack_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.yaml");
    // The pool is created, then the domain is refused (reserved word): nothing may stay.
    std::fs::write(
        &path,
        "Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n    Properties: {UserPoolName: p}\n  Domain:\n    Type: AWS::Cognito::UserPoolDomain\n    Properties: {UserPoolId: !Ref Pool, Domain: my-aws-login}\n",
    )
    .expect("write");
    let data = dir.path().join("data");
    let error = start_result(&data, StackTemplate::new(&path))
        .await
        .expect_err("refused");
    assert_eq!(error.code(), "template_failed");
    assert!(error.to_string().contains("`Domain`"), "{error}");

    // The same directory then starts with the demo backend, and holds no half stack.
    let cloud = local_cloud::start(LocalCloudConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        &data,
    ))
    .await
    .expect("starts");
    let saved = state(&data);
    assert_eq!(saved["stack"], Value::Null);
    assert_eq!(
        saved["pools"].as_object().expect("pools").len(),
        1,
        "only the demo pool"
    );
    cloud.shutdown().await;
}

#[tokio::test]
async fn unemulated_properties_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.yaml");
    std::fs::write(
        &path,
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: []}\n      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n",
    )
    .expect("write");
    let error = start_result(&dir.path().join("data"), StackTemplate::new(&path))
        .await
        .expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("ManagedPolicyArns") && message.contains("`Role`"),
        "{message}"
    );
}

/// What Cognito answers when a role does not trust the identity.
const INVALID_CONFIGURATION: &str =
    "Invalid identity pool configuration. Check assigned IAM roles for this pool.";

/// `infra/coffer.yaml` with each `(from, to)` replaced once (each `from` must occur), written
/// into `dir`.
fn edited_template(dir: &Path, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(coffer_yaml()).expect("coffer.yaml");
    for (from, to) in edits {
        assert!(text.contains(from), "{from} is in the template");
        text = text.replacen(from, to, 1);
    }
    let path = dir.join("edited.yaml");
    std::fs::write(&path, text).expect("write");
    path
}

const AUTHENTICATED_AMR: &str = "cognito-identity.amazonaws.com:amr: authenticated";
const GUEST_AMR: &str = "cognito-identity.amazonaws.com:amr: unauthenticated";
/// The first `aud` condition of the template is the authenticated role's.
const AUD: &str = "cognito-identity.amazonaws.com:aud: !Ref IdentityPool";

/// A template cloud with guests allowed, from `infra/coffer.yaml` edited by `edits`.
async fn start_edited(edits: &[(&str, &str)]) -> (Arc<tempfile::TempDir>, TestCloud) {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let template = StackTemplate::new(edited_template(dir.path(), edits))
        .with_parameter("AllowGuests", "true");
    let cloud = start_with(&dir, template).await;
    (dir, cloud)
}

/// GetId + GetCredentialsForIdentity in the stack's identity pool; the raw answer.
async fn credentials(cloud: &TestCloud, logins: Value) -> (StatusCode, Value) {
    let pool = cloud.demo_identity_pool();
    let id = ok(cloud
        .identity("GetId", json!({"IdentityPoolId": pool, "Logins": logins}))
        .await);
    cloud
        .identity(
            "GetCredentialsForIdentity",
            json!({"IdentityId": id["IdentityId"], "Logins": logins}),
        )
        .await
}

async fn signed_in(cloud: &TestCloud, email: &str) -> Value {
    let (_, id_token, _) = cloud.demo_user_tokens(email).await;
    json!({ cloud.demo_provider(): id_token })
}

fn refused(response: (StatusCode, Value)) {
    crate::support::assert_error(
        &response,
        "InvalidIdentityPoolConfigurationException",
        Some(INVALID_CONFIGURATION),
    );
}

#[tokio::test]
async fn the_template_roles_are_assumed_by_the_identities_they_trust() {
    let (_dir, cloud) = start_edited(&[]).await;
    // Their trust policies are stored as declared, `!Ref IdentityPool` resolved.
    let saved = state(cloud.data_dir());
    let roles = ok(cloud
        .identity_admin(
            "GetIdentityPoolRoles",
            json!({"IdentityPoolId": cloud.demo_identity_pool()}),
        )
        .await)["Roles"]
        .clone();
    for (kind, amr) in [
        ("authenticated", "authenticated"),
        ("unauthenticated", "unauthenticated"),
    ] {
        let arn = roles[kind].as_str().expect("role");
        let condition = &saved["roles"][arn]["trust_policy"]["Statement"][0]["Condition"];
        assert_eq!(
            condition["StringEquals"]["cognito-identity.amazonaws.com:aud"],
            cloud.demo_identity_pool().as_str()
        );
        assert_eq!(
            condition["ForAnyValue:StringLike"]["cognito-identity.amazonaws.com:amr"],
            amr
        );
    }
    ok(credentials(&cloud, json!({})).await);
    ok(credentials(&cloud, signed_in(&cloud, "erin@example.com").await).await);
}

#[tokio::test]
async fn a_role_that_trusts_another_identity_pool_is_refused() {
    let (_dir, cloud) = start_edited(&[(
        AUD,
        "cognito-identity.amazonaws.com:aud: \"us-east-1:11111111-2222-3333-4444-555555555555\"",
    )])
    .await;
    refused(credentials(&cloud, signed_in(&cloud, "fay@example.com").await).await);
    ok(credentials(&cloud, json!({})).await);
}

#[tokio::test]
async fn a_guest_cannot_assume_a_role_that_trusts_only_signed_in_identities() {
    let (_dir, cloud) = start_edited(&[(GUEST_AMR, AUTHENTICATED_AMR)]).await;
    refused(credentials(&cloud, json!({})).await);
    ok(credentials(&cloud, signed_in(&cloud, "gil@example.com").await).await);
}

#[tokio::test]
async fn amr_can_require_the_sign_in_provider() {
    let own = "cognito-identity.amazonaws.com:amr: !GetAtt UserPool.ProviderName";
    let (_dir, cloud) = start_edited(&[(AUTHENTICATED_AMR, own)]).await;
    ok(credentials(&cloud, signed_in(&cloud, "hal@example.com").await).await);
    cloud.cloud.shutdown().await;

    let other = "cognito-identity.amazonaws.com:amr: cognito-idp.us-east-1.amazonaws.com/us-east-1_NotThisOne";
    let (_dir, cloud) = start_edited(&[(AUTHENTICATED_AMR, other)]).await;
    refused(credentials(&cloud, signed_in(&cloud, "ivy@example.com").await).await);
}

#[tokio::test]
async fn a_malformed_trust_policy_fails_the_deployment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = edited_template(
        dir.path(),
        &[(
            "            Principal:\n              Federated: cognito-identity.amazonaws.com\n",
            "",
        )],
    );
    let error = start_result(&dir.path().join("data"), StackTemplate::new(&path))
        .await
        .expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("AssumeRolePolicyDocument") && message.contains("AuthenticatedRole"),
        "{message}"
    );
}
