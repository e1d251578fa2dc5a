//! Application grants and account access manager entitlements in the
//! access diff, beside the account assignments (`docs/check.md`).
//!
//! - An application grant is an assignment of the application to a user or
//!   group, or `all users` when it does not require assignment; an entry
//!   per grant added or removed, reaching the grant's users. An
//!   application grants no AWS actions: its entries gain and lose none.
//! - An entitlement is the role it names in its account; only a usable one
//!   (the role's trust lets account access manager in) grants the role's
//!   access, decided by the role's policies, boundary and SCPs as
//!   `who-can` decides it. An entitlement in both states whose usability
//!   changed (session tags switched on or off), or whose usable role grants
//!   otherwise (a head snapshot with other IAM data), is `changed`.
//! - A user who joins or leaves a group of both states gains or loses, as
//!   an entry of their own (`via` the group), each application and
//!   entitlement they did not have the other way in the other state.
//!
//! Applications are matched by name and entitlements by principal, account
//! and role ARN, as assignments are by principal, account and set name.
//! A state that does not record applications (or account access manager)
//! says nothing about them, as a v1 snapshot: they are compared only when
//! both states record them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::guardrails::uid;
use super::{
    account_label, compare, levels_and_services, principal_label, role_name, Answers, Change,
    CheckFinding, Compared, DiffEntry, TargetType,
};
use crate::graph::Model;
use crate::query::applications::{application_via, OPEN_TO_ALL};
use crate::query::lint::Severity;
use crate::snapshot::PrincipalType;
use crate::who::entitlement::{entitlements, principal_users, EntitlementStatus};

/// (application name, grant: `user:<name>`, `group:<name>` or `all users`)
type AppKey = (String, String);

/// (principal label, account id, role ARN)
pub(super) type EntKey = (String, String, String);

/// One entitlement of a state
#[derive(Clone)]
struct Ent {
    application: String,
    /// The role, when the entitlement is usable
    usable_role: Option<usize>,
    /// The role, when in the snapshot
    role: Option<usize>,
    status: &'static str,
    reach: usize,
}

/// One entitlement's change before its grants are compared
struct EntItem {
    principal: String,
    via: Option<String>,
    key: EntKey,
    change: Change,
    reach: usize,
    old: Option<Ent>,
    new: Option<Ent>,
}

/// The label and reach of an application or entitlement principal; `None`
/// for one the identity store does not have (lint names it)
fn principal_of(model: &Model, t: PrincipalType, id: &str) -> Option<(String, usize)> {
    match t {
        PrincipalType::User => model
            .user_by_id(id)
            .map(|u| (principal_label(t, &model.user(u).user_name), 1)),
        PrincipalType::Group => model.group_by_id(id).map(|g| {
            (
                principal_label(t, &model.group(g).name),
                model.group_members(g).len(),
            )
        }),
    }
}

/// Per user name: each target the user has (an application name with an
/// empty second part, or an entitlement's (account id, role ARN)) with its
/// routes (`direct`, `group:<name>`, `all users`)
type UserTargets = HashMap<String, BTreeMap<(String, String), Vec<String>>>;

/// The application grants and entitlements of one state, computed once
/// and read by the diff and the guardrails
pub(super) struct StateGrants {
    /// Whether the state records applications
    records_apps: bool,
    /// Whether it records account access manager
    records_access: bool,
    /// Application grants: key → (users reached, application ARN)
    apps: BTreeMap<AppKey, (usize, String)>,
    /// Entitlements by key (their principal in the identity store)
    ents: BTreeMap<EntKey, Ent>,
    /// What each user has, and how
    users: UserTargets,
}

impl StateGrants {
    /// Reads `model`'s applications and decides its entitlements (each
    /// trust once)
    pub(super) fn of(model: &Model) -> StateGrants {
        let snap = model.snapshot();
        let mut apps = BTreeMap::new();
        let mut users: UserTargets = model
            .user_ids()
            .map(|u| (model.user(u).user_name.clone(), BTreeMap::new()))
            .collect();
        for app in snap.applications.iter().flatten() {
            if app.open_to_all() {
                apps.insert(
                    (app.name.clone(), OPEN_TO_ALL.to_owned()),
                    (snap.users.len(), app.arn.clone()),
                );
            }
            for a in app.assignments.iter().flatten() {
                if let Some((label, reach)) = principal_of(model, a.principal_type, &a.principal_id)
                {
                    apps.insert((app.name.clone(), label), (reach, app.arn.clone()));
                }
            }
            for u in model.user_ids() {
                let via = application_via(model, app, u);
                if let (false, Some(mine)) =
                    (via.is_empty(), users.get_mut(&model.user(u).user_name))
                {
                    mine.insert((app.name.clone(), String::new()), via);
                }
            }
        }
        let mut ents = BTreeMap::new();
        for c in entitlements(model) {
            let e = &c.entitlement;
            for (u, via) in principal_users(model, e.principal_type, &e.principal_id) {
                if let Some(mine) = users.get_mut(&model.user(u).user_name) {
                    mine.entry((e.account_id.clone(), e.role_arn.clone()))
                        .or_default()
                        .push(via);
                }
            }
            let Some((label, reach)) = principal_of(model, e.principal_type, &e.principal_id)
            else {
                continue;
            };
            ents.insert(
                (label, e.account_id.clone(), e.role_arn.clone()),
                Ent {
                    application: c.application.clone(),
                    usable_role: c.role.filter(|_| c.status == EntitlementStatus::Usable),
                    role: c.role,
                    status: c.status.code(),
                    reach,
                },
            );
        }
        StateGrants {
            records_apps: snap.applications.is_some(),
            records_access: snap.account_access.is_some(),
            apps,
            ents,
            users,
        }
    }
}

/// A route label (`direct`, `group:<name>`, `all users`) as the grant it
/// comes from
fn route_grant(route: &str, user: &str) -> String {
    if route == "direct" {
        principal_label(PrincipalType::User, user)
    } else {
        route.to_owned()
    }
}

/// What [`grant_entries`] finds
pub(super) struct GrantDiff {
    /// The diff entries
    pub(super) entries: Vec<DiffEntry>,
    /// The findings only they have (`entitlement-admin-equivalent`)
    pub(super) findings: Vec<CheckFinding>,
    /// The entitlements of both states that changed (usability, or what
    /// the role grants): the guardrails ask about them again
    pub(super) changed: BTreeSet<EntKey>,
}

/// The diff entries of applications and entitlements, and the findings
/// only they have (`entitlement-admin-equivalent`)
pub(super) fn grant_entries(
    (base, bg): (&Model, &StateGrants),
    (head, hg): (&Model, &StateGrants),
    b: &mut Answers<'_>,
    h: &mut Answers<'_>,
) -> GrantDiff {
    let mut out = Vec::new();
    let both_apps = bg.records_apps && hg.records_apps;
    let both_access = bg.records_access && hg.records_access;
    let app_entry = |principal: String, via: Option<String>, app: &str, change, reach| DiffEntry {
        principal,
        target_type: TargetType::Application,
        account: String::new(),
        permission_set: String::new(),
        application: Some(app.to_owned()),
        role: None,
        entitlement_status: None,
        change,
        via,
        users_reached: reach,
        gained: BTreeMap::new(),
        lost: BTreeMap::new(),
        newly_admin_equivalent: false,
        escalation_gained: Vec::new(),
        conditions_loosened: Vec::new(),
    };
    // Application grants.
    let (no_apps, no_ents) = (BTreeMap::new(), BTreeMap::new());
    let (ba, ha) = if both_apps {
        (&bg.apps, &hg.apps)
    } else {
        (&no_apps, &no_apps)
    };
    for (key, &(reach, _)) in ha {
        if !ba.contains_key(key) {
            out.push(app_entry(key.1.clone(), None, &key.0, Change::Added, reach));
        }
    }
    for (key, &(reach, _)) in ba {
        if !ha.contains_key(key) {
            out.push(app_entry(
                key.1.clone(),
                None,
                &key.0,
                Change::Removed,
                reach,
            ));
        }
    }
    // Entitlements.
    let (be, he) = if both_access {
        (&bg.ents, &hg.ents)
    } else {
        (&no_ents, &no_ents)
    };
    let none = b.none();
    let mut ent_items: Vec<EntItem> = Vec::new();
    let item = |key: &EntKey, change, reach, old: Option<&Ent>, new: Option<&Ent>| EntItem {
        principal: key.0.clone(),
        via: None,
        key: key.clone(),
        change,
        reach,
        old: old.cloned(),
        new: new.cloned(),
    };
    for (key, e) in he {
        match be.get(key) {
            None => ent_items.push(item(key, Change::Added, e.reach, None, Some(e))),
            Some(old) if old.status != e.status => {
                ent_items.push(item(key, Change::Changed, e.reach, Some(old), Some(e)));
            }
            // Both usable: changed when the role grants otherwise (a head
            // snapshot whose IAM data differs).
            Some(old) => {
                if let (Some(br), Some(hr)) = (old.usable_role, e.usable_role) {
                    let c = compare(&b.role(br).clone(), h.role(hr), b.cat, b.esc);
                    if !(c.gained.is_empty()
                        && c.lost.is_empty()
                        && c.loosened.is_empty()
                        && c.escalation_gained.is_empty())
                    {
                        ent_items.push(item(key, Change::Changed, e.reach, Some(old), Some(e)));
                    }
                }
            }
        }
    }
    for (key, e) in be {
        if !he.contains_key(key) {
            ent_items.push(item(key, Change::Removed, e.reach, Some(e), None));
        }
    }
    // Membership changes: what a user of both states has only in one of
    // them, by routes whose grants are in both.
    let (bu, hu) = (&bg.users, &hg.users);
    let mut users: Vec<&String> = hu.keys().filter(|u| bu.contains_key(*u)).collect();
    users.sort();
    for user in users {
        let (was, is) = (&bu[user], &hu[user]);
        for (joined, from, to) in [(true, is, was), (false, was, is)] {
            for (target, routes) in from {
                let is_app = target.1.is_empty();
                let compared = if is_app { both_apps } else { both_access };
                if !compared || to.contains_key(target) {
                    continue;
                }
                let (grants_here, grants_there) = if joined { (ha, ba) } else { (ba, ha) };
                let change = if joined {
                    Change::Added
                } else {
                    Change::Removed
                };
                let old_grant = |r: &String| {
                    let g = route_grant(r, user);
                    if is_app {
                        grants_there.contains_key(&(target.0.clone(), g.clone()))
                            && grants_here.contains_key(&(target.0.clone(), g))
                    } else {
                        let k = (g, target.0.clone(), target.1.clone());
                        be.contains_key(&k) && he.contains_key(&k)
                    }
                };
                if !routes.iter().all(old_grant) {
                    continue;
                }
                let via = routes.iter().find(|r| r.starts_with("group:")).cloned();
                let principal = principal_label(PrincipalType::User, user);
                if is_app {
                    out.push(app_entry(principal, via, &target.0, change, 1));
                } else {
                    let group = via.clone().unwrap_or_default();
                    let k = (group, target.0.clone(), target.1.clone());
                    let (o, n) = (be.get(&k).cloned(), he.get(&k).cloned());
                    let (o, n) = if joined { (None, n) } else { (o, None) };
                    ent_items.push(EntItem {
                        principal,
                        via,
                        key: k,
                        change,
                        reach: 1,
                        old: o,
                        new: n,
                    });
                }
            }
        }
    }
    let mut findings = Vec::new();
    let changed: BTreeSet<EntKey> = ent_items
        .iter()
        .filter(|i| i.change == Change::Changed && i.via.is_none())
        .map(|i| i.key.clone())
        .collect();
    for EntItem {
        principal,
        via,
        key,
        change,
        reach,
        old,
        new,
    } in ent_items
    {
        let old_g = match old.as_ref().and_then(|e| e.usable_role) {
            Some(r) => b.role(r).clone(),
            None => none.clone(),
        };
        let new_g = match new.as_ref().and_then(|e| e.usable_role) {
            Some(r) => h.role(r).clone(),
            None => none.clone(),
        };
        let Compared {
            gained,
            lost,
            loosened,
            escalation_gained,
        } = compare(&old_g, &new_g, b.cat, b.esc);
        let shown = new.as_ref().or(old.as_ref());
        let account = account_label(base, head, &key.1);
        // An entitlement new in head to an admin-equivalent role, usable or
        // not yet: the trust is one edit away.
        if let Some(n) = new.as_ref().filter(|_| change != Change::Removed) {
            if let Some(r) = n.role {
                if h.role(r).profile.admin_equivalent && via.is_none() {
                    let usable = if n.usable_role.is_some() {
                        "usable now".to_owned()
                    } else {
                        format!("not usable now ({}), admin-equivalent once it is", n.status)
                    };
                    findings.push(CheckFinding {
                        location: None,
                        code: "entitlement-admin-equivalent".into(),
                        severity: Severity::High,
                        source: "diff",
                        subject: format!(
                            "{principal} -> role {} in {account}",
                            role_name(&key.2)
                        ),
                        message: format!(
                            "entitlement to an admin-equivalent role, {usable}; reaches {reach} user(s)"
                        ),
                    });
                }
            }
        }
        out.push(DiffEntry {
            principal,
            target_type: TargetType::Entitlement,
            account,
            permission_set: String::new(),
            application: shown.map(|e| e.application.clone()),
            role: Some(key.2.clone()),
            entitlement_status: shown.map(|e| e.status),
            change,
            via,
            users_reached: reach,
            gained,
            lost,
            newly_admin_equivalent: new_g.profile.admin_equivalent
                && !old_g.profile.admin_equivalent,
            escalation_gained,
            conditions_loosened: loosened,
        });
    }
    GrantDiff {
        entries: out,
        findings,
        changed,
    }
}

/// One guardrail request: (action, principal uid, resource uid, context,
/// subject)
pub(super) type GrantRequest = (&'static str, String, String, serde_json::Value, String);

/// The Cedar uid of a grant's principal label
fn principal_uid(label: &str) -> Option<String> {
    match label.split_once(':') {
        Some(("user", n)) => Some(uid("User", n)),
        Some(("group", n)) => Some(uid("Group", n)),
        _ if label == OPEN_TO_ALL => Some(uid("Directory", OPEN_TO_ALL)),
        _ => None,
    }
}

/// The guardrail requests of head's application grants and entitlements:
/// those not in `base`, the entitlements the diff found `changed`, and
/// those of a group whose members changed; or all with `base` `None`. An
/// entitlement to an account outside the organization has no account
/// entity and is not asked about.
pub(super) fn grant_requests(
    (head, hg): (&Model, &StateGrants),
    base: Option<(&Model, &StateGrants)>,
    h: &mut Answers<'_>,
    changed: &BTreeSet<EntKey>,
) -> Vec<GrantRequest> {
    let mut out = Vec::new();
    // A base that does not record them has none to compare with: every
    // grant of head is asked about.
    let (ba, be) = match base {
        Some((_, g)) => (Some(&g.apps), Some(&g.ents)),
        None => (None, None),
    };
    let base = base.map(|(m, _)| m);
    // A group grant of both states whose members changed is asked again,
    // as a group's assignments are.
    let members_changed = |label: &str| {
        let (Some(b), Some(name)) = (base, label.strip_prefix("group:")) else {
            return false;
        };
        let members = |m: &Model| -> Option<BTreeSet<String>> {
            let g = m.group_ids().find(|&g| m.group(g).name == name)?;
            Some(
                m.group_members(g)
                    .iter()
                    .map(|&u| m.user(u).user_name.clone())
                    .collect(),
            )
        };
        members(b) != members(head)
    };
    for (key, (reach, arn)) in &hg.apps {
        if ba.is_some_and(|b| b.contains_key(key)) && !members_changed(&key.1) {
            continue;
        }
        let Some(principal) = principal_uid(&key.1) else {
            continue;
        };
        out.push((
            "assign_application",
            principal,
            uid("Application", arn),
            serde_json::json!({ "users_reached": reach }),
            format!("{} -> application {}", key.1, key.0),
        ));
    }
    for (key, e) in &hg.ents {
        if be.is_some_and(|b| b.contains_key(key))
            && !changed.contains(key)
            && !members_changed(&key.0)
        {
            continue;
        }
        let (Some(principal), Some(acct)) = (principal_uid(&key.0), head.find_account_id(&key.1))
        else {
            continue;
        };
        // A role not in the snapshot grants nothing accessgraph can see.
        let profile = match e.role {
            Some(r) => h.role(r).profile.clone(),
            None => h.none().profile,
        };
        let (levels, services) = levels_and_services(&profile);
        out.push((
            "entitle",
            principal,
            uid("Account", &key.1),
            serde_json::json!({
                "application": e.application,
                "role_name": role_name(&key.2),
                "role_arn": key.2,
                "usable": e.usable_role.is_some(),
                "admin_equivalent": profile.admin_equivalent,
                "access_levels": levels,
                "services": services,
                "users_reached": e.reach,
            }),
            format!(
                "{} -> role {} in {} ({})",
                key.0,
                role_name(&key.2),
                head.account(acct).name,
                key.1
            ),
        ));
    }
    out
}
