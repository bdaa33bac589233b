//! The flow's bookkeeping against a small strict platform: the guard before every
//! submission, retries on fresh forms, cookies kept per session only, and forms that
//! must not be sent.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use super::super::address::system_lookup;
use super::super::flow::sign_up_with;
use super::super::*;
use super::{FORM, assert_canary_untouched_but_alive, canary, local_platform, run, serve};

/// Serves `page` as the invite and signs up on it, expecting a failure.
async fn sign_up_on(page: String) -> (SignupFailure, Recorder) {
    let addr = serve(Router::new().route(
        "/invite",
        get(move || {
            let page = page.clone();
            async move { Html(page) }
        }),
    ))
    .await;
    let platform = local_platform(addr.port());
    let mut guard = Recorder::default();
    let url = format!("http://localhost:{}/invite", addr.port());
    let err = sign_up_with(
        &platform,
        &url,
        &SignupOptions::default(),
        &mut guard,
        system_lookup(),
    )
    .await
    .unwrap_err();
    (err, guard)
}

#[tokio::test]
async fn a_form_posting_off_the_allowlist_is_not_submitted() {
    let (canary_addr, count) = canary().await;
    let page = FORM.replace(
        "action=\"/signup\"",
        &format!("action=\"http://localhost:{}/collect\"", canary_addr.port()),
    );
    let (err, guard) = sign_up_on(page).await;
    assert_eq!(err.reason, Reason::BlockedRedirect, "{err}");
    assert!(!err.submitted);
    assert!(
        guard.logins.is_empty(),
        "the guard was called for a form that cannot be sent"
    );
    assert_canary_untouched_but_alive(canary_addr, &count).await;
}

/// Records what the guard saw; refuses when told to.
#[derive(Default)]
struct Recorder {
    logins: Vec<String>,
    passwords: Vec<Secret>,
    refuse: bool,
}

impl SubmitGuard for Recorder {
    fn before_submit(
        &mut self,
        login: &str,
        password: &Secret,
    ) -> impl Future<Output = Result<(), String>> + Send {
        self.logins.push(login.to_owned());
        self.passwords.push(password.clone());
        let answer = if self.refuse {
            Err("journal is read-only".to_owned())
        } else {
            Ok(())
        };
        async move { answer }
    }
}

/// A platform that sets a session cookie on the invite, rotates its CSRF token on every
/// page and refuses the first `refusals` passwords.
#[derive(Default)]
struct Strict {
    refusals: usize,
    sessions: usize,
    posts: Vec<PostSeen>,
    invite_cookies: Vec<Option<String>>,
    csrf: String,
}

#[derive(Debug, Clone)]
struct PostSeen {
    cookie: Option<String>,
    origin: Option<String>,
    referer: Option<String>,
    body: String,
}

type Shared = Arc<Mutex<Strict>>;

fn strict_form(state: &mut Strict, error: &str) -> String {
    state.csrf = format!("csrf-{}", state.posts.len());
    FORM.replace("CSRF", &state.csrf)
        .replace("<form", &format!("<p class=alert>{error}</p><form"))
}

fn strict_router(state: Shared) -> Router {
    async fn invite(State(state): State<Shared>, headers: HeaderMap) -> Response {
        let mut s = state.lock().unwrap();
        s.invite_cookies.push(header_text(&headers, header::COOKIE));
        s.sessions += 1;
        let cookie = format!("sid={}; Path=/; HttpOnly", s.sessions);
        let page = strict_form(&mut s, "");
        ([(header::SET_COOKIE, cookie)], Html(page)).into_response()
    }
    async fn submit(State(state): State<Shared>, headers: HeaderMap, body: String) -> Response {
        let mut s = state.lock().unwrap();
        let csrf_ok = body.contains(&format!("csrf={}", s.csrf));
        s.posts.push(PostSeen {
            cookie: header_text(&headers, header::COOKIE),
            origin: header_text(&headers, header::ORIGIN),
            referer: header_text(&headers, header::REFERER),
            body,
        });
        if !csrf_ok {
            return (StatusCode::UNPROCESSABLE_ENTITY, "bad csrf").into_response();
        }
        if s.posts.len() <= s.refusals {
            let page = strict_form(&mut s, "Password is too weak");
            return (StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response();
        }
        Redirect::to("/home").into_response()
    }
    Router::new()
        .route("/invite", get(invite))
        .route("/signup", axum::routing::post(submit))
        .route("/home", get(|| async { Html("<h1>Welcome</h1>") }))
        .with_state(state)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn refused_passwords_are_retried_on_the_fresh_form_with_the_guard_first() {
    let state = Shared::default();
    state.lock().unwrap().refusals = 2;
    let addr = serve(strict_router(Arc::clone(&state))).await;
    let platform = local_platform(addr.port());
    let invite = format!("http://localhost:{}/invite?token=T", addr.port());
    let mut guard = Recorder::default();
    let account = sign_up_with(
        &platform,
        &invite,
        &SignupOptions::default(),
        &mut guard,
        system_lookup(),
    )
    .await
    .unwrap();
    assert_eq!(account.login, "ann@example.org");
    assert_eq!(
        account.landed_url,
        format!("http://localhost:{}/home", addr.port())
    );
    let s = state.lock().unwrap();
    assert_eq!(s.posts.len(), 3);
    assert_eq!(guard.passwords.len(), 3, "one guard call per submission");
    assert_eq!(guard.logins, vec!["ann@example.org"; 3]);
    assert_eq!(guard.passwords[2], account.password);
    assert!(guard.passwords[0] != guard.passwords[1] && guard.passwords[1] != guard.passwords[2]);
    // The first form came with the invite page, the next ones with the refusal page.
    let resubmit_page = format!("http://localhost:{}/signup", addr.port());
    let referers = [invite.as_str(), &resubmit_page, &resubmit_page];
    for ((post, password), referer) in s.posts.iter().zip(&guard.passwords).zip(referers) {
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(post.body.as_bytes())
            .into_owned()
            .collect();
        assert!(fields.contains(&("password".to_owned(), password.expose().to_owned())));
        assert_eq!(post.cookie.as_deref(), Some("sid=1"));
        assert_eq!(
            post.origin.as_deref(),
            Some(format!("http://localhost:{}", addr.port()).as_str())
        );
        assert_eq!(post.referer.as_deref(), Some(referer));
    }
}

#[tokio::test]
async fn passwords_refused_three_times_fail_and_each_session_starts_without_cookies() {
    let state = Shared::default();
    state.lock().unwrap().refusals = usize::MAX;
    let addr = serve(strict_router(Arc::clone(&state))).await;
    let platform = local_platform(addr.port());
    let invite = format!("http://localhost:{}/invite", addr.port());
    for _ in 0..2 {
        let err = run(&platform, &invite).await.unwrap_err();
        assert_eq!(err.reason, Reason::PasswordRejected, "{err}");
        assert!(err.submitted);
        // Refused with the form shown again: the outcome is known, nothing was created.
        assert!(err.refused && !err.outcome_unknown());
        assert!(err.detail.contains("3 times"), "{err}");
    }
    let s = state.lock().unwrap();
    assert_eq!(s.posts.len(), 6);
    assert_eq!(
        s.invite_cookies,
        vec![None, None],
        "a session leaked cookies into the next"
    );
    assert_eq!(s.posts[3].cookie.as_deref(), Some("sid=2"));
}

#[tokio::test]
async fn a_refusing_guard_stops_the_submission() {
    let state = Shared::default();
    let addr = serve(strict_router(Arc::clone(&state))).await;
    let platform = local_platform(addr.port());
    let mut guard = Recorder {
        refuse: true,
        ..Recorder::default()
    };
    let err = sign_up_with(
        &platform,
        &format!("http://localhost:{}/invite", addr.port()),
        &SignupOptions::default(),
        &mut guard,
        system_lookup(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.reason, Reason::UnexpectedPage);
    assert!(err.detail.contains("journal is read-only"), "{err}");
    assert!(!err.submitted);
    assert!(state.lock().unwrap().posts.is_empty());
}

#[tokio::test]
async fn without_success_criteria_nothing_is_even_fetched() {
    let state = Shared::default();
    let addr = serve(strict_router(Arc::clone(&state))).await;
    let mut platform = local_platform(addr.port());
    platform.success_url = None;
    let err = run(
        &platform,
        &format!("http://localhost:{}/invite", addr.port()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.reason, Reason::UnexpectedPage);
    assert!(err.detail.contains("success_url"), "{err}");
    assert!(state.lock().unwrap().invite_cookies.is_empty());
}

#[tokio::test]
async fn a_get_form_is_never_submitted_as_the_password_would_be_in_a_url() {
    let page = FORM.replace("method=\"post\"", "method=\"get\"");
    let (err, guard) = sign_up_on(page).await;
    assert_eq!(err.reason, Reason::FormNotFound, "{err}");
    assert!(err.detail.contains("method=get"), "{err}");
    assert!(!err.submitted);
    assert!(
        guard.passwords.is_empty(),
        "a password was generated for it"
    );
}

/// A page whose password inputs state hundreds of different, costly patterns (compiled
/// without limits, a 27 KB page like it took 19 s and 3 GB): refused within moments,
/// with nothing submitted.
#[tokio::test]
async fn a_page_full_of_costly_password_patterns_is_refused_quickly() {
    let inputs: String = (0..300)
        .map(|i| {
            format!(
                "<input type=\"password\" name=\"p{i}\" \
                 pattern=\"(?:[A-Za-z0-9!@#$%^&amp;*]{{1,{}}}){{1,200}}\">",
                100 + i
            )
        })
        .collect();
    let page = FORM.replace("<input type=\"password\" name=\"password\">", &inputs);
    assert!(page.len() > 25_000, "{}", page.len());
    let started = std::time::Instant::now();
    let (err, guard) = sign_up_on(page).await;
    assert_eq!(err.reason, Reason::PasswordRejected, "{err}");
    assert!(err.detail.contains("300 different"), "{err}");
    assert!(!err.submitted && guard.passwords.is_empty());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}
