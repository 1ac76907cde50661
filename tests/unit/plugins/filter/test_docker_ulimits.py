# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hardening.docker.plugins.filter.docker_ulimits import FilterModule, docker_ulimits


def test_registered():
    assert FilterModule().filters()['docker_ulimits'] is docker_ulimits


@pytest.mark.parametrize('data', [
    {'nofile': {'soft': 1024, 'hard': 4096}},
    {'nofile': '1024:4096'},
    'nofile=1024:4096',
    ['nofile=1024:4096'],
])
def test_forms(data):
    assert docker_ulimits(data) == {'nofile': {'Name': 'nofile', 'Soft': 1024, 'Hard': 4096}}


def test_single_int_is_soft_and_hard():
    assert docker_ulimits({'nofile': 2048}) == {'nofile': {'Name': 'nofile', 'Soft': 2048, 'Hard': 2048}}


@pytest.mark.parametrize('data, fragment', [
    ({'nofiles': 1}, "'nofiles'"),
    ({'nofile': 'lots'}, "'lots'"),
    ('nofile=4096:1024', 'soft=4096 hard=1024'),
    ({'nofile': {'soft': 'x', 'hard': 1}}, "'x'"),
])
def test_errors(data, fragment):
    with pytest.raises(AnsibleFilterError) as exc:
        docker_ulimits(data)
    assert str(exc.value).startswith('docker_ulimits: ')
    assert fragment in str(exc.value)
