#!/usr/bin/env bash
# Renders a kgx report.html in headless Chromium and checks that it works offline.
#
#   scripts/browser_check.sh [options] REPORT.html [ARTIFACT_DIR] [LABEL...]
#
#   ARTIFACT_DIR       where the screenshot goes (taken as a folder when it contains a `/`;
#                      default: beside the report); created if missing
#   LABEL...           entity labels that must be shown (default: the 5 most mentioned
#                      entities of the report's own data)
#   --expect LABEL     one more expected label (for a label that contains a `/`)
#   --screenshot FILE  the screenshot file (default ARTIFACT_DIR/report.png)
#   --chromium BIN     default $CHROMIUM, else /usr/bin/chromium
#
# Checks, one PASS/FAIL line each, exit 1 if any fails; all offline (Chromium resolves no host):
#   - the dashboard script ran to the end (it sets data-kgx-ready on <body>), no data-kgx-error;
#   - no uncaught JS error and no console error in Chromium's log;
#   - every expected label is shown;
#   - escaping, on the report as it is and on a copy with hostile text planted in its data (a
#     post titled <script>alert(1)</script> and an <img onerror> heading path under the first
#     entity, whose detail panel opens first): no alert/confirm/prompt ran (trapped in the
#     copy), no element came from the data, the hostile text is shown as text;
#   - a 1400x1000 screenshot is written.
# CI: scripts/browser_check.sh "$T/report/report.html" "$ROOT/target/ci-artifacts"
set -u

screenshot=""
artifacts=""
chromium="${CHROMIUM:-/usr/bin/chromium}"
labels=()
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) screenshot="$2"; shift 2 ;;
    --chromium) chromium="$2"; shift 2 ;;
    --expect) labels+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    --) shift; positional+=("$@"); break ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
if [ ${#positional[@]} -lt 1 ]; then
  echo "usage: $0 [--expect LABEL] [--screenshot FILE] [--chromium BIN] REPORT.html [ARTIFACT_DIR] [LABEL...]" >&2
  exit 2
fi
report="${positional[0]}"
rest=("${positional[@]:1}")
if [ ${#rest[@]} -gt 0 ] && [[ "${rest[0]}" == */* ]]; then
  artifacts="${rest[0]}"
  rest=("${rest[@]:1}")
fi
labels+=("${rest[@]}")
if [ ! -f "$report" ]; then echo "FAIL: $report does not exist"; exit 1; fi
if [ ! -x "$chromium" ]; then echo "FAIL: no Chromium at $chromium (apt install chromium)"; exit 1; fi
report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
if [ -n "$artifacts" ]; then mkdir -p "$artifacts" || { echo "FAIL: cannot create $artifacts"; exit 1; }; fi
[ -n "$screenshot" ] || screenshot="${artifacts:-$(dirname "$report")}/report.png"
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  echo "WARN: no CJK font installed (apt install fonts-wqy-microhei or fonts-noto-cjk): Chinese shows as boxes in the screenshot"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run_chromium() { # run_chromium LOG ARGS... ; stdout is Chromium's
  local log="$1"; shift
  timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --hide-scrollbars --mute-audio \
    --host-resolver-rules="MAP * ~NOTFOUND" \
    --user-data-dir="$(mktemp -d -p "$work")" \
    --enable-logging=stderr --v=0 "$@" 2>"$log"
}

# The checker: `plant REPORT OUT` writes the hostile copy; `check ...` judges the runs.
cat >"$work/check.py" <<'PYEOF'
import html, json, os, re, sys

BLOCK = re.compile(r'(<script type="application/json" id="kgx-data">)(.*?)(</script>)', re.S)
HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_HEADING = "<img src=x onerror=alert(2)> & co"
HOOK = ("<script>(function(){var mark=function(n){return function(){"
        "document.documentElement.setAttribute('data-dialog-ran',n);};};"
        "window.alert=mark('alert');window.confirm=mark('confirm');window.prompt=mark('prompt');"
        "window.addEventListener('error',function(e){document.documentElement.setAttribute("
        "'data-uncaught-error',String(e.message));});})();</script>")


def escape_for_script(raw):
    for c, e in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        raw = raw.replace(c, e)
    return raw


def plant(src, out):
    page = open(src, encoding="utf-8").read()
    marker = '<meta charset="utf-8">'
    page = page.replace(marker, marker + HOOK, 1) if marker in page else HOOK + page
    m = BLOCK.search(page)
    planted = False
    if m:
        data = json.loads(m.group(2))
        if data.get("entities") and isinstance(data.get("articles"), list):
            data["articles"].append(["planted/hostile.md", HOSTILE_TITLE, "2024-01-01"])
            row = [len(data["articles"]) - 1, 1, [[HOSTILE_HEADING, 1]], 0]
            data["entities"][0]["mentioned_in"].insert(0, row)
            planted = True
        raw = escape_for_script(json.dumps(data, ensure_ascii=False))
        page = page[:m.start(2)] + raw + page[m.end(2):]
    open(out, "w", encoding="utf-8").write(page)
    return planted


failed = False


def check(ok, what, detail=""):
    global failed
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok or not detail else f" ({detail})"))
    failed |= not ok


def visible_of(dom):
    """The DOM without script elements, and its text."""
    visible = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", dom, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<script\b.*?</script>", "", visible, flags=re.S)))
    return visible, text


def judge(name, dom, source_page, expect_scripts):
    check(len(dom) > 200, f"{name}: Chromium rendered the page", f"{len(dom)} bytes of DOM")
    body = re.search(r"<body[^>]*>", dom)
    check(bool(body) and 'data-kgx-ready="1"' in body.group(0), f"{name}: dashboard script finished (data-kgx-ready)")
    err = re.search(r'data-kgx-error="([^"]*)"', dom)
    check(err is None, f"{name}: no dashboard error", err and html.unescape(err.group(1)))
    visible, text = visible_of(dom)
    scripts = re.findall(r"<script\b[^>]*>", visible)
    check(len(scripts) <= expect_scripts, f"{name}: no <script> element from the data", f"{len(scripts)} script tags")
    imgs = re.findall(r"<img\b", visible)
    check(not imgs, f"{name}: no <img> element from the data", f"{len(imgs)} img tags")
    # The detail panel opens on the first entity: its posts' titles and headings are on screen.
    m = BLOCK.search(source_page)
    if not m:
        return text
    data = json.loads(m.group(2))
    shown = set()
    for s in data.get("entities", [])[:1]:
        for row in s.get("mentioned_in", []):
            shown.add(data["articles"][row[0]][1])
            shown.update(h for h, _ in row[2])
    hostile = sorted(t for t in shown if "<" in t or "&" in t)
    for t in hostile:
        check(html.escape(t, quote=False) in visible, f"{name}: markup-like text {t!r} shown as text")
    return text


def main():
    if sys.argv[1] == "plant":
        sys.exit(0 if plant(sys.argv[2], sys.argv[3]) else 3)
    _, _mode, report, work, screenshot, planted, *labels = sys.argv
    source = open(report, encoding="utf-8").read()
    read = lambda n: open(os.path.join(work, n), encoding="utf-8", errors="replace").read()
    logs = read("dom.log") + read("shot.log") + read("planted.log")
    m = BLOCK.search(source)
    check(bool(m), "data block present in the report")
    if m:
        check(not re.search("[<>&\u2028\u2029]", m.group(2)), "data block has <, >, &, U+2028/9 escaped")
        if not labels:
            labels = [e["label"] for e in json.loads(m.group(2)).get("entities", [])[:5]]
    text = judge("report", read("dom.html"), source, 1)
    for label in labels:
        check(label in text, f"report: entity label {label!r} shown")
    console = [l for l in logs.splitlines() if "CONSOLE" in l and re.search(r"Uncaught|Error|error", l)]
    check(not console, "no console errors", "; ".join(console[:3]))
    planted_dom = read("planted.dom.html")
    check(planted == "1", "hostile text planted in a copy of the data")
    judge("hostile copy", planted_dom, read("planted.html"), 2)
    uncaught = re.search(r'data-uncaught-error="([^"]*)"', planted_dom)
    check(uncaught is None, "hostile copy: no uncaught JS errors", uncaught and html.unescape(uncaught.group(1)))
    dialog = re.search(r'data-dialog-ran="([^"]*)"', planted_dom)
    check(dialog is None, "hostile copy: no alert/confirm/prompt ran", dialog and dialog.group(1))
    check(HOSTILE_TITLE in visible_of(planted_dom)[1], f"hostile copy: title {HOSTILE_TITLE} shown as text")
    check(os.path.exists(screenshot) and os.path.getsize(screenshot) > 10000, f"screenshot written to {screenshot}")
    sys.exit(1 if failed else 0)


main()
PYEOF

# 1. The page as it is: DOM after the scripts ran, console log, screenshot.
run_chromium "$work/dom.log" --virtual-time-budget=5000 --dump-dom "file://$report" >"$work/dom.html"
run_chromium "$work/shot.log" --virtual-time-budget=5000 --window-size=1400,1000 \
  --screenshot="$screenshot" "file://$report" >/dev/null
# 2. The hostile copy, with dialogs trapped and errors recorded before any other script.
planted=0
python3 "$work/check.py" plant "$report" "$work/planted.html" && planted=1
run_chromium "$work/planted.log" --virtual-time-budget=5000 --dump-dom "file://$work/planted.html" >"$work/planted.dom.html"

if python3 "$work/check.py" check "$report" "$work" "$screenshot" "$planted" "${labels[@]}"; then
  echo "PASS: browser check of $report"
else
  echo "FAIL: browser check of $report"
  exit 1
fi
