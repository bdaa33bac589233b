//! The `[smtp]` section.

use std::path::Path;

use serde::Deserialize;

use super::Invalid;

/// The validated `[smtp]` section.
#[derive(Debug, Clone, Default)]
pub struct SmtpConfig {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {}

impl RawSmtp {
    pub(super) fn validate(self, base_dir: &Path) -> Result<SmtpConfig, Invalid> {
        let _ = base_dir;
        Ok(SmtpConfig {})
    }
}
