//! URL patterns and host allowlist entries from the config file.
//!
//! In: the strings an operator wrote (`https://engage.example.com/invitations/accept?*`,
//! `engage.example.com`, `localhost:8443`). Out: typed values that answer "does this URL
//! match" and "may this host be visited".

use std::fmt;

/// A URL pattern where `*` matches any run of characters (including `/`, `?`, `&`) and
/// every other character matches itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlPattern {
    text: String,
    /// Lower-cased `scheme://authority` part, fixed (no `*` allowed there).
    origin: String,
    /// What follows the origin, matched case-sensitively.
    rest: String,
}

/// Why a pattern string cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// The pattern does not start with `https://` or `http://`.
    #[error("it must start with https:// (or http:// for local testing)")]
    Scheme,
    /// The host part is empty or has a wildcard.
    #[error("its host must be spelled out in full, without `*`")]
    Host,
}

impl UrlPattern {
    /// Parses a pattern; the scheme and host must be literal.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        let after_scheme = if lower.starts_with("https://") {
            8
        } else if lower.starts_with("http://") {
            7
        } else {
            return Err(PatternError::Scheme);
        };
        let authority_end = text[after_scheme..]
            .find(['/', '?', '#'])
            .map_or(text.len(), |i| after_scheme + i);
        let authority = &text[after_scheme..authority_end];
        if authority.is_empty() || authority.contains('*') || authority.contains('@') {
            return Err(PatternError::Host);
        }
        Ok(Self {
            text: text.to_owned(),
            origin: lower[..authority_end].to_owned(),
            rest: text[authority_end..].to_owned(),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        self.origin.split("://").next().unwrap_or_default()
    }

    /// The lower-cased `host[:port]` the pattern is fixed to.
    pub fn authority(&self) -> &str {
        self.origin.split("://").nth(1).unwrap_or_default()
    }

    /// Whether `url` matches. Scheme and host compare case-insensitively (as URLs do);
    /// the rest is compared exactly.
    pub fn matches(&self, url: &str) -> bool {
        let Some(head) = url.get(..self.origin.len()) else {
            return false;
        };
        head.eq_ignore_ascii_case(&self.origin)
            && glob_match(self.rest.as_bytes(), &url.as_bytes()[self.origin.len()..])
    }
}

impl UrlPattern {
    /// The byte ranges of `url` that the pattern's `*`s matched (empty ones included), or
    /// `None` when `url` does not match. What a `*` stands for is the part that differs
    /// from one invite to the next: the token, in the query or in the path.
    pub fn wildcard_spans(&self, url: &str) -> Option<Vec<std::ops::Range<usize>>> {
        let head = url.get(..self.origin.len())?;
        if !head.eq_ignore_ascii_case(&self.origin) {
            return None;
        }
        let offset = self.origin.len();
        let spans = glob_spans(self.rest.as_bytes(), &url.as_bytes()[offset..])?;
        Some(
            spans
                .into_iter()
                .map(|(start, end)| start + offset..end + offset)
                .collect(),
        )
    }
}

impl fmt::Display for UrlPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `*`-only glob, iterative with single backtrack point: linear in practice, never
/// exponential whatever the input.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    glob_spans(pattern, text).is_some()
}

/// Whether `text` matches, with the text each `*` matched, in pattern order: with a
/// single backtrack point only the latest `*` ever grows, so earlier spans are final.
fn glob_spans(pattern: &[u8], text: &[u8]) -> Option<Vec<(usize, usize)>> {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    let mut spans = Vec::new();
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            spans.push((t, t));
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, t));
            if let Some(last) = spans.last_mut() {
                last.1 = t;
            }
        } else {
            return None;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        spans.push((t, t));
        p += 1;
    }
    (p == pattern.len()).then_some(spans)
}

/// One `allowed_hosts` entry: a host name or IP literal, optionally with a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    /// Lower-cased host name or IP literal (IPv6 without brackets).
    pub host: String,
    /// When set, only this port; when not, the scheme's default port.
    pub port: Option<u16>,
}

impl AllowedHost {
    /// Parses `host` or `host:port` (`[v6]:port` for IPv6).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase();
        if text.is_empty() || text.contains(['/', '*', '@', '?', '#', ' ']) {
            return None;
        }
        let parsed = url::Url::parse(&format!("https://{text}/")).ok()?;
        let host = parsed.host_str()?.trim_matches(['[', ']']).to_owned();
        let explicit_port = text.rsplit_once(':').and_then(|(before, port)| {
            (!before.ends_with(':') && (before.ends_with(']') || !before.contains(':')))
                .then(|| port.parse::<u16>().ok())
                .flatten()
        });
        Some(Self {
            host,
            port: explicit_port,
        })
    }

    /// Whether a request to `host` on `port` (for a URL of `scheme`) is allowed.
    pub fn permits(&self, scheme: &str, host: &str, port: u16) -> bool {
        let default_port = if scheme.eq_ignore_ascii_case("http") {
            80
        } else {
            443
        };
        host.trim_matches(['[', ']'])
            .eq_ignore_ascii_case(&self.host)
            && port == self.port.unwrap_or(default_port)
    }
}

impl fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.port, self.host.contains(':')) {
            (Some(port), true) => write!(f, "[{}]:{port}", self.host),
            (Some(port), false) => write!(f, "{}:{port}", self.host),
            (None, _) => f.write_str(&self.host),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_including_separators() {
        let p = UrlPattern::parse("https://engage.example.com/invitations/accept?*").unwrap();
        assert!(p.matches("https://engage.example.com/invitations/accept?token=a/b&c=d"));
        assert!(p.matches("HTTPS://Engage.Example.COM/invitations/accept?token=x"));
        assert!(!p.matches("https://engage.example.com/invitations/Accept?token=x"));
        assert!(!p.matches("https://engage.example.com.evil.test/invitations/accept?x"));
        assert!(!p.matches("https://engage.example.com/invitations/accept"));
    }

    #[test]
    fn star_in_middle_and_end() {
        let p = UrlPattern::parse("https://a.test/i/*/accept*").unwrap();
        assert!(p.matches("https://a.test/i/123/accept"));
        assert!(p.matches("https://a.test/i/1/2/accept?x=1"));
        assert!(!p.matches("https://a.test/i/accept"));
    }

    #[test]
    fn wildcard_spans_are_what_each_star_matched() {
        let p = UrlPattern::parse("https://a.test/i/*/accept?*").unwrap();
        let url = "https://a.test/i/T0K/accept?x=1";
        let spans = p.wildcard_spans(url).unwrap();
        let texts: Vec<&str> = spans.iter().map(|r| &url[r.clone()]).collect();
        assert_eq!(texts, ["T0K", "x=1"]);
        let p = UrlPattern::parse("https://a.test/join/*").unwrap();
        let url = "https://a.test/join/a/accept/b";
        let spans = p.wildcard_spans(url).unwrap();
        assert_eq!(&url[spans[0].clone()], "a/accept/b");
        assert_eq!(p.wildcard_spans("https://a.test/other/x"), None);
        let p = UrlPattern::parse("https://a.test/x*").unwrap();
        let empty = p.wildcard_spans("https://a.test/x").unwrap();
        assert_eq!((empty.len(), empty[0].start, empty[0].end), (1, 16, 16));
    }

    #[test]
    fn pathological_glob_is_fast() {
        let p = UrlPattern::parse(&format!("https://a.test/{}b", "*a".repeat(50))).unwrap();
        let text = format!("https://a.test/{}", "a".repeat(100_000));
        assert!(!p.matches(&text));
    }

    #[test]
    fn host_must_be_literal() {
        assert_eq!(
            UrlPattern::parse("https://*.example.com/x"),
            Err(PatternError::Host)
        );
        assert_eq!(
            UrlPattern::parse("ftp://example.com/x"),
            Err(PatternError::Scheme)
        );
        let p = UrlPattern::parse("https://Example.com:8443/x?*").unwrap();
        assert_eq!(p.authority(), "example.com:8443");
        assert_eq!(p.scheme(), "https");
    }

    #[test]
    fn allowed_host_ports() {
        let plain = AllowedHost::parse("Engage.example.com").unwrap();
        assert!(plain.permits("https", "engage.example.com", 443));
        assert!(!plain.permits("https", "engage.example.com", 8443));
        let with_port = AllowedHost::parse("localhost:8443").unwrap();
        assert!(with_port.permits("https", "LOCALHOST", 8443));
        assert!(!with_port.permits("https", "localhost", 443));
        let v6 = AllowedHost::parse("[::1]:9000").unwrap();
        assert_eq!(v6.host, "::1");
        assert!(v6.permits("https", "[::1]", 9000));
        assert_eq!(v6.to_string(), "[::1]:9000");
        assert!(AllowedHost::parse("https://x.test").is_none());
        assert!(AllowedHost::parse("*.x.test").is_none());
    }
}
