//! The script-built frontend over real HTTPS: the app shell, the JSON API a browser's
//! script calls (with the session cookie and the CSRF header), and, when Debian's
//! Chromium is installed, the form the script renders.

use std::time::{Duration, Instant};

use onbehalf_sim::{Behaviour, Frontend, InviteSpec, SimOptions, Simulator};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{GOOD_PASSWORD, attr, browser, jane, select_all};

async fn start_spa() -> Simulator {
    Simulator::start(SimOptions {
        frontend: Frontend::ScriptBuilt,
        third_party_script: Some("https://cdn.analytics.test/tag.js".to_owned()),
        ..SimOptions::default()
    })
    .await
    .unwrap()
}

/// The token of an invite link.
fn token_of(link: &str) -> &str {
    link.split_once("token=").unwrap().1
}

/// Loads the app shell as a browser does and returns it with the CSRF token it carries.
async fn load_shell(client: &reqwest::Client, link: &str) -> (String, String) {
    let response = client.get(link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let csrf = attr(&html, "meta[name=csrf-token]", "content").unwrap();
    (html, csrf)
}

async fn get_json(client: &reqwest::Client, url: &str) -> (StatusCode, Value) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

async fn accept(
    sim: &Simulator,
    client: &reqwest::Client,
    token: &str,
    csrf: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let url = format!("{}/api/invitations/{token}/accept", sim.base_url());
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

fn body(password: &str, terms: bool) -> Value {
    json!({
        "email": "jane@partner.test",
        "first_name": "Jane",
        "last_name": "Doe",
        "password": password,
        "password_confirmation": password,
        "accept_terms": terms,
    })
}

fn fields_in_error(answer: &Value) -> Vec<&str> {
    answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_invite_link_and_deep_links_serve_a_shell_without_a_form() {
    let sim = start_spa().await;
    let client = browser(&sim);
    let link = sim.issue_invite(jane());
    let (html, csrf) = load_shell(&client, &link).await;
    assert!(select_all(&html, "form").is_empty(), "{html}");
    assert!(select_all(&html, "input").is_empty());
    assert_eq!(select_all(&html, "div#app").len(), 1);
    let scripts: Vec<String> = select_all(&html, "script[src]");
    assert!(scripts.iter().any(|s| s.contains("/assets/app.js")));
    assert!(scripts.iter().any(|s| s.contains("cdn.analytics.test")));
    assert!(!csrf.is_empty());

    for path in ["/home", "/invitations/error"] {
        let (html, _) = load_shell(&client, &format!("{}{path}", sim.base_url())).await;
        assert_eq!(select_all(&html, "div#app").len(), 1, "{path}");
    }
    let script = client
        .get(format!("{}/assets/app.js", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.text().await.unwrap().contains("history.pushState"));
}

#[tokio::test]
async fn the_api_gives_the_invitees_details() {
    let sim = start_spa().await;
    let client = browser(&sim);
    let link = sim.issue_path_invite(jane());
    load_shell(&client, &link).await;
    let token = link.rsplit('/').next().unwrap();
    let url = format!("{}/api/invitations/{token}", sim.base_url());
    let (status, invite) = get_json(&client, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(invite["email"], "jane@partner.test");
    assert_eq!(invite["name"], "Jane Doe");
    assert_eq!(invite["password"]["max_length"], 16);
}

#[tokio::test]
async fn accepting_without_the_csrf_header_is_refused_and_creates_nothing() {
    let sim = start_spa().await;
    let client = browser(&sim);
    let link = sim.issue_invite(jane());
    let (_, csrf) = load_shell(&client, &link).await;
    let token = token_of(&link);
    let (status, _) = accept(&sim, &client, token, None, &body(GOOD_PASSWORD, true)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let wrong = format!("{csrf}x");
    let (status, _) = accept(
        &sim,
        &client,
        token,
        Some(&wrong),
        &body(GOOD_PASSWORD, true),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another browser's session does not carry this one's token.
    let stranger = browser(&sim);
    let (status, _) = accept(
        &sim,
        &stranger,
        token,
        Some(&csrf),
        &body(GOOD_PASSWORD, true),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(sim.accounts().is_empty());
}

#[tokio::test]
async fn a_refused_submission_answers_422_with_errors_by_field() {
    let sim = start_spa().await;
    let client = browser(&sim);
    let link = sim.issue_invite(jane());
    let (_, csrf) = load_shell(&client, &link).await;
    let token = token_of(&link);

    // What a script-set value that never fired an input event sends: nothing.
    let (status, answer) = accept(&sim, &client, token, Some(&csrf), &body("", true)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields_in_error(&answer).contains(&"password"));
    assert_eq!(answer["errors"][0]["message"], "Password can't be blank");

    let (status, answer) = accept(&sim, &client, token, Some(&csrf), &body("short", false)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = fields_in_error(&answer);
    assert!(fields.contains(&"password") && fields.contains(&"accept_terms"));
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("errors prohibited")
    );
    assert!(sim.accounts().is_empty());

    // The same session and token work once the submission is right.
    let (status, _) = accept(
        &sim,
        &client,
        token,
        Some(&csrf),
        &body(GOOD_PASSWORD, true),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_valid_submission_creates_the_account_logs_in_and_uses_up_the_invite() {
    let sim = start_spa().await;
    let client = browser(&sim);
    let link = sim.issue_invite(jane());
    let (_, csrf) = load_shell(&client, &link).await;
    let token = token_of(&link);
    let (status, answer) = accept(
        &sim,
        &client,
        token,
        Some(&csrf),
        &body(GOOD_PASSWORD, true),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["redirect"], "/home");
    assert_eq!(answer["user"]["first_name"], "Jane");
    assert_eq!(sim.accounts().len(), 1);
    assert_eq!(sim.accounts()[0].email, "jane@partner.test");
    assert!(sim.password_works("jane@partner.test", GOOD_PASSWORD));
    let (status, me) = get_json(&client, &format!("{}/api/me", sim.base_url())).await;
    assert_eq!(
        (status, me["first_name"].as_str()),
        (StatusCode::OK, Some("Jane"))
    );

    let url = format!("{}/api/invitations/{token}", sim.base_url());
    let (status, used) = get_json(&browser(&sim), &url).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        used["message"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );
    let other = browser(&sim);
    let (_, csrf) = load_shell(&other, &link).await;
    let (status, _) = accept(&sim, &other, token, Some(&csrf), &body(GOOD_PASSWORD, true)).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(sim.accounts().len(), 1);
}

#[tokio::test]
async fn unknown_and_expired_invites_answer_404_and_410() {
    let sim = start_spa().await;
    let client = browser(&sim);
    let url = format!("{}/api/invitations/nope", sim.base_url());
    let (status, _) = get_json(&client, &url).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let link = sim.issue_invite(jane().behaviour(Behaviour::Expired));
    let (_, csrf) = load_shell(&client, &link).await;
    let url = format!("{}/api/invitations/{}", sim.base_url(), token_of(&link));
    let (status, expired) = get_json(&client, &url).await;
    assert_eq!(
        (status, expired["error"].as_str()),
        (StatusCode::GONE, Some("expired"))
    );
    let good = body(GOOD_PASSWORD, true);
    let (status, _) = accept(&sim, &client, token_of(&link), Some(&csrf), &good).await;
    assert_eq!(status, StatusCode::GONE);
}

#[tokio::test]
async fn behaviours_apply_to_the_api() {
    let sim = start_spa().await;
    let client = browser(&sim);
    let stricter = Behaviour::StricterPassword {
        max_length: 12,
        stated_in_html: false,
    };
    let link = sim.issue_invite(jane().behaviour(stricter));
    let (_, csrf) = load_shell(&client, &link).await;
    let (status, answer) = accept(
        &sim,
        &client,
        token_of(&link),
        Some(&csrf),
        &body(GOOD_PASSWORD, true),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too long")
    );

    let registered = InviteSpec::new("joe@partner.test", "Joe", "Bloggs")
        .behaviour(Behaviour::AlreadyRegistered);
    let link = sim.issue_invite(registered);
    let (_, csrf) = load_shell(&client, &link).await;
    let mut joe = body(GOOD_PASSWORD, true);
    joe["email"] = json!("joe@partner.test");
    let (status, answer) = accept(&sim, &client, token_of(&link), Some(&csrf), &joe).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields_in_error(&answer), ["email"]);

    let after = Duration::from_millis(50);
    let link = sim.issue_invite(
        InviteSpec::new("ann@partner.test", "Ann", "Lee")
            .behaviour(Behaviour::GatewayTimeoutThenCreates(after)),
    );
    let (_, csrf) = load_shell(&client, &link).await;
    let mut ann = body(GOOD_PASSWORD, true);
    ann["email"] = json!("ann@partner.test");
    let (status, _) = accept(&sim, &client, token_of(&link), Some(&csrf), &ann).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !sim.password_works("ann@partner.test", GOOD_PASSWORD) {
        assert!(Instant::now() < deadline, "the backend never created it");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Chromium, when installed, runs the app: the form appears with the email filled in
/// by the script, and the third-party script host is never asked (it does not resolve).
#[tokio::test]
async fn headless_chromium_renders_the_form_from_the_api() {
    let chromium = std::path::Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!("skipped: /usr/bin/chromium is not installed");
        return;
    }
    let sim = Simulator::start(SimOptions {
        tls: false,
        frontend: Frontend::ScriptBuilt,
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let link = sim.issue_invite(jane()).replace("localhost", "127.0.0.1");
    let dir = std::env::temp_dir().join(format!("sim-chromium-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dump = dir.join("dom.html");
    let mut child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(&link)
        .stdout(std::fs::File::create(&dump).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within a minute");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dom = std::fs::read_to_string(&dump).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(select_all(&dom, "form#signup").len(), 1, "{dom}");
    assert_eq!(
        attr(&dom, "input#email", "value").as_deref(),
        Some("jane@partner.test")
    );
    assert!(attr(&dom, "input#email", "readonly").is_some());
    assert_eq!(
        select_all(&dom, "input[autocomplete=new-password]").len(),
        2
    );
    assert!(
        sim.requests()
            .iter()
            .any(|r| r.path.starts_with("/api/invitations/"))
    );
}
