//! S3 on the local cloud: the REST/XML protocol by [`s3s`], objects in a filesystem store,
//! temporary credentials from identity pools, IAM policies per role.
//!
//! * [`store`] — buckets, objects and multipart uploads under `<data>/s3/`, streamed.
//! * [`checksums`] — CRC32, CRC32C, SHA-1, SHA-256, CRC64NVME verified on upload and returned.
//! * [`conditions`] — conditional reads (304/412) and conditional writes (412/409).
//! * [`service`] — the S3 operations; the longer ones in [`copy_object`] and
//!   [`delete_objects`].
//! * [`access`] — SigV4 secrets for access keys, session tokens, policy evaluation.
//!
//! Requests reach this service from [`crate::server`]: everything that is not a JSON 1.1 call
//! (`X-Amz-Target`) nor one of the local cloud's own paths is S3, path-style
//! (`/<bucket>/<key>`).

pub mod access;
pub mod checksums;
pub mod conditions;
pub mod copy_object;
pub mod delete_objects;
pub mod service;
pub mod store;

use std::sync::Arc;

use crate::clock::Clock;
use crate::credentials::AdminCredentials;
use crate::store::Store;

/// The s3s service for a local cloud.
pub fn build(
    objects: store::ObjectStore,
    state: Arc<Store>,
    admin: AdminCredentials,
    clock: Arc<dyn Clock>,
) -> s3s::service::S3Service {
    let authority = access::Authority::new(state, admin, Arc::clone(&clock));
    let mut builder = s3s::service::S3ServiceBuilder::new(service::LocalS3::new(objects, clock));
    builder.set_auth(access::CredentialsAuth(authority.clone()));
    builder.set_access(access::PolicyAccess(authority));
    builder.build()
}
