//! Unsupported and invalid templates fail with typed errors naming what and where.

use cfn_template::{ResourceType, TemplateError};

use crate::support::{carrier, deploy_err, deploy_text, inputs, Recorder};

#[test]
fn unsupported_resource_types_are_named() {
    let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n";
    let err = deploy_err(text);
    assert!(
        matches!(&err, TemplateError::UnsupportedResourceType { logical_id, resource_type, .. }
        if logical_id == "Fn" && resource_type == "AWS::Lambda::Function"),
        "{err}"
    );
    assert!(
        err.to_string().contains("AWS::S3::Bucket"),
        "the message lists what is supported: {err}"
    );
    assert_eq!(err.code(), "unsupported_resource_type");
}

#[test]
fn unsupported_intrinsics_are_named_with_their_location_in_either_form() {
    let short = carrier("", "      Tags:\n        - Value: !Base64 text");
    let err = deploy_err(&short);
    assert!(
        matches!(&err, TemplateError::UnsupportedIntrinsic { function, location }
        if function == "Fn::Base64" && location.as_str() == "Resources.Carrier.Properties.Tags[0].Value"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "unsupported intrinsic function `Fn::Base64` at Resources.Carrier.Properties.Tags[0].Value"
    );

    let long = carrier("", "      A: {\"Fn::ImportValue\": shared}");
    assert!(
        matches!(deploy_err(&long), TemplateError::UnsupportedIntrinsic { function, .. } if function == "Fn::ImportValue")
    );

    // Also inside a branch not taken, so the failure does not depend on parameter values.
    let hidden = carrier(
        "Conditions:\n  Never: !Equals [a, b]",
        "      A: !If [Never, !GetAZs '', x]",
    );
    assert!(
        matches!(deploy_err(&hidden), TemplateError::UnsupportedIntrinsic { function, .. } if function == "Fn::GetAZs")
    );

    let in_output =
        "Resources:\n  R: {Type: AWS::S3::Bucket}\nOutputs:\n  O: {Value: !Cidr [a, 1, 2]}\n";
    let err = deploy_err(in_output);
    assert!(
        matches!(&err, TemplateError::UnsupportedIntrinsic { location, .. } if location.as_str() == "Outputs.O.Value"),
        "{err}"
    );
}

#[test]
fn unsupported_template_features_are_named() {
    let transform =
        "Transform: AWS::LanguageExtensions\nResources:\n  R: {Type: AWS::S3::Bucket}\n";
    assert!(
        matches!(deploy_err(transform), TemplateError::UnsupportedFeature { feature, .. } if feature == "Transform")
    );
    let export =
        "Resources:\n  R: {Type: AWS::S3::Bucket}\nOutputs:\n  O: {Value: x, Export: {Name: y}}\n";
    assert!(
        matches!(deploy_err(export), TemplateError::UnsupportedFeature { feature, .. } if feature == "Export")
    );
    let creation_policy = "Resources:\n  R: {Type: AWS::S3::Bucket, CreationPolicy: {}}\n";
    assert!(
        matches!(deploy_err(creation_policy), TemplateError::UnsupportedFeature { feature, .. } if feature == "CreationPolicy")
    );
    let stack_id = carrier("", "      A: !Ref AWS::StackId");
    assert!(
        matches!(deploy_err(&stack_id), TemplateError::UnsupportedPseudoParameter { name, .. } if name == "AWS::StackId")
    );
    let in_sub = carrier("", "      A: !Sub '${AWS::NotificationARNs}'");
    assert_eq!(deploy_err(&in_sub).code(), "unsupported_pseudo_parameter");
}

#[test]
fn unknown_names_and_attributes_are_refused() {
    let unknown = carrier("", "      A: !Sub 'x-${Nothing}'");
    assert!(
        matches!(deploy_err(&unknown), TemplateError::UnknownReference { name, .. } if name == "Nothing")
    );
    let attribute = carrier("", "      A: !GetAtt Carrier.Nope");
    let err = deploy_err(&attribute);
    assert!(
        matches!(&err, TemplateError::UnknownAttribute { logical_id, resource_type: ResourceType::S3Bucket, attribute, .. }
        if logical_id == "Carrier" && attribute == "Nope"),
        "{err}"
    );
    let unknown_section = "Resource:\n  R: {Type: AWS::S3::Bucket}\n";
    assert_eq!(deploy_err(unknown_section).code(), "invalid_template");
    assert_eq!(deploy_err("Parameters: {}\n").code(), "invalid_template");
    let name_clash =
        "Parameters:\n  R: {Type: String, Default: x}\nResources:\n  R: {Type: AWS::S3::Bucket}\n";
    assert_eq!(deploy_err(name_clash).code(), "invalid_template");
}

#[test]
fn malformed_calls_are_refused_before_anything_is_created() {
    let text = r#"
Resources:
  First: {Type: AWS::S3::Bucket}
  Second:
    Type: AWS::S3::Bucket
    Properties:
      A: !Join [",", "not a list", extra]
"#;
    let (recorder, result) = deploy_text(text, &inputs());
    let err = result.unwrap_err();
    assert!(
        matches!(&err, TemplateError::InvalidIntrinsic { function, .. } if function == "Fn::Join"),
        "{err}"
    );
    assert!(recorder.calls.is_empty());

    for (properties, function) in [
        ("      A: !Select [5, [a, b]]", "Fn::Select"),
        ("      A: !Join [\",\", [[nested]]]", "Fn::Join"),
        ("      A: !Sub [\"${X}\", {X: [a]}]", "Fn::Sub"),
        ("      A: !Split [\"\", abc]", "Fn::Split"),
        ("      A: !FindInMap [Missing, a, b]", "Fn::FindInMap"),
        ("      A: !Sub 'unclosed ${'", "Fn::Sub"),
        ("      A: !Ref [list]", "Ref"),
    ] {
        let err = deploy_err(&carrier("", properties));
        assert!(
            matches!(&err, TemplateError::InvalidIntrinsic { function: f, .. } if f == function),
            "{properties}: {err}"
        );
    }
}

#[test]
fn provisioner_failures_and_missing_attributes_name_the_resource() {
    let text = r#"
Resources:
  Pool: {Type: AWS::Cognito::UserPool}
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties: {UserPoolId: !Ref Pool, P: !GetAtt Pool.ProviderName}
"#;
    let template = cfn_template::Template::parse(text).unwrap();
    let mut failing = Recorder {
        fail_on: Some("Client".into()),
        ..Recorder::default()
    };
    let err = cfn_template::deploy(&template, &inputs(), &mut failing).unwrap_err();
    assert!(
        matches!(&err, TemplateError::Provision { logical_id, resource_type: ResourceType::CognitoUserPoolClient, .. }
        if logical_id == "Client"),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "creating `Client` (AWS::Cognito::UserPoolClient) failed: the emulator is out of ids"
    );
    assert_eq!(
        failing.created_ids(),
        ["Pool"],
        "no rollback: what was created stays"
    );

    let mut withholding = Recorder {
        withhold_attribute: Some("ProviderName".into()),
        ..Recorder::default()
    };
    let err = cfn_template::deploy(&template, &inputs(), &mut withholding).unwrap_err();
    assert!(
        matches!(&err, TemplateError::MissingAttribute { logical_id, attribute, .. }
        if logical_id == "Pool" && attribute == "ProviderName"),
        "{err}"
    );
}
