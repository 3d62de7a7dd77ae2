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
//! - **Checked.** A source stored in one part has an MD5 ETag, sent as the new object's
//!   `Content-MD5`: a body that arrived different is refused (`BadDigest`), nothing is stored
//!   and the guest object is kept.
//! - **Idempotent.** Every copy names its source's ETag in its metadata
//!   (`x-amz-meta-coffer-moved-from-etag`): a run interrupted between a copy and its delete is
//!   finished by the next one without a second copy, multipart sources included.
//! - **Delete last.** The guest object is deleted only after its copy is stored.
//! - **Bounded by the guest credentials.** They cannot be renewed; a move that outlives them
//!   (an hour by default) stops with `CredentialsExpired`, and what was not moved stays where
//!   it was.
//! - Objects over 5 GiB (one PutObject's limit), keys Coffer would not write and files for which
//!   no free name was found stay and are reported, as in [`super::adopt`].

use aws_sdk_s3 as s3;

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
            let stored = match self.store_under_a_free_name(guest, &object, relative).await {
                Ok(stored) => stored,
                // Every name tried was taken (or too long): the next file may still go.
                Err(Error::Storage(StorageError::AlreadyExists { .. })) => {
                    adoption.left.push(left(LeftReason::NameTaken));
                    continue;
                }
                Err(error) => return Err(error),
            };
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
                // Copied by an earlier attempt that stopped before its delete.
                Some(found)
                    if found.size == object.size && self.is_copy_of(&target, object).await? =>
                {
                    return Ok(target);
                }
                Some(_) => continue,
                None => {}
            }
            match self.stream_from(guest, object, &target).await {
                Ok(()) => return Ok(target),
                // Taken since the lookup: by another run moving the same file (then done), or
                // by something else.
                Err(StorageError::AlreadyExists { .. }) => {
                    if self.is_copy_of(&target, object).await? {
                        return Ok(target);
                    }
                    continue;
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(StorageError::AlreadyExists {
            key: relative.to_owned(),
        }
        .into())
    }

    /// One create-only PutObject at `target` whose body is `object`'s GetObject body. A source
    /// stored in one part, unencrypted or under SSE-S3, has its MD5 as ETag: it goes along as
    /// `Content-MD5`, so S3 refuses a body that arrived different (`BadDigest`) and stores
    /// nothing.
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
        // Only where the ETag is the MD5 of the bytes: not under SSE-KMS (or SSE-C).
        let plain_etag = matches!(
            source.server_side_encryption(),
            None | Some(s3::types::ServerSideEncryption::Aes256)
        ) && source.sse_customer_algorithm().is_none();
        let content_md5 = source
            .e_tag()
            .filter(|_| plain_etag)
            .and_then(single_part_md5_base64);
        let mut metadata = source.metadata.clone().unwrap_or_default();
        if let Some(etag) = &object.etag {
            metadata.insert(MOVED_FROM_ETAG.to_owned(), unquoted(etag).to_owned());
        }
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(target.full())
            .content_length(length)
            .set_content_type(source.content_type.clone())
            .set_content_md5(content_md5)
            .set_metadata(Some(metadata))
            .if_none_match("*")
            .body(source.body)
            .send()
            .await
            .map_err(|error| self.sdk_error(Some(target), error))?;
        Ok(())
    }

    /// Whether the object at `target` (of `object`'s size) is the copy an earlier attempt
    /// stored: the guest object's ETag, or its metadata naming that ETag (a multipart source's
    /// copy has an ETag of its own).
    async fn is_copy_of(&self, target: &Key, object: &Listed) -> Result<bool, Error> {
        let Some(etag) = object.etag.as_deref() else {
            return Ok(false);
        };
        let head = self
            .s3
            .head_object()
            .bucket(&self.bucket)
            .key(target.full())
            .send()
            .await
            .map_err(|error| self.sdk_error(Some(target), error))?;
        if head.e_tag().map(unquoted) == Some(unquoted(etag)) {
            return Ok(true);
        }
        Ok(head
            .metadata()
            .and_then(|metadata| metadata.get(MOVED_FROM_ETAG))
            .is_some_and(|moved_from| moved_from == unquoted(etag)))
    }
}

/// The user metadata that names the ETag of the guest object a file was moved from.
const MOVED_FROM_ETAG: &str = "coffer-moved-from-etag";

fn unquoted(etag: &str) -> &str {
    etag.trim_matches('"')
}

/// The base64 `Content-MD5` of a single-part ETag (32 hex digits); `None` for a multipart
/// ETag (`<hex>-<parts>`) or anything else.
fn single_part_md5_base64(etag: &str) -> Option<String> {
    use base64::Engine as _;
    let digest = hex::decode(unquoted(etag)).ok().filter(|d| d.len() == 16)?;
    Some(base64::engine::general_purpose::STANDARD.encode(digest))
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
    use super::{alternative_name, single_part_md5_base64};

    #[test]
    fn only_single_part_etags_become_a_content_md5() {
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e; its base64 is 1B2M2Y8AsgTpgAmY7PhCfg==.
        assert_eq!(
            single_part_md5_base64("\"d41d8cd98f00b204e9800998ecf8427e\"").as_deref(),
            Some("1B2M2Y8AsgTpgAmY7PhCfg==")
        );
        assert_eq!(
            single_part_md5_base64("d41d8cd98f00b204e9800998ecf8427e-3"),
            None
        );
        assert_eq!(single_part_md5_base64("\"not-hex\""), None);
        assert_eq!(single_part_md5_base64("\"abcd\""), None);
    }

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
