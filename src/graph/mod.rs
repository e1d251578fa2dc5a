//! This module compiles a [`Snapshot`] once into the organization model: a
//! petgraph graph of users, groups, permission sets, accounts, OUs and
//! policies, plus the facts AWS derives from them: the role each
//! (permission set, account) pair provisions, its path and session ARNs,
//! customer managed references resolved per account, principal tags per
//! user from the ABAC mapping, and the SCP/RCP path of every account. Every
//! policy document is validated and compiled here, once. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod iam;
mod resource;

pub use iam::{IamKind, IamPrincipal};
pub use resource::{authorized_arn, Found, Owner, ResolvedResource, ResourceTags};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};

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

/// A node of the organization graph
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Identity store user (index into `snapshot.users`)
    User(usize),
    /// Identity store group
    Group(usize),
    /// Permission set
    PermissionSet(usize),
    /// Account (index into `organization.accounts`)
    Account(usize),
    /// Organizational unit
    Ou(usize),
    /// The organization root
    Root,
    /// A policy, by ARN or id
    Policy(String),
}

/// An edge of the organization graph
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// user → group
    MemberOf,
    /// user or group → account, with this permission set
    Assigned(usize),
    /// permission set → policy
    Uses,
    /// parent (root or OU) → child (OU or account)
    Contains,
    /// SCP/RCP → target
    AttachedTo,
}

/// How a user reaches an account
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// A USER assignment
    Direct,
    /// A GROUP assignment to this group (index)
    Group(usize),
}

/// One way a user reaches an account with a permission set
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Access {
    /// Account index
    pub account: usize,
    /// Permission set index
    pub permission_set: usize,
    /// How
    pub via: Via,
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

/// Pairs of `index_pairs`: the pairs, their users, and each access entry's place
type PairIndex = (
    Vec<(usize, usize)>,
    Vec<Vec<(u32, Via)>>,
    Vec<Vec<(u32, u32)>>,
);

/// Groups users' access entries by (permission set, account), so a query
/// evaluates each pair once and fans the answer back out to users
fn index_pairs(access: &[Vec<Access>]) -> PairIndex {
    // Two passes, so each pair's user list is allocated once at its size.
    let mut ids: rustc_hash::FxHashMap<(usize, usize), u32> = Default::default();
    let mut pairs = Vec::new();
    let mut sizes: Vec<u32> = Vec::new();
    let access_pair: Vec<Vec<(u32, u32)>> = access
        .iter()
        .map(|list| {
            list.iter()
                .map(|a| {
                    let key = (a.permission_set, a.account);
                    let p = *ids.entry(key).or_insert_with(|| {
                        pairs.push(key);
                        sizes.push(0);
                        (pairs.len() - 1) as u32
                    });
                    sizes[p as usize] += 1;
                    (p, sizes[p as usize] - 1)
                })
                .collect()
        })
        .collect();
    let mut pair_users: Vec<Vec<(u32, Via)>> = sizes
        .iter()
        .map(|&n| Vec::with_capacity(n as usize))
        .collect();
    for (u, (list, places)) in access.iter().zip(&access_pair).enumerate() {
        for (a, &(p, _)) in list.iter().zip(places) {
            pair_users[p as usize].push((u as u32, a.via));
        }
    }
    (pairs, pair_users, access_pair)
}

/// The compiled organization
#[derive(Debug)]
pub struct Model {
    /// The snapshot it was built from
    pub snapshot: Snapshot,
    /// The graph
    pub graph: DiGraph<Node, Edge>,
    users: HashMap<String, usize>,
    groups: HashMap<String, usize>,
    permission_sets: HashMap<String, usize>,
    accounts: HashMap<String, usize>,
    user_nodes: Vec<NodeIndex>,
    /// Groups of each user (Identity Center groups hold users only: no nesting)
    pub user_groups: Vec<Vec<usize>>,
    /// Members of each group
    pub group_members: Vec<Vec<usize>>,
    /// Accounts each user reaches, sorted
    pub access: Vec<Vec<Access>>,
    /// Every (permission set, account) pair some user reaches, in order of
    /// first appearance when walking users in index order
    pub pairs: Vec<(usize, usize)>,
    /// The users of each pair (parallel to `pairs`), in user index order,
    /// with how they reach it
    pub pair_users: Vec<Vec<(u32, Via)>>,
    /// Parallel to `access`: the pair of each entry and the entry's
    /// position in that pair's `pair_users`
    pub access_pair: Vec<Vec<(u32, u32)>>,
    /// Principal tags of each user from the ABAC mapping (empty when ABAC is off)
    pub principal_tags: Vec<BTreeMap<String, String>>,
    /// Users with equal principal tags share a class: residual conditions
    /// are settled once per class, not once per user
    pub tag_class: Vec<u32>,
    /// Number of distinct tag classes
    pub tag_classes: usize,
    /// Per account: the ids on its path, root first, the account last
    pub account_paths: Vec<Vec<String>>,
    scps: Vec<Option<Vec<Vec<Arc<Policy>>>>>,
    rcps: Vec<Option<Vec<Vec<Arc<Policy>>>>>,
    aws_managed: HashMap<String, Arc<Policy>>,
    inline: Vec<Option<Arc<Policy>>>,
    customer_managed: HashMap<(usize, String), Resolution>,
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

impl Model {
    /// Builds the model
    ///
    /// # Errors
    /// [`ModelError`] for the first policy document that does not compile.
    pub fn build(snapshot: Snapshot) -> Result<Model, ModelError> {
        let mut graph = DiGraph::new();
        let users: HashMap<String, usize> = snapshot
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        let groups: HashMap<String, usize> = snapshot
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.clone(), i))
            .collect();
        let permission_sets: HashMap<String, usize> = snapshot
            .permission_sets
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn.clone(), i))
            .collect();
        let org_accounts = snapshot
            .organization
            .as_ref()
            .map(|o| o.accounts.as_slice())
            .unwrap_or(&[]);
        let accounts: HashMap<String, usize> = org_accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();

        let user_nodes: Vec<NodeIndex> = (0..snapshot.users.len())
            .map(|i| graph.add_node(Node::User(i)))
            .collect();
        let group_nodes: Vec<NodeIndex> = (0..snapshot.groups.len())
            .map(|i| graph.add_node(Node::Group(i)))
            .collect();
        let ps_nodes: Vec<NodeIndex> = (0..snapshot.permission_sets.len())
            .map(|i| graph.add_node(Node::PermissionSet(i)))
            .collect();
        let account_nodes: Vec<NodeIndex> = (0..org_accounts.len())
            .map(|i| graph.add_node(Node::Account(i)))
            .collect();

        let mut user_groups = vec![Vec::new(); snapshot.users.len()];
        let mut group_members = vec![Vec::new(); snapshot.groups.len()];
        for m in &snapshot.memberships {
            if let (Some(&u), Some(&g)) = (users.get(&m.user_id), groups.get(&m.group_id)) {
                user_groups[u].push(g);
                group_members[g].push(u);
                graph.add_edge(user_nodes[u], group_nodes[g], Edge::MemberOf);
            }
        }
        for v in user_groups.iter_mut().chain(group_members.iter_mut()) {
            v.sort_unstable();
            v.dedup();
        }

        let mut access = vec![Vec::new(); snapshot.users.len()];
        for a in &snapshot.assignments {
            let (Some(&acct), Some(&ps)) = (
                accounts.get(&a.account_id),
                permission_sets.get(&a.permission_set_arn),
            ) else {
                continue;
            };
            match a.principal_type {
                PrincipalType::User => {
                    if let Some(&u) = users.get(&a.principal_id) {
                        access[u].push(Access {
                            account: acct,
                            permission_set: ps,
                            via: Via::Direct,
                        });
                        graph.add_edge(user_nodes[u], account_nodes[acct], Edge::Assigned(ps));
                    }
                }
                PrincipalType::Group => {
                    if let Some(&g) = groups.get(&a.principal_id) {
                        for &u in &group_members[g] {
                            access[u].push(Access {
                                account: acct,
                                permission_set: ps,
                                via: Via::Group(g),
                            });
                        }
                        graph.add_edge(group_nodes[g], account_nodes[acct], Edge::Assigned(ps));
                    }
                }
            }
        }
        for v in &mut access {
            v.sort_unstable();
            v.dedup();
        }
        let (pairs, pair_users, access_pair) = index_pairs(&access);

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
        let tag_classes = classes.len();
        drop(classes);

        // The org tree and SCP/RCP paths.
        let mut account_paths = Vec::with_capacity(org_accounts.len());
        let mut scps = Vec::with_capacity(org_accounts.len());
        let mut rcps = Vec::with_capacity(org_accounts.len());
        if let Some(org) = &snapshot.organization {
            let root = graph.add_node(Node::Root);
            let mut ou_nodes = HashMap::new();
            for (i, ou) in org.ous.iter().enumerate() {
                ou_nodes.insert(ou.id.clone(), graph.add_node(Node::Ou(i)));
            }
            let node_of = |id: &str| {
                if id == org.root_id {
                    Some(root)
                } else {
                    ou_nodes.get(id).copied()
                }
            };
            for ou in &org.ous {
                if let (Some(p), Some(&n)) = (node_of(&ou.parent_id), ou_nodes.get(&ou.id)) {
                    graph.add_edge(p, n, Edge::Contains);
                }
            }
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
                let pn = graph.add_node(Node::Policy(p.id.clone()));
                for t in &p.targets {
                    let target = node_of(t).or_else(|| accounts.get(t).map(|&a| account_nodes[a]));
                    if let Some(tn) = target {
                        graph.add_edge(pn, tn, Edge::AttachedTo);
                    }
                }
            }
            for (ai, a) in org.accounts.iter().enumerate() {
                if let Some(p) = node_of(&a.parent_id) {
                    graph.add_edge(p, account_nodes[ai], Edge::Contains);
                }
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
                let pn = graph.add_node(Node::Policy(arn.to_owned()));
                graph.add_edge(ps_nodes[i], pn, Edge::Uses);
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
        for ps in &snapshot.permission_sets {
            let mut refs: Vec<&crate::snapshot::PolicyReference> =
                ps.customer_managed_policies.iter().collect();
            if let Some(Boundary::CustomerManaged(r)) = &ps.permissions_boundary {
                refs.push(r);
            }
            if refs.is_empty() {
                continue;
            }
            let mut targets: Vec<usize> = snapshot
                .assignments
                .iter()
                .filter(|a| a.permission_set_arn == ps.arn)
                .filter_map(|a| accounts.get(&a.account_id).copied())
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
        let scps_of = |acct: usize| scps.get(acct).cloned().flatten();
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
            graph,
            users,
            groups,
            permission_sets,
            accounts,
            user_nodes,
            user_groups,
            group_members,
            access,
            pairs,
            pair_users,
            access_pair,
            principal_tags,
            tag_class,
            tag_classes,
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
    pub fn find_user(&self, key: &str) -> Option<usize> {
        if let Some(&i) = self.users.get(key) {
            return Some(i);
        }
        if let Some(i) = self.snapshot.users.iter().position(|u| {
            u.user_name.eq_ignore_ascii_case(key)
                || u.emails.iter().any(|e| e.value.eq_ignore_ascii_case(key))
        }) {
            return Some(i);
        }
        // `alice` for `alice@example.com`, when only one user has that local part.
        let mut local = self.snapshot.users.iter().enumerate().filter(|(_, u)| {
            u.user_name
                .split('@')
                .next()
                .is_some_and(|l| l.eq_ignore_ascii_case(key))
        });
        match (local.next(), local.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }

    /// A group by id or name
    pub fn find_group(&self, key: &str) -> Option<usize> {
        if let Some(&i) = self.groups.get(key) {
            return Some(i);
        }
        self.snapshot
            .groups
            .iter()
            .position(|g| g.name.eq_ignore_ascii_case(key))
    }

    /// An account by its id only
    pub fn find_account_id(&self, id: &str) -> Option<usize> {
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
    pub fn find_account(&self, key: &str) -> Option<usize> {
        if let Some(&i) = self.accounts.get(key) {
            return Some(i);
        }
        self.accounts()
            .iter()
            .position(|a| a.name.eq_ignore_ascii_case(key))
    }

    /// A permission set by ARN, `ps-` id or name
    pub fn find_permission_set(&self, key: &str) -> Option<usize> {
        if let Some(&i) = self.permission_sets.get(key) {
            return Some(i);
        }
        self.snapshot
            .permission_sets
            .iter()
            .position(|p| p.short_id() == key || p.name.eq_ignore_ascii_case(key))
    }

    /// The graph node of a user
    pub fn user_node(&self, user: usize) -> NodeIndex {
        self.user_nodes[user]
    }

    /// The distinct (permission set, account) pairs a user reaches, sorted
    pub fn user_pairs(&self, user: usize) -> Vec<(usize, usize)> {
        let mut p: Vec<(usize, usize)> = self.access[user]
            .iter()
            .map(|a| (a.permission_set, a.account))
            .collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// Whether a user can sign in
    pub fn user_enabled(&self, user: usize) -> bool {
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
    pub fn provisioned_role(&self, permission_set: usize, account: usize) -> ProvisionedRole {
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
    pub fn customer_managed(&self, account: usize, arn: &str) -> &Resolution {
        static UNKNOWN: Resolution = Resolution::Unknown;
        self.customer_managed
            .get(&(account, arn.to_owned()))
            .unwrap_or(&UNKNOWN)
    }

    /// Every policy that bears on a permission set's role in an account:
    /// AWS managed, customer managed (as resolved there), inline, the
    /// boundary, and the account's SCPs
    pub fn policy_set(&self, permission_set: usize, account: usize) -> PolicySet {
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
        if let Some(p) = &self.inline[permission_set] {
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
            scps: self.scps.get(account).cloned().flatten(),
            rcps: None,
        }
    }

    /// Names of the identity policies of [`Model::policy_set`], in the same
    /// order (for explanations: `identity policy 2` is `labels[2]`)
    pub fn identity_labels(&self, permission_set: usize, account: usize) -> Vec<String> {
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
        if self.inline[permission_set].is_some() {
            out.push(format!("inline policy of {}", ps.name));
        }
        out
    }

    /// The SCPs binding principals of an account (`None` for the management account)
    pub fn policy_set_scps(&self, account: usize) -> Option<Vec<Vec<Arc<Policy>>>> {
        self.scps.get(account).cloned().flatten()
    }

    /// The RCPs of an account (for requests on its resources)
    pub fn rcps_of(&self, account: usize) -> Option<Vec<Vec<Arc<Policy>>>> {
        self.rcps.get(account).cloned().flatten()
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
