//! Forwarded header blocks in every language a client ships, table-driven: one test per
//! language, each building a plain-text forward per client layout (the labels, marker,
//! field order, colons and spacing that client writes in that language) around our own
//! invite link and addresses, and running the real extract stage over it.
//!
//! In: the layouts below (facts from the public fixtures of
//! crisp-oss/email-forward-parser and the clients themselves, not their text). Out: for
//! each layout, the invite link and the original's recipient as invitee; a failure
//! lists every layout that went wrong. The last tests hold the other side: a forward
//! that does not name the recipient's address gives no invitee, never a wrong one.
//!
//! - this file: the client layouts, the check, English (every client) and the forwards
//!   without a recipient address;
//! - `germanic`, `romance`, `slavic`, `others`: one test per other language.
// Every test and bench target sees all the package's (dev-)dependencies and uses only a
// few; the lint watches the library, where an unused dependency is a real one.
#![allow(unused_crate_dependencies)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use onbehalf::config::Config;
use onbehalf::extract::extract;

const SENDER: &str = "Engage <invites@engage.example.com>";
const CC: &str = "Tom Becker <tom.becker@partner.test>, Ops <ops@partner.test>";
const SUBJECT: &str = "You're invited to Engage";
const LINK: &str = "https://engage.example.com/invitations/accept?token=Zq7mK2vX9pL4sT8wR1nB5c";
/// Stands for the invitee's address in a layout; each check fills in its own.
const TO: &str = "{to}";

/// How one client writes a forward in one language: the whole plain-text body, with
/// [`TO`] where the original's recipient goes.
struct Layout {
    client: &'static str,
    body: String,
}

fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/onbehalf.toml")).unwrap()
}

fn original_body(quote: &str) -> String {
    [
        "Hello, you have been invited to join Partner Workspace on Engage.",
        "",
        &format!("Accept the invitation: {LINK}"),
        "",
        "The Engage team",
    ]
    .iter()
    .map(|line| format!("{quote}{line}").trim_end().to_owned() + "\n")
    .collect()
}

fn note() -> &'static str {
    "Hi support, could you set this up for me? Thanks\n\n"
}

/// Apple Mail (macOS, iOS): marker, blank, From, Subject, Date, To, Cc, all `> `-quoted.
fn apple(marker: &str, [from, subject, date, to, cc]: [&str; 5]) -> Layout {
    let block = format!(
        "> {marker}\n>\n> {from} {SENDER}\n> {subject} {SUBJECT}\n> {date} 2 Nov 2026 10:01:00 \
         CET\n> {to} {TO}\n> {cc} {CC}\n>\n"
    );
    Layout {
        client: "apple-mail",
        body: format!("{}{block}{}", note(), original_body("> ")),
    }
}

/// Gmail: the marker stays English in every UI language, only the sender label is
/// translated; Date, Subject, To, Cc stay English.
fn gmail(from: &str) -> Layout {
    let block = format!(
        "---------- Forwarded message ---------\n{from} {SENDER}\nDate: Mon, 2 Nov 2026 at \
         10:01\nSubject: {SUBJECT}\nTo: <{TO}>\nCc: {CC}\n\n"
    );
    Layout {
        client: "gmail",
        body: format!("{}{block}{}", note(), original_body("")),
    }
}

/// HubSpot: a translated dashed marker, From, Date, Subject, To, Cc.
fn hubspot(marker: &str, [from, date, subject, to, cc]: [&str; 5]) -> Layout {
    let block = format!(
        "---------- {marker} ---------\n{from} {SENDER}\n{date} 2026-11-02 10:01:00 \
         -0400\n{subject} {SUBJECT}\n{to} {TO}\n{cc} {CC}\n\n"
    );
    Layout {
        client: "hubspot",
        body: format!("{}{block}{}", note(), original_body("")),
    }
}

/// New Outlook / Outlook for Mac: no marker, From, Date, To, Cc, Subject, and the body
/// right after the last field without a blank line.
fn new_outlook([from, date, to, cc, subject]: [&str; 5]) -> Layout {
    let block = format!(
        "{from} {SENDER}\n{date} 2. 11. 2026 10:01\n{to} {TO} <{TO}>\n{cc} {CC}\n{subject} \
         {SUBJECT}\n"
    );
    Layout {
        client: "new-outlook",
        body: format!("{}{block}{}", note(), original_body("")),
    }
}

/// Thunderbird inline: marker line, Subject, Date, From, To, Cc, each label followed by
/// a tab (French puts a space before the colon).
fn thunderbird(marker: &str, [subject, date, from, to, cc]: [&str; 5]) -> Layout {
    let block = format!(
        "{marker}\n{subject} \t{SUBJECT}\n{date} \tMon, 2 Nov 2026 10:01:00 \
         +0100\n{from} \t{SENDER}\n{to} \t{TO}\n{cc} \t{CC}\n\n\n\n"
    );
    Layout {
        client: "thunderbird",
        body: format!("{}{block}{}", note(), original_body("")),
    }
}

/// Yahoo's plain text: the marker and every field on one line, each label glued to the
/// previous value; the date ends in a zone (`CET`, `GMT+1`) glued to the Subject label.
fn yahoo(marker: &str, [from, to, cc, sent, subject]: [&str; 5], date: &str) -> Layout {
    let block = format!(
        "   ----- {marker} ----- {from} {SENDER}{to} \"{TO}\" <{TO}>{cc} Tom Becker \
         <tom.becker@partner.test>; Ops <ops@partner.test>{sent} {date}{subject} {SUBJECT}\n"
    );
    Layout {
        client: "yahoo",
        body: format!("{}{block}{}", note(), original_body(" ")),
    }
}

/// Runs extract over a forward per layout; every layout that gives anything but the
/// link and its invitee is listed.
fn check(language: &str, layouts: &[Layout]) {
    let config = config();
    let mut problems = Vec::new();
    for layout in layouts {
        let invitee = format!("{}.{}@partner.test", layout.client, language.to_lowercase());
        let body = layout.body.replace(TO, &invitee);
        let raw = format!(
            "From: Jane Requester <jane.requester@partner.test>\r\nTo: support@corp.example\r\n\
             Subject: Fwd: {SUBJECT}\r\nDate: Tue, 3 Nov 2026 09:00:00 +0100\r\nMessage-ID: \
             <{}.{language}@partner.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; \
             charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
            layout.client,
            body.replace('\n', "\r\n")
        );
        match extract(raw.as_bytes(), &config) {
            Ok(invite)
                if invite.invite_url == LINK && invite.invitee.as_deref() == Some(&invitee) => {}
            Ok(invite) => problems.push(format!(
                "{} ({language}): invitee {:?}, link matched: {}",
                layout.client,
                invite.invitee,
                invite.invite_url == LINK
            )),
            Err(rejection) => problems.push(format!(
                "{} ({language}): rejected, {}",
                layout.client, rejection.reason
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

mod germanic;
mod others;
mod romance;
mod slavic;

#[test]
fn en() {
    let outlook_web = Layout {
        client: "outlook-web",
        body: format!(
            "{}________________________________\nFrom: {SENDER}\nSent: Monday, November 2, 2026 \
             10:01\nTo: {TO} <{TO}>\nCc: {CC}\nSubject: {SUBJECT}\n\n{}",
            note(),
            original_body("")
        ),
    };
    let outlook_2013 = Layout {
        client: "outlook-2013",
        body: format!(
            "{}From: Engage [mailto:invites@engage.example.com]\nSent: 02 November 2026 10:01\n\
             To: {TO}\nCc: Tom Becker [mailto:tom.becker@partner.test]\nSubject: {SUBJECT}\n\n\n\n{}",
            note(),
            original_body("")
        ),
    };
    let ionos = Layout {
        client: "ionos",
        body: format!(
            "{}> ---------- Original Message ----------\n> From: {SENDER}\n> To: \"{TO}\" <{TO}>\n\
             > Date: 11/02/2026 10:01 AM EST\n> Subject: {SUBJECT}\n>  \n{}",
            note(),
            original_body("> ")
        ),
    };
    let mailmate = Layout {
        client: "mailmate",
        body: format!(
            "{}Forwarded message:\n\n> From: {SENDER}\n> To: {TO}\n> Cc: {CC}\n> Subject: \
             {SUBJECT}\n> Date: Mon, 2 Nov 2026 10:01:00 +0000\n>\n{}",
            note(),
            original_body("> ")
        ),
    };
    let missive = Layout {
        client: "missive",
        body: format!(
            "{}---------- Forwarded message ----------\nFrom: Engage <invites@engage.example.com\
             <mailto:invites@engage.example.com>>\nDate: November 2, 2026 at 10:01 AM\nTo: \
             Invitee <{TO}<mailto:{TO}>>\nCc: {CC}\nSubject: {SUBJECT}\n\n{}",
            note(),
            original_body("")
        ),
    };
    check(
        "en",
        &[
            apple(
                "Begin forwarded message:",
                ["From:", "Subject:", "Date:", "To:", "Cc:"],
            ),
            gmail("From:"),
            hubspot(
                "Forwarded message",
                ["From:", "Date:", "Subject:", "To:", "Cc:"],
            ),
            new_outlook(["From:", "Date:", "To:", "Cc:", "Subject:"]),
            thunderbird(
                "-------- Forwarded Message --------",
                ["Subject:", "Date:", "From:", "To:", "CC:"],
            ),
            yahoo(
                "Forwarded Message",
                ["From:", "To:", "Cc:", "Sent:", "Subject:"],
                "Monday, November 2, 2026, 10:01:00 AM GMT+1",
            ),
            outlook_web,
            outlook_2013,
            ionos,
            mailmate,
            missive,
        ],
    );
}

/// Forwards that do not name the original's recipient address: no invitee, and never
/// the support mailbox or a Cc.
#[test]
fn no_recipient_address_gives_no_invitee() {
    let layouts = [
        // Outlook 2019 for Mac quotes "On …, … wrote:" with no header block.
        Layout {
            client: "outlook-2019",
            body: format!(
                "{}On 02/11/2026 10:01, \"Engage\" <invites@engage.example.com> wrote:\n\n{}",
                note(),
                original_body("    ")
            ),
        },
        // The original's To is a name only.
        Layout {
            client: "outlook-plain",
            body: format!(
                "{}-----Original Message-----\nFrom: Engage\nSent: 02 November 2026 10:01\nTo: \
                 Invitee Name\nSubject: {SUBJECT}\n\n{}",
                note(),
                original_body("")
            ),
        },
        // The invite was sent Bcc: the block has no To, only a Cc.
        Layout {
            client: "bcc",
            body: format!(
                "{}---------- Forwarded message ---------\nFrom: {SENDER}\nDate: Mon, 2 Nov \
                 2026\nSubject: {SUBJECT}\nCc: {CC}\n\n{}",
                note(),
                original_body("")
            ),
        },
    ];
    let config = config();
    for layout in layouts {
        let raw = format!(
            "From: Jane Requester <jane.requester@partner.test>\r\nTo: support@corp.example\r\n\
             Subject: Fwd: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
             \r\n{}",
            layout.body.replace('\n', "\r\n")
        );
        let invite = extract(raw.as_bytes(), &config).expect(layout.client);
        assert_eq!(invite.invite_url, LINK, "{}", layout.client);
        assert_eq!(invite.invitee, None, "{}", layout.client);
    }
}

/// The invitee's display name travels with the address: from a quoted header block, and
/// from an original attached as `message/rfc822`; never an address as a name.
#[test]
fn the_invitees_display_name_is_read_with_the_address() {
    let config = config();
    let inline = |to: &str| {
        format!(
            "From: Jane Requester <jane.requester@partner.test>\r\nTo: support@corp.example\r\n\
             Subject: Fwd: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
             \r\n---------- Forwarded message ---------\r\nFrom: {SENDER}\r\nDate: Mon, 2 Nov \
             2026\r\nSubject: {SUBJECT}\r\nTo: {to}\r\n\r\n{}",
            original_body("").replace('\n', "\r\n")
        )
    };
    for (to, name) in [
        ("\"Doe, Jane\" <jane@partner.test>", Some("Doe, Jane")),
        ("Jane Doe <jane@partner.test>", Some("Jane Doe")),
        ("\"jane@partner.test\" <jane@partner.test>", None),
        ("<jane@partner.test>", None),
    ] {
        let invite = extract(inline(to).as_bytes(), &config).expect(to);
        assert_eq!(invite.invitee.as_deref(), Some("jane@partner.test"), "{to}");
        assert_eq!(invite.invitee_name.as_deref(), name, "{to}");
    }
    let attached = format!(
        "From: Jane Requester <jane.requester@partner.test>\r\nTo: support@corp.example\r\n\
         Subject: Fwd: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\
         \r\n--b\r\nContent-Type: text/plain\r\n\r\nPlease help\r\n--b\r\n\
         Content-Type: message/rfc822\r\n\r\nFrom: {SENDER}\r\nTo: =?utf-8?q?Ren=C3=A9e_M=C3=BCller?= \
         <renee@partner.test>\r\nSubject: {SUBJECT}\r\nContent-Type: text/plain\r\n\r\n{}\r\n--b--\r\n",
        original_body("").replace('\n', "\r\n")
    );
    let invite = extract(attached.as_bytes(), &config).expect("attached");
    assert_eq!(invite.invitee.as_deref(), Some("renee@partner.test"));
    assert_eq!(invite.invitee_name.as_deref(), Some("Renée Müller"));
}
