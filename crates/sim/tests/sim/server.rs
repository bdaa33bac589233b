//! The simulator as a server: HTTPS and HTTP, HTTP/1.1 and HTTP/2, certificate names,
//! cookies, the request log, stopping.

use super::*;

#[tokio::test]
async fn invite_link_sets_a_secure_http_only_session_cookie_and_redirects() {
    let sim = start().await;
    let link = sim.issue_invite(jane().token("fixed-token-1"));
    assert!(link.ends_with("?token=fixed-token-1"));
    let response = no_redirects(&sim).get(&link).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/signup");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("_engage_session="), "{cookie}");
    for part in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(part), "{part} missing from {cookie}");
    }
}

#[tokio::test]
async fn plain_http_mode_serves_the_same_flow_without_secure_cookies() {
    let options = SimOptions {
        tls: false,
        ..SimOptions::default()
    };
    let sim = Simulator::start(options).await.unwrap();
    assert!(sim.base_url().starts_with("http://localhost:"));
    assert!(sim.ca_pem().is_none());
    let link = sim.issue_invite(jane());
    let response = no_redirects(&sim).get(&link).send().await.unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");

    let client = browser(&sim);
    let (_, _, html) = open(&client, &link).await;
    let (_, landed, _) = post_signup(&sim, &client, &signup_fields(&html, GOOD_PASSWORD)).await;
    assert_eq!(landed, "/home");
}

#[tokio::test]
async fn every_request_is_recorded_and_unknown_routes_are_404_or_405() {
    let sim = start().await;
    let client = no_redirects(&sim);
    let base = sim.base_url();
    let missing = client
        .get(format!("{base}/nowhere?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let wrong_method = client
        .delete(format!("{base}/signup"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.headers()["allow"], "GET,HEAD,POST");
    assert_eq!(
        sim.requests(),
        vec![
            RequestRecord {
                method: "GET".into(),
                path: "/nowhere?x=1".into()
            },
            RequestRecord {
                method: "DELETE".into(),
                path: "/signup".into()
            },
        ]
    );
}

#[tokio::test]
async fn extra_hostnames_are_in_the_certificate() {
    let options = SimOptions {
        hostnames: vec!["engage.test".into(), "localhost".into()],
        ..SimOptions::default()
    };
    let sim = Simulator::start(options).await.unwrap();
    assert_eq!(
        sim.authority(),
        format!("engage.test:{}", sim.addr().port())
    );
    let link = sim.issue_invite(jane());
    assert!(link.starts_with("https://engage.test:"));
    let (status, landed, _) = open(&browser(&sim), &link).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "/signup"));
    // 127.0.0.1 is in the certificate too.
    let by_ip = format!("https://127.0.0.1:{}/login", sim.addr().port());
    assert_eq!(
        browser(&sim).get(by_ip).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn http2_and_http1_clients_both_complete_the_flow() {
    let sim = start().await;
    for (n, (client, version)) in [
        (browser(&sim), reqwest::Version::HTTP_2),
        (
            builder(&sim).http1_only().build().unwrap(),
            reqwest::Version::HTTP_11,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let invite = sim.issue_invite(InviteSpec::new(format!("jo{n}@partner.test"), "Jo", "Doe"));
        let response = client.get(&invite).send().await.unwrap();
        assert_eq!(response.version(), version);
        let html = response.text().await.unwrap();
        let (_, landed, _) = post_signup(&sim, &client, &signup_fields(&html, GOOD_PASSWORD)).await;
        assert_eq!(landed, "/home");
    }
    assert_eq!(sim.accounts().len(), 2);
}

#[tokio::test]
async fn a_token_with_reserved_characters_is_encoded_in_the_link() {
    let sim = start().await;
    let link = sim.issue_invite(jane().token("a+b/c=d&e"));
    assert!(link.ends_with("?token=a%2Bb%2Fc%3Dd%26e"), "{link}");
    let (status, landed, _) = open(&browser(&sim), &link).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "/signup"));
}

#[tokio::test]
async fn dropping_the_simulator_stops_the_server() {
    let sim = start().await;
    let addr = sim.addr();
    drop(sim);
    let deadline = Instant::now() + Duration::from_secs(2);
    while tokio::net::TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting after drop");
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let sim = start().await;
    let addr = sim.addr();
    sim.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
