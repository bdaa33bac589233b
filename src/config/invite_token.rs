//! `invite_token` of a `[[platform]]` table: where the platform's invite links carry
//! their token, so two forwards with the same token are one invite whatever else their
//! links say (`daemon/same_invite.rs` applies it).
//!
//! In: the text of the key. Out: an [`InviteToken`], or an [`Invalid`] saying what to
//! write.

use super::Invalid;

/// Where an invite link carries its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteToken {
    /// The query parameter of this name (`"query:token"`).
    Query(String),
    /// The part of the path an `invite_links` pattern's first `*` matched (`"path"`, for
    /// `/join/<token>` links).
    Path,
}

impl InviteToken {
    /// Reads `"query:NAME"` or `"path"`; `key` names the key in messages.
    pub(super) fn parse(key: &str, text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text == "path" {
            return Ok(Self::Path);
        }
        match text.strip_prefix("query:").map(str::trim) {
            Some(name) if !name.is_empty() && !name.contains(['&', '=', '#', ' ']) => {
                Ok(Self::Query(name.to_owned()))
            }
            _ => Err(Invalid::new(
                format!("{key}.invite_token"),
                format!("{text:?} does not say where the token is"),
                "write invite_token = \"query:token\" (the query parameter holding it) or \
                 \"path\" (the part of the path the invite pattern's * matches), or leave \
                 the key out to compare whole links",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_and_path_are_read_and_the_rest_refused() {
        assert_eq!(
            InviteToken::parse("p", "query:token"),
            Ok(InviteToken::Query("token".into()))
        );
        assert_eq!(InviteToken::parse("p", " path "), Ok(InviteToken::Path));
        for bad in ["query:", "token", "query:a=b", "Path", ""] {
            let invalid = InviteToken::parse("platform[0]", bad).unwrap_err();
            assert_eq!(invalid.key, "platform[0].invite_token", "{bad}");
        }
    }
}
