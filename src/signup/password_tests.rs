use std::collections::HashMap;

use super::*;

fn engage() -> PasswordPolicy {
    PasswordPolicy::default()
}

fn page(min: Option<usize>, max: Option<usize>, patterns: &[&str]) -> PageRules {
    PageRules {
        min_length: min,
        max_length: max,
        patterns: patterns.iter().map(|p| (*p).to_owned()).collect(),
    }
}

fn class_size(class: CharClass, policy: &PasswordPolicy) -> usize {
    match class {
        CharClass::Upper | CharClass::Lower => 26,
        CharClass::Digit => 10,
        CharClass::Symbol => policy.symbols.chars().count(),
    }
}

/// Σ over subsets S of `classes` of (-1)^|S| (n - Σ_S size)^power: the number of strings of
/// that length holding every class in `classes` (inclusion–exclusion).
fn holding_all(policy: &PasswordPolicy, classes: &[CharClass], power: usize) -> f64 {
    let n = alphabet(policy).len();
    (0u32..1 << classes.len())
        .map(|mask| {
            let excluded: usize = classes
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, c)| class_size(*c, policy))
                .sum();
            let sign = if mask.count_ones() % 2 == 0 {
                1.0
            } else {
                -1.0
            };
            sign * ((n - excluded) as f64).powi(power as i32)
        })
        .sum()
}

/// The exact probability that a given position holds a given character of `class`, for
/// a password drawn uniformly among compliant ones of `length`.
fn char_probability(policy: &PasswordPolicy, class: CharClass, length: usize) -> f64 {
    let others: Vec<CharClass> = policy
        .require
        .iter()
        .copied()
        .filter(|c| *c != class)
        .collect();
    holding_all(policy, &others, length - 1) / holding_all(policy, &policy.require, length)
}

#[test]
fn hundred_thousand_passwords_comply_and_are_evenly_spread() {
    let policy = engage();
    let rules = PageRules::default();
    let alphabet = alphabet(&policy);
    let count = 100_000;
    let length = policy.max_length;
    let mut per_char: HashMap<char, usize> = HashMap::new();
    let mut per_position = vec![HashMap::<CharClass, usize>::new(); length];
    for _ in 0..count {
        let password = generate(&policy, &rules).unwrap();
        check(&policy, &rules, password.expose()).unwrap();
        assert_eq!(password.expose().chars().count(), length);
        for (position, c) in password.expose().chars().enumerate() {
            *per_char.entry(c).or_default() += 1;
            let class = class_of(c, &policy).unwrap();
            *per_position[position].entry(class).or_default() += 1;
        }
    }
    for c in &alphabet {
        let class = class_of(*c, &policy).unwrap();
        let expected = char_probability(&policy, class, length) * (count * length) as f64;
        let seen = *per_char.get(c).unwrap_or(&0) as f64;
        assert!(
            (seen - expected).abs() < expected * 0.05,
            "character {c:?} seen {seen} times, expected about {expected:.0}"
        );
    }
    for (position, classes) in per_position.iter().enumerate() {
        for class in &policy.require {
            let expected =
                char_probability(&policy, *class, length) * class_size(*class, &policy) as f64;
            let seen = *classes.get(class).unwrap_or(&0) as f64 / count as f64;
            assert!(
                (seen - expected).abs() < 0.01,
                "position {position}: {class:?} share {seen:.4}, expected {expected:.4}"
            );
        }
    }
}

#[test]
fn expected_shares_sum_to_one() {
    // Guards the test's own arithmetic: the per-character probabilities form a distribution.
    let policy = engage();
    let total: f64 = alphabet(&policy)
        .iter()
        .map(|c| char_probability(&policy, class_of(*c, &policy).unwrap(), 16))
        .sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
}

#[test]
fn page_maxlength_narrows_the_length() {
    let rules = page(None, Some(12), &[]);
    for _ in 0..1000 {
        let password = generate(&engage(), &rules).unwrap();
        assert_eq!(password.expose().len(), 12);
        check(&engage(), &rules, password.expose()).unwrap();
    }
}

#[test]
fn page_minlength_above_policy_max_is_a_conflict() {
    let err = generate(&engage(), &page(Some(20), None, &[])).unwrap_err();
    assert!(
        matches!(err, PasswordError::LengthConflict { page_min: 20, .. }),
        "{err}"
    );
    assert!(err.to_string().starts_with("cannot generate a password"));
}

#[test]
fn page_maxlength_below_class_count_is_too_short() {
    let err = generate(&engage(), &page(None, Some(3), &[])).unwrap_err();
    assert!(matches!(err, PasswordError::LengthConflict { .. }), "{err}");
    let loose = PasswordPolicy {
        min_length: 1,
        ..engage()
    };
    let err = generate(&loose, &page(None, Some(3), &[])).unwrap_err();
    assert_eq!(
        err,
        PasswordError::TooShort {
            length: 3,
            classes: 4
        }
    );
}

#[test]
fn pattern_that_limits_length_gives_the_longest_it_allows() {
    let rules = page(None, None, &["[A-Za-z0-9!@#$%^&*]{8,12}"]);
    for _ in 0..200 {
        let password = generate(&engage(), &rules).unwrap();
        assert_eq!(password.expose().len(), 12);
        check(&engage(), &rules, password.expose()).unwrap();
    }
}

#[test]
fn leading_lookaheads_are_honoured() {
    let rules = page(None, None, &[r"(?=.*\d)(?=.*[a-z])(?=.*[A-Z])(?!.*#).{8,}"]);
    for _ in 0..100 {
        let password = generate(&engage(), &rules).unwrap();
        assert!(!password.expose().contains('#'));
        check(&engage(), &rules, password.expose()).unwrap();
    }
    assert!(check(&engage(), &rules, "Aa1!Aa1#Aa1!Aa1!").is_err());
}

#[test]
fn pattern_lengths_outside_the_policy_fail_at_once() {
    let err = generate(&engage(), &page(None, None, &[".{20,30}"])).unwrap_err();
    assert_eq!(
        err,
        PasswordError::PatternLength {
            pattern: ".{20,30}".to_owned(),
            min: 20,
            max: Some(30)
        }
    );
    assert!(err.to_string().contains("20 to 30"), "{err}");
}

#[test]
fn unsatisfiable_pattern_fails_cleanly_and_quickly() {
    let start = std::time::Instant::now();
    let err = generate(&engage(), &page(None, None, &["[a-z]+"])).unwrap_err();
    assert!(
        matches!(err, PasswordError::PatternUnsatisfied { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("[a-z]+"));
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn broken_or_unsupported_pattern_is_reported() {
    let err = generate(&engage(), &page(None, None, &["(abc"])).unwrap_err();
    assert!(matches!(err, PasswordError::BadPattern { .. }), "{err}");
    // A lookahead that is not at the start of the only branch cannot be split off.
    let err = generate(&engage(), &page(None, None, &["(?=.*1)a|b"])).unwrap_err();
    assert!(matches!(err, PasswordError::BadPattern { .. }), "{err}");
}

#[test]
fn check_names_the_rule_not_the_password() {
    let policy = engage();
    let rules = PageRules::default();
    let err = check(&policy, &rules, "abcdefgh").unwrap_err();
    assert!(err.contains("Upper"), "{err}");
    assert!(!err.contains("abcdefgh"));
    assert!(
        check(&policy, &rules, "Aa1!")
            .unwrap_err()
            .contains("length")
    );
    assert!(
        check(&policy, &rules, "Aa1!Aa1!Aa1~")
            .unwrap_err()
            .contains("alphabet")
    );
    assert!(check(&policy, &rules, "Aa1!Aa1!Aa1!").is_ok());
}

#[test]
fn policy_without_symbols_draws_alphanumerics_only() {
    let policy = PasswordPolicy {
        min_length: 10,
        max_length: 10,
        require: vec![CharClass::Digit],
        symbols: String::new(),
    };
    for _ in 0..1000 {
        let password = generate(&policy, &PageRules::default()).unwrap();
        assert!(password.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(password.expose().chars().any(|c| c.is_ascii_digit()));
    }
}

#[test]
fn merged_rules_take_the_strictest() {
    let mut rules = page(Some(6), Some(14), &["a"]);
    rules.merge(page(Some(8), Some(12), &["a", "b"]));
    assert_eq!(rules, page(Some(8), Some(12), &["a", "b"]));
    let mut open = PageRules::default();
    open.merge(page(None, Some(10), &[]));
    assert_eq!(open.max_length, Some(10));
}

#[test]
fn hostile_patterns_are_refused_quickly_instead_of_compiled() {
    let started = std::time::Instant::now();
    let huge = "(?:[A-Za-z0-9!@#$%^&*]{1,1000}){1,1000}";
    let err = generate(&engage(), &page(None, None, &[huge])).unwrap_err();
    assert!(matches!(err, PasswordError::BadPattern { .. }), "{err}");
    let many: Vec<String> = (0..=MAX_PATTERNS).map(|i| format!(".{{{i},64}}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let err = generate(&engage(), &page(None, None, &many)).unwrap_err();
    assert_eq!(
        err,
        PasswordError::TooManyPatterns {
            count: MAX_PATTERNS + 1
        }
    );
    let long = format!("(?:{}).{{8,16}}", "a|".repeat(MAX_PATTERN_LEN / 2));
    let err = generate(&engage(), &page(None, None, &[&long])).unwrap_err();
    assert!(
        matches!(err, PasswordError::PatternTooLarge { .. }),
        "{err}"
    );
    let lookaheads = format!("{}.{{8,16}}", "(?=.*[a-z])".repeat(9));
    let err = generate(&engage(), &page(None, None, &[&lookaheads])).unwrap_err();
    assert!(
        matches!(err, PasswordError::PatternTooLarge { .. }),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // A real-world rule still works under the caps.
    let real = r"(?=.*\d)(?=.*[a-z])(?=.*[A-Z])(?=.*[!@#$%^&*]).{8,16}";
    generate(&engage(), &page(None, None, &[real])).unwrap();
}
