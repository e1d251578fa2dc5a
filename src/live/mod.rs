//! Live collection (`accessgraph collect`, feature `live`): reads an
//! organization through the official AWS SDK with read-only calls and writes
//! the answers as the export layout's types ([`crate::load::layout`]), which
//! the importer reads, so a live collection and an import of the same
//! organization give the same snapshot.
//!
//! - **Call plan.** Assignments are listed only for provisioned (account,
//!   permission set) pairs, from ListAccountsForProvisionedPermissionSet and
//!   ListPermissionSetsProvisionedToAccount, not for every account x set.
//! - **Paced.** Every request (each page) waits for its API's client-side
//!   rate ([`RATES`]); the SDK's adaptive retry absorbs throttling left over.
//! - **Checkpointed.** Every file is written atomically when its call
//!   completes; `resume` reads a complete file back instead of calling again.
//! - A call that fails (AccessDenied on one account, an operation the
//!   endpoint does not implement) is recorded with its account and operation
//!   ([`Run::file`]) and the rest goes on; the caller reports a partial
//!   snapshot.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::load::layout::{self as l, paths, Document};
use crate::snapshot::CollectionError;

/// What to collect and how
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// A profile of the shared AWS config (`aws configure sso` ones work)
    pub profile: Option<String>,
    /// The Identity Center home region (default: the profile's)
    pub region: Option<String>,
    /// Talk to this endpoint instead of AWS (a local fake AWS)
    pub endpoint_url: Option<String>,
    /// Skip the per-account IAM data
    pub no_iam: bool,
    /// The role assumed in member accounts for IAM data
    pub member_role: String,
    /// Only these accounts (ids or names); empty = all
    pub accounts: Vec<String>,
    /// Only accounts below these OUs (ids or names); empty = all
    pub ous: Vec<String>,
    /// Calls in flight at once
    pub concurrency: usize,
    /// Attempts per call (adaptive retry on throttling); 1 = no retry
    pub max_attempts: u32,
    /// Continue an interrupted collection in the same folder: files
    /// complete on disk are read, not fetched again
    pub resume: bool,
}

/// The APIs, each paced on its own
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// AWS Organizations
    Organizations,
    /// IAM Identity Center (sso-admin)
    SsoAdmin,
    /// The Identity Store
    IdentityStore,
    /// STS (AssumeRole into member accounts)
    Sts,
    /// AWS account access manager (`account-access`)
    AccountAccess,
    /// IAM (its quota is per account: one GetAccountAuthorizationDetails
    /// per account is not paced)
    Iam,
}

/// Requests per second per API: IAM Identity Center's documented
/// collective throttle of 20 TPS for sso-admin (the same figure applied to
/// the Identity Store, which the quotas page groups with it); Organizations
/// publishes no read rate, 10/s; STS's documented 600 requests per second
/// per account, kept at 100; account access manager publishes no rate, 10/s
pub const RATES: [(Api, f64); 5] = [
    (Api::Organizations, 10.0),
    (Api::SsoAdmin, 20.0),
    (Api::IdentityStore, 20.0),
    (Api::Sts, 100.0),
    (Api::AccountAccess, 10.0),
];

/// A steady pace: each request takes the next slot
struct Pace {
    api: Api,
    interval: Duration,
    next: Mutex<Instant>,
}

/// What one collection did
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The calls that failed
    pub errors: Vec<CollectionError>,
    /// Requests sent (each page counts)
    pub requests: usize,
    /// Files read back from an earlier, interrupted run
    pub reused: usize,
}

/// Shared state of one collection
struct Run {
    dir: PathBuf,
    resume: bool,
    errors: Mutex<Vec<CollectionError>>,
    paces: Vec<Pace>,
    requests: AtomicUsize,
    reused: AtomicUsize,
    concurrency: usize,
    bars: indicatif::MultiProgress,
}

/// A failed collection step that stops everything (a file of the export
/// cannot be written)
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// Writing the export folder failed
    #[error("failed to write {path}: {source}")]
    Write {
        /// The file
        path: String,
        /// Why
        source: std::io::Error,
    },
}

type Fetched<T> = Result<Option<T>, String>;

impl Run {
    /// Waits for `api`'s next slot and counts the request
    async fn pace(&self, api: Api) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let Some(p) = self.paces.iter().find(|p| p.api == api) else {
            return;
        };
        let at = match p.next.lock() {
            Ok(mut next) => {
                let at = (*next).max(Instant::now());
                *next = at + p.interval;
                at
            }
            Err(_) => return,
        };
        tokio::time::sleep_until(at.into()).await;
    }

    /// The one shape of every call: the export `file`, read back when
    /// resuming and complete on disk; otherwise `fetch`ed and written
    /// atomically. A failed call is recorded (account, operation, message)
    /// and gives `None`, as does a call whose answer is "none" (`Ok(None)`:
    /// no boundary, ABAC never configured), which writes no file.
    async fn file<T, F>(
        &self,
        file: l::File<T>,
        account: Option<&str>,
        operation: impl AsRef<str>,
        fetch: F,
    ) -> Result<Option<T>, CollectError>
    where
        T: Serialize + DeserializeOwned,
        F: Future<Output = Fetched<T>>,
    {
        if let Some(v) = self.resumed(&file) {
            return Ok(Some(v));
        }
        match fetch.await {
            Err(message) => {
                self.failed(account, operation.as_ref(), message);
                Ok(None)
            }
            Ok(None) => Ok(None),
            Ok(Some(v)) => self.write(&file, &v).map(|()| Some(v)),
        }
    }

    /// The `file`, when resuming and it is complete on disk (counted)
    fn resumed<T: DeserializeOwned>(&self, file: &l::File<T>) -> Option<T> {
        if !self.resume {
            return None;
        }
        let v = file.read(&self.dir).ok().flatten()?;
        self.reused.fetch_add(1, Ordering::Relaxed);
        Some(v)
    }

    /// Records a failed call
    fn failed(&self, account: Option<&str>, operation: &str, message: String) {
        if let Ok(mut e) = self.errors.lock() {
            e.push(CollectionError {
                account_id: account.map(str::to_owned),
                operation: operation.to_owned(),
                message,
            });
        }
    }

    fn write<T: Serialize>(&self, file: &l::File<T>, v: &T) -> Result<(), CollectError> {
        let path = self.dir.join(file.rel());
        let err = |source| CollectError::Write {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        let text = serde_json::to_string_pretty(v).map_err(|e| err(e.into()))?;
        crate::load::write_atomic(&path, &text).map_err(|e| match e {
            crate::load::LoadError::Io { error, .. } => err(error),
            crate::load::LoadError::Snapshot { .. } => err(std::io::Error::other(e.to_string())),
        })
    }

    /// Runs `job` for every item, `concurrency` at a time, with a progress
    /// bar of counts and an ETA: the jobs' results, in the order they
    /// completed; stops at the first write failure
    async fn each<I, R, F, Fut>(
        &self,
        phase: &str,
        items: Vec<I>,
        job: F,
    ) -> Result<Vec<R>, CollectError>
    where
        F: Fn(I) -> Fut,
        Fut: Future<Output = Result<R, CollectError>>,
    {
        let bar = self
            .bars
            .add(indicatif::ProgressBar::new(items.len() as u64));
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "collect: {msg:<26} {wide_bar} {pos}/{len} ({per_sec}, ETA {eta})",
        ) {
            bar.set_style(style);
        }
        bar.set_message(phase.to_owned());
        let result = stream::iter(items)
            .map(|i| {
                let f = job(i);
                let bar = &bar;
                async move {
                    let r = f.await;
                    bar.inc(1);
                    r
                }
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await;
        bar.finish_and_clear();
        result
    }
}

fn sdk_message<E: std::error::Error>(e: &E) -> String {
    // The SDK's display of the whole error chain: service code and message,
    // never credentials.
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Every page of a paginated request, each paced: `$more` of each `$page`
/// says whether another follows; or the items of each page's `$field`
macro_rules! pages {
    ($run:expr, $api:expr, $req:expr, |$page:ident| $more:expr) => {{
        let mut pages = $req.into_paginator().send();
        loop {
            $run.pace($api).await;
            match pages.next().await {
                None => break Ok(()),
                Some(Err(e)) => break Err(sdk_message(&e)),
                Some(Ok($page)) => {
                    if !$more {
                        break Ok(());
                    }
                }
            }
        }
    }};
    ($run:expr, $api:expr, $req:expr, $field:ident) => {{
        let mut out = Vec::new();
        pages!($run, $api, $req, |page| {
            out.extend(page.$field().iter().cloned());
            !page.next_token().is_none_or(str::is_empty)
        })
        .map(|()| out)
    }};
}

/// One paced request
macro_rules! call {
    ($run:expr, $api:expr, $req:expr) => {{
        $run.pace($api).await;
        $req.send().await
    }};
}

/// A paginated listing into its file: every page's `$field`, converted
/// into the layout's listing `$wrap`; `named` puts the application in a
/// failure's message (the importer then reads that part as not recorded)
macro_rules! list {
    ($run:expr, $api:expr, $rel:expr, $account:expr, $op:expr $(, named $id:expr)?; $req:expr => $field:ident as $wrap:path) => {
        $run.file($rel, $account, $op, async {
            let items = pages!($run, $api, $req, $field);
            $(let items = items.map_err(|m| format!("application {}: {m}", $id));)?
            Ok(Some($wrap(items?.iter().map(Into::into).collect())))
        })
    };
}

/// One request into its file: `$make` of the answer `$out` (`None`: no
/// file); `named` as for [`list!`]; `absent:` when the service's
/// ResourceNotFoundException means "none" (no boundary, ABAC never
/// configured), not a failure
macro_rules! get {
    ($run:expr, $api:expr, $rel:expr, $account:expr, $op:expr $(, named $id:expr)?; $req:expr => |$out:ident| $make:expr) => {
        $run.file($rel, $account, $op, async {
            let got = call!($run, $api, $req).map_err(|e| sdk_message(&e));
            $(let got = got.map_err(|m| format!("application {}: {m}", $id));)?
            let $out = got?;
            Ok($make)
        })
    };
    (absent: $run:expr, $api:expr, $rel:expr, $op:expr; $req:expr => |$out:ident| $make:expr) => {
        $run.file($rel, None, $op, async {
            match call!($run, $api, $req) {
                Err(e) if e.as_service_error().is_some_and(|s| s.is_resource_not_found_exception()) => Ok(None),
                Err(e) => Err(sdk_message(&e)),
                Ok($out) => Ok($make),
            }
        })
    };
}

async fn sdk_config(o: &CollectOptions) -> SdkConfig {
    let retry = if o.max_attempts <= 1 {
        RetryConfig::disabled()
    } else {
        RetryConfig::adaptive().with_max_attempts(o.max_attempts)
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry);
    if let Some(p) = &o.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &o.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(u) = &o.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    loader.load().await
}

/// Collects into `dir` (the export layout)
///
/// # Errors
/// A file of the export cannot be written.
pub async fn collect_export(
    o: &CollectOptions,
    dir: &Path,
    quiet: bool,
) -> Result<Outcome, CollectError> {
    let conf = sdk_config(o).await;
    let run = Run {
        dir: dir.to_path_buf(),
        resume: o.resume,
        errors: Mutex::new(Vec::new()),
        paces: RATES
            .iter()
            .map(|&(api, rate)| Pace {
                api,
                interval: Duration::from_secs_f64(1.0 / rate),
                next: Mutex::new(Instant::now()),
            })
            .collect(),
        requests: AtomicUsize::new(0),
        reused: AtomicUsize::new(0),
        concurrency: o.concurrency.max(1),
        bars: indicatif::MultiProgress::with_draw_target(if quiet {
            indicatif::ProgressDrawTarget::hidden()
        } else {
            indicatif::ProgressDrawTarget::stderr()
        }),
    };
    if !(o.resume && dir.join(paths::META.rel()).exists()) {
        let region = conf
            .region()
            .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
        run.write(
            &paths::META,
            &l::Meta {
                region,
                exported_at: chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string(),
                cli_version: Some(format!(
                    "accessgraph-collect/{} (aws-sdk-rust)",
                    env!("CARGO_PKG_VERSION")
                )),
                identity_source: None,
                portal_custom_subdomain: None,
                mfa_present: None,
            },
        )?;
    }
    let org = aws_sdk_organizations::Client::new(&conf);
    let (accounts, roots, tree, management) = organization(&run, &org).await?;
    let scoped = scope(o, &tree, &accounts);
    let sso = aws_sdk_ssoadmin::Client::new(&conf);
    let instance = instance(&run, &sso, management.as_deref()).await?;
    // Each API has its own quota: the phases run side by side.
    let sso_phase = async {
        match &instance {
            Some(inst) => {
                identity_center(&run, &sso, &inst.instance_arn, &scoped).await?;
                applications(&run, &sso, &inst.instance_arn).await
            }
            None => Ok(()),
        }
    };
    let aa = aws_sdk_accountaccess::Client::new(&conf);
    let access_phase = account_access(&run, &aa);
    let ids_phase = async {
        match &instance {
            Some(inst) => {
                let ids = aws_sdk_identitystore::Client::new(&conf);
                identity_store(&run, &ids, &inst.identity_store_id).await
            }
            None => Ok(()),
        }
    };
    let iam_phase = async {
        if o.no_iam {
            return Ok(());
        }
        run.each("IAM of each account", scoped.clone(), |account| {
            iam_of(&run, &conf, account, &o.member_role, management.as_deref())
        })
        .await
        .map(drop)
    };
    let policies_phase = organization_policies(&run, &org, &accounts, &roots);
    tokio::try_join!(
        policies_phase,
        sso_phase,
        ids_phase,
        iam_phase,
        access_phase
    )?;
    let errors = run.errors.lock().map(|e| e.clone()).unwrap_or_default();
    run.write(&paths::ERRORS, &l::Errors(errors.clone()))?;
    Ok(Outcome {
        errors,
        requests: run.requests.load(Ordering::Relaxed),
        reused: run.reused.load(Ordering::Relaxed),
    })
}

/// The organization's tree as walked: the parent of each OU and account,
/// the name of each OU
#[derive(Debug, Default)]
struct Tree {
    parent: BTreeMap<String, String>,
    name: BTreeMap<String, String>,
}

/// The organization, its root and its tree of OUs and accounts. Gives the
/// accounts, the root, the tree and the management account.
async fn organization(
    run: &Run,
    org: &aws_sdk_organizations::Client,
) -> Result<(l::Accounts, l::Roots, Tree, Option<String>), CollectError> {
    let api = Api::Organizations;
    let desc = get!(run, api, paths::ORGANIZATION, None, "organizations:DescribeOrganization";
        org.describe_organization() => |o| o.organization().map(|o| l::DescribeOrganization { organization: o.into() }));
    let Some(desc) = desc.await? else {
        return Ok((
            l::Accounts::default(),
            l::Roots::default(),
            Tree::default(),
            None,
        ));
    };
    let roots = list!(run, api, paths::ROOTS, None, "organizations:ListRoots";
        org.list_roots() => roots as l::Roots);
    let roots = roots.await?.unwrap_or_default();
    // The tree, one level at a time.
    let mut level: Vec<String> = roots.0.iter().map(|r| r.id.clone()).collect();
    let mut tree = Tree::default();
    while !level.is_empty() {
        let found = run.each("organization tree", level, |parent| async move {
            let ous = list!(run, api, paths::OUS_FOR_PARENT.file(&parent), None, "organizations:ListOrganizationalUnitsForParent";
                org.list_organizational_units_for_parent().parent_id(&parent) => organizational_units as l::OusForParent);
            let accounts = list!(run, api, paths::ACCOUNTS_FOR_PARENT.file(&parent), None, "organizations:ListAccountsForParent";
                org.list_accounts_for_parent().parent_id(&parent) => accounts as l::Accounts);
            let (ous, accounts) = (ous.await?, accounts.await?);
            Ok((parent, ous.unwrap_or_default(), accounts.unwrap_or_default()))
        });
        level = Vec::new();
        for (parent, ous, accounts) in found.await? {
            for u in ous.0 {
                tree.parent.insert(u.id.clone(), parent.clone());
                tree.name.insert(u.id.clone(), u.name);
                level.push(u.id);
            }
            for a in accounts.0 {
                tree.parent.insert(a.id, parent.clone());
            }
        }
        level.sort();
    }
    let accounts = list!(run, api, paths::ACCOUNTS, None, "organizations:ListAccounts";
        org.list_accounts() => accounts as l::Accounts);
    let accounts = accounts.await?.unwrap_or_default();
    Ok((
        accounts,
        roots,
        tree,
        Some(desc.organization.master_account_id),
    ))
}

/// The organization's account tags, policies of the types enabled on the
/// root with their targets, and delegated administrators
async fn organization_policies(
    run: &Run,
    org: &aws_sdk_organizations::Client,
    accounts: &l::Accounts,
    roots: &l::Roots,
) -> Result<(), CollectError> {
    let api = Api::Organizations;
    let ids: Vec<String> = accounts.0.iter().map(|a| a.id.clone()).collect();
    run.each("account tags", ids, |id| async move {
        list!(run, api, paths::ACCOUNT_TAGS.file(&id), Some(&id), "organizations:ListTagsForResource";
            org.list_tags_for_resource().resource_id(&id) => tags as l::Tags)
        .await
        .map(drop)
    })
    .await?;
    for kind in roots.enabled_policy_types() {
        let filter = aws_sdk_organizations::types::PolicyType::from(kind);
        let list = list!(run, api, paths::POLICIES.file(kind), None, format!("organizations:ListPolicies({kind})");
            org.list_policies().filter(filter) => policies as l::Policies);
        let ids = list
            .await?
            .unwrap_or_default()
            .0
            .into_iter()
            .map(|p| p.id)
            .collect();
        run.each("organization policies", ids, |pid| async move {
            get!(run, api, paths::POLICY.file(&pid), None, "organizations:DescribePolicy";
                org.describe_policy().policy_id(&pid) => |d| d.policy().map(|p| l::DescribePolicy { policy: p.into() })).await?;
            list!(run, api, paths::TARGETS.file(&pid), None, "organizations:ListTargetsForPolicy";
                org.list_targets_for_policy().policy_id(&pid) => targets as l::Targets).await.map(drop)
        })
        .await?;
    }
    list!(run, api, paths::DELEGATED, None, "organizations:ListDelegatedAdministrators";
        org.list_delegated_administrators().service_principal("sso.amazonaws.com") => delegated_administrators as l::DelegatedAdministrators).await?;
    Ok(())
}

/// The accounts the scope keeps: by id or name, and below the OUs named
fn scope(o: &CollectOptions, tree: &Tree, accounts: &l::Accounts) -> Vec<String> {
    let (parents, names) = (&tree.parent, &tree.name);
    let named =
        |p: &String, x: &String| x == p || names.get(p).is_some_and(|n| n.eq_ignore_ascii_case(x));
    let under = |id: &str| {
        let mut cur = parents.get(id);
        while let Some(p) = cur {
            if o.ous.iter().any(|x| named(p, x)) {
                return true;
            }
            cur = parents.get(p);
        }
        false
    };
    let chosen = |a: &&l::AccountEntry| {
        let name = a.name.as_str();
        (o.accounts.is_empty()
            || o.accounts
                .iter()
                .any(|x| *x == a.id || x.eq_ignore_ascii_case(name)))
            && (o.ous.is_empty() || under(&a.id))
    };
    accounts
        .0
        .iter()
        .filter(chosen)
        .map(|a| a.id.clone())
        .collect()
}

/// The organization's Identity Center instance
async fn instance(
    run: &Run,
    sso: &aws_sdk_ssoadmin::Client,
    management: Option<&str>,
) -> Result<Option<l::InstanceEntry>, CollectError> {
    let instances = list!(run, Api::SsoAdmin, paths::INSTANCES, None, "sso:ListInstances";
        sso.list_instances() => instances as l::Instances);
    let instances = instances.await?.unwrap_or_default();
    Ok(instances.organization_instance(management).cloned())
}

/// Identity Center: ABAC, the permission sets with their policies, and the
/// assignments of the provisioned pairs in scope
async fn identity_center(
    run: &Run,
    sso: &aws_sdk_ssoadmin::Client,
    arn: &str,
    scoped: &[String],
) -> Result<(), CollectError> {
    let api = Api::SsoAdmin;
    get!(absent: run, api, paths::ABAC, "sso:DescribeInstanceAccessControlAttributeConfiguration";
        sso.describe_instance_access_control_attribute_configuration().instance_arn(arn)
        => |c| Some(l::AbacConfig::from(&c)))
    .await?;
    let sets = list!(run, api, paths::PERMISSION_SETS, None, "sso:ListPermissionSets";
        sso.list_permission_sets().instance_arn(arn) => permission_sets as l::PermissionSetArns);
    let sets = sets.await?.unwrap_or_default().0;

    // Each set's files, and the accounts it is provisioned to.
    let accounts_of = run.each("permission sets", sets.clone(), |ps| {
        async move {
            let ps = ps.as_str();
            get!(run, api, paths::of_arn(ps), None, "sso:DescribePermissionSet";
                sso.describe_permission_set().instance_arn(arn).permission_set_arn(ps)
                => |d| d.permission_set().map(|p| l::DescribePermissionSet { permission_set: p.into() })).await?;
            list!(run, api, paths::of_arn(ps), None, "sso:ListManagedPoliciesInPermissionSet";
                sso.list_managed_policies_in_permission_set().instance_arn(arn).permission_set_arn(ps)
                => attached_managed_policies as l::ManagedPoliciesInSet).await?;
            list!(run, api, paths::of_arn(ps), None, "sso:ListCustomerManagedPolicyReferencesInPermissionSet";
                sso.list_customer_managed_policy_references_in_permission_set().instance_arn(arn).permission_set_arn(ps)
                => customer_managed_policy_references as l::CustomerManagedInSet).await?;
            get!(run, api, paths::of_arn(ps), None, "sso:GetInlinePolicyForPermissionSet";
                sso.get_inline_policy_for_permission_set().instance_arn(arn).permission_set_arn(ps)
                => |i| Some(l::InlinePolicyOfSet { inline_policy: i.inline_policy().filter(|t| !t.trim().is_empty()).map(Document::text) })).await?;
            get!(absent: run, api, paths::of_arn(ps), "sso:GetPermissionsBoundaryForPermissionSet";
                sso.get_permissions_boundary_for_permission_set().instance_arn(arn).permission_set_arn(ps)
                => |b| b.permissions_boundary().map(|b| l::BoundaryOfSet { permissions_boundary: Some(b.into()) })).await?;
            list!(run, api, paths::of_arn(ps), None, "sso:ListTagsForResource";
                sso.list_tags_for_resource().instance_arn(arn).resource_arn(ps) => tags as l::Tags).await?;
            let provisioned = list!(run, api, paths::of_arn(ps), None, "sso:ListAccountsForProvisionedPermissionSet";
                sso.list_accounts_for_provisioned_permission_set().instance_arn(arn).permission_set_arn(ps) => account_ids as l::ProvisionedAccounts);
            Ok(provisioned.await?.map(|p| (ps.to_owned(), p.0)))
        }
    });
    let accounts_of: BTreeMap<_, _> = accounts_of.await?.into_iter().flatten().collect();

    // The other half of the plan: the sets provisioned to each account.
    let sets_of = run.each("provisioned permission sets", scoped.to_vec(), |account| async move {
        let got = list!(run, api, paths::PROVISIONED_TO.file(&account), Some(&account), "sso:ListPermissionSetsProvisionedToAccount";
            sso.list_permission_sets_provisioned_to_account().instance_arn(arn).account_id(&account) => permission_sets as l::ProvisionedSets);
        Ok(got.await?.map(|g| (account, g.0)))
    });
    let sets_of: BTreeMap<_, _> = sets_of.await?.into_iter().flatten().collect();
    let pairs = plan(scoped, &sets, &accounts_of, &sets_of);
    run.each("account assignments", pairs, |(account, ps)| async move {
        list!(run, api, paths::assignments(&account, &ps), Some(&account), "sso:ListAccountAssignments";
            sso.list_account_assignments().instance_arn(arn).account_id(&account).permission_set_arn(&ps)
            => account_assignments as l::AccountAssignments).await.map(drop)
    })
    .await
    .map(drop)
}

/// Identity Center applications, each with its assignment configuration
/// and assignments
async fn applications(
    run: &Run,
    sso: &aws_sdk_ssoadmin::Client,
    arn: &str,
) -> Result<(), CollectError> {
    let api = Api::SsoAdmin;
    let apps = list!(run, api, paths::APPLICATIONS, None, "sso:ListApplications";
        sso.list_applications().instance_arn(arn) => applications as l::Applications);
    let arns: Vec<String> = apps
        .await?
        .unwrap_or_default()
        .0
        .into_iter()
        .map(|a| a.application_arn)
        .collect();
    run.each("applications", arns, |app| async move {
        let id = paths::last(&app);
        get!(run, api, paths::of_arn(&app), None, "sso:GetApplicationAssignmentConfiguration", named id;
            sso.get_application_assignment_configuration().application_arn(&app)
            => |c| Some(l::AssignmentConfiguration { assignment_required: c.assignment_required() })).await?;
        list!(run, api, paths::of_arn(&app), None, "sso:ListApplicationAssignments", named id;
            sso.list_application_assignments().application_arn(&app) => application_assignments as l::ApplicationAssignments).await.map(drop)
    })
    .await
    .map(drop)
}

/// AWS account access manager: its applications (no file when there are
/// none: not used) and each one's entitlements
async fn account_access(run: &Run, aa: &aws_sdk_accountaccess::Client) -> Result<(), CollectError> {
    let api = Api::AccountAccess;
    let apps = run.file(
        paths::ACCESS_APPLICATIONS,
        None,
        "account-access:ListApplications",
        async {
            let list = pages!(run, api, aa.list_applications(), applications)?;
            Ok((!list.is_empty())
                .then(|| l::AccessApplications(list.iter().map(Into::into).collect())))
        },
    );
    let arns: Vec<String> = apps
        .await?
        .unwrap_or_default()
        .0
        .into_iter()
        .map(|a| a.application_arn)
        .collect();
    // ListEntitlements requires a filter; an empty principalRole filter is
    // meant to match every entitlement.
    use aws_sdk_accountaccess::types::{EntitlementFilter, PrincipalRoleEntitlementFilter};
    let every = EntitlementFilter::builder()
        .principal_role(PrincipalRoleEntitlementFilter::builder().build())
        .build();
    run.each("account access manager", arns, |app| {
        let every = every.clone();
        async move {
            list!(run, api, paths::ENTITLEMENTS.file(paths::last(&app)), None, "account-access:ListEntitlements", named paths::last(&app);
                aa.list_entitlements().application_arn(&app).filter(every) => entitlements as l::Entitlements).await.map(drop)
        }
    })
    .await
    .map(drop)
}

/// The (account, permission set) pairs whose assignments are listed: those
/// either listing names as provisioned, and, where both listings failed,
/// the pair itself (nothing is known, so nothing is assumed)
pub fn plan(
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

/// The identity store: users (with the enterprise extension), groups and
/// each group's members
async fn identity_store(
    run: &Run,
    ids: &aws_sdk_identitystore::Client,
    store: &str,
) -> Result<(), CollectError> {
    let api = Api::IdentityStore;
    list!(run, api, paths::USERS, None, "identitystore:ListUsers";
        ids.list_users().identity_store_id(store).extensions("aws:identitystore:enterprise") => users as l::Users).await?;
    let groups = list!(run, api, paths::GROUPS, None, "identitystore:ListGroups";
        ids.list_groups().identity_store_id(store) => groups as l::Groups);
    let gids = groups
        .await?
        .unwrap_or_default()
        .0
        .into_iter()
        .map(|g| g.group_id)
        .collect();
    run.each("group memberships", gids, |gid| async move {
        let members = run.file(
            paths::MEMBERSHIPS.file(&gid),
            None,
            "identitystore:ListGroupMemberships",
            async {
                let req = ids
                    .list_group_memberships()
                    .identity_store_id(store)
                    .group_id(&gid);
                let list = pages!(run, api, req, group_memberships)?;
                Ok(Some(l::GroupMemberships(
                    list.iter().filter_map(l::MembershipEntry::of).collect(),
                )))
            },
        );
        members.await.map(drop)
    })
    .await
    .map(drop)
}

/// One account's IAM: the caller's own credentials in the management
/// account, the member role elsewhere
async fn iam_of(
    run: &Run,
    conf: &SdkConfig,
    account: String,
    role: &str,
    management: Option<&str>,
) -> Result<(), CollectError> {
    let file = paths::iam(&account);
    // The AssumeRole before the call is for this file too.
    if run.resumed(&file).is_some() {
        return Ok(());
    }
    let iam_conf = if management == Some(account.as_str()) {
        aws_sdk_iam::config::Builder::from(conf).build()
    } else {
        let sts = aws_sdk_sts::Client::new(conf);
        let req = sts
            .assume_role()
            .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
            .role_session_name("accessgraph-collect");
        let assumed = call!(run, Api::Sts, req);
        let creds = match assumed.as_ref().map(|out| out.credentials()) {
            Ok(Some(c)) => aws_sdk_iam::config::Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                Some(c.session_token().to_owned()),
                None,
                "accessgraph-assumed-role",
            ),
            failed => {
                let message =
                    failed.map_or_else(sdk_message, |_| "no credentials in the answer".into());
                run.failed(Some(&account), "sts:AssumeRole", message);
                return Ok(());
            }
        };
        aws_sdk_iam::config::Builder::from(conf)
            .credentials_provider(creds)
            .build()
    };
    let iam = aws_sdk_iam::Client::from_conf(iam_conf);
    use aws_sdk_iam::types::EntityType::{Group, LocalManagedPolicy, Role, User};
    let req = iam
        .get_account_authorization_details()
        .filter(User)
        .filter(Role);
    let req = req.filter(Group).filter(LocalManagedPolicy);
    let details = run.file(
        file,
        Some(&account),
        "iam:GetAccountAuthorizationDetails",
        async {
            let mut d = l::AuthorizationDetails::default();
            pages!(run, Api::Iam, req, |page| {
                d.add(&page);
                page.is_truncated()
            })?;
            Ok(Some(d))
        },
    );
    details.await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

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
