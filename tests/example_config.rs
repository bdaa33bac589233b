#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The shipped example config (systemd/onbehalf.toml) is valid and says what it means.
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

use std::path::Path;

use onbehalf::config::{Config, IdLessResults, MailboxConfig};

#[test]
fn shipped_example_config_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/onbehalf.toml");
    let config = Config::load(&path).unwrap();
    let engage = config.platform("Engage").unwrap();
    assert!(engage.is_invite_link("https://engage.example.com/invitations/accept?token=x"));
    assert!(engage.success_url.is_some());
    assert!(matches!(config.mailbox, Some(MailboxConfig::Imap(_))));
    assert!(config.smtp.is_some());
    assert!(config.notify.ticket_to.is_some());
    assert!(config.policy.require_authenticated_sender);
    assert_eq!(
        config.policy.trusted_authserv_ids,
        vec!["mx.example.com".to_owned()]
    );
}

#[test]
fn every_uncommented_key_is_documented_by_a_comment() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/onbehalf.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
            continue;
        }
        let commented_inline = line.contains(" # ");
        let commented_above = (0..i)
            .rev()
            .take(12)
            .any(|j| lines[j].trim().starts_with('#'));
        assert!(
            commented_inline || commented_above,
            "line {} has no comment: {line}",
            i + 1
        );
    }
}

#[test]
fn the_microsoft_365_example_line_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/onbehalf.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = "# results_without_authserv_id = \"microsoft365\"";
    assert!(text.contains(line), "the example documents the setting");
    let text = text.replace(line, line.trim_start_matches("# "));
    let config = Config::from_toml(&text, &path).unwrap();
    assert_eq!(
        config.policy.results_without_authserv_id,
        Some(IdLessResults::Microsoft365)
    );
    let wrong = text.replace("\"microsoft365\"", "\"exchange\"");
    let err = Config::from_toml(&wrong, &path).unwrap_err().to_string();
    assert!(
        err.contains("results_without_authserv_id") || err.contains("microsoft365"),
        "{err}"
    );
}
