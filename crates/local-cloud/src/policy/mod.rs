//! IAM policy evaluation, pure: a policy document, a request (action, resource, condition
//! context) and the policy variables in; Allow / explicit Deny / implicit deny out.
//!
//! Semantics implemented (the subset of IAM that identity-pool roles use):
//! * `Statement` is an object or an array; each has `Effect` (`Allow`/`Deny`), `Action` or
//!   `NotAction`, `Resource` or `NotResource` (a string or an array), optional `Condition`.
//! * Actions match case-insensitively, resources case-sensitively; both with the wildcards `*`
//!   (any run of characters, `/` included) and `?` (exactly one character).
//! * Policy variables `${name}` in `Resource` and condition values are replaced by their value;
//!   an unknown variable makes that pattern match nothing (IAM treats it as a failed match).
//! * Conditions: `StringEquals`, `StringNotEquals`, `StringEqualsIgnoreCase`, `StringLike`,
//!   `StringNotLike`, the six `Numeric…` operators (values compared as numbers; a value that is
//!   not a number never matches) and `Bool`, each with an `…IfExists` form, and `Null` (`"true"`:
//!   the key is absent). Several keys in one operator, and several operators in one block, must
//!   all hold; several values for one key mean any of them. A key absent from the request makes
//!   a positive operator false and a negated operator true (`…IfExists` makes an absent key
//!   true). Any other operator (`Date…`, `Arn…`, `IpAddress`, `Binary…`) is refused when the
//!   document is parsed: evaluating it as "not holding" would make a Deny that uses it never
//!   deny, so the role is refused at provisioning instead of enforced wrongly.
//! * Multivalued keys (e.g. the `amr` of a Cognito OpenID token) and the set qualifiers
//!   `ForAnyValue:` / `ForAllValues:` (IAM User Guide, "Single-valued vs. multivalued context
//!   keys", reference_policies_condition-single-vs-multi-valued-context-keys.html):
//!   `ForAnyValue:<op>` holds when at least one request value satisfies `<op>` and is false
//!   when the key is absent; `ForAllValues:<op>` holds when every request value satisfies
//!   `<op>`, and also when the key is absent or empty. Without a qualifier a key with more than
//!   one value in the request does not satisfy the operator ("multivalued context keys require
//!   a condition set operator"; the local cloud refuses rather than guess).
//! * Evaluation: an explicit Deny in any matching statement wins; otherwise a matching Allow
//!   allows; otherwise the request is implicitly denied.
//!
//! [`Policy`] is an identity-based (permissions) policy: statements name `Resource`. A role's
//! trust policy is a resource-based policy naming a `Principal` instead: see [`trust`].
//!
//! A document that is not shaped like a policy is an error at parse time, so a role with a
//! broken policy can be refused when it is stored rather than silently denying everything.

pub mod trust;

use std::collections::BTreeMap;

use serde_json::Value;

/// The outcome of evaluating a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows the request and none denies it.
    Allow,
    /// A statement explicitly denies the request.
    ExplicitDeny,
    /// No statement allows the request.
    ImplicitDeny,
}

impl Decision {
    /// Whether the request may proceed.
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }
}

/// Why a document is not a policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The document is not valid JSON.
    #[error("the policy document is not valid JSON")]
    NotJson,
    /// A member is missing or of the wrong shape.
    #[error("malformed policy: {0}")]
    Malformed(&'static str),
}

impl PolicyError {
    /// A stable code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotJson => "policy_not_json",
            Self::Malformed(_) => "policy_malformed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Matcher {
    /// `Action` / `Resource`: matches when any pattern does.
    AnyOf(Vec<String>),
    /// `NotAction` / `NotResource`: matches when no pattern does.
    NoneOf(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    Numeric(std::cmp::Ordering, bool),
    NumericNotEquals,
    Bool,
    Null,
}

/// How a condition treats a key with several values in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    /// No qualifier: the key must have (at most) one value.
    Single,
    /// `ForAnyValue:`: some request value satisfies the operator.
    ForAnyValue,
    /// `ForAllValues:`: every request value satisfies the operator (vacuously true if none).
    ForAllValues,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Condition {
    set: SetQualifier,
    operator: Operator,
    if_exists: bool,
    key: String,
    values: Vec<String>,
}

/// One statement; `Target` is what a statement names besides the action: the resource of a
/// permissions policy ([`Matcher`]) or the principal of a trust policy.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement<Target> {
    effect: Effect,
    action: Matcher,
    target: Target,
    conditions: Vec<Condition>,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    statements: Vec<Statement<Matcher>>,
}

/// What is being asked for.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The action, e.g. `s3:GetObject`.
    pub action: &'a str,
    /// The resource ARN, e.g. `arn:aws:s3:::bucket/key`.
    pub resource: &'a str,
    /// Condition keys present in the request (e.g. `s3:prefix`), lower-cased names.
    pub context: &'a BTreeMap<String, String>,
}

fn string_or_array(value: &Value, what: &'static str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or(PolicyError::Malformed(what))
            })
            .collect(),
        _ => Err(PolicyError::Malformed(what)),
    }
}

fn matcher(
    statement: &serde_json::Map<String, Value>,
    positive: &'static str,
    negative: &'static str,
) -> Result<Matcher, PolicyError> {
    match (statement.get(positive), statement.get(negative)) {
        (Some(value), None) => Ok(Matcher::AnyOf(string_or_array(value, positive)?)),
        (None, Some(value)) => Ok(Matcher::NoneOf(string_or_array(value, negative)?)),
        (Some(_), Some(_)) => Err(PolicyError::Malformed("both a member and its Not form")),
        (None, None) => Err(PolicyError::Malformed(
            "a statement lacks Action or Resource",
        )),
    }
}

fn operator(name: &str) -> Result<(SetQualifier, Operator, bool), PolicyError> {
    let (set, name) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
        (SetQualifier::ForAnyValue, rest)
    } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
        (SetQualifier::ForAllValues, rest)
    } else {
        (SetQualifier::Single, name)
    };
    let (base, if_exists) = match name.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (name, false),
    };
    use std::cmp::Ordering::{Equal, Greater, Less};
    let operator = match base {
        "StringEquals" => Operator::StringEquals,
        "StringNotEquals" => Operator::StringNotEquals,
        "StringEqualsIgnoreCase" => Operator::StringEqualsIgnoreCase,
        "StringLike" => Operator::StringLike,
        "StringNotLike" => Operator::StringNotLike,
        // (the ordering the request value must have to the policy value, or equal to it)
        "NumericEquals" => Operator::Numeric(Equal, true),
        "NumericNotEquals" => Operator::NumericNotEquals,
        "NumericLessThan" => Operator::Numeric(Less, false),
        "NumericLessThanEquals" => Operator::Numeric(Less, true),
        "NumericGreaterThan" => Operator::Numeric(Greater, false),
        "NumericGreaterThanEquals" => Operator::Numeric(Greater, true),
        "Bool" => Operator::Bool,
        "Null" if !if_exists => Operator::Null,
        _ => {
            return Err(PolicyError::Malformed(
                "a condition operator the local cloud does not evaluate (Date*, Arn*, IpAddress, Binary*, or unknown)",
            ))
        }
    };
    Ok((set, operator, if_exists))
}

fn conditions(block: Option<&Value>) -> Result<Vec<Condition>, PolicyError> {
    let Some(block) = block else {
        return Ok(Vec::new());
    };
    let block = block
        .as_object()
        .ok_or(PolicyError::Malformed("Condition is not an object"))?;
    let mut out = Vec::new();
    for (op_name, keys) in block {
        let (set, operator, if_exists) = operator(op_name)?;
        let keys = keys.as_object().ok_or(PolicyError::Malformed(
            "a condition operator is not an object",
        ))?;
        for (key, values) in keys {
            out.push(Condition {
                set,
                operator,
                if_exists,
                key: key.to_ascii_lowercase(),
                values: string_or_array(values, "condition values")?,
            });
        }
    }
    Ok(out)
}

/// Parses each statement of a document (`Statement` is an object or an array of objects),
/// its target with `target`.
fn parse_statements<Target>(
    document: &Value,
    target: impl Fn(&serde_json::Map<String, Value>) -> Result<Target, PolicyError>,
) -> Result<Vec<Statement<Target>>, PolicyError> {
    let statements = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => return Err(PolicyError::Malformed("Statement is missing")),
    };
    statements
        .into_iter()
        .map(|statement| {
            let statement = statement
                .as_object()
                .ok_or(PolicyError::Malformed("a statement is not an object"))?;
            Ok(Statement {
                effect: effect(statement)?,
                action: matcher(statement, "Action", "NotAction")?,
                target: target(statement)?,
                conditions: conditions(statement.get("Condition"))?,
            })
        })
        .collect()
}

fn effect(statement: &serde_json::Map<String, Value>) -> Result<Effect, PolicyError> {
    match statement.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Ok(Effect::Allow),
        Some("Deny") => Ok(Effect::Deny),
        _ => Err(PolicyError::Malformed("Effect is not Allow or Deny")),
    }
}

/// IAM's combination: Allow if a statement that applies allows and none that applies denies;
/// explicit deny if one denies; implicit deny when none applies.
fn decide<Target>(
    statements: &[Statement<Target>],
    applies: impl Fn(&Statement<Target>) -> bool,
) -> Decision {
    let mut allowed = false;
    for statement in statements.iter().filter(|s| applies(s)) {
        match statement.effect {
            Effect::Deny => return Decision::ExplicitDeny,
            Effect::Allow => allowed = true,
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

impl Matcher {
    /// Whether the action `action` is matched (case-insensitively, with wildcards).
    fn matches_action(&self, action: &str) -> bool {
        let action = action.to_ascii_lowercase();
        let matches = |pattern: &String| wildcard_match(&pattern.to_ascii_lowercase(), &action);
        match self {
            Self::AnyOf(patterns) => patterns.iter().any(matches),
            Self::NoneOf(patterns) => !patterns.iter().any(matches),
        }
    }
}

impl Policy {
    /// Parses a policy document from JSON text.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let value: Value = serde_json::from_str(text).map_err(|_| PolicyError::NotJson)?;
        Self::from_value(&value)
    }

    /// Parses a policy document.
    pub fn from_value(document: &Value) -> Result<Self, PolicyError> {
        let statements = parse_statements(document, |statement| {
            matcher(statement, "Resource", "NotResource")
        })?;
        Ok(Self { statements })
    }

    /// Evaluates `request` with policy `variables` (`"cognito-identity.amazonaws.com:sub"` → id).
    pub fn evaluate(
        &self,
        request: &Request<'_>,
        variables: &BTreeMap<String, String>,
    ) -> Decision {
        let resource_matches = |pattern: &String| {
            substitute(pattern, variables)
                .is_some_and(|pattern| wildcard_match(&pattern, request.resource))
        };
        decide(&self.statements, |statement| {
            let resource = match &statement.target {
                Matcher::AnyOf(patterns) => patterns.iter().any(resource_matches),
                Matcher::NoneOf(patterns) => !patterns.iter().any(resource_matches),
            };
            resource
                && statement.applies(
                    request.action,
                    |key| request.context.get(key).map(std::slice::from_ref),
                    variables,
                )
        })
    }
}

impl<Target> Statement<Target> {
    /// Whether the action and every condition match; `values_of` gives the request's values
    /// of a (lower-cased) condition key. The target is the caller's to check.
    fn applies<'c>(
        &self,
        action: &str,
        values_of: impl Fn(&str) -> Option<&'c [String]>,
        variables: &BTreeMap<String, String>,
    ) -> bool {
        self.action.matches_action(action)
            && self
                .conditions
                .iter()
                .all(|condition| condition.holds(values_of(&condition.key), variables))
    }
}

impl Condition {
    /// Whether the condition holds for the request's values of its key (`None`: absent).
    fn holds(&self, actual: Option<&[String]>, variables: &BTreeMap<String, String>) -> bool {
        let actual = actual.filter(|values| !values.is_empty());
        if self.operator == Operator::Null {
            // `"true"`: the key is absent; `"false"`: it is present.
            let absent = actual.is_none();
            return self
                .values
                .iter()
                .any(|value| value.eq_ignore_ascii_case("true") == absent);
        }
        match (self.set, actual) {
            // IAM: ForAllValues is also true when the key is absent or has no value;
            // ForAnyValue is false then.
            (SetQualifier::ForAllValues, None) => true,
            (SetQualifier::ForAllValues, Some(values)) => {
                values.iter().all(|value| self.holds_for(value, variables))
            }
            (SetQualifier::ForAnyValue, None) => self.if_exists,
            (SetQualifier::ForAnyValue, Some(values)) => {
                values.iter().any(|value| self.holds_for(value, variables))
            }
            (SetQualifier::Single, None) => {
                self.if_exists
                    || matches!(
                        self.operator,
                        Operator::StringNotEquals
                            | Operator::StringNotLike
                            | Operator::NumericNotEquals
                    )
            }
            (SetQualifier::Single, Some([value])) => self.holds_for(value, variables),
            // A multivalued key needs a set qualifier.
            (SetQualifier::Single, Some(_)) => false,
        }
    }

    /// Whether one request value satisfies the operator against any of the policy's values.
    fn holds_for(&self, actual: &str, variables: &BTreeMap<String, String>) -> bool {
        let values = || {
            self.values
                .iter()
                .filter_map(|value| substitute(value, variables))
        };
        match self.operator {
            Operator::StringEquals => values().any(|v| v == actual),
            Operator::StringNotEquals => !values().any(|v| v == actual),
            Operator::StringEqualsIgnoreCase => values().any(|v| v.eq_ignore_ascii_case(actual)),
            Operator::StringLike => values().any(|v| wildcard_match(&v, actual)),
            Operator::StringNotLike => !values().any(|v| wildcard_match(&v, actual)),
            Operator::Numeric(wanted, or_equal) => number(actual).is_some_and(|actual| {
                values().filter_map(|v| number(&v)).any(|v| {
                    actual
                        .partial_cmp(&v)
                        .is_some_and(|o| o == wanted || (or_equal && o.is_eq()))
                })
            }),
            Operator::NumericNotEquals => number(actual)
                .is_some_and(|actual| !values().filter_map(|v| number(&v)).any(|v| actual == v)),
            Operator::Bool => values().any(|v| v.eq_ignore_ascii_case(actual)),
            // Decided on presence in `holds`.
            Operator::Null => false,
        }
    }
}

/// A condition value as a number (IAM numeric operators compare integers and decimals).
fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Replaces every `${name}` in `pattern` by its value; `None` if a variable is unknown or a
/// `${` is not closed. `${*}`, `${?}` and `${$}` stand for the literal characters.
pub fn substitute(pattern: &str, variables: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = &after[..end];
        match name {
            // Literal escapes: kept as private markers so the matcher treats them literally.
            "*" => out.push(LITERAL_STAR),
            "?" => out.push(LITERAL_QUESTION),
            "$" => out.push('$'),
            _ => out.push_str(variables.get(name)?),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

// Private-use code points standing for escaped `*` and `?` after substitution.
const LITERAL_STAR: char = '\u{F0001}';
const LITERAL_QUESTION: char = '\u{F0002}';

/// Whether `text` matches `pattern`, where `*` is any run of characters and `?` exactly one.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // Iterative matcher with backtracking to the last `*` (linear space, no recursion).
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let literal_eq = |pc: char, tc: char| match pc {
            LITERAL_STAR => tc == '*',
            LITERAL_QUESTION => tc == '?',
            _ => pc == tc,
        };
        if p < pattern.len()
            && (pattern[p] == '?' || (pattern[p] != '*' && literal_eq(pattern[p], text[t])))
        {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == '*' {
        p += 1;
    }
    p == pattern.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SUB: &str = "cognito-identity.amazonaws.com:sub";

    fn vars(id: &str) -> BTreeMap<String, String> {
        BTreeMap::from([(SUB.to_owned(), id.to_owned())])
    }

    fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn private_policy() -> Policy {
        Policy::from_value(&json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket"],
                    "Resource": "arn:aws:s3:::demo",
                    "Condition": {"StringLike": {"s3:prefix": [
                        "private/${cognito-identity.amazonaws.com:sub}/",
                        "private/${cognito-identity.amazonaws.com:sub}/*"
                    ]}}
                },
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": "arn:aws:s3:::demo/private/${cognito-identity.amazonaws.com:sub}/*"
                }
            ]
        }))
        .expect("parses")
    }

    fn decide(
        policy: &Policy,
        action: &str,
        resource: &str,
        context: &BTreeMap<String, String>,
    ) -> Decision {
        policy.evaluate(
            &Request {
                action,
                resource,
                context,
            },
            &vars("us-east-1:abc"),
        )
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("a*c", "abbbc"));
        assert!(wildcard_match("a*c", "ac"));
        assert!(wildcard_match("a*", "a/b/c"));
        assert!(!wildcard_match("a*c", "abd"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(!wildcard_match("a?c", "ac"));
        assert!(!wildcard_match("a?c", "abbc"));
        assert!(wildcard_match("*", ""));
        assert!(!wildcard_match("", "x"));
        assert!(wildcard_match("*a*b*", "xxaxxbxx"));
        assert!(!wildcard_match("*a*b", "xxbxxa"));
        assert!(
            wildcard_match("caf?", "café"),
            "? matches one character, not one byte"
        );
    }

    #[test]
    fn own_prefix_is_allowed_and_others_are_not() {
        let policy = private_policy();
        let none = ctx(&[]);
        assert_eq!(
            decide(
                &policy,
                "s3:PutObject",
                "arn:aws:s3:::demo/private/us-east-1:abc/f.txt",
                &none
            ),
            Decision::Allow
        );
        assert_eq!(
            decide(
                &policy,
                "S3:getobject",
                "arn:aws:s3:::demo/private/us-east-1:abc/a/b",
                &none
            ),
            Decision::Allow,
            "actions are case-insensitive"
        );
        for resource in [
            "arn:aws:s3:::demo/private/us-east-1:abd/f.txt",
            "arn:aws:s3:::demo/private/us-east-1:ab/f.txt",
            "arn:aws:s3:::demo/f.txt",
            "arn:aws:s3:::other/private/us-east-1:abc/f.txt",
            "arn:aws:s3:::demo/PRIVATE/us-east-1:abc/f.txt",
        ] {
            assert_eq!(
                decide(&policy, "s3:PutObject", resource, &none),
                Decision::ImplicitDeny,
                "{resource}"
            );
        }
        assert_eq!(
            decide(
                &policy,
                "s3:AbortMultipartUpload",
                "arn:aws:s3:::demo/private/us-east-1:abc/f",
                &none
            ),
            Decision::ImplicitDeny,
            "an action not listed is denied"
        );
    }

    #[test]
    fn list_bucket_needs_the_prefix_condition() {
        let policy = private_policy();
        let allow = |prefix: Option<&str>| {
            let context = match prefix {
                Some(p) => ctx(&[("s3:prefix", p)]),
                None => ctx(&[]),
            };
            decide(&policy, "s3:ListBucket", "arn:aws:s3:::demo", &context)
        };
        assert_eq!(allow(Some("private/us-east-1:abc/")), Decision::Allow);
        assert_eq!(allow(Some("private/us-east-1:abc/docs/")), Decision::Allow);
        assert_eq!(allow(Some("private/us-east-1:abc")), Decision::ImplicitDeny);
        assert_eq!(allow(Some("private/")), Decision::ImplicitDeny);
        assert_eq!(allow(Some("")), Decision::ImplicitDeny);
        assert_eq!(
            allow(None),
            Decision::ImplicitDeny,
            "an absent key fails StringLike"
        );
    }

    #[test]
    fn explicit_deny_wins_and_negated_operators() {
        let policy = Policy::from_value(&json!({
            "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/keep/*"},
                {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
                 "Condition": {"StringNotLike": {"s3:prefix": "public/*"}}}
            ]
        }))
        .expect("parses");
        let none = ctx(&[]);
        assert_eq!(
            decide(&policy, "s3:DeleteObject", "arn:aws:s3:::b/keep/x", &none),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decide(&policy, "s3:DeleteObject", "arn:aws:s3:::b/tmp/x", &none),
            Decision::Allow
        );
        assert_eq!(
            decide(
                &policy,
                "s3:ListBucket",
                "arn:aws:s3:::b",
                &ctx(&[("s3:prefix", "public/a")])
            ),
            Decision::Allow
        );
        assert_eq!(
            decide(
                &policy,
                "s3:ListBucket",
                "arn:aws:s3:::b",
                &ctx(&[("s3:prefix", "secret/")])
            ),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decide(&policy, "s3:ListBucket", "arn:aws:s3:::b", &none),
            Decision::ExplicitDeny,
            "an absent key makes a negated operator true"
        );
    }

    #[test]
    fn not_action_not_resource_string_equals_and_if_exists() {
        let policy = Policy::from_value(&json!({
            "Statement": {
                "Effect": "Allow",
                "NotAction": "s3:Delete*",
                "NotResource": "arn:aws:s3:::b/secret/*",
                "Condition": {
                    "StringEquals": {"s3:delimiter": "/"},
                    "StringLikeIfExists": {"s3:prefix": "a?c*"}
                }
            }
        }))
        .expect("parses");
        let slash = ctx(&[("s3:delimiter", "/")]);
        assert_eq!(
            decide(&policy, "s3:ListBucket", "arn:aws:s3:::b", &slash),
            Decision::Allow
        );
        assert_eq!(
            decide(&policy, "s3:DeleteObject", "arn:aws:s3:::b/x", &slash),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(&policy, "s3:GetObject", "arn:aws:s3:::b/secret/x", &slash),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(
                &policy,
                "s3:ListBucket",
                "arn:aws:s3:::b",
                &ctx(&[("s3:delimiter", ",")])
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(
                &policy,
                "s3:ListBucket",
                "arn:aws:s3:::b",
                &ctx(&[("s3:delimiter", "/"), ("s3:prefix", "abcd")])
            ),
            Decision::Allow
        );
        assert_eq!(
            decide(
                &policy,
                "s3:ListBucket",
                "arn:aws:s3:::b",
                &ctx(&[("s3:delimiter", "/"), ("s3:prefix", "xbc")])
            ),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn variables() {
        let v = vars("us-east-1:abc");
        assert_eq!(
            substitute("p/${cognito-identity.amazonaws.com:sub}/*", &v).as_deref(),
            Some("p/us-east-1:abc/*")
        );
        assert_eq!(substitute("p/${unknown}/*", &v), None);
        assert_eq!(substitute("p/${unclosed", &v), None);
        // An escaped star matches only a literal star.
        let literal = substitute("a${*}b", &v).expect("escape");
        assert!(wildcard_match(&literal, "a*b"));
        assert!(!wildcard_match(&literal, "axb"));
        // A variable value containing wildcards is not special when it comes from the pattern
        // side: identity ids never contain them, and unknown variables match nothing.
        let policy = Policy::from_value(&json!({"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}
        ]}))
        .expect("parses");
        assert_eq!(
            decide(&policy, "s3:GetObject", "arn:aws:s3:::b/x/y", &ctx(&[])),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn set_qualifiers_on_single_valued_keys() {
        let policy = Policy::from_value(&json!({"Statement": {
            "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
            "Condition": {
                "ForAnyValue:StringLike": {"s3:prefix": ["a/*", "b/*"]},
                "ForAllValues:StringEquals": {"s3:delimiter": "/"}
            }
        }}))
        .expect("parses");
        let list = |pairs: &[(&str, &str)]| {
            decide(&policy, "s3:ListBucket", "arn:aws:s3:::b", &ctx(pairs))
        };
        assert_eq!(list(&[("s3:prefix", "b/x")]), Decision::Allow);
        assert_eq!(
            list(&[("s3:prefix", "b/x"), ("s3:delimiter", "/")]),
            Decision::Allow
        );
        assert_eq!(
            list(&[("s3:prefix", "b/x"), ("s3:delimiter", ",")]),
            Decision::ImplicitDeny
        );
        assert_eq!(list(&[("s3:prefix", "c/x")]), Decision::ImplicitDeny);
        assert_eq!(
            list(&[]),
            Decision::ImplicitDeny,
            "ForAnyValue fails on an absent key"
        );
    }

    #[test]
    fn numeric_bool_and_null_conditions_are_enforced_both_ways() {
        // A Deny the old evaluator never applied (its operator "never held"), and an Allow it
        // never granted.
        let policy = Policy::from_value(&json!({
            "Statement": [
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
                 "Condition": {"NumericLessThanEquals": {"s3:max-keys": "500"}}},
                {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
                 "Condition": {"NumericGreaterThan": {"s3:max-keys": "100"},
                               "Bool": {"aws:SecureTransport": "false"}}},
                {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
                 "Condition": {"Null": {"s3:prefix": "true"}}}
            ]
        }))
        .expect("parses");
        let list = |pairs: &[(&str, &str)]| {
            decide(&policy, "s3:ListBucket", "arn:aws:s3:::b", &ctx(pairs))
        };
        assert_eq!(
            list(&[("s3:max-keys", "50"), ("s3:prefix", "p/")]),
            Decision::Allow
        );
        assert_eq!(
            list(&[("s3:max-keys", "100"), ("s3:prefix", "p/")]),
            Decision::Allow,
            "100 is not greater than 100"
        );
        assert_eq!(
            list(&[
                ("s3:max-keys", "200"),
                ("s3:prefix", "p/"),
                ("aws:securetransport", "false")
            ]),
            Decision::ExplicitDeny
        );
        assert_eq!(
            list(&[
                ("s3:max-keys", "200"),
                ("s3:prefix", "p/"),
                ("aws:securetransport", "true")
            ]),
            Decision::Allow,
            "both conditions of a statement must hold"
        );
        assert_eq!(
            list(&[("s3:max-keys", "900"), ("s3:prefix", "p/")]),
            Decision::ImplicitDeny,
            "over the Allow's bound"
        );
        assert_eq!(
            list(&[("s3:max-keys", "many"), ("s3:prefix", "p/")]),
            Decision::ImplicitDeny,
            "not a number matches no numeric operator"
        );
        assert_eq!(
            list(&[("s3:max-keys", "50")]),
            Decision::ExplicitDeny,
            "Null: no prefix"
        );
    }

    #[test]
    fn operators_the_local_cloud_does_not_evaluate_are_refused_not_ignored() {
        for operator in [
            "DateGreaterThan",
            "ArnLike",
            "IpAddress",
            "BinaryEquals",
            "NullIfExists",
            "Made-Up",
        ] {
            let doc = json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {operator: {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}});
            assert_eq!(
                Policy::from_value(&doc).map(|_| ()).map_err(|e| e.code()),
                Err("policy_malformed"),
                "{operator}"
            );
        }
    }

    #[test]
    fn malformed_documents_are_refused() {
        assert_eq!(Policy::parse("{"), Err(PolicyError::NotJson));
        for doc in [
            json!({}),
            json!({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []}]}),
        ] {
            assert!(Policy::from_value(&doc).is_err(), "{doc}");
        }
    }
}
