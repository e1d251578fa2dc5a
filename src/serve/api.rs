//! The JSON API's answers: functions of the model and the request's
//! parameters, over the same library calls as the CLI. No IO here: the
//! server ([`super`]) reads the request, calls these, and writes the JSON.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::eval::context::CtxValue;
use crate::graph::{Model, UserIx, Via};
use crate::query::lookup::{self, LookupError};
use crate::who::{Hit, WhoCanAnswer, WhoCanQuery, WhoCanRow};

/// The longest value a parameter may have (a context value, an ARN)
pub const MAX_VALUE: usize = 8 * 1024;
/// The longest query string
pub const MAX_QUERY: usize = 64 * 1024;
/// The most rows a page may have
pub const MAX_LIMIT: usize = 1000;

/// A request the API refuses: the status and a JSON body
/// `{"error": {"status", "code", "message"}}`
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// HTTP status (4xx)
    pub status: u16,
    /// Stable code: `bad-request`, `not-found`, `unauthorized`, ...
    pub code: &'static str,
    /// What was wrong, in words
    pub message: String,
}

impl ApiError {
    /// 400: a parameter is missing or wrong
    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            code: "bad-request",
            message: message.into(),
        }
    }

    /// 404: the user, permission set or page does not exist
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: 404,
            code: "not-found",
            message: message.into(),
        }
    }

    /// The JSON body
    pub fn body(&self) -> Value {
        json!({"error": {"status": self.status, "code": self.code, "message": self.message}})
    }
}

impl From<LookupError> for ApiError {
    fn from(e: LookupError) -> ApiError {
        match e {
            LookupError::Action { .. }
            | LookupError::Pattern { .. }
            | LookupError::Service { .. } => ApiError::bad(e.to_string()),
            _ => ApiError::not_found(e.to_string()),
        }
    }
}

type Result<T> = std::result::Result<T, ApiError>;

/// A request's query parameters, in order, decoded (`+` is a space, `%XX`
/// a byte; the result must be UTF-8); a key may repeat
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Reads a query string (without the `?`)
    ///
    /// # Errors
    /// Longer than [`MAX_QUERY`], a value longer than [`MAX_VALUE`], or not
    /// UTF-8 once decoded.
    pub fn parse(query: &str) -> Result<Params> {
        if query.len() > MAX_QUERY {
            return Err(ApiError::bad(format!(
                "the query string is {} bytes; at most {MAX_QUERY} are read",
                query.len()
            )));
        }
        let decode = |s: &str| {
            let s = s.replace('+', " ");
            percent_encoding::percent_decode_str(&s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| ApiError::bad("a query parameter is not UTF-8 once decoded"))
        };
        let mut out = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let (k, v) = (decode(k)?, decode(v)?);
            if v.len() > MAX_VALUE {
                return Err(ApiError::bad(format!(
                    "parameter `{k}` is {} bytes long; at most {MAX_VALUE} are read",
                    v.len()
                )));
            }
            out.push((k, v));
        }
        Ok(Params(out))
    }

    /// From pairs (tests, the bench)
    pub fn of(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// The first value of `key`, when not empty
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `key`
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value of `key`, required
    ///
    /// # Errors
    /// Absent or empty.
    pub fn required(&self, key: &str) -> Result<&str> {
        self.get(key)
            .ok_or_else(|| ApiError::bad(format!("parameter `{key}` is required")))
    }

    /// `true`, `1` or `yes` (a boolean flag)
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v, "true" | "1" | "yes" | "on"))
    }

    /// A number, `default` when absent, at most `max`
    ///
    /// # Errors
    /// Not a number, or above `max`.
    pub fn number(&self, key: &str, default: usize, max: usize) -> Result<usize> {
        let Some(v) = self.get(key) else {
            return Ok(default);
        };
        let n: usize = v
            .parse()
            .map_err(|_| ApiError::bad(format!("`{key}` must be a number, not `{v}`")))?;
        if n > max {
            return Err(ApiError::bad(format!("`{key}` is at most {max}, not {n}")));
        }
        Ok(n)
    }

    /// The `context` parameters (`KEY=VALUE`, a JSON array for a multivalued key)
    ///
    /// # Errors
    /// A value without `=`, or an invalid JSON array.
    pub fn context(&self) -> Result<Vec<(String, CtxValue)>> {
        let mut out = Vec::new();
        for item in self.all("context") {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| ApiError::bad(format!("context `{item}`: expected KEY=VALUE")))?;
            let value = if v.trim_start().starts_with('[') {
                let list: Vec<Value> = serde_json::from_str(v).map_err(|e| {
                    ApiError::bad(format!("context `{k}`: invalid JSON array ({e})"))
                })?;
                CtxValue::multi(list.iter().map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }))
            } else {
                CtxValue::single(v)
            };
            if k.trim().is_empty() {
                return Err(ApiError::bad(format!("context `{item}`: the key is empty")));
            }
            out.push((k.trim().to_owned(), value));
        }
        Ok(out)
    }

    /// `max_hops`, the CLI's default when absent
    ///
    /// # Errors
    /// Not a number, or above the CLI's limit.
    pub fn max_hops(&self) -> Result<usize> {
        self.number(
            "max_hops",
            crate::who::chain::DEFAULT_MAX_HOPS,
            crate::who::chain::MAX_HOPS_LIMIT,
        )
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `GET /api/info`: what is loaded
pub fn info(model: &Model, source: &str, loaded_at: &str, generation: u64) -> Value {
    let s = model.snapshot();
    json!({
        "snapshot": source,
        "loaded_at": loaded_at,
        "generation": generation,
        "collected_at": s.provenance.collected_at,
        "users": s.users.len(),
        "groups": s.groups.len(),
        "permission_sets": s.permission_sets.len(),
        "accounts": model.accounts().len(),
        "assignments": s.assignments.len(),
        "iam_accounts": s.iam.len(),
        "collection_errors": s.provenance.errors.len(),
        "version": env!("CARGO_PKG_VERSION"),
    })
}

/// `GET /api/users?q=&limit=`: users whose name, display name, email or id
/// contains `q` (ignoring case), by user name
///
/// # Errors
/// A bad `limit`.
pub fn users(model: &Model, p: &Params) -> Result<Value> {
    let limit = p.number("limit", 50, MAX_LIMIT)?;
    let q = p.get("q").unwrap_or_default().to_lowercase();
    let mut matched = 0usize;
    let mut rows = Vec::new();
    for u in model.user_ids() {
        let user = model.user(u);
        let hit = q.is_empty()
            || user.user_name.to_lowercase().contains(&q)
            || user.id.to_lowercase().contains(&q)
            || user
                .display_name
                .as_deref()
                .is_some_and(|d| d.to_lowercase().contains(&q))
            || user
                .emails
                .iter()
                .any(|e| e.value.to_lowercase().contains(&q));
        if hit {
            matched += 1;
            if rows.len() < limit {
                rows.push(user_summary(model, u));
            }
        }
    }
    Ok(json!({"total": matched, "users": rows}))
}

fn user_summary(model: &Model, u: UserIx) -> Value {
    let user = model.user(u);
    json!({
        "id": user.id,
        "user_name": user.user_name,
        "display_name": user.display_name,
        "email": user.emails.iter().find(|e| e.primary).or_else(|| user.emails.first()).map(|e| &e.value),
        "enabled": model.user_enabled(u),
    })
}

/// `GET /api/users/{user}`: the user, their groups and principal tags
///
/// # Errors
/// No such user.
pub fn user(model: &Model, key: &str) -> Result<Value> {
    let u = lookup::user(model, key)?;
    let mut v = user_summary(model, u);
    v["groups"] = model
        .user_groups(u)
        .iter()
        .map(|&g| Value::String(model.group(g).name.clone()))
        .collect();
    v["principal_tags"] = to_value(model.principal_tags(u));
    Ok(v)
}

/// `GET /api/users/{user}/portal`: the access portal (`portal USER --format
/// json`), with the applications tab and the portal's words for an empty one
///
/// # Errors
/// No such user.
pub fn portal(model: &Model, key: &str) -> Result<Value> {
    let u = lookup::user(model, key)?;
    let mut v = to_value(&crate::query::portal(model, u));
    v["applications_message"] = json!(crate::query::NO_APPLICATIONS);
    Ok(v)
}

/// `GET /api/users/{user}/profiles`: the `~/.aws/config` text (`profiles
/// USER`, with `chained=true` the role-chain profiles too)
///
/// # Errors
/// No such user.
pub fn profiles(model: &Model, key: &str, p: &Params) -> Result<Value> {
    let u = lookup::user(model, key)?;
    let opts = crate::query::ProfileOptions {
        chained: p.flag("chained"),
        ..crate::query::ProfileOptions::default()
    };
    let config = crate::query::profiles_with(model, u, &opts);
    Ok(json!({"user_name": model.user(u).user_name, "config": config.text}))
}

/// `GET /api/users/{user}/graph`: the user's access as nodes and edges
/// (user → groups → permission sets in accounts → the provisioned role →
/// the roles its trust lets it assume, up to `max_hops`)
///
/// # Errors
/// No such user, or a bad `max_hops`.
pub fn user_graph(model: &Model, key: &str, p: &Params) -> Result<Value> {
    let u = lookup::user(model, key)?;
    let max_hops = p.max_hops()?;
    let mut nodes: Vec<Value> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut edges = Edges::new();
    let mut node = |id: String, kind: &str, label: String, detail: String| {
        if seen.insert(id.clone()) {
            nodes.push(json!({"id": id, "kind": kind, "label": label, "detail": detail}));
        }
        id
    };
    let user = model.user(u);
    let un = node(
        format!("user:{}", user.id),
        "user",
        user.user_name.clone(),
        user.display_name.clone().unwrap_or_default(),
    );
    for a in model.access(u) {
        let account = model.account(a.account);
        let ps = model.permission_set(a.permission_set);
        let from = start(model, &un, a.via, &mut node, &mut edges);
        let psn = node(
            format!("ps:{}@{}", ps.arn, account.id),
            "permission-set",
            ps.name.clone(),
            account.name.clone(),
        );
        edges.insert((from, psn.clone(), "assignment".into(), "solid"));
        let an = node(
            format!("account:{}", account.id),
            "account",
            account.name.clone(),
            account.id.clone(),
        );
        let role = model.provisioned_role(a.permission_set, a.account);
        let rn = node(
            format!("role:{}", role.arn),
            "role",
            role.name.clone(),
            account.name.clone(),
        );
        edges.insert((psn, rn.clone(), "provisions".into(), "solid"));
        edges.insert((rn, an, "in".into(), "dotted"));
    }
    for e in crate::who::entitlement::sessions(model, crate::who::Subject::User(u), &[]) {
        let from = start(model, &un, e.through, &mut node, &mut edges);
        let role = &model.iam_principals()[e.role];
        let rn = node(
            format!("role:{}", role.arn),
            "role",
            role.arn.rsplit('/').next().unwrap_or(&role.arn).to_owned(),
            model.account(role.account).name.clone(),
        );
        edges.insert((from, rn, format!("entitlement {}", e.application), "solid"));
    }
    for (from, hop) in crate::who::chain::trust_edges(model, Some(u), max_hops) {
        let from = match from {
            crate::who::chain::EdgeFrom::Pair(ps, acct) => {
                format!("role:{}", model.provisioned_role(ps, acct).arn)
            }
            crate::who::chain::EdgeFrom::Iam(i) => {
                format!("role:{}", model.iam_principals()[i].arn)
            }
        };
        let to = &model.iam_principals()[hop.role];
        let tn = node(
            format!("role:{}", to.arn),
            "role",
            to.arn.rsplit('/').next().unwrap_or(&to.arn).to_owned(),
            model.account(to.account).name.clone(),
        );
        let label = match &hop.condition {
            Some(c) => format!("sts:AssumeRole if {c}"),
            None => "sts:AssumeRole".to_owned(),
        };
        edges.insert((from, tn, label, "dashed"));
    }
    let edges: Vec<Value> = edges
        .into_iter()
        .map(|(from, to, label, style)| json!({"from": from, "to": to, "label": label, "style": style}))
        .collect();
    Ok(json!({"user_name": user.user_name, "nodes": nodes, "edges": edges}))
}

/// The graph's edges: (from, to, label, style)
type Edges = BTreeSet<(String, String, String, &'static str)>;

/// Where a user's access starts in its graph: the user node `un`, or the
/// group it has the access through (the group node and the membership edge
/// added)
fn start(
    model: &Model,
    un: &str,
    via: Via,
    node: &mut impl FnMut(String, &str, String, String) -> String,
    edges: &mut Edges,
) -> String {
    match via {
        Via::Direct => un.to_owned(),
        Via::Group(g) => {
            let gn = node(
                format!("group:{}", model.group(g).id),
                "group",
                model.group(g).name.clone(),
                String::new(),
            );
            edges.insert((un.to_owned(), gn.clone(), "member".into(), "solid"));
            gn
        }
    }
}

/// `GET /api/permission-sets`: every permission set with its row of
/// `report permission-sets`
pub fn permission_sets(model: &Model) -> Value {
    let rows = crate::report::review::permission_set_rows(model, &Default::default());
    json!({"permission_sets": rows})
}

/// `GET /api/permission-sets/{name}`: the set's documents, boundary,
/// session, accounts, users reached and lint findings
///
/// # Errors
/// No such permission set.
pub fn permission_set(
    model: &Model,
    key: &str,
    findings: &[crate::query::lint::Finding],
) -> Result<Value> {
    let Some(ix) = model.find_permission_set(key) else {
        let hint = lookup::hint(
            key,
            model
                .snapshot()
                .permission_sets
                .iter()
                .map(|p| p.name.as_str()),
        );
        return Err(ApiError::not_found(format!(
            "no permission set `{key}` in the snapshot (by name or ARN){hint}"
        )));
    };
    let ps = model.permission_set(ix);
    let mut accounts = BTreeSet::new();
    let mut users = BTreeSet::new();
    for u in model.user_ids() {
        for a in model.access(u) {
            if a.permission_set == ix {
                accounts.insert(a.account);
                users.insert(u);
            }
        }
    }
    let assigned: Vec<Value> = accounts
        .iter()
        .map(|&a| json!({"id": model.account(a).id, "name": model.account(a).name}))
        .collect();
    let reached: Vec<Value> = users.iter().map(|&u| user_summary(model, u)).collect();
    let only = crate::report::review::ReviewFilter {
        permission_sets: Some(BTreeSet::from([ix])),
        ..Default::default()
    };
    let row = crate::report::review::permission_set_rows(model, &only)
        .into_iter()
        .next();
    // Findings about this set: their subject is "permission set `NAME`".
    let subject = format!("permission set `{}`", ps.name);
    let lint: Vec<&crate::query::lint::Finding> =
        findings.iter().filter(|f| f.subject == subject).collect();
    Ok(json!({
        "permission_set": ps,
        "summary": row,
        "accounts": assigned,
        "users_reached": reached,
        "lint": lint,
    }))
}

/// `GET /api/what-can?who=&account=&service=&access_level=&context=`
///
/// # Errors
/// An unknown user, group, account or service; a bad access level.
pub fn what_can(model: &Model, p: &Params) -> Result<Value> {
    use crate::data::AccessLevel;
    let subject = lookup::subject(model, p.required("who")?)?;
    let service = p.get("service").map(str::to_owned);
    if let Some(s) = &service {
        lookup::service(s)?;
    }
    let access_level = match p.get("access_level") {
        None => None,
        Some("list") => Some(AccessLevel::List),
        Some("read") => Some(AccessLevel::Read),
        Some("write") => Some(AccessLevel::Write),
        Some("permissions") => Some(AccessLevel::Permissions),
        Some("tagging") => Some(AccessLevel::Tagging),
        Some(other) => {
            return Err(ApiError::bad(format!(
                "access_level is list, read, write, permissions or tagging, not `{other}`"
            )))
        }
    };
    let q = crate::who::WhatCanQuery {
        subject,
        accounts: lookup::accounts(model, &p.all("account"))?,
        service,
        access_level,
        context: p.context()?,
        max_hops: p.max_hops()?,
    };
    let rows = crate::who::what_can(model, &q);
    Ok(json!({"total": rows.len(), "rows": rows}))
}

/// `GET /api/simulate?user=&account=&action=&resource=&context=`: the
/// decision of every access path, with the explanation
///
/// # Errors
/// An unknown user, account or action; more than one action.
pub fn simulate(model: &Model, p: &Params) -> Result<Value> {
    let u = lookup::user(model, p.required("user")?)?;
    let a = lookup::account(model, p.required("account")?)?;
    let action = p.required("action")?;
    let actions = lookup::actions(&[action.to_owned()])?;
    if actions.len() != 1 {
        return Err(ApiError::bad(format!(
            "simulate takes one action, `{action}` names {}",
            actions.len()
        )));
    }
    let resource = p.get("resource");
    if let Some(r) = resource {
        lookup::role_arn(model, r)?;
    }
    let context = p.context()?;
    let q = crate::who::SimulateQuery {
        action: &actions[0],
        resource,
        context: &context,
        max_hops: p.max_hops()?,
    };
    let paths = crate::who::simulate_user(model, u, a, &q);
    let notes = resource
        .map(|r| model.resolve_resource(r).notes)
        .unwrap_or_default();
    let user_name = &model.user(u).user_name;
    let account_name = &model.account(a).name;
    let message = paths.is_empty().then(|| format!("{user_name} has no assignment in {account_name}: the portal shows nothing there, and GetRoleCredentials fails with ForbiddenException (No access)."));
    Ok(json!({
        "user_name": user_name,
        "account_id": model.account(a).id,
        "account_name": account_name,
        "action": actions[0],
        "paths": crate::report::simulate::paths_json(model, &paths, true, &notes),
        "message": message,
    }))
}

/// `GET /api/admins`: who can administer Identity Center
pub fn admins(model: &Model) -> Value {
    to_value(&crate::query::admins(model))
}

/// `GET /api/lint`: the findings, with each code's explanation
pub fn lint(findings: &[crate::query::lint::Finding]) -> Value {
    let codes: BTreeSet<&str> = findings.iter().map(|f| f.code).collect();
    let docs: Vec<Value> = codes
        .iter()
        .filter_map(|c| crate::query::lint::explain(c))
        .map(|d| code_doc(&d))
        .collect();
    json!({"total": findings.len(), "findings": findings, "codes": docs})
}

fn code_doc(d: &crate::query::lint::CodeDoc) -> Value {
    json!({"code": d.code, "severity": d.severity.as_str(), "what": d.what, "why": d.why, "fix": d.fix})
}

/// `GET /api/lint/{code}`: one code's explanation (`lint --explain`)
///
/// # Errors
/// No such code.
pub fn lint_code(code: &str) -> Result<Value> {
    crate::query::lint::explain(code)
        .map(|d| code_doc(&d))
        .ok_or_else(|| {
            let all = crate::query::lint::CODES.iter().map(|c| c.code);
            ApiError::not_found(format!("no lint code `{code}`{}", lookup::hint(code, all)))
        })
}

/// `GET /api/reports/assignments?offset=&limit=`: `report assignments`
/// rows, a page at a time
///
/// # Errors
/// A bad `offset` or `limit`.
pub fn assignments(
    model: &Model,
    review: &crate::report::review::AssignmentReview,
    p: &Params,
) -> Result<Value> {
    let (offset, limit) = (
        p.number("offset", 0, usize::MAX)?,
        p.number("limit", 100, MAX_LIMIT)?,
    );
    let rows: Vec<_> = (offset..review.len().min(offset.saturating_add(limit)))
        .map(|i| review.row(model, i))
        .collect();
    Ok(json!({"total": review.len(), "offset": offset, "limit": limit, "rows": rows}))
}

/// The who-can question of a request: `action` (repeated, wildcards),
/// `resource`, `account` (repeated), `context` (repeated),
/// `include_disabled`, `max_hops`
///
/// # Errors
/// No action, an unknown action, account or role.
pub fn who_can_query(model: &Model, p: &Params) -> Result<WhoCanQuery> {
    let patterns: Vec<String> = p
        .all("action")
        .iter()
        .flat_map(|a| a.split([',', ' ']).map(str::to_owned).collect::<Vec<_>>())
        .filter(|a| !a.is_empty())
        .collect();
    if patterns.is_empty() {
        return Err(ApiError::bad(
            "parameter `action` is required (`s3:GetObject`, `s3:Get*`)",
        ));
    }
    let actions = lookup::actions(&patterns)?;
    let resource = p.get("resource").map(str::to_owned);
    if let Some(r) = &resource {
        lookup::role_arn(model, r)?;
    }
    Ok(WhoCanQuery {
        actions,
        resource,
        accounts: lookup::accounts(model, &p.all("account"))?,
        context: p.context()?,
        include_disabled: p.flag("include_disabled"),
        max_hops: p.max_hops()?,
    })
}

/// The key of a who-can question, for the answer cache: the parameters
/// that change the answer, in a fixed order
pub fn who_can_key(p: &Params) -> String {
    let mut parts: Vec<String> = [
        "action",
        "resource",
        "account",
        "context",
        "include_disabled",
        "max_hops",
    ]
    .iter()
    .flat_map(|k| p.all(k).into_iter().map(move |v| format!("{k}={v}")))
    .collect();
    parts.sort();
    parts.join("&")
}

/// One row of an answer: an Identity Center hit, or an IAM principal's row
#[derive(Debug, Clone, Copy)]
enum Item {
    Hit(Hit),
    Iam(u32),
}

/// A who-can answer held for paging: the answer and its rows in order,
/// with the orders already asked for (sorted and filtered views)
#[derive(Debug)]
pub struct Computed {
    /// The answer
    pub answer: WhoCanAnswer,
    items: Vec<Item>,
    /// Distinct actions some row allows
    actions: usize,
    views: Mutex<Vec<(ViewKey, Arc<View>)>>,
}

/// The rows of a view, in order, and how many principals they hold
#[derive(Debug)]
struct View {
    order: Vec<u32>,
    principals: usize,
}

/// How the rows of a page are chosen: sorted by a column, filtered by text
#[derive(Debug, Clone, PartialEq, Eq)]
struct ViewKey {
    sort: Sort,
    desc: bool,
    filter: String,
}

/// The columns a page sorts by
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// The CLI's order: users (in order), then IAM principals
    Answer,
    Principal,
    Account,
    PermissionSet,
    Decision,
}

/// Views kept per answer
const VIEWS: usize = 8;

impl Computed {
    /// Evaluates the question and lists its rows
    pub fn new(model: &Model, q: &WhoCanQuery) -> Computed {
        let answer = crate::who::who_can(model, q);
        // Listed on both cores, in the answer's order.
        let mut items: Vec<Item> = Vec::with_capacity(answer.len());
        let listed: std::result::Result<(), std::convert::Infallible> = answer.render_hits(
            model,
            |hits| hits.iter().map(|&h| Item::Hit(h)).collect::<Vec<Item>>(),
            |part| {
                items.extend(part);
                Ok(())
            },
        );
        let Ok(()) = listed;
        items.extend((0..answer.iam.len() as u32).map(Item::Iam));
        let mut all = BTreeSet::new();
        for o in &answer.outcomes {
            all.extend(o.actions.iter().map(String::as_str));
        }
        for r in &answer.iam {
            all.extend(r.actions.iter().map(String::as_str));
        }
        let actions = all.len();
        Computed {
            answer,
            items,
            actions,
            views: Mutex::new(Vec::new()),
        }
    }

    /// Number of rows
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nobody can
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Distinct principals among the rows of `view`
    fn principals(&self, model: &Model, view: &[u32]) -> usize {
        let mut users = vec![false; model.user_ids().len()];
        let mut iam = BTreeSet::new();
        for &i in view {
            match self.items[i as usize] {
                Item::Hit(h) => users[h.user.index()] = true,
                Item::Iam(j) => {
                    iam.insert(self.answer.iam[j as usize].principal.as_str());
                }
            }
        }
        users.iter().filter(|u| **u).count() + iam.len()
    }

    fn decision(&self, i: Item) -> &'static str {
        match i {
            Item::Hit(h) => self.answer.outcomes[h.outcome as usize].decision,
            Item::Iam(j) => self.answer.iam[j as usize].decision,
        }
    }

    /// Which rows contain `needle` (lower case): decided once per user,
    /// account, permission set, group, chain and IAM row, then looked up
    /// per row (an answer can hold millions)
    fn matching(&self, model: &Model, needle: &str) -> Vec<bool> {
        let has = |s: &str| s.to_lowercase().contains(needle);
        let users: Vec<bool> = model
            .user_ids()
            .map(|u| has(&model.user(u).user_name))
            .collect();
        let accounts: Vec<bool> = model
            .accounts()
            .iter()
            .map(|a| has(&a.name) || a.id.contains(needle))
            .collect();
        let sets: Vec<bool> = model
            .snapshot()
            .permission_sets
            .iter()
            .map(|p| has(&p.name))
            .collect();
        let groups: Vec<bool> = model
            .snapshot()
            .groups
            .iter()
            .map(|g| has(&format!("group:{}", g.name)))
            .collect();
        let chains: Vec<bool> = self
            .answer
            .chains
            .iter()
            .map(|c| has(&c.via_suffix))
            .collect();
        let direct = "direct".contains(needle);
        self.items
            .iter()
            .map(|i| match *i {
                Item::Hit(h) => {
                    users[h.user.index()]
                        || accounts[h.account.index()]
                        || sets[h.permission_set.index()]
                        || match h.via {
                            Via::Group(g) => groups[g.index()],
                            Via::Direct => direct,
                        }
                        || chains.get(h.chain as usize).is_some_and(|c| *c)
                }
                Item::Iam(j) => {
                    let r = &self.answer.iam[j as usize];
                    has(&r.principal)
                        || has(&r.account_name)
                        || r.account_id.contains(needle)
                        || has(&r.via)
                }
            })
            .collect()
    }

    /// Each row's rank for `sort`: names ranked once (users, accounts,
    /// permission sets, IAM rows), so millions of rows sort on integers
    fn ranks(&self, model: &Model, sort: Sort) -> Vec<u32> {
        fn rank<'a>(
            names: impl Iterator<Item = &'a str>,
        ) -> std::collections::BTreeMap<&'a str, u32> {
            let set: BTreeSet<&str> = names.collect();
            set.into_iter().zip(0u32..).collect()
        }
        let iam = &self.answer.iam;
        match sort {
            Sort::Answer => (0..self.items.len() as u32).collect(),
            Sort::Decision => self
                .items
                .iter()
                .map(|&i| u32::from(self.decision(i) != "allow"))
                .collect(),
            Sort::Principal | Sort::Account | Sort::PermissionSet => {
                let names: Vec<&str> = match sort {
                    Sort::Principal => model
                        .user_ids()
                        .map(|u| model.user(u).user_name.as_str())
                        .collect(),
                    Sort::Account => model.accounts().iter().map(|a| a.name.as_str()).collect(),
                    _ => model
                        .snapshot()
                        .permission_sets
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect(),
                };
                let of_iam = |r: &'_ WhoCanRow| -> String {
                    match sort {
                        Sort::Principal => r.principal.clone(),
                        Sort::Account => r.account_name.clone(),
                        _ => r.permission_set.clone().unwrap_or_default(),
                    }
                };
                let iam_names: Vec<String> = iam.iter().map(of_iam).collect();
                let ranks = rank(
                    names
                        .iter()
                        .copied()
                        .chain(iam_names.iter().map(String::as_str)),
                );
                let by_index: Vec<u32> = names.iter().map(|n| ranks[n]).collect();
                let iam_rank: Vec<u32> = iam_names.iter().map(|n| ranks[n.as_str()]).collect();
                self.items
                    .iter()
                    .map(|&i| match i {
                        Item::Hit(h) => {
                            by_index[match sort {
                                Sort::Principal => h.user.index(),
                                Sort::Account => h.account.index(),
                                _ => h.permission_set.index(),
                            }]
                        }
                        Item::Iam(j) => iam_rank[j as usize],
                    })
                    .collect()
            }
        }
    }

    fn row(&self, model: &Model, i: Item) -> WhoCanRow {
        match i {
            Item::Hit(h) => self.answer.row_of(model, &h),
            Item::Iam(j) => self.answer.iam[j as usize].clone(),
        }
    }

    /// The rows of a view, in its order (computed once per view)
    fn view(&self, model: &Model, key: ViewKey) -> Arc<View> {
        if let Ok(views) = self.views.lock() {
            if let Some((_, v)) = views.iter().find(|(k, _)| *k == key) {
                return Arc::clone(v);
            }
        }
        let needle = key.filter.to_lowercase();
        let keep = (!needle.is_empty()).then(|| self.matching(model, &needle));
        let mut order: Vec<u32> = (0..self.items.len() as u32)
            .filter(|&i| keep.as_ref().is_none_or(|k| k[i as usize]))
            .collect();
        if key.sort != Sort::Answer || key.desc {
            let ranks = self.ranks(model, key.sort);
            // Stable: rows of one rank keep the answer's order.
            if key.desc {
                order.sort_by_key(|&i| std::cmp::Reverse(ranks[i as usize]));
            } else {
                order.sort_by_key(|&i| ranks[i as usize]);
            }
        }
        let principals = self.principals(model, &order);
        let order = Arc::new(View { order, principals });
        if let Ok(mut views) = self.views.lock() {
            if views.len() >= VIEWS {
                views.remove(0);
            }
            views.push((key, Arc::clone(&order)));
        }
        order
    }

    /// `GET /api/who-can`: one page of the answer (`offset`, `limit`),
    /// sorted (`sort` = principal, account, permission_set or decision;
    /// `order` = asc or desc) and filtered (`filter`: text in the
    /// principal, account, permission set or path)
    ///
    /// # Errors
    /// A bad `offset`, `limit`, `sort` or `order`.
    pub fn page(&self, model: &Model, p: &Params) -> Result<Value> {
        let offset = p.number("offset", 0, usize::MAX)?;
        let limit = p.number("limit", 50, MAX_LIMIT)?;
        let sort = match p.get("sort") {
            None => Sort::Answer,
            Some("principal") => Sort::Principal,
            Some("account") => Sort::Account,
            Some("permission_set") => Sort::PermissionSet,
            Some("decision") => Sort::Decision,
            Some(other) => {
                return Err(ApiError::bad(format!(
                    "sort is principal, account, permission_set or decision, not `{other}`"
                )))
            }
        };
        let desc = match p.get("order") {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(ApiError::bad(format!(
                    "order is asc or desc, not `{other}`"
                )))
            }
        };
        let filter = p.get("filter").unwrap_or_default().trim().to_owned();
        let view = self.view(
            model,
            ViewKey {
                sort,
                desc,
                filter: filter.clone(),
            },
        );
        let rows: Vec<WhoCanRow> = view
            .order
            .iter()
            .skip(offset)
            .take(limit)
            .map(|&i| self.row(model, self.items[i as usize]))
            .collect();
        Ok(json!({
            "total": view.order.len(),
            "answer_total": self.items.len(),
            "principals": view.principals,
            "offset": offset,
            "limit": limit,
            "filter": filter,
            "actions": self.actions,
            "notes": self.answer.notes,
            "rows": rows,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_decode_repeat_and_are_bounded() {
        let p =
            Params::parse("action=s3%3AGet*&action=iam:PassRole&q=a+b&empty=&flag=true").unwrap();
        assert_eq!(p.all("action"), ["s3:Get*", "iam:PassRole"]);
        assert_eq!(p.get("q"), Some("a b"));
        assert_eq!(p.get("empty"), None, "an empty value is absent");
        assert!(p.flag("flag") && !p.flag("nope"));
        let long = format!("context=k={}", "x".repeat(MAX_VALUE + 1));
        assert_eq!(Params::parse(&long).unwrap_err().status, 400);
        assert_eq!(
            Params::parse(&"a=1&".repeat(MAX_QUERY)).unwrap_err().status,
            400
        );
        assert!(Params::parse("a=%C3%28").is_err(), "not UTF-8");
        assert_eq!(
            Params::of(&[("limit", "7")]).number("limit", 50, 100),
            Ok(7)
        );
        assert!(Params::of(&[("limit", "101")])
            .number("limit", 50, 100)
            .is_err());
    }

    #[test]
    fn the_answer_key_ignores_order_and_the_view() {
        let a = Params::parse("action=b&action=a&offset=10&sort=account").unwrap();
        let b = Params::parse("limit=5&action=a&action=b").unwrap();
        assert_eq!(who_can_key(&a), who_can_key(&b));
        let c = Params::parse("action=a&action=b&account=prod").unwrap();
        assert_ne!(who_can_key(&a), who_can_key(&c));
    }

    #[test]
    fn contexts_read_single_and_multivalued_keys() {
        let p = Params::of(&[
            ("context", "aws:SourceIp=10.0.0.1"),
            ("context", "aws:TagKeys=[\"a\",\"b\"]"),
        ]);
        let c = p.context().unwrap();
        assert_eq!(c[0].0, "aws:SourceIp");
        assert_eq!(c[1].1, CtxValue::multi(["a".to_owned(), "b".to_owned()]));
        assert!(Params::of(&[("context", "=x")]).context().is_err());
    }
}
