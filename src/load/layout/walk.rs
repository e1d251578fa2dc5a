//! The export's walk, written once: which files an export holds for which
//! ids (the tree from the roots, a permission set's seven files, the
//! (account, permission set) pairs, an application's two files...). A
//! [`Source`] gives each file: `import` reads it from the folder, `collect`
//! makes its [`Call`] and writes the answer. So the two cannot disagree on
//! what an export is; they differ only where a [`Source::FOLDER`] reads what
//! is on disk (the per-id folders) where collect follows what it found.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use futures_util::future::{try_join, try_join5};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{
    paths, AbacConfig, AccessApplicationEntry, AccountAssignments, Accounts,
    ApplicationAssignments, ApplicationEntry, AssignmentConfiguration, AuthorizationDetails,
    BoundaryOfSet, CustomerManagedInSet, DelegatedAdministrators, DescribeOrganization,
    DescribePermissionSet, DescribePolicy, Entitlements, File, GroupMemberships, Groups,
    InlinePolicyOfSet, InstanceEntry, Instances, ManagedPoliciesInSet, OusForParent,
    ProvisionedAccounts, Roots, Tags, Targets, Users,
};
use crate::snapshot::CollectionError;

/// The AWS call whose answer a file is (the arguments are ids and ARNs)
#[derive(Debug, Clone, Copy)]
#[cfg_attr(
    not(feature = "live"),
    allow(dead_code, reason = "collect makes the calls; import only names them")
)]
pub(crate) enum Call<'a> {
    /// organizations describe-organization
    DescribeOrganization,
    /// organizations list-roots
    ListRoots,
    /// organizations list-organizational-units-for-parent (parent)
    ListOusForParent(&'a str),
    /// organizations list-accounts-for-parent (parent)
    ListAccountsForParent(&'a str),
    /// organizations list-accounts
    ListAccounts,
    /// organizations list-tags-for-resource (account)
    ListAccountTags(&'a str),
    /// organizations list-policies (policy type)
    ListPolicies(&'static str),
    /// organizations describe-policy (policy id)
    DescribePolicy(&'a str),
    /// organizations list-targets-for-policy (policy id)
    ListTargetsForPolicy(&'a str),
    /// organizations list-delegated-administrators (for sso.amazonaws.com)
    ListDelegatedAdministrators,
    /// sso-admin list-instances
    ListInstances,
    /// sso-admin describe-instance-access-control-attribute-configuration
    /// (instance)
    DescribeAbac(&'a str),
    /// sso-admin list-permission-sets (instance)
    ListPermissionSets(&'a str),
    /// One of a permission set's calls (instance, permission set)
    OfSet(SetCall, &'a str, &'a str),
    /// sso-admin list-permission-sets-provisioned-to-account (instance,
    /// account)
    ListSetsProvisionedToAccount(&'a str, &'a str),
    /// sso-admin list-account-assignments (instance, account, permission
    /// set)
    ListAccountAssignments(&'a str, &'a str, &'a str),
    /// sso-admin list-applications (instance)
    ListApplications(&'a str),
    /// One of an application's calls (application)
    OfApplication(AppCall, &'a str),
    /// account-access list-applications
    ListAccessApplications,
    /// account-access list-entitlements (application)
    ListEntitlements(&'a str),
    /// identitystore list-users (identity store)
    ListUsers(&'a str),
    /// identitystore list-groups (identity store)
    ListGroups(&'a str),
    /// identitystore list-group-memberships (identity store, group)
    ListGroupMemberships(&'a str, &'a str),
    /// iam get-account-authorization-details (account, the management
    /// account)
    GetAccountAuthorizationDetails(&'a str, Option<&'a str>),
}

/// A permission set's calls
#[derive(Debug, Clone, Copy)]
pub(crate) enum SetCall {
    /// describe-permission-set
    Describe,
    /// list-managed-policies-in-permission-set
    ManagedPolicies,
    /// list-customer-managed-policy-references-in-permission-set
    CustomerManaged,
    /// get-inline-policy-for-permission-set
    InlinePolicy,
    /// get-permissions-boundary-for-permission-set
    Boundary,
    /// list-tags-for-resource
    Tags,
    /// list-accounts-for-provisioned-permission-set
    ProvisionedAccounts,
}

/// An Identity Center application's calls
#[derive(Debug, Clone, Copy)]
pub(crate) enum AppCall {
    /// get-application-assignment-configuration
    AssignmentConfiguration,
    /// list-application-assignments
    Assignments,
}

#[cfg_attr(
    not(feature = "live"),
    allow(dead_code, reason = "collect records failed calls; import reads them")
)]
impl Call<'_> {
    /// Its name in `errors.json`
    pub(crate) fn operation(&self) -> String {
        use Call as C;
        let name = match self {
            C::DescribeOrganization => "organizations:DescribeOrganization",
            C::ListRoots => "organizations:ListRoots",
            C::ListOusForParent(_) => "organizations:ListOrganizationalUnitsForParent",
            C::ListAccountsForParent(_) => "organizations:ListAccountsForParent",
            C::ListAccounts => "organizations:ListAccounts",
            C::ListAccountTags(_) => "organizations:ListTagsForResource",
            C::ListPolicies(kind) => return format!("organizations:ListPolicies({kind})"),
            C::DescribePolicy(_) => "organizations:DescribePolicy",
            C::ListTargetsForPolicy(_) => "organizations:ListTargetsForPolicy",
            C::ListDelegatedAdministrators => "organizations:ListDelegatedAdministrators",
            C::ListInstances => "sso:ListInstances",
            C::DescribeAbac(_) => "sso:DescribeInstanceAccessControlAttributeConfiguration",
            C::ListPermissionSets(_) => "sso:ListPermissionSets",
            C::OfSet(call, ..) => match call {
                SetCall::Describe => "sso:DescribePermissionSet",
                SetCall::ManagedPolicies => "sso:ListManagedPoliciesInPermissionSet",
                SetCall::CustomerManaged => {
                    "sso:ListCustomerManagedPolicyReferencesInPermissionSet"
                }
                SetCall::InlinePolicy => "sso:GetInlinePolicyForPermissionSet",
                SetCall::Boundary => "sso:GetPermissionsBoundaryForPermissionSet",
                SetCall::Tags => "sso:ListTagsForResource",
                SetCall::ProvisionedAccounts => "sso:ListAccountsForProvisionedPermissionSet",
            },
            C::ListSetsProvisionedToAccount(..) => "sso:ListPermissionSetsProvisionedToAccount",
            C::ListAccountAssignments(..) => "sso:ListAccountAssignments",
            C::ListApplications(_) => "sso:ListApplications",
            C::OfApplication(AppCall::AssignmentConfiguration, _) => {
                "sso:GetApplicationAssignmentConfiguration"
            }
            C::OfApplication(AppCall::Assignments, _) => "sso:ListApplicationAssignments",
            C::ListAccessApplications => "account-access:ListApplications",
            C::ListEntitlements(_) => "account-access:ListEntitlements",
            C::ListUsers(_) => "identitystore:ListUsers",
            C::ListGroups(_) => "identitystore:ListGroups",
            C::ListGroupMemberships(..) => "identitystore:ListGroupMemberships",
            C::GetAccountAuthorizationDetails(..) => "iam:GetAccountAuthorizationDetails",
        };
        name.to_owned()
    }

    /// The account a failure is recorded against
    pub(crate) fn account(&self) -> Option<&str> {
        match *self {
            Call::ListAccountTags(a)
            | Call::ListSetsProvisionedToAccount(_, a)
            | Call::ListAccountAssignments(_, a, _)
            | Call::GetAccountAuthorizationDetails(a, _) => Some(a),
            _ => None,
        }
    }

    /// The message a failure is recorded with: an application's calls name
    /// the application ([`failed_for_application`] reads it back)
    pub(crate) fn failure(&self, message: String) -> String {
        match *self {
            Call::OfApplication(_, app) | Call::ListEntitlements(app) => {
                format!("application {}: {message}", paths::last(app))
            }
            _ => message,
        }
    }
}

/// Whether `errors` records a failed call of the application `id` (as
/// [`Call::failure`] and the export script write it): its files are then
/// not recorded, not missing
pub(crate) fn failed_for_application(errors: &[CollectionError], id: &str) -> bool {
    let prefix = format!("application {id}:");
    errors.iter().any(|e| e.message.starts_with(&prefix))
}

/// What an absent file means when reading a folder (collect records the
/// failed call instead, whatever the need)
#[derive(Debug, Clone, Copy)]
pub(crate) enum Need<'a> {
    /// Nothing: the part is absent
    Optional,
    /// An error: the layout requires the file
    Required,
    /// An error with this message: what listed the item needs it
    Listed(&'static str),
    /// Not recorded when `errors.json` records a failed call of this
    /// application, an error otherwise
    UnlessFailed(&'a str),
}

/// Where the walk's files come from
pub(crate) trait Source {
    /// What stops the walk
    type Error;

    /// Whether this is an export folder: the ids of per-id folders (group
    /// memberships, IAM, account assignments) are then what [`Source::list`]
    /// finds on disk, and the identity store's and the applications' files
    /// are read even when no Identity Center instance is listed (a folder
    /// can hold them; the calls need the instance)
    const FOLDER: bool;

    /// The file: read, or the answer of `call` (written); `None` when it
    /// is absent, the call failed (recorded) or the answer is "none"
    async fn get<T>(
        &self,
        file: File<T>,
        call: Call<'_>,
        need: Need<'_>,
    ) -> Result<Option<T>, Self::Error>
    where
        T: Serialize + DeserializeOwned + 'static;

    /// The ids on disk under `folder`: sub-folders, or `*.json` stems
    /// (only called when [`Source::FOLDER`])
    fn list(&self, folder: &str, folders: bool) -> Result<Vec<String>, Self::Error>;

    /// `job` for each item of the `phase`: the jobs' results, in any order
    /// (one after the other, unless the source runs them side by side)
    async fn each<I, R, F, Fut>(
        &self,
        phase: &str,
        items: Vec<I>,
        job: F,
    ) -> Result<Vec<R>, Self::Error>
    where
        F: Fn(I) -> Fut,
        Fut: Future<Output = Result<R, Self::Error>>,
    {
        let _ = phase;
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(job(i).await?);
        }
        Ok(out)
    }
}

/// Runs a walk over a source that never waits (a folder's files are
/// read, not awaited): its result, in one poll; `None` if it waited
pub(crate) fn without_waiting<F: Future>(walk: F) -> Option<F::Output> {
    let mut walk = std::pin::pin!(walk);
    match walk
        .as_mut()
        .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
    {
        std::task::Poll::Ready(out) => Some(out),
        std::task::Poll::Pending => None,
    }
}

/// The organization's tree as walked: the parent of each OU and account,
/// the name of each OU
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// Parent by OU or account id
    pub(crate) parent: BTreeMap<String, String>,
    /// Name by OU id
    pub(crate) name: BTreeMap<String, String>,
}

/// The organization's files
pub(crate) struct OrgFiles {
    /// describe-organization
    pub(crate) describe: DescribeOrganization,
    /// list-roots
    pub(crate) roots: Option<Roots>,
    /// list-organizational-units-for-parent, by parent
    pub(crate) ous: Vec<(String, OusForParent)>,
    /// list-accounts-for-parent, by parent
    pub(crate) accounts_for_parent: Vec<(String, Accounts)>,
    /// list-accounts
    pub(crate) accounts: Option<Accounts>,
    /// account tags, by account
    pub(crate) tags: BTreeMap<String, Tags>,
    /// Each listed policy of an enabled type: its type, description and
    /// targets
    pub(crate) policies: Vec<(&'static str, DescribePolicy, Targets)>,
    /// list-delegated-administrators
    pub(crate) delegated: Option<DelegatedAdministrators>,
}

/// A permission set's files
pub(crate) struct SetFiles {
    /// Its ARN
    pub(crate) arn: String,
    /// describe-permission-set
    pub(crate) describe: Option<DescribePermissionSet>,
    /// list-managed-policies-in-permission-set
    pub(crate) managed: Option<ManagedPoliciesInSet>,
    /// list-customer-managed-policy-references-in-permission-set
    pub(crate) customer_managed: Option<CustomerManagedInSet>,
    /// get-inline-policy-for-permission-set
    pub(crate) inline: Option<InlinePolicyOfSet>,
    /// get-permissions-boundary-for-permission-set
    pub(crate) boundary: Option<BoundaryOfSet>,
    /// list-tags-for-resource
    pub(crate) tags: Option<Tags>,
    /// list-accounts-for-provisioned-permission-set
    pub(crate) provisioned: Option<ProvisionedAccounts>,
}

/// Identity Center's files, of the organization instance
pub(crate) struct SsoFiles {
    /// The instance
    pub(crate) instance: InstanceEntry,
    /// describe-instance-access-control-attribute-configuration
    pub(crate) abac: Option<AbacConfig>,
    /// Each listed permission set's files
    pub(crate) sets: Vec<SetFiles>,
    /// list-account-assignments, of every pair
    pub(crate) assignments: Vec<AccountAssignments>,
}

/// An Identity Center application and its two files
pub(crate) type AppFiles = (
    ApplicationEntry,
    Option<AssignmentConfiguration>,
    Option<ApplicationAssignments>,
);

/// An export's files, as the walk found them
#[derive(Default)]
pub(crate) struct Export {
    /// The organization (`None`: describe-organization absent)
    pub(crate) organization: Option<OrgFiles>,
    /// list-instances
    pub(crate) instances: Option<Instances>,
    /// Identity Center, when list-instances names the organization instance
    pub(crate) sso: Option<SsoFiles>,
    /// The applications (`None`: sso-admin list-applications absent)
    pub(crate) applications: Option<Vec<AppFiles>>,
    /// Account access manager's applications and their entitlements
    /// (`None`: account-access list-applications absent)
    pub(crate) access: Option<Vec<(AccessApplicationEntry, Option<Entitlements>)>>,
    /// list-users
    pub(crate) users: Option<Users>,
    /// list-groups
    pub(crate) groups: Option<Groups>,
    /// list-group-memberships, by group
    pub(crate) memberships: Vec<(String, GroupMemberships)>,
    /// get-account-authorization-details, by account
    pub(crate) iam: Vec<(String, AuthorizationDetails)>,
}

/// Walks the export: the organization and its tree first, then its
/// policies, Identity Center (permission sets, the assignments of the pairs
/// `scope` keeps, applications), the identity store, the IAM of the
/// active accounts in scope (none without `iam`) and account access manager side
/// by side (each API has its own quota)
///
/// # Errors
/// The source's.
pub(crate) async fn walk<S: Source>(
    src: &S,
    scope: impl Fn(&Tree, &Accounts) -> Vec<String>,
    iam: bool,
) -> Result<Export, S::Error> {
    let (mut organization, tree) = organization(src).await?;
    let management = organization
        .as_ref()
        .map(|o| o.describe.organization.master_account_id.clone());
    let accounts = organization.as_ref().and_then(|o| o.accounts.clone());
    let scoped = accounts.as_ref().map_or_else(Vec::new, |a| scope(&tree, a));
    let instances = src
        .get(paths::INSTANCES, Call::ListInstances, Need::Optional)
        .await?;
    let instance = instances
        .as_ref()
        .and_then(|i| i.organization_instance(management.as_deref()))
        .cloned();
    let policies = async {
        match (&organization, accounts.as_ref()) {
            (Some(o), Some(a)) => organization_policies(src, a, o.roots.as_ref())
                .await
                .map(Some),
            _ => Ok(None),
        }
    };
    let sso = async {
        let sso = match &instance {
            Some(i) => Some(identity_center(src, i.clone(), &scoped).await?),
            None => None,
        };
        let arn = instance.as_ref().map(|i| i.instance_arn.as_str());
        let apps = match arn.or(S::FOLDER.then_some("")) {
            Some(arn) => applications(src, arn).await?,
            None => None,
        };
        Ok((sso, apps))
    };
    let store = async {
        match instance.as_ref().map(|i| i.identity_store_id.as_str()) {
            Some(id) => identity_store(src, id).await,
            None if S::FOLDER => identity_store(src, "").await,
            None => Ok((None, None, Vec::new())),
        }
    };
    let iam = async {
        let accounts = if S::FOLDER {
            src.list(paths::IAM, true)?
        } else if iam {
            let all = accounts.iter().flat_map(|a| &a.0);
            let active: BTreeSet<&str> = all
                .filter(|a| a.is_active())
                .map(|a| a.id.as_str())
                .collect();
            scoped
                .iter()
                .filter(|id| active.contains(id.as_str()))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let management = management.as_deref();
        src.each("IAM of each account", accounts, |account| async move {
            let file = paths::iam(&account);
            let call = Call::GetAccountAuthorizationDetails(&account, management);
            let got = src.get(file, call, Need::Optional).await?;
            Ok(got.map(|d| (account.clone(), d)))
        })
        .await
    };
    let access = account_access(src);
    let (policies, (sso, applications), (users, groups, memberships), iam, access) =
        try_join5(policies, sso, store, iam, access).await?;
    if let (Some(o), Some((tags, policies, delegated))) = (&mut organization, policies) {
        (o.tags, o.policies, o.delegated) = (tags, policies, delegated);
    }
    Ok(Export {
        organization,
        instances,
        sso,
        applications,
        access,
        users,
        groups,
        memberships,
        iam: iam.into_iter().flatten().collect(),
    })
}

/// The organization, its root and its tree of OUs and accounts, one level
/// at a time
async fn organization<S: Source>(src: &S) -> Result<(Option<OrgFiles>, Tree), S::Error> {
    let mut tree = Tree::default();
    let describe = src.get(
        paths::ORGANIZATION,
        Call::DescribeOrganization,
        Need::Optional,
    );
    let Some(describe) = describe.await? else {
        return Ok((None, tree));
    };
    let roots = src
        .get(paths::ROOTS, Call::ListRoots, Need::Required)
        .await?;
    let mut level: Vec<String> = roots
        .iter()
        .flat_map(|r| &r.0)
        .map(|r| r.id.clone())
        .collect();
    let (mut ous, mut accounts_for_parent) = (Vec::new(), Vec::new());
    let mut seen = BTreeSet::new();
    while !level.is_empty() {
        seen.extend(level.iter().cloned());
        let found = src.each("organization tree", level, |parent| async move {
            let file = paths::OUS_FOR_PARENT.file(&parent);
            let children = src.get(file, Call::ListOusForParent(&parent), Need::Optional);
            let file = paths::ACCOUNTS_FOR_PARENT.file(&parent);
            let accounts = src.get(file, Call::ListAccountsForParent(&parent), Need::Optional);
            let (children, accounts) = try_join(children, accounts).await?;
            Ok((parent, children, accounts))
        });
        level = Vec::new();
        for (parent, children, accounts) in found.await? {
            if let Some(children) = children {
                for u in &children.0 {
                    tree.parent.insert(u.id.clone(), parent.clone());
                    tree.name.insert(u.id.clone(), u.name.clone());
                    level.push(u.id.clone());
                }
                ous.push((parent.clone(), children));
            }
            if let Some(accounts) = accounts {
                for a in &accounts.0 {
                    tree.parent.insert(a.id.clone(), parent.clone());
                }
                accounts_for_parent.push((parent, accounts));
            }
        }
        level.sort();
        level.dedup();
        level.retain(|id| !seen.contains(id));
    }
    let accounts = src.get(paths::ACCOUNTS, Call::ListAccounts, Need::Required);
    let files = OrgFiles {
        describe,
        roots,
        ous,
        accounts_for_parent,
        accounts: accounts.await?,
        tags: BTreeMap::new(),
        policies: Vec::new(),
        delegated: None,
    };
    Ok((Some(files), tree))
}

type OrgPolicies = (
    BTreeMap<String, Tags>,
    Vec<(&'static str, DescribePolicy, Targets)>,
    Option<DelegatedAdministrators>,
);

/// The account tags, the policies of the types enabled on the root with
/// their targets, and the delegated administrators
async fn organization_policies<S: Source>(
    src: &S,
    accounts: &Accounts,
    roots: Option<&Roots>,
) -> Result<OrgPolicies, S::Error> {
    let ids: Vec<String> = accounts.0.iter().map(|a| a.id.clone()).collect();
    let tags = src.each("account tags", ids, |id| async move {
        let file = paths::ACCOUNT_TAGS.file(&id);
        let got = src
            .get(file, Call::ListAccountTags(&id), Need::Optional)
            .await?;
        Ok(got.map(|t| (id.clone(), t)))
    });
    let tags = tags.await?.into_iter().flatten().collect();
    let mut policies = Vec::new();
    for kind in roots.map(Roots::enabled_policy_types).unwrap_or_default() {
        let file = paths::POLICIES.file(kind);
        let list = src
            .get(file, Call::ListPolicies(kind), Need::Optional)
            .await?;
        let ids = list.map_or_else(Vec::new, |l| l.0.into_iter().map(|p| p.id).collect());
        let found = src.each("organization policies", ids, |pid| async move {
            let file = paths::POLICY.file(&pid);
            let desc = src
                .get(file, Call::DescribePolicy(&pid), Need::Required)
                .await?;
            let file = paths::TARGETS.file(&pid);
            let need = Need::Listed("missing: every listed policy needs its targets");
            let targets = src
                .get(file, Call::ListTargetsForPolicy(&pid), need)
                .await?;
            Ok(desc.zip(targets).map(|(d, t)| (kind, d, t)))
        });
        policies.extend(found.await?.into_iter().flatten());
    }
    let call = Call::ListDelegatedAdministrators;
    let delegated = src.get(paths::DELEGATED, call, Need::Optional).await?;
    Ok((tags, policies, delegated))
}

/// Identity Center: ABAC, the permission sets with their files, and the
/// assignments of the pairs provisioned in scope (what is on disk, for a
/// folder)
async fn identity_center<S: Source>(
    src: &S,
    instance: InstanceEntry,
    scoped: &[String],
) -> Result<SsoFiles, S::Error> {
    let arn = instance.instance_arn.as_str();
    let abac = src.get(paths::ABAC, Call::DescribeAbac(arn), Need::Optional);
    let abac = abac.await?;
    let listed = src.get(
        paths::PERMISSION_SETS,
        Call::ListPermissionSets(arn),
        Need::Required,
    );
    let listed = listed.await?;
    let arns = listed.as_ref().map_or_else(Vec::new, |l| l.0.clone());
    let sets = src.each("permission sets", arns.clone(), |ps| async move {
        let call = |c| Call::OfSet(c, arn, &ps);
        let opt = Need::Optional;
        Ok(SetFiles {
            describe: src
                .get(paths::of_arn(&ps), call(SetCall::Describe), Need::Required)
                .await?,
            managed: src
                .get(paths::of_arn(&ps), call(SetCall::ManagedPolicies), opt)
                .await?,
            customer_managed: src
                .get(paths::of_arn(&ps), call(SetCall::CustomerManaged), opt)
                .await?,
            inline: src
                .get(paths::of_arn(&ps), call(SetCall::InlinePolicy), opt)
                .await?,
            boundary: src
                .get(paths::of_arn(&ps), call(SetCall::Boundary), opt)
                .await?,
            tags: src
                .get(paths::of_arn(&ps), call(SetCall::Tags), opt)
                .await?,
            provisioned: src
                .get(paths::of_arn(&ps), call(SetCall::ProvisionedAccounts), opt)
                .await?,
            arn: ps.clone(),
        })
    });
    let mut sets = sets.await?;
    sets.sort_by_key(|s| arns.iter().position(|a| *a == s.arn));
    let pairs = if S::FOLDER {
        let mut pairs = Vec::new();
        for account in src.list(paths::ASSIGNMENTS, true)? {
            let folder = paths::assignments_of(&account);
            for set in src.list(folder.rel(), false)? {
                pairs.push((account.clone(), set));
            }
        }
        pairs
    } else {
        // The other half of the plan: the sets provisioned to each account.
        let sets_of = src.each(
            "provisioned permission sets",
            scoped.to_vec(),
            |a| async move {
                let file = paths::PROVISIONED_TO.file(&a);
                let call = Call::ListSetsProvisionedToAccount(arn, &a);
                let got = src.get(file, call, Need::Optional).await?;
                Ok(got.map(|g| (a.clone(), g.0)))
            },
        );
        let sets_of = sets_of.await?.into_iter().flatten().collect();
        let accounts_of = sets
            .iter()
            .filter_map(|s| Some((s.arn.clone(), s.provisioned.as_ref()?.0.clone())))
            .collect();
        plan(scoped, &arns, &accounts_of, &sets_of)
    };
    let assignments = src.each("account assignments", pairs, |(account, ps)| async move {
        let file = paths::assignments(&account, &ps);
        let call = Call::ListAccountAssignments(arn, &account, &ps);
        src.get(file, call, Need::Required).await
    });
    let assignments = assignments.await?.into_iter().flatten().collect();
    Ok(SsoFiles {
        instance,
        abac,
        sets,
        assignments,
    })
}

/// The (account, permission set) pairs whose assignments are listed: those
/// either listing names as provisioned, and, where both listings failed,
/// the pair itself (nothing is known, so nothing is assumed)
pub(crate) fn plan(
    accounts: &[String],
    sets: &[String],
    accounts_of: &BTreeMap<String, Vec<String>>,
    sets_of: &BTreeMap<String, Vec<String>>,
) -> Vec<(String, String)> {
    let in_scope: BTreeSet<&String> = accounts.iter().collect();
    let mut pairs = BTreeSet::new();
    for (account, list) in sets_of {
        pairs.extend(
            list.iter()
                .filter(|s| sets.contains(s))
                .map(|s| (account.clone(), s.clone())),
        );
    }
    for (set, list) in accounts_of {
        pairs.extend(
            list.iter()
                .filter(|a| in_scope.contains(a))
                .map(|a| (a.clone(), set.clone())),
        );
    }
    for account in accounts.iter().filter(|a| !sets_of.contains_key(*a)) {
        for set in sets.iter().filter(|s| !accounts_of.contains_key(*s)) {
            pairs.insert((account.clone(), set.clone()));
        }
    }
    pairs.into_iter().collect()
}

/// Identity Center applications, each with its assignment configuration
/// and assignments; `None` when not listed
async fn applications<S: Source>(
    src: &S,
    instance: &str,
) -> Result<Option<Vec<AppFiles>>, S::Error> {
    let call = Call::ListApplications(instance);
    let Some(apps) = src.get(paths::APPLICATIONS, call, Need::Optional).await? else {
        return Ok(None);
    };
    let found = src.each("applications", apps.0, |a| async move {
        let (arn, id) = (a.application_arn.as_str(), paths::last(&a.application_arn));
        let call = |c| Call::OfApplication(c, arn);
        let need = Need::UnlessFailed(id);
        let config = src.get(
            paths::of_arn(arn),
            call(AppCall::AssignmentConfiguration),
            need,
        );
        let config = config.await?;
        let assignments = src.get(paths::of_arn(arn), call(AppCall::Assignments), need);
        let assignments = assignments.await?;
        Ok((a, config, assignments))
    });
    found.await.map(Some)
}

/// Account access manager: its applications (absent: not used) and each
/// one's entitlements
async fn account_access<S: Source>(
    src: &S,
) -> Result<Option<Vec<(AccessApplicationEntry, Option<Entitlements>)>>, S::Error> {
    let listing = paths::ACCESS_APPLICATIONS;
    let Some(apps) = src
        .get(listing, Call::ListAccessApplications, Need::Optional)
        .await?
    else {
        return Ok(None);
    };
    let found = src.each("account access manager", apps.0, |a| async move {
        let id = paths::last(&a.application_arn);
        let call = Call::ListEntitlements(&a.application_arn);
        let got = src.get(paths::ENTITLEMENTS.file(id), call, Need::UnlessFailed(id));
        let got = got.await?;
        Ok((a, got))
    });
    found.await.map(Some)
}

type StoreFiles = (
    Option<Users>,
    Option<Groups>,
    Vec<(String, GroupMemberships)>,
);

/// The identity store: users (with the enterprise extension), groups and
/// each group's members
async fn identity_store<S: Source>(src: &S, store: &str) -> Result<StoreFiles, S::Error> {
    let users = src.get(paths::USERS, Call::ListUsers(store), Need::Optional);
    let users = users.await?;
    let groups = src.get(paths::GROUPS, Call::ListGroups(store), Need::Optional);
    let groups = groups.await?;
    let ids = if S::FOLDER {
        src.list(paths::MEMBERSHIPS.rel(), false)?
    } else {
        groups
            .iter()
            .flat_map(|g| &g.0)
            .map(|g| g.group_id.clone())
            .collect()
    };
    let members = src.each("group memberships", ids, |gid| async move {
        let file = paths::MEMBERSHIPS.file(&gid);
        let call = Call::ListGroupMemberships(store, &gid);
        let got = src.get(file, call, Need::Required).await?;
        Ok(got.map(|m| (gid.clone(), m)))
    });
    let members = members.await?.into_iter().flatten().collect();
    Ok((users, groups, members))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use std::cell::RefCell;
    use std::path::{Path, PathBuf};

    use super::super::ImportError;
    use super::*;

    /// The walk as collect makes it (following the ids the answers name),
    /// answered from an export folder, recording what it asked for
    struct Answers {
        dir: PathBuf,
        asked: RefCell<BTreeSet<String>>,
    }

    impl Source for Answers {
        type Error = ImportError;
        const FOLDER: bool = false;

        async fn get<T>(
            &self,
            file: File<T>,
            _: Call<'_>,
            _: Need<'_>,
        ) -> Result<Option<T>, ImportError>
        where
            T: Serialize + DeserializeOwned + 'static,
        {
            self.asked.borrow_mut().insert(file.rel().to_owned());
            file.read(&self.dir)
        }

        fn list(&self, folder: &str, _: bool) -> Result<Vec<String>, ImportError> {
            panic!("collect's walk never lists a folder ({folder})")
        }
    }

    fn files(dir: &Path, rel: &str, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir.join(rel)).unwrap() {
            let e = e.unwrap();
            let name = format!("{rel}{}", e.file_name().to_string_lossy());
            if e.path().is_dir() {
                files(dir, &format!("{name}/"), out);
            } else {
                out.insert(name);
            }
        }
    }

    #[test]
    fn collect_s_walk_asks_for_every_file_the_export_script_wrote() {
        for fixture in ["acme", "cookbook"] {
            let dir =
                Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/{fixture}/export"));
            let src = Answers {
                dir: dir.clone(),
                asked: RefCell::default(),
            };
            let all = |_: &Tree, a: &Accounts| a.0.iter().map(|a| a.id.clone()).collect();
            let got = without_waiting(walk(&src, all, true));
            got.expect("a folder's answers never wait").unwrap();
            let mut on_disk = BTreeSet::new();
            files(&dir, "", &mut on_disk);
            // Not answers of a call: written by the script (meta, errors) or
            // by hand (resources).
            for own in ["meta.json", "errors.json", "resources.json"] {
                on_disk.remove(own);
            }
            let asked = src.asked.take();
            let missed: Vec<_> = on_disk.difference(&asked).collect();
            assert!(
                missed.is_empty(),
                "{fixture}: collect would not fetch {missed:?}"
            );
            // What it asks for beyond them is what the script does not write
            // (the call plan's other half), an answer of "none" (no file), or
            // the answer of a call errors.json records as failed.
            let failed: Vec<String> =
                super::super::read::<super::super::Errors>(&dir, "errors.json")
                    .unwrap()
                    .map_or_else(Vec::new, |e| {
                        e.0.into_iter().filter_map(|e| e.account_id).collect()
                    });
            let none = [
                "sso-admin/list-permission-sets-provisioned-to-account/",
                "get-permissions-boundary-for-permission-set.json",
                "describe-instance-access-control-attribute-configuration.json",
                "account-access/list-applications.json",
            ];
            for extra in asked.difference(&on_disk) {
                let recorded = failed.iter().any(|a| *extra == paths::iam(a).rel());
                assert!(
                    recorded || none.iter().any(|n| extra.contains(n)),
                    "{fixture}: asks for {extra}, which the export script does not write"
                );
            }
        }
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn the_plan_lists_provisioned_pairs_and_assumes_nothing_where_both_listings_failed() {
        let accounts = s(&["111", "222", "333"]);
        let sets = s(&["ps-a", "ps-b"]);
        // ps-a is provisioned to 222; 111 has ps-b; 333's listing failed and
        // so did ps-b's: only (333, ps-b) is unknown.
        let accounts_of = BTreeMap::from([("ps-a".to_owned(), s(&["222", "999"]))]);
        let sets_of = BTreeMap::from([
            ("111".to_owned(), s(&["ps-b"])),
            ("222".to_owned(), s(&["ps-a"])),
        ]);
        let got = plan(&accounts, &sets, &accounts_of, &sets_of);
        let want: Vec<(String, String)> = [("111", "ps-b"), ("222", "ps-a"), ("333", "ps-b")]
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        assert_eq!(
            got, want,
            "999 is out of scope; 1,000 x 500 pairs are never listed blindly"
        );
    }
}
