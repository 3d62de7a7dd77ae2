//! A pure CloudFormation template evaluator, so the local cloud provisions itself from the same
//! `infra/coffer.yaml` that is deployed to AWS.
//!
//! # Design
//!
//! Three steps, each a function of its inputs (no IO, no clock, no randomness):
//!
//! 1. [`Template::parse`] reads YAML (with the short forms `!Ref`, `!Sub`, `!GetAtt`, …, which
//!    are rewritten to their long forms) or JSON, and checks the shape of every section and that
//!    every resource type is supported ([`ResourceType`]).
//! 2. [`plan`] resolves the parameters (declared type, `Default`, `AllowedValues`,
//!    `AllowedPattern`, `MinValue`/`MaxValue`, `MinLength`/`MaxLength`; values given in
//!    [`StackInputs`]) and the pseudo parameters (`AWS::Region`, `AWS::AccountId`,
//!    `AWS::StackName`, `AWS::Partition`, `AWS::URLSuffix`, `AWS::NoValue`), evaluates the
//!    `Conditions`, walks every resource and output for references (`Ref`, `Fn::GetAtt`,
//!    `${…}` in `Fn::Sub`, `DependsOn`; only the taken branch of each `Fn::If` counts), checks
//!    each, and orders the resources so each comes after what it refers to (a cycle is an
//!    error naming it).
//! 3. [`deploy`] evaluates each resource's properties once its dependencies exist and hands
//!    them to a caller's [`Provisioner`], which returns the physical id (`Ref`) and attributes
//!    (`Fn::GetAtt`); then it evaluates the `Outputs` into [`StackOutputs`].
//!
//! Everything that can fail without creating anything fails in step 1 or 2, so a bad template
//! or parameter never leaves a half-made stack.
//!
//! # What is supported
//!
//! Intrinsic functions: `Ref`, `Fn::GetAtt`, `Fn::Sub` (both forms; `${!Literal}` escapes),
//! `Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::If`, `Fn::FindInMap`, and in `Conditions`
//! `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`. Parameter types: `String`,
//! `Number`, `List<Number>`, `CommaDelimitedList`. Resource types: [`ResourceType::ALL`].
//! Resource attributes: `Type`, `Properties`, `DependsOn`, `Condition`, `Metadata`,
//! `DeletionPolicy`, `UpdateReplacePolicy`. Anything else (another `Fn::…`, a `Transform`,
//! `Rules`, an `Export`, another resource type, `AWS::StackId`, …) is a typed
//! [`TemplateError`] naming the function, type or feature and where it is. One known gap: in
//! YAML, a key repeated within one mapping keeps its last value (the loader merges them);
//! `cfn-lint` in CI reports duplicates.
//!
//! As in CloudFormation, `Ref` of a `Number` parameter is a string, and `Fn::Equals` compares
//! scalars as text. [`Properties`] gives provisioners typed reads of evaluated properties with
//! CloudFormation's conversions (`"7"` as a number, `"true"` as a boolean) and errors that name
//! the property path.
//!
//! # Example
//!
//! ```
//! use cfn_template::{deploy, Created, Properties, ProvisionError, Provisioner, ResourceType,
//!                    StackInputs, Template};
//! use serde_json::{Map, Value};
//!
//! struct Buckets(Vec<String>);
//!
//! impl Provisioner for Buckets {
//!     fn create(&mut self, _id: &str, resource_type: ResourceType, properties: &Map<String, Value>)
//!         -> Result<Created, ProvisionError> {
//!         if resource_type != ResourceType::S3Bucket {
//!             return Err(ProvisionError::new(format!("{resource_type} is not emulated")));
//!         }
//!         let name = Properties::new(properties).required_string("BucketName")?;
//!         self.0.push(name.clone());
//!         Ok(Created::new(&name).with_attribute("Arn", format!("arn:aws:s3:::{name}")))
//!     }
//! }
//!
//! let template = Template::parse(r#"
//! Parameters:
//!   Name: {Type: String, Default: files}
//! Resources:
//!   Bucket:
//!     Type: AWS::S3::Bucket
//!     Properties:
//!       BucketName: !Sub "${AWS::StackName}-${Name}"
//! Outputs:
//!   BucketArn: {Value: !GetAtt Bucket.Arn}
//! "#)?;
//! let mut buckets = Buckets(Vec::new());
//! let deployment = deploy(&template, &StackInputs::new("demo", "eu-west-1", "123456789012"),
//!                         &mut buckets)?;
//! assert_eq!(buckets.0, ["demo-files"]);
//! assert_eq!(deployment.outputs.get("BucketArn"), Some("arn:aws:s3:::demo-files"));
//! # Ok::<(), cfn_template::TemplateError>(())
//! ```
//!
//! # Client config
//!
//! [`ClientConfig`] turns a deployed backend into the client config: the stack outputs (as
//! `aws cloudformation describe-stacks` prints them, or [`StackOutputs`] from [`deploy`]), or
//! Amplify Gen 2's `amplify_outputs.json`.
//!
//! # Security notes
//!
//! Errors and `Debug` output never include parameter values (a `NoEcho` parameter may hold a
//! secret), only names and locations. Templates are data: nothing in them is executed, no file
//! or URL they name is read, nesting is limited to 128 levels, and evaluation is linear in the
//! template's size (conditions and resources are each evaluated once; cycles are refused).
//! A template is still trusted input (the developer's own file): YAML aliases are expanded by
//! the loader, so a hostile file could make a large value.

mod client_config;
mod conditions;
mod deploy;
mod error;
mod intrinsics;
mod location;
mod outputs;
mod parameters;
mod parse;
mod plan;
mod properties;
mod resource_type;
mod template;

pub use client_config::{ClientConfig, ClientConfigError, HostedUiConfig};
pub use deploy::{deploy, Created, DeployedResource, Deployment, Provisioner};
pub use error::{ProvisionError, TemplateError};
pub use location::Location;
pub use outputs::{StackOutput, StackOutputs};
pub use parameters::StackInputs;
pub use plan::{plan, Plan, PlannedResource};
pub use properties::Properties;
pub use resource_type::ResourceType;
pub use template::Template;
