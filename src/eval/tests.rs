//! Unit tests of the decision logic: three-valued answers, deny reasons,
//! deciding statements.

use std::sync::Arc;

use super::context::{Context, CtxValue};
use super::request::Request;
use super::*;
use crate::policy::{Policy, PolicyKind};

const ALICE: &str =
    "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/alice";

fn pol(kind: PolicyKind, text: &str) -> Arc<Policy> {
    Arc::new(Policy::parse_str(text, kind).unwrap())
}

fn identity(text: &str) -> PolicySet {
    PolicySet {
        identity: vec![pol(PolicyKind::Identity, text)],
        ..PolicySet::default()
    }
}

fn req(action: &str, resource: &str) -> Request {
    Request::new(ALICE, action, resource, None).unwrap()
}

/// An open question where the user's principal tags are known
fn who_can_context(team: Option<&str>) -> Context {
    let mut ctx = Context::open();
    ctx.absent_prefix("aws:PrincipalTag/");
    if let Some(t) = team {
        ctx.set("aws:PrincipalTag/team", CtxValue::single(t));
    }
    ctx
}

fn residual(e: &Evaluation) -> String {
    match &e.answer {
        Answer::Conditional(r) => r.to_string(),
        other => panic!("expected a conditional answer, got {other:?}"),
    }
}

const ABAC: &str = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "SameTeam", "Effect": "Allow", "Action": "sqs:*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}]}"#;

#[test]
fn abac_residual_has_the_principal_tag_substituted() {
    let e = evaluate(
        &req("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"),
        &who_can_context(Some("red")),
        &identity(ABAC),
    );
    assert_eq!(residual(&e), r#"aws:ResourceTag/team = "red""#);
    assert_eq!(e.deciding.len(), 1);
    assert_eq!(e.deciding[0].sid.as_deref(), Some("SameTeam"));
    assert_eq!(e.decision(), Decision::ImplicitDeny);
}

#[test]
fn abac_without_the_attribute_is_a_certain_deny_not_conditional() {
    let e = evaluate(
        &req("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"),
        &who_can_context(None),
        &identity(ABAC),
    );
    assert_eq!(e.answer, Answer::Decided(Decision::ImplicitDeny));
    assert_eq!(e.reason, Some(DenyReason::NoIdentityAllow));
}

#[test]
fn residual_evaluates_to_the_concrete_answer() {
    let e = evaluate(
        &req("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"),
        &who_can_context(Some("red")),
        &identity(ABAC),
    );
    let Answer::Conditional(r) = &e.answer else {
        panic!()
    };
    let mut ctx = who_can_context(Some("red"));
    ctx.set("aws:ResourceTag/team", CtxValue::single("red"));
    assert_eq!(r.eval(&ctx), tri::Tri::True);
    ctx.set("aws:ResourceTag/team", CtxValue::single("blue"));
    assert_eq!(r.eval(&ctx), tri::Tri::False);
    // The residual is re-evaluated from the condition, so it depends on the
    // variable's key too (here already known when it was built).
    assert_eq!(
        r.keys(),
        vec![
            "aws:ResourceTag/team".to_owned(),
            "aws:PrincipalTag/team".to_owned()
        ]
    );
}

#[test]
fn deny_guard_becomes_a_negated_residual() {
    let set = identity(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}"#,
    );
    let e = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::b/k"),
        &Context::open(),
        &set,
    );
    assert_eq!(
        residual(&e),
        r#"aws:MultiFactorAuthPresent = true AND aws:RequestedRegion = "eu-west-1""#
    );
}

#[test]
fn unknown_variable_in_resource_gives_a_resource_residual() {
    let set = identity(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-${aws:PrincipalTag/team}/*"}}"#,
    );
    let e = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::data-red/k"),
        &Context::open(),
        &set,
    );
    assert_eq!(
        residual(&e),
        "Resource [arn:aws:s3:::data-${aws:PrincipalTag/team}/*] matches arn:aws:s3:::data-red/k"
    );
    let known = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::data-red/k"),
        &who_can_context(Some("red")),
        &set,
    );
    assert_eq!(known.answer, Answer::Decided(Decision::Allow));
    let other = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::data-red/k"),
        &who_can_context(Some("blue")),
        &set,
    );
    assert_eq!(other.answer, Answer::Decided(Decision::ImplicitDeny));
}

const ALLOW_ALL: &str = r#"{"Version": "2012-10-17", "Statement": {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}}"#;

#[test]
fn scp_level_without_allow_is_named() {
    let mut set = identity(ALLOW_ALL);
    set.scps = Some(vec![
        vec![pol(PolicyKind::Scp, ALLOW_ALL)],
        vec![pol(
            PolicyKind::Scp,
            r#"{"Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}"#,
        )],
        vec![pol(PolicyKind::Scp, ALLOW_ALL)],
    ]);
    let e = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::b/k"),
        &Context::closed(),
        &set,
    );
    assert_eq!(e.answer, Answer::Decided(Decision::ImplicitDeny));
    assert_eq!(e.reason, Some(DenyReason::Scp(1)));
    assert_eq!(
        e.reason.unwrap().to_string(),
        "no SCP at level 1 of the account's path allows the action"
    );
}

#[test]
fn explicit_deny_names_every_matching_deny() {
    let mut set = identity(ALLOW_ALL);
    let deny =
        r#"{"Statement": {"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}"#;
    set.scps = Some(vec![
        vec![pol(PolicyKind::Scp, ALLOW_ALL)],
        vec![pol(PolicyKind::Scp, ALLOW_ALL), pol(PolicyKind::Scp, deny)],
    ]);
    set.boundary = Some(pol(PolicyKind::Boundary, deny));
    let e = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::b/k"),
        &Context::closed(),
        &set,
    );
    assert_eq!(e.answer, Answer::Decided(Decision::ExplicitDeny));
    let refs: Vec<String> = e.deciding.iter().map(ToString::to_string).collect();
    assert_eq!(
        refs,
        vec![
            "boundary policy 0 statement 0 (NoS3)",
            "scp level 1 policy 1 statement 0 (NoS3)"
        ]
    );
}

#[test]
fn ceilings_are_named_in_order() {
    let mut set = identity(ALLOW_ALL);
    set.boundary = Some(pol(
        PolicyKind::Boundary,
        r#"{"Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}"#,
    ));
    let e = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::b/k"),
        &Context::closed(),
        &set,
    );
    assert_eq!(e.reason, Some(DenyReason::Boundary));
    set.boundary = None;
    set.session = Some(pol(
        PolicyKind::Session,
        r#"{"Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}"#,
    ));
    let e = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::b/k"),
        &Context::closed(),
        &set,
    );
    assert_eq!(e.reason, Some(DenyReason::SessionPolicy));
}

#[test]
fn cross_account_needs_the_resource_policy() {
    let set = identity(ALLOW_ALL);
    let r = Request::new(
        ALICE,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:444455556666:q",
        None,
    )
    .unwrap();
    assert!(!r.same_account());
    let e = evaluate(&r, &Context::closed(), &set);
    assert_eq!(e.reason, Some(DenyReason::NoResourcePolicyAllow));
    let mut set = set;
    set.resource = Some(pol(
        PolicyKind::Resource,
        r#"{"Statement": {"Sid": "Acct", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sqs:SendMessage", "Resource": "*"}}"#,
    ));
    let e = evaluate(&r, &Context::closed(), &set);
    assert_eq!(e.answer, Answer::Decided(Decision::Allow));
    let refs: Vec<String> = e.deciding.iter().map(ToString::to_string).collect();
    assert_eq!(
        refs,
        vec![
            "identity policy 0 statement 0 (All)",
            "resource policy 0 statement 0 (Acct)"
        ]
    );
}

#[test]
fn rcp_applies_only_to_supported_services() {
    let mut set = identity(ALLOW_ALL);
    let deny = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}}"#;
    set.rcps = Some(vec![vec![pol(PolicyKind::Rcp, deny)]]);
    let s3 = evaluate(
        &req("s3:GetObject", "arn:aws:s3:::b/k"),
        &Context::closed(),
        &set,
    );
    assert_eq!(s3.decision(), Decision::ExplicitDeny);
    assert_eq!(s3.deciding[0].kind, PolicyKind::Rcp);
    let ec2 = evaluate(&req("ec2:RunInstances", "*"), &Context::closed(), &set);
    assert_eq!(ec2.decision(), Decision::Allow);
    assert!(RCP_SERVICES.contains(&"sts") && !RCP_SERVICES.contains(&"ec2"));
}
