#!/usr/bin/env python3
"""Recall benchmark: does loopsafe report blocking calls that projects' own developers later fixed?

For each case in cases.jsonl (a real fix commit in a public repository), the Python sources of the
fix's PARENT commit are exported from a local bare mirror, loopsafe is run on them twice (default
severity filter, and --min-severity low), and the case is scored:

  found   - a finding shown by default (high/medium) covers a line the fix changed
  hidden  - only a low-severity finding (hidden by default) covers it
  missed  - no finding covers it

A finding covers a case line (file F, line L) when
  * it is reported in F on a span that contains L, or
  * its LS901 chain, or its root, passes through F:L, or
  * it is an LS901 reported at one of the case's `call_sites` (the coroutine's call into the helper
    the fix changed).

Mirrors: `fetch github:owner/name` leaves a bare git directory at /work/.mirror/owner+name/repo;
pass --mirrors to point elsewhere (same owner+name/repo layout). A case whose mirror or parent
commit is missing is skipped with a message. No network is used.

Usage:
  python3 bench/recall/run.py --binary /work/tools/loopsafe-r2 --label r2
  python3 bench/recall/run.py --only owner/name   # a subset
Writes bench/recall/results-<label>.jsonl and prints a summary.
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def export_tree(mirror, commit, out):
    """Write the Python sources (and pyproject.toml files) of `commit` under `out`.

    Blobs the snapshot lacks (large files) are skipped, which `git archive` would fail on."""
    ls = subprocess.run(['git', '-C', mirror, 'ls-tree', '-r', '-z', commit],
                        capture_output=True, check=True).stdout
    want = []
    for ent in ls.split(b'\0'):
        if not ent:
            continue
        meta, path = ent.split(b'\t', 1)
        mode, typ, sha = meta.split()
        p = path.decode('utf-8', 'surrogateescape')
        if typ == b'blob' and mode != b'120000' and (
                p.endswith('.py') or p.endswith('.pyi') or os.path.basename(p) == 'pyproject.toml'):
            want.append((sha.decode(), p))
    proc = subprocess.Popen(['git', '-C', mirror, 'cat-file', '--batch'],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    proc.stdin.write(''.join(s + '\n' for s, _ in want).encode())
    proc.stdin.close()
    n = 0
    for sha, p in want:
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] == b'missing':
            continue
        size = int(header[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)
        dst = os.path.join(out, p)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, 'wb') as fh:
            fh.write(data)
        n += 1
    proc.wait()
    return n


def run_loopsafe(binary, tree, low):
    cmd = [binary, 'check', '.', '--output-format', 'json']
    if low:
        cmd += ['--min-severity', 'low']
    r = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise RuntimeError(f'loopsafe exited {r.returncode}: {r.stderr[-2000:]}')
    return json.loads(r.stdout or '[]')


def norm(p):
    return os.path.normpath(p or '')


def covers(f, file, line, call_sites):
    """Why finding f covers (file, line), or None."""
    fn = norm(f.get('filename'))
    loc = f.get('location') or {}
    end = f.get('end_location') or loc
    if fn == file and loc.get('row', -1) <= line <= end.get('row', -1):
        return 'direct'
    root = f.get('root') or {}
    if norm(root.get('filename')) == file and root.get('row') == line:
        return 'root'
    for c in f.get('chain') or []:
        if norm(c.get('filename', fn)) == file and c.get('row') == line:
            return 'chain'
    return None


def at_call_site(f, call_sites):
    if f.get('code') != 'LS901':
        return False
    fn = norm(f.get('filename'))
    row = (f.get('location') or {}).get('row')
    return any(norm(cs['file']) == fn and cs['line'] == row for cs in call_sites)


def match(findings, case):
    file = norm(case['file'])
    call_sites = case.get('call_sites') or []
    per_line = {}
    hits = []
    for line in case['lines']:
        got = []
        for f in findings:
            why = covers(f, file, line, call_sites)
            if why:
                got.append((why, f))
        per_line[line] = got
        hits += got
    for f in findings:
        if at_call_site(f, call_sites):
            hits.append(('call_site', f))
    return per_line, hits


def brief(why, f):
    loc = f.get('location') or {}
    return {'why': why, 'code': f.get('code'), 'severity': f.get('severity'), 'api': f.get('api'),
            'at': f"{norm(f.get('filename'))}:{loc.get('row')}"}


FAMILIES = [
    ('sleep', ['time.sleep']),
    ('http', ['requests.', 'urllib', 'httpx.Client', 'http.client']),
    ('file/fs', ['open', 'os.', 'shutil.', 'pathlib.', 'Path.', 'aiofiles']),
    ('database', ['sqlite3', 'sqlalchemy', 'psycopg', 'redis', 'pymongo', 'Cursor', 'Session']),
    ('subprocess', ['subprocess', 'pytesseract']),
    ('sdk/library', []),
]


def family(case):
    if case.get('family'):
        return case['family']
    api = case['api']
    for fam, keys in FAMILIES:
        if any(k in api for k in keys):
            return fam
    return 'sdk/library'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cases', default=os.path.join(HERE, 'cases.jsonl'))
    ap.add_argument('--mirrors', default='/work/.mirror',
                    help='directory holding owner+name/repo bare mirrors (default /work/.mirror)')
    ap.add_argument('--binary', default='/work/tools/loopsafe-r2')
    ap.add_argument('--label', default=None, help='results file suffix (default: binary name)')
    ap.add_argument('--only', default=None, help='only cases of this owner/name')
    ap.add_argument('--keep', default=None, help='keep exported trees under this directory')
    args = ap.parse_args()
    label = args.label or os.path.basename(args.binary)

    cases = [json.loads(l) for l in open(args.cases) if l.strip()]
    if args.only:
        cases = [c for c in cases if c['repo'].lower() == args.only.lower()]
    work = args.keep or tempfile.mkdtemp(prefix='recall-')
    cache = {}
    results = []
    for i, c in enumerate(cases, 1):
        cid = f"{c['repo']}@{c['fix_commit'][:10]}:{c['file']}:{','.join(map(str, c['lines']))}"
        mirror = os.path.join(args.mirrors, c['repo'].replace('/', '+'), 'repo')
        if not os.path.isdir(mirror):
            print(f'[{i}/{len(cases)}] SKIP {cid}: no mirror at {mirror} (run fetch github:{c["repo"]})')
            results.append({'id': cid, 'repo': c['repo'], 'status': 'skipped', 'reason': 'no mirror'})
            continue
        if subprocess.run(['git', '-C', mirror, 'cat-file', '-e', c['parent'] + '^{commit}'],
                          capture_output=True).returncode != 0:
            print(f'[{i}/{len(cases)}] SKIP {cid}: parent {c["parent"][:10]} not in the mirror')
            results.append({'id': cid, 'repo': c['repo'], 'status': 'skipped', 'reason': 'no parent commit'})
            continue
        key = (c['repo'], c['parent'])
        if key not in cache:
            tree = os.path.join(work, c['repo'].replace('/', '+') + '-' + c['parent'][:10])
            if not os.path.isdir(tree):
                os.makedirs(tree)
                export_tree(mirror, c['parent'], tree)
            cache[key] = (run_loopsafe(args.binary, tree, low=False), run_loopsafe(args.binary, tree, low=True))
        default, low = cache[key]
        _, shown = match(default, c)
        per_line, anyhits = match(low, c)
        status = 'found' if shown else ('hidden' if anyhits else 'missed')
        lines_covered = sorted(l for l, g in per_line.items() if g)
        r = {'id': cid, 'repo': c['repo'], 'fix_commit': c['fix_commit'], 'parent': c['parent'],
             'file': c['file'], 'lines': c['lines'], 'api': c['api'], 'kind': c['kind'],
             'family': family(c), 'status': status, 'lines_covered': lines_covered,
             'findings': [brief(w, f) for w, f in anyhits][:20],
             'miss_category': c.get('miss_category') if status != 'found' else None}
        results.append(r)
        print(f'[{i}/{len(cases)}] {status.upper():6} {cid}  ({c["api"]}, {c["kind"]})')
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)

    out = os.path.join(HERE, f'results-{label}.jsonl')
    with open(out, 'w') as fh:
        for r in results:
            fh.write(json.dumps(r) + '\n')

    scored = [r for r in results if r['status'] != 'skipped']
    def line(rs, name):
        n = len(rs)
        if not n:
            return
        f = sum(r['status'] == 'found' for r in rs)
        h = sum(r['status'] == 'hidden' for r in rs)
        m = n - f - h
        print(f'  {name:28} n={n:3}  shown {f:3} ({100*f/n:5.1f}%)  any severity {f+h:3} ({100*(f+h)/n:5.1f}%)  missed {m:3}')
    print(f'\nloopsafe {args.binary} — {len(scored)} cases scored, '
          f'{len(results)-len(scored)} skipped, {len({r["repo"] for r in scored})} repos')
    line(scored, 'overall')
    print(' by kind:')
    for k in sorted({r['kind'] for r in scored}):
        line([r for r in scored if r['kind'] == k], k)
    print(' by api family:')
    for k in sorted({r['family'] for r in scored}):
        line([r for r in scored if r['family'] == k], k)
    groups = collections.Counter()
    details = collections.defaultdict(list)
    for r in scored:
        if r['status'] == 'found':
            continue
        cat = r['miss_category'] or '(uncategorised - not analysed for this binary)'
        group, _, detail = cat.partition(':')
        groups[(group, r['status'])] += 1
        details[(group, r['status'])].append(f"{r['repo']}: {detail.strip()}")
    if groups:
        print(' not shown by default, by category (from reading the code at the parent):')
        for (g, st), v in groups.most_common():
            print(f'  {v:3}  [{st}] {g}')
    print(f'\nwrote {out}')


if __name__ == '__main__':
    sys.exit(main())
