# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hardening.docker.preflight_current: may a role reuse the main job's reading of the host?"""

from __future__ import annotations

from collections.abc import Mapping


def preflight_current(role, preflight, facts):
    """True when the main job's preflight read the host for ROLE and daemon.json is still as it saw it.

    PREFLIGHT is what playbooks/tasks/harden_preflight.yml recorded (the roles
    whose tasks/preflight.yml ran, and the daemon.json digest of that moment);
    FACTS are the host's facts, where hardening.docker.daemon_config leaves the
    digest of the file after each call. Anything missing means "read again":
    reading twice costs time, reusing a stale reading could hide a refusal.
    """
    if not isinstance(preflight, Mapping) or not isinstance(facts, Mapping):
        return False
    recorded = preflight.get('daemon_json')
    if not isinstance(recorded, Mapping) or not recorded.get('sha256'):
        return False
    roles = preflight.get('roles') or []
    return role in roles and dict(recorded) == dict(facts.get('hardening_docker_daemon_json') or {})


class TestModule(object):
    def tests(self):
        return {'preflight_current': preflight_current}
