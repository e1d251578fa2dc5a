//! Criterion benchmarks of the evaluator, on deterministic synthetic policies:
//! `eval/single` (one request after compiling once: admin, ABAC, ReadOnly
//! sized) and `eval/corpus` (reading, compiling and deciding 20,000 cases of
//! the corpus, at one thread and at all threads).

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench harness"
)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use accessgraph::eval::context::{Context, CtxValue};
use accessgraph::eval::request::Request;
use accessgraph::eval::{evaluate, Decision, PolicySet};
use accessgraph::policy::{Policy, PolicyKind};

// Measure with the allocator the binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// ~50 statements in the shape of a real ABAC permission set: per-service
/// allows keyed on principal tags, resource paths with variables, a few
/// guard denies.
fn abac_policy() -> String {
    let services = [
        "s3",
        "sqs",
        "sns",
        "dynamodb",
        "kms",
        "ec2",
        "lambda",
        "logs",
        "secretsmanager",
        "ssm",
    ];
    let mut stmts = Vec::new();
    for (i, svc) in services.iter().enumerate() {
        stmts.push(format!(
            r#"{{"Sid":"Tag{i}","Effect":"Allow","Action":["{svc}:Get*","{svc}:List*","{svc}:Describe*"],"Resource":"*","Condition":{{"StringEquals":{{"aws:ResourceTag/team":"${{aws:PrincipalTag/team}}"}},"StringLike":{{"aws:ResourceTag/project":["${{aws:PrincipalTag/project}}*","shared-*"]}}}}}}"#
        ));
        stmts.push(format!(
            r#"{{"Sid":"Own{i}","Effect":"Allow","Action":"{svc}:*","Resource":"arn:aws:{svc}:*:111122223333:${{aws:PrincipalTag/team}}/*","Condition":{{"Bool":{{"aws:SecureTransport":"true"}},"NumericLessThanEquals":{{"aws:MultiFactorAuthAge":"3600"}}}}}}"#
        ));
        stmts.push(format!(
            r#"{{"Sid":"Req{i}","Effect":"Allow","Action":["{svc}:Create*","{svc}:Tag*"],"Resource":"*","Condition":{{"StringEquals":{{"aws:RequestTag/team":"${{aws:PrincipalTag/team}}"}},"ForAllValues:StringEquals":{{"aws:TagKeys":["team","project","cost-center"]}}}}}}"#
        ));
        stmts.push(format!(
            r#"{{"Sid":"Region{i}","Effect":"Allow","Action":"{svc}:Put*","Resource":"*","Condition":{{"StringEquals":{{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}},"IpAddress":{{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}}}}}"#
        ));
        stmts.push(format!(
            r#"{{"Sid":"Deny{i}","Effect":"Deny","Action":"{svc}:Delete*","Resource":"*","Condition":{{"StringNotEquals":{{"aws:ResourceTag/team":"${{aws:PrincipalTag/team}}"}}}}}}"#
        ));
    }
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        stmts.join(",")
    )
}

/// A ReadOnlyAccess-sized policy: one statement with thousands of action
/// patterns over hundreds of services
fn read_only_policy() -> (String, usize) {
    let verbs = [
        "Get*",
        "List*",
        "Describe*",
        "BatchGet*",
        "Search*",
        "Query",
        "Scan",
        "View*",
    ];
    let mut actions = Vec::new();
    for s in 0..400 {
        for v in verbs {
            actions.push(format!("\"svc{s:03}:{v}\""));
        }
    }
    let n = actions.len();
    (
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
            actions.join(",")
        ),
        n,
    )
}

fn set_of(text: &str) -> PolicySet {
    PolicySet {
        identity: vec![Arc::new(
            Policy::parse_str(text, PolicyKind::Identity).unwrap(),
        )],
        ..PolicySet::default()
    }
}

fn abac_context() -> Context {
    let mut ctx = Context::closed();
    ctx.set("aws:PrincipalTag/team", CtxValue::single("red"));
    ctx.set("aws:PrincipalTag/project", CtxValue::single("apollo"));
    ctx.set("aws:ResourceTag/team", CtxValue::single("red"));
    ctx.set("aws:ResourceTag/project", CtxValue::single("apollo-7"));
    ctx.set("aws:SecureTransport", CtxValue::single("true"));
    ctx.set("aws:SourceIp", CtxValue::single("10.1.2.3"));
    ctx.set("aws:RequestedRegion", CtxValue::single("eu-west-1"));
    ctx
}

fn single(c: &mut Criterion) {
    let principal =
        "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/alice";
    let mut g = c.benchmark_group("eval/single");
    g.throughput(Throughput::Elements(1));

    let admin = set_of(ADMIN);
    let req = Request::new(principal, "s3:GetObject", "arn:aws:s3:::bucket/key", None).unwrap();
    let ctx = Context::closed();
    assert_eq!(evaluate(&req, &ctx, &admin).decision(), Decision::Allow);
    g.bench_function("admin", |b| {
        b.iter(|| evaluate(black_box(&req), black_box(&ctx), black_box(&admin)))
    });

    let abac = set_of(&abac_policy());
    let actx = abac_context();
    // The last service's statements, so every earlier statement is tried.
    let req = Request::new(
        principal,
        "ssm:GetParameter",
        "arn:aws:ssm:eu-west-1:111122223333:parameter/x",
        None,
    )
    .unwrap();
    assert_eq!(evaluate(&req, &actx, &abac).decision(), Decision::Allow);
    g.bench_function("abac-50-statements", |b| {
        b.iter(|| evaluate(black_box(&req), black_box(&actx), black_box(&abac)))
    });
    let deny = Request::new(
        principal,
        "ssm:DeleteParameter",
        "arn:aws:ssm:eu-west-1:111122223333:parameter/x",
        None,
    )
    .unwrap();
    let mut other_team = actx.clone();
    other_team.set("aws:ResourceTag/team", CtxValue::single("blue"));
    assert_eq!(
        evaluate(&deny, &other_team, &abac).decision(),
        Decision::ExplicitDeny
    );
    g.bench_function("abac-50-statements-deny", |b| {
        b.iter(|| evaluate(black_box(&deny), black_box(&other_team), black_box(&abac)))
    });

    let (ro_text, n) = read_only_policy();
    assert!(n >= 3000);
    let ro = set_of(&ro_text);
    let req = Request::new(
        principal,
        "svc399:DescribeThing",
        "arn:aws:svc399:us-east-1:111122223333:thing/x",
        None,
    )
    .unwrap();
    assert_eq!(evaluate(&req, &ctx, &ro).decision(), Decision::Allow);
    g.bench_function("read-only-3200-actions", |b| {
        b.iter(|| evaluate(black_box(&req), black_box(&ctx), black_box(&ro)))
    });
    let miss = Request::new(
        principal,
        "svc399:DeleteThing",
        "arn:aws:svc399:us-east-1:111122223333:thing/x",
        None,
    )
    .unwrap();
    assert_eq!(
        evaluate(&miss, &ctx, &ro).decision(),
        Decision::ImplicitDeny
    );
    g.bench_function("read-only-3200-actions-miss", |b| {
        b.iter(|| evaluate(black_box(&miss), black_box(&ctx), black_box(&ro)))
    });
    g.finish();
}

/// The corpus repeated to 20,000 cases, as one JSON array
pub fn corpus_20k() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cases");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut cases: Vec<serde_json::Value> = Vec::new();
    for f in files {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        match v {
            serde_json::Value::Array(a) => cases.extend(a),
            other => cases.push(other),
        }
    }
    let mut out = String::from("[");
    for i in 0..20_000 {
        if i > 0 {
            out.push(',');
        }
        write!(out, "{}", cases[i % cases.len()]).unwrap();
    }
    out.push(']');
    out
}

fn corpus(c: &mut Criterion) {
    let text = corpus_20k();
    let mut g = c.benchmark_group("eval/corpus");
    g.throughput(Throughput::Elements(20_000));
    g.sample_size(10);
    let run = |text: &str| {
        let results = accessgraph::case::map_cases(text, "bench", |c| {
            accessgraph::report::simulate::CaseResult {
                eval: c.evaluate(),
                description: c.description,
                expect: c.expect,
                explanation: None,
            }
        })
        .unwrap();
        let mut sink = Vec::with_capacity(4 << 20);
        accessgraph::report::simulate::render_json(&mut sink, &results).unwrap();
        sink.len()
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    g.bench_function("20k-cases-1-thread", |b| {
        b.iter(|| one.install(|| run(black_box(&text))))
    });
    g.bench_function("20k-cases-all-threads", |b| {
        b.iter(|| run(black_box(&text)))
    });
    g.finish();
}

/// `validate` over every bundled AWS managed policy (1,594 documents, about
/// 3 MB), one thread
fn validate_managed(c: &mut Criterion) {
    let m = accessgraph::data::managed_policies();
    let docs: Vec<&accessgraph::json::JsonValue> =
        m.policies.values().map(|p| &p.document).collect();
    let mut g = c.benchmark_group("validate");
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.sample_size(10);
    g.bench_function("every-aws-managed-policy", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| {
                    accessgraph::validate::validate(d, accessgraph::validate::PolicyType::Identity)
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, single, corpus, validate_managed);
criterion_main!(benches);
