//! `accessgraph validate FILE...`: offline policy validation.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context as _};
use clap::{Args, ValueEnum};

use accessgraph::json::JsonValue;
use accessgraph::report::validate::{write_validation, Located, ValidatedFile};
use accessgraph::validate::{check, locate::Locator, validate, PolicyType, Severity, CHECKS};

use super::org::out;
use super::{Exit, Format};

/// Larger than any policy document (the largest quota is 20 KB): refused
/// before parsing, with exit 2
const MAX_BYTES: usize = 1 << 20;

/// `validate FILE... [--type T] [--fail-on S]`, or `validate --explain CODE`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Markdown, Format::Sarif]))]
    pub(super) format: Format,
    /// Policy documents (JSON)
    #[arg(required_unless_present = "explain")]
    files: Vec<PathBuf>,
    /// What the documents are (default: what each one's shape says:
    /// Principal present means resource, trust when all its actions are sts:)
    #[arg(long = "type", value_enum)]
    policy_type: Option<TypeArg>,
    /// Exit 1 when a finding of this severity or above is found
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Explain a check: what it finds, why it matters, the Access Analyzer check it matches
    #[arg(long, value_name = "CODE", conflicts_with = "files")]
    explain: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TypeArg {
    Identity,
    Resource,
    Trust,
    Scp,
    Rcp,
    Boundary,
    Session,
}

impl TypeArg {
    fn policy_type(self) -> PolicyType {
        match self {
            TypeArg::Identity => PolicyType::Identity,
            TypeArg::Resource => PolicyType::Resource,
            TypeArg::Trust => PolicyType::Trust,
            TypeArg::Scp => PolicyType::Scp,
            TypeArg::Rcp => PolicyType::Rcp,
            TypeArg::Boundary => PolicyType::Boundary,
            TypeArg::Session => PolicyType::Session,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    SecurityWarning,
    Warning,
    Suggestion,
}

/// `validate`
pub fn run(args: ValidateArgs, format: Format) -> anyhow::Result<Exit> {
    let mut w = out();
    if let Some(code) = &args.explain {
        let c = check(code).with_context(|| {
            let all: Vec<&str> = CHECKS.iter().map(|c| c.code).collect();
            format!("unknown check `{code}`; the checks are: {}", all.join(", "))
        })?;
        writeln!(
            w,
            "{} ({})\n\nWhat it finds: {}\nWhy it matters: {}\nIAM Access Analyzer: {}",
            c.code,
            c.severity.as_str(),
            c.what,
            c.why,
            c.access_analyzer.unwrap_or("no check of the same meaning")
        )?;
        w.flush()?;
        return Ok(Exit::Ok);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::SecurityWarning => Severity::SecurityWarning,
        FailOn::Warning => Severity::Warning,
        FailOn::Suggestion => Severity::Suggestion,
    };
    let mut files = Vec::new();
    for f in &args.files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(f).with_context(|| format!("failed to read {name}"))?;
        if text.trim().is_empty() {
            bail!("{name}: empty file, expected a JSON policy document");
        }
        if text.len() > MAX_BYTES {
            bail!(
                "{name}: {} bytes: larger than any policy AWS stores (the largest quota, an S3 bucket policy's, is 20 KB); not validated",
                text.len()
            );
        }
        let doc = JsonValue::parse(&text).map_err(|e| anyhow::anyhow!("{name}: not JSON: {e}"))?;
        let (policy_type, type_guessed) = match args.policy_type {
            Some(t) => (t.policy_type(), false),
            None => (PolicyType::guess(&doc), true),
        };
        let places = Locator::new(&text);
        let findings = validate(&doc, policy_type)
            .into_iter()
            .map(|finding| {
                let (line, column) = places.locate(&finding.pointer).unwrap_or((1, 1));
                Located {
                    finding,
                    line,
                    column,
                }
            })
            .collect();
        files.push(ValidatedFile {
            file: name,
            policy_type,
            type_guessed,
            findings,
        });
    }
    write_validation(&mut w, format, &files)?;
    w.flush()?;
    let failing = files
        .iter()
        .flat_map(|f| &f.findings)
        .any(|l| l.finding.severity >= threshold);
    Ok(if failing { Exit::Fail } else { Exit::Ok })
}
