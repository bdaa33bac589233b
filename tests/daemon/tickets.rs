//! Forwards that need a human: every rejection (extract, vet, size) and every signup
//! failure ends as exactly one ticket at the help desk, in plain words, with the
//! original attached, the message in the needs-human folder and no account. A platform
//! failing for a while (429, 503, timeouts) before the form is submitted is retried
//! first; after a submission it never is.

use std::time::Duration;

use onbehalf_sim::{Behaviour, SimOptions, Simulator};

use super::forward::{self, Auth, Forward};
use super::mails::{self, lf};
use super::{Env, HELPDESK, Setup};

/// One message and the ticket it must become.
struct Case {
    what: &'static str,
    raw: Vec<u8>,
    reason: &'static str,
    words: &'static str,
}

/// A Gmail forward by `email` of an invite with `behaviour` on the simulator.
fn failing_signup(env: &Env, email: &str, behaviour: Behaviour) -> Vec<u8> {
    let url = forward::invite_with(&env.sim, email, behaviour);
    env.secret(&forward::token_of(&url));
    Forward::by_invitee(email, &url).build()
}

fn cases(env: &Env, canary: &Simulator) -> Vec<Case> {
    let authority = env.authority();
    let spoofed = {
        let url = forward::invite(&env.sim, "spoofed@partner.test");
        env.secret(&forward::token_of(&url));
        Forward::by_invitee("spoofed@partner.test", &url)
            .auth(Auth::Fail)
            .build()
    };
    let two_invites = {
        let first = forward::invite(&env.sim, "two@partner.test");
        let second = forward::invite(&env.sim, "two@partner.test");
        env.secret(&forward::token_of(&first));
        env.secret(&forward::token_of(&second));
        let mut fwd = Forward::by_invitee("two@partner.test", &first);
        fwd.urls.push(second);
        fwd.build()
    };
    let redirect = Behaviour::RedirectTo(format!("{}/collect", canary.base_url()));
    let case = |what, raw, reason, words| Case {
        what,
        raw,
        reason,
        words,
    };
    vec![
        case(
            "a newsletter",
            forward::sample("newsletter.eml", &authority),
            "no_invite_link",
            "no invite link was found",
        ),
        case(
            "a PDF saved as .eml",
            forward::sample("not-an-email-pdf.eml", &authority),
            "unreadable",
            "not a readable email",
        ),
        case(
            "an Outlook .msg attachment",
            forward::sample("outlook-msg-attachment.eml", &authority),
            "unsupported_format",
            "Outlook-only format",
        ),
        case(
            "two invites in one forward",
            two_invites,
            "ambiguous_invite_links",
            "several different invite links",
        ),
        case(
            "a spoofed sender",
            spoofed,
            "unauthenticated_sender",
            "could not be verified",
        ),
        case(
            "an expired invite",
            failing_signup(env, "expired@partner.test", Behaviour::Expired),
            "link_expired",
            "expired or was already used",
        ),
        case(
            "an invitee who already has an account",
            failing_signup(env, "known@partner.test", Behaviour::AlreadyRegistered),
            "already_registered",
            "already has an account",
        ),
        case(
            "a JavaScript-only signup page",
            failing_signup(env, "js@partner.test", Behaviour::JavaScriptOnly),
            "form_not_found",
            "no usable form",
        ),
        case(
            "an invite redirecting elsewhere",
            failing_signup(env, "redirected@partner.test", redirect),
            "blocked_redirect",
            "redirected to a host that is not allowed",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rejection_and_signup_failure_is_exactly_one_ticket() {
    let env = Env::start().await;
    let canary = Simulator::start(SimOptions::default()).await.unwrap();
    let cases = cases(&env, &canary);
    for case in &cases {
        env.append(&case.raw).await;
    }

    env.once_ok();

    let mails = env.mails();
    assert!(
        mails.iter().all(|m| m.is_to(HELPDESK)),
        "only tickets: {:?}",
        mails.iter().map(|m| &m.rcpt_to).collect::<Vec<_>>()
    );
    assert_eq!(mails.len(), cases.len(), "one ticket per message");
    for case in &cases {
        let tickets: Vec<_> = mails::tickets(&mails)
            .into_iter()
            .filter(|t| lf(&t.attached_original()) == lf(&case.raw))
            .collect();
        assert_eq!(tickets.len(), 1, "{}: one ticket", case.what);
        let ticket = tickets[0];
        assert!(
            ticket.subject.contains(case.words),
            "{}: subject {:?} says {:?}",
            case.what,
            ticket.subject,
            case.words
        );
        let first_line = ticket.text.lines().next().unwrap_or_default();
        assert!(
            first_line.contains(case.words),
            "{}: {first_line}",
            case.what
        );
        assert!(ticket.text.contains(case.reason), "{}", case.what);
        // Replying to the ticket reaches whoever forwarded the message.
        assert_eq!(
            ticket.reply_to,
            mails::sender_of(&case.raw),
            "{}",
            case.what
        );
    }
    assert!(env.accounts().is_empty(), "{:?}", env.accounts());
    assert!(canary.requests().is_empty(), "nothing reached the canary");
    env.assert_folders(0, 0, cases.len()).await;
    assert_eq!(env.jobs_in("filed"), cases.len() as u64);

    // Nothing is ticketed twice on a later run.
    env.once_ok();
    assert_eq!(env.mails().len(), cases.len());
}

/// A forward over `limits.max_message_bytes` is never downloaded: the ticket carries its
/// headers, and neither the journal nor memory ever holds the 650 kB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_size_limit_is_a_too_large_ticket_with_its_headers() {
    let env = Env::start().await;
    let raw = forward::sample("too-large.eml", &env.authority());
    assert!(raw.len() > 524_288);
    env.append(&raw).await;

    env.once_ok();

    let ticket = env.assert_one_ticket_about("too_large", "too large");
    assert!(ticket.text.contains("not downloaded"), "{}", ticket.text);
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(
        lf(&ticket.attached_original()) == lf(&raw[..end]),
        "the ticket attaches the header section"
    );
    assert_eq!(ticket.reply_to, mails::sender_of(&raw));
    assert!(ticket.raw.len() < 64 * 1024, "{} bytes", ticket.raw.len());
    let journal: u64 = std::fs::read_dir(env.dir.path().join("state"))
        .unwrap()
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    assert!(journal < 256 * 1024, "the journal holds {journal} bytes");
    assert!(env.accounts().is_empty());
    assert!(
        env.sim.requests().is_empty(),
        "the platform was not contacted"
    );
    env.assert_folders(0, 0, 1).await;
}

/// A 429 on opening the invite is waited out and retried (nothing was submitted yet); a
/// 503 answering the POST leaves the outcome unknown, so the form is not submitted again:
/// the invite still shows the form, and a ticket keeps the password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_before_the_post_is_retried_and_one_after_it_is_not() {
    let env = Env::start().await;
    let limited = "rate.limited@partner.test";
    let behaviour = Behaviour::RateLimitedOnce {
        retry_after_secs: 1,
    };
    env.append(&failing_signup(&env, limited, behaviour)).await;
    let failed = failing_signup(
        &env,
        "server.error@partner.test",
        Behaviour::ServerErrorOnce,
    );
    env.append(&failed).await;

    env.once_ok();

    assert_eq!(env.accounts(), [limited]);
    env.assert_credentials(limited);
    let mails = env.mails();
    let tickets = mails::tickets(&mails);
    assert_eq!(tickets.len(), 1, "one ticket, for the 503 after the POST");
    assert!(lf(&tickets[0].attached_original()) == lf(&failed));
    let text = &tickets[0].text;
    assert!(text.contains("uncertain_account_state"), "{text}");
    assert!(text.contains("password is kept"), "{text}");
    let posts = env.posts();
    assert_eq!(posts, 2, "one POST per invite, none repeated");
    env.assert_folders(0, 1, 1).await;
    env.fault_summary("platform-429-and-503-once").await;
}

/// A platform answering later than `request_timeout` on every attempt: three tries (2 s,
/// then 4 s apart), then one ticket and no account; the form was never submitted. A
/// platform that is slow but within the timeout still gets its signup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_timing_out_on_every_attempt_is_one_ticket() {
    let env = Env::start_with(Setup {
        request_timeout: "400ms",
        ..Setup::default()
    })
    .await;
    let slow = failing_signup(
        &env,
        "slow@partner.test",
        Behaviour::Slow(Duration::from_millis(100)),
    );
    env.append(&slow).await;
    let stuck = Behaviour::Slow(Duration::from_secs(2));
    let raw = failing_signup(&env, "timed.out@partner.test", stuck);
    env.append(&raw).await;

    env.once_ok();

    assert_eq!(env.accounts(), ["slow@partner.test"]);
    env.assert_credentials("slow@partner.test");
    let mails = env.mails();
    let tickets = mails::tickets(&mails);
    assert_eq!(tickets.len(), 1, "one ticket for the platform timing out");
    assert!(lf(&tickets[0].attached_original()) == lf(&raw));
    assert!(
        tickets[0].subject.contains("could not be reached"),
        "{}",
        tickets[0].subject
    );
    assert!(tickets[0].text.contains("network"), "{}", tickets[0].text);
    let posts = env.posts();
    assert_eq!(posts, 1, "only the slow-but-in-time signup was submitted");
    env.assert_folders(0, 1, 1).await;
    assert_eq!(env.status_json()["unfinished_jobs"], serde_json::json!([]));
    env.fault_summary("platform-timeout-every-attempt").await;
}
