//! One signup in a browser page: open, wait for the form, fill it as a person does,
//! submit, read the outcome.
//!
//! In: a blank page in a fresh context, the profile, the invite URL, the options and the
//! [`SubmitGuard`]. Out: the [`Account`] or a [`SignupFailure`] with the HTTP engine's
//! reasons.
//!
//! The page is read through a snapshot: a copy of the rendered document in which every
//! control's current value (the *property* a script set, readonly or disabled fields
//! included), checkedness and rendering (an input not rendered counts as hidden) are
//! written into attributes, password values emptied. The HTTP engine's own form and page
//! logic reads that copy, so both engines find the same login, the same password fields,
//! the same blockers and the same failure markers. Acting happens in the live page: a
//! click on each field, the password typed key by key (a framework's controlled input
//! ignores a value set from script), the profile's checkboxes clicked, the form's submit
//! control clicked. After a click, the outcome is read once the page has had an answer
//! and stopped changing: success by `success_url` (an in-app navigation counts) or
//! `success_selector`, failure by what the page newly says.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chromiumoxide::Page;
use scraper::{ElementRef, Html};
use serde::Deserialize;
use tokio::time::Instant;
use url::Url;

use super::crashed;
use super::fence::{self, Seen};
use crate::config::Platform;
use crate::secret::Secret;
use crate::signup::address::Lookup;
use crate::signup::flow::{
    SUBMISSIONS, check_login, fresh_password, plainly_refused, read_page, ready_login,
    with_attempts,
};
use crate::signup::form::{FormSpec, is_disabled, is_submit_button};
use crate::signup::page::{self, Fetched, PageView, Stage};
use crate::signup::session::shown;
use crate::signup::{Account, Reason, SignupFailure, SignupOptions, SubmitGuard};

/// How often the page is looked at while waiting for it.
const POLL: Duration = Duration::from_millis(100);

/// Copies the rendered document with values, checkedness and rendering as attributes.
/// Every control gets `data-onbehalf-index` (its place among the document's controls,
/// to act on it in the live page) and a name when it has none.
const SNAPSHOT: &str = r#"(() => {
  const sel = 'input, select, textarea, button';
  const live = Array.from(document.querySelectorAll(sel));
  const copy = document.documentElement.cloneNode(true);
  const copies = Array.from(copy.querySelectorAll(sel));
  live.forEach((el, i) => {
    const c = copies[i];
    if (!c) return;
    c.setAttribute('data-onbehalf-index', String(i));
    if (!c.getAttribute('name')) c.setAttribute('name', 'onbehalf-' + i);
    const shown = el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    if (!shown && el.type !== 'hidden') c.setAttribute('hidden', '');
    if (el.tagName === 'BUTTON') return;
    if (el.disabled) { c.removeAttribute('disabled'); c.setAttribute('readonly', ''); }
    if (el.tagName === 'TEXTAREA') { c.textContent = el.value; return; }
    if (el.tagName === 'SELECT') {
      Array.from(el.options).forEach((o, j) => {
        const co = c.options[j];
        if (co && o.selected) co.setAttribute('selected', '');
        else if (co) co.removeAttribute('selected');
      });
      return;
    }
    if (el.type === 'checkbox' || el.type === 'radio') {
      if (el.checked) c.setAttribute('checked', ''); else c.removeAttribute('checked');
      return;
    }
    c.setAttribute('value', el.type === 'password' ? '' : el.value);
  });
  copy.querySelectorAll('script').forEach((s) => s.remove());
  return { url: location.href, html: copy.outerHTML };
})()"#;

/// Empties a (controlled) input the way an edit does: the value through the element's
/// own setter, then an `input` event the page's script hears.
const CLEAR: &str = "function() { \
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set; \
  set.call(this, ''); this.dispatchEvent(new Event('input', { bubbles: true })); }";

#[derive(Deserialize)]
struct Snapshot {
    url: String,
    html: String,
}

/// The page as the HTTP engine's logic reads it, and the copy it was read from.
struct Look {
    view: PageView,
    html: String,
}

/// What the engine gives one job besides the profile and the invite.
pub(super) struct Job<'a> {
    /// A blank page in the job's own context.
    pub page: &'a Page,
    /// Name resolution for the fence's client.
    pub lookup: Lookup,
    /// Set right before the first click on submit, for the caller's deadline.
    pub clicked: &'a AtomicBool,
    /// Time allowed for the form and its login to appear.
    pub form_wait: Duration,
    /// The last password typed, for masking the failure evidence.
    pub typed: &'a std::sync::Mutex<Option<Secret>>,
}

/// The whole signup in `job.page`.
pub(super) async fn run(
    platform: &Platform,
    invite_url: &str,
    options: &SignupOptions,
    guard: &mut impl SubmitGuard,
    job: Job<'_>,
) -> Result<Account, SignupFailure> {
    let page = job.page;
    page::check_success_configured(platform)?;
    let url = Url::parse(invite_url.trim()).map_err(|e| {
        SignupFailure::new(
            Reason::UnexpectedPage,
            format!("cannot parse the invite link as a URL: {e}"),
        )
    })?;
    let rule = crate::signup::address::AddressRule::for_platform(platform);
    crate::signup::session::check_url(platform, &rule, &url)
        .map_err(|r| SignupFailure::new(Reason::BlockedRedirect, r.to_string()))?;
    let fence = fence::install(page, platform, options, job.lookup).await?;
    tracing::info!(url = %shown(platform, &url), "browser: opening");
    page.goto(url.as_str()).await.map_err(crashed)?;
    let first = wait_for_form(page, platform, &fence.seen, job.form_wait).await?;
    let standing = first.view.standing.clone();
    let mut look = first;
    let mut submitted = false;
    let mut refused = false;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mark = |f: SignupFailure| f.submitted(submitted).refused(refused);
        let form = ready_form(&look.view)?;
        let login = ready_login(platform, &form).map_err(mark)?;
        check_login(&login, options).map_err(mark)?;
        if options.dry_run {
            return Err(SignupFailure::new(
                Reason::UnexpectedPage,
                "dry run: stopped before submitting",
            ));
        }
        let password = fresh_password(platform, &form).await.map_err(mark)?;
        for held in [&fence.seen.password, job.typed] {
            if let Ok(mut held) = held.lock() {
                *held = Some(password.clone());
            }
        }
        fill(page, platform, &look.html, &form, &password)
            .await
            .map_err(mark)?;
        guard.before_submit(&login, &password).await.map_err(|e| {
            mark(SignupFailure::new(
                Reason::UnexpectedPage,
                format!("stopped before submitting: {e}"),
            ))
        })?;
        let answered = fence.seen.answered.load(Ordering::SeqCst);
        submitted = true;
        job.clicked.store(true, Ordering::SeqCst);
        click_submit(page, &look.html, &form)
            .await
            .map_err(|f| f.submitted(true))?;
        tracing::info!(attempt, "browser: submitted the signup form");
        let mut after = wait_for_outcome(page, platform, &fence.seen, answered)
            .await
            .map_err(|f| f.submitted(true))?;
        if page::is_success(platform, &after.view).map_err(|f| f.submitted(true))? {
            tracing::info!(landed = %after.view.shown_url, "browser: account created");
            return Ok(Account {
                login,
                password,
                landed_url: after.view.shown_url.clone(),
            });
        }
        after.view.marker = page::new_marker(platform, &standing, &after.view);
        let failure = page::failure(&after.view, Stage::Submit).submitted(true);
        refused = plainly_refused(&after.view, &failure);
        let failure = failure.refused(refused);
        if !refused || failure.reason != Reason::PasswordRejected || attempt >= SUBMISSIONS {
            return Err(with_attempts(failure, attempt));
        }
        tracing::info!(attempt, "browser: password refused, trying a fresh one");
        look = after;
    }
}

/// The form of a look, or why there is none (after a submission: the form is gone).
fn ready_form(view: &PageView) -> Result<FormSpec, SignupFailure> {
    view.form.clone().map_err(|why| {
        SignupFailure::new(
            Reason::FormNotFound,
            format!("{why} ({})", page::describe(view)),
        )
    })
}

/// Reads the page as it is now.
async fn look(page: &Page, platform: &Platform, seen: &Seen) -> Result<Look, SignupFailure> {
    let snapshot: Snapshot = page
        .evaluate(SNAPSHOT)
        .await
        .map_err(crashed)?
        .into_value()
        .map_err(|e| {
            SignupFailure::new(Reason::UnexpectedPage, format!("cannot read the page: {e}"))
        })?;
    let url = Url::parse(&snapshot.url).map_err(|e| {
        SignupFailure::new(
            Reason::UnexpectedPage,
            format!("the page has no usable URL: {e}"),
        )
    })?;
    let status = seen
        .document_status
        .lock()
        .ok()
        .and_then(|s| *s)
        .unwrap_or(200);
    let fetched = Fetched {
        status,
        url,
        retry_after: None,
        body: snapshot.html,
    };
    let html = fetched.body.clone();
    let mut view = read_page(platform, fetched).await?;
    // The page's scripts ran: "this program does not run JavaScript" would be wrong.
    view.uses_javascript = false;
    Ok(Look { view, html })
}

/// Waits until the signup form is there with its login filled in (it often arrives by
/// XHR after the form renders), or the page says why it will not be.
async fn wait_for_form(
    page: &Page,
    platform: &Platform,
    seen: &Seen,
    form_wait: Duration,
) -> Result<Look, SignupFailure> {
    let deadline = Instant::now() + form_wait;
    loop {
        let look = look(page, platform, seen).await?;
        let view = &look.view;
        let ready = view
            .form
            .as_ref()
            .is_ok_and(|f| f.login.is_some() && f.blockers.is_empty());
        if ready && (200..300).contains(&view.status) {
            tracing::info!(page = %view.shown_url, "browser: found the signup form");
            return Ok(look);
        }
        let gone =
            !(200..300).contains(&view.status) || (view.marker.is_some() && view.form.is_err());
        if gone {
            return Err(page::failure(view, Stage::Invite));
        }
        if Instant::now() >= deadline {
            return Err(match &view.form {
                Ok(form) => ready_login(platform, form)
                    .err()
                    .unwrap_or_else(|| page::failure(view, Stage::Invite)),
                Err(_) => page::failure(view, Stage::Invite),
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// After the click: waits for an answer to reach the page, then for the page to stop
/// changing (or to show success), and reads it.
async fn wait_for_outcome(
    page: &Page,
    platform: &Platform,
    seen: &Arc<Seen>,
    answered_before: u64,
) -> Result<Look, SignupFailure> {
    let deadline = Instant::now() + platform.request_timeout * 2;
    let mut previous: Option<String> = None;
    loop {
        let look = look(page, platform, seen).await?;
        let answered = seen.answered.load(Ordering::SeqCst) > answered_before;
        if answered && page::is_success(platform, &look.view).unwrap_or(false) {
            return Ok(look);
        }
        let settled = previous.as_deref() == Some(look.html.as_str());
        if answered && settled {
            return Ok(look);
        }
        if Instant::now() >= deadline {
            return Err(SignupFailure::new(
                Reason::Network,
                format!(
                    "no outcome within {}s of submitting ({})",
                    (platform.request_timeout * 2).as_secs(),
                    page::describe(&look.view)
                ),
            ));
        }
        previous = Some(look.html);
        tokio::time::sleep(POLL).await;
    }
}

/// Types the password into each password field and ticks the profile's checkboxes.
async fn fill(
    page: &Page,
    platform: &Platform,
    html: &str,
    form: &FormSpec,
    password: &Secret,
) -> Result<(), SignupFailure> {
    let (passwords, checkboxes) = targets(html, form, platform);
    let controls = page
        .find_elements("input, select, textarea, button")
        .await
        .map_err(crashed)?;
    let control = |i: usize| {
        controls.get(i).ok_or_else(|| {
            SignupFailure::new(
                Reason::UnexpectedPage,
                "the form changed while it was being filled",
            )
        })
    };
    // Never the driver's own message: it could quote a character of the password.
    let typing = |_| SignupFailure::new(Reason::Network, "cannot type the password into the page");
    for index in passwords {
        let field = control(index)?;
        field.click().await.map_err(crashed)?;
        field.call_js_fn(CLEAR, false).await.map_err(crashed)?;
        field.type_str(password.expose()).await.map_err(typing)?;
    }
    for index in checkboxes {
        control(index)?.click().await.map_err(crashed)?;
    }
    Ok(())
}

/// Clicks the form's submit control: the first enabled one, else the first.
async fn click_submit(page: &Page, html: &str, form: &FormSpec) -> Result<(), SignupFailure> {
    let index = submit_index(html, form).ok_or_else(|| {
        SignupFailure::new(
            Reason::FormNotFound,
            "the signup form has no submit button to click",
        )
    })?;
    let controls = page
        .find_elements("input, select, textarea, button")
        .await
        .map_err(crashed)?;
    let button = controls.get(index).ok_or_else(|| {
        SignupFailure::new(
            Reason::UnexpectedPage,
            "the form changed before it was sent",
        )
    })?;
    button.click().await.map_err(crashed)?;
    Ok(())
}

/// The snapshot's controls, each marked with its index.
fn indexed() -> &'static scraper::Selector {
    css!("[data-onbehalf-index]")
}

fn index_of(el: &ElementRef) -> Option<usize> {
    el.value().attr("data-onbehalf-index")?.parse().ok()
}

/// The snapshot's controls of the form that has the password fields: password inputs
/// to type into, and the profile's checkboxes that are not ticked yet.
fn targets(html: &str, form: &FormSpec, platform: &Platform) -> (Vec<usize>, Vec<usize>) {
    let doc = Html::parse_document(html);
    let names = password_names(form);
    let mut passwords = Vec::new();
    let mut checkboxes = Vec::new();
    for el in doc.select(indexed()) {
        let name = el.value().attr("name").unwrap_or_default();
        let Some(index) = index_of(&el) else { continue };
        let kind = el
            .value()
            .attr("type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if el.value().name() == "input" && names.contains(&name) {
            passwords.push(index);
        } else if kind == "checkbox"
            && platform.tick_checkboxes.iter().any(|t| t == name)
            && el.value().attr("checked").is_none()
        {
            checkboxes.push(index);
        }
    }
    (passwords, checkboxes)
}

fn password_names(form: &FormSpec) -> Vec<&str> {
    form.entries
        .iter()
        .filter_map(|e| match e {
            crate::signup::form::Entry::Password { name } => Some(name.as_str()),
            crate::signup::form::Entry::Value { .. } => None,
        })
        .collect()
}

/// The submit control of the form holding the first password field.
fn submit_index(html: &str, form: &FormSpec) -> Option<usize> {
    let doc = Html::parse_document(html);
    let names = password_names(form);
    let first = doc
        .select(indexed())
        .find(|el| names.contains(&el.value().attr("name").unwrap_or_default()))?;
    let owner = first
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == "form")?;
    let buttons: Vec<ElementRef> = owner.select(indexed()).filter(is_submit_button).collect();
    buttons
        .iter()
        .find(|b| !is_disabled(b))
        .or_else(|| buttons.first())
        .and_then(index_of)
}

/// The failure when the browser signup ran out of time; `clicked`: whether the form was
/// submitted by then (its outcome is then unknown).
pub(super) fn past_deadline(allowed: Duration, clicked: bool) -> SignupFailure {
    SignupFailure::new(
        Reason::Network,
        format!(
            "the signup in the browser did not finish within signup_deadline ({}s)",
            allowed.as_secs()
        ),
    )
    .submitted(clicked)
}
