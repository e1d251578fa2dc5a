//! This module lints the organization model: findings with stable
//! kebab-case codes, a severity, a message and a one-line fix. Each code is
//! documented (What / Why / Fix) in [`CODES`], which the README table and
//! `accessgraph lint --explain CODE` are made from. No IO here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::data::catalog;
use crate::graph::{AccountIx, Model, PermissionSetIx, Principal, Resolution};
use crate::snapshot::{PrincipalType, UserStatus};

/// How bad a finding is
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look
    Low,
    /// Should be fixed
    Medium,
    /// Breaks access or security
    High,
}

impl Severity {
    /// `low`, `medium`, `high`
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// A lint rule's documentation
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeDoc {
    /// Stable kebab-case code
    pub code: &'static str,
    /// Severity
    pub severity: Severity,
    /// What it finds
    pub what: &'static str,
    /// Why it matters
    pub why: &'static str,
    /// How to fix it
    pub fix: &'static str,
}

/// Every lint code
pub const CODES: &[CodeDoc] = &[
    CodeDoc {
        code: "direct-user-assignment",
        severity: Severity::Low,
        what: "A permission set is assigned to a user directly instead of through a group.",
        why: "Direct assignments are invisible in group reviews and outlive role changes; AWS's own guidance is to assign groups.",
        fix: "Assign a group that holds the user, then remove the user assignment.",
    },
    CodeDoc {
        code: "customer-managed-policy-missing",
        severity: Severity::High,
        what: "A permission set references a customer managed policy (or boundary) that does not exist in a target account.",
        why: "References are resolved per account by name and path; where the policy is missing, provisioning fails and users get no role there.",
        fix: "Create the policy with that exact name and path in the account, or remove the reference.",
    },
    CodeDoc {
        code: "permission-set-not-provisioned",
        severity: Severity::Medium,
        what: "A permission set is assigned in an account where it is not provisioned with its latest version.",
        why: "Edits reach an account only after ProvisionPermissionSet; the role there still has the old policies.",
        fix: "Re-provision the permission set to the account.",
    },
    CodeDoc {
        code: "role-drift",
        severity: Severity::Medium,
        what: "The AWSReservedSSO role in an account does not carry the permission set's managed policies.",
        why: "Effective access is the role's, not the permission set's; drift means reviews of the permission set are wrong.",
        fix: "Re-provision the permission set; investigate who changed the protected role.",
    },
    CodeDoc {
        code: "disabled-user-with-assignments",
        severity: Severity::Medium,
        what: "A disabled user still has account assignments (directly or through groups).",
        why: "Disabled users cannot sign in, but re-enabling restores all access at once; access reviews should show it removed.",
        fix: "Remove the user from groups and delete its direct assignments, or delete the user.",
    },
    CodeDoc {
        code: "abac-attribute-unmapped",
        severity: Severity::Low,
        what: "An attribute for access control maps to a source that no user has a value for.",
        why: "Sessions then carry no such principal tag: every ABAC condition on it fails (or, negated, passes) for everyone.",
        fix: "Fix the source path (e.g. ${path:enterprise.department}) or populate the attribute.",
    },
    CodeDoc {
        code: "unknown-action",
        severity: Severity::Medium,
        what: "A policy names an action (or a pattern) that matches no action in the bundled catalog.",
        why: "A typo or a retired action grants nothing, so the intended access silently does not exist.",
        fix: "Correct the action name; see the Service Authorization Reference.",
    },
    CodeDoc {
        code: "dangling-reference",
        severity: Severity::Medium,
        what: "An assignment or membership names a user, group, permission set or account the snapshot does not have, or the IAM data is of an account the organization does not list.",
        why: "Such a record grants nothing accessgraph can show, so every query leaves it out; it usually means a partial export or a deleted principal.",
        fix: "Re-export (check provenance errors) or delete the stale assignment.",
    },
    CodeDoc {
        code: "duplicate-id",
        severity: Severity::Medium,
        what: "Two users, groups, permission sets or accounts of the snapshot share one id (ARN for permission sets).",
        why: "AWS ids are unique, so the snapshot is damaged or hand-edited; assignments and memberships that name the id reach only one of the records (the last), and the other answers no question.",
        fix: "Re-export the snapshot, or remove the duplicate record.",
    },
    CodeDoc {
        code: "caller-controlled-principal-tag",
        severity: Severity::Medium,
        what: "An IAM role's trust policy lets callers pass session tags (`sts:TagSession`), and the role's own policies test `aws:PrincipalTag/*`.",
        why: "Session tags override the role's tags and are chosen by whoever assumes the role, so a condition on them grants what the caller says it may have; accessgraph answers such grants as conditional.",
        fix: "Drop `sts:TagSession` from the trust policy, restrict the tags it accepts (`aws:RequestTag/<key>`, `aws:TagKeys`), or test something the caller cannot set (`aws:PrincipalArn`).",
    },
    CodeDoc {
        code: "customer-managed-policy-differs",
        severity: Severity::Medium,
        what: "A customer managed policy (or boundary) a permission set references has different documents in the accounts the set is provisioned or assigned to.",
        why: "References resolve by name and path in each account, so one permission set grants different access per account, and a review of the set (or of one account's copy) describes none of the others.",
        fix: "Make the policy the same in every account (deploy it from one template, e.g. a StackSet), or use separate permission sets where the access is meant to differ.",
    },
    CodeDoc {
        code: "boundary-cuts-off-statement",
        severity: Severity::Low,
        what: "An Allow statement of a permission set's inline policy names only actions its permissions boundary never allows (in every account the set is used in).",
        why: "The boundary caps what the policies grant, so the statement grants nothing: either it is dead weight, or the boundary cuts off access someone meant to give.",
        fix: "Remove the statement, or widen the boundary if the access is meant.",
    },
    CodeDoc {
        code: "denied-by-scps-everywhere",
        severity: Severity::Low,
        what: "A permission set's inline policy allows an action that the SCPs deny in every account the set is provisioned or assigned to.",
        why: "SCPs cap every principal of a member account, so the grant never takes effect; reviews of the set overstate its access.",
        fix: "Remove the action from the set, or change the SCPs if the access is meant.",
    },
    CodeDoc {
        code: "long-session",
        severity: Severity::Low,
        what: "A permission set's session duration is longer than the threshold (8 hours by default).",
        why: "Long sessions keep credentials valid after a person leaves or a laptop is lost.",
        fix: "Shorten the session duration, or raise --max-session-hours if this is policy.",
    },
    CodeDoc {
        code: "application-open-to-all",
        severity: Severity::Medium,
        what: "An Identity Center application does not require assignment (`AssignmentRequired` false): every user of the directory has it.",
        why: "New users get it without anyone deciding so, and no assignment shows it in a review; for a SAML application the application alone then decides who gets in.",
        fix: "Require assignment (PutApplicationAssignmentConfiguration) and assign the groups that need it.",
    },
    CodeDoc {
        code: "application-direct-user-assignment",
        severity: Severity::Low,
        what: "An Identity Center application is assigned to a user directly instead of through a group.",
        why: "Direct assignments are invisible in group reviews and outlive role changes, as for account assignments.",
        fix: "Assign a group that holds the user, then remove the user assignment.",
    },
    CodeDoc {
        code: "disabled-user-with-applications",
        severity: Severity::Medium,
        what: "A disabled user still has application assignments or account access manager entitlements (directly or through groups).",
        why: "Disabled users cannot sign in, but re-enabling restores the applications and roles at once; the review should show them removed.",
        fix: "Remove the user from the groups and delete its direct assignments and entitlements, or delete the user.",
    },
    CodeDoc {
        code: "application-unknown-principal",
        severity: Severity::Medium,
        what: "An application assignment or an account access manager entitlement names a user or group the identity store does not have.",
        why: "It grants nothing accessgraph can show; usually the principal was deleted and the assignment left behind, and a new principal can never reuse the id, so it is dead.",
        fix: "Delete the assignment or entitlement (or re-export, if the identity store listing was partial).",
    },
    CodeDoc {
        code: "entitlement-role-missing",
        severity: Severity::High,
        what: "An account access manager entitlement names an IAM role that the account's IAM data does not have.",
        why: "The user is promised a role that does not exist: the entitlement fails when used, and a role created later under that name inherits the entitlement.",
        fix: "Create the role (with the trust policy account access manager needs) or delete the entitlement.",
    },
    CodeDoc {
        code: "entitlement-trust-denied",
        severity: Severity::High,
        what: "The role of an account access manager entitlement does not trust `account-access.amazonaws.com` for `sts:AssumeRole` and `sts:SetContext` (and `sts:TagSession` when session tags are passed), for the application's `aws:SourceAccount` and `aws:SourceArn`.",
        why: "Account access manager cannot assume the role for the user: credential retrieval fails, so the entitlement gives no access even though a review lists it.",
        fix: "Add the statement AWS's \"prepare IAM roles\" page gives (Service account-access.amazonaws.com; sts:AssumeRole, sts:SetContext, and sts:TagSession when attributes for access control are enabled; conditions on aws:SourceAccount and aws:SourceArn) to the role's trust policy.",
    },
];

/// One finding
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Severity
    pub severity: Severity,
    /// Stable code
    pub code: &'static str,
    /// What it is about (permission set, user, account)
    pub subject: String,
    /// What is wrong, concretely
    pub message: String,
    /// One-line fix
    pub fix: &'static str,
}

/// Lint options
#[derive(Debug, Clone, Copy)]
pub struct LintOptions {
    /// Sessions longer than this many seconds are flagged
    pub max_session_seconds: u64,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            max_session_seconds: 8 * 3600,
        }
    }
}

/// The documentation of a code lint reports: one of [`CODES`], or a
/// check of `validate` (which lint runs over every policy document; its
/// severity in lint's terms: errors high, security warnings medium,
/// warnings low)
pub fn explain(code: &str) -> Option<CodeDoc> {
    if let Some(d) = CODES.iter().find(|c| c.code == code) {
        return Some(*d);
    }
    let check = crate::validate::check(code)?;
    Some(CodeDoc {
        code: check.code,
        severity: super::documents::severity(check.severity)?,
        what: check.what,
        why: check.why,
        fix: "Fix the document where the finding points (`accessgraph validate FILE` shows it with its line); docs/validate.md has the check.",
    })
}

/// The severity of one of [`CODES`]
pub(crate) fn code_severity(code: &str) -> Severity {
    doc(code).severity
}

/// The fix of one of [`CODES`]
pub(crate) fn code_fix(code: &str) -> &'static str {
    doc(code).fix
}

fn doc(code: &str) -> &'static CodeDoc {
    // INVARIANT: every code used below is in CODES (tested).
    CODES.iter().find(|c| c.code == code).unwrap_or(&CODES[0])
}

/// A finding of `code` with its documented severity and fix
fn finding(code: &'static str, subject: String, message: String) -> Finding {
    let d = doc(code);
    Finding {
        severity: d.severity,
        code,
        subject,
        message,
        fix: d.fix,
    }
}

/// Reads an ISO 8601 duration such as `PT1H`, `PT8H30M`, `PT12H`
pub fn parse_duration(s: &str) -> Option<u64> {
    let t = s.strip_prefix("PT")?;
    let mut total = 0u64;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            let n: u64 = num.parse().ok()?;
            num.clear();
            total += n * match c {
                'H' => 3600,
                'M' => 60,
                'S' => 1,
                _ => return None,
            };
        }
    }
    num.is_empty().then_some(total)
}

/// Every finding on the model, sorted (severity high first, then code, subject)
pub fn lint(model: &Model, opts: LintOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |code: &'static str, subject: String, message: String| {
        out.push(finding(code, subject, message));
    };
    let snap = &model.snapshot();
    let acct_name = |id: &str| {
        model
            .find_account(id)
            .map(|i| model.accounts()[i].name.clone())
            .unwrap_or_else(|| id.to_owned())
    };

    for (a, r) in snap.assignments.iter().zip(model.assignments()) {
        if a.principal_type != PrincipalType::User {
            continue;
        }
        // Resolved at load by id; a dangling one is named by its ids.
        let user = match r.map(|r| r.principal) {
            Some(Principal::User(u)) => snap.users[u].user_name.clone(),
            _ => a.principal_id.clone(),
        };
        let ps = model
            .permission_set_by_arn(&a.permission_set_arn)
            .map(|p| snap.permission_sets[p].name.clone())
            .unwrap_or_default();
        push(
            "direct-user-assignment",
            format!("user `{user}`"),
            format!(
                "`{ps}` is assigned directly in account {} ({})",
                acct_name(&a.account_id),
                a.account_id
            ),
        );
    }

    // The accounts each permission set is assigned in (resolved assignments).
    let mut assigned_in: Vec<BTreeSet<AccountIx>> =
        vec![BTreeSet::new(); snap.permission_sets.len()];
    for r in model.assignments().iter().flatten() {
        assigned_in[r.permission_set.index()].insert(r.account);
    }
    for (pi, ps) in snap.permission_sets.iter().enumerate() {
        let refs = ps.customer_managed_refs();
        for &acct in &assigned_in[pi] {
            let account = &model.accounts()[acct];
            for (what, r) in &refs {
                if let Resolution::Missing = model.customer_managed(acct, &r.arn_in(&account.id)) {
                    push(
                        "customer-managed-policy-missing",
                        format!("permission set `{}`", ps.name),
                        format!(
                            "{what} `{}{}` does not exist in account {} ({})",
                            r.path, r.name, account.name, account.id
                        ),
                    );
                }
            }
            // Provisioning: only when the snapshot lists it for this set.
            if !ps.provisioning.is_empty()
                && !ps.provisioning.iter().any(|p| {
                    p.account_id == account.id && p.status == "LATEST_PERMISSION_SET_PROVISIONED"
                })
            {
                push(
                    "permission-set-not-provisioned",
                    format!("permission set `{}`", ps.name),
                    format!("assigned in account {} ({}) but its latest version is not provisioned there", account.name, account.id),
                );
            }
            // Drift: the provisioned role's AWS managed policies against the set's.
            let role = model.provisioned_role(PermissionSetIx::new(pi), acct);
            if role.suffix_known {
                if let Some(r) = snap
                    .iam
                    .iter()
                    .find(|i| i.account_id == account.id)
                    .and_then(|i| i.roles.iter().find(|r| r.name == role.name))
                {
                    let want: BTreeSet<&str> =
                        ps.aws_managed_policies.iter().map(String::as_str).collect();
                    let have: BTreeSet<&str> = r
                        .managed_policies
                        .iter()
                        .map(String::as_str)
                        .filter(|a| a.starts_with("arn:aws:iam::aws:"))
                        .collect();
                    if want != have {
                        let missing: Vec<&str> = want.difference(&have).copied().collect();
                        let extra: Vec<&str> = have.difference(&want).copied().collect();
                        push(
                            "role-drift",
                            format!("permission set `{}`", ps.name),
                            format!(
                                "role {} in account {} differs: missing [{}], extra [{}]",
                                role.name,
                                account.name,
                                missing.join(", "),
                                extra.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        if let Some(secs) = parse_duration(&ps.session_duration) {
            if secs > opts.max_session_seconds {
                push(
                    "long-session",
                    format!("permission set `{}`", ps.name),
                    format!(
                        "session duration {} is longer than {}h",
                        ps.session_duration,
                        opts.max_session_seconds as f64 / 3600.0
                    ),
                );
            }
        }
    }

    // Ids AWS keeps unique: a repeat means a damaged snapshot, and only the
    // last record of an id is reached by assignments and memberships.
    let org_accounts = snap.organization.as_ref().map(|o| o.accounts.as_slice());
    let tables: [(&str, Vec<&str>); 4] = [
        ("user", snap.users.iter().map(|u| u.id.as_str()).collect()),
        ("group", snap.groups.iter().map(|g| g.id.as_str()).collect()),
        (
            "permission set",
            snap.permission_sets
                .iter()
                .map(|p| p.arn.as_str())
                .collect(),
        ),
        (
            "account",
            org_accounts
                .unwrap_or_default()
                .iter()
                .map(|a| a.id.as_str())
                .collect(),
        ),
    ];
    for (what, ids) in tables {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for id in ids {
            *count.entry(id).or_default() += 1;
        }
        for (id, n) in count.into_iter().filter(|&(_, n)| n > 1) {
            push(
                "duplicate-id",
                format!("{what} `{id}`"),
                format!(
                    "{n} records share this id; assignments and memberships reach only the last"
                ),
            );
        }
    }

    // Resolved once at load, by id (a user name equal to an id is no match).
    for a in model
        .dangling_assignments()
        .into_iter()
        .map(|i| &snap.assignments[i])
    {
        let principal_known = match a.principal_type {
            PrincipalType::User => model.user_by_id(&a.principal_id).is_some(),
            PrincipalType::Group => model.group_by_id(&a.principal_id).is_some(),
        };
        let mut missing = Vec::new();
        if !principal_known {
            missing.push(format!("{:?} `{}`", a.principal_type, a.principal_id).to_lowercase());
        }
        if model.permission_set_by_arn(&a.permission_set_arn).is_none() {
            missing.push(format!("permission set `{}`", a.permission_set_arn));
        }
        if model.find_account_id(&a.account_id).is_none() {
            missing.push(format!("account `{}`", a.account_id));
        }
        if !missing.is_empty() {
            push(
                "dangling-reference",
                format!("assignment in {}", a.account_id),
                format!("names unknown {}", missing.join(", ")),
            );
        }
    }
    // IAM data of an account the organization does not list: its users and
    // roles answer no question (they have no account to be in).
    for a in &snap.iam {
        if model.find_account_id(&a.account_id).is_none() {
            push(
                "dangling-reference",
                format!("IAM data of {}", a.account_id),
                format!(
                    "account {} is not in the organization: its {} role(s) and {} user(s) are left out of every query",
                    a.account_id,
                    a.roles.len(),
                    a.users.len()
                ),
            );
        }
    }
    for m in &snap.memberships {
        if model.user_by_id(&m.user_id).is_none() || model.group_by_id(&m.group_id).is_none() {
            push(
                "dangling-reference",
                format!("membership of `{}`", m.group_id),
                format!(
                    "user `{}` or group `{}` is not in the snapshot",
                    m.user_id, m.group_id
                ),
            );
        }
    }

    for (u, user) in model.user_ids().zip(&snap.users) {
        if user.status == UserStatus::Disabled && model.has_access(u) {
            push(
                "disabled-user-with-assignments",
                format!("user `{}`", user.user_name),
                format!(
                    "disabled, still reaches {} account/permission set pair(s)",
                    model.access(u).len()
                ),
            );
        }
    }

    if let Some(ic) = &snap.identity_center {
        if ic.abac.enabled {
            for a in &ic.abac.attributes {
                if !snap.users.is_empty()
                    && snap.users.iter().all(|u| u.attribute(&a.source).is_none())
                {
                    push(
                        "abac-attribute-unmapped",
                        format!("attribute `{}`", a.key),
                        format!(
                            "source `{}` has no value for any of {} users",
                            a.source,
                            snap.users.len()
                        ),
                    );
                }
            }
        }
    }

    // AWS managed policies still name some retired actions; only documents
    // the organization wrote are its to fix.
    let cat = catalog();
    for (label, policy) in model
        .documents()
        .into_iter()
        .filter(|(l, _)| !l.starts_with("AWS managed"))
    {
        let mut unknown = BTreeSet::new();
        for s in &policy.statements {
            for a in &s.action.patterns {
                if !cat.pattern_is_known(a) {
                    unknown.insert(a.clone());
                }
            }
        }
        for a in unknown {
            push(
                "unknown-action",
                label.clone(),
                format!("action `{a}` matches no known action"),
            );
        }
    }

    // Roles whose callers choose the session tags their policies test.
    // Identity Center's own roles are left out: their session tags come
    // from the identity store, not from the caller.
    for p in model.iam_principals() {
        let Some(trust) = p.trust.as_deref() else {
            continue;
        };
        if p.identity_center || !crate::who::chain::trust_allows(trust, "sts:TagSession") {
            continue;
        }
        let mut keys = BTreeSet::new();
        for (label, policy) in p
            .labels
            .iter()
            .map(String::as_str)
            .zip(&p.set.identity)
            .chain(p.set.boundary.iter().map(|b| ("permissions boundary", b)))
        {
            for s in &policy.statements {
                let mut found: Vec<String> = s
                    .conditions
                    .iter()
                    .flat_map(|c| std::iter::once(c.key.clone()).chain(c.variable_keys()))
                    .collect();
                if let Some(r) = &s.resource {
                    found.extend(r.variable_keys());
                }
                for k in found {
                    if k.to_ascii_lowercase().starts_with("aws:principaltag/") {
                        keys.insert((k, label.to_owned()));
                    }
                }
            }
        }
        for (key, label) in keys {
            push(
                "caller-controlled-principal-tag",
                p.arn.clone(),
                format!("its trust policy allows sts:TagSession and `{label}` tests `{key}`: whoever assumes the role chooses that value"),
            );
        }
    }

    out.extend(application_findings(model));
    // Every policy document validated once, and the whole-set checks.
    out.extend(super::documents::findings(model));
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| (a.code, &a.subject, &a.message).cmp(&(b.code, &b.subject, &b.message)))
    });
    out.dedup();
    out
}

/// The findings on applications and account access manager entitlements
fn application_findings(model: &Model) -> Vec<Finding> {
    use super::applications::{application_via, unknown};
    use crate::who::entitlement::{entitlements, principal_users, EntitlementStatus};
    let mut out = Vec::new();
    let mut push = |code: &'static str, subject: String, message: String| {
        out.push(finding(code, subject, message));
    };
    let snap = model.snapshot();
    let user_name = |id: &str| {
        model
            .user_by_id(id)
            .map_or_else(|| id.to_owned(), |u| model.user(u).user_name.clone())
    };
    let mut disabled: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for app in snap.applications.iter().flatten() {
        let subject = format!("application `{}`", app.name);
        if app.open_to_all() {
            push(
                "application-open-to-all",
                subject.clone(),
                format!(
                    "assignment is not required: all {} users of the directory have it",
                    snap.users.len()
                ),
            );
        }
        for a in app.assignments.iter().flatten() {
            if unknown(model, a.principal_type, &a.principal_id) {
                let kind = match a.principal_type {
                    PrincipalType::User => "user",
                    PrincipalType::Group => "group",
                };
                push(
                    "application-unknown-principal",
                    subject.clone(),
                    format!(
                        "assigned to {kind} id `{}`, not in the identity store",
                        a.principal_id
                    ),
                );
            } else if a.principal_type == PrincipalType::User {
                push(
                    "application-direct-user-assignment",
                    format!("user `{}`", user_name(&a.principal_id)),
                    format!("application `{}` is assigned directly", app.name),
                );
            }
        }
        for u in model.user_ids().filter(|&u| !model.user_enabled(u)) {
            let via: Vec<String> = application_via(model, app, u)
                .into_iter()
                .filter(|v| v != super::applications::OPEN_TO_ALL)
                .collect();
            if !via.is_empty() {
                disabled
                    .entry(model.user(u).user_name.clone())
                    .or_default()
                    .insert(format!("application `{}` ({})", app.name, via.join(", ")));
            }
        }
    }
    for c in entitlements(model) {
        let e = &c.entitlement;
        let subject = format!("entitlement `{}` of `{}`", e.role_arn, c.application);
        let who = match e.principal_type {
            PrincipalType::User => format!("user `{}`", user_name(&e.principal_id)),
            PrincipalType::Group => format!(
                "group `{}`",
                model
                    .group_by_id(&e.principal_id)
                    .map_or_else(|| e.principal_id.clone(), |g| model.group(g).name.clone())
            ),
        };
        if unknown(model, e.principal_type, &e.principal_id) {
            push(
                "application-unknown-principal",
                subject.clone(),
                format!("entitles {who}, not in the identity store"),
            );
        }
        match &c.status {
            EntitlementStatus::RoleMissing => push(
                "entitlement-role-missing",
                subject.clone(),
                format!(
                    "{who} is entitled to a role that account {} does not have",
                    e.account_id
                ),
            ),
            EntitlementStatus::TrustDenies { actions } => push(
                "entitlement-trust-denied",
                subject.clone(),
                format!(
                    "the role's trust policy does not allow account-access.amazonaws.com {} (for {who}): the entitlement gives no access",
                    actions.join(", ")
                ),
            ),
            EntitlementStatus::Usable | EntitlementStatus::NoIamData => {}
        }
        for (u, via) in principal_users(model, e.principal_type, &e.principal_id) {
            if !model.user_enabled(u) {
                disabled
                    .entry(model.user(u).user_name.clone())
                    .or_default()
                    .insert(format!("entitlement to `{}` ({via})", e.role_arn));
            }
        }
    }
    for (user, what) in disabled {
        let list: Vec<String> = what.into_iter().collect();
        push(
            "disabled-user-with-applications",
            format!("user `{user}`"),
            format!("is disabled and still has {}", list.join("; ")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H"), Some(3600));
        assert_eq!(parse_duration("PT8H30M"), Some(30600));
        assert_eq!(parse_duration("PT12H"), Some(43200));
        assert_eq!(parse_duration("P1D"), None);
        assert_eq!(parse_duration("PT5"), None);
    }

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let mut seen = BTreeSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "duplicate {}", c.code);
            assert!(
                c.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                c.code
            );
            assert!(!c.what.is_empty() && !c.why.is_empty() && !c.fix.is_empty());
        }
        let codes: Vec<&str> = CODES.iter().map(|c| c.code).collect();
        assert_eq!(
            codes,
            [
                "direct-user-assignment",
                "customer-managed-policy-missing",
                "permission-set-not-provisioned",
                "role-drift",
                "disabled-user-with-assignments",
                "abac-attribute-unmapped",
                "unknown-action",
                "dangling-reference",
                "duplicate-id",
                "caller-controlled-principal-tag",
                "customer-managed-policy-differs",
                "boundary-cuts-off-statement",
                "denied-by-scps-everywhere",
                "long-session",
                "application-open-to-all",
                "application-direct-user-assignment",
                "disabled-user-with-applications",
                "application-unknown-principal",
                "entitlement-role-missing",
                "entitlement-trust-denied"
            ]
        );
    }
}
