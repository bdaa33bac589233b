//! The `[journal]` section: where the key that seals passwords comes from, how long a
//! password kept for a human lives, and how long filed jobs keep their original message.
//!
//! In: the raw TOML table (every key optional). Out: a [`JournalConfig`] with defaults
//! filled in, or an [`Invalid`] naming the key and what to write instead.

use std::time::Duration;

use serde::Deserialize;

use super::Invalid;
use crate::journal::DEFAULT_KEY_CREDENTIAL;

/// One day.
const DAY: Duration = Duration::from_secs(24 * 3600);

/// The most days either retention may be: ten years is a typo, not a policy.
const MAX_DAYS: u32 = 3650;

/// The validated `[journal]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalConfig {
    /// The systemd credential holding the key (`$CREDENTIALS_DIRECTORY/<name>`); without
    /// it, `journal.key` beside the journal.
    pub key_credential: String,
    /// How many days a password kept for `retry` (an uncertain outcome, a refused
    /// credentials mail) lives before the daemon erases it.
    pub kept_password_days: u32,
    /// How many days a filed job keeps its original message.
    pub keep_originals_days: u32,
}

impl Default for JournalConfig {
    fn default() -> Self {
        Self {
            key_credential: DEFAULT_KEY_CREDENTIAL.to_owned(),
            kept_password_days: 7,
            keep_originals_days: 30,
        }
    }
}

impl JournalConfig {
    /// [`kept_password_days`](Self::kept_password_days) as a duration.
    pub fn kept_password(&self) -> Duration {
        DAY * self.kept_password_days
    }

    /// [`keep_originals_days`](Self::keep_originals_days) as a duration.
    pub fn keep_originals(&self) -> Duration {
        DAY * self.keep_originals_days
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJournal {
    key_credential: Option<String>,
    kept_password_days: Option<u32>,
    keep_originals_days: Option<u32>,
}

impl RawJournal {
    pub(super) fn validate(self) -> Result<JournalConfig, Invalid> {
        let defaults = JournalConfig::default();
        let key_credential = match self.key_credential {
            Some(name) if name.is_empty() || name.contains('/') || name == ".." => {
                return Err(Invalid::new(
                    "journal.key_credential",
                    format!("{name:?} is not a credential name"),
                    "name the credential as in LoadCredentialEncrypted=NAME:…, e.g. \
                     key_credential = \"journal-key\", or leave the key out",
                ));
            }
            Some(name) => name,
            None => defaults.key_credential,
        };
        let kept_password_days = days(
            "journal.kept_password_days",
            self.kept_password_days,
            defaults.kept_password_days,
            "0 would erase a password kept for an account that may exist before anyone \
             could `retry` it",
        )?;
        let keep_originals_days = days(
            "journal.keep_originals_days",
            self.keep_originals_days,
            defaults.keep_originals_days,
            "0 would delete a ticketed job's original as soon as it is filed, before \
             anyone could `retry` it",
        )?;
        Ok(JournalConfig {
            key_credential,
            kept_password_days,
            keep_originals_days,
        })
    }
}

fn days(key: &str, value: Option<u32>, default: u32, zero: &str) -> Result<u32, Invalid> {
    match value {
        None => Ok(default),
        Some(0) => Err(Invalid::new(
            key,
            zero,
            format!("use a number of days such as {default}, or leave the key out"),
        )),
        Some(n) if n > MAX_DAYS => Err(Invalid::new(
            key,
            format!("{n} days is more than {MAX_DAYS} (ten years)"),
            format!("use a number of days such as {default}, or leave the key out"),
        )),
        Some(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(text: &str) -> Result<JournalConfig, Invalid> {
        toml::from_str::<RawJournal>(text).unwrap().validate()
    }

    #[test]
    fn defaults_and_every_key() {
        assert_eq!(validate("").unwrap(), JournalConfig::default());
        let config = validate(
            "key_credential = \"onbehalf-key\"\nkept_password_days = 3\n\
             keep_originals_days = 90",
        )
        .unwrap();
        assert_eq!(config.key_credential, "onbehalf-key");
        assert_eq!(config.kept_password(), Duration::from_secs(3 * 86400));
        assert_eq!(config.keep_originals(), Duration::from_secs(90 * 86400));
    }

    #[test]
    fn bad_values_name_their_key() {
        for (text, key) in [
            ("kept_password_days = 0", "journal.kept_password_days"),
            ("keep_originals_days = 0", "journal.keep_originals_days"),
            ("keep_originals_days = 36500", "journal.keep_originals_days"),
            ("key_credential = \"../key\"", "journal.key_credential"),
            ("key_credential = \"\"", "journal.key_credential"),
        ] {
            let invalid = validate(text).unwrap_err();
            assert_eq!(invalid.key, key, "{text}");
            assert!(!invalid.suggestion.is_empty(), "{text}");
        }
        assert!(toml::from_str::<RawJournal>("keep_original_days = 3").is_err());
        assert!(toml::from_str::<RawJournal>("kept_password_days = -1").is_err());
    }
}
