#!/usr/bin/env python3
"""Call the read operations `accessgraph collect` relies on against a seeded moto.

Usage: probe.py ENDPOINT_URL SEED_JSON [OUT_JSON]

SEED_JSON is the file written by seed.py against the same server.  For each
read operation the script prints one line "service:Operation -> summary"
(or "-> ERROR ..."), and with OUT_JSON also writes the full answers (minus
ResponseMetadata) there.  It changes nothing on the server except what
sts:AssumeRole records.  Used to write README.md; rerun it after a moto
upgrade to see what changed.
"""

import json
import sys

import boto3
import botocore.config
import botocore.exceptions

REGION = "eu-west-1"
CONFIG = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})


def session(key_id="testing", secret="testing", token=None):
    return boto3.Session(
        aws_access_key_id=key_id, aws_secret_access_key=secret,
        aws_session_token=token, region_name=REGION,
    )


class Probe:
    def __init__(self, endpoint_url):
        self.endpoint_url = endpoint_url
        self.results = {}

    def run(self, label, sess, service, operation, summarize, **params):
        client = sess.client(service, endpoint_url=self.endpoint_url, config=CONFIG)
        api = client.meta.method_to_api_mapping[operation]
        key = f"{service}:{api} {label}".strip()
        try:
            answer = getattr(client, operation)(**params)
        except botocore.exceptions.ClientError as err:
            status = err.response["ResponseMetadata"].get("HTTPStatusCode")
            error = err.response.get("Error", {})
            message = error.get("Message", "")
            if status == 500:
                message = "HTTP 500 (not implemented by moto)"
            line = f"ERROR {error.get('Code')}: {message}"
            self.results[key] = {"error": line}
            print(f"{key} -> {line}")
            return None
        answer.pop("ResponseMetadata", None)
        self.results[key] = answer
        try:
            summary = summarize(answer)
        except (KeyError, IndexError, TypeError) as err:
            summary = f"(unexpected shape: {err!r}) {answer!r:.300}"
        print(f"{key} -> {summary}")
        return answer


def names(items, *fields):
    return [tuple(i.get(f) for f in fields) if len(fields) > 1 else i.get(fields[0])
            for i in items]


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    endpoint, seed = argv[1], json.load(open(argv[2]))
    p = Probe(endpoint)
    mgmt = session()
    inst, store = seed["instance_arn"], seed["identity_store_id"]
    ps = seed["permission_set_arns"]
    acct = seed["account_ids"]
    ou = seed["ou_ids"]
    root = seed["root_id"]

    # --- sso-admin -----------------------------------------------------------
    p.run("", mgmt, "sso-admin", "list_instances",
          lambda a: names(a["Instances"], "InstanceArn", "IdentityStoreId", "OwnerAccountId"))
    p.run("", mgmt, "sso-admin", "list_permission_sets",
          lambda a: a["PermissionSets"], InstanceArn=inst)
    for name, arn in sorted(ps.items()):
        p.run(name, mgmt, "sso-admin", "describe_permission_set",
              lambda a: a["PermissionSet"], InstanceArn=inst, PermissionSetArn=arn)
        p.run(name, mgmt, "sso-admin", "list_managed_policies_in_permission_set",
              lambda a: names(a["AttachedManagedPolicies"], "Name", "Arn"),
              InstanceArn=inst, PermissionSetArn=arn)
        p.run(name, mgmt, "sso-admin", "get_inline_policy_for_permission_set",
              lambda a: repr(a.get("InlinePolicy")),
              InstanceArn=inst, PermissionSetArn=arn)
        p.run(name, mgmt, "sso-admin",
              "list_customer_managed_policy_references_in_permission_set",
              lambda a: a["CustomerManagedPolicyReferences"],
              InstanceArn=inst, PermissionSetArn=arn)
        p.run(name, mgmt, "sso-admin", "get_permissions_boundary_for_permission_set",
              lambda a: a, InstanceArn=inst, PermissionSetArn=arn)
        p.run(name, mgmt, "sso-admin", "list_accounts_for_provisioned_permission_set",
              lambda a: a["AccountIds"], InstanceArn=inst, PermissionSetArn=arn)
    for name, account_id in sorted(acct.items()):
        p.run(name, mgmt, "sso-admin", "list_permission_sets_provisioned_to_account",
              lambda a: a.get("PermissionSets"), InstanceArn=inst, AccountId=account_id)
        for ps_name, arn in sorted(ps.items()):
            p.run(f"{name} {ps_name}", mgmt, "sso-admin", "list_account_assignments",
                  lambda a: names(a["AccountAssignments"], "AccountId", "PrincipalType",
                                  "PrincipalId"),
                  InstanceArn=inst, AccountId=account_id, PermissionSetArn=arn)
    p.run("mgmt", mgmt, "sso-admin", "list_permission_sets_provisioned_to_account",
          lambda a: a.get("PermissionSets"), InstanceArn=inst,
          AccountId=seed["management_account_id"])
    p.run("bob", mgmt, "sso-admin", "list_account_assignments_for_principal",
          lambda a: names(a["AccountAssignments"], "AccountId", "PermissionSetArn"),
          InstanceArn=inst, PrincipalType="USER",
          PrincipalId=seed["user_ids"]["bob@example.com"])
    p.run("", mgmt, "sso-admin", "describe_instance_access_control_attribute_configuration",
          lambda a: a, InstanceArn=inst)
    p.run("", mgmt, "sso-admin", "create_instance", lambda a: a, Name="probe")

    # --- identitystore -------------------------------------------------------
    p.run("", mgmt, "identitystore", "list_users",
          lambda a: names(a["Users"], "UserName", "DisplayName", "Emails"),
          IdentityStoreId=store)
    p.run("", mgmt, "identitystore", "list_groups",
          lambda a: names(a["Groups"], "DisplayName", "GroupId"), IdentityStoreId=store)
    for name, gid in sorted(seed["group_ids"].items()):
        p.run(name, mgmt, "identitystore", "list_group_memberships",
              lambda a: [m["MemberId"] for m in a["GroupMemberships"]],
              IdentityStoreId=store, GroupId=gid)
    p.run("alice", mgmt, "identitystore", "describe_user",
          lambda a: {k: a.get(k) for k in ("UserName", "Name", "DisplayName", "Emails")},
          IdentityStoreId=store, UserId=seed["user_ids"]["alice@example.com"])
    p.run("unknown store", mgmt, "identitystore", "list_users",
          lambda a: a["Users"], IdentityStoreId="d-0000000000")

    # --- organizations -------------------------------------------------------
    p.run("", mgmt, "organizations", "describe_organization",
          lambda a: a["Organization"])
    p.run("", mgmt, "organizations", "list_roots",
          lambda a: names(a["Roots"], "Id", "Name", "PolicyTypes"))
    p.run("", mgmt, "organizations", "list_accounts",
          lambda a: names(a["Accounts"], "Name", "Id", "Status"))
    for name, parent in [("Root", root)] + sorted(ou.items()):
        p.run(name, mgmt, "organizations", "list_organizational_units_for_parent",
              lambda a: names(a["OrganizationalUnits"], "Name", "Id"), ParentId=parent)
        p.run(name, mgmt, "organizations", "list_accounts_for_parent",
              lambda a: names(a["Accounts"], "Name"), ParentId=parent)
    p.run("SCP", mgmt, "organizations", "list_policies",
          lambda a: names(a["Policies"], "Name", "Id", "AwsManaged"),
          Filter="SERVICE_CONTROL_POLICY")
    p.run("RCP", mgmt, "organizations", "list_policies",
          lambda a: names(a["Policies"], "Name", "Id", "AwsManaged"),
          Filter="RESOURCE_CONTROL_POLICY")
    for name, pid in sorted(seed["scp_ids"].items()) + [("FullAWSAccess", "p-FullAWSAccess")]:
        p.run(name, mgmt, "organizations", "describe_policy",
              lambda a: {"Name": a["Policy"]["PolicySummary"]["Name"],
                         "Content": a["Policy"]["Content"][:60] + "..."},
              PolicyId=pid)
        p.run(name, mgmt, "organizations", "list_targets_for_policy",
              lambda a: names(a["Targets"], "Name", "Type"), PolicyId=pid)
    for name, target in [("Workloads", ou["Workloads"]), ("acme-prod", acct["acme-prod"])]:
        p.run(name, mgmt, "organizations", "list_policies_for_target",
              lambda a: names(a["Policies"], "Name"), TargetId=target,
              Filter="SERVICE_CONTROL_POLICY")
    p.run("", mgmt, "organizations", "list_delegated_administrators",
          lambda a: names(a["DelegatedAdministrators"], "Name", "Id"))
    p.run("sso", mgmt, "organizations", "list_delegated_administrators",
          lambda a: names(a["DelegatedAdministrators"], "Name", "Id"),
          ServicePrincipal="sso.amazonaws.com")
    p.run("acme-dev", mgmt, "organizations", "list_delegated_services_for_account",
          lambda a: a["DelegatedServices"], AccountId=acct["acme-dev"])
    p.run("", mgmt, "organizations", "list_aws_service_access_for_organization",
          lambda a: names(a["EnabledServicePrincipals"], "ServicePrincipal"))
    p.run("acme-prod", mgmt, "organizations", "list_tags_for_resource",
          lambda a: a["Tags"], ResourceId=acct["acme-prod"])
    p.run("acme-prod", mgmt, "organizations", "list_parents",
          lambda a: a["Parents"], ChildId=acct["acme-prod"])

    # --- iam (management account) --------------------------------------------
    def auth_summary(a):
        return {
            "users": len(a["UserDetailList"]),
            "groups": len(a["GroupDetailList"]),
            "roles": [(r["RoleName"], [q["PolicyName"] for q in r["RolePolicyList"]])
                      for r in a["RoleDetailList"]],
            "policies": [(q.get("Path"), q.get("PolicyName"), q.get("Arn"),
                          len(q.get("PolicyVersionList", [])))
                         for q in a["Policies"]],
            "IsTruncated": a.get("IsTruncated"),
        }
    p.run("mgmt LocalManagedPolicy+Role", mgmt, "iam", "get_account_authorization_details",
          auth_summary, Filter=["LocalManagedPolicy", "Role", "User", "Group"])
    p.run("mgmt no filter", mgmt, "iam", "get_account_authorization_details",
          lambda a: {"roles": len(a["RoleDetailList"]), "policies": len(a["Policies"]),
                     "IsTruncated": a.get("IsTruncated")})

    # --- sts assume-role into each member account -----------------------------
    for name, account_id in sorted(acct.items()):
        role_arn = f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
        creds = p.run(name, mgmt, "sts", "assume_role",
                      lambda a: {"AssumedRoleUser": a["AssumedRoleUser"]["Arn"],
                                 "AccessKeyId": a["Credentials"]["AccessKeyId"]},
                      RoleArn=role_arn, RoleSessionName="accessgraph")
        if creds is None:
            continue
        c = creds["Credentials"]
        member = session(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        p.run(name, member, "sts", "get_caller_identity", lambda a: a)
        p.run(name, member, "iam", "get_account_authorization_details",
              auth_summary, Filter=["LocalManagedPolicy", "Role", "User", "Group"])
        p.run(name, member, "iam", "get_role",
              lambda a: {"Arn": a["Role"]["Arn"],
                         "Trust": a["Role"]["AssumeRolePolicyDocument"]},
              RoleName="OrganizationAccountAccessRole")
        p.run(name, member, "iam", "list_attached_role_policies",
              lambda a: names(a["AttachedPolicies"], "PolicyArn"),
              RoleName="OrganizationAccountAccessRole")
        p.run(name, member, "sso-admin", "list_instances",
              lambda a: names(a["Instances"], "InstanceArn", "OwnerAccountId"))
        p.run(name, member, "organizations", "describe_organization",
              lambda a: a["Organization"]["Id"])
    p.run("bogus role", mgmt, "sts", "assume_role",
          lambda a: a["AssumedRoleUser"]["Arn"],
          RoleArn="arn:aws:iam::999999999999:role/DoesNotExist",
          RoleSessionName="accessgraph")

    if len(argv) == 4:
        with open(argv[3], "w") as f:
            json.dump(p.results, f, indent=2, sort_keys=True, default=str)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
