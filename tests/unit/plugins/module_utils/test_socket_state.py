# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_socket_state: the run's own users, docker.socket's Listen= and the drop-ins' socket settings."""

from __future__ import annotations

import os
import pwd

from ansible_collections.hardening.docker.plugins.module_utils._socket_state import dropin_settings, parse_listen, run_users


def _proc(tmp_path, chain):
    """A fake /proc: CHAIN is [(pid, uid, ppid)]."""
    for pid, uid, ppid in chain:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / 'status').write_text(
            'Name:\tx\nPPid:\t%d\nUid:\t%d\t0\t0\t0\n' % (ppid, uid))
    return str(tmp_path)


def test_run_users_are_the_real_users_of_every_ancestor(tmp_path):
    # the module as root (become) <- su, run by the connection's user <- sshd as root
    name = pwd.getpwuid(os.getuid()).pw_name
    proc = _proc(tmp_path, [(40, 0, 30), (30, os.getuid(), 20), (20, 0, 1)])
    assert run_users(40, proc=proc) == sorted({'root', name})


def test_run_users_skip_uids_without_a_name_and_stop_at_a_missing_process(tmp_path):
    proc = _proc(tmp_path, [(40, 0, 30), (30, 4242424, 20)])   # 20 does not exist
    assert run_users(40, proc=proc) == ['root']


def test_run_users_of_this_process_include_its_user():
    assert pwd.getpwuid(os.getuid()).pw_name in run_users(os.getpid())


def _status(proc, pid, uid, ppid):
    (proc / str(pid)).mkdir(parents=True)
    (proc / str(pid) / 'status').write_text('Name:\tx\nPPid:\t%d\nUid:\t%d\t%d\t%d\t%d\n' % (ppid, uid, uid, uid, uid))


def test_run_users_count_the_process_itself_as_pid_1_but_not_init_above_a_chain(tmp_path):
    me = pwd.getpwuid(os.getuid())
    # A container whose first process runs the module (the unit tests in make matrix-static).
    _status(tmp_path, 1, me.pw_uid, 0)
    assert run_users(1, proc=str(tmp_path)) == [me.pw_name]
    # Walking up from another process stops below init, whoever init runs as.
    init = next(entry for entry in pwd.getpwall() if entry.pw_uid != me.pw_uid)
    other = tmp_path / 'other'
    _status(other, 1, init.pw_uid, 0)
    _status(other, 40, me.pw_uid, 1)
    assert run_users(40, proc=str(other)) == [me.pw_name]


def test_parse_listen_keeps_paths_only():
    out = 'LoadState=loaded\nListen=/run/docker.sock (Stream)\nListen=0.0.0.0:2375 (Stream)\nListen=/run/docker.sock (Stream)\n'
    assert parse_listen(out) == ('loaded', ['/run/docker.sock'])
    assert parse_listen('LoadState=not-found\n') == ('not-found', [])


def test_dropin_settings_in_file_name_order_without_the_excluded(tmp_path):
    etc = tmp_path / 'etc'
    run = tmp_path / 'run'
    (etc / 'docker.socket.d').mkdir(parents=True)
    (run / 'docker.socket.d').mkdir(parents=True)
    (etc / 'docker.socket.d' / 'override.conf').write_text('[Socket]\n  SocketMode = 0666 \nListenStream=/x\n')
    (etc / 'docker.socket.d' / '50-op.conf').write_text('[Socket]\nSocketGroup=root\nSocketUser=root\n')
    (etc / 'docker.socket.d' / 'zz-ours.conf').write_text('[Socket]\nSocketMode=0660\n')
    (etc / 'docker.socket.d' / 'notes.txt').write_text('SocketMode=0777\n')
    (run / 'docker.socket.d' / 'a.conf').write_text('SocketMode=0600\n')
    got = dropin_settings([str(etc), str(run), str(tmp_path / 'none')], 'docker.socket', ['zz-ours.conf'])
    base = str(etc / 'docker.socket.d')
    assert got == [
        dict(path=base + '/50-op.conf', line='2', name='50-op.conf', setting='SocketGroup', value='root'),
        dict(path=base + '/50-op.conf', line='3', name='50-op.conf', setting='SocketUser', value='root'),
        dict(path=base + '/override.conf', line='2', name='override.conf', setting='SocketMode', value='0666'),
        dict(path=str(run / 'docker.socket.d' / 'a.conf'), line='1', name='a.conf', setting='SocketMode', value='0600'),
    ]
