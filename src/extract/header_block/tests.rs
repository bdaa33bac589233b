//! Header-block recognition: structure (markers, unknown labels, blank lines), run-together
//! fields, colons, and the cases where the answer must be `None`.

use super::*;

fn recipient(text: &str) -> Option<String> {
    forwarded_recipient(text, text.len()).map(|r| r.address)
}

#[test]
fn gmail_block() {
    let text = "Hi, please help\n\n---------- Forwarded message ---------\nFrom: Engage \
                <invites@engage.example.com>\nDate: Mon, 2 Nov 2026 at 10:01\nSubject: \
                You're invited\nTo: <jane@partner.test>\n\nClick https://x.test/a\n";
    assert_eq!(recipient(text).as_deref(), Some("jane@partner.test"));
}

#[test]
fn quoted_localized_outlook_block() {
    let text = "> *De :* Engage <invites@engage.example.com>\n> *Envoyé :* lundi\n> \
                *À :* Jane Doe <Jane.Doe@partner.test>\n> *Objet :* Invitation\n>\n> link\n";
    assert_eq!(recipient(text).as_deref(), Some("Jane.Doe@partner.test"));
}

#[test]
fn yahoo_run_together_after_its_marker() {
    let text = "   ----- Forwarded Message ----- From: Engage <invites@engage.example.com>To: \
                \"jane@partner.test\" <jane@partner.test>Cc: Tom <tom@partner.test>Sent: \
                Monday, November 2, 2026, 10:01:00 AM GMT+1Subject: Invite\n body\n";
    assert_eq!(recipient(text).as_deref(), Some("jane@partner.test"));
}

#[test]
fn run_together_fields_split_on_labels_glued_to_a_capital() {
    // The Cc comes first: were the date's zone and the next label not split, the Cc's
    // address would be read as a value of the line's sender.
    let text = "----- Přeposlaná zpráva ----- Od: Engage <i@engage.example.com>Kopie: Tom \
                <tom@partner.test>Datum: úterý 2. listopadu 2026 09:26:50 SEČKomu: \
                jane@partner.test\n";
    assert_eq!(recipient(text).as_deref(), Some("jane@partner.test"));
}

#[test]
fn a_lower_case_or_spaced_label_inside_a_value_is_not_split() {
    let fields = fields_of("Subject: Welcome to: the team, see mailto:x@y.test").unwrap();
    assert_eq!(fields.len(), 1);
    let fields = fields_of("From: A <a@x.test>MAILTO: b@y.test").unwrap();
    assert_eq!(fields.len(), 1);
    let fields = fields_of("Subject: Review (A: agenda) - [Da: 3]").unwrap();
    assert_eq!(fields.len(), 1);
}

#[test]
fn unknown_label_between_sender_and_recipient_is_skipped() {
    let text = "From: Engage <i@engage.example.com>\nImportance: High\nAttachments: logo.png\n\
                To: jane@partner.test\nSubject: Invite\n\nbody\n";
    assert_eq!(recipient(text).as_deref(), Some("jane@partner.test"));
}

#[test]
fn full_width_colon_and_space_before_colon() {
    let text = "送信元：Engage <i@engage.example.com>\n日付：2026年11月2日\n件名：招待\n\
                送信先：jane@partner.test\n";
    assert_eq!(recipient(text).as_deref(), Some("jane@partner.test"));
    let text = "De : Engage <i@engage.example.com>\nPour :\tjane@partner.test\n";
    assert_eq!(recipient(text).as_deref(), Some("jane@partner.test"));
}

#[test]
fn after_a_marker_a_block_without_a_known_sender_still_counts() {
    let text = "-------- Forwarded Message --------\nAbsender: Engage <i@engage.example.com>\n\
                Date: Mon\nTo: jane@partner.test\n\nbody\n";
    assert_eq!(recipient(text).as_deref(), Some("jane@partner.test"));
    // Without the marker, the same lines are not enough.
    let text = "Absender: Engage <i@engage.example.com>\nDate: Mon\nTo: jane@partner.test\n";
    assert_eq!(recipient(text), None);
}

#[test]
fn picks_the_block_closest_before_the_link() {
    let text = "From: Bob <bob@corp.example>\nSent: x\nTo: help@corp.example\nSubject: \
                fw\n\nsee below\n\nFrom: Engage <i@engage.example.com>\nSent: y\nTo: \
                jane@partner.test\nSubject: invite\n\nLINK\n";
    let link = text.find("LINK").unwrap();
    assert_eq!(
        forwarded_recipient(text, link)
            .map(|r| r.address)
            .as_deref(),
        Some("jane@partner.test")
    );
    let early = text.find("see below").unwrap();
    assert_eq!(
        forwarded_recipient(text, early)
            .map(|r| r.address)
            .as_deref(),
        Some("help@corp.example")
    );
}

#[test]
fn closest_block_without_a_recipient_address_gives_none_not_an_outer_one() {
    // The original went to a name only (or Bcc): the outer forward's To is the support
    // mailbox, never the invitee.
    let text = "From: Jane <jane@partner.test>\nTo: help@corp.example\nSubject: fw\n\n\
                -----Original Message-----\nFrom: Engage\nSent: Mon\nTo: Jane Doe\n\
                Subject: invite\n\nLINK\n";
    assert_eq!(recipient(text), None);
    let text = "From: Jane <jane@partner.test>\nTo: help@corp.example\nSubject: fw\n\n\
                -----Original Message-----\nFrom: Engage <i@engage.example.com>\nSent: \
                Mon\nSubject: invite\n\nLINK\n";
    assert_eq!(recipient(text), None);
}

#[test]
fn prose_with_colons_is_not_a_block() {
    let text = "Note: to: whom it may concern\nTo: jane@partner.test\n";
    assert_eq!(recipient(text), None);
}

#[test]
fn a_body_line_after_a_blank_does_not_extend_the_block() {
    // The original had no To (Bcc); its body mentions an address after a colon line.
    let text = "From: Engage <i@engage.example.com>\nSubject: invite\n\nNote: hi\nTo: \
                tom@partner.test\n";
    let link = text.len();
    assert_eq!(forwarded_recipient(text, link), None);
}

#[test]
fn hostile_lines_of_colons_are_read_quickly() {
    let line = format!("From: {}\n", "A:".repeat(1_000_000));
    let started = std::time::Instant::now();
    assert_eq!(recipient(&line), None);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn the_display_name_comes_with_the_address() {
    let named = |to: &str| {
        let text = format!(
            "---------- Forwarded message ---------\nFrom: Engage <i@engage.example.com>\n\
             Subject: invite\nTo: {to}\n\nLINK\n"
        );
        forwarded_recipient(&text, text.len()).and_then(|r| r.name)
    };
    for (to, expected) in [
        ("Jane Doe <jane@partner.test>", Some("Jane Doe")),
        ("\"Doe, Jane\" <jane@partner.test>", Some("Doe, Jane")),
        ("Jane  Doe [mailto:jane@partner.test]", Some("Jane Doe")),
        ("Jane Doe <mailto:jane@partner.test>", Some("Jane Doe")),
        (
            "Jane Doe <jane@partner.test>, Tom <tom@partner.test>",
            Some("Jane Doe"),
        ),
        ("\"jane@partner.test\" <jane@partner.test>", None),
        ("<jane@partner.test>", None),
        ("jane@partner.test", None),
    ] {
        assert_eq!(named(to).as_deref(), expected, "{to:?}");
    }
}

#[test]
fn a_name_is_found_beside_the_same_address_on_a_to_line_only() {
    let text = "Hi\n> To: \"Doe, Jane\" <jane@partner.test>\n> Subject: x\n";
    assert_eq!(
        name_beside(text, "jane@partner.test").as_deref(),
        Some("Doe, Jane")
    );
    // Another address's name, or the address outside a To line, names nobody.
    assert_eq!(name_beside(text, "tom@partner.test"), None);
    let prose = "Please add Jane Doe <jane@partner.test> to the team\n";
    assert_eq!(name_beside(prose, "jane@partner.test"), None);
    let from = "From: Jane Doe <jane@partner.test>\n";
    assert_eq!(name_beside(from, "jane@partner.test"), None);
    // A million mentions are not each looked at.
    let hostile = "jane@partner.test ".repeat(1_000_000);
    let started = std::time::Instant::now();
    assert_eq!(name_beside(&hostile, "jane@partner.test"), None);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
