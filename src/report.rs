//! How an error reaches a person: its message and every cause, each said once.
//!
//! In: any error. Out: one line, `cannot use the mailbox: cannot connect to
//! imap.example.com:993: Connection refused (os error 111)`, for logs, tickets, journal
//! notes, `status`, check-config lines and the CLI's last words. Our own messages never
//! print their `#[source]` (a test in this module walks them); a few dependencies'
//! messages do, so a cause whose words the line already holds is not said again.

use std::error::Error;

/// The error's message and its causes, `: `-separated, each said once.
pub fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = String::new();
    let mut next = Some(error);
    while let Some(current) = next {
        let said = current.to_string();
        if !said.is_empty() && !text.contains(&said) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&said);
        }
        next = current.source();
    }
    text
}

#[cfg(test)]
mod tests;
