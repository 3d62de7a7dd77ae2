//! The admin access key: the credentials that SigV4-signed calls (Create*, Describe*, List*,
//! Admin*) must be signed with.
//!
//! A random key pair is made once per data directory and kept in `<data>/credentials` in AWS
//! shared-credentials format under the profile `[coffer-local-admin]` (mode 0600), so
//! `AWS_SHARED_CREDENTIALS_FILE=<data>/credentials AWS_PROFILE=coffer-local-admin` works with
//! boto3, the AWS CLI and the SDKs. Next to it, `<data>/aws-config` names the region and the
//! endpoint for that profile (rewritten on each start, as the port may change).
//!
//! Security note: the secret key is necessarily in plain text in that file, like any AWS
//! credentials file; it only opens the admin API of this loopback emulator.

use std::fmt;

use crate::error::LocalCloudError;
use crate::files::{write_atomically, DataPaths, Visibility};
use crate::ids;
use crate::secrets::SecretAccessKey;

/// The profile name in the credentials file.
pub const PROFILE: &str = "coffer-local-admin";

/// The admin access key of a local cloud.
#[derive(Clone)]
pub struct AdminCredentials {
    /// The access key id (`AKIA…`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: SecretAccessKey,
}

impl fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .finish()
    }
}

impl AdminCredentials {
    /// Loads the key from `<data>/credentials`, creating it on first start.
    pub fn load_or_create(paths: &DataPaths) -> Result<Self, LocalCloudError> {
        match std::fs::read_to_string(&paths.credentials) {
            Ok(text) => parse(&text).ok_or_else(|| LocalCloudError::CorruptData {
                path: paths.credentials.clone(),
                reason: format!(
                    "no [{PROFILE}] profile with aws_access_key_id and aws_secret_access_key"
                ),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let credentials = Self {
                    access_key_id: ids::access_key_id(),
                    secret_access_key: SecretAccessKey::new(ids::secret_access_key()),
                };
                let text = zeroize::Zeroizing::new(format!(
                    "[{PROFILE}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
                    credentials.access_key_id,
                    credentials.secret_access_key.expose()
                ));
                write_atomically(&paths.credentials, text.as_bytes(), Visibility::Private)?;
                Ok(credentials)
            }
            Err(e) => Err(LocalCloudError::io("reading", &paths.credentials, e)),
        }
    }
}

/// Writes `<data>/aws-config` naming the region and endpoint of the admin profile.
pub fn write_aws_config(
    paths: &DataPaths,
    region: &str,
    endpoint: &str,
) -> Result<(), LocalCloudError> {
    let text = format!("[profile {PROFILE}]\nregion = {region}\nendpoint_url = {endpoint}\n");
    write_atomically(
        &paths.dir.join("aws-config"),
        text.as_bytes(),
        Visibility::Shared,
    )
}

fn parse(text: &str) -> Option<AdminCredentials> {
    let mut in_profile = false;
    let mut key_id = None;
    let mut secret = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_profile = line == format!("[{PROFILE}]");
            continue;
        }
        if !in_profile {
            continue;
        }
        if let Some((name, value)) = line.split_once('=') {
            match name.trim() {
                "aws_access_key_id" => key_id = Some(value.trim().to_owned()),
                "aws_secret_access_key" => {
                    secret = Some(SecretAccessKey::new(value.trim().to_owned()))
                }
                _ => {}
            }
        }
    }
    Some(AdminCredentials {
        access_key_id: key_id.filter(|k| !k.is_empty())?,
        secret_access_key: secret.filter(|s| !s.expose().is_empty())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reloaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = DataPaths::new(dir.path());
        let first = AdminCredentials::load_or_create(&paths).expect("creates");
        let again = AdminCredentials::load_or_create(&paths).expect("loads");
        assert_eq!(first.access_key_id, again.access_key_id);
        assert_eq!(
            first.secret_access_key.expose(),
            again.secret_access_key.expose()
        );
        assert!(!format!("{first:?}").contains(first.secret_access_key.expose()));
        let text = std::fs::read_to_string(&paths.credentials).expect("reads");
        assert!(text.starts_with("[coffer-local-admin]\n"));
    }

    #[test]
    fn other_profiles_are_ignored() {
        let text = "[default]\naws_access_key_id = A\naws_secret_access_key = B\n";
        assert!(parse(text).is_none());
    }
}
