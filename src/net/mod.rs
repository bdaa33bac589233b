//! What every stage that talks to a server needs, written once.
//!
//! - [`tls`]: the process-wide crypto provider and the TLS client configuration.

pub mod tls;
