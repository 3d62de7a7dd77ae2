//! Moving a guest's files into the signed-in folder after a sign-in that adopted the guest
//! identity.
//!
//! **Why.** A guest's files live under `guest/<identity id>/`. When that guest signs in and
//! has no identity of their own yet, Cognito links the guest identity to the user, so the
//! identity id stays the same (see [`crate::identity`]), but the signed-in role works under
//! `private/<identity id>/`. Without a move, the guest uploads would stay where the signed-in
//! app never looks, and a guest can no longer reach them either: the identity is
//! authenticated now and is refused unauthenticated credentials.
//!
//! **Permissions.** The authenticated role is allowed `s3:GetObject`, `s3:DeleteObject` and
//! `s3:ListBucket` (with `s3:prefix` under it) on `guest/${cognito-identity.amazonaws.com:sub}/`
//! — the caller's *own* identity id, so nobody reads another identity's guest files
//! (`infra/coffer.yaml` and the local cloud's demo roles). Everything runs with the signed-in
//! credentials; no guest credentials are needed.
//!
//! **How.** [`Files::adopt_guest_files`] lists `guest/<id>/` and, for every object, makes a
//! server-side CopyObject to `private/<id>/<same relative key>` and then deletes the guest
//! object. Rules:
//!
//! - **Never overwrite.** The copy is conditional, `If-None-Match: *` on the destination
//!   (CopyObject API reference: "Copies the object only if the object key name at the
//!   destination does not already exist"): S3 refuses it atomically with 412, or 409 when a
//!   concurrent write won, and the file stays in the guest folder, reported as a conflict.
//!   Before copying, the private key is also looked up with a ListObjectsV2 of that exact key
//!   as prefix (`max-keys` 1), for the idempotency rule below. Not HeadObject: on AWS, HEAD of
//!   a missing key answers 403 instead of 404 unless the caller may list the bucket without a
//!   prefix condition ("If you don't have the s3:ListBucket permission, Amazon S3 returns an
//!   HTTP status code 403 Forbidden error", HeadObject API reference), and Coffer's roles may
//!   list only with an `s3:prefix`.
//! - **Idempotent.** Interrupted after a copy but before its delete, the next run finds the
//!   private object with the same size and ETag as the guest one and only deletes the guest
//!   copy. (The ETag of a copy equals its source's for objects stored in one part with
//!   SSE-S3, as Coffer's bucket is; for a multipart source the ETags differ and the leftover
//!   is reported as a conflict: both are kept, nothing is lost.)
//! - **5 GiB.** CopyObject copies at most 5 GB; larger objects need UploadPartCopy, which
//!   Coffer does not implement. They stay in the guest folder and are reported as too large.
//! - Keys that Coffer would not write (see [`super::key`]) stay where they are and are
//!   reported.

use aws_sdk_s3 as s3;

use super::key::Key;
use super::{Files, StorageError};
use crate::client::Client;
use crate::error::Error;
use crate::identity::IdentityMode;

/// The largest object one CopyObject may copy: 5 GiB (API reference, CopyObject).
pub const MAX_COPY_OBJECT_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// What [`Files::adopt_guest_files`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestAdoption {
    /// Files now in the signed-in folder (their new keys).
    pub moved: Vec<Key>,
    /// Files left in the guest folder, and why.
    pub left: Vec<LeftInGuestFolder>,
    /// Moved files stored under another name because theirs was taken: the name in the guest
    /// folder and the new key (also in `moved`). Only after a merge (below); an adoption
    /// leaves such files in the guest folder.
    pub renamed: Vec<(String, Key)>,
    /// The sign-in merged the guest identity into an identity the user already had, which
    /// disabled it: the files were streamed across with its last credentials, and any left
    /// behind cannot be moved later (see `merged_guest.rs`). `false` when the guest identity
    /// became the user's: what is left is retried at the next sign-in.
    pub guest_identity_merged: bool,
}

impl GuestAdoption {
    /// True when nothing was found in the guest folder.
    pub fn is_empty(&self) -> bool {
        self.moved.is_empty() && self.left.is_empty()
    }
}

/// A guest file that was not moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftInGuestFolder {
    /// Its key relative to the guest folder.
    pub relative: String,
    /// Its size in bytes.
    pub size: u64,
    /// Why it stayed.
    pub reason: LeftReason,
}

/// Why a guest file stayed in the guest folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeftReason {
    /// The signed-in folder already holds a different file of that name.
    NameTaken,
    /// Larger than one CopyObject may copy (5 GiB).
    TooLarge,
    /// A key Coffer would not write (see [`super::key`]).
    NameNotAllowed,
}

impl LeftReason {
    /// Stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::NameTaken => "already_exists",
            Self::TooLarge => "file_too_large",
            Self::NameNotAllowed => "invalid_key",
        }
    }
}

/// One object as a listing reports it.
pub(super) struct Listed {
    pub(super) key: String,
    pub(super) size: u64,
    pub(super) etag: Option<String>,
}

impl Client {
    /// Right after a sign-in: moves the files the user uploaded as a guest into their
    /// signed-in folder ([`Files::adopt_guest_files`]) when this sign-in adopted the guest
    /// identity — or an earlier one did and its move left something behind. Resolving the
    /// signed-in identity here is what offers the stored guest identity to the user (see
    /// [`crate::identity`]).
    ///
    /// When Cognito gave the user their own, older identity instead (they had one already) and
    /// merged the guest identity into it, the guest files are streamed across with the guest
    /// credentials taken before the merge ([`Files::move_from_merged_guest`], in
    /// `merged_guest.rs`). Those are kept in the keychain from the offer on
    /// (`identity/guest_handover.rs`), so whichever process made the offer, any later run for
    /// the same user moves the files while they last (an hour by default).
    ///
    /// `None`, without any network call, when there is nothing to do: no identity pool or
    /// bucket in the config, no guest identity waiting to be adopted or merged, and no
    /// unfinished move.
    pub async fn adopt_guest_files(&self) -> Result<Option<GuestAdoption>, Error> {
        if self.config().bucket().is_none() {
            return Ok(None);
        }
        let sub = self.whoami().await?.sub;
        let (Some(user_key), Some(guest_key), Some(marker)) = (
            self.identity_store_key(IdentityMode::SignedIn, Some(&sub)),
            self.identity_store_key(IdentityMode::Guest, None),
            self.guest_files_marker_key(&sub),
        ) else {
            return Ok(None);
        };
        // The identity module offers the guest identity only to a user with no known id.
        let adoption_pending = self.load_plain(user_key).await?.is_none()
            && self.load_plain(guest_key).await?.is_some();
        let handover = self.load_guest_handover(&sub).await?;
        if !adoption_pending
            && handover.is_none()
            && self.load_plain(marker.clone()).await?.is_none()
        {
            return Ok(None);
        }
        // Resolving the signed-in identity makes the offer, when one is pending.
        let files = self.files(IdentityMode::SignedIn).await?;
        if let Some(handover) = self.load_guest_handover(&sub).await? {
            // A move needs a few minutes of the guest credentials' life.
            if !handover.is_valid_at(self.now() + time::Duration::minutes(2)) {
                if handover.is_merged() {
                    tracing::warn!(
                        "the merged guest identity's credentials expired before its files were moved"
                    );
                }
                self.delete_guest_handover(&sub).await?;
            } else if handover.is_merged() {
                let credentials = self.fixed_credentials(
                    IdentityMode::Guest,
                    handover.identity_id().to_owned(),
                    handover.credentials(),
                );
                let guest = Files::new(self, credentials).await?;
                let adoption = files.move_from_merged_guest(&guest).await?;
                // What was left can never be moved (module docs of merged_guest.rs).
                self.delete_guest_handover(&sub).await?;
                return Ok(Some(adoption));
            }
        }
        if self.load_plain(marker.clone()).await?.is_none() {
            return Ok(None);
        }
        let adoption = files.adopt_guest_files().await?;
        if adoption.left.is_empty() {
            self.delete_plain(marker).await?;
        }
        Ok(Some(adoption))
    }

    /// Whether the files of a guest identity merged into the signed-in user's own are waiting
    /// to be moved by [`Client::adopt_guest_files`], with guest credentials that still work:
    /// a failed move is worth retrying soon, as they expire (an hour by default).
    pub async fn merged_guest_files_waiting(&self) -> bool {
        let Ok(who) = self.whoami().await else {
            return false;
        };
        matches!(
            self.load_guest_handover(&who.sub).await,
            Ok(Some(handover)) if handover.is_merged() && handover.is_valid_at(self.now())
        )
    }
}

impl Files {
    /// The guest folder of this identity: `guest/<identity id>/`.
    pub async fn guest_prefix(&self) -> Result<String, Error> {
        Ok(format!(
            "{}/{}/",
            IdentityMode::Guest.folder(),
            self.credentials.identity_id().await?
        ))
    }

    /// Moves every file of this identity's guest folder into its signed-in folder (same
    /// relative key), never replacing a file; see the [module docs](self). Safe to run again:
    /// a run that was interrupted is finished by the next one, and an empty guest folder costs
    /// one listing. For a guest's own files (nothing to move into) it does nothing.
    pub async fn adopt_guest_files(&self) -> Result<GuestAdoption, Error> {
        let mut adoption = GuestAdoption::default();
        if self.credentials.mode() != IdentityMode::SignedIn {
            return Ok(adoption);
        }
        let guest_prefix = self.guest_prefix().await?;
        for object in self.list_all(&guest_prefix, None).await? {
            let Some(relative) = object.key.strip_prefix(&guest_prefix) else {
                continue;
            };
            let left = |reason| LeftInGuestFolder {
                relative: relative.to_owned(),
                size: object.size,
                reason,
            };
            let Ok(target) = Key::parse_relative(&self.prefix, relative) else {
                adoption.left.push(left(LeftReason::NameNotAllowed));
                continue;
            };
            if object.size > MAX_COPY_OBJECT_BYTES {
                adoption.left.push(left(LeftReason::TooLarge));
                continue;
            }
            match self.existing(&target).await? {
                None => match self.copy_if_absent(&object.key, &target).await {
                    Ok(()) => {}
                    // Written under that name since the lookup: S3 refused the copy.
                    Err(StorageError::AlreadyExists { .. }) => {
                        adoption.left.push(left(LeftReason::NameTaken));
                        continue;
                    }
                    Err(error) => return Err(error.into()),
                },
                // Copied by an earlier run that stopped before deleting the guest file.
                Some(found) if found.size == object.size && found.etag == object.etag => {}
                Some(_) => {
                    adoption.left.push(left(LeftReason::NameTaken));
                    continue;
                }
            }
            self.delete_full_key(&object.key).await?;
            adoption.moved.push(target);
        }
        tracing::info!(
            moved = adoption.moved.len(),
            left = adoption.left.len(),
            "guest files adopted"
        );
        Ok(adoption)
    }

    /// Deletes the object at full key `key` (a guest folder's, which [`Key`] does not name).
    pub(super) async fn delete_full_key(&self, key: &str) -> Result<(), StorageError> {
        self.s3
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|error| self.sdk_error(None, error))?;
        Ok(())
    }

    /// The object stored at exactly `key`, if any (a listing, not HeadObject: see the module
    /// docs).
    pub(super) async fn existing(&self, key: &Key) -> Result<Option<Listed>, Error> {
        Ok(self
            .list_all(key.full(), Some(1))
            .await?
            .into_iter()
            .find(|listed| listed.key == key.full()))
    }

    /// Every object under `prefix` (all pages unless `max_keys` limits it to one page).
    pub(super) async fn list_all(
        &self,
        prefix: &str,
        max_keys: Option<i32>,
    ) -> Result<Vec<Listed>, Error> {
        let mut found = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .s3
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_max_keys(max_keys)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|error| self.sdk_error(None, error))?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                found.push(Listed {
                    key: key.to_owned(),
                    size: object
                        .size()
                        .and_then(|s| u64::try_from(s).ok())
                        .unwrap_or(0),
                    etag: object.e_tag().map(str::to_owned),
                });
            }
            token = page.next_continuation_token().map(str::to_owned);
            if max_keys.is_some() || token.is_none() {
                return Ok(found);
            }
        }
    }

    /// Server-side copy of `source` (a full key in this bucket) to `target`, metadata kept,
    /// only if nothing is stored at `target` ([`StorageError::AlreadyExists`] otherwise).
    async fn copy_if_absent(&self, source: &str, target: &Key) -> Result<(), StorageError> {
        self.s3
            .copy_object()
            .bucket(&self.bucket)
            .key(target.full())
            .copy_source(copy_source(&self.bucket, source))
            .metadata_directive(s3::types::MetadataDirective::Copy)
            .if_none_match("*")
            .send()
            .await
            .map_err(|error| self.sdk_error(Some(target), error))?;
        Ok(())
    }
}

/// The `x-amz-copy-source` value: `<bucket>/<key>` with the key percent-encoded (the header
/// is URL-encoded; `/` between segments is kept).
fn copy_source(bucket: &str, key: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    /// Everything but RFC 3986's unreserved characters and `/`.
    const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    format!("{bucket}/{}", utf8_percent_encode(key, ENCODE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_encodes_the_key_but_not_its_slashes() {
        assert_eq!(
            copy_source("b", "guest/us-east-1:1/Résumé 2024/a+b.pdf"),
            "b/guest/us-east-1%3A1/R%C3%A9sum%C3%A9%202024/a%2Bb.pdf"
        );
    }

    #[test]
    fn reasons_have_stable_codes() {
        assert_eq!(LeftReason::NameTaken.code(), "already_exists");
        assert_eq!(LeftReason::TooLarge.code(), "file_too_large");
        assert_eq!(LeftReason::NameNotAllowed.code(), "invalid_key");
    }
}
