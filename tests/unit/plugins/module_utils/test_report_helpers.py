# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers (no tests): audit results of the recorded host states, as the audit module returns them."""

from __future__ import annotations

import json
import os

import yaml

from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import evaluate_all
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import summarize
from ansible_collections.hardening.docker.plugins.module_utils._audit_profile import apply_profile, controls_in_version

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
FIXTURES = os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'hoststates')
HOSTS = ('debian12-stock', 'debian12-hardened', 'debian13', 'broken')


def controls():
    with open(os.path.join(ROOT, 'controls', 'catalog.yml'), 'rb') as handle:
        return yaml.safe_load(handle)['controls']


def audit_result(name, catalog=None):
    with open(os.path.join(FIXTURES, name + '.json'), 'r', encoding='utf-8') as handle:
        state = json.load(handle)
    results = evaluate_all(state, catalog or controls())
    return {
        'changed': False,
        'results': results,
        'summary': summarize(results),
        'collected_at': state['collected_at'],
        'host': {'hostname': state['host'].get('hostname'), 'os': state['os'].get('pretty_name'),
                 'engine_version': state['host'].get('engine_version')},
    }


def all_results(extra_unreachable=True):
    catalog = controls()
    results = dict((name, audit_result(name, catalog)) for name in HOSTS)
    if extra_unreachable:
        results['gone'] = {'unreachable': True, 'msg': 'Failed to connect to the host via ssh', 'changed': False}
    return results


def profiled_result(name, version, level):
    """The audit module's result for a recorded host, in ``version``'s ids and profile ``level``."""
    catalog = controls_in_version(controls(), version)
    raw = audit_result(name, catalog)
    raw['results'] = apply_profile(raw['results'], catalog, version, level)
    raw['summary'] = summarize(raw['results'])
    raw['benchmark_version'] = version
    raw['profile_level'] = level
    return raw
