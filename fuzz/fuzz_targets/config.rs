//! Fuzz target: arbitrary text as the config file.
//!
//! In: any bytes, read as UTF-8 (lossy, as no other text can reach the parser). Out:
//! nothing; `Config::from_toml` must return a config or an error, never panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use onbehalf::config::Config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Config::from_toml(&text, Path::new("/etc/onbehalf/onbehalf.toml"));
});
