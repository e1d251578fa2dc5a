//! Guardrails written in Cedar: the schema and default rules under
//! `policies/`, plus the user's own files. Each `forbid` rule that matches
//! an `assign` request is a finding with the rule's `@id`, `@severity` and
//! `@message`.

use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityUid, PolicyId, PolicySet, Request, Schema,
    ValidationMode, Validator,
};
use miette::Diagnostic;

use crate::query::lint::Severity;

/// The bundled schema (`policies/accessgraph.cedarschema`)
pub const SCHEMA: &str = include_str!("../../policies/accessgraph.cedarschema");
/// The bundled default rules (`policies/default.cedar`)
pub const DEFAULT_RULES: &str = include_str!("../../policies/default.cedar");

/// A guardrail file that cannot be used
#[derive(Debug, thiserror::Error)]
pub enum GuardrailError {
    /// The schema does not parse
    #[error("Cedar schema: {0}")]
    Schema(String),
    /// A rule file does not parse
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// The file
        file: String,
        /// 1-based line
        line: usize,
        /// 1-based column
        column: usize,
        /// What is wrong
        message: String,
    },
    /// A rule does not validate against the schema
    #[error("{file}: rule {rule}: {message}")]
    Invalid {
        /// The file
        file: String,
        /// The rule's `@id` or its position in the file
        rule: String,
        /// What is wrong
        message: String,
    },
    /// A request or entity could not be built (a bug, or a name Cedar rejects)
    #[error("Cedar request: {0}")]
    Request(String),
}

/// A loaded, validated set of rules
#[derive(Debug)]
pub struct Guardrails {
    schema: Schema,
    policies: PolicySet,
    /// Per policy id: file, `@id`, severity, message
    meta: Vec<(PolicyId, RuleMeta)>,
}

/// What a rule says about itself
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    /// The file it came from
    pub file: String,
    /// `@id`
    pub id: String,
    /// `@severity`
    pub severity: Severity,
    /// `@message`
    pub message: String,
}

/// One rule that forbids one assignment
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule
    pub rule: RuleMeta,
    /// Index of the request in the batch
    pub request: usize,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses a severity annotation
pub fn parse_severity(s: &str) -> Option<Severity> {
    match s.to_ascii_lowercase().as_str() {
        "low" => Some(Severity::Low),
        "medium" => Some(Severity::Medium),
        "high" => Some(Severity::High),
        _ => None,
    }
}

impl Guardrails {
    /// Loads `files` ((name, text) pairs) against the bundled schema; every
    /// rule needs `@id`, `@severity` (low, medium, high) and `@message`
    ///
    /// # Errors
    /// The first file that does not parse (with its line and column), or a
    /// rule that lacks an annotation or does not validate.
    pub fn load(files: &[(String, String)]) -> Result<Guardrails, GuardrailError> {
        let (schema, _) = Schema::from_cedarschema_str(SCHEMA)
            .map_err(|e| GuardrailError::Schema(e.to_string()))?;
        let mut policies = PolicySet::new();
        let mut meta = Vec::new();
        for (file, text) in files {
            let parsed = PolicySet::from_str(text).map_err(|e| {
                let offset = e
                    .labels()
                    .and_then(|mut l| l.next())
                    .map_or(0, |l| l.offset());
                let (line, column) = line_col(text, offset);
                GuardrailError::Parse {
                    file: file.clone(),
                    line,
                    column,
                    message: e.to_string(),
                }
            })?;
            let mut one = PolicySet::new();
            for (i, p) in parsed.policies().enumerate() {
                let position = format!("#{i}");
                let ann = |k: &str| -> Result<String, GuardrailError> {
                    p.annotation(k)
                        .map(str::to_owned)
                        .ok_or_else(|| GuardrailError::Invalid {
                            file: file.clone(),
                            rule: p.annotation("id").unwrap_or(&position).to_owned(),
                            message: format!("missing @{k}(\"...\") annotation"),
                        })
                };
                let id = ann("id")?;
                let sev_text = ann("severity")?;
                let severity =
                    parse_severity(&sev_text).ok_or_else(|| GuardrailError::Invalid {
                        file: file.clone(),
                        rule: id.clone(),
                        message: format!("@severity(\"{sev_text}\") is not low, medium or high"),
                    })?;
                let message = ann("message")?;
                let pid = PolicyId::new(format!("{file}{position}"));
                let p = p.new_id(pid.clone());
                one.add(p.clone()).map_err(|e| GuardrailError::Invalid {
                    file: file.clone(),
                    rule: id.clone(),
                    message: e.to_string(),
                })?;
                policies.add(p).map_err(|e| GuardrailError::Invalid {
                    file: file.clone(),
                    rule: id.clone(),
                    message: e.to_string(),
                })?;
                meta.push((
                    pid,
                    RuleMeta {
                        file: file.clone(),
                        id,
                        severity,
                        message,
                    },
                ));
            }
            let result = Validator::new(schema.clone()).validate(&one, ValidationMode::Strict);
            let first = result.validation_errors().next().map(|e| {
                let rule = meta
                    .iter()
                    .find(|(pid, _)| pid == e.policy_id())
                    .map_or_else(|| e.policy_id().to_string(), |(_, m)| m.id.clone());
                let where_ = e
                    .labels()
                    .and_then(|mut l| l.next())
                    .map(|l| {
                        let (line, col) = line_col(text, l.offset());
                        format!(" (line {line}, column {col})")
                    })
                    .unwrap_or_default();
                GuardrailError::Invalid {
                    file: file.clone(),
                    rule,
                    message: format!("{e}{where_}"),
                }
            });
            if let Some(e) = first {
                return Err(e);
            }
        }
        Ok(Guardrails {
            schema,
            policies,
            meta,
        })
    }

    /// Number of rules
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    /// Whether there are none
    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    /// The rules' metadata
    pub fn rules(&self) -> impl Iterator<Item = &RuleMeta> {
        self.meta.iter().map(|(_, m)| m)
    }

    /// Decides every request: `entities` is the Cedar entity JSON array,
    /// each request is (action name: `assign`, `assign_application` or
    /// `entitle`; principal uid, resource uid, context JSON)
    ///
    /// # Errors
    /// An entity, context or request that does not fit the schema.
    pub fn evaluate(
        &self,
        entities: serde_json::Value,
        requests: &[(&str, String, String, serde_json::Value)],
    ) -> Result<Vec<Violation>, GuardrailError> {
        let err = |e: &dyn std::fmt::Display| GuardrailError::Request(e.to_string());
        let entities =
            Entities::from_json_value(entities, Some(&self.schema)).map_err(|e| err(&e))?;
        let authorizer = Authorizer::new();
        let mut out = Vec::new();
        for (i, (action, principal, resource, context)) in requests.iter().enumerate() {
            let action = EntityUid::from_str(&format!("AccessGraph::Action::\"{action}\""))
                .map_err(|e| err(&e))?;
            let principal = EntityUid::from_str(principal).map_err(|e| err(&e))?;
            let resource = EntityUid::from_str(resource).map_err(|e| err(&e))?;
            let context = Context::from_json_value(context.clone(), Some((&self.schema, &action)))
                .map_err(|e| err(&e))?;
            let req = Request::new(
                principal,
                action.clone(),
                resource,
                context,
                Some(&self.schema),
            )
            .map_err(|e| err(&e))?;
            let resp = authorizer.is_authorized(&req, &self.policies, &entities);
            if let Some(e) = resp.diagnostics().errors().next() {
                return Err(err(&e));
            }
            if resp.decision() == Decision::Deny {
                for pid in resp.diagnostics().reason() {
                    if let Some((_, m)) = self.meta.iter().find(|(p, _)| p == pid) {
                        out.push(Violation {
                            rule: m.clone(),
                            request: i,
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A Cedar entity uid literal: `AccessGraph::Kind::"id"` with the id escaped
pub fn uid(kind: &str, id: &str) -> String {
    let escaped: String = id
        .chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            c => vec![c],
        })
        .collect();
    format!("AccessGraph::{kind}::\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Guardrails {
        Guardrails::load(&[("default.cedar".into(), DEFAULT_RULES.into())]).unwrap()
    }

    #[test]
    fn the_default_rules_load_with_their_annotations() {
        let g = defaults();
        let ids: Vec<&str> = g.rules().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "no-admin-on-prod",
                "session-over-8-hours",
                "assign-groups-not-users",
                "inline-allows-star-on-star",
                "permission-set-without-description",
                "no-admin-entitlement-on-prod"
            ]
        );
    }

    #[test]
    fn a_broken_rule_names_its_file_line_and_column() {
        let e = Guardrails::load(&[(
            "mine.cedar".into(),
            "@id(\"x\")\n@severity(\"low\")\n@message(\"m\")\nforbid (principal, action, resource) when { context. };".into(),
        )])
        .unwrap_err();
        assert!(matches!(e, GuardrailError::Parse { line: 4, .. }), "{e}");
        assert!(e.to_string().starts_with("mine.cedar:4:"), "{e}");
        // A rule that names an attribute the schema lacks does not validate.
        let e = Guardrails::load(&[(
            "mine.cedar".into(),
            "@id(\"x\")\n@severity(\"low\")\n@message(\"m\")\nforbid (principal, action == AccessGraph::Action::\"assign\", resource) when { context.no_such_fact };".into(),
        )])
        .unwrap_err();
        assert!(
            matches!(e, GuardrailError::Invalid { ref rule, .. } if rule == "x"),
            "{e}"
        );
        // Missing annotations and bad severities are errors too.
        let e = Guardrails::load(&[(
            "mine.cedar".into(),
            "@id(\"x\")\n@severity(\"urgent\")\n@message(\"m\")\nforbid (principal, action, resource);".into(),
        )])
        .unwrap_err();
        assert!(e.to_string().contains("is not low, medium or high"), "{e}");
    }
}
