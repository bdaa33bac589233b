//! Getting a built mail out: SMTP (pooled, TLS, AUTH, retries) or `.eml` files.
//!
//! In: the `[smtp]` settings (the password is read here, once, from its secret source) or
//! a folder; then formatted messages with their envelope. Out: the number of attempts it
//! took, or a [`NotifyError`] that says whether a later try may help. Temporary failures
//! (4xx replies, lost connections, timeouts) are retried with exponential backoff;
//! permanent ones (5xx, certificate problems) are not.

use std::error::Error as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::transport::smtp::{self, AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rustls::pki_types::{CertificateDer, pem::PemObject};

use super::error::{MailKind, NotifyError};
use crate::config::{SmtpConfig, SmtpSecurity};

/// The longest wait between two attempts, however many retries are configured.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

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
    /// Builds a fresh pool after an attempt was cut off (see [`SmtpClient::attempt`]).
    builder: AsyncSmtpTransportBuilder,
    /// The current pool; clones of it share connections.
    mailer: Mutex<AsyncSmtpTransport<Tokio1Executor>>,
    /// `host:port`, for messages.
    pub(super) server: String,
    /// The AUTH user, for messages.
    username: Option<String>,
    /// How many times a temporary failure is retried.
    retries: u32,
    /// The first wait; doubled for every further retry.
    backoff: Duration,
    /// How long one whole attempt may take: lettre's async client times out only the
    /// connect, so a server that stops answering would otherwise hang the job.
    attempt_limit: Duration,
}

/// Why one attempt failed.
enum Failure {
    Smtp(smtp::Error),
    Timeout,
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
        let server = config.server();
        let tls = match config.security {
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters(config)?),
            SmtpSecurity::Starttls => Tls::Required(tls_parameters(config)?),
            SmtpSecurity::Plain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout))
            .pool_config(
                PoolConfig::new()
                    .max_size(4)
                    .idle_timeout(Duration::from_secs(60)),
            );
        if let (Some(username), Some(source)) = (&config.username, &config.password) {
            let password = source.read().map_err(|source| NotifyError::Password {
                server: server.clone(),
                source,
            })?;
            builder = builder
                .credentials(Credentials::new(
                    username.clone(),
                    password.expose().to_owned(),
                ))
                .authentication(vec![Mechanism::Plain, Mechanism::Login]);
        }
        Ok(Self::Smtp(Box::new(SmtpClient {
            mailer: Mutex::new(builder.clone().build()),
            builder,
            server,
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

    /// Connects, upgrades to TLS and logs in without sending anything.
    pub(super) async fn check(&self) -> Result<(), NotifyError> {
        let Self::Smtp(client) = self else {
            return Ok(());
        };
        match client
            .attempt(|mailer| async move { mailer.test_connection().await })
            .await
        {
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
            let result = self
                .attempt(|mailer| async move { mailer.send_raw(envelope, raw).await })
                .await;
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
            let delay = backoff_delay(self.backoff, attempts);
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

    /// Runs one exchange under the attempt limit. When it is cut off, the connection may
    /// be mid-command; lettre would put it back in the pool, so the whole pool is
    /// replaced and the old one (with that connection) dropped.
    async fn attempt<T, F, Fut>(&self, exchange: F) -> Result<T, Failure>
    where
        F: FnOnce(AsyncSmtpTransport<Tokio1Executor>) -> Fut,
        Fut: Future<Output = Result<T, smtp::Error>>,
    {
        let mailer = self.lock().clone();
        match tokio::time::timeout(self.attempt_limit, exchange(mailer)).await {
            Ok(result) => result.map_err(Failure::Smtp),
            Err(_) => {
                *self.lock() = self.builder.clone().build();
                Err(Failure::Timeout)
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, AsyncSmtpTransport<Tokio1Executor>> {
        self.mailer.lock().unwrap_or_else(PoisonError::into_inner)
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
        let code = source.status().map(|c| c.to_string());
        if code.as_deref().is_some_and(|c| AUTH_REFUSED.contains(&c)) {
            return NotifyError::Auth {
                server: self.server.clone(),
                username: self.username.clone(),
                source,
            };
        }
        NotifyError::Smtp {
            action,
            server: self.server.clone(),
            attempts,
            temporary: is_temporary(&source),
            source,
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
            Failure::Smtp(error) => error.fmt(f),
            Failure::Timeout => f.write_str("no answer in time"),
        }
    }
}

/// `first`, doubled for every attempt after the first, capped at [`MAX_BACKOFF`].
fn backoff_delay(first: Duration, attempt: u32) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(16);
    first.saturating_mul(factor).min(MAX_BACKOFF)
}

fn tls_parameters(config: &SmtpConfig) -> Result<TlsParameters, NotifyError> {
    let mut builder = TlsParameters::builder(config.host.clone())
        .certificate_store(CertificateStore::WebpkiRoots);
    if let Some(path) = &config.ca_file {
        let ca_error = |problem: String| NotifyError::CaFile {
            path: path.clone(),
            problem,
        };
        let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
        let count = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ca_error(format!("it is not valid PEM ({e})")))?
            .len();
        if count == 0 {
            return Err(ca_error(
                "it holds no certificate (expected -----BEGIN CERTIFICATE-----)".to_owned(),
            ));
        }
        let certificate = Certificate::from_pem(&pem).map_err(|e| ca_error(e.to_string()))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build_rustls().map_err(|source| NotifyError::Tls {
        server: config.server(),
        source,
    })
}

/// Codes with which servers refuse a login (RFC 4954).
const AUTH_REFUSED: [&str; 4] = ["530", "534", "535", "538"];

/// 4xx replies, timeouts and lost connections may pass; 5xx replies, client-side
/// problems and TLS failures (an untrusted certificate stays untrusted) will not.
fn is_temporary(error: &smtp::Error) -> bool {
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
    fn backoff_doubles_and_is_capped() {
        let first = Duration::from_millis(500);
        assert_eq!(backoff_delay(first, 1), Duration::from_millis(500));
        assert_eq!(backoff_delay(first, 2), Duration::from_secs(1));
        assert_eq!(backoff_delay(first, 3), Duration::from_secs(2));
        assert_eq!(backoff_delay(first, 40), MAX_BACKOFF);
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
