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
    pub accounts: Option<BTreeSet<AccountIx>>,
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

/// The answer to a who-can question, factorized as the model is: each
/// (permission set, account) pair's outcomes per user (by tag class where
/// that is all they depend on), the outcomes (decision, condition,
/// actions, deciding statements) stored once and shared. The [`Hit`]s (one
/// per user, access path and outcome) are never held as a whole: they are
/// expanded user by user while rendering ([`WhoCanAnswer::hits`]).
#[derive(Debug, Default)]
pub struct WhoCanAnswer {
    /// Per pair of [`Model::pairs`]: an index into `parts`, or `NONE`
    part_of: Vec<u32>,
    /// The selected pairs' answers
    parts: Vec<PairAnswer>,
    /// Role chains out of each pair, when followed
    chained: Option<chain::Chained>,
    /// Answer for disabled users too
    include_disabled: bool,
    /// Per pair: whether it has a hit for some user (selected, or with
    /// chained hits)
    wanted: Vec<bool>,
    /// The users of the wanted pairs, in index order; `None` for all
    candidates: Option<Vec<UserIx>>,
    /// Number of Identity Center hits
    hit_count: usize,
    /// Outcomes referenced by hits
    pub outcomes: Vec<OutcomeInfo>,
    /// Role chains referenced by chained hits
    pub chains: Vec<ChainInfo>,
    /// The rows not through a permission set, already materialized and
    /// sorted: IAM users and roles, and Identity Center users through
    /// account access manager entitlements
    pub iam: Vec<WhoCanRow>,
    /// What every row must say about the resource (see [`ResolvedResource::notes`])
    pub notes: Vec<String>,
}

/// One pair's answer: per user, an index into `groups`
#[derive(Debug)]
struct PairAnswer {
    by_user: PerUser,
    /// Outcome lists (indices into the answer's `outcomes`, ascending)
    groups: Vec<Vec<u32>>,
}

/// No chain: a hit through the assignment itself
pub const NO_CHAIN: u32 = u32::MAX;

/// One Identity Center user reaching one account through one path
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// The user
    pub user: UserIx,
    /// Account index: where the request is made (the last role's account
    /// for a chain)
    pub account: AccountIx,
    /// The permission set
    pub permission_set: PermissionSetIx,
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
        self.hit_count + self.iam.len()
    }

    /// Whether nobody can
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of Identity Center hits
    pub fn hit_count(&self) -> usize {
        self.hit_count
    }

    /// The outcomes (indices into `outcomes`) user `u` gets through pair
    /// `p` itself, without chains: empty when the pair is not selected or
    /// gives the user nothing
    fn direct_outcomes(&self, model: &Model, p: PairIx, u: UserIx) -> &[u32] {
        let i = self.part_of[p.index()];
        if i == NONE {
            return &[];
        }
        let part = &self.parts[i as usize];
        match part.by_user.get(model, u) {
            NONE => &[],
            g => &part.groups[g as usize],
        }
    }

    /// The number of hits of one user
    fn user_count(&self, model: &Model, u: UserIx) -> usize {
        if !(self.include_disabled || model.user_enabled(u)) {
            return 0;
        }
        let mut n = 0;
        for (_, p) in model.access_unsorted(u) {
            if !self.wanted[p.index()] {
                continue;
            }
            n += self.direct_outcomes(model, p, u).len();
            if let Some(c) = &self.chained {
                n += c.count_of(model, p, u);
            }
        }
        n
    }

    /// The hits of one user, sorted: direct paths by (account, permission
    /// set, via), each path's outcomes in order, then the chained ones
    pub fn user_hits(&self, model: &Model, u: UserIx) -> Vec<Hit> {
        let mut out = Vec::new();
        if !(self.include_disabled || model.user_enabled(u)) {
            return out;
        }
        let mut list: Vec<(Access, PairIx)> = model
            .access_unsorted(u)
            .filter(|&(_, p)| self.wanted[p.index()])
            .collect();
        if list.is_empty() {
            return out;
        }
        list.sort_unstable();
        for &(a, p) in &list {
            out.extend(
                self.direct_outcomes(model, p, u)
                    .iter()
                    .map(|&outcome| Hit {
                        user: u,
                        account: a.account,
                        permission_set: a.permission_set,
                        via: a.via,
                        outcome,
                        chain: NO_CHAIN,
                    }),
            );
        }
        if let Some(c) = &self.chained {
            let start = out.len();
            for &(a, p) in &list {
                c.hits_of(model, p, u, |account, chain, outcome| {
                    out.push(Hit {
                        user: u,
                        account,
                        permission_set: a.permission_set,
                        via: a.via,
                        outcome,
                        chain,
                    });
                });
            }
            out[start..]
                .sort_unstable_by_key(|h| (h.account, h.permission_set, h.via, h.chain, h.outcome));
        }
        out
    }

    /// The users that may have hits, in index order
    fn users<'a>(&'a self, model: &'a Model) -> Box<dyn Iterator<Item = UserIx> + Send + 'a> {
        match &self.candidates {
            Some(c) => Box::new(c.iter().copied()),
            None => Box::new(model.user_ids()),
        }
    }

    /// Every Identity Center hit, sorted (user index, which is name order in
    /// a normalized snapshot, then [`WhoCanAnswer::user_hits`] order),
    /// expanded one user at a time
    pub fn hits<'a>(&'a self, model: &'a Model) -> impl Iterator<Item = Hit> + 'a {
        self.users(model)
            .flat_map(move |u| self.user_hits(model, u))
    }

    /// Renders every Identity Center hit in order with both cores: users are
    /// taken in blocks, each user's hits turned into a `T` by `render` in
    /// parallel, and the results handed to `sink` in order; only one block
    /// is held at a time
    ///
    /// # Errors
    /// The first error of `sink`.
    pub fn render_hits<T: Send, E>(
        &self,
        model: &Model,
        render: impl Fn(&[Hit]) -> T + Sync,
        mut sink: impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        const BLOCK: usize = 4096;
        let mut users: Vec<UserIx> = Vec::with_capacity(BLOCK);
        let mut flush = |users: &mut Vec<UserIx>| -> Result<(), E> {
            let parts: Vec<T> = users
                .par_iter()
                .map(|&u| render(&self.user_hits(model, u)))
                .collect();
            users.clear();
            parts.into_iter().try_for_each(&mut sink)
        };
        for u in self.users(model) {
            users.push(u);
            if users.len() == BLOCK {
                flush(&mut users)?;
            }
        }
        flush(&mut users)
    }

    /// The row of a hit
    pub fn row_of(&self, model: &Model, h: &Hit) -> WhoCanRow {
        let o = &self.outcomes[h.outcome as usize];
        let account = model.account(h.account);
        let user = h.user;
        let mut via = match h.via {
            Via::Direct => "direct".to_owned(),
            Via::Group(g) => format!("group:{}", model.snapshot().groups[g].name),
        };
        let chain = self.chains.get(h.chain as usize);
        if let Some(c) = chain {
            via.push_str(&c.via_suffix);
        }
        WhoCanRow {
            principal: model.snapshot().users[user].user_name.clone(),
            principal_type: "identity-center-user",
            via,
            permission_set: Some(model.permission_set(h.permission_set).name.clone()),
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

    /// Every row in order (Identity Center hits first, then IAM
    /// principals), materialized one at a time
    pub fn rows_iter<'a>(&'a self, model: &'a Model) -> impl Iterator<Item = WhoCanRow> + 'a {
        self.hits(model)
            .map(move |h| self.row_of(model, &h))
            .chain(self.iam.iter().cloned())
    }

    /// Every row, materialized (for small answers and tests)
    pub fn rows(&self, model: &Model) -> Vec<WhoCanRow> {
        self.rows_iter(model).collect()
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
    let selected: Vec<PairIx> = model
        .pair_ids()
        .filter(|&p| {
            q.accounts
                .as_ref()
                .is_none_or(|f| f.contains(&model.pair(p).1))
        })
        .collect();
    let results: Vec<PairResult> = selected
        .par_iter()
        .map(|&p| pair_outcomes(model, q, resolved.as_ref(), p))
        .collect();
    // Number the outcomes globally, pair by pair.
    let mut part_of = vec![NONE; model.pairs().len()];
    let mut outcomes = Vec::with_capacity(results.iter().map(|r| r.outcomes.len()).sum());
    let mut parts = Vec::with_capacity(results.len());
    for (i, (&p, r)) in selected.iter().zip(results).enumerate() {
        part_of[p.index()] = i as u32;
        let offset = outcomes.len() as u32;
        outcomes.extend(r.outcomes);
        let mut groups = r.groups;
        for ids in &mut groups {
            ids.iter_mut().for_each(|id| *id += offset);
        }
        parts.push(PairAnswer {
            by_user: r.by_user,
            groups,
        });
    }
    let mut chained =
        (q.max_hops > 0).then(|| chain::Chained::build(model, q, resolved.as_ref(), &mut outcomes));
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
    iam.extend(entitlement::entitlement_rows(
        model,
        q,
        resolved.as_ref(),
        chained.as_ref().map(|c| &c.graph),
        &notes,
    ));
    iam.sort();
    let chains = chained
        .as_mut()
        .map(|c| std::mem::take(&mut c.chains))
        .unwrap_or_default();
    let wanted: Vec<bool> = model
        .pair_ids()
        .map(|p| part_of[p.index()] != NONE || chained.as_ref().is_some_and(|c| c.has_hits(p)))
        .collect();
    // Only the users of the wanted pairs are walked (one account of many:
    // a few thousand users, not every user of the organization).
    let candidates = (wanted.iter().any(|w| !w)).then(|| {
        let mut seen = vec![false; model.snapshot().users.len()];
        for p in model.pair_ids().filter(|p| wanted[p.index()]) {
            for (u, _) in model.pair_users(p) {
                seen[u.index()] = true;
            }
        }
        model.user_ids().filter(|u| seen[u.index()]).collect()
    });
    let mut answer = WhoCanAnswer {
        part_of,
        parts,
        chained,
        include_disabled: q.include_disabled,
        wanted,
        candidates,
        hit_count: 0,
        outcomes,
        chains,
        iam,
        notes,
    };
    // Counted, not kept: the hits are expanded again while rendering.
    answer.hit_count = match &answer.candidates {
        Some(c) => c
            .par_iter()
            .with_min_len(256)
            .map(|&u| answer.user_count(model, u))
            .sum(),
        None => (0..model.snapshot().users.len())
            .into_par_iter()
            .with_min_len(256)
            .map(|u| answer.user_count(model, UserIx::new(u)))
            .sum(),
    };
    answer
}

/// No outcome
pub(crate) const NONE: u32 = u32::MAX;

/// What one (permission set, account) pair gives its users
pub(crate) struct PairResult {
    /// Per user: an index into `groups`, or `NONE`
    by_user: PerUser,
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
    pair: PairIx,
) -> PairResult {
    let (ps, acct) = model.pair(pair);
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
    // Per action, per user: an index into `local`, or NONE. Outcomes are
    // stored once per pair, never per user.
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
    let mut per_action: Vec<PerUser> = Vec::with_capacity(q.actions.len());
    for action in &q.actions {
        let request_for = |session: &str| match &q.resource {
            Some(r) => Request::new(session, action, r, res_account),
            None => Request::on_any_resource(session, action, &account.id),
        };
        let mut col = PerUser::All(NONE);
        if per_user {
            let mut by_user: FxHashMap<UserIx, u32> = Default::default();
            for u in model.pair_user_ids(pair) {
                let mut ctx = base.clone();
                add_user_keys(&mut ctx, model, u, acct, &role);
                let Ok(req) = request_for(&role.session_arn(&account.id, &model.user(u).user_name))
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
                    by_user.insert(u, intern_local(o, &mut local));
                }
            }
            col = PerUser::User(Arc::new(by_user));
        } else if let Ok(req) = request_for(&role.session_arn(&account.id, "user")) {
            let e = evaluate(&req, &base, &set);
            let deciding: Vec<String> = e.deciding.iter().map(|s| stmt_label(s, &labels)).collect();
            match &e.answer {
                Answer::Decided(Decision::Allow) => {
                    col = PerUser::All(intern_local(("allow", None, deciding), &mut local));
                }
                Answer::Decided(_) => {}
                Answer::Conditional(r) if user_keys(r).is_none() => {
                    // The condition does not depend on who the user is (an SCP
                    // region guard, a resource tag): the same for everyone.
                    col = PerUser::All(intern_local(
                        ("conditional", Some(r.to_string()), deciding),
                        &mut local,
                    ));
                }
                Answer::Conditional(r) => {
                    col = settle_per_user(model, &base, acct, &role, pair, r, |t| match t {
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
    // Walked once per key (tag class or user) in order of first appearance
    // among the pair's users: numbered as if walking every user.
    let (grain, keys) = keys_of(model, pair, &per_action);
    let mut outcomes: Vec<OutcomeInfo> = Vec::new();
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut by_signature: HashMap<Vec<u32>, u32> = HashMap::new();
    let mut signature: Vec<u32> = Vec::with_capacity(per_action.len());
    let mut by_key: Vec<(u32, u32)> = Vec::with_capacity(keys.len());
    for &(key, rep) in &keys {
        signature.clear();
        signature.extend(per_action.iter().map(|col| col.get(model, rep)));
        if signature.iter().all(|&x| x == NONE) {
            by_key.push((key, NONE));
            continue;
        }
        if let Some(&g) = by_signature.get(&signature) {
            by_key.push((key, g));
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
        by_key.push((key, g));
    }
    PairResult {
        by_user: per_user_of(grain, by_key.into_iter()),
        groups,
        outcomes,
    }
}
