use scraper::Html;
use url::Url;

use super::*;
use crate::config::AllowedHost;
use crate::signup::form;
use crate::signup::tests::platform_with_hosts;

fn name(full: &str, given: &str, family: Option<&str>) -> Option<SplitName> {
    Some(SplitName {
        full: full.to_owned(),
        given: given.to_owned(),
        family: family.map(str::to_owned),
    })
}

#[test]
fn display_names_split_into_given_and_family() {
    for (display, expected) in [
        ("Jane Doe", name("Jane Doe", "Jane", Some("Doe"))),
        ("\"Doe, Jane\"", name("Jane Doe", "Jane", Some("Doe"))),
        (
            "Doe,Jane Mary",
            name("Jane Mary Doe", "Jane Mary", Some("Doe")),
        ),
        (
            "Mary Ann  Smith",
            name("Mary Ann Smith", "Mary Ann", Some("Smith")),
        ),
        (
            "Ludwig van Beethoven",
            name("Ludwig van Beethoven", "Ludwig", Some("van Beethoven")),
        ),
        (
            "jane mary doe",
            name("jane mary doe", "jane mary", Some("doe")),
        ),
        ("山田 太郎", name("山田 太郎", "太郎", Some("山田"))),
        ("Cher", name("Cher", "Cher", None)),
        ("'Cher'", name("Cher", "Cher", None)),
        ("Doe,", name("Doe", "Doe", None)),
        ("jane@example.org", None),
        ("\"Jane Doe (jane@example.org)\"", None),
        ("  ", None),
        ("", None),
    ] {
        assert_eq!(split(display), expected, "{display:?}");
    }
}

fn form(html: &str) -> FormSpec {
    let platform = platform_with_hosts(vec![AllowedHost::parse("engage.example.com").unwrap()]);
    let url = Url::parse("https://engage.example.com/signup").unwrap();
    form::find(&Html::parse_document(html), &url, &platform).unwrap()
}

fn value_of(form: &FormSpec, field: &str) -> String {
    form.redacted_fields()
        .into_iter()
        .find(|(n, _)| n == field)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

const APART: &str = r#"<form method="post">
  <label for="fn">First name</label><input id="fn" name="user[fn]" autocomplete="given-name" required>
  <label for="ln">Last name</label><input id="ln" name="user[ln]" autocomplete="family-name" required>
  <input type="email" name="email" value="jane@partner.test">
  <input type="password" name="p" autocomplete="new-password"></form>"#;

#[test]
fn required_empty_name_fields_are_filled_from_the_display_name() {
    let mut apart = form(APART);
    assert_eq!(apart.blockers.len(), 2, "{:?}", apart.blockers);
    assert!(
        apart.blockers[1].contains("Last name"),
        "{:?}",
        apart.blockers
    );
    apart.fill_names(Some("Doe, Jane"));
    assert!(apart.blockers.is_empty(), "{:?}", apart.blockers);
    assert!(apart.unfilled.is_empty());
    assert_eq!(value_of(&apart, "user[fn]"), "Jane");
    assert_eq!(value_of(&apart, "user[ln]"), "Doe");

    let whole = r#"<form method="post"><input name="full_name" required>
        <input type="password" name="p"></form>"#;
    let mut whole = form(whole);
    whole.fill_names(Some("\"Doe, Jane\""));
    assert_eq!(value_of(&whole, "full_name"), "Jane Doe");
    assert!(whole.blockers.is_empty(), "{:?}", whole.blockers);
}

#[test]
fn a_single_word_leaves_a_required_family_name_to_a_person() {
    let mut apart = form(APART);
    apart.fill_names(Some("Cher"));
    assert_eq!(value_of(&apart, "user[fn]"), "Cher");
    assert_eq!(value_of(&apart, "user[ln]"), "");
    assert_eq!(apart.blockers.len(), 1, "{:?}", apart.blockers);
    assert!(
        apart.blockers[0].contains("Last name"),
        "{:?}",
        apart.blockers
    );
    assert_eq!(apart.unfilled[0].label, "Last name");
}

#[test]
fn an_address_or_no_name_fills_nothing() {
    for display in [None, Some("jane@partner.test"), Some("")] {
        let mut apart = form(APART);
        apart.fill_names(display);
        assert_eq!(apart.blockers.len(), 2, "{display:?}");
        assert_eq!(value_of(&apart, "user[fn]"), "");
    }
}

#[test]
fn prefilled_names_and_other_fields_are_left_alone() {
    let html = r#"<form method="post">
      <input name="first_name" autocomplete="given-name" value="Janet" required>
      <input name="last_name" autocomplete="family-name" required>
      <input name="company" required aria-label="Company">
      <input name="code" autocomplete="one-time-code">
      <input type="password" name="p"></form>"#;
    let mut spec = form(html);
    spec.fill_names(Some("Jane Doe"));
    assert_eq!(value_of(&spec, "first_name"), "Janet");
    assert_eq!(value_of(&spec, "last_name"), "Doe");
    let all = spec.blockers.join(" | ");
    assert!(all.contains("Company (field \"company\")"), "{all}");
    assert!(all.contains("one-time code"), "{all}");
    assert_eq!(spec.blockers.len(), 2, "{all}");
}
