//! A CSS selector from the config, parsed once when the config is loaded.
//!
//! In: the selector as written (`form#signup`). Out: a [`CssSelector`] holding the parsed
//! `scraper::Selector`, used as is on every page, and the text, for messages.

use std::fmt;

/// A valid CSS selector and the text it was written as.
#[derive(Debug, Clone)]
pub struct CssSelector {
    text: String,
    parsed: scraper::Selector,
}

impl CssSelector {
    /// Parses `text`; `Err` says it is not valid CSS, for the config's own message.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed = scraper::Selector::parse(text)
            .map_err(|_| format!("{text:?} is not a valid CSS selector"))?;
        Ok(Self {
            text: text.to_owned(),
            parsed,
        })
    }

    /// The parsed selector.
    pub fn selector(&self) -> &scraper::Selector {
        &self.parsed
    }

    /// The selector as written in the config.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Two selectors are the same when written the same.
impl PartialEq for CssSelector {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for CssSelector {}

impl fmt::Display for CssSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::CssSelector;

    #[test]
    fn a_selector_keeps_its_text_and_bad_css_is_refused() {
        let selector = CssSelector::parse("main .welcome").unwrap();
        assert_eq!(selector.as_str(), "main .welcome");
        let doc = scraper::Html::parse_document("<main><h1 class=welcome>Hi</h1></main>");
        assert_eq!(doc.select(selector.selector()).count(), 1);
        let error = CssSelector::parse("form[").unwrap_err();
        assert!(error.contains("not a valid CSS selector"), "{error}");
    }
}
