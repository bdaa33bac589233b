//! `onbehalf-demo simulator`: run the bundled Engage look-alike in the foreground so a person
//! can try `onbehalf` against it by hand.
//!
//! In: the listening options. Out: the base URL, the CA certificate written to a file,
//! invite links to use, a ready `[[platform]]` profile, then the server until Ctrl-C,
//! and the accounts created when it stops.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use onbehalf_sim::{Behaviour, Frontend, InviteSpec, SimOptions, Simulator};

/// Arguments of `onbehalf-demo simulator`.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Serve plain HTTP instead of HTTPS (the profile then needs allow_http = true).
    #[arg(long)]
    http: bool,
    /// The port to listen on, on 127.0.0.1 only; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 8443)]
    port: u16,
    /// How many normal invites to issue (for jane1@partner.test, jane2@partner.test, …).
    #[arg(long, value_name = "N", default_value_t = 3)]
    invites: usize,
    /// Also issue one invite per failure mode: expired, already registered, stricter
    /// password, rate limited, server error, JavaScript-only.
    #[arg(long)]
    failure_modes: bool,
    /// The host name in URLs and in the certificate (repeat for more; the first one is
    /// used in URLs). Names other than localhost must resolve to 127.0.0.1, e.g. through
    /// /etc/hosts.
    #[arg(long = "hostname", value_name = "HOST", default_value = "localhost")]
    hostnames: Vec<String>,
    /// Where to write the CA certificate to trust (default: a new temporary directory,
    /// removed on exit).
    #[arg(long, value_name = "FILE")]
    ca_out: Option<PathBuf>,
    /// Milliseconds added to every response, to feel a slow network.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// Serve the signup as a single-page app (an app shell whose script builds the form
    /// from a JSON API), which only a browser can fill in.
    #[arg(long)]
    script_built: bool,
}

/// Runs the simulator until Ctrl-C; returns the exit status.
pub fn run(args: &SimArgs) -> u8 {
    let runtime = match onbehalf::cli::runtime() {
        Ok(runtime) => runtime,
        Err(status) => return status,
    };
    runtime.block_on(serve(args))
}

async fn serve(args: &SimArgs) -> u8 {
    let options = SimOptions {
        tls: !args.http,
        hostnames: args.hostnames.clone(),
        latency: Duration::from_millis(args.latency_ms),
        frontend: if args.script_built {
            Frontend::ScriptBuilt
        } else {
            Frontend::ServerRendered
        },
        third_party_script: None,
    };
    let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let sim = match Simulator::start_on(options, listen).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("onbehalf: {}", onbehalf::report::chain(&e));
            eprintln!("hint: choose another port with --port, or --port 0 for any free one");
            return onbehalf::cli::EXIT_USAGE;
        }
    };
    let ca = match write_ca(&sim, args) {
        Ok(ca) => ca,
        Err(message) => {
            eprintln!("onbehalf: {message}");
            return onbehalf::cli::EXIT_INPUT;
        }
    };
    println!(
        "Engage simulator at {} (listening on {})",
        sim.base_url(),
        sim.addr()
    );
    if let Some(ca) = &ca {
        println!("CA certificate to trust: {}", ca.path.display());
    }
    print_invites(&sim, args);
    println!(
        "\nA platform profile for onbehalf.toml:\n\n{}",
        profile(&sim, ca.as_ref())
    );
    println!("Serving until Ctrl-C.");
    let _ = tokio::signal::ctrl_c().await;
    let accounts = sim.accounts();
    println!("\nStopping. {} account(s) created:", accounts.len());
    for account in accounts {
        println!(
            "  {} ({} {})",
            account.email, account.first_name, account.last_name
        );
    }
    sim.shutdown().await;
    if let Some(ca) = ca {
        ca.remove();
    }
    onbehalf::cli::EXIT_OK
}

/// The CA file written for this run; removed on exit when it is in our own temp dir.
struct CaFile {
    path: PathBuf,
    temp_dir: Option<PathBuf>,
}

impl CaFile {
    fn remove(self) {
        if let Some(dir) = self.temp_dir {
            let _ = std::fs::remove_file(&self.path);
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn write_ca(sim: &Simulator, args: &SimArgs) -> Result<Option<CaFile>, String> {
    let Some(pem) = sim.ca_pem() else {
        return Ok(None);
    };
    let (path, temp_dir) = match &args.ca_out {
        Some(path) => (path.clone(), None),
        None => {
            // A fresh directory (mkdir fails if it exists), so nothing planted is followed.
            let dir = std::env::temp_dir().join(format!(
                "onbehalf-simulator-{}-{:08x}",
                std::process::id(),
                rand::random::<u32>()
            ));
            std::fs::create_dir(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            (dir.join("ca.pem"), Some(dir))
        }
    };
    std::fs::write(&path, pem).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Some(CaFile { path, temp_dir }))
}

fn print_invites(sim: &Simulator, args: &SimArgs) {
    println!("\nInvites:");
    for n in 1..=args.invites {
        let email = format!("jane{n}@partner.test");
        let url = sim.issue_invite(InviteSpec::new(&email, "Jane", format!("Doe {n}")));
        println!("  {email:<32} {url}");
    }
    if !args.failure_modes {
        return;
    }
    println!("\nInvites that fail in the ways a real platform does:");
    let modes = [
        ("expired", Behaviour::Expired),
        ("registered", Behaviour::AlreadyRegistered),
        (
            "strict",
            Behaviour::StricterPassword {
                max_length: 12,
                stated_in_html: false,
            },
        ),
        (
            "ratelimited",
            Behaviour::RateLimitedOnce {
                retry_after_secs: 5,
            },
        ),
        ("servererror", Behaviour::ServerErrorOnce),
        ("jsonly", Behaviour::JavaScriptOnly),
    ];
    for (name, behaviour) in modes {
        let email = format!("{name}@partner.test");
        let spec = InviteSpec::new(&email, "Jane", name).behaviour(behaviour);
        println!("  {email:<32} {}", sim.issue_invite(spec));
    }
}

/// A `[[platform]]` table that points onbehalf at this simulator.
fn profile(sim: &Simulator, ca: Option<&CaFile>) -> String {
    let base = sim.base_url();
    let mut toml = format!(
        "[[platform]]\nname = \"Engage\"\n\
         invite_links = [\"{base}/invitations/accept?*\"]\n\
         allowed_hosts = [\"{}\"]\n\
         signup_form = \"form#signup\"\n\
         password_fields = [\"password\", \"password_confirmation\"]\n\
         tick_checkboxes = [\"accept_terms\"]\n\
         success_url = \"{base}/home\"\n\
         success_selector = \"h1.welcome\"\n",
        sim.authority()
    );
    match ca {
        Some(ca) => {
            let path = toml::Value::String(ca.path.display().to_string());
            toml += &format!("ca_file = {path}\n");
        }
        None => toml += "allow_http = true\n",
    }
    toml
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use onbehalf::config::Config;

    async fn parsed_profile(tls: bool) -> (Simulator, Config) {
        let options = SimOptions {
            tls,
            ..SimOptions::default()
        };
        let sim = Simulator::start(options).await.unwrap();
        let ca = CaFile {
            path: PathBuf::from("/tmp/some dir/ca.pem"),
            temp_dir: None,
        };
        let text = profile(&sim, tls.then_some(&ca));
        let config = Config::from_toml(&text, Path::new("/etc/onbehalf/onbehalf.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        (sim, config)
    }

    #[tokio::test]
    async fn printed_profile_is_a_valid_config_that_matches_the_invites() {
        let (sim, config) = parsed_profile(true).await;
        let platform = &config.platforms[0];
        let invite = sim.issue_invite(InviteSpec::new("a@b.test", "A", "B"));
        assert!(platform.is_invite_link(&invite));
        assert!(platform.allows("https", "localhost", sim.addr().port()));
        assert_eq!(
            platform.ca_file.as_deref(),
            Some(Path::new("/tmp/some dir/ca.pem"))
        );
        assert!(!platform.allow_http);
    }

    #[tokio::test]
    async fn printed_profile_allows_http_when_the_simulator_serves_http() {
        let (sim, config) = parsed_profile(false).await;
        let platform = &config.platforms[0];
        assert!(platform.allow_http);
        assert!(platform.is_invite_link(&sim.issue_invite(InviteSpec::new("a@b.test", "A", "B"))));
        assert!(platform.allows("http", "localhost", sim.addr().port()));
    }
}
