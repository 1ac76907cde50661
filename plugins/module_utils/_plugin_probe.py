# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ask a Docker plugin on its unix socket what it implements (Plugin.Activate).

dockerd sends this request first to every plugin it finds under
/run/docker/plugins; a plugin that does not answer it makes dockerd refuse the
requests the plugin should judge. The answer is read the way dockerd reads
it: a JSON object whose "Implements" lists the plugin's APIs ("authz").
"""

from __future__ import annotations

import http.client
import json
import time

from ansible.module_utils.common.text.converters import to_native

# The audit's HTTP-over-unix-socket connection, shared rather than written twice.
from ansible_collections.hardening.docker.plugins.module_utils._audit_runtime_gather import UnixHTTPConnection


def activate(socket_path, timeout=5, connection=UnixHTTPConnection):
    """One Plugin.Activate request: (list of implemented APIs or None, what happened)."""
    conn = connection(socket_path, timeout=timeout)
    try:
        conn.request('POST', '/Plugin.Activate', body=b'{}',
                     headers={'Content-Type': 'application/json', 'Accept': 'application/json'})
        response = conn.getresponse()
        status, body = response.status, response.read()
    # A missing socket, a refused connection and a timeout are OSErrors; a
    # plugin that hangs up mid-answer raises an HTTPException.
    except (OSError, http.client.HTTPException) as exc:
        return None, 'Request failed: %s' % to_native(exc)
    finally:
        conn.close()
    if status != 200:
        return None, 'HTTP %d: %s' % (status, to_native(body)[:200])
    try:
        answer = json.loads(to_native(body))
    except ValueError:
        return None, 'the answer is not JSON: %s' % to_native(body)[:200]
    implements = answer.get('Implements') if isinstance(answer, dict) else None
    if not isinstance(implements, list):
        return None, 'the answer has no "Implements" list: %s' % to_native(body)[:200]
    return implements, 'implements %s' % ', '.join(to_native(item) for item in implements)


def wait_for(socket_path, api, seconds, connection=UnixHTTPConnection, sleep=time.sleep, clock=time.monotonic):
    """Ask every second until the plugin implements ``api`` or ``seconds`` have passed.

    Returns (answers, implements or None, what the last attempt said). A plugin
    that systemd just (re)started may need a moment to bind its socket.
    """
    deadline = clock() + seconds
    while True:
        timeout = min(5, max(1, deadline - clock()))
        implements, said = activate(socket_path, timeout=timeout, connection=connection)
        if implements is not None and api in implements:
            return True, implements, said
        if clock() >= deadline:
            return False, implements, said
        sleep(1)
