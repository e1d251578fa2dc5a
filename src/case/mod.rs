//! This module reads the evaluation case format (`case-format.md`): one
//! request, every policy that bears on it, and the expected decision. It
//! takes text and a file name for messages; it does no IO.
//!
//! Reading is all-or-nothing: the first invalid case stops it with an error
//! that names the file, the case, the policy and the JSON pointer, so nothing
//! is evaluated from a file that is partly wrong.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;

use crate::eval::context::{Context, CtxValue};
use crate::eval::request::Request;
use crate::eval::{evaluate, Decision, Evaluation, PolicySet};
use crate::json::JsonValue;
use crate::policy::{Policy, PolicyError, PolicyKind};

/// An error reading a case file
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// Not JSON, or not the case format's shape
    #[error("{file}: {message}")]
    Format {
        /// The file
        file: String,
        /// What serde said, with the JSON path and position
        message: String,
    },
    /// A policy document IAM would refuse
    #[error("{file}: case {index} (`{description}`): {policy}: {error}")]
    Policy {
        /// The file
        file: String,
        /// The case's index in the file
        index: usize,
        /// The case's description
        description: String,
        /// Which policy, e.g. `identity_policies[1]`, `scps[0][2]`
        policy: String,
        /// The error, with statement and JSON pointer
        error: PolicyError,
    },
    /// A request field or context value that is not valid
    #[error("{file}: case {index} (`{description}`) at `{pointer}`: {message}")]
    Request {
        /// The file
        file: String,
        /// The case's index in the file
        index: usize,
        /// The case's description
        description: String,
        /// JSON pointer of the value
        pointer: String,
        /// What is wrong
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    description: String,
    request: RawRequest,
    #[serde(default)]
    identity_policies: Vec<JsonValue>,
    permissions_boundary: Option<JsonValue>,
    session_policy: Option<JsonValue>,
    resource_policy: Option<JsonValue>,
    scps: Option<Vec<Vec<JsonValue>>>,
    rcps: Option<Vec<Vec<JsonValue>>>,
    expect: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    principal: String,
    action: String,
    resource: String,
    resource_account: Option<String>,
    #[serde(default)]
    context: Option<JsonValue>,
}

/// One case, validated and compiled
#[derive(Debug, Clone)]
pub struct Case {
    /// The description
    pub description: String,
    /// The request
    pub request: Request,
    /// The request context (every key not given is absent)
    pub context: Context,
    /// The policies
    pub policies: PolicySet,
    /// The expected decision, if given
    pub expect: Option<Decision>,
}

impl Case {
    /// Decides the case
    pub fn evaluate(&self) -> Evaluation {
        evaluate(&self.request, &self.context, &self.policies)
    }
}

/// Reads every case in `text` (one case object or an array of them)
///
/// # Errors
/// [`CaseError`] for the first problem found, naming `file`.
pub fn parse_cases(text: &str, file: &str) -> Result<Vec<Case>, CaseError> {
    map_cases(text, file, |c| c)
}

/// Reads every case in `text` and maps each through `f` as soon as it is
/// compiled, in parallel, keeping only what `f` returns (in file order)
///
/// This is how a large file is decided without holding every compiled case
/// in memory. When any case is invalid the whole call fails and the results
/// are discarded.
///
/// # Errors
/// [`CaseError`] for the first problem found, naming `file`.
pub fn map_cases<T, F>(text: &str, file: &str, f: F) -> Result<Vec<T>, CaseError>
where
    T: Send,
    F: Fn(Case) -> T + Sync + Send,
{
    let is_array = text.trim_start().starts_with('[');
    if !is_array {
        let raw: RawCase =
            serde_json::from_str(text).map_err(|_| format_error(text, file, false))?;
        return compile_case(raw, 0, "", file).map(|c| vec![f(c)]);
    }
    // A large file is split into its top-level elements and each is read and
    // compiled on its own (in parallel, and without holding every parsed
    // document at once); any error is reported from a full, path-tracking
    // read so that its line and column are the file's.
    let Some(elements) = split_array(text) else {
        return Err(format_error(text, file, true));
    };
    elements
        .into_par_iter()
        .enumerate()
        .map(|(i, slice)| {
            let raw: RawCase =
                serde_json::from_str(slice).map_err(|_| format_error(text, file, true))?;
            compile_case(raw, i, &format!("/{i}"), file).map(&f)
        })
        .collect()
}

/// The text of each element of a top-level JSON array, or `None` if the
/// text is not a well-formed array at the top level (strings, escapes and
/// nesting are tracked; each element is checked when it is parsed)
///
/// This is the one sequential pass over a case file, so it jumps through
/// strings with `memchr` instead of looking at every byte.
fn split_array(text: &str) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    let start = text.find('[')?;
    if !text[..start].trim().is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut elem_start = start + 1;
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Skip to the closing quote, stepping over escapes.
                let mut j = i + 1;
                loop {
                    let k = j + memchr::memchr2(b'"', b'\\', &bytes[j..])?;
                    if bytes[k] == b'\\' {
                        j = k + 2;
                        if j > bytes.len() {
                            return None;
                        }
                    } else {
                        i = k;
                        break;
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth > 0 => depth -= 1,
            b']' => {
                let last = text[elem_start..i].trim();
                if last.is_empty() && !out.is_empty() {
                    return None; // a trailing comma
                }
                if !last.is_empty() {
                    out.push(last);
                }
                return text[i + 1..].trim().is_empty().then_some(out);
            }
            b',' if depth == 0 => {
                let elem = text[elem_start..i].trim();
                if elem.is_empty() {
                    return None;
                }
                out.push(elem);
                elem_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

// The fast path above reads without tracking paths; on failure, read again
// with serde_path_to_error so the message says where.
fn format_error(text: &str, file: &str, is_array: bool) -> CaseError {
    let mut de = serde_json::Deserializer::from_str(text);
    let res = if is_array {
        serde_path_to_error::deserialize::<_, Vec<RawCase>>(&mut de).map(|_| ())
    } else {
        serde_path_to_error::deserialize::<_, RawCase>(&mut de).map(|_| ())
    };
    let message = match res {
        Err(e) => {
            // serde_path_to_error writes `?` for a segment it could not name.
            let path = e.path().to_string().trim_end_matches(".?").to_owned();
            let inner = e.into_inner();
            if path == "." || path.is_empty() {
                format!("invalid case file: {inner}")
            } else {
                format!("invalid case file at `{path}`: {inner}")
            }
        }
        Ok(()) => "invalid case file".to_owned(),
    };
    CaseError::Format {
        file: file.to_owned(),
        message,
    }
}

fn compile_case(raw: RawCase, index: usize, base: &str, file: &str) -> Result<Case, CaseError> {
    let description = raw.description;
    let policy_err = |policy: String, error: PolicyError| CaseError::Policy {
        file: file.to_owned(),
        index,
        description: description.clone(),
        policy,
        error,
    };
    let compile = |v: &JsonValue, kind: PolicyKind, label: String, pointer: String| {
        Policy::from_json(v, kind, &pointer)
            .map(Arc::new)
            .map_err(|e| policy_err(label, e))
    };
    let mut set = PolicySet::default();
    for (j, v) in raw.identity_policies.iter().enumerate() {
        set.identity.push(compile(
            v,
            PolicyKind::Identity,
            format!("identity_policies[{j}]"),
            format!("{base}/identity_policies/{j}"),
        )?);
    }
    if let Some(v) = &raw.permissions_boundary {
        set.boundary = Some(compile(
            v,
            PolicyKind::Boundary,
            "permissions_boundary".into(),
            format!("{base}/permissions_boundary"),
        )?);
    }
    if let Some(v) = &raw.session_policy {
        set.session = Some(compile(
            v,
            PolicyKind::Session,
            "session_policy".into(),
            format!("{base}/session_policy"),
        )?);
    }
    if let Some(v) = &raw.resource_policy {
        set.resource = Some(compile(
            v,
            PolicyKind::Resource,
            "resource_policy".into(),
            format!("{base}/resource_policy"),
        )?);
    }
    for (field, kind) in [("scps", PolicyKind::Scp), ("rcps", PolicyKind::Rcp)] {
        let levels = if kind == PolicyKind::Scp {
            &raw.scps
        } else {
            &raw.rcps
        };
        let Some(levels) = levels else { continue };
        let mut out = Vec::with_capacity(levels.len());
        for (l, level) in levels.iter().enumerate() {
            let mut list = Vec::with_capacity(level.len());
            for (j, v) in level.iter().enumerate() {
                list.push(compile(
                    v,
                    kind,
                    format!("{field}[{l}][{j}]"),
                    format!("{base}/{field}/{l}/{j}"),
                )?);
            }
            out.push(list);
        }
        if kind == PolicyKind::Scp {
            set.scps = Some(out);
        } else {
            set.rcps = Some(out);
        }
    }
    let req_err = |pointer: String, message: String| CaseError::Request {
        file: file.to_owned(),
        index,
        description: description.clone(),
        pointer,
        message,
    };
    let r = &raw.request;
    let request = Request::new(
        &r.principal,
        &r.action,
        &r.resource,
        r.resource_account.as_deref(),
    )
    .map_err(|a| {
        req_err(
            format!("{base}/request/action"),
            format!("invalid action `{a}`: expected `service:Action`"),
        )
    })?;
    if r.principal.is_empty() {
        return Err(req_err(
            format!("{base}/request/principal"),
            "the principal must not be empty".into(),
        ));
    }
    if r.resource.is_empty() {
        return Err(req_err(
            format!("{base}/request/resource"),
            "the resource must not be empty (use `*`)".into(),
        ));
    }
    let mut context = Context::closed();
    match &r.context {
        None | Some(JsonValue::Null) => {}
        Some(JsonValue::Object(members)) => {
            for (k, v) in members {
                let p = crate::json::pointer_push(&format!("{base}/request/context"), k);
                if context.contains(k) {
                    return Err(req_err(
                        p,
                        format!("key `{k}` is given twice (key names are case-insensitive)"),
                    ));
                }
                let value = match v {
                    JsonValue::Array(items) => {
                        let mut vals = Vec::with_capacity(items.len());
                        for item in items {
                            vals.push(item.scalar_text().ok_or_else(|| {
                                req_err(
                                    p.clone(),
                                    format!(
                                        "expected strings, numbers or booleans, found {}",
                                        item.type_name()
                                    ),
                                )
                            })?);
                        }
                        CtxValue::multi(vals)
                    }
                    scalar => CtxValue::single(scalar.scalar_text().ok_or_else(|| {
                        req_err(
                            p.clone(),
                            format!(
                                "expected a string, number, boolean or array, found {}",
                                scalar.type_name()
                            ),
                        )
                    })?),
                };
                context.set(k, value);
            }
        }
        Some(other) => {
            return Err(req_err(
                format!("{base}/request/context"),
                format!("expected an object, found {}", other.type_name()),
            ))
        }
    }
    let expect = match &raw.expect {
        None => None,
        Some(s) => Some(Decision::parse(s).ok_or_else(|| {
            req_err(
                format!("{base}/expect"),
                format!(
                    "unknown decision `{s}`, expected `Allow`, `ImplicitDeny` or `ExplicitDeny`"
                ),
            )
        })?),
    };
    Ok(Case {
        description,
        request,
        context,
        policies: set,
        expect,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_error_names_file_case_policy_statement_and_pointer() {
        let text = r#"[{"description": "d0", "request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "*"}, "expect": "ImplicitDeny"},
        {"description": "d1", "request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "*"},
         "identity_policies": [{"Statement": {"Sid": "S", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Foo": {"a": "b"}}}}]}]"#;
        let err = parse_cases(text, "f.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.json: case 1 (`d1`): identity_policies[0]: statement 0 (Sid `S`) at `/1/identity_policies/0/Statement/Condition/Foo`: unknown condition operator `Foo`"
        );
    }

    #[test]
    fn splits_top_level_elements() {
        assert_eq!(
            split_array(r#" [ {"a": "],\"{\\"}, [1, {"b": 2}] ,3] "#),
            Some(vec![r#"{"a": "],\"{\\"}"#, r#"[1, {"b": 2}]"#, "3"])
        );
        assert_eq!(split_array("[]"), Some(vec![]));
        assert_eq!(split_array("[1,]"), None);
        assert_eq!(split_array("[1,,2]"), None);
        assert_eq!(split_array("[1] x"), None);
        assert_eq!(split_array("[1"), None);
        assert_eq!(split_array("[\"abc"), None);
        assert_eq!(split_array("[\"a\\"), None);
    }

    #[test]
    fn unknown_field_names_its_path() {
        let text = r#"{"description": "d", "request": {"principal": "p", "action": "s3:x", "resource": "*", "contxt": {}}}"#;
        let err = parse_cases(text, "f.json").unwrap_err().to_string();
        assert_eq!(
            err,
            "f.json: invalid case file at `request.contxt`: unknown field `contxt`, expected one of `principal`, `action`, `resource`, `resource_account`, `context` at line 1 column 94"
        );
    }

    #[test]
    fn malformed_json_gives_line_and_column() {
        let err = parse_cases("[{\"description\": }]", "f.json")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "f.json: invalid case file at `[0].description`: expected value at line 1 column 18"
        );
    }

    #[test]
    fn context_keys_differing_in_case_are_refused() {
        let text = r#"{"description": "d", "request": {"principal": "p", "action": "s3:x", "resource": "*", "context": {"aws:ResourceTag/Env": "a", "aws:ResourceTag/env": "b"}}}"#;
        let err = parse_cases(text, "f.json").unwrap_err().to_string();
        assert_eq!(err, "f.json: case 0 (`d`) at `/request/context/aws:ResourceTag~1env`: key `aws:ResourceTag/env` is given twice (key names are case-insensitive)");
    }

    #[test]
    fn bad_expect_and_action() {
        let text = r#"{"description": "d", "request": {"principal": "p", "action": "s3", "resource": "*"}}"#;
        assert_eq!(
            parse_cases(text, "f").unwrap_err().to_string(),
            "f: case 0 (`d`) at `/request/action`: invalid action `s3`: expected `service:Action`"
        );
        let text = r#"{"description": "d", "request": {"principal": "p", "action": "s3:x", "resource": "*"}, "expect": "Deny"}"#;
        assert_eq!(
            parse_cases(text, "f").unwrap_err().to_string(),
            "f: case 0 (`d`) at `/expect`: unknown decision `Deny`, expected `Allow`, `ImplicitDeny` or `ExplicitDeny`"
        );
    }
}
