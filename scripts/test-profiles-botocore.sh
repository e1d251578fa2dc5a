#!/usr/bin/env bash
# The AWS config that `profiles --chained` writes, read by the real client
# library (botocore, from PyPI): every role profile must resolve to an
# assume-role credential provider whose source is the user's SSO session,
# and botocore must get as far as looking for that session's SSO token
# (there is none offline), not stop at a config error.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c "import botocore" 2>/dev/null; then
    if ! "$python" -m pip install -q "botocore>=1.34" 2>/dev/null; then
        "$python" -m venv target/botocore-venv
        target/botocore-venv/bin/pip install -q "botocore>=1.34"
        python=$PWD/target/botocore-venv/bin/python
    fi
fi

[ -n "${ACCESSGRAPH_BIN:-}" ] || cargo build -q
bin=${ACCESSGRAPH_BIN:-target/debug/accessgraph}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" --snapshot fixtures/hubspoke/snapshot.json profiles ana --chained > "$work/config"
HOME="$work" AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$python" - "$work/config" <<'PY'
import sys
import botocore.session
from botocore.exceptions import SSOTokenLoadError

profiles = botocore.session.Session().full_config["profiles"]
roles = {n: p for n, p in profiles.items() if "role_arn" in p}
expected = {
    "hs-prod.ProdDeploy": "arn:aws:iam::300000000010:role/spoke/ProdDeploy",
    "hs-prod.ProdReadOnly": "arn:aws:iam::300000000010:role/spoke/ProdReadOnly",
}
assert {n: p["role_arn"] for n, p in roles.items()} == expected, roles
passed = failed = 0
for name in sorted(roles):
    s = botocore.session.Session(profile=name)
    creds = s.get_credentials()
    ok = creds is not None and creds.method == "assume-role"
    src = profiles[roles[name]["source_profile"]]
    ok = ok and src.get("sso_session") == "d-9067hub001" and src.get("sso_role_name") == "HubAccess"
    try:
        creds.get_frozen_credentials()
        ok = False  # offline there is no SSO token: it cannot succeed
    except SSOTokenLoadError as e:
        ok = ok and "d-9067hub001" in str(e)
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"profiles-botocore: {name} does not resolve to an assume-role from the SSO session", file=sys.stderr)
print(f"profiles-botocore: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY

# A naming template that gives several profiles one name (`{role_name}`
# across accounts): the names are made unique, said on stderr, and botocore
# reads the file (a repeated section would make it refuse the whole file),
# every profile with the --region asked.
"$bin" --snapshot fixtures/acme/snapshot.json profiles grace.obi@acme.example \
    --name '{role_name}' --region us-east-2 > "$work/named" 2> "$work/named.err"
grep -q "would name" "$work/named.err"
"$bin" --snapshot fixtures/acme/snapshot.json portal grace.obi@acme.example --format json > "$work/portal-named.json"
HOME="$work" AWS_CONFIG_FILE="$work/named" AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$python" - "$work/portal-named.json" <<'PY'
import json, sys
import botocore.session
profiles = botocore.session.Session().full_config["profiles"]
sso = {n: p for n, p in profiles.items() if "sso_account_id" in p}
entries = json.load(open(sys.argv[1]))["entries"]
pairs = sorted((p["sso_account_id"], p["sso_role_name"]) for p in sso.values())
want = sorted((e["account_id"], e["role_name"]) for e in entries)
assert pairs == want, (pairs, want)
assert all(p["region"] == "us-east-2" for p in sso.values()), sso
print(f"profiles-botocore: --name '{{role_name}}': {len(sso)} unique profiles read by botocore")
PY

# `profiles check` against botocore on configs the CLI rejects or accepts:
# every profile `profiles check` calls incomplete must make botocore raise
# a config error, and every one it calls ok must get as far as the SSO
# token (none offline). Built from acme's first portal entry of grace.
"$bin" --snapshot fixtures/acme/snapshot.json portal grace.obi@acme.example --format json > "$work/portal.json"
"$python" - "$work/portal.json" "$work/check-config" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
e = p["entries"][0]
url = p["portal_url"].rstrip("/")
acct, role = e["account_id"], e["role_name"]
open(sys.argv[2], "w").write(f"""[profile colon]
sso_start_url: {url}/#
sso_region: eu-west-1
sso_account_id: {acct}
sso_role_name: {role}

[profile no-region]
sso_start_url = {url}
sso_account_id = {acct}
sso_role_name = {role}

[profile no-role]
sso_start_url = {url}
sso_region = eu-west-1
sso_account_id = {acct}

[sso-session s]
sso_start_url = {url}/
sso_region = eu-west-1

[profile via-session]
sso_session = s
sso_account_id = {acct}
sso_role_name = {role}
""")
PY
"$bin" --snapshot fixtures/acme/snapshot.json profiles check --format json --user grace.obi@acme.example --config "$work/check-config" > "$work/check.json"
HOME="$work" AWS_CONFIG_FILE="$work/check-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$python" - "$work/check.json" <<'PY'
import json, sys
import botocore.session
from botocore.exceptions import SSOTokenLoadError, InvalidConfigError, ProfileNotFound

ours = {c["profile"]: c["status"] for c in json.load(open(sys.argv[1]))}
passed = failed = 0
for name, status in sorted(ours.items()):
    try:
        creds = botocore.session.Session(profile=name).get_credentials()
        creds.get_frozen_credentials()
        theirs = "accepted"
    except SSOTokenLoadError:
        theirs = "accepted"  # config read; it went for the SSO token
    except (InvalidConfigError, ProfileNotFound) as e:
        theirs = "rejected"
    want = "rejected" if status in ("incomplete", "invalid-config") else "accepted"
    if theirs == want:
        passed += 1
    else:
        failed += 1
        print(f"profiles-check-botocore: {name}: accessgraph says {status}, botocore {theirs}", file=sys.stderr)
expected = {"colon": "ok", "no-region": "incomplete", "no-role": "incomplete", "via-session": "ok"}
if ours != expected:
    failed += 1
    print(f"profiles-check-botocore: statuses {ours}, expected {expected}", file=sys.stderr)
print(f"profiles-check-botocore: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
