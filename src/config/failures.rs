//! A profile's failure markers: what a page says or has when a signup did not succeed.
//!
//! In: the texts and CSS selectors a `[[platform]]` table sets (or the defaults). Out:
//! [`FailureMarkers`], whose texts are compiled once ([`TextMarkers`]) for every page a
//! signup reads.

use std::sync::Arc;

use super::CssSelector;
use crate::reason::Reason;
use crate::signup::markers::TextMarkers;

/// Page texts (case-insensitive substrings of the visible text) and CSS selectors that
/// identify why a signup did not succeed. Cloning is cheap: a signup clones its
/// profile, and the default texts number in the hundreds.
#[derive(Debug, Clone)]
pub struct FailureMarkers {
    markers: Arc<Markers>,
}

#[derive(Debug)]
struct Markers {
    /// Selectors present on those pages, in the order expired link, already registered,
    /// password refused.
    selectors: [Option<CssSelector>; 3],
    /// The texts of those pages, compiled in that order.
    texts: TextMarkers,
}

/// The texts a profile sets; `None` keeps a list's defaults.
#[derive(Debug, Default)]
pub struct FailureTexts {
    /// The texts that say the invite link expired or was used.
    pub link_expired: Option<Vec<String>>,
    /// The texts that say the email already has an account.
    pub already_registered: Option<Vec<String>>,
    /// The texts that say the password was refused.
    pub password_rejected: Option<Vec<String>>,
}

impl FailureMarkers {
    /// The markers from a profile's texts (each list `None` takes the defaults) and its
    /// selectors, in the order expired link, already registered, password refused.
    pub fn new(texts: FailureTexts, selectors: [Option<CssSelector>; 3]) -> Self {
        let link_expired = texts.link_expired.unwrap_or_else(default_link_expired);
        let already_registered = texts
            .already_registered
            .unwrap_or_else(default_already_registered);
        let password_rejected = texts
            .password_rejected
            .unwrap_or_else(default_password_rejected);
        let texts = TextMarkers::new([
            (Reason::LinkExpired, link_expired.as_slice()),
            (Reason::AlreadyRegistered, already_registered.as_slice()),
            (Reason::PasswordRejected, password_rejected.as_slice()),
        ]);
        Self {
            markers: Arc::new(Markers { selectors, texts }),
        }
    }

    /// All the texts, compiled, in the order expired link, already registered, password
    /// refused.
    pub fn texts(&self) -> &TextMarkers {
        &self.markers.texts
    }

    /// The profile's selectors with the reason each stands for, in the order expired
    /// link, already registered, password refused.
    pub fn selectors(&self) -> impl Iterator<Item = (Reason, &CssSelector)> {
        let reasons = [
            Reason::LinkExpired,
            Reason::AlreadyRegistered,
            Reason::PasswordRejected,
        ];
        reasons
            .into_iter()
            .zip(&self.markers.selectors)
            .filter_map(|(reason, css)| Some((reason, css.as_ref()?)))
    }
}

impl Default for FailureMarkers {
    /// Wordings real signup pages use. Texts are checked in the order expired link,
    /// already registered, password rejected, so the expired-link texts name the link or
    /// invitation ("this email is already used" must not read as an expired link), and
    /// the password texts come last because signup forms often show a standing hint
    /// such as "password must be 8 characters or more". Other languages: [`crate::signup::words`].
    fn default() -> Self {
        Self::new(FailureTexts::default(), [None, None, None])
    }
}

fn default_link_expired() -> Vec<String> {
    crate::signup::words::link_expired(&[
        "expired",
        "no longer valid",
        "link has already been used",
        "link was already used",
        "link is invalid",
        "invalid link",
        "invitation has already been used",
        "invitation was already used",
        "invitation has already been accepted",
        "invitation was already accepted",
        "invalid invitation",
        "invitation is invalid",
        "invitation is not valid",
        "invitation not found",
        "invitation token is invalid",
        "invitation token provided is not valid",
    ])
}

fn default_already_registered() -> Vec<String> {
    crate::signup::words::already_registered(&[
        "already registered",
        "already have an account",
        "already has an account",
        "account already exists",
        "already exists",
        "already in use",
        "already taken",
        "already been taken",
        "already been used",
        "is already used",
        "already signed up",
    ])
}

fn default_password_rejected() -> Vec<String> {
    [
        "password must",
        "password is too",
        "password too",
        "password does not",
        "password doesn't",
        "password should",
        "password requirements",
        "password is not strong",
        "password is weak",
        "password is invalid",
        "password is not valid",
        "choose a stronger password",
        "stronger password",
    ]
    .iter()
    .map(|text| (*text).to_owned())
    .collect()
}
