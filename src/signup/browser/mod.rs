//! The browser engine: the signup in headless Chromium, for pages built by JavaScript.
//!
//! In: the platform profile, the invite URL, the options and the caller's
//! [`SubmitGuard`], as for the HTTP engine ([`crate::signup::sign_up`]). Out: the same
//! [`Account`] or [`SignupFailure`], with the same reasons.
//!
//! - `process.rs`: one Chromium process for the daemon, started on first need and
//!   restarted when it died, after `jobs_per_process` jobs or above `memory_limit` (the
//!   PSS of all its processes); closed (and reaped) by [`BrowserEngine::shutdown`].
//! - `fence.rs`: every request of the page is checked against `allowed_hosts` and the
//!   private-address guard and sent by the HTTP engine's own fenced client; the browser
//!   itself resolves no host name.
//! - `fill.rs`: wait for the form and its pre-filled login, analyse it with the HTTP
//!   engine's form logic, type the password with real key events, tick the profile's
//!   checkboxes, click submit, and read the outcome.
//!
//! Each job gets a fresh incognito browser context (no cookies, cache or storage shared
//! with another job), disposed of when the job ends. At most `browser_concurrency`
//! signups run in the browser at once, each within `signup_deadline`.

mod evidence;
mod fence;
mod fill;
pub mod process;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use tokio::sync::{Mutex, Semaphore};

use super::address::system_lookup;
use super::{Account, Reason, SignupFailure, SignupOptions, SubmitGuard};
pub use crate::config::BrowserSettings;
use crate::config::{Engine, Platform};
use process::Running;

/// The browser could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// No temporary profile directory.
    #[error("cannot create a temporary profile directory for the browser")]
    Profile {
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Chromium did not start.
    #[error("cannot start the browser {}: {problem}", executable.display())]
    Launch {
        /// The executable tried.
        executable: PathBuf,
        /// Chromium's or the driver's words.
        problem: String,
    },
}

/// The daemon's browser: one process, shared; one incognito context per job.
pub struct BrowserEngine {
    settings: BrowserSettings,
    /// The running process, `None` until the first job (and after shutdown).
    running: Mutex<Option<Running>>,
    /// Bounds the signups in the browser at once (`browser_concurrency`).
    slots: Semaphore,
    /// Signups using the browser right now.
    active: AtomicUsize,
    /// Processes started so far (tests and `status` tell whether it ever started).
    launches: AtomicU64,
}

impl BrowserEngine {
    /// An engine that starts nothing until its first signup.
    pub fn new(settings: BrowserSettings, concurrency: usize) -> Self {
        Self {
            settings,
            running: Mutex::new(None),
            slots: Semaphore::new(concurrency.max(1)),
            launches: AtomicU64::new(0),
            active: AtomicUsize::new(0),
        }
    }

    /// How many browser processes were started so far.
    pub fn launches(&self) -> u64 {
        self.launches.load(Ordering::SeqCst)
    }

    /// The running browser's profile directory, when one runs (tests find its
    /// processes by it).
    pub async fn profile_dir(&self) -> Option<PathBuf> {
        let running = self.running.lock().await;
        running.as_ref().map(|r| r.profile().to_owned())
    }

    /// The running browser's memory (PSS, bytes), 0 when none runs.
    pub async fn memory(&self) -> u64 {
        let running = self.running.lock().await;
        running.as_ref().map_or(0, Running::memory)
    }

    /// Starts the browser and closes it again: `check-config` asks whether it starts.
    pub async fn check(settings: &BrowserSettings) -> Result<String, BrowserError> {
        let running = Running::launch(settings).await?;
        let version = running
            .browser
            .version()
            .await
            .map(|v| v.product)
            .unwrap_or_else(|_| "a browser".to_owned());
        running.close().await;
        Ok(version)
    }

    /// Signs the invitee up in a fresh incognito context. See [`self`].
    pub async fn sign_up(
        &self,
        platform: &Platform,
        invite_url: &str,
        options: &SignupOptions,
        guard: &mut impl SubmitGuard,
    ) -> Result<Account, SignupFailure> {
        let Ok(_slot) = self.slots.acquire().await else {
            return Err(stopped());
        };
        self.active.fetch_add(1, Ordering::SeqCst);
        let _active = Active(&self.active);
        let (page, context) = self.open_context().await?;
        let clicked = AtomicBool::new(false);
        let typed = std::sync::Mutex::new(None);
        let job = fill::Job {
            page: &page,
            lookup: system_lookup(),
            clicked: &clicked,
            form_wait: self.settings.form_wait,
            typed: &typed,
        };
        let signing = fill::run(platform, invite_url, options, guard, job);
        let allowed = self.settings.signup_deadline;
        let result = match tokio::time::timeout(allowed, signing).await {
            Ok(result) => result,
            Err(_) => Err(fill::past_deadline(allowed, clicked.load(Ordering::SeqCst))),
        };
        let result = match result {
            Err(mut failure) => {
                let password = typed.lock().ok().and_then(|p| p.clone());
                failure.evidence = evidence::capture(&page, password.as_ref()).await;
                Err(failure)
            }
            ok => ok,
        };
        self.close_context(page, context).await;
        result
    }

    /// A new incognito context with one blank page, on a browser that is started (or
    /// replaced) as needed.
    async fn open_context(&self) -> Result<(Page, BrowserContextId), SignupFailure> {
        let mut running = self.running.lock().await;
        self.replace_if_needed(&mut running).await;
        if running.is_none() {
            let started = Running::launch(&self.settings)
                .await
                .map_err(|e| SignupFailure::new(Reason::Network, crate::report::chain(&e)))?;
            self.launches.fetch_add(1, Ordering::SeqCst);
            *running = Some(started);
        }
        let Some(browser) = running.as_mut() else {
            return Err(stopped());
        };
        browser.jobs += 1;
        let context = browser
            .browser
            .create_browser_context(CreateBrowserContextParams::default())
            .await
            .map_err(crashed)?;
        let target = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(context.clone())
            .build()
            .map_err(|e| SignupFailure::new(Reason::Network, e))?;
        let page = browser.browser.new_page(target).await.map_err(crashed)?;
        Ok((page, context))
    }

    /// Drops a dead browser, and replaces one that served its jobs or uses too much
    /// memory when no other job is using it (a restart never cuts a job short).
    async fn replace_if_needed(&self, running: &mut Option<Running>) {
        let Some(current) = running.as_mut() else {
            return;
        };
        // Other jobs than the caller's are using the browser.
        let busy = self.active.load(Ordering::SeqCst) > 1;
        let why = if !current.alive() {
            Some("it stopped")
        } else if busy {
            None
        } else if current.jobs >= self.settings.jobs_per_process {
            Some("it served jobs_per_process jobs")
        } else if current.memory() > self.settings.memory_limit {
            Some("it uses more memory than memory_limit")
        } else {
            None
        };
        if let Some(why) = why {
            tracing::info!(why, "browser: replacing the browser process");
            if let Some(old) = running.take() {
                old.close().await;
            }
        }
    }

    async fn close_context(&self, page: Page, context: BrowserContextId) {
        let _ = page.close().await;
        let running = self.running.lock().await;
        if let Some(browser) = running.as_ref() {
            let _ = browser.browser.dispose_browser_context(context).await;
        }
    }

    /// Closes every context and the browser, and reaps its processes. Signups still
    /// running fail as a crash would (their journal rules apply).
    pub async fn shutdown(&self) {
        self.slots.close();
        let mut running = self.running.lock().await;
        if let Some(browser) = running.take() {
            browser.close().await;
        }
    }
}

/// Signs up with the platform's engine and says which ran, for the journal. `auto` opens
/// the invite over HTTP and goes on in the browser only when it answered an app shell
/// (nothing was submitted then), so a server-rendered platform never starts the browser.
pub async fn sign_up_with_engine(
    browser: &BrowserEngine,
    platform: &Platform,
    invite_url: &str,
    options: &SignupOptions,
    guard: &mut impl SubmitGuard,
) -> (Result<Account, SignupFailure>, &'static str) {
    match platform.engine {
        Engine::Http => (
            super::sign_up(platform, invite_url, options, guard).await,
            "engine: http",
        ),
        Engine::Browser => (
            browser.sign_up(platform, invite_url, options, guard).await,
            "engine: browser",
        ),
        Engine::Auto => match super::sign_up(platform, invite_url, options, guard).await {
            Err(failure) if failure.app_shell && !failure.submitted => {
                tracing::info!("signup: the invite answered an app shell, going on in the browser");
                (
                    browser.sign_up(platform, invite_url, options, guard).await,
                    "engine: auto, the browser after an app shell over http",
                )
            }
            result => (result, "engine: auto, http"),
        },
    }
}

/// Counts a signup as using the browser until dropped.
struct Active<'a>(&'a AtomicUsize);

impl Drop for Active<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A DevTools failure: the browser (or its page) went away.
pub(super) fn crashed(e: chromiumoxide::error::CdpError) -> SignupFailure {
    SignupFailure::new(
        Reason::Network,
        format!("cannot drive the browser: {e} (the browser may have stopped)"),
    )
}

fn stopped() -> SignupFailure {
    SignupFailure::new(Reason::Network, "the browser is shutting down")
}
