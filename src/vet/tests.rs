use super::*;

fn invite(requester: Option<&str>) -> Invite {
    Invite {
        platform: "Engage".to_owned(),
        invite_url: "https://engage.example.com/invitations/accept?token=t".to_owned(),
        invitee_name: None,
        invitee: Some("jane@partner.test".to_owned()),
        requester: requester.map(str::to_owned),
        subject: None,
        message_id: None,
    }
}

fn policy() -> PolicyConfig {
    PolicyConfig {
        require_authenticated_sender: true,
        trusted_authserv_ids: vec!["mx.corp.example".to_owned()],
        results_without_authserv_id: None,
        allowed_sender_domains: Vec::new(),
    }
}

fn mail(auth_headers: &[&str]) -> Vec<u8> {
    let mut raw = String::new();
    for h in auth_headers {
        raw.push_str(&format!("Authentication-Results: {h}\r\n"));
    }
    raw.push_str("From: Jane <jane@partner.test>\r\nTo: support@corp.example\r\nSubject: Fwd\r\n\r\nbody\r\n");
    raw.into_bytes()
}

fn verdict_under(policy: &PolicyConfig, headers: &[&str]) -> Result<Vetted, VetRejection> {
    vet(&mail(headers), &invite(Some("jane@partner.test")), policy)
}

fn verdict(headers: &[&str]) -> Result<Vetted, VetRejection> {
    verdict_under(&policy(), headers)
}

#[test]
fn dmarc_pass_from_trusted_server() {
    let ok = verdict(&["mx.corp.example; spf=pass smtp.mailfrom=partner.test; dkim=pass header.d=partner.test; dmarc=pass (p=reject) header.from=partner.test"]).unwrap();
    assert_eq!(
        ok.authenticated_by.as_deref(),
        Some("dmarc=pass (mx.corp.example)")
    );
}

#[test]
fn aligned_dkim_when_no_dmarc() {
    let ok = verdict(&[
        "mx.corp.example 1; dkim=pass (2048-bit key) header.d=partner.test header.i=@partner.test",
    ])
    .unwrap();
    assert!(ok.authenticated_by.unwrap().starts_with("dkim=pass"));
}

#[test]
fn unaligned_dkim_or_failures_are_refused() {
    for header in [
        "mx.corp.example; dkim=pass header.d=mailer.evil.test; dmarc=fail header.from=partner.test",
        "mx.corp.example; dmarc=pass header.from=other.test",
        "mx.corp.example; none",
        "mx.corp.example; dmarc=pass (comment; with semicolon) header.from=evil.test",
    ] {
        let err = verdict(&[header]).unwrap_err();
        assert_eq!(err.reason, Reason::UnauthenticatedSender, "{header}");
    }
}

#[test]
fn spoofed_header_from_untrusted_server_is_ignored() {
    let err = verdict(&["mx.evil.test; dmarc=pass header.from=partner.test"]).unwrap_err();
    assert_eq!(err.reason, Reason::UnauthenticatedSender);
}

#[test]
fn only_the_topmost_trusted_header_counts() {
    // The sender wrote a fake "pass" below; our MX's own verdict on top says fail.
    let err = verdict(&[
        "mx.corp.example; dmarc=fail header.from=partner.test",
        "mx.corp.example; dmarc=pass header.from=partner.test",
    ])
    .unwrap_err();
    assert_eq!(err.reason, Reason::UnauthenticatedSender);
}

#[test]
fn policy_off_and_domain_allowlist() {
    let mut open = policy();
    open.require_authenticated_sender = false;
    assert!(vet(&mail(&[]), &invite(Some("jane@partner.test")), &open).is_ok());
    open.allowed_sender_domains = vec!["corp.example".to_owned()];
    let err = vet(&mail(&[]), &invite(Some("jane@partner.test")), &open).unwrap_err();
    assert_eq!(err.reason, Reason::SenderNotAllowed);
    assert!(vet(&mail(&[]), &invite(Some("bob@eu.corp.example")), &open).is_ok());
    assert!(vet(&mail(&[]), &invite(Some("bob@notcorp.example")), &open).is_err());
}

#[test]
fn missing_sender() {
    let err = vet(&mail(&[]), &invite(None), &policy()).unwrap_err();
    assert_eq!(err.reason, Reason::UnknownSender);
}

#[test]
fn two_from_fields_or_addresses_are_never_authenticated() {
    let pass = "Authentication-Results: mx.corp.example; dmarc=pass\r\n";
    for from in [
        "From: Attacker <attacker@evil.test>\r\nFrom: Jane <jane@partner.test>\r\n",
        "From: Jane <jane@partner.test>\r\nFrom: Attacker <attacker@evil.test>\r\n",
        "From: attacker@evil.test, Jane <jane@partner.test>\r\n",
    ] {
        let raw = format!("{pass}{from}To: support@corp.example\r\n\r\nbody\r\n");
        let refused = vet(
            raw.as_bytes(),
            &invite(Some("jane@partner.test")),
            &policy(),
        );
        assert_eq!(
            refused.unwrap_err().reason,
            Reason::UnauthenticatedSender,
            "{from}"
        );
    }
}

fn refused_because(headers: &[&str]) -> String {
    let err = verdict(headers).unwrap_err();
    assert_eq!(err.reason, Reason::UnauthenticatedSender, "{headers:?}");
    err.detail
}

/// Issue 11: rspamd quotes an SMTP sender containing `;`; split on every `;`, the
/// quoted text became a `dmarc=pass` that outvoted the server's own `dmarc=fail`.
#[test]
fn a_method_injected_through_a_quoted_string_is_data() {
    for header in [
        "mx.corp.example; spf=pass smtp.mailfrom=\"\\\"a;dmarc=pass;\\\"@evil.test\"; \
         dmarc=fail header.from=partner.test",
        "mx.corp.example; spf=pass smtp.mailfrom=\"x;dmarc=pass header.from=partner.test;\"@evil.test; \
         dkim=fail header.d=partner.test",
        "mx.corp.example; spf=pass smtp.mailfrom=\"(\"; dmarc=pass header.from=partner.test\"\"; \
         dmarc=fail header.from=partner.test",
    ] {
        refused_because(&[header]);
    }
}

#[test]
fn any_dmarc_or_aligned_dkim_result_that_is_not_pass_refuses() {
    for header in [
        "mx.corp.example; dmarc=fail header.from=partner.test; dmarc=pass header.from=partner.test",
        "mx.corp.example; dmarc=pass header.from=partner.test; dkim=fail header.d=partner.test",
        "mx.corp.example; dkim=pass header.d=partner.test; dkim=temperror header.d=mail.partner.test",
        "mx.corp.example; dmarc=temperror header.from=partner.test; dkim=pass header.d=partner.test",
    ] {
        let detail = refused_because(&[header]);
        assert!(detail.contains("mx.corp.example says d"), "{detail}");
    }
    // A failing signature of another organisation (a mailing list, an ESP) is no
    // statement about the sender.
    let ok = verdict(&[
        "mx.corp.example; dkim=fail header.d=lists.example; dmarc=pass header.from=partner.test",
    ])
    .unwrap();
    assert_eq!(
        ok.authenticated_by.as_deref(),
        Some("dmarc=pass (mx.corp.example)")
    );
}

#[test]
fn dmarc_must_name_the_from_domain() {
    for header in [
        "mx.corp.example; dmarc=pass",
        "mx.corp.example; dmarc=pass header.from=mail.partner.test",
        "mx.corp.example; dmarc=pass header.from=partner.test header.from=evil.test",
        "mx.corp.example; dkim=pass header.d=partner.test; dmarc=pass header.from=evil.test",
    ] {
        let detail = refused_because(&[header]);
        assert!(detail.contains("not about the sender's domain"), "{detail}");
    }
    let address = verdict(&["mx.corp.example; dmarc=pass header.from=jane@Partner.Test."]);
    assert!(address.is_ok());
}

/// Relaxed alignment is the organizational domain by the Public Suffix List, not any
/// parent: `test` is a public suffix, and `co.uk` signs for nobody under it.
#[test]
fn dkim_alignment_uses_the_organizational_domain() {
    for signer in [
        "test",
        "partner.test.evil.test",
        "evil.test",
        "none",
        "\"\"",
    ] {
        refused_because(&[&format!("mx.corp.example; dkim=pass header.d={signer}")]);
    }
    for signer in ["partner.test", "mail.partner.test", "PARTNER.TEST."] {
        let header = format!("mx.corp.example; dkim=pass header.d={signer}");
        let ok = verdict(&[&header]).unwrap();
        assert_eq!(
            ok.authenticated_by.as_deref(),
            Some("dkim=pass (aligned) (mx.corp.example)"),
            "{signer}"
        );
    }
    let uk = |from: &str, signer: &str| {
        let raw = format!(
            "Authentication-Results: mx.corp.example; dkim=pass header.d={signer}\r\n\
             From: <{from}>\r\n\r\nbody\r\n"
        );
        vet(raw.as_bytes(), &invite(Some(from)), &policy()).is_ok()
    };
    assert!(!uk("jane@partner.co.uk", "co.uk"));
    assert!(!uk("jane@partner.co.uk", "evil.co.uk"));
    assert!(uk("jane@partner.co.uk", "mail.partner.co.uk"));
}

/// Gmail names the signer only by `header.i=@domain`.
#[test]
fn dkim_signer_from_header_i() {
    let ok = verdict(&[
        "mx.corp.example; dkim=pass header.i=@partner.test header.s=20230601 \
                        header.b=Zx3kQ1aB; dmarc=none header.from=partner.test",
    ])
    .unwrap();
    assert_eq!(
        ok.authenticated_by.as_deref(),
        Some("dkim=pass (aligned) (mx.corp.example)")
    );
    refused_because(&["mx.corp.example; dmarc=none header.from=partner.test"]);
    refused_because(&["mx.corp.example; dkim=pass header.i=@evil.test"]);
}

/// Our MX's field cannot be read: the sender's forged one below it must not count.
#[test]
fn an_unreadable_trusted_field_is_not_passed_over() {
    for top in [
        "mx.corp.example; dmarc=fail (unclosed header.from=partner.test",
        "mx.corp.example; spf=pass smtp.mailfrom=\"unclosed",
        "mx.corp.example junk; dmarc=fail",
    ] {
        let detail =
            refused_because(&[top, "mx.corp.example; dmarc=pass header.from=partner.test"]);
        assert!(detail.contains("cannot be read"), "{detail}");
    }
}

fn microsoft365() -> PolicyConfig {
    PolicyConfig {
        trusted_authserv_ids: Vec::new(),
        results_without_authserv_id: Some(crate::config::IdLessResults::Microsoft365),
        ..policy()
    }
}

fn m365(compauth: &str) -> String {
    format!(
        "spf=pass (sender IP is 203.0.113.5) smtp.mailfrom=partner.test; dkim=pass \
         (signature was verified) header.d=partner.test;dmarc=pass action=none \
         header.from=partner.test;{compauth}"
    )
}

fn m365_verdict(headers: &[&str]) -> Result<Vetted, VetRejection> {
    verdict_under(&microsoft365(), headers)
}

#[test]
fn microsoft_365_fields_count_only_when_configured() {
    let genuine = m365("compauth=pass reason=100");
    let ok = m365_verdict(&[&genuine]).unwrap();
    assert_eq!(
        ok.authenticated_by.as_deref(),
        Some("dmarc=pass (Microsoft 365)")
    );
    refused_because(&[&genuine]);
}

#[test]
fn microsoft_365_compauth_must_pass() {
    for compauth in [
        "compauth=fail reason=601",
        "compauth=softfail reason=451",
        "compauth=none reason=405",
        "",
    ] {
        let err = m365_verdict(&[&m365(compauth)]).unwrap_err();
        assert_eq!(err.reason, Reason::UnauthenticatedSender, "{compauth}");
        assert!(
            err.detail.contains("Microsoft 365 says compauth="),
            "{}",
            err.detail
        );
    }
}

/// Microsoft 365 puts its own field on top; the sender's forgeries are below it.
#[test]
fn microsoft_365_forgeries_below_its_own_field_do_not_count() {
    let own = "spf=fail smtp.mailfrom=partner.test; dkim=none (message not signed) \
               header.d=none;dmarc=fail action=oreject header.from=partner.test;compauth=fail \
               reason=000";
    let forged = m365("compauth=pass reason=100");
    let err = m365_verdict(&[
        own,
        &forged,
        "mx.corp.example; dmarc=pass header.from=partner.test",
    ])
    .unwrap_err();
    assert!(
        err.detail.contains("Microsoft 365 says dmarc=fail"),
        "{}",
        err.detail
    );
    // A field with an authserv-id is not Microsoft's, whatever it claims.
    let err = m365_verdict(&["mx.evil.test; dmarc=pass header.from=partner.test", own]);
    assert!(err.is_err());
}
