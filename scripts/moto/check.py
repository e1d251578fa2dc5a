#!/usr/bin/env python3
"""check.py SEED_JSON COLLECTED_SNAPSHOT PORTAL_JSON WHO_CAN_CSV

Checks what `accessgraph collect` read from the seeded moto server against
what seed.py created, by names (ids are random per server), and that the
queries on the collected snapshot answer right. Exits 1 with the
differences."""
import csv
import io
import json
import sys

seed = json.load(open(sys.argv[1]))
snap = json.load(open(sys.argv[2]))
portal = json.load(open(sys.argv[3]))
who = list(csv.DictReader(io.StringIO(open(sys.argv[4]).read())))
problems = []


def expect(what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")


org = snap["organization"]
names = {a["id"]: a["name"] for a in org["accounts"]}
ou_names = {o["id"]: o["name"] for o in org["ous"]}
ou_names[org["root_id"]] = "Root"
expect("organization id", org["id"], seed["organization_id"])
expect("management account", org["management_account_id"], seed["management_account_id"])
expect("accounts", sorted(names.values()), sorted(["acme-dev", "acme-prod", "acme-sandbox", "aws-sec-cookbook-1", seed["management_account_name"]]))
expect("account parents", sorted((a["name"], ou_names[a["parent_id"]]) for a in org["accounts"]),
       sorted([("acme-dev", "Workloads"), ("acme-prod", "Prod"), ("acme-sandbox", "Sandbox"), ("aws-sec-cookbook-1", "Root"), (seed["management_account_name"], "Root")]))
expect("OU tree", sorted((o["name"], ou_names[o["parent_id"]]) for o in org["ous"]),
       [("Prod", "Workloads"), ("Sandbox", "Root"), ("Workloads", "Root")])
expect("account tags", {a["name"]: a["tags"] for a in org["accounts"] if a["tags"]}, seed["account_tags"])
scps = {p["name"]: sorted(p["targets"]) for p in org["policies"] if p["name"] in seed["scp_targets"]}
expect("SCP targets", scps, {k: sorted(v) for k, v in seed["scp_targets"].items()})
deny_leave = next(p for p in org["policies"] if p["name"] == "DenyLeaveOrg")
expect("SCP content", deny_leave["content"]["Statement"][0]["Action"], "organizations:LeaveOrganization")

ic = snap["identity_center"]
expect("instance", ic["instance_arn"], seed["instance_arn"])
expect("identity store", ic["identity_store_id"], seed["identity_store_id"])
expect("home region", ic["home_region"], "eu-west-1")
users = {u["id"]: u for u in snap["users"]}
groups = {g["id"]: g["name"] for g in snap["groups"]}
expect("users", sorted(u["user_name"] for u in snap["users"]), sorted(seed["user_ids"]))
alice = next(u for u in snap["users"] if u["user_name"] == "alice@example.com")
expect("alice's display name", alice.get("display_name"), "Alice Martin")
expect("alice's email", [e["value"] for e in alice["emails"]], ["alice@example.com"])
expect("groups", sorted(groups.values()), sorted(seed["group_ids"]))
expect("memberships", sorted((groups[m["group_id"]], users[m["user_id"]]["user_name"]) for m in snap["memberships"]),
       sorted((m["group_name"], m["user_name"]) for m in seed["group_memberships"]))

ps = {p["name"]: p for p in snap["permission_sets"]}
expect("permission sets", sorted(ps), ["AdministratorAccess", "DeveloperAccess"])
expect("AdministratorAccess managed", ps["AdministratorAccess"]["aws_managed_policies"], ["arn:aws:iam::aws:policy/AdministratorAccess"])
expect("AdministratorAccess session", ps["AdministratorAccess"]["session_duration"], "PT1H")
dev = ps["DeveloperAccess"]
expect("DeveloperAccess session", dev["session_duration"], "PT8H")
expect("DeveloperAccess managed", dev["aws_managed_policies"], ["arn:aws:iam::aws:policy/ReadOnlyAccess"])
expect("DeveloperAccess customer managed", dev["customer_managed_policies"], [{"name": "AcmeDeveloperBase", "path": "/acme/"}])
expect("DeveloperAccess inline resource", dev["inline_policy"]["Statement"][0]["Resource"], "arn:aws:s3:::acme-${aws:PrincipalTag/team}-*/*")
ps_names = {p["arn"]: p["name"] for p in snap["permission_sets"]}


def principal(a):
    return groups[a["principal_id"]] if a["principal_type"] == "GROUP" else users[a["principal_id"]]["user_name"]


expect("assignments",
       sorted((names[a["account_id"]], ps_names[a["permission_set_arn"]], a["principal_type"], principal(a)) for a in snap["assignments"]),
       sorted((names[a["account_id"]], a["permission_set_name"], a["principal_type"], a["principal_name"]) for a in seed["assignments"]))

iam = {i["account_id"]: i for i in snap["iam"]}
mgmt = iam[seed["management_account_id"]]
expect("management roles", [r["name"] for r in mgmt["roles"]], ["app-role"])
expect("app-role inline", [p["name"] for p in mgmt["roles"][0]["inline_policies"]], seed["iam"]["role_inline_policies"]["app-role"])
expect("management policies", [(p["name"], p["path"]) for p in mgmt["policies"]], [("AcmeDeveloperBase", "/acme/")])
for account, name in names.items():
    if account != seed["management_account_id"]:
        expect(f"IAM read in {name} through the member role", [r["name"] for r in iam[account]["roles"]], ["OrganizationAccountAccessRole"])

# moto lacks these (scripts/moto/README.md): recorded, not fatal.
expect("recorded failures", sorted({e["operation"] for e in snap["provenance"]["errors"]}), sorted([
    "account-access:ListApplications",
    "sso:ListApplications",
    "organizations:ListDelegatedAdministrators",
    "sso:DescribeInstanceAccessControlAttributeConfiguration",
    "sso:GetPermissionsBoundaryForPermissionSet",
    "sso:ListTagsForResource",
]))
# A failed listing is "not recorded", never "none".
expect("applications not recorded", snap.get("applications"), None)
expect("account access manager not recorded", snap.get("account_access"), None)
expect("no credentials in the snapshot", "testing" in json.dumps(snap), False)

expect("portal", [(e["account_name"], e["role_name"], e["via"]) for e in portal["entries"]],
       [("acme-dev", "DeveloperAccess", ["group:developers"]), ("acme-prod", "AdministratorAccess", ["group:admins"])])
expect("who-can s3:ListBucket", [(r["principal"], r["via"], r["permission_set"], r["account_name"], r["decision"]) for r in who], [
    ("alice@example.com", "group:developers", "DeveloperAccess", "acme-dev", "conditional"),
    ("alice@example.com", "group:admins", "AdministratorAccess", "acme-prod", "conditional"),
    # The seed recipe's answer (fixtures/cookbook), read live.
    ("awsseccbadmin1", "group:awsseccbadmins", "AdministratorAccess", "aws-sec-cookbook-1", "allow"),
    ("bob@example.com", "group:developers", "DeveloperAccess", "acme-dev", "conditional"),
    ("bob@example.com", "direct", "DeveloperAccess", "acme-sandbox", "allow"),
])

if problems:
    print("collect-moto: the collected snapshot differs from the seed:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print("collect-moto: snapshot, portal and who-can match the seed")
