//! The commands of the `onbehalf-demo` binary: their arguments and what they print.
//!
//! In: parsed command-line arguments. Out: lines on stdout and an exit status (the
//! daemon's own, [`onbehalf::cli::EXIT_OK`] and friends).

pub mod demo;
pub mod sim;
