//! `accessgraph check` and `accessgraph diff`: pre-merge checks of a
//! proposed Identity Center state against the current one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::{Args, ValueEnum};

use accessgraph::check::cloudformation::cloudformation_changes;
use accessgraph::check::guardrails::{Guardrails, DEFAULT_RULES};
use accessgraph::check::proposed::{apply, read_template, Located};
use accessgraph::check::terraform::terraform_changes;
use accessgraph::check::{check, diff, CheckOptions};
use accessgraph::graph::Model;
use accessgraph::query::lint::Severity;
use accessgraph::report::check::{write_check, write_diff};

use super::org::out;
use super::{format_name, Exit, Format, Global};

/// The proposed state
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Proposed {
    /// The proposed state as a snapshot
    #[arg(long, value_name = "SNAPSHOT")]
    head: Option<PathBuf>,
    /// The proposed state as a Terraform plan (`terraform show -json PLAN`)
    /// applied onto the base
    #[arg(long, value_name = "PLAN.json")]
    plan: Option<PathBuf>,
    /// The proposed state as a CloudFormation template (JSON or YAML) with
    /// AWS::SSO::PermissionSet and AWS::SSO::Assignment, applied onto the base
    #[arg(long, value_name = "TEMPLATE")]
    template: Option<PathBuf>,
}

/// `check --base SNAPSHOT --head SNAPSHOT`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Markdown, Format::Sarif]))]
    pub(super) format: super::Format,
    /// The current state (a snapshot)
    #[arg(long, value_name = "SNAPSHOT")]
    base: PathBuf,
    #[command(flatten)]
    proposed: Proposed,
    /// More guardrail files: every `*.cedar` in DIR, added to the defaults
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// Leave the bundled default rules out
    #[arg(long)]
    no_default_rules: bool,
    /// Exit 1 when a finding is at least this severe
    #[arg(long, value_enum, default_value = "high")]
    fail_on: FailOn,
    /// Run the guardrails on every assignment of the proposed state, not
    /// only the added and changed ones
    #[arg(long)]
    all: bool,
}

/// `diff --base SNAPSHOT --head SNAPSHOT`
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Markdown]))]
    pub(super) format: super::Format,
    /// The current state (a snapshot)
    #[arg(long, value_name = "SNAPSHOT")]
    base: PathBuf,
    #[command(flatten)]
    proposed: Proposed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Low,
    Medium,
    High,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
        }
    }
}

/// The base and the proposed state, the proposed state's file name, and
/// the changes of a plan or template (where each is declared)
fn states(base_path: &Path, p: &Proposed) -> anyhow::Result<(Model, Model, String, Vec<Located>)> {
    let base_snapshot = accessgraph::load::read_snapshot(base_path)?;
    let read = |f: &Path| {
        std::fs::read_to_string(f).with_context(|| format!("failed to read {}", f.display()))
    };
    let (head_snapshot, name, changes) = if let Some(h) = &p.head {
        (
            accessgraph::load::read_snapshot(h)?,
            h.display().to_string(),
            Vec::new(),
        )
    } else if let Some(f) = &p.plan {
        let name = f.display().to_string();
        let text = read(f)?;
        let plan: serde_json::Value = serde_json::from_str(&text).with_context(|| {
            format!("{name}: not JSON (expected `terraform show -json PLAN` output)")
        })?;
        let changes = terraform_changes(&base_snapshot, &plan, &name)?;
        (
            apply(&base_snapshot, &changes, &name, "terraform plan")?,
            name,
            changes,
        )
    } else if let Some(f) = &p.template {
        let name = f.display().to_string();
        let template = read_template(&read(f)?, &name)?;
        let changes = cloudformation_changes(&base_snapshot, &template, &name)?;
        (
            apply(&base_snapshot, &changes, &name, "CloudFormation template")?,
            name,
            changes,
        )
    } else {
        bail!("give the proposed state with --head, --plan or --template");
    };
    let base = Model::build(base_snapshot)
        .with_context(|| format!("{}: invalid policy in the snapshot", base_path.display()))?;
    let head = Model::build(head_snapshot)
        .with_context(|| format!("{name}: invalid policy in the proposed state"))?;
    Ok((base, head, name, changes))
}

fn rule_files(args: &CheckArgs) -> anyhow::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    if !args.no_default_rules {
        files.push((
            "policies/default.cedar".to_owned(),
            DEFAULT_RULES.to_owned(),
        ));
    }
    for dir in &args.policies {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("failed to read guardrail folder {}", dir.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .with_context(|| format!("failed to read guardrail folder {}", dir.display()))?;
        found.retain(|p| p.extension().is_some_and(|e| e == "cedar"));
        found.sort();
        if found.is_empty() {
            bail!(
                "{}: no *.cedar guardrail files in this folder",
                dir.display()
            );
        }
        for f in found {
            let text = std::fs::read_to_string(&f)
                .with_context(|| format!("failed to read guardrail file {}", f.display()))?;
            files.push((f.display().to_string(), text));
        }
    }
    if files.is_empty() {
        bail!("no guardrails: --no-default-rules needs --policies DIR");
    }
    Ok(files)
}

/// `check`
pub fn run_check(args: CheckArgs, g: &Global) -> anyhow::Result<Exit> {
    if !matches!(
        g.format,
        Format::Table | Format::Json | Format::Markdown | Format::Sarif
    ) {
        bail!(
            "check prints table, json, markdown or sarif, not `{}`",
            format_name(g.format)
        );
    }
    let rules = Guardrails::load(&rule_files(&args)?)?;
    let (base, head, head_name, changes) = states(&args.base, &args.proposed)?;
    let mut report = check(&base, &head, &rules, &CheckOptions { all: args.all })?;
    accessgraph::check::locate(&mut report, &changes, head.snapshot());
    let threshold = args.fail_on.severity();
    let blocking = report
        .findings
        .iter()
        .filter(|f| f.severity >= threshold)
        .count();
    let mut w = out();
    write_check(&mut w, g.format, &report, threshold, &rules, &head_name)?;
    w.flush()?;
    Ok(if blocking > 0 { Exit::Fail } else { Exit::Ok })
}

/// `diff`
pub fn run_diff(args: DiffArgs, g: &Global) -> anyhow::Result<Exit> {
    let (base, head, _, _) = states(&args.base, &args.proposed)?;
    let d = diff(&base, &head);
    let mut w = out();
    write_diff(&mut w, g.format, &d)?;
    w.flush()?;
    Ok(if d.is_empty() { Exit::Ok } else { Exit::Fail })
}
