#!/usr/bin/env bash
# gen-terraform-plans.sh [OUT_DIR]
#
# Writes the Terraform plan fixtures of `check` with real Terraform and the
# real AWS provider against moto (a local fake AWS): starts moto on 127.0.0.1
# with the few operations the provider needs that moto lacks
# (scripts/terraform/moto_server.py), creates the accounts
# (scripts/terraform/seed_org.py), applies scripts/terraform/main.tf, collects
# the result with `accessgraph collect` as the base snapshot, then for each
# scenario (scripts/terraform/scenarios/NAME.tfvars.json) runs `terraform plan`
# and `terraform show -json`:
#
#     OUT_DIR/base.json            the collected base
#     OUT_DIR/NAME/plan.json       each scenario's plan
#
# OUT_DIR defaults to fixtures/changes/terraform (the committed fixtures).
#
# Needs terraform on the PATH and the AWS provider 5.100.0 as a filesystem
# mirror (TF_PROVIDER_MIRROR, default: the first of /opt/tf-plugins,
# ~/.terraform.d/plugins that holds registry.terraform.io/hashicorp/aws/5.100.0).
# Exit 77 when either is missing (the callers treat it as a skip), 1 on any
# other failure. The moto server is stopped on every exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-fixtures/changes/terraform}
case $out in /*) ;; *) out=$root/$out ;; esac

if ! command -v terraform >/dev/null; then
    echo "gen-terraform-plans: terraform is not on the PATH: skipped" >&2
    exit 77
fi
mirror=${TF_PROVIDER_MIRROR:-}
if [ -z "$mirror" ]; then
    for m in /opt/tf-plugins "$HOME/.terraform.d/plugins"; do
        if [ -d "$m/registry.terraform.io/hashicorp/aws/5.100.0" ]; then mirror=$m; break; fi
    done
fi
if [ -z "$mirror" ] || [ ! -d "$mirror/registry.terraform.io/hashicorp/aws/5.100.0" ]; then
    echo "gen-terraform-plans: no filesystem mirror of hashicorp/aws 5.100.0 (set TF_PROVIDER_MIRROR): skipped" >&2
    exit 77
fi

python=${PYTHON:-python3}
if ! "$python" -c "import moto, boto3, flask" 2>/dev/null; then
    if [ -x target/moto-venv/bin/python ] && target/moto-venv/bin/python -c "import moto" 2>/dev/null; then
        python=$root/target/moto-venv/bin/python
    elif ! "$python" -m pip install -q -r scripts/moto/requirements.txt; then
        "$python" -m venv target/moto-venv
        target/moto-venv/bin/pip install -q -r scripts/moto/requirements.txt
        python=$root/target/moto-venv/bin/python
    fi
fi
[ -n "${ACCESSGRAPH_BIN:-}" ] || cargo build -q
bin=${ACCESSGRAPH_BIN:-$root/target/debug/accessgraph}
case $bin in /*) ;; *) bin=$root/$bin ;; esac

work=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$("$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')
"$python" scripts/terraform/moto_server.py "$port" </dev/null >"$work/moto.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
    if "$python" -c 'import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/moto-api/" % sys.argv[1], timeout=1).read()' "$port" 2>/dev/null; then
        break
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$work/moto.log" >&2; exit 1; }
    sleep 0.5
done
endpoint="http://127.0.0.1:$port"

cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
TFRC
export TF_CLI_CONFIG_FILE=$work/cli.tfrc TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
mkdir "$work/tf"
cp scripts/terraform/main.tf "$work/tf/"
"$python" scripts/terraform/seed_org.py "$endpoint" "$work/tf/org.auto.tfvars.json"
cd "$work/tf"
tf() {
    if ! terraform "$@" -input=false -no-color >"$work/tf.log" 2>&1; then
        cat "$work/tf.log" >&2
        echo "gen-terraform-plans: terraform $1 failed (moto log: see above)" >&2
        tail -20 "$work/moto.log" >&2
        exit 1
    fi
}
tf init
tf apply -auto-approve -parallelism=1

# The base: what `collect` reads from the applied organization. moto lacks
# two calls (recorded in provenance.errors, exit 3: partial snapshot).
set +e
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=eu-west-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$bin" collect --endpoint-url "$endpoint" --region eu-west-1 --max-attempts 1 --quiet \
    -o "$work/base.json" 2>"$work/collect.err"
code=$?
set -e
if [ "$code" -ne 0 ] && [ "$code" -ne 3 ]; then
    cat "$work/collect.err" >&2
    exit 1
fi
mkdir -p "$out"
cp "$work/base.json" "$out/base.json"
for vars in "$root"/scripts/terraform/scenarios/*.tfvars.json; do
    name=$(basename "$vars" .tfvars.json)
    tf plan -var-file="$vars" -out="$work/$name.tfplan"
    mkdir -p "$out/$name"
    terraform show -json "$work/$name.tfplan" >"$out/$name/plan.json.tmp"
    mv "$out/$name/plan.json.tmp" "$out/$name/plan.json"
    echo "wrote $out/$name/plan.json" >&2
done
