#!/usr/bin/env python3
"""Writes fixtures/hubspoke/snapshot.json: an invented organization whose
people sign in to a hub account and reach the workload accounts through IAM
role chains (see fixtures/hubspoke/README.md). Edit this, not the snapshot.

Usage: python3 scripts/gen-hubspoke-fixture.py
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fixtures", "hubspoke", "snapshot.json")

ORG = "o-hub0000001"
ROOT_ID = "r-hub1"
MGMT, IDENT, DEPLOY, PROD, STAGING, DATA = (
    "300000000000", "300000000001", "300000000002",
    "300000000010", "300000000011", "300000000020")
INSTANCE = "ssoins-7223hub000000001"
STORE = "d-9067hub001"
SSO_PATH = "/aws-reserved/sso.amazonaws.com/"  # home region us-east-1: no region segment


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra):
    s = {"Effect": "Allow", "Action": action, "Resource": resource}
    s.update(extra)
    return s


def ps_arn(short):
    return f"arn:aws:sso:::permissionSet/{INSTANCE}/{short}"


# Permission sets: name, short id, managed, inline.
PERMISSION_SETS = [
    ("HubAccess", "ps-1000000000000001", [], doc(
        {"Sid": "AssumeSpokeRoles", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": "arn:aws:iam::*:role/spoke/*"},
        {"Sid": "TagSessions", "Effect": "Allow", "Action": "sts:TagSession", "Resource": "*"})),
    ("DataAnalyst", "ps-1000000000000002", [], doc(
        {"Sid": "AssumeDataReader", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": f"arn:aws:iam::{DATA}:role/DataReader"},
        {"Sid": "ListBuckets", "Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})),
    ("OnCall", "ps-1000000000000003", [], doc(
        {"Sid": "AssumeAnything", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})),
    ("SecurityAudit", "ps-1000000000000004", ["arn:aws:iam::aws:policy/SecurityAudit"], None),
]
SUFFIX = {"HubAccess": "a1b2c3d4e5f60001", "DataAnalyst": "a1b2c3d4e5f60002",
          "OnCall": "a1b2c3d4e5f60003", "SecurityAudit": "a1b2c3d4e5f60004"}


def sso_role_arn(account, ps):
    return f"arn:aws:iam::{account}:role{SSO_PATH}AWSReservedSSO_{ps}_{SUFFIX[ps]}"


USERS = [
    # user name, id suffix, department (team), status, groups
    ("ana", "0001", "platform", "ENABLED", ["hs-platform"]),
    ("ben", "0002", "data", "ENABLED", ["hs-data-team"]),
    ("cara", "0003", "data", "ENABLED", ["hs-data-team", "hs-oncall"]),
    ("dev", "0004", None, "ENABLED", ["hs-data-team"]),
    ("eve", "0005", "platform", "DISABLED", ["hs-platform"]),
    ("finn", "0006", "security", "ENABLED", ["hs-security"]),
]
GROUPS = {"hs-platform": "1001", "hs-data-team": "1002", "hs-oncall": "1003", "hs-security": "1004"}
ASSIGNMENTS = [
    ("hs-platform", "HubAccess", IDENT),
    ("hs-data-team", "DataAnalyst", IDENT),
    ("hs-oncall", "OnCall", IDENT),
    ("hs-security", "SecurityAudit", IDENT),
    ("hs-security", "SecurityAudit", PROD),
]


def uid(n):
    return f"9067hub001-00000000-0000-0000-0000-00000000{n}"


def gid(n):
    return f"9067hub001-10000000-0000-0000-0000-00000000{n}"


SAML_TRUST = lambda account: doc({  # noqa: E731
    "Effect": "Allow",
    "Principal": {"Federated": f"arn:aws:iam::{account}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"},
    "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
    "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}})


def role(account, path, name, trust, inline=None, managed=(), tags=None, rid=None):
    return {
        "name": name, "path": path,
        "arn": f"arn:aws:iam::{account}:role{path}{name}",
        "id": rid or ("AROA" + (account + name.upper().replace("_", "")).ljust(17, "X")[:17]),
        "trust_policy": trust,
        "inline_policies": [{"name": "permissions", "document": inline}] if inline else [],
        "managed_policies": list(managed),
        "tags": tags or {},
    }


def iam():
    hub_roles = [role(IDENT, SSO_PATH, f"AWSReservedSSO_{ps}_{SUFFIX[ps]}", SAML_TRUST(IDENT),
                      inline=(p[3] if p[3] else None), managed=p[2])
                 for p in PERMISSION_SETS for ps in [p[0]]]
    prod_roles = [
        role(PROD, SSO_PATH, f"AWSReservedSSO_SecurityAudit_{SUFFIX['SecurityAudit']}", SAML_TRUST(PROD),
             managed=["arn:aws:iam::aws:policy/SecurityAudit"]),
        # Trust names the hub's HubAccess role by its full ARN, path included.
        role(PROD, "/spoke/", "ProdDeploy", doc({
            "Sid": "FromHubAccess", "Effect": "Allow",
            "Principal": {"AWS": sso_role_arn(IDENT, "HubAccess")},
            "Action": "sts:AssumeRole"}),
            inline=doc(
                allow(["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::hs-prod-artifacts/*",
                                                         "arn:aws:s3:::hs-data-lake/*"]),
                allow("kms:Decrypt", f"arn:aws:kms:us-east-1:{DATA}:key/*"),
                {"Sid": "ToDataWriter", "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
                 "Resource": f"arn:aws:iam::{DATA}:role/spoke/DataWriter"}),
            tags={"team": "platform"}),
        # Trust names the hub account, narrowed to its SSO roles by aws:PrincipalArn.
        role(PROD, "/spoke/", "ProdReadOnly", doc({
            "Sid": "HubSsoRoles", "Effect": "Allow", "Principal": {"AWS": IDENT},
            "Action": "sts:AssumeRole",
            "Condition": {"ArnLike": {"aws:PrincipalArn":
                          f"arn:aws:iam::{IDENT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*"}}}),
            managed=["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
        # Trust names the OnCall role without its path: AWS resolves that ARN
        # to a role that does not exist, so nobody is let in.
        role(PROD, "/", "BreakGlassLocal", doc({
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{IDENT}:role/AWSReservedSSO_OnCall_{SUFFIX['OnCall']}"},
            "Action": "sts:AssumeRole"}),
            managed=["arn:aws:iam::aws:policy/AdministratorAccess"]),
        role(PROD, "/", "OrganizationAccountAccessRole", doc({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}, "Action": "sts:AssumeRole"}),
            managed=["arn:aws:iam::aws:policy/AdministratorAccess"]),
    ]
    data_roles = [
        # Same-org hub account, only for sessions tagged team=data.
        role(DATA, "/", "DataReader", doc({
            "Sid": "HubDataTeam", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{IDENT}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}}),
            inline=doc(
                allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::hs-data-lake", "arn:aws:s3:::hs-data-lake/*"]),
                allow("kms:Decrypt", "*"),
                allow("secretsmanager:GetSecretValue", "*"),
                allow(["dynamodb:Query", "dynamodb:GetItem"], f"arn:aws:dynamodb:us-east-1:{DATA}:table/events*"))),
        # Second hop from ProdDeploy; lets it tag the session.
        role(DATA, "/spoke/", "DataWriter", doc({
            "Sid": "FromProdDeploy", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{PROD}:role/spoke/ProdDeploy"},
            "Action": ["sts:AssumeRole", "sts:TagSession"]}),
            inline=doc(
                {"Sid": "EtlWrites", "Effect": "Allow", "Action": "s3:PutObject",
                 "Resource": "arn:aws:s3:::hs-data-lake/*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/pipeline": "etl"}}},
                {"Sid": "ToArchive", "Effect": "Allow", "Action": "sts:AssumeRole",
                 "Resource": f"arn:aws:iam::{STAGING}:role/Archive"})),
        role(DATA, "/", "OrganizationAccountAccessRole", doc({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}, "Action": "sts:AssumeRole"}),
            managed=["arn:aws:iam::aws:policy/AdministratorAccess"]),
    ]
    staging_roles = [
        # Third hop.
        role(STAGING, "/", "Archive", doc({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DATA}:role/spoke/DataWriter"},
            "Action": "sts:AssumeRole"}),
            inline=doc(allow("s3:PutObject", "arn:aws:s3:::hs-archive/*"))),
        role(STAGING, "/spoke/", "StagingDeploy", doc({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEPLOY}:role/CiDeploy"},
            "Action": "sts:AssumeRole"}),
            managed=["arn:aws:iam::aws:policy/PowerUserAccess"]),
    ]
    deploy_roles = [
        role(DEPLOY, "/", "CiDeploy", doc({
            "Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}),
            inline=doc(allow("sts:AssumeRole", "arn:aws:iam::*:role/spoke/*"))),
        # Same account: the trust names the two IAM users themselves.
        role(DEPLOY, "/", "CiBootstrap", doc({
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{DEPLOY}:user/ci-bot", f"arn:aws:iam::{DEPLOY}:user/auditor"]},
            "Action": "sts:AssumeRole"}),
            inline=doc(allow("s3:ListAllMyBuckets"))),
    ]
    users = [
        {"name": "ci-bot", "path": "/", "arn": f"arn:aws:iam::{DEPLOY}:user/ci-bot", "id": "AIDA300000000002CIBOT",
         "groups": [], "inline_policies": [{"name": "bootstrap", "document": doc(
             allow("sts:AssumeRole", f"arn:aws:iam::{DEPLOY}:role/CiBootstrap"))}],
         "managed_policies": [], "tags": {}},
        {"name": "auditor", "path": "/", "arn": f"arn:aws:iam::{DEPLOY}:user/auditor", "id": "AIDA300000000002AUDIT",
         "groups": [], "inline_policies": [], "managed_policies": [], "tags": {}},
    ]

    def acct(a, roles, users=()):
        return {"account_id": a, "roles": sorted(roles, key=lambda r: r["arn"]),
                "users": sorted(users, key=lambda u: u["arn"]), "groups": [], "policies": []}
    return [acct(IDENT, hub_roles), acct(DEPLOY, deploy_roles, users), acct(PROD, prod_roles),
            acct(STAGING, staging_roles), acct(DATA, data_roles)]


def resources():
    prod_deploy = f"arn:aws:iam::{PROD}:role/spoke/ProdDeploy"
    return sorted([
        {"arn": "arn:aws:s3:::hs-data-lake", "account_id": DATA, "tags": {"team": "data"}, "abac": True,
         "policy": doc(
             {"Sid": "ProdDeployReads", "Effect": "Allow", "Principal": {"AWS": prod_deploy},
              "Action": "s3:GetObject", "Resource": "arn:aws:s3:::hs-data-lake/*"},
             {"Sid": "HubDataTeamLists", "Effect": "Allow", "Principal": {"AWS": IDENT},
              "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::hs-data-lake",
              "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}})},
        {"arn": "arn:aws:s3:::hs-prod-artifacts", "account_id": PROD, "tags": {"team": "platform"},
         "abac": False},
        {"arn": "arn:aws:s3:::hs-archive", "account_id": STAGING, "tags": {}},
        {"arn": f"arn:aws:kms:us-east-1:{DATA}:key/11111111-2222-3333-4444-555555555555", "account_id": DATA,
         "tags": {"team": "data"}, "policy": doc(
             {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DATA}:root"},
              "Action": "kms:*", "Resource": "*"},
             {"Sid": "ProdDeployDecrypts", "Effect": "Allow", "Principal": {"AWS": prod_deploy},
              "Action": "kms:Decrypt", "Resource": "*"})},
        {"arn": f"arn:aws:secretsmanager:us-east-1:{PROD}:secret:prod/db-AbC123", "account_id": PROD,
         "tags": {}, "policy": doc(
             {"Sid": "DataReaderReads", "Effect": "Allow",
              "Principal": {"AWS": f"arn:aws:iam::{DATA}:role/DataReader"},
              "Action": "secretsmanager:GetSecretValue", "Resource": "*"})},
        {"arn": f"arn:aws:dynamodb:us-east-1:{DATA}:table/events", "account_id": DATA, "tags": {"team": "data"}},
    ], key=lambda r: r["arn"])


def main():
    accounts = [
        (MGMT, "hs-management", ROOT_ID, {"env": "mgmt"}),
        (IDENT, "hs-identity", "ou-hub1-infra001", {"env": "shared"}),
        (DEPLOY, "hs-deploy", "ou-hub1-infra001", {"env": "shared"}),
        (PROD, "hs-prod", "ou-hub1-wkld0001", {"env": "prod"}),
        (STAGING, "hs-staging", "ou-hub1-wkld0001", {"env": "staging"}),
        (DATA, "hs-data", "ou-hub1-wkld0001", {"env": "prod"}),
    ]
    every = [a[0] for a in accounts] + ["ou-hub1-infra001", "ou-hub1-wkld0001", ROOT_ID]
    policies = [
        {"id": "p-FullAWSAccess", "name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY", "aws_managed": True,
         "description": "Allows access to every operation", "content": doc(allow("*")), "targets": sorted(every)},
        {"id": "p-hubdenyleave", "name": "DenyLeaveOrganization", "type": "SERVICE_CONTROL_POLICY",
         "aws_managed": False, "content": doc({"Sid": "DenyLeave", "Effect": "Deny",
                                               "Action": "organizations:LeaveOrganization", "Resource": "*"}),
         "targets": [ROOT_ID]},
        {"id": "p-RCPFullAWSAccess", "name": "RCPFullAWSAccess", "type": "RESOURCE_CONTROL_POLICY",
         "aws_managed": True, "content": doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
         "targets": sorted(every)},
        {"id": "p-hubrcporg01", "name": "DenyAssumeRoleFromOutsideOrg", "type": "RESOURCE_CONTROL_POLICY",
         "aws_managed": False, "content": doc({
             "Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
             "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                           "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}),
         "targets": ["ou-hub1-wkld0001"]},
    ]
    users, memberships = [], []
    for name, n, team, status, groups in USERS:
        users.append({
            "id": uid(n), "user_name": name, "display_name": name.capitalize(),
            "emails": [{"value": f"{name}@hubspoke.example", "type": "work", "primary": True}],
            "status": status, "attributes": {},
            "enterprise": {"department": team} if team else {}})
        for g in groups:
            memberships.append({"group_id": gid(GROUPS[g]), "user_id": uid(n)})
    permission_sets = []
    for name, short, managed, inline in PERMISSION_SETS:
        ps = {"arn": ps_arn(short), "name": name, "description": f"{name} (hub)", "session_duration": "PT1H",
              "aws_managed_policies": managed, "customer_managed_policies": [], "tags": {},
              "provisioning": sorted([{"account_id": a, "status": "LATEST_PERMISSION_SET_PROVISIONED"}
                                      for (_, p, a) in ASSIGNMENTS if p == name], key=lambda x: x["account_id"])}
        if inline:
            ps["inline_policy"] = inline
        permission_sets.append(ps)
    assignments = sorted([{"account_id": a, "permission_set_arn": ps_arn(next(p[1] for p in PERMISSION_SETS if p[0] == ps)),
                           "principal_type": "GROUP", "principal_id": gid(GROUPS[g])}
                          for (g, ps, a) in ASSIGNMENTS],
                         key=lambda x: (x["account_id"], x["permission_set_arn"], x["principal_type"], x["principal_id"]))
    snap = {
        "format_version": 1,
        "provenance": {"tool_version": "0.1.0", "collected_at": "2026-12-01T09:00:00Z",
                       "source": "scripts/gen-hubspoke-fixture.py", "errors": []},
        "organization": {
            "id": ORG, "management_account_id": MGMT, "root_id": ROOT_ID,
            "ous": [{"id": "ou-hub1-infra001", "name": "Infrastructure", "parent_id": ROOT_ID},
                    {"id": "ou-hub1-wkld0001", "name": "Workloads", "parent_id": ROOT_ID}],
            "accounts": [{"id": a, "name": n, "email": f"{n}@hubspoke.example", "status": "ACTIVE",
                          "parent_id": p, "tags": t} for (a, n, p, t) in accounts],
            "policies": sorted(policies, key=lambda p: (p["type"], p["id"])),
            "delegated_administrators": []},
        "identity_center": {
            "instance_arn": f"arn:aws:sso:::instance/{INSTANCE}", "identity_store_id": STORE,
            "home_region": "us-east-1", "owner_account_id": MGMT, "identity_source": "EXTERNAL_IDP",
            "access_portal": {"default_url": f"https://{STORE}.awsapps.com/start"},
            "abac": {"enabled": True, "attributes": [{"key": "team", "source": "${path:enterprise.department}"}]},
            "mfa_present": False},
        "users": sorted(users, key=lambda u: u["user_name"]),
        "groups": sorted([{"id": gid(n), "name": g, "description": g} for g, n in GROUPS.items()],
                         key=lambda g: g["name"]),
        "memberships": sorted(memberships, key=lambda m: (m["group_id"], m["user_id"])),
        "permission_sets": sorted(permission_sets, key=lambda p: p["name"]),
        "assignments": assignments,
        "iam": iam(),
        "resources": resources(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(snap, f, indent=2)
        f.write("\n")
    os.replace(tmp, OUT)


if __name__ == "__main__":
    main()
