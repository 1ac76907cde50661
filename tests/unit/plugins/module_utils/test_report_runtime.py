# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The runtime part of the reports: JSON, JUnit (host x container x control) and HTML."""

from __future__ import annotations

import copy
import datetime
import json
import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import yaml

from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import evaluate_with_runtime
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import summarize
from ansible_collections.hardening.docker.plugins.module_utils._report_build import build_report, render_json
from ansible_collections.hardening.docker.plugins.module_utils._report_html import render_html
from ansible_collections.hardening.docker.plugins.module_utils._report_junit import render_junit
from ansible_collections.hardening.docker.plugins.module_utils._report_waivers import normalize_waivers
from ansible_collections.hardening.docker.plugins.modules.audit import runtime_output

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as _handle:
    CONTROLS = yaml.safe_load(_handle)['controls']


def load(name):
    with open(os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'runtime', 'state-%s.json' % name), 'r',
              encoding='utf-8') as handle:
        return json.load(handle)


def audit_result(state):
    """What hardening.docker.audit returns for a state (the module's own runtime_output)."""
    results, per_container = evaluate_with_runtime(state, CONTROLS)
    return {'results': results, 'summary': summarize(results), 'collected_at': state['collected_at'],
            'host': {'os': state['os'].get('pretty_name'), 'engine_version': state['host'].get('engine_version')},
            'runtime': runtime_output(state, per_container)}


def many_containers(state, copies):
    """The recorded containers repeated ``copies`` times under new names and ids."""
    state = copy.deepcopy(state)
    originals = state['runtime']['containers']
    state['runtime']['containers'] = [
        dict(c, name='%s-%03d' % (c['name'], i), id='%03d%s' % (i, c['id'][3:])) for i in range(copies) for c in originals]
    return state


class _Runtime(HTMLParser):
    """data-* of the runtime rows and of every listed container."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.rows = []
        self.findings = []
        self.index = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'tr' and 'runtime-control' in (attrs.get('class') or ''):
            self.rows.append((attrs['data-host'], attrs['data-control'], int(attrs['data-fail'])))
        if tag == 'li' and 'data-container' in attrs:
            self.findings.append((self.rows[-1][0], self.rows[-1][1], attrs['data-container'], attrs['data-status']))
        if tag == 'tr' and 'data-container' in attrs:
            self.index.append(attrs['data-container'])


def report(waivers=None):
    results = {'deb12': audit_result(load('debian12')), 'deb13': audit_result(load('debian13'))}
    return build_report(results, normalize_waivers(waivers or [], datetime.date(2026, 12, 1)))


def test_json_holds_every_container_result():
    data = json.loads(render_json(report()))
    for host in ('deb12', 'deb13'):
        runtime = data['runtime'][host]
        assert runtime['available'] and runtime['include_stopped']
        assert len(runtime['containers']) == 17
        assert runtime['summary']['total'] == len(runtime['results'])
        socket = [r for r in runtime['results'] if r['id'] == '5.32' and r['display'] == 'fail']
        assert sorted(r['container'] for r in socket) == ['rt-rootfs', 'rt-socket']
        assert all(r['container_id'] and r['evidence'] for r in socket)
        assert runtime['volumes']['scan'] == {'limit': 10000, 'scanned': 1, 'truncated': False}


def test_a_host_waiver_shows_its_containers_as_waived_never_pass():
    data = report([{'id': '5.5', 'reason': 'build host runs dind', 'hosts': ['deb12']}])
    waived = [r for r in data['runtime']['deb12']['results'] if r['id'] == '5.5' and r['display'] == 'waived']
    assert [r['container'] for r in waived] == ['rt-privileged'] and waived[0]['status'] == 'fail'
    assert waived[0]['waiver_reason'] == 'build host runs dind'
    assert [r['container'] for r in data['runtime']['deb13']['results'] if r['id'] == '5.5' and r['display'] == 'fail'] == [
        'rt-privileged']


def test_junit_one_case_per_host_container_control():
    data = report([{'id': '5.5', 'reason': 'build host runs dind', 'hosts': ['deb12']}])
    root = ET.fromstring(render_junit(data).encode('utf-8'))
    suites = dict((s.get('name'), s) for s in root.findall('testsuite'))
    assert set(suites) == {'deb12', 'deb13', 'deb12 containers', 'deb13 containers'}
    for host in ('deb12', 'deb13'):
        suite = suites['%s containers' % host]
        counts = data['runtime'][host]['summary']
        assert int(suite.get('tests')) == len(suite.findall('testcase')) == counts['total']
        assert int(suite.get('failures')) == len(suite.findall('testcase/failure')) == counts['fail']
        priv = [c for c in suite.findall('testcase')
                if c.get('classname') == 'hardening.docker.%s.rt-privileged' % host and c.get('name').startswith('5.5 ')]
        assert len(priv) == 1
    assert suites['deb12 containers'].find(
        "testcase[@classname='hardening.docker.deb12.rt-privileged'][@name]/skipped") is not None
    assert int(root.get('tests')) == sum(int(s.get('tests')) for s in suites.values())
    assert int(root.get('failures')) == sum(int(s.get('failures')) for s in suites.values())


def test_html_lists_failing_containers_per_control():
    data = report()
    html = render_html(data)
    parser = _Runtime()
    parser.feed(html)
    for host in ('deb12', 'deb13'):
        rows = dict((cid, fail) for h, cid, fail in parser.rows if h == host)
        results = data['runtime'][host]['results']
        for cid, fail in rows.items():
            assert fail == len([r for r in results if r['id'] == cid and r['display'] == 'fail'])
        listed = set((cid, name) for h, cid, name, status in parser.findings if h == host and status == 'fail')
        assert ('5.32', 'rt-socket') in listed and ('5.5', 'rt-privileged') in listed and ('5.20', 'rt-shared') in listed
        assert not [name for _cid, name in listed if name == 'rt-ordinary']
    assert 'volume' in html and 'open-to-all (0666)' in html
    assert '<script' not in html and 'http://' not in html and 'https://' not in html


def test_html_stays_small_with_hundreds_of_containers():
    big = audit_result(many_containers(load('debian13'), 25))    # 425 containers
    data = build_report({'big': big})
    html = render_html(data)
    parser = _Runtime()
    parser.feed(html)
    ruled = [c for c in CONTROLS if c['check'].get('container_rule')]
    # one row per control, not per container; the containers are in collapsed lists
    assert len(parser.rows) == len(ruled)
    assert len(parser.index) == 425
    assert dict((cid, fail) for _h, cid, fail in parser.rows)['5.5'] == 25
    assert html.count('<details><summary>') >= len([r for r in parser.rows if r[2]])
    assert len(html) < 3 * 1024 * 1024


def test_host_without_containers_says_so():
    state = load('debian12')
    state['runtime']['containers'] = []
    data = build_report({'empty': audit_result(state)})
    assert dict((r['id'], r['display']) for r in [dict(c, id=k) for k, c in data['results']['empty'].items()])['5.5'] == \
        'not_applicable'
    assert data['results']['empty']['5.5']['evidence'] == 'no containers'
    assert 'No containers: the per-container controls are not applicable.' in render_html(data)
