use std::collections::BTreeSet;

use super::*;

/// The reasons README's "What each rejection means" table names, as written there.
fn readme_reasons() -> BTreeSet<String> {
    let readme = include_str!("../../README.md");
    let table = readme
        .split("| reason | what happened | what to do |")
        .nth(1)
        .expect("README has the reason table");
    table
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .flat_map(|line| {
            let first = line.split('|').nth(1).unwrap_or_default();
            first
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn readme_table_and_enum_name_the_same_reasons() {
    let documented = readme_reasons();
    let known: BTreeSet<String> = Reason::ALL.iter().map(|r| r.as_str().to_owned()).collect();
    let undocumented: Vec<_> = known.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&known).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "missing from README's table: {undocumented:?}; in README but not a Reason: {unknown:?}"
    );
}

#[test]
fn names_parse_back_and_serialize_as_stored() {
    for &reason in Reason::ALL {
        assert_eq!(reason.as_str().parse::<Reason>(), Ok(reason));
        assert_eq!(reason.to_string(), reason.as_str());
        assert_eq!(
            serde_json::to_string(&reason).unwrap(),
            format!("\"{}\"", reason.as_str())
        );
    }
    let err = "something_new".parse::<Reason>().unwrap_err();
    assert!(err.to_string().contains("something_new"), "{err}");
}

#[test]
fn names_are_distinct_snake_case() {
    let names: BTreeSet<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(names.len(), Reason::ALL.len());
    for name in names {
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{name}"
        );
    }
}

#[test]
fn only_the_platforms_trouble_is_worth_retrying() {
    let retryable: Vec<&str> = Reason::ALL
        .iter()
        .filter(|r| r.retryable())
        .map(|r| r.as_str())
        .collect();
    assert_eq!(retryable, ["rate_limited", "server_error", "network"]);
}

#[test]
fn a_duplicate_forward_says_there_is_nothing_to_do() {
    let reason = Reason::DuplicateForward;
    assert!(reason.headline().contains("already handled"));
    assert!(reason.next_step().starts_with("Nothing to do"));
    assert!(!reason.next_step().contains("by hand"));
}

#[test]
fn every_reason_has_words_of_its_own_headline() {
    let headlines: BTreeSet<&str> = Reason::ALL.iter().map(|r| r.headline()).collect();
    assert_eq!(
        headlines.len(),
        Reason::ALL.len(),
        "two reasons share a headline"
    );
}
