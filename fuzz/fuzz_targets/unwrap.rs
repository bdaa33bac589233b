//! Fuzz target: arbitrary text as a link found in a message.
//!
//! In: any bytes that are UTF-8 (others are skipped: links reach `unwrap` as `&str`).
//! Out: nothing; `unwrap` must decode or leave the link, never panic, and report no more
//! than `MAX_LAYERS` layers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onbehalf::extract::unwrap::{MAX_LAYERS, unwrap};

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    let unwrapped = unwrap(url);
    assert!(unwrapped.layers.len() <= MAX_LAYERS);
    assert_eq!(
        unwrapped.layers.last().unwrap_or(&unwrapped.input),
        &unwrapped.url
    );
});
