//! What a policy set grants over the whole action catalog: per service the
//! access levels it reaches, whether it is admin-equivalent, and the
//! privilege level access reviews show.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::eval::context::Context;
use crate::eval::request::Request;
use crate::eval::{evaluate, Answer, Decision, PolicySet};
use crate::graph::{AccountIx, Model, PermissionSetIx};
use crate::policy::{ActionBlock, ActionName, Effect};

use super::{pair_context, signature, ACCOUNT_KEYS, ESCALATION_ACTIONS};

/// Catalog actions selected for a question, parsed once
#[derive(Debug, Clone)]
pub struct CatalogActions {
    /// `service:Action` and its access level code
    pub actions: Vec<(String, &'static str)>,
    /// Parallel to `actions`
    pub(crate) names: Vec<Option<ActionName>>,
    /// [`ESCALATION_ACTIONS`], parsed
    pub(crate) escalation: Vec<Option<ActionName>>,
}

impl CatalogActions {
    /// The bundled catalog's actions, optionally of one service and one level
    pub fn new(service: Option<&str>, level: Option<crate::data::AccessLevel>) -> CatalogActions {
        let cat = crate::data::catalog();
        let actions: Vec<(String, &'static str)> = cat
            .services
            .iter()
            .filter(|(svc, _)| service.is_none_or(|s| s.eq_ignore_ascii_case(svc)))
            .flat_map(|(svc, info)| info.actions.iter().map(move |(name, a)| (svc, name, a)))
            .filter(|(_, _, a)| level.is_none_or(|l| l == a.access))
            .map(|(svc, name, a)| (format!("{svc}:{name}"), a.access.code()))
            .collect();
        let names = actions.iter().map(|(a, _)| ActionName::new(a)).collect();
        let escalation = ESCALATION_ACTIONS
            .iter()
            .map(|a| ActionName::new(a))
            .collect();
        CatalogActions {
            actions,
            names,
            escalation,
        }
    }

    /// These actions (with their catalog access level; `write` when the
    /// catalog does not list one)
    pub fn from_actions(list: &[&str]) -> CatalogActions {
        let cat = crate::data::catalog();
        let actions: Vec<(String, &'static str)> = list
            .iter()
            .map(|a| {
                let level = cat
                    .action(a)
                    .map_or("write", |(_, _, info)| info.access.code());
                ((*a).to_owned(), level)
            })
            .collect();
        let names = actions.iter().map(|(a, _)| ActionName::new(a)).collect();
        let escalation = ESCALATION_ACTIONS
            .iter()
            .map(|a| ActionName::new(a))
            .collect();
        CatalogActions {
            actions,
            names,
            escalation,
        }
    }
}

/// Decides every name of `names` for `session` in `account` on some
/// resource. Without a resource policy only an identity Allow can grant: an
/// action no Allow statement names is an implicit deny and is not evaluated
/// (most of the catalog, for all but the broadest sets).
pub(crate) fn decide_all(
    set: &PolicySet,
    ctx: &Context,
    session: &str,
    account: &str,
    names: &[Option<ActionName>],
) -> Vec<Option<Answer>> {
    let base = Request::on_any_resource(session, "sts:GetCallerIdentity", account).ok();
    let allow_blocks: Vec<&ActionBlock> = set
        .identity
        .iter()
        .flat_map(|p| &p.statements)
        .filter(|s| s.effect == Effect::Allow)
        .map(|s| &s.action)
        .collect();
    names
        .iter()
        .map(|name| {
            let name = name.as_ref()?;
            if set.resource.is_none() && !allow_blocks.iter().any(|b| b.matches(name)) {
                return None;
            }
            let mut req = base.clone()?;
            req.action = name.clone();
            Some(evaluate(&req, ctx, set).answer)
        })
        .collect()
}

/// How much a grant lets someone do, for access reviews
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivilegeLevel {
    /// Nothing in the catalog
    None,
    /// List actions only
    List,
    /// Read (and list) actions, no write
    Read,
    /// Some write, tagging or permissions-management actions
    Write,
    /// Write access in more than half of the catalog's services, not admin
    PowerUser,
    /// Admin-equivalent: can grant itself anything
    Admin,
}

impl PrivilegeLevel {
    /// `admin`, `power user`, `write`, `read`, `list` or `none`
    pub fn as_str(self) -> &'static str {
        match self {
            PrivilegeLevel::None => "none",
            PrivilegeLevel::List => "list",
            PrivilegeLevel::Read => "read",
            PrivilegeLevel::Write => "write",
            PrivilegeLevel::PowerUser => "power user",
            PrivilegeLevel::Admin => "admin",
        }
    }
}

/// Services whose permissions-management actions make a grant privileged
/// on their own (they change who can do what)
pub const IDENTITY_SERVICES: &[&str] = &[
    "iam",
    "sso",
    "sso-directory",
    "identitystore",
    "organizations",
    "sts",
];

/// AWS's own read-only job functions: an action one of them allows is
/// read-only by AWS's designation, whatever access level the catalog gives it
pub const AWS_READ_ONLY_POLICIES: &[&str] = &[
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    "arn:aws:iam::aws:policy/SecurityAudit",
];

/// The catalog actions an Allow statement of [`AWS_READ_ONLY_POLICIES`]
/// names (whatever its conditions and resources), computed once
fn aws_read_only() -> &'static std::collections::HashSet<String> {
    static CELL: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        let bundled = crate::data::managed_policies();
        let blocks: Vec<ActionBlock> = AWS_READ_ONLY_POLICIES
            .iter()
            .filter_map(|arn| bundled.policies.get(*arn))
            .filter_map(|p| {
                crate::policy::Policy::from_json(
                    &p.document,
                    crate::policy::PolicyKind::Identity,
                    "",
                )
                .ok()
            })
            .flat_map(|p| p.statements)
            .filter(|s| s.effect == Effect::Allow)
            .map(|s| s.action)
            .collect();
        let cat = crate::data::catalog();
        cat.services
            .iter()
            .flat_map(|(svc, info)| info.actions.keys().map(move |name| format!("{svc}:{name}")))
            .filter(|a| ActionName::new(a).is_some_and(|n| blocks.iter().any(|b| b.matches(&n))))
            .collect()
    })
}

/// What a policy set grants over the catalog, and the privilege level an
/// access review shows for it (docs/reports.md, "How the privilege level is
/// decided")
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessProfile {
    /// Per service prefix: the access levels with at least one grant
    /// (outright or under a condition)
    pub services: BTreeMap<String, BTreeSet<&'static str>>,
    /// Every [`ESCALATION_ACTIONS`] action is granted
    pub admin_equivalent: bool,
    /// The summary level
    pub level: PrivilegeLevel,
    /// Admin, power user, or permissions management in an identity service
    /// ([`IDENTITY_SERVICES`])
    pub privileged: bool,
    /// Granted actions of the level's class (write for write, power user and
    /// admin) that hold only under a condition
    pub conditional_at_level: usize,
    /// Actions the catalog classes write, tagging or permissions management
    /// that count as read because AWS's read-only job functions allow them
    pub read_only_by_aws: usize,
}

impl AccessProfile {
    /// Builds the profile from per-action answers
    pub fn from_answers(
        cat: &CatalogActions,
        answers: &[Option<Answer>],
        escalation: &[Option<Answer>],
    ) -> AccessProfile {
        let outright = |a: &Option<Answer>| matches!(a, Some(Answer::Decided(Decision::Allow)));
        let granted = |a: &Option<Answer>| outright(a) || matches!(a, Some(Answer::Conditional(_)));
        let writes = |l: &str| matches!(l, "write" | "permissions" | "tagging");
        let read_only = aws_read_only();
        let mut services: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
        // The levels that decide, per service: every grant, outright or under
        // a condition (a condition can be met by someone: a region, a tag, a
        // source address), with AWS's read-only designation applied. The
        // detail counts the conditional grants per class.
        let class = |l: &str| match l {
            "list" => PrivilegeLevel::List,
            "read" => PrivilegeLevel::Read,
            _ => PrivilegeLevel::Write,
        };
        let mut effective: BTreeMap<&str, BTreeSet<&'static str>> = BTreeMap::new();
        let mut conditional: BTreeMap<PrivilegeLevel, usize> = BTreeMap::new();
        let mut read_only_by_aws = 0;
        for ((action, level), a) in cat.actions.iter().zip(answers) {
            if !granted(a) {
                continue;
            }
            let svc = action.split(':').next().unwrap_or_default();
            services.entry(svc.to_owned()).or_default().insert(level);
            let level: &'static str = if writes(level) && read_only.contains(action) {
                read_only_by_aws += 1;
                "read"
            } else {
                level
            };
            effective.entry(svc).or_default().insert(level);
            if !outright(a) {
                *conditional.entry(class(level)).or_default() += 1;
            }
        }
        let admin_equivalent = !escalation.is_empty() && escalation.iter().all(granted);
        let catalog_services = crate::data::catalog().services.len();
        let write_services = effective
            .values()
            .filter(|l| l.iter().any(|x| writes(x)))
            .count();
        let level = if admin_equivalent {
            PrivilegeLevel::Admin
        } else if write_services * 2 > catalog_services {
            PrivilegeLevel::PowerUser
        } else if write_services > 0 {
            PrivilegeLevel::Write
        } else if effective.values().any(|l| l.contains("read")) {
            PrivilegeLevel::Read
        } else if effective.is_empty() {
            PrivilegeLevel::None
        } else {
            PrivilegeLevel::List
        };
        let conditional_at_level = conditional
            .get(&level.min(PrivilegeLevel::Write))
            .copied()
            .unwrap_or(0);
        // Conservative: permissions management in an identity service is
        // privileged even when granted only under a condition.
        let privileged = matches!(level, PrivilegeLevel::Admin | PrivilegeLevel::PowerUser)
            || IDENTITY_SERVICES
                .iter()
                .any(|s| services.get(*s).is_some_and(|l| l.contains("permissions")));
        AccessProfile {
            services,
            admin_equivalent,
            level,
            privileged,
            conditional_at_level,
            read_only_by_aws,
        }
    }

    /// What qualifies the level: how many of its grants hold only under a
    /// condition, and how many write-classed actions count as read by AWS's
    /// designation (said where that decided a read or list label), or empty
    pub fn level_detail(&self) -> String {
        let mut parts = Vec::new();
        if self.conditional_at_level > 0 {
            parts.push(format!(
                "{} of the {} action(s) only under a condition",
                self.conditional_at_level,
                self.level.min(PrivilegeLevel::Write).as_str()
            ));
        }
        // Said only where it decided the label (a write level has writes).
        if self.read_only_by_aws > 0 && self.level <= PrivilegeLevel::Read {
            parts.push(format!(
                "{} write-classed action(s) read-only by AWS's job functions",
                self.read_only_by_aws
            ));
        }
        parts.join("; ")
    }

    /// `s3: list, read, write; sqs: read` (services in order)
    pub fn summary(&self) -> String {
        self.services
            .iter()
            .map(|(svc, levels)| {
                format!(
                    "{svc}: {}",
                    levels.iter().copied().collect::<Vec<_>>().join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A policy set and the (permission set, account) pairs that share it
type SharedSet = (PolicySet, Vec<(PermissionSetIx, AccountIx)>);

/// The profile of every (permission set, account) pair in `pairs`, computed
/// once per distinct policy set (pairs with the same policies and SCP path
/// share one), in parallel. The users' own keys (principal tags, account
/// facts) are unknown, so ABAC grants count as conditional grants.
pub fn pair_profiles(
    model: &Model,
    pairs: &[(PermissionSetIx, AccountIx)],
) -> HashMap<(PermissionSetIx, AccountIx), Arc<AccessProfile>> {
    let cat = CatalogActions::new(None, None);
    let mut groups: BTreeMap<Vec<usize>, SharedSet> = BTreeMap::new();
    for &(ps, acct) in pairs {
        let set = model.policy_set(ps, acct);
        groups
            .entry(signature(ps, &set))
            .or_insert_with(|| (set, Vec::new()))
            .1
            .push((ps, acct));
    }
    let groups: Vec<SharedSet> = groups.into_values().collect();
    groups
        .par_iter()
        .flat_map_iter(|(set, members)| {
            let (ps, acct) = members[0];
            let profile = Arc::new(set_profile(model, set, ps, acct, &cat));
            members.iter().map(move |&m| (m, profile.clone()))
        })
        .collect()
}

/// The profile of a permission set's own policies (no SCPs), as provisioned
/// in `account` (customer managed policies resolve there)
pub fn permission_set_profile(
    model: &Model,
    ps: PermissionSetIx,
    account: AccountIx,
    cat: &CatalogActions,
) -> AccessProfile {
    let mut set = model.policy_set(ps, account);
    set.scps = None;
    set_profile(model, &set, ps, account, cat)
}

/// The answers of a (permission set, account) pair (its policies and the
/// account's SCPs) for `cat`'s actions and the escalation actions, with the
/// users' own keys unknown
pub fn pair_answers(
    model: &Model,
    ps: PermissionSetIx,
    acct: AccountIx,
    cat: &CatalogActions,
) -> (Vec<Option<Answer>>, Vec<Option<Answer>>) {
    set_answers(model, &model.policy_set(ps, acct), ps, acct, cat)
}

/// The profile of an IAM role of the snapshot (its policies, boundary and
/// its account's SCPs), with the session's own keys unknown: for the roles
/// account access manager entitlements give
pub fn role_profile(model: &Model, role: usize, cat: &CatalogActions) -> AccessProfile {
    let (answers, escalation) = role_answers(model, role, cat);
    AccessProfile::from_answers(cat, &answers, &escalation)
}

/// The answers of an IAM role of the snapshot for `cat`'s actions and the
/// escalation actions, as [`role_profile`] decides them
pub fn role_answers(
    model: &Model,
    role: usize,
    cat: &CatalogActions,
) -> (Vec<Option<Answer>>, Vec<Option<Answer>>) {
    let p = &model.iam_principals()[role];
    let account = &model.accounts()[p.account].id;
    let mut ctx = super::iam_context(model, role);
    for k in ACCOUNT_KEYS {
        ctx.set_unknown(k);
    }
    let session = p.caller_arn(account, "user");
    let answers = decide_all(&p.set, &ctx, &session, account, &cat.names);
    let escalation = decide_all(&p.set, &ctx, &session, account, &cat.escalation);
    (answers, escalation)
}

fn set_answers(
    model: &Model,
    set: &PolicySet,
    ps: PermissionSetIx,
    acct: AccountIx,
    cat: &CatalogActions,
) -> (Vec<Option<Answer>>, Vec<Option<Answer>>) {
    let role = model.provisioned_role(ps, acct);
    let mut ctx = pair_context(model, acct, &role);
    for k in ACCOUNT_KEYS {
        ctx.set_unknown(k);
    }
    let account = &model.accounts()[acct].id;
    let session = role.session_arn(account, "user");
    let answers = decide_all(set, &ctx, &session, account, &cat.names);
    let escalation = decide_all(set, &ctx, &session, account, &cat.escalation);
    (answers, escalation)
}

fn set_profile(
    model: &Model,
    set: &PolicySet,
    ps: PermissionSetIx,
    acct: AccountIx,
    cat: &CatalogActions,
) -> AccessProfile {
    let (answers, escalation) = set_answers(model, set, ps, acct, cat);
    AccessProfile::from_answers(cat, &answers, &escalation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Policy, PolicyKind};

    /// The profile of one bundled AWS managed policy on its own
    fn profile_of(arn: &str) -> AccessProfile {
        let doc = &crate::data::managed_policies().policies[arn].document;
        let set = PolicySet {
            identity: vec![Arc::new(
                Policy::from_json(doc, PolicyKind::Identity, "").unwrap(),
            )],
            boundary: None,
            session: None,
            resource: None,
            scps: None,
            rcps: None,
        };
        let cat = CatalogActions::new(None, None);
        let (session, account) = ("arn:aws:sts::111111111111:assumed-role/R/u", "111111111111");
        let ctx = Context::open();
        let answers = decide_all(&set, &ctx, session, account, &cat.names);
        let esc = decide_all(&set, &ctx, session, account, &cat.escalation);
        AccessProfile::from_answers(&cat, &answers, &esc)
    }

    /// Issue 17: AWS's read-only job functions came out `write` because a
    /// few actions they allow are classed Write (or are granted under a
    /// condition). Each job function is expected at the level its AWS
    /// description states: full access (admin), "full access except user
    /// and group management" (power user), read-only and view-only access
    /// and security audit (read), the rest write.
    #[test]
    fn every_bundled_job_function_gets_the_level_aws_describes() {
        let expected = [
            (
                "arn:aws:iam::aws:policy/AdministratorAccess",
                PrivilegeLevel::Admin,
            ),
            (
                "arn:aws:iam::aws:policy/PowerUserAccess",
                PrivilegeLevel::PowerUser,
            ),
            (
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                PrivilegeLevel::Read,
            ),
            (
                "arn:aws:iam::aws:policy/SecurityAudit",
                PrivilegeLevel::Read,
            ),
            (
                "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
                PrivilegeLevel::Read,
            ),
            (
                "arn:aws:iam::aws:policy/job-function/Billing",
                PrivilegeLevel::Write,
            ),
            (
                "arn:aws:iam::aws:policy/job-function/DataScientist",
                PrivilegeLevel::Write,
            ),
            (
                "arn:aws:iam::aws:policy/job-function/DatabaseAdministrator",
                PrivilegeLevel::Write,
            ),
            (
                "arn:aws:iam::aws:policy/job-function/NetworkAdministrator",
                PrivilegeLevel::Write,
            ),
            (
                "arn:aws:iam::aws:policy/job-function/SupportUser",
                PrivilegeLevel::Write,
            ),
            (
                "arn:aws:iam::aws:policy/job-function/SystemAdministrator",
                PrivilegeLevel::Write,
            ),
        ];
        assert_eq!(
            expected.len(),
            crate::data::JOB_FUNCTIONS.len(),
            "every job function"
        );
        for (arn, level) in expected {
            let p = profile_of(arn);
            assert_eq!(p.level, level, "{arn}: {}", p.level_detail());
        }
        // The read-only ones say what they would have been labelled for.
        let ro = profile_of("arn:aws:iam::aws:policy/ReadOnlyAccess");
        assert!(ro.read_only_by_aws > 0);
        assert!(ro
            .level_detail()
            .contains("read-only by AWS's job functions"));
        // A stray write outside AWS's designation still makes a set write.
        let admin = profile_of("arn:aws:iam::aws:policy/AdministratorAccess");
        assert!(admin.admin_equivalent && admin.privileged);
    }

    #[test]
    fn a_write_action_aws_does_not_designate_read_only_decides_write() {
        let cat = CatalogActions::from_actions(&["s3:GetObject", "s3:PutObject"]);
        let allow = Some(Answer::Decided(Decision::Allow));
        let p = AccessProfile::from_answers(&cat, &[allow.clone(), allow], &[]);
        assert_eq!(p.level, PrivilegeLevel::Write);
        assert_eq!(p.level_detail(), "");
        let read_only =
            AccessProfile::from_answers(&cat, &[Some(Answer::Decided(Decision::Allow)), None], &[]);
        assert_eq!(read_only.level, PrivilegeLevel::Read);
    }
}
