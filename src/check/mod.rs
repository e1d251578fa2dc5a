//! Pre-merge checks: what a proposed Identity Center state (`head`) changes
//! against the current one (`base`): the access diff per principal,
//! account and permission set, findings from it, from the Cedar guardrails
//! and from the lint of the new state. Pure: the binary reads the files.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cloudformation;
mod grants;
pub mod guardrails;
pub mod proposed;
pub mod terraform;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::eval::{Answer, Decision};
use crate::graph::{AccountIx, GroupIx, Model, PermissionSetIx, Principal};
use crate::query::lint::{lint, LintOptions, Severity};
use crate::snapshot::PrincipalType;
use crate::who::profile::{pair_answers, CatalogActions};

use guardrails::{uid, Guardrails};

/// Actions whose new grant is a privilege-escalation finding: policy and
/// role editing, passing roles, assuming any role, and Identity Center and
/// identity store administration
pub const ESCALATION: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:CreateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:PassRole",
    "sts:AssumeRole",
    "sso:CreatePermissionSet",
    "sso:PutInlinePolicyToPermissionSet",
    "sso:AttachManagedPolicyToPermissionSet",
    "sso:CreateAccountAssignment",
    "identitystore:CreateGroupMembership",
    "identitystore:UpdateUser",
];

/// What happened to one assignment
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// New in head
    Added,
    /// Gone in head
    Removed,
    /// In both, but what the permission set grants there changed
    Changed,
}

/// How an action is granted
#[derive(Debug, Clone, PartialEq, Eq)]
enum Grant {
    No,
    Allow,
    If(String),
}

fn grant(a: &Option<Answer>) -> Grant {
    match a {
        Some(Answer::Decided(Decision::Allow)) => Grant::Allow,
        Some(Answer::Conditional(r)) => Grant::If(r.to_string()),
        _ => Grant::No,
    }
}

/// What a diff entry is about, as `report assignments` names it
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetType {
    /// A permission set in an account
    AwsAccount,
    /// An Identity Center application
    Application,
    /// An account access manager entitlement to an IAM role
    Entitlement,
}

impl TargetType {
    /// Whether this is an account assignment (the field is then left out
    /// of the JSON, as before applications were diffed)
    pub fn is_account(&self) -> bool {
        *self == TargetType::AwsAccount
    }
}

/// The access one assignment (an account assignment, an application grant
/// or an entitlement) gains or loses
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffEntry {
    /// `user:<name>` or `group:<name>`; `all users` for an application
    /// that stops or starts requiring assignment
    pub principal: String,
    /// AWS_ACCOUNT (omitted), APPLICATION or ENTITLEMENT
    #[serde(skip_serializing_if = "TargetType::is_account")]
    pub target_type: TargetType,
    /// `name (id)`; empty for an application
    pub account: String,
    /// Permission set name; empty for an application or entitlement
    pub permission_set: String,
    /// The application's name (an account access manager application: its
    /// id)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// The entitled role's ARN
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// For an entitlement: `usable`, `role-missing`, `no-iam-data` or
    /// `trust-denies` in head (base for a removed one); only a usable one
    /// grants the role's access
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlement_status: Option<&'static str>,
    /// Added, removed or changed
    pub change: Change,
    /// For a user who joins or leaves a group (`group:<name>`): the group
    /// whose assignment the user gains or loses; the entry is then that
    /// user's, `principal` is `user:<name>`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Users the assignment reaches (head for added/changed, base for removed)
    pub users_reached: usize,
    /// `service level` → actions gained
    pub gained: BTreeMap<String, usize>,
    /// `service level` → actions lost
    pub lost: BTreeMap<String, usize>,
    /// Admin-equivalent in head and not before
    pub newly_admin_equivalent: bool,
    /// [`ESCALATION`] actions granted in head and not before
    pub escalation_gained: Vec<String>,
    /// Actions whose condition was removed or changed: (action, before, after)
    pub conditions_loosened: Vec<(String, String, String)>,
}

impl DiffEntry {
    /// The entitled role's name (the last part of its ARN); empty for
    /// another entry
    pub fn role_name(&self) -> &str {
        role_name(self.role.as_deref().unwrap_or(""))
    }

    /// What the entry is about after the principal: `SET in ACCOUNT`,
    /// `application NAME` or `role NAME in ACCOUNT`
    pub fn target_label(&self) -> String {
        match self.target_type {
            TargetType::AwsAccount => format!("{} in {}", self.permission_set, self.account),
            TargetType::Application => {
                format!("application {}", self.application.as_deref().unwrap_or(""))
            }
            TargetType::Entitlement => format!("role {} in {}", self.role_name(), self.account),
        }
    }
}

/// A finding of `check`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckFinding {
    /// Stable code: a guardrail's `@id`, a diff code, or a lint code
    pub code: String,
    /// Severity
    pub severity: Severity,
    /// `guardrail`, `diff`, `lint` or `validate` (new in an inline policy)
    pub source: &'static str,
    /// What it is about
    pub subject: String,
    /// What is wrong
    pub message: String,
    /// Where the proposed state's source declares what the finding is
    /// about: a Terraform resource address or a template's
    /// `/Resources/<logical id>` ([`locate`]); `None` for a snapshot
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// The result of `check`
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The access diff
    pub diff: Vec<DiffEntry>,
    /// Findings, most severe first
    pub findings: Vec<CheckFinding>,
}

/// Options
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Evaluate the guardrails on every assignment of head, not only the
    /// added and changed ones
    pub all: bool,
}

/// Pair fingerprints: the policies that decide what a pair grants, each
/// policy document numbered once by its printed JSON (equal documents, in
/// either state, get equal numbers), so comparing two pairs compares a few
/// numbers and no document is printed twice
#[derive(Default)]
struct Prints {
    /// Printed document → number
    ids: HashMap<String, u32>,
    /// Compiled policy (by address, alive in its model) → number
    by_policy: HashMap<*const crate::policy::Policy, u32>,
    /// (in head, permission set, account) → fingerprint
    pairs: HashMap<(bool, PermissionSetIx, AccountIx), Vec<u32>>,
}

impl Prints {
    fn id(&mut self, p: &Arc<crate::policy::Policy>) -> u32 {
        let key = Arc::as_ptr(p);
        if let Some(&i) = self.by_policy.get(&key) {
            return i;
        }
        let n = self.ids.len() as u32;
        let i = *self.ids.entry(p.to_json().to_string()).or_insert(n);
        self.by_policy.insert(key, i);
        i
    }

    /// The fingerprint: identity documents, a separator, the boundary (or
    /// none), then each SCP level after a separator
    fn of(
        &mut self,
        model: &Model,
        in_head: bool,
        ps: PermissionSetIx,
        acct: AccountIx,
    ) -> Vec<u32> {
        if let Some(f) = self.pairs.get(&(in_head, ps, acct)) {
            return f.clone();
        }
        const SEP: u32 = u32::MAX;
        const NO_BOUNDARY: u32 = u32::MAX - 1;
        let set = model.policy_set(ps, acct);
        let mut out: Vec<u32> = set.identity.iter().map(|p| self.id(p)).collect();
        out.push(SEP);
        out.push(set.boundary.as_ref().map_or(NO_BOUNDARY, |p| self.id(p)));
        for level in set.scps.iter().flatten() {
            out.push(SEP);
            out.extend(level.iter().map(|p| self.id(p)));
        }
        self.pairs.insert((in_head, ps, acct), out.clone());
        out
    }
}

/// The facts of a permission set the guardrails read besides its policies
fn ps_facts(model: &Model, ps: PermissionSetIx) -> (Option<String>, String) {
    let p = &model.snapshot().permission_sets[ps];
    (p.description.clone(), p.session_duration.clone())
}

/// (principal type, principal name, account id, permission set name)
type Key = (PrincipalType, String, String, String);

fn assignments(model: &Model) -> Assignments {
    let mut out = BTreeMap::new();
    // Resolved once at load, by id; dangling ones grant nothing (lint names them).
    for (a, r) in model.snapshot().assignments.iter().zip(model.assignments()) {
        let Some(r) = r else { continue };
        let (name, reach) = match r.principal {
            Principal::User(u) => (model.snapshot().users[u].user_name.clone(), 1),
            Principal::Group(g) => (
                model.snapshot().groups[g].name.clone(),
                model.group_members(g).len(),
            ),
        };
        let ps_name = model.snapshot().permission_sets[r.permission_set]
            .name
            .clone();
        out.insert(
            (a.principal_type, name, a.account_id.clone(), ps_name),
            (r.permission_set, r.account, reach),
        );
    }
    out
}

/// What a pair grants: per catalog action and per [`ESCALATION`] action,
/// and its profile (admin-equivalence, levels, services)
#[derive(Debug, Clone)]
struct PairGrants {
    catalog: Vec<Grant>,
    escalation: Vec<Grant>,
    profile: crate::who::AccessProfile,
}

impl PairGrants {
    /// From the catalog answers with their admin actions, and the answers
    /// for the [`ESCALATION`] actions
    fn of(
        cat: &CatalogActions,
        (answers, admin_actions): (Vec<Option<Answer>>, Vec<Option<Answer>>),
        escalation: &[Option<Answer>],
    ) -> PairGrants {
        PairGrants {
            catalog: answers.iter().map(grant).collect(),
            escalation: escalation.iter().map(grant).collect(),
            profile: crate::who::AccessProfile::from_answers(cat, &answers, &admin_actions),
        }
    }
}

/// Catalog answers of pairs, computed once per pair and shared by the diff
/// and the guardrails
struct Answers<'m> {
    model: &'m Model,
    cat: &'m CatalogActions,
    esc: &'m CatalogActions,
    cache: HashMap<(PermissionSetIx, AccountIx), PairGrants>,
    roles: HashMap<usize, PairGrants>,
}

impl<'m> Answers<'m> {
    fn new(model: &'m Model, cat: &'m CatalogActions, esc: &'m CatalogActions) -> Answers<'m> {
        Answers {
            model,
            cat,
            esc,
            cache: HashMap::new(),
            roles: HashMap::new(),
        }
    }

    /// What an IAM role grants (an entitlement's session)
    fn role(&mut self, role: usize) -> &PairGrants {
        let (model, cat, esc) = (self.model, self.cat, self.esc);
        self.roles.entry(role).or_insert_with(|| {
            let answers = crate::who::profile::role_answers(model, role, cat);
            let (escalation, _) = crate::who::profile::role_answers(model, role, esc);
            PairGrants::of(cat, answers, &escalation)
        })
    }

    /// No access at all
    fn none(&self) -> PairGrants {
        PairGrants {
            catalog: vec![Grant::No; self.cat.actions.len()],
            escalation: vec![Grant::No; self.esc.actions.len()],
            profile: crate::who::AccessProfile::from_answers(self.cat, &[], &[]),
        }
    }

    fn get(&mut self, ps: PermissionSetIx, acct: AccountIx) -> &PairGrants {
        let (model, cat, esc) = (self.model, self.cat, self.esc);
        self.cache.entry((ps, acct)).or_insert_with(|| {
            let answers = pair_answers(model, ps, acct, cat);
            let (escalation, _) = pair_answers(model, ps, acct, esc);
            PairGrants::of(cat, answers, &escalation)
        })
    }
}

fn principal_label(t: PrincipalType, name: &str) -> String {
    match t {
        PrincipalType::User => format!("user:{name}"),
        PrincipalType::Group => format!("group:{name}"),
    }
}

/// The access diff between two states
pub fn diff(base: &Model, head: &Model) -> Vec<DiffEntry> {
    let cat = CatalogActions::new(None, None);
    let esc = CatalogActions::from_actions(ESCALATION);
    let (before, after) = (assignments(base), assignments(head));
    let mut b = Answers::new(base, &cat, &esc);
    let mut h = Answers::new(head, &cat, &esc);
    let mut out = diff_with(base, head, &before, &after, &mut b, &mut h).0;
    let (bg, hg) = (grants::StateGrants::of(base), grants::StateGrants::of(head));
    out.extend(grants::grant_entries((base, &bg), (head, &hg), &mut b, &mut h).entries);
    out
}

/// The assignments of a state: key → (permission set, account, users reached)
type Assignments = BTreeMap<Key, (PermissionSetIx, AccountIx, usize)>;

/// The diff, and the keys of head the change touches (added, or whose
/// policies, SCPs, description or session changed): the guardrails' input
fn diff_with(
    base: &Model,
    head: &Model,
    before: &Assignments,
    after: &Assignments,
    b: &mut Answers<'_>,
    h: &mut Answers<'_>,
) -> (Vec<DiffEntry>, BTreeSet<Key>) {
    let (cat, esc) = (b.cat, b.esc);
    let mut prints = Prints::default();
    let mut print = |in_head: bool, ps: PermissionSetIx, acct: AccountIx| {
        prints.of(if in_head { head } else { base }, in_head, ps, acct)
    };
    let keys: BTreeSet<&Key> = before.keys().chain(after.keys()).collect();
    let empty = PairGrants {
        catalog: vec![Grant::No; cat.actions.len()],
        escalation: vec![Grant::No; esc.actions.len()],
        profile: crate::who::AccessProfile::from_answers(cat, &[], &[]),
    };
    let mut touched = BTreeSet::new();
    let mut items: Vec<Item> = Vec::new();
    for key in keys {
        let (ptype, name, account_id, ps_name) = key;
        let (change, reach) = match (before.get(key), after.get(key)) {
            (None, Some(&(_, _, r))) => {
                touched.insert(key.clone());
                (Change::Added, r)
            }
            (Some(&(_, _, r)), None) => (Change::Removed, r),
            (Some(&(bps, bacct, _)), Some(&(hps, hacct, r))) => {
                let same = print(false, bps, bacct) == print(true, hps, hacct);
                if !same || ps_facts(base, bps) != ps_facts(head, hps) {
                    touched.insert(key.clone());
                }
                if same {
                    continue;
                }
                (Change::Changed, r)
            }
            (None, None) => continue,
        };
        items.push(Item {
            principal: principal_label(*ptype, name),
            via: None,
            account_id: account_id.clone(),
            permission_set: ps_name.clone(),
            change,
            reach,
            old: before.get(key).map(|&(ps, acct, _)| (ps, acct)),
            new: after.get(key).map(|&(ps, acct, _)| (ps, acct)),
        });
    }
    items.extend(membership_items(base, head, before, after, &mut touched));
    let mut out = Vec::new();
    for item in items {
        let account_id = &item.account_id;
        let old = match item.old {
            Some((ps, acct)) => b.get(ps, acct).clone(),
            None => empty.clone(),
        };
        let new = match item.new {
            Some((ps, acct)) => h.get(ps, acct).clone(),
            None => empty.clone(),
        };
        let Compared {
            gained,
            lost,
            loosened,
            escalation_gained,
        } = compare(&old, &new, cat, esc);
        let account_label = account_label(base, head, account_id);
        out.push(DiffEntry {
            principal: item.principal,
            target_type: TargetType::AwsAccount,
            account: account_label,
            permission_set: item.permission_set,
            application: None,
            role: None,
            entitlement_status: None,
            change: item.change,
            via: item.via,
            users_reached: item.reach,
            gained,
            lost,
            newly_admin_equivalent: new.profile.admin_equivalent && !old.profile.admin_equivalent,
            escalation_gained,
            conditions_loosened: loosened,
        });
    }
    (out, touched)
}

/// A role's name: the last part of its ARN (the path dropped)
fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// `name (id)` of an account, head's name first; the id alone for one
/// neither state has
fn account_label(base: &Model, head: &Model, id: &str) -> String {
    [head, base]
        .iter()
        .find_map(|m| {
            m.find_account(id)
                .map(|a| format!("{} ({id})", m.accounts()[a].name))
        })
        .unwrap_or_else(|| id.to_owned())
}

/// What one change of access gains and loses, catalog action by catalog
/// action
struct Compared {
    gained: BTreeMap<String, usize>,
    lost: BTreeMap<String, usize>,
    loosened: Vec<(String, String, String)>,
    escalation_gained: Vec<String>,
}

fn compare(
    old: &PairGrants,
    new: &PairGrants,
    cat: &CatalogActions,
    esc: &CatalogActions,
) -> Compared {
    let mut gained: BTreeMap<String, usize> = BTreeMap::new();
    let mut lost: BTreeMap<String, usize> = BTreeMap::new();
    let mut loosened = Vec::new();
    for (i, (action, level)) in cat.actions.iter().enumerate() {
        let svc = action.split(':').next().unwrap_or_default();
        match (&old.catalog[i], &new.catalog[i]) {
            (Grant::No, Grant::No) => {}
            (Grant::No, _) => *gained.entry(format!("{svc} {level}")).or_default() += 1,
            (_, Grant::No) => *lost.entry(format!("{svc} {level}")).or_default() += 1,
            (Grant::If(c), Grant::Allow) => {
                loosened.push((action.clone(), c.clone(), "(none)".to_owned()));
            }
            (Grant::If(c), Grant::If(d)) if c != d => {
                loosened.push((action.clone(), c.clone(), d.clone()));
            }
            _ => {}
        }
    }
    let escalation_gained: Vec<String> = esc
        .actions
        .iter()
        .zip(old.escalation.iter().zip(&new.escalation))
        .filter(|(_, (o, n))| **o == Grant::No && **n != Grant::No)
        .map(|((a, _), _)| a.clone())
        .collect();
    Compared {
        gained,
        lost,
        loosened,
        escalation_gained,
    }
}

/// One assignment's change, or one user's through a group they join or
/// leave, before its grants are compared
struct Item {
    principal: String,
    via: Option<String>,
    account_id: String,
    permission_set: String,
    change: Change,
    reach: usize,
    old: Option<(PermissionSetIx, AccountIx)>,
    new: Option<(PermissionSetIx, AccountIx)>,
}

/// (account id, permission set name) of every pair a user reaches
fn reached(model: &Model, user: Option<crate::graph::UserIx>) -> BTreeSet<(String, String)> {
    let Some(u) = user else {
        return BTreeSet::new();
    };
    model
        .access_unsorted(u)
        .map(|(a, _)| {
            (
                model.accounts()[a.account].id.clone(),
                model.snapshot().permission_sets[a.permission_set]
                    .name
                    .clone(),
            )
        })
        .collect()
}

/// Membership changes as access changes: a user who joins a group that is
/// in both states gains each of its assignments in head they did not reach
/// in base by any route; a user who leaves loses each of its assignments in
/// base they no longer reach in head. Groups new in head are not here:
/// their assignments are added, reaching their members. The group's
/// assignments are touched (the guardrails see them again).
fn membership_items(
    base: &Model,
    head: &Model,
    before: &Assignments,
    after: &Assignments,
    touched: &mut BTreeSet<Key>,
) -> Vec<Item> {
    let members = |m: &Model, g: GroupIx| -> BTreeSet<String> {
        m.group_members(g)
            .iter()
            .map(|&u| m.snapshot().users[u].user_name.clone())
            .collect()
    };
    let by_name = |m: &Model| -> HashMap<String, crate::graph::UserIx> {
        m.user_ids()
            .map(|u| (m.snapshot().users[u].user_name.clone(), u))
            .collect()
    };
    let base_groups: HashMap<&str, GroupIx> = base
        .group_ids()
        .map(|g| (base.snapshot().groups[g].name.as_str(), g))
        .collect();
    let mut users: Option<(HashMap<_, _>, HashMap<_, _>)> = None;
    // (user, account id, permission set) → the item, first group by name
    let mut out: BTreeMap<(String, String, String), Item> = BTreeMap::new();
    for hg in head.group_ids() {
        let name = &head.snapshot().groups[hg].name;
        let Some(&bg) = base_groups.get(name.as_str()) else {
            continue;
        };
        let (was, is) = (members(base, bg), members(head, hg));
        if was == is {
            continue;
        }
        let of_group = |a: &Assignments| -> Vec<(Key, (PermissionSetIx, AccountIx))> {
            a.iter()
                .filter(|((t, n, _, _), _)| *t == PrincipalType::Group && n == name)
                .map(|(k, &(ps, acct, _))| (k.clone(), (ps, acct)))
                .collect()
        };
        let (in_base, in_head) = (of_group(before), of_group(after));
        for (user, joined) in is
            .difference(&was)
            .map(|u| (u, true))
            .chain(was.difference(&is).map(|u| (u, false)))
        {
            // Reached the other way: gained if not reached in base, lost if
            // not reached in head.
            let (in_b, in_h) = users.get_or_insert_with(|| (by_name(base), by_name(head)));
            let other = if joined {
                reached(base, in_b.get(user).copied())
            } else {
                reached(head, in_h.get(user).copied())
            };
            for (key, pair) in if joined { &in_head } else { &in_base } {
                if joined {
                    touched.insert(key.clone());
                }
                let (_, _, account_id, ps_name) = key;
                if other.contains(&(account_id.clone(), ps_name.clone())) {
                    continue;
                }
                out.entry((user.clone(), account_id.clone(), ps_name.clone()))
                    .or_insert_with(|| Item {
                        principal: principal_label(PrincipalType::User, user),
                        via: Some(principal_label(PrincipalType::Group, name)),
                        account_id: account_id.clone(),
                        permission_set: ps_name.clone(),
                        change: if joined {
                            Change::Added
                        } else {
                            Change::Removed
                        },
                        reach: 1,
                        old: (!joined).then_some(*pair),
                        new: joined.then_some(*pair),
                    });
            }
        }
    }
    out.into_values().collect()
}

fn summarize(counts: &BTreeMap<String, usize>) -> String {
    let total: usize = counts.values().sum();
    let mut top: Vec<(&String, &usize)> = counts.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = top
        .iter()
        .take(4)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let more = if top.len() > 4 {
        format!(", ... ({} service levels)", top.len())
    } else {
        String::new()
    };
    format!("{total} actions ({}{more})", shown.join(", "))
}

/// What `validate` finds in every permission set's inline policy, as
/// (subject with the JSON pointer, code, severity, message): errors are high
/// (AWS refuses the document or it grants nothing meant), security warnings
/// medium, warnings low; suggestions are left to `validate`
fn validation(model: &Model) -> BTreeSet<(String, &'static str, Severity, String)> {
    use crate::validate::{validate, PolicyType, Severity as V};
    let mut out = BTreeSet::new();
    for ps in &model.snapshot().permission_sets {
        let Some(doc) = &ps.inline_policy else {
            continue;
        };
        for f in validate(doc, PolicyType::Identity) {
            let severity = match f.severity {
                V::Error => Severity::High,
                V::SecurityWarning => Severity::Medium,
                V::Warning => Severity::Low,
                V::Suggestion => continue,
            };
            out.insert((
                format!("permission set `{}` inline policy {}", ps.name, f.pointer),
                f.code,
                severity,
                f.message,
            ));
        }
    }
    out
}

/// ISO 8601 duration (`PT8H`, `PT1H30M`) in minutes
pub fn session_minutes(duration: &str) -> i64 {
    let Some(t) = duration.strip_prefix("PT") else {
        return 0;
    };
    let mut total = 0i64;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            let n: i64 = num.parse().unwrap_or(0);
            num.clear();
            total += match c {
                'H' => n * 60,
                'M' => n,
                'S' => n / 60,
                _ => 0,
            };
        }
    }
    total
}

/// Whether an inline policy document allows `*` on `*`
fn allows_star_on_star(doc: &crate::json::JsonValue) -> bool {
    let Ok(p) = crate::policy::Policy::from_json(doc, crate::policy::PolicyKind::Identity, "")
    else {
        return false;
    };
    p.statements.iter().any(|s| {
        s.effect == crate::policy::Effect::Allow
            && !s.action.negated
            && s.action.patterns.iter().any(|a| a == "*")
            && s.resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.patterns.iter().any(|x| x == "*"))
    })
}

/// The Cedar entities of a state: users (in their groups), groups,
/// applications, the directory, the root, OUs, accounts (with their tags)
pub fn cedar_entities(model: &Model) -> serde_json::Value {
    use serde_json::json;
    let mut out = Vec::new();
    let group_uid =
        |g: GroupIx| json!({"type": "AccessGraph::Group", "id": model.snapshot().groups[g].name});
    for group in &model.snapshot().groups {
        out.push(json!({"uid": {"type": "AccessGraph::Group", "id": group.name}, "attrs": {"name": group.name}, "parents": []}));
    }
    for (u, user) in model.user_ids().zip(&model.snapshot().users) {
        let parents: Vec<serde_json::Value> =
            model.user_groups(u).iter().map(|&g| group_uid(g)).collect();
        out.push(json!({
            "uid": {"type": "AccessGraph::User", "id": user.user_name},
            "attrs": {"name": user.user_name, "status": user.status.as_str()},
            "parents": parents,
        }));
    }
    for app in model.snapshot().applications.iter().flatten() {
        out.push(json!({
            "uid": {"type": "AccessGraph::Application", "id": app.arn},
            "attrs": {"name": app.name, "arn": app.arn, "aws_managed": app.aws_managed(), "visible": app.visible()},
            "parents": [],
        }));
    }
    out.push(json!({
        "uid": {"type": "AccessGraph::Directory", "id": crate::query::applications::OPEN_TO_ALL},
        "attrs": {},
        "parents": [],
    }));
    if let Some(org) = &model.snapshot().organization {
        let ou = |id: &str| json!({"type": "AccessGraph::OrganizationalUnit", "id": id});
        out.push(json!({"uid": ou(&org.root_id), "attrs": {"name": "Root"}, "parents": []}));
        for o in &org.ous {
            out.push(
                json!({"uid": ou(&o.id), "attrs": {"name": o.name}, "parents": [ou(&o.parent_id)]}),
            );
        }
        for a in &org.accounts {
            out.push(json!({
                "uid": {"type": "AccessGraph::Account", "id": a.id},
                "attrs": {"name": a.name, "id": a.id},
                "parents": [ou(&a.parent_id)],
                "tags": a.tags,
            }));
        }
    }
    serde_json::Value::Array(out)
}

/// A profile's access levels and services, as the guardrails' contexts
/// give them (`access_levels`, `services`)
fn levels_and_services(p: &crate::who::AccessProfile) -> (BTreeSet<&'static str>, Vec<&String>) {
    (
        p.services.values().flatten().copied().collect(),
        p.services.keys().collect(),
    )
}

/// Runs the guardrails on head's assignments (`only`: the keys to check;
/// `None` for all)
///
/// # Errors
/// A Cedar request that does not fit the schema.
fn guardrail_findings(
    head: &Model,
    rules: &Guardrails,
    after: &Assignments,
    only: Option<&BTreeSet<Key>>,
    answers: &mut Answers<'_>,
    grant_requests: Vec<grants::GrantRequest>,
) -> Result<Vec<CheckFinding>, guardrails::GuardrailError> {
    let mut requests = Vec::new();
    let mut subjects = Vec::new();
    for (key, &(ps, acct, reach)) in after {
        if only.is_some_and(|o| !o.contains(key)) {
            continue;
        }
        let (ptype, name, account_id, ps_name) = key;
        let profile = &answers.get(ps, acct).profile;
        let p = &head.snapshot().permission_sets[ps];
        let (levels, services) = levels_and_services(profile);
        let context = serde_json::json!({
            "permission_set": p.name,
            "description": p.description.clone().unwrap_or_default(),
            "session_minutes": session_minutes(&p.session_duration),
            "admin_equivalent": profile.admin_equivalent,
            "access_levels": levels,
            "services": services,
            "has_inline_policy": p.inline_policy.is_some(),
            "inline_allows_star": p.inline_policy.as_ref().is_some_and(allows_star_on_star),
            "has_boundary": p.permissions_boundary.is_some(),
            "users_reached": reach,
        });
        let principal = match ptype {
            PrincipalType::User => uid("User", name),
            PrincipalType::Group => uid("Group", name),
        };
        requests.push(("assign", principal, uid("Account", account_id), context));
        subjects.push(format!(
            "{} -> {ps_name} in {} ({account_id})",
            principal_label(*ptype, name),
            head.accounts()[acct].name
        ));
    }
    for (action, principal, resource, context, subject) in grant_requests {
        requests.push((action, principal, resource, context));
        subjects.push(subject);
    }
    let violations = rules.evaluate(cedar_entities(head), &requests)?;
    Ok(violations
        .into_iter()
        .map(|v| CheckFinding {
            location: None,
            code: v.rule.id.clone(),
            severity: v.rule.severity,
            source: "guardrail",
            subject: subjects[v.request].clone(),
            message: v.rule.message.clone(),
        })
        .collect())
}

/// Compares `head` with `base`: the access diff, and findings from it, from
/// the guardrails (on added and changed assignments, or all of head with
/// `opts.all`) and from lint findings head has and base had not
///
/// # Errors
/// A Cedar request that does not fit the schema.
pub fn check(
    base: &Model,
    head: &Model,
    rules: &Guardrails,
    opts: &CheckOptions,
) -> Result<CheckReport, guardrails::GuardrailError> {
    let cat = CatalogActions::new(None, None);
    let esc = CatalogActions::from_actions(ESCALATION);
    let (before, after) = (assignments(base), assignments(head));
    let mut b = Answers::new(base, &cat, &esc);
    let mut h = Answers::new(head, &cat, &esc);
    let (mut d, touched) = diff_with(base, head, &before, &after, &mut b, &mut h);
    let (bg, hg) = (grants::StateGrants::of(base), grants::StateGrants::of(head));
    let grant_diff = grants::grant_entries((base, &bg), (head, &hg), &mut b, &mut h);
    let mut findings = grant_diff.findings;
    d.extend(grant_diff.entries);
    for e in &d {
        let through = match (&e.via, e.change) {
            (Some(g), Change::Removed) => format!(" (leaves {g})"),
            (Some(g), _) => format!(" (joins {g})"),
            (None, _) => String::new(),
        };
        let subject = format!("{}{through} -> {}", e.principal, e.target_label());
        let reach = format!("reaches {} user(s)", e.users_reached);
        if e.target_type == TargetType::Application {
            let (code, verb) = match e.change {
                Change::Removed => ("application-access-lost", "loses"),
                _ => ("application-access-gained", "gains"),
            };
            findings.push(CheckFinding {
                location: None,
                code: code.into(),
                severity: Severity::Low,
                source: "diff",
                subject: subject.clone(),
                message: format!(
                    "{verb} application {}; {reach}",
                    e.application.as_deref().unwrap_or("")
                ),
            });
            continue;
        }
        // A new entitlement's admin-equivalence is its own finding
        // (`entitlement-admin-equivalent`, usable or not).
        let own = e.target_type == TargetType::Entitlement && e.via.is_none();
        if e.newly_admin_equivalent {
            if !own {
                findings.push(CheckFinding {
                    location: None,
                    code: "admin-equivalent-granted".into(),
                    severity: Severity::High,
                    source: "diff",
                    subject: subject.clone(),
                    message: format!("newly admin-equivalent access; {reach}"),
                });
            }
        } else if !e.escalation_gained.is_empty() {
            findings.push(CheckFinding {
                location: None,
                code: "escalation-action-granted".into(),
                severity: Severity::High,
                source: "diff",
                subject: subject.clone(),
                message: format!(
                    "newly grants privilege-escalation actions: {}; {reach}",
                    e.escalation_gained.join(", ")
                ),
            });
        }
        if let Some((action, was, now)) = e.conditions_loosened.first() {
            findings.push(CheckFinding {
 location: None,
                code: "condition-loosened".into(),
                severity: Severity::Medium,
                source: "diff",
                subject: subject.clone(),
                message: format!(
                    "{} action(s) lose or change their condition, e.g. {action}: `{was}` -> `{now}`; {reach}",
                    e.conditions_loosened.len()
                ),
            });
        }
        if !e.gained.is_empty() {
            findings.push(CheckFinding {
                location: None,
                code: "access-gained".into(),
                severity: Severity::Low,
                source: "diff",
                subject: subject.clone(),
                message: format!("gains {}; {reach}", summarize(&e.gained)),
            });
        }
        if !e.lost.is_empty() {
            findings.push(CheckFinding {
                location: None,
                code: "access-lost".into(),
                severity: Severity::Low,
                source: "diff",
                subject: subject.clone(),
                message: format!("loses {}; {reach}", summarize(&e.lost)),
            });
        }
    }
    // Guardrails on what the change touches.
    let grant_requests = grants::grant_requests(
        (head, &hg),
        (!opts.all).then_some((base, &bg)),
        &mut h,
        &grant_diff.changed,
    );
    findings.extend(guardrail_findings(
        head,
        rules,
        &after,
        if opts.all { None } else { Some(&touched) },
        &mut h,
        grant_requests,
    )?);
    // Lint findings that are new in head.
    let old: BTreeSet<(String, String, String)> = lint(base, LintOptions::default())
        .into_iter()
        .map(|f| (f.code.to_owned(), f.subject, f.message))
        .collect();
    for f in lint(head, LintOptions::default()) {
        // Lint validates every document; the inline policies' findings come
        // below with their JSON pointer, the other documents' from here.
        let validated = !crate::query::lint::CODES.iter().any(|c| c.code == f.code);
        if validated && f.subject.starts_with("inline policy of permission set") {
            continue;
        }
        if !old.contains(&(f.code.to_owned(), f.subject.clone(), f.message.clone())) {
            findings.push(CheckFinding {
                location: None,
                code: f.code.to_owned(),
                severity: f.severity,
                source: if validated { "validate" } else { "lint" },
                subject: f.subject,
                message: f.message,
            });
        }
    }
    // Validation findings of the inline policies that are new in head.
    let old = validation(base);
    findings.extend(
        validation(head)
            .into_iter()
            .filter(|f| !old.contains(f))
            .map(|(subject, code, severity, message)| CheckFinding {
                location: None,
                code: code.to_owned(),
                severity,
                source: "validate",
                subject,
                message,
            }),
    );
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    findings.dedup();
    Ok(CheckReport { diff: d, findings })
}

/// The change an application or entitlement finding is about: a lint
/// finding's ``application `NAME` `` or ``entitlement `ROLE` of `APP` ``, a
/// diff finding's `... -> application NAME` or `... -> role NAME in ACCOUNT
/// (ID)`
fn grant_change<'c>(
    f: &CheckFinding,
    changes: &'c [proposed::Located],
    head: &crate::snapshot::Snapshot,
) -> Option<&'c proposed::Located> {
    use proposed::Change as C;
    let app_arn = |name: &str| {
        head.applications
            .iter()
            .flatten()
            .find(|a| a.name == name)
            .map(|a| a.arn.clone())
    };
    let principal_id = |label: &str| match label.split_once(':') {
        Some(("user", n)) => head
            .users
            .iter()
            .find(|u| u.user_name == n)
            .map(|u| u.id.clone()),
        Some(("group", n)) => head
            .groups
            .iter()
            .find(|g| g.name == n)
            .map(|g| g.id.clone()),
        _ => None,
    };
    // `open`: the finding is about the application being open to all, so
    // its assignment configuration comes first.
    let for_app = |arn: &str, principal: Option<&str>, open: bool| {
        let configured = changes.iter().find(|c| {
            matches!(&c.change, C::SetAssignmentRequired { application, .. } if application == arn)
        });
        let assigned = changes.iter().find(|c| {
            matches!(&c.change, C::AssignApplication { application, assignment }
                if application == arn && principal.is_none_or(|p| assignment.principal_id == p))
        });
        let put = changes
            .iter()
            .find(|c| matches!(&c.change, C::PutApplication(a) if a.arn == arn));
        if f.code.ends_with("-lost") {
            return changes.iter().find(|c| match &c.change {
                C::UnassignApplication {
                    application,
                    assignment,
                } => application == arn && principal.is_none_or(|p| assignment.principal_id == p),
                C::RemoveApplication { arn: a } => a == arn,
                C::SetAssignmentRequired {
                    application,
                    required,
                } => application == arn && *required && principal.is_none(),
                _ => false,
            });
        }
        let first = if !open {
            assigned.or(configured)
        } else {
            configured.or(assigned)
        };
        first.or(put)
    };
    let entitled = |role: &dyn Fn(&str) -> bool, account: Option<&str>, app: Option<&str>| {
        changes.iter().find(|c| {
            matches!(&c.change, C::Entitle { application, entitlement }
                if role(&entitlement.role_arn)
                    && account.is_none_or(|a| entitlement.account_id == a)
                    && app.is_none_or(|id| application.ends_with(id)))
        })
    };
    if let Some(name) = f
        .subject
        .strip_prefix("application `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return for_app(&app_arn(name)?, None, f.code == "application-open-to-all");
    }
    if let Some((role, app)) = f
        .subject
        .strip_prefix("entitlement `")
        .and_then(|r| r.strip_suffix('`'))
        .and_then(|r| r.split_once("` of `"))
    {
        return entitled(&|arn| arn == role, None, Some(app));
    }
    let (who, target) = f.subject.rsplit_once(" -> ")?;
    let who = who.split(" (").next().unwrap_or(who);
    if let Some(name) = target.strip_prefix("application ") {
        let arn = app_arn(name)?;
        let id = principal_id(who);
        return match id {
            Some(id) => for_app(&arn, Some(&id), false),
            None => for_app(&arn, None, who == crate::query::applications::OPEN_TO_ALL),
        };
    }
    let (role, account) = target.strip_prefix("role ")?.rsplit_once(" in ")?;
    let id = account
        .rsplit_once('(')
        .map(|(_, id)| id.trim_end_matches(')'))
        .unwrap_or(account);
    let suffix = format!("/{role}");
    entitled(&|arn| arn.ends_with(&suffix), Some(id), None)
}

/// Puts on each finding where the plan or template declares what it is
/// about: a validation finding of a set's inline policy at the change that
/// puts the policy (or, in a template, the set that holds it); a finding
/// about a permission set at the change that creates or updates the set;
/// an assignment's (`... -> SET in ACCOUNT (ID)`) at the change that
/// creates it. `head` is the proposed snapshot (for the sets' ARNs).
pub fn locate(
    report: &mut CheckReport,
    changes: &[proposed::Located],
    head: &crate::snapshot::Snapshot,
) {
    use proposed::Change as C;
    let arn_of = |name: &str| {
        head.permission_sets
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.arn.as_str())
    };
    let set_change = |arn: &str| {
        changes
            .iter()
            .find(|c| matches!(&c.change, C::PutPermissionSet { set, .. } if set.arn == arn))
    };
    for f in &mut report.findings {
        let named = f
            .subject
            .strip_prefix("permission set `")
            .and_then(|r| r.split_once('`'));
        let at = if let Some((name, rest)) = named {
            let Some(arn) = arn_of(name) else { continue };
            let pointer = rest.strip_prefix(" inline policy ");
            let put = pointer.and_then(|_| {
                changes.iter().find(|c| matches!(&c.change, C::PutInlinePolicy { permission_set, .. } if permission_set == arn))
            });
            if let (None, Some(pointer), Some(set)) = (put, pointer, set_change(arn)) {
                // A template's set holds its inline policy: point into it.
                if matches!(
                    &set.change,
                    C::PutPermissionSet {
                        policies: proposed::Policies::Replace,
                        ..
                    }
                ) {
                    f.location = Some(format!("{}/Properties/InlinePolicy{pointer}", set.at));
                    continue;
                }
            }
            put.or_else(|| set_change(arn))
        } else if let Some(at) = grant_change(f, changes, head) {
            Some(at)
        } else if let Some((_, pair)) = f.subject.rsplit_once(" -> ") {
            // `SET in ACCOUNT (ID)`
            let (set, account) = match pair.rsplit_once(" in ") {
                Some(x) => x,
                None => continue,
            };
            let id = account
                .rsplit_once('(')
                .map(|(_, id)| id.trim_end_matches(')'))
                .unwrap_or(account);
            let Some(arn) = arn_of(set) else { continue };
            changes.iter().find(|c| {
                matches!(&c.change, C::Assign(a) if a.permission_set_arn == arn && a.account_id == id)
            })
        } else {
            None
        };
        f.location = at.map(|c| c.at.clone());
    }
}
