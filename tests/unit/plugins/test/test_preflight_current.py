# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.hardening.docker.plugins.test.preflight_current import preflight_current

SEEN = {'path': '/etc/docker/daemon.json', 'sha256': 'a' * 64}
RECORD = {'roles': ['socket', 'daemon'], 'daemon_json': SEEN}


def test_a_role_the_preflight_read_reuses_it_while_daemon_json_is_unchanged():
    assert preflight_current('socket', RECORD, {'hardening_docker_daemon_json': dict(SEEN)})


def test_a_changed_daemon_json_means_reading_again():
    changed = dict(SEEN, sha256='b' * 64)
    assert not preflight_current('socket', RECORD, {'hardening_docker_daemon_json': changed})


def test_another_path_means_reading_again():
    other = dict(SEEN, path='/srv/daemon.json')
    assert not preflight_current('socket', RECORD, {'hardening_docker_daemon_json': other})


def test_a_role_the_preflight_did_not_read_reads_itself():
    assert not preflight_current('userns', RECORD, {'hardening_docker_daemon_json': dict(SEEN)})


def test_a_role_run_on_its_own_reads_the_host():
    assert not preflight_current('socket', {}, {'hardening_docker_daemon_json': dict(SEEN)})
    assert not preflight_current('socket', RECORD, {})


def test_a_record_without_a_digest_is_never_current():
    assert not preflight_current('socket', {'roles': ['socket'], 'daemon_json': {}}, {'hardening_docker_daemon_json': {}})
    assert not preflight_current('socket', None, None)
