#!/usr/bin/env python3
"""A scripted AWS endpoint that serves an organization from an accessgraph
snapshot and throttles like AWS, for measuring and testing `accessgraph
collect` at scale without AWS.

    python3 scripts/fake-aws/server.py SNAPSHOT.json PORTFILE LOGFILE [--no-throttle]

Listens on 127.0.0.1 on a free port (written to PORTFILE once ready) and
answers, with the AWS JSON 1.1 and query protocols the SDK speaks, the
read-only calls the collector makes: Organizations, IAM Identity Center
(sso-admin, applications included), the Identity Store, account access
manager (REST JSON, by path), STS AssumeRole and IAM
GetAccountAuthorizationDetails (the account is the one whose AssumeRole
credentials sign the request; the caller's own credentials are the
management account's). Lists are paginated with NextToken.

Throttling: a token bucket per API at the rates accessgraph paces itself to
(src/live/mod.rs RATES: sso-admin and identitystore 20/s, organizations
10/s, STS 100/s; burst = one second of requests). A request over the rate
gets what AWS sends: HTTP 400 ThrottlingException (TooManyRequestsException
for Organizations, a `Throttling` error for STS).

LOGFILE gets one line per request: `epoch-seconds status operation file`,
where `file` is the export-layout file the call is for (docs/export-layout.md;
`-` for a call that writes none, such as a missing boundary), throttled or
not, so a test can tell which calls were made for which file.

Invented data only; no AWS code or responses are copied.
"""
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SNAP = json.load(open(sys.argv[1]))
PORTFILE, LOGFILE = sys.argv[2], sys.argv[3]
THROTTLE = "--no-throttle" not in sys.argv[4:]

RATES = {"organizations": 10.0, "sso": 20.0, "identitystore": 20.0, "sts": 100.0, "account-access": 10.0}
PAGE = {"organizations": 20, "sso": 100, "identitystore": 100}

ORG = SNAP.get("organization") or {}
IC = SNAP.get("identity_center") or {}
MGMT = ORG.get("management_account_id", "")
SETS = {p["arn"]: p for p in SNAP.get("permission_sets", [])}
ASSIGNED = {}
for a in SNAP.get("assignments", []):
    ASSIGNED.setdefault((a["account_id"], a["permission_set_arn"]), []).append(a)
# Assigning a set to an account provisions it there (as AWS does).
PROVISIONED = {arn: {p["account_id"] for p in ps.get("provisioning", [])} for arn, ps in SETS.items()}
for (acct, arn) in ASSIGNED:
    PROVISIONED.setdefault(arn, set()).add(acct)
IAM = {a["account_id"]: a for a in SNAP.get("iam", [])}
APPS = {a["arn"]: a for a in SNAP.get("applications") or []}
AAM = {a["arn"]: a for a in (SNAP.get("account_access") or {}).get("applications", [])}


def app_json(a):
    """An application as ListApplications gives it."""
    d = {"ApplicationArn": a["arn"], "ApplicationProviderArn": a["provider_arn"], "Name": a["name"],
         "InstanceArn": IC["instance_arn"], "Status": a.get("status", "ENABLED"),
         "PortalOptions": {"Visibility": a.get("visibility", "ENABLED")}}
    if a.get("account_id"):
        d["ApplicationAccount"] = a["account_id"]
    if a.get("description"):
        d["Description"] = a["description"]
    if a.get("sign_in_origin"):
        d["PortalOptions"]["SignInOptions"] = {"Origin": a["sign_in_origin"]}
        if a.get("application_url"):
            d["PortalOptions"]["SignInOptions"]["ApplicationUrl"] = a["application_url"]
    return d


def account_access(path, b):
    """AWS account access manager (REST JSON: the operation is the path)."""
    if path == "/applications-list":
        rows = [{"applicationArn": a["arn"], "tenantId": a.get("tenant_id"), "createdAt": "2026-08-20T14:02:00Z", "updatedAt": "2026-09-01T08:00:00Z"}
                for a in AAM.values()]
        return page(rows, b, "applications", 100, token="nextToken"), "account-access/list-applications.json"
    if path == "/entitlements-list":
        app = AAM.get(b.get("applicationArn"))
        if app is None:
            raise NotFound()
        if b.get("filter") != {"principalRole": {}}:
            return None
        key = {"USER": "userId", "GROUP": "groupId"}
        rows = [{"entitlementId": f"ent-{i}", "createdAt": "2026-09-01T08:05:00Z", "entitlement": {"principalRole": {
            "principal": {"identityCenter": {key[e["principal_type"]]: e["principal_id"]}},
            "roleArn": e["role_arn"], "account": e["account_id"], "accountName": e.get("account_name")}}}
            for i, e in enumerate(app.get("entitlements") or [])]
        return page(rows, b, "entitlements", 100, token="nextToken"), \
            f"account-access/list-entitlements/{app['arn'].rsplit('/', 1)[-1]}.json"
    return None
MEMBERS = {}
for m in SNAP.get("memberships", []):
    MEMBERS.setdefault(m["group_id"], []).append(m["user_id"])


class Bucket:
    def __init__(self, rate):
        self.rate, self.tokens, self.at, self.lock = rate, rate, time.monotonic(), threading.Lock()

    def take(self):
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


BUCKETS = {k: Bucket(v) for k, v in RATES.items()}
LOG_LOCK = threading.Lock()


def psid(arn):
    return arn.rsplit("/", 1)[-1]


def tags(m):
    return [{"Key": k, "Value": v} for k, v in sorted((m or {}).items())]


def page(items, body, key, size, token="NextToken"):
    start = int(body.get(token) or 0)
    out = {key: items[start:start + size]}
    if start + size < len(items):
        out[token] = str(start + size)
    return out


class NotFound(Exception):
    pass


def account_json(a):
    return {"Id": a["id"], "Arn": f"arn:aws:organizations::{MGMT}:account/{ORG['id']}/{a['id']}",
            "Email": a.get("email") or f"{a['id']}@example.com", "Name": a["name"],
            "Status": a.get("status", "ACTIVE"), "JoinedMethod": "CREATED", "JoinedTimestamp": 1.7e9}


def organizations(op, b):
    """(answer, export file)"""
    n = PAGE["organizations"]
    accounts = ORG.get("accounts", [])
    if op == "DescribeOrganization":
        return {"Organization": {"Id": ORG["id"], "Arn": f"arn:aws:organizations::{MGMT}:organization/{ORG['id']}",
                                 "MasterAccountId": MGMT, "FeatureSet": "ALL"}}, "organizations/describe-organization.json"
    if op == "ListRoots":
        types = sorted({p["type"] for p in ORG.get("policies", [])} | {"SERVICE_CONTROL_POLICY"})
        return {"Roots": [{"Id": ORG["root_id"], "Name": "Root", "Arn": f"arn:aws:organizations::{MGMT}:root/{ORG['id']}/{ORG['root_id']}",
                           "PolicyTypes": [{"Type": t, "Status": "ENABLED"} for t in types]}]}, "organizations/list-roots.json"
    if op == "ListOrganizationalUnitsForParent":
        p = b["ParentId"]
        ous = [{"Id": o["id"], "Name": o["name"], "Arn": f"arn:aws:organizations::{MGMT}:ou/{ORG['id']}/{o['id']}"}
               for o in ORG.get("ous", []) if o["parent_id"] == p]
        return page(ous, b, "OrganizationalUnits", n), f"organizations/list-organizational-units-for-parent/{p}.json"
    if op == "ListAccountsForParent":
        p = b["ParentId"]
        return page([account_json(a) for a in accounts if a["parent_id"] == p], b, "Accounts", n), \
            f"organizations/list-accounts-for-parent/{p}.json"
    if op == "ListAccounts":
        return page([account_json(a) for a in accounts], b, "Accounts", n), "organizations/list-accounts.json"
    if op == "ListTagsForResource":
        a = next((a for a in accounts if a["id"] == b["ResourceId"]), None)
        if a is None:
            raise NotFound()
        return page(tags(a.get("tags")), b, "Tags", n), f"organizations/list-tags-for-resource/{a['id']}.json"
    if op == "ListPolicies":
        ps = [{"Id": p["id"], "Arn": f"arn:aws:organizations::aws:policy/{p['type'].lower()}/{p['id']}", "Name": p["name"],
               "Description": p.get("description", ""), "Type": p["type"], "AwsManaged": p.get("aws_managed", False)}
              for p in ORG.get("policies", []) if p["type"] == b["Filter"]]
        return page(ps, b, "Policies", n), f"organizations/list-policies/{b['Filter']}.json"
    if op == "DescribePolicy":
        p = next(p for p in ORG["policies"] if p["id"] == b["PolicyId"])
        return {"Policy": {"PolicySummary": {"Id": p["id"], "Name": p["name"], "Description": p.get("description", ""),
                                             "Type": p["type"], "AwsManaged": p.get("aws_managed", False)},
                           "Content": json.dumps(p["content"])}}, f"organizations/describe-policy/{p['id']}.json"
    if op == "ListTargetsForPolicy":
        p = next(p for p in ORG["policies"] if p["id"] == b["PolicyId"])
        kind = lambda t: "ROOT" if t.startswith("r-") else "ORGANIZATIONAL_UNIT" if t.startswith("ou-") else "ACCOUNT"
        ts = [{"TargetId": t, "Name": t, "Type": kind(t)} for t in p["targets"]]
        return page(ts, b, "Targets", n), f"organizations/list-targets-for-policy/{p['id']}.json"
    if op == "ListDelegatedAdministrators":
        ds = [{"Id": d["account_id"], "Name": d["account_id"]} for d in ORG.get("delegated_administrators", [])]
        return page(ds, b, "DelegatedAdministrators", n), "organizations/list-delegated-administrators.json"
    return None


def sso(op, b):
    n = PAGE["sso"]
    base = lambda arn, cmd: f"sso-admin/permission-sets/{psid(arn)}/{cmd}.json"
    if op == "ListInstances":
        return {"Instances": [{"InstanceArn": IC["instance_arn"], "IdentityStoreId": IC["identity_store_id"],
                               "OwnerAccountId": IC.get("owner_account_id", MGMT), "Name": IC.get("name", ""),
                               "Status": "ACTIVE"}]}, "sso-admin/list-instances.json"
    if op == "DescribeInstanceAccessControlAttributeConfiguration":
        abac = IC.get("abac") or {}
        if not abac.get("attributes"):
            raise NotFound()
        return {"Status": "ENABLED" if abac.get("enabled") else "CREATION_FAILED",
                "InstanceAccessControlAttributeConfiguration": {"AccessControlAttributes": [
                    {"Key": a["key"], "Value": {"Source": [a["source"]]}} for a in abac["attributes"]]}}, \
            "sso-admin/describe-instance-access-control-attribute-configuration.json"
    if op == "ListPermissionSets":
        return page(sorted(SETS), b, "PermissionSets", n), "sso-admin/list-permission-sets.json"
    if op == "ListPermissionSetsProvisionedToAccount":
        acct = b["AccountId"]
        sets = sorted(arn for arn, accts in PROVISIONED.items() if acct in accts)
        return page(sets, b, "PermissionSets", n), f"sso-admin/list-permission-sets-provisioned-to-account/{acct}.json"
    if op == "ListAccountAssignments":
        acct, arn = b["AccountId"], b["PermissionSetArn"]
        rows = [{"AccountId": acct, "PermissionSetArn": arn, "PrincipalType": a["principal_type"], "PrincipalId": a["principal_id"]}
                for a in ASSIGNED.get((acct, arn), [])]
        return page(rows, b, "AccountAssignments", n), f"sso-admin/account-assignments/{acct}/{psid(arn)}.json"
    if op == "ListApplications":
        rows = [app_json(a) for a in APPS.values()]
        return page(rows, b, "Applications", n), "sso-admin/list-applications.json"
    app = APPS.get(b.get("ApplicationArn"))
    if app is not None and op == "GetApplicationAssignmentConfiguration":
        return {"AssignmentRequired": app.get("assignment_required", True)}, \
            f"sso-admin/applications/{psid(app['arn'])}/get-application-assignment-configuration.json"
    if app is not None and op == "ListApplicationAssignments":
        rows = [{"ApplicationArn": app["arn"], "PrincipalId": a["principal_id"], "PrincipalType": a["principal_type"]}
                for a in app.get("assignments") or []]
        return page(rows, b, "ApplicationAssignments", n), \
            f"sso-admin/applications/{psid(app['arn'])}/list-application-assignments.json"
    arn = b.get("PermissionSetArn") or b.get("ResourceArn")
    ps = SETS.get(arn)
    if ps is None:
        return None
    if op == "DescribePermissionSet":
        d = {"Name": ps["name"], "PermissionSetArn": arn, "SessionDuration": ps.get("session_duration", "PT1H"), "CreatedDate": 1.7e9}
        for k, v in (("Description", "description"), ("RelayState", "relay_state")):
            if ps.get(v) is not None:
                d[k] = ps[v]
        return {"PermissionSet": d}, base(arn, "describe-permission-set")
    if op == "ListManagedPoliciesInPermissionSet":
        ms = [{"Arn": a, "Name": a.rsplit("/", 1)[-1]} for a in ps.get("aws_managed_policies", [])]
        return page(ms, b, "AttachedManagedPolicies", n), base(arn, "list-managed-policies-in-permission-set")
    if op == "ListCustomerManagedPolicyReferencesInPermissionSet":
        cs = [{"Name": c["name"], "Path": c.get("path", "/")} for c in ps.get("customer_managed_policies", [])]
        return page(cs, b, "CustomerManagedPolicyReferences", n), base(arn, "list-customer-managed-policy-references-in-permission-set")
    if op == "GetInlinePolicyForPermissionSet":
        doc = ps.get("inline_policy")
        return {"InlinePolicy": json.dumps(doc) if doc else ""}, base(arn, "get-inline-policy-for-permission-set")
    if op == "GetPermissionsBoundaryForPermissionSet":
        pb = ps.get("permissions_boundary")
        if not pb:
            raise NotFound()
        if "managed_policy_arn" in pb:
            pbj = {"ManagedPolicyArn": pb["managed_policy_arn"]}
        else:
            c = pb["customer_managed"]
            pbj = {"CustomerManagedPolicyReference": {"Name": c["name"], "Path": c.get("path", "/")}}
        return {"PermissionsBoundary": pbj}, base(arn, "get-permissions-boundary-for-permission-set")
    if op == "ListTagsForResource":
        return page(tags(ps.get("tags")), b, "Tags", n), base(arn, "list-tags-for-resource")
    if op == "ListAccountsForProvisionedPermissionSet":
        return page(sorted(PROVISIONED.get(arn, ())), b, "AccountIds", n), base(arn, "list-accounts-for-provisioned-permission-set")
    return None


ATTRS = {"nickName": "NickName", "profileUrl": "ProfileUrl", "userType": "UserType", "title": "Title",
         "preferredLanguage": "PreferredLanguage", "locale": "Locale", "timezone": "Timezone"}


def user_json(u):
    d = {"IdentityStoreId": IC["identity_store_id"], "UserId": u["id"], "UserName": u["user_name"]}
    if u.get("display_name"):
        d["DisplayName"] = u["display_name"]
    name = {k: u[v] for k, v in (("GivenName", "given_name"), ("FamilyName", "family_name")) if u.get(v)}
    if name:
        d["Name"] = name
    if u.get("emails"):
        d["Emails"] = [{"Value": e["value"], "Type": e.get("type"), "Primary": e.get("primary", False)} for e in u["emails"]]
    for k, v in (u.get("attributes") or {}).items():
        if k in ATTRS:
            d[ATTRS[k]] = v
    d["UserStatus"] = u.get("status", "ENABLED")
    ext = {}
    for k, v in (u.get("enterprise") or {}).items():
        if k.endswith(".value"):
            ext[k[:-6]] = {"value": v}
        else:
            ext[k] = v
    if ext:
        d["Extensions"] = {"aws:identitystore:enterprise": ext}
    if u.get("external_ids"):
        d["ExternalIds"] = [dict(zip(("Issuer", "Id"), x.split(":", 1))) for x in u["external_ids"]]
    return d


def identitystore(op, b):
    n = PAGE["identitystore"]
    if op == "ListUsers":
        return page([user_json(u) for u in SNAP.get("users", [])], b, "Users", n), "identitystore/list-users.json"
    if op == "ListGroups":
        gs = [{"GroupId": g["id"], "DisplayName": g["name"], "IdentityStoreId": IC["identity_store_id"],
               **({"Description": g["description"]} if g.get("description") else {})} for g in SNAP.get("groups", [])]
        return page(gs, b, "Groups", n), "identitystore/list-groups.json"
    if op == "ListGroupMemberships":
        g = b["GroupId"]
        ms = [{"IdentityStoreId": IC["identity_store_id"], "MembershipId": f"m-{g}-{u}", "GroupId": g, "MemberId": {"UserId": u}}
              for u in MEMBERS.get(g, [])]
        return page(ms, b, "GroupMemberships", n), f"identitystore/list-group-memberships/{g}.json"
    return None


def x(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def enc(doc):
    return urllib.parse.quote(json.dumps(doc), safe="")


def members(items):
    return "".join(f"<member>{i}</member>" for i in items)


def gaad_xml(account):
    a = IAM.get(account, {"roles": [], "users": [], "groups": [], "policies": []})
    inline = lambda ps: members(f"<PolicyName>{x(p['name'])}</PolicyName><PolicyDocument>{enc(p['document'])}</PolicyDocument>" for p in ps)
    attached = lambda arns: members(f"<PolicyName>{x(r.rsplit('/', 1)[-1])}</PolicyName><PolicyArn>{x(r)}</PolicyArn>" for r in arns)
    tagx = lambda t: members(f"<Key>{x(k)}</Key><Value>{x(v)}</Value>" for k, v in sorted((t or {}).items()))
    boundary = lambda b: f"<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>{x(b)}</PermissionsBoundaryArn></PermissionsBoundary>" if b else ""
    roles = members(
        f"<RoleName>{x(r['name'])}</RoleName><Path>{x(r.get('path', '/'))}</Path><Arn>{x(r['arn'])}</Arn>"
        f"<RoleId>{x(r.get('id') or 'AROA' + account)}</RoleId><CreateDate>2026-01-01T00:00:00Z</CreateDate>"
        f"<AssumeRolePolicyDocument>{enc(r['trust_policy'])}</AssumeRolePolicyDocument>"
        f"<RolePolicyList>{inline(r.get('inline_policies', []))}</RolePolicyList>"
        f"<AttachedManagedPolicies>{attached(r.get('managed_policies', []))}</AttachedManagedPolicies>"
        f"{boundary(r.get('permissions_boundary'))}<Tags>{tagx(r.get('tags'))}</Tags><InstanceProfileList/>"
        for r in a.get("roles", []))
    users = members(
        f"<UserName>{x(u['name'])}</UserName><Path>{x(u.get('path', '/'))}</Path><Arn>{x(u['arn'])}</Arn>"
        f"<UserId>{x(u.get('id') or 'AIDA' + account)}</UserId><CreateDate>2026-01-01T00:00:00Z</CreateDate>"
        f"<GroupList>{members(x(g) for g in u.get('groups', []))}</GroupList>"
        f"<UserPolicyList>{inline(u.get('inline_policies', []))}</UserPolicyList>"
        f"<AttachedManagedPolicies>{attached(u.get('managed_policies', []))}</AttachedManagedPolicies>"
        f"{boundary(u.get('permissions_boundary'))}<Tags>{tagx(u.get('tags'))}</Tags>"
        for u in a.get("users", []))
    groups = members(
        f"<GroupName>{x(g['name'])}</GroupName><Path>{x(g.get('path', '/'))}</Path><Arn>{x(g['arn'])}</Arn>"
        f"<GroupId>AGPA{account}</GroupId><CreateDate>2026-01-01T00:00:00Z</CreateDate>"
        f"<GroupPolicyList>{inline(g.get('inline_policies', []))}</GroupPolicyList>"
        f"<AttachedManagedPolicies>{attached(g.get('managed_policies', []))}</AttachedManagedPolicies>"
        for g in a.get("groups", []))
    policies = members(
        f"<PolicyName>{x(p['name'])}</PolicyName><PolicyId>ANPA{account}</PolicyId><Arn>{x(p['arn'])}</Arn>"
        f"<Path>{x(p.get('path', '/'))}</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount>"
        f"<IsAttachable>true</IsAttachable><PolicyVersionList><member><Document>{enc(p['document'])}</Document>"
        f"<VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2026-01-01T00:00:00Z</CreateDate></member></PolicyVersionList>"
        for p in a.get("policies", []))
    return ("<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetAccountAuthorizationDetailsResult>"
            f"<IsTruncated>false</IsTruncated><UserDetailList>{users}</UserDetailList><GroupDetailList>{groups}</GroupDetailList>"
            f"<RoleDetailList>{roles}</RoleDetailList><Policies>{policies}</Policies>"
            "</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, ctype, body, op, file):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "fake")
        self.end_headers()
        self.wfile.write(data)
        with LOG_LOCK, open(LOGFILE, "a") as log:
            log.write(f"{time.time():.3f} {status} {op} {file}\n")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        target = self.headers.get("X-Amz-Target")
        json_type = "application/x-amz-json-1.1"
        if target:
            prefix, op = target.split(".", 1)
            api = {"AWSOrganizationsV20161128": "organizations", "SWBExternalService": "sso",
                   "AWSIdentityStore": "identitystore"}.get(prefix)
            try:
                got = {"organizations": organizations, "sso": sso, "identitystore": identitystore}[api](op, json.loads(raw or "{}"))
            except NotFound:
                got = ({"__type": "ResourceNotFoundException", "message": "not found"}, None)
            if got is None:
                return self.send(400, json_type, json.dumps({"__type": "UnknownOperationException", "message": op}), op, "-")
            answer, file = got
            if THROTTLE and not BUCKETS[api].take():
                code = "TooManyRequestsException" if api == "organizations" else "ThrottlingException"
                return self.send(400, json_type, json.dumps({"__type": code, "message": "Rate exceeded"}), op, file or "-")
            if file is None:
                return self.send(400, json_type, json.dumps(answer), op, "-")
            return self.send(200, json_type, json.dumps(answer), op, file)
        if self.path in ("/applications-list", "/entitlements-list"):
            op = self.path
            try:
                got = account_access(self.path, json.loads(raw or "{}"))
            except NotFound:
                got = None
            if got is None:
                return self.send(404, "application/json", json.dumps({"message": "not found"}), op, "-")
            if THROTTLE and not BUCKETS["account-access"].take():
                return self.send(429, "application/json", json.dumps({"message": "Rate exceeded"}), op, got[1])
            return self.send(200, "application/json", json.dumps(got[0]), op, got[1])
        form = dict(urllib.parse.parse_qsl(raw))
        op = form.get("Action", "")
        if op == "AssumeRole":
            acct = form["RoleArn"].split(":")[4]
            if THROTTLE and not BUCKETS["sts"].take():
                return self.send(400, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>", op, "-")
            body = ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials>"
                    f"<AccessKeyId>ASIA{acct}</AccessKeyId><SecretAccessKey>fake</SecretAccessKey><SessionToken>fake-{acct}</SessionToken>"
                    "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser>"
                    f"<AssumedRoleId>AROA{acct}:accessgraph</AssumedRoleId><Arn>arn:aws:sts::{acct}:assumed-role/x/accessgraph</Arn>"
                    "</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>")
            return self.send(200, "text/xml", body, op, f"iam/{acct}/get-account-authorization-details.json")
        if op == "GetAccountAuthorizationDetails":
            auth = self.headers.get("Authorization", "")
            akid = auth.split("Credential=", 1)[-1].split("/", 1)[0]
            acct = akid[4:] if akid.startswith("ASIA") else MGMT
            return self.send(200, "text/xml", gaad_xml(acct), op, f"iam/{acct}/get-account-authorization-details.json")
        return self.send(400, "text/xml", f"<ErrorResponse><Error><Code>InvalidAction</Code><Message>{x(op)}</Message></Error></ErrorResponse>", op, "-")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
