//! This module answers who-can for the IAM users and roles of the
//! snapshot's IAM data, directly and through the role chains they open. No
//! IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use super::*;

/// IAM users and roles of the snapshot's IAM data in `accounts` (all when
/// `None`), not the Identity Center roles, which are answered through their
/// users; indices into [`Model::iam_principals`]
pub fn iam_subjects(model: &Model, accounts: Option<&BTreeSet<AccountIx>>) -> Vec<usize> {
    model
        .iam_principals()
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.identity_center && accounts.is_none_or(|f| f.contains(&p.account)))
        .map(|(i, _)| i)
        .collect()
}

/// The session name IAM role sessions are shown with
pub(crate) const IAM_SESSION: &str = "accessgraph";

/// IAM users and roles of the snapshot's IAM data (not the Identity Center
/// roles, which are answered through their users), directly and through
/// the role chains they open
pub(crate) fn iam_rows(
    model: &Model,
    q: &WhoCanQuery,
    resolved: Option<&ResolvedResource>,
    graph: Option<&chain::RoleGraph>,
    notes: &[String],
) -> Vec<WhoCanRow> {
    let iam = model.iam_principals();
    let subjects = iam_subjects(model, None);
    let row = |p: &IamPrincipal,
               last: AccountIx,
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
            decision: chain::decision_of(&cond),
            condition: cond.map(|r| r.to_string()),
            actions: g.actions.clone(),
            deciding: g.deciding.clone(),
            disabled: false,
            path,
            notes: notes.to_vec(),
        }
    };
    let in_scope = |acct: AccountIx| q.accounts.as_ref().is_none_or(|f| f.contains(&acct));
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
