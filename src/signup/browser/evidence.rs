//! What the help desk sees of a failed browser signup.
//!
//! In: the job's page at the moment the engine gave up, and the password it typed (if
//! any). Out: an [`Evidence`]: a PNG screenshot and the page's visible text. Every
//! password input is emptied and forced to `type=password` first, and the text has the
//! password redacted should the page echo it, so neither carries it.

use std::time::Duration;

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;

use crate::secret::{REDACTED, Secret};
use crate::signup::Evidence;

/// Empties every password input (a text input the page turned a password into
/// included, via `autocomplete`), then reads the visible text.
const MASK_AND_READ: &str = r#"(() => {
  for (const el of document.querySelectorAll('input')) {
    const kind = (el.getAttribute('type') || '').toLowerCase();
    const auto = (el.getAttribute('autocomplete') || '').toLowerCase();
    if (kind === 'password' || el.type === 'password' || auto.includes('password')) {
      el.type = 'password';
      el.value = '';
    }
  }
  return document.body ? document.body.innerText : '';
})()"#;

/// Most characters of visible text kept.
const MAX_TEXT: usize = 20_000;

/// Captures the page, within a few seconds; `None` when the page cannot be read (the
/// browser died, say).
pub(super) async fn capture(page: &Page, password: Option<&Secret>) -> Option<Evidence> {
    let capturing = async {
        let text: String = page.evaluate(MASK_AND_READ).await.ok()?.into_value().ok()?;
        let params = ScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .full_page(true)
            .build();
        let png = page.screenshot(params).await.ok()?;
        Some((text, png))
    };
    let (text, png) = tokio::time::timeout(Duration::from_secs(5), capturing)
        .await
        .ok()??;
    let mut text: String = text.chars().take(MAX_TEXT).collect();
    if let Some(password) = password.map(Secret::expose).filter(|p| !p.is_empty()) {
        text = text.replace(password, REDACTED);
    }
    Some(Evidence {
        screenshot_png: png,
        visible_text: text,
    })
}
