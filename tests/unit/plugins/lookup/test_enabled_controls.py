# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""lookup('hardening.docker.enabled_controls') reads the role's switches and the run's tags."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleLookupError
from ansible.template import Templar

from ansible_collections.hardening.docker.plugins.lookup.enabled_controls import LookupModule


def lookup(variables, *ids, **kwargs):
    plugin = LookupModule(templar=Templar(loader=None, variables=variables))
    options = {'prefix': kwargs['prefix'], 'areas': kwargs.get('areas', {})}
    # Option parsing needs the plugin loader; the option values are what is tested here.
    plugin.set_options = lambda **_kw: None
    plugin.get_option = options.__getitem__
    return plugin.run(list(ids), variables=variables, **kwargs)


BASE = {'fp_rule_3_1': True, 'fp_rule_3_2': 'yes', 'fp_units_enabled': True, 'ansible_run_tags': ['all'],
        'ansible_skip_tags': []}


def test_switches_and_truthy_strings():
    assert lookup(BASE, '3.1', '3.2', prefix='fp') == ['3.1', '3.2']
    assert lookup(dict(BASE, fp_rule_3_2=False), '3.1', '3.2', prefix='fp') == ['3.1']


def test_area_switch():
    areas = {'3.1': 'fp_units_enabled', '3.2': 'fp_units_enabled'}
    assert lookup(dict(BASE, fp_units_enabled=False), '3.1', '3.2', prefix='fp', areas=areas) == []


def test_tags():
    assert lookup(dict(BASE, ansible_run_tags=['rule_3_2']), '3.1', '3.2', prefix='fp') == ['3.2']
    assert lookup(dict(BASE, ansible_skip_tags=['rule_3_2']), '3.1', '3.2', prefix='fp') == ['3.1']


def test_missing_or_bad_switch_is_an_error_naming_it():
    with pytest.raises(AnsibleLookupError, match='fp_rule_3_3'):
        lookup(BASE, '3.3', prefix='fp')
    with pytest.raises(AnsibleLookupError, match='fp_rule_3_1 must be a boolean'):
        lookup(dict(BASE, fp_rule_3_1='maybe'), '3.1', prefix='fp')


def test_catalog_tags_select_by_uid_and_level():
    # 3.1 is Level 1 and 3.17 Level 2 in controls/catalog.yml.
    variables = dict(BASE, fp_rule_3_17=True)
    assert lookup(dict(variables, ansible_run_tags=['level2']), '3.1', '3.17', prefix='fp') == ['3.17']
    assert lookup(dict(variables, ansible_run_tags=['ctl_file_docker_service_owner']), '3.1', '3.17', prefix='fp') == ['3.1']
    assert lookup(dict(variables, ansible_skip_tags=['level1']), '3.1', '3.17', prefix='fp') == ['3.17']
