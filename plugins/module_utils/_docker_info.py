# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the roles ask the running dockerd: ``docker info`` as JSON, or why it did not answer."""

from __future__ import annotations

import json

DOCKER_INFO_ARGV = ['info', '--format', '{{json .}}']


def read_docker_info(run, docker, host=None):
    """``(info, error)``: dockerd's answer (a dict, ``{}`` without one) and ``''``, or ``{}`` and why not.

    ``run(argv) -> (rc, stdout, stderr)`` runs a command (the module's
    run_command); ``docker`` is the CLI's path, ``None`` when the host has none;
    ``host`` (``unix:///path``) the daemon socket to ask instead of the CLI's default.
    The CLI exits 0 even when the daemon is down: the server's answer is only
    there when the output names a ServerVersion and no ServerErrors.
    """
    if not docker:
        return {}, 'the docker command was not found in PATH'
    try:
        rc, out, err = run([docker] + (['-H', host] if host else []) + DOCKER_INFO_ARGV)
    except (OSError, ValueError) as exc:
        return {}, str(exc)
    try:
        info = json.loads(out) if out.strip() else None
    except ValueError:
        info = None
    if not isinstance(info, dict):
        info = None
    server_errors = [str(item) for item in (info or {}).get('ServerErrors') or []]
    if rc == 0 and info is not None and not server_errors and info.get('ServerVersion'):
        return info, ''
    parts = [err.strip()] + server_errors
    if info is None:
        # Not JSON: whatever the CLI printed is the best explanation there is.
        parts.append(out.strip())
    return {}, ' '.join(part for part in parts if part) or 'docker info exited with code %d' % rc
