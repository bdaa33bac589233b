//! The `[mailbox]` values every kind of mailbox shares: folder names (the filing
//! folders must differ from each other and from the folder read), required text and
//! positive durations.
//!
//! In: a raw value as written and its key. Out: the value, its default, or an [`Invalid`]
//! naming the key and the fix.

use std::time::Duration;

use super::super::Invalid;
use super::{DEFAULT_DONE, DEFAULT_NEEDS_HUMAN};

pub(super) fn filing_folders(
    done: Option<String>,
    needs_human: Option<String>,
    source: Option<&str>,
) -> Result<(String, String), Invalid> {
    let done = folder_name("mailbox.done_folder", done, DEFAULT_DONE)?;
    let needs_human = folder_name(
        "mailbox.needs_human_folder",
        needs_human,
        DEFAULT_NEEDS_HUMAN,
    )?;
    if done == needs_human {
        return Err(Invalid::new(
            "mailbox.needs_human_folder",
            format!("{needs_human:?} is also the done_folder, so nobody could tell them apart"),
            "give needs_human_folder its own name, e.g. \"onbehalf/needs-human\"",
        ));
    }
    for (key, name) in [("done_folder", &done), ("needs_human_folder", &needs_human)] {
        if source.is_some_and(|source| same_folder(source, name)) {
            return Err(Invalid::new(
                format!("mailbox.{key}"),
                format!("{name:?} is the folder being read, so filed messages would come back"),
                format!("give {key} a folder of its own, e.g. \"onbehalf/done\""),
            ));
        }
    }
    Ok((done, needs_human))
}

fn same_folder(a: &str, b: &str) -> bool {
    a == b || (a.eq_ignore_ascii_case("INBOX") && b.eq_ignore_ascii_case("INBOX"))
}

pub(super) fn folder_name(
    key: &str,
    value: Option<String>,
    default: &str,
) -> Result<String, Invalid> {
    let Some(name) = value else {
        return Ok(default.to_owned());
    };
    let odd_char = name
        .chars()
        .find(|c| !c.is_ascii() || c.is_ascii_control() || matches!(c, '*' | '%'));
    let problem = if name.is_empty() {
        Some("the folder name is empty".to_owned())
    } else if name.split('/').any(str::is_empty) {
        Some(format!(
            "{name:?} has an empty level (a leading, trailing or double /)"
        ))
    } else {
        odd_char.map(|c| format!("{name:?} contains {c:?}"))
    };
    match problem {
        Some(problem) => Err(Invalid::new(
            key,
            problem,
            "use printable ASCII levels separated by /, e.g. \"onbehalf/done\"",
        )),
        None => Ok(name),
    }
}

pub(super) fn required_text(
    key: &str,
    value: Option<String>,
    what: &str,
) -> Result<String, Invalid> {
    match value.map(|v| v.trim().to_owned()) {
        Some(text) if !text.is_empty() && !text.chars().any(|c| c.is_control()) => Ok(text),
        Some(text) if !text.is_empty() => Err(Invalid::new(
            key,
            "the value contains a control character",
            format!("set {key} to {what} on one line"),
        )),
        _ => Err(Invalid::new(
            key,
            "the value is missing",
            format!("set {} to {what}", key.trim_start_matches("mailbox.")),
        )),
    }
}

pub(super) fn positive(
    key: &str,
    value: Option<Duration>,
    default: Duration,
) -> Result<Duration, Invalid> {
    match value {
        Some(d) if d.is_zero() => Err(Invalid::new(
            key,
            "0s would never wait",
            format!(
                "use a duration such as \"{}\", or leave the key out",
                humantime_serde::re::humantime::format_duration(default)
            ),
        )),
        Some(d) => Ok(d),
        None => Ok(default),
    }
}
