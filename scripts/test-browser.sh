#!/usr/bin/env bash
# `accessgraph serve` end to end in a real browser: Debian's Chromium driven
# by playwright-core (tests/browser, `npm ci`, no browser download). Starts
# one server per snapshot on a free loopback port (the cookbook, acme, and
# the cookbook with an HTML payload as a display name and a group name),
# runs tests/browser/serve.test.mjs, and stops the servers, also on
# failure. Skips, saying so, without Chromium or Node.js (.ci/run installs
# them). SCREENSHOTS=DIR keeps a picture of each page.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$chromium" ] || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "test-browser: SKIPPED: needs Chromium (apt-get install chromium) and Node.js with npm" >&2
    exit 0
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

[ -n "${ACCESSGRAPH_BIN:-}" ] || cargo build -q
bin=${ACCESSGRAPH_BIN:-target/debug/accessgraph}
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 - fixtures/cookbook/snapshot.json "$work/xss.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["users"][0]["display_name"] = "<img src=x onerror=alert(1)>"
s["groups"][0]["name"] = "<script>alert(2)</script>"
json.dump(s, open(sys.argv[2], "w"))
PY

# Starts a server on a free port; prints its URL (the first line it writes).
start() {
    local name=$1 snapshot=$2
    shift 2
    "$bin" --snapshot "$snapshot" serve --listen 127.0.0.1:0 --no-watch "$@" \
        > "$work/$name.url" 2> "$work/$name.log" &
    pids+=($!)
    for _ in $(seq 1 100); do
        if [ -s "$work/$name.url" ]; then
            head -n1 "$work/$name.url" | sed 's|/$||; s|/?token=|?token=|'
            return
        fi
        sleep 0.1
    done
    echo "test-browser: the $name server did not start:" >&2
    cat "$work/$name.log" >&2
    exit 1
}

COOKBOOK_URL=$(start cookbook fixtures/cookbook/snapshot.json)
ACME_URL=$(start acme fixtures/acme/snapshot.json)
XSS_URL=$(start xss "$work/xss.json")
# With a token: the URL it prints carries it (?token=...).
TOKEN_URL=$(start token fixtures/cookbook/snapshot.json --token browser-test-token-0123456789)
export COOKBOOK_URL ACME_URL XSS_URL TOKEN_URL CHROMIUM="$chromium"
if [ -n "${SCREENSHOTS:-}" ]; then
    mkdir -p "$SCREENSHOTS"
    SCREENSHOTS=$(cd "$SCREENSHOTS" && pwd)
    export SCREENSHOTS
fi
(cd tests/browser && node --test --test-reporter=spec serve.test.mjs)
