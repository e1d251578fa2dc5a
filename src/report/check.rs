//! The outputs of `check` and `diff`: a table, Markdown (a pull-request
//! comment), JSON and SARIF 2.1.0 (code scanning). Pure: writes to
//! `impl Write`.

use std::collections::BTreeMap;
use std::io::Write;

use super::tabular::{md_cell, table, write_markdown};
use super::{Format, RenderError};
use crate::check::guardrails::Guardrails;
use crate::check::{CheckFinding, CheckReport, DiffEntry, TargetType};
use crate::query::lint::Severity;

/// Writes a check report in `format` (table, json, markdown, sarif);
/// `head` is the proposed state's file (the SARIF location)
///
/// # Errors
/// Writing fails, or `format` is not one `check` prints.
pub fn write_check<W: Write>(
    w: &mut W,
    format: Format,
    report: &CheckReport,
    fail_on: Severity,
    rules: &Guardrails,
    head: &str,
) -> Result<(), RenderError> {
    let blocking = report
        .findings
        .iter()
        .filter(|f| f.severity >= fail_on)
        .count();
    match format {
        Format::Json => writeln!(
            w,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "blocking": blocking,
                "fail_on": fail_on,
                "findings": report.findings,
                "diff": report.diff,
            }))?
        )?,
        Format::Markdown => markdown(w, report, blocking, fail_on)?,
        Format::Sarif => writeln!(
            w,
            "{}",
            serde_json::to_string_pretty(&sarif(&report.findings, rules, head))?
        )?,
        Format::Table => {
            let mut t = table(&["severity", "code", "source", "subject", "message"]);
            for f in &report.findings {
                t.add_row(vec![
                    f.severity.as_str().to_owned(),
                    f.code.clone(),
                    f.source.to_owned(),
                    match &f.location {
                        Some(at) => format!("{}\nat {at}", f.subject),
                        None => f.subject.clone(),
                    },
                    f.message.clone(),
                ]);
            }
            writeln!(w, "{}\n{t}", headline(report, blocking, fail_on))?;
        }
        format => {
            return Err(RenderError::Unsupported {
                command: "check",
                format,
            })
        }
    }
    Ok(())
}

/// Writes an access diff in `format` (table, json, markdown)
///
/// # Errors
/// Writing fails, or `format` is not one `diff` prints.
pub fn write_diff<W: Write>(w: &mut W, format: Format, d: &[DiffEntry]) -> Result<(), RenderError> {
    let counts = |m: &BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The third column holds an application or a role on the rows that
    // are not account assignments: its header says so when there are any.
    let third = if d.iter().all(|e| e.target_type == TargetType::AwsAccount) {
        "permission_set"
    } else {
        "permission_set / grant"
    };
    let header = [
        "principal",
        "account",
        third,
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
            // Applications have no account; the set's column names what
            // an application or entitlement row gives.
            match e.target_type {
                TargetType::Application => "-".to_owned(),
                _ => e.account.clone(),
            },
            match e.target_type {
                TargetType::AwsAccount => e.permission_set.clone(),
                TargetType::Application => {
                    format!("application {}", e.application.as_deref().unwrap_or(""))
                }
                TargetType::Entitlement => {
                    let name = e.role_name();
                    match e.entitlement_status {
                        Some("usable") | None => format!("role {name}"),
                        Some(status) => format!("role {name} ({status})"),
                    }
                }
            },
            format!("{:?}", e.change).to_lowercase(),
            e.users_reached.to_string(),
            counts(&e.gained),
            counts(&e.lost),
            if e.newly_admin_equivalent { "NEW" } else { "" }.to_owned(),
            e.escalation_gained.join(", "),
            e.conditions_loosened.len().to_string(),
        ]
    };
    match format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(&d)?)?,
        Format::Markdown => write_markdown(
            w,
            "accessgraph diff",
            &format!("{} change access.", changed(d)),
            &header,
            d.iter().map(row),
        )?,
        Format::Table => {
            let mut t = table(&header);
            for e in d {
                t.add_row(row(e));
            }
            writeln!(w, "{t}")?;
        }
        format => {
            return Err(RenderError::Unsupported {
                command: "diff",
                format,
            })
        }
    }
    Ok(())
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
        "{verdict} ({} high, {} medium, {} low; {} change access)",
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        changed(&report.diff)
    )
}

/// `N assignment(s)`, then the application grants and entitlements when
/// there are any
fn changed(d: &[DiffEntry]) -> String {
    let n = |t: TargetType| d.iter().filter(|e| e.target_type == t).count();
    let mut out = format!("{} assignment(s)", n(TargetType::AwsAccount));
    for (t, what) in [
        (TargetType::Application, "application grant(s)"),
        (TargetType::Entitlement, "entitlement(s)"),
    ] {
        if n(t) > 0 {
            out.push_str(&format!(", {} {what}", n(t)));
        }
    }
    out
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
            "| {} | `{}` | {}{} | {} |",
            f.severity.as_str(),
            f.code,
            md_cell(&f.subject),
            f.location
                .as_ref()
                .map(|at| format!(" (at `{}`)", md_cell(at).replace('`', "'")))
                .unwrap_or_default(),
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
            let text = match rules.rules().find(|r| r.id == f.code) {
                Some(r) => r.message.clone(),
                None => match crate::validate::check(&f.code).filter(|_| f.source == "validate") {
                    Some(c) => c.what.to_owned(),
                    None => format!("{} finding `{}`", f.source, f.code),
                },
            };
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
                    "logicalLocations": match &f.location {
                        // The plan's resource address or the template's
                        // `/Resources/<logical id>`, then what it is about.
                        Some(at) => json!([
                            {"fullyQualifiedName": at, "kind": "resource"},
                            {"name": f.subject, "kind": "resource"},
                        ]),
                        None => json!([{"name": f.subject, "kind": "resource"}]),
                    },
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
