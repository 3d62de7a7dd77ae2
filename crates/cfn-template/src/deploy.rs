//! Deployment: each planned resource's properties evaluated and handed to a [`Provisioner`],
//! then the outputs evaluated.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{ProvisionError, TemplateError};
use crate::intrinsics::{scalar_text, Context, Evaluator};
use crate::location::Location;
use crate::outputs::{StackOutput, StackOutputs};
use crate::parameters::StackInputs;
use crate::plan::plan;
use crate::resource_type::ResourceType;
use crate::template::Template;

/// Creates resources. The local cloud implements it over its in-memory state; a test
/// implements it by recording calls.
pub trait Provisioner {
    /// Creates one resource from fully evaluated properties (no intrinsic functions left;
    /// `AWS::NoValue` properties removed). Properties come as CloudFormation passes them:
    /// `Ref` of a `Number` parameter is a string (`"7"`), so a provisioner reading an integer
    /// property accepts a number or a numeric string.
    fn create(
        &mut self,
        logical_id: &str,
        resource_type: ResourceType,
        properties: &Map<String, Value>,
    ) -> Result<Created, ProvisionError>;
}

/// What a provisioner reports for a created resource.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Created {
    /// What `Ref` returns for the resource (see [`ResourceType`] for each type's).
    pub physical_id: String,
    /// What `Fn::GetAtt` returns, by attribute name (see [`ResourceType::attributes`]).
    pub attributes: BTreeMap<String, Value>,
}

impl Created {
    /// A resource with a physical id and no attributes yet.
    pub fn new(physical_id: impl Into<String>) -> Self {
        Self {
            physical_id: physical_id.into(),
            attributes: BTreeMap::new(),
        }
    }

    /// The same with one more attribute.
    #[must_use]
    pub fn with_attribute(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.attributes.insert(name.to_owned(), value.into());
        self
    }
}

/// One created resource, in creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedResource {
    /// The logical id.
    pub logical_id: String,
    /// The type.
    pub resource_type: ResourceType,
    /// The physical id the provisioner returned.
    pub physical_id: String,
}

/// The result of a deployment.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The resources created, in creation order.
    pub resources: Vec<DeployedResource>,
    /// The evaluated `Outputs` (those whose condition holds).
    pub outputs: StackOutputs,
}

/// Deploys `template` with `inputs` through `provisioner`.
///
/// Everything that can be checked without creating resources is checked first ([`plan`]), so
/// a template or parameter error creates nothing. There is no rollback: if the provisioner fails
/// on a resource, those created before it stay created; a provisioner that needs
/// all-or-nothing stages its changes and commits them once `deploy` returns `Ok`.
pub fn deploy<P: Provisioner + ?Sized>(
    template: &Template,
    inputs: &StackInputs,
    provisioner: &mut P,
) -> Result<Deployment, TemplateError> {
    let plan = plan(template, inputs)?;
    let mut created: BTreeMap<String, Created> = BTreeMap::new();
    let mut resources = Vec::with_capacity(plan.order().len());
    for step in plan.order() {
        let evaluator = Evaluator {
            template,
            parameters: &plan.parameters,
            conditions: &plan.conditions,
            created: &created,
            context: Context::Resources,
        };
        let decl = &template.resources[&step.logical_id];
        let location = Location::root()
            .key("Resources")
            .key(&step.logical_id)
            .key("Properties");
        let properties = match evaluator.resolve(&decl.properties, &location)? {
            Some(Value::Object(properties)) => properties,
            None => Map::new(),
            Some(_) => {
                return Err(TemplateError::invalid(
                    &location,
                    "must evaluate to a mapping",
                ))
            }
        };
        let result = provisioner
            .create(&step.logical_id, step.resource_type, &properties)
            .map_err(|source| TemplateError::Provision {
                logical_id: step.logical_id.clone(),
                resource_type: step.resource_type,
                source,
            })?;
        resources.push(DeployedResource {
            logical_id: step.logical_id.clone(),
            resource_type: step.resource_type,
            physical_id: result.physical_id.clone(),
        });
        created.insert(step.logical_id.clone(), result);
    }

    let evaluator = Evaluator {
        template,
        parameters: &plan.parameters,
        conditions: &plan.conditions,
        created: &created,
        context: Context::Resources,
    };
    let mut outputs = Vec::new();
    for (key, decl) in &template.outputs {
        if decl.condition.as_ref().is_some_and(|c| !plan.conditions[c]) {
            continue;
        }
        let location = Location::root().key("Outputs").key(key).key("Value");
        let value = evaluator
            .resolve(&decl.value, &location)?
            .as_ref()
            .and_then(scalar_text)
            .ok_or_else(|| TemplateError::invalid(&location, "an output value must be a string"))?;
        outputs.push(StackOutput {
            key: key.clone(),
            value,
            description: decl.description.clone(),
        });
    }
    Ok(Deployment {
        resources,
        outputs: StackOutputs::new(outputs),
    })
}
