use std::time::{Duration, SystemTime};

use super::*;
use crate::config::{AllowedHost, FailureMarkers, FailureTexts, UrlPattern};
use crate::signup::tests::platform_with_hosts;

fn platform() -> Platform {
    let mut p = platform_with_hosts(vec![AllowedHost::parse("engage.example.com").unwrap()]);
    p.success_url = Some(UrlPattern::parse("https://engage.example.com/home*").unwrap());
    p
}

fn fetched(status: u16, path: &str, body: &str) -> Fetched {
    Fetched {
        status,
        url: Url::parse(&format!("https://engage.example.com{path}")).unwrap(),
        retry_after: None,
        body: body.to_owned(),
    }
}

fn reason(platform: &Platform, page: &Fetched, stage: Stage) -> Reason {
    failure(&read(platform, page), stage).reason
}

#[test]
fn retry_after_seconds_and_dates() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    assert_eq!(
        parse_retry_after(" 120 ", now),
        Some(Duration::from_secs(120))
    );
    let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
    assert_eq!(
        parse_retry_after(&later, now),
        Some(Duration::from_secs(90))
    );
    let earlier = httpdate::fmt_http_date(now - Duration::from_secs(90));
    assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-5", now), None);
}

#[test]
fn status_codes_come_first() {
    let p = platform();
    let mut limited = fetched(429, "/users", "<p>Your invitation has expired</p>");
    limited.retry_after = Some("30".to_owned());
    let f = failure(&read(&p, &limited), Stage::Submit);
    assert_eq!(f.reason, Reason::RateLimited);
    assert_eq!(f.retry_after, Some(Duration::from_secs(30)));
    assert!(f.detail.contains("30s"), "{}", f.detail);
    assert_eq!(
        reason(&p, &fetched(503, "/users", ""), Stage::Submit),
        Reason::ServerError
    );
    assert_eq!(
        reason(
            &p,
            &fetched(404, "/invitations/accept", "<h1>Not Found</h1>"),
            Stage::Invite
        ),
        Reason::LinkExpired
    );
    assert_eq!(
        reason(&p, &fetched(410, "/x", ""), Stage::Invite),
        Reason::LinkExpired
    );
    assert_eq!(
        reason(
            &p,
            &fetched(404, "/users", "<h1>Not Found</h1>"),
            Stage::Submit
        ),
        Reason::UnexpectedPage
    );
}

#[test]
fn default_texts_classify_common_wordings() {
    let p = platform();
    let cases = [
        (
            "<p>This invitation link has EXPIRED.</p>",
            Reason::LinkExpired,
        ),
        (
            "<div>This invitation was already used</div>",
            Reason::LinkExpired,
        ),
        (
            "<p>The invitation token provided is not valid!</p>",
            Reason::LinkExpired,
        ),
        (
            "<p>An account with this email\n   already exists.</p>",
            Reason::AlreadyRegistered,
        ),
        (
            "<li>Email has already been taken</li>",
            Reason::AlreadyRegistered,
        ),
        (
            "<li>This email address is already used</li>",
            Reason::AlreadyRegistered,
        ),
        (
            "<p>You already have an account. Sign in instead.</p>",
            Reason::AlreadyRegistered,
        ),
        (
            "<div role=alert>Password doesn\u{2019}t meet the requirements</div>",
            Reason::PasswordRejected,
        ),
        (
            "<div>Password is too long (maximum is 12 characters)</div>",
            Reason::PasswordRejected,
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            reason(&p, &fetched(422, "/users", body), Stage::Submit),
            expected,
            "{body}"
        );
    }
}

#[test]
fn selectors_win_over_texts_and_hidden_text_is_ignored() {
    let mut p = platform();
    let dup = crate::config::CssSelector::parse(".dup").unwrap();
    p.failures = FailureMarkers::new(FailureTexts::default(), [None, Some(dup), None]);
    let page = fetched(
        200,
        "/users",
        r#"<p>Password must be long</p><div class="dup"></div>"#,
    );
    assert_eq!(reason(&p, &page, Stage::Submit), Reason::AlreadyRegistered);
    let hidden = fetched(
        200,
        "/users",
        r#"<p hidden>Your link has expired</p><p style="display: none">expired</p>
           <script>var msg = "expired";</script><template><p>expired</p></template><p>Welcome?</p>"#,
    );
    assert_eq!(reason(&p, &hidden, Stage::Submit), Reason::UnexpectedPage);
}

#[test]
fn form_hints_do_not_outrank_a_real_error() {
    let p = platform();
    let body = r#"<div class="alert">This email is already registered</div>
        <form><p>Password must be 8-16 characters</p><input type=password name=p></form>"#;
    assert_eq!(
        reason(&p, &fetched(422, "/users", body), Stage::Submit),
        Reason::AlreadyRegistered
    );
}

#[test]
fn javascript_only_page_is_form_not_found_with_a_hint() {
    let p = platform();
    let body = r#"<html><head><title>Engage</title><script src="/bundle.js"></script></head>
        <body><div id="root"></div><noscript>Please turn on scripts.</noscript></body></html>"#;
    let f = failure(&read(&p, &fetched(200, "/signup", body)), Stage::Invite);
    assert_eq!(f.reason, Reason::FormNotFound);
    assert!(f.detail.contains("JavaScript"), "{}", f.detail);
    let plain = failure(
        &read(&p, &fetched(200, "/signup", "<p>Hello</p>")),
        Stage::Invite,
    );
    assert_eq!(plain.reason, Reason::FormNotFound);
    assert!(!plain.detail.contains("JavaScript"), "{}", plain.detail);
}

#[test]
fn unexpected_page_detail_has_status_path_title_but_no_query() {
    let p = platform();
    let mut page = fetched(
        403,
        "/gate?token=SECRET",
        "<title> Access   denied </title><div class=error>Blocked by policy</div>",
    );
    page.url = Url::parse("https://engage.example.com:8443/gate?token=SECRET").unwrap();
    let f = failure(&read(&p, &page), Stage::Invite);
    assert_eq!(f.reason, Reason::UnexpectedPage);
    assert!(
        f.detail
            .contains("HTTP 403 at engage.example.com:8443/gate"),
        "{}",
        f.detail
    );
    assert!(f.detail.contains("\"Access denied\""), "{}", f.detail);
    assert!(f.detail.contains("Blocked by policy"), "{}", f.detail);
    assert!(!f.detail.contains("SECRET"), "{}", f.detail);
}

#[test]
fn success_needs_every_configured_criterion() {
    let mut p = platform();
    let home = fetched(200, "/home", "<h1 class=welcome>Hi</h1>");
    assert!(is_success(&p, &read(&p, &home)).unwrap());
    assert!(!is_success(&p, &read(&p, &fetched(200, "/users", ""))).unwrap());
    assert!(!is_success(&p, &read(&p, &fetched(500, "/home", ""))).unwrap());
    p.success_selector = Some(crate::config::CssSelector::parse("h1.welcome").unwrap());
    assert!(is_success(&p, &read(&p, &home)).unwrap());
    assert!(!is_success(&p, &read(&p, &fetched(200, "/home", "<h1>Hi</h1>"))).unwrap());
    p.success_url = None;
    assert!(
        is_success(
            &p,
            &read(&p, &fetched(200, "/anywhere", "<h1 class=welcome>x</h1>"))
        )
        .unwrap()
    );
    p.success_selector = None;
    let err = is_success(&p, &read(&p, &home)).unwrap_err();
    assert_eq!(err.reason, Reason::UnexpectedPage);
    assert!(err.detail.contains("success_url"), "{}", err.detail);
}

/// The signup page as first shown, with a standing "Already have an account?".
const FORM_PAGE: &str = "<h1>Join</h1><form><input type=email value=a@b.c readonly>\
    <input type=password name=password></form>\
    <p>Already have an account? <a href=/login>Sign in</a></p>";

fn marker_after(before: &str, after: &str) -> Option<(Reason, String)> {
    let p = platform();
    let before = read(&p, &fetched(200, "/signup", before)).standing;
    new_marker(&p, &before, &read(&p, &fetched(422, "/signup", after)))
}

#[test]
fn standing_text_is_not_the_reason_a_submission_failed() {
    let refused = FORM_PAGE.replace(
        "</form>",
        "<ul class=errorlist><li>This password is too short.</li></ul></form>",
    );
    let (reason, detail) = marker_after(FORM_PAGE, &refused).unwrap();
    assert_eq!(reason, Reason::PasswordRejected, "{detail}");
    // A real "already registered" error is new text, so it still counts.
    let taken = FORM_PAGE.replace(
        "<h1>Join</h1>",
        "<h1>Join</h1><div role=alert>A user with that email already exists.</div>",
    );
    assert_eq!(
        marker_after(FORM_PAGE, &taken).unwrap().0,
        Reason::AlreadyRegistered
    );
    // Nothing new: no marker, whatever the page always says.
    assert_eq!(marker_after(FORM_PAGE, FORM_PAGE), None);
}

#[test]
fn a_password_field_marked_invalid_is_password_rejected() {
    let marked = FORM_PAGE.replace(
        "<input type=password name=password>",
        "<input type=password name=password aria-invalid=true aria-describedby=\"pw-err\">\
         <div class=invalid-feedback id=pw-err>Ce mot de passe est trop court.</div>",
    );
    let (reason, detail) = marker_after(FORM_PAGE, &marked).unwrap();
    assert_eq!(reason, Reason::PasswordRejected);
    assert!(
        detail.contains("Ce mot de passe est trop court."),
        "{detail}"
    );
}

#[test]
fn an_invite_landing_on_a_sign_in_page_says_so() {
    let p = platform();
    let login = "<title>Log in</title><form action=/login method=post>\
        <input type=email name=email><input type=password name=password \
        autocomplete=current-password><button>Log in</button></form>";
    let f = failure(&read(&p, &fetched(200, "/login", login)), Stage::Invite);
    assert_eq!(f.reason, Reason::UnexpectedPage, "{f}");
    assert!(
        f.detail.contains("sign-in page") && f.detail.contains("/login"),
        "{f}"
    );
    let flash = login.replace(
        "<form",
        "<div class=flash>This invitation has already been accepted.</div><form",
    );
    let f = failure(&read(&p, &fetched(200, "/login", &flash)), Stage::Invite);
    assert_eq!(f.reason, Reason::LinkExpired, "{f}");
}
