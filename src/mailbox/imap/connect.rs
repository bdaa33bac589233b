//! Opening one authenticated IMAP session.
//!
//! In: the account settings. Out: a logged-in [`Connection`] with the server's
//! capabilities (IDLE, MOVE, UIDPLUS) and folder namespace (prefix and separator) — after TCP, TLS (implicit,
//! or STARTTLS spoken on the raw stream before async-imap sees the TLS stream), the
//! greeting and the login, each step under the configured timeout.

use std::collections::HashSet;

use async_imap::imap_proto::{Response, Status};
use async_imap::{Client, Session};
use futures::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_util::either::Either;

use super::Shared;
use super::auth::{self, Credential, XOAuth2};
use super::namespace::{self, Namespace};
use super::tls;
use crate::config::ImapSecurity;
use crate::mailbox::MailboxError;
use crate::mailbox::error::server_said;

/// The transport under an IMAP session: TLS, or plain on loopback.
pub(crate) type ImapStream = Either<TlsStream<TcpStream>, TcpStream>;

/// What the server offers beyond IMAP4rev1 that we use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Capabilities {
    /// RFC 2177: wait for changes without polling.
    pub(crate) idle: bool,
    /// RFC 6851: atomic UID MOVE.
    pub(crate) moves: bool,
    /// RFC 4315: UID EXPUNGE, so only our message is expunged.
    pub(crate) uidplus: bool,
}

/// A logged-in session and what we learned about the server.
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) session: Session<ImapStream>,
    pub(crate) capabilities: Capabilities,
    /// Where configured folders live on this server: prefix and separator.
    pub(crate) namespace: Namespace,
    /// The folder now SELECTed (as configured) and its UIDVALIDITY, so fetching and
    /// filing do not SELECT again: with thousands of messages in the folder, a SELECT
    /// costs the server more than the FETCH or MOVE it precedes. A server may not change
    /// the UIDVALIDITY of a selected folder (RFC 3501 2.3.1.1); it closes the connection.
    pub(crate) selected: Option<(String, Option<u32>)>,
    /// Destination folders (server names) known to exist on this connection, so filing
    /// does not LIST before every MOVE.
    pub(crate) known_folders: HashSet<String>,
}

impl Connection {
    /// The server's name for a configured folder (levels always separated by `/`).
    pub(crate) fn server_folder(&self, folder: &str) -> String {
        self.namespace.server_name(folder)
    }
}

/// Connects, secures, logs in and asks what the server can do.
pub(crate) async fn open(shared: &Shared) -> Result<Connection, MailboxError> {
    let config = &shared.config;
    let tcp = shared
        .within(
            "connect",
            TcpStream::connect((config.host.as_str(), config.port)),
        )
        .await?
        .map_err(|source| MailboxError::Connect {
            address: shared.address.clone(),
            source,
        })?;
    // Commands are small writes that wait for an answer: Nagle's algorithm would only hold
    // a command's tail back until the server's delayed ACK. Failing to set it is harmless.
    let _ = tcp.set_nodelay(true);
    let client = greeted_client(shared, tcp).await?;
    let mut session = login(shared, client).await?;
    let capabilities = shared
        .command("ask what the server supports", session.capabilities())
        .await?;
    let namespaces = capabilities.has_str("NAMESPACE");
    let capabilities = Capabilities {
        idle: capabilities.has_str("IDLE"),
        moves: capabilities.has_str("MOVE"),
        uidplus: capabilities.has_str("UIDPLUS"),
    };
    let namespace = namespace(shared, &mut session, namespaces).await?;
    Ok(Connection {
        session,
        capabilities,
        namespace,
        selected: None,
        known_folders: HashSet::new(),
    })
}

/// The server's NAMESPACE; without one, the root's separator from `LIST "" ""`.
async fn namespace(
    shared: &Shared,
    session: &mut Session<ImapStream>,
    announced: bool,
) -> Result<Namespace, MailboxError> {
    if announced && let Some(found) = namespace::ask(shared, session.get_mut()).await? {
        return Ok(found);
    }
    shared
        .command("list the folder separator", async {
            let names: Vec<_> = session
                .list(Some(""), Some("\"\""))
                .await?
                .try_collect()
                .await?;
            let delimiter = names
                .first()
                .and_then(|name| name.delimiter().map(str::to_owned));
            Ok(Namespace::flat(delimiter))
        })
        .await
}

/// Secures the connection as configured and reads the greeting: a client ready to log in.
async fn greeted_client(
    shared: &Shared,
    tcp: TcpStream,
) -> Result<Client<ImapStream>, MailboxError> {
    match shared.config.security {
        ImapSecurity::Tls => {
            let tls = secure(shared, tcp).await?;
            let mut client = Client::new(Either::Left(tls));
            greeting(shared, &mut client).await?;
            Ok(client)
        }
        ImapSecurity::StartTls => {
            let mut plain = Client::new(tcp);
            greeting(shared, &mut plain).await?;
            shared
                .within("STARTTLS", plain.run_command_and_check_ok("STARTTLS", None))
                .await?
                .map_err(|source| MailboxError::StartTls {
                    address: shared.address.clone(),
                    source: source.into(),
                })?;
            // Anything the server sent after its OK stays behind in the old buffer: that
            // is what RFC 3501 asks (no plaintext injected into the TLS session).
            let tls = secure(shared, plain.into_inner()).await?;
            Ok(Client::new(Either::Left(tls)))
        }
        ImapSecurity::Plain => {
            let mut client = Client::new(Either::Right(tcp));
            greeting(shared, &mut client).await?;
            Ok(client)
        }
    }
}

async fn secure(shared: &Shared, tcp: TcpStream) -> Result<TlsStream<TcpStream>, MailboxError> {
    shared
        .within(
            "finish the TLS handshake",
            tls::handshake(&shared.tls, &shared.config.host, &shared.address, tcp),
        )
        .await?
}

async fn greeting<T>(shared: &Shared, client: &mut Client<T>) -> Result<(), MailboxError>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let greeting_error = |reason: String| MailboxError::Greeting {
        address: shared.address.clone(),
        reason,
    };
    let response = shared
        .within("read the greeting", client.read_response())
        .await?
        .map_err(|source| MailboxError::Connect {
            address: shared.address.clone(),
            source,
        })?
        .ok_or_else(|| greeting_error("it closed the connection before greeting".into()))?;
    match response.parsed() {
        Response::Data {
            status: Status::Ok | Status::PreAuth,
            ..
        } => Ok(()),
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Err(greeting_error(format!(
            "it refused the connection: {}",
            outcome.information.as_deref().unwrap_or("BYE")
        ))),
        _ => Err(greeting_error(
            "its greeting is not an IMAP greeting (is this the IMAP port?)".into(),
        )),
    }
}

async fn login(
    shared: &Shared,
    client: Client<ImapStream>,
) -> Result<Session<ImapStream>, MailboxError> {
    let config = &shared.config;
    let username = config.username.as_str();
    let credential = auth::credential(&config.auth, username, config.timeout).await?;
    let attempt = match &credential {
        Credential::Password(password) => {
            shared
                .within("log in", client.login(username, password.expose()))
                .await?
        }
        Credential::AccessToken(token) => {
            shared
                .within(
                    "log in",
                    client.authenticate("XOAUTH2", XOAuth2::new(username, token)),
                )
                .await?
        }
    };
    attempt.map_err(|(error, _client)| MailboxError::Login {
        address: shared.address.clone(),
        username: username.to_owned(),
        reason: server_said(&error),
    })
}
