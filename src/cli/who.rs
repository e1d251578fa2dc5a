//! `who-can`: who can do what, where.

use std::io::Write;

use anyhow::{bail, Context as _};
use clap::Args;

use accessgraph::eval::context::CtxValue;
use accessgraph::query::lookup;
use accessgraph::who::{who_can, WhoCanQuery};

use super::org::{load, out};
use super::{format_name, Exit, Format, Global};

/// `who-can ACTION... [--resource ARN] [--account ID|NAME|OU]... [--context K=V]...`
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Csv]))]
    pub(super) format: super::Format,
    /// Actions (`s3:GetObject`), wildcards (`s3:Get*`) allowed
    #[arg(required = true)]
    actions: Vec<String>,
    /// The resource ARN; without it, "on some resource"
    #[arg(long)]
    resource: Option<String>,
    /// Only these accounts: id, name, or an OU (id or name) for every account below it
    #[arg(long = "account", value_name = "ID|NAME|OU")]
    accounts: Vec<String>,
    /// Fix a condition key the question would leave unknown (`aws:SourceIp=10.0.0.1`,
    /// `aws:TagKeys=["a","b"]` for a multivalued key)
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Include disabled users (flagged)
    #[arg(long)]
    include_disabled: bool,
    /// Follow `sts:AssumeRole` role chains up to N hops (0: no chains)
    #[arg(long, value_name = "N", default_value_t = accessgraph::who::chain::DEFAULT_MAX_HOPS, value_parser = super::max_hops)]
    max_hops: usize,
}

/// Reads `KEY=VALUE` (a JSON array for a multivalued key)
pub fn parse_context(items: &[String]) -> anyhow::Result<Vec<(String, CtxValue)>> {
    let mut out = Vec::new();
    for item in items {
        let (k, v) = item
            .split_once('=')
            .with_context(|| format!("--context `{item}`: expected KEY=VALUE"))?;
        let value = if v.trim_start().starts_with('[') {
            let list: Vec<serde_json::Value> = serde_json::from_str(v)
                .with_context(|| format!("--context `{item}`: invalid JSON array"))?;
            CtxValue::multi(list.iter().map(|x| match x {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }))
        } else {
            CtxValue::single(v)
        };
        out.push((k.trim().to_owned(), value));
    }
    Ok(out)
}

pub fn run(args: WhoCanArgs, g: &Global) -> anyhow::Result<Exit> {
    if !matches!(g.format, Format::Table | Format::Json | Format::Csv) {
        bail!(
            "who-can prints table, json or csv, not `{}`",
            format_name(g.format)
        );
    }
    let actions = lookup::actions(&args.actions)?;
    let model = load(g)?;
    if let Some(r) = args.resource.as_deref() {
        lookup::role_arn(&model, r)?;
    }
    let q = WhoCanQuery {
        actions,
        resource: args.resource,
        accounts: lookup::accounts(&model, &args.accounts)?,
        context: parse_context(&args.context)?,
        include_disabled: args.include_disabled,
        max_hops: args.max_hops,
    };
    let spinner = spinner("who-can: evaluating every assignment");
    let answer = who_can(&model, &q);
    spinner.finish_and_clear();
    let mut w = out();
    accessgraph::report::who_can::write_who_can(&mut w, g.format, &model, &answer)?;
    w.flush()?;
    Ok(if answer.is_empty() {
        Exit::Fail
    } else {
        Exit::Ok
    })
}

/// `what-can USER|GROUP [--account ...] [--service s3] [--access-level read]`
#[derive(Debug, Args)]
pub struct WhatCanArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Csv]))]
    pub(super) format: super::Format,
    /// A user (name, email, id) or a group (name, id)
    who: String,
    /// Only these accounts: id, name or OU
    #[arg(long = "account", value_name = "ID|NAME|OU")]
    accounts: Vec<String>,
    /// Only this service prefix (`s3`)
    #[arg(long)]
    service: Option<String>,
    /// Only this access level
    #[arg(long, value_enum)]
    access_level: Option<Level>,
    /// Fix a condition key (`KEY=VALUE`)
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Follow `sts:AssumeRole` role chains up to N hops (0: no chains)
    #[arg(long, value_name = "N", default_value_t = accessgraph::who::chain::DEFAULT_MAX_HOPS, value_parser = super::max_hops)]
    max_hops: usize,
}

/// Access levels on the command line
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    /// List
    List,
    /// Read
    Read,
    /// Write
    Write,
    /// Permissions management
    Permissions,
    /// Tagging
    Tagging,
}

pub fn what_can_cmd(args: WhatCanArgs, g: &Global) -> anyhow::Result<Exit> {
    use accessgraph::data::AccessLevel;
    use accessgraph::who::{what_can, WhatCanQuery};
    if !matches!(g.format, Format::Table | Format::Json | Format::Csv) {
        bail!(
            "what-can prints table, json or csv, not `{}`",
            format_name(g.format)
        );
    }
    let model = load(g)?;
    let subject = lookup::subject(&model, &args.who)?;
    if let Some(svc) = &args.service {
        lookup::service(svc)?;
    }
    let q = WhatCanQuery {
        subject,
        accounts: lookup::accounts(&model, &args.accounts)?,
        service: args.service,
        access_level: args.access_level.map(|l| match l {
            Level::List => AccessLevel::List,
            Level::Read => AccessLevel::Read,
            Level::Write => AccessLevel::Write,
            Level::Permissions => AccessLevel::Permissions,
            Level::Tagging => AccessLevel::Tagging,
        }),
        context: parse_context(&args.context)?,
        max_hops: args.max_hops,
    };
    let spinner = spinner("what-can: evaluating the action catalog");
    let rows = what_can(&model, &q);
    spinner.finish_and_clear();
    let mut w = out();
    accessgraph::report::who_can::write_what_can(&mut w, g.format, &rows)?;
    w.flush()?;
    Ok(if rows.is_empty() {
        Exit::Fail
    } else {
        Exit::Ok
    })
}

/// A spinner on stderr for queries that take more than a moment; indicatif
/// draws nothing when stderr is not a terminal (CI, pipes)
pub fn spinner(message: &'static str) -> indicatif::ProgressBar {
    let pb =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    pb.set_message(message);
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    pb
}
