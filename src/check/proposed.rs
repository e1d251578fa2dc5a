//! A proposed state: a typed list of [`Change`]s applied to the base
//! snapshot in one place ([`apply`]). Terraform plans
//! ([`terraform`](super::terraform)) and CloudFormation templates
//! ([`cloudformation`](super::cloudformation)) are two front-ends that
//! produce the list; neither edits a snapshot. Pure: the binary reads the
//! files.
//!
//! The changes are applied in dependency order whatever order the source
//! lists them in (Terraform sorts `resource_changes` by address, so an
//! attachment can come before the permission set it attaches to): every
//! removal first (assignments and memberships, then attachments, then the
//! objects), then users, groups and permission sets, then what attaches to
//! them, then memberships and assignments.

use crate::json::JsonValue;
use crate::snapshot::{
    AccessApplication, AccountAccess, Application, ApplicationAssignment, Assignment, Boundary,
    Entitlement, Group, Membership, PermissionSet, PolicyReference, Snapshot, User,
};

pub use super::cloudformation::{apply_cloudformation, read_template};
pub use super::terraform::{apply_terraform_plan, TERRAFORM_TYPES};

/// A plan or template that cannot be applied
#[derive(Debug, thiserror::Error)]
pub enum ProposedError {
    /// The file's shape is wrong
    #[error("{file}: {path}: {message}")]
    Shape {
        /// The file
        file: String,
        /// Where in it (a resource address or JSON path)
        path: String,
        /// What is wrong
        message: String,
    },
}

/// What a [`Change::PutPermissionSet`] does to the set's policies
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policies {
    /// Keep the policies of the set already there (Terraform: attachments
    /// are resources of their own, so a set's update carries none)
    Keep,
    /// The change carries the set's whole policy configuration
    /// (CloudFormation: one resource holds it all)
    Replace,
}

/// One change to the Identity Center state
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Create a permission set or update one of the same ARN
    PutPermissionSet {
        /// The set (its policies used only with [`Policies::Replace`])
        set: PermissionSet,
        /// Whether its policies replace those of the set there
        policies: Policies,
    },
    /// Delete a permission set
    RemovePermissionSet {
        /// Its ARN
        arn: String,
    },
    /// Attach an AWS managed policy
    AttachManagedPolicy {
        /// Permission set ARN
        permission_set: String,
        /// Policy ARN
        policy_arn: String,
    },
    /// Detach an AWS managed policy
    DetachManagedPolicy {
        /// Permission set ARN
        permission_set: String,
        /// Policy ARN
        policy_arn: String,
    },
    /// Attach a customer managed policy reference
    AttachCustomerManagedPolicy {
        /// Permission set ARN
        permission_set: String,
        /// The reference
        reference: PolicyReference,
    },
    /// Detach a customer managed policy reference
    DetachCustomerManagedPolicy {
        /// Permission set ARN
        permission_set: String,
        /// The reference
        reference: PolicyReference,
    },
    /// Put the inline policy
    PutInlinePolicy {
        /// Permission set ARN
        permission_set: String,
        /// The document, read by the parser every policy goes through
        document: JsonValue,
    },
    /// Delete the inline policy
    RemoveInlinePolicy {
        /// Permission set ARN
        permission_set: String,
    },
    /// Put the permissions boundary
    PutBoundary {
        /// Permission set ARN
        permission_set: String,
        /// The boundary
        boundary: Boundary,
    },
    /// Delete the permissions boundary
    RemoveBoundary {
        /// Permission set ARN
        permission_set: String,
    },
    /// Create an account assignment
    Assign(Assignment),
    /// Delete an account assignment
    Unassign(Assignment),
    /// Create a user or update one of the same id (fields the change does
    /// not know, such as ABAC attributes, are kept)
    PutUser(User),
    /// Delete a user
    RemoveUser {
        /// User id
        id: String,
    },
    /// Create a group or update one of the same id
    PutGroup(Group),
    /// Delete a group
    RemoveGroup {
        /// Group id
        id: String,
    },
    /// A user joins a group
    Join(Membership),
    /// A user leaves a group
    Leave(Membership),
    /// Create an Identity Center application or update one of the same ARN
    /// (its assignments and assignment configuration are resources of
    /// their own in Terraform and CloudFormation, so they are kept)
    PutApplication(Application),
    /// Delete an application (and with it its assignments)
    RemoveApplication {
        /// Its ARN
        arn: String,
    },
    /// Set whether an application requires assignment (`false`: every
    /// user of the directory has it); deleting Terraform's configuration
    /// resource sets it back to AWS's default, `true`
    SetAssignmentRequired {
        /// Application ARN
        application: String,
        /// `AssignmentRequired`
        required: bool,
    },
    /// Assign an application to a user or group
    AssignApplication {
        /// Application ARN
        application: String,
        /// The assignment
        assignment: ApplicationAssignment,
    },
    /// Delete an application assignment
    UnassignApplication {
        /// Application ARN
        application: String,
        /// The assignment
        assignment: ApplicationAssignment,
    },
    /// Create an account access manager entitlement (an application of
    /// that ARN is added when the base has none: the entitlement names it)
    Entitle {
        /// Account access manager application ARN
        application: String,
        /// The entitlement
        entitlement: Entitlement,
    },
    /// Delete an account access manager entitlement
    Unentitle {
        /// Account access manager application ARN
        application: String,
        /// The entitlement
        entitlement: Entitlement,
    },
}

impl Change {
    /// The step of [`apply`] this change belongs to: removals before
    /// additions, objects before what refers to them
    fn phase(&self) -> u8 {
        match self {
            Change::Unassign(_)
            | Change::Leave(_)
            | Change::UnassignApplication { .. }
            | Change::Unentitle { .. } => 0,
            Change::DetachManagedPolicy { .. }
            | Change::DetachCustomerManagedPolicy { .. }
            | Change::RemoveInlinePolicy { .. }
            | Change::RemoveBoundary { .. } => 1,
            Change::RemovePermissionSet { .. }
            | Change::RemoveUser { .. }
            | Change::RemoveGroup { .. }
            | Change::RemoveApplication { .. } => 2,
            Change::PutUser(_)
            | Change::PutGroup(_)
            | Change::PutPermissionSet { .. }
            | Change::PutApplication(_) => 3,
            Change::AttachManagedPolicy { .. }
            | Change::AttachCustomerManagedPolicy { .. }
            | Change::PutInlinePolicy { .. }
            | Change::PutBoundary { .. }
            | Change::SetAssignmentRequired { .. } => 4,
            Change::Join(_)
            | Change::Assign(_)
            | Change::AssignApplication { .. }
            | Change::Entitle { .. } => 5,
        }
    }
}

/// A change and where its source declares it (a resource address or a
/// JSON pointer), for the error that names it
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// Where
    pub at: String,
    /// What
    pub change: Change,
}

/// Applies `changes` to a copy of `base`, in dependency order (see the
/// module doc); `applied` says what they came from (`terraform plan`),
/// recorded in the provenance with `file`
///
/// # Errors
/// A change to the policies of a permission set neither the base nor the
/// changes have.
pub fn apply(
    base: &Snapshot,
    changes: &[Located],
    file: &str,
    applied: &str,
) -> Result<Snapshot, ProposedError> {
    let mut s = base.clone();
    let mut order: Vec<&Located> = changes.iter().collect();
    order.sort_by_key(|c| c.change.phase());
    for c in order {
        apply_one(&mut s, c, file)?;
    }
    s.provenance.source = format!("{} + {applied} {file}", s.provenance.source);
    s.normalize();
    Ok(s)
}

fn set_mut<'s>(
    s: &'s mut Snapshot,
    arn: &str,
    c: &Located,
    file: &str,
) -> Result<&'s mut PermissionSet, ProposedError> {
    s.permission_sets
        .iter_mut()
        .find(|p| p.arn == arn)
        .ok_or_else(|| ProposedError::Shape {
            file: file.to_owned(),
            path: c.at.clone(),
            message: format!("no permission set `{arn}` in the base or the change"),
        })
}

fn apply_one(s: &mut Snapshot, c: &Located, file: &str) -> Result<(), ProposedError> {
    match &c.change {
        Change::PutPermissionSet { set, policies } => {
            let mut set = set.clone();
            if let Some(i) = s.permission_sets.iter().position(|p| p.arn == set.arn) {
                let old = s.permission_sets.remove(i);
                if *policies == Policies::Keep {
                    set.aws_managed_policies = old.aws_managed_policies;
                    set.customer_managed_policies = old.customer_managed_policies;
                    set.inline_policy = old.inline_policy;
                    set.permissions_boundary = old.permissions_boundary;
                }
                set.provisioning = old.provisioning;
            }
            s.permission_sets.push(set);
        }
        Change::RemovePermissionSet { arn } => s.permission_sets.retain(|p| &p.arn != arn),
        // Removals of what is not there leave it absent, as asked.
        Change::DetachManagedPolicy {
            permission_set,
            policy_arn,
        } => {
            if let Ok(p) = set_mut(s, permission_set, c, file) {
                p.aws_managed_policies.retain(|x| x != policy_arn);
            }
        }
        Change::DetachCustomerManagedPolicy {
            permission_set,
            reference,
        } => {
            if let Ok(p) = set_mut(s, permission_set, c, file) {
                p.customer_managed_policies.retain(|x| x != reference);
            }
        }
        Change::RemoveInlinePolicy { permission_set } => {
            if let Ok(p) = set_mut(s, permission_set, c, file) {
                p.inline_policy = None;
            }
        }
        Change::RemoveBoundary { permission_set } => {
            if let Ok(p) = set_mut(s, permission_set, c, file) {
                p.permissions_boundary = None;
            }
        }
        Change::AttachManagedPolicy {
            permission_set,
            policy_arn,
        } => {
            let p = set_mut(s, permission_set, c, file)?;
            if !p.aws_managed_policies.contains(policy_arn) {
                p.aws_managed_policies.push(policy_arn.clone());
            }
        }
        Change::AttachCustomerManagedPolicy {
            permission_set,
            reference,
        } => {
            let p = set_mut(s, permission_set, c, file)?;
            if !p.customer_managed_policies.contains(reference) {
                p.customer_managed_policies.push(reference.clone());
            }
        }
        Change::PutInlinePolicy {
            permission_set,
            document,
        } => set_mut(s, permission_set, c, file)?.inline_policy = Some(document.clone()),
        Change::PutBoundary {
            permission_set,
            boundary,
        } => set_mut(s, permission_set, c, file)?.permissions_boundary = Some(boundary.clone()),
        Change::Assign(a) => {
            if !s.assignments.contains(a) {
                s.assignments.push(a.clone());
            }
        }
        Change::Unassign(a) => s.assignments.retain(|x| x != a),
        Change::PutUser(u) => {
            let mut u = u.clone();
            if let Some(i) = s.users.iter().position(|x| x.id == u.id) {
                let old = s.users.remove(i);
                u.attributes = old.attributes;
                u.enterprise = old.enterprise;
                u.external_ids = old.external_ids;
                u.status = old.status;
                if u.emails.is_empty() {
                    u.emails = old.emails;
                }
            }
            s.users.push(u);
        }
        Change::RemoveUser { id } => s.users.retain(|u| &u.id != id),
        Change::PutGroup(g) => {
            s.groups.retain(|x| x.id != g.id);
            s.groups.push(g.clone());
        }
        Change::RemoveGroup { id } => s.groups.retain(|g| &g.id != id),
        Change::Join(m) => {
            if !s.memberships.contains(m) {
                s.memberships.push(m.clone());
            }
        }
        Change::Leave(m) => s.memberships.retain(|x| x != m),
        Change::PutApplication(app) => {
            let apps = s.applications.get_or_insert_with(Vec::new);
            let mut app = app.clone();
            if let Some(i) = apps.iter().position(|a| a.arn == app.arn) {
                let old = apps.remove(i);
                app.assignments = old.assignments;
                app.assignment_required = old.assignment_required;
            }
            apps.push(app);
        }
        Change::RemoveApplication { arn } => {
            if let Some(apps) = &mut s.applications {
                apps.retain(|a| &a.arn != arn);
            }
        }
        Change::SetAssignmentRequired {
            application,
            required,
        } => match app_mut(s, application) {
            Some(a) => a.assignment_required = Some(*required),
            // Deleting the configuration of an application the change
            // also deletes (or nobody has) leaves nothing to set.
            None if *required => {}
            None => return Err(no_application(application, c, file)),
        },
        Change::AssignApplication {
            application,
            assignment,
        } => {
            let a = app_mut(s, application).ok_or_else(|| no_application(application, c, file))?;
            let list = a.assignments.get_or_insert_with(Vec::new);
            if !list.contains(assignment) {
                list.push(assignment.clone());
            }
        }
        Change::UnassignApplication {
            application,
            assignment,
        } => {
            if let Some(list) = app_mut(s, application).and_then(|a| a.assignments.as_mut()) {
                list.retain(|x| x != assignment);
            }
        }
        Change::Entitle {
            application,
            entitlement,
        } => {
            let aa = s.account_access.get_or_insert_with(|| AccountAccess {
                applications: Vec::new(),
            });
            let i = match aa.applications.iter().position(|a| &a.arn == application) {
                Some(i) => i,
                None => {
                    aa.applications.push(AccessApplication {
                        arn: application.clone(),
                        tenant_id: None,
                        entitlements: Some(Vec::new()),
                    });
                    aa.applications.len() - 1
                }
            };
            let list = aa.applications[i].entitlements.get_or_insert_with(Vec::new);
            let same = |x: &Entitlement| {
                (&x.principal_type, &x.principal_id, &x.role_arn)
                    == (
                        &entitlement.principal_type,
                        &entitlement.principal_id,
                        &entitlement.role_arn,
                    )
            };
            if !list.iter().any(same) {
                list.push(entitlement.clone());
            }
        }
        Change::Unentitle {
            application,
            entitlement,
        } => {
            let app = s
                .account_access
                .iter_mut()
                .flat_map(|aa| aa.applications.iter_mut())
                .find(|a| &a.arn == application);
            // The account's name is the service's, not part of what the
            // entitlement is.
            if let Some(list) = app.and_then(|a| a.entitlements.as_mut()) {
                list.retain(|x| {
                    (&x.principal_type, &x.principal_id, &x.role_arn)
                        != (
                            &entitlement.principal_type,
                            &entitlement.principal_id,
                            &entitlement.role_arn,
                        )
                });
            }
        }
    }
    Ok(())
}

fn app_mut<'s>(s: &'s mut Snapshot, arn: &str) -> Option<&'s mut Application> {
    s.applications.iter_mut().flatten().find(|a| a.arn == arn)
}

fn no_application(arn: &str, c: &Located, file: &str) -> ProposedError {
    ProposedError::Shape {
        file: file.to_owned(),
        path: c.at.clone(),
        message: format!("no application `{arn}` in the base or the change"),
    }
}

/// What a front-end's placeholder ARN stands for
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Planned {
    /// A permission set the change creates
    PermissionSet,
    /// An application the change creates
    Application,
}

/// The placeholder ARN of a permission set or application the change
/// creates, known only once it is: in the base's instance, named after
/// `name` (a plan's resource address or a template's logical id)
pub(super) fn planned_arn(instance_arn: &str, kind: Planned, name: &str) -> String {
    let id = instance_arn.rsplit('/').next().unwrap_or("ssoins-planned");
    match kind {
        Planned::PermissionSet => format!("arn:aws:sso:::permissionSet/{id}/ps-planned-{name}"),
        Planned::Application => format!("arn:aws:sso:::application/{id}/apl-planned-{name}"),
    }
}

/// An application with only what a front-end names, the rest AWS's
/// defaults: enabled, visible in the portal, assignment required, no
/// assignments yet
pub(super) fn new_application(arn: String, name: String, provider_arn: String) -> Application {
    Application {
        arn,
        name,
        description: None,
        status: "ENABLED".to_owned(),
        provider_arn,
        account_id: None,
        visibility: "ENABLED".to_owned(),
        sign_in_origin: None,
        application_url: None,
        assignment_required: Some(true),
        assignments: Some(Vec::new()),
    }
}

/// An entitlement as a plan or template gives it: the account is the
/// role ARN's when not given, its name the organization's
pub(super) fn new_entitlement(
    base: &Snapshot,
    principal_type: crate::snapshot::PrincipalType,
    principal_id: String,
    role_arn: String,
    account: Option<String>,
) -> Entitlement {
    let account_id =
        account.unwrap_or_else(|| role_arn.split(':').nth(4).unwrap_or_default().to_owned());
    let account_name = base
        .organization
        .iter()
        .flat_map(|o| &o.accounts)
        .find(|a| a.id == account_id)
        .map(|a| a.name.clone());
    Entitlement {
        principal_type,
        principal_id,
        role_arn,
        account_id,
        account_name,
    }
}

/// A permission set with only the attributes a front-end names, the rest
/// empty (AWS's defaults)
pub(super) fn new_set(arn: String, name: String) -> PermissionSet {
    PermissionSet {
        arn,
        name,
        description: None,
        session_duration: "PT1H".to_owned(),
        relay_state: None,
        aws_managed_policies: Vec::new(),
        customer_managed_policies: Vec::new(),
        inline_policy: None,
        permissions_boundary: None,
        tags: Default::default(),
        provisioning: Vec::new(),
    }
}

/// Parses a policy document given as text in a plan or template, by the
/// rule every policy follows (duplicate keys refused), the error located
pub(super) fn policy_text(text: &str, file: &str, at: &str) -> Result<JsonValue, ProposedError> {
    JsonValue::parse(text).map_err(|e| ProposedError::Shape {
        file: file.to_owned(),
        path: at.to_owned(),
        message: format!("the policy document is not valid JSON: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::PrincipalType;

    fn base() -> Snapshot {
        let mut s = Snapshot::from_json(
            r#"{"format_version": 1, "provenance": {"tool_version": "t", "collected_at": "t", "source": "s"}}"#,
        )
        .unwrap();
        let mut p = new_set("arn:ps/a".into(), "A".into());
        p.aws_managed_policies = vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".into()];
        s.permission_sets.push(p);
        s
    }

    fn at(change: Change) -> Located {
        Located {
            at: "x".into(),
            change,
        }
    }

    #[test]
    fn order_of_the_list_does_not_matter() {
        let set = new_set("arn:ps/new".into(), "New".into());
        let changes = vec![
            at(Change::AttachManagedPolicy {
                permission_set: "arn:ps/new".into(),
                policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            }),
            at(Change::Assign(Assignment {
                account_id: "1".into(),
                permission_set_arn: "arn:ps/new".into(),
                principal_type: PrincipalType::User,
                principal_id: "u".into(),
            })),
            at(Change::PutPermissionSet {
                set,
                policies: Policies::Keep,
            }),
        ];
        let s = apply(&base(), &changes, "f", "t").unwrap();
        let p = s.permission_sets.iter().find(|p| p.name == "New").unwrap();
        assert_eq!(
            p.aws_managed_policies,
            ["arn:aws:iam::aws:policy/AdministratorAccess"]
        );
        assert_eq!(s.assignments.len(), 1);
    }

    #[test]
    fn an_update_keeps_or_replaces_the_policies_as_asked() {
        let mut set = new_set("arn:ps/a".into(), "A".into());
        set.description = Some("new words".into());
        let keep = apply(
            &base(),
            &[at(Change::PutPermissionSet {
                set: set.clone(),
                policies: Policies::Keep,
            })],
            "f",
            "t",
        )
        .unwrap();
        assert_eq!(keep.permission_sets[0].aws_managed_policies.len(), 1);
        assert_eq!(
            keep.permission_sets[0].description.as_deref(),
            Some("new words")
        );
        let replace = apply(
            &base(),
            &[at(Change::PutPermissionSet {
                set,
                policies: Policies::Replace,
            })],
            "f",
            "t",
        )
        .unwrap();
        assert!(replace.permission_sets[0].aws_managed_policies.is_empty());
    }

    #[test]
    fn attaching_to_a_set_nobody_has_is_an_error_naming_the_source() {
        let e = apply(
            &base(),
            &[Located {
                at: "aws_x.y[\"k\"]".into(),
                change: Change::RemoveBoundary {
                    permission_set: "arn:ps/none".into(),
                },
            }],
            "f",
            "t",
        );
        assert!(e.is_ok(), "removing what is absent leaves it absent");
        let e = apply(
            &base(),
            &[Located {
                at: "aws_x.y[\"k\"]".into(),
                change: Change::PutInlinePolicy {
                    permission_set: "arn:ps/none".into(),
                    document: JsonValue::Null,
                },
            }],
            "f",
            "t",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f: aws_x.y[\"k\"]: no permission set `arn:ps/none` in the base or the change"
        );
    }

    #[test]
    fn policy_text_refuses_duplicate_keys() {
        let e = policy_text(r#"{"Effect": "Allow", "Effect": "Deny"}"#, "f", "a").unwrap_err();
        assert!(e.to_string().contains("duplicate key `Effect`"), "{e}");
    }
}
