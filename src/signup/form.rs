//! The signup form, read as a browser reads it.
//!
//! In: a parsed page, its URL and the platform profile. Out: a [`FormSpec`] (where and how
//! to submit, every pre-filled value, which fields take the password and what the page
//! says about passwords), and from it the exact request body ([`Submission`]).
//!
//! The values follow HTML's "constructing the entry list": named, enabled controls in tree
//! order (including those outside the form that point at it with `form="id"`); checkboxes
//! and radios only when checked; a select's selected options (or its first, as displayed);
//! textareas' text; and of the submit buttons only the one used, the first (built in
//! `entries.rs`).

use scraper::{ElementRef, Html, Selector};
use url::Url;
use zeroize::Zeroizing;

use super::autofill::{self, Purpose};
use super::entries::EntryList;
use super::names::Unfilled;
use super::password::PageRules;
use super::words;
use crate::config::Platform;

/// What `ProbedForm` shows instead of a password.
pub const REDACTED: &str = "[redacted]";

/// How the form is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The data goes in the query string.
    Get,
    /// The data goes in the body.
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// The body encoding of a POST form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enctype {
    /// `application/x-www-form-urlencoded` (the default).
    UrlEncoded,
    /// `multipart/form-data`.
    Multipart,
    /// `text/plain`.
    TextPlain,
}

/// One entry of the form data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A value sent as the platform gave it (or as ticked by the profile).
    Value {
        /// The control's name.
        name: String,
        /// Its value.
        value: String,
    },
    /// A field that receives the generated password.
    Password {
        /// The control's name.
        name: String,
    },
}

/// The signup form as found on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSpec {
    /// The URL of the page the form is on (sent as `Referer`, its origin as `Origin`).
    pub page_url: Url,
    /// Where the form is sent.
    pub action: Url,
    /// How.
    pub method: Method,
    /// In which encoding.
    pub enctype: Enctype,
    /// The entries, in tree order.
    pub entries: Vec<Entry>,
    /// The pre-filled email: the one visible email input (or the profile's
    /// `login_field`), validated as an address.
    pub login: Option<String>,
    /// `minlength`/`maxlength`/`pattern` of the password fields.
    pub password_rules: PageRules,
    /// Reasons not to submit the form as is (required fields nobody filled).
    pub blockers: Vec<String>,
    /// The required fields left empty, by label (their blockers are in `blockers`);
    /// [`FormSpec::fill_names`] fills the name fields among them.
    pub unfilled: Vec<Unfilled>,
    /// Whether the form asks for the family name in a field of its own.
    pub family_name_field: bool,
}

/// The request a form submission makes. The body holds the password: it is wiped on drop.
#[derive(Debug)]
pub struct Submission {
    /// `GET` or `POST`.
    pub method: Method,
    /// The URL, with the data as query for `GET`.
    pub url: Url,
    /// The body's content type (`POST` only).
    pub content_type: Option<String>,
    /// The body (`POST` only).
    pub body: Zeroizing<Vec<u8>>,
}

pub(super) fn selector(text: &str) -> Selector {
    // Only called with literals below, which are valid CSS.
    Selector::parse(text).unwrap_or_else(|_| unreachable!("invalid built-in selector {text}"))
}

/// Finds the signup form: the profile's selector, else the first form with a password
/// input that is not a sign-in form. `Err` explains, in plain words, why there is none
/// ([`SIGN_IN_ONLY`] when the page only lets one sign in).
pub fn find(doc: &Html, page_url: &Url, platform: &Platform) -> Result<FormSpec, String> {
    let form = match &platform.signup_form {
        Some(css) => doc.select(css.selector()).next().ok_or_else(|| {
            format!(
                "no element on the page matches signup_form {:?}",
                css.as_str()
            )
        })?,
        None => {
            let with_password: Vec<ElementRef> = doc
                .select(css!("form"))
                .filter(|f| controls(doc, *f).iter().any(|c| is_password_input(c)))
                .collect();
            match with_password.iter().find(|f| !is_sign_in_form(doc, **f)) {
                Some(form) => *form,
                None if with_password.is_empty() => {
                    return Err("no form on the page has a password field".to_owned());
                }
                None => return Err(SIGN_IN_ONLY.to_owned()),
            }
        }
    };
    if form.value().name() != "form" {
        return Err(format!(
            "signup_form {:?} matches a <{}>, not a <form>",
            platform
                .signup_form
                .as_ref()
                .map(|css| css.as_str())
                .unwrap_or_default(),
            form.value().name()
        ));
    }
    build(doc, form, page_url, platform)
}

/// Why [`find`] found no signup form on a page that has only sign-in forms.
pub const SIGN_IN_ONLY: &str = "the page has a sign-in form, not a signup form";

/// Whether `form` signs in to an existing account, judged as password managers do, by
/// its structure first: a password field marked `new-password` makes it a signup form,
/// one marked `current-password` a sign-in form. Otherwise a single password field
/// (no confirmation) signs in when the form posts to a sign-in path (`/login`,
/// `/users/sign_in`, `/session`, `/auth`…), offers a "forgot password" link, or its
/// button says sign in in one of the languages of [`words`].
fn is_sign_in_form(doc: &Html, form: ElementRef) -> bool {
    let controls = controls(doc, form);
    let passwords: Vec<Purpose> = controls
        .iter()
        .filter(|c| is_password_input(c))
        .map(autofill::purpose)
        .collect();
    if passwords.contains(&Purpose::NewPassword) {
        return false;
    }
    if passwords.contains(&Purpose::CurrentPassword) {
        return true;
    }
    if passwords.len() != 1 {
        return false;
    }
    let says_sign_in = |c: &ElementRef| {
        let text = c.text().collect::<String>();
        let value = c.value().attr("value").unwrap_or_default();
        [text.as_str(), value]
            .iter()
            .any(|t| words::says_sign_in(&collapse(&t.to_lowercase())))
    };
    sign_in_path(form.value().attr("action").unwrap_or_default())
        || offers_forgotten_password(form)
        || controls
            .iter()
            .filter(|c| is_submit_button(c) || c.value().name() == "button")
            .any(says_sign_in)
}

/// Whether a form's action ends in a path frameworks give sign-in (Rails' `/session`,
/// Devise's `/users/sign_in`, Django's `/accounts/login/`, `/auth`, `/login.php`…).
fn sign_in_path(action: &str) -> bool {
    let path = action.split(['?', '#']).next().unwrap_or_default();
    let path = path.split_once("://").map_or(path, |(_, rest)| {
        rest.find('/').map_or("", |at| &rest[at..])
    });
    let last = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or_default();
    let stem = last.split('.').next().unwrap_or_default();
    let stem: String = stem
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    matches!(
        stem.as_str(),
        "login" | "signin" | "logon" | "session" | "sessions" | "auth" | "authenticate"
    )
}

/// Whether a link inside the form offers to reset a forgotten password, by its address
/// (`/users/password/new`, `/forgot-password`, `/password/reset`) or its text.
fn offers_forgotten_password(form: ElementRef) -> bool {
    form.select(css!("a")).any(|a| {
        let href = a.value().attr("href").unwrap_or_default().to_lowercase();
        let by_href = href.contains("forgot")
            || (href.contains("password")
                && ["reset", "recover", "lost", "new"]
                    .iter()
                    .any(|w| href.contains(w)));
        by_href
            || words::says_forgot_password(&collapse(&a.text().collect::<String>().to_lowercase()))
    })
}

/// The listed elements that belong to `form`, in tree order.
fn controls<'a>(doc: &'a Html, form: ElementRef<'a>) -> Vec<ElementRef<'a>> {
    let form_id = form.value().attr("id");
    doc.select(css!("input, select, textarea, button"))
        .filter(|el| match el.value().attr("form") {
            Some(owner) => Some(owner) == form_id,
            None => el.ancestors().any(|a| a.id() == form.id()),
        })
        .collect()
}

fn is_password_input(el: &ElementRef) -> bool {
    el.value().name() == "input" && input_type(el) == "password"
}

pub(super) fn input_type(el: &ElementRef) -> String {
    el.value()
        .attr("type")
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "text".to_owned())
}

pub(super) fn is_submit_button(el: &ElementRef) -> bool {
    match el.value().name() {
        "button" => matches!(
            el.value()
                .attr("type")
                .map(|t| t.trim().to_ascii_lowercase())
                .as_deref(),
            None | Some("submit") | Some("")
        ),
        "input" => matches!(input_type(el).as_str(), "submit" | "image"),
        _ => false,
    }
}

pub(super) fn is_disabled(el: &ElementRef) -> bool {
    el.value().attr("disabled").is_some()
        || el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "fieldset" && a.value().attr("disabled").is_some())
}

fn build(
    doc: &Html,
    form: ElementRef,
    page_url: &Url,
    platform: &Platform,
) -> Result<FormSpec, String> {
    let controls = controls(doc, form);
    let submitter = controls
        .iter()
        .filter(|c| is_submit_button(c))
        .find(|c| !is_disabled(c))
        .or_else(|| controls.iter().find(|c| is_submit_button(c)));
    let mut entries = EntryList::default();
    entries.new_password_form = controls
        .iter()
        .any(|c| is_password_input(c) && autofill::purpose(c) == Purpose::NewPassword);
    for control in &controls {
        let is_submitter = submitter.is_some_and(|s| s.id() == control.id());
        entries.add(control, is_submitter, platform);
    }
    let entries = entries.finish();
    if !entries
        .entries
        .iter()
        .any(|e| matches!(e, Entry::Password { .. }))
    {
        return Err(match platform.password_fields.is_empty() {
            true => "the signup form has no password field".to_owned(),
            false => format!(
                "the signup form has no field named {} (the profile's password_fields)",
                platform.password_fields.join(" or ")
            ),
        });
    }
    let (action, method, enctype) = target(doc, form, submitter, page_url)?;
    Ok(FormSpec {
        page_url: page_url.clone(),
        action,
        method,
        enctype,
        entries: entries.entries,
        login: entries.login,
        password_rules: entries.rules,
        blockers: entries.blockers,
        unfilled: entries.unfilled,
        family_name_field: entries.family_name_field,
    })
}

/// Where, how and in which encoding the form goes; the submit button's `formaction`,
/// `formmethod` and `formenctype` take precedence over the form's attributes.
fn target(
    doc: &Html,
    form: ElementRef,
    submitter: Option<&ElementRef>,
    page_url: &Url,
) -> Result<(Url, Method, Enctype), String> {
    let attr = |name: &str, override_name: &str| {
        submitter
            .and_then(|s| s.value().attr(override_name))
            .or_else(|| form.value().attr(name))
            .map(str::trim)
    };
    let action = match attr("action", "formaction") {
        None | Some("") => page_url.clone(),
        Some(text) => base_url(doc, page_url)
            .join(text)
            .map_err(|e| format!("the form's action {text:?} is not a usable URL: {e}"))?,
    };
    let method = match attr("method", "formmethod") {
        Some(m) if m.eq_ignore_ascii_case("post") => Method::Post,
        _ => Method::Get,
    };
    let enctype = match attr("enctype", "formenctype")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("multipart/form-data") => Enctype::Multipart,
        Some("text/plain") => Enctype::TextPlain,
        _ => Enctype::UrlEncoded,
    };
    Ok((action, method, enctype))
}

fn base_url(doc: &Html, page_url: &Url) -> Url {
    doc.select(css!("base[href]"))
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .unwrap_or_else(|| page_url.clone())
}

/// Collapses whitespace runs to one space and trims.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
