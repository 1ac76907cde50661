#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: socket_dropins
short_description: Declare the Docker socket's owner, group and mode in docker.socket drop-ins, and check the socket
version_added: 0.4.0
description:
  - Writes the drop-in that sets C(SocketUser=root) and C(SocketGroup=) (CIS 3.15) and the one that sets
    C(SocketMode=) (CIS 3.16) in O(dropin_dir), removes the drop-ins of earlier releases, and compares each
    socket of O(socket_paths) with the declared owner, group and mode (HD-3), in one call.
  - The socket file itself is never changed, since systemd (or dockerd) creates it at every start. A socket that
    differs is put right by restarting C(docker.socket) and dockerd, which the caller does when a control
    reports a change.
  - Files are replaced atomically, C(0644 root:root), in a directory C(0755 root:root).
  - Returns one result per enabled control, so a play can show each by id and title.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  controls:
    description: Id and title of the controls, C(3.15), C(3.16) and C(HD-3).
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: Control id.
        type: str
        required: true
      title:
        description: Title shown with the control's result.
        type: str
        default: ''
      area:
        description: Name of the control's area switch (read by the role's control selection, not by the module).
        type: str
  enabled:
    description: Ids of the controls to apply; the others are left alone and not returned.
    type: list
    elements: str
    required: true
  unit_loaded:
    description:
      - Whether the socket unit is loaded. When it is not, dockerd creates its socket itself and no drop-in
        is written.
    type: bool
    required: true
  unit:
    description: The socket unit, named in messages.
    type: str
    default: docker.socket
  dropin_dir:
    description: The directory of the unit's drop-ins the role writes.
    type: path
    default: /etc/systemd/system/docker.socket.d
  owner_dropin:
    description: File name of the drop-in of C(3.15).
    type: str
    default: zz-hardening-docker-socket-owner.conf
  mode_dropin:
    description: File name of the drop-in of C(3.16).
    type: str
    default: zz-hardening-docker-socket-mode.conf
  retired_dropins:
    description: File names of the drop-ins of earlier releases, removed when found.
    type: list
    elements: str
    default: []
  group:
    description: The socket group (C(SocketGroup=)).
    type: str
    default: docker
  mode:
    description: The socket mode (C(SocketMode=)).
    type: str
    default: '0660'
  socket_paths:
    description: The API sockets HD-3 compares with the declaration.
    type: list
    elements: path
    default: []
  expect_mode:
    description: Mode HD-3 expects of each socket; empty to leave the mode unchecked (3.16 switched off).
    type: str
    default: ''
  expect_owner:
    description: C(user:group) HD-3 expects of each socket; empty to leave the owner unchecked (3.15 switched off).
    type: str
    default: ''
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
seealso:
  - module: hardening.docker.socket_facts
"""

EXAMPLES = r"""
- name: Declare and check the socket's owner, group and mode
  hardening.docker.socket_dropins:
    controls: [{id: "3.15", title: owner}, {id: "3.16", title: mode}, {id: HD-3, title: effective}]
    enabled: ["3.15", "3.16", HD-3]
    unit_loaded: true
    socket_paths: [/run/docker.sock]
    expect_mode: "0660"
    expect_owner: root:docker
  register: socket_result
"""

RETURN = r"""
results:
  description: One entry per enabled control, in the order of O(controls).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Control id.
      type: str
    title:
      description: Control title.
      type: str
    changed:
      description: Whether the control changed a file, or (HD-3) found a socket to recreate.
      type: bool
    msg:
      description: What was done or found.
      type: str
  sample: [{id: "3.16", title: "...", changed: true, msg: "wrote /etc/systemd/system/docker.socket.d/zz-hardening-docker-socket-mode.conf"}]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardening.docker.plugins.module_utils._atomic_write import ensure_directory
from ansible_collections.hardening.docker.plugins.module_utils._socket_dropins import (
    fix_attributes,
    plan_file,
    render_mode,
    render_owner,
    socket_problems,
    write_file,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            controls=dict(type='list', elements='dict', required=True, options=dict(
                id=dict(type='str', required=True),
                title=dict(type='str', default=''),
                area=dict(type='str'),
            )),
            enabled=dict(type='list', elements='str', required=True),
            unit_loaded=dict(type='bool', required=True),
            unit=dict(type='str', default='docker.socket'),
            dropin_dir=dict(type='path', default='/etc/systemd/system/docker.socket.d'),
            owner_dropin=dict(type='str', default='zz-hardening-docker-socket-owner.conf'),
            mode_dropin=dict(type='str', default='zz-hardening-docker-socket-mode.conf'),
            retired_dropins=dict(type='list', elements='str', default=[]),
            group=dict(type='str', default='docker'),
            mode=dict(type='str', default='0660'),
            socket_paths=dict(type='list', elements='path', default=[]),
            expect_mode=dict(type='str', default=''),
            expect_owner=dict(type='str', default=''),
        ),
        supports_check_mode=True,
    )
    p = module.params
    enabled = [c for c in p['controls'] if c['id'] in p['enabled']]
    dropin_controls = [c['id'] for c in enabled if c['id'] in ('3.15', '3.16')]
    messages = dict((c['id'], []) for c in enabled)
    changed_ids = set()
    diffs = []
    # The changes, made only once all of them are known (and never in check mode).
    writes = []
    create_dir = False

    if dropin_controls and not p['unit_loaded']:
        for cid in dropin_controls:
            messages[cid].append('%s is not loaded on this host: dockerd creates its unix socket itself (0660 root:group '
                                 'from daemon.json "group"), so no drop-in is written.' % p['unit'])
    elif dropin_controls:
        # Changes that serve both controls (the directory, the old names) count for the first enabled one.
        first = dropin_controls[0]
        directory = p['dropin_dir']
        if os.path.isdir(directory):
            wrong = fix_attributes(module, directory, 0o755, apply=False)
            if wrong:
                messages[first].append('%s: %s' % (directory, wrong))
                changed_ids.add(first)
                writes.append(lambda: fix_attributes(module, directory, 0o755, apply=True))
        else:
            messages[first].append('created %s' % directory)
            changed_ids.add(first)
            create_dir = True
        wanted = []
        if '3.15' in dropin_controls:
            wanted.append(('3.15', p['owner_dropin'], render_owner(p['group'])))
        if '3.16' in dropin_controls:
            wanted.append(('3.16', p['mode_dropin'], render_mode(p['mode'])))
        for cid, name, text in wanted:
            path = os.path.join(directory, name)
            plan = plan_file(module, path, text)
            if plan['changed']:
                changed_ids.add(cid)
                messages[cid].append(plan['msg'])
                diffs.append(plan['diff'])
                writes.append(lambda path=path, text=text, plan=plan: write_file(module, path, text, plan))
            else:
                messages[cid].append('%s as required' % path)
        for name in p['retired_dropins']:
            path = os.path.join(directory, name)
            if os.path.lexists(path):
                changed_ids.add(first)
                messages[first].append('removed %s (a name of an earlier release)' % path)
                diffs.append(dict(before_header=path, after_header=path, before='(present)\n', after='(absent)\n'))
                writes.append(lambda path=path: os.unlink(path))

    if 'HD-3' in messages:
        wrong, seen = socket_problems(p['socket_paths'], p['expect_mode'], p['expect_owner'])
        if wrong:
            changed_ids.add('HD-3')
            messages['HD-3'].append('Recreate (restart %s and dockerd): %s' % (p['unit'], '; '.join(wrong)))
        else:
            messages['HD-3'].append('Docker socket as declared: %s' % ', '.join(seen))

    files_changed = create_dir or bool(writes)
    if files_changed and not module.check_mode:
        ensure_directory(module, p['dropin_dir'])
        for write in writes:
            try:
                write()
            except OSError as exc:
                module.fail_json(msg='cannot change %s: %s' % (p['dropin_dir'], exc))

    results = [dict(id=c['id'], title=c['title'], changed=c['id'] in changed_ids, msg='; '.join(messages[c['id']]))
               for c in enabled]
    res = dict(changed=files_changed, results=results)
    if module._diff and diffs:
        res['diff'] = diffs
    module.exit_json(**res)


if __name__ == '__main__':
    main()
