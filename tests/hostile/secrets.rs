//! No secret in any log line, error or ticket. In a child process of this test binary
//! (tracing remembers per call site whether anyone listens, process-wide, so a capture
//! next to other test threads could miss lines), with a global subscriber writing every
//! level of onbehalf and `debug` of every dependency (their `log` records included) to
//! a file, it runs:
//!
//! - the daemon scenario of `daemon` (hostile forwards, a created account, tickets);
//! - an SMTP login refused by a scripted server (the SMTP password, AUTH PLAIN and LOGIN
//!   encodings);
//! - an IMAP login and an XOAUTH2 login refused by a scripted server (the IMAP password
//!   and the OAuth token, raw and in the SASL encoding).
//!
//! Then it searches the log, every error's `Display`, `Debug` and causes, and every mail
//! written (tickets without the attached original, which is the user's own email and
//! carries the invite by design; the requester note) for each secret: the generated
//! passwords (read from the credentials mails), the SMTP and IMAP passwords, the OAuth
//! token, every invite token, and the Safe Links `data=` recipient.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use onbehalf::config::Config;
use onbehalf::mailbox::Mailbox;
use onbehalf::notify::Notifier;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::daemon::{self, SAFE_LINKS_RECIPIENT, Written};

const TEST: &str = "secrets::no_secret_in_logs_errors_or_tickets";
const SMTP_PASSWORD: &str = "SmtpPa55-hostile-Qx";
const IMAP_PASSWORD: &str = "ImapPa55-hostile-Wz";
const OAUTH_TOKEN: &str = "ya29.HostileOAuthToken-Kv3";
const DONE: &str = "HOSTILE-SECRETS-CLEAN";

#[test]
fn no_secret_in_logs_errors_or_tickets() {
    if crate::is_child(TEST) {
        return child();
    }
    let output = crate::run_child(TEST);
    assert!(output.contains(DONE), "the child did not finish:\n{output}");
    println!(
        "hostile: {}",
        output.lines().find(|l| l.contains(DONE)).unwrap_or("")
    );
}

fn child() {
    let dir = tempfile::tempdir().unwrap();
    let log_file = dir.path().join("log.txt");
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug,onbehalf=trace"))
        .with_ansi(false)
        .with_writer(Mutex::new(std::fs::File::create(&log_file).unwrap()))
        .finish();
    // As the daemon's own logging does: also the `log` records of reqwest, rustls...
    tracing_subscriber::util::SubscriberInitExt::try_init(subscriber).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (scenario, errors) = runtime.block_on(async {
        let scenario = daemon::run_scenario().await;
        let mut errors = vec![scenario.result.clone()];
        errors.extend(refused_smtp_login(dir.path()).await);
        errors.extend(refused_imap_logins(dir.path()).await);
        (scenario, errors)
    });
    let log = std::fs::read_to_string(&log_file).unwrap();
    // The capture saw the paths where secrets could leak: a signup, a refused redirect,
    // the mails, the refused logins.
    for seen in [
        "signup: submitting the form",
        "signup: refused a redirect",
        "kind=credentials",
        "kind=ticket",
        "SMTP login refused",
        "IMAP login refused",
        "starting new connection",
    ] {
        assert!(log.contains(seen), "the log capture missed {seen:?}");
    }
    let secrets = secrets(&scenario);
    let log_lines = log.lines().count();
    let error_count = errors.len();
    let mut places: Vec<(String, String)> = vec![("the log".to_owned(), log)];
    places.extend(errors.into_iter().map(|e| ("an error".to_owned(), e)));
    places.extend(written_mails(&scenario.mails));
    let leaks = leaks(&secrets, &places);
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    println!(
        "{DONE}: {} secrets absent from {log_lines} log lines, {error_count} errors and {} mails",
        secrets.len(),
        scenario.mails.len()
    );
}

/// Every secret of the run, each with what it is.
fn secrets(scenario: &daemon::Scenario) -> Vec<(String, String)> {
    let passwords = generated_passwords(&scenario.mails);
    assert!(
        !passwords.is_empty(),
        "no credentials mail to read a password from"
    );
    let mut secrets: Vec<(String, String)> = passwords
        .into_iter()
        .map(|p| ("a generated password".to_owned(), p))
        .collect();
    secrets.extend(login_secrets());
    for token in &scenario.tokens {
        secrets.push(("an invite token".to_owned(), token.clone()));
    }
    let recipient = "the Safe Links recipient".to_owned();
    secrets.push((recipient.clone(), SAFE_LINKS_RECIPIENT.to_owned()));
    secrets.push((recipient, "secret.recipient@".to_owned()));
    secrets
}

/// Where each secret shows, by what it is and the line: never the secret itself.
fn leaks(secrets: &[(String, String)], places: &[(String, String)]) -> Vec<String> {
    let mut leaks = Vec::new();
    for (what, secret) in secrets {
        for (place, text) in places {
            if let Some(line) = text.lines().position(|l| l.contains(secret.as_str())) {
                leaks.push(format!("{what} is in {place}, line {}", line + 1));
            }
        }
    }
    leaks
}

/// The passwords in the credentials mails (`Password:    …`).
fn generated_passwords(mails: &[(std::path::PathBuf, Vec<u8>)]) -> Vec<String> {
    mails
        .iter()
        .filter(|(_, raw)| matches!(daemon::classify(raw), Written::Credentials { .. }))
        .filter_map(|(_, raw)| {
            let message = mail_parser::MessageParser::default().parse(raw)?;
            let body = message.body_text(0)?.into_owned();
            body.lines()
                .find_map(|l| l.trim().strip_prefix("Password:"))
                .map(|p| p.trim().to_owned())
        })
        .collect()
}

/// The login secrets, raw and as the SASL mechanisms encode them on the wire.
fn login_secrets() -> Vec<(String, String)> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        ("the SMTP password".to_owned(), SMTP_PASSWORD.to_owned()),
        (
            "the SMTP AUTH PLAIN".to_owned(),
            b64(&format!("\0onbehalf\0{SMTP_PASSWORD}")),
        ),
        ("the SMTP AUTH LOGIN".to_owned(), b64(SMTP_PASSWORD)),
        ("the IMAP password".to_owned(), IMAP_PASSWORD.to_owned()),
        ("the OAuth token".to_owned(), OAUTH_TOKEN.to_owned()),
        (
            "the XOAUTH2 string".to_owned(),
            b64(&format!(
                "user=support@corp.example\x01auth=Bearer {OAUTH_TOKEN}\x01\x01"
            )),
        ),
    ]
}

/// Every written mail as text, tickets without the original they attach.
fn written_mails(mails: &[(std::path::PathBuf, Vec<u8>)]) -> Vec<(String, String)> {
    mails
        .iter()
        .filter(|(_, raw)| !matches!(daemon::classify(raw), Written::Credentials { .. }))
        .map(|(path, raw)| {
            let mut text = String::from_utf8_lossy(raw).into_owned();
            let message = mail_parser::MessageParser::default().parse(raw).unwrap();
            for part in message.attachments() {
                let original = String::from_utf8_lossy(part.contents()).into_owned();
                text = text.replace(&original, "[the attached original]");
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (format!("mail {name}"), text)
        })
        .collect()
}

fn config(dir: &Path, mailbox: &str) -> Config {
    let text = format!(
        "[[platform]]\nname = \"Engage\"\ninvite_links = [\"https://engage.example.com/invitations/accept?*\"]\n\
         allowed_hosts = [\"engage.example.com\"]\n\n[notify]\nticket_to = \"helpdesk@corp.example\"\n\n\
         [policy]\nrequire_authenticated_sender = false\n\n{mailbox}\n"
    );
    Config::from_toml(&text, &dir.join("onbehalf.toml")).unwrap()
}

/// A secret file, as ops would write it.
fn secret_file(dir: &Path, name: &str, value: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{value}\n")).unwrap();
    path.display().to_string()
}

/// Every way an error shows: `Display`, `{:#}`, `Debug` and each cause.
fn error_texts(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{error}\n{error:?}\n");
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(&format!("{inner}\n{inner:?}\n"));
        cause = inner.source();
    }
    text
}

/// Answers each line of a client with `reply(line)` until it hangs up.
async fn scripted_server(
    greeting: &'static str,
    reply: fn(&str, &mut Option<String>) -> String,
) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = tokio::io::BufReader::new(read).lines();
                let mut pending = None;
                let _ = write.write_all(greeting.as_bytes()).await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let answer = reply(&line, &mut pending);
                    if write.write_all(answer.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

fn smtp_reply(line: &str, _: &mut Option<String>) -> String {
    let verb = line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    match verb.as_str() {
        "EHLO" => "250-fake.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n".to_owned(),
        "AUTH" => "535 5.7.8 Authentication credentials invalid\r\n".to_owned(),
        "QUIT" => "221 2.0.0 Bye\r\n".to_owned(),
        _ => "250 2.0.0 OK\r\n".to_owned(),
    }
}

async fn refused_smtp_login(dir: &Path) -> Vec<String> {
    let port = scripted_server("220 fake.test ESMTP\r\n", smtp_reply).await;
    let password = secret_file(dir, "smtp-password", SMTP_PASSWORD);
    let config = config(
        dir,
        &format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\nusername = \"onbehalf\"\n\
             password_file = {password:?}\nfrom = \"onbehalf@corp.example\"\nretries = 0\n"
        ),
    );
    let notifier = Notifier::smtp(config.smtp.as_ref().unwrap(), &config.notify).unwrap();
    let refused = tokio::time::timeout(Duration::from_secs(20), notifier.check())
        .await
        .expect("the SMTP check hung");
    let error = refused.expect_err("the scripted server refuses every login");
    tracing::warn!(error = %error, "test: SMTP login refused");
    vec![error_texts(&error)]
}

fn imap_reply(line: &str, pending: &mut Option<String>) -> String {
    if let Some(tag) = pending.take() {
        // The SASL response to AUTHENTICATE: refuse it.
        return format!("{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
    }
    let mut words = line.split_whitespace();
    let tag = words.next().unwrap_or("*").to_owned();
    match words.next().unwrap_or("").to_ascii_uppercase().as_str() {
        "CAPABILITY" => {
            format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 IDLE\r\n{tag} OK done\r\n")
        }
        "LOGIN" => format!("{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"),
        "AUTHENTICATE" => {
            *pending = Some(tag);
            "+ \r\n".to_owned()
        }
        "LOGOUT" => format!("* BYE\r\n{tag} OK bye\r\n"),
        _ => format!("{tag} BAD unknown\r\n"),
    }
}

async fn refused_imap_logins(dir: &Path) -> Vec<String> {
    let port = scripted_server("* OK fake IMAP ready\r\n", imap_reply).await;
    let password = secret_file(dir, "imap-password", IMAP_PASSWORD);
    let token = secret_file(dir, "imap-token", OAUTH_TOKEN);
    let mut texts = Vec::new();
    for auth in [
        format!("password_file = {password:?}"),
        format!("xoauth2_token_file = {token:?}"),
    ] {
        let config = config(
            dir,
            &format!(
                "[mailbox]\nkind = \"imap\"\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\n\
                 username = \"support@corp.example\"\n{auth}\ntimeout = \"5s\"\n"
            ),
        );
        let mut mailbox = Mailbox::from_config(config.mailbox.as_ref().unwrap()).unwrap();
        let refused = tokio::time::timeout(Duration::from_secs(20), mailbox.check())
            .await
            .expect("the IMAP check hung");
        let error = refused.expect_err("the scripted server refuses every login");
        tracing::warn!(error = %error, "test: IMAP login refused");
        texts.push(error_texts(&error));
    }
    texts
}
