//! This module holds a request to decide: who, which action, on what. No IO here.

use crate::eval::context::{Context, Lookup};
use crate::policy::{parse_identity_arn, ActionName, ArnIdentity, PrincipalEntry, ResourceName};

/// The caller of a request
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An IAM user
    User {
        /// Account
        account: String,
        /// The user ARN
        arn: String,
    },
    /// An IAM role itself (requests come from its sessions; a role ARN as the
    /// caller is read as a session of unknown name)
    Role {
        /// Account
        account: String,
        /// Role name
        name: String,
        /// Path without the name
        path: String,
    },
    /// A role session `arn:aws:sts::A:assumed-role/R/S`
    Session {
        /// Account
        account: String,
        /// Role name
        role: String,
        /// Session name
        session: String,
        /// The session ARN
        arn: String,
    },
    /// A `GetFederationToken` user `arn:aws:sts::A:federated-user/N`
    FederatedUser {
        /// Account
        account: String,
        /// The ARN
        arn: String,
    },
    /// The account root user
    Root {
        /// Account
        account: String,
    },
    /// An AWS service principal such as `s3.amazonaws.com`
    Service(String),
    /// An anonymous caller
    Anonymous,
    /// Anything else (a SAML or OIDC provider ARN, a canonical user id)
    Other(String),
}

impl Principal {
    /// Reads a caller as the case format gives it
    pub fn parse(text: &str) -> Principal {
        if text == "*" || text.eq_ignore_ascii_case("anonymous") {
            return Principal::Anonymous;
        }
        match parse_identity_arn(text) {
            Some(ArnIdentity::Root(account)) => Principal::Root { account },
            Some(ArnIdentity::User(account, arn)) => Principal::User { account, arn },
            Some(ArnIdentity::Role(account, name, path)) => Principal::Role {
                account,
                name,
                path,
            },
            Some(ArnIdentity::Session(account, role, session)) => Principal::Session {
                arn: text.to_owned(),
                account,
                role,
                session,
            },
            Some(ArnIdentity::FederatedUser(account, arn)) => {
                Principal::FederatedUser { account, arn }
            }
            None if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") => {
                Principal::Service(text.to_owned())
            }
            None => Principal::Other(text.to_owned()),
        }
    }

    /// The principal's account, if it has one
    pub fn account(&self) -> Option<&str> {
        match self {
            Principal::User { account, .. }
            | Principal::Role { account, .. }
            | Principal::Session { account, .. }
            | Principal::FederatedUser { account, .. }
            | Principal::Root { account } => Some(account),
            _ => None,
        }
    }

    /// Whether this is a service-linked role or one of its sessions: exempt
    /// from SCPs and RCPs
    pub fn is_service_linked_role(&self, ctx: &Context) -> bool {
        match self {
            Principal::Role { path, .. } => {
                path == "aws-service-role" || path.starts_with("aws-service-role/")
            }
            Principal::Session { role, .. } => {
                if let Lookup::Value(v) = ctx.lookup("aws:principalarn") {
                    if let Some(ArnIdentity::Role(_, _, path)) =
                        v.values.first().and_then(|a| parse_identity_arn(a))
                    {
                        return path == "aws-service-role" || path.starts_with("aws-service-role/");
                    }
                }
                role.starts_with("AWSServiceRoleFor")
            }
            _ => false,
        }
    }
}

/// How a `Principal` entry named the caller; it decides whether a boundary or
/// session policy can still cut a same-account resource-policy grant
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Named {
    /// Through the account (`123456789012`, `arn:aws:iam::A:root`): delegates to identity policies
    Account,
    /// Through the role ARN: boundary and session policy still apply
    Role,
    /// The caller itself (user ARN, session ARN, federated user, service, `*`)
    Directly,
}

/// Whether `entry` names `who`, and how
pub fn entry_names(entry: &PrincipalEntry, who: &Principal, ctx: &Context) -> Option<Named> {
    match entry {
        PrincipalEntry::Anyone => Some(Named::Directly),
        PrincipalEntry::Account(a) => match who {
            Principal::Root { account } if account == a => Some(Named::Directly),
            _ => (who.account() == Some(a.as_str())).then_some(Named::Account),
        },
        PrincipalEntry::User(arn) => {
            matches!(who, Principal::User { arn: w, .. } if w == arn).then_some(Named::Directly)
        }
        PrincipalEntry::Role {
            account,
            name,
            path,
        } => match who {
            Principal::Role {
                account: a,
                name: n,
                path: p,
            } if a == account && n == name && p == path => Some(Named::Role),
            // A session ARN carries no path: the role's own ARN
            // (`aws:PrincipalArn`) tells it, when the request has it.
            Principal::Session {
                account: a, role, ..
            } if a == account && role == name && session_role_path_is(ctx, path) => {
                Some(Named::Role)
            }
            _ => None,
        },
        PrincipalEntry::Session {
            account,
            role,
            session,
        } => match who {
            Principal::Session {
                account: a,
                role: r,
                session: s,
                ..
            } if a == account && r == role && s == session => Some(Named::Directly),
            _ => None,
        },
        PrincipalEntry::FederatedUser(arn) => {
            matches!(who, Principal::FederatedUser { arn: w, .. } if w == arn)
                .then_some(Named::Directly)
        }
        PrincipalEntry::UniqueId(id) => match ctx.lookup("aws:userid") {
            Lookup::Value(v) => v
                .values
                .first()
                .is_some_and(|u| u == id || u.split(':').next() == Some(id.as_str()))
                .then_some(Named::Directly),
            _ => None,
        },
        PrincipalEntry::Service(s) => {
            matches!(who, Principal::Service(w) if w.eq_ignore_ascii_case(s))
                .then_some(Named::Directly)
        }
        PrincipalEntry::Federated(s) | PrincipalEntry::CanonicalUser(s) => {
            matches!(who, Principal::Other(w) if w == s).then_some(Named::Directly)
        }
    }
}

/// Whether the role of a session is at `path`: true unless
/// `aws:PrincipalArn` says it is a role at another path
fn session_role_path_is(ctx: &Context, path: &str) -> bool {
    match ctx.lookup("aws:principalarn") {
        Lookup::Value(v) => match v.values.first().and_then(|a| parse_identity_arn(a)) {
            Some(ArnIdentity::Role(_, _, p)) => p == path,
            _ => true,
        },
        _ => true,
    }
}

/// A request: caller, action, resource and the resource's account
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The caller
    pub principal: Principal,
    /// The caller as given
    pub principal_text: String,
    /// The action
    pub action: ActionName,
    /// The resource
    pub resource: ResourceName,
    /// The account that owns the resource
    pub resource_account: Option<String>,
    /// "On some resource": an Allow applies whatever its `Resource`, a Deny
    /// only when it covers every resource (`"*"`); for who-can without
    /// `--resource`
    pub any_resource: bool,
}

impl Request {
    /// Builds a request; the resource account defaults to the ARN's account
    /// field, else the caller's account
    ///
    /// # Errors
    /// The action text when it is not `service:Action`.
    pub fn new(
        principal: &str,
        action: &str,
        resource: &str,
        resource_account: Option<&str>,
    ) -> Result<Request, String> {
        let action = ActionName::new(action).ok_or_else(|| action.to_owned())?;
        let principal_parsed = Principal::parse(principal);
        let resource = ResourceName::new(resource);
        let resource_account = resource_account
            .map(str::to_owned)
            .or_else(|| resource.account().map(str::to_owned))
            .or_else(|| principal_parsed.account().map(str::to_owned));
        Ok(Request {
            principal: principal_parsed,
            principal_text: principal.to_owned(),
            action,
            resource,
            resource_account,
            any_resource: false,
        })
    }

    /// A request on some resource of `account` (see [`Request::any_resource`])
    ///
    /// # Errors
    /// The action text when it is not `service:Action`.
    pub fn on_any_resource(
        principal: &str,
        action: &str,
        account: &str,
    ) -> Result<Request, String> {
        let mut r = Request::new(principal, action, "*", Some(account))?;
        r.any_resource = true;
        Ok(r)
    }

    /// Whether caller and resource are in the same account
    pub fn same_account(&self) -> bool {
        match (self.principal.account(), &self.resource_account) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}
