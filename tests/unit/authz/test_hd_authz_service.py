# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The authz plugin as dockerd talks to it: HTTP/1.1 over its unix socket."""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import socket
import threading

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
PLUGIN = os.path.join(ROOT, 'roles', 'authz', 'files', 'hd_authz.py')
FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')

spec = importlib.util.spec_from_file_location('hd_authz_service', PLUGIN)
authz = importlib.util.module_from_spec(spec)
spec.loader.exec_module(authz)


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__('localhost', timeout=5)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


@pytest.fixture
def plugin(tmp_path, capsys):
    """A running plugin on a socket in tmp_path; yields (post, set_mode, log_lines)."""
    policy_file = tmp_path / 'policy.json'
    policy_file.write_text(json.dumps({'mode': 'enforce'}))
    sock = str(tmp_path / 'p.sock')
    server = authz.UnixHTTPServer(sock, str(policy_file))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    conn = UnixConnection(sock)

    def post(path, payload):
        # one connection for every call: dockerd keeps its connection alive too
        conn.request('POST', path, body=json.dumps(payload), headers={'Content-Type': 'application/json'})
        reply = conn.getresponse()
        return reply.status, json.loads(reply.read())

    def set_mode(mode):
        policy_file.write_text(json.dumps({'mode': mode}))
        server.reload()

    def log_lines():
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    yield post, set_mode, log_lines, sock
    conn.close()
    server.shutdown()
    server.server_close()


def fixture(name):
    with open(os.path.join(FIXTURES, 'engine-26', name + '.json'), encoding='utf-8') as handle:
        return json.load(handle)


def test_activate_says_authz(plugin):
    post, _set_mode, _log, sock = plugin
    assert post('/Plugin.Activate', {}) == (200, {'Implements': ['authz']})
    # only root (dockerd) may talk to it
    assert os.stat(sock).st_mode & 0o777 == 0o600


def test_denies_and_logs_one_line_per_decision(plugin):
    post, _set_mode, log, _sock = plugin
    status, reply = post('/AuthZPlugin.AuthZReq', fixture('privileged'))
    assert status == 200 and reply['Allow'] is False
    assert 'HostConfig.Privileged' in reply['Msg']
    assert post('/AuthZPlugin.AuthZReq', fixture('ordinary')) == (200, {'Allow': True})
    lines = [line for line in log() if 'decision' in line]
    assert [(line['decision'], line['mode'], line['method'], line['uri']) for line in lines] == [
        ('deny', 'enforce', 'POST', '/v1.45/containers/create'),
        ('allow', 'enforce', 'POST', '/v1.45/containers/create?name=rec-ordinary'),
    ]
    assert lines[0]['rules'] == ['privileged'] and lines[0]['user'] == ''


def test_audit_mode_allows_and_logs_would_deny_after_reload(plugin):
    post, set_mode, log, _sock = plugin
    set_mode('audit')
    assert post('/AuthZPlugin.AuthZReq', fixture('docker-sock')) == (200, {'Allow': True})
    decisions = [line for line in log() if 'decision' in line]
    assert decisions[-1]['decision'] == 'would_deny' and decisions[-1]['rules'] == ['sensitive_mount']


def test_bad_policy_on_reload_keeps_the_previous_one(plugin, tmp_path):
    post, set_mode, log, _sock = plugin
    set_mode('permissive')
    events = [line.get('event') for line in log()]
    assert 'policy reload failed, previous policy kept' in events
    status, reply = post('/AuthZPlugin.AuthZReq', fixture('privileged'))
    assert status == 200 and reply['Allow'] is False


def test_responses_are_allowed_and_garbage_is_denied(plugin):
    post, _set_mode, _log, _sock = plugin
    assert post('/AuthZPlugin.AuthZRes', fixture('privileged')) == (200, {'Allow': True})
    status, reply = post('/AuthZPlugin.AuthZReq', {'RequestMethod': 'POST', 'RequestUri': '/containers/create',
                                                   'RequestBody': 12})
    assert status == 200 and reply['Allow'] is False
    assert post('/Nope', {})[0] == 404
