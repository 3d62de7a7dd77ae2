//! Provisioning the local cloud from a CloudFormation template (`infra/coffer.yaml`), so the
//! backend developers test against is the one they deploy.
//!
//! # Design
//!
//! [`cfn_template`] evaluates the template (parameters, conditions, intrinsics, order) without
//! IO; [`StateProvisioner`] creates each resource through the same operations the AWS API calls
//! reach, so a property AWS would refuse is refused here too. The deployment runs on the state
//! under the store lock and is committed (persisted) only if every resource was created: on any
//! error the state is put back as it was and nothing is written.
//!
//! A data directory remembers the stack it was provisioned from ([`StackRecord`] in
//! `state.json`: a digest of the template and parameters, the resources and the outputs). Later
//! starts with the same template and parameters reuse it, keeping every id; a different
//! template or parameters is refused with [`crate::LocalCloudError::StackChanged`] (there are
//! no stack updates: start from a fresh data directory).
//!
//! Roles keep their trust policy (`AssumeRolePolicyDocument`, refused if malformed), and
//! GetCredentialsForIdentity evaluates it as STS would (`aud`/`amr` conditions; see
//! [`crate::identity::trust`]). What is not emulated (accepted, documented in
//! `infra/README.md`): bucket encryption and lifecycle rules (the local bucket is files in the
//! 0700 data directory; incomplete uploads are kept).
//!
//! # Security notes
//!
//! Parameter values are hashed into the record's digest, never stored or logged (a `NoEcho`
//! parameter may be a secret). Errors name resources and properties, never values.

mod provisioner;

use std::collections::BTreeMap;
use std::path::PathBuf;

use cfn_template::{ClientConfig, StackInputs, StackOutput, StackOutputs, Template};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::LocalCloudError;
use crate::ops::Ctx;
use crate::store::Store;

pub use provisioner::{StateProvisioner, LOCAL_ACCOUNT_ID};

/// The stack name used unless configured otherwise (it prefixes generated resource names).
pub const DEFAULT_STACK_NAME: &str = "coffer";

/// Which template to provision from, and with what.
#[derive(Clone, PartialEq, Eq)]
pub struct StackTemplate {
    /// The template file (YAML or JSON).
    pub path: PathBuf,
    /// `Key=Value` parameter overrides.
    pub parameters: BTreeMap<String, String>,
    /// `AWS::StackName`.
    pub stack_name: String,
}

impl StackTemplate {
    /// The template at `path` with its default parameters and stack name `coffer`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            parameters: BTreeMap::new(),
            stack_name: DEFAULT_STACK_NAME.to_owned(),
        }
    }

    /// The same with one more parameter value.
    #[must_use]
    pub fn with_parameter(mut self, name: &str, value: &str) -> Self {
        self.parameters.insert(name.to_owned(), value.to_owned());
        self
    }
}

impl std::fmt::Debug for StackTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Parameter values may be secrets (NoEcho): names only.
        f.debug_struct("StackTemplate")
            .field("path", &self.path)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field("stack_name", &self.stack_name)
            .finish()
    }
}

/// The stack a data directory was provisioned from, kept in `state.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackRecord {
    /// `AWS::StackName`.
    pub stack_name: String,
    /// SHA-256 (hex) of the template text, stack name and parameters.
    pub digest: String,
    /// `(logical id, type, physical id)` in creation order.
    pub resources: Vec<(String, String, String)>,
    /// `(key, value)` of each output.
    pub outputs: Vec<(String, String)>,
}

impl StackRecord {
    /// The outputs in the evaluator's form.
    pub fn stack_outputs(&self) -> StackOutputs {
        StackOutputs::new(
            self.outputs
                .iter()
                .map(|(key, value)| StackOutput {
                    key: key.clone(),
                    value: value.clone(),
                    description: None,
                })
                .collect(),
        )
    }

    /// The client config the outputs describe (AWS-shaped: no endpoints).
    pub fn client_config(&self) -> Result<ClientConfig, LocalCloudError> {
        ClientConfig::from_stack_outputs(&self.stack_outputs()).map_err(|e| {
            LocalCloudError::StackOutputs {
                reason: e.to_string(),
            }
        })
    }
}

fn digest(text: &str, template: &StackTemplate) -> String {
    let mut hash = Sha256::new();
    for part in [text, "\0", &template.stack_name, "\0"] {
        hash.update(part.as_bytes());
    }
    for (name, value) in &template.parameters {
        hash.update(name.as_bytes());
        hash.update(b"=");
        hash.update(value.as_bytes());
        hash.update(b"\0");
    }
    hex::encode(hash.finalize())
}

/// What [`ensure_stack`] did.
#[derive(Debug, Clone)]
pub struct EnsuredStack {
    /// The stack's record (new or reused).
    pub record: StackRecord,
    /// Buckets to create (every bucket of the stack; creating is idempotent).
    pub buckets: Vec<String>,
    /// Whether this start deployed it (false: reused from an earlier start).
    pub deployed_now: bool,
}

/// Deploys `template` into the state of `store`, unless the state already holds this stack.
pub fn ensure_stack(
    store: &Store,
    template: &StackTemplate,
    region: &str,
    endpoint: &str,
    now: time::OffsetDateTime,
) -> Result<EnsuredStack, LocalCloudError> {
    let text = std::fs::read_to_string(&template.path)
        .map_err(|e| LocalCloudError::io("reading", &template.path, e))?;
    let parsed = Template::parse(&text).map_err(|source| LocalCloudError::Template {
        path: template.path.clone(),
        source,
    })?;
    let digest = digest(&text, template);
    store.run_startup(|inner| {
        crate::identity::trust::warn_about_legacy_roles(&inner.state);
        if let Some(record) = &inner.state.stack {
            if record.digest != digest {
                return Err(LocalCloudError::StackChanged {
                    stack_name: record.stack_name.clone(),
                });
            }
            let buckets = record
                .resources
                .iter()
                .filter(|(_, kind, _)| kind == cfn_template::ResourceType::S3Bucket.as_str())
                .map(|(_, _, name)| name.clone())
                .collect();
            return Ok(EnsuredStack {
                record: record.clone(),
                buckets,
                deployed_now: false,
            });
        }
        let mut inputs = StackInputs::new(&template.stack_name, region, LOCAL_ACCOUNT_ID);
        for (name, value) in &template.parameters {
            inputs = inputs.with_parameter(name, value);
        }
        let before = inner.state.clone();
        let mut ctx = Ctx {
            inner,
            now,
            endpoint,
            region,
            // Provisioning issues no credentials.
            credentials_ttl: crate::config::DEFAULT_CREDENTIALS_TTL,
        };
        let mut provisioner = StateProvisioner::new(&mut ctx, &template.stack_name);
        let deployed = cfn_template::deploy(&parsed, &inputs, &mut provisioner);
        let buckets = provisioner.buckets().to_vec();
        let deployment = match deployed {
            Ok(deployment) => deployment,
            Err(source) => {
                // Nothing of a failed deployment stays: the state is as before.
                ctx.inner.state = before;
                return Err(LocalCloudError::Template {
                    path: template.path.clone(),
                    source,
                });
            }
        };
        let record = StackRecord {
            stack_name: template.stack_name.clone(),
            digest: digest.clone(),
            resources: deployment
                .resources
                .iter()
                .map(|r| {
                    (
                        r.logical_id.clone(),
                        r.resource_type.as_str().to_owned(),
                        r.physical_id.clone(),
                    )
                })
                .collect(),
            outputs: deployment
                .outputs
                .iter()
                .map(|o| (o.key.clone(), o.value.clone()))
                .collect(),
        };
        ctx.inner.state.stack = Some(record.clone());
        tracing::info!(
            stack = %record.stack_name,
            resources = record.resources.len(),
            "local cloud provisioned from the template"
        );
        Ok(EnsuredStack {
            record,
            buckets,
            deployed_now: true,
        })
    })
}

/// The client config for the stack on this local cloud: the outputs' ids, `[endpoints]` at
/// `endpoint`, and the hosted UI at its local base URL.
pub fn local_client_config(
    record: &StackRecord,
    state_domain: Option<&str>,
    endpoint: &str,
) -> Result<String, LocalCloudError> {
    let mut config = record.client_config()?;
    if let (Some(hosted), Some(domain)) = (config.hosted_ui.as_mut(), state_domain) {
        hosted.domain = crate::ops::domains::hosted_base_url(endpoint, domain);
    }
    let mut text = String::from(
        "# Written by the Coffer local cloud on each start (from the stack outputs); edits are overwritten.\n",
    );
    text.push_str(&config.to_toml());
    text.push_str(&format!(
        "\n[endpoints]\ncognito_idp = \"{endpoint}\"\ncognito_identity = \"{endpoint}\"\ns3 = \"{endpoint}\"\n"
    ));
    Ok(text)
}
