#!/usr/bin/env bash
# same_counts.sh VALIDATE_SH DIR: every consumer of every export in DIR reads the same number of
# nodes and edges. Prints the counts; exit 1 when any differ or any consumer fails.
# gephi-rules is left out, as validate.sh's own consistency check does: Gephi merges a GraphML
# co_occurs and broader edge between the same two entities (GraphML has no edge types), and
# says so in a WARN line; GEXF keeps them apart.
set -euo pipefail
validate=$1 dir=$2
out=$(bash "$validate" "$dir/graph.graphml" "$dir/graph.gexf" "$dir/graph.json" "$dir/graph.graphology.json" "$dir")
printf '%s\n' "$out" | awk '/^== /{f=$2} /^OK /{ok[f]=ok[f]" "$2} /^(FAIL|WARN)/{print "  " $0} END{for (k in ok) print "  " k ":" ok[k]}' | sort | cut -c1-160
counts=$(printf '%s\n' "$out" | grep -E '^OK ' | grep -v '^OK gephi-rules' | grep -oE 'nodes=[0-9]+ edges=[0-9]+' | sort | uniq -c)
printf '%s\n' "$counts" | sed "s|^|  $(basename "$dir"): |"
n=$(printf '%s\n' "$counts" | wc -l)
consumers=$(printf '%s\n' "$out" | grep -E '^OK ' | grep -vc '^OK gephi-rules')
if printf '%s\n' "$out" | grep -qE '^FAIL'; then
  printf '%s\n' "$out" | grep -E '^FAIL'; exit 1
fi
[ "$n" -eq 1 ] || { echo "FAIL: consumers disagree on node/edge counts"; exit 1; }
echo "OK same counts in $consumers consumer readings"
