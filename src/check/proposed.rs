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
    Assignment, Boundary, Group, Membership, PermissionSet, PolicyReference, Snapshot, User,
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
}

impl Change {
    /// The step of [`apply`] this change belongs to: removals before
    /// additions, objects before what refers to them
    fn phase(&self) -> u8 {
        match self {
            Change::Unassign(_) | Change::Leave(_) => 0,
            Change::DetachManagedPolicy { .. }
            | Change::DetachCustomerManagedPolicy { .. }
            | Change::RemoveInlinePolicy { .. }
            | Change::RemoveBoundary { .. } => 1,
            Change::RemovePermissionSet { .. }
            | Change::RemoveUser { .. }
            | Change::RemoveGroup { .. } => 2,
            Change::PutUser(_) | Change::PutGroup(_) | Change::PutPermissionSet { .. } => 3,
            Change::AttachManagedPolicy { .. }
            | Change::AttachCustomerManagedPolicy { .. }
            | Change::PutInlinePolicy { .. }
            | Change::PutBoundary { .. } => 4,
            Change::Join(_) | Change::Assign(_) => 5,
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
    }
    Ok(())
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
