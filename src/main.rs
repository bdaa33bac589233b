//! The `onbehalf` command line: parses arguments and hands over to [`onbehalf::cli`].

// The binary reaches its dependencies through the library, which the lint watches.
#![allow(unused_crate_dependencies)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use onbehalf::cli;

/// Signs external users up on their behalf from invite emails forwarded to a support
/// mailbox, and opens a ticket for a human when it cannot.
#[derive(Debug, Parser)]
#[command(name = "onbehalf", version, about, long_about = None)]
struct Args {
    /// How log lines are written: `text` (readable; bare under journald) or `json`.
    #[arg(long, global = true, value_enum, default_value_t = cli::logging::LogFormat::Text)]
    log_format: cli::logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what onbehalf would do with forwarded emails (.eml files), touching nothing:
    /// the invite link it found, who it was for and who forwarded it, or why it refuses.
    Extract(cli::extract::ExtractArgs),
    /// Decode links rewritten by mail security gateways (Safe Links, Proofpoint, …) and
    /// print the link underneath, without visiting anything.
    Unwrap(cli::unwrap::UnwrapArgs),
    /// Sign up once for a pasted invite link in a fresh session and print the outcome;
    /// with --dry-run, show the form that would be sent and submit nothing. Opening the
    /// link is a visit: on platforms that mark an invite accepted when it is first
    /// opened, a dry run or a failed attempt may use the invite up.
    Signup(cli::signup::SignupArgs),
    /// Run the service: watch the support mailbox and handle every forwarded invite as
    /// it arrives, until SIGTERM or Ctrl-C (this is what systemd starts).
    Run(cli::daemon::RunArgs),
    /// Handle what is in the support mailbox now, including unfinished jobs, then exit.
    Once(cli::daemon::RunArgs),
    /// Show what the journal holds: jobs by state, the last successful mailbox check,
    /// and jobs that are unfinished.
    Status(cli::daemon::StatusArgs),
    /// Check the config before `run`: every key, the secrets (never printed), the
    /// mailbox, the SMTP server (no mail sent) and each platform's hosts, one line each
    /// with ✓, ! or ✗ and what to change. Exit status 1 on any ✗, 2 for an unloadable file.
    #[command(name = "check-config")]
    CheckConfig(cli::check::CheckArgs),
    /// Send a job that needed a human round again, once its cause is fixed (the job id
    /// is in its ticket, e.g. job-42).
    Retry(cli::daemon::RetryArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    // One process-wide TLS provider (ring), before anything builds a TLS config.
    onbehalf::net::tls::install_default_provider();
    let level = match args.command {
        Command::Run(_) | Command::Once(_) => "info",
        _ => "warn",
    };
    cli::logging::init(args.log_format, level);
    // Every command may hold a secret (a generated password, an invite token, the
    // mailbox's or the relay's password): none of them may end in a core file.
    if let Err(e) = onbehalf::secret::forbid_core_dumps() {
        eprintln!("onbehalf: {:#}", anyhow::Error::from(e));
        return ExitCode::from(1);
    }
    let status = match args.command {
        Command::Extract(a) => cli::extract::run(&a),
        Command::Unwrap(a) => cli::unwrap::run(&a),
        Command::Signup(a) => cli::signup::run(&a),
        Command::Run(a) => cli::daemon::run(&a, onbehalf::daemon::Mode::Watch),
        Command::Once(a) => cli::daemon::run(&a, onbehalf::daemon::Mode::Once),
        Command::Status(a) => cli::daemon::status(&a),
        Command::Retry(a) => cli::daemon::retry(&a),
        Command::CheckConfig(a) => cli::check::run(&a),
    };
    ExitCode::from(status)
}
