//! The vet stage: may this forward be acted on?
//!
//! In: the raw message, the extracted [`Invite`] and the `[policy]` config. Out: the
//! verdict — [`Vetted`] with how the sender was authenticated, or a [`VetRejection`]
//! with a reason a support agent can read. Pure: it trusts only the topmost
//! `Authentication-Results` written by our own receiving servers (`trusted_authserv_ids`,
//! or Microsoft 365's field without an authserv-id when `results_without_authserv_id`
//! says the mailbox is there), never the sender's. `auth_results` reads the field.

use mail_parser::{Message, MessageParser};

use crate::config::{IdLessResults, PolicyConfig};
use crate::extract::Invite;
use crate::reason::Reason;

mod auth_results;

use auth_results::{AuthservId, MethodResult};

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
    match authenticated(raw, &domain, policy) {
        Ok(how) => Ok(Vetted {
            authenticated_by: Some(how),
        }),
        Err(why) => Err(VetRejection {
            reason: Reason::UnauthenticatedSender,
            detail: format!(
                "Our mail server could not confirm that this forward really came from \
                 {sender}: {why}. It could be spoofed; confirm with the user through \
                 another channel before acting on it."
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

/// Why no trusted server confirmed the sender; shown in the rejection's detail.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Unconfirmed {
    Unreadable,
    SeveralAuthors,
    NoTrustedResults,
    Malformed {
        by: String,
        why: auth_results::Malformed,
    },
    OtherDomain {
        by: String,
    },
    Failed {
        by: String,
        method: String,
        result: String,
    },
    NoPass {
        by: String,
    },
}

impl std::fmt::Display for Unconfirmed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreadable => write!(f, "its header cannot be read"),
            Self::SeveralAuthors => write!(
                f,
                "it has more than one From address, so a DMARC verdict may be about another \
                 one than the sender shown"
            ),
            Self::NoTrustedResults => write!(
                f,
                "it has no Authentication-Results header from a trusted server"
            ),
            Self::Malformed { by, why } => write!(
                f,
                "the Authentication-Results header from {by} cannot be read ({why})"
            ),
            Self::OtherDomain { by } => write!(
                f,
                "the DMARC result from {by} is not about the sender's domain"
            ),
            Self::Failed { by, method, result } => write!(f, "{by} says {method}={result}"),
            Self::NoPass { by } => write!(
                f,
                "{by} reports no DMARC or aligned DKIM pass for the sender's domain"
            ),
        }
    }
}

/// The verdict of the topmost `Authentication-Results` written by a trusted server: our
/// MX prepends its own field, so the ones below it (which a sender can write) never
/// count, not even when ours cannot be read.
fn authenticated(
    raw: &[u8],
    from_domain: &str,
    policy: &PolicyConfig,
) -> Result<String, Unconfirmed> {
    let headers = MessageParser::new()
        .parse_headers(raw)
        .ok_or(Unconfirmed::Unreadable)?;
    if !has_single_author(&headers) {
        return Err(Unconfirmed::SeveralAuthors);
    }
    let (by, results) = headers
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results"))
        .map(|(_, value)| auth_results::parse(value))
        .find_map(|results| Some((written_by(&results.authserv_id, policy)?, results)))
        .ok_or(Unconfirmed::NoTrustedResults)?;
    let methods = results.methods.map_err(|why| Unconfirmed::Malformed {
        by: by.clone(),
        why,
    })?;
    let compauth_required = results.authserv_id == AuthservId::Absent;
    judge(by, &methods, from_domain, compauth_required)
}

/// The trusted server that wrote a field with this authserv-id, if any.
fn written_by(id: &AuthservId, policy: &PolicyConfig) -> Option<String> {
    match id {
        AuthservId::Token(id) if policy.trusted_authserv_ids.contains(id) => Some(id.clone()),
        AuthservId::Absent => match policy.results_without_authserv_id? {
            IdLessResults::Microsoft365 => Some("Microsoft 365".to_owned()),
        },
        _ => None,
    }
}

/// Every DMARC result must be about the From domain and none may be other than `pass`
/// (or `none`: no policy published); every DKIM result aligned with the From domain must
/// pass; Microsoft's composite `compauth`, where present or required, must pass. Then a
/// DMARC pass, or else an aligned DKIM pass, confirms the sender.
fn judge(
    by: String,
    methods: &[MethodResult],
    from_domain: &str,
    compauth_required: bool,
) -> Result<String, Unconfirmed> {
    let failed = |m: &MethodResult| Unconfirmed::Failed {
        by: by.clone(),
        method: m.method.clone(),
        result: m.result.clone(),
    };
    let (mut dmarc, mut dkim, mut compauth) = (false, false, None);
    for m in methods {
        match m.method.as_str() {
            "dmarc" => {
                let about = m.property("header.from").map(domain_of_prop);
                if about.as_deref() != Some(from_domain) {
                    return Err(Unconfirmed::OtherDomain { by });
                }
                match m.result.as_str() {
                    "pass" => dmarc = true,
                    // No policy published (Microsoft's guess included): it neither
                    // confirms nor refutes; an aligned DKIM signature still may.
                    "none" | "bestguesspass" => {}
                    _ => return Err(failed(m)),
                }
            }
            "dkim" => {
                let signer = m
                    .property("header.d")
                    .or_else(|| m.property("header.i"))
                    .map(domain_of_prop);
                if signer.is_some_and(|d| is_aligned(&d, from_domain)) {
                    if m.result != "pass" {
                        return Err(failed(m));
                    }
                    dkim = true;
                }
            }
            "compauth" => compauth = Some(m),
            _ => {}
        }
    }
    match compauth {
        Some(m) if m.result != "pass" => return Err(failed(m)),
        None if compauth_required => {
            return Err(Unconfirmed::Failed {
                by,
                method: "compauth".to_owned(),
                result: "missing".to_owned(),
            });
        }
        _ => {}
    }
    match (dmarc, dkim) {
        (true, _) => Ok(format!("dmarc=pass ({by})")),
        (false, true) => Ok(format!("dkim=pass (aligned) ({by})")),
        (false, false) => Err(Unconfirmed::NoPass { by }),
    }
}

/// Relaxed DKIM alignment (RFC 7489 §3.1.1): the signing domain and the From domain
/// have the same organizational domain by the Public Suffix List, so `mail.partner.test`
/// signs for `partner.test` but `test` (a public suffix) signs for no one.
fn is_aligned(signer: &str, from_domain: &str) -> bool {
    match (psl::domain_str(signer), psl::domain_str(from_domain)) {
        (Some(signer), Some(from)) => signer == from,
        _ => false,
    }
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

#[cfg(test)]
mod tests;
