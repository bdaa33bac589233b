//! When two forwards carry the same invite.
//!
//! In: an invite link as extracted. Out: a key that is equal for every way of writing the
//! same invite: scheme and host case-folded and the default port dropped (the URL parser
//! does both), no fragment or user info (never sent as part of the request that matters),
//! no tracking parameters (mail and ad platforms add `utm_*`, `fbclid`, …; the platform
//! ignores them), and the remaining parameters sorted. Where the platform's profile says
//! where the token is (`invite_token`), the key is the token alone: a client that added a
//! parameter nobody knows still forwards the same invite. The key is only compared,
//! never visited: the signup still opens the link as the forward had it.

use url::Url;

use crate::config::{InviteToken, Platform};

/// Query parameters that only say where a click came from.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "li_fat_id",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "_ga",
    "_gl",
];

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || TRACKING.contains(&name.as_str())
}

/// The key of the invite `url` on `platform`: its token where the profile names it and
/// the link has one, else [`invite_key`].
pub fn invite_key_on(url: &str, platform: Option<&Platform>) -> String {
    let token = platform.and_then(|p| Some((p, p.invite_token.as_ref()?)));
    match token.and_then(|(platform, place)| token_of(url, platform, place)) {
        Some(token) => format!("token:{token}"),
        None => invite_key(url),
    }
}

/// The token in `url` where `place` says, percent-decoded; `None` when it has none.
fn token_of(url: &str, platform: &Platform, place: &InviteToken) -> Option<String> {
    let parsed = Url::parse(url.trim()).ok()?;
    let token = match place {
        InviteToken::Query(name) => parsed
            .query_pairs()
            .find(|(key, _)| key == name.as_str())
            .map(|(_, value)| value.into_owned()),
        InviteToken::Path => {
            // Spans index the link as written; the path is taken from the same text.
            let text = url.trim();
            let path_end = text.find(['?', '#']).unwrap_or(text.len());
            let span = platform
                .invite_links
                .iter()
                .find_map(|p| p.wildcard_spans(text))?
                .into_iter()
                // A `*` at the end of the pattern runs on into the query: the path's part.
                .map(|span| span.start..span.end.min(path_end))
                .find(|span| !span.is_empty())?;
            let raw = text.get(span)?;
            Some(
                percent_encoding::percent_decode_str(raw)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        }
    };
    token.filter(|t| !t.is_empty())
}

/// The invite `url` in a normal form; an unparsable link is its own key.
pub fn invite_key(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url.trim()) else {
        return url.trim().to_owned();
    };
    parsed.set_fragment(None);
    // Both fail only for URLs without a host, which have no user info to drop.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    let mut pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(name, _)| !is_tracking(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        parsed.set_query(None);
    } else {
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{invite_key, invite_key_on};
    use crate::config::Config;

    fn platform(links: &str, token: &str) -> crate::config::Platform {
        let text = format!(
            "[[platform]]\nname = \"P\"\ninvite_links = [\"{links}\"]\n\
             allowed_hosts = [\"p.test\"]\ninvite_token = \"{token}\"\n"
        );
        let config = Config::from_toml(&text, Path::new("/etc/onbehalf/onbehalf.toml"));
        config.unwrap().platforms.remove(0)
    }

    #[test]
    fn the_token_is_the_key_where_the_profile_names_it() {
        let by_query = platform("https://p.test/accept?*", "query:token");
        let key = |url: &str| invite_key_on(url, Some(&by_query));
        let plain = key("https://p.test/accept?token=T1");
        for same in [
            "https://p.test/accept?token=T1&ref=mail-client",
            "https://P.TEST/accept?lang=de&token=T%31&utm_source=x",
        ] {
            assert_eq!(key(same), plain, "{same}");
        }
        assert_ne!(key("https://p.test/accept?token=T2&ref=mail-client"), plain);
        // No token in the link: compared as a whole link.
        assert_eq!(
            key("https://p.test/accept?code=T1"),
            invite_key("https://p.test/accept?code=T1")
        );
        let by_path = platform("https://p.test/join/*", "path");
        let key = |url: &str| invite_key_on(url, Some(&by_path));
        assert_eq!(
            key("https://p.test/join/abc?src=x"),
            key("https://p.test/join/abc")
        );
        assert_ne!(
            key("https://p.test/join/abd"),
            key("https://p.test/join/abc")
        );
        assert_eq!(
            invite_key_on("https://p.test/join/abc?x=1", None),
            invite_key("https://p.test/join/abc?x=1")
        );
    }

    #[test]
    fn one_invite_written_several_ways_has_one_key() {
        let plain = invite_key("https://engage.example.com/invitations/accept?token=T&lang=en");
        for same in [
            "https://engage.example.com/invitations/accept?token=T&lang=en&utm_source=newsletter",
            "https://ENGAGE.Example.com/invitations/accept?token=T&lang=en",
            "HTTPS://engage.example.com:443/invitations/accept?lang=en&token=T",
            "https://engage.example.com/invitations/accept?UTM_Medium=x&token=T&fbclid=1&lang=en#top",
            " https://engage.example.com/invitations/accept?token=%54&lang=en ",
        ] {
            assert_eq!(invite_key(same), plain, "{same}");
        }
        for other in [
            "https://engage.example.com/invitations/accept?token=U&lang=en",
            "https://engage.example.com/invitations/accept?token=t&lang=en",
            "https://engage.example.com/Invitations/accept?token=T&lang=en",
            "https://engage.example.com:8443/invitations/accept?token=T&lang=en",
        ] {
            assert_ne!(invite_key(other), plain, "{other}");
        }
        assert_eq!(
            invite_key("https://p.test/join/T?utm_source=x"),
            "https://p.test/join/T"
        );
    }
}
