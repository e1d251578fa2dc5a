//! Fuzzes the policy parser: any input must give a policy or an error, never
//! a panic; a parsed policy must print and parse back to itself, and
//! evaluating a request against it must not panic.

#![no_main]

use std::sync::Arc;

use accessgraph::eval::context::{Context, CtxValue};
use accessgraph::eval::request::Request;
use accessgraph::eval::{evaluate, PolicySet};
use accessgraph::policy::{Policy, PolicyKind};
use libfuzzer_sys::fuzz_target;

const KINDS: [PolicyKind; 6] = [
    PolicyKind::Identity,
    PolicyKind::Boundary,
    PolicyKind::Session,
    PolicyKind::Resource,
    PolicyKind::Scp,
    PolicyKind::Rcp,
];

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let kind = KINDS[k as usize % KINDS.len()];
    let Ok(policy) = Policy::parse_str(text, kind) else { return };
    let printed = policy.to_json().to_string();
    let again = Policy::parse_str(&printed, kind).expect("a printed policy parses");
    assert_eq!(policy, again, "print/parse changed the policy");
    let policy = Arc::new(policy);
    let mut set = PolicySet::default();
    match kind {
        PolicyKind::Identity => set.identity.push(policy),
        PolicyKind::Boundary => set.boundary = Some(policy),
        PolicyKind::Session => set.session = Some(policy),
        PolicyKind::Resource => set.resource = Some(policy),
        PolicyKind::Scp => set.scps = Some(vec![vec![policy]]),
        PolicyKind::Rcp => set.rcps = Some(vec![vec![policy]]),
    }
    let mut ctx = Context::closed();
    ctx.set("aws:PrincipalTag/team", CtxValue::single("red"));
    ctx.set("aws:TagKeys", CtxValue::multi(["a", "b"]));
    ctx.set("aws:SourceIp", CtxValue::single("10.0.0.1"));
    for (p, a, r) in [
        ("arn:aws:iam::111122223333:user/a", "s3:GetObject", "arn:aws:s3:::b/k"),
        ("arn:aws:sts::444455556666:assumed-role/r/s", "sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"),
        ("s3.amazonaws.com", "kms:Decrypt", "*"),
    ] {
        let req = Request::new(p, a, r, None).expect("valid request");
        let _ = evaluate(&req, &ctx, &set);
        let _ = evaluate(&req, &Context::open(), &set);
    }
});
