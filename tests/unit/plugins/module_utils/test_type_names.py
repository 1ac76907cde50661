# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._type_names import plain, type_name
from ansible_collections.hardening.docker.plugins.module_utils._ulimits import UlimitError, normalize_ulimits


class _LazyDict(dict):
    """Stands in for ansible-core's lazy template containers."""

    def __repr__(self):
        return '<_LazyDict>'


class _LazyList(list):
    def __repr__(self):
        return '<_LazyList>'


@pytest.mark.parametrize('value, name', [
    (True, 'bool'), (3, 'int'), (1.5, 'float'), ('x', 'str'), (None, 'NoneType'),
    (_LazyDict(a=1), 'dict'), (_LazyList([1]), 'list'), ({}, 'dict'),
])
def test_type_name_says_the_plain_type(value, name):
    assert type_name(value) == name


def test_plain_unwraps_subclasses_only():
    assert repr(plain(_LazyDict(a=1))) == "{'a': 1}"
    assert repr(plain(_LazyList([1]))) == '[1]'
    same = {'a': 1}
    assert plain(same) is same


def test_ulimit_errors_name_the_plain_type_and_data():
    with pytest.raises(UlimitError) as exc:
        normalize_ulimits([_LazyList(['nofile=1'])])
    assert "got list ['nofile=1']" in str(exc.value)
    assert 'Lazy' not in str(exc.value)
