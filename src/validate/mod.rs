//! Offline policy validation: the checks of IAM Access Analyzer's
//! ValidatePolicy that need no AWS call, and some it does not make. A
//! document is walked as JSON, not compiled, so every problem is a finding
//! (the evaluator's parser stops at the first): one per problem, with a
//! stable code, a severity, the statement, a JSON pointer and a message that
//! names what was found and what was expected. Pure.

pub mod keys;
pub mod locate;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::catalog;
use crate::json::{pointer_push, JsonValue};
use crate::policy::condition::{parse_bool, parse_date, parse_number, BaseOp, Operator, SetOp};
use crate::policy::glob::Glob;
use keys::{KeyInfo, KeyType};

/// How bad a finding is, least first (Access Analyzer's finding types)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// A better way to write it
    Suggestion,
    /// Probably not what was meant
    Warning,
    /// Grants more than it seems to
    SecurityWarning,
    /// Invalid, or never matches
    Error,
}

impl Severity {
    /// The kebab-case name
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Suggestion => "suggestion",
            Severity::Warning => "warning",
            Severity::SecurityWarning => "security-warning",
            Severity::Error => "error",
        }
    }

    /// Reads a kebab-case name
    pub fn parse(s: &str) -> Option<Severity> {
        [
            Severity::Suggestion,
            Severity::Warning,
            Severity::SecurityWarning,
            Severity::Error,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// What a document is, which decides the elements it may have
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyType {
    /// An identity policy (inline, managed, a permission set's)
    Identity,
    /// A resource policy (bucket, key, queue ...)
    Resource,
    /// A role trust policy
    Trust,
    /// A service control policy
    Scp,
    /// A resource control policy
    Rcp,
    /// A permissions boundary
    Boundary,
    /// A session policy
    Session,
}

impl PolicyType {
    /// Every type
    pub const ALL: [PolicyType; 7] = [
        PolicyType::Identity,
        PolicyType::Resource,
        PolicyType::Trust,
        PolicyType::Scp,
        PolicyType::Rcp,
        PolicyType::Boundary,
        PolicyType::Session,
    ];

    /// The lower-case name
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyType::Identity => "identity",
            PolicyType::Resource => "resource",
            PolicyType::Trust => "trust",
            PolicyType::Scp => "scp",
            PolicyType::Rcp => "rcp",
            PolicyType::Boundary => "boundary",
            PolicyType::Session => "session",
        }
    }

    fn has_principal(self) -> bool {
        matches!(
            self,
            PolicyType::Resource | PolicyType::Trust | PolicyType::Rcp
        )
    }

    /// The type a document's shape says: a statement with `Principal` or
    /// `NotPrincipal` is a resource policy (a trust policy when its actions
    /// are all `sts:`), otherwise an identity policy
    pub fn guess(doc: &JsonValue) -> PolicyType {
        let statements: Vec<&JsonValue> = match doc.get("Statement") {
            Some(JsonValue::Array(a)) => a.iter().collect(),
            Some(s @ JsonValue::Object(_)) => vec![s],
            _ => Vec::new(),
        };
        let principal = statements
            .iter()
            .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
        if !principal {
            return PolicyType::Identity;
        }
        let sts_only = statements.iter().all(|s| {
            strings(s.get("Action")).is_some_and(|a| {
                !a.is_empty() && a.iter().all(|x| x.to_ascii_lowercase().starts_with("sts:"))
            })
        });
        if sts_only && statements.iter().all(|s| s.get("Resource").is_none()) {
            PolicyType::Trust
        } else {
            PolicyType::Resource
        }
    }
}

/// One problem in a document
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable kebab-case code ([`CHECKS`])
    pub code: &'static str,
    /// Its severity
    pub severity: Severity,
    /// The statement's index, or `None` for the document
    pub statement: Option<usize>,
    /// The statement's `Sid`
    pub sid: Option<String>,
    /// JSON pointer to what it is about
    pub pointer: String,
    /// What was found and what was expected
    pub message: String,
    /// How to fix it, where that is clear
    pub fix: Option<String>,
}

/// A check: its code, severity and what it means
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Stable code
    pub code: &'static str,
    /// Severity
    pub severity: Severity,
    /// What it finds
    pub what: &'static str,
    /// Why it matters, and the fix
    pub why: &'static str,
    /// The Access Analyzer check of the same meaning, where there is one
    pub access_analyzer: Option<&'static str>,
}

macro_rules! checks {
    ($( $code:literal, $sev:ident, $what:literal, $why:literal, $aa:expr; )*) => {
        /// Every check, by code
        pub const CHECKS: &[Check] = &[$(Check {
            code: $code,
            severity: Severity::$sev,
            what: $what,
            why: $why,
            access_analyzer: $aa,
        }),*];
    };
}

checks! {
    "policy-too-large", Error, "a document longer than AWS stores for its type (characters other than whitespace: identity 10,240 for an inline role policy and 6,144 for a managed one, boundary 6,144, session 2,048, SCP and RCP 5,120, trust 4,096, resource 20,480 for an S3 bucket policy)", "AWS refuses it when it is created or attached. Split it into several policies or use wildcards.", Some("Policy size exceeds the quota");
    "not-an-object", Error, "the document is not a JSON object", "IAM refuses it.", Some("JSON syntax error");
    "invalid-version", Error, "`Version` is neither 2012-10-17 nor 2008-10-17", "IAM refuses any other value. Use 2012-10-17.", Some("Invalid Version");
    "missing-version", Warning, "no `Version`: IAM reads the document as 2008-10-17", "Policy variables are then literal text. Add \"Version\": \"2012-10-17\".", Some("Missing Version");
    "old-version", Warning, "`Version` 2008-10-17", "Policy variables are literal text under 2008-10-17. Use 2012-10-17.", Some("Missing Version");
    "unknown-element", Error, "a top-level element IAM does not know (`Statements`, `Versions`)", "IAM refuses the document. The elements are Version, Id and Statement.", Some("Unsupported element");
    "missing-statement", Error, "no `Statement`", "A policy without statements is refused.", Some("Missing element");
    "statement-not-object", Error, "a statement that is not an object", "Each statement is an object with Effect, Action and Resource.", Some("JSON syntax error");
    "unknown-statement-element", Error, "a statement element IAM does not know (`Actions`, `Resources`, `Conditions`)", "IAM refuses the document; a misspelled Condition would otherwise silently not apply.", Some("Unsupported element");
    "missing-effect", Error, "a statement without `Effect`", "Every statement needs Effect Allow or Deny.", Some("Missing Effect");
    "invalid-effect", Error, "`Effect` other than Allow or Deny (`Permit`, `allow`)", "IAM accepts exactly Allow and Deny, case-sensitive.", Some("Invalid Effect");
    "missing-action", Error, "a statement with neither `Action` nor `NotAction`", "IAM refuses it.", Some("Missing Action");
    "action-and-not-action", Error, "a statement with both `Action` and `NotAction`", "IAM refuses it; keep one.", Some("Invalid element combination");
    "missing-resource", Error, "an identity, boundary, session or control policy statement with neither `Resource` nor `NotResource`", "IAM refuses it. Use \"Resource\": \"*\" for actions without resources.", Some("Missing Resource");
    "resource-and-not-resource", Error, "a statement with both `Resource` and `NotResource`", "IAM refuses it; keep one.", Some("Invalid element combination");
    "principal-and-not-principal", Error, "a statement with both `Principal` and `NotPrincipal`", "IAM refuses it; keep one.", Some("Invalid element combination");
    "principal-not-allowed", Error, "`Principal` or `NotPrincipal` in an identity, boundary, session policy or SCP", "These policies apply to whoever holds them: IAM refuses a Principal there.", Some("Unsupported element");
    "missing-principal", Error, "a resource, trust policy or RCP statement without `Principal` or `NotPrincipal`", "A resource-based statement must say whom it applies to.", Some("Missing Principal");
    "resource-in-trust-policy", Error, "`Resource` or `NotResource` in a trust policy", "IAM refuses it: a trust policy's resource is the role itself.", Some("Unsupported element");
    "trust-action-not-sts", Error, "a trust policy action outside sts: (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, TagSession, SetSourceIdentity, SetContext)", "IAM refuses other actions in a trust policy.", Some("Unsupported action");
    "allow-in-rcp", Error, "an Allow statement in a resource control policy", "RCPs only deny; AWS attaches RCPFullAWSAccess for the allow.", Some("Unsupported effect");
    "not-principal-with-allow", Error, "`NotPrincipal` with Allow", "It allows everyone else, anonymous users included; AWS recommends against it and many services refuse it. Use Principal with conditions.", Some("NotPrincipal with Allow");
    "duplicate-sid", Error, "two statements with one `Sid`", "IAM refuses duplicate Sids in a policy.", Some("Duplicate Sid");
    "invalid-sid", Warning, "a `Sid` with characters IAM identity policies refuse (only A-Z, a-z, 0-9)", "IAM refuses it in identity policies; other services may accept it.", Some("Invalid Sid");
    "not-a-string", Error, "an element that must be a string or a list of strings holds something else", "IAM refuses numbers, objects and nulls in Action, Resource, Sid and Effect.", Some("Type mismatch");
    "empty-list", Error, "an empty list where at least one value is needed", "An empty Action or Resource list matches nothing and IAM refuses it.", Some("Empty array");
    "invalid-action-format", Error, "an action that is not `service:Action` (`s3GetObject`, `s3:`)", "IAM refuses it.", Some("Invalid action format");
    "unknown-service", Error, "an action of a service prefix no AWS service has", "It matches nothing; a typo of a service prefix silently grants nothing.", Some("Invalid service");
    "unknown-action", Error, "an action (or pattern) that matches no action of its service", "It grants nothing; the message names the closest actions.", Some("Invalid action");
    "invalid-arn", Error, "a resource that is neither `*` nor an ARN (`arn:partition:service:region:account:resource`)", "It matches nothing.", Some("Invalid ARN");
    "short-arn", Warning, "a resource ARN with fewer than six `:`-separated parts (`arn:aws:sqs`)", "AWS reads it differently by policy type: identity policies treat the missing parts as `*`, resource policies and SCPs match nothing without a trailing `*` (the evaluation corpus shows each). Write every part.", None;
    "resource-service-mismatch", Warning, "a resource ARN of a service none of the statement's actions belongs to", "That resource is never matched by these actions: the statement grants less than it seems.", Some("Resource ARN does not match action");
    "resource-type-mismatch", Warning, "a resource ARN that matches no resource type of the statement's actions", "The actions never act on it (for example s3:GetObject on a bucket ARN instead of bucket/*).", Some("Resource ARN does not match action");
    "wildcard-only-action-with-resource", Warning, "actions that take no resource (`*` only), given specific resources", "The statement never matches them: use \"Resource\": \"*\" for these actions.", Some("Action does not support resource-level permissions");
    "condition-not-object", Error, "a `Condition` that is not an object of operators, each an object of keys", "IAM refuses it.", Some("JSON syntax error");
    "unknown-operator", Error, "a condition operator IAM does not have (`StringEqual`, `NullIfExists`, `ForAllValue:`)", "IAM refuses it.", Some("Invalid condition operator");
    "unknown-global-condition-key", Error, "an `aws:` condition key that does not exist", "The key is never present: the condition never matches (or, with IfExists or a negated operator, always does).", Some("Invalid global condition key");
    "unknown-condition-key", Error, "a service condition key that the service does not have", "The key is never present: the condition never matches.", Some("Invalid service condition key");
    "condition-key-not-for-actions", Warning, "a service condition key none of the statement's actions supports", "The key is absent from those requests: the condition never matches for them.", Some("Condition key not supported by action");
    "operator-type-mismatch", Warning, "an operator of one type on a key of another (`StringEquals` on a date key, `NumericLessThan` on a string key)", "The comparison is not the one meant, or never matches.", Some("Mismatched type");
    "invalid-condition-value", Error, "a condition value that does not parse as the operator's type (a Numeric `abc`, a date `yesterday`, an IP `10.0.0.300`, a Bool `yes`)", "IAM refuses it, or the condition never matches.", Some("Invalid condition value");
    "null-value-not-bool", Error, "`Null` with a value other than true or false", "Null takes true (the key is absent) or false (it is present).", Some("Invalid condition value");
    "set-operator-on-single-valued-key", Warning, "`ForAllValues:` or `ForAnyValue:` on a key that holds one value", "On a single-valued key the set operator is misleading: ForAllValues is also true when the key is absent.", Some("Set operator on single-valued key");
    "multivalued-key-without-set-operator", Warning, "a multivalued key (`aws:TagKeys`, `aws:CalledVia`) compared without `ForAnyValue:` or `ForAllValues:`", "The comparison does not mean what it says for a list of values.", Some("Missing set operator on multivalued key");
    "for-all-values-with-allow", SecurityWarning, "`ForAllValues:` in an Allow statement without a `Null` check of the key", "ForAllValues is true when the key is absent: the statement allows requests that carry no value at all.", Some("ForAllValues with Allow");
    "policy-variable-in-old-version", Warning, "a policy variable (`${aws:username}`) under Version 2008-10-17 or without Version", "Under 2008-10-17 the variable is literal text and matches nothing.", Some("Policy variable with old version");
    "invalid-policy-variable", Error, "a `${...}` that is not a valid policy variable (unclosed, empty, not a key)", "IAM refuses it or reads it as literal text.", Some("Invalid policy variable");
    "allow-with-not-action", SecurityWarning, "Allow with `NotAction`", "It allows every action not listed, including services added later.", Some("Allow with NotAction");
    "allow-with-not-resource", SecurityWarning, "Allow with `NotResource`", "It allows every resource not listed, including ones created later.", Some("Allow with NotResource");
    "pass-role-on-all-resources", SecurityWarning, "`iam:PassRole` allowed on every resource", "Whoever holds it can hand any role, an administrator's too, to a service: scope Resource to the roles meant and add iam:PassedToService.", Some("PassRole with star in resource");
    "public-principal", SecurityWarning, "a resource or trust policy that allows `*` (everyone, anonymous included) without a condition", "Anyone on the internet gets what it allows. Add a condition (aws:PrincipalOrgID, aws:SourceArn) or name principals.", Some("Allow with public principal");
    "trust-names-sso-role-arn", Warning, "a trust policy that names an Identity Center role by its full ARN (`AWSReservedSSO_<set>_<suffix>`)", "The suffix changes when the permission set is deleted and provisioned again, and the trust silently stops working. Name the account and match aws:PrincipalArn with ArnLike `.../AWSReservedSSO_<set>_*`.", None;
    "deny-with-not-principal", Warning, "Deny with `NotPrincipal`", "It denies every principal not listed, which for an assumed role must name the session ARN too; prefer a condition on aws:PrincipalArn.", Some("Deny with NotPrincipal");
    "redundant-action", Suggestion, "an action another action pattern of the same statement already covers", "Remove it; the statement means the same.", Some("Redundant action");
    "redundant-resource", Suggestion, "a resource another resource pattern of the same statement already covers", "Remove it; the statement means the same.", Some("Redundant resource");
    "duplicate-statement", Suggestion, "two statements that say the same (apart from the Sid)", "Remove one.", Some("Redundant statement");
}

/// The check of a code
pub fn check(code: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.code == code)
}

struct Out {
    findings: Vec<Finding>,
}

impl Out {
    fn add(
        &mut self,
        code: &'static str,
        statement: Option<(usize, Option<&str>)>,
        pointer: &str,
        message: String,
        fix: Option<String>,
    ) {
        let severity = check(code).map_or(Severity::Error, |c| c.severity);
        self.findings.push(Finding {
            code,
            severity,
            statement: statement.map(|(i, _)| i),
            sid: statement.and_then(|(_, s)| s.map(str::to_owned)),
            pointer: pointer.to_owned(),
            message,
            fix,
        });
    }
}

/// The strings of a string-or-list element (`None` when it is another shape)
fn strings(v: Option<&JsonValue>) -> Option<Vec<String>> {
    match v? {
        JsonValue::String(s) => Some(vec![s.clone()]),
        JsonValue::Array(a) => a
            .iter()
            .map(|x| match x {
                JsonValue::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

const TOP: &[&str] = &["Version", "Id", "Statement"];
const ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const TRUST_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
    "sts:*",
];

/// The most characters (whitespace not counted) AWS stores in a policy of
/// each type: the largest quota of the type's kinds
pub fn size_limit(ty: PolicyType) -> usize {
    match ty {
        PolicyType::Identity => 10_240,
        PolicyType::Boundary => 6_144,
        PolicyType::Session => 2_048,
        PolicyType::Scp | PolicyType::Rcp => 5_120,
        PolicyType::Trust => 4_096,
        PolicyType::Resource => 20_480,
    }
}

/// Validates one document as a policy of type `ty`
pub fn validate(doc: &JsonValue, ty: PolicyType) -> Vec<Finding> {
    let mut out = Out {
        findings: Vec::new(),
    };
    let size =
        serde_json::to_string(doc).map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count());
    if size > size_limit(ty) {
        out.add(
            "policy-too-large",
            None,
            "",
            format!(
                "{size} characters (whitespace not counted); a {} policy holds at most {}",
                ty.as_str(),
                size_limit(ty)
            ),
            Some("split it into several policies".into()),
        );
    }
    let JsonValue::Object(members) = doc else {
        out.add(
            "not-an-object",
            None,
            "",
            format!("found {}, expected an object", doc.type_name()),
            None,
        );
        return out.findings;
    };
    for (k, _) in members {
        if !TOP.contains(&k.as_str()) {
            let close = close(k, TOP.iter().copied());
            out.add(
                "unknown-element",
                None,
                &pointer_push("", k),
                format!("unknown element `{k}`; the elements are Version, Id, Statement"),
                close.map(|c| format!("rename it `{c}`")),
            );
        }
    }
    let version = doc.get("Version");
    let modern = match version {
        None => {
            out.add(
                "missing-version",
                None,
                "",
                "no Version: read as 2008-10-17".into(),
                Some("add \"Version\": \"2012-10-17\"".into()),
            );
            false
        }
        Some(JsonValue::String(v)) if v == "2012-10-17" => true,
        Some(JsonValue::String(v)) if v == "2008-10-17" => {
            out.add(
                "old-version",
                None,
                "/Version",
                "Version 2008-10-17: policy variables are literal text".into(),
                Some("use \"2012-10-17\"".into()),
            );
            false
        }
        Some(v) => {
            out.add(
                "invalid-version",
                None,
                "/Version",
                format!(
                    "Version {}, expected \"2012-10-17\" (or \"2008-10-17\")",
                    v.to_serde()
                ),
                Some("use \"2012-10-17\"".into()),
            );
            true
        }
    };
    let statements: Vec<(String, &JsonValue)> = match doc.get("Statement") {
        None => {
            out.add("missing-statement", None, "", "no Statement".into(), None);
            Vec::new()
        }
        Some(JsonValue::Array(a)) => {
            if a.is_empty() {
                out.add(
                    "empty-list",
                    None,
                    "/Statement",
                    "Statement is an empty list".into(),
                    None,
                );
            }
            a.iter()
                .enumerate()
                .map(|(i, s)| (format!("/Statement/{i}"), s))
                .collect()
        }
        Some(s @ JsonValue::Object(_)) => vec![("/Statement".to_owned(), s)],
        Some(other) => {
            out.add(
                "statement-not-object",
                None,
                "/Statement",
                format!(
                    "Statement is {}, expected an object or a list of objects",
                    other.type_name()
                ),
                None,
            );
            Vec::new()
        }
    };
    let mut sids: BTreeMap<String, usize> = BTreeMap::new();
    // Each statement printed without its Sid, to find repeats in one pass.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, (at, s)) in statements.iter().enumerate() {
        let sid = s.get("Sid").and_then(|v| match v {
            JsonValue::String(s) => Some(s.as_str()),
            _ => None,
        });
        let here = Some((i, sid));
        let JsonValue::Object(elements) = s else {
            out.add(
                "statement-not-object",
                here,
                at,
                format!("statement {i} is {}, expected an object", s.type_name()),
                None,
            );
            continue;
        };
        statement(&mut out, ty, modern, i, sid, at, s, elements);
        if let Some(sid) = sid {
            if let Some(first) = sids.get(sid) {
                out.add(
                    "duplicate-sid",
                    here,
                    &pointer_push(at, "Sid"),
                    format!("Sid `{sid}` is also statement {first}'s"),
                    Some("give each statement its own Sid".into()),
                );
            } else {
                sids.insert(sid.to_owned(), i);
            }
        }
        let without_sid = JsonValue::Object(
            elements
                .iter()
                .filter(|(k, _)| k != "Sid")
                .cloned()
                .collect(),
        );
        let printed = serde_json::to_string(&without_sid).unwrap_or_default();
        if let Some(first) = seen.get(&printed) {
            out.add(
                "duplicate-statement",
                here,
                at,
                format!("statement {i} says what statement {first} says"),
                Some("remove one".into()),
            );
        } else {
            seen.insert(printed, i);
        }
    }
    out.findings
}

fn close<'a>(key: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let k = key.to_ascii_lowercase();
    names
        .map(|n| (strsim::jaro_winkler(&k, &n.to_ascii_lowercase()), n))
        .filter(|(s, _)| *s > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

fn close_many<'a>(key: &str, names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let k = key.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = names
        .map(|n| (strsim::jaro_winkler(&k, &n.to_ascii_lowercase()), n))
        .filter(|(s, _)| *s > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// The actions a statement's `Action` names, expanded against the catalog
/// (`None` when one of them is `*`, or a pattern of an unknown service)
struct Actions {
    /// (service prefix, action name) of each named action
    named: Vec<(String, String)>,
    /// Whether `*` or a whole-service pattern is among them
    broad: bool,
}

#[allow(
    clippy::too_many_arguments,
    reason = "the walk's state, passed down once"
)]
fn statement(
    out: &mut Out,
    ty: PolicyType,
    modern: bool,
    i: usize,
    sid: Option<&str>,
    at: &str,
    s: &JsonValue,
    elements: &[(String, JsonValue)],
) {
    let here = Some((i, sid));
    let ptr = |k: &str| pointer_push(at, k);
    for (k, _) in elements {
        if !ELEMENTS.contains(&k.as_str()) {
            let c = close(k, ELEMENTS.iter().copied());
            out.add(
                "unknown-statement-element",
                here,
                &ptr(k),
                format!("unknown statement element `{k}`"),
                c.map(|c| format!("rename it `{c}`")),
            );
        }
    }
    if let Some(v) = s.get("Sid") {
        match v {
            JsonValue::String(sid) => {
                if matches!(
                    ty,
                    PolicyType::Identity | PolicyType::Boundary | PolicyType::Session
                ) && !sid.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    out.add(
                        "invalid-sid",
                        here,
                        &ptr("Sid"),
                        format!("Sid `{sid}` has characters other than A-Z, a-z, 0-9"),
                        Some(format!(
                            "use `{}`",
                            sid.chars()
                                .filter(char::is_ascii_alphanumeric)
                                .collect::<String>()
                        )),
                    );
                }
            }
            other => out.add(
                "not-a-string",
                here,
                &ptr("Sid"),
                format!("Sid is {}, expected a string", other.type_name()),
                None,
            ),
        }
    }
    let effect = match s.get("Effect") {
        None => {
            out.add(
                "missing-effect",
                here,
                at,
                "no Effect".into(),
                Some("add \"Effect\": \"Allow\" or \"Deny\"".into()),
            );
            None
        }
        Some(JsonValue::String(e)) if e == "Allow" || e == "Deny" => Some(e.as_str()),
        Some(v) => {
            let fix = v
                .scalar_text()
                .filter(|t| t.eq_ignore_ascii_case("allow") || t.eq_ignore_ascii_case("deny"))
                .map(|t| {
                    format!(
                        "write `{}`",
                        if t.eq_ignore_ascii_case("allow") {
                            "Allow"
                        } else {
                            "Deny"
                        }
                    )
                });
            out.add(
                "invalid-effect",
                here,
                &ptr("Effect"),
                format!("Effect {}, expected \"Allow\" or \"Deny\"", v.to_serde()),
                fix,
            );
            None
        }
    };
    let allow = effect == Some("Allow");
    // Only these grant: in a boundary, a session policy, an SCP or an RCP an
    // Allow caps what others grant, so the "grants too much" warnings
    // (NotAction, NotResource, PassRole on *) do not apply there.
    let grants = matches!(
        ty,
        PolicyType::Identity | PolicyType::Resource | PolicyType::Trust
    );
    // Principals
    let principal = s.get("Principal");
    let not_principal = s.get("NotPrincipal");
    if principal.is_some() && not_principal.is_some() {
        out.add(
            "principal-and-not-principal",
            here,
            at,
            "both Principal and NotPrincipal".into(),
            None,
        );
    }
    if ty.has_principal() {
        if principal.is_none() && not_principal.is_none() {
            out.add(
                "missing-principal",
                here,
                at,
                format!("a {} policy statement without Principal", ty.as_str()),
                Some(if ty == PolicyType::Rcp {
                    "add \"Principal\": \"*\"".into()
                } else {
                    "name the principals it applies to".into()
                }),
            );
        }
    } else {
        for (k, v) in [("Principal", principal), ("NotPrincipal", not_principal)] {
            if v.is_some() {
                out.add(
                    "principal-not-allowed",
                    here,
                    &ptr(k),
                    format!(
                        "{k} in a {} policy, which applies to whoever holds it",
                        ty.as_str()
                    ),
                    Some(format!("remove {k}")),
                );
            }
        }
    }
    if not_principal.is_some() {
        if allow {
            out.add(
                "not-principal-with-allow",
                here,
                &ptr("NotPrincipal"),
                "NotPrincipal with Allow allows everyone not listed".into(),
                Some("use Principal, with conditions".into()),
            );
        } else if effect == Some("Deny") {
            out.add(
                "deny-with-not-principal",
                here,
                &ptr("NotPrincipal"),
                "Deny with NotPrincipal denies everyone not listed".into(),
                Some("use Principal \"*\" with a condition on aws:PrincipalArn".into()),
            );
        }
    }
    if ty == PolicyType::Rcp && allow {
        out.add(
            "allow-in-rcp",
            here,
            &ptr("Effect"),
            "Allow in a resource control policy".into(),
            Some("write the restriction as a Deny".into()),
        );
    }
    let conditions = s.get("Condition");
    if ty.has_principal() && allow && conditions.is_none() && principal.is_some_and(is_public) {
        out.add(
            "public-principal",
            here,
            &ptr("Principal"),
            "allows \"*\" (everyone, anonymous included) with no condition".into(),
            Some("add a condition (aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount) or name the principals".into()),
        );
    }
    if ty == PolicyType::Trust {
        if let Some(p) = principal {
            for (j, arn) in principal_arns(p) {
                if let Some(set) = sso_role_set(&arn) {
                    let account = arn.split(':').nth(4).unwrap_or_default();
                    out.add(
                        "trust-names-sso-role-arn",
                        here,
                        &pointer_push(&pointer_push(&ptr("Principal"), "AWS"), &j),
                        format!("names the Identity Center role `{arn}` by its full ARN; its suffix changes when `{set}` is provisioned again"),
                        Some(format!("Principal {{\"AWS\": \"arn:aws:iam::{account}:root\"}} with Condition ArnLike aws:PrincipalArn \"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_{set}_*\"")),
                    );
                }
            }
        }
    }
    // Actions
    let action = s.get("Action");
    let not_action = s.get("NotAction");
    if action.is_some() && not_action.is_some() {
        out.add(
            "action-and-not-action",
            here,
            at,
            "both Action and NotAction".into(),
            Some("keep one".into()),
        );
    }
    if action.is_none() && not_action.is_none() {
        out.add(
            "missing-action",
            here,
            at,
            "neither Action nor NotAction".into(),
            None,
        );
    }
    if allow && grants && not_action.is_some() {
        out.add(
            "allow-with-not-action",
            here,
            &ptr("NotAction"),
            "Allow with NotAction allows every action not listed".into(),
            Some("list the actions allowed".into()),
        );
    }
    let mut acts = Actions {
        named: Vec::new(),
        broad: false,
    };
    for (k, v) in [("Action", action), ("NotAction", not_action)] {
        let Some(v) = v else { continue };
        let Some(list) = string_list(out, here, &ptr(k), k, v) else {
            continue;
        };
        for (j, a) in list.iter().enumerate() {
            let p = if matches!(v, JsonValue::Array(_)) {
                pointer_push(&ptr(k), &j.to_string())
            } else {
                ptr(k)
            };
            let e = action_entry(out, here, &p, a, ty);
            if k == "Action" {
                match &e {
                    None => acts.broad = true,
                    Some(names) => acts.named.extend(names.iter().filter_map(|n| {
                        let (s, a) = n.split_once(':')?;
                        Some((s.to_owned(), a.to_owned()))
                    })),
                }
                if a.ends_with(":*") || a == "*" {
                    acts.broad = true;
                }
            }
        }
        redundant(out, here, &ptr(k), &list, "action", |x| {
            x.to_ascii_lowercase()
        });
    }
    // Resources
    let resource = s.get("Resource");
    let not_resource = s.get("NotResource");
    if resource.is_some() && not_resource.is_some() {
        out.add(
            "resource-and-not-resource",
            here,
            at,
            "both Resource and NotResource".into(),
            Some("keep one".into()),
        );
    }
    if ty == PolicyType::Trust {
        for (k, v) in [("Resource", resource), ("NotResource", not_resource)] {
            if v.is_some() {
                out.add(
                    "resource-in-trust-policy",
                    here,
                    &ptr(k),
                    format!("{k} in a trust policy"),
                    Some(format!("remove {k}")),
                );
            }
        }
    } else if matches!(
        ty,
        PolicyType::Identity
            | PolicyType::Boundary
            | PolicyType::Session
            | PolicyType::Scp
            | PolicyType::Rcp
    ) && resource.is_none()
        && not_resource.is_none()
    {
        out.add(
            "missing-resource",
            here,
            at,
            "neither Resource nor NotResource".into(),
            Some("add \"Resource\": \"*\" if the actions take no resource".into()),
        );
    }
    if allow && grants && not_resource.is_some() {
        out.add(
            "allow-with-not-resource",
            here,
            &ptr("NotResource"),
            "Allow with NotResource allows every resource not listed".into(),
            Some("list the resources allowed".into()),
        );
    }
    for (k, v) in [("Resource", resource), ("NotResource", not_resource)] {
        let Some(v) = v else { continue };
        let Some(list) = string_list(out, here, &ptr(k), k, v) else {
            continue;
        };
        for (j, r) in list.iter().enumerate() {
            let p = if matches!(v, JsonValue::Array(_)) {
                pointer_push(&ptr(k), &j.to_string())
            } else {
                ptr(k)
            };
            variables(out, here, &p, r, modern);
            if r != "*" && !r.starts_with("arn:") {
                out.add(
                    "invalid-arn",
                    here,
                    &p,
                    format!("resource `{r}` is neither `*` nor an ARN"),
                    Some(format!(
                        "write `arn:aws:<service>:<region>:<account>:{r}` or `*`"
                    )),
                );
            } else if r.starts_with("arn:") && r.split(':').count() < 6 {
                out.add(
                    "short-arn",
                    here,
                    &p,
                    format!("resource `{r}` has fewer than the six `:`-separated parts of an ARN"),
                    Some(format!(
                        "write every part (`{r}{}`)",
                        ":*".repeat(6 - r.split(':').count())
                    )),
                );
            }
        }
        if k == "Resource" && action.is_some() {
            resource_checks(out, here, &ptr(k), v, &list, &acts);
        }
        redundant(out, here, &ptr(k), &list, "resource", Clone::clone);
    }
    // PassRole on *
    if allow
        && grants
        && strings(resource).is_some_and(|r| r.iter().any(|x| x == "*"))
        && strings(action).is_some_and(|a| {
            a.iter().any(|x| {
                let l = x.to_ascii_lowercase();
                l == "*" || Glob::new(&l).is_match("iam:passrole")
            })
        })
        && conditions.is_none()
    {
        out.add(
            "pass-role-on-all-resources",
            here,
            &ptr("Resource"),
            "iam:PassRole is allowed on every role".into(),
            Some(
                "scope Resource to the roles meant and add a condition on iam:PassedToService"
                    .into(),
            ),
        );
    }
    if let Some(c) = conditions {
        condition(out, here, &ptr("Condition"), c, allow, modern, &acts);
    }
}

/// The strings of a string-or-list element, or a finding
fn string_list(
    out: &mut Out,
    here: Option<(usize, Option<&str>)>,
    at: &str,
    name: &str,
    v: &JsonValue,
) -> Option<Vec<String>> {
    match strings(Some(v)) {
        Some(l) if l.is_empty() => {
            out.add(
                "empty-list",
                here,
                at,
                format!("{name} is an empty list"),
                None,
            );
            None
        }
        Some(l) => Some(l),
        None => {
            out.add(
                "not-a-string",
                here,
                at,
                format!(
                    "{name} is {}, expected a string or a list of strings",
                    v.type_name()
                ),
                None,
            );
            None
        }
    }
}

fn is_public(p: &JsonValue) -> bool {
    match p {
        JsonValue::String(s) => s == "*",
        JsonValue::Object(m) => m.iter().any(|(k, v)| {
            k == "AWS" && strings(Some(v)).is_some_and(|l| l.iter().any(|x| x == "*"))
        }),
        _ => false,
    }
}

/// (index or key, ARN) of the `AWS` principals
fn principal_arns(p: &JsonValue) -> Vec<(String, String)> {
    match p.get("AWS") {
        Some(JsonValue::String(s)) => vec![(String::new(), s.clone())],
        Some(JsonValue::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, x)| match x {
                JsonValue::String(s) => Some((i.to_string(), s.clone())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The permission set name of an Identity Center role ARN
fn sso_role_set(arn: &str) -> Option<String> {
    let role = arn.split(":role/").nth(1)?;
    if !role.starts_with("aws-reserved/sso.amazonaws.com/") {
        return None;
    }
    let name = role.rsplit('/').next()?;
    let rest = name.strip_prefix("AWSReservedSSO_")?;
    if rest.contains('*') {
        return None;
    }
    let (set, suffix) = rest.rsplit_once('_')?;
    (!suffix.is_empty()).then(|| set.to_owned())
}

/// Checks one action entry; its catalog actions (`None` for `*`)
fn action_entry(
    out: &mut Out,
    here: Option<(usize, Option<&str>)>,
    at: &str,
    a: &str,
    ty: PolicyType,
) -> Option<Vec<String>> {
    if a == "*" {
        return None;
    }
    let cat = catalog();
    let Some((svc, name)) = a.split_once(':') else {
        out.add(
            "invalid-action-format",
            here,
            at,
            format!("action `{a}` is not `service:Action`"),
            None,
        );
        return Some(Vec::new());
    };
    if svc.is_empty() || name.is_empty() || name.contains(':') {
        out.add(
            "invalid-action-format",
            here,
            at,
            format!("action `{a}` is not `service:Action`"),
            None,
        );
        return Some(Vec::new());
    }
    if ty == PolicyType::Trust
        && !TRUST_ACTIONS.contains(&a.to_ascii_lowercase().as_str())
        && !a.to_ascii_lowercase().starts_with("sts:assumerole")
    {
        out.add(
            "trust-action-not-sts",
            here,
            at,
            format!("action `{a}` in a trust policy"),
            Some(
                "use sts:AssumeRole (and sts:TagSession, sts:SetSourceIdentity where needed)"
                    .into(),
            ),
        );
    }
    let lower_svc = svc.to_ascii_lowercase();
    if svc.contains(['*', '?']) {
        return Some(cat.expand(a));
    }
    if !name.contains(['*', '?']) {
        if let Some((s, n, _)) = cat.action(a) {
            return Some(vec![format!("{s}:{n}")]);
        }
    }
    let Some(info) = cat.services.get(&lower_svc) else {
        let names = close_many(svc, cat.services.keys().map(String::as_str));
        out.add(
            "unknown-service",
            here,
            at,
            format!("no service has the prefix `{svc}`{}", hint(&names)),
            names.first().map(|n| format!("write `{n}:{name}`")),
        );
        return Some(Vec::new());
    };
    let found: Vec<String> = if name.contains(['*', '?']) {
        let g = Glob::new(&name.to_ascii_lowercase());
        info.actions
            .keys()
            .filter(|n| g.is_match(&n.to_ascii_lowercase()))
            .map(|n| format!("{lower_svc}:{n}"))
            .collect()
    } else {
        Vec::new()
    };
    if found.is_empty() {
        let names: Vec<String> = close_many(name, info.actions.keys().map(String::as_str))
            .into_iter()
            .map(|n| format!("{lower_svc}:{n}"))
            .collect();
        let shown: Vec<&str> = names.iter().map(String::as_str).collect();
        out.add(
            "unknown-action",
            here,
            at,
            format!(
                "`{a}` matches no action of {} ({}){}",
                info.name,
                lower_svc,
                hint(&shown)
            ),
            names.first().map(|n| format!("write `{n}`")),
        );
    }
    Some(found)
}

fn hint(names: &[&str]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Entries another entry's pattern already covers (case per `norm`)
fn redundant(
    out: &mut Out,
    here: Option<(usize, Option<&str>)>,
    at: &str,
    list: &[String],
    what: &str,
    norm: impl Fn(&String) -> String,
) {
    let normed: Vec<String> = list.iter().map(&norm).collect();
    let patterns: Vec<(usize, &String, Glob)> = normed
        .iter()
        .enumerate()
        .filter(|(_, y)| y.contains(['*', '?']))
        .map(|(k, y)| (k, y, Glob::new(y)))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for (j, x) in normed.iter().enumerate() {
        let by = patterns
            .iter()
            .find(|(k, y, g)| *k != j && *y != x && g.is_match(x))
            .map(|(k, y, _)| (*k, *y));
        let dup = !seen.insert(x.as_str());
        let message = match by {
            Some((_, y)) => format!("{what} `{}` is covered by `{y}`", list[j]),
            None if dup => format!("{what} `{}` is listed twice", list[j]),
            None => continue,
        };
        let code = if what == "action" {
            "redundant-action"
        } else {
            "redundant-resource"
        };
        out.add(
            code,
            here,
            &pointer_push(at, &j.to_string()),
            message,
            Some(format!("remove `{}`", list[j])),
        );
    }
}

/// Whether two star-globs (`*` any text, `?` one character) match a
/// common string: a resource pattern against an ARN template of the
/// catalog, both with their placeholders as `*`
fn intersect(a: &[u8], b: &[u8]) -> bool {
    let (n, m) = (a.len(), b.len());
    // memo[i][j]: a[i..] and b[j..] share a string
    let mut memo = vec![vec![None::<bool>; m + 1]; n + 1];
    fn go(a: &[u8], b: &[u8], i: usize, j: usize, memo: &mut Vec<Vec<Option<bool>>>) -> bool {
        if let Some(v) = memo[i][j] {
            return v;
        }
        let (n, m) = (a.len(), b.len());
        let v = if i == n && j == m {
            true
        } else if i < n && a[i] == b'*' {
            go(a, b, i + 1, j, memo) || (j < m && go(a, b, i, j + 1, memo))
        } else if j < m && b[j] == b'*' {
            go(a, b, i, j + 1, memo) || (i < n && go(a, b, i + 1, j, memo))
        } else if i < n && j < m && (a[i] == b[j] || a[i] == b'?' || b[j] == b'?') {
            go(a, b, i + 1, j + 1, memo)
        } else {
            false
        };
        memo[i][j] = Some(v);
        v
    }
    go(a, b, 0, 0, &mut memo)
}

/// Whether a resource pattern can match the ARN template `t`
fn may_match(resource: &str, t: &str) -> bool {
    let r = keys::placeholders_as_stars(&resource.to_ascii_lowercase());
    let t = keys::placeholders_as_stars(&t.to_ascii_lowercase());
    intersect(r.as_bytes(), t.as_bytes())
}

fn resource_checks(
    out: &mut Out,
    here: Option<(usize, Option<&str>)>,
    at: &str,
    v: &JsonValue,
    list: &[String],
    acts: &Actions,
) {
    if acts.broad || acts.named.is_empty() {
        return;
    }
    let cat = catalog();
    let specific: Vec<(usize, &String)> = list
        .iter()
        .enumerate()
        .filter(|(_, r)| r.starts_with("arn:") && r.split(':').count() >= 6)
        .collect();
    if list.iter().any(|r| r == "*") {
        return;
    }
    let infos: Vec<(&str, &crate::data::ActionInfo)> = acts
        .named
        .iter()
        .filter_map(|(s, a)| {
            cat.services
                .get(s)
                .and_then(|i| i.actions.get(a))
                .map(|i| (s.as_str(), i))
        })
        .collect();
    // Only resources without a wildcard in their resource part: AWS's own
    // policies give wildcard-only actions patterns such as arn:aws:s3:::*,
    // and whether AWS matches those is not documented.
    let fully_specific = specific.iter().any(|(_, r)| {
        !r.splitn(6, ':')
            .nth(5)
            .unwrap_or_default()
            .contains(['*', '?'])
    });
    if !infos.is_empty() && infos.iter().all(|(_, i)| i.wildcard_only()) && fully_specific {
        out.add(
            "wildcard-only-action-with-resource",
            here,
            at,
            "the statement's actions take no resource, but it names specific ones".into(),
            Some("use \"Resource\": \"*\" for these actions".into()),
        );
        return;
    }
    for (j, r) in specific {
        let p = if matches!(v, JsonValue::Array(_)) {
            pointer_push(at, &j.to_string())
        } else {
            at.to_owned()
        };
        let svc = r.split(':').nth(2).unwrap_or_default().to_ascii_lowercase();
        if svc.contains(['*', '?', '$']) {
            continue;
        }
        // The services an action acts on: its own, and those of its
        // resource types' ARNs (sts:AssumeRole acts on iam roles).
        let mut services: std::collections::BTreeSet<String> =
            infos.iter().map(|(s, _)| (*s).to_owned()).collect();
        for (s, i) in &infos {
            for (rt, _) in &i.resources {
                if let Some(t) = cat
                    .services
                    .get(*s)
                    .and_then(|si| si.resource_types.get(rt))
                {
                    if let Some(ts) = t.split(':').nth(2) {
                        services.insert(ts.to_ascii_lowercase());
                    }
                    if t.split(':').nth(2).is_some_and(|ts| ts.contains('$')) {
                        // `${Vendor}`: a resource of any service.
                        services.insert(svc.clone());
                    }
                }
            }
        }
        if !services.contains(svc.as_str()) {
            out.add(
                "resource-service-mismatch",
                here,
                &p,
                format!(
                    "resource `{r}` is of service `{svc}`; the actions act on {}",
                    services
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None,
            );
            continue;
        }
        let matched = infos.iter().any(|(s, i)| {
            (i.wildcard_only() && *s == svc)
                || i.resources.iter().any(|(rt, _)| {
                    cat.services
                        .get(*s)
                        .and_then(|si| si.resource_types.get(rt))
                        .is_none_or(|t| may_match(r, t))
                })
        });
        if !matched {
            out.add(
                "resource-type-mismatch",
                here,
                &p,
                format!(
                    "resource `{r}` matches no resource type the statement's {svc} actions act on"
                ),
                None,
            );
        }
    }
}

/// Policy variables in a string: their names valid, and Version 2012-10-17
fn variables(
    out: &mut Out,
    here: Option<(usize, Option<&str>)>,
    at: &str,
    text: &str,
    modern: bool,
) {
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else {
            out.add(
                "invalid-policy-variable",
                here,
                at,
                format!("`{text}`: `${{` without a closing `}}`"),
                None,
            );
            return;
        };
        let body = after[..j].trim();
        let name = body.split(',').next().unwrap_or_default().trim();
        let ok = matches!(name, "*" | "?" | "$")
            || (name.contains(':')
                && name.split_once(':').is_some_and(|(s, k)| {
                    !s.is_empty()
                        && !k.is_empty()
                        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                }));
        if !ok {
            out.add("invalid-policy-variable", here, at, format!("`${{{body}}}` is not a policy variable (a condition key such as aws:username, or * ? $)"), None);
        } else if !modern && !matches!(name, "*" | "?" | "$") {
            out.add(
                "policy-variable-in-old-version",
                here,
                at,
                format!("`${{{name}}}` is literal text under Version 2008-10-17"),
                Some("use \"Version\": \"2012-10-17\"".into()),
            );
        }
        rest = &after[j + 1..];
    }
}

/// The type and multiplicity of a condition key, or a finding
fn key_info(
    out: &mut Out,
    here: Option<(usize, Option<&str>)>,
    at: &str,
    key: &str,
    acts: &Actions,
) -> Option<KeyInfo> {
    if keys::is_global(key) {
        if let Some(i) = keys::global(key) {
            return Some(i);
        }
        let names = close_many(key, keys::global_names());
        out.add(
            "unknown-global-condition-key",
            here,
            at,
            format!("`{key}` is not a global condition key{}", hint(&names)),
            None,
        );
        return None;
    }
    if let Some(i) = keys::federation(key) {
        return Some(i);
    }
    match keys::service(key) {
        None => {
            let prefix = key.split(':').next().unwrap_or(key);
            out.add(
                "unknown-condition-key",
                here,
                at,
                format!("`{key}`: no service has the prefix `{prefix}`"),
                None,
            );
            None
        }
        Some(None) => {
            let prefix = key.split(':').next().unwrap_or(key).to_ascii_lowercase();
            let names: Vec<&str> = catalog()
                .services
                .get(&prefix)
                .map(|s| close_many(key, s.condition_keys.keys().map(String::as_str)))
                .unwrap_or_default();
            out.add(
                "unknown-condition-key",
                here,
                at,
                format!(
                    "`{key}` is not a condition key of `{prefix}`{}",
                    hint(&names)
                ),
                None,
            );
            None
        }
        Some(Some((name, info))) => {
            // Supported by at least one named action of that service?
            let prefix = name
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !acts.broad && !acts.named.is_empty() {
                let cat = catalog();
                let lname = name.to_ascii_lowercase();
                let any = acts.named.iter().any(|(s, a)| {
                    cat.services
                        .get(s)
                        .and_then(|si| si.actions.get(a))
                        .is_some_and(|ai| ai.keys.iter().any(|k| k.to_ascii_lowercase() == lname))
                });
                let same_service = acts.named.iter().any(|(s, _)| *s == prefix);
                // Keys the catalog attaches to no action are resource-type
                // or service-wide keys it cannot place: not judged.
                let attached = cat.services.get(&prefix).is_some_and(|si| {
                    si.actions
                        .values()
                        .any(|ai| ai.keys.iter().any(|k| k.to_ascii_lowercase() == lname))
                });
                if !any && same_service && attached {
                    out.add(
                        "condition-key-not-for-actions",
                        here,
                        at,
                        format!("none of the statement's actions supports `{name}`"),
                        None,
                    );
                }
            }
            Some(info)
        }
    }
}

fn operator_type(op: BaseOp) -> Option<KeyType> {
    Some(match op {
        BaseOp::StringEquals | BaseOp::StringEqualsIgnoreCase | BaseOp::StringLike => {
            KeyType::String
        }
        BaseOp::NumericEquals
        | BaseOp::NumericLessThan
        | BaseOp::NumericLessThanEquals
        | BaseOp::NumericGreaterThan
        | BaseOp::NumericGreaterThanEquals => KeyType::Numeric,
        BaseOp::DateEquals
        | BaseOp::DateLessThan
        | BaseOp::DateLessThanEquals
        | BaseOp::DateGreaterThan
        | BaseOp::DateGreaterThanEquals => KeyType::Date,
        BaseOp::Bool => KeyType::Bool,
        BaseOp::BinaryEquals => KeyType::Binary,
        BaseOp::IpAddress => KeyType::Ip,
        BaseOp::ArnLike => KeyType::Arn,
        BaseOp::Null => return None,
    })
}

fn compatible(op: KeyType, key: KeyType) -> bool {
    op == key
        // String operators compare a Bool's `true`/`false` as text, which
        // works (AWS's own policies do it).
        || (op == KeyType::String && key == KeyType::Bool)
        // ARN operators on text keys that hold ARNs (kms:EncryptionContext:
        // aws:s3:arn) compare them as ARNs.
        || (op == KeyType::Arn && key == KeyType::String)
        // String operators work on ARN keys (the documented way for some).
        || (op == KeyType::String && key == KeyType::Arn)
        // Date operators take epoch seconds of numeric keys.
        || (op == KeyType::Date && key == KeyType::Numeric)
        || (op == KeyType::Numeric && key == KeyType::Date)
}

fn value_ok(ty: KeyType, v: &str) -> bool {
    if v.contains("${") {
        return true;
    }
    match ty {
        KeyType::Numeric => parse_number(v).is_some(),
        KeyType::Date => parse_date(v).is_some(),
        KeyType::Bool => parse_bool(v).is_some(),
        KeyType::Ip => {
            let t = v.trim();
            t.parse::<ipnet::IpNet>().is_ok() || t.parse::<std::net::IpAddr>().is_ok()
        }
        KeyType::Binary => {
            v.len().is_multiple_of(4)
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        }
        KeyType::Arn => v.starts_with("arn:") || v == "*" || v.contains(['*', '?']),
        KeyType::String => true,
    }
}

fn condition(
    out: &mut Out,
    here: Option<(usize, Option<&str>)>,
    at: &str,
    c: &JsonValue,
    allow: bool,
    modern: bool,
    acts: &Actions,
) {
    let JsonValue::Object(ops) = c else {
        out.add(
            "condition-not-object",
            here,
            at,
            format!("Condition is {}, expected an object", c.type_name()),
            None,
        );
        return;
    };
    let null_checked: Vec<String> = ops
        .iter()
        .filter(|(o, _)| o.eq_ignore_ascii_case("Null"))
        .flat_map(|(_, v)| match v {
            JsonValue::Object(m) => m.iter().map(|(k, _)| k.to_ascii_lowercase()).collect(),
            _ => Vec::new(),
        })
        .collect();
    for (name, block) in ops {
        let op_at = pointer_push(at, name);
        let Some(op) = Operator::parse(name) else {
            let names = close_many(
                name,
                [
                    "StringEquals",
                    "StringNotEquals",
                    "StringEqualsIgnoreCase",
                    "StringLike",
                    "StringNotLike",
                    "NumericEquals",
                    "NumericLessThan",
                    "NumericGreaterThan",
                    "DateEquals",
                    "DateLessThan",
                    "DateGreaterThan",
                    "Bool",
                    "BinaryEquals",
                    "IpAddress",
                    "NotIpAddress",
                    "ArnEquals",
                    "ArnLike",
                    "ArnNotLike",
                    "Null",
                    "ForAllValues:StringEquals",
                    "ForAnyValue:StringEquals",
                    "ForAnyValue:StringLike",
                    "ForAllValues:StringLike",
                ]
                .into_iter(),
            );
            out.add(
                "unknown-operator",
                here,
                &op_at,
                format!("`{name}` is not a condition operator{}", hint(&names)),
                None,
            );
            continue;
        };
        let JsonValue::Object(entries) = block else {
            out.add(
                "condition-not-object",
                here,
                &op_at,
                format!(
                    "`{name}` holds {}, expected an object of keys",
                    block.type_name()
                ),
                None,
            );
            continue;
        };
        for (key, values) in entries {
            let key_at = pointer_push(&op_at, key);
            let vals: Option<Vec<String>> = match values {
                JsonValue::Array(a) => a.iter().map(JsonValue::scalar_text).collect(),
                other => other.scalar_text().map(|t| vec![t]),
            };
            let Some(vals) = vals else {
                out.add(
                    "not-a-string",
                    here,
                    &key_at,
                    format!(
                        "`{key}` holds {}, expected a value or a list of values",
                        values.type_name()
                    ),
                    None,
                );
                continue;
            };
            if vals.is_empty() {
                out.add(
                    "empty-list",
                    here,
                    &key_at,
                    format!("`{key}` has no values"),
                    None,
                );
            }
            for v in &vals {
                variables(out, here, &key_at, v, modern);
            }
            let info = key_info(out, here, &key_at, key, acts);
            if op.base == BaseOp::Null {
                for v in &vals {
                    if !matches!(v.as_str(), "true" | "false") {
                        out.add(
                            "null-value-not-bool",
                            here,
                            &key_at,
                            format!("Null `{key}`: `{v}`, expected true or false"),
                            None,
                        );
                    }
                }
                continue;
            }
            let Some(op_ty) = operator_type(op.base) else {
                continue;
            };
            for v in &vals {
                if !value_ok(op_ty, v) {
                    out.add(
                        "invalid-condition-value",
                        here,
                        &key_at,
                        format!(
                            "`{v}` is not a {} value, as `{name}` compares",
                            op_ty.name()
                        ),
                        None,
                    );
                }
            }
            if let Some(info) = info {
                if !compatible(op_ty, info.ty) {
                    out.add(
                        "operator-type-mismatch",
                        here,
                        &key_at,
                        format!(
                            "`{name}` compares {} values; `{key}` is {}",
                            op_ty.name(),
                            info.ty.name()
                        ),
                        Some(format!("use a {} operator", info.ty.name())),
                    );
                }
                match (op.set, info.multi) {
                    (Some(_), false) => out.add(
                        "set-operator-on-single-valued-key",
                        here,
                        &key_at,
                        format!("`{name}` on `{key}`, which holds one value"),
                        Some(format!(
                            "drop the `{}:` prefix",
                            if op.set == Some(SetOp::ForAllValues) {
                                "ForAllValues"
                            } else {
                                "ForAnyValue"
                            }
                        )),
                    ),
                    (None, true) => out.add(
                        "multivalued-key-without-set-operator",
                        here,
                        &key_at,
                        format!("`{name}` on `{key}`, which holds several values"),
                        Some(format!("use `ForAnyValue:{name}` or `ForAllValues:{name}`")),
                    ),
                    _ => {}
                }
            }
            if allow
                && op.set == Some(SetOp::ForAllValues)
                && !null_checked.contains(&key.to_ascii_lowercase())
            {
                out.add(
                    "for-all-values-with-allow",
                    here,
                    &key_at,
                    format!(
                        "`{name}` on `{key}` in an Allow is true when the request has no `{key}`"
                    ),
                    Some(format!("add \"Null\": {{\"{key}\": \"false\"}}")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
