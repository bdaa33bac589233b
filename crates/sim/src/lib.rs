//! A small web app on loopback that behaves like the Engage platform's invite flow.
//!
//! In: [`SimOptions`] and invites issued with [`Simulator::issue_invite`]. Out: a real
//! HTTPS (or HTTP) server on `127.0.0.1` with server-side sessions, CSRF tokens, a
//! password policy and the failure modes of [`Behaviour`], plus what it saw: the
//! [`accounts`](Simulator::accounts) created and every [`request`](Simulator::requests)
//! received. It knows nothing of its clients; they cannot tell it from a real site.
//!
//! The flow, as a Rails app would serve it:
//!
//! - `GET /invitations/accept?token=T` (or `GET /join/T`, the token in the path as
//!   django-invitations has it) starts a session bound to the invite and redirects (303)
//!   to `/signup`; unknown, used and expired links get pages saying so (or, for
//!   [`Behaviour::SignInOnceUsed`], a redirect to the sign-in page with a flash message;
//!   [`Behaviour::UsedOnFirstView`] counts the first opening as the use).
//! - `GET /signup` renders the pre-filled form `form#signup` after an unrelated form.
//! - `POST /signup` checks the session, the CSRF token, the invited email, the terms and
//!   the password policy (8–16 characters; upper, lower, digit and one of `!@#$%^&*`,
//!   nothing else), then creates the account, logs it in and redirects (303) to `/home`.
//! - `GET /home` greets the logged-in user in `h1.welcome`; `GET`/`POST /login` and
//!   `POST /logout` do what they say.
//!
//! With [`Frontend::ScriptBuilt`] the same invites, policy and [`Behaviour`]s sit behind
//! a single-page app instead: the invite link serves an app shell whose script fetches
//! `GET /api/invitations/T`, renders the form and submits `POST /api/invitations/T/accept`
//! (JSON, CSRF token in a header), routing in the browser to `/home` or to
//! `/invitations/error`. The module `spa` says how in detail.
//!
//! Layout: [`tls`] mints certificates, `state` holds invites, sessions and accounts,
//! `routes` with `signup` and `login` answer requests (`spa` for the script-built
//! frontend, its script in `spa/app.js`), `pages` renders HTML, and `server` accepts
//! connections.

// Unit tests see every dev-dependency, which only integration tests use.
#![cfg_attr(test, allow(unused_crate_dependencies))]

mod login;
mod pages;
mod routes;
mod server;
mod signup;
mod spa;
mod state;
pub mod tls;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use tls::TestCa;

use state::{Invite, State};

/// How to run a [`Simulator`].
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Serve HTTPS with a certificate from a CA minted in-process (default), else HTTP.
    pub tls: bool,
    /// Host names in the certificate; the first one is used in URLs. `127.0.0.1` is
    /// always in the certificate as an IP address.
    pub hostnames: Vec<String>,
    /// Added to every response.
    pub latency: Duration,
    /// How the signup page is built: by the server, or by a script in the browser.
    pub frontend: Frontend,
    /// A URL the [`Frontend::ScriptBuilt`] app shell loads with `<script src>`, as a
    /// real app loads its analytics host's script. Clients that keep to the platform's
    /// host never request it.
    pub third_party_script: Option<String>,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            tls: true,
            hostnames: vec!["localhost".to_owned()],
            latency: Duration::ZERO,
            frontend: Frontend::ServerRendered,
            third_party_script: None,
        }
    }
}

/// How the invite's signup page reaches the browser.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Frontend {
    /// The server renders `form#signup` in HTML, posts and redirects (the flow above).
    #[default]
    ServerRendered,
    /// A single-page app: the invite link answers an app shell with no form; its script
    /// fetches the invite as JSON, renders the form with controlled inputs, posts JSON
    /// and routes in the browser (see `spa`).
    ScriptBuilt,
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// rcgen refused to make a certificate.
    #[error("cannot mint a test certificate for {names:?}")]
    Certificate {
        /// The names the certificate was for.
        names: Vec<String>,
        /// rcgen's reason.
        #[source]
        source: rcgen::Error,
    },
    /// rustls refused the certificate or key.
    #[error("cannot build the TLS server configuration")]
    Tls(#[source] rustls::Error),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

/// What an invite link does when used, beyond the normal flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// The normal flow.
    Normal,
    /// The accept page answers 410 "This invitation has expired…".
    Expired,
    /// An account for the invited email already exists (with another password, not
    /// listed in [`Simulator::accounts`]); submitting the form answers 422 "An account
    /// with this email address already exists. Log in instead."
    AlreadyRegistered,
    /// The server refuses passwords longer than `max_length` ("Password is too long").
    /// When `stated_in_html`, the password inputs carry that `maxlength` and a `pattern`;
    /// otherwise only the server knows.
    StricterPassword {
        /// The longest password the server accepts.
        max_length: usize,
        /// Whether the form's HTML states the limit.
        stated_in_html: bool,
    },
    /// The signup page always says "Already have an account? Sign in", as many do, and
    /// shows errors next to their fields (`.invalid-feedback`, the input `aria-invalid`
    /// and `aria-describedby` it); the server refuses passwords longer than `max_length`
    /// without the HTML saying so.
    StandingSignInHint {
        /// The longest password the server accepts.
        max_length: usize,
    },
    /// Once used, the invite link redirects (302) to `/login`, which shows the flash
    /// message "This invitation has already been accepted…" from the session, once.
    SignInOnceUsed,
    /// The first `GET` of the invite answers 429 with `Retry-After`; later ones are normal.
    RateLimitedOnce {
        /// The `Retry-After` value in seconds.
        retry_after_secs: u64,
    },
    /// The first `POST /signup` answers 503 and creates nothing; later ones are normal.
    ServerErrorOnce,
    /// A valid `POST /signup` answers 504, as a gateway whose backend is slow, and the
    /// backend creates the account (with the submitted password) this long after; until
    /// then the invite still shows its form.
    GatewayTimeoutThenCreates(Duration),
    /// A valid `POST /signup` creates the account but answers 200 with a page no profile
    /// knows ("Almost there", asking to confirm the email) instead of going home.
    UnrecognisedLanding,
    /// The signup page is a JavaScript application shell with no form in the HTML.
    JavaScriptOnly,
    /// Every `GET` of the invite redirects (302) to this absolute URL.
    RedirectTo(String),
    /// Responses to the invite and to its session are held back this long (the request
    /// itself is handled at once, as a slow network would do).
    Slow(Duration),
    /// The signup form also carries the inviter's address, in a hidden `inviter_email`
    /// input placed before the invitee's email (for the welcome mail to the inviter).
    ShowsInviter(String),
    /// An `email` parameter on the invite link pre-fills the signup form's email, and the
    /// account is created for whatever email the form sends back, as apps that let an
    /// invitee sign up under another address do.
    EmailFromQuery,
    /// The invite knows only the email: the form's first and last name fields (still
    /// `required`, `autocomplete` given-name/family-name) arrive empty.
    NamesNotPrefilled,
    /// The form also requires a phone number (`autocomplete="tel"`, labelled "Mobile
    /// phone"), which the platform never pre-fills.
    RequiresPhone,
    /// The invite is marked accepted when its link is first opened, as some platforms do:
    /// the session that opened it can still sign up, but any later visit of the link
    /// says "This invitation has already been used".
    UsedOnFirstView,
}

/// An invite to issue.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteSpec {
    /// The invited email; pre-filled and read-only on the form.
    pub email: String,
    /// Pre-filled, editable.
    pub first_name: String,
    /// Pre-filled, editable.
    pub last_name: String,
    /// The link's token; `None` draws a random one.
    pub token: Option<String>,
    /// What the link does.
    pub behaviour: Behaviour,
    /// The workspace inviting: an email has at most one account per workspace, so one
    /// person may accept invites to several.
    pub workspace: Option<String>,
}

impl InviteSpec {
    /// A normal invite with a random token.
    pub fn new(
        email: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
    ) -> Self {
        Self {
            email: email.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            token: None,
            behaviour: Behaviour::Normal,
            workspace: None,
        }
    }

    /// The same invite into another workspace.
    pub fn workspace(self, workspace: impl Into<String>) -> Self {
        Self {
            workspace: Some(workspace.into()),
            ..self
        }
    }

    /// The same invite with another behaviour.
    pub fn behaviour(self, behaviour: Behaviour) -> Self {
        Self { behaviour, ..self }
    }

    /// The same invite with a fixed token.
    pub fn token(self, token: impl Into<String>) -> Self {
        Self {
            token: Some(token.into()),
            ..self
        }
    }
}

impl fmt::Debug for InviteSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InviteSpec")
            .field("email", &self.email)
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("behaviour", &self.behaviour)
            .field("workspace", &self.workspace)
            .finish()
    }
}

/// An account created through the signup form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountRecord {
    /// The login.
    pub email: String,
    /// As submitted.
    pub first_name: String,
    /// As submitted.
    pub last_name: String,
}

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestRecord {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query, e.g. `/invitations/accept?token=…`.
    pub path: String,
}

/// A running simulator. Dropping it stops the server; [`Simulator::shutdown`] also
/// waits for it to stop.
pub struct Simulator {
    addr: SocketAddr,
    authority: String,
    scheme: &'static str,
    ca_pem: Option<String>,
    state: Arc<Mutex<State>>,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Starts a simulator on `127.0.0.1` at a free port.
    pub async fn start(options: SimOptions) -> Result<Simulator, SimError> {
        Self::start_on(options, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts a simulator listening on `listen` (port 0 picks a free one).
    pub async fn start_on(options: SimOptions, listen: SocketAddr) -> Result<Simulator, SimError> {
        let hostnames = if options.hostnames.is_empty() {
            SimOptions::default().hostnames
        } else {
            options.hostnames.clone()
        };
        let (tls_config, ca_pem) = if options.tls {
            let ca = TestCa::new()?;
            let mut names = hostnames.clone();
            names.push(Ipv4Addr::LOCALHOST.to_string());
            (Some(ca.server_config(&names)?), Some(ca.cert_pem()))
        } else {
            (None, None)
        };
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| SimError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: listen,
            source,
        })?;
        let state = Arc::new(Mutex::new(State::default()));
        let app = routes::App {
            state: Arc::clone(&state),
            secure_cookies: options.tls,
            latency: options.latency,
            frontend: options.frontend,
            third_party_script: options.third_party_script.clone(),
        };
        let stop = CancellationToken::new();
        let task = tokio::spawn(server::serve(
            listener,
            tls_config,
            routes::router(app),
            stop.clone(),
        ));
        Ok(Simulator {
            addr,
            authority: format!("{}:{}", hostnames[0], addr.port()),
            scheme: if options.tls { "https" } else { "http" },
            ca_pem,
            state,
            stop,
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `host:port` with the first host name, as in URLs.
    pub fn authority(&self) -> String {
        self.authority.clone()
    }

    /// `https://host:port` (`http://` without TLS), no trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// The PEM of the CA that signed the server's certificate, when serving HTTPS.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// Registers an invite and returns its full link,
    /// `https://host:port/invitations/accept?token=…`.
    pub fn issue_invite(&self, invite: InviteSpec) -> String {
        let token = invite.token.clone().unwrap_or_else(state::random_token);
        let query: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
        let mut state = state::lock(&self.state);
        if invite.behaviour == Behaviour::AlreadyRegistered {
            state.add_existing_account(&invite);
        }
        state.invites.insert(token, Invite::new(invite));
        format!("{}/invitations/accept?token={query}", self.base_url())
    }

    /// Registers an invite and returns a link carrying the token in its path,
    /// `https://host:port/join/…`.
    pub fn issue_path_invite(&self, invite: InviteSpec) -> String {
        let link = self.issue_invite(invite);
        match link.split_once("/invitations/accept?token=") {
            Some((base, token)) => format!("{base}/join/{token}"),
            None => link,
        }
    }

    /// The accounts created through the signup form, oldest first.
    pub fn accounts(&self) -> Vec<AccountRecord> {
        state::lock(&self.state).signed_up_accounts()
    }

    /// Whether `password` logs in to the account of `email` (any account, including
    /// one that existed before, as for [`Behaviour::AlreadyRegistered`]).
    pub fn password_works(&self, email: &str, password: &str) -> bool {
        state::lock(&self.state)
            .account(email)
            .is_some_and(|account| account.password_is(password))
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        state::lock(&self.state).requests.clone()
    }

    /// Stops the server and waits until it has stopped accepting and serving.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("addr", &self.addr)
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}
