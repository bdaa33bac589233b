//! Required name fields the platform left empty, filled from the invitee's display name.
//!
//! In: a [`FormSpec`] whose required, empty fields are listed in
//! [`FormSpec::unfilled`], and the display name the forwarded original gave the invitee
//! (`"Doe, Jane" <jane@…>`). Out: the same form with its name fields filled and their
//! blockers gone; what nothing can fill stays a blocker naming the field by its label.
//!
//! How a display name is split, when the page asks for given and family names apart:
//! - `Last, First` (a comma): family before it, given after it.
//! - Several words: the family name is the last word, or, from the second word on, the
//!   words from the first one written in lower case (`Ludwig van Beethoven` →
//!   `Ludwig` + `van Beethoven`); the given names are the rest (`Mary Ann Smith` →
//!   `Mary Ann` + `Smith`).
//! - Names in Han, kana or Hangul script put the family name first (`山田 太郎`).
//! - A single word fills the given name only; a required family name is then left for a
//!   person (a ticket naming the field), never invented.
//!
//! A display name holding an `@` (mail clients show the address when they know no name)
//! fills nothing.

use super::autofill::Purpose;
use super::form::{Entry, FormSpec};

/// A required field the platform left empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfilled {
    /// The control's name.
    pub field: String,
    /// What a person calls it (its label).
    pub label: String,
    /// What it asks for.
    pub purpose: Purpose,
    /// Its index in [`FormSpec::entries`].
    pub(super) entry: usize,
    /// Its text in [`FormSpec::blockers`].
    pub(super) blocker: String,
}

/// A person's name as the forms want it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitName {
    /// The whole name, given names first.
    pub full: String,
    /// Given names.
    pub given: String,
    /// Family names; `None` for a single-word name.
    pub family: Option<String>,
}

/// Splits a display name (see the module docs); `None` when it is empty or holds an
/// address.
pub fn split(display: &str) -> Option<SplitName> {
    let cleaned: String = display
        .trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.is_empty() || cleaned.contains('@') || cleaned.chars().any(char::is_control) {
        return None;
    }
    if let Some((family, given)) = cleaned.split_once(',') {
        let (family, given) = (family.trim(), given.trim());
        if given.is_empty() || family.is_empty() {
            return split(&format!("{family}{given}"));
        }
        return Some(SplitName {
            full: format!("{given} {family}"),
            given: given.to_owned(),
            family: Some(family.to_owned()),
        });
    }
    let words: Vec<&str> = cleaned.split(' ').collect();
    let (given, family) = match words.as_slice() {
        [one] => ((*one).to_owned(), None),
        [first, rest @ ..] if family_first(&cleaned) => (rest.join(" "), Some((*first).to_owned())),
        [first, rest @ ..] => {
            // A lower-case word starts the family name only in a name otherwise
            // capitalised: `jane mary doe` has no particle.
            let particle = rest
                .iter()
                .position(|w| w.starts_with(char::is_lowercase))
                .filter(|&at| at + 1 < rest.len() && first.starts_with(char::is_uppercase));
            let at = particle.map_or(words.len() - 1, |at| at + 1);
            (words[..at].join(" "), Some(words[at..].join(" ")))
        }
        [] => return None,
    };
    Some(SplitName {
        full: cleaned,
        given,
        family,
    })
}

/// Whether the name is written in a script whose names put the family name first.
fn family_first(name: &str) -> bool {
    name.chars().any(|c| {
        matches!(c as u32,
            0x3040..=0x30FF      // hiragana, katakana
            | 0x3400..=0x4DBF    // CJK extension A
            | 0x4E00..=0x9FFF    // CJK unified ideographs
            | 0xAC00..=0xD7AF    // Hangul syllables
        )
    })
}

impl FormSpec {
    /// Fills the required name fields the platform left empty from `display_name` (the
    /// invitee's name in the forwarded original) and drops their blockers. Fields it
    /// cannot fill keep theirs.
    pub fn fill_names(&mut self, display_name: Option<&str>) {
        let Some(name) = display_name.and_then(split) else {
            return;
        };
        let asks_apart = self.family_name_field;
        let mut filled = Vec::new();
        for (i, slot) in self.unfilled.iter().enumerate() {
            let value = match slot.purpose {
                Purpose::GivenName if asks_apart => Some(name.given.clone()),
                // A lone first-name field takes the whole name: nothing is lost.
                Purpose::GivenName | Purpose::FullName => Some(name.full.clone()),
                Purpose::FamilyName => name.family.clone(),
                _ => None,
            };
            if let Some(value) = value
                && let Some(Entry::Value { value: v, .. }) = self.entries.get_mut(slot.entry)
            {
                *v = value;
                filled.push(i);
            }
        }
        for i in filled.into_iter().rev() {
            let slot = self.unfilled.remove(i);
            if let Some(at) = self.blockers.iter().position(|b| *b == slot.blocker) {
                self.blockers.remove(at);
            }
        }
    }
}

#[cfg(test)]
#[path = "names_tests.rs"]
mod tests;
