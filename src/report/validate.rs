//! The outputs of `validate`: a table, JSON, Markdown and SARIF 2.1.0, one
//! entry per finding with its file, line and column. Pure: writes to
//! `impl Write`.

use std::io::Write;

use serde::Serialize;

use super::tabular::{md_cell, table};
use super::{Format, RenderError};
use crate::validate::{Finding, PolicyType, Severity, CHECKS};

/// One validated file
#[derive(Debug, Clone, Serialize)]
pub struct ValidatedFile {
    /// The file as named on the command line
    pub file: String,
    /// The type it was validated as
    #[serde(rename = "type")]
    pub policy_type: PolicyType,
    /// Whether the type was guessed from the document's shape
    pub type_guessed: bool,
    /// Its findings, each with its place in the file
    pub findings: Vec<Located>,
}

/// A finding and its line and column in the file
#[derive(Debug, Clone, Serialize)]
pub struct Located {
    /// The finding
    #[serde(flatten)]
    pub finding: Finding,
    /// 1-based line
    pub line: usize,
    /// 1-based column
    pub column: usize,
}

/// Writes validation results in `format`
///
/// # Errors
/// Writing fails, or `format` is not one `validate` prints.
pub fn write_validation<W: Write>(
    w: &mut W,
    format: Format,
    files: &[ValidatedFile],
) -> Result<(), RenderError> {
    match format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(files)?)?,
        Format::Table => {
            for f in files {
                let guessed = if f.type_guessed {
                    ", from its shape"
                } else {
                    ""
                };
                writeln!(
                    w,
                    "{} ({} policy{guessed}): {}",
                    f.file,
                    f.policy_type.as_str(),
                    count(f.findings.len())
                )?;
                if f.findings.is_empty() {
                    continue;
                }
                let mut t = table(&[
                    "line:col",
                    "severity",
                    "code",
                    "statement",
                    "message",
                    "fix",
                ]);
                for l in &f.findings {
                    t.add_row(vec![
                        format!("{}:{}", l.line, l.column),
                        l.finding.severity.as_str().to_owned(),
                        l.finding.code.to_owned(),
                        statement(&l.finding),
                        l.finding.message.clone(),
                        l.finding.fix.clone().unwrap_or_default(),
                    ]);
                }
                writeln!(w, "{t}")?;
            }
        }
        Format::Markdown => {
            writeln!(w, "**accessgraph validate**\n")?;
            for f in files {
                writeln!(
                    w,
                    "`{}` ({} policy): {}\n",
                    md_cell(&f.file),
                    f.policy_type.as_str(),
                    count(f.findings.len())
                )?;
                if f.findings.is_empty() {
                    continue;
                }
                writeln!(
                    w,
                    "| line | severity | code | statement | message |\n|---|---|---|---|---|"
                )?;
                for l in &f.findings {
                    writeln!(
                        w,
                        "| {}:{} | {} | `{}` | {} | {} |",
                        l.line,
                        l.column,
                        l.finding.severity.as_str(),
                        l.finding.code,
                        md_cell(&statement(&l.finding)),
                        md_cell(&l.finding.message)
                    )?;
                }
                writeln!(w)?;
            }
        }
        Format::Sarif => writeln!(w, "{}", serde_json::to_string_pretty(&sarif(files))?)?,
        format => {
            return Err(RenderError::Unsupported {
                command: "validate",
                format,
            })
        }
    }
    Ok(())
}

fn count(n: usize) -> String {
    match n {
        0 => "no findings".to_owned(),
        1 => "1 finding".to_owned(),
        n => format!("{n} findings"),
    }
}

fn statement(f: &Finding) -> String {
    match (f.statement, &f.sid) {
        (Some(i), Some(s)) => format!("{i} ({s})"),
        (Some(i), None) => i.to_string(),
        (None, _) => "-".to_owned(),
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::SecurityWarning | Severity::Warning => "warning",
        Severity::Suggestion => "note",
    }
}

/// SARIF 2.1.0: every check as a rule (its words and the Access Analyzer
/// check it matches), one result per finding at its line and column
fn sarif(files: &[ValidatedFile]) -> serde_json::Value {
    use serde_json::json;
    let rules: Vec<serde_json::Value> = CHECKS
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "shortDescription": {"text": c.what},
                "fullDescription": {"text": c.why},
                "defaultConfiguration": {"level": level(c.severity)},
                "properties": {
                    "severity": c.severity.as_str(),
                    "accessAnalyzerCheck": c.access_analyzer,
                },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = files
        .iter()
        .flat_map(|f| {
            f.findings.iter().map(move |l| {
                let index = CHECKS
                    .iter()
                    .position(|c| c.code == l.finding.code)
                    .unwrap_or(0);
                json!({
                    "ruleId": l.finding.code,
                    "ruleIndex": index,
                    "level": level(l.finding.severity),
                    "message": {"text": match &l.finding.fix {
                        Some(fix) => format!("{} (fix: {fix})", l.finding.message),
                        None => l.finding.message.clone(),
                    }},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.file},
                            "region": {"startLine": l.line, "startColumn": l.column},
                        },
                        "logicalLocations": [{"name": l.finding.pointer, "kind": "object"}],
                    }],
                    "properties": {"severity": l.finding.severity.as_str(), "policyType": f.policy_type.as_str()},
                })
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "accessgraph validate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
