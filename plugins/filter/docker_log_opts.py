# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hardening.docker.docker_log_opts: make every log option value a string, as dockerd requires."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.hardening.docker.plugins.module_utils._log_opts import (
    LogOptsError,
    normalize_log_opts,
)


def docker_log_opts(data):
    """Return a copy of ``data`` whose values are strings (booleans as true/false, numbers in decimal)."""
    try:
        return normalize_log_opts(data)
    except LogOptsError as exc:
        raise AnsibleFilterError('docker_log_opts: %s' % exc)


class FilterModule(object):
    """Docker log options filter."""

    def filters(self):
        return {'docker_log_opts': docker_log_opts}
