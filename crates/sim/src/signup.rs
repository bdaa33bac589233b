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
struct Submitted(Vec<(String, String)>);

impl Submitted {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The password length the form's HTML states: a stricter rule's when the invite's
/// behaviour says the page states it, else the normal policy's.
fn stated_max(invite: &Invite) -> usize {
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
        return refusal;
    }
    let email = signing_up_as(&memory, &id, &token);
    let errors = problems(&memory, &token, &email, &fields);
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
    let state = app.state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        store(&mut state::lock(&state), &token, &email, &fields);
    });
    let html = pages::message(
        "Gateway timeout",
        "The server took too long to respond.",
        None,
    );
    page(StatusCode::GATEWAY_TIMEOUT, html)
}

/// Uses up the invite and stores its account with the submitted password; returns the
/// account's email.
fn store(memory: &mut Memory, token: &str, email: &str, fields: &Submitted) -> Option<String> {
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
fn inviter(invite: &Invite) -> Option<&str> {
    match &invite.spec.behaviour {
        Behaviour::ShowsInviter(inviter) => Some(inviter),
        _ => None,
    }
}

/// The email the account is created for: the invited one, or the one the link asked
/// for ([`Behaviour::EmailFromQuery`]).
fn signing_up_as(memory: &Memory, session: &str, token: &str) -> String {
    let from_link = memory
        .sessions
        .get(session)
        .and_then(|s| s.email_from_link.clone());
    let invited = memory.invites.get(token).map(|i| i.spec.email.clone());
    from_link.or(invited).unwrap_or_default()
}

/// Answers that come before validation: the one-off server error, a used invite.
fn refuse(invite: &mut Invite) -> Option<Response> {
    invite.posts += 1;
    if invite.spec.behaviour == Behaviour::ServerErrorOnce && invite.posts == 1 {
        let text = "We're sorry, but something went wrong. Please try again in a moment.";
        let html = pages::message("Service unavailable", text, None);
        return Some(page(StatusCode::SERVICE_UNAVAILABLE, html));
    }
    if invite.used {
        let text = "This invitation has already been used. Log in instead.";
        let html = pages::message("Invitation already used", text, Some(("/login", "Log in")));
        return Some(page(StatusCode::UNPROCESSABLE_ENTITY, html));
    }
    None
}

/// Everything wrong with the submission, in the platform's words.
fn problems(memory: &Memory, token: &str, email: &str, fields: &Submitted) -> Vec<String> {
    let Some(invite) = memory.invites.get(token) else {
        return vec!["This invitation is no longer valid.".to_owned()];
    };
    if !fields.get("email").eq_ignore_ascii_case(email) {
        return vec!["Email does not match the invitation.".to_owned()];
    }
    if memory
        .account_in(invite.spec.workspace.as_deref(), email)
        .is_some()
    {
        return vec![
            "An account with this email address already exists. Log in instead.".to_owned(),
        ];
    }
    let mut errors = Vec::new();
    if fields.get("first_name").trim().is_empty() {
        errors.push("First name can't be blank".to_owned());
    }
    if fields.get("last_name").trim().is_empty() {
        errors.push("Last name can't be blank".to_owned());
    }
    if asks_phone(invite) && fields.get("phone").trim().is_empty() {
        errors.push("Mobile phone can't be blank".to_owned());
    }
    if !TIMEZONES
        .iter()
        .any(|(value, _)| *value == fields.get("timezone"))
    {
        errors.push("Time zone is not included in the list".to_owned());
    }
    let password = fields.get("password");
    errors.extend(state::password_problems(password, invite.max_password()));
    if password != fields.get("password_confirmation") {
        errors.push("Password confirmation doesn't match Password".to_owned());
    }
    if fields.get("accept_terms") != "1" {
        errors.push("You must accept the terms of service".to_owned());
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
