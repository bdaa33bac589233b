//! The commands of the `onbehalf` binary: their arguments and what they print.
//!
//! In: parsed command-line arguments. Out: lines on stdout and an exit status. `main.rs`
//! only dispatches here, so the commands can be tested through the real binary.

pub mod check;
pub mod daemon;
pub mod extract;
pub mod logging;
pub mod signup;
pub mod status;
pub mod unwrap;

use std::path::{Path, PathBuf};

use crate::config::{Config, DEFAULT_PATH};

/// Exit status: everything was handled (rejections included).
pub const EXIT_OK: u8 = 0;
/// Exit status: an input file could not be read.
pub const EXIT_INPUT: u8 = 1;
/// Exit status: wrong usage or unusable config.
pub const EXIT_USAGE: u8 = 2;

/// The `--config` option shared by commands that read the config file.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArg {
    /// The config file to use.
    #[arg(long, value_name = "FILE", env = "ONBEHALF_CONFIG", default_value = DEFAULT_PATH)]
    pub config: PathBuf,
}

impl ConfigArg {
    /// Loads the config, printing the error and returning the usage exit status on failure.
    pub fn load(&self) -> Result<Config, u8> {
        load_config(&self.config)
    }
}

/// The async runtime a command runs on; on failure prints why and gives the exit status.
pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("onbehalf: cannot start the async runtime: {e}");
            EXIT_INPUT
        })
}

/// Loads a config file; on error prints it (never a secret: config errors hold none).
pub fn load_config(path: &Path) -> Result<Config, u8> {
    Config::load(path).map_err(|e| {
        eprintln!("onbehalf: {}", crate::report::chain(&e));
        EXIT_USAGE
    })
}
