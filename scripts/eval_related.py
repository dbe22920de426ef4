#!/usr/bin/env python3
"""Series quality of related-post recommendations: kgx against a front-matter baseline.

    scripts/eval_related.py RELATED.json CORPUS [--k 5] [--min-series 6] [--json]
                            [--min-precision P] [--min-mrr M] [--beat-baseline]

RELATED.json is the output of `kgx related CORPUS --top 50` (article ids relative to CORPUS).
A post series is a group of files in one folder whose names differ only by a trailing part
number or summary suffix (`web3/freshman-track-3.md`, `web3/freshman-track-sumary.md`,
`web3/road-to-web3.md`), with at least --min-series posts. For every post of such a series:

  precision@k  share of its top k recommendations from the same series (missing slots count
               as misses), averaged over the posts;
  MRR          1 / rank of the first post of the same series in its list (0 if absent).

The baseline is what a static site gives without kgx: Hugo's related content on front matter
(tags, categories, keywords; Hugo's default index weights tags 80, keywords 100; categories
are given the tag weight), ranked by weight, ties by newer date then id. The front matter is
read with the tiny parser below (YAML lists inline or in blocks, TOML, JSON). Python stdlib only.
"""

import argparse
import json
import os
import random
import re
import sys
from collections import defaultdict

SERIES_SUFFIX = re.compile(r"-(\d+|sumary|summary)$")
HUGO_WEIGHTS = {"tags": 80, "categories": 80, "keywords": 100}


def article_ids(corpus):
    """Article ids as kgx makes them: paths relative to CORPUS, `/`-separated, sorted."""
    ids = []
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        for name in files:
            if name.endswith((".md", ".markdown")):
                rel = os.path.relpath(os.path.join(root, name), corpus)
                ids.append(rel.replace(os.sep, "/"))
    return sorted(ids)


def series_of(ids, min_size):
    """{series key: [article ids]} for series with at least min_size posts."""
    groups = defaultdict(list)
    for i in ids:
        folder, _, name = i.rpartition("/")
        stem = re.sub(r"\.(md|markdown)$", "", name)
        groups[(folder, SERIES_SUFFIX.sub("", stem))].append(i)
    return {f"{f}/{k}" if f else k: sorted(v) for (f, k), v in groups.items() if len(v) >= min_size}


def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _inline_list(text):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        body = text[1:-1].strip()
        return [_scalar(x) for x in body.split(",") if x.strip()] if body else []
    return None


def front_matter(path):
    """The front matter of a file as {field: str or [str]}; {} when there is none or it breaks."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return {}
    if text.startswith("{"):
        try:
            obj, _ = json.JSONDecoder().raw_decode(text)
            return obj if isinstance(obj, dict) else {}
        except ValueError:
            return {}
    lines = text.splitlines()
    if not lines or lines[0].strip() not in ("---", "+++"):
        return {}
    fence, toml = lines[0].strip(), lines[0].strip() == "+++"
    fields, key = {}, None
    for line in lines[1:]:
        if line.strip() == fence:
            break
        if toml:
            m = re.match(r"^\s*([A-Za-z_][\w-]*)\s*=\s*(.*)$", line)
            if m:
                value = m.group(2)
                fields[m.group(1)] = _inline_list(value) if _inline_list(value) is not None else _scalar(value)
            continue
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if m:
            key, value = m.group(1), m.group(2).strip()
            lst = _inline_list(value)
            fields[key] = lst if lst is not None else ([] if value == "" else _scalar(value))
            continue
        m = re.match(r"^\s*-\s+(.*)$", line)
        if m and key is not None:
            if not isinstance(fields.get(key), list):
                fields[key] = []
            fields[key].append(_scalar(m.group(1)))
    return fields


def as_list(value):
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if str(value).strip() else []


def baseline(corpus, ids, top, shuffle=None):
    """Hugo-style related content over front matter: {id: [related ids, best first]}.

    Ties are broken by newer date then id, as Hugo does; with `shuffle` (a random.Random),
    in random order instead."""
    meta = {}
    index = defaultdict(lambda: defaultdict(set))
    for i in ids:
        fm = front_matter(os.path.join(corpus, i))
        terms = {field: {t.strip().lower() for t in as_list(fm.get(field))} for field in HUGO_WEIGHTS}
        meta[i] = (terms, str(fm.get("date") or ""))
        for field, values in terms.items():
            for t in values:
                index[field][t].add(i)
    out = {}
    for i in ids:
        terms, _ = meta[i]
        score = defaultdict(int)
        for field, values in terms.items():
            for t in values:
                for j in index[field][t]:
                    if j != i:
                        score[j] += HUGO_WEIGHTS[field]
        if shuffle is None:
            ranked = sorted(score, key=lambda j: (-score[j], _neg_date(meta[j][1]), j))
        else:
            tie = {j: shuffle.random() for j in sorted(score)}
            ranked = sorted(score, key=lambda j: (-score[j], tie[j]))
        out[i] = ranked[:top]
    return out


def _neg_date(date):
    # Newer first: invert the characters of an ISO date so a plain sort puts it first.
    return "".join(chr(0x10FFFF - ord(c)) for c in date) if date else "\U0010ffff"


def evaluate(ranked, series, k):
    """(precision@k, MRR, per-series precision) of {id: [ids]} on the series posts."""
    precisions, reciprocal, per_series = [], [], {}
    for key, members in sorted(series.items()):
        same = set(members)
        ps = []
        for post in members:
            lst = ranked.get(post, [])
            hits = sum(1 for j in lst[:k] if j in same)
            ps.append(hits / k)
            rank = next((r for r, j in enumerate(lst, 1) if j in same), None)
            reciprocal.append(1 / rank if rank else 0.0)
        precisions.extend(ps)
        per_series[key] = sum(ps) / len(ps)
    n = len(precisions) or 1
    return sum(precisions) / n, sum(reciprocal) / n, per_series


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("related", help="related.json written by `kgx related CORPUS --top 50`")
    ap.add_argument("corpus", help="the folder kgx ran on")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--min-series", type=int, default=6)
    ap.add_argument("--runs", type=int, default=20, help="seeded runs of the random-tie baseline")
    ap.add_argument("--min-precision", type=float, help="fail (exit 1) when kgx's precision@k is lower")
    ap.add_argument("--min-mrr", type=float, help="fail (exit 1) when kgx's MRR is lower")
    ap.add_argument("--beat-baseline", action="store_true",
                    help="fail (exit 1) unless kgx beats both baselines on precision@k and MRR")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    with open(args.related, encoding="utf-8") as f:
        related = json.load(f)
    ids = article_ids(args.corpus)
    missing = [i for i in ids if i not in related]
    if missing:
        print(f"warning: {len(missing)} corpus posts not in {args.related}, e.g. {missing[0]}", file=sys.stderr)
    series = series_of(ids, args.min_series)
    if not series:
        print(f"no series with >= {args.min_series} posts in {args.corpus}", file=sys.stderr)
        return 1
    kgx_ranked = {i: [r["id"] for r in lst] for i, lst in related.items()}
    depth = max((len(v) for v in kgx_ranked.values()), default=0)
    base_ranked = baseline(args.corpus, ids, max(depth, args.k))

    results = {}
    for name, ranked in (("kgx", kgx_ranked), ("baseline", base_ranked)):
        p, mrr, per = evaluate(ranked, series, args.k)
        results[name] = {"precision_at_k": round(p, 4), "mrr": round(mrr, 4), "per_series": {s: round(v, 4) for s, v in per.items()}}
    # The Hugo baseline leans on its tie-break (most posts share one or two categories):
    # also report it with ties in random order, averaged over seeded runs.
    runs = [evaluate(baseline(args.corpus, ids, max(depth, args.k), random.Random(seed)), series, args.k) for seed in range(args.runs)]
    results["baseline_random_ties"] = {
        "precision_at_k": round(sum(r[0] for r in runs) / len(runs), 4),
        "mrr": round(sum(r[1] for r in runs) / len(runs), 4),
        "per_series": {s: round(sum(r[2][s] for r in runs) / len(runs), 4) for s in series},
    }
    posts = sum(len(v) for v in series.values())
    if args.json:
        print(json.dumps({"k": args.k, "series": len(series), "posts": posts, "list_depth": depth, **results}, ensure_ascii=False, indent=2))
        return 1 if failures(results, args) else 0
    print(f"{len(series)} series, {posts} posts (series of >= {args.min_series}); kgx lists {depth} deep; k = {args.k}")
    names = {"kgx": "kgx", "baseline": "baseline (Hugo, ties newer first)", "baseline_random_ties": "baseline (random ties)"}
    print(f"{'':34} {'P@' + str(args.k):>8} {'MRR':>8}")
    for name, title in names.items():
        print(f"{title:34} {results[name]['precision_at_k']:8.4f} {results[name]['mrr']:8.4f}")
    print(f"per series P@{args.k}:{'kgx':>27} {'Hugo':>6} {'random':>6}")
    for s in sorted(series):
        row = " ".join(f"{results[n]['per_series'][s]:6.3f}" for n in names)
        print(f"  {s:30} {row}  ({len(series[s])} posts)")
    if depth < 20:
        print(f"note: lists are {depth} deep; MRR counts a series post ranked below that as absent (use --top 50)")
    return 1 if failures(results, args) else 0


def failures(results, args):
    """Prints a FAIL line per threshold missed; returns how many."""
    kgx = results["kgx"]
    missed = []
    if args.min_precision is not None and kgx["precision_at_k"] < args.min_precision:
        missed.append(f"precision@{args.k} {kgx['precision_at_k']} < {args.min_precision}")
    if args.min_mrr is not None and kgx["mrr"] < args.min_mrr:
        missed.append(f"MRR {kgx['mrr']} < {args.min_mrr}")
    if args.beat_baseline:
        for name in ("baseline", "baseline_random_ties"):
            for metric in ("precision_at_k", "mrr"):
                if kgx[metric] <= results[name][metric]:
                    missed.append(f"{metric} {kgx[metric]} does not beat {name} {results[name][metric]}")
    for m in missed:
        print(f"FAIL: {m}")
    return len(missed)


if __name__ == "__main__":
    sys.exit(main())
