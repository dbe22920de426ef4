#!/usr/bin/env python3
"""Tests scripts/eval_entities.py on a tiny graph: run `python3 eval/test_eval.py`."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, '..', 'scripts', 'eval_entities.py')

GRAPH = {
    'directed': True, 'multigraph': False, 'graph': {},
    'nodes': [
        {'id': 'article:a/one.md', 'kind': 'article'},
        {'id': 'article:two.md', 'kind': 'article'},
        {'id': 'section:a/one.md#1', 'kind': 'section'},
        {'id': 'entity:nft', 'kind': 'entity'},
        {'id': 'entity:defi', 'kind': 'entity'},
        {'id': 'entity:base', 'kind': 'entity'},
    ],
    'edges': [
        {'source': 'article:a/one.md', 'target': 'entity:nft', 'kind': 'mentions'},
        {'source': 'article:a/one.md', 'target': 'entity:base', 'kind': 'mentions'},
        # a section edge and a co_occurs edge must be ignored
        {'source': 'section:a/one.md#1', 'target': 'entity:defi', 'kind': 'mentions'},
        {'source': 'entity:base', 'target': 'entity:nft', 'kind': 'co_occurs'},
        {'source': 'article:two.md', 'target': 'entity:defi', 'kind': 'mentions'},
    ],
}

ANN = '''
[[post]]
path = "a/one.md"
entities = ["nft", "defi"]
not = [{ id = "base", why = "the ordinary word" }]

[[post]]
path = "two.md"
entities = ["defi"]
'''


class EvalTest(unittest.TestCase):
    def run_eval(self, graph, ann, *args):
        with tempfile.TemporaryDirectory() as d:
            g = os.path.join(d, 'graph.json')
            a = os.path.join(d, 'ann.toml')
            with open(g, 'w') as fh:
                json.dump(graph, fh)
            with open(a, 'w') as fh:
                fh.write(ann)
            p = subprocess.run([sys.executable, SCRIPT, g, a, *args],
                               capture_output=True, text=True)
            return p.returncode, p.stdout, p.stderr

    def test_counts_and_thresholds(self):
        code, out, _ = self.run_eval(GRAPH, ANN)
        # tp: nft, defi(two) = 2; fp: base = 1; fn: defi(one) = 1
        self.assertIn('tp 2  fp 1  fn 1', out)
        self.assertIn('precision 0.6667  recall 0.6667', out)
        self.assertIn('false positives: base', out)
        self.assertIn('false negatives: defi', out)
        self.assertEqual(code, 1)
        code, _, _ = self.run_eval(GRAPH, ANN, '--min-precision', '0.6',
                                   '--min-recall', '0.6')
        self.assertEqual(code, 0)

    def test_perfect(self):
        ann = ANN.replace('["nft", "defi"]', '["nft", "base"]')
        code, out, _ = self.run_eval(GRAPH, ann)
        self.assertIn('precision 1.0000  recall 1.0000', out)
        self.assertEqual(code, 0)

    def test_prefix_and_missing(self):
        ann = '[[post]]\npath = "one.md"\nentities = ["nft", "base"]\n'
        code, out, _ = self.run_eval(GRAPH, ann, '--corpus-root-prefix', 'a')
        self.assertEqual(code, 0, out)
        code, _, err = self.run_eval(GRAPH, ann)
        self.assertEqual(code, 2)
        self.assertIn('not in graph', err)

    def test_networkx_links_key(self):
        g = dict(GRAPH)
        g['links'] = g.pop('edges')
        code, out, _ = self.run_eval(g, ANN)
        self.assertIn('tp 2  fp 1  fn 1', out)

    def test_bad_input(self):
        code, _, err = self.run_eval(GRAPH, 'not [valid')
        self.assertEqual(code, 2)


if __name__ == '__main__':
    unittest.main()
