//! Tests of the whole stage against small servers on loopback.

use crate::config::{AllowedHost, FailureMarkers, PasswordPolicy, Platform};

/// A platform profile allowing `hosts`, with test-friendly timeouts.
pub(crate) fn platform_with_hosts(allowed_hosts: Vec<AllowedHost>) -> Platform {
    Platform {
        name: "Test".to_owned(),
        invite_links: Vec::new(),
        allowed_hosts,
        signup_form: None,
        password_fields: Vec::new(),
        tick_checkboxes: Vec::new(),
        success_url: None,
        success_selector: None,
        ca_file: None,
        allow_http: false,
        password: PasswordPolicy::default(),
        failures: FailureMarkers::default(),
        connect_timeout: std::time::Duration::from_secs(5),
        request_timeout: std::time::Duration::from_secs(5),
        max_response_bytes: 1024 * 1024,
    }
}
