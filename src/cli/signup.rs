//! `onbehalf signup`: run the signup stage once for a pasted invite link.
//!
//! In: the config, an invite URL and flags. Out: one line (or one JSON object) saying
//! whether the account was created, and the exit status (0 created or dry run shown,
//! 1 failed, 2 wrong usage). The password is printed only with `--reveal-password`.

use std::collections::HashMap;
use std::net::SocketAddr;

use serde_json::json;

use crate::config::{Config, Platform};
use crate::secret::Secret;
use crate::signup::{self, Account, NoGuard, ProbedForm, SignupFailure, SignupOptions};

/// Arguments of `onbehalf signup`.
#[derive(Debug, clap::Args)]
pub struct SignupArgs {
    #[command(flatten)]
    config: super::ConfigArg,
    /// The platform profile to use; by default the one whose invite_links match the URL.
    #[arg(long, value_name = "NAME")]
    platform: Option<String>,
    /// Open the invite and show the form that would be sent, without submitting it.
    /// Opening it is a visit: a platform that marks an invite accepted when it is first
    /// opened counts it as the use, so after a dry run (or any failed attempt) the link
    /// may be used up.
    #[arg(long)]
    dry_run: bool,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Also print the generated password (never shown otherwise).
    #[arg(long)]
    reveal_password: bool,
    /// Connect to ADDR for HOST instead of resolving it (like curl's --resolve), e.g.
    /// engage.example.com=127.0.0.1:8443. The operator's choice passes the private-address
    /// guard.
    #[arg(long, value_name = "HOST=ADDR")]
    resolve: Vec<String>,
    /// The address the invitation is for: a form pre-filled with another address is not
    /// submitted (login_mismatch).
    #[arg(long, value_name = "ADDRESS")]
    invitee: Option<String>,
    /// The invitee's name as the invitation's To line shows it ("Jane Doe" or
    /// "Doe, Jane"): it fills required name fields the platform left empty.
    #[arg(long, value_name = "NAME")]
    invitee_name: Option<String>,
    /// The invite link, as pasted from the email; `-` reads it from standard input, so the
    /// token is not in the process list or the shell history.
    #[arg(value_name = "URL")]
    url: String,
}

/// Runs the command; returns the exit status.
pub fn run(args: &SignupArgs) -> u8 {
    let config = match args.config.load() {
        Ok(config) => config,
        Err(status) => return status,
    };
    let url = match invite_url(&args.url) {
        Ok(url) => url,
        Err(message) => {
            eprintln!("onbehalf: {message}");
            return super::EXIT_USAGE;
        }
    };
    let platform = match choose_platform(&config, args.platform.as_deref(), url.expose()) {
        Ok(platform) => platform,
        Err(message) => {
            eprintln!("onbehalf: {message}");
            return super::EXIT_USAGE;
        }
    };
    let options = match overrides(&args.resolve) {
        Ok(address_overrides) => SignupOptions {
            address_overrides,
            dry_run: args.dry_run,
            expected_login: args.invitee.clone(),
            invitee_name: args.invitee_name.clone(),
        },
        Err(message) => {
            eprintln!("onbehalf: {message}");
            return super::EXIT_USAGE;
        }
    };
    let runtime = match super::runtime() {
        Ok(runtime) => runtime,
        Err(status) => return status,
    };
    if args.dry_run {
        let outcome = runtime.block_on(signup::probe(platform, url.expose(), &options));
        return print_probe(outcome, args.json);
    }
    let outcome = runtime.block_on(signup::sign_up(
        platform,
        url.expose(),
        &options,
        &mut NoGuard,
    ));
    print_outcome(outcome, args)
}

/// The URL argument, or with `-` the first line of standard input.
fn invite_url(arg: &str) -> Result<Secret, String> {
    if arg != "-" {
        return Ok(Secret::new(arg));
    }
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the invite link from standard input: {e}"))?;
    let url = line.trim();
    if url.is_empty() {
        return Err("standard input holds no invite link (write it as one line)".to_owned());
    }
    Ok(Secret::new(url))
}

/// The `--platform` profile, else the first whose invite_links match `url`.
pub fn choose_platform<'a>(
    config: &'a Config,
    name: Option<&str>,
    url: &str,
) -> Result<&'a Platform, String> {
    let names = || {
        let names: Vec<&str> = config.platforms.iter().map(|p| p.name.as_str()).collect();
        names.join(", ")
    };
    match name {
        Some(name) => config.platform(name).ok_or_else(|| {
            format!(
                "no platform named {name:?} in {} (it has: {})",
                config.path.display(),
                names()
            )
        }),
        None => config
            .platforms
            .iter()
            .find(|p| p.is_invite_link(url.trim()))
            .ok_or_else(|| {
                format!(
                    "the link matches no platform's invite_links in {} (platforms: {}); \
                     name one with --platform",
                    config.path.display(),
                    names()
                )
            }),
    }
}

fn overrides(texts: &[String]) -> Result<HashMap<String, SocketAddr>, String> {
    texts
        .iter()
        .map(|text| {
            let (host, addr) = text
                .split_once('=')
                .ok_or_else(|| format!("--resolve {text:?}: write HOST=ADDR:PORT"))?;
            let addr = addr
                .trim()
                .parse::<SocketAddr>()
                .map_err(|e| format!("--resolve {text:?}: {e}; write HOST=ADDR:PORT"))?;
            Ok((host.trim().to_ascii_lowercase(), addr))
        })
        .collect()
}

fn print_outcome(outcome: Result<Account, SignupFailure>, args: &SignupArgs) -> u8 {
    match outcome {
        Ok(account) => {
            if args.json {
                let mut out = json!({
                    "outcome": "created",
                    "login": account.login,
                    "landed_url": account.landed_url,
                });
                if args.reveal_password {
                    out["password"] = json!(account.password.expose());
                }
                println!("{out}");
            } else {
                println!(
                    "created: {} (landed on {})",
                    account.login, account.landed_url
                );
                if args.reveal_password {
                    println!("password: {}", account.password.expose());
                }
            }
            super::EXIT_OK
        }
        Err(failure) => {
            print_failure(&failure, args.json);
            super::EXIT_INPUT
        }
    }
}

fn print_failure(failure: &SignupFailure, as_json: bool) {
    if as_json {
        let mut out = json!({
            "outcome": "failed",
            "reason": failure.reason.as_str(),
            "detail": failure.detail,
            "submitted": failure.submitted,
        });
        if let Some(wait) = failure.retry_after {
            out["retry_after_secs"] = json!(wait.as_secs());
        }
        println!("{out}");
    } else {
        let submitted = if failure.submitted {
            " [a form was submitted]"
        } else {
            ""
        };
        println!("failed ({}): {}{submitted}", failure.reason, failure.detail);
    }
}

fn print_probe(outcome: Result<ProbedForm, SignupFailure>, as_json: bool) -> u8 {
    let form = match outcome {
        Ok(form) => form,
        Err(failure) => {
            print_failure(&failure, as_json);
            return super::EXIT_INPUT;
        }
    };
    if as_json {
        let fields: Vec<_> = form
            .fields
            .iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect();
        let out = json!({
            "outcome": "dry_run",
            "login": form.login,
            "method": form.method,
            "action": form.action,
            "fields": fields,
            "problems": form.problems,
            "note": signup::MAY_BE_USED_UP,
        });
        println!("{out}");
    } else {
        let login = form.login.as_deref().unwrap_or("(no pre-filled email)");
        println!("dry run: would {} {} for {login}", form.method, form.action);
        for (name, value) in &form.fields {
            println!("  {name} = {value}");
        }
        for problem in &form.problems {
            println!("but it would not submit: {problem}");
        }
        println!("note: {}", signup::MAY_BE_USED_UP);
    }
    if form.problems.is_empty() {
        super::EXIT_OK
    } else {
        super::EXIT_INPUT
    }
}
