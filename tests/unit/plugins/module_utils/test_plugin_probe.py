# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import http.server
import json
import os
import shutil
import socketserver
import tempfile
import threading

import pytest

from ansible_collections.hardening.docker.plugins.module_utils import _plugin_probe


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def _handler(status, body):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get('Content-Length') or 0)
            self.server.requests.append((self.path, self.rfile.read(length)))
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def address_string(self):
            return 'unix'

        def log_message(self, *args):
            pass
    return Handler


@pytest.fixture
def plugin():
    """A plugin on a real unix socket (short path: AF_UNIX limits it to ~107 bytes)."""
    directory = tempfile.mkdtemp(prefix='hdp')
    servers = []

    def serve(status=200, body=None):
        path = os.path.join(directory, 'p%d.sock' % len(servers))
        server = _Server(path, _handler(status, {'Implements': ['authz']} if body is None else body))
        server.requests = []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return path, server

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
    shutil.rmtree(directory)


def test_a_plugin_that_implements_authz_answers(plugin):
    path, server = plugin()
    implements, said = _plugin_probe.activate(path)
    assert implements == ['authz'] and said == 'implements authz'
    assert server.requests == [('/Plugin.Activate', b'{}')]


@pytest.mark.parametrize('status, body, words', [
    (500, b'boom', 'HTTP 500: boom'),
    (200, b'not json', 'the answer is not JSON'),
    (200, {'Implements': 'authz'}, 'no "Implements" list'),
    (200, ['authz'], 'no "Implements" list'),
])
def test_an_answer_dockerd_would_not_take_is_no_answer(plugin, status, body, words):
    path, _server = plugin(status, body)
    implements, said = _plugin_probe.activate(path)
    assert implements is None and words in said


def test_a_missing_socket_is_no_answer():
    implements, said = _plugin_probe.activate('/nonexistent/hd.sock')
    assert implements is None and said.startswith('Request failed: ')


def test_wait_for_asks_every_second_until_the_deadline(monkeypatch):
    answers = iter([(None, 'Request failed: refused'), (['volumedriver'], 'implements volumedriver'),
                    (['authz'], 'implements authz')])
    monkeypatch.setattr(_plugin_probe, 'activate', lambda path, timeout, connection: next(answers))
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    assert _plugin_probe.wait_for('/s', 'authz', 30, sleep=sleep, clock=lambda: now[0]) == (
        True, ['authz'], 'implements authz')
    assert slept == [1, 1]


def test_wait_for_gives_up_with_the_last_answer(monkeypatch):
    monkeypatch.setattr(_plugin_probe, 'activate', lambda path, timeout, connection: (None, 'Request failed: refused'))
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    assert _plugin_probe.wait_for('/s', 'authz', 3, sleep=sleep, clock=lambda: now[0]) == (
        False, None, 'Request failed: refused')
    assert now[0] == 3
