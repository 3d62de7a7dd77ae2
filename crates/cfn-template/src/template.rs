//! The template model: its sections read into typed declarations, intrinsics left unevaluated.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::TemplateError;
use crate::location::Location;
use crate::parameters::ParameterDecl;
use crate::parse::parse_template_text;
use crate::resource_type::ResourceType;

/// A parsed, structurally checked CloudFormation template.
///
/// Building one checks the shape of every section and that every resource type is supported;
/// references, intrinsics and parameter values are checked when it is planned or deployed
/// ([`crate::plan`], [`crate::deploy`]), because they depend on the parameter values.
#[derive(Debug, Clone)]
pub struct Template {
    pub(crate) parameters: BTreeMap<String, ParameterDecl>,
    pub(crate) mappings: Map<String, Value>,
    pub(crate) conditions: BTreeMap<String, Value>,
    pub(crate) resources: BTreeMap<String, ResourceDecl>,
    pub(crate) outputs: BTreeMap<String, OutputDecl>,
}

/// One entry of `Resources`.
#[derive(Debug, Clone)]
pub(crate) struct ResourceDecl {
    pub(crate) resource_type: ResourceType,
    pub(crate) properties: Value,
    pub(crate) depends_on: Vec<String>,
    pub(crate) condition: Option<String>,
}

/// One entry of `Outputs`.
#[derive(Debug, Clone)]
pub(crate) struct OutputDecl {
    pub(crate) value: Value,
    pub(crate) description: Option<String>,
    pub(crate) condition: Option<String>,
}

const TOP_LEVEL: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];
const UNSUPPORTED_TOP_LEVEL: &[&str] = &["Transform", "Rules"];
const RESOURCE_KEYS: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
];
const UNSUPPORTED_RESOURCE_KEYS: &[&str] = &["CreationPolicy", "UpdatePolicy"];
const OUTPUT_KEYS: &[&str] = &["Value", "Description", "Condition"];

impl Template {
    /// Reads a template from YAML (short-form tags included) or JSON text.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        Self::from_value(parse_template_text(text)?)
    }

    /// Reads a template already in JSON form (long-form intrinsics only).
    pub fn from_value(value: Value) -> Result<Self, TemplateError> {
        let root = Location::root();
        let Value::Object(sections) = value else {
            return Err(TemplateError::invalid(
                &root,
                "a template is a mapping of sections",
            ));
        };
        for key in sections.keys() {
            if UNSUPPORTED_TOP_LEVEL.contains(&key.as_str()) {
                return Err(TemplateError::UnsupportedFeature {
                    feature: key.clone(),
                    location: root.key(key),
                });
            }
            if !TOP_LEVEL.contains(&key.as_str()) {
                return Err(TemplateError::invalid(
                    &root,
                    format!("unknown section `{key}`"),
                ));
            }
        }
        if let Some(version) = sections.get("AWSTemplateFormatVersion") {
            if version != "2010-09-09" {
                return Err(TemplateError::invalid(
                    &root.key("AWSTemplateFormatVersion"),
                    "the only template format version is \"2010-09-09\"",
                ));
            }
        }

        let parameters = section(&sections, "Parameters")?
            .iter()
            .map(|(name, decl)| {
                ParameterDecl::from_value(name, decl, &root.key("Parameters").key(name))
                    .map(|decl| (name.clone(), decl))
            })
            .collect::<Result<_, _>>()?;
        let mappings = section(&sections, "Mappings")?.clone();
        let conditions = section(&sections, "Conditions")?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let resources = section(&sections, "Resources")?
            .iter()
            .map(|(id, decl)| {
                resource(id, decl, &root.key("Resources").key(id)).map(|decl| (id.clone(), decl))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        if resources.is_empty() {
            return Err(TemplateError::invalid(
                &root.key("Resources"),
                "a template needs resources",
            ));
        }
        let outputs = section(&sections, "Outputs")?
            .iter()
            .map(|(key, decl)| {
                output(decl, &root.key("Outputs").key(key)).map(|decl| (key.clone(), decl))
            })
            .collect::<Result<_, _>>()?;
        let template = Self {
            parameters,
            mappings,
            conditions,
            resources,
            outputs,
        };
        template.check_names()?;
        Ok(template)
    }

    /// The declared parameter names.
    pub fn parameter_names(&self) -> impl Iterator<Item = &str> {
        self.parameters.keys().map(String::as_str)
    }

    /// The declared resources: logical id and type.
    pub fn resources(&self) -> impl Iterator<Item = (&str, ResourceType)> {
        self.resources
            .iter()
            .map(|(id, decl)| (id.as_str(), decl.resource_type))
    }

    /// The declared output names.
    pub fn output_names(&self) -> impl Iterator<Item = &str> {
        self.outputs.keys().map(String::as_str)
    }

    /// Parameters, resources and conditions share CloudFormation's namespace for `Ref`; a name
    /// used twice would make a reference ambiguous.
    fn check_names(&self) -> Result<(), TemplateError> {
        for name in self.parameters.keys() {
            if self.resources.contains_key(name) {
                return Err(TemplateError::invalid(
                    &Location::root().key("Resources").key(name),
                    format!("`{name}` is both a parameter and a resource"),
                ));
            }
        }
        for (id, decl) in &self.resources {
            let location = Location::root().key("Resources").key(id);
            if let Some(condition) = &decl.condition {
                if !self.conditions.contains_key(condition) {
                    return Err(TemplateError::UnknownCondition {
                        name: condition.clone(),
                        location: location.key("Condition"),
                    });
                }
            }
            for dependency in &decl.depends_on {
                if !self.resources.contains_key(dependency) {
                    return Err(TemplateError::UnknownReference {
                        name: dependency.clone(),
                        location: location.key("DependsOn"),
                    });
                }
            }
        }
        for (key, decl) in &self.outputs {
            if let Some(condition) = &decl.condition {
                if !self.conditions.contains_key(condition) {
                    return Err(TemplateError::UnknownCondition {
                        name: condition.clone(),
                        location: Location::root().key("Outputs").key(key).key("Condition"),
                    });
                }
            }
        }
        Ok(())
    }
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

fn section<'a>(
    sections: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a Map<String, Value>, TemplateError> {
    match sections.get(name) {
        None => Ok(&EMPTY),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(TemplateError::invalid(
            &Location::root().key(name),
            "must be a mapping",
        )),
    }
}

fn resource(id: &str, decl: &Value, location: &Location) -> Result<ResourceDecl, TemplateError> {
    let Value::Object(fields) = decl else {
        return Err(TemplateError::invalid(location, "a resource is a mapping"));
    };
    check_keys(fields, RESOURCE_KEYS, UNSUPPORTED_RESOURCE_KEYS, location)?;
    let type_name = match fields.get("Type") {
        Some(Value::String(name)) => name,
        _ => return Err(TemplateError::invalid(location, "`Type` must be a string")),
    };
    let resource_type = ResourceType::from_name(type_name).ok_or_else(|| {
        TemplateError::UnsupportedResourceType {
            logical_id: id.to_owned(),
            resource_type: type_name.clone(),
            supported: ResourceType::ALL.map(ResourceType::as_str).join(", "),
        }
    })?;
    let properties = match fields.get("Properties") {
        None => Value::Object(Map::new()),
        Some(value @ Value::Object(_)) => value.clone(),
        Some(_) => {
            return Err(TemplateError::invalid(
                &location.key("Properties"),
                "must be a mapping",
            ))
        }
    };
    let depends_on = match fields.get("DependsOn") {
        None => Vec::new(),
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                TemplateError::invalid(&location.key("DependsOn"), "must be a string or strings")
            })?,
        Some(_) => {
            return Err(TemplateError::invalid(
                &location.key("DependsOn"),
                "must be a string or strings",
            ))
        }
    };
    for policy in ["DeletionPolicy", "UpdateReplacePolicy"] {
        match fields.get(policy) {
            None => {}
            Some(Value::String(p))
                if ["Delete", "Retain", "Snapshot", "RetainExceptOnCreate"]
                    .contains(&p.as_str()) => {}
            Some(_) => {
                return Err(TemplateError::invalid(
                    &location.key(policy),
                    "unknown policy",
                ))
            }
        }
    }
    Ok(ResourceDecl {
        resource_type,
        properties,
        depends_on,
        condition: optional_string(fields, "Condition", location)?,
    })
}

fn output(decl: &Value, location: &Location) -> Result<OutputDecl, TemplateError> {
    let Value::Object(fields) = decl else {
        return Err(TemplateError::invalid(location, "an output is a mapping"));
    };
    check_keys(fields, OUTPUT_KEYS, &["Export"], location)?;
    let value = fields
        .get("Value")
        .cloned()
        .ok_or_else(|| TemplateError::invalid(location, "an output needs a `Value`"))?;
    Ok(OutputDecl {
        value,
        description: optional_string(fields, "Description", location)?,
        condition: optional_string(fields, "Condition", location)?,
    })
}

fn check_keys(
    fields: &Map<String, Value>,
    allowed: &[&str],
    unsupported: &[&str],
    location: &Location,
) -> Result<(), TemplateError> {
    for key in fields.keys() {
        if unsupported.contains(&key.as_str()) {
            return Err(TemplateError::UnsupportedFeature {
                feature: key.clone(),
                location: location.key(key),
            });
        }
        if !allowed.contains(&key.as_str()) {
            return Err(TemplateError::invalid(
                location,
                format!("unknown attribute `{key}`"),
            ));
        }
    }
    Ok(())
}

fn optional_string(
    fields: &Map<String, Value>,
    key: &str,
    location: &Location,
) -> Result<Option<String>, TemplateError> {
    match fields.get(key) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(TemplateError::invalid(
            &location.key(key),
            "must be a string",
        )),
    }
}
