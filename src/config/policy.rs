//! The `[policy]` section: who may ask for a signup.

use std::path::Path;

use serde::Deserialize;

use super::Invalid;

/// The validated `[policy]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyConfig {
    /// Only act on forwards whose sender passed DMARC (or aligned DKIM) according to a
    /// trusted receiving server.
    pub require_authenticated_sender: bool,
    /// `authserv-id`s of our own receiving servers, whose `Authentication-Results` count.
    pub trusted_authserv_ids: Vec<String>,
    /// Set when the mailbox's own server writes `Authentication-Results` without an
    /// authserv-id (Microsoft 365): then such a field counts as the server's own.
    pub results_without_authserv_id: Option<IdLessResults>,
    /// When not empty, only senders from these domains (or their subdomains) are served.
    pub allowed_sender_domains: Vec<String>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            require_authenticated_sender: true,
            trusted_authserv_ids: Vec::new(),
            results_without_authserv_id: None,
            allowed_sender_domains: Vec::new(),
        }
    }
}

/// Which server writes `Authentication-Results` without an authserv-id, so that the
/// topmost such field is that server's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum IdLessResults {
    /// Exchange Online: its verdict also carries `compauth`, which must be `pass`.
    #[serde(rename = "microsoft365")]
    Microsoft365,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    require_authenticated_sender: Option<bool>,
    #[serde(default)]
    trusted_authserv_ids: Vec<String>,
    results_without_authserv_id: Option<IdLessResults>,
    #[serde(default)]
    allowed_sender_domains: Vec<String>,
}

impl RawPolicy {
    pub(super) fn validate(self, _base_dir: &Path) -> Result<PolicyConfig, Invalid> {
        let lower = |items: Vec<String>| -> Vec<String> {
            items
                .into_iter()
                .map(|s| s.trim().trim_start_matches('@').to_ascii_lowercase())
                .collect()
        };
        let policy = PolicyConfig {
            require_authenticated_sender: self.require_authenticated_sender.unwrap_or(true),
            trusted_authserv_ids: lower(self.trusted_authserv_ids),
            results_without_authserv_id: self.results_without_authserv_id,
            allowed_sender_domains: lower(self.allowed_sender_domains),
        };
        if let Some(bad) = policy
            .allowed_sender_domains
            .iter()
            .find(|d| d.is_empty() || d.contains(['/', ' ', '*']))
        {
            return Err(Invalid::new(
                "policy.allowed_sender_domains",
                format!("{bad:?} is not a domain"),
                "list bare domains such as \"partner.test\" (subdomains are included)",
            ));
        }
        Ok(policy)
    }
}

impl PolicyConfig {
    /// Whether any receiving server's `Authentication-Results` can count.
    pub fn trusts_a_server(&self) -> bool {
        !self.trusted_authserv_ids.is_empty() || self.results_without_authserv_id.is_some()
    }

    /// The check that needs the mailbox to matter: sender authentication without any
    /// trusted server would refuse every forward.
    pub(super) fn check_for_mailbox(&self) -> Result<(), Invalid> {
        if self.require_authenticated_sender && !self.trusts_a_server() {
            return Err(Invalid::new(
                "policy.trusted_authserv_ids",
                "require_authenticated_sender is on (the default) but no receiving server is \
                 trusted, so every forward would be refused",
                "set trusted_authserv_ids to the authserv-id your mail server writes in \
                 Authentication-Results (e.g. [\"mx.corp.example\"]); for a mailbox on \
                 Microsoft 365, set results_without_authserv_id = \"microsoft365\"; or set \
                 require_authenticated_sender = false (not recommended)",
            ));
        }
        Ok(())
    }
}
