//! The `onbehalf-demo` command line: parses arguments and hands over to
//! [`onbehalf_demo::cli`].

// The binary reaches its dependencies through the library, which the lint watches.
#![allow(unused_crate_dependencies)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use onbehalf::cli::logging::{self, LogFormat};
use onbehalf_demo::cli;

/// Try onbehalf on this machine with nothing configured: the whole pipeline against the
/// bundled platform simulator, or the simulator alone.
#[derive(Debug, Parser)]
#[command(name = "onbehalf-demo", version, about, long_about = None)]
struct Args {
    /// How log lines are written: `text` (readable; bare under journald) or `json`.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole pipeline on this machine with nothing configured: the bundled
    /// platform simulator, the forwarded emails in samples/ delivered to a Maildir, and
    /// mails written as files; prints what happened to each sample.
    Demo(cli::demo::DemoArgs),
    /// Run the bundled Engage look-alike on this machine (127.0.0.1), print invite links
    /// and a ready [[platform]] profile for it, and serve until Ctrl-C, so `onbehalf` can
    /// be tried without a real platform.
    Simulator(cli::sim::SimArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    // One process-wide TLS provider (ring), before anything builds a TLS config.
    onbehalf::net::tls::install_default_provider();
    let level = match args.command {
        Command::Simulator(_) => "info",
        Command::Demo(_) => "warn",
    };
    logging::init(args.log_format, level);
    let status = match args.command {
        Command::Demo(a) => cli::demo::run(&a),
        Command::Simulator(a) => cli::sim::run(&a),
    };
    ExitCode::from(status)
}
