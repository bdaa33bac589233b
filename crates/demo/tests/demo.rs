#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `onbehalf-demo demo`: every sample ends as the pipeline's stages say it should, with a
//! credentials mail or a ticket written for it, and the command works from the binary.
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

use std::path::{Path, PathBuf};

use onbehalf::config::Config;
use onbehalf_demo::browser_sample;
use onbehalf_demo::demo::{self, DemoOptions};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

/// What the stages predict for one sample, without the demo: extract, then vet with the
/// demo's trusted server, then the simulator (which serves only Engage's invites).
fn predicted(raw: &[u8], config: &Config, policy: &onbehalf::config::PolicyConfig) -> String {
    match onbehalf::extract::extract(raw, config) {
        Err(rejection) => rejection.reason.as_str().to_owned(),
        Ok(invite) => match onbehalf::vet::vet(raw, &invite, policy) {
            Err(rejection) => rejection.reason.as_str().to_owned(),
            Ok(_) if invite.platform == "Engage" => "created".to_owned(),
            Ok(_) => "link_expired".to_owned(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sample_ends_as_its_stages_predict() {
    onbehalf::net::tls::install_default_provider();
    let work = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        samples: samples(),
        workdir: work.path().to_owned(),
    };
    let rows = demo::run(&options).await.unwrap();
    let config = Config::load(&samples().join("onbehalf.toml")).unwrap();
    let policy = onbehalf::config::PolicyConfig {
        trusted_authserv_ids: vec!["mx.corp.example".to_owned()],
        ..Default::default()
    };
    let mut wrong = Vec::new();
    let mut created = 0;
    for row in &rows {
        // The built-in browser sample is not in samples/: Chromium fills its page in.
        let expected = if row.sample == browser_sample::FILE {
            "created".to_owned()
        } else {
            let raw = std::fs::read(samples().join(&row.sample)).unwrap();
            predicted(&raw, &config, &policy)
        };
        if row.outcome != expected {
            wrong.push(format!(
                "{}: expected {expected}, got {}",
                row.sample, row.outcome
            ));
        }
        let Some(mail) = &row.mail else {
            wrong.push(format!("{}: no mail written", row.sample));
            continue;
        };
        let text = String::from_utf8_lossy(&std::fs::read(mail).unwrap()).into_owned();
        if row.outcome == "created" {
            created += 1;
            let login = row.account.as_deref().unwrap_or_default();
            if !text.contains(&format!("To: {login}")) && !text.contains(&format!("<{login}>")) {
                wrong.push(format!(
                    "{}: credentials mail not addressed to {login}",
                    row.sample
                ));
            }
        } else if !text.contains("helpdesk@corp.example") {
            wrong.push(format!(
                "{}: the ticket does not go to the help desk",
                row.sample
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} rows wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(
        rows.len(),
        std::fs::read_dir(samples())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "eml")
            })
            .count()
            + 1,
        "one row per sample, and the built-in browser sample"
    );
    assert!(created >= 20, "only {created} accounts created");
}

#[test]
fn demo_command_prints_the_table() {
    let work = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("onbehalf-demo")
        .unwrap()
        .args(["demo", "--samples"])
        .arg(samples())
        .arg("--workdir")
        .arg(work.path().join("run"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("sample"), "{stdout}");
    assert!(stdout.contains("gmail-web-en.eml"), "{stdout}");
    assert!(stdout.contains(browser_sample::FILE), "{stdout}");
    assert!(stdout.contains("created"), "{stdout}");
    // Nothing secret is printed: no password line from the credentials mails.
    assert!(!stdout.contains("Password"), "{stdout}");
}
