//! `sign-in`, `whoami`, `refresh`, `sign-out`.

use coffer_core::storage::LeftReason;
use coffer_core::{Client, DeviceRemembering};

use super::{format_time, say, steps};
use crate::cli::{SignInArgs, SignOutArgs, WhoamiArgs};
use crate::failure::Failure;
use crate::input::{self, PasswordSource};

pub async fn sign_in(client: &Client, args: SignInArgs) -> Result<(), Failure> {
    // Fail before asking for a password whose result could not be kept.
    client.check_store().await?;
    if args.hosted_ui {
        return super::hosted_ui::sign_in(client, args).await;
    }
    // clap enforces --username unless --hosted-ui.
    let username = args.username.unwrap_or_default();
    let passwords = PasswordSource::from_flag(args.password_stdin);
    let password = input::read_password(passwords, false)?;
    let verifier = client
        .sign_in(username.as_str())
        .remember_device(args.remember_device)
        .start()
        .await?;
    let first = verifier.answer(&password).await?;
    drop(password);
    let answering = steps::Answering {
        passwords,
        print_secret: args.print_secret,
    };
    let session = steps::walk(first, answering).await?;
    let who = session.whoami();
    say(format_args!(
        "Signed in as {} (valid until {}).",
        who.email.as_deref().unwrap_or(&who.username),
        format_time(who.expires_at)
    ))?;
    move_guest_files(client).await?;
    match session.device() {
        DeviceRemembering::Remembered { device_key } if args.remember_device => say(format_args!(
            "This device is remembered ({device_key}): MFA is skipped here."
        )),
        DeviceRemembering::NotOffered => {
            say("This device could not be remembered: the user pool does not remember devices.")
        }
        DeviceRemembering::Failed { code } => say(format_args!(
            "This device could not be remembered ({code})."
        )),
        _ => Ok(()),
    }
}

/// Attempts at moving the files of a guest identity this sign-in merged into the user's
/// older one: its last credentials expire within the hour, so a transient failure is retried
/// here rather than only at the next sign-in.
const MERGED_GUEST_ATTEMPTS: u32 = 3;

/// Right after a sign-in: moves what this user uploaded as a guest (on this machine, before
/// this sign-in took the guest identity over, or merged it into the user's own) into their own
/// folder, and says so. A failure does not undo the sign-in: it is reported, and the next
/// sign-in tries again (after a merge, only while the guest credentials last).
pub(super) async fn move_guest_files(client: &Client) -> Result<(), Failure> {
    let mut attempt = 0;
    let adoption = loop {
        attempt += 1;
        let error = match client.adopt_guest_files().await {
            Ok(Some(adoption)) => break adoption,
            Ok(None) => return Ok(()),
            Err(error) => error,
        };
        let merged = client.merged_guest_files_waiting().await;
        if merged && attempt < MERGED_GUEST_ATTEMPTS {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        }
        if merged {
            eprintln!(
                "Your guest files could not be moved into your folder ({}). This sign-in merged the guest identity into your account: signing in again within the hour retries; after that they can no longer be reached.",
                error.code()
            );
        } else {
            eprintln!(
                "Your guest files could not be moved into your folder yet ({}); signing in again retries.",
                error.code()
            );
        }
        return Ok(());
    };
    let moved = adoption.moved.len();
    if moved > 0 {
        let files = if moved == 1 { "file" } else { "files" };
        say(format_args!(
            "Moved {moved} {files} from your guest folder."
        ))?;
    }
    for (from, to) in &adoption.renamed {
        say(format_args!(
            "  {from} is now {} (a different file of that name was in your folder).",
            to.relative()
        ))?;
    }
    for left in &adoption.left {
        let why = match left.reason {
            LeftReason::NameTaken => "a different file of that name is in your folder",
            LeftReason::TooLarge => "larger than the 5 GiB one copy may move",
            _ => "a name Coffer does not write",
        };
        if adoption.guest_identity_merged {
            eprintln!(
                "Not moved: {} ({why}); it stays with the merged guest identity, which can no longer be reached.",
                left.relative
            );
        } else {
            eprintln!(
                "Kept in your guest folder: {} ({why}); signing in again retries.",
                left.relative
            );
        }
    }
    Ok(())
}

pub async fn whoami(client: &Client, args: WhoamiArgs) -> Result<(), Failure> {
    let who = client.whoami().await?;
    if args.json {
        let json = serde_json::json!({
            "username": who.username,
            "sub": who.sub,
            "email": who.email,
            "identity_id": who.identity_id,
            "expires_at": format_time(who.expires_at),
        });
        say(json)
    } else {
        say(format_args!("username:    {}", who.username))?;
        say(format_args!("sub:         {}", who.sub))?;
        say(format_args!(
            "email:       {}",
            who.email.as_deref().unwrap_or("-")
        ))?;
        say(format_args!(
            "identity id: {}",
            who.identity_id.as_deref().unwrap_or("(not known yet)")
        ))?;
        say(format_args!("expires:     {}", format_time(who.expires_at)))
    }
}

pub async fn refresh(client: &Client) -> Result<(), Failure> {
    let session = client.refresh().await?;
    say(format_args!(
        "Tokens refreshed (valid until {}).",
        format_time(session.expires_at())
    ))
}

pub async fn sign_out(client: &Client, args: SignOutArgs) -> Result<(), Failure> {
    if args.global {
        client.global_sign_out().await?;
        say("Signed out on every device.")
    } else {
        client.sign_out().await?;
        say("Signed out.")
    }
}
