//! `accessgraph import DIR`: reads an AWS CLI export folder
//! (`docs/export-layout.md`) into a [`Snapshot`].
//!
//! The AWS CLI prints the same data in several shapes, and all are accepted:
//! CLI v1 (epoch numbers) and v2 (ISO-8601) timestamps; IAM policy documents
//! as JSON objects (CLI and boto3 decode them), JSON strings, or URL-encoded
//! strings (the raw API and other SDKs); output wrapped in an object
//! (`{"Accounts": [...]}`) or a bare list; leftover pagination tokens.
//! Every error names the file and the JSON path inside it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::json::JsonValue;
use crate::snapshot::{
    Abac, AbacAttribute, AccessPortal, Account, AccountIam, Assignment, Boundary, CollectionError,
    DelegatedAdministrator, Email, Group, IamGroup, IamRole, IamUser, IdentityCenter,
    IdentitySource, InlinePolicy, ManagedPolicy, Membership, OrgPolicy, OrgPolicyType,
    Organization, Ou, PermissionSet, PolicyReference, PrincipalType, Provenance, Provisioning,
    Resource, Snapshot, User, UserStatus, FORMAT_VERSION,
};

/// An error importing an export folder
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A required file is missing or unreadable
    #[error("{path}: {message}")]
    File {
        /// The file
        path: String,
        /// What is wrong
        message: String,
    },
    /// A file whose content is not what the AWS CLI prints
    #[error("{path} at `{pointer}`: {message}")]
    Shape {
        /// The file
        path: String,
        /// JSON pointer inside it
        pointer: String,
        /// What was expected
        message: String,
    },
}

type Result<T> = std::result::Result<T, ImportError>;

/// One parsed file, for located errors
struct Doc {
    path: String,
    value: JsonValue,
}

/// A value inside a [`Doc`], with its JSON pointer
#[derive(Clone, Copy)]
struct At<'a> {
    doc: &'a Doc,
    value: &'a JsonValue,
}

struct Export {
    dir: PathBuf,
}

impl Export {
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn read(&self, rel: &str) -> Result<Option<Doc>> {
        let path = self.path(rel);
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ImportError::File {
                    path: shown,
                    message: e.to_string(),
                })
            }
        };
        let value = JsonValue::parse(&text).map_err(|e| ImportError::File {
            path: shown.clone(),
            message: format!("invalid JSON: {e}"),
        })?;
        Ok(Some(Doc { path: shown, value }))
    }

    fn require(&self, rel: &str) -> Result<Doc> {
        self.read(rel)?.ok_or_else(|| ImportError::File {
            path: self.path(rel).display().to_string(),
            message:
                "missing: this file of the export layout is required (see docs/export-layout.md)"
                    .into(),
        })
    }

    /// The entries of a sub-folder (none when it does not exist); an entry
    /// that cannot be read is an error, not skipped
    fn entries(&self, rel: &str) -> Result<Vec<std::fs::DirEntry>> {
        let dir = self.path(rel);
        let io = |e: std::io::Error| ImportError::File {
            path: dir.display().to_string(),
            message: e.to_string(),
        };
        match std::fs::read_dir(&dir) {
            Ok(entries) => entries.map(|e| e.map_err(io)).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io(e)),
        }
    }

    /// The `*.json` files of a sub-folder, by stem, sorted
    fn folder(&self, rel: &str) -> Result<Vec<(String, Doc)>> {
        let mut names: Vec<String> = self
            .entries(rel)?
            .iter()
            .filter_map(|e| {
                e.file_name()
                    .to_string_lossy()
                    .strip_suffix(".json")
                    .map(str::to_owned)
            })
            .collect();
        names.sort();
        let mut out = Vec::new();
        for stem in names {
            let doc = self.require(&format!("{rel}/{stem}.json"))?;
            out.push((stem, doc));
        }
        Ok(out)
    }

    /// Sub-folders of a folder, sorted
    fn subdirs(&self, rel: &str) -> Result<Vec<String>> {
        let mut out: Vec<String> = self
            .entries(rel)?
            .iter()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        out.sort();
        Ok(out)
    }
}

fn pointer_of(root: &JsonValue, target: &JsonValue) -> String {
    fn walk(v: &JsonValue, target: &JsonValue, path: &mut String) -> bool {
        if std::ptr::eq(v, target) {
            return true;
        }
        let len = path.len();
        match v {
            JsonValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push_str(&format!("/{i}"));
                    if walk(item, target, path) {
                        return true;
                    }
                    path.truncate(len);
                }
            }
            JsonValue::Object(members) => {
                for (k, item) in members {
                    *path = crate::json::pointer_push(path, k);
                    if walk(item, target, path) {
                        return true;
                    }
                    path.truncate(len);
                }
            }
            _ => {}
        }
        false
    }
    let mut path = String::new();
    walk(root, target, &mut path);
    if path.is_empty() {
        "/".into()
    } else {
        path
    }
}

impl<'a> At<'a> {
    fn root(doc: &'a Doc) -> At<'a> {
        At {
            doc,
            value: &doc.value,
        }
    }

    fn err(&self, message: impl Into<String>) -> ImportError {
        // Pointers are worked out only on the error path.
        ImportError::Shape {
            path: self.doc.path.clone(),
            pointer: pointer_of(&self.doc.value, self.value),
            message: message.into(),
        }
    }

    fn get(&self, key: &str) -> Option<At<'a>> {
        self.value
            .get(key)
            .filter(|v| **v != JsonValue::Null)
            .map(|value| At {
                doc: self.doc,
                value,
            })
    }

    fn field(&self, key: &str) -> Result<At<'a>> {
        self.get(key)
            .ok_or_else(|| self.err(format!("missing `{key}`")))
    }

    fn str(&self) -> Result<&'a str> {
        match self.value {
            JsonValue::String(s) => Ok(s),
            other => Err(self.err(format!("expected a string, found {}", other.type_name()))),
        }
    }

    fn string(&self, key: &str) -> Result<String> {
        self.field(key)?.str().map(str::to_owned)
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.str().map(|s| Some(s.to_owned())),
        }
    }

    fn bool_or(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key).map(|v| v.value) {
            None => Ok(default),
            Some(JsonValue::Bool(b)) => Ok(*b),
            Some(_) => Err(self.field(key)?.err("expected a boolean")),
        }
    }

    fn items(&self) -> Result<Vec<At<'a>>> {
        match self.value {
            JsonValue::Array(items) => Ok(items
                .iter()
                .map(|value| At {
                    doc: self.doc,
                    value,
                })
                .collect()),
            other => Err(self.err(format!("expected an array, found {}", other.type_name()))),
        }
    }

    /// The list under `key` (`{"Key": [...]}`), or the value itself when the
    /// file is a bare list
    fn list(&self, key: &str) -> Result<Vec<At<'a>>> {
        match self.value {
            JsonValue::Array(_) => self.items(),
            JsonValue::Object(_) => match self.get(key) {
                Some(v) => v.items(),
                None => Ok(Vec::new()),
            },
            other => Err(self.err(format!(
                "expected an object with `{key}` or an array, found {}",
                other.type_name()
            ))),
        }
    }

    fn tags(&self, key: &str) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for t in self.list(key)? {
            out.insert(t.string("Key")?, t.opt_string("Value")?.unwrap_or_default());
        }
        Ok(out)
    }

    /// A policy document as an object, a JSON string or a URL-encoded string
    fn document(&self) -> Result<JsonValue> {
        match self.value {
            JsonValue::Object(_) => Ok(self.value.clone()),
            JsonValue::String(s) => parse_document_text(s).map_err(|m| self.err(m)),
            other => Err(self.err(format!(
                "expected a policy document, found {}",
                other.type_name()
            ))),
        }
    }
}

/// Reads a policy document given as text: plain JSON, or URL-encoded JSON
/// (what the IAM API returns)
pub fn parse_document_text(s: &str) -> std::result::Result<JsonValue, String> {
    let trimmed = s.trim_start();
    let text = if trimmed.starts_with('{') {
        s.to_owned()
    } else {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map_err(|e| format!("a URL-encoded policy document that is not UTF-8: {e}"))?
            .into_owned()
    };
    match JsonValue::parse(&text) {
        Ok(v @ JsonValue::Object(_)) => Ok(v),
        Ok(other) => Err(format!(
            "expected a policy document object, found {}",
            other.type_name()
        )),
        Err(e) => Err(format!("invalid policy document JSON: {e}")),
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
    let meta_doc = ex.require("meta.json")?;
    let meta = At::root(&meta_doc);
    let region = meta.string("region")?;
    let exported_at = meta.string("exported_at")?;
    let identity_source = match meta.opt_string("identity_source")?.as_deref() {
        None | Some("IDENTITY_CENTER_DIRECTORY") => IdentitySource::IdentityCenterDirectory,
        Some("ACTIVE_DIRECTORY") => IdentitySource::ActiveDirectory,
        Some("EXTERNAL_IDP") => IdentitySource::ExternalIdp,
        Some(other) => {
            return Err(meta.field("identity_source")?.err(format!(
                "unknown identity source `{other}`, expected IDENTITY_CENTER_DIRECTORY, ACTIVE_DIRECTORY or EXTERNAL_IDP"
            )))
        }
    };
    let subdomain = meta.opt_string("portal_custom_subdomain")?;
    let mfa_present = meta.bool_or("mfa_present", false)?;
    let source = match meta.opt_string("cli_version")? {
        Some(v) => format!("import: AWS CLI export ({v})"),
        None => "import: AWS CLI export".to_owned(),
    };

    let mut errors = Vec::new();
    if let Some(doc) = ex.read("errors.json")? {
        for e in At::root(&doc).list("Errors")? {
            errors.push(CollectionError {
                account_id: e.opt_string("account_id")?,
                operation: e.string("operation")?,
                message: e.string("message")?,
            });
        }
    }

    let organization = import_organization(&ex)?;
    let management = organization
        .as_ref()
        .map(|o| o.management_account_id.clone());
    let (identity_center, permission_sets, assignments) = import_sso(
        &ex,
        &region,
        identity_source,
        subdomain.as_deref(),
        mfa_present,
        management.as_deref(),
    )?;
    let (users, groups, memberships) = import_identity_store(&ex)?;
    let mut iam = Vec::new();
    for account in ex.subdirs("iam")? {
        if let Some(doc) = ex.read(&format!(
            "iam/{account}/get-account-authorization-details.json"
        ))? {
            iam.push(import_iam(&account, &doc)?);
        }
    }
    let mut resources = Vec::new();
    if let Some(doc) = ex.read("resources.json")? {
        for r in At::root(&doc).list("Resources")? {
            let mut tags = BTreeMap::new();
            if let Some(t) = r.get("tags") {
                let JsonValue::Object(members) = t.value else {
                    return Err(t.err("expected an object of tag keys to values"));
                };
                for (k, v) in members {
                    let v = At {
                        doc: &doc,
                        value: v,
                    }
                    .str()?;
                    tags.insert(k.clone(), v.to_owned());
                }
            }
            resources.push(Resource {
                arn: r.string("arn")?,
                account_id: r.opt_string("account_id")?,
                tags,
                policy: r.get("policy").map(|p| p.document()).transpose()?,
                abac: match r.get("abac") {
                    None => None,
                    Some(a) => Some(match a.value {
                        JsonValue::Bool(b) => *b,
                        JsonValue::String(s) if s == "Enabled" => true,
                        JsonValue::String(s) if s == "Disabled" => false,
                        _ => {
                            return Err(a.err(
                                "expected the GetBucketAbac status `Enabled` or `Disabled` (or true/false)",
                            ))
                        }
                    }),
                },
            });
        }
    }
    let mut snap = Snapshot {
        format_version: FORMAT_VERSION,
        provenance: Provenance {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            collected_at: exported_at,
            source,
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
    let Some(org_doc) = ex.read("organizations/describe-organization.json")? else {
        return Ok(None);
    };
    let org = At::root(&org_doc).field("Organization")?;
    let id = org.string("Id")?;
    let management_account_id = org.string("MasterAccountId")?;
    let roots_doc = ex.require("organizations/list-roots.json")?;
    let roots = At::root(&roots_doc).list("Roots")?;
    let root = roots
        .first()
        .ok_or_else(|| At::root(&roots_doc).err("no root listed"))?;
    let root_id = root.string("Id")?;

    let mut ous = Vec::new();
    for (parent, doc) in ex.folder("organizations/list-organizational-units-for-parent")? {
        for ou in At::root(&doc).list("OrganizationalUnits")? {
            ous.push(Ou {
                id: ou.string("Id")?,
                name: ou.string("Name")?,
                parent_id: parent.clone(),
            });
        }
    }
    let mut parent_of: BTreeMap<String, String> = BTreeMap::new();
    for (parent, doc) in ex.folder("organizations/list-accounts-for-parent")? {
        for a in At::root(&doc).list("Accounts")? {
            parent_of.insert(a.string("Id")?, parent.clone());
        }
    }
    let accounts_doc = ex.require("organizations/list-accounts.json")?;
    let mut accounts = Vec::new();
    for a in At::root(&accounts_doc).list("Accounts")? {
        let id = a.string("Id")?;
        // `State` replaces the retired `Status`; either may be present.
        let status = match a.opt_string("State")? {
            Some(s) => s,
            None => a.opt_string("Status")?.unwrap_or_else(|| "ACTIVE".into()),
        };
        let parent_id = match parent_of.get(&id) {
            Some(p) => p.clone(),
            None => parent_from_paths(&a, &id)?.unwrap_or_else(|| root_id.clone()),
        };
        let tags = match ex.read(&format!("organizations/list-tags-for-resource/{id}.json"))? {
            Some(doc) => At::root(&doc).tags("Tags")?,
            None => BTreeMap::new(),
        };
        accounts.push(Account {
            id,
            name: a.string("Name")?,
            email: a.opt_string("Email")?,
            status,
            parent_id,
            tags,
        });
    }

    let mut policies = Vec::new();
    for (file, policy_type) in [
        (
            "SERVICE_CONTROL_POLICY",
            OrgPolicyType::ServiceControlPolicy,
        ),
        (
            "RESOURCE_CONTROL_POLICY",
            OrgPolicyType::ResourceControlPolicy,
        ),
    ] {
        let Some(list_doc) = ex.read(&format!("organizations/list-policies/{file}.json"))? else {
            continue;
        };
        for p in At::root(&list_doc).list("Policies")? {
            let pid = p.string("Id")?;
            let desc_doc = ex.require(&format!("organizations/describe-policy/{pid}.json"))?;
            let policy = At::root(&desc_doc).field("Policy")?;
            let summary = policy.field("PolicySummary")?;
            let content = policy.field("Content")?.document()?;
            let mut targets = Vec::new();
            if let Some(t_doc) =
                ex.read(&format!("organizations/list-targets-for-policy/{pid}.json"))?
            {
                for t in At::root(&t_doc).list("Targets")? {
                    targets.push(t.string("TargetId")?);
                }
            } else {
                return Err(ImportError::File {
                    path: ex
                        .path(&format!("organizations/list-targets-for-policy/{pid}.json"))
                        .display()
                        .to_string(),
                    message: "missing: every listed policy needs its targets".into(),
                });
            }
            policies.push(OrgPolicy {
                id: pid,
                name: summary.string("Name")?,
                policy_type,
                aws_managed: summary.bool_or("AwsManaged", false)?,
                description: summary.opt_string("Description")?.filter(|d| !d.is_empty()),
                content,
                targets,
            });
        }
    }
    let mut delegated_administrators = Vec::new();
    if let Some(doc) = ex.read("organizations/list-delegated-administrators.json")? {
        for d in At::root(&doc).list("DelegatedAdministrators")? {
            delegated_administrators.push(DelegatedAdministrator {
                account_id: d.string("Id")?,
                service_principal: "sso.amazonaws.com".into(),
            });
        }
    }
    Ok(Some(Organization {
        id,
        management_account_id,
        root_id,
        ous,
        accounts,
        policies,
        delegated_administrators,
    }))
}

/// `Accounts[].Paths` (`o-x/r-ab12/ou-ab12-1111/222222222222/`): the
/// account's parent is the segment before its id
fn parent_from_paths(a: &At<'_>, id: &str) -> Result<Option<String>> {
    let Some(paths) = a.get("Paths") else {
        return Ok(None);
    };
    for p in paths.items()? {
        let segs: Vec<&str> = p.str()?.split('/').filter(|s| !s.is_empty()).collect();
        if let [.., parent, last] = segs.as_slice() {
            if *last == id {
                return Ok(Some((*parent).to_owned()));
            }
        }
    }
    Ok(None)
}

type SsoParts = (Option<IdentityCenter>, Vec<PermissionSet>, Vec<Assignment>);

fn import_sso(
    ex: &Export,
    region: &str,
    identity_source: IdentitySource,
    subdomain: Option<&str>,
    mfa_present: bool,
    management: Option<&str>,
) -> Result<SsoParts> {
    let Some(inst_doc) = ex.read("sso-admin/list-instances.json")? else {
        return Ok((None, Vec::new(), Vec::new()));
    };
    let instances = At::root(&inst_doc).list("Instances")?;
    // An organization instance lives in the management account; account
    // instances serve applications only.
    let inst = instances
        .iter()
        .find(|i| {
            management.is_some() && i.get("OwnerAccountId").and_then(|o| o.str().ok()) == management
        })
        .or_else(|| instances.first())
        .ok_or_else(|| At::root(&inst_doc).err("no Identity Center instance listed"))?;
    let instance_arn = inst.string("InstanceArn")?;
    let identity_store_id = inst.string("IdentityStoreId")?;
    let abac =
        match ex.read("sso-admin/describe-instance-access-control-attribute-configuration.json")? {
            None => Abac {
                enabled: false,
                attributes: Vec::new(),
            },
            Some(doc) => {
                let root = At::root(&doc);
                let status = root.opt_string("Status")?.unwrap_or_default();
                let mut attributes = Vec::new();
                if let Some(cfg) = root.get("InstanceAccessControlAttributeConfiguration") {
                    for a in cfg.list("AccessControlAttributes")? {
                        let sources = a.field("Value")?.field("Source")?;
                        let source = match sources.value {
                            JsonValue::Array(_) => sources
                                .items()?
                                .first()
                                .map(|s| s.str())
                                .transpose()?
                                .unwrap_or("")
                                .to_owned(),
                            _ => sources.str()?.to_owned(),
                        };
                        attributes.push(AbacAttribute {
                            key: a.string("Key")?,
                            source,
                        });
                    }
                }
                Abac {
                    enabled: status == "ENABLED",
                    attributes,
                }
            }
        };
    let identity_center = IdentityCenter {
        instance_arn,
        access_portal: AccessPortal {
            default_url: format!("https://{identity_store_id}.awsapps.com/start"),
            custom_url: subdomain.map(|s| format!("https://{s}.awsapps.com/start")),
        },
        identity_store_id,
        home_region: region.to_owned(),
        owner_account_id: inst.opt_string("OwnerAccountId")?,
        name: inst.opt_string("Name")?,
        identity_source,
        abac,
        mfa_present,
    };

    let list_doc = ex.require("sso-admin/list-permission-sets.json")?;
    let mut permission_sets = Vec::new();
    for arn_at in At::root(&list_doc).list("PermissionSets")? {
        let arn = arn_at.str()?.to_owned();
        let id = arn.rsplit('/').next().unwrap_or(&arn).to_owned();
        let base = format!("sso-admin/permission-sets/{id}");
        let d_doc = ex.require(&format!("{base}/describe-permission-set.json"))?;
        let d = At::root(&d_doc).field("PermissionSet")?;
        let mut aws_managed_policies = Vec::new();
        if let Some(doc) = ex.read(&format!(
            "{base}/list-managed-policies-in-permission-set.json"
        ))? {
            for m in At::root(&doc).list("AttachedManagedPolicies")? {
                aws_managed_policies.push(m.string("Arn")?);
            }
        }
        let mut customer_managed_policies = Vec::new();
        if let Some(doc) = ex.read(&format!(
            "{base}/list-customer-managed-policy-references-in-permission-set.json"
        ))? {
            for c in At::root(&doc).list("CustomerManagedPolicyReferences")? {
                customer_managed_policies.push(policy_reference(&c)?);
            }
        }
        let inline_policy = match ex
            .read(&format!("{base}/get-inline-policy-for-permission-set.json"))?
        {
            None => None,
            Some(doc) => match At::root(&doc).get("InlinePolicy") {
                Some(v) if matches!(v.value, JsonValue::String(s) if s.trim().is_empty()) => None,
                Some(v) => Some(v.document()?),
                None => None,
            },
        };
        let permissions_boundary =
            match ex.read(&format!(
                "{base}/get-permissions-boundary-for-permission-set.json"
            ))? {
                None => None,
                Some(doc) => match At::root(&doc).get("PermissionsBoundary") {
                    None => None,
                    Some(b) => Some(
                        match (
                            b.get("ManagedPolicyArn"),
                            b.get("CustomerManagedPolicyReference"),
                        ) {
                            (Some(arn), _) => Boundary::ManagedPolicyArn(arn.str()?.to_owned()),
                            (None, Some(r)) => Boundary::CustomerManaged(policy_reference(&r)?),
                            (None, None) => return Err(b.err(
                                "expected `ManagedPolicyArn` or `CustomerManagedPolicyReference`",
                            )),
                        },
                    ),
                },
            };
        let tags = match ex.read(&format!("{base}/list-tags-for-resource.json"))? {
            Some(doc) => At::root(&doc).tags("Tags")?,
            None => BTreeMap::new(),
        };
        let mut provisioning = Vec::new();
        if let Some(doc) = ex.read(&format!(
            "{base}/list-accounts-for-provisioned-permission-set.json"
        ))? {
            for a in At::root(&doc).list("AccountIds")? {
                provisioning.push(Provisioning {
                    account_id: a.str()?.to_owned(),
                    status: "LATEST_PERMISSION_SET_PROVISIONED".into(),
                });
            }
        }
        permission_sets.push(PermissionSet {
            arn: arn.clone(),
            name: d.string("Name")?,
            description: d.opt_string("Description")?,
            session_duration: d
                .opt_string("SessionDuration")?
                .unwrap_or_else(|| "PT1H".into()),
            relay_state: d.opt_string("RelayState")?,
            aws_managed_policies,
            customer_managed_policies,
            inline_policy,
            permissions_boundary,
            tags,
            provisioning,
        });
    }

    let mut assignments = Vec::new();
    for account in ex.subdirs("sso-admin/account-assignments")? {
        for (_, doc) in ex.folder(&format!("sso-admin/account-assignments/{account}"))? {
            for a in At::root(&doc).list("AccountAssignments")? {
                let principal_type = match a.string("PrincipalType")?.as_str() {
                    "USER" => PrincipalType::User,
                    "GROUP" => PrincipalType::Group,
                    other => {
                        return Err(a
                            .field("PrincipalType")?
                            .err(format!("expected USER or GROUP, found `{other}`")))
                    }
                };
                assignments.push(Assignment {
                    account_id: a.string("AccountId")?,
                    permission_set_arn: a.string("PermissionSetArn")?,
                    principal_type,
                    principal_id: a.string("PrincipalId")?,
                });
            }
        }
    }
    Ok((Some(identity_center), permission_sets, assignments))
}

fn policy_reference(c: &At<'_>) -> Result<PolicyReference> {
    Ok(PolicyReference {
        name: c.string("Name")?,
        path: c.opt_string("Path")?.unwrap_or_else(|| "/".into()),
    })
}

type StoreParts = (Vec<User>, Vec<Group>, Vec<Membership>);

fn import_identity_store(ex: &Export) -> Result<StoreParts> {
    let mut users = Vec::new();
    if let Some(doc) = ex.read("identitystore/list-users.json")? {
        for u in At::root(&doc).list("Users")? {
            users.push(import_user(&u)?);
        }
    }
    let mut groups = Vec::new();
    if let Some(doc) = ex.read("identitystore/list-groups.json")? {
        for g in At::root(&doc).list("Groups")? {
            groups.push(Group {
                id: g.string("GroupId")?,
                name: g.string("DisplayName")?,
                description: g.opt_string("Description")?,
            });
        }
    }
    let mut memberships = Vec::new();
    for (group, doc) in ex.folder("identitystore/list-group-memberships")? {
        for m in At::root(&doc).list("GroupMemberships")? {
            let group_id = m.opt_string("GroupId")?.unwrap_or_else(|| group.clone());
            let user_id = m.field("MemberId")?.string("UserId")?;
            memberships.push(Membership { group_id, user_id });
        }
    }
    Ok((users, groups, memberships))
}

fn import_user(u: &At<'_>) -> Result<User> {
    let name = u.get("Name");
    let mut emails = Vec::new();
    if let Some(list) = u.get("Emails") {
        for e in list.items()? {
            emails.push(Email {
                value: e.string("Value")?,
                email_type: e.opt_string("Type")?,
                primary: e.bool_or("Primary", false)?,
            });
        }
    }
    let status = match u.opt_string("UserStatus")?.as_deref() {
        None | Some("ENABLED") => UserStatus::Enabled,
        Some("DISABLED") => UserStatus::Disabled,
        Some(other) => {
            return Err(u
                .field("UserStatus")?
                .err(format!("expected ENABLED or DISABLED, found `{other}`")))
        }
    };
    let mut attributes = BTreeMap::new();
    for (key, path) in [
        ("NickName", "nickName"),
        ("ProfileUrl", "profileUrl"),
        ("UserType", "userType"),
        ("Title", "title"),
        ("PreferredLanguage", "preferredLanguage"),
        ("Locale", "locale"),
        ("Timezone", "timezone"),
    ] {
        if let Some(v) = u.opt_string(key)? {
            attributes.insert(path.to_owned(), v);
        }
    }
    for (key, path) in [("Addresses", "addresses"), ("PhoneNumbers", "phoneNumbers")] {
        let Some(list) = u.get(key) else { continue };
        for item in list.items()? {
            let kind = item.opt_string("Type")?.unwrap_or_else(|| "work".into());
            let JsonValue::Object(members) = item.value else {
                continue;
            };
            for (field, v) in members {
                if field == "Type" || field == "Primary" {
                    continue;
                }
                if let JsonValue::String(s) = v {
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
    if let Some(ext) = u
        .get("Extensions")
        .and_then(|e| e.get("aws:identitystore:enterprise"))
    {
        if let JsonValue::Object(members) = ext.value {
            for (k, v) in members {
                match v {
                    JsonValue::String(s) => {
                        enterprise.insert(k.clone(), s.clone());
                    }
                    // `manager` is an object: {"value": "<id>"}
                    JsonValue::Object(_) => {
                        if let Some(JsonValue::String(s)) =
                            v.get("value").or_else(|| v.get("Value"))
                        {
                            enterprise.insert(format!("{k}.value"), s.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut external_ids = Vec::new();
    if let Some(list) = u.get("ExternalIds") {
        for e in list.items()? {
            external_ids.push(format!("{}:{}", e.string("Issuer")?, e.string("Id")?));
        }
    }
    Ok(User {
        id: u.string("UserId")?,
        user_name: u.string("UserName")?,
        display_name: u.opt_string("DisplayName")?,
        given_name: name
            .map(|n| n.opt_string("GivenName"))
            .transpose()?
            .flatten(),
        family_name: name
            .map(|n| n.opt_string("FamilyName"))
            .transpose()?
            .flatten(),
        emails,
        status,
        attributes,
        enterprise,
        external_ids,
    })
}

fn inline_policies(a: &At<'_>, key: &str) -> Result<Vec<InlinePolicy>> {
    let mut out = Vec::new();
    if let Some(list) = a.get(key) {
        for p in list.items()? {
            out.push(InlinePolicy {
                name: p.string("PolicyName")?,
                document: p.field("PolicyDocument")?.document()?,
            });
        }
    }
    Ok(out)
}

fn attached(a: &At<'_>) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if let Some(v) = a.get("AttachedManagedPolicies") {
        // The CLI documentation shows an object here for groups; the model says a list.
        let items = match v.value {
            JsonValue::Object(_) => vec![v],
            _ => v.items()?,
        };
        for m in items {
            out.push(m.string("PolicyArn")?);
        }
    }
    Ok(out)
}

fn boundary_arn(a: &At<'_>) -> Result<Option<String>> {
    match a.get("PermissionsBoundary") {
        None => Ok(None),
        Some(b) => b.opt_string("PermissionsBoundaryArn"),
    }
}

fn import_iam(account: &str, doc: &Doc) -> Result<AccountIam> {
    let root = At::root(doc);
    let mut roles = Vec::new();
    for r in root.list("RoleDetailList")? {
        roles.push(IamRole {
            name: r.string("RoleName")?,
            path: r.opt_string("Path")?.unwrap_or_else(|| "/".into()),
            arn: r.string("Arn")?,
            id: r.opt_string("RoleId")?,
            trust_policy: r.field("AssumeRolePolicyDocument")?.document()?,
            inline_policies: inline_policies(&r, "RolePolicyList")?,
            managed_policies: attached(&r)?,
            permissions_boundary: boundary_arn(&r)?,
            tags: r.tags("Tags")?,
        });
    }
    let mut users = Vec::new();
    for u in root.list("UserDetailList")? {
        let mut groups = Vec::new();
        if let Some(g) = u.get("GroupList") {
            for name in g.items()? {
                groups.push(name.str()?.to_owned());
            }
        }
        users.push(IamUser {
            name: u.string("UserName")?,
            path: u.opt_string("Path")?.unwrap_or_else(|| "/".into()),
            arn: u.string("Arn")?,
            id: u.opt_string("UserId")?,
            groups,
            inline_policies: inline_policies(&u, "UserPolicyList")?,
            managed_policies: attached(&u)?,
            permissions_boundary: boundary_arn(&u)?,
            tags: u.tags("Tags")?,
        });
    }
    let mut groups = Vec::new();
    for g in root.list("GroupDetailList")? {
        groups.push(IamGroup {
            name: g.string("GroupName")?,
            path: g.opt_string("Path")?.unwrap_or_else(|| "/".into()),
            arn: g.string("Arn")?,
            inline_policies: inline_policies(&g, "GroupPolicyList")?,
            managed_policies: attached(&g)?,
        });
    }
    let mut policies = Vec::new();
    let mut seen = BTreeSet::new();
    for p in root.list("Policies")? {
        let arn = p.string("Arn")?;
        // Only the default version is in force.
        let versions = p.field("PolicyVersionList")?.items()?;
        let default = versions
            .iter()
            .find(|v| v.bool_or("IsDefaultVersion", false).unwrap_or(false))
            .ok_or_else(|| p.err("no version has `IsDefaultVersion: true`"))?;
        if seen.insert(arn.clone()) {
            policies.push(ManagedPolicy {
                arn,
                name: p.string("PolicyName")?,
                path: p.opt_string("Path")?.unwrap_or_else(|| "/".into()),
                document: default.field("Document")?.document()?,
            });
        }
    }
    Ok(AccountIam {
        account_id: account.to_owned(),
        roles,
        users,
        groups,
        policies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_in_every_encoding() {
        let want = JsonValue::parse(r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap();
        assert_eq!(
            parse_document_text(r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap(),
            want
        );
        assert_eq!(
            parse_document_text(
                "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
            )
            .unwrap(),
            want
        );
        assert_eq!(
            parse_document_text("%7B%22a%22%3A").unwrap_err(),
            "invalid policy document JSON: EOF while parsing a value at line 1 column 5"
        );
        assert_eq!(
            parse_document_text("[]").unwrap_err(),
            "expected a policy document object, found an array"
        );
    }
}
