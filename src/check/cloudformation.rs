//! The CloudFormation front-end of the proposed state: a template's
//! `AWS::SSO::PermissionSet` and `AWS::SSO::Assignment` resources read into
//! typed [`Change`]s. A permission set carries its whole policy
//! configuration, so it replaces the set of the same name (keeping that
//! set's ARN, so its assignments stay with it) or is new; assignments are
//! added. `AWS::SSO::Application` likewise replaces the application of
//! the same name (keeping its ARN and assignments) or is new;
//! `AWS::SSO::ApplicationAssignment` and `AWS::AccountAccess::Entitlement`
//! are added. CloudFormation has no resource for an application's
//! assignment configuration: an application it creates requires
//! assignment, AWS's default. Intrinsics: a literal, `Ref` to a parameter
//! (its `Default`) or to a resource of the template, `Fn::GetAtt` of a
//! set's `PermissionSetArn` or an application's `ApplicationArn`.

use serde_json::{json, Value};

use super::proposed::{
    apply, new_application, new_entitlement, new_set, planned_arn, policy_text, Change, Located,
    Planned, Policies, ProposedError,
};
use crate::json::JsonValue;
use crate::snapshot::{
    ApplicationAssignment, Assignment, Boundary, PolicyReference, PrincipalType, Snapshot,
};

struct Template<'t> {
    file: &'t str,
    template: &'t Value,
    instance_arn: String,
    /// Logical id of each permission set and application → the ARN it has
    /// in the proposed state
    arns: Vec<(String, String)>,
}

impl Template<'_> {
    fn err(&self, at: &str, message: impl Into<String>) -> ProposedError {
        ProposedError::Shape {
            file: self.file.to_owned(),
            path: at.to_owned(),
            message: message.into(),
        }
    }

    fn placeholder(&self, logical: &str) -> String {
        let app = self.template.pointer(&format!("/Resources/{logical}/Type"))
            == Some(&json!("AWS::SSO::Application"));
        let kind = if app {
            Planned::Application
        } else {
            Planned::PermissionSet
        };
        planned_arn(&self.instance_arn, kind, logical)
    }

    fn resource_arn(&self, logical: &str) -> String {
        self.arns
            .iter()
            .find(|(l, _)| l == logical)
            .map_or_else(|| self.placeholder(logical), |(_, a)| a.clone())
    }

    /// Reads an intrinsic to a value
    fn value(&self, v: &Value, at: &str) -> Result<Value, ProposedError> {
        let Some(o) = v.as_object() else {
            return Ok(v.clone());
        };
        if let Some(r) = o.get("Ref").and_then(Value::as_str) {
            if let Some(d) = self.template.pointer(&format!("/Parameters/{r}/Default")) {
                return Ok(d.clone());
            }
            if self.template.pointer(&format!("/Resources/{r}")).is_some() {
                return Ok(json!(self.resource_arn(r)));
            }
            return Err(self.err(
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
                (Some(r), Some("PermissionSetArn" | "ApplicationArn")) => {
                    Ok(json!(self.resource_arn(r)))
                }
                _ => Err(self.err(at, format!("unsupported Fn::GetAtt {g}"))),
            };
        }
        Err(self.err(at, format!("unsupported intrinsic {v}")))
    }

    fn text(&self, props: &Value, key: &str, at: &str) -> Result<Option<String>, ProposedError> {
        self.text_at(props, &[key], at)
    }

    /// The string at `path` inside the resource's `Properties`
    fn text_at(
        &self,
        props: &Value,
        path: &[&str],
        at: &str,
    ) -> Result<Option<String>, ProposedError> {
        let mut v = props;
        for key in path {
            match v.get(key) {
                Some(x) => v = x,
                None => return Ok(None),
            }
        }
        let at = format!("{at}/Properties/{}", path.join("/"));
        match self.value(v, &at)? {
            Value::String(s) => Ok(Some(s)),
            other => Err(self.err(&at, format!("expected a string, found {other}"))),
        }
    }
}

/// Applies a CloudFormation template's Identity Center resources onto `base`
///
/// # Errors
/// A template without `Resources`, an unsupported intrinsic, a resource
/// missing a required property, a policy document that is not valid JSON.
pub fn apply_cloudformation(
    base: &Snapshot,
    template: &Value,
    file: &str,
) -> Result<Snapshot, ProposedError> {
    let changes = cloudformation_changes(base, template, file)?;
    apply(base, &changes, file, "CloudFormation template")
}

/// The typed changes of a template
///
/// # Errors
/// As [`apply_cloudformation`].
pub fn cloudformation_changes(
    base: &Snapshot,
    template: &Value,
    file: &str,
) -> Result<Vec<Located>, ProposedError> {
    let mut t = Template {
        file,
        template,
        instance_arn: base
            .identity_center
            .as_ref()
            .map(|ic| ic.instance_arn.clone())
            .unwrap_or_default(),
        arns: Vec::new(),
    };
    let resources = template
        .get("Resources")
        .and_then(Value::as_object)
        .ok_or_else(|| t.err("/Resources", "missing: not a CloudFormation template"))?;
    // Names first: a set or application named like one in the base takes
    // its ARN.
    let sets = named(&mut t, resources, "AWS::SSO::PermissionSet", |name| {
        base.permission_sets
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.arn.clone())
    })?;
    let apps = named(&mut t, resources, "AWS::SSO::Application", |name| {
        base.applications
            .iter()
            .flatten()
            .find(|a| a.name == name)
            .map(|a| a.arn.clone())
    })?;
    let mut out = Vec::new();
    for (logical, r, name) in apps {
        let at = format!("/Resources/{logical}");
        let p = &r["Properties"];
        let provider = t
            .text(p, "ApplicationProviderArn", &at)?
            .ok_or_else(|| t.err(&at, "`ApplicationProviderArn` is missing"))?;
        let mut app = new_application(t.resource_arn(logical), name, provider);
        app.description = t.text(p, "Description", &at)?;
        if let Some(status) = t.text(p, "Status", &at)? {
            app.status = status;
        }
        if let Some(v) = t.text_at(p, &["PortalOptions", "Visibility"], &at)? {
            app.visibility = v;
        }
        app.sign_in_origin = t.text_at(p, &["PortalOptions", "SignInOptions", "Origin"], &at)?;
        app.application_url = t.text_at(
            p,
            &["PortalOptions", "SignInOptions", "ApplicationUrl"],
            &at,
        )?;
        out.push(Located {
            at,
            change: Change::PutApplication(app),
        });
    }
    for (logical, r, name) in sets {
        let at = format!("/Resources/{logical}");
        let p = &r["Properties"];
        let mut set = new_set(t.resource_arn(logical), name);
        set.description = t.text(p, "Description", &at)?;
        set.relay_state = t.text(p, "RelayStateType", &at)?;
        if let Some(d) = t.text(p, "SessionDuration", &at)? {
            set.session_duration = d;
        }
        if let Some(m) = p.get("ManagedPolicies") {
            let at = format!("{at}/Properties/ManagedPolicies");
            let Value::Array(m) = m else {
                return Err(t.err(&at, "expected a list"));
            };
            for (i, x) in m.iter().enumerate() {
                let at = format!("{at}/{i}");
                match t.value(x, &at)? {
                    Value::String(s) => set.aws_managed_policies.push(s),
                    other => return Err(t.err(&at, format!("expected a string, found {other}"))),
                }
            }
        }
        if let Some(refs) = p.get("CustomerManagedPolicyReferences") {
            let at = format!("{at}/Properties/CustomerManagedPolicyReferences");
            let Value::Array(refs) = refs else {
                return Err(t.err(&at, "expected a list"));
            };
            for (i, r) in refs.iter().enumerate() {
                set.customer_managed_policies
                    .push(cfn_reference(&t, r, &format!("{at}/{i}"))?);
            }
        }
        let inline_at = format!("{at}/Properties/InlinePolicy");
        set.inline_policy = match p.get("InlinePolicy") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(policy_text(s, file, &inline_at)?),
            Some(v @ Value::Object(_)) => Some(
                serde_json::from_value::<JsonValue>(v.clone())
                    .map_err(|e| t.err(&inline_at, e.to_string()))?,
            ),
            Some(other) => {
                return Err(t.err(
                    &inline_at,
                    format!("expected a document or its text, found {other}"),
                ))
            }
        };
        if let Some(b) = p.get("PermissionsBoundary") {
            let at = format!("{at}/Properties/PermissionsBoundary");
            set.permissions_boundary = Some(
                if let Some(m) = b.get("ManagedPolicyArn").and_then(Value::as_str) {
                    Boundary::ManagedPolicyArn(m.to_owned())
                } else if let Some(r) = b.get("CustomerManagedPolicyReference") {
                    Boundary::CustomerManaged(cfn_reference(
                        &t,
                        r,
                        &format!("{at}/CustomerManagedPolicyReference"),
                    )?)
                } else {
                    return Err(t.err(&at, "names no policy"));
                },
            );
        }
        if let Some(Value::Array(tags)) = p.get("Tags") {
            for tag in tags {
                if let (Some(k), Some(v)) = (
                    tag.get("Key").and_then(Value::as_str),
                    tag.get("Value").and_then(Value::as_str),
                ) {
                    set.tags.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        out.push(Located {
            at,
            change: Change::PutPermissionSet {
                set,
                policies: Policies::Replace,
            },
        });
    }
    for (logical, r) in resources {
        if r["Type"] != "AWS::SSO::Assignment" {
            continue;
        }
        let at = format!("/Resources/{logical}");
        let p = &r["Properties"];
        let get = |k: &str| -> Result<String, ProposedError> {
            t.text(p, k, &at)?
                .ok_or_else(|| t.err(&at, format!("`{k}` is missing")))
        };
        if get("TargetType")? != "AWS_ACCOUNT" {
            return Err(t.err(
                &format!("{at}/Properties/TargetType"),
                "only AWS_ACCOUNT targets exist",
            ));
        }
        let principal_type = match get("PrincipalType")?.as_str() {
            "USER" => PrincipalType::User,
            "GROUP" => PrincipalType::Group,
            other => {
                return Err(t.err(
                    &format!("{at}/Properties/PrincipalType"),
                    format!("`{other}` is not USER or GROUP"),
                ))
            }
        };
        out.push(Located {
            at: at.clone(),
            change: Change::Assign(Assignment {
                account_id: get("TargetId")?,
                permission_set_arn: get("PermissionSetArn")?,
                principal_type,
                principal_id: get("PrincipalId")?,
            }),
        });
    }
    for (logical, r) in resources {
        let ty = &r["Type"];
        if ty != "AWS::SSO::ApplicationAssignment" && ty != "AWS::AccountAccess::Entitlement" {
            continue;
        }
        let at = format!("/Resources/{logical}");
        let p = &r["Properties"];
        let get = |path: &[&str]| -> Result<String, ProposedError> {
            t.text_at(p, path, &at)?
                .ok_or_else(|| t.err(&at, format!("`{}` is missing", path.join("."))))
        };
        let application = get(&["ApplicationArn"])?;
        let change = if ty == "AWS::SSO::ApplicationAssignment" {
            let principal_type = match get(&["PrincipalType"])?.as_str() {
                "USER" => PrincipalType::User,
                "GROUP" => PrincipalType::Group,
                other => {
                    return Err(t.err(
                        &format!("{at}/Properties/PrincipalType"),
                        format!("`{other}` is not USER or GROUP"),
                    ))
                }
            };
            Change::AssignApplication {
                application,
                assignment: ApplicationAssignment {
                    principal_type,
                    principal_id: get(&["PrincipalId"])?,
                },
            }
        } else {
            let role = ["Entitlement", "PrincipalRole"];
            let who = |k: &str| {
                t.text_at(
                    p,
                    &[role[0], role[1], "Principal", "IdentityCenter", k],
                    &at,
                )
            };
            let (pt, id) = match (who("UserId")?, who("GroupId")?) {
                (Some(u), None) => (PrincipalType::User, u),
                (None, Some(g)) => (PrincipalType::Group, g),
                _ => {
                    return Err(t.err(
                        &format!(
                            "{at}/Properties/Entitlement/PrincipalRole/Principal/IdentityCenter"
                        ),
                        "must name exactly one of `UserId` and `GroupId`",
                    ))
                }
            };
            Change::Entitle {
                application,
                entitlement: new_entitlement(
                    base,
                    pt,
                    id,
                    get(&[role[0], role[1], "RoleArn"])?,
                    t.text_at(p, &[role[0], role[1], "Account"], &at)?,
                ),
            }
        };
        out.push(Located { at, change });
    }
    Ok(out)
}

/// The template's resources of type `ty` with their `Name`, in the
/// template's order; each takes the ARN `existing` gives for its name (the
/// base's object of that name) or a placeholder
fn named<'r>(
    t: &mut Template<'_>,
    resources: &'r serde_json::Map<String, Value>,
    ty: &str,
    existing: impl Fn(&str) -> Option<String>,
) -> Result<Vec<(&'r String, &'r Value, String)>, ProposedError> {
    let mut out = Vec::new();
    for (logical, r) in resources.iter().filter(|(_, r)| r["Type"] == ty) {
        let at = format!("/Resources/{logical}");
        let name = t
            .text(&r["Properties"], "Name", &at)?
            .ok_or_else(|| t.err(&at, "`Name` is missing"))?;
        let arn = existing(&name).unwrap_or_else(|| t.placeholder(logical));
        t.arns.push((logical.clone(), arn));
        out.push((logical, r, name));
    }
    Ok(out)
}

fn cfn_reference(t: &Template<'_>, r: &Value, at: &str) -> Result<PolicyReference, ProposedError> {
    let name = t
        .text(r, "Name", at)?
        .ok_or_else(|| t.err(at, "`Name` is missing"))?;
    let path = t.text(r, "Path", at)?.unwrap_or_else(|| "/".to_owned());
    Ok(PolicyReference { name, path })
}

/// Reads a CloudFormation template from JSON or YAML text; YAML short forms
/// (`!Ref X`, `!GetAtt X.Attr`, `!Sub s`, other `!Fn`) become their long
/// forms. A key repeated in one object is refused in either, as for every
/// policy document
///
/// # Errors
/// Text that is neither, with its line and column.
pub fn read_template(text: &str, file: &str) -> Result<Value, ProposedError> {
    let located = |line: usize, column: usize, message: String| ProposedError::Shape {
        file: file.to_owned(),
        path: format!("line {line}, column {column}"),
        message,
    };
    if text.trim_start().starts_with('{') {
        let v = JsonValue::parse(text).map_err(|e| located(e.line(), e.column(), e.to_string()))?;
        return Ok(v.to_serde());
    }
    let y: serde_norway::Value = serde_norway::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        located(line, column, e.to_string())
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
    fn an_entitlement_names_exactly_one_principal() {
        let base: Snapshot =
            serde_json::from_str(include_str!("../../fixtures/acme/snapshot.json")).unwrap();
        let t = json!({"Resources": {"E": {"Type": "AWS::AccountAccess::Entitlement", "Properties": {
            "ApplicationArn": "arn:aws:account-access:eu-west-1:210000000000:application/aam-1",
            "Entitlement": {"PrincipalRole": {"Principal": {"IdentityCenter": {"UserId": "u", "GroupId": "g"}}, "RoleArn": "arn:aws:iam::210000000401:role/x"}}}}}});
        let e = cloudformation_changes(&base, &t, "t.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.json: /Resources/E/Properties/Entitlement/PrincipalRole/Principal/IdentityCenter: must name exactly one"),
            "{e}"
        );
        // An application without its provider.
        let t = json!({"Resources": {"A": {"Type": "AWS::SSO::Application", "Properties": {"Name": "X", "InstanceArn": "i"}}}});
        let e = cloudformation_changes(&base, &t, "t.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.json: /Resources/A: `ApplicationProviderArn` is missing"),
            "{e}"
        );
        // An application named like one of the base keeps its ARN (and so its
        // assignments); a new one gets a placeholder the assignment finds.
        let t = json!({"Resources": {
            "A": {"Type": "AWS::SSO::Application", "Properties": {"Name": "Acme Wiki", "InstanceArn": "i", "ApplicationProviderArn": "p"}},
            "B": {"Type": "AWS::SSO::Application", "Properties": {"Name": "New", "InstanceArn": "i", "ApplicationProviderArn": "p"}},
            "BA": {"Type": "AWS::SSO::ApplicationAssignment", "Properties": {"ApplicationArn": {"Ref": "B"}, "PrincipalType": "USER", "PrincipalId": "u"}}}});
        let c = cloudformation_changes(&base, &t, "t.json").unwrap();
        let arns: Vec<&str> = c
            .iter()
            .map(|l| match &l.change {
                Change::PutApplication(a) => a.arn.as_str(),
                Change::AssignApplication { application, .. } => application.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            arns,
            [
                "arn:aws:sso::210000000000:application/ssoins-6804ac0e5b1d2f30/apl-f48c29931f9dd85f",
                "arn:aws:sso:::application/ssoins-6804ac0e5b1d2f30/apl-planned-B",
                "arn:aws:sso:::application/ssoins-6804ac0e5b1d2f30/apl-planned-B"
            ]
        );
    }

    #[test]
    fn repeated_keys_are_refused_in_json_and_yaml() {
        let e = read_template(
            "{\"Resources\": {\"A\": {\"Type\": \"x\", \"Type\": \"y\"}}}",
            "t.json",
        )
        .unwrap_err();
        assert!(e.to_string().contains("duplicate key `Type`"), "{e}");
        let e = read_template("Resources:\n  A: 1\n  A: 2\n", "t.yaml").unwrap_err();
        assert!(e.to_string().starts_with("t.yaml: line 2"), "{e}");
    }
}
