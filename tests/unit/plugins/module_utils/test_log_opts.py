# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._log_opts import (
    LogOptsError,
    normalize_log_opts,
    validate_daemon_log_opts,
)


def test_normalize():
    result = normalize_log_opts({'max-size': '10m', 'max-file': 3, 'compress': True, 'mode': 'non-blocking',
                                 'off': False, 'ratio': 0.5, 'whole': 2.0})
    assert result == {'max-size': '10m', 'max-file': '3', 'compress': 'true', 'mode': 'non-blocking',
                      'off': 'false', 'ratio': '0.5', 'whole': '2'}
    assert list(result) == ['max-size', 'max-file', 'compress', 'mode', 'off', 'ratio', 'whole']


@pytest.mark.parametrize('data, fragment', [
    ({'max-file': None}, "'max-file' has no value"),
    ({'labels': ['a', 'b']}, "'labels' must be a single value"),
    ({'env': {'a': 1}}, "'env' must be a single value"),
    ({'x': float('nan')}, 'not a usable number'),
    ({'': 'x'}, 'non-empty'),
    ({1: 'x'}, 'non-empty strings'),
    (['max-size=1m'], 'expected a mapping'),
    (None, 'expected a mapping'),
])
def test_normalize_errors(data, fragment):
    with pytest.raises(LogOptsError) as exc:
        normalize_log_opts(data)
    assert fragment in str(exc.value)


def test_validate():
    assert validate_daemon_log_opts({'max-size': '10m'}) == {'max-size': '10m'}


def test_validate_names_every_bad_key():
    with pytest.raises(LogOptsError) as exc:
        validate_daemon_log_opts({'max-size': '10m', 'max-file': 3, 'compress': True})
    message = str(exc.value)
    assert 'max-file (int 3)' in message and 'compress (bool True)' in message
    assert 'max-size' not in message.split('not:')[1]
    assert 'docker_log_opts' in message
