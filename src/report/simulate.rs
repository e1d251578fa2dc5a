//! Rendering of `simulate` results: JSON lines and a table.

use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde::Serialize;

use crate::eval::explain::Line;
use crate::eval::{Answer, Decision, Evaluation, StmtRef};

/// One evaluated case
#[derive(Debug)]
pub struct CaseResult {
    /// The case's description
    pub description: String,
    /// The expected decision, if the case has one
    pub expect: Option<Decision>,
    /// The evaluation
    pub eval: Evaluation,
    /// The explanation, when asked for
    pub explanation: Option<Vec<Line>>,
}

impl CaseResult {
    /// Whether the decision is what the case expects (`None` without `expect`)
    pub fn matches(&self) -> Option<bool> {
        self.expect.map(|e| e == self.eval.decision())
    }
}

#[derive(Serialize)]
struct JsonStmt<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<usize>,
    policy: usize,
    statement: usize,
    sid: Option<&'a str>,
    effect: &'static str,
}

#[derive(Serialize)]
struct JsonCase<'a> {
    description: &'a str,
    decision: &'static str,
    expected: Option<&'static str>,
    matches_expect: Option<bool>,
    deciding: Vec<JsonStmt<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Vec<String>>,
}

fn json_stmt(s: &StmtRef) -> JsonStmt<'_> {
    JsonStmt {
        kind: s.kind.code(),
        level: s.level,
        policy: s.policy,
        statement: s.statement,
        sid: s.sid.as_deref(),
        effect: s.effect.as_str(),
    }
}

fn indent(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .map(|l| format!("{}{}", "  ".repeat(l.depth), l.text))
        .collect()
}

/// Writes one JSON object per case, one per line
///
/// # Errors
/// Any write error.
pub fn render_json<W: Write>(out: &mut W, results: &[CaseResult]) -> io::Result<()> {
    for r in results {
        let condition = match &r.eval.answer {
            Answer::Conditional(c) => Some(c.to_string()),
            Answer::Decided(_) => None,
        };
        let j = JsonCase {
            description: &r.description,
            decision: r.eval.decision().as_str(),
            expected: r.expect.map(Decision::as_str),
            matches_expect: r.matches(),
            deciding: r.eval.deciding.iter().map(json_stmt).collect(),
            reason: r.eval.reason.map(|x| x.to_string()),
            condition,
            explanation: r.explanation.as_deref().map(indent),
        };
        serde_json::to_writer(&mut *out, &j)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes a table of the cases (and, when explained, a block per case), then
/// a summary line
///
/// # Errors
/// Any write error.
pub fn render_table<W: Write>(out: &mut W, results: &[CaseResult]) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "#",
            "description",
            "decision",
            "expected",
            "result",
            "deciding / reason",
        ]);
    for (i, r) in results.iter().enumerate() {
        let why = match (&r.eval.answer, r.eval.reason) {
            (Answer::Conditional(c), _) => format!("if {c}"),
            (_, Some(reason)) => reason.to_string(),
            _ => r
                .eval
                .deciding
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        };
        table.add_row(vec![
            i.to_string(),
            r.description.clone(),
            r.eval.decision().to_string(),
            r.expect
                .map(|e| e.to_string())
                .unwrap_or_else(|| "-".into()),
            match r.matches() {
                Some(true) => "ok".into(),
                Some(false) => "MISMATCH".into(),
                None => "-".into(),
            },
            why,
        ]);
    }
    writeln!(out, "{table}")?;
    for (i, r) in results.iter().enumerate() {
        if let Some(lines) = &r.explanation {
            writeln!(out, "\ncase {i}: {}", r.description)?;
            for l in indent(lines) {
                writeln!(out, "  {l}")?;
            }
        }
    }
    let with_expect = results.iter().filter(|r| r.expect.is_some()).count();
    let failed = results
        .iter()
        .filter(|r| r.matches() == Some(false))
        .count();
    if with_expect > 0 {
        writeln!(out, "{} passed, {failed} failed", with_expect - failed)?;
    }
    Ok(())
}

/// The JSON of `simulate --user` / `--role`: one object per access path
/// (its via, session, decision, condition, deciding statements, the
/// explanation when asked for, the role chain's hops, the resource's
/// notes). The CLI and `serve`'s API print the same objects.
pub fn paths_json(
    model: &crate::graph::Model,
    paths: &[crate::who::PathDecision],
    explain: bool,
    notes: &[String],
) -> Vec<serde_json::Value> {
    use crate::who::describe_stmt;
    paths
        .iter()
        .map(|p| {
            let answer = p.answer();
            let mut v = serde_json::json!({
                "via": p.via,
                "permission_set": (!p.permission_set.is_empty()).then_some(&p.permission_set),
                "session_arn": p.session_arn,
                "principal_tags": p.principal_tags,
                "decision": match &answer { Answer::Decided(d) => d.as_str(), Answer::Conditional(_) => "ImplicitDeny" },
                "condition": match &answer { Answer::Conditional(r) => Some(r.to_string()), Answer::Decided(_) => None },
                "reason": p.evaluation.reason.map(|r| r.to_string()),
                "deciding": p.evaluation.deciding.iter().map(|s| describe_stmt(s, &p.labels)).collect::<Vec<_>>(),
                "explanation": explain.then(|| p.explanation.iter().map(|l| format!("{}{}", "  ".repeat(l.depth), l.text)).collect::<Vec<_>>()),
            });
            if !p.hops.is_empty() {
                v["path"] = p
                    .hops
                    .iter()
                    .map(|h| {
                        serde_json::json!({
                            "role": model.iam_principals()[h.role].arn,
                            "condition": h.condition.as_ref().map(ToString::to_string),
                            "deciding": h.deciding,
                            "tag_session": h.tag_session,
                            "source_identity": h.source_identity,
                        })
                    })
                    .collect();
            }
            if !notes.is_empty() {
                v["notes"] = serde_json::json!(notes);
            }
            v
        })
        .collect()
}
