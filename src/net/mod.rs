//! What every stage that talks to a server needs, written once.
//!
//! - [`tls`]: the process-wide crypto provider and the one TLS client configuration
//!   (ring, TLS 1.2 and 1.3, the web PKI roots plus an optional CA file) that IMAP, SMTP
//!   and signup use.
//! - [`loopback`]: whether a configured host is this machine (plain-text IMAP and SMTP
//!   may only talk to it).
//! - [`retry`]: the one backoff between retries of SMTP and of the platform.

pub mod loopback;
pub mod retry;
pub mod tls;
