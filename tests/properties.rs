//! Property tests of the evaluator (proptest): monotonicity of Deny and
//! Allow, parse/print stability, agreement of three-valued evaluation with
//! concrete evaluation, and parallel results equal to sequential ones.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::sync::Arc;

use proptest::prelude::*;
use rayon::prelude::*;

use accessgraph::eval::context::{Context, CtxValue};
use accessgraph::eval::request::Request;
use accessgraph::eval::{evaluate, Answer, Decision, PolicySet};
use accessgraph::policy::{Policy, PolicyKind};

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:*",
    "s3:Get*",
    "sqs:*",
    "*",
    "iam:?etUser",
    "sqs:Send*",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/k",
    "arn:aws:sqs:us-east-1:111122223333:q",
    "arn:aws:s3:::${aws:PrincipalTag/team}/*",
    "arn:aws:sqs",
];
const CONDITIONS: &[(&str, &str)] = &[
    ("StringEquals", r#""aws:PrincipalTag/team": "red""#),
    (
        "StringEquals",
        r#""aws:ResourceTag/team": "${aws:PrincipalTag/team}""#,
    ),
    (
        "StringNotEquals",
        r#""aws:ResourceTag/team": ["red", "blue"]"#,
    ),
    ("StringLike", r#""aws:ResourceTag/project": "ap*""#),
    ("StringEqualsIfExists", r#""aws:ResourceTag/team": "red""#),
    ("Bool", r#""aws:MultiFactorAuthPresent": "true""#),
    ("IpAddress", r#""aws:SourceIp": "10.0.0.0/8""#),
    (
        "NotIpAddress",
        r#""aws:SourceIp": ["10.1.0.0/16", "192.0.2.1"]"#,
    ),
    ("NumericLessThan", r#""s3:max-keys": "10""#),
    (
        "ForAllValues:StringEquals",
        r#""aws:TagKeys": ["team", "project"]"#,
    ),
    ("ForAnyValue:StringLike", r#""aws:TagKeys": "t*""#),
    ("Null", r#""aws:ResourceTag/team": "true""#),
    (
        "ArnLike",
        r#""aws:PrincipalArn": "arn:aws:iam::111122223333:role/*""#,
    ),
    (
        "DateLessThan",
        r#""aws:CurrentTime": "2026-01-01T00:00:00Z""#,
    ),
];
const PRINCIPALS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/alice",
    "arn:aws:sts::444455556666:assumed-role/app/s",
];

/// Every context key the generators use, with the values they may take
const KEYS: &[(&str, &[&str])] = &[
    ("aws:PrincipalTag/team", &["red", "blue"]),
    ("aws:ResourceTag/team", &["red", "blue", "green"]),
    ("aws:ResourceTag/project", &["apollo", "zeus"]),
    ("aws:MultiFactorAuthPresent", &["true", "false"]),
    ("aws:SourceIp", &["10.1.2.3", "192.0.2.1", "203.0.113.9"]),
    ("s3:max-keys", &["5", "50"]),
    (
        "aws:PrincipalArn",
        &[
            "arn:aws:iam::111122223333:role/app",
            "arn:aws:iam::111122223333:user/alice",
        ],
    ),
    (
        "aws:CurrentTime",
        &["2025-06-01T00:00:00Z", "2027-01-01T00:00:00Z"],
    ),
];

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    not_action: bool,
    actions: Vec<usize>,
    resource: usize,
    conditions: Vec<usize>,
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.15),
        prop::collection::vec(0..ACTIONS.len(), 1..3),
        0..RESOURCES.len(),
        prop::collection::btree_set(0..CONDITIONS.len(), 0..2),
    )
        .prop_map(|(deny, not_action, actions, resource, conditions)| Stmt {
            deny,
            not_action,
            actions,
            resource,
            conditions: conditions.into_iter().collect(),
        })
}

fn stmt_json(s: &Stmt) -> String {
    let actions: Vec<String> = s
        .actions
        .iter()
        .map(|&a| format!("\"{}\"", ACTIONS[a]))
        .collect();
    // Group by operator: one JSON object key per operator.
    let mut ops: Vec<(&str, Vec<&str>)> = Vec::new();
    for &c in &s.conditions {
        let (op, inner) = CONDITIONS[c];
        match ops.iter_mut().find(|(o, _)| *o == op) {
            Some((_, v)) => v.push(inner),
            None => ops.push((op, vec![inner])),
        }
    }
    let conds: Vec<String> = ops
        .iter()
        .map(|(op, v)| format!(r#""{op}": {{{}}}"#, v.join(", ")))
        .collect();
    format!(
        r#"{{"Effect": "{}", "{}": [{}], "Resource": "{}"{}}}"#,
        if s.deny { "Deny" } else { "Allow" },
        if s.not_action { "NotAction" } else { "Action" },
        actions.join(", "),
        RESOURCES[s.resource],
        if conds.is_empty() {
            String::new()
        } else {
            format!(r#", "Condition": {{{}}}"#, conds.join(", "))
        }
    )
}

fn policy_json(stmts: &[Stmt]) -> String {
    let body: Vec<String> = stmts.iter().map(stmt_json).collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        body.join(", ")
    )
}

fn compile(stmts: &[Stmt], kind: PolicyKind) -> Arc<Policy> {
    Arc::new(Policy::parse_str(&policy_json(stmts), kind).unwrap())
}

#[derive(Debug, Clone)]
struct World {
    identity: Vec<Vec<Stmt>>,
    boundary: Option<Vec<Stmt>>,
    scps: Option<Vec<Vec<Stmt>>>,
    principal: usize,
    action: usize,
    resource: usize,
    ctx: Vec<Option<usize>>,
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(prop::collection::vec(stmt(), 1..4), 1..3),
        prop::option::weighted(0.3, prop::collection::vec(stmt(), 1..3)),
        prop::option::weighted(
            0.3,
            prop::collection::vec(prop::collection::vec(stmt(), 1..3), 1..3),
        ),
        0..PRINCIPALS.len(),
        0..4usize,
        0..4usize,
        prop::collection::vec(prop::option::of(0..3usize), KEYS.len()),
    )
        .prop_map(
            |(identity, boundary, scps, principal, action, resource, ctx)| World {
                identity,
                boundary,
                scps,
                principal,
                action,
                resource,
                ctx,
            },
        )
}

const REQ_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "sqs:SendMessage",
    "iam:GetUser",
];
const REQ_RESOURCES: &[&str] = &[
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::red/k",
    "arn:aws:sqs:us-east-1:111122223333:q",
    "*",
];

impl World {
    fn set(&self) -> PolicySet {
        PolicySet {
            identity: self
                .identity
                .iter()
                .map(|p| compile(p, PolicyKind::Identity))
                .collect(),
            boundary: self
                .boundary
                .as_ref()
                .map(|p| compile(p, PolicyKind::Boundary)),
            scps: self.scps.as_ref().map(|levels| {
                levels
                    .iter()
                    .map(|l| vec![compile(l, PolicyKind::Scp)])
                    .collect()
            }),
            ..PolicySet::default()
        }
    }

    fn request(&self) -> Request {
        Request::new(
            PRINCIPALS[self.principal],
            REQ_ACTIONS[self.action],
            REQ_RESOURCES[self.resource],
            None,
        )
        .unwrap()
    }

    fn context(&self) -> Context {
        let mut ctx = Context::closed();
        for ((key, values), choice) in KEYS.iter().zip(&self.ctx) {
            if let Some(i) = choice {
                ctx.set(key, CtxValue::single(values[i % values.len()]));
            }
        }
        // aws:TagKeys is multivalued: present in some worlds, with 0-2 values.
        if let Some(Some(i)) = self.ctx.first() {
            let all = ["team", "project", "owner"];
            ctx.set("aws:TagKeys", CtxValue::multi(all.iter().take(*i).copied()));
        }
        ctx
    }

    fn decide(&self) -> Decision {
        evaluate(&self.request(), &self.context(), &self.set()).decision()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn adding_a_deny_never_turns_a_deny_into_allow(w in world(), extra in stmt(), at in 0..3usize) {
        let before = w.decide();
        let mut deny = extra;
        deny.deny = true;
        let mut w2 = w.clone();
        match (at, &mut w2.scps, &mut w2.boundary) {
            (1, Some(levels), _) => levels[0].push(deny),
            (2, _, Some(b)) => b.push(deny),
            _ => w2.identity.push(vec![deny]),
        }
        let after = w2.decide();
        if before != Decision::Allow {
            prop_assert_ne!(after, Decision::Allow);
        }
        if before == Decision::ExplicitDeny {
            prop_assert_eq!(after, Decision::ExplicitDeny);
        }
    }

    #[test]
    fn adding_an_identity_allow_never_turns_allow_into_a_deny(w in world(), extra in stmt()) {
        let before = w.decide();
        let mut allow = extra;
        allow.deny = false;
        let mut w2 = w.clone();
        w2.identity.push(vec![allow]);
        if before == Decision::Allow {
            prop_assert_eq!(w2.decide(), Decision::Allow);
        }
    }

    #[test]
    fn print_then_parse_is_stable(stmts in prop::collection::vec(stmt(), 1..5)) {
        for kind in [PolicyKind::Identity, PolicyKind::Scp, PolicyKind::Boundary] {
            let p = compile(&stmts, kind);
            let printed = p.to_json().to_string();
            let again = Policy::parse_str(&printed, kind).unwrap();
            prop_assert_eq!(&*p, &again);
            prop_assert_eq!(again.to_json().to_string(), printed);
        }
    }

    #[test]
    fn unknown_keys_give_a_residual_that_agrees_with_the_concrete_answer(
        w in world(),
        unknown in prop::collection::vec(any::<bool>(), KEYS.len()),
    ) {
        let full = w.context();
        let concrete = evaluate(&w.request(), &full, &w.set()).decision();
        let mut open = full.clone();
        for ((key, _), u) in KEYS.iter().zip(&unknown) {
            if *u {
                open.set_unknown(key);
            }
        }
        let partial = evaluate(&w.request(), &open, &w.set());
        match &partial.answer {
            Answer::Decided(d) => prop_assert_eq!(*d == Decision::Allow, concrete == Decision::Allow),
            Answer::Conditional(r) => {
                let t = r.eval(&full);
                prop_assert!(!matches!(t, accessgraph::eval::tri::Tri::Residual(_)), "residual left after every key is known: {r}");
                prop_assert_eq!(t.is_true(), concrete == Decision::Allow, "residual {} vs concrete {}", r, concrete);
            }
        }
    }

    #[test]
    fn parallel_results_equal_sequential(worlds in prop::collection::vec(world(), 1..40)) {
        let seq: Vec<Decision> = worlds.iter().map(World::decide).collect();
        let par: Vec<Decision> = worlds.par_iter().map(World::decide).collect();
        prop_assert_eq!(seq, par);
    }
}

/// The properties above only mean something if the generated worlds reach
/// every outcome: check that a sample of them does.
#[test]
fn generators_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut allow, mut implicit, mut explicit, mut conditional) = (0, 0, 0, 0);
    for _ in 0..2000 {
        let w = world().new_tree(&mut runner).unwrap().current();
        match w.decide() {
            Decision::Allow => allow += 1,
            Decision::ImplicitDeny => implicit += 1,
            Decision::ExplicitDeny => explicit += 1,
        }
        let mut open = w.context();
        for (key, _) in KEYS {
            open.set_unknown(key);
        }
        if matches!(
            evaluate(&w.request(), &open, &w.set()).answer,
            Answer::Conditional(_)
        ) {
            conditional += 1;
        }
    }
    for (name, n) in [
        ("allow", allow),
        ("implicit", implicit),
        ("explicit", explicit),
        ("conditional", conditional),
    ] {
        assert!(n >= 100, "only {n} of 2000 sampled worlds are {name}");
    }
}
