//! TLS for every client onbehalf runs: IMAP, SMTP and the signup session.
//!
//! In: an optional PEM CA file to trust besides the web PKI roots, and the ALPN protocols
//! a caller speaks. Out: a rustls [`ClientConfig`] (ring provider, TLS 1.2 and 1.3), or
//! an error naming the CA file and what is wrong with it. The CA file is read when the
//! config is built, so a bad file fails at startup rather than at the first connection.

/// Installs ring as the process-wide rustls provider. Call it first in `main` and in
/// every test binary: with no default provider, reqwest (built without one) panics at
/// client build, and rustls cannot pick one when a dependency brings a second.
pub fn install_default_provider() {
    // Err only when one is already installed, which is what the caller wants.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
