# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-contained HTML rendering of the report (inline CSS, no script, no external resource).

Layout: overall counts (elements ``id="count-<status>"`` and ``id="count-total"``
hold the bare numbers), a per-host table, the hosts x controls matrix with
failing controls first (every cell carries ``data-status`` and shows its status;
the evidence is in the cell's ``title`` and in a ``<details>`` element), the
containers (per host and per-container control: the number of failing
containers and a collapsed list of them with their evidence, so hundreds of
containers stay readable; an index of every container; the volumes and the
bound of their scan), then the waivers and their state.
"""

from __future__ import annotations

import json
from html import escape

from ansible_collections.hardening.docker.plugins.module_utils._report_build import DISPLAY, LABELS, runtime_by_control

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
ul.findings { margin: .3rem 0; padding-left: 1.2rem; }
ul.findings li { margin: .15rem 0; }
code { font-size: .8rem; }
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

    parts.extend(_runtime_section(report))

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


def _finding(result):
    return ('<li data-container="%s" data-container-id="%s" data-status="%s"><b>%s</b> <code>%s</code> '
            '<span class="small">%s%s</span>: %s</li>') % (
        _e(result.get('container')), _e(result.get('container_id')), _e(result['display']), _e(result.get('container')),
        _e(result.get('container_id')), _e(result.get('image')),
        '' if result.get('state') == 'running' else ', %s' % _e(result.get('state')), _e(result.get('evidence')))


def _runtime_controls(host, host_runtime):
    parts = ['<table class="runtime" data-host="%s"><thead><tr><th>Control</th><th>Title</th>' % _e(host)]
    parts.extend('<th>%s</th>' % _e(LABELS[s]) for s in DISPLAY)
    parts.append('<th>Containers not passing</th></tr></thead><tbody>')
    for group in runtime_by_control(host_runtime):
        counts = group['counts']
        parts.append('<tr class="runtime-control" data-host="%s" data-control="%s" data-fail="%d"><td><b>%s</b></td><td>%s</td>' % (
            _e(host), _e(group['id']), counts['fail'], _e(group['id']), _e(group['title'])))
        parts.extend('<td class="num" data-status="%s">%d</td>' % (s, counts.get(s, 0)) for s in DISPLAY)
        shown = [r for r in group['results'] if r['display'] not in ('pass', 'not_applicable')]
        if shown:
            parts.append('<td><details><summary>%d container(s)</summary><ul class="findings">%s</ul></details></td></tr>' % (
                len(shown), ''.join(_finding(r) for r in shown)))
        else:
            reason = group['results'][0]['evidence'] if counts['not_applicable'] == counts['total'] else 'none'
            parts.append('<td><span class="small">%s</span></td></tr>' % _e(reason))
    parts.append('</tbody></table>')
    return parts


def _container_index(host, host_runtime):
    failing = {}
    for result in host_runtime.get('results') or []:
        if result['display'] in ('fail', 'error', 'waived'):
            failing.setdefault(result.get('container_id'), []).append('%s (%s)' % (result['id'], result['display']))
    containers = host_runtime.get('containers') or []
    parts = ['<details class="containers" data-host="%s"><summary>All %d container(s) of %s</summary>' % (
        _e(host), len(containers), _e(host)),
        '<table class="containers"><thead><tr><th>Name</th><th>Id</th><th>Image</th><th>State</th>'
        '<th>Controls not passing</th></tr></thead><tbody>']
    for container in containers:
        parts.append('<tr data-container="%s"><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
            _e(container.get('name')), _e(container.get('name')), _e(container.get('id')), _e(container.get('image')),
            _e(container.get('state')), _e(', '.join(failing.get(container.get('id'), [])) or '-')))
    parts.append('</tbody></table></details>')
    return parts


def _volumes(host, volumes):
    if not volumes:
        return ['<p class="small">Volumes: not inspected.</p>']
    root = volumes.get('root') or {}
    scan = volumes.get('scan') or {}
    parts = ['<p class="volumes-root" data-host="%s">Volumes root <code>%s</code>: %s, uid %s. Scan: %s of at most %s '
             'entries%s.</p>' % (
                 _e(host), _e(root.get('path')), _e(root.get('mode') or 'missing'), _e(root.get('uid')),
                 _e(scan.get('scanned')), _e(scan.get('limit')),
                 ' <b data-truncated="true">(truncated: raise audit_volume_scan_limit)</b>' if scan.get('truncated') else '')]
    listed = volumes.get('volumes') or []
    if not listed:
        return parts + ['<p class="small">No named volumes.</p>']
    parts.append('<table class="volumes" data-host="%s"><thead><tr><th>Volume</th><th>Directory</th><th>_data</th>'
                 '<th>Scanned</th><th>World-writable</th><th>Readable by every host user</th></tr></thead><tbody>' % _e(host))
    for volume in listed:
        result = volume.get('scan') or {}
        samples = (result.get('world_writable_paths') or []) + (result.get('world_readable_paths') or [])
        parts.append('<tr data-volume="%s"><td>%s</td><td>%s</td><td>%s</td><td class="num">%s%s</td>'
                     '<td class="num">%s</td><td class="num">%s</td></tr>' % (
                         _e(volume.get('name')), _e(volume.get('name')) + (
                             '<br><span class="small">%s</span>' % _e(volume['skipped']) if volume.get('skipped') else ''),
                         _e((volume.get('dir') or {}).get('mode')), _e((volume.get('data') or {}).get('mode')),
                         _e(result.get('scanned', '-')), ' (truncated)' if result.get('truncated') else '',
                         _e(result.get('world_writable', '-')), _e(result.get('world_readable', '-'))))
        if samples:
            parts.append('<tr><td></td><td colspan="5"><details><summary>%d path(s)</summary><ul class="findings">%s</ul>'
                         '</details></td></tr>' % (len(samples), ''.join('<li>%s</li>' % _e(p) for p in samples)))
    parts.append('</tbody></table>')
    return parts


def _runtime_section(report):
    runtime = report.get('runtime') or {}
    parts = ['<h2 id="runtime">Containers and volumes</h2>']
    if not runtime:
        return parts + ['<p class="small">No container was audited.</p>']
    parts.append('<p class="small">Per-container controls: how many containers fail each one; open a row for the '
                 'containers and the offending flag or mount.</p>')
    for host in sorted(runtime):
        host_runtime = runtime[host]
        containers = host_runtime.get('containers') or []
        scope = 'containers' if host_runtime.get('include_stopped') else 'running containers'
        parts.append('<section class="runtime-host" data-host="%s"><h3>%s: %d %s</h3>' % (
            _e(host), _e(host), len(containers), scope))
        if not host_runtime.get('available'):
            parts.append('<p class="hosterr">%s</p>' % _e(host_runtime.get('error') or 'containers not inspected'))
        elif not containers:
            parts.append('<p class="small">No %s: the per-container controls are not applicable.</p>' % scope)
        else:
            parts.append(_counts_list(host_runtime['summary'], element_ids=False))
            parts.extend(_runtime_controls(host, host_runtime))
            parts.extend(_container_index(host, host_runtime))
        parts.extend(_volumes(host, host_runtime.get('volumes')))
        parts.append('</section>')
    return parts
