//! Looking into the test Dovecot as a plain IMAP client: append, read, count, flags.
//!
//! In: a running [`Dovecot`] and folder names with `/` between levels. Out: what the
//! server holds, read with `EXAMINE` and `BODY.PEEK` so the helpers change nothing.

use futures::TryStreamExt;

use super::{DEADLINE, Dovecot};

impl Dovecot {
    /// Appends a message to a folder (created if missing).
    pub async fn append(&self, folder: &str, message: &[u8]) {
        let name = server_name(folder);
        self.with_session(async |session| {
            if !session_has_folder(session, &name).await {
                session.create(&name).await?;
            }
            session.append(&name, None, None, message).await
        })
        .await;
    }

    /// The raw messages in a folder, by UID; empty when the folder does not exist.
    pub async fn messages(&self, folder: &str) -> Vec<Vec<u8>> {
        self.fetch_all(folder, "BODY.PEEK[]")
            .await
            .into_iter()
            .map(|(_, _, body)| body)
            .collect()
    }

    /// How many messages a folder holds (0 when it does not exist).
    pub async fn count(&self, folder: &str) -> usize {
        self.fetch_all(folder, "FLAGS").await.len()
    }

    /// Each message's UID and flags (`\Seen`, `\Deleted`, …), by UID.
    pub async fn flags(&self, folder: &str) -> Vec<(u32, Vec<String>)> {
        self.fetch_all(folder, "FLAGS")
            .await
            .into_iter()
            .map(|(uid, flags, _)| (uid, flags))
            .collect()
    }

    /// Expunges one message, as another mail client would.
    pub async fn expunge(&self, folder: &str, uid: u32) {
        let name = server_name(folder);
        self.with_session(async |session| {
            session.select(&name).await?;
            let stored: Vec<_> = session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Deleted)")
                .await?
                .try_collect()
                .await?;
            drop(stored);
            let gone: Vec<_> = session
                .uid_expunge(uid.to_string())
                .await?
                .try_collect()
                .await?;
            drop(gone);
            Ok(())
        })
        .await;
    }

    /// Deletes a folder and what it holds, as a person tidying up would.
    pub async fn delete_folder(&self, folder: &str) {
        let name = server_name(folder);
        self.with_session(async |session| session.delete(&name).await)
            .await;
    }

    /// Every folder, named with `/` between levels.
    pub async fn folders(&self) -> Vec<String> {
        self.with_session(async |session| {
            let names: Vec<_> = session
                .list(Some(""), Some("*"))
                .await?
                .try_collect()
                .await?;
            Ok(names.iter().map(|n| n.name().replace('.', "/")).collect())
        })
        .await
    }

    async fn fetch_all(&self, folder: &str, items: &str) -> Vec<(u32, Vec<String>, Vec<u8>)> {
        let name = server_name(folder);
        let query = format!("(UID FLAGS {items})");
        self.with_session(async |session| {
            if !session_has_folder(session, &name).await {
                return Ok(Vec::new());
            }
            session.examine(&name).await?;
            let fetches: Vec<_> = session
                .uid_fetch("1:*", &query)
                .await?
                .try_collect()
                .await?;
            let mut found: Vec<_> = fetches
                .iter()
                .filter_map(|f| {
                    let flags = f.flags().map(|flag| flag_name(&flag)).collect();
                    Some((f.uid?, flags, f.body().unwrap_or_default().to_vec()))
                })
                .collect();
            found.sort_by_key(|(uid, _, _)| *uid);
            Ok(found)
        })
        .await
    }

    /// Runs `work` on a fresh plain-IMAP session as the test user, under the deadline.
    async fn with_session<T>(
        &self,
        work: impl AsyncFnOnce(
            &mut async_imap::Session<tokio::net::TcpStream>,
        ) -> async_imap::error::Result<T>,
    ) -> T {
        let job = async {
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.imap_port)).await?;
            let mut client = async_imap::Client::new(tcp);
            client.read_response().await?;
            let mut session = client
                .login(self.username(), self.password())
                .await
                .map_err(|(e, _)| e)?;
            let result = work(&mut session).await?;
            session.logout().await?;
            Ok::<_, async_imap::error::Error>(result)
        };
        match tokio::time::timeout(DEADLINE, job).await {
            Ok(Ok(result)) => result,
            Ok(Err(e)) => panic!("dovecot helper failed: {e}\n{}", self.log()),
            Err(_) => panic!("dovecot helper timed out\n{}", self.log()),
        }
    }
}

fn flag_name(flag: &async_imap::types::Flag<'_>) -> String {
    use async_imap::types::Flag;
    match flag {
        Flag::Seen => "\\Seen".into(),
        Flag::Answered => "\\Answered".into(),
        Flag::Flagged => "\\Flagged".into(),
        Flag::Deleted => "\\Deleted".into(),
        Flag::Draft => "\\Draft".into(),
        Flag::Recent => "\\Recent".into(),
        Flag::MayCreate => "\\*".into(),
        Flag::Custom(name) => name.to_string(),
    }
}

pub(super) fn server_name(folder: &str) -> String {
    folder.replace('/', ".")
}

async fn session_has_folder(
    session: &mut async_imap::Session<tokio::net::TcpStream>,
    name: &str,
) -> bool {
    let pattern = format!("\"{name}\"");
    match session.list(Some(""), Some(&pattern)).await {
        Ok(stream) => stream
            .try_collect::<Vec<_>>()
            .await
            .is_ok_and(|names| names.iter().any(|n| n.name() == name)),
        Err(_) => false,
    }
}
