#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: daemon_state
short_description: Snapshot dockerd's configuration files and tell whether the running daemon matches them
version_added: 0.3.0
description:
  - Read-only. Used once per play by the C(hardening.docker.daemon_restart) role, before any role changes the host.
  - Returns the content, mode and owner of every configuration file a rollback restores (the listed files, the
    C(*.conf) drop-ins of the listed directories and the TLS files C(tlscacert), C(tlscert) and C(tlskey) that
    daemon.json names), in one call.
  - Compares the running dockerd with its configuration (listening TCP sockets against C(hosts) and the unit's
    flags, its command line against the unit's C(ExecStart), C(docker info) against daemon.json, and the
    modification time of the configuration files against the daemon's start), so that a run interrupted
    before its restart is completed by the next run.
  - The snapshot holds private keys, so the task calling this module must set C(no_log).
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  daemon_json:
    description: Path of daemon.json (a C(--config-file) flag of the unit takes precedence).
    type: path
    default: /etc/docker/daemon.json
  snapshot_files:
    description: Files to snapshot when they exist (links are followed).
    type: list
    elements: path
    default: [/etc/docker/daemon.json, /etc/default/docker]
  snapshot_dirs:
    description: Directories whose C(*.conf) files are snapshotted.
    type: list
    elements: path
    default: [/etc/systemd/system/docker.service.d, /etc/systemd/system/docker.socket.d]
  service:
    description: The dockerd service unit.
    type: str
    default: docker.service
  socket:
    description: The socket unit that activates dockerd.
    type: str
    default: docker.socket
attributes:
  check_mode:
    description: Read-only; the same result in check mode.
    support: full
  diff_mode:
    description: Nothing is changed, so there is no diff.
    support: none
"""

EXAMPLES = r"""
- name: Snapshot the configuration and compare it with the running daemon
  hardening.docker.daemon_state:
  register: state
  no_log: true

- name: Ask for a restart when the daemon does not run its configuration
  ansible.builtin.debug:
    msg: "{{ state.drift }}"
  changed_when: state.drift | length > 0
  notify: hardening_docker_restart_dockerd
"""

RETURN = r"""
snapshot:
  description: Path -> C(content) (base64), C(mode), C(owner), C(group) of each file that exists.
  returned: always
  type: dict
dropins:
  description: Drop-in files found in O(snapshot_dirs).
  returned: always
  type: list
  elements: str
in_sync:
  description: True when the running dockerd matches its configuration (also true when no dockerd runs).
  returned: always
  type: bool
drift:
  description: One sentence per difference between the running dockerd and its configuration.
  returned: always
  type: list
  elements: str
pid:
  description: PID of the running dockerd, or null.
  returned: always
  type: int
"""


from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardening.docker.plugins.module_utils._audit_gather import Gatherer
from ansible_collections.hardening.docker.plugins.module_utils._audit_config import effective_config, is_unset
from ansible_collections.hardening.docker.plugins.module_utils._config_snapshot import dropins as list_dropins, snapshot_file
from ansible_collections.hardening.docker.plugins.module_utils._daemon_sync import add_sync_state, sync_findings

TLS_KEYS = ('tlscacert', 'tlscert', 'tlskey')


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            daemon_json=dict(type='path', default='/etc/docker/daemon.json'),
            snapshot_files=dict(type='list', elements='path', default=['/etc/docker/daemon.json', '/etc/default/docker']),
            snapshot_dirs=dict(type='list', elements='path',
                               default=['/etc/systemd/system/docker.service.d', '/etc/systemd/system/docker.socket.d']),
            service=dict(type='str', default='docker.service'),
            socket=dict(type='str', default='docker.socket'),
        ),
        supports_check_mode=True,
    )
    params = module.params

    def runner(argv):
        return module.run_command(argv, environ_update={'LC_ALL': 'C', 'LANG': 'C'})

    gatherer = Gatherer(runner, module.get_bin_path, daemon_json=params['daemon_json'])
    state = {
        'units': {'docker.service': gatherer.gather_service(params['service']),
                  'docker.socket': gatherer.gather_socket(params['socket'])},
        'process': gatherer.gather_process(),
        'daemon_json': {'path': params['daemon_json']},
    }
    dj_path = effective_config(state)['config_file_flag'] or params['daemon_json']
    state['daemon_json'] = gatherer.gather_daemon_json(dj_path)
    eff = effective_config(state)
    config = eff['config'] if eff['ok'] else {}

    dropins = list_dropins(params['snapshot_dirs'])
    tls_files = [config[key] for key in TLS_KEYS if not is_unset(config.get(key)) and isinstance(config[key], str)]
    snapshot = {}
    for path in params['snapshot_files'] + dropins + tls_files:
        if path not in snapshot:
            entry = snapshot_file(path)
            if entry is not None:
                snapshot[path] = entry

    result = dict(changed=False, snapshot=snapshot, dropins=dropins, in_sync=True, drift=[], pid=None)
    if state['process'].get('pid') is None:
        # nothing runs that could be stale; a stopped daemon starts with its files
        module.exit_json(**result)
    sockets = ['/run/docker.sock', '/var/run/docker.sock']
    state['docker_info'] = gatherer.gather_docker_info(sockets)
    add_sync_state(state, runner, module.get_bin_path('journalctl'), extra_paths=params['snapshot_files'])
    result['pid'] = state['dockerd_running'].get('pid')
    try:
        drift = sync_findings(state)
    except ValueError as exc:
        module.warn('cannot compare the running dockerd with its configuration: %s' % exc)
        drift = []
    result.update(in_sync=not drift, drift=drift)
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()
