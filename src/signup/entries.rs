//! The form data set: what a browser would send for the chosen form.
//!
//! In: the form's controls, one by one, and the profile (password fields, checkboxes to
//! tick). Out: an [`EntryList`]: the entries in tree order (password fields marked, not
//! filled), the pre-filled email, the password inputs' stated rules, and the reasons not
//! to submit (required fields nobody filled, required checkboxes the profile does not
//! name, an email that is missing, ambiguous or not an address), with the required
//! fields left empty listed apart ([`Unfilled`]) so the invitee's name can fill some.
//!
//! What a control asks for comes from its `autocomplete` token first ([`autofill`]): a
//! `current-password` field in a form that also has a `new-password` one is not given
//! the new password, and a `one-time-code` field is never filled (only the invitee
//! receives the code).
//!
//! The login is what a person would check before clicking: the email input they see. A
//! hidden input is never the login (a page may carry the inviter's address there), and
//! two visible, different addresses are a reason not to guess.

use scraper::ElementRef;

use super::autofill::{self, Purpose};
use super::form::{Entry, collapse, input_type, is_disabled, is_submit_button, truncate};
use super::names::Unfilled;
use super::password::PageRules;
use crate::config::Platform;

/// Collects entries, the login, the password rules and the blockers, control by control.
#[derive(Default)]
pub(super) struct EntryList {
    pub(super) entries: Vec<Entry>,
    pub(super) login: Option<String>,
    pub(super) rules: PageRules,
    pub(super) blockers: Vec<String>,
    /// Required fields left empty (their blockers are in `blockers` too).
    pub(super) unfilled: Vec<Unfilled>,
    /// Whether the form has a family-name field.
    pub(super) family_name_field: bool,
    /// The form has a `new-password` field, so a `current-password` one is not for the
    /// new password.
    pub(super) new_password_form: bool,
    unticked_required_radios: Vec<String>,
    /// Pre-filled values of the inputs that may hold the login, in tree order.
    login_candidates: Vec<String>,
}

impl EntryList {
    /// Adds one control (`is_submitter`: the submit button used).
    pub(super) fn add(&mut self, el: &ElementRef, is_submitter: bool, platform: &Platform) {
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
            "input" if takes_password(el, &name, platform, self.new_password_form) => {
                self.rules.merge(page_rules(el));
                self.entries.push(Entry::Password { name });
            }
            "input" => self.add_input(el, name, required, platform),
            "select" => {
                let values = selected_options(el);
                if required && values.iter().all(String::is_empty) {
                    self.add_unfilled(el, &name);
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
                    self.add_unfilled(el, &name);
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
                let purpose = autofill::purpose(el);
                self.family_name_field |= purpose == Purpose::FamilyName && kind != "hidden";
                let code = purpose == Purpose::OneTimeCode;
                if (required || code) && value.is_empty() && kind != "hidden" {
                    self.add_unfilled(el, &name);
                }
                if holds_login(el, &kind, &name, purpose, &value, platform) {
                    self.login_candidates.push(value.trim().to_owned());
                }
                self.entries.push(Entry::Value { name, value });
            }
        }
    }
}

impl EntryList {
    /// Records a required field left empty (about to be pushed as the next entry), with
    /// a blocker naming it by its label.
    fn add_unfilled(&mut self, el: &ElementRef, name: &str) {
        let (label, purpose) = (autofill::human_name(el), autofill::purpose(el));
        let blocker = match purpose {
            Purpose::OneTimeCode => format!(
                "the form asks for a one-time code ({label}, field {name:?}), which only the \
                 invitee receives"
            ),
            Purpose::CurrentPassword => format!(
                "the form asks for the current password of an existing account ({label}, \
                 field {name:?})"
            ),
            _ => format!(
                "the form requires {label} (field {name:?}), which the platform left empty \
                 and nothing here can fill"
            ),
        };
        self.blockers.push(blocker.clone());
        self.unfilled.push(Unfilled {
            field: name.to_owned(),
            label,
            purpose,
            entry: self.entries.len(),
            blocker,
        });
    }

    /// Adds the required radio groups left without a choice (known only once every
    /// control has been seen).
    pub(super) fn finish(mut self) -> Self {
        self.choose_login();
        for name in std::mem::take(&mut self.unticked_required_radios) {
            let chosen = self
                .entries
                .iter()
                .any(|e| matches!(e, Entry::Value { name: n, .. } if *n == name));
            let told = self
                .blockers
                .iter()
                .any(|b| b.contains(&format!("{name:?}")));
            if !chosen && !told {
                self.blockers.push(format!(
                    "the form requires a choice for {name:?}, which the platform left unset"
                ));
            }
        }
        self
    }
}

impl EntryList {
    /// The login: the one address among the candidates, when it is a usable address.
    fn choose_login(&mut self) {
        let mut distinct: Vec<&String> = Vec::new();
        for value in &self.login_candidates {
            if !distinct.iter().any(|d| d.eq_ignore_ascii_case(value)) {
                distinct.push(value);
            }
        }
        match distinct.as_slice() {
            [] => {}
            [one] => match address_problem(one) {
                None => self.login = Some((*one).clone()),
                Some(why) => self.blockers.push(format!(
                    "the email the form is pre-filled with, {}, {why}",
                    shown_value(one)
                )),
            },
            several => {
                let listed: Vec<String> = several.iter().map(|v| shown_value(v)).collect();
                self.blockers.push(format!(
                    "the form shows several email addresses ({}), so which one the account \
                     would be for is unclear; name the right input in the profile's login_field",
                    listed.join(", ")
                ));
            }
        }
    }
}

/// Whether the control holds the account's email: the profile's `login_field`, else a
/// visible, pre-filled `email` input, or a visible text input whose `autocomplete` says
/// `email` (or, with no token, whose name says email), or a `username` one pre-filled
/// with an address (the token first: it is what browsers fill by).
fn holds_login(
    el: &ElementRef,
    kind: &str,
    name: &str,
    purpose: Purpose,
    value: &str,
    platform: &Platform,
) -> bool {
    if value.trim().is_empty() {
        return false;
    }
    if let Some(field) = &platform.login_field {
        return field == name;
    }
    let by_name = purpose == Purpose::Unknown && name.to_ascii_lowercase().contains("email");
    let email_like = kind == "email"
        || (matches!(kind, "text" | "")
            && (purpose == Purpose::Email
                || by_name
                || (purpose == Purpose::Username && value.contains('@'))));
    email_like && !is_hidden(el)
}

/// Hidden from a person: `type=hidden`, the `hidden` attribute, or an inline
/// `display:none`/`visibility:hidden`, on the control or around it.
fn is_hidden(el: &ElementRef) -> bool {
    let hides = |e: &scraper::node::Element| {
        let style = e
            .attr("style")
            .map(|s| s.to_ascii_lowercase().replace([' ', '\t'], ""))
            .unwrap_or_default();
        e.attr("hidden").is_some()
            || style.contains("display:none")
            || style.contains("visibility:hidden")
    };
    input_type(el) == "hidden"
        || hides(el.value())
        || el
            .ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| hides(a.value()))
}

/// Longest address accepted (RFC 5321's path limit less the angle brackets).
const MAX_ADDRESS: usize = 254;

/// Why `text` is not a plain `local@domain` address, if it is not.
pub fn address_problem(text: &str) -> Option<&'static str> {
    let bad_char = |c: char| c.is_control() || c.is_whitespace() || "<>()[],;:\\\"".contains(c);
    let Some((local, domain)) = text.split_once('@') else {
        return Some("is not an email address (no @)");
    };
    if text.len() > MAX_ADDRESS {
        Some("is too long to be an email address")
    } else if domain.contains('@') {
        Some("holds more than one @")
    } else if local.is_empty() || domain.is_empty() || domain.starts_with('.') {
        Some("is not a complete email address")
    } else if text.chars().any(bad_char) {
        Some("holds characters an email address cannot have")
    } else {
        None
    }
}

/// A pre-filled value as shown in a detail: quoted, escaped and shortened.
fn shown_value(value: &str) -> String {
    format!("{:?}", truncate(value, 80))
}

/// The profile's `password_fields` when it names some, else every password input but a
/// `current-password` one beside a `new-password` one.
fn takes_password(
    el: &ElementRef,
    name: &str,
    platform: &Platform,
    new_password_form: bool,
) -> bool {
    if platform.password_fields.is_empty() {
        input_type(el) == "password"
            && !(new_password_form && autofill::purpose(el) == Purpose::CurrentPassword)
    } else {
        platform.password_fields.iter().any(|p| p == name)
    }
}

/// ` (labelled "I accept the terms")` when a `<label>` wraps or names the control.
fn label_hint(el: &ElementRef) -> String {
    match autofill::label_text(el) {
        Some(t) => format!(" (labelled {:?})", truncate(&t, 80)),
        None => String::new(),
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
    let options: Vec<ElementRef> = select.select(css!("option")).collect();
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
