//! Fuzzes the Terraform plan reader: any JSON must give a proposed state
//! or an error naming the place, never a panic; a proposed state must build
//! a model or fail with an error, and `check` must compare it to the base.

#![no_main]

use accessgraph::check::guardrails::{Guardrails, DEFAULT_RULES};
use accessgraph::check::proposed::apply_terraform_plan;
use accessgraph::check::{check, CheckOptions};
use accessgraph::graph::Model;
use accessgraph::snapshot::Snapshot;
use libfuzzer_sys::fuzz_target;

const BASE: &str = include_str!("../../fixtures/changes/terraform/base.json");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(plan) = serde_json::from_str::<serde_json::Value>(text) else { return };
    let base = Snapshot::from_json(BASE).expect("the fixture reads");
    let Ok(head) = apply_terraform_plan(&base, &plan, "fuzz.json") else { return };
    let Ok(head) = Model::build(head) else { return };
    let base = Model::build(base).expect("the fixture builds");
    let rules = Guardrails::load(&[("default.cedar".into(), DEFAULT_RULES.into())]).expect("the default rules compile");
    let _ = check(&base, &head, &rules, &CheckOptions::default());
});
