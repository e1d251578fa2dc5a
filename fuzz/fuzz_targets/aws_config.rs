//! Fuzzes the `~/.aws/config` reader behind `profiles check`: any text must
//! be read (botocore's rules: `=` and `:`, continuation lines, comments,
//! repeated sections) and every profile checked, never a panic.

#![no_main]

use accessgraph::graph::Model;
use accessgraph::query::{check_profiles, parse_ini};
use accessgraph::snapshot::Snapshot;
use libfuzzer_sys::fuzz_target;

const BASE: &str = include_str!("../../fixtures/changes/terraform/base.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_ini(text);
    let model = Model::build(Snapshot::from_json(BASE).expect("the fixture reads"))
        .expect("the fixture builds");
    for user in model.user_ids() {
        let _ = check_profiles(&model, user, text);
    }
});
