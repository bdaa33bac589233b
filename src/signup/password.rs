//! The generated password.
//!
//! In: the profile's [`PasswordPolicy`] and the rules the signup page states on its
//! password inputs ([`PageRules`]: `minlength`, `maxlength`, `pattern`). Out: a [`Secret`]
//! drawn from the thread CSPRNG (`rand::rng()`, ChaCha reseeded from the OS), or a
//! [`PasswordError`] saying why no password can satisfy both.
//!
//! The length is the longest both allow. Every character is drawn uniformly from the
//! alphabet (A–Z, a–z, 0–9 and the policy's symbols) and a draw is kept only when it holds
//! every required class and matches the page's pattern (rejection sampling). So the result
//! is uniform over all compliant passwords of that length: no class sits at a fixed place.

use rand::RngExt;
use regex::bytes::{Regex, RegexBuilder};

use crate::config::{CharClass, PasswordPolicy};
use crate::secret::Secret;

/// Distinct `pattern`s a page may state on its password inputs: one is usual (password
/// and confirmation share it); a page with more is not one a person could fill either.
pub const MAX_PATTERNS: usize = 4;
/// Longest `pattern` accepted, in bytes; real password rules are a few dozen.
pub const MAX_PATTERN_LEN: usize = 512;
/// Leading lookaheads split off one pattern, at most.
const MAX_LOOKAHEADS: usize = 8;
/// Compiled program and lazy-DFA cache sizes allowed per regex, so a hostile page's
/// patterns are refused quickly instead of taking seconds and gigabytes to build.
const REGEX_SIZE_LIMIT: usize = 512 * 1024;

/// Candidates tried against the page's `pattern` before giving up, over all lengths.
const PATTERN_ATTEMPTS: usize = 20_000;
/// Candidates tried for the class requirement alone; even the tightest policy the config
/// accepts keeps well over 1 in 1000 draws, so reaching this means something is broken.
const CLASS_ATTEMPTS: usize = 1_000_000;

/// What the signup page's password inputs state in their HTML attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRules {
    /// The largest `minlength` among the password inputs.
    pub min_length: Option<usize>,
    /// The smallest `maxlength` among the password inputs.
    pub max_length: Option<usize>,
    /// Every `pattern` among the password inputs (HTML semantics: the whole value must
    /// match, as `^(?:pattern)$`).
    pub patterns: Vec<String>,
}

impl PageRules {
    /// Adds the rules of one more password input (password and confirmation must both
    /// accept the same value).
    pub fn merge(&mut self, other: PageRules) {
        self.min_length = self.min_length.max(other.min_length);
        self.max_length = match (self.max_length, other.max_length) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for pattern in other.patterns {
            if !self.patterns.contains(&pattern) {
                self.patterns.push(pattern);
            }
        }
    }
}

/// Why no password can be generated. Never holds a password.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PasswordError {
    /// The page's length limits and the policy's do not overlap.
    #[error(
        "cannot generate a password: the policy asks for {policy_min} to {policy_max} \
         characters but the page allows {page_min} to {page_max}"
    )]
    LengthConflict {
        /// The policy's minimum.
        policy_min: usize,
        /// The policy's maximum.
        policy_max: usize,
        /// The page's minimum (0 when it states none).
        page_min: usize,
        /// The page's maximum (the policy's when it states none).
        page_max: usize,
    },
    /// The chosen length leaves no room for every required class.
    #[error(
        "cannot generate a password: {length} characters cannot hold the {classes} \
         required character classes"
    )]
    TooShort {
        /// The length allowed.
        length: usize,
        /// The number of required classes.
        classes: usize,
    },
    /// The page's pattern is not a regular expression this program understands.
    #[error("cannot use the page's password pattern {pattern:?}")]
    BadPattern {
        /// The pattern as the page wrote it.
        pattern: String,
        /// Why it does not compile.
        #[source]
        source: Box<regex::Error>,
    },
    /// The page states more (distinct) patterns than [`MAX_PATTERNS`].
    #[error(
        "cannot use the page's password patterns: it states {count} different ones, more \
         than the {MAX_PATTERNS} a signup form plausibly has"
    )]
    TooManyPatterns {
        /// How many distinct patterns the page states.
        count: usize,
    },
    /// A pattern is longer than [`MAX_PATTERN_LEN`] or has too many lookaheads.
    #[error(
        "cannot use the page's password pattern of {length} bytes: patterns are accepted up \
         to {MAX_PATTERN_LEN} bytes with at most {MAX_LOOKAHEADS} leading lookaheads"
    )]
    PatternTooLarge {
        /// The pattern's length in bytes.
        length: usize,
    },
    /// The page's pattern only matches lengths the policy does not allow.
    #[error(
        "cannot generate a password: the page's pattern {pattern:?} matches only {} \
         characters, which the policy's length range excludes",
        match max { Some(max) => format!("{min} to {max}"), None => format!("{min} or more") }
    )]
    PatternLength {
        /// The pattern as the page wrote it.
        pattern: String,
        /// The shortest match.
        min: usize,
        /// The longest match, if bounded.
        max: Option<usize>,
    },
    /// No draw matched the page's pattern.
    #[error(
        "cannot generate a password matching the page's pattern {pattern:?} with the \
         policy's characters: none of {attempts} tries matched"
    )]
    PatternUnsatisfied {
        /// The page's patterns.
        pattern: String,
        /// How many candidates were tried.
        attempts: usize,
    },
    /// Rejection sampling never met the class requirement (should not happen).
    #[error("cannot generate a password holding every required class in {attempts} tries")]
    ClassesUnsatisfied {
        /// How many candidates were tried.
        attempts: usize,
    },
}

/// Generates a password satisfying `policy` and `page`, of the longest length both allow.
pub fn generate(policy: &PasswordPolicy, page: &PageRules) -> Result<Secret, PasswordError> {
    let (mut shortest, mut longest) = length_range(policy, page)?;
    let alphabet = alphabet(policy);
    let patterns = compile_patterns(&page.patterns)?;
    for pattern in &patterns {
        shortest = shortest.max(pattern.min_len);
        longest = longest.min(pattern.max_len.unwrap_or(longest));
        if shortest > longest {
            return Err(PasswordError::PatternLength {
                pattern: pattern.source.clone(),
                min: pattern.min_len,
                max: pattern.max_len,
            });
        }
    }
    let mut rng = rand::rng();
    if patterns.is_empty() {
        return draw_with_classes(&alphabet, longest, &policy.require, &mut rng);
    }
    // The pattern may constrain the length too: try the longest first, then shorter ones,
    // within one overall budget so an unsatisfiable pattern fails quickly.
    let lengths = longest - shortest + 1;
    let per_length = (PATTERN_ATTEMPTS / lengths).max(200);
    for length in (shortest..=longest).rev() {
        for _ in 0..per_length {
            let candidate = draw_with_classes(&alphabet, length, &policy.require, &mut rng)?;
            if patterns.iter().all(|p| p.accepts(candidate.expose())) {
                return Ok(candidate);
            }
        }
    }
    Err(PasswordError::PatternUnsatisfied {
        pattern: page.patterns.join(" and "),
        attempts: per_length * lengths,
    })
}

/// Whether `password` satisfies `policy` and `page`; the error says which rule fails
/// (never the password). Checked once more right before a password is submitted.
pub fn check(policy: &PasswordPolicy, page: &PageRules, password: &str) -> Result<(), String> {
    let (shortest, longest) = length_range(policy, page).map_err(|e| e.to_string())?;
    let length = password.chars().count();
    if length < shortest || length > longest {
        return Err(format!(
            "its length {length} is outside {shortest} to {longest}"
        ));
    }
    let alphabet = alphabet(policy);
    if password.chars().any(|c| !alphabet.contains(&c)) {
        return Err("it holds a character outside the policy's alphabet".to_owned());
    }
    if let Some(missing) = policy.require.iter().find(|class| {
        !password
            .chars()
            .any(|c| class_of(c, policy) == Some(**class))
    }) {
        return Err(format!("it lacks a required {missing:?} character"));
    }
    let patterns = compile_patterns(&page.patterns).map_err(|e| crate::report::chain(&e))?;
    match patterns.iter().find(|p| !p.accepts(password)) {
        Some(p) => Err(format!(
            "it does not match the page's pattern {:?}",
            p.source
        )),
        None => Ok(()),
    }
}

/// The characters a password is drawn from: all four classes, symbols only the policy's.
pub fn alphabet(policy: &PasswordPolicy) -> Vec<char> {
    let mut chars: Vec<char> = ('A'..='Z').chain('a'..='z').chain('0'..='9').collect();
    for symbol in policy.symbols.chars() {
        if !chars.contains(&symbol) {
            chars.push(symbol);
        }
    }
    chars
}

/// The class a character belongs to under `policy`.
pub fn class_of(c: char, policy: &PasswordPolicy) -> Option<CharClass> {
    match c {
        'A'..='Z' => Some(CharClass::Upper),
        'a'..='z' => Some(CharClass::Lower),
        '0'..='9' => Some(CharClass::Digit),
        _ if policy.symbols.contains(c) => Some(CharClass::Symbol),
        _ => None,
    }
}

fn length_range(
    policy: &PasswordPolicy,
    page: &PageRules,
) -> Result<(usize, usize), PasswordError> {
    let shortest = policy.min_length.max(page.min_length.unwrap_or(0));
    let longest = policy
        .max_length
        .min(page.max_length.unwrap_or(policy.max_length));
    if shortest > longest || longest == 0 {
        return Err(PasswordError::LengthConflict {
            policy_min: policy.min_length,
            policy_max: policy.max_length,
            page_min: page.min_length.unwrap_or(0),
            page_max: page.max_length.unwrap_or(policy.max_length),
        });
    }
    if longest < policy.require.len() {
        return Err(PasswordError::TooShort {
            length: longest,
            classes: policy.require.len(),
        });
    }
    // Shorter candidates could never hold every required class.
    Ok((shortest.max(policy.require.len()), longest))
}

fn draw_with_classes(
    alphabet: &[char],
    length: usize,
    require: &[CharClass],
    rng: &mut impl rand::Rng,
) -> Result<Secret, PasswordError> {
    let policy_symbols: String = alphabet
        .iter()
        .filter(|c| !c.is_ascii_alphanumeric())
        .collect();
    let mut candidate = zeroize::Zeroizing::new(String::with_capacity(length));
    for _ in 0..CLASS_ATTEMPTS {
        candidate.clear();
        for _ in 0..length {
            candidate.push(alphabet[rng.random_range(..alphabet.len())]);
        }
        let holds = |class: &CharClass| {
            candidate.chars().any(|c| match class {
                CharClass::Upper => c.is_ascii_uppercase(),
                CharClass::Lower => c.is_ascii_lowercase(),
                CharClass::Digit => c.is_ascii_digit(),
                CharClass::Symbol => policy_symbols.contains(c),
            })
        };
        if require.iter().all(holds) {
            return Ok(Secret::new(candidate.as_str()));
        }
    }
    Err(PasswordError::ClassesUnsatisfied {
        attempts: CLASS_ATTEMPTS,
    })
}

/// An HTML `pattern`, compiled. The `regex` crate has no look-around, but password
/// patterns usually are `(?=.*\d)(?=.*[a-z])….{8,}`: lookaheads at the start, which are
/// exactly "this prefix must (not) match", so they are split off into their own checks.
struct PagePattern {
    source: String,
    /// Length bounds of the whole-value part (bytes, which are characters for the
    /// ASCII alphabet used).
    min_len: usize,
    max_len: Option<usize>,
    whole: Regex,
    must_match: Vec<Regex>,
    must_not_match: Vec<Regex>,
}

impl PagePattern {
    fn accepts(&self, password: &str) -> bool {
        let bytes = password.as_bytes();
        self.whole.is_match(bytes)
            && self.must_match.iter().all(|r| r.is_match(bytes))
            && !self.must_not_match.iter().any(|r| r.is_match(bytes))
    }
}

fn compile_patterns(patterns: &[String]) -> Result<Vec<PagePattern>, PasswordError> {
    if patterns.len() > MAX_PATTERNS {
        return Err(PasswordError::TooManyPatterns {
            count: patterns.len(),
        });
    }
    patterns.iter().map(|p| compile_pattern(p)).collect()
}

fn compile_pattern(source: &str) -> Result<PagePattern, PasswordError> {
    if source.len() > MAX_PATTERN_LEN {
        return Err(PasswordError::PatternTooLarge {
            length: source.len(),
        });
    }
    let limited = |text: &str, unicode: bool| {
        RegexBuilder::new(text)
            .unicode(unicode)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
    };
    // Passwords are ASCII, on which Unicode and ASCII-only matching agree; ASCII-only
    // compiles far faster, so it is tried first (it refuses `\p{…}` and the like).
    let compile = |text: String| {
        limited(&text, false)
            .or_else(|_| limited(&text, true))
            .map_err(|e| PasswordError::BadPattern {
                pattern: source.to_owned(),
                source: Box::new(e),
            })
    };
    let mut rest = source;
    let mut must_match = Vec::new();
    let mut must_not_match = Vec::new();
    if !has_top_level_alternation(source) {
        let body = rest.strip_prefix('^').unwrap_or(rest);
        let mut remaining = body;
        while let Some((positive, inner, after)) = leading_lookahead(remaining) {
            if must_match.len() + must_not_match.len() >= MAX_LOOKAHEADS {
                return Err(PasswordError::PatternTooLarge {
                    length: source.len(),
                });
            }
            let prefix = compile(format!("^(?:{inner})"))?;
            if positive {
                must_match.push(prefix);
            } else {
                must_not_match.push(prefix);
            }
            remaining = after;
        }
        if remaining.len() != body.len() {
            rest = remaining;
        }
    }
    let whole = format!("^(?:{rest})$");
    let properties = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(&whole)
        .ok()
        .or_else(|| regex_syntax::parse(&whole).ok())
        .map(|hir| hir.properties().clone());
    Ok(PagePattern {
        source: source.to_owned(),
        min_len: properties
            .as_ref()
            .and_then(|p| p.minimum_len())
            .unwrap_or(0),
        max_len: properties.as_ref().and_then(|p| p.maximum_len()),
        whole: compile(whole)?,
        must_match,
        must_not_match,
    })
}

/// Splits `(?=inner)after` / `(?!inner)after`; `None` when `text` does not start so.
fn leading_lookahead(text: &str) -> Option<(bool, &str, &str)> {
    let positive = if text.starts_with("(?=") {
        true
    } else if text.starts_with("(?!") {
        false
    } else {
        return None;
    };
    let close = matching_paren(text)?;
    Some((positive, &text[3..close], &text[close + 1..]))
}

/// The index of the `)` closing the group opened at index 0, honouring escapes and
/// character classes.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_class = false;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn has_top_level_alternation(text: &str) -> bool {
    let mut depth = 0usize;
    let mut in_class = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth = depth.saturating_sub(1),
            '|' if !in_class && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
#[path = "password_tests.rs"]
mod tests;
