# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib
import json
import os
import stat

from ansible_collections.hardening.docker.plugins.modules import daemon_config, dockerd_facts

INFO = {'ServerVersion': '26.1.5', 'DockerRootDir': '/var/lib/docker', 'LiveRestoreEnabled': False,
        'Swarm': {'LocalNodeState': 'inactive'}, 'SecurityOptions': ['name=seccomp,profile=builtin'],
        'HttpProxy': 'http://user:secret@proxy:3128'}
DOWN = {'ServerErrors': ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock. '
                         'Is the docker daemon running?'], 'ClientInfo': {'Version': '26.1.5'}}


def fake_docker(tmp_path, stdout, stderr='', rc=0):
    """A docker CLI that prints STDOUT and records its arguments."""
    script = tmp_path / 'docker'
    script.write_text('#!/bin/sh\necho "$@" >> %s\nprintf %%s %s\nprintf %%s %s >&2\nexit %d\n' % (
        tmp_path / 'calls', _quote(stdout), _quote(stderr), rc))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def _quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def calls(tmp_path):
    path = tmp_path / 'calls'
    return path.read_text().splitlines() if path.exists() else []


def test_one_call_reads_daemon_json_and_docker_info(tmp_path, run_module):
    config = tmp_path / 'daemon.json'
    config.write_text('{"icc": false, "registry-mirrors": ["https://u:p@mirror"]}\n')
    docker = fake_docker(tmp_path, json.dumps(INFO))
    facts = run_module(dockerd_facts.main, {'path': str(config), 'docker': docker}, check=True)['ansible_facts']
    reading = facts['hardening_docker_dockerd']
    digest = hashlib.sha256(config.read_bytes()).hexdigest()
    assert reading['daemon_json'] == {'path': str(config), 'sha256': digest, 'exists': True, 'duplicate_keys': [],
                                      'config': {'icc': False, 'registry-mirrors': ['https://***@mirror']}}
    assert reading['docker_info_read'] is True
    assert reading['docker_info_error'] == ''
    assert reading['docker_info']['DockerRootDir'] == '/var/lib/docker'
    assert reading['docker_info']['HttpProxy'] == 'http://***@proxy:3128'
    assert facts['hardening_docker_daemon_json'] == {'path': str(config), 'sha256': digest}
    assert calls(tmp_path) == ['info --format {{json .}}']


def test_the_digest_is_the_one_daemon_config_leaves(tmp_path, run_module):
    config = tmp_path / 'daemon.json'
    config.write_text('{"icc": false}\n')
    read = run_module(dockerd_facts.main, {'path': str(config), 'docker_info': False})
    checked = run_module(daemon_config.main, {'path': str(config), 'settings': {}, 'validate': 'never'}, check=True)
    assert read['ansible_facts']['hardening_docker_daemon_json'] == checked['ansible_facts']['hardening_docker_daemon_json']
    assert read['ansible_facts']['hardening_docker_dockerd']['daemon_json']['config'] == checked['config']


def test_a_missing_file_is_an_empty_configuration(tmp_path, run_module):
    path = str(tmp_path / 'daemon.json')
    reading = run_module(dockerd_facts.main, {'path': path, 'docker_info': False})['ansible_facts']
    assert reading['hardening_docker_daemon_json'] == {'path': path, 'sha256': 'absent'}
    assert reading['hardening_docker_dockerd']['daemon_json']['exists'] is False
    assert reading['hardening_docker_dockerd']['daemon_json']['config'] == {}


def test_without_docker_info_dockerd_is_not_asked(tmp_path, run_module):
    config = tmp_path / 'daemon.json'
    config.write_text('{}')
    docker = fake_docker(tmp_path, json.dumps(INFO))
    reading = run_module(dockerd_facts.main, {'path': str(config), 'docker': docker,
                                              'docker_info': False})['ansible_facts']['hardening_docker_dockerd']
    assert calls(tmp_path) == []
    assert reading['docker_info_read'] is False
    assert reading['docker_info'] == {}


def test_a_file_that_is_not_json_is_refused_like_daemon_config_refuses_it(tmp_path, fail_module):
    config = tmp_path / 'daemon.json'
    config.write_text('{"icc": false,\n "log-level": }\n')
    before = config.read_bytes()
    docker = fake_docker(tmp_path, json.dumps(INFO))
    failed = fail_module(dockerd_facts.main, {'path': str(config), 'docker': docker})
    refused = fail_module(daemon_config.main, {'path': str(config), 'settings': {}, 'validate': 'never'})
    assert failed['msg'] == refused['msg']
    assert failed['msg'].startswith('%s is not valid JSON: ' % config)
    assert 'line 2 column' in failed['msg']
    assert 'ansible_facts' not in failed
    assert config.read_bytes() == before


def test_a_json_array_and_a_directory_are_refused_by_name(tmp_path, fail_module):
    config = tmp_path / 'daemon.json'
    config.write_text('["icc"]')
    assert 'must hold a JSON object' in fail_module(dockerd_facts.main, {'path': str(config)})['msg']
    assert 'is a directory' in fail_module(dockerd_facts.main, {'path': str(tmp_path)})['msg']
    config.write_bytes(b'{"a": "\xff"}')
    assert 'is not UTF-8 text (byte 7)' in fail_module(dockerd_facts.main, {'path': str(config)})['msg']


def test_duplicate_keys_are_reported(tmp_path, run_module):
    config = tmp_path / 'daemon.json'
    config.write_text('{"icc": true, "icc": false}')
    result = run_module(dockerd_facts.main, {'path': str(config), 'docker_info': False})
    assert result['ansible_facts']['hardening_docker_dockerd']['daemon_json']['duplicate_keys'] == ['icc']
    assert result['ansible_facts']['hardening_docker_dockerd']['daemon_json']['config'] == {'icc': False}
    assert any('duplicate keys icc' in warning for warning in result['warnings'])


def test_a_daemon_that_does_not_answer_is_reported_not_failed(tmp_path, run_module):
    config = tmp_path / 'daemon.json'
    config.write_text('{}')
    # The CLI exits 0 and prints the client's half with ServerErrors when dockerd is down.
    docker = fake_docker(tmp_path, json.dumps(DOWN))
    reading = run_module(dockerd_facts.main, {'path': str(config), 'docker': docker})['ansible_facts']['hardening_docker_dockerd']
    assert reading['docker_info'] == {}
    assert reading['docker_info_error'] == DOWN['ServerErrors'][0]
    assert reading['daemon_json']['exists'] is True


def test_a_failing_client_says_what_it_printed(tmp_path, run_module):
    config = tmp_path / 'daemon.json'
    config.write_text('{}')
    docker = fake_docker(tmp_path, '', stderr='permission denied while trying to connect', rc=1)
    reading = run_module(dockerd_facts.main, {'path': str(config), 'docker': docker})['ansible_facts']['hardening_docker_dockerd']
    assert reading['docker_info_error'] == 'permission denied while trying to connect'


def test_a_host_without_the_docker_client(tmp_path, run_module, monkeypatch):
    config = tmp_path / 'daemon.json'
    config.write_text('{}')
    monkeypatch.setenv('PATH', str(tmp_path))
    reading = run_module(dockerd_facts.main, {'path': str(config), 'docker': 'no-such-docker-hd'})
    assert reading['ansible_facts']['hardening_docker_dockerd']['docker_info_error'] == \
        'the docker command was not found in PATH'
    assert not os.path.exists(tmp_path / 'calls')
