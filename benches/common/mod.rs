//! What the organization benches share: the generated 50,000-user
//! organization the README's figures are measured on.

use accessgraph::synth::Params;

/// `ACCESSGRAPH_BENCH_SMALL=1` for a quick run (e.g. `cargo test --benches`)
pub fn small() -> bool {
    std::env::var_os("ACCESSGRAPH_BENCH_SMALL").is_some()
}

/// 1,000 accounts, 50,000 users, 5,000 groups, 500 permission sets, seed 1
/// (50 / 1,000 / 100 / 40 with [`small`])
pub fn params() -> Params {
    if small() {
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
