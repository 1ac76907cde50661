# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""socket_dropins: the drop-ins of 3.15 and 3.16 and the check of the socket (HD-3), in one call."""

from __future__ import annotations

import grp
import os
import pwd
import socket
import stat

import pytest

from ansible_collections.hardening.docker.plugins.modules import socket_dropins

CONTROLS = [{'id': '3.15', 'title': 'owner'}, {'id': '3.16', 'title': 'mode'}, {'id': 'HD-3', 'title': 'effective'}]

# The text the role's templates wrote before this module: hosts that have it see no change.
OWNER_TEXT = ('# Managed by Ansible (hardening.docker role socket, CIS 3.15).\n'
              '# The Docker API socket belongs to root and the group allowed to use Docker.\n'
              '[Socket]\nSocketUser=root\nSocketGroup=docker\n')
MODE_TEXT = ('# Managed by Ansible (hardening.docker role socket, CIS 3.16).\n'
             '# Only root and the socket group may open the Docker API socket.\n'
             '[Socket]\nSocketMode=0660\n')


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


@pytest.fixture
def host(tmp_path):
    dropins = tmp_path / 'docker.socket.d'
    sock_path = tmp_path / 'docker.sock'
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(sock_path))
    os.chmod(str(sock_path), 0o660)
    me = '%s:%s' % (pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name)
    args = {'controls': CONTROLS, 'enabled': ['3.15', '3.16', 'HD-3'], 'unit_loaded': True, 'dropin_dir': str(dropins),
            'retired_dropins': ['90-old.conf'], 'socket_paths': [str(sock_path), str(tmp_path / 'absent.sock')],
            'expect_mode': '0660', 'expect_owner': me}
    yield {'dir': dropins, 'sock': sock_path, 'args': args}
    server.close()


def by_id(result):
    return dict((r['id'], r) for r in result['results'])


def test_writes_both_dropins_then_changes_nothing(host, run_module):
    result = run_module(socket_dropins.main, host['args'], diff=True)
    assert result['changed']
    assert [r['id'] for r in result['results'] if r['changed']] == ['3.15', '3.16']
    assert (host['dir'] / 'zz-hardening-docker-socket-owner.conf').read_text() == OWNER_TEXT
    assert (host['dir'] / 'zz-hardening-docker-socket-mode.conf').read_text() == MODE_TEXT
    assert mode(host['dir']) == 0o755 and mode(host['dir'] / 'zz-hardening-docker-socket-mode.conf') == 0o644
    assert [d['after'] for d in result['diff']] == [OWNER_TEXT, MODE_TEXT]
    assert by_id(result)['HD-3']['msg'] == 'Docker socket as declared: %s' % host['sock']
    again = run_module(socket_dropins.main, host['args'], diff=True)
    assert not again['changed'] and not any(r['changed'] for r in again['results']) and 'diff' not in again


def test_check_mode_reports_and_changes_nothing(host, run_module):
    result = run_module(socket_dropins.main, host['args'], check=True)
    assert [r['id'] for r in result['results'] if r['changed']] == ['3.15', '3.16']
    assert not host['dir'].exists()


def test_fixes_a_loose_mode_and_removes_the_old_names(host, run_module):
    host['dir'].mkdir(mode=0o777)
    os.chmod(str(host['dir']), 0o777)
    (host['dir'] / 'zz-hardening-docker-socket-mode.conf').write_text(MODE_TEXT)
    os.chmod(str(host['dir'] / 'zz-hardening-docker-socket-mode.conf'), 0o666)
    (host['dir'] / '90-old.conf').write_text('[Socket]\n')
    result = run_module(socket_dropins.main, dict(host['args'], enabled=['3.16']))
    assert [r['id'] for r in result['results']] == ['3.16'] and result['results'][0]['changed']
    assert 'removed %s' % (host['dir'] / '90-old.conf') in result['results'][0]['msg']
    assert mode(host['dir']) == 0o755 and mode(host['dir'] / 'zz-hardening-docker-socket-mode.conf') == 0o644
    assert not (host['dir'] / '90-old.conf').exists()
    assert not (host['dir'] / 'zz-hardening-docker-socket-owner.conf').exists()   # 3.15 not enabled


def test_a_socket_that_differs_is_to_be_recreated(host, run_module):
    os.chmod(str(host['sock']), 0o666)
    result = by_id(run_module(socket_dropins.main, dict(host['args'], enabled=['HD-3'])))
    assert result['HD-3']['changed']
    assert result['HD-3']['msg'] == 'Recreate (restart docker.socket and dockerd): %s is 0666 %s' % (
        host['sock'], host['args']['expect_owner'])
    # With 3.16 switched off, the mode is not HD-3's to check.
    assert not by_id(run_module(socket_dropins.main, dict(host['args'], enabled=['HD-3'], expect_mode='')))['HD-3']['changed']


def test_no_dropin_without_the_socket_unit(host, run_module):
    result = run_module(socket_dropins.main, dict(host['args'], unit_loaded=False))
    assert not result['changed'] and not host['dir'].exists()
    assert 'docker.socket is not loaded on this host' in by_id(result)['3.15']['msg']
