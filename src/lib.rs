//! onbehalf signs external users up on a platform on their behalf.
//!
//! A user whose invite link does not work forwards the invite email to a support
//! mailbox. onbehalf reads the mailbox, finds the invite link in the forward without
//! opening it in anyone's session, completes the signup in a fresh cookie-less HTTP
//! session with a generated password that meets the platform's policy, and mails the
//! user the credentials. What it cannot do safely becomes a ticket for a human.
//!
//! # Layout
//!
//! Modules in the order a message meets them:
//!
//! - [`config`]: the TOML file, validated into typed values (platform profiles, limits).
//! - [`mailbox`]: where forwarded invites come from (IMAP with IDLE, or a Maildir), and
//!   where they are filed once handled; a watcher signals new mail.
//! - [`extract`]: raw message bytes → the invite link, invitee and requester, or a
//!   rejection with a reason (pure; [`extract::unwrap`] decodes gateway wrappers).
//! - [`vet`]: the invite + headers + policy → may it be acted on (DMARC / aligned DKIM
//!   from a trusted `Authentication-Results`, sender domains). Pure.
//! - [`reason`]: the one list of reasons a job needs a human, with each reason's stable
//!   name, ticket headline and next step.
//! - [`journal`]: the crash-safe record of every job (SQLite): states, history, the
//!   sealed password while it is needed.
//! - [`signup`]: an invite link → the account created in a fresh session with a generated
//!   password, or a failure with a reason a support agent understands; over HTTP, or in
//!   headless Chromium (`signup::browser`) for pages built by JavaScript.
//! - [`notify`]: the credentials mail, the requester note and the ticket, over SMTP.
//! - [`net`]: what every stage that talks to a server shares (TLS).
//! - [`secret`]: the redacting type every password and token lives in.
//! - [`report`]: an error and its causes on one line, each said once, for every place
//!   a person reads one.
//! - [`cli`]: what each command prints.

// Unit tests see every dev-dependency, which only integration tests use.
#![cfg_attr(test, allow(unused_crate_dependencies))]

pub mod cli;
pub mod config;
pub mod cpu;
pub mod daemon;
pub mod extract;
pub mod journal;
pub mod mailbox;
pub mod metrics;
pub mod net;
pub mod notify;
pub mod reason;
pub mod report;
pub mod secret;
pub mod signup;
pub mod vet;
