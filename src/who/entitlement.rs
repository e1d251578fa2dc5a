//! This module follows AWS account access manager entitlements: an
//! Identity Center user or group given an IAM role in an account directly,
//! with no permission set (`design.md`, "Applications and entitlements").
//! No IO here.
//!
//! The service assumes the role for the user: the role's trust policy must
//! allow the service principal `account-access.amazonaws.com` to
//! `sts:AssumeRole` and `sts:SetContext`, and `sts:TagSession` when session
//! tags are passed (AWS's "prepare IAM roles" page for account access
//! manager). The service sends `aws:SourceAccount` (the application's
//! account) and `aws:SourceArn` (the application's ARN), so a trust
//! condition on them is decided with those values; the trust is decided
//! like any resource policy, RCPs of the role's account included.
//!
//! Session tags: the page says `sts:TagSession` is needed where the
//! identity source's attributes become session tags. accessgraph takes
//! that to be the case exactly when the instance has attributes for access
//! control enabled with at least one attribute (then the session carries
//! the user's values as `aws:PrincipalTag/*`, over the role's own tags of
//! the same key); the documentation does not say more, so this reading is
//! stated in the answer's notes and in `docs/applications.md`.
//!
//! Once assumed, the session is the role's: its identity policies,
//! boundary and the SCPs of its account decide.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use serde::Serialize;

use super::*;
use crate::snapshot::{AccessApplication, Entitlement, PrincipalType};

/// The service principal of account access manager
pub const ACCOUNT_ACCESS_SERVICE: &str = "account-access.amazonaws.com";

/// Whether an entitlement can be used, and if not, why
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum EntitlementStatus {
    /// The trust lets the service in: the user gets the role's session
    Usable,
    /// The role's account has IAM data and the role is not in it
    RoleMissing,
    /// The role's account has no IAM data in the snapshot: undecided
    NoIamData,
    /// The role's trust policy does not allow the service these actions
    TrustDenies {
        /// The actions refused (`sts:AssumeRole`, `sts:SetContext`,
        /// `sts:TagSession`)
        actions: Vec<String>,
    },
}

impl EntitlementStatus {
    /// `usable`, `role-missing`, `no-iam-data` or `trust-denies`
    pub fn code(&self) -> &'static str {
        match self {
            EntitlementStatus::Usable => "usable",
            EntitlementStatus::RoleMissing => "role-missing",
            EntitlementStatus::NoIamData => "no-iam-data",
            EntitlementStatus::TrustDenies { .. } => "trust-denies",
        }
    }
}

/// One entitlement, decided
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitlementCheck {
    /// The application's id (the last part of its ARN)
    pub application: String,
    /// The application's ARN
    pub application_arn: String,
    /// The entitlement
    pub entitlement: Entitlement,
    /// The role, when in the snapshot (index into `Model::iam_principals`)
    pub role: Option<usize>,
    /// The role's account, when in the organization
    pub account: Option<AccountIx>,
    /// Whether it can be used
    pub status: EntitlementStatus,
    /// The trust statements that let the service in
    pub deciding: Vec<String>,
}

/// Whether the sessions account access manager opens carry session tags
/// (attributes for access control enabled with some attribute; see the
/// module documentation)
pub fn session_tags_passed(model: &Model) -> bool {
    model
        .snapshot()
        .identity_center
        .as_ref()
        .is_some_and(|ic| ic.abac.enabled && !ic.abac.attributes.is_empty())
}

/// The actions the role's trust must allow the service
pub fn required_actions(tags: bool) -> Vec<&'static str> {
    let mut out = vec!["sts:AssumeRole", "sts:SetContext"];
    if tags {
        out.push("sts:TagSession");
    }
    out
}

/// Decides one entitlement of `app`
pub fn check_entitlement(
    model: &Model,
    app: &AccessApplication,
    e: &Entitlement,
) -> EntitlementCheck {
    let account = model.find_account_id(&e.account_id);
    let role = model
        .find_iam(&e.role_arn)
        .filter(|&i| model.iam_principals()[i].kind == IamKind::Role);
    let has_iam = model
        .snapshot()
        .iam
        .iter()
        .any(|a| a.account_id == e.account_id);
    let mut deciding = Vec::new();
    let status = match (role, has_iam) {
        (None, true) => EntitlementStatus::RoleMissing,
        (None, false) => EntitlementStatus::NoIamData,
        (Some(r), _) => {
            let p = &model.iam_principals()[r];
            let mut ctx = Context::closed();
            ctx.set(
                "aws:PrincipalServiceName",
                CtxValue::single(ACCOUNT_ACCESS_SERVICE),
            );
            ctx.set("aws:PrincipalIsAWSService", CtxValue::single("true"));
            ctx.set("aws:SourceArn", CtxValue::single(app.arn.clone()));
            match app.account_id() {
                Some(a) => ctx.set("aws:SourceAccount", CtxValue::single(a)),
                None => ctx.set_absent("aws:SourceAccount"),
            }
            let set = PolicySet {
                identity: Vec::new(),
                boundary: None,
                session: None,
                resource: p.trust.clone(),
                scps: None,
                rcps: model.rcps_of(p.account),
            };
            let mut refused = Vec::new();
            for action in required_actions(session_tags_passed(model)) {
                let Ok(req) = Request::new(
                    ACCOUNT_ACCESS_SERVICE,
                    action,
                    &e.role_arn,
                    Some(&e.account_id),
                ) else {
                    continue;
                };
                let ev = evaluate(&req, &ctx, &set);
                if ev.decision() == Decision::Allow {
                    for s in &ev.deciding {
                        let label = format!("trust policy of {}: {}", p.name, stmt_label(s, &[]));
                        if !deciding.contains(&label) {
                            deciding.push(label);
                        }
                    }
                } else {
                    refused.push(action.to_owned());
                }
            }
            if refused.is_empty() {
                EntitlementStatus::Usable
            } else {
                EntitlementStatus::TrustDenies { actions: refused }
            }
        }
    };
    EntitlementCheck {
        application: app.short_id().to_owned(),
        application_arn: app.arn.clone(),
        entitlement: e.clone(),
        role,
        account,
        status,
        deciding,
    }
}

/// Every entitlement of the snapshot, decided, in the snapshot's order
pub fn entitlements(model: &Model) -> Vec<EntitlementCheck> {
    let Some(aa) = &model.snapshot().account_access else {
        return Vec::new();
    };
    aa.applications
        .iter()
        .flat_map(|app| {
            app.entitlements
                .iter()
                .flatten()
                .map(move |e| check_entitlement(model, app, e))
        })
        .collect()
}

/// The users an entitlement (or an application assignment) reaches and
/// how: `direct` or `group:<name>`; none for an unknown principal
pub fn principal_users(
    model: &Model,
    principal_type: PrincipalType,
    principal_id: &str,
) -> Vec<(UserIx, String)> {
    match principal_type {
        PrincipalType::User => model
            .user_by_id(principal_id)
            .map(|u| vec![(u, "direct".to_owned())])
            .unwrap_or_default(),
        PrincipalType::Group => match model.group_by_id(principal_id) {
            Some(g) => {
                let via = format!("group:{}", model.group(g).name);
                model
                    .group_members(g)
                    .iter()
                    .map(|&u| (u, via.clone()))
                    .collect()
            }
            None => Vec::new(),
        },
    }
}

/// The session context of a user's entitlement session into `role`: the
/// role's keys, its tags, and the user's attribute values as session tags
/// over them when session tags are passed
pub fn entitlement_context(model: &Model, role: usize, user: UserIx, tags: bool) -> Context {
    let p = &model.iam_principals()[role];
    let account = &model.accounts()[p.account];
    let mut ctx = Context::open();
    ctx.set("aws:PrincipalArn", CtxValue::single(p.arn.clone()));
    ctx.set("aws:PrincipalAccount", CtxValue::single(account.id.clone()));
    ctx.set("aws:PrincipalType", CtxValue::single("AssumedRole"));
    ctx.set("aws:PrincipalIsAWSService", CtxValue::single("false"));
    add_org_keys(&mut ctx, model, p.account);
    ctx.absent_prefix("aws:PrincipalTag/");
    for (k, v) in &session_tags(model, role, user, tags) {
        ctx.set(
            &format!("aws:PrincipalTag/{k}"),
            CtxValue::single(v.clone()),
        );
    }
    ctx
}

/// The principal tags of a user's entitlement session into `role`: the
/// role's own, with the user's attribute values over them when session tags
/// are passed
pub fn session_tags(
    model: &Model,
    role: usize,
    user: UserIx,
    tags: bool,
) -> BTreeMap<String, String> {
    let mut all = model.iam_principals()[role].tags.clone();
    if tags {
        all.extend(
            model
                .principal_tags(user)
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
    }
    all
}

/// The who-can rows entitlements give: each user an entitlement reaches
/// (through a usable entitlement), with the role session's decision, and,
/// with `graph`, one row per chain out of that session (its first hop
/// decided with the user's own session tags, the rest along the graph), in
/// the chain's last account
pub(crate) fn entitlement_rows(
    model: &Model,
    q: &WhoCanQuery,
    resolved: Option<&ResolvedResource>,
    graph: Option<&chain::RoleGraph>,
    notes: &[String],
) -> Vec<WhoCanRow> {
    let tags = session_tags_passed(model);
    let in_scope = |a: AccountIx| q.accounts.as_ref().is_none_or(|f| f.contains(&a));
    // Per usable entitlement, its users, and per distinct set of principal
    // tags: the session's own answer and the chains out of it.
    type Class = (Vec<chain::ActionGroup>, Vec<Vec<chain::Hop>>);
    let mut found = Vec::new();
    let mut needed = BTreeSet::new();
    for c in entitlements(model) {
        let (Some(role), EntitlementStatus::Usable) = (c.role, &c.status) else {
            continue;
        };
        let p = &model.iam_principals()[role];
        let account = &model.accounts()[p.account];
        let e = &c.entitlement;
        // Each user with its class: decided once per distinct set of tags.
        let users: Vec<(UserIx, String, u32)> =
            principal_users(model, e.principal_type, &e.principal_id)
                .into_iter()
                .filter(|(u, _)| q.include_disabled || model.user_enabled(*u))
                .map(|(u, how)| (u, how, if tags { model.tag_class(u) } else { 0 }))
                .collect();
        let mut classes: BTreeMap<u32, Class> = BTreeMap::new();
        for (user, _, class) in &users {
            classes.entry(*class).or_insert_with(|| {
                let caller = chain::Caller {
                    arn: p.caller_arn(&account.id, &model.user(*user).user_name),
                    set: &p.set,
                    labels: &p.labels,
                };
                let ctx = entitlement_context(model, role, *user, tags);
                let own = if in_scope(p.account) {
                    chain::decide_actions(model, q, resolved, &caller, &account.id, &ctx)
                } else {
                    Vec::new()
                };
                let chains = graph.map_or_else(Vec::new, |g| {
                    chain::chains_from(
                        model,
                        g,
                        &caller,
                        &ctx,
                        &account.id,
                        Some(role),
                        &q.context,
                        q.max_hops,
                    )
                });
                for hops in &chains {
                    if let Some(last) = hops.last() {
                        let (t, s) = chain::caller_chosen(hops);
                        needed.insert((last.role, t, s));
                    }
                }
                (own, chains)
            });
        }
        found.push((c, role, users, classes));
    }
    let finals = chain::finals(model, q, resolved, needed);
    let mut row_notes = notes.to_vec();
    if tags {
        row_notes.push(
            "entitlement session: the user's attributes for access control are taken as its session tags"
                .to_owned(),
        );
    }
    let mut rows = Vec::new();
    for (c, role, users, classes) in found {
        let p = &model.iam_principals()[role];
        let account = &model.accounts()[p.account];
        let first = PathStep {
            step: "entitlement",
            principal: p.arn.clone(),
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            permission_set: None,
            condition: None,
            deciding: c.deciding.clone(),
        };
        for (user, how, class) in users {
            let Some((own, chains)) = classes.get(&class) else {
                continue;
            };
            let via = match how.as_str() {
                "direct" => format!("entitlement:{}", c.application),
                g => format!("entitlement:{} ({g})", c.application),
            };
            let row = |last: AccountIx,
                       via: String,
                       g: &chain::ActionGroup,
                       cond: Option<Residual>,
                       path| {
                let account = &model.accounts()[last];
                WhoCanRow {
                    principal: model.user(user).user_name.clone(),
                    principal_type: "identity-center-user",
                    via,
                    permission_set: None,
                    account_id: account.id.clone(),
                    account_name: account.name.clone(),
                    decision: chain::decision_of(&cond),
                    condition: cond.as_ref().map(ToString::to_string),
                    actions: g.actions.clone(),
                    deciding: g.deciding.clone(),
                    disabled: !model.user_enabled(user),
                    path,
                    notes: row_notes.clone(),
                }
            };
            for g in own {
                rows.push(row(
                    p.account,
                    via.clone(),
                    g,
                    g.condition.clone(),
                    vec![first.clone()],
                ));
            }
            for hops in chains {
                let Some(last) = hops.last() else { continue };
                let last_account = model.iam_principals()[last.role].account;
                if !in_scope(last_account) {
                    continue;
                }
                let (t, s) = chain::caller_chosen(hops);
                let Some(groups) = finals.get(&(last.role, t, s)) else {
                    continue;
                };
                let mut chain_via = via.clone();
                for h in hops {
                    chain_via.push_str(" → ");
                    chain_via.push_str(&chain::role_label(model, h.role));
                }
                let mut path = vec![first.clone()];
                path.extend(chain::hop_steps(
                    model,
                    hops.iter().map(|h| (h, h.condition.as_ref())),
                ));
                for g in groups {
                    let cond = chain::and_all(
                        hops.iter()
                            .map(|h| &h.condition)
                            .chain(std::iter::once(&g.condition)),
                    );
                    rows.push(row(last_account, chain_via.clone(), g, cond, path.clone()));
                }
            }
        }
    }
    rows
}

/// An account access manager session of a what-can subject: the user's
/// own (its entitlements and its groups'), or, for a group, a member's
/// whose attributes are unknown
pub(crate) struct Session {
    /// `entitlement:<application>` and how (`(group:<name>)`)
    pub(crate) via: String,
    /// The application's id
    pub(crate) application: String,
    /// Whom the entitlement names: the user itself, or a group
    pub(crate) through: Via,
    /// The entitled role (index into `Model::iam_principals`)
    pub(crate) role: usize,
    /// The session's context
    pub(crate) ctx: Context,
    /// The session's ARN
    pub(crate) arn: String,
    /// Its principal tags, as far as known (a group's members' attributes
    /// are not)
    pub(crate) principal_tags: BTreeMap<String, String>,
}

impl Session {
    /// The session as the caller of an `sts:AssumeRole`
    fn caller<'a>(&self, model: &'a Model) -> chain::Caller<'a> {
        let p = &model.iam_principals()[self.role];
        chain::Caller {
            arn: self.arn.clone(),
            set: &p.set,
            labels: &p.labels,
        }
    }

    /// The hops out of the session ([`chain::first_hops`])
    pub(crate) fn first_hops(
        &self,
        model: &Model,
        graph: &chain::RoleGraph,
        query: &[(String, CtxValue)],
    ) -> Vec<chain::Hop> {
        let account_id = &model.accounts()[model.iam_principals()[self.role].account].id;
        let caller = self.caller(model);
        chain::first_hops(
            model,
            graph,
            &caller,
            &self.ctx,
            account_id,
            Some(self.role),
            query,
        )
    }

    /// The chains out of the session ([`chain::chains_from`])
    pub(crate) fn chains(
        &self,
        model: &Model,
        graph: &chain::RoleGraph,
        query: &[(String, CtxValue)],
        max_hops: usize,
    ) -> Vec<Vec<chain::Hop>> {
        let account_id = &model.accounts()[model.iam_principals()[self.role].account].id;
        let caller = self.caller(model);
        chain::chains_from(
            model,
            graph,
            &caller,
            &self.ctx,
            account_id,
            Some(self.role),
            query,
            max_hops,
        )
    }
}

/// The account access manager sessions of a user (its entitlements and
/// its groups') or of a group, through usable entitlements, with the
/// question's `context` keys set (in any account: the filter is the
/// caller's)
pub(crate) fn sessions(
    model: &Model,
    subject: Subject,
    context: &[(String, CtxValue)],
) -> Vec<Session> {
    let tags = session_tags_passed(model);
    let mut out = Vec::new();
    for c in entitlements(model) {
        let (Some(role), EntitlementStatus::Usable) = (c.role, &c.status) else {
            continue;
        };
        let e = &c.entitlement;
        let how = match subject {
            Subject::User(u) => principal_users(model, e.principal_type, &e.principal_id)
                .into_iter()
                .find(|(x, _)| *x == u)
                .map(|(_, how)| how),
            Subject::Group(g) => (e.principal_type == PrincipalType::Group
                && model.group_by_id(&e.principal_id) == Some(g))
            .then(|| format!("group:{}", model.group(g).name)),
        };
        let Some(how) = how else { continue };
        let p = &model.iam_principals()[role];
        let account = &model.accounts()[p.account];
        let (mut ctx, arn, principal_tags) = match subject {
            Subject::User(u) => (
                entitlement_context(model, role, u, tags),
                p.caller_arn(&account.id, &model.user(u).user_name),
                session_tags(model, role, u, tags),
            ),
            Subject::Group(_) => {
                let mut ctx = iam_context(model, role);
                let attributes = model.snapshot().identity_center.iter();
                for a in attributes
                    .flat_map(|ic| &ic.abac.attributes)
                    .filter(|_| tags)
                {
                    ctx.set_unknown(&format!("aws:PrincipalTag/{}", a.key));
                }
                (ctx, p.caller_arn(&account.id, "user"), p.tags.clone())
            }
        };
        for (k, v) in context {
            ctx.set(k, v.clone());
        }
        let via = match how.as_str() {
            "direct" => format!("entitlement:{}", c.application),
            g => format!("entitlement:{} ({g})", c.application),
        };
        let through = match e.principal_type {
            PrincipalType::Group => model
                .group_by_id(&e.principal_id)
                .map_or(Via::Direct, Via::Group),
            PrincipalType::User => Via::Direct,
        };
        out.push(Session {
            via,
            application: c.application.clone(),
            through,
            role,
            ctx,
            arn,
            principal_tags,
        });
    }
    out
}

/// What-can rows through the entitlements of a user (its own and its
/// groups') or of a group: one set per usable entitlement, in the role's
/// account, decided with the role's policies (`permission_set` holds the
/// role's name). A group's members' attributes are unknown, so grants on
/// their session tags are conditional.
pub(crate) fn entitlement_what_can(
    model: &Model,
    q: &WhatCanQuery,
    cat: &profile::CatalogActions,
) -> Vec<WhatCanRow> {
    let mut rows = Vec::new();
    for s in sessions(model, q.subject, &q.context) {
        let p = &model.iam_principals()[s.role];
        if q.accounts.as_ref().is_some_and(|f| !f.contains(&p.account)) {
            continue;
        }
        let account = &model.accounts()[p.account];
        let answers = profile::decide_all(&p.set, &s.ctx, &s.arn, &account.id, &cat.names);
        let escalation = profile::decide_all(&p.set, &s.ctx, &s.arn, &account.id, &cat.escalation);
        let (by, admin) = summarize_answers(&cat.actions, &answers, &escalation);
        push_rows(
            &mut rows,
            account,
            &format!("role {}", p.name),
            &s.via,
            &by,
            admin,
        );
    }
    rows
}
