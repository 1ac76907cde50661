# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hardening.docker.audit_report: files, idempotence, check mode, waivers."""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET

from ansible_collections.hardening.docker.plugins.modules import audit_report

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'module_utils'))
from test_report_helpers import all_results, profiled_result  # noqa: E402  pylint: disable=wrong-import-position


def args(tmp_path, **more):
    base = {'results': all_results(), 'dest': str(tmp_path / 'reports')}
    base.update(more)
    return base


def test_writes_three_files_then_is_idempotent(run_module, tmp_path):
    result = run_module(audit_report.main, args(tmp_path))
    assert result['changed'] is True
    dest = tmp_path / 'reports'
    assert sorted(os.listdir(str(dest))) == ['junit.xml', 'report.html', 'report.json']
    assert result['paths'] == {'json': str(dest / 'report.json'), 'junit': str(dest / 'junit.xml'),
                               'html': str(dest / 'report.html')}
    data = json.loads((dest / 'report.json').read_text())
    assert data['summary'] == result['summary']
    ET.fromstring((dest / 'junit.xml').read_bytes())
    assert 'id="count-fail">%d<' % result['summary']['fail'] in (dest / 'report.html').read_text()
    assert oct(os.stat(str(dest / 'report.json')).st_mode & 0o777) == '0o644'

    again = run_module(audit_report.main, args(tmp_path))
    assert again['changed'] is False and again['changed_files'] == []


def test_check_mode_writes_nothing(run_module, tmp_path):
    result = run_module(audit_report.main, args(tmp_path), check=True)
    assert result['changed'] is True
    assert not (tmp_path / 'reports').exists()


def test_formats_subset_and_change_detection(run_module, tmp_path):
    result = run_module(audit_report.main, args(tmp_path, formats=['junit']))
    assert list(result['paths']) == ['junit']
    assert os.listdir(str(tmp_path / 'reports')) == ['junit.xml']
    results = all_results()
    del results['broken']
    changed = run_module(audit_report.main, args(tmp_path, formats=['junit'], results=results))
    assert changed['changed'] is True and changed['changed_files'] == [str(tmp_path / 'reports' / 'junit.xml')]


def test_waivers_file(run_module, tmp_path):
    waivers = tmp_path / 'waivers.yml'
    waivers.write_text('- id: "2.12"\n  reason: no plugin approved\n'
                       '- id: "5.30"\n  reason: old\n  expires: 2020-01-01\n'
                       '- id: "5.14"\n  reason: by design\n  hosts: [debian13]\n')
    result = run_module(audit_report.main, args(tmp_path, waivers_file=str(waivers)))
    states = dict((w['id'], w['state']) for w in result['waivers'])
    assert states == {'2.12': 'active', '5.30': 'expired', '5.14': 'active'}
    assert result['summary']['waived'] == 4   # 2.12 on three hosts, 5.14 on debian13
    assert result['hosts']['debian13']['summary']['waived'] == 2
    assert result['hosts']['gone']['error']


def test_bad_waivers_and_bad_dest(fail_module, tmp_path):
    waivers = tmp_path / 'waivers.yml'
    waivers.write_text('- id: 2.10\n  reason: float id\n')
    result = fail_module(audit_report.main, args(tmp_path, waivers_file=str(waivers)))
    assert 'must be quoted' in result['msg']
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    result = fail_module(audit_report.main, args(tmp_path, dest=str(blocker)))
    assert 'not a directory' in result['msg']


def test_names_the_benchmark_version_of_the_results(run_module, tmp_path):
    results = {'debian13': profiled_result('debian13', '1.8', 2)}
    result = run_module(audit_report.main, {'results': results, 'dest': str(tmp_path / 'r'), 'benchmark_version': '1.8'})
    assert result['benchmark_version'] == '1.8' and result['profile_level'] == 2
    assert 'CIS Docker Benchmark v1.8.0' in (tmp_path / 'r' / 'report.html').read_text()
    assert json.loads((tmp_path / 'r' / 'report.json').read_text())['benchmark_version'] == '1.8'


def test_refuses_results_of_another_benchmark_version(fail_module, tmp_path):
    results = {'debian13': profiled_result('debian13', '1.6', 1)}
    result = fail_module(audit_report.main, {'results': results, 'dest': str(tmp_path / 'r'), 'benchmark_version': '1.8'})
    assert 'benchmark_version is 1.8 but the results were audited with 1.6' in result['msg']
    assert not (tmp_path / 'r').exists()
