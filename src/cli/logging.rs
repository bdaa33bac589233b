//! Log output: readable on a terminal, bare under journald, JSON for log shippers.
//!
//! In: the `--log-format` choice and the environment (`JOURNAL_STREAM`, `RUST_LOG`).
//! Out: a global `tracing` subscriber writing to stderr. Secrets never reach it: they
//! live in types that print `[redacted]`.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Plain text: with time and colour on a terminal, without under journald.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the subscriber; `RUST_LOG` overrides `default_level` (`info` for the
/// service, `warn` for commands whose output is the point).
pub fn init(format: LogFormat, default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let under_journald = std::env::var_os("JOURNAL_STREAM").is_some();
    let result = match (format, under_journald) {
        (LogFormat::Json, _) => builder.json().try_init(),
        (LogFormat::Text, true) => builder.without_time().with_ansi(false).try_init(),
        (LogFormat::Text, false) => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
    };
    // A second init (tests calling twice) keeps the first subscriber.
    let _ = result;
}
