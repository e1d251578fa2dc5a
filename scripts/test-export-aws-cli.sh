#!/usr/bin/env bash
# Round trip for scripts/export-aws-cli.sh without AWS: a fake `aws` serves the
# files of a fixture export (fixtures/*/export), the script writes a new
# folder, and the two must hold the same files with the same JSON (meta.json
# and errors.json are compared by their stable fields). Needs bash and python3.
#
#   bash scripts/test-export-aws-cli.sh             # every fixtures/*/export
#   bash scripts/test-export-aws-cli.sh fixtures/acme/export
set -euo pipefail
cd "$(dirname "$0")/.."

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"

cat >"$WORK/bin/aws" <<'PY'
#!/usr/bin/env python3
"""A fake AWS CLI answering from the fixture folder $FAKE_AWS_EXPORT."""
import json, os, sys

root = os.environ["FAKE_AWS_EXPORT"]
args = sys.argv[1:]
with open(os.environ["FAKE_AWS_LOG"], "a") as log:
    log.write(" ".join(args) + "\n")
if args == ["--version"]:
    print("aws-cli/2.17.0 Python/3.11.9 Linux/6.1 exe/x86_64.fake")
    sys.exit(0)

opts, words, i = {}, [], 0
while i < len(args):
    a = args[i]
    if a.startswith("--"):
        if i + 1 < len(args) and not args[i + 1].startswith("--"):
            opts[a[2:]] = args[i + 1]
            i += 2
        else:
            opts[a[2:]] = True
            i += 1
    else:
        words.append(a)
        i += 1

def load(rel):
    with open(os.path.join(root, rel)) as f:
        return json.load(f)

meta = load("meta.json")
org = load("organizations/describe-organization.json")["Organization"]
mgmt = org["MasterAccountId"]
service, command = (words + ["", ""])[:2]
fake_keys = os.environ.get("AWS_ACCESS_KEY_ID", "")

def fail(code, op, msg, rc=254):
    sys.stderr.write(f"\nAn error occurred ({code}) when calling the {op} operation: {msg}\n")
    sys.exit(rc)

def serve(rel):
    path = os.path.join(root, rel)
    if not os.path.exists(path):
        fail("ResourceNotFoundException", command, f"no fixture file {rel}")
    with open(path) as f:
        sys.stdout.write(f.read())
    sys.exit(0)

if fake_keys and service != "iam":
    sys.exit("fake aws: assumed-role credentials leaked into a non-IAM call")
if fake_keys and "profile" in opts:
    sys.exit("fake aws: --profile passed together with assumed-role credentials")
for a in args:
    if a.startswith("FAKESECRET") or a.startswith("FAKETOKEN"):
        sys.exit("fake aws: a credential was passed on the command line")

if [service, command] == ["configure", "get"]:
    print(meta["region"])
    sys.exit(0)
if opts.get("output") != "json" and not (service == "sts"):
    sys.exit("fake aws: --output json missing")
if service not in ("organizations", "iam", "sts") and opts.get("region") != meta["region"]:
    sys.exit(f"fake aws: wrong region {opts.get('region')}")

if service == "sts" and command == "get-caller-identity":
    print(mgmt)
    sys.exit(0)
if service == "sts" and command == "assume-role":
    acct = opts["role-arn"].split(":")[4]
    if os.path.exists(os.path.join(root, "iam", acct)):
        print(f"FAKEKEY{acct}\tFAKESECRET{acct}\tFAKETOKEN{acct}")
        sys.exit(0)
    errs = [e for e in (load("errors.json") if os.path.exists(os.path.join(root, "errors.json")) else [])
            if e.get("account_id") == acct and e["operation"] == "sts assume-role"]
    msg = errs[0]["message"] if errs else "An error occurred (AccessDenied) when calling the AssumeRole operation: denied"
    sys.stderr.write("\n" + msg + "\n")
    sys.exit(254)
if service == "iam" and command == "get-account-authorization-details":
    acct = fake_keys[len("FAKEKEY"):] if fake_keys else mgmt
    if fake_keys and os.environ.get("AWS_SECRET_ACCESS_KEY") != "FAKESECRET" + acct:
        sys.exit("fake aws: credentials mangled")
    serve(f"iam/{acct}/get-account-authorization-details.json")

if service == "organizations":
    if command in ("describe-organization", "list-roots", "list-accounts", "list-delegated-administrators"):
        serve(f"organizations/{command}.json")
    if command in ("list-organizational-units-for-parent", "list-accounts-for-parent"):
        serve(f"organizations/{command}/{opts['parent-id']}.json")
    if command == "list-tags-for-resource":
        serve(f"organizations/{command}/{opts['resource-id']}.json")
    if command == "list-policies":
        serve(f"organizations/list-policies/{opts['filter']}.json")
    if command in ("describe-policy", "list-targets-for-policy"):
        serve(f"organizations/{command}/{opts['policy-id']}.json")

if service == "sso-admin":
    if command in ("list-instances", "list-permission-sets", "describe-instance-access-control-attribute-configuration"):
        serve(f"sso-admin/{command}.json")
    if command == "list-applications":
        serve("sso-admin/list-applications.json")
    if command in ("get-application-assignment-configuration", "list-application-assignments"):
        serve(f"sso-admin/applications/{opts['application-arn'].split('/')[-1]}/{command}.json")
    if command == "list-tags-for-resource":
        serve(f"sso-admin/permission-sets/{opts['resource-arn'].split('/')[-1]}/{command}.json")
    if "permission-set-arn" in opts and command != "list-account-assignments":
        serve(f"sso-admin/permission-sets/{opts['permission-set-arn'].split('/')[-1]}/{command}.json")
    if command == "list-account-assignments":
        serve(f"sso-admin/account-assignments/{opts['account-id']}/{opts['permission-set-arn'].split('/')[-1]}.json")
    if command == "list-permission-sets-provisioned-to-account":
        sets = []
        for ps in load("sso-admin/list-permission-sets.json")["PermissionSets"]:
            rel = f"sso-admin/permission-sets/{ps.split('/')[-1]}/list-accounts-for-provisioned-permission-set.json"
            if opts["account-id"] in load(rel)["AccountIds"]:
                sets.append(ps)
        print(json.dumps({"PermissionSets": sets}, indent=4))
        sys.exit(0)

if service == "account-access":
    if command == "list-applications":
        if not os.path.exists(os.path.join(root, "account-access/list-applications.json")):
            print(json.dumps({"applications": []}, indent=4))
            sys.exit(0)
        serve("account-access/list-applications.json")
    if command == "list-entitlements":
        if json.loads(opts.get("filter", "null")) != {"principalRole": {}}:
            sys.exit("fake aws: list-entitlements without its required --filter")
        serve(f"account-access/list-entitlements/{opts['application-arn'].split('/')[-1]}.json")

if service == "identitystore":
    if command == "list-users":
        if opts.get("extensions") != "aws:identitystore:enterprise":
            sys.exit("fake aws: list-users without --extensions")
        serve("identitystore/list-users.json")
    if command == "list-groups":
        serve("identitystore/list-groups.json")
    if command == "list-group-memberships":
        serve(f"identitystore/list-group-memberships/{opts['group-id']}.json")

sys.exit(f"fake aws: unexpected call: {' '.join(args)}")
PY
chmod +x "$WORK/bin/aws"

compare() { # FIXTURE OUT
  python3 - "$1" "$2" <<'PY'
import json, os, sys
fix, out = sys.argv[1], sys.argv[2]
# Files the script does not write: accessgraph's own resources.json.
skip = {"resources.json"}
def files(d):
    return {os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs} - skip
a, b = files(fix), files(out)
bad = []
for f in sorted(a - b):
    bad.append(f"missing in the script's output: {f}")
for f in sorted(b - a):
    bad.append(f"not in the fixture: {f}")
for f in sorted(a & b):
    x, y = (json.load(open(os.path.join(d, f))) for d in (fix, out))
    if f == "meta.json":
        keys = ["region", "identity_source", "portal_custom_subdomain", "mfa_present"]
        x, y = ({k: m.get(k) for k in keys} for m in (x, y))
    if f == "errors.json":
        x, y = ([{k: e.get(k) for k in ("account_id", "operation")} for e in m] for m in (x, y))
    if x != y:
        bad.append(f"differs: {f}")
print("\n".join(bad) if bad else f"{len(a)} files match")
sys.exit(1 if bad else 0)
PY
}

status=0
failed=0
fixtures=("$@")
if [ "${#fixtures[@]}" -eq 0 ]; then
  for d in fixtures/*/export; do fixtures+=("$d"); done
fi
for fixture in "${fixtures[@]}"; do
  bad=0
  out="$WORK/out-$(basename "$(dirname "$fixture")")"
  region="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["region"])' "$fixture/meta.json")"
  source="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("identity_source", ""))' "$fixture/meta.json")"
  sub="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("portal_custom_subdomain", ""))' "$fixture/meta.json")"
  args=("$out" --profile fake --region "$region" --identity-source "$source")
  [ -n "$sub" ] && args+=(--portal-subdomain "$sub")
  # An account without iam/ data in the fixture answers assume-role with the
  # fixture's errors.json entry (or a plain AccessDenied), as a real run would.
  if ! FAKE_AWS_EXPORT="$PWD/$fixture" FAKE_AWS_LOG="$WORK/calls.log" PATH="$WORK/bin:$PATH" \
    bash scripts/export-aws-cli.sh "${args[@]}" </dev/null 2>"$WORK/stderr.txt"; then
    cat "$WORK/stderr.txt" >&2
    status=1; failed=$((failed + 1))
    continue
  fi
  if grep -E 'FAKESECRET|FAKETOKEN' -r "$out" "$WORK/stderr.txt" >/dev/null; then
    echo "$fixture: a credential was written or printed" >&2
    status=1; bad=1
  fi
  printf '%s: ' "$fixture"
  compare "$fixture" "$out" || { status=1; bad=1; }
  failed=$((failed + bad))
done
echo "export-roundtrip: $(( ${#fixtures[@]} - failed )) passed, $failed failed"
exit "$status"
