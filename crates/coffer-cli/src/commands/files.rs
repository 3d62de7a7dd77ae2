//! `upload`, `ls`, `get`, `rm`, `credentials`: the person's files, with the identity pool's
//! temporary credentials.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use coffer_core::upload::default_journal_dir;
use std::collections::HashMap;

use coffer_core::{
    Client, Files, IdentityMode, Key, Progress, UploadControl, UploadOptions, UploadOutcome,
};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{format_time, say};
use crate::cli::{GetArgs, LsArgs, RmArgs, UploadArgs};
use crate::failure::Failure;

/// Environment variables that replace the identity pool's credentials with fixed ones, for
/// S3 servers that do not trust the identity pool (the upload benchmark against s3s-fs). All
/// three must be set; the prefix is then `<private|guest>/<COFFER_S3_IDENTITY_ID>/`.
const FIXED_ACCESS_KEY: &str = "COFFER_S3_ACCESS_KEY_ID";
const FIXED_SECRET_KEY: &str = "COFFER_S3_SECRET_ACCESS_KEY";
const FIXED_IDENTITY: &str = "COFFER_S3_IDENTITY_ID";

/// The person's files, with the identity pool's credentials (or fixed ones, see above).
async fn files_for(client: &Client, mode: IdentityMode) -> Result<Files, Failure> {
    let fixed = (
        std::env::var(FIXED_ACCESS_KEY),
        std::env::var(FIXED_SECRET_KEY),
        std::env::var(FIXED_IDENTITY),
    );
    if let (Ok(access_key), Ok(secret_key), Ok(identity_id)) = fixed {
        tracing::warn!("using fixed S3 credentials from {FIXED_ACCESS_KEY}, not the identity pool");
        let credentials = aws_credential_types::Credentials::new(
            access_key,
            secret_key,
            None,
            None,
            "CofferFixed",
        );
        let provider = client.fixed_credentials(mode, identity_id, credentials);
        return Ok(Files::new(client, provider).await?);
    }
    Ok(client.files(mode).await?)
}

/// `whoami --guest`: the guest identity id (resolved, and kept, on first use).
pub async fn guest_whoami(client: &Client, json: bool) -> Result<(), Failure> {
    let credentials = client.identity_credentials(IdentityMode::Guest)?;
    let identity_id = credentials.identity_id().await?;
    if json {
        say(serde_json::json!({ "guest": true, "identity_id": identity_id }))
    } else {
        say(format_args!("guest identity id: {identity_id}"))
    }
}

pub async fn upload(client: &Client, mode: IdentityMode, args: UploadArgs) -> Result<(), Failure> {
    let files = files_for(client, mode).await?;
    let mut options = UploadOptions::new(default_journal_dir().ok_or(Failure::NoJournalDir)?);
    options.concurrency = usize::from(args.parallel);
    options.overwrite = args.overwrite;
    let uploader = files.uploader(options);
    let keys = destinations(&files, &args)?;

    // Ctrl-C pauses: parts in flight are dropped, the journal is kept for the next run.
    let control = UploadControl::new();
    let on_interrupt = {
        let control = control.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                control.pause();
            }
        })
    };
    let result = upload_all(&uploader, &control, &args, &keys).await;
    on_interrupt.abort();
    result
}

/// The key of each file, checked before anything is sent: two files with the same name would
/// go to the same key, and the second would replace the first.
fn destinations(files: &Files, args: &UploadArgs) -> Result<Vec<Key>, Failure> {
    let mut seen: HashMap<Key, &std::path::Path> = HashMap::new();
    let mut keys = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let key = files
            .file_key(path, &args.to)
            .map_err(coffer_core::Error::from)?;
        if let Some(first) = seen.insert(key.clone(), path) {
            return Err(Failure::DuplicateDestination {
                key: key.to_string(),
                first: first.display().to_string(),
                second: path.display().to_string(),
            });
        }
        keys.push(key);
    }
    Ok(keys)
}

async fn upload_all(
    uploader: &coffer_core::Uploader,
    control: &UploadControl,
    args: &UploadArgs,
    keys: &[Key],
) -> Result<(), Failure> {
    let draw = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bars = MultiProgress::with_draw_target(draw);
    let style = ProgressStyle::with_template(
        "{msg:30!} [{bar:30}] {binary_bytes:>10}/{binary_total_bytes:<10} {binary_bytes_per_sec:>12} ETA {eta}",
    )
    .map(|style| style.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    for (path, key) in args.files.iter().zip(keys) {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let bar = bars.add(ProgressBar::new(size).with_style(style.clone()));
        bar.set_message(display_name(path));
        let sink = {
            let bar = bar.clone();
            Arc::new(move |progress: Progress| {
                bar.set_length(progress.bytes_total);
                bar.set_position(progress.bytes_done);
            })
        };
        let outcome = uploader.upload_as(path, key, Some(sink), control).await;
        match outcome {
            Ok(UploadOutcome::Completed {
                key,
                bytes,
                resumed_bytes,
            }) => {
                bar.finish();
                let resumed = if resumed_bytes > 0 {
                    format!(", {resumed_bytes} of them from an earlier run")
                } else {
                    String::new()
                };
                bars.suspend(|| say(format_args!("uploaded {key} ({bytes} bytes{resumed})")))?;
            }
            Ok(UploadOutcome::Paused { key, bytes_done }) => {
                bar.abandon();
                eprintln!("paused {key} at {bytes_done} bytes");
                return Err(Failure::Paused);
            }
            Ok(UploadOutcome::Cancelled { key }) => {
                bar.abandon();
                eprintln!("cancelled {key}");
                return Err(Failure::Paused);
            }
            // UploadOutcome is non-exhaustive.
            Ok(_) => bar.abandon(),
            Err(error) => {
                bar.abandon();
                return Err(error.into());
            }
        }
    }
    Ok(())
}

fn display_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub async fn ls(client: &Client, mode: IdentityMode, args: LsArgs) -> Result<(), Failure> {
    let files = files_for(client, mode).await?;
    let listing = files.list(&args.dir).await?;
    for dir in &listing.directories {
        if args.json {
            say(serde_json::json!({ "dir": dir }))?;
        } else {
            say(format_args!("{:>12}  {:20}  {dir}", "DIR", ""))?;
        }
    }
    for file in &listing.files {
        let modified = file.last_modified.map(format_time).unwrap_or_default();
        if args.json {
            say(serde_json::json!({
                "key": file.key.relative(),
                "size": file.size,
                "last_modified": modified,
            }))?;
        } else {
            say(format_args!(
                "{:>12}  {modified:20}  {}",
                file.size, file.key
            ))?;
        }
    }
    Ok(())
}

pub async fn get(client: &Client, mode: IdentityMode, args: GetArgs) -> Result<(), Failure> {
    let files = files_for(client, mode).await?;
    let key = files
        .parse_key(&args.key)
        .map_err(coffer_core::Error::from)?;
    let dest = args.dest.unwrap_or_else(|| PathBuf::from(key.name()));
    let (path, bytes) = if args.force {
        files.download_overwriting(&key, &dest).await?
    } else {
        files.download(&key, &dest).await?
    };
    say(format_args!(
        "downloaded {key} to {} ({bytes} bytes)",
        path.display()
    ))
}

pub async fn rm(client: &Client, mode: IdentityMode, args: RmArgs) -> Result<(), Failure> {
    let files = files_for(client, mode).await?;
    let key = files
        .parse_key(&args.key)
        .map_err(coffer_core::Error::from)?;
    files.delete(&key).await?;
    say(format_args!("deleted {key}"))
}

/// Prints exactly the `credential_process` JSON the AWS CLI and SDKs read:
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}`.
pub async fn credentials(client: &Client, mode: IdentityMode) -> Result<(), Failure> {
    let provider = client.identity_credentials(mode)?;
    let credentials = provider.credentials().await?;
    let expiration = credentials
        .expiry()
        .map(time::OffsetDateTime::from)
        .map(format_time);
    let json = serde_json::json!({
        "Version": 1,
        "AccessKeyId": credentials.access_key_id(),
        "SecretAccessKey": credentials.secret_access_key(),
        "SessionToken": credentials.session_token(),
        "Expiration": expiration,
    });
    say(json)
}
