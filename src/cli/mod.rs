//! This module is the command line: clap arguments per subcommand, file IO,
//! and the choice of renderer. The library below it does no IO.

mod simulate;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Who can do what, where: IAM Identity Center access analysis with an exact
/// IAM policy evaluator
#[derive(Debug, Parser)]
#[command(name = "accessgraph", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide requests: evaluation cases (`--case`), see case-format.md
    Simulate(simulate::SimulateArgs),
}

/// Output format
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people
    Table,
    /// One JSON object per line, for scripts
    Json,
}

/// The process outcome
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Allowed, every expectation met, no findings
    Ok,
    /// Denied, an expectation missed, or findings
    Fail,
    /// Bad input or an unreadable file
    Error,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        match e {
            Exit::Ok => ExitCode::from(0),
            Exit::Fail => ExitCode::from(1),
            Exit::Error => ExitCode::from(2),
        }
    }
}

/// Runs a parsed command line
///
/// # Errors
/// Anything that should exit with code 2, with its context.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Simulate(args) => simulate::run(args),
    }
}
