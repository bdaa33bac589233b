//! `onbehalf signup` through the real binary, against the simulator.

use std::path::Path;

use super::{ENGAGE_EXTRAS, Env};
use onbehalf_sim::Behaviour;

/// Runs the binary off the async runtime (the simulator keeps serving meanwhile).
async fn onbehalf(args: Vec<String>) -> (i32, serde_json::Value, String) {
    let output = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("onbehalf")
            .unwrap()
            .args(&args)
            .env_remove("ONBEHALF_CONFIG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let json = serde_json::from_str(stdout.trim()).unwrap_or(serde_json::Value::Null);
    (
        output.status.code().unwrap(),
        json,
        format!("{stdout}{stderr}"),
    )
}

fn args(config: &Path, extra: &[&str]) -> Vec<String> {
    let mut all = vec![
        "signup".to_owned(),
        "--config".to_owned(),
        config.display().to_string(),
    ];
    all.extend(extra.iter().map(|s| (*s).to_owned()));
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signup_command_creates_the_account_and_hides_the_password_unless_asked() {
    let env = Env::start().await;
    let config = env.config_path(ENGAGE_EXTRAS);
    let (url, token) = env.invite(Behaviour::Normal);
    let (code, json, text) = onbehalf(args(&config, &["--json", &url])).await;
    assert_eq!(code, 0, "{text}");
    assert_eq!(json["outcome"], "created");
    assert_eq!(json["login"], "jane@partner.test");
    assert_eq!(json["landed_url"], format!("{}/home", env.sim.base_url()));
    assert!(json.get("password").is_none(), "{text}");
    assert!(!text.contains(&token));

    let (url, _) = env.invite(Behaviour::Normal);
    let other = env.sim.issue_invite(onbehalf_sim::InviteSpec::new(
        "max@partner.test",
        "Max",
        "Muster",
    ));
    let _ = url;
    let (code, json, text) =
        onbehalf(args(&config, &["--json", "--reveal-password", &other])).await;
    assert_eq!(code, 0, "{text}");
    let password = json["password"].as_str().unwrap();
    assert!(env.sim.password_works("max@partner.test", password));
    assert_eq!(env.sim.accounts().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signup_command_reports_failures_with_reason_and_exit_1() {
    let env = Env::start().await;
    let config = env.config_path(ENGAGE_EXTRAS);
    let (url, token) = env.invite(Behaviour::Expired);
    let (code, json, text) = onbehalf(args(&config, &["--json", &url])).await;
    assert_eq!(code, 1, "{text}");
    assert_eq!(json["outcome"], "failed");
    assert_eq!(json["reason"], "link_expired");
    assert!(
        json["detail"].as_str().unwrap().contains("expired"),
        "{text}"
    );
    assert!(!text.contains(&token));
    let (code, _, text) = onbehalf(args(&config, &[&url])).await;
    assert_eq!(code, 1);
    assert!(text.starts_with("failed (link_expired): "), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_shows_the_form_and_submits_nothing() {
    let env = Env::start().await;
    let config = env.config_path(ENGAGE_EXTRAS);
    let (url, _) = env.invite(Behaviour::Normal);
    let (code, json, text) = onbehalf(args(&config, &["--dry-run", "--json", &url])).await;
    assert_eq!(code, 0, "{text}");
    assert_eq!(json["outcome"], "dry_run");
    assert_eq!(json["method"], "POST");
    assert_eq!(json["login"], "jane@partner.test");
    let fields = json["fields"].as_array().unwrap();
    let password = fields.iter().find(|f| f["name"] == "password").unwrap();
    assert_eq!(password["value"], "[redacted]");
    assert!(env.sim.requests().iter().all(|r| r.method != "POST"));
    assert!(env.sim.accounts().is_empty());

    let (code, _, text) = onbehalf(args(&config, &["--dry-run", &url])).await;
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("  password = [redacted]"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_warns_it_may_use_the_invite_up_and_the_real_run_then_says_used() {
    let env = Env::start().await;
    let config = env.config_path(ENGAGE_EXTRAS);
    let (url, token) = env.invite(Behaviour::UsedOnFirstView);
    let (code, _, text) = onbehalf(args(&config, &["--dry-run", &url])).await;
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("may be used up now"), "{text}");
    let (code, json, text) = onbehalf(args(&config, &["--json", &url])).await;
    assert_eq!(code, 1, "{text}");
    assert_eq!(json["reason"], "link_expired", "{text}");
    let detail = json["detail"].as_str().unwrap();
    assert!(detail.contains("already been used"), "{text}");
    assert!(!text.contains(&token));
    assert!(env.sim.accounts().is_empty());

    let (code, _, text) = onbehalf(vec!["signup".to_owned(), "--help".to_owned()]).await;
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("used up"), "--help says so: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_no_platform_claims_is_a_usage_error() {
    let env = Env::start().await;
    let config = env.config_path(ENGAGE_EXTRAS);
    let (code, _, text) = onbehalf(args(
        &config,
        &["https://elsewhere.test/invitations/accept?token=x"],
    ))
    .await;
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--platform"), "{text}");
    let (code, _, text) = onbehalf(args(&config, &["--platform", "Nope", "https://x.test/"])).await;
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("Engage"), "{text}");
    assert_eq!(env.sim.requests().len(), 0);
}

/// `signup -` reads the link from standard input, so the token is in no argv; and the
/// process that will hold the password can leave no core file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signup_reads_the_link_from_stdin_with_core_dumps_off() {
    use std::io::Write;
    let env = Env::start().await;
    let config = env.config_path(ENGAGE_EXTRAS);
    let (url, token) = env.invite(Behaviour::Normal);
    let bin = assert_cmd::cargo::cargo_bin("onbehalf");
    let argv = args(&config, &["--json", "-"]);
    let output = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(bin)
            .args(&argv)
            .env_remove("ONBEHALF_CONFIG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // While it waits for the link: its limits and its command line, as others see them.
        let proc = format!("/proc/{}", child.id());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let limits = loop {
            let limits = std::fs::read_to_string(format!("{proc}/limits")).unwrap();
            let core = limits.lines().find(|l| l.starts_with("Max core file size"));
            // Soft and hard: a soft 0 alone may be inherited, and a hard limit left
            // open lets any child raise it again.
            let zero = |l: &str| l.split_whitespace().skip(4).take(2).all(|f| f == "0");
            if core.is_some_and(zero) || std::time::Instant::now() > deadline {
                break limits;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let cmdline = std::fs::read(format!("{proc}/cmdline")).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{url}").unwrap();
        drop(stdin);
        (limits, cmdline, child.wait_with_output().unwrap())
    })
    .await
    .unwrap();
    let (limits, cmdline, output) = output;
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
    assert!(!String::from_utf8_lossy(&cmdline).contains(&token));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(json["outcome"], "created");
    assert_eq!(json["login"], "jane@partner.test");
}
