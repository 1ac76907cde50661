# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JUnit XML rendering of the report: one testsuite per host, one testcase per host x control.

fail -> <failure>, error -> <error>, manual / not_applicable / waived -> <skipped>
(waived: ``message="waived: <reason>"``), pass -> a bare testcase. A host
without results becomes a testsuite with one erroring ``audit`` testcase.
Containers: one testsuite ``<host> containers`` per host, one testcase per
container x per-container control (classname ``hardening.docker.<host>.<container>``).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET


def _testcase(suite, host, control, cell, classname=None, level_text='not in profile'):
    case = ET.SubElement(suite, 'testcase', {
        'classname': classname or 'hardening.docker.%s' % host,
        'name': '%s %s' % (control['id'], control.get('title') or ''),
        'time': '0',
    })
    display = cell['display']
    evidence = cell.get('evidence') or ''
    if display == 'fail':
        node = ET.SubElement(case, 'failure', {'message': evidence, 'type': 'fail'})
        node.text = json.dumps(cell.get('details') or {}, sort_keys=True, default=str)
    elif display == 'error':
        node = ET.SubElement(case, 'error', {'message': evidence, 'type': 'error'})
        node.text = evidence
    elif display == 'waived':
        ET.SubElement(case, 'skipped', {'message': 'waived: %s' % cell.get('waiver_reason')})
    elif display == 'not_in_profile':
        ET.SubElement(case, 'skipped', {'message': '%s (%s): %s' % (level_text, cell.get('status'), evidence)})
    elif display in ('manual', 'not_applicable'):
        ET.SubElement(case, 'skipped', {'message': '%s: %s' % (display, evidence)})
    out = ET.SubElement(case, 'system-out')
    out.text = evidence
    return display


def render_junit(report):
    name = report.get('title') or 'hardening.docker audit'
    if report.get('benchmark'):
        name = '%s (%s, profile level %s)' % (name, report['benchmark'], report.get('profile_level') or 1)
    level_text = 'not in profile level %s' % (report.get('profile_level') or 1)
    root = ET.Element('testsuites', {'name': name})
    totals = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    order = [c['id'] for c in report['controls']]
    controls = dict((c['id'], c) for c in report['controls'])
    for host in sorted(report['hosts']):
        entry = report['hosts'][host]
        suite = ET.SubElement(root, 'testsuite', {'name': host})
        if entry.get('collected_at'):
            suite.set('timestamp', str(entry['collected_at']).replace('Z', ''))
        counts = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
        if entry.get('error'):
            case = ET.SubElement(suite, 'testcase', {'classname': 'hardening.docker.%s' % host, 'name': 'audit', 'time': '0'})
            node = ET.SubElement(case, 'error', {'message': entry['error'], 'type': 'audit'})
            node.text = entry['error']
            counts['tests'] += 1
            counts['errors'] += 1
        cells = report['results'].get(host) or {}
        for cid in order:
            if cid not in cells:
                continue
            display = _testcase(suite, host, controls[cid], cells[cid], level_text=level_text)
            counts['tests'] += 1
            if display == 'fail':
                counts['failures'] += 1
            elif display == 'error':
                counts['errors'] += 1
            elif display in ('waived', 'manual', 'not_applicable', 'not_in_profile'):
                counts['skipped'] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set('time', '0')
    for host in sorted(report.get('runtime') or {}):
        results = report['runtime'][host].get('results') or []
        if not results:
            continue
        suite = ET.SubElement(root, 'testsuite', {'name': '%s containers' % host})
        counts = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
        for result in results:
            classname = 'hardening.docker.%s.%s' % (host, result.get('container'))
            display = _testcase(suite, host, result, result, classname)
            _count(counts, display)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set('time', '0')
    for key, value in totals.items():
        root.set(key, str(value))
    _indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + '\n'


def _count(counts, display):
    counts['tests'] += 1
    if display == 'fail':
        counts['failures'] += 1
    elif display == 'error':
        counts['errors'] += 1
    elif display in ('waived', 'manual', 'not_applicable'):
        counts['skipped'] += 1


def _indent(elem, level=0):
    pad = '\n' + '  ' * level
    children = list(elem)
    if children:
        if not elem.text or not elem.text.strip():
            elem.text = pad + '  '
        for child in children:
            _indent(child, level + 1)
        last = children[-1]
        if not last.tail or not last.tail.strip():
            last.tail = pad
    if level and (not elem.tail or not elem.tail.strip()):
        elem.tail = pad
