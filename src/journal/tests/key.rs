//! The sealed password at rest: encrypted on disk, the key from a systemd credential
//! or a private key file, a wrong key a clear error that erases nothing, and a journal
//! from before encryption sealed at its first keyed open.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::*;

/// Whether any file in `dir` holds `needle`.
fn on_disk(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).unwrap().any(|entry| {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        bytes.windows(needle.len()).any(|w| w == needle)
    })
}

fn settings(state: &Path, credentials: Option<&Path>, create_key: bool) -> OpenSettings {
    OpenSettings {
        key: KeyPlace::new(state, DEFAULT_KEY_CREDENTIAL, credentials),
        create_key,
        kept_password: DEFAULT_KEPT_PASSWORD,
    }
}

fn sealed_job(journal: &Journal, uid: u32) -> JobId {
    let job = job_in(journal, uid, JobState::Vetted);
    journal
        .seal_password(job, "ann@example.org", &pw())
        .wait()
        .unwrap();
    job
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_key_file_is_created_private_and_the_password_never_reaches_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open_with(dir.path(), &settings(dir.path(), None, true)).unwrap();
    let key_file = dir.path().join(KEY_FILE_NAME);
    assert_eq!(mode(&key_file), 0o600);
    assert_eq!(std::fs::metadata(&key_file).unwrap().len(), 32);
    let job = sealed_job(&journal, 1);
    assert!(!on_disk(dir.path(), pw().expose().as_bytes()));
    let conn = rusqlite::Connection::open(dir.path().join(FILE_NAME)).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    assert!(!on_disk(dir.path(), pw().expose().as_bytes()));
    assert_eq!(journal.sealed_password(job).unwrap(), Some(pw()));
    drop(journal);
    // The same key file opens it again.
    let journal = Journal::open_with(dir.path(), &settings(dir.path(), None, true)).unwrap();
    assert_eq!(journal.sealed_password(job).unwrap(), Some(pw()));
}

#[test]
fn a_key_file_others_may_read_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    drop(Journal::open(dir.path()).unwrap());
    let key_file = dir.path().join(KEY_FILE_NAME);
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let err = Journal::open_with(dir.path(), &settings(dir.path(), None, true)).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, JournalError::KeyMode { mode: 0o640, .. }),
        "{text}"
    );
    assert!(
        text.contains("chmod 600") && text.contains(KEY_FILE_NAME),
        "{text}"
    );
}

#[test]
fn a_credential_is_preferred_and_a_wrong_key_erases_nothing() {
    let state = tempfile::tempdir().unwrap();
    let credentials = tempfile::tempdir().unwrap();
    std::fs::write(
        credentials.path().join(DEFAULT_KEY_CREDENTIAL),
        "base64-or-any-text-of-32-bytes-or-more\n",
    )
    .unwrap();
    let by_credential = settings(state.path(), Some(credentials.path()), true);
    let job = {
        let journal = Journal::open_with(state.path(), &by_credential).unwrap();
        sealed_job(&journal, 1)
    };
    assert!(!state.path().join(KEY_FILE_NAME).exists());
    assert_eq!(
        by_credential.key.source(),
        KeySource::Credential(credentials.path().join(DEFAULT_KEY_CREDENTIAL))
    );
    // Without the credential, a key file of its own is made: it does not open the job.
    let journal = Journal::open_with(state.path(), &settings(state.path(), None, true)).unwrap();
    let err = journal.sealed_password(job).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, JournalError::Unseal(j) if j == job), "{text}");
    assert!(
        text.contains(&job.to_string()) && text.contains("kept"),
        "{text}"
    );
    assert!(!text.contains(pw().expose()), "{text}");
    assert!(journal.job(job).unwrap().unwrap().has_password);
    drop(journal);
    let journal = Journal::open_with(state.path(), &by_credential).unwrap();
    assert_eq!(journal.sealed_password(job).unwrap(), Some(pw()));
}

#[test]
fn a_short_credential_is_refused() {
    let state = tempfile::tempdir().unwrap();
    let credentials = tempfile::tempdir().unwrap();
    std::fs::write(credentials.path().join(DEFAULT_KEY_CREDENTIAL), "short").unwrap();
    let err = Journal::open_with(
        state.path(),
        &settings(state.path(), Some(credentials.path()), true),
    )
    .unwrap_err();
    assert!(
        matches!(err, JournalError::KeyTooShort { found: 5, .. }),
        "{err}"
    );
}

#[test]
fn a_command_without_the_key_reads_records_and_creates_no_key() {
    let state = tempfile::tempdir().unwrap();
    let credentials = tempfile::tempdir().unwrap();
    std::fs::write(credentials.path().join(DEFAULT_KEY_CREDENTIAL), [9u8; 32]).unwrap();
    let job = {
        let service = settings(state.path(), Some(credentials.path()), true);
        let journal = Journal::open_with(state.path(), &service).unwrap();
        let job = sealed_job(&journal, 1);
        ticketed(&journal, job, "uncertain_account_state");
        job
    };
    let journal = Journal::open_with(state.path(), &settings(state.path(), None, false)).unwrap();
    assert!(!state.path().join(KEY_FILE_NAME).exists());
    assert!(journal.job(job).unwrap().unwrap().has_password);
    assert!(matches!(journal.sealed_password(job), Err(JournalError::NoKey(j)) if j == job));
    // A plain retry needs no key; a login change re-seals and says why it cannot here.
    let err = journal
        .retry_as(job, Some("bob@example.org"))
        .wait()
        .unwrap_err();
    assert!(matches!(err, JournalError::NoKey(j) if j == job), "{err}");
    assert_eq!(journal.retry(job).wait().unwrap(), JobState::SigningUp);
}

#[test]
fn a_corrected_login_takes_the_password_along() {
    let journal = Journal::open_in_memory().unwrap();
    let job = sealed_job(&journal, 1);
    journal
        .transition(job, JobState::SignedUp, "landed")
        .wait()
        .unwrap();
    ticketed(&journal, job, "credentials_refused");
    assert_eq!(
        journal
            .retry_as(job, Some("bob@example.org"))
            .wait()
            .unwrap(),
        JobState::SignedUp
    );
    assert_eq!(journal.sealed_password(job).unwrap(), Some(pw()));
}

#[test]
fn plain_text_passwords_of_an_older_journal_are_sealed_at_the_first_keyed_open() {
    let dir = tempfile::tempdir().unwrap();
    let job = {
        let journal = Journal::open(dir.path()).unwrap();
        let job = sealed_job(&journal, 1);
        // What a journal written before encryption holds.
        journal
            .lock()
            .execute(
                "UPDATE jobs SET sealed_cipher = NULL, sealed_password = ?2 WHERE id = ?1",
                rusqlite::params![job.0, pw().expose()],
            )
            .unwrap();
        job
    };
    // Read as it is by a command without the key …
    std::fs::remove_file(dir.path().join(KEY_FILE_NAME)).unwrap();
    let reader = Journal::open_with(dir.path(), &settings(dir.path(), None, false)).unwrap();
    assert_eq!(reader.sealed_password(job).unwrap(), Some(pw()));
    drop(reader);
    // … and sealed by the daemon's first start.
    let journal = Journal::open(dir.path()).unwrap();
    assert_eq!(journal.sealed_password(job).unwrap(), Some(pw()));
    assert!(!on_disk(dir.path(), pw().expose().as_bytes()));
    let notes = notes(&journal, job);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("sealed with the journal key")),
        "{notes:?}"
    );
}

#[test]
fn moving_from_the_key_file_to_a_credential_still_opens_what_the_file_sealed() {
    let state = tempfile::tempdir().unwrap();
    let credentials = tempfile::tempdir().unwrap();
    let by_file = {
        let journal =
            Journal::open_with(state.path(), &settings(state.path(), None, true)).unwrap();
        sealed_job(&journal, 1)
    };
    std::fs::write(credentials.path().join(DEFAULT_KEY_CREDENTIAL), [5u8; 40]).unwrap();
    let by_credential = settings(state.path(), Some(credentials.path()), true);
    let journal = Journal::open_with(state.path(), &by_credential).unwrap();
    assert_eq!(journal.sealed_password(by_file).unwrap(), Some(pw()));
    let new = sealed_job(&journal, 2);
    drop(journal);
    // What the credential sealed does not open with the key file alone.
    let journal = Journal::open_with(state.path(), &settings(state.path(), None, true)).unwrap();
    assert!(matches!(journal.sealed_password(new), Err(JournalError::Unseal(j)) if j == new));
    assert_eq!(journal.sealed_password(by_file).unwrap(), Some(pw()));
}
