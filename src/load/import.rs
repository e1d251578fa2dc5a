//! `accessgraph import DIR`: reads an AWS CLI export folder
//! (`docs/export-layout.md`, the types of [`super::layout`]) into a
//! [`Snapshot`]. Every error names the file and the JSON path inside it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::layout::{self as l, paths, Document};
pub use super::layout::{parse_document_text, ImportError};
use crate::json::JsonValue;
use crate::snapshot::{
    Abac, AbacAttribute, AccessPortal, Account, AccountIam, Assignment, Boundary,
    DelegatedAdministrator, Email, Group, IamGroup, IamRole, IamUser, IdentityCenter,
    IdentitySource, InlinePolicy, ManagedPolicy, Membership, OrgPolicy, OrgPolicyType,
    Organization, Ou, PermissionSet, PolicyReference, Provenance, Provisioning, Resource, Snapshot,
    User, UserStatus, FORMAT_VERSION,
};

type Result<T> = std::result::Result<T, ImportError>;

/// The export folder being read
struct Export {
    dir: PathBuf,
}

impl Export {
    fn read<T: DeserializeOwned>(&self, rel: &str) -> Result<Option<T>> {
        l::read(&self.dir, rel)
    }

    fn require<T: DeserializeOwned>(&self, rel: &str) -> Result<T> {
        self.read(rel)?.ok_or_else(|| {
            self.file_error(
                rel,
                "missing: this file of the export layout is required (see docs/export-layout.md)",
            )
        })
    }

    fn file_error(&self, rel: &str, message: &str) -> ImportError {
        ImportError::File {
            path: self.dir.join(rel).display().to_string(),
            message: message.into(),
        }
    }

    /// The entries of a sub-folder, sorted: the `*.json` stems, or the
    /// sub-folders (none when it does not exist); an entry that cannot be
    /// read is an error, not skipped
    fn list(&self, rel: &str, folders: bool) -> Result<Vec<String>> {
        let dir = self.dir.join(rel);
        let io = |e: std::io::Error| ImportError::File {
            path: dir.display().to_string(),
            message: e.to_string(),
        };
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

    /// Every file of a folder, by stem
    fn folder<T: DeserializeOwned>(&self, rel: &str) -> Result<Vec<(String, T)>> {
        self.list(rel, false)?
            .into_iter()
            .map(|stem| Ok((stem.clone(), self.require(&paths::of(rel, &stem))?)))
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
    let meta: l::Meta = ex.require(paths::META)?;
    let errors = ex.read::<l::Errors>(paths::ERRORS)?.unwrap_or_default().0;
    let organization = import_organization(&ex)?;
    let management = organization
        .as_ref()
        .map(|o| o.management_account_id.clone());
    let (identity_center, permission_sets, assignments) =
        import_sso(&ex, &meta, management.as_deref())?;
    let (users, groups, memberships) = import_identity_store(&ex)?;
    let mut iam = Vec::new();
    for account in ex.list("iam", true)? {
        if let Some(details) = ex.read(&paths::iam(&account))? {
            iam.push(import_iam(&ex, &account, details)?);
        }
    }
    let resources = ex
        .read::<l::Resources>(paths::RESOURCES)?
        .unwrap_or_default()
        .0
        .into_iter()
        .map(|r| Resource {
            arn: r.arn,
            account_id: r.account_id,
            tags: r.tags,
            policy: r.policy.map(|d| d.value),
            abac: r.abac,
        })
        .collect();
    let mut snap = Snapshot {
        format_version: FORMAT_VERSION,
        provenance: Provenance {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            collected_at: meta.exported_at,
            source: match meta.cli_version {
                Some(v) => format!("import: AWS CLI export ({v})"),
                None => "import: AWS CLI export".to_owned(),
            },
            errors,
        },
        organization,
        identity_center,
        users,
        groups,
        memberships,
        permission_sets,
        assignments,
        iam,
        resources,
    };
    snap.normalize();
    Ok(snap)
}

fn import_organization(ex: &Export) -> Result<Option<Organization>> {
    let Some(org) = ex.read::<l::DescribeOrganization>(paths::ORGANIZATION)? else {
        return Ok(None);
    };
    let roots: l::Roots = ex.require(paths::ROOTS)?;
    let root_id = match roots.0.first() {
        Some(r) => r.id.clone(),
        None => {
            return Err(ImportError::Shape {
                path: ex.dir.join(paths::ROOTS).display().to_string(),
                pointer: "/Roots".into(),
                message: "no root listed".into(),
            })
        }
    };
    let mut ous = Vec::new();
    for (parent, list) in ex.folder::<l::OusForParent>(paths::OUS_FOR_PARENT)? {
        ous.extend(list.0.into_iter().map(|ou| Ou {
            id: ou.id,
            name: ou.name,
            parent_id: parent.clone(),
        }));
    }
    let mut parent_of: BTreeMap<String, String> = BTreeMap::new();
    for (parent, list) in ex.folder::<l::Accounts>(paths::ACCOUNTS_FOR_PARENT)? {
        for a in list.0 {
            parent_of.insert(a.id, parent.clone());
        }
    }
    let mut accounts = Vec::new();
    for (i, a) in ex
        .require::<l::Accounts>(paths::ACCOUNTS)?
        .0
        .into_iter()
        .enumerate()
    {
        let parent_id = match parent_of.get(&a.id) {
            Some(p) => p.clone(),
            None => a.parent_from_paths().unwrap_or_else(|| root_id.clone()),
        };
        let tags = ex
            .read::<l::Tags>(&paths::account_tags(&a.id))?
            .unwrap_or_default()
            .map();
        let name = a.name.ok_or_else(|| ImportError::Shape {
            path: ex.dir.join(paths::ACCOUNTS).display().to_string(),
            pointer: format!("/Accounts/{i}"),
            message: "missing `Name`".into(),
        })?;
        accounts.push(Account {
            // `State` replaces the retired `Status`; either may be present.
            status: a.state.or(a.status).unwrap_or_else(|| "ACTIVE".into()),
            id: a.id,
            name,
            email: a.email,
            parent_id,
            tags,
        });
    }
    let mut policies = Vec::new();
    for file in roots.enabled_policy_types() {
        let Some(list) = ex.read::<l::Policies>(&paths::policies(file))? else {
            continue;
        };
        let policy_type = if file == "SERVICE_CONTROL_POLICY" {
            OrgPolicyType::ServiceControlPolicy
        } else {
            OrgPolicyType::ResourceControlPolicy
        };
        for p in list.0 {
            let desc: l::DescribePolicy = ex.require(&paths::policy(&p.id))?;
            let targets = ex
                .read::<l::Targets>(&paths::targets(&p.id))?
                .ok_or_else(|| {
                    ex.file_error(
                        &paths::targets(&p.id),
                        "missing: every listed policy needs its targets",
                    )
                })?;
            let summary = desc.policy.policy_summary;
            policies.push(OrgPolicy {
                name: summary.name.ok_or_else(|| ImportError::Shape {
                    path: ex.dir.join(paths::policy(&p.id)).display().to_string(),
                    pointer: "/Policy/PolicySummary".into(),
                    message: "missing `Name`".into(),
                })?,
                id: p.id,
                policy_type,
                aws_managed: summary.aws_managed.unwrap_or(false),
                description: summary.description.filter(|d| !d.is_empty()),
                content: desc.policy.content.value,
                targets: targets.0.into_iter().map(|t| t.target_id).collect(),
            });
        }
    }
    let delegated_administrators = ex
        .read::<l::DelegatedAdministrators>(paths::DELEGATED)?
        .unwrap_or_default()
        .0
        .into_iter()
        .map(|d| DelegatedAdministrator {
            account_id: d.id,
            service_principal: "sso.amazonaws.com".into(),
        })
        .collect();
    Ok(Some(Organization {
        id: org.organization.id,
        management_account_id: org.organization.master_account_id,
        root_id,
        ous,
        accounts,
        policies,
        delegated_administrators,
    }))
}

type SsoParts = (Option<IdentityCenter>, Vec<PermissionSet>, Vec<Assignment>);

fn import_sso(ex: &Export, meta: &l::Meta, management: Option<&str>) -> Result<SsoParts> {
    let Some(instances) = ex.read::<l::Instances>(paths::INSTANCES)? else {
        return Ok((None, Vec::new(), Vec::new()));
    };
    let inst = instances
        .organization_instance(management)
        .ok_or_else(|| ImportError::Shape {
            path: ex.dir.join(paths::INSTANCES).display().to_string(),
            pointer: "/Instances".into(),
            message: "no Identity Center instance listed".into(),
        })?;
    let abac = match ex.read::<l::AbacConfig>(paths::ABAC)? {
        None => Abac {
            enabled: false,
            attributes: Vec::new(),
        },
        Some(c) => Abac {
            enabled: c.status.as_deref() == Some("ENABLED"),
            attributes: c
                .instance_access_control_attribute_configuration
                .map(|cfg| cfg.access_control_attributes)
                .unwrap_or_default()
                .into_iter()
                .map(|a| AbacAttribute {
                    key: a.key,
                    source: a.value.source.0.into_iter().next().unwrap_or_default(),
                })
                .collect(),
        },
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
        abac,
        mfa_present: meta.mfa_present.unwrap_or(false),
    };

    let mut permission_sets = Vec::new();
    for arn in ex
        .require::<l::PermissionSetArns>(paths::PERMISSION_SETS)?
        .0
    {
        let file = |command: &str| paths::set_file(&arn, command);
        let d = ex
            .require::<l::DescribePermissionSet>(&file("describe-permission-set"))?
            .permission_set;
        let boundary = ex
            .read::<l::BoundaryOfSet>(&file("get-permissions-boundary-for-permission-set"))?
            .and_then(|b| b.permissions_boundary);
        let permissions_boundary = match boundary {
            None => None,
            Some(l::BoundaryEntry {
                managed_policy_arn: Some(arn),
                ..
            }) => Some(Boundary::ManagedPolicyArn(arn)),
            Some(l::BoundaryEntry {
                customer_managed_policy_reference: Some(r),
                ..
            }) => Some(Boundary::CustomerManaged(reference(r))),
            Some(_) => {
                return Err(ImportError::Shape {
                    path: ex
                        .dir
                        .join(file("get-permissions-boundary-for-permission-set"))
                        .display()
                        .to_string(),
                    pointer: "/PermissionsBoundary".into(),
                    message: "expected `ManagedPolicyArn` or `CustomerManagedPolicyReference`"
                        .into(),
                })
            }
        };
        permission_sets.push(PermissionSet {
            name: d.name,
            description: d.description,
            session_duration: d.session_duration.unwrap_or_else(|| "PT1H".into()),
            relay_state: d.relay_state,
            aws_managed_policies: ex
                .read::<l::ManagedPoliciesInSet>(&file("list-managed-policies-in-permission-set"))?
                .unwrap_or_default()
                .0
                .into_iter()
                .map(|m| m.arn)
                .collect(),
            customer_managed_policies: ex
                .read::<l::CustomerManagedInSet>(&file(
                    "list-customer-managed-policy-references-in-permission-set",
                ))?
                .unwrap_or_default()
                .0
                .into_iter()
                .map(reference)
                .collect(),
            inline_policy: ex
                .read::<l::InlinePolicyOfSet>(&file("get-inline-policy-for-permission-set"))?
                .and_then(|i| i.inline_policy)
                .map(|d| d.value),
            permissions_boundary,
            tags: ex
                .read::<l::Tags>(&file("list-tags-for-resource"))?
                .unwrap_or_default()
                .map(),
            provisioning: ex
                .read::<l::ProvisionedAccounts>(&file(
                    "list-accounts-for-provisioned-permission-set",
                ))?
                .unwrap_or_default()
                .0
                .into_iter()
                .map(|account_id| Provisioning {
                    account_id,
                    status: "LATEST_PERMISSION_SET_PROVISIONED".into(),
                })
                .collect(),
            arn,
        });
    }

    let mut assignments = Vec::new();
    for account in ex.list(paths::ASSIGNMENTS, true)? {
        for (_, list) in
            ex.folder::<l::AccountAssignments>(&format!("{}/{account}", paths::ASSIGNMENTS))?
        {
            assignments.extend(list.0.into_iter().map(|a| Assignment {
                account_id: a.account_id,
                permission_set_arn: a.permission_set_arn,
                principal_type: a.principal_type,
                principal_id: a.principal_id,
            }));
        }
    }
    Ok((Some(identity_center), permission_sets, assignments))
}

fn reference(c: l::PolicyRef) -> PolicyReference {
    PolicyReference {
        name: c.name,
        path: c.path.unwrap_or_else(|| "/".into()),
    }
}

type StoreParts = (Vec<User>, Vec<Group>, Vec<Membership>);

fn import_identity_store(ex: &Export) -> Result<StoreParts> {
    let mut users = Vec::new();
    for (i, u) in ex
        .read::<l::Users>(paths::USERS)?
        .unwrap_or_default()
        .0
        .into_iter()
        .enumerate()
    {
        users.push(
            import_user(u).map_err(|(field, message)| ImportError::Shape {
                path: ex.dir.join(paths::USERS).display().to_string(),
                pointer: format!("/Users/{i}/{field}"),
                message,
            })?,
        );
    }
    let groups = ex
        .read::<l::Groups>(paths::GROUPS)?
        .unwrap_or_default()
        .0
        .into_iter()
        .map(|g| Group {
            id: g.group_id,
            name: g.display_name,
            description: g.description,
        })
        .collect();
    let mut memberships = Vec::new();
    for (group, list) in ex.folder::<l::GroupMemberships>(paths::MEMBERSHIPS)? {
        memberships.extend(list.0.into_iter().map(|m| Membership {
            group_id: m.group_id.unwrap_or_else(|| group.clone()),
            user_id: m.member_id.user_id,
        }));
    }
    Ok((users, groups, memberships))
}

/// A user; `Err((field, message))` for a value the snapshot cannot hold
fn import_user(u: l::UserEntry) -> std::result::Result<User, (&'static str, String)> {
    let status = match u.user_status.as_deref() {
        None | Some("ENABLED") => UserStatus::Enabled,
        Some("DISABLED") => UserStatus::Disabled,
        Some(other) => {
            return Err((
                "UserStatus",
                format!("expected ENABLED or DISABLED, found `{other}`"),
            ))
        }
    };
    let mut attributes = BTreeMap::new();
    for (path, v) in [
        ("nickName", u.nick_name),
        ("profileUrl", u.profile_url),
        ("userType", u.user_type),
        ("title", u.title),
        ("preferredLanguage", u.preferred_language),
        ("locale", u.locale),
        ("timezone", u.timezone),
    ] {
        if let Some(v) = v {
            attributes.insert(path.to_owned(), v);
        }
    }
    for (path, list) in [
        ("addresses", &u.addresses),
        ("phoneNumbers", &u.phone_numbers),
    ] {
        for item in list {
            let JsonValue::Object(members) = item else {
                continue;
            };
            let kind = match item.get("Type") {
                Some(JsonValue::String(s)) => s.clone(),
                _ => "work".into(),
            };
            for (field, v) in members {
                if let (false, JsonValue::String(s)) = (field == "Type" || field == "Primary", v) {
                    let mut f = field.clone();
                    if let Some(first) = f.get(..1) {
                        f = first.to_lowercase() + &f[1..];
                    }
                    attributes.insert(format!("{path}[type eq \"{kind}\"].{f}"), s.clone());
                }
            }
        }
    }
    let mut enterprise = BTreeMap::new();
    if let Some(JsonValue::Object(members)) = u
        .extensions
        .as_ref()
        .and_then(|e| e.get("aws:identitystore:enterprise"))
    {
        for (k, v) in members {
            match v {
                JsonValue::String(s) => {
                    enterprise.insert(k.clone(), s.clone());
                }
                // `manager` is an object: {"value": "<id>"}
                JsonValue::Object(_) => {
                    if let Some(JsonValue::String(s)) = v.get("value").or_else(|| v.get("Value")) {
                        enterprise.insert(format!("{k}.value"), s.clone());
                    }
                }
                _ => {}
            }
        }
    }
    let (given_name, family_name) = u
        .name
        .map_or((None, None), |n| (n.given_name, n.family_name));
    Ok(User {
        id: u.user_id,
        user_name: u.user_name,
        display_name: u.display_name,
        given_name,
        family_name,
        emails: u
            .emails
            .into_iter()
            .map(|e| Email {
                value: e.value,
                email_type: e.r#type,
                primary: e.primary.unwrap_or(false),
            })
            .collect(),
        status,
        attributes,
        enterprise,
        external_ids: u
            .external_ids
            .into_iter()
            .map(|e| format!("{}:{}", e.issuer, e.id))
            .collect(),
    })
}

fn inline_policies(list: Vec<l::PolicyDetail>) -> Vec<InlinePolicy> {
    list.into_iter()
        .map(|p| InlinePolicy {
            name: p.policy_name,
            document: p.policy_document.value,
        })
        .collect()
}

fn arns(list: l::OneOrMany<l::AttachedPolicy>) -> Vec<String> {
    list.0.into_iter().map(|p| p.policy_arn).collect()
}

fn root_path(p: Option<String>) -> String {
    p.unwrap_or_else(|| "/".into())
}

fn import_iam(ex: &Export, account: &str, d: l::AuthorizationDetails) -> Result<AccountIam> {
    let mut policies = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, p) in d.policies.into_iter().enumerate() {
        // Only the default version is in force.
        let Some(Document {
            value: document, ..
        }) = p
            .policy_version_list
            .into_iter()
            .find(|v| v.is_default_version)
            .and_then(|v| v.document)
        else {
            return Err(ImportError::Shape {
                path: ex.dir.join(paths::iam(account)).display().to_string(),
                pointer: format!("/Policies/{i}"),
                message: "no version has `IsDefaultVersion: true` with a `Document`".into(),
            });
        };
        if seen.insert(p.arn.clone()) {
            policies.push(ManagedPolicy {
                arn: p.arn,
                name: p.policy_name,
                path: root_path(p.path),
                document,
            });
        }
    }
    let tags = |t: Vec<l::Tag>| l::Tags(t).map();
    Ok(AccountIam {
        account_id: account.to_owned(),
        roles: d
            .role_detail_list
            .into_iter()
            .map(|r| IamRole {
                name: r.role_name,
                path: root_path(r.path),
                arn: r.arn,
                id: r.role_id,
                trust_policy: r.assume_role_policy_document.value,
                inline_policies: inline_policies(r.role_policy_list),
                managed_policies: arns(r.attached_managed_policies),
                permissions_boundary: r
                    .permissions_boundary
                    .and_then(|b| b.permissions_boundary_arn),
                tags: tags(r.tags),
            })
            .collect(),
        users: d
            .user_detail_list
            .into_iter()
            .map(|u| IamUser {
                name: u.user_name,
                path: root_path(u.path),
                arn: u.arn,
                id: u.user_id,
                groups: u.group_list,
                inline_policies: inline_policies(u.user_policy_list),
                managed_policies: arns(u.attached_managed_policies),
                permissions_boundary: u
                    .permissions_boundary
                    .and_then(|b| b.permissions_boundary_arn),
                tags: tags(u.tags),
            })
            .collect(),
        groups: d
            .group_detail_list
            .into_iter()
            .map(|g| IamGroup {
                name: g.group_name,
                path: root_path(g.path),
                arn: g.arn,
                inline_policies: inline_policies(g.group_policy_list),
                managed_policies: arns(g.attached_managed_policies),
            })
            .collect(),
        policies,
    })
}
