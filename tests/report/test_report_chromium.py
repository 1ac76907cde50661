# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""report.html as a browser renders it: the DOM's counts equal report.json's.

Needs Debian's ``chromium`` package (the Makefile installs it); skipped with a
clear reason when it is absent. Run:
``PYTHONPATH=.cache/collections .venv/bin/pytest tests/report -q``
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
import yaml

from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import evaluate_all, evaluate_with_runtime
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import summarize
from ansible_collections.hardening.docker.plugins.module_utils._report_build import DISPLAY, build_report, render_json
from ansible_collections.hardening.docker.plugins.module_utils._report_html import render_html
from ansible_collections.hardening.docker.plugins.module_utils._report_waivers import normalize_waivers
from ansible_collections.hardening.docker.plugins.modules.audit import runtime_output

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIXTURES = os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'hoststates')
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason='chromium is not installed (apt-get install -y chromium)')


class _DomReader(HTMLParser):
    """Collect the text of id="count-*" elements and every matrix cell's data-status."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.counts = {}
        self.cells = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        ident = attrs.get('id') or ''
        if ident.startswith('count-'):
            self._current = ident[len('count-'):]
            self.counts[self._current] = ''
        if tag == 'td' and 'cell' in (attrs.get('class') or '').split():
            self.cells.append((attrs.get('data-host'), attrs.get('data-control'), attrs.get('data-status'),
                               attrs.get('title') or ''))

    def handle_endtag(self, tag):
        self._current = None

    def handle_data(self, data):
        if self._current:
            self.counts[self._current] += data


def _report():
    with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as handle:
        controls = yaml.safe_load(handle)['controls']
    results = {}
    for name in sorted(f[:-5] for f in os.listdir(FIXTURES) if f.endswith('.json')):
        with open(os.path.join(FIXTURES, name + '.json'), 'r', encoding='utf-8') as handle:
            state = json.load(handle)
        results[name] = {'results': evaluate_all(state, controls), 'collected_at': state['collected_at'],
                         'host': {'os': state['os'].get('pretty_name'), 'engine_version': state['host'].get('engine_version')}}
    waivers = normalize_waivers([{'id': '2.12', 'reason': 'no authorization plugin approved'},
                                 {'id': '5.30', 'reason': 'expired one', 'expires': '2020-01-01'}],
                                datetime.date(2026, 1, 20))
    return build_report(results, waivers)


def _dump_dom(html_path, profile_dir):
    argv = [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--user-data-dir=%s' % profile_dir, '--dump-dom', 'file://%s' % html_path]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '</html>' in proc.stdout or '</body>' in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


def test_rendered_counts_equal_json(tmp_path):
    report = _report()
    (tmp_path / 'report.json').write_text(render_json(report))
    (tmp_path / 'report.html').write_text(render_html(report))
    data = json.loads((tmp_path / 'report.json').read_text())

    dom = _dump_dom(str(tmp_path / 'report.html'), str(tmp_path / 'profile'))
    reader = _DomReader()
    reader.feed(dom)

    for status in DISPLAY:
        assert int(reader.counts[status].strip()) == data['summary'][status], status
    assert int(reader.counts['total'].strip()) == data['summary']['total']

    assert len(reader.cells) == len(data['hosts']) * len(data['controls'])
    for status in DISPLAY:
        assert len([c for c in reader.cells if c[2] == status]) == data['summary'][status], status
    for host, control, status, title in reader.cells:
        cell = data['results'][host][control]
        assert status == cell['display']
        assert cell['evidence'] in title
    waived = [c for c in reader.cells if c[2] == 'waived']
    assert waived and all(t.startswith('waived: ') for _h, _c, _s, t in waived)
    assert not re.search(r'data-status="pass"[^>]*title="waived', dom)


class _RuntimeDom(HTMLParser):
    """Rows of the containers section (data-fail) and the containers listed under them."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.rows = {}
        self.listed = []
        self._row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'tr' and 'runtime-control' in (attrs.get('class') or '').split():
            self._row = (attrs['data-host'], attrs['data-control'])
            self.rows[self._row] = int(attrs['data-fail'])
        elif tag == 'li' and 'data-container' in attrs:
            self.listed.append(self._row + (attrs['data-container'], attrs['data-status']))


def test_rendered_containers_equal_json(tmp_path):
    with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as handle:
        controls = yaml.safe_load(handle)['controls']
    results = {}
    for name in ('debian12', 'debian13'):
        with open(os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'runtime', 'state-%s.json' % name), 'r',
                  encoding='utf-8') as handle:
            state = json.load(handle)
        host_results, per_container = evaluate_with_runtime(state, controls)
        results[name] = {'results': host_results, 'summary': summarize(host_results), 'collected_at': state['collected_at'],
                         'host': {}, 'runtime': runtime_output(state, per_container)}
    data = json.loads(render_json(build_report(results)))
    (tmp_path / 'report.html').write_text(render_html(build_report(results)))
    reader = _RuntimeDom()
    reader.feed(_dump_dom(str(tmp_path / 'report.html'), str(tmp_path / 'profile')))
    for host in ('debian12', 'debian13'):
        runtime = data['runtime'][host]
        for (row_host, cid), fail in reader.rows.items():
            if row_host == host:
                assert fail == len([r for r in runtime['results'] if r['id'] == cid and r['display'] == 'fail'])
        listed = sorted((cid, name) for h, cid, name, status in reader.listed if h == host and status == 'fail')
        assert listed == sorted((r['id'], r['container']) for r in runtime['results'] if r['display'] == 'fail')
