//! Cognito identity pools: identities for signed-in users and guests, and the temporary AWS
//! credentials that let them act under the pool's IAM roles.
//!
//! * [`logins`] validates user-pool ID tokens presented as `Logins`.
//! * [`ops`] implements the `AWSCognitoIdentityService.*` operations.
//! * [`trust`] decides whether a role's trust policy lets an identity assume it, as STS does
//!   when Cognito hands out credentials.
//!
//! Security notes: a temporary secret key is kept in the 0600 state file (it is needed to check
//! SigV4 signatures); the session token is kept only as a SHA-256 digest. Neither is logged:
//! log lines name the identity and the access key id only.

pub mod logins;
pub mod ops;
pub mod trust;
