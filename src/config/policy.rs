//! The `[policy]` section.

use std::path::Path;

use serde::Deserialize;

use super::Invalid;

/// The validated `[policy]` section.
#[derive(Debug, Clone, Default)]
pub struct PolicyConfig {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {}

impl RawPolicy {
    pub(super) fn validate(self, base_dir: &Path) -> Result<PolicyConfig, Invalid> {
        let _ = base_dir;
        Ok(PolicyConfig {})
    }
}
