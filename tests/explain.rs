//! Snapshot tests (insta) of explanations: for a few cases of each kind of
//! deny and allow, the words `simulate --explain` prints.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use accessgraph::case::parse_cases;
use accessgraph::eval::explain::explain;

fn explained(file: &str, indices: &[usize]) -> String {
    let path = format!("{}/fixtures/cases/{file}", env!("CARGO_MANIFEST_DIR"));
    let cases = parse_cases(&std::fs::read_to_string(path).unwrap(), file).unwrap();
    let mut out = String::new();
    for &i in indices {
        let c = &cases[i];
        let e = c.evaluate();
        out.push_str(&format!("## {file} case {i}: {}\n", c.description));
        for l in explain(&c.request, &c.context, &c.policies, &e) {
            out.push_str(&"  ".repeat(l.depth));
            out.push_str(&l.text);
            out.push('\n');
        }
    }
    out
}

#[test]
fn explanations_of_scps() {
    insta::assert_snapshot!(explained("scps.json", &[0, 1, 2, 3]));
}

#[test]
fn explanations_of_resource_policies() {
    insta::assert_snapshot!(explained("resource-policies-same-account.json", &[0, 1, 2]));
    insta::assert_snapshot!(explained("resource-policies-cross-account.json", &[0, 1]));
}

#[test]
fn explanations_of_conditions() {
    insta::assert_snapshot!(explained("conditions-string.json", &[0, 1, 2]));
    insta::assert_snapshot!(explained("principals.json", &[0, 1]));
}
