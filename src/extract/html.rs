//! HTML bodies as a reader sees them.
//!
//! In: one HTML body. Out: its visible text (block elements and `<br>` become line
//! breaks, so forwarded header blocks read as lines) and every `<a href>` with the text
//! offset where it stands. One pass serves both, since a newsletter can be megabytes.
//!
//! The text is rendered straight from html5ever's tokenizer, without building a tree:
//! the HTML tree builder walks its stack of open elements for every block tag and
//! re-opens every unclosed formatting element for every paragraph, so hostile mail
//! (100,000 nested `<div>`s, or a few thousand unclosed `<b>`s) made it quadratic in
//! time or in memory. Reading tokens in order gives the same text for real mail.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// A link in an HTML body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Anchor {
    /// The `href`, entities decoded, with the whitespace browsers ignore removed.
    pub href: String,
    /// Byte offset in [`Rendered::text`] where the link starts.
    pub at: usize,
}

/// An HTML body rendered to text.
#[derive(Debug, Default)]
pub(super) struct Rendered {
    pub text: String,
    pub anchors: Vec<Anchor>,
}

const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];
/// Elements whose content is never shown. `head` is not among them: its only text is in
/// `title`, `style` and `script`, and a missing `</head>` must not hide the body.
const INVISIBLE: &[&str] = &["script", "style", "template", "title", "noscript"];

/// Input given to the tokenizer at a time.
const CHUNK: usize = 16 * 1024;
/// Input read without a token coming out: the tokenizer is inside one tag, comment or
/// attribute value. html5ever checks every new attribute against all earlier ones of
/// the tag, so a tag with 100,000 attributes (850 KB) took 28 s in debug; past this
/// much, the body is read as plain text instead (links still show in its source).
const MAX_SILENT: usize = 64 * 1024;

/// Renders `html` to text and collects its anchors.
pub(super) fn render(html: &str) -> Rendered {
    let tokenizer = Tokenizer::new(Renderer::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    let (mut start, mut heard_at, mut tokens) = (0, 0, 0);
    while start < html.len() {
        let mut end = (start + CHUNK).min(html.len());
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        input.push_back(StrTendril::from_slice(&html[start..end]));
        // The sink never asks to run a script, so each feed consumes all it was given.
        let _ = tokenizer.feed(&input);
        start = end;
        let now = tokenizer.sink.state.borrow().tokens;
        if now != tokens {
            (tokens, heard_at) = (now, start);
        } else if start - heard_at > MAX_SILENT {
            return Rendered {
                text: html.to_owned(),
                anchors: Vec::new(),
            };
        }
    }
    tokenizer.end();
    tokenizer.sink.state.into_inner().out
}

#[derive(Default)]
struct Renderer {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    out: Rendered,
    /// Tokens received, parse errors aside (a tag can yield one per duplicate attribute).
    tokens: usize,
    /// Inside a raw-text element (`script`, `title`…), and whether its text is hidden.
    raw_text: Option<bool>,
    /// `template` elements open (they can nest; their content is inert).
    templates: usize,
    /// Whether an `<a>` is open: a new one closes it, as the tree builder would.
    anchor_open: bool,
    open_mailto: Vec<(usize, String)>,
}

impl TokenSink for Renderer {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        if !matches!(token, Token::ParseError(_)) {
            state.tokens += 1;
        }
        match token {
            Token::TagToken(tag) => return state.tag(&tag),
            Token::CharacterTokens(text)
                if state.raw_text != Some(true) && state.templates == 0 =>
            {
                push_text(&mut state.out.text, &text);
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl State {
    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if BLOCKS.contains(&name) {
            newline(&mut self.out.text);
        }
        match (tag.kind, name) {
            (TagKind::EndTag, _) if self.raw_text.is_some() => self.raw_text = None,
            (TagKind::StartTag, "a") => {
                self.close_anchor();
                self.anchor_open = true;
                if let Some(href) = tag.attrs.iter().find(|a| &*a.name.local == "href") {
                    let href = clean_href(&href.value);
                    if let Some(address) = mailto_address(&href) {
                        self.open_mailto.push((self.out.text.len(), address));
                    }
                    let at = self.out.text.len();
                    self.out.anchors.push(Anchor { href, at });
                }
            }
            (TagKind::EndTag, "a") => self.close_anchor(),
            (TagKind::StartTag, "template") => self.templates += 1,
            (TagKind::EndTag, "template") => self.templates = self.templates.saturating_sub(1),
            (TagKind::StartTag, _) => return self.raw_text_start(name),
            _ => {}
        }
        TokenSinkResult::Continue
    }

    /// The elements whose content the tokenizer must read as text, not markup (what the
    /// tree builder would tell it), and whether that text is hidden.
    fn raw_text_start(&mut self, name: &str) -> TokenSinkResult<()> {
        let kind = match name {
            "script" => RawKind::ScriptData,
            "style" | "noscript" | "xmp" | "iframe" | "noembed" | "noframes" => RawKind::Rawtext,
            "title" | "textarea" => RawKind::Rcdata,
            "plaintext" => return TokenSinkResult::Plaintext,
            _ => return TokenSinkResult::Continue,
        };
        self.raw_text = Some(INVISIBLE.contains(&name));
        TokenSinkResult::RawData(kind)
    }

    fn close_anchor(&mut self) {
        if std::mem::take(&mut self.anchor_open) {
            close_mailto(&mut self.out.text, &mut self.open_mailto);
        }
    }
}

/// Browsers drop leading and trailing spaces and control characters, and any tab or
/// newline inside an href.
fn clean_href(href: &str) -> String {
    href.trim_matches(|c: char| c.is_whitespace() || c.is_control())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

fn mailto_address(href: &str) -> Option<String> {
    let rest = href
        .get(..7)?
        .eq_ignore_ascii_case("mailto:")
        .then(|| &href[7..])?;
    let address = rest.split('?').next().unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(address).decode_utf8_lossy();
    decoded.contains('@').then(|| decoded.trim().to_owned())
}

/// A header line that shows only a name linked to `mailto:` still names the address:
/// write it after the name, as plain-text forwards do.
fn close_mailto(text: &mut String, open: &mut Vec<(usize, String)>) {
    if let Some((start, address)) = open.pop()
        && !text[start..].contains('@')
    {
        text.push_str(" <");
        text.push_str(&address);
        text.push('>');
    }
}

fn push_text(out: &mut String, text: &str) {
    let mut last_space = out.ends_with([' ', '\n']) || out.is_empty();
    for c in text.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
}

fn newline(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_and_anchor_offsets() {
        let html = r#"<html><head><title>t</title><style>p{}</style></head><body>
            <div class="gmail_attr">---------- Forwarded message ---------<br>
            From: <strong>Engage</strong> &lt;<a href="mailto:i@engage.example.com">i@engage.example.com</a>&gt;<br>
            To: <a href="mailto:jane@partner.test">Jane Doe</a><br></div>
            <p>Join: <a href="
              https://engage.example.com/invitations/accept?token=a&amp;lang=en	">Accept</a></p>
            </body></html>"#;
        let rendered = render(html);
        assert!(
            rendered
                .text
                .contains("\nTo: Jane Doe <jane@partner.test>\n"),
            "{}",
            rendered.text
        );
        assert!(!rendered.text.contains("p{}"));
        let invite = &rendered.anchors[2];
        assert_eq!(
            invite.href,
            "https://engage.example.com/invitations/accept?token=a&lang=en"
        );
        assert!(rendered.text[invite.at..].starts_with("Accept"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!(
            "{}<a href=\"https://x.test/\">x</a>{}",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        );
        assert_eq!(render(&html).anchors.len(), 1);
    }

    #[test]
    fn raw_text_elements_hide_their_markup() {
        let html = "<head><title>T <a href='https://t.test/'></title>\
                    <script>document.write('<a href=\"https://s.test/\">')</script>\
                    <style>a{}</style></head><p>Hi <a href=\"https://x.test/\">x</a></p>\
                    <textarea><b>shown</b></textarea>";
        let rendered = render(html);
        assert_eq!(rendered.text, "Hi x\n<b>shown</b>");
        assert_eq!(rendered.anchors.len(), 1);
    }

    #[test]
    fn a_new_anchor_closes_the_open_one() {
        let rendered =
            render("To: <a href=\"mailto:ann@x.test\">Ann<a href=\"https://y.test/\">y</a>");
        assert_eq!(rendered.text, "To: Ann <ann@x.test>y");
    }

    #[test]
    fn unclosed_formatting_elements_are_not_rebuilt() {
        let opened: String = (0..20_000).map(|i| format!("<b id={i}>")).collect();
        let html = format!("<p>{opened}</p>{}", "<p>x</p>".repeat(2_000));
        let rendered = render(&html);
        assert_eq!(rendered.text.matches('x').count(), 2_000);
    }

    #[test]
    fn chunked_input_renders_the_same() {
        let html = format!(
            "<p>From: <a href=\"mailto:ann@x.test\">Ann</a>&nbsp;&amp;\r\n{}</p>\
             <script>var s = '<a href=\"https://s.test/\">';</script>\
             <a href=\"https://a.test/?x=1&amp;y=2\">caf\u{e9} \u{1f600}</a><!-- c -->",
            "word ".repeat(10_000)
        );
        let whole = render(&html);
        assert_eq!(whole.anchors.len(), 2);
        assert!(whole.text.contains("From: Ann <ann@x.test>"));
        assert!(html.len() > 3 * CHUNK);
        // Every chunk boundary falls somewhere else: the tokenizer carries its state.
        for shift in [1, 7, 4097] {
            let padded = format!("{}{html}", " ".repeat(shift));
            let rendered = render(&padded);
            assert_eq!(rendered.text, whole.text, "shift {shift}");
            assert_eq!(rendered.anchors.len(), whole.anchors.len());
        }
    }

    #[test]
    fn a_tag_with_thousands_of_attributes_is_read_as_text() {
        let attributes: String = (0..20_000).map(|i| format!(" a{i}=x")).collect();
        let html = format!("<div{attributes}><a href=\"https://a.test/i\">i</a>");
        let rendered = render(&html);
        assert!(rendered.anchors.is_empty());
        assert!(rendered.text.contains("href=\"https://a.test/i\""));
    }
}
