//! The script-built frontend ([`super::Frontend::ScriptBuilt`]): an app shell and the
//! JSON API its script calls, as a single-page app's server would serve them.
//!
//! In: requests to the invite links, the app's deep links and `/api/…`. Out: the shell
//! (status 200, a session cookie and its CSRF token in a `meta` tag and an `XSRF-TOKEN`
//! cookie) for every page, and JSON for the API:
//!
//! - `GET /api/invitations/T`: 200 `{email, name, first_name, last_name, password: {…}}`,
//!   404 for an unknown token, 410 for an expired or used invite (`{error, message}`).
//! - `POST /api/invitations/T/accept` with a JSON body and the session's token in
//!   `X-CSRF-Token`: 201 `{user, redirect}` with a new logged-in session; 403 without a
//!   valid token; 422 `{message, errors: [{field, message}]}` with the server-rendered
//!   flow's policy and words; 404/410 for an unknown, expired or used invite; and what
//!   the invite's [`Behaviour`] adds (503 once, 504 then created, 200 "confirm your
//!   email").
//! - `GET /api/me`: the logged-in user, or 401.
//!
//! The script (`spa/app.js`) keeps the inputs' values in its own state, updated only by
//! `input`/`change` events, as React's controlled inputs do: a value set from script
//! without events never reaches the server. After a 422 it keeps what was typed.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Behaviour;
use super::pages::{self, DEFAULT_TIMEZONE};
use super::routes::{self, App, page, redirect, session_id, with_cookie};
use super::signup::{self, Refusal, Submitted};
use super::state::{self, Invite, State as Memory};

/// The app's script.
const SCRIPT: &str = include_str!("spa/app.js");
/// The header the script echoes the CSRF token in.
const CSRF_HEADER: &str = "x-csrf-token";

/// The routes of the script-built frontend.
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/invitations/accept", get(accept_link))
        .route("/join/{token}", get(join_link))
        .route("/home", get(deep_link))
        .route("/invitations/error", get(deep_link))
        .route("/confirm-email", get(deep_link))
        .route("/assets/app.js", get(script))
        .route("/api/invitations/{token}", get(invitation))
        .route("/api/invitations/{token}/accept", post(accept))
        .route("/api/me", get(me))
}

/// `GET /invitations/accept?token=…`: the shell, in a session for this invite.
async fn accept_link(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = query.get("token").cloned().unwrap_or_default();
    invite_shell(&app, token, query.get("email").cloned())
}

/// `GET /join/…`: the same with the token in the path.
async fn join_link(
    State(app): State<App>,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    invite_shell(&app, token, query.get("email").cloned())
}

/// The shell for an invite link. What a gateway does to the document (redirect it,
/// rate-limit it) happens here; whether the invite is valid is the API's answer.
fn invite_shell(app: &App, token: String, email: Option<String>) -> Response {
    let mut memory = state::lock(&app.state);
    let (delay, email) = match memory.invites.get_mut(&token) {
        None => (Duration::ZERO, None),
        Some(invite) => {
            invite.gets += 1;
            match &invite.spec.behaviour {
                Behaviour::RedirectTo(url) => return redirect(StatusCode::FOUND, url),
                Behaviour::RateLimitedOnce { retry_after_secs } if invite.gets == 1 => {
                    return routes::rate_limited(*retry_after_secs);
                }
                Behaviour::EmailFromQuery => (invite.delay(), email),
                _ => (invite.delay(), None),
            }
        }
    };
    let id = memory.new_session(Some(token), None, delay);
    let Some(session) = memory.sessions.get_mut(&id) else {
        return routes::session_expired();
    };
    session.email_from_link = email;
    let csrf = session.csrf.clone();
    drop(memory);
    shell(app, &id, &csrf)
}

/// `GET /home`, `/invitations/error`, `/confirm-email`: the shell, as a SPA server
/// answers every route of the app; the script renders the page.
async fn deep_link(State(app): State<App>, headers: HeaderMap) -> Response {
    let mut memory = state::lock(&app.state);
    let existing = session_id(&headers)
        .and_then(|id| Some((id.clone(), memory.sessions.get(&id)?.csrf.clone())));
    let (id, csrf) = existing.unwrap_or_else(|| {
        let id = memory.new_session(None, None, Duration::ZERO);
        let csrf = memory.sessions.get(&id).map(|s| s.csrf.clone());
        (id, csrf.unwrap_or_default())
    });
    drop(memory);
    shell(&app, &id, &csrf)
}

/// The shell with the session's cookie and its CSRF token in a readable cookie, as
/// Angular's and Laravel's `XSRF-TOKEN`.
fn shell(app: &App, session: &str, csrf: &str) -> Response {
    let html = pages::app_shell(csrf, app.third_party_script.as_deref());
    let secure = if app.secure_cookies { "; Secure" } else { "" };
    let response = with_cookie(page(StatusCode::OK, html), &app.session_cookie(session));
    with_cookie(
        response,
        &format!("XSRF-TOKEN={csrf}; Path=/{secure}; SameSite=Lax"),
    )
}

async fn script() -> Response {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

/// A JSON response.
fn reply(status: StatusCode, body: &Value) -> Response {
    let mut response = (
        status,
        [(CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    reply(status, &json!({ "error": code, "message": message }))
}

/// Why an invite cannot be accepted.
#[derive(Debug, Clone, Copy)]
enum Unavailable {
    Unknown,
    Expired,
    Used,
    /// Used, where [`Behaviour::SignInOnceUsed`] words it.
    Accepted,
}

impl Unavailable {
    /// The API's answer: 404 or 410 with what the invitee is told.
    fn answer(self) -> Response {
        match self {
            Unavailable::Unknown => error(StatusCode::NOT_FOUND, "not_found", routes::INVALID_LINK),
            Unavailable::Expired => error(StatusCode::GONE, "expired", routes::EXPIRED),
            Unavailable::Used => error(StatusCode::GONE, "used", signup::USED),
            Unavailable::Accepted => error(StatusCode::GONE, "used", routes::ALREADY_ACCEPTED),
        }
    }
}

/// The invite when it can still be accepted.
fn available(invite: Option<&Invite>) -> Result<&Invite, Unavailable> {
    let invite = invite.ok_or(Unavailable::Unknown)?;
    if invite.spec.behaviour == Behaviour::Expired {
        return Err(Unavailable::Expired);
    }
    if invite.used && invite.spec.behaviour == Behaviour::SignInOnceUsed {
        return Err(Unavailable::Accepted);
    }
    if invite.used {
        return Err(Unavailable::Used);
    }
    Ok(invite)
}

/// `GET /api/invitations/T`: the invitee's details for the form.
async fn invitation(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let memory = state::lock(&app.state);
    let invite = match available(memory.invites.get(&token)) {
        Ok(invite) => invite,
        Err(why) => return why.answer(),
    };
    let spec = &invite.spec;
    let email = session_id(&headers)
        .and_then(|id| memory.sessions.get(&id)?.email_from_link.clone())
        .unwrap_or_else(|| spec.email.clone());
    let max_length = signup::stated_max(invite);
    let stated = max_length != state::MAX_PASSWORD;
    let body = json!({
        "email": email,
        "name": format!("{} {}", spec.first_name, spec.last_name),
        "first_name": spec.first_name,
        "last_name": spec.last_name,
        "inviter": signup::inviter(invite),
        "sign_in_hint": matches!(spec.behaviour, Behaviour::StandingSignInHint { .. }),
        "password": {
            "min_length": state::MIN_PASSWORD.min(max_length),
            "max_length": max_length,
            "pattern": stated.then(|| pages::password_pattern(max_length)),
        },
    });
    reply(StatusCode::OK, &body)
}

/// The accept request's body; missing fields are empty, as a form's would be.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AcceptBody {
    email: String,
    first_name: String,
    last_name: String,
    password: String,
    password_confirmation: String,
    accept_terms: bool,
    timezone: Option<String>,
}

impl AcceptBody {
    /// The same fields as the server-rendered form sends them.
    fn into_submitted(self) -> Submitted {
        let terms = if self.accept_terms { "1" } else { "0" };
        let timezone = self.timezone.unwrap_or_else(|| DEFAULT_TIMEZONE.to_owned());
        Submitted(vec![
            ("email".to_owned(), self.email),
            ("first_name".to_owned(), self.first_name),
            ("last_name".to_owned(), self.last_name),
            ("timezone".to_owned(), timezone),
            ("password".to_owned(), self.password),
            (
                "password_confirmation".to_owned(),
                self.password_confirmation,
            ),
            ("accept_terms".to_owned(), terms.to_owned()),
        ])
    }
}

/// `POST /api/invitations/T/accept`: creates the account or says what is wrong.
async fn accept(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut memory = state::lock(&app.state);
    let Some(id) = session_id(&headers).filter(|id| csrf_matches(&memory, id, &headers)) else {
        let text = "Your session has expired. Please reload the page.";
        return error(StatusCode::FORBIDDEN, "invalid_csrf_token", text);
    };
    let Ok(body) = serde_json::from_slice::<AcceptBody>(&body) else {
        let text = "The request could not be read.";
        return error(StatusCode::BAD_REQUEST, "bad_request", text);
    };
    let fields = body.into_submitted();
    if let Err(why) = available(memory.invites.get(&token)) {
        return why.answer();
    }
    match memory.invites.get_mut(&token).and_then(signup::refuse) {
        Some(Refusal::Used) => return Unavailable::Used.answer(),
        Some(refusal) => return error(refusal.status(), "unavailable", refusal.text()),
        None => {}
    }
    let email = signup::signing_up_as(&memory, &id, &token);
    let problems = signup::problems(&memory, &token, &email, &fields);
    let behaviour = memory.invites.get(&token).map(|i| i.spec.behaviour.clone());
    if !problems.is_empty() {
        invalid(&problems)
    } else if let Some(Behaviour::GatewayTimeoutThenCreates(after)) = behaviour {
        drop(memory);
        signup::schedule_creation(&app, token, email, fields, after);
        let text = signup::GATEWAY_TIMEOUT;
        error(StatusCode::GATEWAY_TIMEOUT, "gateway_timeout", text)
    } else if behaviour == Some(Behaviour::UnrecognisedLanding) {
        signup::store(&mut memory, &token, &email, &fields);
        let text = "Almost there: confirm your email address to finish.";
        let body = json!({ "status": "confirmation_required", "message": text });
        reply(StatusCode::OK, &body)
    } else {
        created(&app, &mut memory, &id, &token, &email, &fields)
    }
}

/// Whether the request echoes the session's CSRF token in its header.
fn csrf_matches(memory: &Memory, session: &str, headers: &HeaderMap) -> bool {
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    memory
        .sessions
        .get(session)
        .is_some_and(|s| sent == Some(s.csrf.as_str()))
}

/// 422 with every problem by field, as Rails' `errors.details` are usually sent.
fn invalid(problems: &[signup::Problem]) -> Response {
    let errors: Vec<Value> = problems
        .iter()
        .map(|p| json!({ "field": p.field, "message": p.message }))
        .collect();
    let message = match problems.len() {
        1 => "1 error prohibited this account from being saved".to_owned(),
        n => format!("{n} errors prohibited this account from being saved"),
    };
    let body = json!({ "message": message, "errors": errors });
    reply(StatusCode::UNPROCESSABLE_ENTITY, &body)
}

/// Stores the account, logs the browser in (a new session) and answers 201.
fn created(
    app: &App,
    memory: &mut Memory,
    session: &str,
    token: &str,
    email: &str,
    fields: &Submitted,
) -> Response {
    let Some(email) = signup::store(memory, token, email, fields) else {
        return error(StatusCode::NOT_FOUND, "not_found", routes::INVALID_LINK);
    };
    let new_id = memory.log_in(session, &email);
    let csrf = memory.sessions.get(&new_id).map(|s| s.csrf.clone());
    let body = json!({
        "user": { "email": email, "first_name": fields.get("first_name").trim() },
        "redirect": "/home",
        "csrf_token": csrf,
    });
    with_cookie(
        reply(StatusCode::CREATED, &body),
        &app.session_cookie(&new_id),
    )
}

/// `GET /api/me`: who is logged in.
async fn me(State(app): State<App>, headers: HeaderMap) -> Response {
    let memory = state::lock(&app.state);
    let user = session_id(&headers)
        .and_then(|id| memory.sessions.get(&id)?.user.clone())
        .and_then(|email| memory.account(&email));
    match user {
        Some(account) => {
            let record = &account.record;
            let body = json!({ "email": record.email, "first_name": record.first_name });
            reply(StatusCode::OK, &body)
        }
        None => error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "You need to log in first.",
        ),
    }
}
