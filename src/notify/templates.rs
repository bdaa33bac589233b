//! The mail templates: built-in defaults, and files ops can edit.
//!
//! In: the built-in texts (`templates/` at the crate root, compiled in) and optionally a
//! folder holding any of `credentials.txt`, `credentials.html`, `requester_note.txt` and
//! `ticket.txt`, each overriding its built-in. Out: checked [`Templates`] that render a
//! subject and a body from named values.
//!
//! The syntax is deliberately small: `{name}` is replaced by a value, `{{` and `}}` are
//! literal braces, and any other brace is kept as written (so CSS such as
//! `{ color: red }` needs no escaping). A `{name}` that the template may not use is an
//! error when the file is loaded, so a typo never reaches a user as `{pasword}`. The
//! `.txt` templates start with a `Subject: …` line. In the HTML template every value is
//! HTML-escaped.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// One of the four templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The plain-text part of the credentials mail.
    CredentialsText,
    /// The HTML part of the credentials mail.
    CredentialsHtml,
    /// The note to a requester who is not the invitee.
    RequesterNote,
    /// The ticket for a human.
    Ticket,
}

const CREDENTIALS_VALUES: &[&str] = &[
    "platform",
    "login_url",
    "login",
    "password",
    "change_password_hint",
    "requester",
    "job_id",
];

impl Kind {
    const ALL: [Kind; 4] = [
        Kind::CredentialsText,
        Kind::CredentialsHtml,
        Kind::RequesterNote,
        Kind::Ticket,
    ];

    fn file_name(self) -> &'static str {
        match self {
            Kind::CredentialsText => "credentials.txt",
            Kind::CredentialsHtml => "credentials.html",
            Kind::RequesterNote => "requester_note.txt",
            Kind::Ticket => "ticket.txt",
        }
    }

    /// The values this template may use.
    fn placeholders(self) -> &'static [&'static str] {
        match self {
            Kind::CredentialsText | Kind::CredentialsHtml => CREDENTIALS_VALUES,
            Kind::RequesterNote => &["platform", "invitee", "requester", "job_id"],
            Kind::Ticket => &[
                "headline",
                "detail",
                "job_id",
                "reason",
                "tried",
                "requester",
                "platform",
                "attached",
            ],
        }
    }

    /// Values without which the mail would be useless: an account nobody can log in to.
    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::CredentialsText | Kind::CredentialsHtml => &["login", "password"],
            Kind::RequesterNote | Kind::Ticket => &[],
        }
    }

    fn has_subject(self) -> bool {
        self != Kind::CredentialsHtml
    }

    fn builtin(self) -> &'static str {
        match self {
            Kind::CredentialsText => include_str!("../../templates/credentials.txt"),
            Kind::CredentialsHtml => include_str!("../../templates/credentials.html"),
            Kind::RequesterNote => include_str!("../../templates/requester_note.txt"),
            Kind::Ticket => include_str!("../../templates/ticket.txt"),
        }
    }
}

/// Why a template cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The folder or a file in it could not be read.
    #[error("cannot read template {path}")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file's content is not a usable template.
    #[error("cannot use template {path}, line {line}: {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the problem.
        line: usize,
        /// What is wrong, in words.
        problem: String,
    },
    /// A file in the folder is named like a template but is not one.
    #[error("cannot use template {path}: not a known template name (expected one of {known})")]
    UnknownFile {
        /// The file.
        path: PathBuf,
        /// The names that are recognised.
        known: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(String),
    Value(&'static str),
}

#[derive(Debug, Clone)]
struct Template {
    subject: Vec<Segment>,
    body: Vec<Segment>,
}

/// The four checked templates. Cheap to clone.
#[derive(Clone)]
pub struct Templates(Arc<[Template; 4]>);

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Templates { .. }")
    }
}

/// A rendered template.
pub(crate) struct Rendered {
    /// The subject on one line; empty for the HTML part.
    pub subject: String,
    /// The body text.
    pub body: String,
}

static BUILTIN: LazyLock<Templates> = LazyLock::new(|| {
    let parsed = Kind::ALL.map(|kind| {
        parse(kind, kind.builtin(), Path::new(kind.file_name()))
            .unwrap_or_else(|e| panic!("built-in template is invalid: {e}"))
    });
    Templates(Arc::new(parsed))
});

impl Templates {
    /// The built-in templates.
    pub fn builtin() -> Self {
        BUILTIN.clone()
    }

    /// Loads the templates in `dir`; a template without a file there stays built-in.
    pub fn load(dir: &Path) -> Result<Self, TemplateError> {
        let read_err = |path: &Path| {
            let path = path.to_owned();
            move |source| TemplateError::Read { path, source }
        };
        for entry in std::fs::read_dir(dir).map_err(read_err(dir))? {
            let path = entry.map_err(read_err(dir))?.path();
            check_file_name(&path)?;
        }
        let builtin = Self::builtin();
        let mut templates = (*builtin.0).clone();
        for (slot, kind) in templates.iter_mut().zip(Kind::ALL) {
            let path = dir.join(kind.file_name());
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let text = String::from_utf8(bytes).map_err(|_| TemplateError::Invalid {
                        path: path.clone(),
                        line: 1,
                        problem: "the file is not UTF-8 text".to_owned(),
                    })?;
                    *slot = parse(kind, &text, &path)?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(TemplateError::Read { path, source }),
            }
        }
        Ok(Self(Arc::new(templates)))
    }

    /// Renders `kind` with `values` (name → value). HTML templates escape every value.
    pub(crate) fn render(&self, kind: Kind, values: &[(&str, &str)]) -> Rendered {
        let index = Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        let template = &self.0[index];
        let escape = kind == Kind::CredentialsHtml;
        let subject = fill(&template.subject, values, false);
        Rendered {
            subject: one_line(&subject),
            body: fill(&template.body, values, escape),
        }
    }
}

fn check_file_name(path: &Path) -> Result<(), TemplateError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let looks_like_template = name.ends_with(".txt") || name.ends_with(".html");
    if looks_like_template && !Kind::ALL.iter().any(|k| k.file_name() == name) {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.file_name()).collect();
        return Err(TemplateError::UnknownFile {
            path: path.to_owned(),
            known: known.join(", "),
        });
    }
    Ok(())
}

fn fill(segments: &[Segment], values: &[(&str, &str)], escape: bool) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Text(text) => out.push_str(text),
            Segment::Value(name) => {
                let value = values
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or("", |(_, v)| *v);
                if escape {
                    // Safe in element content and in either kind of quoted attribute.
                    html_escape::encode_quoted_attribute_to_string(value, &mut out);
                } else {
                    out.push_str(value);
                }
            }
        }
    }
    out
}

/// A header value must stay on one line, whatever a value brought in.
pub(crate) fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse(kind: Kind, text: &str, path: &Path) -> Result<Template, TemplateError> {
    let invalid = |line: usize, problem: String| TemplateError::Invalid {
        path: path.to_owned(),
        line,
        problem,
    };
    let (subject, body, body_first_line) = if kind.has_subject() {
        let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
        let subject = first
            .get(..8)
            .filter(|p| p.eq_ignore_ascii_case("subject:"))
            .map(|_| first[8..].trim())
            .ok_or_else(|| {
                invalid(
                    1,
                    "the first line must be the subject, e.g. `Subject: Your {platform} \
                     account is ready`"
                        .to_owned(),
                )
            })?;
        match rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
        {
            Some(after_blank) => (subject, after_blank, 3),
            None => (subject, rest, 2),
        }
    } else {
        ("", text, 1)
    };
    let subject = segments(kind, subject, 1).map_err(|(line, p)| invalid(line, p))?;
    let body = segments(kind, body, body_first_line).map_err(|(line, p)| invalid(line, p))?;
    for required in kind.required() {
        if !body.contains(&Segment::Value(required)) {
            return Err(invalid(
                1,
                format!("the body never shows {{{required}}}, so the mail would be useless"),
            ));
        }
    }
    Ok(Template { subject, body })
}

/// Splits `text` into literal text and placeholders; errors carry the line number.
fn segments(kind: Kind, text: &str, first_line: usize) -> Result<Vec<Segment>, (usize, String)> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find(['{', '}']) {
        literal.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
            literal.push_str(&tail[..1]);
            rest = after;
            continue;
        }
        let name = tail
            .strip_prefix('{')
            .and_then(|t| t.split_once('}'))
            .map(|(name, _)| name)
            .filter(|name| is_identifier(name));
        if let Some(name) = name {
            let Some(known) = kind.placeholders().iter().find(|p| **p == name) else {
                let line = first_line + text[..text.len() - tail.len()].matches('\n').count();
                return Err((
                    line,
                    format!(
                        "{{{name}}} is not a value this template can use (it can use {})",
                        kind.placeholders()
                            .iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            if !literal.is_empty() {
                out.push(Segment::Text(std::mem::take(&mut literal)));
            }
            out.push(Segment::Value(known));
            rest = &tail[name.len() + 2..];
        } else {
            literal.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Segment::Text(literal));
    }
    Ok(out)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ticket(text: &str) -> Result<Template, TemplateError> {
        parse(Kind::Ticket, text, Path::new("ticket.txt"))
    }

    #[test]
    fn builtins_parse_and_use_every_required_value() {
        let templates = Templates::builtin();
        let values = [
            ("login", "jane@partner.test"),
            ("password", "pw"),
            ("platform", "Engage"),
        ];
        let text = templates.render(Kind::CredentialsText, &values);
        assert_eq!(text.subject, "Your Engage account is ready");
        assert!(text.body.contains("Password:    pw"), "{}", text.body);
        let html = templates.render(Kind::CredentialsHtml, &values);
        assert!(html.body.contains("<code>pw</code>"), "{}", html.body);
        assert_eq!(html.subject, "");
    }

    #[test]
    fn braces_escape_and_css_stays_literal() {
        let t = parse_ticket("Subject: {{x}} {job_id}\n\nbody { color: red } {{ }} {reason}}\n")
            .unwrap();
        assert_eq!(
            t.subject,
            vec![Segment::Text("{x} ".into()), Segment::Value("job_id")]
        );
        let templates = Templates(Arc::new([t.clone(), t.clone(), t.clone(), t.clone()]));
        let out = templates.render(Kind::Ticket, &[("job_id", "J1"), ("reason", "r")]);
        assert_eq!(out.subject, "{x} J1");
        assert_eq!(out.body, "body { color: red } { } r}\n");
    }

    #[test]
    fn unknown_placeholder_names_file_line_and_name() {
        let err = parse_ticket("Subject: x\n\nfine {job_id}\n{pasword}\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("ticket.txt, line 4"), "{text}");
        assert!(text.contains("{pasword}"), "{text}");
        assert!(text.contains("{job_id}"), "{text}");
        let err = parse_ticket("Subject: {password}\n\nbody\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn subject_line_and_required_values_are_enforced() {
        assert!(parse_ticket("no subject here\n").is_err());
        let err = parse(
            Kind::CredentialsText,
            "Subject: Ready\n\nLogin: {login}\n",
            Path::new("credentials.txt"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("{password}"), "{err}");
        assert!(
            parse(
                Kind::CredentialsHtml,
                "<p>{login} {password}</p>",
                Path::new("credentials.html")
            )
            .is_ok()
        );
    }

    #[test]
    fn html_values_are_escaped_and_subjects_stay_on_one_line() {
        let templates = Templates::builtin();
        let values = [
            ("login", "a<b>@x.test"),
            ("password", "p&\"'"),
            ("platform", "Eng\r\nBcc: x@evil.test"),
        ];
        let html = templates.render(Kind::CredentialsHtml, &values);
        assert!(html.body.contains("a&lt;b&gt;@x.test"), "{}", html.body);
        assert!(html.body.contains("p&amp;&quot;&#x27;"), "{}", html.body);
        let text = templates.render(Kind::CredentialsText, &values);
        assert_eq!(text.subject, "Your Eng Bcc: x@evil.test account is ready");
    }

    #[test]
    fn folder_overrides_only_the_files_it_has_and_rejects_strangers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ticket.txt"), "Subject: T {job_id}\n\nB\n").unwrap();
        std::fs::write(dir.path().join("README"), "notes").unwrap();
        let templates = Templates::load(dir.path()).unwrap();
        assert_eq!(
            templates.render(Kind::Ticket, &[("job_id", "7")]).subject,
            "T 7"
        );
        assert_eq!(
            templates
                .render(
                    Kind::RequesterNote,
                    &[("platform", "Engage"), ("invitee", "j")]
                )
                .subject,
            "Engage account created for j"
        );
        std::fs::write(dir.path().join("credential.txt"), "Subject: x\n").unwrap();
        let err = Templates::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("credential.txt"), "{err}");
    }
}
