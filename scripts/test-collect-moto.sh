#!/usr/bin/env bash
# End-to-end test of `accessgraph collect` against moto (a local fake AWS):
# installs moto[server] when missing, starts it on 127.0.0.1 on a free port,
# seeds an organization (scripts/moto/seed.py), collects it, checks the
# snapshot against the seed (scripts/moto/check.py), that the export the
# collector wrote imports to the same snapshot (parity with `import`), and
# stops the server, also on failure. Where moto lacks an operation the
# collector records it and exits 3 (partial snapshot): the checker expects
# exactly moto's known gaps (scripts/moto/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c "import moto, boto3, flask" 2>/dev/null; then
    if ! "$python" -m pip install -q -r scripts/moto/requirements.txt; then
        # An externally managed Python (PEP 668): a virtualenv of our own.
        "$python" -m venv target/moto-venv
        target/moto-venv/bin/pip install -q -r scripts/moto/requirements.txt
        python=$PWD/target/moto-venv/bin/python
    fi
fi

[ -n "${ACCESSGRAPH_BIN:-}" ] || cargo build -q
bin=${ACCESSGRAPH_BIN:-target/debug/accessgraph}
work=$(mktemp -d)
pidfile="$work/moto.pid"
cleanup() {
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(PYTHON="$python" scripts/moto/run-server.sh "$pidfile" "$work/moto.log")
endpoint="http://127.0.0.1:$port"
"$python" scripts/moto/seed.py "$endpoint" "$work/seed.json" > "$work/seed.log"

set +e
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=eu-west-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$bin" collect --endpoint-url "$endpoint" --region eu-west-1 --max-attempts 1 --quiet \
    --export-dir "$work/export" -o "$work/collected.json" 2> "$work/collect.err"
code=$?
set -e
if [ "$code" -ne 3 ]; then
    cat "$work/collect.err" >&2
    echo "collect-moto: expected exit 3 (partial: moto lacks some operations), got $code" >&2
    exit 1
fi
grep -q "recorded in provenance.errors" "$work/collect.err"

"$bin" --snapshot "$work/collected.json" portal alice@example.com --format json > "$work/portal.json"
"$bin" --snapshot "$work/collected.json" who-can s3:ListBucket --format csv > "$work/who.csv"
"$python" scripts/moto/check.py "$work/seed.json" "$work/collected.json" "$work/portal.json" "$work/who.csv"

# Parity: the responses imported as a CLI export give the same snapshot,
# apart from provenance.
"$bin" import "$work/export" -o "$work/imported.json" 2> /dev/null
"$python" - "$work/collected.json" "$work/imported.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for s in (a, b):
    s.pop("provenance")
if a != b:
    sys.exit("collect-moto: collect and import of the same responses differ")
print("collect-moto: collect and import give the same snapshot (apart from provenance)")
PY
