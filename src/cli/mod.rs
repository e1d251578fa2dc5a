//! This module is the command line: clap arguments per subcommand, file IO,
//! and the choice of renderer. The library below it does no IO.

mod check;
#[cfg(feature = "live")]
mod collect;
mod org;
mod report;
mod simulate;
mod who;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Who can do what, where: IAM Identity Center access analysis with an exact
/// IAM policy evaluator
#[derive(Debug, Parser)]
#[command(name = "accessgraph", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command takes
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// The snapshot to read
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        default_value = "accessgraph.json"
    )]
    pub snapshot: PathBuf,
    /// Output format (each command accepts the ones that fit)
    #[arg(long, global = true, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide requests: evaluation cases (`--case`), see case-format.md
    Simulate(simulate::SimulateArgs),
    /// Who can do these actions, where, and through which assignment and statement
    WhoCan(who::WhoCanArgs),
    /// What a user or group can do, per account and permission set, by service and access level
    WhatCan(who::WhatCanArgs),
    /// Generate a deterministic synthetic organization snapshot (tests, benchmarks)
    GenerateOrg(org::GenerateArgs),
    /// Read an AWS CLI export folder (docs/export-layout.md) into a snapshot
    Import(org::ImportArgs),
    /// List the bundled AWS managed policies, or show one
    ManagedPolicies(org::ManagedPoliciesArgs),
    /// What a user sees in the AWS access portal: accounts, roles, URL
    Portal(org::UserArg),
    /// `~/.aws/config` profiles for a user, or check a config file
    Profiles(org::ProfilesArgs),
    /// Who can administer IAM Identity Center
    Admins,
    /// Findings on the organization: direct assignments, missing policies, drift ...
    Lint(org::LintArgs),
    /// The organization (or one user's access) as a Graphviz graph
    Graph(org::GraphArgs),
    /// Access reviews: assignments, access to actions, permission sets (csv, json, markdown, html)
    Report(report::ReportArgs),
    /// Pre-merge check of a proposed state: access diff, Cedar guardrails, lint
    Check(check::CheckArgs),
    /// The access a proposed state gains and loses, per assignment
    Diff(check::DiffArgs),
    /// A snapshot from a live organization, through the AWS SDK (read-only calls)
    #[cfg(feature = "live")]
    Collect(collect::CollectArgs),
}

/// Output format
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people
    Table,
    /// JSON, for scripts
    Json,
    /// CSV
    Csv,
    /// Graphviz
    Dot,
    /// Markdown (reports)
    Markdown,
    /// A self-contained HTML page (reports)
    Html,
    /// SARIF 2.1.0 (check, for code scanning)
    Sarif,
}

/// The name of a format as the command line spells it
pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::Table => "table",
        Format::Json => "json",
        Format::Csv => "csv",
        Format::Dot => "dot",
        Format::Markdown => "markdown",
        Format::Html => "html",
        Format::Sarif => "sarif",
    }
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
    /// A snapshot was written, but some calls failed (collect)
    Partial,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        match e {
            Exit::Ok => ExitCode::from(0),
            Exit::Fail => ExitCode::from(1),
            Exit::Error => ExitCode::from(2),
            Exit::Partial => ExitCode::from(3),
        }
    }
}

/// Runs a parsed command line
///
/// # Errors
/// Anything that should exit with code 2, with its context.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let g = cli.global;
    match cli.command {
        Command::Simulate(args) => simulate::run(args, &g),
        Command::WhoCan(args) => who::run(args, &g),
        Command::WhatCan(args) => who::what_can_cmd(args, &g),
        Command::GenerateOrg(args) => org::generate(args),
        Command::Import(args) => org::import(args),
        Command::ManagedPolicies(args) => org::managed_policies(args, &g),
        Command::Portal(args) => org::portal(args, &g),
        Command::Profiles(args) => org::profiles(args, &g),
        Command::Admins => org::admins(&g),
        Command::Lint(args) => org::lint(args, &g),
        Command::Graph(args) => org::graph(args, &g),
        Command::Report(args) => report::run(args, &g),
        Command::Check(args) => check::run_check(args, &g),
        Command::Diff(args) => check::run_diff(args, &g),
        #[cfg(feature = "live")]
        Command::Collect(args) => collect::run(args),
    }
}
