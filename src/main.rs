//! The `onbehalf` command line: parses arguments and hands over to [`onbehalf::cli`].

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use onbehalf::cli;

/// Signs external users up on their behalf from invite emails forwarded to a support
/// mailbox, and opens a ticket for a human when it cannot.
#[derive(Debug, Parser)]
#[command(name = "onbehalf", version, about, long_about = None)]
struct Args {
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
    /// with --dry-run, show the form that would be sent and submit nothing.
    Signup(cli::signup::SignupArgs),
    /// Run the bundled Engage look-alike on this machine (127.0.0.1), print invite links
    /// and a ready [[platform]] profile for it, and serve until Ctrl-C, so `onbehalf` can
    /// be tried without a real platform.
    Simulator(cli::sim::SimArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    let status = match args.command {
        Command::Extract(a) => cli::extract::run(&a),
        Command::Unwrap(a) => cli::unwrap::run(&a),
        Command::Signup(a) => cli::signup::run(&a),
        Command::Simulator(a) => cli::sim::run(&a),
    };
    ExitCode::from(status)
}
