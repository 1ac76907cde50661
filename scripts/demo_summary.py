#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-text end of `make demo`: hosts, controls before -> after, where the report is.

    scripts/demo_summary.py BEFORE_DIR AFTER_DIR

Each directory holds a report.json written by hardening.docker.audit_report.
Reads files only, so the lines are whole whatever the terminal width.
"""
import json
import sys
from pathlib import Path

ORDER = ('fail', 'error', 'waived', 'manual', 'not_in_profile', 'not_applicable', 'pass')
LABELS = {'not_in_profile': 'not in profile', 'not_applicable': 'not applicable'}


def load(directory):
    return json.loads((Path(directory) / 'report.json').read_text())


def summary_lines(before, after, before_dir, after_dir):
    level = after.get('profile_level') or 1
    lines = ['', 'hardening.docker demo: %s, profile Level %s' % (after.get('benchmark') or 'CIS Docker Benchmark', level), '']
    for host in sorted(after['hosts']):
        facts = after['hosts'][host].get('facts') or {}
        lines.append('Host %s: %s, Docker Engine %s' % (host, facts.get('os') or '?', facts.get('engine_version') or '?'))
        old = (before['hosts'].get(host) or {}).get('summary') or {}
        new = after['hosts'][host]['summary']
        lines.append('  %-16s %6s %6s' % ('controls', 'before', 'after'))
        for status in ORDER:
            if old.get(status, 0) or new.get(status, 0):
                lines.append('  %-16s %6d %6d' % (LABELS.get(status, status), old.get(status, 0), new.get(status, 0)))
        lines.append('  %-16s %6d %6d' % ('total', old.get('total', 0), new.get('total', 0)))
        titles = dict((c['id'], c.get('title') or '') for c in after['controls'])
        cells_before = before['results'].get(host) or {}
        cells_after = after['results'].get(host) or {}
        fixed = [cid for cid, cell in cells_after.items()
                 if cell['display'] == 'pass' and (cells_before.get(cid) or {}).get('display') == 'fail']
        still = [cid for cid, cell in cells_after.items() if cell['display'] == 'fail']
        lines.append('  fixed (fail -> pass): %d' % len(fixed))
        if fixed:
            lines.append('    ' + ', '.join(sorted(fixed, key=_natural)))
        lines.append('  still failing: %d' % len(still))
        for cid in sorted(still, key=_natural):
            lines.append('    %s %s' % (cid, titles.get(cid, '')))
        lines.append('')
    out = Path(after_dir).resolve()
    lines.append('Report: %s' % (out / 'report.html'))
    lines.append('        (%s, %s; before hardening: %s)' % (out / 'report.json', out / 'junit.xml',
                                                             Path(before_dir).resolve() / 'report.html'))
    return lines


def _natural(cid):
    if cid.startswith('HD-'):
        return (1, [int(cid[3:])] if cid[3:].isdigit() else [0])
    return (0, [int(p) if p.isdigit() else 0 for p in cid.split('.')])


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print('\n'.join(summary_lines(load(argv[1]), load(argv[2]), argv[1], argv[2])))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
