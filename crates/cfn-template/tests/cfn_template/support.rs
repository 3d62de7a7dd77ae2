//! A provisioner that records what it is asked to create and makes up ids the way AWS shapes them.

use cfn_template::{
    deploy, Created, Deployment, ProvisionError, Provisioner, ResourceType, StackInputs, Template,
    TemplateError,
};
use serde_json::{Map, Value};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// One `create` call.
#[derive(Debug, Clone)]
pub struct Call {
    pub logical_id: String,
    pub resource_type: ResourceType,
    pub properties: Map<String, Value>,
    pub physical_id: String,
}

#[derive(Default)]
pub struct Recorder {
    pub calls: Vec<Call>,
    /// Fail on this logical id.
    pub fail_on: Option<String>,
    /// Leave this attribute out of every result.
    pub withhold_attribute: Option<String>,
}

impl Recorder {
    pub fn call(&self, logical_id: &str) -> &Call {
        self.calls
            .iter()
            .find(|c| c.logical_id == logical_id)
            .unwrap_or_else(|| panic!("{logical_id} was not created"))
    }

    pub fn position(&self, logical_id: &str) -> usize {
        self.calls
            .iter()
            .position(|c| c.logical_id == logical_id)
            .unwrap_or_else(|| panic!("{logical_id} was not created"))
    }

    pub fn created_ids(&self) -> Vec<&str> {
        self.calls.iter().map(|c| c.logical_id.as_str()).collect()
    }
}

impl Provisioner for Recorder {
    fn create(
        &mut self,
        logical_id: &str,
        resource_type: ResourceType,
        properties: &Map<String, Value>,
    ) -> Result<Created, ProvisionError> {
        if self.fail_on.as_deref() == Some(logical_id) {
            return Err(ProvisionError::new("the emulator is out of ids"));
        }
        let n = self.calls.len();
        let created = match resource_type {
            ResourceType::CognitoUserPool => {
                let id = format!("{REGION}_Pool{n}");
                Created::new(&id)
                    .with_attribute(
                        "Arn",
                        format!("arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{id}"),
                    )
                    .with_attribute(
                        "ProviderName",
                        format!("cognito-idp.{REGION}.amazonaws.com/{id}"),
                    )
                    .with_attribute(
                        "ProviderURL",
                        format!("https://cognito-idp.{REGION}.amazonaws.com/{id}"),
                    )
                    .with_attribute("UserPoolId", id)
            }
            ResourceType::CognitoUserPoolClient => {
                let id = format!("client{n}");
                Created::new(&id)
                    .with_attribute("ClientId", id)
                    .with_attribute("Name", "desktop")
            }
            ResourceType::CognitoUserPoolDomain => {
                let domain = properties["Domain"]
                    .as_str()
                    .expect("Domain is a string")
                    .to_owned();
                Created::new(domain).with_attribute("CloudFrontDistribution", "d111.cloudfront.net")
            }
            ResourceType::CognitoIdentityPool => {
                let id = format!("{REGION}:00000000-0000-0000-0000-00000000000{n}");
                Created::new(&id)
                    .with_attribute("Id", id)
                    .with_attribute("Name", "pool")
            }
            ResourceType::CognitoIdentityPoolRoleAttachment => {
                Created::new(format!("attachment{n}"))
                    .with_attribute("Id", format!("attachment{n}"))
            }
            ResourceType::IamRole => {
                let name = format!("stack-{logical_id}-{n}");
                Created::new(&name)
                    .with_attribute("Arn", format!("arn:aws:iam::{ACCOUNT}:role/{name}"))
                    .with_attribute("RoleId", format!("AROA{n}"))
            }
            ResourceType::S3Bucket => {
                let name = format!("stack-bucket-{n}");
                Created::new(&name)
                    .with_attribute("Arn", format!("arn:aws:s3:::{name}"))
                    .with_attribute("DomainName", format!("{name}.s3.amazonaws.com"))
                    .with_attribute(
                        "DualStackDomainName",
                        format!("{name}.s3.dualstack.{REGION}.amazonaws.com"),
                    )
                    .with_attribute(
                        "RegionalDomainName",
                        format!("{name}.s3.{REGION}.amazonaws.com"),
                    )
                    .with_attribute(
                        "WebsiteURL",
                        format!("http://{name}.s3-website-{REGION}.amazonaws.com"),
                    )
            }
        };
        let mut created = created;
        if let Some(withheld) = &self.withhold_attribute {
            created.attributes.remove(withheld);
        }
        self.calls.push(Call {
            logical_id: logical_id.to_owned(),
            resource_type,
            properties: properties.clone(),
            physical_id: created.physical_id.clone(),
        });
        Ok(created)
    }
}

pub fn inputs() -> StackInputs {
    StackInputs::new("stack", REGION, ACCOUNT)
}

/// Parses and deploys `text` with `inputs`, returning the recorder and the result.
pub fn deploy_text(
    text: &str,
    inputs: &StackInputs,
) -> (Recorder, Result<Deployment, TemplateError>) {
    let mut recorder = Recorder::default();
    let result = Template::parse(text).and_then(|t| deploy(&t, inputs, &mut recorder));
    (recorder, result)
}

/// Deploys `text` with default inputs; panics on error.
pub fn deploy_ok(text: &str) -> (Recorder, Deployment) {
    let (recorder, result) = deploy_text(text, &inputs());
    (
        recorder,
        result.unwrap_or_else(|e| panic!("deploy failed: {e}")),
    )
}

/// The error deploying `text` with default inputs; panics if it succeeds.
pub fn deploy_err(text: &str) -> TemplateError {
    deploy_text(text, &inputs())
        .1
        .expect_err("the deployment should fail")
}

/// One `AWS::S3::Bucket` named `Carrier` with these properties (YAML, indented 6), used to
/// observe how intrinsics evaluate (the evaluator does not validate properties).
pub fn carrier(head: &str, properties: &str) -> String {
    format!("{head}\nResources:\n  Carrier:\n    Type: AWS::S3::Bucket\n    Properties:\n{properties}\n")
}

/// True if any mapping in `value` is an intrinsic call left unevaluated.
pub fn has_intrinsic(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            (map.len() == 1
                && map
                    .keys()
                    .any(|k| k == "Ref" || k.starts_with("Fn::") || k == "Condition"))
                || map.values().any(has_intrinsic)
        }
        Value::Array(items) => items.iter().any(has_intrinsic),
        _ => false,
    }
}
