//! One line of the `check-config` report.
//!
//! In: what a check found: it works, it deserves attention, or it is wrong and what to
//! change. Out: a [`Line`] that prints as `✓ topic: text`, `! topic: text` or
//! `✗ topic: problem: fix`, and the exit status a whole report earns.

use std::fmt;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// It works.
    Pass,
    /// It works, or is not needed, but deserves attention.
    Warn,
    /// It is wrong; `run` would fail or misbehave.
    Fail,
}

impl Mark {
    /// The symbol a line starts with.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Pass => "✓",
            Self::Warn => "!",
            Self::Fail => "✗",
        }
    }
}

/// One checked thing. Never holds a secret: lines are built from names, paths, server
/// answers and error messages, none of which carry one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// How it came out.
    pub mark: Mark,
    /// What was checked: `config`, `IMAP`, `platform Engage`, …
    pub topic: String,
    /// What was found and, for a failure, what to change.
    pub text: String,
}

impl Line {
    /// Something that works.
    pub fn pass(topic: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            mark: Mark::Pass,
            topic: topic.into(),
            text: text.into(),
        }
    }

    /// Something that deserves attention.
    pub fn warn(topic: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            mark: Mark::Warn,
            topic: topic.into(),
            text: text.into(),
        }
    }

    /// Something wrong, and what to change: `problem: fix`.
    pub fn fail(topic: impl Into<String>, problem: impl fmt::Display, fix: &str) -> Self {
        Self {
            mark: Mark::Fail,
            topic: topic.into(),
            text: format!("{problem}: {fix}"),
        }
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.mark.symbol(), self.topic, self.text)
    }
}

/// 0 when nothing failed, 1 otherwise (2, an unloadable config, is decided before).
pub fn exit_status(lines: &[Line]) -> u8 {
    if lines.iter().any(|l| l.mark == Mark::Fail) {
        1
    } else {
        0
    }
}

/// The first error of type `E` in the chain, looking inside `io::Error`s too (TLS and
/// connection errors travel wrapped in them).
pub fn find_cause<'a, E: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(found) = current.downcast_ref::<E>() {
            return Some(found);
        }
        let inner = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        next = match inner {
            Some(inner) => Some(inner),
            None => current.source(),
        };
    }
    None
}

/// Whether the chain holds an `io::Error` of this kind.
pub fn has_io_kind(error: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            if io.kind() == kind {
                return true;
            }
            if let Some(inner) = io.get_ref() {
                next = Some(inner as &(dyn std::error::Error + 'static));
                continue;
            }
        }
        next = current.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_start_with_their_mark_and_failures_carry_the_fix() {
        assert_eq!(
            Line::pass("IMAP", "logged in").to_string(),
            "✓ IMAP: logged in"
        );
        assert_eq!(
            Line::warn("smtp", "not configured").to_string(),
            "! smtp: not configured"
        );
        let fail = Line::fail("IMAP login", "the server refused it", "check the password");
        assert_eq!(
            fail.to_string(),
            "✗ IMAP login: the server refused it: check the password"
        );
        assert_eq!(exit_status(&[Line::pass("a", "b")]), 0);
        assert_eq!(exit_status(&[Line::warn("a", "b")]), 0);
        assert_eq!(exit_status(&[Line::pass("a", "b"), fail]), 1);
    }

    #[test]
    fn causes_are_found_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        assert!(find_cause::<rustls::Error>(&io).is_some());
        assert!(!has_io_kind(&io, std::io::ErrorKind::ConnectionRefused));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(has_io_kind(&refused, std::io::ErrorKind::ConnectionRefused));
        assert!(
            crate::report::chain(&io).contains("invalid peer certificate"),
            "{}",
            crate::report::chain(&io)
        );
    }
}
