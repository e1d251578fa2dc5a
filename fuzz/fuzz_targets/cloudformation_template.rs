//! Fuzzes the CloudFormation template reader (JSON and YAML): any text must
//! give a proposed state or an error naming the place, never a panic; a
//! proposed state must build a model or fail with an error.

#![no_main]

use accessgraph::check::proposed::{apply_cloudformation, read_template};
use accessgraph::graph::Model;
use accessgraph::snapshot::Snapshot;
use libfuzzer_sys::fuzz_target;

const BASE: &str = include_str!("../../fixtures/changes/terraform/base.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(template) = read_template(text, "fuzz.yaml") else { return };
    let base = Snapshot::from_json(BASE).expect("the fixture reads");
    let Ok(head) = apply_cloudformation(&base, &template, "fuzz.yaml") else { return };
    let _ = Model::build(head);
});
