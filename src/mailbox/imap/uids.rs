//! UID sets: how the commander names many messages in one command.
//!
//! In: UIDs (and their sizes). Out: IMAP sequence sets (`1:3,5`), short labels for logs
//! and errors, and batches of UIDs whose messages fit a byte budget.

use std::collections::HashMap;

/// How many bytes of messages one `UID FETCH … BODY.PEEK[]` may ask for: enough to save
/// round trips on a backlog, little enough that a batch of large mails stays small in
/// memory. A single message over it is fetched alone.
pub(super) const BATCH_BYTES: u64 = 8 * 1024 * 1024;

/// Splits UIDs (in order) into runs whose sizes add up to at most [`BATCH_BYTES`].
pub(super) fn batches_by_size<'a>(uids: &'a [u32], sizes: &HashMap<u32, u32>) -> Vec<&'a [u32]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (index, uid) in uids.iter().enumerate() {
        let size = u64::from(sizes.get(uid).copied().unwrap_or(0));
        if index > start && bytes + size > BATCH_BYTES {
            batches.push(&uids[start..index]);
            (start, bytes) = (index, 0);
        }
        bytes += size;
    }
    if start < uids.len() {
        batches.push(&uids[start..]);
    }
    batches
}

/// An IMAP sequence set of UIDs: runs of consecutive UIDs become `first:last`.
pub(super) fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut runs = sorted.iter().peekable();
    while let Some(&first) = runs.next() {
        let mut last = first;
        while let Some(&&next) = runs.peek() {
            if next != last + 1 {
                break;
            }
            last = next;
            runs.next();
        }
        parts.push(if first == last {
            first.to_string()
        } else {
            format!("{first}:{last}")
        });
    }
    parts.join(",")
}

/// UIDs for a log line or an error: the set itself when short (`UID 4:6`), else a
/// summary.
pub(super) fn uids_label(uids: &[u32]) -> String {
    let set = uid_set(uids);
    if set.len() <= 40 {
        return format!("UID {set}");
    }
    let (low, high) = (uids.iter().min(), uids.iter().max());
    match (low, high) {
        (Some(low), Some(high)) => format!("{} messages (UIDs {low} to {high})", uids.len()),
        _ => format!("UID {set}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_compress_runs() {
        assert_eq!(uid_set(&[7]), "7");
        assert_eq!(uid_set(&[3, 1, 2, 5, 7, 8, 9, 9]), "1:3,5,7:9");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn long_uid_sets_are_summarised_for_people() {
        let uids: Vec<u32> = (1..=40).map(|n| n * 2).collect();
        assert_eq!(uids_label(&uids), "40 messages (UIDs 2 to 80)");
        assert_eq!(uids_label(&[4, 5, 6]), "UID 4:6");
    }

    #[test]
    fn batches_stay_under_the_byte_budget() {
        let half = u32::try_from(BATCH_BYTES / 2).unwrap();
        let sizes: HashMap<u32, u32> = [(1, half), (2, half), (3, 1), (4, half * 3), (5, 10)]
            .into_iter()
            .collect();
        let uids = [1, 2, 3, 4, 5];
        // 1+2 fill the budget; 3 starts the next; 4 alone exceeds it and goes alone.
        assert_eq!(
            batches_by_size(&uids, &sizes),
            vec![&[1, 2][..], &[3][..], &[4][..], &[5][..]]
        );
    }
}
