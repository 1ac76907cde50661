# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reports name the benchmark version, use its ids, and never count controls above the profile level."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from ansible_collections.hardening.docker.plugins.module_utils._report_build import build_report, render_json
from ansible_collections.hardening.docker.plugins.module_utils._report_html import render_html
from ansible_collections.hardening.docker.plugins.module_utils._report_junit import render_junit

from test_report_helpers import profiled_result


def report_for(version, level, host='debian12-stock'):
    return build_report({host: profiled_result(host, version, level)})


def test_1_8_report_uses_1_8_ids_and_says_so():
    report = report_for('1.8', 1)
    data = json.loads(render_json(report))
    assert data['benchmark_version'] == '1.8' and data['benchmark'] == 'CIS Docker Benchmark v1.8.0'
    by_id = dict((c['id'], c) for c in data['controls'])
    assert by_id['2.8']['uid'] == 'daemon-tls' and by_id['2.8']['catalog_id'] == '2.7'
    assert by_id['2.7']['uid'] == 'daemon-no-devicemapper'
    html = render_html(report)
    assert '<span id="benchmark">CIS Docker Benchmark v1.8.0</span>' in html
    assert 'v1.6.0' not in html
    assert 'id="control-2.8"' in html
    root = ET.fromstring(render_junit(report))
    assert 'CIS Docker Benchmark v1.8.0' in root.get('name')
    names = [case.get('name') for case in root.iter('testcase')]
    assert any(n.startswith('2.8 Ensure TLS') for n in names)


def test_1_6_report_keeps_todays_ids():
    report = report_for('1.6', 1)
    by_id = dict((c['id'], c) for c in report['controls'])
    assert by_id['2.7']['uid'] == 'daemon-tls'
    assert 'daemon-no-devicemapper' not in [c['uid'] for c in report['controls']]
    assert '<span id="benchmark">CIS Docker Benchmark v1.6.0</span>' in render_html(report)


def test_level_1_report_does_not_count_level_2():
    level1 = report_for('1.8', 1)
    level2 = report_for('1.8', 2)
    logging1 = level1['results']['debian12-stock']['2.14']            # central logging in v1.8
    assert logging1['status'] == 'fail' and logging1['display'] == 'not_in_profile'
    assert level2['results']['debian12-stock']['2.14']['display'] == 'fail'
    assert level1['summary']['fail'] < level2['summary']['fail']
    assert level1['summary']['not_in_profile'] > 0 and level2['summary']['not_in_profile'] == 0
    assert level1['summary']['total'] == level2['summary']['total']
    root = ET.fromstring(render_junit(level1))
    case = [c for c in root.iter('testcase') if c.get('name').startswith('2.14 ')][0]
    assert case.find('failure') is None
    assert case.find('skipped').get('message').startswith('not in profile level 1 (fail)')
    failures = int(root.get('failures'))
    assert failures == level1['summary']['fail']
    assert int(ET.fromstring(render_junit(level2)).get('failures')) == level2['summary']['fail'] > failures
    html = render_html(level1)
    assert 'profile Level 1' in html and 'Not in profile level 1' in html
    assert 'id="count-not_in_profile">%d<' % level1['summary']['not_in_profile'] in html
