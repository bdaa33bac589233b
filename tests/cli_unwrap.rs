//! `onbehalf unwrap` through the real binary: plain and `--json` output.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

use assert_cmd::Command;
use serde_json::Value;

const SAFE_LINK: &str = "https://nam11.safelinks.protection.outlook.com/?url=https%3A%2F%2Fbugzilla.redhat.com%2Fshow_bug.cgi%3Fid%3D1762031&amp;data=02%7C01%7Cuser%40example.com%7C0&amp;sdata=KemJ%3D&amp;reserved=0";
const SAFE_TARGET: &str = "https://bugzilla.redhat.com/show_bug.cgi?id=1762031";
const MIMECAST: &str =
    "https://protect-us.mimecast.com/s/bvw6ClYgmKf29D5ZHqNca4?domain=json-schema.org";

fn onbehalf() -> Command {
    Command::cargo_bin("onbehalf").unwrap()
}

fn stdout_lines(args: &[&str]) -> Vec<String> {
    let output = onbehalf().arg("unwrap").args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn json_lines_for_safe_links_and_mimecast() {
    let lines = stdout_lines(&["--json", SAFE_LINK, MIMECAST]);
    assert_eq!(lines.len(), 2);

    let safe: Value = serde_json::from_str(&lines[0]).unwrap();
    let object = safe.as_object().unwrap();
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 4);
    // serde_json's map sorts keys; the line itself keeps the documented order.
    assert!(lines[0].starts_with(r#"{"input":"#), "{}", lines[0]);
    for key in ["input", "url", "layers", "opaque"] {
        assert!(object.contains_key(key), "{key} missing from {}", lines[0]);
    }
    assert_eq!(safe["input"], SAFE_LINK);
    assert_eq!(safe["url"], SAFE_TARGET);
    assert_eq!(safe["layers"], serde_json::json!([SAFE_TARGET]));
    assert!(safe["opaque"].is_null());

    let mimecast: Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(mimecast.as_object().unwrap().len(), 4);
    assert_eq!(mimecast["input"], MIMECAST);
    assert_eq!(mimecast["url"], MIMECAST);
    assert_eq!(mimecast["layers"], serde_json::json!([]));
    assert_eq!(mimecast["opaque"], "mimecast");
}

#[test]
fn plain_output_one_line_per_url() {
    let lines = stdout_lines(&[SAFE_LINK, MIMECAST, "https://example.com/plain"]);
    assert_eq!(
        lines,
        [
            SAFE_TARGET.to_owned(),
            format!("{MIMECAST}  (mimecast: cannot be decoded offline)"),
            "https://example.com/plain".to_owned(),
        ]
    );
}

#[test]
fn a_url_is_required() {
    let output = onbehalf().arg("unwrap").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}
