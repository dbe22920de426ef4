#!/usr/bin/env python3
"""Build a kgx knowledge graph with Apache Spark (SPEC §8).

    scripts/setup_spark.sh                         # once: venv with pyspark, Java 17
    ~/.cache/kgx-spark/.venv/bin/python scripts/spark_build.py \\
        [--master URL] [--kgx BIN | --ship-kgx BIN] [--partitions N] [kgx flags] CORPUS OUT

writes into OUT the same files as `kgx build CORPUS --out OUT`, byte for byte.

How: the two halves of `kgx build` are commands (`kgx extract`, `kgx merge`), and merging is
order-independent, so Spark only moves bytes between them:

1. The driver walks CORPUS as kgx does (`*.md`/`*.markdown`, hidden folders, `node_modules`
   and `.git` skipped; article id = path relative to CORPUS with `/`) and makes one JSON line
   `{"path": id, "content": text}` per article. With `--executors-read` the driver sends only
   the paths and the executors read the files (CORPUS must then be on a file system they all
   see at the same path).
2. Executors run `kgx extract --stdin` over each partition with `RDD.pipe`: JSON lines in,
   one record JSON line per article out.
3. Each partition's records become one partial state: `kgx merge RECORDS --partial STATE`.
4. Partial states are combined in a tree on the executors: each level coalesces up to
   `--fan-in` (default 8) neighbouring states into one task, which runs
   `kgx merge STATE... --partial STATE`, until at most `--fan-in` states are left, so no
   executor merges more than `--fan-in` inputs at once and the driver makes no pairwise steps.
5. The driver writes the exports from the states left: `kgx merge STATE... --out OUT`.

Where the executors find kgx:
* `--kgx BIN` (default: `kgx` on PATH, else target/release/kgx of this repository): BIN is an
  absolute path valid on every executor (local mode, or a shared install). Used by
  `RDD.pipe` as it is.
* `--ship-kgx BIN`: the driver's BIN is sent to the executors with `SparkContext.addFile` and
  each task runs the copy it finds with `SparkFiles.get` (the executors need the same OS and
  architecture, nothing installed). `RDD.pipe` takes a command fixed on the driver, so in
  this mode step 2 runs the same pipe through a subprocess started inside the task.

Dictionaries given with `--dict FILE` are shipped the same way as the binary in
`--ship-kgx` mode, else their absolute paths must be valid on the executors.

Text that is not valid UTF-8 cannot travel in JSON: such a file is decoded with U+FFFD
replacement characters, a warning is printed, and its record is made from the replaced text.
`kgx build` reads such a file the same way but hashes the original bytes, so only that
article's `hash` field (never in the exports) differs.
"""
import argparse
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time

SKIPPED_DIRS = {"node_modules"}
EXTENSIONS = (".md", ".markdown")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(quiet, *msg):
    if not quiet:
        print("spark_build:", *msg, file=sys.stderr, flush=True)


def walk(corpus):
    """(article id, absolute path) of every post under CORPUS, sorted by id."""
    corpus = os.path.abspath(corpus)
    if os.path.isfile(corpus):
        return [(os.path.basename(corpus), corpus)]
    found = []
    for root, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
        for name in files:
            if name.endswith(EXTENSIONS):
                path = os.path.join(root, name)
                if os.path.isfile(path):
                    rel = os.path.relpath(path, corpus)
                    found.append((rel.replace(os.sep, "/"), path))
    found.sort()
    return found


def json_line(article_id, path):
    """The `kgx extract --stdin` input line for one file, and a warning if it was not UTF-8."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text, warning = data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        text = data.decode("utf-8", errors="replace")
        line = data.count(b"\n", 0, e.start) + 1
        warning = f"{article_id}:{line}: warning: not valid UTF-8 (byte 0x{data[e.start]:02X}); invalid bytes replaced by U+FFFD"
    return json.dumps({"path": article_id, "content": text}, ensure_ascii=False), warning


def read_line_on_executor(item):
    line, warning = json_line(*item)
    if warning:
        print(warning, file=sys.stderr)
    return line


def find_kgx(given):
    if given:
        return os.path.abspath(given) if os.sep in given else (shutil.which(given) or given)
    for candidate in (shutil.which("kgx"), os.path.join(REPO, "target", "release", "kgx")):
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    raise SystemExit("spark_build: no kgx binary: give --kgx BIN (or build it: cargo build --release)")


def run(cmd, stdin=None):
    """Runs kgx; raises with its stderr when it fails."""
    p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited {p.returncode}:\n{p.stderr.decode('utf-8', 'replace')}")
    if p.stderr:
        sys.stderr.write(p.stderr.decode("utf-8", "replace"))
    return p.stdout


class Kgx:
    """How a task finds kgx and its dictionaries: fixed paths, or files shipped with addFile."""

    def __init__(self, binary, dicts, shipped, common, jobs=None):
        self.binary, self.dicts, self.shipped, self.common, self.jobs = binary, dicts, shipped, common, jobs

    def _local(self, path):
        if not self.shipped:
            return path
        from pyspark import SparkFiles

        local = SparkFiles.get(os.path.basename(path))
        if path == self.binary and not os.access(local, os.X_OK):
            os.chmod(local, os.stat(local).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return local

    def argv(self, *args):
        flags = []
        for d in self.dicts:
            flags += ["--dict", self._local(d)]
        if self.jobs:
            flags += ["--jobs", str(self.jobs)]
        return [self._local(self.binary), *args, *flags, *self.common]


def extract_with_subprocess(kgx):
    """`RDD.pipe` for a binary whose path is only known inside the task (--ship-kgx)."""

    def extract(lines):
        with tempfile.TemporaryDirectory(prefix="kgx-extract-") as tmp:
            src = os.path.join(tmp, "in.jsonl")
            with open(src, "w", encoding="utf-8") as f:
                for line in lines:
                    f.write(line + "\n")
            with open(src, "rb") as f:
                out = run(kgx.argv("extract", "--stdin"), stdin=f.read())
        return out.decode("utf-8").splitlines()

    return extract


def merge_partition(kgx):
    """A partition's records → one partial state (bytes); nothing for an empty partition."""

    def merge(records):
        with tempfile.TemporaryDirectory(prefix="kgx-partial-") as tmp:
            src, dst = os.path.join(tmp, "records.jsonl"), os.path.join(tmp, "state")
            n = 0
            with open(src, "w", encoding="utf-8") as f:
                for line in records:
                    f.write(line + "\n")
                    n += 1
            if n == 0:
                return
            run(kgx.argv("merge", src, "--partial", dst))
            with open(dst, "rb") as f:
                yield f.read()

    return merge


def combine_states(kgx):
    """The partial states of one task → one (a step of the tree reduction)."""

    def combine(states):
        states = list(states)
        if len(states) <= 1:
            return states
        with tempfile.TemporaryDirectory(prefix="kgx-combine-") as tmp:
            paths = [os.path.join(tmp, f"s{i}") for i in range(len(states))]
            for path, data in zip(paths, states):
                with open(path, "wb") as f:
                    f.write(data)
            out = os.path.join(tmp, "out")
            run(kgx.argv("merge", *paths, "--partial", out))
            with open(out, "rb") as f:
                return [f.read()]

    return combine


def tree_reduce(states, kgx, fan_in):
    """Combines the states of an RDD level by level until at most `fan_in` are left; returns
    them (on the driver)."""
    parts = states.getNumPartitions()
    while parts > fan_in:
        parts = -(-parts // fan_in)
        states = states.coalesce(parts).mapPartitions(combine_states(kgx))
    return states.collect()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", metavar="CORPUS")
    ap.add_argument("out", metavar="OUT")
    ap.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[*]"), help="Spark master URL (default local[*])")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--kgx", metavar="BIN", help="kgx binary at a path valid on every executor")
    where.add_argument("--ship-kgx", metavar="BIN", help="kgx binary to send to the executors (SparkContext.addFile)")
    ap.add_argument("--partitions", type=int, help="partitions of the corpus (default: 2 per core, at most one per article)")
    ap.add_argument("--fan-in", type=int, default=8, metavar="N", help="partial states merged by one task of the tree reduction (default 8, at least 2)")
    ap.add_argument("--task-jobs", type=int, default=1, metavar="N", help="threads of each kgx a task runs (default 1: Spark runs one task per core)")
    ap.add_argument("--executors-read", action="store_true", help="executors read the files (CORPUS on a shared file system)")
    ap.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="Spark configuration (repeatable)")
    ap.add_argument("--dict", action="append", default=[], metavar="FILE", help="kgx --dict (repeatable)")
    ap.add_argument("--no-default-dict", action="store_true", help="kgx --no-default-dict")
    ap.add_argument("--no-keywords", action="store_true", help="kgx --no-keywords")
    ap.add_argument("--graph", choices=["full", "entities"], help="kgx --graph")
    ap.add_argument("--format", help="kgx --format")
    ap.add_argument("--quiet", action="store_true", help="kgx --quiet, and no progress from Spark")
    args = ap.parse_args(argv)

    started = time.monotonic()
    shipped = args.ship_kgx is not None
    binary = find_kgx(args.ship_kgx or args.kgx)
    if not os.access(binary, os.X_OK):
        ap.error(f"not an executable: {binary}")
    dicts = [os.path.abspath(d) for d in args.dict]
    if shipped and len({os.path.basename(d) for d in dicts + [binary]}) != len(dicts) + 1:
        ap.error("--ship-kgx: the binary and the --dict files need distinct file names")
    common = (["--no-default-dict"] if args.no_default_dict else []) + (["--no-keywords"] if args.no_keywords else []) + (["--quiet"] if args.quiet else [])
    final = (["--graph", args.graph] if args.graph else []) + (["--format", args.format] if args.format else [])

    articles = walk(args.corpus)
    if not articles:
        print(f"spark_build: error: no readable Markdown input in {args.corpus}", file=sys.stderr)
        return 1
    log(args.quiet, f"{len(articles)} articles in {args.corpus}; kgx = {binary}")

    if args.master.startswith("local"):
        # Keep a local run on the loopback interface (Spark otherwise picks the host's address).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark import SparkConf, SparkContext

    conf = SparkConf().setAppName("kgx build").setMaster(args.master)
    conf.set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
    if args.master.startswith("local"):
        conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
    # The driver holds the corpus (unless --executors-read) and the final state: 1g is too
    # little for a big corpus. --conf spark.driver.memory=... overrides.
    conf.set("spark.driver.memory", "4g")
    for kv in args.conf:
        key, _, value = kv.partition("=")
        conf.set(key, value)
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    try:
        kgx = Kgx(binary, dicts, shipped, common, args.task_jobs)
        if shipped:
            for path in [binary, *dicts]:
                sc.addFile(path)
        partitions = args.partitions or max(1, min(len(articles), 2 * sc.defaultParallelism))

        if args.executors_read:
            lines = sc.parallelize(articles, partitions).map(read_line_on_executor)
        else:
            made = [json_line(i, p) for i, p in articles]
            for _, warning in made:
                if warning:
                    print(warning, file=sys.stderr)
            lines = sc.parallelize([line for line, _ in made], partitions)

        if shipped:
            records = lines.mapPartitions(extract_with_subprocess(kgx))
        else:
            env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
            records = lines.pipe(shlex.join(kgx.argv("extract", "--stdin")), env=env, checkCode=True)

        states = tree_reduce(records.mapPartitions(merge_partition(kgx)), kgx, max(2, args.fan_in))
        if not states:  # no partition had a record
            print(f"spark_build: error: no readable Markdown input in {args.corpus}", file=sys.stderr)
            return 1
        log(args.quiet, f"extracted and reduced {partitions} partitions in {time.monotonic() - started:.1f} s")
    finally:
        sc.stop()

    local = Kgx(binary, dicts, False, common)
    with tempfile.TemporaryDirectory(prefix="kgx-final-") as tmp:
        paths = [os.path.join(tmp, f"state{i}") for i in range(len(states))]
        for path, data in zip(paths, states):
            with open(path, "wb") as f:
                f.write(data)
        p = subprocess.run(local.argv("merge", *paths, "--out", args.out, *final))
    if p.returncode == 0:
        log(args.quiet, f"wrote {args.out} in {time.monotonic() - started:.1f} s")
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
