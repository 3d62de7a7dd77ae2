//! Intrinsic functions: recognising calls, their argument shapes, and evaluating them.
//!
//! Supported: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Split`, `Fn::Select`, `Fn::If`,
//! `Fn::FindInMap`, and in the `Conditions` section `Fn::Equals`, `Fn::Not`, `Fn::And`,
//! `Fn::Or` and `Condition`. Any other `Fn::…` is refused with its location.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::deploy::Created;
use crate::error::TemplateError;
use crate::location::Location;
use crate::parameters::{NO_VALUE, UNSUPPORTED_PSEUDO_PARAMETERS};
use crate::template::Template;

/// A supported intrinsic function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Ref,
    GetAtt,
    Sub,
    Join,
    Split,
    Select,
    If,
    FindInMap,
    Equals,
    Not,
    And,
    Or,
}

impl Function {
    const ALL: [Self; 12] = [
        Self::Ref,
        Self::GetAtt,
        Self::Sub,
        Self::Join,
        Self::Split,
        Self::Select,
        Self::If,
        Self::FindInMap,
        Self::Equals,
        Self::Not,
        Self::And,
        Self::Or,
    ];

    pub(crate) fn long_name(self) -> &'static str {
        match self {
            Self::Ref => "Ref",
            Self::GetAtt => "Fn::GetAtt",
            Self::Sub => "Fn::Sub",
            Self::Join => "Fn::Join",
            Self::Split => "Fn::Split",
            Self::Select => "Fn::Select",
            Self::If => "Fn::If",
            Self::FindInMap => "Fn::FindInMap",
            Self::Equals => "Fn::Equals",
            Self::Not => "Fn::Not",
            Self::And => "Fn::And",
            Self::Or => "Fn::Or",
        }
    }

    /// The function a call names; an unsupported `Fn::…` is an error at `location`.
    pub(crate) fn named(name: &str, location: &Location) -> Result<Self, TemplateError> {
        Self::ALL
            .into_iter()
            .find(|f| f.long_name() == name)
            .ok_or_else(|| TemplateError::UnsupportedIntrinsic {
                function: name.to_owned(),
                location: location.clone(),
            })
    }

    pub(crate) fn is_condition_function(self) -> bool {
        matches!(self, Self::Equals | Self::Not | Self::And | Self::Or)
    }
}

/// If `value` is an intrinsic call (a mapping with the single key `Ref` or `Fn::…`), the
/// function name and its argument.
pub(crate) fn as_call(value: &Value) -> Option<(&str, &Value)> {
    let Value::Object(map) = value else {
        return None;
    };
    if map.len() != 1 {
        return None;
    }
    let (name, argument) = map.iter().next()?;
    (name == "Ref" || name.starts_with("Fn::")).then_some((name.as_str(), argument))
}

/// `Fn::GetAtt`'s argument: `[Resource, Attribute]` (or `"Resource.Attribute"`).
pub(crate) fn getatt_args<'a>(
    argument: &'a Value,
    location: &Location,
) -> Result<(&'a str, &'a str), TemplateError> {
    match argument {
        Value::Array(items) => match items.as_slice() {
            [Value::String(resource), Value::String(attribute)] => Ok((resource, attribute)),
            _ => Err(TemplateError::invalid_intrinsic(
                "Fn::GetAtt",
                location,
                "expected [Resource, Attribute] as two strings",
            )),
        },
        Value::String(text) => text.split_once('.').ok_or_else(|| {
            TemplateError::invalid_intrinsic(
                "Fn::GetAtt",
                location,
                "expected `Resource.Attribute`",
            )
        }),
        _ => Err(TemplateError::invalid_intrinsic(
            "Fn::GetAtt",
            location,
            "expected [Resource, Attribute]",
        )),
    }
}

/// `Fn::Sub`'s argument: a string, or `[string, {Name: value, …}]`.
pub(crate) struct SubCall<'a> {
    /// The string with `${…}` variables.
    pub(crate) text: &'a str,
    /// The variables of the list form.
    pub(crate) variables: Option<&'a Map<String, Value>>,
}

/// Reads `Fn::Sub`'s argument.
pub(crate) fn sub_args<'a>(
    argument: &'a Value,
    location: &Location,
) -> Result<SubCall<'a>, TemplateError> {
    let invalid = || {
        TemplateError::invalid_intrinsic(
            "Fn::Sub",
            location,
            "expected a string or [string, {variables}]",
        )
    };
    match argument {
        Value::String(text) => Ok(SubCall {
            text,
            variables: None,
        }),
        Value::Array(items) => match items.as_slice() {
            [Value::String(text), Value::Object(variables)] => Ok(SubCall {
                text,
                variables: Some(variables),
            }),
            _ => Err(invalid()),
        },
        _ => Err(invalid()),
    }
}

/// The argument as a list of exactly `count` items.
pub(crate) fn fixed_args<'a>(
    function: Function,
    argument: &'a Value,
    count: usize,
    location: &Location,
) -> Result<&'a [Value], TemplateError> {
    match argument {
        Value::Array(items) if items.len() == count => Ok(items),
        _ => Err(TemplateError::invalid_intrinsic(
            function.long_name(),
            location,
            format!("expected a list of {count} arguments"),
        )),
    }
}

/// A piece of an `Fn::Sub` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SubPart<'a> {
    /// Text copied as is (`${!X}` already turned into `${X}`).
    Literal(String),
    /// `${Name}` or `${Resource.Attribute}`.
    Variable(&'a str),
}

/// Splits an `Fn::Sub` string into literal text and `${…}` variables. `${!Text}` is the escape
/// for a literal `${Text}` (e.g. IAM policy variables).
pub(crate) fn parse_sub<'a>(
    text: &'a str,
    location: &Location,
) -> Result<Vec<SubPart<'a>>, TemplateError> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        literal.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(escaped) = after.strip_prefix('!') {
            literal.push_str("${");
            rest = escaped;
            continue;
        }
        let end = after.find('}').ok_or_else(|| {
            TemplateError::invalid_intrinsic("Fn::Sub", location, "`${` without a closing `}`")
        })?;
        let name = &after[..end];
        if name.is_empty() {
            return Err(TemplateError::invalid_intrinsic(
                "Fn::Sub",
                location,
                "empty `${}`",
            ));
        }
        if !literal.is_empty() {
            parts.push(SubPart::Literal(std::mem::take(&mut literal)));
        }
        parts.push(SubPart::Variable(name));
        rest = &after[end + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(SubPart::Literal(literal));
    }
    Ok(parts)
}

/// `Resource.Attribute` in an `Fn::Sub` variable (pseudo parameters contain `::`, not `.`).
pub(crate) fn sub_variable_attribute(name: &str) -> Option<(&str, &str)> {
    if name.starts_with("AWS::") {
        None
    } else {
        name.split_once('.')
    }
}

/// Where an evaluation happens, which decides what may be referred to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// In `Conditions`: parameters and mappings only.
    Conditions,
    /// In resource properties and outputs.
    Resources,
}

/// Evaluates intrinsic calls against known parameter values, conditions and created resources.
pub(crate) struct Evaluator<'a> {
    pub(crate) template: &'a Template,
    pub(crate) parameters: &'a BTreeMap<String, Value>,
    pub(crate) conditions: &'a BTreeMap<String, bool>,
    pub(crate) created: &'a BTreeMap<String, Created>,
    pub(crate) context: Context,
}

impl Evaluator<'_> {
    /// The value with every intrinsic call replaced by its result. `None` means `AWS::NoValue`:
    /// the enclosing property or list item is dropped.
    pub(crate) fn resolve(
        &self,
        value: &Value,
        location: &Location,
    ) -> Result<Option<Value>, TemplateError> {
        if let Some((name, argument)) = as_call(value) {
            return self.call(
                Function::named(name, location)?,
                argument,
                &location.key(name),
            );
        }
        match value {
            Value::Object(map) => {
                let mut resolved = Map::new();
                for (key, item) in map {
                    if let Some(item) = self.resolve(item, &location.key(key))? {
                        resolved.insert(key.clone(), item);
                    }
                }
                Ok(Some(Value::Object(resolved)))
            }
            Value::Array(items) => {
                let mut resolved = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    resolved.extend(self.resolve(item, &location.index(i))?);
                }
                Ok(Some(Value::Array(resolved)))
            }
            scalar => Ok(Some(scalar.clone())),
        }
    }

    fn call(
        &self,
        function: Function,
        argument: &Value,
        location: &Location,
    ) -> Result<Option<Value>, TemplateError> {
        let name = function.long_name();
        match function {
            Function::Ref => match argument {
                Value::String(target) => self.reference(target, location),
                _ => Err(TemplateError::invalid_intrinsic(
                    name,
                    location,
                    "expected a name",
                )),
            },
            Function::GetAtt => {
                let (resource, attribute) = getatt_args(argument, location)?;
                self.attribute(resource, attribute, location).map(Some)
            }
            Function::Sub => self
                .sub(argument, location)
                .map(|text| Some(Value::String(text))),
            Function::Join => {
                let [delimiter, list] = fixed_args(function, argument, 2, location)? else {
                    unreachable!("fixed_args returned two items")
                };
                let delimiter = delimiter.as_str().ok_or_else(|| {
                    TemplateError::invalid_intrinsic(
                        name,
                        location,
                        "the delimiter must be a string",
                    )
                })?;
                let items = self.resolve_list(function, list, &location.index(1))?;
                let texts = items
                    .iter()
                    .map(scalar_text)
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        TemplateError::invalid_intrinsic(
                            name,
                            location,
                            "list items must be strings",
                        )
                    })?;
                Ok(Some(Value::String(texts.join(delimiter))))
            }
            Function::Split => {
                let [delimiter, source] = fixed_args(function, argument, 2, location)? else {
                    unreachable!("fixed_args returned two items")
                };
                let delimiter = delimiter
                    .as_str()
                    .filter(|d| !d.is_empty())
                    .ok_or_else(|| {
                        TemplateError::invalid_intrinsic(
                            name,
                            location,
                            "the delimiter must be a non-empty string",
                        )
                    })?;
                let source = self.resolve_string(function, source, &location.index(1))?;
                Ok(Some(Value::Array(
                    source.split(delimiter).map(Value::from).collect(),
                )))
            }
            Function::Select => {
                let [index, list] = fixed_args(function, argument, 2, location)? else {
                    unreachable!("fixed_args returned two items")
                };
                let index_text = self.resolve_string(function, index, &location.index(0))?;
                let index: usize = index_text.parse().map_err(|_| {
                    TemplateError::invalid_intrinsic(
                        name,
                        location,
                        "the index must be a whole number",
                    )
                })?;
                let items = self.resolve_list(function, list, &location.index(1))?;
                let count = items.len();
                items.into_iter().nth(index).map(Some).ok_or_else(|| {
                    TemplateError::invalid_intrinsic(
                        name,
                        location,
                        format!("index {index} is out of range for a list of {count}"),
                    )
                })
            }
            Function::If => {
                let [condition, if_true, if_false] = fixed_args(function, argument, 3, location)?
                else {
                    unreachable!("fixed_args returned three items")
                };
                if self.context == Context::Conditions {
                    return Err(TemplateError::invalid_intrinsic(
                        name,
                        location,
                        "not allowed in the Conditions section",
                    ));
                }
                let condition = condition.as_str().ok_or_else(|| {
                    TemplateError::invalid_intrinsic(name, location, "the condition must be a name")
                })?;
                let holds = *self.conditions.get(condition).ok_or_else(|| {
                    TemplateError::UnknownCondition {
                        name: condition.to_owned(),
                        location: location.index(0),
                    }
                })?;
                if holds {
                    self.resolve(if_true, &location.index(1))
                } else {
                    self.resolve(if_false, &location.index(2))
                }
            }
            Function::FindInMap => {
                let args = fixed_args(function, argument, 3, location)?;
                let mut keys = Vec::with_capacity(3);
                for (i, key) in args.iter().enumerate() {
                    keys.push(self.resolve_string(function, key, &location.index(i))?);
                }
                self.template
                    .mappings
                    .get(&keys[0])
                    .and_then(|map| map.get(&keys[1]))
                    .and_then(|map| map.get(&keys[2]))
                    .cloned()
                    .map(Some)
                    .ok_or_else(|| {
                        TemplateError::invalid_intrinsic(
                            name,
                            location,
                            format!("Mappings has no {}.{}.{}", keys[0], keys[1], keys[2]),
                        )
                    })
            }
            Function::Equals | Function::Not | Function::And | Function::Or => {
                Err(TemplateError::invalid_intrinsic(
                    name,
                    location,
                    "condition functions are only allowed in the Conditions section",
                ))
            }
        }
    }

    /// `Ref`: a parameter's value, a pseudo parameter, a resource's physical id, or nothing for
    /// `AWS::NoValue`.
    fn reference(&self, target: &str, location: &Location) -> Result<Option<Value>, TemplateError> {
        if target == NO_VALUE {
            return Ok(None);
        }
        if let Some(value) = self.parameters.get(target) {
            return Ok(Some(value.clone()));
        }
        if UNSUPPORTED_PSEUDO_PARAMETERS.contains(&target) {
            return Err(TemplateError::UnsupportedPseudoParameter {
                name: target.to_owned(),
                location: location.clone(),
            });
        }
        self.created_resource(target, location)
            .map(|created| Some(created.physical_id.clone().into()))
    }

    fn attribute(
        &self,
        resource: &str,
        attribute: &str,
        location: &Location,
    ) -> Result<Value, TemplateError> {
        if let Some(decl) = self.template.resources.get(resource) {
            if !decl.resource_type.attributes().contains(&attribute) {
                return Err(TemplateError::UnknownAttribute {
                    logical_id: resource.to_owned(),
                    resource_type: decl.resource_type,
                    attribute: attribute.to_owned(),
                    location: location.clone(),
                });
            }
        }
        let created = self.created_resource(resource, location)?;
        created
            .attributes
            .get(attribute)
            .cloned()
            .ok_or_else(|| TemplateError::MissingAttribute {
                logical_id: resource.to_owned(),
                attribute: attribute.to_owned(),
                location: location.clone(),
            })
    }

    fn created_resource(
        &self,
        logical_id: &str,
        location: &Location,
    ) -> Result<&Created, TemplateError> {
        if self.context == Context::Conditions && self.template.resources.contains_key(logical_id) {
            return Err(TemplateError::invalid_intrinsic(
                "Ref",
                location,
                format!("conditions can refer to parameters only, not to resource `{logical_id}`"),
            ));
        }
        if let Some(created) = self.created.get(logical_id) {
            return Ok(created);
        }
        if self.template.resources.contains_key(logical_id) {
            // The plan orders every resource after those it refers to and refuses references to
            // resources that are not created, so this means a skipped resource reached from an
            // output or a bug in the dependency walk; either way, not silently empty.
            return Err(TemplateError::ReferenceToSkippedResource {
                logical_id: logical_id.to_owned(),
                location: location.clone(),
            });
        }
        Err(TemplateError::UnknownReference {
            name: logical_id.to_owned(),
            location: location.clone(),
        })
    }

    fn sub(&self, argument: &Value, location: &Location) -> Result<String, TemplateError> {
        let SubCall { text, variables } = sub_args(argument, location)?;
        let mut values = BTreeMap::new();
        for (name, value) in variables.into_iter().flatten() {
            let value_location = location.index(1).key(name);
            let text = self.resolve_string(Function::Sub, value, &value_location)?;
            values.insert(name.as_str(), text);
        }
        let mut out = String::with_capacity(text.len());
        for part in parse_sub(text, location)? {
            match part {
                SubPart::Literal(literal) => out.push_str(&literal),
                SubPart::Variable(name) => {
                    if let Some(value) = values.get(name) {
                        out.push_str(value);
                        continue;
                    }
                    let value = match sub_variable_attribute(name) {
                        Some((resource, attribute)) => {
                            Some(self.attribute(resource, attribute, location)?)
                        }
                        None => self.reference(name, location)?,
                    };
                    let text = value.as_ref().and_then(scalar_text).ok_or_else(|| {
                        TemplateError::invalid_intrinsic(
                            "Fn::Sub",
                            location,
                            format!("`${{{name}}}` is not a string"),
                        )
                    })?;
                    out.push_str(&text);
                }
            }
        }
        Ok(out)
    }

    fn resolve_string(
        &self,
        function: Function,
        value: &Value,
        location: &Location,
    ) -> Result<String, TemplateError> {
        self.resolve(value, location)?
            .as_ref()
            .and_then(scalar_text)
            .ok_or_else(|| {
                TemplateError::invalid_intrinsic(
                    function.long_name(),
                    location,
                    "expected a string",
                )
            })
    }

    fn resolve_list(
        &self,
        function: Function,
        value: &Value,
        location: &Location,
    ) -> Result<Vec<Value>, TemplateError> {
        match self.resolve(value, location)? {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(TemplateError::invalid_intrinsic(
                function.long_name(),
                location,
                "expected a list",
            )),
        }
    }
}

/// A scalar as text (CloudFormation passes numbers and booleans to string contexts as text).
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_sub, SubPart};
    use crate::location::Location;

    #[test]
    fn sub_strings_split_into_literals_and_variables() {
        let parts = parse_sub(
            "arn:${AWS::Partition}:s3:::${Bucket}/p/${!sub}/*",
            &Location::root(),
        )
        .unwrap();
        assert_eq!(
            parts,
            vec![
                SubPart::Literal("arn:".into()),
                SubPart::Variable("AWS::Partition"),
                SubPart::Literal(":s3:::".into()),
                SubPart::Variable("Bucket"),
                SubPart::Literal("/p/${sub}/*".into()),
            ]
        );
        assert_eq!(
            parse_sub("$ {x} $x", &Location::root()).unwrap(),
            vec![SubPart::Literal("$ {x} $x".into())]
        );
        assert_eq!(parse_sub("", &Location::root()).unwrap(), vec![]);
    }

    #[test]
    fn malformed_sub_strings_are_refused() {
        for text in ["${", "a ${b", "${}"] {
            let err = parse_sub(text, &Location::root()).unwrap_err();
            assert_eq!(err.code(), "invalid_intrinsic", "{text}");
        }
    }
}
