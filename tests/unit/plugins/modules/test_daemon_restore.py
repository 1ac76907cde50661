# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rollback writes back exactly what daemon_state recorded: bytes, mode, links, and nothing the play added."""

from __future__ import annotations

import os

import pytest

from ansible_collections.hardening.docker.plugins.modules import daemon_restore
from ansible_collections.hardening.docker.plugins.module_utils._config_snapshot import snapshot_file

# JSON text exactly as the operator wrote it: a controller that turned it into
# a mapping and back (ansible-core before 2.19) would change these bytes.
OPERATOR_JSON = b'{\n    "log-level": "warn",\n    "debug":false\n}\n'


@pytest.fixture
def host(tmp_path):
    etc = tmp_path / 'etc'
    (etc / 'docker').mkdir(parents=True)
    real = etc / 'managed' / 'daemon.json'
    real.parent.mkdir()
    real.write_bytes(OPERATOR_JSON)
    os.symlink(str(real), str(etc / 'docker' / 'daemon.json'))
    key = etc / 'docker' / 'key.pem'
    key.write_bytes(b'PRIVATE KEY\n')
    os.chmod(str(key), 0o400)
    dropins = etc / 'docker.service.d'
    dropins.mkdir()
    (dropins / 'operator.conf').write_bytes(b'[Service]\nLimitNOFILE=4096\n')
    files = [str(etc / 'docker' / 'daemon.json'), str(etc / 'default-docker')]
    snapshot = {}
    for path in files + [str(key), str(dropins / 'operator.conf')]:
        entry = snapshot_file(path)
        if entry:
            snapshot[path] = entry
    return dict(etc=etc, real=real, key=key, dropins=dropins,
                args=dict(snapshot=snapshot, files=files, dirs=[str(dropins)]))


def _break_everything(host):
    """What a failed play leaves: rewritten files, a new drop-in, a new environment file."""
    host['real'].write_bytes(b'{"log-level": "warn", "debug": false, "icc": false}')
    os.chmod(str(host['key']), 0o644)
    host['key'].write_bytes(b'OTHER KEY\n')
    (host['dropins'] / 'operator.conf').write_bytes(b'[Service]\n')
    (host['dropins'] / 'zz-hardening.conf').write_bytes(b'[Service]\nExecStart=\n')
    (host['etc'] / 'default-docker').write_bytes(b'DOCKER_OPTS=-H tcp://0.0.0.0:2375\n')


def test_restore_is_byte_exact_keeps_the_link_and_removes_what_the_play_added(host, run_module):
    _break_everything(host)
    result = run_module(daemon_restore.main, host['args'])
    assert result['changed'] is True
    assert host['real'].read_bytes() == OPERATOR_JSON
    assert os.path.islink(str(host['etc'] / 'docker' / 'daemon.json'))
    assert host['key'].read_bytes() == b'PRIVATE KEY\n'
    assert oct(os.stat(str(host['key'])).st_mode & 0o777) == '0o400'
    assert (host['dropins'] / 'operator.conf').read_bytes() == b'[Service]\nLimitNOFILE=4096\n'
    assert not (host['dropins'] / 'zz-hardening.conf').exists()
    assert not (host['etc'] / 'default-docker').exists()
    # what failed is kept to read, under names systemd does not load
    assert len(result['backups']) == 5
    assert all(os.path.exists(b) and not b.endswith('.conf') for b in result['backups'])


def test_restore_of_an_untouched_host_changes_nothing(host, run_module):
    result = run_module(daemon_restore.main, host['args'])
    assert result['changed'] is False and result['restored'] == [] and result['removed'] == []


def test_check_mode_reports_and_writes_nothing(host, run_module):
    _break_everything(host)
    result = run_module(daemon_restore.main, host['args'], check=True)
    assert result['changed'] is True
    assert sorted(os.path.basename(p) for p in result['restored']) == ['daemon.json', 'key.pem', 'operator.conf']
    assert sorted(os.path.basename(p) for p in result['removed']) == ['default-docker', 'zz-hardening.conf']
    assert (host['dropins'] / 'zz-hardening.conf').exists()
    assert host['key'].read_bytes() == b'OTHER KEY\n'


def test_a_snapshot_not_from_daemon_state_is_refused_before_writing(host, fail_module):
    _break_everything(host)
    host['args']['snapshot'] = {str(host['key']): {'content': 'x', 'mode': 'rw'}}
    result = fail_module(daemon_restore.main, host['args'])
    assert 'not one daemon_state returns' in result['msg']
