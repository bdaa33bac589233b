//! What a ticket says: plain-words headlines for every reason a job can need a human.
//!
//! In: a machine reason from any stage (`no_invite_link`, `link_expired`, …). Out: the
//! sentence a help-desk agent reads first, and the step they should take.

/// Reason a job stopped when the daemon itself could not tell the outcome.
pub const UNCERTAIN_ACCOUNT_STATE: &str = "uncertain_account_state";
/// Reason when the platform created an account but nobody can be told its login.
pub const NO_LOGIN_ADDRESS: &str = "no_login_address";
/// Reason when the mail server refused the credentials mail for good (the account exists).
pub const CREDENTIALS_REFUSED: &str = "credentials_refused";

/// The headline for a reason: what happened, in plain words.
pub fn headline(reason: &str) -> &'static str {
    match reason {
        "no_invite_link" => "no invite link was found in the forwarded email",
        "ambiguous_invite_links" => "the email contains several different invite links",
        "opaque_wrapped_link" => "the invite link is hidden behind link protection",
        "unsupported_format" => "the invitation was forwarded in an Outlook-only format",
        "too_large" => "the email is too large to process",
        "unreadable" => "the message is not a readable email",
        "unauthenticated_sender" => "the sender of the forward could not be verified",
        "sender_not_allowed" => "the sender's domain is not served",
        "unknown_sender" => "the forward has no sender address",
        "link_expired" => "the invite link has expired or was already used",
        "already_registered" => "the user already has an account",
        "password_rejected" => "the platform refused every generated password",
        "rate_limited" => "the platform kept refusing requests (rate limit)",
        "server_error" => "the platform kept failing with server errors",
        "form_not_found" => "the signup page has no usable form",
        "blocked_redirect" => "the invite link redirected to a host that is not allowed",
        "unexpected_page" => "the platform answered with an unexpected page",
        "network" => "the platform could not be reached",
        "login_mismatch" => {
            "the signup page would create the account for a different address than the invitee"
        }
        UNCERTAIN_ACCOUNT_STATE => "it is not certain whether the account was created",
        NO_LOGIN_ADDRESS => "an account was created but its login address is unknown",
        CREDENTIALS_REFUSED => "an account was created but its credentials mail was refused",
        _ => "the invite could not be handled automatically",
    }
}

/// What the agent should do next for a reason.
pub fn next_step(reason: &str) -> &'static str {
    match reason {
        "no_invite_link" | "unreadable" => {
            "Ask the user to forward the original invitation email (not a reply or a screenshot)."
        }
        "ambiguous_invite_links" => {
            "Ask the user which invitation they need, then sign them up by hand."
        }
        "opaque_wrapped_link" => {
            "Ask the user to copy the invite link's text, or to forward from a mailbox without link protection."
        }
        "unsupported_format" => "Ask the user to forward the invitation again as a normal email.",
        "too_large" => "Ask the user to forward only the invitation, without attachments.",
        "unauthenticated_sender" | "sender_not_allowed" | "unknown_sender" => {
            "Confirm the request with the user through another channel before acting on it."
        }
        "link_expired" => "Ask the platform's administrator to send the user a new invitation.",
        "already_registered" => "Tell the user to log in or reset their password on the platform.",
        "password_rejected" | "form_not_found" | "unexpected_page" | "blocked_redirect" => {
            "Sign the user up by hand, and tell the operators: the platform profile may need updating."
        }
        "rate_limited" | "server_error" | "network" => {
            "Try again later with `onbehalf retry JOB`, or sign the user up by hand."
        }
        "login_mismatch" => {
            "Check which address the invitation is really for (the ticket names both); nothing \
             was submitted. If the page's address is right, run `onbehalf retry JOB --login \
             ADDRESS`; otherwise sign the user up by hand."
        }
        UNCERTAIN_ACCOUNT_STATE => {
            "Check on the platform whether the account exists; if not, run `onbehalf retry JOB`."
        }
        NO_LOGIN_ADDRESS => "Find the account on the platform and send the user a password reset.",
        CREDENTIALS_REFUSED => {
            "Check the user's address and the mail server's answer; once fixed, run \
             `onbehalf retry JOB` to send the kept credentials (the account already exists)."
        }
        _ => "Handle the request by hand.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_reason_has_its_own_words() {
        for reason in [
            "no_invite_link",
            "ambiguous_invite_links",
            "opaque_wrapped_link",
            "unsupported_format",
            "too_large",
            "unreadable",
            "unauthenticated_sender",
            "sender_not_allowed",
            "unknown_sender",
            "link_expired",
            "already_registered",
            "password_rejected",
            "rate_limited",
            "server_error",
            "form_not_found",
            "blocked_redirect",
            "unexpected_page",
            "network",
            "login_mismatch",
            UNCERTAIN_ACCOUNT_STATE,
            NO_LOGIN_ADDRESS,
            CREDENTIALS_REFUSED,
        ] {
            assert_ne!(headline(reason), headline("something_new"), "{reason}");
            assert_ne!(next_step(reason), next_step("something_new"), "{reason}");
        }
    }
}
