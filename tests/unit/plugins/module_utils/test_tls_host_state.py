# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import re

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _tls_host_state as state
from ansible_collections.hardening.docker.plugins.modules import tls_host_state

SHOW = 'LoadState=loaded\nMainPID=0\n\nMainPID=4242\nLoadState=loaded\n'


def fake_run(out=SHOW, rc=0, err=''):
    calls = []

    def run(argv):
        calls.append(argv)
        return rc, out, err
    run.calls = calls
    return run


def proc(tmp_path, pid, argv):
    (tmp_path / 'proc' / str(pid)).mkdir(parents=True)
    (tmp_path / 'proc' / str(pid) / 'cmdline').write_bytes(b'\0'.join(argv) + b'\0')
    return str(tmp_path)


def test_gather_in_one_systemctl_call(tmp_path):
    cert = tmp_path / 'server-cert.pem'
    cert.write_text('-----BEGIN CERTIFICATE-----\n')
    run = fake_run()
    root = proc(tmp_path, 4242, [b'/usr/bin/dockerd', b'-H', b'fd://', b'--containerd=/run/containerd/containerd.sock'])
    result = state.gather(run, '/bin/systemctl', 'docker.socket', 'docker.service',
                          [str(tmp_path / 'server-key.pem'), str(cert)], [str(cert), str(tmp_path / 'ca.pem')], root=root)
    assert run.calls == [['/bin/systemctl', 'show', '--property=LoadState', '--property=MainPID', '--',
                          'docker.socket', 'docker.service']]
    assert result['socket_load_state'] == 'loaded' and result['main_pid'] == '4242'
    # Split as the role split the slurped cmdline: the empty string after the last NUL stays.
    assert result['cmdline'] == ['/usr/bin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', '']
    assert result['exists'] == {str(tmp_path / 'server-key.pem'): False, str(cert): True}
    assert result['texts'] == {str(cert): '-----BEGIN CERTIFICATE-----\n'}
    assert isinstance(result['crypto_present'], bool)


def test_no_socket_unit_and_stopped_dockerd(tmp_path):
    run = fake_run('LoadState=not-found\nMainPID=0\n\nLoadState=loaded\nMainPID=0\n')
    result = state.gather(run, 'systemctl', 'docker.socket', 'docker.service', [], [], root=str(tmp_path))
    assert result['socket_load_state'] == 'not-found' and result['main_pid'] == '0' and result['cmdline'] == []


@pytest.mark.parametrize('run, message', [
    (fake_run(rc=1, err='Failed to connect to bus'), 'failed (rc 1): Failed to connect to bus'),
    (fake_run('LoadState=loaded\n'), 'gave 1 property blocks, not 2'),
])
def test_systemctl_problems(run, message):
    with pytest.raises(RuntimeError, match=re.escape(message)):
        state.unit_states(run, 'systemctl', 'docker.socket', 'docker.service')


def test_crypto_present(monkeypatch):
    assert state.crypto_present() is True

    def missing(name):
        raise ImportError(name)
    monkeypatch.setattr(state.importlib, 'import_module', missing)
    assert state.crypto_present() is False


def test_module_is_read_only_and_reports_failures(monkeypatch, run_module, fail_module, tmp_path):
    monkeypatch.setattr(tls_host_state.AnsibleModule, 'get_bin_path', lambda self, *a, **k: '/bin/systemctl')
    monkeypatch.setattr(tls_host_state.AnsibleModule, 'run_command',
                        lambda self, argv, **k: (0, 'LoadState=loaded\nMainPID=0\n\nLoadState=loaded\nMainPID=0\n', ''))
    result = run_module(tls_host_state.main, {'exists': [str(tmp_path)]}, check=True)
    assert result['changed'] is False and result['exists'] == {str(tmp_path): True} and result['cmdline'] == []
    monkeypatch.setattr(tls_host_state.AnsibleModule, 'run_command', lambda self, argv, **k: (1, '', 'no bus'))
    assert 'no bus' in fail_module(tls_host_state.main, {})['msg']
