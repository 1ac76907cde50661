#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: daemon_restore
short_description: Put dockerd's configuration files back as a hardening.docker.daemon_state snapshot recorded them
version_added: 0.4.0
description:
  - The rollback of the C(hardening.docker.daemon_restart) role, when dockerd does not start with a new configuration.
  - Every file of the snapshot gets back its exact bytes, mode and owner. A link is kept and its target is written,
    as dockerd reads the target. Files of O(files) and C(*.conf) drop-ins of O(dirs) that the snapshot does not hold
    did not exist before the play and are removed.
  - Each file replaced or removed is copied first (a backup next to it whose name does not end in C(.conf), so systemd
    ignores it), so the configuration that failed stays there to read.
  - The snapshot holds private keys, so the calling task must set C(no_log).
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  snapshot:
    description: The C(snapshot) that C(hardening.docker.daemon_state) returned before the play changed anything.
    type: dict
    required: true
  files:
    description: The C(snapshot_files) given to C(hardening.docker.daemon_state).
    type: list
    elements: path
    default: []
  dirs:
    description: The C(snapshot_dirs) given to C(hardening.docker.daemon_state).
    type: list
    elements: path
    default: []
attributes:
  check_mode:
    description: Reports what would be written back or removed.
    support: full
  diff_mode:
    description: No diff, as the files hold private keys.
    support: none
"""

EXAMPLES = r"""
- name: Write back the configuration dockerd ran with before this play
  hardening.docker.daemon_restore:
    snapshot: "{{ state.snapshot }}"
    files: [/etc/docker/daemon.json, /etc/default/docker]
    dirs: [/etc/systemd/system/docker.service.d]
  no_log: true
"""

RETURN = r"""
restored:
  description: Files written back.
  returned: always
  type: list
  elements: str
removed:
  description: Files removed because they did not exist before the play.
  returned: always
  type: list
  elements: str
backups:
  description: Copies of the replaced and removed files.
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hardening.docker.plugins.module_utils._atomic_write import ensure_directory, write_atomically
from ansible_collections.hardening.docker.plugins.module_utils._config_snapshot import (
    decode_entry,
    dropins as list_dropins,
    snapshot_file,
)


def _entry(module, path, entry):
    try:
        return decode_entry(entry)
    except (KeyError, TypeError, ValueError) as exc:
        module.fail_json(msg='snapshot entry of %s is not one daemon_state returns (content, mode, owner, group): %s'
                         % (path, to_native(exc)))


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            snapshot=dict(type='dict', required=True, no_log=True),
            files=dict(type='list', elements='path', default=[]),
            dirs=dict(type='list', elements='path', default=[]),
        ),
        supports_check_mode=True,
    )
    snapshot = module.params['snapshot']
    result = dict(changed=False, restored=[], removed=[], backups=[])
    # every entry is read before the first change: a bad one changes nothing
    entries = dict((path, _entry(module, path, snapshot[path])) for path in snapshot)

    created = [p for p in module.params['files'] + list_dropins(module.params['dirs'])
               if p not in snapshot and os.path.lexists(p)]
    for path in created:
        # a link the play did not create stays; the file it points to was the play's
        target = os.path.realpath(path)
        if not os.path.isfile(target):
            continue
        result['removed'].append(path)
        if not module.check_mode:
            result['backups'].append(module.backup_local(target))
            try:
                os.unlink(target)
            except OSError as exc:
                module.fail_json(msg='cannot remove %s: %s' % (target, to_native(exc)), **result)

    for path in sorted(entries):
        target = os.path.realpath(path)
        if snapshot_file(target) == snapshot[path]:
            continue
        data, mode, uid, gid = entries[path]
        result['restored'].append(path)
        if not module.check_mode:
            ensure_directory(module, os.path.dirname(target))
            backup = write_atomically(module, target, data, mode, uid, gid, backup=True)
            if backup:
                result['backups'].append(backup)

    result['changed'] = bool(result['restored'] or result['removed'])
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()
