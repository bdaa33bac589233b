//! Try onbehalf with nothing configured: the demo harness and the simulator as commands.
//!
//! # Layout
//!
//! - [`demo`]: the samples in `samples/` delivered to a Maildir and run through the
//!   whole pipeline (the `onbehalf` crate's daemon) against the platform simulator
//!   (`onbehalf_sim`), mails written as files; one row per sample.
//! - [`browser_sample`]: the one sample that goes through the browser engine, against
//!   the simulator's script-built (single-page app) frontend.
//! - [`cli`]: `onbehalf-demo demo` and `onbehalf-demo simulator`, what they print.
//!
//! None of this is in the package ops install: the daemon crate carries neither the
//! simulator, its certificate generator nor its web server.

// Unit tests see every dev-dependency, which only integration tests use.
#![cfg_attr(test, allow(unused_crate_dependencies))]

pub mod browser_sample;
pub mod cli;
pub mod demo;
