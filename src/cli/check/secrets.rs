//! Can the secrets be read? Without ever printing them.
//!
//! In: the `[mailbox]` and `[smtp]` settings. Out: one line per secret saying where it
//! comes from and whether it could be had. An XOAUTH2 token command is run (under the
//! mailbox timeout) the way a login runs it; its output is checked and dropped unseen.

use crate::config::{ImapAuth, ImapConfig, SmtpConfig, TokenSource};
use crate::mailbox::MailboxError;
use crate::mailbox::imap::auth::{self, Credential};
use crate::secret::{Secret, SecretError, SecretSource};

use super::line::Line;

const TOPIC: &str = "secret";

/// The `[mailbox]` key the IMAP login secret comes from, e.g. `mailbox.password_file`.
pub fn imap_key(auth: &ImapAuth) -> &'static str {
    match auth {
        ImapAuth::Password(SecretSource::File(_)) => "mailbox.password_file",
        ImapAuth::Password(SecretSource::Credential(_)) => "mailbox.password_credential",
        ImapAuth::XOAuth2(TokenSource::File(_)) => "mailbox.xoauth2_token_file",
        ImapAuth::XOAuth2(TokenSource::Command(_)) => "mailbox.xoauth2_token_command",
    }
}

/// The `[smtp]` key the AUTH password comes from.
pub fn smtp_key(source: &SecretSource) -> &'static str {
    match source {
        SecretSource::File(_) => "smtp.password_file",
        SecretSource::Credential(_) => "smtp.password_credential",
    }
}

/// Where a secret lives, for the reader: a path or a credential name, never the value.
fn place(source: &SecretSource) -> String {
    match source {
        SecretSource::File(path) => path.display().to_string(),
        SecretSource::Credential(name) => format!("systemd credential {name:?}"),
    }
}

/// Reads the IMAP password, or gets a token; true in the result when it worked.
pub async fn imap(config: &ImapConfig) -> (Line, bool) {
    let key = imap_key(&config.auth);
    let found = auth::credential(&config.auth, &config.username, config.timeout).await;
    let line = match found {
        Ok(Credential::Password(secret)) => match &config.auth {
            ImapAuth::Password(source) => readable(key, &place(source), &secret),
            ImapAuth::XOAuth2(_) => readable(key, "", &secret),
        },
        Ok(Credential::AccessToken(_)) => Line::pass(
            TOPIC,
            match &config.auth {
                ImapAuth::XOAuth2(TokenSource::Command(_)) => {
                    format!("{key} ran and printed an access token (not shown)")
                }
                _ => format!("{key} holds an access token (not shown)"),
            },
        ),
        Err(MailboxError::Secret { source, .. }) => Line::fail(
            TOPIC,
            format!("cannot read {key}: {}", crate::report::chain(&source)),
            &secret_fix(&source),
        ),
        Err(MailboxError::Token { reason, .. }) => Line::fail(
            TOPIC,
            format!("{key} gave no usable access token: {reason}"),
            "make it yield a current OAuth 2 access token on one line (try it by hand as \
             the service user)",
        ),
        Err(other) => Line::fail(
            TOPIC,
            crate::report::chain(&other),
            "check the mailbox login settings",
        ),
    };
    let ok = line.mark != super::line::Mark::Fail;
    (line, ok)
}

/// Reads the SMTP AUTH password, when a login is configured.
pub fn smtp(config: &SmtpConfig) -> Option<(Line, bool)> {
    let source = config.password.as_ref()?;
    let key = smtp_key(source);
    let line = match source.read() {
        Ok(secret) => readable(key, &place(source), &secret),
        Err(error) => Line::fail(
            TOPIC,
            format!("cannot read {key}: {}", crate::report::chain(&error)),
            &secret_fix(&error),
        ),
    };
    let ok = line.mark != super::line::Mark::Fail;
    Some((line, ok))
}

/// What to do about a secret that cannot be read.
fn secret_fix(error: &SecretError) -> String {
    match error {
        SecretError::NoCredentialsDirectory { name } => format!(
            "run check-config where the unit's credentials are loaded, e.g. `systemd-run \
             --pipe --property=LoadCredential={name}:/path/to/file onbehalf check-config`, or \
             use a password_file"
        ),
        SecretError::File { .. } => {
            "put only the password in that file, readable by the user onbehalf runs as".into()
        }
    }
}

fn readable(key: &str, place: &str, secret: &Secret) -> Line {
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" ({place})")
    };
    if secret.expose().is_empty() {
        Line::fail(
            TOPIC,
            format!("{key}{place} is empty"),
            "write the password into it (one line)",
        )
    } else {
        Line::pass(TOPIC, format!("{key}{place} is readable (not shown)"))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::line::Mark;
    use super::*;

    fn imap_config(auth: ImapAuth) -> ImapConfig {
        ImapConfig {
            host: "imap.example.com".into(),
            port: 993,
            security: crate::config::ImapSecurity::Tls,
            username: "support@example.com".into(),
            auth,
            ca_file: None,
            folder: "INBOX".into(),
            done_folder: "onbehalf/done".into(),
            needs_human_folder: "onbehalf/needs-human".into(),
            idle: true,
            idle_renew: Duration::from_secs(60),
            poll_interval: Duration::from_secs(60),
            timeout: Duration::from_secs(5),
        }
    }

    #[tokio::test]
    async fn a_password_file_is_read_but_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "hunter2-Secret\n").unwrap();
        let auth = ImapAuth::Password(SecretSource::File(path.clone()));
        let (line, ok) = imap(&imap_config(auth)).await;
        assert!(ok);
        assert_eq!(line.mark, Mark::Pass);
        assert!(line.text.contains("mailbox.password_file"), "{line}");
        assert!(!line.to_string().contains("hunter2"), "{line}");

        std::fs::write(&path, "\n").unwrap();
        let (line, ok) = imap(&imap_config(ImapAuth::Password(SecretSource::File(path)))).await;
        assert!(!ok);
        assert!(line.text.contains("is empty"), "{line}");

        let missing = ImapAuth::Password(SecretSource::File(dir.path().join("nope")));
        let (line, ok) = imap(&imap_config(missing)).await;
        assert!(!ok);
        assert!(
            line.text.contains("cannot read mailbox.password_file"),
            "{line}"
        );
    }

    #[tokio::test]
    async fn a_token_command_is_run_and_its_output_dropped() {
        let good = ImapAuth::XOAuth2(TokenSource::Command("echo tok-SECRET-123".into()));
        let (line, ok) = imap(&imap_config(good)).await;
        assert!(ok, "{line}");
        assert!(line.text.contains("printed an access token"), "{line}");
        assert!(!line.to_string().contains("tok-SECRET"), "{line}");

        let bad = ImapAuth::XOAuth2(TokenSource::Command(
            "echo tok-SECRET-123; echo 'refresh token expired' >&2; exit 2".into(),
        ));
        let (line, ok) = imap(&imap_config(bad)).await;
        assert!(!ok);
        assert!(line.text.contains("refresh token expired"), "{line}");
        assert!(!line.to_string().contains("tok-SECRET"), "{line}");
    }

    #[test]
    fn a_credential_outside_systemd_says_how_to_load_it() {
        let fix = secret_fix(&SecretError::NoCredentialsDirectory {
            name: "imap-password".into(),
        });
        assert!(fix.contains("LoadCredential=imap-password:"), "{fix}");
        assert!(fix.contains("password_file"), "{fix}");
    }
}
