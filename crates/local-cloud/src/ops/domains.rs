//! CreateUserPoolDomain, DescribeUserPoolDomain, DeleteUserPoolDomain: the hosted UI's domain.
//!
//! On AWS a prefix domain `<prefix>` is served at `https://<prefix>.auth.<region>.amazoncognito.com`.
//! Browsers on a developer machine cannot resolve that without DNS set-up, so the local cloud
//! serves it under a path prefix of its own listener: `<endpoint>/_hosted/<prefix>` (see
//! [`crate::hosted_ui`]); clients append `/oauth2/authorize` etc. to that base exactly as to the
//! AWS one. Custom domains (`CustomDomainConfig`) are refused.

use serde::{Deserialize, Serialize};

use super::wire::Empty;
use super::{required, Ctx};
use crate::error::{CognitoError, ErrorKind};

/// The path under which a domain's hosted UI is served: `/_hosted/<prefix>`.
pub fn hosted_base_path(domain: &str) -> String {
    format!("/_hosted/{domain}")
}

/// The hosted UI's base URL on this server.
pub fn hosted_base_url(endpoint: &str, domain: &str) -> String {
    format!("{endpoint}{}", hosted_base_path(domain))
}

/// Checks a domain prefix: lowercase letters, digits and hyphens, 1–63, not starting or ending
/// with a hyphen, and none of the words AWS reserves.
pub fn check_domain_prefix(domain: &str) -> Result<(), CognitoError> {
    let well_formed = (1..=63).contains(&domain.len())
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !domain.starts_with('-')
        && !domain.ends_with('-');
    if !well_formed {
        return Err(CognitoError::constraint(
            "domain",
            "Member must satisfy regular expression pattern: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
        ));
    }
    if ["aws", "amazon", "cognito"]
        .iter()
        .any(|reserved| domain.contains(reserved))
    {
        return Err(CognitoError::invalid_parameter(
            "Domain cannot contain reserved word: aws, amazon or cognito.",
        ));
    }
    Ok(())
}

/// Gives `pool_id` the domain prefix `domain`.
pub fn create_domain(
    state: &mut crate::model::State,
    pool_id: &str,
    domain: &str,
) -> Result<(), CognitoError> {
    check_domain_prefix(domain)?;
    state.pool(pool_id)?;
    if state.hosted.domains.contains_key(domain) {
        return Err(CognitoError::invalid_parameter("Domain already exists."));
    }
    if state.hosted.domain_of_pool(pool_id).is_some() {
        return Err(CognitoError::invalid_parameter(format!(
            "User pool {pool_id} already has a domain configured."
        )));
    }
    state
        .hosted
        .domains
        .insert(domain.to_owned(), pool_id.to_owned());
    Ok(())
}

/// CreateUserPoolDomain request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolDomainRequest {
    domain: Option<String>,
    user_pool_id: Option<String>,
    custom_domain_config: Option<serde_json::Value>,
    managed_login_version: Option<i64>,
}

/// CreateUserPoolDomain response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolDomainResponse {
    managed_login_version: i64,
}

/// CreateUserPoolDomain (prefix domains only).
pub fn create_user_pool_domain(
    ctx: &mut Ctx<'_>,
    req: CreateUserPoolDomainRequest,
) -> Result<CreateUserPoolDomainResponse, CognitoError> {
    let domain = required(req.domain, "Domain")?;
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    if req.custom_domain_config.is_some() {
        return Err(CognitoError::new(
            ErrorKind::UnsupportedOperation,
            "Custom domains are not supported by the local cloud; use a prefix domain.",
        ));
    }
    create_domain(&mut ctx.inner.state, &pool_id, &domain)?;
    tracing::info!(user_pool_id = %pool_id, domain = %domain, "user pool domain created");
    Ok(CreateUserPoolDomainResponse {
        managed_login_version: req.managed_login_version.unwrap_or(1),
    })
}

/// DescribeUserPoolDomain request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolDomainRequest {
    domain: Option<String>,
}

/// DescribeUserPoolDomain response (empty description for an unknown domain, as on AWS).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeUserPoolDomainResponse {
    domain_description: serde_json::Value,
}

/// DescribeUserPoolDomain.
pub fn describe_user_pool_domain(
    ctx: &mut Ctx<'_>,
    req: DescribeUserPoolDomainRequest,
) -> Result<DescribeUserPoolDomainResponse, CognitoError> {
    let domain = required(req.domain, "Domain")?;
    let description = match ctx.inner.state.hosted.domains.get(&domain) {
        Some(pool_id) => serde_json::json!({
            "UserPoolId": pool_id,
            "Domain": domain,
            "CloudFrontDistribution": hosted_base_url(ctx.endpoint, &domain),
            "Status": "ACTIVE",
            "Version": "1",
        }),
        None => serde_json::json!({}),
    };
    Ok(DescribeUserPoolDomainResponse {
        domain_description: description,
    })
}

/// DeleteUserPoolDomain request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserPoolDomainRequest {
    domain: Option<String>,
    user_pool_id: Option<String>,
}

/// DeleteUserPoolDomain.
pub fn delete_user_pool_domain(
    ctx: &mut Ctx<'_>,
    req: DeleteUserPoolDomainRequest,
) -> Result<Empty, CognitoError> {
    let domain = required(req.domain, "Domain")?;
    let pool_id = required(req.user_pool_id, "UserPoolId")?;
    ctx.inner.state.pool(&pool_id)?;
    match ctx.inner.state.hosted.domains.get(&domain) {
        Some(owner) if *owner == pool_id => {
            ctx.inner.state.hosted.domains.remove(&domain);
            Ok(Empty {})
        }
        _ => Err(CognitoError::invalid_parameter(
            "No such domain or user pool exists.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_prefixes() {
        assert!(check_domain_prefix("coffer-demo").is_ok());
        assert!(check_domain_prefix("a").is_ok());
        for bad in [
            "",
            "-a",
            "a-",
            "Upper",
            "a.b",
            "my-aws-app",
            &"a".repeat(64),
        ] {
            assert!(check_domain_prefix(bad).is_err(), "{bad:?} accepted");
        }
    }
}
