//! Template text to a JSON value, with YAML short-form functions turned into their long form.
//!
//! CloudFormation's YAML short forms are sugar: `!Sub "x"` means `{"Fn::Sub": "x"}`, `!Ref X`
//! means `{"Ref": "X"}`, and `!GetAtt A.B` means `{"Fn::GetAtt": ["A", "B"]}`. Rewriting them
//! here lets the evaluator handle one representation for YAML and JSON templates alike.
//! Short forms of functions the evaluator does not implement (`!Base64`, `!ImportValue`, …) are
//! rewritten too and refused later with their location, like their long forms.
//!
//! Limitation: with YAML, a key repeated in one mapping keeps its last value (the YAML loader
//! merges them before this module sees the mapping); `cfn-lint` in CI reports duplicates.

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Number, Value};

use crate::error::TemplateError;
use crate::location::Location;

/// Parses a template, JSON if its first non-blank character is `{`, YAML otherwise.
pub(crate) fn parse_template_text(text: &str) -> Result<Value, TemplateError> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| TemplateError::Syntax {
            format: "JSON",
            message: e.to_string(),
        })
    } else {
        yaml_to_json(text)
    }
}

fn yaml_to_json(text: &str) -> Result<Value, TemplateError> {
    let documents = Yaml::load_from_str(text).map_err(|e| TemplateError::Syntax {
        format: "YAML",
        message: e.to_string(),
    })?;
    match documents.as_slice() {
        [document] => convert(document, &Location::root()),
        [] => Err(TemplateError::invalid(
            &Location::root(),
            "the template is empty",
        )),
        _ => Err(TemplateError::invalid(
            &Location::root(),
            "the template holds more than one YAML document",
        )),
    }
}

/// Deeper nesting than any real template has; refusing it keeps the recursive evaluation
/// within a small, fixed stack (JSON templates get the same limit from `serde_json`).
const MAX_DEPTH: usize = 128;

fn convert(node: &Yaml<'_>, location: &Location) -> Result<Value, TemplateError> {
    convert_at(node, location, 0)
}

fn convert_at(node: &Yaml<'_>, location: &Location, depth: usize) -> Result<Value, TemplateError> {
    if depth > MAX_DEPTH {
        return Err(TemplateError::invalid(location, "nested too deeply"));
    }
    let child = |node: &Yaml<'_>, location: &Location| convert_at(node, location, depth + 1);
    match node {
        Yaml::Value(scalar) => scalar_to_json(scalar, location),
        Yaml::Representation(text, style, tag) => {
            match Scalar::parse_from_cow_and_metadata(text.clone(), *style, tag.as_ref()) {
                Some(scalar) => scalar_to_json(&scalar, location),
                None => Err(TemplateError::invalid(
                    location,
                    "a scalar does not match its tag",
                )),
            }
        }
        Yaml::Sequence(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| child(item, &location.index(i)))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Yaml::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = mapping_key(key, location)?;
                let converted = child(value, &location.key(&key))?;
                if object.insert(key.clone(), converted).is_some() {
                    return Err(TemplateError::invalid(
                        location,
                        format!("duplicate key `{key}`"),
                    ));
                }
            }
            Ok(Value::Object(object))
        }
        Yaml::Tagged(tag, inner) if tag.is_yaml_core_schema() => child(inner, location),
        Yaml::Tagged(tag, inner) if tag.handle == "!" => {
            short_form(&tag.suffix, inner, location, depth + 1)
        }
        Yaml::Tagged(tag, _) => Err(TemplateError::UnsupportedYamlTag {
            tag: format!("{}{}", tag.handle, tag.suffix),
            location: location.clone(),
        }),
        // The loader replaces aliases by copies of their anchored nodes; one left over names an
        // anchor that does not exist.
        Yaml::Alias(_) => Err(TemplateError::UnsupportedFeature {
            feature: "YAML alias".to_owned(),
            location: location.clone(),
        }),
        Yaml::BadValue => Err(TemplateError::invalid(
            location,
            "a scalar does not match its tag",
        )),
    }
}

/// `!Name value` to `{"Fn::Name": value}` (`{"Ref": …}` and `{"Condition": …}` for those two).
fn short_form(
    name: &str,
    inner: &Yaml<'_>,
    location: &Location,
    depth: usize,
) -> Result<Value, TemplateError> {
    let long_name = match name {
        "Ref" | "Condition" => name.to_owned(),
        _ => format!("Fn::{name}"),
    };
    let argument_location = location.key(&long_name);
    let mut argument = convert_at(inner, &argument_location, depth)?;
    if name == "GetAtt" {
        // `!GetAtt Resource.Attribute`: the resource is before the first dot, the attribute
        // (which may itself contain dots, e.g. `Endpoint.Address`) after it.
        if let Value::String(text) = &argument {
            let Some((resource, attribute)) = text.split_once('.') else {
                return Err(TemplateError::invalid_intrinsic(
                    "Fn::GetAtt",
                    location,
                    "the short form must be `Resource.Attribute`",
                ));
            };
            argument = Value::Array(vec![resource.into(), attribute.into()]);
        }
    }
    let mut object = Map::new();
    object.insert(long_name, argument);
    Ok(Value::Object(object))
}

fn mapping_key(key: &Yaml<'_>, location: &Location) -> Result<String, TemplateError> {
    match key {
        Yaml::Value(Scalar::String(text)) => Ok(text.to_string()),
        Yaml::Value(Scalar::Integer(n)) => Ok(n.to_string()),
        Yaml::Value(Scalar::Boolean(b)) => Ok(b.to_string()),
        _ => Err(TemplateError::invalid(
            location,
            "mapping keys must be strings",
        )),
    }
}

fn scalar_to_json(scalar: &Scalar<'_>, location: &Location) -> Result<Value, TemplateError> {
    Ok(match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(n) => Value::Number((*n).into()),
        Scalar::FloatingPoint(f) => match Number::from_f64(f.into_inner()) {
            Some(number) => Value::Number(number),
            None => {
                return Err(TemplateError::invalid(
                    location,
                    "NaN and infinities are not allowed",
                ))
            }
        },
        Scalar::String(text) => Value::String(text.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse_template_text;

    #[test]
    fn short_forms_become_long_forms() {
        let yaml = r#"
A: !Ref Name
B: !GetAtt Res.Attr.Nested
C: !Sub "x-${AWS::Region}"
D: !Join [",", [a, !Ref L]]
E: !Condition IsProd
F: !If [Cond, 1, 2.5]
G: plain
H: true
"#;
        let value = parse_template_text(yaml).unwrap();
        assert_eq!(
            value,
            json!({
                "A": {"Ref": "Name"},
                "B": {"Fn::GetAtt": ["Res", "Attr.Nested"]},
                "C": {"Fn::Sub": "x-${AWS::Region}"},
                "D": {"Fn::Join": [",", ["a", {"Ref": "L"}]]},
                "E": {"Condition": "IsProd"},
                "F": {"Fn::If": ["Cond", 1, 2.5]},
                "G": "plain",
                "H": true,
            })
        );
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let value = parse_template_text("A: '2012-10-17'\nB: \"OFF\"\nC: 'true'\nD: '7'").unwrap();
        assert_eq!(
            value,
            json!({"A": "2012-10-17", "B": "OFF", "C": "true", "D": "7"})
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("A: {}1{}", "[".repeat(200), "]".repeat(200));
        let err = parse_template_text(&deep).unwrap_err();
        assert!(
            matches!(err.code(), "invalid_template" | "template_syntax"),
            "{err}"
        );
        let fine = format!("A: {}1{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_template_text(&fine).is_ok());
    }

    #[test]
    fn json_templates_parse_as_json() {
        let value = parse_template_text(r#" {"Resources": {"A": {"Ref": "B"}}}"#).unwrap();
        assert_eq!(value, json!({"Resources": {"A": {"Ref": "B"}}}));
    }

    #[test]
    fn foreign_tags_aliases_and_bad_syntax_are_refused() {
        let err = parse_template_text("A: !<tag:example.com,2000:x> 1").unwrap_err();
        assert_eq!(err.code(), "unsupported_yaml_tag");
        // Anchors and aliases are YAML, which CloudFormation reads too: the alias is a copy.
        let value = parse_template_text("A: &anchor [1, !Ref X]\nB: *anchor").unwrap();
        assert_eq!(
            value,
            json!({"A": [1, {"Ref": "X"}], "B": [1, {"Ref": "X"}]})
        );
        let err = parse_template_text("A: [1, 2").unwrap_err();
        assert_eq!(err.code(), "template_syntax");
        let err = parse_template_text("A: !GetAtt NoDot").unwrap_err();
        assert_eq!(err.code(), "invalid_intrinsic");
    }
}
