//! The forwarded original inside a ticket, and what the SMTP server lets it be.
//!
//! In: the original's bytes and the server's EHLO [`Capabilities`]. Out: the MIME part
//! that carries the original so it arrives byte for byte through any chain of standard
//! relays, or, for a ticket over the server's `SIZE`, a text part with the original's
//! header section and text.
//!
//! The transfer encoding is chosen here, never by lettre (which picks `binary` for any
//! line of 76 octets or more). `message/rfc822` may only be `7bit`, `8bit` or `binary`
//! (RFC 2046 §5.2.1), and each promises something about every line:
//! - `7bit` when the original is 7bit-clean: ASCII, no NUL, CRLF line ends only, lines
//!   of at most 998 octets (RFC 5322 §2.1.1, RFC 2045 §2.7);
//! - `8bit` when it is 8bit-clean (the same, bytes over 127 allowed) and the server
//!   offers 8BITMIME (RFC 6152);
//! - `binary` never: it needs BINARYMIME with BDAT (RFC 3030), and lettre 0.11 can
//!   only send DATA;
//! - anything else (a bare CR or LF, a NUL, a 2,000-octet line) is attached as base64
//!   `application/octet-stream` named `original.eml`: sent as it is, a bare CR or an
//!   over-long line reaches the relay raw (a `<CR>.<CR><LF>` is an SMTP smuggling
//!   primitive) and relays fold or reject it, so the copy would no longer match.

use lettre::message::header::{ContentDisposition, ContentTransferEncoding, ContentType};
use lettre::message::{Body, SinglePart};
use mail_parser::MessageParser;

/// The file name every attached original carries.
pub(super) const ORIGINAL_NAME: &str = "original.eml";
/// The file name of the header-and-text summary of an original too large to attach.
pub(super) const SUMMARY_NAME: &str = "original-headers-and-text.txt";

/// The longest line, without its CRLF, a 7bit or 8bit body may have (RFC 5322 §2.1.1).
const MAX_LINE: usize = 998;

/// What the SMTP server announced in its EHLO reply that matters for a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// `SIZE n`: the largest message it accepts, in octets; `None` when it names no
    /// limit (no SIZE, or `SIZE 0`, RFC 1870).
    pub size: Option<u64>,
    /// `8BITMIME`: bytes over 127 may be sent with `BODY=8BITMIME`.
    pub eight_bit_mime: bool,
}

impl Capabilities {
    /// What a server that announced nothing is assumed to take: 7-bit text of any size.
    pub const UNKNOWN: Capabilities = Capabilities {
        size: None,
        eight_bit_mime: false,
    };

    /// Reads the keyword lines of an EHLO reply (the first line, the greeting, is
    /// skipped). Keywords are case-insensitive (RFC 5321 §4.1.1.1).
    pub fn from_ehlo<'a>(lines: impl IntoIterator<Item = &'a str>) -> Self {
        let mut found = Self::UNKNOWN;
        for line in lines.into_iter().skip(1) {
            let mut words = line.split_whitespace();
            let Some(keyword) = words.next() else {
                continue;
            };
            if keyword.eq_ignore_ascii_case("8BITMIME") {
                found.eight_bit_mime = true;
            } else if keyword.eq_ignore_ascii_case("SIZE") {
                found.size = words
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
                    .filter(|n| *n > 0);
            }
        }
        found
    }
}

/// How far an original is from needing an encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clean {
    /// Fit for `7bit`.
    SevenBit,
    /// Fit for `8bit`.
    EightBit,
    /// Fit for neither: only base64 keeps it intact.
    Neither,
}

fn cleanliness(bytes: &[u8]) -> Clean {
    let mut eight_bit = false;
    let mut line = 0usize;
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            0 => return Clean::Neither,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => return Clean::Neither,
            b'\r' => {}
            b'\n' if i == 0 || bytes[i - 1] != b'\r' => return Clean::Neither,
            b'\n' => line = 0,
            _ => {
                eight_bit |= byte > 127;
                line += 1;
                if line > MAX_LINE {
                    return Clean::Neither;
                }
            }
        }
    }
    if eight_bit {
        Clean::EightBit
    } else {
        Clean::SevenBit
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The original as an attachment that arrives byte for byte (see the module docs).
pub(super) fn attachment(original: &[u8], server: &Capabilities) -> Result<SinglePart, BoxError> {
    let encoding = match cleanliness(original) {
        Clean::SevenBit => Some(ContentTransferEncoding::SevenBit),
        Clean::EightBit if server.eight_bit_mime => Some(ContentTransferEncoding::EightBit),
        Clean::EightBit | Clean::Neither => None,
    };
    let part = SinglePart::builder().header(ContentDisposition::attachment(ORIGINAL_NAME));
    Ok(match encoding {
        // Checked above to be what the encoding promises, so it goes as it is: the
        // CRLF lettre writes after a part belongs to the boundary (RFC 2046 §5.1.1).
        Some(encoding) => part
            .header(ContentType::parse("message/rfc822")?)
            .body(Body::dangerous_pre_encoded(original.to_vec(), encoding)),
        None => part
            .header(ContentType::parse("application/octet-stream")?)
            .body(
                Body::new_with_encoding(original.to_vec(), ContentTransferEncoding::Base64)
                    .map_err(|_| "cannot encode the original as base64")?,
            ),
    })
}

/// The original's header section and its first text part, each cut after
/// `budget` bytes, as a text attachment; lettre picks a safe encoding for it.
pub(super) fn summary(original: &[u8], budget: usize) -> SinglePart {
    let header_end = find(original, b"\r\n\r\n")
        .map(|at| at + 2)
        .or_else(|| find(original, b"\n\n").map(|at| at + 1))
        .unwrap_or(original.len());
    let headers = String::from_utf8_lossy(&original[..header_end]);
    let text = MessageParser::new()
        .parse(original)
        .and_then(|message| message.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default();
    let mut out = "The forwarded email was too large for the mail server; below are its header \
                   section and its text. The full original stays in the needs-human folder.\n\n"
        .to_owned();
    push_cut(&mut out, &headers, budget);
    out.push('\n');
    push_cut(&mut out, &text, budget);
    SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .header(ContentDisposition::attachment(SUMMARY_NAME))
        .body(out)
}

/// Appends `text`, cut after `budget` bytes (at a character boundary) with a note.
fn push_cut(out: &mut String, text: &str, budget: usize) {
    if text.len() <= budget {
        out.push_str(text);
        return;
    }
    let mut cut = budget;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    out.push_str(&text[..cut]);
    out.push_str(&format!("\n[… cut: {} more bytes]\n", text.len() - cut));
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanliness_follows_the_rfc_limits() {
        assert_eq!(cleanliness(b"a: b\r\n\r\nbody\r\n"), Clean::SevenBit);
        assert_eq!(cleanliness(b"no final line end"), Clean::SevenBit);
        assert_eq!(
            cleanliness("Gr\u{fc}\u{df}e\r\n".as_bytes()),
            Clean::EightBit
        );
        assert_eq!(cleanliness(b"bare\nlf\r\n"), Clean::Neither);
        assert_eq!(cleanliness(b"\nleading lf"), Clean::Neither);
        assert_eq!(cleanliness(b"bare\rcr\r\n"), Clean::Neither);
        assert_eq!(cleanliness(b"ends in cr\r"), Clean::Neither);
        assert_eq!(cleanliness(b"nul\0\r\n"), Clean::Neither);
        assert_eq!(cleanliness(b"x\r.\r\n"), Clean::Neither);
        let longest = [vec![b'a'; MAX_LINE], b"\r\n".to_vec()].concat();
        assert_eq!(cleanliness(&longest), Clean::SevenBit);
        let too_long = [vec![b'a'; MAX_LINE + 1], b"\r\n".to_vec()].concat();
        assert_eq!(cleanliness(&too_long), Clean::Neither);
    }

    #[test]
    fn ehlo_size_and_8bitmime_are_read() {
        let reply = ["smtp.test Hello", "SIZE 10240000", "8bitmime", "STARTTLS"];
        assert_eq!(
            Capabilities::from_ehlo(reply),
            Capabilities {
                size: Some(10_240_000),
                eight_bit_mime: true
            }
        );
        assert_eq!(
            Capabilities::from_ehlo(["smtp.test", "SIZE 0"]),
            Capabilities::UNKNOWN
        );
        // The greeting line is not a keyword, whatever it says.
        assert_eq!(Capabilities::from_ehlo(["8BITMIME"]), Capabilities::UNKNOWN);
    }

    #[test]
    fn only_a_server_with_8bitmime_gets_8bit() {
        let original = "Subject: \u{e9}\r\n\r\nx\r\n".as_bytes();
        let with = Capabilities {
            size: None,
            eight_bit_mime: true,
        };
        let formatted =
            String::from_utf8_lossy(&attachment(original, &with).unwrap().formatted()).into_owned();
        assert!(formatted.contains("message/rfc822"), "{formatted}");
        assert!(
            formatted.contains("Content-Transfer-Encoding: 8bit"),
            "{formatted}"
        );
        let without = attachment(original, &Capabilities::UNKNOWN)
            .unwrap()
            .formatted();
        let without = String::from_utf8_lossy(&without);
        assert!(without.contains("application/octet-stream"), "{without}");
        assert!(
            without.contains("Content-Transfer-Encoding: base64"),
            "{without}"
        );
        assert!(without.is_ascii());
    }

    #[test]
    fn summary_keeps_headers_and_cuts_long_text() {
        let original = format!(
            "Subject: Fwd: big\r\nFrom: a@b.test\r\n\r\n{}\r\n",
            "hello world ".repeat(10)
        );
        let part = summary(original.as_bytes(), 40).formatted();
        assert!(String::from_utf8_lossy(&part).contains(SUMMARY_NAME));
        let parsed = MessageParser::new().parse(&part).unwrap();
        let text = String::from_utf8_lossy(parsed.part(0).unwrap().contents()).into_owned();
        assert!(text.contains("Subject: Fwd: big"), "{text}");
        assert!(text.contains("needs-human folder"), "{text}");
        assert!(text.contains("more bytes"), "{text}");
    }
}
