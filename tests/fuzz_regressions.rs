//! Replays fuzz findings and seeds through the functions the fuzz targets call.
//!
//! In: every file in `tests/fuzz_regressions/<target>/` (minimised inputs that once
//! crashed a target) and `fuzz/seeds/<target>/` (the hand-made seed corpus), for the
//! targets `extract`, `config` and `unwrap`. Out: pass when none of them panics, with
//! the same fixed config and input conversion as the fuzz targets in `fuzz/fuzz_targets/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

use std::path::{Path, PathBuf};

use onbehalf::config::Config;
use onbehalf::extract::unwrap::{MAX_LAYERS, unwrap};

/// The fuzz target's config (`fuzz/fuzz_targets/extract.rs`).
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

/// Every input file for `target`: regressions first, then seeds.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in [
        root.join("tests/fuzz_regressions").join(target),
        root.join("fuzz/seeds").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        found.extend(paths.into_iter().map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        }));
    }
    found
}

fn config() -> Config {
    Config::from_toml(CONFIG, Path::new("/etc/onbehalf/onbehalf.toml")).unwrap()
}

#[test]
fn extract_inputs_do_not_panic() {
    let config = config();
    let inputs = inputs("extract");
    assert!(!inputs.is_empty(), "the extract seeds are missing");
    for (path, bytes) in inputs {
        let outcome = std::panic::catch_unwind(|| onbehalf::extract::extract(&bytes, &config));
        assert!(outcome.is_ok(), "extract panicked on {}", path.display());
    }
}

#[test]
fn config_inputs_do_not_panic() {
    let inputs = inputs("config");
    assert!(!inputs.is_empty(), "the config seeds are missing");
    for (path, bytes) in inputs {
        let text = String::from_utf8_lossy(&bytes);
        let outcome = std::panic::catch_unwind(|| {
            Config::from_toml(&text, Path::new("/etc/onbehalf/onbehalf.toml")).map(|_| ())
        });
        assert!(outcome.is_ok(), "from_toml panicked on {}", path.display());
    }
}

#[test]
fn unwrap_inputs_do_not_panic() {
    let inputs = inputs("unwrap");
    assert!(!inputs.is_empty(), "the unwrap seeds are missing");
    for (path, bytes) in inputs {
        let Ok(url) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let outcome = std::panic::catch_unwind(|| unwrap(url));
        let unwrapped = outcome.unwrap_or_else(|_| panic!("unwrap panicked on {}", path.display()));
        assert!(unwrapped.layers.len() <= MAX_LAYERS, "{}", path.display());
        assert_eq!(
            unwrapped.layers.last().unwrap_or(&unwrapped.input),
            &unwrapped.url,
            "{}",
            path.display()
        );
    }
}

/// The seeds are realistic forwards: the extract stage must find their invites, or the
/// corpus would be teaching the fuzzer about rejections only.
#[test]
fn seed_forwards_yield_their_invites() {
    let config = config();
    let engage = "https://engage.example.com/invitations/accept?token=Zx81Qm2vT9kLp0aB&lang=en";
    for (name, platform, url) in [
        ("gmail_inline_qp.eml", "Engage", engage),
        ("thunderbird_rfc822_base64.eml", "Engage", engage),
        ("nested_rfc822_twice.eml", "Engage", engage),
        ("outlook_safelinks_cp1252.eml", "Engage", engage),
        ("plain_quoted_wrapped.eml", "Engage", engage),
        (
            "yahoo_iso2022jp.eml",
            "Atlas",
            "https://atlas.test/i/9f8e7d/accept?src=mail",
        ),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/seeds/extract")
            .join(name);
        let invite = onbehalf::extract::extract(&std::fs::read(&path).unwrap(), &config)
            .unwrap_or_else(|r| panic!("{name}: {r:?}"));
        assert_eq!(
            (invite.platform.as_str(), invite.invite_url.as_str()),
            (platform, url),
            "{name}"
        );
    }
}
