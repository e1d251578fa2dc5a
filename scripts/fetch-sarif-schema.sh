#!/usr/bin/env bash
# Re-fetches data/sarif-2.1.0-rtm.5.json (the SARIF 2.1.0 JSON schema that
# tests/check.rs validates `check --format sarif` against) from the MIT npm
# package pinned in data/SOURCES. Needs npm.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack @microsoft/jest-sarif@1.0.0-beta.0 --silent >/dev/null && tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz)
cp "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" data/sarif-2.1.0-rtm.5.json
echo "wrote data/sarif-2.1.0-rtm.5.json"
