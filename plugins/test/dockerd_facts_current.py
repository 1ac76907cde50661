# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hardening.docker.dockerd_facts_current: may a task use the host's last dockerd_facts reading?"""

from __future__ import annotations

from collections.abc import Mapping


def dockerd_facts_current(facts, path='/etc/docker/daemon.json', docker_info=True):
    """True when FACTS hold a dockerd_facts reading of PATH that daemon.json has not outdated.

    hardening.docker.dockerd_facts keeps its reading in hardening_docker_dockerd
    and the digest of daemon.json in hardening_docker_daemon_json; every
    hardening.docker.daemon_config call replaces that digest with the file's as
    it left it. Before the one restart, dockerd's own state changes only by a
    reload after a daemon.json change (live-restore), so an unchanged digest
    means an unchanged reading. DOCKER_INFO: the task needs dockerd's answer
    too. Anything missing means "read again".
    """
    if not isinstance(facts, Mapping):
        return False
    reading = facts.get('hardening_docker_dockerd')
    last = facts.get('hardening_docker_daemon_json')
    if not isinstance(reading, Mapping) or not isinstance(last, Mapping):
        return False
    seen = reading.get('daemon_json')
    if not isinstance(seen, Mapping) or not seen.get('sha256') or seen.get('path') != path:
        return False
    if dict(last) != {'path': seen['path'], 'sha256': seen['sha256']}:
        return False
    return bool(reading.get('docker_info_read')) or not docker_info


class TestModule(object):
    def tests(self):
        return {'dockerd_facts_current': dockerd_facts_current}
