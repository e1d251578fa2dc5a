//! A proposed state from a Terraform plan (`terraform show -json`) or a
//! CloudFormation template, applied onto the base snapshot. Pure: the
//! binary reads the files.
//!
//! Values Terraform only knows after apply (a new permission set's ARN, a
//! new group's id) are resolved through the plan's configuration
//! references to a stable placeholder of the resource that will create
//! them (`arn:aws:sso:::permissionSet/<instance>/ps-planned-<address>`,
//! `planned-<address>`), so the new objects link up.

use serde_json::{json, Map, Value};

use crate::snapshot::Snapshot;

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
    /// The result is not a valid snapshot
    #[error("{file}: the proposed state is not a valid snapshot: {message}")]
    Snapshot {
        /// The file
        file: String,
        /// What is wrong
        message: String,
    },
}

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

struct Ctx<'a> {
    file: &'a str,
    snap: Map<String, Value>,
    instance: String,
}

impl<'a> Ctx<'a> {
    /// The base snapshot as JSON, to apply changes to
    fn new(base: &Snapshot, file: &'a str) -> Result<Ctx<'a>, ProposedError> {
        let snapshot_error = |message: String| ProposedError::Snapshot {
            file: file.to_owned(),
            message,
        };
        let snap = match serde_json::to_value(base) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(snapshot_error("a snapshot is a JSON object".into())),
            Err(e) => return Err(snapshot_error(e.to_string())),
        };
        let instance = base
            .identity_center
            .as_ref()
            .map(|ic| ic.instance_arn.clone())
            .unwrap_or_default();
        Ok(Ctx {
            file,
            snap,
            instance,
        })
    }

    /// The changed JSON read back as a snapshot (so it is checked like any
    /// other), its source saying what was applied
    fn finish(self, applied: &str) -> Result<Snapshot, ProposedError> {
        let text = Value::Object(self.snap).to_string();
        let mut s = Snapshot::from_json(&text).map_err(|e| ProposedError::Snapshot {
            file: self.file.to_owned(),
            message: e.to_string(),
        })?;
        s.provenance.source = format!("{} + {applied} {}", s.provenance.source, self.file);
        s.normalize();
        Ok(s)
    }

    fn err(&self, path: &str, message: impl Into<String>) -> ProposedError {
        ProposedError::Shape {
            file: self.file.to_owned(),
            path: path.to_owned(),
            message: message.into(),
        }
    }

    fn list(&mut self, key: &str) -> &mut Vec<Value> {
        let v = self
            .snap
            .entry(key.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if !v.is_array() {
            *v = Value::Array(Vec::new());
        }
        match v {
            Value::Array(a) => a,
            _ => unreachable!("made an array above"),
        }
    }

    fn permission_set(
        &mut self,
        arn: &str,
        at: &str,
    ) -> Result<&mut Map<String, Value>, ProposedError> {
        let err = self.err(
            at,
            format!("no permission set `{arn}` in the base or the change"),
        );
        self.list("permission_sets")
            .iter_mut()
            .find(|p| p["arn"] == arn)
            .and_then(Value::as_object_mut)
            .ok_or(err)
    }

    fn placeholder_arn(&self, address: &str) -> String {
        let id = self.instance.rsplit('/').next().unwrap_or("ssoins-planned");
        format!(
            "arn:aws:sso:::permissionSet/{id}/ps-planned-{}",
            sanitize(address)
        )
    }
}

fn sanitize(address: &str) -> String {
    address
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned)
}

/// A Terraform resource address without its instance key: `a.b["k"]` -> `a.b`
fn config_address(address: &str) -> &str {
    address.split('[').next().unwrap_or(address)
}

/// Applies a plan's changes to the Identity Center resources onto `base`
///
/// # Errors
/// A plan that is not `terraform show -json` output, a change that names an
/// object neither the base nor the plan has, an unknown-after-apply value
/// the configuration does not tie to a planned resource.
pub fn apply_terraform_plan(
    base: &Snapshot,
    plan: &Value,
    file: &str,
) -> Result<Snapshot, ProposedError> {
    let mut cx = Ctx::new(base, file)?;
    let changes = plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            cx.err(
                "/resource_changes",
                "missing: is this `terraform show -json PLAN` output?",
            )
        })?;
    // Configuration expressions by address, for references of unknown values.
    let mut config: Map<String, Value> = Map::new();
    if let Some(rs) = plan
        .pointer("/configuration/root_module/resources")
        .and_then(Value::as_array)
    {
        for r in rs {
            if let Some(a) = r.get("address").and_then(Value::as_str) {
                config.insert(
                    a.to_owned(),
                    r.get("expressions").cloned().unwrap_or(Value::Null),
                );
            }
        }
    }
    // Addresses of resources the plan creates or replaces: their unknown
    // ids become placeholders.
    let planned: Vec<(String, String)> = changes
        .iter()
        .filter(|rc| {
            rc["change"]["actions"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "create"))
        })
        .filter_map(|rc| Some((text(&rc["address"])?, text(&rc["type"])?)))
        .collect();
    let resolve = |cx: &Ctx<'_>,
                   rc: &Value,
                   values: &Value,
                   attr: &str|
     -> Result<Option<String>, ProposedError> {
        let address = rc["address"].as_str().unwrap_or("?");
        if let Some(s) = values.get(attr).and_then(Value::as_str) {
            return Ok(Some(s.to_owned()));
        }
        let unknown = rc["change"]["after_unknown"].get(attr) == Some(&Value::Bool(true));
        if !unknown {
            return Ok(None);
        }
        let refs = config
            .get(config_address(address))
            .and_then(|e| e.get(attr))
            .and_then(|e| e.get("references"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for r in refs.iter().filter_map(Value::as_str) {
            for (p, ty) in &planned {
                let target = config_address(p);
                if r == target || r.starts_with(&format!("{target}.")) {
                    return Ok(Some(match ty.as_str() {
                        "aws_ssoadmin_permission_set" => cx.placeholder_arn(target),
                        _ => format!("planned-{}", sanitize(target)),
                    }));
                }
            }
        }
        Err(cx.err(
            address,
            format!("`{attr}` is known only after apply and the configuration does not tie it to a resource this plan creates"),
        ))
    };
    for (i, rc) in changes.iter().enumerate() {
        let ty = rc["type"].as_str().unwrap_or_default();
        if !TERRAFORM_TYPES.contains(&ty) {
            continue;
        }
        if rc.get("mode").and_then(Value::as_str) == Some("data") {
            continue;
        }
        let address = rc["address"].as_str().unwrap_or("?").to_owned();
        let actions: Vec<&str> = rc["change"]["actions"]
            .as_array()
            .ok_or_else(|| cx.err(&format!("/resource_changes/{i}/change/actions"), "missing"))?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if actions.iter().all(|a| *a == "no-op" || *a == "read") {
            continue;
        }
        let before = &rc["change"]["before"];
        let after = &rc["change"]["after"];
        if actions.contains(&"delete") || actions.contains(&"update") {
            remove(&mut cx, ty, before, &address)?;
        }
        if actions.contains(&"create") || actions.contains(&"update") {
            add(&mut cx, ty, rc, after, &address, &resolve)?;
        }
    }
    cx.finish("terraform plan")
}

type Resolver<'r> =
    dyn Fn(&Ctx<'_>, &Value, &Value, &str) -> Result<Option<String>, ProposedError> + 'r;

fn first(v: &Value, key: &str) -> Value {
    match v.get(key) {
        Some(Value::Array(a)) => a.first().cloned().unwrap_or(Value::Null),
        Some(o) => o.clone(),
        None => Value::Null,
    }
}

fn policy_ref(v: &Value) -> Option<Value> {
    let name = v.get("name")?.as_str()?;
    let path = v.get("path").and_then(Value::as_str).unwrap_or("/");
    Some(json!({"name": name, "path": path}))
}

/// Removes what `before` describes (update: the old version)
fn remove(cx: &mut Ctx<'_>, ty: &str, before: &Value, address: &str) -> Result<(), ProposedError> {
    let s = |k: &str| {
        before
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match ty {
        "aws_ssoadmin_permission_set" => {
            let arn = s("arn");
            cx.list("permission_sets").retain(|p| p["arn"] != arn);
        }
        "aws_ssoadmin_managed_policy_attachment" => {
            let (arn, policy) = (s("permission_set_arn"), s("managed_policy_arn"));
            if let Ok(p) = cx.permission_set(&arn, address) {
                if let Some(list) = p
                    .get_mut("aws_managed_policies")
                    .and_then(Value::as_array_mut)
                {
                    list.retain(|x| x != &policy);
                }
            }
        }
        "aws_ssoadmin_customer_managed_policy_attachment" => {
            let arn = s("permission_set_arn");
            let r = policy_ref(&first(before, "customer_managed_policy_reference"));
            if let (Ok(p), Some(r)) = (cx.permission_set(&arn, address), r) {
                if let Some(list) = p
                    .get_mut("customer_managed_policies")
                    .and_then(Value::as_array_mut)
                {
                    list.retain(|x| x != &r);
                }
            }
        }
        "aws_ssoadmin_permission_set_inline_policy" => {
            if let Ok(p) = cx.permission_set(&s("permission_set_arn"), address) {
                p.remove("inline_policy");
            }
        }
        "aws_ssoadmin_permissions_boundary_attachment" => {
            if let Ok(p) = cx.permission_set(&s("permission_set_arn"), address) {
                p.remove("permissions_boundary");
            }
        }
        "aws_ssoadmin_account_assignment" => {
            let a = json!({
                "account_id": s("target_id"),
                "permission_set_arn": s("permission_set_arn"),
                "principal_type": s("principal_type"),
                "principal_id": s("principal_id"),
            });
            cx.list("assignments").retain(|x| x != &a);
        }
        "aws_identitystore_group_membership" => {
            let m = json!({"group_id": s("group_id"), "user_id": s("member_id")});
            cx.list("memberships").retain(|x| x != &m);
        }
        "aws_identitystore_user" => {
            let id = s("user_id");
            cx.list("users").retain(|u| u["id"] != id);
        }
        "aws_identitystore_group" => {
            let id = s("group_id");
            cx.list("groups").retain(|g| g["id"] != id);
        }
        _ => {}
    }
    Ok(())
}

/// Adds what `after` describes
fn add(
    cx: &mut Ctx<'_>,
    ty: &str,
    rc: &Value,
    after: &Value,
    address: &str,
    resolve: &Resolver<'_>,
) -> Result<(), ProposedError> {
    let req = |cx: &Ctx<'_>, attr: &str| -> Result<String, ProposedError> {
        resolve(cx, rc, after, attr)?.ok_or_else(|| cx.err(address, format!("`{attr}` is missing")))
    };
    match ty {
        "aws_ssoadmin_permission_set" => {
            // Its own ARN is known only after apply for a new set.
            let arn = match after.get("arn").and_then(Value::as_str) {
                Some(a) => a.to_owned(),
                None => cx.placeholder_arn(config_address(address)),
            };
            let mut ps = json!({
                "arn": arn,
                "name": req(cx, "name")?,
                "session_duration": after.get("session_duration").and_then(Value::as_str).unwrap_or("PT1H"),
                "aws_managed_policies": [],
                "customer_managed_policies": [],
                "tags": after.get("tags").filter(|t| t.is_object()).cloned().unwrap_or_else(|| json!({})),
                "provisioning": [],
            });
            if let Some(d) = after.get("description").and_then(Value::as_str) {
                ps["description"] = json!(d);
            }
            if let Some(r) = after.get("relay_state").and_then(Value::as_str) {
                ps["relay_state"] = json!(r);
            }
            // An update keeps the attachments, which are separate resources.
            let old = cx
                .list("permission_sets")
                .iter()
                .position(|p| p["arn"] == ps["arn"]);
            if let Some(i) = old {
                let prev = cx.list("permission_sets").remove(i);
                for k in [
                    "aws_managed_policies",
                    "customer_managed_policies",
                    "inline_policy",
                    "permissions_boundary",
                    "provisioning",
                ] {
                    if let Some(v) = prev.get(k) {
                        ps[k] = v.clone();
                    }
                }
            }
            cx.list("permission_sets").push(ps);
        }
        "aws_ssoadmin_managed_policy_attachment" => {
            let arn = req(cx, "permission_set_arn")?;
            let policy = req(cx, "managed_policy_arn")?;
            let p = cx.permission_set(&arn, address)?;
            let list = p.entry("aws_managed_policies").or_insert_with(|| json!([]));
            if let Some(l) = list.as_array_mut() {
                if !l.contains(&json!(policy)) {
                    l.push(json!(policy));
                }
            }
        }
        "aws_ssoadmin_customer_managed_policy_attachment" => {
            let arn = req(cx, "permission_set_arn")?;
            let r = policy_ref(&first(after, "customer_managed_policy_reference")).ok_or_else(
                || cx.err(address, "`customer_managed_policy_reference` has no name"),
            )?;
            let p = cx.permission_set(&arn, address)?;
            let list = p
                .entry("customer_managed_policies")
                .or_insert_with(|| json!([]));
            if let Some(l) = list.as_array_mut() {
                if !l.contains(&r) {
                    l.push(r);
                }
            }
        }
        "aws_ssoadmin_permission_set_inline_policy" => {
            let arn = req(cx, "permission_set_arn")?;
            let doc = req(cx, "inline_policy")?;
            let parsed: Value = serde_json::from_str(&doc)
                .map_err(|e| cx.err(address, format!("`inline_policy` is not JSON: {e}")))?;
            cx.permission_set(&arn, address)?
                .insert("inline_policy".into(), parsed);
        }
        "aws_ssoadmin_permissions_boundary_attachment" => {
            let arn = req(cx, "permission_set_arn")?;
            let b = first(after, "permissions_boundary");
            let boundary = if let Some(m) = b
                .get("managed_policy_arn")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                json!({"managed_policy_arn": m})
            } else if let Some(r) = policy_ref(&first(&b, "customer_managed_policy_reference")) {
                json!({"customer_managed": r})
            } else {
                return Err(cx.err(address, "`permissions_boundary` names no policy"));
            };
            cx.permission_set(&arn, address)?
                .insert("permissions_boundary".into(), boundary);
        }
        "aws_ssoadmin_account_assignment" => {
            let target_type = after
                .get("target_type")
                .and_then(Value::as_str)
                .unwrap_or("AWS_ACCOUNT");
            if target_type != "AWS_ACCOUNT" {
                return Err(cx.err(
                    address,
                    format!("target_type `{target_type}` is not AWS_ACCOUNT"),
                ));
            }
            let a = json!({
                "account_id": req(cx, "target_id")?,
                "permission_set_arn": req(cx, "permission_set_arn")?,
                "principal_type": req(cx, "principal_type")?,
                "principal_id": req(cx, "principal_id")?,
            });
            if !cx.list("assignments").contains(&a) {
                cx.list("assignments").push(a);
            }
        }
        "aws_identitystore_group_membership" => {
            let m = json!({"group_id": req(cx, "group_id")?, "user_id": req(cx, "member_id")?});
            if !cx.list("memberships").contains(&m) {
                cx.list("memberships").push(m);
            }
        }
        "aws_identitystore_user" => {
            let id = match after.get("user_id").and_then(Value::as_str) {
                Some(id) => id.to_owned(),
                None => format!("planned-{}", sanitize(config_address(address))),
            };
            let name = first(after, "name");
            let mut u = json!({
                "id": id,
                "user_name": req(cx, "user_name")?,
                "emails": [],
                "status": "ENABLED",
                "attributes": {},
                "enterprise": {},
            });
            if let Some(d) = after.get("display_name").and_then(Value::as_str) {
                u["display_name"] = json!(d);
            }
            for (k, src) in [("given_name", "given_name"), ("family_name", "family_name")] {
                if let Some(v) = name.get(src).and_then(Value::as_str) {
                    u[k] = json!(v);
                }
            }
            if let Some(e) = first(after, "emails").get("value").and_then(Value::as_str) {
                u["emails"] = json!([{"value": e, "primary": true}]);
            }
            cx.list("users").retain(|x| x["id"] != u["id"]);
            cx.list("users").push(u);
        }
        "aws_identitystore_group" => {
            let id = match after.get("group_id").and_then(Value::as_str) {
                Some(id) => id.to_owned(),
                None => format!("planned-{}", sanitize(config_address(address))),
            };
            let mut g = json!({"id": id, "name": req(cx, "display_name")?});
            if let Some(d) = after.get("description").and_then(Value::as_str) {
                g["description"] = json!(d);
            }
            cx.list("groups").retain(|x| x["id"] != g["id"]);
            cx.list("groups").push(g);
        }
        _ => {}
    }
    Ok(())
}

/// Reads a CloudFormation intrinsic to a value: a literal, `Ref` to a
/// parameter (its `Default`) or to a resource in the template, `Fn::GetAtt`
/// of a resource's `PermissionSetArn`
fn cfn_value(v: &Value, template: &Value, cx: &Ctx<'_>, at: &str) -> Result<Value, ProposedError> {
    let Some(o) = v.as_object() else {
        return Ok(v.clone());
    };
    if let Some(r) = o.get("Ref").and_then(Value::as_str) {
        if let Some(d) = template.pointer(&format!("/Parameters/{r}/Default")) {
            return Ok(d.clone());
        }
        if template.pointer(&format!("/Resources/{r}")).is_some() {
            return Ok(json!(cx.placeholder_arn(r)));
        }
        return Err(cx.err(
            at,
            format!("`Ref {r}`: no parameter with a Default or resource `{r}`"),
        ));
    }
    if let Some(g) = o.get("Fn::GetAtt") {
        let (res, attr) = match g {
            Value::Array(a) if a.len() == 2 => (a[0].as_str(), a[1].as_str()),
            Value::String(s) => {
                let mut it = s.splitn(2, '.');
                (it.next(), it.next())
            }
            _ => (None, None),
        };
        return match (res, attr) {
            (Some(r), Some("PermissionSetArn")) => Ok(json!(cx.placeholder_arn(r))),
            _ => Err(cx.err(at, format!("unsupported Fn::GetAtt {g}"))),
        };
    }
    Err(cx.err(
        at,
        format!("unsupported intrinsic {}", Value::Object(o.clone())),
    ))
}

/// Applies a CloudFormation template's `AWS::SSO::PermissionSet` and
/// `AWS::SSO::Assignment` resources onto `base`: permission sets by name
/// (replacing one of the same name, whose assignments follow it) and
/// assignments added
///
/// # Errors
/// A template without `Resources`, an unsupported intrinsic, a resource
/// missing a required property.
pub fn apply_cloudformation(
    base: &Snapshot,
    template: &Value,
    file: &str,
) -> Result<Snapshot, ProposedError> {
    let mut cx = Ctx::new(base, file)?;
    let resources = template
        .get("Resources")
        .and_then(Value::as_object)
        .ok_or_else(|| cx.err("/Resources", "missing: not a CloudFormation template"))?;
    // Permission sets first, so assignments can name them.
    let mut renamed: Vec<(String, String)> = Vec::new();
    for (logical, r) in resources {
        if r["Type"] != "AWS::SSO::PermissionSet" {
            continue;
        }
        let at = format!("/Resources/{logical}");
        let p = &r["Properties"];
        let get = |k: &str| -> Result<Option<Value>, ProposedError> {
            p.get(k)
                .map(|v| cfn_value(v, template, &cx, &format!("{at}/Properties/{k}")))
                .transpose()
        };
        let name = get("Name")?
            .and_then(|v| text(&v))
            .ok_or_else(|| cx.err(&at, "`Name` is missing"))?;
        let arn = cx.placeholder_arn(logical);
        let mut ps = json!({
            "arn": arn,
            "name": name,
            "session_duration": get("SessionDuration")?.and_then(|v| text(&v)).unwrap_or_else(|| "PT1H".into()),
            "aws_managed_policies": [],
            "customer_managed_policies": [],
            "tags": {},
            "provisioning": [],
        });
        if let Some(d) = get("Description")?.and_then(|v| text(&v)) {
            ps["description"] = json!(d);
        }
        if let Some(Value::Array(m)) = get("ManagedPolicies")? {
            let list: Result<Vec<Value>, ProposedError> = m
                .iter()
                .map(|x| {
                    cfn_value(
                        x,
                        template,
                        &cx,
                        &format!("{at}/Properties/ManagedPolicies"),
                    )
                })
                .collect();
            ps["aws_managed_policies"] = Value::Array(list?);
        }
        if let Some(Value::Array(refs)) = p.get("CustomerManagedPolicyReferences") {
            let list: Vec<Value> = refs
                .iter()
                .filter_map(|r| {
                    Some(json!({
                        "name": r.get("Name")?.as_str()?,
                        "path": r.get("Path").and_then(Value::as_str).unwrap_or("/"),
                    }))
                })
                .collect();
            ps["customer_managed_policies"] = Value::Array(list);
        }
        match p.get("InlinePolicy") {
            Some(Value::String(s)) => {
                ps["inline_policy"] = serde_json::from_str(s).map_err(|e| {
                    cx.err(
                        &format!("{at}/Properties/InlinePolicy"),
                        format!("not JSON: {e}"),
                    )
                })?;
            }
            Some(v @ Value::Object(_)) => ps["inline_policy"] = v.clone(),
            _ => {}
        }
        if let Some(b) = p.get("PermissionsBoundary") {
            if let Some(m) = b.get("ManagedPolicyArn").and_then(Value::as_str) {
                ps["permissions_boundary"] = json!({"managed_policy_arn": m});
            } else if let Some(r) = b.get("CustomerManagedPolicyReference") {
                ps["permissions_boundary"] = json!({"customer_managed": {
                    "name": r.get("Name").and_then(Value::as_str).unwrap_or_default(),
                    "path": r.get("Path").and_then(Value::as_str).unwrap_or("/"),
                }});
            }
        }
        if let Some(Value::Array(tags)) = p.get("Tags") {
            for t in tags {
                if let (Some(k), Some(v)) = (
                    t.get("Key").and_then(Value::as_str),
                    t.get("Value").and_then(Value::as_str),
                ) {
                    ps["tags"][k] = json!(v);
                }
            }
        }
        // A set of the same name is replaced; its assignments follow.
        let old = cx
            .list("permission_sets")
            .iter()
            .position(|x| x["name"] == ps["name"]);
        if let Some(i) = old {
            let prev = cx.list("permission_sets").remove(i);
            if let Some(prev_arn) = prev["arn"].as_str() {
                renamed.push((prev_arn.to_owned(), arn.clone()));
            }
            ps["provisioning"] = prev["provisioning"].clone();
        }
        cx.list("permission_sets").push(ps);
    }
    for a in cx.list("assignments").iter_mut() {
        if let Some((_, new)) = renamed
            .iter()
            .find(|(old, _)| a["permission_set_arn"] == *old)
        {
            a["permission_set_arn"] = json!(new);
        }
    }
    for (logical, r) in resources {
        if r["Type"] != "AWS::SSO::Assignment" {
            continue;
        }
        let at = format!("/Resources/{logical}");
        let p = &r["Properties"];
        let get = |k: &str| -> Result<String, ProposedError> {
            let v = p
                .get(k)
                .ok_or_else(|| cx.err(&at, format!("`{k}` is missing")))?;
            text(&cfn_value(
                v,
                template,
                &cx,
                &format!("{at}/Properties/{k}"),
            )?)
            .ok_or_else(|| cx.err(&format!("{at}/Properties/{k}"), "not a string"))
        };
        if get("TargetType")? != "AWS_ACCOUNT" {
            return Err(cx.err(
                &format!("{at}/Properties/TargetType"),
                "only AWS_ACCOUNT targets exist",
            ));
        }
        let a = json!({
            "account_id": get("TargetId")?,
            "permission_set_arn": get("PermissionSetArn")?,
            "principal_type": get("PrincipalType")?,
            "principal_id": get("PrincipalId")?,
        });
        if !cx.list("assignments").contains(&a) {
            cx.list("assignments").push(a);
        }
    }
    cx.finish("CloudFormation template")
}

/// Reads a CloudFormation template from JSON or YAML text; YAML short forms
/// (`!Ref X`, `!GetAtt X.Attr`, `!Sub s`, other `!Fn`) become their long
/// forms
///
/// # Errors
/// Text that is neither.
pub fn read_template(text: &str, file: &str) -> Result<Value, ProposedError> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| ProposedError::Shape {
            file: file.to_owned(),
            path: format!("line {}, column {}", e.line(), e.column()),
            message: e.to_string(),
        });
    }
    let y: serde_norway::Value =
        serde_norway::from_str(text).map_err(|e| ProposedError::Shape {
            file: file.to_owned(),
            path: e.location().map_or_else(String::new, |l| {
                format!("line {}, column {}", l.line(), l.column())
            }),
            message: e.to_string(),
        })?;
    Ok(yaml_to_json(y))
}

fn yaml_to_json(y: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .or_else(|| n.as_f64().map(Value::from))
            .unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_norway::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let value = yaml_to_json(t.value);
            match tag {
                "Ref" => json!({"Ref": value}),
                "GetAtt" => match value {
                    Value::String(s) => {
                        let mut it = s.splitn(2, '.');
                        json!({"Fn::GetAtt": [it.next().unwrap_or_default(), it.next().unwrap_or_default()]})
                    }
                    other => json!({"Fn::GetAtt": other}),
                },
                other => json!({ format!("Fn::{other}"): value }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_short_forms_become_long_forms() {
        let t = read_template(
            "Resources:\n  A:\n    Type: AWS::SSO::Assignment\n    Properties:\n      PermissionSetArn: !GetAtt P.PermissionSetArn\n      PrincipalId: !Ref G\n      TargetId: !Sub '${AWS::AccountId}'\n",
            "t.yaml",
        )
        .unwrap();
        let p = &t["Resources"]["A"]["Properties"];
        assert_eq!(
            p["PermissionSetArn"],
            json!({"Fn::GetAtt": ["P", "PermissionSetArn"]})
        );
        assert_eq!(p["PrincipalId"], json!({"Ref": "G"}));
        assert_eq!(p["TargetId"], json!({"Fn::Sub": "${AWS::AccountId}"}));
        // JSON is read as JSON.
        let j = read_template("{\"Resources\": {}}", "t.json").unwrap();
        assert_eq!(j, json!({"Resources": {}}));
    }

    #[test]
    fn addresses_lose_their_instance_keys() {
        assert_eq!(
            config_address("aws_ssoadmin_permission_set.x[\"k\"]"),
            "aws_ssoadmin_permission_set.x"
        );
        assert_eq!(
            config_address("aws_ssoadmin_permission_set.x"),
            "aws_ssoadmin_permission_set.x"
        );
        assert_eq!(sanitize("a.b[\"k\"]"), "a-b--k--");
    }
}
