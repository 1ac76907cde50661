# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-contained HTML rendering of the report (inline CSS, no script, no external resource).

Layout: overall counts (elements ``id="count-<status>"`` and ``id="count-total"``
hold the bare numbers), a per-host table, the hosts x controls matrix with
failing controls first (every cell carries ``data-status`` and shows its status;
the evidence is in the cell's ``title`` and in a ``<details>`` element), then
the waivers and their state.
"""

from __future__ import annotations

import json
from html import escape

from ansible_collections.hardening.docker.plugins.module_utils._report_build import DISPLAY, LABELS

CSS = """
:root { --fail:#b3261e; --error:#8e24aa; --waived:#b26a00; --manual:#1565c0; --na:#616161; --pass:#2e7d32; }
:root { --nip:#5d6d7e; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
.meta { color: #555; margin: 0 0 1rem; }
ul.counts { list-style: none; display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; margin: 0; }
ul.counts li { border-radius: 6px; padding: .4rem .8rem; color: #fff; min-width: 7rem; }
ul.counts li span { display: block; font-size: 1.6rem; font-weight: 700; }
.bg-fail { background: var(--fail); } .bg-error { background: var(--error); } .bg-waived { background: var(--waived); }
.bg-manual { background: var(--manual); } .bg-not_in_profile { background: var(--nip); }
.bg-not_applicable { background: var(--na); } .bg-pass { background: var(--pass); }
.bg-total { background: #263238; }
table { border-collapse: collapse; margin: .25rem 0; }
th, td { border: 1px solid #d0d0d0; padding: .3rem .45rem; vertical-align: top; text-align: left; }
th { background: #f3f3f3; position: sticky; top: 0; }
td.num { text-align: right; }
table.matrix td.cell { min-width: 8rem; max-width: 22rem; }
.st { font-weight: 700; text-transform: uppercase; font-size: .78rem; letter-spacing: .03em; }
.st-fail .st { color: var(--fail); } .st-error .st { color: var(--error); } .st-waived .st { color: var(--waived); }
.st-manual .st { color: var(--manual); } .st-not_in_profile .st { color: var(--nip); }
.st-not_applicable .st { color: var(--na); } .st-pass .st { color: var(--pass); }
td.st-fail { background: #fdecea; } td.st-error { background: #f6e8f8; } td.st-waived { background: #fff4e0; }
td.st-manual { background: #e8f0fb; } td.st-not_in_profile { background: #f0f2f4; }
td.st-pass { background: #edf7ee; } td.st-not_applicable { background: #f5f5f5; }
details summary { cursor: pointer; }
details p { margin: .3rem 0; }
pre { white-space: pre-wrap; word-break: break-word; font-size: .75rem; background: #fafafa; padding: .3rem; margin: .3rem 0 0; }
.small { font-size: .8rem; color: #555; }
.hosterr { color: var(--error); font-weight: 700; }
"""


def _e(value):
    return escape('' if value is None else str(value), quote=True)


def _counts_list(counts, prefix='count', element_ids=True):
    items = []
    for status in DISPLAY:
        ident = ' id="%s-%s"' % (prefix, status) if element_ids else ''
        items.append('<li class="bg-%s">%s<span%s>%d</span></li>' % (status, _e(LABELS[status]), ident, counts.get(status, 0)))
    ident = ' id="%s-total"' % prefix if element_ids else ''
    items.append('<li class="bg-total">Total<span%s>%d</span></li>' % (ident, counts.get('total', 0)))
    return '<ul class="counts">%s</ul>' % ''.join(items)


def _not_in_profile(level):
    return 'not in profile level %s' % level


def _cell(host, cid, cell, level=1):
    if cell is None:
        return '<td class="cell" data-host="%s" data-control="%s" data-status="none"><span class="small">not audited</span></td>' % (
            _e(host), _e(cid))
    display = cell['display']
    tooltip = cell['evidence']
    extra = ''
    if cell.get('waived'):
        tooltip = 'waived: %s (%s). Finding: %s' % (cell['waiver_reason'], cell['status'], cell['evidence'])
        extra += '<p><b>Waived</b> (%s%s): %s</p>' % (
            _e(cell['status']), (', until %s' % _e(cell['waiver_expires'])) if cell.get('waiver_expires') else '',
            _e(cell['waiver_reason']))
    if not cell.get('in_profile', True):
        tooltip = '%s (%s). Finding: %s' % (_not_in_profile(level), cell['status'], cell['evidence'])
        extra += '<p><b>%s</b>, status %s</p>' % (_e(_not_in_profile(level).capitalize()), _e(cell['status']))
    if cell.get('expired_waiver'):
        expired = cell['expired_waiver']
        extra += '<p><b>Expired waiver</b> (%s): %s</p>' % (_e(expired['expires']), _e(expired['reason']))
    details = cell.get('details') or {}
    pre = '<pre>%s</pre>' % _e(json.dumps(details, indent=1, sort_keys=True, default=str)) if details else ''
    return ('<td class="cell st-%s" data-host="%s" data-control="%s" data-status="%s" title="%s">'
            '<details><summary><span class="st">%s</span></summary><p>%s</p>%s%s</details></td>') % (
        _e(display), _e(host), _e(cid), _e(display), _e(tooltip), _e(LABELS.get(display, display)),
        _e(cell['evidence']), extra, pre)


def _remediation(control):
    rem = control.get('remediation')
    if not rem:
        return '<span class="small">manual / none</span>'
    return '%s<br><span class="small">%s, tag %s</span>' % (_e(rem.get('role')), _e(rem.get('variable')), _e(rem.get('tag')))


def render_html(report):
    hosts = sorted(report['hosts'])
    parts = ['<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             '<title>%s</title>' % _e(report.get('title')), '<style>%s</style></head><body>' % CSS]
    parts.append('<h1>%s</h1>' % _e(report.get('title')))
    level = report.get('profile_level') or 1
    parts.append('<p class="meta"><span id="benchmark">%s</span> and hardening.docker controls &middot; '
                 '<span id="profile-level">profile Level %s</span> (higher levels shown as not in profile) &middot; '
                 '%d host(s) &middot; %d control(s) &middot; collected %s</p>'
                 % (_e(report.get('benchmark') or 'CIS Docker Benchmark'), _e(level), len(hosts),
                    len(report['controls']), _e(report.get('generated_at') or 'n/a')))

    parts.append('<h2 id="summary">Summary</h2>')
    parts.append(_counts_list(report['summary']))

    parts.append('<h2 id="hosts">Hosts</h2><table class="hosts"><thead><tr><th>Host</th><th>OS</th><th>Engine</th>')
    parts.extend('<th>%s</th>' % _e(LABELS[s]) for s in DISPLAY)
    parts.append('<th>Total</th></tr></thead><tbody>')
    for host in hosts:
        entry = report['hosts'][host]
        facts = entry.get('facts') or {}
        counts = entry['summary']
        parts.append('<tr data-host="%s"><td>%s%s</td><td>%s</td><td>%s</td>' % (
            _e(host), _e(host), ('<br><span class="hosterr">%s</span>' % _e(entry['error'])) if entry.get('error') else '',
            _e(facts.get('os')), _e(facts.get('engine_version'))))
        parts.extend('<td class="num" data-status="%s">%d</td>' % (s, counts.get(s, 0)) for s in DISPLAY)
        parts.append('<td class="num">%d</td></tr>' % counts.get('total', 0))
    parts.append('</tbody></table>')

    parts.append('<h2 id="matrix">Controls &times; hosts</h2>')
    parts.append('<p class="small">Worst status first. Hover a cell for its evidence, or open it for details.</p>')
    parts.append('<table class="matrix"><thead><tr><th>Control</th><th>Title</th><th>Level</th><th>Remediation</th>')
    parts.extend('<th>%s</th>' % _e(h) for h in hosts)
    parts.append('</tr></thead><tbody>')
    for control in report['controls']:
        cid = control['id']
        parts.append('<tr id="control-%s" data-worst="%s"><td><b>%s</b></td><td>%s</td><td>L%s%s</td><td>%s</td>' % (
            _e(cid), _e(control.get('worst')), _e(cid), _e(control.get('title')), _e(control.get('level')),
            '' if control.get('scored') else ' <span class="small">(manual)</span>', _remediation(control)))
        for host in hosts:
            parts.append(_cell(host, cid, (report['results'].get(host) or {}).get(cid), level))
        parts.append('</tr>')
    parts.append('</tbody></table>')

    parts.append('<h2 id="waivers">Waivers</h2>')
    if not report['waivers']:
        parts.append('<p class="small">No waivers.</p>')
    else:
        parts.append('<table class="waivers"><thead><tr><th>Control</th><th>State</th><th>Expires</th><th>Hosts</th>'
                     '<th>Applied to</th><th>Reason</th></tr></thead><tbody>')
        for waiver in report['waivers']:
            parts.append('<tr data-state="%s"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
                _e(waiver['state']), _e(waiver['id']), _e(waiver['state']), _e(waiver.get('expires') or 'never'),
                _e(', '.join(waiver.get('hosts') or ['all'])), _e(', '.join(waiver.get('applied_to') or []) or '-'),
                _e(waiver['reason'])))
        parts.append('</tbody></table>')
    parts.append('</body></html>')
    return '\n'.join(parts) + '\n'
