//! This module holds what is known about an Identity Center principal before
//! any request is made: the condition keys that follow from the user, the
//! permission set's role and the account (`design.md`, Evaluation). Keys
//! that depend on the individual request stay unknown. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use crate::eval::context::{Context, CtxValue};
use crate::graph::{Model, ProvisionedRole};

/// The context of `user`'s session in `account` through `role`: every key
/// that follows from the principal is set (or known absent); the rest is
/// unknown
pub fn principal_context(
    model: &Model,
    user: usize,
    account: usize,
    role: &ProvisionedRole,
) -> Context {
    let mut ctx = Context::open();
    let u = &model.snapshot.users[user];
    let account_id = &model.accounts()[account].id;
    ctx.set("aws:PrincipalArn", CtxValue::single(role.arn.clone()));
    ctx.set("aws:PrincipalAccount", CtxValue::single(account_id.clone()));
    ctx.set("aws:PrincipalType", CtxValue::single("AssumedRole"));
    ctx.set("aws:PrincipalIsAWSService", CtxValue::single("false"));
    ctx.set("identitystore:UserId", CtxValue::single(u.id.clone()));
    // Identity Center sessions are role sessions: no aws:username.
    ctx.set_absent("aws:username");
    ctx.set_absent("aws:PrincipalServiceName");
    ctx.set_absent("aws:PrincipalServiceNamesList");
    if let Some(org) = &model.snapshot.organization {
        ctx.set("aws:PrincipalOrgID", CtxValue::single(org.id.clone()));
        let path = &model.account_paths[account];
        // The parent path without the account id: o-x/r-ab12/ou-.../
        let mut p = format!("{}/", org.id);
        for id in &path[..path.len().saturating_sub(1)] {
            p.push_str(id);
            p.push('/');
        }
        ctx.set("aws:PrincipalOrgPaths", CtxValue::multi([p]));
    }
    let role_id = model
        .snapshot
        .iam
        .iter()
        .find(|a| &a.account_id == account_id)
        .and_then(|a| a.roles.iter().find(|r| r.name == role.name))
        .and_then(|r| r.id.clone());
    if let Some(id) = role_id {
        ctx.set(
            "aws:userid",
            CtxValue::single(format!("{id}:{}", u.user_name)),
        );
    }
    if let Some(ic) = &model.snapshot.identity_center {
        ctx.set(
            "aws:MultiFactorAuthPresent",
            CtxValue::single(ic.mfa_present.to_string()),
        );
    }
    // The user's ABAC attributes are the session's principal tags; a user
    // without a value has no such tag (known absent, not unknown).
    ctx.absent_prefix("aws:PrincipalTag/");
    for (k, v) in &model.principal_tags[user] {
        ctx.set(
            &format!("aws:PrincipalTag/{k}"),
            CtxValue::single(v.clone()),
        );
    }
    ctx
}
