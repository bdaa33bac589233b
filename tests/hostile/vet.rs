//! Spoofed sender authentication: `Authentication-Results` written by someone other
//! than our receiving server, forged below it, claiming another domain, or smuggling a
//! method through a quoted string; Microsoft 365's fields without an authserv-id. The
//! extract stage finds the genuine invite; the vet stage must refuse with
//! unauthenticated_sender.

use onbehalf::config::{IdLessResults, PolicyConfig};
use onbehalf::reason::Reason;
use onbehalf::vet::vet;

use crate::mail;
use crate::{Expect, check};

fn policy() -> PolicyConfig {
    PolicyConfig {
        trusted_authserv_ids: vec!["mx.corp.example".to_owned()],
        ..PolicyConfig::default()
    }
}

/// A forward of the genuine invite whose `Authentication-Results` are `results` (the
/// trusted MX's genuine header removed) and whose `From:` is `from`.
fn forward(results: &str, from: &str) -> Vec<u8> {
    let headers = mail::outer_headers();
    let start = headers.find("Authentication-Results:").unwrap();
    let end = headers.find("From:").unwrap();
    let headers = format!("{}{results}{}", &headers[..start], &headers[end..])
        .replace("From: Jane Doe <jane.doe@partner.test>\r\n", from);
    let mut raw = headers.into_bytes();
    raw.extend_from_slice(b"Content-Type: text/plain; charset=UTF-8\r\n\r\n");
    raw.extend(mail::forwarded_text(&mail::invite_url()).into_bytes());
    raw
}

const FROM: &str = "From: Jane Doe <jane.doe@partner.test>\r\n";

/// Extract finds the invite; vet's verdict is returned.
fn verdict(case: &str, raw: &[u8]) -> Result<String, Reason> {
    let run = check(case, raw, &Expect::Invite(mail::invite_url()));
    let invite = run.outcome.unwrap();
    match vet(raw, &invite, &policy()) {
        Ok(vetted) => Ok(vetted.authenticated_by.unwrap_or_default()),
        Err(rejection) => {
            crate::assert_clear_detail(case, &rejection.detail);
            Err(rejection.reason)
        }
    }
}

fn refused(case: &str, results: &str, from: &str) {
    assert_eq!(
        verdict(case, &forward(results, from)),
        Err(Reason::UnauthenticatedSender),
        "{case}"
    );
}

/// The control: our MX's own verdict, on top, passes.
#[test]
fn genuine_results_pass() {
    let results =
        "Authentication-Results: mx.corp.example; dmarc=pass header.from=partner.test\r\n";
    assert_eq!(
        verdict("genuine_results", &forward(results, FROM)),
        Ok("dmarc=pass (mx.corp.example)".to_owned())
    );
}

#[test]
fn results_from_an_untrusted_authserv_id() {
    for (case, results) in [
        (
            "untrusted id",
            "mx.evil.test; dmarc=pass header.from=partner.test",
        ),
        (
            "look-alike id",
            "mx.corp.example.evil.test; dmarc=pass header.from=partner.test",
        ),
        (
            "id as a suffix",
            "evil-mx.corp.example; dmarc=pass header.from=partner.test",
        ),
        (
            "id in a comment",
            "(mx.corp.example) mx.evil.test; dmarc=pass header.from=partner.test",
        ),
        (
            "id as a method",
            "mx.evil.test; mx.corp.example=pass; dmarc=pass header.from=partner.test",
        ),
        ("no id", "; dmarc=pass header.from=partner.test"),
        (
            "id quoted",
            "\"mx.corp.example\"; dmarc=pass header.from=partner.test",
        ),
    ] {
        refused(
            case,
            &format!("Authentication-Results: {results}\r\n"),
            FROM,
        );
    }
}

/// Our MX's header says fail; a forged pass from our own id sits below it (the sender
/// wrote it before the message reached us).
#[test]
fn forged_pass_below_the_trusted_fail() {
    let results = "Authentication-Results: mx.corp.example; dmarc=fail header.from=partner.test; dkim=fail\r\n\
                   Received: from evil.test by mx.corp.example\r\n\
                   Authentication-Results: mx.corp.example; dmarc=pass header.from=partner.test; dkim=pass header.d=partner.test\r\n";
    refused("forged_pass_below_the_trusted_fail", results, FROM);
}

/// Our MX wrote no verdict about DMARC at all; forged ones from our id are below.
#[test]
fn forged_pass_below_a_trusted_header_without_verdict() {
    let results = "Authentication-Results: mx.corp.example; none\r\n\
                   Authentication-Results: mx.corp.example; dmarc=pass header.from=partner.test\r\n";
    refused("forged_pass_below_a_trusted_none", results, FROM);
}

/// Passes that are about another domain than the From address.
#[test]
fn passes_for_another_domain() {
    for (case, results) in [
        (
            "dmarc for another domain",
            "mx.corp.example; dmarc=pass header.from=evil.test",
        ),
        (
            "dmarc for a parent",
            "mx.corp.example; dmarc=pass header.from=test",
        ),
        (
            "dkim not aligned",
            "mx.corp.example; dkim=pass header.d=evil.test",
        ),
        (
            "dkim for a look-alike",
            "mx.corp.example; dkim=pass header.d=partner.test.evil.test",
        ),
        ("dkim without domain", "mx.corp.example; dkim=pass"),
        (
            "spf only",
            "mx.corp.example; spf=pass smtp.mailfrom=partner.test",
        ),
        (
            "dmarc result in a comment",
            "mx.corp.example; dmarc=fail (dmarc=pass) header.from=partner.test",
        ),
        (
            "dmarc as a property",
            "mx.corp.example; spf=pass dmarc=pass header.from=partner.test",
        ),
    ] {
        refused(
            case,
            &format!("Authentication-Results: {results}\r\n"),
            FROM,
        );
    }
}

/// The From shown to the user is not the address: display-name spoofing.
#[test]
fn display_name_spoofing() {
    let results = "Authentication-Results: mx.corp.example; dmarc=pass header.from=evil.test\r\n";
    let from = "From: \"jane.doe@partner.test\" <attacker@evil.test>\r\n";
    let raw = forward(results, from);
    let run = check(
        "display_name_spoofing",
        &raw,
        &Expect::Invite(mail::invite_url()),
    );
    let invite = run.outcome.unwrap();
    assert_eq!(invite.requester.as_deref(), Some("attacker@evil.test"));
    let restricted = PolicyConfig {
        allowed_sender_domains: vec!["partner.test".to_owned()],
        ..policy()
    };
    let rejection = vet(&raw, &invite, &restricted).unwrap_err();
    assert_eq!(rejection.reason, Reason::SenderNotAllowed);
}

/// Two `From:` fields: our MX verified one (the attacker's own domain, which passes
/// DMARC); the parser may show the other. With `header.from` in the verdict the
/// mismatch is caught; without it, which From the verdict is about is unknown, so it
/// must not count either.
#[test]
fn two_from_fields() {
    let two = "From: Attacker <attacker@evil.test>\r\nFrom: Jane Doe <jane.doe@partner.test>\r\n";
    refused(
        "two_from_fields with header.from",
        "Authentication-Results: mx.corp.example; dmarc=pass header.from=evil.test\r\n",
        two,
    );
    refused(
        "two_from_fields without header.from",
        "Authentication-Results: mx.corp.example; dmarc=pass\r\n",
        two,
    );
    let two_reversed =
        "From: Jane Doe <jane.doe@partner.test>\r\nFrom: Attacker <attacker@evil.test>\r\n";
    refused(
        "two_from_fields reversed without header.from",
        "Authentication-Results: mx.corp.example; dmarc=pass\r\n",
        two_reversed,
    );
}

/// One `From:` with two addresses (allowed by RFC 5322 only with a Sender): DMARC
/// cannot say which one it checked.
#[test]
fn from_with_two_addresses() {
    refused(
        "from_with_two_addresses",
        "Authentication-Results: mx.corp.example; dmarc=pass\r\n",
        "From: attacker@evil.test, Jane Doe <jane.doe@partner.test>\r\n",
    );
}

/// 10,000 forged `Authentication-Results` below the genuine fail: bounded, refused.
#[test]
fn ten_thousand_forged_results() {
    let forged = "Authentication-Results: mx.corp.example; dmarc=pass header.from=partner.test\r\n"
        .repeat(10_000);
    let results = format!("Authentication-Results: mx.corp.example; dmarc=fail\r\n{forged}");
    let start = std::time::Instant::now();
    refused("ten_thousand_forged_results", &results, FROM);
    assert!(start.elapsed() < crate::TIME_BOUND);
}

/// A comment nested 100,000 levels deep in the trusted header (RFC 5322 comments nest).
#[test]
fn deeply_nested_comment() {
    let results = format!(
        "Authentication-Results: mx.corp.example; dmarc=fail {}dmarc=pass{}\r\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    refused("deeply_nested_comment", &results, FROM);
}

/// Issue 11: the MTA copies the sender's SMTP address into a quoted string; its `;`
/// must not start a `dmarc=pass` that outvotes our MX's own `dmarc=fail`.
#[test]
fn method_injected_through_a_quoted_mail_from() {
    for (case, results) in [
        (
            "rspamd-quoted mail from",
            "mx.corp.example; spf=pass smtp.mailfrom=\"\\\"a;dmarc=pass;\\\"@evil.test\"; \
             dmarc=fail header.from=partner.test",
        ),
        (
            "quoted local part",
            "mx.corp.example; spf=pass \
             smtp.mailfrom=\"a;dmarc=pass header.from=partner.test;\"@evil.test; dkim=none",
        ),
        (
            "parenthesis in a quoted string",
            "mx.corp.example; spf=pass smtp.mailfrom=\")\"@evil.test; \
             dmarc=fail header.from=partner.test",
        ),
    ] {
        refused(
            case,
            &format!("Authentication-Results: {results}\r\n"),
            FROM,
        );
    }
}

/// One pass does not outvote a failure for the same domain, and a DMARC verdict must
/// say which domain it is about.
#[test]
fn a_pass_next_to_a_failure_or_about_no_domain() {
    for (case, results) in [
        (
            "dmarc fail and pass",
            "mx.corp.example; dmarc=fail header.from=partner.test; dmarc=pass header.from=partner.test",
        ),
        (
            "aligned dkim fails",
            "mx.corp.example; dkim=fail header.d=partner.test; dmarc=pass header.from=partner.test",
        ),
        ("dmarc without header.from", "mx.corp.example; dmarc=pass"),
        (
            "dkim signed by a public suffix",
            "mx.corp.example; dkim=pass header.d=test",
        ),
        (
            "unreadable trusted field",
            "mx.corp.example; dmarc=fail (header.from=partner.test\r\n\
             Authentication-Results: mx.corp.example; dmarc=pass header.from=partner.test",
        ),
    ] {
        refused(
            case,
            &format!("Authentication-Results: {results}\r\n"),
            FROM,
        );
    }
}

fn microsoft365() -> PolicyConfig {
    PolicyConfig {
        trusted_authserv_ids: Vec::new(),
        results_without_authserv_id: Some(IdLessResults::Microsoft365),
        ..PolicyConfig::default()
    }
}

fn m365_verdict(case: &str, results: &str) -> Result<String, Reason> {
    let raw = forward(results, FROM);
    let run = check(case, &raw, &Expect::Invite(mail::invite_url()));
    match vet(&raw, &run.outcome.unwrap(), &microsoft365()) {
        Ok(vetted) => Ok(vetted.authenticated_by.unwrap_or_default()),
        Err(rejection) => {
            crate::assert_clear_detail(case, &rejection.detail);
            Err(rejection.reason)
        }
    }
}

const M365_PASS: &str = "Authentication-Results: spf=pass (sender IP is 203.0.113.61)\r\n \
    smtp.mailfrom=partner.test; dkim=pass (signature was verified)\r\n \
    header.d=partner.test;dmarc=pass action=none header.from=partner.test;compauth=pass\r\n \
    reason=100\r\n";

/// Microsoft 365's own field (no authserv-id) on top: the control passes; its
/// `compauth=fail` refuses even next to the sender's forged passes below it.
#[test]
fn microsoft_365_verdicts() {
    assert_eq!(
        m365_verdict("m365 genuine", M365_PASS),
        Ok("dmarc=pass (Microsoft 365)".to_owned())
    );
    let own_fail = "Authentication-Results: spf=fail (sender IP is 192.0.2.7)\r\n \
        smtp.mailfrom=partner.test; dkim=none (message not signed) header.d=none;\r\n \
        dmarc=fail action=oreject header.from=partner.test;compauth=fail reason=000\r\n";
    let compauth_fail = M365_PASS.replace("compauth=pass", "compauth=fail");
    for (case, results) in [
        ("m365 compauth fail", compauth_fail.clone()),
        (
            "m365 fail, forged pass below",
            format!("{own_fail}{M365_PASS}"),
        ),
        (
            "m365 compauth fail, forged pass below",
            format!("{compauth_fail}{M365_PASS}"),
        ),
        (
            "m365 without compauth",
            M365_PASS.replace(";compauth=pass\r\n reason=100", ""),
        ),
    ] {
        assert_eq!(
            m365_verdict(case, &results),
            Err(Reason::UnauthenticatedSender),
            "{case}"
        );
    }
    // Without the setting, a field without an authserv-id counts for nothing.
    refused("m365 field, setting off", M365_PASS, FROM);
}
