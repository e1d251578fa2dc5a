//! This module is IAM's policy language: the document model, the parser that
//! validates a document into that model, and the matchers compiled once per
//! document (actions, resources, principals, conditions). It does no IO and
//! prints nothing.
//!
//! Parsing follows IAM's grammar (`aws-semantics.md` section 2): `Statement`,
//! `Action`, `Resource` and condition values may each be a single value or an
//! array; duplicate keys are an error; unknown elements are an error; which
//! elements are allowed depends on the [`PolicyKind`].

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod arn;
pub mod condition;
pub mod context;
pub mod err;
pub mod glob;
mod print;
pub mod template;
pub mod tri;

use std::collections::HashMap;

use crate::json::{JsonValue, Ptr};
use arn::{ArnPattern, ArnSegments, ShortArns};
use condition::{Condition, Operator};
use context::Context;
pub use err::{Location, PolicyError, PolicyErrorKind};
use glob::Glob;
use template::{Part, Resolved, Template};
use tri::{Residual, ResourceAtom, Tri};

/// What a policy document is used as; it decides which elements are allowed
/// and how short ARNs are read
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// Attached to a user, group or role (managed or inline)
    Identity,
    /// A permissions boundary
    Boundary,
    /// A session policy
    Session,
    /// A resource-based policy (bucket, key, queue, role trust policy ...)
    Resource,
    /// A service control policy
    Scp,
    /// A resource control policy
    Rcp,
}

impl PolicyKind {
    /// The kind in words, for messages
    pub fn describe(self) -> &'static str {
        match self {
            PolicyKind::Identity => "an identity-based policy",
            PolicyKind::Boundary => "a permissions boundary",
            PolicyKind::Session => "a session policy",
            PolicyKind::Resource => "a resource-based policy",
            PolicyKind::Scp => "a service control policy",
            PolicyKind::Rcp => "a resource control policy",
        }
    }

    /// A short stable name (`identity`, `boundary`, `session`, `resource`, `scp`, `rcp`)
    pub fn code(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
            PolicyKind::Resource => "resource",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
        }
    }

    fn short_arns(self) -> ShortArns {
        match self {
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session => ShortArns::Lenient,
            PolicyKind::Resource | PolicyKind::Scp | PolicyKind::Rcp => ShortArns::Strict,
        }
    }
}

/// The `Version` element
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are recognised
    V2012,
    /// `2008-10-17`: `${...}` is literal text
    V2008,
    /// No `Version`: treated as 2008-10-17
    Missing,
}

/// `Allow` or `Deny`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    /// Allow
    Allow,
    /// Deny
    Deny,
}

impl Effect {
    /// `Allow` / `Deny`
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A validated, compiled policy document
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// What the document is used as
    pub kind: PolicyKind,
    /// `Version`
    pub version: Version,
    /// `Id`
    pub id: Option<String>,
    /// The statements in document order
    pub statements: Vec<Statement>,
}

/// One statement
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the document (0-based)
    pub index: usize,
    /// `Sid`
    pub sid: Option<String>,
    /// `Effect`
    pub effect: Effect,
    /// `Principal` / `NotPrincipal`
    pub principal: Option<PrincipalBlock>,
    /// `Action` / `NotAction`
    pub action: ActionBlock,
    /// `Resource` / `NotResource`; absent only in resource policies (trust policies)
    pub resource: Option<ResourceBlock>,
    /// `Condition`, one entry per (operator, key), in document order
    /// (shared, so a residual condition refers to it without a copy)
    pub conditions: Vec<std::sync::Arc<Condition>>,
}

/// `Action` or `NotAction`
#[derive(Debug, Clone, PartialEq)]
pub struct ActionBlock {
    /// `NotAction`
    pub negated: bool,
    /// The patterns as written
    pub patterns: Vec<String>,
    matcher: ActionMatcher,
}

#[derive(Debug, Clone, PartialEq)]
enum ActionMatcher {
    Any,
    List(Vec<(Glob, Glob)>),
    // Large lists (ReadOnlyAccess has thousands of entries) are indexed by
    // service prefix so a look-up touches only that service's patterns.
    Indexed {
        by_service: HashMap<String, Vec<Glob>>,
        wild: Vec<(Glob, Glob)>,
    },
}

const INDEX_THRESHOLD: usize = 12;

/// A request action, lower-cased once
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionName {
    lower: String,
    colon: usize,
    original: String,
}

impl ActionName {
    /// Reads `service:Action`; `None` if there is no colon or either side is empty
    pub fn new(action: &str) -> Option<ActionName> {
        let lower = action.to_ascii_lowercase();
        let colon = lower.find(':')?;
        if colon == 0 || colon + 1 == lower.len() {
            return None;
        }
        Some(ActionName {
            lower,
            colon,
            original: action.to_owned(),
        })
    }

    /// The whole action, lower-cased
    pub fn as_str(&self) -> &str {
        &self.lower
    }

    /// The action as given
    pub fn original(&self) -> &str {
        &self.original
    }

    /// The service prefix, lower-cased
    pub fn service(&self) -> &str {
        &self.lower[..self.colon]
    }

    /// The action name, lower-cased
    pub fn name(&self) -> &str {
        &self.lower[self.colon + 1..]
    }
}

impl ActionBlock {
    fn new(negated: bool, patterns: Vec<String>) -> ActionBlock {
        let mut pairs = Vec::with_capacity(patterns.len());
        let mut any = false;
        for p in &patterns {
            let lower = p.to_ascii_lowercase();
            match lower.split_once(':') {
                _ if lower == "*" => any = true,
                Some((svc, name)) => pairs.push((Glob::new(svc), Glob::new(name))),
                None => {}
            }
        }
        let matcher = if any {
            ActionMatcher::Any
        } else if pairs.len() <= INDEX_THRESHOLD {
            ActionMatcher::List(pairs)
        } else {
            let mut by_service: HashMap<String, Vec<Glob>> = HashMap::new();
            let mut wild = Vec::new();
            for (svc, name) in pairs {
                match svc {
                    Glob::Exact(s) => by_service.entry(s.into_string()).or_default().push(name),
                    _ => wild.push((svc, name)),
                }
            }
            ActionMatcher::Indexed { by_service, wild }
        };
        ActionBlock {
            negated,
            patterns,
            matcher,
        }
    }

    /// Whether the listed patterns cover `action` (before `NotAction` negation)
    pub fn listed(&self, action: &ActionName) -> bool {
        let (svc, name) = (action.service(), action.name());
        match &self.matcher {
            ActionMatcher::Any => true,
            ActionMatcher::List(pairs) => pairs
                .iter()
                .any(|(s, n)| s.is_match(svc) && n.is_match(name)),
            ActionMatcher::Indexed { by_service, wild } => {
                by_service
                    .get(svc)
                    .is_some_and(|names| names.iter().any(|n| n.is_match(name)))
                    || wild
                        .iter()
                        .any(|(s, n)| s.is_match(svc) && n.is_match(name))
            }
        }
    }

    /// Whether the statement applies to `action`
    pub fn matches(&self, action: &ActionName) -> bool {
        self.listed(action) != self.negated
    }
}

/// A request resource, split once
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceName {
    text: String,
    segments: Option<ArnSegments>,
}

impl ResourceName {
    /// A resource ARN, or `*` for wildcard-only actions
    pub fn new(text: &str) -> ResourceName {
        ResourceName {
            text: text.to_owned(),
            segments: ArnSegments::split(text),
        }
    }

    /// The resource as given
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The ARN's account segment, if it is an ARN with one
    pub fn account(&self) -> Option<&str> {
        let s = self.segments.as_ref()?.get(&self.text, 4);
        (!s.is_empty()).then_some(s)
    }

    /// The ARN's service segment
    pub fn service(&self) -> Option<&str> {
        Some(self.segments.as_ref()?.get(&self.text, 2))
    }
}

/// `Resource` or `NotResource`
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceBlock {
    /// `NotResource`
    pub negated: bool,
    /// The patterns as written
    pub patterns: Vec<String>,
    compiled: Vec<ResourcePattern>,
}

#[derive(Debug, Clone, PartialEq)]
enum ResourcePattern {
    Static(ArnPattern),
    // Variables are recognised only after the fifth colon: `prefix` is the
    // text up to and including it (its five segments compiled once in
    // `segs`), `suffix` the resource part.
    Template {
        prefix: String,
        segs: Box<[Glob]>,
        suffix: Template,
    },
}

impl ResourceBlock {
    fn new(
        negated: bool,
        patterns: Vec<String>,
        kind: PolicyKind,
        variables: bool,
    ) -> ResourceBlock {
        let short = kind.short_arns();
        let compiled = patterns
            .iter()
            .map(|p| {
                if variables {
                    if let Some(idx) = fifth_colon(p) {
                        let suffix = Template::parse(&p[idx + 1..], true);
                        if suffix.as_plain().is_none() {
                            return ResourcePattern::Template {
                                segs: p[..idx].split(':').map(Glob::new).collect(),
                                prefix: p[..=idx].to_owned(),
                                suffix,
                            };
                        }
                    }
                }
                ResourcePattern::Static(ArnPattern::new(p, short))
            })
            .collect();
        ResourceBlock {
            negated,
            patterns,
            compiled,
        }
    }

    /// Whether the statement applies to `resource`, or a residual when a
    /// variable in a pattern is unknown
    pub fn eval(&self, resource: &ResourceName, ctx: &Context) -> Tri {
        let mut unknown = false;
        for p in &self.compiled {
            match p.is_match(resource, ctx) {
                Some(true) => return Tri::from(!self.negated),
                Some(false) => {}
                None => unknown = true,
            }
        }
        if unknown {
            let shown = self
                .compiled
                .iter()
                .zip(&self.patterns)
                .map(|(c, raw)| match c {
                    ResourcePattern::Template { prefix, suffix, .. } => {
                        format!("{prefix}{}", suffix.render_partial(ctx))
                    }
                    ResourcePattern::Static(_) => raw.clone(),
                })
                .collect();
            return Tri::Residual(Residual::Resource(std::sync::Arc::new(ResourceAtom {
                block: self.clone(),
                resource: resource.text.clone(),
                shown,
            })));
        }
        Tri::from(self.negated)
    }

    /// [`ResourceBlock::eval`] on a resource given as text
    pub fn eval_text(&self, resource: &str, ctx: &Context) -> Tri {
        self.eval(&ResourceName::new(resource), ctx)
    }

    /// The keys of the policy variables in the patterns
    pub fn variable_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.compiled {
            if let ResourcePattern::Template { suffix, .. } = c {
                for p in suffix.parts() {
                    if let Part::Var { key, .. } = p {
                        out.push(key.clone());
                    }
                }
            }
        }
        out
    }
}

impl ResourcePattern {
    fn is_match(&self, r: &ResourceName, ctx: &Context) -> Option<bool> {
        match self {
            ResourcePattern::Static(p) => Some(p.is_match(&r.text, r.segments.as_ref())),
            ResourcePattern::Template { segs, suffix, .. } => {
                let Some(parts) = r.segments.as_ref() else {
                    return Some(false);
                };
                if !segs
                    .iter()
                    .enumerate()
                    .all(|(i, g)| g.is_match(parts.get(&r.text, i)))
                {
                    return Some(false);
                }
                let mut pieces = Vec::with_capacity(4);
                match suffix.resolve_into(ctx, true, &mut pieces) {
                    Resolved::Value(_) => {
                        Some(glob::matches_pieces(&pieces, parts.get(&r.text, 5)))
                    }
                    // An entry whose variable has no value matches no resource.
                    Resolved::Unresolved => Some(false),
                    Resolved::Unknown => None,
                }
            }
        }
    }
}

fn fifth_colon(p: &str) -> Option<usize> {
    p.match_indices(':').nth(4).map(|(i, _)| i)
}

/// `Principal` or `NotPrincipal`
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalBlock {
    /// `NotPrincipal`
    pub negated: bool,
    /// `"*"` as a bare string
    pub star: bool,
    /// `{type: [values]}` as written, in document order
    pub by_type: Vec<(String, Vec<String>)>,
    /// The compiled entries
    pub entries: Vec<PrincipalEntry>,
}

/// One compiled principal
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous included
    Anyone,
    /// `"123456789012"` or `arn:aws:iam::123456789012:root`
    Account(String),
    /// `arn:aws:iam::A:user/...`
    User(String),
    /// `arn:aws:iam::A:role/path/name`: the role and all its sessions
    Role {
        /// Account
        account: String,
        /// Role name without path
        name: String,
        /// The path between `role/` and the name, without its slashes
        /// (`aws-reserved/sso.amazonaws.com/eu-west-1`; empty for `/`): AWS
        /// resolves the ARN to the role at that path, so a role of the same
        /// name elsewhere is not named
        path: String,
    },
    /// `arn:aws:sts::A:assumed-role/R/S`
    Session {
        /// Account
        account: String,
        /// Role name
        role: String,
        /// Session name
        session: String,
    },
    /// `arn:aws:sts::A:federated-user/N`
    FederatedUser(String),
    /// A bare unique id (`AIDA…`, `AROA…`) left after its entity was deleted
    UniqueId(String),
    /// `{"Service": ...}`
    Service(String),
    /// `{"Federated": ...}`
    Federated(String),
    /// `{"CanonicalUser": ...}`
    CanonicalUser(String),
}

/// The parts of an IAM or STS ARN the principal rules need
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArnIdentity {
    /// `arn:P:iam::A:root`
    Root(String),
    /// `arn:P:iam::A:user/path/name` (account, full ARN)
    User(String, String),
    /// `arn:P:iam::A:role/path/name` (account, name, path without the name)
    Role(String, String, String),
    /// `arn:P:sts::A:assumed-role/R/S` (account, role, session)
    Session(String, String, String),
    /// `arn:P:sts::A:federated-user/N` (account, full ARN)
    FederatedUser(String, String),
}

/// Reads an IAM / STS principal ARN
pub fn parse_identity_arn(arn: &str) -> Option<ArnIdentity> {
    let segs = ArnSegments::split(arn)?;
    let service = segs.get(arn, 2);
    let account = segs.get(arn, 4).to_owned();
    let res = segs.get(arn, 5);
    if !segs.get(arn, 3).is_empty() || account.is_empty() {
        return None;
    }
    match service {
        "iam" => {
            if res == "root" {
                return Some(ArnIdentity::Root(account));
            }
            if let Some(rest) = res.strip_prefix("user/") {
                return (!rest.is_empty()).then(|| ArnIdentity::User(account, arn.to_owned()));
            }
            if let Some(rest) = res.strip_prefix("role/") {
                let (path, name) = match rest.rfind('/') {
                    Some(i) => (&rest[..i], &rest[i + 1..]),
                    None => ("", rest),
                };
                return (!name.is_empty())
                    .then(|| ArnIdentity::Role(account, name.to_owned(), path.to_owned()));
            }
            None
        }
        "sts" => {
            if let Some(rest) = res.strip_prefix("assumed-role/") {
                let (role, session) = rest.split_once('/')?;
                if role.is_empty() || session.is_empty() {
                    return None;
                }
                return Some(ArnIdentity::Session(
                    account,
                    role.to_owned(),
                    session.to_owned(),
                ));
            }
            if let Some(rest) = res.strip_prefix("federated-user/") {
                return (!rest.is_empty())
                    .then(|| ArnIdentity::FederatedUser(account, arn.to_owned()));
            }
            None
        }
        _ => None,
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_unique_id(s: &str) -> bool {
    s.len() >= 16
        && s.starts_with('A')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && ["AIDA", "AROA", "AGPA", "ANPA", "AIPA", "ASIA", "AKIA"]
            .iter()
            .any(|p| s.starts_with(p))
}

fn compile_aws_principal(value: &str) -> Result<PrincipalEntry, String> {
    if value == "*" {
        return Ok(PrincipalEntry::Anyone);
    }
    if is_account_id(value) {
        return Ok(PrincipalEntry::Account(value.to_owned()));
    }
    if is_unique_id(value) {
        return Ok(PrincipalEntry::UniqueId(value.to_owned()));
    }
    if value.contains(['*', '?']) {
        return Err(
            "wildcards are not allowed in a principal ARN; use `aws:PrincipalArn` with `ArnLike`"
                .into(),
        );
    }
    match parse_identity_arn(value) {
        Some(ArnIdentity::Root(a)) => Ok(PrincipalEntry::Account(a)),
        Some(ArnIdentity::User(_, arn)) => Ok(PrincipalEntry::User(arn)),
        Some(ArnIdentity::Role(account, name, path)) => Ok(PrincipalEntry::Role {
            account,
            name,
            path,
        }),
        Some(ArnIdentity::Session(account, role, session)) => Ok(PrincipalEntry::Session {
            account,
            role,
            session,
        }),
        Some(ArnIdentity::FederatedUser(_, arn)) => Ok(PrincipalEntry::FederatedUser(arn)),
        None => {
            Err("expected `*`, an account id, or an IAM user, role, root or STS session ARN".into())
        }
    }
}

/// A statement's location, for errors
struct At<'a> {
    statement: Option<usize>,
    sid: Option<&'a str>,
}

impl At<'_> {
    fn err(&self, pointer: &Ptr<'_>, kind: PolicyErrorKind) -> PolicyError {
        PolicyError {
            location: Location {
                statement: self.statement,
                sid: self.sid.map(str::to_owned),
                pointer: pointer.render(),
            },
            kind,
        }
    }
}

impl Policy {
    /// Parses and validates a policy document given as JSON text
    ///
    /// # Errors
    /// [`PolicyError`] for malformed JSON, a duplicate key, or anything IAM
    /// would refuse in a policy of this kind.
    pub fn parse_str(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        let value = JsonValue::parse(text).map_err(|e| {
            At {
                statement: None,
                sid: None,
            }
            .err(&Ptr::root(""), PolicyErrorKind::Json(e.to_string()))
        })?;
        Policy::from_json(&value, kind, "")
    }

    /// Validates and compiles a parsed document; `pointer` is the document's
    /// JSON pointer inside its file, used in errors
    ///
    /// # Errors
    /// [`PolicyError`] for anything IAM would refuse in a policy of this kind.
    pub fn from_json(
        value: &JsonValue,
        kind: PolicyKind,
        pointer: &str,
    ) -> Result<Policy, PolicyError> {
        let root = Ptr::root(pointer);
        let pointer = &root;
        let top = At {
            statement: None,
            sid: None,
        };
        let JsonValue::Object(members) = value else {
            return Err(top.err(
                pointer,
                PolicyErrorKind::WrongType {
                    expected: "a policy object",
                    found: value.type_name(),
                },
            ));
        };
        let mut version = Version::Missing;
        let mut id = None;
        let mut statements_json = None;
        for (k, v) in members {
            let p = pointer.key(k);
            match k.as_str() {
                "Version" => {
                    version = match v {
                        JsonValue::String(s) if s == "2012-10-17" => Version::V2012,
                        JsonValue::String(s) if s == "2008-10-17" => Version::V2008,
                        JsonValue::String(s) => {
                            return Err(top.err(&p, PolicyErrorKind::Version(s.clone())))
                        }
                        other => return Err(top.err(&p, wrong("a string", other))),
                    }
                }
                "Id" => match v {
                    JsonValue::String(s) => id = Some(s.clone()),
                    other => return Err(top.err(&p, wrong("a string", other))),
                },
                "Statement" => statements_json = Some((v, p)),
                other => return Err(top.err(&p, PolicyErrorKind::UnknownElement(other.to_owned()))),
            }
        }
        if kind == PolicyKind::Rcp && version != Version::V2012 {
            return Err(top.err(
                pointer,
                PolicyErrorKind::NotAllowed {
                    element: "a `Version` other than `2012-10-17`".into(),
                    policy: kind.describe(),
                },
            ));
        }
        let Some((stmts, spointer)) = statements_json else {
            return Err(top.err(pointer, PolicyErrorKind::Missing("Statement")));
        };
        let variables = version == Version::V2012;
        let statements = match stmts {
            JsonValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, s) in items.iter().enumerate() {
                    out.push(parse_statement(
                        s,
                        index,
                        &spointer.index(index),
                        kind,
                        variables,
                    )?);
                }
                out
            }
            JsonValue::Object(_) => vec![parse_statement(stmts, 0, &spointer, kind, variables)?],
            other => {
                return Err(top.err(
                    &spointer,
                    wrong("a statement object or an array of them", other),
                ))
            }
        };
        Ok(Policy {
            kind,
            version,
            id,
            statements,
        })
    }

    /// The document as canonical JSON (every list an array); parsing it back
    /// gives an equal policy
    pub fn to_json(&self) -> serde_json::Value {
        print::policy_to_json(self)
    }
}

fn wrong(expected: &'static str, found: &JsonValue) -> PolicyErrorKind {
    PolicyErrorKind::WrongType {
        expected,
        found: found.type_name(),
    }
}

fn string_list(
    v: &JsonValue,
    at: &At<'_>,
    p: &Ptr<'_>,
    name: &'static str,
) -> Result<Vec<String>, PolicyError> {
    let out = match v {
        JsonValue::String(s) => vec![s.clone()],
        JsonValue::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    JsonValue::String(s) => out.push(s.clone()),
                    other => return Err(at.err(&p.index(i), wrong("a string", other))),
                }
            }
            out
        }
        other => return Err(at.err(p, wrong("a string or an array of strings", other))),
    };
    if out.is_empty() {
        return Err(at.err(p, PolicyErrorKind::Empty(name)));
    }
    Ok(out)
}

fn parse_statement(
    value: &JsonValue,
    index: usize,
    pointer: &Ptr<'_>,
    kind: PolicyKind,
    variables: bool,
) -> Result<Statement, PolicyError> {
    let JsonValue::Object(members) = value else {
        return Err(At {
            statement: Some(index),
            sid: None,
        }
        .err(pointer, wrong("a statement object", value)));
    };
    let sid = match value.get("Sid") {
        None => None,
        Some(JsonValue::String(s)) => Some(s.as_str()),
        Some(other) => {
            return Err(At {
                statement: Some(index),
                sid: None,
            }
            .err(&pointer.key("Sid"), wrong("a string", other)))
        }
    };
    let at = At {
        statement: Some(index),
        sid,
    };
    let mut effect = None;
    let mut principal = None;
    let mut action = None;
    let mut resource = None;
    let mut conditions = Vec::new();
    for (k, v) in members {
        let p = pointer.key(k);
        match k.as_str() {
            "Sid" => {}
            "Effect" => {
                effect = Some(match v {
                    JsonValue::String(s) if s == "Allow" => Effect::Allow,
                    JsonValue::String(s) if s == "Deny" => Effect::Deny,
                    JsonValue::String(s) => {
                        return Err(at.err(&p, PolicyErrorKind::Effect(s.clone())))
                    }
                    other => return Err(at.err(&p, wrong("a string", other))),
                })
            }
            "Principal" | "NotPrincipal" => {
                if principal.is_some() {
                    return Err(at.err(&p, PolicyErrorKind::Exclusive("Principal", "NotPrincipal")));
                }
                principal = Some((k.as_str() == "NotPrincipal", v, k.as_str()));
            }
            "Action" | "NotAction" => {
                if action.is_some() {
                    return Err(at.err(&p, PolicyErrorKind::Exclusive("Action", "NotAction")));
                }
                let negated = k == "NotAction";
                let name = if negated { "NotAction" } else { "Action" };
                let patterns = string_list(v, &at, &p, name)?;
                for (i, a) in patterns.iter().enumerate() {
                    let ok = a == "*"
                        || a.split_once(':')
                            .is_some_and(|(s, n)| !s.is_empty() && !n.is_empty());
                    if !ok {
                        let ip = if matches!(v, JsonValue::Array(_)) {
                            p.index(i)
                        } else {
                            p
                        };
                        return Err(at.err(&ip, PolicyErrorKind::Action(a.clone())));
                    }
                }
                action = Some((negated, patterns, k.as_str()));
            }
            "Resource" | "NotResource" => {
                if resource.is_some() {
                    return Err(at.err(&p, PolicyErrorKind::Exclusive("Resource", "NotResource")));
                }
                let negated = k == "NotResource";
                let name = if negated { "NotResource" } else { "Resource" };
                let patterns = string_list(v, &at, &p, name)?;
                for (i, r) in patterns.iter().enumerate() {
                    if let Err(reason) = check_resource_pattern(r) {
                        let ip = if matches!(v, JsonValue::Array(_)) {
                            p.index(i)
                        } else {
                            p
                        };
                        return Err(at.err(
                            &ip,
                            PolicyErrorKind::Resource {
                                value: r.clone(),
                                reason,
                            },
                        ));
                    }
                }
                resource = Some(ResourceBlock::new(negated, patterns, kind, variables));
            }
            "Condition" => conditions = parse_conditions(v, &at, &p, variables)?,
            other => return Err(at.err(&p, PolicyErrorKind::UnknownElement(other.to_owned()))),
        }
    }
    let Some(effect) = effect else {
        return Err(at.err(pointer, PolicyErrorKind::Missing("Effect")));
    };
    let Some((not_action, action_patterns, action_pointer)) = action else {
        return Err(at.err(pointer, PolicyErrorKind::Missing("Action")));
    };
    if resource.is_none() && kind != PolicyKind::Resource {
        return Err(at.err(pointer, PolicyErrorKind::Missing("Resource")));
    }
    let principal = match principal {
        None => {
            if kind == PolicyKind::Resource {
                return Err(at.err(pointer, PolicyErrorKind::Missing("Principal")));
            }
            None
        }
        Some((negated, v, key)) => Some(parse_principal(
            v,
            negated,
            effect,
            kind,
            &at,
            &pointer.key(key),
        )?),
    };
    if kind == PolicyKind::Rcp {
        if not_action {
            return Err(at.err(
                &pointer.key(action_pointer),
                PolicyErrorKind::NotAllowed {
                    element: "`NotAction`".into(),
                    policy: kind.describe(),
                },
            ));
        }
        let full_access = action_patterns == ["*"]
            && resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.patterns == ["*"])
            && conditions.is_empty();
        if effect == Effect::Allow && !full_access {
            return Err(at.err(
                pointer,
                PolicyErrorKind::NotAllowed {
                    element: "an `Allow` statement other than RCPFullAWSAccess (`*` on `*`)".into(),
                    policy: kind.describe(),
                },
            ));
        }
    }
    Ok(Statement {
        index,
        sid: sid.map(str::to_owned),
        effect,
        principal,
        action: ActionBlock::new(not_action, action_patterns),
        resource,
        conditions,
    })
}

fn check_resource_pattern(r: &str) -> Result<(), &'static str> {
    if r == "*" {
        return Ok(());
    }
    if !r.starts_with("arn:") {
        return Err("expected `*` or an ARN starting with `arn:`");
    }
    let mut segs = r.splitn(4, ':');
    let _arn = segs.next();
    let _partition = segs.next();
    if let Some(service) = segs.next() {
        if segs.next().is_some() && (service.is_empty() || service.contains(['*', '?'])) {
            return Err("the service segment must be given in full, without wildcards");
        }
    }
    Ok(())
}

fn parse_principal(
    v: &JsonValue,
    negated: bool,
    effect: Effect,
    kind: PolicyKind,
    at: &At<'_>,
    p: &Ptr<'_>,
) -> Result<PrincipalBlock, PolicyError> {
    let element = if negated {
        "`NotPrincipal`"
    } else {
        "`Principal`"
    };
    match kind {
        PolicyKind::Resource | PolicyKind::Rcp => {}
        _ => {
            return Err(at.err(
                p,
                PolicyErrorKind::NotAllowed {
                    element: element.into(),
                    policy: kind.describe(),
                },
            ));
        }
    }
    if negated && (kind == PolicyKind::Rcp || effect == Effect::Allow) {
        let policy = if kind == PolicyKind::Rcp {
            kind.describe()
        } else {
            "an `Allow` statement"
        };
        return Err(at.err(
            p,
            PolicyErrorKind::NotAllowed {
                element: element.into(),
                policy,
            },
        ));
    }
    let mut block = PrincipalBlock {
        negated,
        star: false,
        by_type: Vec::new(),
        entries: Vec::new(),
    };
    match v {
        JsonValue::String(s) if s == "*" => {
            block.star = true;
            block.entries.push(PrincipalEntry::Anyone);
        }
        JsonValue::Object(members) => {
            for (ty, vals) in members {
                let tp = p.key(ty);
                let values = string_list(vals, at, &tp, "Principal")?;
                for (i, value) in values.iter().enumerate() {
                    let vp = if matches!(vals, JsonValue::Array(_)) {
                        tp.index(i)
                    } else {
                        tp
                    };
                    let entry = match ty.as_str() {
                        "AWS" => compile_aws_principal(value).map_err(|reason| {
                            at.err(
                                &vp,
                                PolicyErrorKind::Principal {
                                    value: value.clone(),
                                    reason,
                                },
                            )
                        })?,
                        "Service" => PrincipalEntry::Service(value.clone()),
                        "Federated" => PrincipalEntry::Federated(value.clone()),
                        "CanonicalUser" => PrincipalEntry::CanonicalUser(value.clone()),
                        other => {
                            return Err(
                                at.err(&tp, PolicyErrorKind::UnknownElement(other.to_owned()))
                            )
                        }
                    };
                    block.entries.push(entry);
                }
                block.by_type.push((ty.clone(), values));
            }
        }
        other => return Err(at.err(p, wrong("`\"*\"` or an object of principal types", other))),
    }
    if kind == PolicyKind::Rcp && !(block.star || block.entries == [PrincipalEntry::Anyone]) {
        return Err(at.err(
            p,
            PolicyErrorKind::NotAllowed {
                element: "a `Principal` other than `\"*\"`".into(),
                policy: kind.describe(),
            },
        ));
    }
    Ok(block)
}

fn parse_conditions(
    v: &JsonValue,
    at: &At<'_>,
    p: &Ptr<'_>,
    variables: bool,
) -> Result<Vec<std::sync::Arc<Condition>>, PolicyError> {
    let JsonValue::Object(ops) = v else {
        return Err(at.err(p, wrong("an object of condition operators", v)));
    };
    let mut out = Vec::new();
    for (op_text, keys) in ops {
        let op_pointer = p.key(op_text);
        let Some(operator) = Operator::parse(op_text) else {
            return Err(at.err(
                &op_pointer,
                PolicyErrorKind::UnknownOperator(op_text.clone()),
            ));
        };
        let JsonValue::Object(keys) = keys else {
            return Err(at.err(&op_pointer, wrong("an object of condition keys", keys)));
        };
        for (key, vals) in keys {
            let kp = op_pointer.key(key);
            let values: Vec<String> = match vals {
                JsonValue::Array(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        match item.scalar_text() {
                            Some(t) => out.push(t),
                            None => {
                                return Err(at
                                    .err(&kp.index(i), wrong("a string, number or boolean", item)))
                            }
                        }
                    }
                    out
                }
                scalar => match scalar.scalar_text() {
                    Some(t) => vec![t],
                    None => {
                        return Err(at.err(
                            &kp,
                            wrong("a string, number, boolean or an array of them", scalar),
                        ))
                    }
                },
            };
            let cond = Condition::new(op_text, operator, key, values, variables).map_err(
                |(value, reason)| {
                    at.err(
                        &kp,
                        PolicyErrorKind::ConditionValue {
                            operator: op_text.clone(),
                            value,
                            reason,
                        },
                    )
                },
            )?;
            out.push(std::sync::Arc::new(cond));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
