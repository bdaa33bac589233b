//! Opening one SMTP connection: TCP with `TCP_NODELAY`, TLS, EHLO, STARTTLS and AUTH.
//!
//! In: the `[smtp]` settings (the password is read once, here). Out: a [`Connector`]
//! whose [`Connector::open`] gives a lettre [`AsyncSmtpConnection`] that is greeted,
//! encrypted as configured and logged in, or the [`SmtpFailure`] that stopped it.
//!
//! Why not lettre's own transport: lettre 0.11.23 never sets `TCP_NODELAY`, and it
//! writes the message and the closing `\r\n.\r\n` as two flushed writes. Nagle's
//! algorithm then holds those 5 bytes until the server acknowledges the message, which
//! a server with delayed ACKs does after 40 ms: every mail waited that long. (Fixed
//! upstream by lettre PR #1159, not released yet.) So the socket is opened here, with
//! `TCP_NODELAY`, and handed to lettre, which still speaks all of SMTP.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::commands::Ehlo;
use lettre::transport::smtp::extension::ClientId;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::pool::Reusable;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::net;
use crate::notify::error::{NotifyError, SmtpFailure};
use crate::notify::original::Capabilities;

/// The AUTH mechanisms offered, in order of preference (lettre's defaults).
const MECHANISMS: [Mechanism; 2] = [Mechanism::Plain, Mechanism::Login];

/// How long a QUIT to an idle connection may take before the socket is just closed.
const QUIT_LIMIT: Duration = Duration::from_secs(5);

/// Everything needed to open a logged-in connection; built once from the settings.
pub(super) struct Connector {
    host: String,
    port: u16,
    /// For each TCP connect, as lettre's `timeout` was.
    connect_timeout: Duration,
    /// The EHLO name: this machine's host name, as lettre's transport sent.
    hello: ClientId,
    security: Security,
    /// Holds the password; lettre's `Debug` for it prints neither user nor password.
    credentials: Option<Credentials>,
    /// What the server announced on the last connection opened (lettre keeps only the
    /// keywords it knows, not `SIZE`).
    latest: std::sync::Mutex<Option<Capabilities>>,
}

/// How the connection is encrypted.
enum Security {
    Plain,
    /// STARTTLS after the greeting, done by lettre.
    StartTls(TlsParameters),
    /// TLS from the first byte, done here before lettre sees the stream.
    Implicit {
        connector: TlsConnector,
        name: ServerName<'static>,
    },
}

impl Connector {
    /// Reads the password and the CA file and builds the TLS settings.
    pub(super) fn new(config: &SmtpConfig) -> Result<Self, NotifyError> {
        let security = match config.security {
            SmtpSecurity::Tls => implicit_tls(config)?,
            SmtpSecurity::Starttls => Security::StartTls(tls_parameters(config)?),
            SmtpSecurity::Plain => Security::Plain,
        };
        let credentials = match (&config.username, &config.password) {
            (Some(username), Some(source)) => {
                let password = source.read().map_err(|source| NotifyError::Password {
                    server: config.server(),
                    source,
                })?;
                Some(Credentials::new(
                    username.clone(),
                    password.expose().to_owned(),
                ))
            }
            _ => None,
        };
        Ok(Self {
            host: config.host.clone(),
            port: config.port,
            connect_timeout: config.timeout,
            hello: ClientId::default(),
            security,
            credentials,
            latest: std::sync::Mutex::new(None),
        })
    }

    /// What the server announced on the last connection opened, if one was.
    pub(super) fn capabilities(&self) -> Option<Capabilities> {
        *self
            .latest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Connects, encrypts, says EHLO and logs in. One more EHLO, on the encrypted
    /// connection before AUTH, reads the keywords lettre drops (`SIZE`).
    pub(super) async fn open(&self) -> Result<AsyncSmtpConnection, SmtpFailure> {
        let tcp = connect_tcp(&self.host, self.port, self.connect_timeout)
            .await
            .map_err(SmtpFailure::Connect)?;
        let stream: Box<dyn AsyncTokioStream> = match &self.security {
            Security::Implicit { connector, name } => {
                let tls = connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(SmtpFailure::Handshake)?;
                Box::new(ImplicitTls(tls))
            }
            Security::Plain | Security::StartTls(_) => Box::new(tcp),
        };
        let mut connection =
            AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?;
        if let Security::StartTls(parameters) = &self.security {
            connection.starttls(parameters.clone(), &self.hello).await?;
        }
        let ehlo = connection.command(Ehlo::new(self.hello.clone())).await?;
        *self
            .latest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(Capabilities::from_ehlo(ehlo.message()));
        if let Some(credentials) = &self.credentials {
            connection.auth(&MECHANISMS, credentials).await?;
        }
        Ok(connection)
    }
}

impl Reusable for AsyncSmtpConnection {
    async fn is_alive(&mut self) -> bool {
        self.test_connected().await
    }

    fn is_broken(&self) -> bool {
        self.has_broken()
    }

    async fn close(mut self) {
        let _ = tokio::time::timeout(QUIT_LIMIT, self.quit()).await;
    }
}

/// Tries each address of `host` in turn, each within `timeout`; sets `TCP_NODELAY`.
async fn connect_tcp(host: &str, port: u16, timeout: Duration) -> io::Result<TcpStream> {
    let mut last_error = None;
    for address in tokio::net::lookup_host((host, port)).await? {
        match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Ok(Err(error)) => last_error = Some(error),
            Err(_) => {
                last_error = Some(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no answer from {address} within {timeout:?}"),
                ));
            }
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address"))
    }))
}

/// The settings for lettre's STARTTLS: the web PKI roots plus the certificates of
/// `smtp.ca_file`, read by the same function as every other client's ([`crate::net::tls`]).
fn tls_parameters(config: &SmtpConfig) -> Result<TlsParameters, NotifyError> {
    let mut builder = TlsParameters::builder(config.host.clone())
        .certificate_store(CertificateStore::WebpkiRoots);
    if let Some(path) = &config.ca_file {
        for der in net::tls::read_ca_file(path).map_err(ca_file_error)? {
            let certificate =
                Certificate::from_der(der.to_vec()).map_err(|e| NotifyError::CaFile {
                    path: path.clone(),
                    problem: format!("a certificate in it is unusable ({e})"),
                })?;
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder.build_rustls().map_err(|source| NotifyError::Tls {
        server: config.server(),
        source: Box::new(source),
    })
}

/// The same trust as [`tls_parameters`] as the shared rustls config, for the handshake
/// done here.
fn implicit_tls(config: &SmtpConfig) -> Result<Security, NotifyError> {
    let client = net::tls::client_config(config.ca_file.as_deref(), &[]).map_err(ca_file_error)?;
    let name = ServerName::try_from(config.host.clone()).map_err(|e| NotifyError::Tls {
        server: config.server(),
        source: Box::new(e),
    })?;
    Ok(Security::Implicit {
        connector: TlsConnector::from(Arc::new(client)),
        name,
    })
}

fn ca_file_error(e: net::tls::CaFileError) -> NotifyError {
    NotifyError::CaFile {
        path: e.path,
        problem: e.problem,
    }
}

/// A TLS stream in the shape lettre takes (`AsyncTokioStream` is lettre's trait and
/// `TlsStream` rustls', so a local type must join them).
#[derive(Debug)]
struct ImplicitTls(TlsStream<TcpStream>);

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fix itself: the socket handed to lettre (and under implicit TLS) has Nagle's
    /// algorithm off, so the message's last 5 bytes leave at once.
    #[tokio::test]
    async fn the_socket_for_lettre_has_nodelay_set() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let stream = connect_tcp("127.0.0.1", port, Duration::from_secs(5))
            .await
            .unwrap();
        assert!(stream.nodelay().unwrap());
        let (_server_side, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, stream.local_addr().unwrap());
    }

    #[tokio::test]
    async fn a_closed_port_is_a_refused_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let error = connect_tcp("127.0.0.1", port, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
    }
}
