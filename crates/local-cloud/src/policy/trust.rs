//! Role trust policies (`AssumeRolePolicyDocument`), pure: who may assume a role, with which
//! `sts:AssumeRole*` action, under which conditions.
//!
//! A trust policy is a resource-based policy: each statement names a `Principal` (or
//! `NotPrincipal`) and an `Action`, never a `Resource` (the role is the resource; IAM refuses a
//! trust policy with `Resource` as malformed). Principals are `"*"` or an object of kinds
//! (`AWS`, `Federated`, `Service`, `CanonicalUser`) to one id or a list of ids; `{"AWS": "*"}`
//! is everyone too. Ids match exactly (IAM allows no wildcards in `Principal` other than a lone
//! `*`). Conditions are those of [`super::Policy`], with multivalued request keys (the
//! `cognito-identity.amazonaws.com:amr` claim is one) and the `ForAnyValue:` / `ForAllValues:`
//! qualifiers. Deny wins, then Allow, else implicit deny — as for permissions policies.
//!
//! Sources: IAM User Guide, "IAM JSON policy elements: Principal"
//! (reference_policies_elements_principal.html) and "Single-valued vs. multivalued context
//! keys" (reference_policies_condition-single-vs-multi-valued-context-keys.html).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{decide, parse_statements, string_or_array, Decision, PolicyError, Statement};

/// The kind of a principal, as named in a `Principal` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalKind {
    /// `AWS`: accounts, users, roles.
    Aws,
    /// `Federated`: web-identity and SAML providers (`cognito-identity.amazonaws.com`).
    Federated,
    /// `Service`: AWS service principals.
    Service,
    /// `CanonicalUser`.
    CanonicalUser,
}

impl PrincipalKind {
    fn from_member(name: &str) -> Option<Self> {
        match name {
            "AWS" => Some(Self::Aws),
            "Federated" => Some(Self::Federated),
            "Service" => Some(Self::Service),
            "CanonicalUser" => Some(Self::CanonicalUser),
            _ => None,
        }
    }
}

/// The principals a statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Principals {
    /// `"*"` or `{"AWS": "*"}`: every principal.
    everyone: bool,
    /// `(kind, id)` pairs.
    named: Vec<(PrincipalKind, String)>,
}

impl Principals {
    fn parse(value: &Value) -> Result<Self, PolicyError> {
        match value {
            Value::String(star) if star == "*" => Ok(Self {
                everyone: true,
                named: Vec::new(),
            }),
            Value::Object(kinds) if !kinds.is_empty() => {
                let mut principals = Self {
                    everyone: false,
                    named: Vec::new(),
                };
                for (member, ids) in kinds {
                    let kind = PrincipalKind::from_member(member)
                        .ok_or(PolicyError::Malformed("unknown principal kind"))?;
                    for id in string_or_array(ids, "principal ids")? {
                        if kind == PrincipalKind::Aws && id == "*" {
                            principals.everyone = true;
                        } else {
                            principals.named.push((kind, id));
                        }
                    }
                }
                Ok(principals)
            }
            _ => Err(PolicyError::Malformed(
                "Principal is not \"*\" or an object of principal kinds",
            )),
        }
    }

    fn contains(&self, caller: &Caller<'_>) -> bool {
        self.everyone
            || self
                .named
                .iter()
                .any(|(kind, id)| *kind == caller.kind && id == caller.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PrincipalMatcher {
    /// `Principal`.
    AnyOf(Principals),
    /// `NotPrincipal`: everyone but these.
    NoneOf(Principals),
}

/// A parsed trust policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustPolicy {
    statements: Vec<Statement<PrincipalMatcher>>,
}

/// Who asks to assume the role.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// The principal's kind.
    pub kind: PrincipalKind,
    /// Its id, e.g. `cognito-identity.amazonaws.com` for a Federated web identity.
    pub id: &'a str,
}

/// An assume-role request.
#[derive(Debug, Clone, Copy)]
pub struct AssumeRequest<'a> {
    /// The caller.
    pub caller: Caller<'a>,
    /// The action, e.g. `sts:AssumeRoleWithWebIdentity`.
    pub action: &'a str,
    /// Condition keys (lower-cased names) to every value they have in the request.
    pub context: &'a BTreeMap<String, Vec<String>>,
}

impl TrustPolicy {
    /// Parses a trust policy from JSON text.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let value: Value = serde_json::from_str(text).map_err(|_| PolicyError::NotJson)?;
        Self::from_value(&value)
    }

    /// Parses a trust policy document.
    pub fn from_value(document: &Value) -> Result<Self, PolicyError> {
        let statements = parse_statements(document, |statement| {
            if statement.contains_key("Resource") || statement.contains_key("NotResource") {
                return Err(PolicyError::Malformed(
                    "a trust policy statement has the prohibited field Resource",
                ));
            }
            match (statement.get("Principal"), statement.get("NotPrincipal")) {
                (Some(p), None) => Ok(PrincipalMatcher::AnyOf(Principals::parse(p)?)),
                (None, Some(p)) => Ok(PrincipalMatcher::NoneOf(Principals::parse(p)?)),
                (Some(_), Some(_)) => {
                    Err(PolicyError::Malformed("both Principal and NotPrincipal"))
                }
                (None, None) => Err(PolicyError::Malformed(
                    "a trust policy statement lacks Principal",
                )),
            }
        })?;
        Ok(Self { statements })
    }

    /// Evaluates `request`; `variables` fill `${…}` in condition values.
    pub fn evaluate(
        &self,
        request: &AssumeRequest<'_>,
        variables: &BTreeMap<String, String>,
    ) -> Decision {
        decide(&self.statements, |statement| {
            let principal = match &statement.target {
                PrincipalMatcher::AnyOf(principals) => principals.contains(&request.caller),
                PrincipalMatcher::NoneOf(principals) => !principals.contains(&request.caller),
            };
            principal
                && statement.applies(
                    request.action,
                    |key| request.context.get(key).map(Vec::as_slice),
                    variables,
                )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const POOL: &str = "us-east-1:0b7a8f3e-4a1c-4c7e-9d2b-5e6f7a8b9c0d";
    const OTHER_POOL: &str = "us-east-1:11111111-2222-3333-4444-555555555555";
    const PROVIDER: &str = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC";
    const WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

    fn cognito() -> Caller<'static> {
        Caller {
            kind: PrincipalKind::Federated,
            id: "cognito-identity.amazonaws.com",
        }
    }

    fn token(aud: &str, amr: &[&str]) -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([
            (
                "cognito-identity.amazonaws.com:aud".to_owned(),
                vec![aud.to_owned()],
            ),
            (
                "cognito-identity.amazonaws.com:amr".to_owned(),
                amr.iter().map(|v| (*v).to_owned()).collect(),
            ),
        ])
    }

    /// The trust policy of the Cognito developer guide ("Role trust and permissions").
    fn cognito_trust(aud: &str, amr: &str) -> TrustPolicy {
        TrustPolicy::from_value(&json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": aud},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}
                }
            }]
        }))
        .expect("parses")
    }

    fn decide(
        policy: &TrustPolicy,
        caller: Caller<'_>,
        action: &str,
        context: &BTreeMap<String, Vec<String>>,
    ) -> Decision {
        policy.evaluate(
            &AssumeRequest {
                caller,
                action,
                context,
            },
            &BTreeMap::new(),
        )
    }

    #[test]
    fn the_guide_policies_admit_their_own_pool_and_kind_only() {
        let authenticated = cognito_trust(POOL, "authenticated");
        let guest = cognito_trust(POOL, "unauthenticated");
        let signed_in = token(POOL, &["authenticated", PROVIDER]);
        let anonymous = token(POOL, &["unauthenticated"]);
        let allow = |p: &TrustPolicy, c: &BTreeMap<String, Vec<String>>| {
            decide(p, cognito(), WEB_IDENTITY, c)
        };
        assert_eq!(allow(&authenticated, &signed_in), Decision::Allow);
        assert_eq!(allow(&guest, &anonymous), Decision::Allow);
        assert_eq!(allow(&authenticated, &anonymous), Decision::ImplicitDeny);
        assert_eq!(allow(&guest, &signed_in), Decision::ImplicitDeny);
        assert_eq!(
            allow(&authenticated, &token(OTHER_POOL, &["authenticated"])),
            Decision::ImplicitDeny,
            "aud names another identity pool"
        );
        assert_eq!(
            allow(&authenticated, &BTreeMap::new()),
            Decision::ImplicitDeny,
            "absent keys fail StringEquals and ForAnyValue"
        );
    }

    #[test]
    fn principal_and_action_must_match() {
        let policy = cognito_trust(POOL, "authenticated");
        let signed_in = token(POOL, &["authenticated"]);
        assert_eq!(
            decide(
                &policy,
                cognito(),
                "STS:assumerolewithwebidentity",
                &signed_in
            ),
            Decision::Allow,
            "actions are case-insensitive"
        );
        assert_eq!(
            decide(&policy, cognito(), "sts:AssumeRole", &signed_in),
            Decision::ImplicitDeny
        );
        for caller in [
            Caller {
                kind: PrincipalKind::Federated,
                id: "accounts.google.com",
            },
            Caller {
                kind: PrincipalKind::Service,
                id: "cognito-identity.amazonaws.com",
            },
        ] {
            assert_eq!(
                decide(&policy, caller, WEB_IDENTITY, &signed_in),
                Decision::ImplicitDeny,
                "{caller:?}"
            );
        }
    }

    #[test]
    fn amr_can_name_the_provider() {
        let policy = cognito_trust(POOL, "cognito-idp.us-east-1.amazonaws.com/*");
        assert_eq!(
            decide(
                &policy,
                cognito(),
                WEB_IDENTITY,
                &token(POOL, &["authenticated", PROVIDER])
            ),
            Decision::Allow
        );
        assert_eq!(
            decide(
                &policy,
                cognito(),
                WEB_IDENTITY,
                &token(POOL, &["authenticated", "graph.facebook.com"])
            ),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn set_qualifiers_on_multivalued_keys() {
        let policy = |condition: Value| {
            TrustPolicy::from_value(&json!({"Statement": {
                "Effect": "Allow", "Principal": "*", "Action": "sts:*",
                "Condition": condition
            }}))
            .expect("parses")
        };
        let amr = |values: &[&str]| {
            BTreeMap::from([(
                "cognito-identity.amazonaws.com:amr".to_owned(),
                values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>(),
            )])
        };
        let run = |p: &TrustPolicy, values: Option<&[&str]>| {
            let context = values.map(amr).unwrap_or_default();
            decide(p, cognito(), WEB_IDENTITY, &context)
        };
        let all = policy(json!({"ForAllValues:StringLike": {
            "cognito-identity.amazonaws.com:amr": ["authenticated", "cognito-idp.*"]}}));
        assert_eq!(
            run(&all, Some(&["authenticated", PROVIDER])),
            Decision::Allow
        );
        assert_eq!(
            run(&all, Some(&["authenticated", "graph.facebook.com"])),
            Decision::ImplicitDeny
        );
        assert_eq!(
            run(&all, None),
            Decision::Allow,
            "vacuously true when absent"
        );
        assert_eq!(run(&all, Some(&[])), Decision::Allow, "and when empty");

        let any_not = policy(json!({"ForAnyValue:StringNotEquals": {
            "cognito-identity.amazonaws.com:amr": "authenticated"}}));
        assert_eq!(
            run(&any_not, Some(&["authenticated", PROVIDER])),
            Decision::Allow
        );
        assert_eq!(
            run(&any_not, Some(&["authenticated"])),
            Decision::ImplicitDeny
        );
        assert_eq!(run(&any_not, None), Decision::ImplicitDeny);

        let plain = policy(json!({"StringLike": {
            "cognito-identity.amazonaws.com:amr": "*"}}));
        assert_eq!(run(&plain, Some(&["authenticated"])), Decision::Allow);
        assert_eq!(
            run(&plain, Some(&["authenticated", PROVIDER])),
            Decision::ImplicitDeny,
            "a multivalued key needs a set qualifier"
        );
    }

    #[test]
    fn deny_not_principal_and_everyone() {
        let policy = TrustPolicy::from_value(&json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"},
            {"Effect": "Deny", "NotPrincipal": {"Federated": ["cognito-identity.amazonaws.com"]},
             "Action": "sts:*"}
        ]}))
        .expect("parses");
        let none = BTreeMap::new();
        assert_eq!(
            decide(&policy, cognito(), WEB_IDENTITY, &none),
            Decision::Allow
        );
        assert_eq!(
            decide(
                &policy,
                Caller {
                    kind: PrincipalKind::Federated,
                    id: "accounts.google.com"
                },
                WEB_IDENTITY,
                &none
            ),
            Decision::ExplicitDeny
        );
    }

    #[test]
    fn malformed_trust_policies_are_refused() {
        assert_eq!(TrustPolicy::parse("["), Err(PolicyError::NotJson));
        for doc in [
            json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"Nobody": "x"}, "Action": "sts:AssumeRole"}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {}, "Action": "sts:AssumeRole"}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "someone", "Action": "sts:AssumeRole"}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "sts:AssumeRole"}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*"}]}),
        ] {
            assert!(TrustPolicy::from_value(&doc).is_err(), "{doc}");
        }
    }
}
