//! Where in a template something is: a path such as `Resources.Bucket.Properties.Tags[0]`.

use std::fmt;

/// A path from the template root to a value, for error messages.
///
/// Keys are joined with `.` and list positions written as `[i]`, the same for YAML and JSON
/// templates, so a message points at the same place whichever form the template was written in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location(String);

impl Location {
    /// The template root.
    pub(crate) fn root() -> Self {
        Self(String::new())
    }

    /// The value under `key` of the mapping at `self`.
    pub(crate) fn key(&self, key: &str) -> Self {
        if self.0.is_empty() {
            Self(key.to_owned())
        } else {
            Self(format!("{}.{key}", self.0))
        }
    }

    /// The item at `index` of the list at `self`.
    pub(crate) fn index(&self, index: usize) -> Self {
        Self(format!("{}[{index}]", self.0))
    }

    /// The path as text (empty for the root).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("the template root")
        } else {
            f.write_str(&self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn paths_join_keys_with_dots_and_indexes_with_brackets() {
        let location = Location::root()
            .key("Resources")
            .key("Bucket")
            .index(2)
            .key("Key");
        assert_eq!(location.as_str(), "Resources.Bucket[2].Key");
        assert_eq!(Location::root().to_string(), "the template root");
    }
}
