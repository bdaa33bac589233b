//! Proving who we are to the IMAP server.
//!
//! In: the configured [`ImapAuth`]. Out: the secret to log in with, read afresh on every
//! (re)connect so rotated passwords and refreshed tokens apply — a password from a file or
//! a systemd credential, or an OAuth 2 access token from a file or from a command run with
//! `sh -c` under a timeout — and the XOAUTH2 SASL response built from a token.

use std::process::Stdio;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::config::{ImapAuth, TokenSource};
use crate::mailbox::MailboxError;
use crate::secret::Secret;

/// The secret for one login attempt.
pub(crate) enum Credential {
    /// For `LOGIN`.
    Password(Secret),
    /// For `AUTHENTICATE XOAUTH2`.
    AccessToken(Secret),
}

/// Reads the password or fetches a token, now.
pub(crate) async fn credential(
    auth: &ImapAuth,
    username: &str,
    limit: Duration,
) -> Result<Credential, MailboxError> {
    match auth {
        ImapAuth::Password(source) => {
            source
                .read()
                .map(Credential::Password)
                .map_err(|source| MailboxError::Secret {
                    username: username.to_owned(),
                    source,
                })
        }
        ImapAuth::XOAuth2(source) => access_token(source, limit)
            .await
            .map(Credential::AccessToken)
            .map_err(|reason| MailboxError::Token {
                username: username.to_owned(),
                reason,
            }),
    }
}

async fn access_token(source: &TokenSource, limit: Duration) -> Result<Secret, String> {
    let raw = match source {
        TokenSource::File(path) => Secret::from_file(path)
            .map_err(|e| format!("cannot read xoauth2_token_file {}: {e}", path.display()))?,
        TokenSource::Command(command) => run_token_command(command, limit).await?,
    };
    let token = raw.expose().trim();
    if token.is_empty() {
        return Err("the token is empty".into());
    }
    if token.chars().any(|c| c.is_control()) {
        return Err("the token spans several lines or holds control characters".into());
    }
    Ok(Secret::new(token))
}

async fn run_token_command(command: &str, limit: Duration) -> Result<Secret, String> {
    let child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run xoauth2_token_command with sh: {e}"))?;
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| format!("xoauth2_token_command did not finish within {limit:?}"))?
        .map_err(|e| format!("cannot read the output of xoauth2_token_command: {e}"))?;
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_line: String = stderr
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        return Err(format!(
            "xoauth2_token_command failed ({}){}",
            output.status,
            if first_line.is_empty() {
                String::new()
            } else {
                format!(": {first_line}")
            }
        ));
    }
    let text = std::str::from_utf8(&stdout)
        .map_err(|_| "xoauth2_token_command printed something that is not UTF-8".to_owned())?;
    Ok(Secret::new(text))
}

/// The XOAUTH2 SASL initial response: `user=<u>^Aauth=Bearer <token>^A^A`.
pub(crate) fn xoauth2_response(username: &str, token: &Secret) -> Zeroizing<Vec<u8>> {
    let mut response = Zeroizing::new(Vec::with_capacity(username.len() + 40));
    response.extend_from_slice(b"user=");
    response.extend_from_slice(username.as_bytes());
    response.extend_from_slice(b"\x01auth=Bearer ");
    response.extend_from_slice(token.expose().as_bytes());
    response.extend_from_slice(b"\x01\x01");
    response
}

/// Answers the server's XOAUTH2 challenges: the credentials first; after a failure the
/// server sends an error challenge, which must be answered with an empty response.
pub(crate) struct XOAuth2 {
    initial: Option<Zeroizing<Vec<u8>>>,
}

impl XOAuth2 {
    pub(crate) fn new(username: &str, token: &Secret) -> Self {
        Self {
            initial: Some(xoauth2_response(username, token)),
        }
    }
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = Zeroizing<Vec<u8>>;

    fn process(&mut self, _challenge: &[u8]) -> Self::Response {
        self.initial.take().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use async_imap::Authenticator;

    use super::*;

    #[test]
    fn xoauth2_string_follows_the_google_format() {
        let token = Secret::new("ya29.token");
        assert_eq!(
            xoauth2_response("support@example.com", &token).as_slice(),
            b"user=support@example.com\x01auth=Bearer ya29.token\x01\x01"
        );
    }

    #[test]
    fn xoauth2_answers_an_error_challenge_with_nothing() {
        let mut auth = XOAuth2::new("u", &Secret::new("t"));
        assert_eq!(
            auth.process(b"").as_slice(),
            b"user=u\x01auth=Bearer t\x01\x01"
        );
        assert!(auth.process(b"{\"status\":\"401\"}").is_empty());
    }

    #[tokio::test]
    async fn token_command_output_is_trimmed() {
        let source = TokenSource::Command("printf '  tok-123\\n'".into());
        let token = access_token(&source, Duration::from_secs(5)).await.unwrap();
        assert_eq!(token.expose(), "tok-123");
    }

    #[tokio::test]
    async fn token_command_failure_says_why_without_stdout() {
        let source =
            TokenSource::Command("echo secret-out; echo 'refresh expired' >&2; exit 3".into());
        let error = access_token(&source, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(
            error.contains("refresh expired") && error.contains('3'),
            "{error}"
        );
        assert!(!error.contains("secret-out"), "{error}");
        let empty = TokenSource::Command("true".into());
        let error = access_token(&empty, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(error.contains("empty"), "{error}");
    }

    #[tokio::test]
    async fn token_command_is_bounded_by_the_timeout() {
        let source = TokenSource::Command("sleep 5".into());
        let error = access_token(&source, Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(error.contains("did not finish"), "{error}");
    }

    #[tokio::test]
    async fn token_file_is_read_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "first\n").unwrap();
        let source = TokenSource::File(path.clone());
        assert_eq!(
            access_token(&source, Duration::from_secs(1))
                .await
                .unwrap()
                .expose(),
            "first"
        );
        std::fs::write(&path, "second\n").unwrap();
        assert_eq!(
            access_token(&source, Duration::from_secs(1))
                .await
                .unwrap()
                .expose(),
            "second"
        );
    }
}
