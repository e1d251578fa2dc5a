#!/usr/bin/env bash
# Real Terraform end to end: writes the plan fixtures again with
# scripts/gen-terraform-plans.sh into a temporary folder (real Terraform and
# AWS provider against moto) and checks that `accessgraph check` finds exactly
# what it finds on the committed fixtures under fixtures/changes/terraform/
# (whose findings tests/check.rs derives by hand). Skips, saying so, when
# Terraform or the provider mirror is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${ACCESSGRAPH_BIN:-}" ] || cargo build -q
bin=${ACCESSGRAPH_BIN:-target/debug/accessgraph}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set +e
ACCESSGRAPH_BIN=$bin bash scripts/gen-terraform-plans.sh "$work/fresh"
code=$?
set -e
if [ "$code" -eq 77 ]; then
    echo "test-terraform-plans: skipped (see above)"
    exit 0
fi
[ "$code" -eq 0 ] || exit "$code"
python=${PYTHON:-python3}
n=0
for committed in fixtures/changes/terraform/*/plan.json; do
    name=$(basename "$(dirname "$committed")")
    fresh=$work/fresh/$name/plan.json
    [ -f "$fresh" ] || { echo "test-terraform-plans: $name: no fresh plan" >&2; exit 1; }
    for which in committed fresh; do
        if [ "$which" = committed ]; then
            base=fixtures/changes/terraform/base.json plan=$committed
        else
            base=$work/fresh/base.json plan=$fresh
        fi
        set +e
        "$bin" check --base "$base" --plan "$plan" --format json >"$work/$name.$which.json" 2>"$work/err"
        c=$?
        set -e
        if [ "$c" -ne 0 ] && [ "$c" -ne 1 ]; then
            cat "$work/err" >&2
            exit 1
        fi
    done
    # Account ids are moto's: compare by name.
    "$python" - "$work/$name.committed.json" "$work/$name.fresh.json" "$name" <<'PY'
import json, re, sys
def norm(path):
    text = re.sub(r" \(\d{12}\)", "", open(path).read())
    return json.loads(text)
a, b = norm(sys.argv[1]), norm(sys.argv[2])
if a != b:
    sys.exit(f"test-terraform-plans: {sys.argv[3]}: the fresh plan checks differently:\n{json.dumps(a, indent=1)[:2000]}\n---\n{json.dumps(b, indent=1)[:2000]}")
PY
    n=$((n + 1))
done
echo "test-terraform-plans: $n plans written by real Terraform check as the committed ones"
