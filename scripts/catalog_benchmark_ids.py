#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Give every catalog entry a stable identifier and its CIS ids per benchmark version.

Writes two one-line fields right after each entry's ``id:`` line, and leaves
entries that already carry them untouched (so hand-corrected values stay):

    uid: daemon-tls-authentication              # never renumbered
    cis: {"1.6": "2.7", "1.7": "2.7", "1.8": "2.8"}

Missing ``cis`` ids are derived from the catalog id (the v1.6.0 number) with the
renumbering documented in the catalog header: v1.7.0 keeps v1.6.0's numbers;
v1.8.0 inserts 2.7 (devicemapper) and moves 2.7-2.18 to 2.8-2.19. HD-* controls
are the collection's own and get no CIS ids (``cis: {}``).

    scripts/catalog_benchmark_ids.py           # add what is missing
    scripts/catalog_benchmark_ids.py --check   # fail when an entry lacks them
"""
import argparse
import re
import sys
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / 'controls' / 'catalog.yml'
VERSIONS = ('1.6', '1.7', '1.8')
FILLER = {'ensure', 'ensures', 'that', 'the', 'is', 'are', 'a', 'an', 'has', 'been', 'for', 'of', 'to',
          'if', 'not', 'and', 'or', 'set', 'be', 'appropriately', 'more', 'restrictive', 'restrictively',
          'configured', 'files', 'directories', 'possible', 'applicable', 'enabled', 'docker'}
ENTRY = re.compile(r'^(?P<indent>\s*)- id: "?(?P<id>[^"\s]+)"?\s*$')


def derive_cis(cid):
    if cid.startswith('HD-'):
        return {}
    ids = {'1.6': cid, '1.7': cid, '1.8': cid}
    parts = cid.split('.')
    if len(parts) == 2 and parts[0] == '2' and int(parts[1]) >= 7:
        ids['1.8'] = '2.%d' % (int(parts[1]) + 1)
    return ids


def slug(title, taken):
    words = re.findall(r'[a-z0-9]+', title.lower().replace('.', '-'))
    kept = [w for w in words if w not in FILLER][:6]
    base = '-'.join(kept) or 'control'
    name, n = base, 2
    while name in taken:
        name, n = '%s-%d' % (base, n), n + 1
    taken.add(name)
    return name


def flow(ids):
    return '{' + ', '.join('"%s": "%s"' % (v, ids[v]) for v in VERSIONS if v in ids) + '}'


def process(text):
    lines = text.splitlines(keepends=True)
    taken = set(re.findall(r'^\s*uid: (\S+)', text, re.M))
    out, missing = [], []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        match = ENTRY.match(line)
        if not match:
            i += 1
            continue
        indent = match.group('indent') + '  '
        cid = match.group('id')
        # the entry's own lines, up to the next entry or a blank line
        j = i + 1
        block = []
        while j < len(lines) and lines[j].strip() and not ENTRY.match(lines[j]):
            block.append(lines[j])
            j += 1
        has_uid = any(b.strip().startswith('uid:') for b in block)
        has_cis = any(b.strip().startswith('cis:') for b in block)
        title = next((b.split(':', 1)[1].strip() for b in block if b.strip().startswith('title:')), cid)
        if not has_uid:
            missing.append('%s: uid' % cid)
            out.append('%suid: %s\n' % (indent, slug(title, taken)))
        if not has_cis:
            missing.append('%s: cis' % cid)
            out.append('%scis: %s\n' % (indent, flow(derive_cis(cid))))
        i += 1
    return ''.join(out), missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='only report entries without uid or cis')
    parser.add_argument('--catalog', type=Path, default=CATALOG)
    args = parser.parse_args()
    text = args.catalog.read_text()
    new, missing = process(text)
    if args.check:
        if missing:
            print('catalog entries without stable id or CIS ids (run %s): %s' % (sys.argv[0], ', '.join(missing)))
            return 1
        return 0
    if new != text:
        args.catalog.write_text(new)
    print('added %d field(s)' % len(missing))
    return 0


if __name__ == '__main__':
    sys.exit(main())
