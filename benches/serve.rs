//! Criterion benchmarks of `accessgraph serve`'s API answers on the
//! deterministic 50,000-user organization (1,000 accounts, 5,000 groups,
//! 500 permission sets; `ACCESSGRAPH_BENCH_SMALL=1` for a small one): a
//! who-can question answered cold (evaluated, its rows listed, the first
//! page written), a later page of the kept answer sorted and filtered,
//! and a user's portal. The HTTP side is measured with `wrk` against
//! loopback (README, "serve").

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench harness"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

use accessgraph::graph::Model;
use accessgraph::serve::api::{who_can_query, Computed, Params};
use accessgraph::serve::Loaded;
use accessgraph::synth::generate;

mod common;
use common::params as org;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let model = Model::build(generate(org())).unwrap();
    let users = model.snapshot().users.len();
    let user = model.snapshot().users[users / 2].user_name.clone();
    let loaded = Loaded::new(model, "generated".into(), 1, None);
    let question = [("action", "s3:ListBucket")];
    let mut g = c.benchmark_group(format!("serve/{users}-users"));
    g.sample_size(10);
    g.bench_function(
        "who-can s3:ListBucket, cold: evaluate, list rows, first page",
        |b| {
            // What a request the server has not seen does: the question
            // read, the answer evaluated and listed, its first page written.
            let p = Params::of(&question);
            b.iter(|| {
                let q = who_can_query(loaded.model(), &p).unwrap();
                let computed = Computed::new(loaded.model(), &q);
                black_box(computed.page(loaded.model(), &p).unwrap())
            });
        },
    );
    let warm = Params::of(&[
        ("action", "s3:ListBucket"),
        ("offset", "1000"),
        ("limit", "50"),
    ]);
    loaded.api("/api/who-can", &warm).unwrap();
    g.bench_function("who-can s3:ListBucket, kept: page 21", |b| {
        b.iter(|| black_box(loaded.api("/api/who-can", &warm).unwrap()));
    });
    let sorted = Params::of(&[
        ("action", "s3:ListBucket"),
        ("sort", "account"),
        ("filter", "prod"),
    ]);
    loaded.api("/api/who-can", &sorted).unwrap();
    g.bench_function(
        "who-can s3:ListBucket, kept: sorted and filtered page",
        |b| {
            b.iter(|| black_box(loaded.api("/api/who-can", &sorted).unwrap()));
        },
    );
    let portal = format!("/api/users/{user}/portal");
    g.bench_function("portal of one user", |b| {
        b.iter(|| black_box(loaded.api(&portal, &Params::default()).unwrap()));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
