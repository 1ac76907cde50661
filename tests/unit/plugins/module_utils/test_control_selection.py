# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_control_selection: switches and --tags/--skip-tags decide the controls of one module call."""

from __future__ import annotations

from ansible_collections.hardening.docker.plugins.module_utils._control_selection import (
    rule_tag,
    select_controls,
    switch_name,
)

IDS = ['3.1', '3.2', 'HD-1']
ALL_ON = {'3.1': True, '3.2': True, 'HD-1': True}


def test_names():
    assert rule_tag('3.1') == 'rule_3_1'
    assert rule_tag('HD-1') == 'rule_hd_1'
    assert switch_name('daemon_tls', 'HD-1') == 'daemon_tls_rule_hd_1'


def test_all_by_default_in_order():
    assert select_controls(IDS, ALL_ON) == IDS
    assert select_controls(IDS, ALL_ON, ['all'], []) == IDS


def test_switch_off_drops_a_control():
    assert select_controls(IDS, dict(ALL_ON, **{'3.2': False})) == ['3.1', 'HD-1']
    assert select_controls(IDS, {'3.1': True}) == ['3.1']   # a missing switch is off


def test_rule_tags_narrow_the_run():
    assert select_controls(IDS, ALL_ON, ['rule_3_2']) == ['3.2']
    assert select_controls(IDS, ALL_ON, ['rule_3_2', 'rule_hd_1']) == ['3.2', 'HD-1']
    assert select_controls(IDS, ALL_ON, ['rule_2_2']) == []


def test_skip_tags_leave_a_control_out():
    assert select_controls(IDS, ALL_ON, ['all'], ['rule_3_1']) == ['3.2', 'HD-1']
    assert select_controls(IDS, ALL_ON, ['rule_3_1'], ['rule_3_1']) == []


def test_other_run_tags_select_every_switched_on_control():
    # The task ran because of a tag the role was applied with, not a rule tag.
    assert select_controls(IDS, dict(ALL_ON, **{'3.1': False}), ['files']) == ['3.2', 'HD-1']
    assert select_controls(IDS, ALL_ON, ['tagged']) == IDS
    assert select_controls(IDS, ALL_ON, ['always', 'rule_3_1']) == ['3.1']


CONTROL_TAGS = {'3.1': ('ctl_file_docker_service_owner', 'level1'), '3.17': ('ctl_file_daemon_json_owner', 'level2')}


def test_level_and_uid_tags_narrow_the_run():
    on = {'3.1': True, '3.17': True}
    assert select_controls(['3.1', '3.17'], on, ['level2'], [], CONTROL_TAGS) == ['3.17']
    assert select_controls(['3.1', '3.17'], on, ['ctl_file_docker_service_owner'], [], CONTROL_TAGS) == ['3.1']
    assert select_controls(['3.1', '3.17'], on, ['level1', 'rule_3_17'], [], CONTROL_TAGS) == ['3.1', '3.17']


def test_level_and_uid_tags_skip_a_control():
    on = {'3.1': True, '3.17': True}
    assert select_controls(['3.1', '3.17'], on, ['all'], ['level2'], CONTROL_TAGS) == ['3.1']
    assert select_controls(['3.1', '3.17'], on, ['all'], ['ctl_file_docker_service_owner'], CONTROL_TAGS) == ['3.17']
