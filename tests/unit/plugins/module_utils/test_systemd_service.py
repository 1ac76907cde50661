# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._systemd_service import parse_show, plan

RUNNING = dict(ActiveState='active', UnitFileState='enabled', LoadState='loaded')
NEW = dict(ActiveState='inactive', UnitFileState='', LoadState='not-found')


def test_parse_show():
    assert parse_show('ActiveState=active\nUnitFileState=enabled\nLoadState=loaded\n') == RUNNING


@pytest.mark.parametrize('state, unit_file, restart, reload_, actions', [
    (RUNNING, False, False, False, []),
    (NEW, True, True, True, ['daemon-reload', 'enable', 'start']),
    (RUNNING, True, False, False, ['daemon-reload', 'restart']),
    (RUNNING, False, True, True, ['restart']),
    (RUNNING, False, False, True, ['reload']),
    (dict(RUNNING, ActiveState='activating'), False, False, False, []),
    (dict(RUNNING, UnitFileState='disabled'), False, False, False, ['enable']),
    # A stopped service is started: it reads its new files as it starts.
    (dict(RUNNING, ActiveState='failed'), False, True, True, ['start']),
])
def test_plan(state, unit_file, restart, reload_, actions):
    assert plan(state, unit_file, restart, reload_) == actions
