//! The Conditions section, and conditions on resources and outputs.

use cfn_template::{plan, Template, TemplateError};

use crate::support::{deploy_err, deploy_text, inputs};

const CONDITIONS: &str = r#"
Parameters:
  Env: {Type: String, Default: prod, AllowedValues: [prod, dev]}
  Count: {Type: Number, Default: 7}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  CountIsSeven: !Equals [7, !Ref Count]
  Both: !And [!Condition IsProd, !Condition CountIsSeven]
  Either: !Or [!Condition IsDev, !Equals [!Ref AWS::Region, "eu-west-1"]]
  Nested: !Not [!And [!Condition IsDev, !Or [!Condition Both, !Condition Either]]]
Resources:
  ProdOnly:
    Type: AWS::S3::Bucket
    Condition: IsProd
  DevOnly:
    Type: AWS::S3::Bucket
    Condition: IsDev
Outputs:
  DevBucket:
    Condition: IsDev
    Value: !Ref DevOnly
  Always:
    Value: !If [IsProd, !Ref ProdOnly, !Ref DevOnly]
"#;

fn conditions_for(env: &str) -> std::collections::BTreeMap<String, bool> {
    let template = Template::parse(CONDITIONS).unwrap();
    plan(&template, &inputs().with_parameter("Env", env))
        .unwrap()
        .conditions()
        .clone()
}

#[test]
fn condition_functions_combine_and_compare_scalars_as_text() {
    let prod = conditions_for("prod");
    assert!(prod["IsProd"] && !prod["IsDev"]);
    assert!(prod["CountIsSeven"], "7 and \"7\" are equal");
    assert!(prod["Both"] && !prod["Either"] && prod["Nested"]);
    let dev = conditions_for("dev");
    assert!(!dev["IsProd"] && dev["IsDev"] && !dev["Both"] && dev["Either"]);
    assert!(!dev["Nested"]);
}

#[test]
fn resources_and_outputs_follow_their_conditions() {
    let (recorder, result) = deploy_text(CONDITIONS, &inputs());
    let deployment = result.unwrap();
    assert_eq!(recorder.created_ids(), ["ProdOnly"]);
    assert_eq!(
        deployment.outputs.get("Always"),
        Some(recorder.call("ProdOnly").physical_id.as_str())
    );
    assert_eq!(deployment.outputs.get("DevBucket"), None);

    let (recorder, result) = deploy_text(CONDITIONS, &inputs().with_parameter("Env", "dev"));
    let deployment = result.unwrap();
    assert_eq!(recorder.created_ids(), ["DevOnly"]);
    let dev_bucket = recorder.call("DevOnly").physical_id.as_str();
    assert_eq!(deployment.outputs.get("DevBucket"), Some(dev_bucket));
    assert_eq!(deployment.outputs.get("Always"), Some(dev_bucket));
}

#[test]
fn a_reference_to_a_skipped_resource_outside_if_is_refused() {
    let text = CONDITIONS.replace(
        "Value: !If [IsProd, !Ref ProdOnly, !Ref DevOnly]",
        "Value: !Ref DevOnly",
    );
    let err = deploy_err(&text);
    assert!(
        matches!(&err, TemplateError::ReferenceToSkippedResource { logical_id, location }
            if logical_id == "DevOnly" && location.as_str() == "Outputs.Always.Value.Ref"),
        "{err}"
    );
}

#[test]
fn condition_cycles_unknown_conditions_and_resource_references_are_refused() {
    let cycle = r#"
Conditions:
  A: !Not [!Condition B]
  B: !And [!Condition C, !Equals [x, x]]
  C: !Condition A
Resources:
  R: {Type: AWS::S3::Bucket}
"#;
    let err = deploy_err(cycle);
    assert!(
        matches!(&err, TemplateError::ConditionCycle { cycle } if cycle == &["A", "B", "C", "A"]),
        "{err}"
    );

    let unknown =
        "Conditions:\n  A: !Condition Missing\nResources:\n  R: {Type: AWS::S3::Bucket}\n";
    assert!(
        matches!(deploy_err(unknown), TemplateError::UnknownCondition { name, .. } if name == "Missing")
    );

    let on_resource = "Resources:\n  R: {Type: AWS::S3::Bucket, Condition: Nope}\n";
    assert!(
        matches!(deploy_err(on_resource), TemplateError::UnknownCondition { name, .. } if name == "Nope")
    );

    let if_unknown = crate::support::carrier("", "      A: !If [Nope, 1, 2]");
    assert_eq!(deploy_err(&if_unknown).code(), "unknown_condition");

    let refers_to_resource = r#"
Conditions:
  A: !Equals [!Ref R, x]
Resources:
  R: {Type: AWS::S3::Bucket}
"#;
    let err = deploy_err(refers_to_resource);
    assert_eq!(err.code(), "invalid_intrinsic", "{err}");
    assert!(
        err.to_string().contains("Conditions.A.Fn::Equals[0]"),
        "{err}"
    );

    let equals_in_resource = crate::support::carrier("", "      A: !Equals [1, 1]");
    let err = deploy_err(&equals_in_resource);
    assert_eq!(err.code(), "invalid_intrinsic", "{err}");
    assert!(err.to_string().contains("Fn::Equals"), "{err}");
}
