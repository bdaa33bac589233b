use super::*;

fn invite(requester: Option<&str>) -> Invite {
    Invite {
        platform: "Engage".to_owned(),
        invite_url: "https://engage.example.com/invitations/accept?token=t".to_owned(),
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

fn verdict(headers: &[&str]) -> Result<Vetted, VetRejection> {
    vet(
        &mail(headers),
        &invite(Some("jane@partner.test")),
        &policy(),
    )
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
