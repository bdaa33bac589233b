//! The vet stage: may this forward be acted on?
//!
//! In: the raw message, the extracted [`Invite`] and the `[policy]` config. Out: the
//! verdict — [`Vetted`] with how the sender was authenticated, or a [`VetRejection`]
//! with a reason a support agent can read. Pure: it trusts only `Authentication-Results`
//! written by our own receiving servers (`trusted_authserv_ids`), never the sender's.

use mail_parser::{Message, MessageParser};

use crate::config::PolicyConfig;
use crate::extract::Invite;
use crate::reason::Reason;

/// A forward that may be acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vetted {
    /// How the sender was authenticated, e.g. `dmarc=pass (mx.corp.example)`; `None`
    /// when the policy does not require it.
    pub authenticated_by: Option<String>,
}

/// A forward refused by policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VetRejection {
    /// The machine reason.
    pub reason: Reason,
    /// What happened and what to do, in plain words.
    pub detail: String,
}

/// Applies the policy to one forward.
pub fn vet(raw: &[u8], invite: &Invite, policy: &PolicyConfig) -> Result<Vetted, VetRejection> {
    let Some(sender) = invite.requester.as_deref() else {
        return Err(VetRejection {
            reason: Reason::UnknownSender,
            detail: "The forward has no sender address, so there is nobody to answer and no \
                     way to check who sent it."
                .to_owned(),
        });
    };
    let domain = domain_of(sender);
    if !policy.allowed_sender_domains.is_empty()
        && !policy
            .allowed_sender_domains
            .iter()
            .any(|allowed| is_same_or_subdomain(&domain, allowed))
    {
        return Err(VetRejection {
            reason: Reason::SenderNotAllowed,
            detail: format!(
                "The forward came from {sender}, whose domain is not among the domains \
                 onbehalf serves (policy.allowed_sender_domains). Check who this user is \
                 before signing them up by hand."
            ),
        });
    }
    if !policy.require_authenticated_sender {
        return Ok(Vetted {
            authenticated_by: None,
        });
    }
    match authenticated(raw, &domain, &policy.trusted_authserv_ids) {
        Some(how) => Ok(Vetted {
            authenticated_by: Some(how),
        }),
        None => Err(VetRejection {
            reason: Reason::UnauthenticatedSender,
            detail: format!(
                "Our mail server could not confirm that this forward really came from \
                 {sender} (no DMARC or aligned DKIM pass in a trusted Authentication-Results \
                 header), so it could be spoofed. Confirm with the user through another \
                 channel before acting on it."
            ),
        }),
    }
}

fn domain_of(address: &str) -> String {
    address
        .rsplit_once('@')
        .map_or("", |(_, d)| d)
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

fn is_same_or_subdomain(domain: &str, parent: &str) -> bool {
    domain == parent
        || domain
            .strip_suffix(parent)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// The verdict of the topmost `Authentication-Results` from a trusted server: our MX
/// prepends its own header and should strip forged copies, so lower ones (which a
/// sender can write) never count.
fn authenticated(raw: &[u8], from_domain: &str, trusted: &[String]) -> Option<String> {
    let headers = MessageParser::new().parse_headers(raw)?;
    if !has_single_author(&headers) {
        return None;
    }
    let results = headers
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results"))
        .map(|(_, value)| parse_results(value))
        .find(|r| {
            trusted
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&r.authserv_id))
        })?;
    let pass = |m: &MethodResult, name: &str| m.method == name && m.result == "pass";
    let dmarc = results.methods.iter().any(|m| {
        pass(m, "dmarc")
            && m.property("header.from")
                .is_none_or(|v| domain_of_prop(v) == from_domain)
    });
    // Relaxed alignment: the signing domain is the From domain or one of its parents.
    let dkim = results.methods.iter().any(|m| {
        pass(m, "dkim")
            && m.property("header.d").is_some_and(|d| {
                let d = domain_of_prop(d);
                !d.is_empty() && is_same_or_subdomain(from_domain, &d)
            })
    });
    let method = if dmarc {
        "dmarc=pass"
    } else if dkim {
        "dkim=pass (aligned)"
    } else {
        return None;
    };
    Some(format!("{method} ({})", results.authserv_id))
}

/// A DMARC verdict is about one From address. With two `From:` fields, or two addresses
/// in one, the receiving server may have checked another than the one shown as the
/// sender (RFC 7489 §6.6.1), so no verdict counts.
fn has_single_author(headers: &Message<'_>) -> bool {
    let fields = headers
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("From"))
        .count();
    let addresses = headers.from().map_or(0, |from| {
        from.as_list().map_or(0, <[_]>::len)
            + from
                .as_group()
                .map_or(0, |groups| groups.iter().map(|g| g.addresses.len()).sum())
    });
    fields == 1 && addresses == 1
}

fn domain_of_prop(value: &str) -> String {
    if value.contains('@') {
        domain_of(value)
    } else {
        value.trim_end_matches('.').to_ascii_lowercase()
    }
}

/// One `Authentication-Results` header (RFC 8601), comments removed.
struct AuthResults {
    authserv_id: String,
    methods: Vec<MethodResult>,
}

struct MethodResult {
    method: String,
    result: String,
    properties: Vec<(String, String)>,
}

impl MethodResult {
    fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_results(value: &str) -> AuthResults {
    let cleaned = strip_comments(value);
    let mut segments = cleaned.split(';');
    let authserv_id = segments
        .next()
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let methods = segments.filter_map(parse_method).collect();
    AuthResults {
        authserv_id,
        methods,
    }
}

fn parse_method(segment: &str) -> Option<MethodResult> {
    let mut tokens = segment.split_whitespace();
    let (method, result) = tokens.next()?.split_once('=')?;
    let method = method
        .split('/')
        .next()
        .unwrap_or(method)
        .to_ascii_lowercase();
    let properties = tokens
        .filter_map(|t| t.split_once('='))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches('"').to_owned()))
        .collect();
    Some(MethodResult {
        method,
        result: result.to_ascii_lowercase(),
        properties,
    })
}

/// Removes RFC 5322 comments `( … )`, which may nest; quoted strings are kept.
fn strip_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in value.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' if depth == 0 => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
