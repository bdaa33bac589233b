//! Reading a response page: did the signup succeed, and if not, why.
//!
//! In: a fetched page (status, final URL, `Retry-After`, body) and the platform profile.
//! Out: a [`PageView`] holding everything the stage decides on (owned values: the parsed
//! HTML never crosses an `.await`), and from it [`is_success`] or a [`SignupFailure`].

use std::time::{Duration, SystemTime};

use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

use super::form::{self, FormSpec, collapse, truncate};
use super::markers::normalize;
use super::{Reason, SignupFailure};
use crate::config::Platform;

/// A response as the session delivers it.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The HTTP status.
    pub status: u16,
    /// The URL after redirects.
    pub url: Url,
    /// The `Retry-After` header, when present.
    pub retry_after: Option<String>,
    /// The body, as text.
    pub body: String,
}

/// What the stage needs to know about one page.
#[derive(Debug, Clone)]
pub struct PageView {
    /// The HTTP status.
    pub status: u16,
    /// The URL after redirects.
    pub url: Url,
    /// The same, as it may be shown ([`Platform::shown_url`]).
    pub shown_url: String,
    /// How long the server asked to wait.
    pub retry_after: Option<Duration>,
    /// The page title, collapsed and shortened.
    pub title: Option<String>,
    /// A failure marker found on the page: the reason and what matched.
    pub marker: Option<(Reason, String)>,
    /// Whether the profile's `success_selector` is on the page (`None`: not configured).
    pub success_selector: Option<bool>,
    /// Whether the page has `<script>` or `<noscript>`.
    pub uses_javascript: bool,
    /// Text of alert-like elements, for people reading a failure.
    pub alert: Option<String>,
    /// The signup form, or why there is none.
    pub form: Result<FormSpec, String>,
    /// What the page says, for telling new messages from standing text ([`Standing`]).
    pub standing: Standing,
    /// What a password input marked invalid says (`aria-invalid`, `.is-invalid`), its
    /// `aria-describedby` text when it has one; `None` when no password input is marked.
    pub password_error: Option<String>,
}

/// What a page shows before anything is submitted: its texts and the profile's failure
/// markers it already carries. A signup page may always say "Already have an account?
/// Sign in"; only what a submission adds tells why it failed.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    /// Each visible text node, normalized, in document order.
    texts: Vec<String>,
    /// Every profile selector marker the page matches.
    selector_markers: Vec<(Reason, String)>,
}

/// Reads a fetched page against the profile.
pub fn read(platform: &Platform, fetched: &Fetched) -> PageView {
    let doc = Html::parse_document(&fetched.body);
    let title = doc
        .select(css!("title"))
        .next()
        .map(|t| truncate(&collapse(&t.text().collect::<String>()), 100))
        .filter(|t| !t.is_empty());
    let alert = doc
        .select(css!(
            "[role=alert], .alert, .error, .errors, .errorlist, .invalid-feedback, .flash, .notice"
        ))
        .next()
        .map(|a| truncate(&collapse(&visible_text(a)), 200))
        .filter(|t| !t.is_empty());
    let standing = Standing {
        texts: visible_texts(doc.root_element())
            .into_iter()
            .map(normalize)
            .filter(|t| !t.is_empty())
            .collect(),
        selector_markers: selector_markers(&doc, platform),
    };
    PageView {
        status: fetched.status,
        url: fetched.url.clone(),
        shown_url: platform.shown_url(&fetched.url),
        retry_after: fetched
            .retry_after
            .as_deref()
            .and_then(|v| parse_retry_after(v, SystemTime::now())),
        title,
        marker: find_marker(platform, &standing),
        standing,
        password_error: password_error(&doc),
        success_selector: platform
            .success_selector
            .as_ref()
            .map(|css| doc.select(css.selector()).next().is_some()),
        uses_javascript: doc.select(css!("script, noscript")).next().is_some(),
        alert,
        form: form::find(&doc, &fetched.url, platform),
    }
}

/// `Retry-After` as seconds or an HTTP date (a date in the past means "now").
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The profile's selectors first (they are precise), then its texts, each in the order
/// expired link, already registered, password rejected: a signup form often carries a
/// standing hint such as "password must…", so that one is the weakest evidence.
fn find_marker(platform: &Platform, page: &Standing) -> Option<(Reason, String)> {
    page.selector_markers
        .first()
        .cloned()
        .or_else(|| text_marker(platform, &page.texts.join(" ")))
}

/// Every profile selector the page matches, in the order of [`find_marker`].
fn selector_markers(doc: &Html, platform: &Platform) -> Vec<(Reason, String)> {
    platform
        .failures
        .selectors()
        .filter(|(_, css)| doc.select(css.selector()).next().is_some())
        .map(|(reason, css)| (reason, format!("the page has {css}")))
        .collect()
}

/// The first profile text `text` (normalized) contains, in the order of [`find_marker`].
fn text_marker(platform: &Platform, text: &str) -> Option<(Reason, String)> {
    let (reason, said) = platform.failures.texts().first_in(text)?;
    Some((reason, format!("the page says {said:?}")))
}

/// The failure marker of a page answering a submission, judged only on what the page
/// did not already show in `before`: text nodes that are new, selectors that did not
/// match before. Failing that, a password input the platform marked invalid.
pub fn new_marker(
    platform: &Platform,
    before: &Standing,
    after: &PageView,
) -> Option<(Reason, String)> {
    let selector = after
        .standing
        .selector_markers
        .iter()
        .find(|m| !before.selector_markers.contains(m))
        .cloned();
    let new_text: Vec<&str> = after
        .standing
        .texts
        .iter()
        .filter(|t| !before.texts.contains(t))
        .map(String::as_str)
        .collect();
    selector
        .or_else(|| text_marker(platform, &new_text.join(" ")))
        .or_else(|| {
            after.password_error.as_ref().map(|said| {
                let said = if said.is_empty() {
                    String::new()
                } else {
                    format!(", saying {said:?}")
                };
                (
                    Reason::PasswordRejected,
                    format!("the page marks the password field invalid{said}"),
                )
            })
        })
}

/// What a password input marked invalid says, as browsers' accessibility tree reads it.
fn password_error(doc: &Html) -> Option<String> {
    let input = doc
        .select(css!(
            "input[type=password][aria-invalid=true], input[type=password].is-invalid"
        ))
        .next()?;
    let said: Vec<String> = input
        .attr("aria-describedby")
        .unwrap_or_default()
        .split_ascii_whitespace()
        .filter_map(|id| {
            let by_id =
                Selector::parse(&format!("[id=\"{}\"]", id.replace(['"', '\\'], ""))).ok()?;
            doc.select(&by_id).next()
        })
        .map(|el| collapse(&visible_text(el)))
        .filter(|t| !t.is_empty())
        .collect();
    Some(truncate(&said.join(" "), 200))
}

/// The text a person sees: no scripts, styles, templates, `<head>`, nor elements hidden
/// with `hidden` or an inline `display:none`.
pub fn visible_text(root: ElementRef) -> String {
    let mut out = String::new();
    for text in visible_texts(root) {
        out.push_str(text);
        out.push(' ');
    }
    out
}

/// The visible text nodes under `root`, in document order (see [`visible_text`]).
fn visible_texts(root: ElementRef<'_>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![*root];
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(text) => out.push(&**text),
            Node::Element(el) => {
                let hidden_style = el.attr("style").is_some_and(|s| {
                    s.to_ascii_lowercase()
                        .replace(' ', "")
                        .contains("display:none")
                });
                let skip = matches!(el.name(), "script" | "style" | "template" | "head")
                    || el.attr("hidden").is_some()
                    || hidden_style;
                if !skip {
                    stack.extend(node.children().rev());
                }
            }
            _ => stack.extend(node.children().rev()),
        }
    }
    out
}

/// Whether the page shows every success criterion the profile configures. `Err` when
/// the profile configures none: success is never assumed from a 200.
pub fn is_success(platform: &Platform, view: &PageView) -> Result<bool, SignupFailure> {
    check_success_configured(platform)?;
    let url_ok = platform
        .success_url
        .as_ref()
        .is_none_or(|p| p.matches(view.url.as_str()));
    Ok((200..300).contains(&view.status) && url_ok && view.success_selector != Some(false))
}

/// Refuses to start when success could not be recognised.
pub fn check_success_configured(platform: &Platform) -> Result<(), SignupFailure> {
    if platform.success_url.is_none() && platform.success_selector.is_none() {
        return Err(SignupFailure::new(
            Reason::UnexpectedPage,
            format!(
                "the profile of {} has neither success_url nor success_selector, so a \
                 successful signup could not be told apart from a failed one; add one of \
                 them to its [[platform]] table (nothing was submitted)",
                platform.name
            ),
        ));
    }
    Ok(())
}

/// Which request the page answers, as that changes what a status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The GET of the invite link.
    Invite,
    /// A form submission.
    Submit,
}

/// Why `view` is not what the stage hoped for.
pub fn failure(view: &PageView, stage: Stage) -> SignupFailure {
    let where_ = describe(view);
    let reason_detail = match view.status {
        429 => {
            let wait = view
                .retry_after
                .map(|d| format!("; it asks to wait {}s", d.as_secs()))
                .unwrap_or_default();
            let mut f = SignupFailure::new(
                Reason::RateLimited,
                format!("the platform is rate limiting ({where_}){wait}"),
            );
            f.retry_after = view.retry_after;
            return f;
        }
        500..=599 => (
            Reason::ServerError,
            format!("the platform failed ({where_})"),
        ),
        _ => match &view.marker {
            Some((reason, matched)) => (*reason, format!("{matched} ({where_})")),
            None if stage == Stage::Invite && matches!(view.status, 404 | 410) => (
                Reason::LinkExpired,
                format!("the invite link is gone ({where_})"),
            ),
            None if stage == Stage::Invite
                && view.form.as_ref().err().map(String::as_str) == Some(form::SIGN_IN_ONLY) =>
            {
                (
                    Reason::UnexpectedPage,
                    format!("the invite led to a sign-in page, not a signup form ({where_})"),
                )
            }
            None if stage == Stage::Invite
                && view.form.is_err()
                && (200..300).contains(&view.status) =>
            {
                let why = view.form.as_ref().err().cloned().unwrap_or_default();
                let js = if view.uses_javascript {
                    "; the page seems to build its form with JavaScript, which this \
                     program does not run, so a person has to complete it in a browser"
                } else {
                    ""
                };
                (Reason::FormNotFound, format!("{why} ({where_}){js}"))
            }
            None => (
                Reason::UnexpectedPage,
                format!("unexpected page ({where_})"),
            ),
        },
    };
    let mut failure = SignupFailure::new(reason_detail.0, reason_detail.1);
    failure.app_shell = failure.reason == Reason::FormNotFound && view.uses_javascript;
    if failure.reason == Reason::ServerError {
        // Servers in maintenance often say when to come back.
        failure.retry_after = view.retry_after;
    }
    failure
}

/// `HTTP 422 at engage.example.com/signup, titled "Sign up", saying "…"`: no query string
/// and no token in the path ([`Platform::shown_url`]).
pub fn describe(view: &PageView) -> String {
    let place = view
        .shown_url
        .split_once("://")
        .map_or(view.shown_url.as_str(), |(_, rest)| rest);
    let mut text = format!("HTTP {} at {place}", view.status);
    if let Some(title) = &view.title {
        text.push_str(&format!(", titled {title:?}"));
    }
    if let Some(alert) = &view.alert {
        text.push_str(&format!(", saying {alert:?}"));
    }
    text
}

#[cfg(test)]
#[path = "page_tests.rs"]
mod tests;
