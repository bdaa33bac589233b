//! The key that encrypts sealed passwords at rest, and where it comes from.
//!
//! In: the state directory, the name of a systemd credential and `$CREDENTIALS_DIRECTORY`.
//! Out: a [`SealKey`] that seals a password for one job (ChaCha20-Poly1305 from `ring`,
//! the AEAD already compiled in for TLS; a random 96-bit nonce per seal; the job id and
//! the login as associated data, so a ciphertext moved to another job or login does not
//! open), or a [`JournalError`] that says which file is wrong and how to fix it.
//!
//! The key comes from the systemd credential `$CREDENTIALS_DIRECTORY/<name>` when it
//! exists (`LoadCredentialEncrypted=` keeps it encrypted on disk with the machine's TPM
//! or host key), else from `journal.key` beside the journal, created 0600 with 32 random
//! bytes at the first start. A key file beside the database protects backups and copies
//! of the database; it does not protect against root on the machine, which can read both.
//! Either source must hold at least 32 bytes; the AEAD key is their SHA-256 under a label,
//! so a raw, hex or base64 key all work. With a credential, a key file still in place
//! opens (never seals) what it sealed before the credential was set up.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ring::aead::{
    Aad, CHACHA20_POLY1305, LessSafeKey, MAX_TAG_LEN as TAG_LEN, NONCE_LEN, Nonce, UnboundKey,
};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::error::JournalError;
use super::types::JobId;
use crate::secret::Secret;

/// The key file's name inside the state directory.
pub const KEY_FILE_NAME: &str = "journal.key";

/// The systemd credential read when `[journal] key_credential` is not set.
pub const DEFAULT_KEY_CREDENTIAL: &str = "journal-key";

/// The fewest bytes a key source must hold.
const MIN_KEY_BYTES: usize = 32;

/// Ahead of every ciphertext: which format it is, so a later one can be told apart.
const FORMAT: u8 = 1;

/// Where the journal's key may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPlace {
    /// `$CREDENTIALS_DIRECTORY/<name>`, when a credentials directory is set.
    pub credential: Option<PathBuf>,
    /// The key file beside the journal.
    pub key_file: PathBuf,
}

/// Where the key was (or would be) read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A systemd credential.
    Credential(PathBuf),
    /// The key file beside the journal.
    KeyFile(PathBuf),
}

impl KeyPlace {
    /// The places for `state_dir`, with the credential `name` looked up in
    /// `credentials_dir` (systemd's `$CREDENTIALS_DIRECTORY`).
    pub fn new(state_dir: &Path, name: &str, credentials_dir: Option<&Path>) -> Self {
        Self {
            credential: credentials_dir.map(|dir| dir.join(name)),
            key_file: state_dir.join(KEY_FILE_NAME),
        }
    }

    /// [`KeyPlace::new`] with the credentials directory systemd set for this process.
    pub fn from_env(state_dir: &Path, name: &str) -> Self {
        let dir = std::env::var_os("CREDENTIALS_DIRECTORY").map(PathBuf::from);
        Self::new(state_dir, name, dir.as_deref())
    }

    /// The credential when it exists, else the key file (which may not exist yet).
    pub fn source(&self) -> KeySource {
        match &self.credential {
            Some(path) if path.exists() => KeySource::Credential(path.clone()),
            _ => KeySource::KeyFile(self.key_file.clone()),
        }
    }

    /// Loads the key; creates the key file when there is no credential and no file yet
    /// and `create` is set, else gives `None` when neither exists.
    pub(super) fn load(&self, create: bool) -> Result<Option<SealKey>, JournalError> {
        match self.source() {
            KeySource::Credential(path) => {
                let mut key = read_key(&path)?;
                // Passwords sealed before the credential was set up still open.
                if self.key_file.exists() && check_mode(&self.key_file).is_ok() {
                    key.1 = read_key(&self.key_file).ok().map(Box::new);
                }
                Ok(Some(key))
            }
            KeySource::KeyFile(path) if path.exists() => {
                check_mode(&path)?;
                read_key(&path).map(Some)
            }
            KeySource::KeyFile(path) if create => match create_key_file(&path) {
                // Another process (a second `once`) created it a moment ago: use that one.
                Err(JournalError::KeyCreate { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    check_mode(&path)?;
                    read_key(&path).map(Some)
                }
                created => created.map(Some),
            },
            KeySource::KeyFile(_) => Ok(None),
        }
    }

    /// What `check-config` says about the key: its source, and a problem if it cannot be
    /// used (never its bytes). A key file not yet created is no problem.
    pub fn inspect(&self) -> (KeySource, Result<(), JournalError>) {
        let source = self.source();
        let verdict = match &source {
            KeySource::Credential(path) => read_key(path).map(drop),
            KeySource::KeyFile(path) if path.exists() => {
                check_mode(path).and_then(|()| read_key(path).map(drop))
            }
            KeySource::KeyFile(_) => Ok(()),
        };
        (source, verdict)
    }
}

/// Refuses a key file others may read: the key would protect nothing.
fn check_mode(path: &Path) -> Result<(), JournalError> {
    let meta = std::fs::metadata(path).map_err(|source| JournalError::KeyRead {
        path: path.to_owned(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(JournalError::KeyMode {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

fn read_key(path: &Path) -> Result<SealKey, JournalError> {
    let read_error = |source| JournalError::KeyRead {
        path: path.to_owned(),
        source,
    };
    let mut bytes = Zeroizing::new(Vec::new());
    File::open(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(read_error)?;
    SealKey::derive(&bytes).ok_or_else(|| JournalError::KeyTooShort {
        path: path.to_owned(),
        found: bytes.len(),
    })
}

fn create_key_file(path: &Path) -> Result<SealKey, JournalError> {
    let write_error = |source| JournalError::KeyCreate {
        path: path.to_owned(),
        source,
    };
    let mut bytes = Zeroizing::new([0u8; MIN_KEY_BYTES]);
    SystemRandom::new()
        .fill(bytes.as_mut())
        .map_err(|_| write_error(std::io::Error::other("no random bytes from the system")))?;
    // Written whole under a name of its own, then linked into place: a process starting
    // at the same time sees no key file or a complete one, and only one key wins.
    let draft = path.with_extension(format!("key.new-{}", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&draft)
        .and_then(|mut file| {
            file.write_all(bytes.as_ref())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::hard_link(&draft, path));
    let _ = std::fs::remove_file(&draft);
    written.map_err(write_error)?;
    if let Some(dir) = path.parent() {
        File::open(dir)
            .and_then(|dir| dir.sync_all())
            .map_err(write_error)?;
    }
    tracing::info!(path = %path.display(), "created the journal's key file");
    SealKey::derive(bytes.as_ref()).ok_or_else(|| JournalError::KeyTooShort {
        path: path.to_owned(),
        found: MIN_KEY_BYTES,
    })
}

/// The AEAD key. `ring` keeps no copy it could wipe on drop; ours is wiped. A journal
/// moved from its key file to a credential keeps the file's key to open what it sealed.
pub struct SealKey(LessSafeKey, Option<Box<SealKey>>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey([redacted])")
    }
}

impl SealKey {
    /// The key from a source's bytes, `None` when there are too few.
    fn derive(material: &[u8]) -> Option<Self> {
        if material.len() < MIN_KEY_BYTES {
            return None;
        }
        let mut hash = Sha256::new();
        hash.update(b"onbehalf journal key v1\0");
        hash.update(material);
        let digest = Zeroizing::new(<[u8; 32]>::from(hash.finalize()));
        let key = UnboundKey::new(&CHACHA20_POLY1305, digest.as_ref()).ok()?;
        Some(Self(LessSafeKey::new(key), None))
    }

    /// A random key for a journal that lives in memory only.
    pub(super) fn ephemeral() -> Result<Self, JournalError> {
        let mut bytes = Zeroizing::new([0u8; MIN_KEY_BYTES]);
        SystemRandom::new()
            .fill(bytes.as_mut())
            .map_err(|_| JournalError::NoRandom)?;
        Self::derive(bytes.as_ref()).ok_or(JournalError::NoRandom)
    }

    /// Seals `password` for `job` and `login`: format byte, nonce, ciphertext and tag.
    pub(super) fn seal(
        &self,
        job: JobId,
        login: &str,
        password: &Secret,
    ) -> Result<Vec<u8>, JournalError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| JournalError::NoRandom)?;
        let plain = password.expose().as_bytes();
        // Room for the tag, so appending it never leaves a copy in a freed buffer.
        let mut sealed = Zeroizing::new(Vec::with_capacity(plain.len() + TAG_LEN));
        sealed.extend_from_slice(plain);
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated(job, login)),
                &mut *sealed,
            )
            .map_err(|_| JournalError::Seal(job))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`seal`](Self::seal) made for the same job and login, with this key or
    /// the one before it.
    pub(super) fn open(
        &self,
        job: JobId,
        login: &str,
        blob: &[u8],
    ) -> Result<Secret, JournalError> {
        self.open_with_this(job, login, blob)
            .or_else(|error| match &self.1 {
                Some(earlier) => earlier.open(job, login, blob),
                None => Err(error),
            })
    }

    fn open_with_this(&self, job: JobId, login: &str, blob: &[u8]) -> Result<Secret, JournalError> {
        let unseal = || JournalError::Unseal(job);
        let (&format, rest) = blob.split_first().ok_or_else(unseal)?;
        if format != FORMAT || rest.len() < NONCE_LEN {
            return Err(unseal());
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unseal())?;
        let mut buffer = Zeroizing::new(sealed.to_vec());
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(associated(job, login)), &mut buffer)
            .map_err(|_| unseal())?;
        let text = std::str::from_utf8(plain).map_err(|_| unseal())?;
        Ok(Secret::new(text))
    }
}

/// What binds a ciphertext to its row.
fn associated(job: JobId, login: &str) -> Vec<u8> {
    format!("onbehalf sealed password v1\0{}\0{login}", job.0).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SealKey {
        SealKey::derive(&[byte; 32]).unwrap()
    }

    #[test]
    fn a_sealed_password_opens_only_for_its_job_login_and_key() {
        let password = Secret::new("Xy7#kq2!Lm9$");
        let blob = key(1).seal(JobId(4), "ann@example.org", &password).unwrap();
        assert!(!blob.windows(12).any(|w| w == password.expose().as_bytes()));
        assert_eq!(
            key(1).open(JobId(4), "ann@example.org", &blob).unwrap(),
            password
        );
        for (job, login, key) in [
            (JobId(5), "ann@example.org", key(1)),
            (JobId(4), "eve@example.org", key(1)),
            (JobId(4), "ann@example.org", key(2)),
        ] {
            let err = key.open(job, login, &blob).unwrap_err().to_string();
            assert!(err.contains(&job.to_string()), "{err}");
            assert!(!err.contains(password.expose()), "{err}");
        }
        assert!(key(1).open(JobId(4), "ann@example.org", &[]).is_err());
        assert!(
            key(1)
                .open(JobId(4), "ann@example.org", &blob[..9])
                .is_err()
        );
    }

    #[test]
    fn each_seal_has_its_own_nonce() {
        let password = Secret::new("Xy7#kq2!Lm9$");
        let a = key(1).seal(JobId(1), "a@x.test", &password).unwrap();
        let b = key(1).seal(JobId(1), "a@x.test", &password).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn short_key_material_is_refused() {
        assert!(SealKey::derive(&[7; 31]).is_none());
        assert!(SealKey::derive(b"0123456789abcdef0123456789abcdef\n").is_some());
    }
}
