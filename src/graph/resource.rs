//! This module maps a resource ARN to what AWS authorizes the request
//! against (`design.md`, "Where access really goes"): an S3 object to its
//! bucket, a DynamoDB index or stream to its table, a Lambda version or alias
//! to its function, a Secrets Manager ARN with or without its random suffix
//! to the secret, an IAM role ARN to the role and its trust policy. The
//! owner account, the resource policy, the tags (as `aws:ResourceTag/*`
//! where the service uses them) and the owner's RCPs then take part in
//! every decision on that resource. A resource the snapshot does not hold is
//! answered with what its ARN says, and the answer carries a note. No IO here.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::eval::context::{Context, CtxValue};
use crate::eval::PolicySet;
use crate::policy::arn::ArnSegments;
use crate::policy::Policy;

use super::Model;

/// Where a resolved resource came from
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// `snapshot.resources[i]`
    Resource(usize),
    /// An IAM role or user of the snapshot's IAM data (`Model::iam_principals()[i]`)
    Iam(usize),
}

/// What is known of the resource's tags
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceTags {
    /// All of them: a tag not listed is absent
    Known(BTreeMap<String, String>),
    /// The service does not supply `aws:ResourceTag/*` for this resource
    /// (an S3 bucket with ABAC disabled): every such key is absent
    NotUsed,
    /// Not known: `aws:ResourceTag/*` stay open
    Unknown,
}

/// Who owns the resource, as far as the snapshot and the ARN tell
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The snapshot records the owner
    Snapshot(String),
    /// Taken from the ARN's account field (the resource is not in the snapshot)
    Arn(String),
    /// Neither: an S3 bucket the snapshot does not hold
    Unknown,
}

impl Owner {
    /// The owner account, when known
    pub fn account(&self) -> Option<&str> {
        match self {
            Owner::Snapshot(a) | Owner::Arn(a) => Some(a),
            Owner::Unknown => None,
        }
    }
}

/// A resource ARN resolved against the snapshot
#[derive(Debug, Clone)]
pub struct ResolvedResource {
    /// The ARN as asked (policies' `Resource` patterns match this)
    pub arn: String,
    /// The ARN of what AWS authorizes against (the bucket of an object, …)
    pub target: String,
    /// The record in the snapshot, if any
    pub found: Option<Found>,
    /// The owner account
    pub owner: Owner,
    /// The resource-based policy (bucket, key, queue or trust policy)
    pub policy: Option<Arc<Policy>>,
    /// The tags as `aws:ResourceTag/*` sees them
    pub tags: ResourceTags,
    /// What the answer must say about the resource (unknown owner, unknown ABAC status, …)
    pub notes: Vec<String>,
}

/// The ARN AWS authorizes a request on `arn` against, and whether it is an
/// S3 general purpose bucket (whose tags count only with ABAC enabled)
pub fn authorized_arn(arn: &str) -> (String, bool) {
    let Some(segs) = ArnSegments::split(arn) else {
        return (arn.to_owned(), false);
    };
    let service = segs.get(arn, 2);
    let rest = segs.rest(arn, 5);
    let head = &arn[..arn.len() - rest.len()];
    match service {
        // arn:aws:s3:::bucket[/key]; access points and S3 Express carry a region.
        "s3" if segs.get(arn, 3).is_empty() && segs.get(arn, 4).is_empty() => {
            let bucket = rest.split('/').next().unwrap_or(rest);
            (format!("{head}{bucket}"), true)
        }
        // table/T/index/I, table/T/stream/S, table/T/backup/B, table/T/export/E
        "dynamodb" => {
            let mut parts = rest.splitn(3, '/');
            match (parts.next(), parts.next()) {
                (Some("table"), Some(t)) => (format!("{head}table/{t}"), false),
                _ => (arn.to_owned(), false),
            }
        }
        // function:F[:version|alias]
        "lambda" => {
            let mut parts = rest.splitn(3, ':');
            match (parts.next(), parts.next()) {
                (Some("function"), Some(f)) => (format!("{head}function:{f}"), false),
                _ => (arn.to_owned(), false),
            }
        }
        _ => (arn.to_owned(), false),
    }
}

/// `secret:name-AbCdEf` without the six-character suffix Secrets Manager adds
pub(super) fn secret_without_suffix(arn: &str) -> Option<&str> {
    let segs = ArnSegments::split(arn)?;
    if segs.get(arn, 2) != "secretsmanager" {
        return None;
    }
    let (base, suffix) = arn.rsplit_once('-')?;
    (suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(base)
}

impl Model {
    /// Resolves a resource ARN to what AWS authorizes against (see the module doc)
    pub fn resolve_resource(&self, arn: &str) -> ResolvedResource {
        let (target, s3_bucket) = authorized_arn(arn);
        let found = self
            .resource_index
            .get(target.as_str())
            .map(|&i| Found::Resource(i))
            .or_else(|| {
                // A secret asked without its suffix, or with a partial one.
                self.secret_index
                    .get(target.as_str())
                    .map(|&i| Found::Resource(i))
            })
            .or_else(|| self.iam_index.get(target.as_str()).map(|&i| Found::Iam(i)));
        let arn_account = ArnSegments::split(arn)
            .map(|s| s.get(arn, 4).to_owned())
            .filter(|a| !a.is_empty());
        let mut notes = Vec::new();
        let (owner, policy, tags) = match found {
            Some(Found::Resource(i)) => {
                let r = &self.snapshot.resources[i];
                let owner = match r.account_id.clone().or(arn_account) {
                    Some(a) => Owner::Snapshot(a),
                    None => {
                        notes.push(format!(
                            "`{target}` is in the snapshot without its owner account: answered as if it were in each caller's own account"
                        ));
                        Owner::Unknown
                    }
                };
                let tags = if s3_bucket {
                    match r.abac {
                        Some(true) => ResourceTags::Known(r.tags.clone()),
                        Some(false) => ResourceTags::NotUsed,
                        None => {
                            notes.push(format!(
                                "the ABAC status of bucket `{target}` (GetBucketAbac) is not recorded: conditions on aws:ResourceTag stay open"
                            ));
                            ResourceTags::Unknown
                        }
                    }
                } else {
                    ResourceTags::Known(r.tags.clone())
                };
                (owner, self.resource_policies[i].clone(), tags)
            }
            Some(Found::Iam(i)) => {
                let p = &self.iam[i];
                (
                    Owner::Snapshot(self.accounts()[p.account].id.clone()),
                    p.trust.clone(),
                    ResourceTags::Known(p.tags.clone()),
                )
            }
            None => {
                let owner = match arn_account.clone() {
                    Some(a) => {
                        let what = if self.account_has_iam(&a)
                            && target.contains(":iam::")
                            && target.contains(":role/")
                        {
                            "no such role in the account's IAM data"
                        } else {
                            "not in the snapshot"
                        };
                        notes.push(format!(
                            "`{target}` is {what}: owner account {a} from the ARN, no resource policy, tags unknown"
                        ));
                        Owner::Arn(a)
                    }
                    None if s3_bucket => {
                        notes.push(format!(
                            "bucket `{target}` is not in the snapshot: its owner and bucket policy are unknown; answered as if it were in each caller's own account with no bucket policy (a bucket of another account grants only through its bucket policy)"
                        ));
                        Owner::Unknown
                    }
                    None => Owner::Unknown,
                };
                (owner, None, ResourceTags::Unknown)
            }
        };
        ResolvedResource {
            arn: arn.to_owned(),
            target,
            found,
            owner,
            policy,
            tags,
            notes,
        }
    }

    fn account_has_iam(&self, account_id: &str) -> bool {
        self.snapshot.iam.iter().any(|a| a.account_id == account_id)
    }

    /// Adds a resolved resource to a decision: its policy and its owner's
    /// RCPs to `set`; `aws:ResourceAccount`, `aws:ResourceOrgID`,
    /// `aws:ResourceOrgPaths` and `aws:ResourceTag/*` to `ctx`
    pub fn apply_resource(&self, r: &ResolvedResource, set: &mut PolicySet, ctx: &mut Context) {
        set.resource = r.policy.clone();
        set.rcps = r
            .owner
            .account()
            .and_then(|a| self.find_account_id(a))
            .and_then(|i| self.rcps_of(i));
        if let Some(a) = r.owner.account() {
            ctx.set("aws:ResourceAccount", CtxValue::single(a.to_owned()));
            match (self.find_account_id(a), &self.snapshot.organization) {
                (Some(i), Some(org)) => {
                    ctx.set("aws:ResourceOrgID", CtxValue::single(org.id.clone()));
                    ctx.set("aws:ResourceOrgPaths", CtxValue::multi([self.org_path(i)]));
                }
                // An account outside the organization: no org keys.
                (None, Some(_)) if matches!(r.owner, Owner::Snapshot(_)) => {
                    ctx.set_absent("aws:ResourceOrgID");
                    ctx.set_absent("aws:ResourceOrgPaths");
                }
                _ => {}
            }
        }
        match &r.tags {
            ResourceTags::Known(tags) => {
                ctx.absent_prefix("aws:ResourceTag/");
                for (k, v) in tags {
                    ctx.set(&format!("aws:ResourceTag/{k}"), CtxValue::single(v.clone()));
                }
            }
            ResourceTags::NotUsed => ctx.absent_prefix("aws:ResourceTag/"),
            ResourceTags::Unknown => {}
        }
    }

    /// The `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` value of an
    /// account: `o-…/r-…/ou-…/` (the path above the account, not the account)
    pub fn org_path(&self, account: super::AccountIx) -> String {
        let org_id = self
            .snapshot
            .organization
            .as_ref()
            .map(|o| o.id.as_str())
            .unwrap_or_default();
        let path = &self.account_paths[account.index()];
        let mut p = format!("{org_id}/");
        for id in &path[..path.len().saturating_sub(1)] {
            p.push_str(id);
            p.push('/');
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_indexes_and_versions_map_to_what_owns_them() {
        let cases = [
            ("arn:aws:s3:::data/a/b.csv", "arn:aws:s3:::data", true),
            ("arn:aws:s3:::data", "arn:aws:s3:::data", true),
            (
                "arn:aws:s3:eu-west-1:111122223333:accesspoint/ap",
                "arn:aws:s3:eu-west-1:111122223333:accesspoint/ap",
                false,
            ),
            (
                "arn:aws:dynamodb:eu-west-1:111122223333:table/T/index/byDate",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/T",
                false,
            ),
            (
                "arn:aws:dynamodb:eu-west-1:111122223333:table/T/stream/2026-01-01T00:00:00.000",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/T",
                false,
            ),
            (
                "arn:aws:lambda:eu-west-1:111122223333:function:f:7",
                "arn:aws:lambda:eu-west-1:111122223333:function:f",
                false,
            ),
            (
                "arn:aws:lambda:eu-west-1:111122223333:function:f:live",
                "arn:aws:lambda:eu-west-1:111122223333:function:f",
                false,
            ),
            (
                "arn:aws:sqs:eu-west-1:111122223333:q",
                "arn:aws:sqs:eu-west-1:111122223333:q",
                false,
            ),
            ("*", "*", false),
        ];
        for (arn, want, bucket) in cases {
            assert_eq!(authorized_arn(arn), (want.to_owned(), bucket), "{arn}");
        }
    }

    #[test]
    fn secret_suffixes_are_six_alphanumerics() {
        assert_eq!(
            secret_without_suffix("arn:aws:secretsmanager:eu-west-1:1:secret:db-pass-AbC123"),
            Some("arn:aws:secretsmanager:eu-west-1:1:secret:db-pass")
        );
        assert_eq!(
            secret_without_suffix("arn:aws:secretsmanager:eu-west-1:1:secret:db-pass"),
            None
        );
        assert_eq!(
            secret_without_suffix("arn:aws:sqs:eu-west-1:1:q-AbC123"),
            None
        );
    }
}
