//! The one store every request goes through.
//!
//! Design: all mutable data sits behind one `Mutex`. An operation is a plain synchronous
//! function over [`Inner`]; [`Store::run`] holds the lock for the whole operation (run on a
//! blocking thread by the server), so concurrent requests are serialised and each sees a
//! consistent state. After the operation, successful or not (a failed code attempt is a change
//! too), the state is serialised and, if it differs from what is on disk, written atomically to
//! `state.json` (mode 0600).
//!
//! Failure isolation: a panic inside an operation is caught while the lock is held, the state is
//! restored from the last persisted snapshot and the request gets `InternalErrorException`; the
//! mutex is never poisoned, so one bad request cannot take the server down. A failed write also
//! rolls the in-memory state back, so memory never runs ahead of the disk.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use crate::challenges::Challenges;
use crate::error::{CognitoError, LocalCloudError};
use crate::files::{write_atomically, DataPaths, Visibility};
use crate::jwt::KeyCache;
use crate::model::{State, STATE_FORMAT_VERSION};
use crate::outbox::Outbox;

/// Everything an operation may read or change.
#[derive(Debug)]
pub struct Inner {
    /// The persistent state.
    pub state: State,
    /// Pending challenges (memory only).
    pub challenges: Challenges,
    /// The outbox (append-only file plus memory).
    pub outbox: Outbox,
    /// Parsed signing keys.
    pub keys: KeyCache,
}

/// The shared store.
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Locked>,
    paths: DataPaths,
}

#[derive(Debug)]
struct Locked {
    inner: Inner,
    /// The bytes last written to `state.json`.
    persisted: Vec<u8>,
}

impl Store {
    /// Opens the data directory, loading `state.json` if present.
    pub fn open(paths: DataPaths) -> Result<Self, LocalCloudError> {
        paths.create_dir()?;
        let (state, persisted) = match std::fs::read(&paths.state) {
            Ok(bytes) => (parse_state(&paths, &bytes)?, bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (State::default(), Vec::new()),
            Err(e) => return Err(LocalCloudError::io("reading", &paths.state, e)),
        };
        let outbox = Outbox::open(&paths.outbox)?;
        Ok(Self {
            inner: Mutex::new(Locked {
                inner: Inner {
                    state,
                    challenges: Challenges::default(),
                    outbox,
                    keys: KeyCache::default(),
                },
                persisted,
            }),
            paths,
        })
    }

    /// The data-directory layout.
    pub fn paths(&self) -> &DataPaths {
        &self.paths
    }

    /// Runs `op` with exclusive access, then persists whatever it changed.
    pub fn run<T>(
        &self,
        op: impl FnOnce(&mut Inner) -> Result<T, CognitoError>,
    ) -> Result<T, CognitoError> {
        // The mutex cannot be poisoned: panics are caught below while it is held.
        let mut locked = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let result = match catch_unwind(AssertUnwindSafe(|| op(&mut locked.inner))) {
            Ok(result) => result,
            Err(_) => {
                tracing::error!("an operation panicked; state rolled back to the last snapshot");
                self.roll_back(&mut locked);
                return Err(CognitoError::internal());
            }
        };
        match self.persist(&mut locked) {
            Ok(()) => result,
            Err(err) => {
                tracing::error!(error = %err, "cannot persist the state; change rolled back");
                self.roll_back(&mut locked);
                Err(CognitoError::internal())
            }
        }
    }

    /// Runs a read-only `op` (it may fill caches, but must not change the persistent state).
    pub fn inspect<T>(&self, op: impl FnOnce(&mut Inner) -> T) -> Result<T, CognitoError> {
        let mut locked = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        catch_unwind(AssertUnwindSafe(|| op(&mut locked.inner))).map_err(|_| {
            tracing::error!("a read-only operation panicked");
            CognitoError::internal()
        })
    }

    /// Like [`Self::run`] for start-up work, reporting persistence failures as such.
    pub fn run_startup<T>(
        &self,
        op: impl FnOnce(&mut Inner) -> Result<T, LocalCloudError>,
    ) -> Result<T, LocalCloudError> {
        let mut locked = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let value = op(&mut locked.inner)?;
        self.persist(&mut locked)?;
        Ok(value)
    }

    fn persist(&self, locked: &mut Locked) -> Result<(), LocalCloudError> {
        let bytes = serde_json::to_vec_pretty(&locked.inner.state).map_err(|_| {
            LocalCloudError::CorruptData {
                path: self.paths.state.clone(),
                reason: "state cannot be serialised".into(),
            }
        })?;
        if bytes != locked.persisted {
            write_atomically(&self.paths.state, &bytes, Visibility::Private)?;
            locked.persisted = bytes;
        }
        Ok(())
    }

    fn roll_back(&self, locked: &mut Locked) {
        locked.inner.state = if locked.persisted.is_empty() {
            State::default()
        } else {
            match parse_state(&self.paths, &locked.persisted) {
                Ok(state) => state,
                Err(err) => {
                    // The snapshot was produced by this process, so it always parses.
                    tracing::error!(error = %err, "cannot re-read the state snapshot");
                    State::default()
                }
            }
        };
        locked.inner.keys.clear();
    }
}

fn parse_state(paths: &DataPaths, bytes: &[u8]) -> Result<State, LocalCloudError> {
    let corrupt = |reason: String| LocalCloudError::CorruptData {
        path: paths.state.clone(),
        reason,
    };
    let state: State = serde_json::from_slice(bytes).map_err(|e| {
        corrupt(format!(
            "unreadable at line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    if state.format_version != STATE_FORMAT_VERSION {
        return Err(corrupt(format!(
            "format version {} (this build reads {STATE_FORMAT_VERSION})",
            state.format_version
        )));
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DemoIds;

    fn demo(id: &str) -> Option<DemoIds> {
        Some(DemoIds {
            user_pool_id: id.into(),
            client_id: "c".into(),
            identity_pool_id: None,
            bucket: None,
        })
    }

    #[test]
    fn changes_persist_and_a_panic_rolls_back_without_poisoning() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(DataPaths::new(dir.path())).expect("opens");
        store
            .run(|inner| {
                inner.state.demo = demo("kept");
                Ok(())
            })
            .expect("runs");
        let on_disk = std::fs::read_to_string(dir.path().join("state.json")).expect("written");
        assert!(on_disk.contains("kept"));

        let result = store.run::<()>(|inner| {
            inner.state.demo = demo("half-done");
            panic!("a bug in an operation");
        });
        assert_eq!(
            result.expect_err("panicked").kind,
            crate::error::ErrorKind::InternalError
        );
        let seen = store
            .run(|inner| Ok(inner.state.demo.clone()))
            .expect("still usable");
        assert_eq!(seen.map(|d| d.user_pool_id).as_deref(), Some("kept"));

        let reopened = Store::open(DataPaths::new(dir.path())).expect("reopens");
        let seen = reopened
            .run(|inner| Ok(inner.state.demo.clone()))
            .expect("runs");
        assert_eq!(seen.map(|d| d.user_pool_id).as_deref(), Some("kept"));
    }

    #[test]
    fn a_state_file_from_another_version_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("state.json"),
            r#"{"format_version": 99, "pools": {}, "demo": null}"#,
        )
        .expect("writes");
        let err = Store::open(DataPaths::new(dir.path())).expect_err("refused");
        assert_eq!(err.code(), "corrupt_data");
    }
}
