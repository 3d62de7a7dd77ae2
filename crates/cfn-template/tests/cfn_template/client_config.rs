//! Client config from stack outputs and from amplify_outputs.json (sample files in tests/data).

use cfn_template::{ClientConfig, ClientConfigError, HostedUiConfig};
use serde_json::{json, Value};

fn sample(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn stack_outputs_give_every_field() {
    let config = ClientConfig::from_describe_stacks_json(&sample("stack-outputs.json")).unwrap();
    assert_eq!(
        config,
        ClientConfig {
            region: "eu-west-1".into(),
            user_pool_id: "eu-west-1_Qx7LmN2pZ".into(),
            client_id: "4k7c9ptmq1hq2n1bd4sdnjm9ri".into(),
            identity_pool_id: Some("eu-west-1:7d3f1a52-9c1e-4b7a-8f6d-2e0c5b4a3d21".into()),
            bucket: Some("coffer-bucket-1x2y3z4w5v6u".into()),
            hosted_ui: Some(HostedUiConfig {
                domain: "https://coffer-111122223333.auth.eu-west-1.amazoncognito.com".into(),
                redirect_uris: vec![
                    "http://127.0.0.1:53682/callback".into(),
                    "http://localhost:53682/callback".into()
                ],
                providers: vec!["COGNITO".into()],
            }),
        }
    );
}

#[test]
fn the_toml_has_the_documented_shape() {
    let config = ClientConfig::from_describe_stacks_json(&sample("stack-outputs.json")).unwrap();
    let text = config.to_toml();
    let table: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    let keys: Vec<&str> = table.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "bucket",
            "client_id",
            "hosted_ui",
            "identity_pool_id",
            "region",
            "user_pool_id"
        ]
    );
    assert_eq!(table["region"].as_str(), Some("eu-west-1"));
    assert_eq!(
        table["client_id"].as_str(),
        Some("4k7c9ptmq1hq2n1bd4sdnjm9ri")
    );
    let hosted_ui = table["hosted_ui"].as_table().unwrap();
    assert_eq!(
        hosted_ui["domain"].as_str(),
        Some("https://coffer-111122223333.auth.eu-west-1.amazoncognito.com")
    );
    assert_eq!(hosted_ui["redirect_uris"].as_array().unwrap().len(), 2);
    assert_eq!(
        hosted_ui["providers"].as_array().unwrap()[0].as_str(),
        Some("COGNITO")
    );
    assert!(!text.contains("client_secret") && !text.contains("endpoints"));
    assert!(
        text.find("[hosted_ui]").unwrap() > text.find("user_pool_id").unwrap(),
        "{text}"
    );
}

#[test]
fn a_whole_describe_stacks_response_is_read_and_optional_outputs_may_be_absent() {
    let config = ClientConfig::from_describe_stacks_json(&sample("describe-stacks.json")).unwrap();
    assert_eq!(config.user_pool_id, "eu-west-1_Qx7LmN2pZ");
    assert_eq!(
        (config.identity_pool_id, config.bucket, config.hosted_ui),
        (None, None, None)
    );
    let text = ClientConfig::from_describe_stacks_json(&sample("describe-stacks.json"))
        .unwrap()
        .to_toml();
    assert_eq!(text.lines().count(), 3, "{text}");
}

#[test]
fn stack_outputs_missing_what_the_app_needs_are_refused() {
    let mut outputs = sample("stack-outputs.json");
    outputs
        .as_array_mut()
        .unwrap()
        .retain(|o| o["OutputKey"] != "UserPoolClientId");
    assert_eq!(
        ClientConfig::from_describe_stacks_json(&outputs),
        Err(ClientConfigError::MissingOutput {
            key: "UserPoolClientId"
        })
    );
    let mut outputs = sample("stack-outputs.json");
    outputs
        .as_array_mut()
        .unwrap()
        .retain(|o| o["OutputKey"] != "RedirectUris");
    assert_eq!(
        ClientConfig::from_describe_stacks_json(&outputs),
        Err(ClientConfigError::MissingOutput {
            key: "RedirectUris"
        })
    );
    let err = ClientConfig::from_describe_stacks_json(&json!({"version": "1"})).unwrap_err();
    assert_eq!(err.code(), "not_stack_outputs");
    let err = ClientConfig::from_describe_stacks_json(&json!([
        {"OutputKey": "Region", "OutputValue": "eu-west-1"},
        {"OutputKey": "UserPoolId", "OutputValue": "eu-west-1_x"},
        {"OutputKey": "UserPoolClientId", "OutputValue": "c"},
        {"OutputKey": "HostedUiDomain", "OutputValue": "coffer.auth.eu-west-1.amazoncognito.com"},
        {"OutputKey": "RedirectUris", "OutputValue": "http://127.0.0.1:1/callback"}
    ]))
    .unwrap_err();
    assert_eq!(
        err,
        ClientConfigError::InvalidValue {
            field: "HostedUiDomain",
            reason: "not an http(s) URL"
        }
    );
}

#[test]
fn amplify_outputs_give_the_same_shape() {
    let config = ClientConfig::from_amplify_outputs(&sample("amplify_outputs.json")).unwrap();
    assert_eq!(
        config,
        ClientConfig {
            region: "us-west-2".into(),
            user_pool_id: "us-west-2_Ab3dEfGh1".into(),
            client_id: "1abc2defg3hij4klmn5opq6rs7".into(),
            identity_pool_id: Some("us-west-2:4f2a9c1e-7b3d-4e8f-a6c5-9d0b1e2f3a4b".into()),
            bucket: Some("amplify-coffer-sandbox-files-bucket-9x8y7z".into()),
            hosted_ui: Some(HostedUiConfig {
                domain: "https://a1b2c3d4e5f6a7b8c9d0.auth.us-west-2.amazoncognito.com".into(),
                redirect_uris: vec![
                    "http://127.0.0.1:53682/callback".into(),
                    "http://localhost:53682/callback".into()
                ],
                providers: vec!["COGNITO".into(), "Google".into(), "SignInWithApple".into()],
            }),
        }
    );
    let minimal =
        ClientConfig::from_amplify_outputs(&sample("amplify_outputs_auth_only.json")).unwrap();
    assert_eq!(minimal.region, "eu-central-1");
    assert_eq!(
        (minimal.identity_pool_id, minimal.bucket, minimal.hosted_ui),
        (None, None, None)
    );
}

#[test]
fn amplify_outputs_that_do_not_fit_are_refused() {
    let mut outputs = sample("amplify_outputs.json");
    outputs["version"] = "2".into();
    assert_eq!(
        ClientConfig::from_amplify_outputs(&outputs),
        Err(ClientConfigError::UnsupportedAmplifyVersion {
            version: "2".into()
        })
    );
    let mut outputs = sample("amplify_outputs.json");
    outputs["storage"]["aws_region"] = "eu-west-1".into();
    assert_eq!(
        ClientConfig::from_amplify_outputs(&outputs)
            .unwrap_err()
            .code(),
        "region_mismatch"
    );
    let mut outputs = sample("amplify_outputs.json");
    outputs["auth"]
        .as_object_mut()
        .unwrap()
        .remove("user_pool_client_id");
    assert_eq!(
        ClientConfig::from_amplify_outputs(&outputs),
        Err(ClientConfigError::MissingAmplifyField {
            field: "auth.user_pool_client_id"
        })
    );
    let mut outputs = sample("amplify_outputs.json");
    outputs.as_object_mut().unwrap().remove("auth");
    assert_eq!(
        ClientConfig::from_amplify_outputs(&outputs)
            .unwrap_err()
            .code(),
        "missing_amplify_field"
    );
}
