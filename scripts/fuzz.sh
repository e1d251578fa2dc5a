#!/usr/bin/env bash
# Fuzzes the policy parser, the case reader, the snapshot reader with the
# model build and chained queries, the Terraform plan and CloudFormation
# template readers with `check`, the ~/.aws/config reader of `profiles check`,
# the policy validator and the export folder reader (`import`), with cargo-fuzz (libFuzzer).
# Usage: scripts/fuzz.sh [seconds per target, default 120] [target ...]
# The stable toolchain is enough: RUSTC_BOOTSTRAP lets cargo-fuzz use the
# sanitizer flags it needs. Seeds come from fixtures/cases/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-120}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p fuzz/corpus/policy_parse fuzz/corpus/case_parse fuzz/corpus/snapshot_model \
    fuzz/corpus/terraform_plan fuzz/corpus/cloudformation_template fuzz/corpus/aws_config \
    fuzz/corpus/validate fuzz/corpus/export_import
# Plan, template and config seeds: the fixtures (plans written by Terraform).
for p in fixtures/changes/terraform/*/plan.json; do
  cp "$p" "fuzz/corpus/terraform_plan/$(basename "$(dirname "$p")")"
done
cp fixtures/changes/applications-plan/plan.json fuzz/corpus/terraform_plan/applications-plan
cp fixtures/changes/admin-for-dev-on-prod/template.yaml fuzz/corpus/cloudformation_template/admin-for-dev-on-prod
cp fixtures/changes/applications-and-entitlements/template.yaml fuzz/corpus/cloudformation_template/applications-and-entitlements
cp fixtures/config/cookbook-aws-config fuzz/corpus/aws_config/cookbook
for p in fixtures/validate/*.json; do cp "$p" "fuzz/corpus/validate/$(basename "$p")"; done
# Export seeds: each fixture export packed as `=== path` + content.
python3 - <<'PY'
import os
for name in ("cookbook", "acme"):
    root = f"fixtures/{name}/export"
    parts = []
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            p = os.path.join(d, f)
            parts.append(f"=== {os.path.relpath(p, root)}\n" + open(p).read())
    open(f"fuzz/corpus/export_import/{name}", "w").write("".join(parts))
PY
# Snapshot seeds: the fixture organizations (acme is larger than the
# input limit below and is left out).
cp fixtures/cookbook/snapshot.json fuzz/corpus/snapshot_model/cookbook
cp fixtures/hubspoke/snapshot.json fuzz/corpus/snapshot_model/hubspoke
python3 - <<'PY'
import json, glob
kinds = {'identity_policies': 0, 'permissions_boundary': 1, 'session_policy': 2,
         'resource_policy': 3, 'scps': 4, 'rcps': 5}
n = 0
for f in sorted(glob.glob('fixtures/cases/*.json')):
    cases = json.load(open(f))
    for i, c in enumerate(cases):
        open(f'fuzz/corpus/case_parse/{n:05d}', 'w').write(json.dumps(c))
        for field, k in kinds.items():
            v = c.get(field)
            if v is None:
                continue
            if field == 'identity_policies':
                docs = v
            elif field in ('scps', 'rcps'):
                docs = [d for level in v for d in level]
            else:
                docs = [v]
            for j, d in enumerate(docs):
                open(f'fuzz/corpus/policy_parse/{n:05d}-{field}-{j}', 'wb').write(bytes([k]) + json.dumps(d).encode())
        n += 1
PY
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(policy_parse case_parse snapshot_model terraform_plan cloudformation_template aws_config validate export_import)
for target in "${targets[@]}"; do
  case "$target" in
    snapshot_model) max_len=65536 ;;
    terraform_plan) max_len=131072 ;;
    export_import) max_len=524288 ;;
    *) max_len=8192 ;;
  esac
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" -- -max_total_time="$secs" -max_len="$max_len"
done
