//! The profile's failure texts, compiled once for every page a signup reads.
//!
//! In: the three lists of texts that say why a signup failed (expired link, already
//! registered, password refused), in that order of precedence. Out: a [`TextMarkers`]
//! that finds, in a page's normalized visible text, the first configured text it
//! contains, with its reason.
//!
//! The defaults hold a few hundred texts in many languages. Normalizing each one and
//! searching the page for it, page after page, was a measurable share of a signup's
//! CPU; one Aho-Corasick automaton over the normalized texts reads the page once.

use aho_corasick::AhoCorasick;

use super::Reason;
use super::form::collapse;

/// The failure texts of one profile, normalized and compiled.
#[derive(Debug, Clone)]
pub struct TextMarkers {
    /// Each searchable text's reason and its wording as configured, in precedence order:
    /// pattern ids index this list.
    labels: Vec<(Reason, String)>,
    /// How the page is searched.
    search: Search,
}

#[derive(Debug, Clone)]
enum Search {
    /// All normalized texts at once.
    Automaton(AhoCorasick),
    /// Each normalized text in turn: only if the automaton could not be built (it has a
    /// size limit, and a profile may list any texts).
    EachOf(Vec<String>),
}

impl TextMarkers {
    /// Compiles `groups`, earliest first. Blank texts are left out: they would match
    /// every page.
    pub fn new<'a>(groups: impl IntoIterator<Item = (Reason, &'a [String])>) -> Self {
        let mut labels = Vec::new();
        let mut needles = Vec::new();
        for (reason, texts) in groups {
            for text in texts {
                let needle = normalize(text);
                if !needle.is_empty() {
                    labels.push((reason, text.trim().to_owned()));
                    needles.push(needle);
                }
            }
        }
        let search = match AhoCorasick::new(&needles) {
            Ok(automaton) => Search::Automaton(automaton),
            Err(_) => Search::EachOf(needles),
        };
        Self { labels, search }
    }

    /// The first text (in precedence order, not page order) that `page_text` contains,
    /// with its reason and its wording as configured. `page_text` must be normalized.
    pub fn first_in(&self, page_text: &str) -> Option<(Reason, &str)> {
        let first = match &self.search {
            Search::Automaton(automaton) => automaton
                .find_overlapping_iter(page_text)
                .map(|found| found.pattern().as_usize())
                .min(),
            Search::EachOf(needles) => needles
                .iter()
                .position(|needle| page_text.contains(needle.as_str())),
        }?;
        self.labels
            .get(first)
            .map(|(reason, text)| (*reason, text.as_str()))
    }
}

/// Lower case, typographic apostrophes made plain, whitespace collapsed: how page texts
/// and profile texts are compared.
pub fn normalize(text: &str) -> String {
    collapse(&text.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn the_earliest_group_wins_whatever_the_page_order() {
        let expired = owned(&["link has expired"]);
        let registered = owned(&["already exists", "  ", "Already   Registered"]);
        let markers = TextMarkers::new([
            (Reason::LinkExpired, expired.as_slice()),
            (Reason::AlreadyRegistered, registered.as_slice()),
        ]);
        let page = normalize("An account ALREADY exists. Also, this link has\u{a0}expired.");
        assert_eq!(
            markers.first_in(&page),
            Some((Reason::LinkExpired, "link has expired"))
        );
        let page = normalize("You are already\n registered");
        assert_eq!(
            markers.first_in(&page),
            Some((Reason::AlreadyRegistered, "Already   Registered"))
        );
        assert_eq!(markers.first_in("welcome aboard"), None);
        // A blank text is never a marker.
        assert_eq!(markers.first_in(""), None);
    }

    #[test]
    fn searching_text_by_text_answers_as_the_automaton_does() {
        let expired = owned(&["link has expired", "expired"]);
        let registered = owned(&["already exists"]);
        let markers = TextMarkers::new([
            (Reason::LinkExpired, expired.as_slice()),
            (Reason::AlreadyRegistered, registered.as_slice()),
        ]);
        let needles = [&expired, &registered]
            .into_iter()
            .flatten()
            .map(|text| normalize(text))
            .collect();
        let each = TextMarkers {
            labels: markers.labels.clone(),
            search: Search::EachOf(needles),
        };
        for page in [
            "it already exists; it expired",
            "link has expired",
            "welcome",
        ] {
            assert_eq!(each.first_in(page), markers.first_in(page), "{page}");
        }
        assert_eq!(
            each.first_in("it already exists; it expired"),
            Some((Reason::LinkExpired, "expired"))
        );
    }

    #[test]
    fn within_a_group_the_listed_order_wins_and_apostrophes_are_plain() {
        let texts = owned(&["can\u{2019}t be used", "used"]);
        let markers = TextMarkers::new([(Reason::LinkExpired, texts.as_slice())]);
        let page = normalize("This link was used and can't be used again");
        assert_eq!(
            markers.first_in(&page),
            Some((Reason::LinkExpired, "can\u{2019}t be used"))
        );
    }
}
