//! The `[journal]` checks: where the key that seals passwords comes from, and how long
//! kept passwords and originals live.
//!
//! In: the validated [`Config`] and `$CREDENTIALS_DIRECTORY` (as the service would see
//! it). Out: a line on the key (credential or key file, the file's permissions; never its
//! bytes) and one on expiry and retention, with a warning for values that defeat them.

use crate::config::Config;
use crate::journal::{KeyPlace, KeySource};

use super::line::Line;

/// A kept password living longer than this is a live credential of a created account
/// lying around for weeks.
const LONG_KEPT_PASSWORD_DAYS: u32 = 30;

/// Less than this leaves a human no weekend to look at the ticket.
const SHORT_KEPT_PASSWORD_DAYS: u32 = 3;

/// The key line and the retention line.
pub fn journal(config: &Config) -> Vec<Line> {
    let place = KeyPlace::from_env(&config.daemon.state_dir, &config.journal.key_credential);
    vec![
        key(&place, &config.journal.key_credential),
        retention(config),
    ]
}

fn key(place: &KeyPlace, credential: &str) -> Line {
    let (source, verdict) = place.inspect();
    let topic = "journal";
    match (source, verdict) {
        (_, Err(e)) => Line::fail(
            topic,
            crate::report::chain(&e),
            "fix the key file or credential named above (at least 32 random bytes, mode \
             0600), or remove the key file if no password was sealed with it yet",
        ),
        (KeySource::Credential(path), Ok(())) => Line::pass(
            topic,
            format!(
                "passwords are sealed with the key from the systemd credential {credential} \
                 ({})",
                path.display()
            ),
        ),
        (KeySource::KeyFile(path), Ok(())) if path.exists() => Line::pass(
            topic,
            format!(
                "passwords are sealed with the key file {} (mode 0600); it protects backups \
                 of the journal, not against root here: a LoadCredentialEncrypted={credential} \
                 credential keeps it off the disk",
                path.display()
            ),
        ),
        (KeySource::KeyFile(path), Ok(())) => Line::pass(
            topic,
            format!(
                "no credential {credential} and no key file yet: the daemon creates {} \
                 (0600) at its first start; LoadCredentialEncrypted={credential} in the unit \
                 keeps the key off the disk instead",
                path.display()
            ),
        ),
    }
}

fn retention(config: &Config) -> Line {
    let journal = &config.journal;
    let (kept, originals) = (journal.kept_password_days, journal.keep_originals_days);
    let summary = format!(
        "a password kept for `retry` is erased after {kept} days, a filed job's original \
         after {originals} days"
    );
    if kept > LONG_KEPT_PASSWORD_DAYS {
        return Line::warn(
            "journal",
            format!(
                "{summary}: journal.kept_password_days = {kept} keeps the password of an \
                 account that may exist for over a month; 7 is usually enough"
            ),
        );
    }
    if kept < SHORT_KEPT_PASSWORD_DAYS {
        return Line::warn(
            "journal",
            format!(
                "{summary}: journal.kept_password_days = {kept} may erase a kept password \
                 before anyone reads its ticket (a weekend is 2 days); 7 is the default"
            ),
        );
    }
    if originals < kept {
        return Line::warn(
            "journal",
            format!(
                "{summary}: originals go before kept passwords, so a ticket's message may be \
                 gone while its password can still be retried; keep_originals_days should be \
                 at least kept_password_days"
            ),
        );
    }
    Line::pass("journal", summary)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    use super::super::line::Mark;
    use super::super::test_config as config;
    use super::*;

    #[test]
    fn the_key_source_and_its_permissions_are_said() {
        let state = tempfile::tempdir().unwrap();
        let credentials = tempfile::tempdir().unwrap();
        let place = |creds: Option<&Path>| KeyPlace::new(state.path(), "journal-key", creds);
        let line = key(&place(None), "journal-key");
        assert_eq!(line.mark, Mark::Pass);
        assert!(
            line.text.contains("creates") && line.text.contains("journal.key"),
            "{line}"
        );
        let key_file = state.path().join("journal.key");
        std::fs::write(&key_file, [1u8; 32]).unwrap();
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let line = key(&place(None), "journal-key");
        assert_eq!(line.mark, Mark::Fail, "{line}");
        assert!(line.to_string().contains("chmod 600"), "{line}");
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let line = key(&place(None), "journal-key");
        assert_eq!(line.mark, Mark::Pass, "{line}");
        assert!(line.text.contains("not against root"), "{line}");
        std::fs::write(credentials.path().join("journal-key"), [2u8; 32]).unwrap();
        let line = key(&place(Some(credentials.path())), "journal-key");
        assert_eq!(line.mark, Mark::Pass, "{line}");
        assert!(
            line.text.contains("systemd credential journal-key"),
            "{line}"
        );
    }

    #[test]
    fn retention_values_that_defeat_themselves_warn() {
        assert_eq!(retention(&config("")).mark, Mark::Pass);
        assert!(retention(&config("")).text.contains("after 7 days"));
        for extra in [
            "[journal]\nkept_password_days = 90\nkeep_originals_days = 90\n",
            "[journal]\nkept_password_days = 1\n",
            "[journal]\nkept_password_days = 14\nkeep_originals_days = 7\n",
        ] {
            assert_eq!(retention(&config(extra)).mark, Mark::Warn, "{extra}");
        }
    }
}
