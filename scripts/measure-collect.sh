#!/usr/bin/env bash
# Calls and wall time of `accessgraph collect` on a generated organization of
# 1,000 member accounts and 500 permission sets (5,000 users, 500 groups),
# against the scripted endpoint that throttles like AWS
# (scripts/fake-aws/server.py). Not part of the tests: it takes minutes.
#
#   bash scripts/measure-collect.sh NEW_BIN [OLD_BIN [OLD_SECONDS]]
#
# NEW_BIN runs to the end. OLD_BIN (an earlier build) runs for OLD_SECONDS
# (default 600) and is stopped: at its plan's size it would take hours; its
# remaining time is extrapolated from the rate at which its
# ListAccountAssignments calls completed in the last third of its run.
set -euo pipefail
cd "$(dirname "$0")/.."
new=$1 old=${2:-} old_seconds=${3:-600}
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
"$new" generate-org --accounts 1000 --permission-sets 500 --users 5000 --groups 500 --hubs 2 \
    -o "$work/org.json" 2>/dev/null
python3 scripts/fake-aws/server.py "$work/org.json" "$work/port" "$work/log" &
server=$!
for _ in $(seq 300); do [ -f "$work/port" ] && break; sleep 0.1; done
endpoint="http://127.0.0.1:$(cat "$work/port")"
export AWS_ACCESS_KEY_ID=AKIDMANAGEMENT AWS_SECRET_ACCESS_KEY=fake AWS_CONFIG_FILE=/dev/null \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE

summary() { # LABEL SECONDS
    python3 - "$work/log" "$1" "$2" <<'PY'
import collections, sys
log, label, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = [l.split() for l in open(log)]
ok = sum(1 for r in rows if r[1] == "200")
throttled = sum(1 for r in rows if r[1] == "400" and r[3] != "-" and r[2] != "GetPermissionsBoundaryForPermissionSet")
by = collections.Counter(r[2] for r in rows)
print(f"{label}: {len(rows)} requests ({ok} answered, {len(rows) - ok} errors incl. {throttled} throttled) in {secs:.0f} s")
print("   " + ", ".join(f"{op} {n}" for op, n in by.most_common(6)))
PY
}

start=$(date +%s.%N)
"$new" collect --endpoint-url "$endpoint" --region eu-west-1 --quiet --export-dir "$work/new" -o "$work/new.json"
end=$(date +%s.%N)
summary "after" "$(echo "$end - $start" | bc)"

if [ -n "$old" ]; then
    : > "$work/log"
    start=$(date +%s.%N)
    timeout "$old_seconds" "$old" collect --endpoint-url "$endpoint" --region eu-west-1 --quiet \
        --export-dir "$work/old" -o "$work/old.json" || true
    end=$(date +%s.%N)
    summary "before (stopped)" "$(echo "$end - $start" | bc)"
    python3 - "$work/log" "$work/org.json" <<'PY'
import json, sys
rows = [l.split() for l in open(sys.argv[1])]
org = json.load(open(sys.argv[2]))
accounts, sets = len(org["organization"]["accounts"]), len(org["permission_sets"])
planned = accounts * sets
la = [float(r[0]) for r in rows if r[2] == "ListAccountAssignments" and r[1] == "200"]
t0, t1 = float(rows[0][0]), float(rows[-1][0])
if len(la) < 10:
    print(f"before: {planned} ListAccountAssignments planned ({accounts} accounts x {sets} sets); "
          f"only {len(la)} done in {t1 - t0:.0f} s, too few to extrapolate")
    sys.exit(0)
cut = t1 - (t1 - t0) / 3
recent = [t for t in la if t >= cut]
rate = len(recent) / (t1 - cut)
left = planned - len(la)
eta = (t1 - t0) + left / rate
print(f"before: {planned} ListAccountAssignments planned ({accounts} accounts x {sets} sets), "
      f"{len(la)} done; at {rate:.1f}/s the rest takes {left / rate / 3600:.1f} h: about {eta / 3600:.1f} h in all")
PY
fi
