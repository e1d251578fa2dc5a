#!/usr/bin/env bash
# Renders the acme access review (`report assignments --format html`) in
# headless Chromium and checks what a browser shows: the summary, one bar
# per (account, privilege level), and every row of the table. Writes a
# screenshot to target/report.png. Installs Chromium from Debian when it is
# missing (needs root or sudo). Not part of .ci/run: Chromium is a large
# download; tests/report.rs checks the page's structure on every run.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
    browser=$(command -v chromium)
fi

cargo build --release -q
out=target/report-check
mkdir -p "$out"
./target/release/accessgraph --snapshot fixtures/acme/snapshot.json report assignments --format html > "$out/review.html"
rows=$(./target/release/accessgraph --snapshot fixtures/acme/snapshot.json report assignments --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars)
"$browser" "${flags[@]}" --dump-dom "file://$PWD/$out/review.html" > "$out/dom.html" 2>/dev/null
"$browser" "${flags[@]}" --window-size=1400,1000 --screenshot="$PWD/target/report.png" "file://$PWD/$out/review.html" >/dev/null 2>&1

python3 - "$out/dom.html" "$rows" <<'PY'
import sys
from html.parser import HTMLParser

dom, rows = open(sys.argv[1]).read(), int(sys.argv[2])

class Count(HTMLParser):
    def __init__(self):
        super().__init__()
        self.table = None
        self.rows = {}
        self.rects = 0
        self.summary = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("id")
        elif tag == "tr" and self.table:
            self.rows[self.table] = self.rows.get(self.table, 0) + 1
        elif tag == "rect":
            self.rects += 1
        elif tag == "p" and a.get("id") == "summary":
            self.summary = True

c = Count()
c.feed(dom)
assert c.summary, "the summary line is rendered"
assert c.rows.get("rows") == rows + 1, f"table rows: {c.rows.get('rows')} != {rows} + header"
assert c.rows.get("counts", 0) > 1, "the counts table has accounts"
assert c.rects > 0, "the chart has bars"
print(f"report html: rendered in Chromium, {rows} rows, {c.rects} bars, {c.rows['counts'] - 1} accounts")
PY
echo "screenshot: target/report.png"
