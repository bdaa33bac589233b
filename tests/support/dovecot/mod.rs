//! A throwaway Dovecot IMAP server for integration tests.
//!
//! In: nothing but Debian's `dovecot-imapd` on the machine (`/usr/sbin/dovecot`). Out: a
//! running server owned by the test — on two free loopback ports (IMAP with STARTTLS, and
//! IMAPS), with a certificate for `localhost`/`127.0.0.1` signed by a test CA minted
//! in-process, one user (`testuser`/`testpass` by default), Maildir storage, and its own
//! temp dir for config, state, logs and mail. Dropping the [`Dovecot`] kills it.
//!
//! ```ignore
//! mod support;
//! use support::dovecot::Dovecot;
//!
//! let dovecot = Dovecot::start();                       // blocks until it greets
//! dovecot.append("INBOX", b"Subject: hi\r\n\r\nbody\r\n").await;
//! let config = dovecot.imap_config(ImapSecurity::Tls);  // ready for Mailbox::from_config
//! assert_eq!(dovecot.count("onbehalf/done").await, 0);
//! ```
//!
//! Folder names given to the helpers use `/` between levels, as the onbehalf config
//! does; Dovecot's own separator here is `.` (its Maildir default), so the code under test
//! must translate — which is the point.
//!
//! Failure drills: [`Dovecot::stop`] / [`Dovecot::start_again`] / [`Dovecot::restart`]
//! (same ports, same mail), [`Dovecot::pause`] / [`Dovecot::resume`] (SIGSTOP/SIGCONT on
//! the whole process group: the kernel still accepts connections, but nothing answers —
//! a wedged server), and [`Dovecot::change_uidvalidity`].
//!
//! Works as root (mail is stored as `nobody:nogroup`) and unprivileged (everything runs as
//! the current user). Helpers panic on failure: they are test scaffolding.

#![allow(dead_code)]

mod mail;
mod setup;

use std::fmt::Write as _;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use onbehalf::config::{ImapAuth, ImapConfig, ImapSecurity};
use onbehalf::secret::SecretSource;

/// How long a start or a helper may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(15);

/// What to start; [`Default`] is `testuser`/`testpass` and the stock capabilities.
#[derive(Debug, Clone)]
pub struct DovecotOptions {
    /// The one user's login name.
    pub username: String,
    /// The one user's password.
    pub password: String,
    /// Lines appended to `dovecot.conf`, e.g. `imap_capability = IMAP4rev1 UIDPLUS` to
    /// take IDLE and MOVE away (the commands still work; clients just aren't told).
    pub extra_config: String,
    /// Accept XOAUTH2 too, checking each token with `GET <url><token>`; the endpoint
    /// answers 200 with `{"username": "<login>"}` for a good token (any other status
    /// refuses it). Dovecot's oauth2 passdb does the asking.
    pub oauth2_tokeninfo_url: Option<String>,
}

/// `extra_config` for a server laid out as Cyrus is: personal folders under `INBOX.`, `.`
/// between levels, and a shared namespace with no prefix (NAMESPACE answers
/// `(("INBOX." ".")) NIL (("" "."))`), so a name without the prefix is not a personal
/// folder at all. Helpers then name folders with the prefix (`INBOX/onbehalf/done`).
pub const INBOX_PREFIX: &str = "namespace inbox {\n  separator = .\n  prefix = INBOX.\n  \
     inbox = yes\n}\nnamespace shared {\n  type = public\n  separator = .\n  prefix =\n  \
     location = maildir:~/Shared\n}\n";

impl Default for DovecotOptions {
    fn default() -> Self {
        Self {
            username: "testuser".into(),
            password: "testpass".into(),
            extra_config: String::new(),
            oauth2_tokeninfo_url: None,
        }
    }
}

/// A running Dovecot; killed (with its whole process group) on drop.
pub struct Dovecot {
    dir: tempfile::TempDir,
    options: DovecotOptions,
    imap_port: u16,
    imaps_port: u16,
    ca_pem: String,
    /// The master process; it leads its own process group, so its workers can be
    /// signalled together.
    master: Option<Child>,
}

impl Dovecot {
    /// Starts a server with the default options.
    pub fn start() -> Self {
        Self::start_with(DovecotOptions::default())
    }

    /// Starts a server; retries on fresh ports if another process grabbed one meanwhile.
    pub fn start_with(options: DovecotOptions) -> Self {
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let (imap_port, imaps_port) = two_free_ports();
            let mut dovecot = Self::prepare(options.clone(), imap_port, imaps_port);
            match dovecot.launch() {
                Ok(()) => return dovecot,
                Err(log) => last_log = log,
            }
        }
        panic!("cannot start dovecot; its log:\n{last_log}");
    }

    /// The IMAP port (plain; STARTTLS offered).
    pub fn imap_port(&self) -> u16 {
        self.imap_port
    }

    /// The IMAPS port (implicit TLS).
    pub fn imaps_port(&self) -> u16 {
        self.imaps_port
    }

    /// The test CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A file holding [`Dovecot::ca_pem`], for `ca_file`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("tls/ca.pem")
    }

    /// A file holding the user's password, for `password_file`.
    pub fn password_file(&self) -> PathBuf {
        self.dir.path().join("imap-password")
    }

    /// The user's login name.
    pub fn username(&self) -> &str {
        &self.options.username
    }

    /// The user's password.
    pub fn password(&self) -> &str {
        &self.options.password
    }

    /// The instance's temp dir (config, logs, mail).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Dovecot's log so far, to print when a test fails.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// An onbehalf IMAP config for this server: port chosen by `security`, the test CA,
    /// the password file, default folders, a 5s command timeout.
    pub fn imap_config(&self, security: ImapSecurity) -> ImapConfig {
        ImapConfig {
            host: "127.0.0.1".into(),
            port: match security {
                ImapSecurity::Tls => self.imaps_port,
                ImapSecurity::StartTls | ImapSecurity::Plain => self.imap_port,
            },
            security,
            username: self.options.username.clone(),
            auth: ImapAuth::Password(SecretSource::File(self.password_file())),
            ca_file: (security != ImapSecurity::Plain).then(|| self.ca_file()),
            folder: "INBOX".into(),
            done_folder: "onbehalf/done".into(),
            needs_human_folder: "onbehalf/needs-human".into(),
            idle: true,
            idle_renew: Duration::from_secs(20 * 60),
            poll_interval: Duration::from_secs(60),
            timeout: Duration::from_secs(5),
        }
    }

    /// The same as a `[mailbox]` TOML table, for tests that write a config file.
    pub fn mailbox_toml(&self, security: ImapSecurity) -> String {
        let config = self.imap_config(security);
        let mut toml = format!(
            "[mailbox]\nkind = \"imap\"\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"{}\"\n\
             username = \"{}\"\npassword_file = \"{}\"\ntimeout = \"5s\"\n",
            config.port,
            match security {
                ImapSecurity::Tls => "tls",
                ImapSecurity::StartTls => "starttls",
                ImapSecurity::Plain => "plain",
            },
            config.username,
            self.password_file().display(),
        );
        if let Some(ca_file) = config.ca_file {
            let _ = writeln!(toml, "ca_file = \"{}\"", ca_file.display());
        }
        toml
    }

    /// Stops the server (SIGTERM, then waits); mail and ports are kept for `start_again`.
    pub fn stop(&mut self) {
        let Some(mut master) = self.master.take() else {
            return;
        };
        signal_group(master.id(), "CONT");
        signal(master.id(), "TERM");
        let deadline = Instant::now() + DEADLINE;
        while master.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                signal_group(master.id(), "KILL");
                let _ = master.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // Workers leave shortly after the master; make sure none still holds mail files.
        signal_group(master.id(), "KILL");
    }

    /// Starts a stopped server again on the same ports, with the same mail.
    pub fn start_again(&mut self) {
        assert!(self.master.is_none(), "dovecot is still running");
        let deadline = Instant::now() + DEADLINE;
        // The old listeners may take a moment to be released.
        while let Err(log) = self.launch() {
            assert!(
                Instant::now() < deadline,
                "cannot restart dovecot; its log:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops and starts the server (every client connection is cut).
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Freezes every Dovecot process (SIGSTOP): connections are still accepted by the
    /// kernel, but nothing is answered until [`Dovecot::resume`].
    pub fn pause(&self) {
        if let Some(master) = &self.master {
            signal_group(master.id(), "STOP");
        }
    }

    /// Undoes [`Dovecot::pause`].
    pub fn resume(&self) {
        if let Some(master) = &self.master {
            signal_group(master.id(), "CONT");
        }
    }

    /// The folder's current UIDVALIDITY.
    pub fn uidvalidity(&self, folder: &str) -> u32 {
        let out = self.doveadm(
            &["mailbox", "status", "-u", self.username(), "uidvalidity"],
            folder,
        );
        let value = out.trim().rsplit('=').next().unwrap_or_default();
        value
            .parse()
            .unwrap_or_else(|_| panic!("cannot read uidvalidity from {out:?}"))
    }

    /// Gives the folder a new UIDVALIDITY (as after a server migration); returns it.
    pub fn change_uidvalidity(&self, folder: &str) -> u32 {
        let new = self.uidvalidity(folder).wrapping_add(1000).max(1);
        let value = new.to_string();
        self.doveadm(
            &[
                "mailbox",
                "update",
                "-u",
                self.username(),
                "--uid-validity",
                &value,
            ],
            folder,
        );
        new
    }

    fn doveadm(&self, args: &[&str], folder: &str) -> String {
        let config = self.dir.path().join("dovecot.conf");
        let output = Command::new("doveadm")
            .arg("-c")
            .arg(&config)
            .args(args)
            .arg(mail::server_name(folder))
            .output()
            .expect("cannot run doveadm");
        assert!(
            output.status.success(),
            "doveadm {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Writes the config, TLS files, user database and mail home.
    fn prepare(options: DovecotOptions, imap_port: u16, imaps_port: u16) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("onbehalf-dovecot-")
            .tempdir()
            .expect("cannot make a temp dir");
        let root = dir.path();
        set_mode(root, 0o755);
        let ca_pem = setup::write_tls(&root.join("tls"));
        let passwd = format!("{}:{{PLAIN}}{}::::::\n", options.username, options.password);
        std::fs::write(root.join("passwd"), passwd).expect("cannot write passwd");
        std::fs::write(
            root.join("imap-password"),
            format!("{}\n", options.password),
        )
        .expect("cannot write the password file");
        std::fs::create_dir(root.join("home")).expect("cannot make home");
        let as_root = std::fs::metadata("/proc/self")
            .map(|m| m.uid())
            .unwrap_or(1)
            == 0;
        if as_root {
            let status = Command::new("chown")
                .arg("nobody:nogroup")
                .arg(root.join("home"))
                .status()
                .expect("cannot run chown");
            assert!(
                status.success(),
                "cannot chown the mail home to nobody:nogroup"
            );
        }
        let conf = setup::dovecot_conf(root, &options, imap_port, imaps_port, as_root);
        std::fs::write(root.join("dovecot.conf"), conf).expect("cannot write dovecot.conf");
        Self {
            dir,
            options,
            imap_port,
            imaps_port,
            ca_pem,
            master: None,
        }
    }

    /// Starts the master and waits for the greeting on both ports; on failure returns the
    /// log (the master is gone by then).
    fn launch(&mut self) -> Result<(), String> {
        let root = self.dir.path();
        let output = |name: &str| {
            std::fs::File::create(root.join(name)).map_or_else(|_| Stdio::null(), Stdio::from)
        };
        let mut master = Command::new("/usr/sbin/dovecot")
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(output("dovecot.stdout"))
            .stderr(output("dovecot.stderr"))
            .process_group(0)
            .spawn()
            .expect("cannot run /usr/sbin/dovecot (apt-get install dovecot-imapd)");
        let deadline = Instant::now() + DEADLINE;
        let ready = loop {
            if let Ok(Some(_)) = master.try_wait() {
                break false;
            }
            if greets(self.imap_port) && greets_tls_port(self.imaps_port) {
                break true;
            }
            if Instant::now() > deadline {
                signal_group(master.id(), "KILL");
                let _ = master.wait();
                break false;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if ready {
            self.master = Some(master);
            Ok(())
        } else {
            let stderr = std::fs::read_to_string(root.join("dovecot.stderr")).unwrap_or_default();
            Err(format!("{stderr}{}", self.log()))
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Some(mut master) = self.master.take() {
            signal_group(master.id(), "KILL");
            let _ = master.wait();
        }
    }
}
/// Two distinct free loopback ports (both held open while the second is chosen).
fn two_free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("cannot bind a port");
    let b = TcpListener::bind("127.0.0.1:0").expect("cannot bind a port");
    let ports = (
        a.local_addr().expect("local addr").port(),
        b.local_addr().expect("local addr").port(),
    );
    drop((a, b));
    ports
}

/// True when the port answers with an IMAP greeting.
fn greets(port: u16) -> bool {
    use std::io::Read;
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buffer = [0u8; 4];
    stream.read_exact(&mut buffer).is_ok() && &buffer == b"* OK"
}

/// True when the TLS port accepts connections (the handshake is the client's to test).
fn greets_tls_port(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

/// Signals every process in the group the master leads (workers included).
fn signal_group(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pid}"))
        .stderr(Stdio::null())
        .status();
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .expect("cannot chmod the temp dir");
}
