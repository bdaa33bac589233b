//! SMTP transport: TLS modes, AUTH, retries, timeouts, a server going away, logs.

use std::path::Path;

use onbehalf::config::{Config, ConfigError};

use super::support::smtp::{FailStage, SmtpOptions, SmtpServer};
use super::*;

#[tokio::test]
async fn temporary_failures_are_retried_and_the_mail_delivered_once() {
    let mut server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    server.fail_next(2, 451, FailStage::Data);

    notifier(&config)
        .send_credentials(&credentials("job-41", "jane@partner.test", None))
        .await
        .unwrap();
    assert_eq!(server.refused(), 2);
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test]
async fn a_hung_server_is_cut_off_and_the_retry_uses_a_fresh_connection() {
    let mut server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (mut config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    config.smtp.as_mut().unwrap().timeout = Duration::from_millis(250);
    let notifier = notifier(&config);
    let mail = credentials("job-43", "jane@partner.test", None);
    notifier.send_credentials(&mail).await.unwrap();

    server.stall_next(1);
    notifier.send_credentials(&mail).await.unwrap();
    assert_eq!(server.stalled(), 1);
    assert_eq!(server.messages().len(), 2);

    config.smtp.as_mut().unwrap().retries = 0;
    server.stall_next(1);
    let error = self::notifier(&config)
        .send_credentials(&mail)
        .await
        .unwrap_err();
    assert!(
        matches!(error, NotifyError::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(error.is_temporary());
}

#[tokio::test]
async fn permanent_refusal_is_not_retried() {
    let mut server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    server.fail_next(5, 550, FailStage::Rcpt);

    let error = notifier(&config)
        .send_credentials(&credentials("job-42", "jane@partner.test", None))
        .await
        .unwrap_err();
    assert!(!error.is_temporary(), "{error:?}");
    assert!(
        matches!(error, NotifyError::Smtp { attempts: 1, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("credentials mail for job job-42"), "{text}");
    assert!(
        text.contains(&format!("127.0.0.1:{}", server.port())),
        "{text}"
    );
    assert_eq!(server.refused(), 1);
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn wrong_smtp_password_is_a_clear_error_that_hides_the_password() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let wrong = "Wr0ng-Secret!";
    let (config, _dir) = load(&server, "starttls", Some(wrong), "");
    let notifier = notifier(&config);

    let error = notifier.check().await.unwrap_err();
    assert!(matches!(error, NotifyError::Auth { .. }), "{error:?}");
    assert!(!error.is_temporary());
    let sent = notifier
        .send_credentials(&credentials("job-51", "jane@partner.test", None))
        .await
        .unwrap_err();
    assert!(matches!(sent, NotifyError::Auth { .. }), "{sent:?}");

    let text = everything_about(&error) + &everything_about(&sent);
    assert!(text.contains("cannot log in to SMTP server"), "{text}");
    assert!(
        text.contains(&format!("127.0.0.1:{}", server.port())),
        "{text}"
    );
    assert!(text.contains(USER), "{text}");
    assert!(text.contains("535"), "{text}");
    for secret in [wrong, SMTP_PASSWORD, PASSWORD] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn check_logs_in_without_sending() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    notifier(&config).check().await.unwrap();
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn implicit_tls_and_plain_loopback_deliver() {
    let tls = SmtpServer::start(SmtpOptions::tls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&tls, "tls", Some(SMTP_PASSWORD), "");
    notifier(&config)
        .send_credentials(&credentials("job-61", "jane@partner.test", None))
        .await
        .unwrap();
    assert_eq!(
        tls.wait_for_messages(1, WAIT)[0].rcpt_to,
        ["jane@partner.test"]
    );

    let plain = SmtpServer::start(SmtpOptions::plain());
    let (config, _dir) = load(&plain, "plain", None, "");
    notifier(&config)
        .send_ticket(&ticket("job-62", tickets::UTF8_ORIGINAL.as_bytes()))
        .await
        .unwrap();
    assert_eq!(
        plain.wait_for_messages(1, WAIT)[0].rcpt_to,
        ["helpdesk@onbehalf.test"]
    );
}

#[tokio::test]
async fn untrusted_certificate_fails_at_once_and_is_not_temporary() {
    let server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (mut config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    config.smtp.as_mut().unwrap().ca_file = None;
    let error = notifier(&config)
        .send_credentials(&credentials("job-63", "jane@partner.test", None))
        .await
        .unwrap_err();
    assert!(!error.is_temporary(), "{error:?}");
    assert!(
        matches!(error, NotifyError::Smtp { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(
        everything_about(&error).contains("UnknownIssuer"),
        "{error:?}"
    );
}

#[tokio::test]
async fn server_down_is_temporary_and_the_pool_recovers_after_restart() {
    let mut server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    let notifier = notifier(&config);
    let mail = credentials("job-71", "jane@partner.test", None);
    notifier.send_credentials(&mail).await.unwrap();

    server.stop();
    let error = notifier.send_credentials(&mail).await.unwrap_err();
    assert!(error.is_temporary(), "{error:?}");
    assert!(
        matches!(error, NotifyError::Smtp { attempts: 4, .. }),
        "{error:?}"
    );

    server.restart();
    notifier.send_credentials(&mail).await.unwrap();
    assert_eq!(server.messages().len(), 2);
}

#[test]
fn plain_smtp_to_a_remote_host_is_refused_by_config_validation() {
    let text = format!(
        "{PLATFORM}\n[smtp]\nhost = \"smtp.example.com\"\nsecurity = \"plain\"\n\
         from = \"support@example.com\"\n"
    );
    let error = Config::from_toml(&text, Path::new("/etc/onbehalf/onbehalf.toml")).unwrap_err();
    let ConfigError::Invalid { key, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(key, "smtp.security");
    let message = error.to_string();
    assert!(message.contains("smtp.example.com"), "{message}");
    assert!(message.contains("\"starttls\""), "{message}");
}

#[tokio::test]
async fn logs_name_job_kind_and_domain_but_no_address_or_secret() {
    let mut server = SmtpServer::start(SmtpOptions::starttls().with_auth(USER, SMTP_PASSWORD));
    let (config, _dir) = load(&server, "starttls", Some(SMTP_PASSWORD), "");
    server.fail_next(1, 451, FailStage::Data);
    notifier(&config)
        .send_credentials(&credentials("job-99", "jane@partner.test", None))
        .await
        .unwrap();

    // Every test in this binary logs here, so the checks for secrets cover them all.
    let logs = captured_logs();
    let job: Vec<&str> = logs.lines().filter(|l| l.contains("job-99")).collect();
    let sent: Vec<&&str> = job.iter().filter(|l| l.contains("mail sent")).collect();
    assert_eq!(sent.len(), 1, "{logs}");
    assert!(sent[0].contains("credentials"), "{logs}");
    assert!(sent[0].contains("partner.test"), "{logs}");
    assert!(job.iter().any(|l| l.contains("will retry")), "{logs}");
    assert!(!logs.contains("jane@"), "{logs}");
    use base64::Engine as _;
    let auth_plain =
        base64::engine::general_purpose::STANDARD.encode(format!("\0{USER}\0{SMTP_PASSWORD}"));
    for secret in [
        PASSWORD,
        PASSWORD_IN_HTML,
        SMTP_PASSWORD,
        auth_plain.as_str(),
    ] {
        assert!(!logs.contains(secret), "{secret} leaked into logs:\n{logs}");
    }
}
