//! Turning a [`FormSpec`] and a password into the request a browser would send.
//!
//! In: the form and the generated password. Out: a [`Submission`] (method, URL, content
//! type, body), or the redacted list of fields `--dry-run` and [`probe`] show.
//!
//! [`probe`]: super::probe

use rand::RngExt;
use url::form_urlencoded;
use zeroize::Zeroizing;

use super::form::{Enctype, Entry, FormSpec, Method, REDACTED, Submission};
use crate::secret::Secret;

impl FormSpec {
    /// The fields that would be sent, password values replaced by `[redacted]`.
    pub fn redacted_fields(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|entry| match entry {
                Entry::Value { name, value } => (name.clone(), value.clone()),
                Entry::Password { name } => (name.clone(), REDACTED.to_owned()),
            })
            .collect()
    }

    /// The request submitting this form with `password` in every password field.
    pub fn submission(&self, password: &Secret) -> Submission {
        let pairs = self.entries.iter().map(|entry| match entry {
            Entry::Value { name, value } => (name.as_str(), value.as_str()),
            Entry::Password { name } => (name.as_str(), password.expose()),
        });
        if self.method == Method::Get {
            let mut url = self.action.clone();
            let query = Zeroizing::new(urlencoded(pairs));
            url.set_query(Some(&query));
            return Submission {
                method: Method::Get,
                url,
                content_type: None,
                body: Zeroizing::new(Vec::new()),
            };
        }
        let (content_type, body) = match self.enctype {
            Enctype::UrlEncoded => (
                "application/x-www-form-urlencoded".to_owned(),
                urlencoded(pairs).into_bytes(),
            ),
            Enctype::TextPlain => {
                let mut body = String::new();
                for (name, value) in pairs {
                    body.push_str(&format!("{name}={value}\r\n"));
                }
                ("text/plain;charset=UTF-8".to_owned(), body.into_bytes())
            }
            Enctype::Multipart => {
                let boundary = boundary();
                let body = multipart(&boundary, pairs);
                (format!("multipart/form-data; boundary={boundary}"), body)
            }
        };
        Submission {
            method: Method::Post,
            url: self.action.clone(),
            content_type: Some(content_type),
            body: Zeroizing::new(body),
        }
    }
}

fn urlencoded<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

fn boundary() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..24)
        .map(|_| char::from(CHARS[rng.random_range(..CHARS.len())]))
        .collect();
    format!("----onbehalfFormBoundary{tail}")
}

/// `multipart/form-data` as browsers write it: names escape `"`, CR and LF.
fn multipart<'a>(boundary: &str, pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in pairs {
        let name = name
            .replace('"', "%22")
            .replace('\r', "%0D")
            .replace('\n', "%0A");
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}
