//! Whether an identity-pool role trusts the identity it is about to be handed to.
//!
//! On AWS, GetCredentialsForIdentity (the enhanced flow) has Cognito call STS
//! `AssumeRoleWithWebIdentity` for the pool's role with a Cognito OpenID token, and STS checks
//! the role's trust policy against that token; in the basic flow the app makes the same STS
//! call itself with the token of GetOpenIdToken. The token's claims are the condition keys:
//! `cognito-identity.amazonaws.com:aud` (the identity pool id),
//! `cognito-identity.amazonaws.com:amr` (multivalued: `authenticated` or `unauthenticated`,
//! plus, for a signed-in identity, every provider it signed in with) and
//! `cognito-identity.amazonaws.com:sub` (the identity id). The principal is
//! `{"Federated": "cognito-identity.amazonaws.com"}`. A role that does not trust the token makes
//! GetCredentialsForIdentity fail with `InvalidIdentityPoolConfigurationException` ("Invalid
//! identity pool configuration. Check assigned IAM roles for this pool.").
//!
//! Sources: Amazon Cognito Developer Guide, "IAM roles" → "Role trust and permissions"
//! (docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html: the
//! guide's trust policies, the multivalued `amr` with provider names, and STS's
//! "Not authorized to perform sts:AssumeRoleWithWebIdentity" for a role that does not trust
//! the pool); Cognito Identity API reference, `InvalidIdentityPoolConfigurationException`
//! ("… or STS returned an error response to the request to assume the authenticated role …
//! Your role trust policy must grant AssumeRoleWithWebIdentity permissions to
//! cognito-identity.amazonaws.com"); the message as AWS SDKs report it (e.g. the Android SDK
//! in github.com/blasanka/aws_s3_plugin/issues/14).
//!
//! Roles stored before trust policies were kept (`Role::trust_policy` is `None`) are treated
//! as trusting every identity of every pool — the behaviour they were made under — and named
//! once per start by [`warn_about_legacy_roles`]. The demo roles are not legacy: the demo
//! provisioning writes their trust policies on every start.

use std::collections::BTreeMap;

use crate::model::{IdentityPool, Role, RoleKind, State};
use crate::policy::trust::{AssumeRequest, Caller, PrincipalKind, TrustPolicy};

/// The federated principal of Cognito identity-pool tokens.
pub const COGNITO_IDENTITY_PRINCIPAL: &str = "cognito-identity.amazonaws.com";
/// The STS action Cognito performs for GetCredentialsForIdentity.
pub const ASSUME_ROLE_WITH_WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";
/// Condition key: the identity pool id (the token's `aud`).
pub const AUD_KEY: &str = "cognito-identity.amazonaws.com:aud";
/// Condition key: the token's `amr`.
pub const AMR_KEY: &str = "cognito-identity.amazonaws.com:amr";
/// Condition key: the identity id (the token's `sub`).
pub const SUB_KEY: &str = "cognito-identity.amazonaws.com:sub";

/// The claims of the Cognito OpenID token that stands for an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentity {
    /// `aud`: the identity pool id.
    pub pool_id: String,
    /// `sub`: the identity id.
    pub identity_id: String,
    /// `amr`: the role kind, then (signed in) the provider names of the identity's logins.
    pub amr: Vec<String>,
}

impl WebIdentity {
    /// The token claims for `identity_id` of `pool` acting as `kind`.
    pub fn of(pool: &IdentityPool, identity_id: &str, kind: RoleKind) -> Self {
        let mut amr = vec![kind.as_str().to_owned()];
        if kind == RoleKind::Authenticated {
            if let Some(identity) = pool.identities.get(identity_id) {
                amr.extend(identity.provider_names());
            }
        }
        Self {
            pool_id: pool.id.clone(),
            identity_id: identity_id.to_owned(),
            amr,
        }
    }

    fn context(&self) -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([
            (AUD_KEY.to_owned(), vec![self.pool_id.clone()]),
            (AMR_KEY.to_owned(), self.amr.clone()),
            (SUB_KEY.to_owned(), vec![self.identity_id.clone()]),
        ])
    }
}

/// Whether STS would let `identity` assume `role` with AssumeRoleWithWebIdentity.
pub fn role_trusts(role: &Role, identity: &WebIdentity) -> bool {
    let Some(document) = &role.trust_policy else {
        // Stored before trust policies were kept: the permissive behaviour it was made under
        // (named at startup by `warn_about_legacy_roles`).
        return true;
    };
    let policy = match TrustPolicy::from_value(document) {
        Ok(policy) => policy,
        Err(err) => {
            // Checked when stored, so only a hand-edited state file gets here.
            tracing::error!(role = %role.arn, code = err.code(), "stored trust policy does not parse");
            return false;
        }
    };
    let context = identity.context();
    let variables = BTreeMap::from([
        (AUD_KEY.to_owned(), identity.pool_id.clone()),
        (SUB_KEY.to_owned(), identity.identity_id.clone()),
    ]);
    policy
        .evaluate(
            &AssumeRequest {
                caller: Caller {
                    kind: PrincipalKind::Federated,
                    id: COGNITO_IDENTITY_PRINCIPAL,
                },
                action: ASSUME_ROLE_WITH_WEB_IDENTITY,
                context: &context,
            },
            &variables,
        )
        .is_allowed()
}

/// The trust policy of the Cognito developer guide: identities of `pool_id` whose `amr`
/// includes a value matching `amr` (`authenticated`, `unauthenticated` or a provider name).
pub fn cognito_trust_policy(pool_id: &str, amr: &str) -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": COGNITO_IDENTITY_PRINCIPAL},
            "Action": ASSUME_ROLE_WITH_WEB_IDENTITY,
            "Condition": {
                "StringEquals": {AUD_KEY: pool_id},
                "ForAnyValue:StringLike": {AMR_KEY: amr}
            }
        }]
    })
}

/// Logs (once per start) each role that has no trust policy and so trusts every identity.
pub fn warn_about_legacy_roles(state: &State) {
    for role in state.roles.values().filter(|r| r.trust_policy.is_none()) {
        tracing::warn!(
            role = %role.arn,
            "role stored without a trust policy (made by an older local cloud): every identity \
             pool's identities may assume it; provision a fresh data directory to have its \
             trust policy evaluated"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IdentityRecord;
    use std::collections::BTreeSet;

    const POOL: &str = "us-east-1:0b7a8f3e-4a1c-4c7e-9d2b-5e6f7a8b9c0d";
    const PROVIDER: &str = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC";

    fn pool() -> IdentityPool {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let record = |id: &str, logins: &[&str]| IdentityRecord {
            merged_into: None,
            id: id.to_owned(),
            logins: logins
                .iter()
                .map(|l| (*l).to_owned())
                .collect::<BTreeSet<_>>(),
            created: now,
            last_modified: now,
        };
        IdentityPool {
            id: POOL.to_owned(),
            name: "p".to_owned(),
            allow_unauthenticated: true,
            allow_classic_flow: false,
            providers: Vec::new(),
            roles: BTreeMap::new(),
            identities: BTreeMap::from([
                (
                    "us-east-1:user".to_owned(),
                    record("us-east-1:user", &[&format!("{PROVIDER}|sub-1")]),
                ),
                ("us-east-1:guest".to_owned(), record("us-east-1:guest", &[])),
            ]),
            created: now,
        }
    }

    fn role(trust: Option<serde_json::Value>) -> Role {
        Role {
            arn: "arn:aws:iam::000000000000:role/r".to_owned(),
            policy: serde_json::json!({"Statement": []}),
            trust_policy: trust,
        }
    }

    #[test]
    fn token_claims_follow_cognito() {
        let pool = pool();
        let user = WebIdentity::of(&pool, "us-east-1:user", RoleKind::Authenticated);
        assert_eq!(
            user.amr,
            vec!["authenticated".to_owned(), PROVIDER.to_owned()]
        );
        assert_eq!(user.pool_id, POOL);
        let guest = WebIdentity::of(&pool, "us-east-1:guest", RoleKind::Unauthenticated);
        assert_eq!(guest.amr, vec!["unauthenticated".to_owned()]);
    }

    #[test]
    fn roles_trust_per_their_policy_and_legacy_roles_trust_everyone() {
        let pool = pool();
        let user = WebIdentity::of(&pool, "us-east-1:user", RoleKind::Authenticated);
        let guest = WebIdentity::of(&pool, "us-east-1:guest", RoleKind::Unauthenticated);
        let signed_in_only = role(Some(cognito_trust_policy(POOL, "authenticated")));
        assert!(role_trusts(&signed_in_only, &user));
        assert!(!role_trusts(&signed_in_only, &guest));
        let provider_only = role(Some(cognito_trust_policy(POOL, PROVIDER)));
        assert!(role_trusts(&provider_only, &user));
        assert!(!role_trusts(&provider_only, &guest));
        let other_pool = role(Some(cognito_trust_policy(
            "us-east-1:11111111-2222-3333-4444-555555555555",
            "*",
        )));
        assert!(!role_trusts(&other_pool, &user));
        assert!(!role_trusts(
            &role(Some(serde_json::json!({"no": "statements"}))),
            &user
        ));
        let legacy = role(None);
        assert!(role_trusts(&legacy, &user) && role_trusts(&legacy, &guest));
    }
}
