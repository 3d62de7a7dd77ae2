//! Creation order from explicit and implicit dependencies; cycles.

use cfn_template::{plan, Template, TemplateError};

use crate::support::{deploy_err, deploy_ok, inputs};

#[test]
fn resources_come_after_what_they_refer_to_whatever_their_names() {
    // Alphabetical order would be A, B, C, D; the references force D, C, B, A.
    let text = r#"
Resources:
  A:
    Type: AWS::S3::Bucket
    Properties:
      X: !Sub "${B}"
  B:
    Type: AWS::S3::Bucket
    Properties:
      X: !GetAtt C.Arn
  C:
    Type: AWS::S3::Bucket
    DependsOn: D
  D:
    Type: AWS::S3::Bucket
  E:
    Type: AWS::S3::Bucket
    Properties:
      X: !Sub ["${V}", {V: !Ref D}]
"#;
    let (recorder, deployment) = deploy_ok(text);
    assert_eq!(recorder.created_ids(), ["D", "C", "E", "B", "A"]);
    let order: Vec<_> = deployment
        .resources
        .iter()
        .map(|r| r.logical_id.as_str())
        .collect();
    assert_eq!(order, recorder.created_ids());
    assert_eq!(
        recorder.call("A").properties["X"],
        recorder.call("B").physical_id
    );
    assert_eq!(
        recorder.call("E").properties["X"],
        recorder.call("D").physical_id
    );

    let planned = plan(&Template::parse(text).unwrap(), &inputs()).unwrap();
    let a = planned
        .order()
        .iter()
        .find(|p| p.logical_id == "A")
        .unwrap();
    assert_eq!(a.depends_on.iter().collect::<Vec<_>>(), ["B"]);
}

#[test]
fn a_branch_not_taken_is_no_dependency() {
    let text = r#"
Conditions:
  Never: !Equals [a, b]
Resources:
  A:
    Type: AWS::S3::Bucket
    Properties:
      X: !If [Never, !Ref B, none]
  B:
    Type: AWS::S3::Bucket
    Properties:
      X: !Ref A
"#;
    let (recorder, _) = deploy_ok(text);
    assert_eq!(recorder.created_ids(), ["A", "B"]);
}

#[test]
fn cycles_are_refused_naming_the_resources_on_them() {
    let text = r#"
Resources:
  A:
    Type: AWS::S3::Bucket
    Properties: {X: !Ref B}
  B:
    Type: AWS::S3::Bucket
    Properties: {X: !Sub "${C.Arn}"}
  C:
    Type: AWS::S3::Bucket
    DependsOn: [A]
  Free:
    Type: AWS::S3::Bucket
"#;
    let (recorder, result) = crate::support::deploy_text(text, &inputs());
    let err = result.unwrap_err();
    assert!(
        matches!(&err, TemplateError::DependencyCycle { cycle } if cycle == &["A", "B", "C", "A"]),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "resources depend on each other in a cycle: A -> B -> C -> A"
    );
    assert!(
        recorder.calls.is_empty(),
        "nothing is created when the plan fails"
    );

    let self_reference =
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: {X: !GetAtt A.Arn}\n";
    assert!(
        matches!(deploy_err(self_reference), TemplateError::DependencyCycle { cycle } if cycle == ["A", "A"])
    );
}

#[test]
fn depends_on_must_name_created_resources() {
    let unknown = "Resources:\n  A: {Type: AWS::S3::Bucket, DependsOn: Ghost}\n";
    let err = deploy_err(unknown);
    assert!(
        matches!(&err, TemplateError::UnknownReference { name, location }
        if name == "Ghost" && location.as_str() == "Resources.A.DependsOn"),
        "{err}"
    );

    let skipped = r#"
Conditions:
  Never: !Equals [a, b]
Resources:
  A: {Type: AWS::S3::Bucket, DependsOn: B}
  B: {Type: AWS::S3::Bucket, Condition: Never}
"#;
    assert_eq!(deploy_err(skipped).code(), "reference_to_skipped_resource");
}
