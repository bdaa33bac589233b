use std::path::Path;

use super::*;

const MINIMAL: &str = r#"
[limits]
max_message_bytes = 1000

[[platform]]
name = "Engage"
invite_links = ["https://engage.example.com/invitations/accept?*"]
allowed_hosts = ["engage.example.com"]
"#;

fn load(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml(text, Path::new("/etc/onbehalf/onbehalf.toml"))
}

fn invalid_key(text: &str) -> String {
    match load(text) {
        Err(ConfigError::Invalid { key, .. }) => key,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn minimal_config_gets_engage_defaults() {
    let config = load(MINIMAL).unwrap();
    assert_eq!(config.limits.max_message_bytes, 1000);
    let engage = config.platform("engage").unwrap();
    assert!(engage.is_invite_link("https://engage.example.com/invitations/accept?token=abc"));
    assert_eq!(engage.password, PasswordPolicy::default());
    assert!(engage.allows("https", "engage.example.com", 443));
    assert!(!engage.allows("http", "engage.example.com", 80));
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let err = load(&MINIMAL.replace("allowed_hosts", "allowed_host")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("/etc/onbehalf/onbehalf.toml"), "{text}");
    assert!(text.contains("allowed_host"), "{text}");
    assert!(text.contains("line"), "{text}");
}

#[test]
fn invite_host_must_be_allowed() {
    let text = MINIMAL.replace(
        "allowed_hosts = [\"engage.example.com\"]",
        "allowed_hosts = [\"other.example.com\"]",
    );
    let err = load(&text).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("platform[0].invite_links[0]"), "{message}");
    assert!(message.contains("add \"engage.example.com\""), "{message}");
}

#[test]
fn bad_values_name_their_key() {
    assert_eq!(
        invalid_key(&MINIMAL.replace("max_message_bytes = 1000", "max_message_bytes = 0")),
        "limits.max_message_bytes"
    );
    assert_eq!(
        invalid_key(&MINIMAL.replace("\"engage.example.com\"]", "\"https://e.test/\"]")),
        "platform[0].allowed_hosts[0]"
    );
    assert_eq!(
        invalid_key(&format!("{MINIMAL}signup_form = \"form[[\"\n")),
        "platform[0].signup_form"
    );
    assert_eq!(
        invalid_key(&format!("{MINIMAL}[platform.password]\nmin_length = 20\n")),
        "platform[0].password.max_length"
    );
    assert_eq!(
        invalid_key(&format!("{MINIMAL}[platform.password]\nsymbols = \"ab\"\n")),
        "platform[0].password.symbols"
    );
    assert_eq!(invalid_key("[limits]\n"), "platform");
    assert_eq!(
        invalid_key(&format!(
            "{MINIMAL}{}",
            &MINIMAL[MINIMAL.find("[[platform]]").unwrap()..]
        )),
        "platform[1].name"
    );
}

#[test]
fn relative_ca_file_is_resolved_against_the_config_dir() {
    let config = load(&format!("{MINIMAL}ca_file = \"ca.pem\"\n")).unwrap();
    assert_eq!(
        config.platforms[0].ca_file.as_deref(),
        Some(Path::new("/etc/onbehalf/ca.pem"))
    );
}

#[test]
fn full_profile_parses() {
    let text = r#"
[[platform]]
name = "Engage"
invite_links = ["https://localhost:8443/invitations/accept?*"]
allowed_hosts = ["localhost:8443"]
signup_form = "form#signup"
password_fields = ["password", "password_confirmation"]
tick_checkboxes = ["terms"]
success_url = "https://localhost:8443/home*"
success_selector = "h1.welcome"
request_timeout = "5s"
link_expired_texts = ["gone"]
[platform.password]
min_length = 10
max_length = 12
require = ["upper", "digit", "upper"]
symbols = "!?"
"#;
    let config = load(text).unwrap();
    let p = &config.platforms[0];
    assert_eq!(p.password.require, vec![CharClass::Upper, CharClass::Digit]);
    assert_eq!(p.request_timeout, std::time::Duration::from_secs(5));
    // The profile's list replaces the default expired-link texts; the other lists keep
    // theirs.
    let texts = p.failures.texts();
    assert_eq!(
        texts.first_in("it is gone"),
        Some((crate::reason::Reason::LinkExpired, "gone"))
    );
    assert_eq!(texts.first_in("this link has expired"), None);
    assert_eq!(
        texts.first_in("you are already registered").map(|m| m.0),
        Some(crate::reason::Reason::AlreadyRegistered)
    );
    assert!(
        p.success_url
            .as_ref()
            .unwrap()
            .matches("https://localhost:8443/home")
    );
}

#[test]
fn the_engine_defaults_to_http_and_the_browser_settings_validate() {
    let config = load(MINIMAL).unwrap();
    assert_eq!(config.platforms[0].engine, Engine::Http);
    assert_eq!(config.browser, BrowserSettings::default());
    assert_eq!(config.daemon.browser_concurrency, 2);
    let with = MINIMAL.replace("name = \"Engage\"", "name = \"Engage\"\nengine = \"auto\"")
        + "[browser]\nexecutable = \"/opt/chromium\"\njobs_per_process = 5\n\
         memory_limit_mb = 300\nsignup_deadline = \"30s\"\n";
    let config = load(&with).unwrap();
    assert_eq!(config.platforms[0].engine, Engine::Auto);
    assert_eq!(config.browser.jobs_per_process, 5);
    assert_eq!(config.browser.memory_limit, 300 * 1024 * 1024);
    assert!(
        load(&MINIMAL.replace(
            "name = \"Engage\"",
            "name = \"Engage\"\nengine = \"chrome\""
        ))
        .is_err()
    );
    assert_eq!(
        invalid_key(&format!("{MINIMAL}[browser]\njobs_per_process = 0\n")),
        "browser.jobs_per_process"
    );
    assert_eq!(
        invalid_key(&format!("{MINIMAL}[daemon]\nbrowser_concurrency = 0\n")),
        "daemon.browser_concurrency"
    );
}
