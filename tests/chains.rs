//! Role chains end to end on the hubspoke fixture: a chain exists only
//! through the trust policies that make it (take one away and its users go),
//! loops end, `--max-hops` bounds the length, and bad input exits 2.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use common::{on, on_file, root};
use serde_json::Value;

const ARCHIVE: &str = "arn:aws:s3:::hs-archive/2026/12/01.tar";

fn hubspoke() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/hubspoke/snapshot.json")).unwrap(),
    )
    .unwrap()
}

/// The role of the fixture's IAM data with this ARN
fn role_mut<'a>(snap: &'a mut Value, arn: &str) -> &'a mut Value {
    snap["iam"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|a| a["roles"].as_array_mut().unwrap().iter_mut())
        .find(|r| r["arn"] == arn)
        .unwrap_or_else(|| panic!("no role {arn}"))
}

fn write(name: &str, snap: &Value) -> String {
    let dir = std::env::temp_dir().join(format!("accessgraph-chains-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(snap).unwrap()).unwrap();
    p.display().to_string()
}

fn rows(out: &str) -> Vec<Value> {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn users_via(rows: &[Value], role: &str) -> Vec<String> {
    let mut v: Vec<String> = rows
        .iter()
        .filter(|r| r["via"].as_str().unwrap_or_default().contains(role))
        .map(|r| r["principal"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn removing_a_trust_statement_removes_the_users_it_let_in() {
    let ask = [
        "who-can",
        "s3:PutObject",
        "--resource",
        ARCHIVE,
        "--format",
        "json",
    ];
    let (code, out, _) = on("hubspoke", &ask);
    assert_eq!(code, 0);
    let before = rows(&out);
    // ana: HubAccess@hs-identity → ProdDeploy → DataWriter → Archive.
    assert_eq!(
        users_via(&before, "role/Archive@hs-staging"),
        [
            "ana",
            "arn:aws:iam::300000000010:role/spoke/ProdDeploy",
            "arn:aws:iam::300000000020:role/spoke/DataWriter",
        ]
    );
    let ana = before
        .iter()
        .find(|r| r["principal"] == "ana")
        .expect("ana reaches hs-archive");
    let steps: Vec<&str> = ana["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["sign-in", "assume-role", "assume-role", "assume-role"]
    );
    assert_eq!(ana["account_id"], "300000000011", "the last role's account");

    // The second hop's trust statement gone: ana and ProdDeploy no longer
    // reach Archive (DataWriter itself still does).
    let mut snap = hubspoke();
    role_mut(&mut snap, "arn:aws:iam::300000000020:role/spoke/DataWriter")["trust_policy"]
        ["Statement"] = Value::Array(Vec::new());
    let f = write("no-datawriter-trust.json", &snap);
    let (_, out, _) = on_file(&f, &ask);
    let after = rows(&out);
    assert_eq!(
        users_via(&after, "role/Archive@hs-staging"),
        ["arn:aws:iam::300000000020:role/spoke/DataWriter"]
    );
    assert!(after.iter().all(|r| r["principal"] != "ana"), "{after:?}");
    // Everything else stays: the chain-free rows are the same.
    let direct = |rs: &[Value]| -> Vec<Value> {
        rs.iter()
            .filter(|r| r.get("path").is_none())
            .cloned()
            .collect()
    };
    assert_eq!(direct(&before), direct(&after));
}

#[test]
fn max_hops_bounds_the_chains_and_zero_turns_them_off() {
    let ask = |hops: &str| {
        let (code, out, err) = on(
            "hubspoke",
            &[
                "who-can",
                "s3:PutObject",
                "--resource",
                ARCHIVE,
                "--max-hops",
                hops,
                "--format",
                "json",
            ],
        );
        (code, out, err)
    };
    let longest = |out: &str| {
        rows(out)
            .iter()
            .map(|r| {
                r["path"].as_array().map_or(0, |p| {
                    p.iter().filter(|s| s["step"] == "assume-role").count()
                })
            })
            .max()
            .unwrap_or(0)
    };
    let (_, three, _) = ask("3");
    assert_eq!(longest(&three), 3);
    let (_, two, _) = ask("2");
    assert_eq!(longest(&two), 2);
    assert!(rows(&two).iter().all(|r| r["principal"] != "ana"));
    let (code, zero, _) = ask("0");
    assert_eq!(code, 0);
    assert_eq!(longest(&zero), 0);
    assert!(rows(&zero).iter().all(|r| r.get("path").is_none()));
    let (code, _, err) = ask("11");
    assert_eq!(code, 2);
    assert!(err.contains("more than the 10"), "{err}");
    let (code, _, err) = ask("many");
    assert_eq!(code, 2);
    assert!(err.contains("not a number of hops"), "{err}");
}

#[test]
fn a_chain_that_loops_ends_and_enters_no_role_twice() {
    // Archive may assume anything, and ProdDeploy now also trusts Archive:
    // ProdDeploy → DataWriter → Archive → ProdDeploy is a loop.
    let mut snap = hubspoke();
    let prod_deploy = "arn:aws:iam::300000000010:role/spoke/ProdDeploy";
    let archive = "arn:aws:iam::300000000011:role/Archive";
    role_mut(&mut snap, prod_deploy)["trust_policy"]["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "Effect": "Allow", "Principal": {"AWS": archive}, "Action": "sts:AssumeRole"
        }));
    role_mut(&mut snap, archive)["inline_policies"][0]["document"]["Statement"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}));
    let f = write("loop.json", &snap);
    for hops in ["3", "10"] {
        let (code, out, err) = on_file(
            &f,
            &[
                "who-can",
                "s3:GetObject",
                "--resource",
                "arn:aws:s3:::hs-data-lake/x",
                "--max-hops",
                hops,
                "--format",
                "json",
            ],
        );
        assert_eq!(code, 0, "{err}");
        let rows = rows(&out);
        assert!(!rows.is_empty());
        for r in &rows {
            let Some(path) = r["path"].as_array() else {
                continue;
            };
            let roles: Vec<&str> = path
                .iter()
                .filter(|s| s["step"] == "assume-role")
                .map(|s| s["principal"].as_str().unwrap())
                .collect();
            let mut distinct = roles.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), roles.len(), "a role twice: {roles:?}");
            assert!(roles.len() <= hops.parse().unwrap());
        }
        // The loop opens a new way in: Archive → ProdDeploy reads the lake.
        assert!(rows.iter().any(|r| r["principal"] == archive
            && r["via"]
                .as_str()
                .unwrap()
                .ends_with("role/spoke/ProdDeploy@hs-prod")));
    }
}

#[test]
fn an_unknown_role_arn_exits_2_naming_close_roles() {
    let (code, out, err) = on(
        "hubspoke",
        &[
            "who-can",
            "sts:AssumeRole",
            "--resource",
            "arn:aws:iam::300000000010:role/spoke/ProdDeplyo",
        ],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.starts_with("error: no role `arn:aws:iam::300000000010:role/spoke/ProdDeplyo` in the IAM data of account 300000000010; did you mean `arn:aws:iam::300000000010:role/spoke/ProdDeploy`"),
        "{err}"
    );
    // An account without IAM data: answered with what the ARN says.
    let (code, out, _) = on(
        "hubspoke",
        &[
            "who-can",
            "sts:AssumeRole",
            "--resource",
            "arn:aws:iam::300000000000:role/Anything",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{out}");
}

#[test]
fn a_trust_policy_that_does_not_parse_exits_2_with_its_place() {
    let mut snap = hubspoke();
    let r = role_mut(&mut snap, "arn:aws:iam::300000000011:role/Archive");
    r["trust_policy"]["Statement"][0]["Principal"] =
        serde_json::json!({"AWS": "arn:aws:iam::*:role/x"});
    let f = write("bad-trust.json", &snap);
    let (code, out, err) = on_file(&f, &["who-can", "s3:ListBucket"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("trust policy of `arn:aws:iam::300000000011:role/Archive` (/iam/3/roles/0/trust_policy)")
            && err.contains("wildcards are not allowed in a principal ARN"),
        "{err}"
    );
}

#[test]
fn chained_profiles_and_their_check() {
    let (code, config, _) = on("hubspoke", &["profiles", "ana", "--chained"]);
    assert_eq!(code, 0);
    assert!(config.contains(
        "[profile hs-prod.ProdDeploy]\nrole_arn = arn:aws:iam::300000000010:role/spoke/ProdDeploy\nsource_profile = hs-identity.HubAccess\n"
    ), "{config}");
    // Not one hop away: no profile for DataWriter, nor for BreakGlassLocal
    // (its trust policy names the OnCall role without its path).
    assert!(!config.contains("DataWriter") && !config.contains("BreakGlassLocal"));
    let extra = "\n[profile two-hops]\nrole_arn = arn:aws:iam::300000000020:role/spoke/DataWriter\nsource_profile = hs-prod.ProdDeploy\n\n[profile denied]\nrole_arn = arn:aws:iam::300000000010:role/BreakGlassLocal\nsource_profile = hs-identity.HubAccess\n\n[profile loops]\nrole_arn = arn:aws:iam::300000000020:role/spoke/DataWriter\nsource_profile = loops\n";
    let f = write("ana.config", &Value::Null);
    std::fs::write(&f, format!("{config}{extra}")).unwrap();
    let (code, out, err) = on(
        "hubspoke",
        &[
            "profiles", "check", "--config", &f, "--user", "ana", "--format", "json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let checks = rows(&out);
    let status = |p: &str| {
        checks
            .iter()
            .find(|c| c["profile"] == p)
            .map(|c| c["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status("hs-identity.HubAccess").as_deref(), Some("ok"));
    assert_eq!(status("hs-prod.ProdDeploy").as_deref(), Some("ok"));
    assert_eq!(status("hs-prod.ProdReadOnly").as_deref(), Some("ok"));
    assert_eq!(status("two-hops").as_deref(), Some("ok"));
    assert_eq!(status("denied").as_deref(), Some("assume-denied"));
    assert_eq!(status("loops").as_deref(), Some("incomplete"));
    assert!(
        err.contains("1 role profile(s) would fail to assume their role"),
        "{err}"
    );
    // The same file for ben: his SSO profile is not HubAccess, so every
    // profile sourced from it fails at the portal.
    let (code, out, _) = on(
        "hubspoke",
        &[
            "profiles", "check", "--config", &f, "--user", "ben", "--format", "json",
        ],
    );
    assert_eq!(code, 1);
    assert!(rows(&out)
        .iter()
        .filter(|c| c["profile"] != "loops")
        .all(|c| c["status"] == "no-access"));
}
