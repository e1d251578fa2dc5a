//! This module compiles a [`Snapshot`] once into the organization model:
//! users, groups, permission sets, accounts, OUs and policies as indexed
//! adjacency lists (assignments resolved to pairs, groups to members), plus
//! the facts AWS derives from them: the role each
//! (permission set, account) pair provisions, its path and session ARNs,
//! customer managed references resolved per account, principal tags per
//! user from the ABAC mapping, and the SCP/RCP path of every account. Every
//! policy document is validated and compiled here, once. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod iam;
mod ids;
mod resource;
#[cfg(test)]
mod tests;

pub use iam::{IamKind, IamPrincipal};
pub use ids::{AccountIx, GroupIx, PairIx, PermissionSetIx, UserIx};
pub use resource::{authorized_arn, Found, Owner, ResolvedResource, ResourceTags};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::data::managed_policies;
use crate::eval::PolicySet;
use crate::json::JsonValue;
use crate::policy::{Policy, PolicyError, PolicyKind};
use crate::snapshot::{Boundary, OrgPolicyType, PrincipalType, Snapshot, UserStatus};

/// A policy document in the snapshot that does not compile
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {error}")]
pub struct ModelError {
    /// Which document, in words with its JSON pointer in the snapshot
    pub what: String,
    /// The policy error (statement and pointer)
    pub error: PolicyError,
}

/// How a user reaches an account
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// A USER assignment
    Direct,
    /// A GROUP assignment to this group (index)
    Group(GroupIx),
}

/// One way a user reaches an account with a permission set
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Access {
    /// Account
    pub account: AccountIx,
    /// Permission set
    pub permission_set: PermissionSetIx,
    /// How
    pub via: Via,
}

/// Who an assignment is to
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Principal {
    /// A user
    User(UserIx),
    /// A group
    Group(GroupIx),
}

/// An assignment of the snapshot, resolved at load by id
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedAssignment {
    /// The user or group
    pub principal: Principal,
    /// Permission set
    pub permission_set: PermissionSetIx,
    /// Account
    pub account: AccountIx,
}

/// Whether a customer managed reference exists in an account
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// Found in the account's IAM data
    Found(Arc<Policy>),
    /// The account's IAM data was read and has no such policy: provisioning fails there
    Missing,
    /// No IAM data for the account: cannot tell
    Unknown,
}

/// The role a (permission set, account) pair provisions
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionedRole {
    /// `AWSReservedSSO_<name>_<suffix>`
    pub name: String,
    /// `/aws-reserved/sso.amazonaws.com/[<region>/]`
    pub path: String,
    /// The role ARN
    pub arn: String,
    /// Whether the suffix came from the account's IAM data (otherwise it
    /// is a stable placeholder: the real one is random)
    pub suffix_known: bool,
}

impl ProvisionedRole {
    /// The session ARN of a user: `arn:aws:sts::A:assumed-role/<role>/<user name>`
    pub fn session_arn(&self, account: &str, user_name: &str) -> String {
        format!(
            "arn:aws:sts::{account}:assumed-role/{}/{user_name}",
            self.name
        )
    }
}

/// The compiled organization
///
/// Access is kept factorized as Identity Center holds it: assignments
/// resolved once to (permission set, account) pairs and attached to users
/// and groups, groups to members. The (user, path) relation is never
/// expanded as a whole: [`Model::access`] and [`Model::pair_users`] expand
/// one user's or one pair's share on demand, so what is held after load is
/// bounded by the snapshot's own size.
#[derive(Debug)]
pub struct Model {
    snapshot: Snapshot,
    users: HashMap<String, UserIx>,
    groups: HashMap<String, GroupIx>,
    permission_sets: HashMap<String, PermissionSetIx>,
    accounts: HashMap<String, AccountIx>,
    /// Groups of each user (Identity Center groups hold users only: no nesting)
    user_groups: Vec<Vec<GroupIx>>,
    /// Members of each group, in user index order
    group_members: Vec<Vec<UserIx>>,
    /// Every (permission set, account) pair some user reaches, in order of
    /// first appearance when walking users in index order
    pairs: Vec<(PermissionSetIx, AccountIx)>,
    /// Per pair: the users assigned directly, in index order
    pair_direct: Vec<Vec<UserIx>>,
    /// Per pair: the groups assigned (members or not), in index order
    pair_groups: Vec<Vec<GroupIx>>,
    /// Per user: the pairs of its USER assignments
    user_direct: Vec<Vec<PairIx>>,
    /// Per group: the pairs of its GROUP assignments
    group_pairs: Vec<Vec<PairIx>>,
    /// Per group: each tag class among its members with the first member of
    /// that class, by class
    group_classes: Vec<Vec<(u32, UserIx)>>,
    /// Each of `snapshot.assignments` resolved by id; `None` when its
    /// principal, permission set or account is not in the snapshot (kept
    /// for `lint`)
    assignments: Vec<Option<ResolvedAssignment>>,
    /// Principal tags of each user from the ABAC mapping (empty when ABAC is off)
    principal_tags: Vec<BTreeMap<String, String>>,
    /// Users with equal principal tags share a class: residual conditions
    /// are settled once per class, not once per user
    tag_class: Vec<u32>,
    /// Per account: the ids on its path, root first, the account last
    account_paths: Vec<Vec<String>>,
    scps: Vec<Option<Vec<Vec<Arc<Policy>>>>>,
    rcps: Vec<Option<Vec<Vec<Arc<Policy>>>>>,
    aws_managed: HashMap<String, Arc<Policy>>,
    inline: Vec<Option<Arc<Policy>>>,
    customer_managed: HashMap<(AccountIx, String), Resolution>,
    /// IAM users and roles of the snapshot's IAM data, compiled
    iam: Vec<IamPrincipal>,
    /// ARN → index into `iam`
    iam_index: HashMap<String, usize>,
    /// `snapshot.resources` by ARN
    resource_index: HashMap<String, usize>,
    /// Secrets by ARN without the random suffix
    secret_index: HashMap<String, usize>,
    /// Compiled policy of each `snapshot.resources[i]`
    resource_policies: Vec<Option<Arc<Policy>>>,
}

fn compile(doc: &JsonValue, kind: PolicyKind, what: String) -> Result<Arc<Policy>, ModelError> {
    Policy::from_json(doc, kind, "")
        .map(Arc::new)
        .map_err(|error| ModelError { what, error })
}

/// Sorts each list and drops its repeats
fn sort_dedup_each<T: Ord>(lists: &mut [Vec<T>]) {
    for v in lists {
        v.sort_unstable();
        v.dedup();
    }
}

/// The factorized access of [`Model`]: pairs in first-appearance order and
/// the principals attached to each
struct Factorized {
    pairs: Vec<(PermissionSetIx, AccountIx)>,
    pair_direct: Vec<Vec<UserIx>>,
    pair_groups: Vec<Vec<GroupIx>>,
    user_direct: Vec<Vec<PairIx>>,
    group_pairs: Vec<Vec<PairIx>>,
    resolved: Vec<Option<ResolvedAssignment>>,
}

/// Resolves every assignment once to a (permission set, account) pair and
/// attaches it to its user or group. A pair is kept when some user reaches
/// it; pairs are numbered in order of first appearance when walking users in
/// index order, each user's paths sorted by (account, permission set): the
/// order of (first user, account, permission set).
fn factorize(
    snapshot: &Snapshot,
    ids: (&HashMap<String, UserIx>, &HashMap<String, GroupIx>),
    permission_sets: &HashMap<String, PermissionSetIx>,
    accounts: &HashMap<String, AccountIx>,
    group_members: &[Vec<UserIx>],
) -> Factorized {
    let (users, groups) = ids;
    let mut key_of: rustc_hash::FxHashMap<(PermissionSetIx, AccountIx), usize> = Default::default();
    let mut keys: Vec<(PermissionSetIx, AccountIx)> = Vec::new();
    let mut direct: Vec<Vec<UserIx>> = Vec::new();
    let mut by_group: Vec<Vec<GroupIx>> = Vec::new();
    let mut resolved = Vec::with_capacity(snapshot.assignments.len());
    for a in &snapshot.assignments {
        let (Some(&acct), Some(&ps)) = (
            accounts.get(&a.account_id),
            permission_sets.get(&a.permission_set_arn),
        ) else {
            resolved.push(None);
            continue;
        };
        let principal = match a.principal_type {
            PrincipalType::User => users.get(&a.principal_id).map(|&u| Principal::User(u)),
            PrincipalType::Group => groups.get(&a.principal_id).map(|&g| Principal::Group(g)),
        };
        let Some(principal) = principal else {
            resolved.push(None);
            continue;
        };
        resolved.push(Some(ResolvedAssignment {
            principal,
            permission_set: ps,
            account: acct,
        }));
        let k = *key_of.entry((ps, acct)).or_insert_with(|| {
            keys.push((ps, acct));
            direct.push(Vec::new());
            by_group.push(Vec::new());
            keys.len() - 1
        });
        match principal {
            Principal::User(u) => direct[k].push(u),
            Principal::Group(g) => by_group[k].push(g),
        }
    }
    sort_dedup_each(&mut direct);
    sort_dedup_each(&mut by_group);
    // The first user of each pair decides its place.
    let first_user = |k: usize| -> Option<UserIx> {
        let d = direct[k].first().copied();
        let g = by_group[k]
            .iter()
            .filter_map(|&g| group_members[g.index()].first().copied())
            .min();
        match (d, g) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let mut order: Vec<(UserIx, AccountIx, PermissionSetIx, usize)> = (0..keys.len())
        .filter_map(|k| first_user(k).map(|u| (u, keys[k].1, keys[k].0, k)))
        .collect();
    order.sort_unstable();
    let mut pairs = Vec::with_capacity(order.len());
    let mut pair_direct = Vec::with_capacity(order.len());
    let mut pair_groups = Vec::with_capacity(order.len());
    // Sized by the tables, not the id maps: a snapshot may repeat an id.
    let mut user_direct = vec![Vec::new(); snapshot.users.len()];
    let mut group_pairs = vec![Vec::new(); snapshot.groups.len()];
    for (p, &(_, _, _, k)) in order.iter().enumerate() {
        let p = PairIx::new(p);
        pairs.push(keys[k]);
        let (d, g) = (
            std::mem::take(&mut direct[k]),
            std::mem::take(&mut by_group[k]),
        );
        for &u in &d {
            user_direct[u.index()].push(p);
        }
        for &gi in &g {
            group_pairs[gi.index()].push(p);
        }
        pair_direct.push(d);
        pair_groups.push(g);
    }
    Factorized {
        pairs,
        pair_direct,
        pair_groups,
        user_direct,
        group_pairs,
        resolved,
    }
}

impl Model {
    /// Builds the model
    ///
    /// # Errors
    /// [`ModelError`] for the first policy document that does not compile.
    pub fn build(snapshot: Snapshot) -> Result<Model, ModelError> {
        let users: HashMap<String, UserIx> = snapshot
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), UserIx::new(i)))
            .collect();
        let groups: HashMap<String, GroupIx> = snapshot
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), GroupIx::new(i)))
            .collect();
        let permission_sets: HashMap<String, PermissionSetIx> = snapshot
            .permission_sets
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn.clone(), PermissionSetIx::new(i)))
            .collect();
        let org_accounts = snapshot
            .organization
            .as_ref()
            .map(|o| o.accounts.as_slice())
            .unwrap_or(&[]);
        let accounts: HashMap<String, AccountIx> = org_accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), AccountIx::new(i)))
            .collect();

        let mut user_groups: Vec<Vec<GroupIx>> = vec![Vec::new(); snapshot.users.len()];
        let mut group_members: Vec<Vec<UserIx>> = vec![Vec::new(); snapshot.groups.len()];
        for m in &snapshot.memberships {
            if let (Some(&u), Some(&g)) = (users.get(&m.user_id), groups.get(&m.group_id)) {
                user_groups[u.index()].push(g);
                group_members[g.index()].push(u);
            }
        }
        sort_dedup_each(&mut user_groups);
        sort_dedup_each(&mut group_members);
        let f = factorize(
            &snapshot,
            (&users, &groups),
            &permission_sets,
            &accounts,
            &group_members,
        );

        let principal_tags = match &snapshot.identity_center {
            Some(ic) if ic.abac.enabled => snapshot
                .users
                .iter()
                .map(|u| {
                    ic.abac
                        .attributes
                        .iter()
                        .filter_map(|a| u.attribute(&a.source).map(|v| (a.key.clone(), v)))
                        .collect()
                })
                .collect(),
            _ => vec![BTreeMap::new(); snapshot.users.len()],
        };

        let mut classes: HashMap<&BTreeMap<String, String>, u32> = HashMap::new();
        let tag_class: Vec<u32> = principal_tags
            .iter()
            .map(|t| {
                let n = classes.len() as u32;
                *classes.entry(t).or_insert(n)
            })
            .collect();
        drop(classes);
        let mut group_classes: Vec<Vec<(u32, UserIx)>> = group_members
            .iter()
            .map(|members| {
                let mut first: rustc_hash::FxHashMap<u32, UserIx> = Default::default();
                for &u in members {
                    // Members are in index order: the first seen is the first.
                    first.entry(tag_class[u.index()]).or_insert(u);
                }
                first.into_iter().collect()
            })
            .collect();
        for v in &mut group_classes {
            v.sort_unstable();
        }

        // The org tree and SCP/RCP paths.
        let mut account_paths = Vec::with_capacity(org_accounts.len());
        let mut scps = Vec::with_capacity(org_accounts.len());
        let mut rcps = Vec::with_capacity(org_accounts.len());
        if let Some(org) = &snapshot.organization {
            let parent: HashMap<&str, &str> = org
                .ous
                .iter()
                .map(|o| (o.id.as_str(), o.parent_id.as_str()))
                .collect();
            let mut compiled: HashMap<String, Arc<Policy>> = HashMap::new();
            for (i, p) in org.policies.iter().enumerate() {
                let kind = match p.policy_type {
                    OrgPolicyType::ServiceControlPolicy => PolicyKind::Scp,
                    OrgPolicyType::ResourceControlPolicy => PolicyKind::Rcp,
                };
                let what = format!(
                    "{} `{}` (/organization/policies/{i}/content)",
                    kind.code().to_uppercase(),
                    p.name
                );
                compiled.insert(p.id.clone(), compile(&p.content, kind, what)?);
            }
            for a in &org.accounts {
                let mut path = vec![a.id.clone()];
                let mut cur = a.parent_id.as_str();
                // INVARIANT: bounded by the number of OUs, so a cycle in a
                // malformed snapshot cannot loop forever.
                for _ in 0..=org.ous.len() {
                    path.push(cur.to_owned());
                    if cur == org.root_id {
                        break;
                    }
                    match parent.get(cur) {
                        Some(p) => cur = p,
                        None => break,
                    }
                }
                path.reverse();
                let levels = |ty: OrgPolicyType| -> Vec<Vec<Arc<Policy>>> {
                    path.iter()
                        .map(|id| {
                            org.policies
                                .iter()
                                .filter(|p| {
                                    p.policy_type == ty && p.targets.iter().any(|t| t == id)
                                })
                                .filter_map(|p| compiled.get(&p.id).cloned())
                                .collect()
                        })
                        .collect()
                };
                let exempt = a.id == org.management_account_id;
                let has = |ty: OrgPolicyType| org.policies.iter().any(|p| p.policy_type == ty);
                scps.push(
                    (!exempt && has(OrgPolicyType::ServiceControlPolicy))
                        .then(|| levels(OrgPolicyType::ServiceControlPolicy)),
                );
                rcps.push(
                    (!exempt && has(OrgPolicyType::ResourceControlPolicy))
                        .then(|| levels(OrgPolicyType::ResourceControlPolicy)),
                );
                account_paths.push(path);
            }
        }

        // Permission set documents.
        let bundled = managed_policies();
        let mut aws_managed = HashMap::new();
        let mut inline = Vec::with_capacity(snapshot.permission_sets.len());
        for (i, ps) in snapshot.permission_sets.iter().enumerate() {
            let mut arns: Vec<&str> = ps.aws_managed_policies.iter().map(String::as_str).collect();
            if let Some(Boundary::ManagedPolicyArn(b)) = &ps.permissions_boundary {
                arns.push(b);
            }
            for arn in arns {
                if aws_managed.contains_key(arn) {
                    continue;
                }
                // A copy in the snapshot's IAM data wins over the bundled one.
                let from_snapshot = snapshot
                    .iam
                    .iter()
                    .flat_map(|a| &a.policies)
                    .find(|p| p.arn == arn);
                let doc = match (from_snapshot, bundled.policies.get(arn)) {
                    (Some(p), _) => Some(&p.document),
                    (None, Some(b)) => Some(&b.document),
                    (None, None) => None,
                };
                if let Some(doc) = doc {
                    let p = compile(
                        doc,
                        PolicyKind::Identity,
                        format!("AWS managed policy `{arn}`"),
                    )?;
                    aws_managed.insert(arn.to_owned(), p);
                }
            }
            inline.push(match &ps.inline_policy {
                Some(doc) => Some(compile(
                    doc,
                    PolicyKind::Identity,
                    format!(
                        "inline policy of permission set `{}` (/permission_sets/{i}/inline_policy)",
                        ps.name
                    ),
                )?),
                None => None,
            });
        }

        // Customer managed references, resolved in each account the set is assigned to or provisioned in.
        let mut customer_managed = HashMap::new();
        let iam_of: HashMap<&str, usize> = snapshot
            .iam
            .iter()
            .enumerate()
            .map(|(i, a)| (a.account_id.as_str(), i))
            .collect();
        // The accounts each set is assigned in, from the resolved assignments.
        let mut assigned_in: Vec<Vec<AccountIx>> = vec![Vec::new(); snapshot.permission_sets.len()];
        for r in f.resolved.iter().flatten() {
            assigned_in[r.permission_set.index()].push(r.account);
        }
        for (pi, ps) in snapshot.permission_sets.iter().enumerate() {
            let mut refs: Vec<&crate::snapshot::PolicyReference> =
                ps.customer_managed_policies.iter().collect();
            if let Some(Boundary::CustomerManaged(r)) = &ps.permissions_boundary {
                refs.push(r);
            }
            if refs.is_empty() {
                continue;
            }
            let mut targets: Vec<AccountIx> = assigned_in[pi]
                .iter()
                .copied()
                .chain(
                    ps.provisioning
                        .iter()
                        .filter_map(|p| accounts.get(&p.account_id).copied()),
                )
                .collect();
            targets.sort_unstable();
            targets.dedup();
            for &acct in &targets {
                let account_id = &org_accounts[acct].id;
                for r in &refs {
                    let arn = r.arn_in(account_id);
                    if customer_managed.contains_key(&(acct, arn.clone())) {
                        continue;
                    }
                    let res = match iam_of.get(account_id.as_str()) {
                        None => Resolution::Unknown,
                        Some(&ii) => {
                            match snapshot.iam[ii].policies.iter().find(|p| p.arn == arn) {
                                Some(p) => Resolution::Found(compile(
                                    &p.document,
                                    PolicyKind::Identity,
                                    format!(
                                        "customer managed policy `{arn}` (permission set `{}`)",
                                        ps.name
                                    ),
                                )?),
                                None => Resolution::Missing,
                            }
                        }
                    };
                    customer_managed.insert((acct, arn), res);
                }
            }
        }

        // IAM data and resource policies are compiled here too, so a broken
        // one stops the load with its place instead of being skipped later.
        let scps_of = |acct: AccountIx| scps.get(acct.index()).cloned().flatten();
        let iam = iam::compile_principals(&snapshot.iam, &accounts, &scps_of)?;
        let iam_index = iam
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn.clone(), i))
            .collect();
        let mut resource_policies = Vec::with_capacity(snapshot.resources.len());
        for (i, r) in snapshot.resources.iter().enumerate() {
            resource_policies.push(match &r.policy {
                Some(doc) => Some(compile(
                    doc,
                    PolicyKind::Resource,
                    format!("resource policy of `{}` (/resources/{i}/policy)", r.arn),
                )?),
                None => None,
            });
        }
        let resource_index = snapshot
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.arn.clone(), i))
            .collect();
        let secret_index = snapshot
            .resources
            .iter()
            .enumerate()
            .filter_map(|(i, r)| resource::secret_without_suffix(&r.arn).map(|b| (b.to_owned(), i)))
            .collect();

        Ok(Model {
            users,
            groups,
            permission_sets,
            accounts,
            user_groups,
            group_members,
            pairs: f.pairs,
            pair_direct: f.pair_direct,
            pair_groups: f.pair_groups,
            user_direct: f.user_direct,
            group_pairs: f.group_pairs,
            group_classes,
            assignments: f.resolved,
            principal_tags,
            tag_class,
            account_paths,
            scps,
            rcps,
            aws_managed,
            inline,
            customer_managed,
            iam,
            iam_index,
            resource_index,
            secret_index,
            resource_policies,
            snapshot,
        })
    }

    /// The organization's accounts
    pub fn accounts(&self) -> &[crate::snapshot::Account] {
        self.snapshot
            .organization
            .as_ref()
            .map(|o| o.accounts.as_slice())
            .unwrap_or(&[])
    }

    /// A user by id, user name, or email (case-insensitive for names and emails)
    pub fn find_user(&self, key: &str) -> Option<UserIx> {
        if let Some(&i) = self.users.get(key) {
            return Some(i);
        }
        if let Some(i) = self.snapshot.users.iter().position(|u| {
            u.user_name.eq_ignore_ascii_case(key)
                || u.emails.iter().any(|e| e.value.eq_ignore_ascii_case(key))
        }) {
            return Some(UserIx::new(i));
        }
        // `alice` for `alice@example.com`, when only one user has that local part.
        let mut local = self.snapshot.users.iter().enumerate().filter(|(_, u)| {
            u.user_name
                .split('@')
                .next()
                .is_some_and(|l| l.eq_ignore_ascii_case(key))
        });
        match (local.next(), local.next()) {
            (Some((i, _)), None) => Some(UserIx::new(i)),
            _ => None,
        }
    }

    /// A group by id or name
    pub fn find_group(&self, key: &str) -> Option<GroupIx> {
        if let Some(&i) = self.groups.get(key) {
            return Some(i);
        }
        self.snapshot
            .groups
            .iter()
            .position(|g| g.name.eq_ignore_ascii_case(key))
            .map(GroupIx::new)
    }

    /// A user by its identity store id only
    pub fn user_by_id(&self, id: &str) -> Option<UserIx> {
        self.users.get(id).copied()
    }

    /// A group by its identity store id only
    pub fn group_by_id(&self, id: &str) -> Option<GroupIx> {
        self.groups.get(id).copied()
    }

    /// A permission set by its ARN only
    pub fn permission_set_by_arn(&self, arn: &str) -> Option<PermissionSetIx> {
        self.permission_sets.get(arn).copied()
    }

    /// An account by its id only
    pub fn find_account_id(&self, id: &str) -> Option<AccountIx> {
        self.accounts.get(id).copied()
    }

    /// The IAM users and roles of the snapshot's IAM data (accounts of the
    /// organization only), compiled
    pub fn iam_principals(&self) -> &[IamPrincipal] {
        &self.iam
    }

    /// An IAM user or role by ARN
    pub fn find_iam(&self, arn: &str) -> Option<usize> {
        self.iam_index.get(arn).copied()
    }

    /// An account by id or name
    pub fn find_account(&self, key: &str) -> Option<AccountIx> {
        if let Some(&i) = self.accounts.get(key) {
            return Some(i);
        }
        self.accounts()
            .iter()
            .position(|a| a.name.eq_ignore_ascii_case(key))
            .map(AccountIx::new)
    }

    /// A permission set by ARN, `ps-` id or name
    pub fn find_permission_set(&self, key: &str) -> Option<PermissionSetIx> {
        if let Some(&i) = self.permission_sets.get(key) {
            return Some(i);
        }
        self.snapshot
            .permission_sets
            .iter()
            .position(|p| p.short_id() == key || p.name.eq_ignore_ascii_case(key))
            .map(PermissionSetIx::new)
    }

    /// The snapshot the model was built from
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The snapshot, given back (to build a changed model from it)
    pub fn into_snapshot(self) -> Snapshot {
        self.snapshot
    }

    /// The groups of a user, in index order
    pub fn user_groups(&self, user: UserIx) -> &[GroupIx] {
        &self.user_groups[user.index()]
    }

    /// The members of a group, in index order
    pub fn group_members(&self, group: GroupIx) -> &[UserIx] {
        &self.group_members[group.index()]
    }

    /// Every (permission set, account) pair some user reaches, in order of
    /// first appearance when walking users in index order
    pub fn pairs(&self) -> &[(PermissionSetIx, AccountIx)] {
        &self.pairs
    }

    /// The (permission set, account) of a pair
    pub fn pair(&self, pair: PairIx) -> (PermissionSetIx, AccountIx) {
        self.pairs[pair.index()]
    }

    /// Every pair, in order
    pub fn pair_ids(&self) -> impl DoubleEndedIterator<Item = PairIx> + ExactSizeIterator + Clone {
        PairIx::all(self.pairs.len())
    }

    /// Every user, in index order
    pub fn user_ids(&self) -> impl DoubleEndedIterator<Item = UserIx> + ExactSizeIterator + Clone {
        UserIx::all(self.snapshot.users.len())
    }

    /// Every group, in index order
    pub fn group_ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = GroupIx> + ExactSizeIterator + Clone {
        GroupIx::all(self.snapshot.groups.len())
    }

    /// Every permission set, in index order
    pub fn permission_set_ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = PermissionSetIx> + ExactSizeIterator + Clone {
        PermissionSetIx::all(self.snapshot.permission_sets.len())
    }

    /// Every account of the organization, in index order
    pub fn account_ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = AccountIx> + ExactSizeIterator + Clone {
        AccountIx::all(self.accounts().len())
    }

    /// A user
    pub fn user(&self, user: UserIx) -> &crate::snapshot::User {
        &self.snapshot.users[user]
    }

    /// A group
    pub fn group(&self, group: GroupIx) -> &crate::snapshot::Group {
        &self.snapshot.groups[group]
    }

    /// A permission set
    pub fn permission_set(&self, ps: PermissionSetIx) -> &crate::snapshot::PermissionSet {
        &self.snapshot.permission_sets[ps]
    }

    /// An account of the organization
    pub fn account(&self, account: AccountIx) -> &crate::snapshot::Account {
        &self.accounts()[account]
    }

    /// The pairs of a group's assignments (indices into [`Model::pairs`])
    pub fn group_pairs(&self, group: GroupIx) -> &[PairIx] {
        &self.group_pairs[group.index()]
    }

    /// Each of `snapshot().assignments` resolved by id at load; `None` when
    /// its principal, permission set or account is not in the snapshot
    pub fn assignments(&self) -> &[Option<ResolvedAssignment>] {
        &self.assignments
    }

    /// Indices into `snapshot().assignments` of the assignments whose
    /// principal, permission set or account the snapshot does not hold
    pub fn dangling_assignments(&self) -> Vec<usize> {
        (0..self.assignments.len())
            .filter(|&i| self.assignments[i].is_none())
            .collect()
    }

    /// Principal tags of a user from the ABAC mapping (empty when ABAC is off)
    pub fn principal_tags(&self, user: UserIx) -> &BTreeMap<String, String> {
        &self.principal_tags[user.index()]
    }

    /// The tag class of a user: users with equal principal tags share one
    pub fn tag_class(&self, user: UserIx) -> u32 {
        self.tag_class[user.index()]
    }

    /// The ids on an account's path, root first, the account last
    pub fn account_path(&self, account: AccountIx) -> &[String] {
        &self.account_paths[account.index()]
    }

    /// Every way a user reaches an account, with the pair of each (index
    /// into [`Model::pairs`]), in no particular order and each once (the
    /// user's own assignments, then its groups'), expanded on demand
    pub fn access_unsorted(&self, user: UserIx) -> impl Iterator<Item = (Access, PairIx)> + '_ {
        let entry = move |p: PairIx, via: Via| {
            let (permission_set, account) = self.pairs[p.index()];
            (
                Access {
                    account,
                    permission_set,
                    via,
                },
                p,
            )
        };
        // Each list is deduplicated at load, so no entry comes twice.
        let direct = self.user_direct[user.index()]
            .iter()
            .map(move |&p| entry(p, Via::Direct));
        let groups = self.user_groups[user.index()].iter().flat_map(move |&g| {
            self.group_pairs[g.index()]
                .iter()
                .map(move |&p| entry(p, Via::Group(g)))
        });
        direct.chain(groups)
    }

    /// Every way a user reaches an account, with the pair of each (index
    /// into [`Model::pairs`]), sorted by (account, permission set, via)
    pub fn access_with_pairs(&self, user: UserIx) -> Vec<(Access, PairIx)> {
        let mut out: Vec<(Access, PairIx)> = self.access_unsorted(user).collect();
        out.sort_unstable();
        out
    }

    /// Every way a user reaches an account, sorted by (account, permission
    /// set, via)
    pub fn access(&self, user: UserIx) -> Vec<Access> {
        self.access_with_pairs(user)
            .into_iter()
            .map(|(a, _)| a)
            .collect()
    }

    /// Whether a user has any assignment, directly or through a group
    pub fn has_access(&self, user: UserIx) -> bool {
        !self.user_direct[user.index()].is_empty()
            || self.user_groups[user.index()]
                .iter()
                .any(|&g| !self.group_pairs[g.index()].is_empty())
    }

    /// The users of a pair with how they reach it, sorted by (user, via)
    pub fn pair_users(&self, pair: PairIx) -> Vec<(UserIx, Via)> {
        let mut out: Vec<(UserIx, Via)> = self.pair_direct[pair.index()]
            .iter()
            .map(|&u| (u, Via::Direct))
            .collect();
        for &g in &self.pair_groups[pair.index()] {
            out.extend(
                self.group_members[g.index()]
                    .iter()
                    .map(|&u| (u, Via::Group(g))),
            );
        }
        out.sort_unstable();
        out
    }

    /// The distinct users of a pair, in index order
    pub fn pair_user_ids(&self, pair: PairIx) -> Vec<UserIx> {
        let mut out: Vec<UserIx> = self.pair_users(pair).into_iter().map(|(u, _)| u).collect();
        out.dedup();
        out
    }

    /// The tag classes among a pair's users, each with its first user, in
    /// order of first appearance when walking the users in index order;
    /// computed from the groups' classes, without expanding the pair
    pub fn pair_classes(&self, pair: PairIx) -> Vec<(u32, UserIx)> {
        let mut first: rustc_hash::FxHashMap<u32, UserIx> = Default::default();
        let mut see = |c: u32, u: UserIx| {
            first.entry(c).and_modify(|x| *x = (*x).min(u)).or_insert(u);
        };
        for &u in &self.pair_direct[pair.index()] {
            see(self.tag_class[u.index()], u);
        }
        for &g in &self.pair_groups[pair.index()] {
            for &(c, u) in &self.group_classes[g.index()] {
                see(c, u);
            }
        }
        let mut out: Vec<(u32, UserIx)> = first.into_iter().collect();
        out.sort_unstable_by_key(|&(c, u)| (u, c));
        out
    }

    /// The distinct (permission set, account) pairs a user reaches, sorted
    pub fn user_pairs(&self, user: UserIx) -> Vec<(PermissionSetIx, AccountIx)> {
        let mut p: Vec<(PermissionSetIx, AccountIx)> = self
            .access_with_pairs(user)
            .into_iter()
            .map(|(a, _)| (a.permission_set, a.account))
            .collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// Whether a user can sign in
    pub fn user_enabled(&self, user: UserIx) -> bool {
        self.snapshot.users[user].status == UserStatus::Enabled
    }

    /// The role path for the instance's home region
    pub fn role_path(&self) -> String {
        match self
            .snapshot
            .identity_center
            .as_ref()
            .map(|ic| ic.home_region.as_str())
        {
            Some("us-east-1") | None => "/aws-reserved/sso.amazonaws.com/".to_owned(),
            Some(region) => format!("/aws-reserved/sso.amazonaws.com/{region}/"),
        }
    }

    /// The role a permission set provisions in an account
    pub fn provisioned_role(
        &self,
        permission_set: PermissionSetIx,
        account: AccountIx,
    ) -> ProvisionedRole {
        let ps = &self.snapshot.permission_sets[permission_set];
        let account_id = &self.accounts()[account].id;
        let prefix = format!("AWSReservedSSO_{}_", ps.name);
        let from_iam = self
            .snapshot
            .iam
            .iter()
            .find(|a| &a.account_id == account_id)
            .and_then(|a| {
                a.roles.iter().find(|r| {
                    r.name
                        .strip_prefix(&prefix)
                        .is_some_and(|s| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                })
            });
        let path = self.role_path();
        let (name, suffix_known) = match from_iam {
            Some(r) => (r.name.clone(), true),
            None => (
                format!("{prefix}{}", placeholder_suffix(&ps.arn, account_id)),
                false,
            ),
        };
        ProvisionedRole {
            arn: format!("arn:aws:iam::{account_id}:role{path}{name}"),
            name,
            path,
            suffix_known,
        }
    }

    /// How a customer managed reference resolves in an account
    pub fn customer_managed(&self, account: AccountIx, arn: &str) -> &Resolution {
        static UNKNOWN: Resolution = Resolution::Unknown;
        self.customer_managed
            .get(&(account, arn.to_owned()))
            .unwrap_or(&UNKNOWN)
    }

    /// Every policy that bears on a permission set's role in an account:
    /// AWS managed, customer managed (as resolved there), inline, the
    /// boundary, and the account's SCPs
    pub fn policy_set(&self, permission_set: PermissionSetIx, account: AccountIx) -> PolicySet {
        let ps = &self.snapshot.permission_sets[permission_set];
        let account_id = &self.accounts()[account].id;
        let mut identity = Vec::new();
        for arn in &ps.aws_managed_policies {
            if let Some(p) = self.aws_managed.get(arn) {
                identity.push(p.clone());
            }
        }
        for r in &ps.customer_managed_policies {
            if let Resolution::Found(p) = self.customer_managed(account, &r.arn_in(account_id)) {
                identity.push(p.clone());
            }
        }
        if let Some(p) = &self.inline[permission_set.index()] {
            identity.push(p.clone());
        }
        let boundary = match &ps.permissions_boundary {
            Some(Boundary::ManagedPolicyArn(arn)) => self.aws_managed.get(arn).cloned(),
            Some(Boundary::CustomerManaged(r)) => {
                match self.customer_managed(account, &r.arn_in(account_id)) {
                    Resolution::Found(p) => Some(p.clone()),
                    // A boundary that cannot be found allows nothing: the role
                    // cannot even be provisioned.
                    _ => Some(Arc::new(Policy {
                        kind: PolicyKind::Boundary,
                        version: crate::policy::Version::V2012,
                        id: None,
                        statements: Vec::new(),
                    })),
                }
            }
            None => None,
        };
        PolicySet {
            identity,
            boundary,
            session: None,
            resource: None,
            scps: self.scps.get(account.index()).cloned().flatten(),
            rcps: None,
        }
    }

    /// Names of the identity policies of [`Model::policy_set`], in the same
    /// order (for explanations: `identity policy 2` is `labels[2]`)
    pub fn identity_labels(
        &self,
        permission_set: PermissionSetIx,
        account: AccountIx,
    ) -> Vec<String> {
        let ps = &self.snapshot.permission_sets[permission_set];
        let account_id = &self.accounts()[account].id;
        let mut out = Vec::new();
        for arn in &ps.aws_managed_policies {
            if self.aws_managed.contains_key(arn) {
                out.push(format!(
                    "AWS managed {}",
                    arn.rsplit('/').next().unwrap_or(arn)
                ));
            }
        }
        for r in &ps.customer_managed_policies {
            if let Resolution::Found(_) = self.customer_managed(account, &r.arn_in(account_id)) {
                out.push(format!("customer managed {}{}", r.path, r.name));
            }
        }
        if self.inline[permission_set.index()].is_some() {
            out.push(format!("inline policy of {}", ps.name));
        }
        out
    }

    /// The SCPs binding principals of an account (`None` for the management account)
    pub fn policy_set_scps(&self, account: AccountIx) -> Option<Vec<Vec<Arc<Policy>>>> {
        self.scps.get(account.index()).cloned().flatten()
    }

    /// The RCPs of an account (for requests on its resources)
    pub fn rcps_of(&self, account: AccountIx) -> Option<Vec<Vec<Arc<Policy>>>> {
        self.rcps.get(account.index()).cloned().flatten()
    }

    /// Every compiled policy document with a label: AWS managed in use,
    /// customer managed resolved, inline, SCPs/RCPs (for lint)
    pub fn documents(&self) -> Vec<(String, Arc<Policy>)> {
        let mut out: Vec<(String, Arc<Policy>)> = Vec::new();
        let mut aws: Vec<_> = self.aws_managed.iter().collect();
        aws.sort_by(|a, b| a.0.cmp(b.0));
        out.extend(
            aws.into_iter()
                .map(|(k, p)| (format!("AWS managed policy `{k}`"), p.clone())),
        );
        let mut cm: Vec<_> = self
            .customer_managed
            .iter()
            .filter_map(|((_, arn), r)| match r {
                Resolution::Found(p) => Some((arn.clone(), p.clone())),
                _ => None,
            })
            .collect();
        cm.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(
            cm.into_iter()
                .map(|(k, p)| (format!("customer managed policy `{k}`"), p)),
        );
        for (i, p) in self.inline.iter().enumerate() {
            if let Some(p) = p {
                out.push((
                    format!(
                        "inline policy of permission set `{}`",
                        self.snapshot.permission_sets[i].name
                    ),
                    p.clone(),
                ));
            }
        }
        out
    }
}

/// A stable 16-hex placeholder for a role suffix AWS chose at random
fn placeholder_suffix(ps_arn: &str, account: &str) -> String {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in ps_arn.bytes().chain([b'|']).chain(account.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
