# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._env_file import strip_env_host_flags
from ansible_collections.hardening.docker.plugins.module_utils._unit_flags import UnitError, parse_env_file


@pytest.mark.parametrize('line, expected, removed', [
    ('DOCKER_OPTS="-H tcp://0.0.0.0:2375"', 'DOCKER_OPTS=""', ['-H tcp://0.0.0.0:2375']),
    ('DOCKER_OPTS="--dns 8.8.8.8 --host=tcp://0.0.0.0:2375"', 'DOCKER_OPTS="--dns 8.8.8.8"', ['--host=tcp://0.0.0.0:2375']),
    ("DOCKER_OPTS='-H unix:///run/docker.sock --icc=false'", "DOCKER_OPTS='--icc=false'", ['-H unix:///run/docker.sock']),
    ('DOCKER_OPTS=-Htcp://127.0.0.1:2375', 'DOCKER_OPTS=', ['-Htcp://127.0.0.1:2375']),
    ('export DOCKER_OPTS="-H fd:// --label \\"a b\\""', 'export DOCKER_OPTS="--label \\"a b\\""', ['-H fd://']),
    ('  DOCKER_OPTS = "-H tcp://0.0.0.0:2375 -D"', '  DOCKER_OPTS="-D"', ['-H tcp://0.0.0.0:2375']),
])
def test_host_flags_leave_the_variable(line, expected, removed):
    text, gone = strip_env_host_flags('# before\n%s\nOTHER=-H x\n' % line, 'DOCKER_OPTS')
    assert text == '# before\n%s\nOTHER=-H x\n' % expected
    assert gone == removed


def test_what_systemd_reads_afterwards_keeps_the_other_options():
    text, _gone = strip_env_host_flags('DOCKER_OPTS="--label \\"a b\\" -H tcp://0.0.0.0:2375 --dns 1.1.1.1"\n',
                                       'DOCKER_OPTS')
    assert dict(parse_env_file(text))['DOCKER_OPTS'] == '--label "a b" --dns 1.1.1.1'


def test_nothing_to_remove_leaves_the_text_byte_for_byte():
    text = '#DOCKER_OPTS="-H tcp://0.0.0.0:2375"\r\nDOCKER_OPTS="--dns 8.8.8.8"\r\n'
    assert strip_env_host_flags(text, 'DOCKER_OPTS') == (text, [])


def test_every_assignment_is_rewritten():
    text, gone = strip_env_host_flags('DOCKER_OPTS="-H a"\nDOCKER_OPTS="-H b -D"\n', 'DOCKER_OPTS')
    assert text == 'DOCKER_OPTS=""\nDOCKER_OPTS="-D"\n' and gone == ['-H a', '-H b']


def test_a_continued_assignment_is_refused():
    with pytest.raises(UnitError) as exc:
        strip_env_host_flags('DOCKER_OPTS="-H tcp://0.0.0.0:2375 \\\n --dns 8.8.8.8"\n', 'DOCKER_OPTS')
    assert 'several lines' in str(exc.value)
