//! The signup form, read as a browser reads it.
//!
//! In: a parsed page, its URL and the platform profile. Out: a [`FormSpec`] (where and how
//! to submit, every pre-filled value, which fields take the password and what the page
//! says about passwords), and from it the exact request body ([`Submission`]).
//!
//! The values follow HTML's "constructing the entry list": named, enabled controls in tree
//! order (including those outside the form that point at it with `form="id"`); checkboxes
//! and radios only when checked; a select's selected options (or its first, as displayed);
//! textareas' text; and of the submit buttons only the one used, the first.

use scraper::{ElementRef, Html, Selector};
use url::Url;
use zeroize::Zeroizing;

use super::password::PageRules;
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
    /// The pre-filled email (an `email` input, or a field whose name contains "email").
    pub login: Option<String>,
    /// `minlength`/`maxlength`/`pattern` of the password fields.
    pub password_rules: PageRules,
    /// Reasons not to submit the form as is (required fields nobody filled).
    pub blockers: Vec<String>,
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

fn selector(text: &str) -> Selector {
    // Only called with literals below, which are valid CSS.
    Selector::parse(text).unwrap_or_else(|_| unreachable!("invalid built-in selector {text}"))
}

/// Finds the signup form: the profile's selector, else the first form with a password
/// input. `Err` explains, in plain words, why there is none.
pub fn find(doc: &Html, page_url: &Url, platform: &Platform) -> Result<FormSpec, String> {
    let form = match &platform.signup_form {
        Some(css) => {
            let chosen = Selector::parse(css)
                .map_err(|_| format!("the profile's signup_form {css:?} is not valid CSS"))?;
            doc.select(&chosen)
                .next()
                .ok_or_else(|| format!("no element on the page matches signup_form {css:?}"))?
        }
        None => doc
            .select(&selector("form"))
            .find(|f| controls(doc, *f).iter().any(|c| is_password_input(c)))
            .ok_or("no form on the page has a password field")?,
    };
    if form.value().name() != "form" {
        return Err(format!(
            "signup_form {:?} matches a <{}>, not a <form>",
            platform.signup_form.as_deref().unwrap_or_default(),
            form.value().name()
        ));
    }
    build(doc, form, page_url, platform)
}

/// The listed elements that belong to `form`, in tree order.
fn controls<'a>(doc: &'a Html, form: ElementRef<'a>) -> Vec<ElementRef<'a>> {
    let form_id = form.value().attr("id");
    doc.select(&selector("input, select, textarea, button"))
        .filter(|el| match el.value().attr("form") {
            Some(owner) => Some(owner) == form_id,
            None => el.ancestors().any(|a| a.id() == form.id()),
        })
        .collect()
}

fn is_password_input(el: &ElementRef) -> bool {
    el.value().name() == "input" && input_type(el) == "password"
}

fn input_type(el: &ElementRef) -> String {
    el.value()
        .attr("type")
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "text".to_owned())
}

fn is_submit_button(el: &ElementRef) -> bool {
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

fn is_disabled(el: &ElementRef) -> bool {
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
    let fills_password = |el: &ElementRef| {
        el.value().name() == "input"
            && match platform.password_fields.is_empty() {
                true => input_type(el) == "password",
                false => el
                    .value()
                    .attr("name")
                    .is_some_and(|n| platform.password_fields.iter().any(|p| p == n)),
            }
    };
    let mut builder = Builder::default();
    for control in &controls {
        let is_submitter = submitter.is_some_and(|s| s.id() == control.id());
        builder.add(control, is_submitter, fills_password(control), platform);
    }
    if !builder
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
    let attr = |name: &str, override_name: &str| {
        submitter
            .and_then(|s| s.value().attr(override_name))
            .or_else(|| form.value().attr(name))
            .map(str::trim)
    };
    let base = base_url(doc, page_url);
    let action = match attr("action", "formaction") {
        None | Some("") => page_url.clone(),
        Some(text) => base
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
    let radios = std::mem::take(&mut builder.unticked_required_radios);
    Ok(FormSpec {
        page_url: page_url.clone(),
        action,
        method,
        enctype,
        entries: builder.entries,
        login: builder.login,
        password_rules: builder.rules,
        blockers: builder.blockers,
    }
    .finish(radios))
}

fn base_url(doc: &Html, page_url: &Url) -> Url {
    doc.select(&selector("base[href]"))
        .next()
        .and_then(|b| b.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .unwrap_or_else(|| page_url.clone())
}

/// Collects entries, the login, the password rules and the blockers, control by control.
#[derive(Default)]
struct Builder {
    entries: Vec<Entry>,
    login: Option<String>,
    rules: PageRules,
    blockers: Vec<String>,
    unticked_required_radios: Vec<String>,
}

impl Builder {
    fn add(
        &mut self,
        el: &ElementRef,
        is_submitter: bool,
        takes_password: bool,
        platform: &Platform,
    ) {
        let name = el.value().attr("name").unwrap_or_default().to_owned();
        if is_disabled(el) {
            return;
        }
        if is_submit_button(el) {
            if is_submitter {
                self.add_submitter(el, name);
            }
            return;
        }
        if name.is_empty() {
            return;
        }
        let required = el.value().attr("required").is_some();
        match el.value().name() {
            "input" if takes_password => {
                self.rules.merge(page_rules(el));
                self.entries.push(Entry::Password { name });
            }
            "input" => self.add_input(el, name, required, platform),
            "select" => {
                let values = selected_options(el);
                if required && values.iter().all(String::is_empty) {
                    self.blockers.push(missing(&name));
                }
                for value in values {
                    self.entries.push(Entry::Value {
                        name: name.clone(),
                        value,
                    });
                }
            }
            "textarea" => {
                let value = normalize_newlines(&el.text().collect::<String>());
                if required && value.is_empty() {
                    self.blockers.push(missing(&name));
                }
                self.entries.push(Entry::Value { name, value });
            }
            _ => {}
        }
    }

    fn add_submitter(&mut self, el: &ElementRef, name: String) {
        let value = el.value().attr("value").unwrap_or_default().to_owned();
        if input_type(el) == "image" && el.value().name() == "input" {
            let prefix = if name.is_empty() {
                String::new()
            } else {
                format!("{name}.")
            };
            for axis in ["x", "y"] {
                self.entries.push(Entry::Value {
                    name: format!("{prefix}{axis}"),
                    value: "0".into(),
                });
            }
        } else if !name.is_empty() {
            self.entries.push(Entry::Value { name, value });
        }
    }

    fn add_input(&mut self, el: &ElementRef, name: String, required: bool, platform: &Platform) {
        let kind = input_type(el);
        let raw = el.value().attr("value");
        match kind.as_str() {
            "checkbox" | "radio" => {
                let ticked = el.value().attr("checked").is_some()
                    || (kind == "checkbox" && platform.tick_checkboxes.contains(&name));
                if ticked {
                    let value = raw.unwrap_or("on").to_owned();
                    self.entries.push(Entry::Value { name, value });
                } else if required && kind == "checkbox" {
                    self.blockers.push(format!(
                        "the form requires ticking the checkbox {name:?}{}; tick it only if \
                         the operator agrees, by adding \"{name}\" to the profile's tick_checkboxes",
                        label_hint(el)
                    ));
                } else if required {
                    self.unticked_required_radios.push(name);
                }
            }
            "reset" | "button" => {}
            "hidden" if name.eq_ignore_ascii_case("_charset_") && raw.unwrap_or("").is_empty() => {
                self.entries.push(Entry::Value {
                    name,
                    value: "UTF-8".to_owned(),
                });
            }
            _ => {
                let mut value = raw.unwrap_or_default().to_owned();
                if kind != "hidden" {
                    value.retain(|c| c != '\r' && c != '\n');
                }
                if kind == "email" {
                    value = value.trim().to_owned();
                }
                if required && value.is_empty() && kind != "hidden" {
                    self.blockers.push(missing(&name));
                }
                let is_email = kind == "email" || name.to_ascii_lowercase().contains("email");
                if is_email && self.login.is_none() && !value.trim().is_empty() {
                    self.login = Some(value.trim().to_owned());
                }
                self.entries.push(Entry::Value { name, value });
            }
        }
    }
}

impl FormSpec {
    /// Folds in required radio groups with no choice (known only once all are seen).
    fn finish(mut self, builder_radios: Vec<String>) -> Self {
        for name in builder_radios {
            let chosen = self
                .entries
                .iter()
                .any(|e| matches!(e, Entry::Value { name: n, .. } if *n == name));
            if !chosen
                && !self
                    .blockers
                    .iter()
                    .any(|b| b.contains(&format!("{name:?}")))
            {
                self.blockers.push(format!(
                    "the form requires a choice for {name:?}, which the platform left unset"
                ));
            }
        }
        self
    }
}

fn missing(name: &str) -> String {
    format!("the form requires {name:?}, which the platform left empty")
}

/// ` (labelled "I accept the terms")` when a `<label>` wraps or names the control.
fn label_hint(el: &ElementRef) -> String {
    let wrapping = el
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|a| a.value().name() == "label");
    let text = wrapping.map(|l| collapse(&l.text().collect::<String>()));
    match text {
        Some(t) if !t.is_empty() => format!(" (labelled {:?})", truncate(&t, 80)),
        _ => String::new(),
    }
}

fn page_rules(el: &ElementRef) -> PageRules {
    let number = |attr| {
        el.value()
            .attr(attr)
            .and_then(|v| v.trim().parse::<usize>().ok())
    };
    PageRules {
        min_length: number("minlength"),
        max_length: number("maxlength"),
        patterns: el
            .value()
            .attr("pattern")
            .map(str::to_owned)
            .into_iter()
            .collect(),
    }
}

fn selected_options(select: &ElementRef) -> Vec<String> {
    let options: Vec<ElementRef> = select.select(&selector("option")).collect();
    let disabled = |o: &ElementRef| {
        o.value().attr("disabled").is_some()
            || o.parent().and_then(ElementRef::wrap).is_some_and(|g| {
                g.value().name() == "optgroup" && g.value().attr("disabled").is_some()
            })
    };
    let value = |o: &ElementRef| {
        o.value()
            .attr("value")
            .map(str::to_owned)
            .unwrap_or_else(|| collapse(&o.text().collect::<String>()))
    };
    let selected: Vec<&ElementRef> = options
        .iter()
        .filter(|o| o.value().attr("selected").is_some())
        .collect();
    if select.value().attr("multiple").is_some() {
        return selected
            .into_iter()
            .filter(|o| !disabled(o))
            .map(value)
            .collect();
    }
    // A single select shows (and sends) its last selected option, else its first enabled one.
    let shown_as_list = select
        .value()
        .attr("size")
        .and_then(|s| s.trim().parse::<u32>().ok())
        .is_some_and(|s| s > 1);
    let chosen = match selected.last() {
        Some(o) => Some(*o),
        None if shown_as_list => None,
        None => options.iter().find(|o| !disabled(o)),
    };
    chosen
        .filter(|o| !disabled(o))
        .map(value)
        .into_iter()
        .collect()
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
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
