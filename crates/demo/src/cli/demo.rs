//! `onbehalf-demo demo`: the whole pipeline on this machine, printed as a table.
//!
//! In: the samples folder (default `samples/` here or beside the sources). Out: a table
//! of each sample's outcome, the account created and the mail written, and the folder
//! holding the Maildir, journal and mails for inspection.

use std::path::PathBuf;

use anyhow::Context;

use crate::demo::{self, DemoOptions, Row};

/// Arguments of `onbehalf-demo demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The folder with the forwarded emails and their onbehalf.toml.
    #[arg(long, value_name = "DIR")]
    samples: Option<PathBuf>,
    /// Where to put the Maildir, the journal and the written mails (a new folder under
    /// the system's temp folder by default). Must be empty or absent.
    #[arg(long, value_name = "DIR")]
    workdir: Option<PathBuf>,
}

fn samples_dir(args: &DemoArgs) -> PathBuf {
    args.samples.clone().unwrap_or_else(|| {
        let here = PathBuf::from("samples");
        if here.join("onbehalf.toml").is_file() {
            here
        } else {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples"))
        }
    })
}

fn workdir(args: &DemoArgs) -> anyhow::Result<PathBuf> {
    let dir = match &args.workdir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!(
            "onbehalf-demo-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        )),
    };
    let occupied = std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some());
    anyhow::ensure!(!occupied, "cannot use {}: it is not empty", dir.display());
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Runs the demo; returns the exit status.
pub fn run(args: &DemoArgs) -> u8 {
    match run_demo(args) {
        Ok(()) => onbehalf::cli::EXIT_OK,
        Err(e) => {
            eprintln!("onbehalf: {}", onbehalf::report::chain(e.as_ref()));
            onbehalf::cli::EXIT_INPUT
        }
    }
}

fn run_demo(args: &DemoArgs) -> anyhow::Result<()> {
    let options = DemoOptions {
        samples: samples_dir(args),
        workdir: workdir(args)?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let started = std::time::Instant::now();
    let rows = runtime
        .block_on(async { tokio::time::timeout(demo::TIME_LIMIT, demo::run(&options)).await })
        .context("the demo took longer than a minute")??;
    print_table(&rows, &options);
    println!(
        "\n{} samples in {:.1} s; everything is in {}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        options.workdir.display()
    );
    Ok(())
}

fn print_table(rows: &[Row], options: &DemoOptions) {
    let width = rows
        .iter()
        .map(|r| r.sample.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!(
        "{:<width$}  {:<24}  {:<28}  mail",
        "sample", "outcome", "account"
    );
    for row in rows {
        let mail = row
            .mail
            .as_ref()
            .map(|p| {
                p.strip_prefix(&options.workdir)
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .unwrap_or_else(|| "-".to_owned());
        println!(
            "{:<width$}  {:<24}  {:<28}  {mail}",
            row.sample,
            row.outcome,
            row.account.as_deref().unwrap_or("-"),
        );
    }
}
