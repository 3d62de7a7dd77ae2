//! `infra/coffer.yaml` itself, deployed against the recording provisioner.

use std::collections::BTreeSet;

use cfn_template::{plan, ResourceType, StackInputs, Template};
use serde_json::{json, Value};

use crate::support::{has_intrinsic, inputs, Recorder, ACCOUNT, REGION};

const TEMPLATE: &str = include_str!("../../../../infra/coffer.yaml");

const EXPECTED_OUTPUTS: [&str; 7] = [
    "BucketName",
    "HostedUiDomain",
    "IdentityPoolId",
    "RedirectUris",
    "Region",
    "UserPoolClientId",
    "UserPoolId",
];

fn deploy_coffer(inputs: &StackInputs) -> (Recorder, cfn_template::Deployment) {
    let template = Template::parse(TEMPLATE).expect("infra/coffer.yaml parses");
    let mut recorder = Recorder::default();
    let deployment = cfn_template::deploy(&template, inputs, &mut recorder)
        .unwrap_or_else(|e| panic!("infra/coffer.yaml deploys: {e}"));
    (recorder, deployment)
}

/// Every `Ref`/`GetAtt`/`${…}` target a resource has must have been created before it.
fn assert_valid_order(recorder: &Recorder, inputs: &StackInputs) {
    let planned = plan(&Template::parse(TEMPLATE).unwrap(), inputs).unwrap();
    for step in planned.order() {
        for dependency in &step.depends_on {
            assert!(
                recorder.position(dependency) < recorder.position(&step.logical_id),
                "{} was created before its dependency {dependency}",
                step.logical_id
            );
        }
    }
}

fn statement(role: &Value, sid: &str) -> Value {
    role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == sid)
        .cloned()
        .unwrap_or_else(|| panic!("no statement {sid}"))
}

#[test]
fn deploys_with_defaults_in_a_valid_order_with_fully_resolved_properties() {
    let stack = inputs();
    let (recorder, deployment) = deploy_coffer(&stack);
    assert_eq!(
        recorder.created_ids().into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([
            "AuthenticatedRole",
            "Bucket",
            "IdentityPool",
            "IdentityPoolRoles",
            "UserPool",
            "UserPoolClient",
            "UserPoolDomain"
        ]),
        "guests are off by default, so no unauthenticated role"
    );
    assert_valid_order(&recorder, &stack);
    assert!(recorder.position("UserPool") < recorder.position("UserPoolClient"));
    assert!(recorder.position("UserPoolClient") < recorder.position("IdentityPool"));
    assert!(recorder.position("IdentityPool") < recorder.position("AuthenticatedRole"));
    assert!(recorder.position("Bucket") < recorder.position("AuthenticatedRole"));
    assert!(recorder.position("AuthenticatedRole") < recorder.position("IdentityPoolRoles"));
    for call in &recorder.calls {
        assert!(
            !has_intrinsic(&Value::Object(call.properties.clone())),
            "{}: {:?}",
            call.logical_id,
            call.properties
        );
    }

    let pool = Value::Object(recorder.call("UserPool").properties.clone());
    assert_eq!(pool["UserPoolName"], "stack-users");
    assert_eq!(pool["UsernameAttributes"], json!(["email"]));
    assert_eq!(pool["AutoVerifiedAttributes"], json!(["email"]));
    assert_eq!(pool["MfaConfiguration"], "OPTIONAL");
    assert_eq!(pool["EnabledMfas"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert_eq!(pool["Policies"]["PasswordPolicy"]["MinimumLength"], "12");

    let pool_id = recorder.call("UserPool").physical_id.clone();
    let client = Value::Object(recorder.call("UserPoolClient").properties.clone());
    assert_eq!(client["UserPoolId"], pool_id.as_str());
    assert_eq!(client["GenerateSecret"], false);
    assert_eq!(
        client["ExplicitAuthFlows"],
        json!(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    );
    assert_eq!(client["AllowedOAuthFlows"], json!(["code"]));
    assert_eq!(
        client["AllowedOAuthScopes"],
        json!([
            "openid",
            "email",
            "profile",
            "aws.cognito.signin.user.admin"
        ])
    );
    assert_eq!(
        client["CallbackURLs"],
        json!([
            "http://127.0.0.1:53682/callback",
            "http://localhost:53682/callback"
        ])
    );

    let domain = Value::Object(recorder.call("UserPoolDomain").properties.clone());
    assert_eq!(domain["Domain"], format!("coffer-{ACCOUNT}"));
    assert_eq!(domain["UserPoolId"], pool_id.as_str());

    let client_id = recorder.call("UserPoolClient").physical_id.clone();
    let identity_pool = Value::Object(recorder.call("IdentityPool").properties.clone());
    assert_eq!(identity_pool["AllowUnauthenticatedIdentities"], false);
    assert_eq!(
        identity_pool["CognitoIdentityProviders"],
        json!([{
            "ProviderName": format!("cognito-idp.{REGION}.amazonaws.com/{pool_id}"),
            "ClientId": client_id,
            "ServerSideTokenCheck": false,
        }])
    );

    let identity_pool_id = recorder.call("IdentityPool").physical_id.clone();
    let bucket = recorder.call("Bucket").physical_id.clone();
    let role = Value::Object(recorder.call("AuthenticatedRole").properties.clone());
    let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
    assert_eq!(trust["Action"], "sts:AssumeRoleWithWebIdentity");
    assert_eq!(
        trust["Principal"]["Federated"],
        "cognito-identity.amazonaws.com"
    );
    assert_eq!(
        trust["Condition"]["StringEquals"]["cognito-identity.amazonaws.com:aud"],
        identity_pool_id.as_str()
    );
    assert_eq!(
        trust["Condition"]["ForAnyValue:StringLike"]["cognito-identity.amazonaws.com:amr"],
        "authenticated"
    );
    let objects = statement(&role, "ObjectsUnderOwnPrefix");
    assert_eq!(
        objects["Resource"],
        format!("arn:aws:s3:::{bucket}/private/${{cognito-identity.amazonaws.com:sub}}/*")
    );
    assert_eq!(
        objects["Action"],
        json!([
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts"
        ])
    );
    let list = statement(&role, "ListOwnPrefixOnly");
    assert_eq!(list["Action"], "s3:ListBucket");
    assert_eq!(list["Resource"], format!("arn:aws:s3:::{bucket}"));
    assert_eq!(
        list["Condition"]["StringLike"]["s3:prefix"],
        json!([
            "private/${cognito-identity.amazonaws.com:sub}/",
            "private/${cognito-identity.amazonaws.com:sub}/*"
        ])
    );

    let attachment = Value::Object(recorder.call("IdentityPoolRoles").properties.clone());
    let role_name = recorder.call("AuthenticatedRole").physical_id.clone();
    assert_eq!(attachment["IdentityPoolId"], identity_pool_id.as_str());
    assert_eq!(
        attachment["Roles"],
        json!({"authenticated": format!("arn:aws:iam::{ACCOUNT}:role/{role_name}")})
    );

    let bucket_properties = Value::Object(recorder.call("Bucket").properties.clone());
    assert_eq!(
        bucket_properties["PublicAccessBlockConfiguration"],
        json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})
    );
    assert_eq!(
        bucket_properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
        "AES256"
    );
    assert_eq!(
        bucket_properties["LifecycleConfiguration"]["Rules"][0]["AbortIncompleteMultipartUpload"]
            ["DaysAfterInitiation"],
        "7"
    );

    let keys: Vec<&str> = deployment.outputs.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, EXPECTED_OUTPUTS);
    let outputs = &deployment.outputs;
    assert_eq!(outputs.get("Region"), Some(REGION));
    assert_eq!(outputs.get("UserPoolId"), Some(pool_id.as_str()));
    assert_eq!(outputs.get("UserPoolClientId"), Some(client_id.as_str()));
    assert_eq!(
        outputs.get("IdentityPoolId"),
        Some(identity_pool_id.as_str())
    );
    assert_eq!(outputs.get("BucketName"), Some(bucket.as_str()));
    assert_eq!(
        outputs.get("HostedUiDomain").map(str::to_owned),
        Some(format!(
            "https://coffer-{ACCOUNT}.auth.{REGION}.amazoncognito.com"
        ))
    );
    assert_eq!(
        outputs.get("RedirectUris"),
        Some("http://127.0.0.1:53682/callback,http://localhost:53682/callback")
    );
}

#[test]
fn guests_mfa_off_several_ports_and_a_domain_prefix() {
    let stack = inputs()
        .with_parameter("AllowGuests", "true")
        .with_parameter("MfaConfiguration", "OFF")
        .with_parameter("CallbackPorts", "53682,53683")
        .with_parameter("HostedUiDomainPrefix", "my-coffer")
        .with_parameter("AbortIncompleteUploadsAfterDays", "2");
    let (recorder, deployment) = deploy_coffer(&stack);
    assert_valid_order(&recorder, &stack);
    assert_eq!(recorder.calls.len(), 8);
    assert_eq!(
        recorder.call("UnauthenticatedRole").resource_type,
        ResourceType::IamRole
    );

    let pool = &recorder.call("UserPool").properties;
    assert_eq!(pool["MfaConfiguration"], "OFF");
    assert!(
        !pool.contains_key("EnabledMfas"),
        "EnabledMfas is left out when MFA is off"
    );
    let urls = json!([
        "http://127.0.0.1:53682/callback",
        "http://127.0.0.1:53683/callback",
        "http://localhost:53682/callback",
        "http://localhost:53683/callback"
    ]);
    assert_eq!(
        recorder.call("UserPoolClient").properties["CallbackURLs"],
        urls
    );
    assert_eq!(
        recorder.call("UserPoolDomain").properties["Domain"],
        "my-coffer"
    );
    assert_eq!(
        recorder.call("IdentityPool").properties["AllowUnauthenticatedIdentities"],
        true
    );

    let guest = Value::Object(recorder.call("UnauthenticatedRole").properties.clone());
    let trust = &guest["AssumeRolePolicyDocument"]["Statement"][0]["Condition"];
    assert_eq!(
        trust["ForAnyValue:StringLike"]["cognito-identity.amazonaws.com:amr"],
        "unauthenticated"
    );
    let bucket = recorder.call("Bucket").physical_id.clone();
    assert_eq!(
        statement(&guest, "ObjectsUnderOwnPrefix")["Resource"],
        format!("arn:aws:s3:::{bucket}/guest/${{cognito-identity.amazonaws.com:sub}}/*")
    );
    assert_eq!(
        statement(&guest, "ListOwnPrefixOnly")["Condition"]["StringLike"]["s3:prefix"],
        json!([
            "guest/${cognito-identity.amazonaws.com:sub}/",
            "guest/${cognito-identity.amazonaws.com:sub}/*"
        ])
    );
    let roles = &recorder.call("IdentityPoolRoles").properties["Roles"];
    let guest_name = recorder.call("UnauthenticatedRole").physical_id.clone();
    assert_eq!(
        roles["unauthenticated"],
        format!("arn:aws:iam::{ACCOUNT}:role/{guest_name}")
    );
    assert!(recorder.position("UnauthenticatedRole") < recorder.position("IdentityPoolRoles"));

    assert_eq!(
        deployment.outputs.get("RedirectUris"),
        Some("http://127.0.0.1:53682/callback,http://127.0.0.1:53683/callback,http://localhost:53682/callback,http://localhost:53683/callback")
    );
    assert_eq!(
        deployment.outputs.get("HostedUiDomain"),
        Some("https://my-coffer.auth.us-east-1.amazoncognito.com")
    );
}

#[test]
fn bad_parameter_values_are_refused_before_anything_is_created() {
    for (name, value) in [
        ("MfaConfiguration", "SMS"),
        ("MinimumPasswordLength", "6"),
        ("HostedUiDomainPrefix", "Has_Capitals"),
        ("CallbackPorts", "53682,x"),
        ("AllowGuests", "yes"),
        ("AbortIncompleteUploadsAfterDays", "0"),
    ] {
        let template = Template::parse(TEMPLATE).unwrap();
        let mut recorder = Recorder::default();
        let err = cfn_template::deploy(
            &template,
            &inputs().with_parameter(name, value),
            &mut recorder,
        )
        .expect_err(name);
        assert_eq!(
            err.code(),
            "invalid_parameter_value",
            "{name}={value}: {err}"
        );
        assert!(recorder.calls.is_empty());
    }
}

#[test]
fn the_outputs_become_a_client_config() {
    let (_, deployment) = deploy_coffer(&inputs().with_parameter("CallbackPorts", "1234"));
    let config = cfn_template::ClientConfig::from_describe_stacks_json(
        &deployment.outputs.to_describe_stacks_json(),
    )
    .unwrap();
    assert_eq!(config.region, REGION);
    assert_eq!(
        Some(config.user_pool_id.as_str()),
        deployment.outputs.get("UserPoolId")
    );
    assert_eq!(
        Some(config.client_id.as_str()),
        deployment.outputs.get("UserPoolClientId")
    );
    assert_eq!(
        config.identity_pool_id.as_deref(),
        deployment.outputs.get("IdentityPoolId")
    );
    assert_eq!(
        config.bucket.as_deref(),
        deployment.outputs.get("BucketName")
    );
    let hosted_ui = config.hosted_ui.unwrap();
    assert_eq!(
        hosted_ui.redirect_uris,
        [
            "http://127.0.0.1:1234/callback",
            "http://localhost:1234/callback"
        ]
    );
    assert_eq!(hosted_ui.providers, ["COGNITO"]);
}

#[test]
fn the_supported_types_are_exactly_those_the_template_uses() {
    let template = Template::parse(TEMPLATE).unwrap();
    let used: BTreeSet<ResourceType> = template.resources().map(|(_, t)| t).collect();
    let supported: BTreeSet<ResourceType> = ResourceType::ALL.into_iter().collect();
    assert_eq!(used, supported);
    let outputs: BTreeSet<&str> = template.output_names().collect();
    assert_eq!(outputs, BTreeSet::from(EXPECTED_OUTPUTS));
}
