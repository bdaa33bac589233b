//! The simulated platform's routes, the request log and the response delays.
//!
//! In: HTTP requests. Out: responses, after recording each request and holding the
//! response back by the configured latency (plus a slow invite's delay). The signup and
//! login handlers live in `signup.rs` and `login.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use super::state::{self, State as Memory};
use super::{Behaviour, Frontend, RequestRecord, login, pages, signup, spa};

/// The session cookie's name.
const SESSION_COOKIE: &str = "_engage_session";

/// What every handler shares.
#[derive(Clone)]
pub(super) struct App {
    pub state: Arc<Mutex<Memory>>,
    /// Mark the session cookie `Secure` (when serving HTTPS).
    pub secure_cookies: bool,
    /// Added to every response.
    pub latency: Duration,
    /// Which signup pages the invite links lead to.
    pub frontend: Frontend,
    /// The third-party script the app shell loads, if any.
    pub third_party_script: Option<String>,
}

impl App {
    /// The `Set-Cookie` value that gives the browser session `id`.
    pub fn session_cookie(&self, id: &str) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{SESSION_COOKIE}={id}; Path=/{secure}; HttpOnly; SameSite=Lax")
    }

    /// The `Set-Cookie` value that deletes the session cookie.
    pub fn expired_cookie(&self) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{SESSION_COOKIE}=; Path=/; Max-Age=0{secure}; HttpOnly; SameSite=Lax")
    }
}

/// The application with its middleware.
pub(super) fn router(app: App) -> Router {
    let frontend = match app.frontend {
        Frontend::ServerRendered => Router::new()
            .route("/invitations/accept", get(accept_invite))
            .route("/join/{token}", get(join))
            .route("/home", get(home)),
        Frontend::ScriptBuilt => spa::routes(),
    };
    frontend
        .route("/", get(root))
        .route("/signup", get(signup::show).post(signup::submit))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/assets/application.css", get(stylesheet))
        .route("/assets/application.js", get(script))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(app.clone(), track))
        .with_state(app)
}

/// Records the request, handles it, then holds the response back as configured.
async fn track(State(app): State<App>, request: Request, next: Next) -> Response {
    let delay = {
        let mut memory = state::lock(&app.state);
        let path = request.uri().path_and_query().map_or_else(
            || request.uri().path().to_owned(),
            |pq| pq.as_str().to_owned(),
        );
        memory.requests.push(RequestRecord {
            method: request.method().to_string(),
            path,
        });
        app.latency + slow_delay(&memory, &request)
    };
    let response = next.run(request).await;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    response
}

/// A slow invite's delay, found from the link's token or the session it started.
fn slow_delay(memory: &Memory, request: &Request) -> Duration {
    let by_session = session_id(request.headers())
        .and_then(|id| memory.sessions.get(&id))
        .map_or(Duration::ZERO, |s| s.delay);
    let by_token = request
        .uri()
        .query()
        .and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v.into_owned())
        })
        .filter(|_| request.uri().path() == "/invitations/accept")
        .and_then(|token| memory.invites.get(&token).map(state::Invite::delay))
        .unwrap_or(Duration::ZERO);
    by_session.max(by_token)
}

/// The session id from the request's cookies, if any.
pub(super) fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// An HTML response with this status.
pub(super) fn page(status: StatusCode, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A redirect with a relative `Location`, as apps send them.
pub(super) fn redirect(status: StatusCode, location: &str) -> Response {
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// Adds a `Set-Cookie` header.
pub(super) fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// The page Rails shows for a missing or wrong CSRF token.
pub(super) fn session_expired() -> Response {
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        pages::message(
            "Session expired",
            "Your session has expired. Please reload the page.",
            None,
        ),
    )
}

async fn root(State(app): State<App>, headers: HeaderMap) -> Response {
    let logged_in = session_id(&headers).is_some_and(|id| {
        state::lock(&app.state)
            .sessions
            .get(&id)
            .is_some_and(|s| s.user.is_some())
    });
    redirect(
        StatusCode::FOUND,
        if logged_in { "/home" } else { "/login" },
    )
}

/// `GET /invitations/accept?token=…`: the invite link.
async fn accept_invite(
    State(app): State<App>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = query.get("token").cloned().unwrap_or_default();
    open_invite(&app, token, query.get("email").cloned())
}

/// `GET /join/…`: the invite link with its token in the path.
async fn join(
    State(app): State<App>,
    Path(token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    open_invite(&app, token, query.get("email").cloned())
}

/// What an unknown invite link says.
pub(super) const INVALID_LINK: &str = "This invitation link is invalid.";
/// What an expired invite says.
pub(super) const EXPIRED: &str =
    "This invitation has expired. Ask your administrator for a new one.";
/// What a used invite says where [`Behaviour::SignInOnceUsed`] sends the invitee.
pub(super) const ALREADY_ACCEPTED: &str =
    "This invitation has already been accepted. Log in to continue.";

/// Binds a new session to the invite `token` (pre-filling `email` when the invite's
/// behaviour takes it from the link) and sends the browser to the form.
fn open_invite(app: &App, token: String, email: Option<String>) -> Response {
    let mut memory = state::lock(&app.state);
    let Some(invite) = memory.invites.get_mut(&token) else {
        let text = INVALID_LINK;
        return page(
            StatusCode::NOT_FOUND,
            pages::message("Invitation not found", text, None),
        );
    };
    invite.gets += 1;
    match &invite.spec.behaviour {
        Behaviour::RedirectTo(url) => return redirect(StatusCode::FOUND, url),
        Behaviour::RateLimitedOnce { retry_after_secs } if invite.gets == 1 => {
            return rate_limited(*retry_after_secs);
        }
        Behaviour::Expired => {
            let text = EXPIRED;
            let html = pages::message("Invitation expired", text, None);
            return page(StatusCode::GONE, html);
        }
        _ => {}
    }
    if invite.spec.behaviour == Behaviour::UsedOnFirstView && invite.gets > 1 {
        let text = "This invitation has already been used. Log in instead.";
        let html = pages::message("Invitation already used", text, Some(("/login", "Log in")));
        return page(StatusCode::OK, html);
    }
    if invite.used && invite.spec.behaviour == Behaviour::SignInOnceUsed {
        let id = memory.new_session(None, None, Duration::ZERO);
        if let Some(session) = memory.sessions.get_mut(&id) {
            session.flash = Some(ALREADY_ACCEPTED.to_owned());
        }
        drop(memory);
        return with_cookie(
            redirect(StatusCode::FOUND, "/login"),
            &app.session_cookie(&id),
        );
    }
    if invite.used {
        let text = signup::USED;
        let html = pages::message("Invitation already used", text, Some(("/login", "Log in")));
        return page(StatusCode::OK, html);
    }
    let delay = invite.delay();
    let email = email.filter(|_| invite.spec.behaviour == Behaviour::EmailFromQuery);
    let id = memory.new_session(Some(token), None, delay);
    if let Some(session) = memory.sessions.get_mut(&id) {
        session.email_from_link = email;
    }
    drop(memory);
    with_cookie(
        redirect(StatusCode::SEE_OTHER, "/signup"),
        &app.session_cookie(&id),
    )
}

/// The 429 page a rate limiter in front of the app answers.
pub(super) fn rate_limited(retry_after_secs: u64) -> Response {
    let text = format!("Too many requests. Please wait {retry_after_secs} seconds and try again.");
    let mut response = page(
        StatusCode::TOO_MANY_REQUESTS,
        pages::message("Too many requests", &text, None),
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// `GET /home`: the landing page after signup or login.
async fn home(State(app): State<App>, headers: HeaderMap) -> Response {
    let memory = state::lock(&app.state);
    let found = session_id(&headers)
        .and_then(|id| memory.sessions.get(&id))
        .and_then(|s| Some((s.user.as_deref()?, s.csrf.as_str())))
        .and_then(|(email, csrf)| Some((memory.account(email)?, csrf)));
    match found {
        Some((account, csrf)) => page(
            StatusCode::OK,
            pages::home(&account.record.first_name, csrf),
        ),
        None => redirect(StatusCode::FOUND, "/login"),
    }
}

async fn stylesheet() -> Response {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::STYLESHEET,
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8")],
        pages::SCRIPT,
    )
        .into_response()
}

async fn not_found() -> Response {
    let text = "The page you were looking for doesn't exist.";
    page(
        StatusCode::NOT_FOUND,
        pages::message("Page not found", text, Some(("/", "Go home"))),
    )
}

async fn method_not_allowed() -> Response {
    let text = "This page cannot be requested that way.";
    page(
        StatusCode::METHOD_NOT_ALLOWED,
        pages::message("Method not allowed", text, None),
    )
}
