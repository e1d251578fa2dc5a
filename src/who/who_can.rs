//! This module answers who-can: every Identity Center user (through each
//! assignment path and each role chain it opens) and IAM principal that can
//! do some actions, evaluated once per (permission set, account) pair and
//! fanned out to users. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use super::*;

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
pub(crate) const NONE: u32 = u32::MAX;

/// What one (permission set, account) pair gives its users
pub(crate) struct PairResult {
    /// Per position in the pair's users: an index into `groups`, or `NONE`
    by_position: Vec<u32>,
    /// Outcome lists (indices into `outcomes`, ascending) shared by users
    /// with equal answers
    groups: Vec<Vec<u32>>,
    /// The pair's distinct outcomes
    outcomes: Vec<OutcomeInfo>,
}

/// (decision, condition) → (actions, deciding statements)
pub(crate) type Grouped = BTreeMap<(&'static str, Option<String>), (Vec<String>, BTreeSet<String>)>;

/// The outcome of one action for one user: decision, condition, deciding
pub(crate) type Outcome = (&'static str, Option<String>, Vec<String>);

/// Whether a resource policy names sessions of `role_name` one by one
/// (`arn:aws:sts::A:assumed-role/<role>/<session>`): its `Principal` then
/// depends on the user's session name and is matched per user
pub(crate) fn names_sessions_of(policy: &Policy, role_name: &str) -> bool {
    policy.statements.iter().any(|s| {
        s.principal.as_ref().is_some_and(|p| {
            p.entries.iter().any(
                |e| matches!(e, crate::policy::PrincipalEntry::Session { role, .. } if role == role_name),
            )
        })
    })
}

pub(crate) fn pair_outcomes(
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
