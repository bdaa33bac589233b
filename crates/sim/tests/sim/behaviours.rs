//! The simulator's failure modes ([`Behaviour`]), each as a client meets it.

use super::*;

#[tokio::test]
async fn expired_and_unknown_links_say_so() {
    let sim = start().await;
    let link = sim.issue_invite(jane().behaviour(Behaviour::Expired));
    let (status, _, page) = open(&browser(&sim), &link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("This invitation has expired. Ask your administrator for a new one."));

    let unknown = format!("{}/invitations/accept?token=nope", sim.base_url());
    let (status, _, page) = open(&browser(&sim), &unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("This invitation link is invalid."));
}

#[tokio::test]
async fn already_registered_email_is_refused_at_submit() {
    let sim = start().await;
    let client = browser(&sim);
    let link = sim.issue_invite(jane().behaviour(Behaviour::AlreadyRegistered));
    let (status, landed, html) = open(&client, &link).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "/signup"));
    let (status, _, page) = post_signup(&sim, &client, &signup_fields(&html, GOOD_PASSWORD)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&page, ".alert-danger")
            .contains("An account with this email address already exists. Log in instead.")
    );
    assert!(
        sim.accounts().is_empty(),
        "the existing account is not a new one"
    );
    assert!(!sim.password_works("jane@partner.test", GOOD_PASSWORD));
}

#[tokio::test]
async fn stricter_password_rule_stated_in_html() {
    let sim = start().await;
    let client = browser(&sim);
    let stricter = Behaviour::StricterPassword {
        max_length: 12,
        stated_in_html: true,
    };
    let (_, _, html) = open(&client, &sim.issue_invite(jane().behaviour(stricter))).await;
    assert_eq!(
        attr(&html, "input[name=password]", "maxlength").unwrap(),
        "12"
    );
    let pattern = attr(&html, "input[name=password]", "pattern").unwrap();
    assert_eq!(pattern, "[A-Za-z0-9!@#$%^&*]{8,12}");
    let (status, _, page) =
        post_signup(&sim, &client, &signup_fields(&html, "Abcdefgh123!xyz")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Password is too long (maximum is 12 characters)"));
    let (_, landed, _) = post_signup(&sim, &client, &signup_fields(&page, "Abcdefgh123!")).await;
    assert_eq!(landed, "/home");
}

#[tokio::test]
async fn stricter_password_rule_known_only_to_the_server() {
    let sim = start().await;
    let client = browser(&sim);
    let stricter = Behaviour::StricterPassword {
        max_length: 10,
        stated_in_html: false,
    };
    let (_, _, html) = open(&client, &sim.issue_invite(jane().behaviour(stricter))).await;
    assert_eq!(
        attr(&html, "input[name=password]", "maxlength").unwrap(),
        "16"
    );
    assert!(attr(&html, "input[name=password]", "pattern").is_none());
    let (status, _, page) = post_signup(&sim, &client, &signup_fields(&html, GOOD_PASSWORD)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Password is too long (maximum is 10 characters)"));
    assert!(sim.accounts().is_empty());
}

#[tokio::test]
async fn rate_limited_once_then_normal() {
    let sim = start().await;
    let link = sim.issue_invite(jane().behaviour(Behaviour::RateLimitedOnce {
        retry_after_secs: 7,
    }));
    let client = no_redirects(&sim);
    let first = client.get(&link).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers()["retry-after"], "7");
    assert!(first.text().await.unwrap().contains("Too many requests"));
    let second = client.get(&link).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn server_error_once_creates_nothing_then_the_retry_works() {
    let sim = start().await;
    let client = browser(&sim);
    let (_, _, html) = open(
        &client,
        &sim.issue_invite(jane().behaviour(Behaviour::ServerErrorOnce)),
    )
    .await;
    let fields = signup_fields(&html, GOOD_PASSWORD);
    let (status, _, _) = post_signup(&sim, &client, &fields).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(sim.accounts().is_empty());
    let (status, landed, _) = post_signup(&sim, &client, &fields).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "/home"));
    assert_eq!(sim.accounts().len(), 1);
}

#[tokio::test]
async fn javascript_only_signup_page_has_no_form() {
    let sim = start().await;
    let link = sim.issue_invite(jane().behaviour(Behaviour::JavaScriptOnly));
    let (status, landed, html) = open(&browser(&sim), &link).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "/signup"));
    assert!(select_all(&html, "form").is_empty());
    assert!(select_all(&html, "input").is_empty());
    assert_eq!(select_all(&html, "div#root").len(), 1);
    assert!(text(&html, "noscript").contains("You need to enable JavaScript"));
    let script = attr(&html, "script", "src").unwrap();
    let js = browser(&sim)
        .get(format!("{}{script}", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
}

#[tokio::test]
async fn redirect_to_answers_302_with_the_given_url() {
    let sim = start().await;
    let target = "https://login.elsewhere.test/sso?next=%2Fhome";
    let link = sim.issue_invite(jane().behaviour(Behaviour::RedirectTo(target.into())));
    let response = no_redirects(&sim).get(&link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], target);
}

#[tokio::test]
async fn slow_invite_holds_its_responses_back() {
    let sim = start().await;
    let delay = Duration::from_millis(150);
    let link = sim.issue_invite(jane().behaviour(Behaviour::Slow(delay)));
    let client = no_redirects(&sim);
    let started = Instant::now();
    let response = client.get(&link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(started.elapsed() >= delay);
    let started = Instant::now();
    client
        .get(format!("{}/signup", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= delay,
        "the invite's session is slow too"
    );
}

#[tokio::test]
async fn latency_option_delays_every_response() {
    let latency = Duration::from_millis(100);
    let options = SimOptions {
        latency,
        ..SimOptions::default()
    };
    let sim = Simulator::start(options).await.unwrap();
    let started = Instant::now();
    browser(&sim)
        .get(format!("{}/login", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= latency);
}
