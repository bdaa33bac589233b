//! `onbehalf check-config`: is this config ready for `run`?
//!
//! In: the config file. Out: one line per check on stdout, each starting with `✓`, `!`
//! (works, or not needed, but deserves attention) or `✗` (followed by what to change):
//! every key valid, the secrets readable (never printed), the mailbox (reachable, TLS,
//! login, folders, IDLE), the SMTP server (reachable, TLS, AUTH; no mail sent), each
//! platform's allowed hosts over HTTPS, the settings that load but would not work well,
//! and the journal's key (credential or key file) with its retention. Exit status 0
//! without `✗`, 1 with, 2 when the file cannot be loaded.
//!
//! The network checks run at once, each under its own timeout, so the command takes as
//! long as the slowest server, not their sum.

mod imap;
mod journal;
mod line;
mod secrets;
mod settings;
mod smtp;
mod web;

use futures::future::join_all;

use crate::config::{Config, ConfigError};

pub use line::{Line, Mark, exit_status};

/// Arguments of `onbehalf check-config`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    config: super::ConfigArg,
}

/// Runs the command; returns the exit status.
pub fn run(args: &CheckArgs) -> u8 {
    let config = match Config::load(&args.config.config) {
        Ok(config) => config,
        Err(error) => {
            let fix = match error {
                ConfigError::Read { .. } => {
                    "name the config file with --config FILE (or $ONBEHALF_CONFIG)"
                }
                _ => "correct the file and run check-config again",
            };
            println!(
                "{}",
                Line::fail("config", crate::report::chain(&error), fix)
            );
            return super::EXIT_USAGE;
        }
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(status) => return status,
    };
    let lines = runtime.block_on(check(&config));
    for line in &lines {
        println!("{line}");
    }
    exit_status(&lines)
}

/// Every check of a loaded config, in the order they are printed: the file, the
/// mailbox, SMTP, each platform, the sender policy and `[notify]`.
pub async fn check(config: &Config) -> Vec<Line> {
    let file = Line::pass(
        "config",
        format!("{}: every key is valid", config.path.display()),
    );
    let platforms = config
        .platforms
        .iter()
        .enumerate()
        .map(|(index, platform)| async move {
            let mut lines = settings::platform(index, platform);
            lines.extend(web::check(index, platform).await);
            lines
        });
    let (mailbox, smtp, platforms, browser) = tokio::join!(
        mailbox(config),
        smtp(config),
        join_all(platforms),
        browser(config)
    );
    let mut lines = vec![file];
    lines.extend(mailbox);
    lines.extend(smtp);
    lines.extend(platforms.into_iter().flatten());
    lines.extend(browser);
    lines.extend(settings::policy(config));
    lines.extend(settings::notify(config));
    lines.extend(settings::job_deadline(config));
    lines.extend(journal::journal(config));
    lines
}

/// Which engine each platform uses and, when any uses the browser, whether it starts
/// (it is launched and closed again).
async fn browser(config: &Config) -> Vec<Line> {
    use crate::config::Engine;
    let engines: Vec<String> = config
        .platforms
        .iter()
        .map(|p| format!("{}: {}", p.name, p.engine.as_str()))
        .collect();
    let mut lines = vec![Line::pass("engines", engines.join(", "))];
    if config.platforms.iter().all(|p| p.engine == Engine::Http) {
        return lines;
    }
    let settings = &config.browser;
    lines.push(
        match crate::signup::browser::BrowserEngine::check(settings).await {
            Ok(version) => Line::pass("browser", format!("{version} starts and closes")),
            Err(e) => Line::fail(
                "browser",
                crate::report::chain(&e),
                "install Debian's chromium (apt-get install chromium) or set \
                 [browser] executable to its path",
            ),
        },
    );
    lines
}

async fn mailbox(config: &Config) -> Vec<Line> {
    let Some(mailbox) = &config.mailbox else {
        return vec![Line::warn("mailbox", "not configured (needed by run/once)")];
    };
    let mut lines = Vec::new();
    let secret_ok = match mailbox {
        crate::config::MailboxConfig::Imap(imap) => {
            let (line, ok) = secrets::imap(imap).await;
            lines.push(line);
            ok
        }
        crate::config::MailboxConfig::Maildir(_) => true,
    };
    lines.extend(imap::check(mailbox, secret_ok).await);
    lines
}

async fn smtp(config: &Config) -> Vec<Line> {
    let Some(smtp) = &config.smtp else {
        return vec![Line::warn("smtp", "not configured (needed by run/once)")];
    };
    let mut lines = Vec::new();
    let secret_ok = match secrets::smtp(smtp) {
        Some((line, ok)) => {
            lines.push(line);
            ok
        }
        None => true,
    };
    let max_message_bytes = config.limits.max_message_bytes;
    lines.extend(smtp::check(smtp, &config.notify, max_message_bytes, secret_ok).await);
    lines
}

/// A config with one platform and `extra` TOML after it, for the checks' unit tests.
#[cfg(test)]
fn test_config(extra: &str) -> Config {
    let text = format!(
        "[[platform]]\nname = \"Engage\"\n\
         invite_links = [\"https://engage.example.com/invitations/accept?*\"]\n\
         allowed_hosts = [\"engage.example.com\"]\n{extra}"
    );
    Config::from_toml(&text, std::path::Path::new("/etc/onbehalf/onbehalf.toml")).unwrap()
}
