//! Benchmark of the extract stage.
//!
//! In: every `samples/*.eml` (with `samples/onbehalf.toml` when present, else an
//! equivalent config built here; `SAMPLES_DIR` points elsewhere), or the fuzz seeds in
//! `fuzz/seeds/extract/` when there is no sample email; plus one large message
//! generated here: a Gmail-style forward of a ~3 MB HTML newsletter with the invite
//! inside, measured with the config's size limit raised to fit it if needed. Out: criterion's time per
//! message and throughput (MB/s) for each. Targets on one core: a typical forward
//! (< 50 KB) under 0.5 ms, the 3 MB message under 150 ms.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

#[path = "support/newsletter.rs"]
mod newsletter;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use onbehalf::config::Config;
use onbehalf::extract::extract;

const FALLBACK_CONFIG: &str = r#"
[[platform]]
name = "Engage"
invite_links = ["https://engage.example.com/invitations/accept?*"]
allowed_hosts = ["engage.example.com"]

[[platform]]
name = "Atlas"
invite_links = ["https://app.atlas.test/join/*", "https://atlas.test/i/*/accept*"]
allowed_hosts = ["app.atlas.test", "atlas.test"]
"#;

/// The HTML size of the large newsletter.
const LARGE_HTML_BYTES: usize = 3 * 1024 * 1024;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn samples_dir() -> PathBuf {
    std::env::var_os("SAMPLES_DIR").map_or_else(|| root().join("samples"), PathBuf::from)
}

fn config() -> Config {
    let samples_config = samples_dir().join("onbehalf.toml");
    if samples_config.exists() {
        Config::load(&samples_config).expect("samples/onbehalf.toml must validate")
    } else {
        Config::from_toml(FALLBACK_CONFIG, Path::new("bench.toml")).unwrap()
    }
}

/// `*.eml` in `dir`, sorted by name.
fn emails_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn bench_messages(c: &mut Criterion) {
    let config = config();
    let (source, messages) = match emails_in(&samples_dir()) {
        found if !found.is_empty() => ("samples", found),
        _ => ("seeds", emails_in(&root().join("fuzz/seeds/extract"))),
    };
    let mut group = c.benchmark_group(format!("extract/{source}"));
    for (name, raw) in &messages {
        group.throughput(Throughput::Bytes(raw.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), raw, |b, raw| {
            b.iter(|| extract(black_box(raw), &config));
        });
    }
    group.finish();
}

/// An invite URL of the config's first platform: its first pattern with each `*`
/// filled in, so the large message works with whatever config the samples use.
fn invite_for(config: &Config) -> String {
    let pattern = config.platforms[0].invite_links[0].as_str();
    pattern
        .replacen('*', "token=Zx81Qm2vT9kLp0aB&lang=en", 1)
        .replace('*', "q7")
}

fn bench_large(c: &mut Criterion) {
    let mut config = config();
    let invite = invite_for(&config);
    let large = newsletter::gmail_forward(&invite, LARGE_HTML_BYTES);
    // The samples' config keeps its limit low to test too_large; this measures reading.
    let limit = &mut config.limits.max_message_bytes;
    *limit = (*limit).max(large.raw.len());
    let found = extract(&large.raw, &config).expect("the large forward holds one invite");
    assert_eq!(found.invite_url, invite);
    assert_eq!(found.invitee.as_deref(), Some("jane@partner.test"));
    eprintln!(
        "large forward: {} bytes on the wire, newsletter HTML {} bytes",
        large.raw.len(),
        large.html_bytes
    );
    let mut group = c.benchmark_group("extract/large");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Bytes(large.raw.len() as u64));
    group.bench_function("gmail_forward_3mb_newsletter", |b| {
        b.iter(|| extract(black_box(&large.raw), &config));
    });
    group.finish();
}

criterion_group!(benches, bench_messages, bench_large);
criterion_main!(benches);
