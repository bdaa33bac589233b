//! Reading one `Authentication-Results` field (RFC 8601).
//!
//! In: the field's value as it appears in the message, folded or not. Out: an
//! [`AuthResults`]: who wrote it ([`AuthservId`]) and, unless the rest cannot be read
//! ([`Malformed`]), each method's result with its properties.
//!
//! Comments (which nest) and quoted strings (with backslash escapes) are read as RFC 5322
//! defines them, so a `;`, `=`, `(` or `)` inside either is data: a value the receiving
//! server copied from the sender (an SMTP address in quotes, say
//! `smtp.mailfrom="\"a;dmarc=pass;\"@evil.test"`) cannot start a method of its own.
//! Nothing recurses, so a comment nested 100,000 deep costs a counter.
//!
//! Microsoft 365 writes the field without an authserv-id and with properties that have no
//! `ptype.` (`dmarc=pass action=none header.from=…;compauth=pass reason=100`): the
//! first is read as [`AuthservId::Absent`], the second as a property named `action`.
//! Whether such a field may be trusted is the caller's decision.

/// Who wrote the field, by its authserv-id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthservId {
    /// The usual form, a token, lower-cased.
    Token(String),
    /// A quoted string: valid, but no receiving server writes its own name that way, so
    /// the caller never treats it as one of ours.
    Quoted(String),
    /// No authserv-id: the field starts with a method result (Microsoft 365).
    Absent,
    /// The field does not start with an authserv-id or a method result.
    Unreadable,
}

/// One `Authentication-Results` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// Who wrote it.
    pub authserv_id: AuthservId,
    /// The method results (none for `; none`), or why they cannot be read. Kept apart
    /// from the id so that a field from a trusted server that cannot be read is known to
    /// be from that server, and is refused rather than passed over for one below it.
    pub methods: Result<Vec<MethodResult>, Malformed>,
}

/// One `method=result` with its reason and properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    /// The method, lower-cased, without its version (`dkim`, `dmarc`, `compauth`).
    pub method: String,
    /// The result, lower-cased (`pass`, `fail`, `none`, …).
    pub result: String,
    /// `ptype.property` (or `reason`, or a vendor's bare name such as `action`),
    /// lower-cased, with its value as written (quotes removed).
    properties: Vec<(String, String)>,
}

impl MethodResult {
    /// The value of property `name` (e.g. `header.from`); `None` when it is missing, or
    /// given twice with different values, since then it is unknown which one was checked.
    pub fn property(&self, name: &str) -> Option<&str> {
        let mut values = self
            .properties
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str());
        let first = values.next()?;
        values.all(|other| other == first).then_some(first)
    }
}

/// Why the results of a field cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// A `"` without its closing `"`.
    #[error("a quoted string is not closed")]
    UnclosedQuote,
    /// A `(` without its closing `)`.
    #[error("a comment is not closed")]
    UnclosedComment,
    /// A `)` that closes nothing.
    #[error("a `)` closes no comment")]
    StrayParenthesis,
    /// Something other than a version or `;` after the authserv-id.
    #[error("the authserv-id is followed by something other than `;`")]
    AfterAuthservId,
    /// A result that is not `method=result`.
    #[error("a method result is not written as method=result")]
    Method,
    /// A property that is not `name=value`.
    #[error("a property is not written as name=value")]
    Property,
}

/// Reads one field's value.
pub fn parse(value: &str) -> AuthResults {
    let mut lexer = Lexer::new(value);
    let first = lexer.next();
    let second = lexer.next();
    let (authserv_id, methods) = match (first, second) {
        // `spf=pass …`: no authserv-id, the first method starts here.
        (Some(Ok(word @ Token::Word(..))), Some(Ok(Token::Equals(spaced)))) => {
            let head = [Ok(word), Ok(Token::Equals(spaced))];
            let tokens: Result<Vec<Token>, Malformed> = head.into_iter().chain(lexer).collect();
            (AuthservId::Absent, tokens.and_then(|t| results(&t)))
        }
        (Some(Ok(Token::Word(id, _))), second) => (
            AuthservId::Token(id.to_ascii_lowercase()),
            after_id(second, lexer),
        ),
        (Some(Ok(Token::Quoted(id, _))), second) => {
            (AuthservId::Quoted(id), after_id(second, lexer))
        }
        _ => (AuthservId::Unreadable, Ok(Vec::new())),
    };
    AuthResults {
        authserv_id,
        methods,
    }
}

/// What follows the authserv-id: `[version] ; resinfo ; resinfo …`, `; none`, or nothing.
fn after_id(
    second: Option<Result<Token, Malformed>>,
    mut lexer: Lexer<'_>,
) -> Result<Vec<MethodResult>, Malformed> {
    let mut next = second.transpose()?;
    if let Some(Token::Word(version, _)) = &next
        && version.bytes().all(|b| b.is_ascii_digit())
    {
        next = lexer.next().transpose()?;
    }
    match next {
        None => Ok(Vec::new()),
        Some(Token::Semicolon) => results(&lexer.collect::<Result<Vec<_>, _>>()?),
        Some(_) => Err(Malformed::AfterAuthservId),
    }
}

/// The `;`-separated method results. An empty one is passed over (a trailing `;`), and
/// `none` means there are none.
fn results(tokens: &[Token]) -> Result<Vec<MethodResult>, Malformed> {
    let mut methods = Vec::new();
    for resinfo in tokens.split(|t| matches!(t, Token::Semicolon)) {
        match resinfo {
            [] => {}
            [Token::Word(none, _)] if none.eq_ignore_ascii_case("none") => {}
            _ => methods.push(method_result(resinfo)?),
        }
    }
    Ok(methods)
}

/// `method[/version] = result [reason=…] [ptype.property=value …]`
fn method_result(tokens: &[Token]) -> Result<MethodResult, Malformed> {
    let mut at = 0;
    let spec = name(tokens, &mut at).ok_or(Malformed::Method)?;
    let method = match spec.split_once('/') {
        Some((method, version)) if !version.is_empty() => method,
        Some(_) => return Err(Malformed::Method),
        None => spec.as_str(),
    };
    let result = match tokens.get(at) {
        Some(Token::Word(result, _)) if is_keyword(result) => result.to_ascii_lowercase(),
        _ => return Err(Malformed::Method),
    };
    at += 1;
    let mut properties = Vec::new();
    while at < tokens.len() {
        let key = name(tokens, &mut at).ok_or(Malformed::Property)?;
        let value = value(tokens, &mut at).ok_or(Malformed::Property)?;
        properties.push((key, value));
    }
    Ok(MethodResult {
        method: method.to_owned(),
        result,
        properties,
    })
}

/// The words before an `=`, lower-cased and joined: `header . from =` (comments and
/// folding may sit around the dot) is `header.from`. Words may only be joined at a `.`
/// or `/`, so a stray word is an error, not part of the next name.
fn name(tokens: &[Token], at: &mut usize) -> Option<String> {
    let mut name = String::new();
    loop {
        match tokens.get(*at)? {
            Token::Word(word, _) => {
                let joins =
                    name.is_empty() || name.ends_with(['.', '/']) || word.starts_with(['.', '/']);
                if !joins {
                    return None;
                }
                name.push_str(word);
            }
            Token::Equals(_) if !name.is_empty() => break,
            _ => return None,
        }
        *at += 1;
    }
    *at += 1;
    let valid = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
    valid.then(|| name.to_ascii_lowercase())
}

/// A value: a word or a quoted string, with what touches it (no space between) glued
/// on, so `"a;b"@example.test` and base64 such as `header.b=ab/c+d==` stay one value.
fn value(tokens: &[Token], at: &mut usize) -> Option<String> {
    let mut value = match tokens.get(*at)? {
        Token::Word(text, _) | Token::Quoted(text, _) => text.clone(),
        Token::Equals(_) | Token::Semicolon => return None,
    };
    *at += 1;
    while let Some(token) = tokens.get(*at) {
        match token {
            Token::Word(text, false) | Token::Quoted(text, false) => value.push_str(text),
            Token::Equals(false) => value.push('='),
            _ => break,
        }
        *at += 1;
    }
    Some(value)
}

/// RFC 8601's Keyword: letters, digits and `-` (Microsoft's `bestguesspass` included).
fn is_keyword(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A lexical token. The `bool` says whether whitespace or a comment came before it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A run of characters other than white space, controls, `(`, `)`, `"`, `;`, `=`.
    Word(String, bool),
    /// A quoted string's content, escapes resolved.
    Quoted(String, bool),
    Equals(bool),
    Semicolon,
}

/// The tokens of a field, comments skipped. Stops at the first error.
struct Lexer<'a> {
    chars: std::str::Chars<'a>,
    peeked: Option<char>,
    failed: bool,
}

impl<'a> Lexer<'a> {
    fn new(value: &'a str) -> Self {
        Self {
            chars: value.chars(),
            peeked: None,
            failed: false,
        }
    }

    fn bump(&mut self) -> Option<char> {
        self.peeked.take().or_else(|| self.chars.next())
    }

    fn peek(&mut self) -> Option<char> {
        if self.peeked.is_none() {
            self.peeked = self.chars.next();
        }
        self.peeked
    }

    /// Skips a comment whose `(` was just read, nested ones included.
    fn skip_comment(&mut self) -> Result<(), Malformed> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.bump().ok_or(Malformed::UnclosedComment)? {
                '\\' => {
                    self.bump();
                }
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
        }
        Ok(())
    }

    /// A quoted string whose `"` was just read.
    fn quoted(&mut self) -> Result<String, Malformed> {
        let mut text = String::new();
        loop {
            match self.bump().ok_or(Malformed::UnclosedQuote)? {
                '"' => return Ok(text),
                '\\' => text.push(self.bump().ok_or(Malformed::UnclosedQuote)?),
                c => text.push(c),
            }
        }
    }

    fn token(&mut self) -> Option<Result<Token, Malformed>> {
        let mut spaced = false;
        let first = loop {
            match self.bump()? {
                c if c.is_whitespace() || c.is_control() => spaced = true,
                '(' => match self.skip_comment() {
                    Ok(()) => spaced = true,
                    Err(e) => return Some(Err(e)),
                },
                c => break c,
            }
        };
        let token = match first {
            ';' => Token::Semicolon,
            '=' => Token::Equals(spaced),
            ')' => return Some(Err(Malformed::StrayParenthesis)),
            '"' => match self.quoted() {
                Ok(text) => Token::Quoted(text, spaced),
                Err(e) => return Some(Err(e)),
            },
            c => {
                let mut word = String::from(c);
                while let Some(c) = self.peek().filter(|&c| is_word_char(c)) {
                    word.push(c);
                    self.peeked = None;
                }
                Token::Word(word, spaced)
            }
        };
        Some(Ok(token))
    }
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '"' | ';' | '='))
}

impl Iterator for Lexer<'_> {
    type Item = Result<Token, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let token = self.token();
        self.failed = matches!(token, Some(Err(_)));
        token
    }
}

#[cfg(test)]
mod tests;
