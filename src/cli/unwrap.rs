//! `onbehalf unwrap`: decode gateway-wrapped URLs and print the URL underneath.
//!
//! In: URLs on the command line. Out: one line per URL on stdout, the decoded URL (with
//! a note when an opaque wrapper stopped decoding) or, with `--json`, a JSON object with
//! `input`, `url`, `layers` and `opaque`. Nothing is requested.

use std::io::Write;

use crate::extract::unwrap::{Unwrapped, unwrap};

/// Arguments of `onbehalf unwrap`.
#[derive(Debug, clap::Args)]
pub struct UnwrapArgs {
    /// Print one JSON object per URL (JSON Lines) instead of the bare URL.
    #[arg(long)]
    pub json: bool,
    /// The wrapped URLs.
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,
}

/// Runs the command; returns the exit status.
pub fn run(args: &UnwrapArgs) -> u8 {
    let mut stdout = std::io::stdout().lock();
    for url in &args.urls {
        let Some(line) = render(&unwrap(url), args.json) else {
            continue;
        };
        // A closed pipe (`| head`) just ends the output early.
        if writeln!(stdout, "{line}").is_err() {
            break;
        }
    }
    super::EXIT_OK
}

/// The output line for one URL. In JSON, `Unwrapped`'s serialised fields are the
/// contract: `input`, `url`, `layers`, `opaque`, in that order.
fn render(result: &Unwrapped, json: bool) -> Option<String> {
    if json {
        match serde_json::to_string(result) {
            Ok(line) => Some(line),
            Err(e) => {
                eprintln!(
                    "onbehalf: cannot write the result for {} as JSON: {e}",
                    result.input
                );
                None
            }
        }
    } else {
        Some(match result.opaque {
            Some(kind) => format!("{}  ({kind}: cannot be decoded offline)", result.url),
            None => result.url.clone(),
        })
    }
}
