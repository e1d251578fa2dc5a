//! Live collection (`accessgraph collect`, feature `live`): the export's
//! walk (the one `import` makes over a folder) over the AWS APIs, through
//! the official AWS SDK with read-only calls: each file is its call's
//! answer as the export layout's type ([`crate::load::layout`]), which the
//! importer reads, so a live collection and an import of the same
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
//!   (`Collector::get`) and the rest goes on; the caller reports a partial
//!   snapshot.

use std::any::Any;
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

use crate::load::layout::walk::{self, AppCall, Call, Need, SetCall, Source};
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
/// A paginated listing's answer: every page's `$field`, converted into
/// the layout's listing `$wrap`
macro_rules! list {
    ($run:expr, $api:expr; $req:expr => $field:ident as $wrap:path) => {
        pages!($run, $api, $req, $field)
            .map(|items| Some(boxed($wrap(items.iter().map(Into::into).collect()))))
    };
}

/// One request's answer: `$make` of the answer `$out` (`None`: no file);
/// `absent:` when the service's ResourceNotFoundException means "none" (no
/// boundary, ABAC never configured), not a failure
macro_rules! get {
    ($run:expr, $api:expr; $req:expr => |$out:ident| $make:expr) => {
        match call!($run, $api, $req) {
            Err(e) => Err(sdk_message(&e)),
            Ok($out) => Ok($make.map(boxed)),
        }
    };
    (absent: $run:expr, $api:expr; $req:expr => |$out:ident| $make:expr) => {
        match call!($run, $api, $req) {
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(sdk_message(&e)),
            Ok($out) => Ok($make.map(boxed)),
        }
    };
}

/// A call's answer, typed as its file's when the walk takes it
type Answer = Fetched<Box<dyn Any>>;

fn boxed<T: Any>(v: T) -> Box<dyn Any> {
    Box::new(v)
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
    let collector = Collector {
        org: aws_sdk_organizations::Client::new(&conf),
        sso: aws_sdk_ssoadmin::Client::new(&conf),
        ids: aws_sdk_identitystore::Client::new(&conf),
        aa: aws_sdk_accountaccess::Client::new(&conf),
        conf,
        role: &o.member_role,
        run,
    };
    walk::walk(
        &collector,
        |tree, accounts| scope(o, tree, accounts),
        !o.no_iam,
    )
    .await?;
    let run = collector.run;
    let errors = run.errors.lock().map(|e| e.clone()).unwrap_or_default();
    run.write(&paths::ERRORS, &l::Errors(errors.clone()))?;
    Ok(Outcome {
        errors,
        requests: run.requests.load(Ordering::Relaxed),
        reused: run.reused.load(Ordering::Relaxed),
    })
}

/// The accounts the scope keeps: by id or name, and below the OUs named
fn scope(o: &CollectOptions, tree: &walk::Tree, accounts: &l::Accounts) -> Vec<String> {
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

/// The export's walk over the AWS APIs: each file is its call's answer,
/// read back instead when resuming and complete on disk
struct Collector<'a> {
    run: Run,
    org: aws_sdk_organizations::Client,
    sso: aws_sdk_ssoadmin::Client,
    ids: aws_sdk_identitystore::Client,
    aa: aws_sdk_accountaccess::Client,
    conf: SdkConfig,
    role: &'a str,
}

impl Source for Collector<'_> {
    type Error = CollectError;
    const FOLDER: bool = false;

    /// The one shape of every call: the `file` read back when resuming and
    /// complete on disk; otherwise the call's answer, written atomically.
    /// A failed call is recorded (account, operation, message) and gives
    /// `None`, as does an answer of "none", which writes no file.
    async fn get<T>(
        &self,
        file: l::File<T>,
        call: Call<'_>,
        _: Need<'_>,
    ) -> Result<Option<T>, CollectError>
    where
        T: Serialize + DeserializeOwned + 'static,
    {
        if let Some(v) = self.run.resumed(&file) {
            return Ok(Some(v));
        }
        let typed = |v: Box<dyn Any>| match v.downcast::<T>() {
            Ok(v) => Ok(*v),
            Err(_) => Err(format!("internal: the answer is not of {}", file.rel())),
        };
        match self
            .fetch(call)
            .await
            .and_then(|v| v.map(typed).transpose())
        {
            Err(message) => {
                let message = call.failure(message);
                self.run.failed(call.account(), &call.operation(), message);
                Ok(None)
            }
            Ok(None) => Ok(None),
            Ok(Some(v)) => self.run.write(&file, &v).map(|()| Some(v)),
        }
    }

    fn list(&self, _: &str, _: bool) -> Result<Vec<String>, CollectError> {
        Ok(Vec::new())
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
            .run
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
            .buffer_unordered(self.run.concurrency)
            .try_collect()
            .await;
        bar.finish_and_clear();
        result
    }
}

impl Collector<'_> {
    /// Makes the call: its answer as its file's type
    async fn fetch(&self, call: Call<'_>) -> Answer {
        use aws_sdk_organizations::types::PolicyType;
        use Api::{AccountAccess, IdentityStore, Organizations as Orgs, SsoAdmin};
        use Call as C;
        use SetCall as S;
        let (run, org, sso, ids) = (&self.run, &self.org, &self.sso, &self.ids);
        match call {
            C::DescribeOrganization => get!(run, Orgs; org.describe_organization()
                => |o| o.organization().map(|o| l::DescribeOrganization { organization: o.into() })),
            C::ListRoots => list!(run, Orgs; org.list_roots() => roots as l::Roots),
            C::ListOusForParent(p) => {
                list!(run, Orgs; org.list_organizational_units_for_parent().parent_id(p)
                => organizational_units as l::OusForParent)
            }
            C::ListAccountsForParent(p) => {
                list!(run, Orgs; org.list_accounts_for_parent().parent_id(p)
                => accounts as l::Accounts)
            }
            C::ListAccounts => list!(run, Orgs; org.list_accounts() => accounts as l::Accounts),
            C::ListAccountTags(id) => {
                list!(run, Orgs; org.list_tags_for_resource().resource_id(id) => tags as l::Tags)
            }
            C::ListPolicies(kind) => {
                list!(run, Orgs; org.list_policies().filter(PolicyType::from(kind))
                => policies as l::Policies)
            }
            C::DescribePolicy(id) => get!(run, Orgs; org.describe_policy().policy_id(id)
                => |d| d.policy().map(|p| l::DescribePolicy { policy: p.into() })),
            C::ListTargetsForPolicy(id) => {
                list!(run, Orgs; org.list_targets_for_policy().policy_id(id)
                => targets as l::Targets)
            }
            C::ListDelegatedAdministrators => {
                list!(run, Orgs; org.list_delegated_administrators().service_principal("sso.amazonaws.com")
                => delegated_administrators as l::DelegatedAdministrators)
            }
            C::ListInstances => {
                list!(run, SsoAdmin; sso.list_instances() => instances as l::Instances)
            }
            C::DescribeAbac(i) => {
                get!(absent: run, SsoAdmin; sso.describe_instance_access_control_attribute_configuration().instance_arn(i)
                => |c| Some(l::AbacConfig::from(&c)))
            }
            C::ListPermissionSets(i) => {
                list!(run, SsoAdmin; sso.list_permission_sets().instance_arn(i)
                => permission_sets as l::PermissionSetArns)
            }
            C::OfSet(S::Describe, i, ps) => {
                get!(run, SsoAdmin; sso.describe_permission_set().instance_arn(i).permission_set_arn(ps)
                => |d| d.permission_set().map(|p| l::DescribePermissionSet { permission_set: p.into() }))
            }
            C::OfSet(S::ManagedPolicies, i, ps) => {
                list!(run, SsoAdmin; sso.list_managed_policies_in_permission_set().instance_arn(i).permission_set_arn(ps)
                => attached_managed_policies as l::ManagedPoliciesInSet)
            }
            C::OfSet(S::CustomerManaged, i, ps) => {
                list!(run, SsoAdmin; sso.list_customer_managed_policy_references_in_permission_set().instance_arn(i).permission_set_arn(ps)
                => customer_managed_policy_references as l::CustomerManagedInSet)
            }
            C::OfSet(S::InlinePolicy, i, ps) => {
                get!(run, SsoAdmin; sso.get_inline_policy_for_permission_set().instance_arn(i).permission_set_arn(ps)
                => |p| Some(l::InlinePolicyOfSet { inline_policy: p.inline_policy().filter(|t| !t.trim().is_empty()).map(Document::text) }))
            }
            C::OfSet(S::Boundary, i, ps) => {
                get!(absent: run, SsoAdmin; sso.get_permissions_boundary_for_permission_set().instance_arn(i).permission_set_arn(ps)
                => |b| b.permissions_boundary().map(|b| l::BoundaryOfSet { permissions_boundary: Some(b.into()) }))
            }
            C::OfSet(S::Tags, i, ps) => {
                list!(run, SsoAdmin; sso.list_tags_for_resource().instance_arn(i).resource_arn(ps) => tags as l::Tags)
            }
            C::OfSet(S::ProvisionedAccounts, i, ps) => {
                list!(run, SsoAdmin; sso.list_accounts_for_provisioned_permission_set().instance_arn(i).permission_set_arn(ps)
                => account_ids as l::ProvisionedAccounts)
            }
            C::ListSetsProvisionedToAccount(i, a) => {
                list!(run, SsoAdmin; sso.list_permission_sets_provisioned_to_account().instance_arn(i).account_id(a)
                => permission_sets as l::ProvisionedSets)
            }
            C::ListAccountAssignments(i, a, ps) => {
                list!(run, SsoAdmin; sso.list_account_assignments().instance_arn(i).account_id(a).permission_set_arn(ps)
                => account_assignments as l::AccountAssignments)
            }
            C::ListApplications(i) => {
                list!(run, SsoAdmin; sso.list_applications().instance_arn(i) => applications as l::Applications)
            }
            C::OfApplication(AppCall::AssignmentConfiguration, app) => {
                get!(run, SsoAdmin; sso.get_application_assignment_configuration().application_arn(app)
                => |c| Some(l::AssignmentConfiguration { assignment_required: c.assignment_required() }))
            }
            C::OfApplication(AppCall::Assignments, app) => {
                list!(run, SsoAdmin; sso.list_application_assignments().application_arn(app)
                => application_assignments as l::ApplicationAssignments)
            }
            C::ListAccessApplications => {
                // No file when there are none: account access manager not used.
                let list = pages!(
                    run,
                    AccountAccess,
                    self.aa.list_applications(),
                    applications
                )?;
                Ok((!list.is_empty())
                    .then(|| boxed(l::AccessApplications(list.iter().map(Into::into).collect()))))
            }
            C::ListEntitlements(app) => {
                // ListEntitlements requires a filter; an empty principalRole
                // filter is meant to match every entitlement.
                use aws_sdk_accountaccess::types::{
                    EntitlementFilter, PrincipalRoleEntitlementFilter,
                };
                let every = EntitlementFilter::builder()
                    .principal_role(PrincipalRoleEntitlementFilter::builder().build())
                    .build();
                list!(run, AccountAccess; self.aa.list_entitlements().application_arn(app).filter(every) => entitlements as l::Entitlements)
            }
            C::ListUsers(store) => {
                list!(run, IdentityStore; ids.list_users().identity_store_id(store).extensions("aws:identitystore:enterprise")
                => users as l::Users)
            }
            C::ListGroups(store) => {
                list!(run, IdentityStore; ids.list_groups().identity_store_id(store) => groups as l::Groups)
            }
            C::ListGroupMemberships(store, gid) => {
                let req = ids
                    .list_group_memberships()
                    .identity_store_id(store)
                    .group_id(gid);
                let list = pages!(run, IdentityStore, req, group_memberships)?;
                Ok(Some(boxed(l::GroupMemberships(
                    list.iter().filter_map(l::MembershipEntry::of).collect(),
                ))))
            }
            C::GetAccountAuthorizationDetails(account, management) => {
                self.iam(account, management).await
            }
        }
    }

    /// One account's IAM: the caller's own credentials in the management
    /// account, the member role elsewhere (a failed AssumeRole is recorded
    /// as such)
    async fn iam(&self, account: &str, management: Option<&str>) -> Answer {
        let (run, conf) = (&self.run, &self.conf);
        let iam_conf = if management == Some(account) {
            aws_sdk_iam::config::Builder::from(conf).build()
        } else {
            let sts = aws_sdk_sts::Client::new(conf);
            let req = sts
                .assume_role()
                .role_arn(format!("arn:aws:iam::{account}:role/{}", self.role))
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
                    run.failed(Some(account), "sts:AssumeRole", message);
                    return Ok(None);
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
        let mut d = l::AuthorizationDetails::default();
        pages!(run, Api::Iam, req, |page| {
            d.add(&page);
            page.is_truncated()
        })?;
        Ok(Some(boxed(d)))
    }
}
