//! `onbehalf unwrap`: decode gateway-wrapped URLs and print the URL underneath.

/// Arguments of `onbehalf unwrap`.
#[derive(Debug, clap::Args)]
pub struct UnwrapArgs {
    /// Print one JSON object per URL (JSON Lines) instead of the bare URL.
    #[arg(long)]
    pub json: bool,
    /// The wrapped URLs.
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,
}

/// Runs the command; returns the exit status.
pub fn run(args: &UnwrapArgs) -> u8 {
    for url in &args.urls {
        println!("{}", crate::extract::unwrap::unwrap(url).url);
    }
    super::EXIT_OK
}
