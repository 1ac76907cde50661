# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._ulimits import (
    ULIMIT_NAMES,
    UlimitError,
    normalize_ulimits,
    validate_daemon_ulimits,
)


def entry(name, soft, hard):
    return {name: {'Name': name, 'Soft': soft, 'Hard': hard}}


def test_names_are_dockers():
    assert ULIMIT_NAMES == ('core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice',
                            'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack')


@pytest.mark.parametrize('data, expected', [
    ({'nofile': {'soft': 1024, 'hard': 4096}}, entry('nofile', 1024, 4096)),
    ({'nofile': {'Soft': 1024, 'Hard': 4096, 'Name': 'nofile'}}, entry('nofile', 1024, 4096)),
    ({'nofile': {'soft': 10}}, entry('nofile', 10, 10)),
    ({'nofile': '1024:4096'}, entry('nofile', 1024, 4096)),
    ({'nofile': ' 1024 : 4096 '}, entry('nofile', 1024, 4096)),
    ({'nofile': 2048}, entry('nofile', 2048, 2048)),
    ({'nofile': '2048'}, entry('nofile', 2048, 2048)),
    ({'memlock': 'unlimited'}, entry('memlock', -1, -1)),
    ({'memlock': '-1:-1'}, entry('memlock', -1, -1)),
    ({'core': '0:unlimited'}, entry('core', 0, -1)),
    ('nofile=1024:4096', entry('nofile', 1024, 4096)),
    ('nproc=512', entry('nproc', 512, 512)),
    (['nofile=1024:4096', 'nproc=512'], dict(entry('nofile', 1024, 4096), **entry('nproc', 512, 512))),
    ([], {}),
    ({}, {}),
])
def test_normalize(data, expected):
    assert normalize_ulimits(data) == expected


def test_normalize_keeps_order():
    assert list(normalize_ulimits({'stack': 1, 'core': 0, 'nofile': 5})) == ['stack', 'core', 'nofile']


@pytest.mark.parametrize('data, fragment', [
    ({'as': 1}, "unknown ulimit name 'as'"),
    ('files=1', "unknown ulimit name 'files'"),
    ({'nofile': 'many'}, "got 'many'"),
    ({'nofile': '1:2:3'}, "too many values in '1:2:3'"),
    ({'nofile': 1.5}, 'got float 1.5'),
    ({'nofile': True}, 'got bool True'),
    ({'nofile': None}, 'got NoneType None'),
    ({'nofile': '4096:1024'}, 'soft=4096 hard=1024'),
    ({'nofile': {'soft': 2, 'hard': 1}}, 'soft=2 hard=1'),
    ({'nofile': '-1:1024'}, 'soft=-1 hard=1024'),
    ({'nofile': 'unlimited'}, 'nofile cannot be unlimited'),
    ({'nofile': '1024:-1'}, 'nofile cannot be unlimited'),
    ('nofile=-1', 'nofile cannot be unlimited'),
    ({'nofile': -5}, "got -5"),
    ({'nofile': {'soft': 1, 'limit': 2}}, "unexpected field 'limit'"),
    ({'nofile': {'name': 'nproc', 'soft': 1}}, "does not match"),
    ({'nofile': {}}, 'give soft and/or hard'),
    ('nofile', 'expected name=soft[:hard]'),
    (42, 'got int 42'),
    ([5], 'got int 5'),
    (['nofile=10', 'nofile=20'], 'given twice'),
    ({'nofile': 0}, 'nofile must be at least 3'),
    ({'nofile': {'soft': 2, 'hard': 8192}}, 'nofile must be at least 3'),
    ({'nofile': 2 ** 64}, 'larger than a 64-bit'),
])
def test_normalize_errors(data, fragment):
    with pytest.raises(UlimitError) as exc:
        normalize_ulimits(data)
    assert fragment in str(exc.value)


def test_validate_daemon_form():
    value = dict(entry('nofile', 1024, 4096), **entry('memlock', -1, -1))
    assert validate_daemon_ulimits(value) is value


@pytest.mark.parametrize('value, fragment', [
    ([], 'expected a mapping'),
    ({'nofile': 5}, 'expected {"Name"'),
    ({'nofile': {'Name': 'nofile', 'Soft': 1}}, 'missing Hard'),
    ({'nofile': {'Name': 'nofile', 'Soft': 1, 'Hard': 1, 'X': 1}}, 'unexpected X'),
    ({'nofile': {'Name': 'nofile', 'Soft': 1.0, 'Hard': 1}}, 'Soft must be an integer'),
    ({'nofile': {'Name': 'nofile', 'Soft': 1, 'Hard': False}}, 'Hard must be an integer'),
])
def test_validate_daemon_form_errors(value, fragment):
    with pytest.raises(UlimitError) as exc:
        validate_daemon_ulimits(value)
    assert fragment in str(exc.value)
