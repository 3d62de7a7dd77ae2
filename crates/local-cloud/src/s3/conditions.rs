//! Conditional requests (RFC 7232 as S3 applies them), pure so their precedence is unit-tested.
//!
//! **Reads** (GetObject, HeadObject; CopyObject's `x-amz-copy-source-if-*` against its source).
//! S3 API reference, GetObject/HeadObject `IfMatch`/`IfNoneMatch`/`IfModifiedSince`/
//! `IfUnmodifiedSince`: `If-Match` that does not match → 412; `If-Unmodified-Since` the object
//! was modified after → 412; `If-None-Match` that matches → 304; `If-Modified-Since` the object
//! was not modified after → 304. Precedence, also from that reference: "If-Match condition
//! evaluates to true, and If-Unmodified-Since condition evaluates to false; then, S3 returns
//! 200 OK" and "If-None-Match condition evaluates to false, and If-Modified-Since condition
//! evaluates to true; then, S3 returns 304 Not Modified" — an ETag condition, when present,
//! decides instead of its date counterpart, and the 412 family is evaluated before the 304 one.
//! Dates compare at whole seconds (HTTP dates carry no fraction).
//!
//! **Writes** (PutObject, CompleteMultipartUpload; S3 API reference `IfNoneMatch`/`IfMatch` and
//! the user guide's "conditional writes"): `If-None-Match: *` writes only if the key does not
//! exist, else 412 PreconditionFailed; `If-Match: <etag>` writes only over an object with that
//! ETag, else 412, and 404 NoSuchKey when there is no object at all (observed on AWS,
//! minio/minio#21526, and the user guide's conditional error responses). For
//! CompleteMultipartUpload, "If a conflicting operation occurs during the upload S3 returns a
//! 409 ConditionalRequestConflict response. On a 409 failure you should re-initiate the
//! multipart upload": the local cloud answers 409 when the object that defeats the condition
//! was written after the upload was initiated, and 412 when it was already there. An
//! `If-None-Match` other than `*` is documented only as "Expects the '*' (asterisk)
//! character"; what AWS answers to an ETag there could not be established, so the local
//! cloud refuses it as NotImplemented rather than guess a code. The check runs under the
//! key's lock, atomically with the swap ([`super::store`]).

use s3s::dto::{ETagCondition, Timestamp};
use s3s::{s3_error, S3Result};
use time::OffsetDateTime;

use super::store::ObjectMeta;

/// The conditional headers of a read.
#[derive(Debug, Clone, Default)]
pub struct ReadConditions {
    /// `If-Match`.
    pub if_match: Option<ETagCondition>,
    /// `If-None-Match`.
    pub if_none_match: Option<ETagCondition>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<Timestamp>,
    /// `If-Unmodified-Since`.
    pub if_unmodified_since: Option<Timestamp>,
}

/// What a read's conditions decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOutcome {
    /// Serve the object.
    Proceed,
    /// 304 Not Modified.
    NotModified,
    /// 412 Precondition Failed.
    PreconditionFailed,
}

fn etag_matches(condition: &ETagCondition, meta: &ObjectMeta) -> bool {
    match condition {
        ETagCondition::Any => true,
        ETagCondition::ETag(tag) => tag.value().trim_matches('"') == meta.etag,
    }
}

fn seconds(t: &Timestamp) -> i64 {
    OffsetDateTime::from(t.clone()).unix_timestamp()
}

impl ReadConditions {
    /// Evaluates the conditions against `meta` in S3's order (see the module docs).
    pub fn evaluate(&self, meta: &ObjectMeta) -> ReadOutcome {
        let modified = meta.last_modified.unix_timestamp();
        match &self.if_match {
            Some(condition) if !etag_matches(condition, meta) => {
                return ReadOutcome::PreconditionFailed
            }
            Some(_) => {}
            None => {
                if self
                    .if_unmodified_since
                    .as_ref()
                    .is_some_and(|t| modified > seconds(t))
                {
                    return ReadOutcome::PreconditionFailed;
                }
            }
        }
        match &self.if_none_match {
            Some(condition) if etag_matches(condition, meta) => ReadOutcome::NotModified,
            Some(_) => ReadOutcome::Proceed,
            None => {
                if self
                    .if_modified_since
                    .as_ref()
                    .is_some_and(|t| modified <= seconds(t))
                {
                    ReadOutcome::NotModified
                } else {
                    ReadOutcome::Proceed
                }
            }
        }
    }

    /// [`Self::evaluate`] as the GetObject/HeadObject answer.
    pub fn check(&self, meta: &ObjectMeta) -> S3Result<()> {
        match self.evaluate(meta) {
            ReadOutcome::Proceed => Ok(()),
            ReadOutcome::NotModified => Err(s3_error!(NotModified, "Not Modified")),
            ReadOutcome::PreconditionFailed => Err(precondition_failed()),
        }
    }
}

/// S3's 412.
pub fn precondition_failed() -> s3s::S3Error {
    s3_error!(
        PreconditionFailed,
        "At least one of the pre-conditions you specified did not hold"
    )
}

/// The conditional headers of a write.
#[derive(Debug, Clone, Default)]
pub struct WriteConditions {
    /// `If-Match: <etag>`.
    pub if_match: Option<ETagCondition>,
    /// `If-None-Match: *`.
    pub if_none_match: Option<ETagCondition>,
}

impl WriteConditions {
    /// The conditions of a request, refusing an `If-None-Match` other than `*` (module docs).
    pub fn new(
        if_match: Option<ETagCondition>,
        if_none_match: Option<ETagCondition>,
    ) -> S3Result<Self> {
        if matches!(if_none_match, Some(ETagCondition::ETag(_))) {
            return Err(s3_error!(
                NotImplemented,
                "A header you provided implies functionality that is not implemented"
            ));
        }
        Ok(Self {
            if_match,
            if_none_match,
        })
    }

    /// Whether a write under these conditions may replace `current` (the key's object now, if
    /// any). `initiated` is a multipart upload's start: an object written after it that
    /// defeats the condition is a conflict (409) rather than a failed precondition (412).
    pub fn check(
        &self,
        current: Option<&ObjectMeta>,
        initiated: Option<OffsetDateTime>,
    ) -> S3Result<()> {
        let conflict =
            || current.is_some_and(|meta| initiated.is_some_and(|at| meta.last_modified > at));
        let refused = |conflict: bool| {
            if conflict {
                s3_error!(
                    ConditionalRequestConflict,
                    "A conflicting conditional operation is currently in progress against this resource. Please try again."
                )
            } else {
                precondition_failed()
            }
        };
        if self.if_none_match.is_some() && current.is_some() {
            return Err(refused(conflict()));
        }
        if let Some(condition) = &self.if_match {
            let Some(meta) = current else {
                return Err(s3_error!(NoSuchKey, "The specified key does not exist."));
            };
            if !etag_matches(condition, meta) {
                return Err(refused(conflict()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use s3s::dto::ETag;
    use std::collections::BTreeMap;

    fn meta(etag: &str, modified: i64) -> ObjectMeta {
        ObjectMeta {
            key: "k".into(),
            size: 1,
            etag: etag.into(),
            last_modified: OffsetDateTime::from_unix_timestamp(modified).expect("time"),
            content_type: None,
            metadata: BTreeMap::new(),
            checksums: Default::default(),
            parts_count: None,
            data_file: String::new(),
        }
    }

    fn at(t: i64) -> Timestamp {
        OffsetDateTime::from_unix_timestamp(t).expect("time").into()
    }

    fn tag(value: &str) -> Option<ETagCondition> {
        Some(ETagCondition::ETag(ETag::Strong(value.into())))
    }

    #[test]
    fn read_conditions_and_their_precedence() {
        let object = meta("abc", 1_000);
        let eval = |c: ReadConditions| c.evaluate(&object);
        assert_eq!(eval(ReadConditions::default()), ReadOutcome::Proceed);
        let if_match = |t| ReadConditions {
            if_match: tag(t),
            ..Default::default()
        };
        assert_eq!(eval(if_match("abc")), ReadOutcome::Proceed);
        assert_eq!(eval(if_match("zzz")), ReadOutcome::PreconditionFailed);
        let none_match = |c| ReadConditions {
            if_none_match: c,
            ..Default::default()
        };
        assert_eq!(eval(none_match(tag("abc"))), ReadOutcome::NotModified);
        assert_eq!(
            eval(none_match(Some(ETagCondition::Any))),
            ReadOutcome::NotModified
        );
        assert_eq!(eval(none_match(tag("zzz"))), ReadOutcome::Proceed);
        let unmodified = |t| ReadConditions {
            if_unmodified_since: Some(at(t)),
            ..Default::default()
        };
        assert_eq!(eval(unmodified(999)), ReadOutcome::PreconditionFailed);
        assert_eq!(eval(unmodified(1_000)), ReadOutcome::Proceed);
        let modified = |t| ReadConditions {
            if_modified_since: Some(at(t)),
            ..Default::default()
        };
        assert_eq!(eval(modified(1_000)), ReadOutcome::NotModified);
        assert_eq!(eval(modified(999)), ReadOutcome::Proceed);

        // If-Match true + If-Unmodified-Since false → 200 (documented).
        let mut both = unmodified(999);
        both.if_match = tag("abc");
        assert_eq!(eval(both), ReadOutcome::Proceed);
        // If-None-Match false + If-Modified-Since true → 304 (documented): the ETag decides.
        let mut both = modified(999);
        both.if_none_match = tag("abc");
        assert_eq!(eval(both), ReadOutcome::NotModified);
        // A failed If-Match is 412 even when If-None-Match would be 304.
        let mut both = if_match("zzz");
        both.if_none_match = tag("abc");
        assert_eq!(eval(both), ReadOutcome::PreconditionFailed);
    }

    #[test]
    fn write_conditions() {
        let object = meta("abc", 1_000);
        let create_only = WriteConditions::new(None, Some(ETagCondition::Any)).expect("valid");
        assert!(create_only.check(None, None).is_ok());
        let code = |r: S3Result<()>| r.expect_err("refused").code().clone();
        assert_eq!(
            code(create_only.check(Some(&object), None)),
            s3s::S3ErrorCode::PreconditionFailed
        );
        let swap = WriteConditions::new(tag("abc"), None).expect("valid");
        assert!(swap.check(Some(&object), None).is_ok());
        assert_eq!(code(swap.check(None, None)), s3s::S3ErrorCode::NoSuchKey);
        let stale = WriteConditions::new(tag("old"), None).expect("valid");
        assert_eq!(
            code(stale.check(Some(&object), None)),
            s3s::S3ErrorCode::PreconditionFailed
        );
        assert!(WriteConditions::new(None, tag("abc")).is_err());
        assert!(WriteConditions::default()
            .check(Some(&object), None)
            .is_ok());
    }

    #[test]
    fn an_object_written_during_a_multipart_upload_is_a_conflict() {
        let object = meta("abc", 1_000);
        let create_only = WriteConditions::new(None, Some(ETagCondition::Any)).expect("valid");
        let before = OffsetDateTime::from_unix_timestamp(900).expect("time");
        let after = OffsetDateTime::from_unix_timestamp(1_100).expect("time");
        assert_eq!(
            create_only
                .check(Some(&object), Some(before))
                .expect_err("conflict")
                .code(),
            &s3s::S3ErrorCode::ConditionalRequestConflict
        );
        assert_eq!(
            create_only
                .check(Some(&object), Some(after))
                .expect_err("exists")
                .code(),
            &s3s::S3ErrorCode::PreconditionFailed
        );
    }
}
