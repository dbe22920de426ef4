#!/usr/bin/env python3
"""Checks the shipped dictionaries (SPEC §3) without the Rust build: TOML syntax, id syntax,
unique ids, non-empty aliases, no alias shared by two entities after a fold (NFKC, case fold
unless both entities are case-sensitive, hyphen = space between Latin words, whitespace runs),
and that every `broader` id exists. Traditional→Simplified is not applied here (stdlib only);
`kgx dict check` does the complete check.

Usage: eval/check_dict.py [FILE...]   (default: dictionaries/*.toml)
Exit status 1 when a problem is found."""
import glob, re, sys, tomllib, unicodedata, collections

ID = re.compile(r'^[a-z0-9][a-z0-9._-]*$')
KEYS = {'id', 'label', 'type', 'aliases', 'broader', 'case_sensitive', 'context', 'description'}


def fold(s, case_fold=True):
    s = unicodedata.normalize('NFKC', s)
    if case_fold:
        s = s.casefold()
    s = re.sub(r'(?<=[A-Za-z0-9])[\-\u2010-\u2015](?=[A-Za-z0-9])', ' ', s)
    return re.sub(r'\s+', ' ', s).strip()


def main(files):
    problems = []
    entities = []
    for f in files:
        with open(f, 'rb') as fh:
            try:
                doc = tomllib.load(fh)
            except tomllib.TOMLDecodeError as e:
                problems.append(f'{f}: TOML: {e}')
                continue
        for e in doc.get('entity', []):
            e['_file'] = f
            entities.append(e)
            for k in e:
                if k not in KEYS and k != '_file':
                    problems.append(f"{f}: {e.get('id')}: unknown key {k}")
    ids = collections.Counter(e.get('id') for e in entities)
    for i, n in ids.items():
        if n > 1:
            problems.append(f'duplicate id {i}')
    seen = {}
    for e in entities:
        i = e.get('id', '')
        if not ID.match(i):
            problems.append(f'bad id {i!r}')
        for k in ('label', 'type', 'aliases'):
            if k not in e:
                problems.append(f'{i}: missing {k}')
        for b in e.get('broader', []):
            if b not in ids:
                problems.append(f'{i}: broader {b} does not exist')
            if b == i:
                problems.append(f'{i}: broader names itself')
        for c in e.get('context', []):
            if not fold(c):
                problems.append(f'{i}: empty context term')
        cs = e.get('case_sensitive', False)
        for a in e.get('aliases', []):
            k = fold(a)
            if not k:
                problems.append(f'{i}: empty alias')
                continue
            for (j, other, ocs) in seen.get(k, []):
                if j == i:
                    continue
                if cs and ocs and other != a:
                    continue
                problems.append(f'alias {a!r} of {i} clashes with {other!r} of {j}')
            seen.setdefault(k, []).append((i, a, cs))
    # cycles in broader
    graph = {e['id']: e.get('broader', []) for e in entities if 'id' in e}
    state = {}

    def visit(n, path):
        if state.get(n) == 1:
            problems.append('broader cycle: ' + ' -> '.join(path + [n]))
            return
        if state.get(n) == 2:
            return
        state[n] = 1
        for b in graph.get(n, []):
            visit(b, path + [n])
        state[n] = 2
    for n in graph:
        visit(n, [])
    for p in problems:
        print(p)
    types = collections.Counter(e.get('type') for e in entities)
    print(f'{len(entities)} entities in {len(files)} files: ' +
          ', '.join(f'{t} {n}' for t, n in types.most_common()))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:] or sorted(glob.glob('dictionaries/*.toml'))))
