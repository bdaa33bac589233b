//! The platform simulator driven like a browser would: a plain reqwest client with a
//! cookie jar, over real HTTPS on loopback, trusting only the simulator's CA.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

use std::time::{Duration, Instant};

use onbehalf_sim::{AccountRecord, Behaviour, InviteSpec, RequestRecord, SimOptions, Simulator};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use scraper::{Html, Selector};

#[path = "sim/behaviours.rs"]
mod behaviours;
#[path = "sim/server.rs"]
mod server;
#[path = "sim/spa.rs"]
mod spa;

const GOOD_PASSWORD: &str = "Tr0ub4dor&3xyz!";

async fn start() -> Simulator {
    Simulator::start(SimOptions::default()).await.unwrap()
}

/// A browser-like client: cookies on, redirects followed, trusting the simulator's CA.
fn browser(sim: &Simulator) -> reqwest::Client {
    builder(sim).build().unwrap()
}

/// A client that shows each redirect instead of following it.
fn no_redirects(sim: &Simulator) -> reqwest::Client {
    builder(sim).redirect(Policy::none()).build().unwrap()
}

fn builder(sim: &Simulator) -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let authority = sim.authority();
    let host = authority.split(':').next().unwrap();
    let mut builder = reqwest::Client::builder()
        .cookie_store(true)
        .resolve(host, sim.addr());
    if let Some(pem) = sim.ca_pem() {
        let ca = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
        builder = builder.tls_certs_only([ca]);
    }
    builder
}

fn jane() -> InviteSpec {
    InviteSpec::new("jane@partner.test", "Jane", "Doe")
}

fn select_all(html: &str, css: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector).map(|e| e.html()).collect()
}

fn attr(html: &str, css: &str, name: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector)
        .next()
        .and_then(|e| e.value().attr(name).map(str::to_owned))
}

fn text(html: &str, css: &str) -> String {
    let doc = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    doc.select(&selector)
        .flat_map(|e| e.text())
        .collect::<String>()
}

fn csrf(html: &str) -> String {
    attr(html, "form#signup input[name=authenticity_token]", "value")
        .or_else(|| attr(html, "input[name=authenticity_token]", "value"))
        .expect("a CSRF token in the page")
}

/// The fields a browser sends for the signup form, with `password` in both boxes.
fn signup_fields(html: &str, password: &str) -> Vec<(String, String)> {
    vec![
        ("authenticity_token".into(), csrf(html)),
        ("first_name".into(), "Jane".into()),
        ("last_name".into(), "Doe".into()),
        (
            "email".into(),
            attr(html, "input[name=email]", "value").unwrap(),
        ),
        ("timezone".into(), "Etc/UTC".into()),
        ("password".into(), password.into()),
        ("password_confirmation".into(), password.into()),
        ("accept_terms".into(), "0".into()),
        ("accept_terms".into(), "1".into()),
        ("commit".into(), "Create account".into()),
    ]
}

fn with(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    fields.retain(|(k, _)| k != name);
    fields.push((name.into(), value.into()));
    fields
}

/// Opens the invite link and returns the page it lands on.
async fn open(client: &reqwest::Client, url: &str) -> (StatusCode, String, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    let landed = response.url().path().to_owned();
    (status, landed, response.text().await.unwrap())
}

async fn post_signup(
    sim: &Simulator,
    client: &reqwest::Client,
    fields: &[(String, String)],
) -> (StatusCode, String, String) {
    let url = format!("{}/signup", sim.base_url());
    let response = client.post(url).form(fields).send().await.unwrap();
    let status = response.status();
    let landed = response.url().path().to_owned();
    (status, landed, response.text().await.unwrap())
}

#[tokio::test]
async fn happy_path_creates_the_account_and_lands_on_home() {
    let sim = start().await;
    let client = browser(&sim);
    let link = sim.issue_invite(jane());
    assert!(link.starts_with(&format!("{}/invitations/accept?token=", sim.base_url())));

    let (status, landed, html) = open(&client, &link).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "/signup"));
    let forms = select_all(&html, "form");
    assert!(forms.len() >= 2, "an unrelated form comes first");
    assert!(!forms[0].contains("type=\"password\""));
    assert_eq!(attr(&html, "form#signup", "action").unwrap(), "/signup");
    assert_eq!(
        attr(&html, "input[name=first_name]", "value").unwrap(),
        "Jane"
    );
    assert!(attr(&html, "input[name=email]", "readonly").is_some());
    assert_eq!(
        select_all(&html, "select[name=timezone] option[selected]").len(),
        1
    );
    assert_eq!(
        attr(&html, "input[name=password]", "maxlength").unwrap(),
        "16"
    );
    assert_eq!(
        attr(&html, "input[name=password_confirmation]", "minlength").unwrap(),
        "8"
    );
    assert_eq!(
        attr(&html, "input[type=checkbox]", "name").unwrap(),
        "accept_terms"
    );
    assert_eq!(
        attr(&html, "button[type=submit][name=commit]", "value").unwrap(),
        "Create account"
    );

    let (status, landed, home) =
        post_signup(&sim, &client, &signup_fields(&html, GOOD_PASSWORD)).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "/home"));
    assert_eq!(text(&home, "h1.welcome"), "Welcome, Jane!");
    assert_eq!(
        sim.accounts(),
        vec![AccountRecord {
            email: "jane@partner.test".into(),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
        }]
    );
    assert!(sim.password_works("jane@partner.test", GOOD_PASSWORD));
    assert!(!sim.password_works("jane@partner.test", "Tr0ub4dor&3xyz?"));
    assert!(!sim.password_works("other@partner.test", GOOD_PASSWORD));
    sim.shutdown().await;
}

#[tokio::test]
async fn missing_or_wrong_csrf_token_is_refused_without_an_account() {
    let sim = start().await;
    let client = browser(&sim);
    let (_, _, html) = open(&client, &sim.issue_invite(jane())).await;
    let fields = signup_fields(&html, GOOD_PASSWORD);

    let wrong = with(fields.clone(), "authenticity_token", "forged");
    let (status, _, page) = post_signup(&sim, &client, &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Your session has expired. Please reload the page."));

    let missing: Vec<_> = fields
        .iter()
        .filter(|(k, _)| k != "authenticity_token")
        .cloned()
        .collect();
    let (status, _, _) = post_signup(&sim, &client, &missing).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A right token from another browser's session is still wrong without its cookie.
    let stranger = browser(&sim);
    let (status, _, _) = post_signup(&sim, &stranger, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sim.accounts().is_empty());
}

#[tokio::test]
async fn password_policy_violation_rerenders_the_form_with_the_reason() {
    let sim = start().await;
    let client = browser(&sim);
    let (_, _, html) = open(&client, &sim.issue_invite(jane())).await;
    let fields = with(
        signup_fields(&html, "alllowercase1!"),
        "first_name",
        "Janet",
    );

    let (status, landed, page) = post_signup(&sim, &client, &fields).await;
    assert_eq!(
        (status, landed.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "/signup")
    );
    let alert = text(&page, "div.alert.alert-danger");
    assert!(
        alert.contains("Password must contain at least one uppercase letter"),
        "{alert}"
    );
    assert_eq!(
        attr(&page, "input[name=first_name]", "value").unwrap(),
        "Janet"
    );
    assert_ne!(
        csrf(&page),
        csrf(&html),
        "a fresh CSRF token after a failed submit"
    );
    assert!(sim.accounts().is_empty());

    let mut page = page;
    for (password, reason) in [
        ("Sh0rt!", "Password is too short"),
        (
            "Waytoolong1!Waytoolong",
            "Password is too long (maximum is 16 characters)",
        ),
        ("Spaces in 1!", "Password must only contain"),
    ] {
        let (status, _, retry) = post_signup(&sim, &client, &signup_fields(&page, password)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            text(&retry, ".alert-danger").contains(reason),
            "{password}: {retry}"
        );
        page = retry;
    }

    // The page's fresh token works: the form can be fixed and resubmitted.
    let mismatch = with(
        signup_fields(&page, GOOD_PASSWORD),
        "password_confirmation",
        "Other1!x",
    );
    let (status, _, page) = post_signup(&sim, &client, &mismatch).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Password confirmation doesn&#x27;t match Password"));
    let unticked = with(signup_fields(&page, GOOD_PASSWORD), "accept_terms", "0");
    let (_, _, page) = post_signup(&sim, &client, &unticked).await;
    assert!(page.contains("You must accept the terms"));
    let (_, landed, _) = post_signup(&sim, &client, &signup_fields(&page, GOOD_PASSWORD)).await;
    assert_eq!(landed, "/home");
    assert_eq!(sim.accounts().len(), 1);
}

#[tokio::test]
async fn tampered_email_is_refused() {
    let sim = start().await;
    let client = browser(&sim);
    let (_, _, html) = open(&client, &sim.issue_invite(jane())).await;
    let fields = with(
        signup_fields(&html, GOOD_PASSWORD),
        "email",
        "mallory@evil.test",
    );
    let (status, _, page) = post_signup(&sim, &client, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Email does not match the invitation"));
    assert!(sim.accounts().is_empty());
}

#[tokio::test]
async fn a_used_invite_says_already_used() {
    let sim = start().await;
    let link = sim.issue_invite(jane());
    let client = browser(&sim);
    let (_, _, html) = open(&client, &link).await;
    post_signup(&sim, &client, &signup_fields(&html, GOOD_PASSWORD)).await;

    let (_, landed, page) = open(&browser(&sim), &link).await;
    assert_eq!(landed, "/invitations/accept");
    assert!(page.contains("This invitation has already been used. Log in instead."));
    assert_eq!(sim.accounts().len(), 1);
}

#[tokio::test]
async fn home_without_a_session_redirects_to_login() {
    let sim = start().await;
    let response = no_redirects(&sim)
        .get(format!("{}/home", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/login");
    let signup = no_redirects(&sim)
        .get(format!("{}/signup", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.headers()["location"], "/login");
}

async fn log_in(
    sim: &Simulator,
    client: &reqwest::Client,
    password: &str,
) -> (StatusCode, String, String) {
    let login = format!("{}/login", sim.base_url());
    let page = client
        .get(&login)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fields = [
        ("authenticity_token", csrf(&page)),
        ("email", "jane@partner.test".to_owned()),
        ("password", password.to_owned()),
    ];
    let response = client.post(&login).form(&fields).send().await.unwrap();
    let status = response.status();
    let landed = response.url().path().to_owned();
    (status, landed, response.text().await.unwrap())
}

#[tokio::test]
async fn login_checks_the_password_and_logout_ends_the_session() {
    let sim = start().await;
    let signup = browser(&sim);
    let (_, _, html) = open(&signup, &sim.issue_invite(jane())).await;
    post_signup(&sim, &signup, &signup_fields(&html, GOOD_PASSWORD)).await;

    let (status, _, page) = log_in(&sim, &browser(&sim), "Wrong0ne!").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Invalid email or password."));

    let client = browser(&sim);
    let (status, landed, home) = log_in(&sim, &client, GOOD_PASSWORD).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "/home"));
    assert_eq!(text(&home, "h1.welcome"), "Welcome, Jane!");

    let logout = [("authenticity_token", csrf(&home))];
    let url = format!("{}/logout", sim.base_url());
    let response = client.post(url).form(&logout).send().await.unwrap();
    assert_eq!(response.url().path(), "/login");
    let again = client
        .get(format!("{}/home", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(again.url().path(), "/login");
}
