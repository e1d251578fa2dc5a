//! Runs the binary as users and outside checks do: `simulate --case` over the
//! corpus, exit codes, JSON lines, and located errors with exit code 2.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_accessgraph"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).current_dir(root()).output().unwrap()
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accessgraph-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn corpus_through_the_binary_agrees_with_every_expect() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut total = 0;
    for f in &files {
        let out = run(&[
            "simulate",
            "--case",
            f.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let mut n = 0;
        for line in stdout.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["matches_expect"], true, "{}: {line}", f.display());
            assert_eq!(v["decision"], v["expected"], "{}: {line}", f.display());
            n += 1;
        }
        assert!(n > 0, "{} printed nothing", f.display());
        assert_eq!(out.status.code(), Some(0), "{}", f.display());
        total += n;
    }
    assert!(total >= 250);
}

const ALLOW_CASE: &str = r#"{"description": "allowed", "request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
  "identity_policies": [{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}]}"#;

#[test]
fn single_case_without_expect_exits_0_on_allow_and_1_on_deny() {
    let allow = temp_file("allow.json", ALLOW_CASE);
    let out = run(&[
        "simulate",
        "--case",
        allow.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"description\":\"allowed\",\"decision\":\"Allow\",\"expected\":null,\"matches_expect\":null,\"deciding\":[{\"kind\":\"identity\",\"policy\":0,\"statement\":0,\"sid\":\"Read\",\"effect\":\"Allow\"}]}\n"
    );
    let deny = temp_file(
        "deny.json",
        &ALLOW_CASE.replace("s3:GetObject", "s3:PutObject"),
    );
    let out = run(&[
        "simulate",
        "--case",
        deny.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"description\":\"allowed\",\"decision\":\"ImplicitDeny\",\"expected\":null,\"matches_expect\":null,\"deciding\":[],\"reason\":\"no identity-based policy allows the action\"}\n"
    );
}

#[test]
fn a_missed_expectation_exits_1() {
    let f = temp_file(
        "miss.json",
        &ALLOW_CASE.replace(
            "\"identity_policies\"",
            "\"expect\": \"ExplicitDeny\", \"identity_policies\"",
        ),
    );
    let out = run(&["simulate", "--case", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("MISMATCH"), "{stdout}");
    assert!(stdout.ends_with("0 passed, 1 failed\n"), "{stdout}");
}

fn error_of(name: &str, text: &str) -> String {
    let f = temp_file(name, text);
    let out = run(&[
        "simulate",
        "--case",
        f.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{name}");
    assert!(
        out.stdout.is_empty(),
        "{name}: nothing is evaluated on bad input"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    err.replace(f.to_str().unwrap(), "FILE")
}

#[test]
fn bad_input_exits_2_with_a_located_message() {
    assert_eq!(
        error_of("op.json", &ALLOW_CASE.replace("\"Resource\": \"*\"", "\"Resource\": \"*\", \"Condition\": {\"StringEqualsX\": {\"a\": \"b\"}}")),
        "error: FILE: case 0 (`allowed`): identity_policies[0]: statement 0 (Sid `Read`) at `/identity_policies/0/Statement/0/Condition/StringEqualsX`: unknown condition operator `StringEqualsX`\n"
    );
    assert_eq!(
        error_of("json.json", "[{\"description\": \"x\",}]"),
        "error: FILE: invalid case file at `[0]`: trailing comma at line 1 column 22\n"
    );
    let missing = Path::new("/nonexistent/case.json");
    let out = run(&["simulate", "--case", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: failed to read case file /nonexistent/case.json: No such file or directory (os error 2)\n"
    );
}

#[test]
fn explain_names_the_failing_element() {
    let deny = temp_file(
        "explain.json",
        &ALLOW_CASE.replace("s3:GetObject", "s3:PutObject"),
    );
    let out = run(&["simulate", "--case", deny.to_str().unwrap(), "--explain"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            "statement 0 (Read) Allow: no match: action `s3:PutObject` is not in Action [s3:Get*]"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("ImplicitDeny: no identity-based policy allows the action"),
        "{stdout}"
    );
}

#[test]
fn each_command_declares_the_formats_it_prints_to_help() {
    // (command, the formats it prints): `--help` lists exactly these.
    let expected: &[(&[&str], &[&str])] = &[
        (&["simulate"], &["table", "json"]),
        (&["who-can"], &["table", "json", "csv"]),
        (&["what-can"], &["table", "json", "csv"]),
        (&["managed-policies"], &["table", "json", "csv"]),
        (&["portal"], &["table", "json", "csv"]),
        (&["profiles"], &["table", "json"]),
        (&["admins"], &["table", "json"]),
        (&["lint"], &["table", "json", "csv"]),
        (&["graph"], &["dot"]),
        (
            &["report", "assignments"],
            &["table", "csv", "json", "markdown", "html"],
        ),
        (&["check"], &["table", "json", "markdown", "sarif"]),
        (&["diff"], &["table", "json", "markdown"]),
    ];
    let all = ["table", "json", "csv", "dot", "markdown", "html", "sarif"];
    for (cmd, formats) in expected {
        let mut args = cmd.to_vec();
        args.push("--help");
        let out = run(&args);
        assert!(out.status.success(), "{cmd:?} --help");
        let help = String::from_utf8(out.stdout).unwrap();
        let section = help
            .split("--format <FORMAT>")
            .nth(1)
            .unwrap_or_else(|| panic!("{cmd:?}: no --format in\n{help}"));
        let section: String = section
            .lines()
            .take_while(|l| {
                let l = l.trim_start();
                !l.starts_with('-') || l.starts_with("- ")
            })
            .collect::<Vec<_>>()
            .join("\n");
        for f in all {
            let listed = section.contains(&format!("- {f}:"));
            assert_eq!(
                listed,
                formats.contains(&f),
                "{cmd:?}: `{f}` listed {listed}:\n{section}"
            );
        }
    }
    // Commands that print no output take no --format.
    let out = run(&["import", "x", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
}
