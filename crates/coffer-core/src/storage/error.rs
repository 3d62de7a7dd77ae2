//! Errors of the S3 side (files, uploads, downloads) and the mapping from S3's answers.

use std::path::PathBuf;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use super::key::KeyError;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What went wrong storing, listing, fetching or deleting a file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The config names no bucket.
    #[error("the config has no `bucket`")]
    NoBucket,
    /// The name or key is not allowed.
    #[error("invalid file name or key: {0}")]
    Key(#[from] KeyError),
    /// S3 refused: the identity's policy does not allow this.
    #[error("access denied")]
    AccessDenied,
    /// No such file.
    #[error("no such file: {key}")]
    NotFound {
        /// The key relative to the prefix.
        key: String,
    },
    /// The key does not exist, or exists and may not be read: S3 answers a missing key with
    /// 403 to a caller without an unconditional `s3:ListBucket` (Coffer's roles list only
    /// under an `s3:prefix` condition), so for a key in one's own prefix the two cannot be
    /// told apart.
    #[error("no such file, or it cannot be read: {key} (the storage service does not say which)")]
    MissingOrUnreadable {
        /// The key relative to the prefix.
        key: String,
    },
    /// An upload would replace a file that already exists (S3 refused the create-only write:
    /// `If-None-Match: *`). Upload with overwrite to replace it.
    #[error("a file named {key} already exists; upload with overwrite to replace it")]
    AlreadyExists {
        /// The key relative to the prefix.
        key: String,
    },
    /// Another upload to the same destination is running (in this process or another).
    #[error("{key} is already being uploaded; wait for that upload to finish")]
    UploadInProgress {
        /// The key relative to the prefix.
        key: String,
    },
    /// A download would replace an existing local file.
    #[error("{path} already exists; download with force to replace it")]
    LocalFileExists {
        /// The local file.
        path: PathBuf,
    },
    /// The bucket does not exist.
    #[error("the bucket {bucket} does not exist")]
    NoSuchBucket {
        /// The bucket.
        bucket: String,
    },
    /// The temporary credentials expired (they are renewed on retry).
    #[error("the temporary credentials have expired")]
    CredentialsExpired,
    /// The multipart upload is gone on the server (aborted or expired).
    #[error("the upload was aborted on the server")]
    UploadGone,
    /// The file is larger than S3 allows (10 000 parts of 5 GiB).
    #[error("the file is too large for S3 ({size} bytes)")]
    FileTooLarge {
        /// Its size.
        size: u64,
    },
    /// The file changed while it was being uploaded.
    #[error("{path} changed during the upload; upload it again")]
    FileChanged {
        /// The file.
        path: PathBuf,
    },
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    LocalFile {
        /// The file.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The resume journal could not be written.
    #[error("cannot write the upload journal in {dir}")]
    Journal {
        /// The journal directory.
        dir: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// Any other error S3 reported.
    #[error("the storage service refused the request ({code}){}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Service {
        /// The S3 error code.
        code: String,
        /// Its message.
        message: Option<String>,
    },
    /// S3 could not be reached, or the transfer broke and retries ran out.
    #[error("cannot reach {endpoint}")]
    Unreachable {
        /// The S3 endpoint.
        endpoint: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
    /// The credentials for the request could not be obtained.
    #[error("no credentials for the storage service")]
    NoCredentials {
        /// The cause.
        #[source]
        source: BoxError,
    },
}

impl StorageError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoBucket => "no_bucket",
            Self::Key(error) => error.code(),
            Self::AccessDenied => "access_denied",
            Self::NotFound { .. } => "not_found",
            Self::MissingOrUnreadable { .. } => "missing_or_unreadable",
            Self::AlreadyExists { .. } => "already_exists",
            Self::UploadInProgress { .. } => "upload_in_progress",
            Self::LocalFileExists { .. } => "local_file_exists",
            Self::NoSuchBucket { .. } => "no_such_bucket",
            Self::CredentialsExpired => "credentials_expired",
            Self::UploadGone => "upload_gone",
            Self::FileTooLarge { .. } => "file_too_large",
            Self::FileChanged { .. } => "file_changed",
            Self::LocalFile { .. } => "local_file_error",
            Self::Journal { .. } => "journal_error",
            Self::Service { .. } => "storage_service_error",
            Self::Unreachable { .. } => "endpoint_unreachable",
            Self::NoCredentials { .. } => "no_credentials",
        }
    }

    /// True for failures worth retrying a part for once the SDK's own retries ran out:
    /// transport errors, throttling, 5xx, and expired credentials (renewed before the retry).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::CredentialsExpired => true,
            Self::Service { code, .. } => matches!(
                code.as_str(),
                "SlowDown"
                    | "Throttling"
                    | "ThrottlingException"
                    | "RequestTimeout"
                    | "RequestTimeTooSkewed"
                    | "InternalError"
                    | "ServiceUnavailable"
                    | "HTTP5xx"
            ),
            _ => false,
        }
    }

    /// Maps an S3 SDK error. `key` is the relative key, for "not found".
    pub(crate) fn from_sdk<E, R>(
        endpoint: &str,
        bucket: &str,
        key: Option<&str>,
        error: SdkError<E, R>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static + HasStatus,
    {
        match error {
            SdkError::ServiceError(context) => {
                let status = context.raw().status_code();
                let service_error = context.err();
                classify(
                    service_error.code(),
                    service_error.message(),
                    status,
                    bucket,
                    key,
                )
            }
            SdkError::DispatchFailure(_)
            | SdkError::TimeoutError(_)
            | SdkError::ResponseError(_) => Self::Unreachable {
                endpoint: endpoint.to_owned(),
                source: Box::new(error),
            },
            other => {
                let text = format!(
                    "{}",
                    aws_smithy_types::error::display::DisplayErrorContext(&other)
                );
                if text.contains("credentials") || text.contains("identity") {
                    Self::NoCredentials {
                        source: Box::new(other),
                    }
                } else {
                    Self::Service {
                        code: "Unknown".into(),
                        message: Some(text),
                    }
                }
            }
        }
    }
}

/// The HTTP status of a raw response.
pub(crate) trait HasStatus {
    fn status_code(&self) -> u16;
}

impl HasStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// Maps S3's error code (and HTTP status, for HEAD answers that have no body) to an error.
pub(crate) fn classify(
    code: Option<&str>,
    message: Option<&str>,
    status: u16,
    bucket: &str,
    key: Option<&str>,
) -> StorageError {
    match code.unwrap_or_default() {
        "AccessDenied" | "Forbidden" => StorageError::AccessDenied,
        "NoSuchKey" | "NotFound" => StorageError::NotFound {
            key: key.unwrap_or_default().to_owned(),
        },
        "NoSuchBucket" => StorageError::NoSuchBucket {
            bucket: bucket.to_owned(),
        },
        "ExpiredToken" | "TokenRefreshRequired" => StorageError::CredentialsExpired,
        "NoSuchUpload" => StorageError::UploadGone,
        // Coffer's only conditional requests are create-only writes (`If-None-Match: *`):
        // 412 when the key exists, 409 when it was written while the multipart upload ran
        // (S3 API reference, PutObject/CompleteMultipartUpload `IfNoneMatch`).
        "PreconditionFailed" | "ConditionalRequestConflict" => StorageError::AlreadyExists {
            key: key.unwrap_or_default().to_owned(),
        },
        "" if status == 412 => StorageError::AlreadyExists {
            key: key.unwrap_or_default().to_owned(),
        },
        "" if status == 404 => StorageError::NotFound {
            key: key.unwrap_or_default().to_owned(),
        },
        "" if status == 403 => StorageError::AccessDenied,
        "" if status >= 500 => StorageError::Service {
            code: "HTTP5xx".into(),
            message: None,
        },
        other => StorageError::Service {
            code: if other.is_empty() {
                format!("HTTP{status}")
            } else {
                other.to_owned()
            },
            message: message.map(str::to_owned),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_codes_map_to_variants() {
        let cases = [
            (Some("AccessDenied"), 403, "access_denied"),
            (Some("NoSuchKey"), 404, "not_found"),
            (None, 404, "not_found"),
            (None, 403, "access_denied"),
            (Some("NoSuchBucket"), 404, "no_such_bucket"),
            (Some("ExpiredToken"), 400, "credentials_expired"),
            (Some("NoSuchUpload"), 404, "upload_gone"),
            (Some("PreconditionFailed"), 412, "already_exists"),
            (Some("ConditionalRequestConflict"), 409, "already_exists"),
            (Some("SignatureDoesNotMatch"), 403, "storage_service_error"),
        ];
        for (code, status, expected) in cases {
            assert_eq!(
                classify(code, None, status, "b", Some("k")).code(),
                expected,
                "{code:?}"
            );
        }
    }

    #[test]
    fn transient_failures() {
        assert!(classify(Some("SlowDown"), None, 503, "b", None).is_transient());
        assert!(classify(None, None, 502, "b", None).is_transient());
        assert!(classify(Some("ExpiredToken"), None, 400, "b", None).is_transient());
        assert!(!classify(Some("AccessDenied"), None, 403, "b", None).is_transient());
        assert!(!classify(Some("NoSuchUpload"), None, 404, "b", None).is_transient());
    }
}
