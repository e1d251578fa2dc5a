//! This module holds what is known about an Identity Center principal before
//! any request is made: the condition keys that follow from the user, the
//! permission set's role and the account (`design.md`, Evaluation). Keys
//! that depend on the individual request stay unknown. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use crate::eval::context::{Context, CtxValue};
use crate::eval::tri::Residual;
use crate::graph::{IamKind, IamPrincipal, Model, ProvisionedRole, ResolvedResource};

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
pub mod chain;
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
    /// Follow `sts:AssumeRole` chains up to this many hops (0: no chains)
    pub max_hops: usize,
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
    /// For access through a role chain: the sign-in (Identity Center) and
    /// every `sts:AssumeRole` hop, with what decided each
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<PathStep>,
    /// What the answer says about the resource (owner unknown, ABAC status
    /// unknown, not in the snapshot)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One step of a chained row's path
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PathStep {
    /// `sign-in` (Identity Center, with `permission_set`), `start` (an IAM
    /// principal of the snapshot) or `assume-role`
    pub step: &'static str,
    /// The role (or IAM principal) ARN the step ends in
    pub principal: String,
    /// Its account id
    pub account_id: String,
    /// Its account name
    pub account_name: String,
    /// The permission set of a sign-in
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_set: Option<String>,
    /// The condition an `assume-role` is allowed under
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The statements that allowed the step (trust policy, caller's policies)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deciding: Vec<String>,
}

/// `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` (root and OUs above
/// the account, not the account) of a principal in `account`
pub(crate) fn add_org_keys(ctx: &mut Context, model: &Model, account: usize) {
    if let Some(org) = &model.snapshot.organization {
        ctx.set("aws:PrincipalOrgID", CtxValue::single(org.id.clone()));
        ctx.set(
            "aws:PrincipalOrgPaths",
            CtxValue::multi([model.org_path(account)]),
        );
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

pub(crate) fn stmt_label(s: &StmtRef, labels: &[String]) -> String {
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

/// The answer to a who-can question, compact: one [`Hit`] per (user,
/// access path, outcome), with the outcomes (decision, condition, actions,
/// deciding statements) stored once and shared. Materialize rows with
/// [`WhoCanAnswer::row`] when rendering.
#[derive(Debug, Clone, Default)]
pub struct WhoCanAnswer {
    /// Identity Center hits, sorted (user name, then each user's direct
    /// paths by account, permission set, path, then the chained ones)
    pub hits: Vec<Hit>,
    /// Outcomes referenced by `hits`
    pub outcomes: Vec<OutcomeInfo>,
    /// Role chains referenced by chained `hits`
    pub chains: Vec<ChainInfo>,
    /// IAM users and roles, already materialized and sorted
    pub iam: Vec<WhoCanRow>,
    /// What every row must say about the resource (see [`ResolvedResource::notes`])
    pub notes: Vec<String>,
}

/// No chain: a hit through the assignment itself
pub const NO_CHAIN: u32 = u32::MAX;

/// One Identity Center user reaching one account through one path
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// User index
    pub user: u32,
    /// Account index: where the request is made (the last role's account
    /// for a chain)
    pub account: u32,
    /// Permission set index
    pub permission_set: u32,
    /// How
    pub via: Via,
    /// Index into `outcomes`
    pub outcome: u32,
    /// Index into `chains`, or [`NO_CHAIN`]
    pub chain: u32,
}

/// A role chain as rows show it
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainInfo {
    /// Appended to the row's `via`: ` → <permission set>@<account> → role/…@…`
    pub via_suffix: String,
    /// The steps, sign-in first
    pub path: Vec<PathStep>,
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
        let mut via = match h.via {
            Via::Direct => "direct".to_owned(),
            Via::Group(g) => format!("group:{}", model.snapshot.groups[g].name),
        };
        let chain = self.chains.get(h.chain as usize);
        if let Some(c) = chain {
            via.push_str(&c.via_suffix);
        }
        WhoCanRow {
            principal: model.snapshot.users[user].user_name.clone(),
            principal_type: "identity-center-user",
            via,
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
            path: chain.map(|c| c.path.clone()).unwrap_or_default(),
            notes: self.notes.clone(),
        }
    }

    /// Every row, materialized (for small answers and tests)
    pub fn rows(&self, model: &Model) -> Vec<WhoCanRow> {
        (0..self.len()).map(|i| self.row(model, i)).collect()
    }
}

/// Who can do `q.actions`: every Identity Center user (through each
/// assignment path, and through each role chain it opens) and IAM principal
/// of the snapshot, with allow or conditional decisions, sorted
///
/// Access depends on the user only through group membership and principal
/// tags, so each (permission set, account, action) is evaluated once with
/// the tags unknown, and the residual is then settled per distinct set of
/// tag values among the users that reach it. Chains are decided once per
/// (pair, role) hop and once per last role, then fanned out the same way.
pub fn who_can(model: &Model, q: &WhoCanQuery) -> WhoCanAnswer {
    let resolved = q.resource.as_deref().map(|r| model.resolve_resource(r));
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
            pair_outcomes(model, q, resolved.as_ref(), ps, acct, &model.pair_users[p])
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
    let chained =
        (q.max_hops > 0).then(|| chain::Chained::build(model, q, resolved.as_ref(), &mut outcomes));
    // Fan out to users in index order (name order in a normalized snapshot);
    // each user's entries are sorted by (account, permission set, via), so
    // the hits come out sorted without a global sort. A user's chained hits
    // follow their direct ones, sorted the same way.
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
            let direct = list.iter().zip(places).flat_map(move |(a, &(p, k))| {
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
                    chain: NO_CHAIN,
                })
            });
            let mut through_chains: Vec<Hit> = Vec::new();
            if let Some(c) = &chained {
                for (a, &(p, k)) in list.iter().zip(places) {
                    c.hits_of(p as usize, k as usize, |account, chain, outcome| {
                        through_chains.push(Hit {
                            user: u as u32,
                            account,
                            permission_set: a.permission_set as u32,
                            via: a.via,
                            outcome,
                            chain,
                        });
                    });
                }
                through_chains.sort_unstable_by_key(|h| {
                    (h.account, h.permission_set, h.via, h.chain, h.outcome)
                });
            }
            direct.chain(through_chains)
        })
        .collect();
    let notes = resolved
        .as_ref()
        .map(|r| r.notes.clone())
        .unwrap_or_default();
    let mut iam = iam_rows(
        model,
        q,
        resolved.as_ref(),
        chained.as_ref().map(|c| &c.graph),
        &notes,
    );
    iam.sort();
    WhoCanAnswer {
        hits,
        outcomes,
        chains: chained.map(|c| c.chains).unwrap_or_default(),
        iam,
        notes,
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

/// Whether a residual depends on who the Identity Center user is: `None`
/// when not (the same for every user of a pair), `Some(true)` when it names
/// the user itself (`identitystore:UserId`, `aws:userid`), `Some(false)`
/// when only through principal tags
pub(crate) fn user_keys(r: &Residual) -> Option<bool> {
    let keys = r.keys();
    let identity = keys.iter().any(|k| {
        k.eq_ignore_ascii_case("identitystore:UserId") || k.eq_ignore_ascii_case("aws:userid")
    });
    let tags = keys
        .iter()
        .any(|k| k.to_ascii_lowercase().starts_with("aws:principaltag/"));
    (identity || tags).then_some(identity)
}

/// Settles a residual that depends on the user for each of a pair's users
/// (position in `users`): once per tag class (users with equal ABAC
/// values), or once per user when the residual names the user itself;
/// `decide` turns each settled answer into the position's value
pub(crate) fn settle_per_user<T: Copy>(
    model: &Model,
    base: &Context,
    acct: usize,
    role: &ProvisionedRole,
    users: &[(u32, Via)],
    r: &Residual,
    mut decide: impl FnMut(Tri) -> T,
) -> Vec<T> {
    let per_identity = user_keys(r).unwrap_or(false);
    let mut uc = UserContext::new(base, role_id(model, acct, role));
    let mut cache: HashMap<u32, T> = HashMap::new();
    users
        .iter()
        .map(|&(u, _)| {
            let u = u as usize;
            let class = if per_identity {
                u as u32
            } else {
                model.tag_class[u]
            };
            *cache
                .entry(class)
                .or_insert_with(|| decide(r.eval(uc.for_user(model, u))))
        })
        .collect()
}

/// Whether a resource policy names sessions of `role_name` one by one
/// (`arn:aws:sts::A:assumed-role/<role>/<session>`): its `Principal` then
/// depends on the user's session name and is matched per user
fn names_sessions_of(policy: &Policy, role_name: &str) -> bool {
    policy.statements.iter().any(|s| {
        s.principal.as_ref().is_some_and(|p| {
            p.entries.iter().any(
                |e| matches!(e, crate::policy::PrincipalEntry::Session { role, .. } if role == role_name),
            )
        })
    })
}

fn pair_outcomes(
    model: &Model,
    q: &WhoCanQuery,
    resolved: Option<&ResolvedResource>,
    ps: usize,
    acct: usize,
    users: &[(u32, Via)],
) -> PairResult {
    let account = &model.accounts()[acct];
    let role = model.provisioned_role(ps, acct);
    let mut set = model.policy_set(ps, acct);
    let labels = model.identity_labels(ps, acct);
    let mut base = pair_context(model, acct, &role);
    if let Some(r) = resolved {
        model.apply_resource(r, &mut set, &mut base);
    }
    for (k, v) in &q.context {
        base.set(k, v.clone());
    }
    let res_account = resolved.and_then(|r| r.owner.account());
    let per_user = set
        .resource
        .as_deref()
        .is_some_and(|p| names_sessions_of(p, &role.name));
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
            Some(r) => Request::new(session, action, r, res_account),
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
                Answer::Conditional(r) if user_keys(r).is_none() => {
                    // The condition does not depend on who the user is (an SCP
                    // region guard, a resource tag): the same for everyone.
                    let id =
                        intern_local(("conditional", Some(r.to_string()), deciding), &mut local);
                    col.iter_mut().for_each(|c| *c = id);
                }
                Answer::Conditional(r) => {
                    col = settle_per_user(model, &base, acct, &role, users, r, |t| match t {
                        Tri::True => intern_local(("allow", None, deciding.clone()), &mut local),
                        Tri::False => NONE,
                        Tri::Residual(rest) => intern_local(
                            ("conditional", Some(rest.to_string()), deciding.clone()),
                            &mut local,
                        ),
                    });
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

/// Every key that follows from an IAM user or role of the snapshot (its
/// tags known in full); the rest unknown
pub fn iam_context(model: &Model, principal: usize) -> Context {
    let p = &model.iam_principals()[principal];
    let account = &model.accounts()[p.account];
    let mut ctx = Context::open();
    ctx.set("aws:PrincipalArn", CtxValue::single(p.arn.clone()));
    ctx.set("aws:PrincipalAccount", CtxValue::single(account.id.clone()));
    ctx.set(
        "aws:PrincipalType",
        CtxValue::single(match p.kind {
            IamKind::User => "User",
            IamKind::Role => "AssumedRole",
        }),
    );
    ctx.set("aws:PrincipalIsAWSService", CtxValue::single("false"));
    add_org_keys(&mut ctx, model, p.account);
    // Whoever assumes a role whose trust policy allows sts:TagSession may
    // pass session tags (overriding the role's own): its principal tags are
    // then the caller's choice, unknown here.
    if p.trust
        .as_deref()
        .is_some_and(|t| chain::trust_allows(t, "sts:TagSession"))
    {
        return ctx;
    }
    // The snapshot holds all of the principal's tags: others are absent.
    ctx.absent_prefix("aws:PrincipalTag/");
    for (k, v) in &p.tags {
        ctx.set(
            &format!("aws:PrincipalTag/{k}"),
            CtxValue::single(v.clone()),
        );
    }
    ctx
}

/// IAM users and roles of the snapshot's IAM data in `accounts` (all when
/// `None`), not the Identity Center roles, which are answered through their
/// users; indices into [`Model::iam_principals`]
pub fn iam_subjects(model: &Model, accounts: Option<&BTreeSet<usize>>) -> Vec<usize> {
    model
        .iam_principals()
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.identity_center && accounts.is_none_or(|f| f.contains(&p.account)))
        .map(|(i, _)| i)
        .collect()
}

/// The session name IAM role sessions are shown with
const IAM_SESSION: &str = "accessgraph";

/// IAM users and roles of the snapshot's IAM data (not the Identity Center
/// roles, which are answered through their users), directly and through
/// the role chains they open
fn iam_rows(
    model: &Model,
    q: &WhoCanQuery,
    resolved: Option<&ResolvedResource>,
    graph: Option<&chain::RoleGraph>,
    notes: &[String],
) -> Vec<WhoCanRow> {
    let iam = model.iam_principals();
    let subjects = iam_subjects(model, None);
    let row = |p: &IamPrincipal,
               last: usize,
               via: String,
               g: &chain::ActionGroup,
               cond: Option<Residual>,
               path: Vec<PathStep>| {
        let account = &model.accounts()[last];
        WhoCanRow {
            principal: p.arn.clone(),
            principal_type: p.kind.as_str(),
            via,
            permission_set: None,
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            decision: if cond.is_some() {
                "conditional"
            } else {
                "allow"
            },
            condition: cond.map(|r| r.to_string()),
            actions: g.actions.clone(),
            deciding: g.deciding.clone(),
            disabled: false,
            path,
            notes: notes.to_vec(),
        }
    };
    let in_scope = |acct: usize| q.accounts.as_ref().is_none_or(|f| f.contains(&acct));
    // Chains first: which last roles they need decided.
    let chains: Vec<(usize, Vec<Vec<usize>>)> = match graph {
        Some(g) => subjects
            .iter()
            .map(|&x| (x, g.continuations(x, 0, q.max_hops)))
            .collect(),
        None => Vec::new(),
    };
    let mut needed = BTreeSet::new();
    if let Some(g) = graph {
        for (x, list) in &chains {
            for c in list {
                let hops = g.hops(*x, c);
                if let Some(last) = hops.last() {
                    let (t, s) = chain::caller_chosen(hops.iter().copied());
                    needed.insert((last.role, t, s));
                }
            }
        }
    }
    let finals = chain::finals(model, q, resolved, needed);
    let direct: Vec<Vec<WhoCanRow>> = subjects
        .par_iter()
        .filter(|&&x| in_scope(iam[x].account))
        .map(|&x| {
            let p = &iam[x];
            let account_id = &model.accounts()[p.account].id;
            let caller = chain::Caller {
                arn: p.caller_arn(account_id, IAM_SESSION),
                set: &p.set,
                labels: &p.labels,
            };
            let ctx = iam_context(model, x);
            chain::decide_actions(model, q, resolved, &caller, account_id, &ctx)
                .iter()
                .map(|g| {
                    row(
                        p,
                        p.account,
                        "iam".to_owned(),
                        g,
                        g.condition.clone(),
                        Vec::new(),
                    )
                })
                .collect()
        })
        .collect();
    let mut rows: Vec<WhoCanRow> = direct.into_iter().flatten().collect();
    if let Some(g) = graph {
        for (x, list) in &chains {
            let p = &iam[*x];
            let start_account = &model.accounts()[p.account];
            for c in list {
                let hops = g.hops(*x, c);
                let Some(last) = hops.last() else { continue };
                let last_account = iam[last.role].account;
                if !in_scope(last_account) {
                    continue;
                }
                let (t, s) = chain::caller_chosen(hops.iter().copied());
                let Some(groups) = finals.get(&(last.role, t, s)) else {
                    continue;
                };
                let mut via = "iam".to_owned();
                for h in &hops {
                    via.push_str(" → ");
                    via.push_str(&chain::role_label(model, h.role));
                }
                let mut path = vec![PathStep {
                    step: "start",
                    principal: p.arn.clone(),
                    account_id: start_account.id.clone(),
                    account_name: start_account.name.clone(),
                    permission_set: None,
                    condition: None,
                    deciding: Vec::new(),
                }];
                path.extend(chain::hop_steps(
                    model,
                    hops.iter().map(|h| (*h, h.condition.as_ref())),
                ));
                for gr in groups {
                    let cond = chain::and_all(
                        hops.iter()
                            .map(|h| &h.condition)
                            .chain(std::iter::once(&gr.condition)),
                    );
                    rows.push(row(p, last_account, via.clone(), gr, cond, path.clone()));
                }
            }
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
    /// Follow role chains up to this many hops (0: none)
    pub max_hops: usize,
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
            let summarize =
                |a: &[Option<Answer>], e: &[Option<Answer>]| summarize_answers(actions, a, e);
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
    if q.max_hops > 0 {
        rows.extend(chained_what_can(model, q, &cat));
    }
    rows.sort();
    rows
}

/// Per (service, access level): allowed, conditional, total and up to three
/// conditions; and whether every escalation action is allowed outright
fn summarize_answers(
    actions: &[(String, &'static str)],
    answers: &[Option<Answer>],
    escalation: &[Option<Answer>],
) -> (Summary, bool) {
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
}

/// What-can rows for the role chains a user's (or a group's) sessions open:
/// one set of rows per chain, in the last role's account, decided with the
/// last role's policies and every hop's condition
fn chained_what_can(
    model: &Model,
    q: &WhatCanQuery,
    cat: &profile::CatalogActions,
) -> Vec<WhatCanRow> {
    let graph = chain::RoleGraph::build(model, &q.context);
    let entries: Vec<(String, usize, usize)> = match q.subject {
        Subject::User(u) => model.access[u]
            .iter()
            .map(|a| (via_text(model, a.via), a.permission_set, a.account))
            .collect(),
        Subject::Group(g) => {
            let gid = &model.snapshot.groups[g].id;
            let mut out: Vec<(String, usize, usize)> = model
                .snapshot
                .assignments
                .iter()
                .filter(|a| {
                    a.principal_type == crate::snapshot::PrincipalType::Group
                        && &a.principal_id == gid
                })
                .filter_map(|a| {
                    Some((
                        via_text(model, Via::Group(g)),
                        model.find_permission_set(&a.permission_set_arn)?,
                        model.find_account(&a.account_id)?,
                    ))
                })
                .collect();
            out.sort();
            out.dedup();
            out
        }
    };
    let mut chains: Vec<(String, usize, Vec<chain::Hop>)> = Vec::new();
    for (via, ps, acct) in entries {
        let set = model.policy_set(ps, acct);
        let labels = model.identity_labels(ps, acct);
        let role = model.provisioned_role(ps, acct);
        let user_name = match q.subject {
            Subject::User(u) => model.snapshot.users[u].user_name.as_str(),
            Subject::Group(_) => "user",
        };
        let (caller, pair_ctx) = chain::pair_caller(model, ps, acct, user_name, &set, &labels);
        let ctx = match q.subject {
            Subject::User(u) => principal_context(model, u, acct, &role),
            Subject::Group(_) => pair_ctx,
        };
        let account = &model.accounts()[acct];
        let ps_name = &model.snapshot.permission_sets[ps].name;
        for to in graph.targets_for(&account.id) {
            let Some((_, first)) = chain::decide_hop(model, &caller, &ctx, to, &q.context) else {
                continue;
            };
            for c in std::iter::once(Vec::new()).chain(graph.continuations(to, 1, q.max_hops)) {
                let mut hops = vec![first.clone()];
                hops.extend(graph.hops(to, &c).into_iter().cloned());
                let mut text = format!("{via} → {ps_name}@{}", account.name);
                for h in &hops {
                    text.push_str(" → ");
                    text.push_str(&chain::role_label(model, h.role));
                }
                chains.push((text, ps, hops));
            }
        }
    }
    type Decided = (Vec<Option<Answer>>, Vec<Option<Answer>>);
    let mut cache: HashMap<(usize, bool, bool), Decided> = HashMap::new();
    let mut rows = Vec::new();
    for (via, ps, hops) in chains {
        let Some(last) = hops.last().map(|h| h.role) else {
            continue;
        };
        let p = &model.iam_principals()[last];
        if q.accounts.as_ref().is_some_and(|f| !f.contains(&p.account)) {
            continue;
        }
        let (tags, sid) = chain::caller_chosen(&hops);
        let account = &model.accounts()[p.account];
        let (answers, escalation) = cache.entry((last, tags, sid)).or_insert_with(|| {
            let mut ctx = chain::chained_context(model, last, tags, sid);
            for (k, v) in &q.context {
                ctx.set(k, v.clone());
            }
            let session = chain::chained_session_arn(model, last);
            (
                profile::decide_all(&p.set, &ctx, &session, &account.id, &cat.names),
                profile::decide_all(&p.set, &ctx, &session, &account.id, &cat.escalation),
            )
        });
        // Every hop's condition holds too.
        let hop_cond = chain::and_all(hops.iter().map(|h| &h.condition));
        let under = |a: &Option<Answer>| -> Option<Answer> {
            let c = hop_cond.clone()?;
            match a {
                Some(Answer::Decided(Decision::Allow)) => Some(Answer::Conditional(c)),
                Some(Answer::Conditional(r)) => {
                    match Tri::Residual(r.clone()).and(Tri::Residual(c)) {
                        Tri::Residual(x) => Some(Answer::Conditional(x)),
                        _ => a.clone(),
                    }
                }
                other => other.clone(),
            }
        };
        let (answers, escalation): Decided = if hop_cond.is_some() {
            (
                answers.iter().map(under).collect(),
                escalation.iter().map(under).collect(),
            )
        } else {
            (answers.clone(), escalation.clone())
        };
        let (by, admin) = summarize_answers(&cat.actions, &answers, &escalation);
        let ps_name = &model.snapshot.permission_sets[ps].name;
        for ((service, level), (allowed, conditional, total, conds)) in by {
            if allowed + conditional == 0 {
                continue;
            }
            rows.push(WhatCanRow {
                account_id: account.id.clone(),
                account_name: account.name.clone(),
                permission_set: ps_name.clone(),
                via: via.clone(),
                service,
                access_level: level,
                allowed,
                conditional,
                total,
                conditions: conds.into_iter().take(3).collect(),
                admin_equivalent: admin,
            });
        }
    }
    rows
}

/// One assignment path decided by [`simulate_user`]
#[derive(Debug, Clone)]
pub struct PathDecision {
    /// `direct` or `group:<name>`; `iam-user` or `iam-role` for IAM
    /// principals; a chain adds ` → <set>@<account> → role/…@…`
    pub via: String,
    /// Permission set name (empty for IAM principals)
    pub permission_set: String,
    /// The session ARN the request is made as
    pub session_arn: String,
    /// The principal tags substituted (the user's ABAC attributes, or the
    /// last role's IAM tags)
    pub principal_tags: BTreeMap<String, String>,
    /// The evaluation of the request itself (by the last role for a chain)
    pub evaluation: crate::eval::Evaluation,
    /// Names of the identity policies, by index
    pub labels: Vec<String>,
    /// Explanation lines
    pub explanation: Vec<crate::eval::explain::Line>,
    /// The `sts:AssumeRole` hops of a chain, in order (empty without one)
    pub hops: Vec<chain::Hop>,
}

impl PathDecision {
    /// The answer for the whole path: the request's, under every hop's condition
    pub fn answer(&self) -> Answer {
        match &self.evaluation.answer {
            Answer::Decided(Decision::Allow) | Answer::Conditional(_) => {
                let last = chain::allowed(&self.evaluation).flatten();
                match chain::and_all(
                    self.hops
                        .iter()
                        .map(|h| &h.condition)
                        .chain(std::iter::once(&last)),
                ) {
                    None => Answer::Decided(Decision::Allow),
                    Some(r) => Answer::Conditional(r),
                }
            }
            denied => denied.clone(),
        }
    }
}

fn via_text(model: &Model, via: Via) -> String {
    match via {
        Via::Direct => "direct".to_owned(),
        Via::Group(g) => format!("group:{}", model.snapshot.groups[g].name),
    }
}

/// Decides `action` for a caller with `set` and `ctx`, with the resource side
fn decide_one(
    model: &Model,
    caller: &str,
    account_id: &str,
    q: &SimulateQuery<'_>,
    resolved: Option<&ResolvedResource>,
    mut set: PolicySet,
    mut ctx: Context,
) -> Option<(crate::eval::Evaluation, Vec<crate::eval::explain::Line>)> {
    if let Some(r) = resolved {
        model.apply_resource(r, &mut set, &mut ctx);
    }
    for (k, v) in q.context {
        ctx.set(k, v.clone());
    }
    let req = match resolved {
        Some(r) => Request::new(caller, q.action, &r.arn, r.owner.account()),
        None => Request::on_any_resource(caller, q.action, account_id),
    }
    .ok()?;
    let evaluation = evaluate(&req, &ctx, &set);
    let explanation = crate::eval::explain::explain(&req, &ctx, &set, &evaluation);
    Some((evaluation, explanation))
}

/// A simulate question: the request, and how far to follow chains
#[derive(Debug, Clone, Copy)]
pub struct SimulateQuery<'a> {
    /// The action
    pub action: &'a str,
    /// The resource ARN, `None` for some resource
    pub resource: Option<&'a str>,
    /// Context keys the question fixes
    pub context: &'a [(String, CtxValue)],
    /// Follow role chains up to this many hops (0: none)
    pub max_hops: usize,
}

/// The chains that start with `first` hops (or at IAM principal `start`),
/// decided for the request at their last role (in `account`, when given)
fn chained_paths(
    model: &Model,
    graph: &chain::RoleGraph,
    starts: Vec<(String, String, Vec<chain::Hop>)>,
    account: Option<usize>,
    q: &SimulateQuery<'_>,
    resolved: Option<&ResolvedResource>,
) -> Vec<PathDecision> {
    let mut out = Vec::new();
    for (via, permission_set, first) in starts {
        let Some(head) = first.last() else { continue };
        let taken = first.len();
        let conts =
            std::iter::once(Vec::new()).chain(graph.continuations(head.role, taken, q.max_hops));
        for c in conts {
            let mut hops = first.clone();
            hops.extend(graph.hops(head.role, &c).into_iter().cloned());
            let last = hops.last().map_or(head.role, |h| h.role);
            let p = &model.iam_principals()[last];
            if account.is_some_and(|a| a != p.account) {
                continue;
            }
            let (tags, sid) = chain::caller_chosen(&hops);
            let ctx = chain::chained_context(model, last, tags, sid);
            let session = chain::chained_session_arn(model, last);
            let Some((evaluation, explanation)) = decide_one(
                model,
                &session,
                &model.accounts()[p.account].id,
                q,
                resolved,
                p.set.clone(),
                ctx,
            ) else {
                continue;
            };
            let mut via = via.clone();
            for h in &hops {
                via.push_str(" → ");
                via.push_str(&chain::role_label(model, h.role));
            }
            out.push(PathDecision {
                via,
                permission_set: permission_set.clone(),
                session_arn: session,
                principal_tags: if tags {
                    BTreeMap::new()
                } else {
                    p.tags.clone()
                },
                evaluation,
                labels: p.labels.clone(),
                explanation,
                hops,
            });
        }
    }
    out
}

/// Decides one request for `user` in `account` through every assignment
/// path that reaches it, and every role chain that ends in it (`accessgraph
/// simulate --user`)
pub fn simulate_user(
    model: &Model,
    user: usize,
    account: usize,
    q: &SimulateQuery<'_>,
) -> Vec<PathDecision> {
    let acct = &model.accounts()[account];
    let resolved = q.resource.map(|r| model.resolve_resource(r));
    let user_name = &model.snapshot.users[user].user_name;
    let mut out = Vec::new();
    for a in model.access[user].iter().filter(|a| a.account == account) {
        let role = model.provisioned_role(a.permission_set, account);
        let set = model.policy_set(a.permission_set, account);
        let ctx = principal_context(model, user, account, &role);
        let session = role.session_arn(&acct.id, user_name);
        let Some((evaluation, explanation)) =
            decide_one(model, &session, &acct.id, q, resolved.as_ref(), set, ctx)
        else {
            continue;
        };
        out.push(PathDecision {
            via: via_text(model, a.via),
            permission_set: model.snapshot.permission_sets[a.permission_set]
                .name
                .clone(),
            session_arn: session,
            principal_tags: model.principal_tags[user].clone(),
            evaluation,
            labels: model.identity_labels(a.permission_set, account),
            explanation,
            hops: Vec::new(),
        });
    }
    if q.max_hops == 0 {
        return out;
    }
    let graph = chain::RoleGraph::build(model, q.context);
    let mut starts = Vec::new();
    for a in &model.access[user] {
        let set = model.policy_set(a.permission_set, a.account);
        let labels = model.identity_labels(a.permission_set, a.account);
        let role = model.provisioned_role(a.permission_set, a.account);
        let (caller, _) =
            chain::pair_caller(model, a.permission_set, a.account, user_name, &set, &labels);
        let ctx = principal_context(model, user, a.account, &role);
        let ps_name = &model.snapshot.permission_sets[a.permission_set].name;
        let account_id = &model.accounts()[a.account].id;
        for to in graph.targets_for(account_id) {
            if let Some((_, hop)) = chain::decide_hop(model, &caller, &ctx, to, q.context) {
                starts.push((
                    format!(
                        "{} → {ps_name}@{}",
                        via_text(model, a.via),
                        model.accounts()[a.account].name
                    ),
                    ps_name.clone(),
                    vec![hop],
                ));
            }
        }
    }
    out.extend(chained_paths(
        model,
        &graph,
        starts,
        Some(account),
        q,
        resolved.as_ref(),
    ));
    out
}

/// Decides one request for an IAM user or role of the snapshot
/// (`accessgraph simulate --role ARN`), and through every role chain it
/// opens; empty when the snapshot's IAM data has no principal with that ARN
/// (or the action is not `service:Action`)
pub fn simulate_iam(model: &Model, arn: &str, q: &SimulateQuery<'_>) -> Vec<PathDecision> {
    let Some(x) = iam_subjects(model, None)
        .into_iter()
        .find(|&i| model.iam_principals()[i].arn.eq_ignore_ascii_case(arn))
    else {
        return Vec::new();
    };
    let p = &model.iam_principals()[x];
    let account_id = model.accounts()[p.account].id.clone();
    let resolved = q.resource.map(|r| model.resolve_resource(r));
    let caller = p.caller_arn(&account_id, IAM_SESSION);
    let mut out = Vec::new();
    if let Some((evaluation, explanation)) = decide_one(
        model,
        &caller,
        &account_id,
        q,
        resolved.as_ref(),
        p.set.clone(),
        iam_context(model, x),
    ) {
        out.push(PathDecision {
            via: p.kind.as_str().to_owned(),
            permission_set: String::new(),
            session_arn: caller,
            principal_tags: p.tags.clone(),
            evaluation,
            labels: p.labels.clone(),
            explanation,
            hops: Vec::new(),
        });
    }
    if q.max_hops > 0 && !out.is_empty() {
        let graph = chain::RoleGraph::build(model, q.context);
        let starts: Vec<(String, String, Vec<chain::Hop>)> = graph.edges[x]
            .iter()
            .map(|h| (p.kind.as_str().to_owned(), String::new(), vec![h.clone()]))
            .collect();
        // Cycles back to the start are cut too.
        let mut paths = chained_paths(model, &graph, starts, None, q, resolved.as_ref());
        paths.retain(|d| d.hops.iter().all(|h| h.role != x));
        out.extend(paths);
    }
    out
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
            let chained;
            let via = match self.chains.get(h.chain as usize) {
                Some(ch) => {
                    chained = format!("{via}{}", ch.via_suffix);
                    chained.as_str()
                }
                None => via,
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
