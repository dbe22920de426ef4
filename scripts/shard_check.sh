#!/usr/bin/env bash
# shard_check.sh KGX CORPUS WHOLE_OUT: splits CORPUS into 3 random shards, extracts each through
# `kgx extract --stdin`, merges them in two different groupings (with --partial states) and
# checks both results are byte-identical to WHOLE_OUT (a `kgx build CORPUS --out WHOLE_OUT`).
# `extract --stdin` segments with jieba's whole dictionary, while `kgx build` of a corpus under
# 8 MB fits the dictionary to its text: the check also holds the two to the same keywords.
set -euo pipefail
KGX=$1 C=$2 WHOLE=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$C" "$T" <<'PY'
import json, os, random, sys
root, out = sys.argv[1], sys.argv[2]
files = []
for d, dirs, names in os.walk(root):
    dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x != "node_modules")
    for n in names:
        if n.lower().endswith((".md", ".markdown")):
            files.append(os.path.relpath(os.path.join(d, n), root).replace(os.sep, "/"))
random.Random(7).shuffle(files)
shards = [open(os.path.join(out, f"shard{i}.jsonl"), "w", encoding="utf-8") for i in range(3)]
for i, f in enumerate(files):
    with open(os.path.join(root, f), "rb") as fh:
        text = fh.read().decode("utf-8", errors="replace")
    shards[random.Random(i).randrange(3)].write(json.dumps({"path": f, "content": text}, ensure_ascii=False) + "\n")
for s in shards:
    s.close()
print(f"  {len(files)} files in 3 shards")
PY
for i in 0 1 2; do "$KGX" extract --stdin --quiet < "$T/shard$i.jsonl" > "$T/rec$i.jsonl"; done
"$KGX" merge "$T/rec2.jsonl" "$T/rec0.jsonl" --partial "$T/p20" --quiet
"$KGX" merge "$T/rec1.jsonl" "$T/p20" --out "$T/a" --quiet
"$KGX" merge "$T/rec0.jsonl" --partial "$T/p0" --quiet
"$KGX" merge "$T/rec1.jsonl" "$T/rec2.jsonl" --partial "$T/p12" --quiet
"$KGX" merge "$T/p12" "$T/p0" --out "$T/b" --quiet
diff -r "$WHOLE" "$T/a" >/dev/null && diff -r "$WHOLE" "$T/b" >/dev/null || { echo "FAIL: sharded merge differs from the whole build"; diff -rq "$WHOLE" "$T/a" "$T/b" || true; exit 1; }
echo "OK ((2+0)+1) and (0+(1+2)) merges byte-identical to the whole build ($(ls "$WHOLE" | wc -l) files)"
