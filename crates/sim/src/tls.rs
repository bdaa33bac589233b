//! A throwaway certificate authority for tests and the simulator.
//!
//! In: the host names (and IP addresses) a test server answers to. Out: a CA certificate
//! for clients to trust, and leaf certificates with their keys (PEM) signed by it, or a
//! ready `rustls::ServerConfig`. The leaf is never the CA itself, which rustls refuses.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::SimError;

/// A certificate authority minted in-process; lives as long as the value.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestCa")
    }
}

/// A leaf certificate and its private key, both DER.
struct Leaf {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

fn cert_error(names: &[String]) -> impl FnOnce(rcgen::Error) -> SimError {
    let names = names.to_vec();
    move |source| SimError::Certificate { names, source }
}

impl TestCa {
    /// Mints a new CA with a fresh key.
    pub fn new() -> Result<TestCa, SimError> {
        let label = ["onbehalf test CA".to_owned()];
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "Test CA (loopback only)");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().map_err(cert_error(&label))?;
        let issuer = CertifiedIssuer::self_signed(params, key).map_err(cert_error(&label))?;
        Ok(TestCa { issuer })
    }

    /// The CA certificate (PEM) for clients to trust.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// Issues a server certificate for `names` (DNS names or IP addresses); returns the
    /// certificate PEM and the private key PEM (PKCS#8).
    pub fn issue(&self, names: &[String]) -> Result<(String, String), SimError> {
        let (cert, key) = self.issue_rcgen(names)?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    /// A rustls server configuration presenting a certificate for `names`, offering
    /// HTTP/2 and HTTP/1.1, with the ring provider.
    pub fn server_config(&self, names: &[String]) -> Result<Arc<rustls::ServerConfig>, SimError> {
        let leaf = self.issue_der(names)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(SimError::Tls)?
            .with_no_client_auth()
            .with_single_cert(vec![leaf.cert], PrivateKeyDer::Pkcs8(leaf.key))
            .map_err(SimError::Tls)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    fn issue_der(&self, names: &[String]) -> Result<Leaf, SimError> {
        let (cert, key) = self.issue_rcgen(names)?;
        Ok(Leaf {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    fn issue_rcgen(&self, names: &[String]) -> Result<(rcgen::Certificate, KeyPair), SimError> {
        let mut unique: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            if !unique.contains(name) {
                unique.push(name.clone());
            }
        }
        let mut params = CertificateParams::new(unique).map_err(cert_error(names))?;
        let mut subject = DistinguishedName::new();
        subject.push(
            DnType::CommonName,
            names.first().map_or("localhost", String::as_str),
        );
        params.distinguished_name = subject;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().map_err(cert_error(names))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(cert_error(names))?;
        Ok((cert, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_is_signed_by_the_ca_and_is_not_the_ca() {
        let ca = TestCa::new().unwrap();
        let (cert, key) = ca
            .issue(&["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
        assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(key.contains("PRIVATE KEY"));
        assert_ne!(cert, ca.cert_pem());
        assert!(ca.server_config(&["engage.test".to_owned()]).is_ok());
    }

    #[test]
    fn a_name_that_is_no_dns_name_is_refused_with_the_name() {
        let ca = TestCa::new().unwrap();
        let err = ca.issue(&["b\u{fc}cher.test".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("b\u{fc}cher.test"), "{err}");
    }
}
