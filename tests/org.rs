//! The organization commands on the bundled fixtures (`fixtures/cookbook/`,
//! `fixtures/acme/`): import reproduces the committed snapshots, malformed
//! exports fail with a located message and exit 2, and every command's output
//! is pinned with insta snapshots.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod common;
use common::*;

use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("accessgraph-org-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn without_tool_version(text: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["provenance"]["tool_version"] = serde_json::Value::Null;
    v
}

#[test]
fn import_reproduces_the_committed_snapshots() {
    for fixture in ["cookbook", "acme"] {
        let out = temp_dir(&format!("import-{fixture}")).join("snapshot.json");
        let (code, stdout, stderr) = run(&[
            "import",
            &format!("fixtures/{fixture}/export"),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.is_empty(), "import prints to stderr only");
        let got = std::fs::read_to_string(&out).unwrap();
        let want =
            std::fs::read_to_string(root().join(format!("fixtures/{fixture}/snapshot.json")))
                .unwrap();
        assert_eq!(
            without_tool_version(&got),
            without_tool_version(&want),
            "{fixture}: re-import differs"
        );
    }
}

#[test]
fn the_cookbook_snapshot_is_the_recipe() {
    let snap: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/cookbook/snapshot.json")).unwrap(),
    )
    .unwrap();
    let ic = &snap["identity_center"];
    assert_eq!(ic["identity_source"], "IDENTITY_CENTER_DIRECTORY");
    assert_eq!(
        ic["access_portal"]["custom_url"],
        "https://awsseccb.awsapps.com/start"
    );
    assert_eq!(ic["abac"]["enabled"], true);
    assert_eq!(snap["groups"][0]["name"], "awsseccbadmins");
    assert_eq!(
        snap["groups"][0]["description"],
        "AWS Sec Cookbook Admins group"
    );
    let user = &snap["users"][0];
    assert_eq!(user["user_name"], "awsseccbadmin1");
    for field in ["display_name", "given_name", "family_name"] {
        assert!(user[field].is_string(), "{field}");
    }
    assert!(user["emails"][0]["value"].is_string());
    let ps = &snap["permission_sets"][0];
    assert_eq!(ps["name"], "AdministratorAccess");
    assert_eq!(ps["session_duration"], "PT1H");
    assert_eq!(
        ps["aws_managed_policies"],
        serde_json::json!(["arn:aws:iam::aws:policy/AdministratorAccess"])
    );
    assert!(ps["description"].is_string());
    assert_eq!(snap["assignments"].as_array().unwrap().len(), 1);
    assert_eq!(snap["assignments"][0]["principal_type"], "GROUP");
    assert_eq!(snap["assignments"][0]["account_id"], "222222222222");
    assert_eq!(
        snap["organization"]["delegated_administrators"][0]["service_principal"],
        "sso.amazonaws.com"
    );
}

fn export_error(name: &str, edit: impl FnOnce(&Path)) -> String {
    fixture_export_error("cookbook", name, edit)
}

/// Imports `fixtures/<fixture>/export` edited by `edit`: exit 2, nothing
/// written; the message with the folder shown as `EXPORT`
fn fixture_export_error(fixture: &str, name: &str, edit: impl FnOnce(&Path)) -> String {
    let dir = temp_dir(name);
    copy_dir(&root().join(format!("fixtures/{fixture}/export")), &dir);
    edit(&dir);
    let out = dir.join("out.json");
    let (code, stdout, stderr) =
        run(&["import", dir.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{name}: {stderr}");
    assert!(stdout.is_empty());
    assert!(!out.exists(), "{name}: nothing is written on error");
    stderr.replace(dir.to_str().unwrap(), "EXPORT")
}

#[test]
fn malformed_exports_exit_2_naming_the_file() {
    assert_eq!(
        export_error("missing", |d| std::fs::remove_file(d.join("organizations/list-accounts.json")).unwrap()),
        "error: EXPORT/organizations/list-accounts.json: missing: this file of the export layout is required (see docs/export-layout.md)\n"
    );
    assert_eq!(
        export_error("shape", |d| std::fs::write(d.join("organizations/list-accounts.json"), r#"{"Accounts": {"Id": "1"}}"#).unwrap()),
        "error: EXPORT/organizations/list-accounts.json at `/Accounts`: expected an array, found an object\n"
    );
    assert_eq!(
        export_error("truncated", |d| std::fs::write(d.join("identitystore/list-users.json"), r#"{"Users": [{"UserId": "#).unwrap()),
        "error: EXPORT/identitystore/list-users.json: invalid JSON: EOF while parsing a value at line 1 column 22\n"
    );
    assert_eq!(
        export_error("field", |d| std::fs::write(
            d.join("identitystore/list-groups.json"),
            r#"{"Groups": [{"GroupId": "g"}]}"#
        )
        .unwrap()),
        "error: EXPORT/identitystore/list-groups.json at `/Groups/0`: missing `DisplayName`\n"
    );
}

fn acme_export_error(name: &str, edit: impl FnOnce(&Path)) -> String {
    fixture_export_error("acme", name, edit)
}

#[test]
fn malformed_or_missing_application_files_exit_2_naming_the_file_and_path() {
    let apl = "apl-f48c29931f9dd85f";
    assert_eq!(
        acme_export_error("app-shape", |d| std::fs::write(
            d.join("sso-admin/list-applications.json"),
            r#"{"Applications": [{"ApplicationArn": "arn:aws:sso::1:application/x/apl-1", "Name": 7}]}"#
        )
        .unwrap()),
        "error: EXPORT/sso-admin/list-applications.json at `/Applications/0/Name`: expected a string, found a number\n"
    );
    assert_eq!(
        acme_export_error("app-missing", |d| std::fs::remove_file(d.join(format!(
            "sso-admin/applications/{apl}/list-application-assignments.json"
        )))
        .unwrap()),
        format!("error: EXPORT/sso-admin/applications/{apl}/list-application-assignments.json: missing: every listed application needs this file (a call that failed is recorded in errors.json)\n")
    );
    assert_eq!(
        acme_export_error("entitlement-principal", |d| std::fs::write(
            d.join("account-access/list-entitlements/aam-7f3c2a1e90b4.json"),
            r#"{"entitlements": [{"entitlement": {"principalRole": {"principal": {"identityCenter": {}}, "roleArn": "arn:aws:iam::1:role/r", "account": "1"}}}]}"#
        )
        .unwrap()),
        "error: EXPORT/account-access/list-entitlements/aam-7f3c2a1e90b4.json at `/entitlements/0/entitlement/principalRole/principal/identityCenter`: expected exactly one of `userId` and `groupId`\n"
    );
}

#[test]
fn a_recorded_failure_leaves_that_application_part_not_recorded() {
    let dir = temp_dir("app-failed-call");
    copy_dir(&root().join("fixtures/acme/export"), &dir);
    let apl = "apl-f48c29931f9dd85f";
    std::fs::remove_file(dir.join(format!(
        "sso-admin/applications/{apl}/list-application-assignments.json"
    )))
    .unwrap();
    let errors = dir.join("errors.json");
    let mut list: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&errors).unwrap()).unwrap();
    list.push(serde_json::json!({"operation": "sso-admin list-application-assignments", "message": format!("application {apl}: An error occurred (AccessDeniedException)")}));
    std::fs::write(&errors, serde_json::to_string(&list).unwrap()).unwrap();
    let out = dir.join("out.json");
    let (code, _, stderr) = run(&["import", dir.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let wiki = snap["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Acme Wiki")
        .unwrap();
    assert!(
        wiki.get("assignments").is_none(),
        "not recorded, not empty: {wiki}"
    );
    assert_eq!(wiki["assignment_required"], true);
}

#[test]
fn a_version_1_snapshot_is_read_and_says_applications_are_not_recorded() {
    // fixtures/hubspoke/snapshot.json is format 1 (written before applications).
    let (code, stdout, stderr) = on("hubspoke", &["portal", "ana"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Not recorded: this snapshot holds no Identity Center applications"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("You do not have any applications"),
        "not recorded is not none: {stdout}"
    );
    let (_, json, _) = on("hubspoke", &["portal", "ana", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["applications_recorded"], false);
    let (code, _, stderr) = on("hubspoke", &["who-has", "Wiki"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("does not record applications (format 1)"),
        "{stderr}"
    );
    let (code, csv, _) = on(
        "hubspoke",
        &["report", "applications", "--format", "markdown"],
    );
    assert_eq!(code, 0);
    assert!(
        csv.contains("does not record Identity Center applications (format 1)"),
        "{csv}"
    );
}

#[test]
fn a_newer_or_broken_snapshot_exits_2() {
    let d = temp_dir("newer");
    let f = d.join("s.json");
    std::fs::write(&f, r#"{"format_version": 7}"#).unwrap();
    let (code, _, stderr) = run(&["--snapshot", f.to_str().unwrap(), "portal", "x"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.replace(f.to_str().unwrap(), "FILE"),
        "error: FILE: snapshot format_version 7 is newer than this accessgraph reads (2); upgrade accessgraph\n"
    );
    let (code, _, stderr) = run(&["--snapshot", "/nonexistent.json", "lint"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: /nonexistent.json: No such file or directory (os error 2)\n"
    );
}

#[test]
fn portal_shows_the_recipe_assignment() {
    let (code, stdout, _) = on("cookbook", &["portal", "awsseccbadmin1"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains(
            "│ 222222222222 ┆ aws-sec-cookbook-1 ┆ AdministratorAccess ┆ group:awsseccbadmins │"
        ),
        "{stdout}"
    );
    insta::assert_snapshot!("cookbook_portal", stdout);
    let (_, json, _) = on(
        "cookbook",
        &["portal", "awsseccbadmin1", "--format", "json"],
    );
    insta::assert_snapshot!("cookbook_portal_json", json);
}

#[test]
fn acme_portal_profiles_and_checks() {
    insta::assert_snapshot!(
        "acme_portal_disabled_user",
        on("acme", &["portal", "wei.chen@acme.example"]).1
    );
    insta::assert_snapshot!(
        "acme_portal_two_groups",
        on(
            "acme",
            &["portal", "grace.obi@acme.example", "--format", "csv"]
        )
        .1
    );
    insta::assert_snapshot!(
        "acme_profiles",
        on("acme", &["profiles", "alice.martin@acme.example"]).1
    );
    insta::assert_snapshot!(
        "cookbook_profiles",
        on("cookbook", &["profiles", "awsseccbadmin1"]).1
    );
}

#[test]
fn profiles_check_reports_forbidden_exception() {
    let (code, stdout, stderr) = on(
        "cookbook",
        &[
            "profiles",
            "check",
            "--config",
            "fixtures/config/cookbook-aws-config",
            "--user",
            "awsseccbadmin1",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "2 profile(s) would fail with ForbiddenException (No access)\n"
    );
    assert!(stdout.contains(
        "An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access"
    ));
    insta::assert_snapshot!("cookbook_profiles_check", stdout);
    // The same file against another organization: every profile is for another portal.
    let (code, stdout, _) = on(
        "acme",
        &[
            "profiles",
            "check",
            "--config",
            "fixtures/config/cookbook-aws-config",
            "--user",
            "grace.obi@acme.example",
        ],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!("acme_profiles_check", stdout);
}

#[test]
fn admins_on_both_fixtures() {
    insta::assert_snapshot!("cookbook_admins", on("cookbook", &["admins"]).1);
    insta::assert_snapshot!("acme_admins", on("acme", &["admins"]).1);
}

#[test]
fn lint_on_both_fixtures() {
    let (code, stdout, _) = on("cookbook", &["lint"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("cookbook_lint", stdout);
    let (code, csv, _) = on("acme", &["lint", "--format", "csv"]);
    assert_eq!(code, 1);
    assert!(
        csv.contains("high,customer-managed-policy-missing,permission set `PlatformEngineer`"),
        "{csv}"
    );
    insta::assert_snapshot!("acme_lint", csv);
    let (code, _, _) = on("acme", &["lint", "--fail-on", "high", "--format", "json"]);
    assert_eq!(code, 1);
    let (code, stdout, _) = on("cookbook", &["lint", "--fail-on", "medium"]);
    assert_eq!(code, 0, "{stdout}");
    let (code, stdout, _) = run(&["lint", "--explain", "direct-user-assignment"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("direct-user-assignment (low)\n\nWhat it finds: "),
        "{stdout}"
    );
}

#[test]
fn graph_draws_an_entitlement_and_the_chain_out_of_it_for_the_user_whose_tag_passes() {
    // Hand-derived (fixtures/entitled/README.md): group engineers is
    // entitled to OnCall (hub); OnCall may assume Reader (work), whose trust
    // wants aws:PrincipalTag/team = data. dana's entitlement session carries
    // team=data: the hop is drawn, unconditional; pete's carries payments:
    // his graph has the entitlement and no hop.
    let on_call = "iam:arn:aws:iam::111111111111:role/OnCall";
    let reader = "iam:arn:aws:iam::222222222222:role/Reader";
    let entitlement =
        format!("\"group:engineers\" -> \"{on_call}\" [label=\"entitlement aam-1\"];");
    let hop = format!("\"{on_call}\" -> \"{reader}\" [style=dashed, label=\"sts:AssumeRole\"];");
    let (code, dana, _) = on("entitled", &["graph", "--user", "dana"]);
    assert_eq!(code, 0);
    assert!(
        dana.contains("\"user:dana\" -> \"group:engineers\";"),
        "{dana}"
    );
    assert!(dana.contains(&entitlement), "{dana}");
    assert!(dana.contains(&hop), "{dana}");
    let (_, pete, _) = on("entitled", &["graph", "--user", "pete"]);
    assert!(pete.contains(&entitlement), "{pete}");
    assert!(
        !pete.contains(&format!("\"{on_call}\" -> \"{reader}\"")),
        "{pete}"
    );
}

#[test]
fn graph_dot_on_both_fixtures() {
    insta::assert_snapshot!(
        "cookbook_graph",
        on("cookbook", &["graph", "--format", "dot"]).1
    );
    insta::assert_snapshot!(
        "acme_graph_user",
        on(
            "acme",
            &[
                "graph",
                "--format",
                "dot",
                "--user",
                "grace.obi@acme.example"
            ]
        )
        .1
    );
    // dot is graph's only format, and its default; clap refuses any other.
    assert_eq!(
        on("acme", &["graph"]).1,
        on("acme", &["graph", "--format", "dot"]).1
    );
    let (code, _, stderr) = on("acme", &["graph", "--format", "table"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'table' for '--format <FORMAT>'")
            && stderr.contains("[possible values: dot]"),
        "{stderr}"
    );
}

#[test]
fn managed_policies_list_and_show() {
    let (code, stdout, _) = run(&["managed-policies", "--job-function", "--format", "csv"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "AdministratorAccess",
            "PowerUserAccess",
            "ReadOnlyAccess",
            "SecurityAudit",
            "Billing",
            "DataScientist",
            "DatabaseAdministrator",
            "NetworkAdministrator",
            "SupportUser",
            "SystemAdministrator",
            "ViewOnlyAccess"
        ]
    );
    let (code, stdout, _) = run(&["managed-policies", "show", "AdministratorAccess"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["Statement"][0]["Action"], "*");
    let (code, _, stderr) = run(&["managed-policies", "show", "NoSuchPolicy"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: no AWS managed policy `NoSuchPolicy` in the bundled data"),
        "{stderr}"
    );
}

#[test]
fn who_can_with_abac_on_acme() {
    let (code, csv, _) = on(
        "acme",
        &[
            "who-can",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::acme-data-analytics/report.csv",
            "--account",
            "acme-data-prod",
            "--context",
            "aws:RequestedRegion=eu-west-1",
            "--context",
            "aws:SecureTransport=true",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 0);
    // Data engineers reach the bucket only through the team tag: members
    // whose department is `data` do, the others do not.
    assert!(csv.contains("hiro.tanaka@acme.example,identity-center-user,group:acme-data-engineers,DataEngineer,210000000102,acme-data-prod,allow,"), "{csv}");
    assert!(
        !csv.contains("fatima.zahra@acme.example,identity-center-user,group:acme-data-engineers"),
        "{csv}"
    );
    insta::assert_snapshot!("acme_who_can_abac", csv);
    let (code, _, stderr) = on("acme", &["who-can", "s3:GetObjekt"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: unknown action `s3:GetObjekt`: not in the action catalog"),
        "{stderr}"
    );
}

#[test]
fn who_can_on_the_cookbook_is_the_recipe_admin() {
    let (code, json, _) = on(
        "cookbook",
        &[
            "who-can",
            "s3:ListBucket",
            "--account",
            "aws-sec-cookbook-1",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let user_rows: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["principal_type"] == "identity-center-user")
        .collect();
    assert_eq!(user_rows.len(), 1);
    let r = user_rows[0];
    assert_eq!(r["principal"], "awsseccbadmin1");
    assert_eq!(r["via"], "group:awsseccbadmins");
    assert_eq!(r["permission_set"], "AdministratorAccess");
    assert_eq!(r["decision"], "allow");
    insta::assert_snapshot!(
        "cookbook_who_can_table",
        on(
            "cookbook",
            &[
                "who-can",
                "s3:ListBucket",
                "--account",
                "aws-sec-cookbook-1"
            ]
        )
        .1
    );
    // Nobody: exit 1.
    let (code, stdout, _) = on(
        "cookbook",
        &[
            "who-can",
            "s3:ListBucket",
            "--account",
            "aws-sec-cookbook-management",
        ],
    );
    assert_eq!((code, stdout.as_str()), (1, "nobody\n"));
}

#[test]
fn who_can_on_acme_is_conditional_on_abac_and_scps() {
    // Without a resource, the data team's grant depends on the resource's tag,
    // with the user's team substituted; the region SCP adds its condition.
    let (code, csv, _) = on(
        "acme",
        &[
            "who-can",
            "sqs:SendMessage",
            "--account",
            "acme-dev",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        csv.contains("hiro.tanaka@acme.example,identity-center-user,group:acme-data-engineers,DataEngineer,210000000202,acme-dev,conditional,"),
        "{csv}"
    );
    assert!(csv.contains(r#"aws:ResourceTag/team = ""data"""#), "{csv}");
    assert!(
        csv.contains(r#"aws:RequestedRegion in [""eu-west-1"", ""eu-central-1""]"#),
        "{csv}"
    );
    insta::assert_snapshot!("acme_who_can_sqs_dev", csv);
    let (_, json, _) = on(
        "acme",
        &[
            "who-can",
            "sqs:SendMessage",
            "--account",
            "acme-dev",
            "--format",
            "json",
            "--include-disabled",
        ],
    );
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["disabled"] == true),
        "the disabled user is shown with --include-disabled"
    );
    let (code, _, stderr) = on(
        "acme",
        &["who-can", "s3:GetObject", "--account", "acme-prd"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no account or OU `acme-prd` in the snapshot; did you mean `acme-prod`"),
        "{stderr}"
    );
}

#[test]
fn what_can_on_both_fixtures() {
    let (code, table, _) = on(
        "cookbook",
        &[
            "what-can",
            "awsseccbadmin1",
            "--service",
            "iam",
            "--access-level",
            "permissions",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        table.starts_with("ADMIN-EQUIVALENT: AdministratorAccess in aws-sec-cookbook-1"),
        "{table}"
    );
    insta::assert_snapshot!("cookbook_what_can_iam", table);
    let (code, csv, _) = on(
        "acme",
        &[
            "what-can",
            "hiro.tanaka",
            "--service",
            "s3",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!("acme_what_can_s3", csv);
    let (code, json, _) = on(
        "acme",
        &[
            "what-can",
            "acme-data-engineers",
            "--service",
            "sqs",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(rows
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["conditional"].as_u64().unwrap() > 0 || r["allowed"].as_u64().unwrap() > 0));
    let (code, _, stderr) = on("acme", &["what-can", "hiro.tanaka", "--service", "s4"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: unknown service `s4`"),
        "{stderr}"
    );
}

#[test]
fn simulate_for_a_user_of_the_snapshot() {
    let args = [
        "simulate",
        "--user",
        "fatima.zahra",
        "--account",
        "acme-data-prod",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::acme-data-analytics/x",
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--context",
        "aws:SecureTransport=true",
    ];
    let (code, stdout, _) = on("acme", &args);
    assert_eq!(
        code, 1,
        "a payments engineer cannot read the data team's bucket"
    );
    insta::assert_snapshot!("acme_simulate_other_team", stdout);
    let mut explained: Vec<&str> = args.to_vec();
    explained[2] = "hiro.tanaka";
    explained.push("--explain");
    let (code, stdout, _) = on("acme", &explained);
    assert_eq!(code, 0);
    insta::assert_snapshot!("acme_simulate_same_team_explained", stdout);
    let (code, json, _) = on(
        "cookbook",
        &[
            "simulate",
            "--user",
            "awsseccbadmin1",
            "--account",
            "aws-sec-cookbook-1",
            "--action",
            "iam:CreateUser",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["decision"], "Allow");
    assert_eq!(v[0]["via"], "group:awsseccbadmins");
    let (code, stdout, _) = on(
        "cookbook",
        &[
            "simulate",
            "--user",
            "awsseccbadmin1",
            "--account",
            "aws-sec-cookbook-security",
            "--action",
            "s3:ListBucket",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        stdout.contains("GetRoleCredentials fails with ForbiddenException (No access)"),
        "{stdout}"
    );
}

#[test]
fn generate_org_is_deterministic_and_loads() {
    let d = temp_dir("generate");
    let a = d.join("a.json");
    let b = d.join("b.json");
    for f in [&a, &b] {
        let (code, _, stderr) = run(&[
            "generate-org",
            "--accounts",
            "30",
            "--users",
            "200",
            "--groups",
            "30",
            "--permission-sets",
            "20",
            "--seed",
            "3",
            "-o",
            f.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let (code, stdout, _) = run(&[
        "--snapshot",
        a.to_str().unwrap(),
        "who-can",
        "s3:ListBucket",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.lines().count() > 50, "{stdout}");
}

/// The dangling-reference findings of lint on the cookbook snapshot after
/// `edit`, which must make lint exit 1
fn dangling_after(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<serde_json::Value> {
    let mut snap: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/cookbook/snapshot.json")).unwrap(),
    )
    .unwrap();
    edit(&mut snap);
    let d = temp_dir(name);
    let f = d.join("s.json");
    std::fs::write(&f, serde_json::to_string(&snap).unwrap()).unwrap();
    let (code, json, _) = run(&[
        "--snapshot",
        f.to_str().unwrap(),
        "lint",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{json}");
    let findings: serde_json::Value = serde_json::from_str(&json).unwrap();
    findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "dangling-reference")
        .cloned()
        .collect()
}

#[test]
fn lint_reports_dangling_assignments_instead_of_skipping_them() {
    let dangling = dangling_after("dangling", |snap| {
        let a = serde_json::json!({
            "account_id": "222222222222",
            "permission_set_arn": snap["permission_sets"][0]["arn"],
            "principal_type": "GROUP",
            "principal_id": "9067cb0001-deleted-group"
        });
        snap["assignments"].as_array_mut().unwrap().push(a);
    });
    assert_eq!(dangling.len(), 1, "{dangling:?}");
    assert_eq!(
        dangling[0]["message"],
        "names unknown group `9067cb0001-deleted-group`"
    );
}

#[test]
fn lint_reports_iam_data_of_an_account_outside_the_organization() {
    // The IAM data of 222222222222 filed under an account id the
    // organization does not list: its roles can answer nothing.
    let stray = dangling_after("stray-iam", |snap| {
        let mut stray = snap["iam"][1].clone();
        stray["account_id"] = "999999999999".into();
        snap["iam"].as_array_mut().unwrap().push(stray);
    });
    assert_eq!(stray.len(), 1, "{stray:?}");
    assert_eq!(stray[0]["subject"], "IAM data of 999999999999");
    assert_eq!(
        stray[0]["message"],
        "account 999999999999 is not in the organization: its 2 role(s) and 0 user(s) are left out of every query"
    );
}

#[test]
fn a_broken_document_in_the_snapshot_iam_data_exits_2_with_its_place() {
    let mut snap: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/cookbook/snapshot.json")).unwrap(),
    )
    .unwrap();
    let (i, j) = snap["iam"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find_map(|(i, a)| (!a["roles"].as_array().unwrap().is_empty()).then_some((i, 0)))
        .unwrap();
    snap["iam"][i]["roles"][j]["trust_policy"] = serde_json::json!({"Statement": {"Effect": "Allow", "Principal": "*",
        "Action": "sts:AssumeRole", "Condition": {"StringEqualz": {"a": "b"}}}});
    let role = snap["iam"][i]["roles"][j]["arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = temp_dir("broken-iam");
    let f = d.join("s.json");
    std::fs::write(&f, serde_json::to_string(&snap).unwrap()).unwrap();
    let (code, stdout, stderr) = run(&["--snapshot", f.to_str().unwrap(), "lint"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.replace(f.to_str().unwrap(), "FILE"),
        format!("error: FILE: invalid policy in the snapshot: trust policy of `{role}` (/iam/{i}/roles/{j}/trust_policy): statement 0 at `/Statement/Condition/StringEqualz`: unknown condition operator `StringEqualz`\n")
    );
}

/// Parses CSV output into records (header first)
fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn every_query_command_and_format_on_both_fixtures() {
    let sqs = "arn:aws:sqs:eu-west-1:210000000101:payments-events";
    let queries: [(&str, Vec<&str>, usize); 4] = [
        (
            "cookbook",
            vec![
                "who-can",
                "s3:ListBucket",
                "--account",
                "aws-sec-cookbook-1",
            ],
            2,
        ),
        (
            "acme",
            vec![
                "who-can",
                "sqs:SendMessage",
                "--resource",
                sqs,
                "--account",
                "acme-prod",
            ],
            // 9 through assignments in acme-prod, and 4 through
            // OrganizationAccountAccessRole there, which trusts the
            // management account: alice.martin (AdministratorAccess),
            // liam.oconnor and samir.nasser (BreakGlass) and the IAM user
            // breakglass-root-admin of acme-management.
            13,
        ),
        (
            "cookbook",
            vec!["what-can", "awsseccbadmin1", "--service", "s3"],
            5,
        ),
        (
            "acme",
            vec!["what-can", "hiro.tanaka", "--service", "sqs"],
            4,
        ),
    ];
    for (fixture, args, _) in &queries {
        let mut json_args = args.clone();
        json_args.extend(["--format", "json"]);
        let (code, json, stderr) = on(fixture, &json_args);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(
            code,
            i32::from(rows.is_empty()),
            "{fixture} {args:?}: {stderr}"
        );
        let mut csv_args = args.clone();
        csv_args.extend(["--format", "csv"]);
        let (code_csv, csv, _) = on(fixture, &csv_args);
        assert_eq!(code_csv, code);
        let records = csv_records(&csv);
        assert_eq!(
            records.len(),
            rows.len() + 1,
            "{fixture} {args:?}: header + one record per JSON row"
        );
        let (code_table, table, _) = on(fixture, args);
        assert_eq!(code_table, code);
        // Every CSV record's first two cells appear on one table line.
        for r in &records[1..] {
            assert!(
                table
                    .lines()
                    .any(|l| l.contains(&r[0]) && l.contains(&r[1])),
                "{fixture} {args:?}: {r:?} not in\n{table}"
            );
        }
    }
    // The exact row counts, so a query that lost rows in all formats fails.
    for (fixture, args, expected) in &queries {
        let mut json_args = args.clone();
        json_args.extend(["--format", "json"]);
        let rows: Vec<serde_json::Value> =
            serde_json::from_str(&on(fixture, &json_args).1).unwrap();
        assert_eq!(rows.len(), *expected, "{fixture} {args:?}");
        if args[0] == "what-can" {
            assert!(
                rows.iter().all(|r| r["service"] == args[3]),
                "--service keeps one service"
            );
        }
    }
    insta::assert_snapshot!("acme_who_can_sqs_prod_table", on("acme", &queries[1].1).1);
}

#[test]
fn simulate_an_iam_role_of_the_snapshot() {
    let role = "arn:aws:iam::210000000101:role/acme/app/payments-api";
    let sqs = "arn:aws:sqs:eu-west-1:210000000101:payments-events";
    let args = [
        "simulate",
        "--role",
        role,
        "--action",
        "sqs:SendMessage",
        "--resource",
        sqs,
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ];
    let (code, table, stderr) = on("acme", &args);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("acme_simulate_role", table);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let (code, json, _) = on("acme", &json_args);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["decision"], "Allow");
    assert_eq!(v[0]["via"], "iam-role");
    assert_eq!(v[0]["permission_set"], serde_json::Value::Null);
    assert_eq!(
        v[0]["session_arn"],
        "arn:aws:sts::210000000101:assumed-role/payments-api/accessgraph"
    );
    assert_eq!(v[0]["principal_tags"]["team"], "payments");
    assert_eq!(v[0]["deciding"][0], "managed AcmePaymentsApi #0");
    // The role's boundary denies creating IAM users, whatever it is granted.
    let (code, table, _) = on(
        "acme",
        &["simulate", "--role", role, "--action", "iam:CreateUser"],
    );
    assert_eq!(code, 1);
    assert!(
        table.contains("ExplicitDeny")
            && table.contains("decided by: boundary policy 0 #1 (NoIamUsers)"),
        "{table}"
    );
    // An unknown role names the close ones; csv is not a simulate format.
    let (code, _, stderr) = on(
        "acme",
        &[
            "simulate",
            "--role",
            "arn:aws:iam::210000000101:role/acme/app/payment-api",
            "--action",
            "sqs:SendMessage",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean `arn:aws:iam::210000000101:role/acme/app/payments-api`"),
        "{stderr}"
    );
    let mut csv_args = args.to_vec();
    csv_args.extend(["--format", "csv"]);
    let (code, _, stderr) = on("acme", &csv_args);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'csv' for '--format <FORMAT>'")
            && stderr.contains("[possible values: table, json]"),
        "{stderr}"
    );
}
