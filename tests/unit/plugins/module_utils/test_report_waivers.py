# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Waivers: parsing, validation, active/expired state, host scoping."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._report_waivers import (
    WaiverError,
    find_waiver,
    load_waivers,
    normalize_waivers,
    parse_waivers_text,
)

TODAY = datetime.date(2026, 1, 20)


def test_parse_list_mapping_and_empty():
    assert parse_waivers_text('') == []
    assert parse_waivers_text('---\n') == []
    assert parse_waivers_text('- {id: "2.2", reason: r}') == [{'id': '2.2', 'reason': 'r'}]
    assert parse_waivers_text('waivers:\n  - {id: "2.2", reason: r}') == [{'id': '2.2', 'reason': 'r'}]
    with pytest.raises(WaiverError):
        parse_waivers_text('id: 2.2')
    with pytest.raises(WaiverError):
        parse_waivers_text('- [unclosed')


def test_states_and_dates():
    waivers = normalize_waivers(parse_waivers_text(
        '- {id: "2.12", reason: no authz plugin}\n'
        '- {id: "5.14", reason: by design, expires: 2026-01-20}\n'
        '- {id: "5.30", reason: old, expires: "2026-01-19"}\n'), TODAY)
    assert [(w['id'], w['state'], w['expires']) for w in waivers] == [
        ('2.12', 'active', None), ('5.14', 'active', '2026-01-20'), ('5.30', 'expired', '2026-01-19')]


@pytest.mark.parametrize('text, fragment', [
    ('- {id: 2.10, reason: r}', 'must be quoted'),
    ('- {reason: r}', 'id is required'),
    ('- {id: "2.2"}', 'reason is required'),
    ('- {id: "2.2", reason: r, expires: soon}', 'YYYY-MM-DD'),
    ('- {id: "2.2", reason: r, hosts: web1}', 'hosts must be a list'),
    ('- {id: "2.2", reason: r, until: 2026-01-01}', 'unknown keys until'),
    ('- just text', 'must be a mapping'),
])
def test_invalid(text, fragment):
    with pytest.raises(WaiverError) as exc:
        normalize_waivers(parse_waivers_text(text), TODAY)
    assert fragment in str(exc.value)


def test_host_scope_and_lookup():
    waivers = normalize_waivers([
        {'id': '2.2', 'reason': 'web only', 'hosts': ['web*']},
        {'id': '2.2', 'reason': 'expired for all', 'expires': '2020-01-01'},
    ], TODAY)
    assert find_waiver(waivers, 'web01', '2.2')['reason'] == 'web only'
    assert find_waiver(waivers, 'db01', '2.2') is None
    assert find_waiver(waivers, 'db01', '2.2', state='expired')['reason'] == 'expired for all'
    assert find_waiver(waivers, 'web01', '2.3') is None


def test_load_file(tmp_path):
    assert load_waivers(None, TODAY) == []
    path = tmp_path / 'waivers.yml'
    path.write_text('- id: "HD-1"\n  reason: certificate renewal scheduled\n  expires: 2026-02-01\n  hosts: [deb13]\n')
    waivers = load_waivers(str(path), TODAY)
    assert waivers[0]['hosts'] == ['deb13'] and waivers[0]['state'] == 'active'
    with pytest.raises(WaiverError) as exc:
        load_waivers(str(tmp_path / 'missing.yml'), TODAY)
    assert 'cannot read' in str(exc.value)
