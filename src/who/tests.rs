//! Unit tests of the who questions on a tiny organization built in code:
//! a management account, a hub and a workload account; two users of one
//! group with different ABAC teams; a permission set in the hub that may
//! assume roles, and a workload role that trusts hub sessions of team
//! `data` only.

use serde_json::json;

use super::*;
use crate::snapshot::Snapshot;

const HUB: &str = "111111111111";
const WORK: &str = "222222222222";
const PS: &str = "arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-0000000000000001";

fn org() -> Model {
    Model::build(Snapshot::from_json(&org_json().to_string()).unwrap()).unwrap()
}

fn doc(statements: serde_json::Value) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn org_json() -> serde_json::Value {
    let user = |id: &str, name: &str, team: &str| {
        json!({"id": id, "user_name": name, "emails": [], "status": "ENABLED",
               "attributes": {}, "enterprise": {"department": team}})
    };
    let snap = json!({
        "format_version": 1,
        "provenance": {"tool_version": "test", "collected_at": "2026-01-01T00:00:00Z", "source": "test"},
        "organization": {
            "id": "o-test000001", "management_account_id": "000000000000", "root_id": "r-test",
            "ous": [],
            "accounts": [
                {"id": "000000000000", "name": "mgmt", "status": "ACTIVE", "parent_id": "r-test"},
                {"id": HUB, "name": "hub", "status": "ACTIVE", "parent_id": "r-test"},
                {"id": WORK, "name": "work", "status": "ACTIVE", "parent_id": "r-test"}
            ],
            "policies": []
        },
        "identity_center": {
            "instance_arn": "arn:aws:sso:::instance/ssoins-0000000000000001",
            "identity_store_id": "d-0000000001", "home_region": "us-east-1",
            "identity_source": "IDENTITY_CENTER_DIRECTORY",
            "access_portal": {"default_url": "https://d-0000000001.awsapps.com/start"},
            "abac": {"enabled": true, "attributes": [{"key": "team", "source": "${path:enterprise.department}"}]},
            "mfa_present": false
        },
        "users": [user("u-1", "dana", "data"), user("u-2", "pete", "payments")],
        "groups": [{"id": "g-1", "name": "engineers"}],
        "memberships": [{"group_id": "g-1", "user_id": "u-1"}, {"group_id": "g-1", "user_id": "u-2"}],
        "permission_sets": [{
            "arn": PS, "name": "Hub", "session_duration": "PT1H",
            "inline_policy": doc(json!([
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}
            ]))
        }],
        "assignments": [{"account_id": HUB, "permission_set_arn": PS, "principal_type": "GROUP", "principal_id": "g-1"}],
        "iam": [{
            "account_id": WORK,
            "roles": [{
                "name": "Reader", "path": "/", "arn": format!("arn:aws:iam::{WORK}:role/Reader"),
                "trust_policy": doc(json!([{
                    "Effect": "Allow", "Principal": {"AWS": HUB}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}
                }])),
                "inline_policies": [{"name": "read", "document": doc(json!([
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/*"}
                ]))}],
                "managed_policies": []
            }]
        }],
        "resources": [{"arn": "arn:aws:s3:::lake", "account_id": WORK, "tags": {"team": "data"}, "abac": false}]
    });
    snap
}

const ON_CALL: &str = "arn:aws:iam::111111111111:role/OnCall";

/// The organization with an account access manager entitlement: group
/// engineers (dana of team data, pete of team payments) may use the hub
/// role OnCall, which trusts the service (with sts:TagSession, needed as
/// ABAC is enabled with `team`) and may assume any role
fn org_with_entitlement() -> Model {
    let mut snap = org_json();
    snap["format_version"] = json!(2);
    snap["iam"].as_array_mut().unwrap().push(json!({
        "account_id": HUB,
        "roles": [{
            "name": "OnCall", "path": "/", "arn": ON_CALL,
            "trust_policy": doc(json!([{
                "Effect": "Allow", "Principal": {"Service": "account-access.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:SetContext", "sts:TagSession"]
            }])),
            "inline_policies": [{"name": "hop", "document": doc(json!([
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
            ]))}],
            "managed_policies": []
        }]
    }));
    snap["account_access"] = json!({"applications": [{
        "arn": "arn:aws:account-access:us-east-1:000000000000:application/aam-1",
        "entitlements": [{"principal_type": "GROUP", "principal_id": "g-1", "role_arn": ON_CALL, "account_id": HUB}]
    }]});
    Model::build(Snapshot::from_json(&snap.to_string()).unwrap()).unwrap()
}

#[test]
fn a_chain_out_of_an_entitled_role_is_settled_with_each_user_s_session_tags() {
    // Hand-derived: account access manager opens OnCall for dana and pete
    // with their attributes as session tags (team data / payments). Reader
    // in WORK trusts HUB principals whose aws:PrincipalTag/team is data,
    // and OnCall's own policy allows sts:AssumeRole: dana's session may
    // assume Reader, pete's may not. Reader allows s3:GetObject on lake/*,
    // a WORK bucket with no policy: an allow row for dana in WORK through
    // the entitlement and the hop, none for pete. OnCall itself allows no
    // s3:GetObject, so without hops no entitlement row at all.
    let m = org_with_entitlement();
    let via_entitlement = |hops| -> Vec<(String, String, String, &'static str)> {
        let rows = who_can(
            &m,
            &query("s3:GetObject", Some("arn:aws:s3:::lake/x"), hops),
        )
        .rows(&m);
        rows.into_iter()
            .filter(|r| r.via.starts_with("entitlement:"))
            .map(|r| (r.principal, r.via, r.account_id, r.decision))
            .collect()
    };
    assert_eq!(
        via_entitlement(3),
        [(
            "dana".to_owned(),
            "entitlement:aam-1 (group:engineers) → role/Reader@work".to_owned(),
            WORK.to_owned(),
            "allow"
        )]
    );
    assert!(via_entitlement(0).is_empty());
    let rows = who_can(&m, &query("s3:GetObject", Some("arn:aws:s3:::lake/x"), 3)).rows(&m);
    let row = rows
        .iter()
        .find(|r| r.via.starts_with("entitlement:"))
        .unwrap();
    let steps: Vec<(&str, &str)> = row
        .path
        .iter()
        .map(|s| (s.step, s.principal.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("entitlement", ON_CALL),
            ("assume-role", "arn:aws:iam::222222222222:role/Reader")
        ]
    );
    // What-can follows the same chain for dana, and not for pete.
    let (dana, pete) = (m.find_user("dana").unwrap(), m.find_user("pete").unwrap());
    let work = m.find_account(WORK).unwrap();
    let wq = |u| s3_in(u, work);
    let through = |u| -> Vec<(String, String, String)> {
        what_can(&m, &wq(u))
            .into_iter()
            .filter(|r| r.via.starts_with("entitlement:") && r.allowed > 0)
            .map(|r| (r.via, r.permission_set, r.access_level.to_owned()))
            .collect()
    };
    assert_eq!(
        through(dana),
        [(
            "entitlement:aam-1 (group:engineers) → role/Reader@work".to_owned(),
            "role OnCall".to_owned(),
            "read".to_owned()
        )]
    );
    assert!(through(pete).is_empty());
}

/// What-can for `user`'s S3 access in `account`, through up to three hops
fn s3_in(user: UserIx, account: AccountIx) -> WhatCanQuery {
    WhatCanQuery {
        subject: Subject::User(user),
        accounts: Some(BTreeSet::from([account])),
        service: Some("s3".into()),
        access_level: None,
        context: Vec::new(),
        max_hops: 3,
    }
}

fn query(action: &str, resource: Option<&str>, max_hops: usize) -> WhoCanQuery {
    WhoCanQuery {
        actions: vec![action.to_owned()],
        resource: resource.map(str::to_owned),
        max_hops,
        ..WhoCanQuery::default()
    }
}

#[test]
fn a_group_assignment_reaches_every_member() {
    let m = org();
    let rows = who_can(&m, &query("s3:ListAllMyBuckets", None, 0)).rows(&m);
    let who: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.principal.as_str(), r.via.as_str(), r.account_id.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("dana", "group:engineers", HUB),
            ("pete", "group:engineers", HUB)
        ]
    );
}

#[test]
fn a_chain_is_settled_per_user_tag_and_rows_are_in_the_last_account() {
    let m = org();
    let object = "arn:aws:s3:::lake/2026/a.parquet";
    let rows = who_can(&m, &query("s3:GetObject", Some(object), 3)).rows(&m);
    // dana (team data) gets through the trust policy, pete (payments) not;
    // the bucket is in WORK, so only the chained row can read it there, and
    // the Reader role itself.
    let who: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.principal.as_str(), r.account_id.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("dana", WORK),
            ("arn:aws:iam::222222222222:role/Reader", WORK)
        ]
    );
    assert_eq!(rows[0].via, "group:engineers → Hub@hub → role/Reader@work");
    assert_eq!(rows[0].decision, "allow");
    let steps: Vec<&str> = rows[0].path.iter().map(|s| s.step).collect();
    assert_eq!(steps, ["sign-in", "assume-role"]);
    // No chains: nobody in the hub reads a bucket of another account.
    let direct = who_can(&m, &query("s3:GetObject", Some(object), 0)).rows(&m);
    assert!(direct
        .iter()
        .all(|r| r.principal_type != "identity-center-user"));
}

#[test]
fn the_object_is_authorized_against_its_bucket() {
    let m = org();
    let r = m.resolve_resource("arn:aws:s3:::lake/x");
    assert_eq!(r.target, "arn:aws:s3:::lake");
    assert_eq!(r.owner.account(), Some(WORK));
    // ABAC disabled on the bucket: its tags are not aws:ResourceTag.
    assert_eq!(r.tags, crate::graph::ResourceTags::NotUsed);
    let unknown = m.resolve_resource("arn:aws:s3:::elsewhere/x");
    assert_eq!(unknown.owner, crate::graph::Owner::Unknown);
    assert_eq!(unknown.notes.len(), 1);
}

#[test]
fn simulate_and_what_can_follow_the_chain_for_the_right_user() {
    let m = org();
    let (dana, pete) = (m.find_user("dana").unwrap(), m.find_user("pete").unwrap());
    let work = m.find_account(WORK).unwrap();
    let q = SimulateQuery {
        action: "s3:GetObject",
        resource: Some("arn:aws:s3:::lake/x"),
        context: &[],
        max_hops: 3,
    };
    let paths = simulate_user(&m, dana, work, &q);
    assert_eq!(paths.len(), 1, "no assignment in WORK, one chain into it");
    assert_eq!(paths[0].answer(), Answer::Decided(Decision::Allow));
    assert_eq!(paths[0].hops.len(), 1);
    assert!(simulate_user(&m, pete, work, &q).is_empty());
    let wq = |u| s3_in(u, work);
    let rows = what_can(&m, &wq(dana));
    assert!(rows
        .iter()
        .any(|r| r.via == "group:engineers → Hub@hub → role/Reader@work"
            && r.access_level == "read"
            && r.allowed == 1));
    assert!(what_can(&m, &wq(pete)).is_empty());
}

/// An organization generated with ABAC tags, hub accounts and role chains
fn generated() -> Model {
    Model::build(crate::synth::generate(crate::synth::Params {
        accounts: 12,
        users: 400,
        groups: 30,
        permission_sets: 10,
        seed: 11,
        hubs: 1,
    }))
    .unwrap()
}

#[test]
fn streamed_rows_are_as_many_as_counted_and_in_the_order_of_the_hits() {
    let m = generated();
    for hops in [0, 3] {
        let a = who_can(&m, &query("s3:ListBucket", None, hops));
        assert!(a.hit_count() > 100, "a non-trivial answer");
        let hits: Vec<Hit> = a.hits(&m).collect();
        assert_eq!(hits.len(), a.hit_count());
        assert_eq!(a.rows_iter(&m).count(), a.len());
        // Rendered in parallel blocks, handed over in order.
        let mut blocks: Vec<Hit> = Vec::new();
        a.render_hits(&m, <[Hit]>::to_vec, |v| -> Result<(), ()> {
            blocks.extend(v);
            Ok(())
        })
        .unwrap();
        assert_eq!(blocks, hits);
        // Sorted: by user, then each user's direct paths before its chains.
        assert!(hits.windows(2).all(|w| w[0].user <= w[1].user));
        assert_eq!(
            hops > 0,
            hits.iter().any(|h| h.chain != NO_CHAIN),
            "chained hits exactly when chains are followed"
        );
    }
}

#[test]
fn one_account_is_exactly_the_full_answer_in_that_account() {
    let m = generated();
    for hops in [0, 3] {
        let all = who_can(&m, &query("s3:ListBucket", None, hops)).rows(&m);
        for account in m.account_ids() {
            let q = WhoCanQuery {
                accounts: Some(BTreeSet::from([account])),
                ..query("s3:ListBucket", None, hops)
            };
            let id = &m.account(account).id;
            let want: Vec<&WhoCanRow> = all.iter().filter(|r| &r.account_id == id).collect();
            let got = who_can(&m, &q).rows(&m);
            assert_eq!(
                got.iter().collect::<Vec<_>>(),
                want,
                "account {id}, {hops} hops"
            );
        }
    }
}
