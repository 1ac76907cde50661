# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hardening.docker.plugins.filter.docker_log_opts import FilterModule, docker_log_opts


def test_registered():
    assert FilterModule().filters()['docker_log_opts'] is docker_log_opts


def test_stringifies():
    assert docker_log_opts({'max-size': '10m', 'max-file': 3, 'compress': True, 'x': False}) == {
        'max-size': '10m', 'max-file': '3', 'compress': 'true', 'x': 'false'}


@pytest.mark.parametrize('data, fragment', [
    ({'max-file': None}, "'max-file'"),
    ({'labels': ['a']}, "'labels'"),
    ({'env': {'a': 'b'}}, "'env'"),
    ('max-size=10m', 'expected a mapping'),
])
def test_errors(data, fragment):
    with pytest.raises(AnsibleFilterError) as exc:
        docker_log_opts(data)
    assert str(exc.value).startswith('docker_log_opts: ')
    assert fragment in str(exc.value)
