//! Malformed wrappers stay as they are, and no input makes `unwrap` panic.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::{MAX_LAYERS, unwrap};

fn assert_unchanged(input: &str) {
    let result = unwrap(input);
    assert_eq!(result.url, input, "{input}");
    assert!(result.layers.is_empty(), "{input}");
    assert_eq!(result.opaque, None, "{input}");
}

const SAFE: &str = "https://nam11.safelinks.protection.outlook.com/?url=";

#[test]
fn bad_percent_escapes() {
    // Each would decode to a URL if the stray '%' were copied through.
    assert_unchanged(&format!("{SAFE}https%3A%2F%2Fexample.com%2Fa%2"));
    assert_unchanged(&format!(
        "{SAFE}https%3A%2F%2Fexample.com%2Fa%ZZ&reserved=0"
    ));
    assert_unchanged("https://www.google.com/url?q=https%3A%2F%2Fexample.com%2F%");
    assert_unchanged("https://secure-web.cisco.com/token/https%3A%2F%2Fexample.com%2F%G0");
    assert_unchanged("https://urldefense.proofpoint.com/v2/url?u=https-3A__example.com-ZZ&d=x");
}

#[test]
fn bad_base64() {
    assert_unchanged("https://eu-central-1.protection.sophos.com/?d=x&u=!!not*base64!!&i=1");
    assert_unchanged("https://eu-central-1.protection.sophos.com/?d=x&u=aHR0cHM6Ly9");
    assert_unchanged("https://mandrillapp.com/track/click/1/example.com?p=%%%");
    assert_unchanged("https://mandrillapp.com/track/click/1/example.com?p=e30");
    assert_unchanged("https://urldefense.com/v3/__https://example.com/*__;$$!!abc$");
    let not_json = URL_SAFE_NO_PAD.encode(r#"{"p": "{\"url\": 5}"}"#);
    assert_unchanged(&format!(
        "https://mandrillapp.com/track/click/1/x?p={not_json}"
    ));
}

#[test]
fn truncated_proofpoint_v3() {
    // A '*' with nothing left in the table.
    assert_unchanged("https://urldefense.com/v3/__https://example.com/a*b__;!!abc$");
    // A run longer than the table.
    assert_unchanged("https://urldefense.com/v3/__https://example.com/a**Bb__;Kys!!abc$");
    // An unknown run-length code.
    assert_unchanged("https://urldefense.com/v3/__https://example.com/a**~b__;KysrKw!!abc$");
    // Cut before the table.
    assert_unchanged("https://urldefense.com/v3/__https://example.com/a");
    assert_unchanged("https://urldefense.com/v3/__https://example.com__;Kw");
    assert_unchanged("https://urldefense.com/v3/____;!!abc$");
}

#[test]
fn empty_or_missing_params() {
    for input in [
        format!("{SAFE}&data=x"),
        SAFE.to_owned(),
        "https://nam11.safelinks.protection.outlook.com/?url".to_owned(),
        "https://nam11.safelinks.protection.outlook.com/".to_owned(),
        "https://www.google.com/url?q=&sa=D".to_owned(),
        "https://linkprotect.cudasvc.com/url?a=".to_owned(),
        "https://urldefense.proofpoint.com/v1/url?u=&k=abc".to_owned(),
        "https://urldefense.proofpoint.com/v2/url?d=abc".to_owned(),
        "https://secure-web.cisco.com/only-a-token".to_owned(),
        "https://x.r.us-east-1.awstrack.me/L0/".to_owned(),
        "https://click.pstmrk.it/3s/".to_owned(),
        "https://email.example.org/c/".to_owned(),
        "https://mandrillapp.com/track/click/1/x?p=".to_owned(),
    ] {
        assert_unchanged(&input);
    }
}

#[test]
fn non_utf8_after_decoding() {
    assert_unchanged(&format!("{SAFE}https%3A%2F%2Fexample.com%2F%FF%FE"));
    let bytes = STANDARD.encode([b'h', b't', 0xff, 0xfe]);
    assert_unchanged(&format!(
        "https://eu-central-1.protection.sophos.com/?u={bytes}"
    ));
    let table = URL_SAFE_NO_PAD.encode([0xffu8]);
    assert_unchanged(&format!(
        "https://urldefense.com/v3/__https://example.com/*__;{table}!!abc$"
    ));
}

#[test]
fn decoded_text_that_is_not_an_absolute_http_url() {
    for target in [
        "javascript%3Aalert(1)",
        "example.com%2Finvite",
        "%2Frelative%2Fpath",
        "%20https%3A%2F%2Fexample.com",
        "https%3A%2F%2Fexample.com%0A%0Ahttps%3A%2F%2Fevil.test",
        "https%3A%2F%2Fexample.com%2Fa%09b",
        "https%3A%2F%2F",
        "mailto%3Auser%40example.com",
    ] {
        assert_unchanged(&format!("{SAFE}{target}&reserved=0"));
    }
}

#[test]
fn mailgun_payload_that_inflates_without_bound() {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(b"l=https%3A%2F%2Fexample.com&pad=")
        .unwrap();
    encoder.write_all(&vec![b'a'; 4 * 1024 * 1024]).unwrap();
    let data = URL_SAFE_NO_PAD.encode(encoder.finish().unwrap());
    assert_unchanged(&format!("https://email.example.org/c/{data}"));
}

#[test]
fn not_urls_at_all() {
    for input in [
        "",
        " ",
        "not a url",
        "https://",
        "https:///path",
        "http://[::1",
        "%%%",
        "\u{0}",
    ] {
        assert_unchanged(input);
    }
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const PREFIXES: &[&str] = &[
    "https://nam11.safelinks.protection.outlook.com/?url=",
    "https://statics.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html?url=",
    "https://urldefense.proofpoint.com/v1/url?u=",
    "https://urldefense.proofpoint.com/v2/url?u=",
    "https://urldefense.com/v3/__",
    "https://linkprotect.cudasvc.com/url?a=",
    "https://secure-web.cisco.com/tok/",
    "https://www.google.com/url?q=",
    "https://eu.protection.sophos.com/?u=",
    "https://x.trendmicro.com/wis/clicktime/v1/query?url=",
    "https://clicktime.symantec.com/a?u=",
    "https://protect2.fireeye.com/v1/url?u=",
    "https://x.awstrack.me/L0/",
    "https://click.pstmrk.it/3s/",
    "https://email.example.org/c/eJ",
    "https://mandrillapp.com/track/click/1/x?p=eyJ",
    "https://protect-us.mimecast.com/s/",
    "https://u1.ct.sendgrid.net/ls/click?upn=",
    "https://x.list-manage.com/track/click?u=",
    "https%3A%2F%2F",
    "https-3A__",
    "https://",
    "__;",
    "!!",
    "&amp;",
    "&k=",
    "&d=",
];

const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    "9",
    "%",
    "%2",
    "%3A",
    "%2F",
    "%FF",
    "%C3",
    "%A9",
    "*",
    "**",
    "**A",
    "**_",
    "**~",
    "&",
    "=",
    "?",
    "#",
    "/",
    "\\",
    "@",
    ":",
    ";",
    "!",
    "$",
    "+",
    "-",
    "_",
    ".",
    " ",
    "\n",
    "é",
    "€",
    "example.com",
    "Kw",
    "==",
    "&#x41;",
    "&amp",
    "[",
    "]",
];

fn random_link(rng: &mut Generator) -> String {
    let mut text = String::new();
    for _ in 0..1 + rng.below(8) {
        if rng.below(3) == 0 {
            text.push_str(rng.pick(PREFIXES));
        } else {
            for _ in 0..1 + rng.below(12) {
                text.push_str(rng.pick(PIECES));
            }
        }
    }
    text
}

/// A real nest of wrappers, cut or spliced at a random place, so the decoders see
/// almost-valid input and not only noise.
fn mutated_nest(rng: &mut Generator) -> String {
    let target = "https://app.example.com/invite?token=Ab3+x/y==#a";
    let mut text = target.to_owned();
    for _ in 0..1 + rng.below(7) {
        let encoded =
            percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC);
        text = match rng.below(3) {
            0 => format!("{}{encoded}&reserved=0", PREFIXES[0]),
            1 => format!("https://www.google.com/url?q={encoded}&sa=D"),
            _ => format!("https://secure-web.cisco.com/tok/{encoded}"),
        };
    }
    let mut cut = rng.below(text.len() + 1);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    match rng.below(3) {
        0 => text.truncate(cut),
        1 => text.insert_str(cut, rng.pick(PIECES)),
        _ => {}
    }
    text
}

#[test]
fn random_links_never_panic_and_respect_the_cap() {
    let mut rng = Generator(0x9E37_79B9_7F4A_7C15);
    let mut decoded_some = 0;
    for round in 0..2_000 {
        let input = if round % 2 == 0 {
            random_link(&mut rng)
        } else {
            mutated_nest(&mut rng)
        };
        let result = unwrap(&input);
        decoded_some += usize::from(!result.layers.is_empty());
        assert!(result.layers.len() <= MAX_LAYERS, "{input:?}");
        assert_eq!(result.input, input);
        match result.layers.last() {
            Some(last) => assert_eq!(last, &result.url, "{input:?}"),
            None => assert_eq!(result.url, input, "{input:?}"),
        }
        for layer in &result.layers {
            assert!(
                !layer.contains(['\n', '\r', '\t', ' ']),
                "{input:?} gave {layer:?}"
            );
        }
    }
    // The generator must reach the decoders, not only the "not a wrapper" exit.
    assert!(decoded_some > 200, "only {decoded_some} inputs decoded");
}
