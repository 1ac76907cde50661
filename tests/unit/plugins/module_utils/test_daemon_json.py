# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._daemon_json import (
    MAX_DEPTH,
    DaemonJsonError,
    json_equal,
    nesting_depth,
    merge,
    overrides,
    parse_daemon_json,
    redact,
    render,
)


def test_parse_keeps_order():
    config, dups = parse_daemon_json('{"z": 1, "a": {"y": 1, "b": 2}, "m": []}')
    assert list(config) == ['z', 'a', 'm']
    assert list(config['a']) == ['y', 'b']
    assert dups == []


@pytest.mark.parametrize('text', ['', '   \n', '\ufeff'])
def test_parse_empty(text):
    assert parse_daemon_json(text) == ({}, [])


def test_parse_bom():
    assert parse_daemon_json('\ufeff{"icc": false}')[0] == {'icc': False}


def test_parse_duplicates_top_level_only():
    config, dups = parse_daemon_json('{"a": 1, "n": {"x": 1, "x": 2}, "a": 2}')
    assert config == {'a': 2, 'n': {'x': 2}}
    assert dups == ['a']


@pytest.mark.parametrize('text, fragment', [
    # Python 3.13 points at the comma (column 8), older ones after it (column 9)
    ('{"a": 1,}', 'line 1 column '),
    ('{\n"a": tru\n}', 'line 2 column 6'),
    ('{"a": 1} trailing', 'Extra data'),
    ('[1, 2]', 'found an array'),
    ('"text"', 'found a string'),
    ('3', 'found a number'),
])
def test_parse_errors_name_path_and_position(text, fragment):
    with pytest.raises(DaemonJsonError) as exc:
        parse_daemon_json(text, '/etc/docker/daemon.json')
    assert '/etc/docker/daemon.json' in str(exc.value)
    assert fragment in str(exc.value)
    assert 'untouched' in str(exc.value)


@pytest.mark.parametrize('left, right, equal', [
    (True, True, True),
    (True, 1, False),
    (0, False, False),
    (1, 1.0, True),
    ('1', 1, False),
    (None, None, True),
    (None, False, False),
    ({'a': 1, 'b': 2}, {'b': 2, 'a': 1}, True),
    ({'a': 1}, {'a': 1, 'b': 2}, False),
    ([1, 2], [2, 1], False),
    ([{'a': True}], [{'a': True}], True),
    ([{'a': True}], [{'a': 1}], False),
])
def test_json_equal(left, right, equal):
    assert json_equal(left, right) is equal


def test_merge_order_and_classification():
    current = {'b': 1, 'a': 2, 'c': 3, 'gone': 0}
    result = merge(current, {'a': 5, 'c': 3, 'd': 4, 'e': 5}, ['gone', 'missing'])
    assert list(result.config) == ['b', 'a', 'c', 'd', 'e']
    assert result.config == {'b': 1, 'a': 5, 'c': 3, 'd': 4, 'e': 5}
    assert result.added == ['d', 'e']
    assert result.modified == ['a']
    assert result.removed == ['gone']
    assert result.changed_keys == ['a', 'd', 'e', 'gone']
    assert result.changed
    assert current == {'b': 1, 'a': 2, 'c': 3, 'gone': 0}


def test_merge_same_value_is_not_a_change():
    current = {'log-opts': {'max-size': '10m', 'max-file': '3'}}
    result = merge(current, {'log-opts': {'max-file': '3', 'max-size': '10m'}})
    assert not result.changed
    # the existing value (and its key order) is kept
    assert list(result.config['log-opts']) == ['max-size', 'max-file']


def test_merge_overlap_refused():
    with pytest.raises(ValueError):
        merge({}, {'a': 1}, ['a'])


def test_render():
    assert render({'icc': False, 'labels': ['a=b']}) == '{\n  "icc": false,\n  "labels": [\n    "a=b"\n  ]\n}\n'
    assert render({}) == '{}\n'
    assert render({'x': 'é'}) == '{\n  "x": "é"\n}\n'


def test_overrides_name_replaced_and_removed_operator_values():
    current = {'icc': True, 'max-concurrent-downloads': 5, 'insecure-registries': ['r:5000'],
               'proxies': {'http-proxy': 'http://bob:s3cret@proxy:3128'}}
    wanted = {'icc': False, 'max-concurrent-downloads': 5, 'proxies': {'http-proxy': 'http://alice:pw@proxy:3128'}}
    result = merge(current, wanted, ['insecure-registries'])
    found = overrides(current, result, '/etc/docker/daemon.json')
    assert [o['setting'] for o in found] == ['icc', 'insecure-registries', 'proxies']
    assert found[0] == {'source': '/etc/docker/daemon.json', 'setting': 'icc', 'was': True, 'now': False}
    assert found[1]['now'] == '(removed)'
    assert 's3cret' not in repr(found) and 'pw@' not in repr(found)
    assert found[2]['was'] == {'http-proxy': 'http://***@proxy:3128'}


def test_an_added_key_is_not_an_override():
    result = merge({}, {'icc': False})
    assert overrides({}, result, 'daemon.json') == []


@pytest.mark.parametrize('text, deepest', [
    ('{}', 1),
    ('{"a": {"b": [1, {"c": 2}]}}', 4),
    ('{"a": "[[[[{{{{"}', 1),
    ('{"a": "\\"[[["}', 1),
])
def test_nesting_depth_ignores_brackets_in_strings(text, deepest):
    assert nesting_depth(text) == deepest


@pytest.mark.parametrize('levels', [MAX_DEPTH + 1, 5000])
def test_parse_refuses_a_file_nested_too_deep(levels):
    text = '{"a": ' + '[' * (levels - 1) + ']' * (levels - 1) + '}'
    with pytest.raises(DaemonJsonError, match='/etc/docker/daemon.json is nested %d levels deep' % levels):
        parse_daemon_json(text, '/etc/docker/daemon.json')


def test_parse_accepts_the_deepest_allowed_file():
    text = '{"a": ' + '[' * (MAX_DEPTH - 1) + ']' * (MAX_DEPTH - 1) + '}'
    assert nesting_depth(text) == MAX_DEPTH
    assert list(parse_daemon_json(text)[0]) == ['a']


@pytest.mark.parametrize('text, expected', [
    ('http://user:secret@proxy:3128', 'http://***@proxy:3128'),
    # an unencoded "@" in the password: all of it goes, up to the host
    ('http://user:p@ss@proxy:3128/x', 'http://***@proxy:3128/x'),
    ('  "https-proxy": "https://u:secret@proxy.example:3129",', '  "https-proxy": "https://***@proxy.example:3129",'),
    ('HTTP_PROXY="http://u:secret@p:3128" NO_PROXY=a@b', 'HTTP_PROXY="http://***@p:3128" NO_PROXY=a@b'),
    ("export https_proxy='https://u:secret@p'", "export https_proxy='https://***@p'"),
    # no credentials: unchanged, and an "@" in a path is no user part
    ('http://proxy:3128/a@b', 'http://proxy:3128/a@b'),
    ('["https://mirror.example", "https://u:secret@m2"]', '["https://mirror.example", "https://***@m2"]'),
])
def test_redact_takes_the_user_part_of_every_url(text, expected):
    assert redact(text) == expected


def test_redact_walks_lists_and_dicts():
    value = {'proxies': {'http-proxy': 'http://u:secret@p:3128', 'no-proxy': 'localhost'}, 'debug': True}
    assert redact(value) == {'proxies': {'http-proxy': 'http://***@p:3128', 'no-proxy': 'localhost'}, 'debug': True}
    assert redact(['ftp://u:secret@h']) == ['ftp://***@h']
