//! `accessgraph import DIR`: reads an AWS CLI export folder
//! (`docs/export-layout.md`, the types of [`super::layout`]) into a
//! [`Snapshot`]: walks the folder, reads each file as its type, puts the
//! parts together. Every error names the file and the JSON path inside it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::layout::{self as l, paths};
pub use super::layout::{parse_document_text, ImportError};
use crate::snapshot::{
    AccessPortal, AccountAccess, Assignment, CollectionError, IdentityCenter, IdentitySource,
    Membership, OrgPolicyType, Organization, Ou, PermissionSet, Provenance, Snapshot,
    FORMAT_VERSION,
};

type Result<T> = std::result::Result<T, ImportError>;

/// The export folder being read
struct Export {
    dir: PathBuf,
}

impl Export {
    fn read<T: DeserializeOwned>(&self, file: &l::File<T>) -> Result<Option<T>> {
        file.read(&self.dir)
    }

    /// A file that may be absent: its default then
    fn or_default<T: DeserializeOwned + Default>(&self, file: &l::File<T>) -> Result<T> {
        self.read(file).map(Option::unwrap_or_default)
    }

    fn require<T: DeserializeOwned>(&self, file: &l::File<T>) -> Result<T> {
        let missing =
            "missing: this file of the export layout is required (see docs/export-layout.md)";
        self.read(file)?
            .ok_or_else(|| self.file_error(file.rel(), missing))
    }

    fn file_error(&self, rel: &str, message: &str) -> ImportError {
        ImportError::File {
            path: self.dir.join(rel).display().to_string(),
            message: message.into(),
        }
    }

    fn shape(&self, rel: &str, pointer: String, message: &str) -> ImportError {
        ImportError::Shape {
            path: self.dir.join(rel).display().to_string(),
            pointer,
            message: message.into(),
        }
    }

    /// The entries of a sub-folder, sorted: the `*.json` stems, or the
    /// sub-folders (none when it does not exist); an entry that cannot be
    /// read is an error, not skipped
    fn list(&self, rel: &str, folders: bool) -> Result<Vec<String>> {
        let dir = self.dir.join(rel);
        let io = |e: std::io::Error| self.file_error(rel, &e.to_string());
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(e)),
        };
        let mut out = Vec::new();
        for e in entries {
            let e = e.map_err(io)?;
            let name = e.file_name().to_string_lossy().into_owned();
            if folders && e.path().is_dir() {
                out.push(name);
            } else if let Some(stem) = name.strip_suffix(".json").filter(|_| !folders) {
                out.push(stem.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// A listed application's file: `None` when it is absent and
    /// `errors.json` records the call that failed for the application (that
    /// part is then not recorded); absent otherwise is an error
    fn of_application<T: DeserializeOwned>(
        &self,
        file: &l::File<T>,
        id: &str,
        errors: &[CollectionError],
    ) -> Result<Option<T>> {
        match self.read(file)? {
            None if !errors.iter().any(|e| e.message.contains(id)) => {
                let message = "missing: every listed application needs this file (a call that failed is recorded in errors.json)";
                Err(self.file_error(file.rel(), message))
            }
            got => Ok(got),
        }
    }

    /// Every file of a folder, by stem
    fn folder<T: DeserializeOwned>(&self, folder: &l::Folder<T>) -> Result<Vec<(String, T)>> {
        let one = |stem: String| Ok((stem.clone(), self.require(&folder.file(&stem))?));
        self.list(folder.rel(), false)?
            .into_iter()
            .map(one)
            .collect()
    }
}

/// Imports the export folder `dir`
///
/// # Errors
/// [`ImportError`] naming the file (and the JSON path) of the first problem.
pub fn import_dir(dir: &Path) -> Result<Snapshot> {
    let ex = Export {
        dir: dir.to_path_buf(),
    };
    if !dir.is_dir() {
        return Err(ImportError::File {
            path: dir.display().to_string(),
            message: "not a folder (expected an AWS CLI export, see docs/export-layout.md)".into(),
        });
    }
    let meta = ex.require(&paths::META)?;
    let organization = import_organization(&ex)?;
    let management = organization
        .as_ref()
        .map(|o| o.management_account_id.as_str());
    let (identity_center, permission_sets, assignments) = import_sso(&ex, &meta, management)?;
    let users = ex.or_default(&paths::USERS)?.0;
    let mut memberships = Vec::new();
    for (group, list) in ex.folder(&paths::MEMBERSHIPS)? {
        memberships.extend(list.0.into_iter().map(|m| Membership {
            group_id: m.group_id.unwrap_or_else(|| group.clone()),
            user_id: m.member_id.user_id,
        }));
    }
    let mut iam = Vec::new();
    for account in ex.list(paths::IAM, true)? {
        let file = paths::iam(&account);
        if let Some(details) = ex.read(&file)? {
            let got = details.into_iam(&account);
            iam.push(got.map_err(|(pointer, message)| ex.shape(file.rel(), pointer, &message))?);
        }
    }
    let mut snap = Snapshot {
        format_version: FORMAT_VERSION,
        provenance: Provenance {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            collected_at: meta.exported_at,
            source: match meta.cli_version {
                Some(v) => format!("import: AWS CLI export ({v})"),
                None => "import: AWS CLI export".to_owned(),
            },
            errors: ex.or_default(&paths::ERRORS)?.0,
        },
        organization,
        identity_center,
        users: users.into_iter().map(Into::into).collect(),
        groups: ex
            .or_default(&paths::GROUPS)?
            .0
            .into_iter()
            .map(Into::into)
            .collect(),
        memberships,
        permission_sets,
        assignments,
        iam,
        resources: ex
            .or_default(&paths::RESOURCES)?
            .0
            .into_iter()
            .map(Into::into)
            .collect(),
        applications: None,
        account_access: None,
    };
    import_applications(&ex, &mut snap)?;
    snap.normalize();
    Ok(snap)
}

fn import_organization(ex: &Export) -> Result<Option<Organization>> {
    let Some(org) = ex.read(&paths::ORGANIZATION)? else {
        return Ok(None);
    };
    let roots = ex.require(&paths::ROOTS)?;
    let Some(root_id) = roots.0.first().map(|r| r.id.clone()) else {
        return Err(ex.shape(paths::ROOTS.rel(), "/Roots".into(), "no root listed"));
    };
    let mut ous = Vec::new();
    for (parent, list) in ex.folder(&paths::OUS_FOR_PARENT)? {
        ous.extend(list.0.into_iter().map(|ou| Ou {
            id: ou.id,
            name: ou.name,
            parent_id: parent.clone(),
        }));
    }
    let mut parent_of: BTreeMap<String, String> = BTreeMap::new();
    for (parent, list) in ex.folder(&paths::ACCOUNTS_FOR_PARENT)? {
        parent_of.extend(list.0.into_iter().map(|a| (a.id, parent.clone())));
    }
    let mut accounts = Vec::new();
    for a in ex.require(&paths::ACCOUNTS)?.0 {
        let parent = match parent_of.get(&a.id) {
            Some(p) => p.clone(),
            None => a.parent_from_paths().unwrap_or_else(|| root_id.clone()),
        };
        let tags = ex.or_default(&paths::ACCOUNT_TAGS.file(&a.id))?;
        accounts.push(a.into_account(parent, tags));
    }
    let mut policies = Vec::new();
    for file in roots.enabled_policy_types() {
        let policy_type = if file == "SERVICE_CONTROL_POLICY" {
            OrgPolicyType::ServiceControlPolicy
        } else {
            OrgPolicyType::ResourceControlPolicy
        };
        for p in ex.or_default(&paths::POLICIES.file(file))?.0 {
            let desc = ex.require(&paths::POLICY.file(&p.id))?;
            let targets = paths::TARGETS.file(&p.id);
            let targets = ex.read(&targets)?.ok_or_else(|| {
                ex.file_error(
                    targets.rel(),
                    "missing: every listed policy needs its targets",
                )
            })?;
            policies.push(desc.into_policy(policy_type, targets));
        }
    }
    let delegated = ex.or_default(&paths::DELEGATED)?;
    Ok(Some(Organization {
        id: org.organization.id,
        management_account_id: org.organization.master_account_id,
        root_id,
        ous,
        accounts,
        policies,
        delegated_administrators: delegated
            .0
            .into_iter()
            .map(l::AccountEntry::into_delegated)
            .collect(),
    }))
}

type SsoParts = (Option<IdentityCenter>, Vec<PermissionSet>, Vec<Assignment>);

fn import_sso(ex: &Export, meta: &l::Meta, management: Option<&str>) -> Result<SsoParts> {
    let Some(instances) = ex.read(&paths::INSTANCES)? else {
        return Ok((None, Vec::new(), Vec::new()));
    };
    let Some(inst) = instances.organization_instance(management) else {
        return Err(ex.shape(
            paths::INSTANCES.rel(),
            "/Instances".into(),
            "no Identity Center instance listed",
        ));
    };
    let identity_center = IdentityCenter {
        instance_arn: inst.instance_arn.clone(),
        access_portal: AccessPortal {
            default_url: format!("https://{}.awsapps.com/start", inst.identity_store_id),
            custom_url: meta
                .portal_custom_subdomain
                .as_ref()
                .map(|s| format!("https://{s}.awsapps.com/start")),
        },
        identity_store_id: inst.identity_store_id.clone(),
        home_region: meta.region.clone(),
        owner_account_id: inst.owner_account_id.clone(),
        name: inst.name.clone(),
        identity_source: meta
            .identity_source
            .unwrap_or(IdentitySource::IdentityCenterDirectory),
        abac: ex.read(&paths::ABAC)?.into(),
        mfa_present: meta.mfa_present.unwrap_or(false),
    };
    let mut permission_sets = Vec::new();
    for arn in ex.require(&paths::PERMISSION_SETS)?.0 {
        let d = ex
            .require(&paths::of_arn::<l::DescribePermissionSet>(&arn))?
            .permission_set;
        let boundary_file = paths::of_arn::<l::BoundaryOfSet>(&arn);
        let permissions_boundary = match ex.read(&boundary_file)? {
            Some(l::BoundaryOfSet {
                permissions_boundary: Some(b),
            }) => Some(b.boundary().ok_or_else(|| {
                let message = "expected `ManagedPolicyArn` or `CustomerManagedPolicyReference`";
                ex.shape(boundary_file.rel(), "/PermissionsBoundary".into(), message)
            })?),
            _ => None,
        };
        let aws = ex.or_default(&paths::of_arn::<l::ManagedPoliciesInSet>(&arn))?;
        let cm = ex.or_default(&paths::of_arn::<l::CustomerManagedInSet>(&arn))?;
        let inline = ex.read(&paths::of_arn::<l::InlinePolicyOfSet>(&arn))?;
        permission_sets.push(PermissionSet {
            name: d.name,
            description: d.description,
            session_duration: d.session_duration.unwrap_or_else(|| "PT1H".into()),
            relay_state: d.relay_state,
            aws_managed_policies: aws.0.into_iter().map(|m| m.arn).collect(),
            customer_managed_policies: cm.0.into_iter().map(Into::into).collect(),
            inline_policy: inline.and_then(|i| i.inline_policy).map(|d| d.value),
            permissions_boundary,
            tags: ex.or_default(&paths::of_arn::<l::Tags>(&arn))?.map(),
            provisioning: ex
                .or_default(&paths::of_arn::<l::ProvisionedAccounts>(&arn))?
                .into(),
            arn,
        });
    }
    let mut assignments = Vec::new();
    for account in ex.list(paths::ASSIGNMENTS, true)? {
        for (_, list) in ex.folder(&paths::assignments_of(&account))? {
            assignments.extend(list.0.into_iter().map(Assignment::from));
        }
    }
    Ok((Some(identity_center), permission_sets, assignments))
}

/// Identity Center applications and account access manager: none recorded
/// when the export has no `sso-admin/list-applications.json` (an export
/// written before they were); then an absent account-access listing means
/// account access manager is not used. A listed application's files must be
/// there, unless `errors.json` records the call that failed for it (then
/// that part is not recorded)
fn import_applications(ex: &Export, snap: &mut Snapshot) -> Result<()> {
    let Some(apps) = ex.read(&paths::APPLICATIONS)? else {
        return Ok(());
    };
    let errors = &snap.provenance.errors;
    let mut out = Vec::new();
    for a in apps.0 {
        let (arn, id) = (&a.application_arn, paths::last(&a.application_arn));
        let config = ex.of_application(&paths::of_arn(arn), id, errors)?;
        let assignments = ex.of_application(&paths::of_arn(arn), id, errors)?;
        out.push(a.into_application(config, assignments));
    }
    let mut access = Vec::new();
    for a in ex.or_default(&paths::ACCESS_APPLICATIONS)?.0 {
        let id = paths::last(&a.application_arn);
        let file = paths::ENTITLEMENTS.file(id);
        let entitlements = match ex.of_application(&file, id, errors)? {
            Some(list) => Some(
                list.into_entitlements()
                    .map_err(|(pointer, message)| ex.shape(file.rel(), pointer, &message))?,
            ),
            None => None,
        };
        access.push(a.into_application(entitlements));
    }
    snap.applications = Some(out);
    // No listing because the listing failed is not "not used".
    let listing_failed = errors.iter().any(|e| {
        e.operation.contains("account-access")
            && (e.operation.contains("ListApplications")
                || e.operation.contains("list-applications"))
    });
    snap.account_access = (!(access.is_empty() && listing_failed)).then_some(AccountAccess {
        applications: access,
    });
    Ok(())
}
