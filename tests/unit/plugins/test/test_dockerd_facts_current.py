# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.hardening.docker.plugins.test.dockerd_facts_current import dockerd_facts_current

PATH = '/etc/docker/daemon.json'
DIGEST = {'path': PATH, 'sha256': 'a' * 64}


def facts(digest=None, info_read=True, seen=None):
    return {'hardening_docker_dockerd': {'daemon_json': dict(seen or DIGEST, exists=True, config={}),
                                         'docker_info_read': info_read, 'docker_info': {}, 'docker_info_error': ''},
            'hardening_docker_daemon_json': dict(digest or DIGEST)}


def test_a_reading_of_an_unchanged_daemon_json_is_current():
    assert dockerd_facts_current(facts(), PATH)
    assert dockerd_facts_current(facts())


def test_a_change_of_daemon_json_since_the_reading_means_reading_again():
    assert not dockerd_facts_current(facts(digest=dict(DIGEST, sha256='b' * 64)), PATH)


def test_a_reading_of_another_file_is_not_current():
    assert not dockerd_facts_current(facts(), '/srv/daemon.json')
    other = dict(DIGEST, path='/srv/daemon.json')
    assert not dockerd_facts_current(facts(digest=other, seen=other), PATH)


def test_a_reading_without_docker_info_serves_only_tasks_that_need_the_file():
    assert not dockerd_facts_current(facts(info_read=False), PATH)
    assert dockerd_facts_current(facts(info_read=False), PATH, docker_info=False)


def test_no_reading_means_reading():
    assert not dockerd_facts_current({}, PATH)
    assert not dockerd_facts_current({'hardening_docker_daemon_json': DIGEST}, PATH)
    assert not dockerd_facts_current(None, PATH)
    assert not dockerd_facts_current(facts(seen={'path': PATH, 'sha256': ''}, digest={'path': PATH, 'sha256': ''}), PATH)
