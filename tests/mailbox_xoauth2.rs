//! XOAUTH2 against a real Dovecot whose oauth2 passdb checks tokens with a token-info
//! endpoint served by the test: a good token logs in, a refused one fails cleanly (the
//! error challenge is answered, nothing hangs), and the token is fetched afresh on every
//! connect. (After a refusal Dovecot delays the next login from the same address by
//! seconds, so no test logs in again after one.)
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::routing::get;
use onbehalf::config::{ImapAuth, ImapSecurity, MailboxConfig, TokenSource};
use onbehalf::mailbox::{BackoffPolicy, Mailbox, MailboxError};
use support::dovecot::{Dovecot, DovecotOptions};

/// Tokens the token-info endpoint accepts.
const GOOD: [&str; 2] = ["ya29.good-1", "ya29.good-2"];

/// Every token Dovecot asked about, in order.
type Asked = Arc<Mutex<Vec<String>>>;

/// Serves `GET /tokeninfo?access_token=…`: 200 with the user for a [`GOOD`] token, else
/// 401. Returns the URL prefix for Dovecot and the record of tokens asked about.
async fn token_info_server() -> (String, Asked) {
    let asked = Asked::default();
    let record = Arc::clone(&asked);
    let app = axum::Router::new().route(
        "/tokeninfo",
        get(async move |Query(query): Query<HashMap<String, String>>| {
            let token = query.get("access_token").cloned().unwrap_or_default();
            let good = GOOD.contains(&token.as_str());
            record.lock().unwrap().push(token);
            let json = [(header::CONTENT_TYPE, "application/json")];
            if good {
                (StatusCode::OK, json, r#"{"username":"testuser"}"#)
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    json,
                    r#"{"error":"invalid_token"}"#,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        format!("http://127.0.0.1:{port}/tokeninfo?access_token="),
        asked,
    )
}

async fn dovecot_with_oauth2() -> (Dovecot, Asked) {
    let (url, asked) = token_info_server().await;
    let dovecot = Dovecot::start_with(DovecotOptions {
        oauth2_tokeninfo_url: Some(url),
        ..DovecotOptions::default()
    });
    (dovecot, asked)
}

fn mailbox(dovecot: &Dovecot, source: TokenSource) -> Mailbox {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = dovecot.imap_config(ImapSecurity::Tls);
    config.auth = ImapAuth::XOAuth2(source);
    Mailbox::from_config(&MailboxConfig::Imap(config))
        .unwrap()
        .with_backoff(BackoffPolicy {
            base: Duration::from_millis(20),
            cap: Duration::from_millis(100),
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_a_command_logs_in() {
    let (dovecot, asked) = dovecot_with_oauth2().await;
    dovecot.append("INBOX", b"Subject: x\r\n\r\ny\r\n").await;
    let command = format!("echo {}", GOOD[0]);
    let mut mailbox = mailbox(&dovecot, TokenSource::Command(command));
    assert_eq!(mailbox.list().await.unwrap().messages.len(), 1);
    assert!(
        dovecot.log().contains("method=XOAUTH2"),
        "{}",
        dovecot.log()
    );
    assert_eq!(*asked.lock().unwrap(), [GOOD[0]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_read_again_on_every_connect() {
    let (dovecot, asked) = dovecot_with_oauth2().await;
    let token_file = dovecot.dir().join("access-token");
    std::fs::write(&token_file, format!("{}\n", GOOD[0])).unwrap();
    let mut mailbox = mailbox(&dovecot, TokenSource::File(token_file.clone()));
    mailbox.list().await.unwrap();
    mailbox.close().await;
    // The helper that keeps the file fresh has written a new token.
    std::fs::write(&token_file, format!("{}\n", GOOD[1])).unwrap();
    mailbox.list().await.unwrap();
    assert_eq!(*asked.lock().unwrap(), GOOD);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_fails_cleanly() {
    let (dovecot, _asked) = dovecot_with_oauth2().await;
    let mut mailbox = mailbox(&dovecot, TokenSource::Command("echo ya29.expired".into()));
    let started = Instant::now();
    let error = mailbox.list().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the refusal must not hang"
    );
    let text = error.to_string();
    assert!(matches!(error, MailboxError::Login { .. }), "{error:?}");
    assert!(
        text.contains("as testuser: the server said: NO [AUTHENTICATIONFAILED]"),
        "{text}"
    );
    assert!(!text.contains("ya29"), "{text}");
    assert!(!mailbox.health().connected());
}
