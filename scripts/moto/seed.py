#!/usr/bin/env python3
"""Seed a moto server with a small AWS organization using IAM Identity Center.

Usage: seed.py ENDPOINT_URL OUT_JSON

ENDPOINT_URL is a running moto server (see run-server.sh), e.g.
http://127.0.0.1:5000.  The script first resets the server (POST
/moto-api/reset) and seeds moto's random generator (POST /moto-api/seed), so
two runs against fresh servers of the same moto version produce the same ids.

It creates, in region eu-west-1 with the fake credentials testing/testing
(moto maps them to the management account 123456789012):

* Organizations: an organization (feature set ALL); OUs Root/Workloads/Prod
  and Root/Sandbox; member accounts acme-prod (in Prod, tagged env=prod),
  acme-dev (in Workloads), acme-sandbox (in Sandbox) and the seed recipe's
  aws-sec-cookbook-1 (under the root, fixtures/cookbook); SCPs DenyLeaveOrg
  (attached to the root) and RegionGuard (attached to Workloads); acme-dev
  as delegated administrator for sso.amazonaws.com.
* IAM Identity Center: the instance moto provides, users alice, bob and the
  recipe's awsseccbadmin1, groups admins, developers and the recipe's
  awsseccbadmins (AdministratorAccess on aws-sec-cookbook-1) with memberships, permission sets
  AdministratorAccess and DeveloperAccess (managed, inline, customer managed
  and permissions boundary policies), three account assignments, and an
  ABAC attribute "team".
* IAM in the management account: customer managed policy
  /acme/AcmeDeveloperBase and role app-role (trusted by ecs-tasks) with an
  inline policy.

OUT_JSON receives the ids a checker compares the collector's output with.
An operation that moto does not implement (moto answers HTTP 500 and logs
NotImplementedError) is recorded in OUT_JSON's "unsupported" list as
"service:Operation: message" and seeding goes on.  Any other error is
recorded in "errors"; the script then exits with status 1 (after writing
OUT_JSON), so a test can tell a moto gap from a broken seed.
"""

import json
import sys
import time
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

REGION = "eu-west-1"
RANDOM_SEED = 20240601

DENY_LEAVE_ORG = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyLeaveOrganization",
            "Effect": "Deny",
            "Action": "organizations:LeaveOrganization",
            "Resource": "*",
        }
    ],
}

REGION_GUARD = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyOutsideEU",
            "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*"],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}
            },
        }
    ],
}

DEVELOPER_INLINE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "TeamBuckets",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::acme-${aws:PrincipalTag/team}-*/*",
        }
    ],
}

ACME_DEVELOPER_BASE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DescribeEverything",
            "Effect": "Allow",
            "Action": ["ec2:Describe*", "logs:Get*", "logs:Describe*"],
            "Resource": "*",
        }
    ],
}

APP_ROLE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

APP_ROLE_INLINE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
            "Resource": "arn:aws:sqs:eu-west-1:*:acme-jobs",
        }
    ],
}

# (name, email, OU name, tags)
ACCOUNTS = [
    ("acme-prod", "aws+prod@acme.example", "Prod", {"env": "prod"}),
    ("acme-dev", "aws+dev@acme.example", "Workloads", {}),
    ("acme-sandbox", "aws+sandbox@acme.example", "Sandbox", {}),
    # The seed recipe (fixtures/cookbook): its account sits under the root.
    ("aws-sec-cookbook-1", "awsseccb+1@example.com", "Root", {}),
]

# (user name, display name, given name, family name)
USERS = [
    ("alice@example.com", "Alice Martin", "Alice", "Martin"),
    ("bob@example.com", "Bob Stone", "Bob", "Stone"),
    ("awsseccbadmin1", "Cookbook Admin", "Cookbook", "Admin"),
]

# group name -> (description, member user names)
GROUPS = {
    "admins": ("Platform administrators", ["alice@example.com"]),
    "developers": ("Application developers", ["alice@example.com", "bob@example.com"]),
    "awsseccbadmins": ("Cookbook administrators", ["awsseccbadmin1"]),
}

# (account name, permission set name, principal type, principal name)
ASSIGNMENTS = [
    ("acme-prod", "AdministratorAccess", "GROUP", "admins"),
    ("acme-dev", "DeveloperAccess", "GROUP", "developers"),
    ("acme-sandbox", "DeveloperAccess", "USER", "bob@example.com"),
    ("aws-sec-cookbook-1", "AdministratorAccess", "GROUP", "awsseccbadmins"),
]


class Seeder:
    """Runs AWS calls, recording those moto does not implement."""

    def __init__(self, endpoint_url):
        self.endpoint_url = endpoint_url.rstrip("/")
        self.session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name=REGION,
        )
        # No retries: moto answers HTTP 500 for unimplemented operations and
        # retrying those only slows the seed down.
        self.config = botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"}
        )
        self.clients = {}
        self.unsupported = []
        self.errors = []

    def client(self, service):
        if service not in self.clients:
            self.clients[service] = self.session.client(
                service, endpoint_url=self.endpoint_url, config=self.config
            )
        return self.clients[service]

    def moto_api(self, path):
        """POST to moto's own control API (reset, seed)."""
        request = urllib.request.Request(
            self.endpoint_url + path, data=b"", method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def call(self, service, operation, moto_gap=(), **params):
        """Call service.operation(**params); None when it failed.

        A failure is recorded as "service:Operation: message": in
        self.unsupported when moto answered HTTP 500 (its answer for an
        operation it does not implement) or an error code listed in moto_gap
        (a request real AWS accepts but moto refuses), otherwise in
        self.errors.
        """
        client = self.client(service)
        method = getattr(client, operation)
        api_name = client.meta.method_to_api_mapping[operation]
        try:
            return method(**params)
        except botocore.exceptions.ClientError as err:
            status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 500:
                self.unsupported.append(
                    f"{service}:{api_name}: not implemented by moto "
                    "(HTTP 500 Internal Server Error; the server logs NotImplementedError)"
                )
                return None
            error = err.response.get("Error", {})
            line = f"{service}:{api_name}: {error.get('Code')}: {error.get('Message')}"
            if error.get("Code") in moto_gap:
                self.unsupported.append(line)
            else:
                self.errors.append(line)
            return None


def seed(s):
    out = {"endpoint_url": s.endpoint_url, "region": REGION}

    s.moto_api("/moto-api/reset")
    s.moto_api(f"/moto-api/seed?a={RANDOM_SEED}")

    # --- Organizations ---------------------------------------------------
    org = s.call("organizations", "create_organization", FeatureSet="ALL")
    if org is None:
        raise SystemExit("organizations:CreateOrganization failed: " + repr(s.errors))
    out["organization_id"] = org["Organization"]["Id"]
    out["management_account_id"] = org["Organization"]["MasterAccountId"]
    management = s.call(
        "organizations", "describe_account", AccountId=out["management_account_id"]
    )
    out["management_account_name"] = management and management["Account"]["Name"]
    root_id = s.call("organizations", "list_roots")["Roots"][0]["Id"]
    out["root_id"] = root_id

    ou_ids = {}
    for name, parent in [("Workloads", root_id), ("Sandbox", root_id)]:
        ou = s.call("organizations", "create_organizational_unit", ParentId=parent, Name=name)
        ou_ids[name] = ou["OrganizationalUnit"]["Id"]
    ou = s.call(
        "organizations", "create_organizational_unit",
        ParentId=ou_ids["Workloads"], Name="Prod",
    )
    ou_ids["Prod"] = ou["OrganizationalUnit"]["Id"]
    out["ou_ids"] = ou_ids

    account_ids = {}
    for name, email, ou_name, tags in ACCOUNTS:
        status = s.call("organizations", "create_account", Email=email, AccountName=name)
        status = status["CreateAccountStatus"]
        # Real AWS creates accounts asynchronously; moto answers SUCCEEDED at once.
        for _ in range(30):
            if status["State"] != "IN_PROGRESS":
                break
            time.sleep(1)
            status = s.call(
                "organizations", "describe_create_account_status",
                CreateAccountRequestId=status["Id"],
            )["CreateAccountStatus"]
        account_id = status["AccountId"]
        account_ids[name] = account_id
        if ou_name != "Root":
            s.call(
                "organizations", "move_account",
                AccountId=account_id, SourceParentId=root_id,
                DestinationParentId=ou_ids[ou_name],
            )
        if tags:
            s.call(
                "organizations", "tag_resource", ResourceId=account_id,
                Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
            )
    out["account_ids"] = account_ids

    s.call(
        "organizations", "enable_policy_type",
        RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY",
    )
    scp_ids = {}
    for name, description, document, target in [
        ("DenyLeaveOrg", "Member accounts may not leave the organization",
         DENY_LEAVE_ORG, root_id),
        ("RegionGuard", "Workloads run in the EU only", REGION_GUARD, ou_ids["Workloads"]),
    ]:
        policy = s.call(
            "organizations", "create_policy",
            Name=name, Description=description, Type="SERVICE_CONTROL_POLICY",
            Content=json.dumps(document),
        )
        policy_id = policy["Policy"]["PolicySummary"]["Id"]
        scp_ids[name] = policy_id
        s.call("organizations", "attach_policy", PolicyId=policy_id, TargetId=target)
    out["scp_ids"] = scp_ids
    out["scp_targets"] = {"DenyLeaveOrg": [root_id], "RegionGuard": [ou_ids["Workloads"]]}

    # Real AWS wants trusted access enabled before a delegated administrator.
    s.call(
        "organizations", "enable_aws_service_access",
        ServicePrincipal="sso.amazonaws.com",
    )
    # moto accepts only a few service principals here, sso.amazonaws.com not
    # among them (InvalidInputException "unrecognized service principal").
    registered = s.call(
        "organizations", "register_delegated_administrator",
        moto_gap=("InvalidInputException",),
        AccountId=account_ids["acme-dev"], ServicePrincipal="sso.amazonaws.com",
    )
    out["delegated_administrators"] = (
        {"sso.amazonaws.com": [account_ids["acme-dev"]]} if registered is not None else {}
    )
    out["account_tags"] = {"acme-prod": {"env": "prod"}}

    # --- IAM Identity Center instance ------------------------------------
    # moto creates one instance per (account, region) backend on first use,
    # so list_instances normally answers it; create_instance is the fallback.
    instances = (s.call("sso-admin", "list_instances") or {}).get("Instances", [])
    if not instances:
        created = s.call("sso-admin", "create_instance", Name="acme")
        if created:
            instances = s.call("sso-admin", "list_instances")["Instances"]
    if not instances:
        raise SystemExit("no IAM Identity Center instance: " + repr(s.unsupported + s.errors))
    instance_arn = instances[0]["InstanceArn"]
    store_id = instances[0]["IdentityStoreId"]
    out["instance_arn"] = instance_arn
    out["identity_store_id"] = store_id

    # --- Identity store --------------------------------------------------
    user_ids = {}
    for user_name, display, given, family in USERS:
        user = s.call(
            "identitystore", "create_user",
            IdentityStoreId=store_id, UserName=user_name, DisplayName=display,
            Name={"GivenName": given, "FamilyName": family,
                  "Formatted": f"{given} {family}"},
            Emails=[{"Value": user_name if "@" in user_name else f"{user_name}@example.com",
                     "Type": "work", "Primary": True}],
        )
        user_ids[user_name] = user["UserId"]
    out["user_ids"] = user_ids

    group_ids = {}
    memberships = []
    for group_name, (description, members) in GROUPS.items():
        group = s.call(
            "identitystore", "create_group",
            IdentityStoreId=store_id, DisplayName=group_name, Description=description,
        )
        group_ids[group_name] = group["GroupId"]
        for member in members:
            s.call(
                "identitystore", "create_group_membership",
                IdentityStoreId=store_id, GroupId=group["GroupId"],
                MemberId={"UserId": user_ids[member]},
            )
            memberships.append({"group_name": group_name, "user_name": member})
    out["group_ids"] = group_ids
    out["group_memberships"] = memberships

    # --- Permission sets -------------------------------------------------
    ps_arns = {}
    for name, duration, description in [
        ("AdministratorAccess", "PT1H", "Full access for platform administrators"),
        ("DeveloperAccess", "PT8H", "Read-only plus team buckets"),
    ]:
        ps = s.call(
            "sso-admin", "create_permission_set",
            InstanceArn=instance_arn, Name=name, Description=description,
            SessionDuration=duration,
        )
        ps_arns[name] = ps["PermissionSet"]["PermissionSetArn"]
    out["permission_set_arns"] = ps_arns

    admin, dev = ps_arns["AdministratorAccess"], ps_arns["DeveloperAccess"]
    s.call(
        "sso-admin", "attach_managed_policy_to_permission_set",
        InstanceArn=instance_arn, PermissionSetArn=admin,
        ManagedPolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    s.call(
        "sso-admin", "attach_managed_policy_to_permission_set",
        InstanceArn=instance_arn, PermissionSetArn=dev,
        ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
    )
    s.call(
        "sso-admin", "put_inline_policy_to_permission_set",
        InstanceArn=instance_arn, PermissionSetArn=dev,
        InlinePolicy=json.dumps(DEVELOPER_INLINE),
    )
    s.call(
        "sso-admin", "attach_customer_managed_policy_reference_to_permission_set",
        InstanceArn=instance_arn, PermissionSetArn=dev,
        CustomerManagedPolicyReference={"Name": "AcmeDeveloperBase", "Path": "/acme/"},
    )
    s.call(
        "sso-admin", "put_permissions_boundary_to_permission_set",
        InstanceArn=instance_arn, PermissionSetArn=dev,
        PermissionsBoundary={
            "ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"
        },
    )

    # --- Account assignments ---------------------------------------------
    principal_ids = {"USER": user_ids, "GROUP": group_ids}
    assignments = []
    for account_name, ps_name, principal_type, principal_name in ASSIGNMENTS:
        created = s.call(
            "sso-admin", "create_account_assignment",
            InstanceArn=instance_arn, TargetId=account_ids[account_name],
            TargetType="AWS_ACCOUNT", PermissionSetArn=ps_arns[ps_name],
            PrincipalType=principal_type,
            PrincipalId=principal_ids[principal_type][principal_name],
        )
        if created is not None:
            assignments.append({
                "account_id": account_ids[account_name],
                "permission_set_name": ps_name,
                "principal_type": principal_type,
                "principal_name": principal_name,
            })
    out["assignments"] = assignments

    # Real AWS provisions a permission set to an account when it is assigned
    # there; moto only records provisioning done with provision_permission_set
    # (once per call, and always to the caller's account).
    for ps_name in sorted(ps_arns):
        s.call(
            "sso-admin", "provision_permission_set",
            InstanceArn=instance_arn, PermissionSetArn=ps_arns[ps_name],
            TargetType="ALL_PROVISIONED_ACCOUNTS",
        )

    # --- ABAC --------------------------------------------------------------
    s.call(
        "sso-admin", "create_instance_access_control_attribute_configuration",
        InstanceArn=instance_arn,
        InstanceAccessControlAttributeConfiguration={
            "AccessControlAttributes": [
                {"Key": "team", "Value": {"Source": ["${path:enterprise.department}"]}}
            ]
        },
    )

    # --- IAM in the management account -------------------------------------
    policy = s.call(
        "iam", "create_policy",
        PolicyName="AcmeDeveloperBase", Path="/acme/",
        PolicyDocument=json.dumps(ACME_DEVELOPER_BASE),
        Description="Baseline for developers, referenced by DeveloperAccess",
    )
    role = s.call(
        "iam", "create_role",
        RoleName="app-role", AssumeRolePolicyDocument=json.dumps(APP_ROLE_TRUST),
        Description="Role of the acme application's ECS tasks",
    )
    s.call(
        "iam", "put_role_policy",
        RoleName="app-role", PolicyName="app-queue",
        PolicyDocument=json.dumps(APP_ROLE_INLINE),
    )
    out["iam"] = {
        "account_id": out["management_account_id"],
        "policy_arns": {"AcmeDeveloperBase": policy and policy["Policy"]["Arn"]},
        "role_arns": {"app-role": role and role["Role"]["Arn"]},
        "role_inline_policies": {"app-role": ["app-queue"]},
    }

    out["unsupported"] = s.unsupported
    out["errors"] = s.errors
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    endpoint_url, out_path = argv[1], argv[2]
    seeder = Seeder(endpoint_url)
    out = seed(seeder)
    with open(out_path, "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")
    for line in out["unsupported"]:
        print("unsupported: " + line, file=sys.stderr)
    for line in out["errors"]:
        print("error: " + line, file=sys.stderr)
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
