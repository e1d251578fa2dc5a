#!/usr/bin/env python3
"""Writes the AWS CLI export fixtures (docs/export-layout.md):

    fixtures/cookbook/export/   a small organization, the AWS security cookbook recipe
    fixtures/acme/export/       a richer organization (OUs, SCPs, RCPs, ABAC, many users)

    python3 scripts/gen-export-fixtures.py      # rewrites both folders

Everything is invented and deterministic: identifiers are derived from names
with SHA-256, so running it twice gives the same files. Files are written as
AWS CLI v2 prints them (`json.dumps(indent=4)`, ISO-8601 timestamps with a
+00:00 offset), except where the acme fixture deliberately uses other accepted
shapes (see ACME_SHAPES below).

Deliberate omission: get-account-authorization-details lists, in `Policies`,
every AWS managed policy in use with its document. Only AdministratorAccess
(Allow * on *) is written; the other AWS managed documents are left out so that
no AWS policy text is copied here. The importer takes them from its catalog.
"""
import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ----------------------------------------------------------------- helpers


def sha(*parts):
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def hex16(*parts):
    return sha(*parts)[:16]


def uuid_of(prefix, *parts):
    h = sha(*parts)
    u = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
    return f"{prefix}-{u}" if prefix else u


def iam_unique_id(kind, *parts):
    """AROA/ANPA/AIDA/AGPA + 17 upper-case letters and digits."""
    raw = base64.b32encode(hashlib.sha256("|".join(parts).encode()).digest()).decode()
    return kind + raw[:17]


def ts(y, mo, d, h=0, mi=0, s=0, ms=0):
    return dt.datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=dt.timezone.utc)


def v2(t):
    """CLI v2 timestamp: ISO-8601 with an offset."""
    return t.isoformat()


def v1_epoch(t):
    """CLI v1 timestamp of a JSON-protocol service: epoch seconds."""
    return round(t.timestamp(), 3)


def iam_z(t):
    """IAM on the wire (CLI v1, SDKs): ISO-8601 with Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def compact(doc):
    return json.dumps(doc, separators=(",", ":"))


def urlencoded(doc):
    return urllib.parse.quote(json.dumps(doc, indent=4), safe="")


class Out:
    def __init__(self, root):
        self.root = root
        self.count = 0

    def write(self, rel, data):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=4, ensure_ascii=False)
            f.write("\n")
        self.count += 1


def reset(rel):
    path = os.path.join(ROOT, rel)
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
    return Out(path)


ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
FULL_AWS_ACCESS = {
    "Id": "p-FullAWSAccess",
    "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    "Name": "FullAWSAccess",
    "Description": "Allows access to every operation",
    "Type": "SERVICE_CONTROL_POLICY",
    "AwsManaged": True,
}
FULL_AWS_ACCESS_CONTENT = json.dumps(ADMIN_DOC, indent=2)
RCP_FULL_AWS_ACCESS = {
    "Id": "p-RCPFullAWSAccess",
    "Arn": "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
    "Name": "RCPFullAWSAccess",
    "Description": "Allows access to every operation",
    "Type": "RESOURCE_CONTROL_POLICY",
    "AwsManaged": True,
}
RCP_FULL_AWS_ACCESS_CONTENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]},
    indent=2,
)
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_POLICY_ID = iam_unique_id("ANPA", "aws", "AdministratorAccess")  # same in every account


def sso_trust(acct, saml_suffix):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{acct}:saml-provider/AWSSSO_{saml_suffix}_DO_NOT_DELETE"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            }
        ],
    }


def org_access_trust(mgmt):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{mgmt}:root"}, "Action": "sts:AssumeRole"}],
    }


def org_access_role(org, acct, mgmt, created, tfmt, doc):
    """The role Organizations creates in the accounts it creates."""
    return {
        "Path": "/", "RoleName": "OrganizationAccountAccessRole",
        "RoleId": iam_unique_id("AROA", org, acct, "OrganizationAccountAccessRole"),
        "Arn": f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
        "CreateDate": tfmt(created),
        "AssumeRolePolicyDocument": doc(org_access_trust(mgmt)),
        "InstanceProfileList": [], "RolePolicyList": [],
        "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_ARN}],
        "Tags": [], "RoleLastUsed": {},
    }


def admin_policy(attachments, tfmt, doc):
    """The AdministratorAccess entry of `Policies` (the one AWS managed document written out)."""
    t = ts(2015, 2, 6, 18, 39, 46)
    return {
        "PolicyName": "AdministratorAccess", "PolicyId": ADMIN_POLICY_ID, "Arn": ADMIN_ARN,
        "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": attachments, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True, "CreateDate": tfmt(t), "UpdateDate": tfmt(t),
        "PolicyVersionList": [{"Document": doc(ADMIN_DOC), "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": tfmt(t)}],
    }


def sso_role_path(region):
    if region == "us-east-1":
        return "/aws-reserved/sso.amazonaws.com/"
    return f"/aws-reserved/sso.amazonaws.com/{region}/"


# ================================================================ cookbook


def cookbook():
    out = reset("fixtures/cookbook/export")
    org_id, root_id, mgmt = "o-cb12345678", "r-cb12", "111111111111"
    region = "us-east-1"
    instance = "arn:aws:sso:::instance/ssoins-7223cb0000000001"
    store = "d-9067cb0001"
    store_prefix = store[2:]
    accounts = [
        (mgmt, "aws-sec-cookbook-management", "aws-sec-cookbook-management@example.com", "INVITED", ts(2024, 3, 4, 9, 12, 40, 115)),
        ("222222222222", "aws-sec-cookbook-1", "aws-sec-cookbook-1@example.com", "CREATED", ts(2024, 3, 4, 10, 2, 11, 642)),
        ("333333333333", "aws-sec-cookbook-security", "aws-sec-cookbook-security@example.com", "CREATED", ts(2024, 3, 4, 10, 5, 53, 208)),
    ]

    def acct_arn(a):
        return f"arn:aws:organizations::{mgmt}:account/{org_id}/{a}"

    def account_obj(a):
        aid, name, email, method, joined = a
        return {
            "Id": aid, "Arn": acct_arn(aid), "Email": email, "Name": name,
            "Status": "ACTIVE", "State": "ACTIVE", "Paths": [f"{org_id}/{root_id}/{aid}/"],
            "JoinedMethod": method, "JoinedTimestamp": v2(joined),
        }

    root_arn = f"arn:aws:organizations::{mgmt}:root/{org_id}/{root_id}"
    out.write("meta.json", {
        "region": region,
        "exported_at": "2026-11-20T10:00:00Z",
        "cli_version": "aws-cli/2.17.0 Python/3.11.9 Linux/6.1.102 exe/x86_64.amzn.2",
        "identity_source": "IDENTITY_CENTER_DIRECTORY",
        "portal_custom_subdomain": "awsseccb",
        "mfa_present": False,
    })
    o = "organizations/"
    out.write(o + "describe-organization.json", {"Organization": {
        "Id": org_id, "Arn": f"arn:aws:organizations::{mgmt}:organization/{org_id}", "FeatureSet": "ALL",
        "MasterAccountArn": acct_arn(mgmt), "MasterAccountId": mgmt,
        "MasterAccountEmail": accounts[0][2],
        "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
    }})
    out.write(o + "list-roots.json", {"Roots": [{
        "Id": root_id, "Arn": root_arn, "Name": "Root",
        "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
    }]})
    out.write(o + "list-accounts.json", {"Accounts": [account_obj(a) for a in accounts]})
    out.write(o + f"list-organizational-units-for-parent/{root_id}.json", {"OrganizationalUnits": []})
    out.write(o + f"list-accounts-for-parent/{root_id}.json", {"Accounts": [account_obj(a) for a in accounts]})
    for a in accounts:
        out.write(o + f"list-tags-for-resource/{a[0]}.json", {"Tags": []})
    out.write(o + "list-policies/SERVICE_CONTROL_POLICY.json", {"Policies": [FULL_AWS_ACCESS]})
    out.write(o + "describe-policy/p-FullAWSAccess.json",
              {"Policy": {"PolicySummary": FULL_AWS_ACCESS, "Content": FULL_AWS_ACCESS_CONTENT}})
    targets = [{"TargetId": root_id, "Arn": root_arn, "Name": "Root", "Type": "ROOT"}]
    targets += [{"TargetId": a[0], "Arn": acct_arn(a[0]), "Name": a[1], "Type": "ACCOUNT"} for a in accounts]
    out.write(o + "list-targets-for-policy/p-FullAWSAccess.json", {"Targets": targets})
    sec = accounts[2]
    out.write(o + "list-delegated-administrators.json", {"DelegatedAdministrators": [{
        "Id": sec[0], "Arn": acct_arn(sec[0]), "Email": sec[2], "Name": sec[1],
        "Status": "ACTIVE", "State": "ACTIVE", "JoinedMethod": sec[3], "JoinedTimestamp": v2(sec[4]),
        "DelegationEnabledDate": v2(ts(2024, 3, 5, 8, 30, 2, 77)),
    }]})

    # sso-admin
    s = "sso-admin/"
    out.write(s + "list-instances.json", {"Instances": [{
        "InstanceArn": instance, "IdentityStoreId": store, "OwnerAccountId": mgmt,
        "CreatedDate": v2(ts(2024, 3, 5, 8, 14, 27, 930)), "Status": "ACTIVE",
    }]})
    out.write(s + "describe-instance-access-control-attribute-configuration.json", {
        "Status": "ENABLED", "StatusReason": "",
        "InstanceAccessControlAttributeConfiguration": {"AccessControlAttributes": [
            {"Key": "department", "Value": {"Source": ["${path:enterprise.department}"]}},
        ]},
    })
    ps_id = "ps-" + hex16("cookbook", "ps", "AdministratorAccess")
    ps_arn = f"arn:aws:sso:::permissionSet/{instance.split('/')[-1]}/{ps_id}"
    out.write(s + "list-permission-sets.json", {"PermissionSets": [ps_arn]})
    p = f"{s}permission-sets/{ps_id}/"
    out.write(p + "describe-permission-set.json", {"PermissionSet": {
        "Name": "AdministratorAccess", "PermissionSetArn": ps_arn,
        "Description": "Provides full access to AWS services and resources.",
        "CreatedDate": v2(ts(2024, 3, 5, 9, 1, 44, 501)), "SessionDuration": "PT1H",
    }})
    out.write(p + "list-managed-policies-in-permission-set.json",
              {"AttachedManagedPolicies": [{"Name": "AdministratorAccess", "Arn": ADMIN_ARN}]})
    out.write(p + "list-customer-managed-policy-references-in-permission-set.json", {"CustomerManagedPolicyReferences": []})
    out.write(p + "get-inline-policy-for-permission-set.json", {"InlinePolicy": ""})
    out.write(p + "list-tags-for-resource.json", {"Tags": []})
    out.write(p + "list-accounts-for-provisioned-permission-set.json", {"AccountIds": ["222222222222"]})

    group_id = uuid_of(store_prefix, "cookbook", "group", "awsseccbadmins")
    user_id = uuid_of(store_prefix, "cookbook", "user", "awsseccbadmin1")
    out.write(s + f"account-assignments/222222222222/{ps_id}.json", {"AccountAssignments": [{
        "AccountId": "222222222222", "PermissionSetArn": ps_arn, "PrincipalType": "GROUP", "PrincipalId": group_id,
    }]})
    # The recipe creates no application: the portal says "You do not have any applications".
    out.write(s + "list-applications.json", {"Applications": []})

    # identitystore
    i = "identitystore/"
    out.write(i + "list-users.json", {"Users": [{
        "IdentityStoreId": store, "UserId": user_id, "UserName": "awsseccbadmin1",
        "Name": {"Formatted": "Cookbook Admin", "FamilyName": "Admin", "GivenName": "Cookbook"},
        "DisplayName": "Cookbook Admin",
        "Emails": [{"Value": "awsseccbadmin1@example.com", "Type": "work", "Primary": True}],
        "UserStatus": "ENABLED",
    }]})
    out.write(i + "list-groups.json", {"Groups": [{
        "GroupId": group_id, "DisplayName": "awsseccbadmins", "Description": "AWS Sec Cookbook Admins group",
        "IdentityStoreId": store,
    }]})
    out.write(i + f"list-group-memberships/{group_id}.json", {"GroupMemberships": [{
        "IdentityStoreId": store, "MembershipId": uuid_of(store_prefix, "cookbook", "membership", "awsseccbadmin1"),
        "GroupId": group_id, "MemberId": {"UserId": user_id},
    }]})

    # iam: the management account (read with the caller's own credentials) and
    # aws-sec-cookbook-security hold nothing but what Organizations created.
    empty = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    out.write(f"iam/{mgmt}/get-account-authorization-details.json", empty)
    out.write("iam/333333333333/get-account-authorization-details.json", {
        "UserDetailList": [], "GroupDetailList": [],
        "RoleDetailList": [org_access_role("cookbook", "333333333333", mgmt, ts(2024, 3, 4, 10, 6, 0), v2, lambda d: d)],
        "Policies": [admin_policy(1, v2, lambda d: d)],
    })

    # iam of aws-sec-cookbook-1
    acct = "222222222222"
    suffix = hex16("cookbook", acct, "role", "AdministratorAccess")
    saml = hex16("cookbook", acct, "saml")
    role_name = f"AWSReservedSSO_AdministratorAccess_{suffix}"
    path = sso_role_path(region)
    out.write(f"iam/{acct}/get-account-authorization-details.json", {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [
            org_access_role("cookbook", acct, mgmt, ts(2024, 3, 4, 10, 2, 15), v2, lambda d: d),
            {
                "Path": path, "RoleName": role_name,
                "RoleId": iam_unique_id("AROA", "cookbook", acct, role_name),
                "Arn": f"arn:aws:iam::{acct}:role{path}{role_name}",
                "CreateDate": v2(ts(2024, 3, 5, 9, 6, 31)),
                "AssumeRolePolicyDocument": sso_trust(acct, saml),
                "InstanceProfileList": [], "RolePolicyList": [],
                "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_ARN}],
                "Tags": [],
                "RoleLastUsed": {"LastUsedDate": v2(ts(2026, 11, 18, 16, 40, 3)), "Region": "us-east-1"},
            },
        ],
        "Policies": [admin_policy(2, v2, lambda d: d)],
    })
    return out.count


# ==================================================================== acme

ACME_ORG = "o-acme123456"
ACME_ROOT = "r-ac12"
ACME_MGMT = "210000000000"
ACME_REGION = "eu-west-1"
ACME_INSTANCE = "arn:aws:sso:::instance/ssoins-6804ac0e5b1d2f30"
ACME_STORE = "d-9067ac0e01"
ACME_PREFIX = ACME_STORE[2:]

# OU id -> (name, parent)
ACME_OUS = {
    "ou-ac12-wrkloads1": ("Workloads", ACME_ROOT),
    "ou-ac12-prod0001": ("Prod", "ou-ac12-wrkloads1"),
    "ou-ac12-nonprod1": ("NonProd", "ou-ac12-wrkloads1"),
    "ou-ac12-security": ("Security", ACME_ROOT),
    "ou-ac12-sandbox1": ("Sandbox", ACME_ROOT),
    "ou-ac12-suspendd": ("Suspended", ACME_ROOT),
}

# id, name, parent, tags, joined method, joined at, state
ACME_ACCOUNTS = [
    (ACME_MGMT, "acme-management", ACME_ROOT, {"env": "mgmt", "owner": "platform", "CostCenter": "CC-1001"}, "INVITED", ts(2019, 1, 14, 9, 0, 12, 400), "ACTIVE"),
    ("210000000101", "acme-prod", "ou-ac12-prod0001", {"env": "prod", "owner": "payments", "CostCenter": "CC-2001"}, "CREATED", ts(2019, 2, 1, 10, 15, 2, 31), "ACTIVE"),
    ("210000000102", "acme-data-prod", "ou-ac12-prod0001", {"env": "prod", "owner": "data", "CostCenter": "CC-3001"}, "CREATED", ts(2020, 6, 9, 13, 40, 55, 902), "ACTIVE"),
    ("210000000201", "acme-staging", "ou-ac12-nonprod1", {"env": "staging", "owner": "payments", "CostCenter": "CC-2001"}, "CREATED", ts(2019, 2, 1, 10, 21, 47, 118), "ACTIVE"),
    ("210000000202", "acme-dev", "ou-ac12-nonprod1", {"env": "dev", "owner": "payments", "CostCenter": "CC-2001"}, "CREATED", ts(2019, 2, 1, 10, 25, 9, 664), "ACTIVE"),
    ("210000000301", "acme-sandbox", "ou-ac12-sandbox1", {"env": "sandbox", "owner": "platform"}, "INVITED", ts(2021, 9, 20, 7, 55, 30, 5), "ACTIVE"),
    ("210000000401", "acme-security", "ou-ac12-security", {"env": "prod", "owner": "security", "CostCenter": "CC-4001"}, "CREATED", ts(2019, 1, 14, 9, 30, 41, 250), "ACTIVE"),
    ("210000000402", "acme-log-archive", "ou-ac12-security", {"env": "prod", "owner": "security", "CostCenter": "CC-4001"}, "CREATED", ts(2019, 1, 14, 9, 33, 18, 770), "ACTIVE"),
    ("210000000901", "acme-legacy-marketing", "ou-ac12-suspendd", {"env": "retired"}, "INVITED", ts(2018, 5, 2, 12, 0, 0, 0), "SUSPENDED"),
]
ACCT = {a[1]: a[0] for a in ACME_ACCOUNTS}
ACTIVE = [a[0] for a in ACME_ACCOUNTS if a[6] == "ACTIVE"]
WORKLOADS = [ACCT["acme-prod"], ACCT["acme-data-prod"], ACCT["acme-staging"], ACCT["acme-dev"]]

GLOBAL_SERVICES = [
    "account:*", "budgets:*", "ce:*", "cloudfront:*", "globalaccelerator:*", "health:*", "iam:*",
    "identitystore:*", "organizations:*", "route53:*", "route53domains:*", "shield:*", "sso:*",
    "sts:*", "support:*", "trustedadvisor:*", "waf:*", "wafv2:*",
]

# id, name, description, type, content, targets
ACME_ORG_POLICIES = [
    ("p-acdenyreg1", "DenyOutsideEuRegions",
     "Deny regional services outside eu-west-1 and eu-central-1, except for break-glass sessions",
     "SERVICE_CONTROL_POLICY",
     {"Version": "2012-10-17", "Statement": [{
         "Sid": "DenyOutsideEu", "Effect": "Deny", "NotAction": GLOBAL_SERVICES, "Resource": "*",
         "Condition": {
             "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]},
             "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BreakGlass_*"]},
         }}]},
     [ACME_ROOT]),
    ("p-acdenyleav", "DenyLeaveOrganization", "Member accounts cannot leave the organization",
     "SERVICE_CONTROL_POLICY",
     {"Version": "2012-10-17", "Statement": [{"Sid": "DenyLeave", "Effect": "Deny",
                                               "Action": "organizations:LeaveOrganization", "Resource": "*"}]},
     [ACME_ROOT]),
    ("p-acsandbox1", "SandboxGuardrails", "Small instances only; no reserved or savings plan purchases",
     "SERVICE_CONTROL_POLICY",
     {"Version": "2012-10-17", "Statement": [
         {"Sid": "SmallInstancesOnly", "Effect": "Deny", "Action": "ec2:RunInstances",
          "Resource": "arn:aws:ec2:*:*:instance/*",
          "Condition": {"StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}}},
         {"Sid": "NoCommitments", "Effect": "Deny",
          "Action": ["ec2:PurchaseReservedInstancesOffering", "savingsplans:CreateSavingsPlan"], "Resource": "*"}]},
     ["ou-ac12-sandbox1"]),
    ("p-acrcps3org", "DenyS3AccessFromOutsideOrg", "S3 in production only for principals of the organization",
     "RESOURCE_CONTROL_POLICY",
     {"Version": "2012-10-17", "Statement": [{
         "Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {
             "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ACME_ORG},
             "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
         }}]},
     ["ou-ac12-prod0001"]),
]

# (username, given, family, department, costCenter, groups, status, title)
ACME_USERS = [
    ("alice.martin", "Alice", "Martin", "platform", "CC-1001", ["acme-admins", "acme-platform-engineers"], "ENABLED", "Head of Platform"),
    ("bruno.silva", "Bruno", "Silva", "platform", "CC-1001", ["acme-platform-engineers"], "ENABLED", "Platform Engineer"),
    ("chloe.dubois", "Chloé", "Dubois", "payments", "CC-2001", ["acme-developers"], "ENABLED", "Software Engineer"),
    ("david.kim", "David", "Kim", "payments", "CC-2001", ["acme-developers", "acme-sandbox-users"], "ENABLED", "Software Engineer"),
    ("emma.johansson", "Emma", "Johansson", "payments", "CC-2002", ["acme-developers"], "ENABLED", "Staff Engineer"),
    ("farid.haddad", "Farid", "Haddad", "web", "CC-2101", ["acme-developers"], "ENABLED", "Frontend Engineer"),
    ("grace.obi", "Grace", "Obi", "web", "CC-2101", ["acme-developers", "acme-readonly"], "ENABLED", "Engineering Manager"),
    ("hiro.tanaka", "Hiro", "Tanaka", "data", "CC-3001", ["acme-data-engineers"], "ENABLED", "Data Engineer"),
    ("isabel.garcia", "Isabel", "García", "data", "CC-3001", ["acme-data-engineers", "acme-dba"], "ENABLED", "Data Engineer"),
    ("jonas.weber", "Jonas", "Weber", "data", "CC-3002", ["acme-data-engineers"], "ENABLED", "Analytics Engineer"),
    ("karin.olsen", "Karin", "Olsen", "data", "CC-3002", ["acme-dba"], "ENABLED", "Database Administrator"),
    ("liam.oconnor", "Liam", "O'Connor", "security", "CC-4001", ["acme-security-auditors", "acme-break-glass"], "ENABLED", "Security Engineer"),
    ("maya.patel", "Maya", "Patel", "security", "CC-4001", ["acme-security-auditors"], "ENABLED", "Security Analyst"),
    ("nikolai.petrov", "Nikolai", "Petrov", "security", "CC-4001", ["acme-security-auditors"], "ENABLED", "CISO"),
    ("olivia.brown", "Olivia", "Brown", "finance", "CC-5001", ["acme-finance"], "ENABLED", "FinOps Lead"),
    ("pedro.alves", "Pedro", "Alves", "finance", "CC-5001", ["acme-finance", "acme-readonly"], "ENABLED", "Controller"),
    ("quentin.moreau", "Quentin", "Moreau", "mobile", "CC-2201", ["acme-developers"], "ENABLED", "Mobile Engineer"),
    ("rosa.lopez", "Rosa", "López", "mobile", "CC-2201", ["acme-developers", "acme-sandbox-users"], "ENABLED", "Mobile Engineer"),
    ("samir.nasser", "Samir", "Nasser", "platform", "CC-1002", ["acme-platform-engineers", "acme-break-glass"], "ENABLED", "SRE"),
    ("tara.singh", "Tara", "Singh", "web", "CC-2101", ["acme-developers"], "ENABLED", "Frontend Engineer"),
    ("ursula.berg", "Ursula", "Berg", "data", None, ["acme-data-engineers"], "ENABLED", "Data Scientist"),
    ("victor.rossi", "Victor", "Rossi", None, None, ["acme-sandbox-users"], "ENABLED", "Contractor"),
    ("wei.chen", "Wei", "Chen", "payments", "CC-2001", ["acme-developers"], "DISABLED", "Software Engineer"),
    ("xavier.dupont", "Xavier", "Dupont", None, "CC-9001", ["acme-readonly"], "ENABLED", "Program Manager"),
    ("yara.haddad", "Yara", "Haddad", "platform", "CC-1001", ["acme-admins"], "ENABLED", "Principal Engineer"),
    ("zoe.williams", "Zoe", "Williams", "web", "CC-2102", ["acme-developers"], "ENABLED", "Designer-Engineer"),
    ("adam.novak", "Adam", "Novak", "mobile", "CC-2201", ["acme-sandbox-users"], "ENABLED", "Intern"),
    ("beatriz.costa", "Beatriz", "Costa", "finance", "CC-5002", ["acme-finance"], "ENABLED", "Analyst"),
    ("carlos.mendes", "Carlos", "Mendes", "data", "CC-3001", [], "ENABLED", "Data Platform Lead"),
    ("diana.ivanova", "Diana", "Ivanova", "security", "CC-4002", ["acme-security-auditors"], "ENABLED", "Security Engineer"),
    ("ethan.clarke", "Ethan", "Clarke", None, None, [], "ENABLED", "New Hire"),
    ("fatima.zahra", "Fatima", "Zahra", "payments", "CC-2002", ["acme-developers", "acme-data-engineers"], "ENABLED", "Data Engineer"),
    ("gustav.lind", "Gustav", "Lind", "audit", "CC-4900", [], "ENABLED", "External Auditor"),
]

ACME_GROUPS = [
    ("acme-admins", "Platform administrators"),
    ("acme-platform-engineers", "Platform and SRE team"),
    ("acme-developers", "Application developers (payments, web, mobile)"),
    ("acme-data-engineers", "Data engineering and analytics"),
    ("acme-dba", "Database administrators"),
    ("acme-security-auditors", "Security team, read-only audit everywhere"),
    ("acme-finance", "Finance and FinOps"),
    ("acme-readonly", "Read-only observers"),
    ("acme-break-glass", "Emergency access. Every sign-in pages the security on-call"),
    ("acme-sandbox-users", "Sandbox experimenters"),
]

# Customer managed policies: name -> (path, description, [versions newest first], created)
ACME_CMPS = {
    "AcmeDeveloperBase": ("/acme/", "Everyday developer access in non-production accounts", [
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "Serverless", "Effect": "Allow",
             "Action": ["lambda:*", "apigateway:*", "sqs:*", "sns:*", "dynamodb:*", "logs:*", "cloudwatch:*", "xray:*"],
             "Resource": "*"},
            {"Sid": "TeamBuckets", "Effect": "Allow", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::acme-dev-*", "arn:aws:s3:::acme-dev-*/*"]},
            {"Sid": "PassAppRoles", "Effect": "Allow", "Action": "iam:PassRole",
             "Resource": "arn:aws:iam::*:role/acme/app/*"}]},
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "Serverless", "Effect": "Allow", "Action": ["lambda:*", "logs:*"], "Resource": "*"}]},
    ], ts(2022, 4, 11, 8, 0, 5)),
    "AcmeWorkloadBoundary": ("/acme/boundaries/", "Boundary for human and workload roles in workload accounts", [
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "NoIamUsers", "Effect": "Deny",
             "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"], "Resource": "*"},
            {"Sid": "NoBoundaryEdits", "Effect": "Deny",
             "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
             "Resource": "arn:aws:iam::*:policy/acme/boundaries/*"},
            {"Sid": "NoOrgChanges", "Effect": "Deny", "Action": ["organizations:*", "account:*"], "Resource": "*"}]},
    ], ts(2022, 4, 11, 8, 0, 1)),
    "AcmeDataLakeAccess": ("/acme/data/", "Glue catalog, Athena and Lake Formation for data engineers", [
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "Catalog", "Effect": "Allow",
             "Action": ["glue:Get*", "glue:BatchGet*", "glue:SearchTables", "lakeformation:GetDataAccess"], "Resource": "*"},
            {"Sid": "Athena", "Effect": "Allow",
             "Action": ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"],
             "Resource": "arn:aws:athena:eu-west-1:*:workgroup/*"}]},
    ], ts(2023, 2, 20, 14, 12, 0)),
    "AcmePlatformIamLimited": ("/acme/", "IAM for platform engineers: roles only under /acme/ and only with the workload boundary", [
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadIam", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
            {"Sid": "ManageAcmeRoles", "Effect": "Allow",
             "Action": ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy"],
             "Resource": "arn:aws:iam::*:role/acme/*",
             "Condition": {"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::${aws:PrincipalAccount}:policy/acme/boundaries/AcmeWorkloadBoundary"}}},
            {"Sid": "PassAcmeRoles", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/acme/*"},
            {"Sid": "DeleteAcmeRoles", "Effect": "Allow", "Action": "iam:DeleteRole", "Resource": "arn:aws:iam::*:role/acme/*"}]},
    ], ts(2025, 10, 2, 9, 45, 0)),
    "AcmePaymentsApi": ("/", "Runtime permissions of the payments API", [
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
             "Resource": "arn:aws:sqs:eu-west-1:210000000101:payments-events"},
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::acme-payments-invoices/*"},
            {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceTag/team": "payments"}}}]},
    ], ts(2021, 3, 3, 11, 0, 0)),
}

# Which customer managed policies exist in which account. AcmePlatformIamLimited
# is MISSING in acme-staging although PlatformEngineer references it there.
ACME_ACCOUNT_CMPS = {
    ACCT["acme-prod"]: ["AcmePlatformIamLimited", "AcmeWorkloadBoundary", "AcmePaymentsApi"],
    ACCT["acme-data-prod"]: ["AcmeDataLakeAccess", "AcmePlatformIamLimited"],
    ACCT["acme-staging"]: ["AcmeDeveloperBase", "AcmeWorkloadBoundary"],
    ACCT["acme-dev"]: ["AcmeDeveloperBase", "AcmeWorkloadBoundary", "AcmeDataLakeAccess", "AcmePlatformIamLimited"],
}

DATA_ENGINEER_INLINE = {"Version": "2012-10-17", "Statement": [
    {"Sid": "TeamBucketObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
     "Resource": "arn:aws:s3:::acme-${aws:PrincipalTag/team}-*/*"},
    {"Sid": "TeamBuckets", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
     "Resource": "arn:aws:s3:::acme-${aws:PrincipalTag/team}-*"},
    {"Sid": "TeamTaggedResources", "Effect": "Allow",
     "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "kms:Decrypt", "kms:GenerateDataKey"],
     "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
    {"Sid": "CostCenterWorkgroups", "Effect": "Allow", "Action": ["athena:StartQueryExecution", "athena:GetQueryResults"],
     "Resource": "arn:aws:athena:eu-west-1:*:workgroup/*",
     "Condition": {"StringEquals": {"aws:ResourceTag/CostCenter": "${aws:PrincipalTag/CostCenter}"}}},
    {"Sid": "DenyWithoutTeam", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
     "Condition": {"Null": {"aws:PrincipalTag/team": "true"}}},
]}

PLATFORM_INLINE = {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoLongLivedKeys", "Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"}]}

SANDBOX_INLINE = {"Version": "2012-10-17", "Statement": [
    {"Sid": "NoAccountOrOrgChanges", "Effect": "Deny", "Action": ["organizations:*", "account:*"], "Resource": "*"},
    {"Sid": "NoSsoRoleTampering", "Effect": "Deny", "Action": "iam:*",
     "Resource": "arn:aws:iam::*:role/aws-reserved/*"}]}

# key, name, description, duration, relay, managed arns, cmp refs, inline, boundary, tags, created
ACME_PS = [
    ("admin", "AdministratorAccess", "Full administrator access", "PT1H", None,
     [ADMIN_ARN], [], None, None, {"owner": "platform"}, ts(2019, 3, 1, 9, 0, 0, 120)),
    ("readonly", "ReadOnlyAccess", "Read-only access to every service", "PT8H", None,
     ["arn:aws:iam::aws:policy/ReadOnlyAccess"], [], None, None, {"owner": "platform"}, ts(2019, 3, 1, 9, 2, 10, 880)),
    ("viewonly", "ViewOnlyAccess", "View resources and basic metadata, no data", "PT12H", None,
     ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"], [], None, None, {}, ts(2019, 3, 1, 9, 3, 41, 5)),
    ("poweruser", "PowerUserAccess", "Everything except IAM and organization management", "PT4H", None,
     ["arn:aws:iam::aws:policy/PowerUserAccess"], [], None, None, {"owner": "platform"}, ts(2019, 3, 1, 9, 5, 0, 300)),
    ("billing", "Billing", "Billing and cost management", "PT2H", "https://console.aws.amazon.com/billing/home",
     ["arn:aws:iam::aws:policy/job-function/Billing"], [], None, None, {"owner": "finance"}, ts(2019, 3, 1, 9, 7, 30, 0)),
    ("securityaudit", "SecurityAudit", "Read security configuration for audits", "PT8H", None,
     ["arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"], [], None, None,
     {"owner": "security"}, ts(2019, 3, 1, 9, 9, 12, 450)),
    ("dba", "DatabaseAdministrator", "Database administration", "PT4H", None,
     ["arn:aws:iam::aws:policy/job-function/DatabaseAdministrator"], [], None, None, {"owner": "data"}, ts(2020, 7, 1, 8, 0, 0, 0)),
    ("developer", "DeveloperAccess", "Developer access in non-production, within the workload boundary", "PT8H", None,
     ["arn:aws:iam::aws:policy/ReadOnlyAccess"], [("AcmeDeveloperBase", "/acme/")], None,
     ("cmp", "AcmeWorkloadBoundary", "/acme/boundaries/"), {"owner": "platform"}, ts(2022, 4, 11, 8, 30, 0, 0)),
    ("dataengineer", "DataEngineer", "ABAC data access by team and cost center", "PT8H", "https://console.aws.amazon.com/athena/home",
     [], [("AcmeDataLakeAccess", "/acme/data/")], DATA_ENGINEER_INLINE, None, {"owner": "data", "abac": "true"},
     ts(2023, 2, 20, 14, 30, 0, 0)),
    ("platform", "PlatformEngineer", "Power user plus scoped IAM for the platform team", "PT8H", None,
     ["arn:aws:iam::aws:policy/PowerUserAccess"], [("AcmePlatformIamLimited", "/acme/")], PLATFORM_INLINE, None,
     {"owner": "platform"}, ts(2021, 1, 12, 10, 0, 0, 0)),
    ("network", "NetworkAdministrator", "Network administration", "PT2H", None,
     ["arn:aws:iam::aws:policy/job-function/NetworkAdministrator"], [], None, None, {}, ts(2021, 5, 5, 12, 0, 0, 0)),
    ("breakglass", "BreakGlass", "Emergency administrator access; use pages security", "PT1H", None,
     [ADMIN_ARN], [], None, None, {"owner": "security", "criticality": "high"}, ts(2019, 3, 2, 10, 0, 0, 0)),
    ("sandbox", "SandboxAdmin", "Administrator in the sandbox account, no organization or account changes", "PT12H", None,
     [ADMIN_ARN], [], SANDBOX_INLINE, None, {"owner": "platform"}, ts(2021, 9, 21, 9, 0, 0, 0)),
    ("legacy", "LegacyOperator", "Kept for reference; not provisioned anywhere", "PT1H", None,
     ["arn:aws:iam::aws:policy/ReadOnlyAccess"], [], None, ("arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"), {},
     ts(2019, 6, 1, 9, 0, 0, 0)),
]
PS = {p[0]: p for p in ACME_PS}

# (ps key, account name, principal type, principal name)
ACME_ASSIGNMENTS = []


def assign(ps, accounts, ptype, principal):
    for a in accounts:
        ACME_ASSIGNMENTS.append((ps, ACCT[a], ptype, principal))


ALL_ACTIVE_NAMES = [a[1] for a in ACME_ACCOUNTS if a[6] == "ACTIVE"]
MEMBERS_ACTIVE = [n for n in ALL_ACTIVE_NAMES if n != "acme-management"]
assign("admin", MEMBERS_ACTIVE, "GROUP", "acme-admins")
assign("admin", ["acme-management"], "USER", "alice.martin")
assign("readonly", ["acme-prod", "acme-data-prod", "acme-staging", "acme-dev"], "GROUP", "acme-readonly")
assign("readonly", ["acme-prod"], "GROUP", "acme-developers")
assign("viewonly", ["acme-management", "acme-security", "acme-log-archive"], "GROUP", "acme-readonly")
assign("viewonly", ["acme-prod"], "GROUP", "acme-finance")
assign("poweruser", ["acme-sandbox"], "GROUP", "acme-developers")
assign("poweruser", ["acme-staging"], "USER", "wei.chen")
assign("billing", ["acme-management"], "GROUP", "acme-finance")
assign("securityaudit", ALL_ACTIVE_NAMES, "GROUP", "acme-security-auditors")
assign("securityaudit", ["acme-prod", "acme-security"], "USER", "gustav.lind")
assign("dba", ["acme-data-prod", "acme-prod"], "GROUP", "acme-dba")
assign("developer", ["acme-staging", "acme-dev"], "GROUP", "acme-developers")
assign("dataengineer", ["acme-data-prod", "acme-dev"], "GROUP", "acme-data-engineers")
assign("dataengineer", ["acme-data-prod"], "USER", "carlos.mendes")
assign("platform", ["acme-prod", "acme-data-prod", "acme-staging", "acme-dev"], "GROUP", "acme-platform-engineers")
assign("breakglass", ALL_ACTIVE_NAMES, "GROUP", "acme-break-glass")
assign("sandbox", ["acme-sandbox"], "GROUP", "acme-sandbox-users")
# Provisioned, every assignment since removed: the role stays, the listing is empty.
ACME_EXTRA_PROVISIONED = [("network", ACCT["acme-prod"])]

# Identity Center applications: (name, provider, description, visibility,
# assignment required, [(type, principal)], sign-in URL). A principal "?"
# is a user id no longer in the directory.
CUSTOM_PROVIDER = "arn:aws:sso::aws:applicationProvider/custom"
ACME_APPS = [
    ("Acme Wiki", CUSTOM_PROVIDER, "Confluence (SAML 2.0)", "ENABLED", True,
     [("GROUP", "acme-developers"), ("USER", "gustav.lind"), ("USER", "?")], "https://wiki.acme.example/sso"),
    ("Acme Status", CUSTOM_PROVIDER, "Status page (OAuth 2.0), open to everyone", "ENABLED", False, [],
     "https://status.acme.example"),
    ("Amazon Q Developer", "arn:aws:sso::aws:applicationProvider/codewhisperer", "", "ENABLED", True,
     [("GROUP", "acme-data-engineers")], None),
    ("Acme Legacy CRM", CUSTOM_PROVIDER, "Retired CRM, hidden from the portal", "DISABLED", True,
     [("GROUP", "acme-finance")], "https://crm.acme.example/saml"),
]
GONE_USER = "9067ac0e01-0d1e7ed0-0000-4000-8000-00000000dead"

# AWS account access manager: one application in the management account and
# its entitlements (type, principal, role path+name, account name).
ACME_AAM_APP = f"arn:aws:account-access:{ACME_REGION}:{ACME_MGMT}:application/aam-7f3c2a1e90b4"
ACME_ENTITLEMENTS = [
    ("USER", "maya.patel", "/acme/access/SecurityResponder", "acme-security"),
    ("GROUP", "acme-dba", "/acme/access/DataOnCall", "acme-data-prod"),
    ("USER", "karin.olsen", "/acme/access/DevOnCall", "acme-dev"),  # no such role in acme-dev
    ("USER", "?", "/acme/access/SecurityResponder", "acme-security"),
]


def aam_trust(tag_session):
    """The trust policy AWS's "prepare IAM roles" page asks for."""
    actions = ["sts:AssumeRole", "sts:SetContext"] + (["sts:TagSession"] if tag_session else [])
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "AccountAccessManager", "Effect": "Allow",
        "Principal": {"Service": "account-access.amazonaws.com"}, "Action": actions,
        "Condition": {"StringEquals": {"aws:SourceAccount": ACME_MGMT, "aws:SourceArn": ACME_AAM_APP}}}]}


# Roles the entitlements name that exist: account name -> (name, path,
# trust allows sts:TagSession, inline policy)
ACME_AAM_ROLES = {
    "acme-security": ("SecurityResponder", "/acme/access/", True, {"Version": "2012-10-17", "Statement": [
        {"Sid": "Triage", "Effect": "Allow", "Action": ["guardduty:ListFindings", "guardduty:GetFindings",
                                                        "securityhub:GetFindings"], "Resource": "*"}]}),
    # Missing sts:TagSession while Identity Center passes ABAC session tags.
    "acme-data-prod": ("DataOnCall", "/acme/access/", False, {"Version": "2012-10-17", "Statement": [
        {"Sid": "OnCall", "Effect": "Allow", "Action": ["rds:DescribeDBInstances", "rds:RebootDBInstance"],
         "Resource": "*"}]}),
}

# Shapes other than plain CLI v2, to exercise the importer (docs/export-layout.md):
ACME_SHAPES = {
    "epoch_files": ["organizations/list-accounts.json", "organizations/list-delegated-administrators.json"],
    "iam_urlencoded_account": ACCT["acme-staging"],  # documents URL-encoded, ISO Z timestamps (raw API / SDK)
    "iam_string_doc_account": ACCT["acme-dev"],  # one non-default policy version as a plain JSON string
    "iam_leftover_account": ACCT["acme-prod"],  # "IsTruncated": false left in the output
    "no_iam_account": ACCT["acme-sandbox"],  # invited account without OrganizationAccountAccessRole
}


def acme_ps_id(key):
    return "ps-" + hex16("acme", "ps", key)


def acme_ps_arn(key):
    return f"arn:aws:sso:::permissionSet/{ACME_INSTANCE.split('/')[-1]}/{acme_ps_id(key)}"


def acme_user_id(name):
    return uuid_of(ACME_PREFIX, "acme", "user", name)


def acme_group_id(name):
    return uuid_of(ACME_PREFIX, "acme", "group", name)


def acme_role_name(key, acct):
    return f"AWSReservedSSO_{PS[key][1]}_{hex16('acme', acct, 'role', key)}"


def acme():
    out = reset("fixtures/acme/export")
    mgmt, org = ACME_MGMT, ACME_ORG
    shapes = ACME_SHAPES
    o = "organizations/"

    def acct_arn(a):
        return f"arn:aws:organizations::{mgmt}:account/{org}/{a}"

    def ou_arn(ou):
        return f"arn:aws:organizations::{mgmt}:ou/{org}/{ou}"

    root_arn = f"arn:aws:organizations::{mgmt}:root/{org}/{ACME_ROOT}"

    def ou_path(parent):
        chain = []
        while parent != ACME_ROOT:
            chain.append(parent)
            parent = ACME_OUS[parent][1]
        return "/".join([org, ACME_ROOT] + list(reversed(chain))) + "/"

    def account_obj(a, epoch=False):
        aid, name, parent, _tags, method, joined, state = a
        status = "SUSPENDED" if state == "SUSPENDED" else "ACTIVE"
        return {
            "Id": aid, "Arn": acct_arn(aid), "Email": f"aws+{name}@acme.example", "Name": name,
            "Status": status, "State": state, "Paths": [ou_path(parent) + aid + "/"],
            "JoinedMethod": method, "JoinedTimestamp": v1_epoch(joined) if epoch else v2(joined),
        }

    out.write("meta.json", {
        "region": ACME_REGION,
        "exported_at": "2026-11-20T10:00:00Z",
        "cli_version": "aws-cli/2.17.0 Python/3.11.9 Darwin/24.1.0 exe/arm64",
        "identity_source": "EXTERNAL_IDP",
        "mfa_present": False,
    })
    out.write(o + "describe-organization.json", {"Organization": {
        "Id": org, "Arn": f"arn:aws:organizations::{mgmt}:organization/{org}", "FeatureSet": "ALL",
        "MasterAccountArn": acct_arn(mgmt), "MasterAccountId": mgmt, "MasterAccountEmail": "aws+acme-management@acme.example",
        "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
    }})
    out.write(o + "list-roots.json", {"Roots": [{
        "Id": ACME_ROOT, "Arn": root_arn, "Name": "Root",
        "PolicyTypes": [
            {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
            {"Type": "TAG_POLICY", "Status": "ENABLED"},
            {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
        ],
    }]})
    out.write(o + "list-accounts.json",
              {"Accounts": [account_obj(a, "organizations/list-accounts.json" in shapes["epoch_files"]) for a in ACME_ACCOUNTS]})
    for parent in [ACME_ROOT] + list(ACME_OUS):
        kids = [ou for ou, (_n, p) in ACME_OUS.items() if p == parent]
        out.write(o + f"list-organizational-units-for-parent/{parent}.json", {"OrganizationalUnits": [
            {"Id": ou, "Arn": ou_arn(ou), "Name": ACME_OUS[ou][0], "Path": ou_path(ou)} for ou in kids]})
        out.write(o + f"list-accounts-for-parent/{parent}.json",
                  {"Accounts": [account_obj(a) for a in ACME_ACCOUNTS if a[2] == parent]})
    for a in ACME_ACCOUNTS:
        out.write(o + f"list-tags-for-resource/{a[0]}.json", {"Tags": [{"Key": k, "Value": v} for k, v in a[3].items()]})

    def target(t):
        if t == ACME_ROOT:
            return {"TargetId": t, "Arn": root_arn, "Name": "Root", "Type": "ROOT"}
        if t in ACME_OUS:
            return {"TargetId": t, "Arn": ou_arn(t), "Name": ACME_OUS[t][0], "Type": "ORGANIZATIONAL_UNIT"}
        name = next(a[1] for a in ACME_ACCOUNTS if a[0] == t)
        return {"TargetId": t, "Arn": acct_arn(t), "Name": name, "Type": "ACCOUNT"}

    everything = [ACME_ROOT] + list(ACME_OUS) + [a[0] for a in ACME_ACCOUNTS]
    for ptype, managed, content in [
        ("SERVICE_CONTROL_POLICY", FULL_AWS_ACCESS, FULL_AWS_ACCESS_CONTENT),
        ("RESOURCE_CONTROL_POLICY", RCP_FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS_CONTENT),
    ]:
        listed = [managed]
        out.write(o + f"describe-policy/{managed['Id']}.json", {"Policy": {"PolicySummary": managed, "Content": content}})
        out.write(o + f"list-targets-for-policy/{managed['Id']}.json", {"Targets": [target(t) for t in everything]})
        kind = ptype.lower()
        for pid, name, desc, pt, doc, targets in ACME_ORG_POLICIES:
            if pt != ptype:
                continue
            summary = {"Id": pid, "Arn": f"arn:aws:organizations::{mgmt}:policy/{org}/{kind}/{pid}",
                       "Name": name, "Description": desc, "Type": pt, "AwsManaged": False}
            listed.append(summary)
            out.write(o + f"describe-policy/{pid}.json", {"Policy": {"PolicySummary": summary, "Content": json.dumps(doc, indent=4)}})
            out.write(o + f"list-targets-for-policy/{pid}.json", {"Targets": [target(t) for t in targets]})
        out.write(o + f"list-policies/{ptype}.json", {"Policies": listed})

    sec = next(a for a in ACME_ACCOUNTS if a[1] == "acme-security")
    epoch = "organizations/list-delegated-administrators.json" in shapes["epoch_files"]
    tfmt = v1_epoch if epoch else v2
    out.write(o + "list-delegated-administrators.json", {"DelegatedAdministrators": [{
        "Id": sec[0], "Arn": acct_arn(sec[0]), "Email": f"aws+{sec[1]}@acme.example", "Name": sec[1],
        "Status": "ACTIVE", "State": "ACTIVE", "JoinedMethod": sec[4], "JoinedTimestamp": tfmt(sec[5]),
        "DelegationEnabledDate": tfmt(ts(2023, 1, 9, 15, 20, 44, 310)),
    }]})

    # ------------------------------------------------------------ sso-admin
    s = "sso-admin/"
    out.write(s + "list-instances.json", {"Instances": [{
        "InstanceArn": ACME_INSTANCE, "IdentityStoreId": ACME_STORE, "OwnerAccountId": mgmt, "Name": "acme",
        "CreatedDate": v2(ts(2019, 2, 28, 16, 4, 51, 993)), "Status": "ACTIVE",
    }]})
    out.write(s + "describe-instance-access-control-attribute-configuration.json", {
        "Status": "ENABLED", "StatusReason": "",
        "InstanceAccessControlAttributeConfiguration": {"AccessControlAttributes": [
            {"Key": "team", "Value": {"Source": ["${path:enterprise.department}"]}},
            {"Key": "CostCenter", "Value": {"Source": ["${path:enterprise.costCenter}"]}},
        ]},
    })
    out.write(s + "list-permission-sets.json", {"PermissionSets": [acme_ps_arn(p[0]) for p in ACME_PS]})

    pairs = sorted({(k, a) for k, a, _t, _p in ACME_ASSIGNMENTS} | set(ACME_EXTRA_PROVISIONED))
    missing = sorted((PS[k][1], a, n) for k, a in pairs for n, _p in PS[k][6] + ([PS[k][8][1:]] if PS[k][8] and PS[k][8][0] == "cmp" else [])
                     if n not in ACME_ACCOUNT_CMPS.get(a, []))
    assert missing == [("PlatformEngineer", ACCT["acme-staging"], "AcmePlatformIamLimited")], missing
    for key, name, desc, duration, relay, managed, cmps, inline, boundary, tags, created in ACME_PS:
        pid = acme_ps_id(key)
        p = f"{s}permission-sets/{pid}/"
        ps = {"Name": name, "PermissionSetArn": acme_ps_arn(key), "Description": desc,
              "CreatedDate": v2(created), "SessionDuration": duration}
        if relay:
            ps["RelayState"] = relay
        out.write(p + "describe-permission-set.json", {"PermissionSet": ps})
        out.write(p + "list-managed-policies-in-permission-set.json",
                  {"AttachedManagedPolicies": [{"Name": arn.split("/")[-1], "Arn": arn} for arn in managed]})
        out.write(p + "list-customer-managed-policy-references-in-permission-set.json",
                  {"CustomerManagedPolicyReferences": [{"Name": n, "Path": pa} for n, pa in cmps]})
        out.write(p + "get-inline-policy-for-permission-set.json", {"InlinePolicy": compact(inline) if inline else ""})
        if boundary and boundary[0] == "cmp":
            out.write(p + "get-permissions-boundary-for-permission-set.json",
                      {"PermissionsBoundary": {"CustomerManagedPolicyReference": {"Name": boundary[1], "Path": boundary[2]}}})
        elif boundary:
            out.write(p + "get-permissions-boundary-for-permission-set.json",
                      {"PermissionsBoundary": {"ManagedPolicyArn": boundary[1]}})
        out.write(p + "list-tags-for-resource.json", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]})
        accts = sorted({a for k, a in pairs if k == key})
        out.write(p + "list-accounts-for-provisioned-permission-set.json", {"AccountIds": accts})

    for key, acct in pairs:
        rows = []
        for k, a, ptype, principal in ACME_ASSIGNMENTS:
            if k == key and a == acct:
                pid = acme_group_id(principal) if ptype == "GROUP" else acme_user_id(principal)
                rows.append({"AccountId": acct, "PermissionSetArn": acme_ps_arn(key), "PrincipalType": ptype, "PrincipalId": pid})
        out.write(f"{s}account-assignments/{acct}/{acme_ps_id(key)}.json", {"AccountAssignments": rows})

    apps = []
    for name, provider, desc, visibility, required, assigned, url in ACME_APPS:
        apl = "apl-" + hex16("acme", "app", name)
        arn = f"arn:aws:sso::{mgmt}:application/{ACME_INSTANCE.split('/')[-1]}/{apl}"
        app = {"ApplicationArn": arn, "ApplicationProviderArn": provider, "Name": name,
               "ApplicationAccount": mgmt, "InstanceArn": ACME_INSTANCE, "Status": "ENABLED",
               "PortalOptions": {"Visibility": visibility, "SignInOptions": {"Origin": "IDENTITY_CENTER"}},
               "CreatedDate": v2(ts(2025, 6, 2, 9, 30, 0))}
        if url:
            app["PortalOptions"]["SignInOptions"] = {"Origin": "APPLICATION", "ApplicationUrl": url}
        if desc:
            app["Description"] = desc
        apps.append(app)
        d = f"{s}applications/{apl}/"
        out.write(d + "get-application-assignment-configuration.json", {"AssignmentRequired": required})
        out.write(d + "list-application-assignments.json", {"ApplicationAssignments": [{
            "ApplicationArn": arn, "PrincipalId": GONE_USER if who == "?" else
            (acme_group_id(who) if t == "GROUP" else acme_user_id(who)), "PrincipalType": t} for t, who in assigned]})
    out.write(s + "list-applications.json", {"Applications": apps})

    out.write("account-access/list-applications.json", {"applications": [{
        "applicationArn": ACME_AAM_APP, "tenantId": ACME_INSTANCE.split("/")[-1],
        "createdAt": v2(ts(2026, 8, 20, 14, 2, 0)), "updatedAt": v2(ts(2026, 9, 1, 8, 0, 0))}]})
    ents = []
    for t, who, role, acct_name in ACME_ENTITLEMENTS:
        pid = GONE_USER if who == "?" else (acme_group_id(who) if t == "GROUP" else acme_user_id(who))
        key = "groupId" if t == "GROUP" else "userId"
        ents.append({"entitlementId": "ent-" + hex16("acme", "ent", who, role),
                     "entitlement": {"principalRole": {"principal": {"identityCenter": {key: pid}},
                                                       "roleArn": f"arn:aws:iam::{ACCT[acct_name]}:role{role}",
                                                       "account": ACCT[acct_name], "accountName": acct_name}},
                     "createdAt": v2(ts(2026, 9, 1, 8, 5, 0))})
    out.write(f"account-access/list-entitlements/{ACME_AAM_APP.split('/')[-1]}.json", {"entitlements": ents})

    # -------------------------------------------------------- identitystore
    i = "identitystore/"
    scim_issuer = "https://scim.aws.com/1f8e2c4b7a"
    users = []
    for name, given, family, dept, cc, _groups, status, title in ACME_USERS:
        email = f"{name}@acme.example"
        u = {
            "IdentityStoreId": ACME_STORE, "UserId": acme_user_id(name), "UserName": email,
            "ExternalIds": [{"Issuer": scim_issuer, "Id": "00u" + hex16("acme", "okta", name)[:17]}],
            "Name": {"Formatted": f"{given} {family}", "FamilyName": family, "GivenName": given},
            "DisplayName": f"{given} {family}",
            "Emails": [{"Value": email, "Type": "work", "Primary": True}],
            "Title": title, "Locale": "en-IE", "Timezone": "Europe/Dublin",
            "UserStatus": status,
        }
        ext = {}
        if dept:
            ext["department"] = dept
        if cc:
            ext["costCenter"] = cc
        if dept or cc:
            ext["organization"] = "Acme Corp"
            u["Extensions"] = {"aws:identitystore:enterprise": ext}
        users.append(u)
    out.write(i + "list-users.json", {"Users": users})
    out.write(i + "list-groups.json", {"Groups": [{
        "GroupId": acme_group_id(g), "DisplayName": g,
        "ExternalIds": [{"Issuer": scim_issuer, "Id": "00g" + hex16("acme", "okta", g)[:17]}],
        "Description": d, "IdentityStoreId": ACME_STORE} for g, d in ACME_GROUPS]})
    for g, _d in ACME_GROUPS:
        members = [u for u in ACME_USERS if g in u[5]]
        out.write(i + f"list-group-memberships/{acme_group_id(g)}.json", {"GroupMemberships": [{
            "IdentityStoreId": ACME_STORE, "MembershipId": uuid_of(ACME_PREFIX, "acme", "membership", g, u[0]),
            "GroupId": acme_group_id(g), "MemberId": {"UserId": acme_user_id(u[0])}} for u in members]})

    # ------------------------------------------------------------------ iam
    for acct in ACTIVE:
        if acct == shapes["no_iam_account"]:
            continue
        out.write(f"iam/{acct}/get-account-authorization-details.json", acme_iam(acct, pairs))

    # -------------------------------------------------------------- errors
    admin_role = acme_role_name("admin", mgmt)
    noiam = shapes["no_iam_account"]
    out.write("errors.json", [{
        "account_id": noiam,
        "operation": "sts assume-role",
        "message": (f"An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
                    f"arn:aws:sts::{mgmt}:assumed-role/{admin_role}/alice.martin@acme.example is not authorized to "
                    f"perform: sts:AssumeRole on resource: arn:aws:iam::{noiam}:role/OrganizationAccountAccessRole"),
    }])

    # ------------------------------------------------------------ resources
    out.write("resources.json", acme_resources())
    return out.count


def acme_iam(acct, pairs):
    """get-account-authorization-details of one acme account."""
    mgmt = ACME_MGMT
    urlenc = acct == ACME_SHAPES["iam_urlencoded_account"]
    string_doc = acct == ACME_SHAPES["iam_string_doc_account"]
    tfmt = iam_z if urlenc else v2

    def doc(d):
        return urlencoded(d) if urlenc else d

    existing = ACME_ACCOUNT_CMPS.get(acct, [])
    joined = {a[0]: a[5] for a in ACME_ACCOUNTS}
    path = sso_role_path(ACME_REGION)
    saml = hex16("acme", acct, "saml")
    roles, users, groups = [], [], []
    attached = {}  # policy arn -> count
    boundary_use = {}

    def attach(arn):
        attached[arn] = attached.get(arn, 0) + 1

    if acct != mgmt:
        role = org_access_role("acme", acct, mgmt, joined[acct].replace(microsecond=0) + dt.timedelta(minutes=4), tfmt, doc)
        role["RoleLastUsed"] = {"LastUsedDate": tfmt(ts(2026, 11, 20, 10, 1, 12)), "Region": "us-east-1"}
        roles.append(role)
        attach(ADMIN_ARN)

    for key, a in pairs:
        if a != acct:
            continue
        _k, name, _desc, _dur, _relay, managed, cmps, inline, boundary, _tags, created = PS[key]
        rname = acme_role_name(key, acct)
        amp = []
        for arn in managed:
            amp.append({"PolicyName": arn.split("/")[-1], "PolicyArn": arn})
            attach(arn)
        for n, pa in cmps:
            if n in existing:  # a reference missing in the account is not attached (provisioning failed)
                arn = f"arn:aws:iam::{acct}:policy{pa}{n}"
                amp.append({"PolicyName": n, "PolicyArn": arn})
                attach(arn)
        role = {
            "Path": path, "RoleName": rname,
            "RoleId": iam_unique_id("AROA", "acme", acct, rname),
            "Arn": f"arn:aws:iam::{acct}:role{path}{rname}",
            "CreateDate": tfmt(max(created, joined[acct]) + dt.timedelta(
                days=int(hex16("acme", acct, key, "day"), 16) % 40, minutes=int(hex16("acme", acct, key, "min"), 16) % 600)),
            "AssumeRolePolicyDocument": doc(sso_trust(acct, saml)),
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": "AwsSSOInlinePolicy", "PolicyDocument": doc(inline)}] if inline else [],
            "AttachedManagedPolicies": amp,
        }
        if boundary and boundary[0] == "cmp":
            barn = f"arn:aws:iam::{acct}:policy{boundary[2]}{boundary[1]}"
            role["PermissionsBoundary"] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": barn}
            boundary_use[barn] = boundary_use.get(barn, 0) + 1
        role["Tags"] = []
        used = int(hex16("acme", acct, key, "used"), 16) % 3
        role["RoleLastUsed"] = {"LastUsedDate": tfmt(ts(2026, 11, 10 + used * 3, 8 + used, 12, 40)), "Region": ACME_REGION} if used else {}
        roles.append(role)

    if acct == ACCT["acme-prod"]:
        roles.append({
            "Path": "/acme/app/", "RoleName": "payments-api",
            "RoleId": iam_unique_id("AROA", "acme", acct, "payments-api"),
            "Arn": f"arn:aws:iam::{acct}:role/acme/app/payments-api",
            "CreateDate": tfmt(ts(2021, 3, 3, 11, 5, 0)),
            "AssumeRolePolicyDocument": doc({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            "InstanceProfileList": [], "RolePolicyList": [],
            "AttachedManagedPolicies": [{"PolicyName": "AcmePaymentsApi", "PolicyArn": f"arn:aws:iam::{acct}:policy/AcmePaymentsApi"}],
            "PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                    "PermissionsBoundaryArn": f"arn:aws:iam::{acct}:policy/acme/boundaries/AcmeWorkloadBoundary"},
            "Tags": [{"Key": "team", "Value": "payments"}, {"Key": "CostCenter", "Value": "CC-2001"}],
            "RoleLastUsed": {"LastUsedDate": tfmt(ts(2026, 11, 20, 9, 59, 1)), "Region": ACME_REGION},
        })
        attach(f"arn:aws:iam::{acct}:policy/AcmePaymentsApi")
        b = f"arn:aws:iam::{acct}:policy/acme/boundaries/AcmeWorkloadBoundary"
        boundary_use[b] = boundary_use.get(b, 0) + 1
        groups.append({
            "Path": "/", "GroupName": "deployers", "GroupId": iam_unique_id("AGPA", "acme", acct, "deployers"),
            "Arn": f"arn:aws:iam::{acct}:group/deployers", "CreateDate": tfmt(ts(2020, 1, 8, 12, 0, 0)),
            "GroupPolicyList": [{"PolicyName": "deploy-ecs", "PolicyDocument": doc({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ecs:UpdateService", "ecs:RegisterTaskDefinition", "ecs:DescribeServices"], "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{acct}:role/acme/app/*"}]})}],
            "AttachedManagedPolicies": [],
        })
        users.append({
            "Path": "/", "UserName": "ci-deployer", "UserId": iam_unique_id("AIDA", "acme", acct, "ci-deployer"),
            "Arn": f"arn:aws:iam::{acct}:user/ci-deployer", "CreateDate": tfmt(ts(2020, 1, 8, 12, 5, 0)),
            "UserPolicyList": [{"PolicyName": "push-images", "PolicyDocument": doc({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                                               "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                                               "ecr:CompleteLayerUpload"], "Resource": "*"}]})}],
            "GroupList": ["deployers"], "AttachedManagedPolicies": [],
            "Tags": [{"Key": "owner", "Value": "platform"}],
        })

    names = {a[0]: a[1] for a in ACME_ACCOUNTS}
    if names[acct] in ACME_AAM_ROLES:
        rname, rpath, tag_session, policy = ACME_AAM_ROLES[names[acct]]
        roles.append({
            "Path": rpath, "RoleName": rname, "RoleId": iam_unique_id("AROA", "acme", acct, rname),
            "Arn": f"arn:aws:iam::{acct}:role{rpath}{rname}", "CreateDate": tfmt(ts(2026, 9, 1, 7, 55, 0)),
            "AssumeRolePolicyDocument": doc(aam_trust(tag_session)), "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": "entitlement", "PolicyDocument": doc(policy)}],
            "AttachedManagedPolicies": [], "Tags": [{"Key": "managed-by", "Value": "account-access-manager"}],
            "RoleLastUsed": {},
        })

    if acct == mgmt:
        users.append({
            "Path": "/", "UserName": "breakglass-root-admin", "UserId": iam_unique_id("AIDA", "acme", acct, "breakglass"),
            "Arn": f"arn:aws:iam::{acct}:user/breakglass-root-admin", "CreateDate": tfmt(ts(2019, 1, 14, 9, 10, 0)),
            "UserPolicyList": [], "GroupList": [],
            "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_ARN}],
            "Tags": [{"Key": "purpose", "Value": "break-glass if Identity Center is unavailable"}],
        })
        attach(ADMIN_ARN)

    policies = []
    if ADMIN_ARN in attached:
        policies.append(admin_policy(attached[ADMIN_ARN], tfmt, doc))
    for n in existing:
        pa, desc, versions, created = ACME_CMPS[n]
        arn = f"arn:aws:iam::{acct}:policy{pa}{n}"
        nver = len(versions)
        vlist = []
        for idx, d in enumerate(versions):
            vnum = nver - idx
            entry_doc = doc(d)
            if string_doc and idx > 0:
                entry_doc = json.dumps(d)  # a plain JSON string, the third accepted form
            vlist.append({"Document": entry_doc, "VersionId": f"v{vnum}", "IsDefaultVersion": idx == 0,
                          "CreateDate": tfmt(created + dt.timedelta(days=30 * (vnum - 1)))})
        policies.append({
            "PolicyName": n, "PolicyId": iam_unique_id("ANPA", "acme", acct, n), "Arn": arn, "Path": pa,
            "DefaultVersionId": f"v{nver}", "AttachmentCount": attached.get(arn, 0),
            "PermissionsBoundaryUsageCount": boundary_use.get(arn, 0), "IsAttachable": True,
            "Description": desc,
            "CreateDate": tfmt(created), "UpdateDate": tfmt(created + dt.timedelta(days=30 * (nver - 1))),
            "PolicyVersionList": vlist,
        })

    result = {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}
    if acct == ACME_SHAPES["iam_leftover_account"]:
        result["IsTruncated"] = False
    return result


def acme_resources():
    prod, data, dev, logs = ACCT["acme-prod"], ACCT["acme-data-prod"], ACCT["acme-dev"], ACCT["acme-log-archive"]
    sso = "arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_{ps}_*"
    tls = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
           "Resource": ["{b}", "{b}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}

    def deny_tls(bucket):
        st = json.loads(json.dumps(tls).replace("{b}", bucket))
        return st

    kms_data = f"arn:aws:kms:eu-west-1:{data}:key/{uuid_of('', 'acme', 'kms', 'data')}"
    kms_pay = f"arn:aws:kms:eu-west-1:{prod}:key/{uuid_of('', 'acme', 'kms', 'payments')}"
    return [
        {"arn": "arn:aws:s3:::acme-data-analytics", "account_id": data, "abac": "Disabled",
         "tags": {"team": "data", "CostCenter": "CC-3001"},
         "policy": {"Version": "2012-10-17", "Statement": [
             deny_tls("arn:aws:s3:::acme-data-analytics"),
             {"Sid": "ReadForProdDataEngineers", "Effect": "Allow", "Principal": {"AWS": "*"},
              "Action": ["s3:GetObject", "s3:ListBucket"],
              "Resource": ["arn:aws:s3:::acme-data-analytics", "arn:aws:s3:::acme-data-analytics/*"],
              "Condition": {"ArnLike": {"aws:PrincipalArn": sso.format(acct=prod, ps="DataEngineer")},
                            "StringEquals": {"aws:PrincipalOrgID": ACME_ORG}}}]}},
        {"arn": "arn:aws:s3:::acme-payments-invoices", "account_id": prod, "abac": "Disabled",
         "tags": {"team": "payments", "CostCenter": "CC-2001", "data-classification": "confidential"},
         "policy": {"Version": "2012-10-17", "Statement": [
             deny_tls("arn:aws:s3:::acme-payments-invoices"),
             {"Sid": "StagingReplayReads", "Effect": "Allow",
              "Principal": {"AWS": f"arn:aws:iam::{ACCT['acme-staging']}:root"},
              "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-payments-invoices/replay/*",
              "Condition": {"StringEquals": {"aws:PrincipalTag/team": "payments"}}}]}},
        {"arn": "arn:aws:s3:::acme-platform-artifacts", "account_id": prod, "abac": "Disabled",
         "tags": {"team": "platform", "CostCenter": "CC-1001"},
         "policy": {"Version": "2012-10-17", "Statement": [
             {"Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
              "Resource": ["arn:aws:s3:::acme-platform-artifacts", "arn:aws:s3:::acme-platform-artifacts/*"],
              "Condition": {"StringEquals": {"aws:PrincipalOrgID": ACME_ORG}}}]}},
        {"arn": "arn:aws:s3:::acme-web-assets", "account_id": prod, "abac": "Disabled",
         "tags": {"team": "web", "CostCenter": "CC-2101"},
         "policy": {"Version": "2012-10-17", "Statement": []}},
        {"arn": "arn:aws:s3:::acme-data-dev-scratch", "account_id": dev, "abac": "Enabled",
         "tags": {"team": "data", "CostCenter": "CC-3002", "env": "dev"},
         "policy": {"Version": "2012-10-17", "Statement": [deny_tls("arn:aws:s3:::acme-data-dev-scratch")]}},
        {"arn": f"arn:aws:s3:::acme-log-archive-{logs}", "account_id": logs, "abac": "Disabled",
         "tags": {"team": "security", "CostCenter": "CC-4001"},
         "policy": {"Version": "2012-10-17", "Statement": [
             {"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*",
              "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration", "s3:DeleteBucket"],
              "Resource": [f"arn:aws:s3:::acme-log-archive-{logs}", f"arn:aws:s3:::acme-log-archive-{logs}/*"],
              "Condition": {"ArnNotLike": {"aws:PrincipalArn": sso.format(acct=logs, ps="BreakGlass")}}},
             {"Sid": "SecurityRead", "Effect": "Allow",
              "Principal": {"AWS": f"arn:aws:iam::{ACCT['acme-security']}:root"},
              "Action": ["s3:GetObject", "s3:ListBucket"],
              "Resource": [f"arn:aws:s3:::acme-log-archive-{logs}", f"arn:aws:s3:::acme-log-archive-{logs}/*"]}]}},
        {"arn": f"arn:aws:sqs:eu-west-1:{prod}:payments-events", "account_id": prod,
         "tags": {"team": "payments", "CostCenter": "CC-2001"},
         "policy": {"Version": "2012-10-17", "Id": "payments-events-policy", "Statement": [
             {"Sid": "DataProdConsumers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{data}:root"},
              "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
              "Resource": f"arn:aws:sqs:eu-west-1:{prod}:payments-events",
              "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}}]}},
        {"arn": f"arn:aws:sqs:eu-west-1:{dev}:dev-data-ingest", "account_id": dev,
         "tags": {"team": "data", "CostCenter": "CC-3002"},
         "policy": {"Version": "2012-10-17", "Statement": [
             {"Sid": "SameAccountOnly", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{dev}:root"},
              "Action": "sqs:*", "Resource": f"arn:aws:sqs:eu-west-1:{dev}:dev-data-ingest"}]}},
        {"arn": kms_data, "account_id": data,
         "tags": {"team": "data", "CostCenter": "CC-3001"},
         "policy": {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
             {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{data}:root"},
              "Action": "kms:*", "Resource": "*"},
             {"Sid": "DataTeamFromProd", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{prod}:root"},
              "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*",
              "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}}]}},
        {"arn": kms_pay, "account_id": prod,
         "tags": {"team": "payments", "CostCenter": "CC-2001"},
         "policy": {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
             {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{prod}:root"},
              "Action": "kms:*", "Resource": "*"}]}},
    ]


def main():
    n1 = cookbook()
    n2 = acme()
    print(f"fixtures/cookbook/export: {n1} files; fixtures/acme/export: {n2} files")


if __name__ == "__main__":
    main()
