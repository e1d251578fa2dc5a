//! Graphviz output of the organization model, or of one user's access.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::graph::{GroupIx, Model, UserIx, Via};
use crate::who::chain::{role_label, EdgeFrom, Hop};

fn q(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// Where a user's access starts in the drawing: the user node `un`, or the
/// group it has the access through (the group and the membership edge
/// added)
fn start(
    model: &Model,
    un: &str,
    via: Via,
    groups: &mut BTreeSet<GroupIx>,
    edges: &mut BTreeSet<(String, String, String)>,
) -> String {
    match via {
        Via::Direct => un.to_owned(),
        Via::Group(gi) => {
            groups.insert(gi);
            let gn = format!("group:{}", model.snapshot().groups[gi].name);
            edges.insert((un.to_owned(), gn.clone(), String::new()));
            gn
        }
    }
}

/// The model as DOT: users → groups → accounts (edges labelled with the
/// permission set), users or groups → the roles account access manager
/// entitles them to (`entitlement <application>`), the OU tree, and the
/// `sts:AssumeRole` trust edges from
/// accounts (their Identity Center sessions) and IAM principals to roles
/// (dashed); with `user`, only that user's access
pub fn render(model: &Model, user: Option<UserIx>, trust: &[(EdgeFrom, Hop)]) -> String {
    let mut s =
        String::from("digraph accessgraph {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    let users: Vec<UserIx> = match user {
        Some(u) => vec![u],
        None => model.user_ids().collect(),
    };
    let mut groups = BTreeSet::new();
    let mut accounts = BTreeSet::new();
    let mut edges = BTreeSet::new();
    let mut entitled = BTreeSet::new();
    for &u in &users {
        let un = format!("user:{}", model.snapshot().users[u].user_name);
        for a in &model.access(u) {
            let acct = format!("account:{}", model.accounts()[a.account].name);
            accounts.insert(a.account);
            let ps = &model.snapshot().permission_sets[a.permission_set].name;
            let from = start(model, &un, a.via, &mut groups, &mut edges);
            edges.insert((from, acct, ps.clone()));
        }
        let _ = writeln!(
            s,
            "  {} [shape=ellipse, label={}];",
            q(&un),
            q(&model.snapshot().users[u].user_name)
        );
        // Account access manager: the user (or its group) to the role.
        for e in crate::who::entitlement::sessions(model, crate::who::Subject::User(u), &[]) {
            let from = start(model, &un, e.through, &mut groups, &mut edges);
            entitled.insert(e.role);
            let to = format!("iam:{}", model.iam_principals()[e.role].arn);
            edges.insert((from, to, format!("entitlement {}", e.application)));
        }
    }
    for gi in &groups {
        let g = &model.snapshot().groups[*gi];
        let _ = writeln!(
            s,
            "  {} [shape=box, style=rounded, label={}];",
            q(&format!("group:{}", g.name)),
            q(&g.name)
        );
    }
    for ai in &accounts {
        let a = &model.accounts()[*ai];
        let _ = writeln!(
            s,
            "  {} [shape=box3d, label={}];",
            q(&format!("account:{}", a.name)),
            q(&format!("{}\n{}", a.name, a.id))
        );
    }
    if user.is_none() {
        if let Some(org) = &model.snapshot().organization {
            let _ = writeln!(s, "  {} [shape=folder, label=\"Root\"];", q(&org.root_id));
            for ou in &org.ous {
                let _ = writeln!(s, "  {} [shape=folder, label={}];", q(&ou.id), q(&ou.name));
                let _ = writeln!(s, "  {} -> {} [style=dotted];", q(&ou.parent_id), q(&ou.id));
            }
            for a in &org.accounts {
                let an = format!("account:{}", a.name);
                if !model
                    .find_account(&a.id)
                    .is_some_and(|i| accounts.contains(&i))
                {
                    let _ = writeln!(
                        s,
                        "  {} [shape=box3d, label={}];",
                        q(&an),
                        q(&format!("{}\n{}", a.name, a.id))
                    );
                }
                let _ = writeln!(s, "  {} -> {} [style=dotted];", q(&a.parent_id), q(&an));
            }
        }
    }
    let mut roles = entitled;
    let mut trust_lines = BTreeSet::new();
    for (from, hop) in trust {
        let from = match *from {
            EdgeFrom::Pair(ps, acct) => {
                if !accounts.contains(&acct) {
                    // A pair of the organization view with no user shown.
                    accounts.insert(acct);
                    let a = &model.accounts()[acct];
                    let _ = writeln!(
                        s,
                        "  {} [shape=box3d, label={}];",
                        q(&format!("account:{}", a.name)),
                        q(&format!("{}\n{}", a.name, a.id))
                    );
                }
                (
                    format!("account:{}", model.accounts()[acct].name),
                    format!(
                        "{} ⇒ sts:AssumeRole",
                        model.snapshot().permission_sets[ps].name
                    ),
                )
            }
            EdgeFrom::Iam(i) => {
                roles.insert(i);
                (
                    format!("iam:{}", model.iam_principals()[i].arn),
                    "sts:AssumeRole".to_owned(),
                )
            }
        };
        roles.insert(hop.role);
        let label = match &hop.condition {
            Some(c) => format!("{} if {c}", from.1),
            None => from.1,
        };
        trust_lines.insert((
            from.0,
            format!("iam:{}", model.iam_principals()[hop.role].arn),
            label,
        ));
    }
    for i in &roles {
        let p = &model.iam_principals()[*i];
        let shape = match p.kind {
            crate::graph::IamKind::Role => "component",
            crate::graph::IamKind::User => "ellipse",
        };
        let _ = writeln!(
            s,
            "  {} [shape={shape}, label={}];",
            q(&format!("iam:{}", p.arn)),
            q(&role_label(model, *i))
        );
    }
    for (from, to, label) in &trust_lines {
        let _ = writeln!(
            s,
            "  {} -> {} [style=dashed, label={}];",
            q(from),
            q(to),
            q(label)
        );
    }
    for (from, to, label) in &edges {
        if label.is_empty() {
            let _ = writeln!(s, "  {} -> {};", q(from), q(to));
        } else {
            let _ = writeln!(s, "  {} -> {} [label={}];", q(from), q(to), q(label));
        }
    }
    s.push_str("}\n");
    s
}
