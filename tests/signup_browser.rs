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

use onbehalf::config::{Config, Engine, Platform};
use onbehalf::reason::Reason;
use onbehalf::secret::Secret;
use onbehalf::signup::browser::{BrowserEngine, BrowserSettings, process, sign_up_with_engine};
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

/// The tests run one at a time: each checks that no process of this test binary is left
/// unreaped, which another test's browser could be for a moment.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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
    let _serial = SERIAL.lock().await;
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
    let browser = process::processes_of(&profile);
    assert!(
        browser.len() > 1,
        "the browser and its helpers: {browser:?}"
    );
    engine.shutdown().await;
    let left: Vec<u32> = browser.into_iter().filter(|p| process::alive(*p)).collect();
    assert_eq!(left, Vec::<u32>::new(), "a browser process is left");
    assert!(!profile.exists(), "the profile directory is left");
    assert_eq!(zombie_children(), Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_invite_is_link_expired_and_a_refused_password_is_retried() {
    let _serial = SERIAL.lock().await;
    let (canary_url, _) = canary();
    let (sim, dir) = start(&canary_url).await;
    let platform = platform(&sim, dir.path(), "");
    let engine = engine();
    let url = sim.issue_invite(jane("tokSECRETb1"));
    let options = SignupOptions::default();
    engine
        .sign_up(&platform, &url, &options, &mut NoGuard)
        .await
        .unwrap();
    let again = engine
        .sign_up(&platform, &url, &options, &mut NoGuard)
        .await;
    let failure = again.unwrap_err();
    assert_eq!(failure.reason, Reason::LinkExpired, "{}", failure.detail);
    assert!(!failure.submitted);
    assert!(!failure.detail.contains("tokSECRET"), "{}", failure.detail);
    assert_eq!(accepts(&sim), 1);

    let stricter = Behaviour::StricterPassword {
        max_length: 10,
        stated_in_html: false,
    };
    let url = sim.issue_invite(
        InviteSpec::new("ann@partner.test", "Ann", "Lee")
            .token("tokSECRETb2")
            .behaviour(stricter),
    );
    let mut kept = Keep(Vec::new());
    let failure = engine
        .sign_up(&platform, &url, &options, &mut kept)
        .await
        .unwrap_err();
    assert_eq!(
        failure.reason,
        Reason::PasswordRejected,
        "{}",
        failure.detail
    );
    assert_eq!(kept.0.len(), 3, "each submission sealed its own password");
    let evidence = failure
        .evidence
        .clone()
        .expect("a failure carries evidence");
    assert!(evidence.screenshot_png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(evidence.screenshot_png.len() > 1000);
    assert!(!evidence.visible_text.trim().is_empty());
    for password in &kept.0 {
        assert!(!evidence.visible_text.contains(password.expose()));
        assert!(!failure.detail.contains(password.expose()));
    }
    assert!(failure.submitted && failure.refused, "{failure:?}");
    assert!(
        failure.detail.contains("refused 3 times"),
        "{}",
        failure.detail
    );
    assert_eq!(accepts(&sim), 4);
    assert!(sim.accounts().iter().all(|a| a.email != "ann@partner.test"));
    assert_eq!(engine.launches(), 1, "one browser serves every job");
    engine.shutdown().await;
}

/// Keeps every password it is asked to seal.
struct Keep(Vec<Secret>);

impl SubmitGuard for Keep {
    fn before_submit(
        &mut self,
        _login: &str,
        password: &Secret,
    ) -> impl Future<Output = Result<(), String>> + Send {
        self.0.push(password.clone());
        async { Ok(()) }
    }
}

/// Kills the browser right after the password is sealed, before the click.
struct KillAtSeal<'a> {
    engine: &'a BrowserEngine,
    sealed: Option<Secret>,
}

impl SubmitGuard for KillAtSeal<'_> {
    fn before_submit(
        &mut self,
        _login: &str,
        password: &Secret,
    ) -> impl Future<Output = Result<(), String>> + Send {
        self.sealed = Some(password.clone());
        let engine = self.engine;
        async move {
            kill_browser(engine).await;
            Ok(())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_killed_after_the_seal_is_uncertain_and_a_dead_browser_is_replaced() {
    let _serial = SERIAL.lock().await;
    let (canary_url, _) = canary();
    let (sim, dir) = start(&canary_url).await;
    let platform = platform(&sim, dir.path(), "");
    let engine = engine();
    let options = SignupOptions::default();
    let url = sim.issue_invite(jane("tokSECRETc1"));
    let mut guard = KillAtSeal {
        engine: &engine,
        sealed: None,
    };
    let failure = engine
        .sign_up(&platform, &url, &options, &mut guard)
        .await
        .unwrap_err();
    assert!(failure.outcome_unknown(), "{failure:?}");
    let sealed = guard.sealed.expect("the password was sealed first");
    assert!(
        !failure.detail.contains(sealed.expose()),
        "{}",
        failure.detail
    );

    // The next job finds the browser dead and starts a fresh one.
    let url =
        sim.issue_invite(InviteSpec::new("ann@partner.test", "Ann", "Lee").token("tokSECRETc2"));
    let account = engine
        .sign_up(&platform, &url, &options, &mut NoGuard)
        .await
        .unwrap();
    assert!(sim.password_works("ann@partner.test", account.password.expose()));
    assert_eq!(engine.launches(), 2);
    let closing = std::time::Instant::now();
    engine.shutdown().await;
    eprintln!("figures: shutdown took {:?}", closing.elapsed());
    assert_eq!(zombie_children(), Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_starts_the_browser_only_for_an_app_shell() {
    let _serial = SERIAL.lock().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let options = SignupOptions::default();
    let engine = engine();

    let plain = Simulator::start(SimOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sim-ca.pem"), plain.ca_pem().unwrap()).unwrap();
    let mut server_rendered = platform(&plain, dir.path(), "");
    server_rendered.engine = Engine::Auto;
    let url = plain.issue_invite(jane("tokSECRETd1"));
    let (result, ran) =
        sign_up_with_engine(&engine, &server_rendered, &url, &options, &mut NoGuard).await;
    result.unwrap();
    assert_eq!(ran, "engine: auto, http");
    assert_eq!(
        engine.launches(),
        0,
        "a server-rendered platform started the browser"
    );

    let (canary_url, _) = canary();
    let (spa, dir) = start(&canary_url).await;
    let mut script_built = platform(&spa, dir.path(), "");
    script_built.engine = Engine::Auto;
    let url = spa.issue_invite(jane("tokSECRETd2"));
    let (result, ran) =
        sign_up_with_engine(&engine, &script_built, &url, &options, &mut NoGuard).await;
    let account = result.unwrap();
    assert!(ran.contains("browser"), "{ran}");
    assert!(spa.password_works("jane@partner.test", account.password.expose()));
    assert_eq!(engine.launches(), 1);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_signups_at_once_share_one_browser_in_separate_contexts() {
    let _serial = SERIAL.lock().await;
    let (canary_url, hits) = canary();
    let (sim, dir) = start(&canary_url).await;
    let platform = platform(&sim, dir.path(), "");
    let engine = engine();
    let options = SignupOptions::default();
    let ann =
        sim.issue_invite(InviteSpec::new("ann@partner.test", "Ann", "Lee").token("tokSECRETe1"));
    let bob =
        sim.issue_invite(InviteSpec::new("bob@partner.test", "Bob", "Ray").token("tokSECRETe2"));
    let started = std::time::Instant::now();
    let (mut guard_a, mut guard_b) = (NoGuard, NoGuard);
    let (a, b) = tokio::join!(
        engine.sign_up(&platform, &ann, &options, &mut guard_a),
        engine.sign_up(&platform, &bob, &options, &mut guard_b),
    );
    let both = started.elapsed();
    let peak = engine.memory().await;
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        (a.login.as_str(), b.login.as_str()),
        ("ann@partner.test", "bob@partner.test")
    );
    assert!(sim.password_works("ann@partner.test", a.password.expose()));
    assert!(sim.password_works("bob@partner.test", b.password.expose()));
    assert_eq!(engine.launches(), 1);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    // A warm browser: one more signup alone.
    let cid =
        sim.issue_invite(InviteSpec::new("cid@partner.test", "Cid", "Oz").token("tokSECRETe3"));
    let started = std::time::Instant::now();
    engine
        .sign_up(&platform, &cid, &options, &mut NoGuard)
        .await
        .unwrap();
    let warm = started.elapsed();
    eprintln!(
        "figures: two signups at once {both:?} (cold browser included), one warm signup \
         {warm:?}, browser PSS after the pair {} MB",
        peak / (1024 * 1024)
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_is_replaced_after_jobs_per_process_jobs() {
    let _serial = SERIAL.lock().await;
    let (canary_url, _) = canary();
    let (sim, dir) = start(&canary_url).await;
    let platform = platform(&sim, dir.path(), "");
    let settings = BrowserSettings {
        jobs_per_process: 1,
        ..BrowserSettings::default()
    };
    let engine = BrowserEngine::new(settings, 2);
    let options = SignupOptions::default();
    let first = sim.issue_invite(jane("tokSECRETf1"));
    engine
        .sign_up(&platform, &first, &options, &mut NoGuard)
        .await
        .unwrap();
    let old_profile = engine.profile_dir().await.unwrap();
    let old_browser = process::processes_of(&old_profile);
    let second =
        sim.issue_invite(InviteSpec::new("ann@partner.test", "Ann", "Lee").token("tokSECRETf2"));
    engine
        .sign_up(&platform, &second, &options, &mut NoGuard)
        .await
        .unwrap();
    assert_eq!(engine.launches(), 2);
    assert!(old_browser.len() > 1, "{old_browser:?}");
    assert!(!old_browser.iter().any(|p| process::alive(*p)));
    assert!(
        !old_profile.exists(),
        "the replaced browser's profile directory is left"
    );
    let closing = std::time::Instant::now();
    engine.shutdown().await;
    eprintln!("figures: shutdown took {:?}", closing.elapsed());
    assert_eq!(zombie_children(), Vec::<u32>::new());
}
