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
    /// A case file (one case or an array), or a folder of them (every `*.json`
    /// below it); may be repeated
    #[arg(long = "case", value_name = "FILE", required = true)]
    cases: Vec<PathBuf>,
    /// Say which statements matched, which did not and why
    #[arg(long)]
    explain: bool,
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

pub fn run(args: SimulateArgs, format: Format) -> anyhow::Result<Exit> {
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
