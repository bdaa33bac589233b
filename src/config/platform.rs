//! One `[[platform]]` table: which links are its invites, where the signup may go, and
//! how its signup form and password policy look (the platform profile).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::{
    AllowedHost, CssSelector, FailureMarkers, FailureTexts, Invalid, InviteToken, UrlPattern,
};

/// A validated platform profile.
#[derive(Debug, Clone)]
pub struct Platform {
    /// The name shown to people (`Engage`).
    pub name: String,
    /// A link is this platform's invite when, unwrapped, it matches one of these.
    pub invite_links: Vec<UrlPattern>,
    /// Where invite links carry their token: forwards with one token are one invite.
    pub invite_token: Option<InviteToken>,
    /// Which engine signs up: `http`, `browser` or `auto`.
    pub engine: super::Engine,
    /// The only hosts the signup may visit, redirects included.
    pub allowed_hosts: Vec<AllowedHost>,
    /// CSS selector of the signup form; `None` means the first form with a password input.
    pub signup_form: Option<CssSelector>,
    /// Names of the inputs that take the password; empty means every password input.
    pub password_fields: Vec<String>,
    /// Names of checkboxes to tick (accepting terms, for example).
    pub tick_checkboxes: Vec<String>,
    /// Name of the input holding the account's email; `None` means the one visible email
    /// input the platform pre-filled.
    pub login_field: Option<String>,
    /// The landing URL after a successful signup.
    pub success_url: Option<UrlPattern>,
    /// A CSS selector present only on the page after a successful signup.
    pub success_selector: Option<CssSelector>,
    /// An extra trusted root certificate (PEM) for the platform's HTTPS.
    pub ca_file: Option<PathBuf>,
    /// Allow `http://` (only ever for local testing).
    pub allow_http: bool,
    /// The password policy the generated password satisfies.
    pub password: PasswordPolicy,
    /// Page texts and selectors that tell why a signup failed.
    pub failures: FailureMarkers,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, body included.
    pub request_timeout: Duration,
    /// Response bodies larger than this are refused.
    pub max_response_bytes: usize,
}

impl Platform {
    /// Whether `url` is one of this platform's invite links.
    pub fn is_invite_link(&self, url: &str) -> bool {
        self.invite_links.iter().any(|p| p.matches(url))
    }

    /// `scheme://host[:port]/path`, fit for logs, errors, journal notes and tickets: never
    /// the query or the fragment, and the path parts an invite pattern's `*` matched (a
    /// token in the path, `/join/<token>`) read `[redacted]`. The one way a URL of this
    /// platform is displayed.
    pub fn shown_url(&self, url: &url::Url) -> String {
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let full = url.as_str();
        let path_start = url[..url::Position::BeforePath].len();
        let path_end = url[..url::Position::AfterPath].len();
        let spans = self
            .invite_links
            .iter()
            .find_map(|p| p.wildcard_spans(full))
            .unwrap_or_default();
        let mut path = String::new();
        let mut at = path_start;
        for span in spans {
            let (start, end) = (span.start.max(path_start), span.end.min(path_end));
            if start >= end || start < at {
                continue;
            }
            path.push_str(&full[at..start]);
            path.push_str(crate::secret::REDACTED);
            at = end;
        }
        if at < path_end {
            path.push_str(&full[at..path_end]);
        }
        format!(
            "{}://{}{port}{path}",
            url.scheme(),
            url.host_str().unwrap_or_default()
        )
    }

    /// Whether a request to `host:port` over `scheme` is allowed by `allowed_hosts`.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        let scheme_ok = scheme.eq_ignore_ascii_case("https")
            || (self.allow_http && scheme.eq_ignore_ascii_case("http"));
        scheme_ok
            && self
                .allowed_hosts
                .iter()
                .any(|h| h.permits(scheme, host, port))
    }
}

/// A class of characters a password policy can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CharClass {
    /// `A`–`Z`.
    Upper,
    /// `a`–`z`.
    Lower,
    /// `0`–`9`.
    Digit,
    /// One of the policy's `symbols`.
    Symbol,
}

/// The platform's password rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Shortest length accepted.
    pub min_length: usize,
    /// Longest length accepted; the generator uses this length.
    pub max_length: usize,
    /// Classes that must each appear at least once.
    pub require: Vec<CharClass>,
    /// The symbols the platform accepts.
    pub symbols: String,
}

impl Default for PasswordPolicy {
    /// The documented Engage policy: 8 to 16 characters with upper case, lower case,
    /// digits and symbols.
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 16,
            require: vec![
                CharClass::Upper,
                CharClass::Lower,
                CharClass::Digit,
                CharClass::Symbol,
            ],
            symbols: "!@#$%^&*".to_owned(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlatform {
    name: String,
    invite_links: Vec<String>,
    invite_token: Option<String>,
    #[serde(default)]
    engine: super::Engine,
    allowed_hosts: Vec<String>,
    signup_form: Option<String>,
    #[serde(default)]
    password_fields: Vec<String>,
    #[serde(default)]
    tick_checkboxes: Vec<String>,
    login_field: Option<String>,
    success_url: Option<String>,
    success_selector: Option<String>,
    ca_file: Option<PathBuf>,
    #[serde(default)]
    allow_http: bool,
    #[serde(default, with = "humantime_serde")]
    connect_timeout: Option<Duration>,
    #[serde(default, with = "humantime_serde")]
    request_timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
    #[serde(default)]
    password: RawPasswordPolicy,
    link_expired_texts: Option<Vec<String>>,
    link_expired_selector: Option<String>,
    already_registered_texts: Option<Vec<String>>,
    already_registered_selector: Option<String>,
    password_rejected_texts: Option<Vec<String>>,
    password_rejected_selector: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPasswordPolicy {
    min_length: Option<usize>,
    max_length: Option<usize>,
    require: Option<Vec<CharClass>>,
    symbols: Option<String>,
}

impl RawPlatform {
    pub(super) fn validate(self, key: &str, base_dir: &Path) -> Result<Platform, Invalid> {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            return Err(Invalid::new(
                format!("{key}.name"),
                "the name is empty",
                "name the platform as support agents know it, e.g. name = \"Engage\"",
            ));
        }
        let allowed_hosts = parse_hosts(key, &self.allowed_hosts)?;
        let invite_links = parse_invite_links(key, &self.invite_links, &allowed_hosts)?;
        let success_url = self
            .success_url
            .as_deref()
            .map(|text| {
                UrlPattern::parse(text).map_err(|e| {
                    Invalid::new(
                        format!("{key}.success_url"),
                        format!("{text:?} is not a usable URL pattern: {e}"),
                        "write the landing page's URL, with * for the parts that vary",
                    )
                })
            })
            .transpose()?;
        let selector = |field: &str, text: Option<String>| css_selector(key, field, text);
        let signup_form = selector("signup_form", self.signup_form)?;
        let success_selector = selector("success_selector", self.success_selector)?;
        let link_expired_selector = selector("link_expired_selector", self.link_expired_selector)?;
        let already_registered_selector = selector(
            "already_registered_selector",
            self.already_registered_selector,
        )?;
        let password_rejected_selector = selector(
            "password_rejected_selector",
            self.password_rejected_selector,
        )?;
        let failures = FailureMarkers::new(
            FailureTexts {
                link_expired: self.link_expired_texts,
                already_registered: self.already_registered_texts,
                password_rejected: self.password_rejected_texts,
            },
            [
                link_expired_selector,
                already_registered_selector,
                password_rejected_selector,
            ],
        );
        let invite_token = self.invite_token.map(|t| InviteToken::parse(key, &t));
        Ok(Platform {
            invite_token: invite_token.transpose()?,
            name,
            engine: self.engine,
            invite_links,
            allowed_hosts,
            signup_form,
            password_fields: self.password_fields,
            tick_checkboxes: self.tick_checkboxes,
            login_field: self.login_field.filter(|f| !f.trim().is_empty()),
            success_url,
            success_selector,
            ca_file: self.ca_file.map(|p| base_dir.join(p)),
            allow_http: self.allow_http,
            password: self.password.validate(&format!("{key}.password"))?,
            failures,
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_secs(10)),
            request_timeout: self.request_timeout.unwrap_or(Duration::from_secs(30)),
            max_response_bytes: self.max_response_bytes.unwrap_or(5 * 1024 * 1024),
        })
    }
}

fn parse_hosts(key: &str, texts: &[String]) -> Result<Vec<AllowedHost>, Invalid> {
    if texts.is_empty() {
        return Err(Invalid::new(
            format!("{key}.allowed_hosts"),
            "no host is allowed, so the signup could never be opened",
            "list the platform's host, e.g. allowed_hosts = [\"engage.example.com\"]",
        ));
    }
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            AllowedHost::parse(text).ok_or_else(|| {
                Invalid::new(
                    format!("{key}.allowed_hosts[{i}]"),
                    format!("{text:?} is not a host name"),
                    "write only the host, optionally with :port, e.g. \"engage.example.com\" \
                     (no https://, no path, no *)",
                )
            })
        })
        .collect()
}

fn parse_invite_links(
    key: &str,
    texts: &[String],
    allowed: &[AllowedHost],
) -> Result<Vec<UrlPattern>, Invalid> {
    if texts.is_empty() {
        return Err(Invalid::new(
            format!("{key}.invite_links"),
            "no invite link pattern is given, so no invite could be recognised",
            "add the invite URL with * for the token, e.g. \
             invite_links = [\"https://engage.example.com/invitations/accept?*\"]",
        ));
    }
    let mut patterns = Vec::with_capacity(texts.len());
    for (i, text) in texts.iter().enumerate() {
        let field = format!("{key}.invite_links[{i}]");
        let pattern = UrlPattern::parse(text).map_err(|e| {
            Invalid::new(
                &field,
                format!("{text:?} is not a usable URL pattern: {e}"),
                "write the invite URL as the platform sends it, with * for the token",
            )
        })?;
        let (host, port) = split_authority(pattern.authority());
        let port = port.unwrap_or(if pattern.scheme() == "http" { 80 } else { 443 });
        if !allowed
            .iter()
            .any(|h| h.permits(pattern.scheme(), host, port))
        {
            return Err(Invalid::new(
                &field,
                format!("its host {} is not in allowed_hosts", pattern.authority()),
                format!(
                    "add \"{}\" to {key}.allowed_hosts, or correct the pattern",
                    pattern.authority()
                ),
            ));
        }
        patterns.push(pattern);
    }
    Ok(patterns)
}

/// Splits `host[:port]` / `[v6]:port`.
fn split_authority(authority: &str) -> (&str, Option<u16>) {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()),
        None => (authority, None),
    }
}

/// Parses a configured selector once, here, so every page uses it as parsed.
fn css_selector(
    key: &str,
    field: &str,
    text: Option<String>,
) -> Result<Option<CssSelector>, Invalid> {
    text.map(|text| {
        CssSelector::parse(&text).map_err(|problem| {
            Invalid::new(
                format!("{key}.{field}"),
                problem,
                "write a CSS selector such as \"form#signup\" or \"main .welcome\"",
            )
        })
    })
    .transpose()
}

impl RawPasswordPolicy {
    fn validate(self, key: &str) -> Result<PasswordPolicy, Invalid> {
        let defaults = PasswordPolicy::default();
        let policy = PasswordPolicy {
            min_length: self.min_length.unwrap_or(defaults.min_length),
            max_length: self.max_length.unwrap_or(defaults.max_length),
            require: self.require.unwrap_or(defaults.require),
            symbols: self.symbols.unwrap_or(defaults.symbols),
        };
        if policy.max_length < policy.min_length || policy.max_length == 0 {
            return Err(Invalid::new(
                format!("{key}.max_length"),
                format!(
                    "max_length {} is below min_length {}",
                    policy.max_length, policy.min_length
                ),
                "set max_length to the longest password the platform accepts",
            ));
        }
        if policy.max_length > 256 {
            return Err(Invalid::new(
                format!("{key}.max_length"),
                format!(
                    "{} characters is more than any signup form takes",
                    policy.max_length
                ),
                "set max_length to the platform's documented maximum (at most 256)",
            ));
        }
        let mut distinct = policy.require.clone();
        distinct.sort_by_key(|c| *c as u8);
        distinct.dedup();
        if distinct.len() > policy.max_length {
            return Err(Invalid::new(
                format!("{key}.require"),
                "more character classes are required than max_length leaves room for",
                "raise max_length or require fewer classes",
            ));
        }
        if let Some(bad) = policy.symbols.chars().find(|c| !c.is_ascii_punctuation()) {
            return Err(Invalid::new(
                format!("{key}.symbols"),
                format!("{bad:?} is not an ASCII symbol"),
                "list only ASCII punctuation characters, e.g. symbols = \"!@#$%^&*\"",
            ));
        }
        if policy.symbols.is_empty() && distinct.contains(&CharClass::Symbol) {
            return Err(Invalid::new(
                format!("{key}.symbols"),
                "symbols are required but none are listed",
                "list the symbols the platform accepts, e.g. symbols = \"!@#$%^&*\"",
            ));
        }
        Ok(PasswordPolicy {
            require: distinct,
            ..policy
        })
    }
}
