# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/demo_summary.py: the plain-text end of `make demo`, from two report.json files."""

from __future__ import annotations

import importlib.util
import os
import sys

from ansible_collections.hardening.docker.plugins.module_utils._report_build import build_report, render_json

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'plugins', 'module_utils'))
from test_report_helpers import profiled_result  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))


def load_script():
    spec = importlib.util.spec_from_file_location('demo_summary', os.path.join(ROOT, 'scripts', 'demo_summary.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_summary_names_host_counts_and_report(tmp_path, capsys):
    before = build_report({'hd-demo-debian12': profiled_result('debian12-stock', '1.8', 1)})
    after = build_report({'hd-demo-debian12': profiled_result('debian12-hardened', '1.8', 1)})
    (tmp_path / 'before').mkdir()
    (tmp_path / 'before' / 'report.json').write_text(render_json(before))
    (tmp_path / 'report.json').write_text(render_json(after))
    assert load_script().main(['demo_summary.py', str(tmp_path / 'before'), str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert 'CIS Docker Benchmark v1.8.0, profile Level 1' in out
    assert any(line.startswith('Host hd-demo-debian12: Debian GNU/Linux 12') for line in lines)
    fail_line = [line.split() for line in lines if line.strip().startswith('fail ')][0]
    assert fail_line == ['fail', str(before['summary']['fail']), str(after['summary']['fail'])]
    assert int(fail_line[1]) > int(fail_line[2])
    assert 'Report: %s' % (tmp_path / 'report.html') in lines
    assert max(len(line) for line in lines if not line.startswith('    ')) < 120
