//! Unit tests of the factorized access: what the model expands on demand
//! (a user's paths, a pair's users, the pairs' order, the tag classes of a
//! pair) equals the relation expanded the plain way from the snapshot's
//! assignments and memberships, by the rule Identity Center applies: a user
//! reaches (permission set, account) through each USER assignment naming it
//! and through each GROUP assignment to a group it is a member of.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::synth::{generate, Params};

/// The relation expanded the plain way: per user, sorted and deduplicated
fn expanded(m: &Model) -> Vec<Vec<Access>> {
    let s = m.snapshot();
    let mut out = vec![Vec::new(); s.users.len()];
    for a in &s.assignments {
        let (Some(acct), Some(ps)) = (
            m.find_account_id(&a.account_id),
            m.permission_set_by_arn(&a.permission_set_arn),
        ) else {
            continue;
        };
        match a.principal_type {
            PrincipalType::User => {
                if let Some(u) = m.user_by_id(&a.principal_id) {
                    out[u.index()].push(Access {
                        account: acct,
                        permission_set: ps,
                        via: Via::Direct,
                    });
                }
            }
            PrincipalType::Group => {
                if let Some(g) = m.group_by_id(&a.principal_id) {
                    for ms in s
                        .memberships
                        .iter()
                        .filter(|x| x.group_id == a.principal_id)
                    {
                        if let Some(u) = m.user_by_id(&ms.user_id) {
                            out[u.index()].push(Access {
                                account: acct,
                                permission_set: ps,
                                via: Via::Group(g),
                            });
                        }
                    }
                }
            }
        }
    }
    for v in &mut out {
        v.sort_unstable();
        v.dedup();
    }
    out
}

fn check_against_expansion(m: &Model) {
    let plain = expanded(m);
    // Each user's paths.
    for (u, want) in m.user_ids().zip(&plain) {
        assert_eq!(&m.access(u), want, "paths of user {u:?}");
        assert_eq!(
            m.has_access(u),
            !want.is_empty(),
            "has_access of user {u:?}"
        );
    }
    // The pairs: those some user reaches, in order of first appearance.
    let mut order: Vec<(PermissionSetIx, AccountIx)> = Vec::new();
    let mut users_of: BTreeMap<(PermissionSetIx, AccountIx), Vec<(UserIx, Via)>> = BTreeMap::new();
    for (u, list) in m.user_ids().zip(&plain) {
        for a in list {
            let key = (a.permission_set, a.account);
            if !order.contains(&key) {
                order.push(key);
            }
            users_of.entry(key).or_default().push((u, a.via));
        }
    }
    assert_eq!(m.pairs(), order.as_slice(), "pair order");
    for (p, key) in m.pair_ids().zip(&order) {
        let mut want = users_of[key].clone();
        want.sort_unstable();
        assert_eq!(m.pair_users(p), want, "users of pair {p:?}");
        // Tag classes in order of first appearance among the pair's users.
        let mut classes: Vec<(u32, UserIx)> = Vec::new();
        for &(u, _) in &want {
            let c = m.tag_class(u);
            if !classes.iter().any(|&(x, _)| x == c) {
                classes.push((c, u));
            }
        }
        assert_eq!(m.pair_classes(p), classes, "classes of pair {p:?}");
    }
}

#[test]
fn factorized_access_equals_the_plain_expansion_on_generated_organizations() {
    for seed in 1..=4 {
        let snap = generate(Params {
            accounts: 12,
            users: 300,
            groups: 25,
            permission_sets: 9,
            seed,
            hubs: 0,
        });
        let m = Model::build(snap).unwrap();
        assert!(
            m.pairs().len() > 10,
            "seed {seed}: a non-trivial organization"
        );
        let classes: BTreeSet<u32> = m.user_ids().map(|u| m.tag_class(u)).collect();
        assert!(classes.len() > 1, "seed {seed}: several ABAC tag classes");
        check_against_expansion(&m);
    }
}

#[test]
fn an_assignment_is_resolved_by_id_only_and_a_dangling_one_is_kept_for_lint() {
    let mut snap = generate(Params {
        accounts: 3,
        users: 20,
        groups: 3,
        permission_sets: 2,
        seed: 3,
        hubs: 0,
    });
    let name = snap.users[0].user_name.clone();
    let mut a = snap.assignments[0].clone();
    a.principal_type = PrincipalType::User;
    // The user's name where its id belongs: AWS would not resolve it.
    a.principal_id = name.clone();
    snap.assignments.push(a);
    let dangling = snap.assignments.len() - 1;
    let m = Model::build(snap).unwrap();
    assert_eq!(m.dangling_assignments(), vec![dangling]);
    check_against_expansion(&m);
    // lint names it, with the user name it was given as an id.
    let findings = crate::query::lint::lint(&m, Default::default());
    let named: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "dangling-reference" && f.message.contains(&name))
        .collect();
    assert_eq!(named.len(), 1, "{findings:?}");
    assert!(
        named[0].message.contains("names unknown user"),
        "{:?}",
        named[0]
    );
}

#[test]
fn a_user_both_direct_and_through_a_group_has_two_paths_and_one_pair() {
    let mut snap = generate(Params {
        accounts: 3,
        users: 20,
        groups: 3,
        permission_sets: 2,
        seed: 5,
        hubs: 0,
    });
    let g = snap
        .assignments
        .iter()
        .find(|a| a.principal_type == PrincipalType::Group)
        .unwrap()
        .clone();
    let member = snap
        .memberships
        .iter()
        .find(|m| m.group_id == g.principal_id)
        .unwrap()
        .user_id
        .clone();
    let mut direct = g.clone();
    direct.principal_type = PrincipalType::User;
    direct.principal_id = member.clone();
    snap.assignments.push(direct);
    // A duplicate of the group assignment changes nothing.
    snap.assignments.push(g.clone());
    let m = Model::build(snap).unwrap();
    let u = m.user_by_id(&member).unwrap();
    let (ps, acct) = (
        m.permission_set_by_arn(&g.permission_set_arn).unwrap(),
        m.find_account_id(&g.account_id).unwrap(),
    );
    let paths: Vec<Via> = m
        .access(u)
        .into_iter()
        .filter(|a| (a.permission_set, a.account) == (ps, acct))
        .map(|a| a.via)
        .collect();
    assert_eq!(paths.len(), 2, "direct and through the group: {paths:?}");
    assert!(paths.contains(&Via::Direct));
    assert_eq!(
        m.user_pairs(u).iter().filter(|&&p| p == (ps, acct)).count(),
        1
    );
    check_against_expansion(&m);
}

/// Found by the `snapshot_model` fuzz target: the per-user tables were sized
/// by the id map, which is shorter than the user table when an id repeats,
/// and the first query indexed past the end
#[test]
fn a_repeated_user_or_group_id_does_not_break_the_model() {
    let mut snap = generate(Params {
        accounts: 3,
        users: 20,
        groups: 3,
        permission_sets: 2,
        seed: 2,
        hubs: 0,
    });
    let mut twin = snap.users[0].clone();
    twin.user_name = "twin".into();
    snap.users.push(twin);
    let g = snap.groups[0].clone();
    snap.groups.push(g);
    let m = Model::build(snap).unwrap();
    for u in m.user_ids() {
        let _ = m.access(u);
        let _ = m.has_access(u);
    }
    let q = crate::who::WhoCanQuery {
        actions: vec!["s3:ListBucket".into()],
        ..Default::default()
    };
    let a = crate::who::who_can(&m, &q);
    assert_eq!(a.rows_iter(&m).count(), a.len());
    // lint names both repeats.
    let dup: Vec<String> = crate::query::lint::lint(&m, Default::default())
        .into_iter()
        .filter(|f| f.code == "duplicate-id")
        .map(|f| f.subject)
        .collect();
    assert_eq!(dup.len(), 2, "{dup:?}");
    assert!(dup.iter().any(|s| s.starts_with("user `")));
    assert!(dup.iter().any(|s| s.starts_with("group `")));
}
