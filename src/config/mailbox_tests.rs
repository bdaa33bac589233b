use std::path::Path;
use std::time::Duration;

use super::*;

const IMAP: &str = r#"
kind = "imap"
host = "imap.example.com"
username = "support@example.com"
password_file = "imap-password"
"#;

fn parse(text: &str) -> Result<MailboxConfig, Invalid> {
    let raw: RawMailbox = toml::from_str(text).unwrap();
    raw.validate(Path::new("/etc/onbehalf"))
}

fn imap(text: &str) -> ImapConfig {
    match parse(text).unwrap() {
        MailboxConfig::Imap(imap) => imap,
        other => panic!("expected imap, got {other:?}"),
    }
}

/// The key a validation error names, checking that it also says what to do.
fn invalid_key(text: &str) -> String {
    let invalid = parse(text).unwrap_err();
    assert!(
        !invalid.problem.is_empty() && !invalid.suggestion.is_empty(),
        "{invalid:?}"
    );
    invalid.key
}

#[test]
fn imap_defaults() {
    let config = imap(IMAP);
    assert_eq!(config.port, 993);
    assert_eq!(config.security, ImapSecurity::Tls);
    assert_eq!(
        config.auth,
        ImapAuth::Password(SecretSource::File("/etc/onbehalf/imap-password".into()))
    );
    assert_eq!(config.folder, "INBOX");
    assert_eq!(config.done_folder, "onbehalf/done");
    assert_eq!(config.needs_human_folder, "onbehalf/needs-human");
    assert!(config.idle);
    assert_eq!(config.idle_renew, Duration::from_secs(20 * 60));
    assert_eq!(config.poll_interval, Duration::from_secs(60));
    assert_eq!(config.timeout, Duration::from_secs(30));
    assert_eq!(config.ca_file, None);
}

#[test]
fn starttls_and_plain_default_to_port_143() {
    assert_eq!(imap(&format!("{IMAP}security = \"starttls\"\n")).port, 143);
    let plain = IMAP.replace("imap.example.com", "127.0.0.1");
    assert_eq!(imap(&format!("{plain}security = \"plain\"\n")).port, 143);
    assert_eq!(imap(&format!("{IMAP}port = 1993\n")).port, 1993);
}

#[test]
fn plain_is_refused_unless_the_host_is_loopback() {
    assert_eq!(
        invalid_key(&format!("{IMAP}security = \"plain\"\n")),
        "mailbox.security"
    );
    for host in ["localhost", "127.0.0.1", "127.0.0.53", "::1", "[::1]"] {
        let text = IMAP.replace("imap.example.com", host);
        imap(&format!("{text}security = \"plain\"\n"));
    }
}

#[test]
fn every_login_method_is_accepted() {
    let base = IMAP.replace("password_file = \"imap-password\"\n", "");
    let credential = imap(&format!("{base}password_credential = \"imap-pw\"\n"));
    assert_eq!(
        credential.auth,
        ImapAuth::Password(SecretSource::Credential("imap-pw".into()))
    );
    let token = imap(&format!("{base}xoauth2_token_file = \"/run/token\"\n"));
    assert_eq!(
        token.auth,
        ImapAuth::XOAuth2(TokenSource::File("/run/token".into()))
    );
    let command = imap(&format!(
        "{base}xoauth2_token_command = \"get-token --secret s3\"\n"
    ));
    assert_eq!(
        command.auth,
        ImapAuth::XOAuth2(TokenSource::Command("get-token --secret s3".into()))
    );
    assert!(
        !format!("{command:?}").contains("s3"),
        "the command's arguments are not shown"
    );
}

#[test]
fn exactly_one_login_method() {
    let base = IMAP.replace("password_file = \"imap-password\"\n", "");
    assert_eq!(invalid_key(&base), "mailbox.password_file");
    let two = format!("{IMAP}xoauth2_token_command = \"get-token\"\n");
    let invalid = parse(&two).unwrap_err();
    assert_eq!(invalid.key, "mailbox.xoauth2_token_command");
    assert!(invalid.suggestion.contains("exactly one"), "{invalid:?}");
    assert_eq!(
        invalid_key(&format!("{base}xoauth2_token_command = \"  \"\n")),
        "mailbox.xoauth2_token_command"
    );
    assert_eq!(
        invalid_key(&format!("{base}password_credential = \"a/b\"\n")),
        "mailbox.password_credential"
    );
}

#[test]
fn missing_and_misplaced_keys_are_named() {
    assert_eq!(invalid_key("host = \"x\"\n"), "mailbox.kind");
    assert_eq!(
        invalid_key(&IMAP.replace("host = \"imap.example.com\"\n", "")),
        "mailbox.host"
    );
    assert_eq!(
        invalid_key(&IMAP.replace("support@example.com", " ")),
        "mailbox.username"
    );
    assert_eq!(
        invalid_key(&format!("{IMAP}path = \"/srv/mail\"\n")),
        "mailbox.path"
    );
    assert_eq!(invalid_key(&format!("{IMAP}port = 0\n")), "mailbox.port");
    let plain = IMAP.replace("imap.example.com", "localhost");
    assert_eq!(
        invalid_key(&format!(
            "{plain}security = \"plain\"\nca_file = \"ca.pem\"\n"
        )),
        "mailbox.ca_file"
    );
}

#[test]
fn durations_are_checked() {
    let renew = imap(&format!(
        "{IMAP}idle_renew = \"5m\"\npoll_interval = \"2s\"\ntimeout = \"1s\"\n"
    ));
    assert_eq!(renew.idle_renew, Duration::from_secs(300));
    assert_eq!(renew.poll_interval, Duration::from_secs(2));
    assert_eq!(renew.timeout, Duration::from_secs(1));
    assert_eq!(
        invalid_key(&format!("{IMAP}idle_renew = \"30m\"\n")),
        "mailbox.idle_renew"
    );
    assert_eq!(
        invalid_key(&format!("{IMAP}idle_renew = \"0s\"\n")),
        "mailbox.idle_renew"
    );
    assert_eq!(
        invalid_key(&format!("{IMAP}poll_interval = \"0s\"\n")),
        "mailbox.poll_interval"
    );
    assert_eq!(
        invalid_key(&format!("{IMAP}timeout = \"0s\"\n")),
        "mailbox.timeout"
    );
}

#[test]
fn folders_are_checked() {
    let custom = imap(&format!(
        "{IMAP}folder = \"Support\"\ndone_folder = \"Archive/Done\"\nneeds_human_folder = \"Help\"\n"
    ));
    assert_eq!(
        (
            custom.folder.as_str(),
            custom.done_folder.as_str(),
            custom.needs_human_folder.as_str()
        ),
        ("Support", "Archive/Done", "Help")
    );
    for bad in ["", "/done", "done/", "a//b", "dön", "a*", "a%b", "a\tb"] {
        let text = format!("{IMAP}done_folder = {bad:?}\n");
        assert_eq!(invalid_key(&text), "mailbox.done_folder", "{bad:?}");
    }
    assert_eq!(
        invalid_key(&format!("{IMAP}needs_human_folder = \"onbehalf/done\"\n")),
        "mailbox.needs_human_folder"
    );
    assert_eq!(
        invalid_key(&format!("{IMAP}done_folder = \"inbox\"\n")),
        "mailbox.done_folder"
    );
}

#[test]
fn maildir_config() {
    let MailboxConfig::Maildir(maildir) =
        parse("kind = \"maildir\"\npath = \"mail\"\npoll_interval = \"5s\"\n").unwrap()
    else {
        panic!("expected a maildir");
    };
    assert_eq!(maildir.path, Path::new("/etc/onbehalf/mail"));
    assert_eq!(maildir.poll_interval, Duration::from_secs(5));
    assert_eq!(
        maildir.folder_path(&maildir.done_folder),
        Path::new("/etc/onbehalf/mail/.onbehalf.done")
    );
    assert_eq!(
        maildir.folder_path(&maildir.needs_human_folder),
        Path::new("/etc/onbehalf/mail/.onbehalf.needs-human")
    );
    assert_eq!(invalid_key("kind = \"maildir\"\n"), "mailbox.path");
    assert_eq!(
        invalid_key("kind = \"maildir\"\npath = \"m\"\nhost = \"x\"\n"),
        "mailbox.host"
    );
    assert_eq!(
        invalid_key("kind = \"maildir\"\npath = \"m\"\nfolder = \"x\"\n"),
        "mailbox.folder"
    );
}

#[test]
fn whole_file_error_names_the_section_key() {
    let text = format!(
        "[[platform]]\nname = \"E\"\ninvite_links = [\"https://e.test/i?*\"]\n\
         allowed_hosts = [\"e.test\"]\n[mailbox]\n{}",
        IMAP.replace("imap.example.com", "mail.example.com") + "security = \"plain\"\n"
    );
    let err = super::super::Config::from_toml(&text, Path::new("/etc/onbehalf/onbehalf.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("key `mailbox.security`"), "{err}");
    assert!(err.contains("mail.example.com"), "{err}");
    assert!(err.contains("use security = \"tls\""), "{err}");
}

#[test]
fn unknown_values_are_syntax_errors() {
    assert!(toml::from_str::<RawMailbox>("kind = \"pop3\"\n").is_err());
    assert!(toml::from_str::<RawMailbox>("security = \"ssl\"\n").is_err());
    assert!(toml::from_str::<RawMailbox>("passwd_file = \"x\"\n").is_err());
}
