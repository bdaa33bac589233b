//! The browser engine against the simulator's script-built (single-page app) mode, with
//! Debian's headless Chromium over real HTTPS on loopback: an account with a working
//! password, a used invite, a refused password, a third-party host that sees nothing,
//! a browser killed before and after the click, and no process left after shutdown.
//! Needs `/usr/bin/chromium` (scripts/setup-debian.sh installs it).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test target sees all the package's (dev-)dependencies and uses only a few.
#![allow(unused_crate_dependencies)]

use std::future::Future;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use onbehalf::config::{Config, Platform};
use onbehalf::reason::Reason;
use onbehalf::secret::Secret;
use onbehalf::signup::browser::{BrowserEngine, BrowserSettings, process};
use onbehalf::signup::{NoGuard, SignupOptions, SubmitGuard};
use onbehalf_sim::{Behaviour, Frontend, InviteSpec, SimOptions, Simulator};

/// A simulator in script-built mode whose app shell loads a script from `canary`.
async fn start(canary: &str) -> (Simulator, tempfile::TempDir) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(SimOptions {
        frontend: Frontend::ScriptBuilt,
        third_party_script: Some(canary.to_owned()),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sim-ca.pem"), sim.ca_pem().unwrap()).unwrap();
    (sim, dir)
}

fn platform(sim: &Simulator, dir: &Path, extra: &str) -> Platform {
    let base = sim.base_url();
    let toml = format!(
        "[[platform]]\nname = \"Engage\"\nengine = \"browser\"\n\
         invite_links = [\"{base}/invitations/accept?*\"]\n\
         allowed_hosts = [\"{}\"]\n\
         success_url = \"{base}/home*\"\n\
         tick_checkboxes = [\"accept_terms\"]\n\
         request_timeout = \"5s\"\n\
         ca_file = \"sim-ca.pem\"\n{extra}",
        sim.authority()
    );
    let path = dir.join("onbehalf.toml");
    std::fs::write(&path, toml).unwrap();
    Config::load(&path).unwrap().platforms[0].clone()
}

fn engine() -> BrowserEngine {
    BrowserEngine::new(BrowserSettings::default(), 2)
}

fn jane(token: &str) -> InviteSpec {
    InviteSpec::new("jane@partner.test", "Jane", "Doe").token(token)
}

fn accepts(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/accept"))
        .count()
}

/// A loopback listener standing in for a third-party host: counts connections.
fn canary() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/tag.js", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    std::thread::spawn(move || {
        for _ in listener.incoming() {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (url, hits)
}

/// Ends every process of the running browser (ours: started by this test).
async fn kill_browser(engine: &BrowserEngine) {
    let profile = engine.profile_dir().await.unwrap();
    for pid in process::processes_of(&profile) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

/// Children of this test process that exited and were not reaped.
fn zombie_children() -> Vec<u32> {
    let me = std::process::id().to_string();
    let mut zombies = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().filter_map(Result::ok) {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
        let rest: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        if rest[0] == "Z" && rest[1] == me {
            zombies.push(pid);
        }
    }
    zombies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_the_account_and_the_third_party_host_sees_nothing() {
    let (canary_url, hits) = canary();
    let (sim, dir) = start(&canary_url).await;
    let platform = platform(&sim, dir.path(), "");
    let url = sim.issue_invite(jane("tokSECRETa1"));
    let engine = engine();
    let account = engine
        .sign_up(&platform, &url, &SignupOptions::default(), &mut NoGuard)
        .await
        .unwrap();
    assert_eq!(account.login, "jane@partner.test");
    assert!(
        account.landed_url.contains("/home"),
        "{}",
        account.landed_url
    );
    assert!(sim.password_works("jane@partner.test", account.password.expose()));
    assert_eq!(accepts(&sim), 1);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the canary host was contacted"
    );
    let profile = engine.profile_dir().await.unwrap();
    assert!(!process::processes_of(&profile).is_empty());
    engine.shutdown().await;
    assert!(
        process::processes_of(&profile).is_empty(),
        "a browser process is left"
    );
    assert!(!profile.exists(), "the profile directory is left");
    assert_eq!(zombie_children(), Vec::<u32>::new());
}
