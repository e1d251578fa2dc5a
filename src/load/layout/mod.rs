//! The AWS CLI export layout (docs/export-layout.md) as types: each file is
//! the `--output json` of the command its path names, defined once here,
//! and each path with the type of its file ([`File`], [`paths`]).
//! `collect` builds these from the SDK's types and writes them; `import`
//! (and `collect --resume`) reads them back through [`read`], with the file
//! and JSON pointer of the first problem. Which files there are for which
//! ids is one walk ([`walk`]) that both make, each over its own source.
//!
//! The CLI prints the same data in several shapes and every one is read:
//! output wrapped in an object (`{"Accounts": [...]}`) or a bare list
//! ([`listing!`]); policy documents as objects, JSON strings or URL-encoded
//! strings ([`Document`]); one object where the model says a list
//! ([`OneOrMany`]); `null` for an absent list. Timestamps (CLI v1 epoch
//! numbers, v2 ISO-8601) and every other field the snapshot does not keep
//! are not read, so their shape cannot fail an import.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::json::JsonValue;
use crate::snapshot::{CollectionError, IdentitySource, PrincipalType, UserStatus};

#[cfg(feature = "live")]
mod sdk;
mod snapshot;
pub(crate) use snapshot::{assemble, Parts};
pub(crate) mod walk;

/// An error reading an export folder
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A required file is missing or unreadable, or not JSON
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

/// Reads the export file `rel` of `dir` as `T`; `None` when it does not exist
///
/// # Errors
/// [`ImportError::File`] for an unreadable file or invalid JSON,
/// [`ImportError::Shape`] with the JSON pointer for content of another shape.
pub fn read<T: DeserializeOwned>(dir: &Path, rel: &str) -> Result<Option<T>, ImportError> {
    let path = dir.join(rel);
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
    parse(&text)
        .map(Some)
        .map_err(|(pointer, message)| match pointer {
            None => ImportError::File {
                path: shown,
                message: format!("invalid JSON: {message}"),
            },
            Some(pointer) => ImportError::Shape {
                path: shown,
                pointer,
                message,
            },
        })
}

/// Parses one file's text as `T`: `Err((None, message))` for text that is
/// not JSON, `Err((Some(pointer), message))` for JSON of another shape
///
/// # Errors
/// As above.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, (Option<String>, String)> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => return de.end().map(|()| v).map_err(|e| (None, e.to_string())),
        Err(e) => Err::<T, _>(e),
    };
    value.map_err(|e| {
        let inner = e.inner();
        if !inner.is_data() {
            return (None, inner.to_string());
        }
        let mut pointer = String::new();
        for seg in e.path().iter() {
            pointer = match seg {
                serde_path_to_error::Segment::Seq { index } => format!("{pointer}/{index}"),
                serde_path_to_error::Segment::Map { key } => {
                    crate::json::pointer_push(&pointer, key)
                }
                serde_path_to_error::Segment::Enum { variant } => {
                    crate::json::pointer_push(&pointer, variant)
                }
                serde_path_to_error::Segment::Unknown => format!("{pointer}/?"),
            };
        }
        if pointer.is_empty() {
            pointer.push('/');
        }
        (Some(pointer), plain(&inner.to_string()))
    })
}

/// serde's wording in the words of JSON: `invalid type: map, expected a
/// sequence at line 1 column 14` is `expected an array, found an object`
fn plain(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    let json_type = |t: &str| -> String {
        let t = t.trim();
        match t {
            "map" => "an object".into(),
            "sequence" | "a sequence" => "an array".into(),
            "null" | "unit value" => "null".into(),
            _ if t.starts_with("string") || t == "a string" => "a string".into(),
            _ if t.starts_with("integer") || t.starts_with("floating point") => "a number".into(),
            _ if t.starts_with("boolean") || t == "a boolean" => "a boolean".into(),
            _ if t.starts_with("struct ") || t.starts_with("a map") => "an object".into(),
            _ => t.to_owned(),
        }
    };
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return format!(
                "expected {}, found {}",
                json_type(expected),
                json_type(found)
            );
        }
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("missing {field}");
    }
    message.to_owned()
}

/// `#[serde(deserialize_with = "nullable")]`: `null` reads as the default
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// Declares a file whose content is one list under `$key`, read wrapped
/// (`{"$key": [...], "NextToken": ...}`) or bare (`[...]`), written wrapped
macro_rules! listing {
    ($(#[$m:meta])* $name:ident, $key:literal, $item:ty) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default)]
        pub(crate) struct $name(pub Vec<$item>);

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry($key, &self.0)?;
                m.end()
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(ListingVisitor::<$item>($key, PhantomData)).map($name)
            }
        }
    };
}

struct ListingVisitor<T>(&'static str, PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListingVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with `{}` or an array", self.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.0 {
                if out.is_some() {
                    return Err(de::Error::custom(format!("duplicate `{}`", self.0)));
                }
                out = Some(map.next_value::<Option<Vec<T>>>()?.unwrap_or_default());
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out.unwrap_or_default())
    }
}

/// One value where the model has a list (the CLI documentation shows an
/// object for a group's `AttachedManagedPolicies`), or the list
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub(crate) struct OneOrMany<T>(pub Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match JsonValue::deserialize(d)? {
            JsonValue::Null => Ok(OneOrMany(Vec::new())),
            JsonValue::Array(items) => items
                .into_iter()
                .map(|v| T::deserialize(v.to_serde()).map_err(de::Error::custom))
                .collect::<Result<_, _>>()
                .map(OneOrMany),
            one => T::deserialize(one.to_serde())
                .map(|t| OneOrMany(vec![t]))
                .map_err(de::Error::custom),
        }
    }
}

/// A policy document: an object, a JSON string or a URL-encoded JSON string
/// (the IAM API's own form), written back in the shape it came in
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    pub(crate) value: JsonValue,
    /// Written as a JSON string (the API's shape for SCP content and
    /// permission set inline policies)
    as_text: bool,
}

impl Document {
    #[cfg(feature = "live")]
    /// A document from the text an API returned; text that is not a policy
    /// document is kept as it is, so the import names it
    pub fn text(s: &str) -> Document {
        Document {
            value: parse_document_text(s).unwrap_or_else(|_| JsonValue::String(s.to_owned())),
            as_text: true,
        }
    }
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.value {
            JsonValue::Object(_) if self.as_text => {
                s.serialize_str(&self.value.to_serde().to_string())
            }
            v => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match JsonValue::deserialize(d)? {
            v @ JsonValue::Object(_) => Ok(Document {
                value: v,
                as_text: false,
            }),
            JsonValue::String(s) => parse_document_text(&s)
                .map(|value| Document {
                    value,
                    as_text: true,
                })
                .map_err(de::Error::custom),
            other => Err(de::Error::custom(format!(
                "expected a policy document, found {}",
                other.type_name()
            ))),
        }
    }
}

/// Reads a policy document given as text: plain JSON, or URL-encoded JSON
/// (what the IAM API returns)
///
/// # Errors
/// What is wrong with the text.
pub fn parse_document_text(s: &str) -> Result<JsonValue, String> {
    let text = if s.trim_start().starts_with('{') {
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

/// A permission set's inline policy: a document, or `""` for none
fn inline_policy<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Document>, D::Error> {
    match JsonValue::deserialize(d)? {
        JsonValue::Null => Ok(None),
        JsonValue::String(s) if s.trim().is_empty() => Ok(None),
        v => Document::deserialize(v.to_serde())
            .map(Some)
            .map_err(de::Error::custom),
    }
}

// ------------------------------------------------------------------ files

/// `meta.json`: what the APIs do not expose
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Meta {
    pub(crate) region: String,
    pub(crate) exported_at: String,
    pub(crate) cli_version: Option<String>,
    pub(crate) identity_source: Option<IdentitySource>,
    pub(crate) portal_custom_subdomain: Option<String>,
    pub(crate) mfa_present: Option<bool>,
}

listing!(
    /// `errors.json`: the calls that failed
    Errors, "Errors", CollectionError
);

/// A tag
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tag {
    pub(crate) key: String,
    pub(crate) value: Option<String>,
}

listing!(
    /// `list-tags-for-resource` (organizations and sso-admin)
    Tags, "Tags", Tag
);

impl Tags {
    /// The tags as a map
    pub fn map(self) -> BTreeMap<String, String> {
        self.0
            .into_iter()
            .map(|t| (t.key, t.value.unwrap_or_default()))
            .collect()
    }
}

/// `organizations describe-organization`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeOrganization {
    pub(crate) organization: OrganizationDesc,
}

/// The organization in `describe-organization`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct OrganizationDesc {
    pub(crate) id: String,
    pub(crate) arn: Option<String>,
    pub(crate) master_account_id: String,
    pub(crate) feature_set: Option<String>,
}

/// A root in `list-roots`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Root {
    pub(crate) id: String,
    pub(crate) arn: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) policy_types: Option<Vec<PolicyTypeSummary>>,
}

/// A policy type of a root
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PolicyTypeSummary {
    pub(crate) r#type: String,
    pub(crate) status: String,
}

listing!(
    /// `organizations list-roots`
    Roots, "Roots", Root
);

/// The organization policy types accessgraph evaluates, by their API name
pub const POLICY_TYPES: [&str; 2] = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"];

impl Roots {
    /// The policy types to read, the one rule of `collect`, the export
    /// script and `import`: those `ENABLED` on the root (a disabled type
    /// has no policies attached and none in force). A root that does not
    /// list its policy types (hand-written exports) reads both.
    pub fn enabled_policy_types(&self) -> Vec<&'static str> {
        POLICY_TYPES
            .into_iter()
            .filter(|t| {
                self.0.iter().any(|r| match &r.policy_types {
                    None => true,
                    Some(list) => list.iter().any(|p| p.r#type == *t && p.status == "ENABLED"),
                })
            })
            .collect()
    }
}

/// An OU in `list-organizational-units-for-parent`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct OuEntry {
    pub(crate) id: String,
    pub(crate) arn: Option<String>,
    pub(crate) name: String,
}

listing!(
    /// `organizations list-organizational-units-for-parent`
    OusForParent, "OrganizationalUnits", OuEntry
);

/// An account in `list-accounts` or `list-accounts-for-parent`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AccountEntry {
    pub(crate) id: String,
    pub(crate) arn: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) name: String,
    pub(crate) status: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) paths: Option<Vec<String>>,
}

impl AccountEntry {
    /// Whether the account is active (its `State`, else the older
    /// `Status`; neither: active): the one rule of `collect` and the export
    /// script for whose IAM is read (no role can be assumed in a suspended
    /// or closed account)
    pub(crate) fn is_active(&self) -> bool {
        self.state
            .as_ref()
            .or(self.status.as_ref())
            .is_none_or(|s| s == "ACTIVE")
    }

    /// The parent named by `Paths`: the segment before the account's id
    pub fn parent_from_paths(&self) -> Option<String> {
        self.paths.iter().flatten().find_map(|p| {
            let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
            match segs.as_slice() {
                [.., parent, last] if *last == self.id => Some((*parent).to_owned()),
                _ => None,
            }
        })
    }
}

listing!(
    /// `organizations list-accounts` and `list-accounts-for-parent`
    Accounts, "Accounts", AccountEntry
);

/// A policy in `list-policies`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PolicyEntry {
    pub(crate) id: String,
    pub(crate) arn: Option<String>,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) r#type: Option<String>,
    pub(crate) aws_managed: Option<bool>,
}

listing!(
    /// `organizations list-policies --filter TYPE`
    Policies, "Policies", PolicyEntry
);

/// `organizations describe-policy`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribePolicy {
    pub(crate) policy: PolicyDesc,
}

/// The policy of `describe-policy`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PolicyDesc {
    pub(crate) policy_summary: PolicyEntry,
    pub(crate) content: Document,
}

/// A target in `list-targets-for-policy`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetEntry {
    pub(crate) target_id: String,
    pub(crate) name: Option<String>,
    pub(crate) r#type: Option<String>,
}

listing!(
    /// `organizations list-targets-for-policy`
    Targets, "Targets", TargetEntry
);

listing!(
    /// `organizations list-delegated-administrators`
    DelegatedAdministrators, "DelegatedAdministrators", AccountEntry
);

/// An instance in `sso-admin list-instances`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InstanceEntry {
    pub(crate) instance_arn: String,
    pub(crate) identity_store_id: String,
    pub(crate) owner_account_id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) status: Option<String>,
}

listing!(
    /// `sso-admin list-instances`
    Instances, "Instances", InstanceEntry
);

impl Instances {
    /// The organization instance: the one in the management account
    /// (account instances serve applications only), else the first
    pub fn organization_instance(&self, management: Option<&str>) -> Option<&InstanceEntry> {
        self.0
            .iter()
            .find(|i| management.is_some() && i.owner_account_id.as_deref() == management)
            .or_else(|| self.0.first())
    }
}

/// `sso-admin describe-instance-access-control-attribute-configuration`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AbacConfig {
    pub(crate) status: Option<String>,
    pub(crate) instance_access_control_attribute_configuration: Option<AbacAttributes>,
}

/// The attributes of [`AbacConfig`]
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AbacAttributes {
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) access_control_attributes: Vec<AbacAttributeEntry>,
}

/// One attribute: the tag key and where its value comes from
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AbacAttributeEntry {
    pub(crate) key: String,
    pub(crate) value: AbacSource,
}

/// The source of an attribute (a list of one path, or the path)
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AbacSource {
    pub(crate) source: OneOrMany<String>,
}

listing!(
    /// `sso-admin list-permission-sets`
    PermissionSetArns, "PermissionSets", String
);

/// `sso-admin describe-permission-set`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribePermissionSet {
    pub(crate) permission_set: PermissionSetDesc,
}

/// The set of `describe-permission-set`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PermissionSetDesc {
    pub(crate) name: String,
    pub(crate) permission_set_arn: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) session_duration: Option<String>,
    pub(crate) relay_state: Option<String>,
}

/// An AWS managed policy attached to a set
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct NamedArn {
    pub(crate) name: Option<String>,
    pub(crate) arn: String,
}

listing!(
    /// `sso-admin list-managed-policies-in-permission-set`
    ManagedPoliciesInSet, "AttachedManagedPolicies", NamedArn
);

/// A customer managed policy reference (name and path)
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PolicyRef {
    pub(crate) name: String,
    pub(crate) path: Option<String>,
}

listing!(
    /// `sso-admin list-customer-managed-policy-references-in-permission-set`
    CustomerManagedInSet, "CustomerManagedPolicyReferences", PolicyRef
);

/// `sso-admin get-inline-policy-for-permission-set`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InlinePolicyOfSet {
    #[serde(default, deserialize_with = "inline_policy")]
    pub(crate) inline_policy: Option<Document>,
}

/// `sso-admin get-permissions-boundary-for-permission-set`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BoundaryOfSet {
    pub(crate) permissions_boundary: Option<BoundaryEntry>,
}

/// A permission set boundary: an AWS managed ARN or a customer managed
/// reference
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BoundaryEntry {
    pub(crate) managed_policy_arn: Option<String>,
    pub(crate) customer_managed_policy_reference: Option<PolicyRef>,
}

listing!(
    /// `sso-admin list-accounts-for-provisioned-permission-set`
    ProvisionedAccounts, "AccountIds", String
);

listing!(
    /// `sso-admin list-permission-sets-provisioned-to-account` (collect's
    /// call plan; import does not read it)
    #[cfg_attr(not(feature = "live"), allow(dead_code, reason = "written by collect"))]
    ProvisionedSets, "PermissionSets", String
);

/// An assignment in `sso-admin list-account-assignments`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AssignmentEntry {
    pub(crate) account_id: String,
    pub(crate) permission_set_arn: String,
    pub(crate) principal_type: PrincipalType,
    pub(crate) principal_id: String,
}

listing!(
    /// `sso-admin list-account-assignments`
    AccountAssignments, "AccountAssignments", AssignmentEntry
);

/// `PortalOptions` of an application
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PortalOptions {
    pub(crate) visibility: Option<String>,
    pub(crate) sign_in_options: Option<SignInOptions>,
}

/// `PortalOptions.SignInOptions`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SignInOptions {
    pub(crate) origin: Option<String>,
    pub(crate) application_url: Option<String>,
}

/// An application in `sso-admin list-applications`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ApplicationEntry {
    pub(crate) application_arn: String,
    pub(crate) application_provider_arn: String,
    pub(crate) name: String,
    pub(crate) application_account: Option<String>,
    pub(crate) instance_arn: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) portal_options: Option<PortalOptions>,
    pub(crate) description: Option<String>,
}

listing!(
    /// `sso-admin list-applications`
    Applications, "Applications", ApplicationEntry
);

/// `sso-admin get-application-assignment-configuration`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AssignmentConfiguration {
    pub(crate) assignment_required: bool,
}

/// An assignment in `sso-admin list-application-assignments`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ApplicationAssignmentEntry {
    pub(crate) application_arn: Option<String>,
    pub(crate) principal_id: String,
    pub(crate) principal_type: PrincipalType,
}

listing!(
    /// `sso-admin list-application-assignments`
    ApplicationAssignments, "ApplicationAssignments", ApplicationAssignmentEntry
);

/// An application in `account-access list-applications`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccessApplicationEntry {
    pub(crate) application_arn: String,
    pub(crate) tenant_id: Option<String>,
}

listing!(
    /// `account-access list-applications`
    AccessApplications, "applications", AccessApplicationEntry
);

/// `principal.identityCenter` of an entitlement: one of the two ids
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentityCenterPrincipal {
    pub(crate) user_id: Option<String>,
    pub(crate) group_id: Option<String>,
}

/// `principal` of an entitlement
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntitlementPrincipal {
    pub(crate) identity_center: IdentityCenterPrincipal,
}

/// `principalRole` of an entitlement
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrincipalRole {
    pub(crate) principal: EntitlementPrincipal,
    pub(crate) role_arn: String,
    pub(crate) account: String,
    pub(crate) account_name: Option<String>,
}

/// `entitlement` of a listed entitlement (a union: only `principalRole`
/// exists)
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntitlementSummary {
    pub(crate) principal_role: Option<PrincipalRole>,
}

/// An entitlement in `account-access list-entitlements`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntitlementEntry {
    pub(crate) entitlement_id: Option<String>,
    pub(crate) entitlement: EntitlementSummary,
}

listing!(
    /// `account-access list-entitlements`
    Entitlements, "entitlements", EntitlementEntry
);

/// A user's name parts
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct NameEntry {
    pub(crate) given_name: Option<String>,
    pub(crate) family_name: Option<String>,
}

/// An email of a user
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct EmailEntry {
    pub(crate) value: String,
    pub(crate) r#type: Option<String>,
    pub(crate) primary: Option<bool>,
}

/// An external id of a user
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ExternalIdEntry {
    pub(crate) issuer: String,
    pub(crate) id: String,
}

/// A user in `identitystore list-users`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UserEntry {
    pub(crate) user_id: String,
    pub(crate) user_name: String,
    pub(crate) display_name: Option<String>,
    pub(crate) name: Option<NameEntry>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub(crate) emails: Vec<EmailEntry>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub(crate) external_ids: Vec<ExternalIdEntry>,
    pub(crate) nick_name: Option<String>,
    pub(crate) profile_url: Option<String>,
    pub(crate) user_type: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) preferred_language: Option<String>,
    pub(crate) locale: Option<String>,
    pub(crate) timezone: Option<String>,
    pub(crate) user_status: Option<UserStatus>,
    /// Objects with a `Type` and string fields
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub(crate) addresses: Vec<JsonValue>,
    /// Objects with a `Type` and string fields
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub(crate) phone_numbers: Vec<JsonValue>,
    pub(crate) extensions: Option<BTreeMap<String, JsonValue>>,
}

listing!(
    /// `identitystore list-users`
    Users, "Users", UserEntry
);

/// A group in `identitystore list-groups`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GroupEntry {
    pub(crate) group_id: String,
    pub(crate) display_name: String,
    pub(crate) description: Option<String>,
}

listing!(
    /// `identitystore list-groups`
    Groups, "Groups", GroupEntry
);

/// A membership in `identitystore list-group-memberships`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MembershipEntry {
    pub(crate) group_id: Option<String>,
    pub(crate) member_id: MemberId,
}

/// The member of a membership
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MemberId {
    pub(crate) user_id: String,
}

listing!(
    /// `identitystore list-group-memberships`
    GroupMemberships, "GroupMemberships", MembershipEntry
);

/// `iam get-account-authorization-details`
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AuthorizationDetails {
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) user_detail_list: Vec<IamUserDetail>,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) group_detail_list: Vec<IamGroupDetail>,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) role_detail_list: Vec<IamRoleDetail>,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) policies: Vec<IamPolicyDetail>,
}

/// An inline policy
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PolicyDetail {
    pub(crate) policy_name: String,
    pub(crate) policy_document: Document,
}

/// An attached managed policy
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttachedPolicy {
    pub(crate) policy_name: Option<String>,
    pub(crate) policy_arn: String,
}

/// A permissions boundary of an IAM user or role
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttachedBoundary {
    pub(crate) permissions_boundary_arn: Option<String>,
    pub(crate) permissions_boundary_type: Option<String>,
}

/// An IAM role
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IamRoleDetail {
    pub(crate) role_name: String,
    pub(crate) path: Option<String>,
    pub(crate) arn: String,
    pub(crate) role_id: Option<String>,
    pub(crate) assume_role_policy_document: Document,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) role_policy_list: Vec<PolicyDetail>,
    #[serde(default)]
    pub(crate) attached_managed_policies: OneOrMany<AttachedPolicy>,
    pub(crate) permissions_boundary: Option<AttachedBoundary>,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) tags: Vec<Tag>,
}

/// An IAM user
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IamUserDetail {
    pub(crate) user_name: String,
    pub(crate) path: Option<String>,
    pub(crate) arn: String,
    pub(crate) user_id: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) group_list: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) user_policy_list: Vec<PolicyDetail>,
    #[serde(default)]
    pub(crate) attached_managed_policies: OneOrMany<AttachedPolicy>,
    pub(crate) permissions_boundary: Option<AttachedBoundary>,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) tags: Vec<Tag>,
}

/// An IAM group
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IamGroupDetail {
    pub(crate) group_name: String,
    pub(crate) path: Option<String>,
    pub(crate) arn: String,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) group_policy_list: Vec<PolicyDetail>,
    #[serde(default)]
    pub(crate) attached_managed_policies: OneOrMany<AttachedPolicy>,
}

/// A managed policy with its versions
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IamPolicyDetail {
    pub(crate) policy_name: String,
    pub(crate) arn: String,
    pub(crate) path: Option<String>,
    pub(crate) policy_version_list: Vec<PolicyVersion>,
}

/// A version of a managed policy
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PolicyVersion {
    pub(crate) document: Option<Document>,
    #[serde(default)]
    pub(crate) is_default_version: bool,
    pub(crate) version_id: Option<String>,
}

/// A resource in `resources.json` (accessgraph's own shape)
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ResourceEntry {
    pub(crate) arn: String,
    #[serde(default)]
    pub(crate) account_id: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub(crate) tags: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) policy: Option<Document>,
    #[serde(default, deserialize_with = "bucket_abac")]
    pub(crate) abac: Option<bool>,
}

fn bucket_abac<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match JsonValue::deserialize(d)? {
        JsonValue::Null => Ok(None),
        JsonValue::Bool(b) => Ok(Some(b)),
        JsonValue::String(s) if s == "Enabled" => Ok(Some(true)),
        JsonValue::String(s) if s == "Disabled" => Ok(Some(false)),
        _ => Err(de::Error::custom(
            "expected the GetBucketAbac status `Enabled` or `Disabled` (or true/false)",
        )),
    }
}

listing!(
    /// `resources.json`
    Resources, "Resources", ResourceEntry
);

/// A file of the layout and the type it holds: `collect` can write only
/// that type there and `import` read only that type from there, so a path
/// and its content cannot drift apart
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File<T> {
    rel: std::borrow::Cow<'static, str>,
    of: PhantomData<fn() -> T>,
}

impl<T> File<T> {
    /// The file at `rel` (relative to the export folder)
    pub const fn at(rel: &'static str) -> File<T> {
        File {
            rel: std::borrow::Cow::Borrowed(rel),
            of: PhantomData,
        }
    }

    fn owned(rel: String) -> File<T> {
        File {
            rel: std::borrow::Cow::Owned(rel),
            of: PhantomData,
        }
    }

    /// Its path relative to the export folder
    pub fn rel(&self) -> &str {
        &self.rel
    }
}

impl<T: DeserializeOwned> File<T> {
    /// Reads it from the export folder `dir` ([`read`])
    ///
    /// # Errors
    /// As [`read`].
    pub fn read(&self, dir: &Path) -> Result<Option<T>, ImportError> {
        read(dir, &self.rel)
    }
}

/// A folder of files of one type, one per id (a parent, a group, an account)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder<T> {
    rel: std::borrow::Cow<'static, str>,
    of: PhantomData<fn() -> T>,
}

impl<T> Folder<T> {
    /// The folder at `rel`
    pub const fn at(rel: &'static str) -> Folder<T> {
        Folder {
            rel: std::borrow::Cow::Borrowed(rel),
            of: PhantomData,
        }
    }

    /// Its path relative to the export folder
    pub fn rel(&self) -> &str {
        &self.rel
    }

    /// The file of `id`
    pub fn file(&self, id: &str) -> File<T> {
        File::owned(format!("{}/{id}.json", self.rel))
    }
}

/// A file of a per-ARN folder (a permission set's, an application's): the
/// folder and the command that name it come with its type
pub trait ArnFile {
    /// The folder holding one sub-folder per ARN (by the ARN's last part)
    const FOLDER: &'static str;
    /// The AWS CLI command (the file's stem)
    const COMMAND: &'static str;
}

macro_rules! arn_files {
    ($folder:literal: $($t:ty => $c:literal),* $(,)?) => {
        $(impl ArnFile for $t {
            const FOLDER: &'static str = $folder;
            const COMMAND: &'static str = $c;
        })*
    };
}

arn_files!("sso-admin/permission-sets":
    DescribePermissionSet => "describe-permission-set",
    ManagedPoliciesInSet => "list-managed-policies-in-permission-set",
    CustomerManagedInSet => "list-customer-managed-policy-references-in-permission-set",
    InlinePolicyOfSet => "get-inline-policy-for-permission-set",
    BoundaryOfSet => "get-permissions-boundary-for-permission-set",
    Tags => "list-tags-for-resource",
    ProvisionedAccounts => "list-accounts-for-provisioned-permission-set",
);
arn_files!("sso-admin/applications":
    AssignmentConfiguration => "get-application-assignment-configuration",
    ApplicationAssignments => "list-application-assignments",
);

/// The paths of the layout, one place, each with the type its file holds
pub mod paths {
    use super::{
        AbacConfig, AccessApplications, AccountAssignments, Accounts, Applications, ArnFile,
        AuthorizationDetails, DelegatedAdministrators, DescribeOrganization, DescribePolicy,
        Entitlements, Errors, File, Folder, GroupMemberships, Groups, Instances, Meta,
        OusForParent, PermissionSetArns, Policies, Resources, Roots, Tags, Targets, Users,
    };

    /// `meta.json`, whose presence makes a folder an export
    pub const META_FILE: &str = "meta.json";
    /// `meta.json`
    pub(crate) const META: File<Meta> = File::at(META_FILE);
    /// `errors.json`
    pub(crate) const ERRORS: File<Errors> = File::at("errors.json");
    /// `resources.json`
    pub(crate) const RESOURCES: File<Resources> = File::at("resources.json");
    /// describe-organization
    pub(crate) const ORGANIZATION: File<DescribeOrganization> =
        File::at("organizations/describe-organization.json");
    /// list-roots
    pub(crate) const ROOTS: File<Roots> = File::at("organizations/list-roots.json");
    /// list-accounts
    pub(crate) const ACCOUNTS: File<Accounts> = File::at("organizations/list-accounts.json");
    /// list-organizational-units-for-parent, by parent
    pub(crate) const OUS_FOR_PARENT: Folder<OusForParent> =
        Folder::at("organizations/list-organizational-units-for-parent");
    /// list-accounts-for-parent, by parent
    pub(crate) const ACCOUNTS_FOR_PARENT: Folder<Accounts> =
        Folder::at("organizations/list-accounts-for-parent");
    /// list-tags-for-resource, by account
    pub(crate) const ACCOUNT_TAGS: Folder<Tags> =
        Folder::at("organizations/list-tags-for-resource");
    /// list-policies, by policy type
    pub(crate) const POLICIES: Folder<Policies> = Folder::at("organizations/list-policies");
    /// describe-policy, by policy id
    pub(crate) const POLICY: Folder<DescribePolicy> = Folder::at("organizations/describe-policy");
    /// list-targets-for-policy, by policy id
    pub(crate) const TARGETS: Folder<Targets> = Folder::at("organizations/list-targets-for-policy");
    /// list-delegated-administrators
    pub(crate) const DELEGATED: File<DelegatedAdministrators> =
        File::at("organizations/list-delegated-administrators.json");
    /// list-instances
    pub(crate) const INSTANCES: File<Instances> = File::at("sso-admin/list-instances.json");
    /// describe-instance-access-control-attribute-configuration
    pub(crate) const ABAC: File<AbacConfig> =
        File::at("sso-admin/describe-instance-access-control-attribute-configuration.json");
    /// list-permission-sets
    pub(crate) const PERMISSION_SETS: File<PermissionSetArns> =
        File::at("sso-admin/list-permission-sets.json");
    /// list-permission-sets-provisioned-to-account, by account (the call
    /// plan's other half; `import` does not need it)
    pub(crate) const PROVISIONED_TO: Folder<super::ProvisionedSets> =
        Folder::at("sso-admin/list-permission-sets-provisioned-to-account");
    /// The folder of list-account-assignments: a sub-folder per account
    pub(crate) const ASSIGNMENTS: &str = "sso-admin/account-assignments";
    /// sso-admin list-applications (absent: not recorded)
    pub(crate) const APPLICATIONS: File<Applications> =
        File::at("sso-admin/list-applications.json");
    /// account-access list-applications (absent: account access manager
    /// not used)
    pub(crate) const ACCESS_APPLICATIONS: File<AccessApplications> =
        File::at("account-access/list-applications.json");
    /// account-access list-entitlements, by application id
    pub(crate) const ENTITLEMENTS: Folder<Entitlements> =
        Folder::at("account-access/list-entitlements");
    /// list-users
    pub(crate) const USERS: File<Users> = File::at("identitystore/list-users.json");
    /// list-groups
    pub(crate) const GROUPS: File<Groups> = File::at("identitystore/list-groups.json");
    /// list-group-memberships, by group id
    pub(crate) const MEMBERSHIPS: Folder<GroupMemberships> =
        Folder::at("identitystore/list-group-memberships");
    /// The folder of the IAM data: a sub-folder per account
    pub(crate) const IAM: &str = "iam";

    /// The last part of an ARN (`ps-...`, `apl-...`, an account access
    /// application id)
    pub(crate) fn last(arn: &str) -> &str {
        arn.rsplit('/').next().unwrap_or(arn)
    }

    /// A file of a permission set's or an application's folder, by its
    /// ARN (the folder and the command come with the type)
    pub(crate) fn of_arn<T: ArnFile>(arn: &str) -> File<T> {
        File::owned(format!("{}/{}/{}.json", T::FOLDER, last(arn), T::COMMAND))
    }

    /// The list-account-assignments of an account, by permission set id
    pub(crate) fn assignments_of(account: &str) -> Folder<AccountAssignments> {
        Folder {
            rel: format!("{ASSIGNMENTS}/{account}").into(),
            of: std::marker::PhantomData,
        }
    }

    /// list-account-assignments of an (account, permission set) pair
    pub(crate) fn assignments(account: &str, set_arn: &str) -> File<AccountAssignments> {
        assignments_of(account).file(last(set_arn))
    }

    /// get-account-authorization-details of an account
    pub(crate) fn iam(account: &str) -> File<AuthorizationDetails> {
        File::owned(format!(
            "{IAM}/{account}/get-account-authorization-details.json"
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
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

    #[test]
    fn listings_wrapped_bare_or_null_and_located_errors() {
        let wrapped: Accounts =
            parse(r#"{"Accounts": [{"Id": "1", "Name": "a"}], "NextToken": null}"#).unwrap();
        let bare: Accounts = parse(r#"[{"Id": "1", "Name": "a"}]"#).unwrap();
        assert_eq!(wrapped.0.len(), 1);
        assert_eq!(bare.0[0].id, "1");
        assert!(parse::<Accounts>(r#"{"Accounts": null}"#)
            .unwrap()
            .0
            .is_empty());
        assert_eq!(
            parse::<Accounts>(r#"{"Accounts": [{"Name": "a"}]}"#).unwrap_err(),
            (Some("/Accounts/0".into()), "missing `Id`".into())
        );
        assert_eq!(
            parse::<Accounts>(r#"{"Accounts": [{"Id": 7}]}"#).unwrap_err(),
            (
                Some("/Accounts/0/Id".into()),
                "expected a string, found a number".into()
            )
        );
        assert_eq!(
            parse::<Accounts>("7").unwrap_err(),
            (
                Some("/".into()),
                "expected an object with `Accounts` or an array, found a number".into()
            )
        );
        assert_eq!(parse::<Accounts>("{").unwrap_err().0, None);
        // Written back wrapped, and read again the same.
        let text = serde_json::to_string(&wrapped).unwrap();
        assert_eq!(text, r#"{"Accounts":[{"Id":"1","Name":"a"}]}"#);
    }

    #[test]
    fn documents_keep_their_shape_and_duplicate_keys_are_refused() {
        let d: PolicyDesc = parse(
            r#"{"PolicySummary": {"Id": "p-1", "Name": "n"}, "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}"#,
        )
        .unwrap();
        let text = serde_json::to_string(&d).unwrap();
        assert!(
            text.contains(r#""Content":"{\"Version\":\"2012-10-17\",\"Statement\":[]}""#),
            "{text}"
        );
        let (pointer, message) = parse::<PolicyDesc>(
            r#"{"PolicySummary": {"Id": "p-1", "Name": "n"}, "Content": {"Version": "1", "Version": "2"}}"#,
        )
        .unwrap_err();
        assert_eq!(pointer.as_deref(), Some("/Content"));
        assert!(message.contains("duplicate"), "{message}");
        let (pointer, _) = parse::<PolicyDesc>(
            r#"{"PolicySummary": {"Id": "p-1", "Name": "n"}, "Content": "%7B"}"#,
        )
        .unwrap_err();
        assert_eq!(pointer.as_deref(), Some("/Content"));
    }

    #[test]
    fn only_enabled_policy_types_are_read() {
        let roots: Roots = parse(
            r#"{"Roots": [{"Id": "r-1", "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}, {"Type": "RESOURCE_CONTROL_POLICY", "Status": "PENDING_ENABLE"}]}]}"#,
        )
        .unwrap();
        assert_eq!(roots.enabled_policy_types(), ["SERVICE_CONTROL_POLICY"]);
        let unsaid: Roots = parse(r#"{"Roots": [{"Id": "r-1"}]}"#).unwrap();
        assert_eq!(unsaid.enabled_policy_types(), POLICY_TYPES);
        let none: Roots = parse(r#"{"Roots": [{"Id": "r-1", "PolicyTypes": []}]}"#).unwrap();
        assert!(none.enabled_policy_types().is_empty());
    }
}
