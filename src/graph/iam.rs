//! This module compiles the snapshot's IAM data once into principals: every
//! IAM user and role with its identity policies, boundary, tags, its
//! account's SCPs and, for a role, its trust policy (the resource policy of
//! `sts:AssumeRole` and friends). Queries, role chains and resource
//! resolution read these; nothing re-parses a document per query. No IO here.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::data::managed_policies;
use crate::eval::PolicySet;
use crate::policy::{Policy, PolicyKind};
use crate::snapshot::{AccountIam, InlinePolicy};

use super::{compile, AccountIx, ModelError};

/// An IAM user or an IAM role
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IamKind {
    /// An IAM user
    User,
    /// An IAM role
    Role,
}

impl IamKind {
    /// `iam-user` or `iam-role`, as rows show it
    pub fn as_str(self) -> &'static str {
        match self {
            IamKind::User => "iam-user",
            IamKind::Role => "iam-role",
        }
    }
}

/// One IAM user or role of the snapshot's IAM data, compiled
#[derive(Debug, Clone)]
pub struct IamPrincipal {
    /// User or role
    pub kind: IamKind,
    /// Account index
    pub account: AccountIx,
    /// The ARN (with its path)
    pub arn: String,
    /// The name (without the path)
    pub name: String,
    /// The unique id (`AIDA…`, `AROA…`) when the export had it
    pub id: Option<String>,
    /// The principal's IAM tags
    pub tags: BTreeMap<String, String>,
    /// Identity policies, boundary and the account's SCPs (no resource side)
    pub set: PolicySet,
    /// Names of the identity policies, parallel to `set.identity`
    pub labels: Vec<String>,
    /// A role's trust policy
    pub trust: Option<Arc<Policy>>,
    /// An `AWSReservedSSO_*` role that Identity Center provisioned: answered
    /// through its users, not as an IAM principal of its own
    pub identity_center: bool,
}

impl IamPrincipal {
    /// The ARN requests are made as: the user itself, or a session of the
    /// role (`arn:aws:sts::A:assumed-role/<name>/<session>`)
    pub fn caller_arn(&self, account_id: &str, session: &str) -> String {
        match self.kind {
            IamKind::Role => format!(
                "arn:aws:sts::{account_id}:assumed-role/{}/{session}",
                self.name
            ),
            IamKind::User => self.arn.clone(),
        }
    }
}

/// Compiles every IAM user and role of the snapshot whose account is in the
/// organization (`account_of`); each managed policy document once per account
pub(super) fn compile_principals(
    iam: &[AccountIam],
    account_of: &HashMap<String, AccountIx>,
    scps_of: &dyn Fn(AccountIx) -> Option<Vec<Vec<Arc<Policy>>>>,
) -> Result<Vec<IamPrincipal>, ModelError> {
    let bundled = managed_policies();
    let mut out = Vec::new();
    for (i, a) in iam.iter().enumerate() {
        // Documents of the account's own policies, validated even when no
        // principal attaches them.
        let mut managed: HashMap<&str, Arc<Policy>> = HashMap::new();
        for (j, p) in a.policies.iter().enumerate() {
            let c = compile(
                &p.document,
                PolicyKind::Identity,
                format!(
                    "managed policy `{}` (/iam/{i}/policies/{j}/document)",
                    p.arn
                ),
            )?;
            managed.insert(p.arn.as_str(), c);
        }
        let mut bundled_cache: HashMap<String, Option<Arc<Policy>>> = HashMap::new();
        let mut lookup = |arn: &str| -> Result<Option<(String, Arc<Policy>)>, ModelError> {
            let label = format!("managed {}", arn.rsplit('/').next().unwrap_or(arn));
            if let Some(p) = managed.get(arn) {
                return Ok(Some((label, p.clone())));
            }
            let Some(b) = bundled.policies.get(arn) else {
                return Ok(None);
            };
            let p = match bundled_cache.get(arn) {
                Some(p) => p.clone(),
                None => {
                    let p = Some(compile(
                        &b.document,
                        PolicyKind::Identity,
                        format!("AWS managed policy `{arn}`"),
                    )?);
                    bundled_cache.insert(arn.to_owned(), p.clone());
                    p
                }
            };
            Ok(p.map(|p| (label, p)))
        };
        let inline = |prefix: &str,
                      list: &[InlinePolicy],
                      what: &str,
                      field: &str,
                      j: usize|
         -> Result<Vec<(String, Arc<Policy>)>, ModelError> {
            list.iter()
                .enumerate()
                .map(|(k, ip)| {
                    compile(
                        &ip.document,
                        PolicyKind::Identity,
                        format!(
                            "inline policy `{}` of `{what}` (/iam/{i}/{field}/{j}/inline_policies/{k})",
                            ip.name
                        ),
                    )
                    .map(|p| (format!("{prefix}inline {}", ip.name), p))
                })
                .collect()
        };
        let account = account_of.get(&a.account_id).copied();
        let principal = |kind: IamKind,
                         acct: AccountIx,
                         arn: &str,
                         name: &str,
                         id: &Option<String>,
                         tags: &BTreeMap<String, String>,
                         docs: Vec<(String, Arc<Policy>)>,
                         boundary: Option<Arc<Policy>>| IamPrincipal {
            kind,
            account: acct,
            arn: arn.to_owned(),
            name: name.to_owned(),
            id: id.clone(),
            tags: tags.clone(),
            labels: docs.iter().map(|(l, _)| l.clone()).collect(),
            set: PolicySet {
                identity: docs.into_iter().map(|(_, p)| p).collect(),
                boundary,
                scps: scps_of(acct),
                ..PolicySet::default()
            },
            trust: None,
            identity_center: false,
        };
        for (j, r) in a.roles.iter().enumerate() {
            let trust = compile(
                &r.trust_policy,
                PolicyKind::Resource,
                format!(
                    "trust policy of `{}` (/iam/{i}/roles/{j}/trust_policy)",
                    r.arn
                ),
            )?;
            let mut docs = inline("", &r.inline_policies, &r.arn, "roles", j)?;
            for m in &r.managed_policies {
                docs.extend(lookup(m)?);
            }
            let boundary = match &r.permissions_boundary {
                Some(b) => lookup(b)?.map(|(_, p)| p),
                None => None,
            };
            let Some(acct) = account else { continue };
            let mut p = principal(
                IamKind::Role,
                acct,
                &r.arn,
                &r.name,
                &r.id,
                &r.tags,
                docs,
                boundary,
            );
            p.trust = Some(trust);
            p.identity_center = r.name.starts_with("AWSReservedSSO_")
                && r.path.starts_with("/aws-reserved/sso.amazonaws.com/");
            out.push(p);
        }
        for (j, u) in a.users.iter().enumerate() {
            let mut docs = inline("", &u.inline_policies, &u.arn, "users", j)?;
            for m in &u.managed_policies {
                docs.extend(lookup(m)?);
            }
            for gname in &u.groups {
                if let Some((gi, g)) = a.groups.iter().enumerate().find(|(_, g)| &g.name == gname) {
                    docs.extend(inline(
                        &format!("group {} ", g.name),
                        &g.inline_policies,
                        &g.arn,
                        "groups",
                        gi,
                    )?);
                    for m in &g.managed_policies {
                        docs.extend(lookup(m)?);
                    }
                }
            }
            let boundary = match &u.permissions_boundary {
                Some(b) => lookup(b)?.map(|(_, p)| p),
                None => None,
            };
            let Some(acct) = account else { continue };
            out.push(principal(
                IamKind::User,
                acct,
                &u.arn,
                &u.name,
                &u.id,
                &u.tags,
                docs,
                boundary,
            ));
        }
        // Groups' inline policies are validated even without members.
        for (j, g) in a.groups.iter().enumerate() {
            inline("", &g.inline_policies, &g.arn, "groups", j)?;
        }
    }
    Ok(out)
}
