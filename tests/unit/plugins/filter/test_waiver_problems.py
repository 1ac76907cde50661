# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hardening.docker.plugins.filter.waiver_problems import FilterModule, waiver_problems


def test_registered():
    assert FilterModule().filters()['waiver_problems'] is waiver_problems


@pytest.mark.parametrize('text', [
    '',
    '- {id: "2.2", reason: accepted, expires: 2030-01-31}\n',
    'waivers:\n  - {id: HD-1, reason: lab hosts, hosts: [lab-*]}\n',
])
def test_usable_files(text):
    assert waiver_problems(text) == []


@pytest.mark.parametrize('text, fragment', [
    ('- {id: "2.2", reason: accepted, expires: 2026-02-30}\n', "expires must be a date YYYY-MM-DD, got '2026-02-30'"),
    ('- {id: "2.2", reason: accepted, expires: tomorrow}\n', 'expires must be a date'),
    ('- {id: 2.10, reason: accepted}\n', 'must be quoted'),
    ('- {id: "2.2"}\n', 'reason is required'),
    ('- {id: "2.2", reason: x, until: 2030-01-01}\n', 'unknown keys until'),
    ('id: "2.2"\n', 'must be a list of waivers'),
    ('- [unclosed\n', 'is not valid YAML'),
])
def test_problems_name_the_waiver_and_the_rule(text, fragment):
    problems = waiver_problems(text, 'waivers.yml')
    assert len(problems) == 1 and fragment in problems[0], problems


def test_every_problem_is_listed():
    text = '- {id: "2.2", reason: x, expires: 2026-13-01}\n- {id: "2.3"}\n'
    problems = waiver_problems(text)
    assert len(problems) == 2 and 'waiver 2.2' in problems[0] and 'waiver 2.3' in problems[1]


def test_refuses_what_is_not_text():
    with pytest.raises(AnsibleFilterError, match='got list'):
        waiver_problems(['- {}'])
