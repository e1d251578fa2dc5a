//! This module validates every policy document of the snapshot for lint
//! (issue: "whole permission sets, not only documents"): the inline policy
//! of each permission set, the customer managed policies of the IAM data,
//! IAM roles' trust and inline policies, IAM users' and groups' inline
//! policies, SCPs and RCPs, and resource policies, each with the policy type
//! it is validated as. A document held in several places (one customer
//! managed policy in many accounts) is validated once and reported once,
//! with where it is and who uses it. AWS managed policies are left out:
//! they are AWS's (docs/validate.md has what the checks find in them). The
//! checks only possible on the whole set come after: a customer managed
//! policy whose documents differ between the accounts a permission set uses
//! it in. No IO here.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Model;
use crate::json::JsonValue;
use crate::policy::ActionName;
use crate::snapshot::{OrgPolicyType, PolicyReference};
use crate::validate::{self, PolicyType, Severity as V};

use super::lint::{Finding, Severity};

/// One distinct document: where it is, who uses it
#[derive(Debug, Default)]
struct Place {
    /// Where it is, in order of discovery
    at: Vec<String>,
    /// Who uses it (permission sets, accounts, principals, targets)
    used_by: BTreeSet<String>,
}

/// Documents by (type, text): one entry per distinct document
#[derive(Debug, Default)]
struct Documents<'a> {
    by_key: BTreeMap<(u8, String), (PolicyType, &'a JsonValue, Place)>,
}

fn type_key(t: PolicyType) -> u8 {
    match t {
        PolicyType::Identity => 0,
        PolicyType::Resource => 1,
        PolicyType::Trust => 2,
        PolicyType::Scp => 3,
        PolicyType::Rcp => 4,
        PolicyType::Boundary => 5,
        PolicyType::Session => 6,
    }
}

impl<'a> Documents<'a> {
    fn add(
        &mut self,
        ty: PolicyType,
        doc: &'a JsonValue,
        at: String,
        used_by: impl IntoIterator<Item = String>,
    ) {
        let text = serde_json::to_string(doc).unwrap_or_default();
        let entry = self
            .by_key
            .entry((type_key(ty), text))
            .or_insert_with(|| (ty, doc, Place::default()));
        if !entry.2.at.contains(&at) {
            entry.2.at.push(at);
        }
        entry.2.used_by.extend(used_by);
    }
}

fn reference_name(r: &PolicyReference) -> String {
    format!("{}{}", r.path, r.name)
}

/// Severity in lint's terms: errors high, security warnings medium,
/// warnings low; suggestions are left to `validate`
pub(crate) fn severity(v: V) -> Option<Severity> {
    match v {
        V::Error => Some(Severity::High),
        V::SecurityWarning => Some(Severity::Medium),
        V::Warning => Some(Severity::Low),
        V::Suggestion => None,
    }
}

/// Every document's validation findings, once per document, and the
/// whole-set findings
pub fn findings(model: &Model) -> Vec<Finding> {
    let snap = model.snapshot();
    let name_of = |id: &str| {
        model
            .find_account_id(id)
            .map_or_else(|| id.to_owned(), |a| model.account(a).name.clone())
    };
    // Each permission set's accounts: provisioned or assigned.
    let mut set_accounts: Vec<BTreeSet<String>> = snap
        .permission_sets
        .iter()
        .map(|ps| {
            ps.provisioning
                .iter()
                .map(|p| p.account_id.clone())
                .collect()
        })
        .collect();
    for r in model.assignments().iter().flatten() {
        set_accounts[r.permission_set.index()].insert(model.account(r.account).id.clone());
    }
    let mut docs = Documents::default();
    for (i, ps) in snap.permission_sets.iter().enumerate() {
        if let Some(doc) = &ps.inline_policy {
            let used = std::iter::once(format!("permission set `{}`", ps.name)).chain(
                set_accounts[i]
                    .iter()
                    .map(|a| format!("account {}", name_of(a))),
            );
            docs.add(
                PolicyType::Identity,
                doc,
                format!("inline policy of permission set `{}`", ps.name),
                used.collect::<Vec<_>>(),
            );
        }
    }
    for account in &snap.iam {
        let acct = name_of(&account.account_id);
        // Who uses each managed policy of this account, and which are
        // attached (they grant) rather than only boundaries (they cap).
        let mut users_of: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut attached_arns: BTreeSet<&str> = BTreeSet::new();
        let principals = account
            .roles
            .iter()
            .map(|r| {
                (
                    "role",
                    &r.arn,
                    &r.managed_policies,
                    r.permissions_boundary.as_ref(),
                )
            })
            .chain(account.users.iter().map(|u| {
                (
                    "user",
                    &u.arn,
                    &u.managed_policies,
                    u.permissions_boundary.as_ref(),
                )
            }))
            .chain(
                account
                    .groups
                    .iter()
                    .map(|g| ("group", &g.arn, &g.managed_policies, None)),
            );
        for (kind, arn, managed, boundary) in principals {
            attached_arns.extend(managed.iter().map(String::as_str));
            for p in managed.iter().chain(boundary) {
                users_of
                    .entry(p)
                    .or_default()
                    .push(format!("{kind} `{arn}`"));
            }
        }
        for p in &account.policies {
            if p.arn.starts_with("arn:aws:iam::aws:policy/") {
                continue;
            }
            let name = format!("{}{}", p.path, p.name);
            let mut used: Vec<String> = users_of.get(p.arn.as_str()).cloned().unwrap_or_default();
            let mut attached = attached_arns.contains(p.arn.as_str());
            for (i, ps) in snap.permission_sets.iter().enumerate() {
                if !set_accounts[i].contains(&account.account_id) {
                    continue;
                }
                let uses: Vec<&str> = ps
                    .customer_managed_refs()
                    .into_iter()
                    .filter(|(_, r)| reference_name(r) == name)
                    .map(|(what, _)| what)
                    .collect();
                attached |= uses.contains(&"customer managed policy");
                if !uses.is_empty() {
                    used.push(format!("permission set `{}` in {acct}", ps.name));
                }
            }
            let boundary_only = !attached && !used.is_empty();
            docs.add(
                if boundary_only {
                    PolicyType::Boundary
                } else {
                    PolicyType::Identity
                },
                &p.document,
                format!("customer managed policy `{name}` in {acct}"),
                used,
            );
        }
        for r in &account.roles {
            let role = format!("role `{}`", r.arn);
            docs.add(
                PolicyType::Trust,
                &r.trust_policy,
                format!("trust policy of {role}"),
                [role.clone()],
            );
            for p in &r.inline_policies {
                docs.add(
                    PolicyType::Identity,
                    &p.document,
                    format!("inline policy `{}` of {role}", p.name),
                    [role.clone()],
                );
            }
        }
        for (kind, arn, inline) in account
            .users
            .iter()
            .map(|u| ("user", &u.arn, &u.inline_policies))
            .chain(
                account
                    .groups
                    .iter()
                    .map(|g| ("group", &g.arn, &g.inline_policies)),
            )
        {
            for p in inline {
                docs.add(
                    PolicyType::Identity,
                    &p.document,
                    format!("inline policy `{}` of {kind} `{arn}`", p.name),
                    [format!("{kind} `{arn}`")],
                );
            }
        }
    }
    if let Some(org) = &snap.organization {
        let target_name = |t: &str| {
            if t == org.root_id {
                "Root".to_owned()
            } else if let Some(ou) = org.ous.iter().find(|o| o.id == t) {
                format!("OU {}", ou.name)
            } else {
                format!("account {}", name_of(t))
            }
        };
        for p in org.policies.iter().filter(|p| !p.aws_managed) {
            let (ty, kind) = match p.policy_type {
                OrgPolicyType::ServiceControlPolicy => (PolicyType::Scp, "SCP"),
                OrgPolicyType::ResourceControlPolicy => (PolicyType::Rcp, "RCP"),
            };
            docs.add(
                ty,
                &p.content,
                format!("{kind} `{}` ({})", p.name, p.id),
                p.targets.iter().map(|t| target_name(t)).collect::<Vec<_>>(),
            );
        }
    }
    for r in &snap.resources {
        if let Some(doc) = &r.policy {
            docs.add(
                PolicyType::Resource,
                doc,
                format!("resource policy of `{}`", r.arn),
                [format!("resource `{}`", r.arn)],
            );
        }
    }

    let mut out = Vec::new();
    for (ty, doc, place) in docs.by_key.values() {
        for f in validate::validate(doc, *ty) {
            // Lint's own `unknown-action` already reports these, per set.
            if f.code == "unknown-action" {
                continue;
            }
            let (Some(sev), Some(check)) = (severity(f.severity), validate::check(f.code)) else {
                continue;
            };
            let subject = match place.at.len() {
                0 | 1 => place.at.concat(),
                n => format!("{} (and {} more places)", place.at[0], n - 1),
            };
            let used = if place.used_by.is_empty() {
                "used by nothing in the snapshot".to_owned()
            } else {
                let list: Vec<&str> = place.used_by.iter().map(String::as_str).collect();
                format!("used by {}", list.join(", "))
            };
            let at = if place.at.len() > 1 {
                format!("; the same document is {}", place.at[1..].join(", "))
            } else {
                String::new()
            };
            out.push(Finding {
                severity: sev,
                code: f.code,
                subject,
                message: format!(
                    "{} at `{}` (validated as {}){at}; {used}",
                    f.message,
                    f.pointer,
                    ty.as_str()
                ),
                fix: check.why,
            });
        }
    }
    out.extend(differing_customer_managed(model, &set_accounts, &name_of));
    out.extend(cut_off(model, &set_accounts, &name_of));
    out
}

/// The concrete actions a pattern names in the catalog (a wildcard
/// expanded; an unknown action: none)
fn concrete(pattern: &str) -> Vec<String> {
    let cat = crate::data::catalog();
    if pattern.contains(['*', '?']) {
        cat.expand(pattern)
    } else {
        cat.action(pattern)
            .map(|(svc, name, _)| vec![format!("{svc}:{name}")])
            .unwrap_or_default()
    }
}

/// Whether some Allow statement of `p` names `action`, whatever its
/// resource and conditions (so "none does" means the policy never allows it)
fn may_allow(p: &crate::policy::Policy, action: &ActionName) -> bool {
    p.statements
        .iter()
        .any(|s| s.effect == crate::policy::Effect::Allow && s.action.matches(action))
}

/// Whether `p` denies `action` on every resource whatever the context: a
/// Deny statement naming it, on `Resource: "*"`, without a condition
fn always_denies(p: &crate::policy::Policy, action: &ActionName) -> bool {
    p.statements.iter().any(|s| {
        s.effect == crate::policy::Effect::Deny
            && s.conditions.is_empty()
            && s.action.matches(action)
            && s.resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.patterns.iter().any(|x| x == "*"))
    })
}

/// The whole-set checks on each permission set's inline policy, in every
/// account the set is used in (whose policies the model resolves):
/// `boundary-cuts-off-statement`, an Allow statement none of whose actions
/// the permissions boundary ever allows; `denied-by-scps-everywhere`, an
/// action the inline policy names (not a pattern) that the SCPs certainly
/// deny in every such account (a level with no SCP naming it in an Allow,
/// or an SCP denying it on `*` without a condition)
fn cut_off(
    model: &Model,
    set_accounts: &[BTreeSet<String>],
    name_of: &dyn Fn(&str) -> String,
) -> Vec<Finding> {
    use crate::policy::{Effect, Policy, PolicyKind};
    let snap = model.snapshot();
    let mut out = Vec::new();
    for (i, ps) in snap.permission_sets.iter().enumerate() {
        let Some(doc) = &ps.inline_policy else {
            continue;
        };
        let Ok(inline) = Policy::from_json(doc, PolicyKind::Identity, "") else {
            continue;
        };
        let accounts: Vec<crate::graph::AccountIx> = set_accounts[i]
            .iter()
            .filter_map(|id| model.find_account_id(id))
            .collect();
        if accounts.is_empty() {
            continue;
        }
        let ix = crate::graph::PermissionSetIx::new(i);
        let sets: Vec<(String, crate::eval::PolicySet)> = accounts
            .iter()
            .map(|&a| (model.account(a).name.clone(), model.policy_set(ix, a)))
            .collect();
        let mut scp_denied: BTreeSet<String> = BTreeSet::new();
        for s in inline
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow && !s.action.negated)
        {
            let actions: Vec<ActionName> = s
                .action
                .patterns
                .iter()
                .flat_map(|p| concrete(p))
                .filter_map(|a| ActionName::new(&a))
                .collect();
            if actions.is_empty() {
                continue;
            }
            let label = match &s.sid {
                Some(sid) => format!("statement `{sid}` (#{})", s.index),
                None => format!("statement #{}", s.index),
            };
            // Cut off by the boundary in every account it has one.
            let bounded: Vec<&(String, crate::eval::PolicySet)> = sets
                .iter()
                .filter(|(_, set)| set.boundary.is_some())
                .collect();
            let cut = !bounded.is_empty()
                && bounded.len() == sets.len()
                && bounded.iter().all(|(_, set)| {
                    set.boundary.as_ref().is_some_and(|b| {
                        actions
                            .iter()
                            .all(|a| !may_allow(b, a) || always_denies(b, a))
                    })
                });
            if cut {
                let names: Vec<&str> = s.action.patterns.iter().map(String::as_str).collect();
                out.push(Finding {
                    severity: super::lint::code_severity("boundary-cuts-off-statement"),
                    code: "boundary-cuts-off-statement",
                    subject: format!("permission set `{}`", ps.name),
                    message: format!(
                        "{label} of the inline policy allows {}, which the permissions boundary never allows (in {}): the statement grants nothing",
                        names.join(", "),
                        sets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    fix: super::lint::code_fix("boundary-cuts-off-statement"),
                });
            }
            // Named actions the SCPs deny wherever the set is used.
            for (pattern, a) in s
                .action
                .patterns
                .iter()
                .filter(|p| !p.contains(['*', '?']))
                .filter_map(|p| ActionName::new(p).map(|a| (p, a)))
            {
                let denied = sets.iter().all(|(_, set)| {
                    set.scps.as_ref().is_some_and(|levels| {
                        levels.iter().any(|level| {
                            !level.iter().any(|p| may_allow(p, &a))
                                || level.iter().any(|p| always_denies(p, &a))
                        })
                    })
                });
                if denied && scp_denied.insert(pattern.clone()) {
                    out.push(Finding {
                        severity: super::lint::code_severity("denied-by-scps-everywhere"),
                        code: "denied-by-scps-everywhere",
                        subject: format!("permission set `{}`", ps.name),
                        message: format!(
                            "the inline policy allows `{pattern}` ({label}), which the SCPs deny in every account the set is used in ({})",
                            accounts.iter().map(|&a| name_of(&model.account(a).id)).collect::<Vec<_>>().join(", ")
                        ),
                        fix: super::lint::code_fix("denied-by-scps-everywhere"),
                    });
                }
            }
        }
    }
    out
}

/// `customer-managed-policy-differs`: a permission set's customer managed
/// policy (or boundary) whose document is not the same in every account
/// the set is provisioned or assigned to, among the accounts whose IAM data
/// the snapshot holds
fn differing_customer_managed(
    model: &Model,
    set_accounts: &[BTreeSet<String>],
    name_of: &dyn Fn(&str) -> String,
) -> Vec<Finding> {
    let snap = model.snapshot();
    let mut out = Vec::new();
    for (i, ps) in snap.permission_sets.iter().enumerate() {
        let refs = ps.customer_managed_refs();
        for (what, r) in refs {
            let name = reference_name(r);
            // Document text -> the accounts holding it.
            let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for account in snap
                .iam
                .iter()
                .filter(|a| set_accounts[i].contains(&a.account_id))
            {
                if let Some(p) = account
                    .policies
                    .iter()
                    .find(|p| format!("{}{}", p.path, p.name) == name)
                {
                    let text = serde_json::to_string(&p.document).unwrap_or_default();
                    versions
                        .entry(text)
                        .or_default()
                        .push(name_of(&account.account_id));
                }
            }
            if versions.len() > 1 {
                let groups: Vec<String> = versions
                    .values()
                    .map(|accounts| accounts.join(" and "))
                    .collect();
                out.push(Finding {
                    severity: super::lint::code_severity("customer-managed-policy-differs"),
                    code: "customer-managed-policy-differs",
                    subject: format!("permission set `{}`", ps.name),
                    message: format!(
                        "{what} `{name}` has {} different documents: one in {}",
                        versions.len(),
                        groups.join(", another in ")
                    ),
                    fix: super::lint::code_fix("customer-managed-policy-differs"),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]
    use super::*;
    use serde_json::json;

    /// The cookbook with: a customer managed policy `/team/Base` referenced
    /// by AdministratorAccess, present in 222222222222 (where the set is
    /// provisioned) and, with another document, in 333333333333 (where it
    /// is then assigned too); an SCP denying an action of a misspelled
    /// service (`organizatons:`); a trust policy
    /// open to `*` without a condition, in both IAM accounts (one document,
    /// two places)
    fn model() -> Model {
        let mut s: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/cookbook/snapshot.json")).unwrap();
        let base = |action: &str| {
            json!({"arn": "", "name": "Base", "path": "/team/", "document":
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}})
        };
        let open_trust = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]});
        for (i, action) in [(1usize, "s3:GetObject"), (2, "s3:PutObject")] {
            let iam = &mut s["iam"][i];
            let id = iam["account_id"].as_str().unwrap().to_owned();
            let mut p = base(action);
            p["arn"] = json!(format!("arn:aws:iam::{id}:policy/team/Base"));
            iam["policies"].as_array_mut().unwrap().push(p);
            iam["roles"][0]["trust_policy"] = open_trust.clone();
        }
        s["permission_sets"][0]["customer_managed_policies"] =
            json!([{"name": "Base", "path": "/team/"}]);
        s["permission_sets"][0]["permissions_boundary"] =
            json!({"managed_policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"});
        s["permission_sets"][0]["inline_policy"] = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Ec2", "Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:TerminateInstances"], "Resource": "*"},
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let mut assignment = s["assignments"][0].clone();
        assignment["account_id"] = json!("333333333333");
        s["assignments"].as_array_mut().unwrap().push(assignment);
        s["organization"]["policies"].as_array_mut().unwrap().push(json!({
            "id": "p-deny", "name": "DenyLeaving", "type": "SERVICE_CONTROL_POLICY", "aws_managed": false,
            "content": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Action": "organizatons:LeaveOrganization", "Resource": "*"},
                {"Effect": "Deny", "Action": "ec2:TerminateInstances", "Resource": "*"}]},
            "targets": ["222222222222", "333333333333"]}));
        let snap = crate::snapshot::Snapshot::from_json(&s.to_string()).unwrap();
        Model::build(snap).unwrap()
    }

    #[test]
    fn every_document_is_validated_once_as_its_type_with_where_it_is_used() {
        let found = findings(&model());
        let by_code =
            |code: &str| -> Vec<&Finding> { found.iter().filter(|f| f.code == code).collect() };
        // why: no AWS service has the prefix `organizatons`, so the deny
        // matches nothing; the SCP is validated as an SCP and names its target.
        let effect = by_code("unknown-service");
        assert_eq!(effect.len(), 1, "{found:#?}");
        assert_eq!(effect[0].severity, Severity::High);
        assert_eq!(effect[0].subject, "SCP `DenyLeaving` (p-deny)");
        assert!(
            effect[0].message.contains("validated as scp"),
            "{}",
            effect[0].message
        );
        assert!(
            effect[0]
                .message
                .contains("used by account aws-sec-cookbook-1, account aws-sec-cookbook-security"),
            "{}",
            effect[0].message
        );
        // why: a trust policy allowing `*` with no condition lets anyone
        // assume the role; the same document in two accounts is one
        // finding that names both places.
        let public = by_code("public-principal");
        assert_eq!(public.len(), 1, "{found:#?}");
        assert_eq!(public[0].severity, Severity::Medium);
        assert!(public[0].subject.starts_with(
            "trust policy of role `arn:aws:iam::222222222222:role/OrganizationAccountAccessRole`"
        ));
        assert!(public[0].subject.ends_with("(and 1 more places)"));
        assert!(public[0]
            .message
            .contains("333333333333:role/OrganizationAccountAccessRole"));
        // why: AdministratorAccess is used in both accounts and its
        // `/team/Base` reference resolves to two different documents.
        let differs = by_code("customer-managed-policy-differs");
        assert_eq!(differs.len(), 1, "{found:#?}");
        assert_eq!(differs[0].subject, "permission set `AdministratorAccess`");
        assert_eq!(
            differs[0].message,
            "customer managed policy `/team/Base` has 2 different documents: one in aws-sec-cookbook-1, another in aws-sec-cookbook-security"
        );
        // why: the boundary AmazonS3ReadOnlyAccess allows only s3 reads, so
        // statement Ec2 (ec2:RunInstances, ec2:TerminateInstances) never
        // grants anything; Read (s3:GetObject) does.
        let cut = by_code("boundary-cuts-off-statement");
        assert_eq!(cut.len(), 1, "{found:#?}");
        assert!(cut[0].message.starts_with("statement `Ec2` (#0) of the inline policy allows ec2:RunInstances, ec2:TerminateInstances"), "{}", cut[0].message);
        // why: DenyLeaving denies ec2:TerminateInstances on `*` without a
        // condition in both accounts the set is used in; RunInstances is
        // allowed by FullAWSAccess at every level and denied nowhere.
        let scp = by_code("denied-by-scps-everywhere");
        assert_eq!(scp.len(), 1, "{found:#?}");
        assert_eq!(
            scp[0].message,
            "the inline policy allows `ec2:TerminateInstances` (statement `Ec2` (#0)), which the SCPs deny in every account the set is used in (aws-sec-cookbook-1, aws-sec-cookbook-security)"
        );
        // The two Base documents are valid: nothing else about them.
        assert!(
            found.iter().all(|f| !f.subject.contains("/team/Base")),
            "{found:#?}"
        );
    }

    #[test]
    fn the_same_document_everywhere_is_not_a_difference() {
        let mut m = model().into_snapshot();
        let doc = m.iam[1].policies.last().unwrap().document.clone();
        m.iam[2].policies.last_mut().unwrap().document = doc;
        let found = findings(&Model::build(m).unwrap());
        assert!(
            found
                .iter()
                .all(|f| f.code != "customer-managed-policy-differs"),
            "{found:#?}"
        );
    }

    #[test]
    fn validate_codes_are_explained_by_lint_too() {
        let d = crate::query::lint::explain("public-principal").unwrap();
        assert_eq!(d.severity, Severity::Medium);
        assert!(crate::query::lint::explain("no-such-code").is_none());
        assert_eq!(
            crate::query::lint::explain("long-session").unwrap().code,
            "long-session"
        );
    }
}
