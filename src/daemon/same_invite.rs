//! When two forwards carry the same invite.
//!
//! In: an invite link as extracted. Out: a key that is equal for every way of writing the
//! same invite: scheme and host case-folded and the default port dropped (the URL parser
//! does both), no fragment or user info (never sent as part of the request that matters),
//! no tracking parameters (mail and ad platforms add `utm_*`, `fbclid`, …; the platform
//! ignores them), and the remaining parameters sorted. The key is only compared, never
//! visited: the signup still opens the link as the forward had it.

use url::Url;

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
    use super::invite_key;

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
