//! Hostile forwards through the real daemon: a Maildir in, mails written as files out
//! (as `onbehalf-demo demo` runs it), the platform simulator behind `engage.example.com`, and
//! a canary listener on loopback that every hostile link and redirect points at. Each
//! hostile message must become exactly one ticket with the expected reason, the control
//! exactly one credentials mail, and the canary must never see a connection.
//!
//! [`run_scenario`] is shared with the `secrets` test, which runs it under a log capture.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox as Address;
use mail_parser::{MessageParser, MimeHeaders, PartType};
use onbehalf::config::Config;
use onbehalf::daemon::{self, Mode, Services};
use onbehalf::journal::Journal;
use onbehalf::mailbox::{Mailbox, MaildirMailbox};
use onbehalf::notify::Notifier;
use onbehalf::signup::SignupOptions;
use onbehalf_sim::{Behaviour, InviteSpec, SimOptions, Simulator};
use tokio_util::sync::CancellationToken;

use crate::mail;

/// The part of the Safe Links `data` parameter that names the recipient; it must never
/// be written anywhere.
pub const SAFE_LINKS_RECIPIENT: &str = "secret.recipient%40partner.test";
/// Messages above this are too large in the scenario's config.
const LIMIT: usize = 1536 * 1024;
/// The whole run may take this long before it counts as a hang.
const RUN_DEADLINE: Duration = Duration::from_secs(120);

/// What a case must end as: a ticket with this reason, or `created`.
pub struct Case {
    /// The case's name, also in its Message-ID (`<hostile.NAME@partner.test>`).
    pub name: &'static str,
    /// The expected ticket reason, or `created` for the control.
    pub expect: &'static str,
}

/// What the run left behind.
pub struct Scenario {
    /// The working folder (Maildir, journal, outbox), removed when the scenario is
    /// dropped.
    pub _work: tempfile::TempDir,
    /// Every mail written: (file, raw bytes).
    pub mails: Vec<(PathBuf, Vec<u8>)>,
    /// The daemon's result, as its `Display` and `Debug` would show it.
    pub result: String,
    /// Connections the canary accepted.
    pub canary_connections: usize,
    /// Paths the simulator was asked for.
    pub sim_paths: Vec<String>,
    /// Accounts the simulator created.
    pub accounts: Vec<String>,
    /// Every invite token the messages carry.
    pub tokens: Vec<String>,
    /// The cases, in order.
    pub cases: Vec<Case>,
}

fn token(name: &str) -> String {
    format!("HostileTok{}Zq7", name.replace('_', ""))
}

fn invite_link(name: &str) -> String {
    format!(
        "https://engage.example.com/invitations/accept?token={}&lang=en",
        token(name)
    )
}

/// A forward of `body` (plain text) with its own Message-ID; `results` replaces our MX's
/// Authentication-Results when given.
fn forward(name: &str, content_type: &str, body: &[u8], results: Option<&str>) -> Vec<u8> {
    let mut raw = mail::message("", content_type, body);
    let headers_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let mut headers = String::from_utf8(raw[..headers_end].to_vec())
        .unwrap()
        .replace(
            "<hostile.1@partner.test>",
            &format!("<hostile.{name}@partner.test>"),
        );
    if let Some(results) = results {
        let start = headers.find("Authentication-Results:").unwrap();
        let end = headers.find("From:").unwrap();
        headers.replace_range(start..end, results);
    }
    raw.splice(..headers_end, headers.into_bytes());
    raw
}

fn text(name: &str, body: &str) -> Vec<u8> {
    forward(name, "text/plain; charset=UTF-8", body.as_bytes(), None)
}

fn case(name: &'static str, expect: &'static str, raw: Vec<u8>) -> (Case, Vec<u8>) {
    (Case { name, expect }, raw)
}

/// The hostile messages (and one control), given the canary's port.
fn messages(canary: u16) -> Vec<(Case, Vec<u8>)> {
    let mut all = canary_cases(canary);
    all.extend(sender_cases());
    all.extend(structure_cases());
    all
}

/// Links to the canary, bare, disguised and behind a wrapper; an invite that redirects
/// to it.
fn canary_cases(canary: u16) -> Vec<(Case, Vec<u8>)> {
    let links = [
        format!("http://127.0.0.1:{canary}/invitations/accept?token=x"),
        format!("https://127.0.0.1:{canary}/latest/meta-data"),
        format!("https://[::1]:{canary}/"),
        format!("https://localhost:{canary}/invitations/accept?token=x"),
        format!("https://engage.example.com@127.0.0.1:{canary}/invitations/accept?token=x"),
        format!("https://127.0.0.1:{canary}\\@engage.example.com/invitations/accept?token=x"),
        format!("https://engage.example.com.127.0.0.1.nip.io:{canary}/invitations/accept?token=x"),
    ];
    let wrapped: String = url::form_urlencoded::byte_serialize(links[0].as_bytes()).collect();
    let safe_links = format!(
        "https://eur01.safelinks.protection.outlook.com/?url={wrapped}\
         &data=05%7C02%7C{SAFE_LINKS_RECIPIENT}%7Cdeadbeef%7C0&sdata=x%3D&reserved=0"
    );
    let forwarded = |name, link: &str| text(name, &mail::forwarded_text(link));
    vec![
        case(
            "canary_links",
            "no_invite_link",
            forwarded("canary_links", &links.join("\r\n")),
        ),
        case(
            "safe_links_to_canary",
            "no_invite_link",
            forwarded("safe_links_to_canary", &safe_links),
        ),
        case(
            "redirect_to_canary",
            "blocked_redirect",
            forwarded("redirect_to_canary", &invite_link("redirect_to_canary")),
        ),
    ]
}

/// Spoofed sender authentication.
fn sender_cases() -> Vec<(Case, Vec<u8>)> {
    let untrusted = "Authentication-Results: mx.evil.test; dmarc=pass header.from=partner.test\r\n";
    let forged = "Authentication-Results: mx.corp.example; dmarc=fail header.from=partner.test\r\n\
                  Authentication-Results: mx.corp.example; dmarc=pass header.from=partner.test\r\n";
    [
        ("untrusted_authserv_id", untrusted),
        ("forged_below_trusted", forged),
    ]
    .into_iter()
    .map(|(name, results)| {
        let body = mail::forwarded_text(&invite_link(name));
        let raw = forward(name, "text/plain", body.as_bytes(), Some(results));
        case(name, "unauthenticated_sender", raw)
    })
    .collect()
}

/// Two invites, a message over the limit, 5,000 nested attachments, and the control:
/// an invite inside 100,000 nested `<div>`s, which must still be signed up.
fn structure_cases() -> Vec<(Case, Vec<u8>)> {
    let two = format!(
        "{} or {}",
        invite_link("ambiguous"),
        invite_link("ambiguous2")
    );
    let mut too_large = mail::forwarded_text(&invite_link("too_large"));
    too_large.push_str(&"x".repeat(LIMIT));
    let deep_html = format!(
        "<html><body>{}{}{}</body></html>",
        "<div>".repeat(100_000),
        mail::forwarded_html(&invite_link("deep_html_control")),
        "</div>".repeat(100_000)
    );
    vec![
        case(
            "ambiguous",
            "ambiguous_invite_links",
            text("ambiguous", &mail::forwarded_text(&two)),
        ),
        case("too_large", "too_large", text("too_large", &too_large)),
        case(
            "deep_attached",
            "no_invite_link",
            nested_attached("deep_attached", 5_000),
        ),
        case(
            "deep_html_control",
            "created",
            forward(
                "deep_html_control",
                "text/html; charset=UTF-8",
                deep_html.as_bytes(),
                None,
            ),
        ),
    ]
}

/// `levels` attached messages nested in each other, the invitation at the bottom.
fn nested_attached(name: &str, levels: usize) -> Vec<u8> {
    let mut inner = mail::original_invitation(mail::INVITEE, &invite_link(name));
    for level in (0..levels).rev() {
        inner = format!(
            "From: f{level}@partner.test\r\nTo: n{level}@partner.test\r\nSubject: {level}\r\n\
             Content-Type: message/rfc822\r\n\r\n{inner}"
        );
    }
    forward(name, "message/rfc822", inner.as_bytes(), None)
}

fn config(work: &Path, ca_file: &Path) -> Config {
    let text = format!(
        "[limits]\nmax_message_bytes = {LIMIT}\n\n[[platform]]\nname = \"Engage\"\n\
         invite_links = [\"https://engage.example.com/invitations/accept?*\"]\n\
         allowed_hosts = [\"engage.example.com\"]\nsuccess_url = \"https://engage.example.com/home*\"\n\
         tick_checkboxes = [\"accept_terms\"]\nca_file = {ca:?}\n\n\
         [mailbox]\nkind = \"maildir\"\npath = {maildir:?}\npoll_interval = \"1s\"\n\n\
         [notify]\nticket_to = \"Help desk <helpdesk@corp.example>\"\n\n\
         [policy]\ntrusted_authserv_ids = [\"mx.corp.example\"]\n\n\
         [daemon]\nstate_dir = {state:?}\nconcurrency = 4\n",
        ca = ca_file.display().to_string(),
        maildir = work.join("maildir").display().to_string(),
        state = work.join("state").display().to_string(),
    );
    Config::from_toml(&text, &work.join("onbehalf.toml")).unwrap()
}

/// Runs every case through `onbehalf once` and collects what it left behind.
pub async fn run_scenario() -> Scenario {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let work = tempfile::tempdir().unwrap();
    let canary = TcpListener::bind("127.0.0.1:0").unwrap();
    canary.set_nonblocking(true).unwrap();
    let canary_port = canary.local_addr().unwrap().port();
    let sim = Simulator::start(SimOptions {
        hostnames: vec!["engage.example.com".to_owned()],
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let ca_file = work.path().join("platform-ca.pem");
    std::fs::write(&ca_file, sim.ca_pem().unwrap()).unwrap();
    let config = config(work.path(), &ca_file);
    let cases = write_maildir(work.path(), canary_port);
    let canary_url = format!("https://127.0.0.1:{canary_port}/latest/meta-data");
    let jane = |name: &str| {
        InviteSpec::new(format!("jane.doe+{name}@partner.test"), "Jane", "Doe").token(token(name))
    };
    sim.issue_invite(jane("redirect_to_canary").behaviour(Behaviour::RedirectTo(canary_url)));
    // The control's account is for the invitee the forwarded original names: a page
    // pre-filled for anyone else is a login_mismatch.
    sim.issue_invite(
        InviteSpec::new(mail::INVITEE, "Jane", "Doe").token(token("deep_html_control")),
    );
    let outbox = work.path().join("outbox");
    let services = services(config, &outbox, &sim);
    let run = daemon::run(services, Mode::Once, std::future::pending());
    let result = match tokio::time::timeout(RUN_DEADLINE, run).await {
        Ok(Ok(summary)) => format!("{summary:?}"),
        Ok(Err(e)) => format!("{e} / {e:?}"),
        Err(_) => panic!("the daemon did not finish within {RUN_DEADLINE:?}"),
    };
    let mut canary_connections = 0;
    while canary.accept().is_ok() {
        canary_connections += 1;
    }
    // The canary was listening all along: a connection now is counted.
    drop(std::net::TcpStream::connect(("127.0.0.1", canary_port)).unwrap());
    assert!(
        canary.accept().is_ok(),
        "the canary does not see connections"
    );
    let sim_paths = sim.requests().into_iter().map(|r| r.path).collect();
    let accounts = sim.accounts().into_iter().map(|a| a.email).collect();
    sim.shutdown().await;
    let mut tokens: Vec<String> = cases.iter().map(|c| token(c.name)).collect();
    tokens.push(token("ambiguous2"));
    Scenario {
        mails: read_outbox(&outbox),
        _work: work,
        result,
        canary_connections,
        sim_paths,
        accounts,
        tokens,
        cases,
    }
}

fn write_maildir(work: &Path, canary_port: u16) -> Vec<Case> {
    let maildir = work.join("maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let mut cases = Vec::new();
    for (index, (case, raw)) in messages(canary_port).into_iter().enumerate() {
        let name = format!("{index:04}.{}.hostile", case.name);
        std::fs::write(maildir.join("new").join(name), raw).unwrap();
        cases.push(case);
    }
    cases
}

fn services(config: Config, outbox: &Path, sim: &Simulator) -> Arc<Services> {
    let Some(onbehalf::config::MailboxConfig::Maildir(maildir)) = config.mailbox.clone() else {
        panic!("the scenario's mailbox is a Maildir");
    };
    let from: Address = "onbehalf <onbehalf@corp.example>".parse().unwrap();
    let notifier = Notifier::files(outbox, from, &config.notify).unwrap();
    let journal = Arc::new(Journal::open(&config.daemon.state_dir).unwrap());
    let signup = SignupOptions {
        address_overrides: [("engage.example.com".to_owned(), sim.addr())].into(),
        ..SignupOptions::default()
    };
    let mailbox = Mailbox::Maildir(MaildirMailbox::new(maildir));
    Arc::new(Services::new(
        config,
        journal,
        mailbox,
        notifier,
        signup,
        CancellationToken::new(),
    ))
}

fn read_outbox(outbox: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut mails: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(outbox)
        .map(|dir| {
            dir.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .map(|p| {
                    let raw = std::fs::read(&p).unwrap();
                    (p, raw)
                })
                .collect()
        })
        .unwrap_or_default();
    mails.sort();
    mails
}

/// A written mail, read back: a ticket (with its reason and the attached original's
/// Message-ID) or a credentials mail (with its recipient).
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    /// A ticket to the help desk.
    Ticket {
        /// The `Reason:` line.
        reason: String,
        /// The case the attached original belongs to.
        case: String,
    },
    /// A credentials mail.
    Credentials {
        /// Its only recipient.
        to: String,
    },
    /// The note telling a requester where the credentials went.
    Note {
        /// The requester.
        to: String,
    },
}

/// What a written mail is.
pub fn classify(raw: &[u8]) -> Written {
    let message = MessageParser::default().parse(raw).unwrap();
    let to = message
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or_default()
        .to_owned();
    let body = message.body_text(0).unwrap_or_default();
    if to != "helpdesk@corp.example" {
        return if body.contains("Password:") {
            Written::Credentials { to }
        } else {
            Written::Note { to }
        };
    }
    let reason = body
        .lines()
        .find_map(|l| l.strip_prefix("Reason:"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    let case = message
        .attachments()
        .find_map(|part| match &part.body {
            PartType::Message(original) => original.message_id().map(str::to_owned),
            _ if part.content_type().is_some_and(|c| c.ctype() == "message") => {
                MessageParser::default()
                    .parse(part.contents())
                    .and_then(|m| m.message_id().map(str::to_owned))
            }
            _ => None,
        })
        .unwrap_or_default();
    let case = case
        .trim_start_matches("hostile.")
        .trim_end_matches("@partner.test")
        .to_owned();
    Written::Ticket { reason, case }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_forwards_through_the_daemon() {
    let scenario = run_scenario().await;
    assert!(
        scenario.result.starts_with("Summary"),
        "the daemon failed: {}",
        scenario.result
    );
    let mut tickets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut credentials, mut notes) = (Vec::new(), Vec::new());
    for (path, raw) in &scenario.mails {
        match classify(raw) {
            Written::Ticket { reason, case } => {
                assert!(
                    !case.is_empty(),
                    "{}: a ticket without its original",
                    path.display()
                );
                tickets.entry(case).or_default().push(reason);
            }
            Written::Credentials { to } => credentials.push(to),
            Written::Note { to } => notes.push(to),
        }
    }
    for case in &scenario.cases {
        let reasons = tickets.remove(case.name).unwrap_or_default();
        if case.expect == "created" {
            assert!(reasons.is_empty(), "{}: tickets {reasons:?}", case.name);
            continue;
        }
        assert_eq!(
            reasons,
            [case.expect],
            "{}: expected exactly one ticket with reason {}",
            case.name,
            case.expect
        );
        println!("hostile: daemon {}: one ticket, {}", case.name, case.expect);
    }
    assert!(tickets.is_empty(), "tickets for unknown cases: {tickets:?}");
    assert_eq!(credentials, [mail::INVITEE]);
    // The invitee forwarded her own invite, so no note tells her where the credentials
    // went: they went to her.
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(scenario.accounts, [mail::INVITEE]);
    assert_eq!(
        scenario.canary_connections, 0,
        "a hostile link or redirect reached the canary"
    );
    // The platform saw only the two invites it issued; no other token was ever sent.
    for token in &scenario.tokens {
        let requested = scenario
            .sim_paths
            .iter()
            .any(|p| p.contains(token.as_str()));
        let issued = token.contains("redirecttocanary") || token.contains("deephtmlcontrol");
        assert_eq!(requested, issued, "{token}: requested {requested}");
    }
    println!(
        "hostile: daemon: {} tickets, 1 account, canary untouched",
        scenario.cases.len() - 1
    );
}
