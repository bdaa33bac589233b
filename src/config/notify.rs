//! The `[notify]` section.

use std::path::Path;

use serde::Deserialize;

use super::Invalid;

/// The validated `[notify]` section.
#[derive(Debug, Clone, Default)]
pub struct NotifyConfig {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {}

impl RawNotify {
    pub(super) fn validate(self, base_dir: &Path) -> Result<NotifyConfig, Invalid> {
        let _ = base_dir;
        Ok(NotifyConfig {})
    }
}
