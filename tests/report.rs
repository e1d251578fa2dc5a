//! `accessgraph report` on the bundled fixtures: the cookbook's one row, the
//! acme reviews pinned with insta, CSV that parses back, spreadsheet
//! formulas neutralized, filters, and every format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod common;
use common::*;

use std::collections::BTreeMap;

/// CSV records as header-keyed maps (the csv crate reads it back)
fn records(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), header.len(), "every record has every column");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

#[test]
fn the_cookbook_review_has_exactly_the_recipe_row() {
    let (code, csv, stderr) = on("cookbook", &["report", "assignments", "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    let rows = records(&csv);
    assert_eq!(rows.len(), 1, "{csv}");
    let r = &rows[0];
    let want = [
        ("as_of_utc", "2026-11-20T10:00:00Z"),
        ("identity_store_id", "d-9067cb0001"),
        ("user_name", "awsseccbadmin1"),
        ("display_name", "Cookbook Admin"),
        ("email", "awsseccbadmin1@example.com"),
        ("user_status", "ENABLED"),
        ("target_type", "AWS_ACCOUNT"),
        ("access_path", "GROUP"),
        ("group_name", "awsseccbadmins"),
        ("permission_set_name", "AdministratorAccess"),
        ("application_arn", ""),
        ("application_name", ""),
        ("role_arn", ""),
        ("entitlement_status", ""),
        ("account_id", "222222222222"),
        ("account_name", "aws-sec-cookbook-1"),
        ("ou_path", "Root"),
        ("aws_managed_policies", "AdministratorAccess"),
        ("customer_managed_policies", ""),
        ("has_inline_policy", "false"),
        ("permissions_boundary", ""),
        ("session_duration", "PT1H"),
        ("privilege_level", "admin"),
        ("privilege_detail", ""),
        ("is_privileged", "true"),
        ("abac_attributes", ""),
        ("reviewer", ""),
        ("decision", ""),
        ("decision_date", ""),
        ("justification", ""),
        ("ticket", ""),
    ];
    for (k, v) in want {
        assert_eq!(r[k], v, "column {k}");
    }
    assert_eq!(r.len(), 35);
    // The same row in every other format.
    let (_, json, _) = on("cookbook", &["report", "assignments", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["user_name"], "awsseccbadmin1");
    assert_eq!(v[0]["is_privileged"], true);
    let (_, md, _) = on(
        "cookbook",
        &["report", "assignments", "--format", "markdown"],
    );
    insta::assert_snapshot!("cookbook_assignments_markdown", md);
    let (_, util, _) = on(
        "cookbook",
        &[
            "report",
            "assignments",
            "--layout",
            "aws-sso-util",
            "--format",
            "csv",
        ],
    );
    insta::assert_snapshot!("cookbook_assignments_aws_sso_util", util);
}

#[test]
fn acme_reviews_match_their_reviewed_snapshots() {
    let (code, csv, _) = on("acme", &["report", "assignments", "--format", "csv"]);
    assert_eq!(code, 0);
    let rows = records(&csv);
    // 168 account rows; application rows: Acme Status open to all 33 users,
    // Acme Wiki 11 acme-developers members + gustav.lind direct, Amazon Q
    // Developer 5 acme-data-engineers, Acme Legacy CRM 3 acme-finance = 53;
    // entitlement rows: maya.patel, isabel.garcia and karin.olsen (acme-dba),
    // karin.olsen direct = 4 (the unknown user's reaches no one).
    assert_eq!(rows.len(), 168 + 53 + 4);
    let of = |t: &str| rows.iter().filter(|r| r["target_type"] == t).count();
    assert_eq!(
        (of("AWS_ACCOUNT"), of("APPLICATION"), of("ENTITLEMENT")),
        (168, 53, 4)
    );
    insta::assert_snapshot!("acme_assignments_csv", csv);
    let (_, json, _) = on("acme", &["report", "assignments", "--format", "json"]);
    let v: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(v.len(), rows.len(), "json and csv hold the same rows");
    // A user in two groups with the same permission set: once per path.
    let grace: Vec<&str> = rows
        .iter()
        .filter(|r| {
            r["user_name"] == "grace.obi@acme.example"
                && r["account_name"] == "acme-prod"
                && r["permission_set_name"] == "ReadOnlyAccess"
        })
        .map(|r| r["group_name"].as_str())
        .collect();
    assert_eq!(grace, ["acme-developers", "acme-readonly"]);
    // Privilege levels the permission sets' policies give.
    let level = |user: &str, ps: &str, account: &str| {
        rows.iter()
            .find(|r| {
                r["user_name"] == user
                    && r["permission_set_name"] == ps
                    && r["account_name"] == account
            })
            .map(|r| (r["privilege_level"].clone(), r["is_privileged"].clone()))
            .unwrap()
    };
    assert_eq!(
        level(
            "alice.martin@acme.example",
            "AdministratorAccess",
            "acme-prod"
        ),
        ("admin".into(), "true".into())
    );
    assert_eq!(
        level("alice.martin@acme.example", "PlatformEngineer", "acme-prod"),
        ("power user".into(), "true".into())
    );
    assert_eq!(
        level(
            "carlos.mendes@acme.example",
            "DataEngineer",
            "acme-data-prod"
        ),
        ("write".into(), "false".into())
    );
    // AWS's read-only job functions are read, not write (issue 17): grace
    // holds ReadOnlyAccess in acme-prod through two groups.
    assert_eq!(
        level("grace.obi@acme.example", "ReadOnlyAccess", "acme-prod"),
        ("read".into(), "false".into())
    );

    let (_, ps_csv, _) = on("acme", &["report", "permission-sets", "--format", "csv"]);
    insta::assert_snapshot!("acme_permission_sets_csv", ps_csv);
    let (_, util, _) = on(
        "acme",
        &[
            "report",
            "assignments",
            "--layout",
            "aws-sso-util",
            "--format",
            "csv",
        ],
    );
    let util_rows = records(&util);
    assert_eq!(
        util_rows.len(),
        acme_assignments(),
        "one row per stored assignment"
    );
    insta::assert_snapshot!("acme_assignments_aws_sso_util", util);
    let (_, access, _) = on(
        "acme",
        &[
            "report",
            "access",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::acme-data-analytics/report.csv",
            "--account",
            "acme-data-prod",
            "--format",
            "markdown",
        ],
    );
    insta::assert_snapshot!("acme_access_markdown", access);
}

/// The number of account assignments in the acme snapshot
fn acme_assignments() -> usize {
    let text = std::fs::read_to_string(root().join("fixtures/acme/snapshot.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["assignments"].as_array().unwrap().len()
}

#[test]
fn filters_narrow_the_review_and_unknown_names_exit_2() {
    let all = records(&on("acme", &["report", "assignments", "--format", "csv"]).1);
    let privileged = records(
        &on(
            "acme",
            &[
                "report",
                "assignments",
                "--privileged-only",
                "--format",
                "csv",
            ],
        )
        .1,
    );
    assert_eq!(
        privileged.len(),
        all.iter().filter(|r| r["is_privileged"] == "true").count()
    );
    assert!(privileged.len() < all.len() && !privileged.is_empty());
    let sandbox = records(
        &on(
            "acme",
            &[
                "report",
                "assignments",
                "--ou",
                "Sandbox",
                "--format",
                "csv",
            ],
        )
        .1,
    );
    assert!(!sandbox.is_empty());
    assert!(sandbox.iter().all(|r| r["ou_path"] == "Root/Sandbox"));
    assert_eq!(
        sandbox.len(),
        all.iter()
            .filter(|r| r["ou_path"] == "Root/Sandbox")
            .count()
    );
    let group = records(
        &on(
            "acme",
            &[
                "report",
                "assignments",
                "--group",
                "acme-finance",
                "--format",
                "csv",
            ],
        )
        .1,
    );
    assert_eq!(
        group.len(),
        all.iter()
            .filter(|r| r["group_name"] == "acme-finance")
            .count()
    );
    let one = records(
        &on(
            "acme",
            &[
                "report",
                "assignments",
                "--user",
                "grace.obi@acme.example",
                "--permission-set",
                "ViewOnlyAccess",
                "--account",
                "acme-security",
                "--format",
                "csv",
            ],
        )
        .1,
    );
    assert_eq!(one.len(), 1);
    let (code, _, stderr) = on("acme", &["report", "assignments", "--group", "acme-financ"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no group `acme-financ` in the snapshot; did you mean `acme-finance`"),
        "{stderr}"
    );
    let (code, _, stderr) = on("acme", &["report", "assignments", "--format", "dot"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid value 'dot' for '--format <FORMAT>'")
            && stderr.contains("[possible values: table, csv, json, markdown, html]"),
        "{stderr}"
    );
}

#[test]
fn spreadsheet_formulas_in_names_are_neutralized() {
    let text = std::fs::read_to_string(root().join("fixtures/cookbook/snapshot.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["users"][0]["display_name"] = "=HYPERLINK(\"http://x\",\"y\")".into();
    v["groups"][0]["name"] = "@SUM(1+1)".into();
    let dir = std::env::temp_dir().join(format!("accessgraph-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("formula.json");
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let (code, csv, stderr) = on_file(
        path.to_str().unwrap(),
        &["report", "assignments", "--format", "csv"],
    );
    assert_eq!(code, 0, "{stderr}");
    let rows = records(&csv);
    assert_eq!(rows[0]["display_name"], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(rows[0]["group_name"], "'@SUM(1+1)");
    // JSON keeps the text as it is.
    let (_, json, _) = on_file(
        path.to_str().unwrap(),
        &["report", "assignments", "--format", "json"],
    );
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j[0]["display_name"], "=HYPERLINK(\"http://x\",\"y\")");
    // HTML escapes it.
    let (_, html, _) = on_file(
        path.to_str().unwrap(),
        &["report", "assignments", "--format", "html"],
    );
    assert!(html.contains("<td>=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)</td>"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// who-can and what-can CSV went through their own writers, which let a
/// user name, group name or account name that starts like a formula reach
/// the auditor's spreadsheet live (issue 17)
#[test]
fn who_can_and_what_can_csv_neutralize_formulas_too() {
    let text = std::fs::read_to_string(root().join("fixtures/cookbook/snapshot.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["users"][0]["user_name"] = "=HYPERLINK(\"http://x\",\"y\")".into();
    v["organization"]["accounts"][1]["name"] = "+cmd".into();
    let dir = std::env::temp_dir().join(format!("accessgraph-formula-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("formula.json");
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let file = path.to_str().unwrap();
    let (code, csv, stderr) = on_file(file, &["who-can", "s3:ListBucket", "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    let rows = records(&csv);
    let user: Vec<_> = rows
        .iter()
        .filter(|r| r["type"] == "identity-center-user")
        .collect();
    assert_eq!(user.len(), 1, "{csv}");
    assert_eq!(user[0]["principal"], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(user[0]["account_name"], "'+cmd");
    let (code, csv, stderr) = on_file(
        file,
        &[
            "what-can",
            "awsseccbadmin1@example.com",
            "--service",
            "s3",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let rows = records(&csv);
    assert!(!rows.is_empty(), "{csv}");
    assert!(rows.iter().all(|r| r["account_name"] == "'+cmd"), "{csv}");
    // JSON keeps the text as it is.
    let (_, json, _) = on_file(file, &["who-can", "s3:ListBucket", "--format", "json"]);
    assert!(json.contains("\"principal\":\"=HYPERLINK("), "{json}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_html_review_is_self_contained_with_counts_and_chart() {
    let (code, html, _) = on("acme", &["report", "assignments", "--format", "html"]);
    assert_eq!(code, 0);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no external files"
    );
    let rows_table = &html[html.find("<table id=\"rows\">").unwrap()..];
    assert_eq!(
        rows_table.matches("<tr>").count(),
        225 + 1,
        "header + every row"
    );
    let chart = &html[html.find("<svg id=\"chart\"").unwrap()..html.find("</svg>").unwrap()];
    // One bar segment per (account, level) with rows.
    let csv = on("acme", &["report", "assignments", "--format", "csv"]).1;
    let segments: std::collections::BTreeSet<(String, String)> = records(&csv)
        .into_iter()
        .filter(|r| r["target_type"] != "APPLICATION")
        .map(|r| (r["account_id"].clone(), r["privilege_level"].clone()))
        .collect();
    assert_eq!(chart.matches("<rect ").count(), segments.len());
    assert!(html.contains("<p id=\"summary\">225 user access paths as of 2026-11-20T10:00:00Z"));
}
