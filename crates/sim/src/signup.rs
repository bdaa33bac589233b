//! `GET /signup` and `POST /signup`: the pre-filled form and its validation.
//!
//! In: the session bound to an invite and, for the POST, the submitted form. Out: the
//! form (again, with errors and a fresh CSRF token, status 422) or a new logged-in
//! account and a redirect to `/home` (or, for the behaviours that say so, a 504 with the
//! account created later, or an unrecognised page).

use std::time::Duration;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::pages::{self, DEFAULT_TIMEZONE, SignupView, TIMEZONES};
use super::routes::{App, page, redirect, session_expired, session_id, with_cookie};
use super::state::{self, Invite, State as Memory};
use super::{AccountRecord, Behaviour};

/// The submitted fields; for a repeated name the last value wins, as in Rails.
pub(super) struct Submitted(pub Vec<(String, String)>);

impl Submitted {
    pub(super) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The password length the form's HTML states: a stricter rule's when the invite's
/// behaviour says the page states it, else the normal policy's.
pub(super) fn stated_max(invite: &Invite) -> usize {
    match invite.spec.behaviour {
        Behaviour::StricterPassword {
            stated_in_html: true,
            ..
        } => invite.max_password(),
        _ => state::MAX_PASSWORD,
    }
}

/// `GET /signup`: the form for the session's invite, or the login page without one.
pub(super) async fn show(State(app): State<App>, headers: HeaderMap) -> Response {
    let memory = state::lock(&app.state);
    let Some((session, invite)) = session_id(&headers)
        .and_then(|id| memory.sessions.get(&id))
        .and_then(|s| Some((s, memory.invites.get(s.invite.as_deref()?)?)))
    else {
        return redirect(StatusCode::FOUND, "/login");
    };
    if invite.spec.behaviour == Behaviour::JavaScriptOnly {
        return page(StatusCode::OK, pages::spa_shell(&session.csrf));
    }
    let spec = &invite.spec;
    let names_blank = spec.behaviour == Behaviour::NamesNotPrefilled;
    let view = SignupView {
        csrf: &session.csrf,
        first_name: if names_blank { "" } else { &spec.first_name },
        last_name: if names_blank { "" } else { &spec.last_name },
        email: session.email_from_link.as_deref().unwrap_or(&spec.email),
        inviter: inviter(invite),
        timezone: DEFAULT_TIMEZONE,
        errors: &[],
        max_length: stated_max(invite),
        pattern: stated_max(invite) != state::MAX_PASSWORD,
        field_errors: field_errors(invite),
        phone: asks_phone(invite).then_some(""),
    };
    page(StatusCode::OK, pages::signup(&view))
}

/// `POST /signup`: creates the account or says what is wrong.
pub(super) async fn submit(
    State(app): State<App>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Submitted(fields);
    let mut memory = state::lock(&app.state);
    // Like Rails' InvalidAuthenticityToken: no session, or a token not of this session.
    let Some((id, invite_token, logged_in)) = session_id(&headers).and_then(|id| {
        let session = memory.sessions.get(&id)?;
        (session.csrf == fields.get("authenticity_token"))
            .then(|| (id.clone(), session.invite.clone(), session.user.is_some()))
    }) else {
        return session_expired();
    };
    let Some(token) = invite_token.filter(|t| memory.invites.contains_key(t)) else {
        let to = if logged_in { "/home" } else { "/login" };
        return redirect(StatusCode::SEE_OTHER, to);
    };
    if let Some(refusal) = memory.invites.get_mut(&token).and_then(refuse) {
        let html = pages::message(refusal.title(), refusal.text(), refusal.link());
        return page(refusal.status(), html);
    }
    let email = signing_up_as(&memory, &id, &token);
    let errors: Vec<String> = problems(&memory, &token, &email, &fields)
        .into_iter()
        .map(|problem| problem.message)
        .collect();
    let behaviour = memory.invites.get(&token).map(|i| i.spec.behaviour.clone());
    if !errors.is_empty() {
        rerender(&mut memory, &id, &token, &email, &fields, &errors)
    } else if let Some(Behaviour::GatewayTimeoutThenCreates(after)) = behaviour {
        drop(memory);
        create_later(&app, token, email, fields, after)
    } else if behaviour == Some(Behaviour::UnrecognisedLanding) {
        store(&mut memory, &token, &email, &fields);
        let text = "Almost there: confirm your email address to finish.";
        page(StatusCode::OK, pages::message("Almost there", text, None))
    } else {
        create(&app, &mut memory, &id, &token, &email, &fields)
    }
}

/// Whether the form asks for a phone number ([`Behaviour::RequiresPhone`]).
fn asks_phone(invite: &Invite) -> bool {
    invite.spec.behaviour == Behaviour::RequiresPhone
}

/// Whether the page has a standing sign-in hint and errors beside their fields.
fn field_errors(invite: &Invite) -> bool {
    matches!(invite.spec.behaviour, Behaviour::StandingSignInHint { .. })
}

/// Answers 504 now and creates the account `after` this, as a backend that finishes
/// the work its gateway gave up waiting for.
fn create_later(
    app: &App,
    token: String,
    email: String,
    fields: Submitted,
    after: Duration,
) -> Response {
    schedule_creation(app, token, email, fields, after);
    let html = pages::message("Gateway timeout", GATEWAY_TIMEOUT, None);
    page(StatusCode::GATEWAY_TIMEOUT, html)
}

/// What a gateway says when it gives up waiting for the backend.
pub(super) const GATEWAY_TIMEOUT: &str = "The server took too long to respond.";

/// Has the backend store the account `after` this, whatever the client was told.
pub(super) fn schedule_creation(
    app: &App,
    token: String,
    email: String,
    fields: Submitted,
    after: Duration,
) {
    let state = app.state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        store(&mut state::lock(&state), &token, &email, &fields);
    });
}

/// Uses up the invite and stores its account with the submitted password; returns the
/// account's email.
pub(super) fn store(
    memory: &mut Memory,
    token: &str,
    email: &str,
    fields: &Submitted,
) -> Option<String> {
    let invite = memory.invites.get_mut(token)?;
    invite.used = true;
    let workspace = invite.spec.workspace.clone();
    let record = AccountRecord {
        email: email.to_owned(),
        first_name: fields.get("first_name").trim().to_owned(),
        last_name: fields.get("last_name").trim().to_owned(),
    };
    let email = record.email.clone();
    memory.create_account(record, fields.get("password"), workspace);
    Some(email)
}

/// The hidden inviter address the form carries, for [`Behaviour::ShowsInviter`].
pub(super) fn inviter(invite: &Invite) -> Option<&str> {
    match &invite.spec.behaviour {
        Behaviour::ShowsInviter(inviter) => Some(inviter),
        _ => None,
    }
}

/// The email the account is created for: the invited one, or the one the link asked
/// for ([`Behaviour::EmailFromQuery`]).
pub(super) fn signing_up_as(memory: &Memory, session: &str, token: &str) -> String {
    let from_link = memory
        .sessions
        .get(session)
        .and_then(|s| s.email_from_link.clone());
    let invited = memory.invites.get(token).map(|i| i.spec.email.clone());
    from_link.or(invited).unwrap_or_default()
}

/// Why a submission is turned away before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// [`Behaviour::ServerErrorOnce`]'s first submission.
    ServerError,
    /// The invite has been used already.
    Used,
}

impl Refusal {
    pub(super) fn status(self) -> StatusCode {
        match self {
            Refusal::ServerError => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::Used => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    pub(super) fn title(self) -> &'static str {
        match self {
            Refusal::ServerError => "Service unavailable",
            Refusal::Used => "Invitation already used",
        }
    }

    pub(super) fn text(self) -> &'static str {
        match self {
            Refusal::ServerError => {
                "We're sorry, but something went wrong. Please try again in a moment."
            }
            Refusal::Used => USED,
        }
    }

    fn link(self) -> Option<(&'static str, &'static str)> {
        (self == Refusal::Used).then_some(("/login", "Log in"))
    }
}

/// What a used invite says.
pub(super) const USED: &str = "This invitation has already been used. Log in instead.";

/// Answers that come before validation (the one-off server error, a used invite);
/// counts the submission.
pub(super) fn refuse(invite: &mut Invite) -> Option<Refusal> {
    invite.posts += 1;
    if invite.spec.behaviour == Behaviour::ServerErrorOnce && invite.posts == 1 {
        return Some(Refusal::ServerError);
    }
    invite.used.then_some(Refusal::Used)
}

/// One thing wrong with a submission: the field it is about and the platform's words.
pub(super) struct Problem {
    /// The field's name, or `base` for the whole submission.
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field,
        message: message.into(),
    }
}

/// Everything wrong with the submission, in the platform's words.
pub(super) fn problems(
    memory: &Memory,
    token: &str,
    email: &str,
    fields: &Submitted,
) -> Vec<Problem> {
    let Some(invite) = memory.invites.get(token) else {
        return vec![problem("base", "This invitation is no longer valid.")];
    };
    if !fields.get("email").eq_ignore_ascii_case(email) {
        return vec![problem("email", "Email does not match the invitation.")];
    }
    if memory
        .account_in(invite.spec.workspace.as_deref(), email)
        .is_some()
    {
        let text = "An account with this email address already exists. Log in instead.";
        return vec![problem("email", text)];
    }
    let mut errors = Vec::new();
    if fields.get("first_name").trim().is_empty() {
        errors.push(problem("first_name", "First name can't be blank"));
    }
    if fields.get("last_name").trim().is_empty() {
        errors.push(problem("last_name", "Last name can't be blank"));
    }
    if asks_phone(invite) && fields.get("phone").trim().is_empty() {
        errors.push(problem("phone", "Mobile phone can't be blank"));
    }
    if !TIMEZONES
        .iter()
        .any(|(value, _)| *value == fields.get("timezone"))
    {
        errors.push(problem("timezone", "Time zone is not included in the list"));
    }
    let password = fields.get("password");
    let policy = state::password_problems(password, invite.max_password());
    errors.extend(policy.into_iter().map(|text| problem("password", text)));
    if password != fields.get("password_confirmation") {
        let text = "Password confirmation doesn't match Password";
        errors.push(problem("password_confirmation", text));
    }
    if fields.get("accept_terms") != "1" {
        errors.push(problem(
            "accept_terms",
            "You must accept the terms of service",
        ));
    }
    errors
}

/// The form again with the errors, the submitted fields and a fresh CSRF token.
fn rerender(
    memory: &mut Memory,
    session: &str,
    token: &str,
    email: &str,
    fields: &Submitted,
    errors: &[String],
) -> Response {
    let Some(csrf) = memory.rotate_csrf(session) else {
        return session_expired();
    };
    let Some(invite) = memory.invites.get(token) else {
        return session_expired();
    };
    let view = SignupView {
        csrf: &csrf,
        first_name: fields.get("first_name"),
        last_name: fields.get("last_name"),
        email,
        inviter: inviter(invite),
        timezone: fields.get("timezone"),
        errors,
        max_length: stated_max(invite),
        pattern: stated_max(invite) != state::MAX_PASSWORD,
        field_errors: field_errors(invite),
        phone: asks_phone(invite).then(|| fields.get("phone")),
    };
    page(StatusCode::UNPROCESSABLE_ENTITY, pages::signup(&view))
}

/// Stores the account, uses up the invite, logs the browser in and sends it home.
fn create(
    app: &App,
    memory: &mut Memory,
    session: &str,
    token: &str,
    email: &str,
    fields: &Submitted,
) -> Response {
    let Some(email) = store(memory, token, email, fields) else {
        return session_expired();
    };
    let new_id = memory.log_in(session, &email);
    with_cookie(
        redirect(StatusCode::SEE_OTHER, "/home"),
        &app.session_cookie(&new_id),
    )
}
