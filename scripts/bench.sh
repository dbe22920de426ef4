#!/usr/bin/env bash
# How fast is kgx? Measured side by side with its references, in one run, on one machine.
#
#   scripts/bench.sh [--runs N] [--jobs N] [--scale] [--spark] [--skip-peer] [CORPUS]
#
# Default CORPUS: ../shared/corpus/w3er (beside the repository). Without ../shared and without
# a CORPUS the script says so and exits 0 (nothing to measure).
#
# Rows (release build; wall time = median of --runs runs (default 5), from the clock to the
# millisecond; peak RSS = the largest of those runs, from /usr/bin/time):
#   kgx build CORPUS --out TMP --jobs J
#   kgx build --no-keywords
#   python peer      ../shared/bench/python_baseline.py (setup.sh makes its venv); 3 runs
#   jieba-rs cut     examples/jieba_cut.rs: walk + read + jieba cut of all the text, J threads
# then MB/s (Markdown bytes / median wall) and the ratios kgx/python and kgx/jieba-cut
# (in MB/s: > 1 means kgx is faster).
#
# --scale adds: the 1x/10x/100x table (corpora made by ../shared/bench/scale_corpus.py into
# $KGX_BENCH_DIR, default /tmp/kgx-bench, kept between runs), MB/s and peak RSS of
# `kgx build --jobs 2` with and without --no-keywords, beside the write floor of its exports
# (writing as many bytes of zeros with two dd at once: no program writing these files can be
# faster here); the start-up time on one small post; and the incremental rebuild (10x: clean
# build with --cache, then one post edited, one deleted, one added, rebuild with --cache; both
# timed, the output compared with `diff -r` against a clean build of the changed corpus, and
# the write floor of that output as a share of the clean build).
#
# --spark adds: scripts/spark_build.py with local[1] and local[2] on the 10x corpus (one run
# median of 3 each, wall time of the whole script, JVM start included), beside `kgx build --jobs 2`, and a
# `diff -r` of each output against kgx build's.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# ../shared beside the repository; a worktree one level deeper finds it one level up.
if [ -n "${KGX_SHARED:-}" ]; then SHARED="$KGX_SHARED"
elif [ -d "$REPO/../shared" ]; then SHARED="$REPO/../shared"
else SHARED="$REPO/../../shared"; fi
WORK="${KGX_BENCH_DIR:-/tmp/kgx-bench}"
RUNS=5
JOBS=2
PROFILE=release
SCALE=0
SPARK=0
PEER=1
CORPUS=""

while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --jobs) JOBS="$2"; shift 2 ;;
        --scale) SCALE=1; shift ;;
        --spark) SPARK=1; shift ;;
        --skip-peer) PEER=0; shift ;;
        --debug) PROFILE=debug; shift ;;   # only to test this script: debug numbers mean nothing
        -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "bench: unknown option $1" >&2; exit 2 ;;
        *) CORPUS="$1"; shift ;;
    esac
done

if [ -z "$CORPUS" ]; then
    if [ ! -d "$SHARED/corpus/w3er" ]; then
        echo "bench: skipped: no ../shared (corpus and Python peer); give a CORPUS to measure kgx alone"
        exit 0
    fi
    CORPUS="$SHARED/corpus/w3er"
fi
[ -e "$CORPUS" ] || { echo "bench: no such corpus: $CORPUS" >&2; exit 2; }
CORPUS="$(cd "$CORPUS" && pwd)"

TIME=/usr/bin/time
if ! "$TIME" -f %M true >/dev/null 2>&1; then
    echo "bench: installing GNU time" >&2
    { apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }; } \
        || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
fi

mkdir -p "$WORK"
echo "bench: $PROFILE build (kgx, examples/jieba_cut)" >&2
flag=(); [ "$PROFILE" = release ] && flag=(--release)
(cd "$REPO" && cargo build "${flag[@]}" --quiet --bin kgx --example jieba_cut) || { echo "bench: build failed" >&2; exit 1; }
KGX="$REPO/target/$PROFILE/kgx"
JIEBA="$REPO/target/$PROFILE/examples/jieba_cut"

# Bytes of Markdown in a corpus (what every MB/s below is divided by).
md_bytes() {
    find "$1" -type d \( -name '.*' -o -name node_modules \) -prune -o -type f \( -name '*.md' -o -name '*.markdown' \) -print0 \
        | du -cb --files0-from=- 2>/dev/null | tail -n1 | cut -f1
}

# measure NAME RUNS CMD...: runs CMD RUNS times; sets M_WALL (median s), M_RSS (max MB),
# M_OK (1 when every run exited 0). The output folder TMP is emptied before each run.
measure() {
    local name="$1" runs="$2"; shift 2
    local log="$WORK/$name.log" walls=() rss=0 i
    : >"$log"
    M_OK=1
    local t0 t1
    for ((i = 0; i < runs; i++)); do
        rm -rf "$WORK/out-tmp"
        # Wall time to the millisecond from the clock (time's %e has centiseconds: 6 % of a
        # 0.16 s run); peak RSS from time.
        t0="$(date +%s.%N)"
        if ! "$TIME" -f "%e %M" -o "$WORK/time.txt" "$@" >>"$log" 2>&1; then
            M_OK=0
            echo "bench: $name failed (exit code above in $log):" >&2
            tail -n 5 "$log" | sed 's/^/    /' >&2
            break
        fi
        if [ -n "${EXPECT_OUT:-}" ] && [ -z "$(ls -A "$EXPECT_OUT" 2>/dev/null)" ]; then
            M_OK=0
            echo "bench: $name wrote nothing into $EXPECT_OUT" >&2
            break
        fi
        t1="$(date +%s.%N)"
        read -r _ m < <(tail -n1 "$WORK/time.txt")
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')")
        [ "$m" -gt "$rss" ] && rss="$m"
    done
    if [ "$M_OK" = 1 ]; then
        M_WALL="$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.3f", (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')"
        M_RSS="$(awk -v k="$rss" 'BEGIN {printf "%.0f", k/1024}')"
    else
        M_WALL=""; M_RSS=""
    fi
}

# write_floor BYTES: sets F_WALL, the median of 3 runs (seconds) of writing BYTES of zeros into
# two files in $WORK at once (dd, 1 MiB blocks, one writer a core as kgx writes its exports),
# each run deleting the last run's files first, so it writes into memory just freed: what the
# page cache alone costs for output of that size, before kgx renders a byte. And F_FRESH: one
# more run into new files while the last run's are kept, as kgx writes its new exports while
# the old ones still exist: on a virtual machine whose memory the host reclaims, pages not used
# recently cost far more to write into (measured here: 688 MB in 0.06 s just freed, 0.4-1.0 s
# fresh).
write_floor() {
    local half=$(( ($1 + 2 * 1048576 - 1) / (2 * 1048576) )) walls=() i
    for ((i = 0; i < 3; i++)); do
        rm -f "$WORK/floor-1" "$WORK/floor-2"
        walls+=("$(two_dd "$half" "$WORK/floor-1" "$WORK/floor-2")")
    done
    if printf '%s\n' "${walls[@]}" | grep -q failed; then
        F_WALL=failed
    else
        F_WALL="$(printf '%s\n' "${walls[@]}" | sort -g | sed -n 2p)"
    fi
    F_FRESH="$(two_dd "$half" "$WORK/floor-3" "$WORK/floor-4")"
    rm -f "$WORK/floor-1" "$WORK/floor-2" "$WORK/floor-3" "$WORK/floor-4"
}

# two_dd MIB A B: prints the seconds two dd take to write MIB MiB of zeros each into A and B at
# once, or "failed" when either fails (a full disk: no floor is better than a wrong one).
two_dd() {
    local t0 t1 p1 p2 ok=1
    t0="$(date +%s.%N)"
    dd if=/dev/zero of="$2" bs=1M count="$1" status=none & p1=$!
    dd if=/dev/zero of="$3" bs=1M count="$1" status=none & p2=$!
    wait "$p1" || ok=0
    wait "$p2" || ok=0
    t1="$(date +%s.%N)"
    if [ "$ok" = 1 ]; then awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'; else echo failed; fi
}

mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s !~ /^[0-9.]+$/) print "n/a"; else if (s > 0) printf "%.2f", b/1e6/s; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2fx", a/b; else print "n/a" }'; }
row() { printf '| %-34s | %5s | %9s | %8s | %9s |\n' "$@"; }

BYTES="$(md_bytes "$CORPUS")"
FILES="$(find "$CORPUS" -type d \( -name '.*' -o -name node_modules \) -prune -o -type f \( -name '*.md' -o -name '*.markdown' \) -print | wc -l)"
echo
echo "## kgx vs references: $CORPUS ($FILES files, $(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1e6}') MB), $(nproc) cores, $(date -u +%FT%TZ)"
echo "kgx $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null), --jobs $JOBS, median of $RUNS runs (python: 3)"
echo
row "what" "runs" "median s" "MB/s" "peak RSS MB"
row "---" "---" "---" "---" "---"

declare -A SPEED
bench_row() { # KEY LABEL RUNS CMD...
    local key="$1" label="$2" runs="$3"; shift 3
    measure "$key" "$runs" "$@"
    if [ "$M_OK" = 1 ]; then
        SPEED[$key]="$(mbps "$BYTES" "$M_WALL")"
        row "$label" "$runs" "$M_WALL" "${SPEED[$key]}" "$M_RSS"
    else
        SPEED[$key]=""
        row "$label" "$runs" "failed" "" ""
    fi
}

EXPECT_OUT="$WORK/out-tmp"
bench_row kgx "kgx build" "$RUNS" "$KGX" build "$CORPUS" --out "$WORK/out-tmp" --jobs "$JOBS" --quiet
bench_row kgx_nokw "kgx build --no-keywords" "$RUNS" "$KGX" build "$CORPUS" --out "$WORK/out-tmp" --jobs "$JOBS" --quiet --no-keywords
EXPECT_OUT=""
bench_row jieba "jieba-rs cut (examples/jieba_cut)" "$RUNS" "$JIEBA" "$CORPUS" --jobs "$JOBS"
if [ "$PEER" = 1 ] && [ -f "$SHARED/bench/setup.sh" ]; then
    PEER_PY="$(bash "$SHARED/bench/setup.sh" 2>"$WORK/peer-setup.log" | sed -n 's/^peer ready: \([^ ]*\) .*/\1/p')"
    if [ -n "$PEER_PY" ] && [ -x "$PEER_PY" ]; then
        EXPECT_OUT="$WORK/out-tmp"
        bench_row python "python peer (python_baseline.py)" 3 "$PEER_PY" "$SHARED/bench/python_baseline.py" "$CORPUS" --out "$WORK/out-tmp"
    else
        echo "bench: python peer setup failed (see $WORK/peer-setup.log)" >&2
        row "python peer" "" "n/a" "" ""
    fi
else
    SPEED[python]=""
fi
EXPECT_OUT=""
echo
echo "kgx/python: $(ratio "${SPEED[kgx]}" "${SPEED[python]:-}") faster;  kgx/jieba-cut: $(ratio "${SPEED[kgx]}" "${SPEED[jieba]}") of the cut-only speed  (MB/s ratios)"

[ "$SCALE" = 1 ] || [ "$SPARK" = 1 ] || exit 0

# ---------------------------------------------------------------------------------------------
SCALER="$SHARED/bench/scale_corpus.py"
[ -f "$SCALER" ] || { echo "bench: --scale/--spark skipped: no $SCALER"; exit 0; }

# scaled FACTOR: path of the FACTOR x corpus, made once (built in a temporary folder, renamed
# when complete, so an interrupted run never leaves a half corpus behind).
scaled() {
    local dst="$WORK/corpus-${1}x"
    if [ ! -d "$dst" ]; then
        rm -rf "$dst.part"
        python3 "$SCALER" "$1" "$CORPUS" "$dst.part" >&2 && mv "$dst.part" "$dst"
    fi
    echo "$dst"
}

spark() {
    local dir py
    dir="$(scaled 10)" || return
    echo
    echo "## Spark: scripts/spark_build.py on the 10x corpus (median of 3 runs each)"
    echo
    py="$(bash "$REPO/scripts/setup_spark.sh" --python)" || { echo "Spark setup failed (scripts/setup_spark.sh)"; return; }
    rm -rf "$WORK/spark-ref"
    measure spark-ref 3 "$KGX" build "$dir" --out "$WORK/spark-ref" --jobs 2 --quiet
    echo "kgx build --jobs 2: ${M_WALL:-failed} s, peak RSS ${M_RSS:-?} MB"
    for master in 'local[1]' 'local[2]'; do
        rm -rf "$WORK/spark-out"
        measure "spark-$master" 3 "$py" "$REPO/scripts/spark_build.py" --master "$master" --kgx "$KGX" --quiet "$dir" "$WORK/spark-out"
        if [ "$M_OK" = 1 ]; then
            same="DIFFERS from kgx build"
            diff -r -q "$WORK/spark-ref" "$WORK/spark-out" >/dev/null && same="identical to kgx build"
            echo "spark_build --master $master: $M_WALL s ($(mbps "$(md_bytes "$dir")" "$M_WALL") MB/s), driver peak RSS $M_RSS MB; output $same"
        else
            echo "spark_build --master $master: failed (see $WORK/spark-$master.log)"
        fi
    done
}

if [ "$SCALE" != 1 ]; then
    spark
    exit 0
fi

echo
echo "## Scaling: kgx build --jobs 2 (median of 3 runs at 1x and 10x, 1 run at 100x)"
echo
echo "out MB: the exports written. write floor: writing that many bytes of zeros with two dd at once"
echo "into memory just freed (median of 3, same moment) / into fresh memory (1 run); floor MB/s: the"
echo "corpus over the first, the most any program writing these exports could reach here."
echo
printf '| %-6s | %6s | %8s | %-14s | %9s | %8s | %11s | %7s | %19s | %11s |\n' scale files MB mode "median s" "MB/s" "peak RSS MB" "out MB" "write floor s" "floor MB/s"
printf '| %-6s | %6s | %8s | %-14s | %9s | %8s | %11s | %7s | %19s | %11s |\n' --- --- --- --- --- --- --- --- --- ---
for factor in 1 10 100; do
    dir="$(scaled "$factor")" || { echo "bench: could not make the ${factor}x corpus" >&2; continue; }
    b="$(md_bytes "$dir")"
    n="$(find "$dir" -name '*.md' | wc -l)"
    runs=3; [ "$factor" -ge 100 ] && runs=1
    for mode in keywords no-keywords; do
        flags=(); [ "$mode" = no-keywords ] && flags=(--no-keywords)
        measure "scale-$factor-$mode" "$runs" "$KGX" build "$dir" --out "$WORK/out-tmp" --jobs 2 --quiet "${flags[@]}"
        if [ "$M_OK" = 1 ]; then
            out="$(du -sb "$WORK/out-tmp" | cut -f1)"
            rm -rf "$WORK/out-tmp"
            write_floor "$out"
            printf '| %-6s | %6s | %8.1f | %-14s | %9s | %8s | %11s | %7.0f | %19s | %11s |\n' "${factor}x" "$n" "$(awk -v b="$b" 'BEGIN{print b/1e6}')" "$mode" "$M_WALL" "$(mbps "$b" "$M_WALL")" "$M_RSS" "$(awk -v b="$out" 'BEGIN{print b/1e6}')" "$F_WALL / $F_FRESH" "$(mbps "$b" "$F_WALL")"
        else
            printf '| %-6s | %6s | %8s | %-14s | %9s | %8s | %11s | %7s | %19s | %11s |\n' "${factor}x" "$n" "" "$mode" failed "" "" "" "" ""
        fi
    done
done

echo
echo "## Start-up: one small post"
mkdir -p "$WORK/one"
cat >"$WORK/one/post.md" <<'EOF'
---
title: "以太坊与 DeFi 入门"
date: 2024-01-02
tags: [DeFi, Ethereum]
---
# 什么是 DeFi

去中心化金融（DeFi）运行在以太坊的智能合约之上。Smart contracts on Ethereum run DeFi.
EOF
if "$KGX" build "$WORK/one" --out "$WORK/out-one" --quiet >/dev/null 2>&1; then
    hyperfine --style none --warmup 3 --runs 30 --export-json "$WORK/startup.json" \
        "$KGX build $WORK/one --out $WORK/out-one --quiet" >/dev/null 2>&1
    python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f'kgx build on one post: {r[\"median\"]*1000:.1f} ms median (min {r[\"min\"]*1000:.1f} ms, 30 runs)')" "$WORK/startup.json"
else
    echo "kgx build on one post failed"
fi

incremental() {
    echo
    echo "## Incremental rebuild (10x corpus, --jobs 2)"
    src="$(scaled 10)"
    inc="$WORK/inc-corpus"
    rm -rf "$inc" "$WORK/inc-cache" "$WORK/inc-out-"*
    cp -r "$src" "$inc"
    measure inc-clean 1 "$KGX" build "$inc" --out "$WORK/inc-out-first" --cache "$WORK/inc-cache" --jobs 2 --quiet
    clean_wall="$M_WALL"
    if [ "$M_OK" != 1 ]; then
        echo "kgx build --cache failed: see $WORK/inc-clean.log"
        return
    fi
    mapfile -t posts < <(find "$inc" -name '*.md' | sort)
    edited="${posts[1]}"; deleted="${posts[2]}"; added="$(dirname "${posts[3]}")/bench-added-post.md"
    printf '\n\n增量测试：本段为基准测试新增。An edit made by the incremental benchmark.\n' >>"$edited"
    rm -f "$deleted"
    sed 's/^title: .*/title: "Added by the incremental benchmark"/' "${posts[3]}" >"$added"
    measure inc-rebuild 1 "$KGX" build "$inc" --out "$WORK/inc-out-rebuilt" --cache "$WORK/inc-cache" --jobs 2 --quiet
    rebuild_wall="$M_WALL"; rebuild_ok="$M_OK"
    measure inc-reference 1 "$KGX" build "$inc" --out "$WORK/inc-out-clean" --jobs 2 --quiet
    reference_wall="$M_WALL"
    out="$(du -sb "$WORK/inc-out-clean" | cut -f1)"
    write_floor "$out"
    echo "clean build with --cache: ${clean_wall} s; rebuild after 1 edit, 1 delete, 1 add: ${rebuild_wall:-failed} s" \
        "($(awk -v a="$rebuild_wall" -v b="$clean_wall" 'BEGIN{ if (a != "" && b > 0) printf "%.1f%%", 100*a/b; else print "n/a" }') of the clean build);" \
        "clean build without cache: ${reference_wall:-failed} s"
    echo "write floor of its $(awk -v b="$out" 'BEGIN{printf "%.0f", b/1e6}') MB of exports: $F_WALL s into memory just freed" \
        "($(awk -v a="$F_WALL" -v b="$clean_wall" 'BEGIN{ if (b > 0 && a ~ /^[0-9.]+$/) printf "%.1f%%", 100*a/b; else print "n/a" }') of the clean build)," \
        "$F_FRESH s into fresh memory ($(awk -v a="$F_FRESH" -v b="$clean_wall" 'BEGIN{ if (b > 0 && a ~ /^[0-9.]+$/) printf "%.1f%%", 100*a/b; else print "n/a" }')):" \
        "a rebuild that writes every export again takes at least that"
    if [ "$rebuild_ok" = 1 ] && diff -r "$WORK/inc-out-rebuilt" "$WORK/inc-out-clean" >"$WORK/inc-diff.txt"; then
        echo "rebuilt output = clean build output (diff -r: identical)"
    else
        echo "rebuilt output DIFFERS from a clean build: $(wc -l <"$WORK/inc-diff.txt") diff lines in $WORK/inc-diff.txt"
    fi
}

incremental

[ "$SPARK" = 1 ] && spark
exit 0
