//! This module answers what-can: what a user or group can do, per account
//! and permission set (and role chain), summarized by service and access
//! level over the action catalog. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use super::*;

/// Whose access `what_can` summarizes
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A user (principal tags known)
    User(UserIx),
    /// A group (members' principal tags unknown: ABAC grants are conditional)
    Group(GroupIx),
}

/// A what-can question
#[derive(Debug, Clone)]
pub struct WhatCanQuery {
    /// Whose access
    pub subject: Subject,
    /// Only these accounts
    pub accounts: Option<BTreeSet<AccountIx>>,
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
pub(crate) type Summary = BTreeMap<(String, &'static str), (usize, usize, usize, BTreeSet<String>)>;

/// Actions that let a principal give itself any permission: allowed
/// outright on any resource, they make a permission set admin-equivalent
pub const ESCALATION_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:PassRole",
];

/// Pairs sharing one policy set: (permission set, account, paths)
pub(crate) type Members = Vec<(PermissionSetIx, AccountIx, Vec<String>)>;

/// Per (service, access level): allowed, conditional, total, distinct residuals
pub(crate) type RawSummary<'a> =
    BTreeMap<(&'a str, &'static str), (usize, usize, usize, Vec<&'a crate::eval::tri::Residual>)>;

/// Keys that differ between the accounts a permission set is assigned in
pub(crate) const ACCOUNT_KEYS: &[&str] = &[
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgPaths",
    "aws:userid",
];

pub(crate) fn ptr_of(p: &Arc<Policy>) -> usize {
    Arc::as_ptr(p) as usize
}

/// A policy set's identity: equal signatures mean equal policies
pub(crate) fn signature(ps: PermissionSetIx, set: &PolicySet) -> Vec<usize> {
    let mut sig = vec![ps.index()];
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
    let mut pairs: BTreeMap<(PermissionSetIx, AccountIx), Vec<String>> = BTreeMap::new();
    let mut add = |ps: PermissionSetIx, acct: AccountIx, via: String| {
        if q.accounts.as_ref().is_none_or(|f| f.contains(&acct)) {
            pairs.entry((ps, acct)).or_default().push(via);
        }
    };
    match q.subject {
        Subject::User(u) => {
            for a in &model.access(u) {
                let via = match a.via {
                    Via::Direct => "direct".to_owned(),
                    Via::Group(g) => format!("group:{}", model.snapshot().groups[g].name),
                };
                add(a.permission_set, a.account, via);
            }
        }
        Subject::Group(g) => {
            // The group's assignments as resolved at load (an empty group's too).
            for r in model.assignments().iter().flatten() {
                if r.principal == crate::graph::Principal::Group(g) {
                    add(
                        r.permission_set,
                        r.account,
                        format!("group:{}", model.group(g).name),
                    );
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
    let context_for = |acct: AccountIx, role: &ProvisionedRole| {
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
                let ps_name = &model.snapshot().permission_sets[*ps].name;
                push_rows(&mut out, account, ps_name, &vias.join(", "), by, *admin);
            }
            out
        })
        .collect();
    if q.max_hops > 0 {
        rows.extend(chained_what_can(model, q, &cat));
    }
    rows.extend(entitlement::entitlement_what_can(model, q, &cat));
    rows.sort();
    rows
}

/// Per (service, access level): allowed, conditional, total and up to three
/// conditions; and whether every escalation action is allowed outright
pub(crate) fn summarize_answers(
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
pub(crate) fn chained_what_can(
    model: &Model,
    q: &WhatCanQuery,
    cat: &profile::CatalogActions,
) -> Vec<WhatCanRow> {
    let graph = chain::RoleGraph::build(model, &q.context);
    let entries: Vec<(String, PermissionSetIx, AccountIx)> = match q.subject {
        Subject::User(u) => model
            .access(u)
            .iter()
            .map(|a| (via_text(model, a.via), a.permission_set, a.account))
            .collect(),
        Subject::Group(g) => {
            // The group's assignments as resolved at load (an empty group's too).
            let mut out: Vec<(String, PermissionSetIx, AccountIx)> = model
                .assignments()
                .iter()
                .flatten()
                .filter(|r| r.principal == crate::graph::Principal::Group(g))
                .map(|r| (via_text(model, Via::Group(g)), r.permission_set, r.account))
                .collect();
            out.sort();
            out.dedup();
            out
        }
    };
    // (via, the first session's label, the hops)
    let mut chains: Vec<(String, String, Vec<chain::Hop>)> = Vec::new();
    for (via, ps, acct) in entries {
        let set = model.policy_set(ps, acct);
        let labels = model.identity_labels(ps, acct);
        let role = model.provisioned_role(ps, acct);
        let user_name = match q.subject {
            Subject::User(u) => model.snapshot().users[u].user_name.as_str(),
            Subject::Group(_) => "user",
        };
        let (caller, pair_ctx) = chain::pair_caller(model, ps, acct, user_name, &set, &labels);
        let ctx = match q.subject {
            Subject::User(u) => principal_context(model, u, acct, &role),
            Subject::Group(_) => pair_ctx,
        };
        let account = &model.accounts()[acct];
        let ps_name = &model.snapshot().permission_sets[ps].name;
        let found = chain::chains_from(
            model,
            &graph,
            &caller,
            &ctx,
            &account.id,
            None,
            &q.context,
            q.max_hops,
        );
        for hops in found {
            let text = chain_text(model, &format!("{via} → {ps_name}@{}", account.name), &hops);
            chains.push((text, ps_name.clone(), hops));
        }
    }
    // And those an account access manager session opens.
    for s in entitlement::sessions(model, q.subject, &q.context) {
        let p = &model.iam_principals()[s.role];
        for hops in s.chains(model, &graph, &q.context, q.max_hops) {
            chains.push((
                chain_text(model, &s.via, &hops),
                format!("role {}", p.name),
                hops,
            ));
        }
    }
    type Decided = (Vec<Option<Answer>>, Vec<Option<Answer>>);
    let mut cache: HashMap<(usize, bool, bool), Decided> = HashMap::new();
    let mut rows = Vec::new();
    for (via, label, hops) in chains {
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
        push_rows(&mut rows, account, &label, &via, &by, admin);
    }
    rows
}

/// A chain's `via`: the start, then each role it assumes
fn chain_text(model: &Model, start: &str, hops: &[chain::Hop]) -> String {
    let mut text = start.to_owned();
    for h in hops {
        text.push_str(" → ");
        text.push_str(&chain::role_label(model, h.role));
    }
    text
}

/// One row per (service, access level) of a summary that allows anything
pub(crate) fn push_rows(
    out: &mut Vec<WhatCanRow>,
    account: &crate::snapshot::Account,
    permission_set: &str,
    via: &str,
    by: &Summary,
    admin: bool,
) {
    for ((service, level), (allowed, conditional, total, conds)) in by {
        if allowed + conditional == 0 {
            continue;
        }
        out.push(WhatCanRow {
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            permission_set: permission_set.to_owned(),
            via: via.to_owned(),
            service: service.clone(),
            access_level: level,
            allowed: *allowed,
            conditional: *conditional,
            total: *total,
            conditions: conds.iter().take(3).cloned().collect(),
            admin_equivalent: admin,
        });
    }
}
