//! The TLS client settings for IMAP.
//!
//! In: an optional PEM CA file. Out: the shared client config ([`crate::net::tls`]: ring,
//! TLS 1.2 and 1.3, the web PKI roots plus that CA) with the mailbox's error, and the
//! handshake itself, with an error that says what to check when the certificate is the
//! problem.

use std::path::Path;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::mailbox::MailboxError;
use crate::net;

/// Builds the client config ([`crate::net::tls`]); reads the CA file now, so a bad file
/// fails at startup.
pub(crate) fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, MailboxError> {
    let config = net::tls::client_config(ca_file, &[]).map_err(|e| MailboxError::CaFile {
        path: e.path,
        reason: e.problem,
    })?;
    Ok(Arc::new(config))
}

/// Runs the TLS handshake over `tcp`, checking the certificate against `host`.
pub(crate) async fn handshake(
    config: &Arc<ClientConfig>,
    host: &str,
    address: &str,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, MailboxError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(bare.to_owned()).map_err(|e| MailboxError::Tls {
        address: address.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
        hint: " (mailbox.host must be a DNS name or an IP address)",
    })?;
    TlsConnector::from(Arc::clone(config))
        .connect(name, tcp)
        .await
        .map_err(|source| {
            let certificate = source
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .is_some_and(|e| matches!(e, rustls::Error::InvalidCertificate(_)));
            MailboxError::Tls {
                address: address.to_owned(),
                source,
                hint: if certificate {
                    " (is the server's certificate signed by a public CA or by the CA in \
                     mailbox.ca_file, and does it name mailbox.host?)"
                } else {
                    ""
                },
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unusable_ca_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for (path, expected) in [(&missing, "missing.pem"), (&empty, "no PEM certificate")] {
            let error = client_config(Some(path)).unwrap_err().to_string();
            assert!(error.starts_with("cannot use the CA file"), "{error}");
            assert!(error.contains(expected), "{error}");
        }
        assert!(client_config(None).is_ok());
    }
}
