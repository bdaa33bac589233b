//! The simulated platform's memory: invites, sessions, accounts and the request log.
//!
//! In: invites issued by the test, requests handled by the routes. Out: answers to
//! "which invite, which session, which account, does this password work". Held in one
//! `Arc<Mutex<State>>`, locked briefly and never across an `.await`.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::{AccountRecord, Behaviour, InviteSpec, RequestRecord};

/// The symbols the password policy accepts.
pub(super) const SYMBOLS: &str = "!@#$%^&*";
/// The shortest password accepted.
pub(super) const MIN_PASSWORD: usize = 8;
/// The longest password accepted under the normal policy.
pub(super) const MAX_PASSWORD: usize = 16;

/// Everything the platform remembers.
#[derive(Default)]
pub(super) struct State {
    /// By token.
    pub invites: HashMap<String, Invite>,
    /// By session id (the cookie value).
    pub sessions: HashMap<String, Session>,
    /// In creation order; emails are unique (case-insensitive).
    pub accounts: Vec<Account>,
    /// Every request, as received.
    pub requests: Vec<RequestRecord>,
}

/// An issued invite and what happened to it.
pub(super) struct Invite {
    pub spec: InviteSpec,
    /// An account was created with it.
    pub used: bool,
    /// `GET`s of the link so far (for [`Behaviour::RateLimitedOnce`]).
    pub gets: u32,
    /// `POST /signup`s for it so far (for [`Behaviour::ServerErrorOnce`]).
    pub posts: u32,
}

impl Invite {
    pub fn new(spec: InviteSpec) -> Self {
        Self {
            spec,
            used: false,
            gets: 0,
            posts: 0,
        }
    }

    /// How much this invite's responses are held back.
    pub fn delay(&self) -> Duration {
        match self.spec.behaviour {
            Behaviour::Slow(delay) => delay,
            _ => Duration::ZERO,
        }
    }

    /// The longest password the server accepts for this invite.
    pub fn max_password(&self) -> usize {
        match self.spec.behaviour {
            Behaviour::StricterPassword { max_length, .. }
            | Behaviour::StandingSignInHint { max_length } => max_length.min(MAX_PASSWORD),
            _ => MAX_PASSWORD,
        }
    }
}

/// A server-side session; the browser holds only its id.
pub(super) struct Session {
    /// The CSRF token forms must echo in `authenticity_token`.
    pub csrf: String,
    /// The invite being accepted.
    pub invite: Option<String>,
    /// The logged-in account's email.
    pub user: Option<String>,
    /// Held-back time for every response in this session (a slow invite's).
    pub delay: Duration,
    /// The email the invite link's `?email=` asked to pre-fill
    /// ([`Behaviour::EmailFromQuery`]).
    pub email_from_link: Option<String>,
    /// A message for the next page, shown once (Rails' `flash`).
    pub flash: Option<String>,
}

/// A stored account; the password only as a salted hash.
pub(super) struct Account {
    pub record: AccountRecord,
    salt: [u8; 16],
    hash: [u8; 32],
    /// Created through the signup form (not there before the test began).
    pub signed_up: bool,
    /// The workspace it belongs to ([`InviteSpec::workspace`]).
    pub workspace: Option<String>,
}

impl Account {
    #[cfg(test)]
    fn new(record: AccountRecord, password: &str, signed_up: bool) -> Self {
        Self::in_workspace(record, password, signed_up, None)
    }

    fn in_workspace(
        record: AccountRecord,
        password: &str,
        signed_up: bool,
        workspace: Option<String>,
    ) -> Self {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let hash = salted_hash(&salt, password);
        Self {
            record,
            salt,
            hash,
            signed_up,
            workspace,
        }
    }

    /// Whether `password` is this account's password.
    pub fn password_is(&self, password: &str) -> bool {
        salted_hash(&self.salt, password) == self.hash
    }
}

fn salted_hash(salt: &[u8], password: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(password.as_bytes());
    hasher.finalize().into()
}

/// 32 random bytes, URL-safe base64: session ids, CSRF and invite tokens.
pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Locks the state; a panic elsewhere while it was held leaves it usable.
pub(super) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    /// Opens a session and returns its id.
    pub fn new_session(
        &mut self,
        invite: Option<String>,
        user: Option<String>,
        delay: Duration,
    ) -> String {
        let id = random_token();
        let session = Session {
            csrf: random_token(),
            invite,
            user,
            delay,
            email_from_link: None,
            flash: None,
        };
        self.sessions.insert(id.clone(), session);
        id
    }

    /// Replaces session `old` by a fresh one logged in as `email` (against session
    /// fixation, as Rails' `reset_session` on login); returns the new id.
    pub fn log_in(&mut self, old: &str, email: &str) -> String {
        let delay = self
            .sessions
            .remove(old)
            .map_or(Duration::ZERO, |s| s.delay);
        self.new_session(None, Some(email.to_owned()), delay)
    }

    /// A new CSRF token for a session (after a failed submit); `None` if it is gone.
    pub fn rotate_csrf(&mut self, session_id: &str) -> Option<String> {
        let session = self.sessions.get_mut(session_id)?;
        session.csrf = random_token();
        Some(session.csrf.clone())
    }

    /// The account of `email`, compared case-insensitively.
    pub fn account(&self, email: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.record.email.eq_ignore_ascii_case(email))
    }

    /// The account of `email` in `workspace`, if any.
    pub fn account_in(&self, workspace: Option<&str>, email: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| {
            a.record.email.eq_ignore_ascii_case(email) && a.workspace.as_deref() == workspace
        })
    }

    /// Stores an account created through the signup form.
    pub fn create_account(
        &mut self,
        record: AccountRecord,
        password: &str,
        workspace: Option<String>,
    ) {
        let account = Account::in_workspace(record, password, true, workspace);
        self.accounts.push(account);
    }

    /// Stores the account the invite's email already had, with a password nobody knows.
    pub fn add_existing_account(&mut self, invite: &InviteSpec) {
        let workspace = invite.workspace.clone();
        if self
            .account_in(workspace.as_deref(), &invite.email)
            .is_some()
        {
            return;
        }
        let record = AccountRecord {
            email: invite.email.clone(),
            first_name: invite.first_name.clone(),
            last_name: invite.last_name.clone(),
        };
        let account = Account::in_workspace(record, &random_token(), false, workspace);
        self.accounts.push(account);
    }

    /// Accounts created through the signup form, oldest first.
    pub fn signed_up_accounts(&self) -> Vec<AccountRecord> {
        self.accounts
            .iter()
            .filter(|a| a.signed_up)
            .map(|a| a.record.clone())
            .collect()
    }
}

/// What is wrong with `password` under the policy with this maximum length, in the
/// platform's words; empty when it is acceptable.
pub(super) fn password_problems(password: &str, max_length: usize) -> Vec<String> {
    let length = password.chars().count();
    if length == 0 {
        return vec!["Password can't be blank".to_owned()];
    }
    let mut problems = Vec::new();
    if length < MIN_PASSWORD {
        problems.push(format!(
            "Password is too short (minimum is {MIN_PASSWORD} characters)"
        ));
    }
    if length > max_length {
        problems.push(format!(
            "Password is too long (maximum is {max_length} characters)"
        ));
    }
    if password
        .chars()
        .any(|c| !c.is_ascii_alphanumeric() && !SYMBOLS.contains(c))
    {
        problems.push(format!(
            "Password must only contain letters, digits and the symbols {SYMBOLS}"
        ));
    }
    let has = |test: fn(&char) -> bool| password.chars().any(|c| test(&c));
    let has_symbol = password.chars().any(|c| SYMBOLS.contains(c));
    if !(has(char::is_ascii_uppercase)
        && has(char::is_ascii_lowercase)
        && has(char::is_ascii_digit)
        && has_symbol)
    {
        problems.push(format!(
            "Password must contain at least one uppercase letter, one lowercase letter, \
             one digit and one symbol ({SYMBOLS})"
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_accepts_a_password_with_every_class_within_length() {
        assert!(password_problems("Abcdef1!", MAX_PASSWORD).is_empty());
        assert!(password_problems("Abcdefgh12345@#Z", MAX_PASSWORD).is_empty());
    }

    #[test]
    fn policy_names_each_problem() {
        let too_short = password_problems("Ab1!", MAX_PASSWORD);
        assert!(too_short[0].starts_with("Password is too short"));
        let too_long = password_problems("Abcdefgh12345@#Zx", MAX_PASSWORD);
        assert!(too_long[0].starts_with("Password is too long (maximum is 16"));
        let stricter = password_problems("Abcdefgh123!", 10);
        assert!(stricter[0].contains("maximum is 10"));
        let no_symbol = password_problems("Abcdefgh1", MAX_PASSWORD);
        assert!(no_symbol[0].contains("at least one uppercase"));
        let foreign = password_problems("Abcdef1!~", MAX_PASSWORD);
        assert!(foreign[0].contains("only contain"));
        assert_eq!(password_problems("", MAX_PASSWORD).len(), 1);
    }

    #[test]
    fn password_hash_is_salted_and_checks() {
        let record = AccountRecord {
            email: "a@b.test".into(),
            first_name: "A".into(),
            last_name: "B".into(),
        };
        let one = Account::new(record.clone(), "Secret1!", true);
        let two = Account::new(record, "Secret1!", true);
        assert_ne!(one.hash, two.hash);
        assert!(one.password_is("Secret1!"));
        assert!(!one.password_is("Secret1?"));
    }
}
