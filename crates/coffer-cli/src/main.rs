//! `coffer`: the command-line client for Amazon Cognito user pools (on AWS or on the local
//! cloud), and the launcher of the local cloud.
//!
//! Each command is a thin shell over `coffer_core`. Output goes to stdout; errors are one line
//! on stderr with a stable exit status per class (see `coffer --help`). Passwords and codes are
//! read from a prompt or stdin, never from arguments; tokens live in the OS keychain only.

mod cli;
mod commands;
mod failure;
mod input;
mod memory;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if !matches!(cli.command, cli::Command::LocalCloud(_)) {
        memory::cap_malloc_arenas();
    }
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(failure::exit::OTHER);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure::report(&failure),
    }
}

/// Logs go to stderr: warnings by default, more with -v. Our crates follow -v all the way to
/// trace; dependencies stop at debug, because the AWS SDK's trace level prints request bodies
/// (which hold tokens).
fn init_logging(verbosity: u8) {
    let ours = match verbosity {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let dependencies = match verbosity {
        0 | 1 => "warn",
        _ => "debug",
    };
    // s3s logs every S3 error answer (NoSuchKey, AccessDenied: answers to clients, not faults
    // of the local cloud) at ERROR; the local cloud logs its own faults and policy denials.
    let s3s_answers = if verbosity >= 2 { "debug" } else { "off" };
    let filter = EnvFilter::new(format!(
        "{dependencies},s3s::ops={s3s_answers},coffer={ours},coffer_core={ours},local_cloud={ours},cognito_srp={ours}"
    ));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
