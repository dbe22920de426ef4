#!/usr/bin/env python3
"""Measures kgx entity linking against hand annotations.

Reads a kgx `graph.json` (networkx node-link JSON: `nodes` with `id`, `kind`; `edges` (or
`links`) with `source`, `target`, `kind`) and an annotation file (TOML: `[[post]]` tables with
`path` relative to the corpus root, `entities = [ids]`, optional `not = [{id, why}]`), compares
the article -> entity `mentions` edges of every annotated post with its annotation, and prints
micro precision and recall plus, per post, the false positives and false negatives.

Article node ids are `article:<path relative to the corpus folder kgx was run on>`. When kgx
ran on a parent of the annotated corpus root, `--corpus-root-prefix DIR` is prepended to each
annotated path; when the article ids carry an extra leading folder,
`--strip-prefix DIR` removes it from the article ids; either way the two agree.

Exit status: 0 when precision >= --min-precision and recall >= --min-recall, 1 when below,
2 on unusable input (missing file, bad JSON or TOML, an annotated post absent from the graph).
Standard library only (Python 3.11+ for tomllib)."""
import argparse
import json
import sys
import tomllib


def load_graph(path):
    with open(path, encoding='utf-8') as fh:
        g = json.load(fh)
    nodes = {n['id']: n for n in g.get('nodes', [])}
    edges = g.get('edges', g.get('links', []))
    links = {}
    for e in edges:
        if e.get('kind') != 'mentions':
            continue
        s, t = e.get('source'), e.get('target')
        if not (isinstance(s, str) and isinstance(t, str)):
            continue
        if not (s.startswith('article:') and t.startswith('entity:')):
            continue
        links.setdefault(s, set()).add(t[len('entity:'):])
    return nodes, links


def load_annotations(path):
    with open(path, 'rb') as fh:
        doc = tomllib.load(fh)
    posts = doc.get('post', [])
    out = []
    for i, p in enumerate(posts):
        if 'path' not in p or 'entities' not in p:
            raise ValueError(f'post #{i + 1}: needs `path` and `entities`')
        out.append((p['path'], set(p['entities'])))
    return out


def join(prefix, path):
    if not prefix:
        return path
    return prefix.rstrip('/') + '/' + path.lstrip('/')


def evaluate(nodes, links, posts, prefix='', strip=''):
    """Returns (tp, fp, fn, rows, missing) where rows = [(path, fps, fns)]."""
    if strip:
        links = {('article:' + k[len('article:') + len(strip.rstrip('/')) + 1:]
                  if k.startswith('article:' + strip.rstrip('/') + '/') else k): v
                 for k, v in links.items()}
        nodes = {('article:' + k[len('article:') + len(strip.rstrip('/')) + 1:]
                  if k.startswith('article:' + strip.rstrip('/') + '/') else k): v
                 for k, v in nodes.items()}
    tp = fp = fn = 0
    rows, missing = [], []
    for path, gold in posts:
        aid = 'article:' + join(prefix, path)
        if aid not in nodes:
            missing.append(path)
            continue
        got = links.get(aid, set())
        fps = sorted(got - gold)
        fns = sorted(gold - got)
        tp += len(got & gold)
        fp += len(fps)
        fn += len(fns)
        rows.append((path, fps, fns))
    return tp, fp, fn, rows, missing


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('graph', help='graph.json written by kgx build')
    ap.add_argument('annotations', help='annotations TOML ([[post]] path/entities/not)')
    ap.add_argument('--corpus-root-prefix', default='',
                    help='prepended to annotated paths to form article ids')
    ap.add_argument('--strip-prefix', default='',
                    help='removed from the front of article ids before comparing')
    ap.add_argument('--min-precision', type=float, default=0.97)
    ap.add_argument('--min-recall', type=float, default=0.92)
    ap.add_argument('--quiet', action='store_true', help='only the summary line')
    a = ap.parse_args(argv)
    try:
        nodes, links = load_graph(a.graph)
        posts = load_annotations(a.annotations)
    except (OSError, ValueError, json.JSONDecodeError, tomllib.TOMLDecodeError, KeyError,
            TypeError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    tp, fp, fn, rows, missing = evaluate(nodes, links, posts, a.corpus_root_prefix,
                                         a.strip_prefix)
    for m in missing:
        print(f'error: annotated post not in graph: {m}', file=sys.stderr)
    if missing:
        return 2
    if not a.quiet:
        for path, fps, fns in rows:
            if fps or fns:
                print(path)
                if fps:
                    print('  false positives: ' + ', '.join(fps))
                if fns:
                    print('  false negatives: ' + ', '.join(fns))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f'posts {len(rows)}  tp {tp}  fp {fp}  fn {fn}  '
          f'precision {precision:.4f}  recall {recall:.4f}')
    ok = precision >= a.min_precision and recall >= a.min_recall
    if not ok:
        print(f'below thresholds (precision >= {a.min_precision}, recall >= {a.min_recall})')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
