//! Live collection (`accessgraph collect`, feature `live`): reads an
//! organization through the official AWS SDK with read-only calls, writes
//! the responses in the AWS CLI export layout (docs/export-layout.md), and
//! the importer turns that into a snapshot, so a live collection and an
//! import of the same organization give the same snapshot.
//!
//! A call that fails (AccessDenied on one account, an operation the
//! endpoint does not implement) is recorded with its account and operation
//! and the rest goes on; the caller reports a partial snapshot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

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
    /// Calls in flight at once across accounts
    pub concurrency: usize,
    /// Attempts per call (adaptive retry on throttling); 1 = no retry
    pub max_attempts: u32,
}

/// Shared state of one collection
struct Run {
    dir: PathBuf,
    errors: Mutex<Vec<CollectionError>>,
}

impl Run {
    /// Writes one export file
    fn put(&self, rel: &str, v: &Value) -> std::io::Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, serde_json::to_vec_pretty(v)?)
    }

    /// Records a failed call and goes on
    fn failed(&self, account: Option<&str>, operation: &str, message: String) {
        if let Ok(mut e) = self.errors.lock() {
            e.push(CollectionError {
                account_id: account.map(str::to_owned),
                operation: operation.to_owned(),
                message,
            });
        }
    }
}

/// A failed collection step that stops everything (the organization or the
/// Identity Center instance cannot be read at all, or a file cannot be
/// written)
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

fn doc_to_json(d: &aws_smithy_types::Document) -> Value {
    use aws_smithy_types::{Document as D, Number as N};
    match d {
        D::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), doc_to_json(v))).collect()),
        D::Array(a) => Value::Array(a.iter().map(doc_to_json).collect()),
        D::Number(N::PosInt(n)) => json!(n),
        D::Number(N::NegInt(n)) => json!(n),
        D::Number(N::Float(f)) => json!(f),
        D::String(s) => json!(s),
        D::Bool(b) => json!(b),
        D::Null => Value::Null,
    }
}

async fn sdk_config(o: &CollectOptions) -> SdkConfig {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).retry_config(if o.max_attempts <= 1 {
            RetryConfig::disabled()
        } else {
            RetryConfig::adaptive().with_max_attempts(o.max_attempts)
        });
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

/// A progress line per phase on stderr (hidden with `quiet` or when stderr
/// is not a terminal)
fn phase(quiet: bool, message: &'static str) -> indicatif::ProgressBar {
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new_spinner()
    };
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Collects into `dir` (the AWS CLI export layout); returns the calls that
/// failed
///
/// # Errors
/// A file of the export cannot be written.
pub async fn collect_export(
    o: &CollectOptions,
    dir: &Path,
    quiet: bool,
) -> Result<Vec<CollectionError>, CollectError> {
    let conf = sdk_config(o).await;
    let run = Arc::new(Run {
        dir: dir.to_path_buf(),
        errors: Mutex::new(Vec::new()),
    });
    let write_err = |rel: &str, e: std::io::Error| CollectError::Write {
        path: dir.join(rel).display().to_string(),
        source: e,
    };
    let put = |rel: &str, v: Value| run.put(rel, &v).map_err(|e| write_err(rel, e));

    let region = conf
        .region()
        .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
    put(
        "meta.json",
        json!({
            "region": region,
            "exported_at": chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "cli_version": format!("accessgraph-collect/{} (aws-sdk-rust)", env!("CARGO_PKG_VERSION")),
        }),
    )?;

    // Organizations.
    let bar = phase(quiet, "collect: organization");
    let org = aws_sdk_organizations::Client::new(&conf);
    let mut accounts: Vec<(String, String)> = Vec::new();
    let mut parents: BTreeMap<String, String> = BTreeMap::new();
    let mut ou_names: BTreeMap<String, String> = BTreeMap::new();
    let mut management: Option<String> = None;
    match org.describe_organization().send().await {
        Err(e) => run.failed(None, "organizations:DescribeOrganization", sdk_message(&e)),
        Ok(out) => {
            let o2 = out.organization();
            management = o2.and_then(|x| x.master_account_id()).map(str::to_owned);
            put(
                "organizations/describe-organization.json",
                json!({"Organization": {
                    "Id": o2.and_then(|x| x.id()),
                    "Arn": o2.and_then(|x| x.arn()),
                    "MasterAccountId": management,
                    "FeatureSet": o2.and_then(|x| x.feature_set()).map(|f| f.as_str().to_owned()),
                }}),
            )?;
            let roots = org
                .list_roots()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
                .map(|pages| {
                    pages
                        .iter()
                        .flat_map(|p| p.roots().to_vec())
                        .collect::<Vec<_>>()
                });
            match roots {
                Err(e) => run.failed(None, "organizations:ListRoots", sdk_message(&e)),
                Ok(roots) => {
                    put(
                        "organizations/list-roots.json",
                        json!({"Roots": roots.iter().map(|r| json!({"Id": r.id(), "Arn": r.arn(), "Name": r.name()})).collect::<Vec<_>>()}),
                    )?;
                    // Walk the tree.
                    let mut queue: Vec<String> = roots
                        .iter()
                        .filter_map(|r| r.id().map(str::to_owned))
                        .collect();
                    while let Some(parent) = queue.pop() {
                        match org
                            .list_organizational_units_for_parent()
                            .parent_id(&parent)
                            .into_paginator()
                            .send()
                            .collect::<Result<Vec<_>, _>>()
                            .await
                            .map(|pages| {
                                pages
                                    .iter()
                                    .flat_map(|p| p.organizational_units().to_vec())
                                    .collect::<Vec<_>>()
                            }) {
                            Err(e) => run.failed(
                                None,
                                "organizations:ListOrganizationalUnitsForParent",
                                sdk_message(&e),
                            ),
                            Ok(ous) => {
                                put(
                                    &format!("organizations/list-organizational-units-for-parent/{parent}.json"),
                                    json!({"OrganizationalUnits": ous.iter().map(|u| json!({"Id": u.id(), "Arn": u.arn(), "Name": u.name()})).collect::<Vec<_>>()}),
                                )?;
                                for u in &ous {
                                    if let Some(id) = u.id() {
                                        parents.insert(id.to_owned(), parent.clone());
                                        ou_names.insert(
                                            id.to_owned(),
                                            u.name().unwrap_or_default().to_owned(),
                                        );
                                        queue.push(id.to_owned());
                                    }
                                }
                            }
                        }
                        match org
                            .list_accounts_for_parent()
                            .parent_id(&parent)
                            .into_paginator()
                            .send()
                            .collect::<Result<Vec<_>, _>>()
                            .await
                            .map(|pages| {
                                pages
                                    .iter()
                                    .flat_map(|p| p.accounts().to_vec())
                                    .collect::<Vec<_>>()
                            }) {
                            Err(e) => run.failed(
                                None,
                                "organizations:ListAccountsForParent",
                                sdk_message(&e),
                            ),
                            Ok(list) => {
                                put(
                                    &format!(
                                        "organizations/list-accounts-for-parent/{parent}.json"
                                    ),
                                    json!({"Accounts": list.iter().map(|a| json!({"Id": a.id(), "Name": a.name()})).collect::<Vec<_>>()}),
                                )?;
                                for a in &list {
                                    if let Some(id) = a.id() {
                                        parents.insert(id.to_owned(), parent.clone());
                                    }
                                }
                            }
                        }
                    }
                }
            }
            match org
                .list_accounts()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
                .map(|pages| {
                    pages
                        .iter()
                        .flat_map(|p| p.accounts().to_vec())
                        .collect::<Vec<_>>()
                }) {
                Err(e) => run.failed(None, "organizations:ListAccounts", sdk_message(&e)),
                Ok(list) => {
                    put(
                        "organizations/list-accounts.json",
                        json!({"Accounts": list.iter().map(|a| json!({
                            "Id": a.id(), "Arn": a.arn(), "Email": a.email(), "Name": a.name(),
                            "Status": a.status().map(|s| s.as_str().to_owned()),
                        })).collect::<Vec<_>>()}),
                    )?;
                    for a in &list {
                        if let (Some(id), Some(name)) = (a.id(), a.name()) {
                            accounts.push((id.to_owned(), name.to_owned()));
                        }
                    }
                }
            }
            for (id, _) in &accounts {
                match org
                    .list_tags_for_resource()
                    .resource_id(id)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await
                    .map(|pages| {
                        pages
                            .iter()
                            .flat_map(|p| p.tags().to_vec())
                            .collect::<Vec<_>>()
                    }) {
                    Err(e) => run.failed(
                        Some(id),
                        "organizations:ListTagsForResource",
                        sdk_message(&e),
                    ),
                    Ok(tags) => put(
                        &format!("organizations/list-tags-for-resource/{id}.json"),
                        json!({"Tags": tags.iter().map(|t| json!({"Key": t.key(), "Value": t.value()})).collect::<Vec<_>>()}),
                    )?,
                }
            }
            for (kind, file) in [
                (
                    aws_sdk_organizations::types::PolicyType::ServiceControlPolicy,
                    "SERVICE_CONTROL_POLICY",
                ),
                (
                    aws_sdk_organizations::types::PolicyType::ResourceControlPolicy,
                    "RESOURCE_CONTROL_POLICY",
                ),
            ] {
                let list = org
                    .list_policies()
                    .filter(kind)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await
                    .map(|pages| {
                        pages
                            .iter()
                            .flat_map(|p| p.policies().to_vec())
                            .collect::<Vec<_>>()
                    });
                let list = match list {
                    Err(e) => {
                        run.failed(
                            None,
                            &format!("organizations:ListPolicies({file})"),
                            sdk_message(&e),
                        );
                        continue;
                    }
                    Ok(l) => l,
                };
                put(
                    &format!("organizations/list-policies/{file}.json"),
                    json!({"Policies": list.iter().map(|p| json!({"Id": p.id(), "Arn": p.arn(), "Name": p.name(), "Description": p.description(), "Type": p.r#type().map(|t| t.as_str().to_owned()), "AwsManaged": p.aws_managed()})).collect::<Vec<_>>()}),
                )?;
                for p in &list {
                    let Some(pid) = p.id() else { continue };
                    match org.describe_policy().policy_id(pid).send().await {
                        Err(e) => run.failed(None, "organizations:DescribePolicy", sdk_message(&e)),
                        Ok(d) => {
                            let pol = d.policy();
                            let s = pol.and_then(|x| x.policy_summary());
                            put(
                                &format!("organizations/describe-policy/{pid}.json"),
                                json!({"Policy": {
                                    "PolicySummary": {"Id": s.and_then(|x| x.id()), "Arn": s.and_then(|x| x.arn()), "Name": s.and_then(|x| x.name()), "Description": s.and_then(|x| x.description()), "AwsManaged": s.map(|x| x.aws_managed())},
                                    "Content": pol.and_then(|x| x.content()),
                                }}),
                            )?;
                        }
                    }
                    match org
                        .list_targets_for_policy()
                        .policy_id(pid)
                        .into_paginator()
                        .send()
                        .collect::<Result<Vec<_>, _>>()
                        .await
                        .map(|pages| {
                            pages
                                .iter()
                                .flat_map(|p| p.targets().to_vec())
                                .collect::<Vec<_>>()
                        }) {
                        Err(e) => {
                            run.failed(None, "organizations:ListTargetsForPolicy", sdk_message(&e))
                        }
                        Ok(t) => put(
                            &format!("organizations/list-targets-for-policy/{pid}.json"),
                            json!({"Targets": t.iter().map(|x| json!({"TargetId": x.target_id(), "Name": x.name(), "Type": x.r#type().map(|t| t.as_str().to_owned())})).collect::<Vec<_>>()}),
                        )?,
                    }
                }
            }
            match org
                .list_delegated_administrators()
                .service_principal("sso.amazonaws.com")
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
                .map(|pages| {
                    pages
                        .iter()
                        .flat_map(|p| p.delegated_administrators().to_vec())
                        .collect::<Vec<_>>()
                }) {
                Err(e) => run.failed(
                    None,
                    "organizations:ListDelegatedAdministrators",
                    sdk_message(&e),
                ),
                Ok(d) => put(
                    "organizations/list-delegated-administrators.json",
                    json!({"DelegatedAdministrators": d.iter().map(|a| json!({"Id": a.id(), "Name": a.name(), "Email": a.email()})).collect::<Vec<_>>()}),
                )?,
            }
        }
    }
    bar.finish_and_clear();

    // Which accounts the scope keeps.
    let under = |id: &str, ous: &[String]| {
        let mut cur = parents.get(id);
        while let Some(p) = cur {
            if ous
                .iter()
                .any(|o| o == p || ou_names.get(p).is_some_and(|n| n.eq_ignore_ascii_case(o)))
            {
                return true;
            }
            cur = parents.get(p);
        }
        false
    };
    let scoped: Vec<(String, String)> = accounts
        .iter()
        .filter(|(id, name)| {
            (o.accounts.is_empty()
                || o.accounts
                    .iter()
                    .any(|a| a == id || a.eq_ignore_ascii_case(name)))
                && (o.ous.is_empty() || under(id, &o.ous))
        })
        .cloned()
        .collect();

    // Identity Center.
    let bar = phase(quiet, "collect: Identity Center");
    let sso = aws_sdk_ssoadmin::Client::new(&conf);
    let mut instance: Option<(String, String)> = None;
    match sso
        .list_instances()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Err(e) => run.failed(None, "sso:ListInstances", sdk_message(&e)),
        Ok(list) => {
            put(
                "sso-admin/list-instances.json",
                json!({"Instances": list.iter().map(|i| json!({"InstanceArn": i.instance_arn(), "IdentityStoreId": i.identity_store_id(), "OwnerAccountId": i.owner_account_id(), "Name": i.name(), "Status": i.status().map(|s| s.as_str().to_owned())})).collect::<Vec<_>>()}),
            )?;
            let chosen = list
                .iter()
                .find(|i| management.is_some() && i.owner_account_id() == management.as_deref())
                .or_else(|| list.first());
            instance = chosen.and_then(|i| {
                Some((
                    i.instance_arn()?.to_owned(),
                    i.identity_store_id()?.to_owned(),
                ))
            });
        }
    }
    let mut permission_sets: Vec<String> = Vec::new();
    if let Some((arn, _)) = &instance {
        match sso
            .describe_instance_access_control_attribute_configuration()
            .instance_arn(arn)
            .send()
            .await
        {
            Err(e) => {
                // Never configured is a ResourceNotFoundException: no ABAC.
                let not_found = e
                    .as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception());
                if !not_found {
                    run.failed(
                        None,
                        "sso:DescribeInstanceAccessControlAttributeConfiguration",
                        sdk_message(&e),
                    );
                }
            }
            Ok(c) => put(
                "sso-admin/describe-instance-access-control-attribute-configuration.json",
                json!({
                    "Status": c.status().map(|s| s.as_str().to_owned()),
                    "InstanceAccessControlAttributeConfiguration": c.instance_access_control_attribute_configuration().map(|cfg| json!({
                        "AccessControlAttributes": cfg.access_control_attributes().iter().map(|a| json!({
                            "Key": a.key(),
                            "Value": {"Source": a.value().map(|v| v.source().to_vec()).unwrap_or_default()},
                        })).collect::<Vec<_>>(),
                    })),
                }),
            )?,
        }
        match sso
            .list_permission_sets()
            .instance_arn(arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
        {
            Err(e) => run.failed(None, "sso:ListPermissionSets", sdk_message(&e)),
            Ok(list) => {
                put(
                    "sso-admin/list-permission-sets.json",
                    json!({"PermissionSets": list}),
                )?;
                permission_sets = list;
            }
        }
        for ps in &permission_sets {
            let id = ps.rsplit('/').next().unwrap_or(ps);
            let base = format!("sso-admin/permission-sets/{id}");
            match sso
                .describe_permission_set()
                .instance_arn(arn)
                .permission_set_arn(ps)
                .send()
                .await
            {
                Err(e) => run.failed(None, "sso:DescribePermissionSet", sdk_message(&e)),
                Ok(d) => {
                    let p = d.permission_set();
                    put(
                        &format!("{base}/describe-permission-set.json"),
                        json!({"PermissionSet": {
                            "Name": p.and_then(|x| x.name()),
                            "PermissionSetArn": p.and_then(|x| x.permission_set_arn()),
                            "Description": p.and_then(|x| x.description()),
                            "SessionDuration": p.and_then(|x| x.session_duration()),
                            "RelayState": p.and_then(|x| x.relay_state()),
                        }}),
                    )?;
                }
            }
            match sso
                .list_managed_policies_in_permission_set()
                .instance_arn(arn)
                .permission_set_arn(ps)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
            {
                Err(e) => run.failed(
                    None,
                    "sso:ListManagedPoliciesInPermissionSet",
                    sdk_message(&e),
                ),
                Ok(l) => put(
                    &format!("{base}/list-managed-policies-in-permission-set.json"),
                    json!({"AttachedManagedPolicies": l.iter().map(|m| json!({"Name": m.name(), "Arn": m.arn()})).collect::<Vec<_>>()}),
                )?,
            }
            match sso
                .list_customer_managed_policy_references_in_permission_set()
                .instance_arn(arn)
                .permission_set_arn(ps)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
            {
                Err(e) => run.failed(
                    None,
                    "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
                    sdk_message(&e),
                ),
                Ok(l) => put(
                    &format!(
                        "{base}/list-customer-managed-policy-references-in-permission-set.json"
                    ),
                    json!({"CustomerManagedPolicyReferences": l.iter().map(|c| json!({"Name": c.name(), "Path": c.path()})).collect::<Vec<_>>()}),
                )?,
            }
            match sso
                .get_inline_policy_for_permission_set()
                .instance_arn(arn)
                .permission_set_arn(ps)
                .send()
                .await
            {
                Err(e) => run.failed(None, "sso:GetInlinePolicyForPermissionSet", sdk_message(&e)),
                Ok(i) => put(
                    &format!("{base}/get-inline-policy-for-permission-set.json"),
                    json!({"InlinePolicy": i.inline_policy().unwrap_or_default()}),
                )?,
            }
            match sso
                .get_permissions_boundary_for_permission_set()
                .instance_arn(arn)
                .permission_set_arn(ps)
                .send()
                .await
            {
                Err(e) => {
                    // No boundary is a ResourceNotFoundException, not a failure.
                    let not_found = e
                        .as_service_error()
                        .is_some_and(|s| s.is_resource_not_found_exception());
                    if !not_found {
                        run.failed(
                            None,
                            "sso:GetPermissionsBoundaryForPermissionSet",
                            sdk_message(&e),
                        );
                    }
                }
                Ok(b) => {
                    if let Some(b) = b.permissions_boundary() {
                        put(
                            &format!("{base}/get-permissions-boundary-for-permission-set.json"),
                            json!({"PermissionsBoundary": {
                                "ManagedPolicyArn": b.managed_policy_arn(),
                                "CustomerManagedPolicyReference": b.customer_managed_policy_reference().map(|c| json!({"Name": c.name(), "Path": c.path()})),
                            }}),
                        )?;
                    }
                }
            }
            match sso
                .list_tags_for_resource()
                .instance_arn(arn)
                .resource_arn(ps)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
            {
                Err(e) => run.failed(None, "sso:ListTagsForResource", sdk_message(&e)),
                Ok(t) => put(
                    &format!("{base}/list-tags-for-resource.json"),
                    json!({"Tags": t.iter().map(|x| json!({"Key": x.key(), "Value": x.value()})).collect::<Vec<_>>()}),
                )?,
            }
            match sso
                .list_accounts_for_provisioned_permission_set()
                .instance_arn(arn)
                .permission_set_arn(ps)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
            {
                Err(e) => run.failed(
                    None,
                    "sso:ListAccountsForProvisionedPermissionSet",
                    sdk_message(&e),
                ),
                Ok(l) => put(
                    &format!("{base}/list-accounts-for-provisioned-permission-set.json"),
                    json!({"AccountIds": l}),
                )?,
            }
        }
    }
    bar.finish_and_clear();

    // Assignments: every account in scope x every permission set, bounded.
    let bar = phase(quiet, "collect: account assignments");
    if let Some((arn, _)) = &instance {
        let sem = Arc::new(Semaphore::new(o.concurrency.max(1)));
        let mut tasks: JoinSet<Result<(), CollectError>> = JoinSet::new();
        for (account, _) in &scoped {
            for ps in &permission_sets {
                let (sso, sem, run, arn, account, ps) = (
                    sso.clone(),
                    sem.clone(),
                    run.clone(),
                    arn.clone(),
                    account.clone(),
                    ps.clone(),
                );
                tasks.spawn(async move {
                    let _permit = sem.acquire().await;
                    let out = sso
                        .list_account_assignments()
                        .instance_arn(&arn)
                        .account_id(&account)
                        .permission_set_arn(&ps)
                        .into_paginator()
                        .items()
                        .send()
                        .collect::<Result<Vec<_>, _>>()
                        .await;
                    match out {
                        Err(e) => run.failed(
                            Some(&account),
                            "sso:ListAccountAssignments",
                            sdk_message(&e),
                        ),
                        Ok(list) if !list.is_empty() => {
                            let id = ps.rsplit('/').next().unwrap_or(&ps);
                            let rel = format!("sso-admin/account-assignments/{account}/{id}.json");
                            let v = json!({"AccountAssignments": list.iter().map(|a| json!({
                                "AccountId": a.account_id(),
                                "PermissionSetArn": a.permission_set_arn(),
                                "PrincipalType": a.principal_type().map(|p| p.as_str().to_owned()),
                                "PrincipalId": a.principal_id(),
                            })).collect::<Vec<_>>()});
                            run.put(&rel, &v).map_err(|e| CollectError::Write {
                                path: rel,
                                source: e,
                            })?;
                        }
                        Ok(_) => {}
                    }
                    Ok(())
                });
            }
        }
        while let Some(r) = tasks.join_next().await {
            if let Ok(Err(e)) = r {
                return Err(e);
            }
        }
    }
    bar.finish_and_clear();

    // Identity store.
    let bar = phase(quiet, "collect: identity store");
    if let Some((_, store)) = &instance {
        let ids = aws_sdk_identitystore::Client::new(&conf);
        match ids
            .list_users()
            .identity_store_id(store)
            .extensions("aws:identitystore:enterprise")
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
        {
            Err(e) => run.failed(None, "identitystore:ListUsers", sdk_message(&e)),
            Ok(users) => put(
                "identitystore/list-users.json",
                json!({"Users": users.iter().map(|u| {
                    let mut v = json!({
                        "UserId": u.user_id(),
                        "UserName": u.user_name(),
                        "DisplayName": u.display_name(),
                        "Name": u.name().map(|n| json!({"GivenName": n.given_name(), "FamilyName": n.family_name()})),
                        "Emails": u.emails().iter().map(|e| json!({"Value": e.value(), "Type": e.r#type(), "Primary": e.primary()})).collect::<Vec<_>>(),
                        "ExternalIds": u.external_ids().iter().map(|x| json!({"Issuer": x.issuer(), "Id": x.id()})).collect::<Vec<_>>(),
                        "NickName": u.nick_name(), "ProfileUrl": u.profile_url(), "UserType": u.user_type(), "Title": u.title(),
                        "PreferredLanguage": u.preferred_language(), "Locale": u.locale(), "Timezone": u.timezone(),
                        "UserStatus": u.user_status().map(|s| s.as_str().to_owned()),
                    });
                    if let Some(ext) = u.extensions() {
                        v["Extensions"] = Value::Object(ext.iter().map(|(k, d)| (k.clone(), doc_to_json(d))).collect());
                    }
                    // Absent fields stay absent, as the CLI prints them.
                    if let Value::Object(m) = &mut v {
                        m.retain(|_, x| !x.is_null());
                    }
                    v
                }).collect::<Vec<_>>()}),
            )?,
        }
        match ids
            .list_groups()
            .identity_store_id(store)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
        {
            Err(e) => run.failed(None, "identitystore:ListGroups", sdk_message(&e)),
            Ok(groups) => {
                put(
                    "identitystore/list-groups.json",
                    json!({"Groups": groups.iter().map(|g| {
                        let mut v = json!({"GroupId": g.group_id(), "DisplayName": g.display_name(), "Description": g.description()});
                        if let Value::Object(m) = &mut v { m.retain(|_, x| !x.is_null()); }
                        v
                    }).collect::<Vec<_>>()}),
                )?;
                for g in &groups {
                    let gid = g.group_id();
                    match ids
                        .list_group_memberships()
                        .identity_store_id(store)
                        .group_id(gid)
                        .into_paginator()
                        .items()
                        .send()
                        .collect::<Result<Vec<_>, _>>()
                        .await
                    {
                        Err(e) => {
                            run.failed(None, "identitystore:ListGroupMemberships", sdk_message(&e))
                        }
                        Ok(ms) => put(
                            &format!("identitystore/list-group-memberships/{gid}.json"),
                            json!({"GroupMemberships": ms.iter().map(|m| json!({
                                "GroupId": m.group_id(),
                                "MemberId": {"UserId": m.member_id().and_then(|x| x.as_user_id().ok())},
                            })).collect::<Vec<_>>()}),
                        )?,
                    }
                }
            }
        }
    }
    bar.finish_and_clear();

    // IAM of each account in scope, bounded.
    if !o.no_iam {
        let bar = phase(quiet, "collect: IAM of each account");
        let sem = Arc::new(Semaphore::new(o.concurrency.max(1)));
        let mut tasks: JoinSet<Result<(), CollectError>> = JoinSet::new();
        for (account, _) in &scoped {
            let (conf, sem, run, account, role, management) = (
                conf.clone(),
                sem.clone(),
                run.clone(),
                account.clone(),
                o.member_role.clone(),
                management.clone(),
            );
            tasks.spawn(async move {
                let _permit = sem.acquire().await;
                let iam_conf = if management.as_deref() == Some(account.as_str()) {
                    aws_sdk_iam::config::Builder::from(&conf).build()
                } else {
                    let sts = aws_sdk_sts::Client::new(&conf);
                    let assumed = sts
                        .assume_role()
                        .role_arn(format!("arn:aws:iam::{account}:role/{role}"))
                        .role_session_name("accessgraph-collect")
                        .send()
                        .await;
                    let creds = match assumed {
                        Err(e) => {
                            run.failed(Some(&account), "sts:AssumeRole", sdk_message(&e));
                            return Ok(());
                        }
                        Ok(out) => match out.credentials() {
                            Some(c) => aws_sdk_iam::config::Credentials::new(
                                c.access_key_id(),
                                c.secret_access_key(),
                                Some(c.session_token().to_owned()),
                                None,
                                "accessgraph-assumed-role",
                            ),
                            None => {
                                run.failed(Some(&account), "sts:AssumeRole", "no credentials in the answer".into());
                                return Ok(());
                            }
                        },
                    };
                    aws_sdk_iam::config::Builder::from(&conf).credentials_provider(creds).build()
                };
                let iam = aws_sdk_iam::Client::from_conf(iam_conf);
                use aws_sdk_iam::types::EntityType;
                let pages = iam
                    .get_account_authorization_details()
                    .filter(EntityType::User)
                    .filter(EntityType::Role)
                    .filter(EntityType::Group)
                    .filter(EntityType::LocalManagedPolicy)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>()
                    .await;
                let pages = match pages {
                    Err(e) => {
                        run.failed(Some(&account), "iam:GetAccountAuthorizationDetails", sdk_message(&e));
                        return Ok(());
                    }
                    Ok(p) => p,
                };
                let inline = |list: &[aws_sdk_iam::types::PolicyDetail]| {
                    list.iter().map(|p| json!({"PolicyName": p.policy_name(), "PolicyDocument": p.policy_document()})).collect::<Vec<_>>()
                };
                let attached = |list: &[aws_sdk_iam::types::AttachedPolicy]| {
                    list.iter().map(|p| json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()})).collect::<Vec<_>>()
                };
                let boundary = |b: Option<&aws_sdk_iam::types::AttachedPermissionsBoundary>| {
                    b.map(|b| json!({"PermissionsBoundaryArn": b.permissions_boundary_arn(), "PermissionsBoundaryType": b.permissions_boundary_type().map(|t| t.as_str().to_owned())}))
                };
                let tags = |t: &[aws_sdk_iam::types::Tag]| t.iter().map(|x| json!({"Key": x.key(), "Value": x.value()})).collect::<Vec<_>>();
                let mut users = Vec::new();
                let mut groups = Vec::new();
                let mut roles = Vec::new();
                let mut policies = Vec::new();
                for p in &pages {
                    for u in p.user_detail_list() {
                        users.push(json!({"UserName": u.user_name(), "Path": u.path(), "Arn": u.arn(), "UserId": u.user_id(),
                            "GroupList": u.group_list(), "UserPolicyList": inline(u.user_policy_list()),
                            "AttachedManagedPolicies": attached(u.attached_managed_policies()),
                            "PermissionsBoundary": boundary(u.permissions_boundary()), "Tags": tags(u.tags())}));
                    }
                    for g in p.group_detail_list() {
                        groups.push(json!({"GroupName": g.group_name(), "Path": g.path(), "Arn": g.arn(),
                            "GroupPolicyList": inline(g.group_policy_list()),
                            "AttachedManagedPolicies": attached(g.attached_managed_policies())}));
                    }
                    for r in p.role_detail_list() {
                        roles.push(json!({"RoleName": r.role_name(), "Path": r.path(), "Arn": r.arn(), "RoleId": r.role_id(),
                            "AssumeRolePolicyDocument": r.assume_role_policy_document(),
                            "RolePolicyList": inline(r.role_policy_list()),
                            "AttachedManagedPolicies": attached(r.attached_managed_policies()),
                            "PermissionsBoundary": boundary(r.permissions_boundary()), "Tags": tags(r.tags())}));
                    }
                    for m in p.policies() {
                        let arn = m.arn().unwrap_or_default();
                        // Some endpoints leave the name out: it is the ARN's last part.
                        let name = m.policy_name().map_or_else(|| arn.rsplit('/').next().unwrap_or(arn).to_owned(), str::to_owned);
                        policies.push(json!({"PolicyName": name, "Arn": arn, "Path": m.path(),
                            "PolicyVersionList": m.policy_version_list().iter().map(|v| json!({"Document": v.document(), "IsDefaultVersion": v.is_default_version(), "VersionId": v.version_id()})).collect::<Vec<_>>()}));
                    }
                }
                let rel = format!("iam/{account}/get-account-authorization-details.json");
                let v = json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies});
                run.put(&rel, &v).map_err(|e| CollectError::Write { path: rel, source: e })
            });
        }
        while let Some(r) = tasks.join_next().await {
            if let Ok(Err(e)) = r {
                return Err(e);
            }
        }
        bar.finish_and_clear();
    }

    let errors = run.errors.lock().map(|e| e.clone()).unwrap_or_default();
    put(
        "errors.json",
        json!({"Errors": errors.iter().map(|e| json!({"account_id": e.account_id, "operation": e.operation, "message": e.message})).collect::<Vec<_>>()}),
    )?;
    Ok(errors)
}
