//! The checks that need no network: settings that load but would not work well.
//!
//! In: the validated [`Config`]. Out: lines about each platform profile (how success is
//! recognised, `allow_http`), the sender-authentication policy, `[notify]` and the job
//! deadline.

use crate::config::{Config, MailboxConfig, Platform};

use super::line::Line;

/// The profile of one platform (index `index` in the file).
pub fn platform(index: usize, platform: &Platform) -> Vec<Line> {
    let topic = format!("platform {}", platform.name);
    let key = format!("platform[{index}]");
    let mut lines = Vec::new();
    match (&platform.success_url, &platform.success_selector) {
        (None, None) => lines.push(Line::fail(
            &topic,
            "neither success_url nor success_selector is set, so a successful signup could \
             not be told from a failed one",
            &format!(
                "add success_url (the landing page's URL, * for what varies) or \
                 success_selector (a CSS selector only the landing page has) to {key}"
            ),
        )),
        (url, selector) => {
            let how: Vec<String> = [
                url.as_ref().map(|_| "success_url".to_owned()),
                selector
                    .as_ref()
                    .map(|s| format!("success_selector {:?}", s.as_str())),
            ]
            .into_iter()
            .flatten()
            .collect();
            lines.push(Line::pass(
                &topic,
                format!("a successful signup is recognised by {}", how.join(" and ")),
            ));
        }
    }
    if platform.allow_http {
        lines.push(Line::warn(
            &topic,
            format!(
                "{key}.allow_http = true: invite links over plain http:// are followed, so \
                 the invite token and the new password cross the network unencrypted; keep \
                 it only for local testing"
            ),
        ));
    }
    lines
}

/// Who may ask for a signup.
pub fn policy(config: &Config) -> Vec<Line> {
    let policy = &config.policy;
    let topic = "policy";
    let mut lines = Vec::new();
    if !policy.require_authenticated_sender {
        lines.push(Line::warn(
            topic,
            "policy.require_authenticated_sender = false: forwards are acted on without \
             checking that the sender's domain passed DMARC, so anyone who can write to the \
             support address can ask for an account in someone else's name; set it to true \
             and list your mail server in trusted_authserv_ids",
        ));
    } else if !policy.trusts_a_server() {
        lines.push(Line::fail(
            topic,
            "require_authenticated_sender is on but policy.trusted_authserv_ids is empty, so \
             every forward would be refused",
            "set trusted_authserv_ids to the authserv-id your receiving mail server writes in \
             Authentication-Results (e.g. [\"mx.corp.example\"]), or, for a mailbox on \
             Microsoft 365, results_without_authserv_id = \"microsoft365\"",
        ));
    } else {
        let mut by = policy.trusted_authserv_ids.clone();
        if policy.results_without_authserv_id.is_some() {
            by.push(
                "Microsoft 365 (its field without an authserv-id; compauth must pass)".to_owned(),
            );
        }
        lines.push(Line::pass(
            topic,
            format!(
                "forwards must pass DMARC (or aligned DKIM) according to {}",
                by.join(", ")
            ),
        ));
    }
    if policy.require_authenticated_sender {
        lines.extend(microsoft365(config));
    }
    if !policy.allowed_sender_domains.is_empty() {
        lines.push(Line::pass(
            topic,
            format!(
                "only senders from {} are served",
                policy.allowed_sender_domains.join(", ")
            ),
        ));
    }
    lines
}

/// Exchange Online's IMAP hosts (worldwide, US government, China).
const MICROSOFT_365_IMAP_HOSTS: [&str; 3] = [
    "outlook.office365.com",
    "outlook.office365.us",
    "partner.outlook.cn",
];

/// Advice when `results_without_authserv_id` does not fit where the mailbox is: Microsoft
/// 365 writes no authserv-id, so without the setting every forward is refused; elsewhere,
/// the setting lets a sender's own field count when the server wrote none.
fn microsoft365(config: &Config) -> Option<Line> {
    let Some(MailboxConfig::Imap(imap)) = &config.mailbox else {
        return None;
    };
    let host = imap.host.trim_end_matches('.').to_ascii_lowercase();
    let on_microsoft = MICROSOFT_365_IMAP_HOSTS.contains(&host.as_str());
    match (on_microsoft, config.policy.results_without_authserv_id) {
        (true, None) => Some(Line::warn(
            "policy",
            format!(
                "the mailbox is on Microsoft 365 ({host}), which writes \
                 Authentication-Results without an authserv-id, so its verdicts do not \
                 count and forwards only it checked are refused; add results_without_authserv_id = \"microsoft365\" under [policy]"
            ),
        )),
        (false, Some(_)) => Some(Line::warn(
            "policy",
            format!(
                "policy.results_without_authserv_id = \"microsoft365\" but the mailbox is on \
                 {host}: set it only when Microsoft 365 receives the mail, since a server that \
                 writes no such field of its own would let a sender's forged one count"
            ),
        )),
        _ => None,
    }
}

/// Where tickets go, and whether junk gets one.
pub fn notify(config: &Config) -> Vec<Line> {
    let mut lines = vec![match &config.notify.ticket_to {
        Some(to) => Line::pass("notify", format!("tickets go to {to}")),
        None => Line::warn(
            "notify",
            "notify.ticket_to is not set: a job a human must handle has nowhere to go, so \
             run and once refuse to start; add ticket_to = \"helpdesk@example.com\" under \
             [notify]",
        ),
    }];
    if config.notify.junk_tickets {
        lines.push(Line::warn(
            "notify",
            "notify.junk_tickets = true: every mail with no invite link becomes a ticket, \
             also from senders nobody authenticated, with Reply-To set to their possibly \
             forged From; set it to false to file such mail without a ticket",
        ));
    } else {
        lines.push(Line::pass(
            "notify",
            "mail with no invite link from an unauthenticated sender is filed in the \
             needs-human folder without a ticket (notify.junk_tickets = false)",
        ));
    }
    lines
}

/// `[daemon] job_deadline` against each platform's `request_timeout`: a signup needs at
/// least the invite's GET and the form's POST, so a shorter deadline cuts slow platforms
/// off mid-signup.
pub fn job_deadline(config: &Config) -> Vec<Line> {
    let deadline = config.daemon.job_deadline;
    let too_short: Vec<&str> = config
        .platforms
        .iter()
        .filter(|p| deadline < p.request_timeout.saturating_mul(2))
        .map(|p| p.name.as_str())
        .collect();
    if too_short.is_empty() {
        let text = format!("a signup still unfinished after {deadline:?} goes to a human");
        return vec![Line::pass("daemon", text)];
    }
    vec![Line::warn(
        "daemon",
        format!(
            "daemon.job_deadline ({deadline:?}) is shorter than two requests to {} \
             (request_timeout), so a slow signup there is cut off and ticketed; raise \
             job_deadline or lower request_timeout",
            too_short.join(", ")
        ),
    )]
}

#[cfg(test)]
mod tests {

    use super::super::line::Mark;
    use super::super::test_config as config;
    use super::*;

    fn marks(lines: &[Line]) -> Vec<Mark> {
        lines.iter().map(|l| l.mark).collect()
    }

    #[test]
    fn a_profile_without_success_markers_fails_and_allow_http_warns() {
        let bare = config("allow_http = true\n");
        let lines = platform(0, &bare.platforms[0]);
        assert_eq!(marks(&lines), [Mark::Fail, Mark::Warn]);
        assert!(lines[0].text.contains("success_url"), "{}", lines[0]);
        assert!(lines[0].text.contains("platform[0]"), "{}", lines[0]);
        assert!(lines[1].text.contains("allow_http"), "{}", lines[1]);

        let good = config("success_selector = \"h1.welcome\"\n");
        let lines = platform(0, &good.platforms[0]);
        assert_eq!(marks(&lines), [Mark::Pass]);
        assert!(lines[0].text.contains("h1.welcome"), "{}", lines[0]);
    }

    #[test]
    fn sender_authentication_off_warns_and_on_without_servers_fails() {
        let off = config("[policy]\nrequire_authenticated_sender = false\n");
        assert_eq!(marks(&policy(&off)), [Mark::Warn]);
        let without_servers = config("");
        let lines = policy(&without_servers);
        assert_eq!(marks(&lines), [Mark::Fail]);
        assert!(
            lines[0].text.contains("trusted_authserv_ids"),
            "{}",
            lines[0]
        );
        let good = config(
            "[policy]\ntrusted_authserv_ids = [\"mx.corp.example\"]\n\
             allowed_sender_domains = [\"partner.test\"]\n",
        );
        let lines = policy(&good);
        assert_eq!(marks(&lines), [Mark::Pass, Mark::Pass]);
        assert!(lines[0].text.contains("mx.corp.example"), "{}", lines[0]);
    }

    fn imap_config(host: &str, policy: &str) -> Config {
        config(&format!(
            "[mailbox]\nkind = \"imap\"\nhost = \"{host}\"\nusername = \"support@corp.example\"\n\
             password_file = \"imap-password\"\n[policy]\n{policy}"
        ))
    }

    #[test]
    fn microsoft_365_advice_follows_the_mailbox_host() {
        let m365 = "results_without_authserv_id = \"microsoft365\"\n";
        let on_exchange = imap_config("outlook.office365.com", m365);
        let lines = policy(&on_exchange);
        assert_eq!(marks(&lines), [Mark::Pass]);
        assert!(lines[0].text.contains("Microsoft 365"), "{}", lines[0]);

        // With no trusted server at all the file does not load; the advice is for an
        // authserv-id that Microsoft 365 never writes.
        let missing = imap_config(
            "Outlook.Office365.com",
            "trusted_authserv_ids = [\"mx.corp.example\"]\n",
        );
        let lines = policy(&missing);
        assert_eq!(marks(&lines), [Mark::Pass, Mark::Warn]);
        assert!(
            lines[1]
                .text
                .contains("results_without_authserv_id = \"microsoft365\""),
            "{}",
            lines[1]
        );

        let elsewhere = imap_config(
            "imap.corp.example",
            &format!("trusted_authserv_ids = [\"mx.corp.example\"]\n{m365}"),
        );
        let lines = policy(&elsewhere);
        assert_eq!(marks(&lines), [Mark::Pass, Mark::Warn]);
        assert!(lines[1].text.contains("imap.corp.example"), "{}", lines[1]);
    }

    #[test]
    fn a_job_deadline_shorter_than_two_requests_warns() {
        assert_eq!(marks(&job_deadline(&config(""))), [Mark::Pass]);
        let short = config("[daemon]\njob_deadline = \"45s\"\n");
        let lines = job_deadline(&short);
        assert_eq!(marks(&lines), [Mark::Warn]);
        assert!(lines[0].text.contains("Engage"), "{}", lines[0].text);
    }

    #[test]
    fn a_missing_ticket_address_warns() {
        assert_eq!(marks(&notify(&config(""))), [Mark::Warn, Mark::Pass]);
        let with = config("[notify]\nticket_to = \"helpdesk@example.com\"\n");
        let lines = notify(&with);
        assert_eq!(marks(&lines), [Mark::Pass, Mark::Pass]);
        assert!(lines[0].text.contains("helpdesk@example.com"));
        let junk = config("[notify]\nticket_to = \"h@example.com\"\njunk_tickets = true\n");
        let lines = notify(&junk);
        assert_eq!(marks(&lines), [Mark::Pass, Mark::Warn]);
        assert!(lines[1].text.contains("junk_tickets"), "{}", lines[1]);
    }
}
