# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The running dockerd against its configuration: listeners, command line, docker info, file times."""

from __future__ import annotations

import copy
import os
import time

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _daemon_sync as sync
from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import evaluate
from ansible_collections.hardening.docker.plugins.module_utils._daemon_sync import (
    add_sync_state,
    expected_tcp_endpoints,
    find_dockerd_pid,
    gather_dockerd,
    parse_proc_net_tcp,
    parse_reload_lines,
    parse_tcp_endpoint,
    sync_findings,
)

CONTROL = {'id': 'HD-10', 'title': 'in sync', 'check': {'type': 'daemon_in_sync'}}
STARTED = 1_700_000_000.0
ARGV = ['/usr/sbin/dockerd', '--containerd=/run/containerd/containerd.sock']

# /proc/net/tcp: 127.0.0.1:2375 listening (inode 1001), 0.0.0.0:22 listening (1002),
# an established connection (1003)
PROC_NET_TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 100 0 0 10 0
   2: 0100007F:0947 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0 20 4 30 10 -1
"""
# /proc/net/tcp6: [::]:2376 (inode 2001), [::1]:2375 (2002)
PROC_NET_TCP6 = """  sl  local_address                         remote_address                        st tx_queue rx_queue tr uid inode
   0: 00000000000000000000000000000000:0948 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0
   1: 00000000000000000000000001000000:0947 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0 100 0 0 10 0
"""


def state(hosts=None, listeners=(), argv=None, unit_argv=None, info=None, mtimes=None, reloads=None, **config):
    content = dict(config)
    if hosts is not None:
        content['hosts'] = hosts
    return {
        'units': {
            'docker.service': {'argv': list(unit_argv or ARGV)},
            'docker.socket': {'listen': ['/run/docker.sock']},
        },
        'daemon_json': {'path': '/etc/docker/daemon.json', 'exists': True, 'content': content, 'error': None},
        'docker_info': {'available': True, 'data': dict({'LiveRestoreEnabled': False, 'ExperimentalBuild': False,
                                                         'LoggingDriver': 'json-file', 'Driver': 'overlay2',
                                                         'SecurityOptions': ['name=seccomp,profile=default'],
                                                         'Swarm': {'LocalNodeState': 'inactive'}}, **(info or {}))},
        'dockerd_running': {'pid': 42, 'argv': list(argv or ARGV), 'started_at': STARTED,
                            'tcp_listeners': list(listeners), 'error': None},
        'config_mtimes': dict(mtimes or {'/etc/docker/daemon.json': STARTED - 60}),
        'dockerd_reloads': list(reloads or []),
    }


# ------------------------------------------------------------------ parsing

def test_proc_net_tables_give_listening_sockets_only():
    assert parse_proc_net_tcp(PROC_NET_TCP) == {1001: ('127.0.0.1', 2375), 1002: ('0.0.0.0', 22)}
    assert parse_proc_net_tcp(PROC_NET_TCP6) == {2001: ('::', 2376), 2002: ('::1', 2375)}


@pytest.mark.parametrize('text, tls, expected', [
    ('tcp://0.0.0.0:2376', False, ('0.0.0.0', 2376)),
    ('tcp://127.0.0.1', False, ('127.0.0.1', 2375)),
    ('tcp://127.0.0.1', True, ('127.0.0.1', 2376)),
    (':2375', False, ('', 2375)),
    ('tcp://[::1]:2376', False, ('::1', 2376)),
    ('2376', False, ('', 2376)),
])
def test_tcp_endpoints_parse_as_dockerd_reads_them(text, tls, expected):
    assert parse_tcp_endpoint(text, tls) == expected


def test_socket_activation_serves_the_socket_units_tcp_streams():
    expected = expected_tcp_endpoints({'hosts': ['fd://']}, ['/run/docker.sock', '0.0.0.0:2375'])
    assert list(expected) == [('0.0.0.0', 2375)]


def test_reload_lines_give_their_times():
    out = ('1700000100.250000 host dockerd[42]: time="..." level=info msg="Reloaded configuration: {...}"\n'
           '1700000101.000000 host dockerd[42]: time="..." level=info msg="API listen on /run/docker.sock"\n')
    assert parse_reload_lines(out) == [1700000100.25]


# --------------------------------------------------------------- listeners

def test_unix_only_daemon_without_tcp_socket_is_in_sync():
    assert sync_findings(state()) == []
    assert evaluate(state(), CONTROL)['status'] == 'pass'


def test_stale_plaintext_listener_fails_and_is_named():
    st = state(listeners=['127.0.0.1:2375'])
    findings = sync_findings(st)
    assert len(findings) == 1 and '127.0.0.1:2375' in findings[0] and 'stale' in findings[0]
    result = evaluate(st, CONTROL)
    assert result['status'] == 'fail' and '127.0.0.1:2375' in result['evidence']


def test_configured_tls_listener_on_dual_stack_socket_passes():
    st = state(hosts=['unix:///run/docker.sock', 'tcp://0.0.0.0:2376'], tlsverify=True, listeners=['[::]:2376'])
    assert sync_findings(st) == []


def test_stale_plaintext_next_to_the_configured_tls_listener_fails():
    st = state(hosts=['unix:///run/docker.sock', 'tcp://0.0.0.0:2376'], tlsverify=True,
               listeners=['[::]:2376', '0.0.0.0:2375'])
    assert [f for f in sync_findings(st) if '0.0.0.0:2375' in f]


def test_configured_listener_that_is_not_served_fails():
    st = state(hosts=['unix:///run/docker.sock', 'tcp://127.0.0.1:2376'], tlsverify=True)
    findings = sync_findings(st)
    assert findings and 'tcp://127.0.0.1:2376' in findings[0]


def test_specific_address_must_match():
    st = state(hosts=['tcp://127.0.0.1:2376'], tlsverify=True, listeners=['0.0.0.0:2376'])
    assert any('0.0.0.0:2376' in f for f in sync_findings(st))


def test_swarm_ports_are_not_stale_on_a_swarm_node():
    active = state(listeners=['[::]:2377', '[::]:7946'], info={'Swarm': {'LocalNodeState': 'active'}})
    assert sync_findings(active) == []
    assert sync_findings(state(listeners=['[::]:2377']))


def test_metrics_address_is_a_configured_listener():
    assert sync_findings(state(listeners=['127.0.0.1:9323'], **{'metrics-addr': '127.0.0.1:9323'})) == []


# ------------------------------------------------------------- command line

def test_command_line_that_differs_from_the_unit_fails():
    st = state(argv=ARGV + ['-H', 'tcp://127.0.0.1:2375'], listeners=['127.0.0.1:2375'])
    findings = sync_findings(st)
    assert any('its unit starts' in f for f in findings)
    assert any('127.0.0.1:2375' in f and 'stale' in f for f in findings)


def test_binary_path_alias_is_the_same_command():
    assert sync_findings(state(argv=['dockerd'] + ARGV[1:])) == []


# -------------------------------------------------------------- docker info

def test_docker_info_differing_from_daemon_json_fails():
    st = state(**{'live-restore': True})
    findings = sync_findings(st)
    assert findings == ['live-restore is true in the configuration but docker info reports LiveRestoreEnabled=false']
    assert sync_findings(state(info={'LiveRestoreEnabled': True}, **{'live-restore': True})) == []


def test_userns_remap_not_active_fails():
    assert sync_findings(state(**{'userns-remap': 'default'}))
    assert sync_findings(state(info={'SecurityOptions': ['name=seccomp,profile=default', 'name=userns']},
                               **{'userns-remap': 'default'})) == []


# --------------------------------------------------------------- file times

def test_file_written_after_the_start_fails():
    st = state(mtimes={'/etc/docker/daemon.json': STARTED - 60,
                       '/etc/systemd/system/docker.service.d/hd.conf': STARTED + 300})
    findings = sync_findings(st)
    assert len(findings) == 1 and 'docker.service.d/hd.conf changed' in findings[0]


def test_file_written_just_before_the_restart_passes():
    assert sync_findings(state(mtimes={'/etc/default/docker': STARTED + 0.5})) == []


def test_daemon_json_reloaded_after_its_write_passes():
    written = STARTED + 300
    assert sync_findings(state(mtimes={'/etc/docker/daemon.json': written}, reloads=[written + 1])) == []
    assert sync_findings(state(mtimes={'/etc/docker/daemon.json': written}, reloads=[written - 10]))
    # a reload applies daemon.json only: a drop-in still needs the restart
    assert sync_findings(state(mtimes={'/etc/default/docker': written}, reloads=[written + 1]))


# ------------------------------------------------------------------- errors

def test_daemon_not_running_is_an_error_not_a_pass():
    st = state()
    st['dockerd_running'] = {'pid': None, 'error': 'no dockerd process is running'}
    result = evaluate(st, CONTROL)
    assert result['status'] == 'error' and 'no dockerd' in result['evidence']
    del st['dockerd_running']
    assert evaluate(st, CONTROL)['status'] == 'error'


def test_unreadable_daemon_json_is_an_error():
    st = state()
    st['daemon_json'] = {'path': '/etc/docker/daemon.json', 'exists': True, 'error': 'invalid JSON'}
    assert evaluate(st, CONTROL)['status'] == 'error'


# -------------------------------------------------------- reading the host

def _fake_proc(tmp_path, uptime=1000.0, start_ticks=50000):
    proc = tmp_path / 'proc'
    base = proc / '42'
    (base / 'fd').mkdir(parents=True)
    (base / 'net').mkdir()
    (proc / 'uptime').write_text('%s 1.0\n' % uptime)
    (base / 'comm').write_text('dockerd\n')
    (base / 'status').write_text('Name:\tdockerd\nUid:\t0\t0\t0\t0\n')
    (base / 'cmdline').write_text('\0'.join(ARGV) + '\0')
    (base / 'stat').write_text('42 (dockerd) S ' + ' '.join(['0'] * 18) + ' %d 0 0\n' % start_ticks)
    (base / 'net' / 'tcp').write_text(PROC_NET_TCP)
    (base / 'net' / 'tcp6').write_text(PROC_NET_TCP6)
    os.symlink('socket:[1001]', str(base / 'fd' / '5'))
    os.symlink('socket:[2001]', str(base / 'fd' / '6'))
    os.symlink('/dev/null', str(base / 'fd' / '0'))
    return proc


def test_gather_reads_only_the_daemons_own_listeners(tmp_path):
    proc = _fake_proc(tmp_path)
    data = gather_dockerd(proc=str(proc), pidfile=str(tmp_path / 'none.pid'))
    assert data['error'] is None and data['pid'] == 42 and data['argv'] == ARGV
    # 0.0.0.0:22 and [::1]:2375 belong to other processes
    assert data['tcp_listeners'] == ['127.0.0.1:2375', '[::]:2376']
    ticks = os.sysconf('SC_CLK_TCK')
    assert abs(data['started_at'] - (time.time() - (1000.0 - 50000.0 / ticks))) < 5


def test_gather_without_dockerd_says_so(tmp_path):
    (tmp_path / 'proc').mkdir()
    data = gather_dockerd(proc=str(tmp_path / 'proc'), pidfile=str(tmp_path / 'none.pid'))
    assert data['error'] == 'no dockerd process is running'


def _add_process(proc, pid, comm, uid):
    base = proc / str(pid)
    base.mkdir()
    (base / 'comm').write_text(comm + '\n')
    (base / 'status').write_text('Name:\t%s\nUid:\t%d\t%d\t%d\t%d\n' % (comm, uid, uid, uid, uid))


def test_a_users_rootless_dockerd_is_not_the_system_daemon(tmp_path):
    proc = _fake_proc(tmp_path)
    _add_process(proc, 7, 'dockerd', 1000)   # older, but a user's rootless daemon
    _add_process(proc, 9, 'containerd', 0)
    assert find_dockerd_pid(str(proc), str(tmp_path / 'none.pid')) == 42


def test_the_pid_file_names_the_system_daemon(tmp_path):
    proc = _fake_proc(tmp_path)
    _add_process(proc, 99, 'dockerd', 0)
    pidfile = tmp_path / 'docker.pid'
    pidfile.write_text('99')
    assert find_dockerd_pid(str(proc), str(pidfile)) == 99
    # a stale pid file (the number now belongs to another process) is ignored
    pidfile.write_text('9')
    _add_process(proc, 9, 'bash', 0)
    assert find_dockerd_pid(str(proc), str(pidfile)) == 42


def test_journal_is_read_only_when_daemon_json_is_newer(tmp_path, monkeypatch):
    daemon_json = tmp_path / 'daemon.json'
    daemon_json.write_text('{}')
    calls = []

    def run(argv):
        calls.append(argv)
        return 0, '%f host dockerd[42]: msg="Reloaded configuration"\n' % (os.stat(str(daemon_json)).st_mtime + 1), ''

    for started, expect_calls in ((os.stat(str(daemon_json)).st_mtime + 10, 0), (STARTED - 10 ** 6, 1)):
        monkeypatch.setattr(sync, 'gather_dockerd', lambda pid, started=started: {
            'pid': 42, 'argv': ARGV, 'started_at': started, 'tcp_listeners': [], 'error': None})
        calls[:] = []
        st = copy.deepcopy(state())
        st['daemon_json']['path'] = str(daemon_json)
        add_sync_state(st, run, '/usr/bin/journalctl')
        assert len(calls) == expect_calls
        assert str(daemon_json) in st['config_mtimes']
    assert '_PID=42' in calls[0]
    # the reload after the write counts as applying daemon.json
    assert sync_findings(st) == []
