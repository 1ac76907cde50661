# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the evidence report (one dict, written as report.json) from audit results.

Input: ``{host: <result of hardening.docker.audit>}``. A waived result keeps
its original ``status`` and gets ``display`` = ``waived``; summaries count
``display`` values, so a waived failure is never counted as pass (nor as fail).
"""

from __future__ import annotations

import json

from ansible_collections.hardening.docker.plugins.module_utils._audit_model import sort_key
from ansible_collections.hardening.docker.plugins.module_utils._report_waivers import (
    ACTIVE,
    EXPIRED,
    WAIVABLE,
    find_waiver,
)

REPORT_SCHEMA = 1
WAIVED = 'waived'
# display statuses, worst first; this is also the order of the summaries
# (not_in_profile: a control above the audit's profile level, whatever its status)
NOT_IN_PROFILE = 'not_in_profile'
DISPLAY = ('fail', 'error', 'waived', 'manual', NOT_IN_PROFILE, 'not_applicable', 'pass')
LABELS = {
    'fail': 'Fail', 'error': 'Error', 'waived': 'Waived', 'manual': 'Manual',
    NOT_IN_PROFILE: 'Not in profile', 'not_applicable': 'Not applicable', 'pass': 'Pass',
}
CONTROL_FIELDS = ('id', 'catalog_id', 'uid', 'cis', 'title', 'section', 'level', 'scored', 'profile',
                  'check_type', 'remediation')
BENCHMARK_NAMES = {'1.6': 'CIS Docker Benchmark v1.6.0', '1.7': 'CIS Docker Benchmark v1.7.0',
                   '1.8': 'CIS Docker Benchmark v1.8.0'}


def benchmark_name(version):
    return BENCHMARK_NAMES.get(version, 'CIS Docker Benchmark v%s' % version)


def empty_counts():
    counts = dict((status, 0) for status in DISPLAY)
    counts['total'] = 0
    return counts


def build_report(results_by_host, waivers=None, title='Docker host hardening audit'):
    """Return the report dict. ``waivers`` come from ``_report_waivers.load_waivers``."""
    waivers = waivers or []
    for waiver in waivers:
        waiver['applied_to'] = []
    hosts = {}
    cells = {}
    controls = {}
    summary = empty_counts()
    collected = []
    versions = set()
    levels = set()

    for host in sorted(results_by_host):
        raw = results_by_host[host] or {}
        host_counts = empty_counts()
        entry = {
            'facts': raw.get('host') or {},
            'collected_at': raw.get('collected_at'),
            'summary': host_counts,
            'error': None,
        }
        hosts[host] = entry
        cells[host] = {}
        if raw.get('collected_at'):
            collected.append(raw['collected_at'])
        if not isinstance(raw.get('results'), list):
            reason = raw.get('msg') or ('host unreachable' if raw.get('unreachable') else
                                        'skipped' if raw.get('skipped') else 'no audit results')
            entry['error'] = str(reason)
            continue
        if raw.get('benchmark_version'):
            versions.add(raw['benchmark_version'])
        if raw.get('profile_level'):
            levels.add(raw['profile_level'])
        for result in raw['results']:
            cid = str(result.get('id'))
            if cid not in controls:
                controls[cid] = dict((k, result.get(k)) for k in CONTROL_FIELDS)
            status = result.get('status')
            cell = {
                'status': status,
                'display': status,
                'evidence': result.get('evidence') or '',
                'details': result.get('details') or {},
                'waived': False,
                'waiver_reason': None,
                'waiver_expires': None,
                'expired_waiver': None,
                'in_profile': result.get('in_profile', True),
            }
            if not cell['in_profile']:
                # status kept for the reader; never counted as a failure of this profile
                cell['display'] = NOT_IN_PROFILE
            elif status in WAIVABLE:
                waiver = find_waiver(waivers, host, cid, ACTIVE)
                if waiver:
                    cell.update(display=WAIVED, waived=True, waiver_reason=waiver['reason'],
                                waiver_expires=waiver['expires'])
                    waiver['applied_to'].append(host)
                else:
                    expired = find_waiver(waivers, host, cid, EXPIRED)
                    if expired:
                        cell['expired_waiver'] = {'reason': expired['reason'], 'expires': expired['expires']}
                        expired['applied_to'].append(host)
            cells[host][cid] = cell
            host_counts[cell['display']] = host_counts.get(cell['display'], 0) + 1
            host_counts['total'] += 1
        for key, value in host_counts.items():
            summary[key] += value

    rank = dict((status, index) for index, status in enumerate(DISPLAY))
    ordered = []
    for cid, control in controls.items():
        displays = [cells[h][cid]['display'] for h in cells if cid in cells[h]]
        worst = min(displays, key=lambda d: rank.get(d, 0)) if displays else 'pass'
        counts = empty_counts()
        for display in displays:
            counts[display] += 1
            counts['total'] += 1
        control = dict(control, worst=worst, counts=counts)
        ordered.append(control)
    ordered.sort(key=lambda c: (rank.get(c['worst'], 0), sort_key(c['id'])))

    waiver_list = []
    for waiver in waivers:
        waiver_list.append({
            'id': waiver['id'], 'reason': waiver['reason'], 'expires': waiver['expires'],
            'hosts': waiver['hosts'], 'state': waiver['state'],
            'applied_to': sorted(set(waiver['applied_to'])),
        })

    runtime = build_runtime(results_by_host, cells)

    # One audit run uses one version and level for all hosts; mixed runs say so.
    version = versions.pop() if len(versions) == 1 else ('mixed' if versions else None)
    level = levels.pop() if len(levels) == 1 else ('mixed' if levels else None)
    return {
        'schema': REPORT_SCHEMA,
        'title': title,
        'benchmark_version': version,
        'benchmark': benchmark_name(version) if version and version != 'mixed' else None,
        'profile_level': level,
        'generated_at': max(collected) if collected else None,
        'statuses': list(DISPLAY),
        'summary': summary,
        'hosts': hosts,
        'controls': ordered,
        'results': cells,
        'waivers': waiver_list,
        'runtime': runtime,
    }


def build_runtime(results_by_host, cells):
    """Per host: the audited containers, one entry per container and control, volumes.

    A per-container result shows as waived when the host-level result of its
    control is waived (the waiver names the host and the control).
    """
    runtime = {}
    for host in sorted(results_by_host):
        raw = (results_by_host[host] or {}).get('runtime')
        if not isinstance(raw, dict):
            continue
        counts = empty_counts()
        results = []
        for result in raw.get('results') or []:
            cell = (cells.get(host) or {}).get(str(result.get('id'))) or {}
            display = result.get('status')
            if cell.get('waived') and display in WAIVABLE:
                display = WAIVED
            entry = dict(result, display=display, waiver_reason=cell.get('waiver_reason') if display == WAIVED else None)
            results.append(entry)
            counts[display] = counts.get(display, 0) + 1
            counts['total'] += 1
        runtime[host] = {
            'available': bool(raw.get('available')),
            'error': raw.get('error'),
            'include_stopped': bool(raw.get('include_stopped')),
            'containers': list(raw.get('containers') or []),
            'volumes': raw.get('volumes'),
            'summary': counts,
            'results': results,
        }
    return runtime


def runtime_by_control(host_runtime):
    """{control id: {'title', 'counts', 'results'}} of one host, most failing first."""
    grouped = {}
    for result in host_runtime.get('results') or []:
        entry = grouped.setdefault(result['id'], {'id': result['id'], 'title': result.get('title'),
                                                  'counts': empty_counts(), 'results': []})
        entry['counts'][result['display']] = entry['counts'].get(result['display'], 0) + 1
        entry['counts']['total'] += 1
        entry['results'].append(result)
    return sorted(grouped.values(), key=lambda g: (-g['counts']['fail'], -g['counts']['error'], sort_key(g['id'])))


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=True, default=str) + '\n'
