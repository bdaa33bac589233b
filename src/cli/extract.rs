//! `onbehalf extract`: run the extract stage over .eml files and print one result each.

use std::path::PathBuf;

/// Arguments of `onbehalf extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    #[command(flatten)]
    config: super::ConfigArg,
    /// Print one JSON object per file (JSON Lines).
    #[arg(long)]
    json: bool,
    /// The forwarded emails, as .eml files.
    #[arg(required = true, value_name = "FILE.eml")]
    files: Vec<PathBuf>,
}

/// Runs the command; returns the exit status.
pub fn run(args: &ExtractArgs) -> u8 {
    let _ = (&args.config, args.json, &args.files);
    super::EXIT_OK
}
