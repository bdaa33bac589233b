//! What a form control asks for, told the way browsers and password managers tell it, and
//! what a person would call it.
//!
//! In: one control of a parsed page. Out: its [`Purpose`] (from the HTML `autocomplete`
//! attribute's autofill field name first, then guessed from its `name`, `id` and label)
//! and its [`human_name`] (its label, for details a support agent reads).
//!
//! The `autocomplete` grammar is the HTML standard's: an optional `section-*` token, an
//! optional `shipping`/`billing`, an optional contact kind (`home`, `work`, `mobile`,
//! `fax`, `pager`), the field name, and an optional `webauthn`; tokens are ASCII
//! case-insensitive. A field name this module does not use (`tel`, `nickname`…) still
//! says what the control is, so nothing is guessed for it.

use scraper::ElementRef;

use super::form::{collapse, truncate};

/// What a control asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// An email address (`email`).
    Email,
    /// A login name (`username`).
    Username,
    /// Given (first) names (`given-name`).
    GivenName,
    /// Family (last) names (`family-name`).
    FamilyName,
    /// The whole name (`name`).
    FullName,
    /// A password being chosen (`new-password`), or its confirmation.
    NewPassword,
    /// The password of an existing account (`current-password`): a sign-in field.
    CurrentPassword,
    /// A code sent to the person (`one-time-code`): never filled here.
    OneTimeCode,
    /// Something else the page names (`tel`, `organization`, …).
    Other,
    /// Nothing says.
    Unknown,
}

impl Purpose {
    /// Whether the invitee's display name can fill it.
    pub fn is_name(self) -> bool {
        matches!(self, Self::GivenName | Self::FamilyName | Self::FullName)
    }
}

/// Tokens that may precede the field name (besides `section-*`).
const PREFIXES: &[&str] = &[
    "shipping", "billing", "home", "work", "mobile", "fax", "pager",
];

/// The autofill field name of an `autocomplete` value, lower case; `None` for an empty
/// value or `on`/`off` (which say nothing about the field).
pub fn field_name(autocomplete: &str) -> Option<String> {
    let token = autocomplete
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .find(|t| !t.starts_with("section-") && !PREFIXES.contains(&t.as_str()))?;
    (!matches!(token.as_str(), "on" | "off" | "webauthn")).then_some(token)
}

/// What `el` asks for: its `autocomplete` field name when it has one, else a guess from
/// its `name`, `id` and label.
pub fn purpose(el: &ElementRef) -> Purpose {
    if let Some(token) = el.value().attr("autocomplete").and_then(field_name) {
        return match token.as_str() {
            "email" => Purpose::Email,
            "username" => Purpose::Username,
            "given-name" => Purpose::GivenName,
            "family-name" => Purpose::FamilyName,
            "name" => Purpose::FullName,
            "new-password" => Purpose::NewPassword,
            "current-password" => Purpose::CurrentPassword,
            "one-time-code" => Purpose::OneTimeCode,
            _ => Purpose::Other,
        };
    }
    let attrs = ["name", "id"].map(|a| el.value().attr(a).map(key).unwrap_or_default());
    attrs
        .iter()
        .map(|k| guess_from_key(k))
        .find(|p| *p != Purpose::Unknown)
        .unwrap_or_else(|| guess_from_label(&label_text(el).unwrap_or_default()))
}

/// The last part of a field name, lower case, letters and digits only:
/// `user[first_name]` → `firstname`.
fn key(name: &str) -> String {
    let last = name
        .split(['[', ']', '.'])
        .rfind(|part| !part.is_empty())
        .unwrap_or_default();
    last.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn guess_from_key(key: &str) -> Purpose {
    match key {
        "firstname" | "givenname" | "forename" | "fname" | "first" => Purpose::GivenName,
        "lastname" | "familyname" | "surname" | "lname" | "last" => Purpose::FamilyName,
        "name" | "fullname" | "displayname" | "yourname" => Purpose::FullName,
        "username" | "login" => Purpose::Username,
        "otp" | "totp" | "onetimecode" | "verificationcode" => Purpose::OneTimeCode,
        _ => Purpose::Unknown,
    }
}

/// A label that is exactly a name field's usual wording, in the languages of
/// [`super::words`] (French `Nom` is the family name, Spanish `Nombre` the given one).
fn guess_from_label(label: &str) -> Purpose {
    let label = label.to_lowercase();
    let label = label.trim_end_matches([':', '：', '*', ' ']);
    match label {
        "first name" | "given name" | "given names" | "forename" | "prénom" | "vorname"
        | "nombre" | "nome" | "primeiro nome" | "voornaam" | "förnamn" | "fornavn" | "imię"
        | "jméno" | "名" | "имя" => Purpose::GivenName,
        "last name" | "family name" | "surname" | "nom" | "nom de famille" | "nachname"
        | "familienname" | "apellido" | "apellidos" | "cognome" | "sobrenome" | "achternaam"
        | "efternamn" | "efternavn" | "etternavn" | "nazwisko" | "příjmení" | "姓" | "фамилия" => {
            Purpose::FamilyName
        }
        "name" | "full name" | "your name" | "nom complet" | "nome completo"
        | "nombre completo" | "氏名" | "姓名" => Purpose::FullName,
        _ => Purpose::Unknown,
    }
}

/// What a person would call `el`: its `<label for>`, a label around it, `aria-label`,
/// the texts `aria-labelledby` names, its `placeholder` or `title`; else its `name`
/// (quoted). Collapsed and at most 80 characters.
pub fn human_name(el: &ElementRef) -> String {
    label_text(el)
        .or_else(|| attr_text(el, "placeholder"))
        .or_else(|| attr_text(el, "title"))
        .map(|text| truncate(&text, 80))
        .unwrap_or_else(|| format!("{:?}", el.value().attr("name").unwrap_or_default()))
}

/// The label text of `el`, by the accessible-name order browsers use for inputs.
pub(super) fn label_text(el: &ElementRef) -> Option<String> {
    let root = el.ancestors().filter_map(ElementRef::wrap).last()?;
    let texts = |els: Vec<ElementRef>| {
        let text = els
            .iter()
            .map(|e| collapse(&e.text().collect::<String>()))
            .collect::<Vec<_>>()
            .join(" ");
        Some(text).filter(|t| !t.is_empty())
    };
    let by_ids = |ids: &str| {
        let wanted: Vec<&str> = ids.split_ascii_whitespace().collect();
        root.descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().id().is_some_and(|id| wanted.contains(&id)))
            .collect::<Vec<_>>()
    };
    if let Some(ids) = el.value().attr("aria-labelledby")
        && let Some(text) = texts(by_ids(ids))
    {
        return Some(text);
    }
    if let Some(text) = attr_text(el, "aria-label") {
        return Some(text);
    }
    let for_label = el.value().id().and_then(|id| {
        root.descendants()
            .filter_map(ElementRef::wrap)
            .find(|e| e.value().name() == "label" && e.value().attr("for") == Some(id))
    });
    let wrapping = || {
        el.ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() == "label")
    };
    for_label
        .or_else(wrapping)
        .and_then(|label| texts(vec![label]))
}

fn attr_text(el: &ElementRef, attr: &str) -> Option<String> {
    el.value()
        .attr(attr)
        .map(collapse)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use scraper::{Html, Selector};

    use super::*;

    fn first_input(html: &str) -> (Purpose, String) {
        let doc = Html::parse_document(html);
        let sel = Selector::parse("input").unwrap_or_else(|_| unreachable!());
        let el = doc.select(&sel).next().unwrap_or_else(|| unreachable!());
        (purpose(&el), human_name(&el))
    }

    #[test]
    fn autocomplete_tokens_follow_the_html_grammar() {
        for (value, expected) in [
            ("email", Some("email")),
            ("section-blue shipping email", Some("email")),
            ("BILLING Given-Name", Some("given-name")),
            ("work email webauthn", Some("email")),
            ("username webauthn", Some("username")),
            ("off", None),
            ("on", None),
            ("", None),
            ("section-x", None),
        ] {
            assert_eq!(field_name(value).as_deref(), expected, "{value:?}");
        }
    }

    #[test]
    fn autocomplete_wins_over_the_name() {
        let (p, _) = first_input(r#"<input name="first_name" autocomplete="family-name">"#);
        assert_eq!(p, Purpose::FamilyName);
        let (p, _) = first_input(r#"<input name="x" autocomplete="section-a one-time-code">"#);
        assert_eq!(p, Purpose::OneTimeCode);
        let (p, _) = first_input(r#"<input name="first_name" autocomplete="tel">"#);
        assert_eq!(
            p,
            Purpose::Other,
            "a field name the page gives is not second-guessed"
        );
    }

    #[test]
    fn names_ids_and_labels_are_the_fallback() {
        for (html, expected) in [
            (r#"<input name="user[first_name]">"#, Purpose::GivenName),
            (r#"<input name="profile.lastName">"#, Purpose::FamilyName),
            (r#"<input id="full-name" name="f1">"#, Purpose::FullName),
            (r#"<input name="login">"#, Purpose::Username),
            (
                r#"<label for="a">Surname</label><input id="a" name="q1">"#,
                Purpose::FamilyName,
            ),
            (
                r#"<label for="b">Nachname *</label><input id="b" name="q2">"#,
                Purpose::FamilyName,
            ),
            (
                r#"<label>Prénom : <input name="q3"></label>"#,
                Purpose::GivenName,
            ),
            (r#"<input name="city">"#, Purpose::Unknown),
        ] {
            assert_eq!(first_input(html).0, expected, "{html}");
        }
    }

    #[test]
    fn the_human_name_is_the_label_a_person_sees() {
        for (html, expected) in [
            (
                r#"<label for="ln">Last  name</label><input id="ln" name="u[ln]">"#,
                "Last name",
            ),
            (r#"<label>Company <input name="org"></label>"#, "Company"),
            (
                r#"<input name="x" aria-label="Phone number">"#,
                "Phone number",
            ),
            (
                r#"<span id="l1">Date</span><span id="l2">of birth</span><input name="dob" aria-labelledby="l1 l2">"#,
                "Date of birth",
            ),
            (r#"<input name="x" placeholder="Your team">"#, "Your team"),
            (r#"<input name="team_size">"#, "\"team_size\""),
        ] {
            assert_eq!(first_input(html).1, expected, "{html}");
        }
    }
}
