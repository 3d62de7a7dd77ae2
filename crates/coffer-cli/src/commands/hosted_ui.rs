//! `sign-in --hosted-ui`: the browser sign-in (RFC 8252). The URL opens in the system browser
//! (the `webbrowser` crate: xdg-open, `open`, `start`), never in an embedded view. With
//! `COFFER_BROWSER=none` (headless machines, tests) the URL is only printed to stderr. Ctrl-C
//! cancels the wait.

use std::io::Write;
use std::time::Duration;

use coffer_core::{Client, HostedUiOptions};

use super::{format_time, say};
use crate::cli::SignInArgs;
use crate::failure::Failure;

/// Environment variable that, set to `none`, disables opening a browser.
pub const BROWSER_ENV_VAR: &str = "COFFER_BROWSER";

fn browser_disabled() -> bool {
    std::env::var(BROWSER_ENV_VAR).is_ok_and(|value| value.eq_ignore_ascii_case("none"))
}

pub async fn sign_in(client: &Client, args: SignInArgs) -> Result<(), Failure> {
    let pending = client
        .begin_hosted_ui_sign_in(HostedUiOptions {
            provider: args.provider,
            scopes: None,
        })
        .await?;
    let url = pending.authorize_url().to_string();
    let opened = !browser_disabled() && webbrowser::open(&url).is_ok();
    {
        let mut stderr = std::io::stderr().lock();
        // stderr is for the person at the terminal; a failed write changes nothing.
        let _ = if opened {
            writeln!(
                stderr,
                "Opened the sign-in page in your browser. If it did not appear, open:\n{url}"
            )
        } else {
            writeln!(stderr, "Open this URL in your browser to sign in:\n{url}")
        };
        let _ = writeln!(
            stderr,
            "Waiting for the browser to return to {} …",
            pending.redirect_uri()
        );
    }
    let cancel = async {
        // Without a signal handler, never cancel (the timeout still applies).
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let session = pending
        .finish(Duration::from_secs(args.timeout), cancel)
        .await?;
    let who = session.whoami();
    say(format_args!(
        "Signed in as {} (valid until {}).",
        who.email.as_deref().unwrap_or(&who.username),
        format_time(who.expires_at)
    ))?;
    super::session::move_guest_files(client).await
}
