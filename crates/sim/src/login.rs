//! `GET`/`POST /login` and `POST /logout`: a real password login against the stored
//! hashes, with CSRF tokens like every other form.
//!
//! In: the session cookie and the submitted form. Out: the login page, a redirect to
//! `/home` with a fresh logged-in session, or a redirect to `/login` after logout.

use std::collections::HashMap;
use std::time::Duration;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::pages;
use super::routes::{App, page, redirect, session_expired, session_id, with_cookie};
use super::state;

/// `GET /login`: the form, in the browser's session or a new one.
pub(super) async fn show(State(app): State<App>, headers: HeaderMap) -> Response {
    let mut memory = state::lock(&app.state);
    let existing = session_id(&headers).and_then(|id| {
        memory
            .sessions
            .get_mut(&id)
            .map(|s| (s.user.is_some(), s.csrf.clone(), s.flash.take()))
    });
    match existing {
        Some((true, _, _)) => redirect(StatusCode::FOUND, "/home"),
        Some((false, csrf, flash)) => {
            page(StatusCode::OK, pages::login(&csrf, "", flash.as_deref()))
        }
        None => {
            let id = memory.new_session(None, None, Duration::ZERO);
            let csrf = memory
                .sessions
                .get(&id)
                .map(|s| s.csrf.clone())
                .unwrap_or_default();
            let response = page(StatusCode::OK, pages::login(&csrf, "", None));
            with_cookie(response, &app.session_cookie(&id))
        }
    }
}

/// `POST /login`: logs in when the password matches the stored hash.
pub(super) async fn submit(
    State(app): State<App>,
    headers: HeaderMap,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| fields.get(name).map_or("", String::as_str);
    let mut memory = state::lock(&app.state);
    let Some(id) = session_id(&headers).filter(|id| {
        memory
            .sessions
            .get(id)
            .is_some_and(|s| s.csrf == field("authenticity_token"))
    }) else {
        return session_expired();
    };
    let email = field("email").trim();
    let known = memory
        .account(email)
        .filter(|account| account.password_is(field("password")))
        .map(|account| account.record.email.clone());
    match known {
        Some(email) => {
            let new_id = memory.log_in(&id, &email);
            with_cookie(
                redirect(StatusCode::SEE_OTHER, "/home"),
                &app.session_cookie(&new_id),
            )
        }
        None => {
            let csrf = memory.rotate_csrf(&id).unwrap_or_default();
            let html = pages::login(&csrf, email, Some("Invalid email or password."));
            page(StatusCode::UNPROCESSABLE_ENTITY, html)
        }
    }
}

/// `POST /logout`: ends the session.
pub(super) async fn logout(
    State(app): State<App>,
    headers: HeaderMap,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let token = fields.get("authenticity_token").map_or("", String::as_str);
    let mut memory = state::lock(&app.state);
    let Some(id) =
        session_id(&headers).filter(|id| memory.sessions.get(id).is_some_and(|s| s.csrf == token))
    else {
        return session_expired();
    };
    memory.sessions.remove(&id);
    with_cookie(
        redirect(StatusCode::SEE_OTHER, "/login"),
        &app.expired_cookie(),
    )
}
