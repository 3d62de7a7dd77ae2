//! Typed reading of evaluated resource properties, for provisioners.
//!
//! CloudFormation hands resource handlers properties whose scalars may be strings where the
//! resource expects a number or a boolean (`Ref` of a `Number` parameter is `"7"`), and converts
//! them by the property's type. [`Properties`] does the same conversions, and names the full
//! property path in its errors so a provisioner's failure points at the template.

use serde_json::{Map, Value};

use crate::error::ProvisionError;

/// A read-only view of a resource's (or a nested property's) evaluated properties.
#[derive(Debug, Clone)]
pub struct Properties<'a> {
    map: &'a Map<String, Value>,
    /// Where this mapping is, for nested views (`Policies.PasswordPolicy`).
    path: Option<String>,
}

impl<'a> Properties<'a> {
    /// A view of a resource's properties (as given to [`crate::Provisioner::create`]).
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self { map, path: None }
    }

    fn name(&self, key: &str) -> String {
        match &self.path {
            Some(path) => format!("{path}.{key}"),
            None => key.to_owned(),
        }
    }

    fn wrong_type(&self, key: &str, expected: &str) -> ProvisionError {
        ProvisionError::new(format!("property `{}` must be {expected}", self.name(key)))
    }

    /// Whether the property is present.
    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Refuses properties outside `supported`, so a provisioner never silently ignores a
    /// setting it does not emulate.
    pub fn only(&self, supported: &[&str]) -> Result<(), ProvisionError> {
        match self.map.keys().find(|k| !supported.contains(&k.as_str())) {
            None => Ok(()),
            Some(key) => Err(ProvisionError::new(format!(
                "property `{}` is not supported here",
                self.name(key)
            ))),
        }
    }

    /// A string property; numbers and booleans are read as their text, as CloudFormation does.
    pub fn string(&self, key: &str) -> Result<Option<String>, ProvisionError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    /// A string property that must be present.
    pub fn required_string(&self, key: &str) -> Result<String, ProvisionError> {
        self.string(key)?.ok_or_else(|| {
            ProvisionError::new(format!("property `{}` is required", self.name(key)))
        })
    }

    /// A boolean property: `true`/`false`, or the strings `"true"`/`"false"` (any case).
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, ProvisionError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(text)) if text.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(self.wrong_type(key, "true or false")),
        }
    }

    /// A whole-number property: a JSON integer or a string holding one.
    pub fn integer(&self, key: &str) -> Result<Option<i64>, ProvisionError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, "a whole number")),
            Some(Value::String(text)) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.wrong_type(key, "a whole number")),
            Some(_) => Err(self.wrong_type(key, "a whole number")),
        }
    }

    /// A list-of-strings property.
    pub fn string_list(&self, key: &str) -> Result<Option<Vec<String>>, ProvisionError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) => Some(text.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, "a list of strings")),
            Some(_) => Err(self.wrong_type(key, "a list of strings")),
        }
    }

    /// A list property (items left as JSON).
    pub fn list(&self, key: &str) -> Result<Option<&'a [Value]>, ProvisionError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(self.wrong_type(key, "a list")),
        }
    }

    /// A nested mapping, as a view whose errors name the full path.
    pub fn object(&self, key: &str) -> Result<Option<Properties<'a>>, ProvisionError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Properties {
                map,
                path: Some(self.name(key)),
            })),
            Some(_) => Err(self.wrong_type(key, "a mapping")),
        }
    }

    /// The raw JSON of a property.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Properties;

    #[test]
    fn scalars_convert_as_cloudformation_does_and_errors_name_the_path() {
        let value = json!({
            "Name": "pool",
            "Days": "7",
            "Count": 3,
            "Flag": "True",
            "Off": false,
            "Urls": ["a", "b"],
            "Policies": {"PasswordPolicy": {"MinimumLength": "x", "RequireNumbers": "yes"}}
        });
        let map = value.as_object().unwrap();
        let p = Properties::new(map);
        assert_eq!(p.required_string("Name").unwrap(), "pool");
        assert_eq!(p.string("Count").unwrap().as_deref(), Some("3"));
        assert_eq!(p.integer("Days").unwrap(), Some(7));
        assert_eq!(p.integer("Count").unwrap(), Some(3));
        assert_eq!(p.integer("Missing").unwrap(), None);
        assert_eq!(p.boolean("Flag").unwrap(), Some(true));
        assert_eq!(p.boolean("Off").unwrap(), Some(false));
        assert_eq!(p.string_list("Urls").unwrap().unwrap(), ["a", "b"]);
        assert_eq!(p.list("Urls").unwrap().unwrap().len(), 2);
        assert!(p.contains("Days") && !p.contains("Missing"));

        let policy = p
            .object("Policies")
            .unwrap()
            .unwrap()
            .object("PasswordPolicy")
            .unwrap()
            .unwrap();
        let err = policy.integer("MinimumLength").unwrap_err();
        assert_eq!(
            err.to_string(),
            "property `Policies.PasswordPolicy.MinimumLength` must be a whole number"
        );
        let err = policy.boolean("RequireNumbers").unwrap_err();
        assert_eq!(
            err.to_string(),
            "property `Policies.PasswordPolicy.RequireNumbers` must be true or false"
        );
        assert_eq!(
            p.required_string("Nope").unwrap_err().to_string(),
            "property `Nope` is required"
        );
        assert_eq!(
            p.integer("Name").unwrap_err().to_string(),
            "property `Name` must be a whole number"
        );
        assert_eq!(
            p.object("Name").unwrap_err().to_string(),
            "property `Name` must be a mapping"
        );
    }

    #[test]
    fn only_refuses_properties_a_provisioner_does_not_handle() {
        let value = json!({"A": 1, "B": {"C": 2}});
        let p = Properties::new(value.as_object().unwrap());
        assert!(p.only(&["A", "B"]).is_ok());
        assert_eq!(
            p.only(&["A"]).unwrap_err().to_string(),
            "property `B` is not supported here"
        );
        let nested = p.object("B").unwrap().unwrap();
        assert_eq!(
            nested.only(&[]).unwrap_err().to_string(),
            "property `B.C` is not supported here"
        );
    }
}
