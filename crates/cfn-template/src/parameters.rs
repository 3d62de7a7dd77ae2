//! Parameters: declarations, the values a deployment gives them, and the pseudo parameters.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::{Map, Value};

use crate::error::TemplateError;
use crate::location::Location;

/// What a deployment provides besides the template: the stack's name and place, and parameter
/// values (as strings, like `--parameter-overrides Key=Value`).
#[derive(Debug, Clone)]
pub struct StackInputs {
    /// `AWS::StackName`.
    pub stack_name: String,
    /// `AWS::Region`; `AWS::Partition` and `AWS::URLSuffix` follow from it.
    pub region: String,
    /// `AWS::AccountId` (twelve digits).
    pub account_id: String,
    /// Parameter values; parameters not named take their `Default`.
    pub parameters: BTreeMap<String, String>,
}

impl StackInputs {
    /// Inputs with no parameter values (every parameter takes its default).
    pub fn new(stack_name: &str, region: &str, account_id: &str) -> Self {
        Self {
            stack_name: stack_name.to_owned(),
            region: region.to_owned(),
            account_id: account_id.to_owned(),
            parameters: BTreeMap::new(),
        }
    }

    /// The same inputs with one more parameter value.
    #[must_use]
    pub fn with_parameter(mut self, name: &str, value: &str) -> Self {
        self.parameters.insert(name.to_owned(), value.to_owned());
        self
    }

    /// `aws`, `aws-cn` or `aws-us-gov`, from the region.
    pub fn partition(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }

    /// `amazonaws.com`, or `amazonaws.com.cn` in the China regions.
    pub fn url_suffix(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        }
    }
}

/// The pseudo parameters this evaluator does not provide; a reference to one is refused.
pub(crate) const UNSUPPORTED_PSEUDO_PARAMETERS: &[&str] =
    &["AWS::StackId", "AWS::NotificationARNs"];
/// `Ref: AWS::NoValue` removes the property (or list item) it stands for.
pub(crate) const NO_VALUE: &str = "AWS::NoValue";

/// The parameter types supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParameterType {
    String,
    Number,
    NumberList,
    CommaDelimitedList,
}

/// One entry of `Parameters`.
#[derive(Debug, Clone)]
pub(crate) struct ParameterDecl {
    parameter_type: ParameterType,
    default: Option<String>,
    allowed_values: Option<Vec<String>>,
    allowed_pattern: Option<Regex>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    min_value: Option<f64>,
    max_value: Option<f64>,
}

const PARAMETER_KEYS: &[&str] = &[
    "Type",
    "Default",
    "Description",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "MinLength",
    "MaxLength",
    "MinValue",
    "MaxValue",
    "NoEcho",
];

impl ParameterDecl {
    pub(crate) fn from_value(
        name: &str,
        decl: &Value,
        location: &Location,
    ) -> Result<Self, TemplateError> {
        let Value::Object(fields) = decl else {
            return Err(TemplateError::invalid(location, "a parameter is a mapping"));
        };
        if let Some(key) = fields
            .keys()
            .find(|k| !PARAMETER_KEYS.contains(&k.as_str()))
        {
            return Err(TemplateError::invalid(
                location,
                format!("unknown attribute `{key}`"),
            ));
        }
        let parameter_type = match fields.get("Type").and_then(Value::as_str) {
            Some("String") => ParameterType::String,
            Some("Number") => ParameterType::Number,
            Some("List<Number>") => ParameterType::NumberList,
            Some("CommaDelimitedList") => ParameterType::CommaDelimitedList,
            Some(other) => {
                return Err(TemplateError::UnsupportedParameterType {
                    parameter: name.to_owned(),
                    parameter_type: other.to_owned(),
                })
            }
            None => return Err(TemplateError::invalid(location, "`Type` must be a string")),
        };
        let allowed_pattern = match fields.get("AllowedPattern") {
            None => None,
            Some(Value::String(pattern)) => Some(
                // CloudFormation matches the whole value against the pattern.
                Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                    TemplateError::invalid(&location.key("AllowedPattern"), e.to_string())
                })?,
            ),
            Some(_) => {
                return Err(TemplateError::invalid(
                    &location.key("AllowedPattern"),
                    "must be a string",
                ))
            }
        };
        let allowed_values = match fields.get("AllowedValues") {
            None => None,
            Some(Value::Array(values)) => Some(
                values
                    .iter()
                    .map(scalar_text)
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        TemplateError::invalid(&location.key("AllowedValues"), "must be scalars")
                    })?,
            ),
            Some(_) => {
                return Err(TemplateError::invalid(
                    &location.key("AllowedValues"),
                    "must be a list",
                ))
            }
        };
        let default = match fields.get("Default") {
            None => None,
            Some(value) => Some(scalar_text(value).ok_or_else(|| {
                TemplateError::invalid(&location.key("Default"), "must be a scalar")
            })?),
        };
        Ok(Self {
            parameter_type,
            default,
            allowed_values,
            allowed_pattern,
            min_length: number_field(fields, "MinLength", location)?.map(|n| n as usize),
            max_length: number_field(fields, "MaxLength", location)?.map(|n| n as usize),
            min_value: number_field(fields, "MinValue", location)?,
            max_value: number_field(fields, "MaxValue", location)?,
        })
    }

    /// The value of this parameter for `Ref`: a string, or a list of strings for list types.
    fn resolve(&self, name: &str, given: Option<&str>) -> Result<Value, TemplateError> {
        let text = given.or(self.default.as_deref()).ok_or_else(|| {
            TemplateError::MissingParameterValue {
                parameter: name.to_owned(),
            }
        })?;
        match self.parameter_type {
            ParameterType::String | ParameterType::Number => {
                self.check_item(name, text)?;
                Ok(Value::String(text.to_owned()))
            }
            ParameterType::NumberList | ParameterType::CommaDelimitedList => {
                let items: Vec<&str> = if text.is_empty() {
                    Vec::new()
                } else if self.parameter_type == ParameterType::NumberList {
                    text.split(',').map(str::trim).collect()
                } else {
                    text.split(',').collect()
                };
                for item in &items {
                    self.check_item(name, item)?;
                }
                Ok(Value::Array(items.into_iter().map(Value::from).collect()))
            }
        }
    }

    /// Checks one value (or one list item) against the constraints.
    fn check_item(&self, name: &str, item: &str) -> Result<(), TemplateError> {
        let fail = |reason: String| TemplateError::InvalidParameterValue {
            parameter: name.to_owned(),
            reason,
        };
        if matches!(
            self.parameter_type,
            ParameterType::Number | ParameterType::NumberList
        ) {
            let number: f64 = item
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| fail("not a number".into()))?;
            if let Some(min) = self.min_value.filter(|min| number < *min) {
                return Err(fail(format!("less than MinValue {min}")));
            }
            if let Some(max) = self.max_value.filter(|max| number > *max) {
                return Err(fail(format!("greater than MaxValue {max}")));
            }
        }
        let length = item.chars().count();
        if let Some(min) = self.min_length.filter(|min| length < *min) {
            return Err(fail(format!("shorter than MinLength {min}")));
        }
        if let Some(max) = self.max_length.filter(|max| length > *max) {
            return Err(fail(format!("longer than MaxLength {max}")));
        }
        if let Some(allowed) = &self.allowed_values {
            if !allowed.iter().any(|a| a == item) {
                return Err(fail(format!(
                    "not one of AllowedValues [{}]",
                    allowed.join(", ")
                )));
            }
        }
        if let Some(pattern) = &self.allowed_pattern {
            if !pattern.is_match(item) {
                return Err(fail("does not match AllowedPattern".into()));
            }
        }
        Ok(())
    }
}

/// Every name `Ref` can resolve without a resource: the parameters with their values and the
/// pseudo parameters (`AWS::NoValue` excepted, which is handled where it is used).
pub(crate) fn resolve_parameters(
    decls: &BTreeMap<String, ParameterDecl>,
    inputs: &StackInputs,
) -> Result<BTreeMap<String, Value>, TemplateError> {
    if let Some(unknown) = inputs
        .parameters
        .keys()
        .find(|name| !decls.contains_key(*name))
    {
        return Err(TemplateError::UnknownParameter {
            parameter: unknown.clone(),
        });
    }
    let mut values = BTreeMap::new();
    for (name, decl) in decls {
        let given = inputs.parameters.get(name).map(String::as_str);
        values.insert(name.clone(), decl.resolve(name, given)?);
    }
    values.insert("AWS::Region".to_owned(), inputs.region.clone().into());
    values.insert(
        "AWS::AccountId".to_owned(),
        inputs.account_id.clone().into(),
    );
    values.insert(
        "AWS::StackName".to_owned(),
        inputs.stack_name.clone().into(),
    );
    values.insert("AWS::Partition".to_owned(), inputs.partition().into());
    values.insert("AWS::URLSuffix".to_owned(), inputs.url_suffix().into());
    Ok(values)
}

/// A scalar as CloudFormation sees it in parameter declarations: text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number_field(
    fields: &Map<String, Value>,
    key: &str,
    location: &Location,
) -> Result<Option<f64>, TemplateError> {
    match fields.get(key) {
        None => Ok(None),
        Some(value) => {
            let is_length = key.ends_with("Length");
            scalar_text(value)
                .and_then(|text| text.parse::<f64>().ok())
                .filter(|n| n.is_finite())
                .filter(|n| !is_length || (*n >= 0.0 && n.fract() == 0.0))
                .map(Some)
                .ok_or_else(|| {
                    let what = if is_length {
                        "a whole number"
                    } else {
                        "a number"
                    };
                    TemplateError::invalid(&location.key(key), format!("must be {what}"))
                })
        }
    }
}
