//! Invites that end in an account: one forward, every client format in `samples/`, the
//! same invite forwarded twice, and a colleague forwarding for the invitee.

use onbehalf_sim::Behaviour;

use super::Env;
use super::forward::{self, Auth, Forward};
use super::mails::{self, lf};

const JANE: &str = "jane.doe@partner.test";
const TOM: &str = "tom.becker@partner.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_forwarded_invite_is_one_account_one_mail_and_filed_as_done() {
    let env = Env::start().await;
    let url = forward::invite(&env.sim, JANE);
    env.secret(&forward::token_of(&url));
    let fwd = Forward::by_invitee(JANE, &url);
    env.append(&fwd.build()).await;

    env.once_ok();

    assert_eq!(env.accounts(), [JANE]);
    let mail = env.assert_credentials(JANE);
    assert_eq!(env.mails().len(), 1, "no other mail");
    // The invitee forwarded it: the credentials answer in the forward's thread.
    assert_eq!(mail.in_reply_to.as_deref(), Some(fwd.message_id_bare()));
    assert!(
        mail.references.iter().any(|r| r == fwd.message_id_bare()),
        "{:?}",
        mail.references
    );
    assert!(mail.subject.starts_with("Re: "), "{}", mail.subject);
    assert!(mail.text.contains("change"), "tells to change the password");
    env.assert_folders(0, 1, 0).await;

    let status = env.status();
    assert!(status.contains("✓ mailbox checked"), "{status}");
    let filed = status
        .lines()
        .find(|l| l.trim_start().starts_with("filed"))
        .unwrap();
    assert_eq!(filed.split_whitespace().nth(1), Some("1"), "{status}");
    assert!(!status.contains("unfinished"), "{status}");
    assert_eq!(env.jobs_in("filed"), 1);

    // A second run finds nothing to do.
    env.once_ok();
    assert_eq!(env.accounts().len(), 1);
    assert_eq!(env.mails().len(), 1);
}

/// Samples whose links survive rewriting the host (plain text, quoted-printable, HTML,
/// nested message/rfc822 and link-protection wrappers); base64-encoded bodies and the
/// other platform are left out.
const INVITE_SAMPLES: &[&str] = &[
    "apple-mail-macos.eml",
    "apple-mail-sophos.eml",
    "gmail-app-plain.eml",
    "gmail-fwd-fwd-colleague.eml",
    "gmail-new-mail-google-redirect.eml",
    "gmail-web-en.eml",
    "k9-plain-amp.eml",
    "nested-rfc822-two-levels.eml",
    "new-outlook-fr-safelinks.eml",
    "outlook-2013-proofpoint-v2.eml",
    "outlook-desktop-ja-iso2022jp.eml",
    "outlook-desktop-plain-de.eml",
    "outlook-desktop-plain.eml",
    "outlook-desktop-proofpoint-v3.eml",
    "outlook-desktop-word-html.eml",
    "owa-colleague-delegate.eml",
    "owa-en.eml",
    "owa-forward-as-attachment.eml",
    "owa-safelinks-and-bare.eml",
    "owa-safelinks-proofpoint-v3.eml",
    "roundcube-href-whitespace.eml",
    "thunderbird-attachment.eml",
    "thunderbird-inline-barracuda.eml",
    "thunderbird-inline-de.eml",
    "thunderbird-inline.eml",
    "yahoo.eml",
];

/// Invite samples whose forward the receiving server did not authenticate.
const UNAUTHENTICATED_SAMPLES: &[&str] = &[
    "apple-mail-ios-es.eml",
    "copy-paste-new-mail.eml",
    "neomutt-quoted-wrapped.eml",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_format_becomes_one_account() {
    let env = Env::start_with(super::Setup {
        daemon: "concurrency = 8\nper_platform_concurrency = 4",
        // Seven samples invite jane.doe@partner.test: a simulator has one account per email.
        extra_sims: 6,
        ..super::Setup::default()
    })
    .await;
    let mut originals = Vec::new();
    let mut logins: Vec<String> = Vec::new();
    for name in INVITE_SAMPLES.iter().chain(UNAUTHENTICATED_SAMPLES) {
        let expected = forward::expected(name);
        assert_eq!(expected.outcome, "invite", "{name}");
        let login = expected.login().to_owned();
        let earlier = logins.iter().filter(|l| **l == login).count();
        let sim = match earlier {
            n if n > 0 && INVITE_SAMPLES.contains(name) => &env.extra_sims[n - 1],
            _ => &env.sim,
        };
        // An unauthenticated forward never reaches the platform: no invite needed.
        if INVITE_SAMPLES.contains(name) {
            logins.push(login);
            forward::issue_sample_invite(sim, &expected, Behaviour::Normal);
        }
        env.secret(&forward::token_of(expected.invite_url.as_deref().unwrap()));
        let raw = forward::sample(name, &sim.authority());
        env.append(&raw).await;
        originals.push((expected, raw));
    }

    env.once_ok();

    let mails = env.mails();
    let mut accounts = env.accounts();
    for sim in &env.extra_sims {
        accounts.extend(sim.accounts().into_iter().map(|a| a.email));
    }
    for (expected, raw) in &originals {
        let name = expected.file.as_str();
        let login = expected.login();
        if UNAUTHENTICATED_SAMPLES.contains(&name) {
            let ticket = mails::tickets(&mails)
                .into_iter()
                .find(|t| lf(&t.attached_original()) == lf(raw))
                .unwrap_or_else(|| panic!("a ticket for {name}"));
            assert!(ticket.text.contains("unauthenticated_sender"), "{name}");
            continue;
        }
        assert!(accounts.iter().any(|a| a == login), "{name}: no account");
        let requester = expected.requester.as_deref().unwrap();
        let notes = originals
            .iter()
            .filter(|(e, _)| e.requester.as_deref() == Some(requester) && e.login() != requester)
            .count();
        let received = mails.iter().filter(|m| m.is_to(requester)).count();
        if requester != login {
            assert_eq!(received, notes, "{name}: notes to {requester}");
        }
    }
    // One account and one working credentials mail per authenticated invite.
    assert_eq!(accounts.len(), INVITE_SAMPLES.len(), "{accounts:?}");
    let credentials = mails::credentials(&mails);
    assert_eq!(credentials.len(), INVITE_SAMPLES.len());
    for mail in credentials {
        let login = &mail.rcpt_to[0];
        let password = mail.password().unwrap();
        let works = std::iter::once(&env.sim)
            .chain(&env.extra_sims)
            .filter(|sim| sim.password_works(login, &password))
            .count();
        assert_eq!(works, 1, "the password mailed to {login} logs in");
    }
    assert_eq!(mails::tickets(&mails).len(), UNAUTHENTICATED_SAMPLES.len());
    env.assert_folders(0, INVITE_SAMPLES.len(), UNAUTHENTICATED_SAMPLES.len())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_invite_forwarded_again_is_one_account_and_duplicate_tickets() {
    let env = Env::start().await;
    let url = forward::invite(&env.sim, JANE);
    env.secret(&forward::token_of(&url));
    // Three forwards of one invite in one batch: whichever is vetted first signs up.
    let copies: Vec<Vec<u8>> = (0..3)
        .map(|n| {
            let mut fwd = Forward::by_invitee(JANE, &url);
            fwd.note = format!("Sending this again ({n}): I still cannot get in.");
            fwd.build()
        })
        .collect();
    for raw in &copies {
        env.append(raw).await;
    }

    env.once_ok();

    assert_eq!(env.accounts(), [JANE]);
    env.assert_credentials(JANE);
    let mails = env.mails();
    let tickets = mails::tickets(&mails);
    assert_eq!(tickets.len(), 2, "the other forwards are tickets");
    let mut ticketed = Vec::new();
    for ticket in &tickets {
        assert!(ticket.text.contains("duplicate_forward"), "{}", ticket.text);
        assert!(
            ticket.text.contains("already handled by"),
            "{}",
            ticket.text
        );
        assert!(ticket.text.contains("Nothing to do"), "{}", ticket.text);
        assert!(!ticket.text.contains("by hand"), "{}", ticket.text);
        let original = lf(&ticket.attached_original());
        let copy = copies.iter().position(|c| lf(c) == original);
        ticketed.push(copy.expect("a ticket attaches one of the forwards"));
    }
    ticketed.sort_unstable();
    ticketed.dedup();
    assert_eq!(ticketed.len(), 2, "two different forwards ticketed");
    assert_eq!(mails.len(), 3);
    env.assert_folders(0, 1, 2).await;

    // Forwarded once more, in a later run: the same.
    env.append(&Forward::by_invitee(JANE, &url).build()).await;
    env.once_ok();
    assert_eq!(env.accounts(), [JANE]);
    assert_eq!(mails::credentials(&env.mails()).len(), 1);
    assert_eq!(mails::tickets(&env.mails()).len(), 3);
    env.assert_folders(0, 1, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_forwarding_gets_a_note_and_the_invitee_the_password() {
    let env = Env::start().await;
    let url = forward::invite(&env.sim, JANE);
    env.secret(&forward::token_of(&url));
    let fwd = Forward::by(TOM, JANE, &url);
    env.append(&fwd.build()).await;

    env.once_ok();

    assert_eq!(env.accounts(), [JANE]);
    let credentials = env.assert_credentials(JANE);
    // Not the invitee's own thread: no reply headers pointing at Tom's forward.
    assert_eq!(credentials.in_reply_to, None);
    let mails = env.mails();
    assert_eq!(mails.len(), 2);
    let note: Vec<_> = mails.iter().filter(|m| m.is_to(TOM)).collect();
    assert_eq!(note.len(), 1, "one note to the colleague");
    assert!(note[0].text.contains(JANE), "{}", note[0].text);
    assert!(note[0].password().is_none());
    let password = credentials.password().unwrap();
    assert!(!String::from_utf8_lossy(&note[0].raw).contains(&password));
    assert_eq!(note[0].in_reply_to.as_deref(), Some(fwd.message_id_bare()));
    env.assert_folders(0, 1, 0).await;
}

/// A forward refused before it reached the platform did not use the invite: the same
/// invite forwarded again, properly, still becomes the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_forward_does_not_use_up_its_invite() {
    let env = Env::start().await;
    let url = forward::invite(&env.sim, JANE);
    env.secret(&forward::token_of(&url));
    let spoofed = Forward::by_invitee(JANE, &url).auth(Auth::Fail).build();
    env.append(&spoofed).await;
    env.once_ok();
    env.assert_one_ticket("unauthenticated_sender", "could not be verified", &spoofed);

    env.append(&Forward::by_invitee(JANE, &url).build()).await;
    env.once_ok();
    assert_eq!(env.accounts(), [JANE]);
    env.assert_credentials(JANE);
    assert_eq!(env.mails().len(), 2);
    env.assert_folders(0, 1, 1).await;
}

/// Cyrus and Courier keep personal folders under `INBOX.` with `.` between levels: the
/// default filing folders land there (found through NAMESPACE), nowhere else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_server_with_an_inbox_prefix_the_invite_is_filed_under_it() {
    let env = Env::start_with(super::Setup {
        dovecot_config: super::support::dovecot::INBOX_PREFIX,
        ..super::Setup::default()
    })
    .await;
    let url = forward::invite(&env.sim, JANE);
    env.secret(&forward::token_of(&url));
    env.append(&Forward::by_invitee(JANE, &url).build()).await;

    env.once_ok();

    assert_eq!(env.accounts(), [JANE]);
    env.assert_credentials(JANE);
    assert_eq!(env.count("INBOX").await, 0);
    assert_eq!(env.count("INBOX/onbehalf/done").await, 1);
    let folders = env.dovecot.folders().await;
    assert!(
        folders
            .iter()
            .all(|f| f == "INBOX" || f.starts_with("INBOX/")),
        "{folders:?}"
    );
    assert_eq!(env.jobs_in("filed"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_invite_written_three_ways_is_one_post_and_two_duplicate_tickets() {
    let env = Env::start().await;
    let url = forward::invite(&env.sim, JANE);
    env.secret(&forward::token_of(&url));
    // As forwards arrive: plain, with a newsletter's tracking parameter, with the host
    // upper-cased by a client.
    let tracked = format!("{url}&utm_source=newsletter&utm_medium=email");
    let shouted = url.replacen("://localhost", "://LOCALHOST", 1);
    assert_ne!(shouted, url);
    for link in [&url, &tracked, &shouted] {
        env.append(&Forward::by_invitee(JANE, link).build()).await;
    }

    env.once_ok();

    assert_one_signup_and_duplicates(&env, 2);
}

/// One POST made Jane's account; every other forward became a duplicate ticket.
fn assert_one_signup_and_duplicates(env: &Env, duplicates: usize) {
    let posts = env
        .sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/signup"))
        .count();
    assert_eq!(posts, 1, "one invite, one signup");
    assert_eq!(env.accounts(), [JANE]);
    let mails = env.mails();
    let tickets = mails::tickets(&mails);
    assert_eq!(tickets.len(), duplicates);
    for ticket in &tickets {
        assert!(ticket.text.contains("duplicate_forward"), "{}", ticket.text);
    }
}

/// With `invite_token` naming the token's place, forwards with the same token are one
/// invite even when a client added a parameter nobody knows (which the normal form of a
/// link keeps, so without the setting that forward would be a second invite).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_forwarded_four_ways_is_one_post_when_the_profile_names_it() {
    let env = Env::start().await;
    let text = std::fs::read_to_string(&env.config).unwrap();
    let named = text.replacen(
        "tick_checkboxes = [\"accept_terms\"]\n",
        "tick_checkboxes = [\"accept_terms\"]\ninvite_token = \"query:token\"\n",
        1,
    );
    assert_ne!(named, text);
    std::fs::write(&env.config, named).unwrap();
    let url = forward::invite(&env.sim, JANE);
    env.secret(&forward::token_of(&url));
    let tracked = format!("{url}&utm_source=newsletter");
    let shouted = url.replacen("://localhost", "://LOCALHOST", 1);
    let unknown = format!("{url}&ref=mail-client-7");
    assert_ne!(shouted, url);
    for link in [&url, &tracked, &shouted, &unknown] {
        env.append(&Forward::by_invitee(JANE, link).build()).await;
    }

    env.once_ok();

    assert_one_signup_and_duplicates(&env, 3);
}
