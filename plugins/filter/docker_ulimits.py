# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hardening.docker.docker_ulimits: friendly ulimit forms -> daemon.json ``default-ulimits``."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.hardening.docker.plugins.module_utils._ulimits import (
    UlimitError,
    normalize_ulimits,
)


def docker_ulimits(data):
    """Return ``{name: {"Name": name, "Soft": int, "Hard": int}}`` from any accepted input form."""
    try:
        return normalize_ulimits(data)
    except UlimitError as exc:
        raise AnsibleFilterError('docker_ulimits: %s' % exc)


class FilterModule(object):
    """Docker ulimit filter."""

    def filters(self):
        return {'docker_ulimits': docker_ulimits}
