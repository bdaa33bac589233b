//! The demo's browser sample: a platform whose signup page is built by JavaScript.
//!
//! In: the demo's work folder. Out: a second simulator serving the script-built
//! (single-page app) signup as `app.brightdesk.test`, the platform's profile with
//! `engine = "browser"`, and the forward an invitee sent for it, written as an `.eml`
//! that the demo delivers with the samples. Before any of it runs, [`require_chromium`]
//! turns a missing Chromium into a clear error instead of a hung or failed job.

use std::path::{Path, PathBuf};

use onbehalf::config::{Config, Engine};
use onbehalf_sim::{Frontend, SimError, SimOptions, Simulator};

/// The platform's host, in its invite links and the simulator's certificate.
pub const HOST: &str = "app.brightdesk.test";
/// The platform's name in the config and the journal.
pub const PLATFORM: &str = "Brightdesk";
/// The forward's file name, as it shows in the demo's table.
pub const FILE: &str = "brightdesk-spa-built-in.eml";
/// The invite's token (the simulator issues exactly this one).
const TOKEN: &str = "bd7Qm2xVt9KpL4wR8sZnE3";

/// Starts the script-built simulator for [`HOST`].
pub async fn start() -> Result<Simulator, SimError> {
    Simulator::start(SimOptions {
        hostnames: vec![HOST.to_owned()],
        frontend: Frontend::ScriptBuilt,
        ..SimOptions::default()
    })
    .await
}

/// The platform's profile, to append to the samples' config.
pub fn profile() -> String {
    format!(
        "\n[[platform]]\nname = \"{PLATFORM}\"\n\
         invite_links = [\"https://{HOST}/invitations/accept?*\"]\n\
         allowed_hosts = [\"{HOST}\"]\n\
         # Its signup page is a single-page app: the form exists only once its script ran.\n\
         engine = \"browser\"\n"
    )
}

/// Writes the forward into `dir` and returns its path.
pub fn write_forward(dir: &Path) -> std::io::Result<PathBuf> {
    let path = dir.join(FILE);
    std::fs::write(&path, forward())?;
    Ok(path)
}

/// A plain-text Gmail forward of the platform's invite, authenticated by the
/// organisation's mail server as the other samples are.
fn forward() -> String {
    let link = format!("https://{HOST}/invitations/accept?token={TOKEN}");
    [
        "Return-Path: <li.wei@partner.test>",
        "Delivered-To: support@corp.example",
        "Authentication-Results: mx.corp.example;",
        "\tdkim=pass header.d=partner.test header.s=s1;",
        "\tspf=pass smtp.mailfrom=li.wei@partner.test;",
        "\tdmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=partner.test",
        "MIME-Version: 1.0",
        "From: Li Wei <li.wei@partner.test>",
        "Date: Tue, 3 Nov 2026 11:02:10 +0100",
        "Message-ID: <CAbrightdesk-spa-demo@mail.gmail.com>",
        "Subject: Fwd: Join Contoso on Brightdesk",
        "To: support@corp.example",
        "Content-Type: text/plain; charset=\"UTF-8\"",
        "",
        "Hi support team,",
        "",
        "The Brightdesk invitation page stays blank on my work laptop. Could you",
        "set up my account?",
        "",
        "Thanks,",
        "Li",
        "",
        "---------- Forwarded message ---------",
        "From: Brightdesk <no-reply@brightdesk.test>",
        "Date: Tue, Nov 3, 2026 at 10:48 AM",
        "Subject: Join Contoso on Brightdesk",
        "To: Li Wei <li.wei@partner.test>",
        "",
        "Hi Li,",
        "",
        "Sam Okafor invited you to the Contoso help desk on Brightdesk.",
        "",
        &format!("Accept the invitation: {link}"),
        "",
        "This link expires in 72 hours.",
        "",
    ]
    .join("\r\n")
}

/// Whether the demo's config has a platform that signs up in the browser.
pub fn needs_browser(config: &Config) -> bool {
    config.platforms.iter().any(|p| p.engine != Engine::Http)
}

/// Fails with what to do when the browser the config needs is not installed.
pub fn require_chromium(config: &Config) -> Result<(), String> {
    let executable = &config.browser.executable;
    if !needs_browser(config) || executable.is_file() {
        return Ok(());
    }
    Err(format!(
        "the {PLATFORM} sample signs up in a browser, and there is no Chromium at {}: \
         install it (`sudo apt-get install chromium`, or scripts/setup-debian.sh)",
        executable.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_chromium_is_a_clear_error() {
        let mut config = Config::from_toml(
            &format!("[notify]\nticket_to = \"h@corp.example\"\n{}", profile()),
            Path::new("/tmp/onbehalf.toml"),
        )
        .unwrap();
        config.browser.executable = PathBuf::from("/nonexistent/chromium");
        let error = require_chromium(&config).unwrap_err();
        assert!(error.contains("/nonexistent/chromium"), "{error}");
        assert!(error.contains("install"), "{error}");
        config.platforms[0].engine = Engine::Http;
        assert!(require_chromium(&config).is_ok());
    }
}
