//! Whose password is being proven: a user of a pool, or a remembered device.

use crate::SrpError;

/// Which SRP realm a computation belongs to.
///
/// Cognito hashes two strings in front of the password — `pool_name || user_id_for_srp` for
/// users, `device_group_key || device_key` for devices — and signs with the same two in front
/// of the secret block. Only their concatenation matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identity<'a> {
    /// USER_SRP_AUTH / PASSWORD_VERIFIER.
    User {
        /// The user pool id without its region: see [`pool_name`].
        pool_name: &'a str,
        /// The challenge's USER_ID_FOR_SRP (Cognito's internal user name, often the `sub`),
        /// not the name the user typed.
        user_id_for_srp: &'a str,
    },
    /// DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER.
    Device {
        /// NewDeviceMetadata.DeviceGroupKey.
        device_group_key: &'a str,
        /// NewDeviceMetadata.DeviceKey.
        device_key: &'a str,
    },
}

impl<'a> Identity<'a> {
    /// The two strings Cognito puts in front of the password and of the secret block.
    pub(crate) fn prefix(&self) -> [&'a str; 2] {
        match *self {
            Identity::User {
                pool_name,
                user_id_for_srp,
            } => [pool_name, user_id_for_srp],
            Identity::Device {
                device_group_key,
                device_key,
            } => [device_group_key, device_key],
        }
    }
}

/// The pool name SRP hashes: the user pool id after its first `_` (`us-east-1_AbC` → `AbC`).
pub fn pool_name(user_pool_id: &str) -> Result<&str, SrpError> {
    match user_pool_id.split_once('_') {
        Some((region, name)) if !region.is_empty() && !name.is_empty() => Ok(name),
        _ => Err(SrpError::InvalidPoolId),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_name_is_the_part_after_the_first_underscore() {
        assert_eq!(pool_name("us-east-1_AbC"), Ok("AbC"));
        assert_eq!(pool_name("eu-west-1_my_Pool"), Ok("my_Pool"));
    }

    #[test]
    fn pool_name_rejects_ids_without_both_parts() {
        for bad in ["", "AbC", "_AbC", "us-east-1_"] {
            assert_eq!(pool_name(bad), Err(SrpError::InvalidPoolId), "{bad:?}");
        }
    }
}
