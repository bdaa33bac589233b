//! The `[daemon]` section.

use std::path::Path;

use serde::Deserialize;

use super::Invalid;

/// The validated `[daemon]` section.
#[derive(Debug, Clone, Default)]
pub struct DaemonConfig {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDaemon {}

impl RawDaemon {
    pub(super) fn validate(self, base_dir: &Path) -> Result<DaemonConfig, Invalid> {
        let _ = base_dir;
        Ok(DaemonConfig {})
    }
}
