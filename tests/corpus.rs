//! Runs every case of `fixtures/cases/` through the library and checks its
//! decision against `expect`. A failure names the file, the case and the
//! description.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::path::PathBuf;

use accessgraph::case::parse_cases;

fn case_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_case_matches_its_expectation() {
    let mut total = 0;
    let mut failures = Vec::new();
    for f in case_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        let cases = parse_cases(&text, &f.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
        for (i, c) in cases.iter().enumerate() {
            total += 1;
            let expect = c
                .expect
                .unwrap_or_else(|| panic!("{}: case {i} has no expect", f.display()));
            let got = c.evaluate().decision();
            if got != expect {
                failures.push(format!(
                    "{} case {i} `{}`: expected {expect}, got {got}",
                    f.display(),
                    c.description
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The corpus is the evaluator's specification: it must not shrink by accident.
    assert!(total >= 250, "only {total} cases");
}

#[test]
fn descriptions_are_unique_within_each_file() {
    for f in case_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        let cases = parse_cases(&text, "x").unwrap();
        let mut seen = std::collections::HashSet::new();
        for c in &cases {
            assert!(
                seen.insert(c.description.clone()),
                "{}: duplicate description `{}`",
                f.display(),
                c.description
            );
        }
    }
}
