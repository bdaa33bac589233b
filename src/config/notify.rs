//! The `[notify]` section: what the mails say and where tickets go.
//!
//! In: the raw TOML table (every key optional). Out: a [`NotifyConfig`] with addresses
//! parsed, the templates loaded and checked (an ops-edited template with an unknown
//! `{placeholder}` fails here, at load time, not when the first mail goes out) and the
//! per-platform login URLs parsed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use serde::Deserialize;
use url::Url;

use super::Invalid;
use crate::notify::templates::Templates;

/// The change-password instruction used when the file does not give one.
pub const DEFAULT_CHANGE_PASSWORD_HINT: &str = "Please change this password right after your \
     first login, under your profile's security settings.";

/// The validated `[notify]` section.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The help desk's email-to-ticket address; `run` and `once` need it.
    pub ticket_to: Option<Mailbox>,
    /// `Reply-To` of credentials mails and requester notes (e.g. the help desk).
    pub reply_to: Option<Mailbox>,
    /// The folder the templates were loaded from; `None` means the built-in ones.
    pub templates_dir: Option<PathBuf>,
    /// The mail templates, checked at load time.
    pub templates: Templates,
    /// The sentence telling the user to change the password, and where.
    pub change_password_hint: String,
    /// Platform name (lower case) → the login URL shown in the credentials mail.
    pub login_urls: BTreeMap<String, Url>,
    /// Whether a mail with no invite link from an unauthenticated sender still becomes a
    /// ticket (its Reply-To would be that unverified From). Off by default: such mail is
    /// filed in the needs-human folder without a ticket.
    pub junk_tickets: bool,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            ticket_to: None,
            reply_to: None,
            templates_dir: None,
            templates: Templates::builtin(),
            change_password_hint: DEFAULT_CHANGE_PASSWORD_HINT.to_owned(),
            login_urls: BTreeMap::new(),
            junk_tickets: false,
        }
    }
}

impl NotifyConfig {
    /// The login URL to show for `platform`: the configured one, else the root
    /// (`scheme://host[:port]/`) of the invite link, else the invite link itself.
    pub fn login_url(&self, platform: &str, invite_url: &str) -> String {
        if let Some(url) = self.login_urls.get(&platform.to_lowercase()) {
            return url.to_string();
        }
        match Url::parse(invite_url) {
            Ok(mut url) if url.has_host() => {
                url.set_path("/");
                url.set_query(None);
                url.set_fragment(None);
                // Credentials in an invite URL are not part of where to log in.
                let _ = url.set_username("");
                let _ = url.set_password(None);
                url.to_string()
            }
            _ => invite_url.to_owned(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    ticket_to: Option<String>,
    reply_to: Option<String>,
    templates_dir: Option<PathBuf>,
    change_password_hint: Option<String>,
    #[serde(default)]
    login_url: BTreeMap<String, String>,
    #[serde(default)]
    junk_tickets: bool,
}

impl RawNotify {
    pub(super) fn validate(self, base_dir: &Path) -> Result<NotifyConfig, Invalid> {
        let ticket_to = parse_mailbox("notify.ticket_to", self.ticket_to.as_deref())?;
        let reply_to = parse_mailbox("notify.reply_to", self.reply_to.as_deref())?;
        let templates_dir = self.templates_dir.map(|dir| base_dir.join(dir));
        let templates = match &templates_dir {
            Some(dir) => Templates::load(dir).map_err(|e| {
                Invalid::new(
                    "notify.templates_dir",
                    crate::report::chain(&e),
                    "fix the template, or remove the file to use the built-in one; \
                     placeholders are listed in the built-in templates (write {{ for a \
                     literal brace)",
                )
            })?,
            None => Templates::builtin(),
        };
        let change_password_hint = validate_hint(self.change_password_hint)?;
        let login_urls = validate_login_urls(self.login_url)?;
        Ok(NotifyConfig {
            ticket_to,
            reply_to,
            templates_dir,
            templates,
            change_password_hint,
            login_urls,
            junk_tickets: self.junk_tickets,
        })
    }
}

fn validate_hint(hint: Option<String>) -> Result<String, Invalid> {
    match hint {
        Some(hint) if hint.trim().is_empty() => Err(Invalid::new(
            "notify.change_password_hint",
            "the instruction is empty, so users would not be told to change the password",
            "say where to change it, e.g. \"Change it under Profile → Security right after \
             your first login.\"",
        )),
        Some(hint) => Ok(hint.trim().to_owned()),
        None => Ok(DEFAULT_CHANGE_PASSWORD_HINT.to_owned()),
    }
}

fn validate_login_urls(raw: BTreeMap<String, String>) -> Result<BTreeMap<String, Url>, Invalid> {
    let mut login_urls = BTreeMap::new();
    for (platform, text) in raw {
        let key = format!("notify.login_url.{platform}");
        let url = Url::parse(text.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "https" | "http") && u.has_host())
            .ok_or_else(|| {
                Invalid::new(
                    &key,
                    format!("{text:?} is not an http(s) URL"),
                    "write the page where users sign in, e.g. \
                     \"https://engage.example.com/login\"",
                )
            })?;
        if login_urls.insert(platform.to_lowercase(), url).is_some() {
            return Err(Invalid::new(
                key,
                "the platform is listed twice (names are case-insensitive)",
                "keep one entry per platform",
            ));
        }
    }
    Ok(login_urls)
}

fn parse_mailbox(key: &str, text: Option<&str>) -> Result<Option<Mailbox>, Invalid> {
    text.map(|text| {
        text.trim().parse::<Mailbox>().map_err(|e| {
            Invalid::new(
                key,
                format!("{text:?} is not a mail address: {e}"),
                "write one address, e.g. \"Help desk <helpdesk@example.com>\"",
            )
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(text: &str, base_dir: &Path) -> Result<NotifyConfig, Invalid> {
        let raw: RawNotify = toml::from_str(text).unwrap();
        raw.validate(base_dir)
    }

    #[test]
    fn absent_section_gets_defaults() {
        let config = validate("", Path::new("/etc/onbehalf")).unwrap();
        assert!(config.ticket_to.is_none());
        assert!(config.reply_to.is_none());
        assert_eq!(config.change_password_hint, DEFAULT_CHANGE_PASSWORD_HINT);
        assert!(config.templates_dir.is_none());
    }

    #[test]
    fn addresses_and_login_urls_are_parsed() {
        let text = r#"
ticket_to = "Help desk <helpdesk@example.com>"
reply_to = "support@example.com"
change_password_hint = "Change it under Profile > Security."
[login_url]
Engage = "https://engage.example.com/login"
"#;
        let config = validate(text, Path::new("/etc/onbehalf")).unwrap();
        assert_eq!(
            config.ticket_to.unwrap().email.to_string(),
            "helpdesk@example.com"
        );
        assert_eq!(
            config.reply_to.unwrap().email.to_string(),
            "support@example.com"
        );
        assert_eq!(
            config.change_password_hint,
            "Change it under Profile > Security."
        );
        assert_eq!(
            config.login_urls.get("engage").map(Url::as_str),
            Some("https://engage.example.com/login")
        );
    }

    #[test]
    fn login_url_defaults_to_the_invite_root() {
        let mut config = NotifyConfig::default();
        assert_eq!(
            config.login_url(
                "Engage",
                "https://engage.example.com:8443/invitations/accept?token=abc#x"
            ),
            "https://engage.example.com:8443/"
        );
        config.login_urls.insert(
            "engage".into(),
            Url::parse("https://engage.example.com/login").unwrap(),
        );
        assert_eq!(
            config.login_url(
                "ENGAGE",
                "https://engage.example.com/invitations/accept?t=1"
            ),
            "https://engage.example.com/login"
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        let base = Path::new("/etc/onbehalf");
        let key = |text: &str| validate(text, base).unwrap_err().key;
        assert_eq!(key("ticket_to = \"help desk\"\n"), "notify.ticket_to");
        assert_eq!(
            key("reply_to = \"a@b.test, c@d.test\"\n"),
            "notify.reply_to"
        );
        assert_eq!(
            key("change_password_hint = \"  \"\n"),
            "notify.change_password_hint"
        );
        assert_eq!(
            key("[login_url]\nEngage = \"engage.example.com/login\"\n"),
            "notify.login_url.Engage"
        );
        assert_eq!(
            key("[login_url]\nEngage = \"ftp://engage.example.com/\"\n"),
            "notify.login_url.Engage"
        );
        assert_eq!(
            key("[login_url]\nEngage = \"https://a.test/\"\nengage = \"https://b.test/\"\n"),
            "notify.login_url.engage"
        );
        assert_eq!(
            key("templates_dir = \"/nonexistent/onbehalf-templates\"\n"),
            "notify.templates_dir"
        );
    }

    #[test]
    fn templates_dir_is_loaded_and_checked_at_load_time() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ticket.txt"),
            "Subject: Ticket {job_id}\n\n{headline}\n{detial}\n",
        )
        .unwrap();
        let text = format!("templates_dir = {:?}\n", dir.path().display().to_string());
        let err = validate(&text, Path::new("/")).unwrap_err();
        assert!(err.problem.contains("{detial}"), "{err:?}");
        assert!(err.problem.contains("ticket.txt"), "{err:?}");
        assert!(err.problem.contains("line 4"), "{err:?}");

        std::fs::write(
            dir.path().join("ticket.txt"),
            "Subject: Ticket {job_id}\n\n{headline}\n{detail}\n",
        )
        .unwrap();
        let config = validate(&text, Path::new("/")).unwrap();
        assert_eq!(config.templates_dir.as_deref(), Some(dir.path()));
    }
}
