//! Stack outputs, in the shape `aws cloudformation describe-stacks` prints them.

use serde_json::{json, Value};

/// One stack output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackOutput {
    /// `OutputKey`.
    pub key: String,
    /// `OutputValue`.
    pub value: String,
    /// `Description`, if the template gives one.
    pub description: Option<String>,
}

/// A stack's outputs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StackOutputs(Vec<StackOutput>);

impl StackOutputs {
    /// Outputs from a list.
    pub fn new(outputs: Vec<StackOutput>) -> Self {
        Self(outputs)
    }

    /// The value of the output named `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.as_str())
    }

    /// Every output.
    pub fn iter(&self) -> impl Iterator<Item = &StackOutput> {
        self.0.iter()
    }

    /// The outputs as `describe-stacks --query 'Stacks[0].Outputs'` prints them:
    /// `[{"OutputKey", "OutputValue", "Description"}]`, so the local cloud can write the same
    /// file AWS gives and `coffer config from-stack` reads either.
    pub fn to_describe_stacks_json(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|o| {
                    let mut entry = json!({"OutputKey": o.key, "OutputValue": o.value});
                    if let Some(description) = &o.description {
                        entry["Description"] = description.clone().into();
                    }
                    entry
                })
                .collect(),
        )
    }

    /// Reads outputs from `describe-stacks` JSON: either the `Stacks[0].Outputs` list, or the
    /// whole response (`{"Stacks": [{"Outputs": […]}]}`) for a single stack. `None` if the
    /// value has neither shape.
    pub fn from_describe_stacks_json(value: &Value) -> Option<Self> {
        let list = match value {
            Value::Array(list) => list,
            Value::Object(response) => match response.get("Stacks")?.as_array()?.as_slice() {
                [stack] => stack.get("Outputs")?.as_array()?,
                _ => return None,
            },
            _ => return None,
        };
        list.iter()
            .map(|entry| {
                Some(StackOutput {
                    key: entry.get("OutputKey")?.as_str()?.to_owned(),
                    value: entry.get("OutputValue")?.as_str()?.to_owned(),
                    description: entry
                        .get("Description")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                })
            })
            .collect::<Option<Vec<_>>>()
            .map(Self)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{StackOutput, StackOutputs};

    #[test]
    fn describe_stacks_json_round_trips_and_the_full_response_is_accepted() {
        let outputs = StackOutputs::new(vec![
            StackOutput {
                key: "A".into(),
                value: "1".into(),
                description: Some("first".into()),
            },
            StackOutput {
                key: "B".into(),
                value: "2".into(),
                description: None,
            },
        ]);
        let list = outputs.to_describe_stacks_json();
        assert_eq!(
            list,
            json!([{"OutputKey": "A", "OutputValue": "1", "Description": "first"},
                   {"OutputKey": "B", "OutputValue": "2"}])
        );
        assert_eq!(
            StackOutputs::from_describe_stacks_json(&list),
            Some(outputs.clone())
        );
        let response = json!({"Stacks": [{"StackName": "s", "Outputs": list}]});
        assert_eq!(
            StackOutputs::from_describe_stacks_json(&response),
            Some(outputs)
        );
        assert_eq!(
            StackOutputs::from_describe_stacks_json(&json!({"Stacks": []})),
            None
        );
        assert_eq!(
            StackOutputs::from_describe_stacks_json(&json!([{"OutputKey": 1}])),
            None
        );
    }
}
