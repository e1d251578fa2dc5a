//! This module follows access through role chains: from every Identity
//! Center session role and every IAM user and role of the snapshot, through
//! `sts:AssumeRole` into the roles whose trust policies let them in, hop by
//! hop and across accounts, with every condition evaluated (`design.md`,
//! "Trust and chains"). No IO here.
//!
//! One hop is one `sts:AssumeRole`, decided like any request: the caller's
//! identity policies, boundary and SCPs, the role's trust policy as the
//! resource policy (it must allow the caller itself, or its account, which
//! then delegates to the caller's identity policies) and the RCPs of the
//! role's account. The Identity Center sign-in is not a hop.
//!
//! The session a hop opens carries what AWS gives it: the new role's
//! `aws:PrincipalArn`, `aws:PrincipalAccount`, org keys and IAM tags. Session
//! tags of the previous session carry over only when they were passed as
//! transitive; Identity Center documents no transitive tag keys for its
//! attributes for access control, so they do not carry over. Where the trust
//! policy lets the caller `sts:TagSession`, the caller chooses the next
//! session's tags, so `aws:PrincipalTag/*` there are unknown (answers that
//! depend on them are conditional); likewise `aws:SourceIdentity` where it
//! allows `sts:SetSourceIdentity` (and, once set, it stays for the rest of
//! the chain). The session name is the caller's choice, so `aws:userid` of a
//! chained session is unknown.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::eval::context::{Context, CtxValue};
use crate::eval::request::Request;
use crate::eval::tri::{Residual, Tri};
use crate::eval::{evaluate, Answer, Decision, Evaluation, PolicySet};
use crate::graph::{AccountIx, IamKind, Model, PairIx, PermissionSetIx, ResolvedResource, UserIx};
use crate::policy::{ActionName, Effect, PrincipalEntry};

use super::{
    add_org_keys, pair_context, stmt_label, ChainInfo, OutcomeInfo, PathStep, PerUser, WhoCanQuery,
    NONE,
};

/// The default bound on the number of `sts:AssumeRole` hops a chain may take
pub const DEFAULT_MAX_HOPS: usize = 3;

/// The longest role chain followed (`--max-hops` at most this)
pub const MAX_HOPS_LIMIT: usize = 10;

/// The session name chained sessions are shown with (the caller chooses it)
pub const CHAINED_SESSION: &str = "accessgraph";

/// Whether the evaluation allows, allows under a condition, or not
pub(crate) fn allowed(e: &Evaluation) -> Option<Option<Residual>> {
    match &e.answer {
        Answer::Decided(Decision::Allow) => Some(None),
        Answer::Conditional(r) => Some(Some(r.clone())),
        Answer::Decided(_) => None,
    }
}

/// One decided hop into a role
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// The role assumed (index into `Model::iam_principals()`)
    pub role: usize,
    /// `None` when allowed outright, else the condition it is allowed under
    pub condition: Option<Residual>,
    /// The statements that allowed it (trust policy and caller's policies)
    pub deciding: Vec<String>,
    /// The trust policy lets this caller `sts:TagSession`: the next
    /// session's principal tags are the caller's choice
    pub tag_session: bool,
    /// The trust policy lets this caller `sts:SetSourceIdentity`
    pub source_identity: bool,
}

/// What the caller of a hop is
pub(crate) struct Caller<'a> {
    /// The ARN requests are made as (a session ARN or an IAM user)
    pub arn: String,
    /// Identity policies, boundary, SCPs
    pub set: &'a PolicySet,
    /// Names of the identity policies
    pub labels: &'a [String],
}

/// The accounts whose principals `trust` may let assume the role (`None`:
/// any account, for `Anyone` and bare unique ids): a filter before a hop is
/// evaluated, so only callers the trust policy could name are decided
fn trust_accounts(trust: &crate::policy::Policy) -> Option<BTreeSet<String>> {
    let assume = ActionName::new("sts:AssumeRole")?;
    let mut out = BTreeSet::new();
    for s in &trust.statements {
        if s.effect != Effect::Allow || !s.action.matches(&assume) {
            continue;
        }
        let Some(p) = &s.principal else { continue };
        if p.negated {
            continue;
        }
        for e in &p.entries {
            match e {
                PrincipalEntry::Anyone | PrincipalEntry::UniqueId(_) => return None,
                PrincipalEntry::Account(a)
                | PrincipalEntry::Role { account: a, .. }
                | PrincipalEntry::Session { account: a, .. } => {
                    out.insert(a.clone());
                }
                PrincipalEntry::User(arn) | PrincipalEntry::FederatedUser(arn) => {
                    if let Some(a) = arn.split(':').nth(4) {
                        out.insert(a.to_owned());
                    }
                }
                _ => {}
            }
        }
    }
    Some(out)
}

/// Whether a trust policy lets anyone at all pass session tags
/// (`sts:TagSession`, whatever the condition): the role's principal tags
/// are then partly the caller's choice
pub fn trust_allows(trust: &crate::policy::Policy, action: &str) -> bool {
    let Some(a) = ActionName::new(action) else {
        return false;
    };
    trust
        .statements
        .iter()
        .any(|s| s.effect == Effect::Allow && s.action.matches(&a))
}

/// Decides one `sts:AssumeRole` of `caller` (in `caller_account`) into
/// `role`, with `ctx` the caller's session context; `None` when denied
pub(crate) fn decide_hop(
    model: &Model,
    caller: &Caller<'_>,
    ctx: &Context,
    role: usize,
    query: &[(String, CtxValue)],
) -> Option<(Evaluation, Hop)> {
    let target = &model.iam_principals()[role];
    let resolved = model.resolve_resource(&target.arn);
    let mut set = caller.set.clone();
    let mut ctx = ctx.clone();
    model.apply_resource(&resolved, &mut set, &mut ctx);
    for (k, v) in query {
        ctx.set(k, v.clone());
    }
    let account = resolved.owner.account().map(str::to_owned);
    let decide = |action: &str| -> Option<Evaluation> {
        let req = Request::new(&caller.arn, action, &target.arn, account.as_deref()).ok()?;
        Some(evaluate(&req, &ctx, &set))
    };
    let e = decide("sts:AssumeRole")?;
    let condition = allowed(&e)?;
    let rides = |action: &str| decide(action).as_ref().and_then(allowed).is_some();
    let hop = Hop {
        role,
        condition,
        deciding: e
            .deciding
            .iter()
            .map(|s| stmt_label(s, caller.labels))
            .collect(),
        tag_session: rides("sts:TagSession"),
        source_identity: rides("sts:SetSourceIdentity"),
    };
    Some((e, hop))
}

/// Every chain out of one session (`caller`, its context `ctx`, in
/// `account_id`), up to `max_hops` hops: the first hop decided with the
/// session's own context (its tags are known), the rest along the role
/// graph; each chain as its hops. `from` is the session's own role, never
/// its first hop.
#[allow(
    clippy::too_many_arguments,
    reason = "one session's parts, and the question's"
)]
pub(crate) fn chains_from(
    model: &Model,
    graph: &RoleGraph,
    caller: &Caller<'_>,
    ctx: &Context,
    account_id: &str,
    from: Option<usize>,
    query: &[(String, CtxValue)],
    max_hops: usize,
) -> Vec<Vec<Hop>> {
    let mut out = Vec::new();
    if max_hops == 0 {
        return out;
    }
    for first in first_hops(model, graph, caller, ctx, account_id, from, query) {
        let to = first.role;
        for c in std::iter::once(Vec::new()).chain(graph.continuations(to, 1, max_hops)) {
            let mut hops = vec![first.clone()];
            hops.extend(graph.hops(to, &c).into_iter().cloned());
            out.push(hops);
        }
    }
    out
}

/// The hops out of one session (`caller`, its context `ctx`, in
/// `account_id`) into the roles of the graph that may let it in, other than
/// its own role `from`, decided with the session's own context
pub(crate) fn first_hops(
    model: &Model,
    graph: &RoleGraph,
    caller: &Caller<'_>,
    ctx: &Context,
    account_id: &str,
    from: Option<usize>,
    query: &[(String, CtxValue)],
) -> Vec<Hop> {
    graph
        .targets_for(account_id)
        .filter(|&to| Some(to) != from)
        .filter_map(|to| decide_hop(model, caller, ctx, to, query).map(|(_, h)| h))
        .collect()
}

/// The context of a session of `role` reached through a chain: every key
/// that follows from the role; the caller-chosen ones unknown
pub fn chained_context(
    model: &Model,
    role: usize,
    tags_chosen: bool,
    source_identity_chosen: bool,
) -> Context {
    let p = &model.iam_principals()[role];
    let account = &model.accounts()[p.account];
    let mut ctx = Context::open();
    ctx.set("aws:PrincipalArn", CtxValue::single(p.arn.clone()));
    ctx.set("aws:PrincipalAccount", CtxValue::single(account.id.clone()));
    ctx.set("aws:PrincipalType", CtxValue::single("AssumedRole"));
    ctx.set("aws:PrincipalIsAWSService", CtxValue::single("false"));
    ctx.set_absent("aws:username");
    ctx.set_absent("aws:PrincipalServiceName");
    ctx.set_absent("aws:PrincipalServiceNamesList");
    // Credentials from sts:AssumeRole are not Identity Center credentials.
    ctx.set_absent("identitystore:UserId");
    add_org_keys(&mut ctx, model, p.account);
    if !tags_chosen {
        ctx.absent_prefix("aws:PrincipalTag/");
        for (k, v) in &p.tags {
            ctx.set(
                &format!("aws:PrincipalTag/{k}"),
                CtxValue::single(v.clone()),
            );
        }
    }
    if !source_identity_chosen {
        ctx.set_absent("aws:SourceIdentity");
    }
    ctx
}

/// The session ARN of a chained session of `role`
pub fn chained_session_arn(model: &Model, role: usize) -> String {
    let p = &model.iam_principals()[role];
    p.caller_arn(&model.accounts()[p.account].id, CHAINED_SESSION)
}

/// How a role is shown in a path: `role/<path/name>@<account name>`
pub fn role_label(model: &Model, role: usize) -> String {
    let p = &model.iam_principals()[role];
    let res = p.arn.split(':').nth(5).unwrap_or(&p.arn);
    format!("{res}@{}", model.accounts()[p.account].name)
}

/// The roles an IAM principal or a session can assume, decided once per
/// query: edges of the role graph
#[derive(Debug, Clone, Default)]
pub struct RoleGraph {
    /// Per IAM principal (index into `Model::iam_principals()`): the hops
    /// out of a session of it (roles) or of it (users), in role index order
    pub edges: Vec<Vec<Hop>>,
    /// Roles whose trust policies may let principals of an account in,
    /// by account id
    by_account: HashMap<String, Vec<usize>>,
    /// Roles whose trust policies may let principals of any account in
    any_account: Vec<usize>,
}

impl RoleGraph {
    /// Decides every hop between the snapshot's IAM principals (users and
    /// non-Identity-Center roles as callers, roles as targets) under the
    /// question's context
    pub fn build(model: &Model, query: &[(String, CtxValue)]) -> RoleGraph {
        let iam = model.iam_principals();
        let mut by_account: HashMap<String, Vec<usize>> = HashMap::new();
        let mut any_account = Vec::new();
        for (i, p) in iam.iter().enumerate() {
            let Some(trust) = p.trust.as_deref().filter(|_| p.kind == IamKind::Role) else {
                continue;
            };
            match trust_accounts(trust) {
                None => any_account.push(i),
                Some(accounts) => {
                    for a in accounts {
                        by_account.entry(a).or_default().push(i);
                    }
                }
            }
        }
        let mut graph = RoleGraph {
            edges: Vec::new(),
            by_account,
            any_account,
        };
        graph.edges = (0..iam.len())
            .into_par_iter()
            .map(|from| {
                let p = &iam[from];
                if p.identity_center {
                    // Identity Center roles are callers through their users' pairs.
                    return Vec::new();
                }
                let account_id = &model.accounts()[p.account].id;
                let ctx = match p.kind {
                    IamKind::User => super::iam_context(model, from),
                    // A session of the role, opened by whoever its trust
                    // policy lets in: tags and source identity are theirs
                    // to choose where the trust policy allows it.
                    IamKind::Role => {
                        let trust = p.trust.as_deref();
                        chained_context(
                            model,
                            from,
                            trust.is_some_and(|t| trust_allows(t, "sts:TagSession")),
                            trust.is_some_and(|t| trust_allows(t, "sts:SetSourceIdentity")),
                        )
                    }
                };
                let caller = Caller {
                    arn: p.caller_arn(account_id, CHAINED_SESSION),
                    set: &p.set,
                    labels: &p.labels,
                };
                graph
                    .targets_for(account_id)
                    .filter(|&to| to != from)
                    .filter_map(|to| decide_hop(model, &caller, &ctx, to, query).map(|(_, h)| h))
                    .collect()
            })
            .collect();
        graph
    }

    /// Roles whose trust policies may let principals of `account_id` in, in
    /// role index order
    pub fn targets_for<'a>(&'a self, account_id: &'a str) -> impl Iterator<Item = usize> + 'a {
        let named = self
            .by_account
            .get(account_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        // Both lists are in index order: merge them.
        let (mut a, mut b) = (named.iter().peekable(), self.any_account.iter().peekable());
        std::iter::from_fn(move || match (a.peek(), b.peek()) {
            (Some(&&x), Some(&&y)) if x <= y => a.next().copied(),
            (Some(_), Some(_)) => b.next().copied(),
            (Some(_), None) => a.next().copied(),
            (None, _) => b.next().copied(),
        })
    }

    /// Every chain that continues from a session of `start` after `taken`
    /// hops, up to `max_hops` hops in all, with no role twice (cycles are
    /// cut); each as the edge indices taken from `start`, shortest first
    /// along each branch
    pub fn continuations(&self, start: usize, taken: usize, max_hops: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        let (mut roles, mut edges) = (vec![start], Vec::new());
        self.walk(start, taken, max_hops, &mut roles, &mut edges, &mut out);
        out
    }

    fn walk(
        &self,
        at: usize,
        taken: usize,
        max_hops: usize,
        roles: &mut Vec<usize>,
        edges: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if taken >= max_hops {
            return;
        }
        for (k, h) in self.edges[at].iter().enumerate() {
            if roles.contains(&h.role) {
                continue;
            }
            roles.push(h.role);
            edges.push(k);
            out.push(edges.clone());
            self.walk(h.role, taken + 1, max_hops, roles, edges, out);
            roles.pop();
            edges.pop();
        }
    }

    /// The hops of a chain given as edge indices from `start`
    pub fn hops(&self, start: usize, chain: &[usize]) -> Vec<&Hop> {
        let mut out = Vec::with_capacity(chain.len());
        let mut cur = start;
        for &k in chain {
            let h = &self.edges[cur][k];
            out.push(h);
            cur = h.role;
        }
        out
    }
}

/// Whether a chain's last session has caller-chosen principal tags and
/// source identity: once any hop let the caller tag the session (tags may
/// be passed as transitive) or set the source identity (it then stays), they
/// are the caller's choice from there on
pub(crate) fn caller_chosen<'a>(hops: impl IntoIterator<Item = &'a Hop>) -> (bool, bool) {
    hops.into_iter().fold((false, false), |(t, s), h| {
        (t || h.tag_session, s || h.source_identity)
    })
}

/// `allow` for an answer with no condition left, `conditional` otherwise
pub(crate) fn decision_of(cond: &Option<Residual>) -> &'static str {
    if cond.is_some() {
        "conditional"
    } else {
        "allow"
    }
}

/// A conjunction of optional residuals (`None` = true)
pub(crate) fn and_all<'a>(
    conds: impl IntoIterator<Item = &'a Option<Residual>>,
) -> Option<Residual> {
    let mut t = Tri::True;
    for c in conds.into_iter().flatten() {
        t = t.and(Tri::Residual(c.clone()));
    }
    match t {
        Tri::Residual(r) => Some(r),
        _ => None,
    }
}

/// The caller for a session of an Identity Center pair
pub(crate) fn pair_caller<'a>(
    model: &Model,
    ps: PermissionSetIx,
    acct: AccountIx,
    user_name: &str,
    set: &'a PolicySet,
    labels: &'a [String],
) -> (Caller<'a>, Context) {
    let role = model.provisioned_role(ps, acct);
    let account_id = &model.accounts()[acct].id;
    (
        Caller {
            arn: role.session_arn(account_id, user_name),
            set,
            labels,
        },
        pair_context(model, acct, &role),
    )
}

/// What a principal can do of a question's actions, grouped by condition:
/// one group per distinct condition (`None` = outright)
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActionGroup {
    /// The condition the actions are allowed under
    pub condition: Option<Residual>,
    /// The actions
    pub actions: Vec<String>,
    /// The statements that granted them
    pub deciding: Vec<String>,
}

/// Decides each of the question's actions for one caller, grouped by
/// condition (ordered: outright first, then by condition text)
pub(crate) fn decide_actions(
    model: &Model,
    q: &WhoCanQuery,
    resolved: Option<&ResolvedResource>,
    caller: &Caller<'_>,
    account_id: &str,
    ctx: &Context,
) -> Vec<ActionGroup> {
    let mut set = caller.set.clone();
    let mut ctx = ctx.clone();
    if let Some(r) = resolved {
        model.apply_resource(r, &mut set, &mut ctx);
    }
    for (k, v) in &q.context {
        ctx.set(k, v.clone());
    }
    let mut grouped: BTreeMap<Option<String>, ActionGroup> = BTreeMap::new();
    for action in &q.actions {
        let req = match resolved {
            Some(r) => Request::new(&caller.arn, action, &r.arn, r.owner.account()),
            None => Request::on_any_resource(&caller.arn, action, account_id),
        };
        let Ok(req) = req else { continue };
        let e = evaluate(&req, &ctx, &set);
        let Some(condition) = allowed(&e) else {
            continue;
        };
        let g = grouped
            .entry(condition.as_ref().map(ToString::to_string))
            .or_insert_with(|| ActionGroup {
                condition,
                actions: Vec::new(),
                deciding: Vec::new(),
            });
        g.actions.push(action.clone());
        g.deciding
            .extend(e.deciding.iter().map(|s| stmt_label(s, caller.labels)));
    }
    grouped
        .into_values()
        .map(|mut g| {
            g.deciding.sort();
            g.deciding.dedup();
            g
        })
        .collect()
}

/// The final answers of a chain's last role, per caller-chosen flags
pub(crate) type Finals = HashMap<(usize, bool, bool), Vec<ActionGroup>>;

/// Decides the question for every (last role, flags) in `needed`
pub(crate) fn finals(
    model: &Model,
    q: &WhoCanQuery,
    resolved: Option<&ResolvedResource>,
    needed: BTreeSet<(usize, bool, bool)>,
) -> Finals {
    let needed: Vec<(usize, bool, bool)> = needed.into_iter().collect();
    needed
        .par_iter()
        .map(|&(role, tags, sid)| {
            let p = &model.iam_principals()[role];
            let ctx = chained_context(model, role, tags, sid);
            let caller = Caller {
                arn: chained_session_arn(model, role),
                set: &p.set,
                labels: &p.labels,
            };
            let groups = decide_actions(
                model,
                q,
                resolved,
                &caller,
                &model.accounts()[p.account].id,
                &ctx,
            );
            ((role, tags, sid), groups)
        })
        .collect()
}

/// The path steps of a chain's hops
pub(crate) fn hop_steps<'a>(
    model: &'a Model,
    hops: impl IntoIterator<Item = (&'a Hop, Option<&'a Residual>)> + 'a,
) -> impl Iterator<Item = PathStep> + 'a {
    hops.into_iter().map(move |(h, cond)| {
        let p = &model.iam_principals()[h.role];
        let account = &model.accounts()[p.account];
        PathStep {
            step: "assume-role",
            principal: p.arn.clone(),
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            permission_set: None,
            condition: cond.map(ToString::to_string),
            deciding: h.deciding.clone(),
        }
    })
}

/// One hop out of an Identity Center pair, settled per user
struct PairHop {
    hop: Hop,
    /// Distinct conditions among the pair's users (`None` = outright)
    conds: Vec<Option<Residual>>,
    /// Per user: an index into `conds`, or `NONE` (shared by the hops that
    /// leave the same condition)
    by_user: PerUser,
}

/// One hop's chained hits per condition: (account, chain, outcome)
#[derive(Debug)]
struct PairHopHits {
    by_user: PerUser,
    lists: Vec<Vec<(AccountIx, u32, u32)>>,
}

/// Chained access for a who-can question
#[derive(Debug)]
pub(crate) struct Chained {
    /// The hops between IAM principals
    pub graph: RoleGraph,
    /// Every chain a hit refers to
    pub chains: Vec<ChainInfo>,
    per_pair: Vec<Vec<PairHopHits>>,
}

impl Chained {
    /// Whether some user has a chained hit through pair `p`
    pub fn has_hits(&self, p: PairIx) -> bool {
        self.per_pair[p.index()]
            .iter()
            .any(|h| h.lists.iter().any(|l| !l.is_empty()))
    }

    /// The number of chained hits of user `u` through pair `p`
    pub fn count_of(&self, model: &Model, p: PairIx, u: UserIx) -> usize {
        self.per_pair[p.index()]
            .iter()
            .map(|h| match h.by_user.get(model, u) {
                NONE => 0,
                i => h.lists[i as usize].len(),
            })
            .sum()
    }

    /// Calls `f(account, chain, outcome)` for every chained hit of user
    /// `u` through pair `p`
    pub fn hits_of(
        &self,
        model: &Model,
        p: PairIx,
        u: UserIx,
        mut f: impl FnMut(AccountIx, u32, u32),
    ) {
        for h in &self.per_pair[p.index()] {
            let i = h.by_user.get(model, u);
            if i != NONE {
                for &(a, c, o) in &h.lists[i as usize] {
                    f(a, c, o);
                }
            }
        }
    }

    /// Decides every hop out of every pair and every chain after it, and
    /// numbers the chained outcomes after those in `outcomes`
    pub fn build(
        model: &Model,
        q: &WhoCanQuery,
        resolved: Option<&ResolvedResource>,
        outcomes: &mut Vec<OutcomeInfo>,
    ) -> Chained {
        let graph = RoleGraph::build(model, &q.context);
        let hops: Vec<Vec<PairHop>> = (0..model.pairs().len())
            .into_par_iter()
            .map(|p| pair_hops(model, q, &graph, PairIx::new(p)))
            .collect();
        // Chains after each first hop, and the last roles they need decided.
        let mut conts: HashMap<usize, Vec<Vec<usize>>> = HashMap::new();
        for h in hops.iter().flatten() {
            conts
                .entry(h.hop.role)
                .or_insert_with(|| graph.continuations(h.hop.role, 1, q.max_hops));
        }
        let mut needed = BTreeSet::new();
        for h in hops.iter().flatten() {
            for c in std::iter::once(&Vec::new()).chain(&conts[&h.hop.role]) {
                let rest = graph.hops(h.hop.role, c);
                let last = rest.last().map_or(h.hop.role, |x| x.role);
                let (t, s) = caller_chosen(std::iter::once(&h.hop).chain(rest));
                needed.insert((last, t, s));
            }
        }
        let finals = finals(model, q, resolved, needed);
        // Rows per pair, numbered locally, then merged.
        let local: Vec<(Vec<PairHopHits>, Vec<ChainInfo>, Vec<OutcomeInfo>)> = hops
            .into_par_iter()
            .enumerate()
            .map(|(p, list)| {
                pair_chain_hits(model, q, &graph, &conts, &finals, PairIx::new(p), list)
            })
            .collect();
        let mut chains = Vec::new();
        let mut per_pair = Vec::with_capacity(local.len());
        for (mut hits, c, o) in local {
            let (co, oo) = (chains.len() as u32, outcomes.len() as u32);
            for h in &mut hits {
                for l in &mut h.lists {
                    for x in l.iter_mut() {
                        x.1 += co;
                        x.2 += oo;
                    }
                }
            }
            chains.extend(c);
            outcomes.extend(o);
            per_pair.push(hits);
        }
        Chained {
            graph,
            chains,
            per_pair,
        }
    }
}

/// A hop's distinct conditions and each user's index into them
type Settled = (Vec<Option<Residual>>, PerUser);

/// The index of `c` in `conds`, added when new
fn intern_cond(conds: &mut Vec<Option<Residual>>, c: Option<Residual>) -> u32 {
    match conds.iter().position(|x| *x == c) {
        Some(i) => i as u32,
        None => {
            conds.push(c);
            (conds.len() - 1) as u32
        }
    }
}

/// The hops out of pair `p` into the roles that trust it, settled per user
fn pair_hops(model: &Model, q: &WhoCanQuery, graph: &RoleGraph, p: PairIx) -> Vec<PairHop> {
    let (ps, acct) = model.pair(p);
    let account_id = &model.accounts()[acct].id;
    let set = model.policy_set(ps, acct);
    let labels = model.identity_labels(ps, acct);
    let role = model.provisioned_role(ps, acct);
    let (caller, base) = pair_caller(model, ps, acct, "user", &set, &labels);
    let mut out = Vec::new();
    // Trust policies of many roles often leave the same condition on the
    // user (`aws:PrincipalTag/team = "data"`): settled once per pair.
    let mut settled: HashMap<String, Settled> = HashMap::new();
    for to in graph.targets_for(account_id) {
        let per_session = model.iam_principals()[to]
            .trust
            .as_deref()
            .is_some_and(|t| super::names_sessions_of(t, &role.name));
        let mut conds: Vec<Option<Residual>> = Vec::new();
        let mut by_user = PerUser::All(NONE);
        let mut template = None;
        if per_session {
            // The trust policy names sessions one by one: decide per user.
            let mut per_user: FxHashMap<UserIx, u32> = Default::default();
            for u in model.pair_user_ids(p) {
                let ctx = super::principal_context(model, u, acct, &role);
                let (c, _) = pair_caller(model, ps, acct, &model.user(u).user_name, &set, &labels);
                if let Some((_, h)) = decide_hop(model, &c, &ctx, to, &q.context) {
                    per_user.insert(u, intern_cond(&mut conds, h.condition.clone()));
                    template.get_or_insert(h);
                }
            }
            by_user = PerUser::User(Arc::new(per_user));
        } else if let Some((_, h)) = decide_hop(model, &caller, &base, to, &q.context) {
            match &h.condition {
                Some(r) if super::user_keys(r).is_some() => {
                    let (c, b) = settled.entry(r.to_string()).or_insert_with(|| {
                        let mut cs = Vec::new();
                        let b =
                            super::settle_per_user(model, &base, acct, &role, p, r, |t| match t {
                                Tri::True => intern_cond(&mut cs, None),
                                Tri::False => NONE,
                                Tri::Residual(rest) => intern_cond(&mut cs, Some(rest)),
                            });
                        (cs, b)
                    });
                    conds = c.clone();
                    by_user = b.clone();
                }
                c => {
                    let i = intern_cond(&mut conds, c.clone());
                    by_user = PerUser::All(i);
                }
            }
            template = Some(h);
        }
        if let Some(hop) = template {
            if by_user.any() {
                out.push(PairHop {
                    hop,
                    conds,
                    by_user,
                });
            }
        }
    }
    out
}

/// The chained hits of pair `p`: per hop out of it, per distinct first-hop
/// condition, every chain's (last account, chain, outcome), numbered locally
fn pair_chain_hits(
    model: &Model,
    q: &WhoCanQuery,
    graph: &RoleGraph,
    conts: &HashMap<usize, Vec<Vec<usize>>>,
    finals: &Finals,
    p: PairIx,
    hops: Vec<PairHop>,
) -> (Vec<PairHopHits>, Vec<ChainInfo>, Vec<OutcomeInfo>) {
    let (ps, acct) = model.pair(p);
    let ps_name = &model.snapshot().permission_sets[ps].name;
    let account = &model.accounts()[acct];
    let sign_in = PathStep {
        step: "sign-in",
        principal: model.provisioned_role(ps, acct).arn,
        account_id: account.id.clone(),
        account_name: account.name.clone(),
        permission_set: Some(ps_name.clone()),
        condition: None,
        deciding: Vec::new(),
    };
    let mut chains = Vec::new();
    let mut outcomes: Vec<OutcomeInfo> = Vec::new();
    let mut out = Vec::with_capacity(hops.len());
    for h in hops {
        let mut lists = Vec::with_capacity(h.conds.len());
        for first in &h.conds {
            let mut list = Vec::new();
            for c in std::iter::once(&Vec::new()).chain(&conts[&h.hop.role]) {
                let rest = graph.hops(h.hop.role, c);
                let last = rest.last().map_or(h.hop.role, |x| x.role);
                let last_account = model.iam_principals()[last].account;
                if q.accounts
                    .as_ref()
                    .is_some_and(|f| !f.contains(&last_account))
                {
                    continue;
                }
                let flags = caller_chosen(std::iter::once(&h.hop).chain(rest.iter().copied()));
                let Some(groups) = finals.get(&(last, flags.0, flags.1)) else {
                    continue;
                };
                if groups.is_empty() {
                    continue;
                }
                let steps: Vec<(&Hop, Option<&Residual>)> =
                    std::iter::once((&h.hop, first.as_ref()))
                        .chain(rest.iter().map(|x| (*x, x.condition.as_ref())))
                        .collect();
                let mut via_suffix = format!(" → {ps_name}@{}", account.name);
                for (x, _) in &steps {
                    via_suffix.push_str(" → ");
                    via_suffix.push_str(&role_label(model, x.role));
                }
                let mut path = vec![sign_in.clone()];
                path.extend(hop_steps(model, steps.iter().copied()));
                chains.push(ChainInfo { via_suffix, path });
                let chain = (chains.len() - 1) as u32;
                let hop_conds: Vec<Option<Residual>> =
                    steps.iter().map(|(_, c)| c.cloned()).collect();
                for g in groups {
                    let cond = and_all(hop_conds.iter().chain(std::iter::once(&g.condition)));
                    outcomes.push(OutcomeInfo {
                        decision: decision_of(&cond),
                        condition: cond.map(|r| r.to_string()),
                        actions: g.actions.clone(),
                        deciding: g.deciding.clone(),
                    });
                    list.push((last_account, chain, (outcomes.len() - 1) as u32));
                }
            }
            lists.push(list);
        }
        out.push(PairHopHits {
            by_user: h.by_user,
            lists,
        });
    }
    (out, chains, outcomes)
}

/// Where a trust edge of the organization graph starts
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeFrom {
    /// The session role of an Identity Center (permission set, account) pair
    Pair(PermissionSetIx, AccountIx),
    /// An IAM user or role (index into `Model::iam_principals()`)
    Iam(usize),
}

/// Every `sts:AssumeRole` edge reachable within `max_hops` from the
/// Identity Center pairs of `user` (every pair when `None`) and its account
/// access manager sessions, and, for the whole organization, from every IAM
/// user and role: the trust edges the organization graph draws
pub fn trust_edges(model: &Model, user: Option<UserIx>, max_hops: usize) -> Vec<(EdgeFrom, Hop)> {
    if max_hops == 0 {
        return Vec::new();
    }
    let graph = RoleGraph::build(model, &[]);
    let pairs: Vec<(PermissionSetIx, AccountIx)> = match user {
        Some(u) => model.user_pairs(u),
        None => model.pairs().to_vec(),
    };
    let mut out = Vec::new();
    let mut frontier: Vec<(usize, usize)> = Vec::new();
    for (ps, acct) in pairs {
        let set = model.policy_set(ps, acct);
        let labels = model.identity_labels(ps, acct);
        let name = user.map_or("user", |u| model.snapshot().users[u].user_name.as_str());
        let (caller, pair_ctx) = pair_caller(model, ps, acct, name, &set, &labels);
        let ctx = match user {
            Some(u) => {
                let role = model.provisioned_role(ps, acct);
                super::principal_context(model, u, acct, &role)
            }
            None => pair_ctx,
        };
        let account_id = &model.accounts()[acct].id;
        for h in first_hops(model, &graph, &caller, &ctx, account_id, None, &[]) {
            frontier.push((h.role, 1));
            out.push((EdgeFrom::Pair(ps, acct), h));
        }
    }
    // A user's account access manager sessions start chains too: their
    // first hops decided with the user's own session (its tags).
    if let Some(u) = user {
        for s in super::entitlement::sessions(model, super::Subject::User(u), &[]) {
            for h in s.first_hops(model, &graph, &[]) {
                frontier.push((h.role, 1));
                out.push((EdgeFrom::Iam(s.role), h));
            }
        }
    }
    // Onward from the roles reached (a user's view), or from every IAM
    // principal (the organization's).
    let mut seen = BTreeSet::new();
    if user.is_none() {
        frontier = (0..model.iam_principals().len()).map(|i| (i, 0)).collect();
    }
    while let Some((from, depth)) = frontier.pop() {
        if depth >= max_hops || !seen.insert(from) {
            continue;
        }
        for h in &graph.edges[from] {
            out.push((EdgeFrom::Iam(from), h.clone()));
            frontier.push((h.role, depth + 1));
        }
    }
    out.sort_by_key(|(from, h)| (*from, h.role));
    out.dedup_by(|a, b| a.0 == b.0 && a.1.role == b.1.role);
    out
}
