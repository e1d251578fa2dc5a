//! Criterion benchmarks of the organization queries on deterministic
//! synthetic organizations: 1,000 accounts / 50,000 users / 5,000 groups /
//! 500 permission sets always, and with `ACCESSGRAPH_BENCH_LARGE=1` also
//! 5,000 accounts / 200,000 users / 20,000 groups / 2,000 permission sets.
//! On each: snapshot load, who-can for one account, who-can for all with
//! every row streamed as CSV to a sink, what-can for one user, and `check`
//! with one changed permission set; on the first also the naive who-can
//! (every user's every path evaluated on its own) for the ratio, and the
//! hub organization with and without role chains.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench harness"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

use accessgraph::check::guardrails::{Guardrails, DEFAULT_RULES};
use accessgraph::check::{check, CheckOptions};
use accessgraph::eval::request::Request;
use accessgraph::eval::{evaluate, Answer, Decision};
use accessgraph::graph::Model;
use accessgraph::snapshot::Snapshot;
use accessgraph::synth::{generate, Params};
use accessgraph::who::{principal_context, what_can, who_can, Subject, WhatCanQuery, WhoCanQuery};

mod common;
use common::{params, small};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The 200,000-user organization, scaled down like [`params`] for a quick run
fn large_params() -> Params {
    if small() {
        Params {
            accounts: 100,
            users: 4000,
            groups: 400,
            permission_sets: 80,
            seed: 7,
            hubs: 0,
        }
    } else {
        Params {
            accounts: 5000,
            users: 200_000,
            groups: 20_000,
            permission_sets: 2000,
            seed: 7,
            hubs: 0,
        }
    }
}

/// The snapshot with one permission set's inline policy changed (as a pull
/// request changing one set would): `s3:PutObject` added
fn one_set_changed(snapshot: &Snapshot) -> Snapshot {
    let mut head = snapshot.clone();
    let ps = head
        .permission_sets
        .iter_mut()
        .find(|p| p.inline_policy.is_some())
        .expect("a permission set with an inline policy");
    let doc = accessgraph::json::JsonValue::parse(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    ps.inline_policy = Some(doc);
    head
}

/// Load, who-can for one account, who-can for all streamed to a sink,
/// what-can for one user, check with one changed set: on one organization
fn standard(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    text: &str,
) {
    g.bench_function(format!("{name}/load-snapshot"), |b| {
        b.iter(|| Model::build(Snapshot::from_json(black_box(text)).unwrap()).unwrap())
    });
    let model = Model::build(Snapshot::from_json(text).unwrap()).unwrap();
    let account = accessgraph::graph::AccountIx::new(model.accounts().len() / 2);
    let one = WhoCanQuery {
        actions: vec!["s3:ListBucket".into()],
        accounts: Some([account].into()),
        ..WhoCanQuery::default()
    };
    assert!(!who_can(&model, &one).is_empty(), "one account has answers");
    g.bench_function(format!("{name}/who-can-one-account"), |b| {
        b.iter(|| who_can(black_box(&model), black_box(&one)).len())
    });
    let all = WhoCanQuery {
        actions: vec!["s3:ListBucket".into()],
        ..WhoCanQuery::default()
    };
    g.bench_function(format!("{name}/who-can-all-csv-to-sink"), |b| {
        b.iter(|| {
            let answer = who_can(black_box(&model), black_box(&all));
            answer.write_csv(&model, std::io::sink()).unwrap();
            answer.len()
        })
    });
    // The same user on every organization (and in every earlier run).
    let user = model.find_user("user000042@example.com").unwrap();
    assert!(model.has_access(user), "user000042 has assignments");
    let wq = WhatCanQuery {
        subject: Subject::User(user),
        accounts: None,
        service: None,
        access_level: None,
        context: Vec::new(),
        max_hops: 0,
    };
    g.bench_function(format!("{name}/what-can-one-user"), |b| {
        b.iter(|| what_can(black_box(&model), black_box(&wq)).len())
    });
    let head = Model::build(one_set_changed(model.snapshot())).unwrap();
    let rules = Guardrails::load(&[("default.cedar".into(), DEFAULT_RULES.into())]).unwrap();
    let report = check(&model, &head, &rules, &CheckOptions::default()).unwrap();
    assert!(!report.diff.is_empty(), "the changed set shows in the diff");
    g.bench_function(format!("{name}/check-one-set-changed"), |b| {
        b.iter(|| {
            check(
                black_box(&model),
                black_box(&head),
                &rules,
                &CheckOptions::default(),
            )
            .unwrap()
            .diff
            .len()
        })
    });
}

/// Every user's every access path evaluated on its own: what the
/// factorized who-can avoids
fn naive_who_can(model: &Model, action: &str) -> usize {
    use rayon::prelude::*;
    model
        .user_ids()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|u| {
            if !model.user_enabled(u) {
                return 0;
            }
            let mut n = 0;
            for a in &model.access(u) {
                let account = &model.accounts()[a.account];
                let role = model.provisioned_role(a.permission_set, a.account);
                let set = model.policy_set(a.permission_set, a.account);
                let ctx = principal_context(model, u, a.account, &role);
                let req = Request::on_any_resource(
                    &role.session_arn(&account.id, &model.snapshot().users[u].user_name),
                    action,
                    &account.id,
                )
                .unwrap();
                if matches!(
                    evaluate(&req, &ctx, &set).answer,
                    Answer::Decided(Decision::Allow) | Answer::Conditional(_)
                ) {
                    n += 1;
                }
            }
            n
        })
        .sum()
}

fn org(c: &mut Criterion) {
    let p = params();
    let text = generate(p).to_json();
    let mut g = c.benchmark_group("org");
    g.sample_size(10);
    standard(&mut g, "50k", &text);
    if std::env::var_os("ACCESSGRAPH_BENCH_LARGE").is_some() {
        let large = generate(large_params()).to_json();
        standard(&mut g, "200k", &large);
    }
    let model = Model::build(Snapshot::from_json(&text).unwrap()).unwrap();
    let q = WhoCanQuery {
        actions: vec!["s3:ListBucket".into()],
        ..WhoCanQuery::default()
    };
    let answer = who_can(&model, &q);
    let naive = naive_who_can(&model, "s3:ListBucket");
    // Same population: every (user, path) the naive way finds is a row.
    assert_eq!(
        answer.hit_count(),
        naive,
        "factorized and naive who-can disagree"
    );
    g.bench_function("who-can-s3-ListBucket", |b| {
        b.iter(|| who_can(black_box(&model), black_box(&q)).len())
    });
    g.bench_function("who-can-s3-ListBucket-naive", |b| {
        b.iter(|| naive_who_can(black_box(&model), "s3:ListBucket"))
    });
    drop(model);

    // The same organization with two hub accounts: every member account
    // has a deploy role trusting its hub's HubDeploy sessions of the
    // account's team and the hub's CI role. Chained against unchained on
    // this one organization, in one run.
    let hubs = Model::build(generate(Params { hubs: 2, ..p })).unwrap();
    let direct = WhoCanQuery {
        actions: vec!["s3:ListBucket".into()],
        ..WhoCanQuery::default()
    };
    let chained = WhoCanQuery {
        max_hops: accessgraph::who::chain::DEFAULT_MAX_HOPS,
        ..direct.clone()
    };
    let (a, b) = (who_can(&hubs, &direct), who_can(&hubs, &chained));
    assert!(
        b.len() > a.len() && b.hits(&hubs).any(|h| h.chain != accessgraph::who::NO_CHAIN),
        "the hub organization has chained access ({} rows, {} without chains)",
        b.len(),
        a.len()
    );
    g.bench_function("who-can-s3-ListBucket-hubs-no-chains", |bch| {
        bch.iter(|| who_can(black_box(&hubs), black_box(&direct)).len())
    });
    g.bench_function("who-can-s3-ListBucket-hubs-chains", |bch| {
        bch.iter(|| who_can(black_box(&hubs), black_box(&chained)).len())
    });
    g.finish();
}

criterion_group!(benches, org);
criterion_main!(benches);
