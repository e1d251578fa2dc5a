//! This module decides one request for a user of the snapshot in an account
//! (every assignment path and every role chain that ends there) or for an
//! IAM user or role (`accessgraph simulate --user|--role`). No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use super::*;

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

pub(crate) fn via_text(model: &Model, via: Via) -> String {
    match via {
        Via::Direct => "direct".to_owned(),
        Via::Group(g) => format!("group:{}", model.snapshot().groups[g].name),
    }
}

/// Decides `action` for a caller with `set` and `ctx`, with the resource side
pub(crate) fn decide_one(
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
pub(crate) fn chained_paths(
    model: &Model,
    graph: &chain::RoleGraph,
    starts: Vec<(String, String, Vec<chain::Hop>)>,
    account: Option<AccountIx>,
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
    user: UserIx,
    account: AccountIx,
    q: &SimulateQuery<'_>,
) -> Vec<PathDecision> {
    let acct = &model.accounts()[account];
    let resolved = q.resource.map(|r| model.resolve_resource(r));
    let user_name = &model.snapshot().users[user].user_name;
    let mut out = Vec::new();
    for a in model.access(user).iter().filter(|a| a.account == account) {
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
            permission_set: model.snapshot().permission_sets[a.permission_set]
                .name
                .clone(),
            session_arn: session,
            principal_tags: model.principal_tags(user).clone(),
            evaluation,
            labels: model.identity_labels(a.permission_set, account),
            explanation,
            hops: Vec::new(),
        });
    }
    // Account access manager sessions: the entitled role's, for this user.
    let sessions = entitlement::sessions(model, Subject::User(user), q.context);
    for s in sessions.iter() {
        let p = &model.iam_principals()[s.role];
        if p.account != account {
            continue;
        }
        let Some((evaluation, explanation)) = decide_one(
            model,
            &s.arn,
            &acct.id,
            q,
            resolved.as_ref(),
            p.set.clone(),
            s.ctx.clone(),
        ) else {
            continue;
        };
        out.push(PathDecision {
            via: s.via.clone(),
            permission_set: format!("role {}", p.name),
            session_arn: s.arn.clone(),
            principal_tags: s.principal_tags.clone(),
            evaluation,
            labels: p.labels.clone(),
            explanation,
            hops: Vec::new(),
        });
    }
    if q.max_hops == 0 {
        return out;
    }
    let graph = chain::RoleGraph::build(model, q.context);
    let mut starts = Vec::new();
    for s in &sessions {
        let name = &model.iam_principals()[s.role].name;
        for hop in s.first_hops(model, &graph, q.context) {
            starts.push((s.via.clone(), format!("role {name}"), vec![hop]));
        }
    }
    for a in &model.access(user) {
        let set = model.policy_set(a.permission_set, a.account);
        let labels = model.identity_labels(a.permission_set, a.account);
        let role = model.provisioned_role(a.permission_set, a.account);
        let (caller, _) =
            chain::pair_caller(model, a.permission_set, a.account, user_name, &set, &labels);
        let ctx = principal_context(model, user, a.account, &role);
        let ps_name = &model.snapshot().permission_sets[a.permission_set].name;
        let account_id = &model.accounts()[a.account].id;
        let text = format!(
            "{} → {ps_name}@{}",
            via_text(model, a.via),
            model.accounts()[a.account].name
        );
        for hop in chain::first_hops(model, &graph, &caller, &ctx, account_id, None, q.context) {
            starts.push((text.clone(), ps_name.clone(), vec![hop]));
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
