//! Parameter values: defaults, overrides, constraints.

use cfn_template::TemplateError;

use crate::support::{carrier, deploy_text, inputs};

const HEAD: &str = r#"
Parameters:
  Name:
    Type: String
    AllowedPattern: "[a-z]+"
    MinLength: 2
    MaxLength: 5
    Default: abc
  Size:
    Type: Number
    MinValue: 1
    MaxValue: 10
    Default: 3
  Mode:
    Type: String
    AllowedValues: ["OFF", "ON"]
    Default: "OFF"
  Ports:
    Type: List<Number>
    MaxValue: 65535
    Default: "80, 443"
  Words:
    Type: CommaDelimitedList
    Default: "a,b c"
  Required:
    Type: String
    NoEcho: true"#;

fn deploy_with(
    pairs: &[(&str, &str)],
) -> Result<serde_json::Map<String, serde_json::Value>, TemplateError> {
    let text = carrier(
        HEAD,
        "      Name: !Ref Name\n      Size: !Ref Size\n      Mode: !Ref Mode\n      Ports: !Ref Ports\n      Words: !Ref Words\n      Required: !Ref Required",
    );
    let mut stack = inputs();
    for (name, value) in pairs {
        stack = stack.with_parameter(name, value);
    }
    let (recorder, result) = deploy_text(&text, &stack);
    result.map(|_| recorder.call("Carrier").properties.clone())
}

fn reason(err: TemplateError) -> (String, String) {
    match err {
        TemplateError::InvalidParameterValue { parameter, reason } => (parameter, reason),
        other => panic!("expected InvalidParameterValue, got {other}"),
    }
}

#[test]
fn defaults_apply_and_given_values_override_them() {
    let p = deploy_with(&[("Required", "s3cret")]).unwrap();
    assert_eq!(p["Name"], "abc");
    assert_eq!(
        p["Size"], "3",
        "Ref of a Number parameter is a string, as in CloudFormation"
    );
    assert_eq!(p["Mode"], "OFF");
    assert_eq!(p["Ports"], serde_json::json!(["80", "443"]));
    assert_eq!(p["Words"], serde_json::json!(["a", "b c"]));
    assert_eq!(p["Required"], "s3cret");
    let p = deploy_with(&[
        ("Required", "x"),
        ("Name", "zz"),
        ("Size", "10"),
        ("Ports", "1"),
    ])
    .unwrap();
    assert_eq!(
        (p["Name"].as_str(), p["Size"].as_str()),
        (Some("zz"), Some("10"))
    );
    assert_eq!(p["Ports"], serde_json::json!(["1"]));
}

#[test]
fn constraints_are_enforced_without_echoing_values() {
    // (parameter values, parameter at fault, constraint named in the reason)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (&[("Name", "ABC")], "Name", "AllowedPattern"),
        (&[("Name", "abcabc")], "Name", "MaxLength"),
        (&[("Name", "a")], "Name", "MinLength"),
        (&[("Size", "0")], "Size", "MinValue"),
        (&[("Size", "11")], "Size", "MaxValue"),
        (&[("Size", "seven")], "Size", "not a number"),
        (&[("Mode", "on")], "Mode", "AllowedValues"),
        (&[("Ports", "80,70000")], "Ports", "MaxValue"),
        (&[("Ports", "80,http")], "Ports", "not a number"),
    ];
    for (pairs, parameter, constraint) in cases {
        let mut all = vec![("Required", "s3cret")];
        all.extend_from_slice(pairs);
        let err = deploy_with(&all).unwrap_err();
        let message = err.to_string();
        assert!(!message.contains("s3cret"));
        for (_, value) in pairs.iter().filter(|(_, value)| value.len() >= 4) {
            assert!(
                !message.contains(value),
                "the value is not echoed: {message}"
            );
        }
        let (name, why) = reason(err);
        assert_eq!(&name, parameter);
        assert!(why.contains(constraint), "{why}");
    }
}

#[test]
fn missing_unknown_and_unsupported_parameters_are_refused() {
    assert!(
        matches!(deploy_with(&[]), Err(TemplateError::MissingParameterValue { parameter }) if parameter == "Required")
    );
    assert!(matches!(deploy_with(&[("Required", "x"), ("Typo", "y")]),
        Err(TemplateError::UnknownParameter { parameter }) if parameter == "Typo"));
    let ssm = carrier(
        "Parameters:\n  P: {Type: 'AWS::SSM::Parameter::Value<String>'}",
        "      A: 1",
    );
    let err = deploy_text(&ssm, &inputs()).1.unwrap_err();
    assert!(
        matches!(&err, TemplateError::UnsupportedParameterType { parameter, parameter_type }
        if parameter == "P" && parameter_type == "AWS::SSM::Parameter::Value<String>"),
        "{err}"
    );
}
