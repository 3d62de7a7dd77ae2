//! Planning: parameter values, conditions, every reference checked, and the creation order.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::conditions::evaluate_conditions;
use crate::error::TemplateError;
use crate::intrinsics::{
    as_call, fixed_args, getatt_args, parse_sub, sub_args, sub_variable_attribute, Function,
    SubCall, SubPart,
};
use crate::location::Location;
use crate::parameters::{resolve_parameters, StackInputs, NO_VALUE, UNSUPPORTED_PSEUDO_PARAMETERS};
use crate::resource_type::ResourceType;
use crate::template::Template;

/// What a deployment will do, worked out before anything is created: every reference, attribute
/// and intrinsic function in the resources and outputs that will exist has been checked, so a
/// template error never stops a deployment half way.
#[derive(Clone)]
pub struct Plan {
    order: Vec<PlannedResource>,
    skipped: Vec<String>,
    pub(crate) parameters: BTreeMap<String, Value>,
    pub(crate) conditions: BTreeMap<String, bool>,
}

/// A resource that will be created, with what it must come after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedResource {
    /// The logical id.
    pub logical_id: String,
    /// The type.
    pub resource_type: ResourceType,
    /// Resources it refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub`) or names in `DependsOn`.
    pub depends_on: BTreeSet<String>,
}

/// Parameter values are left out: a `NoEcho` parameter may hold a secret.
impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("order", &self.order)
            .field("skipped", &self.skipped)
            .field("parameters", &self.parameters.keys().collect::<Vec<_>>())
            .field("conditions", &self.conditions)
            .finish()
    }
}

impl Plan {
    /// The resources to create, each after everything it depends on (resources ready at the
    /// same time in logical-id order, so the order is the same on every run).
    pub fn order(&self) -> &[PlannedResource] {
        &self.order
    }

    /// Resources not created because their `Condition` is false.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// The value of each condition.
    pub fn conditions(&self) -> &BTreeMap<String, bool> {
        &self.conditions
    }
}

/// Works out what deploying `template` with `inputs` will create, and in which order.
pub fn plan(template: &Template, inputs: &StackInputs) -> Result<Plan, TemplateError> {
    let parameters = resolve_parameters(&template.parameters, inputs)?;
    let conditions = evaluate_conditions(template, &parameters)?;
    let walker = ReferenceWalker {
        template,
        parameters: &parameters,
        conditions: &conditions,
    };

    let mut dependencies = BTreeMap::new();
    let mut skipped = Vec::new();
    for (id, decl) in &template.resources {
        let location = Location::root().key("Resources").key(id);
        if !walker.is_created(id) {
            skipped.push(id.clone());
            // Still checked for unsupported functions, so a template fails the same way
            // whichever parameters it is given.
            walker.walk(
                &decl.properties,
                &location.key("Properties"),
                false,
                &mut BTreeSet::new(),
            )?;
            continue;
        }
        let mut depends_on = BTreeSet::new();
        walker.walk(
            &decl.properties,
            &location.key("Properties"),
            true,
            &mut depends_on,
        )?;
        for dependency in &decl.depends_on {
            walker.resource_reference(
                dependency,
                &location.key("DependsOn"),
                true,
                &mut depends_on,
            )?;
        }
        dependencies.insert(id.clone(), depends_on);
    }
    for (key, decl) in &template.outputs {
        let location = Location::root().key("Outputs").key(key).key("Value");
        let live = decl.condition.as_ref().is_none_or(|c| conditions[c]);
        walker.walk(&decl.value, &location, live, &mut BTreeSet::new())?;
    }

    let order = creation_order(dependencies)?
        .into_iter()
        .map(|(logical_id, depends_on)| PlannedResource {
            resource_type: template.resources[&logical_id].resource_type,
            logical_id,
            depends_on,
        })
        .collect();
    Ok(Plan {
        order,
        skipped,
        parameters,
        conditions,
    })
}

/// Kahn's algorithm over the dependency sets; among resources ready at the same time, name
/// order. A remaining set with nothing ready holds a cycle, which is reported.
fn creation_order(
    mut remaining: BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<(String, BTreeSet<String>)>, TemplateError> {
    let mut created = BTreeSet::new();
    let mut order = Vec::with_capacity(remaining.len());
    while !remaining.is_empty() {
        let ready: Vec<String> = remaining
            .iter()
            .filter(|(_, depends_on)| depends_on.iter().all(|d| created.contains(d)))
            .map(|(id, _)| id.clone())
            .collect();
        if ready.is_empty() {
            return Err(TemplateError::DependencyCycle {
                cycle: find_cycle(&remaining),
            });
        }
        for id in ready {
            let depends_on = remaining.remove(&id).unwrap_or_default();
            created.insert(id.clone());
            order.push((id, depends_on));
        }
    }
    Ok(order)
}

/// A cycle among resources none of which can be created: following any not-yet-created
/// dependency from any of them must come back to a resource already visited.
fn find_cycle(remaining: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut path: Vec<&String> = Vec::new();
    let mut current = remaining.keys().next();
    while let Some(id) = current {
        if let Some(start) = path.iter().position(|p| *p == id) {
            let mut cycle: Vec<String> = path[start..].iter().map(|s| (*s).clone()).collect();
            cycle.push(id.clone());
            return cycle;
        }
        path.push(id);
        current = remaining[id].iter().find(|d| remaining.contains_key(*d));
    }
    // Unreachable while every remaining resource has a remaining dependency (why none was
    // ready); the names are still the right thing to report.
    remaining.keys().cloned().collect()
}

/// Walks a value for references, checking each and collecting the resources it needs.
struct ReferenceWalker<'a> {
    template: &'a Template,
    parameters: &'a BTreeMap<String, Value>,
    conditions: &'a BTreeMap<String, bool>,
}

impl ReferenceWalker<'_> {
    fn is_created(&self, logical_id: &str) -> bool {
        self.template.resources[logical_id]
            .condition
            .as_ref()
            .is_none_or(|c| self.conditions[c])
    }

    /// `live` is false inside a branch of `Fn::If` not taken (or a resource or output that will
    /// not exist): references there are checked to exist but are not dependencies, and may
    /// name resources that are not created.
    fn walk(
        &self,
        value: &Value,
        location: &Location,
        live: bool,
        needs: &mut BTreeSet<String>,
    ) -> Result<(), TemplateError> {
        let Some((name, argument)) = as_call(value) else {
            match value {
                Value::Object(map) => {
                    for (key, item) in map {
                        self.walk(item, &location.key(key), live, needs)?;
                    }
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item, &location.index(i), live, needs)?;
                    }
                }
                _ => {}
            }
            return Ok(());
        };
        let function = Function::named(name, location)?;
        let location = location.key(name);
        match function {
            Function::Ref => match argument {
                Value::String(target) => self.reference(target, &location, live, needs),
                _ => Err(TemplateError::invalid_intrinsic(
                    name,
                    &location,
                    "expected a name",
                )),
            },
            Function::GetAtt => {
                let (resource, attribute) = getatt_args(argument, &location)?;
                self.attribute_reference(resource, attribute, &location, live, needs)
            }
            Function::Sub => {
                let SubCall { text, variables } = sub_args(argument, &location)?;
                for (variable, value) in variables.into_iter().flatten() {
                    self.walk(value, &location.index(1).key(variable), live, needs)?;
                }
                for part in parse_sub(text, &location)? {
                    let SubPart::Variable(variable) = part else {
                        continue;
                    };
                    if variables.is_some_and(|v| v.contains_key(variable)) {
                        continue;
                    }
                    match sub_variable_attribute(variable) {
                        Some((resource, attribute)) => {
                            self.attribute_reference(resource, attribute, &location, live, needs)?
                        }
                        None => self.reference(variable, &location, live, needs)?,
                    }
                }
                Ok(())
            }
            Function::If => {
                let [condition, if_true, if_false] = fixed_args(function, argument, 3, &location)?
                else {
                    unreachable!("fixed_args returned three items")
                };
                let condition = condition.as_str().ok_or_else(|| {
                    TemplateError::invalid_intrinsic(
                        name,
                        &location,
                        "the condition must be a name",
                    )
                })?;
                let holds = *self.conditions.get(condition).ok_or_else(|| {
                    TemplateError::UnknownCondition {
                        name: condition.to_owned(),
                        location: location.index(0),
                    }
                })?;
                self.walk(if_true, &location.index(1), live && holds, needs)?;
                self.walk(if_false, &location.index(2), live && !holds, needs)
            }
            Function::Join | Function::Split | Function::Select => {
                fixed_args(function, argument, 2, &location)?;
                self.walk(argument, &location, live, needs)
            }
            Function::FindInMap => {
                fixed_args(function, argument, 3, &location)?;
                self.walk(argument, &location, live, needs)
            }
            Function::Equals | Function::Not | Function::And | Function::Or => {
                debug_assert!(function.is_condition_function());
                Err(TemplateError::invalid_intrinsic(
                    name,
                    &location,
                    "condition functions are only allowed in the Conditions section",
                ))
            }
        }
    }

    fn reference(
        &self,
        target: &str,
        location: &Location,
        live: bool,
        needs: &mut BTreeSet<String>,
    ) -> Result<(), TemplateError> {
        if target == NO_VALUE || self.parameters.contains_key(target) {
            return Ok(());
        }
        if UNSUPPORTED_PSEUDO_PARAMETERS.contains(&target) {
            return Err(TemplateError::UnsupportedPseudoParameter {
                name: target.to_owned(),
                location: location.clone(),
            });
        }
        self.resource_reference(target, location, live, needs)
    }

    fn attribute_reference(
        &self,
        resource: &str,
        attribute: &str,
        location: &Location,
        live: bool,
        needs: &mut BTreeSet<String>,
    ) -> Result<(), TemplateError> {
        self.resource_reference(resource, location, live, needs)?;
        let resource_type = self.template.resources[resource].resource_type;
        if resource_type.attributes().contains(&attribute) {
            Ok(())
        } else {
            Err(TemplateError::UnknownAttribute {
                logical_id: resource.to_owned(),
                resource_type,
                attribute: attribute.to_owned(),
                location: location.clone(),
            })
        }
    }

    fn resource_reference(
        &self,
        logical_id: &str,
        location: &Location,
        live: bool,
        needs: &mut BTreeSet<String>,
    ) -> Result<(), TemplateError> {
        if !self.template.resources.contains_key(logical_id) {
            return Err(TemplateError::UnknownReference {
                name: logical_id.to_owned(),
                location: location.clone(),
            });
        }
        if live {
            if !self.is_created(logical_id) {
                return Err(TemplateError::ReferenceToSkippedResource {
                    logical_id: logical_id.to_owned(),
                    location: location.clone(),
                });
            }
            needs.insert(logical_id.to_owned());
        }
        Ok(())
    }
}
