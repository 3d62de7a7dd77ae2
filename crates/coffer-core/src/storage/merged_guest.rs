//! Moving a guest's files into the signed-in folder when the sign-in merged the guest identity
//! into an identity the user already had.
//!
//! **Why.** Cognito merges a guest identity offered with the logins of a user who already has
//! an identity into that identity, and disables it (see [`crate::identity`]): the guest files
//! under `guest/<guest id>/` are then out of reach of the user's role (which reads only its
//! own `guest/<own id>/`) and of the guest (refused credentials). Coffer takes guest
//! credentials just before offering the identity, and moves the files with both sets:
//! each object is read with the guest credentials and streamed, as it arrives, into a new
//! object under `private/<own id>/` written with the user's. Nothing passes through disk and
//! memory stays bounded by the HTTP buffers, whatever the file size.
//!
//! **Rules.**
//! - **Never overwrite, never lose.** Every write is create-only (`If-None-Match: *`). A name
//!   already taken in the signed-in folder gets the first free name of the form
//!   `name (guest).ext`, `name (guest 2).ext`, …: unlike after an adoption, a file left in a
//!   disabled guest folder could never be reached again.
//! - **Checked.** A source stored in one part has an MD5 ETag; the new object's ETag must equal
//!   it, or the move stops with `BadDigest` and the guest object is kept.
//! - **Delete last.** The guest object is deleted only after its copy is stored.
//! - **Bounded by the guest credentials.** They cannot be renewed; a move that outlives them
//!   (an hour by default) stops with `CredentialsExpired`, and what was not moved stays where
//!   it was.
//! - Objects over 5 GiB (one PutObject's limit) and keys Coffer would not write stay and are
//!   reported, as in [`super::adopt`].

use super::adopt::{LeftInGuestFolder, LeftReason, Listed, MAX_COPY_OBJECT_BYTES};
use super::key::Key;
use super::{Files, GuestAdoption, StorageError};
use crate::error::Error;

/// How many alternative names are tried for a file whose name is taken.
const MAX_ALTERNATIVE_NAMES: u32 = 50;

impl Files {
    /// Moves every file of `guest` (the merged guest identity's files, with its last
    /// credentials) into this signed-in folder; see the [module docs](self).
    pub(crate) async fn move_from_merged_guest(
        &self,
        guest: &Files,
    ) -> Result<GuestAdoption, Error> {
        let mut adoption = GuestAdoption {
            guest_identity_merged: true,
            ..GuestAdoption::default()
        };
        for object in guest.list_all(&guest.prefix, None).await? {
            let Some(relative) = object.key.strip_prefix(&guest.prefix) else {
                continue;
            };
            let left = |reason| LeftInGuestFolder {
                relative: relative.to_owned(),
                size: object.size,
                reason,
            };
            if Key::parse_relative(&self.prefix, relative).is_err() {
                adoption.left.push(left(LeftReason::NameNotAllowed));
                continue;
            }
            if object.size > MAX_COPY_OBJECT_BYTES {
                adoption.left.push(left(LeftReason::TooLarge));
                continue;
            }
            let stored = self
                .store_under_a_free_name(guest, &object, relative)
                .await?;
            if stored.relative() != relative {
                adoption.renamed.push((relative.to_owned(), stored.clone()));
            }
            guest.delete_full_key(&object.key).await?;
            adoption.moved.push(stored);
        }
        tracing::info!(
            moved = adoption.moved.len(),
            left = adoption.left.len(),
            "merged guest identity's files moved"
        );
        Ok(adoption)
    }

    /// Streams `object` from `guest` to `relative`, or to the first free alternative name.
    async fn store_under_a_free_name(
        &self,
        guest: &Files,
        object: &Listed,
        relative: &str,
    ) -> Result<Key, Error> {
        for attempt in 0..=MAX_ALTERNATIVE_NAMES {
            let name = alternative_name(relative, attempt);
            let Ok(target) = Key::parse_relative(&self.prefix, &name) else {
                continue;
            };
            match self.existing(&target).await? {
                // Copied by an earlier attempt in this process that stopped before its delete.
                Some(found) if found.size == object.size && found.etag == object.etag => {
                    return Ok(target);
                }
                Some(_) => continue,
                None => {}
            }
            match self.stream_from(guest, object, &target).await {
                Ok(()) => return Ok(target),
                // Taken since the lookup.
                Err(StorageError::AlreadyExists { .. }) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(StorageError::AlreadyExists {
            key: relative.to_owned(),
        }
        .into())
    }

    /// One create-only PutObject at `target` whose body is `object`'s GetObject body.
    async fn stream_from(
        &self,
        guest: &Files,
        object: &Listed,
        target: &Key,
    ) -> Result<(), StorageError> {
        let source = guest
            .s3
            .get_object()
            .bucket(&guest.bucket)
            .key(&object.key)
            .send()
            .await
            .map_err(|error| guest.sdk_error(None, error))?;
        let length = source
            .content_length()
            .unwrap_or_else(|| i64::try_from(object.size).unwrap_or(i64::MAX));
        let stored = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(target.full())
            .content_length(length)
            .set_content_type(source.content_type.clone())
            .set_metadata(source.metadata.clone())
            .if_none_match("*")
            .body(source.body)
            .send()
            .await
            .map_err(|error| self.sdk_error(Some(target), error))?;
        let single_part_md5 = object.etag.as_deref().filter(|etag| !etag.contains('-'));
        if let Some(expected) = single_part_md5 {
            if stored.e_tag() != Some(expected) {
                return Err(StorageError::Service {
                    code: "BadDigest".into(),
                    message: Some(format!(
                        "the copy of {} does not have the ETag of the guest file",
                        target.relative()
                    )),
                });
            }
        }
        Ok(())
    }
}

/// `relative` itself (attempt 0), else its name with ` (guest)` or ` (guest N)` before the
/// extension: `docs/a.txt` → `docs/a (guest).txt`, `docs/a (guest 2).txt`, …
fn alternative_name(relative: &str, attempt: u32) -> String {
    if attempt == 0 {
        return relative.to_owned();
    }
    let (dir, name) = match relative.rsplit_once('/') {
        Some((dir, name)) => (format!("{dir}/"), name),
        None => (String::new(), relative),
    };
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (name, String::new()),
    };
    let tag = if attempt == 1 {
        " (guest)".to_owned()
    } else {
        format!(" (guest {attempt})")
    };
    format!("{dir}{stem}{tag}{extension}")
}

#[cfg(test)]
mod tests {
    use super::alternative_name;

    #[test]
    fn alternative_names_keep_the_folder_and_the_extension() {
        assert_eq!(alternative_name("docs/a.txt", 0), "docs/a.txt");
        assert_eq!(alternative_name("docs/a.txt", 1), "docs/a (guest).txt");
        assert_eq!(alternative_name("docs/a.txt", 2), "docs/a (guest 2).txt");
        assert_eq!(
            alternative_name("report.tar.gz", 1),
            "report.tar (guest).gz"
        );
        assert_eq!(alternative_name("README", 1), "README (guest)");
        assert_eq!(alternative_name(".env", 3), ".env (guest 3)");
        assert_eq!(alternative_name("d.x/noext", 1), "d.x/noext (guest)");
    }
}
