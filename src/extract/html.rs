//! HTML bodies as a reader sees them.
//!
//! In: one HTML body. Out: its visible text (block elements and `<br>` become line
//! breaks, so forwarded header blocks read as lines) and every `<a href>` with the text
//! offset where it stands. One parse serves both, since a newsletter can be megabytes.

use ego_tree::iter::Edge;
use scraper::Node;

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
const INVISIBLE: &[&str] = &["head", "script", "style", "template", "title", "noscript"];

/// Renders `html` to text and collects its anchors.
pub(super) fn render(html: &str) -> Rendered {
    let document = super::html_parse::parse_document(html);
    let mut out = Rendered::default();
    let mut hidden_depth = 0usize;
    let mut open_mailto: Vec<(usize, String)> = Vec::new();
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if INVISIBLE.contains(&name) {
                        hidden_depth += 1;
                    } else if BLOCKS.contains(&name) {
                        newline(&mut out.text);
                    }
                    if name == "a"
                        && let Some(href) = el.attr("href")
                    {
                        let href = clean_href(href);
                        if let Some(address) = mailto_address(&href) {
                            open_mailto.push((out.text.len(), address));
                        }
                        out.anchors.push(Anchor {
                            href,
                            at: out.text.len(),
                        });
                    }
                }
                Node::Text(text) if hidden_depth == 0 => push_text(&mut out.text, text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if INVISIBLE.contains(&name) {
                        hidden_depth = hidden_depth.saturating_sub(1);
                    } else if BLOCKS.contains(&name) && name != "br" {
                        newline(&mut out.text);
                    }
                    if name == "a" {
                        close_mailto(&mut out.text, &mut open_mailto);
                    }
                }
            }
        }
    }
    out
}

/// Browsers drop leading/trailing whitespace and any tab or newline inside an href.
fn clean_href(href: &str) -> String {
    href.trim()
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
        let within = format!(
            "{}<a href=\"https://x.test/\">x</a>{}",
            "<div>".repeat(500),
            "</div>".repeat(500)
        );
        assert_eq!(render(&within).anchors.len(), 1);
        // Far beyond the nesting cap reading stops (html_parse), so this stays fast.
        let beyond = format!(
            "<a href=\"https://first.test/\">a</a>{}<a href=\"https://x.test/\">x</a>{}",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        );
        let anchors = render(&beyond).anchors;
        assert_eq!(anchors.len(), 1);
        assert_eq!(anchors[0].href, "https://first.test/");
    }
}
