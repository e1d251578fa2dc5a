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
    located(json)
        .into_iter()
        .map(|(severity, code, subject, _)| (severity, code, subject))
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
fn a_cloudformation_template_is_a_proposed_state() {
    let base = "fixtures/acme/snapshot.json";
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
    // Where the template declares each: the assignment's logical id.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let at: Vec<(&str, Option<&str>)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["location"].as_str()))
        .collect();
    assert_eq!(
        at,
        [
            (
                "admin-equivalent-granted",
                Some("/Resources/DevelopersAdminOnProd")
            ),
            ("no-admin-on-prod", Some("/Resources/DevelopersAdminOnProd")),
            // Not about anything the template declares.
            ("disabled-user-with-assignments", None),
            ("access-gained", Some("/Resources/DevelopersAdminOnProd")),
        ]
    );
}

/// (severity, code, subject, location) of every finding
fn located(json: &str) -> Vec<(String, String, String, Option<String>)> {
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
                f["location"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn lf(
    sev: &str,
    code: &str,
    subject: &str,
    at: Option<&str>,
) -> (String, String, String, Option<String>) {
    (
        sev.into(),
        code.into(),
        subject.into(),
        at.map(str::to_owned),
    )
}

/// (principal, target_type, application, role name, change, users, status)
fn grant_rows(json: &str) -> Vec<(String, String, String, String, String, u64, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["diff"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.get("target_type").is_some())
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or("").to_owned();
            (
                s("principal"),
                s("target_type"),
                s("application"),
                s("role").rsplit('/').next().unwrap().to_owned(),
                s("change"),
                d["users_reached"].as_u64().unwrap(),
                s("entitlement_status"),
            )
        })
        .collect()
}

fn gr(
    p: &str,
    t: &str,
    app: &str,
    role: &str,
    change: &str,
    n: u64,
    status: &str,
) -> (String, String, String, String, String, u64, String) {
    (
        p.into(),
        t.into(),
        app.into(),
        role.into(),
        change.into(),
        n,
        status.into(),
    )
}

#[test]
fn a_template_giving_an_application_and_entitlements_is_checked() {
    // fixtures/changes/applications-and-entitlements/template.yaml on acme.
    let (code, json, stderr) = run(&[
        "check",
        "--base",
        "fixtures/acme/snapshot.json",
        "--template",
        "fixtures/changes/applications-and-entitlements/template.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let platform = "group:acme-platform-engineers -> role OrganizationAccountAccessRole in acme-prod (210000000101)";
    let alice =
        "user:alice.martin@acme.example -> role SecurityResponder in acme-security (210000000401)";
    assert_eq!(
        located(&json),
        [
            // why: acme-prod's OrganizationAccountAccessRole has
            // AdministratorAccess and acme-prod's SCPs leave the
            // self-granting actions allowed, so the role is admin-equivalent;
            // its trust lets in only the management account (not
            // account-access.amazonaws.com), so the entitlement is not usable
            // yet: one trust edit from admin.
            lf("high", "entitlement-admin-equivalent", platform, Some("/Resources/PlatformAdminOnProd")),
            // why: the trust allows none of sts:AssumeRole, sts:SetContext and
            // (ABAC is on with two attributes, so session tags are passed)
            // sts:TagSession to the service.
            lf(
                "high",
                "entitlement-trust-denied",
                "entitlement `arn:aws:iam::210000000101:role/OrganizationAccountAccessRole` of `aam-7f3c2a1e90b4`",
                Some("/Resources/PlatformAdminOnProd")
            ),
            // why: default rule: an entitle request with an admin-equivalent
            // role on an env=prod account (acme-prod) for a group whose name
            // is not *break-glass*; the rule reads admin_equivalent, not usable.
            lf("high", "no-admin-entitlement-on-prod", platform, Some("/Resources/PlatformAdminOnProd")),
            // why: SecurityResponder's trust allows all three actions for the
            // application's SourceAccount and SourceArn, so alice gets its
            // inline policy: guardduty:ListFindings (list), GetFindings (read),
            // securityhub:GetFindings (read).
            lf("low", "access-gained", alice, Some("/Resources/ResponderForAlice")),
            // why: a new application assigned to acme-finance (3 members);
            // an application grants no AWS actions, so this is its own code.
            lf(
                "low",
                "application-access-gained",
                "group:acme-finance -> application Acme Payroll",
                Some("/Resources/PayrollForFinance")
            ),
        ]
    );
    assert_eq!(
        grant_rows(&json),
        [
            gr(
                "group:acme-finance",
                "APPLICATION",
                "Acme Payroll",
                "",
                "added",
                3,
                ""
            ),
            gr(
                "group:acme-platform-engineers",
                "ENTITLEMENT",
                "aam-7f3c2a1e90b4",
                "OrganizationAccountAccessRole",
                "added",
                3,
                "trust-denies"
            ),
            gr(
                "user:alice.martin@acme.example",
                "ENTITLEMENT",
                "aam-7f3c2a1e90b4",
                "SecurityResponder",
                "added",
                1,
                "usable"
            ),
        ]
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let alice_row = v["diff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["principal"] == "user:alice.martin@acme.example")
        .unwrap();
    assert_eq!(
        alice_row["gained"],
        serde_json::json!({"guardduty list": 1, "guardduty read": 1, "securityhub read": 1})
    );
    // The table names what each row gives where the set would be.
    let (_, table, _) = run(&[
        "diff",
        "--base",
        "fixtures/acme/snapshot.json",
        "--template",
        "fixtures/changes/applications-and-entitlements/template.yaml",
    ]);
    assert!(table.contains("application Acme Payroll"), "{table}");
    assert!(table.contains("permission_set / grant"), "{table}");
    // The headline counts each kind.
    let (_, md, _) = run(&[
        "check",
        "--base",
        "fixtures/acme/snapshot.json",
        "--template",
        "fixtures/changes/applications-and-entitlements/template.yaml",
        "--format",
        "markdown",
    ]);
    assert!(
        md.contains("0 assignment(s), 1 application grant(s), 2 entitlement(s) change access"),
        "{md}"
    );
    assert!(
        table.contains("role OrganizationAccountAccessRole (trust-denies)"),
        "{table}"
    );
}

#[test]
fn a_plan_opening_an_application_and_entitling_a_new_group_is_checked() {
    // A hand-written `terraform show -json` plan (README.md beside it: the
    // AWS provider 5.100 on this machine has no aws_accountaccess_entitlement).
    let (code, json, stderr) = run(&[
        "check",
        "--base",
        "fixtures/acme/snapshot.json",
        "--plan",
        "fixtures/changes/applications-plan/plan.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        located(&json),
        [
            // why: DataOnCall's trust allows sts:AssumeRole and sts:SetContext
            // but not sts:TagSession, which acme needs (ABAC attributes
            // configured). The base has this finding for acme-dba; for the
            // new group acme-oncall it is new. The group's id is known only
            // after apply: the nested group_id resolves to the planned group.
            lf(
                "high",
                "entitlement-trust-denied",
                "entitlement `arn:aws:iam::210000000102:role/acme/access/DataOnCall` of `aam-7f3c2a1e90b4`",
                Some("aws_accountaccess_entitlement.oncall")
            ),
            // why: assignment_configuration with assignment_required = false
            // opens Acme Wiki to every user of the directory (33).
            lf(
                "medium",
                "application-open-to-all",
                "application `Acme Wiki`",
                Some("aws_ssoadmin_application_assignment_configuration.wiki_open")
            ),
            // why: wei.chen is disabled and in acme-developers, which now
            // also gets Acme HR (the lint message lists it, so it is new).
            lf("medium", "disabled-user-with-applications", "user `wei.chen@acme.example`", None),
            lf(
                "low",
                "application-access-gained",
                "all users -> application Acme Wiki",
                Some("aws_ssoadmin_application_assignment_configuration.wiki_open")
            ),
            // why: the new application's ARN is known only after apply; the
            // assignment refers to it, so it lands on the planned one. 11
            // developers.
            lf(
                "low",
                "application-access-gained",
                "group:acme-developers -> application Acme HR",
                Some("aws_ssoadmin_application_assignment.hr_developers")
            ),
            // why: the plan deletes acme-finance's (3 members) assignment.
            lf(
                "low",
                "application-access-lost",
                "group:acme-finance -> application Acme Legacy CRM",
                Some("aws_ssoadmin_application_assignment.crm_finance")
            ),
        ]
    );
    // Hiding Amazon Q Developer from the portal (an update) keeps its
    // assignments: no row. The new group has no members: it reaches 0.
    assert_eq!(
        grant_rows(&json),
        [
            gr(
                "group:acme-developers",
                "APPLICATION",
                "Acme HR",
                "",
                "added",
                11,
                ""
            ),
            gr("all users", "APPLICATION", "Acme Wiki", "", "added", 33, ""),
            gr(
                "group:acme-finance",
                "APPLICATION",
                "Acme Legacy CRM",
                "",
                "removed",
                3,
                ""
            ),
            gr(
                "group:acme-oncall",
                "ENTITLEMENT",
                "aam-7f3c2a1e90b4",
                "DataOnCall",
                "added",
                0,
                "trust-denies"
            ),
        ]
    );
}

#[test]
fn an_entitled_role_that_grants_more_in_head_is_a_changed_entitlement() {
    // A head snapshot whose IAM data differs: SecurityResponder (usable,
    // entitled to maya.patel) also allows guardduty:ArchiveFindings.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/acme/snapshot.json").unwrap())
            .unwrap();
    let role = v["iam"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .filter(|a| a["account_id"] == "210000000401")
        .flat_map(|a| a["roles"].as_array_mut().unwrap().iter_mut())
        .find(|r| r["name"] == "SecurityResponder")
        .unwrap();
    role["inline_policies"][0]["document"]["Statement"][0]["Action"]
        .as_array_mut()
        .unwrap()
        .push("guardduty:ArchiveFindings".into());
    let dir = std::env::temp_dir().join(format!("accessgraph-role-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let head = dir.join("head.json");
    std::fs::write(&head, v.to_string()).unwrap();
    let (code, json, stderr) = run(&[
        "diff",
        "--base",
        "fixtures/acme/snapshot.json",
        "--head",
        head.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let d: serde_json::Value = serde_json::from_str(&json).unwrap();
    // why: only the role changed; its other entitlement names a user the
    // store does not have, so maya.patel's is the one entry, gaining one
    // guardduty write action (ArchiveFindings is a write in the catalog).
    assert_eq!(d.as_array().unwrap().len(), 1, "{json}");
    assert_eq!(d[0]["principal"], "user:maya.patel@acme.example");
    assert_eq!(d[0]["target_type"], "ENTITLEMENT");
    assert_eq!(d[0]["change"], "changed");
    assert_eq!(d[0]["gained"], serde_json::json!({"guardduty write": 1}));
    // why: the changed entitlement is asked about again; a rule on guardduty
    // write access through entitlements matches it.
    std::fs::write(
        dir.join("r.cedar"),
        r#"@id("no-guardduty-writes")
@severity("medium")
@message("guardduty write access through an entitlement")
forbid (principal, action == AccessGraph::Action::"entitle", resource)
when { context.usable && context.services.contains("guardduty") && context.access_levels.contains("write") };
"#,
    )
    .unwrap();
    let (code, json, stderr) = run(&[
        "check",
        "--base",
        "fixtures/acme/snapshot.json",
        "--head",
        head.to_str().unwrap(),
        "--no-default-rules",
        "--policies",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "{stderr}");
    let guardrail: Vec<(String, String, String)> = findings(&json)
        .into_iter()
        .filter(|(_, c, _)| c == "no-guardduty-writes")
        .collect();
    assert_eq!(
        guardrail,
        [f(
            "medium",
            "no-guardduty-writes",
            "user:maya.patel@acme.example -> role SecurityResponder in acme-security (210000000401)"
        )]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn guardrails_can_be_written_about_applications_and_entitlements() {
    let dir = std::env::temp_dir().join(format!("accessgraph-grants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("grants.cedar"),
        r#"@id("no-open-applications")
@severity("high")
@message("applications are assigned to groups, never opened to everyone")
forbid (principal is AccessGraph::Directory, action == AccessGraph::Action::"assign_application", resource);

@id("custom-apps-for-small-groups")
@severity("medium")
@message("a customer application reaches more than 10 users")
forbid (principal, action == AccessGraph::Action::"assign_application", resource)
when { !resource.aws_managed && context.users_reached > 10 };

@id("finance-apps-stay-small")
@severity("low")
@message("a finance application reaches more than 3 users")
forbid (principal in AccessGraph::Group::"acme-finance", action == AccessGraph::Action::"assign_application", resource)
when { context.users_reached > 3 };

@id("usable-entitlements-only-to-security")
@severity("low")
@message("usable entitlement into the security account")
forbid (principal, action == AccessGraph::Action::"entitle", resource)
when { context.usable && resource.name == "acme-security" && context.services.contains("guardduty") };
"#,
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let guardrails = |change: &[&str], all: bool| {
        let mut args = vec!["check", "--base", "fixtures/acme/snapshot.json"];
        args.extend_from_slice(change);
        if all {
            args.push("--all");
        }
        args.extend_from_slice(&["--no-default-rules", "--policies", d, "--format", "json"]);
        let (code, json, stderr) = run(&args);
        assert!(code == 0 || code == 1, "{stderr}");
        located(&json)
            .into_iter()
            .filter(|(_, c, _, _)| {
                !c.contains("application-")
                    && !c.contains("entitlement-")
                    && !c.contains("access-")
                    && !c.contains("disabled-")
            })
            .map(|(s, c, sub, _)| (s, c, sub))
            .collect::<Vec<_>>()
    };
    // why: the plan opens Acme Wiki (a Directory request) and gives Acme HR
    // (custom, 11 developers) to a group; Acme Wiki's grant reaches 33.
    assert_eq!(
        guardrails(
            &["--plan", "fixtures/changes/applications-plan/plan.json"],
            false
        ),
        [
            f(
                "high",
                "no-open-applications",
                "all users -> application Acme Wiki"
            ),
            f(
                "medium",
                "custom-apps-for-small-groups",
                "all users -> application Acme Wiki"
            ),
            f(
                "medium",
                "custom-apps-for-small-groups",
                "group:acme-developers -> application Acme HR"
            ),
        ]
    );
    // why: alice's new SecurityResponder entitlement is usable and grants
    // guardduty; the platform engineers' one is not usable.
    assert_eq!(
        guardrails(&["--template", "fixtures/changes/applications-and-entitlements/template.yaml"], false),
        [f(
            "low",
            "usable-entitlements-only-to-security",
            "user:alice.martin@acme.example -> role SecurityResponder in acme-security (210000000401)"
        )]
    );
    // why, with --all on acme itself: Acme Status (custom) is open to all
    // 33 users; of the other grants only Acme Wiki's to acme-developers (11)
    // is over 10 (Legacy CRM: finance, 3; Wiki: gustav.lind alone; Amazon Q
    // is AWS managed, provider codewhisperer). Of the two SecurityResponder
    // entitlements, maya.patel's is usable; the other names a user the
    // store does not have and is not asked about. DevOnCall and DataOnCall
    // are not in acme-security.
    assert_eq!(
        guardrails(&["--head", "fixtures/acme/snapshot.json"], true),
        [
            f("high", "no-open-applications", "all users -> application Acme Status"),
            f("medium", "custom-apps-for-small-groups", "all users -> application Acme Status"),
            f("medium", "custom-apps-for-small-groups", "group:acme-developers -> application Acme Wiki"),
            f(
                "low",
                "usable-entitlements-only-to-security",
                "user:maya.patel@acme.example -> role SecurityResponder in acme-security (210000000401)"
            ),
        ]
    );
    // why: alice.martin joins acme-finance (3 members): its Acme Legacy
    // CRM grant is unchanged but now reaches 4, so it is asked again.
    let join = dir.join("join.json");
    std::fs::write(
        &join,
        r#"{"resource_changes": [{"address": "aws_identitystore_group_membership.alice", "type": "aws_identitystore_group_membership",
            "change": {"actions": ["create"], "before": null,
              "after": {"group_id": "9067ac0e01-a1fb5cce-7e8c-4ce8-a72a-59abc543ad39", "member_id": "9067ac0e01-510f5b3d-d3cb-40e3-a252-932916c0d7ce", "identity_store_id": "d-9067ac0e01"},
              "after_unknown": {"membership_id": true}}}]}"#,
    )
    .unwrap();
    assert_eq!(
        guardrails(&["--plan", join.to_str().unwrap()], false),
        [f(
            "low",
            "finance-apps-stay-small",
            "group:acme-finance -> application Acme Legacy CRM"
        )]
    );
    std::fs::remove_dir_all(&dir).unwrap();
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

// Plans written by real Terraform 1.11 and the AWS provider 5.100 against
// moto (scripts/gen-terraform-plans.sh; base: the organization collected
// from moto after `terraform apply`). Users are acme-developers = {ana,
// bob}, acme-admins = {cy}; Developer (ReadOnlyAccess, an inline S3 write
// statement, PowerUserAccess boundary) in acme-dev and acme-prod for the
// developers, Admin (AdministratorAccess) in acme-prod for the admins.

fn tf_check(scenario: &str) -> (i32, serde_json::Value) {
    let plan = format!("fixtures/changes/terraform/{scenario}/plan.json");
    let (code, out, err) = run(&[
        "check",
        "--base",
        "fixtures/changes/terraform/base.json",
        "--plan",
        &plan,
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "{scenario}: exit {code}: {err}");
    (code, serde_json::from_str(&out).unwrap())
}

/// (principal, via, permission set, account name, change, users reached)
fn tf_diff(v: &serde_json::Value) -> Vec<(String, String, String, String, String, u64)> {
    v["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["principal"].as_str().unwrap().to_owned(),
                d["via"].as_str().unwrap_or("").to_owned(),
                d["permission_set"].as_str().unwrap().to_owned(),
                d["account"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .to_owned(),
                d["change"].as_str().unwrap().to_owned(),
                d["users_reached"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn row(
    p: &str,
    via: &str,
    ps: &str,
    acct: &str,
    change: &str,
    n: u64,
) -> (String, String, String, String, String, u64) {
    (
        p.into(),
        via.into(),
        ps.into(),
        acct.into(),
        change.into(),
        n,
    )
}

#[test]
fn a_real_terraform_plan_opening_a_new_application_is_found() {
    // Scenario `applications`: Acme Payroll (new: its ARN known after apply)
    // assigned to acme-developers = {ana, bob} and no longer requiring
    // assignment. The base records no application (moto's ListApplications
    // answers none).
    let (code, v) = tf_check("applications");
    assert_eq!(code, 0, "nothing at high");
    let json = v.to_string();
    assert_eq!(
        located(&json),
        [
            // why: assignment_required = false opens it to all 3 users.
            lf(
                "medium",
                "application-open-to-all",
                "application `Acme Payroll`",
                Some("aws_ssoadmin_application_assignment_configuration.payroll[0]")
            ),
            lf(
                "low",
                "application-access-gained",
                "all users -> application Acme Payroll",
                Some("aws_ssoadmin_application_assignment_configuration.payroll[0]")
            ),
            // why: the assignment's application_arn refers to
            // aws_ssoadmin_application.payroll[0], the planned application.
            lf(
                "low",
                "application-access-gained",
                "group:acme-developers -> application Acme Payroll",
                Some("aws_ssoadmin_application_assignment.payroll_developers[0]")
            ),
        ]
    );
    assert_eq!(
        grant_rows(&json),
        [
            gr(
                "all users",
                "APPLICATION",
                "Acme Payroll",
                "",
                "added",
                3,
                ""
            ),
            gr(
                "group:acme-developers",
                "APPLICATION",
                "Acme Payroll",
                "",
                "added",
                2,
                ""
            ),
        ]
    );
}

#[test]
fn a_permission_set_description_update_in_place_changes_no_access() {
    // Terraform plans `update` of the set alone; its policies are separate
    // resources, untouched. Before: every policy dropped, 6,799 actions
    // "lost" in both accounts.
    let (code, v) = tf_check("description-update");
    assert_eq!(code, 0);
    assert_eq!(v["diff"], serde_json::json!([]));
    assert_eq!(v["findings"], serde_json::json!([]));
}

#[test]
fn a_new_set_with_its_attachment_applies_whatever_the_plan_order() {
    // Terraform lists the attachment (aws_ssoadmin_managed_policy_attachment
    // .oncall[0]) and the assignment before the set they refer to. Before:
    // exit 2, "no permission set". OnCall is PowerUserAccess for the
    // developers in prod: ana and bob; it grants sts:AssumeRole and sso:*
    // (escalation actions) but no iam:* (NotAction), so no iam:PassRole and
    // not admin-equivalent.
    let (code, v) = tf_check("new-set-with-attachment");
    assert_eq!(code, 1, "a high finding fails the check");
    assert_eq!(
        tf_diff(&v),
        [row(
            "group:acme-developers",
            "",
            "OnCall",
            "acme-prod",
            "added",
            2
        )]
    );
    let esc = v["diff"][0]["escalation_gained"].as_array().unwrap();
    assert!(esc.contains(&serde_json::json!("sts:AssumeRole")));
    assert!(esc.contains(&serde_json::json!("sso:CreatePermissionSet")));
    assert!(!esc.iter().any(|a| a.as_str().unwrap().starts_with("iam:")));
    assert_eq!(v["diff"][0]["newly_admin_equivalent"], false);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["escalation-action-granted", "access-gained"]);
}

#[test]
fn a_user_joining_a_group_gains_its_assignments_by_name() {
    // bob joins acme-admins: he gains Admin in acme-prod, which he reached by
    // no other route. Before: no diff at all (the group's assignment itself
    // did not change).
    let (code, v) = tf_check("user-joins-admins");
    assert_eq!(code, 1);
    assert_eq!(
        tf_diff(&v),
        [row(
            "user:bob@example.com",
            "group:acme-admins",
            "Admin",
            "acme-prod",
            "added",
            1
        )]
    );
    let f = &v["findings"][0];
    assert_eq!(f["code"], "admin-equivalent-granted");
    assert_eq!(f["severity"], "high");
    assert!(f["subject"]
        .as_str()
        .unwrap()
        .starts_with("user:bob@example.com (joins group:acme-admins) -> Admin in acme-prod"));
}

#[test]
fn a_user_leaving_a_group_loses_its_assignments() {
    // ana leaves acme-developers, her only route to Developer in both accounts.
    let (code, v) = tf_check("user-leaves-developers");
    assert_eq!(code, 0, "losing access is low");
    assert_eq!(
        tf_diff(&v),
        [
            row(
                "user:ana@example.com",
                "group:acme-developers",
                "Developer",
                "acme-dev",
                "removed",
                1
            ),
            row(
                "user:ana@example.com",
                "group:acme-developers",
                "Developer",
                "acme-prod",
                "removed",
                1
            ),
        ]
    );
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["code"] == "access-lost"));
}

#[test]
fn for_each_instances_keep_their_keys() {
    // Two new users (contractor["carol"], ["dave"]) join a new group through
    // two memberships keyed like them. Before: one placeholder id for both,
    // so the group "reaches 1 user".
    let (code, v) = tf_check("for-each-contractors");
    assert_eq!(code, 0);
    assert_eq!(
        tf_diff(&v),
        [row(
            "group:acme-contractors",
            "",
            "Developer",
            "acme-dev",
            "added",
            2
        )]
    );
}

#[test]
fn inline_policies_in_plans_refuse_duplicate_keys_with_the_address() {
    let dir = std::env::temp_dir().join(format!("accessgraph-tfdup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text =
        std::fs::read_to_string("fixtures/changes/terraform/description-update/plan.json").unwrap();
    let mut plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    let changes = plan["resource_changes"].as_array_mut().unwrap();
    let inline = changes
        .iter_mut()
        .find(|r| r["type"] == "aws_ssoadmin_permission_set_inline_policy")
        .unwrap();
    inline["change"]["actions"] = serde_json::json!(["update"]);
    inline["change"]["after"]["inline_policy"] = serde_json::json!(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#
    );
    let path = dir.join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let (code, _, err) = run(&[
        "check",
        "--base",
        "fixtures/changes/terraform/base.json",
        "--plan",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("aws_ssoadmin_permission_set_inline_policy.developer: inline_policy")
            && err.contains("duplicate key `Effect`"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_terraform_plan_runs_the_guardrails_on_what_it_adds() {
    // Admin (AdministratorAccess) for acme-developers in acme-prod, tagged
    // env=prod: admin-equivalent, and the default guardrail no-admin-on-prod
    // (the group is not a break-glass group); ana and bob.
    let subject = "group:acme-developers -> Admin in acme-prod (803844558966)";
    let (code, v) = tf_check("admin-for-developers-on-prod");
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v.to_string()),
        [
            f("high", "admin-equivalent-granted", subject),
            f("high", "no-admin-on-prod", subject),
            f("low", "access-gained", subject),
        ]
    );
    assert_eq!(v["diff"][0]["users_reached"], 2);

    // A new set whose ARN is known only after apply, tied to its inline
    // policy and its assignment by references with a literal key
    // (breakglass[0]): no description, 12-hour sessions, * on *, assigned
    // to cy directly in acme-dev (env=dev, so no no-admin-on-prod).
    let subject = "user:cy@example.com -> BreakGlass in acme-dev (026144671818)";
    let (code, v) = tf_check("new-breakglass-inline");
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v.to_string()),
        [
            f("high", "admin-equivalent-granted", subject),
            f("high", "inline-allows-star-on-star", subject),
            // validate: `*` on `*` allows iam:PassRole on every role.
            f(
                "medium",
                "pass-role-on-all-resources",
                "permission set `BreakGlass` inline policy /Statement/0/Resource"
            ),
            f("medium", "session-over-8-hours", subject),
            f("low", "access-gained", subject),
            f("low", "assign-groups-not-users", subject),
            f("low", "direct-user-assignment", "user `cy@example.com`"),
            f("low", "long-session", "permission set `BreakGlass`"),
            f("low", "permission-set-without-description", subject),
        ]
    );
    // Where the plan declares each: the resource address.
    let at = |code: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .and_then(|f| f["location"].as_str())
            .map(str::to_owned)
    };
    assert_eq!(
        at("pass-role-on-all-resources").as_deref(),
        Some("aws_ssoadmin_permission_set_inline_policy.breakglass[0]")
    );
    assert_eq!(
        at("long-session").as_deref(),
        Some("aws_ssoadmin_permission_set.breakglass[0]")
    );
    assert_eq!(
        at("admin-equivalent-granted").as_deref(),
        Some("aws_ssoadmin_account_assignment.breakglass[0]")
    );
    let plan = "fixtures/changes/terraform/new-breakglass-inline/plan.json";
    let base = "fixtures/changes/terraform/base.json";
    let (_, sarif, _) = run(&["check", "--base", base, "--plan", plan, "--format", "sarif"]);
    assert_sarif(&sarif, 9);
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let located: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str())
        .collect();
    assert!(
        located.contains(&"aws_ssoadmin_permission_set_inline_policy.breakglass[0]"),
        "{located:?}"
    );
    insta::assert_snapshot!(
        "terraform_new_breakglass_inline_markdown",
        run(&["check", "--base", base, "--plan", plan, "--format", "markdown"]).1
    );
}

#[test]
fn a_plan_whose_inline_policy_does_not_validate_is_blocked_with_the_place() {
    // The Developer inline policy gains a misspelled action: validate's
    // unknown-action, high (the action grants nothing), new in head only.
    let dir = std::env::temp_dir().join(format!("accessgraph-tfval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text =
        std::fs::read_to_string("fixtures/changes/terraform/description-update/plan.json").unwrap();
    let mut plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    let inline = plan["resource_changes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["type"] == "aws_ssoadmin_permission_set_inline_policy")
        .unwrap();
    inline["change"]["actions"] = serde_json::json!(["update"]);
    inline["change"]["after"]["inline_policy"] = serde_json::json!(
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "WriteDevBuckets", "Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjekt"], "Resource": "arn:aws:s3:::dev-*/*"}]}"#
    );
    let path = dir.join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let (code, out, err) = run(&[
        "check",
        "--base",
        "fixtures/changes/terraform/base.json",
        "--plan",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == "validate")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "unknown-action");
    assert_eq!(found[0]["severity"], "high");
    assert_eq!(
        found[0]["subject"],
        "permission set `Developer` inline policy /Statement/0/Action/1"
    );
    assert!(found[0]["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `s3:PutObject`"));
    std::fs::remove_dir_all(&dir).unwrap();
}
