//! Fuzz target: arbitrary bytes as a message from the support mailbox.
//!
//! In: any bytes. Out: nothing; `extract` must return (an invite or a rejection) without
//! panicking, whatever it is fed. The config is fixed: two platforms, a 1 MB size limit
//! so that oversized inputs take the cheap `too_large` path and runs stay fast.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use onbehalf::config::Config;

const CONFIG: &str = r#"
[limits]
max_message_bytes = 1048576

[[platform]]
name = "Engage"
invite_links = ["https://engage.example.com/invitations/accept?*"]
allowed_hosts = ["engage.example.com"]

[[platform]]
name = "Atlas"
invite_links = ["https://app.atlas.test/join/*", "https://atlas.test/i/*/accept*"]
allowed_hosts = ["app.atlas.test", "atlas.test"]
"#;

static FIXED: LazyLock<Option<Config>> =
    LazyLock::new(|| Config::from_toml(CONFIG, Path::new("/etc/onbehalf/onbehalf.toml")).ok());

fuzz_target!(|data: &[u8]| {
    let Some(config) = FIXED.as_ref() else {
        panic!("the fuzz target's fixed config no longer validates");
    };
    let _ = onbehalf::extract::extract(data, config);
});
