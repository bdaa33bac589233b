//! Getting a built mail out: SMTP (pooled, TLS, AUTH, retries) or `.eml` files.
//!
//! In: the `[smtp]` settings (the password is read once, by `connection`, from its
//! secret source) or a folder; then formatted messages with their envelope. Out: the
//! number of attempts it took, or a [`NotifyError`] that says whether a later try may
//! help. Temporary failures (4xx replies, lost connections, timeouts) are retried with
//! exponential backoff; permanent ones (5xx, certificate problems) are not.
//!
//! - `connection`: opens one connection with `TCP_NODELAY` (lettre does not) and hands
//!   it to lettre for TLS, EHLO, STARTTLS, AUTH and the mail itself.
//! - `pool`: keeps up to `MAX_CONNECTIONS` of them, reused while they answer.

mod connection;
mod pool;

use std::error::Error as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};

use super::error::{MailKind, NotifyError, SmtpFailure};
use super::original::Capabilities;
use crate::config::SmtpConfig;
use crate::net::retry::Backoff;
use connection::Connector;
use pool::Pool;

/// The longest wait between two attempts, however many retries are configured.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Connections open at once, idle or sending.
const MAX_CONNECTIONS: usize = 4;

/// An idle connection unused this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Where mails go.
pub(super) enum Transport {
    /// A real SMTP server.
    Smtp(Box<SmtpClient>),
    /// `.eml` files in a folder (the demo).
    Files {
        /// The writer.
        mailer: AsyncFileTransport<Tokio1Executor>,
        /// The folder.
        dir: PathBuf,
    },
}

/// The pooled SMTP client and how it retries.
pub(super) struct SmtpClient {
    /// Opens logged-in connections.
    connector: Connector,
    /// The open connections.
    pool: Pool<AsyncSmtpConnection>,
    /// `host:port`, for messages.
    pub(super) server: String,
    /// The AUTH user, for messages.
    username: Option<String>,
    /// How many times a temporary failure is retried.
    retries: u32,
    /// The first wait; doubled for every further retry.
    backoff: Duration,
    /// How long one whole attempt may take: `smtp.timeout` bounds only each TCP connect,
    /// so a server that stops answering would otherwise hang the job.
    attempt_limit: Duration,
}

/// Why one attempt failed.
enum Failure {
    Smtp(SmtpFailure),
    Timeout,
}

/// What one attempt does once it holds a logged-in connection.
#[derive(Clone, Copy)]
enum Exchange<'a> {
    /// Nothing more: connecting, TLS and AUTH were the test.
    Check,
    Send {
        envelope: &'a Envelope,
        raw: &'a [u8],
    },
}

/// What was delivered and how.
pub(super) struct Delivery {
    /// Attempts made (1 when the first one worked).
    pub attempts: u32,
    /// The file written, for the file transport.
    pub file: Option<PathBuf>,
}

impl Transport {
    /// Builds the SMTP client: TLS roots, credentials (read now), pool and timeouts.
    pub(super) fn smtp(config: &SmtpConfig) -> Result<Self, NotifyError> {
        Ok(Self::Smtp(Box::new(SmtpClient {
            connector: Connector::new(config)?,
            pool: Pool::new(MAX_CONNECTIONS, IDLE_TIMEOUT),
            server: config.server(),
            username: config.username.clone(),
            retries: config.retries,
            backoff: config.retry_backoff,
            attempt_limit: config.attempt_limit(),
        })))
    }

    /// Writes mails as `<id>.eml` into `dir`, creating it if needed.
    pub(super) fn files(dir: &Path) -> Result<Self, NotifyError> {
        std::fs::create_dir_all(dir).map_err(|source| NotifyError::Folder {
            dir: dir.to_owned(),
            source,
        })?;
        Ok(Self::Files {
            mailer: AsyncFileTransport::new(dir),
            dir: dir.to_owned(),
        })
    }

    /// What the server accepts, from the EHLO of the last connection (one is opened if
    /// none was yet). A server that cannot be asked is assumed to take only 7-bit text
    /// of any size: the send that follows reports why it cannot be reached.
    pub(super) async fn capabilities(&self) -> Capabilities {
        let Self::Smtp(client) = self else {
            // A file takes any byte and any size.
            return Capabilities {
                size: None,
                eight_bit_mime: true,
            };
        };
        if let Some(known) = client.connector.capabilities() {
            return known;
        }
        if client.attempt(Exchange::Check).await.is_err() {
            return Capabilities::UNKNOWN;
        }
        client
            .connector
            .capabilities()
            .unwrap_or(Capabilities::UNKNOWN)
    }

    /// Connects, upgrades to TLS and logs in without sending anything.
    pub(super) async fn check(&self) -> Result<(), NotifyError> {
        let Self::Smtp(client) = self else {
            return Ok(());
        };
        match client.attempt(Exchange::Check).await {
            Ok(_) => Ok(()),
            Err(failure) => Err(client.error("connect and log in".to_owned(), 1, failure)),
        }
    }

    /// Sends `raw` to the envelope's recipients, retrying temporary failures.
    pub(super) async fn send(
        &self,
        envelope: &Envelope,
        raw: &[u8],
        kind: MailKind,
        job_id: &str,
    ) -> Result<Delivery, NotifyError> {
        match self {
            Self::Smtp(client) => client.send(envelope, raw, kind, job_id).await,
            Self::Files { mailer, dir } => match mailer.send_raw(envelope, raw).await {
                Ok(id) => Ok(Delivery {
                    attempts: 1,
                    file: Some(dir.join(format!("{id}.eml"))),
                }),
                Err(source) => Err(NotifyError::File {
                    kind,
                    job_id: job_id.to_owned(),
                    dir: dir.clone(),
                    source,
                }),
            },
        }
    }
}

impl SmtpClient {
    async fn send(
        &self,
        envelope: &Envelope,
        raw: &[u8],
        kind: MailKind,
        job_id: &str,
    ) -> Result<Delivery, NotifyError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = self.attempt(Exchange::Send { envelope, raw }).await;
            let failure = match result {
                Ok(_) => {
                    return Ok(Delivery {
                        attempts,
                        file: None,
                    });
                }
                Err(failure) => failure,
            };
            if !failure.is_temporary() || attempts > self.retries {
                let action = format!("send the {kind} mail for job {job_id}");
                return Err(self.error(action, attempts, failure));
            }
            let delay = Backoff::new(self.backoff, MAX_BACKOFF).delay(attempts);
            tracing::warn!(
                job_id,
                kind = %kind,
                server = %self.server,
                attempt = attempts,
                retry_in = ?delay,
                error = %failure,
                "temporary failure sending mail, will retry"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// Runs one exchange under the attempt limit, on a pooled connection that goes back
    /// only when the exchange worked: after a failure or a cut-off the connection may be
    /// mid-command, so it is dropped.
    async fn attempt(&self, exchange: Exchange<'_>) -> Result<(), Failure> {
        let work = async {
            let mut connection = self.pool.get(|| self.connector.open()).await?;
            if let Exchange::Send { envelope, raw } = exchange {
                connection.send(envelope, raw).await?;
            }
            self.pool.put(connection);
            Ok::<(), SmtpFailure>(())
        };
        match tokio::time::timeout(self.attempt_limit, work).await {
            Ok(result) => result.map_err(Failure::Smtp),
            Err(_) => Err(Failure::Timeout),
        }
    }

    fn error(&self, action: String, attempts: u32, failure: Failure) -> NotifyError {
        let source = match failure {
            Failure::Timeout => {
                return NotifyError::Timeout {
                    action,
                    server: self.server.clone(),
                    attempts,
                    limit: self.attempt_limit,
                };
            }
            Failure::Smtp(source) => source,
        };
        match source {
            SmtpFailure::Smtp(refusal) if refuses_login(&refusal) => NotifyError::Auth {
                server: self.server.clone(),
                username: self.username.clone(),
                source: refusal,
            },
            source => NotifyError::Smtp {
                action,
                server: self.server.clone(),
                attempts,
                temporary: is_temporary(&source),
                source,
            },
        }
    }
}

impl Failure {
    fn is_temporary(&self) -> bool {
        match self {
            Failure::Smtp(error) => is_temporary(error),
            Failure::Timeout => true,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // lettre's errors already end with their cause.
            Failure::Smtp(SmtpFailure::Smtp(error)) => error.fmt(f),
            Failure::Smtp(failure) => match failure.source() {
                Some(cause) => write!(f, "{failure}: {cause}"),
                None => failure.fmt(f),
            },
            Failure::Timeout => f.write_str("no answer in time"),
        }
    }
}

/// Codes with which servers refuse a login (RFC 4954).
const AUTH_REFUSED: [&str; 4] = ["530", "534", "535", "538"];

fn refuses_login(error: &smtp::Error) -> bool {
    let code = error.status().map(|c| c.to_string());
    code.as_deref().is_some_and(|c| AUTH_REFUSED.contains(&c))
}

/// 4xx replies, timeouts and lost connections may pass; 5xx replies, client-side
/// problems and TLS failures (an untrusted certificate stays untrusted) will not.
fn is_temporary(failure: &SmtpFailure) -> bool {
    match failure {
        SmtpFailure::Connect(_) => true,
        SmtpFailure::Handshake(error) => !caused_by_tls(Some(error)),
        SmtpFailure::Smtp(error) => is_temporary_smtp(error),
    }
}

fn is_temporary_smtp(error: &smtp::Error) -> bool {
    if error.is_transient() || error.is_timeout() {
        return true;
    }
    if error.is_permanent() || error.is_tls() || error.is_client() || error.is_transport_shutdown()
    {
        return false;
    }
    !caused_by_tls(error.source())
}

/// Whether a rustls error is somewhere in the chain (io errors hide theirs in `get_ref`).
fn caused_by_tls(mut cause: Option<&(dyn std::error::Error + 'static)>) -> bool {
    while let Some(error) = cause {
        if error.is::<rustls::Error>() {
            return true;
        }
        if let Some(inner) = error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if inner.is::<rustls::Error>() {
                return true;
            }
            cause = inner.source();
            continue;
        }
        cause = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_failures_are_temporary_unless_the_certificate_is_the_problem() {
        let refused = || std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let untrusted = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert!(is_temporary(&SmtpFailure::Connect(refused())));
        assert!(is_temporary(&SmtpFailure::Handshake(refused())));
        assert!(!is_temporary(&SmtpFailure::Handshake(untrusted)));
        let logged = Failure::Smtp(SmtpFailure::Connect(refused())).to_string();
        assert!(
            logged.starts_with("cannot open a TCP connection: "),
            "{logged}"
        );
        assert!(logged.contains("refused"), "{logged}");
    }

    #[test]
    fn rustls_errors_inside_io_errors_are_found() {
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert!(caused_by_tls(Some(&io)));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!caused_by_tls(Some(&refused)));
    }
}
