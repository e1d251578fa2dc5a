//! `accessgraph check` and `diff` on the fixture pull requests under
//! `fixtures/changes/` (base: `fixtures/acme/snapshot.json`): exact findings
//! and exit codes in every format, custom Cedar rules, broken rule files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod common;
use common::*;

fn check(change: &str, extra: &[&str]) -> (i32, String, String) {
    let head = format!("fixtures/changes/{change}/head.json");
    let mut args = vec![
        "check",
        "--base",
        "fixtures/acme/snapshot.json",
        "--head",
        head.as_str(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// (severity, code, subject) of every finding, from the JSON output
fn findings(json: &str) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn f(sev: &str, code: &str, subject: &str) -> (String, String, String) {
    (sev.to_owned(), code.to_owned(), subject.to_owned())
}

/// Validates a SARIF log against the SARIF 2.1.0 JSON schema (bundled in
/// `data/`, from the MIT npm package @microsoft/jest-sarif), then checks
/// the parts code scanning reads: version, one run with a named driver and
/// its rules, results with a known rule, a level, a message and a location
fn assert_sarif(text: &str, expected_results: usize) {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("data/sarif-2.1.0-rtm.5.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:?}");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "accessgraph");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), expected_results);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], id, "ruleIndex points at ruleId");
        assert!(["none", "note", "warning", "error"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        assert!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("fixtures/changes/")
        );
    }
}

#[test]
fn admin_for_a_dev_group_on_prod_blocks() {
    let subject = "group:acme-developers -> AdministratorAccess in acme-prod (210000000101)";
    let (code, json, stderr) = check("admin-for-dev-on-prod", &["--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        findings(&json),
        [
            f("high", "admin-equivalent-granted", subject),
            f("high", "no-admin-on-prod", subject),
            f(
                "medium",
                "disabled-user-with-assignments",
                "user `wei.chen@acme.example`"
            ),
            f("low", "access-gained", subject),
        ]
    );
    let (code, md, _) = check("admin-for-dev-on-prod", &["--format", "markdown"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("admin_for_dev_on_prod_markdown", md);
    let (code, sarif, _) = check("admin-for-dev-on-prod", &["--format", "sarif"]);
    assert_eq!(code, 1);
    assert_sarif(&sarif, 4);
    let (code, table, _) = check("admin-for-dev-on-prod", &[]);
    assert_eq!(code, 1);
    assert!(
        table.starts_with("BLOCKED: 2 finding(s) at high or above"),
        "{table}"
    );
}

#[test]
fn a_12_hour_session_is_medium() {
    let (code, json, _) = check("session-12-hours", &["--format", "json"]);
    assert_eq!(
        code, 0,
        "medium does not block at the default --fail-on high"
    );
    let got = findings(&json);
    let guard: Vec<&(String, String, String)> = got
        .iter()
        .filter(|x| x.1 == "session-over-8-hours")
        .collect();
    assert_eq!(
        guard.len(),
        4,
        "one per assignment of PlatformEngineer: {got:?}"
    );
    assert!(guard.iter().all(|x| x.0 == "medium"));
    assert_eq!(got.len(), 5);
    assert_eq!(
        got[4],
        f("low", "long-session", "permission set `PlatformEngineer`")
    );
    let (code, _, _) = check("session-12-hours", &["--fail-on", "medium"]);
    assert_eq!(code, 1);
    let (code, sarif, _) = check("session-12-hours", &["--format", "sarif"]);
    assert_eq!(code, 0);
    assert_sarif(&sarif, 5);
    insta::assert_snapshot!(
        "session_12_hours_markdown",
        check("session-12-hours", &["--format", "markdown"]).1
    );
}

#[test]
fn a_widened_abac_condition_is_found() {
    let (code, json, _) = check("abac-condition-widened", &["--format", "json"]);
    assert_eq!(code, 0);
    let got = findings(&json);
    assert_eq!(
        got,
        [
            f(
                "medium",
                "condition-loosened",
                "group:acme-data-engineers -> DataEngineer in acme-data-prod (210000000102)"
            ),
            f(
                "medium",
                "condition-loosened",
                "group:acme-data-engineers -> DataEngineer in acme-dev (210000000202)"
            ),
            f(
                "medium",
                "condition-loosened",
                "user:carlos.mendes@acme.example -> DataEngineer in acme-data-prod (210000000102)"
            ),
            f(
                "low",
                "assign-groups-not-users",
                "user:carlos.mendes@acme.example -> DataEngineer in acme-data-prod (210000000102)"
            ),
        ]
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let loosened = &v["diff"][0]["conditions_loosened"];
    assert_eq!(loosened.as_array().unwrap().len(), 6);
    assert!(loosened[0][1]
        .as_str()
        .unwrap()
        .contains("aws:ResourceTag/team = \"${aws:PrincipalTag/team}\""));
    assert!(loosened[0][2]
        .as_str()
        .unwrap()
        .starts_with("StringLike(aws:ResourceTag/team, \"*\")"));
    let (code, _, _) = check(
        "abac-condition-widened",
        &["--fail-on", "medium", "--format", "sarif"],
    );
    assert_eq!(code, 1);
}

#[test]
fn a_description_change_is_harmless() {
    for format in ["json", "markdown", "sarif", "table"] {
        let (code, out, stderr) = check("description-only", &["--format", format]);
        assert_eq!(code, 0, "{format}: {stderr}");
        match format {
            "json" => assert_eq!(findings(&out), []),
            "sarif" => assert_sarif(&out, 0),
            "markdown" => assert_eq!(
                out,
                "**accessgraph check**: OK: nothing blocks (0 high, 0 medium, 0 low; 0 assignment(s) change access)\n\n"
            ),
            _ => assert!(out.starts_with("OK: nothing blocks")),
        }
    }
    let (code, json, _) = run(&[
        "diff",
        "--base",
        "fixtures/acme/snapshot.json",
        "--head",
        "fixtures/changes/description-only/head.json",
        "--format",
        "json",
    ]);
    assert_eq!((code, json.trim()), (0, "[]"));
}

#[test]
fn diff_shows_gains_alone() {
    let (code, json, _) = run(&[
        "diff",
        "--base",
        "fixtures/acme/snapshot.json",
        "--head",
        "fixtures/changes/admin-for-dev-on-prod/head.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "something changed");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let e = &v[0];
    assert_eq!(e["change"], "added");
    assert_eq!(e["principal"], "group:acme-developers");
    assert_eq!(e["users_reached"], 11);
    assert_eq!(e["newly_admin_equivalent"], true);
    assert_eq!(
        e["gained"]["iam permissions"], 23,
        "every iam permissions-management action"
    );
    assert!(e["lost"].as_object().unwrap().is_empty());
    assert!(e["escalation_gained"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "iam:PassRole"));
}

#[test]
fn default_guardrails_run_on_both_fixture_organizations() {
    // --all: every assignment of the proposed state, here the state itself.
    let (code, json, stderr) = run(&[
        "check",
        "--base",
        "fixtures/cookbook/snapshot.json",
        "--head",
        "fixtures/cookbook/snapshot.json",
        "--all",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(findings(&json), []);
    let (code, json, _) = run(&[
        "check",
        "--base",
        "fixtures/acme/snapshot.json",
        "--head",
        "fixtures/acme/snapshot.json",
        "--all",
        "--format",
        "json",
    ]);
    assert_eq!(
        code, 1,
        "acme's admins group has AdministratorAccess on prod"
    );
    let got = findings(&json);
    let codes: std::collections::BTreeSet<&str> = got.iter().map(|x| x.1.as_str()).collect();
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        [
            "assign-groups-not-users",
            "no-admin-on-prod",
            "session-over-8-hours"
        ]
    );
    assert!(got.contains(&f(
        "high",
        "no-admin-on-prod",
        "group:acme-admins -> AdministratorAccess in acme-prod (210000000101)"
    )));
    // The break-glass group is exempt.
    assert!(!got
        .iter()
        .any(|x| x.2.starts_with("group:acme-break-glass") && x.1 == "no-admin-on-prod"));
}

#[test]
fn custom_rules_take_effect_and_broken_ones_exit_2() {
    let dir = std::env::temp_dir().join(format!("accessgraph-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("mine.cedar"),
        r#"@id("developers-max-4-hours")
@severity("medium")
@message("developers keep sessions of 4 hours or less")
forbid (principal in AccessGraph::Group::"acme-developers", action == AccessGraph::Action::"assign", resource)
when { context.session_minutes > 240 };

@id("billing-only-in-management")
@severity("high")
@message("Billing only in the management account")
forbid (principal, action == AccessGraph::Action::"assign", resource)
when { context.permission_set == "Billing" && !(resource.hasTag("env") && resource.getTag("env") == "mgmt") };
"#,
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let (code, json, stderr) = run(&[
        "check",
        "--base",
        "fixtures/acme/snapshot.json",
        "--head",
        "fixtures/acme/snapshot.json",
        "--all",
        "--no-default-rules",
        "--policies",
        d,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let got: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["source"] == "guardrail")
        .map(|x| {
            f(
                x["severity"].as_str().unwrap(),
                x["code"].as_str().unwrap(),
                x["subject"].as_str().unwrap(),
            )
        })
        .collect();
    // Only the custom rules ran; Billing is only in the management account.
    assert_eq!(
        got,
        [
            f(
                "medium",
                "developers-max-4-hours",
                "group:acme-developers -> DeveloperAccess in acme-dev (210000000202)"
            ),
            f(
                "medium",
                "developers-max-4-hours",
                "group:acme-developers -> DeveloperAccess in acme-staging (210000000201)"
            ),
            f(
                "medium",
                "developers-max-4-hours",
                "group:acme-developers -> ReadOnlyAccess in acme-prod (210000000101)"
            ),
        ]
    );
    std::fs::write(dir.join("broken.cedar"), "@id(\"x\")\n@severity(\"low\")\n@message(\"m\")\nforbid (principal, action, resource) when { context.  };\n").unwrap();
    let (code, _, stderr) = run(&[
        "check",
        "--base",
        "fixtures/acme/snapshot.json",
        "--head",
        "fixtures/acme/snapshot.json",
        "--policies",
        d,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("broken.cedar:4:"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_terraform_plan_or_a_cloudformation_template_is_a_proposed_state() {
    let base = "fixtures/acme/snapshot.json";
    let (code, from_head, _) = check("admin-for-dev-on-prod", &["--format", "json"]);
    assert_eq!(code, 1);
    let (code, from_plan, stderr) = run(&[
        "check",
        "--base",
        base,
        "--plan",
        "fixtures/changes/admin-for-dev-on-prod/plan.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        findings(&from_plan),
        findings(&from_head),
        "the plan is the same change"
    );

    // YAML with !Ref and !GetAtt: a new admin set for developers on prod.
    let subject = "group:acme-developers -> DevAdmin in acme-prod (210000000101)";
    let (code, json, stderr) = run(&[
        "check",
        "--base",
        base,
        "--template",
        "fixtures/changes/admin-for-dev-on-prod/template.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        findings(&json),
        [
            f("high", "admin-equivalent-granted", subject),
            f("high", "no-admin-on-prod", subject),
            f(
                "medium",
                "disabled-user-with-assignments",
                "user `wei.chen@acme.example`"
            ),
            f("low", "access-gained", subject),
        ]
    );

    // A new set whose ARN is known only after apply, tied by references.
    let subject = "user:alice.martin@acme.example -> OnCall in acme-staging (210000000201)";
    let (code, json, stderr) = run(&[
        "check",
        "--base",
        base,
        "--plan",
        "fixtures/changes/new-oncall-permission-set/plan.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        findings(&json),
        [
            f("high", "admin-equivalent-granted", subject),
            f("high", "inline-allows-star-on-star", subject),
            f("medium", "session-over-8-hours", subject),
            f("low", "access-gained", subject),
            f("low", "assign-groups-not-users", subject),
            f(
                "low",
                "direct-user-assignment",
                "user `alice.martin@acme.example`"
            ),
            f("low", "long-session", "permission set `OnCall`"),
            f("low", "permission-set-without-description", subject),
        ]
    );
    let (_, sarif, _) = run(&[
        "check",
        "--base",
        base,
        "--plan",
        "fixtures/changes/new-oncall-permission-set/plan.json",
        "--format",
        "sarif",
    ]);
    assert_sarif(&sarif, 8);
    insta::assert_snapshot!(
        "new_oncall_permission_set_markdown",
        run(&[
            "check",
            "--base",
            base,
            "--plan",
            "fixtures/changes/new-oncall-permission-set/plan.json",
            "--format",
            "markdown",
        ])
        .1
    );
}

#[test]
fn the_schema_check_catches_invalid_sarif() {
    // The validator is not vacuous: a log with a bad level fails it.
    let bad = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"message": {"text": "m"}, "level": "severe"}]}]}"#;
    let result = std::panic::catch_unwind(|| assert_sarif(bad, 1));
    assert!(result.is_err());
}

#[test]
fn broken_plans_and_templates_exit_2_naming_the_place() {
    let dir = std::env::temp_dir().join(format!("accessgraph-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let base = "fixtures/acme/snapshot.json";
    let not_a_plan = write("state.json", r#"{"format_version": "1.0", "values": {}}"#);
    let (code, _, stderr) = run(&["check", "--base", base, "--plan", &not_a_plan]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "state.json: /resource_changes: missing: is this `terraform show -json PLAN` output?"
        ),
        "{stderr}"
    );
    let dangling = write(
        "dangling.json",
        r#"{"resource_changes": [{"address": "aws_ssoadmin_account_assignment.x", "type": "aws_ssoadmin_account_assignment",
            "change": {"actions": ["create"], "before": null,
              "after": {"principal_id": "p", "principal_type": "GROUP", "target_id": "210000000101", "target_type": "AWS_ACCOUNT"},
              "after_unknown": {"permission_set_arn": true}}}]}"#,
    );
    let (code, _, stderr) = run(&["check", "--base", base, "--plan", &dangling]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("dangling.json: aws_ssoadmin_account_assignment.x: `permission_set_arn` is known only after apply"),
        "{stderr}"
    );
    let bad_yaml = write("t.yaml", "Resources:\n  X: [unclosed\n");
    let (code, _, stderr) = run(&["check", "--base", base, "--template", &bad_yaml]);
    assert_eq!(code, 2);
    assert!(stderr.contains("t.yaml: line "), "{stderr}");
    let no_name = write(
        "t.json",
        r#"{"Resources": {"P": {"Type": "AWS::SSO::PermissionSet", "Properties": {"InstanceArn": "x"}}}}"#,
    );
    let (code, _, stderr) = run(&["check", "--base", base, "--template", &no_name]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("t.json: /Resources/P: `Name` is missing"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
