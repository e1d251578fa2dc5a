//! `accessgraph simulate --case FILE`: the case-format contract.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::Args;

use accessgraph::case::{map_cases, Case};
use accessgraph::eval::explain::explain;
use accessgraph::eval::Evaluation;

use super::{format_name, Exit, Format};
use accessgraph::report::simulate::{render_json, render_table, CaseResult};

/// Arguments of `simulate`
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json]))]
    pub(super) format: super::Format,
    /// A case file (one case or an array), or a folder of them (every `*.json`
    /// below it); may be repeated
    #[arg(
        long = "case",
        value_name = "FILE",
        required_unless_present_any = ["user", "role"],
        conflicts_with_all = ["user", "role"]
    )]
    cases: Vec<PathBuf>,
    /// Decide for an Identity Center user of the snapshot instead (with --account and --action)
    #[arg(long, requires_all = ["account", "action"], conflicts_with = "role")]
    user: Option<String>,
    /// Decide for an IAM role (or IAM user) of the snapshot's IAM data, by ARN (with --action)
    #[arg(long, value_name = "ARN", requires = "action")]
    role: Option<String>,
    /// The account (id or name) for --user
    #[arg(long)]
    account: Option<String>,
    /// The action for --user
    #[arg(long)]
    action: Option<String>,
    /// The resource ARN for --user (default: some resource)
    #[arg(long)]
    resource: Option<String>,
    /// Fix a condition key for --user (`KEY=VALUE`)
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Say which statements matched, which did not and why
    #[arg(long)]
    explain: bool,
    /// With --user or --role: follow `sts:AssumeRole` role chains up to N hops (0: none)
    #[arg(long, value_name = "N", default_value_t = accessgraph::who::chain::DEFAULT_MAX_HOPS, value_parser = super::max_hops)]
    max_hops: usize,
}

fn case_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)
                .with_context(|| format!("failed to read folder {}", p.display()))?;
            if found.is_empty() {
                bail!("{}: no *.json case files in this folder", p.display());
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

pub fn run(args: SimulateArgs, g: &super::Global) -> anyhow::Result<Exit> {
    if args.user.is_some() || args.role.is_some() {
        return run_user(args, g);
    }
    let format = g.format;
    let files = case_files(&args.cases)?;
    let mut results: Vec<CaseResult> = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("failed to read case file {}", f.display()))?;
        results.extend(map_cases(&text, &f.display().to_string(), |c: Case| {
            let eval: Evaluation = c.evaluate();
            let explanation = args
                .explain
                .then(|| explain(&c.request, &c.context, &c.policies, &eval));
            CaseResult {
                description: c.description,
                expect: c.expect,
                eval,
                explanation,
            }
        })?);
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Json => render_json(&mut out, &results)?,
        Format::Table => render_table(&mut out, &results)?,
        other => bail!(
            "simulate prints `table` or `json`, not `{}`",
            format_name(other)
        ),
    }
    out.flush()?;
    let ok = results.iter().all(|r| match r.expect {
        Some(e) => e == r.eval.decision(),
        None => r.eval.decision() == accessgraph::eval::Decision::Allow,
    });
    Ok(if ok { Exit::Ok } else { Exit::Fail })
}

fn run_user(args: SimulateArgs, g: &super::Global) -> anyhow::Result<Exit> {
    use accessgraph::eval::{Answer, Decision};
    use accessgraph::who::{describe_stmt, simulate_iam, simulate_user, SimulateQuery};
    let model = super::org::load(g)?;
    let Some(action) = &args.action else {
        bail!("--user and --role need --action");
    };
    let actions = accessgraph::query::lookup::actions(std::slice::from_ref(action))?;
    if actions.len() != 1 {
        bail!(
            "simulate takes one action, `{action}` names {}",
            actions.len()
        );
    }
    let context = super::who::parse_context(&args.context)?;
    if let Some(r) = args.resource.as_deref() {
        accessgraph::query::lookup::role_arn(&model, r)?;
    }
    let q = SimulateQuery {
        action: &actions[0],
        resource: args.resource.as_deref(),
        context: &context,
        max_hops: args.max_hops,
    };
    let (paths, user_name, account_name) = if let Some(arn) = &args.role {
        let p = simulate_iam(&model, arn, &q);
        if p.is_empty() {
            let known = accessgraph::who::iam_subjects(&model, None);
            let hint = accessgraph::query::lookup::hint(
                arn,
                known
                    .iter()
                    .map(|&i| model.iam_principals()[i].arn.as_str()),
            );
            bail!("no IAM role or user `{arn}` in the snapshot's IAM data{hint}");
        }
        let account = model
            .accounts()
            .iter()
            .find(|a| arn.split(':').nth(4) == Some(a.id.as_str()))
            .map(|a| a.name.clone())
            .unwrap_or_default();
        (p, arn.clone(), account)
    } else {
        let (Some(user), Some(account)) = (&args.user, &args.account) else {
            bail!("--user needs --account and --action");
        };
        let u = accessgraph::query::lookup::user(&model, user)?;
        let a = accessgraph::query::lookup::account(&model, account)?;
        let paths = simulate_user(&model, u, a, &q);
        (
            paths,
            model.snapshot().users[u].user_name.clone(),
            model.accounts()[a].name.clone(),
        )
    };
    let (user_name, account_name) = (&user_name, &account_name);
    let mut w = BufWriter::new(std::io::stdout().lock());
    let decision_text = |a: &Answer| match a {
        Answer::Decided(d) => d.to_string(),
        Answer::Conditional(r) => format!("Conditional: allowed only if {r}"),
    };
    let notes = args
        .resource
        .as_deref()
        .map(|r| model.resolve_resource(r).notes)
        .unwrap_or_default();
    match g.format {
        Format::Json => {
            let v = accessgraph::report::simulate::paths_json(&model, &paths, args.explain, &notes);
            writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        Format::Table => {
            for n in &notes {
                writeln!(w, "note: {n}")?;
            }
            if paths.is_empty() {
                writeln!(w, "{user_name} has no assignment in {account_name}: the portal shows nothing there, and GetRoleCredentials fails with ForbiddenException (No access).")?;
            }
            for p in &paths {
                if p.permission_set.is_empty() {
                    writeln!(
                        w,
                        "{user_name} ({}) in {account_name}: {}",
                        p.via,
                        decision_text(&p.answer())
                    )?;
                } else {
                    writeln!(
                        w,
                        "{user_name} in {account_name} via {} with {}: {}",
                        p.via,
                        p.permission_set,
                        decision_text(&p.answer())
                    )?;
                }
                for h in &p.hops {
                    let role = &model.iam_principals()[h.role];
                    let cond = h
                        .condition
                        .as_ref()
                        .map(|c| format!(" if {c}"))
                        .unwrap_or_default();
                    writeln!(
                        w,
                        "  assumes {}{cond} (allowed by {})",
                        role.arn,
                        h.deciding.join("; ")
                    )?;
                }
                writeln!(w, "  as {}", p.session_arn)?;
                if !p.principal_tags.is_empty() {
                    let tags: Vec<String> = p
                        .principal_tags
                        .iter()
                        .map(|(k, v)| format!("aws:PrincipalTag/{k}={v}"))
                        .collect();
                    writeln!(w, "  principal tags: {}", tags.join(", "))?;
                }
                for s in &p.evaluation.deciding {
                    writeln!(w, "  decided by: {}", describe_stmt(s, &p.labels))?;
                }
                if let Some(r) = p.evaluation.reason {
                    writeln!(w, "  reason: {r}")?;
                }
                if args.explain {
                    for (i, l) in p.labels.iter().enumerate() {
                        writeln!(w, "  identity policy {i} = {l}")?;
                    }
                    for l in p.explanation.iter().skip(1) {
                        writeln!(w, "  {}{}", "  ".repeat(l.depth), l.text)?;
                    }
                }
            }
        }
        other => bail!(
            "simulate prints `table` or `json`, not `{}`",
            format_name(other)
        ),
    }
    w.flush()?;
    let allowed = paths
        .iter()
        .any(|p| p.answer() == Answer::Decided(Decision::Allow));
    Ok(if allowed { Exit::Ok } else { Exit::Fail })
}
