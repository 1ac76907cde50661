# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The restart path's snapshot: every file a rollback restores, with its own mode, in one call."""

from __future__ import annotations

import base64
import json
import os

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._audit_gather import Gatherer
from ansible_collections.hardening.docker.plugins.modules import daemon_state


@pytest.fixture
def host(tmp_path, monkeypatch):
    """daemon.json naming TLS files (the key 0400), /etc/default/docker 0640, one drop-in; no dockerd runs."""
    etc = tmp_path / 'etc'
    tls = etc / 'docker' / 'tls'
    tls.mkdir(parents=True)
    for name, mode in (('ca.pem', 0o644), ('server.pem', 0o644), ('server-key.pem', 0o400)):
        (tls / name).write_text('PEM ' + name)
        os.chmod(str(tls / name), mode)
    daemon_json = etc / 'docker' / 'daemon.json'
    daemon_json.write_text(json.dumps({'tlscacert': str(tls / 'ca.pem'), 'tlscert': str(tls / 'server.pem'),
                                       'tlskey': str(tls / 'server-key.pem'), 'tlsverify': True}))
    env = etc / 'default' / 'docker'
    env.parent.mkdir()
    env.write_text('DOCKER_OPTS=""\n')
    os.chmod(str(env), 0o640)
    dropins = etc / 'docker.service.d'
    dropins.mkdir()
    (dropins / 'hd.conf').write_text('[Service]\n')
    (dropins / 'notes.txt').write_text('not a drop-in\n')
    # the test machine may run its own dockerd: this host has none
    monkeypatch.setattr(Gatherer, 'gather_process', staticmethod(lambda: {'pid': None, 'argv': None}))
    return {'daemon_json': str(daemon_json), 'snapshot_files': [str(daemon_json), str(env), str(etc / 'missing')],
            'snapshot_dirs': [str(dropins), str(etc / 'no-such.d')], 'tls': tls, 'env': env}


def test_snapshot_holds_tls_files_environment_and_dropins_with_their_modes(host, run_module):
    args = dict((k, host[k]) for k in ('daemon_json', 'snapshot_files', 'snapshot_dirs'))
    result = run_module(daemon_state.main, args)
    snap = result['snapshot']
    key = str(host['tls'] / 'server-key.pem')
    assert snap[key]['mode'] == '0400'
    assert base64.b64decode(snap[key]['content']) == b'PEM server-key.pem'
    assert snap[str(host['tls'] / 'ca.pem')]['mode'] == '0644'
    assert snap[str(host['env'])]['mode'] == '0640'
    assert sorted(os.path.basename(p) for p in snap) == [
        'ca.pem', 'daemon.json', 'docker', 'hd.conf', 'server-key.pem', 'server.pem']
    assert [os.path.basename(p) for p in result['dropins']] == ['hd.conf']
    # no dockerd: nothing can be stale
    assert result['in_sync'] is True and result['drift'] == [] and result['changed'] is False


def test_snapshot_is_the_same_in_check_mode(host, run_module):
    args = dict((k, host[k]) for k in ('daemon_json', 'snapshot_files', 'snapshot_dirs'))
    assert run_module(daemon_state.main, args, check=True)['snapshot'] == run_module(daemon_state.main, args)['snapshot']
