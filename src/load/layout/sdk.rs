//! The layout's types from the AWS SDK's (feature `live`): one `From` per
//! type, next to the type's definition, so a new field is one edit in this
//! module and `collect` and `import` cannot drift.

use aws_sdk_accountaccess::types as aa;
use aws_sdk_iam::types as iam;
use aws_sdk_identitystore::types as ids;
use aws_sdk_organizations::types as org;
use aws_sdk_ssoadmin::types as sso;

use super::*;
use crate::snapshot::PrincipalType;

fn own(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn req(s: Option<&str>) -> String {
    s.unwrap_or_default().to_owned()
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.to_owned(),
        value: Some(value.to_owned()),
    }
}

fn json(d: &aws_smithy_types::Document) -> JsonValue {
    use aws_smithy_types::{Document as D, Number as N};
    match d {
        D::Object(m) => JsonValue::Object(m.iter().map(|(k, v)| (k.clone(), json(v))).collect()),
        D::Array(a) => JsonValue::Array(a.iter().map(json).collect()),
        D::Number(N::PosInt(n)) => JsonValue::Number((*n).into()),
        D::Number(N::NegInt(n)) => JsonValue::Number((*n).into()),
        D::Number(N::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(JsonValue::Null, JsonValue::Number)
        }
        D::String(s) => JsonValue::String(s.clone()),
        D::Bool(b) => JsonValue::Bool(*b),
        D::Null => JsonValue::Null,
    }
}

impl From<&org::Tag> for Tag {
    fn from(t: &org::Tag) -> Tag {
        tag(t.key(), t.value())
    }
}

impl From<&sso::Tag> for Tag {
    fn from(t: &sso::Tag) -> Tag {
        tag(t.key(), t.value())
    }
}

impl From<&iam::Tag> for Tag {
    fn from(t: &iam::Tag) -> Tag {
        tag(t.key(), t.value())
    }
}

impl From<&org::Organization> for OrganizationDesc {
    fn from(o: &org::Organization) -> OrganizationDesc {
        OrganizationDesc {
            id: req(o.id()),
            arn: own(o.arn()),
            master_account_id: req(o.master_account_id()),
            feature_set: o.feature_set().map(|f| f.as_str().to_owned()),
        }
    }
}

impl From<&org::Root> for Root {
    fn from(r: &org::Root) -> Root {
        let types = r.policy_types().iter().map(|p| PolicyTypeSummary {
            r#type: p
                .r#type()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            status: p
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        });
        Root {
            id: req(r.id()),
            arn: own(r.arn()),
            name: own(r.name()),
            policy_types: Some(types.collect()),
        }
    }
}

impl From<&org::OrganizationalUnit> for OuEntry {
    fn from(u: &org::OrganizationalUnit) -> OuEntry {
        OuEntry {
            id: req(u.id()),
            arn: own(u.arn()),
            name: req(u.name()),
        }
    }
}

impl From<&org::Account> for AccountEntry {
    fn from(a: &org::Account) -> AccountEntry {
        AccountEntry {
            id: req(a.id()),
            arn: own(a.arn()),
            email: own(a.email()),
            name: req(a.name()),
            #[allow(deprecated, reason = "the retired field the CLI still prints")]
            status: a.status().map(|s| s.as_str().to_owned()),
            state: None,
            paths: None,
        }
    }
}

impl From<&org::DelegatedAdministrator> for AccountEntry {
    fn from(a: &org::DelegatedAdministrator) -> AccountEntry {
        AccountEntry {
            id: req(a.id()),
            arn: own(a.arn()),
            email: own(a.email()),
            name: req(a.name()),
            status: None,
            state: None,
            paths: None,
        }
    }
}

impl From<&org::PolicySummary> for PolicyEntry {
    fn from(p: &org::PolicySummary) -> PolicyEntry {
        PolicyEntry {
            id: req(p.id()),
            arn: own(p.arn()),
            name: req(p.name()),
            description: own(p.description()),
            r#type: p.r#type().map(|t| t.as_str().to_owned()),
            aws_managed: Some(p.aws_managed()),
        }
    }
}

impl From<&org::Policy> for PolicyDesc {
    fn from(p: &org::Policy) -> PolicyDesc {
        let summary = p.policy_summary();
        PolicyDesc {
            policy_summary: summary.map_or(
                PolicyEntry {
                    id: String::new(),
                    arn: None,
                    name: String::new(),
                    description: None,
                    r#type: None,
                    aws_managed: None,
                },
                PolicyEntry::from,
            ),
            content: Document::text(p.content().unwrap_or_default()),
        }
    }
}

impl From<&org::PolicyTargetSummary> for TargetEntry {
    fn from(t: &org::PolicyTargetSummary) -> TargetEntry {
        TargetEntry {
            target_id: req(t.target_id()),
            name: own(t.name()),
            r#type: t.r#type().map(|x| x.as_str().to_owned()),
        }
    }
}

impl From<&sso::InstanceMetadata> for InstanceEntry {
    fn from(i: &sso::InstanceMetadata) -> InstanceEntry {
        InstanceEntry {
            instance_arn: req(i.instance_arn()),
            identity_store_id: req(i.identity_store_id()),
            owner_account_id: own(i.owner_account_id()),
            name: own(i.name()),
            status: i.status().map(|s| s.as_str().to_owned()),
        }
    }
}

impl From<&aws_sdk_ssoadmin::operation::describe_instance_access_control_attribute_configuration::DescribeInstanceAccessControlAttributeConfigurationOutput> for AbacConfig {
    fn from(c: &aws_sdk_ssoadmin::operation::describe_instance_access_control_attribute_configuration::DescribeInstanceAccessControlAttributeConfigurationOutput) -> AbacConfig {
        let attribute = |a: &sso::AccessControlAttribute| AbacAttributeEntry {
            key: a.key().to_owned(),
            value: AbacSource {
                source: OneOrMany(a.value().map(|v| v.source().to_vec()).unwrap_or_default()),
            },
        };
        AbacConfig {
            status: c.status().map(|s| s.as_str().to_owned()),
            instance_access_control_attribute_configuration: c
                .instance_access_control_attribute_configuration()
                .map(|cfg| AbacAttributes {
                    access_control_attributes: cfg.access_control_attributes().iter().map(attribute).collect(),
                }),
        }
    }
}

impl From<&sso::PermissionSet> for PermissionSetDesc {
    fn from(p: &sso::PermissionSet) -> PermissionSetDesc {
        PermissionSetDesc {
            name: req(p.name()),
            permission_set_arn: own(p.permission_set_arn()),
            description: own(p.description()),
            session_duration: own(p.session_duration()),
            relay_state: own(p.relay_state()),
        }
    }
}

impl From<&sso::AttachedManagedPolicy> for NamedArn {
    fn from(m: &sso::AttachedManagedPolicy) -> NamedArn {
        NamedArn {
            name: own(m.name()),
            arn: req(m.arn()),
        }
    }
}

impl From<&sso::CustomerManagedPolicyReference> for PolicyRef {
    fn from(c: &sso::CustomerManagedPolicyReference) -> PolicyRef {
        PolicyRef {
            name: c.name().to_owned(),
            path: own(c.path()),
        }
    }
}

impl From<&sso::PermissionsBoundary> for BoundaryEntry {
    fn from(b: &sso::PermissionsBoundary) -> BoundaryEntry {
        BoundaryEntry {
            managed_policy_arn: own(b.managed_policy_arn()),
            customer_managed_policy_reference: b
                .customer_managed_policy_reference()
                .map(PolicyRef::from),
        }
    }
}

impl From<&sso::AccountAssignment> for AssignmentEntry {
    fn from(a: &sso::AccountAssignment) -> AssignmentEntry {
        AssignmentEntry {
            account_id: req(a.account_id()),
            permission_set_arn: req(a.permission_set_arn()),
            principal_type: match a.principal_type() {
                Some(sso::PrincipalType::Group) => PrincipalType::Group,
                _ => PrincipalType::User,
            },
            principal_id: req(a.principal_id()),
        }
    }
}

impl From<&sso::Application> for ApplicationEntry {
    fn from(a: &sso::Application) -> ApplicationEntry {
        ApplicationEntry {
            application_arn: req(a.application_arn()),
            application_provider_arn: req(a.application_provider_arn()),
            name: req(a.name()),
            application_account: own(a.application_account()),
            instance_arn: own(a.instance_arn()),
            status: a.status().map(|s| s.as_str().to_owned()),
            portal_options: a.portal_options().map(|p| PortalOptions {
                visibility: Some(p.visibility().as_str().to_owned()),
                sign_in_options: p.sign_in_options().map(|o| SignInOptions {
                    origin: Some(o.origin().as_str().to_owned()),
                    application_url: own(o.application_url()),
                }),
            }),
            description: own(a.description()),
        }
    }
}

impl From<&sso::ApplicationAssignment> for ApplicationAssignmentEntry {
    fn from(a: &sso::ApplicationAssignment) -> ApplicationAssignmentEntry {
        ApplicationAssignmentEntry {
            application_arn: Some(a.application_arn().to_owned()),
            principal_id: a.principal_id().to_owned(),
            principal_type: match a.principal_type() {
                sso::PrincipalType::Group => PrincipalType::Group,
                _ => PrincipalType::User,
            },
        }
    }
}

impl From<&aa::ApplicationSummary> for AccessApplicationEntry {
    fn from(a: &aa::ApplicationSummary) -> AccessApplicationEntry {
        AccessApplicationEntry {
            application_arn: a.application_arn().to_owned(),
            tenant_id: own(a.tenant_id()),
        }
    }
}

impl From<&aa::EntitlementsListMember> for EntitlementEntry {
    fn from(e: &aa::EntitlementsListMember) -> EntitlementEntry {
        let role = match e.entitlement() {
            Some(aa::EntitlementSummary::PrincipalRole(r)) => Some(r),
            _ => None,
        };
        let (user_id, group_id) = match role.and_then(|r| r.principal()) {
            Some(aa::Principal::IdentityCenter(aa::IdentityCenterPrincipal::UserId(u))) => {
                (Some(u.clone()), None)
            }
            Some(aa::Principal::IdentityCenter(aa::IdentityCenterPrincipal::GroupId(g))) => {
                (None, Some(g.clone()))
            }
            _ => (None, None),
        };
        EntitlementEntry {
            entitlement_id: Some(e.entitlement_id().to_owned()),
            entitlement: EntitlementSummary {
                principal_role: role.map(|r| PrincipalRole {
                    principal: EntitlementPrincipal {
                        identity_center: IdentityCenterPrincipal { user_id, group_id },
                    },
                    role_arn: r.role_arn().to_owned(),
                    account: r.account().to_owned(),
                    account_name: own(r.account_name()),
                }),
            },
        }
    }
}

impl From<&ids::User> for UserEntry {
    fn from(u: &ids::User) -> UserEntry {
        let email = |e: &ids::Email| {
            Some(EmailEntry {
                value: own(e.value())?,
                r#type: own(e.r#type()),
                primary: Some(e.primary()),
            })
        };
        let external = |x: &ids::ExternalId| ExternalIdEntry {
            issuer: x.issuer().to_owned(),
            id: x.id().to_owned(),
        };
        UserEntry {
            user_id: u.user_id().to_owned(),
            user_name: req(u.user_name()),
            display_name: own(u.display_name()),
            name: u.name().map(|n| NameEntry {
                given_name: own(n.given_name()),
                family_name: own(n.family_name()),
            }),
            emails: u.emails().iter().filter_map(email).collect(),
            external_ids: u.external_ids().iter().map(external).collect(),
            nick_name: own(u.nick_name()),
            profile_url: own(u.profile_url()),
            user_type: own(u.user_type()),
            title: own(u.title()),
            preferred_language: own(u.preferred_language()),
            locale: own(u.locale()),
            timezone: own(u.timezone()),
            user_status: u.user_status().map(|s| match s {
                ids::UserStatus::Disabled => crate::snapshot::UserStatus::Disabled,
                _ => crate::snapshot::UserStatus::Enabled,
            }),
            addresses: Vec::new(),
            phone_numbers: Vec::new(),
            extensions: u
                .extensions()
                .map(|ext| ext.iter().map(|(k, d)| (k.clone(), json(d))).collect()),
        }
    }
}

impl From<&ids::Group> for GroupEntry {
    fn from(g: &ids::Group) -> GroupEntry {
        GroupEntry {
            group_id: g.group_id().to_owned(),
            display_name: req(g.display_name()),
            description: own(g.description()),
        }
    }
}

impl MembershipEntry {
    /// A user's membership (a group in a group is not a user's)
    pub(crate) fn of(m: &ids::GroupMembership) -> Option<MembershipEntry> {
        Some(MembershipEntry {
            group_id: own(m.group_id()),
            member_id: MemberId {
                user_id: m.member_id()?.as_user_id().ok()?.clone(),
            },
        })
    }
}

fn inline(list: &[iam::PolicyDetail]) -> Vec<PolicyDetail> {
    let one = |p: &iam::PolicyDetail| PolicyDetail {
        policy_name: req(p.policy_name()),
        policy_document: Document::text(p.policy_document().unwrap_or_default()),
    };
    list.iter().map(one).collect()
}

fn attached(list: &[iam::AttachedPolicy]) -> OneOrMany<AttachedPolicy> {
    let one = |p: &iam::AttachedPolicy| AttachedPolicy {
        policy_name: own(p.policy_name()),
        policy_arn: req(p.policy_arn()),
    };
    OneOrMany(list.iter().map(one).collect())
}

fn boundary(b: Option<&iam::AttachedPermissionsBoundary>) -> Option<AttachedBoundary> {
    b.map(|b| AttachedBoundary {
        permissions_boundary_arn: own(b.permissions_boundary_arn()),
        permissions_boundary_type: b.permissions_boundary_type().map(|t| t.as_str().to_owned()),
    })
}

impl AuthorizationDetails {
    /// Adds one page of `get-account-authorization-details`
    pub(crate) fn add(
        &mut self,
        p: &aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput,
    ) {
        let tags = |t: &[iam::Tag]| t.iter().map(Tag::from).collect();
        self.user_detail_list
            .extend(p.user_detail_list().iter().map(|u| IamUserDetail {
                user_name: req(u.user_name()),
                path: own(u.path()),
                arn: req(u.arn()),
                user_id: own(u.user_id()),
                group_list: u.group_list().to_vec(),
                user_policy_list: inline(u.user_policy_list()),
                attached_managed_policies: attached(u.attached_managed_policies()),
                permissions_boundary: boundary(u.permissions_boundary()),
                tags: tags(u.tags()),
            }));
        self.group_detail_list
            .extend(p.group_detail_list().iter().map(|g| IamGroupDetail {
                group_name: req(g.group_name()),
                path: own(g.path()),
                arn: req(g.arn()),
                group_policy_list: inline(g.group_policy_list()),
                attached_managed_policies: attached(g.attached_managed_policies()),
            }));
        self.role_detail_list
            .extend(p.role_detail_list().iter().map(|r| IamRoleDetail {
                role_name: req(r.role_name()),
                path: own(r.path()),
                arn: req(r.arn()),
                role_id: own(r.role_id()),
                assume_role_policy_document: Document::text(
                    r.assume_role_policy_document().unwrap_or_default(),
                ),
                role_policy_list: inline(r.role_policy_list()),
                attached_managed_policies: attached(r.attached_managed_policies()),
                permissions_boundary: boundary(r.permissions_boundary()),
                tags: tags(r.tags()),
            }));
        let version = |v: &iam::PolicyVersion| PolicyVersion {
            document: v.document().map(Document::text),
            is_default_version: v.is_default_version(),
            version_id: own(v.version_id()),
        };
        self.policies.extend(p.policies().iter().map(|m| {
            let arn = m.arn().unwrap_or_default();
            IamPolicyDetail {
                // Some endpoints leave the name out: it is the ARN's last part.
                policy_name: m.policy_name().map_or_else(
                    || arn.rsplit('/').next().unwrap_or(arn).to_owned(),
                    str::to_owned,
                ),
                arn: arn.to_owned(),
                path: own(m.path()),
                policy_version_list: m.policy_version_list().iter().map(version).collect(),
            }
        }));
    }
}
