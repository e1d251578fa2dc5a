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

/// (line, severity, code) of every finding of one file, from the JSON output
fn validated(
    file: &str,
    extra: &[&str],
) -> (Option<i32>, Vec<(u64, String, String)>, serde_json::Value) {
    let mut args = vec!["validate", file, "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (out.status.code(), f, v)
}

fn lsc(line: u64, sev: &str, code: &str) -> (u64, String, String) {
    (line, sev.to_owned(), code.to_owned())
}

#[test]
fn validate_reports_every_problem_located_and_exits_by_severity() {
    let (code, f, v) = validated("fixtures/validate/clean-identity.json", &[]);
    assert_eq!(code, Some(0));
    assert!(f.is_empty(), "{f:?}");
    assert_eq!(v[0]["type"], "identity");
    assert_eq!(v[0]["type_guessed"], true);

    let (code, f, _) = validated("fixtures/validate/broken-identity.json", &[]);
    assert_eq!(code, Some(1), "errors fail by default");
    assert_eq!(
        f,
        [
            lsc(7, "error", "unknown-action"),
            lsc(9, "warning", "operator-type-mismatch"),
            lsc(11, "error", "invalid-effect"),
            lsc(11, "error", "duplicate-sid"),
            lsc(12, "security-warning", "pass-role-on-all-resources"),
        ]
    );

    // A security warning fails only with --fail-on security-warning or below.
    let (code, f, v) = validated("fixtures/validate/public-bucket.json", &[]);
    assert_eq!(
        v[0]["type"], "resource",
        "Principal present: a resource policy"
    );
    assert_eq!(
        f,
        [
            lsc(4, "security-warning", "public-principal"),
            lsc(5, "error", "missing-principal")
        ]
    );
    assert_eq!(code, Some(1));
    let (code, _, _) = validated("fixtures/validate/sso-trust.json", &[]);
    assert_eq!(code, Some(0), "a warning does not fail by default");
    let (code, f, v) = validated(
        "fixtures/validate/sso-trust.json",
        &["--fail-on", "warning"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(v[0]["type"], "trust");
    assert_eq!(f, [lsc(6, "warning", "trust-names-sso-role-arn")]);
    assert!(v[0]["findings"][0]["fix"]
        .as_str()
        .unwrap()
        .contains("ArnLike aws:PrincipalArn \"arn:aws:iam::210000000101:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_PlatformEngineer_*\""));

    // --type overrides the shape: an identity document read as an SCP.
    let (_, _, v) = validated("fixtures/validate/clean-identity.json", &["--type", "scp"]);
    assert_eq!(v[0]["type"], "scp");
    assert_eq!(v[0]["type_guessed"], false);
}

#[test]
fn validate_bad_input_exits_2_with_its_place() {
    let empty = temp_file("empty.json", "  \n");
    let out = run(&["validate", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty file"));
    let broken = temp_file(
        "broken.json",
        "{\"Version\": \"2012-10-17\",\n \"Statement\": [}\n",
    );
    let out = run(&["validate", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.json: not JSON") && err.contains("line 2"),
        "{err}"
    );
    let out = run(&["validate", "fixtures/validate/none.json"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["validate", "--explain", "no-such-check"]);
    assert_eq!(out.status.code(), Some(2));
    // A 10 MB document is larger than any policy AWS stores: exit 2 with
    // its size, before parsing.
    let big = temp_file(
        "big.json",
        &format!("{{\"Statement\": \"{}\"}}", "x".repeat(10_000_000)),
    );
    let out = run(&["validate", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("big.json: 10000017 bytes: larger than any policy AWS stores"),
        "{err}"
    );
}

#[test]
fn validate_explains_each_check_and_writes_sarif_and_markdown() {
    let out = run(&["validate", "--explain", "public-principal"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("public-principal (security-warning)"),
        "{text}"
    );
    assert!(text.contains("IAM Access Analyzer: Allow with public principal"));
    let out = run(&[
        "validate",
        "fixtures/validate/broken-identity.json",
        "--format",
        "sarif",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("data/sarif-2.1.0-rtm.5.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let i = results[0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[i]["id"], results[0]["ruleId"]);
    let out = run(&[
        "validate",
        "fixtures/validate/broken-identity.json",
        "--format",
        "markdown",
    ]);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("| 7:18 | error | `unknown-action` | 0 (Read) |"),
        "{md}"
    );
}

#[test]
fn the_validate_doc_lists_every_check() {
    let doc = std::fs::read_to_string(root().join("docs/validate.md")).unwrap();
    for c in accessgraph::validate::CHECKS {
        assert!(
            doc.contains(&format!("| `{}` |", c.code)),
            "docs/validate.md lacks {}",
            c.code
        );
    }
    assert!(doc.contains(&format!("{} checks", accessgraph::validate::CHECKS.len())));
}
