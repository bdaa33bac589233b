//! The signup stage: complete a platform's invite signup in a fresh session.
//!
//! In: a [`Platform`](crate::config::Platform) profile and an invite URL. Out: the created [`Account`] (the
//! pre-filled email as login, the generated password, the landing URL) or a
//! [`SignupFailure`] whose [`Reason`] a support agent understands.
//!
//! This is what an agent does by hand in an incognito window: open the link, find the
//! pre-filled signup form, choose a password that meets the policy, submit, and check the
//! landing page. Each call builds its own HTTP client with an empty cookie store and drops
//! it at the end, so no cookie, page or form is shared between jobs or kept; only the
//! TLS session store is shared, so a handshake to the same platform can resume.
//!
//! - [`session`]: the client; only `https` URLs on `allowed_hosts`, every redirect hop
//!   checked, hosts resolving to private addresses refused ([`address`]), timeouts and
//!   capped bodies.
//! - [`form`]: find the signup form; `entries.rs` builds the data a browser would send
//!   and `encode.rs` the request body (urlencoded, multipart or text/plain).
//! - [`page`]: read a response: success, or why not.
//! - [`password`]: the generator.
//! - `flow.rs`: [`sign_up`] and [`probe`], which tie these together.
//! - [`browser`]: the same signup in headless Chromium (`engine = "browser"`/`"auto"`),
//!   reusing the form and page logic above on the rendered page.
//!
//! Choices worth knowing:
//! - A required checkbox (accepting terms, say) is ticked only when the profile names it in
//!   `tick_checkboxes`; otherwise nothing is submitted and the failure says to add it. A
//!   required text field that the platform did not pre-fill stops the stage
//!   (`required_field_empty`, naming the field by its label), unless it asks for a name
//!   ([`autofill`] reads what a field is for) and [`SignupOptions::invitee_name`] can
//!   fill it ([`names`]).
//! - The login is the one visible email input the platform pre-filled (or the profile's
//!   `login_field`), validated as an address; hidden inputs never count, since a page can
//!   carry the inviter's address there. A form without exactly one such address is not
//!   submitted, nor one pre-filled for another address than
//!   [`SignupOptions::expected_login`] (`login_mismatch`: an email taken from the link's
//!   query could make the account, and send the credentials, elsewhere).
//! - A refused redirect and a host resolving to a private address are both
//!   `blocked_redirect`: the stage refused to go somewhere.
//! - When [`SubmitGuard::before_submit`] refuses, the stage stops with `unexpected_page`
//!   and the guard's message; the caller knows its own guard failed.
//! - Proxies from the environment are ignored: through a proxy the private-address guard
//!   could not see where a connection really goes.

/// A built-in CSS selector, parsed once for the life of the process (pages are read by
/// the thousand; parsing the same literal for each was measurable).
macro_rules! css {
    ($text:literal) => {{
        static SELECTOR: std::sync::LazyLock<scraper::Selector> =
            std::sync::LazyLock::new(|| $crate::signup::form::selector($text));
        &*SELECTOR
    }};
}

pub mod address;
pub mod autofill;
pub mod browser;
mod encode;
mod entries;
mod flow;
pub mod form;
pub mod markers;
pub mod names;
pub mod page;
pub mod password;
pub mod session;
pub mod words;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;

use crate::reason::Reason;
use crate::secret::Secret;

pub use entries::address_problem as login_problem;
pub use flow::{MAY_BE_USED_UP, probe, sign_up};

/// The account the stage created.
#[derive(Debug, Clone)]
pub struct Account {
    /// The login: the email the platform pre-filled from the invite.
    pub login: String,
    /// The generated password.
    pub password: Secret,
    /// Where the browser landed after submitting (the platform's home page).
    pub landed_url: String,
}

/// A signup that did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot sign up ({reason}): {detail}")]
pub struct SignupFailure {
    /// Why, as one of the fixed reasons.
    pub reason: Reason,
    /// Plain words for a support agent; never the password or the invite's token.
    pub detail: String,
    /// How long the platform asked to wait (`Retry-After`), when it did.
    pub retry_after: Option<Duration>,
    /// Whether a signup form was submitted (so an account may exist).
    pub submitted: bool,
    /// Whether the platform refused the last submission and showed the signup form
    /// again, so that submission created no account. Only then is its outcome known.
    pub refused: bool,
    /// Whether the invite answered an app shell: a page with scripts and no form with a
    /// password field (`engine = "auto"` then goes on in the browser).
    pub app_shell: bool,
    /// What the browser showed when the browser engine gave up, for the ticket.
    pub evidence: Option<Evidence>,
}

/// What the page looked like when the browser engine gave up: a PNG screenshot and the
/// page's visible text, password fields masked.
#[derive(Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The screenshot (PNG).
    pub screenshot_png: Vec<u8>,
    /// `document.body.innerText`, the password (if the page echoed it) redacted.
    pub visible_text: String,
}

impl std::fmt::Debug for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evidence")
            .field("screenshot_bytes", &self.screenshot_png.len())
            .field("text_chars", &self.visible_text.chars().count())
            .finish()
    }
}

impl SignupFailure {
    /// A failure before anything was submitted.
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
            retry_after: None,
            submitted: false,
            refused: false,
            app_shell: false,
            evidence: None,
        }
    }

    /// The same failure, marked as having submitted the form or not.
    pub fn submitted(mut self, submitted: bool) -> Self {
        self.submitted = submitted;
        self
    }

    /// The same failure, marked as coming after a submission the platform refused with
    /// the form shown again (or not).
    pub fn refused(mut self, refused: bool) -> Self {
        self.refused = refused;
        self
    }

    /// Whether an account may exist because of this signup: a form was submitted and
    /// the platform did not plainly refuse it.
    pub fn outcome_unknown(&self) -> bool {
        self.submitted && !self.refused
    }
}

/// Called with the login and the password right before each submission; the daemon seals
/// the password in its journal here. Returning `Err` aborts without submitting.
pub trait SubmitGuard {
    /// Runs before the form is sent; the `Err` text ends up in the failure's detail.
    fn before_submit(
        &mut self,
        login: &str,
        password: &Secret,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// A guard that lets every submission through.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGuard;

impl SubmitGuard for NoGuard {
    async fn before_submit(&mut self, _login: &str, _password: &Secret) -> Result<(), String> {
        Ok(())
    }
}

/// How a run may deviate from plain DNS, and whom the account must be for.
#[derive(Debug, Clone, Default)]
pub struct SignupOptions {
    /// The address the account must be created for (the invitee of the forwarded
    /// original, or an operator's correction). A form pre-filled with another address is
    /// not submitted (`login_mismatch`); `None` takes the form's login as it is.
    pub expected_login: Option<String>,
    /// The invitee's display name in the forwarded original (`"Doe, Jane"`): it fills
    /// the signup form's required name fields the platform left empty
    /// ([`FormSpec::fill_names`](form::FormSpec::fill_names)); `None` leaves them to a
    /// person (`required_field_empty`).
    pub invitee_name: Option<String>,
    /// Connect to this address for that host name (lower-case) instead of resolving it:
    /// the operator's explicit choice (the demo points the platform's name at the local
    /// simulator), so these addresses pass the private-address guard.
    pub address_overrides: HashMap<String, SocketAddr>,
    /// Stop right before submitting: [`sign_up`] then fails with `unexpected_page` and a
    /// detail saying so, having sent nothing (`onbehalf signup --dry-run` uses [`probe`]).
    pub dry_run: bool,
}

/// The signup form found behind an invite, without submitting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbedForm {
    /// The pre-filled email, when there is one.
    pub login: Option<String>,
    /// What would be sent, in order; password values read `[redacted]`.
    pub fields: Vec<(String, String)>,
    /// Where it would be sent (absolute URL).
    pub action: String,
    /// `GET` or `POST`.
    pub method: String,
    /// Why the stage would not submit this form (empty when it would).
    pub problems: Vec<String>,
}

#[cfg(test)]
mod tests;
