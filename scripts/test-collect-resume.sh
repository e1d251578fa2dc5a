#!/usr/bin/env bash
# `accessgraph collect` killed half-way and resumed: against the scripted
# endpoint that throttles like AWS (scripts/fake-aws/server.py, serving a
# generated organization), a collection killed with SIGKILL once part of its
# files are on disk and then run again with `--resume` must end with the same
# snapshot as an uninterrupted one, and must make no call for a file that was
# already complete on disk. Also checks the collected organization is the
# generated one (what the APIs can express of it). Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -n "${ACCESSGRAPH_BIN:-}" ] || cargo build -q
bin=${ACCESSGRAPH_BIN:-target/debug/accessgraph}
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" generate-org --accounts 16 --permission-sets 10 --users 80 --groups 12 --hubs 1 --seed 7 \
    -o "$work/org.json" 2>/dev/null
python3 scripts/fake-aws/server.py "$work/org.json" "$work/port" "$work/log" &
server=$!
for _ in $(seq 100); do [ -f "$work/port" ] && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(cat "$work/port")"
export AWS_ACCESS_KEY_ID=AKIDMANAGEMENT AWS_SECRET_ACCESS_KEY=fake AWS_CONFIG_FILE=/dev/null \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE
collect() { "$bin" collect --endpoint-url "$endpoint" --region eu-west-1 --quiet "$@"; }

# 1. Uninterrupted.
collect --export-dir "$work/full" -o "$work/full.json"
total=$(find "$work/full" -name '*.json' | wc -l)
full_requests=$(wc -l < "$work/log")

# 2. Killed once 40% of the files are on disk.
: > "$work/log"
"$bin" collect --endpoint-url "$endpoint" --region eu-west-1 --quiet \
    --export-dir "$work/part" -o "$work/never.json" &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
    n=$( (find "$work/part" -name '*.json' 2>/dev/null || true) | wc -l)
    if [ "$n" -ge $((total * 4 / 10)) ]; then kill -9 "$pid"; break; fi
    sleep 0.05
done
wait "$pid" 2>/dev/null || true
[ ! -f "$work/never.json" ] || { echo "collect-resume: the killed run wrote a snapshot" >&2; exit 1; }
(cd "$work/part" && find . -name '*.json' ! -name meta.json | sed 's|^\./||' | sort) > "$work/complete.txt"
done_before=$(wc -l < "$work/complete.txt")
if [ "$done_before" -eq 0 ] || [ "$done_before" -ge "$total" ]; then
    echo "collect-resume: the kill did not land half-way ($done_before of $total files)" >&2
    exit 1
fi

# 3. Resumed.
: > "$work/log"
collect --resume "$work/part" -o "$work/resumed.json"

python3 - "$work" "$full_requests" "$done_before" "$total" <<'PY'
import json, sys
work, full_requests, done_before, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
full, resumed, org = (json.load(open(f"{work}/{n}.json")) for n in ("full", "resumed", "org"))
for s in (full, resumed):
    s["provenance"].pop("collected_at")
if full != resumed:
    diff = [k for k in full if full[k] != resumed.get(k)]
    sys.exit(f"collect-resume: the resumed snapshot differs from the uninterrupted one in {diff}")
complete = set(open(f"{work}/complete.txt").read().split())
log = [l.split() for l in open(f"{work}/log")]
repeated = sorted({f for _, _, _, f in log if f in complete})
if repeated:
    sys.exit(f"collect-resume: {len(repeated)} file(s) complete on disk were fetched again, e.g. {repeated[:3]}")
# What the APIs express of the generated organization came through.
for k in ("organization", "users", "groups", "memberships", "assignments"):
    if full[k] != org[k]:
        sys.exit(f"collect-resume: collected {k} differs from the generated organization")
strip = lambda sets: [{k: v for k, v in p.items() if k != "provisioning"} for p in sets]
if strip(full["permission_sets"]) != strip(org["permission_sets"]):
    sys.exit("collect-resume: collected permission sets differ from the generated organization")
nonempty = lambda iam: [a for a in iam if a["roles"] or a["users"] or a["groups"] or a["policies"]]
if nonempty(full["iam"]) != nonempty(org["iam"]):
    sys.exit("collect-resume: collected IAM differs from the generated organization")
print(f"collect-resume: killed with {done_before} of {total} files on disk; resumed with {len(log)} "
      f"requests (uninterrupted: {full_requests}), none for a complete file; same snapshot")
PY

# Applications and account access manager: collected from the endpoint
# serving the acme fixture, they are the fixture's (which import wrote from
# the CLI export): collect and import agree on them.
kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true
rm -f "$work/port"
python3 scripts/fake-aws/server.py fixtures/acme/snapshot.json "$work/port" "$work/acme-log" --no-throttle &
server=$!
for _ in $(seq 100); do [ -f "$work/port" ] && break; sleep 0.1; done
"$bin" collect --endpoint-url "http://127.0.0.1:$(cat "$work/port")" --region eu-west-1 --quiet \
    -o "$work/acme.json" 2>/dev/null || true
python3 - "$work/acme.json" <<'PY'
import json, sys
got, want = json.load(open(sys.argv[1])), json.load(open("fixtures/acme/snapshot.json"))
for k in ("applications", "account_access"):
    if got.get(k) != want.get(k):
        sys.exit(f"collect-resume: collected {k} of acme differ from the imported fixture")
n = len(want["applications"]), sum(len(a["entitlements"]) for a in want["account_access"]["applications"])
print(f"collect-resume: acme's {n[0]} applications and {n[1]} entitlements collected as imported")
PY
