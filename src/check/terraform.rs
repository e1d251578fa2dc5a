//! The Terraform front-end of the proposed state: a plan as
//! `terraform show -json PLAN` prints it, read into typed
//! [`Change`]s.
//!
//! - Each resource instance keeps its address with its `for_each` or
//!   `count` key (`aws_identitystore_user.contractor["carol"]`), so two new
//!   instances of one resource stay two.
//! - A value Terraform knows only after apply (a new set's ARN, a new
//!   group's id) becomes a placeholder of the instance that will create it
//!   (`arn:aws:sso:::permissionSet/<instance>/ps-planned-<address>`,
//!   `planned-<address>`), found through the configuration's references:
//!   a reference with a literal key (`aws_x.y[0]`) names that instance, one
//!   without names the only planned instance, or the one with the
//!   referring instance's own key (`aws_x.y[each.key]`, `[count.index]`).
//! - `update` of a permission set changes its attributes and keeps its
//!   policies (the attachments are resources of their own); `update` of
//!   anything else, and replacement, is its old value removed and its new
//!   one put.
//! - Inline policies are parsed by the rule every policy follows.

use serde_json::Value;

use super::proposed::{
    apply, new_application, new_entitlement, new_set, planned_arn, policy_text, Change, Located,
    Planned, Policies, ProposedError,
};
use crate::snapshot::{
    ApplicationAssignment, Assignment, Boundary, Email, Group, Membership, PolicyReference,
    PrincipalType, Snapshot, User, UserStatus,
};

/// The Terraform resource types the plan reader applies
pub const TERRAFORM_TYPES: &[&str] = &[
    "aws_ssoadmin_permission_set",
    "aws_ssoadmin_managed_policy_attachment",
    "aws_ssoadmin_customer_managed_policy_attachment",
    "aws_ssoadmin_permission_set_inline_policy",
    "aws_ssoadmin_permissions_boundary_attachment",
    "aws_ssoadmin_account_assignment",
    "aws_identitystore_group_membership",
    "aws_identitystore_user",
    "aws_identitystore_group",
    "aws_ssoadmin_application",
    "aws_ssoadmin_application_assignment",
    "aws_ssoadmin_application_assignment_configuration",
    "aws_accountaccess_entitlement",
];

/// Applies a plan's changes to the Identity Center resources onto `base`
///
/// # Errors
/// A plan that is not `terraform show -json` output, a change that names an
/// object neither the base nor the plan has, an unknown-after-apply value
/// the configuration does not tie to one planned instance, a policy
/// document that is not valid JSON.
pub fn apply_terraform_plan(
    base: &Snapshot,
    plan: &Value,
    file: &str,
) -> Result<Snapshot, ProposedError> {
    let changes = terraform_changes(base, plan, file)?;
    apply(base, &changes, file, "terraform plan")
}

/// A resource address split into its module path (with instance keys, and
/// a trailing dot when not empty), its `type.name` and its instance key
/// (with brackets, or empty)
#[derive(Debug, Clone, PartialEq, Eq)]
struct Address {
    module: String,
    resource: String,
    key: String,
}

impl Address {
    /// Reads `module.m["a"].aws_x.y[0]`; `None` when fewer than two parts
    fn parse(address: &str) -> Option<Address> {
        let parts = split_address(address);
        if parts.len() < 2 {
            return None;
        }
        let name_part = parts[parts.len() - 1];
        let (name, key) = match name_part.find('[') {
            Some(i) => (&name_part[..i], &name_part[i..]),
            None => (name_part, ""),
        };
        let ty = parts[parts.len() - 2];
        let mut module = parts[..parts.len() - 2].join(".");
        if !module.is_empty() {
            module.push('.');
        }
        Some(Address {
            module,
            resource: format!("{ty}.{name}"),
            key: key.to_owned(),
        })
    }

    /// The configuration's address: module calls and the resource without
    /// instance keys
    fn config(&self) -> String {
        let mut m = String::new();
        for part in split_address(&self.module)
            .into_iter()
            .filter(|p| !p.is_empty())
        {
            m.push_str(part.split('[').next().unwrap_or(part));
            m.push('.');
        }
        format!("{m}{}", self.resource)
    }
}

/// The dot-separated parts of an address, dots inside `[...]` (quoted
/// keys) kept
fn split_address(address: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    let (mut depth, mut start, mut quoted) = (0usize, 0usize, false);
    let bytes = address.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' if depth > 0 && (i == 0 || bytes[i - 1] != b'\\') => quoted = !quoted,
            b'[' if !quoted => depth += 1,
            b']' if !quoted => depth = depth.saturating_sub(1),
            b'.' if depth == 0 => {
                parts.push(&address[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&address[start..]);
    parts
}

/// The placeholder id of a value the planned instance at `address` creates
fn placeholder(instance_arn: &str, ty: &str, address: &str) -> String {
    let safe: String = address
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    match ty {
        "aws_ssoadmin_permission_set" => planned_arn(instance_arn, Planned::PermissionSet, &safe),
        "aws_ssoadmin_application" => planned_arn(instance_arn, Planned::Application, &safe),
        _ => format!("planned-{safe}"),
    }
}

/// The configuration expressions by configuration address, modules walked
fn expressions(module: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(a) = r.get("address").and_then(Value::as_str) {
            let e = r.get("expressions").cloned().unwrap_or(Value::Null);
            out.push((format!("{prefix}{a}"), e));
        }
    }
    for (name, call) in module
        .get("module_calls")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(m) = call.get("module") {
            expressions(m, &format!("{prefix}module.{name}."), out);
        }
    }
}

struct Plan<'p> {
    base: &'p Snapshot,
    file: &'p str,
    instance_arn: String,
    config: Vec<(String, Value)>,
    /// Planned creations: (address, its parts, type)
    planned: Vec<(String, Address, String)>,
}

impl Plan<'_> {
    fn err(&self, at: &str, message: impl Into<String>) -> ProposedError {
        ProposedError::Shape {
            file: self.file.to_owned(),
            path: at.to_owned(),
            message: message.into(),
        }
    }

    /// The string value of `attr` in `values` (`after` or `before`), or
    /// for an unknown one the placeholder of the planned instance the
    /// configuration ties it to
    fn value(
        &self,
        rc: &Value,
        values: &Value,
        attr: &str,
        address: &str,
    ) -> Result<Option<String>, ProposedError> {
        self.value_at(rc, values, &[attr], address)
    }

    /// As [`Plan::value`] for an attribute inside nested blocks
    /// (`entitlement.principal_role.role_arn`): each block is its first
    /// element, in the values, the unknowns and the configuration alike
    fn value_at(
        &self,
        rc: &Value,
        values: &Value,
        path: &[&str],
        address: &str,
    ) -> Result<Option<String>, ProposedError> {
        if let Some(s) = at_path(values, path).and_then(Value::as_str) {
            return Ok(Some(s.to_owned()));
        }
        let attr = path.join(".");
        if !is_unknown(rc, path) {
            return Ok(None);
        }
        let Some(me) = Address::parse(address) else {
            return Err(self.err(address, "not a resource address"));
        };
        let refs: Vec<&str> = self
            .config
            .iter()
            .find(|(a, _)| *a == me.config())
            .and_then(|(_, e)| at_path(e, path))
            .and_then(|e| e.get("references"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for r in &refs {
            // `aws_x.y[0].arn`, `aws_x.y[0]`, `aws_x.y`: the resource and
            // any literal key, relative to the referring module.
            let (resource, key) = (reference_resource(r), reference_key(r));
            let full = format!("{}{resource}", me.module);
            let candidates: Vec<&(String, Address, String)> = self
                .planned
                .iter()
                .filter(|(_, a, _)| format!("{}{}", a.module, a.resource) == full)
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let chosen = if let Some(k) = key {
                candidates.iter().find(|(_, a, _)| a.key == k)
            } else if candidates.len() == 1 {
                candidates.first()
            } else {
                candidates.iter().find(|(_, a, _)| a.key == me.key)
            };
            return match chosen {
                Some((addr, _, ty)) => Ok(Some(placeholder(&self.instance_arn, ty, addr))),
                None => Err(self.err(
                    address,
                    format!(
                        "`{attr}` is known only after apply and refers to `{full}`, of which this plan creates {} instance(s), none with the key `{}`",
                        candidates.len(),
                        key.unwrap_or(&me.key)
                    ),
                )),
            };
        }
        Err(self.err(
            address,
            format!("`{attr}` is known only after apply and the configuration does not tie it to a resource this plan creates"),
        ))
    }

    fn required(
        &self,
        rc: &Value,
        values: &Value,
        attr: &str,
        address: &str,
    ) -> Result<String, ProposedError> {
        self.value(rc, values, attr, address)?
            .ok_or_else(|| self.err(address, format!("`{attr}` is missing")))
    }
}

/// The value at `path` through nested blocks, each block its first
/// element
fn at_path<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for (i, key) in path.iter().enumerate() {
        cur = cur.get(key)?;
        if let (Value::Array(a), true) = (cur, i + 1 < path.len()) {
            cur = a.first()?;
        }
    }
    Some(cur)
}

/// Whether Terraform knows the value at `path` (or a block holding it)
/// only after apply
fn is_unknown(rc: &Value, path: &[&str]) -> bool {
    let Some(u) = rc.pointer("/change/after_unknown") else {
        return false;
    };
    (1..=path.len()).any(|n| at_path(u, &path[..n]) == Some(&Value::Bool(true)))
}

/// `type.name` of a reference `type.name[key].attr...`
fn reference_resource(r: &str) -> String {
    let mut parts = r.splitn(3, '.');
    let ty = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default();
    let name = rest.split('[').next().unwrap_or(rest);
    format!("{ty}.{name}")
}

/// The literal key of a reference `type.name[key]...`, with brackets
fn reference_key(r: &str) -> Option<&str> {
    let open = r.find('[')?;
    let close = r[open..].find(']')? + open;
    let key = &r[open..=close];
    // `[each.key]` and `[count.index]` are not literal keys (Terraform
    // lists them apart, but be safe).
    (key.starts_with("[\"") || key[1..key.len() - 1].chars().all(|c| c.is_ascii_digit()))
        .then_some(key)
}

/// The first element of a nested block (`[ {...} ]`) or the object itself
fn block(v: &Value, key: &str) -> Value {
    match v.get(key) {
        Some(Value::Array(a)) => a.first().cloned().unwrap_or(Value::Null),
        Some(o) => o.clone(),
        None => Value::Null,
    }
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn reference(v: &Value) -> Option<PolicyReference> {
    Some(PolicyReference {
        name: str_of(v, "name")?,
        path: str_of(v, "path").unwrap_or_else(|| "/".to_owned()),
    })
}

/// The typed changes of a plan
///
/// # Errors
/// As [`apply_terraform_plan`].
pub fn terraform_changes(
    base: &Snapshot,
    plan: &Value,
    file: &str,
) -> Result<Vec<Located>, ProposedError> {
    let err = |at: &str, m: &str| ProposedError::Shape {
        file: file.to_owned(),
        path: at.to_owned(),
        message: m.to_owned(),
    };
    let resource_changes = plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            err(
                "/resource_changes",
                "missing: is this `terraform show -json PLAN` output?",
            )
        })?;
    let mut config = Vec::new();
    if let Some(root) = plan.pointer("/configuration/root_module") {
        expressions(root, "", &mut config);
    }
    let mut relevant = Vec::new();
    for (i, rc) in resource_changes.iter().enumerate() {
        let ty = rc.get("type").and_then(Value::as_str).unwrap_or_default();
        if !TERRAFORM_TYPES.contains(&ty) || rc.get("mode").and_then(Value::as_str) == Some("data")
        {
            continue;
        }
        let at = format!("/resource_changes/{i}");
        let address = rc
            .get("address")
            .and_then(Value::as_str)
            .ok_or_else(|| err(&format!("{at}/address"), "missing"))?;
        let parsed = Address::parse(address)
            .ok_or_else(|| err(&format!("{at}/address"), "not a resource address"))?;
        let actions: Vec<&str> = rc
            .pointer("/change/actions")
            .and_then(Value::as_array)
            .ok_or_else(|| err(&format!("{at}/change/actions"), "missing"))?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        relevant.push((rc, ty, address, parsed, actions));
    }
    let p = Plan {
        base,
        file,
        instance_arn: base
            .identity_center
            .as_ref()
            .map(|ic| ic.instance_arn.clone())
            .unwrap_or_default(),
        config,
        planned: relevant
            .iter()
            .filter(|(_, _, _, _, actions)| actions.contains(&"create"))
            .map(|(_, ty, address, parsed, _)| {
                ((*address).to_owned(), parsed.clone(), (*ty).to_owned())
            })
            .collect(),
    };
    let mut out = Vec::new();
    for (rc, ty, address, _, actions) in &relevant {
        if actions.iter().all(|a| *a == "no-op" || *a == "read") {
            continue;
        }
        let before = &rc["change"]["before"];
        let after = &rc["change"]["after"];
        let update = actions.contains(&"update");
        let put = actions.contains(&"create") || update;
        // A permission set's update keeps its policies; anything else is
        // removed and put again.
        let remove = actions.contains(&"delete")
            || (update
                && !matches!(
                    *ty,
                    "aws_ssoadmin_permission_set" | "aws_ssoadmin_application"
                ));
        if remove {
            if let Some(c) = removal(base, ty, before) {
                out.push(Located {
                    at: (*address).to_owned(),
                    change: c,
                });
            }
        }
        if put {
            out.push(Located {
                at: (*address).to_owned(),
                change: addition(&p, ty, rc, after, address)?,
            });
        }
    }
    Ok(out)
}

/// What removing the object `before` describes changes (`None` when the
/// plan does not say enough to name it: it is then not in the base either)
fn removal(base: &Snapshot, ty: &str, before: &Value) -> Option<Change> {
    let s = |k: &str| str_of(before, k);
    Some(match ty {
        "aws_ssoadmin_permission_set" => Change::RemovePermissionSet { arn: s("arn")? },
        "aws_ssoadmin_managed_policy_attachment" => Change::DetachManagedPolicy {
            permission_set: s("permission_set_arn")?,
            policy_arn: s("managed_policy_arn")?,
        },
        "aws_ssoadmin_customer_managed_policy_attachment" => Change::DetachCustomerManagedPolicy {
            permission_set: s("permission_set_arn")?,
            reference: reference(&block(before, "customer_managed_policy_reference"))?,
        },
        "aws_ssoadmin_permission_set_inline_policy" => Change::RemoveInlinePolicy {
            permission_set: s("permission_set_arn")?,
        },
        "aws_ssoadmin_permissions_boundary_attachment" => Change::RemoveBoundary {
            permission_set: s("permission_set_arn")?,
        },
        "aws_ssoadmin_account_assignment" => Change::Unassign(Assignment {
            account_id: s("target_id")?,
            permission_set_arn: s("permission_set_arn")?,
            principal_type: principal_type(&s("principal_type")?)?,
            principal_id: s("principal_id")?,
        }),
        "aws_identitystore_group_membership" => Change::Leave(Membership {
            group_id: s("group_id")?,
            user_id: s("member_id")?,
        }),
        "aws_identitystore_user" => Change::RemoveUser { id: s("user_id")? },
        "aws_identitystore_group" => Change::RemoveGroup { id: s("group_id")? },
        "aws_ssoadmin_application" => Change::RemoveApplication {
            arn: s("application_arn")?,
        },
        "aws_ssoadmin_application_assignment" => Change::UnassignApplication {
            application: s("application_arn")?,
            assignment: ApplicationAssignment {
                principal_type: principal_type(&s("principal_type")?)?,
                principal_id: s("principal_id")?,
            },
        },
        // Without the configuration resource AWS's default holds again.
        "aws_ssoadmin_application_assignment_configuration" => Change::SetAssignmentRequired {
            application: s("application_arn")?,
            required: true,
        },
        "aws_accountaccess_entitlement" => {
            let at = |k: &str| {
                at_path(before, &[ENTITLEMENT, PRINCIPAL_ROLE, k])
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let who = |k: &str| {
                at_path(
                    before,
                    &[ENTITLEMENT, PRINCIPAL_ROLE, "principal", IDENTITY_CENTER, k],
                )
                .and_then(Value::as_str)
                .map(str::to_owned)
            };
            let (pt, id) = match (who("user_id"), who("group_id")) {
                (Some(u), _) => (PrincipalType::User, u),
                (None, Some(g)) => (PrincipalType::Group, g),
                (None, None) => return None,
            };
            Change::Unentitle {
                application: s("application_arn")?,
                entitlement: new_entitlement(base, pt, id, at("role_arn")?, at("account")),
            }
        }
        _ => return None,
    })
}

/// The nested blocks of an entitlement
const ENTITLEMENT: &str = "entitlement";
const PRINCIPAL_ROLE: &str = "principal_role";
const IDENTITY_CENTER: &str = "identity_center";

fn principal_type(s: &str) -> Option<PrincipalType> {
    match s {
        "USER" => Some(PrincipalType::User),
        "GROUP" => Some(PrincipalType::Group),
        _ => None,
    }
}

/// What creating (or updating to) the object `after` describes changes
fn addition(
    p: &Plan<'_>,
    ty: &str,
    rc: &Value,
    after: &Value,
    address: &str,
) -> Result<Change, ProposedError> {
    let req = |attr: &str| p.required(rc, after, attr, address);
    Ok(match ty {
        "aws_ssoadmin_permission_set" => {
            let arn = match str_of(after, "arn") {
                Some(a) => a,
                None => placeholder(&p.instance_arn, ty, address),
            };
            let mut set = new_set(arn, req("name")?);
            set.description = str_of(after, "description");
            set.relay_state = str_of(after, "relay_state");
            if let Some(d) = str_of(after, "session_duration") {
                set.session_duration = d;
            }
            if let Some(tags) = after.get("tags").and_then(Value::as_object) {
                set.tags = tags
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect();
            }
            Change::PutPermissionSet {
                set,
                policies: Policies::Keep,
            }
        }
        "aws_ssoadmin_managed_policy_attachment" => Change::AttachManagedPolicy {
            permission_set: req("permission_set_arn")?,
            policy_arn: req("managed_policy_arn")?,
        },
        "aws_ssoadmin_customer_managed_policy_attachment" => Change::AttachCustomerManagedPolicy {
            permission_set: req("permission_set_arn")?,
            reference: reference(&block(after, "customer_managed_policy_reference"))
                .ok_or_else(|| p.err(address, "`customer_managed_policy_reference` has no name"))?,
        },
        "aws_ssoadmin_permission_set_inline_policy" => Change::PutInlinePolicy {
            permission_set: req("permission_set_arn")?,
            document: policy_text(
                &req("inline_policy")?,
                p.file,
                &format!("{address}: inline_policy"),
            )?,
        },
        "aws_ssoadmin_permissions_boundary_attachment" => {
            let b = block(after, "permissions_boundary");
            let boundary = if let Some(m) = str_of(&b, "managed_policy_arn") {
                Boundary::ManagedPolicyArn(m)
            } else if let Some(r) = reference(&block(&b, "customer_managed_policy_reference")) {
                Boundary::CustomerManaged(r)
            } else {
                return Err(p.err(address, "`permissions_boundary` names no policy"));
            };
            Change::PutBoundary {
                permission_set: req("permission_set_arn")?,
                boundary,
            }
        }
        "aws_ssoadmin_account_assignment" => {
            let target_type = str_of(after, "target_type").unwrap_or_else(|| "AWS_ACCOUNT".into());
            if target_type != "AWS_ACCOUNT" {
                return Err(p.err(
                    address,
                    format!("target_type `{target_type}` is not AWS_ACCOUNT"),
                ));
            }
            let pt = req("principal_type")?;
            Change::Assign(Assignment {
                account_id: req("target_id")?,
                permission_set_arn: req("permission_set_arn")?,
                principal_type: principal_type(&pt).ok_or_else(|| {
                    p.err(
                        address,
                        format!("principal_type `{pt}` is not USER or GROUP"),
                    )
                })?,
                principal_id: req("principal_id")?,
            })
        }
        "aws_identitystore_group_membership" => Change::Join(Membership {
            group_id: req("group_id")?,
            user_id: req("member_id")?,
        }),
        "aws_identitystore_user" => {
            let name = block(after, "name");
            let emails = match str_of(&block(after, "emails"), "value") {
                Some(value) => vec![Email {
                    value,
                    email_type: str_of(&block(after, "emails"), "type"),
                    primary: true,
                }],
                None => Vec::new(),
            };
            Change::PutUser(User {
                id: str_of(after, "user_id").unwrap_or_else(|| placeholder("", ty, address)),
                user_name: req("user_name")?,
                display_name: str_of(after, "display_name"),
                given_name: str_of(&name, "given_name"),
                family_name: str_of(&name, "family_name"),
                emails,
                status: UserStatus::Enabled,
                attributes: Default::default(),
                enterprise: Default::default(),
                external_ids: Vec::new(),
            })
        }
        "aws_identitystore_group" => Change::PutGroup(Group {
            id: str_of(after, "group_id").unwrap_or_else(|| placeholder("", ty, address)),
            name: req("display_name")?,
            description: str_of(after, "description"),
        }),
        "aws_ssoadmin_application" => {
            let arn = match str_of(after, "application_arn") {
                Some(a) => a,
                None => placeholder(&p.instance_arn, ty, address),
            };
            let mut app = new_application(arn, req("name")?, req("application_provider_arn")?);
            app.description = str_of(after, "description");
            if let Some(status) = str_of(after, "status") {
                app.status = status;
            }
            app.account_id = str_of(after, "application_account");
            let portal = block(after, "portal_options");
            if let Some(v) = str_of(&portal, "visibility") {
                app.visibility = v;
            }
            let sign_in = block(&portal, "sign_in_options");
            app.sign_in_origin = str_of(&sign_in, "origin");
            app.application_url = str_of(&sign_in, "application_url");
            Change::PutApplication(app)
        }
        "aws_ssoadmin_application_assignment" => {
            let pt = req("principal_type")?;
            Change::AssignApplication {
                application: req("application_arn")?,
                assignment: ApplicationAssignment {
                    principal_type: principal_type(&pt).ok_or_else(|| {
                        p.err(
                            address,
                            format!("principal_type `{pt}` is not USER or GROUP"),
                        )
                    })?,
                    principal_id: req("principal_id")?,
                },
            }
        }
        "aws_ssoadmin_application_assignment_configuration" => Change::SetAssignmentRequired {
            application: req("application_arn")?,
            required: after
                .get("assignment_required")
                .and_then(Value::as_bool)
                .ok_or_else(|| {
                    p.err(
                        address,
                        "`assignment_required` is missing or known only after apply",
                    )
                })?,
        },
        "aws_accountaccess_entitlement" => {
            let role = [ENTITLEMENT, PRINCIPAL_ROLE, "role_arn"];
            let account = [ENTITLEMENT, PRINCIPAL_ROLE, "account"];
            let user = [
                ENTITLEMENT,
                PRINCIPAL_ROLE,
                "principal",
                IDENTITY_CENTER,
                "user_id",
            ];
            let group = [
                ENTITLEMENT,
                PRINCIPAL_ROLE,
                "principal",
                IDENTITY_CENTER,
                "group_id",
            ];
            let (pt, id) = if let Some(u) = p.value_at(rc, after, &user, address)? {
                (PrincipalType::User, u)
            } else if let Some(g) = p.value_at(rc, after, &group, address)? {
                (PrincipalType::Group, g)
            } else {
                return Err(p.err(
                    address,
                    "`entitlement.principal_role.principal.identity_center` names neither `user_id` nor `group_id`",
                ));
            };
            let role_arn = p.value_at(rc, after, &role, address)?.ok_or_else(|| {
                p.err(address, "`entitlement.principal_role.role_arn` is missing")
            })?;
            Change::Entitle {
                application: req("application_arn")?,
                entitlement: new_entitlement(
                    p.base,
                    pt,
                    id,
                    role_arn,
                    p.value_at(rc, after, &account, address)?,
                ),
            }
        }
        other => return Err(p.err(address, format!("unsupported resource type `{other}`"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_keep_their_instance_keys() {
        let a = Address::parse("module.m[\"a.b\"].aws_x.y[\"k.1\"]").unwrap();
        assert_eq!(a.module, "module.m[\"a.b\"].");
        assert_eq!(a.resource, "aws_x.y");
        assert_eq!(a.key, "[\"k.1\"]");
        assert_eq!(a.config(), "module.m.aws_x.y");
        let b = Address::parse("aws_x.y[0]").unwrap();
        assert_eq!((b.module.as_str(), b.key.as_str()), ("", "[0]"));
        assert_eq!(Address::parse("nothing"), None);
        assert_ne!(
            placeholder(
                "i/ssoins-1",
                "aws_ssoadmin_permission_set",
                "aws_x.y[\"a\"]"
            ),
            placeholder(
                "i/ssoins-1",
                "aws_ssoadmin_permission_set",
                "aws_x.y[\"b\"]"
            )
        );
    }

    fn base() -> Snapshot {
        let text = include_str!("../../fixtures/acme/snapshot.json");
        serde_json::from_str(text).unwrap()
    }

    fn plan(changes: Value, config: Value) -> Value {
        serde_json::json!({
            "resource_changes": changes,
            "configuration": {"root_module": {"resources": config}}
        })
    }

    fn rc(address: &str, actions: &[&str], before: Value, after: Value, unknown: Value) -> Value {
        let ty = address.split('.').next().unwrap();
        serde_json::json!({
            "address": address, "mode": "managed", "type": ty,
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": unknown}
        })
    }

    const APP: &str =
        "arn:aws:sso::210000000000:application/ssoins-6804ac0e5b1d2f30/apl-5c4ecac52f3a377d";
    const AAM: &str = "arn:aws:account-access:eu-west-1:210000000000:application/aam-7f3c2a1e90b4";

    #[test]
    fn nested_blocks_are_walked_in_values_and_unknowns() {
        let v = serde_json::json!({"a": [{"b": [{"c": "x"}]}], "t": ["k"]});
        assert_eq!(at_path(&v, &["a", "b", "c"]), Some(&Value::from("x")));
        // A list at the end is the value itself.
        assert_eq!(at_path(&v, &["t"]), Some(&serde_json::json!(["k"])));
        assert_eq!(at_path(&v, &["a", "z"]), None);
        // A whole block unknown makes what is inside it unknown.
        let r = serde_json::json!({"change": {"after_unknown": {"a": true}}});
        assert!(is_unknown(&r, &["a", "b", "c"]));
        let r = serde_json::json!({"change": {"after_unknown": {"a": [{"b": [{"c": false}]}]}}});
        assert!(!is_unknown(&r, &["a", "b", "c"]));
    }

    #[test]
    fn application_configuration_and_entitlement_changes() {
        let base = base();
        let p = plan(
            serde_json::json!([
                // Deleting the configuration: AWS's default (required) again.
                rc(
                    "aws_ssoadmin_application_assignment_configuration.status",
                    &["delete"],
                    serde_json::json!({"application_arn": APP, "assignment_required": false}),
                    Value::Null,
                    serde_json::json!({})
                ),
                // An update of an application is a put (its assignments stay).
                rc(
                    "aws_ssoadmin_application.status",
                    &["update"],
                    serde_json::json!({"application_arn": APP, "name": "Acme Status"}),
                    serde_json::json!({"application_arn": APP, "name": "Acme Status", "application_provider_arn": "arn:aws:sso::aws:applicationProvider/custom",
                                      "portal_options": [{"visibility": "DISABLED", "sign_in_options": [{"origin": "IDENTITY_CENTER"}]}]}),
                    serde_json::json!({})
                ),
                rc(
                    "aws_accountaccess_entitlement.gone",
                    &["delete"],
                    serde_json::json!({"application_arn": AAM, "entitlement": [{"principal_role": [{"principal": [{"identity_center": [{"group_id": "g-1", "user_id": null}]}], "role_arn": "arn:aws:iam::210000000102:role/acme/access/DataOnCall"}]}]}),
                    Value::Null,
                    serde_json::json!({})
                ),
            ]),
            serde_json::json!([]),
        );
        let changes = terraform_changes(&base, &p, "plan.json").unwrap();
        let kinds: Vec<&Change> = changes.iter().map(|c| &c.change).collect();
        assert!(
            matches!(kinds[0], Change::SetAssignmentRequired { application, required: true } if application == APP)
        );
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        match kinds[1] {
            Change::PutApplication(a) => {
                assert_eq!(
                    (a.visibility.as_str(), a.sign_in_origin.as_deref()),
                    ("DISABLED", Some("IDENTITY_CENTER"))
                );
            }
            other => panic!("{other:?}"),
        }
        match kinds[2] {
            Change::Unentitle {
                application,
                entitlement,
            } => {
                assert_eq!(application, AAM);
                assert_eq!(
                    (
                        entitlement.principal_type,
                        entitlement.principal_id.as_str()
                    ),
                    (PrincipalType::Group, "g-1")
                );
                // The account comes from the role ARN, its name from the organization.
                assert_eq!(entitlement.account_id, "210000000102");
                assert_eq!(entitlement.account_name.as_deref(), Some("acme-data-prod"));
            }
            other => panic!("{other:?}"),
        }
        // Applied: Acme Status requires assignment again and is hidden.
        let head = apply_terraform_plan(&base, &p, "plan.json").unwrap();
        let status = head
            .applications
            .iter()
            .flatten()
            .find(|a| a.arn == APP)
            .unwrap();
        assert_eq!(
            (status.assignment_required, status.visible()),
            (Some(true), false)
        );
    }

    #[test]
    fn unknown_nested_values_need_a_planned_resource() {
        let base = base();
        // The entitled user is a user this plan creates: its placeholder.
        let p = plan(
            serde_json::json!([
                rc(
                    "aws_identitystore_user.new",
                    &["create"],
                    Value::Null,
                    serde_json::json!({"user_name": "new@acme.example", "display_name": "New"}),
                    serde_json::json!({"user_id": true})
                ),
                rc(
                    "aws_accountaccess_entitlement.e",
                    &["create"],
                    Value::Null,
                    serde_json::json!({"application_arn": AAM, "entitlement": [{"principal_role": [{"principal": [{"identity_center": [{"group_id": null}]}], "role_arn": "arn:aws:iam::210000000401:role/acme/access/SecurityResponder"}]}]}),
                    serde_json::json!({"entitlement": [{"principal_role": [{"principal": [{"identity_center": [{"user_id": true}]}]}]}]})
                ),
            ]),
            serde_json::json!([
                {"address": "aws_accountaccess_entitlement.e", "expressions": {"entitlement": [{"principal_role": [{"principal": [{"identity_center": [{"user_id": {"references": ["aws_identitystore_user.new.user_id", "aws_identitystore_user.new"]}}]}]}]}]}}
            ]),
        );
        let changes = terraform_changes(&base, &p, "plan.json").unwrap();
        match &changes[1].change {
            Change::Entitle { entitlement, .. } => {
                assert_eq!(entitlement.principal_type, PrincipalType::User);
                assert_eq!(
                    entitlement.principal_id,
                    "planned-aws-identitystore-user-new"
                );
            }
            other => panic!("{other:?}"),
        }
        // An unknown role ARN the configuration does not tie to a planned
        // resource is an error naming the nested attribute.
        let e = created_error(
            "aws_accountaccess_entitlement.e",
            serde_json::json!({"application_arn": AAM, "entitlement": [{"principal_role": [{"principal": [{"identity_center": [{"group_id": "g"}]}]}]}]}),
            serde_json::json!({"entitlement": [{"principal_role": [{"role_arn": true}]}]}),
        );
        assert!(e.contains("plan.json: aws_accountaccess_entitlement.e: `entitlement.principal_role.role_arn` is known only after apply"), "{e}");
        // Neither a user nor a group.
        let e = created_error(
            "aws_accountaccess_entitlement.e",
            serde_json::json!({"application_arn": AAM, "entitlement": [{"principal_role": [{"principal": [{"identity_center": [{}]}], "role_arn": "arn:aws:iam::210000000401:role/x"}]}]}),
            serde_json::json!({}),
        );
        assert!(e.contains("names neither `user_id` nor `group_id`"), "{e}");
        // An assignment to an application neither state has.
        let e = created_error(
            "aws_ssoadmin_application_assignment.a",
            serde_json::json!({"application_arn": "arn:aws:sso::1:application/ssoins-x/apl-none", "principal_id": "u", "principal_type": "USER"}),
            serde_json::json!({}),
        );
        assert!(e.contains("aws_ssoadmin_application_assignment.a: no application `arn:aws:sso::1:application/ssoins-x/apl-none`"), "{e}");
    }

    /// The error of applying a plan that creates one resource on acme
    fn created_error(address: &str, after: Value, unknown: Value) -> String {
        let p = plan(
            serde_json::json!([rc(address, &["create"], Value::Null, after, unknown)]),
            serde_json::json!([]),
        );
        apply_terraform_plan(&base(), &p, "plan.json")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn references_name_their_resource_and_literal_key() {
        assert_eq!(reference_resource("aws_x.y[0].arn"), "aws_x.y");
        assert_eq!(reference_key("aws_x.y[0].arn"), Some("[0]"));
        assert_eq!(reference_key("aws_x.y[\"k\"]"), Some("[\"k\"]"));
        assert_eq!(reference_key("aws_x.y"), None);
        assert_eq!(reference_key("aws_x.y[each.key]"), None);
    }
}
