//! This module holds what is known about an Identity Center principal before
//! any request is made: the condition keys that follow from the user, the
//! permission set's role and the account (`design.md`, Evaluation). Keys
//! that depend on the individual request stay unknown. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use crate::eval::context::{Context, CtxValue};
use crate::graph::{Model, ProvisionedRole};

/// The context of `user`'s session in `account` through `role`: every key
/// that follows from the principal is set (or known absent); the rest is
/// unknown
pub fn principal_context(
    model: &Model,
    user: usize,
    account: usize,
    role: &ProvisionedRole,
) -> Context {
    let mut ctx = pair_context(model, account, role);
    add_user_keys(&mut ctx, model, user, account, role);
    ctx
}

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::eval::request::Request;
use crate::eval::tri::Tri;
use crate::eval::{evaluate, Answer, Decision, PolicySet, StmtRef};
use crate::graph::{Access, Via};
pub mod profile;

use crate::policy::{Policy, PolicyKind};
pub use profile::{AccessProfile, PrivilegeLevel};

/// A who-can question
#[derive(Debug, Clone, Default)]
pub struct WhoCanQuery {
    /// Concrete actions (`service:Action`), already expanded from patterns
    pub actions: Vec<String>,
    /// The resource ARN; `None` for "on some resource"
    pub resource: Option<String>,
    /// Only these accounts (indices); `None` for all
    pub accounts: Option<BTreeSet<usize>>,
    /// Context keys the question fixes (`--context KEY=VALUE`)
    pub context: Vec<(String, CtxValue)>,
    /// Answer for disabled users too (flagged)
    pub include_disabled: bool,
}

/// The columns of a who-can row, as tables and CSV show them
pub const WHO_CAN_HEADER: [&str; 10] = [
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

/// One way someone can do some of the actions
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WhoCanRow {
    /// User name, or the IAM principal's ARN
    pub principal: String,
    /// `identity-center-user`, `iam-user` or `iam-role`
    pub principal_type: &'static str,
    /// `direct`, `group:<name>`, or `iam`
    pub via: String,
    /// Permission set name (Identity Center rows)
    pub permission_set: Option<String>,
    /// Account id
    pub account_id: String,
    /// Account name
    pub account_name: String,
    /// `allow` or `conditional`
    pub decision: &'static str,
    /// For conditional rows: the condition that must hold
    pub condition: Option<String>,
    /// The actions this row allows
    pub actions: Vec<String>,
    /// The statements that granted it
    pub deciding: Vec<String>,
    /// The user is disabled (only with `include_disabled`)
    pub disabled: bool,
}

/// `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` (root and OUs above
/// the account, not the account) of a principal in `account`
fn add_org_keys(ctx: &mut Context, model: &Model, account: usize) {
    if let Some(org) = &model.snapshot.organization {
        ctx.set("aws:PrincipalOrgID", CtxValue::single(org.id.clone()));
        let path = &model.account_paths[account];
        let mut p = format!("{}/", org.id);
        for id in &path[..path.len().saturating_sub(1)] {
            p.push_str(id);
            p.push('/');
        }
        ctx.set("aws:PrincipalOrgPaths", CtxValue::multi([p]));
    }
}

/// The context every session of a (permission set, account) pair shares:
/// like [`principal_context`] with the user's own keys left unknown
pub(crate) fn pair_context(model: &Model, account: usize, role: &ProvisionedRole) -> Context {
    let mut ctx = Context::open();
    let account_id = &model.accounts()[account].id;
    ctx.set("aws:PrincipalArn", CtxValue::single(role.arn.clone()));
    ctx.set("aws:PrincipalAccount", CtxValue::single(account_id.clone()));
    ctx.set("aws:PrincipalType", CtxValue::single("AssumedRole"));
    ctx.set("aws:PrincipalIsAWSService", CtxValue::single("false"));
    ctx.set_absent("aws:username");
    ctx.set_absent("aws:PrincipalServiceName");
    ctx.set_absent("aws:PrincipalServiceNamesList");
    add_org_keys(&mut ctx, model, account);
    if let Some(ic) = &model.snapshot.identity_center {
        ctx.set(
            "aws:MultiFactorAuthPresent",
            CtxValue::single(ic.mfa_present.to_string()),
        );
    }
    ctx
}

fn role_id(model: &Model, account: usize, role: &ProvisionedRole) -> Option<String> {
    let account_id = &model.accounts()[account].id;
    model
        .snapshot
        .iam
        .iter()
        .find(|a| &a.account_id == account_id)
        .and_then(|a| a.roles.iter().find(|r| r.name == role.name))
        .and_then(|r| r.id.clone())
}

/// A context for one user's sessions of a pair, built once per pair: the
/// user-specific keys are swapped in per user (or per tag class) instead of
/// cloning the whole context
struct UserContext {
    ctx: Context,
    set_keys: Vec<String>,
    role_id: Option<String>,
}

impl UserContext {
    fn new(base: &Context, role_id: Option<String>) -> UserContext {
        let mut ctx = base.clone();
        ctx.absent_prefix("aws:PrincipalTag/");
        UserContext {
            ctx,
            set_keys: Vec::new(),
            role_id,
        }
    }

    fn for_user(&mut self, model: &Model, user: usize) -> &Context {
        for k in self.set_keys.drain(..) {
            self.ctx.remove(&k);
        }
        let u = &model.snapshot.users[user];
        self.ctx
            .set("identitystore:UserId", CtxValue::single(u.id.clone()));
        if let Some(id) = &self.role_id {
            self.ctx.set(
                "aws:userid",
                CtxValue::single(format!("{id}:{}", u.user_name)),
            );
        }
        for (k, v) in &model.principal_tags[user] {
            let key = format!("aws:PrincipalTag/{k}");
            self.ctx.set(&key, CtxValue::single(v.clone()));
            self.set_keys.push(key);
        }
        &self.ctx
    }
}

fn add_user_keys(
    ctx: &mut Context,
    model: &Model,
    user: usize,
    account: usize,
    role: &ProvisionedRole,
) {
    let mut uc = UserContext::new(ctx, role_id(model, account, role));
    uc.for_user(model, user);
    *ctx = uc.ctx;
}

/// Keys of a known resource: its tags (all of them, so a missing tag is
/// absent) and account
fn add_resource_keys(ctx: &mut Context, model: &Model, resource: &str, resource_account: &str) {
    ctx.set(
        "aws:ResourceAccount",
        CtxValue::single(resource_account.to_owned()),
    );
    if let Some(r) = model.snapshot.resources.iter().find(|r| r.arn == resource) {
        ctx.absent_prefix("aws:ResourceTag/");
        for (k, v) in &r.tags {
            ctx.set(&format!("aws:ResourceTag/{k}"), CtxValue::single(v.clone()));
        }
    }
}

fn stmt_label(s: &StmtRef, labels: &[String]) -> String {
    let policy = match s.kind {
        PolicyKind::Identity => labels
            .get(s.policy)
            .cloned()
            .unwrap_or_else(|| format!("identity policy {}", s.policy)),
        PolicyKind::Resource => "resource policy".to_owned(),
        other => format!("{} policy {}", other.code(), s.policy),
    };
    match &s.sid {
        Some(sid) => format!("{policy} #{} ({sid})", s.statement),
        None => format!("{policy} #{}", s.statement),
    }
}

/// The resource's account: the ARN's, the snapshot's record of it, or `default`
fn resource_account_of(model: &Model, resource: &str, default: &str) -> String {
    let from_arn = crate::policy::ResourceName::new(resource)
        .account()
        .map(str::to_owned);
    from_arn
        .or_else(|| {
            model
                .snapshot
                .resources
                .iter()
                .find(|r| r.arn == resource)
                .and_then(|r| r.account_id.clone())
        })
        .unwrap_or_else(|| default.to_owned())
}

fn resource_policy_of(model: &Model, resource: &str) -> Option<Arc<Policy>> {
    let r = model
        .snapshot
        .resources
        .iter()
        .find(|r| r.arn == resource)?;
    let doc = r.policy.as_ref()?;
    Policy::from_json(doc, PolicyKind::Resource, "")
        .ok()
        .map(Arc::new)
}

/// The answer to a who-can question, compact: one [`Hit`] per (user,
/// access path, outcome), with the outcomes (decision, condition, actions,
/// deciding statements) stored once and shared. Materialize rows with
/// [`WhoCanAnswer::row`] when rendering.
#[derive(Debug, Clone, Default)]
pub struct WhoCanAnswer {
    /// Identity Center hits, sorted (user name, account, permission set, path)
    pub hits: Vec<Hit>,
    /// Outcomes referenced by `hits`
    pub outcomes: Vec<OutcomeInfo>,
    /// IAM users and roles, already materialized and sorted
    pub iam: Vec<WhoCanRow>,
}

/// One Identity Center user reaching one account through one path
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// User index
    pub user: u32,
    /// Account index
    pub account: u32,
    /// Permission set index
    pub permission_set: u32,
    /// How
    pub via: Via,
    /// Index into `outcomes`
    pub outcome: u32,
}

/// What a hit can do
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutcomeInfo {
    /// `allow` or `conditional`
    pub decision: &'static str,
    /// The condition of a conditional outcome
    pub condition: Option<String>,
    /// The actions
    pub actions: Vec<String>,
    /// The granting statements
    pub deciding: Vec<String>,
}

impl WhoCanAnswer {
    /// Number of rows
    pub fn len(&self) -> usize {
        self.hits.len() + self.iam.len()
    }

    /// Whether nobody can
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` (Identity Center hits first, then IAM principals)
    pub fn row(&self, model: &Model, i: usize) -> WhoCanRow {
        let Some(h) = self.hits.get(i) else {
            return self.iam[i - self.hits.len()].clone();
        };
        let o = &self.outcomes[h.outcome as usize];
        let account = &model.accounts()[h.account as usize];
        let user = h.user as usize;
        WhoCanRow {
            principal: model.snapshot.users[user].user_name.clone(),
            principal_type: "identity-center-user",
            via: match h.via {
                Via::Direct => "direct".to_owned(),
                Via::Group(g) => format!("group:{}", model.snapshot.groups[g].name),
            },
            permission_set: Some(
                model.snapshot.permission_sets[h.permission_set as usize]
                    .name
                    .clone(),
            ),
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            decision: o.decision,
            condition: o.condition.clone(),
            actions: o.actions.clone(),
            deciding: o.deciding.clone(),
            disabled: !model.user_enabled(user),
        }
    }

    /// Every row, materialized (for small answers and tests)
    pub fn rows(&self, model: &Model) -> Vec<WhoCanRow> {
        (0..self.len()).map(|i| self.row(model, i)).collect()
    }
}

/// Who can do `q.actions`: every Identity Center user (through each
/// assignment path) and IAM principal of the snapshot, with allow or
/// conditional decisions, sorted
///
/// Access depends on the user only through group membership and principal
/// tags, so each (permission set, account, action) is evaluated once with
/// the tags unknown, and the residual is then settled per distinct set of
/// tag values among the users that reach it.
pub fn who_can(model: &Model, q: &WhoCanQuery) -> WhoCanAnswer {
    // Evaluate each (permission set, account) pair once, for all its users.
    let selected: Vec<usize> = (0..model.pairs.len())
        .filter(|&p| {
            q.accounts
                .as_ref()
                .is_none_or(|f| f.contains(&model.pairs[p].1))
        })
        .collect();
    let parts: Vec<PairResult> = selected
        .par_iter()
        .map(|&p| {
            let (ps, acct) = model.pairs[p];
            pair_outcomes(model, q, ps, acct, &model.pair_users[p])
        })
        .collect();
    // Number the outcomes globally, pair by pair.
    const UNSELECTED: u32 = u32::MAX;
    let mut part_of = vec![UNSELECTED; model.pairs.len()];
    let mut offsets = Vec::with_capacity(parts.len());
    let mut outcomes = Vec::with_capacity(parts.iter().map(|r| r.outcomes.len()).sum());
    for (i, (&p, r)) in selected.iter().zip(&parts).enumerate() {
        part_of[p] = i as u32;
        offsets.push(outcomes.len() as u32);
        outcomes.extend(r.outcomes.iter().cloned());
    }
    // Fan out to users in index order (name order in a normalized snapshot);
    // each user's entries are sorted by (account, permission set, via), so
    // the hits come out sorted without a global sort.
    let hits: Vec<Hit> = (0..model.access.len())
        .into_par_iter()
        .with_min_len(256)
        .flat_map_iter(|u| {
            let keep = q.include_disabled || model.user_enabled(u);
            let (list, places): (&[Access], &[(u32, u32)]) = if keep {
                (&model.access[u], &model.access_pair[u])
            } else {
                (&[], &[])
            };
            let (part_of, parts, offsets) = (&part_of, &parts, &offsets);
            list.iter().zip(places).flat_map(move |(a, &(p, k))| {
                let i = part_of[p as usize];
                let ids: &[u32] = if i == UNSELECTED {
                    &[]
                } else {
                    let r = &parts[i as usize];
                    match r.by_position[k as usize] {
                        NONE => &[],
                        g => &r.groups[g as usize],
                    }
                };
                let offset = if i == UNSELECTED {
                    0
                } else {
                    offsets[i as usize]
                };
                ids.iter().map(move |&id| Hit {
                    user: u as u32,
                    account: a.account as u32,
                    permission_set: a.permission_set as u32,
                    via: a.via,
                    outcome: offset + id,
                })
            })
        })
        .collect();
    let mut iam = iam_rows(model, q);
    iam.sort();
    WhoCanAnswer {
        hits,
        outcomes,
        iam,
    }
}

/// No outcome
const NONE: u32 = u32::MAX;

/// What one (permission set, account) pair gives its users
struct PairResult {
    /// Per position in the pair's users: an index into `groups`, or `NONE`
    by_position: Vec<u32>,
    /// Outcome lists (indices into `outcomes`, ascending) shared by users
    /// with equal answers
    groups: Vec<Vec<u32>>,
    /// The pair's distinct outcomes
    outcomes: Vec<OutcomeInfo>,
}

/// (decision, condition) → (actions, deciding statements)
type Grouped = BTreeMap<(&'static str, Option<String>), (Vec<String>, BTreeSet<String>)>;

/// The outcome of one action for one user: decision, condition, deciding
type Outcome = (&'static str, Option<String>, Vec<String>);

fn pair_outcomes(
    model: &Model,
    q: &WhoCanQuery,
    ps: usize,
    acct: usize,
    users: &[(u32, Via)],
) -> PairResult {
    let account = &model.accounts()[acct];
    let role = model.provisioned_role(ps, acct);
    let mut set = model.policy_set(ps, acct);
    let labels = model.identity_labels(ps, acct);
    let res_account = q
        .resource
        .as_deref()
        .map(|r| resource_account_of(model, r, &account.id));
    if let (Some(r), Some(ra)) = (&q.resource, &res_account) {
        set.resource = resource_policy_of(model, r);
        set.rcps = model.find_account(ra).and_then(|i| model.rcps_of(i));
    }
    let mut base = pair_context(model, acct, &role);
    for (k, v) in &q.context {
        base.set(k, v.clone());
    }
    if let (Some(r), Some(ra)) = (&q.resource, &res_account) {
        add_resource_keys(&mut base, model, r, ra);
    }
    // A resource policy may name one user's session: decide per user then.
    let per_user = set.resource.is_some();
    // Per action, per user (index into `users`): an index into `local`, or
    // NONE. Outcomes are stored once per pair, never per user.
    let mut local: Vec<Outcome> = Vec::new();
    let intern_local = |o: Outcome, local: &mut Vec<Outcome>| -> u32 {
        match local.iter().position(|x| *x == o) {
            Some(i) => i as u32,
            None => {
                local.push(o);
                (local.len() - 1) as u32
            }
        }
    };
    let mut per_action: Vec<Vec<u32>> = Vec::with_capacity(q.actions.len());
    for action in &q.actions {
        let request_for = |session: &str| match &q.resource {
            Some(r) => Request::new(session, action, r, res_account.as_deref()),
            None => Request::on_any_resource(session, action, &account.id),
        };
        let mut col: Vec<u32> = vec![NONE; users.len()];
        if per_user {
            for (k, &(u, _)) in users.iter().enumerate() {
                let u = u as usize;
                let mut ctx = base.clone();
                add_user_keys(&mut ctx, model, u, acct, &role);
                let Ok(req) =
                    request_for(&role.session_arn(&account.id, &model.snapshot.users[u].user_name))
                else {
                    continue;
                };
                let e = evaluate(&req, &ctx, &set);
                let deciding: Vec<String> =
                    e.deciding.iter().map(|s| stmt_label(s, &labels)).collect();
                let o = match e.answer {
                    Answer::Decided(Decision::Allow) => Some(("allow", None, deciding)),
                    Answer::Conditional(r) => Some(("conditional", Some(r.to_string()), deciding)),
                    Answer::Decided(_) => None,
                };
                if let Some(o) = o {
                    col[k] = intern_local(o, &mut local);
                }
            }
        } else if let Ok(req) = request_for(&role.session_arn(&account.id, "user")) {
            let e = evaluate(&req, &base, &set);
            let deciding: Vec<String> = e.deciding.iter().map(|s| stmt_label(s, &labels)).collect();
            match &e.answer {
                Answer::Decided(Decision::Allow) => {
                    let id = intern_local(("allow", None, deciding), &mut local);
                    col.iter_mut().for_each(|c| *c = id);
                }
                Answer::Decided(_) => {}
                Answer::Conditional(r)
                    if !r.keys().iter().any(|k| {
                        let k = k.to_ascii_lowercase();
                        k.starts_with("aws:principaltag/")
                            || k == "identitystore:userid"
                            || k == "aws:userid"
                    }) =>
                {
                    // The condition does not depend on who the user is (an SCP
                    // region guard, a resource tag): the same for everyone.
                    let id =
                        intern_local(("conditional", Some(r.to_string()), deciding), &mut local);
                    col.iter_mut().for_each(|c| *c = id);
                }
                Answer::Conditional(r) => {
                    // Settled once per tag class (users with equal ABAC
                    // values), unless the residual names the user itself.
                    let per_identity = r.keys().iter().any(|k| {
                        k.eq_ignore_ascii_case("identitystore:UserId")
                            || k.eq_ignore_ascii_case("aws:userid")
                    });
                    let mut uc = UserContext::new(&base, role_id(model, acct, &role));
                    let mut cache: HashMap<u32, u32> = HashMap::new();
                    for (k, &(u, _)) in users.iter().enumerate() {
                        let u = u as usize;
                        let class = if per_identity {
                            u as u32
                        } else {
                            model.tag_class[u]
                        };
                        col[k] = *cache.entry(class).or_insert_with(|| {
                            let ctx = uc.for_user(model, u);
                            match r.eval(ctx) {
                                Tri::True => {
                                    intern_local(("allow", None, deciding.clone()), &mut local)
                                }
                                Tri::False => NONE,
                                Tri::Residual(rest) => intern_local(
                                    ("conditional", Some(rest.to_string()), deciding.clone()),
                                    &mut local,
                                ),
                            }
                        });
                    }
                }
            }
        }
        per_action.push(col);
    }
    // Group each user's per-action outcomes into rows (one per decision and
    // condition), interned by the combination so equal users share them.
    let mut outcomes: Vec<OutcomeInfo> = Vec::new();
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut by_signature: HashMap<Vec<u32>, u32> = HashMap::new();
    let mut signature: Vec<u32> = Vec::with_capacity(per_action.len());
    let mut by_position = vec![NONE; users.len()];
    for (k, slot) in by_position.iter_mut().enumerate() {
        signature.clear();
        signature.extend(per_action.iter().map(|col| col[k]));
        if signature.iter().all(|&x| x == NONE) {
            continue;
        }
        if let Some(&g) = by_signature.get(&signature) {
            *slot = g;
            continue;
        }
        let mut grouped: Grouped = BTreeMap::new();
        for (action, &o) in q.actions.iter().zip(&signature) {
            if o != NONE {
                let (decision, cond, deciding) = &local[o as usize];
                let e = grouped.entry((*decision, cond.clone())).or_default();
                e.0.push(action.clone());
                e.1.extend(deciding.iter().cloned());
            }
        }
        let mut ids: Vec<u32> = grouped
            .into_iter()
            .map(|((decision, condition), (actions, deciding))| {
                let info = OutcomeInfo {
                    decision,
                    condition,
                    actions,
                    deciding: deciding.into_iter().collect(),
                };
                match outcomes.iter().position(|x| *x == info) {
                    Some(i) => i as u32,
                    None => {
                        outcomes.push(info);
                        (outcomes.len() - 1) as u32
                    }
                }
            })
            .collect();
        ids.sort_unstable();
        groups.push(ids);
        let g = (groups.len() - 1) as u32;
        by_signature.insert(signature.clone(), g);
        *slot = g;
    }
    PairResult {
        by_position,
        groups,
        outcomes,
    }
}

/// Compiles inline policies with a label each (validated when the model was
/// built, so none fails here)
fn inline_docs(prefix: &str, list: &[crate::snapshot::InlinePolicy]) -> Vec<(String, Arc<Policy>)> {
    list.iter()
        .filter_map(|ip| {
            let p = Policy::from_json(&ip.document, PolicyKind::Identity, "").ok()?;
            Some((format!("{prefix}inline {}", ip.name), Arc::new(p)))
        })
        .collect()
}

/// An IAM user or role of the snapshot's IAM data, with its policies
#[derive(Debug, Clone)]
pub struct IamSubject {
    /// `iam-user` or `iam-role`
    pub kind: &'static str,
    /// The user's or role's ARN
    pub arn: String,
    /// Account index
    pub account: usize,
    /// Names of the identity policies, parallel to `set.identity`
    pub labels: Vec<String>,
    /// Identity policies, boundary and SCPs (no resource side yet)
    pub set: PolicySet,
    /// The principal's tags (`aws:PrincipalTag/<key>`)
    pub tags: BTreeMap<String, String>,
}

impl IamSubject {
    /// The ARN requests are made as: the user itself, or a session of the
    /// role (`arn:aws:sts::A:assumed-role/<name>/accessgraph`)
    pub fn caller_arn(&self, model: &Model) -> String {
        if self.kind == "iam-role" {
            let name = self.arn.rsplit('/').next().unwrap_or(&self.arn);
            format!(
                "arn:aws:sts::{}:assumed-role/{name}/accessgraph",
                model.accounts()[self.account].id
            )
        } else {
            self.arn.clone()
        }
    }

    /// Every key that follows from the principal; the rest unknown
    pub fn context(&self, model: &Model) -> Context {
        let account = &model.accounts()[self.account];
        let mut ctx = Context::open();
        ctx.set("aws:PrincipalArn", CtxValue::single(self.arn.clone()));
        ctx.set("aws:PrincipalAccount", CtxValue::single(account.id.clone()));
        ctx.set(
            "aws:PrincipalType",
            CtxValue::single(if self.kind == "iam-user" {
                "User"
            } else {
                "AssumedRole"
            }),
        );
        ctx.set("aws:PrincipalIsAWSService", CtxValue::single("false"));
        add_org_keys(&mut ctx, model, self.account);
        // The snapshot holds all of the principal's tags: others are absent.
        ctx.absent_prefix("aws:PrincipalTag/");
        for (k, v) in &self.tags {
            ctx.set(
                &format!("aws:PrincipalTag/{k}"),
                CtxValue::single(v.clone()),
            );
        }
        ctx
    }
}

/// IAM users and roles of the snapshot's IAM data in `accounts` (all when
/// `None`), not the Identity Center roles, which are answered through their
/// users
pub fn iam_subjects(model: &Model, accounts: Option<&BTreeSet<usize>>) -> Vec<IamSubject> {
    let bundled = crate::data::managed_policies();
    let mut out = Vec::new();
    for iam in &model.snapshot.iam {
        let Some(acct) = model.find_account(&iam.account_id) else {
            continue;
        };
        if accounts.is_some_and(|f| !f.contains(&acct)) {
            continue;
        }
        let managed = |arn: &str| -> Option<(String, Arc<Policy>)> {
            let doc = iam
                .policies
                .iter()
                .find(|p| p.arn == arn)
                .map(|p| &p.document)
                .or_else(|| bundled.policies.get(arn).map(|p| &p.document))?;
            let p = Policy::from_json(doc, PolicyKind::Identity, "").ok()?;
            Some((
                format!("managed {}", arn.rsplit('/').next().unwrap_or(arn)),
                Arc::new(p),
            ))
        };
        let mut push = |kind: &'static str,
                        arn: &str,
                        docs: Vec<(String, Arc<Policy>)>,
                        boundary: Option<&String>,
                        tags: &BTreeMap<String, String>| {
            out.push(IamSubject {
                kind,
                arn: arn.to_owned(),
                account: acct,
                labels: docs.iter().map(|(l, _)| l.clone()).collect(),
                set: PolicySet {
                    identity: docs.into_iter().map(|(_, p)| p).collect(),
                    boundary: boundary.and_then(|b| managed(b)).map(|(_, p)| p),
                    scps: model.policy_set_scps(acct),
                    ..PolicySet::default()
                },
                tags: tags.clone(),
            });
        };
        for u in &iam.users {
            let mut docs = inline_docs("", &u.inline_policies);
            docs.extend(u.managed_policies.iter().filter_map(|a| managed(a)));
            for gname in &u.groups {
                if let Some(g) = iam.groups.iter().find(|g| &g.name == gname) {
                    docs.extend(inline_docs(
                        &format!("group {} ", g.name),
                        &g.inline_policies,
                    ));
                    docs.extend(g.managed_policies.iter().filter_map(|a| managed(a)));
                }
            }
            push(
                "iam-user",
                &u.arn,
                docs,
                u.permissions_boundary.as_ref(),
                &u.tags,
            );
        }
        for r in &iam.roles {
            if r.name.starts_with("AWSReservedSSO_") {
                continue;
            }
            let mut docs = inline_docs("", &r.inline_policies);
            docs.extend(r.managed_policies.iter().filter_map(|a| managed(a)));
            push(
                "iam-role",
                &r.arn,
                docs,
                r.permissions_boundary.as_ref(),
                &r.tags,
            );
        }
    }
    out
}

/// Adds the resource side of a request to `set` and `ctx`: the resource's
/// policy, its account's RCPs and its tags; returns the resource account
fn add_resource_side(
    model: &Model,
    resource: &str,
    caller_account: &str,
    set: &mut PolicySet,
    ctx: &mut Context,
) -> String {
    let ra = resource_account_of(model, resource, caller_account);
    set.resource = resource_policy_of(model, resource);
    set.rcps = model.find_account(&ra).and_then(|i| model.rcps_of(i));
    add_resource_keys(ctx, model, resource, &ra);
    ra
}

/// IAM users and roles of the snapshot's IAM data (not the Identity Center
/// roles, which are answered through their users)
fn iam_rows(model: &Model, q: &WhoCanQuery) -> Vec<WhoCanRow> {
    let mut rows = Vec::new();
    for subject in iam_subjects(model, q.accounts.as_ref()) {
        let account = &model.accounts()[subject.account];
        let mut ctx = subject.context(model);
        for (k, v) in &q.context {
            ctx.set(k, v.clone());
        }
        let mut set = subject.set.clone();
        let res_account = q
            .resource
            .as_deref()
            .map(|r| add_resource_side(model, r, &account.id, &mut set, &mut ctx));
        let caller = subject.caller_arn(model);
        let mut grouped: Grouped = BTreeMap::new();
        for action in &q.actions {
            let req = match &q.resource {
                Some(r) => Request::new(&caller, action, r, res_account.as_deref()),
                None => Request::on_any_resource(&caller, action, &account.id),
            };
            let Ok(req) = req else { continue };
            let e = evaluate(&req, &ctx, &set);
            let (decision, cond) = match &e.answer {
                Answer::Decided(Decision::Allow) => ("allow", None),
                Answer::Conditional(r) => ("conditional", Some(r.to_string())),
                Answer::Decided(_) => continue,
            };
            let entry = grouped.entry((decision, cond)).or_default();
            entry.0.push(action.clone());
            entry
                .1
                .extend(e.deciding.iter().map(|s| stmt_label(s, &subject.labels)));
        }
        for ((decision, condition), (actions, deciding)) in grouped {
            rows.push(WhoCanRow {
                principal: subject.arn.clone(),
                principal_type: subject.kind,
                via: "iam".to_owned(),
                permission_set: None,
                account_id: account.id.clone(),
                account_name: account.name.clone(),
                decision,
                condition,
                actions,
                deciding: deciding.into_iter().collect(),
                disabled: false,
            });
        }
    }
    rows
}

/// Whose access `what_can` summarizes
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A user (principal tags known)
    User(usize),
    /// A group (members' principal tags unknown: ABAC grants are conditional)
    Group(usize),
}

/// A what-can question
#[derive(Debug, Clone)]
pub struct WhatCanQuery {
    /// Whose access
    pub subject: Subject,
    /// Only these accounts
    pub accounts: Option<BTreeSet<usize>>,
    /// Only this service prefix
    pub service: Option<String>,
    /// Only this access level
    pub access_level: Option<crate::data::AccessLevel>,
    /// Context keys the question fixes
    pub context: Vec<(String, CtxValue)>,
}

/// One (account, permission set, service, access level) summary
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WhatCanRow {
    /// Account id
    pub account_id: String,
    /// Account name
    pub account_name: String,
    /// Permission set
    pub permission_set: String,
    /// `direct` or `group:<name>` (all paths, joined)
    pub via: String,
    /// Service prefix
    pub service: String,
    /// `list`, `read`, `write`, `permissions`, `tagging`
    pub access_level: &'static str,
    /// Actions allowed outright
    pub allowed: usize,
    /// Actions allowed under a condition
    pub conditional: usize,
    /// Actions of that service and level in the catalog
    pub total: usize,
    /// The distinct conditions (at most three shown)
    pub conditions: Vec<String>,
    /// The permission set can grant itself anything in this account
    pub admin_equivalent: bool,
}

/// (service, access level) → (allowed, conditional, total, conditions)
type Summary = BTreeMap<(String, &'static str), (usize, usize, usize, BTreeSet<String>)>;

/// Actions that let a principal give itself any permission: allowed
/// outright on any resource, they make a permission set admin-equivalent
pub const ESCALATION_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:PassRole",
];

/// Pairs sharing one policy set: (permission set, account, paths)
type Members = Vec<(usize, usize, Vec<String>)>;

/// Per (service, access level): allowed, conditional, total, distinct residuals
type RawSummary<'a> =
    BTreeMap<(&'a str, &'static str), (usize, usize, usize, Vec<&'a crate::eval::tri::Residual>)>;

/// Keys that differ between the accounts a permission set is assigned in
pub(crate) const ACCOUNT_KEYS: &[&str] = &[
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgPaths",
    "aws:userid",
];

fn ptr_of(p: &Arc<Policy>) -> usize {
    Arc::as_ptr(p) as usize
}

/// A policy set's identity: equal signatures mean equal policies
pub(crate) fn signature(ps: usize, set: &PolicySet) -> Vec<usize> {
    let mut sig = vec![ps];
    sig.extend(set.identity.iter().map(ptr_of));
    sig.push(usize::MAX);
    sig.extend(set.boundary.iter().map(ptr_of));
    sig.push(usize::MAX);
    for level in set.scps.iter().flatten() {
        sig.extend(level.iter().map(ptr_of));
        sig.push(usize::MAX - 1);
    }
    sig
}

/// What a user or group can do, per account and permission set, summarized
/// by service and access level from the action catalog
///
/// The accounts a permission set reaches mostly share the same policies (the
/// same SCP path): each distinct policy set is evaluated once over the
/// catalog with the account-specific keys unknown, and only answers that
/// depend on those keys are settled per account.
pub fn what_can(model: &Model, q: &WhatCanQuery) -> Vec<WhatCanRow> {
    let cat = profile::CatalogActions::new(q.service.as_deref(), q.access_level);
    let actions = &cat.actions;
    // (permission set, account) -> paths
    let mut pairs: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    let mut add = |ps: usize, acct: usize, via: String| {
        if q.accounts.as_ref().is_none_or(|f| f.contains(&acct)) {
            pairs.entry((ps, acct)).or_default().push(via);
        }
    };
    match q.subject {
        Subject::User(u) => {
            for a in &model.access[u] {
                let via = match a.via {
                    Via::Direct => "direct".to_owned(),
                    Via::Group(g) => format!("group:{}", model.snapshot.groups[g].name),
                };
                add(a.permission_set, a.account, via);
            }
        }
        Subject::Group(g) => {
            let gid = &model.snapshot.groups[g].id;
            for a in &model.snapshot.assignments {
                if a.principal_type == crate::snapshot::PrincipalType::Group
                    && &a.principal_id == gid
                {
                    if let (Some(ps), Some(acct)) = (
                        model.find_permission_set(&a.permission_set_arn),
                        model.find_account(&a.account_id),
                    ) {
                        add(ps, acct, format!("group:{}", model.snapshot.groups[g].name));
                    }
                }
            }
        }
    }
    // Group the pairs by the policies that bear on them.
    let mut groups: BTreeMap<Vec<usize>, (PolicySet, Members)> = BTreeMap::new();
    for ((ps, acct), mut vias) in pairs {
        vias.sort();
        vias.dedup();
        let set = model.policy_set(ps, acct);
        groups
            .entry(signature(ps, &set))
            .or_insert_with(|| (set, Vec::new()))
            .1
            .push((ps, acct, vias));
    }
    let groups: Vec<(PolicySet, Members)> = groups.into_values().collect();
    let context_for = |acct: usize, role: &ProvisionedRole| {
        let mut ctx = match q.subject {
            Subject::User(u) => principal_context(model, u, acct, role),
            Subject::Group(_) => pair_context(model, acct, role),
        };
        for (k, v) in &q.context {
            ctx.set(k, v.clone());
        }
        ctx
    };
    let mut rows: Vec<WhatCanRow> = groups
        .par_iter()
        .flat_map_iter(|(set, members)| {
            let (ps0, acct0, _) = &members[0];
            let role0 = model.provisioned_role(*ps0, *acct0);
            let mut shared = context_for(*acct0, &role0);
            for k in ACCOUNT_KEYS {
                shared.set_unknown(k);
            }
            let session = role0.session_arn(&model.accounts()[*acct0].id, "user");
            let account0 = model.accounts()[*acct0].id.clone();
            let answers = profile::decide_all(set, &shared, &session, &account0, &cat.names);
            let escalation =
                profile::decide_all(set, &shared, &session, &account0, &cat.escalation);
            let depends_on_account = |a: &Answer| match a {
                Answer::Conditional(r) => r
                    .keys()
                    .iter()
                    .any(|k| ACCOUNT_KEYS.iter().any(|x| x.eq_ignore_ascii_case(k))),
                Answer::Decided(_) => false,
            };
            let settle = |a: &Option<Answer>, ctx: &Context| -> Option<Answer> {
                match a {
                    Some(ans) if depends_on_account(ans) => match ans {
                        Answer::Conditional(r) => match r.eval(ctx) {
                            Tri::True => Some(Answer::Decided(Decision::Allow)),
                            Tri::False => None,
                            Tri::Residual(rest) => Some(Answer::Conditional(rest)),
                        },
                        Answer::Decided(_) => a.clone(),
                    },
                    other => other.clone(),
                }
            };
            let any_account_specific = answers
                .iter()
                .chain(&escalation)
                .flatten()
                .any(depends_on_account);
            let summarize = |answers: &[Option<Answer>], escalation: &[Option<Answer>]| {
                let admin = escalation
                    .iter()
                    .all(|a| matches!(a, Some(Answer::Decided(Decision::Allow))));
                // Distinct conditions are kept as residuals (at most three per
                // row) and formatted once at the end, not once per action.
                let mut raw: RawSummary<'_> = BTreeMap::new();
                for ((action, level), ans) in actions.iter().zip(answers) {
                    let svc = action.split(':').next().unwrap_or_default();
                    let e = raw.entry((svc, level)).or_default();
                    e.2 += 1;
                    match ans {
                        Some(Answer::Decided(Decision::Allow)) => e.0 += 1,
                        Some(Answer::Conditional(r)) => {
                            e.1 += 1;
                            if e.3.len() < 3 && !e.3.contains(&r) {
                                e.3.push(r);
                            }
                        }
                        _ => {}
                    }
                }
                let by: Summary = raw
                    .into_iter()
                    .map(|((svc, level), (a, c, t, rs))| {
                        (
                            (svc.to_owned(), level),
                            (a, c, t, rs.iter().map(ToString::to_string).collect()),
                        )
                    })
                    .collect();
                (by, admin)
            };
            let shared_summary = (!any_account_specific).then(|| summarize(&answers, &escalation));

            let mut out = Vec::new();
            for (ps, acct, vias) in members {
                let account = &model.accounts()[*acct];
                let own;
                let (by, admin) = match &shared_summary {
                    Some(s) => s,
                    None => {
                        let role = model.provisioned_role(*ps, *acct);
                        let ctx = context_for(*acct, &role);
                        let a: Vec<Option<Answer>> =
                            answers.iter().map(|x| settle(x, &ctx)).collect();
                        let e: Vec<Option<Answer>> =
                            escalation.iter().map(|x| settle(x, &ctx)).collect();
                        own = summarize(&a, &e);
                        &own
                    }
                };
                let ps_name = &model.snapshot.permission_sets[*ps].name;
                for ((service, level), (allowed, conditional, total, conds)) in by {
                    if allowed + conditional == 0 {
                        continue;
                    }
                    out.push(WhatCanRow {
                        account_id: account.id.clone(),
                        account_name: account.name.clone(),
                        permission_set: ps_name.clone(),
                        via: vias.join(", "),
                        service: service.clone(),
                        access_level: level,
                        allowed: *allowed,
                        conditional: *conditional,
                        total: *total,
                        conditions: conds.iter().take(3).cloned().collect(),
                        admin_equivalent: *admin,
                    });
                }
            }
            out
        })
        .collect();
    rows.sort();
    rows
}

/// One assignment path decided by [`simulate_user`]
#[derive(Debug, Clone)]
pub struct PathDecision {
    /// `direct` or `group:<name>`; `iam-user` or `iam-role` for IAM principals
    pub via: String,
    /// Permission set name (empty for IAM principals)
    pub permission_set: String,
    /// The session ARN the request is made as
    pub session_arn: String,
    /// The principal tags substituted (the user's ABAC attributes)
    pub principal_tags: BTreeMap<String, String>,
    /// The evaluation
    pub evaluation: crate::eval::Evaluation,
    /// Names of the identity policies, by index
    pub labels: Vec<String>,
    /// Explanation lines
    pub explanation: Vec<crate::eval::explain::Line>,
}

/// Decides one request for `user` in `account` through every assignment
/// path that reaches it (`accessgraph simulate --user`)
pub fn simulate_user(
    model: &Model,
    user: usize,
    account: usize,
    action: &str,
    resource: Option<&str>,
    context: &[(String, CtxValue)],
) -> Vec<PathDecision> {
    let acct = &model.accounts()[account];
    let mut out = Vec::new();
    for a in model.access[user].iter().filter(|a| a.account == account) {
        let role = model.provisioned_role(a.permission_set, account);
        let mut set = model.policy_set(a.permission_set, account);
        let mut ctx = principal_context(model, user, account, &role);
        for (k, v) in context {
            ctx.set(k, v.clone());
        }
        let session = role.session_arn(&acct.id, &model.snapshot.users[user].user_name);
        let req = match resource {
            Some(r) => {
                let ra = add_resource_side(model, r, &acct.id, &mut set, &mut ctx);
                Request::new(&session, action, r, Some(&ra))
            }
            None => Request::on_any_resource(&session, action, &acct.id),
        };
        let Ok(req) = req else { continue };
        let evaluation = evaluate(&req, &ctx, &set);
        let explanation = crate::eval::explain::explain(&req, &ctx, &set, &evaluation);
        out.push(PathDecision {
            via: match a.via {
                Via::Direct => "direct".to_owned(),
                Via::Group(g) => format!("group:{}", model.snapshot.groups[g].name),
            },
            permission_set: model.snapshot.permission_sets[a.permission_set]
                .name
                .clone(),
            session_arn: session,
            principal_tags: model.principal_tags[user].clone(),
            evaluation,
            labels: model.identity_labels(a.permission_set, account),
            explanation,
        });
    }
    out
}

/// Decides one request for an IAM user or role of the snapshot
/// (`accessgraph simulate --role ARN`); `None` when the snapshot's IAM data
/// has no principal with that ARN (or the action is not `service:Action`)
pub fn simulate_iam(
    model: &Model,
    arn: &str,
    action: &str,
    resource: Option<&str>,
    context: &[(String, CtxValue)],
) -> Option<PathDecision> {
    let subject = iam_subjects(model, None)
        .into_iter()
        .find(|s| s.arn.eq_ignore_ascii_case(arn))?;
    let account_id = model.accounts()[subject.account].id.clone();
    let mut ctx = subject.context(model);
    for (k, v) in context {
        ctx.set(k, v.clone());
    }
    let mut set = subject.set.clone();
    let caller = subject.caller_arn(model);
    let req = match resource {
        Some(r) => {
            let ra = add_resource_side(model, r, &account_id, &mut set, &mut ctx);
            Request::new(&caller, action, r, Some(&ra))
        }
        None => Request::on_any_resource(&caller, action, &account_id),
    }
    .ok()?;
    let evaluation = evaluate(&req, &ctx, &set);
    let explanation = crate::eval::explain::explain(&req, &ctx, &set, &evaluation);
    Some(PathDecision {
        via: subject.kind.to_owned(),
        permission_set: String::new(),
        session_arn: caller,
        principal_tags: subject.tags,
        evaluation,
        labels: subject.labels,
        explanation,
    })
}

/// A statement reference in words, with the identity policy's name
pub fn describe_stmt(s: &StmtRef, labels: &[String]) -> String {
    stmt_label(s, labels)
}

impl WhoCanAnswer {
    /// Writes the answer as CSV without materializing rows: names and
    /// joined fields are prepared once per group, account, permission set and
    /// outcome, and borrowed for every hit
    ///
    /// # Errors
    /// Any write error.
    pub fn write_csv<W: std::io::Write>(&self, model: &Model, w: W) -> Result<(), csv::Error> {
        let mut c = csv::Writer::from_writer(w);
        c.write_record(WHO_CAN_HEADER)?;
        let groups: Vec<String> = model
            .snapshot
            .groups
            .iter()
            .map(|g| format!("group:{}", g.name))
            .collect();
        let outcomes: Vec<(String, String)> = self
            .outcomes
            .iter()
            .map(|o| (o.actions.join(" "), o.deciding.join("; ")))
            .collect();
        for h in &self.hits {
            let o = &self.outcomes[h.outcome as usize];
            let (actions, deciding) = &outcomes[h.outcome as usize];
            let account = &model.accounts()[h.account as usize];
            let via = match h.via {
                Via::Direct => "direct",
                Via::Group(g) => groups[g].as_str(),
            };
            c.write_record([
                model.snapshot.users[h.user as usize].user_name.as_str(),
                "identity-center-user",
                via,
                model.snapshot.permission_sets[h.permission_set as usize]
                    .name
                    .as_str(),
                account.id.as_str(),
                account.name.as_str(),
                o.decision,
                o.condition.as_deref().unwrap_or_default(),
                actions,
                deciding,
            ])?;
        }
        for r in &self.iam {
            c.write_record([
                r.principal.as_str(),
                r.principal_type,
                &r.via,
                r.permission_set.as_deref().unwrap_or_default(),
                &r.account_id,
                &r.account_name,
                r.decision,
                r.condition.as_deref().unwrap_or_default(),
                &r.actions.join(" "),
                &r.deciding.join("; "),
            ])?;
        }
        c.flush()?;
        Ok(())
    }
}
