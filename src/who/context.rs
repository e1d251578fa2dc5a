//! This module holds what is known about a principal before any request is
//! made: the condition keys that follow from an Identity Center user, the
//! permission set's role and the account (`design.md`, Evaluation), or from
//! an IAM user or role of the snapshot; and how a condition left on the user
//! is settled once per ABAC tag class. Keys that depend on the individual
//! request stay unknown. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use super::*;

/// The context of `user`'s session in `account` through `role`: every key
/// that follows from the principal is set (or known absent); the rest is
/// unknown
pub fn principal_context(
    model: &Model,
    user: UserIx,
    account: AccountIx,
    role: &ProvisionedRole,
) -> Context {
    let mut ctx = pair_context(model, account, role);
    add_user_keys(&mut ctx, model, user, account, role);
    ctx
}

/// `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` (root and OUs above
/// the account, not the account) of a principal in `account`
pub(crate) fn add_org_keys(ctx: &mut Context, model: &Model, account: AccountIx) {
    if let Some(org) = &model.snapshot().organization {
        ctx.set("aws:PrincipalOrgID", CtxValue::single(org.id.clone()));
        ctx.set(
            "aws:PrincipalOrgPaths",
            CtxValue::multi([model.org_path(account)]),
        );
    }
}

/// The context every session of a (permission set, account) pair shares:
/// like [`principal_context`] with the user's own keys left unknown
pub(crate) fn pair_context(model: &Model, account: AccountIx, role: &ProvisionedRole) -> Context {
    let mut ctx = Context::open();
    let account_id = &model.accounts()[account].id;
    ctx.set("aws:PrincipalArn", CtxValue::single(role.arn.clone()));
    ctx.set("aws:PrincipalAccount", CtxValue::single(account_id.clone()));
    ctx.set("aws:PrincipalType", CtxValue::single("AssumedRole"));
    ctx.set("aws:PrincipalIsAWSService", CtxValue::single("false"));
    ctx.set_absent("aws:username");
    ctx.set_absent("aws:PrincipalServiceName");
    ctx.set_absent("aws:PrincipalServiceNamesList");
    add_org_keys(&mut ctx, model, account);
    if let Some(ic) = &model.snapshot().identity_center {
        ctx.set(
            "aws:MultiFactorAuthPresent",
            CtxValue::single(ic.mfa_present.to_string()),
        );
    }
    ctx
}

pub(crate) fn role_id(model: &Model, account: AccountIx, role: &ProvisionedRole) -> Option<String> {
    let account_id = &model.accounts()[account].id;
    model
        .snapshot()
        .iam
        .iter()
        .find(|a| &a.account_id == account_id)
        .and_then(|a| a.roles.iter().find(|r| r.name == role.name))
        .and_then(|r| r.id.clone())
}

/// A context for one user's sessions of a pair, built once per pair: the
/// user-specific keys are swapped in per user (or per tag class) instead of
/// cloning the whole context
pub(crate) struct UserContext {
    ctx: Context,
    set_keys: Vec<String>,
    role_id: Option<String>,
}

impl UserContext {
    fn new(base: &Context, role_id: Option<String>) -> UserContext {
        let mut ctx = base.clone();
        ctx.absent_prefix("aws:PrincipalTag/");
        UserContext {
            ctx,
            set_keys: Vec::new(),
            role_id,
        }
    }

    fn for_user(&mut self, model: &Model, user: UserIx) -> &Context {
        for k in self.set_keys.drain(..) {
            self.ctx.remove(&k);
        }
        let u = &model.snapshot().users[user];
        self.ctx
            .set("identitystore:UserId", CtxValue::single(u.id.clone()));
        if let Some(id) = &self.role_id {
            self.ctx.set(
                "aws:userid",
                CtxValue::single(format!("{id}:{}", u.user_name)),
            );
        }
        for (k, v) in model.principal_tags(user) {
            let key = format!("aws:PrincipalTag/{k}");
            self.ctx.set(&key, CtxValue::single(v.clone()));
            self.set_keys.push(key);
        }
        &self.ctx
    }
}

pub(crate) fn add_user_keys(
    ctx: &mut Context,
    model: &Model,
    user: UserIx,
    account: AccountIx,
    role: &ProvisionedRole,
) {
    let mut uc = UserContext::new(ctx, role_id(model, account, role));
    uc.for_user(model, user);
    *ctx = uc.ctx;
}

pub(crate) fn stmt_label(s: &StmtRef, labels: &[String]) -> String {
    let policy = match s.kind {
        PolicyKind::Identity => labels
            .get(s.policy)
            .cloned()
            .unwrap_or_else(|| format!("identity policy {}", s.policy)),
        PolicyKind::Resource => "resource policy".to_owned(),
        other => format!("{} policy {}", other.code(), s.policy),
    };
    match &s.sid {
        Some(sid) => format!("{policy} #{} ({sid})", s.statement),
        None => format!("{policy} #{}", s.statement),
    }
}

/// Whether a residual depends on who the Identity Center user is: `None`
/// when not (the same for every user of a pair), `Some(true)` when it names
/// the user itself (`identitystore:UserId`, `aws:userid`), `Some(false)`
/// when only through principal tags
pub(crate) fn user_keys(r: &Residual) -> Option<bool> {
    let keys = r.keys();
    let identity = keys.iter().any(|k| {
        k.eq_ignore_ascii_case("identitystore:UserId") || k.eq_ignore_ascii_case("aws:userid")
    });
    let tags = keys
        .iter()
        .any(|k| k.to_ascii_lowercase().starts_with("aws:principaltag/"));
    (identity || tags).then_some(identity)
}

/// A value for each user of a (permission set, account) pair, held as
/// compactly as it varies: one for all, one per tag class, or one per user.
/// Never expanded to the pair's users: read with [`PerUser::get`].
#[derive(Debug, Clone)]
pub(crate) enum PerUser {
    /// The same for every user
    All(u32),
    /// By tag class ([`Model::tag_class`])
    Class(Arc<FxHashMap<u32, u32>>),
    /// By user
    User(Arc<FxHashMap<UserIx, u32>>),
}

impl PerUser {
    /// The value of `user` (`NONE` when there is none)
    pub(crate) fn get(&self, model: &Model, user: UserIx) -> u32 {
        match self {
            PerUser::All(v) => *v,
            PerUser::Class(m) => m.get(&model.tag_class(user)).copied().unwrap_or(NONE),
            PerUser::User(m) => m.get(&user).copied().unwrap_or(NONE),
        }
    }

    /// Whether some user has a value
    pub(crate) fn any(&self) -> bool {
        match self {
            PerUser::All(v) => *v != NONE,
            PerUser::Class(m) => m.values().any(|&v| v != NONE),
            PerUser::User(m) => m.values().any(|&v| v != NONE),
        }
    }
}

/// How finely a pair's answer varies over its users
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grain {
    /// The same for every user
    All,
    /// Per tag class
    Class,
    /// Per user
    User,
}

impl PerUser {
    fn grain(&self) -> Grain {
        match self {
            PerUser::All(_) => Grain::All,
            PerUser::Class(_) => Grain::Class,
            PerUser::User(_) => Grain::User,
        }
    }
}

/// The keys to walk at a grain: (key, a representative user), in order of
/// first appearance among the pair's users (so anything numbered while
/// walking them is numbered as if walking every user in index order). At
/// [`Grain::All`] one key, whose user is never read.
fn keys_at(model: &Model, pair: PairIx, grain: Grain) -> Vec<(u32, UserIx)> {
    match grain {
        Grain::All => vec![(0, UserIx::new(0))],
        Grain::Class => model.pair_classes(pair),
        Grain::User => model
            .pair_user_ids(pair)
            .into_iter()
            .map(|u| (u.index() as u32, u))
            .collect(),
    }
}

/// How finely a set of [`PerUser`] values varies (the finest of them), and
/// the keys to walk at that grain ([`keys_at`])
pub(crate) fn keys_of(
    model: &Model,
    pair: PairIx,
    cols: &[PerUser],
) -> (Grain, Vec<(u32, UserIx)>) {
    let grain = cols.iter().map(|c| c.grain()).max().unwrap_or(Grain::All);
    (grain, keys_at(model, pair, grain))
}

/// A [`PerUser`] from the values of the keys of [`keys_at`]
pub(crate) fn per_user_of(grain: Grain, values: impl Iterator<Item = (u32, u32)>) -> PerUser {
    match grain {
        Grain::All => PerUser::All(values.map(|(_, v)| v).next().unwrap_or(NONE)),
        Grain::Class => PerUser::Class(Arc::new(values.collect())),
        Grain::User => PerUser::User(Arc::new(
            values.map(|(k, v)| (UserIx::new(k as usize), v)).collect(),
        )),
    }
}

/// Settles a residual that depends on the user for each of pair `pair`'s
/// users: once per tag class (users with equal ABAC values, settled on one
/// of them), or once per user when the residual names the user itself;
/// `decide` turns each settled answer into the value
pub(crate) fn settle_per_user(
    model: &Model,
    base: &Context,
    acct: AccountIx,
    role: &ProvisionedRole,
    pair: PairIx,
    r: &Residual,
    mut decide: impl FnMut(Tri) -> u32,
) -> PerUser {
    let per_identity = user_keys(r).unwrap_or(false);
    let mut uc = UserContext::new(base, role_id(model, acct, role));
    let grain = if per_identity {
        Grain::User
    } else {
        Grain::Class
    };
    let values = keys_at(model, pair, grain)
        .into_iter()
        .map(|(k, u)| (k, decide(r.eval(uc.for_user(model, u)))));
    per_user_of(grain, values)
}

/// Every key that follows from an IAM user or role of the snapshot (its
/// tags known in full); the rest unknown
pub fn iam_context(model: &Model, principal: usize) -> Context {
    let p = &model.iam_principals()[principal];
    let account = &model.accounts()[p.account];
    let mut ctx = Context::open();
    ctx.set("aws:PrincipalArn", CtxValue::single(p.arn.clone()));
    ctx.set("aws:PrincipalAccount", CtxValue::single(account.id.clone()));
    ctx.set(
        "aws:PrincipalType",
        CtxValue::single(match p.kind {
            IamKind::User => "User",
            IamKind::Role => "AssumedRole",
        }),
    );
    ctx.set("aws:PrincipalIsAWSService", CtxValue::single("false"));
    add_org_keys(&mut ctx, model, p.account);
    // Whoever assumes a role whose trust policy allows sts:TagSession may
    // pass session tags (overriding the role's own): its principal tags are
    // then the caller's choice, unknown here.
    if p.trust
        .as_deref()
        .is_some_and(|t| chain::trust_allows(t, "sts:TagSession"))
    {
        return ctx;
    }
    // The snapshot holds all of the principal's tags: others are absent.
    ctx.absent_prefix("aws:PrincipalTag/");
    for (k, v) in &p.tags {
        ctx.set(
            &format!("aws:PrincipalTag/{k}"),
            CtxValue::single(v.clone()),
        );
    }
    ctx
}
