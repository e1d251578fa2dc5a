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

/// What a policy set grants over the catalog. Conditional grants count as
/// granted: an access review asks what someone could do when the condition
/// holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessProfile {
    /// Per service prefix: the access levels with at least one grant
    pub services: BTreeMap<String, BTreeSet<&'static str>>,
    /// Every [`ESCALATION_ACTIONS`] action is granted
    pub admin_equivalent: bool,
    /// The summary level
    pub level: PrivilegeLevel,
    /// Admin, power user, or permissions management in an identity service
    /// ([`IDENTITY_SERVICES`])
    pub privileged: bool,
}

impl AccessProfile {
    /// Builds the profile from per-action answers
    pub fn from_answers(
        cat: &CatalogActions,
        answers: &[Option<Answer>],
        escalation: &[Option<Answer>],
    ) -> AccessProfile {
        let granted = |a: &Option<Answer>| {
            matches!(
                a,
                Some(Answer::Decided(Decision::Allow) | Answer::Conditional(_))
            )
        };
        let mut services: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
        for ((action, level), a) in cat.actions.iter().zip(answers) {
            if granted(a) {
                let svc = action.split(':').next().unwrap_or_default();
                services.entry(svc.to_owned()).or_default().insert(level);
            }
        }
        let admin_equivalent = !escalation.is_empty() && escalation.iter().all(granted);
        let writes = |levels: &BTreeSet<&str>| {
            levels
                .iter()
                .any(|l| matches!(*l, "write" | "permissions" | "tagging"))
        };
        let write_services = services.values().filter(|l| writes(l)).count();
        let catalog_services = crate::data::catalog().services.len();
        let level = if admin_equivalent {
            PrivilegeLevel::Admin
        } else if write_services * 2 > catalog_services {
            PrivilegeLevel::PowerUser
        } else if services.values().any(writes) {
            PrivilegeLevel::Write
        } else if services.values().any(|l| l.contains("read")) {
            PrivilegeLevel::Read
        } else if services.is_empty() {
            PrivilegeLevel::None
        } else {
            PrivilegeLevel::List
        };
        let privileged = matches!(level, PrivilegeLevel::Admin | PrivilegeLevel::PowerUser)
            || IDENTITY_SERVICES
                .iter()
                .any(|s| services.get(*s).is_some_and(|l| l.contains("permissions")));
        AccessProfile {
            services,
            admin_equivalent,
            level,
            privileged,
        }
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
