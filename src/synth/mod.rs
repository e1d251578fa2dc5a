//! This module generates deterministic synthetic organizations for tests
//! and benchmarks (`accessgraph generate-org`): an OU tree, SCPs, a few large
//! team groups and many small project groups, users in several groups with
//! ABAC attributes, permission sets mixing AWS managed, inline and
//! conditional (ABAC) policies, some boundaries, group and user assignments.
//! No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;

use crate::json::JsonValue;
use crate::snapshot::{
    Abac, AbacAttribute, AccessPortal, Account, Assignment, Boundary, Email, Group, IdentityCenter,
    IdentitySource, Membership, OrgPolicy, OrgPolicyType, Organization, Ou, PermissionSet,
    PrincipalType, Provenance, Snapshot, User, UserStatus, FORMAT_VERSION,
};

/// The size and seed of a synthetic organization
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Member accounts (plus the management account)
    pub accounts: usize,
    /// Users
    pub users: usize,
    /// Groups
    pub groups: usize,
    /// Permission sets
    pub permission_sets: usize,
    /// Seed: the same parameters and seed give the same snapshot
    pub seed: u64,
    /// Hub accounts people sign in to and deploy from: each has a
    /// `HubDeploy` permission set for a few teams and an IAM role
    /// `deploy/CiRole`, and every member account gets a `deploy/DeployRole`
    /// trusting its hub's `HubDeploy` sessions of the account's team and
    /// the hub's CiRole (0: none, and the rest of the organization is the
    /// same whatever the number)
    pub hubs: usize,
}

/// The teams whose groups get `HubDeploy` in a hub (team `i` in hub `i % hubs`)
const HUB_TEAMS: &[&str] = &["platform", "infra", "security", "identity"];

/// SplitMix64: tiny, fast, and its sequence is fixed forever (a crate's
/// generator may change between versions, which would change every
/// benchmark organization)
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const TEAMS: &[&str] = &[
    "payments", "data", "platform", "web", "mobile", "search", "ml", "security", "billing",
    "identity", "growth", "infra", "support", "risk", "ledger", "catalog", "checkout", "maps",
    "media", "ads",
];

const JOB_FUNCTIONS: &[&str] = &[
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/SecurityAudit",
    "arn:aws:iam::aws:policy/job-function/Billing",
    "arn:aws:iam::aws:policy/job-function/DatabaseAdministrator",
    "arn:aws:iam::aws:policy/job-function/NetworkAdministrator",
];

fn doc(text: &str) -> JsonValue {
    // INVARIANT: every template below is valid JSON (tested).
    JsonValue::parse(text).unwrap_or(JsonValue::Null)
}

fn inline_policy(rng: &mut Rng, i: usize) -> JsonValue {
    let services = [
        "s3",
        "sqs",
        "dynamodb",
        "lambda",
        "logs",
        "sns",
        "kms",
        "secretsmanager",
        "ec2",
        "ssm",
    ];
    let a = services[i % services.len()];
    let b = services[(i * 7 + 3) % services.len()];
    match rng.below(4) {
        0 => doc(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"TeamResources","Effect":"Allow","Action":["{a}:Get*","{a}:List*","{a}:Describe*","{a}:Put*"],"Resource":"*","Condition":{{"StringEquals":{{"aws:ResourceTag/team":"${{aws:PrincipalTag/team}}"}}}}}},{{"Sid":"ReadAll","Effect":"Allow","Action":["{b}:List*","{b}:Describe*"],"Resource":"*"}}]}}"#
        )),
        1 => doc(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"TeamBuckets","Effect":"Allow","Action":["s3:ListBucket","s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::team-${{aws:PrincipalTag/team}}-*","arn:aws:s3:::team-${{aws:PrincipalTag/team}}-*/*"]}},{{"Sid":"CostCenter","Effect":"Allow","Action":"{a}:*","Resource":"*","Condition":{{"StringEquals":{{"aws:ResourceTag/CostCenter":"${{aws:PrincipalTag/CostCenter}}"}}}}}}]}}"#
        )),
        2 => doc(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Service","Effect":"Allow","Action":["{a}:*","{b}:Get*"],"Resource":"*"}},{{"Sid":"NoDelete","Effect":"Deny","Action":"{a}:Delete*","Resource":"*","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"false"}}}}}}]}}"#
        )),
        _ => doc(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Ops","Effect":"Allow","Action":["{a}:List*","{a}:Describe*","{a}:Get*","cloudwatch:Get*","cloudwatch:List*"],"Resource":"*","Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}]}}"#
        )),
    }
}

/// Builds the organization
pub fn generate(p: Params) -> Snapshot {
    let mut rng = Rng(p.seed ^ 0x005e_ed00_00ac_ce55);
    let org_id = "o-synth00001".to_owned();
    let root_id = "r-syn1".to_owned();
    let management = "100000000000".to_owned();

    // OU tree: five top OUs, each with sub-OUs of about 50 accounts.
    let tops = ["Prod", "NonProd", "Sandbox", "Security", "Infrastructure"];
    let mut ous = Vec::new();
    for (t, name) in tops.iter().enumerate() {
        ous.push(Ou {
            id: format!("ou-syn1-top{t:05}"),
            name: (*name).to_owned(),
            parent_id: root_id.clone(),
        });
    }
    let subs_per_top = (p.accounts / 50 / tops.len()).max(1);
    for (t, top) in tops.iter().enumerate() {
        for s in 0..subs_per_top {
            ous.push(Ou {
                id: format!("ou-syn1-s{t}{s:04}"),
                name: format!("{top}-{s}"),
                parent_id: format!("ou-syn1-top{t:05}"),
            });
        }
    }
    let mut accounts = vec![Account {
        id: management.clone(),
        name: "management".into(),
        email: Some("aws-management@example.com".into()),
        status: "ACTIVE".into(),
        parent_id: root_id.clone(),
        tags: BTreeMap::new(),
    }];
    for a in 0..p.accounts {
        let t = a % tops.len();
        let sub = (a / tops.len()) % subs_per_top;
        let team = TEAMS[a % TEAMS.len()];
        let mut tags = BTreeMap::new();
        tags.insert(
            "env".to_owned(),
            ["prod", "dev", "sandbox", "security", "infra"][t].to_owned(),
        );
        tags.insert("team".to_owned(), team.to_owned());
        accounts.push(Account {
            id: format!("{:012}", 200_000_000_000u64 + a as u64),
            name: format!("{}-{team}-{a:04}", tops[t].to_lowercase()),
            email: Some(format!("aws-{a:04}@example.com")),
            status: "ACTIVE".into(),
            parent_id: format!("ou-syn1-s{t}{sub:04}"),
            tags,
        });
    }
    let mut targets: Vec<String> = vec![root_id.clone()];
    targets.extend(ous.iter().map(|o| o.id.clone()));
    targets.extend(accounts.iter().map(|a| a.id.clone()));
    let policies = vec![
        OrgPolicy {
            id: "p-FullAWSAccess".into(),
            name: "FullAWSAccess".into(),
            policy_type: OrgPolicyType::ServiceControlPolicy,
            aws_managed: true,
            description: None,
            content: doc(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            ),
            targets,
        },
        OrgPolicy {
            id: "p-synthregion1".into(),
            name: "DenyOutsideEU".into(),
            policy_type: OrgPolicyType::ServiceControlPolicy,
            aws_managed: false,
            description: None,
            content: doc(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*","support:*","cloudfront:*","route53:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}]}"#,
            ),
            targets: vec![root_id.clone()],
        },
        OrgPolicy {
            id: "p-synthleave1".into(),
            name: "DenyLeaveOrganization".into(),
            policy_type: OrgPolicyType::ServiceControlPolicy,
            aws_managed: false,
            description: None,
            content: doc(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#,
            ),
            targets: vec![root_id.clone()],
        },
    ];

    // Users with ABAC attributes; a few without, a few disabled.
    let mut users = Vec::with_capacity(p.users);
    for u in 0..p.users {
        let mut enterprise = BTreeMap::new();
        if !rng.chance(3) {
            enterprise.insert(
                "department".to_owned(),
                TEAMS[rng.below(TEAMS.len())].to_owned(),
            );
        }
        if !rng.chance(5) {
            enterprise.insert("costCenter".to_owned(), format!("CC-{:04}", rng.below(50)));
        }
        users.push(User {
            id: format!("9067000000-{u:08x}-0000-4000-8000-{u:012x}"),
            user_name: format!("user{u:06}@example.com"),
            display_name: Some(format!("User {u}")),
            given_name: Some("User".into()),
            family_name: Some(format!("{u}")),
            emails: vec![Email {
                value: format!("user{u:06}@example.com"),
                email_type: Some("work".into()),
                primary: true,
            }],
            status: if rng.chance(1) {
                UserStatus::Disabled
            } else {
                UserStatus::Enabled
            },
            attributes: BTreeMap::new(),
            enterprise,
            external_ids: Vec::new(),
        });
    }

    // Groups: one large group per team, the rest small project groups.
    let n_groups = p.groups.max(TEAMS.len());
    let groups: Vec<Group> = (0..n_groups)
        .map(|g| Group {
            id: format!("9067000000-{g:08x}-1111-4000-8000-{g:012x}"),
            name: if g < TEAMS.len() {
                format!("team-{}", TEAMS[g])
            } else {
                format!("project-{g:05}")
            },
            description: None,
        })
        .collect();
    let mut memberships = Vec::new();
    for (u, user) in users.iter().enumerate() {
        let team = user
            .enterprise
            .get("department")
            .and_then(|d| TEAMS.iter().position(|t| t == d))
            .unwrap_or(u % TEAMS.len());
        memberships.push(Membership {
            group_id: groups[team].id.clone(),
            user_id: user.id.clone(),
        });
        for _ in 0..1 + rng.below(3) {
            if n_groups > TEAMS.len() {
                let g = TEAMS.len() + rng.below(n_groups - TEAMS.len());
                memberships.push(Membership {
                    group_id: groups[g].id.clone(),
                    user_id: user.id.clone(),
                });
            }
        }
    }

    // Permission sets.
    let instance = "ssoins-5e17000000000001";
    let mut permission_sets = Vec::with_capacity(p.permission_sets);
    for i in 0..p.permission_sets {
        let arn = format!("arn:aws:sso:::permissionSet/{instance}/ps-{i:016x}");
        let (name, managed, inline, boundary) = if let Some(jf) = JOB_FUNCTIONS.get(i) {
            let name = jf.rsplit('/').next().unwrap_or("Job").to_owned();
            (name, vec![(*jf).to_owned()], None, None)
        } else {
            let managed = if rng.chance(40) {
                vec![JOB_FUNCTIONS[1 + rng.below(2)].to_owned()]
            } else {
                Vec::new()
            };
            let boundary = rng.chance(10).then(|| {
                Boundary::ManagedPolicyArn("arn:aws:iam::aws:policy/PowerUserAccess".to_owned())
            });
            (
                format!("Custom{i:04}"),
                managed,
                Some(inline_policy(&mut rng, i)),
                boundary,
            )
        };
        permission_sets.push(PermissionSet {
            arn,
            name,
            description: Some(format!("synthetic permission set {i}")),
            session_duration: ["PT1H", "PT4H", "PT8H", "PT12H"][rng.below(4)].to_owned(),
            relay_state: None,
            aws_managed_policies: managed,
            customer_managed_policies: Vec::new(),
            inline_policy: inline,
            permissions_boundary: boundary,
            tags: BTreeMap::new(),
            provisioning: Vec::new(),
        });
    }

    // Assignments: team groups to their team's accounts with a few sets;
    // project groups to a few accounts; a few direct user assignments.
    let mut assignments = Vec::new();
    let member_accounts = &accounts[1..];
    for (g, group) in groups.iter().enumerate() {
        let picks: Vec<usize> = if g < TEAMS.len() {
            (0..member_accounts.len())
                .filter(|a| a % TEAMS.len() == g)
                .collect()
        } else {
            (0..1 + rng.below(5))
                .map(|_| rng.below(member_accounts.len()))
                .collect()
        };
        // A group keeps the same permission sets across its accounts, as
        // teams do (a team group gets two: a read-only one and its own).
        let sets: Vec<usize> = if g < TEAMS.len() {
            vec![
                rng.below(permission_sets.len()),
                rng.below(permission_sets.len()),
            ]
        } else {
            vec![rng.below(permission_sets.len())]
        };
        for a in picks {
            for &ps in &sets {
                assignments.push(Assignment {
                    account_id: member_accounts[a].id.clone(),
                    permission_set_arn: permission_sets[ps].arn.clone(),
                    principal_type: PrincipalType::Group,
                    principal_id: group.id.clone(),
                });
            }
        }
    }
    for u in (0..users.len()).step_by(100) {
        assignments.push(Assignment {
            account_id: member_accounts[rng.below(member_accounts.len())].id.clone(),
            permission_set_arn: permission_sets[rng.below(permission_sets.len())]
                .arn
                .clone(),
            principal_type: PrincipalType::User,
            principal_id: users[u].id.clone(),
        });
    }

    let mut snap = Snapshot {
        format_version: FORMAT_VERSION,
        provenance: Provenance {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            collected_at: "2026-01-01T00:00:00Z".into(),
            source: format!(
                "generate-org: {} accounts, {} users, {} groups, {} permission sets, seed {}",
                p.accounts, p.users, p.groups, p.permission_sets, p.seed
            ),
            errors: Vec::new(),
        },
        organization: Some(Organization {
            id: org_id,
            management_account_id: management,
            root_id,
            ous,
            accounts,
            policies,
            delegated_administrators: Vec::new(),
        }),
        identity_center: Some(IdentityCenter {
            instance_arn: format!("arn:aws:sso:::instance/{instance}"),
            identity_store_id: "d-5e17000001".into(),
            home_region: "eu-west-1".into(),
            owner_account_id: Some("100000000000".into()),
            name: Some("synthetic".into()),
            identity_source: IdentitySource::ExternalIdp,
            access_portal: AccessPortal {
                default_url: "https://d-5e17000001.awsapps.com/start".into(),
                custom_url: None,
            },
            abac: Abac {
                enabled: true,
                attributes: vec![
                    AbacAttribute {
                        key: "team".into(),
                        source: "${path:enterprise.department}".into(),
                    },
                    AbacAttribute {
                        key: "CostCenter".into(),
                        source: "${path:enterprise.costCenter}".into(),
                    },
                ],
            },
            mfa_present: false,
        }),
        users,
        groups,
        memberships,
        permission_sets,
        assignments,
        iam: Vec::new(),
        resources: Vec::new(),
        applications: Some(Vec::new()),
        account_access: None,
    };
    add_hubs(&mut snap, p.hubs);
    snap.normalize();
    snap
}

/// Adds `hubs` hub accounts, their `HubDeploy` permission set and
/// assignments, and the deploy roles with their trust policies (see
/// [`Params::hubs`]); nothing random, so the rest of the organization does
/// not change
fn add_hubs(snap: &mut Snapshot, hubs: usize) {
    use crate::snapshot::{AccountIam, IamRole, InlinePolicy};
    let Some(org) = snap.organization.as_mut() else {
        return;
    };
    if hubs == 0 {
        return;
    }
    let members: Vec<(String, String)> = org
        .accounts
        .iter()
        .filter(|a| a.id != org.management_account_id)
        .map(|a| {
            (
                a.id.clone(),
                a.tags.get("team").cloned().unwrap_or_default(),
            )
        })
        .collect();
    let hub_ids: Vec<String> = (0..hubs)
        .map(|h| format!("{:012}", 300_000_000_000u64 + h as u64))
        .collect();
    for (h, id) in hub_ids.iter().enumerate() {
        org.accounts.push(Account {
            id: id.clone(),
            name: format!("hub-{h:02}"),
            email: Some(format!("aws-hub-{h:02}@example.com")),
            status: "ACTIVE".into(),
            parent_id: "ou-syn1-top00004".into(),
            tags: BTreeMap::from([("env".to_owned(), "infra".to_owned())]),
        });
        for p in &mut org.policies {
            if p.id == "p-FullAWSAccess" {
                p.targets.push(id.clone());
            }
        }
    }
    let ps_arn =
        "arn:aws:sso:::permissionSet/ssoins-5e17000000000001/ps-hub0000000000001".to_owned();
    snap.permission_sets.push(PermissionSet {
        arn: ps_arn.clone(),
        name: "HubDeploy".into(),
        description: Some("assume the deploy roles of the team's accounts".into()),
        session_duration: "PT1H".into(),
        relay_state: None,
        aws_managed_policies: Vec::new(),
        customer_managed_policies: Vec::new(),
        inline_policy: Some(doc(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"AssumeDeployRoles","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/deploy/*"}]}"#,
        )),
        permissions_boundary: None,
        tags: BTreeMap::new(),
        provisioning: Vec::new(),
    });
    for (i, team) in HUB_TEAMS.iter().enumerate() {
        if let Some(g) = snap
            .groups
            .iter()
            .find(|g| g.name == format!("team-{team}"))
        {
            snap.assignments.push(Assignment {
                account_id: hub_ids[i % hubs].clone(),
                permission_set_arn: ps_arn.clone(),
                principal_type: PrincipalType::Group,
                principal_id: g.id.clone(),
            });
        }
    }
    let role =
        |account: &str, name: &str, trust: String, inline: String, managed: Vec<String>| IamRole {
            name: name.to_owned(),
            path: "/deploy/".into(),
            arn: format!("arn:aws:iam::{account}:role/deploy/{name}"),
            id: Some(format!("AROA{account}{:05}", name.len())),
            trust_policy: doc(&trust),
            inline_policies: vec![InlinePolicy {
                name: "permissions".into(),
                document: doc(&inline),
            }],
            managed_policies: managed,
            permissions_boundary: None,
            tags: BTreeMap::new(),
        };
    for id in &hub_ids {
        snap.iam.push(AccountIam {
            account_id: id.clone(),
            roles: vec![role(
                id,
                "CiRole",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#.into(),
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/deploy/DeployRole"}]}"#.into(),
                Vec::new(),
            )],
            users: Vec::new(),
            groups: Vec::new(),
            policies: Vec::new(),
        });
    }
    for (a, (id, team)) in members.iter().enumerate() {
        let hub = &hub_ids[HUB_TEAMS.iter().position(|t| t == team).unwrap_or(a) % hubs];
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"TeamFromHub","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{hub}:root"}},"Action":"sts:AssumeRole","Condition":{{"ArnLike":{{"aws:PrincipalArn":"arn:aws:iam::{hub}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_HubDeploy_*"}},"StringEquals":{{"aws:PrincipalTag/team":"{team}"}}}}}},{{"Sid":"HubCi","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{hub}:role/deploy/CiRole"}},"Action":"sts:AssumeRole"}}]}}"#
        );
        snap.iam.push(AccountIam {
            account_id: id.clone(),
            roles: vec![role(
                id,
                "DeployRole",
                trust,
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoIamUsers","Effect":"Deny","Action":["iam:CreateUser","iam:CreateAccessKey"],"Resource":"*"}]}"#.into(),
                vec!["arn:aws:iam::aws:policy/PowerUserAccess".to_owned()],
            )],
            users: Vec::new(),
            groups: Vec::new(),
            policies: Vec::new(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_snapshot_and_it_builds() {
        let p = Params {
            accounts: 60,
            users: 300,
            groups: 40,
            permission_sets: 30,
            seed: 7,
            hubs: 0,
        };
        let a = generate(p);
        assert_eq!(a, generate(p));
        assert_ne!(a, generate(Params { seed: 8, ..p }));
        assert_eq!(a.organization.as_ref().unwrap().accounts.len(), 61);
        assert_eq!(a.users.len(), 300);
        assert!(a.permission_sets.iter().all(|ps| ps
            .inline_policy
            .as_ref()
            .is_none_or(|d| *d != JsonValue::Null)));
        let model = crate::graph::Model::build(a.clone()).unwrap();
        assert!(model.user_ids().filter(|&u| model.has_access(u)).count() > 250);
        // Hubs add to the organization and change nothing else in it.
        let h = generate(Params { hubs: 2, ..p });
        assert_eq!(h.users, a.users);
        assert_eq!(h.organization.as_ref().unwrap().accounts.len(), 63);
        assert_eq!(h.iam.len(), 62);
        assert!(h.assignments.len() == a.assignments.len() + HUB_TEAMS.len());
        crate::graph::Model::build(h).unwrap();
    }
}
