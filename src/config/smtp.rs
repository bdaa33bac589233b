//! The `[smtp]` section: where credentials mails and tickets are submitted.
//!
//! In: the raw TOML table. Out: an [`SmtpConfig`] with the port filled in from the
//! security mode, the sender parsed as a mailbox and the password source resolved (the
//! password itself is read later, when the transport is built, so it never sits in the
//! config). Plain SMTP is refused unless the server is on this machine.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use serde::Deserialize;

use super::Invalid;
use crate::net::loopback::is_loopback;
use crate::secret::SecretSource;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// TLS from the first byte (submissions, port 465).
    Tls,
    /// Plain TCP upgraded with STARTTLS, which is required (submission, port 587).
    Starttls,
    /// No encryption; only allowed when the server is on the loopback interface.
    Plain,
}

impl SmtpSecurity {
    /// The port this mode conventionally uses.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Tls => 465,
            Self::Starttls => 587,
            Self::Plain => 25,
        }
    }
}

/// The validated `[smtp]` section.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The server's host name or IP address (also the name its certificate must carry).
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// Implicit TLS, STARTTLS or plain (loopback only).
    pub security: SmtpSecurity,
    /// The AUTH user; `None` sends without authenticating.
    pub username: Option<String>,
    /// Where the AUTH password is read from; set exactly when `username` is.
    pub password: Option<SecretSource>,
    /// An extra trusted root certificate (PEM), on top of the built-in web PKI roots.
    pub ca_file: Option<PathBuf>,
    /// The `From` of every mail, and the envelope sender.
    pub from: Mailbox,
    /// Time allowed for connecting; one whole delivery attempt (TLS, login, transfer)
    /// is cut off after [`SmtpConfig::attempt_limit`].
    pub timeout: Duration,
    /// How many times a temporary failure (4xx, lost connection) is retried.
    pub retries: u32,
    /// The wait before the first retry; it doubles for each further one.
    pub retry_backoff: Duration,
}

impl SmtpConfig {
    /// How long one delivery attempt may take in all: four times `timeout`, room for
    /// the connect, TLS, AUTH and a large ticket's transfer.
    pub fn attempt_limit(&self) -> Duration {
        self.timeout.saturating_mul(4)
    }

    /// `host:port`, for messages.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {
    host: String,
    port: Option<u16>,
    security: Option<SmtpSecurity>,
    username: Option<String>,
    password_file: Option<PathBuf>,
    password_credential: Option<String>,
    ca_file: Option<PathBuf>,
    from: String,
    #[serde(default, with = "humantime_serde")]
    timeout: Option<Duration>,
    retries: Option<u32>,
    #[serde(default, with = "humantime_serde")]
    retry_backoff: Option<Duration>,
}

/// More retries than this only delay the ticket that tells a human.
const MAX_RETRIES: u32 = 10;

impl RawSmtp {
    pub(super) fn validate(self, base_dir: &Path) -> Result<SmtpConfig, Invalid> {
        let host = validate_host(&self.host)?;
        let security = self.security.unwrap_or(SmtpSecurity::Tls);
        if security == SmtpSecurity::Plain && !is_loopback(&host) {
            return Err(Invalid::new(
                "smtp.security",
                format!(
                    "\"plain\" would send passwords unencrypted to {host}, which is not \
                     this machine"
                ),
                "use security = \"tls\" (port 465) or \"starttls\" (port 587); \"plain\" is \
                 only accepted for host = \"127.0.0.1\", \"::1\" or \"localhost\"",
            ));
        }
        let port = validate_port(self.port, security)?;
        let (username, password) = validate_auth(
            self.username,
            self.password_file,
            self.password_credential,
            base_dir,
        )?;
        let from = self.from.trim().parse::<Mailbox>().map_err(|e| {
            Invalid::new(
                "smtp.from",
                format!("{:?} is not a mail address: {e}", self.from),
                "write an address the server lets you send as, e.g. \
                 from = \"Support <support@example.com>\"",
            )
        })?;
        let (timeout, retries) = validate_timing(self.timeout, self.retries)?;
        Ok(SmtpConfig {
            host,
            port,
            security,
            username,
            password,
            ca_file: self.ca_file.map(|p| base_dir.join(p)),
            from,
            timeout,
            retries,
            retry_backoff: self.retry_backoff.unwrap_or(Duration::from_secs(2)),
        })
    }
}

fn validate_port(port: Option<u16>, security: SmtpSecurity) -> Result<u16, Invalid> {
    match port {
        Some(0) => Err(Invalid::new(
            "smtp.port",
            "port 0 cannot be connected to",
            format!(
                "use the server's submission port, or leave the key out for {}",
                security.default_port()
            ),
        )),
        Some(port) => Ok(port),
        None => Ok(security.default_port()),
    }
}

fn validate_timing(
    timeout: Option<Duration>,
    retries: Option<u32>,
) -> Result<(Duration, u32), Invalid> {
    let timeout = timeout.unwrap_or(Duration::from_secs(30));
    if timeout.is_zero() {
        return Err(Invalid::new(
            "smtp.timeout",
            "a zero timeout fails every command",
            "use a duration such as \"30s\", or leave the key out",
        ));
    }
    let retries = retries.unwrap_or(3);
    if retries > MAX_RETRIES {
        return Err(Invalid::new(
            "smtp.retries",
            format!("{retries} retries would hold a job for hours"),
            format!("use at most {MAX_RETRIES}; the default is 3"),
        ));
    }
    Ok((timeout, retries))
}

fn validate_host(raw: &str) -> Result<String, Invalid> {
    let host = raw.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let looks_like_url = host.contains("://") || host.contains('/');
    let has_port = host.parse::<IpAddr>().is_err() && host.contains(':');
    if host.is_empty() || looks_like_url || has_port || host.contains(char::is_whitespace) {
        return Err(Invalid::new(
            "smtp.host",
            format!("{raw:?} is not a host name"),
            "write only the server's name, e.g. host = \"smtp.example.com\", and put the \
             port in `port`",
        ));
    }
    Ok(host.to_owned())
}

fn validate_auth(
    username: Option<String>,
    password_file: Option<PathBuf>,
    password_credential: Option<String>,
    base_dir: &Path,
) -> Result<(Option<String>, Option<SecretSource>), Invalid> {
    let username = username.map(|u| u.trim().to_owned());
    let source = match (password_file, password_credential) {
        (Some(_), Some(_)) => {
            return Err(Invalid::new(
                "smtp.password_file",
                "both password_file and password_credential are set",
                "keep one: password_file for a file, password_credential for a systemd \
                 credential (LoadCredential=)",
            ));
        }
        (Some(file), None) => Some(SecretSource::File(base_dir.join(file))),
        (None, Some(name)) => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.contains('/') || name == "." || name == ".." {
                return Err(Invalid::new(
                    "smtp.password_credential",
                    format!("{name:?} is not a credential name"),
                    "use the name given to LoadCredential= in the unit, e.g. \
                     password_credential = \"smtp-password\"",
                ));
            }
            Some(SecretSource::Credential(name))
        }
        (None, None) => None,
    };
    match (username, source) {
        (Some(user), _) if user.is_empty() => Err(Invalid::new(
            "smtp.username",
            "the username is empty",
            "write the SMTP login, or remove the key to send without AUTH",
        )),
        (Some(user), Some(source)) => Ok((Some(user), Some(source))),
        (Some(_), None) => Err(Invalid::new(
            "smtp.username",
            "a username is set but no password source",
            "add password_file = \"/etc/onbehalf/smtp-password\" or \
             password_credential = \"smtp-password\" (never the password itself)",
        )),
        (None, Some(_)) => Err(Invalid::new(
            "smtp.username",
            "a password source is set but no username",
            "add username = \"…\" (the SMTP login), or remove the password key",
        )),
        (None, None) => Ok((None, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(text: &str) -> Result<SmtpConfig, Invalid> {
        let raw: RawSmtp = toml::from_str(text).unwrap();
        raw.validate(Path::new("/etc/onbehalf"))
    }

    fn problem_key(text: &str) -> String {
        validate(text).unwrap_err().key
    }

    const BASE: &str = "host = \"smtp.example.com\"\nfrom = \"Support <support@example.com>\"\n";

    #[test]
    fn defaults_follow_the_security_mode() {
        let config = validate(BASE).unwrap();
        assert_eq!(config.security, SmtpSecurity::Tls);
        assert_eq!(config.port, 465);
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(config.retries, 3);
        assert_eq!(config.from.email.to_string(), "support@example.com");
        assert_eq!(config.username, None);
        assert_eq!(config.server(), "smtp.example.com:465");

        let starttls = validate(&format!("{BASE}security = \"starttls\"\n")).unwrap();
        assert_eq!(starttls.port, 587);
        let plain =
            validate("host = \"127.0.0.1\"\nfrom = \"a@b.test\"\nsecurity = \"plain\"\n").unwrap();
        assert_eq!(plain.port, 25);
        let explicit = validate(&format!("{BASE}port = 2525\ntimeout = \"5s\"\n")).unwrap();
        assert_eq!(
            (explicit.port, explicit.timeout),
            (2525, Duration::from_secs(5))
        );
    }

    #[test]
    fn plain_is_refused_for_a_remote_host_with_a_suggestion() {
        let err = validate(&format!("{BASE}security = \"plain\"\n")).unwrap_err();
        assert_eq!(err.key, "smtp.security");
        assert!(err.problem.contains("smtp.example.com"), "{err:?}");
        assert!(err.suggestion.contains("starttls"), "{err:?}");
        for host in ["127.0.0.1", "::1", "[::1]", "localhost", "LOCALHOST"] {
            let text = format!("host = \"{host}\"\nfrom = \"a@b.test\"\nsecurity = \"plain\"\n");
            assert!(validate(&text).is_ok(), "{host}");
        }
        for host in ["10.0.0.1", "smtp.localhost.example", "0.0.0.0"] {
            let text = format!("host = \"{host}\"\nfrom = \"a@b.test\"\nsecurity = \"plain\"\n");
            assert_eq!(validate(&text).unwrap_err().key, "smtp.security", "{host}");
        }
    }

    #[test]
    fn password_source_is_exactly_one_when_a_username_is_set() {
        let file = validate(&format!(
            "{BASE}username = \"bot\"\npassword_file = \"pw\"\n"
        ))
        .unwrap();
        assert_eq!(
            file.password,
            Some(SecretSource::File(PathBuf::from("/etc/onbehalf/pw")))
        );
        let credential = validate(&format!(
            "{BASE}username = \"bot\"\npassword_credential = \"smtp-password\"\n"
        ))
        .unwrap();
        assert_eq!(
            credential.password,
            Some(SecretSource::Credential("smtp-password".into()))
        );
        assert_eq!(
            problem_key(&format!("{BASE}username = \"bot\"\n")),
            "smtp.username"
        );
        assert_eq!(
            problem_key(&format!(
                "{BASE}username = \"bot\"\npassword_file = \"pw\"\npassword_credential = \"x\"\n"
            )),
            "smtp.password_file"
        );
        assert_eq!(
            problem_key(&format!("{BASE}password_file = \"pw\"\n")),
            "smtp.username"
        );
        assert_eq!(
            problem_key(&format!(
                "{BASE}username = \"bot\"\npassword_credential = \"../etc/shadow\"\n"
            )),
            "smtp.password_credential"
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        assert_eq!(
            problem_key("host = \"smtp.example.com\"\nfrom = \"not an address\"\n"),
            "smtp.from"
        );
        for host in ["", "smtp://smtp.example.com", "smtp.example.com:587", "a b"] {
            let text = format!("host = \"{host}\"\nfrom = \"a@b.test\"\n");
            assert_eq!(problem_key(&text), "smtp.host", "{host}");
        }
        assert_eq!(problem_key(&format!("{BASE}port = 0\n")), "smtp.port");
        assert_eq!(
            problem_key(&format!("{BASE}timeout = \"0s\"\n")),
            "smtp.timeout"
        );
        assert_eq!(
            problem_key(&format!("{BASE}retries = 50\n")),
            "smtp.retries"
        );
    }

    #[test]
    fn relative_ca_file_is_anchored_at_the_config_directory() {
        let config = validate(&format!("{BASE}ca_file = \"tls/ca.pem\"\n")).unwrap();
        assert_eq!(
            config.ca_file,
            Some(PathBuf::from("/etc/onbehalf/tls/ca.pem"))
        );
    }

    #[test]
    fn unknown_and_missing_keys_are_syntax_errors() {
        assert!(toml::from_str::<RawSmtp>(&format!("{BASE}pasword_file = \"x\"\n")).is_err());
        assert!(toml::from_str::<RawSmtp>("host = \"smtp.example.com\"\n").is_err());
        assert!(toml::from_str::<RawSmtp>(&format!("{BASE}security = \"ssl\"\n")).is_err());
    }
}
