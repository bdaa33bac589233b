//! The credentials mail, the requester note, ops templates and the file transport.

use std::path::Path;

use mail_parser::MimeHeaders;
use onbehalf::config::{Config, ConfigError};
use onbehalf::notify::{Notifier, RequesterNote};

use super::support::smtp::{SmtpOptions, SmtpServer};
use super::*;

#[tokio::test]
async fn credentials_go_over_starttls_with_auth_to_the_login_only() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    let notifier = notifier(&config);

    let threaded = credentials(
        "job-17",
        "jane@partner.test",
        Some("<fwd-123@partner.test>"),
    );
    let sent = notifier.send_credentials(&threaded).await.unwrap();
    let received = server.wait_for_messages(1, WAIT);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_to, ["jane@partner.test"]);
    assert_eq!(received[0].mail_from, "support@onbehalf.test");
    assert_eq!(sent.file, None);

    let raw = &received[0].raw;
    let message = parse(raw);
    assert_eq!(
        first_address(message.to()).as_deref(),
        Some("jane@partner.test")
    );
    assert_eq!(message.cc(), None);
    assert_eq!(
        first_address(message.reply_to()).as_deref(),
        Some("support@onbehalf.test")
    );
    assert_eq!(
        format!("<{}>", message.message_id().unwrap()),
        sent.message_id
    );
    assert_eq!(message.subject(), Some("Re: Fwd: You're invited to Engage"));
    assert_eq!(
        message.header_raw("In-Reply-To").map(str::trim),
        Some("<fwd-123@partner.test>")
    );
    assert_eq!(
        message.header_raw("References").map(str::trim),
        Some("<fwd-123@partner.test>")
    );

    let root = message.root_part().content_type().unwrap();
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );
    assert_eq!(
        (message.text_body_count(), message.html_body_count()),
        (1, 1)
    );
    let text = message.body_text(0).unwrap();
    let html = message.body_html(0).unwrap();
    assert_eq!(text.matches(PASSWORD).count(), 1, "{text}");
    assert!(
        text.lines()
            .any(|l| l == format!("  Password:    {PASSWORD}")),
        "{text}"
    );
    assert_eq!(html.matches(PASSWORD_IN_HTML).count(), 1, "{html}");
    assert!(!html.contains(PASSWORD), "{html}");
    assert!(!contains(header_section(raw), PASSWORD));
    for expected in [
        "Engage",
        "https://engage.example.com/login",
        "jane@partner.test",
        "Please change this password right after your first login",
        "job-17",
    ] {
        assert!(text.contains(expected), "text lacks {expected:?}:\n{text}");
        assert!(html.contains(expected), "html lacks {expected:?}:\n{html}");
    }
}

#[tokio::test]
async fn credentials_outside_a_thread_use_the_template_subject() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    let notifier = notifier(&config);
    for job in ["job-18", "job-19"] {
        let fresh = credentials(job, "jane@partner.test", None);
        notifier.send_credentials(&fresh).await.unwrap();
    }
    let received = server.wait_for_messages(2, WAIT);
    for got in &received {
        let message = parse(&got.raw);
        assert_eq!(message.subject(), Some("Your Engage account is ready"));
        assert_eq!(message.header_raw("In-Reply-To"), None);
        assert_eq!(message.header_raw("References"), None);
    }
}

#[tokio::test]
async fn colleague_gets_a_note_without_the_password_and_invitee_the_credentials() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    let notifier = notifier(&config);

    let mail = credentials("job-21", "bob@partner.test", None);
    notifier.send_credentials(&mail).await.unwrap();
    let note = RequesterNote {
        job_id: "job-21".to_owned(),
        platform: "Engage".to_owned(),
        to: "Bob <bob@partner.test>".to_owned(),
        invitee: "jane@partner.test".to_owned(),
        in_reply_to: Some("<fwd-bob@partner.test>".to_owned()),
    };
    notifier.send_requester_note(&note).await.unwrap();

    let received = server.wait_for_messages(2, WAIT);
    assert_eq!(received[0].rcpt_to, ["jane@partner.test"]);
    let credentials_text = parse(&received[0].raw).body_text(0).unwrap().into_owned();
    assert!(
        credentials_text.contains("requested by bob@partner.test"),
        "{credentials_text}"
    );

    assert_eq!(received[1].rcpt_to, ["bob@partner.test"]);
    assert!(!contains(&received[1].raw, PASSWORD));
    assert!(!contains(&received[1].raw, PASSWORD_IN_HTML));
    let message = parse(&received[1].raw);
    assert_eq!(
        message.subject(),
        Some("Engage account created for jane@partner.test")
    );
    assert_eq!(
        message.header_raw("In-Reply-To").map(str::trim),
        Some("<fwd-bob@partner.test>")
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains("sent to jane@partner.test only"), "{text}");
    assert!(text.contains("job-21"), "{text}");
}

#[tokio::test]
async fn file_transport_writes_a_readable_eml() {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let notify = onbehalf::config::NotifyConfig {
        ticket_to: Some("helpdesk@onbehalf.test".parse().unwrap()),
        ..Default::default()
    };
    let outbox = dir.path().join("outbox");
    let notifier = Notifier::files(
        &outbox,
        "Demo <demo@onbehalf.test>".parse().unwrap(),
        &notify,
    )
    .unwrap();

    let sent = notifier
        .send_credentials(&credentials("job-81", "jane@partner.test", None))
        .await
        .unwrap();
    let file = sent.file.expect("the file transport names its file");
    assert_eq!(file.parent(), Some(outbox.as_path()));
    assert_eq!(file.extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(&file).unwrap();
    let message = parse(&raw);
    assert_eq!(
        format!("<{}>", message.message_id().unwrap()),
        sent.message_id
    );
    assert_eq!(
        first_address(message.to()).as_deref(),
        Some("jane@partner.test")
    );
    assert_eq!(
        first_address(message.from()).as_deref(),
        Some("demo@onbehalf.test")
    );
    assert!(message.body_text(0).unwrap().contains(PASSWORD));
}

#[tokio::test]
async fn templates_dir_overrides_the_builtin_and_rejects_unknown_placeholders() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("credentials.txt"),
        "Subject: Welcome to {platform}, {login}\n\nLogin {login} / {password}\n\
         Literal {{braces}} stay.\n",
    )
    .unwrap();
    let extra = format!(
        "templates_dir = {:?}\n",
        templates.path().display().to_string()
    );
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), &extra);
    notifier(&config)
        .send_credentials(&credentials("job-91", "jane@partner.test", None))
        .await
        .unwrap();
    let received = server.wait_for_messages(1, WAIT);
    let message = parse(&received[0].raw);
    assert_eq!(
        message.subject(),
        Some("Welcome to Engage, jane@partner.test")
    );
    let text = message.body_text(0).unwrap();
    assert!(
        text.starts_with(&format!("Login jane@partner.test / {PASSWORD}")),
        "{text}"
    );
    assert!(text.contains("Literal {braces} stay."), "{text}");
    // The HTML part was not overridden: still the built-in one.
    assert!(message.body_html(0).unwrap().contains(PASSWORD_IN_HTML));

    std::fs::write(
        templates.path().join("ticket.txt"),
        "Subject: {headline}\n\nWho: {requestor}\n",
    )
    .unwrap();
    let text = format!("{PLATFORM}\n[notify]\nticket_to = \"helpdesk@onbehalf.test\"\n{extra}");
    let error = Config::from_toml(&text, Path::new("/etc/onbehalf/onbehalf.toml")).unwrap_err();
    let message = error.to_string();
    assert!(matches!(&error, ConfigError::Invalid { key, .. } if key == "notify.templates_dir"));
    assert!(message.contains("ticket.txt, line 3"), "{message}");
    assert!(message.contains("{requestor}"), "{message}");
}
