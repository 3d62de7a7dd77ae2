//! Each intrinsic function, observed through the properties a provisioner receives.

use serde_json::json;

use crate::support::{carrier, deploy_ok, has_intrinsic};

const TWO_RESOURCES: &str = r#"
Parameters:
  Name: {Type: String, Default: coffer}
  Ports: {Type: List<Number>, Default: "1,22"}
Mappings:
  Sizes:
    us-east-1: {Small: 1, Big: "9"}
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Carrier:
    Type: AWS::S3::Bucket
    Properties:
"#;

fn carrier_properties(properties: &str) -> serde_json::Map<String, serde_json::Value> {
    let (recorder, _) = deploy_ok(&format!("{TWO_RESOURCES}{properties}\n"));
    let properties = recorder.call("Carrier").properties.clone();
    assert!(!has_intrinsic(&properties.clone().into()), "{properties:?}");
    properties
}

#[test]
fn ref_gives_parameters_pseudo_parameters_and_physical_ids() {
    let p = carrier_properties(
        r#"
      A: !Ref Name
      B: !Ref Ports
      C: [!Ref AWS::Region, !Ref AWS::AccountId, !Ref AWS::StackName, !Ref AWS::Partition, !Ref AWS::URLSuffix]
      D: !Ref Pool
      E: {Ref: Name}"#,
    );
    assert_eq!(p["A"], "coffer");
    assert_eq!(p["B"], json!(["1", "22"]));
    assert_eq!(
        p["C"],
        json!(["us-east-1", "123456789012", "stack", "aws", "amazonaws.com"])
    );
    assert_eq!(p["D"], "us-east-1_Pool0");
    assert_eq!(p["E"], "coffer");
}

#[test]
fn partition_and_url_suffix_follow_the_region() {
    let text = carrier("", "      A: !Sub '${AWS::Partition} ${AWS::URLSuffix}'");
    let mut inputs = crate::support::inputs();
    inputs.region = "cn-north-1".into();
    let (recorder, result) = crate::support::deploy_text(&text, &inputs);
    result.unwrap();
    assert_eq!(
        recorder.call("Carrier").properties["A"],
        "aws-cn amazonaws.com.cn"
    );
}

#[test]
fn getatt_in_short_long_and_string_forms() {
    let p = carrier_properties(
        r#"
      A: !GetAtt Pool.ProviderName
      B: {"Fn::GetAtt": [Pool, Arn]}
      C: !GetAtt [Pool, UserPoolId]"#,
    );
    assert_eq!(
        p["A"],
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool0"
    );
    assert_eq!(
        p["B"],
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool0"
    );
    assert_eq!(p["C"], "us-east-1_Pool0");
}

#[test]
fn sub_string_form_resolves_names_and_attributes_and_keeps_escapes_literal() {
    let p = carrier_properties(
        r#"
      A: !Sub "arn:${AWS::Partition}:s3:::${Name}/private/${!cognito-identity.amazonaws.com:sub}/*"
      B: !Sub "${Pool}|${Pool.ProviderName}|$x|${!}"
      C: !Sub "no variables""#,
    );
    assert_eq!(
        p["A"],
        "arn:aws:s3:::coffer/private/${cognito-identity.amazonaws.com:sub}/*"
    );
    assert_eq!(
        p["B"],
        "us-east-1_Pool0|cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool0|$x|${}"
    );
    assert_eq!(p["C"], "no variables");
}

#[test]
fn sub_list_form_variables_are_evaluated_and_shadow_template_names() {
    let p = carrier_properties(
        r#"
      A: !Sub
        - "${Name}-${Joined}-${Pool}-${AWS::Region}"
        - Name: shadowed
          Joined: !Join ["+", !Ref Ports]"#,
    );
    assert_eq!(p["A"], "shadowed-1+22-us-east-1_Pool0-us-east-1");
}

#[test]
fn join_split_and_select() {
    let p = carrier_properties(
        r#"
      A: !Join ["", ["a", !Ref Name, "b"]]
      B: !Join [",", !Ref Ports]
      C: !Split [",", "x,,y"]
      D: !Select [1, !Split ["/", !GetAtt Pool.ProviderName]]
      E: !Select ["0", !Ref Ports]
      F: !Join ["-", []]"#,
    );
    assert_eq!(p["A"], "acofferb");
    assert_eq!(p["B"], "1,22");
    assert_eq!(p["C"], json!(["x", "", "y"]));
    assert_eq!(p["D"], "us-east-1_Pool0");
    assert_eq!(p["E"], "1");
    assert_eq!(p["F"], "");
}

#[test]
fn find_in_map_reads_mappings_with_evaluated_keys() {
    let p = carrier_properties(
        r#"
      A: !FindInMap [Sizes, !Ref AWS::Region, Small]
      B: !FindInMap [Sizes, us-east-1, Big]"#,
    );
    assert_eq!(p["A"], 1);
    assert_eq!(p["B"], "9");
}

#[test]
fn if_picks_a_branch_and_no_value_removes_properties_and_list_items() {
    let text = r#"
Parameters:
  Flag: {Type: String, Default: "yes"}
Conditions:
  On: !Equals [!Ref Flag, "yes"]
  Off: !Not [!Condition On]
Resources:
  Carrier:
    Type: AWS::S3::Bucket
    Properties:
      A: !If [On, chosen, other]
      B: !If [Off, other, !Ref AWS::NoValue]
      C: [one, !If [Off, two, !Ref AWS::NoValue], three]
      D: !Ref AWS::NoValue
      E: {Nested: !If [On, [1, 2], !Ref AWS::NoValue]}
"#;
    let (recorder, _) = deploy_ok(text);
    let p = &recorder.call("Carrier").properties;
    assert_eq!(
        serde_json::Value::Object(p.clone()),
        json!({"A": "chosen", "C": ["one", "three"], "E": {"Nested": [1, 2]}})
    );
}

#[test]
fn json_and_yaml_forms_of_a_template_deploy_the_same() {
    let yaml = r#"
Parameters:
  Name: {Type: String, Default: coffer}
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: !Sub "${Name}-users"
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Pool
      Provider: !GetAtt Pool.ProviderName
Outputs:
  ClientId: {Value: !Ref Client}
"#;
    let json = r#"{
  "Parameters": {"Name": {"Type": "String", "Default": "coffer"}},
  "Resources": {
    "Pool": {"Type": "AWS::Cognito::UserPool",
             "Properties": {"UserPoolName": {"Fn::Sub": "${Name}-users"}}},
    "Client": {"Type": "AWS::Cognito::UserPoolClient",
               "Properties": {"UserPoolId": {"Ref": "Pool"},
                              "Provider": {"Fn::GetAtt": ["Pool", "ProviderName"]}}}
  },
  "Outputs": {"ClientId": {"Value": {"Ref": "Client"}}}
}"#;
    let (yaml_recorder, yaml_deployment) = deploy_ok(yaml);
    let (json_recorder, json_deployment) = deploy_ok(json);
    let summary = |r: &crate::support::Recorder| {
        r.calls
            .iter()
            .map(|c| (c.logical_id.clone(), c.properties.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(summary(&yaml_recorder), summary(&json_recorder));
    assert_eq!(yaml_deployment.outputs, json_deployment.outputs);
    assert_eq!(yaml_deployment.outputs.get("ClientId"), Some("client1"));
    assert_eq!(
        yaml_recorder.call("Pool").properties["UserPoolName"],
        "coffer-users"
    );
}
