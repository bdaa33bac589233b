//! The signup stage against the platform simulator over real HTTPS on loopback: every
//! failure reason, exactly one account per successful signup, the submit guard called
//! before each submission, and nothing sent where the profile does not allow.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use onbehalf::config::{Config, Platform};
use onbehalf::reason::Reason;
use onbehalf::secret::Secret;
use onbehalf::signup::{self, Account, NoGuard, SignupFailure, SignupOptions, SubmitGuard};
use onbehalf_sim::{AccountRecord, Behaviour, InviteSpec, SimOptions, Simulator};

#[path = "signup/cli.rs"]
mod cli;
#[path = "signup/fences.rs"]
mod fences;
#[path = "signup/fields.rs"]
mod fields;
#[path = "signup/promises.rs"]
mod promises;

/// A simulator and a profile for it, read from TOML as an operator would write it.
struct Env {
    sim: Simulator,
    dir: tempfile::TempDir,
}

/// The profile keys beyond the basics, one per line.
const ENGAGE_EXTRAS: &str = r#"tick_checkboxes = ["accept_terms"]
success_selector = "h1.welcome"
request_timeout = "3s"
"#;

impl Env {
    async fn start() -> Env {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sim = Simulator::start(SimOptions::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sim-ca.pem"), sim.ca_pem().unwrap()).unwrap();
        Env { sim, dir }
    }

    /// The `[[platform]]` table for this simulator plus `extra` lines.
    fn toml(&self, extra: &str) -> String {
        let base = self.sim.base_url();
        format!(
            "[[platform]]\nname = \"Engage\"\n\
             invite_links = [\"{base}/invitations/accept?*\"]\n\
             allowed_hosts = [\"{}\"]\n\
             success_url = \"{base}/home*\"\n\
             ca_file = \"sim-ca.pem\"\n{extra}",
            self.sim.authority()
        )
    }

    fn config_path(&self, extra: &str) -> PathBuf {
        let path = self.dir.path().join("onbehalf.toml");
        std::fs::write(&path, self.toml(extra)).unwrap();
        path
    }

    fn platform_with(&self, extra: &str) -> Platform {
        let config = Config::load(&self.config_path(extra)).unwrap();
        config.platforms[0].clone()
    }

    fn platform(&self) -> Platform {
        self.platform_with(ENGAGE_EXTRAS)
    }

    fn invite(&self, behaviour: Behaviour) -> (String, String) {
        let token = format!("tok{}", rand_suffix());
        let url = self
            .sim
            .issue_invite(jane().token(&token).behaviour(behaviour));
        (url, token)
    }

    fn posts(&self) -> usize {
        self.sim
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.starts_with("/signup"))
            .count()
    }
}

fn rand_suffix() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "SECRET{}x{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

fn jane() -> InviteSpec {
    InviteSpec::new("jane@partner.test", "Jane", "Doe")
}

/// Records each guard call with how many signup POSTs the simulator had seen by then.
struct Recorder<'a> {
    sim: &'a Simulator,
    calls: Vec<(String, Secret, usize)>,
}

impl<'a> Recorder<'a> {
    fn new(sim: &'a Simulator) -> Self {
        Self {
            sim,
            calls: Vec::new(),
        }
    }
}

impl SubmitGuard for Recorder<'_> {
    fn before_submit(
        &mut self,
        login: &str,
        password: &Secret,
    ) -> impl Future<Output = Result<(), String>> + Send {
        let posts = self
            .sim
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count();
        self.calls.push((login.to_owned(), password.clone(), posts));
        async { Ok(()) }
    }
}

async fn sign_up(platform: &Platform, url: &str) -> Result<Account, SignupFailure> {
    signup::sign_up(platform, url, &SignupOptions::default(), &mut NoGuard).await
}

/// Checks what every failure must hold: its reason, and no token in the detail.
fn expect_failure(
    result: Result<Account, SignupFailure>,
    reason: Reason,
    token: &str,
) -> SignupFailure {
    let failure = result.expect_err("the signup should have failed");
    assert_eq!(failure.reason, reason, "{failure}");
    assert!(
        !failure.detail.contains(token),
        "the token leaked: {failure}"
    );
    failure
}

#[tokio::test]
async fn a_normal_invite_creates_exactly_one_account_whose_password_works() {
    let env = Env::start().await;
    let platform = env.platform();
    let (url, token) = env.invite(Behaviour::Normal);
    let mut guard = Recorder::new(&env.sim);
    let account = signup::sign_up(&platform, &url, &SignupOptions::default(), &mut guard)
        .await
        .unwrap();
    assert_eq!(account.login, "jane@partner.test");
    assert_eq!(account.landed_url, format!("{}/home", env.sim.base_url()));
    assert_eq!(
        env.sim.accounts(),
        vec![AccountRecord {
            email: "jane@partner.test".into(),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
        }]
    );
    assert!(
        env.sim
            .password_works("jane@partner.test", account.password.expose())
    );
    assert_eq!(guard.calls.len(), 1);
    assert_eq!(guard.calls[0].0, "jane@partner.test");
    assert_eq!(guard.calls[0].1, account.password);
    assert_eq!(guard.calls[0].2, 0, "the guard runs before the POST");
    assert_eq!(env.posts(), 1);
    onbehalf::signup::password::check(
        &platform.password,
        &Default::default(),
        account.password.expose(),
    )
    .unwrap();
    assert_eq!(
        account.password.expose().len(),
        16,
        "the longest length the policy allows"
    );

    // The same link again: already used, and still one account.
    let again = sign_up(&platform, &url).await;
    let failure = expect_failure(again, Reason::LinkExpired, &token);
    assert!(!failure.submitted);
    assert_eq!(env.sim.accounts().len(), 1);
}

#[tokio::test]
async fn profile_defaults_find_the_form_after_the_unrelated_ones() {
    let env = Env::start().await;
    // No signup_form, no password_fields: the first form with a password input, and
    // every password input filled.
    let platform = env.platform_with(ENGAGE_EXTRAS);
    assert!(platform.signup_form.is_none() && platform.password_fields.is_empty());
    let (url, _) = env.invite(Behaviour::Normal);
    let probed = signup::probe(&platform, &url, &SignupOptions::default())
        .await
        .unwrap();
    assert_eq!(probed.action, format!("{}/signup", env.sim.base_url()));
    assert_eq!(probed.method, "POST");
    assert_eq!(probed.login.as_deref(), Some("jane@partner.test"));
    assert!(probed.problems.is_empty(), "{:?}", probed.problems);
    let names: Vec<&str> = probed.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "authenticity_token",
            "first_name",
            "last_name",
            "email",
            "timezone",
            "password",
            "password_confirmation",
            "accept_terms",
            "accept_terms",
            "commit"
        ]
    );
    for (name, value) in &probed.fields {
        if name.starts_with("password") {
            assert_eq!(value, "[redacted]");
        }
    }
    assert_eq!(env.posts(), 0, "probing submits nothing");
    assert!(env.sim.accounts().is_empty());

    let named = env.platform_with(&format!(
        "signup_form = \"form#signup\"\npassword_fields = [\"password\", \"password_confirmation\"]\n{ENGAGE_EXTRAS}"
    ));
    assert!(sign_up(&named, &url).await.is_ok());
    assert_eq!(env.sim.accounts().len(), 1);
}

#[tokio::test]
async fn expired_and_unknown_links_are_link_expired_without_submitting() {
    let env = Env::start().await;
    let platform = env.platform();
    let (url, token) = env.invite(Behaviour::Expired);
    let failure = expect_failure(sign_up(&platform, &url).await, Reason::LinkExpired, &token);
    assert!(!failure.submitted && !failure.reason.retryable());
    let unknown = format!(
        "{}/invitations/accept?token=nosuchSECRET",
        env.sim.base_url()
    );
    expect_failure(
        sign_up(&platform, &unknown).await,
        Reason::LinkExpired,
        "nosuchSECRET",
    );
    assert_eq!(env.posts(), 0);
}

#[tokio::test]
async fn an_existing_account_is_already_registered() {
    let env = Env::start().await;
    let (url, token) = env.invite(Behaviour::AlreadyRegistered);
    let failure = expect_failure(
        sign_up(&env.platform(), &url).await,
        Reason::AlreadyRegistered,
        &token,
    );
    // Refused with the form shown again: this submission certainly created nothing.
    assert!(failure.submitted && failure.refused && !failure.outcome_unknown());
    assert_eq!(env.posts(), 1);
    assert!(env.sim.accounts().is_empty());
}

#[tokio::test]
async fn a_password_rule_only_the_server_knows_is_password_rejected_after_three_tries() {
    let env = Env::start().await;
    let (url, token) = env.invite(Behaviour::StricterPassword {
        max_length: 12,
        stated_in_html: false,
    });
    let mut guard = Recorder::new(&env.sim);
    let result =
        signup::sign_up(&env.platform(), &url, &SignupOptions::default(), &mut guard).await;
    let failure = expect_failure(result, Reason::PasswordRejected, &token);
    assert!(failure.submitted);
    assert_eq!(env.posts(), 3);
    let before: Vec<usize> = guard.calls.iter().map(|c| c.2).collect();
    assert_eq!(before, [0, 1, 2], "the guard runs before each submission");
    assert!(guard.calls[0].1 != guard.calls[1].1 && guard.calls[1].1 != guard.calls[2].1);
    assert!(env.sim.accounts().is_empty());
}

#[tokio::test]
async fn a_standing_sign_in_hint_is_not_read_as_already_registered() {
    let env = Env::start().await;
    let (url, token) = env.invite(Behaviour::StandingSignInHint { max_length: 12 });
    let failure = expect_failure(
        sign_up(&env.platform(), &url).await,
        Reason::PasswordRejected,
        &token,
    );
    assert!(failure.submitted);
    assert_eq!(env.posts(), 3, "a refused password is retried: {failure}");
    assert!(
        failure.detail.contains("password is too"),
        "the detail quotes the new error: {failure}"
    );
    assert!(env.sim.accounts().is_empty());
}

#[tokio::test]
async fn a_used_invite_that_leads_to_sign_in_is_link_expired_not_a_signup_form() {
    let env = Env::start().await;
    let (url, token) = env.invite(Behaviour::SignInOnceUsed);
    sign_up(&env.platform(), &url).await.unwrap();
    let failure = expect_failure(
        sign_up(&env.platform(), &url).await,
        Reason::LinkExpired,
        &token,
    );
    assert!(!failure.submitted);
    assert!(
        failure.detail.contains("/login"),
        "names the page: {failure}"
    );
    assert_eq!(env.posts(), 1, "the sign-in form was never submitted");
    assert_eq!(env.sim.accounts().len(), 1);
}

#[tokio::test]
async fn a_password_rule_stated_in_the_html_is_honoured() {
    let env = Env::start().await;
    let (url, _) = env.invite(Behaviour::StricterPassword {
        max_length: 12,
        stated_in_html: true,
    });
    let account = sign_up(&env.platform(), &url).await.unwrap();
    assert_eq!(account.password.expose().len(), 12);
    assert!(
        env.sim
            .password_works("jane@partner.test", account.password.expose())
    );
    assert_eq!(env.posts(), 1);
}

#[tokio::test]
async fn a_page_rule_the_policy_cannot_meet_means_no_password_is_ever_submitted() {
    let env = Env::start().await;
    let (url, token) = env.invite(Behaviour::StricterPassword {
        max_length: 6,
        stated_in_html: true,
    });
    let mut guard = Recorder::new(&env.sim);
    let result =
        signup::sign_up(&env.platform(), &url, &SignupOptions::default(), &mut guard).await;
    let failure = expect_failure(result, Reason::PasswordRejected, &token);
    assert!(!failure.submitted);
    assert!(
        failure.detail.contains("nothing was submitted"),
        "{failure}"
    );
    assert!(guard.calls.is_empty());
    assert_eq!(env.posts(), 0);
}

#[tokio::test]
async fn rate_limiting_carries_retry_after_and_a_retry_succeeds() {
    let env = Env::start().await;
    let platform = env.platform();
    let (url, token) = env.invite(Behaviour::RateLimitedOnce {
        retry_after_secs: 7,
    });
    let failure = expect_failure(sign_up(&platform, &url).await, Reason::RateLimited, &token);
    assert_eq!(failure.retry_after, Some(Duration::from_secs(7)));
    assert!(!failure.submitted && failure.reason.retryable());
    sign_up(&platform, &url).await.unwrap();
    assert_eq!(env.sim.accounts().len(), 1);
}

#[tokio::test]
async fn a_server_error_is_retryable_and_creates_nothing() {
    let env = Env::start().await;
    let platform = env.platform();
    let (url, token) = env.invite(Behaviour::ServerErrorOnce);
    let failure = expect_failure(sign_up(&platform, &url).await, Reason::ServerError, &token);
    assert!(failure.submitted && failure.reason.retryable());
    // A 5xx after the POST says nothing about the account: the daemon must not erase.
    assert!(failure.outcome_unknown());
    assert!(env.sim.accounts().is_empty());
    let account = sign_up(&platform, &url).await.unwrap();
    assert_eq!(env.sim.accounts().len(), 1);
    assert!(
        env.sim
            .password_works("jane@partner.test", account.password.expose())
    );
}

#[tokio::test]
async fn a_javascript_only_page_is_form_not_found() {
    let env = Env::start().await;
    let (url, token) = env.invite(Behaviour::JavaScriptOnly);
    let failure = expect_failure(
        sign_up(&env.platform(), &url).await,
        Reason::FormNotFound,
        &token,
    );
    assert!(failure.detail.contains("JavaScript"), "{failure}");
    assert_eq!(env.posts(), 0);
}

#[tokio::test]
async fn a_required_checkbox_the_profile_does_not_name_stops_before_submitting() {
    let env = Env::start().await;
    let platform = env.platform_with("success_selector = \"h1.welcome\"\n");
    let (url, token) = env.invite(Behaviour::Normal);
    let failure = expect_failure(
        sign_up(&platform, &url).await,
        Reason::UnexpectedPage,
        &token,
    );
    assert!(failure.detail.contains("tick_checkboxes"), "{failure}");
    assert!(!failure.submitted);
    assert_eq!(env.posts(), 0);
}
