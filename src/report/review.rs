//! Access reviews: the populations auditors take as evidence (SOC 2
//! CC6.1-CC6.3, ISO 27001 A.5.18). Pure: rows are built from the model;
//! [`super::tabular`] writes them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::graph::{Access, AccountIx, GroupIx, Model, PermissionSetIx, Principal, UserIx, Via};
use crate::snapshot::{Boundary, PrincipalType};
use crate::who::profile::{pair_profiles, permission_set_profile, CatalogActions};
use crate::who::{AccessProfile, WhoCanAnswer};

/// Which rows a review keeps (`None` = all)
#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    /// Account indices (an OU given on the command line is its accounts)
    pub accounts: Option<BTreeSet<AccountIx>>,
    /// User indices
    pub users: Option<BTreeSet<UserIx>>,
    /// Group indices: rows reached through one of these groups
    pub groups: Option<BTreeSet<GroupIx>>,
    /// Permission set indices
    pub permission_sets: Option<BTreeSet<PermissionSetIx>>,
    /// Only privileged grants
    pub privileged_only: bool,
}

fn keep<T: Ord>(f: &Option<BTreeSet<T>>, i: T) -> bool {
    f.as_ref().is_none_or(|s| s.contains(&i))
}

/// Columns an auditor fills in, empty in the file
pub const REVIEW_COLUMNS: [&str; 5] = [
    "reviewer",
    "decision",
    "decision_date",
    "justification",
    "ticket",
];

report_row! {
    /// One user x account x permission set x access path
    AssignmentRow, ASSIGNMENT_HEADER {
        /// When the snapshot was taken (UTC, RFC 3339)
        as_of_utc: String,
        /// Where the snapshot came from
        snapshot_source: String,
        /// The identity store
        identity_store_id: String,
        /// User id
        user_id: String,
        /// User name
        user_name: String,
        /// Display name
        display_name: String,
        /// Primary email
        email: String,
        /// `ENABLED` or `DISABLED`
        user_status: String,
        /// `AWS_ACCOUNT` (a permission set in an account), `APPLICATION`
        /// (an Identity Center application) or `ENTITLEMENT` (an account
        /// access manager entitlement to an IAM role)
        target_type: &'static str,
        /// `DIRECT` or `GROUP`; `ALL_USERS` for an application that does
        /// not require assignment
        access_path: &'static str,
        /// Group id (GROUP rows)
        group_id: String,
        /// Group name (GROUP rows)
        group_name: String,
        /// Permission set ARN
        permission_set_arn: String,
        /// Permission set name
        permission_set_name: String,
        /// The application's ARN (APPLICATION and ENTITLEMENT rows)
        application_arn: String,
        /// The application's name (an account access manager application: its id)
        application_name: String,
        /// The entitled IAM role (ENTITLEMENT rows)
        role_arn: String,
        /// For ENTITLEMENT rows: `usable`, `role-missing`, `no-iam-data` or
        /// `trust-denies` (the entitlement gives no access)
        entitlement_status: &'static str,
        /// Account id
        account_id: String,
        /// Account name
        account_name: String,
        /// `Root/<OU>/<OU>` names above the account
        ou_path: String,
        /// AWS managed policy names, `;`-separated
        aws_managed_policies: String,
        /// Customer managed policy path+names, `;`-separated
        customer_managed_policies: String,
        /// The permission set has an inline policy
        has_inline_policy: bool,
        /// The boundary (managed policy name or customer managed path+name)
        permissions_boundary: String,
        /// ISO 8601 duration, as Identity Center stores it (`PT1H`)
        session_duration: String,
        /// `admin`, `power user`, `write`, `read`, `list` or `none`
        privilege_level: &'static str,
        /// What qualifies the level: grants above it only under a condition,
        /// write-classed actions read-only by AWS's job functions (or empty)
        privilege_detail: String,
        /// Admin, power user or identity permissions management
        is_privileged: bool,
        /// The user's principal tags, `key=value;...`
        abac_attributes: String,
        /// Review columns, empty
        reviewer: String,
        /// Review columns, empty
        decision: String,
        /// Review columns, empty
        decision_date: String,
        /// Review columns, empty
        justification: String,
        /// Review columns, empty
        ticket: String,
    }
}

/// Facts of the snapshot every row repeats
#[derive(Debug)]
struct Common {
    as_of_utc: String,
    snapshot_source: String,
    identity_store_id: String,
}

fn common(model: &Model) -> Common {
    let p = &model.snapshot().provenance;
    Common {
        as_of_utc: p.collected_at.clone(),
        snapshot_source: p.source.clone(),
        identity_store_id: model
            .snapshot()
            .identity_center
            .as_ref()
            .map(|ic| ic.identity_store_id.clone())
            .unwrap_or_default(),
    }
}

/// `Root/Workloads/Prod`: the names of the root and OUs above `account`
pub fn ou_path(model: &Model, account: AccountIx) -> String {
    let Some(org) = &model.snapshot().organization else {
        return String::new();
    };
    let path = &model.account_path(account);
    path[..path.len().saturating_sub(1)]
        .iter()
        .map(|id| {
            if *id == org.root_id {
                "Root".to_owned()
            } else {
                org.ous
                    .iter()
                    .find(|o| o.id == *id)
                    .map_or_else(|| id.clone(), |o| o.name.clone())
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A permission set's policy parts as review cells: AWS managed names,
/// customer managed path+names, has inline, boundary
fn policy_cells(model: &Model, ps: PermissionSetIx) -> (String, String, bool, String) {
    let p = &model.snapshot().permission_sets[ps];
    let short = |arn: &str| arn.rsplit('/').next().unwrap_or(arn).to_owned();
    let managed = p
        .aws_managed_policies
        .iter()
        .map(|a| short(a))
        .collect::<Vec<_>>()
        .join(";");
    let customer = p
        .customer_managed_policies
        .iter()
        .map(|r| format!("{}{}", r.path, r.name))
        .collect::<Vec<_>>()
        .join(";");
    let boundary = match &p.permissions_boundary {
        Some(Boundary::ManagedPolicyArn(a)) => short(a),
        Some(Boundary::CustomerManaged(r)) => format!("{}{}", r.path, r.name),
        None => String::new(),
    };
    (managed, customer, p.inline_policy.is_some(), boundary)
}

fn abac_cell(model: &Model, user: UserIx) -> String {
    model
        .principal_tags(user)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn primary_email(model: &Model, user: UserIx) -> String {
    let emails = &model.snapshot().users[user].emails;
    emails
        .iter()
        .find(|e| e.primary)
        .or_else(|| emails.first())
        .map(|e| e.value.clone())
        .unwrap_or_default()
}

/// `report assignments`: one row per user x account x permission set x
/// access path, groups expanded to their members, in user, account,
/// permission set, path order. Rows are made one at a time ([`Self::row`]):
/// a large organization has millions.
#[derive(Debug)]
pub struct AssignmentReview {
    common: Common,
    profiles: HashMap<(PermissionSetIx, AccountIx), Arc<AccessProfile>>,
    /// Per permission set: AWS managed, customer managed, inline, boundary
    policies: Vec<(String, String, bool, String)>,
    /// Per account: the OU path
    ou_paths: Vec<String>,
    /// The selected (user, access path) rows
    entries: Vec<(UserIx, Access)>,
    /// Application and entitlement rows, after the account rows
    extra: Vec<AssignmentRow>,
}

impl AssignmentReview {
    /// Selects the rows `f` keeps and decides each pair's privilege level
    pub fn new(model: &Model, f: &ReviewFilter) -> AssignmentReview {
        let mut wanted: BTreeSet<(PermissionSetIx, AccountIx)> = BTreeSet::new();
        for u in model.user_ids() {
            if keep(&f.users, u) {
                for a in model.access(u) {
                    if keep(&f.accounts, a.account) && keep(&f.permission_sets, a.permission_set) {
                        wanted.insert((a.permission_set, a.account));
                    }
                }
            }
        }
        let pairs: Vec<(PermissionSetIx, AccountIx)> = wanted.into_iter().collect();
        let profiles = pair_profiles(model, &pairs);
        let mut entries = Vec::new();
        for u in model.user_ids() {
            if !keep(&f.users, u) {
                continue;
            }
            for a in model.access(u) {
                let group = match a.via {
                    Via::Group(g) => Some(g),
                    Via::Direct => None,
                };
                if !keep(&f.accounts, a.account)
                    || !keep(&f.permission_sets, a.permission_set)
                    || f.groups
                        .as_ref()
                        .is_some_and(|gs| group.is_none_or(|g| !gs.contains(&g)))
                {
                    continue;
                }
                let privileged = profiles
                    .get(&(a.permission_set, a.account))
                    .is_some_and(|p| p.privileged);
                if f.privileged_only && !privileged {
                    continue;
                }
                entries.push((u, a));
            }
        }
        AssignmentReview {
            common: common(model),
            profiles,
            policies: model
                .permission_set_ids()
                .map(|ps| policy_cells(model, ps))
                .collect(),
            ou_paths: model.account_ids().map(|a| ou_path(model, a)).collect(),
            entries,
            extra: Vec::new(),
        }
        .with_applications(model, f)
    }

    /// Adds the application and entitlement rows `f` keeps: applications
    /// are in no account, so an account, permission set or privilege
    /// filter leaves them out; entitlements are in their role's account
    fn with_applications(mut self, model: &Model, f: &ReviewFilter) -> AssignmentReview {
        let blank = |u: UserIx, target, path| user_row(&self.common, model, u, target, path);
        let group_kept = |g: Option<GroupIx>| {
            f.groups
                .as_ref()
                .is_none_or(|gs| g.is_some_and(|g| gs.contains(&g)))
        };
        let set_group = |r: &mut AssignmentRow, g: Option<GroupIx>| {
            if let Some(g) = g {
                r.group_id = model.group(g).id.clone();
                r.group_name = model.group(g).name.clone();
            }
        };
        let mut extra = Vec::new();
        let no_app_rows = f.accounts.is_some() || f.permission_sets.is_some() || f.privileged_only;
        for app in model.snapshot().applications.iter().flatten() {
            if no_app_rows {
                break;
            }
            for u in model.user_ids().filter(|&u| keep(&f.users, u)) {
                let mut paths: Vec<(&'static str, Option<GroupIx>)> = Vec::new();
                if app.open_to_all() {
                    paths.push(("ALL_USERS", None));
                }
                for a in app.assignments.iter().flatten() {
                    match a.principal_type {
                        PrincipalType::User if a.principal_id == model.user(u).id => {
                            paths.push(("DIRECT", None));
                        }
                        PrincipalType::Group => {
                            if let Some(g) = model.group_by_id(&a.principal_id) {
                                if model.user_groups(u).contains(&g) {
                                    paths.push(("GROUP", Some(g)));
                                }
                            }
                        }
                        PrincipalType::User => {}
                    }
                }
                paths.sort();
                paths.dedup();
                for (path, g) in paths {
                    if !group_kept(g) {
                        continue;
                    }
                    let mut r = blank(u, "APPLICATION", path);
                    set_group(&mut r, g);
                    r.application_arn = app.arn.clone();
                    r.application_name = app.name.clone();
                    extra.push(r);
                }
            }
        }
        let cat = crate::who::profile::CatalogActions::new(None, None);
        let mut profiles: HashMap<usize, Arc<AccessProfile>> = HashMap::new();
        for c in crate::who::entitlement::entitlements(model) {
            if f.permission_sets.is_some() || c.account.is_some_and(|a| !keep(&f.accounts, a)) {
                continue;
            }
            if f.accounts.is_some() && c.account.is_none() {
                continue;
            }
            let profile = c.role.map(|r| {
                profiles
                    .entry(r)
                    .or_insert_with(|| Arc::new(crate::who::profile::role_profile(model, r, &cat)))
                    .clone()
            });
            let usable = c.status == crate::who::entitlement::EntitlementStatus::Usable;
            let privileged = usable && profile.as_ref().is_some_and(|p| p.privileged);
            if f.privileged_only && !privileged {
                continue;
            }
            let e = &c.entitlement;
            let users =
                crate::who::entitlement::principal_users(model, e.principal_type, &e.principal_id);
            for (u, _) in users.into_iter().filter(|(u, _)| keep(&f.users, *u)) {
                let g = match e.principal_type {
                    PrincipalType::Group => model.group_by_id(&e.principal_id),
                    PrincipalType::User => None,
                };
                if !group_kept(g) {
                    continue;
                }
                let path = if g.is_some() { "GROUP" } else { "DIRECT" };
                let mut r = blank(u, "ENTITLEMENT", path);
                set_group(&mut r, g);
                r.application_arn = c.application_arn.clone();
                r.application_name = c.application.clone();
                r.role_arn = e.role_arn.clone();
                r.entitlement_status = c.status.code();
                r.account_id = e.account_id.clone();
                if let Some(a) = c.account {
                    r.account_name = model.account(a).name.clone();
                    r.ou_path = self.ou_paths[a.index()].clone();
                }
                r.privilege_level = "none";
                if let Some(p) = profile.as_ref().filter(|_| usable) {
                    r.privilege_level = p.level.as_str();
                    r.privilege_detail = p.level_detail();
                    r.is_privileged = p.privileged;
                }
                extra.push(r);
            }
        }
        extra.sort_by(|a, b| {
            (
                &a.user_name,
                a.target_type,
                &a.application_name,
                &a.role_arn,
                a.access_path,
                &a.group_name,
            )
                .cmp(&(
                    &b.user_name,
                    b.target_type,
                    &b.application_name,
                    &b.role_arn,
                    b.access_path,
                    &b.group_name,
                ))
        });
        self.extra = extra;
        self
    }

    /// Number of rows
    pub fn len(&self) -> usize {
        self.entries.len() + self.extra.len()
    }

    /// Whether there are none
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`: the account rows, then the application and entitlement rows
    pub fn row(&self, model: &Model, i: usize) -> AssignmentRow {
        let Some(&(u, a)) = self.entries.get(i) else {
            return self.extra[i - self.entries.len()].clone();
        };
        let group = match a.via {
            Via::Group(g) => Some(&model.snapshot().groups[g]),
            Via::Direct => None,
        };
        let path = if group.is_some() { "GROUP" } else { "DIRECT" };
        let ps = &model.snapshot().permission_sets[a.permission_set];
        let account = &model.accounts()[a.account];
        let (managed, customer, inline, boundary) = &self.policies[a.permission_set.index()];
        let profile = self.profiles.get(&(a.permission_set, a.account));
        AssignmentRow {
            group_id: group.map(|g| g.id.clone()).unwrap_or_default(),
            group_name: group.map(|g| g.name.clone()).unwrap_or_default(),
            permission_set_arn: ps.arn.clone(),
            permission_set_name: ps.name.clone(),
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            ou_path: self.ou_paths[a.account.index()].clone(),
            aws_managed_policies: managed.clone(),
            customer_managed_policies: customer.clone(),
            has_inline_policy: *inline,
            permissions_boundary: boundary.clone(),
            session_duration: ps.session_duration.clone(),
            privilege_level: profile.map_or("none", |p| p.level.as_str()),
            privilege_detail: profile.map(|p| p.level_detail()).unwrap_or_default(),
            is_privileged: profile.is_some_and(|p| p.privileged),
            ..user_row(&self.common, model, u, "AWS_ACCOUNT", path)
        }
    }

    /// Rows per account and privilege level, for the HTML summary: `name
    /// (id)` → level → rows (only levels that occur)
    pub fn counts_by_account(
        &self,
        model: &Model,
    ) -> BTreeMap<String, BTreeMap<&'static str, usize>> {
        let mut out: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
        let mut names: HashMap<AccountIx, String> = HashMap::new();
        for (_, a) in &self.entries {
            let level = self
                .profiles
                .get(&(a.permission_set, a.account))
                .map_or("none", |p| p.level.as_str());
            let name = names.entry(a.account).or_insert_with(|| {
                let acct = &model.accounts()[a.account];
                format!("{} ({})", acct.name, acct.id)
            });
            *out.entry(name.clone())
                .or_default()
                .entry(level)
                .or_default() += 1;
        }
        // Entitlement rows are in their role's account; application rows
        // are in none.
        for r in self.extra.iter().filter(|r| r.target_type == "ENTITLEMENT") {
            let name = match model.find_account_id(&r.account_id) {
                Some(a) => format!("{} ({})", model.account(a).name, r.account_id),
                None => r.account_id.clone(),
            };
            *out.entry(name)
                .or_default()
                .entry(r.privilege_level)
                .or_default() += 1;
        }
        out
    }
}

/// A row of `u` with the user's and the snapshot's columns filled and the
/// rest empty, for `target` reached by `path`
fn user_row(
    common: &Common,
    model: &Model,
    u: UserIx,
    target: &'static str,
    path: &'static str,
) -> AssignmentRow {
    let user = model.user(u);
    AssignmentRow {
        as_of_utc: common.as_of_utc.clone(),
        snapshot_source: common.snapshot_source.clone(),
        identity_store_id: common.identity_store_id.clone(),
        user_id: user.id.clone(),
        user_name: user.user_name.clone(),
        display_name: user.display_name.clone().unwrap_or_default(),
        email: primary_email(model, u),
        user_status: user.status.as_str().to_owned(),
        target_type: target,
        access_path: path,
        group_id: String::new(),
        group_name: String::new(),
        permission_set_arn: String::new(),
        permission_set_name: String::new(),
        application_arn: String::new(),
        application_name: String::new(),
        role_arn: String::new(),
        entitlement_status: "",
        account_id: String::new(),
        account_name: String::new(),
        ou_path: String::new(),
        aws_managed_policies: String::new(),
        customer_managed_policies: String::new(),
        has_inline_policy: false,
        permissions_boundary: String::new(),
        session_duration: String::new(),
        privilege_level: "",
        privilege_detail: String::new(),
        is_privileged: false,
        abac_attributes: abac_cell(model, u),
        reviewer: String::new(),
        decision: String::new(),
        decision_date: String::new(),
        justification: String::new(),
        ticket: String::new(),
    }
}

/// Every row of [`AssignmentReview`], materialized (small organizations, tests)
pub fn assignment_rows(model: &Model, f: &ReviewFilter) -> Vec<AssignmentRow> {
    let review = AssignmentReview::new(model, f);
    (0..review.len()).map(|i| review.row(model, i)).collect()
}

/// The 9 columns of aws-sso-util's assignment listing, for drop-in use
pub const SSO_UTIL_HEADER: [&str; 9] = [
    "instance_arn",
    "principal_type",
    "principal_id",
    "principal_name",
    "permission_set_arn",
    "permission_set_name",
    "target_type",
    "target_id",
    "target_name",
];

/// `report assignments --layout aws-sso-util`: one row per account
/// assignment as Identity Center stores it (groups not expanded), filtered
/// like [`assignment_rows`] (a user filter keeps the user's own assignments
/// and those of its groups)
pub fn sso_util_rows(model: &Model, f: &ReviewFilter) -> Vec<[String; 9]> {
    let instance = model
        .snapshot()
        .identity_center
        .as_ref()
        .map(|ic| ic.instance_arn.clone())
        .unwrap_or_default();
    let pairs: Vec<(PermissionSetIx, AccountIx)> = model
        .assignments()
        .iter()
        .flatten()
        .map(|r| (r.permission_set, r.account))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let profiles = if f.privileged_only {
        pair_profiles(model, &pairs)
    } else {
        HashMap::new()
    };
    let mut rows: Vec<[String; 9]> = Vec::new();
    // Resolved once at load, by id: a dangling assignment makes no row.
    for (a, r) in model.snapshot().assignments.iter().zip(model.assignments()) {
        let Some(r) = r else { continue };
        let (ps, acct) = (r.permission_set, r.account);
        let (ptype, name, principal_ok) = match r.principal {
            Principal::User(u) => (
                "USER",
                model.snapshot().users[u].user_name.clone(),
                keep(&f.users, u) && f.groups.is_none(),
            ),
            Principal::Group(g) => (
                "GROUP",
                model.snapshot().groups[g].name.clone(),
                keep(&f.groups, g)
                    && f.users
                        .as_ref()
                        .is_none_or(|us| model.group_members(g).iter().any(|u| us.contains(u))),
            ),
        };
        if !principal_ok || !keep(&f.accounts, acct) || !keep(&f.permission_sets, ps) {
            continue;
        }
        if f.privileged_only && !profiles.get(&(ps, acct)).is_some_and(|p| p.privileged) {
            continue;
        }
        let p = &model.snapshot().permission_sets[ps];
        let account = &model.accounts()[acct];
        rows.push([
            instance.clone(),
            ptype.to_owned(),
            a.principal_id.clone(),
            name,
            p.arn.clone(),
            p.name.clone(),
            "AWS_ACCOUNT".to_owned(),
            account.id.clone(),
            account.name.clone(),
        ]);
    }
    rows.sort();
    rows
}

report_row! {
    /// One application, for `report applications`
    ApplicationRow, APPLICATION_HEADER {
        /// When the snapshot was taken (UTC, RFC 3339)
        as_of_utc: String,
        /// `custom`, `aws-managed` or `account-access`
        kind: &'static str,
        /// Name (an account access manager application: its id)
        name: String,
        /// ARN
        arn: String,
        /// `ENABLED` or `DISABLED`
        status: String,
        /// Shown in the access portal
        visible: bool,
        /// Assignment not required: every user has it
        open_to_all: bool,
        /// The application's account
        account_id: String,
        /// Direct user assignments (entitlements to users)
        user_assignments: usize,
        /// Group assignments (entitlements to groups)
        group_assignments: usize,
        /// Distinct enabled users reached
        users_reached: usize,
        /// Distinct disabled users reached
        disabled_users_reached: usize,
        /// Assignments naming a principal not in the identity store
        unknown_principals: usize,
        /// Account access manager: the roles given, `;`-separated
        roles: String,
        /// Account access manager: entitlements that give no access
        /// (role missing, trust denies)
        broken_entitlements: usize,
    }
}

/// `report applications`: every Identity Center application and account
/// access manager application, with the users each reaches
pub fn application_rows(model: &Model) -> Vec<ApplicationRow> {
    use crate::query::applications::{application_via, kind_of, unknown};
    use crate::who::entitlement::{entitlements, principal_users, EntitlementStatus};
    let as_of = model.snapshot().provenance.collected_at.clone();
    let reached = |users: &BTreeSet<UserIx>| {
        let enabled = users.iter().filter(|&&u| model.user_enabled(u)).count();
        (enabled, users.len() - enabled)
    };
    let mut rows = Vec::new();
    for app in model.snapshot().applications.iter().flatten() {
        let users: BTreeSet<UserIx> = model
            .user_ids()
            .filter(|&u| !application_via(model, app, u).is_empty())
            .collect();
        let (on, off) = reached(&users);
        let list = app.assignments.as_deref().unwrap_or_default();
        let count = |t: PrincipalType| list.iter().filter(|a| a.principal_type == t).count();
        rows.push(ApplicationRow {
            as_of_utc: as_of.clone(),
            kind: kind_of(app),
            name: app.name.clone(),
            arn: app.arn.clone(),
            status: app.status.clone(),
            visible: app.visible(),
            open_to_all: app.open_to_all(),
            account_id: app.account_id.clone().unwrap_or_default(),
            user_assignments: count(PrincipalType::User),
            group_assignments: count(PrincipalType::Group),
            users_reached: on,
            disabled_users_reached: off,
            unknown_principals: list
                .iter()
                .filter(|a| unknown(model, a.principal_type, &a.principal_id))
                .count(),
            roles: String::new(),
            broken_entitlements: 0,
        });
    }
    let checks = entitlements(model);
    for app in model
        .snapshot()
        .account_access
        .iter()
        .flat_map(|aa| &aa.applications)
    {
        let mine: Vec<_> = checks
            .iter()
            .filter(|c| c.application_arn == app.arn)
            .collect();
        let mut users = BTreeSet::new();
        let mut roles = BTreeSet::new();
        for c in &mine {
            let e = &c.entitlement;
            roles.insert(e.role_arn.clone());
            if c.status == EntitlementStatus::Usable {
                users.extend(
                    principal_users(model, e.principal_type, &e.principal_id)
                        .into_iter()
                        .map(|(u, _)| u),
                );
            }
        }
        let (on, off) = reached(&users);
        let count = |t: PrincipalType| {
            mine.iter()
                .filter(|c| c.entitlement.principal_type == t)
                .count()
        };
        rows.push(ApplicationRow {
            as_of_utc: as_of.clone(),
            kind: "account-access",
            name: app.short_id().to_owned(),
            arn: app.arn.clone(),
            status: "ENABLED".to_owned(),
            visible: false,
            open_to_all: false,
            account_id: app.account_id().unwrap_or_default().to_owned(),
            user_assignments: count(PrincipalType::User),
            group_assignments: count(PrincipalType::Group),
            users_reached: on,
            disabled_users_reached: off,
            unknown_principals: mine
                .iter()
                .filter(|c| {
                    unknown(
                        model,
                        c.entitlement.principal_type,
                        &c.entitlement.principal_id,
                    )
                })
                .count(),
            roles: roles.into_iter().collect::<Vec<_>>().join(";"),
            broken_entitlements: mine
                .iter()
                .filter(|c| {
                    matches!(
                        c.status,
                        EntitlementStatus::RoleMissing | EntitlementStatus::TrustDenies { .. }
                    )
                })
                .count(),
        });
    }
    rows
}

report_row! {
    /// One permission set, for `report permission-sets`
    PermissionSetRow, PERMISSION_SET_HEADER {
        /// Name
        name: String,
        /// ARN
        arn: String,
        /// Description
        description: String,
        /// AWS managed policy names, `;`-separated
        aws_managed_policies: String,
        /// Customer managed policy path+names, `;`-separated
        customer_managed_policies: String,
        /// Has an inline policy
        has_inline_policy: bool,
        /// The boundary
        permissions_boundary: String,
        /// ISO 8601 duration
        session_duration: String,
        /// `s3: list, read; sqs: write` from the catalog, the set's own policies
        access_summary: String,
        /// The summary level of its own policies
        privilege_level: &'static str,
        /// What qualifies the level (see [`AccessProfile::level_detail`])
        privilege_detail: String,
        /// Admin-equivalent by its own policies
        admin_equivalent: bool,
        /// Accounts it is provisioned to (names), `;`-separated
        provisioned_accounts: String,
        /// Distinct users it reaches through assignments
        users_reached: usize,
    }
}

/// `report permission-sets`: one row per permission set, in name order.
/// Access is what the set's own policies allow (no SCPs), with customer
/// managed policies resolved in the first account it is provisioned or
/// assigned to.
pub fn permission_set_rows(model: &Model, f: &ReviewFilter) -> Vec<PermissionSetRow> {
    let cat = CatalogActions::new(None, None);
    let mut users: BTreeMap<PermissionSetIx, BTreeSet<UserIx>> = BTreeMap::new();
    let mut accounts: BTreeMap<PermissionSetIx, BTreeSet<AccountIx>> = BTreeMap::new();
    for u in model.user_ids() {
        for a in model.access(u) {
            if keep(&f.accounts, a.account) {
                users.entry(a.permission_set).or_default().insert(u);
                accounts
                    .entry(a.permission_set)
                    .or_default()
                    .insert(a.account);
            }
        }
    }
    let mut rows: Vec<PermissionSetRow> = model
        .permission_set_ids()
        .filter(|&ps| keep(&f.permission_sets, ps))
        .map(|ps| {
            let p = &model.snapshot().permission_sets[ps];
            let provisioned: Vec<AccountIx> = p
                .provisioning
                .iter()
                .filter_map(|pr| model.find_account(&pr.account_id))
                .collect();
            let home = provisioned
                .first()
                .copied()
                .or_else(|| accounts.get(&ps).and_then(|s| s.first().copied()))
                .unwrap_or(AccountIx::new(0));
            let profile = if model.accounts().is_empty() {
                None
            } else {
                Some(permission_set_profile(model, ps, home, &cat))
            };
            let (managed, customer, inline, boundary) = policy_cells(model, ps);
            let mut names: Vec<String> = provisioned
                .iter()
                .map(|&a| model.accounts()[a].name.clone())
                .collect();
            names.sort();
            PermissionSetRow {
                name: p.name.clone(),
                arn: p.arn.clone(),
                description: p.description.clone().unwrap_or_default(),
                aws_managed_policies: managed,
                customer_managed_policies: customer,
                has_inline_policy: inline,
                permissions_boundary: boundary,
                session_duration: p.session_duration.clone(),
                access_summary: profile.as_ref().map(|p| p.summary()).unwrap_or_default(),
                privilege_level: profile.as_ref().map_or("none", |p| p.level.as_str()),
                privilege_detail: profile
                    .as_ref()
                    .map(|p| p.level_detail())
                    .unwrap_or_default(),
                admin_equivalent: profile.as_ref().is_some_and(|p| p.admin_equivalent),
                provisioned_accounts: names.join(";"),
                users_reached: users.get(&ps).map_or(0, BTreeSet::len),
            }
        })
        .filter(|r| {
            !f.privileged_only || r.privilege_level == "admin" || r.privilege_level == "power user"
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.arn.cmp(&b.arn)));
    rows
}

report_row! {
    /// One who-can row with the reviewed user's facts, for `report access`
    AccessRow, ACCESS_HEADER {
        /// When the snapshot was taken
        as_of_utc: String,
        /// User id (Identity Center) or the IAM principal's ARN
        principal_id: String,
        /// User name or the IAM principal's ARN
        principal_name: String,
        /// `identity-center-user`, `iam-user`, `iam-role`
        principal_type: String,
        /// Primary email (Identity Center users)
        email: String,
        /// `ENABLED` or `DISABLED` (Identity Center users)
        user_status: String,
        /// `DIRECT`, `GROUP` or `IAM`
        access_path: String,
        /// Group name (GROUP rows)
        group_name: String,
        /// Permission set name (Identity Center rows)
        permission_set_name: String,
        /// Account id
        account_id: String,
        /// Account name
        account_name: String,
        /// `Root/<OU>/...`
        ou_path: String,
        /// `allow` or `conditional`
        decision: String,
        /// For conditional rows: the condition that must hold
        condition: String,
        /// The actions this row allows, `;`-separated
        actions: String,
        /// The granting statements, `;`-separated
        deciding: String,
    }
}

/// `report access`: the who-can answer as review rows, in its order
pub fn access_rows(model: &Model, answer: &WhoCanAnswer) -> Vec<AccessRow> {
    let as_of = model.snapshot().provenance.collected_at.clone();
    let mut rows = Vec::with_capacity(answer.len());
    for h in answer.hits(model) {
        let r = answer.row_of(model, &h);
        let u = h.user;
        let user = &model.snapshot().users[u];
        let (path, group) = match h.via {
            Via::Direct => ("DIRECT", String::new()),
            Via::Group(g) => ("GROUP", model.snapshot().groups[g].name.clone()),
        };
        // A role chain: the path says which roles it goes through.
        let path = match answer.chains.get(h.chain as usize) {
            Some(c) => format!("{path}{}", c.via_suffix),
            None => path.to_owned(),
        };
        rows.push(AccessRow {
            as_of_utc: as_of.clone(),
            principal_id: user.id.clone(),
            principal_name: user.user_name.clone(),
            principal_type: r.principal_type.to_owned(),
            email: primary_email(model, u),
            user_status: user.status.as_str().to_owned(),
            access_path: path,
            group_name: group,
            permission_set_name: r.permission_set.unwrap_or_default(),
            account_id: r.account_id,
            account_name: r.account_name,
            ou_path: ou_path(model, h.account),
            decision: r.decision.to_owned(),
            condition: r.condition.unwrap_or_default(),
            actions: r.actions.join(";"),
            deciding: r.deciding.join(";"),
        });
    }
    for r in &answer.iam {
        let ou = model
            .find_account(&r.account_id)
            .map(|a| ou_path(model, a))
            .unwrap_or_default();
        rows.push(AccessRow {
            as_of_utc: as_of.clone(),
            principal_id: r.principal.clone(),
            principal_name: r.principal.clone(),
            principal_type: r.principal_type.to_owned(),
            email: String::new(),
            user_status: String::new(),
            access_path: match r.via.strip_prefix("iam") {
                Some(rest) => format!("IAM{rest}"),
                None => "IAM".to_owned(),
            },
            group_name: String::new(),
            permission_set_name: String::new(),
            account_id: r.account_id.clone(),
            account_name: r.account_name.clone(),
            ou_path: ou,
            decision: r.decision.to_owned(),
            condition: r.condition.clone().unwrap_or_default(),
            actions: r.actions.join(";"),
            deciding: r.deciding.join(";"),
        });
    }
    rows
}

/// What a review document says besides its rows
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// The title (Markdown, HTML)
    pub title: &'a str,
    /// The line under it: how many rows, as of when
    pub summary: &'a str,
    /// The columns
    pub header: &'a [&'a str],
    /// Rows per account and privilege level (the HTML summary)
    pub counts: Option<&'a BTreeMap<String, BTreeMap<&'static str, usize>>>,
}

/// Writes `n` rows, made one at a time by `row`, as a review in `format`
/// (csv, json, markdown, html, table); JSON is the serde form of the rows,
/// streamed, the others their `cells`
///
/// # Errors
/// Writing fails, or `format` is not one a review has.
pub fn write_rows<W: std::io::Write, T: Serialize>(
    w: &mut W,
    format: crate::report::Format,
    doc: &Document<'_>,
    n: usize,
    row: impl Fn(usize) -> T,
    cells: impl Fn(&T) -> Vec<String>,
) -> Result<(), crate::report::RenderError> {
    use crate::report::tabular::{table, write_csv, write_html, write_markdown};
    use crate::report::Format;
    let all = || (0..n).map(|i| cells(&row(i)));
    match format {
        Format::Csv => write_csv(&mut *w, doc.header, all())?,
        Format::Json => {
            writeln!(w, "[")?;
            for i in 0..n {
                let sep = if i + 1 == n { "" } else { "," };
                writeln!(w, "  {}{sep}", serde_json::to_string(&row(i))?)?;
            }
            writeln!(w, "]")?;
        }
        Format::Markdown => write_markdown(&mut *w, doc.title, doc.summary, doc.header, all())?,
        Format::Html => {
            let empty = BTreeMap::new();
            write_html(
                &mut *w,
                doc.title,
                doc.summary,
                doc.counts.unwrap_or(&empty),
                doc.header,
                all(),
            )?;
        }
        Format::Table => {
            let mut t = table(doc.header);
            for r in all() {
                t.add_row(r);
            }
            writeln!(w, "{t}\n{}", doc.summary)?;
        }
        format => {
            return Err(crate::report::RenderError::Unsupported {
                command: "report",
                format,
            })
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Snapshot;

    /// Every row's header is its JSON keys in order, and each cell is its
    /// JSON value as text: the three views of a column cannot drift
    fn agree<R: Serialize>(header: &[&str], rows: &[R], cells: impl Fn(&R) -> Vec<String>) {
        assert!(!rows.is_empty());
        for r in rows {
            let v = serde_json::to_value(r).unwrap();
            let obj = v.as_object().unwrap();
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            assert_eq!(keys, header);
            let c = cells(r);
            assert_eq!(c.len(), header.len());
            for (cell, (k, value)) in c.iter().zip(obj) {
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(cell, &text, "column {k}");
            }
        }
    }

    #[test]
    fn headers_cells_and_json_come_from_one_definition() {
        let text = include_str!("../../fixtures/acme/snapshot.json");
        let m = Model::build(Snapshot::from_json(text).unwrap()).unwrap();
        let f = ReviewFilter::default();
        agree(
            &ASSIGNMENT_HEADER,
            &assignment_rows(&m, &f),
            AssignmentRow::cells,
        );
        agree(
            &PERMISSION_SET_HEADER,
            &permission_set_rows(&m, &f),
            PermissionSetRow::cells,
        );
        let q = crate::who::WhoCanQuery {
            actions: vec!["s3:GetObject".to_owned()],
            ..Default::default()
        };
        let answer = crate::who::who_can(&m, &q);
        agree(&ACCESS_HEADER, &access_rows(&m, &answer), AccessRow::cells);
    }
}
