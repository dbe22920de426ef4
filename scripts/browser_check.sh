#!/usr/bin/env bash
# Renders a kgx report.html in headless Chromium and checks that it works offline.
#
#   scripts/browser_check.sh [--screenshot FILE] [--chromium BIN] REPORT.html [LABEL...]
#
# Checks (one PASS/FAIL line each, exit 1 if any fails):
#   - the dashboard script ran to the end (it sets data-kgx-ready on <body>), no data-kgx-error;
#   - no uncaught JS error or console error in Chromium's log;
#   - every LABEL (expected entity labels) appears in the rendered DOM;
#   - escaping: no alert() ran (a copy of the page has alert/confirm/prompt trapped), no
#     <script> element came from the data, and a title such as <script>alert(1)</script>
#     that is in the data shows as text;
#   - all of this offline: Chromium runs with every host name resolving to nothing;
#   - a screenshot (1400x1000) is written, by default next to the report as report.png.
# CI: `cargo test --test report` writes target/tmp/report-fixture/report.html, then
#   scripts/browser_check.sh target/tmp/report-fixture/report.html DeFi 以太坊 Solidity
set -u

screenshot=""
chromium="${CHROMIUM:-/usr/bin/chromium}"
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) screenshot="$2"; shift 2 ;;
    --chromium) chromium="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    --) shift; break ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 1 ]; then
  echo "usage: $0 [--screenshot FILE] [--chromium BIN] REPORT.html [LABEL...]" >&2
  exit 2
fi
report="$1"; shift
if [ ! -f "$report" ]; then echo "FAIL: $report does not exist"; exit 1; fi
if [ ! -x "$chromium" ]; then echo "FAIL: no Chromium at $chromium (apt install chromium)"; exit 1; fi
report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
[ -n "$screenshot" ] || screenshot="$(dirname "$report")/report.png"

if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  echo "WARN: no CJK font installed (apt install fonts-wqy-microhei or fonts-noto-cjk): Chinese shows as boxes in the screenshot"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }

run_chromium() { # run_chromium LOG ARGS... ; stdout is the command's output
  local log="$1"; shift
  timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --hide-scrollbars --mute-audio \
    --host-resolver-rules="MAP * ~NOTFOUND" \
    --user-data-dir="$(mktemp -d -p "$work")" \
    --enable-logging=stderr --v=0 "$@" 2>"$log"
}

# 1. The page as it is: DOM after scripts ran, console log, screenshot.
run_chromium "$work/dom.log" --virtual-time-budget=5000 --dump-dom "file://$report" >"$work/dom.html"
run_chromium "$work/shot.log" --virtual-time-budget=5000 --window-size=1400,1000 \
  --screenshot="$screenshot" "file://$report" >/dev/null

# 2. A copy with alert/confirm/prompt trapped before any other script, and errors recorded.
python3 - "$report" "$work/trapped.html" <<'EOF'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
hook = ("<script>(function(){var mark=function(n){return function(){"
        "document.documentElement.setAttribute('data-dialog-ran',n);};};"
        "window.alert=mark('alert');window.confirm=mark('confirm');window.prompt=mark('prompt');"
        "window.addEventListener('error',function(e){document.documentElement.setAttribute("
        "'data-uncaught-error',String(e.message));});})();</script>")
marker = '<meta charset="utf-8">'
page = page.replace(marker, marker + hook, 1) if marker in page else hook + page
open(sys.argv[2], "w", encoding="utf-8").write(page)
EOF
run_chromium "$work/trapped.log" --virtual-time-budget=5000 --dump-dom "file://$work/trapped.html" >"$work/trapped.dom.html"

python3 - "$report" "$work" "$screenshot" "$@" <<'EOF'
import html, json, re, sys
report, work, screenshot, labels = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
dom = open(f"{work}/dom.html", encoding="utf-8", errors="replace").read()
trapped = open(f"{work}/trapped.dom.html", encoding="utf-8", errors="replace").read()
logs = "".join(open(f"{work}/{n}.log", encoding="utf-8", errors="replace").read() for n in ("dom", "shot", "trapped"))
source = open(report, encoding="utf-8").read()
failed = False
def check(ok, what, detail=""):
    global failed
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok or not detail else f" ({detail})"))
    failed |= not ok

check(len(dom) > 200, "Chromium rendered the page", f"{len(dom)} bytes of DOM")
body = re.search(r"<body[^>]*>", dom)
check(bool(body) and 'data-kgx-ready="1"' in body.group(0), "dashboard script finished (data-kgx-ready)")
err = re.search(r'data-kgx-error="([^"]*)"', dom)
check(err is None, "no dashboard error", err and html.unescape(err.group(1)))
console = [l for l in logs.splitlines() if "CONSOLE" in l and ("Uncaught" in l or "Error" in l or '"error"' in l.lower())]
check(not console, "no console errors", "; ".join(console[:3]))
uncaught = re.search(r'data-uncaught-error="([^"]*)"', trapped)
check(uncaught is None, "no uncaught JS errors", uncaught and html.unescape(uncaught.group(1)))
dialog = re.search(r'data-dialog-ran="([^"]*)"', trapped)
check(dialog is None, "no alert/confirm/prompt ran", dialog and dialog.group(1))

# Text content of the rendered DOM (the JSON data block left out, it is not rendered).
visible = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", dom, flags=re.S)
text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<script\b.*?</script>", "", visible, flags=re.S)))
for label in labels:
    check(label in text, f"entity label {label!r} shown")
scripts = re.findall(r"<script\b[^>]*>", visible)
check(len(scripts) <= 1, "no <script> element injected from the data", f"{len(scripts)} script tags")

# Every corpus string in the data that looks like markup must show as literal text.
block = re.search(r'<script type="application/json" id="kgx-data">(.*?)</script>', source, re.S)
check(bool(block), "data block present in the source")
if block:
    raw = block.group(1)
    check(not re.search(r"[<>&\u2028\u2029]", raw), "data block has <, >, &, U+2028/9 escaped")
    data = json.loads(raw)
    # The detail panel opens on the first entity: the titles of its posts are on screen.
    shown = set()
    for s in data.get("entities", [])[:1]:
        for m in s.get("mentioned_in", []):
            shown.add(data["articles"][m[0]][1])
    hostile = sorted(t for t in shown if "<" in t)
    for t in hostile:
        check(html.escape(t, quote=False) in visible, f"markup-like title {t!r} shown as text")
    if not hostile:
        print("INFO: no markup-like title in the first entity's posts; escape-as-text case not exercised")

import os
check(os.path.exists(screenshot) and os.path.getsize(screenshot) > 10000, f"screenshot written to {screenshot}")
sys.exit(1 if failed else 0)
EOF
[ $? -eq 0 ] || failed=1
if [ "$failed" -ne 0 ]; then echo "FAIL: browser check of $report"; exit 1; fi
echo "PASS: browser check of $report"
