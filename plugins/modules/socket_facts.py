#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: socket_facts
short_description: Read what the socket role decides from, in one call
version_added: 0.4.0
description:
  - Read-only. Returns the host's users, the socket group and its members, the users of the run itself
    (the connection's user and every user of the become chain), the state of the C(docker.socket) unit
    and the C(SocketUser=), C(SocketGroup=) and C(SocketMode=) lines of every drop-in of that unit.
  - One call instead of one per item, so that the role's checks can refuse before any change at the cost
    of one round trip to the host.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  group:
    description: Name of the socket group.
    type: str
    default: docker
  unit:
    description: The socket unit.
    type: str
    default: docker.socket
  dropin_roots:
    description: Every directory systemd reads the unit's drop-ins from (C(<root>/<unit>.d/*.conf)).
    type: list
    elements: path
    default: [/etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system, /usr/lib/systemd/system]
  exclude_dropins:
    description: File names of drop-ins left out of RV(dropin_settings) (the role's own).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - The run's users are the owners (real uid) of the module's ancestor processes. A task with
    C(become=false) would not find them, since an inventory's C(ansible_become) overrides that keyword.
"""

EXAMPLES = r"""
- name: Read the users, the socket group, the run's users and docker.socket
  hardening.docker.socket_facts:
    group: docker
    exclude_dropins: [zz-hardening-docker-socket-owner.conf]
  register: socket_facts
"""

RETURN = r"""
users:
  description: Name to primary group id of every user of the user database (as C(getent passwd) lists them).
  returned: always
  type: dict
  sample: {root: 0, alice: 1000}
group:
  description: The socket group, C(exists) false when the group database has no such group.
  returned: always
  type: dict
  contains:
    exists:
      description: Whether the group exists.
      type: bool
    gid:
      description: Its id, null when it does not exist.
      type: int
    members:
      description: The members listed in the group database (users whose primary group it is are not listed).
      type: list
      elements: str
  sample: {exists: true, gid: 999, members: [alice]}
primary_members:
  description: Users whose primary group is the socket group.
  returned: always
  type: list
  elements: str
  sample: []
run_users:
  description: The users of the connection and of the become chain (owners of the module's ancestor processes).
  returned: always
  type: list
  elements: str
  sample: [carol, root]
unit:
  description: The socket unit's C(LoadState) and the paths of its C(ListenStream=) sockets.
  returned: always
  type: dict
  sample: {load_state: loaded, listen: [/run/docker.sock]}
dropin_settings:
  description: Each C(SocketUser=), C(SocketGroup=) or C(SocketMode=) line of the unit's drop-ins, in file-name order.
  returned: always
  type: list
  elements: dict
  sample: [{path: /etc/systemd/system/docker.socket.d/override.conf, line: "2", name: override.conf,
            setting: SocketMode, value: "0666"}]
"""

import grp
import os
import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardening.docker.plugins.module_utils._socket_state import (
    dropin_settings,
    parse_listen,
    run_users,
)


def read_group(name, users):
    try:
        entry = grp.getgrnam(name)
    except KeyError:
        return dict(exists=False, gid=None, members=[]), []
    primary = sorted(user for user, gid in users.items() if gid == entry.gr_gid)
    return dict(exists=True, gid=entry.gr_gid, members=[m for m in entry.gr_mem if m]), primary


def read_users():
    users = {}
    for entry in pwd.getpwall():
        users.setdefault(entry.pw_name, entry.pw_gid)
    return users


def main():
    module = AnsibleModule(
        argument_spec=dict(
            group=dict(type='str', default='docker'),
            unit=dict(type='str', default='docker.socket'),
            dropin_roots=dict(type='list', elements='path',
                              default=['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system',
                                       '/usr/lib/systemd/system']),
            exclude_dropins=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    users = read_users()
    group, primary = read_group(params['group'], users)
    rc, out, err = module.run_command(['systemctl', 'show', '--property=LoadState', '--property=Listen', '--',
                                       params['unit']])
    if rc != 0:
        module.fail_json(msg='systemctl show %s failed: %s' % (params['unit'], (err or out).strip()), rc=rc)
    load_state, listen = parse_listen(out)
    module.exit_json(
        changed=False,
        users=users,
        group=group,
        primary_members=primary,
        run_users=run_users(os.getpid()),
        unit=dict(load_state=load_state, listen=listen),
        dropin_settings=dropin_settings(params['dropin_roots'], params['unit'], params['exclude_dropins']),
    )


if __name__ == '__main__':
    main()
