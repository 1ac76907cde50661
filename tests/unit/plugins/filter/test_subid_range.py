# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import itertools

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hardening.docker.plugins.filter.subid_range import (
    FilterModule,
    parse_subid_file,
    subid_range,
)


def ranges_of(text):
    return [(start, count) for _n, _o, start, count in parse_subid_file(text)]


def assert_clear(result, text):
    """The new range overlaps no line of the file."""
    for start, count in ranges_of(text):
        assert result['end'] < start or result['start'] >= start + count, (result, start, count)


def test_registered_name():
    assert FilterModule().filters()['subid_range'] is subid_range


@pytest.mark.parametrize('data', ['', None, [], '\n\n', '# only a comment\n'])
def test_empty_file_gives_the_minimum(data):
    result = subid_range(data, 'dockremap')
    assert result == dict(owner='dockremap', start=100000, count=65536, end=165535, total=65536,
                          present=False, line='dockremap:100000:65536')


def test_existing_range_is_returned_unchanged():
    text = 'alice:100000:65536\ndockremap:300000:1000\n'
    result = subid_range(text, 'dockremap', count=65536)
    assert result['present'] is True
    assert (result['start'], result['count'], result['total']) == (300000, 1000, 1000)
    assert result['line'] == 'dockremap:300000:1000'


def test_lowest_of_several_ranges_and_their_total():
    text = 'dockremap:500000:10\nalice:100000:65536\ndockremap:400000:20\n'
    result = subid_range(text, 'dockremap')
    assert (result['start'], result['count'], result['total'], result['present']) == (400000, 20, 30, True)


def test_owner_by_numeric_id():
    result = subid_range('996:200000:65536\n', 'dockremap', owner_id=996)
    assert result['present'] is True and result['start'] == 200000
    # without the id the numeric line is someone else's and is avoided
    other = subid_range('996:100000:65536\n', 'dockremap')
    assert other['present'] is False and other['start'] == 165536


def test_name_prefix_is_not_the_owner():
    result = subid_range('dockremap2:100000:65536\n', 'dockremap')
    assert result['present'] is False
    assert result['start'] == 165536


def test_exact_fit_in_a_gap():
    text = 'a:100000:65536\nb:231072:65536\n'
    result = subid_range(text, 'dockremap')
    assert (result['start'], result['end']) == (165536, 231071)
    assert_clear(result, text)


def test_gap_too_small_is_skipped():
    text = 'a:100000:65536\nb:231071:65536\n'
    result = subid_range(text, 'dockremap')
    assert result['start'] == 231071 + 65536
    assert_clear(result, text)


def test_ranges_below_minimum_and_overlapping_it():
    text = 'low:1000:500\nstraddle:99000:2000\n'
    result = subid_range(text, 'dockremap')
    assert result['start'] == 101000
    assert_clear(result, text)


def test_unsorted_file_and_nested_ranges():
    text = 'c:400000:10\na:100000:500000\nb:150000:10\n'
    result = subid_range(text, 'dockremap', count=100)
    assert result['start'] == 600000
    assert_clear(result, text)


def test_zero_count_lines_block_nothing():
    result = subid_range('odd:100000:0\n', 'dockremap')
    assert result['start'] == 100000


def test_prefer_is_used_when_free():
    text = 'a:100000:65536\n'
    assert subid_range(text, 'dockremap', prefer=300000)['start'] == 300000


def test_prefer_is_ignored_when_taken_or_outside():
    text = 'a:100000:100000\n'
    assert subid_range(text, 'dockremap', prefer=165536)['start'] == 200000
    assert subid_range('', 'dockremap', prefer=50)['start'] == 100000
    assert subid_range('', 'dockremap', maximum=200000, prefer=190000)['start'] == 100000


def test_maximum_is_the_last_usable_id():
    assert subid_range('', 'dockremap', minimum=100, maximum=199, count=100)['end'] == 199
    with pytest.raises(AnsibleFilterError, match='no room'):
        subid_range('', 'dockremap', minimum=100, maximum=198, count=100)


def test_no_free_range_fails_with_the_reason():
    with pytest.raises(AnsibleFilterError, match='no free range of 65536 ids'):
        subid_range('a:100000:100000\n', 'dockremap', minimum=100000, maximum=200000)


def test_list_of_lines_and_comments():
    result = subid_range(['# header', '  a:100000:65536  ', ''], 'dockremap')
    assert result['start'] == 165536


def test_string_arguments_from_templates():
    result = subid_range('', 'dockremap', count='10', minimum='500', maximum='1000', prefer='700')
    assert (result['start'], result['count']) == (700, 10)


@pytest.mark.parametrize('line', ['a:100000', 'a:x:5', ':1:5', 'a:1:-5', 'a:1:5:6', 'garbage'])
def test_malformed_line_fails_with_its_number(line):
    with pytest.raises(AnsibleFilterError, match=r'line 2 is not "owner:start:count"'):
        subid_range('a:100000:65536\n' + line + '\n', 'dockremap')


@pytest.mark.parametrize('owner', ['', 'a:b', None, 5, 'x\ny'])
def test_bad_owner(owner):
    with pytest.raises(AnsibleFilterError, match='owner must be a user name'):
        subid_range('', owner)


@pytest.mark.parametrize('kwargs, word', [
    (dict(count=0), 'count'),
    (dict(count=True), 'count'),
    (dict(count='many'), 'count'),
    (dict(minimum=0), 'minimum'),
    (dict(maximum=2 ** 32), 'maximum'),
    (dict(owner_id=-1), 'owner_id'),
    (dict(prefer=[1]), 'prefer'),
])
def test_bad_numbers(kwargs, word):
    with pytest.raises(AnsibleFilterError, match=word):
        subid_range('', 'dockremap', **kwargs)


def test_bad_input_type():
    with pytest.raises(AnsibleFilterError, match='text of a subid file'):
        subid_range({'a': 1}, 'dockremap')


def test_result_is_stable_once_appended():
    """Appending the returned line makes the next call find it: the role's second run changes nothing."""
    text = 'a:100000:65536\nb:231072:65536\n'
    first = subid_range(text, 'dockremap')
    again = subid_range(text + first['line'] + '\n', 'dockremap')
    assert again['present'] is True
    assert (again['start'], again['count']) == (first['start'], first['count'])


@pytest.mark.parametrize('layout', list(itertools.permutations([(100000, 5), (100010, 30), (100100, 1), (100041, 50)])))
def test_never_overlaps_whatever_the_order(layout):
    text = ''.join('o%d:%d:%d\n' % (i, start, count) for i, (start, count) in enumerate(layout))
    for count in (1, 5, 10, 11, 60):
        result = subid_range(text, 'dockremap', count=count, minimum=100000, maximum=101000)
        assert_clear(result, text)
        assert result['start'] >= 100000
