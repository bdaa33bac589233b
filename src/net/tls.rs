//! TLS for every client onbehalf runs: IMAP, SMTP and the signup session.
//!
//! In: an optional PEM CA file to trust besides the web PKI roots, and the ALPN protocols
//! the caller speaks. Out: a rustls [`ClientConfig`] (ring provider, TLS 1.2 and 1.3), or
//! a [`CaFileError`] naming the file and what is wrong with it. The file is read when
//! the config is built, so a bad one fails at startup rather than at the first connection.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};

/// Installs ring as the process-wide rustls provider. Call it first in `main` and in
/// every test binary: with no default provider, reqwest (built without one) panics at
/// client build, and rustls cannot pick one when a dependency brings a second.
pub fn install_default_provider() {
    // Err only when one is already installed, which is what the caller wants.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A CA file that cannot be trusted as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot use the CA file {path}: {problem}")]
pub struct CaFileError {
    /// The file, as configured (made absolute against the config's folder).
    pub path: PathBuf,
    /// What is wrong with it, for the caller's own message.
    pub problem: String,
}

/// The certificates in a PEM file; at least one.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, CaFileError> {
    let error = |problem: String| CaFileError {
        path: path.to_owned(),
        problem,
    };
    let pem = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| error(format!("it is not valid PEM ({e})")))?;
    if certificates.is_empty() {
        return Err(error(
            "it holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)".to_owned(),
        ));
    }
    Ok(certificates)
}

/// The one client configuration: ring, TLS 1.2 and 1.3, the web PKI roots plus the
/// certificates in `ca_file`, no client certificate, and `alpn` offered in that order.
pub fn client_config(ca_file: Option<&Path>, alpn: &[&[u8]]) -> Result<ClientConfig, CaFileError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_file {
        for certificate in read_ca_file(path)? {
            roots.add(certificate).map_err(|e| CaFileError {
                path: path.to_owned(),
                problem: format!("a certificate in it is unusable ({e})"),
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)
        // ring supports every default version and suite, so the builder cannot refuse.
        .unwrap_or_else(|_| unreachable!("ring supports rustls' default protocol versions"))
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unusable_ca_file_is_named_with_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let broken = dir.path().join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        for (path, expected) in [
            (&missing, "No such file"),
            (&empty, "no PEM certificate"),
            (&broken, "not valid PEM"),
        ] {
            let error = client_config(Some(path), &[]).unwrap_err();
            assert_eq!(&error.path, path);
            assert!(error.problem.contains(expected), "{error}");
            assert!(error.to_string().starts_with("cannot use the CA file"));
        }
    }

    #[test]
    fn a_ca_file_is_trusted_and_the_callers_alpn_offered() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        std::fs::write(&ca, params.self_signed(&key).unwrap().pem()).unwrap();
        let config = client_config(Some(&ca), &[b"h2", b"http/1.1"]).unwrap();
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        assert!(client_config(None, &[]).unwrap().alpn_protocols.is_empty());
    }
}
