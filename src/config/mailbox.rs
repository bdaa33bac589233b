//! The `[mailbox]` section.

use std::path::Path;

use serde::Deserialize;

use super::Invalid;

/// The validated `[mailbox]` section.
#[derive(Debug, Clone, Default)]
pub struct MailboxConfig {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMailbox {}

impl RawMailbox {
    pub(super) fn validate(self, base_dir: &Path) -> Result<MailboxConfig, Invalid> {
        let _ = base_dir;
        Ok(MailboxConfig {})
    }
}
