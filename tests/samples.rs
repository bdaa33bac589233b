//! The sample corpus, table-driven: runs the real `onbehalf extract --json` once over
//! every `samples/*.eml` with `samples/onbehalf.toml` and compares each printed line
//! with its entry in `samples/expected.json`.
//!
//! In: the samples, their expectations and the binary. Out: one assertion that lists
//! every sample whose result differs, one line per sample, so a regression in one
//! client's format shows next to all the others. Invite tokens never appear in that
//! message: each known token is shown as `‹token of <sample>›`.
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use mail_parser::{Message, MessageParser, PartType};
use regex::Regex;
use serde_json::Value;

/// What must match for a sample whose expected outcome is an invite.
const INVITE_FIELDS: [&str; 5] = ["outcome", "platform", "invite_url", "invitee", "requester"];

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Every `samples/*.eml`, sorted by name.
fn sample_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    files.sort();
    files
}

/// `samples/expected.json` keyed by file name; duplicate entries are problems.
fn expected_results(problems: &mut Vec<String>) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(samples_dir().join("expected.json")).unwrap();
    let entries: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut expected = BTreeMap::new();
    for entry in entries {
        let name = entry["file"]
            .as_str()
            .expect("every entry names its file")
            .to_owned();
        if expected.insert(name.clone(), entry).is_some() {
            problems.push(format!("{name}: listed twice in expected.json"));
        }
    }
    expected
}

/// Invite tokens of every sample, mapped to the sample they belong to: from the
/// expected invite URLs, and from each message's raw and decoded text (which also
/// finds the tokens of samples that are rejected).
fn known_tokens(files: &[PathBuf], expected: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    let pattern = Regex::new(
        r"(?:token(?:=|%3[Dd]|-3D)|/join/|%2[Ff]join%2[Ff]|_join_)([A-Za-z0-9_-]{20,40})",
    )
    .unwrap();
    let mut tokens = BTreeMap::new();
    let mut add = |text: &str, name: &str| {
        for capture in pattern.captures_iter(text) {
            tokens
                .entry(capture[1].to_owned())
                .or_insert_with(|| name.to_owned());
        }
    };
    for (name, entry) in expected {
        if let Some(url) = entry.get("invite_url").and_then(Value::as_str) {
            add(url, name);
        }
    }
    for path in files {
        let name = file_name(path);
        let raw = std::fs::read(path).unwrap();
        add(&String::from_utf8_lossy(&raw), &name);
        if let Some(message) = MessageParser::default().parse(&raw) {
            for text in decoded_texts(&message) {
                add(&text, &name);
            }
        }
    }
    tokens
}

/// The decoded content of every part, nested messages included.
fn decoded_texts(message: &Message<'_>) -> Vec<String> {
    let mut texts = Vec::new();
    for part in &message.parts {
        match &part.body {
            PartType::Text(text) | PartType::Html(text) => texts.push(text.to_string()),
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                texts.push(String::from_utf8_lossy(bytes).into_owned());
            }
            PartType::Message(inner) => texts.extend(decoded_texts(inner)),
            PartType::Multipart(_) => {}
        }
    }
    texts
}

/// `value` as JSON text with every known token replaced by `‹token of <sample>›`.
fn shown(value: &Value, tokens: &BTreeMap<String, String>) -> String {
    redact(&value.to_string(), tokens)
}

fn redact(text: &str, tokens: &BTreeMap<String, String>) -> String {
    let mut by_length: Vec<(&String, &String)> = tokens.iter().collect();
    by_length.sort_by_key(|(token, _)| std::cmp::Reverse(token.len()));
    by_length
        .into_iter()
        .fold(text.to_owned(), |acc, (token, name)| {
            acc.replace(token.as_str(), &format!("‹token of {name}›"))
        })
}

/// What is wrong with one sample's output, or `None`.
fn compare(want: &Value, got: &Value, tokens: &BTreeMap<String, String>) -> Option<String> {
    let null = Value::Null;
    let field = |v: &'_ Value, key: &str| v.get(key).cloned().unwrap_or(Value::Null);
    let mut diffs = Vec::new();
    if want["outcome"] == "invite" {
        for key in INVITE_FIELDS {
            let (w, g) = (field(want, key), field(got, key));
            if w != g {
                diffs.push(format!(
                    "{key}: expected {}, got {}",
                    shown(&w, tokens),
                    shown(&g, tokens)
                ));
            }
        }
        if got["outcome"] == "rejected" {
            diffs.push(format!(
                "(rejected as {}: {})",
                shown(got.get("reason").unwrap_or(&null), tokens),
                shown(got.get("detail").unwrap_or(&null), tokens)
            ));
        }
    } else {
        for key in ["outcome", "reason"] {
            let (w, g) = (field(want, key), field(got, key));
            if w != g {
                diffs.push(format!(
                    "{key}: expected {}, got {}",
                    shown(&w, tokens),
                    shown(&g, tokens)
                ));
            }
        }
        if let Some(problem) = detail_problem(got.get("detail"), tokens) {
            diffs.push(problem);
        }
    }
    (!diffs.is_empty()).then(|| diffs.join("; "))
}

/// A rejection's `detail` must be a sentence a support agent can read, and must not
/// reveal any sample's invite token.
fn detail_problem(detail: Option<&Value>, tokens: &BTreeMap<String, String>) -> Option<String> {
    let Some(text) = detail.and_then(Value::as_str) else {
        return Some(format!(
            "detail: expected a sentence, got {}",
            detail.unwrap_or(&Value::Null)
        ));
    };
    let words = text.split_whitespace().count();
    if words < 3 || !text.chars().any(char::is_alphabetic) {
        return Some(format!("detail: {text:?} is not a sentence"));
    }
    let leaked: BTreeSet<&String> = tokens
        .iter()
        .filter(|(token, _)| text.contains(token.as_str()))
        .map(|(_, name)| name)
        .collect();
    (!leaked.is_empty()).then(|| {
        format!(
            "detail reveals the token of {leaked:?}: {:?}",
            redact(text, tokens)
        )
    })
}

/// The printed lines keyed by the basename of their `file`.
fn parse_output(stdout: &str, problems: &mut Vec<String>) -> BTreeMap<String, Value> {
    let mut actual = BTreeMap::new();
    for (index, line) in stdout
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: Value = match serde_json::from_str(line) {
            Ok(value) => value,
            Err(e) => {
                problems.push(format!("output line {} is not JSON: {e}", index + 1));
                continue;
            }
        };
        let Some(file) = value.get("file").and_then(Value::as_str) else {
            problems.push(format!("output line {} has no \"file\"", index + 1));
            continue;
        };
        let name = file_name(Path::new(file));
        if actual.insert(name.clone(), value).is_some() {
            problems.push(format!("{name}: printed more than once"));
        }
    }
    actual
}

#[test]
fn every_sample_gives_its_expected_result() {
    let mut problems = Vec::new();
    let files = sample_files();
    let expected = expected_results(&mut problems);
    let names: BTreeSet<String> = files.iter().map(|p| file_name(p)).collect();
    assert!(
        names.len() >= 36,
        "only {} samples in samples/",
        names.len()
    );
    for name in names.iter().filter(|n| !expected.contains_key(*n)) {
        problems.push(format!("{name}: no entry in expected.json"));
    }
    for name in expected.keys().filter(|n| !names.contains(*n)) {
        problems.push(format!(
            "{name}: in expected.json, but samples/{name} does not exist"
        ));
    }

    let output = Command::cargo_bin("onbehalf")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["extract", "--config", "samples/onbehalf.toml", "--json"])
        .args(names.iter().map(|name| format!("samples/{name}")))
        .output()
        .unwrap();
    let tokens = known_tokens(&files, &expected);
    if !output.status.success() {
        problems.push(format!(
            "exit status {:?} instead of 0; stderr: {}",
            output.status.code(),
            redact(String::from_utf8_lossy(&output.stderr).trim(), &tokens)
        ));
    }
    let actual = parse_output(&String::from_utf8_lossy(&output.stdout), &mut problems);
    for name in actual.keys().filter(|n| !names.contains(*n)) {
        problems.push(format!("{name}: printed, but it is not a sample"));
    }
    let mut failing = 0;
    for (name, want) in expected.iter().filter(|(n, _)| names.contains(*n)) {
        let problem = match actual.get(name) {
            None => Some("no output line".to_owned()),
            Some(got) => compare(want, got, &tokens),
        };
        if let Some(problem) = problem {
            failing += 1;
            problems.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{failing} of {} samples differ from samples/expected.json:\n{}",
        names.len(),
        problems.join("\n")
    );
}
