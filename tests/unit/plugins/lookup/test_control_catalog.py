# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""lookup('hardening.docker.control_catalog')."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from ansible.errors import AnsibleLookupError

from ansible_collections.hardening.docker.plugins.lookup import control_catalog
from ansible_collections.hardening.docker.plugins.lookup.control_catalog import (
    DEFAULT_CATALOG,
    LookupModule,
    load_catalog,
    select,
)

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def test_default_path_is_the_collection_catalog():
    assert os.path.realpath(DEFAULT_CATALOG) == os.path.realpath(os.path.join(ROOT, 'controls', 'catalog.yml'))


def test_load_and_select():
    controls = load_catalog()
    assert len(controls) > 70
    daemon = select(controls, role='daemon')
    assert [c['id'] for c in daemon] == ['2.2', '2.3', '2.4', '2.5', '2.14', '2.15', '2.16', '2.18', '5.26']
    assert [c['id'] for c in select(controls, ids=['HD-1', '2.2'])] == ['2.2', 'HD-1']
    assert all(c['profile'] == 'hardening' for c in select(controls, profile='hardening'))
    assert all(c['level'] == 1 for c in select(controls, max_level=1))
    with pytest.raises(AnsibleLookupError) as exc:
        select(controls, ids=['9.9'])
    assert 'unknown control ids: 9.9' in str(exc.value)


@pytest.mark.parametrize('text, fragment', [
    ('controls:\n  - {id: "2.2"}\n', "missing 'title'"),
    ('- not a mapping\n', 'must be a mapping with a "controls" list'),
    ('controls: [\n', 'not valid YAML'),
])
def test_bad_catalog_fails_clearly(tmp_path, text, fragment):
    path = tmp_path / 'catalog.yml'
    path.write_text(text)
    with pytest.raises(AnsibleLookupError) as exc:
        load_catalog(str(path))
    assert fragment in str(exc.value)
    with pytest.raises(AnsibleLookupError):
        load_catalog(str(tmp_path / 'missing.yml'))


def test_run_with_options(monkeypatch):
    options = {'role': 'userns', 'ids': None, 'profile': None, 'max_level': None, 'catalog_path': None}
    lookup = LookupModule()
    monkeypatch.setattr(lookup, 'set_options', lambda **kwargs: None)
    monkeypatch.setattr(lookup, 'get_option', lambda name: options[name])
    assert [c['id'] for c in lookup.run([], variables={})] == ['2.9', 'HD-4']
    with pytest.raises(AnsibleLookupError):
        lookup.run(['term'], variables={})


@pytest.mark.skipif(not shutil.which('ansible', path=os.path.dirname(sys.executable)) and
                    not os.path.exists(os.path.join(os.path.dirname(sys.executable), 'ansible')),
                    reason='ansible CLI not installed next to this interpreter')
def test_query_through_ansible(tmp_path):
    """The real plugin loader finds the lookup, parses its options and returns a list."""
    env = dict(os.environ)
    # .../ansible_collections/hardening/docker/plugins/lookup/control_catalog.py -> dir above ansible_collections
    env['ANSIBLE_COLLECTIONS_PATH'] = os.path.abspath(os.path.join(os.path.dirname(control_catalog.__file__), *['..'] * 5))
    env['ANSIBLE_LOCAL_TEMP'] = str(tmp_path)
    env['ANSIBLE_HOME'] = str(tmp_path)
    expr = "{{ query('hardening.docker.control_catalog', role='daemon_tls') | map(attribute='id') | list }}"
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-c', 'local', '-m', 'debug',
         '-a', 'msg=%s' % expr],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"2.7"' in proc.stdout and '"HD-1"' in proc.stdout and '"HD-2"' in proc.stdout


def test_module_has_docs():
    assert 'control_catalog' in control_catalog.DOCUMENTATION
