//! The layout's types into the snapshot's: each conversion next to the
//! type's definition (the import walks the folder and puts them together).

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::snapshot::{
    Abac, AbacAttribute, AccessApplication, Account, AccountIam, Assignment, Boundary,
    DelegatedAdministrator, Email, Entitlement, Group, IamGroup, IamRole, IamUser, InlinePolicy,
    ManagedPolicy, OrgPolicy, OrgPolicyType, PolicyReference, Provisioning, Resource, User,
};
use crate::snapshot::{Application, ApplicationAssignment};

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
