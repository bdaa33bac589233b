//! Shared helpers for the integration tests: real servers on loopback.
//!
//! Each test file that needs them says `mod support;` and uses the submodules.

pub mod dovecot;
pub mod smtp;
