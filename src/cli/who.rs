//! `who-can`: who can do what, where.

use std::collections::BTreeSet;
use std::io::Write;

use anyhow::{bail, Context as _};
use clap::Args;

use accessgraph::data::catalog;
use accessgraph::eval::context::CtxValue;
use accessgraph::graph::Model;
use accessgraph::who::{who_can, WhoCanQuery};

use super::org::{csv_rows, load, out, table};
use super::{format_name, Exit, Format, Global};

/// `who-can ACTION... [--resource ARN] [--account ID|NAME|OU]... [--context K=V]...`
#[derive(Debug, Args)]
pub struct WhoCanArgs {
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
}

/// Expands action patterns against the catalog; an unknown action is an error
pub fn expand_actions(patterns: &[String]) -> anyhow::Result<Vec<String>> {
    let cat = catalog();
    let mut out = BTreeSet::new();
    for p in patterns {
        if p.contains(['*', '?']) {
            let found = cat.expand(p);
            if found.is_empty() {
                bail!(
                    "action pattern `{p}` matches no known action ({})",
                    cat.source
                );
            }
            out.extend(found);
        } else {
            let (svc, name, _) = cat.action(p).with_context(|| {
                format!(
                    "unknown action `{p}`: not in the action catalog ({})",
                    cat.source
                )
            })?;
            out.insert(format!("{svc}:{name}"));
        }
    }
    Ok(out.into_iter().collect())
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

/// Resolves `--account` values: ids, names, or OUs (every account below)
pub fn resolve_accounts(model: &Model, keys: &[String]) -> anyhow::Result<Option<BTreeSet<usize>>> {
    if keys.is_empty() {
        return Ok(None);
    }
    let mut out = BTreeSet::new();
    for k in keys {
        if let Some(a) = model.find_account(k) {
            out.insert(a);
            continue;
        }
        let ou = model
            .snapshot
            .organization
            .as_ref()
            .and_then(|o| {
                o.ous
                    .iter()
                    .find(|ou| ou.id == *k || ou.name.eq_ignore_ascii_case(k))
                    .map(|ou| ou.id.clone())
            })
            .or_else(|| {
                model
                    .snapshot
                    .organization
                    .as_ref()
                    .filter(|o| o.root_id == *k)
                    .map(|o| o.root_id.clone())
            });
        let Some(ou) = ou else {
            bail!("no account or OU `{k}` in the snapshot");
        };
        for (i, path) in model.account_paths.iter().enumerate() {
            if path.contains(&ou) {
                out.insert(i);
            }
        }
    }
    Ok(Some(out))
}

pub fn run(args: WhoCanArgs, g: &Global) -> anyhow::Result<Exit> {
    if !matches!(g.format, Format::Table | Format::Json | Format::Csv) {
        bail!(
            "who-can prints table, json or csv, not `{}`",
            format_name(g.format)
        );
    }
    let actions = expand_actions(&args.actions)?;
    let model = load(g)?;
    let q = WhoCanQuery {
        actions,
        resource: args.resource,
        accounts: resolve_accounts(&model, &args.accounts)?,
        context: parse_context(&args.context)?,
        include_disabled: args.include_disabled,
    };
    let rows = who_can(&model, &q);
    let mut w = out();
    let header = [
        "principal",
        "type",
        "via",
        "permission_set",
        "account_id",
        "account_name",
        "decision",
        "condition",
        "actions",
        "deciding",
    ];
    let shown_actions = |a: &[String]| {
        if a.len() <= 3 {
            a.join(", ")
        } else {
            format!("{} actions ({}, ...)", a.len(), a[..2].join(", "))
        }
    };
    match g.format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(&rows)?)?,
        Format::Csv => {
            let data: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.principal.clone(),
                        r.principal_type.to_owned(),
                        r.via.clone(),
                        r.permission_set.clone().unwrap_or_default(),
                        r.account_id.clone(),
                        r.account_name.clone(),
                        r.decision.to_owned(),
                        r.condition.clone().unwrap_or_default(),
                        r.actions.join(" "),
                        r.deciding.join("; "),
                    ]
                })
                .collect();
            csv_rows(&mut w, &header, &data)?;
        }
        _ => {
            if rows.is_empty() {
                writeln!(w, "nobody")?;
            } else {
                let mut t = table(&header);
                for r in &rows {
                    let mut principal = r.principal.clone();
                    if r.disabled {
                        principal.push_str(" (disabled)");
                    }
                    t.add_row(vec![
                        principal,
                        r.principal_type.to_owned(),
                        r.via.clone(),
                        r.permission_set.clone().unwrap_or_else(|| "-".into()),
                        r.account_id.clone(),
                        r.account_name.clone(),
                        r.decision.to_owned(),
                        r.condition.clone().unwrap_or_default(),
                        shown_actions(&r.actions),
                        r.deciding.join("; "),
                    ]);
                }
                writeln!(w, "{t}")?;
                writeln!(w, "{} row(s)", rows.len())?;
            }
        }
    }
    Ok(if rows.is_empty() {
        Exit::Fail
    } else {
        Exit::Ok
    })
}
