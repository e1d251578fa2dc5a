//! This module is the command line: clap arguments per subcommand, file IO,
//! and the choice of renderer. The library below it does no IO.

mod check;
#[cfg(feature = "live")]
mod collect;
mod org;
mod report;
#[cfg(feature = "serve")]
mod serve;
mod simulate;
mod validate;
mod who;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

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
    /// The output format: each command declares the ones it prints (its
    /// own `--format`), copied here before it runs
    #[arg(skip = Format::Table)]
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
    /// Who has an application (Identity Center or account access manager) and how
    WhoHas(org::WhoHasArgs),
    /// `~/.aws/config` profiles for a user, or check a config file
    Profiles(org::ProfilesArgs),
    /// Who can administer IAM Identity Center
    Admins(org::AdminsArgs),
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
    /// Validate policy documents offline: Access Analyzer's checks and more, each located
    Validate(validate::ValidateArgs),
    /// A snapshot from a live organization, through the AWS SDK (read-only calls)
    #[cfg(feature = "live")]
    Collect(collect::CollectArgs),
    /// The organization's access in a browser: a JSON API and pages over one loaded model
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
}

pub use accessgraph::report::Format;

/// The name of a format as the command line spells it
pub fn format_name(f: Format) -> &'static str {
    f.name()
}

/// Reads `--max-hops`: 0 (no chains) to `MAX_HOPS_LIMIT` (10)
pub fn max_hops(s: &str) -> Result<usize, String> {
    use accessgraph::who::chain::MAX_HOPS_LIMIT;
    let n: usize = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of hops (0 to {MAX_HOPS_LIMIT})"))?;
    if n > MAX_HOPS_LIMIT {
        return Err(format!(
            "{n} hops is more than the {MAX_HOPS_LIMIT} this tool follows (AWS caps a role chain's session at one hour, not its length)"
        ));
    }
    Ok(n)
}

/// The formats one command prints, declared to clap: `--help` lists exactly
/// these, and the parser refuses any other with the list
#[derive(Debug, Clone, Copy)]
pub struct Formats(pub &'static [Format]);

impl clap::builder::TypedValueParser for Formats {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Format, clap::Error> {
        let names = clap::builder::PossibleValuesParser::new(
            self.0
                .iter()
                .map(|f| clap::builder::PossibleValue::new(format_name(*f))),
        );
        let name = names.parse_ref(cmd, arg, value)?;
        self.0
            .iter()
            .copied()
            .find(|f| format_name(*f) == name)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().map(|f| {
            clap::builder::PossibleValue::new(format_name(*f)).help(f.help())
        })))
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
    // Each command's own `--format`, declared with the formats it prints.
    let with = |format: Format| Global {
        format,
        ..g.clone()
    };
    match cli.command {
        Command::Simulate(args) => {
            let g = with(args.format);
            simulate::run(args, &g)
        }
        Command::WhoCan(args) => {
            let g = with(args.format);
            who::run(args, &g)
        }
        Command::WhatCan(args) => {
            let g = with(args.format);
            who::what_can_cmd(args, &g)
        }
        Command::GenerateOrg(args) => org::generate(args),
        Command::Import(args) => org::import(args),
        Command::ManagedPolicies(args) => {
            let g = with(args.format);
            org::managed_policies(args, &g)
        }
        Command::Portal(args) => {
            let g = with(args.format);
            org::portal(args, &g)
        }
        Command::Profiles(args) => {
            let g = with(args.format);
            org::profiles(args, &g)
        }
        Command::WhoHas(args) => {
            let g = with(args.format);
            org::who_has(args, &g)
        }
        Command::Admins(args) => org::admins(&with(args.format)),
        Command::Lint(args) => {
            let g = with(args.format);
            org::lint(args, &g)
        }
        Command::Graph(args) => {
            let g = with(args.format);
            org::graph(args, &g)
        }
        Command::Report(args) => {
            let g = with(args.format);
            report::run(args, &g)
        }
        Command::Check(args) => {
            let g = with(args.format);
            check::run_check(args, &g)
        }
        Command::Validate(args) => {
            let format = args.format;
            validate::run(args, format)
        }
        Command::Diff(args) => {
            let g = with(args.format);
            check::run_diff(args, &g)
        }
        #[cfg(feature = "live")]
        Command::Collect(args) => collect::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args, &g),
    }
}
