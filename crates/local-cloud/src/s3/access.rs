//! Who may do what on S3: temporary credentials (authentication) and the role's IAM policy
//! (authorisation).
//!
//! Authentication ([`CredentialsAuth`], s3s's `S3Auth`): s3s asks for the secret of the access
//! key in the request and verifies the SigV4 signature with it (headers, chunk signatures,
//! trailers). The local cloud's admin key answers with the admin secret; a temporary key
//! (`ASIA…`) answers with its secret while it is valid (`ExpiredToken` after its expiration by
//! the injected clock); anything else is `InvalidAccessKeyId`.
//!
//! Authorisation ([`PolicyAccess`], s3s's `S3Access`, run after the signature verified and
//! before the body is read): the admin key may do anything. A temporary key must come with its
//! session token (`X-Amz-Security-Token`, which the signature covers): absent ⇒
//! `InvalidAccessKeyId`, different ⇒ `InvalidToken` (compared as SHA-256 digests in constant
//! time). The request is then mapped to an IAM action, resource ARN and condition keys
//! ([`authorization_request`]) and evaluated against the role's policy with
//! `${cognito-identity.amazonaws.com:sub}` set to the identity id; anything but an Allow is
//! `AccessDenied`. Operations the local cloud does not map are denied.
//!
//! Two operations need more than one decision, as on AWS: CopyObject needs `s3:PutObject` on
//! the destination *and* `s3:GetObject` on the source named by `x-amz-copy-source`;
//! DeleteObjects has no request-level action at all — each listed key needs `s3:DeleteObject`
//! and a refused key is reported in the response, not as a failed request. For the latter the
//! check leaves a [`Grant`] (the caller's evaluated policy) in the request's extensions, which
//! the operation consults per key.

use std::collections::BTreeMap;
use std::sync::Arc;

use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::dto::CopySource;
use s3s::path::S3Path;
use s3s::{s3_error, S3Result};
use subtle::ConstantTimeEq;

use crate::clock::Clock;
use crate::credentials::AdminCredentials;
use crate::identity::ops::session_token_digest;
use crate::model::TemporaryCredential;
use crate::policy::{Policy, Request};
use crate::store::Store;

/// The policy variable that names the identity.
pub const SUB_VARIABLE: &str = "cognito-identity.amazonaws.com:sub";
/// The policy variable that names the identity pool.
pub const AUD_VARIABLE: &str = "cognito-identity.amazonaws.com:aud";

/// The IAM view of one S3 request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// `s3:GetObject`, …
    pub action: String,
    /// `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`, or `*` for ListBuckets.
    pub resource: String,
    /// Condition keys (`s3:prefix`, `s3:delimiter`, `s3:max-keys`).
    pub context: BTreeMap<String, String>,
}

/// Maps an s3s operation name, path and query string to the IAM action, resource and condition
/// keys AWS evaluates for it; `None` for operations the local cloud does not authorise.
pub fn authorization_request(
    op: &str,
    path: &S3Path,
    query: Option<&str>,
) -> Option<AuthorizationRequest> {
    let (bucket, key) = match path {
        S3Path::Root => (None, None),
        S3Path::Bucket { bucket } => (Some(&**bucket), None),
        S3Path::Object { bucket, key } => (Some(&**bucket), Some(&**key)),
    };
    let object = || Some(format!("arn:aws:s3:::{}/{}", bucket?, key?));
    let bucket_arn = || Some(format!("arn:aws:s3:::{}", bucket?));
    let (action, resource) = match op {
        "PutObject" | "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload" => {
            ("s3:PutObject", object()?)
        }
        "GetObject" | "HeadObject" => ("s3:GetObject", object()?),
        "DeleteObject" => ("s3:DeleteObject", object()?),
        "AbortMultipartUpload" => ("s3:AbortMultipartUpload", object()?),
        "ListParts" => ("s3:ListMultipartUploadParts", object()?),
        "ListObjectsV2" | "ListObjects" | "HeadBucket" => ("s3:ListBucket", bucket_arn()?),
        "ListMultipartUploads" => ("s3:ListBucketMultipartUploads", bucket_arn()?),
        "CreateBucket" => ("s3:CreateBucket", bucket_arn()?),
        "ListBuckets" => ("s3:ListAllMyBuckets", "*".to_owned()),
        // The destination; the source is checked from `x-amz-copy-source` ([`copy_source_arn`]).
        "CopyObject" => ("s3:PutObject", object()?),
        _ => return None,
    };
    let mut context = BTreeMap::new();
    if action == "s3:ListBucket" && op != "HeadBucket" {
        for (name, value) in form_pairs(query.unwrap_or_default()) {
            let condition_key = match name.as_str() {
                "prefix" => "s3:prefix",
                "delimiter" => "s3:delimiter",
                "max-keys" => "s3:max-keys",
                _ => continue,
            };
            context.insert(condition_key.to_owned(), value);
        }
    }
    Some(AuthorizationRequest {
        action: action.to_owned(),
        resource,
        context,
    })
}

/// The ARN of the object a CopyObject reads (`x-amz-copy-source: /bucket/key`, percent-encoded,
/// optionally `?versionId=`); `None` if the header is missing or malformed.
pub fn copy_source_arn(header: Option<&str>) -> Option<String> {
    match CopySource::parse(header?).ok()? {
        CopySource::Bucket { bucket, key, .. } => Some(format!("arn:aws:s3:::{bucket}/{key}")),
        _ => None,
    }
}

/// What the caller may do, once authenticated: the admin key anything, a temporary key what
/// its role's policy allows for its identity. Left in the request's extensions by
/// [`PolicyAccess`] for operations that decide per item (DeleteObjects).
#[derive(Debug, Clone)]
pub struct Grant(GrantKind);

#[derive(Debug, Clone)]
enum GrantKind {
    Admin,
    Role {
        policy: Policy,
        variables: BTreeMap<String, String>,
    },
}

impl Grant {
    /// The admin key's grant.
    pub fn admin() -> Self {
        Self(GrantKind::Admin)
    }

    /// A role's grant: `policy` evaluated for the identity `identity_id` of `identity_pool_id`.
    pub fn role(policy: Policy, identity_id: &str, identity_pool_id: &str) -> Self {
        let variables = BTreeMap::from([
            (SUB_VARIABLE.to_owned(), identity_id.to_owned()),
            (AUD_VARIABLE.to_owned(), identity_pool_id.to_owned()),
        ]);
        Self(GrantKind::Role { policy, variables })
    }

    /// Whether `action` on `resource` (with condition keys `context`) is allowed.
    pub fn allows(&self, action: &str, resource: &str, context: &BTreeMap<String, String>) -> bool {
        match &self.0 {
            GrantKind::Admin => true,
            GrantKind::Role { policy, variables } => policy
                .evaluate(
                    &Request {
                        action,
                        resource,
                        context,
                    },
                    variables,
                )
                .is_allowed(),
        }
    }
}

/// Decodes `a=b&c=d` (percent-encoding and `+` as space).
fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(name), decode(value))
        })
        .collect()
}

/// What both halves need: the credentials in the store, the admin key, the clock.
#[derive(Clone)]
pub struct Authority {
    store: Arc<Store>,
    admin: AdminCredentials,
    clock: Arc<dyn Clock>,
}

impl Authority {
    /// An authority over `store`.
    pub fn new(store: Arc<Store>, admin: AdminCredentials, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            admin,
            clock,
        }
    }

    fn is_admin(&self, access_key: &str) -> bool {
        bool::from(
            access_key
                .as_bytes()
                .ct_eq(self.admin.access_key_id.as_bytes()),
        )
    }

    /// The temporary credential `access_key` with its role's policy, if both exist.
    async fn lookup(
        &self,
        access_key: &str,
    ) -> S3Result<Option<(TemporaryCredential, Option<serde_json::Value>)>> {
        let store = Arc::clone(&self.store);
        let key = access_key.to_owned();
        tokio::task::spawn_blocking(move || {
            store.inspect(|inner| {
                inner
                    .state
                    .credentials
                    .get(&key)
                    .cloned()
                    .map(|credential| {
                        let policy = inner
                            .state
                            .roles
                            .get(&credential.role_arn)
                            .map(|r| r.policy.clone());
                        (credential, policy)
                    })
            })
        })
        .await
        .map_err(|_| s3_error!(InternalError))?
        .map_err(|_| s3_error!(InternalError))
    }

    fn live(&self, credential: &TemporaryCredential) -> S3Result<()> {
        if self.clock.now() >= credential.expiration {
            Err(s3_error!(ExpiredToken, "The provided token has expired."))
        } else {
            Ok(())
        }
    }
}

fn unknown_key() -> s3s::S3Error {
    s3_error!(
        InvalidAccessKeyId,
        "The AWS Access Key Id you provided does not exist in our records."
    )
}

/// s3s's `S3Auth`: the secret key of an access key.
pub struct CredentialsAuth(pub Authority);

#[async_trait::async_trait]
impl S3Auth for CredentialsAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        if self.0.is_admin(access_key) {
            return Ok(SecretKey::from(self.0.admin.secret_access_key.expose()));
        }
        let (credential, _) = self.0.lookup(access_key).await?.ok_or_else(unknown_key)?;
        self.0.live(&credential)?;
        Ok(SecretKey::from(credential.secret_access_key.expose()))
    }
}

/// s3s's `S3Access`: session tokens and IAM policies.
pub struct PolicyAccess(pub Authority);

fn session_token<'a>(cx: &'a S3AccessContext<'_>) -> Option<std::borrow::Cow<'a, str>> {
    if let Some(value) = cx.headers().get("x-amz-security-token") {
        return value.to_str().ok().map(std::borrow::Cow::Borrowed);
    }
    form_pairs(cx.uri().query().unwrap_or_default())
        .into_iter()
        .find(|(name, _)| name == "X-Amz-Security-Token")
        .map(|(_, value)| std::borrow::Cow::Owned(value))
}

#[async_trait::async_trait]
impl S3Access for PolicyAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let Some(credentials) = cx.credentials() else {
            return Err(s3_error!(AccessDenied, "Access Denied"));
        };
        let access_key = credentials.access_key.clone();
        if self.0.is_admin(&access_key) {
            cx.extensions_mut().insert(Grant::admin());
            return Ok(());
        }
        let (credential, policy) = self.0.lookup(&access_key).await?.ok_or_else(unknown_key)?;
        let Some(token) = session_token(cx) else {
            return Err(unknown_key());
        };
        let digest = session_token_digest(&token);
        if !bool::from(
            digest
                .as_bytes()
                .ct_eq(credential.session_token_sha256.as_bytes()),
        ) {
            return Err(s3_error!(
                InvalidToken,
                "The provided token is malformed or otherwise invalid."
            ));
        }
        self.0.live(&credential)?;

        let op = cx.s3_op().name().to_owned();
        let denied = || {
            tracing::info!(operation = %op, identity_id = %credential.identity_id, "s3 request denied by policy");
            s3_error!(AccessDenied, "Access Denied")
        };
        let policy = match policy.map(|p| Policy::from_value(&p)) {
            Some(Ok(policy)) => policy,
            Some(Err(err)) => {
                tracing::error!(role = %credential.role_arn, error = %err, "a role's policy does not parse; denying");
                return Err(denied());
            }
            None => {
                tracing::error!(role = %credential.role_arn, "a credential's role no longer exists; denying");
                return Err(denied());
            }
        };
        let grant = Grant::role(
            policy,
            &credential.identity_id,
            &credential.identity_pool_id,
        );
        if op == "DeleteObjects" {
            // Decided per key by the operation (see the module docs).
            cx.extensions_mut().insert(grant);
            return Ok(());
        }
        let Some(request) = authorization_request(&op, cx.s3_path(), cx.uri().query()) else {
            return Err(denied());
        };
        if !grant.allows(&request.action, &request.resource, &request.context) {
            return Err(denied());
        }
        if op == "CopyObject" {
            let header = cx
                .headers()
                .get("x-amz-copy-source")
                .and_then(|v| v.to_str().ok());
            // A malformed header is s3s's InvalidArgument, reported by the operation itself.
            if let Some(source) = copy_source_arn(header) {
                if !grant.allows("s3:GetObject", &source, &BTreeMap::new()) {
                    return Err(denied());
                }
            }
        }
        cx.extensions_mut().insert(grant);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(bucket: &str, key: &str) -> S3Path {
        S3Path::Object {
            bucket: bucket.into(),
            key: key.into(),
        }
    }

    #[test]
    fn multipart_steps_fall_under_put_object() {
        for op in [
            "PutObject",
            "CreateMultipartUpload",
            "UploadPart",
            "CompleteMultipartUpload",
        ] {
            let request =
                authorization_request(op, &object("b", "private/x/f"), None).expect("mapped");
            assert_eq!(request.action, "s3:PutObject");
            assert_eq!(request.resource, "arn:aws:s3:::b/private/x/f");
        }
        let abort =
            authorization_request("AbortMultipartUpload", &object("b", "k"), None).expect("mapped");
        assert_eq!(abort.action, "s3:AbortMultipartUpload");
        let parts = authorization_request("ListParts", &object("b", "k"), None).expect("mapped");
        assert_eq!(parts.action, "s3:ListMultipartUploadParts");
        let head = authorization_request("HeadObject", &object("b", "k"), None).expect("mapped");
        assert_eq!(head.action, "s3:GetObject");
    }

    #[test]
    fn listing_carries_its_condition_keys() {
        let bucket = S3Path::Bucket { bucket: "b".into() };
        let request = authorization_request(
            "ListObjectsV2",
            &bucket,
            Some("list-type=2&prefix=private%2Fus-east-1%3Aabc%2F&delimiter=%2F&max-keys=5"),
        )
        .expect("mapped");
        assert_eq!(request.action, "s3:ListBucket");
        assert_eq!(request.resource, "arn:aws:s3:::b");
        assert_eq!(request.context["s3:prefix"], "private/us-east-1:abc/");
        assert_eq!(request.context["s3:delimiter"], "/");
        assert_eq!(request.context["s3:max-keys"], "5");
        let bare =
            authorization_request("ListObjectsV2", &bucket, Some("list-type=2")).expect("mapped");
        assert!(bare.context.is_empty(), "no prefix, no s3:prefix key");
        let uploads = authorization_request("ListMultipartUploads", &bucket, Some("uploads"))
            .expect("mapped");
        assert_eq!(uploads.action, "s3:ListBucketMultipartUploads");
    }

    #[test]
    fn copy_object_names_both_ends() {
        let request = authorization_request("CopyObject", &object("b", "private/x/copy"), None)
            .expect("mapped");
        assert_eq!(request.action, "s3:PutObject");
        assert_eq!(request.resource, "arn:aws:s3:::b/private/x/copy");
        assert_eq!(
            copy_source_arn(Some("/bkt/private/x/a%20file%C3%A9.txt")).as_deref(),
            Some("arn:aws:s3:::bkt/private/x/a fileé.txt")
        );
        assert_eq!(
            copy_source_arn(Some("bkt/k?versionId=null")).as_deref(),
            Some("arn:aws:s3:::bkt/k")
        );
        assert_eq!(copy_source_arn(Some("no-key")), None);
        assert_eq!(copy_source_arn(None), None);
    }

    #[test]
    fn grants_evaluate_the_role_policy_for_the_identity() {
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject",
                "Resource":"arn:aws:s3:::b/private/${cognito-identity.amazonaws.com:sub}/*"}]}"#,
        )
        .expect("policy");
        let grant = Grant::role(policy, "us-east-1:me", "us-east-1:pool");
        let none = BTreeMap::new();
        assert!(grant.allows(
            "s3:DeleteObject",
            "arn:aws:s3:::b/private/us-east-1:me/f",
            &none
        ));
        assert!(!grant.allows(
            "s3:DeleteObject",
            "arn:aws:s3:::b/private/us-east-1:you/f",
            &none
        ));
        assert!(!grant.allows(
            "s3:GetObject",
            "arn:aws:s3:::b/private/us-east-1:me/f",
            &none
        ));
        assert!(Grant::admin().allows("s3:DeleteObject", "arn:aws:s3:::any/thing", &none));
    }

    #[test]
    fn unmapped_operations_are_not_authorised() {
        assert!(authorization_request(
            "PutBucketPolicy",
            &S3Path::Bucket { bucket: "b".into() },
            None
        )
        .is_none());
        assert!(authorization_request(
            "DeleteBucket",
            &S3Path::Bucket { bucket: "b".into() },
            None
        )
        .is_none());
        assert!(
            authorization_request("GetObject", &S3Path::Bucket { bucket: "b".into() }, None)
                .is_none()
        );
    }
}
