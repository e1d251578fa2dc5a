//! This module is the snapshot: everything accessgraph knows about one
//! organization, as a versioned JSON document (`docs/snapshot.md`,
//! `docs/snapshot.schema.json`). `collect` and `import` write it; every other
//! command reads it. It does no IO: it reads from and writes to text.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::json::JsonValue;

/// The snapshot format this build writes. Version 1 (before Identity Center
/// applications and account access manager) is still read: its
/// `applications` and `account_access` are absent, which every query reads
/// as "not recorded" ([`Snapshot::missing`])
pub const FORMAT_VERSION: u32 = 2;

/// An error reading a snapshot
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// Not JSON, or not the snapshot's shape
    #[error("invalid snapshot at `{path}`: {message}")]
    Format {
        /// The JSON path (serde_path_to_error notation)
        path: String,
        /// What serde said, with line and column
        message: String,
    },
    /// Written by a newer accessgraph
    #[error("snapshot format_version {found} is newer than this accessgraph reads ({FORMAT_VERSION}); upgrade accessgraph")]
    Newer {
        /// The version in the file
        found: u32,
    },
    /// No `format_version`
    #[error("not an accessgraph snapshot: no `format_version`")]
    NoVersion,
}

/// The whole snapshot
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`FORMAT_VERSION`] when written by this build
    pub format_version: u32,
    /// Where it came from
    pub provenance: Provenance,
    /// The AWS organization
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// The IAM Identity Center instance
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center: Option<IdentityCenter>,
    /// Identity store users
    #[serde(default)]
    pub users: Vec<User>,
    /// Identity store groups
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Group memberships
    #[serde(default)]
    pub memberships: Vec<Membership>,
    /// Permission sets
    #[serde(default)]
    pub permission_sets: Vec<PermissionSet>,
    /// Account assignments
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// IAM data per account (from `get-account-authorization-details`)
    #[serde(default)]
    pub iam: Vec<AccountIam>,
    /// Resources with tags and resource policies
    #[serde(default)]
    pub resources: Vec<Resource>,
    /// Identity Center applications (SAML/OAuth, AWS managed) with their
    /// assignments; `None` when not recorded (a version 1 snapshot, or an
    /// export without `sso-admin/list-applications.json`), unlike
    /// `Some([])`: recorded, there are none
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications: Option<Vec<Application>>,
    /// AWS account access manager applications and their entitlements;
    /// `None` when not recorded
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_access: Option<AccountAccess>,
}

/// Whether an application's provider is AWS (an AWS managed application)
/// or the customer's own (custom SAML 2.0 or OAuth 2.0 application)
pub fn aws_managed_provider(provider_arn: &str) -> bool {
    !provider_arn.ends_with("/custom") && !provider_arn.ends_with("/custom-saml")
}

/// An Identity Center application (`sso-admin list-applications`)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// ARN (`arn:aws:sso::<account>:application/ssoins-.../apl-...`)
    pub arn: String,
    /// Name
    pub name: String,
    /// Description
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `ENABLED` or `DISABLED` (a disabled application cannot be signed in to)
    pub status: String,
    /// The application provider ARN: `.../applicationProvider/custom` for
    /// a customer's SAML/OAuth application, another for AWS managed ones
    pub provider_arn: String,
    /// The account the application was created in
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// `PortalOptions.Visibility`: `ENABLED` shows it in the access portal,
    /// `DISABLED` hides it (still access)
    pub visibility: String,
    /// `PortalOptions.SignInOptions.Origin` (`IDENTITY_CENTER` or `APPLICATION`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_origin: Option<String>,
    /// `PortalOptions.SignInOptions.ApplicationUrl`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_url: Option<String>,
    /// `GetApplicationAssignmentConfiguration.AssignmentRequired`: `false`
    /// opens the application to every user of the directory; `None` when
    /// not recorded (then only the assignments are counted)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_required: Option<bool>,
    /// The application's assignments (USER or GROUP); `None` when not recorded
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<ApplicationAssignment>>,
}

impl Application {
    /// The last part of the ARN (`apl-...`), the export folder's name
    pub fn short_id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    /// An AWS managed application (not a custom SAML/OAuth one)
    pub fn aws_managed(&self) -> bool {
        aws_managed_provider(&self.provider_arn)
    }

    /// Every user of the directory has it (`AssignmentRequired = false`)
    pub fn open_to_all(&self) -> bool {
        self.assignment_required == Some(false)
    }

    /// Shown in the access portal (`PortalOptions.Visibility` not `DISABLED`)
    pub fn visible(&self) -> bool {
        !self.visibility.eq_ignore_ascii_case("DISABLED")
    }
}

/// An application assignment (`sso-admin list-application-assignments`)
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct ApplicationAssignment {
    /// USER or GROUP
    pub principal_type: PrincipalType,
    /// User or group id
    pub principal_id: String,
}

/// AWS account access manager (`account-access`): its applications, each
/// giving Identity Center users and groups IAM roles directly
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountAccess {
    /// Account access manager applications
    #[serde(default)]
    pub applications: Vec<AccessApplication>,
}

/// An account access manager application with its entitlements
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessApplication {
    /// ARN (`arn:aws:account-access:<region>:<account>:application/<id>`)
    pub arn: String,
    /// The Identity Center tenant it uses
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The entitlements; `None` when they could not be listed
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitlements: Option<Vec<Entitlement>>,
}

impl AccessApplication {
    /// The last part of the ARN, the application's id
    pub fn short_id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    /// The account and region of the ARN (what the service sends as
    /// `aws:SourceAccount`; the ARN itself is `aws:SourceArn`)
    pub fn account_id(&self) -> Option<&str> {
        self.arn.split(':').nth(4).filter(|a| !a.is_empty())
    }
}

/// An entitlement: an Identity Center user or group may use an IAM role in
/// an account, with no permission set
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Entitlement {
    /// USER or GROUP
    pub principal_type: PrincipalType,
    /// User or group id
    pub principal_id: String,
    /// The role's ARN
    pub role_arn: String,
    /// The role's account
    pub account_id: String,
    /// The account's name, as the service gives it
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
}

/// Where a snapshot came from
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// accessgraph version that wrote it
    pub tool_version: String,
    /// When the data was read from AWS (ISO 8601)
    pub collected_at: String,
    /// `import`, `collect` or `generate-org`, with detail
    pub source: String,
    /// Calls that failed: what is missing from the snapshot
    #[serde(default)]
    pub errors: Vec<CollectionError>,
}

/// One call that failed while collecting
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
    /// The account the call was about, if any
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The operation, e.g. `iam:GetAccountAuthorizationDetails`
    pub operation: String,
    /// What AWS (or the file) said
    pub message: String,
}

/// The organization
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// `o-...`
    pub id: String,
    /// The management account: exempt from SCPs and RCPs
    pub management_account_id: String,
    /// `r-...`
    pub root_id: String,
    /// Organizational units
    #[serde(default)]
    pub ous: Vec<Ou>,
    /// Accounts
    pub accounts: Vec<Account>,
    /// SCPs and RCPs with their targets
    #[serde(default)]
    pub policies: Vec<OrgPolicy>,
    /// Delegated administrators
    #[serde(default)]
    pub delegated_administrators: Vec<DelegatedAdministrator>,
}

/// An organizational unit
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ou {
    /// `ou-...`
    pub id: String,
    /// Name
    pub name: String,
    /// The root or OU it is in
    pub parent_id: String,
}

/// An account
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// 12 digits
    pub id: String,
    /// Name
    pub name: String,
    /// Root email
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, ...
    pub status: String,
    /// The root or OU it is in
    pub parent_id: String,
    /// Tags
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// SCP or RCP
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrgPolicyType {
    /// `SERVICE_CONTROL_POLICY`
    ServiceControlPolicy,
    /// `RESOURCE_CONTROL_POLICY`
    ResourceControlPolicy,
}

/// An SCP or RCP and where it is attached
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPolicy {
    /// `p-...`
    pub id: String,
    /// Name
    pub name: String,
    /// Type
    #[serde(rename = "type")]
    pub policy_type: OrgPolicyType,
    /// AWS managed (`FullAWSAccess`, `RCPFullAWSAccess`)
    #[serde(default)]
    pub aws_managed: bool,
    /// Description
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The policy document
    pub content: JsonValue,
    /// Root, OU and account ids it is attached to
    #[serde(default)]
    pub targets: Vec<String>,
}

/// A delegated administrator
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegatedAdministrator {
    /// The account
    pub account_id: String,
    /// The service, e.g. `sso.amazonaws.com`
    pub service_principal: String,
}

/// The identity source of an Identity Center instance
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IdentitySource {
    /// The Identity Center directory
    IdentityCenterDirectory,
    /// AWS Managed Microsoft AD or AD Connector
    ActiveDirectory,
    /// An external SAML 2.0 identity provider (with SCIM)
    ExternalIdp,
}

/// The IAM Identity Center instance
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenter {
    /// `arn:aws:sso:::instance/ssoins-...`
    pub instance_arn: String,
    /// `d-...`
    pub identity_store_id: String,
    /// The home region: role paths depend on it
    pub home_region: String,
    /// The account that owns the instance (the management account for an
    /// organization instance)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_account_id: Option<String>,
    /// Instance name
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Identity source
    pub identity_source: IdentitySource,
    /// The access portal
    pub access_portal: AccessPortal,
    /// Attributes for access control
    pub abac: Abac,
    /// The value of `aws:MultiFactorAuthPresent` in sessions
    #[serde(default)]
    pub mfa_present: bool,
}

/// The AWS access portal
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessPortal {
    /// `https://d-xxxxxxxxxx.awsapps.com/start`
    pub default_url: String,
    /// `https://<subdomain>.awsapps.com/start`, when a custom subdomain is set
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_url: Option<String>,
}

impl AccessPortal {
    /// The URL users sign in at: the custom one if set
    pub fn start_url(&self) -> &str {
        self.custom_url.as_deref().unwrap_or(&self.default_url)
    }
}

/// Attributes for access control
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Abac {
    /// Enabled
    pub enabled: bool,
    /// Key → source template (`${path:enterprise.department}`)
    #[serde(default)]
    pub attributes: Vec<AbacAttribute>,
}

/// One attribute for access control
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AbacAttribute {
    /// The tag key: `aws:PrincipalTag/<key>`
    pub key: String,
    /// The source template, e.g. `${path:enterprise.department}`
    pub source: String,
}

/// A user's status
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    /// Can sign in
    Enabled,
    /// Cannot sign in
    Disabled,
}

impl UserStatus {
    /// `ENABLED` or `DISABLED`, as Identity Center spells it
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Enabled => "ENABLED",
            UserStatus::Disabled => "DISABLED",
        }
    }
}

/// An email address
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// Address
    pub value: String,
    /// `work`, ...
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub email_type: Option<String>,
    /// Primary
    #[serde(default)]
    pub primary: bool,
}

/// An identity store user, with every attribute ABAC can map
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Identity store user id
    pub id: String,
    /// User name (the session name of its role sessions)
    pub user_name: String,
    /// Display name
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Given name
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Email addresses
    #[serde(default)]
    pub emails: Vec<Email>,
    /// ENABLED or DISABLED
    pub status: UserStatus,
    /// Other single-valued attributes by SCIM path (`title`, `userType`,
    /// `locale`, `timezone`, `nickName`, `preferredLanguage`,
    /// `addresses[type eq "work"].locality`, `phoneNumbers[type eq "work"].value`, ...)
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Enterprise extension attributes (`department`, `costCenter`,
    /// `division`, `organization`, `employeeNumber`, `manager`)
    #[serde(default)]
    pub enterprise: BTreeMap<String, String>,
    /// External ids (SCIM-provisioned users)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
}

impl User {
    /// The primary email, else the first
    pub fn email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|e| e.primary)
            .or_else(|| self.emails.first())
            .map(|e| e.value.as_str())
    }

    /// Resolves an ABAC source template (`${path:...}`) for this user; `None`
    /// when the user has no value (then the session carries no such tag)
    pub fn attribute(&self, source: &str) -> Option<String> {
        let path = source
            .trim()
            .strip_prefix("${path:")?
            .strip_suffix('}')?
            .trim();
        let v = match path {
            "userName" => Some(self.user_name.clone()),
            "displayName" => self.display_name.clone(),
            "name.givenName" => self.given_name.clone(),
            "name.familyName" => self.family_name.clone(),
            "emails[primary eq true].value" => self.email().map(str::to_owned),
            p => match p.strip_prefix("enterprise.") {
                Some(attr) => self.enterprise.get(attr).cloned(),
                None => self.attributes.get(p).cloned(),
            },
        };
        v.filter(|s| !s.is_empty())
    }
}

/// An identity store group
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Group id
    pub id: String,
    /// Display name
    pub name: String,
    /// Description
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A user in a group
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    /// Group id
    pub group_id: String,
    /// User id
    pub user_id: String,
}

/// A customer managed policy reference: resolved in each target account
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct PolicyReference {
    /// Policy name
    pub name: String,
    /// Path, `/` by default
    #[serde(default = "root_path")]
    pub path: String,
}

fn root_path() -> String {
    "/".to_owned()
}

impl PolicyReference {
    /// The policy's ARN in `account`
    pub fn arn_in(&self, account: &str) -> String {
        format!("arn:aws:iam::{account}:policy{}{}", self.path, self.name)
    }
}

/// A permissions boundary of a permission set
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Boundary {
    /// An AWS managed policy
    ManagedPolicyArn(String),
    /// A customer managed policy, resolved per account
    CustomerManaged(PolicyReference),
}

/// Provisioning state of a permission set in one account
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provisioning {
    /// Account
    pub account_id: String,
    /// `LATEST_PERMISSION_SET_PROVISIONED` or `LATEST_PERMISSION_SET_NOT_PROVISIONED`
    pub status: String,
}

/// A permission set
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionSet {
    /// ARN
    pub arn: String,
    /// Name (part of the role name)
    pub name: String,
    /// Description
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// ISO 8601 duration, `PT1H` by default
    #[serde(default = "default_session")]
    pub session_duration: String,
    /// Relay state URL
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_state: Option<String>,
    /// AWS managed policy ARNs
    #[serde(default)]
    pub aws_managed_policies: Vec<String>,
    /// Customer managed policy references
    #[serde(default)]
    pub customer_managed_policies: Vec<PolicyReference>,
    /// The inline policy document
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_policy: Option<JsonValue>,
    /// The permissions boundary
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    /// Tags
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Provisioning per account
    #[serde(default)]
    pub provisioning: Vec<Provisioning>,
}

fn default_session() -> String {
    "PT1H".to_owned()
}

impl PermissionSet {
    /// The `ps-...` id, the last part of the ARN
    pub fn short_id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    /// Every customer managed reference of the set, each with what it is
    /// (`customer managed policy`, or `permissions boundary` for a
    /// customer managed boundary): the names resolved in each account
    pub fn customer_managed_refs(&self) -> Vec<(&'static str, &PolicyReference)> {
        let mut refs: Vec<(&'static str, &PolicyReference)> = self
            .customer_managed_policies
            .iter()
            .map(|r| ("customer managed policy", r))
            .collect();
        if let Some(Boundary::CustomerManaged(r)) = &self.permissions_boundary {
            refs.push(("permissions boundary", r));
        }
        refs
    }
}

/// USER or GROUP
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrincipalType {
    /// A user assigned directly
    User,
    /// A group: every member
    Group,
}

/// An account assignment
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// Account
    pub account_id: String,
    /// Permission set ARN
    pub permission_set_arn: String,
    /// USER or GROUP
    pub principal_type: PrincipalType,
    /// User or group id
    pub principal_id: String,
}

/// IAM data of one account
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountIam {
    /// Account
    pub account_id: String,
    /// Roles
    #[serde(default)]
    pub roles: Vec<IamRole>,
    /// Users
    #[serde(default)]
    pub users: Vec<IamUser>,
    /// Groups
    #[serde(default)]
    pub groups: Vec<IamGroup>,
    /// Managed policies (customer managed, and AWS managed in use), default version only
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
}

/// An inline policy
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    /// Name
    pub name: String,
    /// Document
    pub document: JsonValue,
}

/// An IAM role
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamRole {
    /// Name
    pub name: String,
    /// Path
    pub path: String,
    /// ARN
    pub arn: String,
    /// Unique id `AROA...`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Trust policy
    pub trust_policy: JsonValue,
    /// Inline policies
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// Attached managed policy ARNs
    #[serde(default)]
    pub managed_policies: Vec<String>,
    /// Permissions boundary ARN
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// Tags
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// An IAM user
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamUser {
    /// Name
    pub name: String,
    /// Path
    pub path: String,
    /// ARN
    pub arn: String,
    /// Unique id `AIDA...`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Group names
    #[serde(default)]
    pub groups: Vec<String>,
    /// Inline policies
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// Attached managed policy ARNs
    #[serde(default)]
    pub managed_policies: Vec<String>,
    /// Permissions boundary ARN
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// Tags
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// An IAM group
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamGroup {
    /// Name
    pub name: String,
    /// Path
    pub path: String,
    /// ARN
    pub arn: String,
    /// Inline policies
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// Attached managed policy ARNs
    #[serde(default)]
    pub managed_policies: Vec<String>,
}

/// A managed policy's default version
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    /// ARN
    pub arn: String,
    /// Name
    pub name: String,
    /// Path
    pub path: String,
    /// The default version's document
    pub document: JsonValue,
}

/// A resource with its tags and resource policy
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// ARN
    pub arn: String,
    /// Owning account, when the ARN has none (S3)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Tags
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Resource policy
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<JsonValue>,
    /// S3 general purpose buckets: whether ABAC is enabled (`GetBucketAbac`
    /// status `Enabled`); only then do the bucket's tags count as
    /// `aws:ResourceTag/*`. Absent when not recorded
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abac: Option<bool>,
}

#[derive(Deserialize)]
struct VersionOnly {
    format_version: Option<u32>,
}

impl Snapshot {
    /// Reads a snapshot
    ///
    /// # Errors
    /// [`SnapshotError`]: a newer `format_version`, malformed JSON or an
    /// unexpected shape, with the JSON path.
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        // The version first, so a newer file says so instead of failing on
        // a field this build does not know.
        match serde_json::from_str::<VersionOnly>(text) {
            Ok(VersionOnly {
                format_version: Some(v),
            }) if v > FORMAT_VERSION => return Err(SnapshotError::Newer { found: v }),
            Ok(VersionOnly {
                format_version: None,
            }) => return Err(SnapshotError::NoVersion),
            _ => {}
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let snap: Snapshot =
            serde_path_to_error::deserialize(&mut de).map_err(|e| SnapshotError::Format {
                path: e.path().to_string().trim_end_matches(".?").to_owned(),
                message: e.into_inner().to_string(),
            })?;
        de.end().map_err(|e| SnapshotError::Format {
            path: ".".into(),
            message: e.to_string(),
        })?;
        Ok(snap)
    }

    /// What a snapshot of an older format does not record, in words (empty
    /// for a current one): a version 1 snapshot has no applications and no
    /// account access manager data
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.applications.is_none() {
            out.push("Identity Center applications");
        }
        if self.account_access.is_none() {
            out.push("account access manager entitlements");
        }
        out
    }

    /// The snapshot as pretty JSON, keys in a stable order, ending in a newline
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Sorts every list into a stable order (ids), so two snapshots of the
    /// same organization are byte-identical
    pub fn normalize(&mut self) {
        if let Some(org) = &mut self.organization {
            org.ous.sort_by(|a, b| a.id.cmp(&b.id));
            org.accounts.sort_by(|a, b| a.id.cmp(&b.id));
            org.policies
                .sort_by(|a, b| (a.policy_type, &a.id).cmp(&(b.policy_type, &b.id)));
            for p in &mut org.policies {
                p.targets.sort();
            }
            org.delegated_administrators.sort_by(|a, b| {
                (&a.service_principal, &a.account_id).cmp(&(&b.service_principal, &b.account_id))
            });
        }
        self.users
            .sort_by(|a, b| a.user_name.cmp(&b.user_name).then_with(|| a.id.cmp(&b.id)));
        self.groups
            .sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        self.memberships.sort();
        self.memberships.dedup();
        self.permission_sets
            .sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.arn.cmp(&b.arn)));
        for ps in &mut self.permission_sets {
            ps.aws_managed_policies.sort();
            ps.customer_managed_policies.sort();
            ps.provisioning
                .sort_by(|a, b| a.account_id.cmp(&b.account_id));
        }
        self.assignments.sort();
        self.assignments.dedup();
        self.iam.sort_by(|a, b| a.account_id.cmp(&b.account_id));
        for a in &mut self.iam {
            a.roles.sort_by(|x, y| x.arn.cmp(&y.arn));
            a.users.sort_by(|x, y| x.arn.cmp(&y.arn));
            a.groups.sort_by(|x, y| x.arn.cmp(&y.arn));
            a.policies.sort_by(|x, y| x.arn.cmp(&y.arn));
        }
        self.resources.sort_by(|a, b| a.arn.cmp(&b.arn));
        if let Some(apps) = &mut self.applications {
            apps.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.arn.cmp(&b.arn)));
            for a in apps {
                if let Some(list) = &mut a.assignments {
                    list.sort();
                    list.dedup();
                }
            }
        }
        if let Some(aa) = &mut self.account_access {
            aa.applications.sort_by(|a, b| a.arn.cmp(&b.arn));
            for a in &mut aa.applications {
                if let Some(list) = &mut a.entitlements {
                    list.sort();
                    list.dedup();
                }
            }
        }
        self.provenance.errors.sort_by(|a, b| {
            (&a.account_id, &a.operation, &a.message).cmp(&(
                &b.account_id,
                &b.operation,
                &b.message,
            ))
        });
    }
}

/// The JSON schema of the snapshot format (`docs/snapshot.schema.json`)
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Snapshot);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed schema is generated from these types; regenerate it with
    /// `UPDATE_SCHEMA=1 cargo test --lib snapshot`.
    #[test]
    fn committed_schema_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/snapshot.schema.json");
        let want = json_schema();
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/snapshot.schema.json is stale: run UPDATE_SCHEMA=1 cargo test --lib snapshot"
        );
    }

    #[test]
    fn newer_format_is_refused_with_a_clear_message() {
        let err =
            Snapshot::from_json(r#"{"format_version": 3, "something_new": true}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "snapshot format_version 3 is newer than this accessgraph reads (2); upgrade accessgraph"
        );
        assert_eq!(
            Snapshot::from_json("{}").unwrap_err(),
            SnapshotError::NoVersion
        );
    }

    #[test]
    fn a_version_1_snapshot_is_read_and_says_what_it_does_not_record() {
        let v1 = r#"{"format_version": 1, "provenance": {"tool_version": "0.1", "collected_at": "t", "source": "s"}}"#;
        let snap = Snapshot::from_json(v1).unwrap();
        assert_eq!(snap.format_version, 1, "kept as read");
        assert_eq!(snap.applications, None);
        assert_eq!(
            snap.missing(),
            [
                "Identity Center applications",
                "account access manager entitlements"
            ]
        );
        let v2 = r#"{"format_version": 2, "provenance": {"tool_version": "0.1", "collected_at": "t", "source": "s"}, "applications": [], "account_access": {"applications": []}}"#;
        let snap = Snapshot::from_json(v2).unwrap();
        assert_eq!(snap.applications, Some(vec![]));
        assert!(snap.missing().is_empty());
    }

    #[test]
    fn shape_errors_name_the_path() {
        let err = Snapshot::from_json(
            r#"{"format_version": 1, "provenance": {"tool_version": "x", "collected_at": "t", "source": "s"}, "users": [{"id": 3}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "invalid snapshot at `users[0].id`: invalid type: integer `3`, expected a string at line 1 column 113");
    }

    #[test]
    fn abac_sources_resolve_against_user_attributes() {
        let mut u = User {
            id: "u".into(),
            user_name: "jdoe".into(),
            display_name: Some("Jane Doe".into()),
            given_name: None,
            family_name: None,
            emails: vec![Email {
                value: "j@example.com".into(),
                email_type: None,
                primary: true,
            }],
            status: UserStatus::Enabled,
            attributes: BTreeMap::new(),
            enterprise: BTreeMap::new(),
            external_ids: vec![],
        };
        u.enterprise.insert("department".into(), "analytics".into());
        u.enterprise.insert("costCenter".into(), "".into());
        assert_eq!(
            u.attribute("${path:enterprise.department}").as_deref(),
            Some("analytics")
        );
        assert_eq!(u.attribute("${path:enterprise.costCenter}"), None);
        assert_eq!(
            u.attribute("${path:emails[primary eq true].value}")
                .as_deref(),
            Some("j@example.com")
        );
        assert_eq!(u.attribute("${path:userName}").as_deref(), Some("jdoe"));
        assert_eq!(u.attribute("${path:title}"), None);
    }
}
