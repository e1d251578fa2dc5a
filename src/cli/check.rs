//! `accessgraph check` and `accessgraph diff`: pre-merge checks of a
//! proposed Identity Center state against the current one.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::{Args, ValueEnum};

use accessgraph::check::guardrails::{Guardrails, DEFAULT_RULES};
use accessgraph::check::proposed::{apply_cloudformation, apply_terraform_plan, read_template};
use accessgraph::check::{check, diff, CheckFinding, CheckOptions, CheckReport, DiffEntry};
use accessgraph::graph::Model;
use accessgraph::query::lint::Severity;
use accessgraph::report::tabular::md_cell;

use super::org::{out, table};
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

/// The base and the proposed state, and the proposed state's file name
fn states(base_path: &Path, p: &Proposed) -> anyhow::Result<(Model, Model, String)> {
    let base_snapshot = accessgraph::load::read_snapshot(base_path)?;
    let read = |f: &Path| {
        std::fs::read_to_string(f).with_context(|| format!("failed to read {}", f.display()))
    };
    let (head_snapshot, name) = if let Some(h) = &p.head {
        (
            accessgraph::load::read_snapshot(h)?,
            h.display().to_string(),
        )
    } else if let Some(f) = &p.plan {
        let name = f.display().to_string();
        let text = read(f)?;
        let plan: serde_json::Value = serde_json::from_str(&text).with_context(|| {
            format!("{name}: not JSON (expected `terraform show -json PLAN` output)")
        })?;
        (apply_terraform_plan(&base_snapshot, &plan, &name)?, name)
    } else if let Some(f) = &p.template {
        let name = f.display().to_string();
        let template = read_template(&read(f)?, &name)?;
        (
            apply_cloudformation(&base_snapshot, &template, &name)?,
            name,
        )
    } else {
        bail!("give the proposed state with --head, --plan or --template");
    };
    let base = Model::build(base_snapshot)
        .with_context(|| format!("{}: invalid policy in the snapshot", base_path.display()))?;
    let head = Model::build(head_snapshot)
        .with_context(|| format!("{name}: invalid policy in the proposed state"))?;
    Ok((base, head, name))
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
    let (base, head, head_name) = states(&args.base, &args.proposed)?;
    let report = check(&base, &head, &rules, &CheckOptions { all: args.all })?;
    let threshold = args.fail_on.severity();
    let blocking = report
        .findings
        .iter()
        .filter(|f| f.severity >= threshold)
        .count();
    let mut w = out();
    match g.format {
        Format::Json => writeln!(
            w,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "blocking": blocking,
                "fail_on": args.fail_on.severity(),
                "findings": report.findings,
                "diff": report.diff,
            }))?
        )?,
        Format::Markdown => markdown(&mut w, &report, blocking, threshold)?,
        Format::Sarif => writeln!(
            w,
            "{}",
            serde_json::to_string_pretty(&sarif(&report.findings, &rules, &head_name))?
        )?,
        _ => {
            let mut t = table(&["severity", "code", "source", "subject", "message"]);
            for f in &report.findings {
                t.add_row(vec![
                    f.severity.as_str().to_owned(),
                    f.code.clone(),
                    f.source.to_owned(),
                    f.subject.clone(),
                    f.message.clone(),
                ]);
            }
            writeln!(w, "{}\n{t}", headline(&report, blocking, threshold))?;
        }
    }
    w.flush()?;
    Ok(if blocking > 0 { Exit::Fail } else { Exit::Ok })
}

fn headline(report: &CheckReport, blocking: usize, threshold: Severity) -> String {
    let count = |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
    let verdict = if blocking > 0 {
        format!(
            "BLOCKED: {blocking} finding(s) at {} or above",
            threshold.as_str()
        )
    } else {
        "OK: nothing blocks".to_owned()
    };
    format!(
        "{verdict} ({} high, {} medium, {} low; {} assignment(s) change access)",
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        report.diff.len()
    )
}

fn markdown<W: Write>(
    w: &mut W,
    report: &CheckReport,
    blocking: usize,
    threshold: Severity,
) -> std::io::Result<()> {
    writeln!(
        w,
        "**accessgraph check**: {}\n",
        headline(report, blocking, threshold)
    )?;
    if report.findings.is_empty() {
        return Ok(());
    }
    writeln!(
        w,
        "| severity | code | subject | message |\n|---|---|---|---|"
    )?;
    for f in &report.findings {
        writeln!(
            w,
            "| {} | `{}` | {} | {} |",
            f.severity.as_str(),
            f.code,
            md_cell(&f.subject),
            md_cell(&f.message)
        )?;
    }
    Ok(())
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// SARIF 2.1.0: one rule per finding code, one result per finding,
/// located at the proposed state's file
fn sarif(findings: &[CheckFinding], rules: &Guardrails, head: &str) -> serde_json::Value {
    use serde_json::json;
    let mut codes: Vec<(&str, Severity, String)> = Vec::new();
    for f in findings {
        if !codes.iter().any(|(c, _, _)| *c == f.code) {
            let text = rules.rules().find(|r| r.id == f.code).map_or_else(
                || format!("{} finding `{}`", f.source, f.code),
                |r| r.message.clone(),
            );
            codes.push((&f.code, f.severity, text));
        }
    }
    let rule_defs: Vec<serde_json::Value> = codes
        .iter()
        .map(|(c, s, text)| {
            json!({
                "id": c,
                "shortDescription": {"text": text},
                "defaultConfiguration": {"level": sarif_level(*s)},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.code,
                "ruleIndex": codes.iter().position(|(c, _, _)| *c == f.code).unwrap_or(0),
                "level": sarif_level(f.severity),
                "message": {"text": format!("{}: {}", f.subject, f.message)},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": head}},
                    "logicalLocations": [{"name": f.subject, "kind": "resource"}],
                }],
                "properties": {"source": f.source},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "accessgraph",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_defs,
            }},
            "results": results,
        }],
    })
}

/// `diff`
pub fn run_diff(args: DiffArgs, g: &Global) -> anyhow::Result<Exit> {
    let (base, head, _) = states(&args.base, &args.proposed)?;
    let d = diff(&base, &head);
    let mut w = out();
    let fmt = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match g.format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(&d)?)?,
        Format::Table | Format::Markdown => {
            let header = [
                "principal",
                "account",
                "permission_set",
                "change",
                "users",
                "gained",
                "lost",
                "admin",
                "escalation",
                "conditions loosened",
            ];
            let row = |e: &DiffEntry| {
                vec![
                    match &e.via {
                        Some(g) => format!("{} (via {g})", e.principal),
                        None => e.principal.clone(),
                    },
                    e.account.clone(),
                    e.permission_set.clone(),
                    format!("{:?}", e.change).to_lowercase(),
                    e.users_reached.to_string(),
                    fmt(&e.gained),
                    fmt(&e.lost),
                    if e.newly_admin_equivalent { "NEW" } else { "" }.to_owned(),
                    e.escalation_gained.join(", "),
                    e.conditions_loosened.len().to_string(),
                ]
            };
            if g.format == Format::Markdown {
                accessgraph::report::tabular::write_markdown(
                    &mut w,
                    "accessgraph diff",
                    &format!("{} assignment(s) change access.", d.len()),
                    &header,
                    d.iter().map(row),
                )?;
            } else {
                let mut t = table(&header);
                for e in &d {
                    t.add_row(row(e));
                }
                writeln!(w, "{t}")?;
            }
        }
        other => bail!(
            "diff prints table, json or markdown, not `{}`",
            format_name(other)
        ),
    }
    w.flush()?;
    Ok(if d.is_empty() { Exit::Ok } else { Exit::Fail })
}
