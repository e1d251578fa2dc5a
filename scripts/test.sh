#!/usr/bin/env bash
# The one test command (README and .ci/run): unit, corpus, CLI and property
# tests, doc tests, and every bench run once so benches never rot.
set -euo pipefail
cd "$(dirname "$0")/.."
# Benches run once each in test mode; the organization bench on a small org.
ACCESSGRAPH_BENCH_SMALL=1 cargo test --all-targets
cargo test --doc
# The export script against a fake `aws` that answers from the fixtures:
# it must reproduce both export folders file for file.
bash scripts/test-export-aws-cli.sh
# The chained AWS config profiles, read by botocore (installed when missing).
bash scripts/test-profiles-botocore.sh
# Live collection end to end against moto (a local fake AWS on 127.0.0.1),
# installed with pip when missing, started and stopped by the script.
bash scripts/test-collect-moto.sh
# Collection killed half-way and resumed, against the scripted endpoint that
# throttles like AWS: the same snapshot, no call for a file complete on disk.
bash scripts/test-collect-resume.sh
# Real Terraform plans against moto: written again and checked like the
# committed fixtures (skips, saying so, without Terraform or its provider).
bash scripts/test-terraform-plans.sh
# `accessgraph serve` in Debian's Chromium through playwright-core (skips,
# saying so, without Chromium or Node.js).
bash scripts/test-browser.sh
# The lean build (no AWS SDK) still compiles.
cargo check -q --no-default-features --lib --bins
