# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Report model, JSON shape, JUnit counts and HTML counts from the recorded host states."""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._report_build import (
    DISPLAY,
    build_report,
    render_json,
)
from ansible_collections.hardening.docker.plugins.module_utils._report_html import render_html
from ansible_collections.hardening.docker.plugins.module_utils._report_junit import render_junit
from ansible_collections.hardening.docker.plugins.module_utils._report_waivers import normalize_waivers

from test_report_helpers import HOSTS, all_results, controls

TODAY = datetime.date(2026, 1, 20)
WAIVERS = [
    {'id': '2.12', 'reason': 'No authorization plugin approved <yet> & tracked in SEC-12'},
    {'id': '5.14', 'reason': 'ports bound on all interfaces by design', 'hosts': ['debian12-*'], 'expires': '2027-01-01'},
    {'id': '5.30', 'reason': 'old exception', 'expires': '2025-12-31'},
    {'id': '2.3', 'reason': 'passes anyway'},
]


@pytest.fixture(scope='module')
def report():
    return build_report(all_results(), normalize_waivers([dict(w) for w in WAIVERS], TODAY))


def test_json_shape(report):
    data = json.loads(render_json(report))
    assert set(data) == {'schema', 'title', 'generated_at', 'statuses', 'summary', 'hosts', 'controls', 'results', 'waivers',
                         'runtime',
                         'benchmark_version', 'benchmark', 'profile_level'}
    assert data['statuses'] == list(DISPLAY)
    assert set(data['hosts']) == set(HOSTS) | {'gone'}
    assert data['hosts']['gone']['error'] == 'Failed to connect to the host via ssh'
    assert len(data['controls']) == len(controls())
    cell = data['results']['debian12-stock']['2.2']
    assert set(cell) >= {'status', 'display', 'evidence', 'details', 'waived', 'waiver_reason'}
    assert data['generated_at'] == '2026-01-15T10:00:00Z'


def test_summary_is_sum_of_hosts(report):
    total = dict((s, sum(h['summary'][s] for h in report['hosts'].values())) for s in list(DISPLAY) + ['total'])
    assert total == report['summary']
    assert report['summary']['total'] == len(HOSTS) * len(controls())


def test_waived_is_never_pass(report):
    stock = report['results']['debian12-stock']
    assert stock['2.12']['status'] == 'fail' and stock['2.12']['display'] == 'waived' and stock['2.12']['waived']
    assert stock['5.14']['display'] == 'waived'
    assert report['results']['debian13']['5.14']['display'] == 'fail'          # host-scoped waiver
    assert report['results']['debian13']['5.30']['display'] == 'fail'          # expired waiver does not apply
    assert report['results']['debian13']['5.30']['expired_waiver']['expires'] == '2025-12-31'
    assert stock['2.3']['display'] == 'pass' and not stock['2.3']['waived']    # nothing to waive
    assert report['results']['broken']['2.12']['display'] == 'error'           # errors are not waivable
    waived = [c for h in report['results'].values() for c in h.values() if c['waived']]
    assert waived and all(c['status'] in ('fail', 'manual') for c in waived)
    assert report['summary']['waived'] == len(waived)


def test_waiver_states(report):
    states = dict((w['id'], (w['state'], w['applied_to'])) for w in report['waivers'])
    assert states['2.12'] == ('active', ['debian12-hardened', 'debian12-stock', 'debian13'])
    assert states['5.14'] == ('active', ['debian12-hardened', 'debian12-stock'])
    assert states['5.30'][0] == 'expired'
    assert states['2.3'] == ('active', [])


def test_controls_failing_first(report):
    rank = dict((s, i) for i, s in enumerate(DISPLAY))
    worst = [rank[c['worst']] for c in report['controls']]
    assert worst == sorted(worst)
    assert report['controls'][0]['worst'] == 'fail'


def test_junit_parses_and_counts_match(report):
    root = ET.fromstring(render_junit(report).encode('utf-8'))
    assert root.tag == 'testsuites'
    suites = dict((s.get('name'), s) for s in root.findall('testsuite'))
    assert set(suites) == set(report['hosts'])
    for host, entry in report['hosts'].items():
        suite = suites[host]
        cases = suite.findall('testcase')
        counts = entry['summary']
        host_error = 1 if entry['error'] else 0
        assert int(suite.get('tests')) == len(cases) == counts['total'] + host_error
        assert int(suite.get('failures')) == len(suite.findall('testcase/failure')) == counts['fail']
        assert int(suite.get('errors')) == len(suite.findall('testcase/error')) == counts['error'] + host_error
        skipped = suite.findall('testcase/skipped')
        assert int(suite.get('skipped')) == len(skipped) == counts['waived'] + counts['manual'] + counts['not_applicable']
        waived = [s for s in skipped if s.get('message', '').startswith('waived: ')]
        assert len(waived) == counts['waived']
    assert int(root.get('failures')) == report['summary']['fail']
    stock = suites['debian12-stock']
    case = [c for c in stock.findall('testcase') if c.get('name').startswith('2.12 ')][0]
    assert case.find('skipped').get('message') == 'waived: No authorization plugin approved <yet> & tracked in SEC-12'


def _count(html, ident):
    match = re.search(r'id="%s">(\d+)<' % re.escape(ident), html)
    assert match, ident
    return int(match.group(1))


def test_html_counts_and_cells(report):
    html = render_html(report)
    for status in DISPLAY:
        assert _count(html, 'count-%s' % status) == report['summary'][status]
    assert _count(html, 'count-total') == report['summary']['total']
    cells = re.findall(r'<td class="cell[^"]*" data-host="([^"]+)" data-control="([^"]+)" data-status="([^"]+)"', html)
    assert len(cells) == len(report['hosts']) * len(report['controls'])
    for status in DISPLAY:
        assert len([c for c in cells if c[2] == status]) == report['summary'][status]
    assert '<script' not in html and 'http://' not in html and 'https://' not in html
    assert 'approved &lt;yet&gt; &amp; tracked' in html
    assert html.index('id="control-%s"' % report['controls'][0]['id']) < html.index('id="control-%s"' % report['controls'][-1]['id'])


def test_empty_input():
    report = build_report({})
    assert report['summary']['total'] == 0 and report['generated_at'] is None
    assert 'id="count-total">0<' in render_html(report)
    assert ET.fromstring(render_junit(report).encode('utf-8')).get('tests') == '0'
