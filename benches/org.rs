//! Criterion benchmarks of the organization queries on a deterministic
//! synthetic organization (1,000 accounts, 50,000 users, 5,000 groups, 500
//! permission sets): snapshot load, who-can (factorized, and the naive way
//! for the ratio), what-can for one user.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench harness"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

use accessgraph::eval::request::Request;
use accessgraph::eval::{evaluate, Answer, Decision};
use accessgraph::graph::Model;
use accessgraph::snapshot::Snapshot;
use accessgraph::synth::{generate, Params};
use accessgraph::who::{principal_context, what_can, who_can, Subject, WhatCanQuery, WhoCanQuery};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn params() -> Params {
    // ACCESSGRAPH_BENCH_SMALL=1 for a quick run (e.g. `cargo test --benches`).
    if std::env::var_os("ACCESSGRAPH_BENCH_SMALL").is_some() {
        Params {
            accounts: 50,
            users: 1000,
            groups: 100,
            permission_sets: 40,
            seed: 1,
            hubs: 0,
        }
    } else {
        Params {
            accounts: 1000,
            users: 50_000,
            groups: 5000,
            permission_sets: 500,
            seed: 1,
            hubs: 0,
        }
    }
}

/// Every user's every access path evaluated on its own: what the
/// factorized who-can avoids
fn naive_who_can(model: &Model, action: &str) -> usize {
    use rayon::prelude::*;
    (0..model.snapshot.users.len())
        .into_par_iter()
        .map(|u| {
            if !model.user_enabled(u) {
                return 0;
            }
            let mut n = 0;
            for a in &model.access[u] {
                let account = &model.accounts()[a.account];
                let role = model.provisioned_role(a.permission_set, a.account);
                let set = model.policy_set(a.permission_set, a.account);
                let ctx = principal_context(model, u, a.account, &role);
                let req = Request::on_any_resource(
                    &role.session_arn(&account.id, &model.snapshot.users[u].user_name),
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
    g.bench_function("load-snapshot", |b| {
        b.iter(|| Model::build(Snapshot::from_json(black_box(&text)).unwrap()).unwrap())
    });
    let model = Model::build(Snapshot::from_json(&text).unwrap()).unwrap();
    let q = WhoCanQuery {
        actions: vec!["s3:ListBucket".into()],
        ..WhoCanQuery::default()
    };
    let answer = who_can(&model, &q);
    let naive = naive_who_can(&model, "s3:ListBucket");
    // Same population: every (user, path) the naive way finds is a row.
    assert_eq!(
        answer.hits.len(),
        naive,
        "factorized and naive who-can disagree"
    );
    g.bench_function("who-can-s3-ListBucket", |b| {
        b.iter(|| who_can(black_box(&model), black_box(&q)).len())
    });
    g.bench_function("who-can-s3-ListBucket-naive", |b| {
        b.iter(|| naive_who_can(black_box(&model), "s3:ListBucket"))
    });
    let user = model.find_user("user000042@example.com").unwrap();
    let wq = WhatCanQuery {
        subject: Subject::User(user),
        accounts: None,
        service: None,
        access_level: None,
        context: Vec::new(),
        max_hops: 0,
    };
    g.bench_function("what-can-one-user", |b| {
        b.iter(|| what_can(black_box(&model), black_box(&wq)).len())
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
        b.len() > a.len() && b.hits.iter().any(|h| h.chain != accessgraph::who::NO_CHAIN),
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
