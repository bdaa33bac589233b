//! Connection reuse, counted by the server: sequential mails share one connection, a
//! connection the server closed is replaced, and no more than four are open at once.

use std::time::Instant;

use super::support::smtp::{SmtpOptions, SmtpServer};
use super::*;

/// Three mails, then the server drops its clients, then two more: two connections in
/// all, and the fourth mail needs no retry.
async fn reuse_then_replace(options: SmtpOptions, security: &str, jobs: &str) {
    let mut server = SmtpServer::start(options);
    let (config, _dir) = load(&server, security, Some(SMTP_PASSWORD), "");
    let notifier = notifier(&config);
    // The server's readiness probe counts as a connection too.
    let before = server.connections();
    let send = |n: u32| {
        let mail = credentials(&format!("{jobs}-{n}"), "jane@partner.test", None);
        let notifier = &notifier;
        async move { notifier.send_credentials(&mail).await.unwrap() }
    };
    for n in 1..=3 {
        send(n).await;
    }
    assert_eq!(server.messages().len(), 3);
    assert_eq!(server.connections() - before, 1, "{}", server.log());

    server.drop_connections();
    send(4).await;
    send(5).await;
    assert_eq!(server.messages().len(), 5);
    assert_eq!(server.connections() - before, 2, "{}", server.log());
    let logs = captured_logs();
    let retried = format!("{jobs}-4");
    assert!(
        !logs
            .lines()
            .any(|l| l.contains(&retried) && l.contains("will retry")),
        "the closed connection was used instead of replaced:\n{logs}"
    );
}

#[tokio::test]
async fn starttls_connections_are_reused_and_replaced_when_closed() {
    let options = SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD);
    reuse_then_replace(options, "starttls", "job-starttls").await;
}

#[tokio::test]
async fn implicit_tls_connections_are_reused_and_replaced_when_closed() {
    let options = SmtpOptions::tls().with_auth(USER, SMTP_PASSWORD);
    reuse_then_replace(options, "tls", "job-tls").await;
}

#[tokio::test]
async fn no_more_than_four_connections_are_open_at_once() {
    let mut server = SmtpServer::start(SmtpOptions::plain());
    let (config, _dir) = load(&server, "plain", None, "");
    let notifier = notifier(&config);
    let before = server.connections();
    let mails: Vec<_> = (0..12)
        .map(|n| credentials(&format!("job-many-{n}"), "jane@partner.test", None))
        .collect();
    let sends = mails.iter().map(|mail| notifier.send_credentials(mail));
    for sent in futures::future::join_all(sends).await {
        sent.unwrap();
    }
    assert_eq!(server.messages().len(), 12);
    let opened = server.connections() - before;
    assert!((1..=4).contains(&opened), "{opened} connections");
}

#[tokio::test]
async fn an_untrusted_certificate_under_implicit_tls_fails_at_once() {
    let server = SmtpServer::start(SmtpOptions::tls().with_auth(USER, SMTP_PASSWORD));
    let (mut config, _dir) = load(&server, "tls", Some(SMTP_PASSWORD), "");
    config.smtp.as_mut().unwrap().ca_file = None;
    let error = notifier(&config)
        .send_credentials(&credentials("job-64", "jane@partner.test", None))
        .await
        .unwrap_err();
    assert!(!error.is_temporary(), "{error:?}");
    assert!(
        matches!(error, NotifyError::Smtp { attempts: 1, .. }),
        "{error:?}"
    );
    let text = everything_about(&error);
    assert!(text.contains("TLS handshake"), "{text}");
    assert!(text.contains("UnknownIssuer"), "{text}");
}

/// A measurement, not a check: `cargo test --test notify -- --ignored --nocapture
/// sequential_mail_rate`.
#[tokio::test]
#[ignore = "a measurement; prints mails per second"]
async fn sequential_mail_rate() {
    for (options, security) in [
        (SmtpOptions::plain(), "plain"),
        (SmtpOptions::starttls(), "starttls"),
    ] {
        let server = SmtpServer::start(options);
        let (config, _dir) = load(&server, security, None, "");
        let notifier = notifier(&config);
        let mails: Vec<_> = (0..200)
            .map(|n| credentials(&format!("job-rate-{n}"), "jane@partner.test", None))
            .collect();
        notifier.send_credentials(&mails[0]).await.unwrap();
        let start = Instant::now();
        for mail in &mails[1..] {
            notifier.send_credentials(mail).await.unwrap();
        }
        let elapsed = start.elapsed();
        println!(
            "{security}: 199 mails in {elapsed:?}: {:.0} mails/s, {:.1} ms each",
            199.0 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1000.0 / 199.0
        );
    }
}
