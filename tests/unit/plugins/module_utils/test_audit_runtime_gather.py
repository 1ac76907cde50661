# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runtime gathering: one connection (API) or one inspect (CLI), and the bounded volume scan."""

from __future__ import annotations

import http.server
import json
import os
import socketserver
import threading

import pytest

from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_checks import (
    check_volume_dirs,
    check_volume_files,
)
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_gather import (
    gather_runtime,
    gather_volumes,
    others_can_reach,
    scan_tree,
)

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
with open(os.path.join(ROOT, 'tests', 'unit', 'fixtures', 'runtime', 'inspect-debian13.json'), 'r', encoding='utf-8') as _h:
    INSPECT = json.load(_h)
RUNNING = [c for c in INSPECT if c['State']['Running']]


class _Engine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    connections = 0
    paths = []


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive, as dockerd

    def setup(self):
        http.server.BaseHTTPRequestHandler.setup(self)
        self.server.connections += 1

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.server.paths.append(self.path)
        if self.path.startswith('/containers/json'):
            listed = INSPECT if 'all=1' in self.path else RUNNING
            body = [{'Id': c['Id']} for c in listed]
        elif self.path.startswith('/containers/'):
            cid = self.path.split('/')[2]
            body = [c for c in INSPECT if c['Id'] == cid][0]
        elif self.path == '/volumes':
            body = {'Volumes': [{'Name': 'rt-open', 'Driver': 'local', 'Mountpoint': '/nonexistent/rt-open/_data'}]}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def engine(tmp_path):
    path = str(tmp_path / 'docker.sock')
    server = _Engine(path, _Handler)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, path
    server.shutdown()
    server.server_close()


def _no_cli(argv):
    raise AssertionError('the CLI must not run when the socket answers: %s' % argv)


def test_api_one_connection_no_process(engine, tmp_path):
    server, path = engine
    runtime = gather_runtime([path], _no_cli, '/usr/bin/docker', str(tmp_path))
    assert runtime['available'] and runtime['source'] == 'api' and runtime['error'] is None
    assert sorted(c['name'] for c in runtime['containers']) == sorted(c['Name'].lstrip('/') for c in RUNNING)
    assert 'rt-privileged' not in [c['name'] for c in runtime['containers']]  # created, not running
    # one list, one inspect per container, one volume list: all on ONE keep-alive connection
    assert server.connections == 1
    assert runtime['requests'] == len(RUNNING) + 2 == len(server.paths)
    assert server.paths[0] == '/containers/json?all=0'


def test_api_include_stopped(engine, tmp_path):
    _server, path = engine
    runtime = gather_runtime([path], _no_cli, None, str(tmp_path), include_stopped=True)
    assert 'rt-privileged' in [c['name'] for c in runtime['containers']]
    assert runtime['include_stopped'] is True


def test_cli_fallback_is_one_ps_and_one_inspect(tmp_path):
    calls = []
    ids = [c['Id'] for c in RUNNING]

    def run(argv):
        calls.append(argv)
        if argv[1] == 'ps':
            return 0, '\n'.join(ids) + '\n', ''
        if argv[1] == 'inspect':
            return 0, json.dumps(RUNNING), ''
        if argv[1:3] == ['volume', 'ls']:
            return 0, '', ''
        raise AssertionError(argv)

    runtime = gather_runtime([str(tmp_path / 'no.sock')], run, '/usr/bin/docker', str(tmp_path))
    assert runtime['available'] and runtime['source'] == 'cli'
    assert len(runtime['containers']) == len(RUNNING)
    inspects = [c for c in calls if c[1] == 'inspect']
    assert len(inspects) == 1 and inspects[0][4:] == ids
    assert calls[0] == ['/usr/bin/docker', 'ps', '--quiet', '--no-trunc']


def test_nothing_reachable_is_an_error(tmp_path):
    runtime = gather_runtime([str(tmp_path / 'no.sock')], lambda argv: (1, '', 'Cannot connect to the Docker daemon'),
                             'docker', str(tmp_path))
    assert runtime['available'] is False
    assert 'Cannot connect to the Docker daemon' in runtime['error']


def _volume(root, name, data_mode=0o755, files=None):
    data = root / 'volumes' / name / '_data'
    data.mkdir(parents=True)
    for rel, mode in (files or {}).items():
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('x')
        os.chmod(str(path), mode)
    os.chmod(str(data), data_mode)
    return {'name': name, 'driver': 'local', 'mountpoint': str(data)}


def _state(volumes):
    return {'runtime': {'available': True, 'volumes': volumes}}


def test_world_writable_file_and_directory_found(tmp_path):
    (tmp_path / 'volumes').mkdir()
    os.chmod(str(tmp_path / 'volumes'), 0o701)
    volumes = [_volume(tmp_path, 'open', files={'open-to-all': 0o666, 'sub/private': 0o600}),
               _volume(tmp_path, 'shared', data_mode=0o777),
               {'name': 'nfs', 'driver': 'netshare', 'mountpoint': '/mnt/nfs'}]
    data = gather_volumes(str(tmp_path), volumes, limit=100)
    assert data['root']['mode'] == '0701'
    status, evidence, details = check_volume_files(_state(data), None, {})
    assert status == 'fail' and 'volume open: 1 world-writable' in evidence and 'open-to-all (0666)' in evidence
    assert details['limit'] == 100 and details['truncated'] is False
    status, evidence, _details = check_volume_dirs(_state(data), None, {})
    assert status == 'fail' and 'volume shared' in evidence and '0777 (world-writable)' in evidence
    assert [v for v in data['volumes'] if v['name'] == 'nfs'][0]['skipped'].startswith('driver netshare')


def test_clean_volumes_pass(tmp_path):
    (tmp_path / 'volumes').mkdir()
    os.chmod(str(tmp_path / 'volumes'), 0o701)
    data = gather_volumes(str(tmp_path), [_volume(tmp_path, 'db', data_mode=0o700, files={'pg': 0o600})])
    assert check_volume_dirs(_state(data), None, {})[0] == 'pass'
    status, evidence, _details = check_volume_files(_state(data), None, {})
    assert status == 'pass' and 'scanned 1 of at most 10000 entries' in evidence


def test_listable_volumes_root_fails(tmp_path):
    (tmp_path / 'volumes').mkdir()
    os.chmod(str(tmp_path / 'volumes'), 0o755)
    status, evidence, _details = check_volume_dirs(_state(gather_volumes(str(tmp_path), [])), None, {})
    assert status == 'fail' and 'other users can list or change the volumes' in evidence
    assert check_volume_files(_state(gather_volumes(str(tmp_path), [])), None, {})[:2] == (
        'not_applicable', 'no local named volumes')


def test_scan_bound_is_reported(tmp_path):
    (tmp_path / 'volumes').mkdir()
    os.chmod(str(tmp_path / 'volumes'), 0o701)
    files = dict(('f%02d' % i, 0o600) for i in range(30))
    volumes = [_volume(tmp_path, 'a', files=files), _volume(tmp_path, 'b', files={'late': 0o666})]
    data = gather_volumes(str(tmp_path), volumes, limit=10)
    assert data['scan'] == {'limit': 10, 'scanned': 10, 'truncated': True}
    status, evidence, details = check_volume_files(_state(data), None, {})
    # the world-writable file of volume b lies beyond the bound: not claimed clean
    assert status == 'manual' and 'truncated' in evidence and details['truncated'] is True


def test_world_readable_counts_only_where_other_users_can_reach(tmp_path):
    top = tmp_path / 'tree'
    (top / 'closed').mkdir(parents=True)
    (top / 'closed' / 'secret').write_text('x')
    os.chmod(str(top / 'closed' / 'secret'), 0o644)
    os.chmod(str(top / 'closed'), 0o700)
    result = scan_tree(str(top), 100)
    # pytest's temporary directories are 0700: nothing below them is reachable
    assert result['world_readable'] == 0 and result['scanned'] == 2
    assert others_can_reach('/usr') is True
    assert others_can_reach(str(top)) is False


def test_world_readable_reachable_file(tmp_path, monkeypatch):
    from ansible_collections.hardening.docker.plugins.module_utils import _audit_runtime_gather as gather
    monkeypatch.setattr(gather, 'others_can_reach', lambda path: True)
    top = tmp_path / 'tree'
    (top / 'open').mkdir(parents=True)
    (top / 'closed').mkdir()
    for sub in ('open', 'closed'):
        (top / sub / 'data').write_text('x')
        os.chmod(str(top / sub / 'data'), 0o644)
    os.chmod(str(top / 'closed'), 0o700)
    os.chmod(str(top / 'open'), 0o755)
    result = gather.scan_tree(str(top), 100)
    assert result['world_readable'] == 1
    assert result['world_readable_paths'] == ['%s (0644)' % (top / 'open' / 'data')]


def test_volumes_root_owner_respects_userns_remap():
    root = {'path': '/var/lib/docker/100000.100000/volumes', 'exists': True, 'mode': '0701', 'uid': 100000, 'gid': 100000}
    state = {'runtime': {'available': True, 'volumes': {'root': root, 'volumes': [], 'scan': {}}},
             'docker_info': {'available': True, 'data': {'DockerRootDir': '/var/lib/docker/100000.100000',
                                                         'SecurityOptions': ['name=seccomp,profile=default', 'name=userns']}}}
    status, evidence, details = check_volume_dirs(state, None, {})
    assert status == 'pass' and details['remapped_root_uid'] == 100000
    state['docker_info']['data']['SecurityOptions'] = ['name=seccomp,profile=default']
    status, evidence, _details = check_volume_dirs(state, None, {})
    assert status == 'fail' and 'owned by uid 100000, not root' in evidence
