use super::*;

fn methods(value: &str) -> Vec<MethodResult> {
    parse(value).methods.unwrap()
}

fn summary(value: &str) -> Vec<String> {
    methods(value)
        .iter()
        .map(|m| format!("{}={}", m.method, m.result))
        .collect()
}

#[test]
fn authserv_id_version_and_none() {
    let plain = parse("MX.Corp.Example; dkim=pass header.d=partner.test");
    assert_eq!(
        plain.authserv_id,
        AuthservId::Token("mx.corp.example".to_owned())
    );
    let versioned = parse("mx.corp.example 1; dmarc=pass header.from=partner.test");
    assert_eq!(summary("mx.corp.example 1; dmarc=pass"), ["dmarc=pass"]);
    assert!(versioned.methods.is_ok());
    assert_eq!(methods("mx.corp.example; none"), []);
    assert_eq!(methods("mx.corp.example"), []);
    assert_eq!(
        parse("\"mx.corp.example\"; dmarc=pass").authserv_id,
        AuthservId::Quoted("mx.corp.example".to_owned())
    );
    for unreadable in ["", "; dmarc=pass", "=pass", "(only a comment)"] {
        assert_eq!(
            parse(unreadable).authserv_id,
            AuthservId::Unreadable,
            "{unreadable}"
        );
    }
}

/// The injection of issue 11: rspamd quotes an SMTP sender that contains `;`.
#[test]
fn a_semicolon_in_a_quoted_string_is_data() {
    let value = "mx.corp.example; spf=pass smtp.mailfrom=\"\\\"a;dmarc=pass;\\\"@evil.test\"; \
                 dmarc=fail header.from=partner.test";
    assert_eq!(summary(value), ["spf=pass", "dmarc=fail"]);
    let spf = &methods(value)[0];
    assert_eq!(
        spf.property("smtp.mailfrom"),
        Some("\"a;dmarc=pass;\"@evil.test")
    );
    let local_part = "mx.corp.example; spf=pass smtp.mailfrom=\"a;dmarc=pass\"@evil.test";
    assert_eq!(summary(local_part), ["spf=pass"]);
    assert_eq!(
        methods(local_part)[0].property("smtp.mailfrom"),
        Some("a;dmarc=pass@evil.test")
    );
}

#[test]
fn comments_nest_and_hide_separators() {
    let value = "mx.corp.example; dkim=fail (a (nested; dmarc=pass) \\) comment; x=y) \
                 header.d=partner.test; dmarc=fail (a \" is text in a comment) \
                 header.from=partner.test";
    assert_eq!(summary(value), ["dkim=fail", "dmarc=fail"]);
    assert_eq!(methods(value)[0].property("header.d"), Some("partner.test"));
}

#[test]
fn a_comment_in_a_quoted_string_is_data() {
    let value = "mx.corp.example; spf=pass smtp.mailfrom=\"(\"; dmarc=fail header.from=x.test";
    assert_eq!(summary(value), ["spf=pass", "dmarc=fail"]);
}

#[test]
fn folding_spaces_and_versions() {
    let value = "mx.corp.example;\r\n\tdkim/1 = pass\r\n\theader . d = partner.test\r\n\t\
                 header.b=ab/c+d==;\r\n\tdmarc=pass header.from=partner.test";
    let parsed = methods(value);
    assert_eq!(summary(value), ["dkim=pass", "dmarc=pass"]);
    assert_eq!(parsed[0].property("header.d"), Some("partner.test"));
    assert_eq!(parsed[0].property("header.b"), Some("ab/c+d=="));
}

#[test]
fn microsoft_365_without_authserv_id() {
    let value = "spf=pass (sender IP is 203.0.113.5) smtp.mailfrom=partner.test; dkim=pass \
                 (signature was verified) header.d=partner.test;dmarc=pass action=none \
                 header.from=partner.test;compauth=pass reason=100";
    let parsed = parse(value);
    assert_eq!(parsed.authserv_id, AuthservId::Absent);
    assert_eq!(
        summary(value),
        ["spf=pass", "dkim=pass", "dmarc=pass", "compauth=pass"]
    );
    let all = methods(value);
    assert_eq!(all[2].property("action"), Some("none"));
    assert_eq!(all[3].property("reason"), Some("100"));
}

#[test]
fn malformed_results_are_errors_not_guesses() {
    for (value, why) in [
        (
            "mx.corp.example; dmarc=pass (open comment",
            Malformed::UnclosedComment,
        ),
        (
            "mx.corp.example; spf=pass smtp.mailfrom=\"open",
            Malformed::UnclosedQuote,
        ),
        (
            "mx.corp.example; dmarc=pass ) header.from=x",
            Malformed::StrayParenthesis,
        ),
        (
            "mx.corp.example garbage; dmarc=pass",
            Malformed::AfterAuthservId,
        ),
        ("mx.corp.example; dmarc", Malformed::Method),
        ("mx.corp.example; dmarc=", Malformed::Method),
        ("mx.corp.example; dmarc=\"pass\"", Malformed::Method),
        (
            "mx.corp.example; dmarc=pass junk header.from=x",
            Malformed::Property,
        ),
        (
            "mx.corp.example; dmarc=pass header.from=",
            Malformed::Property,
        ),
        (
            "mx.corp.example; dmarc=pass header.from",
            Malformed::Property,
        ),
    ] {
        let parsed = parse(value);
        assert_eq!(
            parsed.authserv_id,
            AuthservId::Token("mx.corp.example".to_owned()),
            "{value}"
        );
        assert_eq!(parsed.methods, Err(why), "{value}");
    }
}

#[test]
fn a_property_given_twice_differently_is_unknown() {
    let twice = &methods("mx; dmarc=pass header.from=a.test header.from=b.test")[0];
    assert_eq!(twice.property("header.from"), None);
    let same = &methods("mx; dmarc=pass header.from=a.test header.from=a.test")[0];
    assert_eq!(same.property("header.from"), Some("a.test"));
}

#[test]
fn deep_nesting_is_bounded() {
    let value = format!(
        "mx.corp.example; dmarc=fail {}dmarc=pass{} header.from=x.test",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert_eq!(summary(&value), ["dmarc=fail"]);
}
