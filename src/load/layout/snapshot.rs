//! The layout's types into the snapshot's: each conversion next to the
//! type's definition, and an export's files (as [`walk`] found them) put
//! together into a snapshot ([`assemble`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::*;
use crate::snapshot::{
    Abac, AbacAttribute, AccessApplication, Account, AccountIam, Assignment, Boundary,
    DelegatedAdministrator, Email, Entitlement, Group, IamGroup, IamRole, IamUser, InlinePolicy,
    ManagedPolicy, OrgPolicy, OrgPolicyType, PolicyReference, Provisioning, Resource, User,
};
use crate::snapshot::{
    AccessPortal, AccountAccess, IdentityCenter, Membership, Organization, Ou, PermissionSet,
    Provenance, Snapshot, FORMAT_VERSION,
};
use crate::snapshot::{Application, ApplicationAssignment};
use walk::Export;

impl ApplicationEntry {
    /// The application, with its assignment configuration and assignments
    /// (each `None` when its file is absent)
    pub(crate) fn into_application(
        self,
        config: Option<AssignmentConfiguration>,
        assignments: Option<ApplicationAssignments>,
    ) -> Application {
        let portal = self.portal_options.unwrap_or(PortalOptions {
            visibility: None,
            sign_in_options: None,
        });
        let sign_in = portal.sign_in_options;
        Application {
            arn: self.application_arn,
            name: self.name,
            description: self.description.filter(|d| !d.is_empty()),
            status: self.status.unwrap_or_else(|| "ENABLED".into()),
            provider_arn: self.application_provider_arn,
            account_id: self.application_account,
            visibility: portal.visibility.unwrap_or_else(|| "ENABLED".into()),
            sign_in_origin: sign_in.as_ref().and_then(|s| s.origin.clone()),
            application_url: sign_in.and_then(|s| s.application_url),
            assignment_required: config.map(|c| c.assignment_required),
            assignments: assignments.map(|list| {
                list.0
                    .into_iter()
                    .map(|a| ApplicationAssignment {
                        principal_type: a.principal_type,
                        principal_id: a.principal_id,
                    })
                    .collect()
            }),
        }
    }
}

impl AccessApplicationEntry {
    /// The application with its entitlements (`None`: not listed)
    pub(crate) fn into_application(
        self,
        entitlements: Option<Vec<Entitlement>>,
    ) -> AccessApplication {
        AccessApplication {
            arn: self.application_arn,
            tenant_id: self.tenant_id,
            entitlements,
        }
    }
}

impl Entitlements {
    /// The entitlements; an entry naming neither a user nor a group (or
    /// both) is an error at its JSON pointer
    pub(crate) fn into_entitlements(self) -> Result<Vec<Entitlement>, (String, String)> {
        self.0
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let Some(r) = e.entitlement.principal_role else {
                    return Err((
                        format!("/entitlements/{i}/entitlement"),
                        "missing `principalRole` (the only kind of entitlement)".to_owned(),
                    ));
                };
                let ic = r.principal.identity_center;
                let (principal_type, principal_id) = match (ic.user_id, ic.group_id) {
                    (Some(u), None) => (PrincipalType::User, u),
                    (None, Some(g)) => (PrincipalType::Group, g),
                    _ => {
                        return Err((
                            format!(
                            "/entitlements/{i}/entitlement/principalRole/principal/identityCenter"
                        ),
                            "expected exactly one of `userId` and `groupId`".to_owned(),
                        ))
                    }
                };
                Ok(Entitlement {
                    principal_type,
                    principal_id,
                    role_arn: r.role_arn,
                    account_id: r.account,
                    account_name: r.account_name,
                })
            })
            .collect()
    }
}

impl From<ResourceEntry> for Resource {
    fn from(r: ResourceEntry) -> Resource {
        Resource {
            arn: r.arn,
            account_id: r.account_id,
            tags: r.tags,
            policy: r.policy.map(|d| d.value),
            abac: r.abac,
        }
    }
}

impl AccountEntry {
    /// The account, in `parent_id`, with its tags
    pub(crate) fn into_account(self, parent_id: String, tags: Tags) -> Account {
        Account {
            // `State` replaces the retired `Status`; either may be present.
            status: self
                .state
                .or(self.status)
                .unwrap_or_else(|| "ACTIVE".into()),
            id: self.id,
            name: self.name,
            email: self.email,
            parent_id,
            tags: tags.map(),
        }
    }

    /// A delegated administrator of Identity Center
    pub(crate) fn into_delegated(self) -> DelegatedAdministrator {
        DelegatedAdministrator {
            account_id: self.id,
            service_principal: "sso.amazonaws.com".into(),
        }
    }
}

impl DescribePolicy {
    /// The policy of a type, attached to its targets
    pub(crate) fn into_policy(self, policy_type: OrgPolicyType, targets: Targets) -> OrgPolicy {
        let summary = self.policy.policy_summary;
        OrgPolicy {
            id: summary.id,
            name: summary.name,
            policy_type,
            aws_managed: summary.aws_managed.unwrap_or(false),
            description: summary.description.filter(|d| !d.is_empty()),
            content: self.policy.content.value,
            targets: targets.0.into_iter().map(|t| t.target_id).collect(),
        }
    }
}

impl From<Option<AbacConfig>> for Abac {
    fn from(c: Option<AbacConfig>) -> Abac {
        let Some(c) = c else {
            return Abac {
                enabled: false,
                attributes: Vec::new(),
            };
        };
        let attributes = c.instance_access_control_attribute_configuration;
        let attribute = |a: AbacAttributeEntry| AbacAttribute {
            key: a.key,
            source: a.value.source.0.into_iter().next().unwrap_or_default(),
        };
        Abac {
            enabled: c.status.as_deref() == Some("ENABLED"),
            attributes: attributes
                .map(|cfg| {
                    cfg.access_control_attributes
                        .into_iter()
                        .map(attribute)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

impl From<PolicyRef> for PolicyReference {
    fn from(c: PolicyRef) -> PolicyReference {
        PolicyReference {
            name: c.name,
            path: c.path.unwrap_or_else(|| "/".into()),
        }
    }
}

impl BoundaryEntry {
    /// The boundary; `None` when it names neither kind
    pub(crate) fn boundary(self) -> Option<Boundary> {
        match (
            self.managed_policy_arn,
            self.customer_managed_policy_reference,
        ) {
            (Some(arn), _) => Some(Boundary::ManagedPolicyArn(arn)),
            (None, Some(r)) => Some(Boundary::CustomerManaged(r.into())),
            (None, None) => None,
        }
    }
}

impl From<ProvisionedAccounts> for Vec<Provisioning> {
    fn from(p: ProvisionedAccounts) -> Vec<Provisioning> {
        let one = |account_id| Provisioning {
            account_id,
            status: "LATEST_PERMISSION_SET_PROVISIONED".into(),
        };
        p.0.into_iter().map(one).collect()
    }
}

impl From<AssignmentEntry> for Assignment {
    fn from(a: AssignmentEntry) -> Assignment {
        Assignment {
            account_id: a.account_id,
            permission_set_arn: a.permission_set_arn,
            principal_type: a.principal_type,
            principal_id: a.principal_id,
        }
    }
}

impl From<GroupEntry> for Group {
    fn from(g: GroupEntry) -> Group {
        Group {
            id: g.group_id,
            name: g.display_name,
            description: g.description,
        }
    }
}

/// `addresses[type eq "work"].streetAddress`: the attribute paths of a
/// multi-valued attribute's string fields, as ABAC sources name them
fn multi_valued(path: &str, list: &[JsonValue], out: &mut BTreeMap<String, String>) {
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
                out.insert(format!("{path}[type eq \"{kind}\"].{f}"), s.clone());
            }
        }
    }
}

impl From<UserEntry> for User {
    fn from(u: UserEntry) -> User {
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
        multi_valued("addresses", &u.addresses, &mut attributes);
        multi_valued("phoneNumbers", &u.phone_numbers, &mut attributes);
        let mut enterprise = BTreeMap::new();
        let ext = u
            .extensions
            .as_ref()
            .and_then(|e| e.get("aws:identitystore:enterprise"));
        let ext = match ext {
            Some(JsonValue::Object(members)) => members.as_slice(),
            _ => &[],
        };
        for (k, v) in ext {
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
        let (given_name, family_name) = u
            .name
            .map_or((None, None), |n| (n.given_name, n.family_name));
        let email = |e: EmailEntry| Email {
            value: e.value,
            email_type: e.r#type,
            primary: e.primary.unwrap_or(false),
        };
        User {
            id: u.user_id,
            user_name: u.user_name,
            display_name: u.display_name,
            given_name,
            family_name,
            emails: u.emails.into_iter().map(email).collect(),
            status: u
                .user_status
                .unwrap_or(crate::snapshot::UserStatus::Enabled),
            attributes,
            enterprise,
            external_ids: u
                .external_ids
                .into_iter()
                .map(|e| format!("{}:{}", e.issuer, e.id))
                .collect(),
        }
    }
}

fn inline_policies(list: Vec<PolicyDetail>) -> Vec<InlinePolicy> {
    let one = |p: PolicyDetail| InlinePolicy {
        name: p.policy_name,
        document: p.policy_document.value,
    };
    list.into_iter().map(one).collect()
}

fn arns(list: OneOrMany<AttachedPolicy>) -> Vec<String> {
    list.0.into_iter().map(|p| p.policy_arn).collect()
}

fn path(p: Option<String>) -> String {
    p.unwrap_or_else(|| "/".into())
}

fn boundary_arn(b: Option<AttachedBoundary>) -> Option<String> {
    b.and_then(|b| b.permissions_boundary_arn)
}

impl AuthorizationDetails {
    /// The account's IAM; `Err((pointer, message))` for a managed policy
    /// without a default version
    pub(crate) fn into_iam(self, account: &str) -> Result<AccountIam, (String, String)> {
        let mut policies = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, p) in self.policies.into_iter().enumerate() {
            // Only the default version is in force.
            let default = p
                .policy_version_list
                .into_iter()
                .find(|v| v.is_default_version);
            let Some(Document {
                value: document, ..
            }) = default.and_then(|v| v.document)
            else {
                let message = "no version has `IsDefaultVersion: true` with a `Document`";
                return Err((format!("/Policies/{i}"), message.into()));
            };
            if seen.insert(p.arn.clone()) {
                let (arn, name, path) = (p.arn, p.policy_name, path(p.path));
                policies.push(ManagedPolicy {
                    arn,
                    name,
                    path,
                    document,
                });
            }
        }
        let tags = |t: Vec<Tag>| Tags(t).map();
        let role = |r: IamRoleDetail| IamRole {
            name: r.role_name,
            path: path(r.path),
            arn: r.arn,
            id: r.role_id,
            trust_policy: r.assume_role_policy_document.value,
            inline_policies: inline_policies(r.role_policy_list),
            managed_policies: arns(r.attached_managed_policies),
            permissions_boundary: boundary_arn(r.permissions_boundary),
            tags: tags(r.tags),
        };
        let user = |u: IamUserDetail| IamUser {
            name: u.user_name,
            path: path(u.path),
            arn: u.arn,
            id: u.user_id,
            groups: u.group_list,
            inline_policies: inline_policies(u.user_policy_list),
            managed_policies: arns(u.attached_managed_policies),
            permissions_boundary: boundary_arn(u.permissions_boundary),
            tags: tags(u.tags),
        };
        let group = |g: IamGroupDetail| IamGroup {
            name: g.group_name,
            path: path(g.path),
            arn: g.arn,
            inline_policies: inline_policies(g.group_policy_list),
            managed_policies: arns(g.attached_managed_policies),
        };
        Ok(AccountIam {
            account_id: account.to_owned(),
            roles: self.role_detail_list.into_iter().map(role).collect(),
            users: self.user_detail_list.into_iter().map(user).collect(),
            groups: self.group_detail_list.into_iter().map(group).collect(),
            policies,
        })
    }
}

/// What putting an export's parts together needs: the folder (for the
/// errors' paths), its `meta.json` and `errors.json`
pub(crate) struct Parts<'a> {
    /// The export folder
    pub(crate) dir: &'a Path,
    /// `meta.json`
    pub(crate) meta: Meta,
    /// `errors.json`
    pub(crate) errors: &'a [CollectionError],
}

impl Parts<'_> {
    fn shape(&self, rel: &str, pointer: String, message: &str) -> ImportError {
        ImportError::Shape {
            path: self.dir.join(rel).display().to_string(),
            pointer,
            message: message.into(),
        }
    }
}

/// The snapshot of an export's files (with `resources.json`)
pub(crate) fn assemble(
    ex: Parts<'_>,
    files: Export,
    resources: Resources,
) -> Result<Snapshot, ImportError> {
    let meta = &ex.meta;
    let organization = files
        .organization
        .map(|o| organization(&ex, o))
        .transpose()?;
    if files.instances.is_some() && files.sso.is_none() {
        let message = "no Identity Center instance listed";
        return Err(ex.shape(paths::INSTANCES.rel(), "/Instances".into(), message));
    }
    let (identity_center, permission_sets, assignments) = match files.sso {
        Some(sso) => identity_center(&ex, sso)?,
        None => (None, Vec::new(), Vec::new()),
    };
    let mut memberships = Vec::new();
    for (group, list) in files.memberships {
        memberships.extend(list.0.into_iter().map(|m| Membership {
            group_id: m.group_id.unwrap_or_else(|| group.clone()),
            user_id: m.member_id.user_id,
        }));
    }
    let mut iam = Vec::new();
    for (account, details) in files.iam {
        let got = details.into_iam(&account);
        let rel = paths::iam(&account);
        iam.push(got.map_err(|(pointer, message)| ex.shape(rel.rel(), pointer, &message))?);
    }
    let mut snap = Snapshot {
        format_version: FORMAT_VERSION,
        provenance: Provenance {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            collected_at: meta.exported_at.clone(),
            source: match &meta.cli_version {
                Some(v) => format!("import: AWS CLI export ({v})"),
                None => "import: AWS CLI export".to_owned(),
            },
            errors: ex.errors.to_vec(),
        },
        organization,
        identity_center,
        users: files
            .users
            .unwrap_or_default()
            .0
            .into_iter()
            .map(Into::into)
            .collect(),
        groups: files
            .groups
            .unwrap_or_default()
            .0
            .into_iter()
            .map(Into::into)
            .collect(),
        memberships,
        permission_sets,
        assignments,
        iam,
        resources: resources.0.into_iter().map(Into::into).collect(),
        applications: None,
        account_access: None,
    };
    if let Some(apps) = files.applications {
        applications(&ex, &mut snap, apps, files.access.unwrap_or_default())?;
    }
    snap.normalize();
    Ok(snap)
}

fn organization(ex: &Parts<'_>, o: walk::OrgFiles) -> Result<Organization, ImportError> {
    let Some(root_id) = o
        .roots
        .iter()
        .flat_map(|r| &r.0)
        .next()
        .map(|r| r.id.clone())
    else {
        return Err(ex.shape(paths::ROOTS.rel(), "/Roots".into(), "no root listed"));
    };
    let mut ous = Vec::new();
    for (parent, list) in o.ous {
        ous.extend(list.0.into_iter().map(|ou| Ou {
            id: ou.id,
            name: ou.name,
            parent_id: parent.clone(),
        }));
    }
    let mut parent_of: BTreeMap<String, String> = BTreeMap::new();
    for (parent, list) in o.accounts_for_parent {
        parent_of.extend(list.0.into_iter().map(|a| (a.id, parent.clone())));
    }
    let mut tags = o.tags;
    let mut accounts = Vec::new();
    for a in o.accounts.unwrap_or_default().0 {
        let parent = match parent_of.get(&a.id) {
            Some(p) => p.clone(),
            None => a.parent_from_paths().unwrap_or_else(|| root_id.clone()),
        };
        let tags = tags.remove(&a.id).unwrap_or_default();
        accounts.push(a.into_account(parent, tags));
    }
    let policies = o.policies.into_iter().map(|(kind, desc, targets)| {
        let policy_type = if kind == "SERVICE_CONTROL_POLICY" {
            OrgPolicyType::ServiceControlPolicy
        } else {
            OrgPolicyType::ResourceControlPolicy
        };
        desc.into_policy(policy_type, targets)
    });
    Ok(Organization {
        id: o.describe.organization.id,
        management_account_id: o.describe.organization.master_account_id,
        root_id,
        ous,
        accounts,
        policies: policies.collect(),
        delegated_administrators: o
            .delegated
            .unwrap_or_default()
            .0
            .into_iter()
            .map(AccountEntry::into_delegated)
            .collect(),
    })
}

type SsoParts = (Option<IdentityCenter>, Vec<PermissionSet>, Vec<Assignment>);

fn identity_center(ex: &Parts<'_>, sso: walk::SsoFiles) -> Result<SsoParts, ImportError> {
    let meta = &ex.meta;
    let inst = sso.instance;
    let identity_center = IdentityCenter {
        instance_arn: inst.instance_arn,
        access_portal: AccessPortal {
            default_url: format!("https://{}.awsapps.com/start", inst.identity_store_id),
            custom_url: meta
                .portal_custom_subdomain
                .as_ref()
                .map(|s| format!("https://{s}.awsapps.com/start")),
        },
        identity_store_id: inst.identity_store_id,
        home_region: meta.region.clone(),
        owner_account_id: inst.owner_account_id,
        name: inst.name,
        identity_source: meta
            .identity_source
            .unwrap_or(IdentitySource::IdentityCenterDirectory),
        abac: sso.abac.into(),
        mfa_present: meta.mfa_present.unwrap_or(false),
    };
    let mut permission_sets = Vec::new();
    for set in sso.sets {
        let Some(d) = set.describe else { continue };
        let d = d.permission_set;
        let permissions_boundary = match set.boundary {
            Some(BoundaryOfSet {
                permissions_boundary: Some(b),
            }) => Some(b.boundary().ok_or_else(|| {
                let message = "expected `ManagedPolicyArn` or `CustomerManagedPolicyReference`";
                let rel = paths::of_arn::<BoundaryOfSet>(&set.arn);
                ex.shape(rel.rel(), "/PermissionsBoundary".into(), message)
            })?),
            _ => None,
        };
        let aws = set.managed.unwrap_or_default().0;
        let cm = set.customer_managed.unwrap_or_default().0;
        permission_sets.push(PermissionSet {
            name: d.name,
            description: d.description,
            session_duration: d.session_duration.unwrap_or_else(|| "PT1H".into()),
            relay_state: d.relay_state,
            aws_managed_policies: aws.into_iter().map(|m| m.arn).collect(),
            customer_managed_policies: cm.into_iter().map(Into::into).collect(),
            inline_policy: set.inline.and_then(|i| i.inline_policy).map(|d| d.value),
            permissions_boundary,
            tags: set.tags.unwrap_or_default().map(),
            provisioning: set.provisioned.unwrap_or_default().into(),
            arn: set.arn,
        });
    }
    let assignments = sso.assignments.into_iter().flat_map(|l| l.0);
    Ok((
        Some(identity_center),
        permission_sets,
        assignments.map(Assignment::from).collect(),
    ))
}

/// Identity Center applications and account access manager: recorded when
/// the export has `sso-admin/list-applications.json` (exports written
/// before it have not); then an absent account-access listing means account
/// access manager is not used, unless `errors.json` records that the
/// listing failed
fn applications(
    ex: &Parts<'_>,
    snap: &mut Snapshot,
    apps: Vec<walk::AppFiles>,
    access: Vec<(AccessApplicationEntry, Option<Entitlements>)>,
) -> Result<(), ImportError> {
    let apps = apps
        .into_iter()
        .map(|(a, config, assignments)| a.into_application(config, assignments));
    snap.applications = Some(apps.collect());
    let mut out = Vec::new();
    for (a, entitlements) in access {
        let rel = paths::ENTITLEMENTS.file(paths::last(&a.application_arn));
        let entitlements = entitlements
            .map(|list| list.into_entitlements())
            .transpose()
            .map_err(|(pointer, message)| ex.shape(rel.rel(), pointer, &message))?;
        out.push(a.into_application(entitlements));
    }
    let listing_failed = ex.errors.iter().any(|e| {
        e.operation.contains("account-access")
            && (e.operation.contains("ListApplications")
                || e.operation.contains("list-applications"))
    });
    snap.account_access =
        (!(out.is_empty() && listing_failed)).then_some(AccountAccess { applications: out });
    Ok(())
}
