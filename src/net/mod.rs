//! What every stage that talks to a server needs, written once.
//!
//! - [`tls`]: the process-wide crypto provider and the one TLS client configuration
//!   (ring, TLS 1.2 and 1.3, the web PKI roots plus an optional CA file) that IMAP, SMTP
//!   and signup use.

pub mod tls;
