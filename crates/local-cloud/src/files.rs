//! The data directory: its layout and the one way files are written into it.
//!
//! Every file is written atomically (a temporary file in the same directory, fsynced, then
//! renamed over the target, then the directory fsynced), so a crash leaves either the old or the
//! new version, never a torn one. Files that hold secrets are created mode 0600 and the directory
//! itself 0700 (on Unix).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::LocalCloudError;

/// Where each file lives inside the data directory.
#[derive(Debug, Clone)]
pub struct DataPaths {
    /// The directory itself.
    pub dir: PathBuf,
    /// Pools, clients, users, keys, sessions.
    pub state: PathBuf,
    /// Every message sent, one JSON object per line.
    pub outbox: PathBuf,
    /// The admin key in AWS shared-credentials format.
    pub credentials: PathBuf,
    /// The client config for the demo backend.
    pub client_config: PathBuf,
}

impl DataPaths {
    /// The layout under `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            state: dir.join("state.json"),
            outbox: dir.join("outbox.jsonl"),
            credentials: dir.join("credentials"),
            client_config: dir.join("coffer.toml"),
        }
    }

    /// Creates the directory (0700 on Unix) if it does not exist.
    pub fn create_dir(&self) -> Result<(), LocalCloudError> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(&self.dir)
            .map_err(|e| LocalCloudError::io("creating", &self.dir, e))
    }
}

/// Whether a file may be read by others once written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Mode 0600: secrets.
    Private,
    /// Mode 0644: the client config, which holds no secret.
    Shared,
}

/// Atomically replaces `path` with `contents`.
pub fn write_atomically(
    path: &Path,
    contents: &[u8],
    visibility: Visibility,
) -> Result<(), LocalCloudError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let io = |e| LocalCloudError::io("writing", path, e);
    // NamedTempFile creates the file with mode 0600 on Unix.
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    temp.write_all(contents).map_err(io)?;
    #[cfg(unix)]
    if visibility == Visibility::Shared {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    #[cfg(not(unix))]
    let _ = visibility;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(path).map_err(|e| io(e.error))?;
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        // Best effort: makes the rename itself durable.
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_files_are_0600_and_replaced_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        write_atomically(&path, b"one", Visibility::Private).expect("writes");
        write_atomically(&path, b"two", Visibility::Private).expect("rewrites");
        assert_eq!(std::fs::read(&path).expect("reads"), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
