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

use super::proposed::{apply, new_set, policy_text, Change, Located, Policies, ProposedError};
use crate::snapshot::{
    Assignment, Boundary, Email, Group, Membership, PolicyReference, PrincipalType, Snapshot, User,
    UserStatus,
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
    if ty == "aws_ssoadmin_permission_set" {
        let id = instance_arn.rsplit('/').next().unwrap_or("ssoins-planned");
        format!("arn:aws:sso:::permissionSet/{id}/ps-planned-{safe}")
    } else {
        format!("planned-{safe}")
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
        if let Some(s) = values.get(attr).and_then(Value::as_str) {
            return Ok(Some(s.to_owned()));
        }
        let unknown = rc
            .pointer("/change/after_unknown")
            .and_then(|u| u.get(attr))
            == Some(&Value::Bool(true));
        if !unknown {
            return Ok(None);
        }
        let Some(me) = Address::parse(address) else {
            return Err(self.err(address, "not a resource address"));
        };
        let refs: Vec<&str> = self
            .config
            .iter()
            .find(|(a, _)| *a == me.config())
            .and_then(|(_, e)| e.get(attr))
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
        let remove =
            actions.contains(&"delete") || (update && *ty != "aws_ssoadmin_permission_set");
        if remove {
            if let Some(c) = removal(ty, before) {
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
fn removal(ty: &str, before: &Value) -> Option<Change> {
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
        _ => return None,
    })
}

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

    #[test]
    fn references_name_their_resource_and_literal_key() {
        assert_eq!(reference_resource("aws_x.y[0].arn"), "aws_x.y");
        assert_eq!(reference_key("aws_x.y[0].arn"), Some("[0]"));
        assert_eq!(reference_key("aws_x.y[\"k\"]"), Some("[\"k\"]"));
        assert_eq!(reference_key("aws_x.y"), None);
        assert_eq!(reference_key("aws_x.y[each.key]"), None);
    }
}
