//! Recognising a message and its copies; where copies are; the invite record.

use super::*;

#[test]
fn same_message_is_recognised_by_uid() {
    let journal = Journal::open_in_memory().unwrap();
    let Received::New(job) = journal.receive(&msg(5, Some("<a@x>"), RAW)).wait().unwrap() else {
        panic!("first sight must be new");
    };
    // Same place, even with other bytes and no Message-ID (a refetch): the same job.
    let Received::Known(known) = journal.receive(&msg(5, None, b"other")).wait().unwrap() else {
        panic!("same uid must be known");
    };
    assert_eq!(known.id, job);
    assert_eq!(journal.locations(job).unwrap().len(), 1);
    // Same UID under another UIDVALIDITY is another place.
    let mut other = msg(5, None, b"different bytes");
    other.uidvalidity = Some(8);
    assert!(matches!(
        journal.receive(&other).wait().unwrap(),
        Received::New(_)
    ));
}

#[test]
fn copy_is_recognised_by_message_id() {
    let journal = Journal::open_in_memory().unwrap();
    let Received::New(job) = journal.receive(&msg(5, Some("<a@x>"), RAW)).wait().unwrap() else {
        panic!("first sight must be new");
    };
    let redelivered = msg(6, Some(" a@x "), b"Received: by relay2\r\n\r\nhello\r\n");
    let Received::Known(known) = journal.receive(&redelivered).wait().unwrap() else {
        panic!("same Message-ID must be known");
    };
    assert_eq!(known.id, job);
    assert_eq!(known.message_id.as_deref(), Some("a@x"));
    let places: Vec<_> = journal
        .locations(job)
        .unwrap()
        .into_iter()
        .map(|l| l.uid)
        .collect();
    assert_eq!(places, [Some(5), Some(6)]);
    let last = journal.history(job).unwrap().pop().unwrap();
    assert_eq!(last.note, "copy seen at imap:INBOX 6");
    assert_eq!(
        (last.from, last.to),
        (Some(JobState::Received), JobState::Received)
    );
}

#[test]
fn copy_is_recognised_by_content_hash() {
    let journal = Journal::open_in_memory().unwrap();
    let Received::New(job) = journal.receive(&msg(5, None, RAW)).wait().unwrap() else {
        panic!("first sight must be new");
    };
    // The same bytes from a Maildir (LF line ends), no Message-ID.
    let lf = String::from_utf8(RAW.to_vec())
        .unwrap()
        .replace("\r\n", "\n");
    let copy = MessageRef::new(
        "maildir:/srv/mail",
        None,
        None,
        "1700.M1.host",
        None,
        lf.as_bytes(),
    );
    let Received::Known(known) = journal.receive(&copy).wait().unwrap() else {
        panic!("same bytes must be known");
    };
    assert_eq!(known.id, job);
    // A different message is a new job.
    assert!(matches!(
        journal.receive(&msg(6, None, b"another")).wait().unwrap(),
        Received::New(_)
    ));
}

#[test]
fn maildir_messages_are_keyed_by_file_name() {
    let journal = Journal::open_in_memory().unwrap();
    let at = |name: &str, raw: &[u8]| MessageRef::new("maildir:/m", None, None, name, None, raw);
    let Received::New(job) = journal.receive(&at("1.host", b"one")).wait().unwrap() else {
        panic!("new");
    };
    let Received::Known(known) = journal.receive(&at("1.host", b"changed")).wait().unwrap() else {
        panic!("known by name");
    };
    assert_eq!(known.id, job);
    assert!(matches!(
        journal.receive(&at("2.host", b"two")).wait().unwrap(),
        Received::New(_)
    ));
}

#[test]
fn locations_are_filed_and_stale_ones_forgotten() {
    let journal = Journal::open_in_memory().unwrap();
    let Received::New(job) = journal.receive(&msg(5, Some("<a@x>"), RAW)).wait().unwrap() else {
        panic!("new");
    };
    let mut after_change = msg(1, Some("<a@x>"), RAW);
    after_change.uidvalidity = Some(8);
    journal.receive(&after_change).wait().unwrap();
    assert_eq!(
        journal
            .forget_stale_locations("imap:INBOX", 8)
            .wait()
            .unwrap(),
        1
    );
    let unfiled = journal.unfiled_locations(job).unwrap();
    assert_eq!(unfiled.len(), 1);
    assert_eq!((unfiled[0].uidvalidity, unfiled[0].uid), (Some(8), Some(1)));
    journal.mark_filed(unfiled[0].id).wait().unwrap();
    journal.mark_filed(unfiled[0].id).wait().unwrap();
    assert!(journal.unfiled_locations(job).unwrap().is_empty());
    assert!(
        journal
            .locations(job)
            .unwrap()
            .iter()
            .all(|l| l.filed_at.is_some())
    );
}

#[test]
fn invite_is_recorded_and_its_url_stays_out_of_debug() {
    let journal = Journal::open_in_memory().unwrap();
    let job = new_job(&journal, 1);
    let mut found = invite("https://engage.example.com/invitations/accept?token=SECRETTOKEN");
    found.message_id = Some("<fwd@x>".into());
    journal.record_invite(job, &found).wait().unwrap();
    let record = journal.job(job).unwrap().unwrap();
    assert_eq!(record.state, JobState::Extracted);
    assert_eq!(record.platform.as_deref(), Some("Engage"));
    assert_eq!(record.invitee.as_deref(), Some("ann@example.org"));
    assert_eq!(record.message_id.as_deref(), Some("fwd@x"));
    assert!(
        record
            .invite_url
            .as_ref()
            .unwrap()
            .expose()
            .ends_with("SECRETTOKEN")
    );
    let debug = format!("{record:?} {found:?}");
    assert!(!debug.contains("SECRETTOKEN"), "{debug}");
    let other = new_job(&journal, 2);
    journal.record_invite(other, &found).wait().unwrap();
    let same = |key: &InviteKey| -> Vec<JobId> {
        let jobs = journal.jobs_with_invite_key("Engage", key).unwrap();
        jobs.iter().map(|j| j.id).collect()
    };
    assert_eq!(same(&found.invite_key), [job, other]);
    assert!(same(&InviteKey::of("https://engage.example.com/other")).is_empty());
    assert!(
        journal
            .jobs_with_invite_key("Other", &found.invite_key)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn invites_recorded_without_a_key_are_listed_until_keyed() {
    let journal = Journal::open_in_memory().unwrap();
    let job = new_job(&journal, 1);
    journal
        .record_invite(job, &invite("https://engage.example.com/accept?token=T"))
        .wait()
        .unwrap();
    assert!(journal.invites_without_key().unwrap().is_empty());
    // As an older version left it.
    journal
        .lock()
        .execute("UPDATE jobs SET invite_key = NULL", [])
        .unwrap();
    let old = journal.invites_without_key().unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!((old[0].0, old[0].1.as_str()), (job, "Engage"));
    assert!(old[0].2.expose().ends_with("token=T"));
    let key = InviteKey::of("normal form");
    journal
        .set_invite_keys(vec![(job, key.clone())])
        .wait()
        .unwrap();
    assert!(journal.invites_without_key().unwrap().is_empty());
    assert_eq!(
        journal.jobs_with_invite_key("Engage", &key).unwrap()[0].id,
        job
    );
}

#[test]
fn original_is_kept_with_a_new_job_only() {
    let journal = Journal::open_in_memory().unwrap();
    let Received::New(job) = journal
        .receive_original(&msg(5, Some("<a@x>"), RAW), RAW)
        .wait()
        .unwrap()
    else {
        panic!("first sight must be new");
    };
    assert_eq!(journal.original(job).unwrap().as_deref(), Some(RAW));
    // A copy elsewhere is recognised and does not replace what was kept.
    let copy = msg(6, Some("<a@x>"), b"other bytes");
    assert!(matches!(
        journal
            .receive_original(&copy, b"other bytes")
            .wait()
            .unwrap(),
        Received::Known(_)
    ));
    assert_eq!(journal.original(job).unwrap().as_deref(), Some(RAW));
    journal.forget_original(job).wait().unwrap();
    assert_eq!(journal.original(job).unwrap(), None);
}
