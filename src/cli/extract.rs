//! `onbehalf extract`: run the extract stage over .eml files and print one result each.
//!
//! In: paths of forwarded emails and the config. Out: one line per file, in order (JSON
//! Lines with `--json`), and exit status 0 when every file was read, 1 when one was not.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::extract::{self, Invite, Rejection};

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
    let config = match args.config.load() {
        Ok(config) => config,
        Err(status) => return status,
    };
    let mut status = super::EXIT_OK;
    for path in &args.files {
        let file = path.display().to_string();
        let line = match std::fs::read(path) {
            Ok(raw) => match extract::extract(&raw, &config) {
                Ok(invite) => invite_line(&file, &invite, args.json),
                Err(rejection) => rejection_line(&file, &rejection, args.json),
            },
            Err(e) => {
                status = super::EXIT_INPUT;
                let error = format!("cannot read {file}: {e}");
                eprintln!("onbehalf: {error}");
                if args.json {
                    json!({"file": file, "outcome": "error", "error": error}).to_string()
                } else {
                    continue;
                }
            }
        };
        println!("{line}");
    }
    status
}

fn invite_line(file: &str, invite: &Invite, as_json: bool) -> String {
    if as_json {
        return json!({
            "file": file,
            "outcome": "invite",
            "platform": invite.platform,
            "invite_url": invite.invite_url,
            "invitee": invite.invitee,
            "invitee_name": invite.invitee_name,
            "requester": invite.requester,
        })
        .to_string();
    }
    format!(
        "{file}: invite for {} to {} (forwarded by {}): {}",
        invite.platform,
        invite.invitee.as_deref().unwrap_or("an unknown recipient"),
        invite.requester.as_deref().unwrap_or("an unknown sender"),
        invite.invite_url
    )
}

fn rejection_line(file: &str, rejection: &Rejection, as_json: bool) -> String {
    if as_json {
        let value: Value = json!({
            "file": file,
            "outcome": "rejected",
            "reason": rejection.reason.as_str(),
            "detail": rejection.detail,
        });
        return value.to_string();
    }
    format!(
        "{file}: rejected ({}): {}",
        rejection.reason, rejection.detail
    )
}
